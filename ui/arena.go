package ui

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"whet/prompt"
	"whet/runner"
)

// The Arena runs one prompt version side by side on up to eight targets:
// arena.go holds the model, its keys and its layout; arena_picker.go the
// target picker; arena_setup.go the variables form and the case chooser;
// arena_column.go a column (its cells, wrapping and drawing);
// arena_stream.go runs, the event pump, the frame tick, ratings and notes.

// ArenaTargets is what the Arena needs of the target registry: the
// executor's view of targets, and the list the picker offers.
// *runner.Registry implements it.
type ArenaTargets interface {
	runner.Targets
	// ListTargets lists what can be run; it contacts the Ollama and
	// OpenAI-compatible servers, so the Arena calls it only inside a command.
	ListTargets(ctx context.Context) []runner.TargetInfo
	// Targets are the config's default targets (no server is asked).
	Targets() ([]runner.Target, error)
}

// ArenaTargets implements ui.ArenaTargets.
var _ ArenaTargets = (*runner.Registry)(nil)

// Arena limits.
const (
	arenaMaxTargets = 8
	arenaMaxRepeat  = 20
	arenaMinColW    = 24 // narrower columns scroll sideways instead
	arenaHeadRows   = 5  // column header lines above the rule
)

// arenaKeys is the Arena's key table.
type arenaKeys struct {
	nav navKeys
	Run key.Binding
	// Setup.
	NextField key.Binding
	PrevField key.Binding
	Toggle    key.Binding
	AddSpec   key.Binding
	Filter    key.Binding
	Reload    key.Binding
	Case      key.Binding
	More      key.Binding
	Less      key.Binding
	Back      key.Binding
	// Columns.
	Left    key.Binding
	Right   key.Binding
	Cancel  key.Binding
	Rerun   key.Binding
	Rate    key.Binding // 1–5, after RateArm
	RateArm key.Binding
	Note    key.Binding
	Copy    key.Binding
	Raw     key.Binding
	PrevRep key.Binding
	NextRep key.Binding
	Setup   key.Binding
	// While typing a filter.
	Accept      key.Binding
	ClearFilter key.Binding
}

func newArenaKeys() arenaKeys {
	return arenaKeys{
		nav:         newNavKeys(),
		Run:         key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "run")),
		NextField:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		PrevField:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		Toggle:      key.NewBinding(key.WithKeys("space", "enter"), key.WithHelp("space", "pick target")),
		AddSpec:     key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add target spec")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter targets")),
		Reload:      key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reload targets")),
		Case:        key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "case from a suite")),
		More:        key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+/-", "repeat count")),
		Less:        key.NewBinding(key.WithKeys("-"), key.WithHelp("-", "fewer repeats")),
		Back:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Left:        key.NewBinding(key.WithKeys("h", "left", "shift+tab"), key.WithHelp("h/←", "previous column")),
		Right:       key.NewBinding(key.WithKeys("l", "right", "tab"), key.WithHelp("l/tab", "next column")),
		Cancel:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel run / setup")),
		Rerun:       key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "re-run column")),
		Rate:        key.NewBinding(key.WithKeys("1", "2", "3", "4", "5"), key.WithHelp("1–5", "rate")),
		RateArm:     key.NewBinding(key.WithKeys("v"), key.WithHelp("v 1–5", "rate")),
		Note:        key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "note")),
		Copy:        key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy")),
		Raw:         key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "markdown/raw")),
		PrevRep:     key.NewBinding(key.WithKeys("["), key.WithHelp("[", "previous repeat")),
		NextRep:     key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "next repeat")),
		Setup:       key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "setup")),
		Accept:      key.NewBinding(key.WithKeys("enter", "down", "up"), key.WithHelp("enter", "keep filter")),
		ClearFilter: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
	}
}

// arenaPane is what the Arena shows: the setup form or the columns.
type arenaPane int

const (
	arenaPaneSetup arenaPane = iota
	arenaPaneColumns
)

// arenaSetupFocus is the part of the setup form that takes keys.
type arenaSetupFocus int

