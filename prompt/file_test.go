package prompt

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

const sampleFile = `---
name: support/reply
description: "Reply to a ticket: politely"
labels:
  purpose: support
  Team: cx
params:
  temperature: 0.3
  max_tokens: 400
  stop: ["###"]
  num_ctx: 8192
tags: [production]
vars:
  customer: Ana
cases:
  - name: refund
    vars: {customer: Bo}
    expected: refund
version: 3
hash: 1f2e3d4c5b6a
---

## system

You are a support agent.

## Output format

Plain text.

## user

Customer {{customer}} wrote:
\## user
is a heading in their text.

## assistant

Sure.
`

func TestParseFile(t *testing.T) {
	f, err := ParseFile("reply.md", []byte(sampleFile))
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "support/reply" || f.Description != "Reply to a ticket: politely" || f.Labels["team"] != "cx" {
		t.Fatalf("front matter: %+v", f)
	}
	if *f.Params.Temperature != 0.3 || *f.Params.MaxTokens != 400 || !reflect.DeepEqual(f.Params.Stop, []string{"###"}) || f.Params.Extra["num_ctx"] != 8192.0 {
		t.Fatalf("params: %+v", f.Params)
	}
	want := []Message{
		{Role: "system", Content: "You are a support agent.\n\n## Output format\n\nPlain text."},
		{Role: "user", Content: "Customer {{customer}} wrote:\n## user\nis a heading in their text."},
		{Role: "assistant", Content: "Sure."},
	}
	if !reflect.DeepEqual(f.Messages, want) {
		t.Fatalf("messages:\n%#v\nwant\n%#v", f.Messages, want)
	}
	if len(f.Cases) != 1 || f.Cases[0].Vars["customer"] != "Bo" || f.Cases[0].Expected != "refund" {
		t.Fatalf("cases: %+v", f.Cases)
	}
	if !reflect.DeepEqual(f.Tags, []string{"production"}) || f.Vars["customer"] != "Ana" {
		t.Fatalf("tags/vars: %+v %+v", f.Tags, f.Vars)
	}
}

