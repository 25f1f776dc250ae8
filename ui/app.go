package ui

import (
	"context"
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"

	"whet/themes"
)

// screenID names a screen. The tabs show the screens that exist, in this
// order; the welcome screen stands in for the library while it is empty.
type screenID int

const (
	screenLibrary screenID = iota
	screenVersions
	screenEditor
	screenWelcome
	screenArena
	screenHistory // the run history, shown as "Runs"
	screenResults
	screenCompare
	screenSuites
	screenModels
)

// tabs are the screens shown across the top, in order.
func tabs() []screenID {
	return []screenID{screenLibrary, screenVersions, screenEditor, screenArena, screenHistory, screenResults, screenCompare, screenSuites, screenModels}
}

func (s screenID) String() string {
	switch s {
	case screenLibrary:
		return "Library"
	case screenVersions:
		return "Versions"
	case screenEditor:
		return "Editor"
	case screenWelcome:
		return "Welcome"
	case screenArena:
		return "Arena"
	case screenHistory:
		return "Runs"
	case screenResults:
		return "Results"
	case screenCompare:
		return "Compare"
	case screenSuites:
		return "Suites"
	case screenModels:
		return "Models"
	}
	return "?"
}

// focus says which layer takes keys: a screen, or the dialog on top of the
// stack.
type focus int

const (
	focusScreen focus = iota
	focusDialog
)

// Layout constants of the frame around every screen.
const (
	headerRows = 2 // tabs + rule
	footerRows = 1 // status bar
	minWidth   = 60
	minHeight  = 20
)

// routedMsg is a message that belongs to one screen; the root hands it to
// that screen's Update and to no one else.
type routedMsg interface{ target() screenID }

// Messages the root itself handles.
type (
	// pushDialogMsg opens a dialog on top of the stack.
	pushDialogMsg struct{ d dialog }
	// noticeMsg shows text in the status bar (see notice).
	noticeMsg struct {
		text  string
		isErr bool
	}
	clearNoticeMsg struct{ seq int }
	// showScreenMsg switches to a screen, then shows notice there if set
	// (a notice sent beside the switch could arrive before it and be
	// cleared with the screen it was raised on).
	showScreenMsg struct {
		to     screenID
		notice string
	}
	// openVersionsMsg shows the versions of a prompt.
	openVersionsMsg struct{ name string }
	// openEditorMsg opens the editor on a prompt's version (0 = latest), or
	// on a new prompt when name is "".
	openEditorMsg struct {
		name    string
		version int
		force   bool     // discard unsaved edits without asking
		back    screenID // where closing the editor returns (the Library by default)
	}
	// promptsChangedMsg says the store changed: the library reloads and
	// selects name, and the versions screen reloads when it shows name.
	promptsChangedMsg struct{ name string }
	// promptRenamedMsg says prompt from is now called to: every screen that
	// holds the old name takes the new one, then the lists reload. suite
	// says the prompt's own suite, named from, is now called to as well.
	promptRenamedMsg struct {
		from, to string
		suite    bool
	}
	// quitMsg quits; force skips the unsaved-changes question.
	quitMsg struct{ force bool }
	// paletteRunMsg runs an action chosen in the palette: switch to a
	// screen and press a key there.
	paletteRunMsg struct {
		screen screenID
		key    string
		global string // a root action instead: "theme:<name>", "help", "quit"
	}
	// jobMsg adjusts the count of store writes in flight: +1 when one
	// starts, −1 when it ends, in whichever order they arrive.
	jobMsg struct{ delta int }
)

func openDialog(d dialog) tea.Cmd { return emit(pushDialogMsg{d}) }

func notify(text string) tea.Cmd { return emit(noticeMsg{text: text}) }

func notifyErr(err error) tea.Cmd { return emit(noticeMsg{text: err.Error(), isErr: true}) }

// notice is the status bar's transient message. A notice belongs to the
// screen it was raised on: switching screens clears it, whatever did the
// switching. An information notice also goes after shared.noticeTTL; an
// error stays until the next key press or click, so that it cannot be
// missed and does not outlive the moment it answers.
type notice struct {
	seq   int
	text  string
	isErr bool
}

func newNotice(seq int, text string, isErr bool) notice {
	return notice{seq: seq, text: oneLine(text), isErr: isErr}
}

