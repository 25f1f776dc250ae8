package ui

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// waitCount polls the spy until the plain view holds part at least n
// times (n < 0: not at all).
func waitCount(t *testing.T, last *atomic.Pointer[string], part string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if p := last.Load(); p != nil {
			c := strings.Count(ansi.Strip(*p), part)
			if n < 0 && c == 0 || n >= 0 && c >= n {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the view never showed %q %d times; last view:\n%s", part, n, viewText(last))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestArenaGolden draws the Arena's setup form and a finished, rated run
// on two echo targets, at two sizes in two themes, and compares the final
// View().Content with testdata/TestArenaGolden/*.golden. Timings are fixed
// by the targets and run ids by a counter, so the screens are
// reproducible. go test ./ui -run TestArenaGolden -update rewrites them.
func TestArenaGolden(t *testing.T) {
	type step struct {
		keys  []string
		wait  []string
		count map[string]int // parts the view must show at least n times
		gone  []string       // parts the view must no longer show
	}
	scenarios := []struct {
		name  string
		demo  bool // the Markdown demo prompt instead of the seeded library
		steps []step
	}{
		{"arena-setup", false, []step{
			{nil, []string{"support/reply"}, nil, nil},
			{[]string{"G", "ctrl+r"}, []string{"Targets", "ollama:slow", "PROMPT AS SENT", "Customer Ana wrote:"}, nil, nil},
		}},
		{"arena-run", true, []step{
			{nil, []string{"arena/demo"}, nil, nil},
			// The target list loads asynchronously: wait for the configured
			// targets to be picked before running.
			{[]string{"ctrl+r"}, []string{"Targets", "PROMPT AS SENT", "on echo:a, echo:b"}, nil, nil},
			{[]string{"ctrl+r"}, []string{"✓ echo:a", "✓ echo:b", "run arena0000001 · done", "saved: 2 outputs"}, map[string]int{"• apple": 2}, nil},
			{[]string{"v", "4"}, []string{"★★★★☆ 4/5", "rated echo:a 4/5"}, nil, []string{"job running"}},
		}},
	}
	for _, sc := range scenarios {
		for _, theme := range []string{"dark", "light"} {
			for _, sz := range [][2]int{{80, 24}, {140, 40}} {
				name := sc.name + "_" + theme + "_" + itoa(sz[0]) + "x" + itoa(sz[1])
				t.Run(name, func(t *testing.T) {
					st := openStore(t)
					if sc.demo {
						seedArenaDemo(t, st)
					} else {
						seed(t, st)
					}
					f := newFakeOllama(t, 0, -1)
					m := New(Deps{Store: fixedTimeStore{st}, Targets: fixedTimingTargets{arenaRegistry(t, f.URL, "echo:a", "echo:b")},
						Author: "tester", ProtectedTags: []string{"production"}, Theme: theme,
						DBPath: "/home/u/.local/share/whet/whet.db", Home: "/home/u",
						Now: func() time.Time { return testNow }}).(Model)
					m.sh.previewWait = 0
					m.sh.noticeTTL = 0
					m.arena.newRunID = runIDs()
					last := &atomic.Pointer[string]{}
					tm := teatest.NewTestModel(t, spy{m, last},
						teatest.WithInitialTermSize(sz[0], sz[1]),
						teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.TrueColor)))
					for _, s := range sc.steps {
						for _, k := range s.keys {
							tm.Send(keyPress(k))
						}
						waitView(t, last, s.wait...)
						for part, n := range s.count {
							waitCount(t, last, part, n)
						}
						for _, part := range s.gone {
							waitCount(t, last, part, -1)
						}
					}
					if err := tm.Quit(); err != nil {
						t.Fatal(err)
					}
					fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(spy)
					teatest.RequireEqualOutput(t, []byte(fm.View().Content))
				})
			}
		}
	}
}
