package report

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return a-b <= tol && b-a <= tol }

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

func TestScoreIntervalWithoutSpread(t *testing.T) {
	// Ten cases all scored 1 (two of them twice): no spread to measure, so
	// the interval is the Wilson interval of ten passes, not [1, 1].
	byCase := map[int][]float64{}
	for c := range 10 {
		byCase[c] = []float64{1}
	}
	byCase[3] = append(byCase[3], 1)
	byCase[7] = append(byCase[7], 1)
	wlo, whi := Wilson(10, 10, Z95)
	if lo, hi := ScoreInterval(byCase, 1); !near(lo, wlo, 1e-12) || !near(hi, whi, 1e-12) || lo > 0.73 {
		t.Errorf("ten scores of 1: [%v, %v], want Wilson(10/10) [%v, %v]", lo, hi, wlo, whi)
	}
	// Equal scores inside (0,1), whose mean is not exactly representable:
	// still the Wilson interval around that mean over the cases.
	byCase = map[int][]float64{0: {0.1, 0.1, 0.1}, 1: {0.1}, 2: {0.1}}
	mean := (0.1 + 0.1 + 0.1 + 0.1 + 0.1) / 5
	wlo, whi = wilsonP(mean, 3, Z95)
	if lo, hi := ScoreInterval(byCase, mean); !near(lo, wlo, 1e-12) || !near(hi, whi, 1e-12) || hi-lo < 0.3 {
		t.Errorf("equal scores 0.1: [%v, %v], want [%v, %v]", lo, hi, wlo, whi)
	}
	// Any spread at all: the t-interval over cases as before.
	byCase = map[int][]float64{0: {1}, 1: {1}, 2: {0.5}}
	_, mlo, mhi := MeanCI([]float64{1, 1, 0.5}, 0.95)
	if lo, hi := ScoreInterval(byCase, 2.5/3); !near(lo, max(0, mlo), 1e-12) || !near(hi, min(1, mhi), 1e-12) {
		t.Errorf("with spread: [%v, %v], want [%v, %v]", lo, hi, max(0, mlo), min(1, mhi))
	}
	if lo, hi := ScoreInterval(map[int][]float64{0: {1, 1}}, 1); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("one case: [%v, %v], want unknown", lo, hi)
	}
}

func TestScoreIntervalRepeatsThatCancel(t *testing.T) {
	// Six cases, each scored 0 on one repeat and 1 on the other: every
	// case's mean is 0.5, so the spread between cases is 0, but the scores
	// vary. The interval counts the twelve scores as independent draws at
	// most, never as the single point [0.5, 0.5] (the pass rate of the same
	// verdicts is the Wilson interval of 6 of 12). Reference, computed with
	// Python's statistics module: s = stdev([0, 1]*6) = sqrt(3/11),
	// se = s/sqrt(12) = 0.1507557, t(0.975, 5 df) = 2.5705818 (bisection on
	// Student's t CDF by Simpson's rule), so 0.5 ± 0.3875298.
	byCase := map[int][]float64{}
	for c := range 6 {
		byCase[c] = []float64{0, 1}
	}
	lo, hi := ScoreInterval(byCase, 0.5)
	if !near(lo, 0.1124702, 1e-6) || !near(hi, 0.8875298, 1e-6) {
		t.Errorf("repeats 0 and 1 on every case: [%v, %v], want [0.1124702, 0.8875298]", lo, hi)
	}
}

// The intervals are the same to the last bit each time they are computed,
// as reports are pure functions of the stored run: their sums over cases
// run in a fixed order, not a map's. 40 cases of awkward fractions made
// the ScoreInterval bounds differ in their last bits between calls when
// the sums ran in map order.
func TestIntervalsDeterministic(t *testing.T) {
	byCase := map[int][]float64{}
	pass := map[int][2]int{}
	var sum float64
	n := 0
	for c := range 40 {
		xs := []float64{float64(c%7) / 7, float64(c%3) / 3, 0.1 * float64(c%10)}
		byCase[c] = xs
		for _, x := range xs {
			sum += x
			n++
		}
		pass[c] = [2]int{3, c % 4}
	}
	mean := sum / float64(n)
	lo0, hi0 := ScoreInterval(byCase, mean)
	plo0, phi0 := PassInterval(pass)
	for range 200 {
		lo, hi := ScoreInterval(byCase, mean)
		plo, phi := PassInterval(pass)
		if lo != lo0 || hi != hi0 || plo != plo0 || phi != phi0 {
			t.Fatalf("differs: [%v %v] vs [%v %v]; pass [%v %v] vs [%v %v]", lo, hi, lo0, hi0, plo, phi, plo0, phi0)
		}
	}
}
