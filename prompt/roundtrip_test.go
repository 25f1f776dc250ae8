package prompt

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

// awkward is text a prompt engineer's prompts really hold: lines a file
// format gives meaning to, whitespace a trim would eat, and Unicode.
var awkward = []string{
	"", " ", "  leading", "trailing  ", "\t", "a\tb", "---", "--- ", "# title", "## user", "## System",
	"\\## user", "## Output format", "user:", "system:", "# user:", "assistant:", "{{x}}", "\\{{x}}", "{{ y }}",
	"{% raw %}", "{%- if a %}", "}}", "{#", ": ", "a: b", "# c", "x #y", "yes", "no", "on", "off", "~", "null",
	"*star", "&anchor", "!tag", "|", ">", "'q'", "\"dq\"", "`tick`", "@at", "%pct", "- item", "? key", "[a, b]",
	"{a: b}", "中文提示", "こんにちは", "🙂👍🏽", "שלום עולם", "مرحبا", "e\u0301", "\u200b", "\ufeffbom", "\u2028",
	"\u0085nel", "\x1b[31m", "tab\tend\t", "\r", "back\\slash", strings.Repeat("long ", 300), "0", "1.0", "0x1F",
	"12:30", "2026-01-02", "<context>", "a & b",
}

func pick(r *rand.Rand) string { return awkward[r.Intn(len(awkward))] }

// awkwardText joins a few awkward pieces with spaces and newlines.
func awkwardText(r *rand.Rand, lines int) string {
	var b strings.Builder
	for i := 0; i < r.Intn(lines+1); i++ {
		if i > 0 {
			b.WriteString([]string{"\n", "\n\n", " ", "\n \n", "\n\t\n"}[r.Intn(5)])
		}
		b.WriteString(pick(r))
	}
	return b.String()
}

func awkwardVars(r *rand.Rand) map[string]string {
	vars := map[string]string{}
	keys := []string{"q", "name", "x-y", "a.b", "ticket", "YES", "on"}
	for i := 0; i < r.Intn(4); i++ {
		vars[keys[r.Intn(len(keys))]] = awkwardText(r, 4)
	}
	return vars
}

func awkwardFile(r *rand.Rand) File {
	f := File{Name: []string{"a", "team/area/name", "x-1", "yes"}[r.Intn(4)]}
	f.Description = awkwardText(r, 3)
	if r.Intn(2) == 0 {
		f.Labels = Labels{"owner": awkwardText(r, 2), "team": pick(r), "on": pick(r)}
	}
	set := func(k, v string) {
		if err := f.Params.Set(k, v); err != nil {
			panic(err)
		}
	}
	if r.Intn(2) == 0 {
		set("temperature", []string{"0", "0.7", "2", "1e-3"}[r.Intn(4)])
		set("top_p", "0.9")
		set("max_tokens", "400")
		set("seed", "-9007199254740993")
		set("stop", `["###", "\n\nuser:", "\"quoted\"", "a: b"]`)
		set("ollama.num_ctx", "8192")
		set("openai.response_format", `{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object","properties":{"a":{"type":["string","null"]}}}}}`)
		set("anthropic.stop", "\n")
		set("logit_bias", `{"50256": -100}`)
		set("note", "yes: no # x")
		set("flag", "true")
		set("big", "12345678901234567890")
		set("tiny", "1e-7")
		set("huge", "1e21")
		set("ollama.tiny", "-2.5E-9")
		set("user_id", `"123"`)      // a string that reads as a number
		set("quoted", `"\"q\""`)     // a string in quotes
		set("openai.user", `"true"`) // a string that reads as true
	}
	if r.Intn(2) == 0 {
		f.Tags = []string{"production", "v-1.2"}
	}
	f.Vars = awkwardVars(r)
	for i := 0; i < r.Intn(3); i++ {
		f.Cases = append(f.Cases, Case{Name: pick(r), Description: awkwardText(r, 2), Vars: awkwardVars(r), Expected: awkwardText(r, 3)})
	}
	roles := []string{RoleSystem, RoleSystem, RoleUser, RoleAssistant}
	for i := 0; i < 1+r.Intn(5); i++ {
		content := awkwardText(r, 6)
		if _, err := ParseTemplate(content); err != nil {
			content = strings.ReplaceAll(content, "{{", "\\{{")
		}
		f.Messages = append(f.Messages, Message{Role: roles[r.Intn(len(roles))], Content: content})
	}
	f.Messages = NormalizeMessages(f.Messages)
	return f
}

// TestFileRoundTripProperty: for many awkward prompts, what FormatFile
// writes, ParseFile reads back as the same prompt: hash, name,
// description, labels, params, tags, sample values and cases.
func TestFileRoundTripProperty(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 3000; i++ {
		f := awkwardFile(r)
		out := FormatFile(f)
		g, err := ParseFile("f.md", out)
		if err != nil {
			t.Fatalf("#%d: %v\n%s", i, err, out)
		}
		if g.Content().Hash() != f.Content().Hash() {
			t.Fatalf("#%d: hash changed\nmessages %q\nback     %q\nparams %q\nback   %q\n%s", i, f.Messages, g.Messages, f.Params.Lines(), g.Params.Lines(), out)
		}
		if g.Name != f.Name || g.Description != f.Description || !reflect.DeepEqual(g.Labels, f.Labels) || !reflect.DeepEqual(g.Tags, f.Tags) {
			t.Fatalf("#%d: front matter changed\n%#v\n%#v\n%s", i, f, g, out)
		}
		if len(f.Vars) > 0 && !reflect.DeepEqual(g.Vars, f.Vars) {
			t.Fatalf("#%d: vars changed\n%q\n%q\n%s", i, f.Vars, g.Vars, out)
		}
		if !reflect.DeepEqual(g.Cases, f.Cases) {
			t.Fatalf("#%d: cases changed\n%#v\n%#v\n%s", i, f.Cases, g.Cases, out)
		}
	}
}