// Model is the root of the TUI. It owns routing, focus, the dialog stack,
// the window size and the shared context; the screens own everything else.
type Model struct {
	sh *shared

	active  screenID
	focus   focus
	dialogs []dialog
	notice  notice
	db      dbWatch // other processes' changes to the database

	// held are the keys typed while the screen heldFor waits for what it
	// is about to show (hold.go).
	held    []tea.Msg
	heldFor screenID

	// The screens sit behind a pointer: Bubble Tea passes the root by
	// value, copying it (and boxing it in a tea.Model) on every message,
	// and during a stream that is thousands of messages a second.
	*screens
}

// screens holds every screen's model. Each keeps the value-type pattern (a
// concrete Update returning its own type: m.arena, cmd = m.arena.Update(msg));
// only the root holds them by pointer, so that copying the root costs a few
// words instead of tens of kilobytes. Every copy of a Model shares one
// screens, which is safe because Bubble Tea only ever uses the model the
// latest Update returned; a new screen adds its field here, not in Model.
type screens struct {
	library  libraryModel
	versions versionsModel
	editor   editorModel
	welcome  welcomeModel
	arena    arenaModel
	history  historyModel
	results  resultsModel
	compare  compareModel
	suites   suitesModel
	models   modelsModel
}

// newModel builds the root model. The only error is an unknown theme name.
func newModel(ctx context.Context, d Deps) (Model, error) {
	sh := &shared{
		ctx:          ctx,
		store:        d.Store,
		author:       d.Author,
		protected:    append([]string(nil), d.ProtectedTags...),
		dbPath:       d.DBPath,
		readOnly:     d.ReadOnly,
		cfgPath:      d.ConfigPath,
		home:         d.Home,
		now:          d.Now,
		targets:      d.Targets,
		noColor:      d.NoColor,
		termClusters: d.Graphemes,
		keys:         newGlobalKeys(),
		width:        80,
		height:       24,

		noticeTTL:   5 * time.Second,
		previewWait: 80 * time.Millisecond,
		watchEvery:  defaultWatchEvery,
	}
	if sh.now == nil {
		sh.now = time.Now
	}
	// Text is drawn whole until this model's terminal says otherwise.
	splitClusters.Store(false)
	var err error
	if d.Theme != "" {
		sh.theme, err = themes.Get(d.Theme)
		if err == nil {
			sh.themeFixed = true
		}
	}
	if d.Theme == "" || err != nil {
		sh.theme = themes.ForBackground(true)
	}
	sh.theme = sh.fit(sh.theme)
	m := Model{sh: sh, active: screenLibrary, screens: &screens{
		library:  newLibrary(sh),
		versions: newVersions(sh),
		editor:   newEditor(sh),
		welcome:  newWelcome(sh),
		arena:    newArena(sh, d.Targets),
		history:  newHistory(sh, d.Targets, d.Evaluator),
		results:  newResults(sh),
		compare:  newCompare(sh),
		suites:   newSuites(sh),
		models:   newModels(sh, d.Targets),
	}}
	m = m.resize()
	return m, err
}

// Init loads the library, has the renderer measure text as the layout does
// (graphemeWidths) and asks the terminal for its background colour (unless
// a theme was named).
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.library.fetch(0), graphemeWidths, m.askDataVersion(true)}
	// The background colour and mode 2027, then the primary device
	// attributes, which every terminal answers, in order: an answer to the
	// last with none to the others before it means the terminal does not
	// say (see uv.PrimaryDeviceAttributesEvent in Update).
	q := clusterQuery + ansi.RequestPrimaryDeviceAttributes
	if !m.sh.themeFixed {
		q = ansi.RequestBackgroundColor + q
	}
	cmds = append(cmds, tea.Raw(q))
	return tea.Batch(cmds...)
}

// contentSize is the area a screen draws into.
func (m Model) contentSize() (int, int) {
	return m.sh.width, max(0, m.sh.height-headerRows-footerRows)
}

