package prompt

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// Prompty files from Microsoft's repository, of both generations of the
// format: each imports with its params and sample values, or is refused
// at the line of what whet cannot reproduce.
func TestParsePromptyRealFiles(t *testing.T) {
	f64 := func(f float64) *float64 { return &f }
	n := func(i int) *int { return &i }
	for _, tc := range []struct {
		file    string
		name    string
		params  Params
		vars    map[string]string
		msgs    int
		wantErr string
	}{
		{file: "v2-basic.prompty", name: "basic-prompt", msgs: 2,
			params: Params{Temperature: f64(0.7), MaxTokens: n(1000)},
			vars:   map[string]string{"firstName": "Jane", "lastName": "Doe", "question": "What is the meaning of life?"}},
		{file: "legacy-basic.prompty", name: "legacy-prompt", msgs: 2,
			params: Params{Temperature: f64(0.7), TopP: f64(0.9), MaxTokens: n(500), Stop: []string{"\n"},
				Extra: map[string]any{"frequency_penalty": 0.5, "presence_penalty": 0.3}},
			vars: map[string]string{"firstName": "Jane", "lastName": "Doe", "question": "What is the meaning of life?"}},
		{file: "model-string.prompty", name: "model-string", msgs: 2},
		{file: "basic-mustache.prompty", name: "basic-prompt", msgs: 2,
			vars: map[string]string{"firstName": "Jane", "lastName": "Doe", "question": "What is the meaning of life?", "table": "customers", "top_n": "5"}},
		{file: "threaded.prompty", wantErr: "threaded.prompty:13: input conversation is a thread"},
		{file: "chat.prompty", wantErr: "chat.prompty:33:1: Jinja control block {% for %} is not supported"},
		{file: "embedding.prompty", wantErr: "embedding.prompty:11: model api embedding: whet prompts are chat prompts"},
	} {
		data, err := os.ReadFile(filepath.Join("testdata", "prompty", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParsePrompty(tc.file, data)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: err = %v, want %q", tc.file, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
			continue
		}
		if f.Name != tc.name || len(f.Messages) != tc.msgs {
			t.Errorf("%s: name %q, %d messages", tc.file, f.Name, len(f.Messages))
		}
		if !reflect.DeepEqual(f.Params, tc.params) {
			t.Errorf("%s: params %+v, want %+v", tc.file, f.Params, tc.params)
		}
		if len(tc.vars) > 0 && !reflect.DeepEqual(f.Vars, tc.vars) {
			t.Errorf("%s: vars %q, want %q", tc.file, f.Vars, tc.vars)
		}
	}
}

// A Mustache comment renders as nothing, so it is left out (with its line
// when it stands alone) rather than sent as text.
func TestParsePromptyComments(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"---\nname: c\n---\nuser:\nHi {# greet #}{{name}}\n{# alone #}\nBye\n", "Hi {{name}}\nBye"},
		{"---\nname: c\ntemplate: mustache\n---\nuser:\nHi {{! greet }}{{name}}\n{{! alone }}\nBye\n", "Hi {{name}}\nBye"},
	} {
		f, err := ParsePrompty("c.prompty", []byte(tc.src))
		if err != nil || f.Messages[0].Content != tc.want {
			t.Errorf("%q: %q, %v; want %q", tc.src, f.Messages, err, tc.want)
		}
	}
}

// Template syntax whet cannot reproduce is refused at its line and column,
// naming the construct.
func TestParsePromptyForeignSyntax(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"user:\nHi {{ name | upper }}\n", "t.prompty:5:4: Jinja expression {{ name | upper }} (a filter"},
		{"user:\nHi {{- name }}\n", "t.prompty:5:4: Jinja expression {{- name }}"},
		{"system:\nx\nuser:\n{{#items}}{{.}}{{/items}}\n", "t.prompty:7:1: Mustache tag {{#items}}"},
		{"user:\nHi {{ name }}, {# multi\nline #}\n", "t.prompty:5:16: Jinja comment {#"},
		{"user:\nHi\n\n{{question\n}}\n", "t.prompty:7:1: unclosed {{"},
	} {
		_, err := ParsePrompty("t.prompty", []byte("---\nname: t\n---\n"+tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.body, err, tc.want)
		}
	}
}

