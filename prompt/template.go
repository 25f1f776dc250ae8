package prompt

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Template is a parsed message body: literal text and {{variable}}
// placeholders. Whitespace is allowed inside the braces ({{ name }}); \{{
// writes a literal "{{". A variable name starts with a letter or '_' and
// holds letters, digits, '_', '.' or '-'.
type Template struct {
	parts []part
}

type part struct {
	text string // literal text, when name is empty
	name string
}

// SyntaxError locates a template problem: 1-based line and column of the
// offending "{{".
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// MissingVarsError names every variable a render needed and was not given.
type MissingVarsError struct{ Names []string }

func (e *MissingVarsError) Error() string {
	quoted := make([]string, len(e.Names))
	for i, n := range e.Names {
		quoted[i] = "{{" + n + "}}"
	}
	noun := "variable"
	if len(e.Names) > 1 {
		noun = "variables"
	}
	return fmt.Sprintf("missing template %s: %s", noun, strings.Join(quoted, ", "))
}

func isNameStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isNameChar(c byte) bool {
	return isNameStart(c) || c >= '0' && c <= '9' || c == '.' || c == '-'
}

// ParseTemplate parses text. On a syntax error it returns the template read
// so far (so Variables still reports what it could) and a *SyntaxError.
func ParseTemplate(text string) (Template, error) {
	var t Template
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t.parts = append(t.parts, part{text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(text); {
		if text[i] == '\\' && strings.HasPrefix(text[i+1:], "{{") {
			lit.WriteString("{{")
			i += 3
			continue
		}
		if !strings.HasPrefix(text[i:], "{{") {
			lit.WriteByte(text[i])
			i++
			continue
		}
		name, end, ok := placeholderAt(text, i)
		if !ok {
			flush()
			line, col := position(text, i)
			msg := "unclosed {{: expected {{name}} (write \\{{ for a literal {{)"
			if end := strings.Index(text[i:], "}}"); end >= 0 && !strings.Contains(text[i:i+end], "\n") {
				msg = fmt.Sprintf("invalid variable %q: a name starts with a letter or '_' and holds letters, digits, '_', '.' or '-' (write \\{{ for a literal {{)", strings.TrimSpace(text[i+2:i+end]))
			}
			return t, &SyntaxError{Line: line, Col: col, Msg: msg}
		}
		flush()
		t.parts = append(t.parts, part{name: name})
		i = end
	}
	flush()
	return t, nil
}

// placeholderAt reads the {{name}} that starts at text[i:] (which begins
// with "{{"): the variable's name and the offset just past its "}}". ok is
// false when no valid placeholder starts there.
func placeholderAt(text string, i int) (name string, end int, ok bool) {
	j := i + 2
	for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
		j++
	}
	start := j
	if j < len(text) && isNameStart(text[j]) {
		j++
		for j < len(text) && isNameChar(text[j]) {
			j++
		}
	}
	name = text[start:j]
	for j < len(text) && (text[j] == ' ' || text[j] == '\t') {
		j++
	}
	if name == "" || !strings.HasPrefix(text[j:], "}}") {
		return "", 0, false
	}
	return name, j + 2, true
}

func position(text string, off int) (line, col int) {
	line = 1 + strings.Count(text[:off], "\n")
	col = off - strings.LastIndex(text[:off], "\n")
	return line, col
}

// Variables lists the variable names in order of first use.
func (t Template) Variables() []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range t.parts {
		if p.name != "" && !seen[p.name] {
			seen[p.name] = true
			out = append(out, p.name)
		}
	}
	return out
}

// Execute renders the template. Extra variables are ignored; missing ones
// give a *MissingVarsError naming each of them, in order of first use.
func (t Template) Execute(vars map[string]string) (string, error) {
	var b strings.Builder
	var missing []string
	seen := map[string]bool{}
	for _, p := range t.parts {
		if p.name == "" {
			b.WriteString(p.text)
			continue
		}
		v, ok := vars[p.name]
		if !ok {
			if !seen[p.name] {
				seen[p.name] = true
				missing = append(missing, p.name)
			}
			continue
		}
		b.WriteString(v)
	}
	if len(missing) > 0 {
		return "", &MissingVarsError{Names: missing}
	}
	return b.String(), nil
}

// Render parses and executes text.
func Render(text string, vars map[string]string) (string, error) {
	t, err := ParseTemplate(text)
	if err != nil {
		return "", err
	}
	return t.Execute(vars)
}

// RenderMessages renders every message. A syntax error names the message
// (1-based) it is in; missing variables are gathered across all messages.
func RenderMessages(msgs []Message, vars map[string]string) ([]Message, error) {
	out := make([]Message, len(msgs))
	var missing []string
	seen := map[string]bool{}
	for i, m := range msgs {
		t, err := ParseTemplate(m.Content)
		if err != nil {
			return nil, fmt.Errorf("message %d (%s): %w", i+1, m.Role, err)
		}
		s, err := t.Execute(vars)
		if me, ok := err.(*MissingVarsError); ok {
			for _, n := range me.Names {
				if !seen[n] {
					seen[n] = true
					missing = append(missing, n)
				}
			}
			continue
		}
		out[i] = Message{Role: m.Role, Content: s}
	}
	if len(missing) > 0 {
		return nil, &MissingVarsError{Names: missing}
	}
	return out, nil
}

// SortedKeys returns a map's keys sorted; handy for stable output of vars.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var (
	foreignTagRe  = regexp.MustCompile(`(?s)\{%.*?%\}|\{#.*?#\}|\{%|\{#`)
	foreignExprRe = regexp.MustCompile(`(?s)\{\{(.*?)\}\}`)
	plainNameRe   = regexp.MustCompile(`^[ \t]*[A-Za-z_][A-Za-z0-9_.-]*[ \t]*$`)
)

// ForeignSyntax finds the first construct of another template language
// (Jinja2, Nunjucks, Mustache) in s that whet's templates do not have: a
// {% tag %}, a {# comment #}, or a {{ … }} holding more than a variable
// name (a filter, an expression, whitespace control, a Mustache section,
// comment or partial). It returns the construct's byte offset and text, or
// -1 and "" when s has none. An escaped \{{ is not a construct. Importers
// use it to refuse such text with a message naming the construct, rather
// than keep it as literal text or fail on a bare syntax error.
func ForeignSyntax(s string) (offset int, construct string) {
	offset = -1
	if loc := foreignTagRe.FindStringIndex(s); loc != nil {
		offset, construct = loc[0], s[loc[0]:loc[1]]
	}
	for _, m := range foreignExprRe.FindAllStringSubmatchIndex(s, -1) {
		if offset >= 0 && m[0] > offset {
			break
		}
		if m[0] > 0 && s[m[0]-1] == '\\' {
			continue
		}
		if !plainNameRe.MatchString(s[m[2]:m[3]]) {
			return m[0], s[m[0]:m[1]]
		}
	}
	return offset, construct
}
