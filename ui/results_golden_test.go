package ui

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"whet/config"
	"whet/runner"
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
		{"models", []step{start, {[]string{"9"}, []string{"Models · targets", "ollama:llama3.2"}}, {[]string{"j"}, []string{"last run " + fixtureRun}}}},
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
					d := Deps{Store: fixedTimeStore{st}, Author: "tester", ProtectedTags: []string{"production"},
						Theme: theme, DBPath: "/home/u/.local/share/whet/whet.db", Home: "/home/u",
						Now: func() time.Time { return testNow }}
					if sc.name == "models" {
						d.Targets = goldenTargets(t)
					}
					m := New(d).(Model)
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

// staticTargets is a registry whose listing is fixed: no server is asked.
type staticTargets struct {
	*runner.Registry
	infos []runner.TargetInfo
}

func (s staticTargets) ListTargets(context.Context) []runner.TargetInfo { return s.infos }

// goldenTargets lists the fixture runs' targets as a local Ollama and the
// config would, with the environment's keys unset.
func goldenTargets(t *testing.T) staticTargets {
	t.Helper()
	for _, k := range []string{"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GOOGLE_API_KEY", "GEMINI_API_KEY", "OLLAMA_HOST"} {
		t.Setenv(k, "")
	}
	cfg, err := config.Parse("golden.yaml", []byte("providers:\n  ollama:\n    base_url: http://127.0.0.1:11434\ntargets: [openai:gpt-4o-mini]\n"), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	reg := runner.NewRegistry(cfg)
	llama, _ := reg.Resolve("ollama:llama3.2")
	mini, _ := reg.Resolve("openai:gpt-4o-mini")
	return staticTargets{Registry: reg, infos: []runner.TargetInfo{
		{Target: mini, Source: "config"},
		{Target: llama, Source: "listed", Info: runner.ModelInfo{Name: "llama3.2", Size: 2019393189, Family: "llama", ParameterSize: "3.2B", Quantization: "Q4_K_M",
			Digest: "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72"}},
		{Target: runner.Target{Provider: "anthropic", Type: "anthropic"}, Source: "listed", Issue: "anthropic: ANTHROPIC_API_KEY not set"},
	}}
}
