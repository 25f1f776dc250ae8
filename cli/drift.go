package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"whet/eval"
	"whet/prompt"
	"whet/report"
	"whet/runner"
	"whet/textutil"
)

func init() { registerCmd((*app).driftCmd) }

type driftFlags struct {
	against     string
	parallel    int
	format      string
	output      string
	quiet       bool
	note        string
	failOnDrift bool
}

func (a *app) driftCmd() *cobra.Command {
	var f driftFlags
	cmd := &cobra.Command{
		Use:   "drift BASELINE_RUN_ID [--against RUN_ID]",
		Short: "Re-run a baseline and show what moved: scores, errors, outputs, the model underneath",
		Long: `Run a finished run's plan again — the same versions, targets, cases, repeats
and suite checks, never from the cache — and set each version × target against
the baseline: the model identity (resolved model, Ollama digest, OpenAI
system_fingerprint) before and after, how many outputs are identical, mean
scores and the sign test over the cases, errors and latency.

A version × target has drifted when its model identity changed, when its case
scores moved significantly (p < 0.05, either way), or when more cells failed.
Outputs that differ do not count on their own: sampling varies them.

--against RUN_ID compares two runs already made (of the same plan) without
calling any model.

Exit status: 0; 1 when a cell of the re-run failed or the re-run was
interrupted (whether or not anything drifted); 3 with --fail-on-drift when
the re-run finished and anything drifted; 2 on usage errors.`,
		Example: `  whet drift 1m869te23xva
  whet drift 1m869te23xva --format md -o drift.md --fail-on-drift
  whet drift 1m869te23xva --against 1m86b0c2k4qz`,
		Args: exactArgs(1, "BASELINE_RUN_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.output != "" {
				// Before the format its name would give.
				if err := a.checkOutputDir(f.output); err != nil {
					return usagef("-o %s: %v", f.output, err)
				}
			}
			var err error
			if f.format, err = outputFormat(cmd, f.format, f.output, "table", "md", "json", "junit"); err != nil {
				return err
			}
			return a.drift(args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.against, "against", "", "compare with this run instead of running the plan again")
	fl.IntVarP(&f.parallel, "jobs", "j", 0, "at most N calls in flight in total (0 = only per-provider limits)")
	fl.StringVar(&f.format, "format", "table", "report format: table, md, json, junit (JUnit XML: a test case per version × target, failing when it drifted) (default: -o FILE's extension, else table)")
	extFormatFlag(cmd)
	onceStringVarP(cmd, &f.output, "output", "o", "write the report to FILE instead of stdout")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress output")
	fl.StringVar(&f.note, "note", "", "note stored with the re-run")
	fl.BoolVar(&f.failOnDrift, "fail-on-drift", false, "exit 3 when any version × target drifted (1 stays for failed cells)")
	return cmd
}

func (a *app) drift(baseID string, f driftFlags) error {
	switch f.format {
	case "table", "md", "markdown", "json", "junit":
	default:
		return usagef("--format %q: use table, md, json or junit", f.format)
	}
	if f.parallel < 0 {
		return usagef("-j must be 0 (no global cap) or more")
	}
	if f.against != "" && (f.note != "" || f.parallel != 0) {
		return usagef("--against compares two runs already made: --note and -j apply only to a re-run")
	}
	// --against only reads two runs made already: it works on a database
	// that cannot be written.
	open := a.store
	if f.against != "" {
		open = a.readStore
	}
	st, err := open()
	if err != nil {
		return err
	}
	base, err := st.GetRun(a.ctx, baseID)
	if err != nil {
		return err
	}
	var rerun prompt.Run
	cellsFailed := false
	if f.against != "" {
		if rerun, err = st.GetRun(a.ctx, f.against); err != nil {
			return err
		}
		if err := eval.SamePlan(base, rerun); err != nil {
			return usageError{err}
		}
	} else {
		if base.Status == prompt.RunRunning {
			return usagef("run %s is still running in another whet process: check it for drift once it has finished", base.ID)
		}
		reg, err := a.registry()
		if err != nil {
			return err
		}
		if err := runner.CheckTargets(reg, base.Targets); err != nil {
			var te *runner.TargetError
			if errors.As(err, &te) {
				return usagef("run %s used target %s, which cannot be used now: %v", base.ID, te.Spec, te.Err)
			}
			return err
		}
		plan, err := runner.PlanOf(a.ctx, st, runner.DriftRerun(base, a.author(), f.note))
		if err != nil {
			return err
		}
		if plan.Run.Suite != "" {
			// Checks that could not be graded now would pass for drift.
			if err := a.checkGraders(reg, st, plan.Run.Suite, plan.Run.Cases); err != nil {
				return err
			}
		}
		unlock, err := st.StartRun(a.ctx, &plan.Run)
		if err != nil {
			return err
		}
		defer unlock()
		if !f.quiet {
			fmt.Fprintf(a.env.Stderr, "re-running run %s as %s: %s, cache off\n", base.ID, plan.Run.ID, count(plan.Run.Cells(), "cell"))
		}
		// The models are called afresh; a judge's verdict on an answer
		// that did not change is the cached one, so that an unchanged
		// answer never reads as a moved score.
		status, runErr, err := a.execute(st, reg, plan, runner.Options{MaxParallel: f.parallel, NoCache: true}, true, f.quiet)
		if err != nil {
			return err
		}
		if status == prompt.RunInterrupted {
			a.printInterruptCause(plan.Run.ID, runErr)
			fmt.Fprintf(a.env.Stderr, "interrupted: finish the re-run with 'whet run --resume %s', then compare with 'whet drift %s --against %s'\n", plan.Run.ID, base.ID, plan.Run.ID)
			return silentError{code: 1}
		}
		if runErr != nil {
			return runErr
		}
		rerun = plan.Run
		cellsFailed = true // decided below, from the results
	}

	ctx := context.WithoutCancel(a.ctx)
	before, err := a.knownRunReport(ctx, st, base)
	if err != nil {
		return err
	}
	after, err := a.knownRunReport(ctx, st, rerun)
	if err != nil {
		return err
	}
	failedCells := 0
	if cellsFailed {
		for _, r := range report.CellResults(after.Results) {
			if !r.OK() {
				failedCells++
			}
		}
		cellsFailed = failedCells > 0
	}
	cached := 0
	for _, r := range report.CellResults(before.Results) {
		if r.CacheHit {
			cached++
		}
	}
	if cached > 0 {
		// Said even with --quiet: it can make the verdict.
		fmt.Fprintf(a.env.Stderr, "note: %d of %d cells of baseline run %s came from the response cache: their model identity and outputs are from when they were cached, not from that run (make a baseline with 'whet run --no-cache')\n",
			cached, len(report.CellResults(before.Results)), base.ID)
	}
	d := driftReport{
		Baseline:       before.Run,
		CachedBaseline: cached,
		Rerun:          after.Run,
		Rows:           eval.Drift(before.Run, before.Results, after.Results, append(before.Scores, after.Scores...)),
		Generated:      time.Now(),
	}
	err = a.writeTo(f.output, func(w io.Writer) error {
		switch f.format {
		case "md", "markdown":
			return d.markdown(w)
		case "json":
			return writeJSON(w, d.jsonDoc())
		case "junit":
			return report.WriteJUnit(w, d.junit())
		}
		return d.table(w)
	})
	if err != nil {
		return fmt.Errorf("writing the report: %w (both runs are saved: whet drift %s --against %s writes it again)", err, base.ID, rerun.ID)
	}
	drifted := d.drifted()
	if !f.quiet {
		fmt.Fprintf(a.env.Stderr, "drift: %s (baseline %s, re-run %s)\n", d.headline(), base.ID, rerun.ID)
		if n := d.noted(); n > 0 {
			fmt.Fprintf(a.env.Stderr, "drift: the scores of %d of %d %s moved, not significantly: the report says how\n", n, len(d.Rows), pluralWord(len(d.Rows), "pair", "pairs"))
		}
	}
	if cellsFailed {
		// Said even with --quiet: it is why the exit status is 1.
		baseFailed := 0
		for _, r := range report.CellResults(before.Results) {
			if !r.OK() {
				baseFailed++
			}
		}
		fmt.Fprintf(a.env.Stderr, "%d of %d cells of the re-run failed (the baseline had %d): exit status 1; 'whet export %s' lists them\n",
			failedCells, len(report.CellResults(after.Results)), baseFailed, rerun.ID)
	}
	if cellsFailed {
		return silentError{code: 1}
	}
	if f.failOnDrift && drifted > 0 {
		// Its own status, so that a scheduled job tells a model that moved
		// from a server that was down (1) without reading the report.
		if f.quiet {
			fmt.Fprintf(a.env.Stderr, "drift: %s: exit status %d\n", d.headline(), exitDrift)
		}
		return silentError{code: exitDrift}
	}
	return nil
}

// exitDrift is the exit status of `whet drift --fail-on-drift` when the
// re-run finished and something drifted; 1 stays for a re-run that failed.
const exitDrift = 3

// driftReport is what `whet drift` prints.
type driftReport struct {
	Baseline, Rerun prompt.Run
	// CachedBaseline counts the baseline's cells answered from the cache.
	CachedBaseline int
	Rows           []eval.DriftRow
	Generated      time.Time
}

// headline is "N of M version × target pairs drifted", in the words of
// the TUI's drift dialog.
func (d driftReport) headline() string {
	return fmt.Sprintf("%d of %d %s drifted", d.drifted(), len(d.Rows), pluralWord(len(d.Rows), "version × target pair", "version × target pairs"))
}

func (d driftReport) drifted() int {
	n := 0
	for _, r := range d.Rows {
		if r.Drifted() {
			n++
		}
	}
	return n
}

// noted counts the rows whose scores moved without counting as drift
// (other notes, such as cells left out for a check error, are no move).
func (d driftReport) noted() int {
	n := 0
	for _, r := range d.Rows {
		if r.AB.Wins != r.AB.Losses && r.AdjustedP >= eval.Significance {
			n++
		}
	}
	return n
}

// score is a summary's mean score, "—" when nothing was scored.
func driftScore(s report.Summary) string {
	if s.Scored == 0 {
		return "—"
	}
	return report.ScoreText(s.MeanScore)
}

// driftP is the sign test's p-value, "—" when no case was decided.
func driftP(r eval.DriftRow) string {
	if r.AB.Wins+r.AB.Losses == 0 {
		return "—"
	}
	if r.AB.P < 0.0001 {
		return "<0.0001"
	}
	return report.PValue(r.AB.P)
}

func driftModel(before, after string) string {
	switch {
	case before == after:
		return orDash(before)
	case before == "" || after == "":
		return orDash(before) + " → " + orDash(after)
	}
	return before + " → " + after
}

// mdModel is driftModel for a Markdown table: the identities as code.
func mdModel(before, after string) string {
	code := func(s string) string { return orDash(report.MarkdownCode(s, true)) }
	if before == after {
		return code(before)
	}
	return code(before) + " → " + code(after)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func (d driftReport) table(w io.Writer) error {
	fmt.Fprintf(w, "drift of run %s (%s) → re-run %s (%s)\n", d.Baseline.ID, d.Baseline.Created.Local().Format("2006-01-02 15:04"),
		d.Rerun.ID, d.Rerun.Created.Local().Format("2006-01-02 15:04"))
	tw := newTableWriter(w)
	fmt.Fprintln(tw, "VERSION\tTARGET\tMODEL\tSAME OUTPUT\tSCORE\tB/T/W\tP\tERRORS\tP50\tDRIFT")
	for _, r := range d.Rows {
		verdict := "—"
		if r.Drifted() {
			verdict = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d/%d\t%s → %s\t%d/%d/%d\t%s\t%d → %d\t%s → %s\t%s\n",
			r.Version.Ref(), textutil.OneLine(r.Target), textutil.OneLine(driftModel(r.ModelBefore, r.ModelAfter)),
			r.Identical, r.Paired, driftScore(r.Before), driftScore(r.After), r.AB.Losses, r.AB.Ties, r.AB.Wins, driftP(r),
			r.Before.Errors, r.After.Errors, fmtDur(r.Before.P50), fmtDur(r.After.P50), verdict)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range d.Rows {
		for _, why := range r.Reasons {
			fmt.Fprintf(w, "  %s × %s: %s\n", r.Version.Ref(), textutil.OneLine(r.Target), textutil.OneLine(why))
		}
		for _, note := range r.Notes {
			fmt.Fprintf(w, "  %s × %s: not drift: %s\n", r.Version.Ref(), textutil.OneLine(r.Target), textutil.OneLine(note))
		}
		if line := r.MovedCases(d.Baseline, movedCaseNames, " (--format json lists each)"); line != "" && (r.Drifted() || len(r.Notes) > 0) {
			fmt.Fprintf(w, "  %s × %s: %s\n", r.Version.Ref(), textutil.OneLine(r.Target), textutil.OneLine(line))
		}
	}
	_, err := fmt.Fprintln(w, "B/T/W: cases the baseline wins, ties, and the re-run wins, by score"+d.pNote())
	return err
}

// movedCaseNames is how many cases movedCases names before it counts the
// rest.
const movedCaseNames = 5

// pNote says how P decides drift when several pairs were tested, in the
// words of the TUI's drift dialog (eval.HolmNote).
func (d driftReport) pNote() string {
	if note := eval.HolmNote(d.Rows); note != "" {
		return "; P: the sign test's p-value, unadjusted; " + note
	}
	return ""
}

func (d driftReport) markdown(w io.Writer) error {
	var b strings.Builder
	verdict := "✅ no drift"
	if d.noted() > 0 {
		verdict = "✅ no drift, but scores moved (not significantly)"
	}
	if n := d.drifted(); n > 0 {
		verdict = "⚠️ " + d.headline()
	}
	fmt.Fprintf(&b, "## whet drift: %s\n\n", verdict)
	fmt.Fprintf(&b, "Baseline run %s (%s) · re-run %s (%s) · %s\n\n",
		report.MarkdownCode(d.Baseline.ID, false), d.Baseline.Created.UTC().Format(time.RFC3339), report.MarkdownCode(d.Rerun.ID, false), d.Rerun.Created.UTC().Format(time.RFC3339),
		report.PlanShape(d.Baseline))
	b.WriteString("| Version | Target | Model | Same output | Mean score | Baseline / tie / re-run wins | p | Errors | p50 | Drift |\n")
	b.WriteString("| --- | --- | --- | ---: | --- | ---: | ---: | --- | --- | --- |\n")
	for _, r := range d.Rows {
		mark := "—"
		if r.Drifted() {
			mark = "⚠️"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d/%d | %s → %s | %d / %d / %d | %s | %d → %d | %s → %s | %s |\n",
			report.MarkdownCode(r.Version.Ref(), true), report.MarkdownCode(r.Target, true), mdModel(r.ModelBefore, r.ModelAfter),
			r.Identical, r.Paired, driftScore(r.Before), driftScore(r.After), r.AB.Losses, r.AB.Ties, r.AB.Wins, driftP(r),
			r.Before.Errors, r.After.Errors, fmtDur(r.Before.P50), fmtDur(r.After.P50), mark)
	}
	if note := d.pNote(); note != "" {
		b.WriteString("\n" + strings.TrimPrefix(note, "; ") + ".\n")
	}
	if d.CachedBaseline > 0 {
		fmt.Fprintf(&b, "\n%d cells of the baseline came from the response cache: their model and outputs are from when they were cached.\n", d.CachedBaseline)
	}
	if d.drifted() > 0 {
		b.WriteString("\n### What moved\n\n")
		for _, r := range d.Rows {
			for _, why := range r.Reasons {
				fmt.Fprintf(&b, "- %s × %s: %s\n", report.MarkdownCode(r.Version.Ref(), false), report.MarkdownCode(r.Target, false), report.MarkdownText(why))
			}
			if line := r.MovedCases(d.Baseline, movedCaseNames, " (--format json lists each)"); line != "" && r.Drifted() {
				fmt.Fprintf(&b, "- %s × %s: %s\n", report.MarkdownCode(r.Version.Ref(), false), report.MarkdownCode(r.Target, false), report.MarkdownText(line))
			}
		}
	}
	if d.noted() > 0 {
		b.WriteString("\n### Moved, not significantly\n\n")
		for _, r := range d.Rows {
			for _, note := range r.Notes {
				fmt.Fprintf(&b, "- %s × %s: %s\n", report.MarkdownCode(r.Version.Ref(), false), report.MarkdownCode(r.Target, false), report.MarkdownText(note))
			}
			if line := r.MovedCases(d.Baseline, movedCaseNames, " (--format json lists each)"); line != "" && !r.Drifted() && len(r.Notes) > 0 {
				fmt.Fprintf(&b, "- %s × %s: %s\n", report.MarkdownCode(r.Version.Ref(), false), report.MarkdownCode(r.Target, false), report.MarkdownText(line))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// junit is the drift report as JUnit XML for a CI system: one test case
// per version × target, a failure when it drifted (its reasons, and the
// cases that moved), an error when cells of the re-run failed (drift
// cannot be read from calls that did not answer), and what it compared in
// its output: the models, the outputs alike, the scores, and what moved
// without counting as drift.
func (d driftReport) junit() report.JUnitSuites {
	suite := report.JUnitSuite{
		Name:      "whet drift of run " + textutil.OneLine(d.Baseline.ID),
		Timestamp: d.Rerun.Created.UTC().Format("2006-01-02T15:04:05"),
		Properties: [][2]string{
			{"baseline", textutil.OneLine(d.Baseline.ID)},
			{"rerun", textutil.OneLine(d.Rerun.ID)},
			{"plan", report.PlanShape(d.Baseline)},
		},
	}
	for _, r := range d.Rows {
		name := textutil.OneLine(r.Version.Ref()) + " × " + textutil.OneLine(r.Target)
		// Its time: the re-run's calls, as the mean latency over those measured.
		tc := report.JUnitCase{Name: name, Classname: suite.Name, Seconds: r.After.MeanLatency.Seconds() * float64(r.After.Measured)}
		moved := r.MovedCases(d.Baseline, movedCaseNames, "")
		out := []string{
			"model: " + textutil.OneLine(driftModel(r.ModelBefore, r.ModelAfter)),
			fmt.Sprintf("same output: %d of %d cells", r.Identical, r.Paired),
			fmt.Sprintf("mean score: %s → %s; cases the baseline wins / ties / the re-run wins: %d / %d / %d, p = %s", driftScore(r.Before), driftScore(r.After), r.AB.Losses, r.AB.Ties, r.AB.Wins, driftP(r)),
			fmt.Sprintf("errors: %d → %d; p50 latency %s → %s", r.Before.Errors, r.After.Errors, fmtDur(r.Before.P50), fmtDur(r.After.P50)),
		}
		for _, note := range r.Notes {
			out = append(out, "not drift: "+textutil.OneLine(note))
		}
		switch {
		case r.After.Errors > 0:
			tc.Outcome, tc.Type = "error", "call failed"
			tc.Message = fmt.Sprintf("%d of %d cells of the re-run failed (the baseline had %d); whet export %s lists them",
				r.After.Errors, r.After.Cells, r.Before.Errors, textutil.OneLine(d.Rerun.ID))
		case r.Drifted():
			tc.Outcome, tc.Type = "failure", "drift"
			reasons := make([]string, len(r.Reasons))
			for i, why := range r.Reasons {
				reasons[i] = textutil.OneLine(why)
			}
			tc.Message = strings.Join(reasons, "; ")
			if moved != "" {
				reasons = append(reasons, textutil.OneLine(moved))
			}
			tc.Body = strings.Join(reasons, "\n")
		}
		if moved != "" && tc.Outcome != "failure" {
			out = append(out, textutil.OneLine(moved))
		}
		tc.Output = strings.Join(out, "\n")
		suite.Cases = append(suite.Cases, tc)
	}
	return report.JUnitSuites{Name: suite.Name, Suites: []report.JUnitSuite{suite}}
}

type driftJSONRow struct {
	Version      string   `json:"version"`
	VersionID    int64    `json:"version_id"`
	Target       string   `json:"target"`
	ModelBefore  string   `json:"model_before"`
	ModelAfter   string   `json:"model_after"`
	ModelChanged bool     `json:"model_changed"`
	Paired       int      `json:"paired_cells"`
	Identical    int      `json:"identical_outputs"`
	ScoreBefore  *float64 `json:"mean_score_before"`
	ScoreAfter   *float64 `json:"mean_score_after"`
	BaselineWins int      `json:"baseline_wins"`
	Ties         int      `json:"ties"`
	RerunWins    int      `json:"rerun_wins"`
	P            *float64 `json:"p_value"`
	PAdjusted    *float64 `json:"p_value_adjusted"`
	Tested       int      `json:"pairs_tested"`
	ErrorsBefore int      `json:"errors_before"`
	ErrorsAfter  int      `json:"errors_after"`
	CheckErrsBef int      `json:"check_errors_before"`
	CheckErrsAft int      `json:"check_errors_after"`
	P50BeforeMS  float64  `json:"latency_p50_ms_before"`
	P50AfterMS   float64  `json:"latency_p50_ms_after"`
	Drifted      bool     `json:"drifted"`
	Reasons      []string `json:"reasons"`
	Notes        []string `json:"notes"`
	// Cases are the cases whose score moved, in plan order.
	Cases []driftJSONCase `json:"cases_moved"`
}

// driftJSONCase is one case whose score moved between the two runs.
type driftJSONCase struct {
	Case        int     `json:"case"` // 1-based, as in the plan
	Name        string  `json:"name"`
	ScoreBefore float64 `json:"score_before"`
	ScoreAfter  float64 `json:"score_after"`
}

func (d driftReport) jsonDoc() any {
	rows := make([]driftJSONRow, len(d.Rows))
	for i, r := range d.Rows {
		score := func(s report.Summary) *float64 {
			if s.Scored == 0 {
				return nil
			}
			m := report.Round6(s.MeanScore)
			return &m
		}
		var p, padj *float64
		if r.AB.Wins+r.AB.Losses > 0 {
			p, padj = new(report.RoundP(r.AB.P)), new(report.RoundP(r.AdjustedP))
		}
		rows[i] = driftJSONRow{
			Version: r.Version.Ref(), VersionID: r.Version.VersionID, Target: r.Target,
			ModelBefore: r.ModelBefore, ModelAfter: r.ModelAfter, ModelChanged: r.ModelChanged(),
			Paired: r.Paired, Identical: r.Identical, ScoreBefore: score(r.Before), ScoreAfter: score(r.After),
			BaselineWins: r.AB.Losses, Ties: r.AB.Ties, RerunWins: r.AB.Wins, P: p, PAdjusted: padj, Tested: r.Tested,
			ErrorsBefore: r.Before.Errors, ErrorsAfter: r.After.Errors, CheckErrsBef: r.AB.ErroredA, CheckErrsAft: r.AB.ErroredB,
			P50BeforeMS: ms(r.Before.P50), P50AfterMS: ms(r.After.P50),
			Drifted: r.Drifted(), Reasons: append([]string{}, r.Reasons...), Notes: append([]string{}, r.Notes...),
			Cases: []driftJSONCase{},
		}
		for _, c := range r.AB.Cases {
			if c.Scored && c.Winner != 0 {
				rows[i].Cases = append(rows[i].Cases, driftJSONCase{Case: c.Case + 1, Name: eval.CaseLabel(d.Baseline, c.Case), ScoreBefore: report.Round6(c.A), ScoreAfter: report.Round6(c.B)})
			}
		}
	}
	return struct {
		Baseline  string         `json:"baseline_run"`
		Rerun     string         `json:"rerun"`
		Generated time.Time      `json:"generated"`
		Drifted   int            `json:"drifted"`
		Rows      []driftJSONRow `json:"rows"`
	}{d.Baseline.ID, d.Rerun.ID, d.Generated.UTC(), d.drifted(), rows}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
