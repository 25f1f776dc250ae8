package prompt

import (
	"reflect"
	"strings"
	"testing"
)

const promptySource = `---
name: Basic Prompt
description: Answers questions
authors:
  - ana
model:
  api: chat
  configuration:
    type: azure_openai
    azure_deployment: gpt-4o   # kept as written
  parameters:
    max_tokens: 128
    temperature: 0.2
inputs:
  question:
    type: string
sample:
  question: Why?
---
system:
You are helpful.

# Customer
Be brief.

user:
{{question}}
`

func TestUpdatePromptyWritesTheBodyOnly(t *testing.T) {
	f, err := ParsePrompty("basic.prompty", []byte(promptySource))
	if err != nil {
		t.Fatal(err)
	}
	f.Messages = []Message{
		{Role: RoleSystem, Content: "You are very helpful.\n\n# Customer\nBe brief."},
		{Role: RoleUser, Content: "Hi"},
		{Role: RoleAssistant, Content: "Hello."},
		{Role: RoleUser, Content: "{{ question }}"},
	}
	out, err := UpdatePrompty("basic.prompty", []byte(promptySource), f, nil)
	if err != nil {
		t.Fatal(err)
	}
	front := promptySource[:strings.Index(promptySource, "system:")]
	if !strings.HasPrefix(string(out), front) {
		t.Errorf("the front matter changed:\n%s", out)
	}
	if want := front + "system:\nYou are very helpful.\n\n# Customer\nBe brief.\n\nuser:\nHi\n\nassistant:\nHello.\n\nuser:\n{{ question }}\n"; string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	// Imported again, it is the same version.
	back, err := ParsePrompty("basic.prompty", out)
	if err != nil {
		t.Fatal(err)
	}
	if back.Content().Hash() != f.Content().Hash() {
		t.Errorf("hash changed on the way back: %v", back.Messages)
	}
}

