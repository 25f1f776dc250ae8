package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat"

	"whet/prompt"
	"whet/report"
)

// exactSignTest computes the two-sided sign test with exact rationals:
// 2 · Σ_{i≤k} C(n,i) / 2^n, capped at 1.
func exactSignTest(w, l int) float64 {
	n := int64(w + l)
	k := int64(min(w, l))
	sum := new(big.Int)
	for i := int64(0); i <= k; i++ {
		sum.Add(sum, new(big.Int).Binomial(n, i))
	}
	p := new(big.Rat).SetFrac(new(big.Int).Mul(sum, big.NewInt(2)), new(big.Int).Lsh(big.NewInt(1), uint(n)))
	f, _ := p.Float64()
	return math.Min(1, f)
}

func TestSignTest(t *testing.T) {
	for _, tc := range []struct {
		w, l int
		p    float64
	}{
		{31, 9, 0.00067955},   // 2·Σ_{i≤9} C(40,i)/2^40 (not 0.000741, as once quoted)
		{8, 2, 112.0 / 1024},  // 2·(1+10+45)/2^10
		{10, 0, 2.0 / 1024},   // 2·1/2^10
		{6, 4, 772.0 / 1024},  // 2·(1+10+45+120+210)/2^10
		{5, 5, 1},             // capped
		{1, 0, 1},             // 2·1/2
		{0, 0, 1},             // no pairs
		{60, 40, 0.056887933}, // normal approx. would say 0.057
	} {
		got := SignTest(tc.w, tc.l)
		exact := exactSignTest(tc.w, tc.l)
		if !near(got, exact, 1e-9*math.Max(1, exact)+1e-12) {
			t.Errorf("SignTest(%d, %d) = %.9g, exact %.9g", tc.w, tc.l, got, exact)
		}
		if !near(got, tc.p, math.Max(5e-7, tc.p*1e-3)) {
			t.Errorf("SignTest(%d, %d) = %.9g, table %.9g", tc.w, tc.l, got, tc.p)
		}
		if SignTest(tc.l, tc.w) != got {
			t.Errorf("SignTest(%d, %d) is not symmetric", tc.w, tc.l)
		}
	}
}

// wilsonOver is the 95% Wilson interval of proportion p over a sample of
// n, which need not be whole.
func wilsonOver(p, n float64) (lo, hi float64) {
	z := report.Z95
	den := 1 + z*z/n
	c := (p + z*z/(2*n)) / den
	h := z / den * math.Sqrt(p*(1-p)/n+z*z/(4*n*n))
	return c - h, c + h
}

func boolp(b bool) *bool { return &b }

// suiteScore is the aggregate score Scores writes.
func suiteScore(id int64, v float64, ok bool) prompt.Score {
	return prompt.Score{ResultID: id, Scorer: ScorerSuite, Value: v, Pass: boolp(ok), Created: time.Unix(id, 0)}
}

