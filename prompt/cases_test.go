package prompt

import (
	"strings"
	"testing"
)

func TestParseCases(t *testing.T) {
	csvData := "text,lang,__expected\n\"Hello, world\",fr,Bonjour\n\"multi\nline\",de,\n"
	cs, err := ParseCases("c.csv", []byte(csvData))
	if err != nil || len(cs) != 2 || cs[0].Vars["text"] != "Hello, world" || cs[0].Expected != "Bonjour" || cs[1].Vars["text"] != "multi\nline" {
		t.Fatalf("csv: %+v %v", cs, err)
	}
	if _, ok := cs[0].Vars["__expected"]; ok {
		t.Fatal("__expected leaked into vars")
	}
	jl := "{\"vars\":{\"q\":\"a\",\"n\":3},\"expected\":\"x\",\"name\":\"first\"}\n\n{\"q\":\"b\"}\n"
	cs, err = ParseCases("c.jsonl", []byte(jl))
	if err != nil || len(cs) != 2 || cs[0].Vars["n"] != "3" || cs[0].Name != "first" || cs[1].Vars["q"] != "b" {
		t.Fatalf("jsonl: %+v %v", cs, err)
	}
	// a byte-order mark, as a Windows editor saves UTF-8, is not content
	for name, data := range map[string]string{"b.jsonl": "{\"q\":\"a\"}\n", "b.json": "[{\"q\":\"a\"}]", "b.yaml": "- q: a\n", "b.csv": "q\na\n"} {
		cs, err := ParseCases(name, []byte("\ufeff"+data))
		if err != nil || len(cs) != 1 || cs[0].Vars["q"] != "a" {
			t.Errorf("%s with a BOM: %+v, %v", name, cs, err)
		}
	}
	long := strings.Repeat("x", 17<<20)
	cs, err = ParseCases("c.jsonl", []byte("{\"q\":\"a\"}\r\n{\"q\":\""+long+"\"}\n"))
	if err != nil || len(cs) != 2 || cs[0].Vars["q"] != "a" || cs[1].Vars["q"] != long {
		t.Fatalf("jsonl with a long line: %d cases, %v", len(cs), err)
	}
	y := "cases:\n  - vars: {q: a}\n    expected: x\n  - q: b\n"
	cs, err = ParseCases("c.yaml", []byte(y))
	if err != nil || len(cs) != 2 || cs[0].Expected != "x" || cs[1].Vars["q"] != "b" {
		t.Fatalf("yaml: %+v %v", cs, err)
	}
	bad := []struct{ name, data, want string }{
		{"a.csv", "q,r\n1,2\n3\n", "a.csv:3: row has 1 fields, the header has 2"},
		{"a.csv", "ticket,ticket\na,b\n", `a.csv:1:2: column 2 repeats the name "ticket" of column 1`},
		{"a.csv", "q,\n1,2\n", "a.csv:1:2: column 2 has no name"},
		{"a.csv", "q\n", "no cases"},
		{"a.csv", "q\n\"unterminated\n", "a.csv:2"},
		{"a.jsonl", "{\"q\":1}\nnot json\n", "a.jsonl:2: invalid JSON"},
		{"a.jsonl", "{\"q\":1}\nnull\n", "a.jsonl:2: not a JSON object: found null"},
		{"a.jsonl", "{\"q\":1}\n[1]\n", "a.jsonl:2: not a JSON object: found a list"},
		{"a.json", "[{\"q\":1},\n{\"q\":}]\n", "a.json:2: invalid JSON"},
		{"a.json", "{\"q\":1}\n", "a.json:1: expected a JSON array of case objects, found a mapping"},
		{"a.json", "[{\"q\":1},\n null]\n", "a.json:2:2: case 2 is not a mapping: found null"},
		{"a.json", "[{\"q\":1},\n {\"vars\":{},\"x\":1}]\n", `a.json:2:3: case 2: unknown field "x"`},
		{"a.jsonl", "{\"vars\":{},\"extra\":1}\n", "unknown field \"extra\""},
		{"a.yaml", "q: [\n", "a.yaml:"},
		{"a.yaml", "- q: a\n- just text\n", "a.yaml:2:3: case 2 is not a mapping"},
		{"a.yaml", "cases:\n  - q: a\n  - vars: {q: b}\n    expect: x\n", `a.yaml:3:5: case 2: unknown field "expect"`},
		{"a.txt", "", "unknown case file type"},
	}
	for _, b := range bad {
		_, err := ParseCases(b.name, []byte(b.data))
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s %q: err = %v, want %q", b.name, b.data, err, b.want)
		}
	}
}
