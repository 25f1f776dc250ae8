package ui

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"whet/eval"
	"whet/prompt"
	"whet/report"
	"whet/store"
)

// The fixture runs: support/reply v1 and v2 on two targets over three
// cases, scored, and an older run of v1 alone.
const (
	fixtureRun    = "rfixture0002"
	fixtureOldRun = "rfixture0001"
)

// fixtureOutputs are the outputs by version number, target and case.
var fixtureOutputs = map[int]map[string][]string{
	1: {
		"echo": {
			"Hello Ana, sorry your order is late. It ships today.",
			"Hello Bo, we can refund you.",
			"You are welcome, Cy!",
		},
		"ollama:llama3.2": {
			"Hello Ana, sorry your order is late. It ships today. Regards.",
			"Hello Bo, we can refund you. Regards.",
			"You are welcome, Cy! Regards.",
		},
	},
	2: {
		"echo": {
			"Hello Ana, we are so sorry your order is late. It ships today with free express delivery.",
			"Hello Bo, we will look into a refund for you.",
			"You are welcome, Cy!",
		},
		"ollama:llama3.2": {
			"Hello Ana, we are so sorry your order is late.\nIt ships today.",
			"Hello Bo,\x1b]0;pwned\a we will look into it.",
			"", // an error: see fixtureError
		},
	},
}

const fixtureError = "ollama: connection refused"

// seedRuns fills st with the library of seed and the two fixture runs.
func seedRuns(t testing.TB, st *store.Store) {
	t.Helper()
	seed(t, st)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ver := func(n int) prompt.RunVersion {
		v, err := st.Resolve(ctx, prompt.Ref{Name: "support/reply", Number: n})
		must(err)
		return prompt.RunVersion{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number, Hash: v.Hash}
	}
	cases := []prompt.Case{
		{Name: "late", Vars: map[string]string{"customer": "Ana", "ticket": "My order is late."}, Expected: "sorry"},
		{Name: "refund", Vars: map[string]string{"customer": "Bo", "ticket": "I want a refund."}},
		{Name: "thanks", Vars: map[string]string{"customer": "Cy", "ticket": "Thanks!"}},
	}
	addRun := func(id string, created time.Time, versions []prompt.RunVersion, targets []string) {
		run := prompt.Run{ID: id, Created: created, Source: "cli", Versions: versions, Targets: targets, Cases: cases, Repeat: 1, Author: "tester"}
		must(st.CreateRun(ctx, &run))
		var rs []prompt.Result
		for _, v := range versions {
			for _, tg := range targets {
				for ci := range cases {
					out := fixtureOutputs[v.Number][tg][ci]
					r := prompt.Result{RunID: id, VersionID: v.VersionID, Target: tg, Case: ci,
						Output: out, FinishReason: "stop", Latency: time.Duration(800+100*ci) * time.Millisecond,
						TTFT: 200 * time.Millisecond, TokensIn: 40, TokensOut: 20 + len(out)/5, Model: tg, Started: created}
					if out == "" {
						r.Error, r.FinishReason, r.TokensOut = fixtureError, "error", 0
					}
					rs = append(rs, r)
				}
			}
		}
		must(st.SaveResults(ctx, rs))
		var scores []prompt.Score
		for _, r := range rs {
			pass := r.OK() && !strings.Contains(r.Output, "can refund")
			value, reason := 0.0, "promises a refund"
			if pass {
				value, reason = 1, "1/1 checks passed"
			}
			if !r.OK() {
				reason = "the call failed"
			}
			p := pass
			scores = append(scores, prompt.Score{ResultID: r.ID, Scorer: eval.ScorerSuite, Value: value, Pass: &p, Reason: reason, Author: "tester", Created: created})
			if r.OK() {
				scores = append(scores, prompt.Score{ResultID: r.ID, Scorer: "check:not-icontains", Value: value, Pass: &p,
					Reason: map[bool]string{true: `output does not contain "can refund"`, false: `output contains "can refund"`}[pass], Author: "tester", Created: created})
			}
		}
		must(st.AddScores(ctx, scores))
		must(st.FinishRun(ctx, id, prompt.RunDone, created.Add(time.Minute)))
	}
	addRun(fixtureOldRun, testNow.Add(-50*time.Hour), []prompt.RunVersion{ver(1)}, []string{"echo"})
	addRun(fixtureRun, testNow.Add(-2*time.Hour), []prompt.RunVersion{ver(1), ver(2)}, []string{"echo", "ollama:llama3.2"})
}

