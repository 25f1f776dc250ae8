package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"whet/prompt"
	"whet/runner"
	"whet/textutil"
)

// arenaFrame is the redraw period while a run streams (60 fps). Text that
// arrives between two frames is wrapped once, at the next frame.
const arenaFrame = 16 * time.Millisecond

// Stream messages.
type (
	// arenaRunStartedMsg says the run was created in the store and the
	// executor is running, with the channel its events come through.
	arenaRunStartedMsg struct {
		seq    int
		id     string
		events <-chan runner.Event
		err    error
	}
	// arenaEventMsg is one executor event, brought by the pump.
	arenaEventMsg struct {
		seq    int
		ev     runner.Event
		events <-chan runner.Event
	}
	// arenaStreamClosedMsg says a run's event channel closed.
	arenaStreamClosedMsg struct{ seq int }
	// arenaFrameMsg is the frame tick.
	arenaFrameMsg struct{}
	// arenaIDsMsg carries a finished run's stored results (for their ids).
	arenaIDsMsg struct {
		seq     int
		results []prompt.Result
		err     error
	}
	// arenaMarkdownMsg is a finished output rendered by Glamour.
	arenaMarkdownMsg struct {
		spec  string
		key   arenaMarkdownKey
		lines []string
		err   error
	}
	// arenaNoteMsg is the note typed for an output.
	arenaNoteMsg struct {
		col, cell int
		spec      string
		note      string
	}
	// arenaScoredMsg answers saving a human score.
	arenaScoredMsg struct {
		seq    int
		spec   string
		cell   int
		id     int64
		rating int
		note   string
		err    error
	}
)

func (arenaRunStartedMsg) target() screenID   { return screenArena }
func (arenaEventMsg) target() screenID        { return screenArena }
func (arenaStreamClosedMsg) target() screenID { return screenArena }
func (arenaFrameMsg) target() screenID        { return screenArena }
func (arenaIDsMsg) target() screenID          { return screenArena }
func (arenaMarkdownMsg) target() screenID     { return screenArena }
func (arenaNoteMsg) target() screenID         { return screenArena }
func (arenaScoredMsg) target() screenID       { return screenArena }

// arenaRun is one execution started from the Arena: every column (ctrl+r)
// or one (r). seq is the Arena's own id for it, carried by its messages.
type arenaRun struct {
	seq       int
	id        string // the store's run id, once created
	cancel    context.CancelFunc
	done      chan struct{} // closed when the executor has returned
	specs     []string
	active    bool
	cancelled bool
	err       string
}

// running reports whether a run is in flight.
func (m arenaModel) running() bool {
	for _, r := range m.runs {
		if r.active {
			return true
		}
	}
	return false
}

func (m arenaModel) runIndex(seq int) int {
	for i, r := range m.runs {
		if r.seq == seq {
			return i
		}
	}
	return -1
}

// column finds the column showing spec for run seq.
func (m arenaModel) column(seq int, spec string) int {
	for i, c := range m.cols {
		if c.seq == seq && c.spec == spec {
			return i
		}
	}
	return -1
}

// check says why the Arena cannot run now, if it cannot; the cursor is put
// where the problem is.
func (m arenaModel) check() (arenaModel, error) {
	switch {
	case m.name == "":
		return m, errors.New("choose a prompt first: ctrl+r on a prompt in the library")
	case !m.loaded || m.loadErr != "":
		return m, errors.New("the prompt is not loaded")
	case m.targets == nil:
		return m, errors.New(m.picker.err)
	}
	if _, err := prompt.RenderMessages(m.version.Messages, m.values()); err != nil {
		m.pane, m.focus = arenaPaneSetup, arenaFocusVars
		for i, v := range m.vars {
			if v.input.Value() == "" {
				m.varCursor = i
				break
			}
		}
		m, _ = m.focusVar()
		return m, fmt.Errorf("%w: fill it in under Variables, or pick a case (c)", err)
	}
	return m, nil
}

