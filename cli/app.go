// Package cli is whet's command line: thin cobra commands that parse flags,
// call the store, runner and report packages, and print. Every listing has
// --json with the stable fields documented in the README. Exit codes: 0 ok,
// 1 failure, 2 usage error (a bad flag or argument, or a prompt, ref,
// suite or run named that does not exist).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"whet/config"
	"whet/store"
	"whet/textutil"
)

// Env is what a command reads from the outside world. Tests substitute it.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Version is whet's version string, set at build time.
	Version string
}

// app holds the state of one invocation: flags, and the config and store,
// opened on first use.
type app struct {
	env     Env
	ctx     context.Context
	dbFlag  string
	cfgFlag string
	theme   string

	paths config.Paths
	cfg   *config.Config
	st    *store.Store
}

// usageError marks an error as a usage error (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// flagRefusal makes err a usage error (exit 2) when it is a refusal a
// flag on the same command line lifts (a protected tag without --force,
// different content without --new-version or --replace): the command as
// typed cannot do it, as a bad flag cannot. A failure of the work itself
// stays an error (exit 1).
func flagRefusal(err error) error {
	if err != nil && (errors.Is(err, store.ErrProtectedTag) || errors.Is(err, errExistsDifferent)) {
		var ue usageError
		if !errors.As(err, &ue) {
			return usageError{err}
		}
	}
	return err
}

// silentError carries an exit code for a failure already reported.
type silentError struct{ code int }

func (e silentError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Execute runs whet with args and returns the process exit code.
func Execute(ctx context.Context, args []string, env Env) int {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	a := &app{env: env, ctx: ctx}
	defer a.close()
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var se silentError
	if errors.As(err, &se) {
		return se.code
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		// ctrl+c or SIGTERM stopped a command in the middle: each store
		// write is one transaction, so what was saved stays whole.
		fmt.Fprintln(env.Stderr, "whet: interrupted")
		return 1
	}
	if a.st != nil {
		// A read that met a damaged page, or any failure of the
		// database file SQLite names only by its code, is said in words
		// naming the file and what to do.
		err = a.st.Explain(err)
	}
	// An error may quote a file or a server (a check type, a regex, a
	// response body): what would act on the terminal goes.
	fmt.Fprintln(env.Stderr, "whet: "+textutil.Sanitize(plainGroupError(err.Error())+a.noConfigHint(err)))
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		return 2
	}
	// A prompt, ref, suite or run named on the command line that does
	// not exist is a usage error too: a CI job with a typo in a name must
	// not read as a gate that failed.
	if errors.Is(err, store.ErrNotFound) {
		return 2
	}
	// So is a run id or hash prefix that names several: the argument
	// needs more characters, nothing failed.
	if errors.Is(err, store.ErrAmbiguous) {
		return 2
	}
	return 1
}

// noConfigHint says, after an error about a target or provider whet does
// not know, that no config file was read: with no file at the default
// path (a CI step without WHET_CONFIG) the built-in defaults apply, and
// the providers and aliases of the file meant are then unknown.
func (a *app) noConfigHint(err error) string {
	if a.cfg == nil || a.cfg.Path != "" {
		return ""
	}
	msg := err.Error()
	if !strings.Contains(msg, "unknown target") && !strings.Contains(msg, "unknown provider") {
		return ""
	}
	return fmt.Sprintf(" (no config file at %s was read: only the built-in providers are known)", a.paths.ConfigFile)
}

// count is n and its noun, plural unless n is 1: "1 case", "3 cases".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// strconvError matches the parse error pflag quotes for a flag value of
// the wrong kind: strconv.ParseInt: parsing "x": invalid syntax.
var strconvError = regexp.MustCompile(`strconv\.Parse(Int|Uint|Float|Bool): parsing "(?:[^"\\]|\\.)*": (invalid syntax|value out of range)`)

// plainFlagError says what a flag wants in words ("want a whole number")
// where pflag quotes strconv.
func plainFlagError(msg string) string {
	return strconvError.ReplaceAllStringFunc(msg, func(m string) string {
		sub := strconvError.FindStringSubmatch(m)
		if sub[2] == "value out of range" {
			return "the number is too large"
		}
		switch sub[1] {
		case "Int", "Uint":
			return "want a whole number"
		case "Float":
			return "want a number"
		}
		return "want true or false"
	})
}

