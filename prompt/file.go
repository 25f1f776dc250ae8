package prompt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"whet/textutil"
)

// File is a prompt in whet's file format: Markdown with YAML front matter
// and one "## role" section per message. It is what `whet prompt export`
// writes, `import` reads, and `$EDITOR` edits.
//
//	---
//	name: support/reply
//	description: Reply to a support ticket
//	labels: {purpose: support, tone: friendly}
//	params: {temperature: 0.3, max_tokens: 400}
//	tags: [production]
//	vars: {customer: Ana}
//	cases:
//	  - name: refund
//	    vars: {customer: Bo}
//	    expected: refund
//	version: 3          # informational
//	hash: 1f2e3d4c5b6a  # informational
//	---
//
//	## system
//
//	You are …
//
//	## user
//
//	Hello {{customer}}
//
// A section starts at a line that is exactly "## system", "## user" or
// "## assistant" (any case). Content is the text up to the next section
// heading with surrounding blank lines trimmed; a content line that is itself
// such a heading is written as "\## user". ParseFile(FormatFile(f)) yields the
// same messages and params, hence the same content hash.
type File struct {
	Name        string
	Description string
	Labels      Labels
	Params      Params
	Tags        []string
	Vars        map[string]string
	Cases       []Case
	Messages    []Message
	// Version and Hash are written on export for the reader; import ignores them.
	Version int
	Hash    string
}

// Content returns the hashed part.
func (f File) Content() Content { return Content{Messages: f.Messages, Params: f.Params} }

// FileError locates a problem in a prompt file.
type FileError struct {
	File      string
	Line, Col int // 1-based; 0 when unknown
	Msg       string
}

func (e *FileError) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

type fileFront struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description"`
	Labels      map[string]string `yaml:"labels"`
	Params      map[string]any    `yaml:"params"`
	Tags        []string          `yaml:"tags"`
	Vars        map[string]string `yaml:"vars"`
	Cases       []fileCase        `yaml:"cases"`
	Version     int               `yaml:"version"`
	Hash        string            `yaml:"hash"`
}

type fileCase struct {
	Name        string            `yaml:"name"`
	Description string            `yaml:"description"`
	Vars        map[string]string `yaml:"vars"`
	Expected    string            `yaml:"expected"`
}

var headingRe = regexp.MustCompile(`^##[ \t]+(?i:(system|user|assistant))[ \t]*$`)

// escapedHeadingRe is a content line that looks like a heading behind one
// or more backslashes: the file holds it with one backslash more than the
// message (## user as \## user, \## user as \\## user).
var escapedHeadingRe = regexp.MustCompile(`^\\+##[ \t]+(?i:(system|user|assistant))[ \t]*$`)

// splitFront splits "---\nYAML\n---\nbody". It returns the YAML, the body,
// and the 1-based line on which the YAML starts.
func splitFront(filename string, data []byte) (front, body string, bodyLine int, err error) {
	if err := CheckText(filename, data); err != nil {
		return "", "", 0, err
	}
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	s = strings.TrimPrefix(s, "\ufeff")
	if !strings.HasPrefix(s, "---\n") {
		return "", "", 0, &FileError{File: filename, Line: 1, Col: 1, Msg: "a prompt file starts with a '---' line opening its YAML front matter"}
	}
	rest := s[4:]
	end := -1
	if strings.HasPrefix(rest, "---\n") || rest == "---" {
		end = 0
	} else if i := strings.Index(rest, "\n---\n"); i >= 0 {
		end = i + 1
	} else if strings.HasSuffix(rest, "\n---") {
		end = len(rest) - 3
	}
	if end < 0 {
		return "", "", 0, &FileError{File: filename, Line: 1, Col: 1, Msg: "the front matter opened on line 1 is never closed by a '---' line"}
	}
	front = rest[:end]
	body = strings.TrimPrefix(rest[end:], "---")
	body = strings.TrimPrefix(body, "\n")
	bodyLine = 2 + strings.Count(front, "\n") + 1
	return front, body, bodyLine, nil
}

