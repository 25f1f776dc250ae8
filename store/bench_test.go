package store

import (
	"context"
	"fmt"
	"testing"

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