func TestFormatParseRoundTrip(t *testing.T) {
	f, err := ParseFile("reply.md", []byte(sampleFile))
	if err != nil {
		t.Fatal(err)
	}
	f.Vars["multi"] = "line one\n  indented\n\nafter blank"
	f.Vars["tricky"] = "yes: no # not a comment"
	f.Description = "true"
	out := FormatFile(f)
	g, err := ParseFile("out.md", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if g.Content().Hash() != f.Content().Hash() {
		t.Fatalf("hash changed through export/import:\n%s", out)
	}
	if !reflect.DeepEqual(g.Vars, f.Vars) || g.Description != "true" || !reflect.DeepEqual(g.Labels, f.Labels) || !reflect.DeepEqual(g.Cases, f.Cases) {
		t.Fatalf("metadata changed:\n%s\n%+v", out, g)
	}
}

// TestFormatParseRoundTripEdgeLines: a content line that is an escaped
// heading (\## user, as a prompt about this format holds) and a carriage
// return that ends a line come back as they were saved.
func TestFormatParseRoundTripEdgeLines(t *testing.T) {
	for _, content := range []string{"\\## user", "write \\## system\n\\\\## Assistant\n## user", "a \r\r\nb\r", "x\r\n\r"} {
		msgs := NormalizeMessages([]Message{{Role: RoleUser, Content: content}})
		f := File{Name: "a", Messages: msgs}
		out := FormatFile(f)
		g, err := ParseFile("a.md", out)
		if err != nil {
			t.Fatalf("%q: %v", content, err)
		}
		if back := NormalizeMessages(g.Messages); g.Content().Hash() != f.Content().Hash() || back[0] != msgs[0] {
			t.Errorf("%q saved as %q came back as %q\n%s", content, msgs[0].Content, g.Messages[0].Content, out)
		}
	}
}

// TestParseFileQuotedParam: a quoted provider option is text, as export
// writes one that reads as a number or boolean; unquoted, it is the value.
func TestParseFileQuotedParam(t *testing.T) {
	for src, want := range map[string]any{
		"params:\n  user_id: \"123\"\n":            "123",
		"params:\n  openai.user: 'true'\n":         "true",
		"params: {x: \"1e-7\", y: 2}\n":            "1e-7",
		"params:\n  x: 1e-7\n":                     1e-7,
		"params:\n  x: 12\n":                       12.0,
		"params:\n  x: \"[1]\"\n  z: {a: \"1\"}\n": "[1]",
	} {
		f, err := ParseFile("a.md", []byte("---\nname: a\n"+src+"---\n## user\nhi\n"))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		var got any
		for k, v := range f.Params.Extra {
			if k != "y" && k != "z" {
				got = v
			}
		}
		if got != want {
			t.Errorf("%q: %#v, want %#v", src, got, want)
		}
	}
}

func TestParseFileErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"no front", "## user\nhi\n", "x.md:1:1: a prompt file starts with a '---'"},
		{"unclosed", "---\nname: a\n", "never closed"},
		{"missing name", "---\ndescription: d\n---\n## user\nhi\n", "x.md:2: name: missing"},
		{"bad name", "---\nname: bad name\n---\n## user\nhi\n", "x.md:2:7: name: invalid prompt name"},
		{"yaml syntax", "---\nname: a\nlabels: [x\n---\n## user\nhi\n", "x.md:3:"},
		{"unknown field", "---\nname: a\ncolour: red\n---\n## user\nhi\n", `x.md:3:1: unknown field "colour"`},
		{"tab indent", "---\nname: a\nlabels:\n\tteam: cx\n---\n## user\nhi\n", "x.md:4:1: a tab character: YAML indents with spaces, never tabs"},
		{"labels a list", "---\nname: a\nlabels:\n  - team\n---\n## user\nhi\n", "x.md:4:3: labels: want a mapping, found a list"},
		{"label a list", "---\nname: a\nlabels:\n  team: [cx, ops]\n---\n## user\nhi\n", "x.md:4:9: labels.team: want text, found a list"},
		{"var a mapping", "---\nname: a\nvars:\n  q: {a: 1}\n---\n## user\nhi {{q}}\n", "x.md:4:6: vars.q: want text, found a mapping"},
		{"case var a list", "---\nname: a\ncases:\n  - name: c\n    vars:\n      q: [1]\n---\n## user\nhi {{q}}\n", "x.md:6:10: cases[0].vars.q: want text, found a list"},
		{"colon in a value", "---\nname: a\ndescription: Note: read this\n---\n## user\nhi\n", "x.md:3:14: mapping value is not allowed in this context: quote the value if it holds ': ', or indent the line after it no more than its key"},
		{"over-indented key", "---\nname: a\nlabels:\n  team: cx\n   owner: ana\n---\n## user\nhi\n", "x.md:4:9: mapping value is not allowed in this context: quote the value"},
		{"version text", "---\nname: a\nversion: three\n---\n## user\nhi\n", "x.md:3:10: version: want a number, found text"},
		{"bad param", "---\nname: a\nparams:\n  temperature: hot\n---\n## user\nhi\n", "x.md:4:16: params: param temperature"},
		{"bad tag", "---\nname: a\ntags: [v1]\n---\n## user\nhi\n", "x.md:3:8: tags: invalid tag"},
		{"text before", "---\nname: a\n---\nstray\n## user\nhi\n", "x.md:4:1: text before the first message"},
		{"no messages", "---\nname: a\n---\n\n", "no messages"},
	}
	for _, tt := range tests {
		_, err := ParseFile("x.md", []byte(tt.src))
		var fe *FileError
		if err == nil || !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want containing %q", tt.name, err, tt.want)
		}
	}
}

func TestNormalizeMessages(t *testing.T) {
	got := NormalizeMessages([]Message{{Role: " User", Content: "\r\n\n  indented\r\nline  \n\n"}})
	if got[0].Role != "user" || got[0].Content != "  indented\nline  " {
		t.Fatalf("%q", got[0])
	}
	// A CR ending a line goes, however many, as a file's CRLF reads as LF;
	// one inside a line stays.
	got = NormalizeMessages([]Message{{Role: "user", Content: "a\r\r\nb\rc\r"}})
	if got[0].Content != "a\nb\rc" {
		t.Fatalf("%q", got[0].Content)
	}
}

