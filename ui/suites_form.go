package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"sort"
	"strings"

	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/goccy/go-yaml"

	"whet/eval"
	"whet/prompt"
)

// The fields of the case form, in tab order.
const (
	formName = iota
	formDesc
	formExpected
	formVars
	formChecks
	formFields
)

var formLabels = [formFields]string{"name", "description", "expected", "vars", "checks"}

// formError is a problem with one field of the case form.
type formError struct {
	field int
	msg   string
}

func (e *formError) Error() string { return formLabels[e.field] + ": " + e.msg }

// caseForm edits one case: name, description and expected output, the
// variables as name=value lines, and the checks as YAML list items, one a
// line (`- {type: icontains, value: refund}`).
type caseForm struct {
	index int // the case's index in the draft; -1 = a new case
	orig  prompt.Case

	name, desc             valueField
	expected, vars, checks textarea.Model
	focus                  int
	start                  [formFields]string // the values it opened with
	lossyExpected          bool               // the expected output holds what its field cannot show
	err                    error
	w, h                   int
	ready                  bool // built by newCaseForm (the zero form has no fields)
}

const formLabelWidth = 13

// newCaseForm opens the form on case c (index -1: a new case); varsHint
// stands in the empty variables field. The fields show its text sanitised,
// as every view does (a field would keep an escape sequence's body and a
// bidi override), a one-line field each line break as ⏎, a text area each
// tab as spaces; a field the user does not edit is saved as the case
// held it (see result), so saving one field never rewrites the others.
func newCaseForm(sh *shared, index int, c prompt.Case, varsHint string) caseForm {
	st := sh.styles()
	ti := func(v, placeholder string) valueField {
		t := textinput.New()
		t.Prompt = ""
		t.Placeholder = placeholder
		t.SetStyles(st.TextInput)
		f := valueField{Model: t}
		f.setExact(v)
		f.CursorEnd()
		return f
	}
	ta := func(v, placeholder string) textarea.Model {
		t := textarea.New()
		t.ShowLineNumbers = false
		t.Prompt = "│ "
		t.MaxHeight = 0
		t.CharLimit = 0
		t.Placeholder = placeholder
		t.KeyMap.LineNext.SetKeys("down")
		t.KeyMap.LinePrevious.SetKeys("up")
		t.SetStyles(st.TextArea)
		t.SetValue(sanitize(v))
		t.MoveToBegin()
		return t
	}
	f := caseForm{
		index:    index,
		orig:     c,
		name:     ti(c.Name, "optional, e.g. late-order"),
		desc:     ti(c.Description, "optional"),
		expected: ta(c.Expected, "the reference answer (optional)"),
		vars:     ta(formatVars(sanitizeVars(c.Vars)), varsHint),
		checks:   ta(formatChecks(c.Checks), "- {type: icontains, value: refund}"),
	}
	f.start = f.values()
	_, ok := rejoin(c.Expected, f.start[formExpected], "", false)
	f.lossyExpected = !ok
	f.ready = true
	return f
}

// sanitizeVars is vars with every value sanitised (before formatVars
// escapes the backslash that ends an escape sequence).
func sanitizeVars(vars map[string]string) map[string]string {
	out := make(map[string]string, len(vars))
	for k, v := range vars {
		out[sanitize(k)] = sanitize(v)
	}
	return out
}

// values are the fields' texts.
func (f caseForm) values() [formFields]string {
	return [formFields]string{f.name.Value(), f.desc.Value(), f.expected.Value(), f.vars.Value(), f.checks.Value()}
}

// edited reports whether field i's text differs from what it opened with.
func (f caseForm) edited(i int) bool { return f.values()[i] != f.start[i] }

// changed reports whether any field differs from what the form opened with.
func (f caseForm) changed() bool { return f.values() != f.start }

