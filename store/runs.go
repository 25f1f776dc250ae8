package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"whet/prompt"
)

// RunSummary is a run with its progress: Cells is the plan's size, Done
// the results recorded (failed ones included), Failed those with an error,
// Cost their summed cost in USD.
type RunSummary struct {
	Run                 prompt.Run
	Cases               int // the plan's cases (also under Brief, where Run.Cases is nil)
	Cells, Done, Failed int
	Cost                float64
}

// RunFilter selects runs for ListRuns.
type RunFilter struct {
	Prompt string // only runs with a version of this prompt; "" = all
	Limit  int    // at most this many; <= 0 = all
	// Brief counts each run's cases without reading them: Run.Cases is
	// nil, RunSummary.Cases and Cells count them. Reading a plan's cases
	// is most of a list's time once runs have thousands of cases (50
	// runs of a 5,000-case suite: 1.6 s against 0.2 s).
	Brief bool
}

// briefPlan is a runPlan without its cases, which decodeBriefPlan counts.
type briefPlan struct {
	Versions   []prompt.RunVersion `json:"versions"`
	Targets    []string            `json:"targets"`
	Repeat     int                 `json:"repeat"`
	NoCache    bool                `json:"no_cache,omitempty"`
	ForceCache bool                `json:"force_cache,omitempty"`
}

// decodeBriefPlan decodes a plan's fields but its cases, and counts them
// (null: 0). Its other fields are decoded, and checked, as encoding/json
// decodes them; the cases are only counted: encoding/json would first scan
// every byte of them, and a plan of 100,000 cases is megabytes (checking
// them all took longer than counting). A plan garbled in its cases still
// fails: every plan has its four fields, repeat after the cases, and the
// reading of a garbled one stops before it.
func decodeBriefPlan(plan string) (briefPlan, int, error) {
	var p briefPlan
	root := gjson.Parse(plan)
	if !root.IsObject() {
		return p, 0, fmt.Errorf("want a JSON object, got %.20s", plan)
	}
	cases, err := 0, error(nil)
	seen := map[string]bool{}
	var rest strings.Builder
	rest.WriteByte('{')
	root.ForEach(func(k, v gjson.Result) bool {
		seen[k.Str] = true
		if k.Str != "cases" {
			if rest.Len() > 1 {
				rest.WriteByte(',')
			}
			rest.WriteString(k.Raw)
			rest.WriteByte(':')
			rest.WriteString(v.Raw)
			return true
		}
		switch {
		case v.Type == gjson.Null:
		case !v.IsArray():
			err = fmt.Errorf("cases: want an array, got %.20s", v.Raw)
		default:
			v.ForEach(func(_, _ gjson.Result) bool {
				cases++
				return true
			})
		}
		return err == nil
	})
	if err != nil {
		return p, 0, err
	}
	for _, f := range []string{"versions", "targets", "cases", "repeat"} {
		if !seen[f] {
			return p, 0, fmt.Errorf("not a whole plan: no %s", f)
		}
	}
	rest.WriteByte('}')
	if err := json.Unmarshal([]byte(rest.String()), &p); err != nil {
		return p, 0, err
	}
	return p, cases, nil
}

// runPlan is the JSON form of a run's plan in runs.plan.
type runPlan struct {
	Versions   []prompt.RunVersion `json:"versions"`
	Targets    []string            `json:"targets"`
	Cases      []prompt.Case       `json:"cases"`
	Repeat     int                 `json:"repeat"`
	NoCache    bool                `json:"no_cache,omitempty"`
	ForceCache bool                `json:"force_cache,omitempty"`
}

// idAlphabet is Crockford's base32 in lower case. Its letters are in
// ascending byte order, so fixed-width ids sort as their numbers do.
const idAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// newRunID makes a 12-character id: 9 characters of the unix millisecond
// (enough until the year 3084), so ids sort by creation time, then 3 random
// characters to tell apart runs begun in the same millisecond.
func newRunID(t time.Time) string {
	var b [12]byte
	n := uint64(t.UnixMilli())
	for i := 8; i >= 0; i-- {
		b[i] = idAlphabet[n&31]
		n >>= 5
	}
	r := rand.Uint32()
	for i := 9; i < 12; i++ {
		b[i] = idAlphabet[r&31]
		r >>= 5
	}
	return string(b[:])
}

