package store

import (
	"context"
	"errors"
	"fmt"
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
