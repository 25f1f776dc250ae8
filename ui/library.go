package ui

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/sahilm/fuzzy"

	"whet/prompt"
	"whet/store"
)

// libraryKeys is the library's key table.
type libraryKeys struct {
	nav       navKeys
	Filter    key.Binding
	Facets    key.Binding
	ClearAll  key.Binding
	Open      key.Binding
	New       key.Binding
	Edit      key.Binding
	Tag       key.Binding
	Rename    key.Binding
	Archive   key.Binding
	Archived  key.Binding
	Arena     key.Binding
	Results   key.Binding
	Runs      key.Binding
	Suites    key.Binding
	Inventory key.Binding
	InvClose  key.Binding // in the inventory: back to the list
	Reload    key.Binding
	ScrollDn  key.Binding
	ScrollUp  key.Binding
	// While filtering.
	Accept key.Binding
	Cancel key.Binding
}

func newLibraryKeys() libraryKeys {
	return libraryKeys{
		nav:       newNavKeys(),
		Filter:    key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Facets:    key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "facets")),
		ClearAll:  key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "clear filters")),
		Open:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "versions")),
		New:       key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new")),
		Edit:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Tag:       key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "tag latest")),
		Rename:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rename")),
		Archive:   key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "archive/bring back")),
		Archived:  key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "show/hide archived")),
		Arena:     key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "run in arena")),
		Results:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "latest results")),
		Runs:      key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "runs")),
		Suites:    key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "suites")),
		Inventory: key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "inventory")),
		InvClose:  key.NewBinding(key.WithKeys("i", "esc"), key.WithHelp("i/esc", "back to the list")),
		Reload:    key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reload")),
		ScrollDn:  key.NewBinding(key.WithKeys("J", "shift+down"), key.WithHelp("J", "scroll preview")),
		ScrollUp:  key.NewBinding(key.WithKeys("K", "shift+up"), key.WithHelp("K", "scroll preview up")),
		Accept:    key.NewBinding(key.WithKeys("enter", "down", "up"), key.WithHelp("enter", "keep filter")),
		Cancel:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
	}
}

// libFocus is where the library's keys go.
type libFocus int

const (
	libFocusList libFocus = iota
	libFocusFilter
)

// libRow is one visible row: an index into all and the name's matched
// characters.
type libRow struct {
	idx     int
	matched []int
}

// previewKey identifies a rendered preview.
type previewKey struct {
	name, hash, theme string
	width             int
}

// Library messages.
type (
	libraryLoadedMsg struct {
		id      int
		prompts []prompt.Prompt
		err     error
	}
	previewTickMsg   struct{ id int }
	previewLoadedMsg struct {
		id       int
		key      previewKey
		version  prompt.Version
		rendered string
		err      error
	}
	// facetMsg toggles one facet filter; clear drops them all.
	facetMsg struct {
		key, value string
		clear      bool
	}
	libTagMsg struct {
		name, tag string
		force     bool
	}
	libTagDoneMsg struct {
		name, tag string
		number    int
		prev      prompt.Version
		hadPrev   bool
		force     bool
		err       error
	}
	// libArchiveMsg archives a prompt, or brings an archived one back.
	libArchiveMsg struct {
		name string
		undo bool
	}
	libArchiveDoneMsg struct {
		name string
		undo bool
		err  error
	}
	// libRenameMsg renames prompt from to to; d is the dialog that asked,
	// which shows a refusal.
	libRenameMsg struct {
		d        *inputDialog
		from, to string
	}
	libRenameDoneMsg struct {
		d        *inputDialog
		from, to string
		done     store.PromptRenamed
		err      error
	}
)

func (libraryLoadedMsg) target() screenID  { return screenLibrary }
func (previewTickMsg) target() screenID    { return screenLibrary }
func (previewLoadedMsg) target() screenID  { return screenLibrary }
func (facetMsg) target() screenID          { return screenLibrary }
func (libTagMsg) target() screenID         { return screenLibrary }
func (libTagDoneMsg) target() screenID     { return screenLibrary }
func (libArchiveMsg) target() screenID     { return screenLibrary }
func (libArchiveDoneMsg) target() screenID { return screenLibrary }
func (libRenameMsg) target() screenID      { return screenLibrary }
func (libRenameDoneMsg) target() screenID  { return screenLibrary }

// libraryModel lists prompts with a fuzzy filter, facet filters by label,
// a preview of the selected prompt's latest version and an inventory view.
type libraryModel struct {
	sh   *shared
	keys libraryKeys
	w, h int

	all     []prompt.Prompt
	search  []string // per prompt: the text the fuzzy filter matches
	rows    []libRow
	cursor  int
	offset  int
	loaded  bool
	loading bool
	err     string
	listReq int
	// renamed is a prompt just renamed: the next list selects it, clearing
	// the filters if they would hide it.
	renamed string
	// follow is a prompt just saved elsewhere (the editor, a restore): the
	// next list selects it when the filters show it.
	follow string

	focus  libFocus
	filter textinput.Model
	facets map[string]string

	previewReq  int
	previewFor  previewKey
	preview     string // rendered body
	previewVer  prompt.Version
	previewErr  string
	previewOff  int
	previewWait bool
	cache       map[previewKey]previewLoadedMsg

	inventory bool
	inv       inventoryModel
	// archived lists archived prompts too (A), marked, so that one can be
	// renamed or brought back.
	archived bool
}

