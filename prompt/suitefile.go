package prompt

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"whet/textutil"
)

// A suite file is YAML: the suite's name (ValidateName rules), an optional
// description, prompt and threshold, checks that apply to every case, and
// the cases in order, each with its own checks and threshold:
//
//	name: reply-quality
//	description: Replies are polite and on topic
//	prompt: support/reply      # optional: the prompt the suite belongs to
//	threshold: 0.8             # optional: the score a case must reach
//	checks:                    # every case
//	  - type: not-contains
//	    value: "As an AI"
//	cases:
//	  - name: refund
//	    description: asks for money back
//	    vars: {customer: Bo, ticket: I want a refund}
//	    expected: refund
//	    threshold: 0.5
//	    checks:
//	      - {type: icontains, value: refund}
//	      - {type: llm-rubric, value: "Polite and offers a next step", weight: 2}
//
// A check has a type and optionally a value (any YAML), weight (> 0,
// default 1), threshold, metric and provider. Unknown fields are errors.
// Variable values and expected outputs that are not strings become their
// JSON text, as in case files.

type suiteDoc struct {
	Name        string          `yaml:"name"`
	Description string          `yaml:"description"`
	Prompt      string          `yaml:"prompt"`
	Threshold   *float64        `yaml:"threshold"`
	Checks      []suiteDocCheck `yaml:"checks"`
	Cases       []suiteDocCase  `yaml:"cases"`
}

type suiteDocCase struct {
	Name        string          `yaml:"name"`
	Description string          `yaml:"description"`
	Vars        map[string]any  `yaml:"vars"`
	Expected    any             `yaml:"expected"`
	Threshold   *float64        `yaml:"threshold"`
	Checks      []suiteDocCheck `yaml:"checks"`
}

type suiteDocCheck struct {
	Type      string   `yaml:"type"`
	Value     any      `yaml:"value"`
	Weight    *float64 `yaml:"weight"`
	Threshold *float64 `yaml:"threshold"`
	Metric    string   `yaml:"metric"`
	Provider  string   `yaml:"provider"`
}

// ParseSuiteFile reads a suite file. Errors are *FileError with the file
// name, line and column of the problem. Check values come back JSON-shaped
// (string, float64, bool, []any, map[string]any), as the store returns
// them; which check types exist is not checked here (see
// ParseSuiteFileWith).
func ParseSuiteFile(filename string, data []byte) (Suite, error) {
	return ParseSuiteFileWith(filename, data, nil)
}

