// Package textutil holds small, pure helpers for untrusted text (model
// output, provider error messages) that whet draws in a terminal or writes
// into a report.
package textutil

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Sanitize makes untrusted text safe to draw in a terminal. It removes ANSI
// escape sequences (CSI, OSC — hyperlinks and window titles included — DCS,
// APC and the rest, via ansi.Strip), turns "\r\n" and a lone "\r" into "\n",
// and drops every remaining C0 control character except "\n" and "\t", DEL,
// the C1 controls U+0080–U+009F and the bidirectional embedding, override
// and isolate controls U+202A–U+202E and U+2066–U+2069, which reorder the
// text drawn after them and so can disguise it ("Trojan Source",
// CVE-2021-42574); the implicit marks U+200E, U+200F and U+061C are kept.
// Invalid UTF-8 is dropped. Printable text, including wide, combining and
// right-to-left characters, is kept unchanged. Sanitize is idempotent.
func Sanitize(s string) string {
	if clean(s) {
		return s
	}
	s = ansi.Strip(defuse(s))
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			// invalid byte: drop
		case r == '\r':
			b.WriteByte('\n')
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case IsControl(r):
			// drop
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// defuse drops the ESC of what a terminal parser would let swallow the
// text after it: a control string (OSC, DCS, SOS, PM, APC) that is never
// terminated, and an ESC before a control character or at the end. What
// follows stays as plain text, so output cannot hide its own tail; a
// complete sequence is left for ansi.Strip.
func defuse(s string) string {
	if !strings.Contains(s, "\x1b") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != 0x1b {
			b.WriteByte(s[i])
			continue
		}
		if i+1 >= len(s) || s[i+1] < 0x20 || s[i+1] == 0x7f {
			continue // a lone ESC: drop it, keep what follows
		}
		switch s[i+1] {
		case ']', 'P', 'X', '^', '_':
			if !terminated(s[i+2:], s[i+1] == ']') {
				i++ // drop ESC and the introducer; the rest is text
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// terminated reports whether a control string's body has its terminator
// before any other ESC (which ends the string in a terminal): ST (ESC \ or
// U+009C), or for an OSC also BEL.
func terminated(body string, osc bool) bool {
	region := body
	if e := strings.IndexByte(body, 0x1b); e >= 0 {
		if e+1 < len(body) && body[e+1] == '\\' {
			return true
		}
		region = body[:e]
	}
	return osc && strings.IndexByte(region, 0x07) >= 0 || strings.Contains(region, "\u009c")
}

// OneLine is Sanitize(s) with every run of whitespace, newlines included,
// folded to one space and none at either end: untrusted text for one line
// of a terminal, such as an error message quoted in a progress line.
func OneLine(s string) string {
	return strings.Join(strings.Fields(Sanitize(s)), " ")
}

// clean reports whether s is valid UTF-8 holding no control character other
// than "\n" and "\t": the common case, which Sanitize returns as is.
func clean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
			return false
		}
		if c >= 0x80 {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 || IsControl(r) {
				return false
			}
			i += size - 1
		}
	}
	return true
}

// IsControl reports whether r is a C0 control ("\n" and "\t" included), DEL,
// a C1 control or a bidirectional embedding, override or isolate control:
// the characters Sanitize removes, "\n" and "\t" apart.
func IsControl(r rune) bool {
	return r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || isBidiControl(r)
}

// isBidiControl reports whether r is one of the explicit directional
// formatting characters of Unicode's bidirectional algorithm (UAX #9):
// LRE, RLE, PDF, LRO, RLO (U+202A–U+202E) and LRI, RLI, FSI, PDI
// (U+2066–U+2069).
func isBidiControl(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// EscapeControls rewrites every DEL, C1 and bidirectional control (see
// IsControl) in JSON-encoded text as a \u escape; encoding/json already
// escapes the C0 controls. Such characters can only occur inside strings,
// where the escape decodes to the same character, so the JSON still holds
// the text exactly and nothing in it acts on a terminal when printed. YAML
// double-quoted scalars read the same escapes.
func EscapeControls(js []byte) []byte {
	var out []byte // nil until the first rewrite
	done := 0      // js[:done] is in out
	for i := 0; i < len(js); {
		r, size := rune(js[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(js[i:])
		}
		if r >= 0x7f && IsControl(r) {
			out = fmt.Appendf(append(out, js[done:i]...), `\u%04x`, r)
			done = i + size
		}
		i += size
	}
	if out == nil {
		return js
	}
	return append(out, js[done:]...)
}

// HumanBytes renders a byte count in decimal units with one decimal, as
// `ollama list` sizes models: "2.0 GB", "397.8 MB"; "" for 0 or less.
func HumanBytes(n int64) string {
	if n <= 0 {
		return ""
	}
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}

// maxHeld bounds what StreamPrefix holds back: a control string that is
// never terminated does not hold the rest of the text for ever (Sanitize
// then shows its tail as text, as it does at the end of an output).
const maxHeld = 64 << 10

// StreamPrefix is the length of the longest prefix of s, text that is
// still arriving, that Sanitize cleans as it will once the rest arrives:
// s without a trailing escape sequence or control string still open (its
// end may be in the next piece), a trailing "\r" (the next piece may start
// with "\n") or an incomplete UTF-8 sequence. What is held back is at most
// maxHeld bytes. A caller that sanitises a stream piece by piece keeps
// s[StreamPrefix(s):] and puts it before the next piece; cleaning each
// piece on its own would show the halves of a split sequence as text and
// a split "\r\n" as two line breaks.
func StreamPrefix(s string) int {
	const (
		ground = iota
		esc    // after ESC
		inter  // ESC and intermediate bytes
		csi    // control sequence
		str    // OSC, DCS, SOS, PM or APC body
		strEsc // ESC inside a control string
	)
	state, start, osc := ground, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch state {
		case ground:
			switch {
			case c == 0x1b && i+1 < len(s) && (s[i+1] < 0x20 || s[i+1] == 0x7f):
				// Sanitize drops an ESC before a control character.
			case c == 0x1b:
				state, start = esc, i
			case c == 0x9b:
				// A C1 control as a raw byte, which the terminal parser
				// reads as one (as UTF-8, U+009B is only dropped).
				state, start = csi, i
			case c == 0x9d || c == 0x90 || c == 0x98 || c == 0x9e || c == 0x9f:
				state, start, osc = str, i, c == 0x9d
			case c >= 0xc0:
				if _, size := utf8.DecodeRuneInString(s[i:]); size > 1 {
					i += size - 1
				}
			}
			continue
		case esc, inter, csi:
			// In a sequence a C0 control is obeyed and the sequence goes
			// on, CAN and SUB cancel it, ESC starts another, DEL is
			// ignored: as a terminal's parser does.
			switch {
			case c == 0x18 || c == 0x1a:
				state = ground
				continue
			case c == 0x1b && (i+1 == len(s) || s[i+1] < 0x20 || s[i+1] == 0x7f):
				// Dropped by Sanitize before a control; at the end, what
				// follows it is not known yet.
				continue
			case c == 0x1b:
				state, start = esc, i
				continue
			case c < 0x20 || c == 0x7f:
				continue
			}
		}
		switch state {
		case esc:
			switch {
			case c == '[':
				state = csi
			case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
				state, osc = str, c == ']'
			case c >= 0x20 && c <= 0x2f:
				state = inter
			case c >= 0x30 && c <= 0x7e:
				state = ground
			default:
				state = ground
				i-- // not a sequence: read c again
			}
		case inter:
			switch {
			case c >= 0x20 && c <= 0x2f:
			case c >= 0x30 && c <= 0x7e:
				state = ground
			default:
				state = ground
				i--
			}
		case csi:
			switch {
			case c >= 0x20 && c <= 0x3f:
			case c >= 0x40 && c <= 0x7e:
				state = ground
			default:
				state = ground
				i--
			}
		case str:
			switch {
			case c == 0x07 && osc:
				state = ground
			case c == 0x1b:
				state = strEsc
			case c == 0x9c:
				state = ground
			case c == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c:
				state = ground
				i++
			}
		case strEsc:
			if c == '\\' {
				state = ground
			} else {
				// An ESC ends the string and starts a sequence of its own.
				state, start = esc, i-1
				i--
			}
		}
	}
	n := len(s)
	switch {
	case state != ground:
		n = start
	case strings.HasSuffix(s, "\r"):
		n--
	}
	// An incomplete rune at the end.
	if k := lastRuneStart(s[:n]); k >= 0 && !utf8.FullRuneInString(s[k:n]) {
		n = k
	}
	if len(s)-n > maxHeld {
		return len(s)
	}
	return n
}

// lastRuneStart is the index of the last byte of s that can start a rune
// within the last utf8.UTFMax bytes, or -1.
func lastRuneStart(s string) int {
	for i := len(s) - 1; i >= 0 && i >= len(s)-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			return i
		}
	}
	return -1
}