// exclusiveFlags matches cobra's error for flags marked mutually
// exclusive: if any flags in the group [user file] are set none of the
// others can be; [file user] were all set.
var exclusiveFlags = regexp.MustCompile(`if any flags in the group \[[^\]]*\] are set none of the others can be; \[([^\]]*)\] were all set`)

// plainGroupError says cobra's flag-group error in words: "--file and
// --user cannot be given together: give one".
func plainGroupError(msg string) string {
	return exclusiveFlags.ReplaceAllStringFunc(msg, func(m string) string {
		names := strings.Fields(exclusiveFlags.FindStringSubmatch(m)[1])
		for i, n := range names {
			names[i] = "--" + n
		}
		return strings.Join(names, " and ") + " cannot be given together: give one"
	})
}

// isCobraUsage recognises cobra's own argument and command errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "requires at most", "flag needs an argument", "invalid argument", "required flag", "if any flags in the group"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func (a *app) close() {
	if a.st != nil {
		a.st.Close()
	}
}

// resolvePaths applies env and flags to the default locations.
func (a *app) resolvePaths() (config.Paths, error) {
	p, err := config.DefaultPaths(a.env.Getenv)
	if err != nil {
		return p, err
	}
	return p.WithFlags(a.cfgFlag, a.dbFlag), nil
}

// checkConfigFile refuses a config file named by --config or WHET_CONFIG
// that does not exist: a path given is meant, and a typo must not
// silently run on the built-in defaults, where the file's targets and
// providers then read as unknown. Without either, a missing file at the
// default path means the defaults. 'whet config init' creates the file
// at the path named (it does not call this).
func (a *app) checkConfigFile(path string) error {
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	switch {
	case a.cfgFlag != "":
		return usagef("--config %s: no such file ('whet config init --config %s' writes one)", a.cfgFlag, a.cfgFlag)
	case a.env.Getenv(config.EnvConfig) != "":
		return usagef("%s=%s: no such file ('whet config init' writes one there; unset %s for the built-in defaults)", config.EnvConfig, path, config.EnvConfig)
	}
	return nil
}

// config loads the config file once.
func (a *app) config() (config.Config, error) {
	if a.cfg != nil {
		return *a.cfg, nil
	}
	p, err := a.resolvePaths()
	if err != nil {
		return config.Config{}, err
	}
	a.paths = p
	if err := a.checkConfigFile(p.ConfigFile); err != nil {
		return config.Config{}, err
	}
	c, err := config.Load(p.ConfigFile, a.env.Getenv)
	if err != nil {
		// A config that cannot be read or parsed is a usage error (exit 2),
		// as any file given is: a typo in whet.yaml must not read as a
		// failed gate.
		return c, usageError{err}
	}
	a.cfg = &c
	return c, nil
}

// store opens the database once.
func (a *app) store() (*store.Store, error) {
	if a.st != nil && !a.st.ReadOnly() {
		return a.st, nil
	}
	reg, err := a.registry()
	if err != nil {
		return nil, err
	}
	st, err := store.Open(a.ctx, a.paths.Database, store.CanonicalTargets(reg.Canonical), store.Upgrading(a.sayUpgrading))
	if err != nil {
		return nil, storeError(err)
	}
	if a.st != nil {
		a.st.Close()
	}
	a.st = st
	return st, nil
}

// sayUpgrading tells the user, on stderr and before the workbench takes the
// screen, why the first open of a database of an older schema waits: its
// migrations run once, and one that rewrites every result takes seconds on
// a large database. A new database says nothing.
func (a *app) sayUpgrading(up store.Upgrade) {
	steps := "migration " + up.Steps[0]
	if len(up.Steps) > 1 {
		steps = "migrations " + strings.Join(up.Steps, ", ")
	}
	fmt.Fprintf(a.env.Stderr, "whet: upgrading the database %s from schema %d to %d (%s), once; a large database takes a few seconds…\n",
		textutil.Sanitize(up.Path), up.From, up.To, steps)
}

