package report

import (
	"maps"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Z95 is the standard normal quantile of a two-sided 95% interval.
const Z95 = 1.959963984540054

// Wilson is the Wilson score interval of a proportion, successes out of n,
// for the normal quantile z (Z95 for 95%). It stays inside [0,1] and is
// sound for small n and proportions near 0 or 1. With n = 0 it is [0,1]:
// nothing is known.
func Wilson(successes, n int, z float64) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	return wilsonP(float64(successes)/float64(n), float64(n), z)
}

// wilsonP is the Wilson interval of proportion p over a sample size nf that
// need not be whole (an effective sample size, see PassInterval).
func wilsonP(p, nf, z float64) (lo, hi float64) {
	if nf <= 0 {
		return 0, 1
	}
	z2 := z * z
	den := 1 + z2/nf
	center := (p + z2/(2*nf)) / den
	half := z / den * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return max(0, center-half), min(1, center+half)
}

// MeanCI is the mean of xs and its confidence interval at level (0.95 for
// 95%) from Student's t distribution with n−1 degrees of freedom:
// mean ± t × s/√n. With one value the interval is unknown (lo and hi are
// NaN); with none, all three are NaN.
func MeanCI(xs []float64, level float64) (mean, lo, hi float64) {
	n := len(xs)
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	mean, sd := stat.MeanStdDev(xs, nil)
	if n == 1 {
		return mean, math.NaN(), math.NaN()
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile((1 + level) / 2)
	half := t * sd / math.Sqrt(float64(n))
	return mean, mean - half, mean + half
}

// PassInterval is the 95% interval of a pass rate whose verdicts come in
// cases (case → judged, passed). Repeats of one case are not independent
// samples: a model that answers a case the same way three times has told us
// about one case, not three. With one result per case it is the Wilson
// interval. With repeats it is the Wilson interval over an effective sample
// size, judged divided by the design effect that the cluster-robust
// variance of the rate measures, kept between the number of cases (repeats
// that always agree) and judged (repeats that vary as independent draws
// would). When every result passes, or every one fails, the repeats cannot
// show how alike they are and the cases count. [0,1] with no verdict.
//
// Every interval of a run's pass rate (the screens, the gate, the reports)
// comes from here.
func PassInterval(byCase map[int][2]int) (lo, hi float64) {
	cases, judged, passed, repeats := 0, 0, 0, false
	for _, c := range byCase {
		if c[0] > 0 {
			cases++
			judged += c[0]
			passed += c[1]
			repeats = repeats || c[0] > 1
		}
	}
	if !repeats || judged <= 0 {
		return Wilson(passed, judged, Z95)
	}
	n := float64(judged)
	p := float64(passed) / n
	neff := float64(cases)
	if p > 0 && p < 1 {
		var ss float64
		for _, k := range slices.Sorted(maps.Keys(byCase)) { // a fixed order: the same sum to the last bit
			c := byCase[k]
			d := float64(c[1]) - p*float64(c[0])
			ss += d * d
		}
		v := float64(cases) / float64(max(cases-1, 1)) * ss / (n * n)
		neff = n
		if v > 0 {
			neff = min(n, max(float64(cases), p*(1-p)/v))
		}
	}
	return wilsonP(p, neff, Z95)
}

// ScoreInterval is the 95% interval of mean, the mean of every scored
// result, from the cluster-robust standard error over cases (case → its
// scored repeats) and Student's t with cases−1 degrees of freedom, clamped
// to [0,1]. With one result per case it is MeanCI's t-interval; with
// repeats that always agree it is the t-interval of the cases' means; the
// standard error is never below that of every scored result taken as an
// independent draw (repeats count at most in full, as in PassInterval). NaN
// bounds with fewer than two cases: the spread between cases is unknown.
//
// When every scored result has the same score the sample shows no spread,
// and a t-interval would be the single point [x, x], claiming a certainty
// that ten equal scores do not give. A score in [0,1] with mean x varies at
// most as a pass/fail verdict with pass rate x does, so the interval is then
// the Wilson interval of x over the cases: ten scores of 1 give [0.72, 1],
// as ten passes do.
//
// Every interval of a run's mean score comes from here.
func ScoreInterval(byCase map[int][]float64, mean float64) (lo, hi float64) {
	cases, n := len(byCase), 0
	if cases < 2 {
		return math.NaN(), math.NaN()
	}
	var ss float64
	spread, first := false, math.NaN()
	keys := slices.Sorted(maps.Keys(byCase)) // a fixed order: the same sums to the last bit
	for _, k := range keys {
		xs := byCase[k]
		var d float64
		for _, x := range xs {
			d += x - mean
			if math.IsNaN(first) {
				first = x
			}
			spread = spread || x != first
		}
		ss += d * d
		n += len(xs)
	}
	if !spread {
		return wilsonP(min(1, max(0, mean)), float64(cases), Z95)
	}
	// Repeats count at most as independent draws, as PassInterval keeps its
	// effective sample size at most the results judged: the standard error
	// is never below that of n independent scores. Cases whose repeats
	// vary while their means agree (each case scored 0 once and 1 once)
	// would otherwise give a standard error of 0 and the single point
	// [mean, mean].
	var dev float64
	for _, k := range keys {
		for _, x := range byCase[k] {
			dev += (x - mean) * (x - mean)
		}
	}
	v := float64(cases) / float64(cases-1) * ss / float64(n*n)
	se := math.Sqrt(max(v, dev/float64(n-1)/float64(n)))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(cases - 1)}.Quantile(0.975)
	return max(0, mean-t*se), min(1, mean+t*se)
}