func TestAggregate(t *testing.T) {
	run := prompt.Run{
		Versions: []prompt.RunVersion{{VersionID: 7, Prompt: "p", Number: 2}, {VersionID: 3, Prompt: "p", Number: 1}},
		Targets:  []string{"ollama:b", "ollama:a"},
	}
	ms := time.Millisecond
	var results []prompt.Result
	var scores []prompt.Score
	id := int64(0)
	add := func(v int64, target string, c, rep int, out string, lat time.Duration, ok bool, score float64, mods ...func(*prompt.Result)) {
		id++
		r := prompt.Result{ID: id, VersionID: v, Target: target, Case: c, Repeat: rep, Output: out, Latency: lat, TokensIn: 10, TokensOut: 5, Cost: 0.001}
		for _, m := range mods {
			m(&r)
		}
		results = append(results, r)
		scores = append(scores, suiteScore(id, score, ok))
	}
	// Version 7 on ollama:b: 2 cases × 3 repeats.
	add(7, "ollama:b", 0, 0, "yes", 100*ms, true, 1)
	add(7, "ollama:b", 0, 1, "yes", 200*ms, true, 1)
	add(7, "ollama:b", 0, 2, "yes!", 300*ms, true, 0.8)
	add(7, "ollama:b", 1, 0, "no", 400*ms, false, 0.5)
	add(7, "ollama:b", 1, 1, "no", 500*ms, true, 1, func(r *prompt.Result) { r.CacheHit = true })
	add(7, "ollama:b", 1, 2, "", 0, false, 0, func(r *prompt.Result) { r.Error = "timeout" })
	// Version 3 on ollama:a: one result, superseded by a re-run (higher ID).
	add(3, "ollama:a", 0, 0, "old", 900*ms, false, 0)
	add(3, "ollama:a", 0, 0, "new", 50*ms, true, 1)

	groups := Aggregate(results, scores, run)
	if len(groups) != 2 || groups[0].Version.VersionID != 7 || groups[1].Version.VersionID != 3 || groups[0].Version.Number != 2 {
		t.Fatalf("groups out of the run's order: %+v", groups)
	}
	g := groups[0]
	if g.Target != "ollama:b" || g.N != 6 || g.Errors != 1 || g.Judged != 6 || g.Passed != 4 {
		t.Errorf("counts: %+v", g)
	}
	if !near(g.PassRate, 4.0/6, 1e-12) {
		t.Errorf("pass rate %v", g.PassRate)
	}
	// Two cases of three repeats: case 0 passes 3 of 3, case 1 1 of 3. The
	// repeats of a case move together, so the interval is the one of two
	// cases, not of six independent results.
	if lo, hi := wilsonOver(4.0/6, 2); !near(g.PassLo, lo, 1e-12) || !near(g.PassHi, hi, 1e-12) {
		t.Errorf("pass interval [%v, %v], want the Wilson interval over 2 cases [%v, %v]", g.PassLo, g.PassHi, lo, hi)
	}
	// Scores: case means 0.933 and 0.5 over 1 degree of freedom: the
	// interval spans [0,1].
	m := stat.Mean([]float64{1, 1, 0.8, 0.5, 1, 0}, nil)
	if g.Scored != 6 || !near(g.MeanScore, m, 1e-12) || g.ScoreLo != 0 || g.ScoreHi != 1 {
		t.Errorf("score %v [%v, %v], want %v [0, 1]", g.MeanScore, g.ScoreLo, g.ScoreHi, m)
	}
	// Measured: not errored, not cached → 100, 200, 300, 400 ms.
	if g.Measured != 4 || g.P50 != 200*ms || g.P95 != 400*ms {
		t.Errorf("latency: measured %d p50 %v p95 %v", g.Measured, g.P50, g.P95)
	}
	if g.TokensIn != 60 || g.TokensOut != 30 || !near(g.Cost, 0.006, 1e-12) {
		t.Errorf("totals: %d %d %v", g.TokensIn, g.TokensOut, g.Cost)
	}
	// Case 0: outputs yes, yes, yes! → 2/3 identical, all pass.
	// Case 1: no, no (the errored repeat has no output) → 1, not all pass.
	if g.Repeats != 3 || !near(g.Identical, (2.0/3+1)/2, 1e-12) || g.PassK != 0.5 {
		t.Errorf("repeats %d identical %v pass^k %v", g.Repeats, g.Identical, g.PassK)
	}
	g = groups[1]
	if g.N != 1 || g.Passed != 1 || g.MeanScore != 1 || g.ScoreLo != 0 || g.ScoreHi != 1 || g.P50 != 50*ms || g.Repeats != 1 || g.PassK != 0 {
		t.Errorf("re-run group: %+v", g)
	}
}

func TestAggregateWithoutSuiteScores(t *testing.T) {
	results := []prompt.Result{{ID: 1, VersionID: 1, Target: "t", Output: "x"}, {ID: 2, VersionID: 1, Target: "t", Case: 1, Output: "y"}, {ID: 3, VersionID: 1, Target: "t", Case: 2}}
	scores := []prompt.Score{
		{ResultID: 1, Scorer: "check:contains", Value: 1, Pass: boolp(true)},
		{ResultID: 1, Scorer: "human", Value: 0.5},
		{ResultID: 2, Scorer: "check:contains", Value: 0, Pass: boolp(false)},
	}
	g := Aggregate(results, scores, prompt.Run{})[0]
	// Result 1's score is the person's 0.5, not its mean with the check's 1;
	// a 1–5 rating has no verdict, so the check's pass stands.
	if g.Judged != 2 || g.Passed != 1 || g.Scored != 2 || g.MeanScore != (0.5+0)/2 {
		t.Errorf("%+v", g)
	}
}

