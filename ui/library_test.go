package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"whet/prompt"
	"whet/store"
)

func TestLibraryListsPrompts(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	if h.m.active != screenLibrary {
		t.Fatalf("active screen = %v; want Library", h.m.active)
	}
	h.mustSee("classify/intent", "support/reply", "summarize/notes", "3 prompts",
		"v3", "production@2,stag", // tags of support/reply, production first
		"7h ago", "14h ago", "21h ago") // fixed times by name order
	// The preview shows the selected (first) prompt's latest version.
	h.mustSee("Classify the intent of:", "{{text}}")
	if got := h.m.sh.promptCount; got != 3 {
		t.Errorf("status prompt count = %d; want 3", got)
	}
}

func TestLibraryKeys(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	tests := []struct {
		name  string
		keys  []string
		typed string
		check func(t *testing.T, h *harness)
	}{
		{"down selects the next prompt and previews it", []string{"j", "j"}, "", func(t *testing.T, h *harness) {
			p, _ := h.m.library.selected()
			if p.Name != "support/reply" {
				t.Fatalf("selected %q", p.Name)
			}
			h.mustSee("Never promise refunds.", "{{customer}}")
		}},
		{"G goes to the bottom, g to the top", []string{"G"}, "", func(t *testing.T, h *harness) {
			if p, _ := h.m.library.selected(); p.Name != "support/reply" {
				t.Fatalf("after G selected %q", p.Name)
			}
			h.key("g")
			if p, _ := h.m.library.selected(); p.Name != "classify/intent" {
				t.Fatalf("after g selected %q", p.Name)
			}
		}},
		{"slash filters fuzzily and esc clears", []string{"/"}, "sprep", func(t *testing.T, h *harness) {
			if !h.m.capturesText() {
				t.Fatal("the filter should take typed text")
			}
			h.mustSee("support/reply", "1 of 3")
			h.mustNotSee("classify/intent")
			h.key("esc")
			h.mustSee("classify/intent", "3 prompts")
			if h.m.capturesText() {
				t.Fatal("esc should leave the filter")
			}
		}},
		{"a key=value term filters by label, the rest fuzzily", []string{"/"}, "Owner=B", func(t *testing.T, h *harness) {
			h.mustSee("classify/intent", "1 of 3")
			h.mustNotSee("support/reply", "summarize/notes")
			h.typ(" team=c")
			h.mustSee("no prompt matches")
			for range len("Owner=B team=c") {
				h.key("backspace")
			}
			h.typ("team=cx notes")
			h.mustSee("summarize/notes", "1 of 3")
			h.mustNotSee("support/reply")
		}},
		{"enter keeps the filter and returns to the list", []string{"/"}, "notes", func(t *testing.T, h *harness) {
			h.key("enter")
			if h.m.capturesText() {
				t.Fatal("enter should leave the filter input")
			}
			h.mustSee("summarize/notes", "1 of 3")
			// q now quits rather than typing.
			h.key("q")
			if !h.quit {
				t.Fatal("q did not quit")
			}
		}},
		{"typing q in the filter does not quit", []string{"/"}, "q", func(t *testing.T, h *harness) {
			if h.quit {
				t.Fatal("q in the filter quit the program")
			}
			h.mustSee("no prompt matches")
		}},
		{"filter matches label values", []string{"/"}, "insights", func(t *testing.T, h *harness) {
			h.mustSee("classify/intent", "1 of 3")
		}},
		{"a paste filters too", []string{"/"}, "", func(t *testing.T, h *harness) {
			h.send(tea.PasteMsg{Content: "notes"})
			h.mustSee("summarize/notes", "1 of 3")
		}},
		{"enter opens the versions of the selected prompt", []string{"G", "enter"}, "", func(t *testing.T, h *harness) {
			if h.m.active != screenVersions || h.m.versions.name != "support/reply" {
				t.Fatalf("active %v, versions of %q", h.m.active, h.m.versions.name)
			}
			h.mustSee("support/reply · 3 versions", "policy guard", "warmer tone", "first draft")
		}},
		{"e opens the editor on the latest version", []string{"G", "e"}, "", func(t *testing.T, h *harness) {
			if h.m.active != screenEditor || h.m.editor.name != "support/reply" || h.m.editor.baseVersion != 3 {
				t.Fatalf("active %v editing %q v%d", h.m.active, h.m.editor.name, h.m.editor.baseVersion)
			}
		}},
		{"n opens the editor on a new prompt", []string{"n"}, "", func(t *testing.T, h *harness) {
			if h.m.active != screenEditor || !h.m.editor.isNew {
				t.Fatalf("active %v new %v", h.m.active, h.m.editor.isNew)
			}
			h.mustSee("new prompt", "SYSTEM", "USER")
		}},
		{"i shows the inventory by team and owner", []string{"i"}, "", func(t *testing.T, h *harness) {
			h.mustSee("Inventory", "team cx", "owner ana", "team insights", "owner bo", "never run")
			// What is live beside the latest version: the protected tags.
			h.mustSee("support/reply   v3   production@2 never run")
			h.mustNotSee("staging@3")
			// The status bar says what i does here: it closes the view.
			h.mustSee("i/esc back to the list")
			h.mustNotSee("i inventory")
			h.key("i")
			h.mustNotSee("Inventory")
			h.key("i", "esc")
			h.mustNotSee("Inventory")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, fixedTimeStore{st}, 120, 30)
			h.key(tc.keys...)
			h.typ(tc.typed)
			tc.check(t, h)
		})
	}
}