const (
	arenaFocusTargets arenaSetupFocus = iota
	arenaFocusVars
)

// arenaOpenMsg opens the Arena on a prompt's version (0 = latest).
type arenaOpenMsg struct {
	name    string
	version int
}

// arenaLoadedMsg answers the load of the prompt and version to run.
type arenaLoadedMsg struct {
	req     int
	prompt  prompt.Prompt
	version prompt.Version
	err     error
}

func (arenaOpenMsg) target() screenID   { return screenArena }
func (arenaLoadedMsg) target() screenID { return screenArena }

// arenaModel runs one prompt version side by side on several targets. It
// owns its runs: each is started by a command and reports through a pump
// (arena_stream.go); the cancel funcs live here.
type arenaModel struct {
	sh      *shared
	targets ArenaTargets
	keys    arenaKeys
	w, h    int
	// rateArmed: v was pressed, so the next 1–5 rates the focused output
	// (otherwise digits switch screens, as everywhere).
	rateArmed bool

	// The prompt and version to run.
	name    string
	want    int // the version asked for; 0 = latest
	prompt  prompt.Prompt
	version prompt.Version
	loaded  bool
	loadErr string
	loadReq int

	pane  arenaPane
	focus arenaSetupFocus

	picker    arenaPicker
	vars      []arenaVar
	varCursor int
	caseName  string // where the variables came from; "" = the prompt's defaults
	caseReq   int
	repeat    int

	cols     []arenaColumn
	colsOf   string // setupKey of the run the columns show
	colFocus int
	colFirst int // the first column drawn when they do not all fit
	raw      bool

	runs    []arenaRun
	nextSeq int
	frame   int // frame ticks seen; drives the spinner
	ticking bool

	// newRunID names new runs; nil lets the store choose. Tests set it so
	// that screens are reproducible.
	newRunID func() string
}

// arenaVar is one variable of the form.
type arenaVar struct {
	name  string
	input valueField
}

// newArena returns the Arena running on targets (nil: it can run nothing).
func newArena(sh *shared, targets ArenaTargets) arenaModel {
	return arenaModel{sh: sh, targets: targets, keys: newArenaKeys(), repeat: 1, picker: newArenaPicker(sh)}
}

func (m arenaModel) setSize(w, h int) arenaModel {
	m.w, m.h = w, h
	lw, _, _, _ := m.setupRects()
	m.picker = m.picker.setSize(lw-m.sh.styles().Panel.GetHorizontalFrameSize(), m.pickerRows())
	for i := range m.vars {
		sizeInput(&m.vars[i].input.Model, m.varInputWidth())
	}
	m = m.clampColumns()
	return m.rewrapAll()
}

func (m arenaModel) applyTheme() arenaModel {
	st := m.sh.styles()
	m.picker = m.picker.withFilter(func(f *textinput.Model) { f.SetStyles(st.TextInput) })
	for i := range m.vars {
		m.vars[i].input.SetStyles(st.TextInput)
	}
	return m
}

// refresh re-renders what depends on the size or the theme: the Markdown
// of finished outputs.
func (m arenaModel) refresh() (arenaModel, tea.Cmd) { return m.requestMarkdown() }

// capturesText reports whether typed letters belong to a field.
func (m arenaModel) capturesText() bool {
	return m.pane == arenaPaneSetup && (m.focus == arenaFocusVars && len(m.vars) > 0 || m.picker.filtering)
}

// claims reports whether the Arena takes a key that is otherwise global:
// 1–5 right after v rate the focused output while the columns are shown.
func (m arenaModel) claims(msg tea.KeyPressMsg) bool {
	return m.rateArmed && m.pane == arenaPaneColumns && len(m.cols) > 0 && key.Matches(msg, m.keys.Rate)
}

// empty reports whether no prompt was chosen yet.
func (m arenaModel) empty() bool { return m.name == "" }

// waiting reports whether the Arena waits for the prompt it opens: keys
// typed meanwhile act on its setup once it shows it (hold.go).
func (m arenaModel) waiting() bool { return m.name != "" && !m.loaded }

