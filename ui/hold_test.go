package ui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"whet/prompt"
	"whet/store"
)

// press hands keys to Update as burst does, without running the commands
// they return: whatever they asked for (a list, a run) has not arrived
// yet. The caller runs the commands (h.run(tea.Batch(cmds...))).
func (h *harness) press(names ...string) []tea.Cmd {
	h.t.Helper()
	var cmds []tea.Cmd
	for _, n := range names {
		var msg tea.Msg = keyPress(n)
		if r := []rune(n); len(r) == 1 {
			msg = tea.KeyPressMsg{Code: r[0], Text: n}
		}
		next, cmd := h.m.Update(msg)
		h.m = next.(Model)
		cmds = append(cmds, cmd)
	}
	return cmds
}

// Keys typed while a screen reads what it is about to show wait for it,
// the root's own keys too, and act on it in the order typed, as they do
// on Versions (TestKeysAfterSwitchingKeyReachTheNewScreen).
func TestKeysWaitForTheScreenTheyReach(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	runs := func(t *testing.T) *harness { return onRuns(t, st) }

	t.Run("results filter", func(t *testing.T) {
		h := runs(t)
		// "/" before the run arrived said "no run open", and q quit.
		h.burst("enter", "/", "q")
		if h.quit {
			t.Fatal("q typed into the Results filter quit whet")
		}
		if h.m.active != screenResults || !h.m.results.filtering || h.m.results.filter.Value() != "q" {
			t.Fatalf("on %v the filter (on: %v) holds %q; want Results filtering with %q",
				h.m.active, h.m.results.filtering, h.m.results.filter.Value(), "q")
		}
	})

	t.Run("results row", func(t *testing.T) {
		h := runs(t)
		h.burst("enter", "j", "enter")
		if !h.m.results.drill || h.m.results.row != 1 {
			t.Fatalf("the detail is open: %v, on row %d; want the second row's", h.m.results.drill, h.m.results.row)
		}
	})

	t.Run("runs of another prompt", func(t *testing.T) {
		// Runs lists every run; h on a prompt without runs lists its
		// (none): enter typed right after must not open a run of the
		// list on screen before.
		h := runs(t)
		h.key("a") // every run
		if h.m.history.prompt != "" || len(h.m.history.rows) == 0 {
			t.Fatalf("Runs lists %q", h.m.history.prompt)
		}
		h.key("1", "g")
		if p, _ := h.m.library.selected(); p.Name == "support/reply" {
			t.Fatal("the first prompt has runs")
		}
		h.burst("h", "enter")
		if h.m.active != screenHistory {
			t.Fatalf("enter on an empty list of runs showed %v", h.m.active)
		}
	})

	t.Run("compare", func(t *testing.T) {
		h := runs(t)
		h.burst("C", "c")
		if h.m.active != screenCompare || !h.m.compare.changedOnly {
			t.Fatalf("c after C: on %v, changed only %v", h.m.active, h.m.compare.changedOnly)
		}
	})

	t.Run("drift", func(t *testing.T) {
		h := runs(t)
		// D reads two runs, then shows the drift dialog, which q closes.
		h.burst("D", "q")
		if h.quit {
			t.Fatal("q after D quit whet instead of closing the drift dialog")
		}
		if len(h.m.dialogs) != 0 {
			t.Fatalf("the drift dialog is still open:\n%s", h.screen())
		}
	})

	t.Run("export", func(t *testing.T) {
		h := runs(t)
		h.burst("x", "j")
		d := h.topExport()
		if h.m.history.cursor != 0 || d.src.run == nil || d.src.run.Run.ID != fixtureRun {
			t.Fatalf("j after x moved the list to %d under the export", h.m.history.cursor)
		}
	})

	t.Run("editor", func(t *testing.T) {
		h := newHarness(t, fixedTimeStore{st}, 120, 40)
		h.burst("e", "q", "!")
		if h.quit {
			t.Fatal("q typed into the editor quit whet")
		}
		f := h.m.editor.focused()
		if f.kind != fieldMessage || !strings.Contains(h.m.editor.msgs[f.index].ta.Value(), "q!") {
			t.Fatalf("the editor's focused field %+v does not hold q!:\n%s", f, h.screen())
		}
	})

	t.Run("arena", func(t *testing.T) {
		h := newHarness(t, fixedTimeStore{st}, 120, 40)
		h.key("G") // support/reply, whose variables the Arena asks for
		h.burst("ctrl+r", "tab", "q")
		if h.quit {
			t.Fatal("q typed into the Arena's variables quit whet")
		}
		if h.m.active != screenArena || !h.m.arena.capturesText() || !strings.HasSuffix(h.m.arena.vars[0].input.Value(), "q") {
			t.Fatalf("on %v; want the Arena's first variable to end in q:\n%s", h.m.active, h.screen())
		}
	})

	t.Run("suites", func(t *testing.T) {
		ctx := context.Background()
		if _, err := st.CreateSuite(ctx, prompt.Suite{Name: "tickets", Prompt: "support/reply", Cases: []prompt.Case{
			{Name: "one", Vars: map[string]string{"ticket": "a"}}, {Name: "two", Vars: map[string]string{"ticket": "b"}},
		}}, "tester"); err != nil && !strings.Contains(err.Error(), "exists") {
			t.Fatal(err)
		}
		h := newHarness(t, fixedTimeStore{st}, 120, 40)
		h.burst("8", "enter", "j")
		if h.m.suites.mode != suitesCases || h.m.suites.caseCursor != 1 {
			t.Fatalf("mode %v, case %d; want the suite's cases, on the second", h.m.suites.mode, h.m.suites.caseCursor)
		}
	})
}

