package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"whet/prompt"
)

// openTemp opens a fresh store in a temporary directory.
func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "whet.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func msgs(system, user string) []prompt.Message {
	return []prompt.Message{{Role: prompt.RoleSystem, Content: system}, {Role: prompt.RoleUser, Content: user}}
}

func mustCreate(t testing.TB, s *Store, name, user string) prompt.Version {
	t.Helper()
	v, err := s.CreatePrompt(context.Background(), NewPrompt{Name: name}, NewVersion{Messages: msgs("sys", user), Author: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustSave(t testing.TB, s *Store, name, user string) prompt.Version {
	t.Helper()
	v, created, err := s.SaveVersion(context.Background(), name, NewVersion{Messages: msgs("sys", user), Author: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	if !created {
		t.Fatalf("save %s %q: no new version", name, user)
	}
	return v
}

func pragma(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var v string
	if err := db.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func TestOpenMigratesEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "whet.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not created: %v", err)
	}
	if got, want := pragma(t, s.w, "user_version"), fmt.Sprint(SchemaVersion()); got != want || SchemaVersion() < 1 {
		t.Errorf("user_version = %s, want %s", got, want)
	}
	for _, db := range []*sql.DB{s.w, s.r} {
		for name, want := range map[string]string{
			"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "10000", "synchronous": "1",
		} {
			if got := pragma(t, db, name); got != want {
				t.Errorf("PRAGMA %s = %s, want %s", name, got, want)
			}
		}
	}
	if got := pragma(t, s.r, "query_only"); got != "1" {
		t.Errorf("readers: query_only = %s, want 1", got)
	}
	if _, err := s.r.Exec(`INSERT INTO audit (at, action) VALUES (1, 'x')`); err == nil {
		t.Error("a reader connection could write")
	}
	want := []string{"audit", "checks", "labels", "prompts", "response_cache", "result_grades", "results", "run_identities", "run_versions", "runs", "scores", "suite_cases", "suites", "tag_events", "tag_heads", "versions"}
	rows, err := s.r.Query(`SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var name string
		var strict bool
		if err := rows.Scan(&name, &strict); err != nil {
			t.Fatal(err)
		}
		if !strict {
			t.Errorf("table %s is not STRICT", name)
		}
		got = append(got, name)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("tables = %v, want %v", got, want)
	}
}

func TestReopenIsIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "whet.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, "summary", "hello")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s, err = Open(ctx, path)
		if err != nil {
			t.Fatalf("re-open: %v", err)
		}
		p, err := s.GetPrompt(ctx, "summary")
		if err != nil || p.Latest != 1 {
			t.Fatalf("after re-open: %+v, %v", p, err)
		}
		if got := pragma(t, s.w, "user_version"); got != fmt.Sprint(SchemaVersion()) {
			t.Errorf("user_version = %s", got)
		}
		s.Close()
	}
}

// fileState hashes every file in dir, so a test can prove nothing changed.
func fileState(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		out[e.Name()] = hex.EncodeToString(sum[:])
	}
	return out
}

func TestOpenRefusesNewerSchemaAndLeavesFileUntouched(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "whet.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, "summary", "hello")
	s.Close()

	// A newer whet's file: same schema, higher version.
	newer := SchemaVersion() + 5
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", newer)); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	before := fileState(t, dir)
	if len(before) != 1 {
		t.Fatalf("expected only the database file before opening, got %v", before)
	}
	s, err = Open(ctx, path)
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a database with a newer schema")
	}
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("error %v does not wrap ErrNewerSchema", err)
	}
	for _, want := range []string{path, fmt.Sprintf("schema version %d", newer), fmt.Sprintf("schema version %d at most", SchemaVersion()), "upgrade whet"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	after := fileState(t, dir)
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("files changed:\nbefore %v\nafter  %v", before, after)
	}
}

// TestFileSchemaVersion reads a file's schema, a newer whet's included,
// without writing anything.
func TestFileSchemaVersion(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "whet.db")
	if _, err := FileSchemaVersion(ctx, path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: err = %v, want fs.ErrNotExist", err)
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if v, err := FileSchemaVersion(ctx, path); err != nil || v != SchemaVersion() {
		t.Fatalf("FileSchemaVersion = %d, %v; want %d", v, err, SchemaVersion())
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion()+3)); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	before := fileState(t, dir)
	if v, err := FileSchemaVersion(ctx, path); err != nil || v != SchemaVersion()+3 {
		t.Fatalf("newer file: FileSchemaVersion = %d, %v; want %d", v, err, SchemaVersion()+3)
	}
	if after := fileState(t, dir); fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("files changed:\nbefore %v\nafter  %v", before, after)
	}
	_, err = Open(ctx, path)
	var newer *NewerSchemaError
	if !errors.As(err, &newer) || newer.Theirs != SchemaVersion()+3 || newer.Ours != SchemaVersion() {
		t.Fatalf("Open = %v, want a *NewerSchemaError of %d over %d", err, SchemaVersion()+3, SchemaVersion())
	}
	if _, err := FileSchemaVersion(ctx, dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("a directory: err = %v", err)
	}
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte(strings.Repeat("not a database\n", 20)), 0o644)
	if _, err := FileSchemaVersion(ctx, text); err == nil || !strings.Contains(err.Error(), "not an SQLite database") {
		t.Errorf("a text file: err = %v", err)
	}
}

func TestOpenRefusesGarbageWithoutChangingIt(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database\n", 200)), 0o644); err != nil {
		t.Fatal(err)
	}
	before := fileState(t, dir)
	s, err := Open(context.Background(), path)
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a text file")
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
	if !errors.Is(err, ErrNotWhetDatabase) {
		t.Errorf("error %q is not ErrNotWhetDatabase", err)
	}
	if after := fileState(t, dir); fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("files changed:\nbefore %v\nafter  %v", before, after)
	}
}

func TestImmutableTablesRefuseUpdates(t *testing.T) {
	s := openTemp(t)
	mustCreate(t, s, "summary", "hello")
	for _, stmt := range []string{
		`UPDATE versions SET note = 'x'`,
		`DELETE FROM versions`,
		`DELETE FROM prompts`,
		`UPDATE audit SET who = 'x'`,
	} {
		if _, err := s.w.Exec(stmt); err == nil {
			t.Errorf("%s: succeeded", stmt)
		}
	}
}

// TestTwoStoresWriteConcurrently opens the file twice, as two whet
// processes would, and saves 200 versions of one prompt from both at once.
func TestTwoStoresWriteConcurrently(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "whet.db")
	var stores [2]*Store
	for i := range stores {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	mustCreate(t, stores[0], "shared", "v0")

	const perStore, workers = 100, 4
	var wg sync.WaitGroup
	errs := make(chan error, 2*perStore)
	for si, s := range stores {
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < perStore; i += workers {
					_, created, err := s.SaveVersion(ctx, "shared", NewVersion{
						Messages: msgs("sys", fmt.Sprintf("store %d save %d", si, i)), Author: "bot",
					})
					if err == nil && !created {
						err = fmt.Errorf("store %d save %d: not created", si, i)
					}
					if err != nil {
						errs <- err
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	vs, err := stores[1].Versions(ctx, "shared")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2*perStore+1 {
		t.Fatalf("%d versions, want %d", len(vs), 2*perStore+1)
	}
	for i, v := range vs {
		want := len(vs) - i
		if v.Number != want || v.Parent != want-1 {
			t.Fatalf("versions[%d] = number %d parent %d, want %d and %d", i, v.Number, v.Parent, want, want-1)
		}
	}
}

func TestNearest(t *testing.T) {
	names := []string{"summary", "summarize-long", "translate", "support/reply", "Classify"}
	for _, tc := range []struct{ in, want string }{
		{"sumary", "summary"},
		{"SUMMARY2", "summary"},
		{"summ", "summary"},
		{"translat", "translate"},
		{"classify-x", "Classify"},
		{"support/rply", "support/reply"},
		{"zzzzzz", ""},
		{"summar", "summary"}, // the shortest name it is a prefix of
		{"summari", "summarize-long"},
	} {
		if got := nearest(tc.in, names); got != tc.want {
			t.Errorf("nearest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestOpenRefusesNewerSchemaInLiveLog covers a file another process has
// open: its newest header is still in the write-ahead log.
func TestOpenRefusesNewerSchemaInLiveLog(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "whet.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.w.Exec(`PRAGMA wal_autocheckpoint = 0`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec(fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("expected a non-empty -wal file: %v", err)
	}
	if err := checkSchema(ctx, path, SchemaVersion()); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("checkSchema = %v, want ErrNewerSchema", err)
	}
	s2, err := Open(ctx, path)
	if err == nil {
		s2.Close()
		t.Fatal("Open accepted a database whose log holds a newer schema")
	}
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("error %v does not wrap ErrNewerSchema", err)
	}
}

func TestOpenDamagedFileSaysSo(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "whet.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.Truncate(path, 5000); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	_, err = Open(context.Background(), path)
	if err == nil || !strings.Contains(err.Error(), "the file is damaged: it is cut short (5.0 kB of the ") || !strings.Contains(err.Error(), "it was not changed; restore it from a backup") || strings.Contains(err.Error(), "migrating") {
		t.Fatalf("Open of a truncated file: %v", err)
	}
	// Read from the header alone (whet version), it is not up to date.
	if _, err := FileSchemaVersion(context.Background(), path); !errors.Is(err, ErrDamaged) || !strings.HasPrefix(err.Error(), "database "+path+": the file is damaged: it is cut short") {
		t.Errorf("FileSchemaVersion of a truncated file: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("the damaged file was changed")
	}
}

// TestOpenRefusesAnotherProgramsDatabase: an SQLite file of schema
// version 0 that already has tables is not whet's (a mistyped --db);
// whet's tables are not added to it and it is left as it was.
func TestOpenRefusesAnotherProgramsDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "places.sqlite")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("CREATE TABLE contacts(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO contacts(name) VALUES ('ann')"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	before := fileState(t, dir)
	s, err := Open(ctx, path)
	if err == nil {
		s.Close()
		t.Fatal("Open accepted another program's database")
	}
	want := "an SQLite database of another program (tables contacts), not whet's"
	if !strings.Contains(err.Error(), want) || !errors.Is(err, ErrNotWhetDatabase) {
		t.Errorf("Open: %v, want %q, an ErrNotWhetDatabase", err, want)
	}
	if _, err := FileSchemaVersion(ctx, path); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("FileSchemaVersion: %v, want %q", err, want)
	}
	if after := fileState(t, dir); fmt.Sprint(before) != fmt.Sprint(after) {
		t.Errorf("files changed:\nbefore %v\nafter  %v", before, after)
	}
	// An empty SQLite file (no tables yet) is still set up.
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, empty)
	if err != nil {
		t.Fatalf("empty file: %v", err)
	}
	s.Close()
}

// TestOpenWhileAnotherProcessWrites: opening an up-to-date database and
// reading it does not wait for another connection's write lock, and a
// write that cannot get the lock says so in words.
func TestOpenWhileAnotherProcessWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "whet.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, "summary", "hello")
	s.Close()

	raw, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	conn, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "ROLLBACK")

	start := time.Now()
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("Open while another connection holds the write lock: %v", err)
	}
	defer s.Close()
	if d := time.Since(start); d > busyTimeout/2 {
		t.Errorf("Open waited %s for the write lock", d)
	}
	if ps, err := s.ListPrompts(ctx, ListOptions{}); err != nil || len(ps) != 1 {
		t.Errorf("ListPrompts = %d prompts, %v", len(ps), err)
	}

	msg := openError(path, errors.New("database is locked (5) (SQLITE_BUSY)")).Error()
	if !strings.Contains(msg, "another process is writing to it and kept it locked for over 10s: nothing was changed; wait until it is done and try again") || strings.Contains(msg, "(5)") {
		t.Errorf("locked: %s", msg)
	}
}

// TestOpenNewFileFromManyAtOnce: several whets opening a new file at once
// all succeed; one that read version 0 from the header just before another
// committed whet's tables does not take the file for another program's
// (checkNotForeign reads the version again with the tables).
func TestOpenNewFileFromManyAtOnce(t *testing.T) {
	s := openTemp(t)
	if err := checkNotForeign(context.Background(), s.Path()); err != nil {
		t.Fatalf("checkNotForeign on whet's own database: %v", err)
	}
	for round := range 20 {
		path := filepath.Join(t.TempDir(), "whet.db")
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			wg.Go(func() {
				s, err := Open(context.Background(), path)
				if err == nil {
					s.Close()
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, opener %d: %v", round, i, err)
			}
		}
	}
}

// TestOpenADirectorySaysToNameTheFile: --db naming a folder (the data dir
// instead of the file in it) says so once and names the file meant, for
// every way of opening, not "read DIR: is a directory".
func TestOpenADirectorySaysToNameTheFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	want := "database " + dir + " is a directory, not a file: give --db or WHET_DB the database file's path (such as " + filepath.Join(dir, "whet.db") + ")"
	_, err := Open(ctx, dir)
	if err == nil || err.Error() != want {
		t.Errorf("Open = %v\nwant %s", err, want)
	}
	if _, err := Open(ctx, dir, ReadOnly()); err == nil || err.Error() != want {
		t.Errorf("ReadOnly Open = %v\nwant %s", err, want)
	}
	if _, err := FileSchemaVersion(ctx, dir); err == nil || err.Error() != want {
		t.Errorf("FileSchemaVersion = %v\nwant %s", err, want)
	}
}
