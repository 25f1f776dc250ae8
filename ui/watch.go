package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"whet/prompt"
)

// The TUI follows what other processes write to its database: a `whet run`
// in the next pane, a CI job, a teammate's import. Every watchEvery, and
// whenever the terminal gets the focus back (focus reporting, where the
// terminal has it; tmux needs `set -g focus-events on`), it asks the store
// whether another process committed something (Store.DataVersion). If so,
// every screen that lists what is saved is marked stale, and the one on
// screen is read again at once, keeping its cursor, filter and open
// detail (Results only while its run is running or resumable, and on
// every tick while it shows a run this process is making); the others
// are read again when they are next shown. A screen in
// the middle of something (a dialog open, a suite being edited) is read
// again once it is done.

// defaultWatchEvery is how often the TUI asks whether the database changed.
const defaultWatchEvery = 2 * time.Second

type (
	// dbPollMsg is the watch's tick.
	dbPollMsg struct{}
	// dbVersionMsg is the store's data version; poll says it answers the
	// tick (which then ticks again), not a focus event.
	dbVersionMsg struct {
		v    int64
		err  error
		poll bool
	}
)

// dbWatch is what the root model knows of the database's changes.
type dbWatch struct {
	seen  int64 // the data version the screens were last marked stale at
	known bool  // seen has been read once
	stale screenSet
}

// screenSet is a set of screens.
type screenSet uint32

func (s screenSet) has(id screenID) bool { return s&(1<<id) != 0 }

// reloadable lists the screens that show what is saved and can read it
// again in place.
var reloadable = screenSet(1<<screenLibrary | 1<<screenWelcome | 1<<screenVersions |
	1<<screenHistory | 1<<screenResults | 1<<screenSuites)

// watchTick schedules the next question to the store; nil when watching is
// off (tests that run commands synchronously, a Model without a store).
func (m Model) watchTick() tea.Cmd {
	if m.sh.watchEvery <= 0 || m.sh.store == nil {
		return nil
	}
	return tea.Tick(m.sh.watchEvery, func(time.Time) tea.Msg { return dbPollMsg{} })
}

// askDataVersion reads the store's data version.
func (m Model) askDataVersion(poll bool) tea.Cmd {
	if m.sh.store == nil {
		return nil
	}
	return m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		v, err := st.DataVersion(ctx)
		return dbVersionMsg{v: v, err: err, poll: poll}
	})
}

// onDataVersion marks every listing screen stale when the version moved,
// and reads the one on screen again if it is stale.
func (m Model) onDataVersion(msg dbVersionMsg) (Model, tea.Cmd) {
	var next tea.Cmd
	if msg.poll {
		next = m.watchTick()
	}
	if msg.err != nil {
		// A database that cannot answer says so on the next real read;
		// the watch stays quiet.
		return m, next
	}
	switch {
	case !m.db.known:
		m.db.seen, m.db.known = msg.v, true
	case msg.v != m.db.seen:
		m.db.seen = msg.v
		m.db.stale = reloadable
	}
	if m.results.loaded && m.results.rr.Run.Status == prompt.RunRunning {
		// A run this process is making (in the Arena, a suite run, a
		// drift re-run) moves no data version: its writes are our own.
		// Results follows it on the watch's tick all the same.
		m.db.stale |= 1 << screenResults
	}
	m, cmd := m.reloadStale()
	return m, tea.Batch(next, cmd)
}

// reloadStale reads the active screen again when it is stale and at rest.
func (m Model) reloadStale() (Model, tea.Cmd) {
	id := m.active
	if !m.db.stale.has(id) || len(m.dialogs) > 0 {
		return m, nil
	}
	var cmd tea.Cmd
	switch id {
	case screenLibrary, screenWelcome:
		m.library, cmd = m.library.reload()
	case screenVersions:
		if m.versions.name == "" {
			break
		}
		m.versions, cmd = m.versions.refresh()
	case screenHistory:
		if !m.history.loaded {
			break
		}
		m.history, cmd = m.history.reload()
	case screenResults:
		if !m.results.loaded || m.results.rr.Run.Status == prompt.RunDone {
			// A finished run changes only by a rating or a judge's
			// grade made elsewhere (R shows them); reading a run of
			// thousands of cells again for every commit of an unrelated
			// CI run would keep the TUI busy.
			break
		}
		if m.results.loading {
			return m, nil // read again once this read is in
		}
		m.results, cmd = m.results.refresh()
	case screenSuites:
		if m.suites.mode != suitesList {
			return m, nil // stays stale until the suite is left
		}
		m.suites, cmd = m.suites.reload()
	}
	m.db.stale &^= 1 << id
	if id == screenWelcome || id == screenLibrary {
		m.db.stale &^= 1<<screenLibrary | 1<<screenWelcome
	}
	return m, cmd
}
