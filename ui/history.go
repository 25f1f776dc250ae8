package ui

import (
	"context"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"whet/eval"
	"whet/prompt"
	"whet/report"
	"whet/runner"
	"whet/store"
	"whet/themes"
)

// historyLimit is how many runs the Runs screen lists at first, and how
// many more it reads each time the cursor reaches the last one.
const historyLimit = 100

// historyKeys is the Runs screen's key table.
type historyKeys struct {
	nav     navKeys
	Open    key.Binding
	Compare key.Binding
	Export  key.Binding
	Drift   key.Binding
	Rerun   key.Binding
	All     key.Binding
	Reload  key.Binding
	Back    key.Binding
}

func newHistoryKeys() historyKeys {
	return historyKeys{
		nav:     newNavKeys(),
		Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "results")),
		Compare: key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "compare")),
		Export:  key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export")),
		Drift:   key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "drift vs the run before")),
		Rerun:   key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "re-run, then drift")),
		All:     key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "all runs/this prompt")),
		Reload:  key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reload")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

// historyRow is one run with the figures the list and the sparkline show,
// counted over the results of the prompt's versions (every result when the
// list is not for one prompt).
type historyRow struct {
	sum            store.RunSummary
	n, errors      int
	scored         int
	meanScore      float64
	judged, passed int
	// unpriced: a target of the run has no known price, so its cost is a
	// lower bound (runner.Unpriced).
	unpriced bool
}

// metric is the run's mean score, else its success rate; -1 without results.
func (r historyRow) metric(scored bool) float64 {
	switch {
	case scored && r.scored > 0:
		return r.meanScore
	case scored, r.n == 0:
		return -1
	}
	return float64(r.n-r.errors) / float64(r.n)
}

// Runs messages.
type (
	// historyOpenMsg switches to Runs and lists the runs of prompt ("" =
	// every run). keep keeps the selection of a list that already shows
	// prompt, reading it again.
	historyOpenMsg struct {
		prompt string
		keep   bool
		shown  bool // the screen is shown already: only read the list again
	}
	historyLoadedMsg struct {
		id     int
		prompt string
		rows   []historyRow
		err    error
	}
	historyReportMsg struct {
		id  int
		rr  report.RunReport
		err error
	}
	// historyDriftMsg is a run set against the previous run of its plan.
	historyDriftMsg struct {
		id          int
		base, rerun prompt.Run
		rows        []eval.DriftRow
		// none: no run listed has rerun's plan (its cases differ).
		none bool
		err  error
	}
)

func (historyOpenMsg) target() screenID   { return screenHistory }
func (historyLoadedMsg) target() screenID { return screenHistory }
func (historyReportMsg) target() screenID { return screenHistory }
func (historyDriftMsg) target() screenID  { return screenHistory }

// historyModel lists runs newest first (`whet runs`), for one prompt or
// all, with a sparkline of the score over time: each run's mean score, or
// its success rate when no run of the list is scored.
type historyModel struct {
	sh      *shared
	keys    historyKeys
	w, h    int
	targets ArenaTargets    // what drift re-runs and suite runs run on; nil: none
	grader  *eval.Evaluator // grades the re-runs of suite runs

	prompt  string // "" = every run
	other   string // the prompt the a key toggles back to
	shown   string // the prompt whose runs rows holds
	req     int
	loading bool
	loaded  bool
	err     string
	rows    []historyRow
	cursor  int
	offset  int
	limit   int // how many runs the list reads: historyLimit, then more

	exportReq int
	driftReq  int
	// asking: an export, a drift or a re-run question reads what it shows
	// (exportReq, driftReq, askReq).
	asking bool

	// The drift re-run or suite run (history_rerun.go, history_suite.go).
	askReq    int
	nextSeq   int
	rerun     historyRerun
	selectRun string // the run the next list selects
}

// newHistory returns the Runs screen; its drift re-runs run on targets
// (nil: it cannot re-run) and are graded by grader (nil: only the checks
// that need no model can pass).
func newHistory(sh *shared, targets ArenaTargets, grader *eval.Evaluator) historyModel {
	if grader == nil {
		grader = &eval.Evaluator{}
	}
	return historyModel{sh: sh, keys: newHistoryKeys(), targets: targets, grader: grader}
}

func (m historyModel) setSize(w, h int) historyModel {
	m.w, m.h = w, h
	return m.clamp()
}

// empty reports whether nothing was asked of the screen yet.
func (m historyModel) empty() bool { return m.req == 0 }