func newLibrary(sh *shared) libraryModel {
	ti := textinput.New()
	ti.Prompt = "/ "
	ti.Placeholder = "fuzzy filter by name or label; owner=ana matches a label"
	ti.SetStyles(sh.styles().TextInput)
	return libraryModel{
		sh:      sh,
		loading: true, // Init lists the prompts
		keys:    newLibraryKeys(),
		filter:  ti,
		facets:  map[string]string{},
		cache:   map[previewKey]previewLoadedMsg{},
		inv:     newInventory(sh),
	}
}

func (m libraryModel) setSize(w, h int) libraryModel {
	m.w, m.h = w, h
	sizeInput(&m.filter, max(10, w/2))
	m.inv = m.inv.setSize(w, h-1)
	m = m.clampCursor()
	return m
}

func (m libraryModel) applyTheme() libraryModel {
	m.filter.SetStyles(m.sh.styles().TextInput)
	m.cache = map[previewKey]previewLoadedMsg{}
	return m
}

// empty reports whether the store holds no prompts at all (not merely none
// matching a filter).
func (m libraryModel) empty() bool { return m.loaded && len(m.all) == 0 && m.err == "" }

func (m libraryModel) capturesText() bool { return m.focus == libFocusFilter }

// waiting reports whether the library waits for its first list (keys
// typed as whet starts wait for it: hold.go).
func (m libraryModel) waiting() bool { return m.loading && !m.loaded }

// selected is the prompt under the cursor.
func (m libraryModel) selected() (prompt.Prompt, bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return prompt.Prompt{}, false
	}
	return m.all[m.rows[m.cursor].idx], true
}

// reload asks the store for every prompt again; answers to earlier
// requests are dropped.
func (m libraryModel) reload() (libraryModel, tea.Cmd) {
	m.listReq++
	m.loading = true
	return m, m.fetch(m.listReq)
}

// fetch lists the prompts, answering request id. Init uses id 0.
func (m libraryModel) fetch(id int) tea.Cmd {
	archived := m.archived
	return m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		ps, err := st.ListPrompts(ctx, store.ListOptions{IncludeArchived: archived})
		return libraryLoadedMsg{id: id, prompts: ps, err: err}
	})
}

