package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// helpDialog shows every key of the active screen and the global keys,
// generated from the key tables.
type helpDialog struct {
	title  string
	screen keyTable
	global []key.Binding
	// offset is the first line shown when the keys do not fit the
	// terminal; maxOffset is the last view's bound for it.
	offset, maxOffset int
}

func newHelp(sh *shared, screen string, t keyTable, g globalKeys) *helpDialog {
	return &helpDialog{title: "Keys · " + screen, screen: t, global: g.bindings()}
}

func (d *helpDialog) update(msg tea.Msg) (bool, tea.Cmd) {
	if km, ok := msg.(tea.KeyPressMsg); ok {
		switch km.String() {
		case "esc", "?", "q", "enter":
			return true, nil
		case "down", "j":
			d.offset++
		case "up", "k":
			d.offset--
		case "pgdown", "space", "f":
			d.offset += 10
		case "pgup", "b":
			d.offset -= 10
		case "g", "home":
			d.offset = 0
		case "G", "end":
			d.offset = d.maxOffset
		}
		d.offset = clamp(d.offset, 0, d.maxOffset)
	}
	return false, nil
}

func (d *helpDialog) view(sh *shared, w, h int) string {
	st := sh.styles()
	dw := dialogWidth(w, 90)
	inner := dw - st.Dialog.GetHorizontalFrameSize()
	hm := help.New()
	hm.Styles = st.Help
	hm.ShowAll = true
	body := helpRows(hm, d.screen.groups, inner)
	if body == "" {
		body = st.Muted.Render("this screen has no keys of its own")
	}
	body += "\n\n" + st.Header.Render("Everywhere") + "\n" + helpRows(hm, splitBindings(d.global, 4), inner)
	notes := []string{
		"In a text field q, ? and the digits type; ctrl+c still quits.",
		"Mouse: click a tab or a row, wheel to scroll.",
	}
	// The dialog fits the terminal: key columns that do not fit are cut
	// (never wrapped), then the notes go (the mouse first), then the lines
	// that do not fit scroll, with a line saying so.
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		lines[i] = trunc(l, inner)
	}
	body = strings.Join(lines, "\n")
	room := h - lipgloss.Height(frameDialog(sh, d.title, "", "esc/? close", dw)) + 1
	d.maxOffset = 0
	if len(lines) > room && room > 1 {
		d.maxOffset = len(lines) - (room - 1)
		off := clamp(d.offset, 0, d.maxOffset)
		more := "… " + plural(d.maxOffset-off, "more line") + ": ↓/j scrolls"
		if off == d.maxOffset {
			more = "(the end: ↑/k scrolls back)"
		}
		body = strings.Join(lines[off:off+room-1], "\n") + "\n" + st.Muted.Render(trunc(more, inner))
	}
	for i, n := range notes {
		if len(lines)+i+2 > room {
			break
		}
		if i == 0 {
			body += "\n"
		}
		body += "\n" + st.Muted.Render(trunc(n, inner))
	}
	return frameDialog(sh, d.title, body, "esc/? close", dw)
}

// helpRows lays key groups out as columns, starting a new row of columns
// where the next group would not fit in width, so that no key is cut off
// on a narrow terminal.
func helpRows(hm help.Model, groups [][]key.Binding, width int) string {
	hm.SetWidth(0) // measure and draw whole columns; rows are cut below
	var rows []string
	var cur [][]key.Binding
	for _, g := range groups {
		next := append(append([][]key.Binding(nil), cur...), g)
		if len(cur) > 0 && lipgloss.Width(hm.FullHelpView(next)) > width {
			rows = append(rows, hm.FullHelpView(cur))
			next = [][]key.Binding{g}
		}
		cur = next
	}
	if len(cur) > 0 {
		rows = append(rows, hm.FullHelpView(cur))
	}
	return strings.Join(rows, "\n\n")
}

// splitBindings cuts bs into columns of at most n.
func splitBindings(bs []key.Binding, n int) [][]key.Binding {
	var out [][]key.Binding
	for len(bs) > n {
		out = append(out, bs[:n])
		bs = bs[n:]
	}
	if len(bs) > 0 {
		out = append(out, bs)
	}
	return out
}
