package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// lockDown makes dir and the files in it impossible to write, create or
// delete for this process, and undoes it when the test ends: by their
// permissions for a normal user, with `chattr +i` (immutable) for root,
// whom permissions do not stop. It skips the test when neither works
// (root on a file system without the immutable attribute).
func lockDown(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range entries {
		paths = append(paths, filepath.Join(dir, e.Name()))
	}
	paths = append(paths, dir)
	for _, p := range paths {
		mode := os.FileMode(0o444)
		if p == dir {
			mode = 0o555
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, p := range paths {
			exec.Command("chattr", "-i", p).Run()
			os.Chmod(p, 0o755)
		}
	})
	probe := filepath.Join(dir, ".probe")
	if f, err := os.Create(probe); err != nil {
		return // the permissions hold
	} else {
		f.Close()
		os.Remove(probe)
	}
	for _, p := range paths {
		if out, err := exec.Command("chattr", "+i", p).CombinedOutput(); err != nil {
			t.Skipf("cannot make %s read-only: permissions do not stop this user (root) and chattr +i failed: %v %s", p, err, out)
		}
	}
	if f, err := os.Create(probe); err == nil {
		f.Close()
		t.Skipf("cannot make %s read-only: it can still be written after chmod and chattr +i", dir)
	}
}

// A database in a directory nobody may write (a read-only mount, a CI
// artifact, a shared team file) opens ReadOnly and reads as usual; its
// writes are refused as such; a writable Open still says it cannot be
// written, and nothing changes the file.
func TestOpenReadOnlyWhereNothingCanBeWritten(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "whet.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, "greet", "hi")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	lockDown(t, dir)
	before, _ := os.ReadFile(path)
	st, _ := os.Stat(path)

	if _, err := Open(ctx, path); !errors.Is(err, ErrNotWritable) {
		t.Errorf("writable Open = %v, want ErrNotWritable", err)
	}
	ro, err := Open(ctx, path, ReadOnly())
	if err != nil {
		t.Fatalf("ReadOnly Open: %v", err)
	}
	if !ro.ReadOnly() {
		t.Error("ReadOnly() = false")
	}
	if ps, err := ro.ListPrompts(ctx, ListOptions{}); err != nil || len(ps) != 1 || ps[0].Name != "greet" {
		t.Errorf("ListPrompts = %+v, %v", ps, err)
	}
	if _, err := ro.CreatePrompt(ctx, NewPrompt{Name: "other"}, NewVersion{Messages: msgs("s", "u"), Author: "ann"}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("CreatePrompt on a read-only store = %v, want ErrReadOnly", err)
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	st2, _ := os.Stat(path)
	if string(before) != string(after) || !st.ModTime().Equal(st2.ModTime()) {
		t.Error("the file changed")
	}
	for _, side := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + side); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s beside the file: %v", side, err)
		}
	}
}

// ReadOnly never migrates: a file of an older schema is refused with
// ErrNeedsMigration and left as it was, and a missing file is not created.
func TestOpenReadOnlyNeverMigratesNorCreates(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := Open(ctx, filepath.Join(dir, "none.db"), ReadOnly()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a read-only open created the file: %v", err)
	}
	path := filepath.Join(dir, "old.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	old := SchemaVersion() - 1
	if _, err := s.w.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", old)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	mtime := func() time.Time {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.ModTime()
	}
	m := mtime()
	_, err = Open(ctx, path, ReadOnly())
	if !errors.Is(err, ErrNeedsMigration) {
		t.Fatalf("older schema: %v, want ErrNeedsMigration", err)
	}
	if v, err := FileSchemaVersion(ctx, path); err != nil || v != old || !mtime().Equal(m) {
		t.Errorf("after a read-only open the file has version %d (%v), want %d untouched", v, err, old)
	}
}
