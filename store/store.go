package store

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"whet/textutil"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// busyTimeout is how long a connection waits for another's lock before it
// gives up with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// dsn builds the connection string for the database file at path. Every
// pragma whet relies on is set here, as a DSN parameter, so that each
// connection database/sql opens gets them:
//
//   - journal_mode(WAL): readers never block the writer nor the writer
//     readers, so the TUI can read while a run is being recorded.
//   - foreign_keys(1): SQLite leaves foreign keys off per connection unless
//     asked; whet's references (versions -> prompts, results -> runs, …)
//     must hold.
//   - busy_timeout(10000): a connection that meets another process's lock
//     waits up to 10s for it instead of failing at once with SQLITE_BUSY.
//   - synchronous(NORMAL): in WAL mode a crash of whet never corrupts the
//     file and never loses a commit; only a power loss may roll back the
//     last commits. FULL would fsync on every commit of every result batch.
//   - temp_store(MEMORY): statement journals (which a multi-row INSERT
//     needs, see saveResults) and temporary tables stay in memory; on disk
//     the journal of a 32-row INSERT spilled to a temporary file, a write
//     system call per page.
//   - _txlock=immediate (writer only): BEGIN IMMEDIATE takes the write lock
//     when a transaction starts, so two processes never both hold a read
//     lock and deadlock upgrading it (an SQLITE_BUSY the busy timeout
//     cannot cure).
//   - query_only(1) (readers only): a read connection cannot write by
//     mistake; all writes go through the one writer connection.
func dsn(path string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "temp_store(MEMORY)")
	if writer {
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return fileURI(path, q)
}

// fileURI renders path as an SQLite URI filename with the given query.
func fileURI(path string, q url.Values) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter: file:///C:/…
	}
	u := url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	return u.String()
}

// Store is an open whet database. It is safe for concurrent use by several
// goroutines, and several processes may open the same file.
type Store struct {
	path     string
	w        *sql.DB // the one writer connection (the readers when readOnly)
	r        *sql.DB // a pool of query-only readers
	readOnly bool
	canon    func(string) string // CanonicalTargets; nil = targets as saved
	// addIdentity is addIdentitySQL prepared once on the writer
	// connection: every batch of results runs it (identitySums.save).
	addIdentity *sql.Stmt
}

// Option changes how Open opens a database.
type Option func(*openOptions)

type openOptions struct {
	readOnly  bool
	canon     func(string) string
	upgrading func(Upgrade)
}

// Upgrade is what a writable Open is about to do to a database of an
// older schema; see Upgrading.
type Upgrade struct {
	Path     string
	From, To int      // the file's schema version and SchemaVersion
	Steps    []string // the migrations to apply, as "0006_run_identities"
}

// Upgrading makes a writable Open call notify before it migrates an
// existing database of an older schema, so that a program can say what it
// is waiting for: a step that reads every result takes seconds on a
// database of months of runs. It is called once, holding the write lock,
// before the first step; not for a new file, nor for an up-to-date one,
// nor when another process migrated the file first. notify must not use
// the Store.
func Upgrading(notify func(Upgrade)) Option {
	return func(o *openOptions) { o.upgrading = notify }
}

// ReadOnly makes Open open an existing database for reading only, for a
// command that never writes: SQLite opens the file read-only (mode=ro, or
// immutable=1 where no -shm file can be created beside it and no
// write-ahead log holds commits), so a file on a read-only mount, or one
// the user may not write, can be read. Nothing is ever written to the file:
// a missing file is an error wrapping fs.ErrNotExist, and a file of an
// older schema, which would need migrating, one wrapping ErrNeedsMigration.
// Update and Vacuum of such a Store fail with an error wrapping
// ErrReadOnly.
func ReadOnly() Option { return func(o *openOptions) { o.readOnly = true } }

// CanonicalTargets makes the Store read every saved target spec (of a
// result, a run's plan, ModelsSeen) through canon, so that the names one
// model was saved under are one target: Ollama's "llama3.2" and
// "llama3.2:latest" (runner's Registry.Canonical). The model name a result
// recorded is read through canon too (as "provider:model"), since Ollama
// reports the name it was sent. Nothing saved is changed. A run whose plan holds two specs canon makes one (both names
// run side by side) keeps its specs as saved, so that its cells stay apart.
func CanonicalTargets(canon func(string) string) Option {
	return func(o *openOptions) { o.canon = canon }
}

