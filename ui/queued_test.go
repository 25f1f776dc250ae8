package ui

import (
	"strings"
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
		h.mustHoldTyped("qapr")
		if h.m.versions.showDiff {
			t.Fatal("p reached the versions screen")
		}
	})

	t.Run("library tag", func(t *testing.T) {
		h := newHarness(t, fixedTimeStore{st}, 100, 30)
		h.burst("t", "q", "a")
		h.mustHoldTyped("qa")
	})

	t.Run("library rename", func(t *testing.T) {
		h := newHarness(t, fixedTimeStore{st}, 100, 30)
		h.burst("r", "x", "q")
		h.mustHoldTyped("classify/intentxq")
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
		h.mustHoldTyped("qa")
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

// Keys typed right after one that changes screen (enter on a prompt, esc
// back, a confirmation's y) go to the screen it shows, not to the one it
// leaves: the switch happens before the next key is read.
func TestKeysAfterSwitchingKeyReachTheNewScreen(t *testing.T) {
	st := openStore(t)
	seed(t, st)

	t.Run("library enter", func(t *testing.T) {
		h := newHarness(t, fixedTimeStore{st}, 100, 30)
		// q, a global key, held with the others while Versions loads.
		h.burst("enter", "t", "q", "x")
		if h.quit {
			t.Fatal("q after enter t quit whet")
		}
		if h.m.active != screenVersions {
			t.Fatalf("enter showed %v", h.m.active)
		}
		d := h.topInput()
		if !strings.HasPrefix(d.title, "Move a tag") || d.input.Value() != "qx" {
			t.Fatalf("top dialog %q holds %q; want the Versions tag dialog with %q", d.title, d.input.Value(), "qx")
		}
	})

	t.Run("library enter q", func(t *testing.T) {
		// The root's own key, held while Versions loads, still acts.
		h := newHarness(t, fixedTimeStore{st}, 100, 30)
		h.burst("enter", "q")
		if !h.quit {
			t.Fatal("q after enter did not quit")
		}
	})

	t.Run("versions esc", func(t *testing.T) {
		h := openVersions(t, st, 100, 30)
		h.burst("esc", "t")
		if h.m.active != screenLibrary {
			t.Fatalf("esc showed %v", h.m.active)
		}
		if d := h.topInput(); !strings.HasPrefix(d.title, "Tag ") {
			t.Fatalf("top dialog is %q; want the Library's tag dialog", d.title)
		}
	})

	t.Run("library h then esc", func(t *testing.T) {
		h := newHarness(t, fixedTimeStore{st}, 100, 30)
		h.burst("h", "esc", "t")
		if h.m.active != screenLibrary {
			t.Fatalf("h then esc showed %v", h.m.active)
		}
		if d := h.topInput(); !strings.HasPrefix(d.title, "Tag ") {
			t.Fatalf("top dialog is %q; want the Library's tag dialog", d.title)
		}
	})
}

// A confirmation's answer acts before a key typed after it arrives: y on
// "Close the editor?" shows the Library, where t tags, rather than typing
// t in the editor it closes.
func TestKeysAfterAConfirmationAnswer(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	dirtyEditor := func(t *testing.T) *harness {
		h := newHarness(t, fixedTimeStore{st}, 100, 30)
		h.key("n")
		h.typ("Say hi")
		h.key("esc")
		if c := h.topConfirm(); c.title != "Close the editor?" {
			t.Fatalf("esc asked %q", c.title)
		}
		return h
	}

	t.Run("yes", func(t *testing.T) {
		h := dirtyEditor(t)
		h.burst("y", "t")
		if h.m.active != screenLibrary {
			t.Fatalf("y showed %v", h.m.active)
		}
		if d := h.topInput(); !strings.HasPrefix(d.title, "Tag ") {
			t.Fatalf("top dialog is %q; want the Library's tag dialog", d.title)
		}
	})
}

// mustHoldTyped fails unless whet is still running and the dialog on top
// holds want: the keys typed after the one that opened it reached it.
func (h *harness) mustHoldTyped(want string) {
	h.t.Helper()
	if h.quit {
		h.t.Fatal("a q typed into the dialog quit whet")
	}
	if got := h.topInput().input.Value(); got != want {
		h.t.Fatalf("the dialog holds %q; want %q", got, want)
	}
}
