package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"whet/prompt"
)

func TestComparePairs(t *testing.T) {
	c := fixtureComparison()
	if c.A.Label != "summarize@1" || c.B.Label != "summarize@2" {
		t.Errorf("labels %q, %q: want the version refs when only the version differs", c.A.Label, c.B.Label)
	}
	if len(c.Pairs) != 2 {
		t.Fatalf("%d pairs, want 2", len(c.Pairs))
	}
	p0, p1 := c.Pairs[0], c.Pairs[1]
	if p0.Case != 0 || p0.A == nil || p0.B == nil || p0.B.OK() {
		t.Errorf("pair 0 = %+v", p0)
	}
	if p0.LengthDelta() != -35 {
		t.Errorf("pair 0 length delta %d, want -35", p0.LengthDelta())
	}
	if _, ok := p0.ScoreDelta(); ok {
		t.Error("pair 0 has a score delta though B is unscored")
	}
	// Side B's case 1 was re-run: the later result (id 9) is compared.
	if p1.B == nil || p1.B.ID != 9 {
		t.Errorf("pair 1 B = %+v, want result 9", p1.B)
	}
	if p1.ScoreB == nil || *p1.ScoreB != 0.5 || p1.ScoreA != nil {
		t.Errorf("pair 1 scores A %v B %v", p1.ScoreA, p1.ScoreB)
	}
}

func TestCompareTargetsAndMissingCells(t *testing.T) {
	r := fixture()
	a := SideOf(r, 11, tOllama)
	b := SideOf(r, 11, tOpenAI)
	b.Results = b.Results[:1] // B lacks case 1
	c := Compare(a, b, r.Run.Cases, "", r.Generated)
	if c.A.Label != tOllama || c.B.Label != tOpenAI {
		t.Errorf("labels %q, %q: want the targets when only the target differs", c.A.Label, c.B.Label)
	}
	if len(c.Pairs) != 2 || c.Pairs[1].B != nil || c.Pairs[1].A == nil {
		t.Fatalf("pairs = %+v", c.Pairs)
	}
	if c.Pairs[1].LengthDelta() != -c.Pairs[1].LengthA() {
		t.Errorf("missing side should count as length 0")
	}
	md := string(render(t, func(b *bytes.Buffer) error { return CompareMarkdown(b, c) }))
	checkMarkdown(t, "compare targets", md)
	if strings.Contains(md, "## Prompt diff") {
		t.Error("an empty diff is shown")
	}
	if !strings.Contains(md, "*no result*") {
		t.Error("the missing cell is not marked")
	}
	if err := CompareJSON(&bytes.Buffer{}, c); err != nil {
		t.Fatal(err)
	}
}

