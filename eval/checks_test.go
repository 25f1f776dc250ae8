package eval

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"whet/prompt"
)

func fp(f float64) *float64 { return &f }

// checkRow is one check against one result, with its expected verdict.
type checkRow struct {
	name   string
	check  prompt.Check
	out    string
	result func(*prompt.Result) // adjusts the result beyond its output
	vars   map[string]string
	pass   bool
}

func checkRows() []checkRow {
	lat := func(d time.Duration, hit bool) func(*prompt.Result) {
		return func(r *prompt.Result) { r.Latency, r.CacheHit = d, hit }
	}
	cost := func(c float64) func(*prompt.Result) { return func(r *prompt.Result) { r.Cost = c } }
	finish := func(f string) func(*prompt.Result) { return func(r *prompt.Result) { r.FinishReason = f } }
	schema := map[string]any{
		"type":       "object",
		"required":   []any{"name"},
		"properties": map[string]any{"name": map[string]any{"type": "string"}},
	}
	return []checkRow{
		{name: "equals text", check: prompt.Check{Type: "equals", Value: "Paris"}, out: "Paris", pass: true},
		{name: "equals is exact", check: prompt.Check{Type: "equals", Value: "Paris"}, out: "Paris.", pass: false},
		{name: "equals number as text", check: prompt.Check{Type: "equals", Value: 42}, out: "42", pass: true},
		{name: "equals JSON deep", check: prompt.Check{Type: "equals", Value: map[string]any{"a": 1, "b": []any{1, 2}}}, out: `{"b": [1, 2.0], "a": 1}`, pass: true},
		{name: "equals JSON differs", check: prompt.Check{Type: "equals", Value: map[string]any{"a": 1}}, out: `{"a": 2}`, pass: false},
		{name: "equals JSON not JSON", check: prompt.Check{Type: "equals", Value: map[string]any{"a": 1}}, out: `a: 1`, pass: false},
		{name: "equals renders vars", check: prompt.Check{Type: "equals", Value: "Hello {{name}}"}, vars: map[string]string{"name": "Ana"}, out: "Hello Ana", pass: true},

		{name: "contains", check: prompt.Check{Type: "contains", Value: "world"}, out: "hello world", pass: true},
		{name: "contains is case-sensitive", check: prompt.Check{Type: "contains", Value: "World"}, out: "hello world", pass: false},
		{name: "contains number", check: prompt.Check{Type: "contains", Value: 42}, out: "the answer is 42", pass: true},
		{name: "icontains", check: prompt.Check{Type: "icontains", Value: "WORLD"}, out: "hello world", pass: true},
		{name: "icontains missing", check: prompt.Check{Type: "icontains", Value: "mars"}, out: "hello world", pass: false},

		{name: "contains-any list", check: prompt.Check{Type: "contains-any", Value: []any{"cat", "dog"}}, out: "hot dog", pass: true},
		{name: "contains-any comma string", check: prompt.Check{Type: "contains-any", Value: "cat, bird"}, out: "hot dog", pass: false},
		{name: "contains-any quoted comma", check: prompt.Check{Type: "contains-any", Value: `"a, b", zzz`}, out: "x a, b y", pass: true},
		{name: "contains-any is case-sensitive", check: prompt.Check{Type: "contains-any", Value: []any{"DOG"}}, out: "hot dog", pass: false},
		{name: "contains-all", check: prompt.Check{Type: "contains-all", Value: []any{"hot", "dog"}}, out: "hot dog", pass: true},
		{name: "contains-all missing one", check: prompt.Check{Type: "contains-all", Value: "hot, cat"}, out: "hot dog", pass: false},
		{name: "icontains-any", check: prompt.Check{Type: "icontains-any", Value: []any{"CAT", "DOG"}}, out: "hot dog", pass: true},
		{name: "icontains-any none", check: prompt.Check{Type: "icontains-any", Value: "cat,bird"}, out: "hot dog", pass: false},
		{name: "icontains-all", check: prompt.Check{Type: "icontains-all", Value: "HOT, DOG"}, out: "hot dog", pass: true},
		{name: "icontains-all missing", check: prompt.Check{Type: "icontains-all", Value: []any{"hot", "cat"}}, out: "hot dog", pass: false},
		{name: "contains-all renders items", check: prompt.Check{Type: "contains-all", Value: []any{"{{a}}", "{{b}}"}}, vars: map[string]string{"a": "hot", "b": "dog"}, out: "hot dog", pass: true},

		{name: "starts-with", check: prompt.Check{Type: "starts-with", Value: "Dear"}, out: "Dear Ana,", pass: true},
		{name: "starts-with no trim", check: prompt.Check{Type: "starts-with", Value: "Dear"}, out: " Dear Ana,", pass: false},

		{name: "regex", check: prompt.Check{Type: "regex", Value: `^\d{3}-\d{4}$`}, out: "555-1234", pass: true},
		{name: "regex no match", check: prompt.Check{Type: "regex", Value: `^\d{3}-\d{4}$`}, out: "5551234", pass: false},
		// What only JavaScript's syntax reads, as promptfoo's new RegExp does.
		{name: "regex lookbehind", check: prompt.Check{Type: "regex", Value: `(?<=total: )\d+`}, out: "total: 42", pass: true},
		{name: "regex lookbehind no match", check: prompt.Check{Type: "regex", Value: `(?<=total: )\d+`}, out: "42", pass: false},
		{name: "regex negative lookahead", check: prompt.Check{Type: "regex", Value: `^(?!.*sorry).*$`}, out: "Here you go", pass: true},
		{name: "regex negative lookahead no match", check: prompt.Check{Type: "regex", Value: `^(?!.*sorry).*$`}, out: "I am sorry", pass: false},
		{name: "regex backreference", check: prompt.Check{Type: "regex", Value: `(\w+) \1`}, out: "it is is late", pass: true},
		{name: "regex named group", check: prompt.Check{Type: "regex", Value: `(?<year>\d{4})-(?=\d)`}, out: "2024-05", pass: true},
		{name: "regex lookahead", check: prompt.Check{Type: "regex", Value: `^(?=.*\bAI\b)`}, out: "As an AI, I cannot", pass: true},

		{name: "is-json", check: prompt.Check{Type: "is-json"}, out: ` {"a": 1} `, pass: true},
		{name: "is-json invalid", check: prompt.Check{Type: "is-json"}, out: `{a: 1}`, pass: false},
		{name: "is-json trailing text", check: prompt.Check{Type: "is-json"}, out: `{"a": 1} ok`, pass: false},
		{name: "is-json schema ok", check: prompt.Check{Type: "is-json", Value: schema}, out: `{"name": "x"}`, pass: true},
		{name: "is-json schema violated", check: prompt.Check{Type: "is-json", Value: schema}, out: `{"name": 1}`, pass: false},
		{name: "is-json schema as YAML text", check: prompt.Check{Type: "is-json", Value: "type: array\nminItems: 2"}, out: `[1, 2]`, pass: true},
		{name: "is-json schema as JSON text", check: prompt.Check{Type: "is-json", Value: `{"type": "array", "minItems": 3}`}, out: `[1, 2]`, pass: false},
		{name: "is-json draft-07 schema", check: prompt.Check{Type: "is-json", Value: map[string]any{
			"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
			"definitions": map[string]any{"n": map[string]any{"type": "integer"}},
			"properties":  map[string]any{"n": map[string]any{"$ref": "#/definitions/n"}},
		}}, out: `{"n": 1.5}`, pass: false},

		{name: "contains-json object", check: prompt.Check{Type: "contains-json"}, out: "Here you go: {\"a\": [1, 2], \"s\": \"}{\"} done", pass: true},
		{name: "contains-json array", check: prompt.Check{Type: "contains-json"}, out: "list: [1, 2, 3].", pass: true},
		{name: "contains-json none", check: prompt.Check{Type: "contains-json"}, out: "no json {here", pass: false},
		{name: "contains-json schema second object", check: prompt.Check{Type: "contains-json", Value: schema}, out: "x {\"b\": 1} y {\"name\": \"n\"}", pass: true},
		{name: "contains-json schema none conforms", check: prompt.Check{Type: "contains-json", Value: schema}, out: "x {\"b\": 1}", pass: false},

		{name: "is-xml", check: prompt.Check{Type: "is-xml"}, out: `<?xml version="1.0"?><a x="1"><b>1</b><!-- c --></a>`, pass: true},
		{name: "is-xml mismatched", check: prompt.Check{Type: "is-xml"}, out: `<a><b></a>`, pass: false},
		{name: "is-xml text outside", check: prompt.Check{Type: "is-xml"}, out: `Sure! <a/>`, pass: false},
		{name: "is-xml two roots", check: prompt.Check{Type: "is-xml"}, out: `<a/><b/>`, pass: false},
		{name: "is-xml required", check: prompt.Check{Type: "is-xml", Value: "a.b, a.c.d"}, out: `<a><b/><c><d>x</d></c></a>`, pass: true},
		{name: "is-xml required missing", check: prompt.Check{Type: "is-xml", Value: map[string]any{"requiredElements": []any{"a.c"}}}, out: `<a><b/></a>`, pass: false},

		{name: "levenshtein within default 5", check: prompt.Check{Type: "levenshtein", Value: "kitten"}, out: "sitting", pass: true},
		{name: "levenshtein over threshold", check: prompt.Check{Type: "levenshtein", Value: "kitten", Threshold: fp(2)}, out: "sitting", pass: false},
		{name: "levenshtein counts runes", check: prompt.Check{Type: "levenshtein", Value: "café", Threshold: fp(1)}, out: "cafe", pass: true},

		{name: "word-count exact", check: prompt.Check{Type: "word-count", Value: 3}, out: "one two\nthree", pass: true},
		{name: "word-count range", check: prompt.Check{Type: "word-count", Value: map[string]any{"min": 1, "max": 2}}, out: "one two three", pass: false},
		{name: "word-count min", check: prompt.Check{Type: "word-count", Value: map[string]any{"min": 4}}, out: "one two three", pass: false},
		{name: "word-count max", check: prompt.Check{Type: "word-count", Value: map[string]any{"max": 4}}, out: "one two three", pass: true},
		{name: "word-count from var", check: prompt.Check{Type: "word-count", Value: "{{n}}"}, vars: map[string]string{"n": "3"}, out: "one two three", pass: true},

		{name: "latency under", check: prompt.Check{Type: "latency", Threshold: fp(1000)}, out: "x", result: lat(500*time.Millisecond, false), pass: true},
		{name: "latency over", check: prompt.Check{Type: "latency", Threshold: fp(1000)}, out: "x", result: lat(1500*time.Millisecond, false), pass: false},
		{name: "cost under", check: prompt.Check{Type: "cost", Threshold: fp(0.01)}, out: "x", result: cost(0.005), pass: true},
		{name: "cost over", check: prompt.Check{Type: "cost", Threshold: fp(0.01)}, out: "x", result: cost(0.02), pass: false},

		{name: "finish-reason", check: prompt.Check{Type: "finish-reason", Value: "stop"}, out: "x", result: finish("STOP"), pass: true},
		{name: "finish-reason differs", check: prompt.Check{Type: "finish-reason", Value: "stop"}, out: "x", result: finish("length"), pass: false},
	}
}

