package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"whet/eval"
	"whet/prompt"
	"whet/report"
	"whet/store"
)

func TestHistoryListsRunsWithSparkline(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("G", "h") // the runs of support/reply
	if h.m.active != screenHistory {
		t.Fatalf("active = %v, want Runs", h.m.active)
	}
	// The old run passes 2 of 3 (0.67); the new one 9 of 12 (0.75). Both
	// are drawn as the same block on the absolute 0..1 scale.
	want := sparkline([]float64{2.0 / 3, 9.0 / 12})
	h.mustSee("Runs · support/reply · 2 runs", "score "+want, "latest 0.75 · mean score per run, oldest → newest",
		"RUN", "SCORE", fixtureRun, fixtureOldRun, "2h ago", "2d ago", "@1,@2", "echo,ollama:llama3.2", "12/12", "3/3", "0.75", "0.67")
	// Newest first.
	s := h.screen()
	if strings.Index(s, fixtureRun) > strings.Index(s, fixtureOldRun) {
		t.Fatalf("runs are not newest first:\n%s", s)
	}

	// enter opens the run in Results.
	h.key("enter")
	if h.m.active != screenResults || h.m.results.rr.Run.ID != fixtureRun {
		t.Fatalf("enter: active %v, run %q", h.m.active, h.m.results.rr.Run.ID)
	}
	// esc comes back to the same list; C compares the selected run.
	h.key("esc")
	if h.m.active != screenHistory {
		t.Fatalf("esc from Results went to %v", h.m.active)
	}
	h.key("C")
	h.mustSee("A support/reply@1", "B support/reply@2")
	h.key("esc")
	// x exports it.
	h.key("x")
	d := h.topExport()
	if d.src.run == nil || d.src.run.Run.ID != fixtureRun {
		t.Fatalf("export source = %+v", d.src)
	}
	h.key("esc")
	// j, then x: the older run.
	h.key("j", "x")
	if d := h.topExport(); d.src.run.Run.ID != fixtureOldRun {
		t.Fatalf("export of the second row = %s", d.src.run.Run.ID)
	}
	h.key("esc")
}

// filterRecorder records the filters the Runs list asks the store for.
type filterRecorder struct {
	fixedTimeStore
	filters chan store.RunFilter
}

func (s filterRecorder) ListRuns(ctx context.Context, f store.RunFilter) ([]store.RunSummary, error) {
	select {
	case s.filters <- f:
	default:
	}
	return s.Store.ListRuns(ctx, f)
}

// TestHistoryListReadsNoCases: the list reads its runs without their
// cases (store.RunFilter.Brief), first and again, and reads the same as
// the runs' full plans would make it.
func TestHistoryListReadsNoCases(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	rec := filterRecorder{fixedTimeStore{st}, make(chan store.RunFilter, 16)}
	h := newHarness(t, rec, 120, 30)
	h.key("G", "h")
	h.mustSee("Runs · support/reply · 2 runs", "12/12", "3/3")
	h.key("R")
	h.mustSee("Runs · support/reply · 2 runs", "12/12", "3/3")
	n := 0
	for len(rec.filters) > 0 {
		if f := <-rec.filters; f.Prompt == "support/reply" && f.Limit == historyLimit {
			n++
			if !f.Brief {
				t.Errorf("the list read its runs' cases: %+v", f)
			}
		}
	}
	if n < 2 {
		t.Fatalf("%d reads of the list, want 2", n)
	}
	full, err := loadHistoryFull(st)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range h.m.history.rows {
		if r.sum.Run.Cases != nil || r.sum.Cases != len(full[i].Run.Cases) || r.sum.Cells != full[i].Cells {
			t.Errorf("row %d: %d cases (%v), %d cells; the full plan has %d and %d", i, r.sum.Cases, r.sum.Run.Cases, r.sum.Cells, len(full[i].Run.Cases), full[i].Cells)
		}
	}
}