func TestMarkdownRepeatsWithoutCases(t *testing.T) {
	run := prompt.Run{
		ID: "r2", Status: prompt.RunInterrupted, Repeat: 2,
		Versions: []prompt.RunVersion{{VersionID: 1, Prompt: "p", Number: 3, Hash: hash1}},
		Targets:  []string{"echo"},
	}
	results := []prompt.Result{
		{ID: 1, VersionID: 1, Target: "echo", Repeat: 0, Output: "one", Latency: time.Millisecond},
		{ID: 2, VersionID: 1, Target: "echo", Repeat: 1, Error: "cancelled", FinishReason: "cancelled"},
		{ID: 3, VersionID: 7, Target: "other", Output: "unplanned"}, // not in the plan: still shown
	}
	r := RunReport{Run: run, Results: results, Generated: t0}
	md := string(render(t, func(b *bytes.Buffer) error { return Markdown(b, r) }))
	checkMarkdown(t, "repeats", md)
	for _, want := range []string{"**Output 1**", "**Output 2**", "(repeat 2)", "case 1", "version #7", "unplanned", "without a result"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

// The A/B statistics are in the Markdown and the JSON of a comparison, and
// the CSV holds one row per pair and nothing else, as SCHEMA.md's table of
// what each format carries says.
func TestCompareFormatsCarryAB(t *testing.T) {
	c := fixtureComparison()
	md := string(render(t, func(b *bytes.Buffer) error { return CompareMarkdown(b, c) }))
	if !strings.Contains(md, "**A/B:**") || !strings.Contains(md, "win rate 50.0% of 2 decided cases (95% CI 9.5–90.5%)") {
		t.Errorf("Markdown lacks the A/B statistics:\n%s", md)
	}
	var doc struct {
		AB *struct {
			Lo *float64 `json:"win_rate_lo"`
			P  float64  `json:"p_value"`
		} `json:"ab"`
	}
	if err := json.Unmarshal(render(t, func(b *bytes.Buffer) error { return CompareJSON(b, c) }), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.AB == nil || doc.AB.Lo == nil || doc.AB.P != 1 {
		t.Errorf("JSON lacks the A/B statistics: %+v", doc.AB)
	}
	rows, err := csv.NewReader(bytes.NewReader(render(t, func(b *bytes.Buffer) error { return CompareCSV(b, c) }))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(c.Pairs)+1 {
		t.Errorf("CSV has %d rows for %d pairs: a row that is not a pair", len(rows), len(c.Pairs))
	}
	schema, err := os.ReadFile("SCHEMA.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(schema), "## What each format carries") || !strings.Contains(string(schema), "| A/B statistics") {
		t.Error("SCHEMA.md does not say which formats carry the A/B statistics")
	}
}

// Failed calls the A/B statistics left out are said in the Markdown, with
// each side's count, and in the JSON.
func TestCompareABSaysFailedCallsLeftOut(t *testing.T) {
	c := fixtureComparison()
	c.AB.FailedA, c.AB.FailedB = 3, 1
	md := string(render(t, func(b *bytes.Buffer) error { return CompareMarkdown(b, c) }))
	checkMarkdown(t, "compare failed calls", md)
	want := "by its mean score over its repeats whose call succeeded (4 failed calls left out, 3 of `summarize@1`'s and 1 of `summarize@2`'s: they have no answer to compare): `summarize@2` wins 1"
	if !strings.Contains(md, want) {
		t.Errorf("Markdown lacks %q:\n%s", want, md)
	}
	var doc struct {
		AB struct {
			FailedA int `json:"failed_a"`
			FailedB int `json:"failed_b"`
		} `json:"ab"`
	}
	if err := json.Unmarshal(render(t, func(b *bytes.Buffer) error { return CompareJSON(b, c) }), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.AB.FailedA != 3 || doc.AB.FailedB != 1 {
		t.Errorf("JSON ab %+v", doc.AB)
	}
}

// The comparison's summary shows each side's mean score and pass rate with
// the same 95% intervals over cases as the run's summary.
func TestCompareMarkdownIntervals(t *testing.T) {
	side := func(label string, vid int64, scores []float64) Side {
		s := Side{Label: label, Version: prompt.RunVersion{VersionID: vid}, Target: "echo"}
		for i, v := range scores {
			id := vid*100 + int64(i)
			s.Results = append(s.Results, prompt.Result{ID: id, VersionID: vid, Target: "echo", Case: i, Output: "x", Latency: time.Millisecond})
			pass := v >= 0.5
			s.Scores = append(s.Scores, prompt.Score{ResultID: id, Scorer: "check:contains", Value: v, Pass: &pass})
		}
		return s
	}
	cases := []prompt.Case{{Name: "a"}, {Name: "b"}, {Name: "c"}, {Name: "d"}}
	c := Compare(side("A", 1, []float64{1, 0, 1, 1}), side("B", 2, []float64{1, 1, 1, 1}), cases, "", t0)
	md := string(render(t, func(b *bytes.Buffer) error { return CompareMarkdown(b, c) }))
	checkMarkdown(t, "compare intervals", md)
	sa := summarizeGroup(c.A.Results, LatestScores(c.A.Scores))
	sb := summarizeGroup(c.B.Results, LatestScores(c.B.Scores))
	want := "| **Mean score** | " + fmtScore(sa.MeanScore) + " [" + fmtScore(sa.ScoreLo) + "–" + fmtScore(sa.ScoreHi) + "] (4) | " +
		fmtScore(sb.MeanScore) + " [" + fmtScore(sb.ScoreLo) + "–" + fmtScore(sb.ScoreHi) + "] (4) |"
	if !strings.Contains(md, want) {
		t.Errorf("Markdown lacks %q:\n%s", want, md)
	}
	if !strings.Contains(md, "| **Pass rate** | 75.0% [") || !strings.Contains(md, "| 100.0% [") {
		t.Errorf("Markdown lacks the pass rates with intervals:\n%s", md)
	}
	if sb.ScoreHi != 1 || sb.ScoreLo >= 1 {
		t.Errorf("four scores of 1: interval [%v, %v], want below 1 to 1", sb.ScoreLo, sb.ScoreHi)
	}
}

// Failed calls that a suite graded 0 and a fail are said under the run's
// summary and the comparison's, with how many there are: they count in the
// mean score and the pass rate, and a reader should not take them for wrong
// answers.
func TestMarkdownSaysFailedCallsCount(t *testing.T) {
	side := func(label string, vid int64, failed int) Side {
		s := Side{Label: label, Version: prompt.RunVersion{VersionID: vid}, Target: "echo"}
		for i := range 4 {
			id := vid*100 + int64(i)
			r := prompt.Result{ID: id, VersionID: vid, Target: "echo", Case: i, Output: "x", Latency: time.Millisecond}
			v, pass := 1.0, true
			if i < failed {
				r.Output, r.Error, r.FinishReason, v, pass = "", "HTTP 500", "error", 0, false
			}
			s.Results = append(s.Results, r)
			s.Scores = append(s.Scores, prompt.Score{ResultID: id, Scorer: "suite", Value: v, Pass: &pass})
		}
		return s
	}
	cases := []prompt.Case{{Name: "a"}, {Name: "b"}, {Name: "c"}, {Name: "d"}}
	c := Compare(side("A", 1, 2), side("B", 2, 1), cases, "", t0)
	c.AB = &ABStats{Ties: 2, FailedA: 2, FailedB: 1, P: 1, Sentence: "A and B tie on all 2 cases (3 failed calls left out)"}
	md := string(render(t, func(b *bytes.Buffer) error { return CompareMarkdown(b, c) }))
	checkMarkdown(t, "compare failed graded", md)
	if want := "failed calls count in the mean score and the pass rate (2 and 1 here): a suite grades a failed call 0 and a fail, but the A/B statistics leave them out.*"; !strings.Contains(md, want) {
		t.Errorf("comparison lacks %q:\n%s", want, md)
	}

	r := fixture()
	var results []prompt.Result
	var scores []prompt.Score
	for _, s := range []Side{side("A", 11, 2), side("B", 12, 1)} {
		results = append(results, s.Results...)
		scores = append(scores, s.Scores...)
	}
	r.Results, r.Scores = results, scores
	md = string(render(t, func(b *bytes.Buffer) error { return Markdown(b, r) }))
	if want := "Failed calls count in Score and Pass / fail (3 here): a suite grades a failed call 0 and a fail."; !strings.Contains(md, want) {
		t.Errorf("run report lacks %q:\n%s", want, md)
	}
	var doc struct {
		Summary []struct {
			Target      *string `json:"target"`
			Failed      int     `json:"failed"`
			FailedCalls int     `json:"failed_calls_graded"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(render(t, func(b *bytes.Buffer) error { return JSON(b, r) }), &doc); err != nil {
		t.Fatal(err)
	}
	var graded, failed int
	for _, s := range doc.Summary {
		if s.Target != nil { // the version × target rows, not the totals
			graded += s.FailedCalls
			failed += s.Failed
		}
	}
	if graded != 3 || failed != 3 {
		t.Errorf("JSON summary: failed_calls_graded %d and failed %d over the rows, want 3 and 3", graded, failed)
	}
	r.Results, r.Scores = side("A", 11, 0).Results, side("A", 11, 0).Scores
	if md := string(render(t, func(b *bytes.Buffer) error { return Markdown(b, r) })); strings.Contains(md, "Failed calls count") {
		t.Error("a run without failed calls says they count")
	}
}

// DefaultSides picks targets that have results when none is chosen: an
// interrupted run may have none on its first target.
func TestDefaultSidesPreferTargetsWithResults(t *testing.T) {
	two := prompt.Run{ID: "r", Versions: []prompt.RunVersion{{VersionID: 1}, {VersionID: 2}}, Targets: []string{"ollama:x", "echo"}}
	onEcho := []prompt.Result{{VersionID: 1, Target: "echo"}, {VersionID: 2, Target: "echo"}, {VersionID: 1, Target: "ollama:x"}}
	one := prompt.Run{ID: "r", Versions: []prompt.RunVersion{{VersionID: 1}}, Targets: []string{"a", "b", "c"}}
	onBC := []prompt.Result{{VersionID: 1, Target: "c"}, {VersionID: 1, Target: "b"}}
	for _, c := range []struct {
		name    string
		run     prompt.Run
		results []prompt.Result
		target  string
		a, b    SideKey
	}{
		{"two versions, both on echo only", two, onEcho, "", SideKey{1, "echo"}, SideKey{2, "echo"}},
		{"two versions, a target chosen", two, onEcho, "ollama:x", SideKey{1, "ollama:x"}, SideKey{2, "ollama:x"}},
		{"two versions, no results", two, nil, "", SideKey{1, "ollama:x"}, SideKey{2, "ollama:x"}},
		{"one version, results on b and c", one, onBC, "", SideKey{1, "b"}, SideKey{1, "c"}},
		{"one version, c chosen", one, onBC, "c", SideKey{1, "c"}, SideKey{1, "a"}},
		{"one version, no results", one, nil, "", SideKey{1, "a"}, SideKey{1, "b"}},
	} {
		a, b, err := DefaultSides(c.run, c.results, c.target)
		if err != nil || a != c.a || b != c.b {
			t.Errorf("%s: %v %v %v, want %v %v", c.name, a, b, err, c.a, c.b)
		}
	}
}

// The Markdown's sign test says a tiny p-value as the A/B sentence does,
// not in exponent notation, and one just below 0.05 with the digits that
// keep it below.
func TestCompareMarkdownPValue(t *testing.T) {
	for _, tc := range []struct {
		w, l int
		p    float64 // 2·Σ_{i≤min} C(n,i)/2^n, by Python's fractions and math.comb
		want string
	}{
		{16, 0, 3.0517578125e-05, "two-sided exact sign test p < 0.0001."},
		{42, 25, 0.049800114294728665, "two-sided exact sign test p = 0.0498."},
	} {
		c := fixtureComparison()
		c.AB = &ABStats{Wins: tc.w, Losses: tc.l, WinRate: float64(tc.w) / float64(tc.w+tc.l), P: tc.p, Sentence: "B beats A"}
		md := string(render(t, func(b *bytes.Buffer) error { return CompareMarkdown(b, c) }))
		if !strings.Contains(md, tc.want) {
			t.Errorf("%d against %d: Markdown lacks %q:\n%s", tc.w, tc.l, tc.want, md)
		}
	}
}

func TestFormatP(t *testing.T) {
	for p, want := range map[float64]string{
		0.00067955:           "p = 0.00068",
		0.0001:               "p = 0.0001",
		3.0517578125e-05:     "p < 0.0001",
		0.049800114294728665: "p = 0.0498", // 42 of 67: 2 digits would say 0.05
		0.04999:              "p = 0.04999",
		0.050102459732443094: "p = 0.05", // 22 of 32: not significant, 0.05 is true
		0.2265625:            "p = 0.23",
		1:                    "p = 1",
	} {
		if got := FormatP(p); got != want {
			t.Errorf("FormatP(%v) = %q, want %q", p, got, want)
		}
	}
}

// The JSON's p-value is never rounded to 0: 45 wins against 5 losses give
// p = 2·Σ_{i≤5} C(50,i)/2^50 = 4.209852e-09 (Python, fractions and
// math.comb), which six decimals would write as 0. Larger ones keep six
// decimals.
func TestCompareJSONSmallPValue(t *testing.T) {
	for _, tc := range []struct{ p, want float64 }{
		{4.209852022540872e-09, 4.20985e-09},
		{0.2265625, 0.226563},
	} {
		c := fixtureComparison()
		c.AB = &ABStats{Wins: 45, Losses: 5, WinRate: 0.9, P: tc.p, Sentence: "B beats A"}
		var doc struct {
			AB struct {
				P float64 `json:"p_value"`
			} `json:"ab"`
		}
		if err := json.Unmarshal(render(t, func(b *bytes.Buffer) error { return CompareJSON(b, c) }), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.AB.P != tc.want {
			t.Errorf("p_value %v for p = %v, want %v", doc.AB.P, tc.p, tc.want)
		}
	}
}

// The win rate leaves ties out, and its sentence says what it is over:
// 8 wins, 1 tie and 3 losses are a win rate of 8 of 11, not of 12.
func TestCompareMarkdownWinRateSaysDecidedCases(t *testing.T) {
	c := fixtureComparison()
	c.AB = &ABStats{Wins: 8, Ties: 1, Losses: 3, WinRate: 8.0 / 11, Lo: 0.43, Hi: 0.9, P: 0.227, Sentence: "no significant difference"}
	md := string(render(t, func(b *bytes.Buffer) error { return CompareMarkdown(b, c) }))
	if want := "wins 8, ties 1 and loses 3; win rate 72.7% of 11 decided cases (ties left out; 95% CI 43.0–90.0%)"; !strings.Contains(md, want) {
		t.Errorf("Markdown lacks %q:\n%s", want, md)
	}
}

// The A/B paragraph says how many cells a check error left out, beside
// the failed calls.
func TestCompareMarkdownSaysCheckErrors(t *testing.T) {
	c := fixtureComparison()
	c.AB = &ABStats{Wins: 2, Losses: 1, FailedA: 1, ErroredB: 3, WinRate: 2.0 / 3, P: 1, Sentence: "no significant difference"}
	md := string(render(t, func(b *bytes.Buffer) error { return CompareMarkdown(b, c) }))
	if want := "and whose checks all gave a verdict (3 cells with a check error left out, 0 of `summarize@1`'s and 3 of"; !strings.Contains(md, want) {
		t.Errorf("Markdown lacks %q:\n%s", want, md)
	}
}