// ErrNeedsMigration is returned by a ReadOnly Open for a database of an
// older schema: only a writable Open migrates it.
var ErrNeedsMigration = errors.New("the database needs migrating to this whet's schema, which a read-only open never does")

// ErrReadOnly is returned by the writes of a Store opened ReadOnly.
var ErrReadOnly = errors.New("opened read-only: nothing was written")

// ErrNotWritable is wrapped by the errors of a writable Open, and of
// writes, that fail because the file or its directory cannot be written.
var ErrNotWritable = errors.New("cannot be written")

// ReadOnly reports whether the Store was opened ReadOnly.
func (s *Store) ReadOnly() bool { return s.readOnly }

// ErrNewerSchema is returned by Open for a database written by a newer whet.
var ErrNewerSchema = errors.New("database schema is newer than this whet")

// ErrNotWhetDatabase is wrapped by the errors of Open and
// FileSchemaVersion for a file that is not whet's database: not SQLite, or
// another program's SQLite database.
var ErrNotWhetDatabase = errors.New("not whet's database")

// notWhetError is an error about a file that is not whet's database; it
// reads as its message alone and matches ErrNotWhetDatabase.
type notWhetError struct{ msg string }

func (e notWhetError) Error() string        { return e.msg }
func (e notWhetError) Is(target error) bool { return target == ErrNotWhetDatabase }

// migration is one embedded schema step.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded migrations in order. Their numbers must run
// 1, 2, 3 … without gaps; the last is the schema version of this build.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("store: migration file %q is not named NNNN_name.sql", e.Name())
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: n, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migration %s: expected number %04d", m.name, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion is the schema version this build of whet writes.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

// Open opens the database at path, creating the file and its parent
// directories if needed, and migrates it to SchemaVersion. A database whose
// schema version is higher than SchemaVersion is refused with an error
// wrapping ErrNewerSchema, and nothing is written to it.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	var o openOptions
	for _, opt := range opts {
		opt(&o)
	}
	if path == "" {
		return nil, errors.New("store: no database path given")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	ms, err := migrations()
	if err != nil {
		return nil, err
	}
	if o.readOnly {
		st, err := openReadOnly(ctx, abs, len(ms))
		if st != nil {
			st.canon = o.canon
		}
		return st, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("database %s: creating its directory: %w", abs, err)
	}
	if fi, err := os.Stat(abs); err == nil {
		if fi.IsDir() {
			return nil, isDirError(abs)
		}
		if err := checkSchema(ctx, abs, len(ms)); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("database %s: %w", abs, err)
	}

	w, err := sql.Open("sqlite", dsn(abs, true))
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", abs, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	if err := migrate(ctx, w, abs, ms, o.upgrading); err != nil {
		w.Close()
		return nil, err
	}
	addIdentity, err := w.PrepareContext(ctx, addIdentitySQL)
	if err != nil {
		w.Close()
		return nil, openError(abs, err)
	}
	r, err := sql.Open("sqlite", dsn(abs, false))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("database %s: %w", abs, err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("database %s: %w", abs, err)
	}
	return &Store{path: abs, w: w, r: r, canon: o.canon, addIdentity: addIdentity}, nil
}

// isDirError refuses a database path that names a directory: --db or
// WHET_DB names the file itself.
func isDirError(path string) error {
	return fmt.Errorf("database %s is a directory, not a file: give --db or WHET_DB the database file's path (such as %s)", path, filepath.Join(path, "whet.db"))
}