func (m Model) resize() Model {
	w, h := m.contentSize()
	m.library = m.library.setSize(w, h)
	m.versions = m.versions.setSize(w, h)
	m.editor = m.editor.setSize(w, h)
	m.welcome = m.welcome.setSize(w, h)
	m.arena = m.arena.setSize(w, h)
	m.history = m.history.setSize(w, h)
	m.results = m.results.setSize(w, h)
	m.compare = m.compare.setSize(w, h)
	m.suites = m.suites.setSize(w, h)
	m.models = m.models.setSize(w, h)
	return m
}

func (m Model) applyTheme() Model {
	m.library = m.library.applyTheme()
	m.editor = m.editor.applyTheme()
	m.versions = m.versions.applyTheme()
	m.arena = m.arena.applyTheme()
	m.results = m.results.applyTheme()
	m.compare = m.compare.applyTheme()
	m.suites = m.suites.applyTheme()
	return m
}

// Update routes one message (see route) and applies the notice rules (see
// notice).
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg.(type) {
	case tea.KeyPressMsg, tea.MouseClickMsg:
		if m.notice.isErr {
			m = m.clearNotice()
		}
	}
	was, seq := m.active, m.notice.seq
	next, cmd := m.route(msg)
	nm, cmd := next.(Model).routePosted(cmd)
	if tabOf(nm.active) != tabOf(was) && nm.notice.seq == seq {
		nm = nm.clearNotice() // raised on the screen just left
	}
	if nm.active != was || len(nm.dialogs) < len(m.dialogs) {
		// A stale screen just shown, or come back to from a dialog.
		var rcmd tea.Cmd
		nm, rcmd = nm.reloadStale()
		cmd = tea.Batch(cmd, rcmd)
	}
	nm, hcmd := nm.release()
	return nm, tea.Batch(cmd, hcmd)
}

// routePosted routes the messages posted while a message was handled
// (shared.post, shared.open), and those they post in turn, in order, and
// adds their commands to cmd.
func (m Model) routePosted(cmd tea.Cmd) (Model, tea.Cmd) {
	if len(m.sh.posted) == 0 {
		return m, cmd
	}
	cmds := []tea.Cmd{cmd}
	for len(m.sh.posted) > 0 {
		msg := m.sh.posted[0]
		m.sh.posted = m.sh.posted[1:]
		next, c := m.route(msg)
		m = next.(Model)
		cmds = append(cmds, c)
	}
	m.sh.posted = nil
	return m, tea.Batch(cmds...)
}

func (m Model) clearNotice() Model {
	m.notice = notice{seq: m.notice.seq}
	return m
}

// tabOf is the tab a screen shows under: the welcome screen stands in for
// the library.
func tabOf(s screenID) screenID {
	if s == screenWelcome {
		return screenLibrary
	}
	return s
}