// waiting reports whether the screen waits for a list other than the one
// it shows (another prompt's runs; not the same list read again), or for
// what an export, a drift or a re-run question shows: keys typed
// meanwhile act on that (hold.go).
func (m historyModel) waiting() bool {
	return m.loading && (!m.loaded || m.shown != m.prompt) || m.asking
}

// abandon forgets what the screen waits for (esc, hold.go): the answer to
// an export, a drift or a re-run question opens no dialog, and the list
// asked for is dropped; the list read before stays, under its own name.
func (m historyModel) abandon() historyModel {
	if m.asking {
		m.exportReq++
		m.driftReq++
		m.askReq++
		m.asking = false
	}
	if m.loading && (!m.loaded || m.shown != m.prompt) {
		m.req++
		m.loading = false
		if m.loaded {
			m.prompt = m.shown
		}
	}
	return m
}

func (m historyModel) open(msg historyOpenMsg) (historyModel, tea.Cmd) {
	if msg.keep && m.loaded && msg.prompt == m.prompt {
		// The same list, read again: runs made since (in the Arena, by
		// another process) appear; the selection stays.
		return m.reload()
	}
	if msg.prompt != m.prompt {
		m.cursor, m.offset, m.limit = 0, 0, 0
		if msg.prompt != "" {
			m.other = msg.prompt
		}
	}
	m.prompt = msg.prompt
	return m.reload()
}

// renamed follows a prompt's rename: a list of its runs lists them under
// the new name (the runs keep the refs they were made with).
func (m historyModel) renamed(from, to string) historyModel {
	if m.prompt == from {
		m.prompt = to
	}
	if m.other == from {
		m.other = to
	}
	return m
}

func (m historyModel) reload() (historyModel, tea.Cmd) {
	m.req++
	m.loading = true
	id, name, limit := m.req, m.prompt, m.listLimit()
	return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		rows, err := loadHistory(ctx, st, name, limit)
		return historyLoadedMsg{id: id, prompt: name, rows: rows, err: err}
	})
}

// listLimit is how many runs the list reads.
func (m historyModel) listLimit() int { return max(historyLimit, m.limit) }

// more reports whether older runs than those listed may exist: the list
// holds as many as it asked for.
func (m historyModel) more() bool { return m.loaded && len(m.rows) >= m.listLimit() }

// readMore reads the next historyLimit older runs when the cursor is on
// the last run listed and there may be older ones.
func (m historyModel) readMore() (historyModel, tea.Cmd) {
	if m.cursor != len(m.rows)-1 || !m.more() || m.loading {
		return m, nil
	}
	m.limit = m.listLimit() + historyLimit
	return m.reload()
}

// loadHistory lists the latest limit runs of name (all runs for "") with
// their figures.
// It runs inside a command. The figures come from what the store keeps
// of each run (store.RunTallies); a run with a result scored by several
// grades and neither a person's rating nor a suite grade is counted from
// its results and scores instead (eval.Total), as the store leaves that
// mean to Go.
//
// The runs are read without their cases (store.RunFilter.Brief): a plan's
// cases are most of what a list of runs of large suites reads (60 runs of
// a 5,000-case suite: seconds), and only drift needs them, which reads
// the plans it compares (drift).
func loadHistory(ctx context.Context, st Store, name string, limit int) ([]historyRow, error) {
	runs, err := st.ListRuns(ctx, store.RunFilter{Prompt: name, Limit: limit, Brief: true})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(runs))
	for i, sum := range runs {
		ids[i] = sum.Run.ID
	}
	tallies, err := st.RunTallies(ctx, ids)
	if err != nil {
		return nil, err
	}
	rows := make([]historyRow, 0, len(runs))
	for _, sum := range runs {
		mine := map[int64]bool{}
		for _, v := range sum.Run.Versions {
			if name == "" || v.Prompt == name {
				mine[v.VersionID] = true
			}
		}
		t, err := runTotal(ctx, st, sum.Run, mine, tallies[sum.Run.ID])
		if err != nil {
			return nil, err
		}
		row := historyRow{sum: sum}
		row.n, row.errors, row.scored, row.meanScore = t.N, t.Errors, t.Scored, t.MeanScore
		row.judged, row.passed = t.Judged, t.Passed
		rows = append(rows, row)
	}
	return rows, nil
}