// loadHistoryFull lists support/reply's runs with their cases.
func loadHistoryFull(st *store.Store) ([]store.RunSummary, error) {
	return st.ListRuns(context.Background(), store.RunFilter{Prompt: "support/reply", Limit: historyLimit})
}

// TestHistoryCountsOfLargeRunsReadWhole: a run of a 5,000-case suite
// shows 5000/5000 and its failures whole, at 120 and at 80 columns; the
// names' columns give up the room.
func TestHistoryCountsOfLargeRunsReadWhole(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	for _, w := range []int{120, 80} {
		h := newHarness(t, fixedTimeStore{st}, w, 24)
		h.key("G", "h")
		h.mustSee("Runs · support/reply · 2 runs")
		h.m.history.rows[0].sum.Cells, h.m.history.rows[0].sum.Done = 25000, 12500
		h.m.history.rows[0].sum.Failed = 12345
		h.mustSee("12500/25000 12345 ")
		for _, line := range strings.Split(h.screen(), "\n") {
			if n := lipgloss.Width(line); n > w {
				t.Fatalf("%d columns: a line of %d:\n%s", w, n, h.screen())
			}
		}
	}
}

func TestHistoryAllRunsAndEmpty(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 80, 24)
	h.key("5") // the first prompt's runs: none
	// At 80 columns the hint wraps: the command is whole.
	h.mustSee("has no runs yet", "-m echo. a lists every run.")
	h.key("a")
	h.mustSee("Runs · all prompts · 0 runs", "No runs yet")
	// a toggles back to the prompt.
	h.key("a")
	h.mustSee("has no runs yet")
}

func TestHistoryWithoutScoresUsesSuccessRate(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	rows, err := loadHistory(context.Background(), st, "support/reply", historyLimit)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("rows = %d", len(rows))
	}
	r := rows[0] // the newest: 12 results, 1 error
	if r.n != 12 || r.errors != 1 || r.scored != 12 || r.judged != 12 || r.passed != 9 {
		t.Fatalf("row = %+v", r)
	}
	if got := r.metric(true); got != 0.75 {
		t.Fatalf("mean score = %v", got)
	}
	if got := r.metric(false); got != 11.0/12 {
		t.Fatalf("success rate = %v", got)
	}
	// A run that is not of the prompt counts nothing.
	rows, err = loadHistory(context.Background(), st, "classify/intent", historyLimit)
	if err != nil || len(rows) != 0 {
		t.Fatalf("classify/intent: %v, %d rows", err, len(rows))
	}
}

func TestSparkline(t *testing.T) {
	if got := sparkline([]float64{0, 0.5, 1, -1}); got != "▁▅█·" {
		t.Fatalf("sparkline = %q", got)
	}
}

func TestHistoryDrift(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	ctx := context.Background()
	// A later run of the old run's plan whose model changed under it.
	later := rerunOf(t, st, fixtureOldRun, testNow.Add(-time.Hour))
	before, err := st.Results(ctx, fixtureOldRun)
	if err != nil {
		t.Fatal(err)
	}
	var rs []prompt.Result
	for _, r := range before {
		r.ID, r.RunID, r.Model = 0, later.ID, "echo-2"
		rs = append(rs, r)
	}
	if err := st.SaveResults(ctx, rs); err != nil {
		t.Fatal(err)
	}

	h := newHarness(t, fixedTimeStore{st}, 120, 40)
	h.key("G", "h")
	h.mustSee("3 runs")
	// The re-run (newest) is set against the latest earlier run whose
	// cells correspond: the fixture's run shares support/reply@1 × echo
	// with it, and there the model changed.
	h.key("g", "D")
	h.mustSee("Drift · "+fixtureRun+" → "+later.ID, "1 of 1 version × target pair drifted",
		"⚠ support/reply@1 × echo: drifted", "model echo → echo-2", "same output 3/3")
	// The model line says the model changed; the reasons do not repeat it.
	h.mustNotSee("model changed: echo → echo-2")
	h.key("esc")
	// The fixture's run against the old run: nothing moved.
	h.key("j", "D")
	h.mustSee("Drift · "+fixtureOldRun+" → "+fixtureRun, "0 of 1 version × target pair drifted", "support/reply@1 × echo: steady")
	h.mustNotSee("⚠")
	h.key("esc")
	// The oldest run has nothing before it.
	h.key("G", "D")
	h.mustSee("no earlier run of the same plan")
}

