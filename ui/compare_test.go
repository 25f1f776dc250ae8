package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"whet/eval"
	"whet/prompt"
	"whet/report"
	"whet/textutil"
)

func TestCompareVersionsFromResults(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 60)
	h.openResults(fixtureRun)
	h.key("C")
	if h.m.active != screenCompare {
		t.Fatalf("active = %v, want Compare", h.m.active)
	}
	h.mustSee("Compare", "A support/reply@1", "B support/reply@2", "on echo", "run "+fixtureRun,
		"3 pairs · 2 changed",
		"late  len 52→89 (+37) · score 1.00→1.00 (±0.00)",
		"refund  len 28→45 (+17) · score 0.00→1.00 (+1.00)",
		"thanks  len 20→20 (±0) · score 1.00→1.00 (±0.00)  identical",
		"A/B no significant difference: support/reply@2 wins 1 of 1 case (2 ties excluded)")
	// Both sides of a changed pair are drawn, word-diffed.
	h.mustSee("Hello Bo, we can refund you.", "Hello Bo, we will look into a refund for you.")

	// Changed only hides the identical pair.
	h.key("c")
	h.mustSee("changed only", "late", "refund")
	h.mustNotSee("identical")
	h.key("c")
	h.mustSee("identical")

	// The prompt diff is one key away.
	h.key("p")
	h.mustSee("diff support/reply v1 → v2", "Be brief and kind.")
	h.key("esc")
	h.mustSee("3 pairs · 2 changed")

	// w swaps the sides.
	h.key("w")
	h.mustSee("A support/reply@2", "B support/reply@1", "late  len 89→52 (-37)")

	// esc goes back to Results.
	h.key("esc")
	if h.m.active != screenResults {
		t.Fatalf("esc from Compare went to %v", h.m.active)
	}
}

// The word diff colours exactly the words one side lacks.
func TestCompareHighlightsWords(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 160, 60)
	h.openResults(fixtureRun)
	h.key("C")
	sty := h.m.sh.styles()
	view := h.m.render()
	if !strings.Contains(view, styled(sty.DiffAdd, "we are so ")) {
		t.Fatalf("B's added words are not in the diff-add style:\n%q", view)
	}
	if !strings.Contains(view, styled(sty.DiffDel, "can ")) {
		t.Fatalf("A's removed words are not in the diff-delete style:\n%q", view)
	}
	// Words both sides share are not marked.
	if strings.Contains(view, styled(sty.DiffAdd, "Hello")) || strings.Contains(view, styled(sty.DiffDel, "Hello")) {
		t.Fatal("a shared word is marked as changed")
	}
}

func TestCompareTargetsAndSanitises(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 60)
	h.openResults(fixtureRun)
	// Choose the sides: @2 on echo against @2 on ollama. The pickers list
	// version × target and start on the current side.
	h.key("C")
	h.key("b")
	h.mustSee("Compare: choose side B", "support/reply@2 · ollama:llama3.2")
	h.key("j", "enter") // B: @2 · echo → @2 · ollama
	h.key("a")
	h.key("j", "j", "enter") // A: @1 · echo → @2 · echo
	h.mustSee("A echo", "B ollama:llama3.2", "of support/reply@2", "error: "+fixtureError)
	if v := h.m.render(); strings.Contains(v, "\x1b]0;") || strings.Contains(v, "pwned\a") {
		t.Fatal("an escape sequence in model output reached the screen")
	}
	// The prompt diff needs two versions.
	h.key("p")
	h.mustSee("both sides run the same version")
}

