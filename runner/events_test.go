package runner

import (
	"context"
	"errors"
	"strings"
	"testing"

	"whet/prompt"
)

func execDrain(ch <-chan Event) []Event {
	var out []Event
	for e := range ch {
		out = append(out, e)
	}
	return out
}

func TestBrokerCoalescesDeltasAndKeepsTheRest(t *testing.T) {
	b := NewBroker(1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := b.Subscribe(ctx)
	k1, k2 := prompt.CellKey{Target: "a"}, prompt.CellKey{Target: "b"}
	var want1, want2 strings.Builder
	b.Publish(CellStarted{Key: k1, Attempt: 1})
	b.Publish(CellStarted{Key: k2, Attempt: 1})
	for range 1000 {
		b.Publish(Delta{Key: k1, Text: "ab"})
		want1.WriteString("ab")
		b.Publish(Delta{Key: k2, Text: "c"})
		want2.WriteString("c")
	}
	b.Publish(CellDone{Result: prompt.Result{Target: "a", Output: want1.String()}})
	b.Publish(CellDone{Result: prompt.Result{Target: "b", Output: want2.String()}})
	b.Publish(RunDone{RunID: "r", Status: prompt.RunDone})
	b.Close()

	evs := execDrain(ch)
	text := map[prompt.CellKey]string{}
	deltas, dones := 0, 0
	for _, e := range evs {
		switch ev := e.(type) {
		case Delta:
			deltas++
			text[ev.Key] += ev.Text
		case CellDone:
			dones++
			if text[ev.Result.Key()] != ev.Result.Output {
				t.Errorf("%v: text before CellDone = %d bytes, want %d", ev.Result.Key(), len(text[ev.Result.Key()]), len(ev.Result.Output))
			}
		}
	}
	if dones != 2 {
		t.Errorf("%d CellDone, want 2", dones)
	}
	if _, ok := evs[len(evs)-1].(RunDone); !ok {
		t.Errorf("last event %#v, want RunDone", evs[len(evs)-1])
	}
	// The subscriber did not read while 2000 deltas were published: at most
	// a few per cell got through uncoalesced (one buffered, one in hand).
	if deltas > 8 {
		t.Errorf("%d deltas delivered, want them coalesced", deltas)
	}
}

func TestBrokerRetryVoidsQueuedText(t *testing.T) {
	b := NewBroker(0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := b.Subscribe(ctx)
	k := prompt.CellKey{Target: "a"}
	b.Publish(CellStarted{Key: k, Attempt: 1})
	b.Publish(Delta{Key: k, Text: "stale "})
	b.Publish(Delta{Key: k, Text: "text"})
	b.Publish(CellRetry{Key: k, Attempt: 2, Err: errors.New("503")})
	b.Publish(CellStarted{Key: k, Attempt: 2})
	b.Publish(Delta{Key: k, Text: "fresh"})
	b.Publish(CellDone{Result: prompt.Result{Target: "a", Output: "fresh"}})
	b.Close()
	// A consumer following the contract (drop text on CellRetry) ends with
	// the last attempt's text, whatever got through before the retry.
	text, retries := "", 0
	for e := range ch {
		switch ev := e.(type) {
		case Delta:
			text += ev.Text
		case CellRetry:
			retries++
			text = ""
		case CellDone:
			if text != ev.Result.Output {
				t.Errorf("text = %q, want %q", text, ev.Result.Output)
			}
		}
	}
	if retries != 1 {
		t.Errorf("%d CellRetry, want 1", retries)
	}
}

func TestBrokerUnsubscribeAndClose(t *testing.T) {
	b := NewBroker(4)
	ctx, cancel := context.WithCancel(context.Background())
	gone := b.Subscribe(ctx)
	stay := b.Subscribe(context.Background())
	cancel()
	if _, ok := <-gone; ok {
		// An event may not have been published; the channel must close.
		t.Fatal("cancelled subscription delivered an event")
	}
	for range 100 { // must not block on the departed subscriber
		b.Publish(CellStarted{})
	}
	b.Close()
	b.Close()
	if n := len(execDrain(stay)); n != 100 {
		t.Errorf("remaining subscriber got %d events, want 100", n)
	}
	b.Publish(RunDone{}) // after Close: ignored, no panic
	if _, ok := <-b.Subscribe(context.Background()); ok {
		t.Error("subscription after Close is open")
	}
}

func TestSinkFunc(t *testing.T) {
	var got []Event
	var s Sink = SinkFunc(func(e Event) { got = append(got, e) })
	s.Publish(RunDone{RunID: "x"})
	if len(got) != 1 || got[0].(RunDone).RunID != "x" {
		t.Errorf("got %v", got)
	}
}
