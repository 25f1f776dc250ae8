package ui

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"whet/eval"
	"whet/prompt"
	"whet/report"
	"whet/runner"
	"whet/themes"
)

// resultsKeys is the Results screen's key table.
type resultsKeys struct {
	nav         navKeys
	Left, Right key.Binding
	Open        key.Binding
	Rows        key.Binding
	Sort        key.Binding
	Filter      key.Binding
	Compare     key.Binding
	Export      key.Binding
	History     key.Binding
	Reload      key.Binding
	Back        key.Binding
	// In a cell's detail.
	NextResult, PrevResult key.Binding
	Rate, Pass, Fail, Note key.Binding // Rate: 1–5, after RateArm
	RateArm                key.Binding
	// While filtering.
	Accept, Cancel key.Binding
}

func newResultsKeys() resultsKeys {
	return resultsKeys{
		nav:        newNavKeys(),
		Left:       key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "column left")),
		Right:      key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "column right")),
		Open:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "detail")),
		Rows:       key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rows: versions/cases")),
		Sort:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort")),
		Filter:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter rows")),
		Compare:    key.NewBinding(key.WithKeys("C"), key.WithHelp("C", "compare")),
		Export:     key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export")),
		History:    key.NewBinding(key.WithKeys("H"), key.WithHelp("H", "runs of this prompt")),
		Reload:     key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reload")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		NextResult: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next result")),
		PrevResult: key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous result")),
		Rate:       key.NewBinding(key.WithKeys("1", "2", "3", "4", "5"), key.WithHelp("1–5", "rate")),
		RateArm:    key.NewBinding(key.WithKeys("v"), key.WithHelp("v 1–5", "rate")),
		Pass:       key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pass")),
		Fail:       key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "fail")),
		Note:       key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "note")),
		Accept:     key.NewBinding(key.WithKeys("enter", "down", "up"), key.WithHelp("enter", "keep filter")),
		Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
	}
}

// Results messages.
type (
	// resultsOpenMsg switches to Results and shows a run: rr when the
	// caller has it loaded, else runID, else the latest run of prompt. The
	// screen switch follows the request, so that switching never starts a
	// load of its own that could overtake this one.
	resultsOpenMsg struct {
		runID  string
		prompt string
		rr     *report.RunReport
	}
	// resultsRefreshMsg reads the run on screen again (Results shown
	// again: ratings made since in the Arena or Compare change its scores).
	resultsRefreshMsg struct{}
	resultsLoadedMsg  struct {
		id      int
		rr      report.RunReport
		err     error
		refresh bool // keep the detail open
	}
	// resultsNoteMsg is the note typed for a result's human score.
	resultsNoteMsg struct {
		runID    string
		resultID int64
		note     string
	}
	// resultsRatedMsg answers saving a human score: the run's scores read
	// again after the save.
	resultsRatedMsg struct {
		id       int
		runID    string
		resultID int64
		label    string
		scores   []prompt.Score
		err      error
	}
)

func (resultsOpenMsg) target() screenID    { return screenResults }
func (resultsRefreshMsg) target() screenID { return screenResults }
func (resultsLoadedMsg) target() screenID  { return screenResults }
func (resultsNoteMsg) target() screenID    { return screenResults }
func (resultsRatedMsg) target() screenID   { return screenResults }

// resCol is a matrix column: a target, or in case rows of a run with
// several versions, a version on a target.
type resCol struct {
	label     string
	versionID int64 // 0: the row's version
	target    string
}

// resRow is a matrix row: a version, or a case.
type resRow struct {
	label     string
	versionID int64
	caseIdx   int // -1 for version rows
	cells     []eval.Group
	has       []bool
}

// resSort orders the rows.
type resSort int

const (
	sortRun  resSort = iota // the run's order
	sortDesc                // the selected column, best first
	sortAsc                 // the selected column, worst first
)

func (s resSort) String() string {
	switch s {
	case sortDesc:
		return "column, best first"
	case sortAsc:
		return "column, worst first"
	}
	return "run order"
}

// resultsModel shows one run as a matrix: rows are versions (or cases),
// columns targets; each cell is coloured by pass rate, mean score or error
// rate and shows n. Enter opens a cell's results.
type resultsModel struct {
	sh   *shared
	keys resultsKeys
	w, h int
	// rateArmed: v was pressed in a detail, so the next 1–5 rates the
	// selected result (otherwise digits switch screens, as everywhere).
	rateArmed bool

	req     int
	loading bool
	err     string
	loaded  bool
	asked   string // the prompt whose latest run was last asked for
	left    bool   // esc left the run being read: back from no run shows Runs as they were
	rr      report.RunReport
	cells   []prompt.Result // one per cell
	scores  map[int64]map[string]prompt.Score

	byCase    bool
	sort      resSort
	filter    textinput.Model
	filtering bool

	cols []resCol
	rows []resRow
	// longest is the widest row label (at least 8), and kinds the
	// metrics the cells show (the legend's parts), found once when the
	// rows are built: a run of 100,000 cases went through them all
	// several times a frame.
	longest int
	kinds   legendKinds
	vis     []int // indexes into rows, filtered and sorted
	row     int   // index into vis
	col     int
	rowOff  int
	colOff  int

	// The cell detail.
	drill      bool
	drillTitle string
	drillLines []string
	drillStart []int   // the first line of each result
	drillIDs   []int64 // the stored id of each result
	drillSel   int     // the selected result, which 1-5, p, f and m rate
	drillOff   int

	rateReq int // the latest human score saved
}

func newResults(sh *shared) resultsModel {
	ti := textinput.New()
	ti.Prompt = "/ "
	ti.Placeholder = "filter rows"
	ti.SetStyles(sh.styles().TextInput)
	return resultsModel{sh: sh, keys: newResultsKeys(), filter: ti}
}

func (m resultsModel) setSize(w, h int) resultsModel {
	m.w, m.h = w, h
	sizeInput(&m.filter, max(10, w/2))
	if m.drill {
		m = m.buildDrill()
	}
	return m.clamp()
}

func (m resultsModel) applyTheme() resultsModel {
	m.filter.SetStyles(m.sh.styles().TextInput)
	if m.drill {
		m = m.buildDrill()
	}
	return m
}

// empty reports whether nothing was asked of the screen yet.
func (m resultsModel) empty() bool { return m.req == 0 }

