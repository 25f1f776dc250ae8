// Package store keeps whet's prompts, versions, tags, runs, results, scores,
// response cache and audit log in one SQLite file (modernc.org/sqlite, no
// cgo). It is the only package of whet that speaks SQL.
//
// Rules it keeps:
//
//   - Versions, results, scores, tag history and the audit log are written
//     once and never updated or deleted; triggers in the schema refuse it.
//     The one exception is PruneRuns, asked by the user: it deletes whole
//     old runs with their results, scores and grades, lifting the two triggers that
//     refuse it for its own transaction only (drift baselines of the runs it
//     keeps stay). Prompts are archived, never deleted. Tags move by appending rows; a
//     tag's current version is its newest row. Only a run's status and
//     finished time, a prompt's description, labels, defaults and archived
//     flag, and cache entries ever change.
//   - Three things are derived, and kept only by triggers in the same
//     transaction: prompts.latest/latest_hash (the newest version) and
//     tag_heads (each tag's newest history row), so listing 10,000 prompts
//     reads neither versions nor tag history; and result_grades, each
//     graded result's grade (a person's rating over the suite's grade,
//     from the latest score of each scorer; the view result_grade says how),
//     graded again by every new score, so that the Runs list counts a run
//     (RunTallies) without reading its results or scores. PruneRuns
//     deletes a run's grades with it. The failed and the costly calls have
//     partial indexes of their own (results_failed, results_cost), which
//     cost a successful free call nothing when it is saved.
//   - run_identities, per run, target and model identity, what ModelsSeen
//     reads (the newest result, the first and last start, the count of the
//     successful uncached results), is kept by SaveResults itself: each
//     batch adds its sums in its own transaction, one row per target and
//     identity, so that it never disagrees with the results however a run
//     stops, and a saved result costs no index or trigger. PruneRuns
//     deletes a run's rows with it. Whatever else inserts results must add
//     to it too.
//   - Saving content identical to a prompt's latest version makes no version.
//   - Every change to a prompt writes an audit row: who, when, the action,
//     the prompt, and before/after references.
//   - Pragmas are set in one place (dsn in store.go) on every connection:
//     WAL, foreign_keys=ON, busy_timeout, synchronous=NORMAL.
//   - One writer: all writes go through one connection, each in a
//     BEGIN IMMEDIATE transaction, so writers of several processes queue on
//     the busy timeout instead of failing with SQLITE_BUSY; reads use a
//     separate pool of query-only connections.
//   - Migrations are embedded SQL files (migrations/NNNN_name.sql) run in
//     order, each in one transaction that also sets PRAGMA user_version. A
//     file whose user_version is higher than the migrations this build knows
//     is refused with ErrNewerSchema before anything is written to it, and
//     so is an SQLite file of version 0 that already holds tables (another
//     program's database).
//   - Open with the ReadOnly option opens an existing, up-to-date file
//     read-only (mode=ro, or immutable=1 where no -shm file can be created
//     and no -wal holds commits), for commands that only read: it never
//     creates, migrates or writes the file, and its Store refuses writes
//     with ErrReadOnly.
//   - Times are stored as INTEGER unix milliseconds, durations as REAL
//     milliseconds, structured values as JSON text.
//
// Every method takes a context. Store.Update runs a caller's function in one
// write transaction; the Tx it passes offers the same operations.
package store