func runOne(t *testing.T, e *Evaluator, row checkRow) Outcome {
	t.Helper()
	r := prompt.Result{Output: row.out}
	if row.result != nil {
		row.result(&r)
	}
	cr := e.Evaluate(context.Background(), prompt.Case{Name: "c1", Vars: row.vars}, []prompt.Check{row.check}, nil, r)
	if len(cr.Outcomes) != 1 {
		t.Fatalf("%s: %d outcomes, want 1 (err %v)", row.name, len(cr.Outcomes), cr.Err)
	}
	return cr.Outcomes[0]
}

func TestChecksPassFailAndNegated(t *testing.T) {
	e := &Evaluator{}
	for _, row := range checkRows() {
		t.Run(row.name, func(t *testing.T) {
			o := runOne(t, e, row)
			if o.Err != nil {
				t.Fatalf("error: %v", o.Err)
			}
			if o.Pass != row.pass {
				t.Fatalf("pass = %v, want %v (reason %q)", o.Pass, row.pass, o.Reason)
			}
			if want := b2f(row.pass); o.Score != want {
				t.Errorf("score = %v, want %v", o.Score, want)
			}
			if o.Reason == "" {
				t.Error("no reason")
			}
			if err := ValidateChecks([]prompt.Check{row.check}); err != nil {
				t.Errorf("ValidateChecks: %v", err)
			}

			neg := row
			neg.check.Type = "not-" + row.check.Type
			no := runOne(t, e, neg)
			if no.Err != nil {
				t.Fatalf("not- form: error: %v", no.Err)
			}
			if no.Pass == row.pass {
				t.Errorf("not- form: pass = %v, want %v", no.Pass, !row.pass)
			}
			if no.Score != 1-o.Score {
				t.Errorf("not- form: score = %v, want %v", no.Score, 1-o.Score)
			}
			if no.Scorer != "check:not-"+row.check.Type {
				t.Errorf("not- form: scorer = %q", no.Scorer)
			}
		})
	}
}

