package eval

import (
	"context"
	"sync"
	"time"

	"whet/prompt"
)

// scoreRunParallel is how many results ScoreRun grades at once (each may
// ask a judge).
const scoreRunParallel = 4

// ScoreRun grades the results of a run of a suite, each by its case's
// checks and threshold (run.Cases carry them), giving the judge the prompt
// as it was sent (rendered from versions, by version id), and returns the
// scores to record, signed by author at now, in no particular order. A
// result of no case of run is skipped. Several results are graded at once.
func (e *Evaluator) ScoreRun(ctx context.Context, run prompt.Run, versions map[int64]prompt.Version, results []prompt.Result, author string, now time.Time) []prompt.Score {
	var (
		mu     sync.Mutex
		scores []prompt.Score
		wg     sync.WaitGroup
		sem    = make(chan struct{}, scoreRunParallel)
	)
	for _, r := range results {
		if r.Case < 0 || r.Case >= len(run.Cases) {
			continue
		}
		c := run.Cases[r.Case]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var msgs []prompt.Message
			if v, ok := versions[r.VersionID]; ok {
				msgs, _ = prompt.RenderMessages(v.Messages, c.Vars)
			}
			cr := e.EvaluatePrompt(ctx, c, msgs, c.Checks, c.Threshold, r)
			ss := Scores(cr, r.ID, author, now)
			mu.Lock()
			scores = append(scores, ss...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return scores
}

// ModelCalls is how many grading calls to a judge or an embedding model
// scoring a run of plan may make at most, one per model-graded check of
// each cell (NeedsModel); cached verdicts make fewer.
func ModelCalls(plan prompt.Run) int {
	per := 0
	for _, c := range plan.Cases {
		for _, chk := range c.Checks {
			if NeedsModel(chk) {
				per++
			}
		}
	}
	return per * len(plan.Versions) * len(plan.Targets) * max(plan.Repeat, 1)
}
