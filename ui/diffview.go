package ui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"whet/prompt"
)

// diffLine is one line of a parsed unified diff.
type diffLine struct {
	kind     byte // ' ' context, '+' added, '-' deleted, '@' hunk header
	text     string
	old, new int // 1-based line numbers; 0 where the side has no line
}

// parseUnified reads a unified diff (as prompt.DiffVersions writes it) into
// lines with their old and new line numbers. File headers are skipped.
func parseUnified(d string) []diffLine {
	var out []diffLine
	oldN, newN := 0, 0
	for _, l := range strings.Split(d, "\n") {
		switch {
		case strings.HasPrefix(l, "--- "), strings.HasPrefix(l, "+++ "), strings.HasPrefix(l, `\ `):
		case strings.HasPrefix(l, "@@"):
			oldN, newN = hunkStarts(l)
			out = append(out, diffLine{kind: '@', text: l})
		case strings.HasPrefix(l, "+"):
			out = append(out, diffLine{kind: '+', text: l[1:], new: newN})
			newN++
		case strings.HasPrefix(l, "-"):
			out = append(out, diffLine{kind: '-', text: l[1:], old: oldN})
			oldN++
		case strings.HasPrefix(l, " "):
			out = append(out, diffLine{kind: ' ', text: l[1:], old: oldN, new: newN})
			oldN++
			newN++
		}
	}
	return out
}

// hunkStarts reads "@@ -a,b +c,d @@" into a and c.
func hunkStarts(h string) (int, int) {
	f := strings.Fields(h)
	num := func(s string) int {
		s = strings.TrimLeft(s, "-+")
		s, _, _ = strings.Cut(s, ",")
		n, _ := strconv.Atoi(s)
		return n
	}
	if len(f) < 3 {
		return 1, 1
	}
	return num(f[1]), num(f[2])
}

// diffKeys are the diff view's keys.
type diffKeys struct {
	nav    navKeys
	Layout key.Binding
	Back   key.Binding
}

func newDiffKeys() diffKeys {
	return diffKeys{
		nav:    newNavKeys(),
		Layout: key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "side by side/unified")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

// diffModel shows the difference between two versions, unified or side by
// side, coloured from the theme. It is a component of the versions screen.
type diffModel struct {
	sh         *shared
	keys       diffKeys
	a, b       prompt.Version
	lines      []diffLine
	sideBySide bool
	off        int
	w, h       int
}

func newDiff(sh *shared, a, b prompt.Version, sideBySide bool) diffModel {
	if a.Number > b.Number {
		a, b = b, a
	}
	return diffModel{sh: sh, keys: newDiffKeys(), a: a, b: b, lines: parseUnified(prompt.DiffVersions(a, b)), sideBySide: sideBySide}
}

func (m diffModel) setSize(w, h int) diffModel {
	m.w, m.h = w, h
	m.off = clamp(m.off, 0, m.maxOff())
	return m
}

// bodyRows is the number of diff lines visible under the header.
func (m diffModel) bodyRows() int { return max(1, m.h-2) }

// rowCount is the number of screen rows the diff takes: a line longer
// than its room wraps onto rows of its own.
func (m diffModel) rowCount() int { return len(m.bodyLines()) }

// bodyLines is every row of the diff in the current layout, long lines
// wrapped, so that a change at the end of a long line is seen.
func (m diffModel) bodyLines() []string {
	if m.sh == nil || m.w <= 0 {
		return nil // not shown yet
	}
	if m.sideBySide {
		return m.sideView()
	}
	return m.unifiedView()
}

// wrapText is the rows a diff line's text takes at w cells (one at least),
// its control sequences removed and tabs expanded.
func wrapText(s string, w int) []string {
	s = sanitize(strings.ReplaceAll(s, "\t", "    "))
	if w < 1 || ansi.StringWidth(s) <= w {
		return []string{trunc(s, max(w, 1))}
	}
	rows := strings.Split(wrapLine(s, w), "\n")
	for i, r := range rows {
		rows[i] = strings.TrimRight(r, " ")
	}
	return rows
}

func (m diffModel) maxOff() int { return max(0, m.rowCount()-m.bodyRows()) }

// Update scrolls and toggles the layout. Back is handled by the owner.
func (m diffModel) Update(msg tea.Msg) (diffModel, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if key.Matches(msg, m.keys.Layout) {
			m.sideBySide = !m.sideBySide
			m.off = clamp(m.off, 0, m.maxOff())
			return m, nil
		}
		// Scrolling: the cursor is the top line.
		if off, ok := m.keys.nav.move(msg, m.off, m.maxOff()+1, m.bodyRows()-1); ok {
			m.off = off
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelDown:
			m.off = clamp(m.off+3, 0, m.maxOff())
		case tea.MouseWheelUp:
			m.off = clamp(m.off-3, 0, m.maxOff())
		}
	}
	return m, nil
}

