package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
)

// statusView is the bottom line: the database (marked read-only when it
// was opened so), the prompt count, jobs in
// flight, and either the current notice or the key hints. A notice too
// long for its room hides the database and the count while it shows.
func (m Model) statusView() string {
	st := m.sh.styles()
	w := m.sh.width
	seg := func(s string) string { return st.StatusText.Render(s) }

	count := itoa(m.sh.promptCount) + " prompts"
	if m.sh.promptCount == 1 {
		count = "1 prompt"
	}
	jobs := ""
	if m.sh.jobs == 1 {
		jobs = "1 job running"
	} else if m.sh.jobs > 1 {
		jobs = itoa(m.sh.jobs) + " jobs running"
	}
	pathMax := clamp(w/3, 12, 48)
	left := seg(" ") + st.StatusAccent.Render(shortPath(m.sh.dbPath, m.sh.home, pathMax))
	if m.sh.readOnly {
		left += seg(" ") + st.StatusError.Render("read-only")
	}
	left += seg(" │ " + count + " │ ")
	if m.sh.jobs > 0 {
		left += st.StatusInfo.Render(jobs) + seg(" │ ")
	}

	var right string
	room := w - ansi.StringWidth(left) - 1
	if n := ansi.StringWidth(m.notice.text); n > room {
		// A notice that does not fit takes the database's and the
		// count's room: it says what just happened, they can wait.
		left = seg(" ")
		if m.sh.jobs > 0 {
			left += st.StatusInfo.Render(jobs) + seg(" │ ")
		}
		room = w - ansi.StringWidth(left) - 1
	}
	if m.notice.text != "" {
		if m.notice.isErr {
			right = st.StatusError.Render(trunc(m.notice.text, room))
		} else {
			right = st.StatusInfo.Render(trunc(m.notice.text, room))
		}
	} else {
		right = m.hints(room)
	}
	line := left + right
	if gap := w - ansi.StringWidth(line); gap > 0 {
		line += st.StatusBar.Render(strings.Repeat(" ", gap))
	}
	return trunc(line, w)
}

// hints renders the screen's short key hints that fit in room cells, in
// their order, always ending with help and the palette.
func (m Model) hints(room int) string {
	st := m.sh.styles()
	item := func(b key.Binding) string {
		h := b.Help()
		return st.StatusKey.Render(h.Key) + st.StatusText.Render(" "+h.Desc+"  ")
	}
	var tail string
	if !m.capturesText() {
		tail += item(m.sh.keys.Help)
	}
	tail += item(m.sh.keys.Palette)
	room -= ansi.StringWidth(tail)
	var out string
	for _, b := range m.screenKeys().short {
		if !b.Enabled() {
			continue
		}
		it := item(b)
		if ansi.StringWidth(it) > room {
			// A long hint that does not fit leaves its room to the
			// shorter ones after it (Models' "enter pick in the Arena").
			continue
		}
		out += it
		room -= ansi.StringWidth(it)
	}
	return out + tail
}
