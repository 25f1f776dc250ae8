package ui

import (
	"encoding/json"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"whet/prompt"
)

// Layout. The messages take the left column; params, labels, variables
// and lint the right one. Below 90 columns only one of the two shows: the
// one holding the focus.
func (m editorModel) wide() bool { return m.w >= 90 }

func (m editorModel) sideWidth() int {
	if m.wide() {
		return clamp(m.w/3, 30, 46)
	}
	return m.w
}

func (m editorModel) leftWidth() int {
	if m.wide() {
		return m.w - m.sideWidth() - 2
	}
	return m.w
}

func (m editorModel) setSize(w, h int) editorModel {
	m.w, m.h = w, h
	return m.layout()
}

// msgLayout decides which messages show and how tall the expanded ones are.
type msgLayout struct {
	from, to   int  // messages shown
	collapsed  bool // only the focused message is expanded
	textHeight int  // rows of each expanded textarea
}

func (m editorModel) msgLayout() msgLayout {
	n := len(m.msgs)
	avail := m.h - 1 // the header line
	if n == 0 {
		return msgLayout{}
	}
	if th := (avail - n) / n; th >= 3 {
		return msgLayout{from: 0, to: n, textHeight: th}
	}
	// The focused message expands; the others take one line each.
	others := n - 1
	maxOthers := max(0, avail-1-3)
	l := msgLayout{from: 0, to: n, collapsed: true}
	if others > maxOthers {
		half := maxOthers / 2
		l.from = clamp(m.lastMsg-half, 0, n-1-maxOthers)
		l.to = l.from + maxOthers + 1
	}
	l.textHeight = max(1, avail-(l.to-l.from-1)-1)
	return l
}

// layout sizes every field for the current size and focus.
func (m editorModel) layout() editorModel {
	lw := m.leftWidth()
	l := m.msgLayout()
	for i := range m.msgs {
		m.msgs[i].ta.SetWidth(max(10, lw))
		h := l.textHeight
		if l.collapsed && i != m.lastMsg {
			h = 1
		}
		m.msgs[i].ta.SetHeight(max(1, h))
	}
	sw := m.sideWidth()
	inputW := m.sideInputWidth()
	for i := range m.params {
		sizeInput(&m.params[i], inputW)
	}
	sizeInput(&m.labels, max(8, sw-5))
	m.sizeVarInputs()
	return m
}

// sizeInput sets an input's width and re-places its view on the cursor
// (an input keeps the scroll offset of the width it had when last set).
func sizeInput(ti *textinput.Model, w int) {
	if ti.Width() == w {
		return
	}
	ti.SetWidth(w)
	pos, v := ti.Position(), ti.Value()
	ti.SetValue("") // resets the scroll window, which SetValue(v) alone keeps
	ti.SetValue(v)
	ti.SetCursor(pos)
}

const sideLabelW = 12

// sideInputWidth is the width of a labelled input in the side panel.
func (m editorModel) sideInputWidth() int { return max(8, m.sideWidth()-sideLabelW-5) }

// varLabelWidth is the width of the variables' names in the side panel:
// the longest name (customer_name), so names read whole, up to half the
// side panel, the sample values lined up past them.
func (m editorModel) varLabelWidth() int {
	w := sideLabelW
	for _, n := range m.varNames {
		w = max(w, lipgloss.Width(n))
	}
	return max(sideLabelW, min(w, m.sideWidth()/2))
}

// varInputWidth is the width of a sample value's input.
func (m editorModel) varInputWidth() int { return max(8, m.sideWidth()-m.varLabelWidth()-5) }

// sizeVarInputs sizes the sample values' inputs past the names.
func (m *editorModel) sizeVarInputs() {
	w := m.varInputWidth()
	for k, ti := range m.varInputs {
		sizeInput(&ti.Model, w)
		m.varInputs[k] = ti
	}
}

