package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"whet/config"
	"whet/eval"
	"whet/prompt"
	"whet/runner"
	"whet/store"
)

// suiteRunOnEcho runs support/reply@3 on echo with a suite of three cases
// whose check passes (the echo repeats the customer's name), and grades it,
// as `whet run support/reply --suite … -m echo` does. It returns the run.
func suiteRunOnEcho(t *testing.T, st *store.Store, reg runner.Targets, targets ...string) prompt.Run {
	t.Helper()
	ctx := context.Background()
	v, err := st.Resolve(ctx, prompt.Ref{Name: "support/reply", Number: 3})
	if err != nil {
		t.Fatal(err)
	}
	check := []prompt.Check{{Type: "icontains", Value: "{{customer}}"}}
	var cases []prompt.Case
	for _, c := range []string{"Ana", "Bo", "Cy"} {
		cases = append(cases, prompt.Case{Name: strings.ToLower(c), Vars: map[string]string{"customer": c, "ticket": "Where is my order?"}, Checks: check})
	}
	if len(targets) == 0 {
		targets = []string{"echo"}
	}
	run := prompt.Run{Source: "cli", Suite: "names", Versions: []prompt.RunVersion{{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number, Hash: v.Hash}},
		Targets: targets, Cases: cases, Repeat: 1, Author: "tester"}
	if err := st.CreateRun(ctx, &run); err != nil {
		t.Fatal(err)
	}
	plan := runner.Plan{Run: run, Versions: map[int64]prompt.Version{v.ID: v}}
	if _, err := runner.NewExecutor(reg, st, runner.Options{}).Execute(ctx, plan, nil); err != nil {
		t.Fatal(err)
	}
	results, err := st.Results(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ev eval.Evaluator
	scores, _ := ev.ScoreRun(ctx, run, plan.Versions, results, "whet", time.Now())
	if err := st.AddScores(ctx, scores); err != nil {
		t.Fatal(err)
	}
	run, err = st.GetRun(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func TestHistoryDriftRerun(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	seed(t, st)
	reg := arenaRegistry(t, newFakeOllama(t, 0, -1).URL)
	base := suiteRunOnEcho(t, st, reg)
	h := newHarness(t, fixedTimeStore{st}, 120, 40, withTargets(reg))
	h.key("G", "h")
	h.mustSee("Runs · support/reply · 1 run", base.ID)

	// D finds no earlier run of the plan: it offers to re-run this one,
	// saying what that calls.
	h.key("D")
	h.mustSee("Re-run "+base.ID+" and check for drift?", "y/enter re-run", "n/esc cancel")
	if got, want := h.topConfirm().body, "No earlier run of the same plan to compare run "+base.ID+" with.\n\n"+
		"This runs run "+base.ID+"'s plan again, never from the cache: 1 version × 1 target × 3 cases × 1 repeat = 3 model calls on echo. "+
		"Its suite names grades the outputs.\nThese targets are local or echo: the calls cost nothing. Then the drift dialog sets the new run against "+base.ID+"."; got != want {
		t.Fatalf("question:\n%s\nwant\n%s", got, want)
	}
	h.key("n")
	if runs, _ := st.ListRuns(ctx, store.RunFilter{}); len(runs) != 1 {
		t.Fatalf("cancelled, yet %d runs", len(runs))
	}

	// Yes runs it; echo answers as before, so nothing drifted.
	h.key("D", "y")
	runs, err := st.ListRuns(ctx, store.RunFilter{})
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs after the re-run: %d, %v", len(runs), err)
	}
	re := runs[0].Run
	if re.Source != "drift" || !re.NoCache || re.Note != "drift check of run "+base.ID || re.Status != prompt.RunDone || re.Suite != "names" || re.Author != "tester" {
		t.Fatalf("re-run = %+v", re)
	}
	if err := eval.SamePlan(base, re); err != nil {
		t.Fatalf("the re-run's plan differs: %v", err)
	}
	scores, err := st.Scores(ctx, re.ID)
	if err != nil || len(scores) == 0 {
		t.Fatalf("the re-run was not graded: %d scores, %v", len(scores), err)
	}
	h.mustSee("Drift · "+base.ID+" → "+re.ID, "0 of 1 version × target pair drifted", "support/reply@3 × echo: steady",
		"same output 3/3 · score 1.00 → 1.00 · errors 0 → 0", "whet drift "+base.ID+" --against "+re.ID)
	h.mustNotSee("⚠")
	if got := h.notice(); got != "drift re-run "+re.ID+" done: 0 of 1 version × target pair drifted" {
		t.Errorf("notice = %q", got)
	}
	if h.m.sh.jobs != 0 || h.m.history.rerunning() {
		t.Fatalf("after the re-run: %d jobs, rerunning %v", h.m.sh.jobs, h.m.history.rerunning())
	}
	h.key("esc")
	// The list holds the new run, selected, done.
	h.mustSee("2 runs", "▌ "+re.ID, "3/3")

	// On the re-run, D now sets it against the baseline without a call;
	// ctrl+r re-runs it anyway, after asking.
	h.key("D")
	h.mustSee("Drift · " + base.ID + " → " + re.ID)
	h.key("esc", "ctrl+r")
	h.mustSee("Re-run " + re.ID + " and check for drift?")
	h.mustNotSee("No earlier run")
	h.key("esc")

	// In the help and the palette.
	h.key("?")
	h.mustSee("re-run, then drift")
	h.key("esc", "ctrl+p")
	h.typ("re-run, then drift")
	h.key("enter")
	h.mustSee("Re-run " + re.ID + " and check for drift?")
	h.key("esc")
}

// busyStore cannot claim any run: another process holds it.
type busyStore struct{ fixedTimeStore }

func (busyStore) StartRun(_ context.Context, r *prompt.Run) (func(), error) {
	return nil, fmt.Errorf("run %s is being executed by another whet process: %w", r.ID, store.ErrRunBusy)
}

func TestHistoryDriftRerunRefusals(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	seed(t, st)
	reg := arenaRegistry(t, newFakeOllama(t, 0, -1).URL)
	// A run on a provider the config has, then no longer.
	cfg, err := config.Parse("loc.yaml", []byte("providers:\n  loc:\n    type: echo\n"), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	withLoc := runner.NewRegistry(cfg)
	gone := suiteRunOnEcho(t, st, withLoc, "loc:m")

	h := newHarness(t, fixedTimeStore{st}, 120, 40, withTargets(reg))
	h.key("G", "h", "D")
	if got := h.notice(); !strings.HasPrefix(got, "run "+gone.ID+` used target loc:m, which cannot be used now: unknown provider "loc"`) {
		t.Fatalf("notice = %q", got)
	}
	if len(h.m.dialogs) != 0 {
		t.Fatal("a dialog opened for a run that cannot be re-run")
	}

	// A run still running is not re-run.
	running := prompt.Run{Source: "cli", Versions: gone.Versions, Targets: []string{"echo"}, Repeat: 1}
	unlock, err := st.StartRun(ctx, &running)
	if err != nil {
		t.Fatal(err)
	}
	h.key("R", "g", "ctrl+r")
	if got := h.notice(); got != "run "+running.ID+" is still running in another whet process: re-run it once it has finished" {
		t.Fatalf("notice = %q", got)
	}

	// A run another process holds: the notice says so, and no new run is
	// left behind.
	if err := st.FinishRun(ctx, running.ID, prompt.RunDone, time.Now()); err != nil {
		t.Fatal(err)
	}
	unlock()
	b := newHarness(t, busyStore{fixedTimeStore{st}}, 120, 40, withTargets(reg))
	b.key("G", "h", "R", "g", "ctrl+r", "y")
	if got := b.notice(); !strings.Contains(got, "the drift re-run could not start") || !strings.Contains(got, "another whet process") {
		t.Fatalf("notice = %q", got)
	}
	runs, err := st.ListRuns(ctx, store.RunFilter{})
	if err != nil || len(runs) != 2 || runs[0].Run.ID != running.ID || b.m.sh.jobs != 0 || b.m.history.rerunning() {
		t.Fatalf("after a busy claim: %d runs, newest %+v, %d jobs, %v", len(runs), runs[0].Run, b.m.sh.jobs, err)
	}
}

func TestHistoryDriftRerunProgressAndStop(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30, withTargets(arenaRegistry(t, newFakeOllama(t, 0, -1).URL)))
	h.key("G", "h")
	h.mustSee("2 runs")
	// A re-run of the old run in flight whose new run is the newest row:
	// the row counts the cells from its events.
	stopped := false
	base := h.m.history.rows[1].sum.Run
	h.m.history.rerun = historyRerun{seq: 1, active: true, base: base, id: fixtureRun, cells: 12, cancel: func() { stopped = true }, finished: make(chan struct{})}
	events, outcome := endedPump()
	nothing := func(rerunOutcome) tea.Msg { return nil }
	h.send(historyRerunEventMsg{seq: 1, ev: runner.CellDone{Result: prompt.Result{Output: "ok"}}, events: events, outcome: outcome, finish: nothing})
	h.send(historyRerunEventMsg{seq: 1, ev: runner.CellDone{Result: prompt.Result{Error: "boom"}}, events: events, outcome: outcome, finish: nothing})
	h.mustSee("drift re-run of "+fixtureOldRun+": 2/12 cells", "2/12")
	if r, _ := h.m.history.selected(); r.sum.Run.ID != fixtureRun {
		t.Fatalf("selected %s", r.sum.Run.ID)
	}
	// D elsewhere waits for it; ctrl+r asks to stop it.
	h.key("j", "ctrl+r")
	h.mustSee("Stop the drift re-run?", "2/12 cells", "whet run --resume "+fixtureRun)
	h.key("y")
	if !stopped || !h.m.history.rerun.stopping {
		t.Fatal("yes did not stop the re-run")
	}
	h.mustSee("drift re-run of " + fixtureOldRun + ": stopping")
	// Its end: interrupted.
	h.send(historyRerunDoneMsg{seq: 1, outcome: rerunOutcome{status: prompt.RunInterrupted, err: context.Canceled}})
	if got := h.notice(); got != "drift re-run "+fixtureRun+" stopped at 2/12 cells: whet run --resume "+fixtureRun+" finishes it" {
		t.Fatalf("notice = %q", got)
	}
	h.mustNotSee("drift re-run of")

	// A finished re-run with failed cells says so above the drift rows.
	h.m.history.rerun = historyRerun{seq: 2, active: true, base: base, id: fixtureRun, cells: 12}
	h.send(historyRerunDoneMsg{seq: 2, outcome: rerunOutcome{status: prompt.RunDone}, base: base, rerun: prompt.Run{ID: fixtureRun},
		failed: 3, firstErr: "provider openai: no API key: set OPENAI_API_KEY\x1b[31m"})
	h.mustSee("Drift · " + fixtureOldRun + " → " + fixtureRun)
	d, ok := h.m.dialogs[len(h.m.dialogs)-1].(*messageDialog)
	if !ok || !strings.HasPrefix(d.body, "3 cells of the re-run failed, the first with: provider openai: no API key: set OPENAI_API_KEY\n\n0 of 0 version × target pairs drifted") {
		t.Fatalf("dialog = %#v", h.m.dialogs[len(h.m.dialogs)-1])
	}
	h.key("esc")

	// Quitting during a re-run asks, then stops it and waits for it.
	finished := make(chan struct{})
	stopped = false
	h.m.history.rerun = historyRerun{seq: 3, active: true, base: base, cells: 12, cancel: func() { stopped = true; close(finished) }, finished: finished}
	h.key("ctrl+c")
	h.mustSee("Quit during a run?", "A drift re-run is still running")
	h.key("y")
	if !stopped || !h.quit {
		t.Fatalf("quit: stopped %v, quit %v", stopped, h.quit)
	}
}

// endedPump is a re-run's channels once its events ended: the pump asks
// for the outcome, which is there (a few times over).
func endedPump() (<-chan runner.Event, <-chan rerunOutcome) {
	events := make(chan runner.Event)
	close(events)
	outcome := make(chan rerunOutcome, 8)
	for range cap(outcome) {
		outcome <- rerunOutcome{}
	}
	return events, outcome
}

// topConfirm is the confirmation on top of the dialogs.
func (h *harness) topConfirm() *confirmDialog {
	h.t.Helper()
	if len(h.m.dialogs) == 0 {
		h.t.Fatal("no dialog is open")
	}
	d, ok := h.m.dialogs[len(h.m.dialogs)-1].(*confirmDialog)
	if !ok {
		h.t.Fatalf("the top dialog is a %T", h.m.dialogs[len(h.m.dialogs)-1])
	}
	return d
}

// A re-run of a suite run whose cases had no check does not claim its
// suite grades the outputs.
func TestRerunQuestionSuiteWithoutChecks(t *testing.T) {
	base := prompt.Run{ID: "r1", Suite: "bare", Repeat: 1, Targets: []string{"echo"},
		Versions: []prompt.RunVersion{{Prompt: "p", Number: 1}}, Cases: []prompt.Case{{Name: "one"}}}
	got := rerunQuestion(base, 0, "", true)
	if strings.Contains(got, "grades the outputs") || !strings.Contains(got, "Its suite bare had no checks, so no output gets a verdict.") {
		t.Fatalf("question: %s", got)
	}
	base.Cases[0].Checks = []prompt.Check{{Type: "icontains", Value: "x"}}
	if got := rerunQuestion(base, 0, "", true); !strings.Contains(got, "Its suite bare grades the outputs.") || strings.Contains(got, "resume") {
		t.Fatalf("question with a check: %s", got)
	}
	// An interrupted run can be finished instead of re-run whole.
	base.Status = prompt.RunInterrupted
	if got := rerunQuestion(base, 0, "", true); !strings.HasSuffix(got, "\nRun r1 was interrupted before all its cells ran: to finish it instead, whet run --resume r1.") {
		t.Fatalf("question for an interrupted run: %s", got)
	}
	// Only billed targets are said to bill.
	if got := rerunQuestion(base, 0, "", false); strings.Contains(got, "bill") || !strings.Contains(got, "These targets are local or echo: the calls cost nothing.") {
		t.Fatalf("question for free targets: %s", got)
	}
	if got := suiteRunQuestion(base, false); strings.Contains(got, "bill") || !strings.Contains(got, "These targets are local or echo: the calls cost nothing") {
		t.Fatalf("suite question for free targets: %s", got)
	}
	if got := suiteRunQuestion(base, true); !strings.Contains(got, "Hosted models bill these calls") {
		t.Fatalf("suite question for billed targets: %s", got)
	}
}

// A re-run stopped because its results could not be saved (a full disk)
// says the cause and its fix first, where the status bar has room, and
// counts no cells as done that were not saved.
func TestHistoryRerunStoppedByAFullDiskSaysWhichDisk(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30, withTargets(arenaRegistry(t, newFakeOllama(t, 0, -1).URL)))
	h.key("G", "h")
	h.mustSee("2 runs")
	base := h.m.history.rows[1].sum.Run
	h.m.history.rerun = historyRerun{seq: 1, active: true, base: base, id: fixtureRun, cells: 12, done: 5, finished: make(chan struct{})}
	full := store.Explain("/data/whet.db", errors.New("database or disk is full (13)"))
	h.send(historyRerunDoneMsg{seq: 1, outcome: rerunOutcome{status: prompt.RunInterrupted, err: fmt.Errorf("run %s: 5 result(s) not saved: %w", fixtureRun, full)}})
	want := "drift re-run " + fixtureRun + " stopped: database /data/whet.db: the disk is full; free space on /data, then whet run --resume " + fixtureRun + " finishes it"
	if got := h.notice(); got != want {
		t.Fatalf("notice = %q\nwant     %q", got, want)
	}
}