// route routes one message: dialogs first, then the root's own messages
// and global keys, then the screen that owns the message.
func (m Model) route(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.sh.width, m.sh.height = msg.Width, msg.Height
		m = m.resize()
		// The preview is rendered for a width: render it again.
		var cmd, acmd tea.Cmd
		m.library, cmd = m.library.previewSoon(m.sh.previewDelay())
		m.arena, acmd = m.arena.refresh()
		cmds := []tea.Cmd{cmd, acmd}
		// Every dialog on the stack, not only the top one, lays itself
		// out again now rather than on its next message.
		for _, d := range m.dialogs {
			if r, ok := d.(resizableDialog); ok {
				cmds = append(cmds, r.resize(m.sh))
			}
		}
		return m, tea.Batch(cmds...)
	case tea.BackgroundColorMsg:
		if m.sh.themeFixed {
			return m, nil
		}
		m.sh.bgKnown = true
		t := m.sh.fit(themes.ForBackground(msg.IsDark()))
		if t.Name == m.sh.theme.Name && t.Mono == m.sh.theme.Mono {
			return m, nil
		}
		m.sh.theme = t
		m = m.applyTheme()
		var cmd, acmd tea.Cmd
		m.library, cmd = m.library.previewSoon(0)
		m.arena, acmd = m.arena.refresh()
		return m, tea.Batch(cmd, acmd)
	case tea.ColorProfileMsg:
		// Sent once, at startup.
		if msg.Profile == colorprofile.ANSI && !m.sh.fewColours {
			m.sh.fewColours = true
			m.sh.theme = m.sh.fit(m.sh.theme)
			m = m.applyTheme()
		}
		return m, nil
	case tea.ModeReportMsg:
		if msg.Mode == ansi.ModeUnicodeCore {
			m.sh.clusters.report(msg.Value)
		}
		return m, nil
	case uv.PrimaryDeviceAttributesEvent:
		var cmds []tea.Cmd
		if m.sh.clusters.answered(m.sh.termClusters) {
			// Draw again what was sanitised before the answer.
			m = m.applyTheme()
			var cmd, acmd tea.Cmd
			m.library, cmd = m.library.previewSoon(0)
			m.arena, acmd = m.arena.refresh()
			cmds = append(cmds, cmd, acmd)
		}
		// The terminal did not report its background (tmux 3.3 and older,
		// screen, mosh). Most terminals are dark, so the dark theme stays,
		// and the notice says how to change it should its light text be
		// hard to read. A late report still picks dark or light.
		if m.sh.themeFixed || m.sh.bgKnown || m.sh.theme.Mono {
			return m, tea.Batch(cmds...)
		}
		return m, tea.Batch(append(cmds, notify("background unknown: dark theme (ctrl+p Theme, or theme: in the config)"))...)
	case dbPollMsg:
		return m, m.askDataVersion(true)
	case dbVersionMsg:
		return m.onDataVersion(msg)
	case tea.FocusMsg:
		// Back from another window, where whet may have been run.
		return m, m.askDataVersion(false)
	case pushDialogMsg:
		if a, ok := msg.d.(interface{ bind(*shared) }); ok {
			a.bind(m.sh) // its answers are posted (answerer)
		}
		m.dialogs = append(m.dialogs, msg.d)
		m.focus = focusDialog
		// A dialog that loads something starts once it is on the stack,
		// so that its answers cannot arrive before it does.
		if o, ok := msg.d.(interface{ opened() tea.Cmd }); ok {
			return m, o.opened()
		}
		return m, nil
	case noticeMsg:
		return m.showNotice(msg)
	case clearNoticeMsg:
		if msg.seq == m.notice.seq {
			m = m.clearNotice()
		}
		return m, nil
	case jobMsg:
		// Not clamped at 0: a write's start (+1) and its end (−1) are
		// commands of one batch and may arrive in either order; the sum
		// is right whichever comes first, and only a positive count shows.
		m.sh.jobs += msg.delta
		return m, nil
	case showScreenMsg:
		next, cmd := m.show(msg.to)
		if msg.notice == "" {
			return next, cmd
		}
		nm, ncmd := next.(Model).showNotice(noticeMsg{text: msg.notice})
		return nm, tea.Batch(cmd, ncmd)
	case openVersionsMsg:
		var cmd tea.Cmd
		m.versions, cmd = m.versions.open(msg.name)
		m.active = screenVersions
		return m, cmd
	case openEditorMsg:
		if m.editor.dirty() && !msg.force {
			what := "a new prompt"
			if msg.name != "" {
				what = msg.name
			}
			msg.force = true
			return m, m.sh.open(newDestructiveConfirm("Discard unsaved changes?",
				"The editor has unsaved changes to "+m.editor.title()+".\nOpen "+what+" and discard them?", msg, nil))
		}
		var cmd tea.Cmd
		m.editor, cmd = m.editor.open(msg.name, msg.version)
		m.editor.back = msg.back
		m.active = screenEditor
		return m, cmd
	case promptsChangedMsg:
		var lcmd tea.Cmd
		m.library.follow = msg.name
		m.library, lcmd = m.library.reload()
		cmds := []tea.Cmd{lcmd}
		if msg.name != "" && m.versions.name == msg.name {
			var cmd tea.Cmd
			m.versions, cmd = m.versions.reload()
			cmds = append(cmds, cmd)
		}
		return m, tea.Batch(cmds...)
	case promptRenamedMsg:
		m.versions = m.versions.renamed(msg.from, msg.to)
		m.editor = m.editor.renamed(msg.from, msg.to)
		m.arena = m.arena.renamed(msg.from, msg.to)
		m.history = m.history.renamed(msg.from, msg.to)
		m.suites = m.suites.renamed(msg.from, msg.to, msg.suite)
		return m, emit(promptsChangedMsg{name: msg.to})
	case quitMsg:
		if !msg.force && m.suites.dirty() {
			return m, m.sh.open(newDestructiveConfirm("Quit without saving?",
				"The Suites screen has unsaved changes to "+m.suites.title()+".\nQuit and lose them?", quitMsg{force: true}, nil))
		}
		if !msg.force && m.editor.dirty() {
			return m, m.sh.open(newDestructiveConfirm("Quit without saving?",
				"The editor has unsaved changes to "+m.editor.title()+".\nQuit and lose them?", quitMsg{force: true}, nil))
		}
		if m.arena.running() || m.history.rerunning() {
			if !msg.force {
				what := "The Arena is still running"
				if !m.arena.running() {
					what = "A " + m.history.rerun.what() + " is still running"
				}
				return m, m.sh.open(newConfirm("Quit during a run?",
					what+". Quit, cancel it and keep what finished?", quitMsg{force: true}, nil))
			}
			return m, waitThenQuit(append(m.arena.stopRuns(), m.history.stopRerun()...))
		}
		return m, tea.Quit
	case paletteRunMsg:
		return m.runPalette(msg)
	case screenKeyMsg:
		if m.active == msg.screen && m.waits(msg.screen) {
			return m.hold(msg), nil
		}
		return m.routeTo(msg.screen, msg.key)
	case suiteRunMsg:
		// The Runs screen runs it, offering the Arena's picked targets.
		return m.routeTo(screenHistory, historySuiteRunMsg{suite: msg.suite, prompt: msg.prompt, targets: slices.Clone(m.arena.picker.selected)})
	case routedMsg:
		return m.routeTo(msg.target(), msg)
	case dialogMsg:
		return m.updateDialogAt(msg.forDialog(), msg)
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.MouseClickMsg, tea.MouseWheelMsg:
		return m.handleMouse(msg.(tea.MouseMsg))
	case tea.PasteMsg:
		// A paste is text from elsewhere: a Windows line end ("\r\n")
		// would make two, escape sequences and bidi overrides must not
		// reach a field.
		msg.Content = sanitize(msg.Content)
		if len(m.dialogs) > 0 {
			return m.updateDialog(msg)
		}
		return m.routeTo(m.active, msg)
	}
	// Anything else (cursor blinks, component ticks) goes to the active
	// screen.
	if len(m.dialogs) > 0 {
		return m.updateDialog(msg)
	}
	return m.routeTo(m.active, msg)
}

