package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"whet/store"
)

// TestNoticeBelongsToItsScreen: a notice raised on one screen goes when
// another screen shows, however the switch happens (a digit, esc back, a
// click on a tab, the palette), and stays while the user works on its
// own screen.
func TestNoticeBelongsToItsScreen(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 100, 30)

	h.send(noticeMsg{text: "exported run r1 to whet-x.md"})
	h.key("j", "k")
	h.mustSee("exported run r1")
	h.key("2") // a digit
	h.mustNotSee("exported run r1")

	h.send(noticeMsg{text: "tag production is protected"})
	h.mustSee("tag production is protected")
	h.key("esc") // back to the library
	if h.m.active != screenLibrary {
		t.Fatalf("esc on Versions shows %v", h.m.active)
	}
	h.mustNotSee("tag production is protected")

	h.send(noticeMsg{text: "could not read runs", isErr: true})
	tab := h.m.tabRanges()[4]
	h.send(tea.MouseClickMsg{X: tab[0], Y: 0, Button: tea.MouseLeft}) // Runs
	if h.m.active != screenHistory {
		t.Fatalf("the click showed %v", h.m.active)
	}
	h.mustNotSee("could not read runs")

	h.send(noticeMsg{text: "theme dark"})
	h.key("ctrl+p")
	h.typ("Library: inventory")
	h.key("enter")
	if h.m.active != screenLibrary {
		t.Fatalf("the palette showed %v", h.m.active)
	}
	h.mustNotSee("theme dark")
}

// TestNoticeThatComesWithASwitchShows: a notice a screen sends with the
// switch to itself is shown there, in whatever order the commands of the
// batch answer.
func TestNoticeThatComesWithASwitchShows(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	seedSuite(t, st)
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 120, 30)
	h.key("G", "S", "enter", "J") // open the suite and change it
	if !h.m.suites.dirty() {
		t.Fatal("the suite is not modified")
	}
	h.key("1")
	// What S on the prompt asks for, its batch answered last command first.
	next, cmd := h.m.Update(suitesOpenMsg{prompt: "support/reply"})
	h.m = next.(Model)
	var msgs []tea.Msg
	for queue := []tea.Cmd{cmd}; len(queue) > 0; queue = queue[1:] {
		msg := h.exec(queue[0])[0]
		if b, ok := msg.(tea.BatchMsg); ok {
			queue = append(queue, b...)
			continue
		}
		msgs = append(msgs, msg)
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		h.send(msgs[i])
	}
	if h.m.active != screenSuites {
		t.Fatalf("S showed %v", h.m.active)
	}
	h.mustSee("the open suite has unsaved changes")
}

// TestNoticeLifetimes: information goes after noticeTTL; an error stays
// until the next key or click.
func TestNoticeLifetimes(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	h.m.sh.noticeTTL = time.Minute

	next, cmd := h.m.Update(noticeMsg{text: "saved"})
	h.m = next.(Model)
	if cmd == nil {
		t.Fatal("an information notice starts no timer")
	}
	h.send(clearNoticeMsg{seq: h.m.notice.seq})
	h.mustNotSee("saved")

	next, cmd = h.m.Update(noticeMsg{text: "store: disk full", isErr: true})
	h.m = next.(Model)
	if cmd != nil {
		t.Fatal("an error notice starts a timer")
	}
	h.m.sh.noticeTTL = 0
	h.mustSee("store: disk full")
	h.key("j")
	h.mustNotSee("store: disk full")

	h.send(noticeMsg{text: "store: locked", isErr: true})
	h.send(tea.MouseClickMsg{X: 10, Y: 10, Button: tea.MouseLeft})
	h.mustNotSee("store: locked")

	// Information stays through keys (until its time is up).
	h.send(noticeMsg{text: "archived x"})
	h.key("j", "k")
	h.mustSee("archived x")
}

// TestLongNoticeTakesTheWholeStatusBar: a notice too long for the room
// beside the database and the count hides them, so that an error's
// cause shows at 80 columns; a short one leaves them.
func TestLongNoticeTakesTheWholeStatusBar(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 80, 24)
	long := "suite run r1 done; 2 calls failed, the first with: connection refused by the server"
	h.send(noticeMsg{text: long, isErr: true})
	last := lastLine(h.screen())
	if !strings.Contains(last, "connection refused") || strings.Contains(last, "prompts") {
		t.Fatalf("status bar: %q", last)
	}
	h.key("j")
	h.send(noticeMsg{text: "saved"})
	if last := lastLine(h.screen()); !strings.Contains(last, "saved") || !strings.Contains(last, "3 prompts") {
		t.Fatalf("status bar: %q", last)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestReadOnlyDatabaseSaysSo: a database opened read-only (one the user may
// not write) is marked in the status bar, and a write is refused with a
// notice saying why.
func TestReadOnlyDatabaseSaysSo(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "whet.db")
	w, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	seed(t, w)
	w.Close()
	st, err := store.Open(ctx, path, store.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := newHarness(t, fixedTimeStore{st}, 100, 24, func(d *Deps) { d.ReadOnly = true })
	if last := lastLine(h.screen()); !strings.Contains(last, "read-only") || !strings.Contains(last, "3 prompts") {
		t.Fatalf("status bar: %q", last)
	}
	h.key("a", "y")
	h.mustSee("read-only")
	if last := lastLine(h.screen()); !strings.Contains(last, "opened read-only") {
		t.Fatalf("status bar after a write: %q", last)
	}
}
