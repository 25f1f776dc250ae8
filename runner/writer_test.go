package runner

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"whet/prompt"
)

// execManualTimer is a writerTimer the test fires by hand: each armed timer's
// channel is sent on armed.
type execManualTimer struct{ armed chan chan time.Time }

func newExecManualTimer() *execManualTimer {
	return &execManualTimer{armed: make(chan chan time.Time, 16)}
}

func (m *execManualTimer) start(time.Duration) (<-chan time.Time, func() bool) {
	c := make(chan time.Time, 1)
	m.armed <- c
	return c, func() bool { return true }
}

func execResult(i int) prompt.Result {
	return prompt.Result{RunID: "r", VersionID: 1, Target: "t", Case: i}
}

func TestWriterFlushesFullBatches(t *testing.T) {
	store := newExecMemStore()
	timer := newExecManualTimer() // never fired
	w := newResultWriter(context.Background(), store, 4, time.Hour, timer.start)
	for i := range 10 {
		w.Add(execResult(i), "")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if want := []int{4, 4, 2}; !slices.Equal(store.batches, want) {
		t.Errorf("SaveResults batches = %v, want %v", store.batches, want)
	}
	if n := len(store.byKey("r")); n != 10 {
		t.Errorf("%d saved, want 10", n)
	}
}

func TestWriterHandsEachSavedBatchOver(t *testing.T) {
	store := newExecMemStore()
	w := newResultWriter(context.Background(), store, 4, time.Hour, newExecManualTimer().start)
	var sizes []int
	var ids []int64
	w.saved = func(rs []prompt.Result) {
		sizes = append(sizes, len(rs))
		for _, r := range rs {
			ids = append(ids, r.ID)
		}
	}
	for i := range 10 {
		w.Add(execResult(i), "")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if want := []int{4, 4, 2}; !slices.Equal(sizes, want) {
		t.Errorf("saved batches = %v, want %v", sizes, want)
	}
	if want := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; !slices.Equal(ids, want) {
		t.Errorf("saved ids = %v, want the store's %v", ids, want)
	}
}

func TestWriterFlushesOnTimer(t *testing.T) {
	store := newExecMemStore()
	store.saved = make(chan int, 4)
	timer := newExecManualTimer()
	w := newResultWriter(context.Background(), store, 64, DefaultFlushEvery, timer.start)
	for i := range 3 {
		w.Add(execResult(i), "")
	}
	fire := execRecv(t, timer.armed, "the timer to be armed") // by the batch's first result
	fire <- time.Now()
	if n := execRecv(t, store.saved, "the timer's flush"); n != 3 {
		t.Errorf("timer flush saved %d, want 3", n)
	}
	w.Add(execResult(3), "")
	execRecv(t, timer.armed, "a new batch to arm a new timer")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if want := []int{3, 1}; !slices.Equal(store.batches, want) {
		t.Errorf("batches = %v, want %v", store.batches, want)
	}
	if len(timer.armed) != 0 {
		t.Errorf("%d extra timers armed", len(timer.armed))
	}
}

func TestWriterCachesAfterSaving(t *testing.T) {
	store := newExecMemStore()
	w := newResultWriter(context.Background(), store, 0, 0, nil)
	w.Add(execResult(0), "k0")
	w.Add(execResult(1), "")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if len(store.cache) != 1 || store.cache["k0"].Case != 0 {
		t.Errorf("cache = %v, want only k0", store.cache)
	}
}

func TestWriterReportsSaveFailure(t *testing.T) {
	store := newExecMemStore()
	store.saveErr = errors.New("database is locked")
	w := newResultWriter(context.Background(), store, 2, 0, nil)
	for i := range 3 {
		w.Add(execResult(i), "k")
	}
	err := w.Close()
	if err == nil || !strings.Contains(err.Error(), "3 result(s) not saved: database is locked") {
		t.Errorf("Close = %v", err)
	}
	if len(store.cache) != 0 {
		t.Error("unsaved results were cached")
	}
}