func (f caseForm) applyTheme(sh *shared) caseForm {
	if !f.ready {
		return f
	}
	st := sh.styles()
	f.name.Model.SetStyles(st.TextInput)
	f.desc.Model.SetStyles(st.TextInput)
	f.expected.SetStyles(st.TextArea)
	f.vars.SetStyles(st.TextArea)
	f.checks.SetStyles(st.TextArea)
	return f
}

// heights are the rows of the three text areas for a form h rows high:
// title and a blank line above, two error rows and a hint below.
func (f caseForm) heights() (exp, vars, checks int) {
	rest := max(3, f.h-5-2)
	exp = clamp(rest/5, 1, 4)
	vars = clamp((rest-exp)/2, 1, 10)
	checks = clamp(rest-exp-vars, 1, 16)
	return
}

func (f caseForm) setSize(sh *shared, w, h int) caseForm {
	f.w, f.h = w, h
	if !f.ready {
		return f
	}
	iw := max(10, w-formLabelWidth-1)
	sizeInput(&f.name.Model, iw-1)
	sizeInput(&f.desc.Model, iw-1)
	e, v, c := f.heights()
	f.expected.SetWidth(iw)
	f.expected.SetHeight(e)
	f.vars.SetWidth(iw)
	f.vars.SetHeight(v)
	f.checks.SetWidth(iw)
	f.checks.SetHeight(c)
	return f
}

// focusField focuses field i (wrapping around) and blurs the others.
func (f caseForm) focusField(i int) (caseForm, tea.Cmd) {
	f.focus = (i + formFields) % formFields
	f.name.Blur()
	f.desc.Blur()
	f.expected.Blur()
	f.vars.Blur()
	f.checks.Blur()
	return f, f.focusNow()
}

func (f *caseForm) focusNow() tea.Cmd {
	switch f.focus {
	case formName:
		return f.name.Focus()
	case formDesc:
		return f.desc.Focus()
	case formExpected:
		return f.expected.Focus()
	case formVars:
		return f.vars.Focus()
	}
	return f.checks.Focus()
}

func (f caseForm) update(msg tea.Msg) (caseForm, tea.Cmd) {
	var cmd tea.Cmd
	switch f.focus {
	case formName:
		f.name, cmd = f.name.update(msg)
	case formDesc:
		f.desc, cmd = f.desc.update(msg)
	case formExpected:
		f.expected, cmd = f.expected.Update(msg)
	case formVars:
		f.vars, cmd = f.vars.Update(msg)
	case formChecks:
		f.checks, cmd = f.checks.Update(msg)
	}
	return f, cmd
}

// result builds the case from the fields; the error names the field. A
// field left as it opened gives the case's value as it was (the fields
// cannot hold control characters, a one-line field a line break, a text
// area a tab); so does a variable whose line was left so.
func (f caseForm) result() (prompt.Case, error) {
	c := f.orig
	c.Vars = maps.Clone(f.orig.Vars)
	if c.Vars == nil {
		c.Vars = map[string]string{}
	}
	if f.name.edited() {
		c.Name = strings.TrimSpace(f.name.value())
	}
	if f.desc.edited() {
		c.Description = strings.TrimSpace(f.desc.value())
	}
	if f.edited(formExpected) {
		c.Expected = f.expected.Value()
		if v, ok := rejoin(f.orig.Expected, f.start[formExpected], c.Expected, false); ok {
			c.Expected = v
		}
	}
	if f.edited(formVars) {
		vars, err := parseVars(f.vars.Value())
		if err != nil {
			return prompt.Case{}, &formError{field: formVars, msg: err.Error()}
		}
		c.Vars = keepUnedited(vars, f.orig.Vars)
	}
	if f.edited(formChecks) {
		checks, err := parseChecks(f.checks.Value())
		if err != nil {
			return prompt.Case{}, &formError{field: formChecks, msg: err.Error()}
		}
		c.Checks = checks
	}
	return c, nil
}