// abandon forgets the prompt being read (esc, hold.go): its answer is
// dropped, and the Arena, shown again, opens the selected prompt.
func (m arenaModel) abandon() arenaModel {
	m.loadReq++
	m.name, m.want, m.loaded = "", 0, false
	return m
}

// renamed follows a rename of the prompt in the Arena; columns of the
// current setup stay current.
func (m arenaModel) renamed(from, to string) arenaModel {
	if m.name != from {
		return m
	}
	current := m.colsOf != "" && m.colsOf == m.setupKey()
	m.name = to
	m.prompt.Name, m.version.Prompt = to, to
	if current {
		m.colsOf = m.setupKey()
	}
	return m
}

// open shows name's version (0 = latest) in the setup form, loading it,
// and loads the targets the first time.
func (m arenaModel) open(name string, version int) (arenaModel, tea.Cmd) {
	if m.running() && (name != m.name || version != m.want) {
		return m, notify("a run is in progress: esc cancels it before another prompt can be opened")
	}
	cmds := []tea.Cmd{m.sh.post(showScreenMsg{to: screenArena})}
	if name != m.name {
		m.caseName = ""
		m.loaded = false
	}
	if !m.running() {
		// The version is loaded again each time: "latest" may have moved.
		m.name, m.want = name, version
		m.loadErr = ""
		m.cols, m.colFocus, m.colFirst = nil, 0, 0
		m.pane = arenaPaneSetup
		m.loadReq++
		id := m.loadReq
		cmds = append(cmds, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
			p, err := st.GetPrompt(ctx, name)
			if err != nil {
				return arenaLoadedMsg{req: id, err: err}
			}
			v, err := st.Resolve(ctx, prompt.Ref{Name: name, Number: version})
			return arenaLoadedMsg{req: id, prompt: p, version: v, err: err}
		}))
	}
	if !m.picker.loaded && !m.picker.loading {
		var cmd tea.Cmd
		m.picker, cmd = m.picker.load(m.targets)
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// onLoaded fills the variables form: values typed earlier for the same
// names are kept, the others come from the prompt's defaults.
func (m arenaModel) onLoaded(msg arenaLoadedMsg) (arenaModel, tea.Cmd) {
	if msg.req != m.loadReq {
		return m, nil
	}
	m.loaded = true
	if msg.err != nil {
		m.loadErr = m.sh.errText(msg.err)
		return m, notifyErr(msg.err)
	}
	m.loadErr = ""
	samePrompt := m.prompt.Name == msg.prompt.Name
	m.prompt, m.version = msg.prompt, msg.version
	old := map[string]string{}
	if samePrompt {
		for _, v := range m.vars {
			old[v.name] = v.input.value()
		}
	}
	m.vars = nil
	for _, n := range m.version.Variables() {
		ti := m.newVarInput()
		val, ok := old[n]
		if !ok {
			val = m.prompt.Defaults[n]
		}
		ti.setExact(val)
		ti.CursorEnd()
		ti.dropNote = hiddenNote(n, true, "sent")
		m.vars = append(m.vars, arenaVar{name: n, input: ti})
	}
	m.varCursor = 0
	m.focus = arenaFocusTargets
	return m.setSize(m.w, m.h), nil
}

// varInputWidth is the width of a variable's field: the Variables
// panel's inside less the marker, the names and a gap before it, and the
// cursor after it, so that the end of a long value and the cursor show.
func (m arenaModel) varInputWidth() int {
	_, _, rw, _ := m.setupRects()
	return max(4, rw-m.sh.styles().Panel.GetHorizontalFrameSize()-2-m.varLabelWidth()-1-1)
}

func (m arenaModel) newVarInput() valueField {
	ti := textinput.New()
	ti.Prompt = ""
	ti.Placeholder = "value"
	ti.SetStyles(m.sh.styles().TextInput)
	ti.SetWidth(m.varInputWidth())
	return valueField{Model: ti}
}

// values are the variables as typed; empty ones are left out, so that the
// template reports them missing.
func (m arenaModel) values() map[string]string {
	out := map[string]string{}
	for _, v := range m.vars {
		if s := v.input.value(); s != "" {
			out[v.name] = s
		}
	}
	return out
}

// Update handles the Arena's keys and messages.
func (m arenaModel) Update(msg tea.Msg) (arenaModel, tea.Cmd) {
	switch msg := msg.(type) {
	case arenaOpenMsg:
		return m.open(msg.name, msg.version)
	case arenaLoadedMsg:
		return m.onLoaded(msg)
	case arenaTargetsMsg:
		m.picker = m.picker.onLoaded(msg, m.targets)
		return m, nil
	case arenaAddSpecMsg:
		var cmd tea.Cmd
		m.picker, cmd = m.picker.add(msg.spec, m.targets)
		return m, cmd
	case arenaCasesMsg:
		return m.onCases(msg)
	case arenaCaseMsg:
		return m.applyCase(msg), nil
	case arenaRunStartedMsg:
		return m.onRunStarted(msg)
	case arenaEventMsg:
		return m.onEvent(msg)
	case arenaStreamClosedMsg:
		return m.onStreamClosed(msg)
	case arenaFrameMsg:
		return m.onFrame()
	case arenaIDsMsg:
		return m.onIDs(msg), nil
	case arenaMarkdownMsg:
		return m.onMarkdown(msg), nil
	case arenaNoteMsg:
		return m.rate(msg.col, msg.spec, msg.cell, 0, msg.note, true)
	case arenaScoredMsg:
		return m.onScored(msg)
	case tea.KeyPressMsg:
		armed := m.rateArmed
		m.rateArmed = false // v arms the next key only
		if m.pane == arenaPaneColumns {
			if armed && !key.Matches(msg, m.keys.Rate) {
				return m, notify("not rated: after v, press 1–5")
			}
			return m.updateColumns(msg)
		}
		return m.updateSetup(msg)
	case tea.PasteMsg:
		if m.pane == arenaPaneSetup {
			return m.updateField(msg)
		}
		return m, nil
	case tea.MouseClickMsg:
		return m.click(msg)
	case tea.MouseWheelMsg:
		return m.wheel(msg)
	}
	if m.capturesText() {
		return m.updateField(msg)
	}
	return m, nil
}

// updateColumns handles a key while the columns are shown.
func (m arenaModel) updateColumns(msg tea.KeyPressMsg) (arenaModel, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Run):
		return m.runAll()
	case key.Matches(msg, k.Cancel):
		if m.running() {
			return m.cancelAll()
		}
		m.pane = arenaPaneSetup
		return m, nil
	case key.Matches(msg, k.Setup):
		m.pane = arenaPaneSetup
		return m, nil
	case key.Matches(msg, k.More):
		m.repeat = min(arenaMaxRepeat, m.repeat+1)
		return m, nil
	case key.Matches(msg, k.Less):
		m.repeat = max(1, m.repeat-1)
		return m, nil
	}
	if len(m.cols) == 0 {
		return m, nil
	}
	switch {
	case key.Matches(msg, k.Left):
		m.colFocus = (m.colFocus + len(m.cols) - 1) % len(m.cols)
		return m.clampColumns(), nil
	case key.Matches(msg, k.Right):
		m.colFocus = (m.colFocus + 1) % len(m.cols)
		return m.clampColumns(), nil
	case key.Matches(msg, k.Raw):
		m.raw = !m.raw
		if m.raw {
			return m, notify("raw text")
		}
		m, cmd := m.requestMarkdown()
		return m, tea.Batch(cmd, notify("markdown"))
	case key.Matches(msg, k.Rerun):
		return m.rerun(m.colFocus)
	case key.Matches(msg, k.RateArm):
		m.rateArmed = true
		return m, notify("press 1–5 to rate " + m.cols[m.colFocus].spec + " (any other key cancels)")
	case key.Matches(msg, k.Rate):
		return m.rate(m.colFocus, m.cols[m.colFocus].spec, m.cols[m.colFocus].shown, int(msg.Code-'0'), "", false)
	case key.Matches(msg, k.Note):
		return m.askNote(m.colFocus)
	case key.Matches(msg, k.Copy):
		return m.copyOutput(m.colFocus)
	case key.Matches(msg, k.PrevRep, k.NextRep):
		d := 1
		if key.Matches(msg, k.PrevRep) {
			d = -1
		}
		c := m.cols[m.colFocus]
		if len(c.cells) < 2 {
			return m, nil
		}
		c.shown = (c.shown + d + len(c.cells)) % len(c.cells)
		c.pinned = true
		c.offset, c.follow = 0, false
		m.cols[m.colFocus] = c.rewrap(m.textWidth(), true)
		return m.requestMarkdown()
	}
	if _, ok := k.nav.move(msg, 0, 1, 1); ok {
		m.cols[m.colFocus] = m.cols[m.colFocus].scroll(msg, k.nav, m.textRows(), m.textWidth(), m.raw, m.sh.themeKey())
		return m, nil
	}
	return m, nil
}

