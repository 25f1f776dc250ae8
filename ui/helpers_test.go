package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"whet/prompt"
	"whet/store"
)

// testNow is the clock of every test: fixtures are dated relative to it.
var testNow = time.Date(2025, 6, 12, 15, 4, 5, 0, time.UTC)

// fixedTimeStore is the real store with the times it reports replaced by
// fixed ones derived from the data, so that screens and goldens do not
// depend on when the test ran: a prompt changed (its index+1)×7 hours
// before testNow, and version N of a prompt was made (latest-N)×26 hours
// before it.
type fixedTimeStore struct{ *store.Store }

func promptTime(i int) time.Time { return testNow.Add(-time.Duration(i+1) * 7 * time.Hour) }

func (s fixedTimeStore) ListPrompts(ctx context.Context, o store.ListOptions) ([]prompt.Prompt, error) {
	ps, err := s.Store.ListPrompts(ctx, o)
	for i := range ps {
		ps[i].UpdatedAt = promptTime(i)
		ps[i].CreatedAt = promptTime(i).Add(-30 * 24 * time.Hour)
	}
	return ps, err
}

func (s fixedTimeStore) Versions(ctx context.Context, name string) ([]prompt.Version, error) {
	vs, err := s.Store.Versions(ctx, name)
	for i := range vs {
		vs[i].Created = testNow.Add(-time.Duration(i)*26*time.Hour - time.Hour)
	}
	return vs, err
}

func (s fixedTimeStore) Resolve(ctx context.Context, ref prompt.Ref) (prompt.Version, error) {
	v, err := s.Store.Resolve(ctx, ref)
	v.Created = testNow.Add(-time.Hour)
	return v, err
}

// openStore opens a fresh store in a temp dir.
func openStore(t testing.TB, opts ...store.Option) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "whet.db"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// seed fills st with a small library: three prompts, one with three
// versions and tags.
func seed(t testing.TB, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	temp := 0.3
	mt := 400
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := st.CreatePrompt(ctx, store.NewPrompt{
		Name: "support/reply", Description: "Reply to a support ticket in the brand voice",
		Labels:   prompt.Labels{"purpose": "support", "tone": "friendly", "team": "cx", "owner": "ana"},
		Defaults: map[string]string{"customer": "Ana", "ticket": "My order never arrived."},
	}, store.NewVersion{
		Messages: []prompt.Message{
			{Role: "system", Content: "You are a support agent for Acme.\nBe brief."},
			{Role: "user", Content: "Customer {{customer}} wrote:\n\n{{ticket}}"},
		},
		Params: prompt.Params{Temperature: &temp},
		Note:   "first draft", Author: "ana",
	})
	must(err)
	_, _, err = st.SaveVersion(ctx, "support/reply", store.NewVersion{
		Messages: []prompt.Message{
			{Role: "system", Content: "You are a friendly support agent for Acme.\nBe brief and kind."},
			{Role: "user", Content: "Customer {{customer}} wrote:\n\n{{ticket}}"},
		},
		Params: prompt.Params{Temperature: &temp, MaxTokens: &mt},
		Note:   "warmer tone", Author: "ana",
	})
	must(err)
	_, _, err = st.SaveVersion(ctx, "support/reply", store.NewVersion{
		Messages: []prompt.Message{
			{Role: "system", Content: "You are a friendly support agent for Acme.\nBe brief and kind.\nNever promise refunds."},
			{Role: "user", Content: "Customer {{customer}} wrote:\n\n{{ticket}}"},
		},
		Params: prompt.Params{Temperature: &temp, MaxTokens: &mt},
		Note:   "policy guard", Author: "bo",
	})
	must(err)
	_, _, err = st.SetTag(ctx, prompt.Ref{Name: "support/reply", Number: 2}, "production", false, nil, "ana")
	must(err)
	_, _, err = st.SetTag(ctx, prompt.Ref{Name: "support/reply", Number: 3}, "staging", false, nil, "ana")
	must(err)
	_, err = st.CreatePrompt(ctx, store.NewPrompt{
		Name: "classify/intent", Description: "Classify a ticket's intent",
		Labels: prompt.Labels{"purpose": "classification", "tone": "neutral", "team": "insights", "owner": "bo"},
	}, store.NewVersion{
		Messages: []prompt.Message{{Role: "user", Content: "Classify the intent of: {{text}}\nAnswer with one word."}},
		Note:     "v1", Author: "bo",
	})
	must(err)
	_, err = st.CreatePrompt(ctx, store.NewPrompt{
		Name: "summarize/notes", Description: "Summarise meeting notes",
		Labels: prompt.Labels{"purpose": "summary", "team": "cx", "owner": "cy"},
	}, store.NewVersion{
		Messages: []prompt.Message{{Role: "system", Content: "Summarise in five bullets."}, {Role: "user", Content: "{{notes}}"}},
		Note:     "v1", Author: "cy",
	})
	must(err)
}

