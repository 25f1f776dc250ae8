package prompt

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"whet/textutil"
)

const exampleSuiteFile = `name: reply-quality
description: Replies are polite and on topic
prompt: support/reply      # optional
threshold: 0.8             # optional
checks:                    # suite-level, every case
  - type: not-contains
    value: "As an AI"
cases:
  - name: refund
    description: asks for money back
    vars: {customer: Bo, ticket: I want a refund, order: 1234}
    expected: refund
    checks:
      - {type: icontains, value: refund}
      - {type: llm-rubric, value: "Polite and offers a next step", weight: 2}
      - {type: icontains-any, value: [sorry, apolog], metric: empathy}
      - type: is-json
        value: {type: object, required: [reply]}
        provider: openai:gpt-4o-mini
  - vars:
      ticket: |-
        Line one
        Line two
    threshold: 0.5
    checks:
      - {type: latency, threshold: 2000}
`

func exampleSuite() Suite {
	return Suite{
		Name:        "reply-quality",
		Description: "Replies are polite and on topic",
		Prompt:      "support/reply",
		Threshold:   f64(0.8),
		Checks:      []Check{{Type: "not-contains", Value: "As an AI"}},
		Cases: []Case{
			{
				Name: "refund", Description: "asks for money back",
				Vars:     map[string]string{"customer": "Bo", "ticket": "I want a refund", "order": "1234"},
				Expected: "refund",
				Checks: []Check{
					{Type: "icontains", Value: "refund"},
					{Type: "llm-rubric", Value: "Polite and offers a next step", Weight: 2},
					{Type: "icontains-any", Value: []any{"sorry", "apolog"}, Metric: "empathy"},
					{Type: "is-json", Value: map[string]any{"type": "object", "required": []any{"reply"}}, Provider: "openai:gpt-4o-mini"},
				},
			},
			{
				Vars:      map[string]string{"ticket": "Line one\nLine two"},
				Threshold: f64(0.5),
				Checks:    []Check{{Type: "latency", Threshold: f64(2000)}},
			},
		},
	}
}

func TestParseSuiteFile(t *testing.T) {
	got, err := ParseSuiteFile("reply.yaml", []byte(exampleSuiteFile))
	if err != nil {
		t.Fatal(err)
	}
	if want := exampleSuite(); !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseSuiteFile =\n%#v\nwant\n%#v", got, want)
	}
}

func TestFormatSuiteFile(t *testing.T) {
	out := string(FormatSuiteFile(exampleSuite()))
	want := `name: reply-quality
description: Replies are polite and on topic
prompt: support/reply
threshold: 0.8
checks:
  - type: not-contains
    value: As an AI
cases:
  - name: refund
    description: asks for money back
    vars:
      customer: Bo
      order: "1234"
      ticket: I want a refund
    expected: refund
    checks:
      - type: icontains
        value: refund
      - type: llm-rubric
        value: Polite and offers a next step
        weight: 2
      - type: icontains-any
        value: ["sorry","apolog"]
        metric: empathy
      - type: is-json
        value: {"required":["reply"],"type":"object"}
        provider: "openai:gpt-4o-mini"
  - vars:
      ticket: |-
        Line one
        Line two
    threshold: 0.5
    checks:
      - type: latency
        threshold: 2000
`
	if out != want {
		t.Errorf("FormatSuiteFile =\n%s\nwant\n%s", out, want)
	}
	back, err := ParseSuiteFile("out.yaml", []byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, exampleSuite()) {
		t.Errorf("round trip =\n%#v\nwant\n%#v", back, exampleSuite())
	}
}

