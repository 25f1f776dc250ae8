package runner

import (
	"context"
	"runtime"
	"testing"
	"time"

	"whet/prompt"
)

// execNullStore saves nothing: the benchmark measures the executor.
type execNullStore struct{}

func (execNullStore) SaveResults(context.Context, []prompt.Result) error { return nil }
func (execNullStore) FinishRun(context.Context, string, prompt.RunStatus, time.Time) error {
	return nil
}
func (execNullStore) Results(context.Context, string) ([]prompt.Result, error) { return nil, nil }
func (execNullStore) CacheGet(context.Context, string) (prompt.Result, bool, error) {
	return prompt.Result{}, false, nil
}
func (execNullStore) CachePut(context.Context, string, prompt.Result) error { return nil }

// BenchmarkExecute runs 1000 cells (10 targets × 100 cases) per op against
// an instant provider that streams one delta, and reports allocations per
// cell.
func BenchmarkExecute(b *testing.B) {
	prov := &execFakeProvider{name: "fast", chat: func(_ context.Context, req Request, onDelta func(string)) (Response, error) {
		onDelta("ok")
		return Response{Text: "ok", FinishReason: "stop", TokensIn: 5, TokensOut: 1}, nil
	}}
	targets := execTargets(prov)
	var specs []string
	for i := range 10 {
		specs = append(specs, "fast:m"+string(rune('a'+i)))
	}
	p := execPlanOf("bench", []prompt.Version{execVersion(1, "hi {{name}}", prompt.Params{})}, specs, execCases(100), 1)
	cells := p.Run.Cells()
	e := NewExecutor(targets, execNullStore{}, Options{MaxParallel: 8})
	sink := SinkFunc(func(Event) {})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.Execute(context.Background(), p, sink); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N*cells), "allocs/cell")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*cells), "ns/cell")
}