// A run with more than two versions asks for A and B.
func TestComparePicksWhenMoreThanTwo(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	ctx := context.Background()
	var rvs []prompt.RunVersion
	for n := 1; n <= 3; n++ {
		v, err := st.Resolve(ctx, prompt.Ref{Name: "support/reply", Number: n})
		if err != nil {
			t.Fatal(err)
		}
		rvs = append(rvs, prompt.RunVersion{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number, Hash: v.Hash})
	}
	run := prompt.Run{ID: "rthreevers01", Created: testNow.Add(-time.Hour), Versions: rvs, Targets: []string{"echo"}, Repeat: 1}
	if err := st.CreateRun(ctx, &run); err != nil {
		t.Fatal(err)
	}
	var rs []prompt.Result
	for i, rv := range rvs {
		rs = append(rs, prompt.Result{RunID: run.ID, VersionID: rv.VersionID, Target: "echo", Output: strings.Repeat("word ", i+1)})
	}
	if err := st.SaveResults(ctx, rs); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	h.send(compareOpenMsg{runID: run.ID, back: screenHistory})
	h.mustSee("Compare: choose side A", "support/reply@3 · echo")
	h.key("G", "enter") // A = @3
	h.mustSee("Compare: choose side B")
	h.key("g", "enter") // B = @1 (the cursor starts on the current B)
	h.mustSee("A support/reply@3", "B support/reply@1", "len 15→5 (-10)")
	// Choosing the same side for both is refused.
	h.key("b")
	h.key("G", "enter")
	h.mustSee("A and B must differ")
}

func TestCompareOneSideOnly(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	h.send(compareOpenMsg{runID: fixtureOldRun, back: screenHistory})
	h.mustSee("one version on one target: nothing to compare", "or two targets (whet run NAME -m echo,TARGET)")
	// The status bar offers no key that has nothing to act on.
	h.mustSee("esc back")
	h.mustNotSee("c changed only", "x export")
}

func TestAlignSides(t *testing.T) {
	l := [][]string{{"a1", "a2"}, {"b1"}}
	r := [][]string{{"A1"}, {"B1", "B2"}}
	got := alignSides(l, r)
	want := [][2]string{{"a1", "A1"}, {"a2", ""}, {"b1", "B1"}, {"", "B2"}}
	if len(got) != len(want) {
		t.Fatalf("rows = %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("row %d = %q, want %q", i, got[i], want[i])
		}
	}
	// Different line counts run down independently.
	got = alignSides([][]string{{"x"}}, [][]string{{"y"}, {"z"}})
	if len(got) != 2 || got[0] != [2]string{"x", "y"} || got[1] != [2]string{"", "z"} {
		t.Fatalf("unaligned = %q", got)
	}
}

// sideLines keeps every word of an output on its side, in order.
func TestCompareSideLinesKeepText(t *testing.T) {
	st := openStore(t)
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	a := prompt.Result{Output: "one two three four five six seven eight nine ten eleven twelve"}
	b := prompt.Result{Output: "one 2 three four five six seven eight nine ten eleven twelve thirteen"}
	edits := textutil.WordDiff(a.Output, b.Output)
	for _, side := range []struct {
		r    prompt.Result
		isA  bool
		want string
	}{{a, true, a.Output}, {b, false, b.Output}} {
		var words []string
		for _, g := range h.m.compare.sideLines(&side.r, edits, side.isA, 20) {
			for _, l := range g {
				if w := ansi.StringWidth(l); w > 20 {
					t.Fatalf("line %q is %d wide", l, w)
				}
				words = append(words, strings.Fields(ansi.Strip(l))...)
			}
		}
		if got := strings.Join(words, " "); got != side.want {
			t.Fatalf("side text = %q, want %q", got, side.want)
		}
	}
}

// report.CompareRun is report.Compare over the run's sides, with the prompt
// diff.
func TestBuildComparison(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	rr, err := loadRunReport(context.Background(), st, fixtureRun, testNow)
	if err != nil {
		t.Fatal(err)
	}
	a, b, err := report.DefaultSides(rr.Run, rr.Results, "ollama:llama3.2")
	if err != nil {
		t.Fatal(err)
	}
	if a.Target != "ollama:llama3.2" || b.Target != a.Target || a.VersionID == b.VersionID {
		t.Fatalf("default sides %+v %+v", a, b)
	}
	c := report.CompareRun(rr, a, b)
	want := report.Compare(report.SideOf(rr, a.VersionID, a.Target), report.SideOf(rr, b.VersionID, b.Target), rr.Run.Cases,
		prompt.DiffVersions(rr.Versions[a.VersionID], rr.Versions[b.VersionID]), testNow)
	if len(c.Pairs) != 3 || c.Diff == "" || c.Diff != want.Diff || c.A.Label != want.A.Label || len(c.Pairs) != len(want.Pairs) {
		t.Fatalf("comparison %+v", c)
	}
}

