package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"whet/eval"
	"whet/prompt"
	"whet/store"
)

// suitesMode is what the Suites screen shows: the list of suites, one
// suite's cases, or the form editing one case.
type suitesMode int

const (
	suitesList suitesMode = iota
	suitesCases
	suitesForm
)

// suitesKeys is the Suites screen's key table; which bindings apply
// depends on the mode (keyTable lists only those).
type suitesKeys struct {
	nav navKeys
	// The list of suites.
	Open   key.Binding
	New    key.Binding
	Import key.Binding
	All    key.Binding
	Reload key.Binding
	Rename key.Binding
	Remove key.Binding
	Run    key.Binding // here and in one suite's cases
	Leave  key.Binding
	// One suite's cases.
	Add      key.Binding
	Edit     key.Binding
	Delete   key.Binding
	MoveUp   key.Binding
	MoveDown key.Binding
	Settings key.Binding
	External key.Binding
	Save     key.Binding
	Back     key.Binding
	// The case form.
	Next   key.Binding
	Prev   key.Binding
	Apply  key.Binding
	Cancel key.Binding
}

func newSuitesKeys() suitesKeys {
	return suitesKeys{
		nav:      newNavKeys(),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open suite")),
		New:      key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new suite")),
		Import:   key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "import file")),
		All:      key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "all suites/this prompt")),
		Reload:   key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reload")),
		Rename:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rename suite")),
		Remove:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete suite")),
		Run:      key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "run suite")),
		Leave:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Add:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add case")),
		Edit:     key.NewBinding(key.WithKeys("e", "enter"), key.WithHelp("e/enter", "edit case")),
		Delete:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete case")),
		MoveUp:   key.NewBinding(key.WithKeys("K"), key.WithHelp("K", "move case up")),
		MoveDown: key.NewBinding(key.WithKeys("J"), key.WithHelp("J", "move case down")),
		Settings: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "description/threshold")),
		External: key.NewBinding(key.WithKeys("ctrl+e"), key.WithHelp("ctrl+e", "edit as YAML in $EDITOR")),
		Save:     key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save suite")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to suites")),
		Next:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		Prev:     key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		Apply:    key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "keep case and save")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// Suites messages.
type (
	// suitesOpenMsg switches to Suites and lists the suites of prompt ("" =
	// every suite).
	suitesOpenMsg   struct{ prompt string }
	suitesListedMsg struct {
		id     int
		prompt string
		list   []store.SuiteSummary
		err    error
	}
	suiteLoadedMsg struct {
		id    int
		suite prompt.Suite
		vars  []string // the variables of its prompt's latest version
		err   error
	}
	suiteSavedMsg struct {
		id    int
		suite prompt.Suite
		err   error
	}
	// suiteImportedMsg is a file read for an import: a whole suite, or
	// cases only (caseList). exists says a suite of that name is stored.
	suiteImportedMsg struct {
		id       int
		path     string
		suite    prompt.Suite
		caseList bool
		exists   bool
		err      error
	}
	// Answers of the screen's dialogs.
	suiteNewNameMsg struct{ name string }
	suiteNewMsg     struct{ name, prompt string }
	// suitePromptCheckedMsg answers whether a new suite's prompt exists
	// (err set when it does not), before the draft opens.
	suitePromptCheckedMsg struct {
		id           int // checkReq
		name, prompt string
		vars         []string // the variables of its latest version
		err          error
	}
	suiteImportAskMsg struct{ path string }
	suiteDeleteMsg    struct{ index int }
	suiteLeaveMsg     struct{} // back to the list, dropping unsaved edits
	suiteRenameMsg    struct{ from, to string }
	suiteRemoveMsg    struct{ name string }
	// suiteChangedMsg is a rename or delete done (note) or failed (err).
	suiteChangedMsg struct {
		note string
		err  error
	}
	// suiteDescribeMsg and suiteThresholdMsg set the draft's description
	// and pass mark ("" = none).
	suiteDescribeMsg  struct{ text string }
	suiteThresholdMsg struct{ text string }
	// suiteFileParsedMsg is the suite file edited in $EDITOR, read back.
	suiteFileParsedMsg struct {
		path  string
		suite prompt.Suite
		err   error
	}
	suiteFormDropMsg struct{} // close the case form, dropping its edits
)

func (suitesOpenMsg) target() screenID    { return screenSuites }
func (suitesListedMsg) target() screenID  { return screenSuites }
func (suiteLoadedMsg) target() screenID   { return screenSuites }
func (suiteSavedMsg) target() screenID    { return screenSuites }
func (suiteImportedMsg) target() screenID { return screenSuites }
func (suiteNewNameMsg) target() screenID  { return screenSuites }
func (suiteNewMsg) target() screenID      { return screenSuites }
func (suitePromptCheckedMsg) target() screenID {
	return screenSuites
}
func (suiteImportAskMsg) target() screenID  { return screenSuites }
func (suiteDeleteMsg) target() screenID     { return screenSuites }
func (suiteLeaveMsg) target() screenID      { return screenSuites }
func (suiteRenameMsg) target() screenID     { return screenSuites }
func (suiteRemoveMsg) target() screenID     { return screenSuites }
func (suiteChangedMsg) target() screenID    { return screenSuites }
func (suiteDescribeMsg) target() screenID   { return screenSuites }
func (suiteThresholdMsg) target() screenID  { return screenSuites }
func (suiteFileParsedMsg) target() screenID { return screenSuites }
func (suiteFormDropMsg) target() screenID   { return screenSuites }

// suitesModel is the Suites tab: the suites (`whet suite list`), one
// suite's cases as a table, and a form to add or edit a case. Edits stay in
// a draft until ctrl+s saves it (ReplaceSuite, or CreateSuite for a new
// suite); a failed save keeps the draft.
type suitesModel struct {
	sh   *shared
	keys suitesKeys
	w, h int
	mode suitesMode
	// stats holds the cases table's figures of the draft's cases
	// (casesStats), shared by the model's copies.
	stats *caseStatsMemo

	// The list.
	scope   string // "" = every suite, else one prompt's
	other   string // the prompt A toggles back to
	listed  string // the scope of the suites list holds
	req     int
	loading bool
	loaded  bool
	err     string
	list    []store.SuiteSummary
	cursor  int
	offset  int

	// The open suite.
	draft      prompt.Suite
	isNew      bool // ctrl+s creates it
	modified   bool
	loadReq    int
	loadingOne bool
	saveReq    int
	saving     bool
	saveErr    string
	importReq  int
	checkReq   int
	// importing: a file is read for an import (importReq); checking: the
	// prompt of a new suite is looked up.
	importing, checking bool
	caseCursor          int
	caseOffset          int
	extFile             string   // the suite file open in $EDITOR
	promptVars          []string // the variables of the draft's prompt, for the case form

	form caseForm
}

