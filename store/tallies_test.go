package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"whet/prompt"
	"whet/report"
)

// talliesFrom is what RunTallies must give for a run, counted in Go from
// its results and scores the way every statistic reads them
// (report.LatestScores, report.ResultScore, report.ResultVerdict).
func talliesFrom(t *testing.T, s *Store, runID string) []Tally {
	t.Helper()
	ctx := context.Background()
	results, err := s.Results(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	scores, err := s.Scores(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	latest := report.LatestScores(scores)
	var out []Tally
	for _, r := range results { // in cell order
		if len(out) == 0 || out[len(out)-1].VersionID != r.VersionID || out[len(out)-1].Target != r.Target {
			out = append(out, Tally{VersionID: r.VersionID, Target: r.Target})
		}
		tl := &out[len(out)-1]
		tl.N++
		if !r.OK() {
			tl.Errors++
		}
		by := latest[r.ID]
		if pass, ok := report.ResultVerdict(by); ok {
			tl.Judged++
			if pass {
				tl.Passed++
			}
		}
		_, human := by[report.ScorerHuman]
		_, suite := by[report.ScorerSuite]
		if len(by) > 1 && !human && !suite {
			tl.Mixed++
		} else if v, ok := report.ResultScore(by); ok {
			tl.Scores = append(tl.Scores, v)
		}
	}
	return out
}

// sameTallies compares tallies, an empty Scores equal to none.
func sameTallies(a, b []Tally) bool {
	norm := func(ts []Tally) []Tally {
		out := slices.Clone(ts)
		for i := range out {
			if len(out[i].Scores) == 0 {
				out[i].Scores = nil
			}
		}
		return out
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// TestRunTalliesFollowEveryScore draws runs of several versions and
// targets with repeats and failed calls, saved in two batches as a resumed
// run saves them, and grades them at random: suite grades and checks,
// judges alone, people's 1–5 ratings (no verdict) and pass/fail over them,
// re-grades later, earlier and at the same instant as the grade they
// follow. After every batch of scores the kept grades (result_grades, kept
// by a trigger) give what Go counts from the results and scores.
func TestRunTalliesFollowEveryScore(t *testing.T) {
	ctx := context.Background()
	s, a1, a2, b1 := runFixture(t)
	rng := rand.New(rand.NewPCG(3, 4))
	scorers := []string{report.ScorerSuite, report.ScorerHuman, "judge:x", "check:contains", "check:regex"}
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var runs []string
	for trial := range 40 {
		run := prompt.Run{Versions: []prompt.RunVersion{rv(a2), rv(a1), rv(b1)}[:1+rng.IntN(3)],
			Targets: []string{"ollama:m", "echo", "b:m"}[:1+rng.IntN(3)], Repeat: 1 + rng.IntN(2)}
		for c := range 1 + rng.IntN(5) {
			run.Cases = append(run.Cases, prompt.Case{Vars: map[string]string{"c": fmt.Sprint(c)}})
		}
		if err := s.CreateRun(ctx, &run); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, run.ID)
		var all []prompt.Result
		for _, v := range run.Versions {
			for _, tg := range run.Targets {
				for c := range run.Cases {
					for rep := range run.Repeat {
						if rng.IntN(6) == 0 {
							continue // not run (yet)
						}
						r := prompt.Result{RunID: run.ID, VersionID: v.VersionID, Target: tg, Case: c, Repeat: rep, Output: "out"}
						if rng.IntN(5) == 0 {
							r.Output, r.Error = "", "connection refused"
						} else if rng.IntN(2) == 0 {
							r.Cost = rng.Float64() / 1000
						}
						all = append(all, r)
					}
				}
			}
		}
		rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		half := len(all) / 2
		for _, batch := range [][]prompt.Result{all[:half], all[half:]} { // a resumed run saves the rest later
			if err := s.SaveResults(ctx, batch); err != nil {
				t.Fatal(err)
			}
			for round := range 3 {
				var ss []prompt.Score
				for _, r := range batch {
					for range rng.IntN(4) {
						sc := prompt.Score{ResultID: r.ID, Scorer: scorers[rng.IntN(len(scorers))], Value: float64(rng.IntN(11)) / 10,
							Created: t0.Add(time.Duration(round*2+rng.IntN(3)) * time.Minute)}
						if rng.IntN(4) > 0 || sc.Scorer == report.ScorerHuman && rng.IntN(2) == 0 {
							pass := rng.IntN(3) > 0
							sc.Pass = &pass
						}
						if sc.Scorer == report.ScorerHuman && sc.Pass == nil {
							sc.Value = float64(rng.IntN(5)) / 4 // a 1–5 rating
						}
						ss = append(ss, sc)
					}
				}
				if err := s.AddScores(ctx, ss); err != nil {
					t.Fatal(err)
				}
				got, err := s.RunTallies(ctx, []string{run.ID})
				if err != nil {
					t.Fatal(err)
				}
				if want := talliesFrom(t, s, run.ID); !sameTallies(got[run.ID], want) {
					t.Fatalf("trial %d, round %d: RunTallies\n%+v\nwant\n%+v", trial, round, got[run.ID], want)
				}
			}
		}
		if trial%3 == 0 {
			if err := s.FinishRun(ctx, run.ID, prompt.RunDone, time.Time{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Many runs at once, and ids that are no run.
	ids := append([]string{"nosuchrun"}, runs...)
	got, err := s.RunTallies(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range runs {
		if want := talliesFrom(t, s, id); !sameTallies(got[id], want) {
			t.Errorf("run %s among many: RunTallies\n%+v\nwant\n%+v", id, got[id], want)
		}
	}
	if len(got["nosuchrun"]) != 0 {
		t.Errorf("an unknown run has tallies %+v", got["nosuchrun"])
	}
	// ListRuns counts the failed and sums the costly calls from their own
	// indexes: the same figures as from every result, the cost to the bit.
	sums, err := s.ListRuns(ctx, RunFilter{})
	if err != nil || len(sums) != len(runs) {
		t.Fatalf("ListRuns: %d runs, %v", len(sums), err)
	}
	for _, sum := range sums {
		var done, failed int
		var cost float64
		err := s.r.QueryRow(`SELECT COUNT(*), COUNT(CASE WHEN error != '' THEN 1 END), TOTAL(cost) FROM results WHERE run_id = ?`, sum.Run.ID).Scan(&done, &failed, &cost)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Done != done || sum.Failed != failed || sum.Cost != cost {
			t.Errorf("run %s: ListRuns done %d, failed %d, cost %v; every result: %d, %d, %v", sum.Run.ID, sum.Done, sum.Failed, sum.Cost, done, failed, cost)
		}
	}
}

// TestRunTalliesRules pins the rules of one result's grade: a person's
// rating over the suite's grade, a 1–5 rating leaving the suite's verdict,
// the latest grade of each scorer (at the same instant the higher id),
// a failed call graded 0 and a fail.
func TestRunTalliesRules(t *testing.T) {
	ctx := context.Background()
	s, a1, _, _ := runFixture(t)
	run := prompt.Run{Versions: []prompt.RunVersion{rv(a1)}, Targets: []string{"echo"}}
	for c := range 6 {
		run.Cases = append(run.Cases, prompt.Case{Vars: map[string]string{"c": fmt.Sprint(c)}})
	}
	if err := s.CreateRun(ctx, &run); err != nil {
		t.Fatal(err)
	}
	var rs []prompt.Result
	for c := range 6 {
		rs = append(rs, prompt.Result{RunID: run.ID, VersionID: a1.ID, Target: "echo", Case: c, Output: "x"})
	}
	rs[5].Output, rs[5].Error = "", "timeout"
	if err := s.SaveResults(ctx, rs); err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	ss := []prompt.Score{
		// 0: the suite passed it at 0.9; a person failed it at 0.25.
		{ResultID: rs[0].ID, Scorer: report.ScorerSuite, Value: 0.9, Pass: &yes, Created: at(0)},
		{ResultID: rs[0].ID, Scorer: report.ScorerHuman, Value: 0.25, Pass: &no, Created: at(1)},
		// 1: a 1–5 rating (no verdict) over the suite's fail.
		{ResultID: rs[1].ID, Scorer: report.ScorerSuite, Value: 0.3, Pass: &no, Created: at(0)},
		{ResultID: rs[1].ID, Scorer: report.ScorerHuman, Value: 1, Created: at(1)},
		// 2: re-graded: the later grade counts, whatever its id.
		{ResultID: rs[2].ID, Scorer: report.ScorerSuite, Value: 0.7, Pass: &yes, Created: at(5)},
		{ResultID: rs[2].ID, Scorer: report.ScorerSuite, Value: 0.2, Pass: &no, Created: at(3)},
		// 3: two grades at the same instant: the higher id counts.
		{ResultID: rs[3].ID, Scorer: "judge:x", Value: 0.6, Pass: &no, Created: at(2)},
		{ResultID: rs[3].ID, Scorer: "judge:x", Value: 0.4, Pass: &yes, Created: at(2)},
		// 4: a check and a judge with neither suite nor person: Mixed.
		{ResultID: rs[4].ID, Scorer: "check:contains", Value: 1, Pass: &yes, Created: at(0)},
		{ResultID: rs[4].ID, Scorer: "judge:x", Value: 0.5, Pass: &no, Created: at(0)},
		// 5: the failed call, graded 0 and a fail by its suite.
		{ResultID: rs[5].ID, Scorer: report.ScorerSuite, Value: 0, Pass: &no, Created: at(0)},
	}
	if err := s.AddScores(ctx, ss); err != nil {
		t.Fatal(err)
	}
	got, err := s.RunTallies(ctx, []string{run.ID})
	if err != nil {
		t.Fatal(err)
	}
	want := []Tally{{VersionID: a1.ID, Target: "echo", N: 6, Errors: 1, Judged: 6, Passed: 2, Scores: []float64{0.25, 1, 0.7, 0.4, 0}, Mixed: 1}}
	if !reflect.DeepEqual(got[run.ID], want) {
		t.Errorf("RunTallies = %+v\nwant %+v", got[run.ID], want)
	}
	if want := talliesFrom(t, s, run.ID); !sameTallies(got[run.ID], want) {
		t.Errorf("Go counts %+v", want)
	}
}

// TestPruneDeletesKeptGrades: pruning a run deletes its kept grades and no
// other run's.
func TestPruneDeletesKeptGrades(t *testing.T) {
	ctx := context.Background()
	s, a1, _, _ := runFixture(t)
	var ids []string
	for i := range 2 {
		run := prompt.Run{Versions: []prompt.RunVersion{rv(a1)}, Targets: []string{"echo"}, Created: time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC)}
		if err := s.CreateRun(ctx, &run); err != nil {
			t.Fatal(err)
		}
		rs := []prompt.Result{{RunID: run.ID, VersionID: a1.ID, Target: "echo", Output: "x"}}
		if err := s.SaveResults(ctx, rs); err != nil {
			t.Fatal(err)
		}
		if err := s.AddScores(ctx, []prompt.Score{{ResultID: rs[0].ID, Scorer: report.ScorerSuite, Value: 1}}); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishRun(ctx, run.ID, prompt.RunDone, run.Created); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, run.ID)
	}
	if _, err := s.PruneRuns(ctx, PruneOptions{Before: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.r.QueryRow(`SELECT COUNT(*) FROM result_grades WHERE run_id = ?`, ids[0]).Scan(&n); err != nil || n != 0 {
		t.Errorf("the pruned run keeps %d grades (%v)", n, err)
	}
	got, err := s.RunTallies(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got[ids[0]]) != 0 || len(got[ids[1]]) != 1 || !reflect.DeepEqual(got[ids[1]][0].Scores, []float64{1}) {
		t.Errorf("after the prune: %+v", got)
	}
}

// TestMigrationGradesEarlierScores: a database from before migration 0005
// gets the grades of the scores it holds when it is opened.
func TestMigrationGradesEarlierScores(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "whet.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	a1 := mustCreate(t, s, "summary", "1")
	run := prompt.Run{Versions: []prompt.RunVersion{rv(a1)}, Targets: []string{"echo", "b:m"}, Repeat: 2,
		Cases: []prompt.Case{{Vars: map[string]string{"c": "0"}}, {Vars: map[string]string{"c": "1"}}}}
	if err := s.CreateRun(ctx, &run); err != nil {
		t.Fatal(err)
	}
	var rs []prompt.Result
	for _, tg := range run.Targets {
		for c := range 2 {
			for rep := range 2 {
				rs = append(rs, prompt.Result{RunID: run.ID, VersionID: a1.ID, Target: tg, Case: c, Repeat: rep, Output: "x", Cost: 0.001})
			}
		}
	}
	rs[3].Output, rs[3].Error = "", "refused"
	if err := s.SaveResults(ctx, rs); err != nil {
		t.Fatal(err)
	}
	yes := true
	var ss []prompt.Score
	for i, r := range rs {
		ss = append(ss, prompt.Score{ResultID: r.ID, Scorer: report.ScorerSuite, Value: float64(i) / 10, Pass: &yes})
		if i%3 == 0 {
			ss = append(ss, prompt.Score{ResultID: r.ID, Scorer: report.ScorerHuman, Value: 0.5, Created: time.Now().Add(time.Hour)})
		}
	}
	if err := s.AddScores(ctx, ss); err != nil {
		t.Fatal(err)
	}
	want := talliesFrom(t, s, run.ID)
	// Back to schema 4, as the file was before this whet.
	for _, q := range []string{`DROP TABLE run_identities`, `DROP TRIGGER scores_grade`, `DROP TABLE result_grades`, `DROP VIEW result_grade`,
		`DROP INDEX results_failed`, `DROP INDEX results_cost`, `PRAGMA user_version = 4`} {
		if _, err := s.w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.RunTallies(ctx, []string{run.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !sameTallies(got[run.ID], want) || len(want) != 2 || want[0].N != 4 {
		t.Errorf("after the migration: %+v\nwant %+v", got[run.ID], want)
	}
	sums, err := s.ListRuns(ctx, RunFilter{})
	if err != nil || len(sums) != 1 || sums[0].Done != 8 || sums[0].Failed != 1 || !strings.HasPrefix(fmt.Sprint(sums[0].Cost), "0.008") {
		t.Errorf("ListRuns = %+v, %v", sums, err)
	}
}
