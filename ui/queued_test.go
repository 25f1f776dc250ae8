package ui

import (
	"testing"
)

// topInput is the input dialog on top of the stack; it fails the test
// when there is none.
func (h *harness) topInput() *inputDialog {
	h.t.Helper()
	if len(h.m.dialogs) == 0 {
		h.t.Fatalf("no dialog is open:\n%s", h.screen())
	}
	d, ok := h.m.dialogs[len(h.m.dialogs)-1].(*inputDialog)
	if !ok {
		h.t.Fatalf("the top dialog is a %T, not an input", h.m.dialogs[len(h.m.dialogs)-1])
	}
	return d
}

// Keys typed right after the key that opens a dialog, before whet has
// drawn it, go to the dialog: none reaches the screen underneath (where q
// quits, p diffs, r restores).
func TestKeysAfterOpeningKeyReachTheDialog(t *testing.T) {
	st := openStore(t)
	seed(t, st)

	t.Run("versions tag", func(t *testing.T) {
		h := openVersions(t, st, 100, 30)
		h.burst("t", "q", "a", "p", "r")
		if h.quit {
			t.Fatal("q after t quit whet")
		}
		if got := h.topInput().input.Value(); got != "qapr" {
			t.Fatalf("the tag dialog holds %q; want %q", got, "qapr")
		}
		if h.m.versions.showDiff {
			t.Fatal("p reached the versions screen")
		}
	})

	t.Run("library tag", func(t *testing.T) {
		h := newHarness(t, fixedTimeStore{st}, 100, 30)
		h.burst("t", "q", "a")
		if h.quit {
			t.Fatal("q after t quit whet")
		}
		if got := h.topInput().input.Value(); got != "qa" {
			t.Fatalf("the tag dialog holds %q; want %q", got, "qa")
		}
	})

	t.Run("library rename", func(t *testing.T) {
		h := newHarness(t, fixedTimeStore{st}, 100, 30)
		h.burst("r", "x", "q")
		if h.quit {
			t.Fatal("q after r quit whet")
		}
		if got, want := h.topInput().input.Value(), "classify/intentxq"; got != want {
			t.Fatalf("the rename dialog holds %q; want %q", got, want)
		}
	})

	t.Run("palette", func(t *testing.T) {
		h := newHarness(t, fixedTimeStore{st}, 100, 30)
		h.burst("ctrl+p", "q", "u", "i", "t")
		if h.quit {
			t.Fatal("q after ctrl+p quit whet")
		}
		d, ok := h.m.dialogs[len(h.m.dialogs)-1].(*paletteDialog)
		if !ok || d.input.Value() != "quit" {
			t.Fatalf("the palette is not on top with the query %q: %T", "quit", h.m.dialogs[len(h.m.dialogs)-1])
		}
	})

	t.Run("palette action opening a dialog", func(t *testing.T) {
		h := openVersions(t, st, 100, 30)
		h.key("ctrl+p")
		h.typ("move tag here")
		h.burst("enter", "q", "a")
		if h.quit {
			t.Fatal("q after the palette's action quit whet")
		}
		if got := h.topInput().input.Value(); got != "qa" {
			t.Fatalf("the tag dialog holds %q; want %q", got, "qa")
		}
	})

	t.Run("help", func(t *testing.T) {
		h := newHarness(t, fixedTimeStore{st}, 100, 30)
		h.burst("?", "2")
		if h.m.active != screenLibrary {
			t.Fatalf("2 after ? went to %v under the help", h.m.active)
		}
	})
}

// A dialog that follows another one's answer (the editor's name, then its
// note) is open before a key typed after enter arrives.
func TestKeysAfterAnAnswerReachTheNextDialog(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	h.key("n")
	if h.m.active != screenEditor {
		t.Fatalf("n opened %v", h.m.active)
	}
	h.typ("Say hi")
	h.key("ctrl+s")
	h.typ("team/hello")
	h.burst("enter", "q", "a")
	if h.quit {
		t.Fatal("q after the name quit whet")
	}
	d := h.topInput()
	if d.title != "Note for this version" || d.input.Value() != "qa" {
		t.Fatalf("top dialog %q holds %q; want the note dialog with %q", d.title, d.input.Value(), "qa")
	}
}