const samplePrompty = `---
name: Basic Prompt
description: A basic prompt that uses the chat API
authors:
  - Seth Juarez
model:
  api: chat
  configuration:
    type: azure_openai
    azure_deployment: gpt-35-turbo
  parameters:
    max_tokens: 128
    temperature: 0.2
sample:
  firstName: Jane
  question: What is the meaning of life?
---
system:
You are an AI assistant who helps people find information.

# Customer
You are helping {{firstName}} to find answers.

user:
{{question}}
`

func TestParsePrompty(t *testing.T) {
	f, err := ParsePrompty("basic.prompty", []byte(samplePrompty))
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "basic-prompt" || f.Labels["owner"] != "Seth Juarez" || *f.Params.MaxTokens != 128 || *f.Params.Temperature != 0.2 {
		t.Fatalf("%+v", f)
	}
	if len(f.Messages) != 2 || f.Messages[0].Role != "system" || !strings.Contains(f.Messages[0].Content, "# Customer") || f.Messages[1].Content != "{{question}}" {
		t.Fatalf("messages %+v", f.Messages)
	}
	if f.Vars["firstName"] != "Jane" {
		t.Fatalf("vars %+v", f.Vars)
	}
	_, err = ParsePrompty("loop.prompty", []byte("---\nname: x\n---\nuser:\n{% for i in items %}{{i}}{% endfor %}\n"))
	if err == nil || !strings.Contains(err.Error(), "loop.prompty:5:1: Jinja control block {% for %}") {
		t.Fatalf("jinja err = %v", err)
	}
}

// The current Prompty runtime's names: model.options for parameters,
// inputs with a sample (preferred to the default) or given as the sample
// value itself or as a list, authors under metadata.
func TestParsePromptyCurrentRuntime(t *testing.T) {
	src := `---
name: Support
metadata:
  authors: [Ana, Bo]
model:
  api: chat
  connection:
    type: azure_openai
    azure_deployment: gpt-4o
  options:
    max_tokens: 99
    temperature: 0.5
inputs:
  firstName:
    type: string
    sample: Jane
    default: Bob
  question: What is up?
  tags:
    type: array
    default: [a, b]
---
system:
Hi {{firstName}} ({{tags}})

user:
{{question}}
`
	f, err := ParsePrompty("s.prompty", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if f.Params.MaxTokens == nil || *f.Params.MaxTokens != 99 || f.Params.Temperature == nil || *f.Params.Temperature != 0.5 {
		t.Errorf("params = %+v", f.Params)
	}
	wantVars := map[string]string{"firstName": "Jane", "question": "What is up?", "tags": `["a","b"]`}
	if !reflect.DeepEqual(f.Vars, wantVars) {
		t.Errorf("vars = %q, want %q", f.Vars, wantVars)
	}
	if f.Labels["owner"] != "Ana, Bo" {
		t.Errorf("labels = %v", f.Labels)
	}

	list := "---\nname: l\ninputs:\n  - name: q\n    type: string\n    sample: hey\n---\nuser:\n{{q}}\n"
	f, err = ParsePrompty("l.prompty", []byte(list))
	if err != nil || f.Vars["q"] != "hey" {
		t.Errorf("inputs as a list: vars %v, err %v", f.Vars, err)
	}
}

// Roles whet has no message for are refused at their line, not folded into
// the message before them.
func TestParsePromptyUnsupportedRoles(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"system:\nHi\ntools:\n- name: x\nuser:\nhello\n", "t.prompty:6:1: tools messages are not supported"},
		{"system:\nHi\n# Tool:\nx\n", "t.prompty:6:1: tool messages are not supported"},
		{"system:\nHi\n![thread]\nuser:\nx\n", "t.prompty:6:1: ![thread] is not supported"},
	} {
		_, err := ParsePrompty("t.prompty", []byte("---\nname: t\n---\n"+tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.body, err, tc.want)
		}
	}
}

func TestFormatVarsKeepTrailingSpaces(t *testing.T) {
	f := File{Name: "a", Messages: []Message{{Role: "user", Content: "{{x}}"}}, Vars: map[string]string{"x": "a\nb ", "y": "c \nd"}}
	g, err := ParseFile("a.md", FormatFile(f))
	if err != nil || g.Vars["x"] != "a\nb " || g.Vars["y"] != "c \nd" {
		t.Fatalf("vars %q, %v", g.Vars, err)
	}
}

