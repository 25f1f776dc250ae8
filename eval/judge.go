package eval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"whet/assets"
	"whet/prompt"
	"whet/report"
	"whet/runner"
)

// Chatter is what a judge needs of a provider: one chat call. Every
// runner.Provider is one.
type Chatter interface {
	Chat(ctx context.Context, req runner.Request, onDelta func(string)) (runner.Response, error)
}

// JudgeResolver resolves a judge target spec ("openai:gpt-4o-mini", an
// alias, …) to the provider that serves it and the model name to send.
// It does not retry: a caller that wants retries on 429/5xx wraps the
// Chatter it returns.
type JudgeResolver func(spec string) (Chatter, string, error)

// Verdict is a judge's answer: the JSON object
// {"score": 0..1, "pass": bool, "reason": "..."}.
type Verdict struct {
	Score  float64
	Pass   bool
	Reason string
}

// ParseVerdict reads a judge's answer strictly. The JSON object may stand
// alone, sit in a ```json fence, or follow some prose; the first object in
// the text holding any of the three fields is the verdict, and it must hold
// all of them with the right types: "score" a number in [0,1], "pass" a
// boolean, "reason" a string. Anything else is an error saying what is
// wrong.
func ParseVerdict(text string) (Verdict, error) {
	obj, err := verdictObject(text)
	if err != nil {
		return Verdict{}, err
	}
	var v Verdict
	var problems []string
	if raw, ok := obj["score"]; !ok {
		problems = append(problems, `"score" is missing`)
	} else if err := json.Unmarshal(raw, &v.Score); err != nil {
		problems = append(problems, fmt.Sprintf(`"score" must be a number, got %s`, clip(string(raw), 40)))
	} else if math.IsNaN(v.Score) || v.Score < 0 || v.Score > 1 {
		problems = append(problems, fmt.Sprintf(`"score" must be in [0,1], got %s`, fnum(v.Score)))
	}
	if raw, ok := obj["pass"]; !ok {
		problems = append(problems, `"pass" is missing`)
	} else if err := json.Unmarshal(raw, &v.Pass); err != nil {
		problems = append(problems, fmt.Sprintf(`"pass" must be true or false, got %s`, clip(string(raw), 40)))
	}
	if raw, ok := obj["reason"]; !ok {
		problems = append(problems, `"reason" is missing`)
	} else if err := json.Unmarshal(raw, &v.Reason); err != nil {
		problems = append(problems, fmt.Sprintf(`"reason" must be a string, got %s`, clip(string(raw), 40)))
	}
	if len(problems) > 0 {
		return Verdict{}, errors.New(strings.Join(problems, "; "))
	}
	v.Reason = strings.TrimSpace(v.Reason)
	return v, nil
}

// verdictSearchBytes bounds the reading verdictObject does: every '{' of
// an answer is tried as an object's start, and an answer of unclosed
// objects ({"a": {"a": …) would be read to its end from each one, its
// length squared (80 KB: half a minute). A variable for the tests.
var verdictSearchBytes = 8 << 20

// verdictObject finds the verdict's JSON object in text.
func verdictObject(text string) (map[string]json.RawMessage, error) {
	candidates := []string{}
	if body, ok := fenced(text); ok {
		candidates = append(candidates, body)
	}
	candidates = append(candidates, text)
	sawObject := false
	read := &countingReader{}
	for _, c := range candidates {
		for i := 0; i < len(c); i++ {
			if c[i] != '{' {
				continue
			}
			if read.n > verdictSearchBytes {
				return nil, fmt.Errorf("no verdict found: the %d-byte answer holds too many unfinished JSON objects to search", len(text))
			}
			read.r = strings.NewReader(c[i:])
			dec := json.NewDecoder(read)
			var obj map[string]json.RawMessage
			if err := dec.Decode(&obj); err != nil {
				continue
			}
			sawObject = true
			_, s := obj["score"]
			_, p := obj["pass"]
			_, r := obj["reason"]
			if s || p || r {
				return obj, nil
			}
			i += int(dec.InputOffset()) - 1
		}
	}
	if sawObject {
		return nil, errors.New(`no JSON object with "score", "pass" and "reason"`)
	}
	return nil, errors.New("no JSON object in the answer")
}

