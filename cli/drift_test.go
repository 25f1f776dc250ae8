package cli

import (
	"bytes"
	"strings"
	"testing"

	"whet/eval"
	"whet/prompt"
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
