package cli

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	ghtml "github.com/yuin/goldmark/renderer/html"

	"whet/eval"
	"whet/prompt"
	"whet/report"
	"whet/textutil"
)

// TestGateMarkdownUntrustedText renders the CI summary of a run whose
// failing case carries hostile text in its name and in the check's reason
// (which quotes the model's output), and checks that the GitHub-flavoured
// Markdown shows that text literally, in its own cells, with no control
// character left and no HTML or emphasis injected.
func TestGateMarkdownUntrustedText(t *testing.T) {
	const (
		caseName = "a | b *c*"
		reason   = "wanted `x|y` \\| <img src=x onerror=alert(1)> **bold** [l](http://e.example) \x1b]52;c;ZXZpbA==\x07\u202eend\nsecond line"
		target   = "openai:gpt|4o"
	)
	rv := prompt.RunVersion{VersionID: 1, Prompt: "classify", Number: 2}
	rr := report.RunReport{
		Run: prompt.Run{ID: "r1", Suite: "tickets_*v2*", Versions: []prompt.RunVersion{rv}, Targets: []string{target},
			Cases: []prompt.Case{{Name: caseName}}, Repeat: 1},
		Results: []prompt.Result{{ID: 7, VersionID: 1, Target: target, Output: "x"}},
		Scores:  []prompt.Score{{ID: 1, ResultID: 7, Scorer: eval.ScorerSuite, Pass: new(false), Reason: reason}},
	}
	groups := []eval.Group{{Version: rv, Target: target, N: 1, Judged: 1}}
	var b bytes.Buffer
	if err := writeGateMarkdown(&b, rr, groups, 0.9, nil); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, r := range md {
		if r != '\n' && textutil.IsControl(r) {
			t.Fatalf("summary holds control character %U:\n%q", r, md)
		}
	}
	var out bytes.Buffer
	gm := goldmark.New(goldmark.WithExtensions(extension.Table), goldmark.WithRendererOptions(ghtml.WithUnsafe()))
	if err := gm.Convert([]byte(md), &out); err != nil {
		t.Fatal(err)
	}
	h := out.String()
	for _, bad := range []string{"<img", "<strong>bold", "<em>", "<a "} {
		if strings.Contains(h, bad) {
			t.Errorf("rendered summary holds injected %s:\n%s", bad, h)
		}
	}
	if !strings.Contains(h, "<h2>whet: tickets_*v2*</h2>") {
		t.Errorf("suite name not shown literally:\n%s", h)
	}
	rows := regexp.MustCompile(`(?s)<tr>(.*?)</tr>`).FindAllStringSubmatch(h, -1)
	cell := regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`)
	var failing []string
	for _, r := range rows {
		if cs := cell.FindAllStringSubmatch(r[1], -1); len(cs) == 5 {
			for _, c := range cs {
				failing = append(failing, c[1])
			}
		}
	}
	if len(failing) != 5 {
		t.Fatalf("no failing-case row of 5 cells:\n%s", h)
	}
	want := []string{"<code>classify@2</code>", "<code>" + target + "</code>", caseName, "1",
		"wanted `x|y` \\| <img src=x onerror=alert(1)> **bold** [l](http://e.example) end second line"} // the reason whole
	for i, w := range want {
		got := failing[i]
		if strings.HasPrefix(w, "<code>") {
			got = "<code>" + html.UnescapeString(strings.TrimSuffix(strings.TrimPrefix(got, "<code>"), "</code>")) + "</code>"
		} else {
			got = html.UnescapeString(got)
		}
		if got != w {
			t.Errorf("failing row cell %d shows %q, want %q", i, got, w)
		}
	}
}

// The gate's bar is written as given, not rounded to a whole percent: a
// pass rate of 92.4% fails a bar of 0.925, and the summary must not say
// the bar was 92%.
func TestGateMarkdownBarAsGiven(t *testing.T) {
	rv := prompt.RunVersion{VersionID: 1, Prompt: "classify", Number: 2}
	rr := report.RunReport{Run: prompt.Run{ID: "r1", Suite: "tickets", Versions: []prompt.RunVersion{rv}, Targets: []string{"echo"}, Repeat: 1}}
	lo, hi := report.Wilson(924, 1000, report.Z95)
	groups := []eval.Group{{Version: rv, Target: "echo", N: 1000, Judged: 1000, Passed: 924, PassRate: 0.924, PassLo: lo, PassHi: hi, Cost: 0.000017}}
	var b bytes.Buffer
	if err := writeGateMarkdown(&b, rr, groups, 0.925, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "gate: pass rate ≥ 92.5% · **❌ fail**") {
		t.Errorf("summary does not state the bar as given:\n%s", b.String())
	}
	// The cost as every report writes it, not rounded to nothing.
	if !strings.Contains(b.String(), " | 0.000017 | ❌ |") {
		t.Errorf("summary does not give the cost to the millionth:\n%s", b.String())
	}
	if got := gateLine(groups[0], 0.925); got != "gate: classify@2 × echo pass rate 92.4% (924 of 1000 graded cells, 95% CI 90.6–93.9%) is 0.1 points below 92.5%" {
		t.Errorf("gate line: %s", got)
	}
}

// A version × target with nothing graded shows no pass rate rather than 0%.
func TestGateMarkdownNothingGraded(t *testing.T) {
	rv := prompt.RunVersion{VersionID: 1, Prompt: "classify", Number: 2}
	rr := report.RunReport{Run: prompt.Run{ID: "r1", Suite: "tickets", Versions: []prompt.RunVersion{rv}, Targets: []string{"echo"}, Repeat: 1}}
	groups := []eval.Group{{Version: rv, Target: "echo", N: 3, PassLo: 0, PassHi: 1}}
	var b bytes.Buffer
	if err := writeGateMarkdown(&b, rr, groups, 0.9, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| `classify@2` | `echo` | 0 | — | — | — | 0 |") {
		t.Errorf("nothing graded reads as a figure:\n%s", b.String())
	}
}

func TestFmtDurNeverZero(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "—", 2 * time.Microsecond: "<1 ms", 105 * time.Millisecond: "105 ms", 1500 * time.Millisecond: "1.50 s"} {
		if got := fmtDur(d); got != want {
			t.Errorf("fmtDur(%v) = %q, want %q", d, got, want)
		}
	}
}

// With repeats, the pass lines, the gate line and the gate's summary give
// the interval Aggregate computes over cases, and say that it is over
// cases: 10 cases × 3 identical repeats, 6 cases passing, is the interval
// of 6 of 10.
func TestPassIntervalsOverCases(t *testing.T) {
	rv := prompt.RunVersion{VersionID: 1, Prompt: "classify", Number: 2}
	run := prompt.Run{ID: "r1", Suite: "tickets", Versions: []prompt.RunVersion{rv}, Targets: []string{"echo"}, Repeat: 3}
	var results []prompt.Result
	var scores []prompt.Score
	for c := range 10 {
		for r := range 3 {
			id := int64(len(results) + 1)
			pass := c < 6
			results = append(results, prompt.Result{ID: id, VersionID: 1, Target: "echo", Case: c, Repeat: r, Output: "x"})
			scores = append(scores, prompt.Score{ID: id, ResultID: id, Scorer: eval.ScorerSuite, Value: map[bool]float64{true: 1}[pass], Pass: &pass})
		}
	}
	groups := eval.Aggregate(results, scores, run)
	lo, hi := report.Wilson(6, 10, report.Z95)
	want := fmt.Sprintf("60.0%% (18 of 30 graded cells, 95%% CI %.1f–%.1f%% over 10 cases)", 100*lo, 100*hi)

	var b bytes.Buffer
	writePassLines(&b, groups, nil)
	if !strings.Contains(b.String(), "classify@2 × echo: pass "+want+", mean score 0.600") {
		t.Errorf("pass line: %s\nwant the pass rate %s", b.String(), want)
	}
	if got := gateLine(groups[0], 0.9); got != "gate: classify@2 × echo pass rate "+want+" is 30.0 points below 90%" {
		t.Errorf("gate line: %s\nwant the pass rate %s", got, want)
	}
	b.Reset()
	if err := writeGateMarkdown(&b, report.RunReport{Run: run, Results: results, Scores: scores}, groups, 0.9, nil); err != nil {
		t.Fatal(err)
	}
	if md := b.String(); !strings.Contains(md, fmt.Sprintf("| 60.0%% | %.1f–%.1f%% |", 100*lo, 100*hi)) || !strings.Contains(md, "The 95% CI is over cases") {
		t.Errorf("summary lacks the interval over cases:\n%s", md)
	}
}

// A failed call graded as a fail is said in the pass line, the gate line
// and the gate's summary: it fails the gate, but is not a wrong answer.
func TestPassTextSaysFailedCalls(t *testing.T) {
	rv := prompt.RunVersion{VersionID: 1, Prompt: "classify", Number: 2}
	run := prompt.Run{ID: "r1", Suite: "tickets", Versions: []prompt.RunVersion{rv}, Targets: []string{"echo"}, Repeat: 1}
	var results []prompt.Result
	var scores []prompt.Score
	for c := range 4 {
		id := int64(c + 1)
		r := prompt.Result{ID: id, VersionID: 1, Target: "echo", Case: c, Output: "x"}
		pass := c > 0
		if c < 2 {
			r.Output, r.Error, r.FinishReason, pass = "", "HTTP 500", "error", false
		}
		results = append(results, r)
		scores = append(scores, prompt.Score{ID: id, ResultID: id, Scorer: eval.ScorerSuite, Value: map[bool]float64{true: 1}[pass], Pass: &pass})
	}
	groups := eval.Aggregate(results, scores, run)
	if groups[0].FailedJudged != 2 || groups[0].Judged != 4 {
		t.Fatalf("group %+v", groups[0])
	}
	if got := passText(groups[0]); !strings.HasPrefix(got, "50.0% (2 of 4 graded cells, counting 2 failed calls as fails, 95% CI ") {
		t.Errorf("pass text %q", got)
	}
	groups[0].FailedJudged = 1
	if got := passText(groups[0]); !strings.Contains(got, ", counting 1 failed call as a fail, 95% CI ") {
		t.Errorf("pass text %q", got)
	}
	groups[0].FailedJudged = 2
	var b bytes.Buffer
	if err := writeGateMarkdown(&b, report.RunReport{Run: run, Results: results, Scores: scores}, groups, 0.9, nil); err != nil {
		t.Fatal(err)
	}
	if want := "*A failed call is a failing cell here (2 of the graded cells; see Errors).*"; !strings.Contains(b.String(), want) {
		t.Errorf("summary lacks %q:\n%s", want, b.String())
	}
}

// A pass rate just below the bar is not rounded up to it: 1800 of 2001
// cells is 89.955% (Python: 100*1800/2001 = 89.95502), which one decimal
// writes "90.0%", beside "below 90%" and a ❌; it falls 0.045 points short.
func TestGateRateJustBelowTheBar(t *testing.T) {
	rv := prompt.RunVersion{VersionID: 1, Prompt: "classify", Number: 2}
	run := prompt.Run{ID: "r1", Suite: "tickets", Versions: []prompt.RunVersion{rv}, Targets: []string{"echo"}, Repeat: 1}
	var results []prompt.Result
	var scores []prompt.Score
	for c := range 2001 {
		id := int64(c + 1)
		pass := c < 1800
		results = append(results, prompt.Result{ID: id, VersionID: 1, Target: "echo", Case: c, Output: "x"})
		scores = append(scores, prompt.Score{ID: id, ResultID: id, Scorer: eval.ScorerSuite, Value: map[bool]float64{true: 1}[pass], Pass: &pass})
	}
	groups := eval.Aggregate(results, scores, run)
	got := gateLine(groups[0], 0.9)
	if !strings.HasPrefix(got, "gate: classify@2 × echo pass rate 89.96% (1800 of 2001 graded cells, 95% CI ") || !strings.HasSuffix(got, ") is 0.04 points below 90%") {
		t.Errorf("gate line %q", got)
	}
	var b bytes.Buffer
	if err := writeGateMarkdown(&b, report.RunReport{Run: run, Results: results, Scores: scores}, groups, 0.9, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| 2001 | 89.96% |") {
		t.Errorf("summary lacks the rate 89.96%%:\n%s", b.String())
	}
	// Away from the bar, or without one, one decimal as before.
	if got := passText(groups[0]); !strings.HasPrefix(got, "90.0% (1800 of 2001") {
		t.Errorf("pass text %q", got)
	}
}

// Repeats whose every call failed have no output to compare: the pass
// line says so rather than "0% identical outputs", which would read as
// answers that all differ. A case with one output left has nothing to
// agree with: it is not 100% identical either.
func TestRepeatsTextWithoutOutputs(t *testing.T) {
	rv := prompt.RunVersion{VersionID: 1, Prompt: "classify", Number: 2}
	run := prompt.Run{ID: "r1", Suite: "tickets", Versions: []prompt.RunVersion{rv}, Targets: []string{"echo"}, Repeat: 2}
	var results []prompt.Result
	var scores []prompt.Score
	for c := range 2 {
		for r := range 2 {
			id := int64(len(results) + 1)
			fail := false
			results = append(results, prompt.Result{ID: id, VersionID: 1, Target: "echo", Case: c, Repeat: r, Error: "HTTP 400", FinishReason: "error"})
			scores = append(scores, prompt.Score{ID: id, ResultID: id, Scorer: eval.ScorerSuite, Value: 0, Pass: &fail})
		}
	}
	groups := eval.Aggregate(results, scores, run)
	got := repeatsText(groups[0])
	if want := "; over 2 repeats: no case has two outputs to compare, every repeat passed in 0 of 2 cases (pass^2)"; got != want {
		t.Errorf("repeats text %q, want %q", got, want)
	}

	// Case 0 answers "a" and "b" (50% alike), case 1 "c" once, its other
	// call failed: 50% over the one case with two outputs, not
	// (0.5 + 1)/2 = 75% with the lone output as agreeing with itself. Once
	// case 1 answers "c" twice: (0.5 + 1)/2 = 75%.
	pass := true
	results[0].Error, results[0].FinishReason, results[0].Output = "", "stop", "a"
	results[1].Error, results[1].FinishReason, results[1].Output = "", "stop", "b"
	results[2].Error, results[2].FinishReason, results[2].Output = "", "stop", "c"
	for i := range 3 {
		scores[i].Pass, scores[i].Value = &pass, 1
	}
	groups = eval.Aggregate(results, scores, run)
	if got, want := repeatsText(groups[0]), "; over 2 repeats: 50% identical outputs, every repeat passed in 1 of 2 cases (pass^2)"; got != want {
		t.Errorf("one lone output: %q, want %q", got, want)
	}
	results[3].Error, results[3].FinishReason, results[3].Output = "", "stop", "c"
	scores[3].Pass, scores[3].Value = &pass, 1
	groups = eval.Aggregate(results, scores, run)
	if got, want := repeatsText(groups[0]), "; over 2 repeats: 75% identical outputs, every repeat passed in 2 of 2 cases (pass^2)"; got != want {
		t.Errorf("two cases: %q, want %q", got, want)
	}
}

// With several targets the gate's summary gives each A/B sign test's
// p-value adjusted for the targets tested (Holm), and says a difference
// significant only unadjusted is not.
func TestGateABAdjustsForTargets(t *testing.T) {
	v1 := prompt.RunVersion{VersionID: 1, Prompt: "classify", Number: 1}
	v2 := prompt.RunVersion{VersionID: 2, Prompt: "classify", Number: 2}
	run := prompt.Run{ID: "r1", Suite: "tickets", Versions: []prompt.RunVersion{v1, v2}, Targets: []string{"a", "b"}, Repeat: 1}
	var results []prompt.Result
	var scores []prompt.Score
	add := func(v int64, target string, c int, score float64) {
		id := int64(len(results) + 1)
		results = append(results, prompt.Result{ID: id, VersionID: v, Target: target, Case: c, Output: "x"})
		pass := score >= 0.5
		scores = append(scores, prompt.Score{ID: id, ResultID: id, Scorer: eval.ScorerSuite, Value: score, Pass: &pass})
	}
	// On a, v2 wins 7 of 7 cases (p = 0.016); on b, 6 of 6 (p = 0.031):
	// both hold once adjusted.
	for c := range 7 {
		add(1, "a", c, 0.2)
		add(2, "a", c, 0.9)
	}
	for c := range 6 {
		add(1, "b", c, 0.2)
		add(2, "b", c, 0.9)
	}
	var b strings.Builder
	writeGateAB(&b, report.RunReport{Run: run, Results: results, Scores: scores})
	md := b.String()
	for _, want := range []string{
		"classify@2 beats classify@1 on 7 of 7 cases, p = 0.016; adjusted for the 2 targets (Holm), p = 0.031\n",
		"classify@2 beats classify@1 on 6 of 6 cases, p = 0.031; adjusted for the 2 targets (Holm), p = 0.031\n",
		"*2 sign tests made together: a difference is significant when its p-value adjusted for them (Holm's method) is below 0.05",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary lacks %q:\n%s", want, md)
		}
	}
	// Two targets of 6 of 6 each: p = 0.031 alone, 0.0625 adjusted, which
	// six cases can never get under 0.05 together.
	b.Reset()
	writeGateAB(&b, report.RunReport{Run: run, Results: results[2:], Scores: scores[2:]})
	if want := "on 6 of 6 cases, p = 0.031 (6 decided cases cannot reach p &lt; 0.05 adjusted for 2 tests: the sign test needs 7); adjusted for the 2 targets (Holm), p = 0.063, not significant\n"; strings.Count(b.String(), want) != 2 {
		t.Errorf("summary lacks twice %q:\n%s", want, b.String())
	}
	// a as before (7 of 7, p = 2·0.5^7 = 0.016); on b v2 wins 5 of 6
	// (p = 2·(1+6)/64 = 0.22). Six cases all one way on b would have been
	// significant beside a (Holm: 2 × 0.016, then 1 × 0.031), as above,
	// so b is not said to have too few cases.
	b.Reset()
	bres := append([]prompt.Result(nil), results...)
	bsc := append([]prompt.Score(nil), scores...)
	for i := range bres {
		if bres[i].Target == "b" && bres[i].Case == 0 {
			v := map[int64]float64{1: 0.9, 2: 0.2}[bres[i].VersionID]
			bsc[i].Value = v
		}
	}
	writeGateAB(&b, report.RunReport{Run: run, Results: bres, Scores: bsc})
	if want := "no significant difference: classify@2 wins 5 of 6 cases, p = 0.22; adjusted for the 2 targets (Holm), p = 0.22\n"; !strings.Contains(b.String(), want) {
		t.Errorf("summary lacks %q:\n%s", want, b.String())
	}
	// One target: no adjustment to speak of.
	run.Targets = []string{"a"}
	b.Reset()
	writeGateAB(&b, report.RunReport{Run: run, Results: results[:14], Scores: scores[:14]})
	if strings.Contains(b.String(), "Holm") {
		t.Errorf("one target adjusted:\n%s", b.String())
	}
}

// The failing cases of the gate's summary are the results that fail as
// every statistic reads them: a person's pass takes a result off the list,
// a person's fail puts one on it with their note; and a suite's reason is
// given whole, so a check failing after a judge's two-line reason shows.
func TestFailingCasesReadVerdictsAsTheStatistics(t *testing.T) {
	rv := prompt.RunVersion{VersionID: 1, Prompt: "classify", Number: 2}
	run := prompt.Run{ID: "r1", Suite: "tickets", Versions: []prompt.RunVersion{rv}, Targets: []string{"echo"}, Repeat: 1,
		Cases: []prompt.Case{{Name: "a"}, {Name: "b"}, {Name: "c"}}}
	yes, no := true, false
	rr := report.RunReport{Run: run, Results: []prompt.Result{
		{ID: 1, VersionID: 1, Target: "echo", Case: 0, Output: "x"},
		{ID: 2, VersionID: 1, Target: "echo", Case: 1, Output: "x"},
		{ID: 3, VersionID: 1, Target: "echo", Case: 2, Output: "x"},
	}, Scores: []prompt.Score{
		{ID: 1, ResultID: 1, Scorer: eval.ScorerSuite, Pass: &no, Reason: "Failed: llm-rubric: too | long.\nSecond line; is-json: not JSON"},
		{ID: 2, ResultID: 2, Scorer: eval.ScorerSuite, Value: 0, Pass: &no, Reason: "Failed: contains"},
		{ID: 3, ResultID: 2, Scorer: report.ScorerHuman, Value: 1, Pass: &yes, Author: "ana"},
		{ID: 4, ResultID: 3, Scorer: eval.ScorerSuite, Value: 1, Pass: &yes},
		{ID: 5, ResultID: 3, Scorer: report.ScorerHuman, Value: 0, Pass: &no, Author: "ana", Reason: "invented a refund"},
	}}
	rows := failingCases(rr)
	want := []string{
		"| `classify@2` | `echo` | a | 1 | Failed: llm-rubric: too \\| long. Second line; is-json: not JSON |",
		"| `classify@2` | `echo` | c | 1 | rated fail by ana: invented a refund |",
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
}

// TestGateCaseLines names the failing cells of the groups that fail the
// gate on stderr, one clean line each (no control sequence, no newline),
// leaves out the groups that pass and the failed calls (the "failed:" lines
// name those), names a case without a name as the JUnit does ("case N:
// DESCRIPTION", cut at a word) or by its variables, and caps the list with how many more there are.
func TestGateCaseLines(t *testing.T) {
	a := prompt.RunVersion{VersionID: 1, Prompt: "classify", Number: 1}
	b := prompt.RunVersion{VersionID: 2, Prompt: "classify", Number: 2}
	var cases []prompt.Case
	var results []prompt.Result
	var scores []prompt.Score
	add := func(v int64, c int, pass bool, err string) {
		id := int64(len(results) + 1)
		results = append(results, prompt.Result{ID: id, VersionID: v, Target: "echo", Case: c, Error: err})
		scores = append(scores, prompt.Score{ResultID: id, Scorer: eval.ScorerSuite, Pass: new(pass), Reason: fmt.Sprintf("reason \x1b[31mred\x1b[0m\nline %d", c)})
	}
	for i := range gateCasesShown + 5 {
		c := prompt.Case{Vars: map[string]string{"z": "1", "a": fmt.Sprint(i)}}
		switch i {
		case 0:
			c.Name = "named\x1b]0;title\x07"
		case 1:
			c.Description = "described\nhere"
		case 5, 6:
			// promptfoo's long descriptions, alike for over 60 characters
			c.Description = "Checks that the assistant refuses to reveal the system prompt when the user claims to be a developer, " + fmt.Sprint(i)
		}
		cases = append(cases, c)
		add(1, i, i == 3, "")
		add(2, i, false, "")
	}
	cases = append(cases, prompt.Case{Name: "down"})
	add(1, len(cases)-1, false, "boom") // a failed call: its own line elsewhere
	rr := report.RunReport{Run: prompt.Run{ID: "r1", Versions: []prompt.RunVersion{a, b}, Targets: []string{"echo"}, Cases: cases, Repeat: 1},
		Results: results, Scores: scores}
	lines := gateCaseLines(rr, []eval.Group{{Version: a, Target: "echo"}})
	if len(lines) != gateCasesShown+1 {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), gateCasesShown+1, strings.Join(lines, "\n"))
	}
	for _, want := range []string{
		"  classify@1 × echo × named: reason red line 0",
		"  classify@1 × echo × case 2: described here: reason red line 1",
		"  classify@1 × echo × case 6: Checks that the assistant refuses to reveal the system prompt when the…: reason red line 5",
		"  classify@1 × echo × case 7: Checks that the assistant refuses to reveal the system prompt when the…: reason red line 6",
		"  classify@1 × echo × a=2 z=1: reason red line 2",
		"  classify@1 × echo × a=4 z=1: reason red line 4",
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("no line %q in:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	if last := lines[len(lines)-1]; last != "  … and 4 more (see --format md / junit, or whet export r1 --format md)" {
		t.Errorf("last line %q", last)
	}
	for _, l := range lines {
		if strings.Contains(l, "classify@2") || strings.Contains(l, "down") || strings.Contains(l, "a=3 ") {
			t.Errorf("line %q is not a failing cell of the failing group", l)
		}
		for _, r := range l {
			if textutil.IsControl(r) {
				t.Errorf("line %q holds control %U", l, r)
			}
		}
	}
}

// The gate's summary says when its p95 rests on fewer than 20 calls, and
// so is their slowest.
func TestGateMarkdownP95OfFewCalls(t *testing.T) {
	rv := prompt.RunVersion{VersionID: 1, Prompt: "classify", Number: 2}
	rr := report.RunReport{Run: prompt.Run{ID: "r1", Suite: "s", Versions: []prompt.RunVersion{rv}, Targets: []string{"echo"}, Repeat: 1}}
	for _, tc := range []struct {
		measured int
		want     bool
	}{{3, true}, {20, false}, {0, false}} {
		var b bytes.Buffer
		g := eval.Group{Version: rv, Target: "echo", N: 20, Judged: 20, Passed: 20, PassRate: 1, Measured: tc.measured, P95: time.Second}
		if err := writeGateMarkdown(&b, rr, []eval.Group{g}, 0.9, nil); err != nil {
			t.Fatal(err)
		}
		note := "a p95 of fewer than 20 calls (as few as 3 here) is their slowest."
		if got := strings.Contains(b.String(), note); got != tc.want {
			t.Errorf("measured %d: note shown %v:\n%s", tc.measured, got, b.String())
		}
	}
}