func newSuites(sh *shared) suitesModel {
	return suitesModel{sh: sh, keys: newSuitesKeys(), stats: &caseStatsMemo{}}
}

// caseStats are the figures the cases table takes from every case: how
// many are graded by their expected output, whether any expects one, and
// the widest name and expected output.
type caseStats struct {
	graded            int
	anyExpected       bool
	longName, longExp int
}

// caseStatsMemo is the caseStats of a slice of cases, known by its first
// element's address and its length. Every change to the draft's cases
// makes a new slice (cloneCases, or an append that lengthens it).
type caseStatsMemo struct {
	first *prompt.Case
	n     int
	ok    bool
	stats caseStats
}

// casesStats is the draft's caseStats, computed once per change of its
// cases rather than every frame: a suite of 100,000 cases took as many
// measurements a frame.
func (m suitesModel) casesStats() caseStats {
	cs := m.draft.Cases
	var first *prompt.Case
	if len(cs) > 0 {
		first = &cs[0]
	}
	if memo := m.stats; memo != nil && memo.ok && memo.first == first && memo.n == len(cs) {
		return memo.stats
	}
	st := caseStats{longExp: len("EXPECTED")}
	for i, c := range cs {
		if gradedByExpected(c) {
			st.graded++
		}
		st.anyExpected = st.anyExpected || c.Expected != ""
		st.longName = max(st.longName, lipgloss.Width(caseNameText(c, i)))
		st.longExp = max(st.longExp, lipgloss.Width(oneLine(c.Expected)))
	}
	if m.stats != nil {
		*m.stats = caseStatsMemo{first: first, n: len(cs), ok: true, stats: st}
	}
	return st
}

func (m suitesModel) setSize(w, h int) suitesModel {
	m.w, m.h = w, h
	m.form = m.form.setSize(m.sh, w, h)
	return m.clamp()
}

func (m suitesModel) applyTheme() suitesModel {
	m.form = m.form.applyTheme(m.sh)
	return m
}

// waiting reports whether the screen waits for what it is about to show:
// a list of other suites than those listed (not the same list read
// again), a suite's cases, an imported file, a new suite's prompt. Keys
// typed meanwhile act on that (hold.go).
func (m suitesModel) waiting() bool {
	list := m.mode == suitesList && m.loading && (!m.loaded || m.listed != m.scope)
	return list || m.loadingOne || m.importing || m.checking
}

// opening reports whether the list waits for what would open over it: a
// suite, a file imported, a new suite whose prompt is looked up.
func (m suitesModel) opening() bool {
	return m.mode == suitesList && (m.loadingOne || m.importing || m.checking)
}

// abandon forgets what the screen waits for (esc, hold.go): a suite being
// opened, a file being read for an import, a new suite's prompt being
// looked up; their answers are dropped. A list of other suites asked for
// is dropped too; the list read before stays, under its own scope.
func (m suitesModel) abandon() suitesModel {
	if m.mode == suitesList && m.loading && (!m.loaded || m.listed != m.scope) {
		m.req++
		m.loading = false
		if m.loaded {
			m.scope = m.listed
		}
	}
	if m.loadingOne {
		m.loadReq++
		m.loadingOne = false
	}
	if m.importing {
		m.importReq++
		m.importing = false
	}
	if m.checking {
		m.checkReq++
		m.checking = false
	}
	return m
}

// unlisted reports whether the screen has no list and reads none: never
// shown, or left (esc) before its first list came.
func (m suitesModel) unlisted() bool { return !m.loaded && !m.loading }

// dirty reports whether the open suite has edits that are not saved.
func (m suitesModel) dirty() bool { return m.mode != suitesList && m.modified }

// capturesText reports whether a form field takes typed text.
func (m suitesModel) capturesText() bool { return m.mode == suitesForm }

// title names the open suite for questions about unsaved edits.
func (m suitesModel) title() string { return "suite " + m.draft.Name }

func (m suitesModel) reload() (suitesModel, tea.Cmd) {
	m.req++
	m.loading = true
	id, scope := m.req, m.scope
	return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		list, err := st.ListSuites(ctx, scope)
		return suitesListedMsg{id: id, prompt: scope, list: list, err: err}
	})
}

// renamed follows a prompt's rename: the scope, the open suite's prompt
// and the names the list shows; with suite, the prompt's own suite (named
// from) took the name to as well, open or listed.
func (m suitesModel) renamed(from, to string, suite bool) suitesModel {
	if suite && m.draft.Name == from && m.draft.Prompt == from {
		m.draft.Name = to
	}
	if m.scope == from {
		m.scope = to
	}
	if m.other == from {
		m.other = to
	}
	if m.draft.Prompt == from {
		m.draft.Prompt = to
	}
	m.list = slices.Clone(m.list)
	for i := range m.list {
		if suite && m.list[i].Name == from && m.list[i].Prompt == from {
			m.list[i].Name = to
		}
		if m.list[i].Prompt == from {
			m.list[i].Prompt = to
		}
	}
	return m
}

func (m suitesModel) openList(scope string) (suitesModel, tea.Cmd) {
	if scope != m.scope {
		m.cursor, m.offset = 0, 0
		if scope != "" {
			m.other = scope
		}
	}
	m.scope = scope
	return m.reload()
}

func (m suitesModel) load(name string) (suitesModel, tea.Cmd) {
	m.loadReq++
	m.loadingOne = true
	id := m.loadReq
	return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		su, err := st.GetSuite(ctx, name)
		msg := suiteLoadedMsg{id: id, suite: su, err: err}
		if err == nil && su.Prompt != "" {
			msg.vars = latestVars(ctx, st, su.Prompt)
		}
		return msg
	})
}