// click focuses the column under the pointer.
func (m arenaModel) click(msg tea.MouseClickMsg) (arenaModel, tea.Cmd) {
	if msg.Button != tea.MouseLeft {
		return m, nil
	}
	if m.pane == arenaPaneSetup {
		// A click on a target selects it (and focuses the picker).
		if i, ok := m.pickerRowAt(msg.X, msg.Y); ok && !m.picker.filtering {
			m.focus = arenaFocusTargets
			m.picker.cursor = i
			m.picker = m.picker.clamp()
			return m.focusVar()
		}
		return m, nil
	}
	if m.pane != arenaPaneColumns {
		return m, nil
	}
	if i, ok := m.columnAt(msg.X, msg.Y); ok {
		m.colFocus = i
		return m.clampColumns(), nil
	}
	return m, nil
}

// wheel scrolls the column under the pointer, or moves the picker.
func (m arenaModel) wheel(msg tea.MouseWheelMsg) (arenaModel, tea.Cmd) {
	var press tea.KeyPressMsg
	switch msg.Button {
	case tea.MouseWheelDown:
		press = keyPress("down")
	case tea.MouseWheelUp:
		press = keyPress("up")
	default:
		return m, nil
	}
	if m.pane == arenaPaneSetup {
		if m.focus == arenaFocusTargets && !m.picker.filtering {
			m.picker = m.picker.move(press, m.keys.nav)
		}
		return m, nil
	}
	if i, ok := m.columnAt(msg.X, msg.Y); ok {
		m.cols[i] = m.cols[i].scroll(press, m.keys.nav, m.textRows(), m.textWidth(), m.raw, m.sh.themeKey())
	}
	return m, nil
}

