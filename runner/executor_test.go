package runner

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"whet/config"
	"whet/prompt"
)

func TestPlanCellsCountAndOrder(t *testing.T) {
	v1, v2 := execVersion(1, "hi {{name}}", prompt.Params{}), execVersion(2, "yo {{name}}", prompt.Params{})
	p := execPlanOf("r", []prompt.Version{v1, v2}, []string{"a:x", "b:y"}, execCases(2), 2)
	cells := p.Cells()
	if len(cells) != 16 || p.Run.Cells() != 16 {
		t.Fatalf("cells = %d, Run.Cells = %d; want 16", len(cells), p.Run.Cells())
	}
	want := []prompt.CellKey{
		{VersionID: 1, Target: "a:x", Case: 0, Repeat: 0},
		{VersionID: 1, Target: "a:x", Case: 0, Repeat: 1},
		{VersionID: 1, Target: "a:x", Case: 1, Repeat: 0},
		{VersionID: 1, Target: "a:x", Case: 1, Repeat: 1},
		{VersionID: 1, Target: "b:y", Case: 0, Repeat: 0},
	}
	if !slices.Equal(cells[:5], want) {
		t.Errorf("first cells = %v, want %v", cells[:5], want)
	}
	if last := (prompt.CellKey{VersionID: 2, Target: "b:y", Case: 1, Repeat: 1}); cells[15] != last {
		t.Errorf("last cell = %v, want %v", cells[15], last)
	}
	seen := map[prompt.CellKey]bool{}
	for _, c := range cells {
		if seen[c] {
			t.Fatalf("cell %v listed twice", c)
		}
		seen[c] = true
	}

	// Without cases and repeats: one cell per version × target.
	p0 := execPlanOf("r", []prompt.Version{v1}, []string{"a:x", "b:y"}, nil, 0)
	if got := p0.Cells(); len(got) != 2 || got[1] != (prompt.CellKey{VersionID: 1, Target: "b:y"}) {
		t.Errorf("cells without cases = %v", got)
	}
}

func TestExecutorStartOrderInterleavesTargets(t *testing.T) {
	a, b := &execFakeProvider{name: "a"}, &execFakeProvider{name: "b"}
	e := NewExecutor(execTargets(a, b), newExecMemStore(), Options{})
	v1, v2 := execVersion(1, "hi", prompt.Params{}), execVersion(2, "yo", prompt.Params{})
	p := execPlanOf("r", []prompt.Version{v1, v2}, []string{"a:x", "b:y", "a:z"}, execCases(2), 1)
	st := e.prepare(p, execDiscard{})
	have := map[prompt.CellKey]bool{{VersionID: 2, Target: "a:z", Case: 1}: true}
	qs, total, skipped := e.queues(st, have)
	if total != 11 || skipped != 1 {
		t.Fatalf("total, skipped = %d, %d; want 11, 1", total, skipped)
	}
	if len(qs) != 2 || qs[0].provider != "a" || qs[1].provider != "b" {
		t.Fatalf("queues = %v", qs)
	}
	var got []string
	for _, c := range qs[0].cells {
		got = append(got, fmt.Sprintf("v%d %s c%d", c.key.VersionID, c.key.Target, c.key.Case))
	}
	want := []string{"v1 a:x c0", "v1 a:z c0", "v2 a:x c0", "v2 a:z c0", "v1 a:x c1", "v1 a:z c1", "v2 a:x c1"}
	if !slices.Equal(got, want) {
		t.Errorf("start order of provider a:\n got %q\nwant %q", got, want)
	}
}

func TestPlanValidate(t *testing.T) {
	v := execVersion(1, "hi", prompt.Params{})
	good := execPlanOf("r", []prompt.Version{v}, []string{"a:x"}, nil, 1)
	if err := good.Validate(); err != nil {
		t.Fatalf("valid plan: %v", err)
	}
	for name, tc := range map[string]struct {
		mutate func(*Plan)
		want   string
	}{
		"no id":        {func(p *Plan) { p.Run.ID = "" }, "no ID"},
		"no targets":   {func(p *Plan) { p.Run.Targets = nil }, "no target"},
		"dup target":   {func(p *Plan) { p.Run.Targets = []string{"a:x", "a:x"} }, `"a:x" is listed twice`},
		"no versions":  {func(p *Plan) { p.Run.Versions = nil }, "no prompt version"},
		"missing body": {func(p *Plan) { p.Versions = nil }, "content of version greet@1"},
	} {
		t.Run(name, func(t *testing.T) {
			p := execPlanOf("r", []prompt.Version{v}, []string{"a:x"}, nil, 1)
			tc.mutate(&p)
			err := p.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tc.want)
			}
			st := newExecMemStore()
			if _, err := NewExecutor(execTargets(), st, Options{}).Execute(context.Background(), p, nil); err == nil {
				t.Fatal("Execute accepted an invalid plan")
			}
			if len(st.finished) != 0 {
				t.Error("Execute of an invalid plan touched the store")
			}
		})
	}
}