// latestVars lists the variables of name's latest version; none when it
// cannot be read (the case form then only lacks its hint).
func latestVars(ctx context.Context, st Store, name string) []string {
	v, err := st.Resolve(ctx, prompt.Ref{Name: name})
	if err != nil {
		return nil
	}
	return v.Variables()
}

// varsHint is the case form's hint for its variables: those the draft's
// prompt takes, when known.
func (m suitesModel) varsHint() string {
	if len(m.promptVars) == 0 || m.draft.Prompt == "" {
		return "name=value, one a line"
	}
	return "name=value, one a line; " + m.draft.Prompt + " takes " + strings.Join(m.promptVars, ", ") + " (unset: its sample values)"
}

// openDraft shows su's cases as the draft being edited.
func (m suitesModel) openDraft(su prompt.Suite, isNew, modified bool) suitesModel {
	m.draft = su
	m.isNew, m.modified = isNew, modified
	m.mode = suitesCases
	m.saveErr = ""
	m.caseCursor, m.caseOffset = 0, 0
	return m.clamp()
}

// Update handles the Suites screen's keys and messages.
func (m suitesModel) Update(msg tea.Msg) (suitesModel, tea.Cmd) {
	switch msg := msg.(type) {
	case suitesOpenMsg:
		if m.dirty() {
			// Keep the draft; the list behind it follows the prompt.
			m.scope = msg.prompt
			m, cmd := m.reload()
			return m, tea.Batch(cmd, m.sh.post(showScreenMsg{to: screenSuites,
				notice: "the open suite has unsaved changes: save (ctrl+s) or leave it (esc) first"}))
		}
		m.mode = suitesList
		m, cmd := m.openList(msg.prompt)
		return m, tea.Batch(cmd, m.sh.post(showScreenMsg{to: screenSuites}))
	case suitesListedMsg:
		if msg.id != m.req {
			return m, nil
		}
		m.loading, m.loaded, m.listed = false, true, msg.prompt
		if msg.err != nil {
			m.err = m.sh.errText(msg.err)
			return m, nil
		}
		m.err = ""
		keep := ""
		if s, ok := m.selected(); ok {
			keep = s.Name
		}
		m.list = msg.list
		for i, s := range m.list {
			if s.Name == keep {
				m.cursor = i
			}
		}
		return m.clamp(), nil
	case suiteLoadedMsg:
		if msg.id != m.loadReq {
			return m, nil
		}
		m.loadingOne = false
		if msg.err != nil {
			return m, notifyErr(msg.err)
		}
		m.promptVars = msg.vars
		return m.openDraft(msg.suite, false, false), nil
	case suiteSavedMsg:
		if msg.id != m.saveReq {
			return m, nil
		}
		m.saving = false
		if msg.err != nil {
			m.saveErr = saveErrText(msg.err, m.isNew)
			return m, notifyErr(errors.New("suite " + m.draft.Name + " not saved"))
		}
		m.saveErr = ""
		m.draft, m.isNew, m.modified = msg.suite, false, false
		m = m.clamp()
		m, cmd := m.reload()
		return m, tea.Batch(cmd, notify("saved suite "+msg.suite.Name+": "+plural(len(msg.suite.Cases), "case")+", "+plural(msg.suite.CheckCount(), "check")))
	case suiteImportedMsg:
		if msg.id != m.importReq {
			return m, nil
		}
		m.importing = false
		if msg.err != nil {
			return m, m.sh.open(&messageDialog{title: "Import failed", body: sanitize(msg.err.Error()), isError: true})
		}
		return m.imported(msg)
	case suiteNewNameMsg:
		return m, m.askSuitePrompt(msg.name, m.scope, "")
	case suiteNewMsg:
		m.checkReq++
		if msg.prompt == "" {
			return m.Update(suitePromptCheckedMsg{id: m.checkReq, name: msg.name})
		}
		id, name, p := m.checkReq, msg.name, msg.prompt
		m.checking = true
		return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
			pr, err := st.GetPrompt(ctx, p)
			var vars []string
			if err == nil {
				p = pr.Name
				vars = latestVars(ctx, st, p)
			}
			return suitePromptCheckedMsg{id: id, name: name, prompt: p, vars: vars, err: err}
		})
	case suitePromptCheckedMsg:
		if msg.id != m.checkReq {
			return m, nil
		}
		m.checking = false
		if msg.err != nil {
			// Ask again, with what was typed: no case is written yet.
			return m, m.askSuitePrompt(msg.name, msg.prompt, msg.err.Error())
		}
		m.promptVars = msg.vars
		m = m.openDraft(prompt.Suite{Name: msg.name, Prompt: msg.prompt}, true, true)
		return m, notify("new suite " + msg.name + ": add cases with a, save with ctrl+s")
	case suiteImportAskMsg:
		return m.startImport(msg.path)
	case suiteDeleteMsg:
		if msg.index < 0 || msg.index >= len(m.draft.Cases) {
			return m, nil
		}
		label := m.draft.Cases[msg.index].Label(msg.index)
		m.draft.Cases = append(m.draft.Cases[:msg.index:msg.index], m.draft.Cases[msg.index+1:]...)
		m.modified = true
		return m.clamp(), notify("deleted " + oneLine(label) + " (not saved yet)")
	case suiteLeaveMsg:
		m.mode = suitesList
		m.modified, m.isNew, m.saveErr = false, false, ""
		return m.reload()
	case suiteFormDropMsg:
		m.mode = suitesCases
		return m, nil
	case suiteRenameMsg:
		author := m.sh.author
		return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
			su, err := st.RenameSuite(ctx, msg.from, msg.to, author)
			return suiteChangedMsg{note: "renamed suite " + msg.from + " to " + su.Name, err: err}
		})
	case suiteRemoveMsg:
		author := m.sh.author
		return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
			su, err := st.DeleteSuite(ctx, msg.name, author)
			return suiteChangedMsg{note: "deleted suite " + su.Name + " (" + plural(len(su.Cases), "case") + ", " + plural(su.CheckCount(), "check") + ")", err: err}
		})
	case extReadyMsg, extExitedMsg, extReopenMsg, extDiscardMsg:
		return m, updateExt(msg, &m.extFile, readSuiteFile)
	case suiteFileParsedMsg:
		if msg.err != nil {
			return m, extErrorDialog(screenSuites, msg.path, msg.err)
		}
		m.extFile = ""
		m, note := m.applySuiteFile(msg.suite)
		return m, tea.Batch(removeFile(msg.path), notify(note))
	case suiteChangedMsg:
		m, cmd := m.reload()
		if msg.err != nil {
			return m, tea.Batch(cmd, notifyErr(msg.err))
		}
		return m, tea.Batch(cmd, notify(msg.note))
	case suiteDescribeMsg:
		if msg.text != m.draft.Description {
			m.draft.Description, m.modified = msg.text, true
		}
		return m, m.askThreshold()
	case suiteThresholdMsg:
		t, _ := parseThreshold(msg.text) // validated by the dialog
		if !sameMark(t, m.draft.Threshold) {
			m.draft.Threshold, m.modified = t, true
			return m, notify("suite settings changed (not saved yet): ctrl+s saves")
		}
		return m, nil
	case tea.KeyPressMsg:
		switch m.mode {
		case suitesForm:
			return m.updateForm(msg)
		case suitesCases:
			return m.updateCases(msg)
		}
		return m.updateList(msg)
	case tea.MouseWheelMsg:
		d := 0
		switch msg.Button {
		case tea.MouseWheelDown:
			d = 1
		case tea.MouseWheelUp:
			d = -1
		}
		switch m.mode {
		case suitesList:
			m.cursor += d
		case suitesCases:
			m.caseCursor += d
		}
		return m.clamp(), nil
	case tea.MouseClickMsg:
		// A click selects the suite or the case under the pointer.
		switch {
		case msg.Button != tea.MouseLeft:
		case m.mode == suitesList && m.loaded && msg.Y >= suitesListTop:
			if row := m.offset + msg.Y - suitesListTop; row < min(len(m.list), m.offset+m.listRows()) {
				m.cursor = row
			}
		case m.mode == suitesCases && msg.Y >= suitesCaseTop:
			if row := m.caseOffset + msg.Y - suitesCaseTop; row < min(len(m.draft.Cases), m.caseOffset+m.caseRows()) {
				m.caseCursor = row
			}
		}
		return m.clamp(), nil
	case tea.PasteMsg:
		if m.mode == suitesForm {
			var cmd tea.Cmd
			m.form, cmd = m.form.update(msg)
			if m.form.focus >= formExpected && strings.Contains(msg.Content, "\t") {
				cmd = tea.Batch(cmd, notify(tabsPasted))
			}
			return m, cmd
		}
	}
	if m.mode == suitesForm {
		// Cursor blinks.
		var cmd tea.Cmd
		m.form, cmd = m.form.update(msg)
		return m, cmd
	}
	return m, nil
}

