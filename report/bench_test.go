package report

import (
	"fmt"
	"io"
	"testing"
	"time"

	"whet/prompt"
)

// benchReport is a run the size of bench/'s: 3 versions × 4 targets × 500
// cases, one short output per cell.
func benchReport() RunReport {
	run := prompt.Run{ID: "r-bench", Status: prompt.RunDone, Repeat: 1}
	versions := map[int64]prompt.Version{}
	for v := int64(1); v <= 3; v++ {
		run.Versions = append(run.Versions, prompt.RunVersion{VersionID: v, Prompt: "bench", Number: int(v), Hash: fmt.Sprintf("%064d", v)})
		versions[v] = prompt.Version{ID: v, Prompt: "bench", Number: int(v)}
	}
	for t := 1; t <= 4; t++ {
		run.Targets = append(run.Targets, fmt.Sprintf("b%d:model-%d", t, t))
	}
	for c := range 500 {
		run.Cases = append(run.Cases, prompt.Case{Vars: map[string]string{"text": fmt.Sprintf("case number %d", c)}})
	}
	var results []prompt.Result
	id := int64(0)
	start := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	for _, v := range run.Versions {
		for _, t := range run.Targets {
			for c := range run.Cases {
				id++
				results = append(results, prompt.Result{ID: id, RunID: run.ID, VersionID: v.VersionID, Target: t, Case: c,
					Output: "Hello from bench", FinishReason: "stop", TTFT: 800 * time.Microsecond, Latency: 1200 * time.Microsecond,
					TokensIn: 5, TokensOut: 3, Model: "model", Started: start.Add(time.Duration(id) * time.Millisecond)})
			}
		}
	}
	return RunReport{Run: run, Results: results, Versions: versions, Generated: start}
}

// BenchmarkCSV writes the CSV report of a 6,000-cell run.
func BenchmarkCSV(b *testing.B) {
	rr := benchReport()
	b.ReportAllocs()
	for b.Loop() {
		if err := CSV(io.Discard, rr); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompareMarkdown writes the comparison of two versions of a run
// of 20,000 cases as Markdown.
func BenchmarkCompareMarkdown(b *testing.B) {
	run := prompt.Run{ID: "r-cmp", Status: prompt.RunDone, Repeat: 1, Targets: []string{"echo"},
		Versions: []prompt.RunVersion{{VersionID: 1, Prompt: "p", Number: 1}, {VersionID: 2, Prompt: "p", Number: 2}}}
	var results []prompt.Result
	for c := range 20_000 {
		run.Cases = append(run.Cases, prompt.Case{Vars: map[string]string{"text": fmt.Sprintf("case number %d", c)}})
		for v := int64(1); v <= 2; v++ {
			results = append(results, prompt.Result{ID: int64(len(results) + 1), RunID: run.ID, VersionID: v, Target: "echo", Case: c,
				Output: fmt.Sprintf("answer %d of version %d", c, v), FinishReason: "stop"})
		}
	}
	rr := RunReport{Run: run, Results: results, Generated: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	c := CompareRun(rr, SideKey{1, "echo"}, SideKey{2, "echo"})
	b.ReportAllocs()
	for b.Loop() {
		if err := CompareMarkdown(io.Discard, c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJSON writes the JSON report of a 6,000-cell run.
func BenchmarkJSON(b *testing.B) {
	rr := benchReport()
	b.ReportAllocs()
	for b.Loop() {
		if err := JSON(io.Discard, rr); err != nil {
			b.Fatal(err)
		}
	}
}
