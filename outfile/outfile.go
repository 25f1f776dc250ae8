// Package outfile writes the files a user names — reports and exports
// (`-o FILE`, the TUI's export dialog), prompt and suite files, the config
// `whet config init` writes — whole or not at all, and tells whether such a
// name is one of whet's own files, which writing would destroy.
//
// Every command and screen that writes a file the user named goes through
// [Write] or [WriteFile]; none calls os.Create or os.WriteFile on such a
// path.
package outfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Write calls write with a buffered writer on a new temporary file in
// path's directory, then flushes it, syncs it to disk and renames it over
// path, so that path holds the old file or the whole new one, never a part.
// When write or any step fails (a full disk, a write error), the temporary
// file is removed and path is left as it was; the error names path, not
// the temporary file.
//
// Temporary files of path's that a writer killed mid-write left behind are
// removed once they are an hour old.
//
// An existing path keeps its permission bits; a new one gets 0666 less the
// umask, as os.Create gives. A symbolic link is followed: the file it
// points to is replaced and the link stays. A hard link to the old file
// keeps the old content. A path that exists and is not a regular file (a
// device such as /dev/null, a named pipe) or is named under /dev
// (/dev/stdout redirected to a file) is written in place, since there is
// no file of its own to replace.
func Write(path string, write func(io.Writer) error) error {
	target := path
	if real, err := filepath.EvalSymlinks(path); err == nil {
		target = real
	}
	fi, err := os.Stat(target)
	switch {
	case err == nil && (!fi.Mode().IsRegular() || isDev(path)):
		return writeInPlace(path, target, write)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return err
	}
	perm := fs.FileMode(0o666) // less the umask, by the open
	if err == nil {
		perm = fi.Mode().Perm()
	}
	tmp, err := createTemp(target)
	if err != nil {
		return renamePathErr(err, "", path)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err := write(bw); err != nil {
		return renamePathErr(err, tmp.Name(), path)
	}
	if err := bw.Flush(); err != nil {
		return renamePathErr(err, tmp.Name(), path)
	}
	if fi != nil {
		// Chmod, unlike the open, ignores the umask: the old file's bits
		// are kept exactly.
		if err := tmp.Chmod(perm); err != nil {
			return renamePathErr(err, tmp.Name(), path)
		}
	}
	if err := tmp.Sync(); err != nil {
		return renamePathErr(err, tmp.Name(), path)
	}
	if err := tmp.Close(); err != nil {
		return renamePathErr(err, tmp.Name(), path)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		os.Remove(tmp.Name())
		done = true
		return fmt.Errorf("write %s: %w", path, unwrapPath(err))
	}
	done = true
	removeStale(target)
	return nil
}

// staleAge is how old a temporary file of target's must be before a write
// of target removes it: one left by a writer killed mid-write (kill -9, a
// power cut), never one another writer is still filling.
const staleAge = time.Hour

// tempBase is the part of a file's name its temporary files are named
// after: all of it, or its first 200 bytes, which keeps room for the
// suffix under the usual 255-byte limit.
func tempBase(base string) string {
	for len(base) > 200 {
		_, size := utf8.DecodeLastRuneInString(base)
		base = base[:len(base)-size]
	}
	return base
}

// removeStale removes the temporary files createTemp named after target
// that are older than staleAge. Errors are ignored: a file left costs
// nothing but its space.
func removeStale(target string) {
	dir, base := filepath.Split(target)
	RemoveStale(dir, "."+tempBase(base)+".", []string{".tmp"}, staleAge)
}

// RemoveStale removes the regular files of dir named prefix, a number,
// then one of suffixes (the temporary files a writer killed mid-write
// left) that were last written more than age ago, so never one another
// writer is still filling. Errors are ignored: a file left costs nothing
// but its space.
func RemoveStale(dir, prefix string, suffixes []string, age time.Duration) {
	for _, suffix := range suffixes {
		matches, err := filepath.Glob(filepath.Join(dir, globEscape(prefix)+"*"+globEscape(suffix)))
		if err != nil {
			continue
		}
		for _, name := range matches {
			digits := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(name), prefix), suffix)
			if digits == "" || strings.Trim(digits, "0123456789") != "" {
				continue // not a name of such a file
			}
			if fi, err := os.Lstat(name); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > age {
				os.Remove(name)
			}
		}
	}
}

// globEscape escapes the characters filepath.Match gives a meaning.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// WriteFile writes data to path as [Write] does.
func WriteFile(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// isDev reports whether path names a file under /dev, such as /dev/stdout
// or /dev/fd/3: a name for an open file, even when that is a regular file
// (stdout redirected to one), which is written, not replaced.
func isDev(path string) bool {
	abs, err := filepath.Abs(path)
	return err == nil && strings.HasPrefix(abs, "/dev/")
}

// writeInPlace writes to target, which exists and is not a regular file.
func writeInPlace(path, target string, write func(io.Writer) error) error {
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return renamePathErr(err, target, path)
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	err = write(bw)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return renamePathErr(err, target, path)
}

// createTemp creates a new file beside target, named after it and hidden
// (".report.md.123456.tmp"), opened with mode 0666 so that the umask
// applies as for any new file.
func createTemp(target string) (*os.File, error) {
	dir, base := filepath.Split(target)
	base = tempBase(base)
	for range 100 {
		name := filepath.Join(dir, "."+base+"."+strconv.FormatUint(uint64(rand.Uint32()), 10)+".tmp")
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("write %s: no unused temporary name in %s", target, dir)
}

// renamePathErr makes an error about the temporary file (or the link's
// target) name path, the name the user gave; other errors pass as they
// are. An empty from matches any path error.
func renamePathErr(err error, from, path string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && (from == "" || pe.Path == from) {
		op := pe.Op
		if op == "open" {
			op = "write"
		}
		return &fs.PathError{Op: op, Path: path, Err: pe.Err}
	}
	return err
}

// unwrapPath is err without its path, for errors that name the
// temporary file.
func unwrapPath(err error) error {
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// CheckOwn reports why path must not be written: it names whet's database
// db (or its -wal or -shm file), which writing would destroy, or its
// config file config. Links are followed; an empty db or config is
// skipped. The error is worded to follow the path ("-o whet.db: is
// whet's database …").
func CheckOwn(path, db, config string) error {
	if db != "" {
		for _, f := range []string{db, db + "-wal", db + "-shm"} {
			if SamePath(path, f) {
				return fmt.Errorf("is whet's database (%s): writing there would destroy it", db)
			}
		}
	}
	if config != "" && SamePath(path, config) {
		return errors.New("is whet's config file: writing there would overwrite it")
	}
	return nil
}

// SamePath reports whether a and b name one file: the same file when both
// exist (links included), else the same absolute path.
func SamePath(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(fa, fb)
	}
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}