// askSuitePrompt asks which prompt a new suite belongs to; problem is why
// the last answer was refused.
func (m suitesModel) askSuitePrompt(name, value, problem string) tea.Cmd {
	body := "The prompt it belongs to (optional; empty = a shared suite)."
	if problem != "" {
		body = problem + "\n" + body
	}
	return m.sh.open(newInput(m.sh, "New suite "+name, body, "support/reply", value,
		func(s string) error {
			if s == "" {
				return nil
			}
			return prompt.ValidateName(s)
		},
		func(p string) tea.Msg { return suiteNewMsg{name: name, prompt: p} }))
}

func saveErrText(err error, isNew bool) string {
	if isNew && errors.Is(err, store.ErrExists) {
		return err.Error() + "; rename this draft or import into the existing suite"
	}
	return err.Error()
}

func (m suitesModel) selected() (store.SuiteSummary, bool) {
	if m.cursor < 0 || m.cursor >= len(m.list) {
		return store.SuiteSummary{}, false
	}
	return m.list[m.cursor], true
}

func (m suitesModel) updateList(msg tea.KeyPressMsg) (suitesModel, tea.Cmd) {
	k := m.keys
	if c, ok := k.nav.move(msg, m.cursor, len(m.list), m.listRows()-1); ok {
		m.cursor = c
		return m.clamp(), nil
	}
	switch {
	case key.Matches(msg, k.Leave):
		return m, m.sh.post(showScreenMsg{to: screenLibrary})
	case key.Matches(msg, k.Reload):
		return m.reload()
	case key.Matches(msg, k.All):
		if m.scope != "" {
			return m.openList("")
		}
		if m.other == "" {
			return m, notify("open Suites from a prompt (S in the Library) to list only its suites")
		}
		return m.openList(m.other)
	case key.Matches(msg, k.New):
		taken := map[string]bool{}
		for _, s := range m.list {
			taken[strings.ToLower(s.Name)] = true
		}
		return m, m.sh.open(newInput(m.sh, "New suite", "A name for the suite (like a prompt name: letters, digits, - _ . /).",
			"reply-quality", "", func(s string) error {
				if err := checkSuiteName(s); err != nil {
					return err
				}
				if m.scope == "" && taken[strings.ToLower(s)] {
					return fmt.Errorf("a suite named %q exists", s)
				}
				return nil
			}, func(s string) tea.Msg { return suiteNewNameMsg{name: s} }))
	case key.Matches(msg, k.Import):
		return m, m.askImport()
	}
	s, ok := m.selected()
	if !ok {
		if key.Matches(msg, k.Open, k.Rename, k.Remove, k.Run) {
			return m, notify("no suite selected")
		}
		return m, nil
	}
	switch {
	case key.Matches(msg, k.Open):
		return m.load(s.Name)
	case key.Matches(msg, k.Run):
		return m, m.sh.post(suiteRunMsg{suite: s.Name, prompt: s.Prompt})
	case key.Matches(msg, k.Rename):
		return m, m.sh.open(newInput(m.sh, "Rename suite "+s.Name,
			"A new name. Runs made from the suite keep the name they were made with.", "support-smoke", s.Name,
			func(name string) error {
				if err := checkSuiteName(name); err != nil {
					return err
				}
				for _, o := range m.list {
					if o.Name != s.Name && strings.EqualFold(o.Name, name) {
						return fmt.Errorf("a suite named %q exists", o.Name)
					}
				}
				return nil
			}, func(name string) tea.Msg { return suiteRenameMsg{from: s.Name, to: name} }))
	case key.Matches(msg, k.Remove):
		return m, m.sh.open(newDestructiveConfirm("Delete suite "+s.Name+"?",
			"Its "+plural(s.Cases, "case")+" and "+plural(s.Checks, "check")+" are deleted. Runs made from it keep their results.\n"+
				"To keep a copy first: whet suite export "+s.Name+" -o FILE", suiteRemoveMsg{name: s.Name}, nil))
	}
	return m, nil
}