// runAll starts a run of every picked target: one new column each.
func (m arenaModel) runAll() (arenaModel, tea.Cmd) {
	if m.running() {
		return m, notify("a run is in progress: esc cancels it")
	}
	m, err := m.check()
	if err != nil {
		return m, notifyErr(err)
	}
	specs := append([]string(nil), m.picker.selected...)
	if len(specs) == 0 {
		m.pane, m.focus = arenaPaneSetup, arenaFocusTargets
		m, _ = m.focusVar()
		return m, notify("pick 1 to " + itoa(arenaMaxTargets) + " targets (space), then ctrl+r")
	}
	m.nextSeq++
	seq := m.nextSeq
	m.cols = make([]arenaColumn, len(specs))
	for i, s := range specs {
		m.cols[i] = newArenaColumn(s, m.picker.info(s), seq, m.repeat)
		m.cols[i].unpriced = len(runner.Unpriced(m.targets, []string{s})) > 0
	}
	m.colFocus, m.colFirst = 0, 0
	m.colsOf = m.setupKey()
	m.pane = arenaPaneColumns
	m = m.clampColumns()
	return m.start(seq, specs, false)
}

// rerun starts a new run of one column's target (repeated as set), without
// the cache: a fresh sample.
func (m arenaModel) rerun(i int) (arenaModel, tea.Cmd) {
	c := m.cols[i]
	if c.running() {
		return m, notify(c.spec + " is still running")
	}
	m, err := m.check()
	if err != nil {
		return m, notifyErr(err)
	}
	m.pane = arenaPaneColumns
	m.nextSeq++
	seq := m.nextSeq
	m.cols[i] = newArenaColumn(c.spec, c.info, seq, m.repeat)
	m.cols[i].unpriced = c.unpriced
	return m.start(seq, []string{c.spec}, true)
}

// start creates the run and runs the executor, both in a command; the
// events come back through the pump.
func (m arenaModel) start(seq int, specs []string, noCache bool) (arenaModel, tea.Cmd) {
	v := m.version
	caseName := m.caseName
	if caseName == "" {
		caseName = "defaults"
	}
	run := prompt.Run{
		Source:   "arena",
		Versions: []prompt.RunVersion{{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number, Hash: v.Hash}},
		Targets:  specs,
		Cases:    []prompt.Case{{Name: caseName, Vars: m.values()}},
		Repeat:   m.repeat,
		Author:   m.sh.author,
		NoCache:  noCache,
	}
	if m.newRunID != nil {
		run.ID = m.newRunID()
	}
	plan := runner.Plan{Run: run, Versions: map[int64]prompt.Version{v.ID: v}}
	ctx, cancel := context.WithCancel(m.sh.ctx)
	done := make(chan struct{})
	m.runs = append(m.runs, arenaRun{seq: seq, cancel: cancel, done: done, specs: specs, active: true})
	st, targets, life := m.sh.store, m.targets, m.sh.ctx
	startCmd := func() tea.Msg {
		unlock, err := st.StartRun(life, &plan.Run)
		if err != nil {
			cancel()
			close(done)
			return arenaRunStartedMsg{seq: seq, err: err}
		}
		b := runner.NewBroker(64)
		// The subscription lives as long as the program, not the run:
		// cancelling the run must not drop its last events.
		events := b.Subscribe(life)
		go func() {
			defer close(done)
			defer unlock()
			defer b.Close()
			sawDone := false
			sink := runner.SinkFunc(func(e runner.Event) {
				if _, ok := e.(runner.RunDone); ok {
					sawDone = true
				}
				b.Publish(e)
			})
			status, err := runner.NewExecutor(targets, st, runner.Options{}).Execute(ctx, plan, sink)
			if !sawDone {
				// Execute refused the plan: close the run record too.
				status = prompt.RunInterrupted
				if ferr := st.FinishRun(context.WithoutCancel(life), plan.Run.ID, status, time.Now()); ferr != nil {
					err = errors.Join(err, ferr)
				}
				b.Publish(runner.RunDone{RunID: plan.Run.ID, Status: status, Err: err})
			}
		}()
		return arenaRunStartedMsg{seq: seq, id: plan.Run.ID, events: events}
	}
	var tick tea.Cmd
	m, tick = m.tick()
	return m, tea.Batch(startCmd, tick)
}