// runTotal is eval.Total of run's results of the versions in mine, from
// the run's tallies where they suffice.
func runTotal(ctx context.Context, st Store, run prompt.Run, mine map[int64]bool, tallies []store.Tally) (eval.Totals, error) {
	ts := make([]eval.Tally, 0, len(tallies))
	for _, t := range tallies {
		if !mine[t.VersionID] {
			continue
		}
		if t.Mixed > 0 {
			return runTotalSlow(ctx, st, run, mine)
		}
		ts = append(ts, eval.Tally{VersionID: t.VersionID, Target: t.Target, N: t.N, Errors: t.Errors,
			Judged: t.Judged, Passed: t.Passed, Scores: t.Scores})
	}
	return eval.TotalTallies(ts, run), nil
}

// runTotalSlow is eval.Total of run's results of the versions in mine,
// read from its results and scores.
func runTotalSlow(ctx context.Context, st Store, run prompt.Run, mine map[int64]bool) (eval.Totals, error) {
	results, err := st.ResultCells(ctx, run.ID)
	if err != nil {
		return eval.Totals{}, err
	}
	scores, err := st.ScoresBrief(ctx, run.ID)
	if err != nil {
		return eval.Totals{}, err
	}
	keep := slices.DeleteFunc(results, func(r prompt.Result) bool { return !mine[r.VersionID] })
	return eval.Total(keep, scores, run), nil
}

// scored reports whether any listed run has a score: then the metric is
// the mean score, else the success rate.
func (m historyModel) scored() bool {
	for _, r := range m.rows {
		if r.scored > 0 {
			return true
		}
	}
	return false
}

// judged reports whether any listed run has a result with a verdict (a
// suite's, or a person's pass or fail): then the list shows pass rates.
func (m historyModel) judged() bool {
	for _, r := range m.rows {
		if r.judged > 0 {
			return true
		}
	}
	return false
}

func (m historyModel) selected() (historyRow, bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return historyRow{}, false
	}
	return m.rows[m.cursor], true
}

// Update handles the Runs screen's keys and messages.
func (m historyModel) Update(msg tea.Msg) (historyModel, tea.Cmd) {
	if m, cmd, ok := m.updateSuiteRun(msg); ok {
		return m, cmd
	}
	switch msg := msg.(type) {
	case historyOpenMsg:
		m, cmd := m.open(msg)
		if msg.shown {
			return m, cmd
		}
		return m, tea.Batch(cmd, m.sh.post(showScreenMsg{to: screenHistory}))
	case historyLoadedMsg:
		if msg.id != m.req {
			return m, nil
		}
		m.loading, m.loaded, m.shown = false, true, msg.prompt
		if msg.err != nil {
			m.err = m.sh.errText(msg.err)
			return m, nil
		}
		m.err = ""
		for i := range msg.rows {
			msg.rows[i].unpriced = len(runner.Unpriced(m.targets, msg.rows[i].sum.Run.Targets)) > 0
		}
		keep := ""
		if r, ok := m.selected(); ok {
			keep = r.sum.Run.ID
		}
		if m.selectRun != "" {
			keep, m.selectRun = m.selectRun, ""
		}
		m.rows = msg.rows
		for i, r := range m.rows {
			if r.sum.Run.ID == keep {
				m.cursor = i
			}
		}
		return m.clamp(), nil
	case historyReportMsg:
		if msg.id != m.exportReq {
			return m, nil
		}
		m.asking = false
		if msg.err != nil {
			return m, notifyErr(msg.err)
		}
		rr := msg.rr
		rr.Unpriced = runner.Unpriced(m.sh.targets, rr.Run.Targets)
		return m, openExport(m.sh, exportSource{run: &rr, prompt: runPrompt(rr.Run), runID: rr.Run.ID})
	case historyDriftMsg:
		if msg.id != m.driftReq {
			return m, nil
		}
		m.asking = false
		if msg.err != nil {
			return m, notifyErr(msg.err)
		}
		if msg.none {
			for _, r := range m.rows {
				if r.sum.Run.ID == msg.rerun.ID {
					return m.noDriftBase(r)
				}
			}
			return m, notify("no earlier run of the same plan to compare with: whet drift " + msg.rerun.ID + " re-runs this one")
		}
		return m, m.driftDialog(msg.base, msg.rerun, msg.rows, nil)
	case historyRerunAskMsg:
		if msg.id != m.askReq {
			return m, nil
		}
		m.asking = false
		if msg.err != nil {
			return m, notifyErr(msg.err)
		}
		d := newConfirm("Re-run "+msg.base.ID+" and check for drift?", rerunQuestion(msg.base, msg.cost, msg.why, runner.Billed(m.targets, msg.base.Targets)), historyRerunMsg{base: msg.base}, nil)
		d.yesLabel, d.noLabel = "re-run", "cancel"
		return m, m.sh.open(d)
	case historyRerunMsg:
		return m.startRerun(runner.DriftRerun(msg.base, m.sh.author, ""), msg.base, rerunDrift, runner.Options{NoCache: true})
	case historyRerunStartedMsg:
		return m.onRerunStarted(msg)
	case historyRerunEventMsg:
		return m.onRerunEvent(msg)
	case historyRerunDoneMsg:
		return m.onRerunDone(msg)
	case historyRerunStopMsg:
		if msg.seq != m.rerun.seq || !m.rerun.active {
			return m, nil
		}
		m.rerun.stopping = true
		m.rerun.cancel()
		return m, notify("stopping the " + m.rerun.what() + "; what finished is kept")
	case tea.KeyPressMsg:
		return m.updateKeys(msg)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelDown:
			m.cursor++
		case tea.MouseWheelUp:
			m.cursor--
		}
		return m.clamp().readMore()
	case tea.MouseClickMsg:
		row := m.offset + msg.Y - historyTop
		if msg.Button != tea.MouseLeft || msg.Y < historyTop || row < 0 || row >= len(m.rows) {
			return m, nil
		}
		if row == m.cursor {
			return m.updateKeys(keyPress("enter"))
		}
		m.cursor = row
		return m.clamp(), nil
	}
	return m, nil
}