func TestExecuteRecordsResultsAndEvents(t *testing.T) {
	prov := &execFakeProvider{name: "hosted"}
	targets := execTargets(prov)
	targets.prices = map[string]config.Price{"hosted:m1": {Input: 1, Output: 2}}
	store := newExecMemStore()
	rec := &execRecorder{}
	p := execPlanOf("run1", []prompt.Version{execVersion(1, "hi {{name}}", prompt.Params{})}, []string{"hosted:m1", "hosted:m2"}, execCases(3), 1)

	status, err := NewExecutor(targets, store, Options{}).Execute(context.Background(), p, rec)
	if err != nil || status != prompt.RunDone {
		t.Fatalf("Execute = %q, %v; want done, nil", status, err)
	}
	if store.status("run1") != prompt.RunDone {
		t.Errorf("run finished as %q, want done", store.status("run1"))
	}
	got := store.byKey("run1")
	if len(got) != 6 {
		t.Fatalf("%d results saved, want 6", len(got))
	}
	r := got[prompt.CellKey{VersionID: 1, Target: "hosted:m1", Case: 2}]
	if r.Output != "m1: hi n2" || !r.OK() || r.FinishReason != "stop" {
		t.Errorf("result = %+v", r)
	}
	if r.Model != "m1-2025" || r.ModelDigest != "sha256:m1" || r.TokensIn != 20 || r.TokensOut != 9 {
		t.Errorf("identity/tokens = %q %q %d %d", r.Model, r.ModelDigest, r.TokensIn, r.TokensOut)
	}
	if want := (20*1.0 + 9*2.0) / 1e6; r.Cost != want {
		t.Errorf("cost = %v, want %v", r.Cost, want)
	}
	if r.Latency != 5*time.Millisecond || r.TTFT != time.Millisecond || r.Started.IsZero() || r.CacheHit {
		t.Errorf("timing = %v %v %v, cache %v", r.Latency, r.TTFT, r.Started, r.CacheHit)
	}
	if unpriced := got[prompt.CellKey{VersionID: 1, Target: "hosted:m2"}]; unpriced.Cost != 0 {
		t.Errorf("cost without a price = %v, want 0", unpriced.Cost)
	}

	evs := rec.all()
	if rs, ok := evs[0].(RunStarted); !ok || rs.Cells != 6 || rs.Skipped != 0 || rs.RunID != "run1" {
		t.Errorf("first event = %#v, want RunStarted of 6 cells", evs[0])
	}
	if rd, ok := evs[len(evs)-1].(RunDone); !ok || rd.Status != prompt.RunDone || rd.Err != nil {
		t.Errorf("last event = %#v, want RunDone done", evs[len(evs)-1])
	}
	// Each cell: CellStarted, then deltas that add up to the output, then CellDone.
	for k, r := range got {
		ce := rec.forKey(k)
		if s, ok := ce[0].(CellStarted); !ok || s.Attempt != 1 {
			t.Errorf("%v: first event %#v", k, ce[0])
		}
		if d, ok := ce[len(ce)-1].(CellDone); !ok || d.Result != withID(r, 0) {
			t.Errorf("%v: last event %#v, want CellDone with the saved result", k, ce[len(ce)-1])
		}
		var text strings.Builder
		for _, e := range ce[1 : len(ce)-1] {
			text.WriteString(e.(Delta).Text)
		}
		if text.String() != r.Output {
			t.Errorf("%v: deltas %q, output %q", k, text.String(), r.Output)
		}
	}
}

func TestExecuteConcurrencyLimits(t *testing.T) {
	for _, tc := range []struct {
		name        string
		maxParallel int
		limits      map[string]int
		wantPeak    int
		firstWave   []string // models started before any call returned
	}{
		{"provider limits", 0, map[string]int{"ollama": 1, "hosted": 3}, 4, []string{"a", "x", "y", "z"}},
		{"global -j 2", 2, map[string]int{"ollama": 1, "hosted": 3}, 2, []string{"a", "x"}},
		// Fairness: with room for two, one of each provider, not two of the first.
		{"round robin", 2, map[string]int{"ollama": 3, "hosted": 3}, 2, []string{"a", "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			global := &execGauge{}
			gate := make(chan struct{})
			entered := make(chan string, 100)
			chat := execGated(entered, gate)
			ollama := &execFakeProvider{name: "ollama", chat: chat, global: global}
			hosted := &execFakeProvider{name: "hosted", chat: chat, global: global}
			targets := execTargets(ollama, hosted)
			targets.limits = tc.limits
			store := newExecMemStore()
			p := execPlanOf("r", []prompt.Version{execVersion(1, "hi {{name}}", prompt.Params{})},
				[]string{"ollama:a", "ollama:b", "hosted:x", "hosted:y", "hosted:z"}, execCases(4), 1)

			done := make(chan error, 1)
			go func() {
				_, err := NewExecutor(targets, store, Options{MaxParallel: tc.maxParallel}).Execute(context.Background(), p, nil)
				done <- err
			}()
			// Nothing finishes until the gate opens, so the first wave is
			// exactly what the limits allow.
			var first []string
			for range tc.wantPeak {
				first = append(first, execRecv(t, entered, "a call to start"))
			}
			close(gate)
			if err := execRecv(t, done, "Execute to return"); err != nil {
				t.Fatal(err)
			}
			if n := len(store.byKey("r")); n != 20 {
				t.Fatalf("%d results, want 20", n)
			}
			if got, limit := ollama.gauge.peak(), tc.limits["ollama"]; got > limit {
				t.Errorf("ollama peak in flight = %d, want <= %d", got, limit)
			}
			if got := hosted.gauge.peak(); got > 3 {
				t.Errorf("hosted peak in flight = %d, want <= 3", got)
			}
			if got := global.peak(); got != tc.wantPeak {
				t.Errorf("peak in flight = %d, want %d", got, tc.wantPeak)
			}
			slices.Sort(first)
			if !slices.Equal(first, tc.firstWave) {
				t.Errorf("first wave = %v, want %v", first, tc.firstWave)
			}
		})
	}
}