func TestFormatSuiteFileTrickyStrings(t *testing.T) {
	su := Suite{
		Name:        "x",
		Description: "first line\n  indented\n\nafter blank",
		Checks: []Check{
			{Type: "llm-rubric", Value: "Rubric:\n- polite\n- offers a next step"},
			{Type: "equals", Value: "trailing space \nline"},
			{Type: "regex", Value: `^\d+ items? #\w+$`},
			{Type: "contains", Value: "yes"},
			{Type: "contains-all", Value: []any{"a: b", "# c", "true", nil, 1.5, false}},
			{Type: "cost", Threshold: f64(0.002)},
		},
		Cases: []Case{
			{Name: "null", Description: "- dash", Vars: map[string]string{"key with space": "v", "": "empty key", "n": "null", "ticket": "Hi,\nmy order\n", "two": "a\n\n"}, Expected: "line\r\nwindows"},
			{Vars: map[string]string{}},
		},
	}
	out := FormatSuiteFile(su)
	back, err := ParseSuiteFile("t.yaml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !reflect.DeepEqual(back, su) {
		t.Errorf("round trip =\n%#v\nwant\n%#v\nfile:\n%s", back, su, out)
	}
}

// A value holding <, > or & (a prompt injection test, an XML-tagged
// context) is written as it reads, not as \u003c…, and reads back.
func TestFormatSuiteFileKeepsAngleBrackets(t *testing.T) {
	su := Suite{
		Name:        "x",
		Description: "Prompt Injection & Tool-Calling Security Tests",
		Cases:       []Case{{Vars: map[string]string{"context": "<doc>a & b</doc>"}}},
	}
	out := string(FormatSuiteFile(su))
	if strings.Contains(out, `\u00`) || !strings.Contains(out, `"<doc>a & b</doc>"`) || !strings.Contains(out, `"Prompt Injection & Tool-Calling Security Tests"`) {
		t.Errorf("file:\n%s", out)
	}
	back, err := ParseSuiteFile("t.yaml", []byte(out))
	if err != nil || !reflect.DeepEqual(back, su) {
		t.Errorf("round trip = %#v, %v", back, err)
	}
}

func TestParseSuiteFileErrors(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"empty", "  \n", "s.yaml:1: empty suite file"},
		{"no name", "description: x\n", "s.yaml:1: name: missing"},
		{"bad name", "name: a b\n", "s.yaml:1:7: name: invalid suite name \"a b\""},
		{"bad prompt", "name: a\nprompt: -x\n", "s.yaml:2:9: prompt: invalid prompt name"},
		{"threshold", "name: a\nthreshold: 2\n", "s.yaml:2:12: threshold: 2 is outside 0..1"},
		{"unknown field", "name: a\ncases:\n  - vars: {}\n    expect: x\n", "s.yaml:4:5"},
		{"check type", "name: a\ncases:\n  - vars: {}\n  - name: b\n    checks:\n      - value: x\n", "s.yaml:6:9: case \"b\": check 1: type: missing"},
		{"weight", "name: a\nchecks:\n  - type: contains\n    weight: 0\n", "s.yaml:4:13: check 1 (contains): weight 0 must be a number > 0"},
		{"case threshold", "name: a\ncases:\n  - name: r\n    threshold: -1\n", "s.yaml:4:16: r: threshold: -1 is outside 0..1"},
		{"syntax", "name: a\ncases: [\n", "s.yaml:2"},
		{"not a mapping", "- a\n- b\n", "s.yaml:1"},
		{"threshold type", "name: a\nthreshold: high\n", "s.yaml:2"},
		{"cases a mapping", "name: a\ncases:\n  vars: {q: x}\n", "s.yaml:3:7: cases: want a list, found a mapping"},
		{"checks a mapping", "name: a\ncases:\n  - vars: {q: x}\n    checks: {type: equals}\n", "s.yaml:4:13: cases[0].checks: want a list, found a mapping"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSuiteFile("s.yaml", []byte(tc.data))
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FileError", err)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error %q, want %q", err, tc.want)
			}
		})
	}
}