// arenaPump receives one event and returns it as a message; Update issues
// it again until the run is done.
func arenaPump(seq int, events <-chan runner.Event) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-events
		if !ok {
			return arenaStreamClosedMsg{seq: seq}
		}
		return arenaEventMsg{seq: seq, ev: ev, events: events}
	}
}

// tick starts the frame tick unless it runs already.
func (m arenaModel) tick() (arenaModel, tea.Cmd) {
	if m.ticking {
		return m, nil
	}
	m.ticking = true
	return m, tea.Tick(arenaFrame, func(time.Time) tea.Msg { return arenaFrameMsg{} })
}

// onFrame wraps the text that arrived since the last frame, for every
// column whose text changed, and ticks again while a run streams.
func (m arenaModel) onFrame() (arenaModel, tea.Cmd) {
	m.ticking = false
	m.frame++
	w := m.textWidth()
	for i := range m.cols {
		if m.cols[i].stale(w) {
			m.cols[i] = m.cols[i].rewrap(w, false)
		}
	}
	if m.running() {
		return m.tick()
	}
	return m, nil
}

func (m arenaModel) onRunStarted(msg arenaRunStartedMsg) (arenaModel, tea.Cmd) {
	ri := m.runIndex(msg.seq)
	if ri < 0 {
		return m, nil
	}
	if msg.err != nil {
		m.runs[ri].active = false
		m.runs[ri].err = msg.err.Error()
		for i := range m.cols {
			if m.cols[i].seq != msg.seq {
				continue
			}
			for j := range m.cols[i].cells {
				cell := &m.cols[i].cells[j]
				cell.state = cellFailed
				cell.result.Error = "the run could not start: " + msg.err.Error()
			}
		}
		m = m.rewrapAll()
		return m, notifyErr(msg.err)
	}
	m.runs[ri].id = msg.id
	for i := range m.cols {
		if m.cols[i].seq == msg.seq {
			m.cols[i].runID = msg.id
		}
	}
	return m, arenaPump(msg.seq, msg.events)
}

