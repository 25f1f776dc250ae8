package ui

import (
	"context"
	"strings"
	"testing"

	"whet/prompt"
	"whet/store"
)

// openVersions starts a harness on the versions of support/reply.
func openVersions(t *testing.T, st *store.Store, w, h int) *harness {
	t.Helper()
	hs := newHarness(t, fixedTimeStore{st}, w, h)
	hs.key("G", "enter")
	if hs.m.active != screenVersions {
		t.Fatal("enter did not open the versions")
	}
	return hs
}

func TestVersionsList(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := openVersions(t, st, 120, 30)
	h.mustSee("support/reply · 3 versions", "v3", "v2", "v1", "policy guard", "warmer tone", "first draft",
		"staging", "production", "bo", "ana", "1h ago", "1d ago")
	// The detail shows the selected version with its messages.
	h.mustSee("support/reply@3", "Never promise refunds.", "{{customer}}", "PARAMS", "max_tokens: 400")
	h.key("j")
	h.mustSee("support/reply@2", "“warmer tone”")
	h.mustNotSee("Never promise refunds.")
	h.key("esc")
	if h.m.active != screenLibrary {
		t.Fatalf("esc went to %v", h.m.active)
	}
}

func TestVersionsDiff(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := openVersions(t, st, 120, 30)
	h.key("d") // mark v3
	h.mustSee("◆ v3 marked")
	h.key("j", "d") // diff with v2
	if !h.m.versions.showDiff {
		t.Fatal("the second d did not open the diff")
	}
	h.mustSee("diff support/reply v2 → v3", "unified", "1 added, 0 removed", "+ Never promise refunds.")
	h.key("s")
	h.mustSee("side by side", "Never promise refunds.")
	if !h.m.versions.diff.sideBySide {
		t.Fatal("s did not switch to side by side")
	}
	h.key("esc")
	if h.m.versions.showDiff {
		t.Fatal("esc did not close the diff")
	}
	// The layout is remembered for the next diff; p diffs with the previous.
	h.key("j", "p") // v1 is the first version
	h.mustSee("v1 is the first version")
	h.key("k", "p") // v2 against v1
	h.mustSee("diff support/reply v1 → v2", "side by side",
		"You are a support agent for Acme.", "You are a friendly support agent for Acme.", "max_tokens: 400")
	h.key("s")
	h.mustSee("- Be brief.", "+ Be brief and kind.", "+ max_tokens: 400", "3 added, 2 removed")
}