func TestLibraryFacets(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("f")
	if len(h.m.dialogs) != 1 {
		t.Fatal("f did not open the facet picker")
	}
	// The first facet is purpose; f cycles to tone, then team.
	h.mustSee("Filter by label", "purpose", "classification", "support", "summary")
	h.key("f", "f")
	if k := h.m.dialogs[0].(*facetDialog).key(); k != "team" {
		t.Fatalf("f twice shows the %q facet; want team", k)
	}
	h.mustSee("cx", "insights")
	h.key("enter") // cx is the most used team
	h.mustSee("team=cx", "support/reply", "summarize/notes", "2 of 3")
	h.mustNotSee("classify/intent")
	// The picker marks the active value; choosing it again turns it off.
	h.key("f", "f", "f")
	h.mustSee("team=cx", "✓ cx")
	h.key("enter")
	h.mustSee("3 prompts")
	// F clears every filter.
	h.key("f", "enter")
	h.mustSee("1 of 3")
	h.key("F")
	h.mustSee("classify/intent", "3 prompts")

	// Each facet ends with the prompts that lack the label: summarize/notes
	// has no tone.
	h.key("f", "f")
	h.mustSee("(no tone)")
	h.key("j", "j", "enter")
	h.mustSee("no tone", "summarize/notes", "1 of 3")
	h.mustNotSee("support/reply", "classify/intent")
	// Only the chosen value is marked, and choosing it again turns it off.
	h.key("f")
	h.mustNotSee("✓")
	h.key("f")
	h.mustSee("✓ (no tone)")
	h.key("j", "j", "enter")
	h.mustSee("3 prompts")
}

