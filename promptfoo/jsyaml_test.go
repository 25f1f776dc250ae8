package promptfoo

import (
	"strings"
	"testing"
	"unicode/utf8"
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
	var notes []string
	for _, is := range r.Unsupported {
		notes = append(notes, is.String())
	}
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

// A long description is cut at a character, so a note never holds half
// of one ("participa\xc3...").
func TestShortenCutsAtACharacter(t *testing.T) {
	s := shorten("1a-fase | Direito Constitucional | petróleo e participação do proprietário")
	if !utf8.ValidString(s) || s != "1a-fase | Direito Constitucional | petróleo e participaçã..." {
		t.Errorf("shorten = %q", s)
	}
}

// promptfoo's ollama provider takes its endpoint from OLLAMA_BASE_URL
// alone: an apiBaseUrl in its config is said to be ignored there too, not
// only left out by whet.
func TestImportOllamaEndpointKeysIgnored(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{"c.yaml": `
prompts: ['{{q}}']
providers:
  - id: ollama:chat:qwen2.5:7b
    config:
      apiBaseUrl: http://localhost:11434/v1
tests:
  - vars: {q: hi}
`}))
	if err != nil {
		t.Fatal(err)
	}
	want := "c.yaml:6: provider ollama:chat:qwen2.5:7b: config.apiBaseUrl is not imported: promptfoo's ollama provider ignores it too: it calls OLLAMA_BASE_URL (else http://localhost:11434) with OLLAMA_API_KEY"
	if len(r.Unsupported) != 1 || r.Unsupported[0].String() != want {
		t.Errorf("issues = %v, want %s", r.Unsupported, want)
	}
	if len(r.Targets) != 1 || r.Targets[0] != "ollama:qwen2.5:7b" {
		t.Errorf("targets = %v", r.Targets)
	}
}

// A JSON chat file with Nunjucks tags, which promptfoo renders before it
// reads the JSON, names each construct at its line and column in the
// file, as a text prompt's are named.
func TestImportJSONPromptWithNunjucks(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{
		"c.yaml": "prompts:\n  - id: file://chat.json\n    label: multi\nproviders: [echo]\ntests:\n  - vars: {q: hi}\n",
		"chat.json": `[
  {"role": "system", "content": "Be brief"},
  {% for m in _conversation %}
    {"role": "assistant", "content": "{{ m.output }}"},
  {% endfor %}
  {"role": "user", "content": "{{ q }}"}
]`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, is := range r.Unsupported {
		got = append(got, is.String())
	}
	want := []string{
		`chat.json:3:3: prompt "multi" is not imported: it uses the Nunjucks tag {% for m in _conversation %} (whet templates have {{ variable }} only)`,
		`chat.json:5:3: prompt "multi" is not imported: it uses the Nunjucks tag {% endfor %} (whet templates have {{ variable }} only)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("issues =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// asserts indented under vars are a var to promptfoo, which never runs
// them: imported as promptfoo reads them, and said.
func TestImportAssertUnderVars(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{"c.yaml": `
prompts: ['{{q}}']
providers: [echo]
tests:
  - vars:
      q: hi
      assert:
      - type: icontains
        value: google
`}))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Suite.Cases) != 1 || len(r.Suite.Cases[0].Checks) != 0 || r.Suite.Cases[0].Vars["assert"] != `[{"type":"icontains","value":"google"}]` {
		t.Errorf("cases = %+v", r.Suite.Cases)
	}
	want := "c.yaml:7: test 1: vars.assert is a variable to promptfoo, written under vars, so its asserts never ran there; it is imported as a variable too (did you mean assert, beside vars?)"
	if len(r.Unsupported) != 1 || r.Unsupported[0].String() != want {
		t.Errorf("issues = %v, want %s", r.Unsupported, want)
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
