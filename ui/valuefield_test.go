package ui

import (
	"context"
	"reflect"
	"testing"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"whet/prompt"
	"whet/store"
)

// TestValueFieldKeepsWhatItDoesNotShow: on a terminal that does not
// cluster graphemes the field shows emoji without their joiners, selectors
// and skin tones (unjoin); an edit elsewhere in the value keeps them, and
// a Windows line end outside the edit stays one.
func TestValueFieldKeepsWhatItDoesNotShow(t *testing.T) {
	t.Cleanup(func() { splitClusters.Store(false) })
	splitClusters.Store(true)
	for _, c := range []struct {
		exact string
		keys  []string
		typed string
		want  string
	}{
		{"👩‍💻 dev 👍🏽", []string{"end"}, "!", "👩‍💻 dev 👍🏽!"},
		{"👩‍💻 dev 👍🏽", []string{"home"}, "a ", "a 👩‍💻 dev 👍🏽"},
		{"👩‍💻 dev 👍🏽", []string{"home", "right", "right", "right", "backspace"}, "", "👩‍💻dev 👍🏽"},
		{"👩‍💻 dev 👍🏽", []string{"home", "right", "right", "backspace"}, "", "👩\u200d dev 👍🏽"},
		{"👍🏽", []string{"end", "backspace"}, "", ""},
		{"⚠️ careful\r\nline two", []string{"end"}, "!", "⚠️ careful\r\nline two!"},
		{"a\tb\nc", []string{"end"}, "d", "a\tb\ncd"},
		// An escape sequence cannot be matched: the text is taken.
		{"👍🏽 \x1b[1mbold\x1b[0m", []string{"end"}, "!", "👍 bold!"},
	} {
		ti := textinput.New()
		f := valueField{Model: ti}
		f.setExact(c.exact)
		f.Focus()
		for _, k := range c.keys {
			f, _ = f.update(keyPress(k))
		}
		for _, r := range c.typed {
			f, _ = f.update(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
		if got := f.value(); got != c.want {
			t.Errorf("%q, %v %q: value %q, want %q (field %q)", c.exact, c.keys, c.typed, got, c.want, f.Model.Value())
		}
	}
}

// TestRejoinTextArea: a text area shows a tab as four spaces; an edit
// keeps every tab it does not touch, and one edited inside becomes the
// spaces as edited.
func TestRejoinTextArea(t *testing.T) {
	exact := "Qty\tItem\r\n1\tPen 👍🏽"
	shown := "Qty    Item\n1    Pen 👍"
	for _, c := range []struct{ cur, want string }{
		{shown + "!", exact + "!"},
		{"Qty    Items\n1    Pen 👍", "Qty\tItems\r\n1\tPen 👍🏽"},
		{"Qty  X  Item\n1    Pen 👍", "Qty  X  Item\r\n1\tPen 👍🏽"},
		{"Qty   Item\n1    Pen 👍", "Qty   Item\r\n1\tPen 👍🏽"},
		{"Qty    Item\n1    Pen", "Qty\tItem\r\n1\tPen"},
		{"", ""},
	} {
		got, ok := rejoin(exact, shown, c.cur, false)
		if !ok || got != c.want {
			t.Errorf("%q: %q, %v; want %q", c.cur, got, ok, c.want)
		}
	}
	if _, ok := rejoin("a\x1b[1mb", "ab", "abc", false); ok {
		t.Error("an escape sequence was matched")
	}
}

// TestValueFieldKeepsLiteralMarks: only a ⏎ or ⇥ the field drew for a
// line break or a tab (of the value it was set to, or of a paste) comes
// back as one; a ⏎ or ⇥ typed, pasted or held by the value stays that
// character, wherever the edit is.
func TestValueFieldKeepsLiteralMarks(t *testing.T) {
	for _, c := range []struct {
		name  string
		exact string
		keys  []string
		typed string
		paste string
		want  string
	}{
		{"typed after a line break", "a\nb", []string{"end"}, "⏎", "", "a\nb⏎"},
		{"typed in an empty field", "", nil, "x⏎y⇥z", "", "x⏎y⇥z"},
		{"pasted with line breaks", "", nil, "", "x⏎y\nz\tw⇥", "x⏎y\nz\tw⇥"},
		{"held by the value, edited elsewhere", "a⏎b\nc", []string{"end"}, "!", "", "a⏎b\nc!"},
		{"a line break swapped for the glyph", "a\nb", []string{"home", "right", "delete"}, "⏎", "", "a⏎b"},
		{"a glyph swapped for a line break", "a⏎b", []string{"home", "right", "delete"}, "", "\n", "a\nb"},
		{"typed before a tab", "a\tb", []string{"home", "right"}, "⇥", "", "a⇥\tb"},
		// A value the field cannot match (a control character) is
		// taken from the field's text: still only its own marks.
		{"with a control character", "\x07a\nb⏎", []string{"end"}, "⏎", "", "a\nb⏎⏎"},
		{"pasted beside a mark", "x\ny", []string{"home", "right"}, "", "⏎", "x⏎\ny"},
	} {
		f := valueField{Model: textinput.New()}
		f.setExact(c.exact)
		f.Focus()
		for _, k := range c.keys {
			f, _ = f.update(keyPress(k))
		}
		for _, r := range c.typed {
			f, _ = f.update(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
		if c.paste != "" {
			f, _ = f.update(tea.PasteMsg{Content: c.paste})
		}
		if got := f.value(); got != c.want {
			t.Errorf("%s: value %q, want %q (field %q)", c.name, got, c.want, f.Model.Value())
		}
		if !f.edited() {
			t.Errorf("%s: not edited", c.name)
		}
	}
}

// TestValueFieldSaysWhenAnEditDropsControls: the first edit of a value
// with control characters raises the field's notice, once; a value
// without them raises none.
func TestValueFieldSaysWhenAnEditDropsControls(t *testing.T) {
	notices := func(cmd tea.Cmd) []string {
		var out []string
		var walk func(tea.Cmd)
		walk = func(c tea.Cmd) {
			if c == nil {
				return
			}
			switch msg := c().(type) {
			case tea.BatchMsg:
				for _, c := range msg {
					walk(c)
				}
			case noticeMsg:
				out = append(out, msg.text)
			}
		}
		walk(cmd)
		return out
	}
	for _, c := range []struct {
		exact string
		want  []string
	}{
		{"\x1b[1mbold\x1b[0m", []string{"topic: edited, so sent as shown, without its control characters"}},
		{"plain\nlines\tand tabs", nil},
	} {
		f := valueField{Model: textinput.New()}
		f.setExact(c.exact)
		f.dropNote = hiddenNote("topic", true, "sent")
		f.Focus()
		var got []string
		for _, k := range []string{"end", "!", "?"} {
			var cmd tea.Cmd
			f, cmd = f.update(keyPress(k))
			got = append(got, notices(cmd)...)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: notices %q, want %q", c.exact, got, c.want)
		}
	}
}

// TestValueFieldsSayWhatAnEditDrops: every one-line value field whose
// value holds control characters says, naming the field, that an edit
// sends or saves it without them: the Arena's variables and the editor's
// sample values in a notice at the first edit, the case form (name,
// description) and a dialog on their own lines, before and after.
func TestValueFieldsSayWhatAnEditDrops(t *testing.T) {
	ctx := context.Background()
	t.Run("arena", func(t *testing.T) {
		h, st := arenaHarness(t, 120, 34)
		if _, err := st.CreatePrompt(ctx, store.NewPrompt{Name: "bell/vars", Defaults: map[string]string{"x": "ring\x07 me"}},
			storeNewVersion("say {{x}}")); err != nil {
			t.Fatal(err)
		}
		h.send(arenaOpenMsg{name: "bell/vars"})
		h.key("tab", "end")
		h.mustNotSee("control characters")
		h.typ("!")
		h.mustSee("x: edited, so sent as shown, without its control characters")
		if got := h.m.arena.values()["x"]; got != "ring me!" {
			t.Fatalf("sent %q", got)
		}
	})
	t.Run("editor", func(t *testing.T) {
		st := openStore(t)
		if _, err := st.CreatePrompt(ctx, store.NewPrompt{Name: "bell/vars", Defaults: map[string]string{"topic": "ring\x07 me"}},
			storeNewVersion("say {{topic}}")); err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, fixedTimeStore{st}, 120, 30)
		h.key("e", "tab", "tab", "tab", "tab", "tab", "tab", "tab")
		if f := h.m.editor.focused(); f.kind != fieldVar {
			t.Fatalf("focus %+v", f)
		}
		h.key("end")
		h.typ("!")
		h.mustSee("topic: edited, so saved as shown, without its control characters")
	})
	t.Run("case form and dialog", func(t *testing.T) {
		st := openStore(t)
		seed(t, st)
		if _, err := st.CreateSuite(ctx, prompt.Suite{Name: "docs", Prompt: "support/reply", Description: "Checks\x07 extraction",
			Cases: []prompt.Case{{Name: "bell", Description: "rings\x07 twice", Vars: map[string]string{"customer": "Ana"}}}}, "t"); err != nil {
			t.Fatal(err)
		}
		h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 120, 30)
		h.key("8", "enter")
		h.mustSee("Suites › docs · 1 case")
		h.key("s")
		h.mustSee("› Checks extraction", "control characters hidden; kept as stored unless edited")
		h.typ("!")
		h.mustSee("edited, so saved as shown, without its control characters")
		h.key("esc", "enter")
		h.mustSee("docs › case 1", "description: control characters hidden; kept as stored unless edited")
		h.key("tab", "end")
		h.typ("!")
		h.mustSee("description: edited, so saved as shown, without its control characters")
		h.key("ctrl+s")
		h.mustSee("saved suite docs")
		if got := getSuite(t, st, "docs").Cases[0].Description; got != "rings twice!" {
			t.Fatalf("description saved as %q", got)
		}
	})
}