// C in Results compares the versions on the target under the cursor.
func TestCompareUsesResultsColumn(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.openResults(fixtureRun)
	h.key("l", "C")
	h.mustSee("A support/reply@1", "B support/reply@2", "on ollama:llama3.2", "error: "+fixtureError)
	h.key("esc", "r", "l", "l", "l", "C") // case rows: the fourth column is @2 · ollama
	h.mustSee("on ollama:llama3.2")
}

// TestCompareTabTakesResultsRun: 7 compares the run the Results screen
// shows, not the latest run of the prompt selected in the Library; a prompt
// without runs says how to make one Compare can use.
func TestCompareTabTakesResultsRun(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 80, 24)
	h.key("7") // the first prompt in the Library has no runs
	h.mustSee("has no runs yet", "two targets in the Arena (4)")

	h = newHarness(t, fixedTimeStore{st}, 80, 24)
	h.openResults(fixtureRun)
	h.key("7")
	if h.m.active != screenCompare || h.m.compare.rr.Run.ID != fixtureRun {
		t.Fatalf("7 from Results shows %v, run %q", h.m.active, h.m.compare.rr.Run.ID)
	}
}

// Compare shown again reads its run again: a rating made since (in
// Results, the Arena or another whet) counts in the scores and the A/B
// statistics, and A, B and the scroll stay as they were.
func TestCompareShownAgainReadsRatingsMadeSince(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	ctx := context.Background()
	h := newHarness(t, fixedTimeStore{st}, 160, 60)
	h.openResults(fixtureRun)
	h.key("C", "w")
	h.mustSee("A support/reply@2", "thanks  len 20→20 (±0) · score 1.00→1.00 (±0.00)  identical")
	rs, err := st.Results(ctx, fixtureRun)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Case == 2 && r.Target == "echo" && r.VersionID == h.m.compare.cmp.A.Results[0].VersionID {
			// A later grade of the case under its suite (a re-grade).
			fail := false
			if err := st.AddScores(ctx, []prompt.Score{{ResultID: r.ID, Scorer: eval.ScorerSuite, Value: 0, Pass: &fail, Author: "ana", Created: testNow}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	h.key("1", "7")
	h.mustSee("A support/reply@2", "B support/reply@1",
		"thanks  len 20→20 (±0) · score 0.00→1.00 (+1.00)  identical",
		"each win 1 of 2 cases (1 tie excluded), p = 1 (2 decided: p < 0.05 needs 6)")
}

// An A/B sentence too long for the screen keeps its p-value: what it leaves
// out in brackets moves after it, where a cut takes it instead.
func TestComparePValueSurvivesANarrowScreen(t *testing.T) {
	s := "classify@2 beats classify@1 on 25 of 36 cases (4 ties excluded; 11 failed calls left out), p = 0.029"
	if got := pValueFirst(s, 200); got != s {
		t.Errorf("a sentence that fits changed: %q", got)
	}
	want := "classify@2 beats classify@1 on 25 of 36 cases, p = 0.029 (4 ties excluded; 11 failed calls left out)"
	got := pValueFirst(s, 76)
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if cut := trunc(got, 76); !strings.Contains(cut, "p = 0.029") {
		t.Errorf("cut at 76 cells: %q", cut)
	}
	if s := "no case has a score for both A and B"; pValueFirst(s, 10) != s {
		t.Error("a sentence with no p-value changed")
	}
}

// Compare opened from Results is shown at once, which asks it to refresh
// while its comparison is still being built (seconds, for outputs of MB):
// it keeps saying "comparing…" and then shows the build under way, rather
// than an empty comparison while a second build replaces the first.
func TestCompareRefreshWaitsForTheBuild(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 40)
	h.openResults(fixtureRun)
	rr := h.m.results.rr
	m, build := h.m.compare.open(compareOpenMsg{rr: &rr, back: screenResults})
	m, refresh := m.Update(compareRefreshMsg{})
	if refresh != nil {
		m, _ = m.Update(refresh())
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, "comparing…") {
		t.Fatalf("a refresh during the build shows:\n%s", v)
	}
	m, _ = m.Update(build())
	if v := ansi.Strip(m.View()); !strings.Contains(v, "3 pairs") {
		t.Fatalf("the build under way is not shown:\n%s", v)
	}
}

// With no scores, the A/B line says so whole at 80 columns, shorter,
// rather than cut mid-word.
func TestCompareNoScoresLineFitsAt80(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	run := rerunOf(t, st, fixtureRun, testNow.Add(-time.Minute))
	ctx := context.Background()
	for n, out := range map[int]string{1: "Hello Ana.", 2: "Hello Ana, sorry."} {
		v, err := st.Resolve(ctx, prompt.Ref{Name: "support/reply", Number: n})
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SaveResults(ctx, []prompt.Result{{RunID: run.ID, VersionID: v.ID, Target: "echo", Output: out, FinishReason: "stop", Started: testNow}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.FinishRun(ctx, run.ID, prompt.RunDone, testNow); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 80, 24)
	h.openResults(run.ID)
	h.key("C")
	h.mustSee("A/B: no scored cases on both sides (a suite's checks score them)")
	assertFits(t, h.screen(), 80, 24)
}

// TestCompareTooFewSaysItWholeWhenNarrow: the note that too few cases were
// decided for the sign test shortens to fit a narrow screen instead of
// being cut mid-word.
func TestCompareTooFewSaysItWholeWhenNarrow(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	for _, c := range []struct {
		w    int
		want string
	}{
		{160, "p = 1 (1 decided: p < 0.05 needs 6)"},
		{110, "p = 1 (1 decided, too few)"},
		{100, "p = 1 (too few)"},
	} {
		h := newHarness(t, fixedTimeStore{st}, c.w, 30)
		h.openResults(fixtureRun)
		h.key("C", "w")
		var line string
		for _, l := range strings.Split(h.screen(), "\n") {
			if strings.HasPrefix(l, "A/B ") {
				line = l
			}
		}
		if !strings.Contains(line, c.want) || strings.Contains(line, "…") {
			t.Errorf("%d columns: A/B line %q, want it to hold %q whole", c.w, line, c.want)
		}
	}
}

// A case with no name is named in Compare as in the Results detail: "case
// N", with what it is about (its description, variables and expected
// output) under it, which tells the pairs of unnamed cases apart.
func TestCompareNamesCasesAsResultsDoes(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	ctx := context.Background()
	v, err := st.Resolve(ctx, prompt.Ref{Name: "support/reply", Number: 2})
	if err != nil {
		t.Fatal(err)
	}
	cases := []prompt.Case{
		{Description: "a late parcel", Vars: map[string]string{"customer": "Ana", "ticket": "Late."}, Expected: "sorry"},
		{Vars: map[string]string{"customer": "Bo", "ticket": "Refund?"}},
	}
	run := prompt.Run{ID: "runnamed0001", Created: testNow.Add(-time.Hour), Repeat: 1, Cases: cases,
		Versions: []prompt.RunVersion{{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number, Hash: v.Hash}},
		Targets:  []string{"echo", "ollama:llama3.2"}}
	if err := st.CreateRun(ctx, &run); err != nil {
		t.Fatal(err)
	}
	var rs []prompt.Result
	for _, tg := range run.Targets {
		for ci := range cases {
			rs = append(rs, prompt.Result{RunID: run.ID, VersionID: v.ID, Target: tg, Case: ci, Output: "answer " + itoa(ci) + " from " + tg})
		}
	}
	if err := st.SaveResults(ctx, rs); err != nil {
		t.Fatal(err)
	}
	want := []string{"case 1", "description a late parcel", "vars customer=Ana · ticket=Late.", "expected sorry",
		"case 2", "vars customer=Bo · ticket=Refund?"}
	h := newHarness(t, fixedTimeStore{st}, 120, 40)
	h.openResults(run.ID)
	h.key("r", "enter") // case rows; the first cell's results
	h.mustSee(want[:4]...)
	h.key("esc")
	h.key("C")
	if h.m.active != screenCompare {
		t.Fatalf("C showed %v", h.m.active)
	}
	h.mustSee(want...)
}