func TestLibraryTagAndArchive(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	ctx := context.Background()
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("G", "t") // support/reply
	h.typ("canary")
	h.key("enter")
	v, err := st.Resolve(ctx, prompt.Ref{Name: "support/reply", Tag: "canary"})
	if err != nil || v.Number != 3 {
		t.Fatalf("canary -> v%d, %v; want v3", v.Number, err)
	}
	h.mustSee("tagged support/reply@3 canary")

	// Moving the protected tag asks first, then forces.
	h.key("t")
	h.typ("production")
	h.key("enter")
	h.mustSee("Move protected tag production?")
	h.key("y")
	v, _ = st.Resolve(ctx, prompt.Ref{Name: "support/reply", Tag: "production"})
	if v.Number != 3 {
		t.Fatalf("production -> v%d after forcing; want v3", v.Number)
	}
	h.mustSee("moved production of support/reply from v2 to v3")

	// An invalid tag is refused in the dialog, stating the rule.
	h.key("t")
	h.typ("v9")
	h.key("enter")
	h.mustSee("invalid tag")
	h.key("esc")

	// Archive asks, then removes the prompt from the list.
	h.key("a")
	h.mustSee("Archive support/reply?")
	if body := h.topConfirm().body; strings.Contains(body, "(s)") || !strings.Contains(body, "its 3 versions, tags") {
		t.Fatalf("archive question: %s", body)
	}
	h.key("n")
	h.mustSee("support/reply")
	h.key("a", "y")
	h.mustSee("2 prompts", "archived support/reply")
	for _, p := range h.m.library.all {
		if p.Name == "support/reply" {
			t.Fatal("the archived prompt is still listed")
		}
	}

	// A lists archived prompts too, marked; they cannot be edited until a
	// brings them back.
	h.key("A")
	h.mustSee("3 prompts · 1 archived", "archived prompts are listed")
	h.key("G")
	if p, _ := h.m.library.selected(); p.Name != "support/reply" || !p.Archived {
		t.Fatalf("selected %+v, want the archived support/reply", p)
	}
	if !strings.Contains(h.screen(), "support/reply") || !strings.Contains(h.screen(), "v3   archived support") {
		t.Fatalf("the archived row is not marked:\n%s", h.screen())
	}
	h.key("e")
	if got := h.notice(); got != "support/reply is archived: a brings it back to the library first" || h.m.active != screenLibrary {
		t.Fatalf("e on an archived prompt: notice %q, screen %v", got, h.m.active)
	}
	h.key("a")
	if p, err := st.GetPrompt(ctx, "support/reply"); err != nil || p.Archived {
		t.Fatalf("after a on the archived prompt: %+v, %v", p, err)
	}
	h.mustSee("brought support/reply back to the library", "3 prompts · 0 archived")
	h.key("A")
	h.mustSee("3 prompts", "archived prompts are hidden")
	h.mustNotSee("· 0 archived")
}

func TestLibraryMouse(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	// Rows start under the tabs (2), the filter bar (1) and the header (1).
	h.send(tea.MouseClickMsg{X: 5, Y: 2 + 1 + 1 + 2, Button: tea.MouseLeft})
	if p, _ := h.m.library.selected(); p.Name != "support/reply" {
		t.Fatalf("click on the third row selected %q", p.Name)
	}
	h.send(tea.MouseWheelMsg{X: 5, Y: 8, Button: tea.MouseWheelUp})
	if p, _ := h.m.library.selected(); p.Name != "summarize/notes" {
		t.Fatalf("wheel up selected %q", p.Name)
	}
	// A click on the Versions tab switches to it.
	r := h.m.tabRanges()[screenVersions]
	h.send(tea.MouseClickMsg{X: r[0] + 1, Y: 0, Button: tea.MouseLeft})
	if h.m.active != screenVersions || h.m.versions.name != "summarize/notes" {
		t.Fatalf("tab click: active %v versions of %q", h.m.active, h.m.versions.name)
	}
}

func TestLibraryDropsStaleAnswers(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	// An answer to an old list request must not replace the list.
	old := libraryLoadedMsg{id: h.m.library.listReq - 1, prompts: []prompt.Prompt{{Name: "stale/prompt"}}}
	h.send(old)
	h.mustNotSee("stale/prompt")
	// A preview answer for another request is ignored too.
	h.send(previewLoadedMsg{id: h.m.library.previewReq + 5, key: h.m.library.previewFor, rendered: "STALE PREVIEW"})
	h.mustNotSee("STALE PREVIEW")
}

func TestSanitizeStripsControls(t *testing.T) {
	in := "ok\x1b[31mred\x1b[0m\x07bell\x1b]0;title\x07\ttab\nnext\r\x9b"
	got := sanitize(in)
	if strings.ContainsAny(got, "\x1b\x07\r") || strings.ContainsRune(got, '\u009b') {
		t.Fatalf("sanitize left controls: %q", got)
	}
	if got != "okredbell\ttab\nnext\n" {
		t.Fatalf("sanitize = %q", got)
	}
	if sanitize("plain text\n") != "plain text\n" {
		t.Fatal("sanitize changed plain text")
	}
}

