package runner

import (
	"context"
	"strings"
	"sync"
	"time"

	"whet/prompt"
)

// Event is something the executor reports while it runs a plan. It is one of
// RunStarted, CellStarted, Delta, CellRetry, CellDone or RunDone. Events know
// nothing of any UI.
type Event interface{ runnerEvent() }

// RunStarted opens a run's event stream.
type RunStarted struct {
	RunID string
	// Cells is how many cells this execution will run.
	Cells int
	// Skipped is how many cells of the plan already had a result (on resume)
	// and will not run.
	Skipped int
}

// CellStarted reports an attempt at a cell beginning (Attempt is 1-based).
type CellStarted struct {
	Key     prompt.CellKey
	Attempt int
}

// Delta is a piece of a cell's streamed output. Deltas of one attempt
// concatenate to its text; consumers may receive them coalesced.
type Delta struct {
	Key  prompt.CellKey
	Text string
}

// CellRetry reports that an attempt failed and the cell will be tried again
// after Wait. Attempt is the number of the attempt about to be made (2, 3, …).
// Consumers must discard any text they received for the cell so far: the
// next attempt streams its output from the start.
type CellRetry struct {
	Key     prompt.CellKey
	Attempt int
	Err     error
	Wait    time.Duration
}

// CellDone carries a finished cell's result, success or failure. It is
// published after the result was handed to the store writer.
type CellDone struct {
	Result prompt.Result
}

// RunDone closes a run's event stream: Status is done or interrupted; Err is
// why the run did not complete cleanly (cancellation, a store failure), nil
// otherwise.
type RunDone struct {
	RunID  string
	Status prompt.RunStatus
	Err    error
}

func (RunStarted) runnerEvent()  {}
func (CellStarted) runnerEvent() {}
func (Delta) runnerEvent()       {}
func (CellRetry) runnerEvent()   {}
func (CellDone) runnerEvent()    {}
func (RunDone) runnerEvent()     {}

// Sink receives the executor's events. Publish is called from several
// goroutines at once (Deltas from the goroutine running each cell, the rest
// from the executor's own) and must be safe for that. It must not block for
// long on Delta: a sink that cannot keep up may drop or coalesce Deltas, but
// must deliver every other event; it may block on those to apply
// backpressure. For one cell, events are published in order: CellStarted,
// Deltas, (CellRetry, CellStarted, Deltas)…, CellDone.
type Sink interface {
	Publish(Event)
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(Event)

// Publish calls f(e).
func (f SinkFunc) Publish(e Event) { f(e) }

// execDiscard is the Sink used when the caller gives none.
type execDiscard struct{}

func (execDiscard) Publish(Event) {}

// Broker fans events out to any number of subscribers, each through its own
// channel. Publish never blocks: each subscriber has a queue drained by a
// goroutine the broker owns. Deltas waiting in a queue are coalesced per
// cell (their texts joined), and Deltas of an attempt that is being retried
// are dropped; every other event is queued and delivered, in order. The
// queue is bounded by the run's size, not by the subscriber's speed.
//
// Broker implements Sink; it is safe for concurrent use.
type Broker struct {
	buf    int
	mu     sync.Mutex
	subs   map[*brokerSub]struct{}
	closed bool
}

var _ Sink = (*Broker)(nil)

// NewBroker returns a broker whose subscriber channels have capacity buf.
func NewBroker(buf int) *Broker {
	if buf < 0 {
		buf = 0
	}
	return &Broker{buf: buf, subs: map[*brokerSub]struct{}{}}
}

// Subscribe returns a channel of the events published from now on. The
// channel is closed when ctx is done (events not yet delivered are then
// discarded) or, after Close, once every queued event was delivered. The
// subscriber must read until the channel closes or cancel ctx.
func (b *Broker) Subscribe(ctx context.Context) <-chan Event {
	s := &brokerSub{
		ch:      make(chan Event, b.buf),
		wake:    make(chan struct{}, 1),
		pending: map[prompt.CellKey]int{},
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		close(s.ch)
		return s.ch
	}
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	go s.pump(ctx, b)
	return s.ch
}

// Publish queues e for every current subscriber. It never blocks on a
// subscriber. Publishing after Close does nothing.
func (b *Broker) Publish(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	for s := range b.subs {
		s.push(e)
	}
}

// Close ends the stream: each subscriber's channel is closed once the events
// already queued for it are delivered. Close is idempotent.
func (b *Broker) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	for s := range b.subs {
		s.mu.Lock()
		s.closing = true
		s.mu.Unlock()
		s.signal()
	}
}

