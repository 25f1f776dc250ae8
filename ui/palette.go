package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"

	"whet/themes"
)

// paletteAction is one command of the palette.
type paletteAction struct {
	title string
	hint  string // the key that does the same
	run   paletteRunMsg
}

// paletteActions lists every action: each screen's keys (taken from the
// key tables, so the palette never drifts from them), the screens
// themselves, the themes, help and quit. The active screen's actions come
// first.
func (m Model) paletteActions() []paletteAction {
	var out []paletteAction
	g := m.sh.keys
	nav := map[string]bool{}
	for _, b := range newNavKeys().bindings() {
		for _, k := range b.Keys() {
			nav[k] = true
		}
	}
	add := func(s screenID, t keyTable) {
		seen := map[string]bool{}
		for _, grp := range t.groups {
			for _, b := range grp {
				if !b.Enabled() || len(b.Keys()) == 0 || nav[b.Keys()[0]] || seen[b.Keys()[0]] {
					continue
				}
				seen[b.Keys()[0]] = true
				out = append(out, paletteAction{
					title: s.String() + ": " + b.Help().Desc,
					hint:  b.Help().Key,
					run:   paletteRunMsg{screen: s, key: b.Keys()[0]},
				})
			}
		}
	}
	screens := []struct {
		id    screenID
		table keyTable
	}{
		{screenLibrary, m.library.keyTable()},
		{screenVersions, m.versions.keyTable()},
		{screenEditor, m.editor.keyTable()},
		{screenArena, m.arena.keyTable()},
		{screenHistory, m.history.keyTable()},
		{screenResults, m.results.keyTable()},
		{screenCompare, m.compare.keyTable()},
		{screenSuites, m.suites.keyTable()},
		{screenModels, m.models.keyTable()},
	}
	if m.active == screenWelcome {
		add(screenWelcome, m.welcome.keyTable())
	}
	for _, s := range screens {
		if s.id == m.active {
			add(s.id, s.table)
		}
	}
	for _, s := range tabs() {
		out = append(out, paletteAction{title: "Go to " + s.String(), hint: strings.Fields(m.tabLabel(s))[0], run: paletteRunMsg{screen: s}})
	}
	for _, s := range screens {
		if s.id != m.active {
			add(s.id, s.table)
		}
	}
	out = append(out, paletteAction{title: "Show help", hint: g.Help.Help().Key, run: paletteRunMsg{global: "help"}})
	for _, n := range themes.Names() {
		out = append(out, paletteAction{title: "Theme: " + n, run: paletteRunMsg{global: "theme:" + n}})
	}
	out = append(out, paletteAction{title: "Quit", hint: g.Quit.Help().Key, run: paletteRunMsg{global: "quit"}})
	return out
}

// runPalette carries out a chosen action.
func (m Model) runPalette(msg paletteRunMsg) (tea.Model, tea.Cmd) {
	switch {
	case msg.global == "help":
		return m, m.sh.open(newHelp(m.sh, m.active.String(), m.screenKeys(), m.sh.keys))
	case msg.global == "quit":
		return m, m.sh.post(quitMsg{})
	case strings.HasPrefix(msg.global, "theme:"):
		t, err := themes.Get(strings.TrimPrefix(msg.global, "theme:"))
		if err != nil {
			return m, notifyErr(err)
		}
		t = m.sh.fit(t)
		m.sh.theme = t
		m.sh.themeFixed = true
		m = m.applyTheme()
		var cmd tea.Cmd
		m.library, cmd = m.library.previewSoon(0)
		return m, tea.Batch(cmd, notify("theme "+t.Name))
	}
	mm, cmd := m.show(msg.screen)
	m = mm.(Model)
	if msg.key == "" {
		return m, cmd
	}
	// After what the switch posted (the read of a run, a list), and held
	// with any keys that wait for the screen.
	return m, tea.Batch(cmd, m.sh.post(screenKeyMsg{screen: m.active, key: keyPress(msg.key)}))
}

