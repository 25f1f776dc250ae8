package ui

import (
	"context"
	"testing"
	"time"

	"whet/prompt"
	"whet/store"
)

// otherProcess opens a second Store on st's file, as another whet would.
func otherProcess(t *testing.T, st *store.Store) *store.Store {
	t.Helper()
	o, err := store.Open(context.Background(), st.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}

// watchNow is what the watch's tick (or a focus event) does: ask the
// store whether another process committed.
func (h *harness) watchNow() { h.run(h.m.askDataVersion(false)) }

// A prompt another process creates shows in the library on the next
// check, with the cursor where it was; nothing changes without a check.
func TestWatchLibraryFollowsAnotherProcess(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("j")
	before, _ := h.m.library.selected()
	cli := otherProcess(t, st)
	if _, err := cli.CreatePrompt(context.Background(), storeNewPrompt("aaa/first", "from the CLI"), storeNewVersion("hi")); err != nil {
		t.Fatal(err)
	}
	h.mustNotSee("aaa/first")
	h.watchNow()
	h.mustSee("aaa/first", "4 prompts")
	if p, _ := h.m.library.selected(); p.Name != before.Name {
		t.Fatalf("the cursor moved from %s to %s", before.Name, p.Name)
	}
	// Nothing committed since: the next check reads nothing again.
	req := h.m.library.listReq
	h.watchNow()
	if h.m.library.listReq != req {
		t.Fatal("a check with nothing changed read the library again")
	}
}

// The TUI's own writes are not another process's: they do not make the
// screens read again.
func TestWatchIgnoresOwnWrites(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	if _, err := st.CreatePrompt(context.Background(), storeNewPrompt("zzz/own", ""), storeNewVersion("x")); err != nil {
		t.Fatal(err)
	}
	req := h.m.library.listReq
	h.watchNow()
	if h.m.library.listReq != req {
		t.Fatal("the TUI's own write made the library read again")
	}
}

// A version another process saves shows in Versions without moving the
// cursor off the version being read.
func TestWatchVersionsKeepTheCursor(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := openVersions(t, st, 120, 30)
	h.key("j", "j")
	h.mustSee("support/reply@1")
	cli := otherProcess(t, st)
	if _, _, err := cli.SaveVersion(context.Background(), "support/reply", store.NewVersion{
		Messages: []prompt.Message{{Role: prompt.RoleUser, Content: "v4 from the CLI"}}, Author: "cy"}); err != nil {
		t.Fatal(err)
	}
	h.watchNow()
	h.mustSee("support/reply · 4 versions", "v4")
	if v, _ := h.m.versions.selected(); v.Number != 1 {
		t.Fatalf("the cursor went to v%d, want v1", v.Number)
	}
}

// A run another process makes shows in Runs; a screen not on view is read
// again when it is next shown, and one under a dialog once the dialog
// closes.
func TestWatchRunsAndStaleScreens(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("G", "h")
	h.mustSee("2 runs")
	cli := otherProcess(t, st)
	first := rerunOf(t, cli, fixtureOldRun, testNow.Add(-time.Minute))
	h.watchNow()
	h.mustSee("3 runs", first.ID)

	// On another screen: the library is stale, Runs too.
	h.key("9")
	if _, err := cli.CreatePrompt(context.Background(), storeNewPrompt("aaa/later", ""), storeNewVersion("x")); err != nil {
		t.Fatal(err)
	}
	h.watchNow()
	if !h.m.db.stale.has(screenLibrary) {
		t.Fatal("a change while Models was shown did not mark the library stale")
	}
	h.key("1")
	h.mustSee("aaa/later")

	// Under a dialog (help): read again once it closes.
	if _, err := cli.CreatePrompt(context.Background(), storeNewPrompt("aaa/under", ""), storeNewVersion("x")); err != nil {
		t.Fatal(err)
	}
	h.key("?")
	h.watchNow()
	if !h.m.db.stale.has(screenLibrary) {
		t.Fatal("the library was read again under the help dialog")
	}
	h.key("esc")
	h.mustSee("aaa/under")
	if h.m.db.stale.has(screenLibrary) {
		t.Fatal("the library stays stale after it was read again")
	}
}

// Results follows a run another process is still making; a finished run
// on screen is not read again for every commit elsewhere.
func TestWatchResultsFollowsARunningRun(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	cli := otherProcess(t, st)
	running := rerunOf(t, cli, fixtureOldRun, testNow.Add(-time.Minute))
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.openResults(fixtureOldRun)
	req := h.m.results.req
	if _, err := cli.CreatePrompt(context.Background(), storeNewPrompt("aaa/elsewhere", ""), storeNewVersion("x")); err != nil {
		t.Fatal(err)
	}
	h.watchNow()
	if h.m.results.req != req {
		t.Fatal("a finished run was read again for a commit elsewhere")
	}

	h.openResults(running.ID)
	h.mustSee("0/3 cells") // interrupted: no process holds it here
	r, err := st.Resolve(context.Background(), prompt.Ref{Name: "support/reply", Number: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := cli.SaveResults(context.Background(), []prompt.Result{{RunID: running.ID, VersionID: r.ID, Target: "echo", Case: 0,
		Output: "hello", FinishReason: "stop", Started: testNow}}); err != nil {
		t.Fatal(err)
	}
	h.watchNow()
	h.mustSee("1/3 cells")
}

// Results follows a run this process is making too: its own writes move
// no data version, so the watch's tick reads a running run again anyway,
// until it reads it finished.
func TestWatchResultsFollowsItsOwnRunningRun(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	running := rerunOf(t, st, fixtureOldRun, testNow.Add(-time.Minute))
	unlock, err := st.LockRun(running.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.openResults(running.ID)
	h.mustSee("running", "0/3 cells")
	r, err := st.Resolve(context.Background(), prompt.Ref{Name: "support/reply", Number: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveResults(context.Background(), []prompt.Result{{RunID: running.ID, VersionID: r.ID, Target: "echo", Case: 0,
		Output: "hello", FinishReason: "stop", Started: testNow}}); err != nil {
		t.Fatal(err)
	}
	h.run(h.m.askDataVersion(true))
	h.mustSee("1/3 cells")
	if err := st.FinishRun(context.Background(), running.ID, prompt.RunDone, testNow); err != nil {
		t.Fatal(err)
	}
	h.run(h.m.askDataVersion(true))
	h.mustSee("done")
	req := h.m.results.req
	h.run(h.m.askDataVersion(true))
	if h.m.results.req != req {
		t.Fatal("a finished run was read again on the tick")
	}
}