// showNotice puts a notice in the status bar, and for information starts
// the timer that takes it away.
func (m Model) showNotice(msg noticeMsg) (Model, tea.Cmd) {
	m.notice = newNotice(m.notice.seq+1, msg.text, msg.isErr)
	seq := m.notice.seq
	if msg.isErr || m.sh.noticeTTL <= 0 {
		return m, nil
	}
	return m, tea.Tick(m.sh.noticeTTL, func(time.Time) tea.Msg { return clearNoticeMsg{seq} })
}

// updateDialog sends msg to the top dialog and pops it when it closes.
func (m Model) updateDialog(msg tea.Msg) (tea.Model, tea.Cmd) {
	top := m.dialogs[len(m.dialogs)-1]
	closed, cmd := top.update(msg)
	if closed {
		m.dialogs = m.dialogs[:len(m.dialogs)-1]
		if len(m.dialogs) == 0 {
			m.focus = focusScreen
		}
	}
	return m, cmd
}

// updateDialogAt sends msg to dialog d wherever it is on the stack (a
// render it started may finish while another dialog is above it) and
// removes d if it closes. An answer for a dialog no longer on the stack is
// dropped.
func (m Model) updateDialogAt(d dialog, msg tea.Msg) (tea.Model, tea.Cmd) {
	for i, on := range m.dialogs {
		if on != d {
			continue
		}
		closed, cmd := d.update(msg)
		if closed {
			m.dialogs = slices.Delete(m.dialogs, i, i+1)
			if len(m.dialogs) == 0 {
				m.focus = focusScreen
			}
		}
		return m, cmd
	}
	return m, nil
}