// Checks that cannot measure what they check give an error, under either
// polarity: never a silent pass.
func TestChecksIndeterminateAreErrors(t *testing.T) {
	rows := []struct {
		name  string
		check prompt.Check
		r     prompt.Result
		want  string
	}{
		{"latency of a cached result", prompt.Check{Type: "latency", Threshold: fp(1000)}, prompt.Result{Output: "x", CacheHit: true}, "cache"},
		{"no finish reason", prompt.Check{Type: "finish-reason", Value: "stop"}, prompt.Result{Output: "x"}, "no finish reason"},
		{"cost of an unpriced target", prompt.Check{Type: "cost", Threshold: fp(0.01)}, prompt.Result{Output: "x", Target: "openrouter:some/model"}, "no price is known for openrouter:some/model"},
	}
	e := &Evaluator{Priced: func(t string) bool { return t != "openrouter:some/model" }}
	for _, row := range rows {
		for _, typ := range []string{row.check.Type, "not-" + row.check.Type} {
			c := row.check
			c.Type = typ
			cr := e.Evaluate(context.Background(), prompt.Case{Name: "c"}, []prompt.Check{c}, nil, row.r)
			o := cr.Outcomes[0]
			if o.Err == nil || !strings.Contains(o.Err.Error(), row.want) || o.Pass || cr.Pass {
				t.Errorf("%s (%s): pass %v, err %v; want an error mentioning %q", row.name, typ, o.Pass, o.Err, row.want)
			}
			if !strings.Contains(o.Err.Error(), `case "c": check 1 (`+typ+`)`) {
				t.Errorf("%s: error does not name the case and check: %v", row.name, o.Err)
			}
		}
	}
}

