package eval

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"

	"whet/prompt"
	"whet/report"
)

// SignTest is the two-sided exact sign test's p-value for wins against
// losses (ties left out): the probability, were each pair a fair coin toss,
// of a split at least this uneven. 1 when there are no pairs.
func SignTest(wins, losses int) float64 {
	n := wins + losses
	if n <= 0 || wins < 0 || losses < 0 {
		return 1
	}
	k := min(wins, losses)
	p := 2 * distuv.Binomial{N: float64(n), P: 0.5}.CDF(float64(k))
	return min(1, p)
}

// grade is one result's verdict from its latest scores.
type grade struct {
	score   float64
	scored  bool
	pass    bool
	hasPass bool
}

// gradeOf reads a result's score and verdict as every statistic does
// (report.ResultScore, report.ResultVerdict): a person's rating over its
// ScorerSuite grade, over the mean of its latest grades.
func gradeOf(byScorer map[string]prompt.Score) grade {
	var g grade
	g.score, g.scored = report.ResultScore(byScorer)
	g.pass, g.hasPass = report.ResultVerdict(byScorer)
	return g
}

// Group is the statistics of one version on one target.
type Group struct {
	// Version is the version as the run saw it; only VersionID is set for a
	// version the run does not list.
	Version prompt.RunVersion
	Target  string

	N      int // results, one per cell
	Errors int // results whose call failed

	// Judged results carry a pass/fail verdict (see Aggregate); Passed of
	// them passed. PassRate = Passed/Judged with its 95% Wilson interval,
	// over cases rather than results when cases have repeats
	// (report.PassInterval); 0 in [0,1] when Judged = 0.
	Judged, Passed           int
	PassRate, PassLo, PassHi float64
	// FailedJudged of the Judged results are calls that failed: a suite
	// grades each 0 and a fail, so they count in PassRate and MeanScore.
	FailedJudged int

	// Scored results have a score. MeanScore is their mean, with a 95%
	// t-interval from the spread between cases (report.ScoreInterval) clamped
	// to [0,1], or the Wilson interval of the mean when the scores are all
	// equal; [0,1] with fewer than two scored cases.
	Scored                      int
	MeanScore, ScoreLo, ScoreHi float64

	// Latency percentiles (nearest rank) over Measured results: successful
	// and not served from the cache.
	Measured int
	P50, P95 time.Duration

	TokensIn, TokensOut int
	Cost                float64 // USD

	// Repeats is the most results any case has here. With Repeats > 1,
	// Identical is the mean over the OutputCases cases with two successful
	// calls or more of the share of a case's outputs that equal its most
	// common output (a lone output agrees with nothing, and 0 when no case
	// has two: nothing to compare), and PassK (pass^k) the share of cases
	// with a verdict whose every repeat passed: PassAllCases of
	// JudgedCases.
	Repeats                   int
	Identical                 float64
	OutputCases               int
	PassK                     float64
	JudgedCases, PassAllCases int
}

