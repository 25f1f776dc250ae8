package report

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"whet/prompt"
)

// Summary aggregates the results of one version on one target.
//
// Timing statistics (MeanLatency, P50, P95, MeanTTFT, TokPerSec) cover only
// Measured cells: those that succeeded without a cache hit, since an errored
// call's latency says nothing about the model and a cache hit made no call.
// Counts and totals (Cells, Errors, TokensIn, TokensOut, Cost, CacheHits)
// cover every result in the group.
type Summary struct {
	VersionID int64
	Target    string

	Cells     int // results in the group
	Errors    int // results with an error
	CacheHits int
	Measured  int // successful results that were not cache hits

	MeanLatency time.Duration // 0 when Measured == 0
	P50         time.Duration // latency median, nearest rank
	P95         time.Duration // latency 95th percentile, nearest rank
	MeanTTFT    time.Duration // over measured cells that report a TTFT; 0 when none does

	TokensIn  int
	TokensOut int
	// TokPerSec is total output tokens over total generation time (latency
	// less TTFT) of the measured cells that report both; 0 when unknown.
	TokPerSec float64
	Cost      float64 // USD

	// Scored is the number of results with at least one score. MeanScore is
	// the mean over those results of each result's score (the mean of the
	// latest grade from each of its scorers); it is meaningful only when
	// Scored > 0.
	Scored    int
	MeanScore float64
	// Passed and Failed count the results with a verdict (ResultVerdict).
	Passed int
	Failed int
	// FailedGraded counts the results whose call failed but that have a
	// score or a verdict: a suite grades a failed call 0 and a fail, so it
	// counts in MeanScore and Failed, and the reports say so.
	FailedGraded int

	// PassLo and PassHi bound the pass rate, Passed/(Passed+Failed), and
	// ScoreLo and ScoreHi the mean score, at 95% over cases (PassInterval,
	// ScoreInterval: the intervals every screen shows). They are NaN when
	// unknown: no verdict, fewer than two scored cases, or a summary that
	// pools versions or targets (the totals).
	PassLo, PassHi   float64
	ScoreLo, ScoreHi float64
}

// PassRate is Passed/(Passed+Failed); ok is false when no result has a
// verdict.
func (s Summary) PassRate() (rate float64, ok bool) {
	if n := s.Passed + s.Failed; n > 0 {
		return float64(s.Passed) / float64(n), true
	}
	return 0, false
}

// Summarize groups results by version × target and aggregates each group,
// sorted by version id, then target. It counts every result it is given: pass
// one result per cell (see CellResults). Scores are matched to results by
// Score.ResultID; for each result and scorer only the latest grade counts
// (see LatestScores).
func Summarize(results []prompt.Result, scores []prompt.Score) []Summary {
	type key struct {
		v int64
		t string
	}
	groups := map[key][]prompt.Result{}
	var keys []key
	// Results in the order the store gives them, a version × target's
	// together, are grouped as parts of the list: copying each result into
	// its group's list took a run of 100,000 cells half a second.
	start := 0
	for i := 1; i <= len(results) && start >= 0; i++ {
		if i < len(results) && results[i].VersionID == results[start].VersionID && results[i].Target == results[start].Target {
			continue
		}
		k := key{results[start].VersionID, results[start].Target}
		if _, seen := groups[k]; seen {
			start = -1 // a group in two parts: copied below
			break
		}
		keys = append(keys, k)
		groups[k] = results[start:i:i]
		start = i
	}
	if start < 0 {
		clear(groups)
		keys = keys[:0]
		for _, r := range results {
			k := key{r.VersionID, r.Target}
			if _, ok := groups[k]; !ok {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], r)
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.v, b.v), cmp.Compare(a.t, b.t))
	})
	latest := LatestScores(scores)
	out := make([]Summary, 0, len(keys))
	for _, k := range keys {
		s := summarizeGroup(groups[k], latest)
		s.VersionID, s.Target = k.v, k.t
		out = append(out, s)
	}
	return out
}

// summarizeGroup is summarize for the results of one version on one
// target, with the intervals of its pass rate and mean score.
func summarizeGroup(results []prompt.Result, latest map[int64]map[string]prompt.Score) Summary {
	s := summarize(results, latest)
	s.PassLo, s.PassHi, s.ScoreLo, s.ScoreHi = intervals(results, latest, s.MeanScore)
	return s
}

