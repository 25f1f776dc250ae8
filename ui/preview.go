package ui

import (
	"fmt"
	"regexp"
	"strings"

	"charm.land/glamour/v2"
	gstyles "charm.land/glamour/v2/styles"
	"charm.land/lipgloss/v2"

	"whet/prompt"
)

// versionMarkdown is a version's messages as Markdown for the preview: one
// "### role" heading per message. The text is sanitised first.
func versionMarkdown(msgs []prompt.Message) string {
	var b strings.Builder
	for i, m := range msgs {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString("### " + sanitize(m.Role) + "\n\n")
		b.WriteString(escapeHTML(sanitize(m.Content)))
	}
	return b.String()
}

// escapeHTML backslash-escapes "<" outside code, so that the XML-style tags
// prompts often use (<ticket>…</ticket>) show as written instead of being
// taken for HTML, which Markdown renderers drop.
func escapeHTML(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	lines := strings.Split(s, "\n")
	fence := ""
	for i, l := range lines {
		t := strings.TrimLeft(l, " ")
		if fence != "" {
			if strings.HasPrefix(t, fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fence = t[:3]
			continue
		}
		if strings.HasPrefix(l, "    ") || strings.HasPrefix(l, "\t") {
			continue // an indented code block
		}
		var b strings.Builder
		inCode := false
		for _, r := range l {
			switch {
			case r == '`':
				inCode = !inCode
			case r == '<' && !inCode:
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		lines[i] = b.String()
	}
	return strings.Join(lines, "\n")
}

// sgrRe matches one SGR escape sequence.
var sgrRe = regexp.MustCompile("\x1b\\[[0-9;:]*m")

// renderMarkdown renders md with the glamour style named style, wrapped to
// width, with every {{variable}} drawn in varStyle. Line breaks are kept as
// written: in a prompt they are part of the text the model reads. It is pure and may run in
// a command. Variables are swapped for same-width alphanumeric tokens before
// rendering (so Markdown cannot split or restyle them) and swapped back
// after, restoring the surrounding text style. Tabs become four spaces
// first, as lipgloss draws them: glamour measures a tab as no cells, so a
// line holding one would be wrapped too late and overflow its panel.
func renderMarkdown(md, style string, width int, varStyle lipgloss.Style) (string, error) {
	if width < 10 {
		width = 10
	}
	md = strings.ReplaceAll(md, "\t", "    ")
	cfg, ok := gstyles.DefaultStyles[style]
	if !ok {
		return "", fmt.Errorf("glamour style %q not found", style)
	}
	c := *cfg
	zero := uint(0)
	c.Document.Margin = &zero
	c.Document.BlockPrefix = ""
	c.Document.BlockSuffix = ""

	var originals []string
	tokenized := varRe.ReplaceAllStringFunc(md, func(v string) string {
		tok := fmt.Sprintf("zqv%dq", len(originals))
		if len(tok) > len(v) {
			return v // too many variables to keep widths; leave it plain
		}
		originals = append(originals, v)
		return tok + strings.Repeat("z", len(v)-len(tok))
	})
	r, err := glamour.NewTermRenderer(glamour.WithStyles(c), glamour.WithWordWrap(width), glamour.WithPreservedNewLines())
	if err != nil {
		return "", err
	}
	tokenized, back := protectClusters(tokenized)
	out, err := r.Render(tokenized)
	if err != nil {
		return "", err
	}
	out = back(out)
	for i := len(originals) - 1; i >= 0; i-- {
		tok := fmt.Sprintf("zqv%dq", i)
		tok += strings.Repeat("z", len(originals[i])-len(tok))
		for {
			at := strings.Index(out, tok)
			if at < 0 {
				break
			}
			// Re-open whatever style was active before the token.
			restore := ""
			if locs := sgrRe.FindAllStringIndex(out[:at], -1); len(locs) > 0 {
				last := locs[len(locs)-1]
				restore = out[last[0]:last[1]]
			}
			out = out[:at] + varStyle.Render(originals[i]) + restore + out[at+len(tok):]
		}
	}
	return strings.Trim(trimLines(out), "\n"), nil
}

// trimLines drops trailing blanks (glamour pads every line to the wrap
// width) so the text sits in narrower panels cleanly.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(stripTrailingBlankSGR(l), " ")
	}
	return strings.Join(lines, "\n")
}

// blankTailRe matches a run of styled spaces at the end of a line.
var blankTailRe = regexp.MustCompile("(?:(?:\x1b\\[[0-9;:]*m)*[ ]*(?:\x1b\\[[0-9;:]*m)*)*$")

func stripTrailingBlankSGR(l string) string {
	loc := blankTailRe.FindStringIndex(l)
	if loc == nil || loc[0] == len(l) {
		return l
	}
	return l[:loc[0]] + "\x1b[m"
}