// A person's rating overrides the machines' grades of a result, in every
// statistic: its value replaces the suite's score, and a pass or fail the
// suite's verdict, so that rating outputs after a suite run changes the
// pass rate, the mean score and the A/B statistics. A 1–5 rating leaves
// the suite's verdict as it was.
func TestHumanRatingOverridesSuite(t *testing.T) {
	run := prompt.Run{Versions: []prompt.RunVersion{{VersionID: 1}, {VersionID: 2}}, Targets: []string{"t"}}
	var results []prompt.Result
	var scores []prompt.Score
	for v := int64(1); v <= 2; v++ {
		for c := range 4 {
			id := v*10 + int64(c)
			results = append(results, prompt.Result{ID: id, VersionID: v, Target: "t", Case: c, Output: "x"})
			scores = append(scores, suiteScore(id, 1, true)) // the checks pass everything
		}
	}
	human := func(id int64, v float64, pass *bool) {
		scores = append(scores, prompt.Score{ResultID: id, Scorer: report.ScorerHuman, Value: v, Pass: pass, Created: time.Unix(99, 0)})
	}
	human(10, 0, boolp(false)) // a person fails v1's case 0
	human(11, 0.25, nil)       // and rates v1's case 1 a 2 of 5
	groups := Aggregate(results, scores, run)
	g := groups[0]
	if g.Judged != 4 || g.Passed != 3 || !near(g.MeanScore, (0+0.25+1+1)/4, 1e-12) {
		t.Errorf("v1: passed %d of %d, mean %v; want 3 of 4 and %v", g.Passed, g.Judged, g.MeanScore, (0+0.25+1+1)/4)
	}
	ab := CompareAB(results[:4], results[4:], scores, "v1", "v2")
	if ab.Wins != 2 || ab.Ties != 2 {
		t.Errorf("A/B %+v: the ratings of v1 should make v2 win two cases", ab)
	}
}

func TestConsistency(t *testing.T) {
	rs := []prompt.Result{
		{ID: 1, VersionID: 1, Target: "t", Case: 0, Repeat: 0, Output: "a"},
		{ID: 2, VersionID: 1, Target: "t", Case: 0, Repeat: 1, Output: "b"},
		{ID: 3, VersionID: 1, Target: "t", Case: 0, Repeat: 2, Output: "a"},
		{ID: 4, VersionID: 1, Target: "t", Case: 0, Repeat: 3, Output: "c"},
		{ID: 5, VersionID: 1, Target: "t", Case: 1, Repeat: 0, Output: "z"},
	}
	sc := []prompt.Score{suiteScore(1, 1, true), suiteScore(2, 1, true), suiteScore(3, 1, true), suiteScore(4, 1, true)}
	cc := Consistency(rs, sc)
	if len(cc) != 2 {
		t.Fatalf("%+v", cc)
	}
	if c := cc[0]; c.K != 4 || c.Outputs != 4 || c.Distinct != 3 || c.Identical != 0.5 || !c.PassAll || c.Passed != 4 {
		t.Errorf("case 0: %+v", c)
	}
	if c := cc[1]; c.K != 1 || c.Identical != 1 || c.PassAll || c.Judged != 0 {
		t.Errorf("case 1 (unjudged): %+v", c)
	}
}

// abSides builds two sides over n cases where B wins w, loses l and ties
// the rest, scored through suite scores.
func abSides(w, l, ties int) (a, b []prompt.Result, scores []prompt.Score) {
	id := int64(0)
	mk := func(c int, v float64) prompt.Result {
		id++
		scores = append(scores, suiteScore(id, v, v >= 0.5))
		return prompt.Result{ID: id, VersionID: 1, Target: "t", Case: c}
	}
	c := 0
	for range w {
		a, b = append(a, mk(c, 0.2)), append(b, mk(c, 0.9))
		c++
	}
	for range l {
		a, b = append(a, mk(c, 0.9)), append(b, mk(c, 0.2))
		c++
	}
	for range ties {
		a, b = append(a, mk(c, 0.5)), append(b, mk(c, 0.5))
		c++
	}
	return a, b, scores
}

