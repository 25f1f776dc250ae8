package runner

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"whet/config"
	"whet/prompt"
)

// Targets resolves a run's target specs for the executor. The target
// registry implements it.
type Targets interface {
	// Resolve parses a target spec (provider:model, an alias, …).
	Resolve(spec string) (Target, error)
	// Provider returns the provider of that name, ready to call.
	Provider(name string) (Provider, error)
	// Concurrency caps calls in flight to a provider; 0 = unbounded.
	Concurrency(provider string) int
	// Timeout bounds one call to a provider; 0 = none.
	Timeout(provider string) time.Duration
	// Price is the target's price per million tokens, if known.
	Price(t Target) (config.Price, bool)
}

// ResultSink records a run's results and its end. The store implements it.
type ResultSink interface {
	// SaveResults inserts results in one transaction; a result whose cell
	// already has one is ignored. On success it sets each result's ID.
	SaveResults(ctx context.Context, rs []prompt.Result) error
	// FinishRun sets the run's final status and time.
	FinishRun(ctx context.Context, id string, status prompt.RunStatus, at time.Time) error
	// Results lists a run's results (for resume).
	Results(ctx context.Context, runID string) ([]prompt.Result, error)
}

// ResultStore is everything the executor needs of the store.
type ResultStore interface {
	ResultSink
	ResultCache
}

// Defaults of the retry policy.
const (
	DefaultMaxAttempts = 4
	DefaultBackoffBase = 500 * time.Millisecond
	DefaultBackoffCap  = 20 * time.Second
)

// Options tune an Executor. The zero value is ready to use.
type Options struct {
	// MaxParallel caps the cells in flight across all providers (-j);
	// 0 = unbounded (each provider's own limit still applies).
	MaxParallel int
	// Resume runs only the cells of the plan that have no result yet. A cell
	// whose earlier result is an error is not run again: results are
	// immutable, one per cell; start a new run to retry failures.
	Resume bool
	// Cache reads and writes the cache for every cell, not only for those
	// whose temperature is explicitly 0. Plan.Run.ForceCache does the same.
	Cache bool
	// NoCache never reads or writes the cache. It wins over Cache.
	// Plan.Run.NoCache does the same.
	NoCache bool

	// MaxAttempts bounds the calls made for one cell; 0 = DefaultMaxAttempts.
	MaxAttempts int
	// BackoffBase and BackoffCap shape the exponential backoff between
	// attempts: the wait before attempt n+1 is drawn uniformly from
	// [0, min(cap, base·2^(n-1))) ("full jitter"), or is the server's
	// Retry-After when that is longer; a Retry-After over 2 minutes ends
	// the retries instead. 0 = the defaults.
	BackoffBase, BackoffCap time.Duration
	// Jitter draws a duration in [0, max); nil = uniformly at random.
	Jitter func(max time.Duration) time.Duration
	// Sleep waits d or until ctx is done (returning ctx.Err()); nil = a
	// real timer. Tests inject one that does not sleep.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock for Started and the run's finish time; nil = time.Now.
	Now func() time.Time

	// BatchSize and FlushEvery tune the result writer: a batch is saved when
	// it holds BatchSize results or FlushEvery after its first one arrived.
	// 0 = DefaultBatchSize, DefaultFlushEvery.
	BatchSize  int
	FlushEvery time.Duration

	// Saved, when set, is called after each batch of results is saved, with
	// the batch as stored (IDs set, see ResultSink.SaveResults). It runs on
	// the writer's goroutine, one call at a time, and the last call has
	// returned when Execute returns. The slice is the callee's to keep: a
	// caller can collect a run's results without reading them back.
	Saved func([]prompt.Result)
}

func (o Options) withDefaults() Options {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = DefaultBackoffBase
	}
	if o.BackoffCap <= 0 {
		o.BackoffCap = DefaultBackoffCap
	}
	if o.Jitter == nil {
		o.Jitter = execJitter
	}
	if o.Sleep == nil {
		o.Sleep = execSleep
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

func execJitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return rand.N(max)
}

func execSleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Executor runs plans: each cell with per-provider and global concurrency
// limits, retries, a per-call timeout, the cache, and cancellation. It
// publishes events to the caller's Sink and persists results through one
// writer goroutine. An Executor holds no state between runs: it is cheap to
// make one per run, and safe to use from several goroutines.
type Executor struct {
	targets Targets
	store   ResultStore
	opts    Options

	timer writerTimer // nil = real timers; tests inject
}

// NewExecutor returns an executor resolving targets through targets and
// persisting through store.
func NewExecutor(targets Targets, store ResultStore, opts Options) *Executor {
	return &Executor{targets: targets, store: store, opts: opts.withDefaults()}
}

// Plan is what to run: the run record (created in the store by the caller
// before Execute) and the content of each of its versions.
type Plan struct {
	Run prompt.Run
	// Versions holds the messages and params of every version in
	// Run.Versions, by version ID.
	Versions map[int64]prompt.Version
}