// Update handles the library's keys and messages.
func (m libraryModel) Update(msg tea.Msg) (libraryModel, tea.Cmd) {
	switch msg := msg.(type) {
	case libraryLoadedMsg:
		if msg.id != m.listReq {
			return m, nil // an answer to a request superseded since
		}
		m.loading = false
		m.loaded = true
		if msg.err != nil {
			m.err = m.sh.errText(msg.err)
			return m, notifyErr(errors.New(m.err))
		}
		m.err = ""
		var keep string
		if p, ok := m.selected(); ok {
			keep = p.Name
		}
		m.all = msg.prompts
		m.sh.promptCount = len(m.all)
		m.search = nil // built on first use of the filter
		m.refilter()
		if m.follow == "" || !m.selectName(m.follow) {
			m.selectName(keep)
		}
		m.follow = ""
		var cmd tea.Cmd
		if m.renamed != "" {
			m, cmd = m.selectRenamed()
		}
		m.inv = m.inv.setPrompts(m.shown())
		var pcmd tea.Cmd
		m, pcmd = m.previewSoon(0)
		return m, tea.Batch(cmd, pcmd)
	case previewTickMsg:
		if msg.id != m.previewReq {
			return m, nil
		}
		return m.loadPreview()
	case previewLoadedMsg:
		if len(m.cache) > 128 {
			m.cache = map[previewKey]previewLoadedMsg{}
		}
		if msg.err == nil {
			m.cache[msg.key] = msg
		}
		if msg.id != m.previewReq {
			return m, nil
		}
		m.previewWait = false
		m.previewFor = msg.key
		m.previewVer = msg.version
		m.preview = msg.rendered
		m.previewErr = ""
		if msg.err != nil {
			m.previewErr = m.sh.errText(msg.err)
		}
		return m, nil
	case facetMsg:
		if msg.clear {
			m.facets = map[string]string{}
		} else if v, ok := m.facets[msg.key]; ok && v == msg.value {
			delete(m.facets, msg.key)
		} else {
			m.facets[msg.key] = msg.value
		}
		m.refilter()
		return m.previewSoon(m.sh.previewDelay())
	case libTagMsg:
		name, tag, force := msg.name, msg.tag, msg.force
		protected, author := m.sh.protected, m.sh.author
		return m, tea.Batch(emit(jobMsg{1}), m.sh.do(func(ctx context.Context, st Store) tea.Msg {
			ver, err := st.Resolve(ctx, prompt.Ref{Name: name})
			if err != nil {
				return libTagDoneMsg{name: name, tag: tag, err: err}
			}
			prev, had, err := st.SetTag(ctx, prompt.Ref{Name: name, Number: ver.Number}, tag, force, protected, author)
			return libTagDoneMsg{name: name, tag: tag, number: ver.Number, prev: prev, hadPrev: had, force: force, err: err}
		}))
	case libTagDoneMsg:
		var from int
		for _, p := range m.all {
			if p.Name == msg.name {
				from = p.Tags[msg.tag]
			}
		}
		return m, tea.Batch(emit(jobMsg{-1}), tagDone(msg.name, msg.tag, msg.number, from, msg.prev, msg.hadPrev, msg.err,
			libTagMsg{name: msg.name, tag: msg.tag, force: true}))
	case libArchiveMsg:
		name, undo, author := msg.name, msg.undo, m.sh.author
		return m, tea.Batch(emit(jobMsg{1}), m.sh.do(func(ctx context.Context, st Store) tea.Msg {
			if undo {
				return libArchiveDoneMsg{name: name, undo: true, err: st.Unarchive(ctx, name, author)}
			}
			return libArchiveDoneMsg{name: name, err: st.Archive(ctx, name, author)}
		}))
	case libArchiveDoneMsg:
		if msg.err != nil {
			return m, tea.Batch(emit(jobMsg{-1}), notifyErr(msg.err))
		}
		text := "archived " + msg.name + " (its versions are kept)"
		if msg.undo {
			text = "brought " + msg.name + " back to the library"
		}
		return m, tea.Batch(emit(jobMsg{-1}), notify(text), emit(promptsChangedMsg{name: msg.name}))
	case libRenameMsg:
		d, from, to, author := msg.d, msg.from, msg.to, m.sh.author
		if to == from {
			return m, tea.Batch(emit(inputAnswerMsg{d: d}), notify("the name stays "+from))
		}
		return m, tea.Batch(emit(jobMsg{1}), m.sh.do(func(ctx context.Context, st Store) tea.Msg {
			done, err := st.RenamePrompt(ctx, from, to, author)
			return libRenameDoneMsg{d: d, from: from, to: to, done: done, err: err}
		}))
	case libRenameDoneMsg:
		done := emit(jobMsg{-1})
		if msg.err != nil {
			if msg.d.gone() {
				return m, tea.Batch(done, notifyErr(msg.err))
			}
			// The dialog stays, with the refusal under the name.
			return m, tea.Batch(done, emit(inputAnswerMsg{d: msg.d, err: msg.err}))
		}
		m.renamed = msg.to
		text := "renamed " + msg.from + " to " + msg.to
		switch {
		case msg.done.SuiteRenamed:
			text += ", and its suite"
		case msg.done.SuiteKept:
			text += "; its suite keeps the name " + msg.from + ": a suite named " + msg.to + " exists"
		}
		for _, p := range m.all {
			if p.Name == msg.from {
				if team, _, stale := prompt.StaleTeam(p.Labels, msg.from, msg.to); stale {
					text += "; its label is still team=" + team
				}
				break
			}
		}
		return m, tea.Batch(done, emit(inputAnswerMsg{d: msg.d}), notify(text),
			emit(promptRenamedMsg{from: msg.from, to: msg.to, suite: msg.done.SuiteRenamed}))
	case inventoryLoadedMsg:
		var cmd tea.Cmd
		m.inv, cmd = m.inv.Update(msg)
		return m, cmd
	case tea.KeyPressMsg:
		if m.focus == libFocusFilter {
			return m.updateFilter(msg)
		}
		return m.updateKeys(msg)
	case tea.PasteMsg:
		if m.focus == libFocusFilter {
			return m.updateFilter(msg)
		}
		return m, nil
	case tea.MouseClickMsg:
		if m.inventory {
			return m, nil
		}
		if row, ok := m.rowAt(msg.X, msg.Y); ok {
			if row == m.cursor && msg.Button == tea.MouseLeft {
				return m, m.openVersions()
			}
			m.cursor = row
			m = m.clampCursor()
			return m.previewSoon(m.sh.previewDelay())
		}
		return m, nil
	case tea.MouseWheelMsg:
		if m.inventory {
			m.inv = m.inv.scroll(msg.Button)
			return m, nil
		}
		if m.inPreview(msg.X, msg.Y) {
			if msg.Button == tea.MouseWheelDown {
				m.previewOff++
			} else if msg.Button == tea.MouseWheelUp {
				m.previewOff = max(0, m.previewOff-1)
			}
			return m, nil
		}
		switch msg.Button {
		case tea.MouseWheelDown:
			m.cursor++
		case tea.MouseWheelUp:
			m.cursor--
		}
		m = m.clampCursor()
		return m.previewSoon(m.sh.previewDelay())
	}
	if m.focus == libFocusFilter {
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		return m, cmd
	}
	return m, nil
}

// updateFilter handles a key or a paste while the filter has the focus.
func (m libraryModel) updateFilter(msg tea.Msg) (libraryModel, tea.Cmd) {
	if km, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(km, m.keys.Cancel):
			m.filter.SetValue("")
			m.filter.Blur()
			m.focus = libFocusList
			m.refilter()
			return m.previewSoon(m.sh.previewDelay())
		case key.Matches(km, m.keys.Accept):
			m.filter.Blur()
			m.focus = libFocusList
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
		m.refilter()
		m.cursor = 0
		m.offset = 0
		var pcmd tea.Cmd
		m, pcmd = m.previewSoon(m.sh.previewDelay())
		cmd = tea.Batch(cmd, pcmd)
	}
	return m, cmd
}