// askDescription starts the suite settings: its description, then its
// threshold (askThreshold); both change the draft, saved with ctrl+s.
func (m suitesModel) askDescription() tea.Cmd {
	return m.sh.open(newInput(m.sh, "Suite "+m.draft.Name+" › description", "What the suite checks (optional).",
		"replies are polite and on topic", m.draft.Description, nil,
		func(s string) tea.Msg { return suiteDescribeMsg{text: s} }))
}

func (m suitesModel) askThreshold() tea.Cmd {
	cur := ""
	if m.draft.Threshold != nil {
		cur = strconv.FormatFloat(*m.draft.Threshold, 'g', -1, 64)
	}
	return m.sh.open(newInput(m.sh, "Suite "+m.draft.Name+" › threshold",
		"The score in 0..1 a case must reach to pass. Empty: every check must pass.", "0.8", cur,
		func(s string) error { _, err := parseThreshold(s); return err },
		func(s string) tea.Msg { return suiteThresholdMsg{text: s} }))
}

// readSuiteFile reads back a suite file edited in $EDITOR, with the
// checks validated as `whet suite import` does.
func readSuiteFile(path string) tea.Cmd {
	return func() tea.Msg {
		data, err := os.ReadFile(path)
		if err != nil {
			return suiteFileParsedMsg{path: path, err: err}
		}
		su, err := prompt.ParseSuiteFileWith(filepath.Base(path), data, eval.ValidateCheck)
		if err == nil {
			err = eval.ValidateSuite(su)
		}
		return suiteFileParsedMsg{path: path, suite: su, err: err}
	}
}

// applySuiteFile puts an edited suite file into the draft: description,
// prompt, threshold, checks and cases. The name changes only for a new
// suite (r in the list renames a stored one).
func (m suitesModel) applySuiteFile(su prompt.Suite) (suitesModel, string) {
	note := "loaded the edited file"
	d := m.draft
	if su.Name != d.Name {
		if m.isNew && prompt.ValidateName(su.Name) == nil {
			d.Name = su.Name
		} else {
			note += "; the name stays " + d.Name + " (r in the list renames a suite)"
		}
	}
	d.Description, d.Prompt, d.Threshold, d.Checks, d.Cases = su.Description, su.Prompt, su.Threshold, su.Checks, su.Cases
	if string(prompt.FormatSuiteFile(d)) == string(prompt.FormatSuiteFile(m.draft)) {
		return m, "no changes in the edited file"
	}
	m.draft, m.modified = d, true
	return m.clamp(), note + " (not saved yet): ctrl+s saves"
}

// parseThreshold reads a pass mark: "" is none, else a number in 0..1.
func parseThreshold(s string) (*float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !(f >= 0 && f <= 1) {
		return nil, fmt.Errorf("%q is not a number from 0 to 1", s)
	}
	return &f, nil
}

func sameMark(a, b *float64) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

func (m suitesModel) askImport() tea.Cmd {
	body := "A suite file (.yaml, with checks) or a case list (.csv with __expected/__description columns, .jsonl, .yaml)."
	if m.mode == suitesCases {
		body = "Add the cases of a file to " + m.draft.Name + ": a case list (.csv, .jsonl, .yaml) or a suite file (its cases and checks)."
	}
	return m.sh.open(newInput(m.sh, "Import", body, "cases.csv", "", func(s string) error {
		if s == "" {
			return errors.New("a file path is needed")
		}
		return nil
	}, func(s string) tea.Msg { return suiteImportAskMsg{path: s} }))
}

// startImport reads and parses path in a command, with the same rules as
// `whet suite import` (see readSuiteFile).
func (m suitesModel) startImport(path string) (suitesModel, tea.Cmd) {
	m.importReq++
	m.importing = true
	id, home, checkExists := m.importReq, m.sh.home, m.mode == suitesList
	return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		p := expandHome(path, home)
		data, err := os.ReadFile(p)
		if err != nil {
			return suiteImportedMsg{id: id, path: path, err: err}
		}
		su, caseList, err := eval.ReadSuiteSource(path, data)
		if err != nil {
			return suiteImportedMsg{id: id, path: path, err: err}
		}
		exists := false
		if checkExists {
			if _, gerr := st.GetSuite(ctx, su.Name); gerr == nil {
				exists = true
			}
		}
		return suiteImportedMsg{id: id, path: path, suite: su, caseList: caseList, exists: exists}
	})
}

func expandHome(p, home string) string {
	if home != "" && (p == "~" || strings.HasPrefix(p, "~/")) {
		return filepath.Join(home, p[1:])
	}
	return p
}

func (m suitesModel) imported(msg suiteImportedMsg) (suitesModel, tea.Cmd) {
	su := msg.suite
	if m.mode == suitesCases || m.mode == suitesForm {
		m.mode = suitesCases
		m.draft.Cases = append(m.draft.Cases, su.Cases...)
		m.draft.Checks = append(m.draft.Checks, su.Checks...)
		m.modified = true
		m.caseCursor = len(m.draft.Cases) - 1
		note := "added " + plural(len(su.Cases), "case")
		if len(su.Checks) > 0 {
			note += " and " + plural(len(su.Checks), "suite check")
		}
		return m.clamp(), notify(note + " from " + filepath.Base(msg.path) + " (not saved yet)")
	}
	if su.Prompt == "" {
		su.Prompt = m.scope
	}
	m.promptVars = nil // not read for an import
	m = m.openDraft(su, !msg.exists, true)
	note := "imported " + plural(len(su.Cases), "case") + " as suite " + su.Name + ": ctrl+s saves"
	if msg.exists {
		note = "imported " + plural(len(su.Cases), "case") + ": ctrl+s replaces the stored suite " + su.Name
	}
	return m, notify(note)
}

