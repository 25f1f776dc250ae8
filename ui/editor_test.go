package ui

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"whet/prompt"
	"whet/store"
	"whet/themes"
)

func TestEditorNewPrompt(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	if h.m.active != screenWelcome {
		t.Fatalf("an empty store shows %v; want the welcome screen", h.m.active)
	}
	h.key("n")
	if h.m.active != screenEditor || !h.m.editor.isNew {
		t.Fatal("n on the welcome screen did not open a new prompt")
	}
	if f := h.m.editor.focused(); f.kind != fieldMessage || f.index != 0 {
		t.Fatalf("focus starts on %+v; want the system message", f)
	}
	h.typ("You answer in {{lang}}.")
	h.key("tab")
	h.typ("Translate: {{text}}")
	h.mustSee("VARIABLES", "lang", "text", "● modified")
	// Both variables lack sample values: lint says so.
	if !hasLint(h.m.editor.lints, prompt.LintUnknownVar) {
		t.Fatalf("lints = %v; want an unknown-var warning", h.m.editor.lints)
	}
	// It points at the section the values go in here, not the file's key.
	if scr := h.screen(); !strings.Contains(scr, "{{lang}} has no sample value;") || !strings.Contains(scr, "give it one under VARIABLES") || strings.Contains(scr, "under vars") {
		t.Errorf("the unknown-var lint does not point at VARIABLES:\n%s", scr)
	}
	// tab through params (5) and labels to the first variable.
	h.key("tab")
	h.typ("0.2") // temperature
	h.key("tab", "tab", "tab", "tab", "tab")
	h.typ("purpose=translation team=loc")
	h.key("tab")
	h.typ("French")
	h.key("tab")
	h.typ("Hello")
	if hasLint(h.m.editor.lints, prompt.LintUnknownVar) {
		t.Fatalf("lints = %v after filling the samples", h.m.editor.lints)
	}
	h.key("ctrl+s")
	h.mustSee("Name the new prompt", "letters, digits")
	h.typ("bad name")
	h.key("enter")
	h.mustSee("invalid prompt name", "a name is 1-128 letters")
	for range "bad name" {
		h.key("backspace")
	}
	h.typ("loc/translate")
	h.key("enter")
	h.mustSee("Note for this version", "Creating loc/translate at version 1")
	h.typ("first cut")
	h.key("enter")
	h.mustSee("saved loc/translate@1", "✓ saved")
	if h.m.editor.dirty() || h.m.editor.isNew {
		t.Fatal("the editor is still dirty or new after saving")
	}
	p, err := st.GetPrompt(ctx, "loc/translate")
	if err != nil {
		t.Fatal(err)
	}
	if p.Labels["purpose"] != "translation" || p.Labels["team"] != "loc" || p.Defaults["lang"] != "French" || p.Defaults["text"] != "Hello" {
		t.Fatalf("stored prompt: labels %v defaults %v", p.Labels, p.Defaults)
	}
	v, _ := st.Resolve(ctx, prompt.Ref{Name: "loc/translate"})
	if v.Note != "first cut" || v.Author != "tester" || len(v.Messages) != 2 || v.Messages[1].Content != "Translate: {{text}}" ||
		v.Params.Temperature == nil || *v.Params.Temperature != 0.2 {
		t.Fatalf("stored version: %+v", v)
	}
	// The library now lists it, and leaving the welcome screen for good.
	h.key("esc")
	if h.m.active != screenLibrary {
		t.Fatalf("after closing the editor: %v", h.m.active)
	}
	h.mustSee("loc/translate")
}

func hasLint(ls []prompt.Lint, code string) bool {
	for _, l := range ls {
		if l.Code == code {
			return true
		}
	}
	return false
}

// editSupport opens the editor on support/reply@3.
func editSupport(t *testing.T, w, hgt int) (*harness, func() []prompt.Version) {
	t.Helper()
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, w, hgt)
	h.key("G", "e")
	if h.m.active != screenEditor || h.m.editor.name != "support/reply" {
		t.Fatal("could not open the editor")
	}
	return h, func() []prompt.Version {
		vs, err := st.Versions(context.Background(), "support/reply")
		if err != nil {
			t.Fatal(err)
		}
		return vs
	}
}

func TestEditorSaveVersion(t *testing.T) {
	h, versions := editSupport(t, 120, 30)
	// Focus starts on the user message.
	if f := h.m.editor.focused(); f.kind != fieldMessage || f.index != 1 {
		t.Fatalf("focus %+v; want the user message", f)
	}
	h.mustSee("support/reply · from v3", "✓ saved")
	h.key("ctrl+s")
	h.mustSee("no changes to save")
	h.key("end") // textarea: end of line
	h.typ(" Please.")
	h.mustSee("● modified")
	h.key("ctrl+s")
	h.mustSee("Note for this version")
	h.typ("ask politely")
	h.key("enter")
	vs := versions()
	if len(vs) != 4 || vs[0].Note != "ask politely" || !strings.HasSuffix(vs[0].Messages[0].Content, "Please.") && !strings.Contains(vs[0].Messages[1].Content, "Please.") {
		t.Fatalf("after save: %d versions, newest %+v", len(vs), vs[0])
	}
	h.mustSee("saved support/reply@4", "from v4")
	// Typing and deleting the same text leaves nothing to save.
	h.typ("x")
	h.key("backspace")
	if h.m.editor.dirty() {
		t.Fatal("typing and deleting a character left the editor dirty")
	}
}