// A re-run of the full plan is set against the last run of that plan, not
// against a one-pair run made in between that shares a pair with it.
func TestHistoryDriftPrefersTheFullPlan(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	one := rerunOf(t, st, fixtureOldRun, testNow.Add(-90*time.Minute)) // support/reply@1 × echo only
	driftOfARerun(t, st, one.ID)
}

// A run in between whose plan has this one's shape (as many cases, the
// same pairs) but other variables is not this plan: drift reads the
// candidates' cases and passes over it for the run whose cases are the
// same.
func TestHistoryDriftReadsTheCandidatesCases(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	ctx := context.Background()
	other, err := st.GetRun(ctx, fixtureRun)
	if err != nil {
		t.Fatal(err)
	}
	other.ID, other.Created = "", testNow.Add(-90*time.Minute)
	for i := range other.Cases {
		other.Cases[i].Vars = map[string]string{"ticket": "another case " + itoa(i)}
	}
	if err := st.CreateRun(ctx, &other); err != nil {
		t.Fatal(err)
	}
	copyResults(t, st, fixtureRun, other.ID)
	h := driftOfARerun(t, st, other.ID)
	// The run of other cases has no earlier run of its plan.
	h.key("esc", "j", "D")
	h.mustSee("no earlier run of the same plan")
}

// driftOfARerun makes a re-run of the fixture's run (its results copied),
// lists support/reply's four runs and presses D on the re-run: it is set
// against the fixture's run, not against the run skipped.
func driftOfARerun(t *testing.T, st *store.Store, skipped string) *harness {
	t.Helper()
	later := rerunOf(t, st, fixtureRun, testNow.Add(-time.Hour))
	copyResults(t, st, fixtureRun, later.ID)
	h := newHarness(t, fixedTimeStore{st}, 120, 40)
	h.key("G", "h")
	h.mustSee("4 runs")
	h.key("g", "D")
	h.mustSee("Drift · "+fixtureRun+" → "+later.ID, "0 of 4 version × target pairs drifted")
	h.mustNotSee(skipped + " →")
	return h
}

// A run cancelled before any cell finished (an Arena run stopped with
// esc) has nothing to set a re-run against: drift skips it for the run
// of the same plan before it.
func TestHistoryDriftSkipsARunWithNoResults(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	empty := rerunOf(t, st, fixtureRun, testNow.Add(-90*time.Minute))
	h := driftOfARerun(t, st, empty.ID)
	// D on the empty run itself says why there is nothing to show.
	h.key("esc", "j", "D")
	want := "nothing finished to compare: whet run --resume " + empty.ID + " finishes the run"
	if got := h.notice(); got != want || ansi.StringWidth(got) > 78 {
		t.Fatalf("D on a run with no finished cell: %q", got)
	}
	h.mustNotSee("Drift ·")
}

// A newest run with no score (an Arena run nobody rated yet) does not
// take the score of the run before as "latest".
func TestHistorySparklineSaysLastScored(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	rerunOf(t, st, fixtureRun, testNow.Add(-time.Hour))
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("G", "h")
	h.mustSee("3 runs", "last scored 0.75 · mean score per run")
	h.mustNotSee("latest 0.75")
}

func TestHistoryShowsNewRunsWhenShownAgain(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("G", "h")
	h.mustSee("2 runs")
	h.key("1")
	// A run made meanwhile (by the Arena, or another whet).
	later := rerunOf(t, st, fixtureOldRun, testNow.Add(-time.Minute))
	h.key("5")
	h.mustSee("3 runs", later.ID)
}

