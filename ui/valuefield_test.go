package ui

import (
	"testing"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
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
