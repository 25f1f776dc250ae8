package ui

import (
	"strings"
	"testing"
)

// TestQuitAndBackAreTheSameEverywhere: on every screen that is not taking
// text, q quits and esc goes back; in a text field q is a letter. Help
// says so.
func TestQuitAndBackAreTheSameEverywhere(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	seedSuite(t, st)
	screens := []struct {
		name string
		keys []string
		on   screenID
	}{
		{"library", nil, screenLibrary},
		{"inventory", []string{"i"}, screenLibrary},
		{"versions", []string{"G", "enter"}, screenVersions},
		{"versions diff", []string{"G", "enter", "p"}, screenVersions},
		{"empty editor", []string{"3"}, screenEditor},
		{"arena", []string{"G", "ctrl+r"}, screenArena},
		{"runs", []string{"5"}, screenHistory},
		{"results", []string{"G", "s"}, screenResults},
		{"results cell", []string{"G", "s", "enter"}, screenResults},
		{"compare", []string{"G", "s", "C"}, screenCompare},
		{"suites", []string{"8"}, screenSuites},
		{"suite cases", []string{"8", "enter"}, screenSuites},
	}
	for _, s := range screens {
		t.Run(s.name, func(t *testing.T) {
			h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 120, 34)
			h.key(s.keys...)
			if h.m.active != s.on || len(h.m.dialogs) > 0 {
				t.Fatalf("the keys show %v (%d dialogs), not %v", h.m.active, len(h.m.dialogs), s.on)
			}
			h.key("?")
			h.mustSee("q      quit (esc: back)", "ctrl+c quit, also from a field")
			h.key("esc")
			h.key("q")
			if !h.quit {
				t.Fatalf("q did not quit:\n%s", h.screen())
			}
		})
	}

	// esc goes back, and never quits.
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 120, 34)
	for _, step := range []struct {
		keys []string
		back screenID
	}{
		{[]string{"G", "s", "enter", "esc"}, screenResults}, // the cell, then the matrix
		{[]string{"esc"}, screenHistory},
		{[]string{"esc"}, screenLibrary},
		{[]string{"8", "enter", "esc"}, screenSuites},
		{[]string{"esc"}, screenLibrary}, // the list, as Runs and Models
	} {
		h.key(step.keys...)
		if h.quit || h.m.active != step.back {
			t.Fatalf("after %v: quit %v, on %v; want %v", step.keys, h.quit, h.m.active, step.back)
		}
	}
	if h.m.suites.mode != suitesList {
		t.Fatal("esc did not leave the suite for the list")
	}

	// In a text field q is a letter.
	for _, f := range []struct {
		name  string
		keys  []string
		typed func(*harness) string
	}{
		{"library filter", []string{"1", "/"}, func(h *harness) string { return h.m.library.filter.Value() }},
		{"results filter", []string{"1", "G", "s", "/"}, func(h *harness) string { return h.m.results.filter.Value() }},
		{"editor", []string{"1", "G", "e"}, func(h *harness) string {
			var all string
			for _, m := range h.m.editor.msgs {
				all += m.ta.Value()
			}
			return all
		}},
		{"case form", []string{"8", "enter", "a"}, func(h *harness) string { return h.m.suites.form.name.Value() }},
	} {
		h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 120, 34)
		h.key(f.keys...)
		h.typ("q")
		if h.quit || !strings.Contains(f.typed(h), "q") {
			t.Errorf("%s: q quit %v, typed %q", f.name, h.quit, f.typed(h))
		}
	}
}
