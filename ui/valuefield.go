package ui

import (
	"slices"
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
	newlineRune = '⏎'
	tabRune     = '⇥'
)

// valueField is a one-line field for a variable's value (the Arena's
// variables, the editor's sample values, a dialog's stored note, the case
// form's name and description). A value often holds several lines (a
// document, a diff, an e-mail) or tabs (a table pasted from a
// spreadsheet), and a textinput turns newlines and tabs into spaces:
// sending or saving what it holds would change the value. So the field
// shows each line break as ⏎ and each tab as ⇥, and keeps the value as it
// was set, byte for byte, until the field is edited; an edited field gives
// its text with each ⏎ and ⇥ the field drew (for the value it was set to,
// or for a pasted line break or tab) back as a line break and a tab, and
// keeps a ⏎ or ⇥ the user typed, or that the value or a paste held, as
// that character. A value with control characters the field cannot show
// (an escape sequence, \x00) is saved without them once edited: the
// host says so (hiddenNote, dropNote).
type valueField struct {
	textinput.Model
	exact string // the value as set
	shown string // the field's text when it was set
	// marks tells, rune by rune, which of the field's ⏎ and ⇥ stand for
	// a line break or a tab; shownMarks is marks when the value was set.
	// Never written in place: a copied field keeps its own.
	marks, shownMarks []bool
	// dropNote is the notice raised when an edit first drops the control
	// characters the value holds; "" raises none.
	dropNote string
}

// setExact puts v in the field.
func (f *valueField) setExact(v string) {
	f.exact = v
	text, marks := fieldRunes(v)
	f.Model.SetValue(string(text))
	f.shown = f.Model.Value()
	if len([]rune(f.shown)) != len(marks) {
		marks = guessMarks(f.shown) // the input changed the text
	}
	f.marks, f.shownMarks = marks, marks
}

// edited reports whether the field's text changed since it was set.
func (f valueField) edited() bool {
	return f.Model.Value() != f.shown || !slices.Equal(f.curMarks(), f.shownMarks)
}

// hidden reports whether the value holds what the field cannot show and
// an edit drops: control characters, escape sequences.
func (f valueField) hidden() bool { return hasHidden(f.exact) }

// hasHidden reports whether v holds control characters (escape sequences
// included) other than line breaks and tabs.
func hasHidden(v string) bool {
	norm := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(v)
	return textutil.Sanitize(norm) != norm
}

// hiddenNote says, for the field named label, what happens to control
// characters the field hides: kept unless edited, or (edited) done as
// shown without them; verb is what happens to the value ("saved",
// "sent"). label "" leaves the name out (a dialog's one field).
func hiddenNote(label string, edited bool, verb string) string {
	note := "control characters hidden; kept as stored unless edited"
	if edited {
		note = "edited, so " + verb + " as shown, without its control characters"
	}
	if label == "" {
		return note
	}
	return label + ": " + note
}

// curMarks is marks, or guessed from the text should it be out of step.
func (f valueField) curMarks() []bool {
	if len(f.marks) != len([]rune(f.Model.Value())) {
		return guessMarks(f.Model.Value())
	}
	return f.marks
}

// guessMarks takes every ⏎ and ⇥ of s for a line break and a tab.
func guessMarks(s string) []bool {
	var marks []bool
	for _, r := range s {
		marks = append(marks, r == newlineRune || r == tabRune)
	}
	return marks
}

// value is the field's value: as set while the field is unedited, else
// its text with line breaks restored.
func (f valueField) value() string {
	if !f.edited() {
		return f.exact
	}
	cur, cm := []rune(f.Model.Value()), f.curMarks()
	if v, ok := rejoinRunes(f.exact, []rune(f.shown), cur, f.shownMarks, cm, true); ok {
		return v
	}
	return unmarkRunes(cur, cm)
}