var validStatus = map[prompt.RunStatus]bool{prompt.RunRunning: true, prompt.RunDone: true, prompt.RunInterrupted: true}

// CreateRun records a new run with status running. It assigns r.ID when
// empty (12 lower-case characters that sort by creation time) and
// r.Created when zero. Every RunVersion must name an existing version id.
// A given ID already in use gives an error wrapping ErrExists.
func (s *Store) CreateRun(ctx context.Context, r *prompt.Run) error {
	// Work on a copy so that a failed transaction leaves r unchanged.
	c := *r
	err := s.Update(ctx, func(tx *Tx) error { return tx.CreateRun(ctx, &c) })
	if err == nil {
		*r = c
	}
	return err
}

// CreateRun is Store.CreateRun inside tx.
func (tx *Tx) CreateRun(ctx context.Context, r *prompt.Run) error {
	if r.Created.IsZero() {
		r.Created = tx.now
	}
	r.Created = fromMS(ms(r.Created))
	r.Finished = time.Time{}
	r.Status = prompt.RunRunning
	plan, err := json.Marshal(runPlan{
		Versions: r.Versions, Targets: r.Targets, Cases: r.Cases, Repeat: r.Repeat,
		NoCache: r.NoCache, ForceCache: r.ForceCache,
	})
	if err != nil {
		return fmt.Errorf("run plan: %w", err)
	}
	given := r.ID != ""
	for attempt := 0; ; attempt++ {
		if !given {
			r.ID = newRunID(r.Created)
		}
		res, err := tx.tx.ExecContext(ctx, `
			INSERT INTO runs (id, created, status, source, suite, plan, author, note)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			r.ID, ms(r.Created), string(r.Status), r.Source, r.Suite, string(plan), r.Author, r.Note)
		if err != nil {
			return fmt.Errorf("run %s: %w", r.ID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			break
		}
		if given {
			return wrap(ErrExists, "run %q already exists", r.ID)
		}
		if attempt >= 10 {
			return fmt.Errorf("run ids keep colliding (last %s)", r.ID)
		}
	}
	for i, v := range r.Versions {
		if _, err := tx.tx.ExecContext(ctx,
			`INSERT INTO run_versions (run_id, version_id, position) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			r.ID, v.VersionID, i); err != nil {
			return fmt.Errorf("run %s: version %s (id %d): %w", r.ID, v.Ref(), v.VersionID, err)
		}
	}
	return nil
}

// FinishRun sets a run's status and finished time (now when at is zero).
// It is the only change a run ever receives; it may be repeated, e.g. when
// an interrupted run is resumed and completed.
func (s *Store) FinishRun(ctx context.Context, id string, status prompt.RunStatus, at time.Time) error {
	return s.Update(ctx, func(tx *Tx) error { return tx.FinishRun(ctx, id, status, at) })
}

