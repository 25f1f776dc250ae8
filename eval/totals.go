package eval

import (
	"cmp"
	"slices"

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
	type tally struct {
		n, errors, judged, passed int
		vals                      []float64
	}
	byKey := map[groupKey]*tally{}
	var keys []groupKey
	for _, r := range results {
		k := groupKey{r.VersionID, r.Target}
		t := byKey[k]
		if t == nil {
			t = &tally{}
			byKey[k] = t
			keys = append(keys, k)
		}
		t.n++
		if !r.OK() {
			t.errors++
		}
		gr := grades[r.ID]
		if gr.hasPass {
			t.judged++
			if gr.pass {
				t.passed++
			}
		}
		if gr.scored {
			t.vals = append(t.vals, gr.score)
		}
	}
	sortGroups(keys, run)
	groups := make([]Group, 0, len(keys))
	for _, k := range keys {
		t := byKey[k]
		g := Group{N: t.n, Errors: t.errors, Judged: t.judged, Passed: t.passed, Scored: len(t.vals)}
		if g.Scored > 0 {
			g.MeanScore = stat.Mean(t.vals, nil)
		}
		groups = append(groups, g)
	}
	return TotalOf(groups)
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
