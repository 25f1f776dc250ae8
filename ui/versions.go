package ui

import (
	"context"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"whet/prompt"
	"whet/store"
)

// versionsKeys is the versions screen's key table.
type versionsKeys struct {
	nav     navKeys
	Mark    key.Binding
	Prev    key.Binding
	Restore key.Binding
	Tag     key.Binding
	Edit    key.Binding
	Arena   key.Binding
	Back    key.Binding
	Reload  key.Binding
}

func newVersionsKeys() versionsKeys {
	return versionsKeys{
		nav:     newNavKeys(),
		Mark:    key.NewBinding(key.WithKeys("d", "space"), key.WithHelp("d", "mark/diff two")),
		Prev:    key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "diff with previous")),
		Restore: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "restore as new")),
		Tag:     key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "move tag here")),
		Edit:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit from here")),
		Arena:   key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "run in arena")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Reload:  key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "reload")),
	}
}

// Versions messages.
type (
	versionsLoadedMsg struct {
		id       int
		name     string
		versions []prompt.Version
		err      error
	}
	verRestoreMsg     struct{ number int }
	verRestoreDoneMsg struct {
		from    int
		ver     prompt.Version
		created bool
		err     error
	}
	verTagMsg struct {
		number int
		tag    string
		force  bool
	}
	verTagDoneMsg struct {
		name, tag string
		number    int
		prev      prompt.Version
		hadPrev   bool
		err       error
	}
)

func (versionsLoadedMsg) target() screenID { return screenVersions }
func (verRestoreMsg) target() screenID     { return screenVersions }
func (verRestoreDoneMsg) target() screenID { return screenVersions }
func (verTagMsg) target() screenID         { return screenVersions }
func (verTagDoneMsg) target() screenID     { return screenVersions }

// versionsModel lists a prompt's versions, newest first, with a detail of
// the selected one, and diffs any two.
type versionsModel struct {
	sh   *shared
	keys versionsKeys
	w, h int

	name     string
	versions []prompt.Version
	cursor   int
	offset   int
	loaded   bool
	err      string
	req      int
	stay     bool // the read in flight keeps the cursor's version (refresh)
	mark     int  // the version number marked for a diff; 0 = none

	showDiff   bool
	diff       diffModel
	sideBySide bool // the layout the next diff opens in
}

// waiting reports whether the screen waits for a prompt's versions: keys
// typed meanwhile (right after enter in the Library, a palette action's)
// wait for them (hold.go).
func (m versionsModel) waiting() bool { return !m.loaded && m.name != "" }

// abandon forgets the versions being read (esc, hold.go): their answer is
// dropped, and the screen, shown again, reads the selected prompt's.
func (m versionsModel) abandon() versionsModel {
	m.req++
	m.name, m.versions, m.cursor, m.offset, m.mark, m.loaded, m.err = "", nil, 0, 0, 0, false, ""
	return m
}

func newVersions(sh *shared) versionsModel {
	return versionsModel{sh: sh, keys: newVersionsKeys()}
}

func (m versionsModel) setSize(w, h int) versionsModel {
	m.w, m.h = w, h
	m.diff = m.diff.setSize(w, h)
	return m.clampCursor()
}

func (m versionsModel) applyTheme() versionsModel { return m }

// open shows name's versions, loading them.
// renamed follows a rename of the prompt shown (the root reloads it).
func (m versionsModel) renamed(from, to string) versionsModel {
	if m.name != from {
		return m
	}
	m.name = to
	m.versions = slices.Clone(m.versions)
	for i := range m.versions {
		m.versions[i].Prompt = to
	}
	return m
}

func (m versionsModel) open(name string) (versionsModel, tea.Cmd) {
	if name != m.name {
		m.versions, m.cursor, m.offset, m.mark, m.loaded, m.err = nil, 0, 0, 0, false, ""
	}
	m.name = name
	m.showDiff = false
	return m.reload()
}

