package ui

import (
	"context"
	"errors"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"whet/eval"
	"whet/prompt"
	"whet/store"
)

// Store is what the TUI needs of the prompt store. *store.Store satisfies
// it; every call runs inside a tea.Cmd, never in Update.
type Store interface {
	ListPrompts(ctx context.Context, o store.ListOptions) ([]prompt.Prompt, error)
	GetPrompt(ctx context.Context, name string) (prompt.Prompt, error)
	Resolve(ctx context.Context, ref prompt.Ref) (prompt.Version, error)
	Versions(ctx context.Context, name string) ([]prompt.Version, error)
	CreatePrompt(ctx context.Context, p store.NewPrompt, v store.NewVersion) (prompt.Version, error)
	SaveVersion(ctx context.Context, name string, v store.NewVersion) (prompt.Version, bool, error)
	SetTag(ctx context.Context, ref prompt.Ref, tag string, force bool, protected []string, author string) (prompt.Version, bool, error)
	SetLabels(ctx context.Context, name string, set map[string]string, rm []string, author string) error
	SetDefaults(ctx context.Context, name string, vars map[string]string, author string) error
	Archive(ctx context.Context, name, author string) error
	Unarchive(ctx context.Context, name, author string) error
	RenamePrompt(ctx context.Context, from, to, author string) (store.PromptRenamed, error)
	ListRuns(ctx context.Context, f store.RunFilter) ([]store.RunSummary, error)

	// Runs, for the Arena: it starts a run (recorded and claimed for this
	// process, so that no reader takes it for a killed one) and hands the
	// store to the executor (runner.ResultStore), reads result ids and
	// adds scores.
	StartRun(ctx context.Context, r *prompt.Run) (unlock func(), err error)
	SaveResults(ctx context.Context, rs []prompt.Result) error
	FinishRun(ctx context.Context, id string, status prompt.RunStatus, at time.Time) error
	Results(ctx context.Context, runID string) ([]prompt.Result, error)
	CacheGet(ctx context.Context, key string) (prompt.Result, bool, error)
	CachePut(ctx context.Context, key string, r prompt.Result) error
	AddScores(ctx context.Context, ss []prompt.Score) error

	// Reading runs back, for Results, Compare, Runs and the export dialog.
	GetRun(ctx context.Context, id string) (prompt.Run, error)
	Scores(ctx context.Context, runID string) ([]prompt.Score, error)
	// What the Runs list counts of runs (store.RunTallies), and their cells
	// and grades without their texts where a tally needs the scores.
	RunTallies(ctx context.Context, runIDs []string) (map[string][]store.Tally, error)
	ResultCells(ctx context.Context, runID string) ([]prompt.Result, error)
	ScoresBrief(ctx context.Context, runID string) ([]prompt.Score, error)
	VersionByID(ctx context.Context, id int64) (prompt.Version, error)

	// Suites, for the Suites screen.
	ListSuites(ctx context.Context, promptName string) ([]store.SuiteSummary, error)
	GetSuite(ctx context.Context, name string) (prompt.Suite, error)
	CreateSuite(ctx context.Context, su prompt.Suite, author string) (prompt.Suite, error)
	ReplaceSuite(ctx context.Context, su prompt.Suite, author string) (prompt.Suite, error)
	RenameSuite(ctx context.Context, from, to, author string) (prompt.Suite, error)
	DeleteSuite(ctx context.Context, name, author string) (prompt.Suite, error)

	// What earlier runs recorded of each target's model, and of its failed
	// calls, for Models.
	ModelsSeen(ctx context.Context) ([]store.ModelSeen, error)
	TargetsFailed(ctx context.Context) ([]store.TargetFailures, error)

	// A number that moves when another process commits a change, so that
	// the screens read again what it wrote (see watch.go).
	DataVersion(ctx context.Context) (int64, error)
}

// Store implements ui.Store.
var _ Store = (*store.Store)(nil)