// countingReader counts the bytes read through it, over every reader it
// is given.
type countingReader struct {
	r *strings.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// fenced returns the body of the first ``` fenced block in text.
func fenced(text string) (string, bool) {
	start := strings.Index(text, "```")
	if start < 0 {
		return "", false
	}
	rest := text[start+3:]
	nl := strings.IndexByte(rest, '\n')
	if nl < 0 {
		return "", false
	}
	rest = rest[nl+1:]
	end := strings.Index(rest, "```")
	if end < 0 {
		return "", false
	}
	return rest[:end], true
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// judgeTemplate names the shipped template of each model-graded type.
func judgeTemplate(base string) string {
	switch base {
	case TypeClosedQA:
		return "model-graded-closedqa"
	case TypeFactuality:
		return "factuality"
	}
	return "llm-rubric"
}

// loadTemplate reads and parses a judge template.
func (e *Evaluator) loadTemplate(name string) (prompt.File, error) {
	read := e.ReadTemplate
	if read == nil {
		read = func(n string) ([]byte, error) { return assets.ReadFile("judge/" + n + ".md") }
	}
	data, err := read(name)
	if err != nil {
		return prompt.File{}, fmt.Errorf("judge template %s: %w", name, err)
	}
	f, err := prompt.ParseFile("judge/"+name+".md", data)
	if err != nil {
		return prompt.File{}, fmt.Errorf("judge template: %w", err)
	}
	return f, nil
}

// judgeVerdict is a verdict with where it came from.
type judgeVerdict struct {
	Verdict
	target   string // the spec asked
	identity string // spec (model digest)
	cached   bool
}

// corrective is the follow-up sent once after a malformed answer.
func corrective(problem error) string {
	return fmt.Sprintf("Your answer could not be used: %v. Answer again with only one JSON object and nothing else: "+
		`{"reason": "<one or two sentences>", "pass": <true or false>, "score": <a number from 0.0 to 1.0>}`, problem)
}

// judge asks the judge about one output. task is what the output answers.
func (e *Evaluator) judge(ctx context.Context, s *spec, task, output string) (judgeVerdict, error) {
	target, chat, model, err := e.resolveJudge(s.check, s.index)
	if err != nil {
		return judgeVerdict{}, err
	}
	f, err := e.loadTemplate(judgeTemplate(s.base))
	if err != nil {
		return judgeVerdict{}, err
	}
	data := map[string]string{"output": output, "input": task}
	switch s.base {
	case TypeLLMRubric:
		data["rubric"] = s.str
	case TypeClosedQA:
		data["criteria"] = s.str
	case TypeFactuality:
		data["ideal"] = s.str
	}
	msgs, err := prompt.RenderMessages(f.Messages, data)
	if err != nil {
		return judgeVerdict{}, fmt.Errorf("judge template %s: %w", judgeTemplate(s.base), err)
	}
	params := f.Params
	zero := 0.0
	params.Temperature = &zero
	req := runner.Request{Model: model, Messages: msgs, Params: params}

	keyTarget := target
	if n, ok := chat.(interface{ Name() string }); ok && model != "" {
		keyTarget = n.Name() + ":" + model
	}
	key := runner.CacheKey(keyTarget, msgs, params, 0)
	if e.Cache != nil {
		if hit, ok, err := e.Cache.CacheGet(ctx, key); err == nil && ok {
			if v, err := ParseVerdict(hit.Output); err == nil {
				return judgeVerdict{Verdict: v, target: target, identity: judgeIdentity(target, hit.Model, hit.ModelDigest), cached: true}, nil
			}
		}
	}

	resp, err := chat.Chat(ctx, req, func(string) {})
	if err != nil {
		return judgeVerdict{}, fmt.Errorf("judge %s: %w", target, err)
	}
	v, perr := ParseVerdict(resp.Text)
	if perr != nil {
		retry := req
		retry.Messages = append(slices.Clone(msgs),
			prompt.Message{Role: prompt.RoleAssistant, Content: resp.Text},
			prompt.Message{Role: prompt.RoleUser, Content: corrective(perr)})
		resp, err = chat.Chat(ctx, retry, func(string) {})
		if err != nil {
			return judgeVerdict{}, fmt.Errorf("judge %s (retry after a malformed answer: %v): %w", target, perr, err)
		}
		if v, perr = ParseVerdict(resp.Text); perr != nil {
			return judgeVerdict{}, fmt.Errorf("judge %s gave no usable verdict, twice: %v; its answer: %q", target, perr, clip(strings.TrimSpace(resp.Text), 200))
		}
	}
	if e.Cache != nil {
		_ = e.Cache.CachePut(ctx, key, prompt.Result{
			Target: keyTarget, Output: resp.Text, FinishReason: resp.FinishReason,
			TokensIn: resp.TokensIn, TokensOut: resp.TokensOut, Latency: resp.Latency,
			Model: resp.Model, ModelDigest: resp.ModelDigest,
		}) // a cache that cannot store only costs a repeat call
	}
	return judgeVerdict{Verdict: v, target: target, identity: judgeIdentity(target, resp.Model, resp.ModelDigest)}, nil
}

// resolveJudge finds the judge of check c (at index i): its provider, else
// the default judge target. Its errors are *CheckError on the provider
// field. It calls no model.
func (e *Evaluator) resolveJudge(c prompt.Check, i int) (target string, chat Chatter, model string, err error) {
	target = strings.TrimSpace(c.Provider)
	if target == "" {
		target = strings.TrimSpace(e.JudgeTarget)
	}
	if target == "" {
		return "", nil, "", errf(c, i, "provider", "no judge target: set the check's provider or the default judge target")
	}
	if e.Judge == nil {
		return "", nil, "", errf(c, i, "provider", "no judge is configured to resolve %q", target)
	}
	chat, model, err = e.Judge(target)
	if err != nil {
		return "", nil, "", errf(c, i, "provider", "judge %q: %v", target, err)
	}
	if _, echo := chat.(*runner.Echo); echo {
		// Its answer would be the judge's own prompt, whose examples
		// parse as a verdict: every output would get the same grade.
		return "", nil, "", errf(c, i, "provider", "judge %q: echo answers with the prompt it is sent, so it cannot grade; name a model (e.g. openai:gpt-4o-mini)", target)
	}
	return target, chat, model, nil
}

// judgeIdentity is "spec (model digest)", with what the provider reported.
func judgeIdentity(target, model, digest string) string {
	var parts []string
	if model != "" {
		parts = append(parts, model)
	}
	if digest != "" {
		parts = append(parts, report.ShortDigest(digest))
	}
	if len(parts) == 0 {
		return target
	}
	return target + " (" + strings.Join(parts, " ") + ")"
}
