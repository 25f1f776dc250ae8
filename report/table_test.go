package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestTableFitsWidth(t *testing.T) {
	r := fixture()
	for _, width := range []int{40, 60, 80, 100, 200} {
		out := string(render(t, func(b *bytes.Buffer) error { return Table(b, r, width) }))
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		for i, l := range lines {
			if w := ansi.StringWidth(l); w > width {
				t.Errorf("width %d: line %d is %d wide: %q", width, i+1, w, l)
			}
			if strings.ContainsRune(l, 0x1b) {
				t.Errorf("width %d: line %d holds an escape", width, i+1)
			}
		}
		// The header, 4 groups and the totals row are always there.
		if !strings.HasPrefix(lines[1], "VERSION") || !strings.HasPrefix(lines[6], "all") {
			t.Errorf("width %d: unexpected layout:\n%s", width, out)
		}
		if !strings.Contains(out, "errors:") {
			t.Errorf("width %d: errors not listed", width)
		}
	}
	wide := string(render(t, func(b *bytes.Buffer) error { return Table(b, r, 0) }))
	for _, col := range []string{"P95", "TTFT", "COST", "SCORE", tOpenAI} {
		if !strings.Contains(wide, col) {
			t.Errorf("unlimited width lacks %q", col)
		}
	}
	// Columns line up: every row has its CELLS value right-aligned under
	// the header's CELLS.
	lines := strings.Split(wide, "\n")
	end := strings.Index(lines[1], "CELLS") + len("CELLS")
	for _, l := range lines[2:7] {
		if l[end-1] != '2' && l[end-1] != '8' {
			t.Errorf("CELLS column misaligned in %q", l)
		}
	}
}

func TestEmptyReport(t *testing.T) {
	var r RunReport
	for name, f := range map[string]func(*bytes.Buffer) error{
		"markdown": func(b *bytes.Buffer) error { return Markdown(b, r) },
		"json":     func(b *bytes.Buffer) error { return JSON(b, r) },
		"csv":      func(b *bytes.Buffer) error { return CSV(b, r) },
		"table":    func(b *bytes.Buffer) error { return Table(b, r, 80) },
	} {
		if out := render(t, f); len(out) == 0 {
			t.Errorf("%s: empty output for an empty report", name)
		}
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

var errWrite = &writeError{}

type writeError struct{}

func (*writeError) Error() string { return "disk full" }

func TestWriteErrorsReturned(t *testing.T) {
	r := fixture()
	c := fixtureComparison()
	for name, err := range map[string]error{
		"markdown":         Markdown(failWriter{}, r),
		"json":             JSON(failWriter{}, r),
		"csv":              CSV(failWriter{}, r),
		"table":            Table(failWriter{}, r, 80),
		"compare markdown": CompareMarkdown(failWriter{}, c),
		"compare json":     CompareJSON(failWriter{}, c),
		"compare csv":      CompareCSV(failWriter{}, c),
	} {
		if err == nil {
			t.Errorf("%s: write error not returned", name)
		}
	}
}

// TestTableListsUnfinishedAnswers: an answer cut short or filtered is a
// result, not an error; the table names it with its finish reason so that
// it is not taken for a whole answer.
func TestTableListsUnfinishedAnswers(t *testing.T) {
	r := fixture()
	r.Results[0].FinishReason = "length"
	r.Results[1].FinishReason = "content_filter"
	out := string(render(t, func(b *bytes.Buffer) error { return Table(b, r, 0) }))
	_, list, ok := strings.Cut(out, "\nanswers that did not end with stop (finish reason):\n")
	if !ok {
		t.Fatalf("no list of unfinished answers:\n%s", out)
	}
	lines := strings.Split(strings.TrimSuffix(list, "\n"), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], ": length") || !strings.HasSuffix(lines[1], ": content_filter") {
		t.Fatalf("list %q, want the two answers with their reasons (and not the error or the cancelled cell)", lines)
	}
	if plain := string(render(t, func(b *bytes.Buffer) error { return Table(b, fixture(), 0) })); strings.Contains(plain, "did not end with stop") {
		t.Fatalf("a run whose answers all stopped lists some:\n%s", plain)
	}
}