// onEvent applies one executor event to its column and asks for the next.
func (m arenaModel) onEvent(msg arenaEventMsg) (arenaModel, tea.Cmd) {
	ri := m.runIndex(msg.seq)
	if ri < 0 {
		return m, arenaPump(msg.seq, msg.events) // drain it all the same
	}
	now := m.sh.now()
	next := arenaPump(msg.seq, msg.events)
	var cmds []tea.Cmd
	cellOf := func(k prompt.CellKey) (int, *arenaCell) {
		ci := m.column(msg.seq, k.Target)
		if ci < 0 || k.Repeat < 0 || k.Repeat >= len(m.cols[ci].cells) {
			return -1, nil
		}
		return ci, &m.cols[ci].cells[k.Repeat]
	}
	switch ev := msg.ev.(type) {
	case runner.CellStarted:
		ci, cell := cellOf(ev.Key)
		if cell == nil {
			break
		}
		if ev.Attempt <= 1 || cell.started.IsZero() {
			cell.started = now
		}
		if cell.text.Len() > 0 {
			cell.setText("")
		}
		cell.state, cell.attempt, cell.retry, cell.first = cellRunning, ev.Attempt, "", time.Time{}
		if c := &m.cols[ci]; !c.pinned && c.shown != ev.Key.Repeat {
			c.shown, c.offset, c.follow = ev.Key.Repeat, 0, true
		}
	case runner.Delta:
		_, cell := cellOf(ev.Key)
		if cell == nil || ev.Text == "" {
			break
		}
		if cell.first.IsZero() {
			cell.first = now
		}
		cell.text.WriteString(ev.Text)
	case runner.CellRetry:
		_, cell := cellOf(ev.Key)
		if cell == nil {
			break
		}
		cell.setText("")
		cell.state, cell.attempt, cell.first = cellRetrying, ev.Attempt, time.Time{}
		if ev.Err != nil {
			cell.retry = ev.Err.Error()
		}
	case runner.CellDone:
		ci, cell := cellOf(ev.Result.Key())
		if cell == nil {
			break
		}
		cell.result = ev.Result
		cell.state = cellDone
		if ev.Result.Error != "" {
			cell.state = cellFailed
		}
		if cell.text.String() != ev.Result.Output {
			cell.setText(ev.Result.Output) // a cache hit streams nothing
		}
		if c := &m.cols[ci]; !c.pinned && !c.running() && c.shown != 0 {
			// Every repeat finished: show the first.
			c.shown, c.offset, c.follow = 0, 0, true
		}
		var cmd tea.Cmd
		m, cmd = m.markdownFor(ci)
		cmds = append(cmds, cmd)
	case runner.RunDone:
		next = nil
		run := &m.runs[ri]
		run.active = false
		if ev.Status == prompt.RunInterrupted {
			run.cancelled = true
		}
		var ok, failed, cancelled int
		for i := range m.cols {
			if m.cols[i].seq != msg.seq {
				continue
			}
			for j := range m.cols[i].cells {
				cell := &m.cols[i].cells[j]
				if !cell.state.final() {
					cell.state = cellCancelled
				}
				switch cell.state {
				case cellDone:
					ok++
				case cellFailed:
					failed++
				case cellCancelled:
					cancelled++
				}
			}
		}
		if ev.Err != nil && !errors.Is(ev.Err, context.Canceled) {
			run.err = ev.Err.Error()
		}
		cmds = append(cmds, emit(runDoneNotice(ev, ok, failed, cancelled)))
		cmds = append(cmds, m.fetchIDs(msg.seq, ev.RunID))
	}
	var tick tea.Cmd
	m, tick = m.tick()
	return m, tea.Batch(append(cmds, next, tick)...)
}

// onStreamClosed ends a run whose channel closed without RunDone (the
// program is shutting down).
func (m arenaModel) onStreamClosed(msg arenaStreamClosedMsg) (arenaModel, tea.Cmd) {
	ri := m.runIndex(msg.seq)
	if ri < 0 || !m.runs[ri].active {
		return m, nil
	}
	m.runs[ri].active = false
	for i := range m.cols {
		if m.cols[i].seq != msg.seq {
			continue
		}
		for j := range m.cols[i].cells {
			if cell := &m.cols[i].cells[j]; !cell.state.final() {
				cell.state = cellCancelled
			}
		}
	}
	return m, nil
}

// fetchIDs reads a finished run's results, for the ids ratings need.
func (m arenaModel) fetchIDs(seq int, runID string) tea.Cmd {
	if runID == "" {
		return nil
	}
	return m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		rs, err := st.Results(ctx, runID)
		return arenaIDsMsg{seq: seq, results: rs, err: err}
	})
}

func (m arenaModel) onIDs(msg arenaIDsMsg) arenaModel {
	if msg.err != nil {
		return m
	}
	for _, r := range msg.results {
		ci := m.column(msg.seq, r.Target)
		if ci < 0 || r.Repeat < 0 || r.Repeat >= len(m.cols[ci].cells) {
			continue
		}
		m.cols[ci].cells[r.Repeat].id = r.ID
	}
	return m
}

// cancelAll cancels every run in flight; finished columns are kept and the
// others show "cancelled" once their run reports done.
func (m arenaModel) cancelAll() (arenaModel, tea.Cmd) {
	n := 0
	for i := range m.runs {
		if m.runs[i].active && !m.runs[i].cancelled {
			m.runs[i].cancel()
			m.runs[i].cancelled = true
			n++
		}
	}
	if n == 0 {
		return m, nil
	}
	return m, notify("cancelling: finished outputs are kept")
}

