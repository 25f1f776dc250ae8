package eval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"

	"whet/prompt"
)

// Check types, as promptfoo names them. Each may be negated with NotPrefix.
const (
	TypeEquals       = "equals"
	TypeContains     = "contains"
	TypeIContains    = "icontains"
	TypeContainsAny  = "contains-any"
	TypeContainsAll  = "contains-all"
	TypeIContainsAny = "icontains-any"
	TypeIContainsAll = "icontains-all"
	TypeStartsWith   = "starts-with"
	TypeRegex        = "regex"
	TypeIsJSON       = "is-json"
	TypeContainsJSON = "contains-json"
	TypeIsXML        = "is-xml"
	TypeLevenshtein  = "levenshtein"
	TypeWordCount    = "word-count"
	TypeLatency      = "latency"
	TypeCost         = "cost"
	TypeFinishReason = "finish-reason"
	TypeSimilar      = "similar"
	TypeLLMRubric    = "llm-rubric"
	TypeClosedQA     = "model-graded-closedqa"
	TypeFactuality   = "factuality"
	NotPrefix        = "not-"
)

// Defaults of the graded checks' thresholds, as promptfoo has them.
const (
	defaultLevenshtein = 5    // edits
	defaultSimilar     = 0.75 // cosine
)

// Types lists every check type whet knows, in the order CHECKS.md documents
// them. Each is also valid with the "not-" prefix.
func Types() []string {
	return []string{
		TypeEquals, TypeContains, TypeIContains, TypeContainsAny, TypeContainsAll,
		TypeIContainsAny, TypeIContainsAll, TypeStartsWith, TypeRegex, TypeIsJSON,
		TypeContainsJSON, TypeIsXML, TypeLevenshtein, TypeWordCount, TypeLatency,
		TypeCost, TypeFinishReason, TypeSimilar, TypeLLMRubric, TypeClosedQA, TypeFactuality,
	}
}

// checkKind says what a check needs to run.
type checkKind int

const (
	kindLocal checkKind = iota // the output and the result's record only
	kindJudge                  // a judge model
	kindEmbed                  // an embedding model
)

// kindOf returns the kind of a base type (no "not-") and whether it is known.
func kindOf(base string) (checkKind, bool) {
	switch base {
	case TypeEquals, TypeContains, TypeIContains, TypeContainsAny, TypeContainsAll,
		TypeIContainsAny, TypeIContainsAll, TypeStartsWith, TypeRegex, TypeIsJSON,
		TypeContainsJSON, TypeIsXML, TypeLevenshtein, TypeWordCount, TypeLatency,
		TypeCost, TypeFinishReason:
		return kindLocal, true
	case TypeSimilar:
		return kindEmbed, true
	case TypeLLMRubric, TypeClosedQA, TypeFactuality:
		return kindJudge, true
	}
	return 0, false
}

// splitType splits "not-contains" into ("contains", true).
func splitType(t string) (base string, inverse bool) {
	t = strings.TrimSpace(t)
	if b, ok := strings.CutPrefix(t, NotPrefix); ok {
		return b, true
	}
	return t, false
}

// NeedsModel reports whether c calls a model (a judge or an embedding
// model) to grade: llm-rubric, model-graded-closedqa, factuality, similar and
// their not- forms. A caller may run the other checks first and queue these.
func NeedsModel(c prompt.Check) bool {
	base, _ := splitType(c.Type)
	k, ok := kindOf(base)
	return ok && k != kindLocal
}

// CheckError is a check's bad configuration: which case (as CaseName
// names it; empty when the checks were validated on their own), which check (its 0-based index in the
// list and its type), which field (type, value, threshold, weight, metric,
// provider) and what is wrong with it.
type CheckError struct {
	Case  string
	Index int
	Type  string
	Field string
	Msg   string
}