// failedFor reports whether the screen shows why another prompt's latest
// run could not be shown (it has none yet): shown again with name
// selected, it tries name's.
func (m resultsModel) failedFor(name string) bool {
	return !m.empty() && !m.loading && !m.loaded && m.asked != "" && name != m.asked
}

func (m resultsModel) capturesText() bool { return m.filtering }

// waiting reports whether the screen waits for the run it opens (not for
// one it reads again to refresh): keys typed meanwhile act on it (hold.go).
func (m resultsModel) waiting() bool { return m.loading }

// abandon forgets the run being read (esc, hold.go): its answer is
// dropped; the run shown while it was read (none, or the one shown
// before) stays, and back from no run goes to Runs as they were.
func (m resultsModel) abandon() resultsModel {
	m.req++
	m.loading, m.left = false, true
	return m
}

// claims reports whether Results takes a key that is otherwise global: 1–5
// right after v rate the selected result in a cell's detail.
func (m resultsModel) claims(msg tea.KeyPressMsg) bool {
	return m.rateArmed && m.loaded && m.drill && !m.filtering && key.Matches(msg, m.keys.Rate)
}

// open shows a run; see resultsOpenMsg.
func (m resultsModel) open(msg resultsOpenMsg) (resultsModel, tea.Cmd) {
	m.req++
	m.asked = msg.prompt
	m.drill, m.filtering, m.left = false, false, false
	if msg.rr != nil {
		m.loading = false
		return m.setReport(*msg.rr), nil
	}
	m.loading, m.err = true, ""
	id, runID, name, now := m.req, msg.runID, msg.prompt, m.sh.now()
	return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		if runID == "" {
			var err error
			runID, err = latestRunID(ctx, st, name)
			if errors.Is(err, errNoRuns) {
				return resultsLoadedMsg{id: id, err: errors.New(name + " has no runs yet: run it in the Arena (4) or with whet run " + name + " -m echo")}
			}
			if err != nil {
				return resultsLoadedMsg{id: id, err: err}
			}
		}
		rr, err := loadRunReport(ctx, st, runID, now)
		return resultsLoadedMsg{id: id, rr: rr, err: err}
	})
}

func (m resultsModel) reload() (resultsModel, tea.Cmd) {
	if !m.loaded {
		return m, nil
	}
	return m.open(resultsOpenMsg{runID: m.rr.Run.ID})
}

// refresh reads the run on screen again, keeping the cursor, the sort, the
// filter and the open detail; the run on screen stays until it is read.
func (m resultsModel) refresh() (resultsModel, tea.Cmd) {
	if !m.loaded || m.loading {
		return m, nil
	}
	m.req++
	id, runID, now := m.req, m.rr.Run.ID, m.sh.now()
	return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		rr, err := loadRunReport(ctx, st, runID, now)
		return resultsLoadedMsg{id: id, rr: rr, err: err, refresh: true}
	})
}

// setReport shows rr, keeping the cursor where the same run is reloaded.
func (m resultsModel) setReport(rr report.RunReport) resultsModel {
	same := m.loaded && m.rr.Run.ID == rr.Run.ID
	m.rr = rr
	m.loaded = true
	m.err = ""
	m.cells = report.CellResults(rr.Results)
	m.scores = report.LatestScores(rr.Scores)
	if !same {
		m.row, m.col, m.rowOff, m.colOff = 0, 0, 0, 0
		m.sort = sortRun
		m.filter.SetValue("")
	}
	m = m.buildMatrix()
	if m.drill {
		m = m.buildDrill()
	}
	return m.clamp()
}

// Update handles the Results screen's keys and messages.
func (m resultsModel) Update(msg tea.Msg) (resultsModel, tea.Cmd) {
	switch msg := msg.(type) {
	case resultsOpenMsg:
		m, cmd := m.open(msg)
		return m, tea.Batch(cmd, m.sh.post(showScreenMsg{to: screenResults}))
	case resultsRefreshMsg:
		return m.refresh()
	case resultsLoadedMsg:
		if msg.id != m.req {
			return m, nil
		}
		if msg.refresh && msg.err != nil {
			return m, notifyErr(errors.New(m.sh.errText(msg.err)))
		}
		m.loading = false
		if msg.err != nil {
			m.err = m.sh.errText(msg.err)
			m.loaded = false
			return m, nil
		}
		msg.rr.Unpriced = runner.Unpriced(m.sh.targets, msg.rr.Run.Targets)
		return m.setReport(msg.rr), nil
	case resultsNoteMsg:
		return m.onNote(msg)
	case resultsRatedMsg:
		return m.onRated(msg)
	case tea.KeyPressMsg:
		if m.filtering {
			return m.updateFilter(msg)
		}
		return m.updateKeys(msg)
	case tea.PasteMsg:
		if m.filtering {
			return m.updateFilter(msg)
		}
	case tea.MouseWheelMsg:
		step := 0
		switch msg.Button {
		case tea.MouseWheelDown:
			step = 1
		case tea.MouseWheelUp:
			step = -1
		}
		if m.drill {
			m.drillOff = clamp(m.drillOff+3*step, 0, m.drillMax())
			return m.followScroll(), nil
		}
		m.row += step
		return m.clamp(), nil
	case tea.MouseClickMsg:
		if m.drill || msg.Button != tea.MouseLeft {
			return m, nil
		}
		if r, c, ok := m.cellAt(msg.X, msg.Y); ok {
			if r == m.row && c == m.col {
				return m.openDrill()
			}
			m.row, m.col = r, c
			return m.clamp(), nil
		}
		return m, nil
	}
	if m.filtering {
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m resultsModel) updateFilter(msg tea.Msg) (resultsModel, tea.Cmd) {
	if km, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(km, m.keys.Cancel):
			m.filter.SetValue("")
			m.filter.Blur()
			m.filtering = false
			return m.refilter(), nil
		case key.Matches(km, m.keys.Accept):
			m.filter.Blur()
			m.filtering = false
			if km.String() != "enter" {
				return m.updateKeys(km)
			}
			return m, nil
		}
	}
	before := m.filter.Value()
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(msg)
	if m.filter.Value() != before {
		m.row = 0
		m = m.refilter()
	}
	return m, cmd
}