// rerunOf stores a new run of run id's plan, created at created, with no
// results yet.
func rerunOf(t *testing.T, st *store.Store, id string, created time.Time) prompt.Run {
	t.Helper()
	run, err := st.GetRun(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	run.ID, run.Created = "", created
	if err := st.CreateRun(context.Background(), &run); err != nil {
		t.Fatal(err)
	}
	return run
}

// At 80 columns the list drops the cost before the status, so a run
// whose process died reads "interrupted"; narrower still, its cells take
// the status's colour.
func TestHistoryInterruptedReadsSoAt80Columns(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	if err := st.FinishRun(context.Background(), fixtureRun, prompt.RunInterrupted, time.Now()); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 80, 24)
	h.key("G", "h")
	h.mustSee("STATUS", "interrupted", "done", fixtureRun, "12/12")
	h.send(tea.WindowSizeMsg{Width: 60, Height: 20})
	h.mustSee(fixtureRun, "12/12")
	h.mustNotSee("interrupted")
}

// A run opened from Runs listing every prompt's runs goes back, on esc,
// to that list, not to its own prompt's runs.
func TestHistoryAllRunsStayAllAfterResults(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("G", "h", "a")
	h.mustSee("Runs · all prompts")
	h.key("enter")
	if h.m.active != screenResults {
		t.Fatalf("enter opened %v", h.m.active)
	}
	h.key("esc")
	if h.m.active != screenHistory {
		t.Fatalf("esc went to %v", h.m.active)
	}
	h.mustSee("Runs · all prompts", "support/reply@1,@2 ")
	// Opened from the Library (s: the latest results), esc lists that
	// prompt's runs.
	h.key("1", "s")
	h.key("esc")
	h.mustSee("Runs · support/reply")
}

// At 80 columns the runs' targets and versions take the room the status,
// time and counts leave past what they hold, so echo,ollama:llama3.2
// reads whole; a run from another year shows its whole date (and an
// interrupted one its status).
func TestHistoryColumnsTakeTheRoomLeft(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 80, 24)
	h.key("G", "h")
	h.mustSee("echo,ollama:llama3.2 ")
	old := rerunOf(t, st, fixtureOldRun, testNow.AddDate(-1, 0, -1))
	h.key("R")
	h.mustSee(old.ID + " " + old.Created.Format("2006-01-02") + " interrupted")
}

// A load error on Runs, Versions or Suites wraps at 60 columns, so its
// cause shows.
func TestLoadErrorsWrap(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 60, 20)
	const e = "could not read the runs: database is locked (another whet process is writing; try again)"
	h.key("5")
	h.m.history.err = e
	h.mustSee("could not read the runs", "try again)")
	h.key("2")
	h.m.versions.err = e
	h.mustSee("could not read the runs", "try again)")
	h.key("8")
	h.m.suites.err = e
	h.mustSee("could not read the runs", "try again)")
}

// The drift dialog writes a mean score as whet drift and every report do.
func TestDriftTextScoreAsReports(t *testing.T) {
	rows := []eval.DriftRow{{
		Version: prompt.RunVersion{VersionID: 1, Prompt: "p", Number: 1}, Target: "echo",
		Before: report.Summary{Scored: 8, MeanScore: 0.625}, After: report.Summary{Scored: 8, MeanScore: 0.875},
	}}
	if got := driftText(prompt.Run{}, rows, 20, 66); !strings.Contains(got, "score 0.63 → 0.88") {
		t.Errorf("drift text: %s", got)
	}
}

