package ui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"whet/config"
	"whet/eval"
	"whet/prompt"
	"whet/report"
	"whet/runner"
)

// topExport is the export dialog on top of the stack.
func (h *harness) topExport() *exportDialog {
	h.t.Helper()
	if len(h.m.dialogs) == 0 {
		h.t.Fatalf("no dialog is open:\n%s", h.screen())
	}
	d, ok := h.m.dialogs[len(h.m.dialogs)-1].(*exportDialog)
	if !ok {
		h.t.Fatalf("the top dialog is a %T:\n%s", h.m.dialogs[len(h.m.dialogs)-1], h.screen())
	}
	return d
}

// clearAndType replaces the text of the focused field.
func (h *harness) clearAndType(s string) {
	h.t.Helper()
	h.key("ctrl+u")
	h.typ(s)
}

// The dialog writes the bytes the CLI writes: report.Markdown, JSON and CSV
// of the same RunReport.
func TestExportRunIsTheReportsBytes(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	rr, err := loadRunReport(context.Background(), st, fixtureRun, testNow)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 40)
	h.openResults(fixtureRun)
	h.key("x")
	d := h.topExport()
	h.mustSee("Export run "+fixtureRun, "Markdown", "path › ./whet-support-reply-"+fixtureRun+".md")
	for i, tc := range []struct {
		render func(*bytes.Buffer, report.RunReport) error
		ext    string
	}{
		{func(b *bytes.Buffer, r report.RunReport) error { return report.Markdown(b, r) }, ".md"},
		{func(b *bytes.Buffer, r report.RunReport) error { return report.JSON(b, r) }, ".json"},
		{func(b *bytes.Buffer, r report.RunReport) error { return report.CSV(b, r) }, ".csv"},
		{func(b *bytes.Buffer, r report.RunReport) error { return report.JUnit(b, r) }, ".junit.xml"},
	} {
		if i > 0 {
			h.key("tab")
		}
		var want bytes.Buffer
		if err := tc.render(&want, rr); err != nil {
			t.Fatal(err)
		}
		if !d.rendered || !bytes.Equal(d.data, want.Bytes()) {
			t.Fatalf("%s: the dialog's bytes differ from the report package's (%d vs %d bytes)", tc.ext, len(d.data), want.Len())
		}
		if got, wantPath := d.path.Value(), "./whet-support-reply-"+fixtureRun+tc.ext; got != wantPath {
			t.Fatalf("path = %q, want %q", got, wantPath)
		}
	}
	// The Markdown preview is rendered by Glamour: no # markers remain.
	h.key("tab")
	h.mustSee("rfixture0002", "• Status: done")
	h.mustNotSee("# Run", "**Status:**")
}

func TestExportComparisonIsTheReportsBytes(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	rr, err := loadRunReport(context.Background(), st, fixtureRun, testNow)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 40)
	h.openResults(fixtureRun)
	h.key("C", "x")
	d := h.topExport()
	h.mustSee("Export comparison support/reply@1 vs support/reply@2", "-compare.md")
	a, b, err := report.DefaultSides(rr.Run, rr.Results, "echo")
	if err != nil {
		t.Fatal(err)
	}
	// As whet compare writes it: with the A/B statistics the screen shows.
	c := report.CompareRun(rr, a, b)
	c.AB = eval.CompareAB(c.A.Results, c.B.Results, rr.Scores, c.A.Label, c.B.Label).Stats()
	var want bytes.Buffer
	if err := report.CompareMarkdown(&want, c); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(d.data, want.Bytes()) {
		t.Fatalf("the dialog's bytes differ from report.CompareMarkdown's:\n%s\n---\n%s", d.data, want.Bytes())
	}
	if !bytes.Contains(d.data, []byte("**A/B:** ")) {
		t.Fatalf("the exported comparison lacks the A/B statistics:\n%s", d.data)
	}
	// A comparison has no JUnit report: tab cycles Markdown, JSON, CSV.
	h.mustNotSee("JUnit")
	h.key("tab", "tab", "tab")
	if got := d.path.Value(); !strings.HasSuffix(got, "-compare.md") || d.format != exportMarkdown {
		t.Fatalf("three tabs from Markdown: format %v, path %q", d.format, got)
	}
}