func TestCompareAB(t *testing.T) {
	a, b, sc := abSides(31, 9, 2)
	r := CompareAB(a, b, sc, "", "")
	if r.Wins != 31 || r.Losses != 9 || r.Ties != 2 || r.Skipped != 0 || len(r.Cases) != 42 {
		t.Fatalf("%+v", r)
	}
	if !near(r.P, 0.00067955, 1e-8) || !near(r.WinRate, 31.0/40, 1e-12) {
		t.Errorf("p %v win rate %v", r.P, r.WinRate)
	}
	if lo, hi := report.Wilson(31, 40, report.Z95); r.Lo != lo || r.Hi != hi {
		t.Errorf("interval [%v, %v]", r.Lo, r.Hi)
	}
	if want := "B beats A on 31 of 40 cases (2 ties excluded), p = 0.00068"; r.Sentence != want {
		t.Errorf("sentence %q, want %q", r.Sentence, want)
	}

	a, b, sc = abSides(2, 12, 0)
	r = CompareAB(a, b, sc, "support@1", "support@2")
	if want := "support@1 beats support@2 on 12 of 14 cases, p = 0.013"; r.Sentence != want {
		t.Errorf("sentence %q, want %q", r.Sentence, want)
	}

	// A p-value just below 0.05 is not rounded to "0.05" beside "beats":
	// 42 wins and 25 losses give p = 2·Σ_{i≤25} C(67,i)/2^67 =
	// 0.049800114 (Python, fractions and math.comb), and 22 against 10
	// gives 0.050102460, which reads "0.05" and is not significant.
	a, b, sc = abSides(42, 25, 0)
	if want := "B beats A on 42 of 67 cases, p = 0.0498"; CompareAB(a, b, sc, "", "").Sentence != want {
		t.Errorf("sentence %q, want %q", CompareAB(a, b, sc, "", "").Sentence, want)
	}
	a, b, sc = abSides(22, 10, 0)
	if want := "no significant difference: B wins 22 of 32 cases, p = 0.05"; CompareAB(a, b, sc, "", "").Sentence != want {
		t.Errorf("sentence %q, want %q", CompareAB(a, b, sc, "", "").Sentence, want)
	}

	a, b, sc = abSides(6, 4, 1)
	r = CompareAB(a, b, sc, "", "")
	if want := "no significant difference: B wins 6 of 10 cases (1 tie excluded), p = 0.75"; r.Sentence != want {
		t.Errorf("sentence %q, want %q", r.Sentence, want)
	}

	a, b, sc = abSides(0, 0, 3)
	if r = CompareAB(a, b, sc, "", ""); r.Sentence != "A and B tie on all 3 cases" || r.P != 1 {
		t.Errorf("all ties: %+v", r)
	}
	a, b, sc = abSides(0, 0, 2)
	if r = CompareAB(a, b, sc, "", ""); r.Sentence != "A and B tie on both cases" {
		t.Errorf("two ties: %q", r.Sentence)
	}
	a, b, sc = abSides(0, 0, 1)
	if r = CompareAB(a, b, sc, "", ""); r.Sentence != "A and B tie on the one case" {
		t.Errorf("one tie: %q", r.Sentence)
	}

	// Repeats are averaged per case; a side without a score skips the case.
	a = []prompt.Result{{ID: 1, Case: 0, Repeat: 0}, {ID: 2, Case: 0, Repeat: 1}, {ID: 3, Case: 1}}
	b = []prompt.Result{{ID: 4, Case: 0, Repeat: 0}, {ID: 5, Case: 0, Repeat: 1}, {ID: 6, Case: 1}}
	sc = []prompt.Score{suiteScore(1, 1, true), suiteScore(2, 0, false), suiteScore(4, 0.6, true), suiteScore(5, 0.6, true), suiteScore(6, 1, true)}
	r = CompareAB(a, b, sc, "", "")
	if r.Wins != 1 || r.Skipped != 1 || !near(r.Cases[0].A, 0.5, 1e-12) || !near(r.Cases[0].B, 0.6, 1e-12) || r.Cases[1].Scored {
		t.Errorf("repeats: %+v", r)
	}
	if r.Sentence != "no significant difference: B wins 1 of 1 case (1 case with no score on one side left out), p = 1" {
		t.Errorf("sentence %q", r.Sentence)
	}
}

