package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"whet/prompt"
	"whet/report"
	"whet/themes"
)

// BenchmarkResultsFilter100k measures one key press in the Results
// filter and the frame drawn after it, rows by case, on a run of 100,000
// cases. Budget: one frame (16ms).
func BenchmarkResultsFilter100k(b *testing.B) {
	theme, err := themes.Get("dark")
	if err != nil {
		b.Fatal(err)
	}
	const n = 100_000
	run := prompt.Run{ID: "1m8bench0000", Status: prompt.RunDone, Targets: []string{"echo"},
		Versions: []prompt.RunVersion{{VersionID: 1, Prompt: "p", Number: 1}}, Repeat: 1, Created: time.Unix(0, 0)}
	rr := report.RunReport{Run: run}
	for i := range n {
		run.Cases = append(run.Cases, prompt.Case{Vars: map[string]string{"q": fmt.Sprint(i)}})
		rr.Results = append(rr.Results, prompt.Result{ID: int64(i + 1), RunID: run.ID, VersionID: 1, Target: "echo", Case: i, Output: "user: " + fmt.Sprint(i), FinishReason: "stop"})
	}
	rr.Run = run
	m := newResults(&shared{theme: theme, now: time.Now}).setSize(120, 36).setReport(rr)
	m, _ = m.Update(keyPress("r")) // rows by case
	m, _ = m.Update(keyPress("/"))
	m, _ = m.Update(keyPress("5"))
	if len(m.rows) != n || !m.filtering {
		b.Fatalf("rows %d, filtering %v", len(m.rows), m.filtering)
	}
	keys := []tea.KeyPressMsg{keyPress("0"), keyPress("backspace")}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, _ = m.Update(keys[i%2])
		_ = m.View()
	}
	b.StopTimer()
	if v := m.filter.Value(); v != "5" && v != "50" {
		b.Fatalf("filter holds %q", v)
	}
}

// BenchmarkSuiteCases100k measures one move in the cases table of a suite
// of 100,000 cases and the frame drawn after it. Budget: one frame (16ms).
func BenchmarkSuiteCases100k(b *testing.B) {
	theme, err := themes.Get("dark")
	if err != nil {
		b.Fatal(err)
	}
	su := prompt.Suite{Name: "big", Prompt: "support/reply"}
	for i := range 100_000 {
		c := prompt.Case{Vars: map[string]string{"ticket": "ticket " + fmt.Sprint(i)}}
		if i%3 == 0 {
			c.Expected = "refund"
		}
		su.Cases = append(su.Cases, c)
	}
	m := newSuites(&shared{theme: theme, now: time.Now}).setSize(120, 36).openDraft(su, false, false)
	if v := m.View(); !strings.Contains(v, "33334 graded by expected") {
		b.Fatalf("view:\n%s", v)
	}
	keys := []tea.KeyPressMsg{keyPress("j"), keyPress("k")}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, _ = m.Update(keys[i%2])
		_ = m.View()
	}
}
