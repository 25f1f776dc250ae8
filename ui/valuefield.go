package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// newlineMark stands for a line break in a one-line value field, as
// `whet prompt show` prints one; tabMark for a tab, which a text field
// would turn into a space.
const (
	newlineMark = "⏎"
	tabMark     = "⇥"
)

// valueField is a one-line field for a variable's value (the Arena's
// variables, the editor's sample values, a dialog's stored note). A value
// often holds several lines (a document, a diff, an e-mail) or tabs (a
// table pasted from a spreadsheet), and a textinput turns newlines and
// tabs into spaces: sending or saving what it holds would change the
// value. So the field shows each line break as ⏎ and each tab as ⇥, and
// keeps the value as it was set, byte for byte, until the field is
// edited; an edited field gives its text with each ⏎ back as a line break
// and each ⇥ as a tab, and a paste keeps its lines and tabs.
type valueField struct {
	textinput.Model
	exact string // the value as set
	shown string // the field's text when it was set
}

// setExact puts v in the field.
func (f *valueField) setExact(v string) {
	f.exact = v
	f.Model.SetValue(fieldText(v))
	f.shown = f.Model.Value()
}

// edited reports whether the field's text changed since it was set.
func (f valueField) edited() bool { return f.Model.Value() != f.shown }

// value is the field's value: as set while the field is unedited, else
// its text with line breaks restored.
func (f valueField) value() string {
	if !f.edited() {
		return f.exact
	}
	return strings.NewReplacer(newlineMark, "\n", tabMark, "\t").Replace(f.Model.Value())
}

// update passes msg to the field; pasted line breaks become ⏎, tabs ⇥.
func (f valueField) update(msg tea.Msg) (valueField, tea.Cmd) {
	if p, ok := msg.(tea.PasteMsg); ok {
		p.Content = fieldText(p.Content)
		msg = p
	}
	var cmd tea.Cmd
	f.Model, cmd = f.Model.Update(msg)
	return f, cmd
}

// fieldText is v as a one-line field shows it: sanitised, each line break
// (\n, \r\n or \r) a ⏎, each tab a ⇥.
func fieldText(v string) string {
	v = strings.ReplaceAll(v, "\r\n", "\n")
	v = strings.ReplaceAll(v, "\r", "\n")
	return strings.NewReplacer("\n", newlineMark, "\t", tabMark).Replace(sanitize(v))
}