func (m versionsModel) reload() (versionsModel, tea.Cmd) {
	m.stay = false
	return m.read()
}

// refresh reads the versions again, as another process changed them,
// keeping the cursor on the version it is on: unlike R, it does not jump
// to a version saved since.
func (m versionsModel) refresh() (versionsModel, tea.Cmd) {
	m.stay = true
	return m.read()
}

func (m versionsModel) read() (versionsModel, tea.Cmd) {
	m.req++
	id, name := m.req, m.name
	return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		vs, err := st.Versions(ctx, name)
		return versionsLoadedMsg{id: id, name: name, versions: vs, err: err}
	})
}

func (m versionsModel) selected() (prompt.Version, bool) {
	if m.cursor < 0 || m.cursor >= len(m.versions) {
		return prompt.Version{}, false
	}
	return m.versions[m.cursor], true
}

func (m versionsModel) byNumber(n int) (prompt.Version, bool) {
	for _, v := range m.versions {
		if v.Number == n {
			return v, true
		}
	}
	return prompt.Version{}, false
}

// Update handles the versions screen's keys and messages.
func (m versionsModel) Update(msg tea.Msg) (versionsModel, tea.Cmd) {
	switch msg := msg.(type) {
	case versionsLoadedMsg:
		if msg.id != m.req {
			return m, nil
		}
		m.loaded = true
		if msg.err != nil {
			m.err = m.sh.errText(msg.err)
			return m, nil
		}
		m.err = ""
		keep := 0
		if v, ok := m.selected(); ok {
			keep = v.Number
		}
		// A version saved since (in the Editor, by a restore, by another
		// whet) is what one acts on next: the cursor goes to it.
		if !m.stay && len(m.versions) > 0 && len(msg.versions) > 0 && msg.versions[0].Number > m.versions[0].Number {
			keep = msg.versions[0].Number
		}
		m.versions = msg.versions
		for i, v := range m.versions {
			if v.Number == keep {
				m.cursor = i
			}
		}
		return m.clampCursor(), nil
	case verRestoreMsg:
		v, ok := m.byNumber(msg.number)
		if !ok {
			return m, nil
		}
		name, author := m.name, m.sh.author
		nv := store.NewVersion{Messages: v.Messages, Params: v.Params.Clone(), Note: "restore v" + itoa(v.Number), Author: author, Action: store.ActionRestore}
		from := v.Number
		return m, tea.Batch(emit(jobMsg{1}), m.sh.do(func(ctx context.Context, st Store) tea.Msg {
			ver, created, err := st.SaveVersion(ctx, name, nv)
			return verRestoreDoneMsg{from: from, ver: ver, created: created, err: err}
		}))
	case verRestoreDoneMsg:
		done := emit(jobMsg{-1})
		switch {
		case msg.err != nil:
			return m, tea.Batch(done, notifyErr(msg.err))
		case !msg.created:
			return m, tea.Batch(done, notify("no changes: v"+itoa(msg.from)+" has the same content as the latest version"))
		}
		m.cursor = 0
		return m, tea.Batch(done, notify("restored v"+itoa(msg.from)+" as "+msg.ver.Ref()), emit(promptsChangedMsg{name: m.name}))
	case verTagMsg:
		name, protected, author := m.name, m.sh.protected, m.sh.author
		n, tag, force := msg.number, msg.tag, msg.force
		return m, tea.Batch(emit(jobMsg{1}), m.sh.do(func(ctx context.Context, st Store) tea.Msg {
			prev, had, err := st.SetTag(ctx, prompt.Ref{Name: name, Number: n}, tag, force, protected, author)
			return verTagDoneMsg{name: name, tag: tag, number: n, prev: prev, hadPrev: had, err: err}
		}))
	case verTagDoneMsg:
		return m, tea.Batch(emit(jobMsg{-1}), tagDone(msg.name, msg.tag, msg.number, m.currentTags()[msg.tag], msg.prev, msg.hadPrev, msg.err,
			verTagMsg{number: msg.number, tag: msg.tag, force: true}))
	case tea.KeyPressMsg:
		if m.showDiff {
			if key.Matches(msg, m.diff.keys.Back) {
				m.showDiff = false
				m.sideBySide = m.diff.sideBySide
				return m, nil
			}
			var cmd tea.Cmd
			m.diff, cmd = m.diff.Update(msg)
			return m, cmd
		}
		return m.updateKeys(msg)
	case tea.MouseWheelMsg:
		if m.showDiff {
			var cmd tea.Cmd
			m.diff, cmd = m.diff.Update(msg)
			return m, cmd
		}
		switch msg.Button {
		case tea.MouseWheelDown:
			m.cursor++
		case tea.MouseWheelUp:
			m.cursor--
		}
		return m.clampCursor(), nil
	case tea.MouseClickMsg:
		if m.showDiff {
			return m, nil
		}
		lx, ly, lw, lh := m.listRect()
		if msg.X >= lx && msg.X < lx+lw && msg.Y > ly && msg.Y < ly+lh {
			row := m.offset + msg.Y - ly - 1
			if row >= 0 && row < len(m.versions) {
				m.cursor = row
			}
		}
		return m.clampCursor(), nil
	}
	return m, nil
}