// CheckVariables reports the first version and case of the plan whose
// messages cannot be rendered (a variable no case value nor sample gives),
// naming both, before any call is made.
func (p Plan) CheckVariables() error {
	for _, rv := range p.Run.Versions {
		v, ok := p.Versions[rv.VersionID]
		if !ok {
			continue
		}
		for i, c := range p.Run.Cases {
			if _, err := prompt.RenderMessages(v.Messages, c.Vars); err != nil {
				where := ""
				if len(p.Run.Cases) > 1 {
					where = " in " + c.Label(i)
				}
				return fmt.Errorf("%s%s: %w", v.Ref(), where, err)
			}
		}
	}
	return nil
}

// Validate checks that the plan can be executed: a run ID, at least one
// version and one target, no duplicates, and the content of every version.
func (p Plan) Validate() error {
	if p.Run.ID == "" {
		return errors.New("plan: the run has no ID (create the run before executing it)")
	}
	if len(p.Run.Versions) == 0 {
		return fmt.Errorf("plan of run %s: no prompt version to run", p.Run.ID)
	}
	if len(p.Run.Targets) == 0 {
		return fmt.Errorf("plan of run %s: no target to run on", p.Run.ID)
	}
	seenV := map[int64]bool{}
	for _, rv := range p.Run.Versions {
		if seenV[rv.VersionID] {
			return fmt.Errorf("plan of run %s: version %s is listed twice", p.Run.ID, rv.Ref())
		}
		seenV[rv.VersionID] = true
		if _, ok := p.Versions[rv.VersionID]; !ok {
			return fmt.Errorf("plan of run %s: the content of version %s (id %d) is missing", p.Run.ID, rv.Ref(), rv.VersionID)
		}
	}
	seenT := map[string]bool{}
	for _, t := range p.Run.Targets {
		if t == "" {
			return fmt.Errorf("plan of run %s: empty target", p.Run.ID)
		}
		if seenT[t] {
			return fmt.Errorf("plan of run %s: target %q is listed twice", p.Run.ID, t)
		}
		seenT[t] = true
	}
	return nil
}

// repeats is the run's repeat count, at least 1.
func (p Plan) repeats() int { return max(p.Run.Repeat, 1) }

// cases is the number of cases, at least 1 (a run without cases renders
// each version once, with no variables).
func (p Plan) cases() int { return max(len(p.Run.Cases), 1) }

// Cells lists every cell of the plan in its canonical order: versions ×
// targets × cases × repeats, the repeat varying fastest. (Execute starts
// them in another order, interleaving targets, so that every column of a
// side-by-side view progresses together.)
func (p Plan) Cells() []prompt.CellKey {
	out := make([]prompt.CellKey, 0, p.Run.Cells())
	for _, v := range p.Run.Versions {
		for _, t := range p.Run.Targets {
			for c := range p.cases() {
				for r := range p.repeats() {
					out = append(out, prompt.CellKey{VersionID: v.VersionID, Target: t, Case: c, Repeat: r})
				}
			}
		}
	}
	return out
}

// Execute runs the plan's cells (on resume, only those without a result) and
// blocks until every cell finished or ctx is done. It publishes RunStarted,
// the cells' events and finally RunDone to sink (nil discards them). Results
// are saved in batches by a writer goroutine as cells finish; the run is then
// marked done, or interrupted if ctx was cancelled before every cell
// finished or results could not be saved. The first batch that cannot be
// saved stops the run as cancelling ctx would: no further call is made.
//
// Cancelling ctx stops every call in flight; a cell that did not finish is
// not recorded, so a resume runs it; finished cells are kept. Execute then
// returns RunInterrupted and ctx's error. A cell that fails (render error,
// unknown target, provider error after retries, timeout) is a finished cell
// with Result.Error set, not an error of Execute. Execute returns an error
// without touching the store when the plan is invalid or, on resume, the
// existing results cannot be read.
//
// Every goroutine Execute starts (a worker per cell in flight, reused from
// cell to cell, and the writer) has ended when it returns.
func (e *Executor) Execute(ctx context.Context, plan Plan, sink Sink) (prompt.RunStatus, error) {
	if err := plan.Validate(); err != nil {
		return "", err
	}
	if sink == nil {
		sink = execDiscard{}
	}
	var have map[prompt.CellKey]bool
	if e.opts.Resume {
		prev, err := e.store.Results(ctx, plan.Run.ID)
		if err != nil {
			return "", fmt.Errorf("resuming run %s: reading its results: %w", plan.Run.ID, err)
		}
		have = make(map[prompt.CellKey]bool, len(prev))
		for _, r := range prev {
			have[r.Key()] = true
		}
	}

	st := e.prepare(plan, sink)
	queues, total, skipped := e.queues(st, have)
	sink.Publish(RunStarted{RunID: plan.Run.ID, Cells: total, Skipped: skipped})

	// Saving and finishing must survive the cancellation of ctx.
	keep := context.WithoutCancel(ctx)
	w := newResultWriter(keep, e.store, e.opts.BatchSize, e.opts.FlushEvery, e.timer)
	w.saved = e.opts.Saved
	// Results that cannot be saved (a full disk, a database locked too
	// long) stop the run: every further call would be paid for and lost.
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	w.failed = stopRun
	unfinished := e.schedule(runCtx, st, queues, w, sink)
	saveErr := w.Close()

	status, runErr := prompt.RunDone, error(nil)
	switch {
	case saveErr != nil:
		status, runErr = prompt.RunInterrupted, fmt.Errorf("run %s: %w", plan.Run.ID, saveErr)
	case unfinished > 0:
		status, runErr = prompt.RunInterrupted, ctx.Err()
		if runErr == nil {
			runErr = context.Canceled
		}
	}
	if err := e.store.FinishRun(keep, plan.Run.ID, status, e.opts.Now()); err != nil && status != prompt.RunInterrupted {
		// An interrupted run that cannot be marked so (the full disk that
		// stopped it) reads interrupted anyway once its claim is released:
		// only a run that finished needs its mark.
		runErr = errors.Join(runErr, fmt.Errorf("marking run %s %s: %w", plan.Run.ID, status, err))
	}
	sink.Publish(RunDone{RunID: plan.Run.ID, Status: status, Err: runErr})
	return status, runErr
}