func (m historyModel) updateKeys(msg tea.KeyPressMsg) (historyModel, tea.Cmd) {
	k := m.keys
	if c, ok := k.nav.move(msg, m.cursor, len(m.rows), m.listRows()-1); ok {
		m.cursor = c
		return m.clamp().readMore()
	}
	switch {
	case key.Matches(msg, k.Back):
		return m, m.sh.post(showScreenMsg{to: screenLibrary})
	case key.Matches(msg, k.Reload):
		return m.reload()
	case key.Matches(msg, k.All):
		if m.prompt != "" {
			return m.open(historyOpenMsg{prompt: ""})
		}
		if m.other == "" {
			return m, notify("open Runs from a prompt (h in the Library) to list only its runs")
		}
		return m.open(historyOpenMsg{prompt: m.other})
	}
	if key.Matches(msg, k.Rerun) && m.rerun.active {
		r := m.rerun
		does := "re-runs " + r.base.ID
		if r.kind == rerunSuite {
			does = "runs suite " + oneLine(r.suite)
		}
		return m, m.sh.open(newConfirm("Stop the "+r.what()+"?",
			"Run "+orNew(r.id)+" "+does+" and is at "+r.progress()+". Stop it and keep what finished?\n"+
				"whet run --resume "+orNew(r.id)+" finishes it later.", historyRerunStopMsg{seq: r.seq}, nil))
	}
	r, ok := m.selected()
	if !ok {
		if key.Matches(msg, k.Open, k.Compare, k.Export, k.Drift, k.Rerun) {
			return m, notify("no run selected")
		}
		return m, nil
	}
	id := r.sum.Run.ID
	switch {
	case key.Matches(msg, k.Open):
		return m, m.sh.post(resultsOpenMsg{runID: id})
	case key.Matches(msg, k.Compare):
		return m, m.sh.post(compareOpenMsg{runID: id, back: screenHistory})
	case key.Matches(msg, k.Drift):
		return m.drift()
	case key.Matches(msg, k.Rerun):
		return m.askRerun(r, "")
	case key.Matches(msg, k.Export):
		m.exportReq++
		m.asking = true
		req, now := m.exportReq, m.sh.now()
		return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
			rr, err := loadRunReport(ctx, st, id, now)
			return historyReportMsg{id: req, rr: rr, err: err}
		})
	}
	return m, nil
}