// Layout. The first two lines are the title and the settings; the rest is
// the setup form or the columns.
const arenaTopRows = 2

// columnsShown is how many columns fit side by side.
func (m arenaModel) columnsShown() int {
	if len(m.cols) == 0 {
		return 0
	}
	return clamp(m.w/arenaMinColW, 1, len(m.cols))
}

// colWidth is the width of the i-th drawn column (the last takes the rest).
func (m arenaModel) colWidth(i int) int {
	n := m.columnsShown()
	if n == 0 {
		return m.w
	}
	w := m.w / n
	if i == n-1 {
		return m.w - w*(n-1)
	}
	return w
}

// textWidth is the wrap width of a column's text (the narrowest column).
func (m arenaModel) textWidth() int {
	return max(4, m.colWidth(0)-m.sh.styles().Panel.GetHorizontalFrameSize())
}

// colHeight is the height of the column boxes.
func (m arenaModel) colHeight() int { return max(4, m.h-arenaTopRows) }

// textRows is how many lines of output a column shows.
func (m arenaModel) textRows() int {
	return max(1, m.colHeight()-m.sh.styles().Panel.GetVerticalFrameSize()-arenaHeadRows-1)
}

// clampColumns keeps the focused column in range and drawn.
func (m arenaModel) clampColumns() arenaModel {
	m.colFocus = clamp(m.colFocus, 0, len(m.cols)-1)
	n := m.columnsShown()
	if n == 0 {
		m.colFirst = 0
		return m
	}
	if m.colFocus < m.colFirst {
		m.colFirst = m.colFocus
	}
	if m.colFocus >= m.colFirst+n {
		m.colFirst = m.colFocus - n + 1
	}
	m.colFirst = clamp(m.colFirst, 0, len(m.cols)-n)
	return m
}

