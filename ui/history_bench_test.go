package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"whet/prompt"
	"whet/report"
	"whet/store"
)

// benchRuns returns a store that has lived for months: 120 finished runs
// of one prompt, each 2 versions × 2 targets × 110 cases = 440 cells with
// outputs of about 400 characters (one call in 20 failed), every cell
// graded by a check and by its suite (whose reasons are a sentence long),
// one in 25 rated by a person. About 53,000 results and 108,000 scores.
// The file is built once and kept (benchStore).
func benchRuns(b *testing.B) *store.Store {
	return benchStore(b, "runs120", fillRuns)
}

func fillRuns(ctx context.Context, st *store.Store) error {
	v1, err := st.CreatePrompt(ctx, store.NewPrompt{Name: "support/reply"},
		store.NewVersion{Messages: []prompt.Message{{Role: "user", Content: "Answer {{q}}"}}})
	if err != nil {
		return err
	}
	v2, _, err := st.SaveVersion(ctx, "support/reply", store.NewVersion{Messages: []prompt.Message{{Role: "user", Content: "Answer briefly {{q}}"}}})
	if err != nil {
		return err
	}
	rvs := []prompt.RunVersion{}
	for _, v := range []prompt.Version{v1, v2} {
		rvs = append(rvs, prompt.RunVersion{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number, Hash: v.Hash})
	}
	var cases []prompt.Case
	for c := range 110 {
		cases = append(cases, prompt.Case{Vars: map[string]string{"q": fmt.Sprintf("question %d about the product", c)}})
	}
	output := strings.Repeat("A helpful answer that goes on. ", 13)
	reason := "the reply names the product and stays under the length limit"
	t0 := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for n := range 120 {
		run := prompt.Run{Source: "bench", Versions: rvs, Targets: []string{"echo", "ollama:llama3.2"}, Cases: cases,
			Created: t0.Add(time.Duration(n) * 12 * time.Hour)}
		if err := st.CreateRun(ctx, &run); err != nil {
			return err
		}
		var rs []prompt.Result
		for _, v := range rvs {
			for _, tg := range run.Targets {
				for c := range cases {
					r := prompt.Result{RunID: run.ID, VersionID: v.VersionID, Target: tg, Case: c, Output: output,
						FinishReason: "stop", Latency: time.Second, TokensIn: 20, TokensOut: 80, Model: "m", Started: run.Created}
					if (n+c)%20 == 0 {
						r.Output, r.Error = "", "connection refused"
					}
					rs = append(rs, r)
				}
			}
		}
		if err := st.SaveResults(ctx, rs); err != nil {
			return err
		}
		var ss []prompt.Score
		for i, r := range rs {
			pass := (n+i)%3 != 0
			v := float64((n*7+i)%11) / 10
			ss = append(ss,
				prompt.Score{ResultID: r.ID, Scorer: "check:contains", Value: v, Pass: &pass, Reason: reason, Created: run.Created},
				prompt.Score{ResultID: r.ID, Scorer: report.ScorerSuite, Value: v, Pass: &pass, Reason: reason, Created: run.Created})
			if i%25 == 0 {
				ss = append(ss, prompt.Score{ResultID: r.ID, Scorer: report.ScorerHuman, Value: 1, Pass: &pass, Author: "ana", Created: run.Created.Add(time.Hour)})
			}
		}
		if err := st.AddScores(ctx, ss); err != nil {
			return err
		}
		if err := st.FinishRun(ctx, run.ID, prompt.RunDone, run.Created.Add(time.Minute)); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkRunsList reads the Runs screen's list (loadHistory) of a
// prompt with 120 runs of 440 graded cells: the latest 100 runs with
// their figures.
func BenchmarkRunsList(b *testing.B) {
	st := benchRuns(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		rows, err := loadHistory(ctx, st, "support/reply", historyLimit)
		if err != nil || len(rows) != historyLimit || rows[0].n != 440 || rows[0].judged != 440 {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
	}
}