func TestPromptTextIsSanitisedOnScreen(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	_, err := st.CreatePrompt(ctx, storeNewPrompt("evil/prompt", "desc \x1b[2Jcleared"),
		storeNewVersion("hello \x1b]52;c;aGk=\x07 world \x1b[31mred"))
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	raw := h.m.render()
	for _, bad := range []string{"\x1b[2J", "\x1b]52", "\a"} {
		if strings.Contains(raw, bad) {
			t.Fatalf("screen holds %q from prompt text", bad)
		}
	}
	h.mustSee("hello", "world", "red")
}

func TestLibraryRename(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	// Versions, the Editor, the Arena and Runs hold the prompt's name: they
	// follow it.
	h.key("G", "enter")
	h.mustSee("support/reply")
	h.key("esc", "e")
	h.send(arenaOpenMsg{name: "support/reply"})
	h.send(historyOpenMsg{prompt: "support/reply"})
	h.key("1")
	if h.m.editor.name != "support/reply" || h.m.arena.name != "support/reply" || h.m.history.prompt != "support/reply" {
		t.Fatalf("before: editor %q, arena %q, runs %q", h.m.editor.name, h.m.arena.name, h.m.history.prompt)
	}
	h.key("r")
	h.mustSee("Rename support/reply", "› support/reply", "Refs to the")

	// A name the rules refuse, then one another prompt has (ignoring case):
	// each refusal shows in the dialog, which stays for another try.
	h.key("ctrl+u")
	h.typ("bad name!")
	h.key("enter")
	h.mustSee("Rename support/reply", `invalid prompt name "bad name!"`)
	inputErr := func() string {
		t.Helper()
		if len(h.m.dialogs) != 1 {
			t.Fatalf("dialogs = %d", len(h.m.dialogs))
		}
		return h.m.dialogs[0].(*inputDialog).err
	}
	h.key("ctrl+u")
	h.typ("Classify/Intent")
	h.key("enter")
	h.mustSee("Rename support/reply", `prompt "Classify/Intent" already exists as "classify/intent"`)
	if got := inputErr(); got != `prompt "Classify/Intent" already exists as "classify/intent" (names ignore case)` {
		t.Fatalf("refusal = %q", got)
	}

	h.key("ctrl+u")
	h.typ("cx/reply")
	h.key("enter")
	if len(h.m.dialogs) != 0 {
		t.Fatalf("the dialog stayed after the rename")
	}
	if got := h.notice(); got != "renamed support/reply to cx/reply" {
		t.Errorf("notice = %q", got)
	}
	if p, _ := h.m.library.selected(); p.Name != "cx/reply" || p.Latest != 3 {
		t.Errorf("selected after rename = %q v%d", p.Name, p.Latest)
	}
	h.mustSee("▌ cx/reply", "3 prompts")
	if h.m.library.hasName("support/reply") {
		t.Error("the old name is still listed")
	}
	if h.m.versions.name != "cx/reply" || h.m.editor.name != "cx/reply" || h.m.arena.name != "cx/reply" || h.m.history.prompt != "cx/reply" {
		t.Errorf("after: versions %q, editor %q, arena %q, runs %q", h.m.versions.name, h.m.editor.name, h.m.arena.name, h.m.history.prompt)
	}
	a, err := st.Audit(ctx, "cx/reply", 1)
	if err != nil || len(a) != 1 || a[0].Action != "rename" || a[0].Before != "support/reply" || a[0].Who != "tester" {
		t.Errorf("audit = %+v, %v", a, err)
	}

	// The same name again changes nothing.
	h.key("r", "enter")
	if got := h.notice(); got != "the name stays cx/reply" || len(h.m.dialogs) != 0 {
		t.Errorf("same name: notice %q, %d dialogs", got, len(h.m.dialogs))
	}

	// A filter that would hide the new name is cleared, so that the
	// renamed prompt stays selected.
	h.key("/")
	h.typ("reply")
	h.key("enter", "r", "ctrl+u")
	h.typ("cx/answer")
	h.key("enter")
	h.mustSee("▌ cx/answer", "3 prompts")
	if got := h.notice(); !strings.Contains(got, "cleared the filters") {
		t.Errorf("notice = %q", got)
	}

	// An archived prompt keeps its name out of sight: the refusal says so.
	if err := st.Archive(ctx, "summarize/notes", "t"); err != nil {
		t.Fatal(err)
	}
	h.key("R")
	h.mustSee("2 prompts")
	h.key("r", "ctrl+u")
	h.typ("summarize/notes")
	h.key("enter")
	if got := inputErr(); got != `prompt "summarize/notes" already exists: it is archived (unarchive it to see it, or rename it first)` {
		t.Errorf("refusal = %q", got)
	}
	h.key("esc")
	if len(h.m.dialogs) != 0 {
		t.Fatal("esc did not close the dialog")
	}

	// r is in the help and the palette, like every action.
	h.key("?")
	h.mustSee("rename")
	h.key("esc", "ctrl+p")
	h.typ("library rename")
	h.key("enter")
	h.mustSee("Rename cx/answer", "› cx/answer")
}