// The drift dialog shows scores that moved without counting as drift, as
// whet drift does, so that a small suite whose every case got worse does
// not read as steady and nothing more.
func TestDriftTextNotes(t *testing.T) {
	rows := []eval.DriftRow{{
		Version: prompt.RunVersion{VersionID: 1, Prompt: "p", Number: 1}, Target: "echo",
		Notes: []string{"scores fell on 4 of 4 decided cases, p = 0.13: not significant"},
		AB:    eval.ABResult{Losses: 4, P: 0.125},
	}}
	got := driftText(prompt.Run{}, rows, 20, 100)
	if !strings.Contains(got, "not drift: scores fell on 4 of 4 decided cases, p = 0.13: not significant") {
		t.Errorf("drift text: %s", got)
	}
	// Its head does not call scores that fell on every case steady.
	if !strings.Contains(got, "p@1 × echo: no drift, moved not significantly\n") || strings.Contains(got, "steady") {
		t.Errorf("drift text: %s", got)
	}
}

// A side whose calls all failed recorded no model: the dialog writes a
// dash there, as whet drift does, not an arrow to nothing.
func TestDriftTextModelOfAFailedSide(t *testing.T) {
	rows := []eval.DriftRow{{
		Version: prompt.RunVersion{VersionID: 1, Prompt: "p", Number: 1}, Target: "fake:flaky",
		ModelBefore: "flaky-2026-01", After: report.Summary{Errors: 1},
	}}
	if got := driftText(prompt.Run{}, rows, 20, 66); !strings.Contains(got, "model flaky-2026-01 → —\n") {
		t.Errorf("drift text: %s", got)
	}
}

// In the drift dialog a reason too long for a line runs on under its own
// text, not at the dialog's edge, and with several pairs tested the dialog
// says, in the words of whet drift, that their p-values are Holm-adjusted.
func TestDriftDialogReasonsWrapIndented(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	h.key("5")
	v := prompt.RunVersion{VersionID: 1, Prompt: "support/reply", Number: 3}
	reason := "scores fell: the baseline beats the re-run on 9 of 9 cases, p = 0.0039 (p = 0.0078 adjusted for 2 pairs tested)"
	rows := []eval.DriftRow{
		{Version: v, Target: "echo", Tested: 2, AdjustedP: 0.0078, Reasons: []string{reason}},
		{Version: v, Target: "ollama:llama3.2", Tested: 2, AdjustedP: 1},
	}
	h.send(historyDriftMsg{id: h.m.history.driftReq, base: prompt.Run{ID: "rbase0000001"}, rerun: prompt.Run{ID: "rrerun000001"}, rows: rows})
	h.mustSee("Drift · rbase0000001 → rrerun000001", "adjusted for the 2 pairs tested (Holm),", "is below 0.05")
	lines := strings.Split(h.screen(), "\n")
	for i, l := range lines {
		at := strings.Index(l, "scores fell:")
		if at < 0 {
			continue
		}
		if i+1 == len(lines) {
			t.Fatalf("the reason is the last line:\n%s", h.screen())
		}
		// The continuation is the reason's, in the same column.
		col := len([]rune(l[:at]))
		next := []rune(lines[i+1])
		if col >= len(next) || strings.TrimSpace(string(next[col-4:col])) != "" || next[col] == ' ' {
			t.Errorf("the reason runs on out of its column %d:\n%s\n%s", col, l, lines[i+1])
		}
		if !strings.Contains(strings.Join(lines[i:i+3], " "), "tested)") {
			t.Errorf("the reason is cut:\n%s", strings.Join(lines[i:i+3], "\n"))
		}
		return
	}
	t.Fatalf("no reason on the screen:\n%s", h.screen())
}