// paletteDialog is the command palette: a fuzzy filter over every action.
type paletteDialog struct {
	sh      *shared // posts the chosen action (shared.post)
	actions []paletteAction
	input   textinput.Model
	matches []int // indexes into actions, best first
	cursor  int
}

func newPalette(sh *shared, actions []paletteAction) *paletteDialog {
	ti := textinput.New()
	ti.Prompt = "> "
	ti.Placeholder = "type to search every action"
	ti.SetStyles(sh.styles().TextInput)
	ti.SetWidth(dialogWidth(sh.width, 64) - sh.styles().Dialog.GetHorizontalFrameSize() - 3)
	ti.Focus()
	d := &paletteDialog{sh: sh, actions: actions, input: ti}
	d.refilter()
	return d
}

type actionSource []paletteAction

func (s actionSource) String(i int) string { return s[i].title }
func (s actionSource) Len() int            { return len(s) }

func (d *paletteDialog) refilter() {
	// Spaces separate words; the fuzzy match ignores them ("mark diff"
	// finds "mark/diff").
	q := strings.Join(strings.Fields(d.input.Value()), "")
	d.matches = d.matches[:0]
	if q == "" {
		for i := range d.actions {
			d.matches = append(d.matches, i)
		}
	} else {
		for _, mt := range fuzzy.FindFrom(q, actionSource(d.actions)) {
			d.matches = append(d.matches, mt.Index)
		}
	}
	d.cursor = clamp(d.cursor, 0, len(d.matches)-1)
}

func (d *paletteDialog) update(msg tea.Msg) (bool, tea.Cmd) {
	if km, ok := msg.(tea.KeyPressMsg); ok {
		switch km.String() {
		case "esc", "ctrl+p":
			return true, nil
		case "enter":
			if len(d.matches) == 0 {
				return false, nil
			}
			return true, d.sh.post(d.actions[d.matches[d.cursor]].run)
		case "up", "ctrl+k":
			d.cursor = clamp(d.cursor-1, 0, len(d.matches)-1)
			return false, nil
		case "down", "ctrl+j":
			d.cursor = clamp(d.cursor+1, 0, len(d.matches)-1)
			return false, nil
		}
	}
	if wm, ok := msg.(tea.MouseWheelMsg); ok {
		if wm.Button == tea.MouseWheelDown {
			d.cursor = clamp(d.cursor+1, 0, len(d.matches)-1)
		} else if wm.Button == tea.MouseWheelUp {
			d.cursor = clamp(d.cursor-1, 0, len(d.matches)-1)
		}
		return false, nil
	}
	before := d.input.Value()
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	if d.input.Value() != before {
		d.cursor = 0
		d.refilter()
	}
	return false, cmd
}

func (d *paletteDialog) view(sh *shared, w, h int) string {
	st := sh.styles()
	dw := dialogWidth(w, 64)
	inner := dw - st.Dialog.GetHorizontalFrameSize()
	rows := clamp(h-10, 3, 14)
	off := clamp(d.cursor-rows+1, 0, max(0, len(d.matches)-rows))
	lines := []string{d.input.View(), ""}
	for i := off; i < len(d.matches) && i < off+rows; i++ {
		a := d.actions[d.matches[i]]
		text := pad(a.title, inner-10) + pad(a.hint, 10)
		if i == d.cursor {
			lines = append(lines, st.RowSelected.Render(pad(text, inner)))
		} else {
			lines = append(lines, st.Base.Render(pad(a.title, inner-10))+st.Key.Render(pad(a.hint, 10)))
		}
	}
	if len(d.matches) == 0 {
		lines = append(lines, st.Muted.Render("no action matches"))
	}
	return frameDialog(sh, "Commands", strings.Join(lines, "\n"), "↑/↓ choose · enter run · esc close", dw)
}