// yamlErr turns a goccy error on src into a FileError with file:line:col,
// the line shifted by the front matter's offset in the file. A value of the
// wrong type is named by its field, as in "labels.team: want text, found a
// list", so a reader need not work out which key the position points into.
func yamlErr(filename, src string, lineOffset int, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		msg := plainTypeError(YAMLMessage(ye.GetMessage()))
		// A position inside the message ("already defined at [1:1]") is
		// the front matter's: said as the file's line.
		msg = yamlPosInMsg.ReplaceAllStringFunc(msg, func(m string) string {
			sub := yamlPosInMsg.FindStringSubmatch(m)
			line, _ := strconv.Atoi(sub[1])
			return fmt.Sprintf("on line %d", line+lineOffset)
		})
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			if path := yamlPathAt(src, tk.Position.Line, tk.Position.Column); path != "" && strings.HasPrefix(msg, "want ") {
				msg = path + ": " + msg
			}
			return &FileError{File: filename, Line: tk.Position.Line + lineOffset, Col: tk.Position.Column, Msg: msg}
		}
		return &FileError{File: filename, Msg: msg}
	}
	return &FileError{File: filename, Msg: plainTypeError(err.Error())}
}

// yamlPosInMsg is a position goccy writes inside a message: "at [3:1]".
var yamlPosInMsg = regexp.MustCompile(`at \[(\d+):\d+\]`)

// yamlPathAt is the path of the YAML node at line:col of src, the way a
// reader names a field ("labels.team", "cases[0].vars.q"); "" for the
// document itself or when src does not parse.
func yamlPathAt(src string, line, col int) string {
	var f *ast.File
	if safeYAML(func() (err error) { f, err = parser.ParseBytes([]byte(src), 0); return err }) != nil || f == nil {
		return ""
	}
	found := &yamlPathFinder{line: line, col: col}
	if safeYAML(func() error { // a node of a malformed document may lack its token
		for _, doc := range f.Docs {
			ast.Walk(found, doc)
		}
		return nil
	}) != nil {
		return ""
	}
	return strings.TrimPrefix(strings.TrimPrefix(found.path, "$"), ".")
}

type yamlPathFinder struct {
	line, col int
	path      string
}

func (v *yamlPathFinder) Visit(n ast.Node) ast.Visitor {
	if v.path != "" {
		return nil
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil && tk.Position.Line == v.line && tk.Position.Column == v.col {
		v.path = n.GetPath()
		return nil
	}
	return v
}

// YAMLMessage says a YAML parser's message in a reader's words where the
// parser's are cryptic: a tab, which YAML never allows for indentation, is
// named as such instead of being quoted raw ("found character '	' that
// cannot start any token"), and a value of the wrong shape says what was
// wanted and found in the words of the other messages ("want a list, found
// a mapping", not "mapping was used where sequence is expected"). Other
// messages are returned unchanged.
func YAMLMessage(msg string) string {
	if strings.Contains(msg, "found character '\t' that cannot start any token") {
		return "a tab character: YAML indents with spaces, never tabs"
	}
	if msg == "mapping value is not allowed in this context" {
		// goccy points at the value: it holds ": " or swallowed the next,
		// over-indented line.
		return msg + ": quote the value if it holds ': ', or indent the line after it no more than its key"
	}
	if m := yamlNodeTypeError.FindStringSubmatch(msg); m != nil {
		return strings.Replace(msg, m[0], "want "+yamlNodeName(m[2])+", found "+yamlNodeName(m[1]), 1)
	}
	return msg
}

// yamlNodeTypeError matches go-yaml's "X was used where Y is expected".
var yamlNodeTypeError = regexp.MustCompile(`(\w+) was used where (\w+) is expected`)

func yamlNodeName(t string) string {
	switch t {
	case "mapping":
		return "a mapping"
	case "sequence":
		return "a list"
	case "null":
		return "nothing"
	case "int", "float", "inf", "nan":
		return "a number"
	case "boolean":
		return "true or false"
	case "string", "scalar":
		return "text"
	}
	return t
}

// goTypeError matches the decoders' "cannot unmarshal X into Go struct
// field T.F of type Y" (or "into Go value of type Y").
var goTypeError = regexp.MustCompile(`(?:json: )?cannot unmarshal (.+?) into Go (?:struct field \S+|value) of type (\S+(?: \{\})?)`)

// plainTypeError says a decoder's type mismatch in the file's words ("want
// a number, found text") instead of Go's type names; other messages pass.
func plainTypeError(msg string) string {
	m := goTypeError.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	return strings.Replace(msg, m[0], "want "+plainType(m[2])+", found "+plainType(m[1]), 1)
}

func plainType(t string) string {
	switch {
	case t == "string":
		return "text"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "[]") || t == "array":
		return "a list"
	case strings.HasPrefix(t, "map[") || t == "object":
		return "a mapping"
	case strings.Contains(t, "int") || strings.Contains(t, "float") || t == "number":
		return "a number"
	}
	return t
}

