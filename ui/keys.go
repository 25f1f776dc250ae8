package ui

import (
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// globalKeys work on every screen. When a screen is taking text (a filter
// or an editor field), only the ctrl bindings among them apply. q quits
// from every screen and esc goes back, never the other way round; both ask
// first (quitMsg) when edits are unsaved or a run is going. In a dialog
// without a text field, q closes it as esc does.
type globalKeys struct {
	Quit     key.Binding
	Abort    key.Binding
	Suspend  key.Binding
	Help     key.Binding
	Palette  key.Binding
	Library  key.Binding
	Versions key.Binding
	Editor   key.Binding
	Arena    key.Binding
	Runs     key.Binding
	Results  key.Binding
	Compare  key.Binding
	Suites   key.Binding
	Models   key.Binding
}

func newGlobalKeys() globalKeys {
	return globalKeys{
		Quit:     key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit (esc: back)")),
		Abort:    key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit, also from a field")),
		Suspend:  key.NewBinding(key.WithKeys("ctrl+z"), key.WithHelp("ctrl+z", "suspend (fg resumes)")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Palette:  key.NewBinding(key.WithKeys("ctrl+p"), key.WithHelp("ctrl+p", "commands")),
		Library:  key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "library")),
		Versions: key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "versions")),
		Editor:   key.NewBinding(key.WithKeys("3"), key.WithHelp("3", "editor")),
		Arena:    key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "arena")),
		Runs:     key.NewBinding(key.WithKeys("5"), key.WithHelp("5", "runs")),
		Results:  key.NewBinding(key.WithKeys("6"), key.WithHelp("6", "results")),
		Compare:  key.NewBinding(key.WithKeys("7"), key.WithHelp("7", "compare")),
		Suites:   key.NewBinding(key.WithKeys("8"), key.WithHelp("8", "suites")),
		Models:   key.NewBinding(key.WithKeys("9"), key.WithHelp("9", "models")),
	}
}

// bindings lists the global keys in help order.
func (k globalKeys) bindings() []key.Binding {
	return []key.Binding{k.Library, k.Versions, k.Editor, k.Arena, k.Runs, k.Results, k.Compare, k.Suites, k.Models, k.Palette, k.Help, k.Quit, k.Abort, k.Suspend}
}

// keyTable is a screen's keys for help and the palette: named groups of
// bindings, shown as columns.
type keyTable struct {
	short  []key.Binding
	groups [][]key.Binding
}

// ShortHelp implements help.KeyMap.
func (t keyTable) ShortHelp() []key.Binding { return t.short }

// FullHelp implements help.KeyMap.
func (t keyTable) FullHelp() [][]key.Binding { return t.groups }

// navKeys are the list movements shared by list screens.
type navKeys struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
}

func newNavKeys() navKeys {
	return navKeys{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
	}
}

func (n navKeys) bindings() []key.Binding {
	return []key.Binding{n.Up, n.Down, n.Top, n.Bottom, n.PageUp, n.PageDown}
}

// move applies a navigation key to a cursor over n rows with a page of
// size page. It reports whether msg was a navigation key.
func (n navKeys) move(msg tea.KeyPressMsg, cursor, count, page int) (int, bool) {
	if page < 1 {
		page = 1
	}
	switch {
	case key.Matches(msg, n.Up):
		cursor--
	case key.Matches(msg, n.Down):
		cursor++
	case key.Matches(msg, n.Top):
		cursor = 0
	case key.Matches(msg, n.Bottom):
		cursor = count - 1
	case key.Matches(msg, n.PageUp):
		cursor -= page
	case key.Matches(msg, n.PageDown):
		cursor += page
	default:
		return cursor, false
	}
	return clamp(cursor, 0, count-1), true
}

func clamp(v, lo, hi int) int {
	if hi < lo {
		return lo
	}
	return max(lo, min(v, hi))
}

// keyPress builds the key press a binding's first key names, so that the
// palette can run any action through the same code path as its key.
func keyPress(k string) tea.KeyPressMsg {
	var mod tea.KeyMod
	for {
		switch {
		case strings.HasPrefix(k, "ctrl+"):
			mod |= tea.ModCtrl
			k = k[5:]
			continue
		case strings.HasPrefix(k, "alt+"):
			mod |= tea.ModAlt
			k = k[4:]
			continue
		case strings.HasPrefix(k, "shift+"):
			mod |= tea.ModShift
			k = k[6:]
			continue
		}
		break
	}
	named := map[string]rune{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "space": tea.KeySpace,
		"backspace": tea.KeyBackspace, "delete": tea.KeyDelete, "up": tea.KeyUp, "down": tea.KeyDown,
		"left": tea.KeyLeft, "right": tea.KeyRight, "home": tea.KeyHome, "end": tea.KeyEnd,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown,
	}
	if code, ok := named[k]; ok {
		msg := tea.KeyPressMsg{Code: code, Mod: mod}
		if code == tea.KeySpace && mod == 0 {
			msg.Text = " "
		}
		return msg
	}
	r, _ := utf8.DecodeRuneInString(k)
	msg := tea.KeyPressMsg{Code: r, Mod: mod}
	if mod&(tea.ModCtrl|tea.ModAlt) == 0 {
		msg.Text = k
	}
	return msg
}