// columnAt maps content coordinates to a column index.
func (m arenaModel) columnAt(x, y int) (int, bool) {
	if y < arenaTopRows || len(m.cols) == 0 {
		return 0, false
	}
	left := 0
	for i := 0; i < m.columnsShown(); i++ {
		w := m.colWidth(i)
		if x >= left && x < left+w {
			return m.colFirst + i, true
		}
		left += w
	}
	return 0, false
}

// rewrapAll wraps every column's text again for the current width.
func (m arenaModel) rewrapAll() arenaModel {
	w := m.textWidth()
	for i := range m.cols {
		m.cols[i] = m.cols[i].rewrap(w, false)
	}
	return m
}

func (m arenaModel) keyTable() keyTable {
	k := m.keys
	if m.pane == arenaPaneColumns {
		return keyTable{
			short: []key.Binding{k.Run, k.Cancel, k.Right, k.RateArm, k.Note, k.Rerun, k.Copy, k.Raw},
			groups: [][]key.Binding{
				{k.Run, k.Cancel, k.Rerun, k.More, k.Setup},
				{k.Left, k.Right, k.nav.Up, k.nav.Down, k.nav.PageUp, k.nav.PageDown, k.nav.Top, k.nav.Bottom},
				{k.RateArm, k.Note, k.Copy, k.Raw, k.PrevRep, k.NextRep},
			},
		}
	}
	if m.picker.filtering {
		return keyTable{short: []key.Binding{k.Accept, k.ClearFilter}, groups: [][]key.Binding{{k.Accept, k.ClearFilter}}}
	}
	if m.focus == arenaFocusVars && len(m.vars) > 0 {
		return keyTable{
			short:  []key.Binding{k.Run, k.NextField, k.PrevField, k.Back},
			groups: [][]key.Binding{{k.Run, k.NextField, k.PrevField, k.Back}},
		}
	}
	return keyTable{
		short: []key.Binding{k.Run, k.Toggle, k.NextField, k.AddSpec, k.More, k.Case},
		groups: [][]key.Binding{
			{k.Run, k.NextField, k.More, k.Case, k.Back},
			{k.Toggle, k.AddSpec, k.Filter, k.Reload},
			k.nav.bindings(),
		},
	}
}

// View draws the Arena into its w×h area.
func (m arenaModel) View() string {
	st := m.sh.styles()
	if m.name == "" {
		return m.titleView() + "\n\n" + st.Muted.Render("  No prompt chosen. In the library (1) press ctrl+r on a prompt,\n  or in versions (2) on a version, to run it here.")
	}
	top := m.titleView() + "\n" + m.settingsView()
	if m.loadErr != "" {
		return top + "\n" + st.Error.Render(trunc(m.loadErr, m.w))
	}
	if !m.loaded {
		return top + "\n" + st.Muted.Render("loading…")
	}
	if m.pane == arenaPaneColumns && len(m.cols) > 0 {
		return top + "\n" + m.columnsView()
	}
	return top + "\n" + m.setupView()
}

// titleView is the first line: what runs, and the state of the last run.
func (m arenaModel) titleView() string {
	st := m.sh.styles()
	left := st.Title.Render("Arena")
	if m.name != "" {
		ref := m.name
		if m.loaded && m.version.Number > 0 {
			ref = m.version.Ref()
		}
		left += "  " + st.Bold.Render(oneLine(ref))
		if m.loaded && m.version.Hash != "" {
			left += st.Muted.Render(" " + prompt.ShortHash(m.version.Hash))
		}
	}
	right := st.Muted.Render(m.runState())
	// A space always parts the two, also when left is cut.
	gap := m.w - lipgloss.Width(right) - 1
	return pad(left, gap) + " " + right
}