// nodePos finds the position of a YAML path (e.g. "$.params.temperature")
// in the parsed front matter; 0,0 when not found.
func nodePos(f *ast.File, path string, lineOffset int) (int, int) {
	if f == nil {
		return 0, 0
	}
	p, err := yaml.PathString(path)
	if err != nil {
		return 0, 0
	}
	n, err := p.FilterFile(f)
	if err != nil || n == nil || n.GetToken() == nil {
		return 0, 0
	}
	return n.GetToken().Position.Line + lineOffset, n.GetToken().Position.Column
}

// ParseFile parses a prompt file. An error is a *FileError with the file
// name, line and column of the problem, or FileErrors holding one for
// each problem, in line order, when the file has several; an error that
// stops the reading (malformed YAML) is the one error.
func ParseFile(filename string, data []byte) (File, error) {
	front, body, bodyLine, err := splitFront(filename, data)
	if err != nil {
		return File{}, err
	}
	ff, astFile, bad, errs, err := decodeFront(filename, front, 1)
	if err != nil {
		return File{}, err
	}
	fail := func(path, msg string) {
		line, col := nodePos(astFile, path, 1)
		errs = append(errs, &FileError{File: filename, Line: line, Col: col, Msg: msg})
	}
	f := File{Name: strings.TrimSpace(ff.Name), Description: ff.Description, Tags: ff.Tags, Vars: ff.Vars, Version: ff.Version, Hash: ff.Hash}
	if f.Name == "" {
		if !bad["name"] {
			errs = append(errs, &FileError{File: filename, Line: 2, Msg: "name: missing (every prompt file names its prompt)"})
		}
	} else if err := ValidateName(f.Name); err != nil {
		fail("$.name", "name: "+err.Error())
	}
	if len(ff.Labels) > 0 {
		f.Labels = Labels{}
		for _, k := range SortedKeys(ff.Labels) {
			if err := ValidateLabelKey(k); err != nil {
				fail("$.labels."+k, "labels: "+err.Error())
				continue
			}
			f.Labels[strings.ToLower(k)] = ff.Labels[k]
		}
	}
	for _, k := range SortedKeys(ff.Params) {
		text, err := paramText(ff.Params[k])
		if err == nil {
			err = f.Params.Set(k, text)
		}
		if err != nil {
			fail("$.params."+k, "params: "+err.Error())
			continue
		}
		// A quoted provider option is text, as export writes one
		// ("123", "true"), not the number or boolean Set reads it as.
		if s, ok := ff.Params[k].(string); ok && s != "" && isProviderOption(strings.TrimSpace(k)) && quotedParam(astFile, k) {
			f.Params.Extra[strings.TrimSpace(k)] = s
		}
	}
	for i, t := range ff.Tags {
		if err := ValidateTag(t); err != nil {
			fail(fmt.Sprintf("$.tags[%d]", i), "tags: "+err.Error())
		}
	}
	for _, c := range ff.Cases {
		f.Cases = append(f.Cases, Case{Name: c.Name, Description: c.Description, Vars: c.Vars, Expected: c.Expected})
	}
	msgs, starts, err := parseSections(filename, body, bodyLine)
	if err != nil {
		errs = append(errs, err)
	}
	// A template error names the file's line, not the message's.
	for i, m := range msgs {
		if _, err := ParseTemplate(m.Content); err != nil {
			var se *SyntaxError
			if errors.As(err, &se) {
				errs = append(errs, &FileError{File: filename, Line: starts[i] + se.Line - 1, Col: se.Col, Msg: se.Msg})
			} else {
				errs = append(errs, &FileError{File: filename, Line: starts[i], Msg: err.Error()})
			}
		}
	}
	if len(errs) > 0 {
		sortFileErrors(errs)
		return File{}, errs.err()
	}
	f.Messages = msgs
	return f, nil
}