// TestCompareABLeavesFailedCallsOut: a failed call has no answer to
// compare. A suite scores it 0, but the A/B statistics leave it out of its
// case's mean, count it, and say so, so that a side's network errors do not
// read as a worse prompt.
func TestCompareABLeavesFailedCallsOut(t *testing.T) {
	failed := func(id int64, c, rep int) prompt.Result {
		return prompt.Result{ID: id, Case: c, Repeat: rep, Error: "HTTP 400", FinishReason: "error"}
	}
	a := []prompt.Result{{ID: 1, Case: 0, Repeat: 0}, failed(2, 0, 1), {ID: 3, Case: 1}, failed(7, 2, 0)}
	b := []prompt.Result{{ID: 4, Case: 0, Repeat: 0}, {ID: 5, Case: 0, Repeat: 1}, {ID: 6, Case: 1}, {ID: 8, Case: 2}}
	sc := []prompt.Score{suiteScore(1, 0.9, true), suiteScore(2, 0, false), suiteScore(3, 0.5, false),
		suiteScore(4, 0.8, true), suiteScore(5, 0.8, true), suiteScore(6, 0.7, true), suiteScore(7, 0, false), suiteScore(8, 1, true)}
	r := CompareAB(a, b, sc, "v1", "v2")
	// Case 0: A's mean is 0.9 over its one answer, not 0.45 with the failure as 0: A wins.
	if !near(r.Cases[0].A, 0.9, 1e-12) || r.Cases[0].Winner != -1 {
		t.Errorf("case 0: %+v", r.Cases[0])
	}
	// Case 2: A's only call failed: unscored on a side, not a loss for A.
	if r.Cases[2].Scored || r.Skipped != 1 || r.FailedA != 2 || r.FailedB != 0 || r.Wins != 1 || r.Losses != 1 {
		t.Errorf("%+v", r)
	}
	want := "no significant difference: v1 and v2 each win 1 of 2 cases (2 failed calls and 1 case with no score on one side left out), p = 1"
	if r.Sentence != want {
		t.Errorf("sentence %q, want %q", r.Sentence, want)
	}
	if s := r.Stats(); s.FailedA != 2 || s.FailedB != 0 {
		t.Errorf("Stats = %+v", s)
	}
}

func TestABResultStats(t *testing.T) {
	if s := (ABResult{Skipped: 3}).Stats(); s != nil {
		t.Errorf("no case scored on both sides: Stats = %+v, want nil", s)
	}
	r := ABResult{Wins: 3, Ties: 1, Losses: 1, Skipped: 2, WinRate: 0.75, Lo: 0.3, Hi: 0.95, P: 0.625, Sentence: "s"}
	s := r.Stats()
	if s == nil || s.Wins != 3 || s.Ties != 1 || s.Losses != 1 || s.Skipped != 2 || s.WinRate != 0.75 || s.Lo != 0.3 || s.Hi != 0.95 || s.P != 0.625 || s.Sentence != "s" {
		t.Errorf("Stats = %+v", s)
	}
}