func TestEditorLabelsOnlyMakesNoVersion(t *testing.T) {
	h, versions := editSupport(t, 120, 30)
	// Jump to the labels field: messages (2) + params (5).
	h.key("tab", "tab", "tab", "tab", "tab", "tab")
	if f := h.m.editor.focused(); f.kind != fieldLabels {
		t.Fatalf("focus %+v; want labels", f)
	}
	h.key("end")
	h.typ(" audience=customers")
	h.key("ctrl+s")
	h.typ("labels")
	h.key("enter")
	if n := len(versions()); n != 3 {
		t.Fatalf("a labels-only change made version %d", n)
	}
	h.mustSee("no new version", "labels and sample values saved")
	p, _ := h.m.sh.store.GetPrompt(context.Background(), "support/reply")
	if p.Labels["audience"] != "customers" || p.Labels["tone"] != "friendly" {
		t.Fatalf("labels = %v", p.Labels)
	}
}

func TestEditorParamValidation(t *testing.T) {
	h, versions := editSupport(t, 120, 30)
	h.key("tab") // temperature
	if f := h.m.editor.focused(); f.kind != fieldParam || f.index != 0 {
		t.Fatalf("focus %+v; want temperature", f)
	}
	h.key("ctrl+u") // clear the field
	h.typ("3")
	h.mustSee("3 is out of range 0..2")
	h.key("ctrl+s")
	if len(h.m.dialogs) != 0 {
		t.Fatal("ctrl+s with a bad param opened a dialog")
	}
	h.mustSee("param temperature: 3 is out of")
	h.key("backspace")
	h.typ("0.9")
	if e := h.m.editor.paramErr[0]; e != "" {
		t.Fatalf("temperature 0.9 still has an error: %s", e)
	}
	h.key("tab", "tab", "tab", "tab") // stop
	h.typ(`["END","STOP"]`)
	h.key("ctrl+s")
	h.typ("hotter")
	h.key("enter")
	v := versions()[0]
	if v.Number != 4 || *v.Params.Temperature != 0.9 || strings.Join(v.Params.Stop, "|") != "END|STOP" || *v.Params.MaxTokens != 400 {
		t.Fatalf("saved params: %v", v.Params.Lines())
	}
}

func TestEditorInvalidParamIsAnEdit(t *testing.T) {
	h, _ := editSupport(t, 120, 30)
	h.key("tab", "tab", "tab", "tab") // seed, empty in the saved version
	if f := h.m.editor.focused(); f.kind != fieldParam || f.index != 3 {
		t.Fatalf("focus %+v; want seed", f)
	}
	h.typ("abc")
	// A value that does not parse is still an edit: leaving asks first.
	if !h.m.editor.dirty() {
		t.Fatal("an invalid param value left the draft unmodified")
	}
	h.key("esc")
	h.mustSee("Discard the unsaved changes")
}

func TestEditorMessages(t *testing.T) {
	h, versions := editSupport(t, 120, 30)
	h.key("ctrl+n")
	e := h.m.editor
	if len(e.msgs) != 3 || e.msgs[2].role != prompt.RoleAssistant || e.focused().index != 2 {
		t.Fatalf("ctrl+n after the user message: %d messages, third %q, focus %+v", len(e.msgs), e.msgs[2].role, e.focused())
	}
	h.typ("Sure.")
	h.key("ctrl+r")
	if got := h.m.editor.msgs[2].role; got != prompt.RoleSystem {
		t.Fatalf("ctrl+r: role %q; want system (assistant → system)", got)
	}
	h.key("ctrl+r", "ctrl+r") // system → user → assistant
	h.key("alt+up")
	if h.m.editor.msgs[1].role != prompt.RoleAssistant || h.m.editor.focused().index != 1 {
		t.Fatalf("alt+up did not move the message up: %q focus %+v", h.m.editor.msgs[1].role, h.m.editor.focused())
	}
	h.key("alt+down")
	h.key("ctrl+x")
	h.mustSee("Remove message 3?")
	h.key("n")
	if len(h.m.editor.msgs) != 3 {
		t.Fatal("declining removed the message")
	}
	h.key("ctrl+x", "y")
	if len(h.m.editor.msgs) != 2 || h.m.editor.dirty() {
		t.Fatalf("after removing the added message: %d messages, dirty %v", len(h.m.editor.msgs), h.m.editor.dirty())
	}
	// An empty message goes without asking.
	h.key("ctrl+n", "ctrl+x")
	if len(h.m.editor.msgs) != 2 || len(h.m.dialogs) != 0 {
		t.Fatalf("empty message removal asked or failed: %d", len(h.m.editor.msgs))
	}
	if n := len(versions()); n != 3 {
		t.Fatalf("no save was asked for, yet there are %d versions", n)
	}
}

