package outfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// entries lists dir's names, to see that no temporary file is left.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteNewAndReplace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.md")
	if err := WriteFile(path, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if got := read(t, path); got != "one" {
		t.Errorf("new file holds %q", got)
	}
	if err := WriteFile(path, []byte("two")); err != nil {
		t.Fatal(err)
	}
	if got := read(t, path); got != "two" {
		t.Errorf("replaced file holds %q", got)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("directory holds %v, want only report.md", got)
	}
}

// TestWriteFailureKeepsOldFile: a write that fails part-way leaves the
// old file as it was and no temporary file, and the error names the
// user's path.
func TestWriteFailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.md")
	if err := os.WriteFile(path, []byte("the old report"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk on fire")
	err := Write(path, func(w io.Writer) error {
		// More than the buffer, so that part reaches the disk first.
		if _, err := w.Write([]byte(strings.Repeat("x", 200<<10))); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	if got := read(t, path); got != "the old report" {
		t.Errorf("old file now holds %d bytes", len(got))
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("directory holds %v, want only report.md", got)
	}
}

// TestWriteErrorNamesPath: an error about the temporary file names the
// path the user gave.
func TestWriteErrorNamesPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing", "report.md")
	err := WriteFile(path, []byte("x"))
	if err == nil || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("err = %v, want one naming %s", err, path)
	}
}

func TestWriteKeepsMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "secret.md")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 as before", fi.Mode().Perm())
	}
}

// TestWriteFollowsSymlink: the file a link points to is replaced; the
// link stays a link.
func TestWriteFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.md")
	link := filepath.Join(dir, "link.md")
	if err := os.WriteFile(real, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.md", link); err != nil {
		t.Skip("no symbolic links:", err)
	}
	if err := WriteFile(link, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("link.md is no longer a link (%v)", err)
	}
	if got := read(t, real); got != "new" {
		t.Errorf("real.md holds %q", got)
	}
}

// TestWriteDevice: a device is written in place, never replaced.
func TestWriteDevice(t *testing.T) {
	if _, err := os.Stat(os.DevNull); err != nil {
		t.Skip(err)
	}
	if err := WriteFile(os.DevNull, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(os.DevNull); err != nil || fi.Mode().IsRegular() {
		t.Fatalf("%s is now a regular file (%v)", os.DevNull, err)
	}
}

func TestCheckOwn(t *testing.T) {
	dir := t.TempDir()
	db, cfg := filepath.Join(dir, "whet.db"), filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(db, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(db, filepath.Join(dir, "link.db")); err != nil {
		t.Skip("no symbolic links:", err)
	}
	for _, tc := range []struct{ path, want string }{
		{db, "database"},
		{db + "-wal", "database"},
		{db + "-shm", "database"},
		{filepath.Join(dir, "link.db"), "database"},
		{cfg, "config file"},
		{filepath.Join(dir, "sub", "..", "config.yaml"), "config file"},
		{filepath.Join(dir, "report.md"), ""},
	} {
		err := CheckOwn(tc.path, db, cfg)
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckOwn(%s) = %v, want %q", tc.path, err, tc.want)
		}
	}
	if err := CheckOwn(db, "", ""); err != nil {
		t.Errorf("with no database or config named: %v", err)
	}
}

// TestWriteDevFd: a file named under /dev (/dev/stdout redirected to a
// file, here /dev/fd/N) is written in place: the open file gets the bytes,
// it is not replaced by another.
func TestWriteDevFd(t *testing.T) {
	if _, err := os.Stat("/dev/fd/0"); err != nil {
		t.Skip("no /dev/fd:", err)
	}
	path := filepath.Join(t.TempDir(), "out.md")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := WriteFile("/dev/fd/"+strconv.Itoa(int(f.Fd())), []byte("report")); err != nil {
		t.Fatal(err)
	}
	open, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	named, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(open, named) {
		t.Error("the open file was replaced by another")
	}
	if got := read(t, path); got != "report" {
		t.Errorf("out.md holds %q", got)
	}
}

// TestWriteRemovesStaleTemporaryFiles: a temporary file a killed writer
// left (an hour old) is removed by the next write of its file; a fresh
// one, which another writer may be filling, and files of other names stay.
func TestWriteRemovesStaleTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "re[1]*.md")
	old := time.Now().Add(-2 * time.Hour)
	mk := func(name string, at time.Time) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("part"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	mk(".re[1]*.md.123456.tmp", old)        // left by a killed writer
	mk(".re[1]*.md.654321.tmp", time.Now()) // another writer's, at work
	mk(".re[1]*.md.notes.tmp", old)         // not a name whet makes
	mk(".other.md.123456.tmp", old)         // another file's
	if err := WriteFile(path, []byte("whole")); err != nil {
		t.Fatal(err)
	}
	got := entries(t, dir)
	want := []string{".other.md.123456.tmp", ".re[1]*.md.654321.tmp", ".re[1]*.md.notes.tmp", "re[1]*.md"}
	if !slices.Equal(got, want) {
		t.Errorf("directory holds %v, want %v", got, want)
	}
}
