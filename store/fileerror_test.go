package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestExplainSaysSQLitesFailuresInWords: each failure of the database
// file SQLite names by its code reads as which file, what is wrong and
// what to do, matches its condition and SQLite's error, and quotes no
// result code; an error already said so keeps the context around it, and
// any other error is left as it is.
func TestExplainSaysSQLitesFailuresInWords(t *testing.T) {
	const path = "/data/whet/whet.db"
	for _, c := range []struct {
		sqlite string
		cond   error
		want   string
	}{
		{"database or disk is full (13)", ErrDiskFull, "database /data/whet/whet.db: the disk is full: nothing of this write was saved; free space on /data/whet and try again"},
		{"database is locked (5) (SQLITE_BUSY)", ErrLocked, "database /data/whet/whet.db: another process is writing to it and kept it locked for over 10s: nothing was changed; wait until it is done and try again"},
		{"attempt to write a readonly database (8)", ErrNotWritable, "database /data/whet/whet.db: cannot be written: nothing was changed; whet needs to write the file and to create whet.db-wal and whet.db-shm beside it (check the permissions of the file and of /data/whet)"},
		{"database disk image is malformed (11)", ErrDamaged, "database /data/whet/whet.db: the file is damaged or is not a whet database: it was not changed; restore it from a backup"},
		{"file is not a database (26)", ErrDamaged, "the file is damaged"},
	} {
		raw := errors.New(c.sqlite)
		err := Explain(path, fmt.Errorf("reading run r1: %w", raw))
		var fe *FileError
		if !errors.As(err, &fe) || !errors.Is(err, c.cond) || !errors.Is(err, raw) {
			t.Errorf("%s: %#v does not match its condition and SQLite's error", c.sqlite, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), c.want) && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %s\nwant %s", c.sqlite, err, c.want)
		}
		if strings.Contains(err.Error(), "(") && strings.Contains(err.Error(), c.sqlite[strings.LastIndex(c.sqlite, "("):]) {
			t.Errorf("%s: the message quotes SQLite's code: %s", c.sqlite, err)
		}
		wrapped := fmt.Errorf("compacting the file failed: %w", err)
		if got := Explain(path, wrapped); got != wrapped {
			t.Errorf("an error said in words already lost its context: %v", got)
		}
	}
	other := errors.New("malformed label \"team\"")
	if got := Explain(path, other); got != other {
		t.Errorf("Explain(%v) = %v, want it unchanged", other, got)
	}
	if Explain(path, nil) != nil {
		t.Error("Explain(nil) is not nil")
	}
}