func (m libraryModel) updateKeys(msg tea.KeyPressMsg) (libraryModel, tea.Cmd) {
	k := m.keys
	if m.inventory {
		switch {
		case key.Matches(msg, k.InvClose):
			m.inventory = false
			return m, nil
		}
		var cmd tea.Cmd
		m.inv, cmd = m.inv.Update(msg)
		return m, cmd
	}
	if c, ok := k.nav.move(msg, m.cursor, len(m.rows), m.listRows()-1); ok {
		m.cursor = c
		m = m.clampCursor()
		return m.previewSoon(m.sh.previewDelay())
	}
	p, has := m.selected()
	switch {
	case key.Matches(msg, k.Filter):
		m.focus = libFocusFilter
		return m, m.filter.Focus()
	case msg.String() == "esc":
		if m.filter.Value() != "" || len(m.facets) > 0 {
			m.filter.SetValue("")
			m.facets = map[string]string{}
			m.refilter()
			return m.previewSoon(m.sh.previewDelay())
		}
		return m, nil
	case key.Matches(msg, k.Facets):
		return m, m.sh.open(newFacetDialog(m.all, m.facets))
	case key.Matches(msg, k.ClearAll):
		m.filter.SetValue("")
		m.facets = map[string]string{}
		m.refilter()
		return m.previewSoon(m.sh.previewDelay())
	case key.Matches(msg, k.New):
		return m, m.sh.post(openEditorMsg{})
	case key.Matches(msg, k.Reload):
		return m.reload()
	case key.Matches(msg, k.Inventory):
		m.inventory = true
		m.inv = m.inv.setPrompts(m.shown())
		var cmd tea.Cmd
		m.inv, cmd = m.inv.open()
		return m, cmd
	case key.Matches(msg, k.Archived):
		m.archived = !m.archived
		m, cmd := m.reload()
		if m.archived {
			return m, tea.Batch(cmd, notify("archived prompts are listed, marked archived: a brings one back, r renames it; A hides them"))
		}
		return m, tea.Batch(cmd, notify("archived prompts are hidden"))
	case key.Matches(msg, k.ScrollDn):
		m.previewOff++
		return m, nil
	case key.Matches(msg, k.ScrollUp):
		m.previewOff = max(0, m.previewOff-1)
		return m, nil
	case !has:
		if key.Matches(msg, k.Open, k.Edit, k.Tag, k.Rename, k.Archive, k.Arena, k.Results, k.Runs, k.Suites) {
			return m, notify("no prompt selected")
		}
		return m, nil
	case key.Matches(msg, k.Open):
		return m, m.openVersions()
	case p.Archived && key.Matches(msg, k.Archive):
		return m, m.sh.post(libArchiveMsg{name: p.Name, undo: true})
	case p.Archived && key.Matches(msg, k.Edit, k.Tag, k.Arena):
		return m, notify(p.Name + " is archived: a brings it back to the library first")
	case key.Matches(msg, k.Edit):
		return m, m.sh.post(openEditorMsg{name: p.Name})
	case key.Matches(msg, k.Arena):
		return m, m.sh.post(arenaOpenMsg{name: p.Name})
	case key.Matches(msg, k.Results):
		return m, m.sh.post(resultsOpenMsg{prompt: p.Name})
	case key.Matches(msg, k.Runs):
		return m, m.sh.post(historyOpenMsg{prompt: p.Name})
	case key.Matches(msg, k.Suites):
		return m, m.sh.post(suitesOpenMsg{prompt: p.Name})
	case key.Matches(msg, k.Tag):
		name := p.Name
		return m, m.sh.open(newInput(m.sh, "Tag "+name+"@"+itoa(p.Latest),
			"Put a tag on the latest version (v"+itoa(p.Latest)+"). Existing tags: "+tagList(p.Tags),
			"production", "", prompt.ValidateTag,
			func(tag string) tea.Msg { return libTagMsg{name: name, tag: tag} }))
	case key.Matches(msg, k.Rename):
		return m, m.askRename(p)
	case key.Matches(msg, k.Archive):
		return m, m.sh.open(newDestructiveConfirm("Archive "+p.Name+"?",
			"It leaves the library; its "+plural(p.Latest, "version")+", tags and runs are kept.\n"+
				"To bring it back: A lists archived prompts, a on it (or: whet prompt archive --undo "+p.Name+")",
			libArchiveMsg{name: p.Name}, nil))
	}
	return m, nil
}

// askRename asks for p's new name, checked as `whet prompt rename` checks
// it; the store's refusals (a name another prompt has) show in the dialog.
func (m libraryModel) askRename(p prompt.Prompt) tea.Cmd {
	from := p.Name
	d := newInput(m.sh, "Rename "+from,
		"Its versions, tags, suites and runs follow it. Refs to the old name ("+from+"@production in scripts, CI jobs) stop resolving; reports of earlier runs keep the refs they were made with.",
		"team/purpose-name", from, prompt.ValidateName, nil).waitForAnswer()
	d.submit = func(to string) tea.Msg { return libRenameMsg{d: d, from: from, to: to} }
	return m.sh.open(d)
}

// selectRenamed selects the prompt just renamed, clearing the filter and
// facets when they hide it.
func (m libraryModel) selectRenamed() (libraryModel, tea.Cmd) {
	name := m.renamed
	m.renamed = ""
	if !m.selectName(name) {
		if !m.hasName(name) {
			return m, nil // gone meanwhile (renamed again, archived elsewhere)
		}
		m.filter.SetValue("")
		m.facets = map[string]string{}
		m.refilter()
		m.selectName(name)
		return m, notify("renamed to " + name + "; cleared the filters, which hid it")
	}
	return m, nil
}