// stopRuns cancels every run and returns the channels closed once their
// executors returned.
func (m arenaModel) stopRuns() []chan struct{} {
	var waits []chan struct{}
	for _, r := range m.runs {
		if r.active {
			r.cancel()
			waits = append(waits, r.done)
		}
	}
	return waits
}

// waitThenQuit quits once every channel of waits is closed (runs stopped
// are then marked interrupted in the store), or after 10s.
func waitThenQuit(waits []chan struct{}) tea.Cmd {
	return func() tea.Msg {
		limit := time.After(10 * time.Second)
		for _, d := range waits {
			select {
			case <-d:
			case <-limit:
				return tea.QuitMsg{}
			}
		}
		return tea.QuitMsg{}
	}
}

// requestMarkdown renders, in commands, every finished output shown whose
// rendering is missing or stale.
func (m arenaModel) requestMarkdown() (arenaModel, tea.Cmd) {
	var cmds []tea.Cmd
	for i := range m.cols {
		var cmd tea.Cmd
		m, cmd = m.markdownFor(i)
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// markdownFor renders column i's shown output when it is finished and not
// rendered for the current width and theme.
func (m arenaModel) markdownFor(i int) (arenaModel, tea.Cmd) {
	if m.raw || i < 0 || i >= len(m.cols) {
		return m, nil
	}
	c := m.cols[i]
	cell := c.cells[c.shown]
	if cell.state != cellDone || cell.text.Len() == 0 {
		return m, nil
	}
	width := m.textWidth()
	k := arenaMarkdownKey{seq: c.seq, cell: c.shown, gen: cell.gen, width: width, theme: m.sh.themeKey()}
	if c.md.key == k {
		return m, nil // rendered, or being rendered
	}
	m.cols[i].md = arenaMarkdown{key: k}
	text, style, spec := cell.text.String(), m.sh.theme.Glamour, c.spec
	return m, func() tea.Msg {
		out, err := renderMarkdown(escapeHTML(sanitize(text)), style, width, lipgloss.NewStyle())
		return arenaMarkdownMsg{spec: spec, key: k, lines: strings.Split(out, "\n"), err: err}
	}
}

func (m arenaModel) onMarkdown(msg arenaMarkdownMsg) arenaModel {
	ci := m.column(msg.key.seq, msg.spec)
	if ci < 0 || m.cols[ci].md.key != msg.key || msg.err != nil {
		return m
	}
	m.cols[ci].md = arenaMarkdown{key: msg.key, lines: msg.lines, ok: true}
	return m
}

// rate records a human score for an output: rating 1–5 (0 keeps the
// current one, for a note), saved as prompt.Score{Scorer: "human",
// Value: (rating-1)/4, Reason: note}.
func (m arenaModel) rate(col int, spec string, cellIdx int, rating int, note string, isNote bool) (arenaModel, tea.Cmd) {
	if col < 0 || col >= len(m.cols) || m.cols[col].spec != spec || cellIdx >= len(m.cols[col].cells) {
		return m, nil
	}
	c := m.cols[col]
	cell := &m.cols[col].cells[cellIdx]
	if cell.state != cellDone {
		return m, notify("only a finished output can be rated")
	}
	if isNote {
		if cell.rating == 0 {
			return m, notify("rate it first (v, then 1–5); the note goes with the rating")
		}
		cell.note = note
		rating = cell.rating
	} else {
		cell.rating = rating
		note = cell.note
	}
	id, runID, key := cell.id, c.runID, cell.result.Key()
	seq, author := c.seq, m.sh.author
	value := float64(rating-1) / 4
	return m, tea.Batch(emit(jobMsg{1}), m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		var err error
		if id == 0 {
			id, err = arenaResultID(ctx, st, runID, key)
		}
		if err == nil {
			err = st.AddScores(ctx, []prompt.Score{{ResultID: id, Scorer: "human", Value: value, Reason: note, Author: author}})
		}
		return arenaScoredMsg{seq: seq, spec: spec, cell: cellIdx, id: id, rating: rating, note: note, err: err}
	}))
}