func TestParseSuiteFileWithValidator(t *testing.T) {
	known := map[string]bool{"contains": true, "icontains": true}
	validate := func(c Check) error {
		if !known[c.Type] {
			return fmt.Errorf("unknown check type %q", c.Type)
		}
		return nil
	}
	data := "name: a\nchecks:\n  - type: contains\n    value: x\ncases:\n  - vars: {}\n    checks:\n      - {type: icontain, value: y}\n"
	_, err := ParseSuiteFileWith("s.yaml", []byte(data), validate)
	// A case's check is named by its case (its name, else its number), as
	// a run names it: "check 1" alone reads as the suite's own first check.
	if err == nil || err.Error() != `s.yaml:8:10: case 1: check 1 (icontain): unknown check type "icontain"` {
		t.Errorf("error = %v", err)
	}
	named := strings.Replace(data, "  - vars: {}", "  - name: refund\n    vars: {}", 1)
	if _, err := ParseSuiteFileWith("s.yaml", []byte(named), validate); err == nil || err.Error() != `s.yaml:9:10: case "refund": check 1 (icontain): unknown check type "icontain"` {
		t.Errorf("named case: error = %v", err)
	}
	suiteLevel := "name: a\nchecks:\n  - type: icontain\n    value: x\n"
	if _, err := ParseSuiteFileWith("s.yaml", []byte(suiteLevel), validate); err == nil || err.Error() != `s.yaml:3:5: check 1 (icontain): unknown check type "icontain"` {
		t.Errorf("suite check: error = %v", err)
	}
	if _, err := ParseSuiteFileWith("s.yaml", []byte(strings.Replace(data, "icontain,", "icontains,", 1)), validate); err != nil {
		t.Errorf("valid file refused: %v", err)
	}
}

func TestFormatCasesRoundTrip(t *testing.T) {
	cases := []Case{
		{Name: "refund", Description: "money, back", Vars: map[string]string{"customer": "Bo \"the\" builder", "ticket": "line1\nline2"}, Expected: "refund"},
		{Vars: map[string]string{"customer": "", "ticket": "x,y"}},
		{Name: "third", Vars: map[string]string{"customer": "Ann", "ticket": "ünïcode ✓ <b>&"}, Expected: "a\r\nb"},
	}
	for _, f := range []struct {
		file   string
		format func([]Case) []byte
	}{{"c.csv", FormatCasesCSV}, {"c.jsonl", FormatCasesJSONL}} {
		data := f.format(cases)
		back, err := ParseCases(f.file, data)
		if err != nil {
			t.Fatalf("%s: %v\n%s", f.file, err, data)
		}
		want := cases
		if f.file == "c.csv" {
			// encoding/csv reads \r\n inside a quoted field as \n.
			want = append([]Case(nil), cases...)
			want[2].Expected = "a\nb"
		}
		if !reflect.DeepEqual(back, want) {
			t.Errorf("%s round trip =\n%#v\nwant\n%#v\nfile:\n%s", f.file, back, want, data)
		}
	}
	if got, want := string(FormatCasesCSV(cases[:1])), "__name,__description,customer,ticket,__expected\nrefund,\"money, back\",\"Bo \"\"the\"\" builder\",\"line1\nline2\",refund\n"; got != want {
		t.Errorf("FormatCasesCSV = %q, want %q", got, want)
	}
	if got, want := string(FormatCasesJSONL(cases[1:2])), `{"vars":{"customer":"","ticket":"x,y"}}`+"\n"; got != want {
		t.Errorf("FormatCasesJSONL = %q, want %q", got, want)
	}
	// JSON lines escape every control, as whet's JSON exports do.
	if got, want := string(FormatCasesJSONL([]Case{{Vars: map[string]string{"q": "a\x1b\u009b\u202eb"}}})), `{"vars":{"q":"a\u001b\u009b\u202eb"}}`+"\n"; got != want {
		t.Errorf("FormatCasesJSONL = %q, want %q", got, want)
	}
}

// Rows that would be one empty field (which ParseCases skips as blank
// lines) survive: the CSV gets a second column.
func TestFormatCasesCSVNarrow(t *testing.T) {
	for _, cases := range [][]Case{
		{{Vars: map[string]string{"q": ""}}, {Vars: map[string]string{"q": "x"}}},
		{{Vars: map[string]string{}}, {Vars: map[string]string{}}},
		{{Expected: ""}, {Expected: "e"}},
	} {
		data := FormatCasesCSV(cases)
		back, err := ParseCases("n.csv", data)
		if err != nil {
			t.Fatalf("%v\n%s", err, data)
		}
		if len(back) != len(cases) {
			t.Fatalf("%d cases read back from\n%s\nwant %d", len(back), data, len(cases))
		}
		for i := range cases {
			if back[i].Expected != cases[i].Expected || back[i].Vars["q"] != cases[i].Vars["q"] {
				t.Errorf("case %d = %+v, want %+v", i, back[i], cases[i])
			}
		}
	}
}

