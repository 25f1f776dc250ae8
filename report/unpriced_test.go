package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// A target whose price is unknown shows its cost as unknown, not $0, in
// every format, and the totals as a lower bound.
func TestUnpricedTargetCost(t *testing.T) {
	r := fixture()
	r.Unpriced = []string{tOpenAI}
	table := string(render(t, func(b *bytes.Buffer) error { return Table(b, r, 0) }))
	for _, line := range strings.Split(table, "\n") {
		switch {
		case strings.Contains(line, tOpenAI) && !strings.Contains(line, "no price"):
			if strings.Contains(line, "$") {
				t.Errorf("table row of an unpriced target shows a cost: %q", line)
			}
		case strings.HasPrefix(line, "all"):
			if !strings.Contains(line, "≥$") {
				t.Errorf("totals row is not a lower bound: %q", line)
			}
		}
	}
	if !strings.Contains(table, "no price is known for "+tOpenAI+": its cost is not counted") {
		t.Errorf("table does not say which target is unpriced:\n%s", table)
	}
	md := string(render(t, func(b *bytes.Buffer) error { return Markdown(b, r) }))
	checkMarkdown(t, "unpriced", md)
	if !strings.Contains(md, "Cost: no price is known for") || !strings.Contains(md, "| ≥ ") {
		t.Errorf("Markdown lacks the unpriced note or the lower bound:\n%s", md)
	}
	var doc struct {
		Summary []struct {
			Target   string `json:"target"`
			Unpriced bool   `json:"unpriced"`
		} `json:"summary"`
		Totals struct {
			Unpriced bool `json:"unpriced"`
		} `json:"totals"`
	}
	if err := json.Unmarshal(render(t, func(b *bytes.Buffer) error { return JSON(b, r) }), &doc); err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.Summary {
		if s.Unpriced != (s.Target == tOpenAI) {
			t.Errorf("JSON summary %s: unpriced %v", s.Target, s.Unpriced)
		}
	}
	if !doc.Totals.Unpriced {
		t.Error("JSON totals do not say they leave out an unpriced target")
	}
	c := Compare(SideOf(r, 11, tOllama), SideOf(r, 11, tOpenAI), r.Run.Cases, "", r.Generated)
	cmd := string(render(t, func(b *bytes.Buffer) error { return CompareMarkdown(b, c) }))
	if !strings.Contains(cmd, "| **Cost (USD)** | 0 | — (no price known) |") {
		t.Errorf("comparison's cost row:\n%s", cmd)
	}
}
