package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"whet/config"
	"whet/prompt"
)

// execGauge counts calls in flight and remembers the most seen at once.
type execGauge struct {
	mu       sync.Mutex
	cur, max int
}

func (g *execGauge) enter() {
	g.mu.Lock()
	g.cur++
	g.max = max(g.max, g.cur)
	g.mu.Unlock()
}

func (g *execGauge) leave() {
	g.mu.Lock()
	g.cur--
	g.mu.Unlock()
}

func (g *execGauge) peak() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.max
}

// execFakeProvider is a Provider whose Chat runs chat (by default an echo of
// the last message, streamed three bytes at a time). It counts calls and
// calls in flight, its own and (through global) all providers'.
type execFakeProvider struct {
	name   string
	chat   func(ctx context.Context, req Request, onDelta func(string)) (Response, error)
	global *execGauge

	// digest, when set, is the digest the server serves now (CurrentDigest).
	digest func() string

	gauge execGauge
	mu    sync.Mutex
	reqs  []Request
}

func (p *execFakeProvider) Name() string { return p.name }

// CurrentDigest implements DigestChecker: "" (unknown) unless digest is set.
func (p *execFakeProvider) CurrentDigest(context.Context, string) string {
	if p.digest == nil {
		return ""
	}
	return p.digest()
}

func (p *execFakeProvider) Chat(ctx context.Context, req Request, onDelta func(string)) (Response, error) {
	p.gauge.enter()
	defer p.gauge.leave()
	if p.global != nil {
		p.global.enter()
		defer p.global.leave()
	}
	p.mu.Lock()
	p.reqs = append(p.reqs, req)
	p.mu.Unlock()
	if p.chat != nil {
		return p.chat(ctx, req, onDelta)
	}
	return execEcho(req, onDelta), nil
}

func (p *execFakeProvider) calls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.reqs)
}

// execGated is a chat that sends its model to entered as it starts, then
// waits for gate to close (or its context to end) before it echoes.
func execGated(entered chan<- string, gate <-chan struct{}) func(context.Context, Request, func(string)) (Response, error) {
	return func(ctx context.Context, req Request, onDelta func(string)) (Response, error) {
		entered <- req.Model
		select {
		case <-gate:
		case <-ctx.Done():
			return Response{}, ctx.Err()
		}
		return execEcho(req, onDelta), nil
	}
}

// execEcho answers "<model>: <last message>", streamed in 3-byte pieces.
func execEcho(req Request, onDelta func(string)) Response {
	text := req.Model + ": " + req.Messages[len(req.Messages)-1].Content
	for i := 0; i < len(text); i += 3 {
		onDelta(text[i:min(i+3, len(text))])
	}
	return Response{
		Text: text, FinishReason: "stop",
		TokensIn: len(req.Messages) * 10, TokensOut: len(text),
		TTFT: time.Millisecond, Latency: 5 * time.Millisecond,
		Model: req.Model + "-2025", ModelDigest: "sha256:" + req.Model,
	}
}

// execFakeTargets resolves "provider:model" against its providers.
type execFakeTargets struct {
	providers map[string]*execFakeProvider
	limits    map[string]int
	timeouts  map[string]time.Duration
	prices    map[string]config.Price // by provider:model
	broken    map[string]error        // Provider(name) fails
}

var _ Targets = (*execFakeTargets)(nil)

func execTargets(ps ...*execFakeProvider) *execFakeTargets {
	t := &execFakeTargets{providers: map[string]*execFakeProvider{}}
	for _, p := range ps {
		t.providers[p.name] = p
	}
	return t
}

func (t *execFakeTargets) Resolve(spec string) (Target, error) {
	prov, model, _ := strings.Cut(spec, ":")
	if _, ok := t.providers[prov]; !ok {
		return Target{}, fmt.Errorf("unknown provider %q", prov)
	}
	return Target{Spec: spec, Provider: prov, Model: model, Type: prov}, nil
}

func (t *execFakeTargets) Provider(name string) (Provider, error) {
	if err := t.broken[name]; err != nil {
		return nil, err
	}
	return t.providers[name], nil
}

func (t *execFakeTargets) Concurrency(p string) int       { return t.limits[p] }
func (t *execFakeTargets) Timeout(p string) time.Duration { return t.timeouts[p] }
func (t *execFakeTargets) Price(tg Target) (config.Price, bool) {
	p, ok := t.prices[tg.Provider+":"+tg.Model]
	return p, ok
}

