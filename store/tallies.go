package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// Tally is what the results of one version on one target of a run add up
// to, as eval.Total counts them: N results (one per cell), Errors of them
// failed calls; Judged carry a verdict, Passed of them passed; Scores are
// the scores of the scored results in cell order (case, then repeat), each
// a person's rating when they gave one, else the suite's grade, else the
// one grade the result has. Mixed results have no person's rating or
// suite grade but several grades: their score is the mean of those, which
// Tally leaves out (the caller reads their Scores; see RunTallies).
type Tally struct {
	VersionID      int64
	Target         string
	N, Errors      int
	Judged, Passed int
	Scores         []float64
	Mixed          int
}

// RunTallies returns each run's tallies by version × target, in order of
// version id, then target, from the grades migration 0005 keeps
// (result_grades) without reading the runs' results or scores. Runs
// without results have none; an unknown run id has none either. A run
// some of whose tallies have Mixed > 0 needs its scores read
// (ScoresBrief) to be counted exactly.
func (s *Store) RunTallies(ctx context.Context, runIDs []string) (map[string][]Tally, error) {
	out := make(map[string][]Tally, len(runIDs))
	if len(runIDs) == 0 {
		return out, nil
	}
	in := "?" + strings.Repeat(", ?", len(runIDs)-1)
	args := make([]any, len(runIDs))
	for i, id := range runIDs {
		args[i] = id
	}
	// One read transaction: the scores read last belong to the counts
	// read first, whatever is written meanwhile.
	tx, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()

	type key struct {
		run     string
		version int64
		target  string
	}
	at := map[key]*Tally{}
	var order []key
	// Cells and failed calls, from indexes alone (results' unique index,
	// results_failed).
	rows, err := tx.QueryContext(ctx, `
		SELECT run_id, version_id, target, count(*), 0 FROM results WHERE run_id IN (`+in+`) GROUP BY run_id, version_id, target
		UNION ALL
		SELECT run_id, version_id, target, 0, count(*) FROM results WHERE run_id IN (`+in+`) AND error != '' GROUP BY run_id, version_id, target`,
		append(args, args...)...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var k key
		var n, failed int
		if err := rows.Scan(&k.run, &k.version, &k.target, &n, &failed); err != nil {
			rows.Close()
			return nil, err
		}
		t := at[k]
		if t == nil {
			t = &Tally{VersionID: k.version, Target: k.target}
			at[k] = t
			order = append(order, k)
		}
		t.N += n
		t.Errors += failed
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// Verdicts and how many scores each group has, then the scores in the
	// same order of groups.
	rows, err = tx.QueryContext(ctx, `
		SELECT run_id, version_id, target, count(verdict), total(verdict), count(score), count(*) - count(score)
		FROM result_grades WHERE run_id IN (`+in+`)
		GROUP BY run_id, version_id, target ORDER BY run_id, version_id, target`, args...)
	if err != nil {
		return nil, err
	}
	var scored []int
	var graded []*Tally
	for rows.Next() {
		var k key
		var judged, scores, mixed int
		var passed float64
		if err := rows.Scan(&k.run, &k.version, &k.target, &judged, &passed, &scores, &mixed); err != nil {
			rows.Close()
			return nil, err
		}
		t := at[k]
		if t == nil {
			rows.Close()
			return nil, fmt.Errorf("run %s: grades of version id %d on %s without results", k.run, k.version, k.target)
		}
		t.Judged, t.Passed, t.Mixed = judged, int(passed), mixed
		t.Scores = make([]float64, 0, scores)
		scored = append(scored, scores)
		graded = append(graded, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = tx.QueryContext(ctx, `
		SELECT score FROM result_grades WHERE run_id IN (`+in+`) AND score IS NOT NULL
		ORDER BY run_id, version_id, target, case_idx, repeat`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	g := 0
	for rows.Next() {
		for g < len(graded) && len(graded[g].Scores) == scored[g] {
			g++
		}
		if g == len(graded) {
			return nil, fmt.Errorf("grades: more scores than counted")
		}
		var v float64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		graded[g].Scores = append(graded[g].Scores, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, k := range order {
		out[k.run] = append(out[k.run], *at[k])
	}
	for _, ts := range out {
		s.canonTallies(ts)
		sortTallies(ts)
	}
	return out, tx.Commit()
}

// canonTallies reads a run's tally targets through the store's canon, as
// ListRuns reads its plan's (runCanon): unless two of them would become
// one, a run that ran both names.
func (s *Store) canonTallies(ts []Tally) {
	targets := make([]string, len(ts))
	for i, t := range ts {
		targets[i] = t.Target
	}
	canon := s.runCanon(targets)
	if canon == nil {
		return
	}
	for i := range ts {
		ts[i].Target = canon(ts[i].Target)
	}
}

// sortTallies orders a run's tallies by version id, then target.
func sortTallies(ts []Tally) {
	slices.SortFunc(ts, func(a, b Tally) int {
		return cmp.Or(cmp.Compare(a.VersionID, b.VersionID), cmp.Compare(a.Target, b.Target))
	})
}