// The library holds keys typed before its first list arrives.
func TestKeysWaitForTheLibrary(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h, init := startHarness(t, fixedTimeStore{st}, 100, 30)
	cmds := h.press("j", "enter")
	h.run(tea.Batch(append(cmds, init)...))
	if h.m.active != screenVersions || h.m.versions.name != h.m.library.all[h.m.library.rows[1].idx].Name {
		t.Fatalf("j enter typed as whet started showed %v of %q", h.m.active, h.m.versions.name)
	}
}

// Models holds keys typed before the targets are listed.
func TestKeysWaitForModels(t *testing.T) {
	h, _, _, _, _ := openModels(t, 120, 30)
	h.key("1")
	h.m.models = newModels(h.m.sh, h.m.models.targets).setSize(h.m.models.w, h.m.models.h) // listed again from nothing
	h.burst("9", "j", "j")
	if h.m.models.cursor != 2 {
		t.Fatalf("j j typed as Models opened left the cursor on %d", h.m.models.cursor)
	}
}

// A held key clears an error notice as any key does: raised while it
// waited, the notice goes when the key acts.
func TestHeldKeyClearsAnErrorNotice(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	cmds := h.press("enter", "?")
	h.send(noticeMsg{text: "saving failed", isErr: true})
	if h.notice() != "saving failed" {
		t.Fatalf("notice %q", h.notice())
	}
	h.run(tea.Batch(cmds...))
	if _, ok := h.m.dialogs[len(h.m.dialogs)-1].(*helpDialog); !ok || h.m.active != screenVersions {
		t.Fatalf("? after enter: on %v, top %T", h.m.active, h.m.dialogs[len(h.m.dialogs)-1])
	}
	if h.notice() != "" {
		t.Fatalf("the error notice %q outlived the key that acted after it", h.notice())
	}
}

// esc leaves a screen that is still reading at once; keys held for a
// screen no longer shown are dropped.
func TestEscLeavesAWaitingScreen(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	cmds := h.press("enter", "esc")
	if h.m.active != screenLibrary {
		t.Fatalf("esc while Versions reads showed %v", h.m.active)
	}
	cmds = append(cmds, h.press("enter", "t")...)
	lib := h.m.tabRanges()[0]
	h.send(tea.MouseClickMsg{X: lib[0], Y: 0, Button: tea.MouseLeft}) // the Library's tab
	h.run(tea.Batch(cmds...))
	if h.m.active != screenLibrary || len(h.m.dialogs) != 0 {
		t.Fatalf("t held for Versions acted after a click on the Library: on %v, %d dialogs", h.m.active, len(h.m.dialogs))
	}
}

