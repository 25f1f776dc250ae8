package runner

import (
	"context"
	"fmt"
	"time"

	"whet/prompt"
)

// Defaults of the result writer. A batch is one transaction: at thousands
// of results a second, 256 rows per commit cost a quarter less CPU than 64
// (each commit rewrites the table's and indexes' touched pages into the
// WAL), and FlushEvery still bounds how long a result waits.
const (
	DefaultBatchSize  = 256
	DefaultFlushEvery = 50 * time.Millisecond
)

// writerStore is what the result writer needs of the store.
type writerStore interface {
	SaveResults(ctx context.Context, rs []prompt.Result) error
	CachePut(ctx context.Context, key string, r prompt.Result) error
}

// writerItem is a finished result and the cache key to store it under ("" to
// leave the cache alone).
type writerItem struct {
	result   prompt.Result
	cacheKey string
}

// writerTimer starts a one-shot timer: its channel fires once after d, and
// stop cancels it. Tests inject a manual one.
type writerTimer func(d time.Duration) (c <-chan time.Time, stop func() bool)

func writerRealTimer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// resultWriter is the one goroutine that persists a run's results. It saves
// them in batches, one SaveResults (one transaction) per batch, flushing when
// a batch reaches size or every interval after its first result arrived,
// whichever comes first; then it puts the batch's cacheable results in the
// cache. It owns its goroutine from newResultWriter to Close.
type resultWriter struct {
	ctx   context.Context
	store writerStore
	size  int
	every time.Duration
	timer writerTimer

	in   chan writerItem
	done chan struct{}
	err  error // first SaveResults failure; read after done

	saved  func([]prompt.Result) // nil, or called with each saved batch
	failed func()                // nil, or called once, at the first failure to save
	lost   int                   // results not saved because SaveResults failed
}

// newResultWriter starts the writer. ctx bounds the store calls; pass one
// that outlives the run's cancellation so finished cells are still saved.
func newResultWriter(ctx context.Context, store writerStore, size int, every time.Duration, timer writerTimer) *resultWriter {
	if size <= 0 {
		size = DefaultBatchSize
	}
	if every <= 0 {
		every = DefaultFlushEvery
	}
	if timer == nil {
		timer = writerRealTimer
	}
	w := &resultWriter{
		ctx: ctx, store: store, size: size, every: every, timer: timer,
		in:   make(chan writerItem, size),
		done: make(chan struct{}),
	}
	go w.loop()
	return w
}

// Add hands a finished result to the writer. It blocks only while the
// writer's queue is full. Add must not be called after Close.
func (w *resultWriter) Add(r prompt.Result, cacheKey string) {
	w.in <- writerItem{result: r, cacheKey: cacheKey}
}

// Close flushes what is pending, stops the writer and reports the first
// failure to save results, if any. Cache failures are not reported: a result
// missing from the cache is only a later miss.
func (w *resultWriter) Close() error {
	close(w.in)
	<-w.done
	if w.err != nil {
		return fmt.Errorf("%d result(s) not saved: %w", w.lost, w.err)
	}
	return nil
}

func (w *resultWriter) loop() {
	defer close(w.done)
	batch := make([]writerItem, 0, w.size)
	var (
		fire <-chan time.Time
		stop func() bool
	)
	flush := func() {
		if fire != nil {
			stop()
			fire, stop = nil, nil
		}
		w.flush(batch)
		clear(batch)
		batch = batch[:0]
	}
	for {
		select {
		case it, ok := <-w.in:
			if !ok {
				flush()
				return
			}
			batch = append(batch, it)
			if len(batch) >= w.size {
				flush()
			} else if fire == nil {
				fire, stop = w.timer(w.every)
			}
		case <-fire:
			fire, stop = nil, nil
			flush()
		}
	}
}

func (w *resultWriter) flush(batch []writerItem) {
	if len(batch) == 0 {
		return
	}
	rs := make([]prompt.Result, len(batch))
	for i, it := range batch {
		rs[i] = it.result
	}
	if err := w.store.SaveResults(w.ctx, rs); err != nil {
		if w.err == nil {
			w.err = err
			if w.failed != nil {
				w.failed()
			}
		}
		w.lost += len(rs)
		return
	}
	if w.saved != nil {
		w.saved(rs)
	}
	for _, it := range batch {
		if it.cacheKey == "" {
			continue
		}
		// A failed put only costs a later cache miss; the result is saved.
		_ = w.store.CachePut(w.ctx, it.cacheKey, it.result)
	}
}