// drift sets the selected run against an earlier run of the same plan in
// the list (its baseline), as `whet drift BASE --against RUN` does: the one
// sharing the most version × target pairs with it, the newest of those, so
// that a one-pair run made in between does not stand in for the full plan;
// a run with no finished cell is skipped.
func (m historyModel) drift() (historyModel, tea.Cmd) {
	r, _ := m.selected()
	if r.sum.Done == 0 {
		// Whole at 80 columns, the command too.
		text := "run " + r.sum.Run.ID + " has no finished cell to compare"
		if r.sum.Run.Status == prompt.RunInterrupted {
			text = "nothing finished to compare: whet run --resume " + r.sum.Run.ID + " finishes the run"
		}
		return m, notify(text)
	}
	// The candidates: earlier runs with a finished cell whose plans have
	// the shape of this one's (as many cases, the same repeats, a version
	// × target in common), the most pairs in common first, then the
	// newest. The list holds no cases; the command reads the candidates'
	// plans in that order and takes the first whose cases are this run's
	// (eval.SamePlan), which is the best of those that are.
	type candidate struct {
		id    string
		pairs int
	}
	var cands []candidate
	for i := m.cursor + 1; i < len(m.rows); i++ {
		o := m.rows[i].sum
		// A run cancelled before any cell finished has nothing to compare.
		if o.Done == 0 || o.Cases != r.sum.Cases || max(o.Run.Repeat, 1) != max(r.sum.Run.Repeat, 1) {
			continue
		}
		if n := eval.CommonPairs(o.Run, r.sum.Run); n > 0 {
			cands = append(cands, candidate{o.Run.ID, n})
		}
	}
	if len(cands) == 0 {
		return m.noDriftBase(r)
	}
	slices.SortStableFunc(cands, func(a, b candidate) int { return b.pairs - a.pairs })
	m.driftReq++
	m.asking = true
	req, now, rerunID := m.driftReq, m.sh.now(), r.sum.Run.ID
	return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		a, err := loadRunReport(ctx, st, rerunID, now)
		if err != nil {
			return historyDriftMsg{id: req, err: err}
		}
		for _, c := range cands {
			run, err := st.GetRun(ctx, c.id)
			if err != nil {
				return historyDriftMsg{id: req, err: err}
			}
			if eval.SamePlan(run, a.Run) != nil {
				continue
			}
			b, err := loadRunReport(ctx, st, c.id, now)
			if err != nil {
				return historyDriftMsg{id: req, err: err}
			}
			rows := eval.Drift(b.Run, b.Results, a.Results, append(b.Scores, a.Scores...))
			return historyDriftMsg{id: req, base: b.Run, rerun: a.Run, rows: rows}
		}
		return historyDriftMsg{id: req, rerun: a.Run, none: true}
	})
}

// noDriftBase answers D on row when no earlier run of the list has its
// plan: a re-run is offered where targets are configured.
func (m historyModel) noDriftBase(r historyRow) (historyModel, tea.Cmd) {
	if m.targets == nil {
		return m, notify("no earlier run of the same plan to compare with: whet drift " + r.sum.Run.ID + " re-runs this one")
	}
	return m.askRerun(r, "No earlier run of the same plan to compare run "+r.sum.Run.ID+" with.")
}

// driftDialog shows rows, base set against rerun; notes (failed cells of a
// re-run) go first.
func (m historyModel) driftDialog(base, rerun prompt.Run, rows []eval.DriftRow, notes []string) tea.Cmd {
	lines := max(4, m.sh.height-10)
	head := ""
	for _, n := range notes {
		head += oneLine(n) + "\n"
		lines--
	}
	if head != "" {
		head += "\n"
		lines--
	}
	inner := dialogWidth(m.sh.width, 70) - m.sh.styles().Dialog.GetHorizontalFrameSize()
	return m.sh.open(&messageDialog{
		title: "Drift · " + base.ID + " → " + rerun.ID,
		body:  head + driftText(base, rows, max(4, lines), inner),
		hint:  "esc close · whet drift " + base.ID + " --against " + rerun.ID,
	})
}

// orNew is a run id, or "(new)" before the run was created.
func orNew(id string) string {
	if id == "" {
		return "(new)"
	}
	return id
}

