package ui

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"whet/eval"
	"whet/prompt"
	"whet/report"
	"whet/store"
)

// TestRunsListEqualsAggregate draws varied runs of two prompts (a run may
// hold versions of both): repeats, failed calls, cells not run, suite
// grades with checks, judges alone, people's ratings and pass/fail over
// the suite's grades, re-grades, runs done, interrupted and still running.
// Each row of the Runs list, for one prompt and for all runs, has exactly
// the figures eval.Aggregate gives of its results and scores, to the last
// bit of the mean score, whether the list counted it from the store's
// tallies or (a result graded by several machines alone) from its scores.
func TestRunsListEqualsAggregate(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	seed(t, st)
	var versions []prompt.RunVersion
	for _, ref := range []string{"support/reply@1", "support/reply@2", "support/reply", "summarize/notes"} {
		r, err := prompt.ParseRef(ref)
		if err != nil {
			t.Fatal(err)
		}
		v, err := st.Resolve(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		versions = append(versions, prompt.RunVersion{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number, Hash: v.Hash})
	}
	rng := rand.New(rand.NewPCG(5, 6))
	scorers := []string{report.ScorerSuite, report.ScorerHuman, "judge:x", "check:contains"}
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	var unlocks []func()
	defer func() {
		for _, u := range unlocks {
			u()
		}
	}()
	for n := range 60 {
		vs := slices.Clone(versions)
		rng.Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
		run := prompt.Run{Versions: vs[:1+rng.IntN(3)], Targets: []string{"echo", "ollama:m", "b:m"}[:1+rng.IntN(3)],
			Repeat: 1 + rng.IntN(3), Created: t0.Add(time.Duration(n) * time.Hour)}
		for c := range 1 + rng.IntN(8) {
			run.Cases = append(run.Cases, prompt.Case{Vars: map[string]string{"q": fmt.Sprint(c)}})
		}
		if n%10 == 9 {
			unlock, err := st.StartRun(ctx, &run) // still running
			if err != nil {
				t.Fatal(err)
			}
			unlocks = append(unlocks, unlock)
		} else if err := st.CreateRun(ctx, &run); err != nil {
			t.Fatal(err)
		}
		var rs []prompt.Result
		for _, v := range run.Versions {
			for _, tg := range run.Targets {
				for c := range run.Cases {
					for rep := range run.Repeat {
						if rng.IntN(8) == 0 {
							continue
						}
						r := prompt.Result{RunID: run.ID, VersionID: v.VersionID, Target: tg, Case: c, Repeat: rep, Output: "answer"}
						if rng.IntN(6) == 0 {
							r.Output, r.Error = "", "connection refused"
						}
						rs = append(rs, r)
					}
				}
			}
		}
		if err := st.SaveResults(ctx, rs); err != nil {
			t.Fatal(err)
		}
		var ss []prompt.Score
		mixed := n%4 == 3
		for _, r := range rs {
			for k := range rng.IntN(4) {
				sc := prompt.Score{ResultID: r.ID, Scorer: scorers[rng.IntN(len(scorers))],
					Value: rng.Float64(), Created: run.Created.Add(time.Duration(k+rng.IntN(2)) * time.Minute)}
				if !mixed && sc.Scorer != report.ScorerHuman && sc.Scorer != report.ScorerSuite {
					sc.Scorer = report.ScorerSuite
				}
				if rng.IntN(5) > 0 {
					pass := rng.IntN(3) > 0
					sc.Pass = &pass
				}
				ss = append(ss, sc)
			}
		}
		if err := st.AddScores(ctx, ss); err != nil {
			t.Fatal(err)
		}
		switch {
		case n%10 == 9:
		case n%3 == 1: // interrupted: never finished
		default:
			if err := st.FinishRun(ctx, run.ID, prompt.RunDone, run.Created.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
	}
	fallback, fast := 0, 0
	for _, name := range []string{"support/reply", "summarize/notes", ""} {
		rows, err := loadHistory(ctx, st, name, historyLimit)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			t.Fatalf("%q: no runs listed", name)
		}
		for _, row := range rows {
			run := row.sum.Run
			results, err := st.Results(ctx, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			scores, err := st.Scores(ctx, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			results = slices.DeleteFunc(results, func(r prompt.Result) bool {
				i := slices.IndexFunc(run.Versions, func(v prompt.RunVersion) bool { return v.VersionID == r.VersionID })
				return name != "" && (i < 0 || run.Versions[i].Prompt != name)
			})
			want := eval.TotalOf(eval.Aggregate(results, scores, run))
			got := eval.Totals{N: row.n, Errors: row.errors, Judged: row.judged, Passed: row.passed, Scored: row.scored, MeanScore: row.meanScore}
			if got != want {
				t.Errorf("%q: run %s (%s): listed %+v, want %+v", name, run.ID, run.Status, got, want)
			}
			ts, err := st.RunTallies(ctx, []string{run.ID})
			if err != nil {
				t.Fatal(err)
			}
			if slices.ContainsFunc(ts[run.ID], func(t store.Tally) bool { return t.Mixed > 0 }) {
				fallback++
			} else {
				fast++
			}
		}
	}
	if fallback == 0 || fast == 0 {
		t.Errorf("rows counted from scores: %d, from tallies: %d; want both", fallback, fast)
	}
}

// With room, the Runs list shows each run's pass rate beside its mean
// score, as Results and the gate count it, and a person's fail rating
// moves it when the list is shown again.
func TestRunsListShowsPassRate(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	ctx := context.Background()
	h := newHarness(t, fixedTimeStore{st}, 140, 30)
	h.send(historyOpenMsg{prompt: "support/reply"})
	if l := lineWith(h.screen(), fixtureRun); !strings.Contains(l, "75%") || !strings.Contains(l, "0.75") {
		t.Fatalf("run row without its pass rate 75%% (9 of 12):\n%s", h.screen())
	}
	h.mustSee("PASS", "SCORE")
	results, err := st.ResultCells(ctx, fixtureRun)
	if err != nil {
		t.Fatal(err)
	}
	fail := false
	for _, r := range results {
		if r.OK() && !strings.Contains(r.Output, "can refund") { // a pass
			if err := st.AddScores(ctx, []prompt.Score{{ResultID: r.ID, Scorer: report.ScorerHuman, Value: 0, Pass: &fail, Author: "ana", Created: testNow}}); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	h.send(historyOpenMsg{prompt: "support/reply", keep: true})
	if l := lineWith(h.screen(), fixtureRun); !strings.Contains(l, "67%") {
		t.Fatalf("a fail rating does not move the pass rate to 67%% (8 of 12):\n%s", l)
	}
	// At 80 columns the score stays and the pass rate goes.
	h80 := newHarness(t, fixedTimeStore{st}, 80, 24)
	h80.send(historyOpenMsg{prompt: "support/reply"})
	h80.mustSee("SCORE")
	h80.mustNotSee("PASS")
}