// quotedParam reports whether params.key is a quoted scalar ("123",
// '1e-7'), which is text, unlike the same characters unquoted. The key
// may hold dots ("openai.user"), which a YAML path would split.
func quotedParam(f *ast.File, key string) bool {
	if f == nil {
		return false
	}
	quoted := false
	for _, doc := range f.Docs {
		top, ok := doc.Body.(*ast.MappingNode)
		if !ok {
			continue
		}
		for _, kv := range top.Values {
			params, ok := kv.Value.(*ast.MappingNode)
			if !ok || kv.Key.GetToken() == nil || kv.Key.GetToken().Value != "params" {
				continue
			}
			for _, p := range params.Values {
				if tk := p.Key.GetToken(); tk != nil && tk.Value == key && p.Value.GetToken() != nil {
					t := p.Value.GetToken().Type
					quoted = t == token.DoubleQuoteType || t == token.SingleQuoteType
				}
			}
		}
	}
	return quoted
}

// isProviderOption reports whether key is kept in Params.Extra as given:
// not a well-known param, for every provider or for one kind.
func isProviderOption(key string) bool {
	if _, name, ok := scopeOf(key); ok {
		key = name
	}
	return !slices.Contains(ParamKeys, key)
}

// decodeFront decodes the front matter. A value of the wrong kind or an
// unknown key is not the end of it: each is in problems, and ff holds
// the fields that did decode (bad names the top-level keys that did not),
// so that the rest of the file is checked too. fatal is an error that
// leaves nothing to read on (malformed YAML, an alias bomb), alone.
func decodeFront(filename, front string, lineOffset int) (ff fileFront, astFile *ast.File, bad map[string]bool, problems FileErrors, fatal error) {
	if strings.TrimSpace(front) == "" {
		return ff, nil, nil, nil, nil
	}
	astFile, err := parser.ParseBytes([]byte(front), 0)
	if err != nil {
		return ff, nil, nil, nil, yamlErr(filename, front, lineOffset, err)
	}
	if err := CheckYAMLExpansion(filename, astFile, lineOffset); err != nil {
		return ff, nil, nil, nil, err
	}
	err = safeYAML(func() error { return yaml.UnmarshalWithOptions([]byte(front), &ff, yaml.DisallowUnknownField()) })
	if err == nil {
		return ff, astFile, nil, nil, nil
	}
	// Field by field, for every problem rather than the decoder's first.
	d := &frontDecoder{filename: filename, src: front, lineOffset: lineOffset}
	var byField fileFront
	if d.decodeFields(astFile, &byField) && len(d.errs) > 0 {
		return byField, astFile, d.bad, d.errs, nil
	}
	return ff, nil, nil, nil, yamlErr(filename, front, lineOffset, err)
}

// safeYAML runs a goccy decode, turning a panic inside the library (seen on
// malformed tags while fuzzing) into an error: bad input never crashes whet.
func safeYAML(decode func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("invalid YAML front matter (%v)", r)
		}
	}()
	return decode()
}

// paramText renders a YAML value as the text Params.Set takes.
func paramText(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func parseSections(filename, body string, firstLine int) (msgs []Message, starts []int, err error) {
	lines := strings.Split(body, "\n")
	var cur *Message
	var buf []string
	start := 0 // the file line of the current message's first non-blank line
	flush := func() {
		if cur != nil {
			cur.Content = trimBlankLines(strings.Join(buf, "\n"))
			msgs = append(msgs, *cur)
			starts = append(starts, start)
		}
		buf = buf[:0]
		start = 0
	}
	for i, line := range lines {
		if m := headingRe.FindStringSubmatch(line); m != nil {
			flush()
			cur = &Message{Role: strings.ToLower(m[1])}
			continue
		}
		if cur != nil && start == 0 && strings.TrimSpace(line) != "" {
			start = firstLine + i
		}
		if cur == nil {
			if strings.TrimSpace(line) != "" {
				return nil, nil, &FileError{File: filename, Line: firstLine + i, Col: 1,
					Msg: "text before the first message: start each message with a line '## system', '## user' or '## assistant'"}
			}
			continue
		}
		if escapedHeadingRe.MatchString(line) {
			line = line[1:]
		}
		buf = append(buf, line)
	}
	flush()
	if len(msgs) == 0 {
		return nil, nil, &FileError{File: filename, Line: firstLine, Msg: "no messages: add a '## user' section (and optionally '## system')"}
	}
	return msgs, starts, nil
}

func trimBlankLines(s string) string {
	s = strings.TrimLeft(s, "\n")
	// keep leading spaces of the first line: only whole blank lines go
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 || strings.TrimSpace(s[:i]) != "" {
			break
		}
		s = s[i+1:]
	}
	s = strings.TrimRight(s, "\n")
	for {
		i := strings.LastIndexByte(s, '\n')
		if i < 0 || strings.TrimSpace(s[i+1:]) != "" {
			break
		}
		s = s[:i]
	}
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return s
}