// hasName reports whether the list holds a prompt called name.
func (m libraryModel) hasName(name string) bool {
	for _, p := range m.all {
		if p.Name == name {
			return true
		}
	}
	return false
}

func (m libraryModel) openVersions() tea.Cmd {
	p, ok := m.selected()
	if !ok {
		return nil
	}
	return m.sh.post(openVersionsMsg{name: p.Name})
}

// tagDone reports the end of a tag move; a protected tag asks to force.
// was is the version the tag was on as the screen knew it (0: unknown).
func tagDone(name, tag string, number, was int, prev prompt.Version, hadPrev bool, err error, force tea.Msg) tea.Cmd {
	if errors.Is(err, store.ErrProtectedTag) {
		from := ""
		if prev.Number > 0 {
			was = prev.Number
		}
		if was > 0 {
			from = " from v" + itoa(was)
		}
		return openDialog(newDestructiveConfirm("Move protected tag "+tag+"?",
			tag+" is protected. Move it"+from+" to "+name+"@"+itoa(number)+" anyway?", force, nil))
	}
	if err != nil {
		return notifyErr(err)
	}
	text := "tagged " + name + "@" + itoa(number) + " " + tag
	if hadPrev && prev.Number != number {
		text = "moved " + tag + " of " + name + " from v" + itoa(prev.Number) + " to v" + itoa(number)
	}
	return tea.Batch(notify(text), emit(promptsChangedMsg{name: name}))
}

func tagList(tags map[string]int) string {
	if len(tags) == 0 {
		return "none"
	}
	var parts []string
	for _, t := range prompt.SortedKeys(tags) {
		parts = append(parts, t+"→v"+itoa(tags[t]))
	}
	return strings.Join(parts, ", ")
}

// searchText is what the fuzzy filter matches: the name first, so that
// matched positions below len(name) highlight the name.
func searchText(p prompt.Prompt) string {
	var b strings.Builder
	b.WriteString(p.Name)
	for _, k := range p.Labels.Keys() {
		b.WriteString(" ")
		b.WriteString(p.Labels[k])
	}
	return b.String()
}

// shown is the prompts the filter and facets leave, in the library's
// order (all of them when neither narrows it).
func (m libraryModel) shown() []prompt.Prompt {
	if len(m.rows) == len(m.all) {
		return m.all
	}
	idx := make([]int, len(m.rows))
	for i, r := range m.rows {
		idx[i] = r.idx
	}
	sort.Ints(idx)
	out := make([]prompt.Prompt, len(idx))
	for i, j := range idx {
		out[i] = m.all[j]
	}
	return out
}

// refilter recomputes the visible rows from the facets and the filter text.
func (m *libraryModel) refilter() {
	keep := make([]int, 0, len(m.all))
	for i, p := range m.all {
		ok := true
		for k, v := range m.facets {
			if !strings.EqualFold(p.Labels[k], v) {
				ok = false
				break
			}
		}
		if ok {
			keep = append(keep, i)
		}
	}
	terms, q := filterTerms(m.filter.Value())
	if len(terms) > 0 {
		kept := keep[:0]
		for _, i := range keep {
			if labelsMatch(m.all[i].Labels, terms) {
				kept = append(kept, i)
			}
		}
		keep = kept
	}
	m.rows = m.rows[:0]
	if q == "" {
		for _, i := range keep {
			m.rows = append(m.rows, libRow{idx: i})
		}
	} else {
		if len(m.search) != len(m.all) {
			m.search = make([]string, len(m.all))
			for i, p := range m.all {
				m.search[i] = searchText(p)
			}
		}
		src := make(facetSource, len(keep))
		for j, i := range keep {
			src[j] = m.search[i]
		}
		for _, match := range fuzzy.FindFrom(q, src) {
			m.rows = append(m.rows, libRow{idx: keep[match.Index], matched: match.MatchedIndexes})
		}
	}
	*m = m.clampCursor()
}

// filterTerms splits the filter text into its label terms ("owner=ana",
// as the preview and `whet prompt list --label` write a label) and the
// rest, joined for the fuzzy match.
func filterTerms(text string) (terms [][2]string, fuzzyText string) {
	var rest []string
	for _, f := range strings.Fields(text) {
		if k, v, ok := strings.Cut(f, "="); ok && k != "" {
			terms = append(terms, [2]string{k, v})
			continue
		}
		rest = append(rest, f)
	}
	return terms, strings.Join(rest, "")
}

