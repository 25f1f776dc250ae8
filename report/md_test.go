package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html"
	"math/rand/v2"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	ghtml "github.com/yuin/goldmark/renderer/html"

	"whet/prompt"
	"whet/textutil"
)

// nasty are the pieces random test strings are made of: everything that
// means something to Markdown, HTML, GFM tables or a terminal.
var nasty = []string{
	"|", `\`, `\|`, "`", "```", "````", "*", "**", "_", "[", "](", ")", "]", "!", "<", ">", "&", "&amp;", "&#124;",
	"#", "## ", "$", "$$", "~", "~~", "-", "- ", "+ ", "=", "===", "---", "1.", "2) ", "10. ", ":", "\"",
	" ", "  ", "    ", "\n", "\n\n", "\t", "\r\n", "\x1b[31m", "\x1b]8;;http://x\x1b\\", "\a", "\x00",
	"<br>", "<script>", "</td>", "<details>", "</details>", "<!--", "a", "b", "word", "é", "日本", "🙂",
}

// randomText builds a deterministic pseudo-random nasty string.
func randomText(rng *rand.Rand) string {
	var b strings.Builder
	for range 1 + rng.IntN(14) {
		b.WriteString(nasty[rng.IntN(len(nasty))])
	}
	return b.String()
}

// corpus is a fixed list of troublesome strings plus random ones.
func corpus() []string {
	out := []string{
		"plain", "a | b", "a \\| b", "x\\", "\\", "`code`", "``` fenced ```", "*em* _em_ **strong**",
		"[link](http://evil.example)", "![img](x.png)", "<script>alert(1)</script>", "&lt; &amp; &#x1b;",
		"# heading", "- item", "+ item", "1. first", "2) second", "10. tenth", "3.14 is pi", "> quote",
		"---", "===", "***", "line one\nline two", "trailing\n", "  indented", "    code?", "$x$ and $$y$$",
		"~~strike~~", "a\x1b[31mred\x1b[0m", "tab\there", "pipe at end |", "| pipe at start", "`", "``", " ` ",
		"<br>", "</td></tr></table>", "<!-- comment -->", "http://example.com", "emoji :smile:",
		"see www.example.com/a_b#c", "HTTPS://x.example/a_b~c*d", "(ftp://f.example/x_y)", "WWW.x.example", "a://b",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 400 {
		out = append(out, randomText(rng))
	}
	return out
}

// toHTML renders Markdown as GitHub would, near enough: CommonMark with GFM
// tables, strikethrough and autolinks, raw HTML passed through.
func toHTML(t *testing.T, md string) string {
	t.Helper()
	var b bytes.Buffer
	gm := goldmark.New(
		goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify),
		goldmark.WithRendererOptions(ghtml.WithUnsafe()),
	)
	if err := gm.Convert([]byte(md), &b); err != nil {
		t.Fatalf("goldmark: %v", err)
	}
	return b.String()
}

// plainOf is what mdText promises to show for s: sanitised, trimmed, tabs
// as spaces, newlines as line breaks (rendered " <br>").
func plainOf(s string) string {
	s = strings.TrimSpace(textutil.Sanitize(s))
	s = strings.ReplaceAll(s, "\t", " ")
	return strings.ReplaceAll(s, "\n", " <br>")
}

// textOf undoes HTML escaping of rendered inline content, keeping <br>.
func textOf(h string) string { return html.UnescapeString(h) }

var (
	tdRe = regexp.MustCompile(`(?s)<td>(.*?)</td>`)
	liRe = regexp.MustCompile(`(?s)<li>(.*?)</li>`)
	h3Re = regexp.MustCompile(`(?s)<h3>(.*?)</h3>`)
)

// TestMDTextIsLiteral renders mdText of every corpus string in a table
// cell, a list item and a heading, and checks that the rendered text is
// exactly the input's text: no markup, no extra cells, no injected HTML.
func TestMDTextIsLiteral(t *testing.T) {
	for _, s := range corpus() {
		want := plainOf(s)
		esc := mdText(s)
		if strings.Contains(esc, "\n") {
			t.Fatalf("mdText(%q) = %q spans lines", s, esc)
		}
		contexts := []struct {
			name string
			md   string
			re   *regexp.Regexp
		}{
			{"table cell", "| h | x |\n| --- | --- |\n| " + esc + " | end |\n", tdRe},
			{"list item", "- " + esc + "\n", liRe},
			{"heading", "### " + esc + "\n", h3Re},
		}
		for _, c := range contexts {
			if want == "" && c.name != "table cell" {
				continue
			}
			out := toHTML(t, c.md)
			m := c.re.FindAllStringSubmatch(out, -1)
			wantN := 1
			if c.name == "table cell" {
				wantN = 2
			}
			if len(m) != wantN {
				t.Errorf("%s: mdText(%q) = %q renders %d elements, want %d:\n%s", c.name, s, esc, len(m), wantN, out)
				continue
			}
			got := m[0][1]
			if strings.Contains(strings.ReplaceAll(got, "<br>", ""), "<") {
				t.Errorf("%s: mdText(%q) = %q renders markup: %s", c.name, s, esc, got)
				continue
			}
			if textOf(got) != want {
				t.Errorf("%s: mdText(%q) = %q renders %q, want %q", c.name, s, esc, textOf(got), want)
			}
			if c.name == "table cell" && m[1][1] != "end" {
				t.Errorf("table cell: mdText(%q) = %q broke the next cell: %q", s, esc, m[1][1])
			}
		}
	}
}

var codeRe = regexp.MustCompile(`(?s)<code>(.*?)</code>`)

// TestMDCodeIsLiteral checks code spans, in and out of tables, show exactly
// the sanitised text with newlines as spaces.
func TestMDCodeIsLiteral(t *testing.T) {
	for _, s := range corpus() {
		want := strings.NewReplacer("\n", " ", "\t", " ").Replace(textutil.Sanitize(s))
		if want == "" {
			if mdCode(s, true) != "" {
				t.Errorf("mdCode(%q) of empty text = %q, want \"\"", s, mdCode(s, true))
			}
			continue
		}
		for _, inTable := range []bool{true, false} {
			code := mdCode(s, inTable)
			md := "x " + code + " y\n"
			if inTable {
				md = "| h | x |\n| --- | --- |\n| " + code + " | end |\n"
			}
			out := toHTML(t, md)
			m := codeRe.FindAllStringSubmatch(out, -1)
			if len(m) != 1 {
				t.Errorf("mdCode(%q, %v) = %q renders %d code spans:\n%s", s, inTable, code, len(m), out)
				continue
			}
			if got := html.UnescapeString(m[0][1]); got != want {
				t.Errorf("mdCode(%q, %v) = %q shows %q, want %q", s, inTable, code, got, want)
			}
			if inTable && len(tdRe.FindAllString(out, -1)) != 2 {
				t.Errorf("mdCode(%q, true) = %q broke the table:\n%s", s, code, out)
			}
		}
	}
}

var preRe = regexp.MustCompile(`(?s)<pre><code class="language-(\w+)">(.*?)</code></pre>`)

// TestFencedIsLiteral checks a fenced block shows exactly the sanitised
// text, whatever backtick runs it holds, and that text after it is not
// swallowed.
func TestFencedIsLiteral(t *testing.T) {
	for _, s := range corpus() {
		var m mdWriter
		m.fenced("text", s)
		m.para("after")
		out := toHTML(t, m.String())
		pre := preRe.FindAllStringSubmatch(out, -1)
		if len(pre) != 1 {
			t.Errorf("fenced(%q) renders %d blocks:\n%s\nfrom\n%s", s, len(pre), out, m.String())
			continue
		}
		want := strings.TrimSuffix(textutil.Sanitize(s), "\n")
		if want != "" {
			want += "\n"
		}
		if got := html.UnescapeString(pre[0][2]); got != want {
			t.Errorf("fenced(%q) shows %q, want %q", s, got, want)
		}
		if !strings.HasSuffix(strings.TrimSpace(out), "<p>after</p>") {
			t.Errorf("fenced(%q) swallowed what follows:\n%s", s, out)
		}
	}
}

func TestMDTextExamples(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a | b", `a \| b`},
		{"x\ny", "x <br>y"},
		{"<script>", "&lt;script&gt;"},
		{"a & b", "a &amp; b"},
		{"`x`", "\\`x\\`"},
		{"# h", `\# h`},
		{"- item", `\- item`},
		{"1. one", `1\. one`},
		{"3.14", "3.14"},
		{"costs $5", "costs &dollar;5"},
		{"~5 min", "&#126;5 min"},
		{"== x", "&equals;= x"},
		{"  padded\n", "padded"},
		{"red\x1b[31m!", "red!"},
		// URLs are not autolinked: cmark-gfm would keep the escapes
		// inside the link, showing "a\_b"; Glamour would show "\:".
		{"http://x.example/a_b", `http&colon;//x.example/a\_b`},
		{"www.x.example", `www\.x.example`},
	}
	for _, tt := range tests {
		if got := mdText(tt.in); got != tt.want {
			t.Errorf("mdText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMDCodeFence(t *testing.T) {
	tests := []struct {
		in      string
		inTable bool
		want    string
	}{
		{"abc", false, "`abc`"},
		{"a`b", false, "``a`b``"},
		{"``x", false, "``` ``x ```"},
		{"a|b", true, "`a\\|b`"},
		{"a|b", false, "`a|b`"},
		{" x ", false, "`  x  `"},
		{"a\nb", false, "`a b`"},
		{"", false, ""},
	}
	for _, tt := range tests {
		if got := mdCode(tt.in, tt.inTable); got != tt.want {
			t.Errorf("mdCode(%q, %v) = %q, want %q", tt.in, tt.inTable, got, tt.want)
		}
	}
}

// splitRow splits a GFM table row on unescaped pipes (a pipe preceded by a
// backslash is escaped, as in cmark-gfm and goldmark) and drops the outer
// empty cells. It reports whether the row starts and ends with a pipe.
func splitRow(line string) (cells []string, closed bool) {
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		if line[i] == '|' && (i == 0 || line[i-1] != '\\') {
			cells = append(cells, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(line[i])
	}
	cells = append(cells, cur.String())
	closed = len(cells) >= 2 && strings.TrimSpace(cells[0]) == "" && strings.TrimSpace(cells[len(cells)-1]) == ""
	if closed {
		cells = cells[1 : len(cells)-1]
	}
	return cells, closed
}

var (
	delimRe = regexp.MustCompile(`^\|( *:?-+:? *\|)+$`)
	fenceRe = regexp.MustCompile("^ {0,3}(`{3,})(.*)$")
	tagRe   = regexp.MustCompile(`<(/?[A-Za-z][A-Za-z0-9]*)[\s>/]`)
)

// checkMarkdown checks the structure of a generated document: fenced blocks
// balanced, every table row as wide as its header, no line outside a fence
// or table that starts with a pipe, <details> balanced with a blank line
// after each <summary>, no control character anywhere, and, rendered,
// no HTML element Markdown itself would not make (so none was injected).
func checkMarkdown(t *testing.T, name, md string) {
	t.Helper()
	for i, r := range md {
		if r != '\n' && textutil.Sanitize(string(r)) != string(r) {
			t.Errorf("%s: control character %U at byte %d", name, r, i)
		}
	}
	lines := strings.Split(md, "\n")
	fence := 0 // length of the open fence; 0 outside
	openedAt := 0
	details := 0
	tables := 0
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if fence > 0 {
			if m := fenceRe.FindStringSubmatch(l); m != nil && len(m[1]) >= fence && strings.TrimSpace(m[2]) == "" {
				fence = 0
			}
			continue
		}
		if m := fenceRe.FindStringSubmatch(l); m != nil {
			if strings.Contains(m[2], "`") {
				t.Errorf("%s:%d: fence info string holds a backtick: %q", name, i+1, l)
			}
			fence, openedAt = len(m[1]), i+1
			continue
		}
		if strings.HasPrefix(l, "<details>") {
			details++
			if !strings.HasSuffix(l, "</summary>") || i+1 >= len(lines) || lines[i+1] != "" {
				t.Errorf("%s:%d: <details><summary>…</summary> must be one line followed by a blank line", name, i+1)
			}
		}
		if l == "</details>" {
			details--
			if details < 0 {
				t.Errorf("%s:%d: </details> without <details>", name, i+1)
			}
		}
		if !strings.HasPrefix(l, "|") {
			continue
		}
		// A table: header, delimiter, rows up to a blank line.
		if i+1 >= len(lines) || !delimRe.MatchString(lines[i+1]) {
			t.Errorf("%s:%d: a line starts with a pipe outside a table: %q", name, i+1, l)
			continue
		}
		tables++
		header, closed := splitRow(l)
		if !closed {
			t.Errorf("%s:%d: table header not closed by pipes: %q", name, i+1, l)
		}
		if delim, _ := splitRow(lines[i+1]); len(delim) != len(header) {
			t.Errorf("%s:%d: delimiter row has %d cells, header %d", name, i+2, len(delim), len(header))
		}
		j := i + 2
		for ; j < len(lines) && lines[j] != ""; j++ {
			cells, closed := splitRow(lines[j])
			if !closed || len(cells) != len(header) {
				t.Errorf("%s:%d: table row has %d cells (closed %v), header has %d: %q", name, j+1, len(cells), closed, len(header), lines[j])
			}
		}
		i = j
	}
	if fence > 0 {
		t.Errorf("%s: fenced block opened at line %d is never closed", name, openedAt)
	}
	if details != 0 {
		t.Errorf("%s: %d <details> left open", name, details)
	}
	if tables == 0 {
		t.Errorf("%s: no table found", name)
	}
	for _, tag := range tagRe.FindAllStringSubmatch(toHTML(t, md), -1) {
		switch strings.TrimPrefix(tag[1], "/") {
		case "p", "h1", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "table", "thead", "tbody", "tr", "th", "td",
			"pre", "code", "strong", "em", "br", "details", "summary":
		default:
			t.Errorf("%s: rendered HTML holds an injected <%s>", name, tag[1])
		}
	}
}

func TestMarkdownStructure(t *testing.T) {
	r := fixture()
	run := string(render(t, func(b *bytes.Buffer) error { return Markdown(b, r) }))
	checkMarkdown(t, "run.md", run)
	cmp := string(render(t, func(b *bytes.Buffer) error { return CompareMarkdown(b, fixtureComparison()) }))
	checkMarkdown(t, "compare.md", cmp)

	for _, md := range []string{run, cmp} {
		// Untrusted HTML is shown, never run.
		h := toHTML(t, md)
		if strings.Contains(h, "<script") || strings.Contains(h, "<b>") || strings.Contains(h, "<i>") || strings.Contains(h, "<html>") {
			t.Errorf("rendered Markdown holds injected HTML:\n%s", h)
		}
	}
	// The superseded result is not shown; the re-run is.
	if strings.Contains(run, "stale output") {
		t.Error("run.md shows a superseded result")
	}
	// The long output is folded, whole and intact.
	if !strings.Contains(run, "<details><summary>openai:gpt-4o-mini output (") || !strings.Contains(run, "\n````\nnot a fence close\n````\n</details>\n## not a heading\n") {
		t.Error("run.md does not fold the long output intact")
	}
}

// TestMarkdownStructureRandom renders runs whose every output, error, name
// and variable is random nasty text and checks the document's structure.
func TestMarkdownStructureRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 40 {
		r := fixture()
		r.Run.ID = randomText(rng)
		r.Run.Note = randomText(rng)
		r.Run.Cases[0].Name = randomText(rng)
		r.Run.Cases[0].Vars[randomText(rng)] = randomText(rng)
		r.Run.Cases[1].Expected = strings.Repeat(randomText(rng), 1+rng.IntN(60))
		for j := range r.Results {
			out := randomText(rng)
			if rng.IntN(4) == 0 {
				out = strings.Repeat(out, 1+rng.IntN(80))
			}
			r.Results[j].Output = out
			if rng.IntN(5) == 0 {
				r.Results[j].Error = randomText(rng)
			}
		}
		for j := range r.Scores {
			r.Scores[j].Scorer = randomText(rng)
			r.Scores[j].Reason = randomText(rng)
		}
		name := fmt.Sprintf("random %d", i)
		checkMarkdown(t, name, string(render(t, func(b *bytes.Buffer) error { return Markdown(b, r) })))
		a, b := SideOf(r, 11, tOpenAI), SideOf(r, 12, tOpenAI)
		c := Compare(a, b, r.Run.Cases, randomText(rng), r.Generated)
		checkMarkdown(t, name+" compare", string(render(t, func(b *bytes.Buffer) error { return CompareMarkdown(b, c) })))
	}
}

func TestLongOutputIsCut(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 3*keepChars; i++ {
		fmt.Fprintf(&b, "line %d of a long answer\n", i)
	}
	long := b.String()
	var m mdWriter
	m.block("out", long)
	var out strings.Builder
	if err := m.writeTo(&out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if len(got) > keepChars+500 || !strings.Contains(got, "the JSON and CSV exports hold the whole text") {
		t.Fatalf("a %d-character output gave %d characters of Markdown:\n%s", len(long), len(got), got[len(got)-300:])
	}
	// Cut at a line break, inside a closed fence and a closed <details>.
	if !strings.Contains(got, "of a long answer\n```") || !strings.HasSuffix(strings.TrimSpace(got), "</details>") {
		t.Errorf("the cut output is not closed cleanly:\n%s", got[len(got)-300:])
	}
	// Short texts are whole.
	m = mdWriter{}
	m.block("out", "short")
	out.Reset()
	m.writeTo(&out)
	if strings.Contains(out.String(), "exports hold") {
		t.Error("a short output was cut")
	}
}

// cmarkGFM runs cmark-gfm, the renderer GitHub uses, with GitHub's
// extensions and raw HTML kept, on md; args pick the output. It skips the
// test when cmark-gfm is not installed (.ci/run installs it).
func cmarkGFM(t *testing.T, md string, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("cmark-gfm")
	if err != nil {
		t.Skip("cmark-gfm is not installed")
	}
	cmd := exec.Command(bin, append([]string{"-e", "table", "-e", "strikethrough", "-e", "autolink", "--unsafe"}, args...)...)
	cmd.Stdin = strings.NewReader(md)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cmark-gfm: %v", err)
	}
	return string(out)
}

// cmNode is a node of cmark-gfm's XML output.
type cmNode struct {
	XMLName xml.Name
	Pos     string   `xml:"sourcepos,attr"`
	Text    string   `xml:",chardata"`
	Nodes   []cmNode `xml:",any"`
}

// span parses a sourcepos "l1:c1-l2:c2".
func (n cmNode) span() (line, from, to int, ok bool) {
	var l2 int
	_, err := fmt.Sscanf(n.Pos, "%d:%d-%d:%d", &line, &from, &l2, &to)
	return line, from, to, err == nil
}

var ownHTML = regexp.MustCompile(`^(<br>|</details>\n?|<details><summary>[^<>]*</summary>\n?)$`)

// checkCmark parses a generated document as GitHub does and checks what
// goldmark cannot vouch for: the only raw HTML is whet's own (<br>,
// <details>, <summary>), nothing became a link, and every table row has
// exactly the header's cells — cmark-gfm silently drops extra cells and
// pads missing ones, so the last cell must end at the row's closing pipe.
func checkCmark(t *testing.T, name, md string) {
	t.Helper()
	var doc cmNode
	if err := xml.Unmarshal([]byte(cmarkGFM(t, md, "--sourcepos", "-t", "xml")), &doc); err != nil {
		t.Fatalf("%s: cmark-gfm XML: %v", name, err)
	}
	var walk func(n cmNode)
	walk = func(n cmNode) {
		switch n.XMLName.Local {
		case "html_block", "html_inline":
			if !ownHTML.MatchString(n.Text) {
				t.Errorf("%s: GitHub reads raw HTML %q", name, n.Text)
			}
		case "link", "image":
			t.Errorf("%s: GitHub makes a link of line %s", name, n.Pos)
		case "table":
			width := len(n.Nodes[0].Nodes)
			for _, row := range n.Nodes {
				line, _, end, _ := row.span()
				last := row.Nodes[len(row.Nodes)-1]
				_, _, lastEnd, ok := last.span()
				if len(row.Nodes) != width || !ok || lastEnd != end-1 {
					t.Errorf("%s:%d: GitHub reads this table row with other cells than its header's %d", name, line, width)
				}
			}
		}
		for _, c := range n.Nodes {
			walk(c)
		}
	}
	walk(doc)
}

// TestMarkdownOnGitHub checks the documents, and mdText in a table cell,
// with cmark-gfm: goldmark, which the other tests use, differs from it in
// places (GitHub's autolinks keep backslash escapes, for one).
func TestMarkdownOnGitHub(t *testing.T) {
	checkCmark(t, "run.md", string(render(t, func(b *bytes.Buffer) error { return Markdown(b, fixture()) })))
	checkCmark(t, "compare.md", string(render(t, func(b *bytes.Buffer) error { return CompareMarkdown(b, fixtureComparison()) })))
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 20 {
		r := fixture()
		r.Run.Note = randomText(rng)
		r.Run.Cases[0].Name = randomText(rng)
		r.Run.Cases[0].Vars[randomText(rng)] = randomText(rng)
		for j := range r.Results {
			r.Results[j].Output = randomText(rng)
			r.Results[j].Error = randomText(rng)
		}
		checkCmark(t, fmt.Sprintf("random %d", i), string(render(t, func(b *bytes.Buffer) error { return Markdown(b, r) })))
	}

	texts := corpus()
	var md strings.Builder
	md.WriteString("| h | x |\n| --- | --- |\n")
	for _, s := range texts {
		md.WriteString("| " + mdText(s) + " | end |\n")
	}
	rows := regexp.MustCompile(`(?s)<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*</tr>`).FindAllStringSubmatch(cmarkGFM(t, md.String()), -1)
	if len(rows) != len(texts) {
		t.Fatalf("GitHub reads %d rows of %d", len(rows), len(texts))
	}
	for i, s := range texts {
		got := strings.ReplaceAll(rows[i][1], "<br />", "<br>")
		if strings.Contains(strings.ReplaceAll(got, "<br>", ""), "<") || textOf(got) != plainOf(s) || rows[i][2] != "end" {
			t.Errorf("mdText(%q) = %q reads %q on GitHub, want %q", s, mdText(s), textOf(got), plainOf(s))
		}
	}
}

// An output of white space alone is not called empty in a table cell.
func TestOutputCellWhiteSpaceOnly(t *testing.T) {
	for out, want := range map[string]string{"": "*(empty output)*", " \n\t\n": "*(white space only)*", "ok": "ok"} {
		if got := outputCell(prompt.Result{Output: out}); got != want {
			t.Errorf("outputCell(%q) = %q, want %q", out, got, want)
		}
	}
}