// TestExecuteUnlimitedProviderHoldsBoundedCells: a provider with no limit
// of its own (echo's 0) still has at most unboundedInFlight cells in
// flight, not one goroutine per cell of the plan at once.
func TestExecuteUnlimitedProviderHoldsBoundedCells(t *testing.T) {
	gate := make(chan struct{})
	entered := make(chan string, 1000)
	free := &execFakeProvider{name: "free", chat: execGated(entered, gate)}
	targets := execTargets(free)
	targets.limits = map[string]int{"free": 0}
	store := newExecMemStore()
	cells := 3 * unboundedInFlight
	p := execPlanOf("r", []prompt.Version{execVersion(1, "hi {{name}}", prompt.Params{})},
		[]string{"free:a"}, execCases(cells), 1)
	done := make(chan error, 1)
	go func() {
		_, err := NewExecutor(targets, store, Options{}).Execute(context.Background(), p, nil)
		done <- err
	}()
	for range unboundedInFlight {
		execRecv(t, entered, "a call to start")
	}
	// Give the scheduler time to start more than it may; none must come.
	select {
	case <-entered:
		t.Fatalf("more than %d cells in flight", unboundedInFlight)
	case <-time.After(100 * time.Millisecond):
	}
	close(gate)
	if err := execRecv(t, done, "Execute to return"); err != nil {
		t.Fatal(err)
	}
	if n := len(store.byKey("r")); n != cells {
		t.Fatalf("%d results, want %d", n, cells)
	}
	if got := free.gauge.peak(); got != unboundedInFlight {
		t.Errorf("peak in flight = %d, want %d", got, unboundedInFlight)
	}
}

// execFlaky fails its first len(errs) calls with errs (streaming "partial"
// first), then echoes.
func execFlaky(errs ...error) func(context.Context, Request, func(string)) (Response, error) {
	var mu sync.Mutex
	n := 0
	return func(ctx context.Context, req Request, onDelta func(string)) (Response, error) {
		mu.Lock()
		i := n
		n++
		mu.Unlock()
		if i < len(errs) {
			onDelta("partial")
			return Response{}, errs[i]
		}
		return execEcho(req, onDelta), nil
	}
}

func TestExecuteRetriesTemporaryErrors(t *testing.T) {
	tmp := func(after time.Duration) error {
		return &APIError{Provider: "hosted", Status: 503, Temporary: true, RetryAfter: after, Msg: "overloaded"}
	}
	for _, tc := range []struct {
		name      string
		errs      []error
		wantWaits []time.Duration
	}{
		{"backoff doubles", []error{tmp(0), tmp(0)}, []time.Duration{500 * time.Millisecond, time.Second}},
		{"retry-after honoured when longer", []error{tmp(30 * time.Second), tmp(100 * time.Millisecond)}, []time.Duration{30 * time.Second, time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prov := &execFakeProvider{name: "hosted", chat: execFlaky(tc.errs...)}
			store := newExecMemStore()
			rec := &execRecorder{}
			sleep, waits := execNoSleep()
			opts := Options{Sleep: sleep, Jitter: func(d time.Duration) time.Duration { return d }}
			p := execPlanOf("r", []prompt.Version{execVersion(1, "hi", prompt.Params{})}, []string{"hosted:m"}, nil, 1)
			if _, err := NewExecutor(execTargets(prov), store, opts).Execute(context.Background(), p, rec); err != nil {
				t.Fatal(err)
			}
			key := prompt.CellKey{VersionID: 1, Target: "hosted:m"}
			r := store.byKey("r")[key]
			if !r.OK() || r.Output != "m: hi" {
				t.Fatalf("result = %+v, want success after retries", r)
			}
			if prov.calls() != 3 {
				t.Errorf("calls = %d, want 3", prov.calls())
			}
			if got := waits(); !slices.Equal(got, tc.wantWaits) {
				t.Errorf("waits = %v, want %v", got, tc.wantWaits)
			}
			// Events: each failed attempt's text is followed by CellRetry,
			// then the next attempt starts.
			var kinds []string
			for _, e := range rec.forKey(key) {
				switch ev := e.(type) {
				case CellStarted:
					kinds = append(kinds, fmt.Sprintf("start%d", ev.Attempt))
				case CellRetry:
					kinds = append(kinds, fmt.Sprintf("retry%d", ev.Attempt))
					if ev.Err == nil || ev.Wait != tc.wantWaits[ev.Attempt-2] {
						t.Errorf("CellRetry %+v", ev)
					}
				case Delta:
					if len(kinds) == 0 || kinds[len(kinds)-1] != "delta" {
						kinds = append(kinds, "delta")
					}
				case CellDone:
					kinds = append(kinds, "done")
				}
			}
			want := []string{"start1", "delta", "retry2", "start2", "delta", "retry3", "start3", "delta", "done"}
			if !slices.Equal(kinds, want) {
				t.Errorf("events = %v\nwant %v", kinds, want)
			}
		})
	}
}