// TestLibraryRenameTakesThePromptsSuite: r renames the prompt's own suite
// (named like it: its prompt file's cases) with it, open in Suites too;
// when a suite has the new name, the notice says the prompt's keeps its
// own.
func TestLibraryRenameTakesThePromptsSuite(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	seed(t, st)
	cases := []prompt.Case{{Name: "refund", Vars: map[string]string{"ticket": "refund"}}}
	for _, su := range []prompt.Suite{{Name: "support/reply", Prompt: "support/reply", Cases: cases}, {Name: "taken"}} {
		if _, err := st.CreateSuite(ctx, su, "t"); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	// The suite is open in Suites.
	h.key("8")
	h.mustSee("support/reply")
	h.key("enter")
	if h.m.suites.draft.Name != "support/reply" {
		t.Fatalf("open suite = %q", h.m.suites.draft.Name)
	}
	h.key("1", "G", "r", "ctrl+u")
	h.typ("cx/reply")
	h.key("enter")
	if got := h.notice(); got != "renamed support/reply to cx/reply, and its suite" {
		t.Errorf("notice = %q", got)
	}
	if su, err := st.GetSuite(ctx, "cx/reply"); err != nil || su.Prompt != "cx/reply" || len(su.Cases) != 1 {
		t.Fatalf("suite cx/reply = %+v, %v", su, err)
	}
	if d := h.m.suites.draft; d.Name != "cx/reply" || d.Prompt != "cx/reply" {
		t.Errorf("the open suite is %q of %q", d.Name, d.Prompt)
	}

	h.key("r", "ctrl+u")
	h.typ("taken")
	h.key("enter")
	if got := h.notice(); got != "renamed cx/reply to taken; its suite keeps the name cx/reply: a suite named taken exists" {
		t.Errorf("notice = %q", got)
	}
	if su, err := st.GetSuite(ctx, "cx/reply"); err != nil || su.Prompt != "taken" {
		t.Errorf("suite cx/reply = %+v, %v", su, err)
	}
	if d := h.m.suites.draft; d.Name != "cx/reply" || d.Prompt != "taken" {
		t.Errorf("the open suite is %q of %q", d.Name, d.Prompt)
	}
}

// The list's labels column drops audience and tone before it cuts the
// owner off: who a prompt belongs to stays in view.
func TestLabelValuesKeepTheOwner(t *testing.T) {
	l := prompt.Labels{"purpose": "support", "tone": "friendly", "audience": "customers", "team": "cx", "owner": "ana"}
	for _, c := range []struct {
		w    int
		want string
	}{
		{0, "support · friendly · customers · cx · ana"},
		{60, "support · friendly · customers · cx · ana"},
		{30, "support · friendly · cx · ana"},
		{20, "support · cx · ana"},
		{9, "cx · ana"},
		{3, "ana"},
	} {
		if got := labelValues(l, c.w); got != c.want {
			t.Errorf("labelValues(%d) = %q, want %q", c.w, got, c.want)
		}
	}
	if got := labelValues(prompt.Labels{"purpose": "support", "region": "eu", "owner": "bo"}, 12); got != "support · bo" {
		t.Errorf("other keys go before purpose: %q", got)
	}
}

// A rename to another top folder says when the team label named the
// folder the prompt left: labels do not follow a rename.
func TestLibraryRenameSaysTheTeamLabelStays(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	seed(t, st)
	if err := st.SetLabels(ctx, "classify/intent", prompt.Labels{"team": "classify"}, nil, "ana"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("r", "ctrl+u")
	h.typ("triage/intent")
	h.key("enter")
	if got, want := h.notice(), "renamed classify/intent to triage/intent; its label is still team=classify"; got != want {
		t.Errorf("notice = %q, want %q", got, want)
	}
}

// A dialog's key hint longer than the dialog goes on more lines: the
// facet picker's ends with esc close, at every size.
func TestDialogHintIsWrappedNotCut(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	for _, sz := range [][2]int{{60, 20}, {120, 40}} {
		h := newHarness(t, fixedTimeStore{st}, sz[0], sz[1])
		h.key("f")
		h.mustSee("enter toggle", "x clear all", "esc close")
		assertFits(t, h.screen(), sz[0], sz[1])
	}
	if got := strings.Join(packHint("a one · b two · c three", 13), "|"); got != "a one · b two|c three" {
		t.Fatalf("packHint = %q", got)
	}
}

// At 120 columns, beside the preview, a prompt with many tags does not
// push the labels column off every row: team and owner stay in view.
func TestLibraryLongTagsLeaveRoomForLabels(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	ctx := context.Background()
	for i, tag := range []string{"production", "staging", "canary"} {
		if _, _, err := st.SaveVersion(ctx, "support/reply", storeNewVersion("Reply to {{ticket}} #"+itoa(i))); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.SetTag(ctx, prompt.Ref{Name: "support/reply", Number: i + 1}, tag, true, nil, "t"); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 40)
	h.mustSee("LABELS", "cx · ana", "production@1")
	assertFits(t, h.screen(), 120, 40)
}

// At 120 columns, the preview beside the list, a prompt's name of 27
// characters (the starter library's classify/sentiment-few-shot) reads
// whole: the labels give it room and still show the owner.
func TestLibraryNamesReadWholeBesideThePreview(t *testing.T) {
	st := openStore(t)
	if msg := importStarter(context.Background(), st, starterFS(), "tester"); msg.err != nil {
		t.Fatal(msg.err)
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 40)
	if l := lineWith(h.screen(), "▌ classify/sentiment-few-s"); !strings.Contains(l, "▌ classify/sentiment-few-shot v1") || !strings.Contains(l, "starter") {
		t.Fatalf("the name is cut or the owner left the row:\n%s", h.screen())
	}
}

// damagedListStore lists prompts from a damaged page of the database.
type damagedListStore struct{ fixedTimeStore }

func (damagedListStore) ListPrompts(context.Context, store.ListOptions) ([]prompt.Prompt, error) {
	return nil, errors.New("database disk image is malformed (11)")
}

// A library that cannot be read because the database file is damaged
// says which file, on the screen and in the status bar (what to do
// follows where there is room), not SQLite's bare "database disk image
// is malformed (11)".
func TestLibraryOfADamagedFileSaysWhichFile(t *testing.T) {
	st := openStore(t)
	h := newHarness(t, damagedListStore{fixedTimeStore{st}}, 120, 30)
	h.mustSee("database " + st.Path() + ": the file is damaged")
	if strings.Contains(h.screen(), "(11)") {
		t.Errorf("the screen quotes SQLite's code:\n%s", h.screen())
	}
}
