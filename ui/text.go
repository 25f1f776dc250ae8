package ui

import (
	"regexp"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"whet/textutil"
)

// sanitize makes untrusted text (prompt bodies, notes, model output) safe to
// draw: escape sequences and control characters other than newline and tab
// go (see textutil.Sanitize).
func sanitize(s string) string { return textutil.Sanitize(s) }

// oneLine sanitises s and folds it onto one line (for notes, descriptions
// and previews in lists).
func oneLine(s string) string { return textutil.OneLine(s) }

func itoa(n int) string { return strconv.Itoa(n) }

// trunc cuts s (which may hold ANSI styling) to at most w cells, ending in
// "…" when cut.
func trunc(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// pad truncates or right-pads s to exactly w cells.
func pad(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = trunc(s, w)
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// fitLines truncates every line to w cells and pads or cuts the block to
// exactly h lines of exactly w cells, so that joined panels line up.
func fitLines(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = pad(l, w)
	}
	return strings.Join(lines, "\n")
}

// varRe matches a {{variable}} placeholder as the template parser reads it.
var varRe = regexp.MustCompile(`\{\{[ \t]*[A-Za-z_][A-Za-z0-9_.-]*[ \t]*\}\}`)

// highlightVars styles every {{variable}} in plain text.
func highlightVars(s string, st lipgloss.Style) string {
	return varRe.ReplaceAllStringFunc(s, func(v string) string { return st.Render(v) })
}

// box draws content in a bordered panel of exactly w×h cells with an
// optional title set into the top border.
func box(st lipgloss.Style, title string, content string, w, h int) string {
	if w < 4 || h < 2 {
		return ""
	}
	inner := w - st.GetHorizontalFrameSize()
	innerH := h - st.GetVerticalFrameSize()
	if inner < 1 || innerH < 0 {
		return ""
	}
	body := st.Width(w).Height(h).Render(fitLines(content, inner, innerH))
	if title == "" {
		return body
	}
	// Put the title into the top border line: "╭─ title ───╮".
	lines := strings.SplitN(body, "\n", 2)
	top := lines[0]
	t := " " + trunc(title, w-6) + " "
	tw := ansi.StringWidth(t)
	if tw+4 > w {
		return body
	}
	left := ansi.Truncate(top, 2, "")
	right := ansi.TruncateLeft(top, 2+tw, "")
	top = left + t + right
	if len(lines) == 1 {
		return top
	}
	return top + "\n" + lines[1]
}

// plural is "1 version", "3 versions".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return itoa(n) + " " + noun + "s"
}
