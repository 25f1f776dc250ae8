package ui

import tea "charm.land/bubbletea/v2"

// Keys typed while the screen on show waits for what it is about to show
// (a list, a run, a prompt read in a command; a comparison being built;
// an answer that opens a dialog) are held by the root, every key (the
// root's own too: q, ?, ctrl+p, a screen's number), and handled in the
// order typed once the screen has it: "enter / q" on a run types q into
// the Results filter instead of quitting, and "enter j enter" opens the
// second row, not "no run open". A screen says it waits with its
// waiting method. Only a screen that is shown again and reads what it
// already shows (a refresh, a reload of the same list) does not wait:
// keys act on what is on screen.
//
// esc acts at once, so that a read that hangs (a database another
// process keeps locked, a slow disk) can be left: it drops the keys held
// (typed for what the screen was about to show, they would act on the
// screen esc goes back to instead), the screen forgets what it waited for
// (its answer, when it comes, is dropped: it neither replaces the screen
// gone back to nor opens a dialog over it; shown again, the screen reads
// afresh), and then esc goes back as it does on the screen. From what
// would open over the Suites list (a suite being read, a file being
// imported, a new suite's prompt being looked up) esc goes back to the
// list: it stays there. The Library's first list is the exception: there
// is nothing to go back to, so it is still shown when it comes. ctrl+c
// and ctrl+z act at once. A dialog that opens while keys are held (one
// the answer opens) takes them, before the keys typed after it. Keys held
// for a screen that is no longer shown (a click on a tab) are dropped.

// waits reports whether screen s waits for what it is about to show.
func (m Model) waits(s screenID) bool {
	switch s {
	case screenLibrary, screenWelcome:
		return m.library.waiting()
	case screenVersions:
		return m.versions.waiting()
	case screenEditor:
		return m.editor.waiting()
	case screenArena:
		return m.arena.waiting()
	case screenHistory:
		return m.history.waiting()
	case screenResults:
		return m.results.waiting()
	case screenCompare:
		return m.compare.waiting()
	case screenSuites:
		return m.suites.waiting()
	case screenModels:
		return m.models.waiting()
	}
	return false
}

// holds reports whether key k, read with no dialog open, waits for the
// active screen (see above).
func (m Model) holds(k tea.KeyPressMsg) bool {
	return m.waits(m.active) && !isEsc(k)
}

func isEsc(k tea.KeyPressMsg) bool { return k.Code == tea.KeyEscape && k.Mod == 0 }

// leaveWait handles esc read with no dialog open while the active screen
// waits (see above), before esc goes to the screen: the held keys are
// dropped and the screen forgets what it waited for. stay reports that
// esc is done: what was left would have opened on the Suites list (a
// suite, a file imported, a new suite), which is where esc from it goes
// back to.
func (m Model) leaveWait() (_ Model, stay bool) {
	m.held = nil
	switch m.active {
	case screenVersions:
		m.versions = m.versions.abandon()
	case screenEditor:
		m.editor = m.editor.abandon()
	case screenArena:
		m.arena = m.arena.abandon()
	case screenHistory:
		m.history = m.history.abandon()
	case screenResults:
		m.results = m.results.abandon()
	case screenCompare:
		m.compare = m.compare.abandon()
	case screenSuites:
		stay = m.suites.opening()
		m.suites = m.suites.abandon()
	case screenModels:
		m.models = m.models.abandon()
	}
	return m, stay
}

// hold keeps msg (a key press, or a screenKeyMsg) until the active screen
// has what it waits for.
func (m Model) hold(msg tea.Msg) Model {
	if len(m.held) == 0 {
		m.heldFor = tabOf(m.active)
	}
	m.held = append(m.held[:len(m.held):len(m.held)], msg)
	return m
}

// release handles the held keys, in order, as keys read now (each through
// Update, so that each clears an error notice as any key does), once the
// screen they wait for has what it waited for or a dialog is open; it
// drops them when another screen is shown.
func (m Model) release() (Model, tea.Cmd) {
	if len(m.held) == 0 {
		return m, nil
	}
	if tabOf(m.active) != m.heldFor {
		m.held = nil
		return m, nil
	}
	if m.focus != focusDialog && m.waits(m.active) {
		return m, nil
	}
	held := m.held
	m.held = nil
	cmds := make([]tea.Cmd, 0, len(held))
	for _, k := range held {
		next, cmd := m.Update(k)
		m = next.(Model)
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

// screenKeyMsg presses key on screen (a palette action): the screen gets
// it, as it would get the key typed, after what the switch to it posted,
// and it waits with any keys held for the screen.
type screenKeyMsg struct {
	screen screenID
	key    tea.KeyPressMsg
}