func TestBadConfigurations(t *testing.T) {
	rows := []struct {
		name   string
		check  prompt.Check
		field  string
		msg    string
		static bool // ValidateChecks sees it (else only at evaluation)
	}{
		{"unknown type", prompt.Check{Type: "contain", Value: "x"}, "type", "unknown check type", true},
		{"missing type", prompt.Check{Value: "x"}, "type", "missing", true},
		{"unknown negated type", prompt.Check{Type: "not-nope"}, "type", "unknown", true},
		{"negative weight", prompt.Check{Type: "contains", Value: "x", Weight: -1}, "weight", "non-negative", true},
		{"provider on a local check", prompt.Check{Type: "contains", Value: "x", Provider: "openai:gpt-4o"}, "provider", "does not call a model", true},
		{"threshold on a pass/fail check", prompt.Check{Type: "contains", Value: "x", Threshold: fp(0.5)}, "threshold", "takes no threshold", true},
		{"bad template", prompt.Check{Type: "contains", Value: "{{ x"}, "value", "template", true},
		{"missing case variable", prompt.Check{Type: "contains", Value: "{{nope}}"}, "value", "{{nope}}", false},

		{"equals without value", prompt.Check{Type: "equals"}, "value", "needs a value", true},
		{"contains list", prompt.Check{Type: "contains", Value: []any{"a"}}, "value", "got a list", true},
		{"contains empty", prompt.Check{Type: "contains", Value: ""}, "value", "non-empty", true},
		{"icontains object", prompt.Check{Type: "icontains", Value: map[string]any{"a": 1}}, "value", "got an object", true},
		{"contains-any number", prompt.Check{Type: "contains-any", Value: 5}, "value", "got a number", true},
		{"contains-all empty list", prompt.Check{Type: "contains-all", Value: []any{}}, "value", "empty", true},
		{"icontains-any item object", prompt.Check{Type: "icontains-any", Value: []any{"a", map[string]any{}}}, "value", "item 2", true},
		{"icontains-all unclosed quote", prompt.Check{Type: "icontains-all", Value: `"a, b`}, "value", "unclosed", true},
		{"starts-with list", prompt.Check{Type: "starts-with", Value: []any{"a"}}, "value", "non-empty string", true},
		{"regex unbalanced", prompt.Check{Type: "regex", Value: "(a"}, "value", "bad regex", true},
		{"regex neither RE2 nor JavaScript", prompt.Check{Type: "regex", Value: "(?<=a"}, "value", "nor does JavaScript's syntax read it", true},
		{"regex from var bad", prompt.Check{Type: "regex", Value: "{{re}}"}, "value", "bad regex", false},
		{"is-json bad schema", prompt.Check{Type: "is-json", Value: map[string]any{"type": "nonsense"}}, "value", "JSON Schema", true},
		{"is-json schema number", prompt.Check{Type: "is-json", Value: 5}, "value", "object or a boolean", true},
		{"contains-json bad schema text", prompt.Check{Type: "contains-json", Value: "type: [unclosed"}, "value", "JSON Schema", true},
		{"is-json schema text alias bomb", prompt.Check{Type: "is-json", Value: "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"}, "value", "expand to more than 1000000 values", true},
		{"is-json schema external ref", prompt.Check{Type: "is-json", Value: map[string]any{"$ref": "file:///etc/passwd"}}, "value", "JSON Schema", true},
		{"is-xml number", prompt.Check{Type: "is-xml", Value: 5}, "value", "got a number", true},
		{"is-xml unknown key", prompt.Check{Type: "is-xml", Value: map[string]any{"elements": []any{"a"}}}, "value", "unknown key", true},
		{"levenshtein list", prompt.Check{Type: "levenshtein", Value: []any{"a"}}, "value", "expected string", true},
		{"levenshtein negative threshold", prompt.Check{Type: "levenshtein", Value: "a", Threshold: fp(-1)}, "threshold", "whole number", true},
		{"levenshtein fractional threshold", prompt.Check{Type: "levenshtein", Value: "a", Threshold: fp(1.5)}, "threshold", "whole number", true},
		{"word-count min > max", prompt.Check{Type: "word-count", Value: map[string]any{"min": 5, "max": 2}}, "value", "greater than max", true},
		{"word-count word", prompt.Check{Type: "word-count", Value: "abc"}, "value", "whole number", true},
		{"word-count negative", prompt.Check{Type: "word-count", Value: -1}, "value", "whole number", true},
		{"word-count fraction", prompt.Check{Type: "word-count", Value: 2.5}, "value", "whole number", true},
		{"word-count unknown key", prompt.Check{Type: "word-count", Value: map[string]any{"least": 1}}, "value", "unknown key", true},
		{"word-count missing", prompt.Check{Type: "word-count"}, "value", "needs a number", true},
		{"word-count var not a number", prompt.Check{Type: "word-count", Value: "{{n}}"}, "value", "whole number", false},
		{"latency without threshold", prompt.Check{Type: "latency"}, "threshold", "milliseconds", true},
		{"latency with value", prompt.Check{Type: "latency", Value: 100, Threshold: fp(100)}, "value", "takes no value", true},
		{"latency negative", prompt.Check{Type: "latency", Threshold: fp(-5)}, "threshold", "negative", true},
		{"cost without threshold", prompt.Check{Type: "cost"}, "threshold", "USD", true},
		{"finish-reason missing", prompt.Check{Type: "finish-reason"}, "value", "non-empty string", true},
		{"similar object", prompt.Check{Type: "similar", Value: map[string]any{}}, "value", "string or a list", true},
		{"similar threshold out of range", prompt.Check{Type: "similar", Value: "a", Threshold: fp(2)}, "threshold", "[-1,1]", true},
		{"similar without embedder", prompt.Check{Type: "similar", Value: "a"}, "provider", "no embedding target", false},
		{"llm-rubric empty", prompt.Check{Type: "llm-rubric", Value: "  "}, "value", "rubric", true},
		{"llm-rubric threshold", prompt.Check{Type: "llm-rubric", Value: "x", Threshold: fp(1.5)}, "threshold", "[0,1]", true},
		{"llm-rubric without judge", prompt.Check{Type: "llm-rubric", Value: "is polite"}, "provider", "no judge target", false},
		{"closedqa number", prompt.Check{Type: "model-graded-closedqa", Value: 3}, "value", "criterion", true},
		{"factuality missing", prompt.Check{Type: "factuality"}, "value", "reference", true},
	}
	e := &Evaluator{}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			checks := []prompt.Check{{Type: "contains", Value: "ok"}, row.check}
			err := ValidateChecks(checks)
			if row.static {
				var ce *CheckError
				if !errors.As(err, &ce) {
					t.Fatalf("ValidateChecks = %v, want a *CheckError", err)
				}
				if ce.Index != 1 || ce.Field != row.field || !strings.Contains(ce.Msg, row.msg) {
					t.Errorf("ValidateChecks: index %d field %q msg %q; want index 1, field %q, msg containing %q", ce.Index, ce.Field, ce.Msg, row.field, row.msg)
				}
			} else if err != nil {
				t.Fatalf("ValidateChecks = %v, want nil (only a case shows it)", err)
			}

			c := prompt.Case{Name: "refund", Vars: map[string]string{"re": "(a", "n": "many"}}
			cr := e.Evaluate(context.Background(), c, checks, nil, prompt.Result{Output: "ok"})
			if cr.Pass {
				t.Fatal("a case with a bad check passed")
			}
			o := cr.Outcomes[1]
			var ce *CheckError
			if !errors.As(o.Err, &ce) {
				t.Fatalf("outcome error = %v, want a *CheckError", o.Err)
			}
			if ce.Field != row.field || !strings.Contains(ce.Msg, row.msg) {
				t.Errorf("outcome: field %q msg %q; want field %q, msg containing %q", ce.Field, ce.Msg, row.field, row.msg)
			}
			msg := o.Err.Error()
			if !strings.HasPrefix(msg, `case "refund": check 2 (`) || !strings.Contains(msg, row.field+": ") {
				t.Errorf("error %q does not name the case, check and field", msg)
			}
			if o.Pass || o.Score != 0 || !errors.Is(cr.Err, o.Err) {
				t.Errorf("bad check: pass %v score %v, case err %v", o.Pass, o.Score, cr.Err)
			}
			if !cr.Outcomes[0].Pass {
				t.Error("the good check beside it did not run")
			}
		})
	}
}