func TestUpdatePromptyRefuses(t *testing.T) {
	base, err := ParsePrompty("basic.prompty", []byte(promptySource))
	if err != nil {
		t.Fatal(err)
	}
	temp := 0.9
	for _, tc := range []struct {
		name string
		edit func(f *File)
		want string
	}{
		{"params", func(f *File) { f.Params.Temperature = &temp }, "its params (model.parameters) differ"},
		{"sample", func(f *File) { f.Vars = map[string]string{"question": "How?"} }, "sample values (sample, inputs)"},
		{"owner and description", func(f *File) { f.Labels = Labels{"owner": "bo"}; f.Description = "x" }, "its description, owner (authors) differ from"},
		{"owner", func(f *File) { f.Labels = Labels{"owner": "bo"} }, "its owner (authors) differs from the version's: whet writes a Prompty file's messages only, so change it in"},
		{"role line", func(f *File) {
			f.Messages = []Message{{Role: RoleUser, Content: "Answer.\nuser:\n{{question}}"}}
		}, "message 1 (user) would read otherwise in Prompty"},
		{"literal braces", func(f *File) { f.Messages = []Message{{Role: RoleUser, Content: `Write \{{name}} and {{question}}`}} }, `message 1 (user) holds a literal \{{`},
		{"jinja", func(f *File) { f.Messages = []Message{{Role: RoleUser, Content: "{% raw %}{{question}}"}} }, "Prompty would not read the messages as they are"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := base
			f.Labels = Labels{"owner": "ana"}
			tc.edit(&f)
			if _, err := UpdatePrompty("basic.prompty", []byte(promptySource), f, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestUpdatePromptyCompletion(t *testing.T) {
	src := "---\nname: c\nmodel:\n  api: completion\n---\nComplete: {{x}}\n"
	f, err := ParsePrompty("c.prompty", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	f.Messages = []Message{{Role: RoleUser, Content: "Finish: {{x}}"}}
	out, err := UpdatePrompty("c.prompty", []byte(src), f, nil)
	if err != nil || string(out) != "---\nname: c\nmodel:\n  api: completion\n---\nFinish: {{x}}\n" {
		t.Errorf("got %q, %v", out, err)
	}
	f.Messages = append(f.Messages, Message{Role: RoleAssistant, Content: "ok"})
	if _, err := UpdatePrompty("c.prompty", []byte(src), f, nil); err == nil || !strings.Contains(err.Error(), "one user message") {
		t.Errorf("two messages in a completion prompt: %v", err)
	}
}

func TestUpdatePromptyKeepsWindowsLineEnds(t *testing.T) {
	src := strings.ReplaceAll(promptySource, "\n", "\r\n")
	f, err := ParsePrompty("basic.prompty", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	f.Messages[1].Content = "Q: {{question}}"
	out, err := UpdatePrompty("basic.prompty", []byte(src), f, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Replace(src, "user:\r\n{{question}}", "user:\r\nQ: {{question}}", 1); string(out) != want {
		t.Errorf("got %q\nwant %q", out, want)
	}
}

// What the file does not say (an owner or a description given in whet to
// a file with no authors or description) does not stop the write.
func TestUpdatePromptyKeepsWhatTheFileLeavesOut(t *testing.T) {
	src := "---\nname: bare\n---\nuser:\nHi {{x}}\n"
	f, err := ParsePrompty("bare.prompty", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	f.Labels = Labels{"owner": "ana", "team": "cx"}
	f.Description = "Says hi"
	f.Vars = map[string]string{"x": "Bo"}
	f.Messages = []Message{{Role: RoleUser, Content: "Hello {{x}}"}}
	out, err := UpdatePrompty("bare.prompty", []byte(src), f, nil)
	if err != nil || string(out) != "---\nname: bare\n---\nuser:\nHello {{x}}\n" {
		t.Errorf("got %q, %v", out, err)
	}
}

// Prompty reads the body from its first character that is not white
// space: the blank lines after the front matter are layout, and writing
// a file's own messages back into it gives the file back byte for byte,
// those lines included, with Windows line ends too; imported again, it is
// the same version.
func TestUpdatePromptyRoundTripsTheBlankLinesAfterFrontMatter(t *testing.T) {
	for _, src := range []string{
		"---\nname: greet\n---\n\nsystem:\nBe kind.\n\nuser:\nHi {{name}}\n",
		"---\nname: greet\n---\n\n\nuser:\nHi {{name}}\n",
		"---\r\nname: greet\r\n---\r\n\r\nsystem:\r\nBe kind.\r\n\r\nuser:\r\nHi {{name}}\r\n",
		"\nsystem:\nBe kind.\n\nuser:\nHi {{name}}\n", // a body alone
	} {
		f, err := ParsePrompty("greet.prompty", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		out, err := UpdatePrompty("greet.prompty", []byte(src), f, nil)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != src {
			t.Errorf("exported %q\nwant      %q", out, src)
		}
		back, err := ParsePrompty("greet.prompty", out)
		if err != nil || back.Content().Hash() != f.Content().Hash() {
			t.Errorf("%q: imported again %+v, %v; want %+v", src, back.Messages, err, f.Messages)
		}
	}
}

// The first line's indent after the front matter is not sent either: the
// message is read as Prompty sends it, and a problem on that line is at
// its column in the file.
func TestParsePromptyBodyStartsAtItsFirstCharacter(t *testing.T) {
	f, err := ParsePrompty("b.prompty", []byte("---\nname: b\n---\n\n   Be brief.\n  Really.\nuser:\n{{q}}\n"))
	want := []Message{{Role: RoleSystem, Content: "Be brief.\n  Really."}, {Role: RoleUser, Content: "{{q}}"}}
	if err != nil || !reflect.DeepEqual(f.Messages, want) {
		t.Errorf("messages %q, %v; want %q", f.Messages, err, want)
	}
	for _, tc := range []struct{ src, want string }{
		{"---\nname: b\n---\n  Hi {{ a | b }}\n", "b.prompty:4:6: Jinja expression"},
		{"---\nname: b\n---\n  Hi {{ a\n", "b.prompty:4:6: unclosed {{"},
	} {
		if _, err := ParsePrompty("b.prompty", []byte(tc.src)); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.src, err, tc.want)
		}
	}
}