func TestExecuteDoesNotRetryPermanentErrors(t *testing.T) {
	for name, err := range map[string]error{
		"http 400":  &APIError{Provider: "hosted", Status: 400, Msg: "bad request: unknown field"},
		"plain err": errExecPermanent,
	} {
		t.Run(name, func(t *testing.T) {
			prov := &execFakeProvider{name: "hosted", chat: execFlaky(err, err, err)}
			store := newExecMemStore()
			sleep, waits := execNoSleep()
			p := execPlanOf("r", []prompt.Version{execVersion(1, "hi", prompt.Params{})}, []string{"hosted:m"}, nil, 1)
			status, xerr := NewExecutor(execTargets(prov), store, Options{Sleep: sleep}).Execute(context.Background(), p, nil)
			if xerr != nil || status != prompt.RunDone {
				t.Fatalf("Execute = %q, %v: a failed cell is not a failed run", status, xerr)
			}
			r := store.byKey("r")[prompt.CellKey{VersionID: 1, Target: "hosted:m"}]
			if r.Error != err.Error() || r.FinishReason != "error" || r.Output != "" {
				t.Errorf("result = %+v, want error %q", r, err)
			}
			if prov.calls() != 1 || len(waits()) != 0 {
				t.Errorf("calls = %d, waits = %v; want 1 call, no wait", prov.calls(), waits())
			}
		})
	}
}

func TestExecuteGivesUpAfterMaxAttempts(t *testing.T) {
	tmp := &APIError{Provider: "hosted", Status: 429, Temporary: true, Msg: "rate limited"}
	prov := &execFakeProvider{name: "hosted", chat: execFlaky(tmp, tmp, tmp, tmp, tmp, tmp)}
	store := newExecMemStore()
	sleep, waits := execNoSleep()
	p := execPlanOf("r", []prompt.Version{execVersion(1, "hi", prompt.Params{})}, []string{"hosted:m"}, nil, 1)
	if _, err := NewExecutor(execTargets(prov), store, Options{Sleep: sleep}).Execute(context.Background(), p, nil); err != nil {
		t.Fatal(err)
	}
	if prov.calls() != 4 || len(waits()) != 3 {
		t.Errorf("calls = %d, waits = %d; want 4 calls, 3 waits", prov.calls(), len(waits()))
	}
	for i, w := range waits() {
		if ceil := DefaultBackoffBase << i; w < 0 || w >= ceil {
			t.Errorf("wait %d = %v, want in [0, %v)", i, w, ceil)
		}
	}
	r := store.byKey("r")[prompt.CellKey{VersionID: 1, Target: "hosted:m"}]
	if !strings.Contains(r.Error, "HTTP 429: rate limited") || !strings.Contains(r.Error, "after 4 attempts") {
		t.Errorf("error = %q", r.Error)
	}
}

func TestExecuteDoesNotWaitForALongRetryAfter(t *testing.T) {
	// A 429 whose Retry-After is an hour away (a daily quota) fails the
	// cell at once; one within the bound is waited for.
	hour := &APIError{Provider: "hosted", Status: 429, Temporary: true, RetryAfter: time.Hour, Msg: "quota exceeded"}
	minute := &APIError{Provider: "hosted", Status: 429, Temporary: true, RetryAfter: execMaxRetryAfter, Msg: "slow down"}
	prov := &execFakeProvider{name: "hosted", chat: execFlaky(minute, hour, hour)}
	store := newExecMemStore()
	sleep, waits := execNoSleep()
	p := execPlanOf("r", []prompt.Version{execVersion(1, "hi", prompt.Params{})}, []string{"hosted:m"}, nil, 1)
	if _, err := NewExecutor(execTargets(prov), store, Options{Sleep: sleep}).Execute(context.Background(), p, nil); err != nil {
		t.Fatal(err)
	}
	if prov.calls() != 2 || !slices.Equal(waits(), []time.Duration{execMaxRetryAfter}) {
		t.Errorf("calls = %d, waits = %v; want 2 calls and one wait of %v", prov.calls(), waits(), execMaxRetryAfter)
	}
	r := store.byKey("r")[prompt.CellKey{VersionID: 1, Target: "hosted:m"}]
	if !strings.Contains(r.Error, "quota exceeded") || !strings.Contains(r.Error, "asked to wait 1h0m0s") || !strings.Contains(r.Error, "after 2 attempts") {
		t.Errorf("error = %q", r.Error)
	}
}

func TestBackoff(t *testing.T) {
	e := NewExecutor(nil, nil, Options{Jitter: func(d time.Duration) time.Duration { return d }})
	for _, tc := range []struct {
		failed int
		after  time.Duration
		want   time.Duration
	}{
		{1, 0, 500 * time.Millisecond},
		{2, 0, time.Second},
		{6, 0, 16 * time.Second},
		{7, 0, 20 * time.Second},
		{100, 0, 20 * time.Second},
		{1, 45 * time.Second, 45 * time.Second},
		{3, time.Second, 2 * time.Second},
	} {
		if got := e.backoff(tc.failed, tc.after); got != tc.want {
			t.Errorf("backoff(%d, %v) = %v, want %v", tc.failed, tc.after, got, tc.want)
		}
	}
	for range 100 {
		if d := execJitter(time.Second); d < 0 || d >= time.Second {
			t.Fatalf("jitter = %v, out of [0, 1s)", d)
		}
	}
}