func TestValidateSuiteNamesCases(t *testing.T) {
	s := prompt.Suite{
		Name:   "s",
		Checks: []prompt.Check{{Type: "contains"}},
		Cases: []prompt.Case{
			{Name: "ok", Checks: []prompt.Check{{Type: "icontains", Value: "x"}}},
			{Checks: []prompt.Check{{Type: "icontains", Value: "x"}, {Type: "regex", Value: "("}}, Threshold: fp(1.2)},
			{Description: "late parcel", Checks: []prompt.Check{{Type: "regex", Value: "["}}},
		},
	}
	err := ValidateSuite(s)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{
		"suite checks: check 1 (contains): value:",
		// a case without a name is named as the reports name it, with
		// its description if it has one, never case "case 2"
		"\ncase 2: check 2 (regex): value: bad regex",
		"\ncase 2: threshold: 1.2 is not in [0,1]",
		"\ncase 3: late parcel: check 1 (regex): value: bad regex",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in\n%s", want, msg)
		}
	}
	if strings.Contains(msg, `"case`) {
		t.Errorf("a case is named case \"case N\" in\n%s", msg)
	}
	if strings.Contains(msg, `"ok"`) {
		t.Errorf("the good case is named: %s", msg)
	}
}

func TestCaseScoreWeightsAndThreshold(t *testing.T) {
	e := &Evaluator{}
	checks := []prompt.Check{
		{Type: "contains", Value: "a", Weight: 3},
		{Type: "contains", Value: "zzz"},
	}
	cr := e.Evaluate(context.Background(), prompt.Case{}, checks, nil, prompt.Result{Output: "abc"})
	if cr.Score != 0.75 || cr.Pass {
		t.Errorf("score %v pass %v, want 0.75 and fail (a check failed)", cr.Score, cr.Pass)
	}
	// Every check passes but graded ones can score under 1: the threshold decides.
	emb := fakeEmbedder{"out": {1, 0}, "ref": {0.8, 0.6}}
	e = &Evaluator{Embedder: emb.resolver(), EmbedTarget: "fake:embed"}
	checks = []prompt.Check{{Type: "similar", Value: "ref", Threshold: fp(0.7)}, {Type: "contains", Value: "out"}}
	r := prompt.Result{Output: "out"}
	cr = e.Evaluate(context.Background(), prompt.Case{}, checks, fp(0.95), r)
	if !near(cr.Score, 0.9, 1e-9) || cr.Pass {
		t.Errorf("score %v pass %v, want 0.9 failing threshold 0.95", cr.Score, cr.Pass)
	}
	cr = e.Evaluate(context.Background(), prompt.Case{}, checks, fp(0.85), r)
	if !cr.Pass {
		t.Errorf("score %v under threshold 0.85 failed: %s", cr.Score, Summary(cr))
	}
	cr = e.Evaluate(context.Background(), prompt.Case{}, checks, fp(1.5), r)
	if cr.Pass || cr.Err == nil {
		t.Error("threshold 1.5 accepted")
	}
}