func (m resultsModel) updateKeys(msg tea.KeyPressMsg) (resultsModel, tea.Cmd) {
	k := m.keys
	if m.drill {
		armed := m.rateArmed
		m.rateArmed = false // v arms the next key only
		if armed && !key.Matches(msg, m.keys.Rate) {
			return m, notify("not rated: after v, press 1–5")
		}
		return m.updateDrill(msg)
	}
	if key.Matches(msg, k.Back) {
		if m.filter.Value() != "" {
			m.filter.SetValue("")
			return m.refilter(), nil
		}
		if !m.loaded && (m.left || m.asked == "") {
			// Left while read, or a run asked for from Runs that could
			// not be read: Runs as they were.
			return m, m.sh.post(showScreenMsg{to: screenHistory})
		}
		if m.loaded && m.asked == "" {
			// A run opened from Runs: back to Runs as they were (all
			// runs stay all runs), read again.
			return m, m.sh.post(showScreenMsg{to: screenHistory})
		}
		name := m.asked // a prompt's latest run that could not be shown (none yet): its runs
		if m.loaded {
			name = runPrompt(m.rr.Run)
		}
		return m, m.sh.post(historyOpenMsg{prompt: name, keep: true})
	}
	if !m.loaded {
		if key.Matches(msg, k.Open, k.Compare, k.Export, k.Rows, k.Sort, k.Filter) {
			return m, notify("no run open: choose one in Runs (enter), or press s on a prompt in the Library")
		}
		return m, nil
	}
	if r, ok := k.nav.move(msg, m.row, len(m.vis), m.matrixRows()-1); ok {
		m.row = r
		return m.clamp(), nil
	}
	switch {
	case key.Matches(msg, k.Left):
		m.col--
		return m.resort().clamp(), nil
	case key.Matches(msg, k.Right):
		m.col++
		return m.resort().clamp(), nil
	case key.Matches(msg, k.Open):
		return m.openDrill()
	case key.Matches(msg, k.Rows):
		m.byCase = !m.byCase
		m.row, m.col, m.rowOff, m.colOff = 0, 0, 0, 0
		m.sort = sortRun
		return m.buildMatrix().clamp(), nil
	case key.Matches(msg, k.Sort):
		m.sort = (m.sort + 1) % 3
		return m.resort().clamp(), nil
	case key.Matches(msg, k.Filter):
		m.filtering = true
		return m, m.filter.Focus()
	case key.Matches(msg, k.Reload):
		return m.reload()
	case key.Matches(msg, k.History):
		return m, m.sh.post(historyOpenMsg{prompt: runPrompt(m.rr.Run)})
	case key.Matches(msg, k.Compare):
		rr := m.rr
		target := ""
		if m.col < len(m.cols) {
			target = m.cols[m.col].target
		}
		return m, m.sh.post(compareOpenMsg{rr: &rr, onTarget: target, back: screenResults})
	case key.Matches(msg, k.Export):
		rr := m.rr
		return m, openExport(m.sh, exportSource{run: &rr, prompt: runPrompt(rr.Run), runID: rr.Run.ID})
	}
	return m, nil
}

func (m resultsModel) updateDrill(msg tea.KeyPressMsg) (resultsModel, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Back):
		m.drill = false
		return m, nil
	case key.Matches(msg, k.NextResult):
		return m.selectResult(m.drillSel + 1), nil
	case key.Matches(msg, k.PrevResult):
		return m.selectResult(m.drillSel - 1), nil
	case key.Matches(msg, k.RateArm):
		m.rateArmed = true
		return m, notify("press 1–5 to rate this result (any other key cancels)")
	case key.Matches(msg, k.Rate):
		n := int(msg.Code - '0')
		return m.rate(float64(n-1)/4, nil, itoa(n)+"/5")
	case key.Matches(msg, k.Pass):
		pass := true
		return m.rate(1, &pass, "pass")
	case key.Matches(msg, k.Fail):
		pass := false
		return m.rate(0, &pass, "fail")
	case key.Matches(msg, k.Note):
		return m.askNote()
	case key.Matches(msg, k.Export):
		rr := m.rr
		return m, openExport(m.sh, exportSource{run: &rr, prompt: runPrompt(rr.Run), runID: rr.Run.ID})
	}
	if off, ok := k.nav.move(msg, m.drillOff, m.drillMax()+1, m.drillRows()-1); ok {
		m.drillOff = off
		m = m.followScroll()
	}
	return m, nil
}

// selectResult selects the i-th result of the detail and scrolls to it.
func (m resultsModel) selectResult(i int) resultsModel {
	if len(m.drillStart) == 0 {
		return m
	}
	i = clamp(i, 0, len(m.drillStart)-1)
	if i == m.drillSel {
		return m
	}
	m.drillSel = i
	m.drillOff = min(m.drillStart[i], m.drillMax())
	return m.buildDrill()
}

// followScroll moves the selection to the result at the top of the view
// when scrolling has taken the selected result out of sight.
func (m resultsModel) followScroll() resultsModel {
	if len(m.drillStart) == 0 || m.drillSel >= len(m.drillStart) {
		return m
	}
	start, end := m.drillStart[m.drillSel], len(m.drillLines)
	if m.drillSel+1 < len(m.drillStart) {
		end = m.drillStart[m.drillSel+1]
	}
	if end > m.drillOff && start < m.drillOff+m.drillRows() {
		return m
	}
	sel := 0
	for i, s := range m.drillStart {
		if s <= m.drillOff {
			sel = i
		}
	}
	if sel == m.drillSel {
		return m
	}
	m.drillSel = sel
	return m.buildDrill()
}

// caseLines says what case i of run is about, under its name (caseName),
// one line each, indented by two and cut to w cells: its description (the
// name a case imported from promptfoo has, whose tests have a description
// but none), its variables and its expected output, those it has. Results'
// detail and Compare both show a case this way.
func caseLines(st *themes.Styles, run prompt.Run, i, w int) []string {
	if i < 0 || i >= len(run.Cases) {
		return nil
	}
	cs := run.Cases[i]
	var lines []string
	if cs.Description != "" {
		lines = append(lines, "  "+st.LabelKey.Render("description ")+st.Muted.Render(trunc(oneLine(cs.Description), w-14)))
	}
	if len(cs.Vars) > 0 {
		var vs []string
		for _, k := range prompt.SortedKeys(cs.Vars) {
			vs = append(vs, k+"="+cs.Vars[k])
		}
		lines = append(lines, "  "+st.LabelKey.Render("vars ")+st.Muted.Render(trunc(oneLine(strings.Join(vs, " · ")), w-7)))
	}
	if cs.Expected != "" {
		lines = append(lines, "  "+st.LabelKey.Render("expected ")+st.Muted.Render(trunc(oneLine(cs.Expected), w-11)))
	}
	return lines
}

