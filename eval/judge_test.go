package eval

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"whet/assets"
	"whet/config"
	"whet/prompt"
	"whet/runner"
)

// fakeJudge is a Provider that answers from a script, one reply per call,
// and records the requests.
type fakeJudge struct {
	mu      sync.Mutex
	replies []string
	err     error
	reqs    []runner.Request
}

func (f *fakeJudge) Name() string { return "fake" }

func (f *fakeJudge) Chat(ctx context.Context, req runner.Request, onDelta func(string)) (runner.Response, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, req)
	if f.err != nil {
		return runner.Response{}, f.err
	}
	if len(f.replies) == 0 {
		return runner.Response{}, errors.New("fake judge: no reply scripted")
	}
	text := f.replies[0]
	f.replies = f.replies[1:]
	onDelta(text)
	return runner.Response{Text: text, FinishReason: "stop", Model: "judge-1-2025", ModelDigest: "sha256:0123456789abcdef0123"}, nil
}

var _ runner.Provider = (*fakeJudge)(nil)

func (f *fakeJudge) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

// judgeEval is an Evaluator whose judge target "fake:judge-1" is f.
func judgeEval(f *fakeJudge) *Evaluator {
	return &Evaluator{
		JudgeTarget: "fake:judge-1",
		Judge: func(spec string) (Chatter, string, error) {
			if spec != "fake:judge-1" {
				return nil, "", fmt.Errorf("unknown target %q", spec)
			}
			return f, "judge-1", nil
		},
	}
}

func rubric(value string) []prompt.Check {
	return []prompt.Check{{Type: "llm-rubric", Value: value}}
}

func TestJudgeVerdicts(t *testing.T) {
	good := `{"reason": "It greets.", "pass": true, "score": 0.9}`
	rows := []struct {
		name    string
		replies []string
		calls   int
		pass    bool
		score   float64
		errLike string
	}{
		{"good JSON", []string{good}, 1, true, 0.9, ""},
		{"JSON in a fence", []string{"Here is my grade:\n```json\n" + good + "\n```\n"}, 1, true, 0.9, ""},
		{"JSON after prose", []string{"The output greets the user. " + good}, 1, true, 0.9, ""},
		{"malformed then good", []string{`{"reason": "ok", "pass": "yes", "score": 1}`, good}, 2, true, 0.9, ""},
		{"malformed twice", []string{"PASS", "I think it passes."}, 2, false, 0, "no usable verdict"},
		{"refusal", []string{"I can't help with that.", "I can't help with that."}, 2, false, 0, "no JSON object"},
		{"score out of range", []string{`{"reason": "r", "pass": true, "score": 7}`, `{"reason": "r", "pass": true, "score": 7}`}, 2, false, 0, "in [0,1]"},
		{"missing field", []string{`{"pass": true, "score": 1}`, `{"pass": true, "score": 1}`}, 2, false, 0, `"reason" is missing`},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			f := &fakeJudge{replies: row.replies}
			e := judgeEval(f)
			cr := e.Evaluate(context.Background(), prompt.Case{Name: "greet"}, rubric("greets the user"), nil, prompt.Result{Output: "Hello Ana!"})
			o := cr.Outcomes[0]
			if f.calls() != row.calls {
				t.Errorf("%d judge calls, want %d", f.calls(), row.calls)
			}
			if row.errLike != "" {
				if o.Err == nil || !strings.Contains(o.Err.Error(), row.errLike) || o.Pass || cr.Pass {
					t.Fatalf("want an error like %q; got pass %v err %v", row.errLike, o.Pass, o.Err)
				}
				if !strings.Contains(o.Err.Error(), `case "greet": check 1 (llm-rubric): judge fake:judge-1`) {
					t.Errorf("error does not name case, check and judge: %v", o.Err)
				}
				return
			}
			if o.Err != nil || o.Pass != row.pass || !near(o.Score, row.score, 1e-12) {
				t.Fatalf("pass %v score %v err %v", o.Pass, o.Score, o.Err)
			}
			if o.Scorer != "judge:fake:judge-1" || o.Judge != "fake:judge-1 (judge-1-2025 0123456789ab)" || o.Reason != "It greets." {
				t.Errorf("scorer %q judge %q reason %q", o.Scorer, o.Judge, o.Reason)
			}
			first := f.reqs[0]
			if first.Model != "judge-1" || first.Params.Temperature == nil || *first.Params.Temperature != 0 {
				t.Errorf("request model %q temperature %v", first.Model, first.Params.Temperature)
			}
			user := first.Messages[len(first.Messages)-1].Content
			if !strings.Contains(user, "Hello Ana!") || !strings.Contains(user, "greets the user") {
				t.Errorf("judge prompt lacks output or rubric:\n%s", user)
			}
			if row.calls == 2 {
				retry := f.reqs[1].Messages
				if len(retry) != len(first.Messages)+2 || retry[len(retry)-2].Role != "assistant" ||
					retry[len(retry)-2].Content != row.replies[0] || !strings.Contains(retry[len(retry)-1].Content, `"pass" must be true or false`) {
					t.Errorf("retry messages: %+v", retry[len(first.Messages):])
				}
			}
			sc := Scores(cr, 1, "a", time.Time{})
			if sc[0].Scorer != "judge:fake:judge-1" || !strings.Contains(sc[0].Reason, "[judge fake:judge-1 (judge-1-2025 0123456789ab)]") {
				t.Errorf("score %+v", sc[0])
			}
		})
	}
}