func (m versionsModel) updateKeys(msg tea.KeyPressMsg) (versionsModel, tea.Cmd) {
	k := m.keys
	if key.Matches(msg, k.Back) {
		if m.mark != 0 {
			m.mark = 0
			return m, nil
		}
		return m, m.sh.post(showScreenMsg{to: screenLibrary})
	}
	if c, ok := k.nav.move(msg, m.cursor, len(m.versions), m.listRows()-1); ok {
		m.cursor = c
		return m.clampCursor(), nil
	}
	if key.Matches(msg, k.Reload) {
		return m.reload()
	}
	v, ok := m.selected()
	if !ok {
		if m.name == "" {
			return m, notify("choose a prompt in the library first (enter)")
		}
		return m, nil
	}
	switch {
	case key.Matches(msg, k.Mark):
		switch m.mark {
		case 0:
			m.mark = v.Number
			return m, notify("marked v" + itoa(v.Number) + ": press d on another version to diff")
		case v.Number:
			m.mark = 0
			return m, notify("unmarked v" + itoa(v.Number))
		}
		a, _ := m.byNumber(m.mark)
		m.mark = 0
		lo, hi := min(a.Number, v.Number), max(a.Number, v.Number)
		return m.openDiff(a, v), notify("diff of v" + itoa(lo) + " and v" + itoa(hi))
	case key.Matches(msg, k.Prev):
		if m.cursor+1 >= len(m.versions) {
			return m, notify("v" + itoa(v.Number) + " is the first version")
		}
		return m.openDiff(m.versions[m.cursor+1], v), nil
	case key.Matches(msg, k.Restore):
		if m.cursor == 0 {
			return m, notify("v" + itoa(v.Number) + " is already the latest version")
		}
		return m, m.sh.open(newConfirm("Restore v"+itoa(v.Number)+"?",
			"Save the content of "+v.Ref()+" as a new version of "+m.name+".\nNothing is deleted: the versions after it stay in the history.",
			verRestoreMsg{number: v.Number}, nil))
	case key.Matches(msg, k.Tag):
		n := v.Number
		return m, m.sh.open(newInput(m.sh, "Move a tag to "+v.Ref(),
			"Tags now: "+tagList(m.currentTags())+"\nProtected: "+strings.Join(m.sh.protected, ", "),
			"production", "", prompt.ValidateTag,
			func(tag string) tea.Msg { return verTagMsg{number: n, tag: tag} }))
	case key.Matches(msg, k.Edit):
		return m, m.sh.post(openEditorMsg{name: m.name, version: v.Number, back: screenVersions})
	case key.Matches(msg, k.Arena):
		return m, m.sh.post(arenaOpenMsg{name: m.name, version: v.Number})
	}
	return m, nil
}