// FuzzParseSuiteFile: never panics; what parses formats to a file that
// parses back to the same suite.
func FuzzParseSuiteFile(f *testing.F) {
	f.Add(exampleSuiteFile)
	f.Add(string(FormatSuiteFile(exampleSuite())))
	f.Add("name: a\ncases:\n  - vars: {q: \"a\\nb \"}\n    checks: [{type: x, value: [1, {a: b}]}]\n")
	f.Add("name: a\ndescription: \"x\\u0085y\\n z\"\n")
	f.Add("name: a\nchecks: [{type: t, value: !!binary aGk=}]\n")
	f.Fuzz(func(t *testing.T, data string) {
		su, err := ParseSuiteFile("f.yaml", []byte(data))
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FileError", err)
			}
			return
		}
		out := FormatSuiteFile(su)
		back, err := ParseSuiteFile("f.yaml", out)
		if err != nil {
			t.Fatalf("formatted file does not parse: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(back, su) {
			t.Fatalf("round trip changed the suite:\n%#v\n%#v\nfile:\n%s", su, back, out)
		}
	})
}

// TestFormatSuiteFileEscapesControls checks that a suite file, which
// whet suite show prints, holds no character a terminal acts on (the C0
// controls, DEL, C1 and bidirectional controls are escaped in double
// quotes), and still reads back to the same suite.
func TestFormatSuiteFileEscapesControls(t *testing.T) {
	const evil = "a\x1b]52;c;ZXZpbA==\x07b\u009b31m\u0085c\u202ed\x7f"
	su := Suite{
		Name:        "x",
		Description: "line one " + evil + "\nline two",
		Checks:      []Check{{Type: "contains-any", Value: []any{evil, "ok"}}},
		Cases: []Case{{
			Name:     evil,
			Vars:     map[string]string{"multi": evil + "\n" + evil, evil: "key"},
			Expected: evil,
		}},
	}
	out := FormatSuiteFile(su)
	for _, r := range string(out) {
		if r != '\n' && textutil.IsControl(r) {
			t.Errorf("suite file holds %U:\n%s", r, out)
		}
	}
	back, err := ParseSuiteFile("t.yaml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !reflect.DeepEqual(back, su) {
		t.Errorf("round trip =\n%#v\nwant\n%#v\nfile:\n%s", back, su, out)
	}
}

// TestParseSuiteFileEveryBadCheck: every bad check of a file is reported,
// each at its line, so that several are fixed in one go; errors.As finds
// the first.
func TestParseSuiteFileEveryBadCheck(t *testing.T) {
	validate := func(c Check) error {
		if c.Type != "contains" {
			return fmt.Errorf("unknown check type %q", c.Type)
		}
		return nil
	}
	data := "name: a\nchecks:\n  - {type: icontain, value: x}\ncases:\n  - name: r\n    checks:\n      - {type: contains, value: y, weight: -1}\n      - {value: z}\n"
	_, err := ParseSuiteFileWith("s.yaml", []byte(data), validate)
	want := "s.yaml has 3 problems:\n" +
		"  s.yaml:3:6: check 1 (icontain): unknown check type \"icontain\"\n" +
		"  s.yaml:7:44: case \"r\": check 1 (contains): weight -1 must be a number > 0 (omit it for 1)\n" +
		"  s.yaml:8:10: case \"r\": check 2: type: missing (e.g. contains, llm-rubric)"
	if err == nil || err.Error() != want {
		t.Fatalf("error =\n%v\nwant\n%s", err, want)
	}
	var fe *FileError
	if !errors.As(err, &fe) || fe.Line != 3 {
		t.Errorf("errors.As gives %+v, want the first problem (line 3)", fe)
	}
}
