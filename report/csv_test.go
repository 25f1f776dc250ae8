package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"whet/textutil"
)

func TestCSVRoundTrip(t *testing.T) {
	r := fixture()
	b := render(t, func(b *bytes.Buffer) error { return CSV(b, r) })
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll() // fails on a ragged row
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	header := rows[0]
	wantHeader := append(slices.Clone(csvColumns), "score:check:contains", "pass:check:contains", "score:human", "score:judge:openai:gpt-4o")
	if !slices.Equal(header, wantHeader) {
		t.Errorf("header = %v\nwant %v", header, wantHeader)
	}
	if len(rows) != 1+8 {
		t.Fatalf("%d data rows, want 8 (one per cell)", len(rows)-1)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	outputs := map[string]bool{}
	for _, row := range rows[1:] {
		if len(row) != len(header) {
			t.Errorf("row has %d fields, header %d", len(row), len(header))
		}
		if strings.ContainsRune(row[col["output"]], 0x1b) {
			t.Errorf("CSV output keeps an escape: %q", row[col["output"]])
		}
		var vars map[string]string
		if err := json.Unmarshal([]byte(row[col["vars"]]), &vars); err != nil {
			t.Errorf("vars %q is not a JSON object: %v", row[col["vars"]], err)
		}
		outputs[row[col["output"]]] = true
	}
	// Every cell's output survives the round trip (sanitised), newlines,
	// quotes and commas included.
	for _, res := range CellResults(r.Results) {
		if !outputs[textutil.Sanitize(res.Output)] {
			t.Errorf("output %q of result %d did not round-trip", res.Output, res.ID)
		}
	}
	first := rows[1]
	if first[col["version"]] != "1" || first[col["case"]] != "0" || first[col["latency_ms"]] != "800" ||
		first[col["score:human"]] != "0.75" || first[col["pass:check:contains"]] != "true" || first[col["cache_hit"]] != "false" {
		t.Errorf("first row = %v", first)
	}
}

func TestCompareCSVRoundTrip(t *testing.T) {
	b := render(t, func(b *bytes.Buffer) error { return CompareCSV(b, fixtureComparison()) })
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	if !slices.Equal(rows[0], compareColumns) || len(rows) != 3 {
		t.Fatalf("header %v, %d rows", rows[0], len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	// Case 0: A succeeded, B errored with no output.
	if r := rows[1]; r[col["a_length"]] != "35" || r[col["b_length"]] != "0" || r[col["length_delta"]] != "-35" || r[col["b_error"]] == "" || r[col["score_delta"]] != "" {
		t.Errorf("case 0 row = %v", r)
	}
	if r := rows[2]; r[col["b_score"]] != "0.5" || r[col["a_score"]] != "" {
		t.Errorf("case 1 row = %v", r)
	}
}

// TestCSVHoldsNoControls checks that no text column passes a control
// character through — the model and finish reason come from the server —
// and that vars still decode to the values exactly.
func TestCSVHoldsNoControls(t *testing.T) {
	const bad = "x\x1b]0;pwned\x07\u009b2J\u202ey"
	r := fixture()
	r.Run.ID += bad
	r.Run.Cases[0].Name = bad
	r.Run.Cases[0].Vars["text"] = bad
	for i := range r.Results {
		r.Results[i].Model += bad
		r.Results[i].ModelDigest += bad
		r.Results[i].FinishReason += bad
	}
	c := Compare(SideOf(r, 11, tOllama), SideOf(r, 12, tOllama), r.Run.Cases, "", r.Generated)
	docs := map[string][]byte{
		"run":     render(t, func(b *bytes.Buffer) error { return CSV(b, r) }),
		"compare": render(t, func(b *bytes.Buffer) error { return CompareCSV(b, c) }),
	}
	for name, b := range docs {
		for i, c := range string(b) {
			if c != '\n' && textutil.IsControl(c) {
				t.Errorf("%s CSV: control character %U at byte %d", name, c, i)
			}
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatalf("%s CSV does not parse: %v", name, err)
		}
		col := slices.Index(rows[0], "vars")
		var vars map[string]string
		if err := json.Unmarshal([]byte(rows[1][col]), &vars); err != nil || vars["text"] != bad {
			t.Errorf("%s CSV: vars %q do not decode to the values (%v)", name, rows[1][col], err)
		}
		if col := slices.Index(rows[0], "case_name"); rows[1][col] != "x2Jy" {
			t.Errorf("%s CSV: case_name = %q, want %q", name, rows[1][col], "x2Jy")
		}
	}
}

// csvDocColumns reads the column names SCHEMA.md lists after "Columns:"
// under the heading that starts with heading.
func csvDocColumns(t *testing.T, heading string) []string {
	t.Helper()
	b, err := os.ReadFile("SCHEMA.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n"+heading)
	if !ok {
		t.Fatalf("SCHEMA.md has no %q section", heading)
	}
	_, list, ok := strings.Cut(sec, "\nColumns:\n")
	if !ok {
		t.Fatalf("SCHEMA.md %q lists no columns", heading)
	}
	list, _, _ = strings.Cut(list, "\n\n")
	var cols []string
	for _, m := range regexp.MustCompile("`([a-z_]+)`").FindAllStringSubmatch(list, -1) {
		cols = append(cols, m[1])
	}
	return cols
}

func TestCSVMatchesSchemaDoc(t *testing.T) {
	if got := csvDocColumns(t, "### Cells"); !slices.Equal(got, csvColumns) {
		t.Errorf("SCHEMA.md lists the cell columns\n%v\nCSV writes\n%v", got, csvColumns)
	}
	if got := csvDocColumns(t, "### Pairs"); !slices.Equal(got, compareColumns) {
		t.Errorf("SCHEMA.md lists the pair columns\n%v\nCompareCSV writes\n%v", got, compareColumns)
	}
}

// TestCSVFormatChoices pins what SCHEMA.md documents: no byte-order mark,
// LF record ends (also inside fields), and cells that a spreadsheet would
// take for formulas kept exactly, for the programs that read the data.
func TestCSVFormatChoices(t *testing.T) {
	r := fixture()
	formulas := []string{"=HYPERLINK(\"http://evil.example\",\"x\")", "+1", "-5", "@SUM(A1)", "- item\n- item", "\tindented"}
	for i, f := range formulas {
		r.Results[i].Output = f
	}
	b := render(t, func(b *bytes.Buffer) error { return CSV(b, r) })
	if bytes.HasPrefix(b, []byte("\uFEFF")) {
		t.Error("CSV starts with a byte-order mark")
	}
	if bytes.Contains(b, []byte("\r")) {
		t.Error("CSV holds a CR")
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[0], "output")
	var outputs []string
	for _, row := range rows[1:] {
		outputs = append(outputs, row[col])
	}
	for _, f := range formulas {
		if !slices.Contains(outputs, f) {
			t.Errorf("output %q is not kept as it is; outputs: %q", f, outputs)
		}
	}
}