// harness drives the root model directly: each message goes to Update and
// the commands it returns run synchronously, their messages fed back, until
// nothing is left.
type harness struct {
	t     testing.TB
	m     Model
	quit  bool
	execs int // ExecProcess commands seen (not run)
}

func newHarness(t testing.TB, st Store, w, h int, opts ...func(*Deps)) *harness {
	t.Helper()
	h2, init := startHarness(t, st, w, h, opts...)
	h2.run(init)
	return h2
}

// startHarness is newHarness before Init's commands have run (the library
// is still being listed): it returns them.
func startHarness(t testing.TB, st Store, w, h int, opts ...func(*Deps)) (*harness, tea.Cmd) {
	t.Helper()
	d := Deps{Store: st, Author: "tester", ProtectedTags: []string{"production"}, Theme: "dark", DBPath: "/home/u/.local/share/whet/whet.db", Home: "/home/u", Now: func() time.Time { return testNow }}
	for _, o := range opts {
		o(&d)
	}
	m := New(d).(Model)
	m.sh.previewWait = 0
	m.sh.noticeTTL = 0
	m.sh.watchEvery = 0 // a tick would never let the harness settle
	h2 := &harness{t: t, m: m}
	h2.send(tea.WindowSizeMsg{Width: w, Height: h})
	return h2, m.Init()
}

// send delivers msg and everything that follows from it.
func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	queue := []tea.Msg{msg}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 2000 {
			h.t.Fatal("harness: message loop does not settle")
		}
		msg := queue[0]
		queue = queue[1:]
		switch msg := msg.(type) {
		case nil:
			continue
		case tea.QuitMsg:
			h.quit = true
			continue
		case tea.BatchMsg:
			for _, c := range msg {
				queue = append(queue, h.exec(c)...)
			}
			continue
		}
		if fmt.Sprintf("%T", msg) == "tea.execMsg" {
			h.execs++
			continue
		}
		next, cmd := h.m.Update(msg)
		h.m = next.(Model)
		queue = append(queue, h.exec(cmd)...)
	}
}

// exec runs one command with a time limit; a command that does not finish
// (a terminal query) is dropped.
func (h *harness) exec(c tea.Cmd) []tea.Msg {
	if c == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- c() }()
	select {
	case msg := <-done:
		return []tea.Msg{msg}
	case <-time.After(5 * time.Second):
		h.t.Fatal("harness: a command did not return within 5s")
		return nil
	}
}

func (h *harness) run(c tea.Cmd) { h.send(tea.BatchMsg{c}) }

// burst delivers keys as a terminal delivers input that came faster than
// whet handled it (fast typing, a paste, tmux send-keys): each key goes to
// Update before any command an earlier key returned has run; those
// commands run after the last key, their messages fed back as send does.
func (h *harness) burst(names ...string) {
	h.t.Helper()
	h.run(tea.Batch(h.press(names...)...))
}

// key presses one key, named as key.Binding names keys ("ctrl+s", "enter", "j").
func (h *harness) key(names ...string) {
	h.t.Helper()
	for _, n := range names {
		h.send(keyPress(n))
	}
}

// typ types text, one key press per rune (newlines as enter).
func (h *harness) typ(s string) {
	h.t.Helper()
	for _, r := range s {
		if r == '\n' {
			h.send(tea.KeyPressMsg{Code: tea.KeyEnter})
			continue
		}
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// screen is the view as plain text.
func (h *harness) screen() string { return ansi.Strip(h.m.render()) }

func (h *harness) mustSee(parts ...string) {
	h.t.Helper()
	s := h.screen()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			h.t.Fatalf("screen lacks %q:\n%s", p, s)
		}
	}
}

func (h *harness) mustNotSee(parts ...string) {
	h.t.Helper()
	s := h.screen()
	for _, p := range parts {
		if strings.Contains(s, p) {
			h.t.Fatalf("screen shows %q:\n%s", p, s)
		}
	}
}

func storeNewPrompt(name, desc string) store.NewPrompt {
	return store.NewPrompt{Name: name, Description: desc}
}

func storeNewVersion(user string) store.NewVersion {
	return store.NewVersion{Messages: []prompt.Message{{Role: prompt.RoleUser, Content: user}}, Author: "t"}
}

// seededReply opens a store with seed's prompts and returns it with
// support/reply@1, for tests that make runs of it.
func seededReply(t *testing.T) (*store.Store, prompt.Version) {
	t.Helper()
	st := openStore(t)
	seed(t, st)
	v, err := st.Resolve(context.Background(), prompt.Ref{Name: "support/reply", Number: 1})
	if err != nil {
		t.Fatal(err)
	}
	return st, v
}