// copyResults saves run from's results again as run to's.
func copyResults(t *testing.T, st *store.Store, from, to string) {
	t.Helper()
	ctx := context.Background()
	before, err := st.Results(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	var rs []prompt.Result
	for _, r := range before {
		r.ID, r.RunID = 0, to
		rs = append(rs, r)
	}
	if err := st.SaveResults(ctx, rs); err != nil {
		t.Fatal(err)
	}
}

// A run on a target without a known price shows its cost as a lower bound,
// or "?" when nothing priced was spent, not as free.
func TestHistoryCostOfUnpricedRun(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	ts := unpricedTargets{arenaRegistry(t, "http://127.0.0.1:1"), "ollama:llama3.2"}
	h := newHarness(t, fixedTimeStore{st}, 160, 40, func(d *Deps) { d.Targets = ts })
	h.key("G", "h")
	h.mustSee("COST")
	for _, line := range strings.Split(h.screen(), "\n") {
		switch {
		case strings.Contains(line, fixtureRun) && !strings.Contains(line, "Runs"):
			if !strings.Contains(line, "≥$") && !strings.Contains(line, " ? ") {
				t.Errorf("the run on the unpriced target reads as priced: %q", line)
			}
		case strings.Contains(line, fixtureOldRun):
			if strings.Contains(line, "≥") || strings.Contains(line, " ? ") {
				t.Errorf("the echo-only run is marked unpriced: %q", line)
			}
		}
	}
}

// The drift dialog names the cases whose score moved, the largest drops
// first, by the baseline plan's names, as whet drift does.
func TestDriftTextNamesTheCasesThatMoved(t *testing.T) {
	plan := prompt.Run{Cases: []prompt.Case{{Name: "refund"}, {Name: "late parcel"}, {}, {}, {}}}
	rows := []eval.DriftRow{{
		Version: prompt.RunVersion{VersionID: 1, Prompt: "p", Number: 1}, Target: "echo",
		Reasons: []string{"scores fell: the baseline beats the re-run on 4 of 5 cases"},
		AB: eval.ABResult{Cases: []eval.ABCase{
			{Case: 0, A: 1, B: 0.5, Scored: true, Winner: -1},
			{Case: 1, A: 1, B: 0, Scored: true, Winner: -1},
			{Case: 2, A: 1, B: 0.9, Scored: true, Winner: -1},
			{Case: 3, A: 1, B: 0.8, Scored: true, Winner: -1},
			{Case: 4, A: 0.5, B: 1, Scored: true, Winner: 1},
		}},
	}}
	got := driftText(plan, rows, 20, 200)
	if !strings.Contains(got, "    scores fell on late parcel (1.00 → 0.00), refund (1.00 → 0.50), case 4 (1.00 → 0.80) and 1 more; rose on case 5 (0.50 → 1.00)\n") &&
		!strings.HasSuffix(got, "    scores fell on late parcel (1.00 → 0.00), refund (1.00 → 0.50), case 4 (1.00 → 0.80) and 1 more; rose on case 5 (0.50 → 1.00)") {
		t.Errorf("drift text: %s", got)
	}
}

// The Runs screen lists the latest historyLimit runs; moving to the last
// one reads the older ones, and the selection stays on the run it was on.
func TestHistoryReadsOlderRunsAtTheEnd(t *testing.T) {
	st, v := seededReply(t)
	ctx := context.Background()
	total := historyLimit + 7
	for n := range total {
		run := prompt.Run{Source: "cli", Targets: []string{"echo"}, Repeat: 1, Author: "tester",
			Versions: []prompt.RunVersion{{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number, Hash: v.Hash}},
			Created:  testNow.Add(-time.Duration(total-n) * time.Hour)}
		if err := st.CreateRun(ctx, &run); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("5", "a")
	h.mustSee("Runs · all prompts · " + itoa(historyLimit) + " runs (the latest " + itoa(historyLimit) + "; the last row lists older ones)")
	h.key("G")
	last := h.m.history.rows[historyLimit-1].sum.Run.ID
	h.mustSee("Runs · all prompts · " + itoa(total) + " runs")
	h.mustNotSee("the latest")
	if r, ok := h.m.history.selected(); !ok || r.sum.Run.ID != last {
		t.Errorf("the selection moved from %s to %v", last, r.sum.Run.ID)
	}
	h.key("G")
	if n := len(h.m.history.rows); n != total {
		t.Errorf("%d runs listed, want %d", n, total)
	}
}