// TestAggregateRepeatsAreNotIndependent: the intervals of a pass rate and
// of a mean score count cases, not repeats, when the repeats of each case
// agree; repeats that vary as independent draws count in full; with one
// result per case nothing changes.
func TestAggregateRepeatsAreNotIndependent(t *testing.T) {
	build := func(cases, repeats int, pass func(c, r int) bool, score func(c, r int) float64) Group {
		var results []prompt.Result
		var scores []prompt.Score
		id := int64(0)
		for c := range cases {
			for r := range repeats {
				id++
				results = append(results, prompt.Result{ID: id, VersionID: 1, Target: "t", Case: c, Repeat: r, Output: "x"})
				scores = append(scores, suiteScore(id, score(c, r), pass(c, r)))
			}
		}
		return Aggregate(results, scores, prompt.Run{})[0]
	}
	caseScore := func(c, _ int) float64 { return float64(c%5) / 4 }
	first6 := func(c, _ int) bool { return c < 6 }

	// 10 cases, 3 identical repeats each, 6 cases pass: 18 of 30 results,
	// but the evidence of 6 of 10 cases.
	g := build(10, 3, first6, caseScore)
	if g.Passed != 18 || g.Judged != 30 {
		t.Fatalf("counts %d/%d", g.Passed, g.Judged)
	}
	lo, hi := report.Wilson(6, 10, report.Z95)
	if !near(g.PassLo, lo, 1e-12) || !near(g.PassHi, hi, 1e-12) {
		t.Errorf("identical repeats: pass interval [%v, %v], want that of 6 of 10 cases [%v, %v]", g.PassLo, g.PassHi, lo, hi)
	}
	var means []float64
	for c := range 10 {
		means = append(means, caseScore(c, 0))
	}
	_, mlo, mhi := report.MeanCI(means, 0.95)
	if !near(g.ScoreLo, max(0, mlo), 1e-12) || !near(g.ScoreHi, min(1, mhi), 1e-12) {
		t.Errorf("identical repeats: score interval [%v, %v], want the cases' [%v, %v]", g.ScoreLo, g.ScoreHi, mlo, mhi)
	}

	// Every case passes 2 of its 3 repeats: the repeats differ within each
	// case and not at all between cases, as independent draws would, and
	// all 30 count.
	g = build(10, 3, func(_, r int) bool { return r < 2 }, caseScore)
	lo, hi = report.Wilson(20, 30, report.Z95)
	if !near(g.PassLo, lo, 1e-12) || !near(g.PassHi, hi, 1e-12) {
		t.Errorf("varying repeats: pass interval [%v, %v], want [%v, %v]", g.PassLo, g.PassHi, lo, hi)
	}

	// All pass: the repeats cannot show how alike they are; the cases count.
	g = build(10, 3, func(int, int) bool { return true }, caseScore)
	lo, hi = report.Wilson(10, 10, report.Z95)
	if !near(g.PassLo, lo, 1e-12) || g.PassHi != hi {
		t.Errorf("all pass: pass interval [%v, %v], want [%v, %v]", g.PassLo, g.PassHi, lo, hi)
	}

	// One result per case: the plain Wilson and t intervals.
	g = build(10, 1, first6, caseScore)
	lo, hi = report.Wilson(6, 10, report.Z95)
	if g.PassLo != lo || g.PassHi != hi {
		t.Errorf("no repeats: pass interval [%v, %v], want [%v, %v]", g.PassLo, g.PassHi, lo, hi)
	}
	if !near(g.ScoreLo, max(0, mlo), 1e-12) || !near(g.ScoreHi, min(1, mhi), 1e-12) {
		t.Errorf("no repeats: score interval [%v, %v], want [%v, %v]", g.ScoreLo, g.ScoreHi, mlo, mhi)
	}
}

