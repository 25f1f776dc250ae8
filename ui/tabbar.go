package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// The tab bar is one line: the brand, then one tab per screen in tabs()
// order, each "N Name" where N is its global key. When that does not fit
// the terminal, it falls back, in order, to short names ("1 Lib 2 Vers"),
// short names without the brand, and the active tab's name with bare
// numbers for the rest (with and without the brand). Labels are whole
// words: the bar never wraps and never cuts a name.

// tabForm is how much of its name a tab shows.
type tabForm int

const (
	tabFull   tabForm = iota // "1 Library"
	tabShort                 // "1 Lib"
	tabNumber                // "1" (the active tab still shows its name)
)

// tabBarLayout is the tab bar chosen for one width.
type tabBarLayout struct {
	brand  bool     // the " whet  " brand is shown
	labels []string // one per tabs() entry, unstyled
}

// short is the name a tab shows in the compact bar; screens without one
// show their full name.
func (s screenID) short() string {
	switch s {
	case screenLibrary:
		return "Lib"
	case screenVersions:
		return "Vers"
	case screenEditor:
		return "Edit"
	case screenResults:
		return "Res"
	case screenCompare:
		return "Comp"
	case screenModels:
		return "Mod"
	}
	return s.String()
}

func (m Model) brand() string { return " whet  " }

// tabLabel is a tab's number (its global key) and name.
func (m Model) tabLabel(s screenID) string { return m.tabLabelAs(s, tabFull) }

// tabLabelAs is a tab's label in form f.
func (m Model) tabLabelAs(s screenID, f tabForm) string {
	for i, t := range tabs() {
		if t != s {
			continue
		}
		n := itoa(i + 1)
		switch f {
		case tabShort:
			return n + " " + s.short()
		case tabNumber:
			if s != m.activeTab() {
				return n
			}
		}
		return n + " " + s.String()
	}
	return s.String()
}

// activeTab is the tab shown as active: the library's for the welcome
// screen.
func (m Model) activeTab() screenID {
	if m.active == screenWelcome {
		return screenLibrary
	}
	return m.active
}

// tabBar picks the widest layout that fits the terminal's width. Widths are
// counted, not rendered: this runs on every frame.
func (m Model) tabBar() tabBarLayout {
	frame := m.sh.styles().TabInactive.GetHorizontalFrameSize()
	brandW := ansi.StringWidth(m.brand())
	type choice struct {
		form  tabForm
		brand bool
	}
	choices := []choice{{tabFull, true}, {tabShort, true}, {tabShort, false}, {tabNumber, true}, {tabNumber, false}}
	var l tabBarLayout
	for _, c := range choices {
		l = tabBarLayout{brand: c.brand, labels: make([]string, len(tabs()))}
		w := 0
		if c.brand {
			w = brandW
		}
		for i, s := range tabs() {
			l.labels[i] = m.tabLabelAs(s, c.form)
			w += ansi.StringWidth(l.labels[i]) + frame
		}
		if w <= m.sh.width {
			break
		}
	}
	return l
}

// tabRanges returns the x ranges [from, to) of the tabs as drawn.
func (m Model) tabRanges() [][2]int {
	l := m.tabBar()
	frame := m.sh.styles().TabInactive.GetHorizontalFrameSize()
	x := 0
	if l.brand {
		x = ansi.StringWidth(m.brand())
	}
	out := make([][2]int, len(l.labels))
	for i, label := range l.labels {
		w := ansi.StringWidth(label) + frame
		out[i] = [2]int{x, x + w}
		x += w
	}
	return out
}

// tabsView is the tab bar and the rule under it.
func (m Model) tabsView() string {
	st := m.sh.styles()
	l := m.tabBar()
	var b strings.Builder
	if l.brand {
		b.WriteString(st.Title.Render(m.brand()))
	}
	active := m.activeTab()
	for i, s := range tabs() {
		if s == active {
			b.WriteString(st.TabActive.Render(l.labels[i]))
		} else {
			b.WriteString(st.TabInactive.Render(l.labels[i]))
		}
	}
	line := pad(b.String(), m.sh.width)
	rule := st.TabBar.Render(strings.Repeat("─", m.sh.width))
	return line + "\n" + rule
}
