package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"whet/prompt"
	"whet/store"
)

// benchStore returns the benchmark store file (named after name and the
// schema version) in the system temp directory, built by fill the first
// time and kept for later benchmark runs.
func benchStore(b *testing.B, name string, fill func(context.Context, *store.Store) error) *store.Store {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "whet-bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("ui-%s-schema%d.db", name, store.SchemaVersion()))
	ctx := context.Background()
	if _, err := os.Stat(path); err != nil {
		tmp := path + ".building"
		os.Remove(tmp)
		st, err := store.Open(ctx, tmp)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		err = fill(ctx, st)
		st.Close()
		if err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
		b.Logf("built the %s fixture in %v", name, time.Since(start))
	}
	st, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// bench10k returns a store with 10,000 prompts of 10 versions each, built
// in one write transaction.
func bench10k(b *testing.B) *store.Store {
	return benchStore(b, "10k", fill10k)
}

func fill10k(ctx context.Context, st *store.Store) error {
	teams := []string{"cx", "growth", "insights", "platform", "risk"}
	purposes := []string{"support", "classification", "summary", "extraction", "rewrite"}
	return st.Update(ctx, func(tx *store.Tx) error {
		for i := 0; i < 10000; i++ {
			name := fmt.Sprintf("%s/prompt-%05d", teams[i%len(teams)], i)
			_, err := tx.CreatePrompt(ctx, store.NewPrompt{
				Name: name, Description: "benchmark prompt " + name,
				Labels: prompt.Labels{"team": teams[i%len(teams)], "purpose": purposes[(i/5)%len(purposes)], "owner": fmt.Sprintf("owner%d", i%37)},
			}, store.NewVersion{Messages: []prompt.Message{
				{Role: "system", Content: "You are helpful."},
				{Role: "user", Content: fmt.Sprintf("Task %d: {{input}}", i)},
			}, Author: "bench", Note: "v1"})
			if err != nil {
				return err
			}
			for v := 2; v <= 10; v++ {
				if _, _, err := tx.SaveVersion(ctx, name, store.NewVersion{Messages: []prompt.Message{
					{Role: "system", Content: fmt.Sprintf("You are helpful (rev %d).", v)},
					{Role: "user", Content: fmt.Sprintf("Task %d: {{input}}", i)},
				}, Author: "bench", Note: fmt.Sprintf("v%d", v)}); err != nil {
					return err
				}
			}
			if i%10 == 0 {
				if _, _, err := tx.SetTag(ctx, prompt.Ref{Name: name, Number: 9}, "production", false, nil, "bench"); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func benchDeps(st Store) Deps {
	return Deps{Store: st, Author: "bench", Theme: "dark", DBPath: "whet.db", Now: func() time.Time { return testNow }}
}

// BenchmarkFirstFrame10k measures New → ListPrompts → the first View on a
// store of 10,000 prompts × 10 versions. Budget: 100ms.
func BenchmarkFirstFrame10k(b *testing.B) {
	st := bench10k(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := New(benchDeps(st)).(Model)
		next, _ := m.Update(tea.WindowSizeMsg{Width: 140, Height: 40})
		m = next.(Model)
		msg := m.library.fetch(0)()
		next, _ = m.Update(msg)
		m = next.(Model)
		if len(m.library.rows) != 10000 {
			b.Fatalf("listed %d prompts", len(m.library.rows))
		}
		_ = m.View()
	}
}

// BenchmarkFilter10k measures one key press in the library filter and the
// frame drawn after it, over 10,000 prompts. Budget: one frame (16ms).
func BenchmarkFilter10k(b *testing.B) {
	st := bench10k(b)
	m := New(benchDeps(st)).(Model)
	next, _ := m.Update(tea.WindowSizeMsg{Width: 140, Height: 40})
	m = next.(Model)
	next, _ = m.Update(m.library.fetch(0)())
	m = next.(Model)
	next, _ = m.Update(keyPress("/"))
	m = next.(Model)
	next, _ = m.Update(keyPress("c"))
	m = next.(Model)
	keys := []tea.KeyPressMsg{keyPress("x"), keyPress("backspace")}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		next, _ = m.Update(keys[i%2])
		m = next.(Model)
		_ = m.View()
	}
	b.StopTimer()
	if v := m.library.filter.Value(); v != "c" && v != "cx" {
		b.Fatalf("filter holds %q", v)
	}
}