// humanScorer names the scores people give from the TUI.
const humanScorer = report.ScorerHuman

// rate saves a human score for the selected result, keeping the note of
// its current human score; label says the rating in the notice.
func (m resultsModel) rate(value float64, pass *bool, label string) (resultsModel, tea.Cmd) {
	id, ok := m.selectedResultID()
	if !ok {
		return m, notify("no result selected")
	}
	note := m.scores[id][humanScorer].Reason
	return m.saveScore(prompt.Score{ResultID: id, Scorer: humanScorer, Value: value, Pass: pass, Reason: note, Author: m.sh.author}, label)
}

// saveScore adds sc in a command and reads the run's scores again.
func (m resultsModel) saveScore(sc prompt.Score, label string) (resultsModel, tea.Cmd) {
	m.rateReq++
	id, runID := m.rateReq, m.rr.Run.ID
	return m, tea.Batch(emit(jobMsg{1}), m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		msg := resultsRatedMsg{id: id, runID: runID, resultID: sc.ResultID, label: label}
		if msg.err = st.AddScores(ctx, []prompt.Score{sc}); msg.err == nil {
			msg.scores, msg.err = st.Scores(ctx, runID)
		}
		return msg
	}))
}

// askNote opens a dialog for the note on the selected result's human score.
func (m resultsModel) askNote() (resultsModel, tea.Cmd) {
	id, ok := m.selectedResultID()
	if !ok {
		return m, notify("no result selected")
	}
	cur, ok := m.scores[id][humanScorer]
	if !ok {
		return m, notify("rate it first (v then 1–5, p or f); the note goes with the rating")
	}
	runID := m.rr.Run.ID
	return m, m.sh.open(newInput(m.sh, "Note on result "+itoa(int(id)),
		"Why "+humanRating(cur)+"? It is saved with the rating.", "correct but too long", cur.Reason, nil,
		func(s string) tea.Msg { return resultsNoteMsg{runID: runID, resultID: id, note: s} }))
}

// onNote saves the typed note with the result's current human score.
func (m resultsModel) onNote(msg resultsNoteMsg) (resultsModel, tea.Cmd) {
	if !m.loaded || msg.runID != m.rr.Run.ID {
		return m, nil
	}
	cur, ok := m.scores[msg.resultID][humanScorer]
	if !ok {
		return m, notify("rate it first (v then 1–5, p or f); the note goes with the rating")
	}
	sc := prompt.Score{ResultID: msg.resultID, Scorer: humanScorer, Value: cur.Value, Pass: cur.Pass,
		Reason: msg.note, Author: m.sh.author}
	return m.saveScore(sc, humanRating(cur)+" with a note")
}

// onRated shows the saved score: the notice, and the run's scores read again.
func (m resultsModel) onRated(msg resultsRatedMsg) (resultsModel, tea.Cmd) {
	done := emit(jobMsg{-1})
	if msg.err != nil {
		return m, tea.Batch(done, notifyErr(errors.New("rating result "+itoa(int(msg.resultID))+": "+msg.err.Error())))
	}
	notice := notify("rated result " + itoa(int(msg.resultID)) + ": " + msg.label)
	if msg.id != m.rateReq || !m.loaded || msg.runID != m.rr.Run.ID {
		return m, tea.Batch(done, notice)
	}
	rr := m.rr
	rr.Scores = msg.scores
	return m.setReport(rr), tea.Batch(done, notice)
}

// selectedResultID is the stored id of the detail's selected result.
func (m resultsModel) selectedResultID() (int64, bool) {
	if !m.drill || m.drillSel < 0 || m.drillSel >= len(m.drillIDs) || m.drillIDs[m.drillSel] == 0 {
		return 0, false
	}
	return m.drillIDs[m.drillSel], true
}

// humanRating says a human score as it was given: pass, fail or n/5.
func humanRating(s prompt.Score) string {
	if s.Pass != nil {
		if *s.Pass {
			return "pass"
		}
		return "fail"
	}
	return itoa(int(s.Value*4+1.5)) + "/5"
}

// buildMatrix computes the rows and columns from the report.
func (m resultsModel) buildMatrix() resultsModel {
	run := m.rr.Run
	targets := slices.Clone(run.Targets)
	versions := slices.Clone(run.Versions)
	seenT := map[string]bool{}
	for _, t := range targets {
		seenT[t] = true
	}
	seenV := map[int64]bool{}
	for _, v := range versions {
		seenV[v.VersionID] = true
	}
	maxCase := len(run.Cases) - 1
	for _, r := range m.cells {
		if !seenT[r.Target] {
			seenT[r.Target] = true
			targets = append(targets, r.Target)
		}
		if !seenV[r.VersionID] {
			seenV[r.VersionID] = true
			versions = append(versions, prompt.RunVersion{VersionID: r.VersionID})
		}
		maxCase = max(maxCase, r.Case)
	}
	name := runPrompt(run)
	vlabel := func(v prompt.RunVersion) string {
		switch {
		case v.Prompt == "":
			return "version #" + itoa(int(v.VersionID))
		case v.Prompt == name:
			return "@" + itoa(v.Number)
		}
		return v.Ref()
	}
	m.cols, m.rows = nil, nil
	type gk struct {
		v int64
		t string
	}
	index := func(gs []eval.Group) map[gk]eval.Group {
		out := map[gk]eval.Group{}
		for _, g := range gs {
			out[gk{g.Version.VersionID, g.Target}] = g
		}
		return out
	}
	if !m.byCase {
		for _, t := range targets {
			m.cols = append(m.cols, resCol{label: t, target: t})
		}
		groups := index(eval.Aggregate(m.cells, m.rr.Scores, run))
		for _, v := range versions {
			row := resRow{label: vlabel(v), versionID: v.VersionID, caseIdx: -1}
			for _, c := range m.cols {
				g, ok := groups[gk{v.VersionID, c.target}]
				row.cells = append(row.cells, g)
				row.has = append(row.has, ok)
			}
			m.rows = append(m.rows, row)
		}
	} else {
		for _, v := range versions {
			for _, t := range targets {
				label := t
				if len(versions) > 1 {
					label = vlabel(v) + " · " + t
				}
				m.cols = append(m.cols, resCol{label: label, versionID: v.VersionID, target: t})
			}
		}
		byCase := make([][]prompt.Result, maxCase+1)
		for _, r := range m.cells {
			if r.Case >= 0 {
				byCase[r.Case] = append(byCase[r.Case], r)
			}
		}
		for ci := range byCase {
			groups := index(eval.Aggregate(byCase[ci], m.rr.Scores, run))
			row := resRow{label: caseName(run, ci), caseIdx: ci}
			for _, c := range m.cols {
				g, ok := groups[gk{c.versionID, c.target}]
				row.cells = append(row.cells, g)
				row.has = append(row.has, ok)
			}
			m.rows = append(m.rows, row)
		}
	}
	m.longest, m.kinds = 8, legendKinds{}
	for _, r := range m.rows {
		m.longest = max(m.longest, lipgloss.Width(r.label))
		for i, g := range r.cells {
			if r.has[i] {
				k, _, _, _ := groupMetric(g)
				m.kinds.of[k] = true
				m.kinds.failed = m.kinds.failed || (g.FailedJudged > 0 && k != metricOK)
			}
		}
	}
	return m.refilter()
}