func TestExpectedWithoutChecks(t *testing.T) {
	e := &Evaluator{}
	c := prompt.Case{Name: "x", Expected: "REFUND {{not a var}}"}
	cr := e.Evaluate(context.Background(), c, nil, nil, prompt.Result{Output: "we will refund {{not a var}} today"})
	if !cr.Pass || !cr.Implicit || len(cr.Outcomes) != 1 || cr.Outcomes[0].Check.Type != "icontains" || cr.Outcomes[0].Index != -1 ||
		cr.Outcomes[0].Check.Value != c.Expected {
		t.Fatalf("implicit icontains: %+v", cr)
	}
	cr = e.Evaluate(context.Background(), c, nil, nil, prompt.Result{Output: "no"})
	if cr.Pass {
		t.Error("implicit icontains passed without the expected text")
	}
	// With any check, expected is just data.
	cr = e.Evaluate(context.Background(), c, []prompt.Check{{Type: "contains", Value: "no"}}, nil, prompt.Result{Output: "no"})
	if !cr.Pass || cr.Implicit {
		t.Errorf("expected applied beside explicit checks: %+v", cr)
	}
	// Neither checks nor expected: nothing to grade, nothing recorded.
	cr = e.Evaluate(context.Background(), prompt.Case{}, nil, nil, prompt.Result{Output: "x"})
	if !cr.Pass || len(cr.Outcomes) != 0 || Scores(cr, 1, "a", time.Time{}) != nil {
		t.Errorf("no checks: %+v", cr)
	}
}

func TestFailedCallFails(t *testing.T) {
	e := &Evaluator{}
	cr := e.Evaluate(context.Background(), prompt.Case{Name: "c"}, []prompt.Check{{Type: "not-contains", Value: "x"}}, nil,
		prompt.Result{Error: "openai: HTTP 500: boom"})
	if cr.Pass || cr.Err == nil || !strings.Contains(cr.Err.Error(), "boom") || len(cr.Outcomes) != 0 {
		t.Fatalf("failed call: %+v", cr)
	}
	sc := Scores(cr, 9, "me", time.Unix(1, 0))
	if len(sc) != 1 || sc[0].Scorer != ScorerSuite || *sc[0].Pass || sc[0].Value != 0 || !strings.Contains(sc[0].Reason, "boom") {
		t.Errorf("scores of a failed call: %+v", sc)
	}
}

