//go:build linux

package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"whet/prompt"
)

// TestBackupToAFullDiskNamesTheBackupsDisk: a backup that finds no room
// says the backup's disk is full and to free space there, not the
// database's (which it only reads), and leaves nothing behind.
func TestBackupToAFullDiskNamesTheBackupsDisk(t *testing.T) {
	small := smallFS(t, "size=64k")

	ctx := context.Background()
	s, a1, _, _ := runFixture(t)
	for i := 0; i < 40; i++ { // some 160 kB: more than the 64 kB free
		if err := s.CreateRun(ctx, &prompt.Run{Source: "cli", Note: strings.Repeat("n", 4000), Versions: []prompt.RunVersion{rv(a1)}, Targets: []string{"echo"}, Repeat: 1}); err != nil {
			t.Fatal(err)
		}
	}
	dst := filepath.Join(small, "backup.db")
	err := BackupFile(ctx, s.path, dst, false)
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("BackupFile to a full disk = %v, want ErrDiskFull", err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "backup "+dst+": the disk is full: nothing was written to "+dst+" and the database was not changed; free space on "+small+" (the copy needs up to ") ||
		strings.Contains(msg, "(13)") || strings.Contains(msg, "free space on "+filepath.Dir(s.path)) {
		t.Errorf("BackupFile to a full disk: %s", msg)
	}
	if left, _ := os.ReadDir(small); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

// smallFS mounts a small tmpfs (mount options opts) for the test, and
// skips the test where it cannot (not root, no mount permission).
func smallFS(t *testing.T, opts string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small file system needs root")
	}
	small := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(small, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", small, "tmpfs", 0, opts); err != nil {
		t.Skipf("cannot mount a small file system: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(small, 0) })
	return small
}

// TestOpenWhereNoFileCanBeMadeSaysTheDiskIsFull: a file system with no
// inode (or block) left, where SQLite cannot create the -wal file, is a
// full disk, not permissions to check; a command that only reads still
// opens the database read-only.
func TestOpenWhereNoFileCanBeMadeSaysTheDiskIsFull(t *testing.T) {
	ctx := context.Background()
	small := smallFS(t, "size=1m,nr_inodes=8")
	path := filepath.Join(small, "whet.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for i := 0; ; i++ { // use up the inodes
		if err := os.WriteFile(filepath.Join(small, fmt.Sprint("f", i)), nil, 0o644); err != nil {
			break
		}
	}
	_, err = Open(ctx, path)
	if !errors.Is(err, ErrDiskFull) || !errors.Is(err, ErrNotWritable) ||
		err.Error() != "database "+path+": the disk is full: nothing of this write was saved; free space on "+small+" and try again" {
		t.Errorf("Open = %v", err)
	}
	ro, err := Open(ctx, path, ReadOnly())
	if err != nil {
		t.Fatalf("ReadOnly Open = %v", err)
	}
	ro.Close()
}