// legendKinds is what the legend explains: the metrics shown, and whether
// a scored cell counts failed calls.
type legendKinds struct {
	of     [metricKinds]bool
	failed bool
}

// refilter recomputes the visible rows from the filter, then sorts them.
func (m resultsModel) refilter() resultsModel {
	q := strings.ToLower(strings.TrimSpace(m.filter.Value()))
	m.vis = m.vis[:0]
	for i, r := range m.rows {
		if q == "" || strings.Contains(strings.ToLower(r.label), q) {
			m.vis = append(m.vis, i)
		}
	}
	return m.resort().clamp()
}

// resort orders the visible rows by the sort mode, keeping the cursor on
// the same row.
func (m resultsModel) resort() resultsModel {
	keep := -1
	if m.row >= 0 && m.row < len(m.vis) {
		keep = m.vis[m.row]
	}
	col := clamp(m.col, 0, len(m.cols)-1)
	value := func(i int) float64 {
		r := m.rows[i]
		if col >= len(r.cells) || !r.has[col] {
			return -1
		}
		_, v, _, _ := groupMetric(r.cells[col])
		return v
	}
	slices.SortStableFunc(m.vis, func(a, b int) int {
		switch m.sort {
		case sortDesc:
			va, vb := value(a), value(b)
			if va != vb {
				if va > vb {
					return -1
				}
				return 1
			}
		case sortAsc:
			va, vb := value(a), value(b)
			// Rows without a value stay last.
			if va != vb {
				switch {
				case va < 0:
					return 1
				case vb < 0:
					return -1
				case va < vb:
					return -1
				}
				return 1
			}
		}
		return a - b
	})
	for i, r := range m.vis {
		if r == keep {
			m.row = i
		}
	}
	return m
}

// groupMetric reads how a group is measured: pass rate when some results
// carry a verdict, else mean score when some are scored, else the share
// without errors; with the value, its 95% interval over cases as
// Aggregate computes it (the one `whet runs show` and the reports give;
// [0,1] for the share without errors, shown without one).
func groupMetric(g eval.Group) (metricKind, float64, float64, float64) {
	switch {
	case g.N == 0:
		return metricNone, -1, 0, 0
	case g.Judged > 0:
		return metricPass, g.PassRate, g.PassLo, g.PassHi
	case g.Scored > 0:
		return metricScore, g.MeanScore, g.ScoreLo, g.ScoreHi
	}
	// The share without errors is shown without an interval (cellText).
	return metricOK, float64(g.N-g.Errors) / float64(g.N), 0, 1
}

// cellText renders a group in at most w cells: the value, its interval
// when there is room, and n, the results the value is over (those with a
// verdict for a pass rate, those scored for a mean score).
func cellText(g eval.Group, w int) string {
	kind, v, lo, hi := groupMetric(g)
	var val, ci string
	n := " n=" + itoa(g.N)
	switch kind {
	case metricNone:
		return "—"
	case metricPass:
		val = pctText(v)
		ci = " [" + strings.TrimSuffix(pctText(lo), "%") + "–" + pctText(hi) + "]"
		n = " n=" + itoa(g.Judged)
	case metricScore:
		val = scoreText(v)
		ci = " [" + scoreText(lo) + "–" + scoreText(hi) + "]"
		n = " n=" + itoa(g.Scored)
	case metricOK:
		val = "err " + pctText(1-v)
		ci = ""
	}
	failed := ""
	if g.FailedJudged > 0 && kind != metricOK {
		failed = " ✗" + itoa(g.FailedJudged) // failed calls graded as fails
	}
	switch {
	case failed != "" && len([]rune(val+ci+n+failed)) <= w:
		return val + ci + n + failed
	case len([]rune(val+ci+n)) <= w:
		return val + ci + n
	case len([]rune(val+n)) <= w:
		return val + n
	}
	return val
}

// Layout: a title, a status line, a blank, the header row and the rows,
// the legend at the bottom (one line, or two on a narrow screen).
const resultsTop = 4

func (m resultsModel) matrixRows() int { return max(1, m.h-resultsTop-m.legendLines()) }

func (m resultsModel) labelWidth() int {
	return clamp(max(m.longest, 8)+2, 10, max(10, m.w/3))
}

func (m resultsModel) colWidth() int {
	n := max(1, len(m.cols))
	avail := m.w - m.labelWidth()
	return clamp(avail/n, 16, 26)
}

// visibleCols is how many columns fit.
func (m resultsModel) visibleCols() int {
	return max(1, (m.w-m.labelWidth())/m.colWidth())
}

func (m resultsModel) clamp() resultsModel {
	m.row = clamp(m.row, 0, len(m.vis)-1)
	m.col = clamp(m.col, 0, len(m.cols)-1)
	rows := m.matrixRows()
	if m.row < m.rowOff {
		m.rowOff = m.row
	}
	if m.row >= m.rowOff+rows {
		m.rowOff = m.row - rows + 1
	}
	m.rowOff = clamp(m.rowOff, 0, max(0, len(m.vis)-rows))
	vc := m.visibleCols()
	if m.col < m.colOff {
		m.colOff = m.col
	}
	if m.col >= m.colOff+vc {
		m.colOff = m.col - vc + 1
	}
	m.colOff = clamp(m.colOff, 0, max(0, len(m.cols)-vc))
	m.drillOff = clamp(m.drillOff, 0, m.drillMax())
	return m
}