// keepUnedited is vars with each variable the form showed unedited (its
// name and value as sanitizeVars gave them) as orig holds it.
func keepUnedited(vars, orig map[string]string) map[string]string {
	for k, v := range orig {
		sk := sanitize(k)
		if got, ok := vars[sk]; ok && got == sanitize(v) {
			delete(vars, sk)
			vars[k] = v
		}
	}
	return vars
}

func (f caseForm) view(sh *shared, title string, w, h int) string {
	st := sh.styles()
	lines := []string{trunc(st.Title.Render(oneLine(title)), w), ""}
	var errField = -1
	var fe *formError
	if errors.As(f.err, &fe) {
		errField = fe.field
	}
	label := func(i int) string {
		s := st.InputLabel
		if i == errField {
			s = st.Error
		} else if i == f.focus {
			s = st.Key
		}
		return s.Render(pad(formLabels[i], formLabelWidth-1)) + " "
	}
	add := func(i int, body string) {
		for j, l := range strings.Split(body, "\n") {
			prefix := strings.Repeat(" ", formLabelWidth)
			if j == 0 {
				prefix = label(i)
			}
			lines = append(lines, trunc(prefix+l, w))
		}
	}
	add(formName, inputView(f.name.Model))
	add(formDesc, inputView(f.desc.Model))
	add(formExpected, f.expected.View())
	add(formVars, f.vars.View())
	add(formChecks, f.checks.View())
	body := fitLines(strings.Join(lines, "\n"), w, max(0, h-3))
	var errLines []string
	if f.err != nil {
		errLines = strings.Split(wrapLine(oneLine(f.err.Error()), w), "\n")
		if len(errLines) > 2 {
			errLines = errLines[:2]
			errLines[1] = trunc(strings.TrimRight(errLines[1], " ")+"…", w)
		}
		for i := range errLines {
			errLines[i] = st.Error.Render(strings.TrimRight(errLines[i], " "))
		}
	}
	if note := f.lossyNote(); f.err == nil && note != "" {
		errLines = append(errLines, st.Muted.Render(trunc(note, w)))
	}
	for len(errLines) < 2 {
		errLines = append(errLines, "")
	}
	hint := st.Key.Render("tab") + st.KeyDesc.Render(" next field  ") + st.Key.Render("ctrl+s") + st.KeyDesc.Render(" keep case and save  ") +
		st.Key.Render("esc") + st.KeyDesc.Render(" cancel  ")
	// The tip reads whole or not at all: its short form where the long
	// one does not fit (80 columns), never cut mid-phrase.
	for _, tip := range []string{"vars: name=value, \\n for a newline", "vars: \\n for a newline"} {
		if ansi.StringWidth(hint)+ansi.StringWidth(tip) <= w {
			hint += st.Muted.Render(tip)
			break
		}
	}
	return body + "\n" + strings.Join(errLines, "\n") + "\n" + trunc(hint, w)
}

// lossyNote names the fields whose case value holds control characters
// the field hides, and says what saving does with them: the edited ones
// lose them; "" when no field hides any.
func (f caseForm) lossyNote() string {
	var hidden, edited []string
	for _, c := range []struct {
		field  int
		hidden bool
	}{{formName, f.name.hidden()}, {formDesc, f.desc.hidden()}, {formExpected, f.lossyExpected}} {
		if !c.hidden {
			continue
		}
		hidden = append(hidden, formLabels[c.field])
		if f.edited(c.field) {
			edited = append(edited, formLabels[c.field])
		}
	}
	switch {
	case len(edited) > 0:
		return hiddenNote(strings.Join(edited, ", "), true, "saved")
	case len(hidden) > 0:
		return hiddenNote(strings.Join(hidden, ", "), false, "saved")
	}
	return ""
}

