package cli

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"whet/store"
	"whet/textutil"
)

func init() { registerCmd((*app).backupCmd) }

type pruneFlags struct {
	olderThan string
	before    string
	keep      []string
	dryRun    bool
	yes       bool
	noVacuum  bool
}

func (a *app) runsPruneCmd() *cobra.Command {
	var f pruneFlags
	cmd := &cobra.Command{
		Use:   "prune (--older-than AGE | --before DATE) [--keep RUN_ID]... [--dry-run | --yes]",
		Short: "Delete old runs with their results and scores, keeping drift baselines, and give the space back",
		Long: `Delete the runs created before a date — each whole: its results and their
scores — and then compact the database file (VACUUM) so that the space goes
back to the file system.

Kept whatever their age: the runs --keep names; the baseline of every run
kept that checked one for drift (a nightly 'whet drift BASELINE' keeps its
baseline however old it is, and the baseline's own, if it was a re-run);
runs with a human score; runs still running. Prompts, versions, tags, suites
and the response cache are not touched. The deletion is one transaction and
is written to the audit log ('whet audit').

Without --yes it only says what it would delete (as --dry-run does) and
exits 2. Back the database up first ('whet backup FILE').`,
		Example: `  whet runs prune --older-than 90d --dry-run
  whet runs prune --older-than 90d --yes
  whet runs prune --before 2026-06-01 --keep 1m869te23xva --yes`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.prune(f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.olderThan, "older-than", "", "delete runs older than AGE: 90d, 12w, 36h")
	fl.StringVar(&f.before, "before", "", "delete runs created before DATE (YYYY-MM-DD or YYYY-MM-DD HH:MM, local time, or RFC 3339)")
	fl.StringArrayVar(&f.keep, "keep", nil, "keep this run whatever its age (repeatable)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "say what would be deleted; delete nothing")
	fl.BoolVarP(&f.yes, "yes", "y", false, "delete without asking")
	fl.BoolVar(&f.noVacuum, "no-vacuum", false, "do not compact the file afterwards (the space is reused by later runs)")
	return cmd
}

// parseAge reads --older-than: a Go duration, or whole days (d) or weeks (w).
func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for unit, d := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, unit); ok {
			v, err := strconv.Atoi(n)
			if err != nil || v < 0 {
				return 0, fmt.Errorf("%q is not a number of %s", n, map[string]string{"d": "days", "w": "weeks"}[unit])
			}
			if int64(v) > math.MaxInt64/int64(d) {
				return 0, fmt.Errorf("%q is too long ago", s)
			}
			return time.Duration(v) * d, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not an age: give one such as 90d, 12w or 36h", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return d, nil
}

// parseDate reads --before: a day (local midnight), a local time of day on
// it (YYYY-MM-DD HH:MM[:SS], with a space or a T, as whet runs shows
// times), or an RFC 3339 time.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.DateOnly, "2006-01-02 15:04", time.DateTime, "2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date: give YYYY-MM-DD, YYYY-MM-DD HH:MM (local time) or an RFC 3339 time", s)
}