// cellAt maps a click to a (row, column) of the matrix.
func (m resultsModel) cellAt(x, y int) (int, int, bool) {
	r := m.rowOff + y - resultsTop
	if y < resultsTop || r < 0 || r >= len(m.vis) {
		return 0, 0, false
	}
	lw := m.labelWidth()
	if x < lw {
		return r, m.col, true
	}
	c := m.colOff + (x-lw)/m.colWidth()
	if c >= len(m.cols) {
		return 0, 0, false
	}
	return r, c, true
}

// selectedCell is the group under the cursor and the results it covers.
func (m resultsModel) selectedCell() (resRow, resCol, []prompt.Result, bool) {
	if m.row >= len(m.vis) || m.col >= len(m.cols) {
		return resRow{}, resCol{}, nil, false
	}
	r, c := m.rows[m.vis[m.row]], m.cols[m.col]
	var out []prompt.Result
	for _, res := range m.cells {
		v := c.versionID
		if v == 0 {
			v = r.versionID
		}
		if res.VersionID != v || res.Target != c.target {
			continue
		}
		if r.caseIdx >= 0 && res.Case != r.caseIdx {
			continue
		}
		out = append(out, res)
	}
	slices.SortFunc(out, func(a, b prompt.Result) int {
		if a.Case != b.Case {
			return a.Case - b.Case
		}
		return a.Repeat - b.Repeat
	})
	return r, c, out, true
}

// openDrill shows every result of the selected cell; a cell without one
// says why rather than doing nothing.
func (m resultsModel) openDrill() (resultsModel, tea.Cmd) {
	_, _, res, ok := m.selectedCell()
	if !ok {
		return m, nil
	}
	if len(res) == 0 {
		run := m.rr.Run
		switch run.Status {
		case prompt.RunInterrupted:
			return m, notify("not run yet: run " + run.ID + " was interrupted (whet run --resume " + run.ID + ")")
		case prompt.RunRunning:
			return m, notify("no result here yet: run " + run.ID + " is still running")
		}
		return m, notify("no result here")
	}
	m.drill = true
	m.drillOff, m.drillSel = 0, 0
	return m.buildDrill(), nil
}

func (m resultsModel) drillRows() int { return max(1, m.h-2) }
func (m resultsModel) drillMax() int  { return max(0, len(m.drillLines)-m.drillRows()) }

// notRun counts a cell's planned results that are not among results (one
// case's, when caseIdx >= 0) and names their cases, in plan order.
func notRun(run prompt.Run, caseIdx int, results []prompt.Result) (int, []string) {
	reps := max(1, run.Repeat)
	cases := max(1, len(run.Cases))
	have := map[[2]int]bool{}
	for _, res := range results {
		have[[2]int{res.Case, res.Repeat}] = true
	}
	n := 0
	var names []string
	for c := range cases {
		if caseIdx >= 0 && c != caseIdx {
			continue
		}
		missing := false
		for rep := range reps {
			if !have[[2]int{c, rep}] {
				n++
				missing = true
			}
		}
		if missing {
			names = append(names, caseName(run, c))
		}
	}
	return n, names
}

