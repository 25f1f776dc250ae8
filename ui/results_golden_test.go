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

// TestGoldenRuns draws Runs, Results (matrix and a cell), Compare and the
// export dialog over the fixture runs at two sizes in two themes, and
// compares the final View().Content with testdata/TestGoldenRuns/*.golden.
// go test ./ui -run TestGoldenRuns -update rewrites them.
func TestGoldenRuns(t *testing.T) {
	// A wait part starting with "+" must show once more after the keys
	// than before them (a label that also appears in the key hints).
	type step struct {
		keys []string
		wait []string
	}
	start := step{nil, []string{"support/reply", "Classify the intent of"}}
	results := step{[]string{"G", "s"}, []string{"Results", "run " + fixtureRun, "% pass rate"}}
	scenarios := []struct {
		name  string
		steps []step
	}{
		{"runs", []step{start, {[]string{"G", "h"}, []string{"Runs · support/reply · 2 runs", fixtureOldRun}}}},
		{"results", []step{start, results}},
		{"results-cases", []step{start, results, {[]string{"r", "l"}, []string{"rows: cases", "thanks"}}}},
		{"results-cell", []step{start, results, {[]string{"j", "l", "enter"}, []string{"support/reply@2 × ollama:llama3.2", fixtureError}}}},
		{"compare", []step{start, results, {[]string{"C"}, []string{"3 pairs · 2 changed", "A/B"}}}},
		// Compare loads asynchronously: c must reach it after the pairs did.
		{"compare-changed", []step{start, results, {[]string{"C"}, []string{"3 pairs · 2 changed", "A/B"}}, {[]string{"c"}, []string{"+changed only"}}}},
		{"export", []step{start, results, {[]string{"x"}, []string{"Export run " + fixtureRun, "lines of preview"}}}},
		{"export-compare-json", []step{start, results, {[]string{"C"}, []string{"3 pairs"}}, {[]string{"x"}, []string{"-compare.md", "lines of preview"}}, {[]string{"tab"}, []string{"-compare.json", "lines of preview", `"schema"`}}}},
	}
	sizes := [][2]int{{80, 24}, {140, 40}}
	for _, sc := range scenarios {
		for _, theme := range []string{"dark", "light"} {
			for _, sz := range sizes {
				name := sc.name + "_" + theme + "_" + itoa(sz[0]) + "x" + itoa(sz[1])
				t.Run(name, func(t *testing.T) {
					st := openStore(t)
					seedRuns(t, st)
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
						var plain, more []string
						before := map[string]int{}
						for _, w := range s.wait {
							if part, ok := strings.CutPrefix(w, "+"); ok {
								more = append(more, part)
								if p := last.Load(); p != nil {
									before[part] = strings.Count(ansi.Strip(*p), part)
								}
								continue
							}
							plain = append(plain, w)
						}
						for _, k := range s.keys {
							tm.Send(keyPress(k))
						}
						waitView(t, last, plain...)
						for _, part := range more {
							waitCount(t, last, part, before[part]+1)
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
