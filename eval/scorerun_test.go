package eval

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"whet/prompt"
)

func TestScoreRun(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	run := prompt.Run{
		Versions: []prompt.RunVersion{{VersionID: 7}},
		Targets:  []string{"echo"},
		Cases: []prompt.Case{
			{Name: "ana", Vars: map[string]string{"name": "Ana"}, Checks: []prompt.Check{{Type: "icontains", Value: "{{name}}"}}},
			{Name: "bo", Vars: map[string]string{"name": "Bo"}, Checks: []prompt.Check{{Type: "icontains", Value: "{{name}}"}}},
			{Name: "cy", Checks: []prompt.Check{{Type: "llm-rubric", Value: "is polite"}}},
		},
		Repeat: 2,
	}
	results := []prompt.Result{
		{ID: 1, VersionID: 7, Target: "echo", Case: 0, Output: "Hello Ana"},
		{ID: 2, VersionID: 7, Target: "echo", Case: 1, Output: "Hello you"},
		{ID: 3, VersionID: 7, Target: "echo", Case: 5, Output: "of no case"},
		{ID: 4, VersionID: 7, Target: "echo", Case: 2, Output: "Thanks!"},
		{ID: 5, VersionID: 7, Target: "echo", Case: 2, Repeat: 1, Output: "Thanks!"},
	}
	var e Evaluator
	scores, problems := e.ScoreRun(context.Background(), run, nil, results, "whet", now)
	slices.SortFunc(scores, func(a, b prompt.Score) int { return int(a.ResultID - b.ResultID) })
	passed := map[int64]bool{}
	for _, s := range scores {
		if s.Author != "whet" || !s.Created.Equal(now) || s.Pass == nil {
			t.Fatalf("score = %+v", s)
		}
		if s.Scorer == ScorerSuite {
			passed[s.ResultID] = *s.Pass
		}
	}
	if len(passed) != 4 || !passed[1] || passed[2] || passed[4] || passed[5] {
		t.Fatalf("suite verdicts = %v (scores %+v)", passed, scores)
	}
	// A model-graded check without a judge gives no verdict: said once,
	// with its number of cells.
	if len(problems) != 1 || problems[0].Cells != 2 || !strings.Contains(problems[0].Text, "judge") {
		t.Fatalf("problems = %+v", problems)
	}
}

func TestModelCalls(t *testing.T) {
	run := prompt.Run{
		Versions: []prompt.RunVersion{{VersionID: 1}, {VersionID: 2}},
		Targets:  []string{"a", "b", "c"},
		Cases: []prompt.Case{
			{Checks: []prompt.Check{{Type: "icontains", Value: "x"}, {Type: "llm-rubric", Value: "polite"}}},
			{Checks: []prompt.Check{{Type: "not-similar", Value: "x"}, {Type: "factuality", Value: "y"}}},
		},
		Repeat: 2,
	}
	if got := ModelCalls(run); got != 3*2*3*2 {
		t.Fatalf("ModelCalls = %d", got)
	}
	run.Cases = run.Cases[:0]
	if got := ModelCalls(run); got != 0 {
		t.Fatalf("ModelCalls without checks = %d", got)
	}
}
