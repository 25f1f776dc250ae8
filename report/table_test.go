package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"whet/prompt"
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

// A p95 of fewer than 20 calls is their slowest (nearest rank): the table
// and the Markdown say so, and that TTFT is a mean, under their latency
// columns; with 20 calls or more, or without the P95 column, nothing.
func TestP95OfFewCallsIsSaid(t *testing.T) {
	r := fixture()
	wide := string(render(t, func(b *bytes.Buffer) error { return Table(b, r, 0) }))
	if want := "\nP95 of fewer than 20 calls (as few as 1 here) is their slowest; TTFT is the mean time to first token\n"; !strings.Contains(wide, want) {
		t.Errorf("table lacks %q:\n%s", want, wide)
	}
	if narrow := string(render(t, func(b *bytes.Buffer) error { return Table(b, r, 60) })); strings.Contains(narrow, "P95") {
		t.Errorf("a table without the P95 column speaks of it:\n%s", narrow)
	}
	md := string(render(t, func(b *bytes.Buffer) error { return Markdown(b, r) }))
	if !strings.Contains(md, " A p95 of fewer than 20 calls (as few as 1 here) is their slowest.") {
		t.Errorf("Markdown lacks the p95 note:\n%s", md)
	}

	// 20 measured calls in each group: the p95 is a percentile.
	rv := r.Run.Versions[0]
	r.Run.Targets = r.Run.Targets[:1]
	r.Run.Versions = r.Run.Versions[:1]
	r.Run.Repeat = 20
	r.Scores = nil
	r.Results = nil
	for i := range 20 {
		r.Results = append(r.Results, prompt.Result{ID: int64(i + 1), VersionID: rv.VersionID, Target: r.Run.Targets[0], Repeat: i, Output: "x", Latency: time.Duration(i+1) * time.Millisecond})
	}
	wide = string(render(t, func(b *bytes.Buffer) error { return Table(b, r, 0) }))
	md = string(render(t, func(b *bytes.Buffer) error { return Markdown(b, r) }))
	if strings.Contains(wide, "fewer than 20") || strings.Contains(md, "fewer than 20") {
		t.Errorf("20 calls said to be fewer:\n%s\n%s", wide, md)
	}
	if P95Few(0, 19, 3, 25) != 3 || P95Few(0, 20) != 0 {
		t.Error("P95Few")
	}
}
