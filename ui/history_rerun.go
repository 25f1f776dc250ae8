package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"whet/eval"
	"whet/prompt"
	"whet/report"
	"whet/runner"
)

// A drift re-run from the Runs screen, as `whet drift RUN_ID` does: the
// selected run's plan runs again (never from the cache) as a new run of
// source "drift", scored by its suite's checks when it has a suite, then
// the drift dialog sets it against the run it repeats. It asks first (it
// calls models, which may cost money), runs in the background through the
// same executor and pump as the Arena's runs, and shows its progress in the
// list. One re-run at a time. A suite run from the Suites screen
// (history_suite.go) runs in the same slot, the same way.

// rerunKind is what a background run is for.
type rerunKind int

const (
	rerunDrift rerunKind = iota // a drift re-run of base
	rerunSuite                  // a suite run, graded, then shown
)

// historyRerun is the re-run in flight, if active.
type historyRerun struct {
	seq    int
	active bool
	kind   rerunKind
	base   prompt.Run // the run a drift re-run repeats
	suite  string     // the suite grading the run, if any
	// unchecked: no case of the suite has a check, so no cell can get
	// a verdict.
	unchecked bool
	id        string // the new run's id, once created
	cells     int
	done      int
	failed    int
	scoring   bool // every cell ran; the suite's checks are grading them
	stopping  bool
	cancel    context.CancelFunc
	finished  chan struct{} // closed when the re-run's goroutine returned
}

// rerunOutcome is how a re-run's goroutine ended.
type rerunOutcome struct {
	status   prompt.RunStatus
	err      error // why the run did not complete
	scoreErr error // grading the finished run failed
}

// Re-run messages.
type (
	// historyRerunAskMsg answers the check made before asking: the
	// baseline as stored now, or why it cannot be re-run.
	historyRerunAskMsg struct {
		id   int
		base prompt.Run
		cost float64 // what the baseline cost
		why  string  // what led here, shown above the question
		err  error
	}
	// historyRerunMsg starts re-running base (the question's yes).
	historyRerunMsg struct{ base prompt.Run }
	// historyRerunStartedMsg says the new run was created and claimed and
	// the executor runs, with the channels its events and end come through.
	historyRerunStartedMsg struct {
		seq     int
		run     prompt.Run
		events  <-chan runner.Event
		outcome <-chan rerunOutcome
		err     error
	}
	// historyRerunEventMsg is one executor event, brought by the pump.
	historyRerunEventMsg struct {
		seq     int
		ev      runner.Event
		events  <-chan runner.Event
		outcome <-chan rerunOutcome
		finish  func(rerunOutcome) tea.Msg
	}
	// historyRerunDoneMsg is a re-run's end with, when it finished, its
	// drift against the baseline (a drift re-run) or its figures per
	// version × target (a suite run).
	historyRerunDoneMsg struct {
		seq         int
		outcome     rerunOutcome
		base, rerun prompt.Run
		rows        []eval.DriftRow
		groups      []eval.Group
		failed      int
		firstErr    string
		err         error // reading the runs back failed
	}
	// historyRerunStopMsg stops re-run seq (the question's yes).
	historyRerunStopMsg struct{ seq int }
)

func (historyRerunAskMsg) target() screenID     { return screenHistory }
func (historyRerunMsg) target() screenID        { return screenHistory }
func (historyRerunStartedMsg) target() screenID { return screenHistory }
func (historyRerunEventMsg) target() screenID   { return screenHistory }
func (historyRerunDoneMsg) target() screenID    { return screenHistory }
func (historyRerunStopMsg) target() screenID    { return screenHistory }

// rerunning reports whether a drift re-run or a suite run is in flight.
func (m historyModel) rerunning() bool { return m.rerun.active }

// what names the background run: "drift re-run" or "suite run".
func (r historyRerun) what() string {
	if r.kind == rerunSuite {
		return "suite run"
	}
	return "drift re-run"
}

// busy is the notice for a second background run asked while r runs.
func (r historyRerun) busy() tea.Cmd {
	return notify("a " + r.what() + " is in progress (" + r.progress() + "): ctrl+r in Runs stops it")
}

