package eval

import (
	"cmp"
	"slices"
	"unsafe"

	"gonum.org/v1/gonum/stat"

	"whet/prompt"
	"whet/report"
)

// Totals is a run's figures summed over its groups, as the Runs screen
// lists them: Aggregate's N, Errors, Judged, Passed and Scored added up,
// and MeanScore the groups' MeanScore weighted by their Scored (0 when
// nothing is scored).
type Totals struct {
	N, Errors      int
	Judged, Passed int
	Scored         int
	MeanScore      float64
}

// TotalOf sums groups (in their order, as Total does).
func TotalOf(groups []Group) Totals {
	var t Totals
	var sum float64
	for _, g := range groups {
		t.N += g.N
		t.Errors += g.Errors
		t.Judged += g.Judged
		t.Passed += g.Passed
		t.Scored += g.Scored
		sum += g.MeanScore * float64(g.Scored)
	}
	if t.Scored > 0 {
		t.MeanScore = sum / float64(t.Scored)
	}
	return t
}

// Total is TotalOf(Aggregate(results, scores, run)), equal to the last
// bit, without the work of the figures it leaves out (intervals,
// latencies, consistency): lists of many runs read it. It reads no
// result's Output, so results read without their text will do.
func Total(results []prompt.Result, scores []prompt.Score, run prompt.Run) Totals {
	if !cellsSorted(results) {
		results = report.CellResults(results)
	}
	grades := latestGrades(scores)
	byKey := map[groupKey]int{}
	var tallies []Tally
	for _, r := range results {
		k := groupKey{r.VersionID, r.Target}
		i, ok := byKey[k]
		if !ok {
			i = len(tallies)
			byKey[k] = i
			tallies = append(tallies, Tally{VersionID: r.VersionID, Target: r.Target})
		}
		t := &tallies[i]
		t.N++
		if !r.OK() {
			t.Errors++
		}
		gr := grades[r.ID]
		if gr.hasPass {
			t.Judged++
			if gr.pass {
				t.Passed++
			}
		}
		if gr.scored {
			t.Scores = append(t.Scores, gr.score)
		}
	}
	return TotalTallies(tallies, run)
}

// Tally is what the results of one version on one target count, as Total
// reads them: N results (one per cell), Errors of them failed calls,
// Judged with a verdict (Passed of them passed), and the Scores of the
// scored ones in the order of their cells (case, then repeat), each read
// as report.ResultScore reads it.
type Tally struct {
	VersionID      int64
	Target         string
	N, Errors      int
	Judged, Passed int
	Scores         []float64
}

// TotalTallies is Total of a run whose results are already counted by
// version × target (one Tally each, in any order): the store keeps what
// it needs (store.RunTallies), so that a list of runs reads neither their
// results nor their scores.
func TotalTallies(tallies []Tally, run prompt.Run) Totals {
	keys := make([]groupKey, len(tallies))
	at := make(map[groupKey]*Tally, len(tallies))
	for i := range tallies {
		keys[i] = groupKey{tallies[i].VersionID, tallies[i].Target}
		at[keys[i]] = &tallies[i]
	}
	sortGroups(keys, run)
	groups := make([]Group, 0, len(keys))
	for _, k := range keys {
		t := at[k]
		g := Group{N: t.N, Errors: t.Errors, Judged: t.Judged, Passed: t.Passed, Scored: len(t.Scores)}
		if g.Scored > 0 {
			g.MeanScore = stat.Mean(aligned(t.Scores), nil)
		}
		groups = append(groups, g)
	}
	return TotalOf(groups)
}

// aligned returns xs, or a copy of it that starts on 16 bytes. gonum's
// sum adds two numbers at a time from a 16-byte boundary, after the first
// number when xs starts off it, so the last bit of a mean depends on where
// its numbers lie. Slices grown by append, as Aggregate grows them, start
// on 16 bytes once they hold two numbers; one allocated for exactly three
// may not. An even capacity of at least two is a multiple of 16 bytes, and
// such allocations start on 16 bytes.
func aligned(xs []float64) []float64 {
	if len(xs) < 2 || uintptr(unsafe.Pointer(&xs[0]))%16 == 0 {
		return xs
	}
	out := make([]float64, len(xs), len(xs)+len(xs)%2)
	copy(out, xs)
	return out
}

// cellsSorted reports whether results come in strictly increasing cell
// order (as Store.Results lists them), so that no cell has two results and
// report.CellResults would return them unchanged.
func cellsSorted(results []prompt.Result) bool {
	for i := 1; i < len(results); i++ {
		a, b := results[i-1].Key(), results[i].Key()
		if cmp.Or(cmp.Compare(a.VersionID, b.VersionID), cmp.Compare(a.Target, b.Target),
			cmp.Compare(a.Case, b.Case), cmp.Compare(a.Repeat, b.Repeat)) >= 0 {
			return false
		}
	}
	return true
}

// latestGrades is gradeOf of each result's latest scores
// (report.LatestScores), without a map per result.
func latestGrades(scores []prompt.Score) map[int64]grade {
	order := make([]int, len(scores))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(scores[a].ResultID, scores[b].ResultID) })
	out := make(map[int64]grade)
	latest := map[string]prompt.Score{}
	for i := 0; i < len(order); {
		id := scores[order[i]].ResultID
		clear(latest)
		for ; i < len(order) && scores[order[i]].ResultID == id; i++ {
			sc := scores[order[i]]
			if old, ok := latest[sc.Scorer]; !ok || report.Newer(sc, old) {
				latest[sc.Scorer] = sc
			}
		}
		out[id] = gradeOf(latest)
	}
	return out
}