func (m editorModel) View() string {
	st := m.sh.styles()
	if m.loading {
		return st.Muted.Render("loading " + m.name + "…")
	}
	if !m.active {
		msg := "No prompt open. Press e on a prompt in the library, or n here for a new one."
		if m.loadErr != "" {
			msg = st.Error.Render(m.loadErr) + "\n" + st.Muted.Render(msg)
		} else {
			msg = st.Muted.Render(msg)
		}
		return "\n  " + msg
	}
	header := m.headerView()
	f := m.focused()
	inSide := f.kind != fieldMessage
	var body string
	switch {
	case m.wide():
		left := fitLines(m.messagesView(), m.leftWidth(), m.h-1)
		side := fitLines(m.sideView(m.h-1), m.sideWidth(), m.h-1)
		sep := st.Subtle.Render(strings.TrimRight(strings.Repeat("│ \n", m.h-1), "\n"))
		body = lipgloss.JoinHorizontal(lipgloss.Top, left, sep, side)
	case inSide:
		body = m.sideView(m.h - 1)
	default:
		body = m.messagesView()
	}
	return header + "\n" + body
}

func (m editorModel) headerView() string {
	st := m.sh.styles()
	var title string
	if m.isNew {
		name := "new prompt"
		if m.name != "" {
			name = m.name + " (new)"
		}
		title = st.Title.Render(name)
	} else {
		title = st.Title.Render(m.name) + st.Muted.Render(" · from v"+itoa(m.baseVersion))
	}
	if m.dirty() {
		title += "  " + st.Warn.Render("● modified")
	} else if !m.isNew {
		title += "  " + st.OK.Render("✓ saved")
	}
	if m.saving {
		title += "  " + st.Muted.Render("saving…")
	}
	if sev, ok := prompt.MaxSeverity(m.lints); ok {
		n := itoa(len(m.lints))
		switch sev {
		case prompt.SeverityError:
			title += "  " + st.Error.Render("✗ "+n+" lint")
		case prompt.SeverityWarning:
			title += "  " + st.Warn.Render("⚠ "+n+" lint")
		default:
			title += "  " + st.Muted.Render("ℹ "+n+" lint")
		}
	}
	if !m.wide() {
		if m.focused().kind == fieldMessage {
			title += st.Muted.Render("  · tab: params, labels, variables")
		} else {
			title += st.Muted.Render("  · shift+tab: back to the messages")
		}
	}
	return trunc(title, m.w)
}

func (m editorModel) messagesView() string {
	st := m.sh.styles()
	l := m.msgLayout()
	f := m.focused()
	lw := m.leftWidth()
	var parts []string
	for i := l.from; i < l.to; i++ {
		mf := m.msgs[i]
		focused := f.kind == fieldMessage && f.index == i
		roleStyle := st.Muted.Bold(true)
		if focused {
			roleStyle = st.Role
		}
		head := roleStyle.Render(strings.ToUpper(mf.role)) + st.Muted.Render(" "+itoa(i+1)+"/"+itoa(len(m.msgs)))
		if focused {
			head += st.Muted.Render("  ctrl+r role · alt+↑↓ move · ctrl+x remove")
		}
		if l.collapsed && i != m.lastMsg {
			first := oneLine(mf.ta.Value())
			if first == "" {
				first = "(empty)"
			}
			parts = append(parts, trunc(head+"  "+st.Muted.Render(first), lw))
			continue
		}
		parts = append(parts, trunc(head, lw), mf.ta.View())
	}
	return strings.Join(parts, "\n")
}