// arenaResultID finds the stored id of a cell's result. The executor saves
// results in batches a few milliseconds after CellDone, so it looks again
// for a while before giving up.
func arenaResultID(ctx context.Context, st Store, runID string, key prompt.CellKey) (int64, error) {
	if runID == "" {
		return 0, errors.New("the run was not saved")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		rs, err := st.Results(ctx, runID)
		if err != nil {
			return 0, err
		}
		for _, r := range rs {
			if r.Key() == key {
				return r.ID, nil
			}
		}
		if time.Now().After(deadline) {
			return 0, errors.New("result of " + key.Target + " in run " + runID + " not found")
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
}

func (m arenaModel) onScored(msg arenaScoredMsg) (arenaModel, tea.Cmd) {
	done := emit(jobMsg{-1})
	if msg.err != nil {
		return m, tea.Batch(done, notifyErr(msg.err))
	}
	if ci := m.column(msg.seq, msg.spec); ci >= 0 && msg.cell < len(m.cols[ci].cells) {
		m.cols[ci].cells[msg.cell].id = msg.id
	}
	text := "rated " + msg.spec + " " + itoa(msg.rating) + "/5"
	if msg.note != "" {
		text += " with a note"
	}
	return m, tea.Batch(done, notify(text))
}

// askNote asks for a note on the focused output.
func (m arenaModel) askNote(col int) (arenaModel, tea.Cmd) {
	c := m.cols[col]
	cell := c.cells[c.shown]
	if cell.state != cellDone {
		return m, notify("only a finished output takes a note")
	}
	if cell.rating == 0 {
		return m, notify("rate it first (v, then 1–5); the note goes with the rating")
	}
	spec, shown := c.spec, c.shown
	return m, m.sh.open(newInput(m.sh, "Note on "+oneLine(spec)+"'s output",
		"Why "+itoa(cell.rating)+"/5? It is saved with the rating.", "correct but too long", cell.note, nil,
		func(s string) tea.Msg { return arenaNoteMsg{col: col, spec: spec, cell: shown, note: s} }))
}

// copyOutput puts the focused output on the clipboard (OSC 52).
func (m arenaModel) copyOutput(col int) (arenaModel, tea.Cmd) {
	c := m.cols[col]
	// Sanitised, but not split for the terminal (see clusters.go).
	text := textutil.Sanitize(c.cells[c.shown].text.String())
	if text == "" {
		return m, notify("nothing to copy yet")
	}
	return m, tea.Batch(tea.SetClipboard(text), notify("copied "+plural(len([]rune(text)), "character")+" of "+oneLine(c.spec)))
}

// runSavedText is the notice of an Arena run that ended: what it saved,
// and for a cancelled run the command that finishes it, whole in the
// status bar at 80 columns (the run's id is in the Arena's header too).
// runDoneNotice is the notice at the end of an Arena run: what was saved,
// or, for a run stopped by an error (its results could not be saved),
// that error alone: the cells it counts were not all saved.
func runDoneNotice(ev runner.RunDone, ok, failed, cancelled int) noticeMsg {
	if ev.Err == nil || errors.Is(ev.Err, context.Canceled) {
		return noticeMsg{text: runSavedText(ev.RunID, ok, failed, cancelled)}
	}
	if text, ok := savingStoppedText("run", ev.RunID, ev.Err); ok {
		return noticeMsg{text: text, isErr: true}
	}
	return noticeMsg{text: ev.Err.Error(), isErr: true}
}

func runSavedText(runID string, ok, failed, cancelled int) string {
	counts := plural(ok, "output")
	if failed > 0 {
		counts += ", " + itoa(failed) + " failed"
	}
	if cancelled == 0 {
		return "run " + runID + " saved: " + counts
	}
	return "saved " + counts + ", " + itoa(cancelled) + " cancelled: whet run --resume " + runID
}