// runState sums up the runs: "run <id> · running 3/8", "done", "cancelled".
func (m arenaModel) runState() string {
	if len(m.runs) == 0 {
		if len(m.cols) == 0 && m.name != "" {
			return "ctrl+r run"
		}
		return ""
	}
	r := m.runs[len(m.runs)-1]
	id := r.id
	if id == "" {
		id = "…"
	}
	total, done := 0, 0
	for _, c := range m.cols {
		for _, cell := range c.cells {
			total++
			if cell.state.final() {
				done++
			}
		}
	}
	switch {
	case m.running():
		return "run " + id + " · " + itoa(done) + "/" + itoa(total) + " done"
	case r.err != "":
		// Before cancelled: a run an error stopped (a full disk) is
		// recorded as interrupted, but no one cancelled it.
		return "run " + id + " · failed"
	case r.cancelled:
		return "run " + id + " · cancelled"
	}
	if m.colsOf != "" && m.colsOf != m.setupKey() {
		return "run " + id + " · done · setup changed since: ctrl+r runs it"
	}
	return "run " + id + " · done"
}

// setupKey identifies what a run of the current setup would send: the
// version, the variables and the repeat (targets have columns of their own).
func (m arenaModel) setupKey() string {
	var b strings.Builder
	b.WriteString(m.version.Prompt + "@" + itoa(m.version.Number) + "×" + itoa(m.repeat))
	for _, v := range m.vars {
		b.WriteString("\x00" + v.name + "=" + v.input.value())
	}
	return b.String()
}

// settingsView is the second line: targets, repeat, case and variables.
func (m arenaModel) settingsView() string {
	st := m.sh.styles()
	sel := m.picker.selected
	var tg string
	switch len(sel) {
	case 0:
		tg = st.Warn.Render("no targets")
	default:
		tg = st.Base.Render(oneLine(strings.Join(sel, ", ")))
	}
	line := st.Muted.Render("on ") + tg + st.Muted.Render(" · ×"+itoa(m.repeat)+" · ")
	cs := "defaults"
	if m.caseName != "" {
		cs = m.caseName
	}
	line += st.Muted.Render("case ") + st.Tag.Render(oneLine(cs))
	var vs []string
	for _, v := range m.vars {
		val := v.input.value()
		if val == "" {
			vs = append(vs, st.Warn.Render(v.name+"=?"))
			continue
		}
		vs = append(vs, st.Variable.Render(v.name)+st.Muted.Render("=")+st.Base.Render(trunc(oneLine(fieldText(val)), 24)))
	}
	if len(vs) > 0 {
		line += st.Muted.Render(" · ") + strings.Join(vs, " ")
	}
	return trunc(line, m.w)
}

// columnsView draws the visible columns side by side.
func (m arenaModel) columnsView() string {
	n := m.columnsShown()
	parts := make([]string, 0, n)
	for i := 0; i < n; i++ {
		ci := m.colFirst + i
		parts = append(parts, m.cols[ci].view(m, ci == m.colFocus, m.colWidth(i), m.colHeight()))
	}
	out := lipgloss.JoinHorizontal(lipgloss.Top, parts...)
	if n < len(m.cols) {
		// Say that more columns exist on either side.
		st := m.sh.styles()
		lines := strings.Split(out, "\n")
		hint := st.Warn.Render(" ◀ " + itoa(m.colFirst) + " · " + itoa(len(m.cols)-m.colFirst-n) + " ▶ ")
		if len(lines) > 0 {
			last := len(lines) - 1
			lines[last] = trunc(lines[last], max(0, m.w-lipgloss.Width(hint))) + hint
		}
		out = strings.Join(lines, "\n")
	}
	return out
}