func TestJudgeThresholdAndNegation(t *testing.T) {
	reply := `{"reason": "Mostly polite.", "pass": true, "score": 0.6}`
	f := &fakeJudge{replies: []string{reply, reply, reply}}
	e := judgeEval(f)
	ctx := context.Background()
	r := prompt.Result{Output: "fine."}

	cr := e.Evaluate(ctx, prompt.Case{}, []prompt.Check{{Type: "llm-rubric", Value: "is polite", Threshold: fp(0.8)}}, nil, r)
	if o := cr.Outcomes[0]; o.Pass || o.Score != 0.6 || !strings.Contains(o.Reason, "below threshold 0.8") {
		t.Errorf("threshold: %+v", o)
	}
	cr = e.Evaluate(ctx, prompt.Case{}, []prompt.Check{{Type: "llm-rubric", Value: "is polite", Threshold: fp(0.5)}}, nil, r)
	if o := cr.Outcomes[0]; !o.Pass {
		t.Errorf("score 0.6 over threshold 0.5 failed: %+v", o)
	}
	cr = e.Evaluate(ctx, prompt.Case{}, []prompt.Check{{Type: "not-llm-rubric", Value: "is polite"}}, nil, r)
	if o := cr.Outcomes[0]; o.Pass || !near(o.Score, 0.4, 1e-12) {
		t.Errorf("not-llm-rubric: %+v", o)
	}
}

func TestJudgeProviderOverrideAndErrors(t *testing.T) {
	ctx := context.Background()
	f := &fakeJudge{err: &runner.APIError{Provider: "fake", Status: 503, Msg: "overloaded", Temporary: true}}
	e := judgeEval(f)
	cr := e.Evaluate(ctx, prompt.Case{Name: "c"}, rubric("x"), nil, prompt.Result{Output: "y"})
	var ae *runner.APIError
	if o := cr.Outcomes[0]; !errors.As(o.Err, &ae) || ae.Status != 503 || o.Pass {
		t.Errorf("call error: %+v", o)
	}
	// A check's provider overrides the default target; an unknown one is a
	// configuration error on the provider field.
	cr = e.Evaluate(ctx, prompt.Case{Name: "c"}, []prompt.Check{{Type: "llm-rubric", Value: "x", Provider: "other:model"}}, nil, prompt.Result{Output: "y"})
	var ce *CheckError
	if o := cr.Outcomes[0]; !errors.As(o.Err, &ce) || ce.Field != "provider" || !strings.Contains(ce.Msg, "unknown target") {
		t.Errorf("unknown provider: %v", o.Err)
	}
	// A target but no resolver.
	e = &Evaluator{JudgeTarget: "fake:judge-1"}
	cr = e.Evaluate(ctx, prompt.Case{Name: "c"}, rubric("x"), nil, prompt.Result{Output: "y"})
	if o := cr.Outcomes[0]; !errors.As(o.Err, &ce) || ce.Field != "provider" {
		t.Errorf("no resolver: %v", o.Err)
	}
}

// memCache is a ResultCache in memory.
type memCache struct {
	mu   sync.Mutex
	m    map[string]prompt.Result
	puts int
}

func (c *memCache) CacheGet(ctx context.Context, key string) (prompt.Result, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.m[key]
	return r, ok, nil
}

func (c *memCache) CachePut(ctx context.Context, key string, r prompt.Result) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]prompt.Result{}
	}
	c.m[key] = r
	c.puts++
	return nil
}

var _ runner.ResultCache = (*memCache)(nil)