// intervals are the 95% intervals of one version × target's pass rate and
// mean score (mean), over its cases; NaN where unknown.
func intervals(results []prompt.Result, latest map[int64]map[string]prompt.Score, mean float64) (passLo, passHi, scoreLo, scoreHi float64) {
	passByCase := map[int][2]int{}     // case → judged, passed
	scoreByCase := map[int][]float64{} // case → its scored repeats
	for _, r := range results {
		if r.ID == 0 {
			continue
		}
		if pass, ok := ResultVerdict(latest[r.ID]); ok {
			c := passByCase[r.Case]
			c[0]++
			if pass {
				c[1]++
			}
			passByCase[r.Case] = c
		}
		if v, ok := ResultScore(latest[r.ID]); ok {
			scoreByCase[r.Case] = append(scoreByCase[r.Case], v)
		}
	}
	passLo, passHi = math.NaN(), math.NaN()
	if len(passByCase) > 0 {
		passLo, passHi = PassInterval(passByCase)
	}
	scoreLo, scoreHi = ScoreInterval(scoreByCase, mean)
	return passLo, passHi, scoreLo, scoreHi
}

// summarize aggregates one group of results.
func summarize(results []prompt.Result, latest map[int64]map[string]prompt.Score) Summary {
	var s Summary
	var lat []time.Duration
	var latSum, ttftSum, genSum time.Duration
	var ttftN, genTokens int
	var scoreSum float64
	for _, r := range results {
		s.Cells++
		s.TokensIn += r.TokensIn
		s.TokensOut += r.TokensOut
		s.Cost += r.Cost
		if r.CacheHit {
			s.CacheHits++
		}
		if !r.OK() {
			s.Errors++
			_, scored := ResultScore(latest[r.ID])
			_, judged := ResultVerdict(latest[r.ID])
			if r.ID != 0 && (scored || judged) {
				s.FailedGraded++
			}
		}
		if v, ok := ResultScore(latest[r.ID]); ok && r.ID != 0 {
			s.Scored++
			scoreSum += v
		}
		if pass, ok := ResultVerdict(latest[r.ID]); ok && r.ID != 0 {
			if pass {
				s.Passed++
			} else {
				s.Failed++
			}
		}
		if !r.OK() || r.CacheHit {
			continue
		}
		s.Measured++
		lat = append(lat, r.Latency)
		latSum += r.Latency
		if r.TTFT > 0 {
			ttftN++
			ttftSum += r.TTFT
		}
		if r.TokensPerSecond() > 0 {
			genSum += r.GenerationTime()
			genTokens += r.TokensOut
		}
	}
	if s.Measured > 0 {
		s.MeanLatency = latSum / time.Duration(s.Measured)
		s.P50 = Percentile(lat, 50)
		s.P95 = Percentile(lat, 95)
	}
	if ttftN > 0 {
		s.MeanTTFT = ttftSum / time.Duration(ttftN)
	}
	if genSum > 0 {
		s.TokPerSec = float64(genTokens) / genSum.Seconds()
	}
	if s.Scored > 0 {
		s.MeanScore = scoreSum / float64(s.Scored)
	}
	s.PassLo, s.PassHi, s.ScoreLo, s.ScoreHi = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	return s
}