// openResults shows a run on the Results screen.
func (h *harness) openResults(runID string) {
	h.t.Helper()
	h.send(resultsOpenMsg{runID: runID})
}

// wilsonText is how the matrix prints k of n passing.
func wilsonText(k, n int) string {
	lo, hi := report.Wilson(k, n, report.Z95)
	return pctText(float64(k)/float64(n)) + " [" + strings.TrimSuffix(pctText(lo), "%") + "–" + pctText(hi) + "] n=" + itoa(n)
}

func TestResultsMatrixFromLibrary(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.mustSee("support/reply")
	h.key("G", "s") // support/reply is last; s opens its latest run
	if h.m.active != screenResults {
		t.Fatalf("active screen = %v, want Results", h.m.active)
	}
	h.mustSee("Results", "run "+fixtureRun, "@1,@2 on echo, ollama:llama3.2", "3 cases", "12/12 cells", "1 error",
		"echo", "ollama:llama3.2", "@1", "@2",
		wilsonText(2, 3), wilsonText(3, 3), "% pass rate [95% CI over cases]")
	// Rows are versions: @1 on ollama passes 2 of 3, @2 passes 2 of 3 (the
	// error fails).
	lines := strings.Split(h.screen(), "\n")
	row := func(label string) string {
		for _, l := range lines {
			if strings.HasPrefix(strings.TrimLeft(l, " ▌"), label+" ") {
				return l
			}
		}
		t.Fatalf("no row %q in\n%s", label, h.screen())
		return ""
	}
	if r := row("@1"); strings.Count(r, wilsonText(2, 3)) != 2 {
		t.Fatalf("@1 row: %q", r)
	}
	if r := row("@2"); !strings.Contains(r, wilsonText(3, 3)) || !strings.Contains(r, wilsonText(2, 3)) {
		t.Fatalf("@2 row: %q", r)
	}
}

func TestResultsRowsSortFilter(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 140, 40)
	h.openResults(fixtureRun)
	h.key("r") // rows: cases; columns: version × target
	h.mustSee("rows: cases", "late", "refund", "thanks", "@1 · echo", "@2 · ollama:llama3.2")
	labels := func() string {
		var out []string
		for _, r := range h.m.results.vis {
			out = append(out, h.m.results.rows[r].label)
		}
		return strings.Join(out, ",")
	}
	if got := labels(); got != "late,refund,thanks" {
		t.Fatalf("case rows = %s", got)
	}
	// Sort by the first column (@1 on echo), worst first: refund fails.
	h.key("s", "s")
	h.mustSee("sort: column, worst first")
	if got := labels(); !strings.HasPrefix(got, "refund,") {
		t.Fatalf("worst first = %s", got)
	}
	h.key("s")
	if got := labels(); got != "late,refund,thanks" {
		t.Fatalf("run order again = %s", got)
	}
	// Filter the rows.
	h.key("/")
	h.typ("than")
	h.key("enter")
	if got := labels(); got != "thanks" {
		t.Fatalf("filtered = %s", got)
	}
	h.mustSee("1 of 3 rows")
	h.key("esc")
	if got := labels(); got != "late,refund,thanks" {
		t.Fatalf("after esc = %s", got)
	}
}

func TestResultsDrillShowsEveryResult(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 40)
	h.openResults(fixtureRun)
	// @2 on ollama: the error, the escape sequence, the scores.
	h.key("j", "l", "enter")
	h.mustSee("support/reply@2 × ollama:llama3.2 · 3 results",
		"late", "refund", "thanks", "✓ pass", "✗ error", fixtureError,
		"Hello Bo, we will look into it.",
		"suite 1.00 pass", "1/1 checks passed", "check:not-icontains", `output does not contain "can refund"`,
		"vars customer=Ana · ticket=My order is late.", "expected sorry", "1.0s")
	if v := h.m.render(); strings.Contains(v, "pwned\a") || strings.Contains(v, "\x1b]0;") {
		t.Fatal("an escape sequence in model output reached the screen")
	}
	h.key("esc")
	h.mustSee("rows: versions")
	h.mustNotSee("3 results")
}

