package report

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"whet/textutil"
)

// schemaKeys reads SCHEMA.md: for each schema ("whet.run/v1", …) the keys
// documented for each object path ("$", "$.run", "$.results[]", …).
func schemaKeys(t *testing.T) map[string]map[string][]string {
	t.Helper()
	b, err := os.ReadFile("SCHEMA.md")
	if err != nil {
		t.Fatal(err)
	}
	schemaRe := regexp.MustCompile("^## `(whet\\.[a-z]+/v[0-9]+)`")
	pathRe := regexp.MustCompile("^### `(\\$[^`]*)`")
	keyRe := regexp.MustCompile("^\\| `([a-z0-9_]+)` \\|")
	out := map[string]map[string][]string{}
	schema, path := "", ""
	for _, l := range strings.Split(string(b), "\n") {
		if m := schemaRe.FindStringSubmatch(l); m != nil {
			schema, path = m[1], ""
			out[schema] = map[string][]string{}
		} else if strings.HasPrefix(l, "## ") {
			schema, path = "", ""
		} else if m := pathRe.FindStringSubmatch(l); m != nil && schema != "" {
			path = m[1]
		} else if m := keyRe.FindStringSubmatch(l); m != nil && path != "" {
			out[schema][path] = append(out[schema][path], m[1])
		}
	}
	return out
}

// objectKeys walks decoded JSON and records the keys of every object by its
// canonical path; free-form objects (vars, params, messages) are skipped.
func objectKeys(v any, path string, canon func(string) string, out map[string][]string) {
	switch x := v.(type) {
	case map[string]any:
		if strings.HasSuffix(path, ".vars") || strings.HasSuffix(path, ".params") || strings.HasSuffix(path, ".messages[]") {
			return
		}
		p := canon(path)
		for k, val := range x {
			if !slices.Contains(out[p], k) {
				out[p] = append(out[p], k)
			}
			objectKeys(val, path+"."+k, canon, out)
		}
	case []any:
		for _, e := range x {
			objectKeys(e, path+"[]", canon, out)
		}
	}
}

func canonWith(aliases [][2]string) func(string) string {
	return func(p string) string {
		for _, a := range aliases {
			if p == a[0] || strings.HasPrefix(p, a[0]+".") || strings.HasPrefix(p, a[0]+"[]") {
				return a[1] + p[len(a[0]):]
			}
		}
		return p
	}
}

// checkDocumented checks that the JSON's objects have exactly the documented
// keys; the first of docs that documents a path wins.
func checkDocumented(t *testing.T, name string, got map[string][]string, docs ...map[string][]string) {
	t.Helper()
	for path, keys := range got {
		var want []string
		for _, d := range docs {
			if k, ok := d[path]; ok && want == nil {
				want = k
			}
		}
		if want == nil {
			t.Errorf("%s: object at %s is not documented in SCHEMA.md (keys %v)", name, path, keys)
			continue
		}
		slices.Sort(keys)
		w := slices.Clone(want)
		slices.Sort(w)
		if !slices.Equal(keys, w) {
			t.Errorf("%s: %s has keys %v, SCHEMA.md documents %v", name, path, keys, w)
		}
	}
}

func TestJSONMatchesSchemaDoc(t *testing.T) {
	docs := schemaKeys(t)
	run, cmp := docs[RunSchema], docs[CompareSchema]
	if len(run) < 8 || len(cmp) < 3 {
		t.Fatalf("SCHEMA.md parsed to too few sections: run %d, compare %d", len(run), len(cmp))
	}

	var doc map[string]any
	b := render(t, func(b *bytes.Buffer) error { return JSON(b, fixture()) })
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("run JSON does not parse: %v", err)
	}
	got := map[string][]string{}
	objectKeys(doc, "$", canonWith([][2]string{{"$.totals", "$.summary[]"}}), got)
	checkDocumented(t, "run JSON", got, run)
	for path := range run {
		if _, ok := got[path]; !ok {
			t.Errorf("run JSON: documented object %s never appears in the fixture", path)
		}
	}
	if doc["schema"] != RunSchema {
		t.Errorf("schema = %v, want %s", doc["schema"], RunSchema)
	}

	var cdoc map[string]any
	b = render(t, func(b *bytes.Buffer) error { return CompareJSON(b, fixtureComparison()) })
	if err := json.Unmarshal(b, &cdoc); err != nil {
		t.Fatalf("compare JSON does not parse: %v", err)
	}
	got = map[string][]string{}
	objectKeys(cdoc, "$", canonWith([][2]string{
		{"$.a.summary", "$.summary[]"}, {"$.b.summary", "$.summary[]"},
		{"$.a.models[]", "$.run.targets[].models[]"}, {"$.b.models[]", "$.run.targets[].models[]"},
		{"$.b", "$.a"},
		{"$.pairs[].a", "$.results[]"}, {"$.pairs[].b", "$.results[]"},
	}), got)
	checkDocumented(t, "compare JSON", got, cmp, run)
}