// FinishRun is Store.FinishRun inside tx.
func (tx *Tx) FinishRun(ctx context.Context, id string, status prompt.RunStatus, at time.Time) error {
	if !validStatus[status] {
		return fmt.Errorf("run %s: unknown status %q (want running, done or interrupted)", id, status)
	}
	if at.IsZero() {
		at = tx.now
	}
	var fin any = ms(at)
	if status == prompt.RunRunning {
		fin = nil
	}
	res, err := tx.tx.ExecContext(ctx, `UPDATE runs SET status = ?, finished = ? WHERE id = ?`, string(status), fin, id)
	if err != nil {
		return fmt.Errorf("run %s: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return &NotFoundError{Kind: "run", Name: id}
	}
	return nil
}

const runCols = `r.id, r.created, r.finished, r.status, r.source, r.suite, r.plan, r.author, r.note`

func scanRun(sc scanner, brief bool, extra ...any) (prompt.Run, error) {
	r, _, err := scanRunPlan(sc, brief, extra...)
	return r, err
}

// scanRunPlan is scanRun that, when brief, counts the plan's cases
// instead of reading them (RunFilter.Brief); it returns their number.
func scanRunPlan(sc scanner, brief bool, extra ...any) (prompt.Run, int, error) {
	var (
		r        prompt.Run
		created  int64
		finished sql.NullInt64
		status   string
		plan     string
	)
	dest := append([]any{&r.ID, &created, &finished, &status, &r.Source, &r.Suite, &plan, &r.Author, &r.Note}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return r, 0, err
	}
	r.Created = fromMS(created)
	if finished.Valid {
		r.Finished = fromMS(finished.Int64)
	}
	r.Status = prompt.RunStatus(status)
	if brief {
		p, cases, err := decodeBriefPlan(plan)
		if err != nil {
			return r, 0, fmt.Errorf("run %s: plan: %w", r.ID, err)
		}
		r.Versions, r.Targets, r.Repeat = p.Versions, p.Targets, p.Repeat
		r.NoCache, r.ForceCache = p.NoCache, p.ForceCache
		return r, cases, nil
	}
	var p runPlan
	if err := json.Unmarshal([]byte(plan), &p); err != nil {
		return r, 0, fmt.Errorf("run %s: plan: %w", r.ID, err)
	}
	r.Versions, r.Targets, r.Cases, r.Repeat = p.Versions, p.Targets, p.Cases, p.Repeat
	r.NoCache, r.ForceCache = p.NoCache, p.ForceCache
	return r, len(p.Cases), nil
}

// GetRun returns the run with the given id, or with the only id that
// starts with it (at least 4 characters). A prefix shared by several runs
// gives an error wrapping ErrAmbiguous that lists them.
//
// A run recorded as running that no process executes any more (killed,
// crashed) reads as interrupted, as ListRuns shows it.
func (s *Store) GetRun(ctx context.Context, id string) (prompt.Run, error) {
	return s.getRun(ctx, id, false)
}

// GetRunBrief is GetRun without the plan's cases (Run.Cases is nil), for
// a caller that holds them already: at 100,000 cases, decoding them again
// took more memory than the rest of the run's report.
func (s *Store) GetRunBrief(ctx context.Context, id string) (prompt.Run, error) {
	return s.getRun(ctx, id, true)
}

func (s *Store) getRun(ctx context.Context, id string, brief bool) (prompt.Run, error) {
	r, err := getRun(ctx, s.r, id, brief)
	if err == nil {
		s.settle(&r)
		s.canonRun(&r)
	}
	return r, err
}

func getRun(ctx context.Context, q querier, id string, brief bool) (prompt.Run, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	r, err := scanRun(q.QueryRowContext(ctx, `SELECT `+runCols+` FROM runs r WHERE r.id = ?`, id), brief)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return r, err
	}
	if len(id) < 4 {
		return prompt.Run{}, &NotFoundError{Kind: "run", Name: id, Hint: "give at least 4 characters of a run id"}
	}
	rows, err := q.QueryContext(ctx, `SELECT `+runCols+` FROM runs r WHERE r.id >= ? AND r.id < ? ORDER BY r.id LIMIT 11`, id, id+"~")
	if err != nil {
		return prompt.Run{}, err
	}
	defer rows.Close()
	var found []prompt.Run
	for rows.Next() {
		r, err := scanRun(rows, brief)
		if err != nil {
			return prompt.Run{}, err
		}
		found = append(found, r)
	}
	if err := rows.Err(); err != nil {
		return prompt.Run{}, err
	}
	switch len(found) {
	case 0:
		return prompt.Run{}, &NotFoundError{Kind: "run", Name: id}
	case 1:
		return found[0], nil
	}
	ids := make([]string, 0, len(found))
	for i, r := range found {
		if i == 10 {
			ids = append(ids, "…")
			break
		}
		ids = append(ids, r.ID)
	}
	return prompt.Run{}, wrap(ErrAmbiguous, "run id prefix %q is ambiguous: it matches %s; give more characters", id, strings.Join(ids, ", "))
}