func TestResultsUnscoredShowErrorRate(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	ctx := context.Background()
	run, v := classifyRun(t, st, prompt.Run{ID: "rnoscores001",
		Targets: []string{"echo"}, Cases: []prompt.Case{{Vars: map[string]string{"text": "a"}}, {Vars: map[string]string{"text": "b"}}}, Repeat: 2})
	var rs []prompt.Result
	for c := 0; c < 2; c++ {
		for r := 0; r < 2; r++ {
			res := prompt.Result{RunID: run.ID, VersionID: v.ID, Target: "echo", Case: c, Repeat: r, Output: "billing"}
			if c == 1 && r == 1 {
				res.Output, res.Error = "", "timeout"
			}
			rs = append(rs, res)
		}
	}
	if err := st.SaveResults(ctx, rs); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	h.openResults(run.ID)
	h.mustSee("err 25% n=4", "err error rate (unscored)")
	h.key("r")
	h.mustSee("case 1", "case 2", "err 0% n=2", "err 50% n=2")
	h.key("j", "enter")
	h.mustSee("case 2 #1", "case 2 #2", "timeout")
}

func TestResultsEmptyAndNoRuns(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	h.key("6") // Results with the first prompt selected: it has no runs
	h.mustSee("has no runs yet")
	h.mustNotSee("enter detail")
	h.key("x")
	h.mustSee("no run open")
}

// esc on Results that could not show a prompt's latest run (it has none
// yet) goes back to that prompt's runs, not to every run.
func TestResultsEscAfterNoRunsShowsThatPromptsRuns(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	h.key("s") // classify/intent, selected first, has no runs
	h.mustSee("classify/intent has no runs yet")
	h.key("esc")
	if h.m.active != screenHistory || h.m.history.prompt != "classify/intent" {
		t.Fatalf("esc showed %v with the runs of %q; want the runs of classify/intent", h.m.active, h.m.history.prompt)
	}
	h.mustSee("classify/intent has no runs yet")
}

// Results and Compare that could show nothing for one prompt (no runs
// yet) try again for the prompt selected when shown again, rather than
// keeping the old prompt's message.
func TestResultsAndCompareFollowTheLibraryAfterNoRuns(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	h.key("6")
	h.mustSee("classify/intent has no runs yet")
	h.key("7")
	h.mustSee("classify/intent has no runs yet")
	h.key("1", "G") // support/reply has runs
	h.key("6")
	h.mustSee("Results · support/reply · run " + fixtureRun)
	h.key("1", "7")
	h.mustSee("Compare", "A support/reply@1", "B support/reply@2", "run "+fixtureRun)
}

// humanScores reads the run's human scores of result id, oldest first.
func humanScores(t *testing.T, st *store.Store, runID string, id int64) []prompt.Score {
	t.Helper()
	all, err := st.Scores(context.Background(), runID)
	if err != nil {
		t.Fatal(err)
	}
	var out []prompt.Score
	for _, s := range all {
		if s.ResultID == id && s.Scorer == "human" {
			out = append(out, s)
		}
	}
	return out
}

func TestResultsDrillRatesResults(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 40)
	h.openResults(fixtureRun)
	h.key("j", "l", "enter") // @2 on ollama: late, refund, thanks (an error)
	h.mustSee("3 results")
	ids := append([]int64(nil), h.m.results.drillIDs...)
	if len(ids) != 3 || ids[0] == 0 {
		t.Fatalf("drill ids = %v", ids)
	}

	// A note before any rating is refused.
	h.key("m")
	h.mustSee("rate it first (v then 1–5, p or f)")
	if got := humanScores(t, st, fixtureRun, ids[0]); len(got) != 0 {
		t.Fatalf("a note alone saved %v", got)
	}

	// A digit alone switches screens, as everywhere; nothing is rated.
	h.key("4")
	if h.m.active != screenArena {
		t.Fatalf("4 went to %v, want the Arena", h.m.active)
	}
	if got := humanScores(t, st, fixtureRun, ids[0]); len(got) != 0 {
		t.Fatalf("a digit without v saved %v", got)
	}
	h.key("6")
	// v then a key other than 1–5 rates nothing.
	h.key("v", "x")
	h.mustSee("not rated: after v, press 1–5")
	if got := humanScores(t, st, fixtureRun, ids[0]); len(got) != 0 {
		t.Fatalf("v x saved %v", got)
	}
	// v 4 rates the first result, and does not switch to the Arena.
	h.key("v", "4")
	if h.m.active != screenResults {
		t.Fatalf("v 4 switched to %v", h.m.active)
	}
	got := humanScores(t, st, fixtureRun, ids[0])
	if len(got) != 1 || got[0].Value != 0.75 || got[0].Pass != nil || got[0].Author != "tester" {
		t.Fatalf("after 4: %+v", got)
	}
	h.mustSee("rated result "+itoa(int(ids[0]))+": 4/5", "human 0.75 (4/5) by tester")

	// m opens a note, saved as the reason with the same rating.
	h.key("m")
	h.mustSee("Why 4/5?")
	h.typ("too long")
	h.key("enter")
	got = humanScores(t, st, fixtureRun, ids[0])
	if len(got) != 2 || got[1].Value != 0.75 || got[1].Reason != "too long" || got[1].Author != "tester" {
		t.Fatalf("after the note: %+v", got)
	}
	h.mustSee("human 0.75 (4/5) by tester · overrides suite — too long")

	// n selects the next result; f fails it, p passes it.
	h.key("n", "f")
	got = humanScores(t, st, fixtureRun, ids[1])
	if len(got) != 1 || got[0].Value != 0 || got[0].Pass == nil || *got[0].Pass {
		t.Fatalf("after f: %+v", got)
	}
	h.mustSee("rated result "+itoa(int(ids[1]))+": fail", "human 0.00 fail by tester")
	h.key("p")
	got = humanScores(t, st, fixtureRun, ids[1])
	if len(got) != 2 || got[1].Value != 1 || got[1].Pass == nil || !*got[1].Pass {
		t.Fatalf("after p: %+v", got)
	}
	h.mustSee("human 1.00 pass by tester")
	h.mustNotSee("human 0.00 fail")
	// The first result kept its rating and note.
	if got := humanScores(t, st, fixtureRun, ids[0]); len(got) != 2 {
		t.Fatalf("first result now has %+v", got)
	}

	// Outside the detail, digits switch screens again.
	h.key("esc", "1")
	if h.m.active == screenResults {
		t.Fatal("1 outside the detail did not switch screens")
	}
}