func TestParsePromptySampleFile(t *testing.T) {
	src := func(sample string) []byte {
		return []byte("---\nname: greet\ninputs:\n  name:\n    type: string\n    default: World\nsample: " + sample + "\n---\nuser:\nHello {{name}} from {{place}}\n")
	}
	files := map[string]string{
		"sample.json": `{"name": "Ana", "place": "Lisbon"}`,
		"list.yaml":   "- a\n- b\n",
	}
	read := func(p string) ([]byte, error) {
		if s, ok := files[p]; ok {
			return []byte(s), nil
		}
		return nil, fmt.Errorf("open %s: no such file or directory", p)
	}
	for _, sample := range []string{"sample.json", "${file:sample.json}"} {
		f, err := ParsePromptyWith("greet.prompty", src(sample), read)
		if err != nil {
			t.Fatalf("sample %s: %v", sample, err)
		}
		if f.Vars["name"] != "Ana" || f.Vars["place"] != "Lisbon" {
			t.Errorf("sample %s: vars %v; want the file's values over the input default", sample, f.Vars)
		}
	}
	for _, tc := range []struct{ sample, want string }{
		{"missing.json", "greet.prompty:7: sample: reading missing.json: open missing.json: no such file"},
		{"list.yaml", "greet.prompty:7: sample: list.yaml is not a JSON or YAML mapping"},
	} {
		if _, err := ParsePromptyWith("greet.prompty", src(tc.sample), read); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("sample %s: error %v, want %q", tc.sample, err, tc.want)
		}
	}
	// Without a reader the file is named, not silently dropped.
	if _, err := ParsePrompty("greet.prompty", src("sample.json")); err == nil || !strings.Contains(err.Error(), "sample file sample.json cannot be read here") {
		t.Errorf("ParsePrompty with a sample file: %v", err)
	}
}

func TestPlainTypeError(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"cannot unmarshal string into Go struct field suiteDoc.Cases of type float64", "want a number, found text"},
		{"cannot unmarshal []interface {} into Go struct field fileFront.Vars of type string", "want text, found a list"},
		{"json: cannot unmarshal array into Go value of type map[string]interface {}", "want a mapping, found a list"},
		{"some other message", "some other message"},
	} {
		if got := plainTypeError(tc.in); got != tc.want {
			t.Errorf("plainTypeError(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// In a file: the position and the plain words.
	_, err := ParseFile("f.md", []byte("---\nname: x\nvars: {x: [1, 2]}\n---\n## user\nhi {{x}}\n"))
	if err == nil || !strings.Contains(err.Error(), "want text, found a list") || strings.Contains(err.Error(), "Go struct") {
		t.Errorf("ParseFile: %v", err)
	}
}

func TestCheckText(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"text", "a,b\nc,d\n", ""},
		{"latin-1", "ok\n\xe9t\xe9", "x.csv:2:1: not UTF-8 text (byte 4): save the file as UTF-8"},
		{"utf-16", "\xff\xfea\x00", "x.csv:1:1: not UTF-8 text (byte 1)"},
		{"nul", "a\nbc\x00", "x.csv:2:3: a NUL byte (byte 5): not a text file"},
	}
	for _, tt := range tests {
		err := CheckText("x.csv", []byte(tt.data))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: error %v for text", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: error = %v, want containing %q", tt.name, err, tt.want)
		}
	}
	for _, parse := range []func() error{
		func() error { _, err := ParseFile("x.md", []byte("---\nname: a\n---\n## user\n\x00")); return err },
		func() error { _, err := ParseCases("x.csv", []byte("a\n\x00")); return err },
		func() error { _, err := ParseSuiteFile("x.yaml", []byte("name: a\n\x00")); return err },
	} {
		if err := parse(); err == nil || !strings.Contains(err.Error(), "a NUL byte") {
			t.Errorf("a parser accepted a NUL byte: %v", err)
		}
	}
}

// A template error in a prompt file names the file's line and column, not
// the position inside its message.
func TestParseFileTemplateErrorLine(t *testing.T) {
	data := "---\nname: bad\n---\n\n## system\n\nok\n\n## user\n\n\nHello {{customer}},\nsee {{ name\nmore\n"
	_, err := ParseFile("bad.md", []byte(data))
	var fe *FileError
	if !errors.As(err, &fe) || fe.Line != 13 || fe.Col != 5 || !strings.Contains(fe.Msg, "unclosed {{") {
		t.Fatalf("err = %v, want bad.md:13:5: unclosed {{", err)
	}
	if !strings.HasPrefix(err.Error(), "bad.md:13:5: unclosed {{") {
		t.Errorf("err = %q", err)
	}
}

