package report

import (
	"bytes"
	"strings"
	"testing"

	"charm.land/glamour/v2"
	"github.com/charmbracelet/x/ansi"

	"whet/textutil"
)

// TestGlamourRenders renders the run and comparison documents the way the
// TUI previews them and checks that the tables survive as tables.
func TestGlamourRenders(t *testing.T) {
	docs := map[string]string{
		"run":     string(render(t, func(b *bytes.Buffer) error { return Markdown(b, fixture()) })),
		"compare": string(render(t, func(b *bytes.Buffer) error { return CompareMarkdown(b, fixtureComparison()) })),
	}
	for _, style := range []string{"notty", "dark"} {
		for _, width := range []int{80, 160} {
			r, err := glamour.NewTermRenderer(glamour.WithStandardStyle(style), glamour.WithWordWrap(width))
			if err != nil {
				t.Fatal(err)
			}
			for name, md := range docs {
				out, err := r.Render(md)
				if err != nil {
					t.Fatalf("%s, %s, width %d: %v", name, style, width, err)
				}
				plain := ansi.Strip(out)
				if strings.Contains(out, "\x1b]") || strings.Contains(plain, "\x1b") {
					t.Errorf("%s, %s: output holds an escape sequence Glamour did not make", name, style)
				}
				for _, want := range []string{tOpenAI, "Cases"} {
					if !strings.Contains(plain, want) {
						t.Errorf("%s, %s, width %d: rendered output lacks %q:\n%s", name, style, width, want, plain)
					}
				}
				if name == "run" && !strings.Contains(plain, tOllama) {
					t.Errorf("run, %s, width %d: rendered output lacks %q", style, width, tOllama)
				}
				// Table structure: a header rule and rows split by the
				// column separator.
				if !strings.Contains(plain, "---|---") && !strings.Contains(plain, "─┼─") {
					t.Errorf("%s, %s, width %d: no table rule in:\n%s", name, style, width, plain)
				}
				if width == 160 && name == "run" && !hasRow(plain, tOllama, tOpenAI) {
					t.Errorf("run, %s: no table row with both targets as columns:\n%s", style, plain)
				}
			}
		}
	}
}

// hasRow reports whether a line holds a then b split by a column separator.
func hasRow(s, a, b string) bool {
	for _, l := range strings.Split(s, "\n") {
		i, j := strings.Index(l, a), strings.Index(l, b)
		if i >= 0 && j > i && strings.ContainsAny(l[i:j], "|│") {
			return true
		}
	}
	return false
}

// TestGlamourTextIsLiteral renders mdText of every corpus string in a list
// item with Glamour, as the TUI previews a report, and checks that it reads
// as the text itself: Glamour undoes only some backslash escapes, so what
// it would show with a stray backslash is written as an entity.
func TestGlamourTextIsLiteral(t *testing.T) {
	r, err := glamour.NewTermRenderer(glamour.WithStandardStyle("notty"), glamour.WithWordWrap(0))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range corpus() {
		want := textutil.OneLine(s) // Glamour drops <br> and folds spaces
		if want == "" {
			continue
		}
		out, err := r.Render("- " + mdText(s) + "\n")
		if err != nil {
			t.Fatalf("mdText(%q): %v", s, err)
		}
		got := strings.Join(strings.Fields(strings.TrimPrefix(strings.TrimSpace(ansi.Strip(out)), "•")), " ")
		if got != want {
			t.Errorf("mdText(%q) = %q reads %q in Glamour, want %q", s, mdText(s), got, want)
		}
	}
}