func TestScores(t *testing.T) {
	emb := fakeEmbedder{"out x": {1, 0}, "ref": {1, 0}}
	e := &Evaluator{Embedder: emb.resolver(), EmbedTarget: "fake:embed"}
	checks := []prompt.Check{
		{Type: "contains", Value: "out"},
		{Type: "contains", Value: "nope"},
		{Type: "icontains", Value: "X", Metric: "style", Weight: 3},
		{Type: "starts-with", Value: "zz", Metric: "style"},
		{Type: "similar", Value: "ref"},
		{Type: "bogus"},
	}
	cr := e.Evaluate(context.Background(), prompt.Case{Name: "c"}, checks, nil, prompt.Result{Output: "out x"})
	now := time.Unix(100, 0)
	sc := Scores(cr, 42, "tester", now)
	got := map[string]prompt.Score{}
	for _, s := range sc {
		if _, dup := got[s.Scorer]; dup {
			t.Errorf("scorer %q twice", s.Scorer)
		}
		got[s.Scorer] = s
		if s.ResultID != 42 || s.Author != "tester" || !s.Created.Equal(now) || s.Pass == nil {
			t.Errorf("score fields: %+v", s)
		}
	}
	want := map[string]struct {
		v    float64
		pass bool
	}{
		"check:contains":   {1, true},
		"check:contains#2": {0, false},
		"metric:style":     {0.75, false},
		"check:similar":    {1, true},
		"check:bogus":      {0, false},
		ScorerSuite:        {(1 + 0 + 3 + 0 + 1 + 0) / 8.0, false},
	}
	if len(got) != len(want) {
		t.Errorf("scorers %v, want %d", keys(got), len(want))
	}
	for k, w := range want {
		s, ok := got[k]
		if !ok {
			t.Errorf("no score %q", k)
			continue
		}
		if !near(s.Value, w.v, 1e-9) || *s.Pass != w.pass {
			t.Errorf("%s = %v/%v, want %v/%v", k, s.Value, *s.Pass, w.v, w.pass)
		}
	}
	if r := got["check:bogus"].Reason; !strings.HasPrefix(r, "error: ") || !strings.Contains(r, "unknown check type") {
		t.Errorf("bogus reason %q", r)
	}
	if r := got[ScorerSuite].Reason; !strings.Contains(r, "3/6 checks passed") {
		t.Errorf("suite reason %q", r)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func near(a, b, tol float64) bool { return a-b <= tol && b-a <= tol }

func TestTypesAreAllKnown(t *testing.T) {
	for _, typ := range Types() {
		if _, ok := kindOf(typ); !ok {
			t.Errorf("%s not known", typ)
		}
	}
	if !NeedsModel(prompt.Check{Type: "not-llm-rubric"}) || !NeedsModel(prompt.Check{Type: "similar"}) || NeedsModel(prompt.Check{Type: "contains"}) {
		t.Error("NeedsModel")
	}
}

func TestSplitCommaList(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"a,b", []string{"a", "b"}},
		{" a , b ,, ", []string{"a", "b"}},
		{`"a, b", c`, []string{"a, b", "c"}},
		{`" padded ", x`, []string{" padded ", "x"}},
		{`"say ""hi"", then go", x`, []string{`say "hi", then go`, "x"}},
		{`"a \"b\", c\\d", e`, []string{`a "b", c\d`, "e"}},
		{`say "hi", x`, []string{`say "hi"`, "x"}},
	} {
		got, err := splitCommaList(tc.in)
		if err != nil || strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%q: %q %v, want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := splitCommaList(`"a" b`); err == nil {
		t.Error("text after a closing quote accepted")
	}
}

func TestCaseChecksAndThreshold(t *testing.T) {
	s := prompt.Suite{Checks: []prompt.Check{{Type: "contains", Value: "a"}}, Threshold: fp(0.5)}
	c := prompt.Case{Checks: []prompt.Check{{Type: "contains", Value: "b"}}}
	got := CaseChecks(s, c)
	if len(got) != 2 || got[0].Value != "a" || got[1].Value != "b" || len(s.Checks) != 1 {
		t.Errorf("CaseChecks = %+v", got)
	}
	if th := CaseThreshold(s, c); th == nil || *th != 0.5 {
		t.Errorf("suite threshold: %v", th)
	}
	c.Threshold = fp(0.9)
	if th := CaseThreshold(s, c); *th != 0.9 {
		t.Errorf("case threshold: %v", *th)
	}
	if CaseThreshold(prompt.Suite{}, prompt.Case{}) != nil {
		t.Error("threshold out of nothing")
	}

	// A case with an expected output and no checks of its own is graded by
	// it beside the suite's checks; one with its own checks is not.
	exp := prompt.Case{Expected: "refund {{x}}"}
	got = CaseChecks(s, exp)
	if len(got) != 2 || got[0].Value != "a" || got[1].Type != TypeIContains || got[1].Value != `refund \{{x}}` {
		t.Errorf("CaseChecks with expected = %+v", got)
	}
	exp.Checks = []prompt.Check{{Type: "contains", Value: "b"}}
	if got = CaseChecks(s, exp); len(got) != 2 || got[1].Value != "b" {
		t.Errorf("CaseChecks with expected and own checks = %+v", got)
	}
}

func TestEvaluateExpectedBesideSuiteChecks(t *testing.T) {
	s := prompt.Suite{Checks: []prompt.Check{{Type: "not-icontains", Value: "as an ai"}}}
	c := prompt.Case{Name: "other", Expected: "Zed {{name}}", Vars: map[string]string{"name": "x"}}
	e := &Evaluator{}
	for _, tc := range []struct {
		out  string
		pass bool
	}{{"hello there", false}, {"hi zed {{name}}!", true}} {
		cr := e.Evaluate(context.Background(), c, CaseChecks(s, c), nil, prompt.Result{Output: tc.out})
		if cr.Pass != tc.pass || len(cr.Outcomes) != 2 {
			t.Fatalf("output %q: pass %v, %d outcomes: %+v", tc.out, cr.Pass, len(cr.Outcomes), cr)
		}
		if v := cr.Outcomes[1].Check.Value; v != "Zed {{name}}" {
			t.Errorf("the implicit check shows %q, want the expected output as written", v)
		}
	}
}

// A cost check passes on a free call of a priced target (a local model, a
// cache hit) and on a call whose cost was recorded, whatever Priced says now.
func TestCostCheckOfPricedCalls(t *testing.T) {
	e := &Evaluator{Priced: func(t string) bool { return t == "ollama:llama3" }}
	c := []prompt.Check{{Type: "cost", Threshold: fp(0.01)}}
	for _, r := range []prompt.Result{
		{Output: "x", Target: "ollama:llama3"},
		{Output: "x", Target: "openrouter:m", CacheHit: true},
		{Output: "x", Target: "openrouter:m", Cost: 0.002},
	} {
		if o := e.Evaluate(context.Background(), prompt.Case{}, c, nil, r).Outcomes[0]; !o.Pass || o.Err != nil {
			t.Errorf("%+v: pass %v, err %v; want a pass", r, o.Pass, o.Err)
		}
	}
}

// A latency of tens of seconds reads as milliseconds, not in exponent
// form ("2.667e+04 ms").
func TestLatencyReasonReadsAsMilliseconds(t *testing.T) {
	row := checkRow{name: "slow", check: prompt.Check{Type: "latency", Threshold: fp(5000)}, out: "x",
		result: func(r *prompt.Result) { r.Latency = 26671400 * time.Microsecond }}
	o := runOne(t, &Evaluator{}, row)
	if want := "latency 26670 ms (threshold 5000 ms)"; o.Reason != want {
		t.Fatalf("reason %q, want %q", o.Reason, want)
	}
	for f, want := range map[float64]string{0.5: "0.5", 0.3333333: "0.3333", 1234.5: "1234", 12345.6: "12350", 1e7: "10000000", 2.5e-5: "0.000025"} {
		if got := fnum(f); got != want {
			t.Errorf("fnum(%v) = %q, want %q", f, got, want)
		}
	}
}

// TestRegexThatBacktracksGivesUp: a pattern only JavaScript's syntax reads
// runs on a backtracking engine; one that backtracks without end gives no
// verdict after its time instead of hanging the run.
func TestRegexThatBacktracksGivesUp(t *testing.T) {
	old := patternTimeout
	patternTimeout = 50 * time.Millisecond
	defer func() { patternTimeout = old }()
	p, err := compilePattern(`^(?=(a+)+$)`)
	if err != nil || p.js == nil {
		t.Fatalf("compilePattern = %+v, %v; want the JavaScript engine", p, err)
	}
	ok, err := p.match(strings.Repeat("a", 64) + "!")
	if err == nil || ok || !strings.Contains(err.Error(), "gave up after 50ms on an output of 65 characters") {
		t.Fatalf("match = %v, %v", ok, err)
	}
	// RE2's patterns take linear time and never give up.
	if p, err := compilePattern(`^(a+)+$`); err != nil || p.re == nil {
		t.Fatalf("RE2 pattern compiled as %+v, %v", p, err)
	}
}

// TestContainsJSONOfUnclosedBrackets: an output of unclosed brackets, each
// of which the search would read to the end (its length squared), gives
// no verdict once the search has read its budget; JSON after many closed
// brackets is found. The budget is lowered so that the search would
// finish, with no JSON found, if it were not bounded.
func TestContainsJSONOfUnclosedBrackets(t *testing.T) {
	old := jsonSearchBytes
	jsonSearchBytes = 1 << 20
	e := &Evaluator{}
	o := runOne(t, e, checkRow{name: "unclosed", check: prompt.Check{Type: "contains-json"}, out: strings.Repeat("[", 5000)})
	jsonSearchBytes = old
	if o.Err == nil || !strings.Contains(o.Err.Error(), "gave up looking for JSON in an output of 5000 bytes") {
		t.Fatalf("%+v", o)
	}
	o = runOne(t, e, checkRow{name: "late", check: prompt.Check{Type: "contains-json"}, out: strings.Repeat("x[1] ", 20000) + "{}"})
	if o.Err != nil || !o.Pass {
		t.Fatalf("%+v", o)
	}
}