func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	g := m.sh.keys
	if key.Matches(msg, g.Abort) {
		// A second ctrl+c while asked about unsaved changes quits.
		if len(m.dialogs) > 0 {
			if c, ok := m.dialogs[len(m.dialogs)-1].(*confirmDialog); ok {
				if q, ok := c.yes.(quitMsg); ok && q.force {
					return m, tea.Quit
				}
			}
		}
		return m, m.sh.post(quitMsg{})
	}
	if key.Matches(msg, g.Suspend) {
		// The terminal's raw mode turns ctrl+z into a key: suspend as a
		// shell job would; the screen is drawn again on fg.
		return m, tea.Suspend
	}
	if m.focus == focusDialog {
		return m.updateDialog(msg)
	}
	if isEsc(msg) && m.waits(m.active) {
		var stay bool
		if m, stay = m.leaveWait(); stay {
			return m, nil
		}
	}
	if m.holds(msg) {
		return m.hold(msg), nil
	}
	if m.active == screenArena && m.arena.claims(msg) {
		return m.routeTo(screenArena, msg)
	}
	if m.active == screenResults && m.results.claims(msg) {
		return m.routeTo(screenResults, msg)
	}
	typing := m.capturesText()
	switch {
	case key.Matches(msg, g.Palette):
		return m, m.sh.open(newPalette(m.sh, m.paletteActions()))
	case typing:
		// Letters belong to the field being typed in.
	case key.Matches(msg, g.Help):
		return m, m.sh.open(newHelp(m.sh, m.active.String(), m.screenKeys(), g))
	case key.Matches(msg, g.Quit):
		// q quits from every screen (esc is back); quitMsg asks first
		// about unsaved edits and a run in progress.
		return m, m.sh.post(quitMsg{})
	case key.Matches(msg, g.Library):
		return m.show(screenLibrary)
	case key.Matches(msg, g.Versions):
		return m.show(screenVersions)
	case key.Matches(msg, g.Editor):
		return m.show(screenEditor)
	case key.Matches(msg, g.Arena):
		return m.show(screenArena)
	case key.Matches(msg, g.Runs):
		return m.show(screenHistory)
	case key.Matches(msg, g.Results):
		return m.show(screenResults)
	case key.Matches(msg, g.Compare):
		return m.show(screenCompare)
	case key.Matches(msg, g.Suites):
		return m.show(screenSuites)
	case key.Matches(msg, g.Models):
		return m.show(screenModels)
	}
	return m.routeTo(m.active, msg)
}

// show switches screens. The library stands in for the welcome screen and
// back as the library fills or empties.
func (m Model) show(to screenID) (tea.Model, tea.Cmd) {
	if to == screenLibrary && m.library.empty() {
		to = screenWelcome
	}
	m.active = to
	if to == screenVersions && m.versions.name == "" {
		if p, ok := m.library.selected(); ok {
			var cmd tea.Cmd
			m.versions, cmd = m.versions.open(p.Name)
			return m, cmd
		}
	}
	if cmd := m.openRunScreen(to); cmd != nil {
		return m, cmd
	}
	if to == screenSuites && m.suites.unlisted() {
		var cmd tea.Cmd
		m.suites, cmd = m.suites.openList(m.suites.scope)
		return m, cmd
	}
	if to == screenModels && m.models.unlisted() {
		var cmd tea.Cmd
		m.models, cmd = m.models.load()
		return m, cmd
	}
	if to == screenArena && m.arena.empty() {
		if p, ok := m.library.selected(); ok {
			return m, m.sh.post(arenaOpenMsg{name: p.Name})
		}
	}
	return m, nil
}

// capturesText reports whether the active screen is taking typed text, so
// single-letter global keys must not fire.
func (m Model) capturesText() bool {
	switch m.active {
	case screenLibrary:
		return m.library.capturesText()
	case screenEditor:
		return m.editor.capturesText()
	case screenArena:
		return m.arena.capturesText()
	case screenResults:
		return m.results.capturesText()
	case screenSuites:
		return m.suites.capturesText()
	}
	return false
}