// stopRerun cancels the re-run in flight and returns the channel closed
// once it has returned (none when none runs).
func (m historyModel) stopRerun() []chan struct{} {
	if !m.rerun.active {
		return nil
	}
	m.rerun.cancel()
	return []chan struct{}{m.rerun.finished}
}

// askRerun checks, in a command, that row's run can be re-run now (it is
// not still running; its targets resolve), then asks. why leads the
// question.
func (m historyModel) askRerun(row historyRow, why string) (historyModel, tea.Cmd) {
	if m.rerun.active {
		return m, m.rerun.busy()
	}
	if m.targets == nil {
		return m, notify("no targets are configured here: whet drift " + row.sum.Run.ID + " re-runs it in a shell")
	}
	m.askReq++
	m.asking = true
	id, baseID, cost, targets := m.askReq, row.sum.Run.ID, row.sum.Cost, m.targets
	return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		base, err := st.GetRun(ctx, baseID)
		if err == nil {
			err = rerunnable(base, targets)
		}
		return historyRerunAskMsg{id: id, base: base, cost: cost, why: why, err: err}
	})
}

// rerunnable says why base cannot be re-run now, as `whet drift` does.
func rerunnable(base prompt.Run, targets runner.Targets) error {
	if base.Status == prompt.RunRunning {
		return fmt.Errorf("run %s is still running in another whet process: re-run it once it has finished", base.ID)
	}
	var te *runner.TargetError
	if err := runner.CheckTargets(targets, base.Targets); errors.As(err, &te) {
		return fmt.Errorf("run %s used target %s, which cannot be used now: %w", base.ID, te.Spec, te.Err)
	} else if err != nil {
		return err
	}
	return nil
}

// rerunQuestion is the confirmation's text: what runs, how many calls,
// and whether they are billed (billed: runner.Billed of its targets).
func rerunQuestion(base prompt.Run, cost float64, why string, billed bool) string {
	calls := base.Cells()
	body := ""
	if why != "" {
		body = why + "\n\n"
	}
	body += "This runs run " + base.ID + "'s plan again, never from the cache: " + report.PlanShape(base) +
		" = " + plural(calls, "model call") + " on " + oneLine(joinList(base.Targets)) + "."
	if base.Suite != "" && uncheckedCases(base) == len(base.Cases) {
		body += " Its suite " + oneLine(base.Suite) + " had no checks, so no output gets a verdict."
	} else if base.Suite != "" {
		body += " Its suite " + oneLine(base.Suite) + " grades the outputs"
		if n := eval.ModelCalls(base); n > 0 {
			body += ", with up to " + plural(n, "more call") + " to a judge or embedding model"
		}
		body += "."
	}
	if billed {
		body += "\nHosted models bill these calls"
		if cost > 0 {
			body += " (run " + base.ID + " cost " + usdText(cost) + ")"
		}
	} else {
		body += "\nThese targets are local or echo: the calls cost nothing"
	}
	body += ". Then the drift dialog sets the new run against " + base.ID + "."
	if base.Status == prompt.RunInterrupted {
		body += "\nRun " + base.ID + " was interrupted before all its cells ran: to finish it instead, whet run --resume " + base.ID + "."
	}
	return body
}

// joinList is "a, b and c".
func joinList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	out := xs[0]
	for _, x := range xs[1 : len(xs)-1] {
		out += ", " + x
	}
	return out + " and " + xs[len(xs)-1]
}

func (r historyRerun) progress() string {
	switch {
	case r.stopping:
		return "stopping"
	case r.scoring:
		return "scoring " + itoa(r.cells) + " cells"
	}
	return itoa(r.done) + "/" + itoa(r.cells) + " cells"
}