// currentTags maps each tag to its version number.
func (m versionsModel) currentTags() map[string]int {
	out := map[string]int{}
	for _, v := range m.versions {
		for _, t := range v.Tags {
			out[t] = v.Number
		}
	}
	return out
}

func (m versionsModel) openDiff(a, b prompt.Version) versionsModel {
	m.diff = newDiff(m.sh, a, b, m.sideBySide).setSize(m.w, m.h)
	m.showDiff = true
	return m
}

func (m versionsModel) keyTable() keyTable {
	k := m.keys
	if m.showDiff {
		dk := m.diff.keys
		return keyTable{
			short:  []key.Binding{dk.Layout, dk.Back, dk.nav.Down},
			groups: [][]key.Binding{{dk.Layout, dk.Back}, dk.nav.bindings()},
		}
	}
	return keyTable{
		short:  []key.Binding{k.Mark, k.Prev, k.Restore, k.Tag, k.Back},
		groups: [][]key.Binding{k.nav.bindings(), {k.Mark, k.Prev, k.Restore, k.Tag, k.Edit, k.Arena, k.Reload, k.Back}},
	}
}

func (m versionsModel) wide() bool { return m.w >= 110 }

// listRect is the list's area below the title line.
func (m versionsModel) listRect() (int, int, int, int) {
	avail := m.h - 1
	if m.wide() {
		return 0, 1, m.w * 11 / 20, avail
	}
	return 0, 1, m.w, max(2, min(len(m.versions)+1, avail/2))
}

func (m versionsModel) listRows() int {
	_, _, _, h := m.listRect()
	return max(1, h-1)
}

func (m versionsModel) clampCursor() versionsModel {
	m.cursor = clamp(m.cursor, 0, len(m.versions)-1)
	rows := m.listRows()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+rows {
		m.offset = m.cursor - rows + 1
	}
	m.offset = clamp(m.offset, 0, max(0, len(m.versions)-rows))
	return m
}

func (m versionsModel) View() string {
	st := m.sh.styles()
	if m.showDiff {
		return m.diff.View()
	}
	if m.name == "" {
		return "\n" + st.Muted.Render("  No prompt chosen. Pick one in the library (1) and press enter.")
	}
	title := st.Title.Render(m.name) + st.Muted.Render(" · "+plural(len(m.versions), "version"))
	if m.mark != 0 {
		title += "  " + styled(st.RowMarked, "◆ v"+itoa(m.mark)+" marked — d on another to diff")
	}
	if m.err != "" {
		return title + "\n" + hintLines(st.Error, m.err, m.w)
	}
	if !m.loaded {
		return title + "\n" + st.Muted.Render("loading…")
	}
	_, _, lw, lh := m.listRect()
	list := fitLines(m.listView(lw, lh), lw, lh)
	frameW := st.Panel.GetHorizontalFrameSize()
	if m.wide() {
		dw := m.w - lw - 1
		detail := box(st.Panel, m.detailTitle(), m.detailView(dw-frameW, lh-2), dw, lh)
		return title + "\n" + lipgloss.JoinHorizontal(lipgloss.Top, list, " ", detail)
	}
	dh := m.h - 1 - lh
	detail := box(st.Panel, m.detailTitle(), m.detailView(m.w-frameW, dh-2), m.w, dh)
	return title + "\n" + list + "\n" + detail
}

