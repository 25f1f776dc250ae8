package prompt

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// A key Prompty does not define, such as GenAIScript's tests, is named
// with its line, and so is one Prompty defines that whet leaves out.
func TestPromptyNotesRealFile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "prompty", "genaiscript-tests.prompty"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParsePrompty("basic.prompty", data); err != nil {
		t.Fatalf("the file imports: %v", err)
	}
	got := PromptyNotes("basic.prompty", data)
	want := []Note{
		{File: "basic.prompty", Line: 8, Msg: "model.configuration is not imported: " + promptyTargetNote},
		{File: "basic.prompty", Line: 24, Msg: "tests is not imported: it is no key of a Prompty file, and Prompty ignores it too"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("notes =\n%v\nwant\n%v", got, want)
	}
	if s := got[1].String(); s != "basic.prompty:24: tests is not imported: it is no key of a Prompty file, and Prompty ignores it too" {
		t.Errorf("String() = %q", s)
	}
}

func TestPromptyNotes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		front string
		want  []string // "LINE: message start"
	}{
		{name: "read keys only", front: "name: a\ndescription: d\nauthors: [x]\nmodel:\n  api: chat\n  parameters: {temperature: 0}\nsample: {q: 1}\ninputs: {q: {type: string}}\ntemplate: jinja2\n$schema: x\n"},
		{name: "current generation",
			front: "name: a\ndisplayName: A\nmodel:\n  id: gpt-4o\n  provider: openai\n  apiType: responses\n  connection: {kind: key}\n  options:\n    temperature: 0\n    allowMultipleToolCalls: true\noutputs:\n  - name: answer\ninstructions: be brief\nmetadata:\n  authors: [x]\n  tags: [demo]\n  team: support\ntemplate:\n  format: {kind: mustache}\n  parser: {kind: prompty}\n  engine: x\n",
			want: []string{
				"3: displayName is not imported: whet names a prompt by its name alone",
				"5: model.id is not imported: whet chooses the model",
				"6: model.provider is not imported: whet chooses the model",
				"7: model.apiType responses is imported as a chat prompt",
				"8: model.connection is not imported: whet chooses the model",
				"11: model.options.allowMultipleToolCalls is not imported: it matters only with tools",
				"12: outputs is not imported: whet keeps no output schema",
				"14: instructions is not imported: the messages are read from the body",
				"17: metadata.tags is not imported: Prompty's tags are keywords",
				"18: metadata.team is not imported: whet keeps no free-form metadata",
				"22: template.engine is not imported: it is no key of a Prompty template",
			}},
		{name: "first generation",
			front: "name: a\nversion: 1.0\ntags: [x]\nbase: other.prompty\nmodel:\n  api: chat\n  configuration: {type: openai}\n  response: all\n  temprature: 0\n",
			want: []string{
				"3: version is not imported: whet numbers",
				"4: tags is not imported: Prompty's tags are keywords about the prompt, and whet's tags name its versions",
				"5: base is not imported: whet does not read the prompt it names",
				"8: model.configuration is not imported",
				"9: model.response all is not imported: whet keeps the text of the model's first answer",
				"10: model.temprature is not imported: it is no key of a Prompty model",
			}},
		{name: "model id alone", front: "model: gpt-4o\n", want: []string{"2: model is not imported: whet chooses the model"}},
		{name: "response first is what whet does", front: "model:\n  response: first\n"},
		{name: "hint", front: "name: a\nparameters: {temperature: 0}\n",
			want: []string{"3: parameters is not imported: it is no key of a Prompty file, and Prompty ignores it too (did you mean model.parameters?)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte("---\n" + tc.front + "---\nuser:\nhi\n")
			if _, err := ParsePrompty("p.prompty", data); err != nil {
				t.Fatalf("the file imports: %v", err)
			}
			notes := PromptyNotes("p.prompty", data)
			if len(notes) != len(tc.want) {
				t.Fatalf("notes = %v, want %d", notes, len(tc.want))
			}
			for i, w := range tc.want {
				line, msg, _ := strings.Cut(w, ": ")
				got := notes[i]
				if got.File != "p.prompty" || strings.TrimSpace(line) != strconv.Itoa(got.Line) || !strings.HasPrefix(got.Msg, msg) {
					t.Errorf("note %d = %v, want %s", i, got, w)
				}
			}
		})
	}
}

// A file with no front matter, or front matter that does not parse, has
// no notes: ParsePrompty reports the latter.
func TestPromptyNotesNone(t *testing.T) {
	for _, src := range []string{"user:\nhi\n", "---\nname: [\n---\nuser:\nhi\n", "---\n---\nuser:\nhi\n", "---\n- a\n---\nuser:\nhi\n"} {
		if n := PromptyNotes("p.prompty", []byte(src)); n != nil {
			t.Errorf("%q: notes %v", src, n)
		}
	}
}

// The current runtime's tools, like model.parameters.tools, offer the
// model functions whet does not call: the file is refused at the key.
func TestParsePromptyTopLevelTools(t *testing.T) {
	src := "---\nname: a\ntools:\n  - name: get_weather\n    kind: function\n---\nuser:\nhi\n"
	_, err := ParsePrompty("t.prompty", []byte(src))
	if err == nil || err.Error() != "t.prompty:3: tools: "+promptyNoTools {
		t.Errorf("err = %v", err)
	}
	if _, err := ParsePrompty("t.prompty", []byte("---\nname: a\ntools: []\n---\nuser:\nhi\n")); err != nil {
		t.Errorf("no tools: %v", err)
	}
}