// labelsMatch reports whether l has every term's label with a value that
// starts with the term's (case aside), so that the list narrows as the
// value is typed.
func labelsMatch(l prompt.Labels, terms [][2]string) bool {
	for _, t := range terms {
		found := false
		for k, v := range l {
			if strings.EqualFold(k, t[0]) && strings.HasPrefix(strings.ToLower(v), strings.ToLower(t[1])) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

type facetSource []string

func (s facetSource) String(i int) string { return s[i] }
func (s facetSource) Len() int            { return len(s) }

// selectName puts the cursor on the row of the prompt called name and
// reports whether a row shows it.
func (m *libraryModel) selectName(name string) bool {
	for i, r := range m.rows {
		if m.all[r.idx].Name == name {
			m.cursor = i
			*m = m.clampCursor()
			return true
		}
	}
	return false
}

// previewSoon schedules loading the selected prompt's preview after delay,
// so that scrolling through the list loads only where the cursor stops.
func (m libraryModel) previewSoon(delay time.Duration) (libraryModel, tea.Cmd) {
	p, ok := m.selected()
	if !ok {
		m.previewFor = previewKey{}
		m.preview, m.previewErr = "", ""
		m.previewVer = prompt.Version{}
		return m, nil
	}
	k := m.previewKeyFor(p)
	if k == m.previewFor {
		return m, nil
	}
	m.previewReq++
	m.previewOff = 0
	if c, ok := m.cache[k]; ok {
		m.previewFor, m.previewVer, m.preview, m.previewErr, m.previewWait = k, c.version, c.rendered, "", false
		return m, nil
	}
	m.previewWait = true
	id := m.previewReq
	if delay <= 0 {
		return m.loadPreview()
	}
	return m, tea.Tick(delay, func(time.Time) tea.Msg { return previewTickMsg{id: id} })
}

func (m libraryModel) previewKeyFor(p prompt.Prompt) previewKey {
	_, _, pw, _ := m.previewRect()
	return previewKey{name: p.Name, hash: p.LatestHash, theme: m.sh.themeKey(), width: pw}
}

// loadPreview loads and renders the selected prompt's latest version.
func (m libraryModel) loadPreview() (libraryModel, tea.Cmd) {
	p, ok := m.selected()
	if !ok {
		return m, nil
	}
	k := m.previewKeyFor(p)
	id := m.previewReq
	style, varStyle := m.sh.theme.Glamour, m.sh.styles().Variable
	width := k.width
	return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		v, err := st.Resolve(ctx, prompt.Ref{Name: k.name})
		if err != nil {
			return previewLoadedMsg{id: id, key: k, err: err}
		}
		out, err := renderMarkdown(versionMarkdown(v.Messages), style, width, varStyle)
		return previewLoadedMsg{id: id, key: k, version: v, rendered: out, err: err}
	})
}

// Layout: the filter bar on top; below it the list and the preview side by
// side when the terminal is wide, stacked otherwise.
func (m libraryModel) wide() bool { return m.w >= 100 }

// listRect is the list's area (x, y, w, h) in content coordinates.
func (m libraryModel) listRect() (int, int, int, int) {
	avail := m.h - 1
	if m.wide() {
		return 0, 1, m.w * 11 / 20, avail
	}
	// A small library gives its spare rows to the preview. The height follows
	// the whole library, not the filtered rows, so typing does not move it.
	return 0, 1, m.w, max(4, min(len(m.all)+1, avail*11/20))
}

// previewRect is the preview panel's inner text area (x, y, w, h).
func (m libraryModel) previewRect() (int, int, int, int) {
	lx, ly, lw, lh := m.listRect()
	_ = lx
	frameW := m.sh.styles().Panel.GetHorizontalFrameSize()
	if m.wide() {
		return lw + 1, ly + 1, max(10, m.w-lw-1-frameW), max(1, lh-2)
	}
	return 1, ly + lh + 1, max(10, m.w-frameW), max(1, m.h-1-lh-2)
}

// listRows is the number of prompt rows the list shows (less its header).
func (m libraryModel) listRows() int {
	_, _, _, h := m.listRect()
	return max(1, h-1)
}

func (m libraryModel) clampCursor() libraryModel {
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

// rowAt maps a click in content coordinates to a row index.
func (m libraryModel) rowAt(x, y int) (int, bool) {
	lx, ly, lw, lh := m.listRect()
	if x < lx || x >= lx+lw || y <= ly || y >= ly+lh {
		return 0, false
	}
	row := m.offset + y - ly - 1
	return row, row >= 0 && row < len(m.rows)
}

func (m libraryModel) inPreview(x, y int) bool {
	px, py, pw, ph := m.previewRect()
	return x >= px-1 && x < px+pw+1 && y >= py-1 && y < py+ph+1
}

func (m libraryModel) keyTable() keyTable {
	k := m.keys
	if m.focus == libFocusFilter {
		return keyTable{
			short:  []key.Binding{k.Accept, k.Cancel},
			groups: [][]key.Binding{{k.Accept, k.Cancel}},
		}
	}
	if m.inventory {
		return keyTable{
			short:  []key.Binding{k.InvClose, k.nav.Down},
			groups: [][]key.Binding{{k.InvClose}, m.keys.nav.bindings()},
		}
	}
	return keyTable{
		short: []key.Binding{k.Open, k.New, k.Edit, k.Arena, k.Filter, k.Facets},
		groups: [][]key.Binding{
			k.nav.bindings(),
			{k.Open, k.New, k.Edit, k.Arena, k.Tag, k.Rename, k.Archive, k.Results, k.Runs, k.Suites},
			{k.Filter, k.Facets, k.ClearAll, k.Archived, k.Inventory, k.Reload, k.ScrollDn, k.ScrollUp},
		},
	}
}

// View draws the library into its w×h area.
func (m libraryModel) View() string {
	st := m.sh.styles()
	bar := m.barView()
	if m.inventory {
		return bar + "\n" + m.inv.View()
	}
	_, _, lw, lh := m.listRect()
	list := m.listView(lw, lh)
	px, _, pw, ph := m.previewRect()
	_ = px
	frameW := st.Panel.GetHorizontalFrameSize()
	panel := box(st.Panel, m.previewTitle(), m.previewView(pw, ph), pw+frameW, ph+2)
	if m.wide() {
		return bar + "\n" + lipgloss.JoinHorizontal(lipgloss.Top, fitLines(list, lw, lh), " ", panel)
	}
	return bar + "\n" + fitLines(list, lw, lh) + "\n" + panel
}

func (m libraryModel) barView() string {
	st := m.sh.styles()
	var left string
	switch {
	case m.focus == libFocusFilter:
		left = m.filter.View()
	case m.filter.Value() != "":
		left = st.Key.Render("/ ") + st.Base.Render(m.filter.Value())
	default:
		left = st.Muted.Render("/ filter  f facets")
	}
	for _, k := range prompt.SortedKeys(m.facets) {
		left += "  " + st.Tag.Render(oneLine(facetText(k, m.facets[k])))
	}
	if m.inventory {
		// The inventory lists the prompts the filter and facets leave.
		left = st.Title.Render("Inventory") + st.Muted.Render(" · by team and owner · last run targets")
		if v := m.filter.Value(); v != "" {
			left += "  " + st.Key.Render("/ ") + st.Base.Render(oneLine(v))
		}
		for _, k := range prompt.SortedKeys(m.facets) {
			left += "  " + st.Tag.Render(oneLine(facetText(k, m.facets[k])))
		}
	}
	var right string
	switch {
	case m.loading && !m.loaded:
		right = "loading…"
	case m.err != "":
		right = st.Error.Render("error")
	case len(m.rows) == len(m.all):
		right = plural(len(m.all), "prompt")
	default:
		right = itoa(len(m.rows)) + " of " + itoa(len(m.all))
	}
	if m.archived && m.loaded && m.err == "" {
		n := 0
		for _, p := range m.all {
			if p.Archived {
				n++
			}
		}
		right += " · " + itoa(n) + " archived"
	}
	right = st.Muted.Render(right)
	// A space always parts the two, also when left is cut.
	gap := m.w - lipgloss.Width(right) - 1
	return pad(left, gap) + " " + right
}

// column widths of the list for a list w cells wide.
type libCols struct{ name, ver, tags, labels, changed int }

func (m libraryModel) cols(w int) libCols {
	c := libCols{ver: 4, changed: 9}
	w -= 2 // the cursor marker
	longest, tagsLongest := 4, 4
	labelled := false
	for _, r := range m.rows[m.offset:min(len(m.rows), m.offset+m.listRows())] {
		p := m.all[r.idx]
		longest = max(longest, len(p.Name))
		labelled = labelled || len(p.Labels) > 0
		tags := tagsText(p.Tags, p.Latest)
		if p.Archived {
			tags = "archived"
		}
		tagsLongest = max(tagsLongest, len(tags))
	}
	c.name = clamp(longest, 12, max(12, w*2/5))
	rest := w - c.name - c.ver - c.changed - 3
	tagsW := min(tagsLongest, 24)
	switch {
	case rest >= tagsW+1+12:
		c.tags = tagsW
		c.labels = rest - c.tags - 1
	case rest >= 8+1+10 && labelled:
		// A long tag list does not crowd the labels out of every row:
		// the tags are cut after "production@12" (the preview lists
		// them whole), and the owner, at least, stays in view.
		c.tags = min(tagsW, max(13, rest-1-12))
		c.labels = rest - c.tags - 1
	case rest >= 8:
		c.tags = rest
	default:
		c.name += max(0, rest)
	}
	// A name cut beside labels with room to spare (a side preview at 120
	// columns) takes what they can give and still show an owner.
	if give := min(longest-c.name, c.labels-10); give > 0 {
		c.name, c.labels = c.name+give, c.labels-give
	}
	return c
}

func (m libraryModel) listView(w, h int) string {
	st := m.sh.styles()
	if m.err != "" && len(m.all) == 0 {
		return st.Error.Render(trunc("could not load prompts: "+m.err, w))
	}
	if !m.loaded {
		return st.Muted.Render("loading prompts…")
	}
	c := m.cols(w)
	now := m.sh.now()
	head := "  " + pad("NAME", c.name) + " " + pad("VER", c.ver) + " "
	if c.tags > 0 {
		head += pad("TAGS", c.tags) + " "
	}
	if c.labels > 0 {
		head += pad("LABELS", c.labels) + " "
	}
	head += pad("CHANGED", c.changed)
	lines := []string{st.Header.Render(pad(head, w))}
	if len(m.rows) == 0 {
		lines = append(lines, st.Muted.Render("  no prompt matches; esc clears the filter"))
	}
	end := min(len(m.rows), m.offset+h-1)
	for i := m.offset; i < end; i++ {
		r := m.rows[i]
		p := m.all[r.idx]
		sel := i == m.cursor
		lines = append(lines, m.rowView(p, r.matched, c, w, now, sel))
	}
	return strings.Join(lines, "\n")
}

func (m libraryModel) rowView(p prompt.Prompt, matched []int, c libCols, w int, now time.Time, sel bool) string {
	st := m.sh.styles()
	base := st.Row
	if sel {
		base = st.RowSelected
	}
	// Name with matched characters highlighted, styled in runs (underlined
	// without colours: styled draws a run's underline in one piece).
	name := trunc(p.Name, c.name)
	var nb strings.Builder
	hit := st.Variable.Inherit(base)
	plain := base
	if p.Archived {
		plain = st.Muted.Inherit(base)
	}
	mi, runStart, runHit := 0, 0, false
	for bi := range name {
		for mi < len(matched) && matched[mi] < bi {
			mi++
		}
		isHit := mi < len(matched) && matched[mi] == bi
		if bi > 0 && isHit != runHit {
			if runHit {
				nb.WriteString(styled(hit, name[runStart:bi]))
			} else {
				nb.WriteString(plain.Render(name[runStart:bi]))
			}
			runStart = bi
		}
		runHit = isHit
	}
	if runHit {
		nb.WriteString(styled(hit, name[runStart:]))
	} else {
		nb.WriteString(plain.Render(name[runStart:]))
	}
	sp := base.Render(" ")
	marker := base.Render("  ")
	if sel {
		marker = st.Cursor.Inherit(base).Render("▌ ")
	}
	out := marker + nb.String() + base.Render(strings.Repeat(" ", max(0, c.name-lipgloss.Width(name)))) + sp
	out += st.Muted.Inherit(base).Render(pad("v"+itoa(p.Latest), c.ver)) + sp
	if c.tags > 0 {
		if p.Archived {
			out += st.Warn.Inherit(base).Render(pad("archived", c.tags)) + sp
		} else {
			out += st.Tag.Inherit(base).Render(pad(tagsText(p.Tags, p.Latest), c.tags)) + sp
		}
	}
	if c.labels > 0 {
		out += st.Label.Inherit(base).Render(pad(labelValues(p.Labels, c.labels), c.labels)) + sp
	}
	out += st.Muted.Inherit(base).Render(pad(ago(now, p.UpdatedAt), c.changed))
	if gap := w - lipgloss.Width(out); gap > 0 {
		out += base.Render(strings.Repeat(" ", gap))
	}
	return out
}

// tagsText lists a prompt's tags, production first; a tag that is not on
// the latest version names its version ("production@2").
func tagsText(tags map[string]int, latest int) string {
	names := prompt.SortedKeys(tags)
	sort.SliceStable(names, func(i, j int) bool { return names[i] == "production" && names[j] != "production" })
	for i, n := range names {
		if tags[n] != latest {
			names[i] = n + "@" + itoa(tags[n])
		}
	}
	return strings.Join(names, ",")
}

// labelValues is the labels' values in taxonomy order, "support ·
// friendly · cx · ana", for a list column w cells wide (w ≤ 0: no limit).
// When they do not fit, the values that say least about who a prompt
// belongs to go first (audience, tone, other keys, purpose, team), so that
// the owner stays in view as long as anything does.
func labelValues(l prompt.Labels, w int) string {
	keys := l.Keys()
	text := func() string {
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, oneLine(l[k]))
		}
		return strings.Join(parts, " · ")
	}
	for _, drop := range labelDropOrder(keys) {
		if w <= 0 || lipgloss.Width(text()) <= w || len(keys) == 1 {
			break
		}
		keys = slices.DeleteFunc(keys, func(k string) bool { return k == drop })
	}
	return text()
}