func (a *app) prune(f pruneFlags) error {
	var cut time.Time
	switch {
	case f.olderThan != "" && f.before != "":
		return usagef("give --older-than or --before, not both")
	case f.olderThan != "":
		age, err := parseAge(f.olderThan)
		if err != nil {
			return usagef("--older-than: %v", err)
		}
		cut = time.Now().Add(-age)
	case f.before != "":
		t, err := parseDate(f.before)
		if err != nil {
			return usagef("--before: %v", err)
		}
		cut = t
	default:
		return usagef("say which runs to delete: --older-than AGE (e.g. 90d) or --before DATE")
	}
	if f.dryRun && f.yes {
		return usagef("--dry-run deletes nothing: drop it or --yes")
	}
	st, err := a.store()
	if err != nil {
		return err
	}
	dry := f.dryRun || !f.yes
	rep, err := st.PruneRuns(a.ctx, store.PruneOptions{Before: cut, Keep: f.keep, DryRun: dry, Author: a.author()})
	if err != nil {
		return err
	}
	when := cut.Local().Format("2006-01-02 15:04")
	if len(rep.Kept) > 0 {
		fmt.Fprintf(a.env.Stderr, "kept %s created before %s:\n", count(len(rep.Kept), "run"), when)
		tw := tabwriter.NewWriter(termWriter{a.env.Stderr}, 0, 0, 2, ' ', 0)
		for _, k := range rep.Kept {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", k.Run.ID, k.Run.Created.Local().Format("2006-01-02 15:04"), strings.Join(runRefs(k.Run), ","), k.Reason)
		}
		tw.Flush()
	}
	if len(rep.Deleted) == 0 {
		if len(rep.Kept) > 0 {
			fmt.Fprintf(a.env.Stdout, "no run to delete: those created before %s are kept\n", when)
		} else {
			fmt.Fprintf(a.env.Stdout, "no run to delete: none was created before %s\n", when)
		}
		return nil
	}
	what := fmt.Sprintf("%s created before %s (%s, %s)", count(len(rep.Deleted), "run"), when, count(rep.Results, "result"), count(rep.Scores, "score"))
	if dry {
		oldest := rep.Deleted[len(rep.Deleted)-1].Run
		fmt.Fprintf(a.env.Stdout, "would delete %s; the oldest is %s of %s\n", what, oldest.ID, oldest.Created.Local().Format("2006-01-02"))
		if f.dryRun {
			return nil
		}
		return usagef("nothing deleted: run again with --yes to delete them (a copy first: 'whet backup FILE')")
	}
	fmt.Fprintf(a.env.Stdout, "deleted %s\n", what)
	if f.noVacuum {
		return nil
	}
	before, after, err := st.Vacuum(a.ctx)
	if err != nil {
		return fmt.Errorf("the runs are deleted, but compacting the file failed (the space is reused by later runs): %w", err)
	}
	fmt.Fprintf(a.env.Stdout, "database %s: %s → %s\n", st.Path(), textutil.HumanBytes(before), textutil.HumanBytes(after))
	return nil
}

func (a *app) backupCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "backup FILE",
		Short: "Write a consistent copy of the database to FILE, even while whet is running",
		Long: `Write a copy of the whole database to FILE, as it is when the backup begins,
while other whet processes go on reading and writing it. Copying whet.db
itself while whet runs can miss the commits still in its -wal file. The copy
is compacted, and written under a temporary name and renamed, so FILE holds a
whole database or nothing. The database is copied as it is, never upgraded:
after installing a newer whet, 'whet backup' before anything else keeps the
schema the older whet can open. Restore it by pointing --db or WHET_DB at it, or
by moving it over whet.db while no whet runs (remove whet.db-wal and
whet.db-shm with it).`,
		Example: `  whet backup ~/backups/whet-$(date +%F).db`,
		Args:    exactArgs(1, "FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := args[0]
			if err := a.checkOutputDir(path); err != nil {
				return usagef("%s: %v", path, err)
			}
			if _, err := os.Lstat(path); err == nil && !force {
				return usagef("%s already exists: give another file, or --force to replace it", path)
			}
			p, err := a.resolvePaths()
			if err != nil {
				return err
			}
			db, err := filepath.Abs(p.Database)
			if err != nil {
				return err
			}
			if same, _ := samePath(path, db); same {
				return usagef("%s is the database itself: give another file", path)
			}
			// Not a.store(): that would migrate the file first.
			if err := store.BackupFile(a.ctx, db, path, force); err != nil {
				return err
			}
			fi, err := os.Stat(path)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.env.Stdout, "backed up %s to %s (%s)\n", db, path, textutil.HumanBytes(fi.Size()))
			return nil
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "replace FILE if it exists")
	return cmd
}

// samePath reports whether a and b name the same file path once made
// absolute.
func samePath(a, b string) (bool, error) {
	aa, err := filepath.Abs(a)
	if err != nil {
		return false, err
	}
	bb, err := filepath.Abs(b)
	if err != nil {
		return false, err
	}
	return aa == bb, nil
}
