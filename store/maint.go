package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"whet/outfile"
	"whet/prompt"
	"whet/textutil"
)

// ActionPrune is the audit action of runs deleted by PruneRuns; its detail
// says how many, from before when.
const ActionPrune = "prune"

// PruneOptions chooses the runs PruneRuns deletes: those created before
// Before, except the ones it keeps.
type PruneOptions struct {
	Before time.Time
	// Keep are runs (ids or unique prefixes) kept whatever their age,
	// with the baselines they were checked against.
	Keep []string
	// DryRun reports what would be deleted and deletes nothing.
	DryRun bool
	// Author signs the audit row.
	Author string
}

// Kept reasons of PruneReport.Kept.
const (
	KeptGiven    = "kept as asked"
	KeptBaseline = "the drift baseline of a run kept"
	KeptHuman    = "has human scores"
	KeptRunning  = "still running"
)

// PruneReport is what PruneRuns deleted (or, dry, would delete).
type PruneReport struct {
	Deleted []RunSummary // newest first
	// Kept are the runs created before the cut that are kept, each with
	// why (one of the Kept reasons).
	Kept    []KeptRun
	Results int // results deleted with the runs
	Scores  int // scores deleted with them
}

// KeptRun is a run older than the cut that PruneRuns keeps.
type KeptRun struct {
	Run    prompt.Run
	Reason string
}