// labelDropOrder is the order labelValues drops keys in to fit.
func labelDropOrder(keys []string) []string {
	first := []string{"audience", "tone"}
	last := []string{"purpose", "team", "owner"}
	var out []string
	for _, k := range first {
		if slices.Contains(keys, k) {
			out = append(out, k)
		}
	}
	for _, k := range keys {
		if !slices.Contains(first, k) && !slices.Contains(last, k) {
			out = append(out, k)
		}
	}
	for _, k := range last {
		if slices.Contains(keys, k) {
			out = append(out, k)
		}
	}
	return out
}

func (m libraryModel) previewTitle() string {
	st := m.sh.styles()
	p, ok := m.selected()
	if !ok {
		return st.PanelTitle.Render("preview")
	}
	return st.PanelTitle.Render(p.Name) + st.Muted.Render(" v"+itoa(p.Latest))
}

func (m libraryModel) previewView(w, h int) string {
	st := m.sh.styles()
	p, ok := m.selected()
	if !ok {
		if len(m.all) > 0 {
			return st.Muted.Render("no prompt matches")
		}
		return ""
	}
	var head []string
	meta := st.Muted.Render(prompt.ShortHash(p.LatestHash) + " · changed " + ago(m.sh.now(), p.UpdatedAt))
	if len(p.Tags) > 0 {
		meta += "  " + st.Tag.Render(tagsText(p.Tags, p.Latest))
	}
	head = append(head, meta)
	if p.Description != "" {
		head = append(head, st.Base.Render(trunc(oneLine(p.Description), w)))
	}
	if len(p.Labels) > 0 {
		var ls []string
		for _, k := range p.Labels.Keys() {
			ls = append(ls, st.LabelKey.Render(k+"=")+st.Label.Render(oneLine(p.Labels[k])))
		}
		head = append(head, trunc(strings.Join(ls, " "), w))
	}
	head = append(head, "")
	var body string
	switch {
	case m.previewErr != "" && m.previewFor.name == p.Name:
		body = st.Error.Render(m.previewErr)
	case m.previewFor.name != p.Name || m.previewFor.hash != p.LatestHash || m.preview == "" && m.previewWait:
		body = st.Muted.Render("loading…")
	default:
		body = m.preview
	}
	lines := strings.Split(body, "\n")
	off := clamp(m.previewOff, 0, max(0, len(lines)-(h-len(head))))
	lines = lines[off:]
	all := append(head, lines...)
	if len(all) > h {
		all = all[:h]
	}
	return strings.Join(all, "\n")
}