// driftText lists drift rows for a dialog (base is the baseline, whose plan
// names the cases that moved), those that drifted first, in at
// most maxLines lines of w cells (a line that runs on counts as the lines
// it wraps to, under its indentation: see frameDialog). When several pairs
// were tested it says, as `whet drift` does, that their p-values are
// Holm-adjusted.
func driftText(base prompt.Run, rows []eval.DriftRow, maxLines, w int) string {
	ordered := append([]eval.DriftRow(nil), rows...)
	slices.SortStableFunc(ordered, func(a, b eval.DriftRow) int {
		switch {
		case a.Drifted() == b.Drifted():
			return 0
		case a.Drifted():
			return -1
		}
		return 1
	})
	score := func(s report.Summary) string {
		if s.Scored == 0 {
			return "—"
		}
		return scoreText(s.MeanScore)
	}
	// model is as `whet drift` writes it: a side that recorded no model
	// (every call failed) is a dash.
	model := func(r eval.DriftRow) string {
		orDash := func(s string) string {
			if s == "" {
				return "—"
			}
			return oneLine(s)
		}
		if r.ModelBefore == r.ModelAfter {
			return orDash(r.ModelBefore)
		}
		return orDash(r.ModelBefore) + " → " + orDash(r.ModelAfter)
	}
	height := func(block []string) int {
		n := 0
		for _, l := range block {
			n += strings.Count(wrapIndented(l, w), "\n") + 1
		}
		return n
	}
	summary := itoa(countDrifted(rows)) + " of " + plural(len(rows), "version × target pair") + " drifted"
	if note := eval.HolmNote(rows); note != "" {
		summary += "; " + note
	}
	used := height([]string{summary}) - 1 // the budget is for the rows; a note that runs on takes from it
	var lines []string
	for _, r := range ordered {
		head := r.Version.Ref() + " × " + oneLine(r.Target)
		switch {
		case r.Drifted():
			head = "⚠ " + head + ": drifted"
		case r.AB.Wins != r.AB.Losses: // scores that moved, not significantly (a note says how): not steady
			head = "  " + head + ": no drift, moved not significantly"
		default:
			head = "  " + head + ": steady"
		}
		block := []string{head,
			"    model " + model(r),
			"    same output " + itoa(r.Identical) + "/" + itoa(r.Paired) + " · score " + score(r.Before) + " → " + score(r.After) +
				" · errors " + itoa(r.Before.Errors) + " → " + itoa(r.After.Errors)}
		for _, why := range r.Reasons {
			if strings.HasPrefix(why, "model changed:") {
				continue // the model line above says it
			}
			block = append(block, "    "+oneLine(why))
		}
		for _, note := range r.Notes {
			block = append(block, "    not drift: "+oneLine(note))
		}
		if moved := r.MovedCases(base, 3, ""); moved != "" && (r.Drifted() || len(r.Notes) > 0) {
			block = append(block, "    "+oneLine(moved))
		}
		if used+height(block) > maxLines-1 {
			lines = append(lines, "… and more: the command below shows them all")
			break
		}
		used += height(block)
		lines = append(lines, block...)
	}
	return summary + "\n\n" + strings.Join(lines, "\n")
}

// countDrifted is how many rows drifted.
func countDrifted(rows []eval.DriftRow) int {
	n := 0
	for _, r := range rows {
		if r.Drifted() {
			n++
		}
	}
	return n
}

// Layout: title, sparkline, header row, then the runs.
const historyTop = 3

func (m historyModel) listRows() int { return max(1, m.h-historyTop) }

func (m historyModel) clamp() historyModel {
	m.cursor = clamp(m.cursor, 0, len(m.rows)-1)
	rows := m.listRows()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+rows {
		m.offset = m.cursor - rows + 1
	}
	m.offset = clamp(m.offset, 0, max(0, len(m.rows)-rows))
	return m
}

func (m historyModel) keyTable() keyTable {
	k := m.keys
	if m.rerun.active {
		k.Rerun.SetHelp("ctrl+r", "stop the "+m.rerun.what())
	}
	return keyTable{
		short:  []key.Binding{k.Open, k.Compare, k.Export, k.All, k.Back},
		groups: [][]key.Binding{k.nav.bindings(), {k.Open, k.Compare, k.Export, k.Drift, k.Rerun}, {k.All, k.Reload, k.Back}},
	}
}

// View draws the Runs screen into its w×h area.
func (m historyModel) View() string {
	st := m.sh.styles()
	scope := "all prompts"
	if m.prompt != "" {
		scope = m.prompt
	}
	title := st.Title.Render("Runs") + st.Muted.Render(" · ") + st.Base.Render(oneLine(scope))
	switch {
	case m.err != "":
		return title + "\n" + hintLines(st.Error, m.err, m.w)
	case !m.loaded && m.loading:
		return title + "\n" + st.Muted.Render("loading runs…")
	case !m.loaded:
		return title + "\n\n" + st.Muted.Render("  Choose a prompt in the Library and press h, or press a here for every run.")
	}
	title += st.Muted.Render(" · " + plural(len(m.rows), "run"))
	if m.more() {
		title += st.Muted.Render(" (the latest " + itoa(len(m.rows)) + "; the last row lists older ones)")
	}
	if r := m.rerun; r.active {
		what := "drift re-run of " + r.base.ID
		if r.kind == rerunSuite {
			what = "suite " + oneLine(r.suite)
		}
		title += st.Muted.Render(" · ") + st.Warn.Render(what+": "+r.progress())
	}
	if len(m.rows) == 0 {
		hint := "No runs yet. Run a prompt in the Arena (4), or: whet run NAME -m echo"
		if m.prompt != "" {
			hint = oneLine(m.prompt) + " has no runs yet. Run it in the Arena (4), or: whet run " + oneLine(m.prompt) + " -m echo. a lists every run."
		}
		return title + "\n\n" + hintLines(st.Muted, hint, m.w)
	}
	return trunc(title, m.w) + "\n" + m.sparkView() + "\n" + m.listView()
}