// readStore opens the database for a command that only reads it: as store
// opens it (created, migrated) where it can be written, else read-only
// (store.ReadOnly), so that a database on a read-only mount, or a file the
// user may not write, can be read, and nothing is written to it. Opening
// writable first leaves no -wal or -shm file beside a database that can be
// written (a read-only connection cannot remove them). An older schema that
// cannot be written is an error saying to open it writable once.
func (a *app) readStore() (*store.Store, error) {
	if a.st != nil {
		return a.st, nil
	}
	st, err := a.store()
	if err == nil || !errors.Is(err, store.ErrNotWritable) {
		return st, err
	}
	reg, regErr := a.registry()
	if regErr != nil {
		return nil, regErr
	}
	ro, rerr := store.Open(a.ctx, a.paths.Database, store.ReadOnly(), store.CanonicalTargets(reg.Canonical))
	switch {
	case rerr == nil:
		a.st = ro
		return ro, nil
	case errors.Is(rerr, fs.ErrNotExist):
		return nil, err
	case errors.Is(rerr, store.ErrNeedsMigration):
		return nil, fmt.Errorf("%w, and it cannot be written here: run any whet command on it once where it can be written (or on a copy), then it reads anywhere (the file was not changed)", rerr)
	}
	return nil, storeError(rerr)
}

// storeError is a failed store.Open's error, in the words of the CLI. A
// database this whet cannot read (a newer whet's, not whet's at all) is a
// file given that cannot be read: a usage error (exit 2), so that a
// WHET_DB gone wrong in a CI job does not read as a failed gate.
func storeError(err error) error {
	var newer *store.NewerSchemaError
	if errors.As(err, &newer) {
		return usagef("database %s has schema version %d, but this whet knows schema version %d at most: it was written by a newer whet. Upgrade whet to open it, or give another database with --db or WHET_DB (the file was not changed)",
			newer.Path, newer.Theirs, newer.Ours)
	}
	if errors.Is(err, store.ErrNotWhetDatabase) {
		return usageError{err}
	}
	return err
}

// author signs changes: config author, else the login name
// (config.LoginName; the same when the config could not be read), else
// "unknown".
func (a *app) author() string {
	if c, err := a.config(); err == nil && c.Author != "" {
		return c.Author
	}
	if u := config.LoginName(a.env.Getenv); u != "" {
		return u
	}
	return "unknown"
}

func (a *app) protectedTags() []string {
	if c, err := a.config(); err == nil && c.ProtectedTags != nil {
		return c.ProtectedTags
	}
	return []string{"production"}
}

// colour reports whether w is a terminal that wants colour.
func (a *app) colour(w io.Writer) bool {
	if a.env.Getenv("NO_COLOR") != "" {
		return false
	}
	if a.env.Getenv("CLICOLOR_FORCE") != "" && a.env.Getenv("CLICOLOR_FORCE") != "0" {
		return true
	}
	return isTerminal(w)
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "whet",
		Short: "A terminal workbench for prompt engineers",
		Long: `whet keeps your prompts in a local SQLite library where every save is an
immutable version, runs any version across several models side by side, scores
and compares the outputs, and exports what you found.

Run whet with no arguments to open the workbench (TUI).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       a.env.Version,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runTUI(cmd)
		},
	}
	root.SetVersionTemplate(a.versionLine() + "\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%s (see '%s --help')", plainFlagError(err.Error()), c.CommandPath())}
	})
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error { return swallowedFlag(cmd) }
	root.PersistentFlags().StringVar(&a.dbFlag, "db", "", "database file (env WHET_DB)")
	root.PersistentFlags().StringVar(&a.cfgFlag, "config", "", "config file (env WHET_CONFIG)")
	root.Flags().StringVar(&a.theme, "theme", "", "TUI theme: dark, light, dracula, high-contrast")
	root.AddCommand(a.promptCmd(), a.pathsCmd(), a.versionCmd(), a.auditCmd())
	for _, add := range extraCommands {
		root.AddCommand(add(a))
	}
	a.addCompletions(root)
	completionArgs(root)
	return root
}

// swallowedFlag refuses a flag that took the next flag as its value, as
// pflag lets it: in `whet run x -m --var k=v`, -m reads "--var" as a
// target and k=v becomes a ref, and the error would be about a ref the
// user never meant. A value that is exactly one of the command's own flags
// (--var, -m) is taken for that mistake; write --note=--force to mean it.
// It runs in the commands' argument checks (which cobra runs before any
// pre-run hook, so that the displaced word is not first reported as an
// extra argument) and as the root's pre-run hook for the others.
func swallowedFlag(cmd *cobra.Command) error {
	var err error
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if err != nil || f.NoOptDefVal != "" { // a bool or count takes no value
			return
		}
		vals := []string{f.Value.String()}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			vals = sv.GetSlice()
		}
		for _, v := range vals {
			if other := flagNamed(cmd, v); other != nil {
				name := "--" + f.Name
				if f.Shorthand != "" {
					name = "-" + f.Shorthand + "/" + name
				}
				err = usagef("flag %s needs a value, but the word after it is the flag %s (give %s its value first; to mean the text itself, write --%s=%s)", name, v, name, f.Name, v)
				return
			}
		}
	})
	return err
}

// flagNamed is the flag of cmd that word spells (--name, --name=x, -m), or
// nil.
func flagNamed(cmd *cobra.Command, word string) *pflag.Flag {
	if rest, ok := strings.CutPrefix(word, "--"); ok {
		name, _, _ := strings.Cut(rest, "=")
		if name == "" {
			return nil
		}
		return cmd.Flags().Lookup(name)
	}
	if len(word) == 2 && word[0] == '-' {
		return cmd.Flags().ShorthandLookup(word[1:])
	}
	return nil
}

// completionArgs makes `whet completion SHELL` refuse a shell it has no
// script for (tcsh) as a usage error: cobra's own
// completion command prints its help and exits 0, which reads as a script
// written.
func completionArgs(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Args = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil // its help, as every command group gives
			}
			shells := make([]string, 0, 4)
			for _, sub := range cmd.Commands() {
				shells = append(shells, sub.Name())
			}
			return usagef("%s: no script for the shell %q: use %s", cmd.CommandPath(), args[0], strings.Join(shells, ", "))
		}
		c.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
	}
}

// extraCommands lets other files of this package register top-level
// commands (run, models, config, runs, export) without touching rootCmd.
var extraCommands []func(a *app) *cobra.Command

func (a *app) pathsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "paths",
		Short: "Show where whet keeps its config and data",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := a.resolvePaths()
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.env.Stdout, map[string]string{"config_file": p.ConfigFile, "data_dir": p.DataDir, "database": p.Database})
			}
			fmt.Fprintf(a.env.Stdout, "config    %s\ndata dir  %s\ndatabase  %s\n", p.ConfigFile, p.DataDir, p.Database)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print whet's version, the schema it writes and the database's schema",
		Long: `Print whet's version and the database schema version it writes, then the
database (--db, WHET_DB) and its schema version, read without opening or
changing the file. A database written by a newer whet is said to be so: this
whet refuses to open it.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(a.env.Stdout, a.versionLine())
			p, err := a.resolvePaths()
			if err != nil {
				return err
			}
			fmt.Fprintln(a.env.Stdout, databaseSchema(a.ctx, p.Database))
			return nil
		},
	}
}

