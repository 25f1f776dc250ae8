package cli

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"whet/eval"
	"whet/prompt"
	"whet/report"
)

// whet drift's table and Markdown say how the sign tests were adjusted in
// the words of the TUI's drift dialog (eval.HolmNote), and say nothing of
// it when one pair was tested.
func TestDriftHolmNoteAsTheDialog(t *testing.T) {
	v := prompt.RunVersion{VersionID: 1, Prompt: "p", Number: 1}
	rows := []eval.DriftRow{
		{Version: v, Target: "a", Tested: 3, AdjustedP: 0.2},
		{Version: v, Target: "b", Tested: 3, AdjustedP: 0.3},
	}
	note := eval.HolmNote(rows)
	if !strings.Contains(note, "adjusted for the 3 pairs tested (Holm)") {
		t.Fatalf("note: %q", note)
	}
	d := driftReport{Rows: rows}
	var b bytes.Buffer
	if err := d.table(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "P: the sign test's p-value, unadjusted; "+note+"\n") {
		t.Errorf("table does not say %q:\n%s", note, b.String())
	}
	b.Reset()
	if err := d.markdown(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), note) {
		t.Errorf("Markdown does not say %q:\n%s", note, b.String())
	}
	rows[0].Tested, rows[1].Tested = 1, 0
	if eval.HolmNote(rows) != "" {
		t.Errorf("one pair tested: %q", eval.HolmNote(rows))
	}
}

// The drift table's p-value column says a p-value as the sentences do: no
// exponent notation, and one just below 0.05 is not rounded up to it.
func TestDriftPColumn(t *testing.T) {
	for _, tc := range []struct {
		w, l int
		want string
	}{
		// 2·Σ_{i≤min} C(n,i)/2^n by Python's fractions and math.comb:
		// 16 of 16 is 3.05e-05; 42 of 67 is 0.049800; 8 of 11 is 0.2265625.
		{16, 0, "<0.0001"},
		{42, 25, "0.0498"},
		{8, 3, "0.23"},
		{0, 0, "—"},
	} {
		r := eval.DriftRow{AB: eval.ABResult{Wins: tc.w, Losses: tc.l, P: eval.SignTest(tc.w, tc.l)}}
		if got := driftP(r); got != tc.want {
			t.Errorf("%d against %d: %q, want %q", tc.w, tc.l, got, tc.want)
		}
	}
}

// whet drift's JSON writes its p-values and scores as whet.compare/v1
// does (report.RoundP, six decimals): a sign test's 1/64 reads 0.015625,
// never float noise such as 0.015624999999999974.
func TestDriftJSONRoundsAsCompare(t *testing.T) {
	v := prompt.RunVersion{VersionID: 1, Prompt: "p", Number: 1}
	p := eval.SignTest(0, 7)
	row := eval.DriftRow{Version: v, Target: "a", Tested: 3, AdjustedP: min(1, 3*p),
		Before: report.Summary{Scored: 3, MeanScore: 0.1 + 0.2}, After: report.Summary{Scored: 3, MeanScore: 2.0 / 3},
		AB: eval.ABResult{Losses: 7, P: p, Cases: []eval.ABCase{{Case: 0, A: 0.1 + 0.2, B: 1.0 / 3, Scored: true, Winner: 1}}}}
	js, err := json.Marshal(driftReport{Rows: []eval.DriftRow{row}}.jsonDoc())
	if err != nil {
		t.Fatal(err)
	}
	s := string(js)
	for _, want := range []string{`"p_value":0.015625,`, `"p_value_adjusted":0.046875,`, `"mean_score_before":0.3,`, `"mean_score_after":0.666667,`,
		`"score_before":0.3,`, `"score_after":0.333333}`} {
		if !strings.Contains(s, want) {
			t.Errorf("drift JSON lacks %s:\n%s", want, s)
		}
	}
	if m := regexp.MustCompile(`[0-9]\.[0-9]{7,}`).FindString(s); m != "" {
		t.Errorf("drift JSON writes %s:\n%s", m, s)
	}
}