// Aggregate computes per version × target statistics of a run. Results are
// reduced to one per cell first (report.CellResults). A result's verdict
// and score are a person's rating when it has one (report.ScorerHuman),
// else its ScorerSuite score (written by Scores), else the mean of its
// latest grades, passing when each grade that has a verdict passes. Groups come in the run's order of versions, then of
// targets; groups the run does not list follow, by version id and target.
func Aggregate(results []prompt.Result, scores []prompt.Score, run prompt.Run) []Group {
	results = report.CellResults(results)
	latest := report.LatestScores(scores)
	byKey := map[groupKey][]prompt.Result{}
	var keys []groupKey
	for _, r := range results {
		k := groupKey{r.VersionID, r.Target}
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], r)
	}
	sortGroups(keys, run)
	cons := Consistency(results, scores)
	out := make([]Group, 0, len(keys))
	for _, k := range keys {
		g := Group{Version: prompt.RunVersion{VersionID: k.v}, Target: k.t}
		for _, v := range run.Versions {
			if v.VersionID == k.v {
				g.Version = v
			}
		}
		var vals []float64
		var lat []time.Duration
		passByCase := map[int][2]int{}     // case → judged, passed
		scoreByCase := map[int][]float64{} // case → its scored repeats
		for _, r := range byKey[k] {
			g.N++
			if !r.OK() {
				g.Errors++
			} else if !r.CacheHit {
				g.Measured++
				lat = append(lat, r.Latency)
			}
			g.TokensIn += r.TokensIn
			g.TokensOut += r.TokensOut
			g.Cost += r.Cost
			gr := gradeOf(latest[r.ID])
			if gr.hasPass {
				g.Judged++
				if !r.OK() {
					g.FailedJudged++
				}
				c := passByCase[r.Case]
				c[0]++
				if gr.pass {
					g.Passed++
					c[1]++
				}
				passByCase[r.Case] = c
			}
			if gr.scored {
				vals = append(vals, gr.score)
				scoreByCase[r.Case] = append(scoreByCase[r.Case], gr.score)
			}
		}
		if g.Judged > 0 {
			g.PassRate = float64(g.Passed) / float64(g.Judged)
		}
		g.PassLo, g.PassHi = report.PassInterval(passByCase)
		g.Scored = len(vals)
		g.ScoreLo, g.ScoreHi = 0, 1
		if g.Scored > 0 {
			g.MeanScore = stat.Mean(vals, nil)
			if lo, hi := report.ScoreInterval(scoreByCase, g.MeanScore); !math.IsNaN(lo) {
				g.ScoreLo, g.ScoreHi = lo, hi
			}
		}
		g.P50 = report.Percentile(lat, 50)
		g.P95 = report.Percentile(lat, 95)

		var cases, identicalCases, passAll, judgedCases int
		var identical float64
		for _, c := range cons {
			if c.VersionID != k.v || c.Target != k.t {
				continue
			}
			cases++
			g.Repeats = max(g.Repeats, c.K)
			if c.Outputs > 1 {
				identicalCases++
				identical += c.Identical
			}
			if c.Judged > 0 {
				judgedCases++
				if c.PassAll {
					passAll++
				}
			}
		}
		if g.Repeats > 1 {
			if identicalCases > 0 {
				g.Identical = identical / float64(identicalCases)
			}
			g.OutputCases = identicalCases
			if judgedCases > 0 {
				g.PassK = float64(passAll) / float64(judgedCases)
			}
			g.JudgedCases, g.PassAllCases = judgedCases, passAll
		}
		out = append(out, g)
	}
	return out
}

// groupKey is one version × target group of Aggregate.
type groupKey struct {
	v int64
	t string
}

// sortGroups puts keys in Aggregate's order: the run's order of versions,
// then of targets; versions and targets the run does not list follow, by
// version id and target.
func sortGroups(keys []groupKey, run prompt.Run) {
	rank := func(k groupKey) (int, int) {
		vi, ti := len(run.Versions), len(run.Targets)
		for i, v := range run.Versions {
			if v.VersionID == k.v {
				vi = i
				break
			}
		}
		for i, t := range run.Targets {
			if t == k.t {
				ti = i
				break
			}
		}
		return vi, ti
	}
	slices.SortFunc(keys, func(a, b groupKey) int {
		av, at := rank(a)
		bv, bt := rank(b)
		return cmp.Or(cmp.Compare(av, bv), cmp.Compare(a.v, b.v), cmp.Compare(at, bt), cmp.Compare(a.t, b.t))
	})
}

// CaseConsistency is how one case behaved over its repeats on one version
// and target.
type CaseConsistency struct {
	VersionID int64
	Target    string
	Case      int
	// K is the number of repeats with a result; Outputs of them succeeded.
	K, Outputs int
	// Distinct is the number of different successful outputs; Identical the
	// share of them equal to the most common one (1 when all agree).
	Distinct  int
	Identical float64
	// Judged repeats carry a verdict; Passed of them passed. PassAll is
	// pass^k for this case: every one of the K repeats has a verdict and
	// passed.
	Judged, Passed int
	PassAll        bool
}

// Consistency groups results (one per cell, see report.CellResults) by
// version, target and case, and says how alike the repeats' outputs are and
// whether they all pass. Outputs are compared exactly. Rows come by
// version id, target and case.
func Consistency(results []prompt.Result, scores []prompt.Score) []CaseConsistency {
	results = report.CellResults(results)
	latest := report.LatestScores(scores)
	type key struct {
		v int64
		t string
		c int
	}
	by := map[key][]prompt.Result{}
	var keys []key
	for _, r := range results {
		k := key{r.VersionID, r.Target, r.Case}
		if _, ok := by[k]; !ok {
			keys = append(keys, k)
		}
		by[k] = append(by[k], r)
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.v, b.v), cmp.Compare(a.t, b.t), cmp.Compare(a.c, b.c))
	})
	out := make([]CaseConsistency, 0, len(keys))
	for _, k := range keys {
		cc := CaseConsistency{VersionID: k.v, Target: k.t, Case: k.c}
		counts := map[string]int{}
		modal := 0
		for _, r := range by[k] {
			cc.K++
			if r.OK() {
				cc.Outputs++
				counts[r.Output]++
				modal = max(modal, counts[r.Output])
			}
			if g := gradeOf(latest[r.ID]); g.hasPass {
				cc.Judged++
				if g.pass {
					cc.Passed++
				}
			}
		}
		cc.Distinct = len(counts)
		if cc.Outputs > 0 {
			cc.Identical = float64(modal) / float64(cc.Outputs)
		}
		cc.PassAll = cc.K > 0 && cc.Judged == cc.K && cc.Passed == cc.K
		out = append(out, cc)
	}
	return out
}

