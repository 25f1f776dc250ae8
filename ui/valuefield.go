package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"whet/textutil"
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
	if v, ok := rejoin(f.exact, f.shown, f.Model.Value(), true); ok {
		return v
	}
	return unmark(f.Model.Value())
}

// unmark is a field's text with each ⏎ a line break and each ⇥ a tab.
func unmark(s string) string {
	return strings.NewReplacer(newlineMark, "\n", tabMark, "\t").Replace(s)
}

// rejoin is the value a field holding exact gives once its text was edited
// from shown (what the field showed of exact) to cur: exact with the part
// the edit replaced replaced by the edited text (with ⏎ and ⇥ as a line
// break and a tab when marks is set, the one-line field's marks; else the
// field is a text area, which shows a tab as four spaces). So what the
// field shows otherwise or not at all — a tab, the joiners, selectors
// and skin tones of emoji on a terminal that does not cluster graphemes
// (unjoin), a Windows line end — is kept outside the edited part. ok is
// false when exact holds what the field's text cannot be matched with
// (escape sequences, control characters): the caller then takes the text
// as it is.
func rejoin(exact, shown, cur string, marks bool) (string, bool) {
	norm := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(exact)
	if textutil.Sanitize(norm) != norm {
		return "", false
	}
	// Match each rune of shown with where it comes from in exact (starts);
	// what lies between two matches is what the field does not show. The
	// four spaces a text area shows for a tab are one group.
	sr := []rune(shown)
	starts := make([]int, len(sr))
	group := make([]int, len(sr)) // the first rune of j's group
	i := 0
	for j := 0; j < len(sr); {
		r := sr[j]
		pats := []string{string(r)}
		switch {
		case r == '\n' || marks && r == []rune(newlineMark)[0]:
			pats = append(pats, "\r\n", "\n", "\r")
		case marks && r == []rune(tabMark)[0]:
			pats = append(pats, "\t")
		case !marks && r == ' ':
			pats = append(pats, "\t")
		}
		k, pat := -1, ""
		for ; i < len(exact) && k < 0; i++ {
			for _, p := range pats {
				if strings.HasPrefix(exact[i:], p) {
					k, pat = i, p
					break
				}
			}
		}
		if k < 0 {
			return "", false
		}
		i = k + len(pat)
		n := 1
		if !marks && pat == "\t" {
			n = len(textareaTab)
			if j+n > len(sr) || string(sr[j:j+n]) != textareaTab {
				return "", false
			}
		}
		for t := j; t < j+n; t++ {
			starts[t], group[t] = k, j
		}
		j += n
	}
	cr := []rune(cur)
	p := 0
	for p < len(sr) && p < len(cr) && sr[p] == cr[p] {
		p++
	}
	s := 0
	for s < len(sr)-p && s < len(cr)-p && sr[len(sr)-1-s] == cr[len(cr)-1-s] {
		s++
	}
	// An edit inside a tab's spaces takes the whole tab as edited text.
	if p < len(sr) {
		p = group[p]
	}
	if e := len(sr) - s; e < len(sr) && group[e] != e {
		s = len(sr) - (group[e] + len(textareaTab))
	}
	// The kept start runs to the next shown rune (what is hidden after
	// the last kept one stays with it); the kept end starts at its first
	// shown rune.
	ep, es := len(exact), len(exact)
	if p < len(sr) {
		ep = starts[p]
	}
	if s > 0 {
		es = starts[len(sr)-s]
	}
	mid := string(cr[p : len(cr)-s])
	if marks {
		mid = unmark(mid)
	}
	return exact[:ep] + mid + exact[es:], true
}

// textareaTab is what a text area holds for a tab.
const textareaTab = "    "

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