func TestJudgeCache(t *testing.T) {
	ctx := context.Background()
	f := &fakeJudge{replies: []string{"oops", `{"reason": "r", "pass": false, "score": 0.2}`, `{"reason": "other", "pass": true, "score": 1}`}}
	cache := &memCache{}
	e := judgeEval(f)
	e.Cache = cache
	r := prompt.Result{Output: "the output"}
	first := e.Evaluate(ctx, prompt.Case{}, rubric("is good"), nil, r).Outcomes[0]
	again := e.Evaluate(ctx, prompt.Case{}, rubric("is good"), nil, r).Outcomes[0]
	if f.calls() != 2 || cache.puts != 1 {
		t.Fatalf("%d calls, %d puts; want 2 calls (one retry) and 1 put", f.calls(), cache.puts)
	}
	if first.Cached || !again.Cached || again.Score != first.Score || again.Pass != first.Pass || again.Judge != first.Judge {
		t.Errorf("first %+v\nagain %+v", first, again)
	}
	// The key covers the question: another rubric asks again.
	other := e.Evaluate(ctx, prompt.Case{}, rubric("is short"), nil, r).Outcomes[0]
	if f.calls() != 3 || other.Cached || other.Reason != "other" {
		t.Errorf("other rubric: calls %d, %+v", f.calls(), other)
	}
	// The key is runner.CacheKey of provider:model, the messages and params.
	for k := range cache.m {
		if len(k) != 64 {
			t.Errorf("key %q is not a hex SHA-256", k)
		}
	}
}

func TestModelGradedTemplates(t *testing.T) {
	ctx := context.Background()
	reply := `{"reason": "(A) subset", "pass": true, "score": 1}`
	msgs := []prompt.Message{{Role: "system", Content: "Answer tersely."}, {Role: "user", Content: "Who wrote Hamlet?"}}
	for _, tc := range []struct {
		typ, value string
		want       []string
	}{
		{"model-graded-closedqa", "names the author", []string{"[Criterion]:\nnames the author", "[Task]:\n[system]\nAnswer tersely.\n\n[user]\nWho wrote Hamlet?", "[Submission]:\nShakespeare"}},
		{"factuality", "William Shakespeare", []string{"[Expert]:\nWilliam Shakespeare", "[Question]:\n[system]", "[Submission]:\nShakespeare", "(D) There is a disagreement"}},
		{"llm-rubric", "names a playwright", []string{"<Rubric>\nnames a playwright\n</Rubric>", "<Output>\nShakespeare\n</Output>"}},
	} {
		f := &fakeJudge{replies: []string{reply}}
		e := judgeEval(f)
		cr := e.EvaluatePrompt(ctx, prompt.Case{}, msgs, []prompt.Check{{Type: tc.typ, Value: tc.value}}, nil, prompt.Result{Output: "Shakespeare"})
		if o := cr.Outcomes[0]; o.Err != nil || !o.Pass {
			t.Fatalf("%s: %+v", tc.typ, o)
		}
		var all strings.Builder
		for _, m := range f.reqs[0].Messages {
			all.WriteString(m.Content + "\n")
		}
		for _, w := range tc.want {
			if !strings.Contains(all.String(), w) {
				t.Errorf("%s: judge prompt lacks %q:\n%s", tc.typ, w, all.String())
			}
		}
	}
	// Without the prompt, the task is the case's variables.
	f := &fakeJudge{replies: []string{reply}}
	judgeEval(f).Evaluate(ctx, prompt.Case{Vars: map[string]string{"q": "Who wrote Hamlet?", "a": "1"}},
		[]prompt.Check{{Type: "factuality", Value: "Shakespeare"}}, nil, prompt.Result{Output: "Shakespeare"})
	if u := f.reqs[0].Messages[len(f.reqs[0].Messages)-1].Content; !strings.Contains(u, "[Question]:\na: 1\nq: Who wrote Hamlet?") {
		t.Errorf("task from vars:\n%s", u)
	}
}