// buildDrill lays out every result of the selected cell: its case and
// repeat, timing and tokens, output or error, and each score with its
// scorer and reason.
func (m resultsModel) buildDrill() resultsModel {
	st := m.sh.styles()
	r, c, results, ok := m.selectedCell()
	if !ok {
		m.drill = false
		return m
	}
	run := m.rr.Run
	vid := c.versionID
	if vid == 0 {
		vid = r.versionID
	}
	m.drillTitle = runVersionRef(run, vid) + " × " + c.target
	if r.caseIdx >= 0 {
		m.drillTitle += " · " + caseName(run, r.caseIdx)
	}
	m.drillTitle += " · " + plural(len(results), "result")
	w := max(20, m.w)
	var lines []string
	m.drillStart = m.drillStart[:0]
	m.drillIDs = m.drillIDs[:0]
	m.drillSel = clamp(m.drillSel, 0, len(results)-1)
	if run.Status == prompt.RunInterrupted || run.Status == prompt.RunRunning {
		// The cases this cell has no result for yet would be missing
		// from the list without a word.
		if n, names := notRun(run, r.caseIdx, results); n > 0 {
			what := "not run yet: " + itoa(n) + " of " + plural(n+len(results), "result") + " (" + strings.Join(names, ", ") + ")"
			if run.Status == prompt.RunInterrupted {
				what += "; the run was interrupted: whet run --resume " + run.ID + " finishes it"
			} else {
				what += "; the run is still running"
			}
			for _, l := range strings.Split(wrapLine(oneLine(what), w-2), "\n") {
				lines = append(lines, "  "+st.Warn.Render(strings.TrimRight(l, " ")))
			}
			lines = append(lines, "")
		}
	}
	for i, res := range results {
		m.drillStart = append(m.drillStart, len(lines))
		m.drillIDs = append(m.drillIDs, res.ID)
		head := caseName(run, res.Case)
		if run.Repeat > 1 || res.Repeat > 0 {
			head += " #" + itoa(res.Repeat+1)
		}
		scores := m.scores[res.ID]
		mark := st.OK.Render("✓")
		if !res.OK() {
			mark = st.Error.Render("✗ error")
		} else if pass, ok := report.ResultVerdict(scores); ok { // a person's over the suite's
			if pass {
				mark = st.OK.Render("✓ pass")
			} else {
				mark = st.Error.Render("✗ fail")
			}
		}
		meta := latencyText(res.Latency) + " · " + itoa(res.TokensIn) + "→" + itoa(res.TokensOut) + " tok"
		if tps := res.TokensPerSecond(); tps > 0 && res.Latency-res.TTFT >= 10*time.Millisecond {
			meta += " · " + itoa(int(tps+0.5)) + " tok/s"
		}
		if res.TTFT > 0 {
			meta += " · ttft " + latencyText(res.TTFT)
		}
		if res.Cost > 0 {
			meta += " · " + usdText(res.Cost)
		}
		if res.CacheHit {
			meta += " · cached"
		}
		// An answer cut short (length) or filtered says so before the
		// figures, in the warning style, as the Arena does.
		unfinished := ""
		if res.FinishReason != "" && res.FinishReason != "stop" && res.Error == "" {
			unfinished = st.Warn.Render(oneLine(res.FinishReason)) + "  "
		}
		cursor := "  "
		if i == m.drillSel {
			cursor = st.Cursor.Render("▌ ")
		}
		lines = append(lines, trunc(cursor+mark+" "+st.Title.Render(oneLine(head))+"  "+unfinished+st.Muted.Render(meta), w))
		lines = append(lines, caseLines(st, run, res.Case, w)...)
		if res.Error != "" {
			for _, l := range strings.Split(wrapLine(sanitize(res.Error), w-2), "\n") {
				lines = append(lines, "  "+st.Error.Render(strings.TrimRight(l, " ")))
			}
		}
		if res.Output != "" || res.Error == "" {
			text := sanitize(strings.ReplaceAll(res.Output, "\t", "    "))
			switch {
			case text == "":
				lines = append(lines, "  "+st.Muted.Render("(empty output)"))
			case strings.TrimSpace(text) == "":
				// Blank lines alone would read as nothing shown.
				lines = append(lines, "  "+st.Muted.Render("(white space only: "+plural(utf8.RuneCountInString(sanitize(res.Output)), "character")+")"))
				text = ""
			}
			for _, l := range strings.Split(text, "\n") {
				if text == "" {
					break
				}
				for _, wl := range strings.Split(wrapLine(l, w-2), "\n") {
					lines = append(lines, "  "+st.Base.Render(strings.TrimRight(wl, " ")))
				}
			}
		}
		for _, name := range scorerOrder(scores) {
			s := scores[name]
			verdict := ""
			style := goodness(m.sh, s.Value)
			if s.Pass != nil {
				if *s.Pass {
					verdict = " pass"
					style = st.OK.Render
				} else {
					verdict = " fail"
					style = st.Error.Render
				}
			}
			if name == humanScorer && s.Pass == nil {
				verdict = " (" + humanRating(s) + ")"
			}
			by := ""
			if name == humanScorer && s.Author != "" {
				by = st.Muted.Render(" by " + oneLine(s.Author))
			}
			if _, suite := scores[eval.ScorerSuite]; name == humanScorer && suite {
				// The statistics read the rating, not the suite's grade.
				by += st.Muted.Render(" · overrides suite")
			}
			line := "  " + st.LabelKey.Render(oneLine(name)) + " " + style(scoreText(s.Value)+verdict) + by
			if s.Reason == "" {
				lines = append(lines, trunc(line, w))
				continue
			}
			// The reason wraps under the score, indented.
			head := lipgloss.Width(line) + 3
			if head > w/2 {
				lines = append(lines, line)
				for _, l := range strings.Split(wrapLine(oneLine(s.Reason), w-6), "\n") {
					lines = append(lines, "      "+st.Muted.Render(strings.TrimRight(l, " ")))
				}
				continue
			}
			for i, l := range strings.Split(wrapLine(oneLine(s.Reason), w-head), "\n") {
				l = strings.TrimRight(l, " ")
				if i == 0 {
					lines = append(lines, line+st.Muted.Render(" — "+l))
				} else {
					lines = append(lines, strings.Repeat(" ", head)+st.Muted.Render(l))
				}
			}
		}
		lines = append(lines, "")
	}
	m.drillLines = lines
	m.drillOff = clamp(m.drillOff, 0, m.drillMax())
	return m
}

// scorerOrder lists a result's scorers: the suite's aggregate first, then
// by name.
func scorerOrder(scores map[string]prompt.Score) []string {
	rank := func(name string) int {
		switch name {
		case humanScorer: // a person's rating overrides the rest
			return 0
		case eval.ScorerSuite:
			return 1
		}
		return 2
	}
	names := prompt.SortedKeys(scores)
	slices.SortStableFunc(names, func(a, b string) int { return cmp.Compare(rank(a), rank(b)) })
	return names
}

func (m resultsModel) keyTable() keyTable {
	k := m.keys
	switch {
	case m.filtering:
		return keyTable{short: []key.Binding{k.Accept, k.Cancel}, groups: [][]key.Binding{{k.Accept, k.Cancel}}}
	case m.drill:
		return keyTable{
			short:  []key.Binding{k.NextResult, k.PrevResult, k.RateArm, k.Pass, k.Fail, k.Note, k.Back, k.Export},
			groups: [][]key.Binding{k.nav.bindings(), {k.NextResult, k.PrevResult, k.Export, k.Back}, {k.RateArm, k.Pass, k.Fail, k.Note}},
		}
	case !m.loaded:
		// No run shown: only the way to the runs and back do something.
		return keyTable{short: []key.Binding{k.History, k.Back}, groups: [][]key.Binding{{k.History, k.Back}}}
	}
	return keyTable{
		short: []key.Binding{k.Open, k.Compare, k.Export, k.Rows, k.Sort, k.Back},
		groups: [][]key.Binding{
			append(k.nav.bindings(), k.Left, k.Right),
			{k.Open, k.Rows, k.Sort, k.Filter},
			{k.Compare, k.Export, k.History, k.Reload, k.Back},
		},
	}
}

// View draws the Results screen into its w×h area.
func (m resultsModel) View() string {
	st := m.sh.styles()
	switch {
	case m.loading && !m.loaded:
		return st.Title.Render("Results") + "\n" + st.Muted.Render("loading the run…")
	case m.err != "":
		return st.Title.Render("Results") + "\n" + hintLines(st.Error, m.err, m.w)
	case !m.loaded:
		return st.Title.Render("Results") + "\n\n" +
			hintLines(st.Muted, "No run open. Choose one in Runs (enter), or press s on a prompt in the Library.", m.w)
	}
	if m.drill {
		head := st.Title.Render(trunc(oneLine(m.drillTitle), m.w))
		end := min(len(m.drillLines), m.drillOff+m.drillRows())
		pos := ""
		if len(m.drillLines) > m.drillRows() {
			pos = st.Muted.Render(itoa(m.drillOff+1) + "–" + itoa(end) + " of " + itoa(len(m.drillLines)) + " lines")
		}
		return head + "\n" + pos + "\n" + strings.Join(m.drillLines[m.drillOff:end], "\n")
	}
	return m.headerView() + "\n" + m.matrixView() + "\n" + m.legendView()
}