// ListRuns lists runs newest first with their progress. A run recorded as
// running that no process executes any more (it was killed or crashed
// before it could record how it ended) is listed as interrupted: its
// finished cells are kept and `whet run --resume` runs the rest.
func (s *Store) ListRuns(ctx context.Context, f RunFilter) ([]RunSummary, error) {
	// The runs are chosen first, so that only those listed have their
	// results counted and their plans carried. The failed and the costly
	// calls are counted from their own indexes (results_failed,
	// results_cost); a call that cost nothing adds nothing to the cost,
	// which is summed in the order of the cells either way.
	pick := `SELECT id FROM runs`
	var args []any
	if f.Prompt != "" {
		h, err := lookupPrompt(ctx, s.r, f.Prompt)
		if err != nil {
			return nil, err
		}
		pick += ` WHERE id IN (SELECT rv.run_id FROM run_versions rv JOIN versions v ON v.id = rv.version_id WHERE v.prompt_id = ?)`
		args = append(args, h.id)
	}
	pick += ` ORDER BY created DESC, id DESC`
	if f.Limit > 0 {
		pick += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	query := `SELECT ` + runCols + `,
		(SELECT COUNT(*) FROM results x WHERE x.run_id = r.id),
		(SELECT COUNT(*) FROM results x WHERE x.run_id = r.id AND x.error != ''),
		(SELECT TOTAL(x.cost) FROM results x WHERE x.run_id = r.id AND x.cost != 0)
		FROM runs r WHERE r.id IN (` + pick + `)`
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RunSummary
	for rows.Next() {
		var sum RunSummary
		r, cases, err := scanRunPlan(rows, f.Brief, &sum.Done, &sum.Failed, &sum.Cost)
		if err != nil {
			return nil, err
		}
		s.settle(&r)
		s.canonRun(&r)
		sum.Run = r
		sum.Cases = cases
		sum.Cells = r.CellsOf(cases)
		out = append(out, sum)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Sorted here, not by the query: SQLite sorted the rows whole, plans
	// included, and a plan of 100,000 cases is megabytes to copy.
	slices.SortFunc(out, func(a, b RunSummary) int {
		return cmp.Or(b.Run.Created.Compare(a.Run.Created), strings.Compare(b.Run.ID, a.Run.ID))
	})
	return out, nil
}

// SaveResults records a batch of results in one transaction. A result for
// a cell (run, version, target, case, repeat) already recorded is ignored:
// results are immutable. On success rs[i].ID holds the stored row's id (the
// earlier row's for an ignored duplicate) and rs[i].Started is cut to the
// millisecond, as stored, so that a new result in rs equals what Results
// reads back; on failure nothing is recorded.
func (s *Store) SaveResults(ctx context.Context, rs []prompt.Result) error {
	ids := make([]int64, len(rs))
	err := s.Update(ctx, func(tx *Tx) error {
		var err error
		ids, err = tx.saveResults(ctx, rs)
		return err
	})
	if err != nil {
		return err
	}
	setStored(rs, ids)
	return nil
}

// setStored gives saved results their ids and their stored form.
func setStored(rs []prompt.Result, ids []int64) {
	for i := range rs {
		rs[i].ID = ids[i]
		if !rs[i].Started.IsZero() {
			rs[i].Started = fromMS(ms(rs[i].Started))
		}
	}
}

// SaveResults is Store.SaveResults inside tx.
func (tx *Tx) SaveResults(ctx context.Context, rs []prompt.Result) error {
	ids, err := tx.saveResults(ctx, rs)
	if err != nil {
		return err
	}
	setStored(rs, ids)
	return nil
}

// resultsPerInsert is how many results one INSERT statement carries: a
// multi-row insert costs the statement's fixed work (binding, the VDBE
// program's start and end, database/sql) once for all of them. 18
// parameters a row keep it far under SQLite's limit of 32,766.
const resultsPerInsert = 32

// insertResultsSQL is the INSERT of n results.
func insertResultsSQL(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO results (run_id, version_id, target, case_idx, repeat, output, error, finish_reason,
		ttft_ms, latency_ms, gen_ms, tokens_in, tokens_out, cost, cache_hit, model, model_digest, started) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
	}
	b.WriteString(" ON CONFLICT (run_id, version_id, target, case_idx, repeat) DO NOTHING")
	return b.String()
}

// fullInsertSQL is insertResultsSQL(resultsPerInsert), built once.
var fullInsertSQL = insertResultsSQL(resultsPerInsert)

func (tx *Tx) saveResults(ctx context.Context, rs []prompt.Result) ([]int64, error) {
	ids := make([]int64, len(rs))
	if len(rs) == 0 {
		return ids, nil
	}
	// One prepared statement per batch and per chunk size: the executor's
	// writer saves results in batches, and preparing per row dominated the
	// cost of a save. Exec, not RETURNING: reading ids back through a result
	// set cost twice the CPU of the insert itself. The rows of one INSERT
	// get consecutive rowids (each new rowid is one more than the largest,
	// and the transaction holds the write lock), so when every row went in,
	// LastInsertId gives them all; when some cell already had a result, the
	// ids of that chunk are looked up.
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, 18*resultsPerInsert)
	var seen identitySums
	for lo := 0; lo < len(rs); lo += resultsPerInsert {
		chunk := rs[lo:min(lo+resultsPerInsert, len(rs))]
		args = args[:0]
		for _, r := range chunk {
			args = resultArgs(args, r)
		}
		var (
			res sql.Result
			err error
		)
		if len(chunk) == resultsPerInsert {
			if full == nil {
				if full, err = tx.tx.PrepareContext(ctx, fullInsertSQL); err != nil {
					return nil, err
				}
			}
			res, err = full.ExecContext(ctx, args...)
		} else {
			res, err = tx.tx.ExecContext(ctx, insertResultsSQL(len(chunk)), args...)
		}
		var n, last int64
		if err == nil {
			n, err = res.RowsAffected()
		}
		if err == nil && n > 0 {
			last, err = res.LastInsertId()
		}
		if err != nil {
			// Name the row at fault: the failed statement changed nothing,
			// so try the chunk's rows one by one (the caller rolls back).
			return nil, tx.badResult(ctx, chunk, err)
		}
		var added map[int64]bool // the rows of a chunk with duplicates that went in
		for i, r := range chunk {
			if n == int64(len(chunk)) {
				ids[lo+i] = last - int64(len(chunk)-1-i)
				seen.add(r, ids[lo+i])
				continue
			}
			// Some cell of the chunk had a result already: its earlier row stays.
			err := tx.tx.QueryRowContext(ctx,
				`SELECT id FROM results WHERE run_id = ? AND version_id = ? AND target = ? AND case_idx = ? AND repeat = ?`,
				r.RunID, r.VersionID, r.Target, r.Case, r.Repeat).Scan(&ids[lo+i])
			if err != nil {
				return nil, fmt.Errorf("result of run %s, version id %d, target %s, case %d, repeat %d: %w",
					r.RunID, r.VersionID, r.Target, r.Case, r.Repeat, err)
			}
			// The n rows that went in took the n ids up to last, above every
			// earlier row's; of two results for one cell in the chunk, the
			// first went in.
			if id := ids[lo+i]; n > 0 && id > last-n && !added[id] {
				if added == nil {
					added = map[int64]bool{}
				}
				added[id] = true
				seen.add(r, id)
			}
		}
	}
	if err := seen.save(ctx, tx); err != nil {
		return nil, err
	}
	return ids, nil
}