func TestExecuteTimeoutFailsCellWithoutRetry(t *testing.T) {
	prov := &execFakeProvider{name: "ollama", chat: func(ctx context.Context, req Request, onDelta func(string)) (Response, error) {
		<-ctx.Done()
		// Providers may classify a cut connection as temporary; a timeout
		// is still not retried.
		return Response{}, &APIError{Provider: "ollama", Temporary: true, Msg: "stream cut", Err: ctx.Err()}
	}}
	targets := execTargets(prov)
	targets.timeouts = map[string]time.Duration{"ollama": 20 * time.Millisecond}
	store := newExecMemStore()
	sleep, waits := execNoSleep()
	p := execPlanOf("r", []prompt.Version{execVersion(1, "hi", prompt.Params{})}, []string{"ollama:m"}, nil, 1)
	status, err := NewExecutor(targets, store, Options{Sleep: sleep}).Execute(context.Background(), p, nil)
	if err != nil || status != prompt.RunDone {
		t.Fatalf("Execute = %q, %v", status, err)
	}
	r := store.byKey("r")[prompt.CellKey{VersionID: 1, Target: "ollama:m"}]
	if !strings.Contains(r.Error, "within 20ms") {
		t.Errorf("error = %q, want it to name the timeout", r.Error)
	}
	if prov.calls() != 1 || len(waits()) != 0 {
		t.Errorf("calls = %d, waits = %v; want 1, none", prov.calls(), waits())
	}
}

func TestExecuteCancelKeepsFinishedCells(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	blocked := make(chan struct{}, 10)
	prov := &execFakeProvider{name: "hosted", chat: func(ctx context.Context, req Request, onDelta func(string)) (Response, error) {
		// Cases n0..n2 answer; n3..n5 hang until cancelled.
		if c := req.Messages[1].Content; c >= "hi n3" {
			onDelta("half an ans")
			blocked <- struct{}{}
			<-ctx.Done()
			return Response{}, fmt.Errorf("hosted: %w", ctx.Err())
		}
		return execEcho(req, onDelta), nil
	}}
	store := newExecMemStore()
	var doneMu sync.Mutex
	finished := 0
	allFinished := make(chan struct{})
	sink := SinkFunc(func(e Event) {
		if _, ok := e.(CellDone); ok {
			doneMu.Lock()
			finished++
			if finished == 3 {
				close(allFinished)
			}
			doneMu.Unlock()
		}
	})
	p := execPlanOf("r", []prompt.Version{execVersion(1, "hi {{name}}", prompt.Params{})}, []string{"hosted:m"}, execCases(6), 1)
	type ret struct {
		status prompt.RunStatus
		err    error
	}
	out := make(chan ret, 1)
	go func() {
		s, err := NewExecutor(execTargets(prov), store, Options{}).Execute(ctx, p, sink)
		out <- ret{s, err}
	}()
	execRecv(t, allFinished, "3 cells to finish")
	for range 3 {
		execRecv(t, blocked, "3 cells to hang")
	}
	cancel()
	got := execRecv(t, out, "Execute to return")
	if got.status != prompt.RunInterrupted || !errors.Is(got.err, context.Canceled) {
		t.Fatalf("Execute = %q, %v; want interrupted, context.Canceled", got.status, got.err)
	}
	if store.status("r") != prompt.RunInterrupted {
		t.Errorf("run marked %q, want interrupted", store.status("r"))
	}
	res := store.byKey("r")
	if len(res) != 3 {
		t.Fatalf("%d results saved, want the 3 finished cells", len(res))
	}
	for c := range 3 {
		if r := res[prompt.CellKey{VersionID: 1, Target: "hosted:m", Case: c}]; !r.OK() {
			t.Errorf("case %d: %+v", c, r)
		}
	}
}

func TestExecuteCancelBeforeStartRunsNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	prov := &execFakeProvider{name: "hosted"}
	store := newExecMemStore()
	p := execPlanOf("r", []prompt.Version{execVersion(1, "hi", prompt.Params{})}, []string{"hosted:m"}, execCases(3), 1)
	status, err := NewExecutor(execTargets(prov), store, Options{}).Execute(ctx, p, nil)
	if status != prompt.RunInterrupted || !errors.Is(err, context.Canceled) {
		t.Fatalf("Execute = %q, %v", status, err)
	}
	if prov.calls() != 0 || len(store.byKey("r")) != 0 || store.status("r") != prompt.RunInterrupted {
		t.Errorf("calls %d, results %d, status %q", prov.calls(), len(store.byKey("r")), store.status("r"))
	}
}

