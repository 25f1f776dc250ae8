package eval

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"whet/prompt"
	"whet/report"
)

func TestDrift(t *testing.T) {
	v1 := prompt.RunVersion{VersionID: 1, Prompt: "p", Number: 1}
	v2 := prompt.RunVersion{VersionID: 2, Prompt: "p", Number: 2}
	plan := prompt.Run{Versions: []prompt.RunVersion{v1, v2}, Targets: []string{"ollama:m", "openai:x"}}

	var base, rerun []prompt.Result
	var scores []prompt.Score
	id := int64(0)
	add := func(to *[]prompt.Result, v int64, target string, c int, out, model, digest, errText string, score float64) {
		id++
		*to = append(*to, prompt.Result{ID: id, VersionID: v, Target: target, Case: c, Output: out, Model: model, ModelDigest: digest, Error: errText})
		scores = append(scores, suiteScore(id, score, score >= 0.5))
	}
	for c := range 12 {
		// v1 on ollama:m: the weights changed under the same name and
		// scores fell on 10 of 12 cases.
		add(&base, 1, "ollama:m", c, "same", "m", "sha256:aaaaaaaaaaaaaaaa", "", 0.9)
		after := 0.9
		if c < 10 {
			after = 0.2
		}
		add(&rerun, 1, "ollama:m", c, "other", "m", "sha256:bbbbbbbbbbbbbbbb", "", after)
		// v1 on openai:x: nothing moved; outputs identical but for one.
		out := "same"
		if c == 0 {
			out = "varied"
		}
		add(&base, 1, "openai:x", c, "same", "x-2025", "fp_1", "", 0.7)
		add(&rerun, 1, "openai:x", c, out, "x-2025", "fp_1", "", 0.7)
		// v2 on openai:x: two cells fail now that did not.
		errText := ""
		if c < 2 {
			errText = "429 rate limited"
		}
		add(&base, 2, "openai:x", c, "ok", "x-2025", "fp_1", "", 1)
		add(&rerun, 2, "openai:x", c, "ok", "x-2025", "fp_1", errText, 1)
	}
	// v2 on ollama:m ran in the baseline only: nothing to set it against.
	add(&base, 2, "ollama:m", 0, "lonely", "m", "sha256:aaaaaaaaaaaaaaaa", "", 1)
	rows := Drift(plan, base, rerun, scores)
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3 (v2 on ollama:m is in one run only): %+v", len(rows), rows)
	}

	r := rows[0]
	if r.Version != v1 || r.Target != "ollama:m" || !r.Drifted() || !r.ModelChanged() {
		t.Fatalf("row 0: %+v", r)
	}
	if r.ModelBefore != "m aaaaaaaaaaaa" || r.ModelAfter != "m bbbbbbbbbbbb" {
		t.Errorf("model identities %q → %q", r.ModelBefore, r.ModelAfter)
	}
	if r.Paired != 12 || r.Identical != 0 || r.AB.Losses != 10 || r.AB.Ties != 2 {
		t.Errorf("row 0 pairs %d identical %d, A/B %+v", r.Paired, r.Identical, r.AB)
	}
	want := []string{"model changed: m aaaaaaaaaaaa → m bbbbbbbbbbbb", "scores fell: the baseline beats the re-run on 10 of 10 cases (2 ties excluded), p = 0.002"}
	if strings.Join(r.Reasons, "|") != strings.Join(want, "|") {
		t.Errorf("reasons %q, want %q", r.Reasons, want)
	}
	if !near(r.Before.MeanScore, 0.9, 1e-9) || !near(r.After.MeanScore, (10*0.2+2*0.9)/12, 1e-9) {
		t.Errorf("mean scores %v → %v", r.Before.MeanScore, r.After.MeanScore)
	}

	r = rows[1]
	if r.Target != "openai:x" || r.Drifted() || r.ModelChanged() || r.Paired != 12 || r.Identical != 11 {
		t.Errorf("row 1 (steady): %+v", r)
	}

	r = rows[2]
	if r.Version != v2 || !r.Drifted() || r.Paired != 10 || r.Before.Errors != 0 || r.After.Errors != 2 {
		t.Fatalf("row 2: %+v", r)
	}
	if got := strings.Join(r.Reasons, "|"); got != "errors: 0 → 2 of 12 cells" {
		t.Errorf("row 2 reasons %q", got)
	}

	// Scores that rise significantly are drift too; one side without a
	// model name is not a model change.
	a, b, sc := abSides(9, 0, 0)
	for i := range b {
		b[i].Model = "new"
	}
	plan = prompt.Run{Versions: []prompt.RunVersion{{VersionID: 1}}, Targets: []string{"t"}}
	rows = Drift(plan, a, b, sc)
	if len(rows) != 1 || rows[0].ModelChanged() || len(rows[0].Reasons) != 1 || !strings.HasPrefix(rows[0].Reasons[0], "scores rose: the re-run beats the baseline on 9 of 9 cases") {
		t.Errorf("rising scores: %+v", rows)
	}
}