func (m suitesModel) updateCases(msg tea.KeyPressMsg) (suitesModel, tea.Cmd) {
	k := m.keys
	if c, ok := k.nav.move(msg, m.caseCursor, len(m.draft.Cases), m.caseRows()-1); ok {
		m.caseCursor = c
		return m.clamp(), nil
	}
	switch {
	case key.Matches(msg, k.Back):
		if m.modified {
			return m, m.sh.open(newDestructiveConfirm("Leave without saving?",
				"Suite "+m.draft.Name+" has unsaved changes.\nGo back to the list and lose them?", suiteLeaveMsg{}, nil))
		}
		return m.Update(suiteLeaveMsg{})
	case key.Matches(msg, k.Save):
		return m.save()
	case key.Matches(msg, k.Run):
		if m.isNew || m.modified {
			return m, notify("save the suite first (ctrl+s): a run uses the suite as saved")
		}
		return m, m.sh.post(suiteRunMsg{suite: m.draft.Name, prompt: m.draft.Prompt})
	case key.Matches(msg, k.Settings):
		return m, m.askDescription()
	case key.Matches(msg, k.External):
		return m, startExternal(screenSuites, "whet-suite-*.yaml", prompt.FormatSuiteFile(m.draft))
	case key.Matches(msg, k.Import):
		return m, m.askImport()
	case key.Matches(msg, k.Add):
		var cmd tea.Cmd
		m.form, cmd = newCaseForm(m.sh, -1, prompt.Case{}, m.varsHint()).setSize(m.sh, m.w, m.h).focusField(formName)
		m.mode = suitesForm
		return m, cmd
	}
	if m.caseCursor < 0 || m.caseCursor >= len(m.draft.Cases) {
		if key.Matches(msg, k.Edit, k.Delete, k.MoveUp, k.MoveDown) {
			return m, notify("no case selected: a adds one")
		}
		return m, nil
	}
	i := m.caseCursor
	switch {
	case key.Matches(msg, k.Edit):
		var cmd tea.Cmd
		m.form, cmd = newCaseForm(m.sh, i, m.draft.Cases[i], m.varsHint()).setSize(m.sh, m.w, m.h).focusField(formName)
		m.mode = suitesForm
		return m, cmd
	case key.Matches(msg, k.Delete):
		return m, m.sh.open(newDestructiveConfirm("Delete "+oneLine(m.draft.Cases[i].Label(i))+"?",
			"It leaves the draft of "+m.draft.Name+"; the stored suite changes when you save (ctrl+s).", suiteDeleteMsg{index: i}, nil))
	case key.Matches(msg, k.MoveUp):
		if i > 0 {
			m.draft.Cases = cloneCases(m.draft.Cases)
			m.draft.Cases[i-1], m.draft.Cases[i] = m.draft.Cases[i], m.draft.Cases[i-1]
			m.caseCursor--
			m.modified = true
		}
		return m.clamp(), nil
	case key.Matches(msg, k.MoveDown):
		if i < len(m.draft.Cases)-1 {
			m.draft.Cases = cloneCases(m.draft.Cases)
			m.draft.Cases[i+1], m.draft.Cases[i] = m.draft.Cases[i], m.draft.Cases[i+1]
			m.caseCursor++
			m.modified = true
		}
		return m.clamp(), nil
	}
	return m, nil
}

// cloneCases copies the slice (not the cases), so that a model copy never
// sees another's reordering.
func cloneCases(cs []prompt.Case) []prompt.Case { return append([]prompt.Case(nil), cs...) }

// save validates the draft and stores it in a command.
func (m suitesModel) save() (suitesModel, tea.Cmd) {
	if m.saving {
		return m, notify("saving…")
	}
	su := m.draft
	if err := prompt.ValidateName(su.Name); err != nil {
		m.saveErr = "suite name: " + err.Error()
		return m, nil
	}
	if err := eval.ValidateSuite(su); err != nil {
		m.saveErr = err.Error()
		return m, notifyErr(errors.New("suite " + su.Name + " not saved: fix the checks first"))
	}
	m.saveErr = ""
	m.saving = true
	m.saveReq++
	id, isNew, author := m.saveReq, m.isNew, m.sh.author
	su.Cases = cloneCases(su.Cases)
	return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		var saved prompt.Suite
		var err error
		if isNew {
			saved, err = st.CreateSuite(ctx, su, author)
		} else {
			saved, err = st.ReplaceSuite(ctx, su, author)
		}
		return suiteSavedMsg{id: id, suite: saved, err: err}
	})
}

func (m suitesModel) updateForm(msg tea.KeyPressMsg) (suitesModel, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Cancel):
		if m.form.changed() {
			return m, m.sh.open(newDestructiveConfirm("Drop this case's edits?", "The form has changes that are not in the suite yet.", suiteFormDropMsg{}, nil))
		}
		m.mode = suitesCases
		return m, nil
	case key.Matches(msg, k.Apply):
		c, err := m.form.result()
		if err != nil {
			m.form.err = err
			return m, nil
		}
		m.draft.Cases = cloneCases(m.draft.Cases)
		if m.form.index < 0 || m.form.index >= len(m.draft.Cases) {
			m.draft.Cases = append(m.draft.Cases, c)
			m.caseCursor = len(m.draft.Cases) - 1
		} else {
			m.draft.Cases[m.form.index] = c
			m.caseCursor = m.form.index
		}
		m.modified = true
		m.mode = suitesCases
		m = m.clamp()
		return m.save()
	case key.Matches(msg, k.Next):
		var cmd tea.Cmd
		m.form, cmd = m.form.focusField(m.form.focus + 1)
		return m, cmd
	case key.Matches(msg, k.Prev):
		var cmd tea.Cmd
		m.form, cmd = m.form.focusField(m.form.focus - 1)
		return m, cmd
	}
	var cmd tea.Cmd
	m.form, cmd = m.form.update(msg)
	return m, cmd
}

// Layout: the list has a title and a header row; a suite has a title, a
// details line and a header row.
const (
	suitesListTop = 2
	suitesCaseTop = 3
)

func (m suitesModel) listRows() int { return max(1, m.h-suitesListTop) }

// caseRows is the number of case rows; a save error takes two rows.
func (m suitesModel) caseRows() int {
	n := m.h - suitesCaseTop
	if m.saveErr != "" {
		n -= 2
	}
	return max(1, n)
}