// execMemStore is an in-memory ResultStore with the store's semantics:
// SaveResults gives each result an ID and ignores a result whose cell
// already has one.
type execMemStore struct {
	mu        sync.Mutex
	results   map[string][]prompt.Result
	batches   []int // sizes of SaveResults calls
	finished  map[string]prompt.RunStatus
	cache     map[string]prompt.Result
	cacheGets int
	saveErr   error
	saved     chan int // when set, receives each batch size
	nextID    int64    // the last ID given to a saved result
}

var _ ResultStore = (*execMemStore)(nil)

func newExecMemStore() *execMemStore {
	return &execMemStore{
		results:  map[string][]prompt.Result{},
		finished: map[string]prompt.RunStatus{},
		cache:    map[string]prompt.Result{},
	}
}

func (s *execMemStore) SaveResults(_ context.Context, rs []prompt.Result) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.saveErr != nil {
		return s.saveErr
	}
	s.batches = append(s.batches, len(rs))
	for i := range rs {
		s.nextID++
		rs[i].ID = s.nextID
	}
	for _, r := range rs {
		dup := false
		for _, o := range s.results[r.RunID] {
			if o.Key() == r.Key() {
				dup = true
			}
		}
		if !dup {
			s.results[r.RunID] = append(s.results[r.RunID], r)
		}
	}
	if s.saved != nil {
		s.saved <- len(rs)
	}
	return nil
}

func (s *execMemStore) FinishRun(_ context.Context, id string, status prompt.RunStatus, _ time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.finished[id] = status
	return nil
}

func (s *execMemStore) Results(_ context.Context, runID string) ([]prompt.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]prompt.Result(nil), s.results[runID]...), nil
}

func (s *execMemStore) CacheGet(_ context.Context, key string) (prompt.Result, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cacheGets++
	r, ok := s.cache[key]
	return r, ok, nil
}

func (s *execMemStore) CachePut(_ context.Context, key string, r prompt.Result) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cache[key] = r
	return nil
}

func (s *execMemStore) byKey(runID string) map[prompt.CellKey]prompt.Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[prompt.CellKey]prompt.Result{}
	for _, r := range s.results[runID] {
		m[r.Key()] = r
	}
	return m
}

func (s *execMemStore) status(runID string) prompt.RunStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.finished[runID]
}

// execRecorder is a Sink that keeps every event.
type execRecorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *execRecorder) Publish(e Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *execRecorder) all() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

// forKey returns the events about one cell, in order.
func (r *execRecorder) forKey(k prompt.CellKey) []Event {
	var out []Event
	for _, e := range r.all() {
		switch ev := e.(type) {
		case CellStarted:
			if ev.Key == k {
				out = append(out, e)
			}
		case Delta:
			if ev.Key == k {
				out = append(out, e)
			}
		case CellRetry:
			if ev.Key == k {
				out = append(out, e)
			}
		case CellDone:
			if ev.Result.Key() == k {
				out = append(out, e)
			}
		}
	}
	return out
}

// execVersion is version id of prompt "greet" with one system and one user
// message.
func execVersion(id int64, user string, params prompt.Params) prompt.Version {
	return prompt.Version{
		ID: id, Prompt: "greet", Number: int(id),
		Messages: []prompt.Message{
			{Role: prompt.RoleSystem, Content: "Be brief."},
			{Role: prompt.RoleUser, Content: user},
		},
		Params: params,
	}
}

// execPlanOf builds a plan of run id over versions × targets × cases × repeat.
func execPlanOf(id string, versions []prompt.Version, targets []string, cases []prompt.Case, repeat int) Plan {
	p := Plan{
		Run:      prompt.Run{ID: id, Targets: targets, Cases: cases, Repeat: repeat},
		Versions: map[int64]prompt.Version{},
	}
	for _, v := range versions {
		p.Run.Versions = append(p.Run.Versions, prompt.RunVersion{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number})
		p.Versions[v.ID] = v
	}
	return p
}

// execCases returns n cases binding name to n0, n1, ….
func execCases(n int) []prompt.Case {
	cs := make([]prompt.Case, n)
	for i := range cs {
		cs[i] = prompt.Case{Vars: map[string]string{"name": fmt.Sprintf("n%d", i)}}
	}
	return cs
}

// execNoSleep returns an Options.Sleep that records the waits and returns at
// once, and a function reading them.
func execNoSleep() (func(context.Context, time.Duration) error, func() []time.Duration) {
	var mu sync.Mutex
	var waits []time.Duration
	sleep := func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return ctx.Err()
	}
	return sleep, func() []time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Duration(nil), waits...)
	}
}

func execTemp(t float64) prompt.Params { return prompt.Params{Temperature: &t} }

var errExecPermanent = errors.New("bad request")

// execRecv receives from ch, failing the test when nothing comes within 10s:
// a guard against hanging, not a timing assertion.
func execRecv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("waited 10s for %s", what)
		panic("unreachable")
	}
}
