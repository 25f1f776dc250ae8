package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"whet/prompt"
)

// pruneRun records a finished run created at, with two results each
// scored by scorer, and returns it.
func pruneRun(t *testing.T, s *Store, v prompt.Version, at time.Time, source, note, scorer string) prompt.Run {
	t.Helper()
	ctx := context.Background()
	run := prompt.Run{Created: at, Source: source, Note: note, Versions: []prompt.RunVersion{rv(v)}, Targets: []string{"echo"},
		Cases: []prompt.Case{{Vars: map[string]string{"x": "1"}}, {Vars: map[string]string{"x": "2"}}}, Repeat: 1}
	unlock, err := s.StartRun(ctx, &run)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	rs := []prompt.Result{
		{RunID: run.ID, VersionID: v.ID, Target: "echo", Case: 0, Output: strings.Repeat("out ", 200)},
		{RunID: run.ID, VersionID: v.ID, Target: "echo", Case: 1, Output: strings.Repeat("out ", 200)},
	}
	if err := s.SaveResults(ctx, rs); err != nil {
		t.Fatal(err)
	}
	var ss []prompt.Score
	for _, r := range rs {
		ss = append(ss, prompt.Score{ResultID: r.ID, Scorer: scorer, Value: 1})
	}
	if err := s.AddScores(ctx, ss); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, run.ID, prompt.RunDone, at.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	run.Status = prompt.RunDone
	return run
}