// versionLine is whet's version and the schema version it writes.
func (a *app) versionLine() string {
	return fmt.Sprintf("whet %s (database schema %d)", a.env.Version, store.SchemaVersion())
}

// databaseSchema says which schema the database file at path has, next to
// the one this whet writes, and what follows from it: one line.
func databaseSchema(ctx context.Context, path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	ours := store.SchemaVersion()
	v, err := store.FileSchemaVersion(ctx, path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return textutil.OneLine(err.Error())
	}
	return "database " + path + ": " + schemaState(v, ours, err == nil)
}

// schemaState is databaseSchema's verdict on a file of schema version v
// (exists false: no file yet) for a whet that writes schema ours.
func schemaState(v, ours int, exists bool) string {
	switch {
	case !exists:
		return fmt.Sprintf("not created yet (the first command that needs it creates it, with schema %d)", ours)
	case v > ours:
		return fmt.Sprintf("schema %d: newer than this whet (schema %d), which will not open or change it: upgrade whet to use it, or give another database with --db or WHET_DB", v, ours)
	case v == 0:
		return fmt.Sprintf("empty (the first command that needs it sets it up, with schema %d)", ours)
	case v < ours:
		return fmt.Sprintf("schema %d, older than this whet's: the next command that opens it upgrades it to schema %d (older whets then cannot open it)", v, ours)
	}
	return fmt.Sprintf("schema %d, up to date", v)
}

// Main runs whet as a process: os args, std streams, and SIGINT/SIGTERM
// cancelling the context (ctrl+c stops a run and keeps what finished). It
// returns the exit code.
func Main(version string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// whet reports through its own output; a library's stray log lines
	// (the Gemini SDK logs a broken stream it also returns as an error)
	// would only land over the progress bar or the workbench's screen.
	log.SetOutput(io.Discard)
	// WHET_CPUPROFILE=FILE writes a CPU profile (for performance work).
	if path := os.Getenv("WHET_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil && pprof.StartCPUProfile(f) == nil {
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	return Execute(ctx, os.Args[1:], Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Version: version})
}
