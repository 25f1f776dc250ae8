package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"whet/prompt"
)

// fillLibrary writes prompts × versions straight into the tables in one
// transaction: each prompt has two labels and the tags production (on
// version 1, moved once) and staging (set, then removed).
func fillLibrary(b *testing.B, s *Store, prompts, versions int) {
	b.Helper()
	ctx := context.Background()
	err := s.Update(ctx, func(tx *Tx) error {
		insP, err := tx.tx.PrepareContext(ctx, `INSERT INTO prompts (name, description, created, updated) VALUES (?, ?, 0, 0) RETURNING id`)
		if err != nil {
			return err
		}
		insL, err := tx.tx.PrepareContext(ctx, `INSERT INTO labels (prompt_id, key, value) VALUES (?, ?, ?)`)
		if err != nil {
			return err
		}
		insV, err := tx.tx.PrepareContext(ctx, `INSERT INTO versions (prompt_id, number, hash, parent, messages, params, created)
			VALUES (?, ?, ?, ?, ?, '{}', 0) RETURNING id`)
		if err != nil {
			return err
		}
		insT, err := tx.tx.PrepareContext(ctx, `INSERT INTO tag_events (prompt_id, tag, version_id, created) VALUES (?, ?, ?, 0)`)
		if err != nil {
			return err
		}
		for i := range prompts {
			var pid int64
			if err := insP.QueryRowContext(ctx, fmt.Sprintf("prompt-%05d", i), "a prompt").Scan(&pid); err != nil {
				return err
			}
			if _, err := insL.ExecContext(ctx, pid, "team", fmt.Sprint("team-", i%10)); err != nil {
				return err
			}
			if _, err := insL.ExecContext(ctx, pid, "tone", "plain"); err != nil {
				return err
			}
			var first, last int64
			for n := 1; n <= versions; n++ {
				content := prompt.Content{Messages: []prompt.Message{{Role: "user", Content: fmt.Sprintf("prompt %d version %d {{text}}", i, n)}}}
				var parent any
				if n > 1 {
					parent = n - 1
				}
				if err := insV.QueryRowContext(ctx, pid, n, content.Hash(), parent,
					fmt.Sprintf(`[{"role":"user","content":"prompt %d version %d {{text}}"}]`, i, n)).Scan(&last); err != nil {
					return err
				}
				if n == 1 {
					first = last
				}
			}
			for _, t := range []struct {
				tag string
				vid any
			}{{"production", first}, {"staging", last}, {"production", last}, {"staging", nil}} {
				if _, err := insT.ExecContext(ctx, pid, t.tag, t.vid); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkListPrompts10k lists a library of 10,000 prompts with 10
// versions each.
func BenchmarkListPrompts10k(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	fillLibrary(b, s, 10_000, 10)
	ps, err := s.ListPrompts(ctx, ListOptions{})
	if err != nil {
		b.Fatal(err)
	}
	if len(ps) != 10_000 || ps[42].Latest != 10 || ps[42].Tags["production"] != 10 || len(ps[42].Tags) != 1 ||
		ps[42].Labels["team"] != "team-2" {
		b.Fatalf("fixture listed wrong: %d prompts, [42] = %+v", len(ps), ps[42])
	}
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.ListPrompts(ctx, ListOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("label", func(b *testing.B) {
		for b.Loop() {
			ps, err := s.ListPrompts(ctx, ListOptions{Labels: map[string]string{"team": "team-3"}})
			if err != nil || len(ps) != 1000 {
				b.Fatal(len(ps), err)
			}
		}
	})
}

// BenchmarkSaveResults saves 6,000 results (bench/'s run: 3 versions × 4
// targets × 500 cases) in batches of 256, as the executor's writer does,
// into a fresh run each op; ns/op divided by 6,000 is the cost of one row.
func BenchmarkSaveResults(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	var versions []prompt.Version
	v, err := s.CreatePrompt(ctx, NewPrompt{Name: "bench"}, NewVersion{Messages: msgs("", "v1 {{text}}")})
	if err != nil {
		b.Fatal(err)
	}
	versions = append(versions, v)
	for i := 2; i <= 3; i++ {
		v, _, err := s.SaveVersion(ctx, "bench", NewVersion{Messages: msgs("", fmt.Sprintf("v%d {{text}}", i))})
		if err != nil {
			b.Fatal(err)
		}
		versions = append(versions, v)
	}
	b.ReportAllocs()
	for b.Loop() {
		run := prompt.Run{Source: "bench", Targets: []string{"b1:m", "b2:m", "b3:m", "b4:m"}}
		for _, v := range versions {
			run.Versions = append(run.Versions, rv(v))
		}
		if err := s.CreateRun(ctx, &run); err != nil {
			b.Fatal(err)
		}
		batch := make([]prompt.Result, 0, 256)
		flush := func() {
			if err := s.SaveResults(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
		for _, v := range versions {
			for _, t := range run.Targets {
				for c := range 500 {
					batch = append(batch, prompt.Result{RunID: run.ID, VersionID: v.ID, Target: t, Case: c,
						Output: "Hello from bench", FinishReason: "stop", TTFT: 800 * time.Microsecond, Latency: 1200 * time.Microsecond,
						TokensIn: 5, TokensOut: 3, Model: "model-1", Started: time.Now()})
					if len(batch) == cap(batch) {
						flush()
					}
				}
			}
		}
		flush()
	}
}

// BenchmarkAddScores grades a run of 3,000 results as a suite run does:
// a check and the suite's grade for each, 6,000 scores per op in batches
// of 256.
func BenchmarkAddScores(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	v, err := s.CreatePrompt(ctx, NewPrompt{Name: "bench"}, NewVersion{Messages: msgs("", "v1 {{text}}")})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		run := prompt.Run{Source: "bench", Versions: []prompt.RunVersion{rv(v)}, Targets: []string{"b1:m", "b2:m", "b3:m"}}
		if err := s.CreateRun(ctx, &run); err != nil {
			b.Fatal(err)
		}
		var rs []prompt.Result
		for _, t := range run.Targets {
			for c := range 1000 {
				rs = append(rs, prompt.Result{RunID: run.ID, VersionID: v.ID, Target: t, Case: c, Output: "Hello from bench"})
			}
		}
		if err := s.SaveResults(ctx, rs); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		batch := make([]prompt.Score, 0, 256)
		for i, r := range rs {
			pass := i%3 != 0
			batch = append(batch,
				prompt.Score{ResultID: r.ID, Scorer: "check:contains", Value: 1, Pass: &pass, Reason: "found it"},
				prompt.Score{ResultID: r.ID, Scorer: "suite", Value: 0.75, Pass: &pass, Reason: "1 of 1 checks passed"})
			if len(batch) >= 255 || i == len(rs)-1 {
				if err := s.AddScores(ctx, batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
	}
}

// fillModelRuns saves runs × 4 targets × cells results as whet run saves
// them, in batches of 256: a local model pulled again every 40 runs, a
// hosted one answered by two backends, a failure and a cache hit in every
// 20 cells, and a target whose results record no identity. Outputs are
// 400 characters, as a short answer is.
func fillModelRuns(b *testing.B, s *Store, runs, cells int) {
	b.Helper()
	ctx := context.Background()
	v, err := s.CreatePrompt(ctx, NewPrompt{Name: "bench-models"}, NewVersion{Messages: msgs("", "v1 {{text}}")})
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.UnixMilli(1_700_000_000_000)
	output := strings.Repeat("Hello from bench. ", 23)[:400]
	targets := []string{"ollama:llama3.2", "openai:gpt-4o-mini", "anthropic:claude", "echo"}
	for i := range runs {
		run := prompt.Run{Source: "bench", Versions: []prompt.RunVersion{rv(v)}, Targets: targets}
		if err := s.CreateRun(ctx, &run); err != nil {
			b.Fatal(err)
		}
		batch := make([]prompt.Result, 0, 256)
		flush := func() {
			if err := s.SaveResults(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
		at := t0.Add(time.Duration(i) * time.Hour)
		for c := range cells {
			for _, t := range targets {
				r := prompt.Result{RunID: run.ID, VersionID: v.ID, Target: t, Case: c, Output: output, Started: at.Add(time.Duration(c) * time.Second)}
				switch t {
				case "ollama:llama3.2":
					r.Model, r.ModelDigest = "llama3.2", fmt.Sprintf("digest-%d", i/40)
				case "openai:gpt-4o-mini":
					r.Model, r.ModelDigest = "gpt-4o-mini-2024-07-18", fmt.Sprintf("fp_%d", c%2)
				case "anthropic:claude":
					r.Model = "claude-3-5-haiku-20241022"
				}
				switch c % 20 {
				case 7:
					r.Output, r.Error = "", "rate limited"
				case 13:
					r.CacheHit = true
				}
				batch = append(batch, r)
				if len(batch) == cap(batch) {
					flush()
				}
			}
		}
		flush()
		if err := s.FinishRun(ctx, run.ID, prompt.RunDone, time.Time{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkModelsSeen100k reads what `whet models` and the Models screen
// show from a database of 100,000 results: 200 runs × 4 targets × 125
// cells (113 of each 125 successful and uncached).
func BenchmarkModelsSeen100k(b *testing.B) {
	ctx := context.Background()
	s := openTemp(b)
	fillModelRuns(b, s, 200, 125)
	seen, err := s.ModelsSeen(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if len(seen) != 3 || seen[1].Target != "ollama:llama3.2" || seen[1].Current.Digest != "digest-4" || seen[1].Cells != 200*113 {
		b.Fatalf("fixture seen wrong: %+v", seen)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.ModelsSeen(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