// identityKey is one row of run_identities: a run's results on a target
// that recorded one model identity.
type identityKey struct{ run, target, model, digest string }

// identitySum is what run_identities keeps of an identityKey's results.
type identitySum struct {
	last          int64 // the newest result's id
	started       bool  // some result recorded its start
	first, latest int64 // the first and last start, when started
	cells         int
}

// identitySums adds up, in the order met, the identities of the results a
// batch saves, for run_identities (migration 0006), which ModelsSeen reads.
type identitySums struct {
	keys []identityKey
	sums map[identityKey]*identitySum
	// last is the sum of keys' last key: the results of a target often
	// come one after another.
	last *identitySum
}

// add counts the saved result r, stored with id, when it is one ModelsSeen
// reads: successful, not from the cache, with a model or a digest.
func (s *identitySums) add(r prompt.Result, id int64) {
	if r.Error != "" || r.CacheHit || (r.Model == "" && r.ModelDigest == "") {
		return
	}
	k := identityKey{r.RunID, r.Target, r.Model, r.ModelDigest}
	sum := s.last
	if sum == nil || s.keys[len(s.keys)-1] != k {
		sum = s.sums[k]
	}
	if sum == nil {
		if s.sums == nil {
			s.sums = map[identityKey]*identitySum{}
		}
		sum = &identitySum{}
		s.sums[k] = sum
		s.keys = append(s.keys, k)
		s.last = sum
	}
	sum.last = max(sum.last, id)
	sum.cells++
	if !r.Started.IsZero() {
		at := ms(r.Started)
		if !sum.started {
			sum.started, sum.first, sum.latest = true, at, at
		}
		sum.first, sum.latest = min(sum.first, at), max(sum.latest, at)
	}
}

