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

// spy wraps the root model and keeps the latest view, so a test can wait
// for a state without reading the renderer's cell diffs.
type spy struct {
	Model
	last *atomic.Pointer[string]
}

func (s spy) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := s.Model.Update(msg)
	return spy{m.(Model), s.last}, cmd
}

func (s spy) View() tea.View {
	v := s.Model.View()
	c := v.Content
	s.last.Store(&c)
	return v
}

// waitView polls the spy until the plain view holds every part.
func waitView(t *testing.T, last *atomic.Pointer[string], parts ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if p := last.Load(); p != nil {
			plain := ansi.Strip(*p)
			ok := true
			for _, part := range parts {
				if !strings.Contains(plain, part) {
					ok = false
					break
				}
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the view never showed %q; last view:\n%s", parts, plain)
			}
		} else if time.Now().After(deadline) {
			t.Fatal("no view was drawn")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestGolden draws the main screens at two sizes in two themes and
// compares the final View().Content with testdata/TestGolden/*.golden.
// go test ./ui -run TestGolden -update rewrites them.
func TestGolden(t *testing.T) {
	type step struct {
		keys []string
		wait []string
	}
	scenarios := []struct {
		name  string
		seed  bool
		steps []step
	}{
		{"library", true, []step{{nil, []string{"support/reply", "Classify the intent of"}}}},
		{"welcome", false, []step{{nil, []string{"Welcome to whet"}}}},
		{"editor", true, []step{
			{nil, []string{"Classify the intent of"}},
			{[]string{"G", "e"}, []string{"from v3", "Never promise refunds."}},
		}},
		{"versions", true, []step{
			{nil, []string{"Classify the intent of"}},
			{[]string{"G", "enter"}, []string{"policy guard", "support/reply@3"}},
		}},
		{"diff", true, []step{
			{nil, []string{"Classify the intent of"}},
			{[]string{"G", "enter"}, []string{"policy guard"}},
			{[]string{"d"}, []string{"marked v3"}},
			{[]string{"j", "d"}, []string{"diff support/reply v2 → v3", "Never promise refunds.", "diff of v2 and v3"}},
		}},
		{"diff-side", true, []step{
			{nil, []string{"Classify the intent of"}},
			{[]string{"G", "enter"}, []string{"policy guard"}},
			{[]string{"G", "k", "p", "s"}, []string{"diff support/reply v1 → v2", "side by side"}},
		}},
	}
	sizes := [][2]int{{80, 24}, {140, 40}}
	for _, sc := range scenarios {
		for _, theme := range []string{"dark", "light"} {
			for _, sz := range sizes {
				name := sc.name + "_" + theme + "_" + itoa(sz[0]) + "x" + itoa(sz[1])
				t.Run(name, func(t *testing.T) {
					st := openStore(t)
					if sc.seed {
						seed(t, st)
					}
					m := New(Deps{Store: fixedTimeStore{st}, Author: "tester", ProtectedTags: []string{"production"},
						Theme: theme, DBPath: "/home/u/.local/share/whet/whet.db", Home: "/home/u",
						Now: func() time.Time { return testNow }}).(Model)
					m.sh.previewWait = 0
					m.sh.noticeTTL = 0
					last := &atomic.Pointer[string]{}
					tm := teatest.NewTestModel(t, spy{m, last},
						teatest.WithInitialTermSize(sz[0], sz[1]),
						teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.TrueColor)))
					for _, s := range sc.steps {
						for _, k := range s.keys {
							tm.Send(keyPress(k))
						}
						waitView(t, last, s.wait...)
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