// unmarkRunes is text with each ⏎ and ⇥ marks flags a line break and a
// tab; the others stay as they are.
func unmarkRunes(text []rune, marks []bool) string {
	var b strings.Builder
	for i, r := range text {
		switch {
		case marks[i] && r == newlineRune:
			b.WriteByte('\n')
		case marks[i] && r == tabRune:
			b.WriteByte('\t')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
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
	var sm, cm []bool
	if marks {
		sm, cm = guessMarks(shown), guessMarks(cur)
	}
	return rejoinRunes(exact, []rune(shown), []rune(cur), sm, cm, marks)
}

// rejoinRunes is rejoin with the one-line field's marks told rune by rune
// (sm for shown, cm for cur): only a ⏎ or ⇥ marked stands for a line
// break or a tab; another is that character.
func rejoinRunes(exact string, sr, cr []rune, sm, cm []bool, marks bool) (string, bool) {
	norm := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(exact)
	if textutil.Sanitize(norm) != norm {
		return "", false
	}
	// Match each rune of shown with where it comes from in exact (starts);
	// what lies between two matches is what the field does not show. The
	// four spaces a text area shows for a tab are one group.
	starts := make([]int, len(sr))
	group := make([]int, len(sr)) // the first rune of j's group
	i := 0
	for j := 0; j < len(sr); {
		r := sr[j]
		pats := []string{string(r)}
		switch {
		case r == '\n':
			pats = append(pats, "\r\n", "\r")
		case marks && sm[j] && r == newlineRune:
			pats = []string{"\r\n", "\n", "\r"}
		case marks && sm[j] && r == tabRune:
			pats = []string{"\t"}
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
	same := func(j, k int) bool { return sr[j] == cr[k] && (!marks || sm[j] == cm[k]) }
	p := 0
	for p < len(sr) && p < len(cr) && same(p, p) {
		p++
	}
	s := 0
	for s < len(sr)-p && s < len(cr)-p && same(len(sr)-1-s, len(cr)-1-s) {
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
		mid = unmarkRunes(cr[p:len(cr)-s], cm[p:len(cr)-s])
	}
	return exact[:ep] + mid + exact[es:], true
}

// textareaTab is what a text area holds for a tab.
const textareaTab = "    "

// update passes msg to the field; pasted line breaks become ⏎, tabs ⇥.
// The first edit that drops the control characters of the value raises
// dropNote.
func (f valueField) update(msg tea.Msg) (valueField, tea.Cmd) {
	var pasted []bool // the marks of a paste's text
	var pastedText []rune
	if p, ok := msg.(tea.PasteMsg); ok {
		pastedText, pasted = fieldRunes(p.Content)
		p.Content = string(pastedText)
		msg = p
	}
	wasEdited := f.edited()
	before, bm, pos := []rune(f.Model.Value()), f.curMarks(), f.Model.Position()
	var cmd tea.Cmd
	f.Model, cmd = f.Model.Update(msg)
	after := []rune(f.Model.Value())
	if string(after) != string(before) {
		// What changed lies about the cursor: the runes before the
		// nearer of its two places and after the further are the old
		// ones, with their marks; the rest is new, marked as the paste
		// was (a typed ⏎ or ⇥ is that character).
		np := f.Model.Position()
		p := 0
		for p < min(pos, np) && p < len(after) && p < len(before) && before[p] == after[p] {
			p++
		}
		s := 0
		for s < len(after)-max(np, p) && s < len(before)-max(pos, p) && before[len(before)-1-s] == after[len(after)-1-s] {
			s++
		}
		marks := make([]bool, 0, len(after))
		marks = append(marks, bm[:p]...)
		for i, r := range after[p : len(after)-s] {
			marks = append(marks, i < len(pasted) && pastedText[i] == r && pasted[i])
		}
		f.marks = append(marks, bm[len(before)-s:]...)
	}
	if !wasEdited && f.edited() && f.dropNote != "" && f.hidden() {
		cmd = tea.Batch(cmd, notify(f.dropNote))
	}
	return f, cmd
}

// fieldText is v as a one-line field shows it: sanitised, each line break
// (\n, \r\n or \r) a ⏎, each tab a ⇥.
func fieldText(v string) string {
	text, _ := fieldRunes(v)
	return string(text)
}

// fieldRunes is fieldText as runes, with which of its ⏎ and ⇥ stand for a
// line break or a tab (a ⏎ or ⇥ that v holds stays that character).
func fieldRunes(v string) ([]rune, []bool) {
	v = strings.ReplaceAll(v, "\r\n", "\n")
	v = strings.ReplaceAll(v, "\r", "\n")
	var text []rune
	var marks []bool
	for _, r := range sanitize(v) {
		switch r {
		case '\n':
			text, marks = append(text, newlineRune), append(marks, true)
		case '\t':
			text, marks = append(text, tabRune), append(marks, true)
		default:
			text, marks = append(text, r), append(marks, false)
		}
	}
	return text, marks
}