// A prompt message is often one long paragraph: its diff wraps, so that a
// change at its end is seen at 80 columns, unified and side by side, and
// the wrapped rows scroll.
func TestVersionsDiffWrapsLongLines(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	long := "You are a friendly support agent for Acme. Read the ticket, find the order, and answer in the customer's language"
	for i, end := range []string{"in two sentences.", "in at most three short sentences, never more."} {
		content := long + " " + end
		for n := 1; i == 1 && n <= 20; n++ {
			content += "\nadded rule " + itoa(n)
		}
		_, _, err := st.SaveVersion(context.Background(), "support/reply", store.NewVersion{
			Messages: []prompt.Message{{Role: "system", Content: content}},
			Note:     "long " + itoa(i), Author: "ana",
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	h := openVersions(t, st, 80, 24)
	h.key("p") // v5 against v4
	h.mustSee("diff support/reply v4 → v5", "unified", "in at most three short", "sentences, never more.", "in two sentences.")
	h.mustNotSee("added rule 20")
	h.key("G")
	h.mustSee("added rule 20")
	h.key("g", "s")
	h.mustSee("side by side", "never more.", "in two")
	h.key("G")
	h.mustSee("added rule 20")
}

func TestVersionsMarkTwiceUnmarks(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := openVersions(t, st, 120, 30)
	h.key("d", "d")
	if h.m.versions.mark != 0 || h.m.versions.showDiff {
		t.Fatalf("d twice on one row: mark %d diff %v", h.m.versions.mark, h.m.versions.showDiff)
	}
}

func TestVersionsRestore(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	ctx := context.Background()
	h := openVersions(t, st, 120, 30)
	h.key("r")
	h.mustSee("already the latest version")
	h.key("G", "r")
	h.mustSee("Restore v1?")
	h.key("y")
	vs, err := st.Versions(ctx, "support/reply")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 4 || vs[0].Note != "restore v1" || vs[0].Hash != vs[3].Hash || vs[0].Author != "tester" {
		t.Fatalf("after restore: %d versions, newest note %q author %q, hash equal v1: %v", len(vs), vs[0].Note, vs[0].Author, vs[0].Hash == vs[3].Hash)
	}
	h.mustSee("restored v1 as support/reply@4", "4 versions")
	// The cursor is on the new version, ready for t to tag it.
	if v, _ := h.m.versions.selected(); v.Number != 4 {
		t.Fatalf("after the restore the cursor is on v%d", v.Number)
	}
	if h.m.sh.jobs != 0 {
		t.Fatalf("%d jobs still counted after the restore", h.m.sh.jobs)
	}
	// Restoring the same content again makes nothing.
	h.key("G", "r", "y")
	h.mustSee("no changes")
	if vs, _ := st.Versions(ctx, "support/reply"); len(vs) != 4 {
		t.Fatalf("a second identical restore made version %d", len(vs))
	}
}

// A version saved in the Editor while Versions shows an older one: back
// on Versions the cursor is on the new version, so t tags what was saved.
func TestVersionsSelectsAVersionSavedSince(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := openVersions(t, st, 120, 30)
	h.key("j", "e") // edit from v2
	if h.m.active != screenEditor {
		t.Fatalf("e opened %v", h.m.active)
	}
	h.typ(" Thank them.")
	h.key("ctrl+s")
	h.typ("thanks")
	h.key("enter")
	h.mustSee("saved support/reply@4")
	h.key("esc", "2")
	h.mustSee("4 versions")
	if v, _ := h.m.versions.selected(); v.Number != 4 {
		t.Fatalf("back on Versions the cursor is on v%d", v.Number)
	}
	h.key("t")
	h.mustSee("Move a tag to support/reply@4")
}

func TestVersionsTag(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	ctx := context.Background()
	h := openVersions(t, st, 120, 30)
	h.key("G", "t")
	h.mustSee("Move a tag to support/reply@1", "Protected: production")
	h.typ("production")
	h.key("enter")
	h.mustSee("Move protected tag production?", "Move it from v2 to")
	h.key("n")
	if v, _ := st.Resolve(ctx, prompt.Ref{Name: "support/reply", Tag: "production"}); v.Number != 2 {
		t.Fatalf("declined move changed production to v%d", v.Number)
	}
	h.key("t")
	h.typ("production")
	h.key("enter", "y")
	if v, _ := st.Resolve(ctx, prompt.Ref{Name: "support/reply", Tag: "production"}); v.Number != 1 {
		t.Fatalf("production -> v%d; want v1", v.Number)
	}
	h.mustSee("moved production of support/reply from v2 to v1")
	// The list shows the tag on its new version.
	line := lineWith(h.screen(), "first draft")
	if !strings.Contains(line, "production") {
		t.Fatalf("v1's row does not show production: %q", line)
	}
}

func TestVersionsEditFromOld(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := openVersions(t, st, 120, 30)
	h.key("G", "e")
	if h.m.active != screenEditor || h.m.editor.baseVersion != 1 {
		t.Fatalf("e: active %v base v%d", h.m.active, h.m.editor.baseVersion)
	}
	if got := h.m.editor.msgs[0].ta.Value(); got != "You are a support agent for Acme.\nBe brief." {
		t.Fatalf("editor holds %q", got)
	}
}

func TestParseUnifiedAndPairs(t *testing.T) {
	d := "--- a\n+++ b\n@@ -1,3 +1,3 @@\n ctx\n-old1\n-old2\n+new1\n same\n"
	lines := parseUnified(d)
	kinds := ""
	for _, l := range lines {
		kinds += string(l.kind)
	}
	if kinds != "@ --+ " {
		t.Fatalf("kinds = %q", kinds)
	}
	if lines[2].old != 2 || lines[4].new != 2 || lines[5].old != 4 || lines[5].new != 3 {
		t.Fatalf("line numbers: %+v", lines)
	}
	rows := pairRows(lines)
	if len(rows) != 5 || rows[2].left.text != "old1" || rows[2].right.text != "new1" || rows[3].right != nil {
		t.Fatalf("pairs: %+v", rows)
	}
}

func lineWith(screen, s string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// TestMonochromeUnderlineInOnePiece: without colours the Library filter's
// matches and the mark of a version picked for a diff are underlined. Lip
// Gloss underlines one code point at a time (splitting emoji clusters, and
// leaving a marked row's space without its reverse video); they are drawn
// in one piece instead.
func TestMonochromeUnderlineInOnePiece(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30, func(d *Deps) { d.NoColor = true })
	h.key("/")
	h.typ("summ")
	if out := h.m.render(); !strings.Contains(out, "summ") || !strings.Contains(out, "\x1b[4m") {
		t.Fatalf("the match summ is not underlined in one piece:\n%q", out)
	}
	h.key("esc", "esc", "G", "enter")
	if h.m.active != screenVersions {
		t.Fatal("enter did not open the versions")
	}
	h.key("d")
	out := h.m.render()
	if !strings.Contains(out, "◆ v3 marked — d on another to diff") {
		t.Fatalf("the mark's title is not drawn in one piece:\n%q", out)
	}
	if strings.Contains(out, "\x1b[4m \x1b[m") {
		t.Fatalf("the marked row's space is drawn underlined only, without the row's style:\n%q", out)
	}
}

// An editor opened from Versions goes back there when closed, and one
// opened from the Library goes back to the Library.
func TestEditorClosesToWhereItWasOpened(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := openVersions(t, st, 120, 30)
	h.key("e")
	if h.m.active != screenEditor {
		t.Fatalf("e on Versions shows %v, not the editor", h.m.active)
	}
	h.key("esc")
	if h.m.active != screenVersions || h.m.versions.name != "support/reply" {
		t.Errorf("closing the editor shows %v, not Versions of support/reply", h.m.active)
	}
	h.key("1", "e")
	if h.m.active != screenEditor {
		t.Fatalf("e on the Library shows %v, not the editor", h.m.active)
	}
	h.key("esc")
	if h.m.active != screenLibrary {
		t.Errorf("closing the editor shows %v, not the Library", h.m.active)
	}
}

// At 60 columns the author column is as wide as its names, so the
// note, which says what changed, keeps the room.
func TestVersionsAuthorColumnLeavesRoomForTheNote(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 60, 20)
	h.key("G", "enter")
	h.mustSee("AUTHOR TAGS", "warmer tone")
	assertFits(t, h.screen(), 60, 20)
}