// ABCase is one case of an A/B comparison: each side's score (the mean over
// its scored repeats) and who won.
type ABCase struct {
	Case   int
	A, B   float64
	Scored bool // both sides have a score; otherwise the case is skipped
	// Winner is +1 when B scored higher, −1 when A did, 0 for a tie.
	Winner int
}

// ABResult compares B against A on the same cases.
type ABResult struct {
	LabelA, LabelB string
	// Wins, Ties and Losses are counted from B's side: cases where B scored
	// higher, the same, lower. Skipped cases lack a score on a side.
	Wins, Ties, Losses, Skipped int
	// FailedA and FailedB are the calls of each side that failed: they have
	// no answer to compare, so they are left out of the case means rather
	// than counted as a score of 0 (a suite scores them 0), which would set
	// the sides' luck with the network against each other. A case whose
	// every repeat failed on a side is Skipped.
	FailedA, FailedB int
	// ErroredA and ErroredB are each side's cells whose call succeeded but
	// whose grade rests on a check that gave no verdict
	// (report.CheckErrored: a judge that failed or answered badly twice):
	// left out as a failed call is, since the 0 a suite records for it is
	// the grader's failure, not the answer's. The pass rate and the gate
	// still count them as fails. A person's rating of such a cell is read.
	ErroredA, ErroredB int
	// WinRate is Wins/(Wins+Losses) with its 95% Wilson interval [Lo, Hi]:
	// 0 in [0,1] when every scored case is a tie.
	WinRate, Lo, Hi float64
	// P is the two-sided exact sign test's p-value (SignTest).
	P float64
	// Sentence says it plainly: "B beats A on 31 of 40 cases (2 ties
	// excluded), p = 0.00068", or "no significant difference: …" when
	// p >= 0.05.
	Sentence string
	Cases    []ABCase
}

// Significance is the p-value below which CompareAB calls a difference
// significant.
const Significance = report.Significance

// CompareAB compares two sides' results on the same cases — two versions on
// one target, or one version on two targets. Results are reduced to one per
// cell; each side's case score is the mean of its scored repeats (a result's
// score as Aggregate reads it) whose call succeeded: failed calls are
// counted (FailedA, FailedB) and left out, and so are cells whose grade
// rests on a check that gave no verdict (ErroredA, ErroredB). Scores equal within 1e-9 tie. labelA and
// labelB name the sides in the sentence ("" = "A" and "B").
func CompareAB(a, b []prompt.Result, scores []prompt.Score, labelA, labelB string) ABResult {
	if labelA == "" {
		labelA = "A"
	}
	if labelB == "" {
		labelB = "B"
	}
	latest := report.LatestScores(scores)
	perCase := func(rs []prompt.Result, failed, errored *int) map[int][]float64 {
		m := map[int][]float64{}
		for _, r := range report.CellResults(rs) {
			if !r.OK() || report.CheckErrored(latest[r.ID]) {
				if r.OK() {
					*errored++
				} else {
					*failed++
				}
				if _, ok := m[r.Case]; !ok {
					m[r.Case] = nil
				}
			} else if g := gradeOf(latest[r.ID]); g.scored {
				m[r.Case] = append(m[r.Case], g.score)
			} else if _, ok := m[r.Case]; !ok {
				m[r.Case] = nil
			}
		}
		return m
	}
	res := ABResult{LabelA: labelA, LabelB: labelB}
	am, bm := perCase(a, &res.FailedA, &res.ErroredA), perCase(b, &res.FailedB, &res.ErroredB)
	caseSet := map[int]bool{}
	for c := range am {
		caseSet[c] = true
	}
	for c := range bm {
		caseSet[c] = true
	}
	cases := make([]int, 0, len(caseSet))
	for c := range caseSet {
		cases = append(cases, c)
	}
	slices.Sort(cases)
	for _, c := range cases {
		ac := ABCase{Case: c}
		as, bs := am[c], bm[c]
		if len(as) == 0 || len(bs) == 0 {
			res.Skipped++
			res.Cases = append(res.Cases, ac)
			continue
		}
		ac.A, ac.B, ac.Scored = stat.Mean(as, nil), stat.Mean(bs, nil), true
		switch d := ac.B - ac.A; {
		case d > 1e-9:
			ac.Winner = 1
			res.Wins++
		case d < -1e-9:
			ac.Winner = -1
			res.Losses++
		default:
			res.Ties++
		}
		res.Cases = append(res.Cases, ac)
	}
	decisive := res.Wins + res.Losses
	if decisive > 0 {
		res.WinRate = float64(res.Wins) / float64(decisive)
	}
	res.Lo, res.Hi = report.Wilson(res.Wins, decisive, report.Z95)
	res.P = SignTest(res.Wins, res.Losses)
	res.Sentence = abSentence(res)
	return res
}