// openReadOnly opens the existing, up-to-date database at path for reading
// only; see ReadOnly.
func openReadOnly(ctx context.Context, path string, known int) (*Store, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	if fi.IsDir() {
		return nil, isDirError(path)
	}
	v, err := readSchema(ctx, path)
	if err != nil {
		if cannotOpenHere(err) {
			return nil, unreadableHere(path, err)
		}
		return nil, err
	}
	switch {
	case v > known:
		return nil, newerSchemaError(path, v, known)
	case v == 0:
		if err := checkNotForeign(ctx, path); err != nil {
			return nil, err
		}
	}
	if v < known {
		return nil, fmt.Errorf("database %s has schema version %d and this whet reads version %d: %w", path, v, known, ErrNeedsMigration)
	}
	r, err := openReaders(ctx, path, false)
	if err != nil && cannotOpenHere(err) && walEmpty(path) {
		// A read-only directory or mount, where the -shm file cannot be
		// made: with no write-ahead log to read, nothing can change the
		// file under whet (nothing may write it), and SQLite may read it
		// as immutable, without locks.
		r, err = openReaders(ctx, path, true)
	}
	if err != nil {
		if cannotOpenHere(err) {
			return nil, unreadableHere(path, err)
		}
		return nil, openError(path, err)
	}
	return &Store{path: path, w: r, r: r, readOnly: true}, nil
}

