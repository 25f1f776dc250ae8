package ui

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"whet/prompt"
	"whet/store"
)

// arenaProgram runs the whole TUI (as teatest does) on the seeded library
// with echo and the fake Ollama's model as the default targets, and opens
// the Arena on support/reply.
func arenaProgram(t *testing.T, f *fakeOllama) (*teatest.TestModel, *atomic.Pointer[string], *store.Store) {
	t.Helper()
	st := openStore(t)
	seed(t, st)
	m := New(Deps{Store: st, Targets: arenaRegistry(t, f.URL, "echo", "ollama:slow"), Author: "tester",
		Theme: "dark", DBPath: "/home/u/whet.db", Home: "/home/u", Now: time.Now}).(Model)
	m.sh.noticeTTL, m.sh.previewWait = 0, 0
	m.arena.newRunID = runIDs()
	last := &atomic.Pointer[string]{}
	tm := teatest.NewTestModel(t, spy{m, last}, teatest.WithInitialTermSize(140, 40))
	t.Cleanup(func() { tm.Quit() })
	waitView(t, last, "support/reply", "Classify the intent of")
	tm.Send(keyPress("G"))
	tm.Send(keyPress("ctrl+r"))
	waitView(t, last, "Targets", "[x] echo", "[x] ollama:slow", "PROMPT AS SENT")
	return tm, last, st
}

// waitHeld waits until the fake Ollama has streamed its first chunks and
// holds the rest.
func waitHeld(t *testing.T, f *fakeOllama) {
	t.Helper()
	select {
	case <-f.held:
	case <-time.After(10 * time.Second):
		t.Fatal("the fake Ollama was never asked to stream")
	}
}

func viewText(last *atomic.Pointer[string]) string {
	if p := last.Load(); p != nil {
		return ansi.Strip(*p)
	}
	return ""
}

func TestArenaE2EStreamsPartialTextToTheEnd(t *testing.T) {
	f := newFakeOllama(t, 20*time.Millisecond, 3)
	tm, last, st := arenaProgram(t, f)
	tm.Send(keyPress("ctrl+r"))
	waitHeld(t, f)
	// Two columns stream: echo finishes while Ollama's text is partial.
	waitView(t, last, "✓ echo", "Slow and steady", "streaming", "ttft")
	if v := viewText(last); strings.Contains(v, "one token at a time.") || strings.Contains(v, "✓ ollama") {
		t.Fatalf("the Ollama column finished before the stream did:\n%s", v)
	}
	// The Arena claims its run: any reader sees it running, not killed.
	if run, err := st.GetRun(context.Background(), "arena0000001"); err != nil || run.Status != prompt.RunRunning {
		t.Fatalf("mid-run: %+v, %v", run, err)
	}
	f.release()
	waitView(t, last, "✓ ollama:slow", "one token at a time.", "model slow · 5f1c0b7de2a9",
		"12→11 tok · $0", "run arena0000001 · done")

	ctx := context.Background()
	run, err := st.GetRun(ctx, "arena0000001")
	if err != nil || run.Status != prompt.RunDone || run.Source != "arena" {
		t.Fatalf("run %+v, %v", run, err)
	}
	rs, err := st.Results(ctx, run.ID)
	if err != nil || len(rs) != 2 {
		t.Fatalf("results %+v, %v", rs, err)
	}
	for _, r := range rs {
		if r.Target == "ollama:slow" && (r.Output != fakeOllamaAnswer || r.ModelDigest != fakeOllamaDigest) {
			t.Fatalf("ollama result %+v", r)
		}
	}
}

func TestArenaE2ECancelKeepsFinishedColumnAndRatingIsStored(t *testing.T) {
	f := newFakeOllama(t, 20*time.Millisecond, 3)
	tm, last, st := arenaProgram(t, f)
	tm.Send(keyPress("ctrl+r"))
	waitHeld(t, f)
	waitView(t, last, "✓ echo", "Slow and steady", "streaming")
	tm.Send(keyPress("esc"))
	waitView(t, last, "◼ ollama:slow", "cancelled", "✓ echo", "run arena0000001 · cancelled")
	if v := viewText(last); !strings.Contains(v, "Slow and steady") {
		t.Fatalf("the cancelled column lost its partial text:\n%s", v)
	}
	tm.Send(keyPress("v"))
	tm.Send(keyPress("4")) // the focused column is echo's
	waitView(t, last, "★★★★☆ 4/5", "rated echo 4/5")

	ctx := context.Background()
	run, err := st.GetRun(ctx, "arena0000001")
	if err != nil || run.Status != prompt.RunInterrupted {
		t.Fatalf("run %+v, %v", run, err)
	}
	rs, err := st.Results(ctx, run.ID)
	if err != nil || len(rs) != 1 || rs[0].Target != "echo" {
		t.Fatalf("results %+v, %v; want only echo's", rs, err)
	}
	scores, err := st.Scores(ctx, run.ID)
	if err != nil || len(scores) != 1 || scores[0].ResultID != rs[0].ID || scores[0].Value != 0.75 || scores[0].Scorer != "human" {
		t.Fatalf("scores %+v, %v", scores, err)
	}
}