// PruneRuns deletes whole runs created before opt.Before — each with its
// results and their scores, in one transaction — to keep a database of
// months of runs small. It keeps, whatever their age: the runs opt.Keep
// names; the baseline of every run it keeps that checked one for drift (so
// that `whet drift --against` and the drift history still have both
// sides, and a nightly job's baseline stays however old it is), and the
// baselines of those in turn; runs with a human score (someone's work);
// runs another process is still executing. Results and scores are
// otherwise never deleted: the triggers that refuse it are lifted only for
// the length of this transaction, which holds the write lock, and put back
// as they were before it commits. An audit row records the deletion. The
// space the rows held is reused by later writes; VACUUM gives it back to
// the file system.
func (s *Store) PruneRuns(ctx context.Context, opt PruneOptions) (PruneReport, error) {
	var rep PruneReport
	if opt.Before.IsZero() {
		return rep, fmt.Errorf("prune: no date given: runs created before when?")
	}
	keep := map[string]string{}
	for _, k := range opt.Keep {
		r, err := s.GetRun(ctx, k)
		if err != nil {
			return rep, err
		}
		keep[r.ID] = KeptGiven
	}
	all, err := s.ListRuns(ctx, RunFilter{Brief: true})
	if err != nil {
		return rep, err
	}
	human, err := s.runsWithScorer(ctx, "human")
	if err != nil {
		return rep, err
	}
	cut := ms(opt.Before)
	byID := make(map[string]RunSummary, len(all))
	for _, sum := range all {
		r := sum.Run
		byID[r.ID] = sum
		switch {
		case ms(r.Created) >= cut:
			keep[r.ID] = "" // not old: kept, not reported
		case r.Status == prompt.RunRunning:
			keep[r.ID] = KeptRunning
		case human[r.ID] && keep[r.ID] == "":
			keep[r.ID] = KeptHuman
		}
	}
	// Baselines of kept runs, and theirs, however old.
	queue := make([]string, 0, len(keep))
	for id := range keep {
		queue = append(queue, id)
	}
	for len(queue) > 0 {
		id := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		base := byID[id].Run.DriftBaseline()
		if base == "" {
			continue
		}
		if _, ok := byID[base]; !ok {
			continue
		}
		if _, ok := keep[base]; ok {
			continue
		}
		keep[base] = KeptBaseline
		queue = append(queue, base)
	}
	for _, sum := range all { // newest first
		reason, kept := keep[sum.Run.ID]
		switch {
		case !kept:
			rep.Deleted = append(rep.Deleted, sum)
			rep.Results += sum.Done
		case reason != "":
			rep.Kept = append(rep.Kept, KeptRun{Run: sum.Run, Reason: reason})
		}
	}
	if len(rep.Deleted) == 0 {
		return rep, nil
	}
	if opt.DryRun {
		for _, sum := range rep.Deleted {
			var n int
			if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM scores WHERE result_id IN (SELECT id FROM results WHERE run_id = ?)`, sum.Run.ID).Scan(&n); err != nil {
				return rep, err
			}
			rep.Scores += n
		}
		return rep, nil
	}
	err = s.Update(ctx, func(tx *Tx) error {
		// Under the write lock, nothing more starts: keep what started
		// since the listing needs — a run resumed, a drift check begun
		// against an old baseline.
		if err := tx.keepStartedSince(ctx, s, &rep, byID); err != nil {
			return err
		}
		if len(rep.Deleted) == 0 {
			return nil
		}
		n, err := tx.pruneRuns(ctx, rep.Deleted)
		if err != nil {
			return err
		}
		rep.Scores = n
		runs := "runs"
		if len(rep.Deleted) == 1 {
			runs = "run"
		}
		detail := fmt.Sprintf("deleted %d %s created before %s (%d results, %d scores)",
			len(rep.Deleted), runs, opt.Before.UTC().Format(time.RFC3339), rep.Results, rep.Scores)
		return tx.audit(ctx, opt.Author, ActionPrune, promptHead{}, "", "", detail)
	})
	if err == nil {
		// A run whose process was killed left its claim's file beside
		// the database; no process holds it (keepStartedSince kept the
		// held ones), and no run of that id is left to claim.
		for _, sum := range rep.Deleted {
			if p := s.lockPath(sum.Run.ID); p != "" {
				os.Remove(p)
			}
		}
	}
	return rep, err
}

// keepStartedSince moves from rep.Deleted to rep.Kept the runs another
// process began executing after PruneRuns listed them (resumed), and the
// baselines of drift checks recorded since (known lists the runs it saw).
func (tx *Tx) keepStartedSince(ctx context.Context, s *Store, rep *PruneReport, known map[string]RunSummary) error {
	rows, err := tx.tx.QueryContext(ctx, `SELECT id, source, note FROM runs`)
	if err != nil {
		return err
	}
	defer rows.Close()
	baselines := map[string]bool{}
	for rows.Next() {
		var r prompt.Run
		if err := rows.Scan(&r.ID, &r.Source, &r.Note); err != nil {
			return err
		}
		if _, seen := known[r.ID]; !seen {
			if b := r.DriftBaseline(); b != "" {
				baselines[b] = true
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	still := rep.Deleted[:0]
	for _, sum := range rep.Deleted {
		switch {
		case baselines[sum.Run.ID]:
			rep.Kept = append(rep.Kept, KeptRun{Run: sum.Run, Reason: KeptBaseline})
		case haveLocks && s.lockPath(sum.Run.ID) != "" && s.runHeld(sum.Run.ID):
			rep.Kept = append(rep.Kept, KeptRun{Run: sum.Run, Reason: KeptRunning})
		default:
			still = append(still, sum)
			continue
		}
		rep.Results -= sum.Done
	}
	rep.Deleted = still
	return nil
}

// noDeleteTriggers are the triggers that make results and scores
// immutable, which pruneRuns lifts for its transaction.
var noDeleteTriggers = []string{"results_no_delete", "scores_no_delete"}

// pruneRuns deletes runs with their results, scores and what is kept of
// them (result_grades, run_identities), and returns how many scores went. The runs must not be running.
func (tx *Tx) pruneRuns(ctx context.Context, runs []RunSummary) (int, error) {
	saved := make([]string, 0, len(noDeleteTriggers))
	for _, name := range noDeleteTriggers {
		var sql string
		if err := tx.tx.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?`, name).Scan(&sql); err != nil {
			return 0, fmt.Errorf("prune: reading trigger %s: %w", name, err)
		}
		saved = append(saved, sql)
		if _, err := tx.tx.ExecContext(ctx, `DROP TRIGGER `+name); err != nil {
			return 0, fmt.Errorf("prune: %w", err)
		}
	}
	scores := 0
	for _, sum := range runs {
		id := sum.Run.ID
		res, err := tx.tx.ExecContext(ctx, `DELETE FROM scores WHERE result_id IN (SELECT id FROM results WHERE run_id = ?)`, id)
		if err != nil {
			return 0, fmt.Errorf("prune: run %s: %w", id, err)
		}
		n, _ := res.RowsAffected()
		scores += int(n)
		for _, q := range []string{
			`DELETE FROM result_grades WHERE run_id = ?`,
			`DELETE FROM run_identities WHERE run_id = ?`,
			`DELETE FROM results WHERE run_id = ?`,
			`DELETE FROM run_versions WHERE run_id = ?`,
			`DELETE FROM runs WHERE id = ?`,
		} {
			if _, err := tx.tx.ExecContext(ctx, q, id); err != nil {
				return 0, fmt.Errorf("prune: run %s: %w", id, err)
			}
		}
	}
	for _, sql := range saved {
		if _, err := tx.tx.ExecContext(ctx, sql); err != nil {
			return 0, fmt.Errorf("prune: restoring a trigger: %w", err)
		}
	}
	return scores, nil
}