// The run report's JSON gives each version × target's pass rate and mean
// score with the very intervals Aggregate gives the screens, over cases;
// the totals, which pool versions, have none.
func TestReportJSONIntervalsAreAggregates(t *testing.T) {
	run := prompt.Run{ID: "r", Versions: []prompt.RunVersion{{VersionID: 1, Prompt: "p", Number: 1}, {VersionID: 2, Prompt: "p", Number: 2}},
		Targets: []string{"echo:x"}, Repeat: 3}
	var results []prompt.Result
	var scores []prompt.Score
	id := int64(0)
	for v := int64(1); v <= 2; v++ {
		for c := range 8 {
			for r := range 3 {
				id++
				results = append(results, prompt.Result{ID: id, VersionID: v, Target: "echo:x", Case: c, Repeat: r, Output: "x"})
				pass := c < 5 || int(v) == 2 && c == 6 && r == 0
				scores = append(scores, suiteScore(id, float64((c+int(v)*r)%4)/3, pass))
			}
		}
	}
	var b bytes.Buffer
	if err := report.JSON(&b, report.RunReport{Run: run, Results: results, Scores: scores}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Summary []map[string]any `json:"summary"`
		Totals  map[string]any   `json:"totals"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	groups := Aggregate(results, scores, run)
	if len(doc.Summary) != len(groups) {
		t.Fatalf("%d summaries, %d groups", len(doc.Summary), len(groups))
	}
	for i, g := range groups {
		s := doc.Summary[i]
		for key, want := range map[string]float64{
			"pass_rate": g.PassRate, "pass_rate_lo": g.PassLo, "pass_rate_hi": g.PassHi,
			"mean_score": g.MeanScore, "mean_score_lo": g.ScoreLo, "mean_score_hi": g.ScoreHi,
		} {
			if got, ok := s[key].(float64); !ok || !near(got, want, 1e-6) {
				t.Errorf("%s × %s: %s = %v, the screens show %v", g.Version.Ref(), g.Target, key, s[key], want)
			}
		}
	}
	for _, key := range []string{"pass_rate_lo", "pass_rate_hi", "mean_score_lo", "mean_score_hi"} {
		if v, ok := doc.Totals[key]; !ok || v != nil {
			t.Errorf("totals: %s = %v (present %v), want null", key, v, ok)
		}
	}
}

// The run report's Markdown summary gives each version × target's pass
// rate with Aggregate's interval over cases.
func TestReportMarkdownIntervalsAreAggregates(t *testing.T) {
	run := prompt.Run{ID: "r", Versions: []prompt.RunVersion{{VersionID: 1, Prompt: "p", Number: 1}}, Targets: []string{"echo"}, Repeat: 3}
	var results []prompt.Result
	var scores []prompt.Score
	for c := range 10 {
		for r := range 3 {
			id := int64(len(results) + 1)
			results = append(results, prompt.Result{ID: id, VersionID: 1, Target: "echo", Case: c, Repeat: r, Output: "x"})
			scores = append(scores, suiteScore(id, float64(c%5)/4, c < 6))
		}
	}
	g := Aggregate(results, scores, run)[0]
	var b bytes.Buffer
	if err := report.Markdown(&b, report.RunReport{Run: run, Results: results, Scores: scores}); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("| 18 / 12 | 60.0%% [%.1f–%.1f%%] |", 100*g.PassLo, 100*g.PassHi)
	score := fmt.Sprintf("| %s [%s–%s] (30) |", report.ScoreText(g.MeanScore), report.ScoreText(g.ScoreLo), report.ScoreText(g.ScoreHi))
	if !strings.Contains(b.String(), want) || !strings.Contains(b.String(), score) {
		t.Errorf("Markdown summary lacks the screens' intervals %q and %q:\n%s", want, score, b.String())
	}
}

// HolmAdjust steps down over the tested comparisons, smallest p first,
// keeping the adjusted p-values in order; an untested one keeps its p and
// does not count.
func TestHolmAdjust(t *testing.T) {
	abs := []ABResult{{Wins: 5, Losses: 1, P: 0.035}, {Ties: 4, P: 1}, {Wins: 9, P: 0.0052}, {Wins: 8, P: 0.0015}}
	adj, m := HolmAdjust(abs)
	want := []float64{0.035, 1, 0.0104, 0.0045}
	if m != 3 {
		t.Errorf("tested %d, want 3", m)
	}
	for i := range want {
		if !near(adj[i], want[i], 1e-12) {
			t.Errorf("adjusted %v, want %v", adj, want)
			break
		}
	}
}

// A check that gave no verdict (a judge that answered badly twice) on a
// call that succeeded scores 0 in its suite grade; the A/B statistics leave
// that cell out, as they leave out a failed call, rather than count the
// grader's failure as the answer's loss. A judge's real verdict of fail
// stays a loss; a person's rating of such a cell is read; a metric that
// groups the errored check is seen too.
func TestCompareABLeavesCheckErrorsOut(t *testing.T) {
	contains := Outcome{Check: prompt.Check{Type: "contains"}, Pass: true, Score: 1, Reason: "ok", Scorer: "check:contains"}
	graded := func(id int64, judge Outcome, metric string) []prompt.Score {
		judge.Check.Metric = metric
		cr := CaseResult{Outcomes: []Outcome{contains, judge}, Score: (1 + judge.Score) / 2, Pass: judge.Pass}
		if judge.Err != nil {
			cr.Err = judge.Err
		}
		return Scores(cr, id, "ci", time.Unix(id, 0))
	}
	errored := Outcome{Check: prompt.Check{Type: "llm-rubric"}, Err: errors.New(`case "a": check 2 (llm-rubric): judge j gave no usable verdict, twice`), Scorer: "judge:j", Judge: "j"}
	ok := Outcome{Check: prompt.Check{Type: "llm-rubric"}, Pass: true, Score: 1, Reason: "fine", Scorer: "judge:j", Judge: "j"}
	bad := Outcome{Check: prompt.Check{Type: "llm-rubric"}, Pass: false, Score: 0, Reason: "error: the answer is wordy", Scorer: "judge:j", Judge: "j"}

	var a, b []prompt.Result
	var sc []prompt.Score
	for c := range 4 {
		ia, ib := int64(2*c+1), int64(2*c+2)
		a = append(a, prompt.Result{ID: ia, Case: c})
		b = append(b, prompt.Result{ID: ib, Case: c})
		sc = append(sc, graded(ia, ok, "")...)
		switch c {
		case 0: // the judge failed on B's answer: no evidence
			sc = append(sc, graded(ib, errored, "")...)
		case 1: // the same, the check under a metric
			sc = append(sc, graded(ib, errored, "style")...)
		case 2: // the judge said fail, in words that start "error:": a loss
			sc = append(sc, graded(ib, bad, "")...)
		case 3: // the judge failed but a person rated the answer: read
			sc = append(sc, graded(ib, errored, "")...)
			sc = append(sc, prompt.Score{ResultID: ib, Scorer: report.ScorerHuman, Value: 1, Created: time.Unix(100, 0)})
		}
	}
	r := CompareAB(a, b, sc, "v1", "v2")
	if r.ErroredA != 0 || r.ErroredB != 2 || r.Skipped != 2 || r.Losses != 1 || r.Ties != 1 || r.Wins != 0 {
		t.Fatalf("%+v", r)
	}
	want := "no significant difference: v1 wins 1 of 1 case (1 tie excluded; 2 cells with a check error and 2 cases with no score on one side left out), p = 1"
	if r.Sentence != want {
		t.Errorf("sentence %q, want %q", r.Sentence, want)
	}
	if s := r.Stats(); s.ErroredA != 0 || s.ErroredB != 2 {
		t.Errorf("Stats = %+v", s)
	}
	// The pass rate and the gate stay strict: an errored check is a fail
	// (a person's 1–5 rating leaves the suite's verdict), and scores 0.
	run := prompt.Run{Versions: []prompt.RunVersion{{VersionID: 0, Prompt: "p", Number: 1}}, Targets: []string{""}, Cases: make([]prompt.Case, 4)}
	if g := Aggregate(b, sc, run); len(g) != 1 || g[0].Judged != 4 || g[0].Passed != 0 || g[0].MeanScore != 0.625 {
		t.Errorf("aggregate %+v", g)
	}
}

// A check that gave no verdict reads as such (report.CheckErrored) from
// its recorded reason however its case is named: a name, none, or a
// description that holds quotes, colons and parentheses; and so do the
// reasons earlier versions stored (case "case 2").
func TestCheckErroredReadsEveryCaseName(t *testing.T) {
	e := &Evaluator{Priced: func(string) bool { return false }}
	checks := []prompt.Check{{Type: "contains", Value: "x"}, {Type: "cost", Threshold: fp(0.01)}}
	r := prompt.Result{ID: 1, Case: 1, Target: "openai:my-finetune", Output: "x"}
	for _, c := range []prompt.Case{
		{Name: "refund"},
		{},
		{Description: `the "late" parcel: check 1 (contains): a trap; and more`},
		{Description: strings.Repeat("a long promptfoo description, ", 10)},
	} {
		cr := e.Evaluate(context.Background(), c, checks, nil, r)
		if len(cr.Outcomes) != 2 || cr.Outcomes[1].Err == nil {
			t.Fatalf("case %+v: outcomes %+v", c, cr.Outcomes)
		}
		msg := cr.Outcomes[1].Err.Error()
		if want := CaseName(c, 1) + ": check 2 (cost): "; !strings.HasPrefix(msg, want) || strings.Contains(msg, `"case`) {
			t.Errorf("error %q; want it to begin %q", msg, want)
		}
		if !report.CheckErrored(report.LatestScores(Scores(cr, 1, "ci", time.Unix(1, 0)))[1]) {
			t.Errorf("case %+v: the errored check %q is not read as one", c, msg)
		}
	}
	for _, reason := range []string{
		`error: case "case 2": check 2 (cost): no price is known`,
		`error: case 2: check 2 (cost): no price is known`,
		`error: case 2: late: parcel: check 2 (cost): no price is known`,
		`error: check 2 (cost): no price is known`,
	} {
		s := map[string]prompt.Score{"check:cost": {Scorer: "check:cost", Pass: new(false), Reason: reason}}
		if !report.CheckErrored(s) {
			t.Errorf("%q is not read as a check's error", reason)
		}
		s = map[string]prompt.Score{report.ScorerSuite: {Scorer: report.ScorerSuite, Pass: new(false), Reason: "1/2 checks passed; score 0.5. Failed: cost: " + reason}}
		if !report.CheckErrored(s) {
			t.Errorf("the suite's %q is not read as listing a check's error", s[report.ScorerSuite].Reason)
		}
	}
	// A judge's verdict in words that start so is a verdict.
	s := map[string]prompt.Score{"judge:j": {Scorer: "judge:j", Pass: new(false), Reason: "error: case 2 is wrong: the answer is wordy"}}
	if report.CheckErrored(s) {
		t.Error("a judge's verdict reads as a check's error")
	}
}