func TestExecuteResumeRunsOnlyMissingCells(t *testing.T) {
	prov := &execFakeProvider{name: "hosted"}
	store := newExecMemStore()
	p := execPlanOf("r", []prompt.Version{execVersion(1, "hi {{name}}", prompt.Params{})}, []string{"hosted:a", "hosted:b"}, execCases(4), 1)
	prev := []prompt.Result{
		{RunID: "r", VersionID: 1, Target: "hosted:a", Case: 0, Output: "kept"},
		{RunID: "r", VersionID: 1, Target: "hosted:b", Case: 2, Output: "kept"},
		{RunID: "r", VersionID: 1, Target: "hosted:a", Case: 3, Error: "earlier failure", FinishReason: "error"},
	}
	if err := store.SaveResults(context.Background(), prev); err != nil {
		t.Fatal(err)
	}
	rec := &execRecorder{}
	status, err := NewExecutor(execTargets(prov), store, Options{Resume: true}).Execute(context.Background(), p, rec)
	if err != nil || status != prompt.RunDone {
		t.Fatalf("Execute = %q, %v", status, err)
	}
	if prov.calls() != 5 {
		t.Errorf("calls = %d, want 5 (the missing cells)", prov.calls())
	}
	if rs := rec.all()[0].(RunStarted); rs.Cells != 5 || rs.Skipped != 3 {
		t.Errorf("RunStarted = %+v, want 5 cells, 3 skipped", rs)
	}
	res := store.byKey("r")
	if len(res) != 8 {
		t.Fatalf("%d results, want 8", len(res))
	}
	for _, r := range prev {
		if got := res[r.Key()]; got.Output != r.Output || got.Error != r.Error {
			t.Errorf("%v was re-run: %+v", r.Key(), got)
		}
	}
	for _, r := range res {
		if r.Output == "" && r.Error == "" {
			t.Errorf("%v has no output", r.Key())
		}
	}
}

func TestExecuteCache(t *testing.T) {
	prov := &execFakeProvider{name: "hosted"}
	targets := execTargets(prov)
	targets.prices = map[string]config.Price{"hosted:m": {Input: 3, Output: 15}}
	store := newExecMemStore()
	run := func(id string, params prompt.Params, opts Options) map[prompt.CellKey]prompt.Result {
		t.Helper()
		p := execPlanOf(id, []prompt.Version{execVersion(1, "hi {{name}}", params)}, []string{"hosted:m"}, execCases(2), 2)
		if _, err := NewExecutor(targets, store, opts).Execute(context.Background(), p, nil); err != nil {
			t.Fatal(err)
		}
		return store.byKey(id)
	}
	key := prompt.CellKey{VersionID: 1, Target: "hosted:m", Case: 1, Repeat: 1}

	first := run("r1", execTemp(0), Options{})
	if prov.calls() != 4 || len(store.cache) != 4 {
		t.Fatalf("first run: %d calls, %d cached; want 4, 4 (one per case × repeat)", prov.calls(), len(store.cache))
	}
	second := run("r2", execTemp(0), Options{})
	if prov.calls() != 4 {
		t.Errorf("rerun at temperature 0 called the provider: %d calls", prov.calls())
	}
	hit, orig := second[key], first[key]
	if !hit.CacheHit || hit.Output != orig.Output || hit.TokensIn != orig.TokensIn || hit.TokensOut != orig.TokensOut ||
		hit.Model != orig.Model || hit.ModelDigest != orig.ModelDigest || hit.FinishReason != "stop" {
		t.Errorf("cache hit = %+v\nfrom %+v", hit, orig)
	}
	if hit.Cost != 0 || hit.Latency != 0 || hit.RunID != "r2" || orig.Cost == 0 || orig.CacheHit {
		t.Errorf("hit cost %v latency %v run %q; original cost %v hit %v", hit.Cost, hit.Latency, hit.RunID, orig.Cost, orig.CacheHit)
	}

	third := run("r3", execTemp(0), Options{NoCache: true})
	if prov.calls() != 8 || third[key].CacheHit {
		t.Errorf("NoCache: %d calls, hit %v; want 8 calls, no hit", prov.calls(), third[key].CacheHit)
	}

	gets := store.cacheGets
	run("r4", execTemp(0.7), Options{})
	if prov.calls() != 12 || store.cacheGets != gets || len(store.cache) != 4 {
		t.Errorf("temperature 0.7: %d calls, %d cache reads, %d cached; want 12, %d, 4", prov.calls(), store.cacheGets, len(store.cache), gets)
	}
	run("r5", execTemp(0.7), Options{Cache: true})
	if prov.calls() != 16 || len(store.cache) != 8 {
		t.Errorf("forced cache: %d calls, %d cached; want 16, 8", prov.calls(), len(store.cache))
	}
	if r6 := run("r6", execTemp(0.7), Options{Cache: true}); !r6[key].CacheHit || prov.calls() != 16 {
		t.Errorf("forced cache rerun: hit %v, %d calls", r6[key].CacheHit, prov.calls())
	}
}

func TestExecuteDoesNotCacheErrors(t *testing.T) {
	prov := &execFakeProvider{name: "hosted", chat: execFlaky(errExecPermanent)}
	store := newExecMemStore()
	p := execPlanOf("r", []prompt.Version{execVersion(1, "hi", execTemp(0))}, []string{"hosted:m"}, nil, 1)
	if _, err := NewExecutor(execTargets(prov), store, Options{}).Execute(context.Background(), p, nil); err != nil {
		t.Fatal(err)
	}
	if len(store.cache) != 0 {
		t.Fatalf("a failed cell was cached: %v", store.cache)
	}
	p.Run.ID = "r2"
	if _, err := NewExecutor(execTargets(prov), store, Options{}).Execute(context.Background(), p, nil); err != nil {
		t.Fatal(err)
	}
	if r := store.byKey("r2")[prompt.CellKey{VersionID: 1, Target: "hosted:m"}]; !r.OK() || r.CacheHit || prov.calls() != 2 {
		t.Errorf("second run: %+v after %d calls", r, prov.calls())
	}
}

