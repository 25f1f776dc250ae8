package eval

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"whet/prompt"
)

// FuzzParseVerdict: a judge's answer, whatever it says, is a verdict with
// a score in [0,1] and a trimmed reason, or an error saying what is wrong;
// a verdict written as JSON alone reads back as itself.
func FuzzParseVerdict(f *testing.F) {
	for _, s := range []string{
		`{"score": 1, "pass": true, "reason": " fine "}`,
		"```json\n{\"score\": 0.5, \"pass\": false, \"reason\": \"meh\"}\n```",
		`Thinking: {"note": 1} then {"score": 0.25, "pass": false, "reason": "r", "choice": "D"}`,
		`{"note": 1}`,
		`{"score": "0.5", "pass": true, "reason": "r"}`,
		`{"score": -0.1, "pass": true, "reason": "r"}`,
		`{"score": 1e400, "pass": true, "reason": "r"}`,
		`{"score": 1, "pass": 1, "reason": "r"}`,
		`{"score": 1, "pass": true, "reason": 5}`,
		`{"score": 1}`,
		"```\n{\"score\": 1,",
		`{"reason": "ok", "pass": "yes", "score": 1}`,
		"{{{{",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		v, err := ParseVerdict(text)
		if err != nil {
			if err.Error() == "" || v != (Verdict{}) {
				t.Fatalf("error %q with verdict %+v", err, v)
			}
			return
		}
		if math.IsNaN(v.Score) || v.Score < 0 || v.Score > 1 || v.Reason != strings.TrimSpace(v.Reason) {
			t.Fatalf("verdict %+v", v)
		}
		b, _ := json.Marshal(map[string]any{"score": v.Score, "pass": v.Pass, "reason": v.Reason})
		if w, err := ParseVerdict(string(b)); err != nil || w != v {
			t.Fatalf("%+v written as %s reads back as %+v, %v", v, b, w, err)
		}
	})
}

// FuzzLocalChecks: every check that needs no model, and its not- form,
// grades any output within its time and never panics; when the check's
// value is replaced by the fuzzer's text (a pattern, a schema, a list),
// the check is graded or is an error, never both. A graded outcome scores
// 1 for a pass and 0 for a fail, the negated check the opposite, and
// states a reason.
func FuzzLocalChecks(f *testing.F) {
	rows := checkRows()
	for i, row := range rows {
		value, _ := row.check.Value.(string)
		f.Add(uint8(i), false, row.out, value)
		if value != "" {
			f.Add(uint8(i), true, row.out, value)
		}
	}
	f.Add(uint8(0), false, "\xff\xfe{\"a\":", "")
	e := &Evaluator{}
	f.Fuzz(func(t *testing.T, pick uint8, replace bool, out, value string) {
		row := rows[int(pick)%len(rows)]
		chk := row.check
		if replace {
			chk.Value = value
		}
		r := prompt.Result{Output: out}
		if row.result != nil {
			row.result(&r)
		}
		neg := chk
		neg.Type = "not-" + chk.Type
		cr := e.Evaluate(context.Background(), prompt.Case{Name: "c1", Vars: row.vars}, []prompt.Check{chk, neg}, nil, r)
		if len(cr.Outcomes) != 2 {
			t.Fatalf("%d outcomes (err %v)", len(cr.Outcomes), cr.Err)
		}
		o, n := cr.Outcomes[0], cr.Outcomes[1]
		if (o.Err == nil) != (n.Err == nil) {
			t.Fatalf("%s: error %v, its negation's %v", chk.Type, o.Err, n.Err)
		}
		if o.Err != nil {
			if o.Pass || n.Pass || cr.Pass || cr.Err == nil {
				t.Fatalf("%s: an error that passes: %+v", chk.Type, cr)
			}
			return
		}
		if o.Score != b2f(o.Pass) || n.Score != b2f(n.Pass) || o.Pass == n.Pass || o.Reason == "" || n.Reason == "" {
			t.Fatalf("%s on %q: %+v, negated %+v", chk.Type, out, o, n)
		}
		if cr.Pass || cr.Score != 0.5 {
			t.Fatalf("a check and its negation: case %+v", cr)
		}
		switch chk.Type {
		case TypeIsJSON:
			if o.Pass && !json.Valid([]byte(out)) {
				t.Fatalf("is-json passes %q", out)
			}
		case TypeContainsJSON:
			if o.Pass && !strings.ContainsAny(out, "{[") {
				t.Fatalf("contains-json passes %q", out)
			}
		case TypeStartsWith:
			if s, ok := chk.Value.(string); ok && o.Pass != strings.HasPrefix(out, s) && !strings.Contains(s, "{{") {
				t.Fatalf("starts-with %q on %q: %v", s, out, o.Pass)
			}
		}
	})
}
