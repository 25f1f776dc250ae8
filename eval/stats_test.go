package eval

import (
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat"

	"whet/prompt"
)

func TestWilson(t *testing.T) {
	for _, tc := range []struct {
		k, n   int
		lo, hi float64
	}{
		// 81 of 263 at 95% (z = 1.96): [0.2553, 0.3662], the worked example
		// of Wilson's interval in the literature.
		{81, 263, 0.2553, 0.3662},
		// 0 of 10: the upper bound is z²/(n+z²) = 3.8416/13.8416.
		{0, 10, 0, 0.2775},
		{10, 10, 0.7225, 1},
		// 5 of 10: symmetric about 0.5, half-width
		// (1.96/1.38416)·sqrt(0.025+0.0096) = 0.2634.
		{5, 10, 0.2366, 0.7634},
	} {
		lo, hi := Wilson(tc.k, tc.n, 1.96)
		if !near(lo, tc.lo, 5e-5) || !near(hi, tc.hi, 5e-5) {
			t.Errorf("Wilson(%d, %d) = [%.4f, %.4f], want [%.4f, %.4f]", tc.k, tc.n, lo, hi, tc.lo, tc.hi)
		}
	}
	if lo, hi := Wilson(0, 0, Z95); lo != 0 || hi != 1 {
		t.Errorf("n = 0: [%v, %v]", lo, hi)
	}
}

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

func TestMeanCI(t *testing.T) {
	// 1..5: mean 3, s = sqrt(2.5), t(0.975, 4) = 2.776445 →
	// 3 ± 2.776445 · 1.581139/2.236068 = 3 ± 1.963243.
	m, lo, hi := MeanCI([]float64{1, 2, 3, 4, 5}, 0.95)
	if m != 3 || !near(lo, 1.036757, 1e-6) || !near(hi, 4.963243, 1e-6) {
		t.Errorf("MeanCI(1..5) = %v [%v, %v]", m, lo, hi)
	}
	// 90%: t(0.95, 9) = 1.833113; xs with mean 0.5, s = sqrt(10/36).
	xs := []float64{0, 0, 0, 0, 0, 1, 1, 1, 1, 1}
	s := math.Sqrt(2.5 / 9)
	m, lo, hi = MeanCI(xs, 0.90)
	if m != 0.5 || !near(hi-m, 1.833113*s/math.Sqrt(10), 1e-6) || !near(m-lo, hi-m, 1e-12) {
		t.Errorf("MeanCI 90%% = %v [%v, %v]", m, lo, hi)
	}
	if m, lo, hi := MeanCI([]float64{0.7}, 0.95); m != 0.7 || !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("one value: %v [%v, %v]", m, lo, hi)
	}
	if m, _, _ := MeanCI(nil, 0.95); !math.IsNaN(m) {
		t.Errorf("no values: %v", m)
	}
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
	// A later human grade does not replace the suite verdict.
	scores = append(scores, prompt.Score{ResultID: 1, Scorer: "human", Value: 0, Pass: boolp(false), Created: time.Unix(99, 0)})

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
	if lo, hi := wilsonP(4.0/6, 2, Z95); !near(g.PassLo, lo, 1e-12) || !near(g.PassHi, hi, 1e-12) {
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
	if g.Judged != 2 || g.Passed != 1 || g.Scored != 2 || g.MeanScore != (0.75+0)/2 {
		t.Errorf("%+v", g)
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
	if lo, hi := Wilson(31, 40, Z95); r.Lo != lo || r.Hi != hi {
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

	a, b, sc = abSides(6, 4, 1)
	r = CompareAB(a, b, sc, "", "")
	if want := "no significant difference: B wins 6 of 10 cases (1 tie excluded), p = 0.75"; r.Sentence != want {
		t.Errorf("sentence %q, want %q", r.Sentence, want)
	}

	a, b, sc = abSides(0, 0, 3)
	if r = CompareAB(a, b, sc, "", ""); r.Sentence != "A and B tie on all 3 cases" || r.P != 1 {
		t.Errorf("all ties: %+v", r)
	}

	// Repeats are averaged per case; a side without a score skips the case.
	a = []prompt.Result{{ID: 1, Case: 0, Repeat: 0}, {ID: 2, Case: 0, Repeat: 1}, {ID: 3, Case: 1}}
	b = []prompt.Result{{ID: 4, Case: 0, Repeat: 0}, {ID: 5, Case: 0, Repeat: 1}, {ID: 6, Case: 1}}
	sc = []prompt.Score{suiteScore(1, 1, true), suiteScore(2, 0, false), suiteScore(4, 0.6, true), suiteScore(5, 0.6, true), suiteScore(6, 1, true)}
	r = CompareAB(a, b, sc, "", "")
	if r.Wins != 1 || r.Skipped != 1 || !near(r.Cases[0].A, 0.5, 1e-12) || !near(r.Cases[0].B, 0.6, 1e-12) || r.Cases[1].Scored {
		t.Errorf("repeats: %+v", r)
	}
	if !strings.HasPrefix(r.Sentence, "no significant difference: B wins 1 of 1 case, p = 1") {
		t.Errorf("sentence %q", r.Sentence)
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
	lo, hi := Wilson(6, 10, Z95)
	if !near(g.PassLo, lo, 1e-12) || !near(g.PassHi, hi, 1e-12) {
		t.Errorf("identical repeats: pass interval [%v, %v], want that of 6 of 10 cases [%v, %v]", g.PassLo, g.PassHi, lo, hi)
	}
	var means []float64
	for c := range 10 {
		means = append(means, caseScore(c, 0))
	}
	_, mlo, mhi := MeanCI(means, 0.95)
	if !near(g.ScoreLo, max(0, mlo), 1e-12) || !near(g.ScoreHi, min(1, mhi), 1e-12) {
		t.Errorf("identical repeats: score interval [%v, %v], want the cases' [%v, %v]", g.ScoreLo, g.ScoreHi, mlo, mhi)
	}

	// Every case passes 2 of its 3 repeats: the repeats differ within each
	// case and not at all between cases, as independent draws would, and
	// all 30 count.
	g = build(10, 3, func(_, r int) bool { return r < 2 }, caseScore)
	lo, hi = Wilson(20, 30, Z95)
	if !near(g.PassLo, lo, 1e-12) || !near(g.PassHi, hi, 1e-12) {
		t.Errorf("varying repeats: pass interval [%v, %v], want [%v, %v]", g.PassLo, g.PassHi, lo, hi)
	}

	// All pass: the repeats cannot show how alike they are; the cases count.
	g = build(10, 3, func(int, int) bool { return true }, caseScore)
	lo, hi = Wilson(10, 10, Z95)
	if !near(g.PassLo, lo, 1e-12) || g.PassHi != hi {
		t.Errorf("all pass: pass interval [%v, %v], want [%v, %v]", g.PassLo, g.PassHi, lo, hi)
	}

	// One result per case: the plain Wilson and t intervals.
	g = build(10, 1, first6, caseScore)
	lo, hi = Wilson(6, 10, Z95)
	if g.PassLo != lo || g.PassHi != hi {
		t.Errorf("no repeats: pass interval [%v, %v], want [%v, %v]", g.PassLo, g.PassHi, lo, hi)
	}
	if !near(g.ScoreLo, max(0, mlo), 1e-12) || !near(g.ScoreHi, min(1, mhi), 1e-12) {
		t.Errorf("no repeats: score interval [%v, %v], want [%v, %v]", g.ScoreLo, g.ScoreHi, mlo, mhi)
	}
}