func TestExportWritesAndAsksBeforeOverwriting(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 40)
	h.openResults(fixtureRun)
	path := filepath.Join(t.TempDir(), "report.md")

	h.key("x")
	want := h.topExport().data
	h.clearAndType(path)
	h.key("enter")
	if len(h.m.dialogs) != 0 {
		t.Fatalf("the dialog stayed open:\n%s", h.screen())
	}
	h.mustSee("wrote Markdown")
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("file: %v, %d bytes, want %d", err, len(got), len(want))
	}

	// The file exists now: the dialog asks, and "no" keeps it.
	if err := os.WriteFile(path, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.key("x")
	h.clearAndType(path)
	h.key("enter")
	h.mustSee("Overwrite the file?", "report.md exists. Replace it")
	h.key("n")
	h.mustSee("not written: the file is kept")
	if got, _ := os.ReadFile(path); string(got) != "mine" {
		t.Fatalf("the file was overwritten after no: %q", got)
	}
	h.key("enter")
	h.key("y")
	if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
		t.Fatalf("the file was not overwritten after yes: %q", got)
	}

	// A directory is refused.
	h.key("x")
	h.clearAndType(filepath.Dir(path))
	h.key("enter")
	h.mustSee("is a directory")
	h.key("esc")
	if len(h.m.dialogs) != 0 {
		t.Fatal("esc did not close the dialog")
	}
}

func TestExportCopiesToTheClipboard(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	rr, err := loadRunReport(context.Background(), st, fixtureRun, testNow)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	d, cmd := newExportDialog(h.m.sh, exportSource{run: &rr, prompt: "support/reply", runID: rr.Run.ID})
	if _, c := d.update(cmd()); c != nil {
		c()
	}
	closed, cmd := d.update(keyPress("ctrl+y"))
	if closed || cmd == nil {
		t.Fatal("ctrl+y gave no command")
	}
	msg := cmd()
	if typ := fmt.Sprintf("%T", msg); typ != "tea.setClipboardMsg" {
		t.Fatalf("ctrl+y sent %s, want tea.setClipboardMsg (OSC 52)", typ)
	}
	var want bytes.Buffer
	if err := report.Markdown(&want, rr); err != nil {
		t.Fatal(err)
	}
	if got := reflect.ValueOf(msg).String(); got != want.String() {
		t.Fatalf("the clipboard got %d bytes, want the %d of report.Markdown", len(got), want.Len())
	}
	if d.status == "" {
		t.Fatal("no confirmation that the text was copied")
	}
}

func TestExportDefaultPath(t *testing.T) {
	for _, tc := range []struct {
		src  exportSource
		f    exportFormat
		want string
	}{
		{exportSource{prompt: "support/reply", runID: "abc123"}, exportMarkdown, "whet-support-reply-abc123.md"},
		{exportSource{prompt: "a/b/c", runID: "r1"}, exportJSON, "whet-a-b-c-r1.json"},
		{exportSource{prompt: "x", runID: "r1", cmp: &report.Comparison{}}, exportCSV, "whet-x-r1-compare.csv"},
		{exportSource{runID: "r1"}, exportMarkdown, "whet-run-r1.md"},
	} {
		if got := tc.src.defaultPath(tc.f); got != "."+string(filepath.Separator)+tc.want {
			t.Errorf("defaultPath = %q, want ./%s", got, tc.want)
		}
	}
}

// An answer meant for another dialog is dropped.
func TestExportDropsOtherDialogsAnswers(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	rr, err := loadRunReport(context.Background(), st, fixtureRun, testNow)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	src := exportSource{run: &rr, prompt: "support/reply", runID: rr.Run.ID}
	d1, _ := newExportDialog(h.m.sh, src)
	d2, cmd2 := newExportDialog(h.m.sh, src)
	msg := cmd2().(exportRenderedMsg)
	msg.d = d1
	if _, c := d2.update(msg); c != nil || d2.rendered {
		t.Fatal("d2 took d1's rendering")
	}
	closed, _ := d2.update(exportWrittenMsg{d: d1, path: "x"})
	if closed {
		t.Fatal("d2 closed on d1's write")
	}
	_ = tea.Quit
}

// TestExportPathShowsWholeAfterGrowing: a text field scrolled to fit a
// narrow terminal shows its whole value again once the terminal grows.
func TestExportPathShowsWholeAfterGrowing(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 40)
	h.openResults(fixtureRun)
	h.key("x")
	h.send(tea.WindowSizeMsg{Width: 30, Height: 10})
	h.key("tab") // JSON: the path's end is shown in the narrow field
	h.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	h.mustSee("path › ./whet-support-reply-" + fixtureRun + ".json")
}