func (m suitesModel) clamp() suitesModel {
	m.cursor, m.offset = clampScroll(m.cursor, m.offset, len(m.list), m.listRows())
	m.caseCursor, m.caseOffset = clampScroll(m.caseCursor, m.caseOffset, len(m.draft.Cases), m.caseRows())
	return m
}

// clampScroll keeps cursor in [0,n) and visible in a window of rows rows
// starting at offset.
func clampScroll(cursor, offset, n, rows int) (int, int) {
	cursor = clamp(cursor, 0, n-1)
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+rows {
		offset = cursor - rows + 1
	}
	return cursor, clamp(offset, 0, max(0, n-rows))
}

func (m suitesModel) keyTable() keyTable {
	k := m.keys
	switch m.mode {
	case suitesForm:
		return keyTable{
			short:  []key.Binding{k.Next, k.Apply, k.Cancel},
			groups: [][]key.Binding{{k.Next, k.Prev}, {k.Apply, k.Cancel}},
		}
	case suitesCases:
		return keyTable{
			short:  []key.Binding{k.Add, k.Edit, k.Delete, k.Save, k.Run, k.Back},
			groups: [][]key.Binding{k.nav.bindings(), {k.Add, k.Edit, k.Delete, k.MoveUp, k.MoveDown}, {k.Settings, k.External, k.Save, k.Import, k.Back}, {k.Run}},
		}
	}
	short := []key.Binding{k.Open, k.Run, k.New, k.Import, k.Rename, k.Remove}
	if m.loaded && len(m.list) == 0 {
		short = []key.Binding{k.New, k.Import} // nothing to open, run, rename or delete
	}
	return keyTable{
		short:  short,
		groups: [][]key.Binding{k.nav.bindings(), {k.Open, k.Run, k.New, k.Import}, {k.Rename, k.Remove}, {k.All, k.Reload, k.Leave}},
	}
}

// View draws the Suites screen into its w×h area.
func (m suitesModel) View() string {
	switch m.mode {
	case suitesForm:
		return m.form.view(m.sh, m.formTitle(), m.w, m.h)
	case suitesCases:
		return m.casesView()
	}
	return m.listView()
}

func (m suitesModel) formTitle() string {
	if m.form.index < 0 {
		return m.draft.Name + " › new case " + itoa(len(m.draft.Cases)+1)
	}
	return m.draft.Name + " › case " + itoa(m.form.index+1)
}

// cell pads s to w cells plus a gap; right aligns it.
func suitesCell(s string, w int, right bool) string {
	if w <= 0 {
		return ""
	}
	if right {
		if n := lipgloss.Width(s); n < w {
			s = strings.Repeat(" ", w-n) + s
		}
	}
	return pad(s, w) + " "
}

func (m suitesModel) listView() string {
	st := m.sh.styles()
	scope := "all prompts"
	if m.scope != "" {
		scope = m.scope
	}
	title := st.Title.Render("Suites") + st.Muted.Render(" · ") + st.Base.Render(oneLine(scope))
	switch {
	case m.err != "":
		return trunc(title, m.w) + "\n" + hintLines(st.Error, m.err, m.w)
	case !m.loaded:
		return trunc(title, m.w) + "\n" + st.Muted.Render("loading suites…")
	}
	title += st.Muted.Render(" · " + plural(len(m.list), "suite"))
	if len(m.list) == 0 {
		hint := "No suites yet. n creates one, i imports a file (or: whet suite import cases.csv --prompt NAME)."
		return trunc(title, m.w) + "\n\n" + hintLines(st.Muted, hint, m.w)
	}
	// The counts and times are as wide as they need (at least their
	// headings); the names take what is left and read whole where they
	// can, and a description shows only where at least ten columns remain
	// past them (not at 80 columns).
	now := m.sh.now()
	name, prom := lipgloss.Width("SUITE"), lipgloss.Width("PROMPT")
	cases, checks, updated := lipgloss.Width("CASES"), lipgloss.Width("CHECKS"), lipgloss.Width("UPDATED")
	for _, s := range m.list {
		name = max(name, lipgloss.Width(oneLine(s.Name)))
		prom = max(prom, lipgloss.Width(oneLine(suitePromptText(s.Prompt))))
		cases = max(cases, len(itoa(s.Cases)))
		checks = max(checks, lipgloss.Width(s.ChecksText()))
		updated = max(updated, lipgloss.Width(ago(now, s.Updated)))
	}
	name, prom = min(name, 40), min(prom, 32)
	rest := m.w - 2 - cases - checks - updated - 5 // the names' room, gaps between
	desc := rest - name - prom - 1
	if desc < 10 {
		// No room for descriptions: the names share what there is,
		// the suites' first.
		desc = 0
		if name+prom > rest {
			name = max(8, min(name, rest-min(prom, 12)))
			prom = max(0, rest-name)
		}
	}
	head := "  " + suitesCell("SUITE", name, false) + suitesCell("PROMPT", prom, false) + suitesCell("CASES", cases, true) +
		suitesCell("CHECKS", checks, true) + suitesCell("UPDATED", updated, false) + suitesCell("DESCRIPTION", desc, false)
	lines := []string{trunc(title, m.w), st.Header.Render(pad(head, m.w))}
	end := min(len(m.list), m.offset+m.listRows())
	for i := m.offset; i < end; i++ {
		s := m.list[i]
		base := st.Row
		marker := base.Render("  ")
		if i == m.cursor {
			base = st.RowSelected
			marker = st.Cursor.Inherit(base).Render("▌ ")
		}
		row := marker + base.Render(suitesCell(oneLine(s.Name), name, false)) +
			st.Muted.Inherit(base).Render(suitesCell(oneLine(suitePromptText(s.Prompt)), prom, false)) +
			base.Render(suitesCell(itoa(s.Cases), cases, true)) +
			base.Render(suitesCell(s.ChecksText(), checks, true)) +
			st.Muted.Inherit(base).Render(suitesCell(ago(now, s.Updated), updated, false)) +
			st.Muted.Inherit(base).Render(suitesCell(oneLine(s.Description), desc, false))
		if gap := m.w - lipgloss.Width(row); gap > 0 {
			row += base.Render(strings.Repeat(" ", gap))
		}
		lines = append(lines, trunc(row, m.w))
	}
	return strings.Join(lines, "\n")
}