// esc leaves a screen that waits at once, even behind held keys (a read
// that hangs on a locked database): the held keys are dropped, and the
// answer, when it comes, neither shows the screen left nor acts on it;
// shown again, the screen reads afresh.
func TestEscLeavesAWaitingScreenBehindHeldKeys(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	cursor := h.m.library.cursor
	cmds := h.press("enter", "j", "t") // j and t wait for Versions
	if len(h.m.held) != 2 {
		t.Fatalf("%d keys held; want j and t", len(h.m.held))
	}
	cmds = append(cmds, h.press("esc")...)
	if h.m.active != screenLibrary || len(h.m.held) != 0 {
		t.Fatalf("esc behind held keys: on %v with %d keys held; want the Library, none held", h.m.active, len(h.m.held))
	}
	h.run(tea.Batch(cmds...)) // the versions' answer comes now
	if h.m.active != screenLibrary || len(h.m.dialogs) != 0 || h.m.library.cursor != cursor {
		t.Fatalf("keys held before esc acted: on %v, %d dialogs, cursor %d (was %d)", h.m.active, len(h.m.dialogs), h.m.library.cursor, cursor)
	}
	h.key("j", "2")
	p, _ := h.m.library.selected()
	if h.m.active != screenVersions || h.m.versions.name != p.Name || !h.m.versions.loaded {
		t.Fatalf("2 after esc: on %v, versions of %q (loaded %v); want %q's", h.m.active, h.m.versions.name, h.m.versions.loaded, p.Name)
	}
}