// Percentile returns the p-th percentile (0 ≤ p ≤ 100) of values by the
// nearest-rank method: the smallest value such that at least p% of the values
// are less than or equal to it, i.e. the value at rank ⌈p/100 × n⌉ (1-based)
// of the sorted values; p ≤ 0 gives the minimum and p ≥ 100 the maximum. It
// returns the zero value for no values, and never modifies values.
func Percentile[T cmp.Ordered](values []T, p float64) T {
	var zero T
	n := len(values)
	if n == 0 {
		return zero
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	// The epsilon keeps p×n that is an integer in exact arithmetic (95×20/100)
	// from rounding up through floating-point error.
	rank := int(math.Ceil(p*float64(n)/100 - 1e-9))
	rank = max(1, min(rank, n))
	return sorted[rank-1]
}

// LatestScores indexes scores by result id and scorer, keeping for each pair
// only the latest grade (by Created, then by ID).
func LatestScores(scores []prompt.Score) map[int64]map[string]prompt.Score {
	out := map[int64]map[string]prompt.Score{}
	for _, sc := range scores {
		m := out[sc.ResultID]
		if m == nil {
			m = map[string]prompt.Score{}
			out[sc.ResultID] = m
		}
		old, ok := m[sc.Scorer]
		if !ok || Newer(sc, old) {
			m[sc.Scorer] = sc
		}
	}
	return out
}

// Newer reports whether score a replaces b as the latest of its scorer
// (LatestScores): it was created later, or at the same time with a higher
// ID.
func Newer(a, b prompt.Score) bool {
	return a.Created.After(b.Created) || a.Created.Equal(b.Created) && a.ID > b.ID
}

// ScorerSuite is the scorer of a case's aggregate grade under its suite:
// the weighted score of its checks against the case's threshold.
const ScorerSuite = "suite"

// ScorerHuman is the scorer of the grades people give (whet rate, the
// TUI's ratings).
const ScorerHuman = "human"

// P95Few is the fewest measured calls, of those between 1 and 19, that a
// p95 rests on (0: none), where the nearest-rank 95th percentile is the
// slowest call. Tables and summaries say so under their latency columns
// (P95FewText), so that a p95 of three calls is not read as a tail.
func P95Few(measured ...int) int {
	least := 0
	for _, n := range measured {
		if n > 0 && n < 20 && (least == 0 || n < least) {
			least = n
		}
	}
	return least
}

// P95FewText is what the reports say of P95Few's n: "p95 of fewer than 20
// calls (as few as 3 here) is their slowest".
func P95FewText(n int) string {
	return "p95 of fewer than 20 calls (as few as " + fmtInt(n) + " here) is their slowest"
}

// CheckErrored reports whether a result's grade rests on a check that
// gave no verdict (a judge that failed or answered badly twice, an
// embedding model down, a latency a cached answer lacks), which its suite
// records as a failure scoring 0 whose reason is the check's error,
// "error: CASE: check N (TYPE): …", CASE as eval.CaseName names it
// (case "NAME", case N, case N: DESCRIPTION) (a metric's or the suite
// grade's reason lists it after "TYPE: "); a judge's own verdict, whatever
// its words, never reads so. A person's rating overrides the machines'
// grades, so a rated result has none. The pass rates and the gate count
// such a result as a fail; the A/B statistics leave it out, as they do a
// failed call, since a 0 there is the grader's failure and not the
// answer's.
func CheckErrored(byScorer map[string]prompt.Score) bool {
	if _, ok := byScorer[ScorerHuman]; ok {
		return false
	}
	for name, s := range byScorer {
		if s.Pass == nil || *s.Pass {
			continue
		}
		if name != ScorerSuite && !strings.HasPrefix(name, "metric:") {
			if s.Value == 0 && checkError.MatchString(s.Reason) {
				return true
			}
		} else if listsCheckError.MatchString(s.Reason) {
			return true
		}
	}
	return false
}

// checkErrorText is how a check's error is recorded (eval's outcome
// reason of a check with an error: its case, index and type first). The
// case is case "NAME" (quoted), or for a case without a name case N or
// case N: DESCRIPTION (one line). Scores stored by earlier versions say
// case "case N" for those: they match as a name.
const checkErrorText = `error: (?:case (?:"(?:[^"\\]|\\.)*"|[0-9]+(?:: [^\n]*?)?): )?check [0-9]+ \([^)]*\): `

var (
	// checkError matches a check's own score's reason.
	checkError = regexp.MustCompile(`^` + checkErrorText)
	// listsCheckError matches a list of failures ("contains: …;
	// llm-rubric: error: …", the suite grade's after ". Failed: ") that
	// names a check's error.
	listsCheckError = regexp.MustCompile(`(?:^|; |\. Failed: )[a-z][a-z-]*: ` + checkErrorText)
)

// ResultScore is one result's score from its latest grades, one per scorer
// (an element of LatestScores): a person's rating (ScorerHuman) when it has
// one, which overrides what the machines said, as promptfoo's manual rating
// does; else its ScorerSuite grade (which already weighs its checks); else
// the mean value of its grades (judges). ok is false when it has none. The
// pass rates and A/B statistics read a result the same way.
func ResultScore(byScorer map[string]prompt.Score) (score float64, ok bool) {
	if len(byScorer) == 0 {
		return 0, false
	}
	if s, ok := byScorer[ScorerHuman]; ok {
		return s.Value, true
	}
	if s, ok := byScorer[ScorerSuite]; ok {
		return s.Value, true
	}
	var sum float64
	for _, k := range prompt.SortedKeys(byScorer) { // fixed order: a stable float sum
		sum += byScorer[k].Value
	}
	return sum / float64(len(byScorer)), true
}

// ResultVerdict is one result's pass or fail from its latest grades: a
// person's pass or fail when they gave one (a 1–5 rating carries none);
// else its ScorerSuite grade's verdict when it has one; else pass when
// every grade that carries a verdict passes. ok is false when no grade
// carries one.
func ResultVerdict(byScorer map[string]prompt.Score) (pass, ok bool) {
	if s, has := byScorer[ScorerHuman]; has && s.Pass != nil {
		return *s.Pass, true
	}
	if s, has := byScorer[ScorerSuite]; has {
		if s.Pass == nil {
			return false, false
		}
		return *s.Pass, true
	}
	pass = true
	for _, s := range byScorer {
		if s.Pass != nil {
			ok = true
			pass = pass && *s.Pass
		}
	}
	return pass && ok, ok
}

// CellResults returns one result per cell (prompt.CellKey): where a cell has
// several (a resumed run re-ran it), the one with the highest ID wins, and
// among equal IDs the later in the slice. Results keep their relative order.
func CellResults(results []prompt.Result) []prompt.Result {
	best := map[prompt.CellKey]int{}
	for i, r := range results {
		if j, ok := best[r.Key()]; !ok || r.ID >= results[j].ID {
			best[r.Key()] = i
		}
	}
	out := make([]prompt.Result, 0, len(best))
	for i, r := range results {
		if best[r.Key()] == i {
			out = append(out, r)
		}
	}
	return out
}

// SignTestCases is the fewest decided cases (wins plus losses) with which
// the two-sided exact sign test, its p multiplied by tested (Holm's first
// step; 1 for a single test), can fall below 0.05: every case going one
// way gives p = 2 × 0.5^n. Five cases or fewer can never show a
// significant difference on their own.
func SignTestCases(tested int) int {
	n := 1
	for float64(max(tested, 1))*2*math.Pow(0.5, float64(n)) >= 0.05 {
		n++
	}
	return n
}

// TooFewCases says, for a sign test over decided cases that found no
// significant difference, that it could not have found one: "4 decided
// cases cannot reach p < 0.05: the sign test needs 6". With several tests
// it is the adjusted p that they cannot bring below 0.05 (their p alone may
// be below it): "6 decided cases cannot reach p < 0.05 adjusted for 2
// tests: the sign test needs 7". "" when there were enough, or none.
func TooFewCases(decided, tested int) string {
	return TooFewCasesNeed(decided, SignTestCases(tested), tested)
}

// TooFewCasesNeed is TooFewCases where the sign test needs need decided
// cases: with several tests adjusted by Holm's method, how many depends on
// the others' p-values (eval.HolmNeed), between SignTestCases(1) and
// SignTestCases(tested).
func TooFewCasesNeed(decided, need, tested int) string {
	if decided == 0 || decided >= need {
		return ""
	}
	adjusted := ""
	if tested > 1 {
		adjusted = fmt.Sprintf(" adjusted for %d tests", tested)
	}
	return fmt.Sprintf("%s cannot reach p < 0.05%s: the sign test needs %d", plural(decided, "decided case", "decided cases"), adjusted, need)
}

// Significance is the p-value below which a difference is called
// significant.
const Significance = 0.05

// FormatP writes a p-value with two significant digits: "p = 0.00068",
// "p = 0.21", "p = 1", "p < 0.0001"; see PValue.
func FormatP(p float64) string {
	if p < 0.0001 {
		return "p < 0.0001"
	}
	return "p = " + PValue(p)
}

// PValue writes p (at least 0.0001, see FormatP) with two significant
// digits, or with as many more as keep it on its side of Significance: a
// sign test's 0.0498 is "0.0498", not "0.05", which would not read as
// below 0.05 beside the word significant, and 0.0501 stays "0.05".
func PValue(p float64) string {
	for d := 2; d < 17; d++ {
		s := strconv.FormatFloat(p, 'g', d, 64)
		if v, err := strconv.ParseFloat(s, 64); err == nil && (v < Significance) == (p < Significance) {
			return s
		}
	}
	return strconv.FormatFloat(p, 'g', -1, 64)
}