// openReaders opens a pool of read-only connections to path and reads
// from it once, so that a file SQLite cannot open fails here.
func openReaders(ctx context.Context, path string, immutable bool) (*sql.DB, error) {
	q := url.Values{}
	q.Set("mode", "ro")
	if immutable {
		q.Set("immutable", "1")
	}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_pragma", "query_only(1)")
	r, err := sql.Open("sqlite", fileURI(path, q))
	if err != nil {
		return nil, err
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	var n int
	if err := r.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// unreadableHere says why a database cannot even be read where it is: its
// write-ahead log holds commits, and SQLite cannot create the -shm file it
// needs to read them.
func unreadableHere(path string, err error) error {
	base := filepath.Base(path)
	return fmt.Errorf("database %s: cannot be read where it is: %s-wal beside it holds commits, and SQLite needs to create %s-shm to read them (check the permissions of %s, or open it once where it can be written, or copy %s with its -wal somewhere writable): %w",
		path, base, base, filepath.Dir(path), base, err)
}

// checkSchema reads the schema version of an existing file without
// writing a byte to it or beside it. With no write-ahead log beside it, the
// file's header is the truth and is read directly: even a read-only SQLite
// connection would create -wal and -shm files next to a WAL database. With
// a non-empty log (another process has the file open, or one crashed), only
// SQLite can read the newest header, through a read-only connection.
func checkSchema(ctx context.Context, path string, known int) error {
	v, err := readSchema(ctx, path)
	if err != nil {
		return err
	}
	if v > known {
		return newerSchemaError(path, v, known)
	}
	if v == 0 {
		return checkNotForeign(ctx, path)
	}
	return nil
}

// checkNotForeign refuses an SQLite file of schema version 0 that already
// holds tables: whet's first migration sets the version in the same
// transaction that creates its tables, so such a file belongs to another
// program (a mistyped --db), and migrating it would add whet's tables to it.
func checkNotForeign(ctx context.Context, path string) error {
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		return nil
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	db, err := sql.Open("sqlite", fileURI(path, q))
	if err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	defer db.Close()
	// One statement, one snapshot: another whet creating its tables in
	// this file commits them together with a version above 0.
	rows, err := db.QueryContext(ctx, `SELECT name, (SELECT user_version FROM pragma_user_version)
		FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name LIMIT 4`)
	if err != nil {
		return openError(path, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		var v int
		if err := rows.Scan(&n, &v); err != nil {
			return openError(path, err)
		}
		if v != 0 {
			return nil
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return openError(path, err)
	}
	if len(names) == 0 {
		return nil
	}
	if len(names) == 4 {
		names[3] = "…"
	}
	return notWhetError{fmt.Sprintf("database %s: an SQLite database of another program (tables %s), not whet's: give whet a file of its own with --db or WHET_DB (the file was not changed)",
		path, strings.Join(names, ", "))}
}

// FileSchemaVersion reads the schema version of the database file at path
// without opening it as a Store: nothing is written to the file or beside
// it, and a file newer than SchemaVersion is read, not refused. An empty
// file is version 0. A missing file is an error wrapping fs.ErrNotExist;
// a file that is not an SQLite database, or is another program's, is an
// error saying so.
func FileSchemaVersion(ctx context.Context, path string) (int, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return 0, fmt.Errorf("database %s: %w", path, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return 0, fmt.Errorf("database %s: %w", abs, err)
	}
	if fi.IsDir() {
		return 0, isDirError(abs)
	}
	v, err := readSchema(ctx, abs)
	if err == nil && v == 0 {
		err = checkNotForeign(ctx, abs)
	}
	return v, err
}

// readSchema reads the schema version of the existing file at path: from
// its header, or through SQLite when a non-empty write-ahead log may hold a
// newer header (see checkSchema).
func readSchema(ctx context.Context, path string) (int, error) {
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return readSchemaSQL(ctx, path)
	}
	v, err := headerUserVersion(path)
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			return 0, err
		}
		return 0, fmt.Errorf("database %s: %w", path, err)
	}
	return v, nil
}

// headerUserVersion reads PRAGMA user_version from the database header:
// a big-endian 32-bit integer at offset 60 of the first 100 bytes. An empty
// file is an empty database, of version 0.
func headerUserVersion(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var hdr [100]byte
	n, err := io.ReadFull(f, hdr[:])
	switch {
	case n == 0 && errors.Is(err, io.EOF):
		return 0, nil
	case errors.Is(err, io.ErrUnexpectedEOF) || err == nil && string(hdr[:16]) != "SQLite format 3\x00":
		return 0, notWhetError{"not an SQLite database, so not whet's: give whet a file of its own with --db or WHET_DB (the file was not changed)"}
	case err != nil:
		return 0, err
	}
	if err := checkLength(f, path, hdr); err != nil {
		return 0, err
	}
	return int(int32(binary.BigEndian.Uint32(hdr[60:64]))), nil
}

// checkLength refuses a database file shorter than its header says it
// is: a copy cut short, a disk that lost its end. SQLite would find it
// damaged only on reading the missing pages, so a header read alone
// (whet version) would call it up to date. The header's size is trusted
// as SQLite trusts it: when not zero and written by the same change as
// the header (its version-valid-for number equals the change counter).
// Read only where no write-ahead log holds commits, as the header is then
// the whole truth.
func checkLength(f *os.File, path string, hdr [100]byte) error {
	pageSize := int64(binary.BigEndian.Uint16(hdr[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	pages := int64(binary.BigEndian.Uint32(hdr[28:32]))
	if pages == 0 || !bytes.Equal(hdr[24:28], hdr[92:96]) {
		return nil
	}
	fi, err := f.Stat()
	if err != nil || fi.Size() >= pages*pageSize {
		return nil
	}
	return &FileError{Path: path, Cond: ErrDamaged, Err: errors.New("database disk image is malformed"),
		What: fmt.Sprintf("the file is damaged: it is cut short (%s of the %s its header gives)", textutil.HumanBytes(fi.Size()), textutil.HumanBytes(pages*pageSize)),
		Kept: "it was not changed", Fix: damagedFix}
}

// readSchemaSQL reads the schema version through a read-only connection
// with no pragmas but the busy timeout.
func readSchemaSQL(ctx context.Context, path string) (int, error) {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	db, err := sql.Open("sqlite", fileURI(path, q))
	if err != nil {
		return 0, fmt.Errorf("database %s: %w", path, err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("database %s: reading its schema version: %w", path, err)
	}
	return v, nil
}

// NewerSchemaError is Open's refusal of a database written by a newer
// whet. errors.Is(err, ErrNewerSchema) holds for it.
type NewerSchemaError struct {
	Path   string // the database file
	Theirs int    // its schema version
	Ours   int    // the schema version of this build
}

func (e *NewerSchemaError) Error() string {
	return fmt.Sprintf("database %s has schema version %d, but this whet knows schema version %d at most: upgrade whet to open it (the file was not changed)",
		e.Path, e.Theirs, e.Ours)
}

func (e *NewerSchemaError) Unwrap() error { return ErrNewerSchema }

func newerSchemaError(path string, theirs, ours int) error {
	return &NewerSchemaError{Path: path, Theirs: theirs, Ours: ours}
}

// migrate applies the migrations the file lacks, each in its own
// transaction together with the new user_version. The version is read again
// inside each transaction, so two processes opening a new file at once
// apply every step exactly once. notify, when not nil, is told before the
// first step a file of schema 1 or later needs (see Upgrading).
func migrate(ctx context.Context, w *sql.DB, path string, ms []migration, notify func(Upgrade)) error {
	// An up-to-date file needs no write lock: reading its version first
	// lets a command open it while another process holds that lock. When
	// this read fails (a new file another process is setting up answers
	// SQLITE_BUSY at once), the transactions below read it again, waiting.
	var cur int
	if err := w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&cur); err == nil {
		if cur > len(ms) {
			return newerSchemaError(path, cur, len(ms))
		}
		if cur == len(ms) {
			return nil
		}
	}
	notified := false
	for _, m := range ms {
		migrating := false
		err := func() error {
			tx, err := w.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback()
			var v int
			if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
				return err
			}
			if v > len(ms) {
				return newerSchemaError(path, v, len(ms))
			}
			if v >= m.version {
				return nil
			}
			migrating = true
			if !notified && v > 0 && notify != nil {
				// The write lock is held: the steps will be tried.
				up := Upgrade{Path: path, From: v, To: len(ms)}
				for _, m := range ms[v:] {
					up.Steps = append(up.Steps, strings.TrimSuffix(m.name, ".sql"))
				}
				notify(up)
			}
			notified = true // a new file says nothing of its later steps
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			return tx.Commit()
		}()
		if err != nil {
			if errors.Is(err, ErrNewerSchema) {
				return err
			}
			if !migrating {
				return openError(path, err)
			}
			return fmt.Errorf("database %s: migrating to schema version %d: %w", path, m.version, openError(path, err))
		}
	}
	return nil
}

// openError says in plain words why the database at path could not be
// opened, read or written, for the failures SQLite names in codes (see
// Explain); any other error is returned as "database PATH: err".
func openError(path string, err error) error {
	if fe := explain(path, err); fe != nil {
		return fe
	}
	return fmt.Errorf("database %s: %w", path, err)
}

// Close closes the database. The last connection to close checkpoints the
// write-ahead log into the file.
func (s *Store) Close() error {
	if s.readOnly {
		return s.r.Close()
	}
	return errors.Join(s.addIdentity.Close(), s.r.Close(), s.w.Close())
}

// Path is the absolute path of the database file.
func (s *Store) Path() string { return s.path }

// querier is what the queries need: the reader pool or a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is one write transaction, begun with BEGIN IMMEDIATE: it holds the
// database's write lock until Update returns. Its methods behave as the
// Store's methods of the same names, inside the transaction, and see its
// uncommitted writes.
type Tx struct {
	tx          *sql.Tx
	now         time.Time
	addIdentity *sql.Stmt // the Store's
}

// Update runs fn in one write transaction and commits it when fn returns
// nil; otherwise it rolls back and returns fn's error. fn must do all its
// work through tx: the Store's own write methods would wait for the one
// writer connection that tx holds, and its read methods do not see tx's
// writes.
func (s *Store) Update(ctx context.Context, fn func(tx *Tx) error) error {
	if s.readOnly {
		return fmt.Errorf("database %s: %w", s.path, ErrReadOnly)
	}
	sqlTx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		if fe := explain(s.path, err); fe != nil {
			return fe
		}
		return fmt.Errorf("database %s: beginning a write: %w", s.path, err)
	}
	defer sqlTx.Rollback()
	if err := fn(&Tx{tx: sqlTx, now: time.Now(), addIdentity: s.addIdentity}); err != nil {
		return Explain(s.path, err)
	}
	if err := sqlTx.Commit(); err != nil {
		if fe := explain(s.path, err); fe != nil {
			return fe
		}
		return fmt.Errorf("database %s: committing: %w", s.path, err)
	}
	return nil
}

// ms is t as unix milliseconds, the stored form of every time.
func ms(t time.Time) int64 { return t.UnixMilli() }

// fromMS is the inverse of ms.
func fromMS(v int64) time.Time { return time.UnixMilli(v) }

// durMS is d as REAL milliseconds, the stored form of every duration.
func durMS(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// fromDurMS is the inverse of durMS, exact to the nanosecond for any
// duration a call can take.
func fromDurMS(v float64) time.Duration {
	return time.Duration(v*float64(time.Millisecond) + copysignHalf(v))
}

func copysignHalf(v float64) float64 {
	if v < 0 {
		return -0.5
	}
	return 0.5
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
