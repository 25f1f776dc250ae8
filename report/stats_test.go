package report

import (
	"testing"
	"time"

	"whet/prompt"
)

func TestPercentile(t *testing.T) {
	ten := []float64{10, 1, 9, 2, 8, 3, 7, 4, 6, 5}
	twenty := make([]int, 20)
	for i := range twenty {
		twenty[i] = 20 - i // 20..1, unsorted
	}
	tests := []struct {
		name string
		vals []float64
		p    float64
		want float64
	}{
		{"empty", nil, 50, 0},
		{"one value", []float64{7}, 95, 7},
		{"p0 is min", ten, 0, 1},
		{"p100 is max", ten, 100, 10},
		{"median of ten", ten, 50, 5},
		{"p95 of ten", ten, 95, 10},
		{"p90 of ten", ten, 90, 9},
		{"p91 of ten", ten, 91, 10},
		{"p10 of ten", ten, 10, 1},
		{"p11 of ten", ten, 11, 2},
		{"median of two", []float64{3, 1}, 50, 1},
		{"median of three", []float64{3, 1, 2}, 50, 2},
		{"above 100", ten, 150, 10},
		{"below 0", ten, -5, 1},
	}
	for _, tt := range tests {
		if got := Percentile(tt.vals, tt.p); got != tt.want {
			t.Errorf("%s: Percentile(%v, %v) = %v, want %v", tt.name, tt.vals, tt.p, got, tt.want)
		}
	}
	// p × n an exact integer must not round up through float error.
	if got := Percentile(twenty, 95); got != 19 {
		t.Errorf("p95 of 1..20 = %d, want 19", got)
	}
	if got := Percentile(twenty, 5); got != 1 {
		t.Errorf("p5 of 1..20 = %d, want 1", got)
	}
	if twenty[0] != 20 {
		t.Error("Percentile sorted its input")
	}
	ds := []time.Duration{3 * time.Second, time.Second, 2 * time.Second}
	if got := Percentile(ds, 50); got != 2*time.Second {
		t.Errorf("median duration = %v", got)
	}
}

func TestSummarize(t *testing.T) {
	ms := time.Millisecond
	res := func(id int64, v int64, target string, lat, ttft time.Duration, out int) prompt.Result {
		return prompt.Result{ID: id, VersionID: v, Target: target, Latency: lat, TTFT: ttft, TokensIn: 10, TokensOut: out, Cost: 0.5}
	}
	results := []prompt.Result{
		res(1, 2, "b", 100*ms, 0, 0),
		res(2, 1, "a", 1000*ms, 200*ms, 80),
		res(3, 1, "a", 3000*ms, 0, 0),
		res(4, 1, "a", 2000*ms, 400*ms, 40),
		res(5, 1, "a", 0, 0, 30),      // cache hit
		res(6, 1, "a", 9000*ms, 0, 0), // error
	}
	results[4].CacheHit, results[4].Cost = true, 0
	results[5].Error = "boom"
	pass, fail := true, false
	scores := []prompt.Score{
		{ID: 1, ResultID: 2, Scorer: "check", Value: 1, Pass: &pass, Created: time.Unix(1, 0)},
		{ID: 2, ResultID: 2, Scorer: "human", Value: 0, Created: time.Unix(1, 0)},
		{ID: 3, ResultID: 2, Scorer: "human", Value: 0.5, Created: time.Unix(2, 0)}, // re-grade wins
		{ID: 4, ResultID: 3, Scorer: "check", Value: 0, Pass: &fail, Created: time.Unix(1, 0)},
		{ID: 5, ResultID: 3, Scorer: "check", Value: 1, Pass: &pass, Created: time.Unix(1, 0)}, // same time, higher id wins
		{ID: 6, ResultID: 99, Scorer: "check", Value: 1},                                       // no such result
	}
	sums := Summarize(results, scores)
	if len(sums) != 2 || sums[0].VersionID != 1 || sums[0].Target != "a" || sums[1].VersionID != 2 {
		t.Fatalf("groups = %+v", sums)
	}
	s := sums[0]
	if s.Cells != 5 || s.Errors != 1 || s.CacheHits != 1 || s.Measured != 3 {
		t.Errorf("counts: cells %d errors %d cache %d measured %d, want 5 1 1 3", s.Cells, s.Errors, s.CacheHits, s.Measured)
	}
	if s.MeanLatency != 2000*ms || s.P50 != 2000*ms || s.P95 != 3000*ms {
		t.Errorf("latency mean %v p50 %v p95 %v, want 2s 2s 3s", s.MeanLatency, s.P50, s.P95)
	}
	if s.MeanTTFT != 300*ms {
		t.Errorf("mean TTFT %v, want 300ms (cells without TTFT left out)", s.MeanTTFT)
	}
	// (80 + 40) tokens over (0.8 + 1.6) s of generation.
	if s.TokPerSec != 50 {
		t.Errorf("tok/s %v, want 50", s.TokPerSec)
	}
	if s.TokensIn != 50 || s.TokensOut != 150 || s.Cost != 2 {
		t.Errorf("totals in %d out %d cost %v, want 50 150 2", s.TokensIn, s.TokensOut, s.Cost)
	}
	// Result 2: the person's latest 0.5 overrides the check's 1 (its pass
	// stands: a 1–5 rating has no verdict); result 3: check 1.
	if s.Scored != 2 || s.MeanScore != 0.75 || s.Passed != 2 || s.Failed != 0 {
		t.Errorf("scores: scored %d mean %v passed %d failed %d, want 2 0.75 2 0", s.Scored, s.MeanScore, s.Passed, s.Failed)
	}
	if b := sums[1]; b.Scored != 0 || b.Measured != 1 || b.TokPerSec != 0 || b.MeanTTFT != 0 {
		t.Errorf("group b = %+v", b)
	}
}