// execQueue is the cells waiting for one provider, in start order.
type execQueue struct {
	provider string
	limit    int // 0 = unbounded
	cells    []execCell
	next     int
	inflight int
}

// unboundedInFlight is how many cells a provider with no limit of its own
// (echo; targets that failed to resolve) has in flight at most. Its cells
// take no time a server spends, so more would only hold memory: each cell
// in flight is a goroutine and its result, and a 100,000-case run of echo
// started every cell at once (over 1 GB).
const unboundedInFlight = 256

func (q *execQueue) ready() bool {
	limit := q.limit
	if limit <= 0 {
		limit = unboundedInFlight
	}
	return q.next < len(q.cells) && q.inflight < limit
}

// execOutcome is what a cell's goroutine reports back to the scheduler.
type execOutcome struct {
	queue    *execQueue
	result   prompt.Result
	finished bool   // false: cancelled before it finished; not recorded
	cacheKey string // where to cache result; "" for none
}

// execJob is a cell handed to a worker.
type execJob struct {
	queue *execQueue
	cell  execCell
}

// schedule starts cells fairly — round robin over providers, each within its
// limit and all within MaxParallel — hands finished results to w, publishes
// CellDone, and returns how many cells did not finish. It stops starting
// cells once ctx is done and returns when none is in flight and every
// worker has ended.
//
// Cells run on workers: a worker runs its first cell, reports the outcome,
// then waits for the next cell; a cell goes to a waiting worker when there
// is one, else to a new worker. Reusing goroutines keeps their grown stacks:
// a new goroutine per cell spent a measurable share of the CPU growing its
// stack through the HTTP client's call depth.
func (e *Executor) schedule(ctx context.Context, st *execState, queues []*execQueue, w *resultWriter, sink Sink) (unfinished int) {
	outcomes := make(chan execOutcome)
	jobs := make(chan execJob)
	var workers sync.WaitGroup
	defer func() {
		close(jobs)
		workers.Wait()
	}()
	work := func(j execJob) {
		defer workers.Done()
		for ok := true; ok; j, ok = <-jobs {
			outcomes <- e.runCell(ctx, st, j.queue, j.cell)
		}
	}
	inflight, rr := 0, 0
	done := ctx.Done()
	pick := func() *execQueue {
		for i := range queues {
			q := queues[(rr+i)%len(queues)]
			if q.ready() {
				rr = (rr + i + 1) % len(queues)
				return q
			}
		}
		return nil
	}
	for {
		if ctx.Err() == nil {
			for e.opts.MaxParallel <= 0 || inflight < e.opts.MaxParallel {
				q := pick()
				if q == nil {
					break
				}
				c := q.cells[q.next]
				q.next++
				q.inflight++
				inflight++
				select {
				case jobs <- execJob{queue: q, cell: c}:
				default:
					workers.Add(1)
					go work(execJob{queue: q, cell: c})
				}
			}
		}
		if inflight == 0 {
			break
		}
		select {
		case o := <-outcomes:
			inflight--
			o.queue.inflight--
			if !o.finished {
				unfinished++
				continue
			}
			w.Add(o.result, o.cacheKey)
			sink.Publish(CellDone{Result: o.result})
		case <-done:
			done = nil // stop dispatching; wait for the cells in flight
		}
	}
	for _, q := range queues {
		unfinished += len(q.cells) - q.next
	}
	return unfinished
}