func TestExecuteMissingVariableFailsOnlyThatCell(t *testing.T) {
	prov := &execFakeProvider{name: "hosted"}
	store := newExecMemStore()
	cases := []prompt.Case{
		{Vars: map[string]string{"name": "Ada", "place": "London"}},
		{Name: "no place", Vars: map[string]string{"name": "Bob"}},
	}
	p := execPlanOf("r", []prompt.Version{execVersion(1, "Hi {{name}} from {{ place }}", prompt.Params{})}, []string{"hosted:m"}, cases, 1)
	status, err := NewExecutor(execTargets(prov), store, Options{}).Execute(context.Background(), p, nil)
	if err != nil || status != prompt.RunDone {
		t.Fatalf("Execute = %q, %v", status, err)
	}
	res := store.byKey("r")
	if r := res[prompt.CellKey{VersionID: 1, Target: "hosted:m", Case: 0}]; r.Output != "m: Hi Ada from London" {
		t.Errorf("case 0 = %+v", r)
	}
	bad := res[prompt.CellKey{VersionID: 1, Target: "hosted:m", Case: 1}]
	for _, want := range []string{"{{place}}", "greet@1", "no place"} {
		if !strings.Contains(bad.Error, want) {
			t.Errorf("error %q does not name %q", bad.Error, want)
		}
	}
	if bad.FinishReason != "error" || prov.calls() != 1 {
		t.Errorf("finish %q, calls %d", bad.FinishReason, prov.calls())
	}
}

func TestExecuteUnresolvableTargetsFailTheirCells(t *testing.T) {
	prov := &execFakeProvider{name: "hosted"}
	broken := &execFakeProvider{name: "keyless"}
	targets := execTargets(prov, broken)
	targets.broken = map[string]error{"keyless": errors.New("no API key: set KEYLESS_API_KEY")}
	store := newExecMemStore()
	p := execPlanOf("r", []prompt.Version{execVersion(1, "hi", prompt.Params{})}, []string{"hosted:m", "nope:x", "keyless:y"}, nil, 1)
	if _, err := NewExecutor(targets, store, Options{}).Execute(context.Background(), p, nil); err != nil {
		t.Fatal(err)
	}
	res := store.byKey("r")
	if !res[prompt.CellKey{VersionID: 1, Target: "hosted:m"}].OK() {
		t.Error("the good target failed too")
	}
	if e := res[prompt.CellKey{VersionID: 1, Target: "nope:x"}].Error; !strings.Contains(e, `target "nope:x": unknown provider`) {
		t.Errorf("unknown target error = %q", e)
	}
	if e := res[prompt.CellKey{VersionID: 1, Target: "keyless:y"}].Error; !strings.Contains(e, "KEYLESS_API_KEY") {
		t.Errorf("broken provider error = %q", e)
	}
}

func TestExecuteSaveFailureInterruptsRun(t *testing.T) {
	prov := &execFakeProvider{name: "hosted"}
	store := newExecMemStore()
	store.saveErr = errors.New("disk full")
	p := execPlanOf("r", []prompt.Version{execVersion(1, "hi", prompt.Params{})}, []string{"hosted:m"}, execCases(2), 1)
	rec := &execRecorder{}
	saved := func([]prompt.Result) { t.Error("Saved called for a batch that was not saved") }
	status, err := NewExecutor(execTargets(prov), store, Options{Saved: saved}).Execute(context.Background(), p, rec)
	if status != prompt.RunInterrupted || err == nil || !strings.Contains(err.Error(), "2 result(s) not saved: disk full") {
		t.Fatalf("Execute = %q, %v", status, err)
	}
	if store.status("r") != prompt.RunInterrupted {
		t.Errorf("run marked %q", store.status("r"))
	}
	evs := rec.all()
	if rd := evs[len(evs)-1].(RunDone); rd.Status != prompt.RunInterrupted || rd.Err == nil {
		t.Errorf("RunDone = %+v", rd)
	}
}

// TestExecuteSaveFailureStopsCalls: once a batch cannot be saved, no
// further call is made (each would be paid for and lost).
func TestExecuteSaveFailureStopsCalls(t *testing.T) {
	prov := &execFakeProvider{name: "hosted", chat: func(ctx context.Context, req Request, onDelta func(string)) (Response, error) {
		select {
		case <-time.After(2 * time.Millisecond):
		case <-ctx.Done():
			return Response{}, ctx.Err()
		}
		return execEcho(req, onDelta), nil
	}}
	store := newExecMemStore()
	store.saveErr = errors.New("disk full")
	p := execPlanOf("r", []prompt.Version{execVersion(1, "hi", prompt.Params{})}, []string{"hosted:m"}, execCases(1), 400)
	targets := execTargets(prov)
	targets.limits = map[string]int{"hosted": 1}
	status, err := NewExecutor(targets, store, Options{BatchSize: 2}).Execute(context.Background(), p, nil)
	if status != prompt.RunInterrupted || err == nil || !strings.Contains(err.Error(), "not saved: disk full") {
		t.Fatalf("Execute = %q, %v", status, err)
	}
	if n := prov.calls(); n > 20 {
		t.Errorf("%d of 400 calls made after saving failed", n)
	}
}

// withID is r with the given ID.
func withID(r prompt.Result, id int64) prompt.Result {
	r.ID = id
	return r
}