// addIdentitySQL adds one row to run_identities, or to the row already
// there for its key; the Store prepares it once (Store.addIdentity). min
// and max of a NULL are NULL: a side that recorded no start leaves the
// other's.
const addIdentitySQL = `INSERT INTO run_identities (run_id, target, model, model_digest, last_id, first_started, last_started, cells)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (run_id, target, model, model_digest) DO UPDATE SET
		last_id = max(last_id, excluded.last_id),
		first_started = coalesce(min(first_started, excluded.first_started), first_started, excluded.first_started),
		last_started = coalesce(max(last_started, excluded.last_started), last_started, excluded.last_started),
		cells = cells + excluded.cells`

// save adds the sums to run_identities inside tx: a row per key, through
// the statement prepared once, which costs less than preparing one INSERT
// of several rows for each batch.
func (s *identitySums) save(ctx context.Context, tx *Tx) error {
	if len(s.keys) == 0 {
		return nil
	}
	stmt := tx.tx.StmtContext(ctx, tx.addIdentity)
	defer stmt.Close()
	for _, k := range s.keys {
		sum := s.sums[k]
		var first, latest any
		if sum.started {
			first, latest = sum.first, sum.latest
		}
		if _, err := stmt.ExecContext(ctx, k.run, k.target, k.model, k.digest, sum.last, first, latest, sum.cells); err != nil {
			return fmt.Errorf("recording the models the results reported: %w", err)
		}
	}
	return nil
}

// resultArgs appends r's columns, in insertResultsSQL's order, to args.
func resultArgs(args []any, r prompt.Result) []any {
	var started any
	if !r.Started.IsZero() {
		started = ms(r.Started)
	}
	return append(args, r.RunID, r.VersionID, r.Target, r.Case, r.Repeat, r.Output, r.Error, r.FinishReason,
		durMS(r.TTFT), durMS(r.Latency), durMS(r.GenTime), r.TokensIn, r.TokensOut, r.Cost, boolInt(r.CacheHit),
		r.Model, r.ModelDigest, started)
}

// badResult finds which of rs cannot be inserted and says so; chunkErr is
// the error of inserting them together, returned when each goes in alone.
func (tx *Tx) badResult(ctx context.Context, rs []prompt.Result, chunkErr error) error {
	for _, r := range rs {
		if _, err := tx.tx.ExecContext(ctx, insertResultsSQL(1), resultArgs(nil, r)...); err != nil {
			return fmt.Errorf("result of run %s, version id %d, target %s, case %d, repeat %d: %w",
				r.RunID, r.VersionID, r.Target, r.Case, r.Repeat, err)
		}
	}
	return chunkErr
}

const resultCols = `id, run_id, version_id, target, case_idx, repeat, output, error, finish_reason,
	ttft_ms, latency_ms, gen_ms, tokens_in, tokens_out, cost, cache_hit, model, model_digest, started`

func scanResult(sc scanner) (prompt.Result, error) {
	var (
		r              prompt.Result
		ttft, lat, gen float64
		started        sql.NullInt64
	)
	err := sc.Scan(&r.ID, &r.RunID, &r.VersionID, &r.Target, &r.Case, &r.Repeat, &r.Output, &r.Error, &r.FinishReason,
		&ttft, &lat, &gen, &r.TokensIn, &r.TokensOut, &r.Cost, &r.CacheHit, &r.Model, &r.ModelDigest, &started)
	if err != nil {
		return r, err
	}
	r.TTFT, r.Latency, r.GenTime = fromDurMS(ttft), fromDurMS(lat), fromDurMS(gen)
	if started.Valid {
		r.Started = fromMS(started.Int64)
	}
	return r, nil
}

// resultColsBrief is resultCols with an empty output.
const resultColsBrief = `id, run_id, version_id, target, case_idx, repeat, '', error, finish_reason,
	ttft_ms, latency_ms, gen_ms, tokens_in, tokens_out, cost, cache_hit, model, model_digest, started`

// Results lists a run's results ordered by version id, target, case and
// repeat. An unknown run id gives a *NotFoundError.
func (s *Store) Results(ctx context.Context, runID string) ([]prompt.Result, error) {
	return s.results(ctx, runID, resultCols)
}