// sortedVarNames returns the names of vars in order.
func sortedVarNames(vars map[string]string) []string {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// formatVars writes vars as name=value lines, sorted by name, with
// backslash, newline, carriage return and tab escaped (\\ \n \r \t).
func formatVars(vars map[string]string) string {
	var b strings.Builder
	for _, k := range sortedVarNames(vars) {
		b.WriteString(k)
		b.WriteByte('=')
		for _, r := range vars[k] {
			switch r {
			case '\\':
				b.WriteString(`\\`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				b.WriteRune(r)
			}
		}
		b.WriteByte('\n')
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// parseVars reads name=value lines (the inverse of formatVars). Blank
// lines and lines starting with # are skipped; errors give the line.
func parseVars(text string) (map[string]string, error) {
	vars := map[string]string{}
	for i, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok {
			return nil, fmt.Errorf("line %d: %q has no '=' (write name=value)", i+1, trunc(t, 30))
		}
		if k == "" {
			return nil, fmt.Errorf("line %d: a name is missing before '='", i+1)
		}
		if _, dup := vars[k]; dup {
			return nil, fmt.Errorf("line %d: %s is set twice", i+1, k)
		}
		val, err := unescapeVar(v)
		if err != nil {
			return nil, fmt.Errorf("line %d: %s: %v", i+1, k, err)
		}
		vars[k] = val
	}
	return vars, nil
}

func unescapeVar(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if rs[i] != '\\' {
			b.WriteRune(rs[i])
			continue
		}
		if i+1 >= len(rs) {
			return "", errors.New(`a lone \ at the end (write \\ for a backslash)`)
		}
		i++
		switch rs[i] {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case '\\':
			b.WriteByte('\\')
		default:
			return "", fmt.Errorf(`unknown escape \%c (use \n, \t, \r or \\)`, rs[i])
		}
	}
	return b.String(), nil
}

// formatChecks writes checks as YAML flow mappings, one list item a line.
func formatChecks(checks []prompt.Check) string {
	lines := make([]string, 0, len(checks))
	for _, c := range checks {
		c.Value = wholeNumbers(c.Value)
		b, err := yaml.MarshalWithOptions(c, yaml.Flow(true))
		if err == nil && strings.Contains(strings.TrimSpace(string(b)), "\n") {
			// A multi-line value: JSON (also YAML) keeps it on one line.
			b, err = json.Marshal(c)
		}
		if err != nil {
			// A value YAML cannot write (not from the store or a file).
			b = []byte(fmt.Sprintf("{type: %s}", c.Type))
		}
		lines = append(lines, "- "+strings.TrimSpace(string(b)))
	}
	return strings.Join(lines, "\n")
}

// wholeNumbers returns v (JSON-shaped) with whole float64s as int64, so
// that {max: 80} is not written as {max: 80.0}. Parsing gives float64 back.
func wholeNumbers(v any) any {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = wholeNumbers(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = wholeNumbers(e)
		}
		return out
	}
	return v
}

// checksHeader wraps the field's lines into a suite file for the parser.
const checksHeader = "name: form\nchecks:\n"

// parseChecks reads a YAML list of checks (values come back JSON-shaped,
// as the store returns them) and validates them with eval.ValidateChecks.
// Errors give the line in the field.
func parseChecks(text string) ([]prompt.Check, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	var b strings.Builder
	b.WriteString(checksHeader)
	for _, l := range strings.Split(text, "\n") {
		b.WriteString("  " + l + "\n")
	}
	su, err := prompt.ParseSuiteFileWith("checks", []byte(b.String()), eval.ValidateCheck)
	if err != nil {
		var fe *prompt.FileError
		if errors.As(err, &fe) {
			if line := fe.Line - strings.Count(checksHeader, "\n"); line >= 1 {
				return nil, fmt.Errorf("line %d: %s", line, oneLine(fe.Msg))
			}
			return nil, errors.New(oneLine(fe.Msg))
		}
		return nil, err
	}
	if err := eval.ValidateChecks(su.Checks); err != nil {
		return nil, errors.New(oneLine(err.Error()))
	}
	if len(su.Checks) == 0 {
		return nil, errors.New("write each check as a list item: - {type: icontains, value: x}")
	}
	return su.Checks, nil
}