// Stats is r for a report (report.Comparison's AB): nil when no case has
// a score on both sides.
func (r ABResult) Stats() *report.ABStats {
	if r.Wins+r.Ties+r.Losses == 0 {
		return nil
	}
	return &report.ABStats{Wins: r.Wins, Ties: r.Ties, Losses: r.Losses, Skipped: r.Skipped,
		FailedA: r.FailedA, FailedB: r.FailedB, ErroredA: r.ErroredA, ErroredB: r.ErroredB, WinRate: r.WinRate, Lo: r.Lo, Hi: r.Hi, P: r.P, Sentence: r.Sentence}
}

// abSentence says r plainly, with what it leaves out in brackets: ties,
// failed calls, cells with a check error, cases without a score on a side.
func abSentence(r ABResult) string {
	var out []string
	if f := r.FailedA + r.FailedB; f > 0 {
		out = append(out, fmt.Sprintf("%d failed %s", f, plural(f, "call", "calls")))
	}
	if e := r.ErroredA + r.ErroredB; e > 0 {
		out = append(out, fmt.Sprintf("%d %s with a check error", e, plural(e, "cell", "cells")))
	}
	if r.Skipped > 0 {
		out = append(out, fmt.Sprintf("%d %s with no score on one side", r.Skipped, plural(r.Skipped, "case", "cases")))
	}
	left := ""
	if len(out) > 0 {
		left = strings.Join(out, " and ") + " left out"
	}
	n := r.Wins + r.Losses
	if n == 0 {
		s := fmt.Sprintf("no case has a score for both %s and %s", r.LabelA, r.LabelB)
		switch {
		case r.Ties == 1:
			s = fmt.Sprintf("%s and %s tie on the one case", r.LabelA, r.LabelB)
		case r.Ties == 2:
			s = fmt.Sprintf("%s and %s tie on both cases", r.LabelA, r.LabelB)
		case r.Ties > 0:
			s = fmt.Sprintf("%s and %s tie on all %d cases", r.LabelA, r.LabelB, r.Ties)
		}
		if left != "" {
			s += " (" + left + ")"
		}
		return s
	}
	var brackets []string
	if r.Ties > 0 {
		brackets = append(brackets, fmt.Sprintf("%d %s excluded", r.Ties, plural(r.Ties, "tie", "ties")))
	}
	if left != "" {
		brackets = append(brackets, left)
	}
	ex := ""
	if len(brackets) > 0 {
		ex = " (" + strings.Join(brackets, "; ") + ")"
	}
	winner, loser, w := r.LabelB, r.LabelA, r.Wins
	if r.Losses > r.Wins {
		winner, loser, w = r.LabelA, r.LabelB, r.Losses
	}
	if r.P < Significance {
		return fmt.Sprintf("%s beats %s on %d of %d %s%s, %s", winner, loser, w, n, plural(n, "case", "cases"), ex, FormatP(r.P))
	}
	if r.Wins == r.Losses {
		return fmt.Sprintf("no significant difference: %s and %s each win %d of %d %s%s, %s", r.LabelA, r.LabelB, w, n, plural(n, "case", "cases"), ex, FormatP(r.P))
	}
	return fmt.Sprintf("no significant difference: %s wins %d of %d %s%s, %s", winner, w, n, plural(n, "case", "cases"), ex, FormatP(r.P))
}

// FormatP writes a p-value with two significant digits: "p = 0.00068",
// "p = 0.21", "p = 1", "p < 0.0001" (report.FormatP).
func FormatP(p float64) string { return report.FormatP(p) }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
