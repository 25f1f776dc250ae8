package ui

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"whet/prompt"
	"whet/runner"
	"whet/store"
)

// BenchmarkArenaStream drives the Arena headless with synthetic events: 8
// columns streaming 2,000 tokens/s each for 10 s of simulated time, i.e.
// 160,000 Delta messages, with a frame tick and a full View (140×40) every
// 16 ms of simulated time. It reports the slowest and the mean cycle (the
// deltas of one frame, the frame tick and the View; the budget is one
// frame, 16 ms) and the heap in use at the end, and fails if any column's
// text differs from what was sent.
//
// "root" sends every message through the root Model.Update, as the program
// does, and asserts the budget: no cycle over one frame. "screen" sends them
// to the Arena's own Update (the View is the root's in both) and only
// reports, to show what the routing costs on top. Cycles are wall-clock
// time, so a machine busy with other work (a build on another core) can
// push one over: when the last run misses the budget, "root" runs again, at
// most three runs in all, and the budget holds if one run meets it.
//
//	go test ./ui -run '^$' -bench BenchmarkArenaStream -benchtime=1x
func BenchmarkArenaStream(b *testing.B) {
	b.Run("root", func(b *testing.B) { benchArenaStream(b, true) })
	b.Run("screen", func(b *testing.B) { benchArenaStream(b, false) })
}

func benchArenaStream(b *testing.B, viaRoot bool) {
	const (
		columns  = 8
		rate     = 2000 // tokens per second per column
		seconds  = 10
		frame    = 16 * time.Millisecond
		perFrame = rate * int(frame/time.Millisecond) / 1000 // tokens per column per frame
		frames   = seconds * int(time.Second/frame)
	)
	st := openStore(b)
	ctx := context.Background()
	if _, err := st.CreatePrompt(ctx, store.NewPrompt{Name: "bench/stream"}, store.NewVersion{
		Messages: []prompt.Message{{Role: "user", Content: "Write a long story."}}, Author: "bench"}); err != nil {
		b.Fatal(err)
	}
	p, err := st.GetPrompt(ctx, "bench/stream")
	if err != nil {
		b.Fatal(err)
	}
	v, err := st.Resolve(ctx, prompt.Ref{Name: "bench/stream"})
	if err != nil {
		b.Fatal(err)
	}
	specs := make([]string, columns)
	for i := range specs {
		specs[i] = "echo:m" + itoa(i+1)
	}
	// A token is a word and a space; every 40th ends a paragraph.
	token := func(c, i int) string {
		if i%40 == 39 {
			return "end" + itoa(i) + ".\n\n"
		}
		return "w" + itoa(c) + "x" + itoa(i) + " "
	}
	var maxCycle, total, p99 time.Duration
	var heap uint64
	b.ResetTimer()
	runs := 0
	for n := 0; n < b.N || (viaRoot && maxCycle > frame && runs < 3); n++ {
		if runs > 0 && n >= b.N {
			b.Logf("run %d: slowest cycle %v (p99 %v) over one frame; running again", runs, maxCycle, p99)
		}
		runs++
		b.StopTimer()
		sim := testNow
		m := New(Deps{Store: st, Targets: arenaRegistry(b, "http://127.0.0.1:9"), Author: "bench", Theme: "dark",
			DBPath: "whet.db", Now: func() time.Time { return sim }}).(Model)
		up := func(msg tea.Msg) {
			next, _ := m.Update(msg)
			m = next.(Model)
		}
		send := up
		if !viaRoot {
			send = func(msg tea.Msg) { m.arena, _ = m.arena.Update(msg) }
		}
		up(tea.WindowSizeMsg{Width: 140, Height: 40})
		up(arenaOpenMsg{name: p.Name})
		up(showScreenMsg{to: screenArena}) // what the open command asks for
		up(arenaLoadedMsg{req: m.arena.loadReq, prompt: p, version: v})
		m.arena.picker.selected = specs
		up(keyPress("ctrl+r"))
		seq := m.arena.nextSeq
		if len(m.arena.cols) != columns || m.active != screenArena {
			b.Fatalf("%d columns on %v", len(m.arena.cols), m.active)
		}
		up(arenaRunStartedMsg{seq: seq, id: "bench"})
		keys := make([]prompt.CellKey, columns)
		sent := make([]strings.Builder, columns)
		for c := range keys {
			keys[c] = prompt.CellKey{VersionID: v.ID, Target: specs[c]}
			up(arenaEventMsg{seq: seq, ev: runner.CellStarted{Key: keys[c], Attempt: 1}})
		}
		b.StartTimer()
		maxCycle, total = 0, 0
		cycles := make([]time.Duration, 0, frames)
		tok := 0
		for f := 0; f < frames; f++ {
			start := time.Now()
			for i := 0; i < perFrame; i++ {
				for c := 0; c < columns; c++ {
					t := token(c, tok)
					sent[c].WriteString(t)
					send(arenaEventMsg{seq: seq, ev: runner.Delta{Key: keys[c], Text: t}})
				}
				tok++
			}
			sim = sim.Add(frame)
			send(arenaFrameMsg{})
			_ = m.View()
			d := time.Since(start)
			maxCycle = max(maxCycle, d)
			total += d
			cycles = append(cycles, d)
		}
		b.StopTimer()
		slices.Sort(cycles)
		p99 = cycles[len(cycles)*99/100]
		for c := range keys {
			got := m.arena.cols[c].cells[0].text.String()
			if got != sent[c].String() {
				b.Fatalf("column %d lost tokens: %d bytes shown, %d sent", c, len(got), sent[c].Len())
			}
			w := m.arena.cols[c].wrap
			if w.consumed != len(got) {
				b.Fatalf("column %d: %d of %d bytes wrapped after the last frame", c, w.consumed, len(got))
			}
		}
		if !strings.Contains(m.View().Content, "end"+itoa(tok-1)+".") {
			b.Fatal("the last token is not on screen")
		}
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		heap = ms.HeapAlloc
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(maxCycle.Microseconds())/1000, "max-cycle-ms")
	b.ReportMetric(float64(total.Microseconds())/1000/float64(frames), "mean-cycle-ms")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-cycle-ms")
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
	b.ReportMetric(float64(columns*rate*seconds), "deltas/op")
	mean := total / time.Duration(frames)
	switch {
	case viaRoot && maxCycle > 16*time.Millisecond:
		b.Errorf("slowest Update+View cycle %v is over one frame (16ms) at 140×40 (p99 %v, mean %v)", maxCycle, p99, mean)
	case maxCycle > 16*time.Millisecond:
		b.Logf("slowest cycle %v over one frame (p99 %v, mean %v)", maxCycle, p99, mean)
	}
}
