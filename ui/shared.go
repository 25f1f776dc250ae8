package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"whet/runner"
	"whet/store"
	"whet/themes"
)

// shared is the context every screen holds a pointer to: theme, keys,
// store, author, clock and the terminal size. Only Update code writes to it
// (the root's, and the screens' and dialogs' it calls: post, open);
// commands never read it (they copy what they need first).
type shared struct {
	ctx       context.Context
	store     Store
	author    string
	protected []string
	dbPath    string
	readOnly  bool // the store was opened read-only (Deps.ReadOnly)
	cfgPath   string
	home      string
	now       func() time.Time
	// targets resolve the targets runs name, to tell which have a known
	// price (runner.Unpriced); nil: none is known to lack one.
	targets runner.Targets

	theme      themes.Theme
	themeFixed bool // the user named a theme; ignore the terminal's background
	bgKnown    bool // the terminal reported its background colour
	fewColours bool // the terminal shows 16 colours (themes.FewColours)
	noColor    bool
	// clusters follows the terminal's answers on grapheme clustering;
	// termClusters: the environment names a terminal that clusters
	// (see clusters.go).
	clusters     clusterProbe
	termClusters bool

	keys globalKeys

	// noticeTTL is how long an information notice stays (0: until replaced
	// or the screen changes; see notice);
	// previewWait is how long the cursor must rest on a prompt before its
	// preview loads. Tests set both to 0.
	noticeTTL   time.Duration
	previewWait time.Duration
	// watchEvery is how often the TUI asks whether another process changed
	// the database (see watch.go); 0: never (tests that run commands
	// synchronously).
	watchEvery time.Duration

	width, height int // the whole terminal
	promptCount   int
	jobs          int // store writes in flight (saves, imports)

	// posted holds the messages posted (post, open) while the root handles
	// one message; the root handles them, in order, before it returns.
	posted []tea.Msg
}

// open puts dialog d on top of the dialog stack as soon as the Update
// running now returns, before the root takes its next message: a key typed
// right after the one that opened d goes to d, however fast it came. It
// returns nil, so that a screen writes return m, m.sh.open(d). Only Update
// code calls it, never a command (see post).
func (s *shared) open(d dialog) tea.Cmd { return s.post(pushDialogMsg{d}) }

// post has the root handle msg right after the message it is handling now,
// ahead of any input already queued, where a command's message (emit)
// would come after that input. It returns nil. Only Update code may call
// it: a command runs in another goroutine and must not touch shared.
func (s *shared) post(msg tea.Msg) tea.Cmd {
	if msg == nil {
		return nil
	}
	s.posted = append(s.posted, msg)
	return nil
}

// fit adapts theme t to the terminal: monochrome for NO_COLOR, reverse
// video for the selection in 16 colours.
func (s *shared) fit(t themes.Theme) themes.Theme {
	if s.noColor {
		t = themes.Monochrome(t)
	}
	if s.fewColours {
		t = themes.FewColours(t)
	}
	return t
}

// styles is a short hand for the current theme's styles.
func (s *shared) styles() *themes.Styles { return &s.theme.Styles }

// previewDelay is the debounce of library previews.
func (s *shared) previewDelay() time.Duration { return s.previewWait }

// themeKey names how text is drawn, for caches of rendered text: the
// theme, and whether emoji sequences are split (see clusters.go).
func (s *shared) themeKey() string {
	k := s.theme.Name
	if s.theme.Mono {
		k += "/mono"
	}
	if splitClusters.Load() {
		k += "/split"
	}
	return k
}

// isProtected reports whether tag needs a confirmation to move.
func (s *shared) isProtected(tag string) bool {
	for _, p := range s.protected {
		if p == tag {
			return true
		}
	}
	return false
}

// do wraps a store call as a command. The closure gets the program's
// context and the store; it must not touch any model.
func (s *shared) do(fn func(ctx context.Context, st Store) tea.Msg) tea.Cmd {
	ctx, st := s.ctx, s.store
	return func() tea.Msg { return fn(ctx, st) }
}

// shortPath renders p with the home directory as ~ and, when longer than
// max, with the middle folders elided: ~/…/whet/whet.db.
func shortPath(p, home string, max int) string {
	if p == "" {
		return "(no database)"
	}
	if home != "" {
		home = filepath.Clean(home)
		if p == home {
			p = "~"
		} else if strings.HasPrefix(p, home+string(filepath.Separator)) {
			p = "~" + p[len(home):]
		}
	}
	if max <= 0 || ansi.StringWidth(p) <= max {
		return p
	}
	parts := strings.Split(p, string(filepath.Separator))
	// Keep the first part and as many trailing parts as fit.
	for keep := len(parts) - 1; keep >= 1; keep-- {
		cand := parts[0] + string(filepath.Separator) + "…" + string(filepath.Separator) + strings.Join(parts[len(parts)-keep:], string(filepath.Separator))
		if keep < len(parts)-1 && ansi.StringWidth(cand) <= max {
			return cand
		}
	}
	// Keep the end: the whole clusters that fit after "…".
	i := 0
	for i < len(p) && ansi.StringWidth(p[i:]) > max-1 {
		cluster, _ := ansi.FirstGraphemeCluster(p[i:], ansi.GraphemeWidth)
		i += len(cluster)
	}
	return "…" + p[i:]
}

// ago renders t relative to now: "just now", "5m ago", "3h ago", "2d ago",
// then the date.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return itoa(int(d/time.Minute)) + "m ago"
	case d < 24*time.Hour:
		return itoa(int(d/time.Hour)) + "h ago"
	case d < 30*24*time.Hour:
		return itoa(int(d/(24*time.Hour))) + "d ago"
	case t.Year() == now.Year():
		return t.Format("Jan 02")
	}
	return t.Format("2006-01-02")
}

// errText is err's message for the screen, with a failure of the database
// file that SQLite names only by its code (a damaged page met while
// reading, a full disk) said in words naming the file and what to do, as
// the store says it (store.Explain), where the store can.
func (sh *shared) errText(err error) string {
	if sh == nil {
		return err.Error()
	}
	if x, ok := sh.store.(interface{ Explain(error) error }); ok {
		err = x.Explain(err)
	}
	return err.Error()
}

// savingStoppedText is the notice for a run (what: "run", "suite run", …)
// stopped because its results could not be saved — a full disk, the
// database locked too long: the cause and its fix first, where the status
// bar has room, then how to finish it. ok is false for any other error.
func savingStoppedText(what, id string, err error) (text string, ok bool) {
	var fe *store.FileError
	if !errors.As(err, &fe) {
		return "", false
	}
	return fmt.Sprintf("%s %s stopped: database %s: %s; %s, then whet run --resume %s finishes it", what, id, fe.Path, fe.What, fe.Fix, id), true
}