// The current runtime's model.options names are whet's params under their
// own names; a template format whet cannot read is refused.
func TestParsePromptyOptionsAndFormat(t *testing.T) {
	src := "---\nname: o\nmodel:\n  id: gpt-4o\n  options:\n    maxOutputTokens: 50\n    topP: 0.5\n    topK: 3\n    stopSequences: [END]\n    allowMultipleToolCalls: true\n    additionalProperties:\n      logprobs: true\n---\nuser:\nhi\n"
	f, err := ParsePrompty("o.prompty", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	one, half := 50, 0.5
	want := Params{MaxTokens: &one, TopP: &half, Stop: []string{"END"}, Extra: map[string]any{"top_k": 3.0, "logprobs": true}}
	if !reflect.DeepEqual(f.Params, want) {
		t.Errorf("params %+v, want %+v", f.Params, want)
	}
	_, err = ParsePrompty("h.prompty", []byte("---\nname: h\ntemplate:\n  format:\n    kind: handlebars\n---\nuser:\nhi\n"))
	if err == nil || !strings.Contains(err.Error(), `h.prompty:5: template format "handlebars" is not supported`) {
		t.Errorf("handlebars: %v", err)
	}
}

// inputSchema may be given as a file, as the runtime resolves ${file:…}.
func TestParsePromptyInputSchemaFile(t *testing.T) {
	src := []byte("---\nname: s\ninputSchema: ${file:schema.json}\n---\nuser:\n{{q}}\n")
	read := func(p string) ([]byte, error) {
		if p != "schema.json" {
			t.Fatalf("read %q", p)
		}
		return []byte(`{"properties": {"q": {"kind": "string", "example": "why?"}}}`), nil
	}
	f, err := ParsePromptyWith("s.prompty", src, read)
	if err != nil || f.Vars["q"] != "why?" {
		t.Errorf("vars %v, err %v", f.Vars, err)
	}
}

// A completion prompt has no roles: the runtime sends the whole body as
// the prompt text, so it is one user message, role-like lines included.
func TestParsePromptyCompletion(t *testing.T) {
	src := "---\nname: c\nmodel:\n  api: completion\n---\nsystem:\nWrite about {{x}}\n"
	f, err := ParsePrompty("c.prompty", []byte(src))
	want := []Message{{Role: RoleUser, Content: "system:\nWrite about {{x}}"}}
	if err != nil || !reflect.DeepEqual(f.Messages, want) {
		t.Errorf("messages %+v, err %v; want %+v", f.Messages, err, want)
	}
}

// A front matter value of the wrong shape is named by its field.
func TestParsePromptyTypeErrorNamesField(t *testing.T) {
	src := "---\nname: greet\nauthors:\n  - ana\n  - {name: bo}\n---\nuser:\nhi\n"
	_, err := ParsePrompty("greet.prompty", []byte(src))
	if err == nil || !strings.Contains(err.Error(), "greet.prompty:5:5: authors[1]: want text, found a mapping") {
		t.Errorf("error %v, want the file, line and field authors[1]", err)
	}
}

// A model parameter given as a file (${file:schema.json}, as Prompty's
// structured output example gives response_format) is the file's value,
// response_format OpenAI's alone (another kind of target refuses it);
// one read from the environment, and tools, which whet never sends, are
// refused at their line.
func TestParsePromptyParamFiles(t *testing.T) {
	dir := filepath.Join("testdata", "prompty")
	read := func(p string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, p)) }
	data, err := os.ReadFile(filepath.Join(dir, "structured-output.prompty"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParsePromptyWith("structured-output.prompty", data, read)
	if err != nil {
		t.Fatal(err)
	}
	rf, _ := f.Params.Extra["openai.response_format"].(map[string]any)
	if rf["type"] != "json_schema" || rf["json_schema"].(map[string]any)["name"] != "calendar_event" || len(f.Params.Extra) != 1 {
		t.Errorf("params = %#v, want the schema file's value as OpenAI's response_format", f.Params.Extra)
	}
	if _, err := ParsePrompty("structured-output.prompty", data); err == nil || !strings.Contains(err.Error(), "structured-output.prompty:13: model.parameters.response_format: the file structured_output_schema.json cannot be read here") {
		t.Errorf("without a reader: %v", err)
	}

	data, err = os.ReadFile(filepath.Join(dir, "funcfile.prompty"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParsePromptyWith("funcfile.prompty", data, read); err == nil || !strings.Contains(err.Error(), "funcfile.prompty:12: model.parameters.tools: whet sends no tools") {
		t.Errorf("tools: %v", err)
	}
	src := "---\nname: e\nmodel:\n  parameters:\n    max_tokens: ${env:MAX_TOKENS}\n---\nuser:\nhi\n"
	if _, err := ParsePromptyWith("e.prompty", []byte(src), read); err == nil || !strings.Contains(err.Error(), "e.prompty:5: model.parameters.max_tokens: ${env:MAX_TOKENS} is read from the environment") {
		t.Errorf("env: %v", err)
	}
}

// A Prompty file may be only a body, without front matter, as the current
// runtime loads it (body-only.prompty is microsoft/prompty's
// runtime/python/prompty/tests/prompts/shorthand_body_only.prompty, MIT):
// its name is the file's, its text one system message, or the messages
// its role lines divide; exporting into it writes role lines and reads back.
func TestParsePromptyBodyOnly(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "prompty", "body-only.prompty"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParsePrompty("prompts/body-only.prompty", data)
	want := []Message{{Role: RoleSystem, Content: "You are a helpful assistant that answers questions concisely."}}
	if err != nil || f.Name != "body-only" || !reflect.DeepEqual(f.Messages, want) {
		t.Fatalf("file %+v, err %v", f, err)
	}
	f, err = ParsePrompty("chat.prompty", []byte("# chat.prompty\n\nBe brief.\n\nuser:\n{{q}}\n"))
	want = []Message{{Role: RoleSystem, Content: "# chat.prompty\n\nBe brief."}, {Role: RoleUser, Content: "{{q}}"}}
	if err != nil || !reflect.DeepEqual(f.Messages, want) {
		t.Fatalf("messages %+v, err %v", f.Messages, err)
	}
	f.Messages[1].Content = "{{q}}, briefly"
	out, err := UpdatePrompty("chat.prompty", []byte("# chat.prompty\n\nBe brief.\n\nuser:\n{{q}}\n"), f, nil)
	if err != nil || string(out) != "system:\n# chat.prompty\n\nBe brief.\n\nuser:\n{{q}}, briefly\n" {
		t.Errorf("update = %q, %v", out, err)
	}
}

// A parameter YAML reads as text is sent as text, as Prompty sends it: a
// quoted "123" stays a string, while 40 unquoted is a number.
func TestParsePromptyQuotedParamStaysText(t *testing.T) {
	for _, v := range []string{`"null"`, `"~"`, `""`, `"[1]"`, `"{a: 1}"`} {
		// Text that reads as nothing, a list or a mapping stays text too.
		src := "---\nname: q\nmodel:\n  parameters:\n    user: " + v + "\n---\nuser:\nhi\n"
		if f, err := ParsePrompty("q.prompty", []byte(src)); err == nil {
			if got, ok := f.Params.Extra["user"]; ok && got != strings.Trim(v, `"`) {
				t.Errorf("user: %s read as %#v", v, got)
			}
		}
	}
	src := "---\nname: q\nmodel:\n  parameters:\n    user: \"123\"\n    top_k: 40\n    logit_flag: 'true'\n---\nuser:\nhi\n"
	f, err := ParsePrompty("q.prompty", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := f.Params.Extra["user"].(string); !ok || v != "123" {
		t.Errorf("user = %#v, want the text \"123\"", f.Params.Extra["user"])
	}
	if v, ok := f.Params.Extra["logit_flag"].(string); !ok || v != "true" {
		t.Errorf("logit_flag = %#v, want the text \"true\"", f.Params.Extra["logit_flag"])
	}
	if _, ok := f.Params.Extra["top_k"].(string); ok {
		t.Errorf("top_k = %#v, want a number", f.Params.Extra["top_k"])
	}
}

// A retail chat prompt reads its customer object's fields
// ({{customer.firstName}}), with the customer given in a sample file, as
// Prompty's samples often are: each field read gets the field's value as
// its sample, and the object read only through its fields is no sample of
// its own; an input's default object counts as well.
func TestParsePromptyObjectFieldSamples(t *testing.T) {
	src := []byte(`---
name: Contoso Chat
inputs:
  customer:
    type: object
  store:
    type: object
    default: {city: Lyon}
  question:
    type: string
sample: ${file:chat.json}
---
system:
The customer's name is {{customer.firstName}} {{customer.lastName}}, aged {{customer.age}}.
Their tier is {{customer.tier.name}}; orders: {{customer.orders}}; nickname: {{customer.nickname}}.
Store: {{store.city}}.

user:
{{question}}
`)
	read := func(p string) ([]byte, error) {
		return []byte(`{"customer": {"firstName": "John", "lastName": "Smith", "age": 35, "tier": {"name": "Gold"}, "orders": [{"name": "tent"}]}, "question": "Which sleeping bag?"}`), nil
	}
	f, err := ParsePromptyWith("chat.prompty", src, read)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"customer.firstName": "John", "customer.lastName": "Smith", "customer.age": "35",
		"customer.tier.name": "Gold", "store.city": "Lyon", "question": "Which sleeping bag?",
	}
	if !reflect.DeepEqual(f.Vars, want) {
		t.Errorf("vars = %v\nwant %v", f.Vars, want)
	}
}

// Every problem of a Prompty file is reported at once, in line order,
// each at its line (and column where it has one), as in a prompt file:
// the front matter's fields of the wrong kind, parameters, template
// format and thread inputs, then each construct of the body, several on
// one line included; a section of a role whet does not hold is refused at
// its role line, not read further.
func TestParsePromptyEveryProblem(t *testing.T) {
	src := `---
name: every
authors:
  - ana
  - {name: bo}
model:
  parameters:
    tools: []
    max_tokens: ${env:MAX}
    temperature: hot
template:
  format: handlebars
inputs:
  history:
    type: thread
---
system:
Hi {{ name | upper }} and {{ x | lower }}
{# a comment: no line of its own in the message #}
{% for x in y %}
Fine {{ ok }} but {{ bad
function:
{% if anything %}
user:
{{question}}
`
	_, err := ParsePrompty("every.prompty", []byte(src))
	var errs FileErrors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v, want every problem", err)
	}
	want := []string{
		"every.prompty:5:5: authors[1]: want text, found a mapping",
		"every.prompty:8: model.parameters.tools: whet sends no tools",
		"every.prompty:9: model.parameters.max_tokens: ${env:MAX} is read from the environment",
		`every.prompty:10: model.parameters: param temperature: "hot" is not a number`,
		`every.prompty:12: template format "handlebars" is not supported`,
		"every.prompty:15: input history is a thread",
		"every.prompty:18:4: Jinja expression {{ name | upper }}",
		"every.prompty:18:27: Jinja expression {{ x | lower }}",
		"every.prompty:20:1: Jinja control block {% for %}",
		"every.prompty:21:19: unclosed {{",
		"every.prompty:22:1: function messages are not supported",
	}
	if len(errs) != len(want) {
		t.Fatalf("%d problems, want %d:\n%v", len(errs), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(errs[i].Error(), w) {
			t.Errorf("problem %d: %v\nwant %s…", i+1, errs[i], w)
		}
	}
	if !strings.HasPrefix(err.Error(), "every.prompty has 11 problems:\n") {
		t.Errorf("heading: %q", strings.SplitN(err.Error(), "\n", 2)[0])
	}
}

// The current runtime reads a "developer:" line as a role line, as it
// reads "system:": it is refused at its line, not taken into the message
// before it as text.
func TestParsePromptyDeveloperRole(t *testing.T) {
	_, err := ParsePrompty("d.prompty", []byte("---\nname: d\n---\nsystem:\nBe brief.\ndeveloper:\nUse JSON.\nuser:\n{{q}}\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "d.prompty:6:1: developer messages are not supported") || !strings.Contains(err.Error(), "write it as system:") {
		t.Errorf("err = %v", err)
	}
}

// A long construct is named cut at a character, never inside one.
func TestPromptyForeignCutsAtACharacter(t *testing.T) {
	msg := promptyForeign("{{ 'çççççççççççççççççççççççççççççççççççççççççççççççççççççççççççççççç' | upper }}")
	if !utf8.ValidString(msg) || !strings.Contains(msg, "ççç...") {
		t.Errorf("promptyForeign = %q", msg)
	}
}