func TestPruneRunsKeepsBaselinesHumanScoresAndNewRuns(t *testing.T) {
	ctx := context.Background()
	s, a1, _, _ := runFixture(t)
	now := time.Now()
	day := 24 * time.Hour
	old := pruneRun(t, s, a1, now.Add(-100*day), "cli", "", "check:contains")
	// A baseline of 90 days ago that tonight's drift run was checked against,
	// itself a drift run of an older one: both stay.
	root := pruneRun(t, s, a1, now.Add(-95*day), "cli", "first baseline", "check:contains")
	base := pruneRun(t, s, a1, now.Add(-90*day), "drift", prompt.DriftNotePrefix+root.ID, "check:contains")
	oldDrift := pruneRun(t, s, a1, now.Add(-80*day), "drift", prompt.DriftNotePrefix+base.ID+": nightly", "check:contains")
	rated := pruneRun(t, s, a1, now.Add(-70*day), "arena", "", "human")
	asked := pruneRun(t, s, a1, now.Add(-60*day), "cli", "", "check:contains")
	tonight := pruneRun(t, s, a1, now.Add(-time.Hour), "drift", prompt.DriftNotePrefix+base.ID+": nightly", "check:contains")
	recent := pruneRun(t, s, a1, now.Add(-2*day), "cli", "", "check:contains")

	cut := now.Add(-30 * day)
	dry, err := s.PruneRuns(ctx, PruneOptions{Before: cut, Keep: []string{asked.ID[:10]}, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(rep PruneReport) (del []string, kept map[string]string) {
		kept = map[string]string{}
		for _, d := range rep.Deleted {
			del = append(del, d.Run.ID)
		}
		for _, k := range rep.Kept {
			kept[k.Run.ID] = k.Reason
		}
		return del, kept
	}
	del, kept := ids(dry)
	if strings.Join(del, ",") != oldDrift.ID+","+old.ID || dry.Results != 4 || dry.Scores != 4 {
		t.Errorf("dry run deletes %v (%d results, %d scores), want %s,%s (4, 4)", del, dry.Results, dry.Scores, oldDrift.ID, old.ID)
	}
	want := map[string]string{root.ID: KeptBaseline, base.ID: KeptBaseline, rated.ID: KeptHuman, asked.ID: KeptGiven}
	for id, why := range want {
		if kept[id] != why {
			t.Errorf("run %s kept %q, want %q", id, kept[id], why)
		}
	}
	if len(kept) != len(want) {
		t.Errorf("kept %v, want %v", kept, want)
	}
	if _, err := s.GetRun(ctx, old.ID); err != nil {
		t.Fatalf("a dry run deleted run %s: %v", old.ID, err)
	}

	rep, err := s.PruneRuns(ctx, PruneOptions{Before: cut, Keep: []string{asked.ID}, Author: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	if del2, _ := ids(rep); strings.Join(del2, ",") != strings.Join(del, ",") || rep.Scores != 4 {
		t.Errorf("prune deleted %v (%d scores), the dry run said %v", del2, rep.Scores, del)
	}
	for _, gone := range []prompt.Run{old, oldDrift} {
		var nf *NotFoundError
		if _, err := s.GetRun(ctx, gone.ID); !errors.As(err, &nf) {
			t.Errorf("run %s after prune: %v, want not found", gone.ID, err)
		}
		if rs, err := s.Results(ctx, gone.ID); err == nil && len(rs) > 0 {
			t.Errorf("run %s kept %d results", gone.ID, len(rs))
		}
	}
	for _, r := range []prompt.Run{root, base, rated, asked, tonight, recent} {
		rs, err := s.Results(ctx, r.ID)
		if err != nil || len(rs) != 2 {
			t.Errorf("kept run %s: %d results, %v", r.ID, len(rs), err)
		}
		sc, err := s.Scores(ctx, r.ID)
		if err != nil || len(sc) != 2 {
			t.Errorf("kept run %s: %d scores, %v", r.ID, len(sc), err)
		}
	}
	var orphans int
	if err := s.r.QueryRow(`SELECT COUNT(*) FROM scores WHERE result_id NOT IN (SELECT id FROM results)`).Scan(&orphans); err != nil || orphans != 0 {
		t.Errorf("%d scores without a result (%v)", orphans, err)
	}
	// Results and scores are immutable again once the prune committed.
	for _, stmt := range []string{`DELETE FROM results`, `DELETE FROM scores`} {
		if _, err := s.w.Exec(stmt); err == nil {
			t.Errorf("%s after a prune: succeeded", stmt)
		}
	}
	audit, err := s.Audit(ctx, "", 1)
	if err != nil || len(audit) != 1 || audit[0].Action != ActionPrune || audit[0].Who != "ops" ||
		!strings.HasPrefix(audit[0].Detail, "deleted 2 runs created before ") || !strings.HasSuffix(audit[0].Detail, "(4 results, 4 scores)") {
		t.Errorf("audit after prune: %+v, %v", audit, err)
	}

	// Nothing older left to delete: no change, no audit row.
	rep, err = s.PruneRuns(ctx, PruneOptions{Before: cut, Keep: []string{asked.ID}})
	if err != nil || len(rep.Deleted) != 0 {
		t.Errorf("second prune: %+v, %v", rep, err)
	}
	if audit, _ := s.Audit(ctx, "", 0); len(audit) == 0 || audit[0].Action != ActionPrune || len(auditOf(audit, ActionPrune)) != 1 {
		t.Errorf("a prune that deleted nothing wrote an audit row")
	}
	if _, err := s.PruneRuns(ctx, PruneOptions{Before: cut, Keep: []string{"zzzzzz"}}); err == nil {
		t.Error("keeping an unknown run: no error")
	}
}

func auditOf(es []AuditEntry, action string) []AuditEntry {
	var out []AuditEntry
	for _, e := range es {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

func TestPruneRunsKeepsARunStillRunning(t *testing.T) {
	ctx := context.Background()
	s, a1, _, _ := runFixture(t)
	run := prompt.Run{Created: time.Now().Add(-48 * time.Hour), Source: "cli", Versions: []prompt.RunVersion{rv(a1)}, Targets: []string{"echo"}, Repeat: 1}
	unlock, err := s.StartRun(ctx, &run)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	rep, err := s.PruneRuns(ctx, PruneOptions{Before: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Deleted) != 0 || len(rep.Kept) != 1 || rep.Kept[0].Reason != KeptRunning {
		t.Errorf("prune of a running run: %+v", rep)
	}
}

// The claim file a killed run left beside the database goes with the run
// when it is pruned; a kept run's stays.
func TestPruneRunsRemovesTheClaimFileAKilledRunLeft(t *testing.T) {
	ctx := context.Background()
	s, a1, _, _ := runFixture(t)
	old := pruneRun(t, s, a1, time.Now().Add(-100*time.Hour), "cli", "", "check:contains")
	recent := pruneRun(t, s, a1, time.Now(), "cli", "", "check:contains")
	for _, id := range []string{old.ID, recent.ID} {
		if err := os.WriteFile(s.lockPath(id), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.PruneRuns(ctx, PruneOptions{Before: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.lockPath(old.ID)); err == nil {
		t.Error("the pruned run's claim file is left")
	}
	if _, err := os.Stat(s.lockPath(recent.ID)); err != nil {
		t.Errorf("the kept run's claim file: %v", err)
	}
}

func TestVacuumGivesSpaceBack(t *testing.T) {
	ctx := context.Background()
	s, a1, _, _ := runFixture(t)
	for i := 0; i < 40; i++ {
		pruneRun(t, s, a1, time.Now().Add(-time.Duration(100+i)*time.Hour), "cli", "", "check:contains")
	}
	if _, err := s.PruneRuns(ctx, PruneOptions{Before: time.Now()}); err != nil {
		t.Fatal(err)
	}
	before, after, err := s.Vacuum(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after >= before {
		t.Errorf("vacuum: %d bytes before, %d after", before, after)
	}
	fi, err := os.Stat(s.path)
	if err != nil || fi.Size() != after {
		t.Errorf("file size %d, Vacuum says %d (%v)", fi.Size(), after, err)
	}
}

func TestBackupIsAWholeDatabaseWithTheWALsCommits(t *testing.T) {
	ctx := context.Background()
	s, a1, _, _ := runFixture(t)
	run := pruneRun(t, s, a1, time.Now(), "cli", "", "check:contains")
	// The commits are still in the WAL: a copy of whet.db alone lacks them.
	if fi, err := os.Stat(s.path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("no WAL to test with: %v", err)
	}
	dst := filepath.Join(t.TempDir(), "backup.db")
	if err := BackupFile(ctx, s.path, dst, false); err != nil {
		t.Fatal(err)
	}
	b, err := Open(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if rs, err := b.Results(ctx, run.ID); err != nil || len(rs) != 2 {
		t.Errorf("backup: run %s has %d results, %v", run.ID, len(rs), err)
	}
	if v, err := FileSchemaVersion(ctx, dst); err != nil || v != SchemaVersion() {
		t.Errorf("backup schema %d, %v; want %d", v, err, SchemaVersion())
	}
	if err := BackupFile(ctx, s.path, dst, false); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("backup over an existing file: %v", err)
	}
	if err := BackupFile(ctx, s.path, dst, true); err != nil {
		t.Errorf("backup --force: %v", err)
	}
	// A database of an older or a newer schema is copied as it is, not
	// migrated nor refused.
	if _, err := s.w.Exec(`PRAGMA user_version = 99`); err != nil {
		t.Fatal(err)
	}
	if err := BackupFile(ctx, s.path, dst, true); err != nil {
		t.Errorf("backup of a newer schema: %v", err)
	}
	if v, err := FileSchemaVersion(ctx, dst); err != nil || v != 99 {
		t.Errorf("backup of a newer schema has schema %d, %v", v, err)
	}
	if err := BackupFile(ctx, filepath.Join(t.TempDir(), "none.db"), dst, true); !errors.Is(err, fs.ErrNotExist) ||
		!strings.Contains(err.Error(), "none.db does not exist: nothing to back up") || strings.Contains(err.Error(), "stat ") {
		t.Errorf("backup of a missing database: %v", err)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(dst), ".*.tmp"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestDiskFullSaysSo(t *testing.T) {
	ctx := context.Background()
	s, a1, _, _ := runFixture(t)
	// SQLite answers SQLITE_FULL once the file may not grow, as on a full disk.
	var pages int
	if err := s.w.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+2)); err != nil {
		t.Fatal(err)
	}
	run := prompt.Run{Source: "cli", Versions: []prompt.RunVersion{rv(a1)}, Targets: []string{"echo"}, Repeat: 1}
	var err error
	for i := 0; i < 50 && err == nil; i++ {
		err = s.CreateRun(ctx, &prompt.Run{Source: "cli", Note: strings.Repeat("n", 4000), Versions: run.Versions, Targets: run.Targets, Repeat: 1})
	}
	if err == nil || !strings.Contains(err.Error(), "the disk is full: nothing of this write was saved; free space on ") {
		t.Errorf("a write to a full database: %v", err)
	}
}

// What starts between PruneRuns' listing and its transaction is kept: a
// run resumed by another process, the baseline of a drift check begun.
func TestPruneRunsKeepsWhatStartedSinceTheListing(t *testing.T) {
	if !haveLocks {
		t.Skip("no advisory locks here: a resumed run cannot be told")
	}
	ctx := context.Background()
	s, a1, _, _ := runFixture(t)
	old := time.Now().Add(-100 * 24 * time.Hour)
	base := pruneRun(t, s, a1, old, "cli", "", "check:contains")
	resumed := pruneRun(t, s, a1, old.Add(time.Hour), "cli", "", "check:contains")
	gone := pruneRun(t, s, a1, old.Add(2*time.Hour), "cli", "", "check:contains")
	all, err := s.ListRuns(ctx, RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]RunSummary{}
	rep := PruneReport{}
	for _, sum := range all {
		known[sum.Run.ID] = sum
		rep.Deleted = append(rep.Deleted, sum)
		rep.Results += sum.Done
	}
	// Since the listing: a drift check of base began, and resumed is
	// being executed again.
	pruneRun(t, s, a1, time.Now(), "drift", prompt.DriftNotePrefix+base.ID, "check:contains")
	unlock, err := s.LockRun(resumed.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	err = s.Update(ctx, func(tx *Tx) error { return tx.keepStartedSince(ctx, s, &rep, known) })
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Deleted) != 1 || rep.Deleted[0].Run.ID != gone.ID || rep.Results != 2 {
		t.Errorf("deleted %+v (%d results), want only %s", rep.Deleted, rep.Results, gone.ID)
	}
	why := map[string]string{}
	for _, k := range rep.Kept {
		why[k.Run.ID] = k.Reason
	}
	if why[base.ID] != KeptBaseline || why[resumed.ID] != KeptRunning {
		t.Errorf("kept %v", why)
	}
}

// A database on a read-only mount or snapshot, where SQLite cannot make
// its -shm file, is backed up all the same when no WAL holds commits.
func TestBackupFromAReadOnlyDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes to a read-only directory anyway")
	}
	ctx := context.Background()
	s, a1, _, _ := runFixture(t)
	run := pruneRun(t, s, a1, time.Now(), "cli", "", "check:contains")
	if err := s.Close(); err != nil { // checkpoints: no WAL is left
		t.Fatal(err)
	}
	dir := filepath.Dir(s.path)
	for _, f := range []string{"-wal", "-shm"} {
		os.Remove(s.path + f)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	dst := filepath.Join(t.TempDir(), "copy.db")
	if err := BackupFile(ctx, s.path, dst, false); err != nil {
		t.Fatalf("backup from a read-only directory: %v", err)
	}
	b, err := Open(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if rs, err := b.Results(ctx, run.ID); err != nil || len(rs) != 2 {
		t.Errorf("backup: %d results, %v", len(rs), err)
	}
}

// TestBackupRemovesWhatAKilledBackupLeft: a backup killed mid-copy leaves
// its hidden copy and journal beside the file, as large as the database;
// the next backup to that file removes them once they are an hour old,
// and leaves a younger one (a backup still copying) and other files be.
func TestBackupRemovesWhatAKilledBackupLeft(t *testing.T) {
	ctx := context.Background()
	s, _, _, _ := runFixture(t)
	dir := t.TempDir()
	dst := filepath.Join(dir, "whet-[1].db")
	old := time.Now().Add(-2 * time.Hour)
	stale := []string{".whet-[1].db.123456.tmp", ".whet-[1].db.123456.tmp-journal"}
	kept := []string{".whet-[1].db.789.tmp", ".whet-[1].db.x1.tmp", ".other.db.5.tmp", "notes.txt"}
	for _, n := range append(append([]string{}, stale...), kept...) {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte("partial copy"), 0o600); err != nil {
			t.Fatal(err)
		}
		if n != ".whet-[1].db.789.tmp" {
			os.Chtimes(p, old, old)
		}
	}
	if err := BackupFile(ctx, s.path, dst, false); err != nil {
		t.Fatal(err)
	}
	for _, n := range stale {
		if _, err := os.Lstat(filepath.Join(dir, n)); err == nil {
			t.Errorf("%s is left", n)
		}
	}
	for _, n := range kept {
		if _, err := os.Lstat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s was removed", n)
		}
	}
}