func (m diffModel) View() string {
	st := m.sh.styles()
	layout := "unified"
	if m.sideBySide {
		layout = "side by side"
	}
	head := st.Title.Render("diff "+m.a.Prompt) + " " +
		styled(st.DiffDel, "v"+itoa(m.a.Number)) + st.Muted.Render(" → ") + styled(st.DiffAdd, "v"+itoa(m.b.Number)) +
		st.Muted.Render("  "+layout+" · "+itoa(m.adds())+" added, "+itoa(m.dels())+" removed")
	sub := st.Muted.Render(trunc(oneLine("v"+itoa(m.a.Number)+" "+prompt.ShortHash(m.a.Hash)+" "+m.a.Note), m.w/2-1))
	sub = pad(sub, m.w/2) + st.Muted.Render(trunc(oneLine("v"+itoa(m.b.Number)+" "+prompt.ShortHash(m.b.Hash)+" "+m.b.Note), m.w-m.w/2))
	var body []string
	if len(m.lines) == 0 {
		body = []string{st.Muted.Render("no differences: the two versions have the same content")}
	} else {
		all := m.bodyLines()
		body = all[min(m.off, len(all)):min(len(all), m.off+m.bodyRows())]
	}
	return head + "\n" + sub + "\n" + strings.Join(body, "\n")
}

func (m diffModel) adds() int { return m.count('+') }
func (m diffModel) dels() int { return m.count('-') }
func (m diffModel) count(k byte) int {
	n := 0
	for _, l := range m.lines {
		if l.kind == k {
			n++
		}
	}
	return n
}

func lineNo(n int) string {
	if n == 0 {
		return "    "
	}
	s := itoa(n)
	if len(s) < 4 {
		s = strings.Repeat(" ", 4-len(s)) + s
	}
	return s
}

// styledLine renders one side's text in the style of its kind.
func (m diffModel) styleFor(kind byte) lipgloss.Style {
	st := m.sh.styles()
	switch kind {
	case '+':
		return st.DiffAdd
	case '-':
		return st.DiffDel
	case '@':
		return st.DiffHunk
	}
	return st.DiffContext
}

func (m diffModel) unifiedView() []string {
	st := m.sh.styles()
	var out []string
	for _, l := range m.lines {
		if l.kind == '@' {
			out = append(out, st.DiffHunk.Render(trunc(l.text, m.w)))
			continue
		}
		gutter := st.DiffGutter.Render(lineNo(l.old) + " " + lineNo(l.new) + " ")
		for i, text := range wrapText(l.text, m.w-12) {
			if i > 0 {
				gutter = st.DiffGutter.Render(strings.Repeat(" ", 10))
			}
			out = append(out, gutter+styled(m.styleFor(l.kind), string(l.kind)+" "+text))
		}
	}
	return out
}

// sideRow is one row of the side-by-side layout.
type sideRow struct {
	hunk        string
	left, right *diffLine
}

// pairRows lines deletions up with the additions that follow them, and
// context with itself, for the side-by-side layout.
func pairRows(lines []diffLine) []sideRow {
	var rows []sideRow
	for i := 0; i < len(lines); {
		l := lines[i]
		switch l.kind {
		case '@':
			rows = append(rows, sideRow{hunk: l.text})
			i++
		case ' ':
			rows = append(rows, sideRow{left: &lines[i], right: &lines[i]})
			i++
		default:
			var dels, adds []*diffLine
			for i < len(lines) && lines[i].kind == '-' {
				dels = append(dels, &lines[i])
				i++
			}
			for i < len(lines) && lines[i].kind == '+' {
				adds = append(adds, &lines[i])
				i++
			}
			for j := 0; j < max(len(dels), len(adds)); j++ {
				var r sideRow
				if j < len(dels) {
					r.left = dels[j]
				}
				if j < len(adds) {
					r.right = adds[j]
				}
				rows = append(rows, r)
			}
		}
	}
	return rows
}

func (m diffModel) sideView() []string {
	st := m.sh.styles()
	half := (m.w - 1) / 2
	// side is the rows of one side of a row: line number, mark, text.
	side := func(l *diffLine, isLeft bool) []string {
		if l == nil {
			return nil
		}
		n := l.new
		if isLeft {
			n = l.old
		}
		mark := " "
		if l.kind != ' ' {
			mark = string(l.kind) // + or -, for terminals without colour
		}
		var out []string
		for i, text := range wrapText(l.text, half-5) {
			if i > 0 {
				n = 0
			}
			out = append(out, st.DiffGutter.Render(lineNo(n))+styled(m.styleFor(l.kind), mark+text)+pad("", half-5-ansi.StringWidth(text)))
		}
		return out
	}
	blank := st.DiffGutter.Render(pad("", half))
	var out []string
	for _, r := range pairRows(m.lines) {
		if r.hunk != "" {
			out = append(out, st.DiffHunk.Render(trunc(r.hunk, m.w)))
			continue
		}
		left, right := side(r.left, true), side(r.right, false)
		for i := range max(len(left), len(right)) {
			l, rt := blank, blank
			if i < len(left) {
				l = left[i]
			}
			if i < len(right) {
				rt = right[i]
			}
			out = append(out, l+st.Subtle.Render("│")+rt)
		}
	}
	return out
}