// NormalizeMessages applies the rules every saved message follows, so that a
// prompt typed in a form, passed by flags or read from a file hashes the
// same: CRLF becomes LF (a carriage return ending a line goes, however
// many, as a file's CRLF line end reads as LF), surrounding blank lines are
// trimmed, roles are lower case.
func NormalizeMessages(msgs []Message) []Message {
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		out[i] = Message{Role: strings.ToLower(strings.TrimSpace(m.Role)), Content: trimBlankLines(dropLineEndCRs(m.Content))}
	}
	return out
}

// dropLineEndCRs removes the carriage returns that end a line or the text;
// a CR inside a line stays.
func dropLineEndCRs(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, "\r")
	}
	return strings.Join(lines, "\n")
}

// ValidateMessages checks roles, that there is at least one message, and
// that every message is valid UTF-8 (text a model can be sent, and that
// exports and imports keep byte for byte).
func ValidateMessages(msgs []Message) error {
	if len(msgs) == 0 {
		return errors.New("a prompt needs at least one message (e.g. --user TEXT)")
	}
	for i, m := range msgs {
		switch m.Role {
		case RoleSystem, RoleUser, RoleAssistant:
		default:
			return fmt.Errorf("message %d: unknown role %q (system, user or assistant)", i+1, m.Role)
		}
		if err := ValidUTF8(m.Content); err != nil {
			return fmt.Errorf("message %d (%s): %w", i+1, m.Role, err)
		}
	}
	return nil
}

// ValidUTF8 reports where s stops being UTF-8: "line L, column C (byte
// B): not UTF-8 text"; nil for valid text.
func ValidUTF8(s string) error {
	line, col, at, ok := notText(s, false)
	if ok {
		return nil
	}
	if at == 0 {
		return errors.New("not UTF-8 text (save the file as UTF-8)")
	}
	return fmt.Errorf("line %d, column %d (byte %d): not UTF-8 text (save the file as UTF-8)", line, col, at)
}

// CheckText refuses a file that is not text: bytes that are not UTF-8, or
// a NUL byte (a binary file, an image, a UTF-16 export), as a *FileError at
// the first such byte. Every file whet reads as text passes it first, so
// that such a file is named for what it is rather than misparsed.
func CheckText(filename string, data []byte) error {
	line, col, at, ok := notText(string(data), true)
	if ok {
		return nil
	}
	msg := fmt.Sprintf("not UTF-8 text (byte %d): save the file as UTF-8", at)
	if at > 0 && data[at-1] == 0 {
		msg = fmt.Sprintf("a NUL byte (byte %d): not a text file", at)
	}
	return &FileError{File: filename, Line: line, Col: col, Msg: msg}
}

// notText finds the first byte of s that is not UTF-8 (or, with nul, a
// NUL byte): its line, column and 1-based byte offset, ok false. at is 0
// when s is invalid but no single byte could be named.
func notText(s string, nul bool) (line, col, at int, ok bool) {
	if utf8.ValidString(s) && (!nul || !strings.ContainsRune(s, 0)) {
		return 0, 0, 0, true
	}
	line, col = 1, 1
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return line, col, i + 1, false
			}
		}
		if nul && r == 0 {
			return line, col, i + 1, false
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return 0, 0, 0, false
}