func (b *Broker) remove(s *brokerSub) {
	b.mu.Lock()
	delete(b.subs, s)
	b.mu.Unlock()
}

// brokerSub is one subscriber's queue. Indexes into queue are absolute
// (popped counts the items already taken from its head) so that pending can
// point at the Delta that later text for the same cell joins.
type brokerSub struct {
	ch   chan Event
	wake chan struct{}

	mu      sync.Mutex
	queue   []brokerItem
	popped  int
	pending map[prompt.CellKey]int // cell -> absolute index of its queued Delta
	closing bool
}

// brokerItem is a queued event; a Delta's text lives in text so that
// coalescing does not copy it over and over. ev is nil for a dropped item.
type brokerItem struct {
	ev   Event
	text *strings.Builder
}

func (s *brokerSub) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *brokerSub) push(e Event) {
	s.mu.Lock()
	switch ev := e.(type) {
	case Delta:
		if i, ok := s.pending[ev.Key]; ok && i >= s.popped {
			s.queue[i-s.popped].text.WriteString(ev.Text)
			s.mu.Unlock()
			return
		}
		b := &strings.Builder{}
		b.WriteString(ev.Text)
		s.pending[ev.Key] = s.popped + len(s.queue)
		s.queue = append(s.queue, brokerItem{ev: Delta{Key: ev.Key}, text: b})
	case CellRetry:
		// The text of the failed attempt is void; drop what is still queued.
		if i, ok := s.pending[ev.Key]; ok && i >= s.popped {
			s.queue[i-s.popped] = brokerItem{}
		}
		delete(s.pending, ev.Key)
		s.queue = append(s.queue, brokerItem{ev: e})
	default:
		if k, ok := brokerEventKey(e); ok {
			delete(s.pending, k)
		}
		s.queue = append(s.queue, brokerItem{ev: e})
	}
	s.mu.Unlock()
	s.signal()
}

// brokerEventKey is the cell an event is about, if any.
func brokerEventKey(e Event) (prompt.CellKey, bool) {
	switch ev := e.(type) {
	case CellStarted:
		return ev.Key, true
	case CellDone:
		return ev.Result.Key(), true
	}
	return prompt.CellKey{}, false
}

// pump delivers the queue to ch until ctx is done or the broker closed and
// the queue is empty; it then closes ch.
func (s *brokerSub) pump(ctx context.Context, b *Broker) {
	defer close(s.ch)
	defer b.remove(s)
	for {
		s.mu.Lock()
		for len(s.queue) == 0 {
			if s.closing {
				s.mu.Unlock()
				return
			}
			s.mu.Unlock()
			select {
			case <-s.wake:
			case <-ctx.Done():
				return
			}
			s.mu.Lock()
		}
		it := s.queue[0]
		s.queue[0] = brokerItem{}
		s.queue = s.queue[1:]
		idx := s.popped
		s.popped++
		ev := it.ev
		if d, ok := ev.(Delta); ok {
			if s.pending[d.Key] == idx {
				delete(s.pending, d.Key)
			}
			d.Text = it.text.String()
			ev = d
		}
		s.mu.Unlock()
		if ev == nil {
			continue
		}
		select {
		case s.ch <- ev:
		case <-ctx.Done():
			return
		}
	}
}