// With no run open, Results says where to find one in full at 80
// columns: the hint wraps rather than being cut.
func TestResultsEmptyHintWrapsAt80Columns(t *testing.T) {
	st := openStore(t)
	h := newHarness(t, fixedTimeStore{st}, 80, 24)
	h.key("6")
	h.mustSee("No run open.", "press s on a prompt in the", "Library.")
	// A load error wraps too.
	h.send(tea.WindowSizeMsg{Width: 60, Height: 20})
	h.m.results.err = "could not read run r1: database is locked (another whet process is writing; try again)"
	h.mustSee("could not read run r1", "try again)")
}

// A figure's n is the results it is over: those with a verdict for a pass
// rate, those scored for a mean score, not every result of the cell.
func TestResultsNCountsGradedResults(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	ctx := context.Background()
	run, v := classifyRun(t, st, prompt.Run{ID: "rhumanonly01",
		Targets: []string{"echo", "ollama:llama3.2"}, Cases: []prompt.Case{{Vars: map[string]string{"text": "a"}}, {Vars: map[string]string{"text": "b"}}}, Repeat: 3})
	var rs []prompt.Result
	for _, tg := range run.Targets {
		for c := 0; c < 2; c++ {
			for r := 0; r < 3; r++ {
				rs = append(rs, prompt.Result{RunID: run.ID, VersionID: v.ID, Target: tg, Case: c, Repeat: r, Output: "billing"})
			}
		}
	}
	if err := st.SaveResults(ctx, rs); err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	// echo: two of its six results rated pass/fail (one passes); llama:
	// three of its six rated 1–5, no verdict.
	scores := []prompt.Score{
		{ResultID: rs[0].ID, Scorer: "human", Value: 1, Pass: &yes, Created: testNow},
		{ResultID: rs[1].ID, Scorer: "human", Value: 0, Pass: &no, Created: testNow},
		{ResultID: rs[6].ID, Scorer: "human", Value: 1, Created: testNow},
		{ResultID: rs[7].ID, Scorer: "human", Value: 0.5, Created: testNow},
		{ResultID: rs[8].ID, Scorer: "human", Value: 0.75, Created: testNow},
	}
	if err := st.AddScores(ctx, scores); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	h.openResults(run.ID)
	h.mustSee(wilsonText(1, 2), "0.75 [0.00–1.00] n=3") // three ratings of one case
	h.mustNotSee("n=6")
}

// A call that cost something never reads as free.
func TestUSDTextNeverShowsACostAsZero(t *testing.T) {
	for c, want := range map[float64]string{0: "$0", 0.000017: "<$0.0001", 0.00123: "$0.0012", 1.5: "$1.5000"} {
		if got := usdText(c); got != want {
			t.Errorf("usdText(%v) = %q, want %q", c, got, want)
		}
	}
}