func TestSamePlan(t *testing.T) {
	v := []prompt.RunVersion{{VersionID: 1}}
	base := prompt.Run{ID: "a", Versions: v, Targets: []string{"echo", "ollama:m"}, Repeat: 2,
		Cases: []prompt.Case{{Vars: map[string]string{"x": "1"}}, {}}}
	ok := base
	ok.ID, ok.Targets, ok.Cases = "b", []string{"ollama:m"}, []prompt.Case{{Name: "renamed", Vars: map[string]string{"x": "1"}}, {Vars: map[string]string{}}}
	if err := SamePlan(base, ok); err != nil {
		t.Errorf("corresponding runs refused: %v", err)
	}
	for _, tc := range []struct {
		name string
		edit func(*prompt.Run)
		want string
	}{
		{"itself", func(r *prompt.Run) { r.ID = "a" }, "run a is the baseline itself"},
		{"case count", func(r *prompt.Run) { r.Cases = r.Cases[:1] }, "different cases (2 and 1)"},
		{"case vars", func(r *prompt.Run) { r.Cases = []prompt.Case{{Vars: map[string]string{"x": "2"}}, {}} }, "differ in case 1"},
		{"repeats", func(r *prompt.Run) { r.Repeat = 1 }, "different repeats (2 and 1)"},
		{"no target in common", func(r *prompt.Run) { r.Targets = []string{"openai:x"} }, "no version × target in common"},
		{"no version in common", func(r *prompt.Run) { r.Versions = []prompt.RunVersion{{VersionID: 2}} }, "no version × target in common"},
	} {
		b := ok
		tc.edit(&b)
		if err := SamePlan(base, b); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestDriftAdjustsForManyPairs: a sign test at p = 0.031 on one of six
// version × target pairs is what chance gives one unchanged run in four; a
// row's scores count as moved only when its p, Holm-adjusted over the pairs
// tested, stays below 0.05. Alone, the same pair has moved.
func TestDriftAdjustsForManyPairs(t *testing.T) {
	var plan prompt.Run
	var base, rerun []prompt.Result
	var scores []prompt.Score
	id := int64(0)
	add := func(to *[]prompt.Result, v int64, target string, c int, score float64) {
		id++
		*to = append(*to, prompt.Result{ID: id, VersionID: v, Target: target, Case: c, Output: "x"})
		scores = append(scores, suiteScore(id, score, score >= 0.5))
	}
	for v := int64(1); v <= 2; v++ {
		plan.Versions = append(plan.Versions, prompt.RunVersion{VersionID: v, Prompt: "p", Number: int(v)})
	}
	plan.Targets = []string{"a", "b", "c"}
	for _, v := range plan.Versions {
		for ti, tg := range plan.Targets {
			for c := range 6 {
				add(&base, v.VersionID, tg, c, 0.5)
				after := 0.5
				switch {
				case v.VersionID == 1 && ti == 0:
					after = 0.9 // the re-run wins all 6 cases: p = 0.031
				case c == 0:
					after = 0.9 // one win, one loss: p = 1
				case c == 1:
					after = 0.1
				}
				add(&rerun, v.VersionID, tg, c, after)
			}
		}
	}
	rows := Drift(plan, base, rerun, scores)
	if len(rows) != 6 {
		t.Fatalf("%d rows", len(rows))
	}
	r := rows[0]
	if !near(r.AB.P, 0.03125, 1e-12) || r.Tested != 6 || !near(r.AdjustedP, 6*0.03125, 1e-12) || r.Drifted() {
		t.Errorf("one of six pairs at p = 0.031: p %v adjusted %v over %d, drifted %v %q", r.AB.P, r.AdjustedP, r.Tested, r.Drifted(), r.Reasons)
	}
	for _, r := range rows[1:] {
		if r.Tested != 6 || r.AdjustedP != 1 || r.Drifted() {
			t.Errorf("%s × %s: adjusted %v over %d, drifted %v", r.Version.Ref(), r.Target, r.AdjustedP, r.Tested, r.Drifted())
		}
	}

	plan.Versions, plan.Targets = plan.Versions[:1], plan.Targets[:1]
	rows = Drift(plan, base, rerun, scores)
	if len(rows) != 1 || rows[0].Tested != 1 || rows[0].AdjustedP != rows[0].AB.P || !rows[0].Drifted() {
		t.Fatalf("the pair alone: %+v", rows)
	}
	if want := "scores rose: the re-run beats the baseline on 6 of 6 cases, p = 0.031"; strings.Join(rows[0].Reasons, "|") != want {
		t.Errorf("reasons %q, want %q", rows[0].Reasons, want)
	}
}

// TestDriftNotesScoresThatMovedTooFewToCount: scores that fell on every
// case of a four-case suite cannot be significant (p = 0.13 at best), so
// they are not drift; the row says so rather than nothing, and how many
// cases the sign test needs.
func TestDriftNotesScoresThatMovedTooFewToCount(t *testing.T) {
	a, b, sc := abSides(0, 4, 0)
	plan := prompt.Run{Versions: []prompt.RunVersion{{VersionID: 1}}, Targets: []string{"t"}}
	rows := Drift(plan, a, b, sc)
	if len(rows) != 1 || rows[0].Drifted() {
		t.Fatalf("four falling cases: %+v", rows)
	}
	want := "scores fell on 4 of 4 decided cases, p = 0.13: not significant; 4 decided cases can never reach p < 0.05, the sign test needs 6 (add cases: repeats of a case count once)"
	if got := strings.Join(rows[0].Notes, "|"); got != want {
		t.Errorf("notes %q\nwant  %q", got, want)
	}

	// One case reads as one.
	a, b, sc = abSides(0, 1, 0)
	rows = Drift(plan, a, b, sc)
	if want := "scores fell on 1 of 1 decided case, p = 1: not significant; 1 decided case can never reach p < 0.05, the sign test needs 6 (add cases: repeats of a case count once)"; strings.Join(rows[0].Notes, "|") != want {
		t.Errorf("notes %q, want %q", rows[0].Notes, want)
	}

	// Enough cases but no significance: the note has no advice.
	a, b, sc = abSides(5, 4, 0)
	rows = Drift(plan, a, b, sc)
	if want := "scores rose on 5 of 9 decided cases, p = 1: not significant"; strings.Join(rows[0].Notes, "|") != want {
		t.Errorf("notes %q, want %q", rows[0].Notes, want)
	}
	// Drift, and ties, have no note.
	for _, sides := range [][3]int{{9, 0, 0}, {0, 0, 3}, {2, 2, 0}} {
		a, b, sc = abSides(sides[0], sides[1], sides[2])
		if rows = Drift(plan, a, b, sc); len(rows[0].Notes) != 0 {
			t.Errorf("%v: notes %q", sides, rows[0].Notes)
		}
	}
	if n := report.SignTestCases(6); n != 8 {
		t.Errorf("six pairs tested: the sign test needs %d cases, want 8", n)
	}
}

// A server that answers from several backends reports another system
// fingerprint from call to call: the same set in another order, or only
// some of them, is not a model change; a fingerprint the baseline never
// reported is.
func TestDriftModelIdentityOfAFleet(t *testing.T) {
	v := prompt.RunVersion{VersionID: 1, Prompt: "p", Number: 1}
	plan := prompt.Run{Versions: []prompt.RunVersion{v}, Targets: []string{"openai:x"}}
	run := func(fps ...string) []prompt.Result {
		var rs []prompt.Result
		for c, fp := range fps {
			rs = append(rs, prompt.Result{ID: int64(c + 1), VersionID: 1, Target: "openai:x", Case: c, Output: "same", Model: "x-2025", ModelDigest: fp})
		}
		return rs
	}
	for _, tc := range []struct {
		name          string
		before, after []string
		changed       bool
	}{
		{"same set, other order", []string{"fp_b", "fp_a", "fp_b"}, []string{"fp_a", "fp_b", "fp_a"}, false},
		{"fewer of the same", []string{"fp_a", "fp_b", "fp_a"}, []string{"fp_b", "fp_b", "fp_b"}, false},
		{"a new one beside the old", []string{"fp_a", "fp_a", "fp_a"}, []string{"fp_a", "fp_c", "fp_a"}, true},
		{"all new", []string{"fp_a", "fp_b", "fp_a"}, []string{"fp_c", "fp_c", "fp_c"}, true},
	} {
		rows := Drift(plan, run(tc.before...), run(tc.after...), nil)
		if len(rows) != 1 {
			t.Fatalf("%s: %d rows", tc.name, len(rows))
		}
		r := rows[0]
		if r.ModelChanged() != tc.changed || r.Drifted() != tc.changed {
			t.Errorf("%s: %q → %q: model changed %v, drifted %v (%v), want %v", tc.name, r.ModelBefore, r.ModelAfter, r.ModelChanged(), r.Drifted(), r.Reasons, tc.changed)
		}
	}
	rows := Drift(plan, run("fp_b", "fp_a"), run("fp_a", "fp_b"), nil)
	if rows[0].ModelBefore != "x-2025 fp_a, x-2025 fp_b" || rows[0].ModelAfter != rows[0].ModelBefore {
		t.Errorf("identities of the same set read %q and %q, want both sorted alike", rows[0].ModelBefore, rows[0].ModelAfter)
	}
}

// A person's rating of the baseline is not drift: the re-run has none,
// and drift sets the suite's grades against each other.
func TestDriftLeavesRatingsOut(t *testing.T) {
	plan := prompt.Run{Versions: []prompt.RunVersion{{VersionID: 1}}, Targets: []string{"t"}}
	var base, rerun []prompt.Result
	var scores []prompt.Score
	for c := range 8 {
		b, a := int64(100+c), int64(200+c)
		base = append(base, prompt.Result{ID: b, VersionID: 1, Target: "t", Case: c, Output: "x"})
		rerun = append(rerun, prompt.Result{ID: a, VersionID: 1, Target: "t", Case: c, Output: "x"})
		scores = append(scores, suiteScore(b, 1, true), suiteScore(a, 1, true),
			prompt.Score{ResultID: b, Scorer: report.ScorerHuman, Value: 0, Pass: boolp(false)})
	}
	rows := Drift(plan, base, rerun, scores)
	if len(rows) != 1 || rows[0].Drifted() || rows[0].AB.Ties != 8 {
		t.Errorf("%+v", rows)
	}
}

// TestDriftNotesLatencyChecksOfCachedAnswers: a re-run answered from the
// cache (temperature 0, no --no-cache) fails its latency checks, which
// measured no call; the row says so, and B/T/W leaves those cells out as
// it does any check that gave no verdict, so that the scores that fell are
// not read as the model's.
func TestDriftNotesLatencyChecksOfCachedAnswers(t *testing.T) {
	v := prompt.RunVersion{VersionID: 1, Prompt: "p", Number: 1}
	plan := prompt.Run{Versions: []prompt.RunVersion{v}, Targets: []string{"ollama:m"}}
	checks := []prompt.Check{{Type: "contains", Value: "ok"}, {Type: "latency", Threshold: fp(1000)}}
	e := &Evaluator{}
	var base, rerun []prompt.Result
	var scores []prompt.Score
	id := int64(0)
	for c := range 8 {
		for _, side := range []*[]prompt.Result{&base, &rerun} {
			id++
			r := prompt.Result{ID: id, VersionID: 1, Target: "ollama:m", Case: c, Output: "ok", Latency: 300 * time.Millisecond, CacheHit: side == &rerun}
			*side = append(*side, r)
			scores = append(scores, Scores(e.Evaluate(context.Background(), prompt.Case{}, checks, nil, r), r.ID, "ci", time.Time{})...)
		}
	}
	rows := Drift(plan, base, rerun, scores)
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	r := rows[0]
	if r.AB.Losses != 0 || r.AB.ErroredB != 8 || r.Drifted() || r.CachedLatencyBefore != 0 || r.CachedLatencyAfter != 8 {
		t.Fatalf("A/B %+v, cached latency fails %d → %d", r.AB, r.CachedLatencyBefore, r.CachedLatencyAfter)
	}
	want := "8 of the re-run's cells came from the cache, where a latency check measures no call and fails: their scores say nothing of the model (runs made with --no-cache compare it)"
	if !slices.Contains(r.Notes, want) {
		t.Errorf("notes %q lack %q", r.Notes, want)
	}

	// Runs made with --no-cache: no such note.
	for i := range rerun {
		rerun[i].CacheHit = false
	}
	if rows := Drift(plan, base, rerun, nil); len(rows) != 1 || rows[0].CachedLatencyAfter != 0 || slices.ContainsFunc(rows[0].Notes, func(n string) bool { return strings.Contains(n, "cache") }) {
		t.Errorf("without the cache: %+v", rows)
	}
}

// With several pairs tested, a note on too few cases speaks of the
// adjusted p: six cases falling give p = 2·0.5^6 = 0.031 alone, below
// 0.05, but 0.063 adjusted for two pairs (Holm: 2 × 0.03125), and the
// sign test then needs 7 (2·2·0.5^7 = 0.031 < 0.05).
func TestDriftNoteAdjustedTooFewCases(t *testing.T) {
	a1, b1, sc := abSides(0, 6, 0)
	a2, b2, sc2 := abSides(0, 6, 0)
	rows := driftTwoTargets(a1, b1, sc, a2, b2, sc2)
	if len(rows) != 2 || rows[0].Drifted() || rows[0].Tested != 2 {
		t.Fatalf("rows: %+v", rows)
	}
	want := "scores fell on 6 of 6 decided cases, p = 0.031 (p = 0.063 adjusted for 2 pairs tested): not significant; 6 decided cases can never reach adjusted p < 0.05, the sign test needs 7 (add cases: repeats of a case count once)"
	if got := strings.Join(rows[0].Notes, "|"); got != want {
		t.Errorf("notes %q\nwant  %q", got, want)
	}
}

// How many decided cases a pair's sign test needs depends on the other
// pairs tested with it: beside one whose scores moved clearly, six cases
// all one way would have been significant (Holm: 2 × p of the clearer
// one, then 1 × 2·0.5^6 = 0.031), so a pair of six decided cases that
// moved 5 to 1 (p = 2·7/64 = 0.22) is not said to have too few.
func TestDriftNoteNeedsWithTheOtherPairs(t *testing.T) {
	a1, b1, sc := abSides(0, 10, 0) // p = 2/1024
	a2, b2, sc2 := abSides(1, 5, 0) // p = 0.21875
	rows := driftTwoTargets(a1, b1, sc, a2, b2, sc2)
	if len(rows) != 2 || !rows[0].Drifted() || rows[1].Drifted() {
		t.Fatalf("rows: %+v", rows)
	}
	want := "scores fell on 5 of 6 decided cases, p = 0.22 (p = 0.22 adjusted for 2 pairs tested): not significant"
	if got := strings.Join(rows[1].Notes, "|"); got != want {
		t.Errorf("notes %q\nwant  %q", got, want)
	}
	abs := []ABResult{rows[0].AB, rows[1].AB}
	if n := HolmNeed(abs, 1); n != 6 {
		t.Errorf("HolmNeed beside p = 2/1024: %d, want 6", n)
	}
	// Beside a pair that moved less (p = 0.22), 2·2·0.5^n < 0.05 needs 7.
	if n := HolmNeed(abs, 0); n != 7 {
		t.Errorf("HolmNeed beside p = 0.22: %d, want 7", n)
	}
	// Alone: 2·0.5^6 = 0.031 < 0.05.
	if n := HolmNeed(abs[:1], 0); n != 6 {
		t.Errorf("HolmNeed alone: %d, want 6", n)
	}
}

// driftTwoTargets runs Drift over two pairs: the first sides on target t,
// the second (their ids moved past the first's) on target u.
func driftTwoTargets(a1, b1 []prompt.Result, sc []prompt.Score, a2, b2 []prompt.Result, sc2 []prompt.Score) []DriftRow {
	for i := range a2 {
		a2[i].ID += 100
		b2[i].ID += 100
		a2[i].Target, b2[i].Target = "u", "u"
	}
	for i := range sc2 {
		sc2[i].ID += 100
		sc2[i].ResultID += 100
	}
	plan := prompt.Run{Versions: []prompt.RunVersion{{VersionID: 1}}, Targets: []string{"t", "u"}}
	return Drift(plan, append(a1, a2...), append(b1, b2...), append(sc, sc2...))
}