// sparkView draws the metric over time, oldest first.
func (m historyModel) sparkView() string {
	st := m.sh.styles()
	scored := m.scored()
	var values []float64
	for i := len(m.rows) - 1; i >= 0; i-- {
		values = append(values, m.rows[i].metric(scored))
	}
	label, what := "ok   ", "success rate per run"
	if scored {
		label, what = "score", "mean score per run"
	}
	room := max(8, m.w-40)
	if len(values) > room {
		values = values[len(values)-room:]
	}
	latest := ""
	for i := len(values) - 1; i >= 0; i-- {
		if values[i] >= 0 {
			// The newest runs may have no figure (not scored, nothing
			// finished): then it is the last figure, not the latest run's.
			word := "latest "
			if i < len(values)-1 {
				word = "last "
				if scored {
					word = "last scored "
				}
			}
			if scored {
				latest = word + scoreText(values[i])
			} else {
				latest = word + pctText(values[i])
			}
			break
		}
	}
	line := st.Header.Render(label+" ") + st.Variable.Render(sparkline(values)) + "  " +
		st.Muted.Render(strings.TrimPrefix(latest+" · "+what+", oldest → newest", " · "))
	return trunc(line, m.w)
}

// historyCols are the list's column widths for a width.
type historyCols struct{ id, when, status, versions, targets, cells, fail, pass, metric, cost int }

func (m historyModel) cols() historyCols {
	c := historyCols{id: 12, when: 9, status: 11, cells: 7, fail: 4, metric: 6, cost: 8}
	// Counts are whole whatever the runs' sizes (12345 failed calls of a
	// large suite's run; fitCols sizes the cells' 5000/5000); the names'
	// columns give up the room.
	for _, r := range m.rows {
		c.fail = min(max(c.fail, len(itoa(r.sum.Failed))), 7)
	}
	fixed := 2 + c.id + c.when + c.status + c.cells + c.fail + c.metric + 7
	// Narrow, the pass rate goes first (the score stays), then the cost,
	// then the status (a run not done then has its cells in the status's
	// colour): an interrupted run must read so at 80 columns.
	rest := m.w - fixed - c.cost - 1
	if m.judged() && rest-7 >= 40 {
		c.pass = 6
		rest -= 7
	}
	if rest < 24 {
		c.cost = 0
		rest = m.w - fixed
	}
	if rest < 16 {
		c.status = 0
		rest += 11
	}
	c.versions = max(6, rest*2/5)
	c.targets = max(6, rest-c.versions-1)
	return m.fitCols(c)
}

// fitCols gives the room the listed runs leave unused in their columns
// (a status narrower than "interrupted", counts narrower than seven
// columns, targets shorter than theirs) to
// the versions and targets, the versions first, so that they read whole
// where they can; a date from another year takes its ten columns.
func (m historyModel) fitCols(c historyCols) historyCols {
	now := m.sh.now()
	when, status, longV, longT := lipgloss.Width("WHEN"), lipgloss.Width("STATUS"), lipgloss.Width("VERSIONS"), lipgloss.Width("TARGETS")
	cells := lipgloss.Width("CELLS")
	for _, r := range m.rows {
		run := r.sum.Run
		cells = max(cells, 2*len(itoa(r.sum.Cells))+1) // done/cells
		when = max(when, lipgloss.Width(ago(now, run.Created)))
		status = max(status, lipgloss.Width(string(run.Status)))
		longV = max(longV, lipgloss.Width(oneLine(runRefList(run, m.prompt))))
		longT = max(longT, lipgloss.Width(oneLine(strings.Join(run.Targets, ","))))
	}
	room := c.versions + c.targets + c.when - when + c.cells - cells
	c.when, c.cells = when, cells
	if c.status > 0 {
		room += c.status - status
		c.status = status
	}
	switch {
	case longV+longT <= room:
		c.versions = longV + (room-longV-longT)*2/5
	case longV <= room*2/5:
		c.versions = longV
	case longT < room-room*2/5:
		c.versions = room - longT
	default:
		c.versions = room * 2 / 5
	}
	c.versions = max(6, c.versions)
	c.targets = max(6, room-c.versions)
	return c
}

