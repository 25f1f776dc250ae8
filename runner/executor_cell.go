package runner

import (
	"context"
	"fmt"
	"sync"
	"time"

	"whet/config"
	"whet/prompt"
)

// execState is one execution's view of its plan: targets resolved, every
// (version, case) rendered once, by the first cell that needs it. Cell
// goroutines share it.
type execState struct {
	run      prompt.Run
	sink     Sink
	targets  []execTarget     // by index in run.Targets
	versions []prompt.Version // by index in run.Versions
	renders  [][]execRender   // [version][case]
	force    bool             // cache every cell
	noCache  bool             // cache no cell
}

// execTarget is a run target resolved; err (an unknown target, a provider
// that cannot be built) fails each of its cells.
type execTarget struct {
	target   Target
	provider Provider
	err      error
	timeout  time.Duration
	price    config.Price
	priced   bool
}

// execRender is a version rendered for a case, once; err fails the cells
// using it.
type execRender struct {
	once sync.Once
	msgs []prompt.Message
	err  error
}

// render returns version vi rendered for case c. Rendering waits for the
// cells that need it instead of delaying the first call: at thousands of
// cases, rendering them all up front was a noticeable part of the time
// before the first call.
func (st *execState) render(vi, c int) *execRender {
	rd := &st.renders[vi][c]
	rd.once.Do(func() {
		var vars map[string]string
		if c < len(st.run.Cases) {
			vars = st.run.Cases[c].Vars
		}
		rd.msgs, rd.err = prompt.RenderMessages(st.versions[vi].Messages, vars)
		if rd.err != nil {
			rv := st.run.Versions[vi]
			where := rv.Ref()
			if c < len(st.run.Cases) {
				where = fmt.Sprintf("%s for %s", rv.Ref(), st.run.Cases[c].Label(c))
			}
			rd.err = fmt.Errorf("rendering %s: %w", where, rd.err)
		}
	})
	return rd
}

// execCell is one cell to run, with indexes into execState.
type execCell struct {
	key    prompt.CellKey
	target int
	ver    int
}

// prepare resolves the plan's targets and makes room for each version's
// rendering for each case (see render).
func (e *Executor) prepare(plan Plan, sink Sink) *execState {
	run := plan.Run
	st := &execState{
		run:     run,
		sink:    sink,
		force:   e.opts.Cache || run.ForceCache,
		noCache: e.opts.NoCache || run.NoCache,
	}
	for _, spec := range run.Targets {
		st.targets = append(st.targets, e.resolve(spec))
	}
	for _, rv := range run.Versions {
		st.versions = append(st.versions, plan.Versions[rv.VersionID])
		st.renders = append(st.renders, make([]execRender, plan.cases()))
	}
	return st
}

func (e *Executor) resolve(spec string) execTarget {
	t, err := e.targets.Resolve(spec)
	if err != nil {
		return execTarget{target: Target{Spec: spec}, err: fmt.Errorf("target %q: %w", spec, err)}
	}
	p, err := e.targets.Provider(t.Provider)
	if err != nil {
		return execTarget{target: t, err: fmt.Errorf("target %q: %w", spec, err)}
	}
	et := execTarget{target: t, provider: p, timeout: e.targets.Timeout(t.Provider)}
	et.price, et.priced = e.targets.Price(t)
	return et
}

// queues lays out the cells to run, skipping those in have: one queue per
// provider, in order of first use, each in start order — case by case,
// repeat by repeat, then across versions and targets, so that every column
// of a side-by-side view fills at the same pace. Cells of targets that
// failed to resolve share one unbounded queue (they fail at once).
func (e *Executor) queues(st *execState, have map[prompt.CellKey]bool) (qs []*execQueue, total, skipped int) {
	byName := map[string]*execQueue{}
	queueOf := func(t execTarget) *execQueue {
		name := t.target.Provider
		if t.err != nil {
			name = "" // no provider to limit
		}
		q, ok := byName[name]
		if !ok {
			q = &execQueue{provider: name}
			if name != "" {
				q.limit = e.targets.Concurrency(name)
			}
			byName[name] = q
			qs = append(qs, q)
		}
		return q
	}
	cases, repeats := len(st.renders[0]), max(st.run.Repeat, 1)
	for c := range cases {
		for r := range repeats {
			for vi, v := range st.run.Versions {
				for ti, spec := range st.run.Targets {
					key := prompt.CellKey{VersionID: v.VersionID, Target: spec, Case: c, Repeat: r}
					if have[key] {
						skipped++
						continue
					}
					q := queueOf(st.targets[ti])
					q.cells = append(q.cells, execCell{key: key, target: ti, ver: vi})
					total++
				}
			}
		}
	}
	return qs, total, skipped
}

// runCell runs one cell to its outcome: a failed render or target, a cache
// hit, or provider calls with retries. It runs on its own goroutine.
func (e *Executor) runCell(ctx context.Context, st *execState, q *execQueue, c execCell) execOutcome {
	started := e.opts.Now()
	key := c.key
	st.sink.Publish(CellStarted{Key: key, Attempt: 1})
	res := prompt.Result{
		RunID:     st.run.ID,
		VersionID: key.VersionID,
		Target:    key.Target,
		Case:      key.Case,
		Repeat:    key.Repeat,
		Started:   started,
	}
	out := execOutcome{queue: q, finished: true}
	fail := func(err error) execOutcome {
		res.Error = err.Error()
		res.FinishReason = "error"
		res.Latency = e.opts.Now().Sub(started)
		out.result = res
		return out
	}

	tg := &st.targets[c.target]
	if tg.err != nil {
		return fail(tg.err)
	}
	rd := st.render(c.ver, key.Case)
	if rd.err != nil {
		return fail(rd.err)
	}
	params := st.versions[c.ver].Params

	var cacheKey string
	if execUseCache(params, st.force, st.noCache) {
		cacheKey = CacheKey(tg.target.Provider+":"+tg.target.Model, rd.msgs, params, key.Repeat)
		// A failing cache read is a miss: the call still answers.
		if cached, ok, err := e.store.CacheGet(ctx, cacheKey); err == nil && ok && !execCacheStale(ctx, tg.provider, tg.target.Model, cached) {
			out.result = execCacheHit(cached, st.run.ID, key, started)
			return out
		}
	}

	req := Request{Model: tg.target.Model, Messages: rd.msgs, Params: params}
	resp, err, finished := e.call(ctx, st.sink, tg, key, req)
	if !finished {
		return execOutcome{queue: q}
	}
	if err != nil {
		return fail(err)
	}
	res.Output = resp.Text
	res.FinishReason = resp.FinishReason
	res.TTFT = resp.TTFT
	res.Latency = resp.Latency
	res.GenTime = resp.GenTime
	res.TokensIn = resp.TokensIn
	res.TokensOut = resp.TokensOut
	res.Model = resp.Model
	if res.Model == "" {
		res.Model = tg.target.Model
	}
	res.ModelDigest = resp.ModelDigest
	if tg.priced {
		res.Cost = Cost(tg.price, resp.TokensIn, resp.TokensOut)
	}
	out.result = res
	out.cacheKey = cacheKey
	return out
}