// FormatFile writes f in the file format. Keys are written in a fixed order
// so that exports diff cleanly in review.
func FormatFile(f File) []byte {
	var b bytes.Buffer
	b.WriteString("---\n")
	b.WriteString("name: " + yamlScalar(f.Name) + "\n")
	if f.Description != "" {
		b.WriteString("description: " + yamlScalar(f.Description) + "\n")
	}
	if len(f.Labels) > 0 {
		b.WriteString("labels:\n")
		for _, k := range f.Labels.Keys() {
			b.WriteString("  " + yamlScalar(k) + ": " + yamlScalar(f.Labels[k]) + "\n")
		}
	}
	if !f.Params.IsZero() {
		b.WriteString("params:\n")
		for _, line := range f.Params.Lines() {
			b.WriteString("  " + line + "\n") // "key: <json>" is valid YAML
		}
	}
	if len(f.Tags) > 0 {
		quoted := make([]string, len(f.Tags))
		for i, t := range f.Tags {
			quoted[i] = yamlScalar(t)
		}
		b.WriteString("tags: [" + strings.Join(quoted, ", ") + "]\n")
	}
	if len(f.Vars) > 0 {
		b.WriteString("vars:\n")
		writeVars(&b, "  ", f.Vars)
	}
	if len(f.Cases) > 0 {
		b.WriteString("cases:\n")
		for _, c := range f.Cases {
			first := true
			field := func(k, v string) {
				prefix := "    "
				if first {
					prefix = "  - "
					first = false
				}
				b.WriteString(prefix + k + ": " + yamlScalar(v) + "\n")
			}
			if c.Name != "" {
				field("name", c.Name)
			}
			if c.Description != "" {
				field("description", c.Description)
			}
			if first {
				b.WriteString("  - vars:")
				first = false
			} else {
				b.WriteString("    vars:")
			}
			if len(c.Vars) == 0 {
				b.WriteString(" {}\n")
			} else {
				b.WriteString("\n")
				writeVars(&b, "      ", c.Vars)
			}
			if c.Expected != "" {
				field("expected", c.Expected)
			}
		}
	}
	if f.Version > 0 {
		b.WriteString("version: " + strconv.Itoa(f.Version) + "\n")
	}
	if f.Hash != "" {
		b.WriteString("hash: " + ShortHash(f.Hash) + "\n")
	}
	b.WriteString("---\n")
	for _, m := range f.Messages {
		b.WriteString("\n## " + m.Role + "\n\n")
		for _, line := range strings.Split(m.Content, "\n") {
			if headingRe.MatchString(line) || escapedHeadingRe.MatchString(line) {
				line = "\\" + line
			}
			b.WriteString(line + "\n")
		}
	}
	return b.Bytes()
}

func writeVars(b *bytes.Buffer, indent string, vars map[string]string) {
	for _, k := range SortedKeys(vars) {
		v := vars[k]
		if ind, body, ok := blockStyle(v); ok {
			b.WriteString(indent + yamlScalar(k) + ": " + ind + "\n")
			for _, line := range strings.Split(body, "\n") {
				if line == "" {
					b.WriteString("\n")
				} else {
					b.WriteString(indent + "  " + line + "\n")
				}
			}
			continue
		}
		b.WriteString(indent + yamlScalar(k) + ": " + yamlScalar(v) + "\n")
	}
}

var plainScalarRe = regexp.MustCompile(`^[A-Za-z_/][A-Za-z0-9 _./()'-]*$`)

// yamlScalar writes s as a YAML scalar: plain when unambiguous, otherwise a
// JSON string (valid YAML double-quoted).
func yamlScalar(s string) string {
	lower := strings.ToLower(s)
	switch lower {
	case "true", "false", "yes", "no", "on", "off", "null", "~", "y", "n":
		return strconv.Quote(s)
	}
	if plainScalarRe.MatchString(s) && !strings.HasSuffix(s, " ") && !strings.Contains(s, " #") && !strings.Contains(s, ": ") {
		return s
	}
	// Not json.Marshal: it writes <, > and & as \u003c…, which YAML reads
	// back but a reader of the file cannot (a value holding <context>).
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return string(textutil.EscapeControls(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))))
}

// yamlUnmarshalLoose decodes YAML allowing unknown fields (for foreign
// formats whose schema grows).
func yamlUnmarshalLoose(src string, v any) error {
	var f *ast.File
	if safeYAML(func() (err error) { f, err = parser.ParseBytes([]byte(src), 0); return err }) == nil {
		var fe *FileError
		if errors.As(CheckYAMLExpansion("", f, 0), &fe) {
			return errors.New(fe.Msg)
		}
	}
	return safeYAML(func() error { return yaml.Unmarshal([]byte(src), v) })
}
