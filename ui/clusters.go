package ui

import (
	"strings"
	"sync/atomic"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Emoji sequences and terminals that do not cluster graphemes.
//
// whet lays text out by grapheme cluster (see text.go): a 👩‍💻, a 👍🏽, a ❤️
// or a 1️⃣ is one glyph, two cells wide. A terminal with Unicode core mode
// (DEC mode 2027: Ghostty, Windows Terminal, foot, Contour) or one that
// clusters anyway (kitty, iTerm2, WezTerm) draws them so. Most others
// (tmux, screen, GNOME Terminal and other VTE terminals, Alacritty, xterm,
// Apple's Terminal) draw ❤️, ⚠️ and 1️⃣ one cell wide and 👍🏽 four,
// and some 👩‍💻 four: each such glyph in a row moves the rest of it, a
// panel's border included, and the renderer's idea of the screen drifts
// from what is shown.
//
// On such a terminal, untrusted text (everything that goes through sanitize
// or oneLine) loses what only a clustering terminal draws at another width:
// variation selectors (U+FE0E, U+FE0F), skin-tone modifiers and
// zero-width joiners before an emoji. What is left (❤, ⚠, 1⃣, 👍, 👩💻) measures
// the same in the layout as on the terminal. Stored text, exports and the
// clipboard keep the original.
//
// Which terminal it is: at startup whet asks for mode 2027 and then for the
// primary device attributes, which every terminal answers, in order. A mode
// report that the terminal knows the mode (set or reset) means it clusters;
// an answer to the second with no such report before it means it does not,
// unless the environment names a terminal that clusters without saying so
// (terminalClusters). A terminal that answers neither keeps the layout as
// it is.

// splitClusters is set once the terminal is known not to cluster graphemes.
// It is read wherever text is sanitised, hence a package variable; the root
// model sets it once, from the terminal's answers.
var splitClusters atomic.Bool

// clusterProbe follows the terminal's answers about mode 2027.
type clusterProbe struct {
	decided bool
	// setReports counts the reports of mode 2027 as set, by the program
	// itself (graphemeWidths) or by the terminal, which cannot be told
	// apart: two or more mean the terminal sent one.
	setReports int
	knows      bool // the terminal reported the mode as set or reset
}

// report notes a tea.ModeReportMsg for mode 2027.
func (c *clusterProbe) report(v ansi.ModeSetting) {
	switch v {
	case ansi.ModeSet:
		c.setReports++
		if c.setReports > 1 {
			c.knows = true
		}
	case ansi.ModeReset, ansi.ModePermanentlySet:
		c.knows = true
	}
}

// answered decides, once, when the terminal answered the primary device
// attributes: whether its text must be split (see splitClusters). It
// reports whether that changed what is drawn.
func (c *clusterProbe) answered(envClusters bool) bool {
	if c.decided {
		return false
	}
	c.decided = true
	if c.knows || envClusters {
		return false
	}
	splitClusters.Store(true)
	return true
}

// clusterQuery asks the terminal for mode 2027; its answer precedes the
// answer to the primary device attributes asked after it.
const clusterQuery = ansi.RequestModeUnicodeCore

// terminalClusters reports whether the environment names a terminal that
// draws emoji sequences as one glyph without reporting mode 2027: kitty,
// iTerm2, WezTerm (and Ghostty, which also reports it), outside a
// multiplexer, which draws by its own rules whatever terminal it runs in.
func terminalClusters(getenv func(string) string) bool {
	term, prog := getenv("TERM"), getenv("TERM_PROGRAM")
	if getenv("TMUX") != "" || getenv("STY") != "" || getenv("ZELLIJ") != "" ||
		strings.HasPrefix(term, "screen") || strings.HasPrefix(term, "tmux") || prog == "tmux" {
		return false
	}
	switch prog {
	case "iTerm.app", "WezTerm", "ghostty":
		return true
	}
	if getenv("KITTY_WINDOW_ID") != "" {
		return true
	}
	for _, t := range []string{"kitty", "wezterm", "ghostty"} {
		if strings.Contains(term, t) {
			return true
		}
	}
	return false
}

// graphemeWidths switches Bubble Tea's renderer to grapheme-cluster widths,
// the measure every view is laid out with (see text.go), by handing the
// program the answer a terminal gives when it supports Unicode core mode
// (DEC mode 2027). Left alone, the renderer counts code points unless the
// terminal answers so: a 👩‍💻, 👍🏽, 🇫🇷 or 1️⃣ then takes more cells in its
// buffer than in the layout, and the row loses its last cells (a panel's
// right border) off the edge. The program also turns mode 2027 on, which
// terminals without it ignore, and off again on exit. On those, the text
// loses the sequences the two measures disagree on (unjoin).
func graphemeWidths() tea.Msg {
	return tea.ModeReportMsg{Mode: ansi.ModeUnicodeCore, Value: ansi.ModeSet}
}

// unjoin returns s as a terminal without grapheme clustering can draw it in
// the width the layout gives it, once splitClusters is set; s otherwise.
func unjoin(s string) string {
	if !splitClusters.Load() || !hasJoiners(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\uFE0E' || r == '\uFE0F':
			continue
		case r == '\u200D':
			if next, _ := utf8.DecodeRuneInString(s[i:]); pictographic(next) {
				continue
			}
		case r >= 0x1F3FB && r <= 0x1F3FF:
			// After an emoji it would join it; after anything else it
			// joins that (a space) and takes no cells of its own.
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// hasJoiners reports whether s may hold what unjoin drops: the lead bytes
// of U+200D and U+FE0E/F (0xE2 0x80 0x8D, 0xEF 0xB8) or of the skin-tone
// modifiers (0xF0 0x9F 0x8F).
func hasJoiners(s string) bool {
	return strings.Contains(s, "\u200D") || strings.Contains(s, "\xEF\xB8") || strings.Contains(s, "\xF0\x9F\x8F")
}

// pictographic reports whether r is in the blocks emoji come from: the
// arrows, technical and miscellaneous symbols and dingbats (U+2190–U+2BFF,
// where ♀, ❤, ✈ and ☝ are) and the planes' pictographs (U+1F000 on).
func pictographic(r rune) bool {
	return (r >= 0x2190 && r <= 0x2BFF) || (r >= 0x1F000 && r <= 0x1FAFF)
}
