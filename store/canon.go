package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"whet/prompt"
)

// runCanon is how the targets of a run whose plan holds targets are read:
// through s.canon, or as saved (nil) when there is no canon or when it would
// make two of the plan's targets one (see CanonicalTargets).
func (s *Store) runCanon(targets []string) func(string) string {
	if s.canon == nil {
		return nil
	}
	saved := make(map[string]string, len(targets))
	for _, t := range targets {
		c := s.canon(t)
		if prev, ok := saved[c]; ok && prev != t {
			return nil
		}
		saved[c] = t
	}
	return s.canon
}

// canonRun reads r's plan targets through runCanon.
func (s *Store) canonRun(r *prompt.Run) {
	canon := s.runCanon(r.Targets)
	if canon == nil {
		return
	}
	out := make([]string, len(r.Targets))
	for i, t := range r.Targets {
		out[i] = canon(t)
	}
	r.Targets = out
}

// resultCanon is how the targets of run id's results are read; a
// *NotFoundError when there is no such run.
func (s *Store) resultCanon(ctx context.Context, id string) (func(string) string, error) {
	canon, _, err := s.resultPlan(ctx, id)
	return canon, err
}

// resultPlan is resultCanon with the size of the run's plan, the most
// results it can have (a list's capacity: a run of 100,000 cells grew its
// slice of results for a second). Its cases are counted, not read.
func (s *Store) resultPlan(ctx context.Context, id string) (func(string) string, int, error) {
	var plan string
	err := s.r.QueryRowContext(ctx, `SELECT plan FROM runs WHERE id = ?`, id).Scan(&plan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, &NotFoundError{Kind: "run", Name: id}
	}
	if err != nil {
		return nil, 0, err
	}
	p, cases, err := decodeBriefPlan(plan)
	if err != nil {
		return nil, 0, fmt.Errorf("run %s: plan: %w", id, err)
	}
	r := prompt.Run{Versions: p.Versions, Targets: p.Targets, Repeat: p.Repeat}
	return s.runCanon(p.Targets), r.CellsOf(cases), nil
}

// canonResult reads r's target, and the model name it recorded, through
// canon: Ollama echoes the model name it was sent, so runs of "llama3.2"
// recorded that and runs of "llama3.2:latest" the other; both name one
// model, which the digest identifies.
func canonResult(canon func(string) string, r *prompt.Result) {
	r.Model = canonModel(canon, r.Target, r.Model)
	r.Target = canon(r.Target)
}

// canonModel is model, a name target's provider reported, in canon's form.
func canonModel(canon func(string) string, target, model string) string {
	provider, _, ok := strings.Cut(target, ":")
	if !ok || model == "" {
		return model
	}
	c, ok := strings.CutPrefix(canon(provider+":"+model), provider+":")
	if !ok || c == "" {
		return model
	}
	return c
}