// runsWithScorer is the set of runs with at least one score by scorer.
func (s *Store) runsWithScorer(ctx context.Context, scorer string) (map[string]bool, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT DISTINCT r.run_id FROM scores s JOIN results r ON r.id = s.result_id WHERE s.scorer = ?`, scorer)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// Vacuum rebuilds the database file without its free pages, giving the
// space of deleted rows back to the file system, and returns the file's
// size before and after. It needs about the database's size free on disk
// while it works, and waits (busy timeout) for other processes' writes.
func (s *Store) Vacuum(ctx context.Context) (before, after int64, err error) {
	if s.readOnly {
		return 0, 0, fmt.Errorf("database %s: %w", s.path, ErrReadOnly)
	}
	before, err = s.fileSize(ctx)
	if err != nil {
		return 0, 0, err
	}
	if _, err := s.w.ExecContext(ctx, `VACUUM`); err != nil {
		if fe := explain(s.path, err); fe != nil {
			return 0, 0, fe
		}
		return 0, 0, fmt.Errorf("database %s: vacuum: %w", s.path, err)
	}
	// Fold the WAL back into the file so that its size is the new one.
	if _, err := s.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return 0, 0, fmt.Errorf("database %s: checkpoint: %w", s.path, err)
	}
	after, err = s.fileSize(ctx)
	return before, after, err
}

// fileSize is the database's size in bytes: its pages, whatever part of
// them still sits in the WAL.
func (s *Store) fileSize(ctx context.Context) (int64, error) {
	var pages, size int64
	if err := s.w.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		return 0, err
	}
	if err := s.w.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&size); err != nil {
		return 0, err
	}
	return pages * size, nil
}

// BackupFile writes a consistent copy of the whet database at src to dst
// (VACUUM INTO): what was committed when it began, the part still in the
// WAL included, while other processes go on reading and writing. Copying
// the file itself while whet runs can miss the WAL's commits or catch a
// page half written. src is read as it is, never migrated: a backup taken
// after upgrading whet, before anything else, keeps the schema of the
// whet before (and a newer whet's database can be backed up too). The
// copy is written beside dst under a temporary name and renamed into
// place, so dst holds a whole database or nothing; an existing dst is
// refused unless force.
func BackupFile(ctx context.Context, src, dst string, force bool) error {
	abs, err := filepath.Abs(src)
	if err != nil {
		return fmt.Errorf("database %s: %w", src, err)
	}
	if _, err := FileSchemaVersion(ctx, abs); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return wrap(fs.ErrNotExist, "database %s does not exist: nothing to back up (--db or WHET_DB names the database)", abs)
		}
		return err
	}
	if _, err := os.Lstat(dst); err == nil && !force {
		return fmt.Errorf("backup: %s already exists: give another file, or --force to replace it", dst)
	}
	removeStaleBackups(dst)
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*.tmp")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("backup %s: cannot create a file in %s: %w (the database was not changed)", dst, absDir(dst), err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	os.Remove(tmpPath) // VACUUM INTO refuses a file that exists
	defer os.Remove(tmpPath)
	err = vacuumInto(ctx, abs, tmpPath, false)
	if err != nil && cannotOpenHere(err) && walEmpty(abs) {
		// A read-only place (a snapshot, a read-only mount) where the
		// -shm file cannot be made: with no WAL to read, nothing can
		// change the file under the copy, and SQLite may read it as
		// immutable.
		os.Remove(tmpPath)
		err = vacuumInto(ctx, abs, tmpPath, true)
	}
	if err != nil {
		if cannotOpenHere(err) {
			return fmt.Errorf("backup of %s: it cannot be read where it is: SQLite needs to create %s-shm beside it, or to find no %s-wal (%w)",
				abs, filepath.Base(abs), filepath.Base(abs), err)
		}
		if strings.Contains(err.Error(), "database or disk is full") {
			// VACUUM INTO only reads the database: it is the copy that
			// found no room.
			need := ""
			if fi, serr := os.Stat(abs); serr == nil {
				need = fmt.Sprintf(" (the copy needs up to %s, the database's size)", textutil.HumanBytes(fi.Size()))
			}
			return &FileError{Path: abs, Subject: "backup " + dst, Cond: ErrDiskFull, Err: err,
				What: "the disk is full",
				Kept: fmt.Sprintf("nothing was written to %s and the database was not changed", dst),
				Fix:  fmt.Sprintf("free space on %s%s and try again, or back up to another disk", absDir(dst), need)}
		}
		return openError(abs, fmt.Errorf("backup: %w", err))
	}
	if err := os.Rename(tmpPath, dst); err != nil {
		return fmt.Errorf("backup %s: %w (the database was not changed)", dst, err)
	}
	return nil
}

// vacuumInto copies the database at src to dst, a file that must not
// exist, reading src read-only (immutable: without locks or a -shm file,
// for a file nothing can change).
func vacuumInto(ctx context.Context, src, dst string, immutable bool) error {
	q := url.Values{}
	q.Set("mode", "ro")
	if immutable {
		q.Set("immutable", "1")
	}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	db, err := sql.Open("sqlite", fileURI(src, q))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `VACUUM INTO ?`, dst)
	return err
}

// cannotOpenHere reports whether err is SQLite's refusal to open a file
// where it cannot make its -shm file (a read-only directory or mount).
func cannotOpenHere(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "unable to open database file") || strings.Contains(msg, "readonly database")
}

// walEmpty reports whether the database at path has no write-ahead log
// holding commits.
func walEmpty(path string) bool {
	fi, err := os.Stat(path + "-wal")
	return errors.Is(err, fs.ErrNotExist) || (err == nil && fi.Size() == 0)
}

// absDir is the absolute directory of path, for a message: path's own
// directory as given when it cannot be made absolute.
func absDir(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return filepath.Dir(abs)
	}
	return filepath.Dir(path)
}

// staleBackupAge is how old what a backup left beside its file must be
// before the next backup to that file removes it: a backup still copying
// writes its files all the time.
const staleBackupAge = time.Hour

// removeStaleBackups removes what a backup to dst that was killed mid-copy
// (kill -9, a power cut) left beside dst: its hidden temporary copy,
// ".NAME.NUMBER.tmp" as BackupFile names it, and that copy's
// "-journal", once staleBackupAge old. On a disk the backup filled, they
// hold the space the next backup needs. Errors are ignored.
func removeStaleBackups(dst string) {
	dir, base := filepath.Split(dst)
	outfile.RemoveStale(dir, "."+base+".", []string{".tmp", ".tmp-journal"}, staleBackupAge)
}
