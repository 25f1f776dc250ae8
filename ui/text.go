package ui

import (
	"regexp"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"whet/textutil"
)

// sanitize makes untrusted text (prompt bodies, notes, model output) safe to
// draw: escape sequences and control characters other than newline and tab
// go (see textutil.Sanitize).
// On a terminal that does not cluster graphemes it also splits emoji
// sequences (see clusters.go).
func sanitize(s string) string { return unjoin(textutil.Sanitize(s)) }

// oneLine sanitises s and folds it onto one line (for notes, descriptions
// and previews in lists).
func oneLine(s string) string { return unjoin(textutil.OneLine(s)) }

func itoa(n int) string { return strconv.Itoa(n) }

// Text is measured in grapheme clusters everywhere (ansi.StringWidth, as
// lipgloss does, and as the renderer is told to in Model.Init): a ZWJ
// sequence (👩‍💻), a flag (🇫🇷), a skin-tone emoji (👍🏽) or a keycap (1️⃣)
// is one glyph two cells wide, as modern terminals draw it (on the others,
// sanitize splits them: see clusters.go). Measure with
// ansi.StringWidth (or lipgloss.Width), cut with trunc, pad or fitLines,
// wrap with wrapLine, step through text with ansi.FirstGraphemeCluster;
// never with len or a count of runes.

// trunc cuts s (which may hold ANSI styling) to at most w cells, ending in
// "…" when cut.
func trunc(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	p, back := protectClusters(s)
	return back(ansi.Truncate(p, w, "…"))
}

// wrapLine wraps one line of plain or styled text to w cells.
func wrapLine(s string, w int) string {
	p, back := protectClusters(s)
	// Lip Gloss breaks lines at every hyphen; whet's names and refs hold
	// them (support/reply-v2@3), and a ref cut in two cannot be copied.
	// Hyphens stand in as non-breaking ones, one cell wide too, while the
	// text wraps at spaces (a word longer than w is still cut).
	hyphens := strings.Contains(p, "-") && !strings.Contains(p, nbHyphen)
	if hyphens {
		p = strings.ReplaceAll(p, "-", nbHyphen)
	}
	out := lipgloss.NewStyle().Width(w).Render(p)
	if hyphens {
		out = strings.ReplaceAll(out, nbHyphen, "-")
	}
	return back(out)
}

// nbHyphen is U+2011 NON-BREAKING HYPHEN, which wrapLine puts in place of
// "-" while it wraps.
const nbHyphen = "\u2011"

// wrapIndented wraps one line like wrapLine, each continuation line
// starting with the line's own leading spaces, so that an indented item
// stays indented under itself when it runs on. A line indented by half
// the width or more wraps as wrapLine does.
func wrapIndented(s string, w int) string {
	rest := strings.TrimLeft(s, " ")
	ind := len(s) - len(rest)
	if ind == 0 || rest == "" || ind >= w/2 {
		return wrapLine(s, w)
	}
	lines := strings.Split(wrapLine(rest, w-ind), "\n")
	for i, l := range lines {
		lines[i] = strings.Repeat(" ", ind) + l
	}
	return strings.Join(lines, "\n")
}

// hintLines wraps a hint to w cells, each line indented by two and drawn
// in style: a hint that holds a command is wrapped, never cut.
func hintLines(style lipgloss.Style, s string, w int) string {
	lines := strings.Split(wrapLine(oneLine(s), max(8, w-2)), "\n")
	for i, l := range lines {
		lines[i] = "  " + style.Render(strings.TrimRight(l, " "))
	}
	return strings.Join(lines, "\n")
}

// inputView draws a one-line input in its width. A blurred input shows the
// start of its value, ending in "…" when it does not fit (textinput's own
// view shows a window of it, cut without a mark); a focused one is
// textinput's view, whose window follows the cursor, cut to the width in
// case textinput, which measures by code point, let a cluster run over.
func inputView(ti textinput.Model) string {
	w := ti.Width()
	if ti.Focused() || ti.Value() == "" || w <= 0 || ti.EchoMode != textinput.EchoNormal {
		v := ti.View()
		if w > 0 {
			v = trunc(v, ansi.StringWidth(ti.Prompt)+w+1) // +1: the cursor after the text
		}
		return v
	}
	st := ti.Styles().Blurred
	return st.Prompt.Render(ti.Prompt) + st.Text.Render(pad(ti.Value(), w))
}

// asciiLedRe matches the clusters that start with an ASCII character and
// are two cells wide: a keycap (1️⃣ is "1", U+FE0F, U+20E3) or one of its
// bases in emoji presentation. No other ASCII character has an emoji form,
// and none of these ends an escape sequence.
var asciiLedRe = regexp.MustCompile(`[0-9#*]\x{FE0F}\x{20E3}?`)

// protectClusters works around ansi.Truncate and ansi.Wrap (which
// lipgloss wraps with), which measure a cluster that starts with an ASCII
// byte as that byte alone: one cell where ansi.StringWidth counts two, so
// that a keycap is cut in half or the line comes out a cell too wide. It
// replaces each such cluster in s with a stand-in, one code point two
// cells wide that s does not hold, and returns the function that puts the
// clusters back into a cut or wrapped s.
func protectClusters(s string) (string, func(string) string) {
	keep := func(s string) string { return s }
	if !strings.Contains(s, "\uFE0F") {
		return s, keep
	}
	found := asciiLedRe.FindAllString(s, -1)
	if len(found) == 0 {
		return s, keep
	}
	stand := map[string]string{}
	var fwd, rev []string
	next := rune(0x20000) // CJK Extension B: letters, two cells wide
	for _, c := range found {
		if _, ok := stand[c]; ok {
			continue
		}
		for strings.ContainsRune(s, next) {
			next++
		}
		stand[c] = string(next)
		fwd = append(fwd, c, string(next))
		rev = append(rev, string(next), c)
		next++
	}
	return strings.NewReplacer(fwd...).Replace(s), strings.NewReplacer(rev...).Replace
}

// styled renders one line s in st. Lip Gloss draws underlined or
// struck-through text one code point at a time (to leave spaces out), with
// escape sequences between the code points of a cluster: 👩‍💻 comes out as
// 👩, U+200D and 💻, measured (and drawn by some terminals) as three
// glyphs. styled draws those two attributes around the whole of s instead,
// spaces between words included; trailing spaces (a cell's padding) get
// the rest of st only.
func styled(st lipgloss.Style, s string) string {
	u, x := st.GetUnderline(), st.GetStrikethrough()
	text := strings.TrimRight(s, " ")
	if !u && !x || text == "" {
		return st.Render(s)
	}
	var a ansi.Style
	if u {
		a = a.Underline(true)
	}
	if x {
		a = a.Strikethrough(true)
	}
	rest := st.Underline(false).Strikethrough(false)
	out := a.String() + rest.Render(text) + ansi.ResetStyle
	if tail := s[len(text):]; tail != "" {
		out += rest.Render(tail)
	}
	return out
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

// firstFit is the first of variants (longest first) that fits in w cells,
// else the last one cut to w: a hint says less rather than losing its end.
func firstFit(w int, variants ...string) string {
	for _, v := range variants {
		if ansi.StringWidth(v) <= w {
			return v
		}
	}
	return trunc(variants[len(variants)-1], w)
}

// plural is "1 version", "3 versions".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return itoa(n) + " " + noun + "s"
}