// routeTo hands msg to one screen.
func (m Model) routeTo(s screenID, msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch s {
	case screenLibrary:
		m.library, cmd = m.library.Update(msg)
		if m.active == screenLibrary && m.library.empty() {
			m.active = screenWelcome
		} else if m.active == screenWelcome && !m.library.empty() {
			m.active = screenLibrary
		}
	case screenVersions:
		m.versions, cmd = m.versions.Update(msg)
	case screenEditor:
		m.editor, cmd = m.editor.Update(msg)
	case screenWelcome:
		m.welcome, cmd = m.welcome.Update(msg)
	case screenArena:
		m.arena, cmd = m.arena.Update(msg)
	case screenHistory:
		m.history, cmd = m.history.Update(msg)
	case screenResults:
		m.results, cmd = m.results.Update(msg)
	case screenCompare:
		m.compare, cmd = m.compare.Update(msg)
	case screenSuites:
		m.suites, cmd = m.suites.Update(msg)
	case screenModels:
		m.models, cmd = m.models.Update(msg)
	}
	return m, cmd
}

func (m Model) handleMouse(msg tea.MouseMsg) (tea.Model, tea.Cmd) {
	mouse := msg.Mouse()
	if len(m.dialogs) > 0 {
		return m.updateDialog(msg)
	}
	if _, ok := msg.(tea.MouseClickMsg); ok && mouse.Y == 0 && mouse.Button == tea.MouseLeft {
		for i, r := range m.tabRanges() {
			if mouse.X >= r[0] && mouse.X < r[1] {
				return m.show(tabs()[i])
			}
		}
		return m, nil
	}
	// Screens see coordinates relative to their content area.
	_, h := m.contentSize()
	y := mouse.Y - headerRows
	if y < 0 || y >= h {
		return m, nil
	}
	switch msg := msg.(type) {
	case tea.MouseClickMsg:
		msg.Y = y
		return m.routeTo(m.active, msg)
	case tea.MouseWheelMsg:
		msg.Y = y
		return m.routeTo(m.active, msg)
	}
	return m, nil
}

// screenKeys is the active screen's key table.
func (m Model) screenKeys() keyTable {
	switch m.active {
	case screenLibrary:
		return m.library.keyTable()
	case screenVersions:
		return m.versions.keyTable()
	case screenEditor:
		return m.editor.keyTable()
	case screenWelcome:
		return m.welcome.keyTable()
	case screenArena:
		return m.arena.keyTable()
	case screenHistory:
		return m.history.keyTable()
	case screenResults:
		return m.results.keyTable()
	case screenCompare:
		return m.compare.keyTable()
	case screenSuites:
		return m.suites.keyTable()
	case screenModels:
		return m.models.keyTable()
	}
	return keyTable{}
}

// View draws the frame: tabs, the active screen, the status bar, and the
// top dialog over them.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "whet"
	v.ReportFocus = true // see watch.go
	return v
}

func (m Model) render() string {
	w, h := m.sh.width, m.sh.height
	if w <= 0 || h <= 0 {
		return ""
	}
	st := m.sh.styles()
	if w < minWidth || h < minHeight {
		msg := st.Warn.Render("terminal too small") + "\n" +
			st.Muted.Render("whet needs at least "+itoa(minWidth)+"×"+itoa(minHeight)+"; this is "+itoa(w)+"×"+itoa(h))
		return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, msg)
	}
	_, ch := m.contentSize()
	var body string
	switch m.active {
	case screenLibrary:
		body = m.library.View()
	case screenVersions:
		body = m.versions.View()
	case screenEditor:
		body = m.editor.View()
	case screenWelcome:
		body = m.welcome.View()
	case screenArena:
		body = m.arena.View()
	case screenHistory:
		body = m.history.View()
	case screenResults:
		body = m.results.View()
	case screenCompare:
		body = m.compare.View()
	case screenSuites:
		body = m.suites.View()
	case screenModels:
		body = m.models.View()
	}
	body = fitLines(body, w, ch)
	frame := m.tabsView() + "\n" + body + "\n" + m.statusView()
	if len(m.dialogs) == 0 {
		return frame
	}
	dlg := m.dialogs[len(m.dialogs)-1].view(m.sh, w, h)
	dw, dh := lipgloss.Size(dlg)
	x, y := max(0, (w-dw)/2), max(0, (h-dh)/2)
	return lipgloss.NewCompositor(
		lipgloss.NewLayer(frame),
		lipgloss.NewLayer(dlg).X(x).Y(y).Z(1),
	).Render()
}