func (m historyModel) listView() string {
	st := m.sh.styles()
	c := m.cols()
	scored := m.scored()
	metricHead := "OK"
	if scored {
		metricHead = "SCORE"
	}
	cell := func(s string, w int) string {
		if w <= 0 {
			return ""
		}
		return pad(s, w) + " "
	}
	right := func(s string, w int) string {
		if w <= 0 {
			return ""
		}
		if n := lipgloss.Width(s); n < w {
			s = strings.Repeat(" ", w-n) + s
		}
		return trunc(s, w) + " "
	}
	head := "  " + cell("RUN", c.id) + cell("WHEN", c.when) + cell("STATUS", c.status) + cell("VERSIONS", c.versions) +
		cell("TARGETS", c.targets) + right("CELLS", c.cells) + right("FAIL", c.fail) + right("PASS", c.pass) + right(metricHead, c.metric) + right("COST", c.cost)
	lines := []string{st.Header.Render(pad(head, m.w))}
	now := m.sh.now()
	end := min(len(m.rows), m.offset+m.listRows())
	for i := m.offset; i < end; i++ {
		r := m.rows[i]
		run := r.sum.Run
		base := st.Row
		if i == m.cursor {
			base = st.RowSelected
		}
		marker := base.Render("  ")
		if i == m.cursor {
			marker = st.Cursor.Inherit(base).Render("▌ ")
		}
		metric := "—"
		if v := r.metric(scored); v >= 0 {
			if scored {
				metric = scoreText(v)
			} else {
				metric = pctText(v)
			}
		}
		mstyle := st.Muted
		if v := r.metric(scored); v >= 0 {
			mstyle = goodnessStyle(st, v)
		}
		status := string(run.Status)
		sstyle := st.Muted
		switch run.Status {
		case prompt.RunRunning:
			sstyle = st.Warn
		case prompt.RunInterrupted:
			sstyle = st.Error
		}
		cstyle := lipgloss.NewStyle()
		if c.status == 0 && run.Status != prompt.RunDone {
			cstyle = sstyle
		}
		done, failed := r.sum.Done, r.sum.Failed
		if j := m.rerun; j.active && j.id == run.ID {
			// The list was read when the re-run began: its counts come
			// from the events since.
			done, failed = j.done, j.failed
		}
		fail := itoa(failed)
		fstyle := st.Muted
		if failed > 0 {
			fstyle = st.Error
		}
		pass, pstyle := "", st.Muted
		if c.pass > 0 {
			// The pass rate as Results and the gate count it: of the
			// results with a verdict, failed calls among them as fails.
			pass = right("—", c.pass)
			if r.judged > 0 {
				v := float64(r.passed) / float64(r.judged)
				pass, pstyle = right(pctText(v), c.pass), goodnessStyle(st, v)
			}
		}
		passCell := ""
		if pass != "" {
			passCell = pstyle.Inherit(base).Render(pass)
		}
		cost := ""
		switch {
		case c.cost == 0:
		case r.unpriced && r.sum.Cost > 0:
			cost = right("≥"+usdText(r.sum.Cost), c.cost)
		case r.unpriced:
			cost = right("?", c.cost)
		default:
			cost = right(usdText(r.sum.Cost), c.cost)
		}
		row := marker +
			base.Render(cell(run.ID, c.id)) +
			st.Muted.Inherit(base).Render(cell(ago(now, run.Created), c.when)) +
			sstyle.Inherit(base).Render(cell(status, c.status)) +
			base.Render(cell(oneLine(runRefList(run, m.prompt)), c.versions)) +
			st.Muted.Inherit(base).Render(cell(oneLine(strings.Join(run.Targets, ",")), c.targets)) +
			cstyle.Inherit(base).Render(right(itoa(done)+"/"+itoa(r.sum.Cells), c.cells)) +
			fstyle.Inherit(base).Render(right(fail, c.fail)) +
			passCell +
			mstyle.Inherit(base).Render(right(metric, c.metric)) +
			st.Muted.Inherit(base).Render(cost)
		if gap := m.w - lipgloss.Width(row); gap > 0 {
			row += base.Render(strings.Repeat(" ", gap))
		}
		lines = append(lines, trunc(row, m.w))
	}
	return strings.Join(lines, "\n")
}

// goodnessStyle colours a figure in [0,1] where higher is better, as the
// Results cells are: ok from 0.8, warn from 0.5, error below.
func goodnessStyle(st *themes.Styles, v float64) lipgloss.Style {
	switch {
	case v >= 0.8:
		return st.OK
	case v >= 0.5:
		return st.Warn
	}
	return st.Error
}