// ResultsBrief is Results with every Output left empty: for what does not
// show the text (a run's summary table), at a fraction of
// the cost on runs with long outputs.
func (s *Store) ResultsBrief(ctx context.Context, runID string) ([]prompt.Result, error) {
	return s.results(ctx, runID, resultColsBrief)
}

// ResultCells is Results with only each result's cell (ID, RunID,
// VersionID, Target, Case, Repeat) and Error set: what the Runs list
// counts (eval.Total), at a fraction of the cost of whole results.
func (s *Store) ResultCells(ctx context.Context, runID string) ([]prompt.Result, error) {
	return s.results(ctx, runID, resultColsCell)
}

// resultColsCell are the columns ResultCells reads.
const resultColsCell = "id, run_id, version_id, target, case_idx, repeat, error"

func (s *Store) results(ctx context.Context, runID, cols string) ([]prompt.Result, error) {
	canon, cells, err := s.resultPlan(ctx, runID)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+cols+` FROM results WHERE run_id = ?
		ORDER BY version_id, target, case_idx, repeat`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]prompt.Result, 0, min(cells, 1<<20))
	for rows.Next() {
		var r prompt.Result
		if cols == resultColsCell {
			err = rows.Scan(&r.ID, &r.RunID, &r.VersionID, &r.Target, &r.Case, &r.Repeat, &r.Error)
		} else {
			r, err = scanResult(rows)
		}
		if err != nil {
			return nil, err
		}
		if canon != nil {
			canonResult(canon, &r)
		}
		out = append(out, r)
	}
	if canon != nil {
		// In the order the query gives with the targets as read.
		sort.SliceStable(out, func(i, j int) bool {
			a, b := out[i], out[j]
			if a.VersionID != b.VersionID {
				return a.VersionID < b.VersionID
			}
			return a.Target < b.Target
		})
	}
	if len(out) == 0 {
		out = nil // as before the capacity: none read is no list
	}
	return out, rows.Err()
}

func runExists(ctx context.Context, q querier, id string) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM runs WHERE id = ?`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return &NotFoundError{Kind: "run", Name: id}
	}
	return err
}

// AddScores records a batch of scores in one transaction. Each needs a
// Scorer, a Value in [0,1] and an existing ResultID; Created defaults to
// now. On success ss[i].ID and ss[i].Created are set.
func (s *Store) AddScores(ctx context.Context, ss []prompt.Score) error {
	c := append([]prompt.Score(nil), ss...)
	if err := s.Update(ctx, func(tx *Tx) error { return tx.AddScores(ctx, c) }); err != nil {
		return err
	}
	copy(ss, c)
	return nil
}

// AddScores is Store.AddScores inside tx. The insert is prepared once for
// the batch: preparing it compiles the trigger that grades the result
// again (scores_grade), which costs more than the insert itself.
func (tx *Tx) AddScores(ctx context.Context, ss []prompt.Score) error {
	if len(ss) == 0 {
		return nil
	}
	ins, err := tx.tx.PrepareContext(ctx, `
			INSERT INTO scores (result_id, scorer, value, pass, reason, author, created)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for i := range ss {
		sc := &ss[i]
		if sc.Scorer == "" {
			return fmt.Errorf("score of result %d: no scorer named", sc.ResultID)
		}
		if math.IsNaN(sc.Value) || sc.Value < 0 || sc.Value > 1 {
			return fmt.Errorf("score of result %d by %s: value %v is outside [0,1]", sc.ResultID, sc.Scorer, sc.Value)
		}
		if sc.Created.IsZero() {
			sc.Created = tx.now
		}
		sc.Created = fromMS(ms(sc.Created))
		var pass any
		if sc.Pass != nil {
			pass = boolInt(*sc.Pass)
		}
		err := ins.QueryRowContext(ctx, sc.ResultID, sc.Scorer, sc.Value, pass, sc.Reason, sc.Author, ms(sc.Created)).Scan(&sc.ID)
		if err != nil {
			return fmt.Errorf("score of result %d by %s: %w", sc.ResultID, sc.Scorer, err)
		}
	}
	return nil
}