func (e *CheckError) Error() string {
	var b strings.Builder
	if e.Case != "" {
		b.WriteString(e.Case + ": ")
	}
	t := e.Type
	if t == "" {
		t = "no type"
	}
	fmt.Fprintf(&b, "check %d (%s): %s: %s", e.Index+1, t, e.Field, e.Msg)
	return b.String()
}

// CaseName names case c, at index i of its suite, in an error, as the
// reports name it: case "refund" for a case with a name (quoted: a name
// may hold anything), else its title, case 2 or case 2: late parcel
// ([prompt.Case.Title]), never case "case 2". A check's error is
// recorded as its score's reason, "error: CASE: check N (TYPE): …", which
// report.CheckErrored reads back: keep the two in step.
func CaseName(c prompt.Case, i int) string {
	if c.Name != "" {
		return fmt.Sprintf("case %q", c.Name)
	}
	return c.Title(i)
}

// ValidateChecks checks the configuration of every check without running
// any: known type, value of the right shape for its type (a regex that
// compiles, a JSON Schema that compiles, counts that are whole numbers, …),
// threshold and weight in range, provider only where a model is called.
// Values that hold {{variables}} are checked for template syntax and shape;
// their content is checked when a case renders them. It returns every
// problem found, each a *CheckError (joined with errors.Join), or nil.
func ValidateChecks(checks []prompt.Check) error {
	var errs []error
	for i, c := range checks {
		if _, err := compileCheck(c, i, nil, true); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ValidateSuite is ValidateChecks over a suite: its own checks, then each
// case's checks (the errors name the case), and the thresholds (in [0,1]).
func ValidateSuite(s prompt.Suite) error {
	var errs []error
	if s.Threshold != nil && !inUnit(*s.Threshold) {
		errs = append(errs, fmt.Errorf("suite %q: threshold: %v is not in [0,1]", s.Name, *s.Threshold))
	}
	for i, c := range s.Checks {
		if _, err := compileCheck(c, i, nil, true); err != nil {
			errs = append(errs, fmt.Errorf("suite checks: %w", err))
		}
	}
	for ci, cs := range s.Cases {
		label := CaseName(cs, ci)
		if cs.Threshold != nil && !inUnit(*cs.Threshold) {
			errs = append(errs, fmt.Errorf("%s: threshold: %v is not in [0,1]", label, *cs.Threshold))
		}
		for i, c := range cs.Checks {
			if _, err := compileCheck(c, i, nil, true); err != nil {
				var ce *CheckError
				if errors.As(err, &ce) {
					ce.Case = label
				}
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// CaseChecks is the list a case is graded by: the suite's checks, then the
// case's own. A case with no checks of its own but an expected output gets
// the implicit icontains of it (ExpectedCheck) after the suite's checks, so
// that checks every case shares do not silence what one case expects.
func CaseChecks(s prompt.Suite, c prompt.Case) []prompt.Check {
	out := make([]prompt.Check, 0, len(s.Checks)+len(c.Checks)+1)
	out = append(out, s.Checks...)
	if len(c.Checks) == 0 && c.Expected != "" {
		return append(out, ExpectedCheck(c))
	}
	return append(out, c.Checks...)
}

// SuiteCases are the cases a run of suite s carries: each with the checks
// it is graded by (CaseChecks) and its threshold (CaseThreshold), so that
// the run grades the same way however the suite changes later.
func SuiteCases(s prompt.Suite) []prompt.Case {
	cases := make([]prompt.Case, 0, len(s.Cases))
	for _, c := range s.Cases {
		c.Checks = CaseChecks(s, c)
		c.Threshold = CaseThreshold(s, c)
		cases = append(cases, c)
	}
	return cases
}

// ExpectedCheck is the implicit check of a case's expected output: an
// icontains of it, its "{{" literal (expected is data, not a template).
func ExpectedCheck(c prompt.Case) prompt.Check {
	return prompt.Check{Type: TypeIContains, Value: strings.ReplaceAll(c.Expected, "{{", `\{{`)}
}

// CaseThreshold is the threshold a case must meet: its own, else the
// suite's, else nil (no score threshold: every check passing is enough).
func CaseThreshold(s prompt.Suite, c prompt.Case) *float64 {
	if c.Threshold != nil {
		return c.Threshold
	}
	return s.Threshold
}

func inUnit(f float64) bool { return f >= 0 && f <= 1 }

// spec is a check compiled against a case's variables (or, for static
// validation, with its templates left unrendered).
type spec struct {
	check   prompt.Check
	index   int
	base    string
	inverse bool
	kind    checkKind
	weight  float64
	// threshold is the check's own threshold, nil when unset.
	threshold *float64

	str    string          // string value (rendered)
	list   []string        // list value (rendered)
	object any             // equals: a JSON value to deep-compare; is-xml: unused
	isObj  bool            // equals compares parsed JSON
	re     pattern         // regex
	schema *compiledSchema // is-json, contains-json; nil = no schema
	wcMin  *int            // word-count bounds; exact when both equal
	wcMax  *int
}

// errf builds the CheckError of field f of check c at index i.
func errf(c prompt.Check, i int, field, format string, args ...any) *CheckError {
	return &CheckError{Index: i, Type: strings.TrimSpace(c.Type), Field: field, Msg: fmt.Sprintf(format, args...)}
}

// compileCheck validates c and prepares it, rendering its value with the
// case's variables vars. static is validation without a case: {{templates}}
// are parsed but not rendered, and content checks on strings that hold
// variables are skipped.
func compileCheck(c prompt.Check, i int, vars map[string]string, static bool) (*spec, error) {
	base, inverse := splitType(c.Type)
	if base == "" {
		return nil, errf(c, i, "type", "missing; want one of %s (each may take the %q prefix)", strings.Join(Types(), ", "), NotPrefix)
	}
	kind, ok := kindOf(base)
	if !ok {
		return nil, errf(c, i, "type", "unknown check type %q; want one of %s (each may take the %q prefix)", c.Type, strings.Join(Types(), ", "), NotPrefix)
	}
	s := &spec{check: c, index: i, base: base, inverse: inverse, kind: kind, weight: 1}

	switch {
	case math.IsNaN(c.Weight) || math.IsInf(c.Weight, 0) || c.Weight < 0:
		return nil, errf(c, i, "weight", "%v is not a non-negative number", c.Weight)
	case c.Weight > 0:
		s.weight = c.Weight
	}
	if strings.TrimSpace(c.Provider) != "" && kind == kindLocal {
		return nil, errf(c, i, "provider", "%s does not call a model; provider applies to similar, llm-rubric, model-graded-closedqa and factuality", base)
	}
	if c.Metric != strings.TrimSpace(c.Metric) || strings.ContainsAny(c.Metric, "\n\r\t") {
		return nil, errf(c, i, "metric", "%q has surrounding or control whitespace", c.Metric)
	}
	if err := s.setThreshold(c, i); err != nil {
		return nil, err
	}

	val, err := normalizeValue(c.Value)
	if err != nil {
		return nil, errf(c, i, "value", "cannot be read: %v", err)
	}
	r := renderer{vars: vars, static: static}
	val, err = r.render(val)
	if err != nil {
		return nil, errf(c, i, "value", "%v", err)
	}
	if err := s.setValue(val, r.dyn, c, i); err != nil {
		return nil, err
	}
	return s, nil
}

// setThreshold checks the threshold against what the type accepts.
func (s *spec) setThreshold(c prompt.Check, i int) error {
	t := c.Threshold
	if t != nil && (math.IsNaN(*t) || math.IsInf(*t, 0)) {
		return errf(c, i, "threshold", "%v is not a number", *t)
	}
	switch s.base {
	case TypeLevenshtein:
		if t != nil && (*t < 0 || *t != math.Trunc(*t)) {
			return errf(c, i, "threshold", "%v is not a whole number of edits >= 0", *t)
		}
	case TypeSimilar:
		if t != nil && (*t < -1 || *t > 1) {
			return errf(c, i, "threshold", "%v is not a cosine similarity in [-1,1]", *t)
		}
	case TypeLLMRubric, TypeClosedQA, TypeFactuality:
		if t != nil && !inUnit(*t) {
			return errf(c, i, "threshold", "%v is not a score in [0,1]", *t)
		}
	case TypeLatency:
		if t == nil {
			return errf(c, i, "threshold", "latency needs a threshold: the most milliseconds the call may take")
		}
		if *t < 0 {
			return errf(c, i, "threshold", "%v is negative", *t)
		}
	case TypeCost:
		if t == nil {
			return errf(c, i, "threshold", "cost needs a threshold: the most USD the call may cost")
		}
		if *t < 0 {
			return errf(c, i, "threshold", "%v is negative", *t)
		}
	default:
		if t != nil {
			return errf(c, i, "threshold", "%s passes or fails outright and takes no threshold (a case's threshold goes on the case)", s.base)
		}
	}
	s.threshold = t
	return nil
}

// setValue checks the rendered value's shape for the type and stores it.
// dyn reports which strings still hold unrendered {{variables}} (static
// validation only).
func (s *spec) setValue(v any, dyn map[string]bool, c prompt.Check, i int) error {
	bad := func(format string, args ...any) error { return errf(c, i, "value", format, args...) }
	switch s.base {
	case TypeEquals:
		switch x := v.(type) {
		case nil:
			return bad("equals needs a value: the exact expected output")
		case string:
			s.str = x
		case json.Number:
			s.str = x.String()
		case bool:
			s.str = strconv.FormatBool(x)
		default:
			s.object, s.isObj = x, true
		}
	case TypeContains, TypeIContains:
		str, ok := scalarString(v)
		if !ok || str == "" {
			return bad("%s needs a non-empty string or number, got %s", s.base, shapeOf(v))
		}
		s.str = str
	case TypeContainsAny, TypeContainsAll, TypeIContainsAny, TypeIContainsAll:
		list, err := stringList(v)
		if err != nil {
			return bad("%s needs a list of strings or a comma-separated string: %v", s.base, err)
		}
		s.list = list
	case TypeStartsWith, TypeFinishReason:
		str, ok := v.(string)
		if !ok || str == "" {
			return bad("%s needs a non-empty string, got %s", s.base, shapeOf(v))
		}
		s.str = str
	case TypeRegex:
		str, ok := v.(string)
		if !ok || str == "" {
			return bad("regex needs a non-empty pattern string, got %s", shapeOf(v))
		}
		s.str = str
		if !dyn[str] {
			re, err := compilePattern(str)
			if err != nil {
				return bad("bad regex %q: %v", str, err)
			}
			s.re = re
		}
	case TypeIsJSON, TypeContainsJSON:
		if anyDynamic(v, dyn) {
			return nil
		}
		sch, err := compileSchema(v)
		if err != nil {
			return bad("bad JSON Schema: %v", err)
		}
		s.schema = sch
	case TypeIsXML:
		list, err := xmlRequired(v)
		if err != nil {
			return bad("is-xml takes nothing, a comma-separated string or a list of required element paths (root.child), or {requiredElements: [...]}: %v", err)
		}
		s.list = list
	case TypeLevenshtein:
		str, ok := v.(string)
		if !ok {
			return bad("levenshtein needs the expected string, got %s", shapeOf(v))
		}
		s.str = str
	case TypeWordCount:
		return s.setWordCount(v, dyn, bad)
	case TypeLatency, TypeCost:
		if v != nil {
			return bad("%s takes no value; put the limit in threshold", s.base)
		}
	case TypeSimilar:
		switch x := v.(type) {
		case string:
			if x == "" {
				return bad("similar needs a non-empty string or list of strings")
			}
			s.list = []string{x}
		case []any:
			list, err := stringList(x)
			if err != nil {
				return bad("similar needs a string or a list of strings: %v", err)
			}
			s.list = list
		default:
			return bad("similar needs a string or a list of strings, got %s", shapeOf(v))
		}
	case TypeLLMRubric:
		switch x := v.(type) {
		case string:
			if strings.TrimSpace(x) == "" {
				return bad("llm-rubric needs the rubric: a statement the output must make true")
			}
			s.str = x
		case map[string]any, []any:
			b, _ := json.Marshal(x)
			s.str = string(b)
		default:
			return bad("llm-rubric needs the rubric as a string (or an object), got %s", shapeOf(v))
		}
	case TypeClosedQA, TypeFactuality:
		str, ok := v.(string)
		if !ok || strings.TrimSpace(str) == "" {
			what := "the criterion the answer must meet"
			if s.base == TypeFactuality {
				what = "the reference (expert) answer"
			}
			return bad("%s needs %s as a string, got %s", s.base, what, shapeOf(v))
		}
		s.str = str
	}
	return nil
}

func (s *spec) setWordCount(v any, dyn map[string]bool, bad func(string, ...any) error) error {
	count := func(x any, what string) (*int, error) {
		var n json.Number
		switch y := x.(type) {
		case json.Number:
			n = y
		case string:
			if dyn[y] {
				return nil, nil
			}
			n = json.Number(strings.TrimSpace(y))
		default:
			return nil, bad("word-count %s must be a whole number, got %s", what, shapeOf(x))
		}
		k, err := strconv.Atoi(n.String())
		if err != nil || k < 0 {
			return nil, bad("word-count %s must be a whole number >= 0, got %q", what, n.String())
		}
		return &k, nil
	}
	switch x := v.(type) {
	case map[string]any:
		for k := range x {
			if k != "min" && k != "max" {
				return bad("word-count takes {min, max}; unknown key %q", k)
			}
		}
		if x["min"] == nil && x["max"] == nil {
			return bad("word-count {min, max} needs min and/or max")
		}
		var err error
		if x["min"] != nil {
			if s.wcMin, err = count(x["min"], "min"); err != nil {
				return err
			}
		}
		if x["max"] != nil {
			if s.wcMax, err = count(x["max"], "max"); err != nil {
				return err
			}
		}
		if s.wcMin != nil && s.wcMax != nil && *s.wcMin > *s.wcMax {
			return bad("word-count min (%d) is greater than max (%d)", *s.wcMin, *s.wcMax)
		}
	case nil:
		return bad("word-count needs a number or {min, max}")
	default:
		n, err := count(x, "value")
		if err != nil {
			return err
		}
		s.wcMin, s.wcMax = n, n
	}
	return nil
}

// normalizeValue turns a decoded YAML or JSON value into the JSON data
// model: nil, bool, json.Number, string, []any, map[string]any.
func normalizeValue(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeJSON(b)
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// renderer renders {{variables}} in every string of a value. When static it
// only parses them, recording strings that hold variables in dyn.
type renderer struct {
	vars   map[string]string
	static bool
	dyn    map[string]bool
}

func (r *renderer) render(v any) (any, error) {
	switch x := v.(type) {
	case string:
		t, err := prompt.ParseTemplate(x)
		if err != nil {
			return nil, fmt.Errorf("template: %v", err)
		}
		if r.static {
			if len(t.Variables()) > 0 {
				if r.dyn == nil {
					r.dyn = map[string]bool{}
				}
				r.dyn[x] = true
				return x, nil
			}
			return t.Execute(nil)
		}
		out, err := t.Execute(r.vars)
		var me *prompt.MissingVarsError
		if errors.As(err, &me) {
			names := make([]string, len(me.Names))
			for i, n := range me.Names {
				names[i] = "{{" + n + "}}"
			}
			return nil, fmt.Errorf("the case has no variable %s", strings.Join(names, ", "))
		}
		return out, err
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			y, err := r.render(e)
			if err != nil {
				return nil, err
			}
			out[i] = y
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			y, err := r.render(e)
			if err != nil {
				return nil, err
			}
			out[k] = y
		}
		return out, nil
	}
	return v, nil
}

func anyDynamic(v any, dyn map[string]bool) bool {
	switch x := v.(type) {
	case string:
		return dyn[x]
	case []any:
		for _, e := range x {
			if anyDynamic(e, dyn) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if anyDynamic(e, dyn) {
				return true
			}
		}
	}
	return false
}

func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	}
	return "", false
}

// shapeOf names a value's JSON shape for error messages.
func shapeOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "nothing"
	case string:
		if x == "" {
			return "an empty string"
		}
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// stringList reads a list of strings (numbers allowed, as promptfoo does) or
// a comma-separated string. Items are kept as written, except that
// comma-separated items are trimmed and may be double-quoted to hold a comma.
func stringList(v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		items, err := splitCommaList(x)
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return nil, errors.New("the list is empty")
		}
		return items, nil
	case []any:
		if len(x) == 0 {
			return nil, errors.New("the list is empty")
		}
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := scalarString(e)
			if !ok || s == "" {
				return nil, fmt.Errorf("item %d is %s, want a non-empty string", i+1, shapeOf(e))
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("got %s", shapeOf(v))
}

// splitCommaList splits "a, b, \"c, d\"" into [a b "c, d"]. Inside
// double quotes a quote is written "" or \" and a backslash \\, as
// promptfoo reads such lists.
func splitCommaList(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	quoted, wasQuoted := false, false
	flush := func() {
		item := cur.String()
		if !wasQuoted {
			item = strings.TrimSpace(item)
		}
		if item != "" {
			out = append(out, item)
		}
		cur.Reset()
		wasQuoted = false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '"' && !quoted && strings.TrimSpace(cur.String()) == "":
			quoted, wasQuoted = true, true
			cur.Reset()
		case quoted && ch == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\'):
			cur.WriteByte(s[i+1])
			i++
		case quoted && ch == '"' && i+1 < len(s) && s[i+1] == '"':
			cur.WriteByte('"')
			i++
		case ch == '"' && quoted:
			quoted = false
		case ch == ',' && !quoted:
			flush()
		case wasQuoted && !quoted:
			if ch != ' ' && ch != '\t' {
				return nil, fmt.Errorf("text after a closing quote at byte %d", i+1)
			}
		default:
			cur.WriteByte(ch)
		}
	}
	if quoted {
		return nil, errors.New("unclosed double quote")
	}
	flush()
	return out, nil
}

// xmlRequired reads is-xml's optional required elements.
func xmlRequired(v any) ([]string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		if strings.TrimSpace(x) == "" {
			return nil, nil
		}
		return stringList(x)
	case []any:
		return stringList(x)
	case map[string]any:
		for k := range x {
			if k != "requiredElements" {
				return nil, fmt.Errorf("unknown key %q", k)
			}
		}
		list, ok := x["requiredElements"].([]any)
		if !ok {
			return nil, errors.New("requiredElements must be a list")
		}
		return stringList(list)
	}
	return nil, fmt.Errorf("got %s", shapeOf(v))
}

// parseSchemaText reads a schema written as a string: JSON or YAML.
func parseSchemaText(s string) (any, error) {
	if f, err := parser.ParseBytes([]byte(s), 0); err == nil {
		var fe *prompt.FileError
		if errors.As(prompt.CheckYAMLExpansion("", f, 0), &fe) {
			return nil, errors.New(fe.Msg)
		}
	}
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		first, _, _ := strings.Cut(strings.TrimSpace(err.Error()), "\n")
		return nil, fmt.Errorf("not JSON or YAML: %s", first)
	}
	return normalizeValue(v)
}