// ParseSuiteFileWith is ParseSuiteFile that also passes every check to
// validate (when not nil), so that an unknown check type or a malformed
// value is reported at its line in the file.
func ParseSuiteFileWith(filename string, data []byte, validate func(Check) error) (Suite, error) {
	if err := CheckText(filename, data); err != nil {
		return Suite{}, err
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if len(bytes.TrimSpace(data)) == 0 {
		return Suite{}, &FileError{File: filename, Line: 1, Msg: "empty suite file: it needs at least a name"}
	}
	var astFile *ast.File
	if err := safeYAML(func() (err error) { astFile, err = parser.ParseBytes(data, 0); return err }); err != nil {
		return Suite{}, yamlErr(filename, string(data), 0, err)
	}
	if err := CheckYAMLExpansion(filename, astFile, 0); err != nil {
		return Suite{}, err
	}
	var doc suiteDoc
	if err := safeYAML(func() error { return yaml.UnmarshalWithOptions(data, &doc, yaml.DisallowUnknownField()) }); err != nil {
		return Suite{}, yamlErr(filename, string(data), 0, err)
	}
	fail := func(path, msg string) error {
		line, col := suitePos(astFile, path)
		return &FileError{File: filename, Line: line, Col: col, Msg: msg}
	}
	su := Suite{Name: strings.TrimSpace(doc.Name), Description: doc.Description, Prompt: strings.TrimSpace(doc.Prompt)}
	if su.Name == "" {
		line, col := nodePos(astFile, "$.name", 0)
		if line == 0 {
			line = 1
		}
		return Suite{}, &FileError{File: filename, Line: line, Col: col, Msg: "name: missing (every suite file names its suite)"}
	}
	if err := ValidateName(su.Name); err != nil {
		return Suite{}, fail("$.name", fmt.Sprintf("name: invalid suite name %q: %s", su.Name, NameRule))
	}
	if su.Prompt != "" {
		if err := ValidateName(su.Prompt); err != nil {
			return Suite{}, fail("$.prompt", "prompt: "+err.Error())
		}
	}
	if err := checkMark(doc.Threshold); err != nil {
		return Suite{}, fail("$.threshold", "threshold: "+err.Error())
	}
	su.Threshold = doc.Threshold
	// Every bad check is reported, not only the first, so that a file
	// with several is fixed in one go (as config check reports a config).
	var checkErrs FileErrors
	su.Checks = suiteChecks(doc.Checks, "$.checks", "", fail, validate, &checkErrs)
	for i, dc := range doc.Cases {
		at := fmt.Sprintf("$.cases[%d]", i)
		c := Case{Name: strings.TrimSpace(dc.Name), Description: dc.Description, Vars: map[string]string{}, Expected: caseValue(dc.Expected)}
		for k, v := range dc.Vars {
			c.Vars[k] = caseValue(v)
		}
		if err := checkMark(dc.Threshold); err != nil {
			return Suite{}, fail(at+".threshold", c.Label(i)+": threshold: "+err.Error())
		}
		c.Threshold = dc.Threshold
		// A case's check is named by its case too, as when a run grades
		// it: "check 1" alone would read as the suite's first check.
		prefix := fmt.Sprintf("case %d: ", i+1)
		if c.Name != "" {
			prefix = fmt.Sprintf("case %q: ", c.Name)
		}
		c.Checks = suiteChecks(dc.Checks, at+".checks", prefix, fail, validate, &checkErrs)
		su.Cases = append(su.Cases, c)
	}
	if len(checkErrs) > 0 {
		return Suite{}, checkErrs.err()
	}
	return su, nil
}

// FileErrors are several problems found in one file, each a *FileError;
// errors.As finds the first.
type FileErrors []error

func (e FileErrors) Error() string {
	if len(e) == 1 {
		return e[0].Error()
	}
	lines := make([]string, len(e))
	for i, err := range e {
		lines[i] = "  " + err.Error()
	}
	head := fmt.Sprintf("%d problems", len(e))
	var fe *FileError
	if errors.As(e[0], &fe) {
		head = fe.File + " has " + head
	}
	return head + ":\n" + strings.Join(lines, "\n")
}

func (e FileErrors) Unwrap() []error { return e }

// err is e's one error when it holds one, else e.
func (e FileErrors) err() error {
	if len(e) == 1 {
		return e[0]
	}
	return e
}

// suitePos is nodePos, except that a mapping is located at its first key
// rather than at that key's ':'.
func suitePos(f *ast.File, path string) (int, int) {
	if f == nil {
		return 0, 0
	}
	p, err := yaml.PathString(path)
	if err != nil {
		return 0, 0
	}
	n, err := p.FilterFile(f)
	if err != nil || n == nil {
		return 0, 0
	}
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 && m.Values[0].Key != nil {
		n = m.Values[0].Key
	}
	if m, ok := n.(*ast.MappingValueNode); ok && m.Key != nil {
		n = m.Key
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}

func checkMark(t *float64) error {
	if t != nil && !(*t >= 0 && *t <= 1) {
		return fmt.Errorf("%v is outside 0..1", *t)
	}
	return nil
}

// suiteChecks reads the checks at path at, adding what is wrong with any
// to errs; prefix names their case in errors (`case "refund": `), empty
// for the suite's own checks.
func suiteChecks(in []suiteDocCheck, at, prefix string, fail func(path, msg string) error, validate func(Check) error, errs *FileErrors) []Check {
	var out []Check
	for i, dc := range in {
		p := fmt.Sprintf("%s[%d]", at, i)
		label := fmt.Sprintf("%scheck %d", prefix, i+1)
		c := Check{Type: strings.TrimSpace(dc.Type), Threshold: dc.Threshold, Metric: dc.Metric, Provider: strings.TrimSpace(dc.Provider)}
		if c.Type == "" {
			*errs = append(*errs, fail(p, label+": type: missing (e.g. contains, llm-rubric)"))
			continue
		}
		label += " (" + c.Type + ")"
		if dc.Weight != nil {
			if w := *dc.Weight; !(w > 0) || math.IsInf(w, 0) {
				*errs = append(*errs, fail(p+".weight", fmt.Sprintf("%s: weight %v must be a number > 0 (omit it for 1)", label, w)))
				continue
			}
			c.Weight = *dc.Weight
		}
		if c.Threshold != nil && (math.IsNaN(*c.Threshold) || math.IsInf(*c.Threshold, 0)) {
			*errs = append(*errs, fail(p+".threshold", fmt.Sprintf("%s: threshold %v is not a number", label, *c.Threshold)))
			continue
		}
		v, err := jsonShaped(dc.Value)
		if err != nil {
			*errs = append(*errs, fail(p+".value", label+": value: "+err.Error()))
			continue
		}
		c.Value = v
		if validate != nil {
			if err := validate(c); err != nil {
				*errs = append(*errs, fail(p, label+": "+err.Error()))
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// jsonShaped returns v as encoding/json would decode its JSON: numbers as
// float64, lists as []any, mappings as map[string]any.
func jsonShaped(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// FormatSuiteFile writes su as a suite file, keys in a fixed order so that
// exports diff cleanly. ParseSuiteFile(FormatSuiteFile(su)) gives su back
// (with JSON-shaped check values, non-nil case vars, and no ID or times).
func FormatSuiteFile(su Suite) []byte {
	var b bytes.Buffer
	b.WriteString("name: " + yamlScalar(su.Name) + "\n")
	if su.Description != "" {
		writeYAMLValue(&b, "", "description", su.Description)
	}
	if su.Prompt != "" {
		b.WriteString("prompt: " + yamlScalar(su.Prompt) + "\n")
	}
	if su.Threshold != nil {
		writeYAMLValue(&b, "", "threshold", *su.Threshold)
	}
	if len(su.Checks) > 0 {
		b.WriteString("checks:\n")
		writeChecks(&b, "  ", su.Checks)
	}
	if len(su.Cases) > 0 {
		b.WriteString("cases:\n")
		for _, c := range su.Cases {
			first := true
			key := func() string {
				if first {
					first = false
					return "  - "
				}
				return "    "
			}
			if c.Name != "" {
				writeYAMLValueAt(&b, key(), "    ", "name", c.Name)
			}
			if c.Description != "" {
				writeYAMLValueAt(&b, key(), "    ", "description", c.Description)
			}
			b.WriteString(key() + "vars:")
			if len(c.Vars) == 0 {
				b.WriteString(" {}\n")
			} else {
				b.WriteString("\n")
				for _, k := range SortedKeys(c.Vars) {
					writeYAMLValue(&b, "      ", yamlScalar(k), c.Vars[k])
				}
			}
			if c.Expected != "" {
				writeYAMLValueAt(&b, key(), "    ", "expected", c.Expected)
			}
			if c.Threshold != nil {
				writeYAMLValueAt(&b, key(), "    ", "threshold", *c.Threshold)
			}
			if len(c.Checks) > 0 {
				b.WriteString(key() + "checks:\n")
				writeChecks(&b, "      ", c.Checks)
			}
		}
	}
	return b.Bytes()
}

func writeChecks(b *bytes.Buffer, indent string, checks []Check) {
	inner := indent + "  "
	for _, c := range checks {
		b.WriteString(indent + "- type: " + yamlScalar(c.Type) + "\n")
		if c.Value != nil {
			writeYAMLValue(b, inner, "value", c.Value)
		}
		if c.Weight != 0 {
			writeYAMLValue(b, inner, "weight", c.Weight)
		}
		if c.Threshold != nil {
			writeYAMLValue(b, inner, "threshold", *c.Threshold)
		}
		if c.Metric != "" {
			writeYAMLValue(b, inner, "metric", c.Metric)
		}
		if c.Provider != "" {
			writeYAMLValue(b, inner, "provider", c.Provider)
		}
	}
}

func writeYAMLValue(b *bytes.Buffer, indent, key string, v any) {
	writeYAMLValueAt(b, indent, indent, key, v)
}

// writeYAMLValueAt writes "key: value" after prefix; a block scalar's lines
// are indented under indent. Strings are plain, a literal block when
// multi-line and safe to write so, else double-quoted; other values are
// written as JSON, which YAML reads as the same value.
func writeYAMLValueAt(b *bytes.Buffer, prefix, indent, key string, v any) {
	s, isString := v.(string)
	if !isString {
		b.WriteString(prefix + key + ": " + compactJSON(v) + "\n")
		return
	}
	if ind, body, ok := blockStyle(s); ok {
		b.WriteString(prefix + key + ": " + ind + "\n")
		for _, line := range strings.Split(body, "\n") {
			if line == "" {
				b.WriteString("\n")
			} else {
				b.WriteString(indent + "  " + line + "\n")
			}
		}
		return
	}
	b.WriteString(prefix + key + ": " + yamlScalar(s) + "\n")
}

// blockStyle says how s is written as a literal block, when it can be:
// "|-" and s itself when blockSafe, or "|" and s without its one final
// newline (as a YAML file usually writes a multi-line value), so that an
// exported sample or case reads line by line in a review.
func blockStyle(s string) (indicator, body string, ok bool) {
	if blockSafe(s) {
		return "|-", s, true
	}
	if body, cut := strings.CutSuffix(s, "\n"); cut && body != "" && !strings.HasSuffix(body, "\n") && blockSafe(body+"\n.") { // "." stands for a last line: blockSafe wants several
		return "|", body, true
	}
	return "", "", false
}

// blockSafe reports whether s reads back unchanged from a "|-" literal
// block: several lines, printable, no leading blank or trailing whitespace.
func blockSafe(s string) bool {
	if !strings.Contains(s, "\n") || strings.TrimLeft(s, " \n") != s || strings.HasSuffix(s, "\n") {
		return false
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.TrimRight(line, " \t") != line {
			return false
		}
		for _, r := range line {
			if textutil.IsControl(r) || r == '\ufeff' || r == 0x2028 || r == 0x2029 {
				return false
			}
		}
	}
	return true
}

func compactJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "null"
	}
	return strings.TrimSuffix(string(textutil.EscapeControls(buf.Bytes())), "\n")
}

// FormatCasesCSV writes cases as a CSV case file that ParseCases reads
// back: __name and __description columns when any case has one, the
// variables (sorted), then __expected when any case has one. CSV cannot
// tell a missing variable from an empty one, so a case lacking a variable
// others have reads back with it empty; checks and thresholds are not
// written (they live in the suite file).
func FormatCasesCSV(cases []Case) []byte {
	var hasName, hasDesc, hasExp bool
	varSet := map[string]bool{}
	for _, c := range cases {
		hasName = hasName || c.Name != ""
		hasDesc = hasDesc || c.Description != ""
		hasExp = hasExp || c.Expected != ""
		for k := range c.Vars {
			varSet[k] = true
		}
	}
	vars := SortedKeys(varSet)
	var header []string
	if hasName {
		header = append(header, caseColName)
	}
	if hasDesc {
		header = append(header, caseColDescription)
	}
	header = append(header, vars...)
	if hasExp {
		header = append(header, caseColExpected)
	}
	// ParseCases skips a row that is one empty field; with fewer than two
	// columns, an empty __description column keeps such rows apart.
	if len(header) < 2 && !hasDesc {
		header = append([]string{caseColDescription}, header...)
		hasDesc = true
	}
	if len(header) < 2 {
		header = append([]string{caseColName}, header...)
		hasName = true
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(header)
	for _, c := range cases {
		row := make([]string, 0, len(header))
		if hasName {
			row = append(row, c.Name)
		}
		if hasDesc {
			row = append(row, c.Description)
		}
		for _, k := range vars {
			row = append(row, c.Vars[k])
		}
		if hasExp {
			row = append(row, c.Expected)
		}
		w.Write(row)
	}
	w.Flush()
	return b.Bytes()
}

// CasesCSVLosses names what FormatCasesCSV writes that ParseCases reads
// back otherwise: a CR LF inside a value (a CSV reader takes it for a line
// end and keeps the LF), as "case 2 (refund) variable ticket", and a
// variable name a header cell cannot hold (empty, with surrounding spaces,
// or a column name of its own: __name, __description, __expected). A
// missing variable reading back empty is not listed: FormatCasesCSV's doc
// says so.
func CasesCSVLosses(cases []Case) []string {
	var out []string
	bad := map[string]bool{}
	for _, c := range cases {
		for k := range c.Vars {
			if strings.TrimSpace(k) != k || k == "" || k == caseColName || k == caseColDescription || k == caseColExpected {
				bad[k] = true
			}
		}
	}
	for _, k := range SortedKeys(bad) {
		out = append(out, fmt.Sprintf("variable name %q", k))
	}
	for i, c := range cases {
		at := fmt.Sprintf("case %d", i+1)
		if c.Name != "" {
			at += " (" + c.Name + ")"
		}
		check := func(what, v string) {
			if strings.Contains(v, "\r\n") {
				out = append(out, at+" "+what)
			}
		}
		check("name", c.Name)
		check("description", c.Description)
		for _, k := range SortedKeys(c.Vars) {
			check("variable "+k, c.Vars[k])
		}
		check("expected", c.Expected)
	}
	return out
}

// FormatCasesJSONL writes one JSON object per case, {"name", "description",
// "vars", "expected"} (empty fields left out, vars always written), that
// ParseCases reads back. Checks and thresholds are not written.
func FormatCasesJSONL(cases []Case) []byte {
	type line struct {
		Name        string            `json:"name,omitempty"`
		Description string            `json:"description,omitempty"`
		Vars        map[string]string `json:"vars"`
		Expected    string            `json:"expected,omitempty"`
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, c := range cases {
		vars := c.Vars
		if vars == nil {
			vars = map[string]string{}
		}
		// Encoding a struct of strings and a string map cannot fail.
		_ = enc.Encode(line{Name: c.Name, Description: c.Description, Vars: vars, Expected: c.Expected})
	}
	return textutil.EscapeControls(b.Bytes())
}
