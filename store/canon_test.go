package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"whet/prompt"
)

// TestCanonicalTargets: runs saved under "ollama:llama3.2:latest" and
// "ollama:llama3.2" read as one target, except in a run that ran both.
func TestCanonicalTargets(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "whet.db")
	raw, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	v := mustCreate(t, raw, "summary", "1")
	t0 := time.UnixMilli(1_700_000_000_000)
	newRun := func(targets ...string) string {
		t.Helper()
		r := prompt.Run{Source: "cli", Versions: []prompt.RunVersion{rv(v)}, Targets: targets, Cases: []prompt.Case{{}}, Repeat: 1}
		if err := raw.CreateRun(ctx, &r); err != nil {
			t.Fatal(err)
		}
		var rs []prompt.Result
		for i, tg := range targets {
			// Ollama reports the model name it was sent.
			_, model, _ := strings.Cut(tg, ":")
			rs = append(rs, prompt.Result{RunID: r.ID, VersionID: v.ID, Target: tg, Output: "ok", Model: model, ModelDigest: "aaa", Started: t0.Add(time.Duration(i) * time.Second)})
		}
		if err := raw.SaveResults(ctx, rs); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	older := newRun("ollama:llama3.2:latest", "echo")
	newer := newRun("ollama:llama3.2")
	both := newRun("ollama:llama3.2", "ollama:llama3.2:latest")
	raw.Close()

	canon := func(s string) string {
		if m, ok := strings.CutPrefix(s, "ollama:"); ok {
			return "ollama:" + strings.TrimSuffix(m, ":latest")
		}
		return s
	}
	for _, opts := range [][]Option{{CanonicalTargets(canon)}, {ReadOnly(), CanonicalTargets(canon)}} {
		s, err := Open(ctx, path, opts...)
		if err != nil {
			t.Fatal(err)
		}
		targets := func(id string) string {
			t.Helper()
			r, err := s.GetRun(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.Results(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(r.Targets, ",") + " |"
			for _, x := range res {
				got += " " + x.Target + "=" + x.Model
				one, err := s.ResultByID(ctx, x.ID)
				if err != nil || one.Target != x.Target {
					t.Errorf("ResultByID(%d) = %q, %v; Results says %q", x.ID, one.Target, err, x.Target)
				}
			}
			return got
		}
		for id, want := range map[string]string{
			older: "ollama:llama3.2,echo | echo= ollama:llama3.2=llama3.2",
			newer: "ollama:llama3.2 | ollama:llama3.2=llama3.2",
			// Both names in one run: kept apart, as saved.
			both: "ollama:llama3.2,ollama:llama3.2:latest | ollama:llama3.2=llama3.2 ollama:llama3.2:latest=llama3.2:latest",
		} {
			if got := targets(id); got != want {
				t.Errorf("run %s reads %q, want %q", id, got, want)
			}
		}
		runs, err := s.ListRuns(ctx, RunFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			if r.Run.ID == older && strings.Join(r.Run.Targets, ",") != "ollama:llama3.2,echo" {
				t.Errorf("ListRuns: %s has targets %v", older, r.Run.Targets)
			}
		}
		// The Runs list's tallies name the targets as the plans do.
		tallies, err := s.RunTallies(ctx, []string{older, newer, both})
		if err != nil {
			t.Fatal(err)
		}
		for id, want := range map[string]string{older: "echo,ollama:llama3.2", newer: "ollama:llama3.2", both: "ollama:llama3.2,ollama:llama3.2:latest"} {
			var got []string
			for _, tl := range tallies[id] {
				got = append(got, tl.Target)
			}
			if strings.Join(got, ",") != want {
				t.Errorf("RunTallies(%s) targets = %v, want %s", id, got, want)
			}
		}
		seen, err := s.ModelsSeen(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var specs []string
		for _, m := range seen {
			specs = append(specs, m.Target)
		}
		if strings.Join(specs, ",") != "echo,ollama:llama3.2" {
			t.Fatalf("ModelsSeen targets = %v, want echo and one ollama:llama3.2", specs)
		}
		// One identity: the same digest under either name is no change.
		if m := seen[1]; m.Cells != 4 || m.Current.Model != "llama3.2" || m.Current.RunID != both || m.Current.Cells != 4 || m.Changed() {
			t.Errorf("ollama:llama3.2 seen = %+v", m)
		}
		s.Close()
	}
}