// Scores lists the scores of a run's results, ordered by result id, then
// oldest first.
func (s *Store) Scores(ctx context.Context, runID string) ([]prompt.Score, error) {
	return s.scores(ctx, runID, "s.reason, s.author")
}

// ScoresBrief is Scores with every Reason and Author left empty: what the
// Runs list counts (eval.Total).
func (s *Store) ScoresBrief(ctx context.Context, runID string) ([]prompt.Score, error) {
	return s.scores(ctx, runID, "'', ''")
}

func (s *Store) scores(ctx context.Context, runID, reasonAuthor string) ([]prompt.Score, error) {
	if err := runExists(ctx, s.r, runID); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT s.id, s.result_id, s.scorer, s.value, s.pass, `+reasonAuthor+`, s.created
		FROM scores s JOIN results r ON r.id = s.result_id
		WHERE r.run_id = ? ORDER BY s.result_id, s.id`, runID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []prompt.Score
	for rows.Next() {
		var sc prompt.Score
		var pass sql.NullBool
		var created int64
		if err := rows.Scan(&sc.ID, &sc.ResultID, &sc.Scorer, &sc.Value, &pass, &sc.Reason, &sc.Author, &created); err != nil {
			return nil, err
		}
		if pass.Valid {
			p := pass.Bool
			sc.Pass = &p
		}
		sc.Created = fromMS(created)
		out = append(out, sc)
	}
	return out, rows.Err()
}

// CacheGet looks up a cached response. Only Output, FinishReason,
// TokensIn, TokensOut, TTFT, Latency, GenTime, Model and ModelDigest are meaningful;
// CacheHit is true on a hit.
func (s *Store) CacheGet(ctx context.Context, key string) (prompt.Result, bool, error) {
	var (
		r              prompt.Result
		ttft, lat, gen float64
	)
	err := s.r.QueryRowContext(ctx, `
		SELECT output, finish_reason, tokens_in, tokens_out, ttft_ms, latency_ms, gen_ms, model, model_digest
		FROM response_cache WHERE key = ?`, key).
		Scan(&r.Output, &r.FinishReason, &r.TokensIn, &r.TokensOut, &ttft, &lat, &gen, &r.Model, &r.ModelDigest)
	if errors.Is(err, sql.ErrNoRows) {
		return prompt.Result{}, false, nil
	}
	if err != nil {
		return prompt.Result{}, false, fmt.Errorf("response cache: %w", err)
	}
	r.TTFT, r.Latency, r.GenTime = fromDurMS(ttft), fromDurMS(lat), fromDurMS(gen)
	r.CacheHit = true
	return r, true, nil
}

// CachePut stores (or replaces) the cached response under key, keeping the
// fields CacheGet returns.
func (s *Store) CachePut(ctx context.Context, key string, r prompt.Result) error {
	return s.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(ctx, `
			INSERT INTO response_cache (key, output, finish_reason, tokens_in, tokens_out, ttft_ms, latency_ms, gen_ms, model, model_digest, created)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET output = excluded.output, finish_reason = excluded.finish_reason,
				tokens_in = excluded.tokens_in, tokens_out = excluded.tokens_out, ttft_ms = excluded.ttft_ms,
				latency_ms = excluded.latency_ms, gen_ms = excluded.gen_ms, model = excluded.model, model_digest = excluded.model_digest,
				created = excluded.created`,
			key, r.Output, r.FinishReason, r.TokensIn, r.TokensOut, durMS(r.TTFT), durMS(r.Latency), durMS(r.GenTime), r.Model, r.ModelDigest, ms(tx.now))
		if err != nil {
			return fmt.Errorf("response cache: %w", err)
		}
		return nil
	})
}

// ResultByID returns one result; *NotFoundError{Kind: "result"} when there
// is none.
func (s *Store) ResultByID(ctx context.Context, id int64) (prompt.Result, error) {
	r, err := scanResult(s.r.QueryRowContext(ctx, `SELECT `+resultCols+` FROM results WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, &NotFoundError{Kind: "result", Name: strconv.FormatInt(id, 10), Hint: "result ids are in 'whet export RUN --format json' and the TUI's Results screen"}
	}
	if err != nil {
		return r, err
	}
	canon, err := s.resultCanon(ctx, r.RunID)
	if canon != nil {
		canonResult(canon, &r)
	}
	return r, err
}