func TestEditorUnsavedChangesAsk(t *testing.T) {
	h, _ := editSupport(t, 120, 30)
	h.typ("more")
	h.key("esc")
	h.mustSee("Close the editor?")
	h.key("n")
	if h.m.active != screenEditor || !h.m.editor.dirty() {
		t.Fatal("declining closed the editor")
	}
	// Switching tabs keeps the edit; quitting asks.
	h.send(tea.MouseClickMsg{X: h.m.tabRanges()[screenLibrary][0] + 1, Y: 0, Button: tea.MouseLeft})
	if h.m.active != screenLibrary || !h.m.editor.dirty() {
		t.Fatal("a tab click lost the edit")
	}
	h.key("q")
	h.mustSee("Quit without saving?")
	if h.quit {
		t.Fatal("quit without asking")
	}
	h.key("n")
	// Opening another prompt asks too.
	h.key("g", "e")
	h.mustSee("Discard unsaved changes?")
	h.key("y")
	if h.m.editor.name != "classify/intent" || h.m.editor.dirty() {
		t.Fatalf("editor on %q dirty %v", h.m.editor.name, h.m.editor.dirty())
	}
	h.key("3") // to the editor tab
	h.typ("x")
	h.key("ctrl+c")
	h.mustSee("Quit without saving?")
	h.key("ctrl+c")
	if !h.quit {
		t.Fatal("a second ctrl+c did not quit")
	}
}

func TestEditorExternalFile(t *testing.T) {
	h, versions := editSupport(t, 120, 30)
	t.Setenv("VISUAL", "true")
	// ctrl+e writes the file and asks Bubble Tea to run the editor.
	h.key("ctrl+e")
	path := h.m.editor.extFile
	if path == "" || h.execs != 1 {
		t.Fatalf("ctrl+e: file %q, exec commands %d", path, h.execs)
	}
	t.Cleanup(func() { os.Remove(path) })
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := prompt.ParseFile(filepath.Base(path), data)
	if err != nil || f.Name != "support/reply" || len(f.Messages) != 2 || f.Vars["customer"] != "Ana" {
		t.Fatalf("the temp file: %+v, %v", f, err)
	}
	// The "editor" breaks the front matter: the error names file:line:col
	// and enter offers to re-open it.
	broken := strings.Replace(string(data), "labels:", "labels: [oops", 1)
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	h.send(extExitedMsg{to: screenEditor, path: path})
	h.mustSee("The edited file has an error", filepath.Base(path)+":", "re-open")
	h.key("enter")
	if h.execs != 2 {
		t.Fatalf("enter did not re-open the editor (exec commands %d)", h.execs)
	}
	// Now the "editor" fixes it and changes the user message.
	fixed := strings.Replace(string(data), "{{ticket}}", "{{ticket}}\n\nReply in under 100 words.", 1)
	if err := os.WriteFile(path, []byte(fixed), 0o600); err != nil {
		t.Fatal(err)
	}
	h.send(extExitedMsg{to: screenEditor, path: path})
	h.mustSee("loaded the edited file", "● modified")
	if got := h.m.editor.msgs[1].ta.Value(); !strings.HasSuffix(got, "Reply in under 100 words.") {
		t.Fatalf("user message after the edit: %q", got)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("the temp file was not removed after a good edit")
	}
	h.key("ctrl+s")
	h.typ("via $EDITOR")
	h.key("enter")
	if vs := versions(); len(vs) != 4 || vs[0].Note != "via $EDITOR" {
		t.Fatalf("after saving the external edit: %d versions", len(vs))
	}
}

func TestParseLabels(t *testing.T) {
	l, err := parseLabels("purpose=support Tone=friendly")
	if err != nil || l["purpose"] != "support" || l["tone"] != "friendly" {
		t.Fatalf("space separated: %v %v", l, err)
	}
	l, err = parseLabels("audience=new customers, team=cx")
	if err != nil || l["audience"] != "new customers" || l["team"] != "cx" {
		t.Fatalf("comma separated: %v %v", l, err)
	}
	if _, err := parseLabels("oops"); err == nil || !strings.Contains(err.Error(), "key=value") {
		t.Fatalf("a label without = gave %v", err)
	}
	if labelsText(prompt.Labels{"audience": "new customers", "team": "cx"}) != "audience=new customers, team=cx" {
		t.Fatal("labelsText does not use commas when a value has a space")
	}
}