// Every shipped judge template parses, sets temperature 0 and uses only the
// variables the judge fills in.
func TestShippedJudgeTemplates(t *testing.T) {
	for name, vars := range map[string][]string{
		"llm-rubric":            {"output", "rubric"},
		"model-graded-closedqa": {"input", "output", "criteria"},
		"factuality":            {"input", "ideal", "output"},
	} {
		data, err := assets.ReadFile("judge/" + name + ".md")
		if err != nil {
			t.Fatal(err)
		}
		f, err := prompt.ParseFile(name+".md", data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if f.Params.Temperature == nil || *f.Params.Temperature != 0 {
			t.Errorf("%s: temperature not 0", name)
		}
		got := prompt.MessagesVariables(f.Messages)
		if strings.Join(got, ",") != strings.Join(vars, ",") {
			t.Errorf("%s: variables %v, want %v", name, got, vars)
		}
		if !strings.Contains(string(data), `"pass"`) || !strings.Contains(string(data), `"score"`) || !strings.Contains(string(data), `"reason"`) {
			t.Errorf("%s: does not ask for the verdict's fields", name)
		}
	}
}

func TestParseVerdict(t *testing.T) {
	ok := []struct {
		in   string
		want Verdict
	}{
		{`{"score": 1, "pass": true, "reason": " fine "}`, Verdict{1, true, "fine"}},
		{"```json\n{\"score\": 0, \"pass\": false, \"reason\": \"no\"}\n```", Verdict{0, false, "no"}},
		{"```\n{\"score\": 0.5, \"pass\": true, \"reason\": \"{braces}\"}\n```", Verdict{0.5, true, "{braces}"}},
		{`Thinking: {"note": 1} then {"score": 0.25, "pass": false, "reason": "r", "choice": "D"}`, Verdict{0.25, false, "r"}},
	}
	for _, tc := range ok {
		got, err := ParseVerdict(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("%q: %+v %v, want %+v", tc.in, got, err, tc.want)
		}
	}
	bad := []struct{ in, want string }{
		{"", "no JSON object"},
		{"I can't help with that.", "no JSON object"},
		{`{"note": 1}`, `no JSON object with "score"`},
		{`{"score": "0.5", "pass": true, "reason": "r"}`, `"score" must be a number`},
		{`{"score": -0.1, "pass": true, "reason": "r"}`, "in [0,1]"},
		{`{"score": 1, "pass": 1, "reason": "r"}`, `"pass" must be true or false`},
		{`{"score": 1, "pass": true, "reason": 5}`, `"reason" must be a string`},
		{`{"score": 1}`, `"pass" is missing; "reason" is missing`},
	}
	for _, tc := range bad {
		if _, err := ParseVerdict(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want error containing %q", tc.in, err, tc.want)
		}
	}
}

// TestCheckTargets finds, before any call, the model-graded checks that
// have no model to grade them, and leaves the others alone.
func TestCheckTargets(t *testing.T) {
	f := &fakeJudge{}
	checks := []prompt.Check{
		{Type: "contains", Value: "x"},
		{Type: "llm-rubric", Value: "polite"},
		{Type: "not-factuality", Value: "Paris", Provider: "nosuch:model"},
		{Type: "similar", Value: "hello"},
	}
	err := judgeEval(f).CheckTargets(CaseName(prompt.Case{Name: "refund"}, 0), checks)
	if err == nil {
		t.Fatal("no problem found")
	}
	for _, want := range []string{
		`case "refund": check 3 (not-factuality): provider: judge "nosuch:model": unknown target`,
		`case "refund": check 4 (similar): provider: no embedding target`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "check 1") || strings.Contains(err.Error(), "check 2") {
		t.Errorf("a check that can be graded is reported: %v", err)
	}
	if err := (&Evaluator{}).CheckTargets("", rubric("polite")); err == nil || !strings.Contains(err.Error(), "no judge target") {
		t.Errorf("no judge: err = %v", err)
	}
	if f.calls() != 0 {
		t.Errorf("CheckTargets called the judge %d times", f.calls())
	}
	echo, _ := runner.NewEcho(config.Provider{})
	ev := &Evaluator{JudgeTarget: "echo", Judge: func(string) (Chatter, string, error) { return echo, "", nil }}
	if err := ev.CheckTargets("", rubric("polite")); err == nil || !strings.Contains(err.Error(), "echo answers with the prompt it is sent") {
		t.Errorf("echo judge: err = %v", err)
	}
	if res := ev.Evaluate(t.Context(), prompt.Case{}, rubric("polite"), nil, prompt.Result{Output: "hi"}); res.Pass || res.Err == nil {
		t.Errorf("an echo judge graded: %+v", res)
	}
}

// TestParseVerdictOfUnfinishedObjects: an answer of thousands of unclosed
// objects, each of which the search would read to the end (its length
// squared), is an error once the search has read its budget; a verdict
// after prose with many braces is still found. The budget is lowered so
// that the search would finish, with another error, if it were not
// bounded.
func TestParseVerdictOfUnfinishedObjects(t *testing.T) {
	old := verdictSearchBytes
	verdictSearchBytes = 1 << 20
	_, err := ParseVerdict(strings.Repeat(`{"a":`, 2000))
	verdictSearchBytes = old
	if err == nil || !strings.Contains(err.Error(), "too many unfinished JSON objects to search") {
		t.Fatalf("err %v", err)
	}
	v, err := ParseVerdict(strings.Repeat("func f() { return }\n", 5000) + `{"score": 1, "pass": true, "reason": "ok"}`)
	if err != nil || v != (Verdict{1, true, "ok"}) {
		t.Fatalf("got %+v, %v", v, err)
	}
}