// Deps is everything the TUI is given. Only Store is required.
type Deps struct {
	// Store is the open prompt store.
	Store Store
	// Author signs versions, tags and archives.
	Author string
	// ProtectedTags need a confirmation to move.
	ProtectedTags []string
	// Theme names a built-in theme (themes.Names); "" picks dark or light
	// from the terminal's background colour.
	Theme string
	// DBPath is shown, shortened with ~, in the status bar. The export
	// dialog refuses to write over it (and its -wal and -shm), as it does
	// over ConfigPath, the config file.
	DBPath     string
	ConfigPath string
	// ReadOnly says Store was opened read-only (store.ReadOnly: a database
	// the user may not write): the status bar says so, and every write
	// fails with a notice naming store.ErrReadOnly.
	ReadOnly bool
	// NoColor draws without colours (NO_COLOR). Run also honours a
	// non-empty NO_COLOR environment variable.
	NoColor bool
	// Graphemes says the terminal draws emoji sequences (👩‍💻, 👍🏽, ❤️) as
	// one glyph even if it does not answer for mode 2027 (kitty, iTerm2,
	// WezTerm); Run sets it from the environment (see clusters.go).
	Graphemes bool
	// Now is the clock used for "3h ago" times; nil means time.Now.
	Now func() time.Time
	// Home is the directory shown as ~ in paths; "" means os.UserHomeDir.
	Home string
	// Targets is the target registry the Arena and the drift re-runs of
	// Runs run on (runner.NewRegistry); nil leaves them without targets.
	Targets ArenaTargets
	// Evaluator grades the drift re-runs of suite runs by their checks
	// (judge and embedder included), as `whet drift` does; nil grades only
	// the checks that need no model (the others then fail).
	Evaluator *eval.Evaluator
}

// Run starts the TUI on the terminal and blocks until the user quits or ctx
// is cancelled. The alt screen and mouse are turned on by the root view.
func Run(ctx context.Context, d Deps) error {
	if d.Home == "" {
		d.Home, _ = os.UserHomeDir()
	}
	d, opts := terminalSetup(d, os.Getenv)
	m, err := newModel(ctx, d)
	if err != nil {
		return err
	}
	p := tea.NewProgram(m, append(opts, tea.WithContext(ctx))...)
	_, err = p.Run()
	if err != nil && errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// terminalSetup adapts d and the program to the terminal the environment
// names. A non-empty NO_COLOR gives the monochrome theme. The Linux console
// gets the dark theme unless one is named. A TERM that names
// no terminal type ("dumb", or none) makes Bubble Tea strip every style,
// reverse video and bold included, which would leave the selection in the
// tab bar, the palette and dialogs invisible: such a terminal is drawn as
// NO_COLOR is, without colours but with reverse video and bold (the screen
// is drawn with cursor movements anyway, which a terminal that cannot show
// reverse video could not follow either).
func terminalSetup(d Deps, getenv func(string) string) (Deps, []tea.ProgramOption) {
	if getenv("NO_COLOR") != "" {
		d.NoColor = true
	}
	var opts []tea.ProgramOption
	d.Graphemes = d.Graphemes || terminalClusters(getenv)
	if getenv("TERM") == "linux" && d.Theme == "" {
		// The Linux console does not report its background, which is
		// black.
		d.Theme = "dark"
	}
	if t := getenv("TERM"); t == "" || t == "dumb" {
		d.NoColor = true
		opts = append(opts, tea.WithColorProfile(colorprofile.ASCII))
	}
	return d, opts
}

// New returns the root model for d, for tests and embedding: the caller
// runs it with tea.NewProgram (or teatest). A theme name that does not exist
// falls back to dark and shows the error in the status bar.
func New(d Deps) tea.Model {
	m, err := newModel(context.Background(), d)
	if err != nil {
		m.notice = newNotice(0, err.Error(), true)
	}
	return m
}