// TestResultsLegendWithoutColours: the key of the cells' colours is left
// out when there are no colours to explain.
func TestResultsLegendWithoutColours(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	for _, mono := range []bool{false, true} {
		h := newHarness(t, fixedTimeStore{st}, 120, 30, func(d *Deps) { d.NoColor = mono })
		h.key("G", "s")
		h.mustSee("% pass rate [95% CI over cases]")
		if got := strings.Contains(h.screen(), "≥0.8 ≥0.5 <0.5"); got == mono {
			t.Errorf("no colours %v: colour key shown %v", mono, got)
		}
	}
}

// With repeats, a cell shows the pass rate's interval over cases, the one
// `whet runs show` and the JSON report give: 5 cases × 3 identical
// repeats, 3 cases passing, is the interval of 3 of 5, not of 9 of 15.
func TestResultsIntervalOverCasesAsTheReport(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	ctx := context.Background()
	run, v := classifyRun(t, st, prompt.Run{ID: "rrepeats0001",
		Targets: []string{"echo"}, Cases: make([]prompt.Case, 5), Repeat: 3})
	var rs []prompt.Result
	for c := range 5 {
		for r := range 3 {
			rs = append(rs, prompt.Result{RunID: run.ID, VersionID: v.ID, Target: "echo", Case: c, Repeat: r, Output: "billing"})
		}
	}
	if err := st.SaveResults(ctx, rs); err != nil {
		t.Fatal(err)
	}
	var scores []prompt.Score
	for i, r := range rs {
		pass := r.Case < 3
		scores = append(scores, prompt.Score{ResultID: r.ID, Scorer: report.ScorerSuite, Value: map[bool]float64{true: 1}[pass], Pass: &pass, Created: testNow.Add(time.Duration(i))})
	}
	if err := st.AddScores(ctx, scores); err != nil {
		t.Fatal(err)
	}
	lo, hi := report.Wilson(3, 5, report.Z95)
	cell := pctText(0.6) + " [" + strings.TrimSuffix(pctText(lo), "%") + "–" + pctText(hi) + "] n=15"
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	h.openResults(run.ID)
	h.mustSee(cell, "% pass rate [95% CI over cases]")

	rr, err := loadRunReport(ctx, st, run.ID, testNow)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := report.JSON(&b, rr); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Summary []struct {
			Lo *float64 `json:"pass_rate_lo"`
			Hi *float64 `json:"pass_rate_hi"`
		} `json:"summary"`
	}
	if err := json.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Summary) != 1 || doc.Summary[0].Lo == nil || doc.Summary[0].Hi == nil ||
		math.Abs(*doc.Summary[0].Lo-lo) > 1e-6 || math.Abs(*doc.Summary[0].Hi-hi) > 1e-6 {
		t.Errorf("the JSON report's interval is not the screen's [%v, %v]:\n%s", lo, hi, b.String())
	}
}

