package report

import (
	"bytes"
	"html"
	"io"
	"strings"
	"unicode/utf8"

	"whet/textutil"
)

// Thresholds for laying out untrusted text in Markdown.
const (
	// A case's outputs go side by side in a table when every one of them
	// has at most shortChars characters and shortLines lines.
	shortChars = 200
	shortLines = 4
	// A text longer than foldChars characters or foldLines lines is folded
	// into a <details> section.
	foldChars = 400
	foldLines = 8
	// A text longer than keepChars characters shows only its beginning: a
	// report is read in a pull request, where GitHub takes 65,536
	// characters in a comment and 1 MiB in a job summary; the JSON and CSV
	// exports keep every output whole.
	keepChars = 20000
)

// mdText renders untrusted text as one line of inline Markdown that reads as
// the literal text wherever it is put — a paragraph, a list item, a heading
// or a table cell — on GitHub and in Glamour: terminal controls are
// stripped, surrounding space is trimmed, newlines become <br>, HTML's <, >
// and & become entities, the characters that could start emphasis, code,
// links or a table column (\ ` * _ [ ] | #) are backslash-escaped, a leading
// list or heading marker is escaped, and $ (GitHub's math) and ~
// (strikethrough) become the entities &dollar; and &#126;, which every
// renderer shows as the character but none reads as syntax — Glamour undoes
// only some backslash escapes and would show "\$".
//
// URLs stay text, not links: the colon of "://" becomes &colon; and the dot
// of "www." is escaped. GFM's extended autolinks (cmark-gfm, which GitHub
// renders with) are matched on the raw source, escapes included, so a link
// such as "http://x.example/a_b#c" would otherwise show as
// "http://x.example/a\_b\#c"; a link from a model's output is not one to
// click on either.
func mdText(s string) string {
	s = strings.TrimSpace(textutil.Sanitize(s))
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i, c := range s {
		switch c {
		case '\n':
			b.WriteString(" <br>")
		case '\t':
			b.WriteByte(' ')
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\\', '`', '*', '_', '[', ']', '|', '#':
			b.WriteByte('\\')
			b.WriteRune(c)
		case '$':
			b.WriteString("&dollar;")
		case '~':
			b.WriteString("&#126;")
		case '-', '+':
			if i == 0 {
				b.WriteByte('\\')
			}
			b.WriteRune(c)
		case '=':
			if i == 0 {
				b.WriteString("&equals;")
			} else {
				b.WriteRune(c)
			}
		case '.', ')':
			// "1. x" or "1) x" at the start would begin an ordered list;
			// "www." would begin an autolink.
			if i > 0 && i <= 9 && isDigits(s[:i]) && (i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\t' || s[i+1] == '\n') ||
				c == '.' && i >= 3 && strings.EqualFold(s[i-3:i], "www") {
				b.WriteByte('\\')
			}
			b.WriteRune(c)
		case ':':
			// "http://" would begin an autolink.
			if strings.HasPrefix(s[i+1:], "//") {
				b.WriteString("&colon;")
			} else {
				b.WriteRune(c)
			}
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// mdCode renders untrusted text as an inline code span: controls stripped,
// newlines and tabs made spaces, a backtick fence longer than the longest
// backtick run inside, padded with a space where the content starts or ends
// with a backtick or a space (unless it is all spaces). In a table cell (inTable) pipes are escaped as
// \| — GFM unescapes them before the code span is read. Empty text gives "".
func mdCode(s string, inTable bool) string {
	s = textutil.Sanitize(s)
	s = strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
	if s == "" {
		return ""
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	// CommonMark strips one space from each end of a code span that starts
	// and ends with one, unless it is all spaces; pad so nothing is lost.
	if strings.Trim(s, " ") != "" && (s[0] == '`' || s[len(s)-1] == '`' || s[0] == ' ' || s[len(s)-1] == ' ') {
		s = " " + s + " "
	}
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	return fence + s + fence
}

// longestRun is the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

// htmlText renders untrusted text for an HTML element such as <summary>:
// controls stripped, one line, HTML-escaped.
func htmlText(s string) string {
	s = textutil.Sanitize(s)
	s = strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
	return html.EscapeString(strings.TrimSpace(s))
}

// mdWriter accumulates a Markdown document.
type mdWriter struct{ bytes.Buffer }

// writeTo writes the document to w in one write, ending in one newline.
func (m *mdWriter) writeTo(w io.Writer) error {
	b := append(bytes.TrimRight(m.Bytes(), "\n"), '\n')
	_, err := w.Write(b)
	return err
}

// line writes the parts and a newline.
func (m *mdWriter) line(parts ...string) {
	for _, p := range parts {
		m.WriteString(p)
	}
	m.WriteByte('\n')
}

// para writes a line followed by a blank line.
func (m *mdWriter) para(parts ...string) {
	m.line(parts...)
	m.WriteByte('\n')
}

// table writes a GFM table. Cells must already be escaped for a table cell
// (mdText, mdCode(…, true)); align holds 'l' or 'r' per column (missing
// means left). Every row is padded or cut to the header's width, and a blank
// line follows so that no later line continues the table.
func (m *mdWriter) table(header []string, align string, rows [][]string) {
	row := func(cells []string) {
		m.WriteString("|")
		for i := range header {
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			m.WriteString(" " + c + " |")
		}
		m.WriteByte('\n')
	}
	row(header)
	m.WriteString("|")
	for i := range header {
		if i < len(align) && align[i] == 'r' {
			m.WriteString(" ---: |")
		} else {
			m.WriteString(" --- |")
		}
	}
	m.WriteByte('\n')
	for _, r := range rows {
		row(r)
	}
	m.WriteByte('\n')
}

// fenced writes untrusted text as a fenced code block whose backtick fence is
// longer than any backtick run in the text, so no line can close it early.
// Controls are stripped; one trailing newline is dropped.
func (m *mdWriter) fenced(info, s string) {
	s = strings.TrimSuffix(textutil.Sanitize(s), "\n")
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	m.line(fence, info)
	if s != "" {
		m.line(s)
	}
	m.para(fence)
}

// block writes untrusted text as a fenced block, folded in a <details>
// section titled summary when it is long (more than foldChars characters or
// foldLines lines). A blank line follows <summary> so GitHub renders the
// Markdown inside.
func (m *mdWriter) block(summary, s string) {
	chars, lines := textStats(textutil.Sanitize(s))
	if chars <= foldChars && lines <= foldLines {
		m.fenced("text", s)
		return
	}
	m.para("<details><summary>", htmlText(summary), " (", plural(chars, "character", "characters"), ", ", plural(lines, "line", "lines"), ")</summary>")
	if chars > keepChars {
		m.fenced("text", headChars(textutil.Sanitize(s), keepChars))
		m.para("*… the first ", plural(keepChars, "character", "characters"), " of ", fmtInt(chars),
			"; the JSON and CSV exports hold the whole text.*")
	} else {
		m.fenced("text", s)
	}
	m.para("</details>")
}

// headChars is the first n characters of s, cut at the last line break
// within them when there is one.
func headChars(s string, n int) string {
	i := 0
	for k := range s {
		if i == n {
			s = s[:k]
			break
		}
		i++
	}
	if j := strings.LastIndexByte(s, '\n'); j > len(s)/2 {
		s = s[:j]
	}
	return s
}

// isShort reports whether text fits in a table cell.
func isShort(s string) bool {
	chars, lines := textStats(textutil.Sanitize(s))
	return chars <= shortChars && lines <= shortLines
}

// preview is the first n characters of text on one line, with "…" when cut.
func preview(s string, n int) string {
	s = strings.Join(strings.Fields(textutil.Sanitize(s)), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// MarkdownText renders untrusted text as one line of inline GitHub-flavoured
// Markdown that reads as the literal text in a paragraph, a list item, a
// heading or a table cell; see mdText. For Markdown written outside this
// package.
func MarkdownText(s string) string { return mdText(s) }

// MarkdownCode renders untrusted text as an inline code span, its pipes
// escaped when inTable; "" for empty text. See mdCode.
func MarkdownCode(s string, inTable bool) string { return mdCode(s, inTable) }