// startRerun creates run (a drift re-run of base, or a suite run, as kind
// says) and runs the executor with opts, both in a command; the events come
// back through the pump.
func (m historyModel) startRerun(run, base prompt.Run, kind rerunKind, opts runner.Options) (historyModel, tea.Cmd) {
	if m.rerun.active {
		return m, m.rerun.busy()
	}
	m.nextSeq++
	seq := m.nextSeq
	ctx, cancel := context.WithCancel(m.sh.ctx)
	finished := make(chan struct{})
	m.rerun = historyRerun{seq: seq, active: true, kind: kind, base: base, suite: run.Suite, cells: run.Cells(), cancel: cancel, finished: finished,
		unchecked: run.Suite != "" && uncheckedCases(run) == len(run.Cases)}
	st, targets, grader, life := m.sh.store, m.targets, m.grader, m.sh.ctx
	start := func() tea.Msg {
		fail := func(err error) tea.Msg {
			cancel()
			close(finished)
			return historyRerunStartedMsg{seq: seq, err: err}
		}
		plan, err := runner.PlanOf(life, st, run)
		if err != nil {
			return fail(err)
		}
		unlock, err := st.StartRun(life, &plan.Run)
		if err != nil {
			return fail(err)
		}
		b := runner.NewBroker(64)
		// The subscription lives as long as the program, not the run:
		// stopping the run must not drop its last events.
		events := b.Subscribe(life)
		outcome := make(chan rerunOutcome, 1)
		go func() {
			defer close(finished)
			defer b.Close()
			defer unlock()
			sawDone := false
			sink := runner.SinkFunc(func(e runner.Event) {
				switch e.(type) {
				case runner.Delta:
					return // the list shows counts, not text
				case runner.RunDone:
					sawDone = true
				}
				b.Publish(e)
			})
			var o rerunOutcome
			o.status, o.err = runner.NewExecutor(targets, st, opts).Execute(ctx, plan, sink)
			if !sawDone {
				// Execute refused the plan: close the run record too.
				o.status = prompt.RunInterrupted
				if ferr := st.FinishRun(context.WithoutCancel(life), plan.Run.ID, o.status, time.Now()); ferr != nil {
					o.err = errors.Join(o.err, ferr)
				}
				b.Publish(runner.RunDone{RunID: plan.Run.ID, Status: o.status, Err: o.err})
			}
			if o.status == prompt.RunDone && plan.Run.Suite != "" {
				o.scoreErr = scoreRerun(ctx, st, grader, plan)
			}
			outcome <- o
		}()
		return historyRerunStartedMsg{seq: seq, run: plan.Run, events: events, outcome: outcome}
	}
	return m, tea.Batch(emit(jobMsg{1}), start)
}

// scoreRerun grades a finished re-run by its cases' checks, as `whet run
// --suite` and `whet drift` do, and stores the scores; stopped while
// grading, it stores none. It runs in the re-run's goroutine.
func scoreRerun(ctx context.Context, st Store, grader *eval.Evaluator, plan runner.Plan) error {
	results, err := st.Results(ctx, plan.Run.ID)
	if err != nil {
		return err
	}
	scores, _ := grader.ScoreRun(ctx, plan.Run, plan.Versions, results, "whet", time.Now())
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("stopped while grading: the re-run is saved unscored (%w)", err)
	}
	if len(scores) == 0 {
		return nil
	}
	return st.AddScores(context.WithoutCancel(ctx), scores)
}

// rerunPump receives one event and returns it as a message; Update issues
// it again until the events end. Then it waits for the outcome and returns
// finish's message (finish reads both runs back and sets them against each
// other; it runs in the command, never in Update).
func rerunPump(seq int, events <-chan runner.Event, outcome <-chan rerunOutcome, finish func(rerunOutcome) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-events
		if !ok {
			return finish(<-outcome)
		}
		return historyRerunEventMsg{seq: seq, ev: ev, events: events, outcome: outcome, finish: finish}
	}
}