func TestExecuteHandsSavedResultsToSaved(t *testing.T) {
	prov := &execFakeProvider{name: "hosted"}
	store := newExecMemStore()
	p := execPlanOf("r", []prompt.Version{execVersion(1, "hi {{name}}", prompt.Params{})}, []string{"hosted:m1", "hosted:m2"}, execCases(5), 1)
	var got []prompt.Result
	calls := 0
	opts := Options{BatchSize: 4, Saved: func(rs []prompt.Result) { calls++; got = append(got, rs...) }}
	if status, err := NewExecutor(execTargets(prov), store, opts).Execute(context.Background(), p, nil); err != nil || status != prompt.RunDone {
		t.Fatalf("Execute = %q, %v", status, err)
	}
	if calls != len(store.batches) || calls < 3 {
		t.Errorf("Saved called %d times for %d batches (%v)", calls, len(store.batches), store.batches)
	}
	stored := store.byKey("r")
	if len(got) != 10 || len(stored) != 10 {
		t.Fatalf("Saved got %d results, the store has %d; want 10", len(got), len(stored))
	}
	for _, r := range got {
		if r.ID == 0 || stored[r.Key()] != r {
			t.Errorf("Saved got %+v, the store holds %+v", r, stored[r.Key()])
		}
	}
}

func TestExecuteSlowSubscriberGetsEveryCellDone(t *testing.T) {
	prov := &execFakeProvider{name: "hosted", chat: func(ctx context.Context, req Request, onDelta func(string)) (Response, error) {
		var b strings.Builder
		for i := range 50 {
			s := fmt.Sprintf("%s-%d ", req.Messages[1].Content, i)
			onDelta(s)
			b.WriteString(s)
		}
		return Response{Text: b.String(), FinishReason: "stop"}, nil
	}}
	store := newExecMemStore()
	broker := NewBroker(1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := broker.Subscribe(ctx)
	p := execPlanOf("r", []prompt.Version{execVersion(1, "hi {{name}}", prompt.Params{})}, []string{"hosted:m"}, execCases(10), 1)
	// Nobody reads ch while the run goes: Execute must not wait for it.
	if _, err := NewExecutor(execTargets(prov), store, Options{}).Execute(context.Background(), p, broker); err != nil {
		t.Fatal(err)
	}
	broker.Close()
	text := map[prompt.CellKey]string{}
	deltas, dones, runDones := 0, 0, 0
	var last Event
	for e := range ch {
		last = e
		switch ev := e.(type) {
		case Delta:
			deltas++
			text[ev.Key] += ev.Text
		case CellDone:
			dones++
			if text[ev.Result.Key()] != ev.Result.Output {
				t.Errorf("%v: deltas add up to %q, output %q", ev.Result.Key(), text[ev.Result.Key()], ev.Result.Output)
			}
		case RunDone:
			runDones++
		}
	}
	if dones != 10 || runDones != 1 {
		t.Errorf("got %d CellDone, %d RunDone; want 10, 1", dones, runDones)
	}
	if _, ok := last.(RunDone); !ok {
		t.Errorf("last event = %#v, want RunDone", last)
	}
	if deltas >= 500 {
		t.Errorf("%d deltas delivered: a slow subscriber should get them coalesced", deltas)
	}
}

// An Ollama model pulled again under its name serves other weights: an
// answer cached at the old digest is not served for it, and the new
// answer is cached at the new digest.
func TestExecuteCacheMissesAfterTheModelChangedDigest(t *testing.T) {
	var mu sync.Mutex
	digest := "sha256:old"
	now := func() string { mu.Lock(); defer mu.Unlock(); return digest }
	prov := &execFakeProvider{name: "ollama", digest: now}
	prov.chat = func(ctx context.Context, req Request, onDelta func(string)) (Response, error) {
		r := execEcho(req, onDelta)
		r.ModelDigest = now()
		return r, nil
	}
	targets := execTargets(prov)
	store := newExecMemStore()
	run := func(id string) prompt.Result {
		t.Helper()
		p := execPlanOf(id, []prompt.Version{execVersion(1, "hi {{name}}", execTemp(0))}, []string{"ollama:m"}, execCases(1), 1)
		if _, err := NewExecutor(targets, store, Options{}).Execute(context.Background(), p, nil); err != nil {
			t.Fatal(err)
		}
		return store.byKey(id)[prompt.CellKey{VersionID: 1, Target: "ollama:m", Case: 0, Repeat: 0}]
	}
	if r := run("r1"); r.CacheHit || r.ModelDigest != "sha256:old" {
		t.Fatalf("first run: %+v", r)
	}
	if r := run("r2"); !r.CacheHit || prov.calls() != 1 {
		t.Fatalf("same digest: hit %v after %d calls, want a hit after 1", r.CacheHit, prov.calls())
	}
	mu.Lock()
	digest = "sha256:new" // ollama pull m
	mu.Unlock()
	if r := run("r3"); r.CacheHit || r.ModelDigest != "sha256:new" || prov.calls() != 2 {
		t.Fatalf("new digest: %+v after %d calls, want a fresh answer at sha256:new", r, prov.calls())
	}
	if r := run("r4"); !r.CacheHit || r.ModelDigest != "sha256:new" || prov.calls() != 2 {
		t.Fatalf("after the new digest was cached: hit %v digest %s after %d calls", r.CacheHit, r.ModelDigest, prov.calls())
	}
}