// sideView renders params, labels, variables and lint, scrolled so that
// the focused field shows.
func (m editorModel) sideView(h int) string {
	st := m.sh.styles()
	sw := m.sideWidth()
	f := m.focused()
	var lines []string
	focusLine := 0
	marker := func(on bool) string {
		if on {
			return st.Cursor.Render("▸ ")
		}
		return "  "
	}
	lines = append(lines, st.PanelTitle.Render("PARAMS"))
	for i, k := range prompt.ParamKeys {
		on := f.kind == fieldParam && f.index == i
		if on {
			focusLine = len(lines)
		}
		label := st.InputLabel.Render(pad(k, sideLabelW))
		lines = append(lines, marker(on)+label+" "+inputView(m.params[i]))
		if e := strings.TrimPrefix(m.paramErr[i], "param "+k+": "); e != "" {
			for _, l := range strings.Split(wrapLine(e, sw-4), "\n") {
				lines = append(lines, "    "+st.Error.Render(strings.TrimRight(l, " ")))
			}
		}
	}
	// Other params (provider options, scoped ones) are kept as loaded and
	// shown here; the whole file in $EDITOR edits them.
	if extra := m.baseParams.Extra; len(extra) > 0 {
		// Their values line up with each other's, past the longest name
		// that fits.
		labelW := sideLabelW
		for k := range extra {
			labelW = max(labelW, lipgloss.Width(trunc(oneLine(k), max(sideLabelW, sw-12))))
		}
		for _, k := range prompt.SortedKeys(extra) {
			v := extra[k]
			text, ok := v.(string)
			if !ok {
				b, _ := json.Marshal(v)
				text = string(b)
			}
			label := pad(trunc(oneLine(k), max(sideLabelW, sw-12)), labelW)
			lines = append(lines, "  "+st.InputLabel.Render(label)+" "+st.Muted.Render(trunc(oneLine(text), max(1, sw-3-lipgloss.Width(label)))))
		}
		lines = append(lines, st.Muted.Render(trunc("  others: ctrl+e edits them", sw)))
	}
	lines = append(lines, "", st.PanelTitle.Render("LABELS")+st.Muted.Render("  k=v k=v"))
	on := f.kind == fieldLabels
	if on {
		focusLine = len(lines)
	}
	lines = append(lines, marker(on)+inputView(m.labels))
	if m.labelErr != "" {
		for _, l := range strings.Split(wrapLine(m.labelErr, sw-4), "\n") {
			lines = append(lines, "    "+st.Error.Render(strings.TrimRight(l, " ")))
		}
	}
	lines = append(lines, "", st.PanelTitle.Render("VARIABLES")+st.Muted.Render("  sample values"))
	if len(m.varNames) == 0 {
		lines = append(lines, st.Muted.Render("  none: write {{name}} in a message"))
	}
	varW := m.varLabelWidth()
	for i, n := range m.varNames {
		on := f.kind == fieldVar && f.index == i
		if on {
			focusLine = len(lines)
		}
		ti := m.varInputs[n]
		lines = append(lines, marker(on)+st.Variable.Render(pad(n, varW))+" "+inputView(ti.Model))
	}
	lines = append(lines, "", st.PanelTitle.Render("LINT"))
	if len(m.lints) == 0 {
		lines = append(lines, st.OK.Render("  ✓ no findings"))
	}
	for _, l := range m.lints {
		lines = append(lines, m.lintLines(l, sw)...)
	}
	// Scroll so the focused line is visible.
	off := 0
	if focusLine >= h {
		off = focusLine - h + 2
	}
	off = clamp(off, 0, max(0, len(lines)-h))
	lines = lines[off:]
	for i, l := range lines {
		lines[i] = trunc(l, sw)
	}
	return strings.Join(lines, "\n")
}

// lintLines renders one finding, wrapped under its icon.
func (m editorModel) lintLines(l prompt.Lint, w int) []string {
	st := m.sh.styles()
	var icon string
	var sev lipgloss.Style
	switch l.Severity {
	case prompt.SeverityError:
		icon, sev = "✗", st.Error
	case prompt.SeverityWarning:
		icon, sev = "⚠", st.Warn
	default:
		icon, sev = "ℹ", st.Muted
	}
	where := ""
	if l.Message >= 0 {
		where = "m" + itoa(l.Message+1)
		if l.Line > 0 {
			where += ":" + itoa(l.Line)
		}
		where += " "
	}
	msg := l.Msg
	if l.Code == prompt.LintUnknownVar && l.Var != "" {
		// The file's key is vars:; here the sample values are under
		// VARIABLES.
		msg = "{{" + l.Var + "}} has no sample value; give it one under VARIABLES so the prompt runs as-is"
	}
	text := wrapLine(where+oneLine(msg), max(10, w-4))
	var out []string
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, " ")
		if i == 0 {
			out = append(out, "  "+sev.Render(icon)+" "+st.Base.Render(line))
		} else {
			out = append(out, "    "+st.Base.Render(line))
		}
	}
	return out
}

// click focuses the message or field under the mouse.
func (m editorModel) click(msg tea.MouseClickMsg) (editorModel, tea.Cmd) {
	if !m.active || m.loading || msg.Y < 1 {
		return m, nil
	}
	f := m.focused()
	inSide := m.wide() && msg.X > m.leftWidth() || !m.wide() && f.kind != fieldMessage
	if inSide {
		return m, nil
	}
	l := m.msgLayout()
	y := 1
	for i := l.from; i < l.to; i++ {
		h := 1
		if !(l.collapsed && i != m.lastMsg) {
			h += m.msgs[i].ta.Height()
		}
		if msg.Y >= y && msg.Y < y+h {
			cmd := m.focusField(i)
			return m, cmd
		}
		y += h
	}
	return m, nil
}
