package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"whet/textutil"
)

// Sentinel errors. The store's errors wrap them with details; test with
// errors.Is.
var (
	// ErrNotFound: no such prompt, version, tag or run. The error is a
	// *NotFoundError.
	ErrNotFound = errors.New("not found")
	// ErrExists: a prompt of that name (ignoring case) exists already.
	ErrExists = errors.New("already exists")
	// ErrProtectedTag: moving or removing a protected tag needs force.
	ErrProtectedTag = errors.New("protected tag")
	// ErrArchived: the prompt is archived and takes no new versions.
	ErrArchived = errors.New("prompt is archived")
	// ErrAmbiguous: a hash or run id prefix matches more than one thing.
	ErrAmbiguous = errors.New("ambiguous reference")
)

// detailError carries its own message and unwraps to a sentinel.
type detailError struct {
	msg      string
	sentinel error
}

func (e *detailError) Error() string { return e.msg }
func (e *detailError) Unwrap() error { return e.sentinel }

// wrap returns an error with the formatted message that errors.Is matches
// against sentinel.
func wrap(sentinel error, format string, args ...any) error {
	return &detailError{msg: fmt.Sprintf(format, args...), sentinel: sentinel}
}

// NotFoundError says what was not found and, where one is near, what the
// caller may have meant. errors.Is(err, ErrNotFound) holds for it.
type NotFoundError struct {
	Kind string // "prompt", "version", "tag" or "run"
	Name string // what was asked for: a prompt name, a ref, a run id
	// Suggestion is the nearest existing name (for a prompt: its name; for
	// a tag: the ref with the nearest tag), or "".
	Suggestion string
	// Hint is an optional further sentence, e.g. which versions exist.
	Hint string
}