// Results shown again reads its run again: a rating made since (in the
// Arena, which rates the same run's results, or another whet) shows, and
// the rows, the cursor and an open detail stay.
func TestResultsShownAgainReadsRatingsMadeSince(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	ctx := context.Background()
	h := newHarness(t, fixedTimeStore{st}, 120, 40)
	h.openResults(fixtureOldRun)
	h.key("r", "j", "enter")
	h.mustSee("refund")
	h.mustNotSee("human")
	rs, err := st.Results(ctx, fixtureOldRun)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Case == 1 {
			if err := st.AddScores(ctx, []prompt.Score{{ResultID: r.ID, Scorer: humanScorer, Value: 0.75, Author: "ana", Created: testNow}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	h.key("1", "6")
	if !h.m.results.drill || h.m.results.row != 1 {
		t.Fatalf("after 1, 6: detail %v, row %d", h.m.results.drill, h.m.results.row)
	}
	h.mustSee("human 0.75 (4/5) by ana")
}

// classifyRun creates run of the seed's classify/intent@1 (its Versions
// set, created an hour before testNow) and returns it with the version.
func classifyRun(t *testing.T, st interface {
	Store
	CreateRun(context.Context, *prompt.Run) error
}, run prompt.Run) (prompt.Run, prompt.Version) {
	t.Helper()
	v, err := st.Resolve(context.Background(), prompt.Ref{Name: "classify/intent"})
	if err != nil {
		t.Fatal(err)
	}
	run.Created = testNow.Add(-time.Hour)
	run.Versions = []prompt.RunVersion{{VersionID: v.ID, Prompt: v.Prompt, Number: 1, Hash: v.Hash}}
	if err := st.CreateRun(context.Background(), &run); err != nil {
		t.Fatal(err)
	}
	return run, v
}

// seedSuiteRun saves a graded suite run of classify/intent on echo and
// ollama:llama3.2, 2 cases × 2 repeats; on echo the second repeat of each
// case is a failed call, graded 0 and a fail as a suite grades it.
func seedSuiteRun(t *testing.T, st interface {
	Store
	CreateRun(context.Context, *prompt.Run) error
}) (prompt.Run, []prompt.Result) {
	t.Helper()
	ctx := context.Background()
	run, v := classifyRun(t, st, prompt.Run{ID: "rfailedcalls", Suite: "s",
		Targets: []string{"echo", "ollama:llama3.2"}, Cases: []prompt.Case{{Vars: map[string]string{"text": "a"}}, {Vars: map[string]string{"text": "b"}}}, Repeat: 2})
	var rs []prompt.Result
	for _, tg := range run.Targets {
		for c := range 2 {
			for r := range 2 {
				res := prompt.Result{RunID: run.ID, VersionID: v.ID, Target: tg, Case: c, Repeat: r, Output: "billing"}
				if tg == "echo" && r == 1 {
					res.Output, res.Error, res.FinishReason = "", "HTTP 500", "error"
				}
				rs = append(rs, res)
			}
		}
	}
	if err := st.SaveResults(ctx, rs); err != nil {
		t.Fatal(err)
	}
	var scores []prompt.Score
	for _, r := range rs {
		pass := r.OK()
		scores = append(scores, prompt.Score{ResultID: r.ID, Scorer: eval.ScorerSuite, Value: map[bool]float64{true: 1}[pass], Pass: &pass, Created: testNow})
	}
	if err := st.AddScores(ctx, scores); err != nil {
		t.Fatal(err)
	}
	return run, rs
}

// A cell whose pass rate counts failed calls as fails says how many (✗2),
// and the legend says what ✗ is, at 80 columns with the colours' key.
func TestResultsCellSaysFailedCallsCounted(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	run, _ := seedSuiteRun(t, st)
	h := newHarness(t, fixedTimeStore{st}, 80, 24)
	h.openResults(run.ID)
	h.mustSee("n=4 ✗2", "n results · ✗ failed calls · ≥0.8 ≥0.5 <0.5")
	if strings.Count(h.screen(), "✗") != 2 {
		t.Errorf("the target without failed calls is marked:\n%s", h.screen())
	}
}

// A person's fail on a result the suite passed counts in the cell's pass
// rate, and the detail shows the rating first, saying it overrides the
// suite's grade.
func TestResultsRatingOverridesSuiteGrade(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	run, _ := seedSuiteRun(t, st)
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	h.openResults(run.ID)
	h.mustSee("100% [34–100%] n=4") // ollama: every cell passed
	h.key("l", "enter", "f")
	h.mustSee("human 0.00 fail by tester · overrides suite", "✗ fail")
	scr := h.screen()
	if strings.Index(scr, "human 0.00") > strings.Index(scr, "suite 1.00 pass") {
		t.Errorf("the rating is not shown first:\n%s", scr)
	}
	h.key("esc")
	h.mustSee("75% [")
	h.mustNotSee("100% [34–100%]")
}

// A case imported from promptfoo has a description and no name: the
// Results detail says what it is about beside its number.
func TestResultsDrillShowsCaseDescription(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	ctx := context.Background()
	run, v := classifyRun(t, st, prompt.Run{ID: "rdescribed01",
		Targets: []string{"echo"}, Repeat: 1, Cases: []prompt.Case{
			{Description: "refund\x1b[31m asked twice", Vars: map[string]string{"text": "a"}},
			{Vars: map[string]string{"text": "b"}},
		}})
	if err := st.SaveResults(ctx, []prompt.Result{
		{RunID: run.ID, VersionID: v.ID, Target: "echo", Case: 0, Output: "billing"},
		{RunID: run.ID, VersionID: v.ID, Target: "echo", Case: 1, Output: "other"},
	}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	h.openResults(run.ID)
	h.key("enter")
	h.mustSee("case 1", "description refund asked twice", "case 2")
	if n := strings.Count(h.m.render(), "description "); n != 1 {
		t.Fatalf("%d description lines, want 1 (case 2 has none)", n)
	}
	if strings.Contains(h.m.render(), "\x1b[31m asked") {
		t.Fatal("an escape sequence in a case's description reached the screen")
	}
}

// enter on a cell an interrupted run never reached says so, and how to
// run it, rather than doing nothing.
func TestResultsEmptyCellSaysWhy(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	ctx := context.Background()
	run, v := classifyRun(t, st, prompt.Run{ID: "rinterrupt01",
		Targets: []string{"echo", "ollama:llama3.2"}, Repeat: 1, Cases: []prompt.Case{{Vars: map[string]string{"text": "a"}}}})
	if err := st.SaveResults(ctx, []prompt.Result{{RunID: run.ID, VersionID: v.ID, Target: "echo", Output: "billing"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishRun(ctx, run.ID, prompt.RunInterrupted, testNow.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.openResults(run.ID)
	h.key("l", "enter")
	h.mustSee("not run yet: run rinterrupt01 was interrupted (whet run --resume rinterrupt01)")
	h.mustNotSee("0 results")
	h.key("h", "enter")
	h.mustSee("classify/intent@1 × echo · 1 result")
}

// At 80 columns a legend with pass rates, unscored error rates, failed
// calls and the colours' key runs on to a second line instead of being
// cut, and the grid gives up a row for it.
func TestResultsLegendWrapsAt80Columns(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	ctx := context.Background()
	run, v := classifyRun(t, st, prompt.Run{ID: "rlegend", Suite: "s",
		Targets: []string{"echo", "ollama:llama3.2"}, Cases: []prompt.Case{{Vars: map[string]string{"text": "a"}}}, Repeat: 2})
	var rs []prompt.Result
	for _, tg := range run.Targets {
		for r := range 2 {
			res := prompt.Result{RunID: run.ID, VersionID: v.ID, Target: tg, Repeat: r, Output: "billing"}
			if r == 1 {
				res.Output, res.Error, res.FinishReason = "", "HTTP 500", "error"
			}
			rs = append(rs, res)
		}
	}
	if err := st.SaveResults(ctx, rs); err != nil {
		t.Fatal(err)
	}
	// Only echo is graded: ollama's cell shows its error rate.
	var scores []prompt.Score
	for _, r := range rs[:2] {
		pass := r.OK()
		scores = append(scores, prompt.Score{ResultID: r.ID, Scorer: eval.ScorerSuite, Value: map[bool]float64{true: 1}[pass], Pass: &pass, Created: testNow})
	}
	if err := st.AddScores(ctx, scores); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 80, 24)
	h.openResults(run.ID)
	scr := h.screen()
	h.mustSee("% pass rate [95% CI over cases]", "err error rate (unscored)", "✗ failed calls", "≥0.8 ≥0.5 <0.5")
	// The figures come before the targets, which are what a narrow screen cuts.
	h.mustSee("4/4 cells · 2 errors · 1 case × 2 repeats")
	if l := lineWith(scr, "✗ failed calls"); strings.Contains(l, "…") || strings.Contains(lineWith(scr, "% pass rate"), "…") {
		t.Errorf("the legend is cut:\n%s", scr)
	}
	if got := h.m.results.matrixRows(); got != 24-3-resultsTop-2 {
		t.Errorf("matrix rows %d with a two-line legend in %d lines", got, h.m.results.h)
	}
}

// An output of white space alone is said to be so in the detail, not
// drawn as blank lines that read as nothing shown.
func TestResultsDrillSaysWhiteSpaceOnly(t *testing.T) {
	st, v := seededReply(t)
	ctx := context.Background()
	run := prompt.Run{ID: "blank0000001", Created: testNow.Add(-time.Hour), Source: "cli", Targets: []string{"echo"}, Repeat: 1, Author: "tester",
		Versions: []prompt.RunVersion{{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number, Hash: v.Hash}}}
	if err := st.CreateRun(ctx, &run); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveResults(ctx, []prompt.Result{{RunID: run.ID, VersionID: v.ID, Target: "echo", Output: "   \n\t\n   \n", FinishReason: "stop", Started: run.Created}}); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishRun(ctx, run.ID, prompt.RunDone, run.Created.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	h.openResults(run.ID)
	h.key("enter")
	h.mustSee("(white space only: 10 characters)")
}

// An answer cut short says so at the head of its detail, before the
// figures, so that 80 columns never cut it off.
func TestResultsDrillSaysCutShortFirst(t *testing.T) {
	st, v := seededReply(t)
	ctx := context.Background()
	run := prompt.Run{ID: "short0000001", Created: testNow.Add(-time.Hour), Source: "cli", Targets: []string{"openai:gpt-4o-mini"}, Repeat: 1, Author: "tester",
		Versions: []prompt.RunVersion{{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number, Hash: v.Hash}}}
	if err := st.CreateRun(ctx, &run); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveResults(ctx, []prompt.Result{{RunID: run.ID, VersionID: v.ID, Target: "openai:gpt-4o-mini", Output: "The answer goes on and", FinishReason: "length",
		Latency: 1234 * time.Millisecond, TTFT: 321 * time.Millisecond, TokensIn: 1200, TokensOut: 4096, Cost: 0.0123, Started: run.Created}}); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishRun(ctx, run.ID, prompt.RunDone, run.Created.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 80, 24)
	h.openResults(run.ID)
	h.key("enter")
	l := lineWith(h.screen(), "length")
	if l == "" || strings.Index(l, "length") > strings.Index(l, "1200→4096") {
		t.Errorf("the finish reason is not before the figures:\n%s", h.screen())
	}
}

// A cell an interrupted run reached for some cases only names the cases
// it has no result for, and how to finish the run, above those it has.
func TestResultsPartCellNamesWhatIsMissing(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	ctx := context.Background()
	run, v := classifyRun(t, st, prompt.Run{ID: "rinterrupt02", Targets: []string{"echo"}, Repeat: 1,
		Cases: []prompt.Case{{Name: "refund", Vars: map[string]string{"text": "a"}}, {Name: "parcel", Vars: map[string]string{"text": "b"}}}})
	if err := st.SaveResults(ctx, []prompt.Result{{RunID: run.ID, VersionID: v.ID, Target: "echo", Case: 1, Output: "shipping"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishRun(ctx, run.ID, prompt.RunInterrupted, testNow.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.openResults(run.ID)
	h.key("enter")
	h.mustSee("classify/intent@1 × echo · 1 result", "not run yet: 1 of 2 results (refund); the run was interrupted: whet run --resume rinterrupt02 finishes it", "parcel")
	if n, names := notRun(run, -1, []prompt.Result{{Case: 1}}); n != 1 || len(names) != 1 || names[0] != "refund" {
		t.Fatalf("notRun = %d %v", n, names)
	}
}

// TestResultsNoteOfSeveralLinesSurvivesItsDialog: a stored note of several
// lines, with a tab and trailing spaces (as `whet rate --note` keeps it),
// shows on one line with ⏎ and is saved as it was when its dialog is
// confirmed unedited; an edit keeps its line breaks.
func TestResultsNoteOfSeveralLinesSurvivesItsDialog(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 40)
	h.openResults(fixtureRun)
	h.key("j", "l", "enter")
	h.mustSee("3 results")
	id := h.m.results.drillIDs[0]
	note := "correct\n\t- but long  "
	if err := st.AddScores(context.Background(), []prompt.Score{{ResultID: id, Scorer: "human", Value: 0.75, Reason: note, Author: "cli"}}); err != nil {
		t.Fatal(err)
	}
	h.key("6") // read the scores again
	h.openResults(fixtureRun)
	h.key("j", "l", "enter")
	h.key("m")
	h.mustSee("› correct⏎⇥- but long")
	h.key("enter")
	got := humanScores(t, st, fixtureRun, id)
	if len(got) != 2 || got[1].Reason != note {
		t.Fatalf("after enter on the unedited note: %+v", got)
	}
	h.key("m", "end")
	h.typ("!")
	h.key("enter")
	got = humanScores(t, st, fixtureRun, id)
	if len(got) != 3 || got[2].Reason != "correct\n\t- but long  !" {
		t.Fatalf("after an edit: %+v", got)
	}
}

// damagedResultsStore reads a run whose results sit on a damaged page.
type damagedResultsStore struct{ fixedTimeStore }

func (damagedResultsStore) Results(context.Context, string) ([]prompt.Result, error) {
	return nil, errors.New("database disk image is malformed (11)")
}

// A run that cannot be read because its database file is damaged says
// which file and what to do, as the command line does, not SQLite's bare
// "database disk image is malformed (11)".
func TestResultsOfADamagedFileSayWhichFile(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, damagedResultsStore{fixedTimeStore{st}}, 120, 30)
	h.openResults(fixtureRun)
	h.mustSee("database " + st.Path() + ": the file is damaged")
	if strings.Contains(h.screen(), "(11)") {
		t.Errorf("the screen quotes SQLite's code:\n%s", h.screen())
	}
}