// headerView is the title, the run's status line and the filter/sort line.
func (m resultsModel) headerView() string {
	st := m.sh.styles()
	run := m.rr.Run
	name := runPrompt(run)
	title := st.Title.Render("Results") + st.Muted.Render(" · ") + st.Base.Render(oneLine(name)) +
		st.Muted.Render(" · run "+run.ID)
	errs, cost := 0, 0.0
	for _, r := range m.cells {
		if !r.OK() {
			errs++
		}
		cost += r.Cost
	}
	status := string(run.Status)
	if status == "" {
		status = "?"
	}
	// The figures come first and the targets last: on a narrow screen
	// the cut falls on the targets, which the columns name anyway.
	info := status + " · " + ago(m.sh.now(), run.Created) + " · " + itoa(len(m.cells)) + "/" + itoa(run.Cells()) + " cells"
	if errs > 0 {
		info += " · " + plural(errs, "error")
	}
	switch {
	case len(m.rr.Unpriced) > 0 && cost > 0:
		info += " · ≥" + usdText(cost) // some target's price is unknown
	case len(m.rr.Unpriced) > 0:
		info += " · cost unknown"
	case cost > 0:
		info += " · " + usdText(cost)
	}
	info += " · " + plural(max(1, len(run.Cases)), "case")
	if run.Repeat > 1 {
		info += " × " + plural(run.Repeat, "repeat")
	}
	info += " · " + runRefList(run, name) + " on " + strings.Join(run.Targets, ", ")
	var bar string
	switch {
	case m.filtering:
		bar = m.filter.View()
	case m.filter.Value() != "":
		bar = st.Key.Render("/ ") + st.Base.Render(oneLine(m.filter.Value()))
	default:
		rows := "versions"
		if m.byCase {
			rows = "cases"
		}
		bar = st.Muted.Render("rows: " + rows + " · sort: " + m.sort.String())
	}
	shown := ""
	if len(m.vis) != len(m.rows) {
		shown = st.Muted.Render(itoa(len(m.vis)) + " of " + itoa(len(m.rows)) + " rows")
	}
	return trunc(title, m.w) + "\n" + st.Muted.Render(trunc(oneLine(info), m.w)) + "\n" +
		pad(bar, m.w-lipgloss.Width(shown)) + shown
}

func (m resultsModel) matrixView() string {
	st := m.sh.styles()
	lw, cw, vc := m.labelWidth(), m.colWidth(), m.visibleCols()
	endC := min(len(m.cols), m.colOff+vc)
	head := pad(st.Header.Render(""), lw)
	if m.colOff > 0 {
		head = pad(st.Muted.Render("‹ more"), lw)
	}
	for c := m.colOff; c < endC; c++ {
		label := oneLine(m.cols[c].label)
		if c == m.col {
			head += st.Title.Render(pad(" "+label, cw))
		} else {
			head += st.Header.Render(pad(" "+label, cw))
		}
	}
	if endC < len(m.cols) {
		head += st.Muted.Render(" more ›")
	}
	lines := []string{trunc(head, m.w)}
	if len(m.vis) == 0 {
		msg := "no results in this run yet"
		if len(m.rows) > 0 {
			msg = "no row matches; esc clears the filter"
		}
		lines = append(lines, st.Muted.Render("  "+msg))
	}
	end := min(len(m.vis), m.rowOff+m.matrixRows())
	for i := m.rowOff; i < end; i++ {
		r := m.rows[m.vis[i]]
		sel := i == m.row
		marker := "  "
		label := st.Base.Render(pad(oneLine(r.label), lw-2))
		if sel {
			marker = st.Cursor.Render("▌ ")
			label = st.Title.Render(pad(oneLine(r.label), lw-2))
		}
		line := marker + label
		for c := m.colOff; c < endC; c++ {
			line += m.cellView(r, c, cw, sel && c == m.col)
		}
		lines = append(lines, line)
	}
	return fitLines(strings.Join(lines, "\n"), m.w, m.matrixRows()+1)
}

// cellView draws one cell cw wide, coloured by its value.
func (m resultsModel) cellView(r resRow, c, cw int, sel bool) string {
	st := m.sh.styles()
	if c >= len(r.cells) || !r.has[c] {
		text := pad(" —", cw)
		if sel {
			return st.RowSelected.Render(text)
		}
		return st.Muted.Render(text)
	}
	g := r.cells[c]
	_, v, _, _ := groupMetric(g)
	text := pad(" "+cellText(g, cw-2), cw)
	style := st.Error
	switch {
	case v >= 0.8:
		style = st.OK
	case v >= 0.5:
		style = st.Warn
	}
	if sel {
		return style.Inherit(st.RowSelected).Render(text)
	}
	return style.Render(text)
}

// legendView says what the cells show, in legendLines lines.
func (m resultsModel) legendView() string {
	return strings.Join(m.legend(), "\n")
}

// legendLines is how many lines the legend takes: one, or two when it
// does not fit in the width.
func (m resultsModel) legendLines() int { return len(m.legend()) }

// legend is the legend's lines: its parts joined by " · ", run on to a
// second line where they do not fit in the width, never split within a
// part, and cut only where two lines are not enough.
func (m resultsModel) legend() []string {
	st := m.sh.styles()
	kinds, failed := m.kinds.of, m.kinds.failed
	var parts []string
	if kinds[metricPass] {
		parts = append(parts, st.Muted.Render("% pass rate [95% CI over cases]"))
	}
	if kinds[metricScore] {
		parts = append(parts, st.Muted.Render("0.00 mean score [95% CI over cases]"))
	}
	if kinds[metricOK] {
		parts = append(parts, st.Muted.Render("err error rate (unscored)"))
	}
	parts = append(parts, st.Muted.Render("n results"))
	if failed {
		parts = append(parts, st.Muted.Render("✗ failed calls")) // graded as fails, among the n
	}
	if !m.sh.theme.Mono {
		// The colours' key; without colours it would say nothing.
		parts = append(parts, st.OK.Render("≥0.8")+st.Muted.Render(" ")+st.Warn.Render("≥0.5")+st.Muted.Render(" ")+st.Error.Render("<0.5"))
	}
	sep := st.Muted.Render(" · ")
	lines := []string{parts[0]}
	for _, p := range parts[1:] {
		last := &lines[len(lines)-1]
		if len(lines) < 2 && lipgloss.Width(*last)+3+lipgloss.Width(p) > m.w {
			lines = append(lines, p)
			continue
		}
		*last += sep + p
	}
	for i, l := range lines {
		lines[i] = trunc(l, m.w)
	}
	return lines
}