func TestEditorClickFocusesMessage(t *testing.T) {
	h, _ := editSupport(t, 120, 30)
	// Row 0 of the content is the header; the system message starts at 1.
	h.send(tea.MouseClickMsg{X: 10, Y: headerRows + 2, Button: tea.MouseLeft})
	if f := h.m.editor.focused(); f.kind != fieldMessage || f.index != 0 {
		t.Fatalf("a click on the system message focused %+v", f)
	}
	h.typ("Hi. ")
	if got := h.m.editor.msgs[0].ta.Value(); !strings.HasPrefix(got, "Hi. You are") {
		t.Fatalf("typing after the click went elsewhere: %q", got)
	}
}

func TestEditorControlCharactersAreNotAnEdit(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	if _, _, err := st.SaveVersion(context.Background(), "support/reply", store.NewVersion{
		Messages: []prompt.Message{{Role: prompt.RoleUser, Content: "red \x1b[31mRED\x1b[0m and {{customer}} \x1b]8;;http://e.example\x1b\\link\x1b]8;;\x1b\\ \u202eevil"}}, Author: "t"}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("G", "e")
	h.mustSee("control characters hidden: a message you edit here is saved without them")
	// The field shows the text as every other view does: whole escape
	// sequences go, not just their ESC, and so does a bidi override.
	h.mustSee("red RED and {{customer}} link evil")
	if v := h.m.render(); strings.ContainsRune(v, '\u202e') || strings.Contains(v, "]8;;") {
		t.Fatalf("the editor draws the message's controls:\n%s", h.screen())
	}
	if h.m.editor.dirty() {
		t.Fatal("opening a version with control characters marked the draft modified")
	}
	h.mustNotSee("● modified")
	// An edit is still an edit.
	h.typ("!")
	if !h.m.editor.dirty() {
		t.Fatal("an edit after opening did not mark the draft")
	}
}

// A tab, which a text field holds as spaces, is not an edit either.
func TestEditorTabsAreNotAnEdit(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	if _, _, err := st.SaveVersion(context.Background(), "support/reply", store.NewVersion{
		Messages: []prompt.Message{{Role: prompt.RoleUser, Content: "col\tcol {{customer}}"}}, Author: "t"}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("G", "e")
	if h.m.editor.dirty() {
		t.Fatal("opening a version with a tab marked the draft modified")
	}
	h.mustSee("tabs shown as spaces: they stay tabs unless you edit them")
}

// TestEditorKeepsWhatAMessageFieldCannotShow: a message with tabs and
// control characters is saved as it was when another field changes (a
// param here), and when another message is edited; an edited message keeps
// its tabs outside the edit.
func TestEditorKeepsWhatAMessageFieldCannotShow(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	sys := "Columns:\tQty\tItem\nBell\x07 and \x1b[1mbold\x1b[0m"
	if _, err := st.CreatePrompt(ctx, store.NewPrompt{Name: "doc/tab"}, store.NewVersion{
		Messages: []prompt.Message{{Role: prompt.RoleSystem, Content: sys}, {Role: prompt.RoleUser, Content: "Read\tit"}}, Author: "t"}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("e")
	h.mustSee("Columns:    Qty    Item", "control characters hidden, tabs as spaces: editing message 1 loses them")
	if h.m.editor.dirty() {
		t.Fatal("opening the version marked the draft modified")
	}
	saveWarmer(h)
	h.mustSee("saved doc/tab@2")
	v, err := st.Resolve(ctx, prompt.Ref{Name: "doc/tab"})
	if err != nil || v.Number != 2 || v.Messages[0].Content != sys || v.Messages[1].Content != "Read\tit" {
		t.Fatalf("@%d messages %q, %v", v.Number, v.Messages, err)
	}
	// Editing the user message keeps the system message as it was.
	h.key("shift+tab")
	h.typ("!")
	h.key("ctrl+s")
	h.typ("louder")
	h.key("enter")
	h.mustSee("saved doc/tab@3")
	v, err = st.Resolve(ctx, prompt.Ref{Name: "doc/tab"})
	if err != nil || v.Number != 3 || v.Messages[0].Content != sys || v.Messages[1].Content != "!Read\tit" {
		t.Fatalf("@%d messages %q, %v", v.Number, v.Messages, err)
	}
}

// TestEditorLongLabelsEndWithEllipsis: labels wider than their field show
// their start and "…" while the field is not being edited, at every size.
func TestEditorLongLabelsEndWithEllipsis(t *testing.T) {
	for _, sz := range [][2]int{{160, 45}, {80, 24}, {60, 20}} {
		st := openStore(t)
		_, err := st.CreatePrompt(context.Background(), store.NewPrompt{
			Name: "team/long", Labels: prompt.Labels{"team": "customer-experience-europe", "owner": "alexandra.konstantinopoulou",
				"purpose": "support-escalation-triage", "audience": "enterprise-customers"},
		}, storeNewVersion("Hi"))
		if err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, fixedTimeStore{st}, sz[0], sz[1])
		h.key("e")
		// Params come after the message: tab to the first, so that the
		// side panel shows (narrow layouts show it only then).
		h.key("tab")
		var line string
		for _, l := range strings.Split(h.screen(), "\n") {
			if strings.Contains(l, "purpose=") {
				line = strings.TrimRight(l, " ")
			}
		}
		if !strings.HasSuffix(line, "…") || strings.Contains(line, "owner=alexandra.konstantinopoulou") {
			t.Errorf("%dx%d: the labels line is not cut with an ellipsis: %q", sz[0], sz[1], line)
		}
	}
}

// TestLabelsRoundTrip: every label value the store accepts reads back
// unchanged from the labels field, and a quoted value can be typed.
func TestLabelsRoundTrip(t *testing.T) {
	for _, l := range []prompt.Labels{
		{"owner": "ana, bob"},
		{"owner": "ana,bob", "team": "cx"},
		{"owner": "ana, bob", "audience": "new customers"},
		{"note": `say "hi", then go`, "team": "cx"},
		{"note": `"quoted"`},
		{"path": `C:\dir, other\`},
		{"expr": "a=b, c=d"},
		{"x": `a"b`, "y": `back\slash`},
		{"owner": "ana", "team": "cx"},
		{"audience": "new customers"},
	} {
		text := labelsText(l)
		got, err := parseLabels(text)
		if err != nil || len(got) != len(l) {
			t.Errorf("%v → %q → %v, %v", l, text, got, err)
			continue
		}
		for k, v := range l {
			if got[k] != v {
				t.Errorf("%v → %q → %s=%q", l, text, k, got[k])
			}
		}
	}
	l, err := parseLabels(`owner="ana, bob" team=cx`)
	if err != nil || l["owner"] != "ana, bob" || l["team"] != "cx" {
		t.Fatalf("a typed quoted value among spaces: %v %v", l, err)
	}
	if _, err := parseLabels(`owner="ana, bob`); err == nil || !strings.Contains(err.Error(), "no closing") {
		t.Fatalf("an unclosed quote gave %v", err)
	}
	if _, err := parseLabels(`owner="ana" bob, team=cx`); err == nil || !strings.Contains(err.Error(), "follows the closing quote") {
		t.Fatalf("text after a closing quote gave %v", err)
	}
	if _, err := parseLabels(`owner=""`); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("an empty quoted value gave %v", err)
	}
}

// TestEditorCommaLabelIsNotAChange: a label value holding a comma opens
// unmodified and saves back unchanged.
func TestEditorCommaLabelIsNotAChange(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	ctx := context.Background()
	if err := st.SetLabels(ctx, "support/reply", map[string]string{"owner": "ana, bob"}, nil, "tester"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("G", "e")
	if h.m.active != screenEditor || h.m.editor.name != "support/reply" {
		t.Fatal("could not open the editor")
	}
	if h.m.editor.dirty() || h.m.editor.labelErr != "" {
		t.Fatalf("the editor opens modified (label error %q)", h.m.editor.labelErr)
	}
	if v := h.m.editor.labels.Value(); !strings.HasSuffix(v, `owner="ana, bob"`) {
		t.Fatalf("the labels field holds %q", v)
	}
	h.mustSee("✓ saved")
	h.key("tab", "tab", "tab", "tab", "tab", "tab", "end")
	h.typ(", audience=night shift")
	h.key("ctrl+s")
	h.typ("labels")
	h.key("enter")
	h.mustSee("labels and sample values saved")
	p, _ := st.GetPrompt(ctx, "support/reply")
	if p.Labels["owner"] != "ana, bob" || p.Labels["audience"] != "night shift" {
		t.Fatalf("labels = %v", p.Labels)
	}
}

func TestParseLabelsQuotedAfterPlain(t *testing.T) {
	l, err := parseLabels(`team=cx owner="ana, bob"`)
	if err != nil || l["owner"] != "ana, bob" || l["team"] != "cx" {
		t.Fatalf("a quoted value after a plain one: %v %v", l, err)
	}
	l, err = parseLabels(`audience=new customers, owner="ana, bob", note=say "hi"`)
	if err != nil || l["owner"] != "ana, bob" || l["audience"] != "new customers" || l["note"] != `say "hi"` {
		t.Fatalf("comma separated with a quoted value: %v %v", l, err)
	}
}

// TestLabelsRoundTripRandom: values built from the characters that matter
// to the labels field read back unchanged.
func TestLabelsRoundTripRandom(t *testing.T) {
	alphabet := []rune("ab ,=\"\\=x\u00a0")
	seed := uint32(1)
	next := func(n int) int {
		seed = seed*1664525 + 1013904223
		return int(seed>>16) % n
	}
	for range 3000 {
		l := prompt.Labels{}
		for _, k := range []string{"a", "owner", "note"}[:1+next(3)] {
			var b strings.Builder
			for range 1 + next(8) {
				b.WriteRune(alphabet[next(len(alphabet))])
			}
			if v := strings.TrimSpace(b.String()); v != "" {
				l[k] = v
			}
		}
		text := labelsText(l)
		got, err := parseLabels(text)
		if err != nil || len(got) != len(l) {
			t.Fatalf("%q → %q → %q, %v", l, text, got, err)
		}
		for k, v := range l {
			if got[k] != v {
				t.Fatalf("%q → %q → %s=%q", l, text, k, got[k])
			}
		}
	}
}

// TestEditorSaveSelectsPromptInLibrary: after saving in the editor, the
// library's cursor is on the prompt saved, so that closing the editor and
// pressing 2 shows its versions.
func TestEditorSaveSelectsPromptInLibrary(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("n")
	h.typ("You are terse.")
	h.key("tab")
	h.typ("Summarise the alert.")
	h.key("ctrl+s")
	h.typ("oncall/alert")
	h.key("enter")
	h.typ("first")
	h.key("enter")
	h.mustSee("saved oncall/alert@1")
	h.key("esc")
	if p, ok := h.m.library.selected(); h.m.active != screenLibrary || !ok || p.Name != "oncall/alert" {
		t.Fatalf("after closing the editor the library (%v) selects %q", h.m.active, p.Name)
	}
	h.key("2")
	if h.m.active != screenVersions || h.m.versions.name != "oncall/alert" {
		t.Fatalf("2 shows the versions of %q", h.m.versions.name)
	}
}

func TestEditorShowsAndKeepsOtherParams(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	v := storeNewVersion("Hi {{name}}")
	v.Params.Extra = map[string]any{"ollama.num_ctx": 8192.0, "format": map[string]any{"type": "object"}}
	if _, err := st.CreatePrompt(ctx, storeNewPrompt("extra", ""), v); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("e")
	// Their values line up past the longest name.
	h.mustSee("extra · from v1", "ollama.num_ctx 8192", `format         {"type":"object"}`, "others: ctrl+e edits them")
	// A change elsewhere saves them unchanged.
	h.key("tab")
	h.typ("0.5")
	h.key("ctrl+s")
	h.typ("warmer\n")
	got, err := st.Resolve(ctx, prompt.Ref{Name: "extra"})
	if err != nil || got.Number != 2 || *got.Params.Temperature != 0.5 || got.Params.Extra["ollama.num_ctx"] != 8192.0 || got.Params.Extra["format"] == nil {
		t.Fatalf("saved v%d params %v, %v", got.Number, got.Params.Lines(), err)
	}
}

// TestEditorPasteIsCleaned pastes what terminals really send: Windows line
// ends, a tab, escape sequences and a bidi override.
func TestEditorPasteIsCleaned(t *testing.T) {
	st := openStore(t)
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("n")
	h.send(tea.PasteMsg{Content: "one\r\ntwo\x1b[31m red\x1b[0m\x1b]0;title\a\r\n\tthree\u202eevil"})
	want := "one\ntwo red\n    threeevil"
	if got := h.m.editor.msgs[0].ta.Value(); got != want {
		t.Fatalf("pasted message = %q; want %q", got, want)
	}
	h.key("tab", "tab", "tab", "tab", "tab", "tab", "tab") // params, then labels
	h.send(tea.PasteMsg{Content: "team=cx\r\nowner=ana"})
	if got := h.m.editor.labels.Value(); got != "team=cx owner=ana" {
		t.Fatalf("pasted labels = %q", got)
	}
}

// TestEditorKeepsMultiLineSampleValues: a sample value of several lines
// shows on one line (each break a ⏎, each tab a ⇥) and is saved as it was
// when another value changes; edited, its ⏎ come back as line breaks and
// its ⇥ as tabs, and a pasted table keeps its tabs.
func TestEditorKeepsMultiLineSampleValues(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	doc := "NORTHWIND LTD\n14 Harbour Road\n\nQty\tItem"
	if _, err := st.CreatePrompt(ctx, store.NewPrompt{Name: "extract/doc", Defaults: map[string]string{"doc": doc, "lang": "en"}},
		storeNewVersion("<document>\n{{doc}}\n</document> in {{lang}}")); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("e")
	if h.m.active != screenEditor || h.m.editor.dirty() {
		t.Fatalf("active %v, dirty %v", h.m.active, h.m.editor.dirty())
	}
	h.mustSee("doc          NORTHWIND LTD⏎14 Harbo")
	// Messages (1) + params (5) + labels: the eighth field is lang.
	h.key("tab", "tab", "tab", "tab", "tab", "tab", "tab", "tab")
	if f := h.m.editor.focused(); f.kind != fieldVar || h.m.editor.varNames[f.index] != "lang" {
		t.Fatalf("focus %+v on %v", f, h.m.editor.varNames)
	}
	h.key("end")
	h.typ("-GB")
	h.key("ctrl+s")
	h.typ("lang")
	h.key("enter")
	h.mustSee("labels and sample values saved")
	p, err := st.GetPrompt(ctx, "extract/doc")
	if err != nil || p.Defaults["doc"] != doc || p.Defaults["lang"] != "en-GB" {
		t.Fatalf("defaults %q, %v", p.Defaults, err)
	}

	h.key("shift+tab", "end")
	h.typ("!")
	if got, want := h.m.editor.currentDefaults()["doc"], "NORTHWIND LTD\n14 Harbour Road\n\nQty\tItem!"; got != want {
		t.Fatalf("edited value %q, want %q", got, want)
	}
	h.send(tea.PasteMsg{Content: "\r\n1\tPen\r\n"})
	h.mustSee("Qty⇥Item!⏎1⇥Pen⏎")
	if got, want := h.m.editor.currentDefaults()["doc"], "NORTHWIND LTD\n14 Harbour Road\n\nQty\tItem!\n1\tPen\n"; got != want {
		t.Fatalf("pasted value %q, want %q", got, want)
	}
}

// TestParamsRoundTrip: every params value reads back unchanged from the
// params fields as the editor fills them (a stop sequence that is a line
// break, has a tab, a space at either end or starts with "[" shows as a
// JSON array).
func TestParamsRoundTrip(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	i := func(v int) *int { return &v }
	i64 := func(v int64) *int64 { return &v }
	theme, err := themes.Get("dark")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []prompt.Params{
		{Stop: []string{"\n"}},
		{Stop: []string{"\n\n"}},
		{Stop: []string{" END "}},
		{Stop: []string{"a\tb"}},
		{Stop: []string{"[x]"}},
		{Stop: []string{"</answer>"}},
		{Stop: []string{"bell\x07"}},
		{Stop: []string{"END", "\n"}},
		{Temperature: f(1e-7), TopP: f(0.30000000000000004), MaxTokens: i(1000), Seed: i64(9007199254740993)},
	} {
		m := newEditor(&shared{theme: theme}).setParams(p)
		got, errs := m.currentParams()
		if !reflect.DeepEqual(got.Lines(), p.Lines()) {
			t.Errorf("%v → %q → %v (%q)", p.Lines(), paramTexts(p), got.Lines(), errs)
		}
	}
}

// TestEditorKeepsAStopSequenceOfALineBreak: a stop sequence "\n" shows as
// ["\n"] and is saved as it was when another param changes.
func TestEditorKeepsAStopSequenceOfALineBreak(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	if _, err := st.CreatePrompt(ctx, store.NewPrompt{Name: "p/stop"}, store.NewVersion{
		Messages: []prompt.Message{{Role: prompt.RoleUser, Content: "hi"}}, Params: prompt.Params{Stop: []string{"\n"}}, Author: "t"}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("e")
	h.mustSee(`stop         ["\n"]`)
	if h.m.editor.dirty() {
		t.Fatal("opening the version marked the draft modified")
	}
	saveWarmer(h)
	h.mustSee("saved p/stop@2")
	v, err := st.Resolve(ctx, prompt.Ref{Name: "p/stop"})
	if err != nil || v.Number != 2 || len(v.Params.Stop) != 1 || v.Params.Stop[0] != "\n" {
		t.Fatalf("@%d params %v, %v", v.Number, v.Params.Lines(), err)
	}
}

// TestEditorKeepsSampleValuesItDoesNotShow: saving a changed sample value
// from a version that does not use every variable keeps the sample values
// of the others (the prompt's other versions use them).
func TestEditorKeepsSampleValuesItDoesNotShow(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	if _, err := st.CreatePrompt(ctx, store.NewPrompt{Name: "p/defs"}, storeNewVersion("Translate {{doc}}")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.SaveVersion(ctx, "p/defs", storeNewVersion("Translate {{doc}} to {{lang}}")); err != nil {
		t.Fatal(err)
	}
	if err := st.SetDefaults(ctx, "p/defs", map[string]string{"doc": "hello", "lang": "fr"}, "t"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.send(openEditorMsg{name: "p/defs", version: 1})
	h.mustSee("p/defs · from v1", "doc          hello")
	// Messages (1) + params (5) + labels: the eighth field is doc.
	h.key("tab", "tab", "tab", "tab", "tab", "tab", "tab", "end")
	h.typ("!")
	h.key("ctrl+s")
	h.typ("doc")
	h.key("enter")
	h.mustSee("saved p/defs@3")
	p, err := st.GetPrompt(ctx, "p/defs")
	if err != nil || !reflect.DeepEqual(p.Defaults, map[string]string{"doc": "hello!", "lang": "fr"}) {
		t.Fatalf("defaults %q, %v", p.Defaults, err)
	}
}

// TestPastedTabsIntoATextAreaAreNamed: a paste with tabs into a message or
// a case's expected output, which hold each tab as spaces, says so.
func TestPastedTabsIntoATextAreaAreNamed(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	seedSuite(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("n")
	h.send(tea.PasteMsg{Content: "Qty\tItem"})
	h.mustSee("pasted tabs became spaces: a text field cannot hold a tab")

	h = newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 120, 30)
	h.key("8", "enter", "enter", "tab", "tab")
	h.send(tea.PasteMsg{Content: "Qty\tItem"})
	h.mustSee("pasted tabs became spaces: a text field cannot hold a tab")
}

// TestEditorEditKeepsEmojiItDrawsSplit: on a terminal that does not
// cluster graphemes a message shows its emoji without joiners and skin
// tones; an edit elsewhere in the message saves them as they were.
func TestEditorEditKeepsEmojiItDrawsSplit(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	msg := "Sign off with 👋🏽 as a 👩‍💻 would."
	if _, err := st.CreatePrompt(ctx, store.NewPrompt{Name: "p/emoji"}, storeNewVersion(msg)); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	t.Cleanup(func() { splitClusters.Store(false) })
	splitClusters.Store(true)
	h.key("e")
	h.mustSee("Sign off with 👋 as a 👩💻 would.")
	h.mustNotSee("joiners", "hidden")
	h.typ("Please ")
	h.key("ctrl+s")
	h.typ("polite")
	h.key("enter")
	h.mustSee("saved p/emoji@2")
	v, err := st.Resolve(ctx, prompt.Ref{Name: "p/emoji"})
	if err != nil || v.Messages[0].Content != "Please "+msg {
		t.Fatalf("saved %q, %v", v.Messages, err)
	}
}

// The editor's note on what its message fields cannot show is true of
// each message: a message with tabs alone keeps them when edited, even
// beside one with control characters; and it fits 80 columns.
func TestLossyNote(t *testing.T) {
	msg := func(c ...string) []prompt.Message {
		var out []prompt.Message
		for _, s := range c {
			out = append(out, prompt.Message{Role: prompt.RoleUser, Content: s})
		}
		return out
	}
	for _, tc := range []struct {
		msgs []prompt.Message
		want string
	}{
		{msg("plain"), ""},
		{msg("a\tb"), "tabs shown as spaces: they stay tabs unless you edit them"},
		{msg("bell\x07"), "control characters hidden: a message you edit here is saved without them"},
		{msg("a\tb\x07"), "control characters hidden, tabs shown as spaces: an edited message is saved so"},
		{msg("bell\x07", "a\tb"), "control characters hidden, an edit drops them; tabs shown as spaces stay tabs"},
		{msg("a\tb\x07", "bell\x07"), "control characters hidden, tabs shown as spaces: an edited message is saved so"},
		// Message 2, with tabs alone, keeps them when edited: only 1 and
		// 3 are saved as shown.
		{msg("a\tb\x07", "a\tb"), "control characters hidden, tabs as spaces: editing message 1 loses them"},
		{msg("a\tb", "a\tb\x07"), "control characters hidden, tabs as spaces: editing message 2 loses them"},
		{msg("a\tb\x07", "a\tb", "bell\x07"), "control characters hidden, tabs as spaces: editing messages 1, 3 loses them"},
	} {
		got := lossyNote(tc.msgs)
		if got != tc.want {
			t.Errorf("lossyNote(%q) = %q; want %q", tc.msgs, got, tc.want)
		}
		if len([]rune(got)) > 78 {
			t.Errorf("%q is wider than a status bar of 80 columns holds", got)
		}
	}
}

// A variable's name longer than the usual label (customer_name) reads
// whole in the editor, its sample value and the others' lined up past it,
// in the wide layout and at 80 columns.
func TestEditorShowsLongVariableNamesWhole(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	if _, err := st.CreatePrompt(ctx, store.NewPrompt{Name: "support/hi", Defaults: map[string]string{"customer_name": "Dana", "ticket": "dent"}},
		storeNewVersion("Hi {{customer_name}}: {{ticket}}")); err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{120, 80} {
		h := newHarness(t, fixedTimeStore{st}, w, 30)
		h.key("e", "tab")
		h.mustSee("customer_name Dana", "ticket        dent")
		h.mustNotSee("customer_na…")
	}
}

// saveWarmer sets temperature 0.5 (the field after the last message's,
// which has the focus) and saves, noted "warmer".
func saveWarmer(h *harness) {
	h.key("tab")
	h.typ("0.5")
	h.key("ctrl+s")
	h.typ("warmer")
	h.key("enter")
}
