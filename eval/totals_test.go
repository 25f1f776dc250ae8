package eval

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
	"unsafe"

	"gonum.org/v1/gonum/stat"

	"whet/prompt"
	"whet/report"
)

// TestTotalEqualsAggregate draws varied runs (failed calls, repeats,
// resumed cells with two results, a version and target the run does not
// list, people's ratings over suite grades, judged cells with several
// scorers, scores re-written later or at the same instant, unscored cells,
// shuffled input) and checks that Total gives exactly what summing
// Aggregate's groups gives.
func TestTotalEqualsAggregate(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		run := prompt.Run{
			Versions: []prompt.RunVersion{{VersionID: 7, Prompt: "p", Number: 2}, {VersionID: 3, Prompt: "p", Number: 1}},
			Targets:  []string{"b:m", "a:m"},
		}
		var results []prompt.Result
		var scores []prompt.Score
		id := int64(0)
		vids := []int64{7, 3, 9}
		targets := []string{"b:m", "a:m", "z:m"}
		repeats := 1 + rng.IntN(3)
		scorers := []string{ScorerSuite, report.ScorerHuman, "judge:x", "check:contains"}
		for c := range 1 + rng.IntN(12) {
			for _, v := range vids[:1+rng.IntN(3)] {
				for _, tg := range targets[:1+rng.IntN(3)] {
					for rep := range repeats {
						for range 1 + rng.IntN(2)*rng.IntN(2) { // sometimes a cell twice
							id++
							r := prompt.Result{ID: id, VersionID: v, Target: tg, Case: c, Repeat: rep, Output: fmt.Sprint("out", rng.IntN(3))}
							if rng.IntN(5) == 0 {
								r.Error = "boom"
							}
							results = append(results, r)
							for range rng.IntN(4) {
								sc := prompt.Score{
									ID: int64(len(scores) + 1), ResultID: id, Scorer: scorers[rng.IntN(len(scorers))],
									Value:   float64(rng.IntN(1000)) / 999,
									Created: time.Unix(int64(rng.IntN(3)), 0),
								}
								if rng.IntN(4) > 0 {
									sc.Pass = boolp(rng.IntN(2) == 0)
								}
								scores = append(scores, sc)
							}
						}
					}
				}
			}
		}
		if trial%2 == 1 {
			rng.Shuffle(len(results), func(i, j int) { results[i], results[j] = results[j], results[i] })
			rng.Shuffle(len(scores), func(i, j int) { scores[i], scores[j] = scores[j], scores[i] })
		}
		want := TotalOf(Aggregate(results, scores, run))
		if got := Total(results, scores, run); got != want {
			t.Fatalf("trial %d: Total = %+v, summed Aggregate = %+v", trial, got, want)
		}
	}
}

// TestTotalCounts pins Total on a small run worked by hand: a person's
// rating overrides the suite's grade, a failed call graded by the suite
// counts as judged, a cell run twice counts once.
func TestTotalCounts(t *testing.T) {
	run := prompt.Run{Versions: []prompt.RunVersion{{VersionID: 1}}, Targets: []string{"t"}}
	results := []prompt.Result{
		{ID: 1, VersionID: 1, Target: "t", Case: 0},
		{ID: 2, VersionID: 1, Target: "t", Case: 1, Error: "timeout"},
		{ID: 3, VersionID: 1, Target: "t", Case: 2},
		{ID: 4, VersionID: 1, Target: "t", Case: 2}, // resumed: replaces 3
	}
	scores := []prompt.Score{
		suiteScore(1, 0.2, false),
		{ID: 9, ResultID: 1, Scorer: report.ScorerHuman, Value: 1, Pass: boolp(true), Created: time.Unix(0, 0)},
		suiteScore(2, 0, false),
		suiteScore(3, 1, true),
		suiteScore(4, 0.5, false),
	}
	got := Total(results, scores, run)
	want := Totals{N: 3, Errors: 1, Judged: 3, Passed: 1, Scored: 3, MeanScore: 0.5}
	if got != want {
		t.Fatalf("Total = %+v, want %+v", got, want)
	}
}

// TestTotalTalliesWhereverScoresLie: the mean of a group's scores does not
// depend on where in memory its Scores lie (gonum sums two numbers at a
// time from a 16-byte boundary): TotalTallies of scores that start off
// one gives what Total gives.
func TestTotalTalliesWhereverScoresLie(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	run := prompt.Run{Versions: []prompt.RunVersion{{VersionID: 1, Prompt: "p", Number: 1}}, Targets: []string{"a:m"}}
	differ := 0
	for trial := range 500 {
		n := 2 + rng.IntN(9)
		var results []prompt.Result
		var scores []prompt.Score
		buf := make([]float64, n+1)
		off := buf[1:]
		if uintptr(unsafe.Pointer(&buf[0]))%16 != 0 {
			off = buf[:n]
		}
		for c := range n {
			results = append(results, prompt.Result{ID: int64(c + 1), VersionID: 1, Target: "a:m", Case: c})
			v := rng.Float64()
			scores = append(scores, prompt.Score{ID: int64(c + 1), ResultID: int64(c + 1), Scorer: ScorerSuite, Value: v})
			off[c] = v
		}
		if uintptr(unsafe.Pointer(&off[0]))%16 == 0 {
			t.Fatal("the scores lie on 16 bytes")
		}
		aligned := make([]float64, n, n+n%2)
		copy(aligned, off)
		if stat.Mean(off, nil) != stat.Mean(aligned, nil) {
			differ++
		}
		want := Total(results, scores, run)
		got := TotalTallies([]Tally{{VersionID: 1, Target: "a:m", N: n, Scores: off}}, run)
		if got != want {
			t.Fatalf("trial %d: TotalTallies = %+v, Total = %+v", trial, got, want)
		}
	}
	if differ == 0 {
		t.Error("no mean depended on where its numbers lie: the test shows nothing")
	}
}