func (m versionsModel) listView(w, h int) string {
	st := m.sh.styles()
	now := m.sh.now()
	const verW, hashW, whenW = 4, 12, 9
	longest, authW := 4, len("AUTHOR")
	for _, v := range m.versions {
		longest = max(longest, len(strings.Join(v.Tags, ",")))
		authW = max(authW, lipgloss.Width(oneLine(v.Author)))
	}
	// The author takes what its names need (up to 10), leaving the rest
	// to the tags and the note.
	authW = min(authW, 10)
	rest := w - 2 - verW - hashW - whenW - authW - 5
	tagW := clamp(longest, 4, max(4, rest/2))
	noteW := rest - tagW - 1
	head := "  " + pad("VER", verW) + " " + pad("HASH", hashW) + " " + pad("WHEN", whenW) + " " + pad("AUTHOR", authW) + " " + pad("TAGS", tagW) + " " + pad("NOTE", noteW)
	lines := []string{st.Header.Render(pad(head, w))}
	end := min(len(m.versions), m.offset+h-1)
	for i := m.offset; i < end; i++ {
		v := m.versions[i]
		base := st.Row
		if i == m.cursor {
			base = st.RowSelected
		}
		marker := base.Render("  ")
		switch {
		case v.Number == m.mark:
			marker = styled(st.RowMarked.Inherit(base), "◆ ")
		case i == m.cursor:
			marker = st.Cursor.Inherit(base).Render("▌ ")
		}
		sp := base.Render(" ")
		row := marker + base.Render(pad("v"+itoa(v.Number), verW)) + sp +
			st.Muted.Inherit(base).Render(pad(prompt.ShortHash(v.Hash), hashW)) + sp +
			st.Muted.Inherit(base).Render(pad(ago(now, v.Created), whenW)) + sp +
			base.Render(pad(oneLine(v.Author), authW)) + sp +
			st.Tag.Inherit(base).Render(pad(strings.Join(v.Tags, ","), tagW)) + sp +
			base.Render(pad(oneLine(v.Note), noteW))
		if gap := w - lipgloss.Width(row); gap > 0 {
			row += base.Render(strings.Repeat(" ", gap))
		}
		lines = append(lines, row)
	}
	return strings.Join(lines, "\n")
}

func (m versionsModel) detailTitle() string {
	st := m.sh.styles()
	v, ok := m.selected()
	if !ok {
		return ""
	}
	return st.PanelTitle.Render(v.Ref()) + st.Muted.Render(" "+prompt.ShortHash(v.Hash))
}

// detailView shows the selected version: provenance, then each message
// with {{variables}} highlighted, then the params.
func (m versionsModel) detailView(w, h int) string {
	st := m.sh.styles()
	v, ok := m.selected()
	if !ok {
		return ""
	}
	var lines []string
	meta := "by " + oneLine(v.Author) + " · " + ago(m.sh.now(), v.Created)
	if v.Parent > 0 {
		meta += " · from v" + itoa(v.Parent)
	}
	lines = append(lines, st.Muted.Render(trunc(meta, w)))
	if len(v.Tags) > 0 {
		lines = append(lines, st.Tag.Render(trunc(strings.Join(v.Tags, " "), w)))
	}
	if v.Note != "" {
		lines = append(lines, st.Base.Render(trunc("“"+oneLine(v.Note)+"”", w)))
	}
	for _, msg := range v.Messages {
		lines = append(lines, "", st.Role.Render(strings.ToUpper(sanitize(msg.Role))))
		for _, l := range strings.Split(sanitize(msg.Content), "\n") {
			for _, wl := range strings.Split(wrapLine(strings.ReplaceAll(l, "\t", "    "), w), "\n") {
				lines = append(lines, highlightVars(strings.TrimRight(wl, " "), st.Variable))
			}
		}
		if len(lines) > h {
			break
		}
	}
	if pl := v.Params.Lines(); len(pl) > 0 {
		lines = append(lines, "", st.Role.Render("PARAMS"))
		for _, p := range pl {
			lines = append(lines, st.Muted.Render(trunc(p, w)))
		}
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	return strings.Join(lines, "\n")
}