// TestJSONValues spot-checks values against the fixture: units, nulls,
// latest scores, the superseded result left out and raw text kept.
func TestJSONValues(t *testing.T) {
	var doc struct {
		Run struct {
			CellsPlanned int     `json:"cells_planned"`
			FinishedAt   *string `json:"finished_at"`
		} `json:"run"`
		Summary []map[string]any `json:"summary"`
		Results []map[string]any `json:"results"`
	}
	b := render(t, func(b *bytes.Buffer) error { return JSON(b, fixture()) })
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Run.CellsPlanned != 8 || doc.Run.FinishedAt == nil || *doc.Run.FinishedAt != "2025-01-02T10:01:35Z" {
		t.Errorf("run = %+v", doc.Run)
	}
	if len(doc.Results) != 8 {
		t.Fatalf("%d results, want 8 (one per cell)", len(doc.Results))
	}
	byID := map[float64]map[string]any{}
	for _, r := range doc.Results {
		byID[r["id"].(float64)] = r
	}
	if _, ok := byID[8]; ok {
		t.Error("superseded result 8 is exported")
	}
	if r := byID[1]; r["latency_ms"] != 800.0 || r["ttft_ms"] != 100.0 || r["score"] != 0.75 {
		t.Errorf("result 1: latency %v ttft %v score %v, want 800, 100, 0.75 (the person's rating)", r["latency_ms"], r["ttft_ms"], r["score"])
	}
	if r := byID[5]; r["cache_hit"] != true || r["ttft_ms"] != nil || r["tok_per_s"] != nil {
		t.Errorf("cache hit: %v", r)
	}
	if r := byID[3]; !strings.Contains(r["output"].(string), "\x1b[31m") {
		t.Error("JSON does not keep the output as recorded")
	}
	if s := doc.Summary[3]; s["errors"] != 1.0 || s["measured"] != 1.0 || s["mean_latency_ms"] != 900.0 {
		t.Errorf("summary for summarize@2 on openai: %v", s)
	}
}

// TestJSONEscapesTerminalControls checks that the documents hold no
// character a terminal acts on, C1 and bidirectional controls included,
// while the text still decodes exactly as recorded.
func TestJSONEscapesTerminalControls(t *testing.T) {
	const nasty = "a\x1b[31m\u009b31m\u009d0;title\u009c\x7f\u202eevil\u202c \u2066x\u2069 \u05e9\u200f 日本 🙂"
	r := fixture()
	r.Results[0].Output = nasty
	r.Run.Cases[0].Vars["k\u202e"] = nasty
	docs := map[string][]byte{
		"run": render(t, func(b *bytes.Buffer) error { return JSON(b, r) }),
		"compare": render(t, func(b *bytes.Buffer) error {
			return CompareJSON(b, Compare(SideOf(r, 11, tOllama), SideOf(r, 12, tOllama), r.Run.Cases, "", r.Generated))
		}),
	}
	for name, b := range docs {
		for i, c := range string(b) {
			if c != '\n' && textutil.IsControl(c) {
				t.Errorf("%s: control character %U at byte %d", name, c, i)
			}
		}
		if !bytes.Contains(b, []byte(`\u009b31m\u009d0;title\u009c\u007f\u202eevil\u202c \u2066x\u2069 `+"\u05e9\u200f 日本 🙂")) {
			t.Errorf("%s: controls not written as \\u escapes, or other text changed:\n%s", name, b)
		}
		if !strings.Contains(string(b), `"k\u202e"`) {
			t.Errorf("%s: a key's control is not escaped", name)
		}
	}
	var doc struct {
		Run struct {
			Cases []struct {
				Vars map[string]string `json:"vars"`
			} `json:"cases"`
		} `json:"run"`
		Results []struct {
			ID     int64  `json:"id"`
			Output string `json:"output"`
		} `json:"results"`
	}
	if err := json.Unmarshal(docs["run"], &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Results[0].ID != 1 || doc.Results[0].Output != nasty || doc.Run.Cases[0].Vars["k\u202e"] != nasty {
		t.Errorf("text does not decode as recorded: %q, vars %q", doc.Results[0].Output, doc.Run.Cases[0].Vars)
	}
	if got := textutil.EscapeControls([]byte(`{"a":"plain"}`)); string(got) != `{"a":"plain"}` {
		t.Errorf("escapeControls changed plain JSON: %s", got)
	}
}

// A score's value is written to six decimals, as the result's score is:
// a weighted mean's float noise never reaches the JSON.
func TestJSONRoundsScoreValues(t *testing.T) {
	r := fixture()
	w := []float64{0.1, 0.2}
	r.Scores[5].Value = w[0] + w[1] // 0.30000000000000004
	b := render(t, func(b *bytes.Buffer) error { return JSON(b, r) })
	if !strings.Contains(string(b), `"value": 0.3,`) || strings.Contains(string(b), "0.30000000000000004") {
		t.Errorf("judge score value not rounded:\n%s", b)
	}
}

// TestRoundCost: a sum of costs loses its float noise, a cheap call's cost
// keeps its digits (nine decimals: a millionth of a cent).
func TestRoundCost(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{0.1 + 0.2, 0.3},
		{0.0000012, 0.0000012},
		{3 * 0.000000415, 0.000001245},
		{0.0000000004, 0},
		{0, 0},
	} {
		if got := RoundCost(c.in); got != c.want {
			t.Errorf("RoundCost(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