// The answer to a read that esc left opens no dialog and shows no screen
// over the one esc went back to.
func TestEscDropsTheAnswerItLeft(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	ctx := context.Background()
	if _, err := st.CreateSuite(ctx, prompt.Suite{Name: "tickets", Prompt: "support/reply", Cases: []prompt.Case{
		{Name: "one", Vars: map[string]string{"ticket": "a"}},
	}}, "tester"); err != nil {
		t.Fatal(err)
	}
	runs := func(t *testing.T) *harness { return onRuns(t, st) }
	for _, tc := range []struct {
		name  string
		open  func(t *testing.T) *harness
		keys  []string
		want  screenID
		check func(t *testing.T, h *harness)
	}{
		{name: "export", open: runs, keys: []string{"x", "j"}, want: screenLibrary},
		{name: "drift", open: runs, keys: []string{"D"}, want: screenLibrary},
		{name: "results", open: runs, keys: []string{"enter", "j"}, want: screenHistory, check: func(t *testing.T, h *harness) {
			if h.m.history.prompt != "support/reply" || h.m.results.loaded {
				t.Fatalf("back from the run left: Runs of %q, a run open %v; want support/reply's, none", h.m.history.prompt, h.m.results.loaded)
			}
			h.key("6")
			h.mustNotSee("Results · support/reply · run " + fixtureRun)
		}},
		{name: "results over a run", open: func(t *testing.T) *harness {
			// The run shown while another is read stays: 6 shows it again.
			h := runs(t)
			h.key("j", "enter", "5", "k")
			if !h.m.results.loaded || h.m.results.rr.Run.ID != fixtureOldRun {
				t.Fatalf("Results shows %q", h.m.results.rr.Run.ID)
			}
			return h
		}, keys: []string{"enter"}, want: screenHistory, check: func(t *testing.T, h *harness) {
			h.key("6")
			if h.m.active != screenResults || h.m.results.rr.Run.ID != fixtureOldRun {
				t.Fatalf("6 after esc: on %v, run %q; want the run shown before, %s", h.m.active, h.m.results.rr.Run.ID, fixtureOldRun)
			}
		}},
		{name: "compare", open: runs, keys: []string{"C", "c"}, want: screenHistory, check: func(t *testing.T, h *harness) {
			if h.m.compare.loaded || h.m.compare.built {
				t.Fatal("the comparison left with esc was built")
			}
		}},
		{name: "compare over a comparison", open: func(t *testing.T) *harness {
			// The comparison shown while another is read stays: 7 shows it again.
			h := runs(t)
			h.key("C", "c")
			if !h.m.compare.built || h.m.compare.rr.Run.ID != fixtureRun {
				t.Fatalf("Compare shows %q (built %v)", h.m.compare.rr.Run.ID, h.m.compare.built)
			}
			h.key("5", "j")
			return h
		}, keys: []string{"C"}, want: screenHistory, check: func(t *testing.T, h *harness) {
			h.key("7")
			c := h.m.compare
			if h.m.active != screenCompare || !c.built || c.rr.Run.ID != fixtureRun || !c.changedOnly {
				t.Fatalf("7 after esc: on %v, run %q (built %v, changed only %v); want the comparison shown before, %s, changed only",
					h.m.active, c.rr.Run.ID, c.built, c.changedOnly, fixtureRun)
			}
		}},
		{name: "compare over a swap", open: func(t *testing.T) *harness {
			h := runs(t)
			h.key("C")
			return h
		}, keys: []string{"w"}, want: screenHistory, check: func(t *testing.T, h *harness) {
			c := h.m.compare
			if !c.built || c.a.VersionID > c.b.VersionID {
				t.Fatalf("after esc: built %v, A %v, B %v; want the sides shown before the swap", c.built, c.a, c.b)
			}
			h.key("7")
			h.mustSee("A support/reply@1", "B support/reply@2")
		}},
		{name: "suite", open: func(t *testing.T) *harness {
			h := newHarness(t, fixedTimeStore{st}, 120, 40)
			h.key("8")
			return h
		}, keys: []string{"enter"}, want: screenSuites, check: func(t *testing.T, h *harness) {
			if h.m.suites.mode != suitesList {
				t.Fatalf("the suite left with esc opened (mode %v)", h.m.suites.mode)
			}
		}},
		{name: "suites", open: func(t *testing.T) *harness {
			return newHarness(t, fixedTimeStore{st}, 120, 40)
		}, keys: []string{"8", "enter"}, want: screenLibrary, check: func(t *testing.T, h *harness) {
			if h.m.suites.loaded || h.m.suites.mode != suitesList {
				t.Fatalf("the list left with esc came (loaded %v, mode %v)", h.m.suites.loaded, h.m.suites.mode)
			}
		}},
		{name: "arena", open: func(t *testing.T) *harness {
			h := newHarness(t, fixedTimeStore{st}, 120, 40)
			h.key("G")
			return h
		}, keys: []string{"ctrl+r", "tab"}, want: screenLibrary, check: func(t *testing.T, h *harness) {
			h.key("4")
			h.run(tea.Batch(h.press()...))
			if h.m.active != screenArena || !h.m.arena.loaded || h.m.arena.name != "support/reply" {
				t.Fatalf("4 after esc: on %v, the Arena on %q (loaded %v)", h.m.active, h.m.arena.name, h.m.arena.loaded)
			}
		}},
		{name: "editor", open: func(t *testing.T) *harness {
			return newHarness(t, fixedTimeStore{st}, 120, 40)
		}, keys: []string{"e", "x"}, want: screenLibrary, check: func(t *testing.T, h *harness) {
			if h.m.editor.active {
				t.Fatal("the prompt left with esc opened in the editor")
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.open(t)
			cmds := h.press(tc.keys...)
			if !h.m.waits(h.m.active) {
				t.Fatalf("%v does not wait after %v", h.m.active, tc.keys)
			}
			cmds = append(cmds, h.press("esc")...)
			h.run(tea.Batch(cmds...))
			if h.m.active != tc.want || len(h.m.dialogs) != 0 {
				t.Fatalf("after %v esc and the answer: on %v with %d dialogs; want %v, none:\n%s", tc.keys, h.m.active, len(h.m.dialogs), tc.want, h.screen())
			}
			if tc.check != nil {
				tc.check(t, h)
			}
		})
	}
}

// esc while the Library reads its first list drops the keys typed ahead,
// but the list, which there is nothing to go back from, still comes.
func TestEscWhileTheLibraryFirstReads(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h, init := startHarness(t, fixedTimeStore{st}, 100, 30)
	cmds := h.press("j", "enter", "esc")
	h.run(tea.Batch(append(cmds, init)...))
	if h.m.active != screenLibrary || h.m.library.cursor != 0 || len(h.m.library.rows) == 0 {
		t.Fatalf("j enter esc as whet started: on %v, cursor %d, %d prompts listed", h.m.active, h.m.library.cursor, len(h.m.library.rows))
	}
}

// onRuns is a harness on st showing the runs of support/reply, loaded
// (fixtureRun first).
func onRuns(t *testing.T, st *store.Store) *harness {
	t.Helper()
	h := newHarness(t, fixedTimeStore{st}, 120, 40)
	h.key("G", "h")
	if h.m.active != screenHistory || !h.m.history.loaded {
		t.Fatalf("h showed %v", h.m.active)
	}
	return h
}