func (m historyModel) onRerunStarted(msg historyRerunStartedMsg) (historyModel, tea.Cmd) {
	if msg.seq != m.rerun.seq || !m.rerun.active {
		return m, nil
	}
	if msg.err != nil {
		what := m.rerun.what()
		m.rerun = historyRerun{seq: m.rerun.seq}
		return m, tea.Batch(emit(jobMsg{-1}), notifyErr(fmt.Errorf("the %s could not start: %w", what, msg.err)))
	}
	m.rerun.id = msg.run.ID
	m.selectRun = msg.run.ID
	seq, kind, baseID, rerunID, now := msg.seq, m.rerun.kind, m.rerun.base.ID, msg.run.ID, m.sh.now()
	st, life := m.sh.store, m.sh.ctx
	finish := func(o rerunOutcome) tea.Msg {
		done := historyRerunDoneMsg{seq: seq, outcome: o}
		if o.status != prompt.RunDone {
			return done
		}
		// The runs are read back whatever happened to the program's
		// context: the new run is saved and its figures are wanted.
		ctx := context.WithoutCancel(life)
		a, err := loadRunReport(ctx, st, rerunID, now)
		if err != nil {
			done.err = err
			return done
		}
		done.rerun = a.Run
		if kind == rerunSuite {
			done.groups = eval.Aggregate(a.Results, a.Scores, a.Run)
		} else {
			b, err := loadRunReport(ctx, st, baseID, now)
			if err != nil {
				done.err = err
				return done
			}
			done.base = b.Run
			done.rows = eval.Drift(b.Run, b.Results, a.Results, append(b.Scores, a.Scores...))
		}
		for _, r := range a.Results {
			if !r.OK() {
				if done.failed == 0 {
					done.firstErr = r.Error
				}
				done.failed++
			}
		}
		return done
	}
	var cmd tea.Cmd
	m, cmd = m.reload()
	text := "re-running run " + baseID + " as " + rerunID + ": " + plural(m.rerun.cells, "cell") + ", cache off"
	if kind == rerunSuite {
		text = "running suite " + oneLine(m.rerun.suite) + " as run " + rerunID + ": " + plural(m.rerun.cells, "cell")
	}
	return m, tea.Batch(cmd, notify(text), rerunPump(seq, msg.events, msg.outcome, finish))
}

func (m historyModel) onRerunEvent(msg historyRerunEventMsg) (historyModel, tea.Cmd) {
	next := rerunPump(msg.seq, msg.events, msg.outcome, msg.finish)
	if msg.seq != m.rerun.seq || !m.rerun.active {
		return m, next // drain it all the same
	}
	switch ev := msg.ev.(type) {
	case runner.RunStarted:
		m.rerun.cells = ev.Cells
	case runner.CellDone:
		m.rerun.done++
		if !ev.Result.OK() {
			m.rerun.failed++
		}
	case runner.RunDone:
		m.rerun.scoring = ev.Status == prompt.RunDone && m.rerun.suite != ""
	}
	return m, next
}

func (m historyModel) onRerunDone(msg historyRerunDoneMsg) (historyModel, tea.Cmd) {
	if msg.seq != m.rerun.seq || !m.rerun.active {
		return m, nil
	}
	r := m.rerun
	m.rerun = historyRerun{seq: r.seq}
	var reload tea.Cmd
	m, reload = m.reload()
	cmds := []tea.Cmd{emit(jobMsg{-1}), reload}
	o := msg.outcome
	if o.status != prompt.RunDone {
		// Resumed, it is a run of the baseline's plan made after it: D
		// on it compares the two.
		if text, ok := savingStoppedText(r.what(), r.id, o.err); ok {
			// The cells counted done were not all saved.
			return m, tea.Batch(append(cmds, notifyErr(errors.New(text)))...)
		}
		text := r.what() + " " + r.id + " stopped at " + itoa(r.done) + "/" + itoa(r.cells) + " cells: whet run --resume " + r.id + " finishes it"
		if o.err != nil && !errors.Is(o.err, context.Canceled) {
			return m, tea.Batch(append(cmds, notifyErr(errors.New(text+" ("+o.err.Error()+")")))...)
		}
		return m, tea.Batch(append(cmds, notify(text))...)
	}
	if msg.err != nil {
		return m, tea.Batch(append(cmds, notifyErr(fmt.Errorf("the %s %s finished, but reading it back failed: %w", r.what(), r.id, msg.err)))...)
	}
	if r.kind == rerunSuite {
		return m, tea.Batch(append(cmds, suiteRunDone(r, msg))...)
	}
	var notes []string
	if o.scoreErr != nil {
		notes = append(notes, "Grading the re-run failed, so its scores are missing: "+o.scoreErr.Error())
	}
	if msg.failed > 0 {
		notes = append(notes, plural(msg.failed, "cell")+" of the re-run failed, the first with: "+msg.firstErr)
	}
	drifted := 0
	for _, row := range msg.rows {
		if row.Drifted() {
			drifted++
		}
	}
	m.driftReq++
	return m, tea.Batch(append(cmds, m.driftDialog(msg.base, msg.rerun, msg.rows, notes),
		notify("drift re-run "+r.id+" done: "+itoa(drifted)+" of "+plural(len(msg.rows), "version × target pair")+" drifted"))...)
}