// TestExportReplacesTheFileWhole: the export is written beside the file
// and renamed over it, so the old file is never half overwritten: a hard
// link to it keeps the old bytes, its mode is kept, and no temporary file
// is left.
func TestExportReplacesTheFileWhole(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 40)
	h.openResults(fixtureRun)
	dir := t.TempDir()
	path := filepath.Join(dir, "report.md")
	if err := os.WriteFile(path, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(path, filepath.Join(dir, "old.md")); err != nil {
		t.Skip("no hard links:", err)
	}
	h.key("x")
	want := h.topExport().data
	h.clearAndType(path)
	h.key("enter")
	h.mustSee("Overwrite the file?")
	h.key("y")
	h.mustSee("wrote Markdown")
	if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
		t.Fatalf("report.md holds %q", got)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "old.md")); string(got) != "mine" {
		t.Errorf("the old file was written over in place: it holds %d bytes", len(got))
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode: %v %v, want 0600 as before", fi.Mode().Perm(), err)
	}
	if des, _ := os.ReadDir(dir); len(des) != 2 {
		t.Errorf("directory holds %d files, want report.md and old.md", len(des))
	}
}

// TestExportRefusesWhetsOwnFiles: as the CLI's -o, the dialog refuses to
// write over the database (and its -wal and -shm) or the config file.
func TestExportRefusesWhetsOwnFiles(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	dir := t.TempDir()
	db, cfg := filepath.Join(dir, "whet.db"), filepath.Join(dir, "config.yaml")
	h := newHarness(t, fixedTimeStore{st}, 160, 40, func(d *Deps) { d.DBPath, d.ConfigPath = db, cfg })
	h.openResults(fixtureRun)
	for _, tc := range []struct{ path, want string }{
		{db, "is whet's database"},
		{db + "-wal", "is whet's database"},
		{db + "-shm", "is whet's database"},
		{cfg, "is whet's config file"},
		// Another name for the same file is the same file.
		{filepath.Join(dir, ".", "config.yaml"), "is whet's config file"},
	} {
		if err := os.WriteFile(tc.path, []byte("precious"), 0o644); err != nil {
			t.Fatal(err)
		}
		h.key("x")
		h.clearAndType(tc.path)
		h.key("enter")
		h.mustSee(tc.want)
		h.mustNotSee("Overwrite the file?")
		if got, _ := os.ReadFile(tc.path); string(got) != "precious" {
			t.Errorf("%s was written over", tc.path)
		}
		h.key("esc")
	}
}

// At 80 columns a refused path's reason wraps in the dialog rather than
// being cut: the user reads why nothing was written.
func TestExportErrorWrapsAt80Columns(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	dir := t.TempDir()
	db := filepath.Join(dir, "a-rather-long-directory-name", "whet.db")
	h := newHarness(t, fixedTimeStore{st}, 80, 24, func(d *Deps) { d.DBPath = db })
	h.openResults(fixtureRun)
	h.key("x")
	h.clearAndType(db)
	h.key("enter")
	h.mustSee("is whet's database", "would destroy it")
	assertFits(t, h.screen(), 80, 24)
}

// unpricedTargets is a registry that knows no price for one target.
type unpricedTargets struct {
	*runner.Registry
	spec string
}

func (u unpricedTargets) Price(t runner.Target) (config.Price, bool) {
	if t.Spec == u.spec {
		return config.Price{}, false
	}
	return u.Registry.Price(t)
}

// A run's export from the TUI says, as the CLI's does, which target's cost
// is unknown rather than $0; so does the Arena column of such a target.
func TestExportSaysWhichCostIsUnknown(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	ts := unpricedTargets{arenaRegistry(t, "http://127.0.0.1:1"), "ollama:llama3.2"}
	h := newHarness(t, fixedTimeStore{st}, 120, 40, func(d *Deps) { d.Targets = ts })
	h.openResults(fixtureRun)
	h.mustSee("12/12 cells · 1 error · cost unknown")
	h.key("x")
	d := h.topExport()
	if !bytes.Contains(d.data, []byte("no price is known for ollama:llama3.2")) {
		t.Errorf("the Markdown export does not say the target's cost is unknown:\n%s", d.data)
	}
	h.key("tab")
	if !bytes.Contains(d.data, []byte(`"unpriced": true`)) {
		t.Errorf("the JSON export does not mark the unpriced target")
	}

	done := arenaCell{state: cellDone, result: prompt.Result{TokensIn: 12, TokensOut: 40}}
	if got := tokenLine(done, true); got != "12→40 tok · no price" {
		t.Errorf("unpriced column: %q", got)
	}
	if got := tokenLine(done, false); got != "12→40 tok · $0" {
		t.Errorf("free column: %q", got)
	}
}