// suitePromptText is what the Suites list shows for a suite's prompt.
func suitePromptText(p string) string {
	if p == "" {
		return "(shared)"
	}
	return p
}

// gradedByExpected reports whether a run grades case c by an icontains
// of its expected output: it has one and no checks of its own.
func gradedByExpected(c prompt.Case) bool { return c.Expected != "" && len(c.Checks) == 0 }

// checksText is the CHECKS cell of case c: its count, or "exp" where
// its expected output grades it.
func checksText(c prompt.Case) string {
	if gradedByExpected(c) {
		return "exp"
	}
	return itoa(len(c.Checks))
}

// varsSummary is "k=v, k=v" with keys sorted, on one line.
func varsSummary(vars map[string]string) string {
	keys := sortedVarNames(vars)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + vars[k]
	}
	return oneLine(strings.Join(parts, ", "))
}

func (m suitesModel) casesView() string {
	st := m.sh.styles()
	su := m.draft
	title := st.Title.Render("Suites › ") + st.Title.Render(oneLine(su.Name))
	state := " · " + plural(len(su.Cases), "case") + " · " + plural(su.CheckCount(), "check")
	// A case with an expected output and no checks of its own is graded
	// by an icontains of it: say so, so that "0 checks" does not read as
	// ungraded.
	stats := m.casesStats()
	if n := stats.graded; n > 0 {
		state += " · " + itoa(n) + " graded by expected"
	}
	title += st.Muted.Render(state)
	switch {
	case m.saving:
		title += st.Muted.Render(" · saving…")
	case m.isNew:
		title += st.Warn.Render(" · new, not saved")
	case m.modified:
		title += st.Warn.Render(" · modified")
	}
	p := su.Prompt
	if p == "" {
		p = "(shared)"
	}
	details := st.LabelKey.Render("prompt ") + st.Base.Render(oneLine(p))
	if len(su.Checks) > 0 {
		var types []string
		for _, c := range su.Checks {
			types = append(types, c.Type)
		}
		details += st.LabelKey.Render("  every case ") + st.Base.Render(oneLine(strings.Join(types, ", ")))
	}
	if su.Threshold != nil {
		details += st.LabelKey.Render("  threshold ") + st.Base.Render(fmt.Sprintf("%g", *su.Threshold))
	}
	if su.Description != "" {
		details += st.Muted.Render("  " + oneLine(su.Description))
	}
	lines := []string{trunc(title, m.w), trunc(details, m.w)}
	num, checks := 4, 6
	rest := m.w - 2 - num - checks - 5
	name := clamp(rest/4, 8, 28)
	vars := (rest - name) * 3 / 5
	exp := rest - name - vars
	if len(su.Cases) > 0 && !stats.anyExpected {
		// No case expects an output: its column holds dashes; the
		// variables take the room.
		exp = min(exp, len("EXPECTED")+1)
		vars = rest - name - exp
	}
	// The room the expected outputs leave unused goes to the cases'
	// names, so that they read whole (negative-sarcasm at 80 columns).
	add := clamp(stats.longName-name, 0, exp-1-stats.longExp)
	name, exp = name+add, exp-add
	head := "  " + suitesCell("#", num, true) + suitesCell("CASE", name, false) + suitesCell("VARIABLES", vars, false) +
		suitesCell("EXPECTED", exp, false) + suitesCell("CHECKS", checks, true)
	lines = append(lines, st.Header.Render(pad(head, m.w)))
	if len(su.Cases) == 0 {
		lines = append(lines, st.Muted.Render(trunc("  No cases yet. a adds one, i imports a case file.", m.w)))
	}
	end := min(len(su.Cases), m.caseOffset+m.caseRows())
	for i := m.caseOffset; i < end; i++ {
		c := su.Cases[i]
		base := st.Row
		marker := base.Render("  ")
		if i == m.caseCursor {
			base = st.RowSelected
			marker = st.Cursor.Inherit(base).Render("▌ ")
		}
		caseName := base.Render(suitesCell(caseNameText(c, i), name, false))
		if c.Name == "" {
			caseName = st.Muted.Inherit(base).Render(suitesCell(caseNameText(c, i), name, false))
		}
		expected := oneLine(c.Expected)
		if expected == "" {
			expected = "—"
		}
		row := marker + st.Muted.Inherit(base).Render(suitesCell(itoa(i+1), num, true)) +
			caseName +
			styled(st.Variable.Inherit(base), suitesCell(varsSummary(c.Vars), vars, false)) +
			base.Render(suitesCell(expected, exp, false)) +
			base.Render(suitesCell(checksText(c), checks, true))
		if gap := m.w - lipgloss.Width(row); gap > 0 {
			row += base.Render(strings.Repeat(" ", gap))
		}
		lines = append(lines, trunc(row, m.w))
	}
	if m.saveErr != "" {
		body := fitLines(strings.Join(lines, "\n"), m.w, m.h-2)
		errLines := strings.Split(wrapLine(oneLine("not saved: "+m.saveErr), m.w), "\n")
		if len(errLines) > 2 {
			errLines = errLines[:2]
			errLines[1] = trunc(errLines[1]+"…", m.w)
		}
		for len(errLines) < 2 {
			errLines = append(errLines, "")
		}
		for i := range errLines {
			errLines[i] = st.Error.Render(strings.TrimRight(errLines[i], " "))
		}
		return body + "\n" + strings.Join(errLines, "\n")
	}
	return strings.Join(lines, "\n")
}

// caseNameText is what the cases table shows in the CASE column of case
// c, the i-th: its name, or else what says which case it is.
func caseNameText(c prompt.Case, i int) string {
	switch {
	case c.Name != "":
		return oneLine(c.Name)
	case c.Description != "":
		// A promptfoo test imports with its description and no name:
		// the description says which case it is.
		return oneLine(c.Description)
	}
	return "(" + oneLine(c.Label(i)) + ")"
}

// checkSuiteName checks a suite name typed in a dialog: the rule is the
// prompts', but the error speaks of a suite.
func checkSuiteName(name string) error {
	if name == "" {
		return errors.New("type a name for the suite, e.g. reply-quality")
	}
	if prompt.ValidateName(name) != nil {
		return fmt.Errorf("invalid suite name %q: %s", name, prompt.NameRule)
	}
	return nil
}