// A multi-line sample value ending in one newline, as a "|" block in a
// YAML file gives it, is written back as such a block, not as a quoted
// string with \n in it; values a block would change stay quoted.
func TestFormatVarsBlockWithFinalNewline(t *testing.T) {
	vars := map[string]string{
		"a": "line one\nline two 東京\n",
		"b": "one line\n",
		"c": "two\n\n",
		"d": "  lead\nx\n",
		"e": "tail \n",
		"f": "no final newline\nsecond",
	}
	f := File{Name: "a", Messages: []Message{{Role: "user", Content: "{{a}}"}}, Vars: vars}
	out := string(FormatFile(f))
	for _, want := range []string{"  a: |\n    line one\n    line two 東京\n", "  b: |\n    one line\n", "  c: \"two\\n\\n\"\n", "  d: \"  lead\\nx\\n\"\n", "  e: \"tail \\n\"\n", "  f: |-\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	g, err := ParseFile("a.md", []byte(out))
	if err != nil || !reflect.DeepEqual(g.Vars, vars) {
		t.Fatalf("vars back %q, %v\n%s", g.Vars, err, out)
	}
}

// TestParseFileEveryProblem: every problem of a prompt file is reported at
// once, in line order (the decoder alone meets labels.team before the
// unknown key above it), each at its line; errors.As finds the first.
// Malformed YAML, which stops the reading, stays one error.
func TestParseFileEveryProblem(t *testing.T) {
	src := "---\nname: a\ncolour: red\nlabels:\n  team: [cx]\n  Bad Key: x\ntags: [v1]\ncases:\n  - name: c\n    expect: x\n---\n## user\nhi {{q\n"
	_, err := ParseFile("x.md", []byte(src))
	want := "x.md has 6 problems:\n" +
		"  x.md:3:1: unknown field \"colour\"\n" +
		"  x.md:5:9: labels.team: want text, found a list\n" +
		"  x.md:6:12: labels: invalid label key \"Bad Key\": " + strings.SplitN(ValidateLabelKey("Bad Key").Error(), ": ", 2)[1] + "\n" +
		"  x.md:7:8: tags: " + ValidateTag("v1").Error() + "\n" +
		"  x.md:10:5: cases[0]: unknown field \"expect\"\n" +
		"  x.md:13:4: unclosed {{: expected {{name}} (write \\{{ for a literal {{)"
	if err == nil || err.Error() != want {
		t.Fatalf("error =\n%v\nwant\n%s", err, want)
	}
	var fe *FileError
	if !errors.As(err, &fe) || fe.Line != 3 {
		t.Errorf("errors.As gives %+v, want the first problem (line 3)", fe)
	}

	_, err = ParseFile("x.md", []byte("---\nname: a\ncolour: red\nlabels: [x\n---\n## user\nhi {{q\n"))
	if err == nil || !errors.As(err, &fe) || strings.Contains(err.Error(), "problems") || fe.Line != 4 {
		t.Errorf("malformed YAML: error = %v, want the one syntax error at line 4", err)
	}
	// A name of the wrong kind is not also called missing.
	_, err = ParseFile("x.md", []byte("---\nname: [a]\n---\n## user\nhi\n"))
	if err == nil || err.Error() != "x.md:2:7: name: want text, found a list" {
		t.Errorf("name a list: error = %v", err)
	}
}

// A key written twice is named at both places by the file's lines, not
// the front matter's.
func TestDuplicateKeyNamesTheFileLine(t *testing.T) {
	for _, tc := range []struct {
		name  string
		parse func(string, []byte) (File, error)
		src   string
	}{
		{"dup.md", ParseFile, "---\nname: d\nname: e\n---\n## user\nhi\n"},
		{"dup.prompty", ParsePrompty, "---\nname: d\nname: e\n---\nuser:\nhi\n"},
	} {
		_, err := tc.parse(tc.name, []byte(tc.src))
		if err == nil || err.Error() != tc.name+`:3:1: mapping key "name" already defined on line 2` {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
