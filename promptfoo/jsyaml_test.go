package promptfoo

import (
	"strings"
	"testing"
)

// promptfoo reads YAML with js-yaml and prints a var as JavaScript's
// String() does; each var here is the text promptfoo 0.123.1 renders for
// it (checked with js-yaml 5.4.1 and Nunjucks), dates aside.
func TestImportVarsAsJSYAML(t *testing.T) {
	want := map[string]string{
		"e":      "1000",                 // 1e3 is a number to js-yaml
		"neg":    "-1000",                // -1e3 too
		"oct":    "17",                   // 017 is decimal, not octal
		"zero8":  "8",                    // 08
		"bin":    "0b101",                // text to js-yaml
		"under":  "1_000",                // text to js-yaml
		"big":    "12345678901234567000", // beyond 2^53: a float64
		"inf":    "Infinity",
		"minf":   "-Infinity",
		"nan":    "NaN",
		"hex":    "31",
		"f":      "1.5",
		"one":    "1",
		"quoted": "1e3", // quoted: text
		"tagged": "017", // !!str: text
		"nums":   "1,2,3",
		"nested": "1,2,3",
		"nulls":  "1,,2",
		"maps":   `[{"a":1000}]`, // a list with a mapping: JSON, as whet gives a mapping
		"date":   "2024-01-01",
		"yes":    "Yes",
		"t":      "true",
	}
	var cfg strings.Builder
	cfg.WriteString("prompts: ['")
	for k := range want {
		cfg.WriteString("{{" + k + "}} ")
	}
	cfg.WriteString(`']
providers: [echo]
tests:
  - vars:
      e: 1e3
      neg: -1e3
      oct: 017
      zero8: 08
      bin: 0b101
      under: 1_000
      big: 12345678901234567890
      inf: .inf
      minf: -.Inf
      nan: .NaN
      hex: 0x1F
      f: 1.50
      one: 1.0
      quoted: "1e3"
      tagged: !!str 017
      nums: [1, 2, 3]
      nested: [[1, 2], [3]]
      nulls: [1, null, 2]
      maps: [{a: 1e3}]
      date: 2024-01-01
      yes: Yes
      t: True
`)
	r, err := Import("c.yaml", memFS(map[string]string{"c.yaml": cfg.String()}))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Suite.Cases) != 1 {
		t.Fatalf("cases = %+v, want 1", r.Suite.Cases)
	}
	got := r.Suite.Cases[0].Vars
	for k, w := range want {
		if got[k] != w {
			t.Errorf("var %s = %q, want %q", k, got[k], w)
		}
	}
	notes := issueLines(r)
	wantNote := `c.yaml:24: test 1: var date = 2024-01-01 is a date to promptfoo's YAML reader, which does not send it as written (it renders a date in the config as [object Object]); whet sends 2024-01-01: quote it so promptfoo sends that too`
	if len(notes) != 1 || notes[0] != wantNote {
		t.Errorf("notes =\n%s\nwant\n%s", strings.Join(notes, "\n"), wantNote)
	}
}

// A list var whose first element is text expands into a case per element,
// as promptfoo's does; one whose first element is a number is one value.
func TestImportListVarsExpandAsPromptfoo(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{"c.yaml": `
prompts: ['{{n}} {{s}}']
providers: [echo]
tests:
  - vars:
      n: [1e3, a]
      s: [a, 1e3, [1, 2]]
`}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range r.Suite.Cases {
		got = append(got, c.Vars["n"]+"|"+c.Vars["s"])
	}
	want := "1000,a|a 1000,a|1000 1000,a|1,2"
	if strings.Join(got, " ") != want {
		t.Errorf("cases = %q, want %q", strings.Join(got, " "), want)
	}
}

// A YAML file var is the JSON promptfoo gives it, JSON.stringify of what
// js-yaml reads (checked with js-yaml 5.4.1 and Node): keys in the file's
// order, flow mappings too, numbers and dates as JavaScript writes them.
func TestImportYAMLFileVarAsJSON(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{
		"c.yaml": "prompts: ['{{d}}']\nproviders: [echo]\ntests:\n  - vars:\n      d: file://data.yaml\n",
		"data.yaml": `zeta: 1e3
alpha: [1, 017, 0b101, .inf, ~, "q"]
when: 2024-01-01
at: 2001-12-14 21:59:43.10 -5
ts: 2001-12-14t21:59:43.10-05:00
nested: {b: 2, a: 1_000}
big: 12345678901234567890
`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"zeta":1000,"alpha":[1,17,"0b101",null,null,"q"],"when":"2024-01-01T00:00:00.000Z","at":"2001-12-15T02:59:43.100Z","ts":"2001-12-15T02:59:43.100Z","nested":{"b":2,"a":"1_000"},"big":12345678901234567000}`
	if len(r.Suite.Cases) != 1 || r.Suite.Cases[0].Vars["d"] != want {
		t.Errorf("d =\n%s\nwant\n%s", r.Suite.Cases[0].Vars["d"], want)
	}
}

// TestImportObjectVarAsJSONStringify: an object var is printed as
// JSON.stringify prints it: keys that are array indexes first, ascending,
// then the others as written; <, >, & and U+2028 as they are.
func TestImportObjectVarAsJSONStringify(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{
		"c.yaml": "prompts: ['{{m}}']\nproviders: [echo]\ntests:\n  - vars:\n      m: {b: 1, \"10\": x, \"2\": y, \"02\": z, html: \"<b>a & b</b>\\u2028\"}\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := "{\"2\":\"y\",\"10\":\"x\",\"b\":1,\"02\":\"z\",\"html\":\"<b>a & b</b>\u2028\"}"
	if len(r.Suite.Cases) != 1 || r.Suite.Cases[0].Vars["m"] != want {
		t.Errorf("m =\n%s\nwant\n%s", r.Suite.Cases[0].Vars["m"], want)
	}
}