func TestCellResults(t *testing.T) {
	rs := []prompt.Result{
		{ID: 5, Target: "a", Output: "new"},
		{ID: 2, Target: "a", Output: "old"},
		{ID: 3, Target: "b", Output: "only"},
		{ID: 0, Target: "c", Output: "first"},
		{ID: 0, Target: "c", Output: "second"},
	}
	got := CellResults(rs)
	var outs []string
	for _, r := range got {
		outs = append(outs, r.Output)
	}
	want := []string{"new", "only", "second"}
	if len(outs) != len(want) {
		t.Fatalf("CellResults = %v, want %v", outs, want)
	}
	for i := range want {
		if outs[i] != want[i] {
			t.Fatalf("CellResults = %v, want %v", outs, want)
		}
	}
}

func TestShortDigest(t *testing.T) {
	tests := map[string]string{
		"sha256:a80c4f17acd55265feec403c7aef86be": "a80c4f17acd5",
		"a80c4f17acd55265feec403c7aef86be":        "a80c4f17acd5",
		"fp_44709d6fcb":                           "fp_44709d6fcb",
		"":                                        "",
		"some-very-long-serving-stack-identity-string": "some-very-long-serving-…",
		// A control sequence goes whole, before the cut could split it.
		"fp_\x1b[31mred\x1b]52;c;ZXZpbA==\x07\u009b2J": "fp_red2J",
	}
	for in, want := range tests {
		if got := ShortDigest(in); got != want {
			t.Errorf("ShortDigest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatting(t *testing.T) {
	durs := map[time.Duration]string{
		0: "0 ms", 400 * time.Microsecond: "<1 ms", 842 * time.Millisecond: "842 ms",
		1250 * time.Millisecond: "1.25 s", 95 * time.Second: "1m35s",
	}
	for d, want := range durs {
		if got := fmtDur(d); got != want {
			t.Errorf("fmtDur(%v) = %q, want %q", d, got, want)
		}
	}
	ints := map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1500: "-1,500"}
	for n, want := range ints {
		if got := fmtInt(n); got != want {
			t.Errorf("fmtInt(%d) = %q, want %q", n, got, want)
		}
	}
	costs := map[float64]string{0: "0", 0.0000141: "0.000014", 1.5: "1.5", 0.00000049: "0"}
	for c, want := range costs {
		if got := CostText(c); got != want {
			t.Errorf("CostText(%v) = %q, want %q", c, got, want)
		}
	}
}

func TestResultScore(t *testing.T) {
	pass, fail := true, false
	if _, ok := ResultScore(nil); ok {
		t.Error("a score out of no grades")
	}
	// Without a suite grade or a rating: the mean of the grades (judges).
	got, ok := ResultScore(map[string]prompt.Score{
		"judge:openai:gpt-4o": {Value: 0.5}, "judge:ollama:qwen3": {Value: 1, Pass: &pass},
	})
	if !ok || got != 0.75 {
		t.Errorf("two judges: %v, %v; want 0.75", got, ok)
	}
	// With one, the suite's weighted grade is the score: its checks are in
	// it already (here a weight-2 check passed, a weight-1 one failed).
	suite := map[string]prompt.Score{
		ScorerSuite: {Value: 2.0 / 3, Pass: &fail}, "check:icontains": {Value: 1}, "check:regex": {Value: 0},
	}
	if got, ok = ResultScore(suite); !ok || got != 2.0/3 {
		t.Errorf("with a suite grade: %v, %v; want 2/3", got, ok)
	}
	// A person's rating overrides both; a 1–5 rating (no verdict) leaves the
	// suite's verdict, a pass or fail replaces it.
	suite[ScorerHuman] = prompt.Score{Value: 0.75}
	if got, ok = ResultScore(suite); !ok || got != 0.75 {
		t.Errorf("rated 4 of 5: %v, %v; want 0.75", got, ok)
	}
	if p, ok := ResultVerdict(suite); !ok || p {
		t.Errorf("rated 4 of 5: verdict %v, %v; want the suite's fail", p, ok)
	}
	suite[ScorerHuman] = prompt.Score{Value: 1, Pass: &pass}
	if p, ok := ResultVerdict(suite); !ok || !p {
		t.Errorf("rated pass: verdict %v, %v; want pass", p, ok)
	}
	if got, _ = ResultScore(map[string]prompt.Score{"judge:x": {Value: 1}, ScorerHuman: {Value: 0}}); got != 0 {
		t.Errorf("judge and human: %v, want the person's 0", got)
	}
}

// Scores round half away from zero everywhere: 0.625 (the mean of two
// human ratings, 3/5 and 4/5) is 0.63 on the Runs screen and in every report.
func TestScoreTextRoundsHalfAwayFromZero(t *testing.T) {
	for v, want := range map[float64]string{0.625: "0.63", 0.375: "0.38", -0.625: "-0.63", 0.124: "0.12", -0.001: "0.00", 1: "1.00"} {
		if got := ScoreText(v); got != want {
			t.Errorf("ScoreText(%v) = %q, want %q", v, got, want)
		}
	}
}

// A sign test over five decided cases or fewer can never find a
// significant difference: reports say so rather than leave "no
// significant difference" to be read as evidence.
func TestTooFewCases(t *testing.T) {
	for _, tc := range []struct {
		decided, tested int
		want            string
	}{
		{0, 1, ""},
		{1, 1, "1 decided case cannot reach p < 0.05: the sign test needs 6"},
		{5, 1, "5 decided cases cannot reach p < 0.05: the sign test needs 6"},
		{6, 1, ""},
		// 2·0.5^6 = 0.031 is below 0.05 alone, not times 6 tests.
		{6, 6, "6 decided cases cannot reach p < 0.05 adjusted for 6 tests: the sign test needs 8"},
	} {
		if got := TooFewCases(tc.decided, tc.tested); got != tc.want {
			t.Errorf("TooFewCases(%d, %d) = %q, want %q", tc.decided, tc.tested, got, tc.want)
		}
	}
}

// TestSummarizeGroupsInAnyOrder: results grouped as the store gives them
// (parts of the list) and the same results interleaved summarise alike;
// the input is not reordered.
func TestSummarizeGroupsInAnyOrder(t *testing.T) {
	ok := true
	mk := func(id, v int64, target string, c int, lat time.Duration) prompt.Result {
		return prompt.Result{ID: id, VersionID: v, Target: target, Case: c, Latency: lat, TokensOut: int(lat / time.Millisecond)}
	}
	grouped := []prompt.Result{
		mk(1, 1, "a", 0, 10*time.Millisecond), mk(2, 1, "a", 1, 30*time.Millisecond),
		mk(3, 1, "b", 0, 5*time.Millisecond), mk(4, 1, "b", 1, 7*time.Millisecond),
		mk(5, 2, "a", 0, 1*time.Millisecond),
	}
	interleaved := []prompt.Result{grouped[0], grouped[2], grouped[4], grouped[1], grouped[3]}
	pass := func(b bool) *bool { return &b }
	scores := []prompt.Score{{ResultID: 1, Scorer: "suite", Value: 1, Pass: pass(ok)}, {ResultID: 3, Scorer: "suite", Value: 0, Pass: pass(!ok)}}
	a, b := Summarize(grouped, scores), Summarize(interleaved, scores)
	if len(a) != 3 || len(b) != 3 {
		t.Fatalf("%d and %d groups, want 3", len(a), len(b))
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.VersionID != y.VersionID || x.Target != y.Target || x.Cells != y.Cells || x.MeanLatency != y.MeanLatency ||
			x.P95 != y.P95 || x.TokensOut != y.TokensOut || x.Scored != y.Scored || x.MeanScore != y.MeanScore {
			t.Errorf("group %d: %+v\nand %+v", i, x, y)
		}
	}
	if a[0].Cells != 2 || a[0].MeanLatency != 20*time.Millisecond || a[2].VersionID != 2 {
		t.Errorf("grouped summary = %+v", a)
	}
	if interleaved[1].ID != 3 || grouped[1].ID != 2 {
		t.Error("Summarize reordered its input")
	}
}
