package eval

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"whet/prompt"
	"whet/textutil"
)

// scoreRunParallel is how many results ScoreRun grades at once (each may
// ask a judge).
const scoreRunParallel = 4

// ScoreRun grades the results of a run of a suite, each by its case's
// checks and threshold (run.Cases carry them), giving the judge the prompt
// as it was sent (rendered from versions, by version id), and returns the
// scores to record, signed by author at now, in no particular order, and
// the checks that gave no verdict (a judge that failed, a check it cannot
// run), each kind once with the number of cells, sorted. A result of no
// case of run is skipped. Several results are graded at once.
func (e *Evaluator) ScoreRun(ctx context.Context, run prompt.Run, versions map[int64]prompt.Version, results []prompt.Result, author string, now time.Time) ([]prompt.Score, []CheckProblem) {
	var (
		mu       sync.Mutex
		scores   []prompt.Score
		problems = map[string]int{}
		wg       sync.WaitGroup
		sem      = make(chan struct{}, scoreRunParallel)
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
			for _, o := range cr.Outcomes {
				if o.Err != nil {
					problems[textutil.OneLine(o.Err.Error())]++
				}
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	out := make([]CheckProblem, 0, len(problems))
	for text, n := range problems {
		out = append(out, CheckProblem{Text: text, Cells: n})
	}
	slices.SortFunc(out, func(a, b CheckProblem) int { return strings.Compare(a.Text, b.Text) })
	return scores, out
}

// CheckProblem is one kind of check that gave no verdict while a run was
// scored, and in how many cells.
type CheckProblem struct {
	Text  string
	Cells int
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