func (e *NotFoundError) Error() string {
	var b strings.Builder
	if e.Kind == "prompt" {
		fmt.Fprintf(&b, "no prompt named %q", e.Name)
	} else {
		fmt.Fprintf(&b, "no %s %q", e.Kind, e.Name)
	}
	if e.Suggestion != "" {
		fmt.Fprintf(&b, " (did you mean %q?)", e.Suggestion)
	}
	if e.Hint != "" {
		b.WriteString(": ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

// promptNotFound builds the error for an unknown prompt name, suggesting
// the nearest existing one.
func promptNotFound(ctx context.Context, q querier, name string) error {
	return notFoundAmong(ctx, q, "prompt", `SELECT name FROM prompts`, name)
}

// notFoundAmong builds a *NotFoundError of kind for name, suggesting the
// nearest of the names the query lists.
func notFoundAmong(ctx context.Context, q querier, kind, query, name string) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return &NotFoundError{Kind: kind, Name: name, Suggestion: nearest(name, names)}
}

// nearest picks the candidate closest to s: the shortest one that s is a
// case-insensitive prefix of (or that is a prefix of s), else the one at the
// smallest case-insensitive edit distance, if that distance is small for
// the length of s. Ties go to the alphabetically first. "" when none is near.
func nearest(s string, candidates []string) string {
	ls := strings.ToLower(s)
	if ls == "" {
		return ""
	}
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	best := ""
	for _, c := range sorted {
		lc := strings.ToLower(c)
		if lc == ls {
			continue
		}
		if strings.HasPrefix(lc, ls) || (len(lc) >= 3 && strings.HasPrefix(ls, lc)) {
			if best == "" || len(c) < len(best) {
				best = c
			}
		}
	}
	if best != "" {
		return best
	}
	limit := max(2, utf8.RuneCountInString(s)/3)
	bestDist := limit + 1
	for _, c := range sorted {
		lc := strings.ToLower(c)
		if lc == ls {
			continue
		}
		if d := textutil.EditDistanceUpTo(ls, lc, bestDist); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// Conditions of the database file itself, matched by a *FileError
// (errors.Is). ErrNotWritable, declared with Open, is one too.
var (
	// ErrDiskFull: the file system holding the database is full.
	ErrDiskFull = errors.New("the disk is full")
	// ErrLocked: another process held the database's write lock for longer
	// than the busy timeout.
	ErrLocked = errors.New("locked by another process")
	// ErrDamaged: SQLite found the file damaged, or not a database.
	ErrDamaged = errors.New("the file is damaged")
)

// FileError is a failure of the database file itself — a full disk, a lock
// another process held too long, a file or folder whet may not write, a
// damaged file — said in plain words: which file, what is wrong with it
// and what to do. SQLite's own error stays in its chain for errors.Is and
// errors.As, not in its text, which would add only SQLite's result code.
type FileError struct {
	Path string // the database file
	// Subject is what the message names first; "" is "database PATH".
	Subject string
	// Cond is ErrDiskFull, ErrLocked, ErrNotWritable or ErrDamaged.
	Cond error
	// What says what is wrong, e.g. "the disk is full".
	What string
	// Fix says what to do about it, e.g. "free space on /data": a clause
	// that reads on its own after a semicolon.
	Fix string
	// Retry: once Fix is done, the same command again will work.
	Retry bool
	// Kept says what became of the operation: "nothing of this write was
	// saved", "it was not changed".
	Kept string
	Err  error // SQLite's error
}

func (e *FileError) Error() string {
	subject := e.Subject
	if subject == "" {
		subject = "database " + e.Path
	}
	again := ""
	if e.Retry {
		again = " and try again"
	}
	return fmt.Sprintf("%s: %s: %s; %s%s", subject, e.What, e.Kept, e.Fix, again)
}

// Unwrap makes errors.Is match both Cond and SQLite's error.
func (e *FileError) Unwrap() []error { return []error{e.Cond, e.Err} }

// damagedFix is what to do about a damaged database file.
const damagedFix = "restore it from a backup ('whet backup FILE' makes one), or give whet another file with --db or WHET_DB"

// Explain returns err as a *FileError when it is one of SQLite's failures
// of the database file at path (SQLITE_FULL, SQLITE_BUSY, SQLITE_READONLY,
// SQLITE_CANTOPEN, SQLITE_CORRUPT, SQLITE_NOTADB) not yet said in plain
// words, and err unchanged otherwise. The store's writes and Open say
// these already; a read that meets a damaged page does not, and a program
// shows its errors through Explain so that none reaches the user as a
// bare SQLite message. An error that holds a *FileError is returned as it
// is.
func Explain(path string, err error) error {
	var said *FileError
	if errors.As(err, &said) {
		return err // in words already, with whatever context wraps it
	}
	if fe := explain(path, err); fe != nil {
		return fe
	}
	return err
}

// explain is Explain's *FileError, or nil when err is not one of the
// failures it says in plain words. An error that is a *FileError already
// is returned as it is.
func explain(path string, err error) *FileError {
	if err == nil {
		return nil
	}
	var fe *FileError
	if errors.As(err, &fe) {
		return fe
	}
	msg := err.Error()
	dir, base := filepath.Dir(path), filepath.Base(path)
	cantOpen := strings.Contains(msg, "unable to open database file")
	switch {
	case strings.Contains(msg, "database or disk is full") || cantOpen && noSpace(dir):
		if cantOpen {
			// The -wal file could not be created: the file cannot be
			// written, and a command that only reads may open it
			// read-only (errors.Is ErrNotWritable).
			err = fmt.Errorf("%w: %w", ErrNotWritable, err)
		}
		return &FileError{Path: path, Cond: ErrDiskFull, Err: err,
			What: "the disk is full", Kept: "nothing of this write was saved",
			Fix: "free space on " + dir, Retry: true}
	case strings.Contains(msg, "database is locked"):
		return &FileError{Path: path, Cond: ErrLocked, Err: err,
			What: fmt.Sprintf("another process is writing to it and kept it locked for over %s", busyTimeout),
			Kept: "nothing was changed", Fix: "wait until it is done", Retry: true}
	case strings.Contains(msg, "readonly database") || cantOpen:
		fix := fmt.Sprintf("whet needs to write the file and to create %s-wal and %s-shm beside it (check the permissions of the file and of %s)", base, base, dir)
		if readOnlyFS(dir) {
			fix = fmt.Sprintf("%s is on a read-only file system; the commands that only read still work", dir)
		}
		return &FileError{Path: path, Cond: ErrNotWritable, Err: err,
			What: ErrNotWritable.Error(), Kept: "nothing was changed", Fix: fix}
	case strings.Contains(msg, "disk image is malformed") || strings.Contains(msg, "file is not a database"):
		return &FileError{Path: path, Cond: ErrDamaged, Err: err,
			What: "the file is damaged or is not a whet database", Kept: "it was not changed",
			Fix: damagedFix}
	}
	return nil
}

// Explain is the package's Explain for this Store's file.
func (s *Store) Explain(err error) error { return Explain(s.path, err) }
