package cli

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"whet/eval"
	"whet/outfile"
	"whet/prompt"
	"whet/report"
	"whet/runner"
	"whet/store"
	"whet/textutil"
)

func init() {
	registerCmd((*app).runCmd)
	registerCmd((*app).modelsCmd)
	registerCmd((*app).runsCmd)
	registerCmd((*app).exportCmd)
	registerCmd((*app).configCmd)
}

// registry builds the target registry from the config.
func (a *app) registry() (*runner.Registry, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	return runner.NewRegistry(cfg), nil
}

type runFlags struct {
	targets      []string
	vars         []string
	cases        string
	repeat       int
	parallel     int
	format       string
	outputs      []string
	noCache      bool
	cache        bool
	quiet        bool
	resume       string
	note         string
	shadowPrices []string
	suite        string
	failUnder    float64
	gate         []string // versions the gate judges; none: every one
	// targetsSet: -m was given, even empty ("-m $TARGETS" with the
	// variable unset), so the config's targets must not stand in.
	targetsSet bool
}

// nonBlank is ss without its empty and all-space strings.
func nonBlank(ss []string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

func (a *app) runCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run REF... -m TARGET[,TARGET...]",
		Short: "Run prompt versions across models; every result is kept",
		Long: `Run one or more prompt versions on one or more targets, for each case and
repeat, with per-provider concurrency, retries and a response cache. The report
goes to stdout (or -o FILE); progress goes to stderr.

Targets are provider:model (ollama:llama3.2, openai:gpt-4o-mini,
anthropic:claude-sonnet-4-5, gemini:gemini-2.5-flash, echo) or aliases from the
config. ctrl+c stops every call, keeps what finished and marks the run
interrupted: 'whet run --resume RUN_ID' runs only the missing cells (of a run
that has none, it writes the report again and calls no model).

With --suite NAME and no REF, the latest version of the suite's prompt runs.

Exit status: 0 when every cell completed, 1 when any failed or the run was
interrupted, 2 on usage errors.`,
		Example: `  whet run support/reply -m echo --var customer=Ana --var ticket="Where is my order?"
  whet run summary@1 summary@2 -m ollama:llama3.2,openai:gpt-4o-mini --cases cases.csv --repeat 3 -o report.md --format md
  whet run --suite tickets -m ollama:llama3.2 --fail-under 0.9
  whet run --suite tickets -m openai:gpt-4o-mini --fail-under 0.9 -o whet.junit.xml -o summary.md
  whet run --resume 1m869te23xva`,
		RunE: func(cmd *cobra.Command, args []string) error {
			f.targetsSet = cmd.Flags().Changed("model")
			if f.resume != "" {
				// A resumed run keeps the plan it was made with.
				for _, name := range []string{"model", "var", "cases", "repeat", "suite", "note"} {
					if fl := cmd.Flags().Lookup(name); fl.Changed {
						flag := "--" + name
						if fl.Shorthand != "" {
							flag = "-" + fl.Shorthand + "/--" + name
						}
						return usagef("--resume runs the rest of run %s as it was planned: %s cannot change it (start a new run for another plan)", f.resume, flag)
					}
				}
			}
			return a.run(cmd, args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVarP(&f.targets, "model", "m", nil, "targets, comma-separated or repeated (default: the config's targets)")
	fl.StringArrayVar(&f.vars, "var", nil, "variable NAME=VALUE for every case (repeatable)")
	onceStringVarP(cmd, &f.cases, "cases", "", "case file: .csv (header row of variable names), .jsonl, .yaml or .json")
	fl.IntVarP(&f.repeat, "repeat", "n", 1, "run each cell N times")
	fl.IntVarP(&f.parallel, "jobs", "j", 0, "at most N calls in flight in total (0 = only per-provider limits)")
	fl.StringVar(&f.format, "format", "table", "report format: table, md, json, csv, junit (JUnit XML for CI test reports) (default: -o FILE's extension, else table)")
	extFormatFlag(cmd)
	fl.StringArrayVarP(&f.outputs, "output", "o", nil, "write the report to FILE instead of stdout; repeat it to write several formats at once, each named by its file's extension")
	fl.BoolVar(&f.noCache, "no-cache", false, "never use the response cache")
	fl.BoolVar(&f.cache, "cache", false, "use the response cache even when temperature is not 0")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no progress output")
	fl.StringVar(&f.resume, "resume", "", "finish an interrupted run: run only its missing cells")
	fl.StringVar(&f.note, "note", "", "note stored with the run")
	fl.StringArrayVar(&f.shadowPrices, "shadow-price", nil, "also show what the run would cost on TARGET (repeatable)")
	fl.StringVar(&f.suite, "suite", "", "run the cases of suite NAME and score every cell by its checks")
	fl.Float64Var(&f.failUnder, "fail-under", 0, "with --suite: exit 1 when a version × target pass rate is below this (0..1)")
	fl.StringArrayVar(&f.gate, "gate", nil, "with --fail-under: judge only version REF (repeatable); the others are shown beside it, not judged")
	return cmd
}

func (a *app) run(cmd *cobra.Command, args []string, f runFlags) error {
	for _, p := range f.outputs {
		// Before any call is made (and paid for), not after; before the
		// format its name would give.
		if p == "" {
			continue
		}
		if err := a.checkOutputDir(p, f.cases); err != nil {
			return usagef("-o %s: %v", p, err)
		}
	}
	outs, err := runOutputs(cmd, f.format, f.outputs)
	if err != nil {
		return err
	}
	if f.repeat < 1 {
		return usagef("--repeat must be at least 1")
	}
	if f.repeat > maxCells {
		return usagef("--repeat %d: at most %d cells run at once", f.repeat, maxCells)
	}
	if f.parallel < 0 {
		return usagef("-j must be 0 (no global cap) or more")
	}
	if f.resume != "" && len(args) > 0 {
		return usagef("--resume takes no REF: the run already names its versions")
	}
	if f.cache && f.noCache {
		return usagef("--cache and --no-cache contradict each other: use one")
	}
	if f.suite != "" && f.cases != "" {
		return usagef("--suite and --cases both give cases: use one")
	}
	if !(f.failUnder >= 0 && f.failUnder <= 1) { // NaN too: no pass rate is below it, so the gate would never fail
		return usagef("--fail-under %v: a pass rate between 0 and 1 (e.g. 0.9)", f.failUnder)
	}
	if len(f.gate) > 0 && f.failUnder == 0 {
		return usagef("--gate needs --fail-under: it names the versions the pass rate is asked of")
	}
	if f.failUnder > 0 && f.suite == "" && f.resume == "" {
		return usagef("--fail-under needs --suite NAME: the suite's checks decide what passes")
	}
	if f.resume == "" && len(args) == 0 && f.suite == "" {
		return usagef("run takes at least one REF (e.g. whet run summary -m echo); see 'whet run --help'")
	}
	reg, err := a.registry()
	if err != nil {
		return err
	}
	st, err := a.store()
	if err != nil {
		return err
	}
	for _, sp := range f.shadowPrices {
		if _, err := reg.Resolve(sp); err != nil {
			return usagef("--shadow-price: %v", err)
		}
	}
	if f.resume == "" && len(args) == 0 {
		// --suite alone runs the latest version of the suite's prompt.
		su, err := st.GetSuite(a.ctx, f.suite)
		if err != nil {
			return err
		}
		if su.Prompt == "" {
			return usagef("suite %s belongs to no prompt: name the versions to run (e.g. whet run NAME@production --suite %s)", su.Name, su.Name)
		}
		args = []string{su.Prompt}
	}
	var plan runner.Plan
	complete := false // a resumed run that has every cell already
	if f.resume != "" {
		plan, complete, err = a.resumePlan(st, f.resume)
	} else {
		plan, err = a.newPlan(st, reg, args, f)
	}
	if err != nil {
		return err
	}
	// A target whose provider cannot be set up, or that needs an API key
	// no variable holds, would fail every one of its cells: say so now,
	// before a run is created. A complete run calls none.
	if !complete {
		if err := runner.CheckTargets(reg, plan.Run.Targets); err != nil {
			return err
		}
	}
	gated, err := a.gatedVersions(st, plan.Run, f.gate)
	if err != nil {
		return err
	}
	// A new run's report is built from the results as they were saved
	// rather than read back: at thousands of cells, reading them again was
	// a large part of the run's time after its last call.
	var saved []prompt.Result
	opts := runner.Options{MaxParallel: f.parallel, Resume: f.resume != "", Cache: f.cache, NoCache: f.noCache}
	status, runErr := prompt.RunDone, error(nil)
	if complete {
		// Resuming it is no error: its report is written as the run
		// (or the resume that finished it) wrote it, from what is
		// saved, with no model called and nothing scored again.
		fmt.Fprintf(a.env.Stderr, "run %s is already complete: nothing to resume\n", plan.Run.ID)
	} else {
		// Claim the run, so that a --resume of it from another process
		// while this one executes it is refused instead of calling its
		// cells twice, and so that readers can tell it from a run whose
		// process was killed.
		var unlock func()
		if f.resume == "" {
			unlock, err = st.StartRun(a.ctx, &plan.Run)
		} else {
			unlock, err = st.LockRun(plan.Run.ID)
		}
		if err != nil {
			return err
		}
		defer unlock()
		if f.resume == "" {
			saved = make([]prompt.Result, 0, plan.Run.Cells())
			opts.Saved = func(rs []prompt.Result) { saved = append(saved, rs...) }
		}
		// --no-cache asks a suite's judge again too.
		status, runErr, err = a.execute(st, reg, plan, opts, !f.noCache, f.quiet)
		if err != nil {
			return err
		}
	}

	// The report is written even after ctrl+c: with a fresh context.
	ctx := context.WithoutCancel(a.ctx)
	scored := plan.Run.Suite != ""
	var rr report.RunReport
	if opts.Saved != nil {
		rr, err = a.savedReport(ctx, st, plan.Run, saved)
	} else {
		rr, err = a.runReport(ctx, st, plan.Run.ID)
	}
	if err != nil {
		return err
	}
	if status == prompt.RunInterrupted {
		// This process still holds the run's claim, so the store reads
		// it as running; and a run stopped by a full disk could not even
		// be marked.
		rr.Run.Status = status
	}
	var groups []eval.Group
	if scored {
		groups = eval.Aggregate(rr.Results, rr.Scores, rr.Run)
	}
	table := false
	for _, o := range outs {
		if scored && (o.format == "md" || o.format == "markdown") {
			err = a.writeTo(o.path, func(w io.Writer) error { return writeGateMarkdown(w, rr, groups, f.failUnder, gated) })
		} else {
			err = a.writeReport(rr, o.format, o.path)
		}
		if err != nil {
			return fmt.Errorf("writing the report: %w (the run is saved: whet export %s --format %s -o FILE writes it again)", err, plan.Run.ID, exportFormat(o.format))
		}
		table = table || o.format == "table"
	}
	if scored && table {
		writePassLines(a.env.Stdout, groups, gated)
		writeABLines(a.env.Stdout, rr)
	}
	a.printShadow(reg, rr, f.shadowPrices)

	failed := 0
	for _, r := range rr.Results {
		if !r.OK() {
			failed++
			fmt.Fprintf(a.env.Stderr, "failed: %s × %s × %s #%d: %s\n", versionRef(rr, r.VersionID), r.Target, textutil.OneLine(caseLabel(rr.Run, r.Case)), r.Repeat+1, textutil.OneLine(r.Error))
		}
	}
	if status == prompt.RunInterrupted {
		a.printInterruptCause(plan.Run.ID, runErr)
		fmt.Fprintf(a.env.Stderr, "interrupted: %d of %d cells finished; run the rest with: whet run --resume %s\n", len(rr.Results), plan.Run.Cells(), plan.Run.ID)
		return silentError{code: 1}
	}
	if runErr != nil {
		return runErr
	}
	// The gate's verdict is said even when cells failed: a failed call is a
	// failing case, and CI wants to know which version × target fell short.
	gateFailed := false
	if f.failUnder > 0 && scored && status == prompt.RunDone {
		if failing := gateFailures(groups, f.failUnder, gated); len(failing) > 0 {
			for _, g := range failing {
				fmt.Fprintln(a.env.Stderr, gateLine(g, f.failUnder))
			}
			if lines := gateCaseLines(rr, failing); len(lines) > 0 {
				fmt.Fprintln(a.env.Stderr, "gate: failing cases:")
				for _, l := range lines {
					fmt.Fprintln(a.env.Stderr, l)
				}
			}
			gateFailed = true
		} else if !f.quiet {
			which := "every version × target"
			if gated != nil {
				which = "every gated version × target"
			}
			fmt.Fprintf(a.env.Stderr, "gate: %s passes %s or more\n", which, pctText(f.failUnder))
		}
	}
	if failed > 0 {
		fmt.Fprintf(a.env.Stderr, "%d of %d cells failed (run %s)\n", failed, len(rr.Results), plan.Run.ID)
		return silentError{code: 1}
	}
	if gateFailed {
		return silentError{code: 1}
	}
	if !f.quiet {
		fmt.Fprintf(a.env.Stderr, "run %s: %s ok\n", plan.Run.ID, count(len(rr.Results), "cell"))
	}
	return nil
}

// execute runs plan's cells with progress on stderr and, when the run has
// a suite and finished, scores every cell by its checks, with the judge's
// verdicts cached when judgeCache is set. runErr is the executor's; err a
// scoring failure.
func (a *app) execute(st *store.Store, reg *runner.Registry, plan runner.Plan, opts runner.Options, judgeCache, quiet bool) (status prompt.RunStatus, runErr, err error) {
	progress := newProgress(a.env.Stderr, plan, quiet, isTerminal(a.env.Stderr))
	for _, v := range plan.Run.Versions {
		progress.refs[v.VersionID] = v.Ref()
	}
	ex := runner.NewExecutor(reg, st, opts)
	status, runErr = ex.Execute(a.ctx, plan, progress)
	progress.finish()
	if plan.Run.Suite != "" && status == prompt.RunDone {
		if !quiet {
			fmt.Fprintf(a.env.Stderr, "scoring %s with suite %s\n", count(plan.Run.Cells(), "cell"), plan.Run.Suite)
		}
		ev := a.evaluator(reg, st)
		if !judgeCache {
			ev.Cache = nil
		}
		err = a.scoreRun(a.ctx, ev, st, plan.Run, plan.Versions)
	}
	return status, runErr, err
}

// printInterruptCause says why a run stopped when it was not ctrl+c: its
// results could not be saved (the database locked for too long, a full
// disk).
func (a *app) printInterruptCause(runID string, runErr error) {
	if runErr == nil || errors.Is(runErr, context.Canceled) {
		return
	}
	var fe *store.FileError
	if errors.As(runErr, &fe) {
		// What finished is saved and --resume runs the rest: what to do
		// first is all the user needs.
		fmt.Fprintf(a.env.Stderr, "whet: run %s stopped: database %s: %s; %s\n", runID, textutil.Sanitize(fe.Path), fe.What, textutil.Sanitize(fe.Fix))
		return
	}
	fmt.Fprintln(a.env.Stderr, "whet: "+textutil.Sanitize(runErr.Error()))
}

func versionRef(rr report.RunReport, id int64) string {
	for _, v := range rr.Run.Versions {
		if v.VersionID == id {
			return v.Ref()
		}
	}
	return fmt.Sprintf("version#%d", id)
}

// caseTitle is caseLabel with an unnamed case's description (Case.Title).
func caseTitle(r prompt.Run, i int) string {
	if i >= 0 && i < len(r.Cases) {
		return r.Cases[i].Title(i)
	}
	return caseLabel(r, i)
}

func caseLabel(r prompt.Run, i int) string {
	if i >= 0 && i < len(r.Cases) {
		return r.Cases[i].Label(i)
	}
	return fmt.Sprintf("case %d", i+1)
}

// newPlan resolves refs, targets and cases into a plan.
func (a *app) newPlan(st *store.Store, reg *runner.Registry, refs []string, f runFlags) (runner.Plan, error) {
	plan := runner.Plan{Versions: map[int64]prompt.Version{}}
	run := &plan.Run
	run.Source, run.Repeat, run.Author, run.Note = "cli", f.repeat, a.author(), f.note
	run.NoCache, run.ForceCache = f.noCache, f.cache

	defaults := map[string]string{}
	for _, s := range refs {
		ref, err := a.parseRef(s)
		if err != nil {
			return plan, err
		}
		v, err := st.Resolve(a.ctx, ref)
		if err != nil {
			return plan, err
		}
		if _, dup := plan.Versions[v.ID]; dup {
			continue
		}
		p, err := st.GetPrompt(a.ctx, v.Prompt)
		if err != nil {
			return plan, err
		}
		for k, val := range p.Defaults {
			if _, ok := defaults[k]; !ok {
				defaults[k] = val
			}
		}
		plan.Versions[v.ID] = v
		run.Versions = append(run.Versions, prompt.RunVersion{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number, Hash: v.Hash})
	}

	specs := f.targets
	if f.targetsSet && len(nonBlank(specs)) == 0 {
		return plan, usagef("-m names no target: give one (e.g. -m echo, -m ollama:llama3.2), or leave -m out for the config's targets")
	}
	if len(specs) == 0 {
		ts, err := reg.Targets()
		if err != nil {
			return plan, err
		}
		for _, t := range ts {
			specs = append(specs, t.Spec)
		}
		if len(specs) == 0 {
			return plan, usagef("no targets: give -m TARGET (e.g. -m echo, -m ollama:llama3.2) or set 'targets' in the config")
		}
	}
	seen := map[string]bool{}
	for _, s := range specs {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		t, err := reg.Resolve(s)
		if err != nil {
			return plan, usageError{err}
		}
		if !seen[t.Spec] {
			seen[t.Spec] = true
			run.Targets = append(run.Targets, t.Spec)
		}
	}

	overrides, err := parseKV("var", f.vars)
	if err != nil {
		return plan, err
	}
	var cases []prompt.Case
	if f.suite != "" {
		su, err := st.GetSuite(a.ctx, f.suite)
		if err != nil {
			return plan, err
		}
		if len(su.Cases) == 0 {
			return plan, usagef("suite %s has no cases", su.Name)
		}
		run.Suite = su.Name
		cases = eval.SuiteCases(su)
		if err := a.checkGraders(reg, st, su.Name, cases); err != nil {
			return plan, err
		}
		// A misspelt variable in a suite file would otherwise run every
		// case on the prompt's sample value, quietly.
		a.noteUnusedColumns("suite "+su.Name, cases, plan)
	} else if f.cases != "" {
		data, err := a.readInput(f.cases)
		if err != nil {
			return plan, err
		}
		if cases, err = prompt.ParseCases(f.cases, data); err != nil {
			return plan, usageError{err}
		}
		a.noteUnusedColumns(f.cases, cases, plan)
	} else {
		cases = []prompt.Case{{Vars: map[string]string{}}}
	}
	for i := range cases {
		cases[i].Vars = prompt.MergeVars(defaults, cases[i].Vars, overrides)
	}
	run.Cases = cases
	if n := run.Cells(); n > maxCells {
		return plan, usagef("the plan has %d cells (%d versions × %d targets × %d cases × %d repeats): at most %d run at once; split it into several runs",
			n, len(run.Versions), len(run.Targets), len(run.Cases), run.Repeat, maxCells)
	}
	return plan, checkPlanVariables(plan)
}

// maxCells caps a run's plan: a typo in --repeat or a runaway case file
// must not start (and bill) millions of calls, nor hold them all in memory.
const maxCells = 1_000_000

// checkGraders refuses, before any call is made, a suite whose
// model-graded checks could not be graded (eval.Evaluator.CheckSuite).
func (a *app) checkGraders(reg *runner.Registry, st *store.Store, suite string, cases []prompt.Case) error {
	if err := a.evaluator(reg, st).CheckSuite(suite, cases); err != nil {
		return usageError{err}
	}
	return nil
}

// noteUnusedColumns warns of case variables no version of the plan uses:
// a misspelt column would otherwise leave its variable to the prompt's
// sample value without a word.
func (a *app) noteUnusedColumns(file string, cases []prompt.Case, plan runner.Plan) {
	used := map[string]bool{}
	var names []string
	for _, rv := range plan.Run.Versions {
		for _, n := range plan.Versions[rv.VersionID].Variables() {
			if !used[n] {
				used[n] = true
				names = append(names, n)
			}
		}
	}
	unused := map[string]bool{}
	for _, c := range cases {
		for k := range c.Vars {
			if !used[k] {
				unused[k] = true
			}
		}
	}
	if len(unused) == 0 {
		return
	}
	slices.Sort(names)
	fmt.Fprintf(a.env.Stderr, "note: %s: %s not a variable of the prompt, so not used (its variables: %s)\n",
		file, strings.Join(prompt.SortedKeys(unused), ", "), strings.Join(names, ", "))
}

// checkPlanVariables refuses a plan in which some case lacks a variable a
// version needs: a usage error before any call is made.
func checkPlanVariables(plan runner.Plan) error {
	if err := plan.CheckVariables(); err != nil {
		return usagef("%v (give each with --var NAME=VALUE, a column of the case file, or a sample value of the prompt)", err)
	}
	return nil
}

// resumePlan is the plan of run id, to resume; complete when the run has
// finished every cell already, and so has nothing to resume.
func (a *app) resumePlan(st *store.Store, id string) (plan runner.Plan, complete bool, err error) {
	run, err := st.GetRun(a.ctx, id)
	if err != nil {
		return runner.Plan{}, false, err
	}
	if run.Status == prompt.RunDone {
		return runner.Plan{Run: run}, true, nil
	}
	plan, err = runner.PlanOf(a.ctx, st, run)
	if err != nil {
		return plan, false, err
	}
	return plan, false, plan.Validate()
}

// runReport loads everything a report needs.
func (a *app) runReport(ctx context.Context, st *store.Store, id string) (report.RunReport, error) {
	return a.loadReport(ctx, st, id, st.Results)
}

// runSummary is runReport with every result's Output left empty
// (store.ResultsBrief): enough for the summary table, the pass rates and
// the A/B lines, which show no output, and much cheaper on a long run.
// A suite's run with repeats is read whole: the lines under its table say
// how alike the repeats' outputs are, and empty ones are all alike.
func (a *app) runSummary(ctx context.Context, st *store.Store, id string) (report.RunReport, error) {
	rr, err := a.loadReport(ctx, st, id, st.ResultsBrief)
	if err == nil && rr.Run.Suite != "" && rr.Run.Repeat > 1 {
		rr.Results, err = st.Results(ctx, rr.Run.ID)
	}
	return rr, err
}

// loadReport loads a run's report, with its results read by read (nil:
// none).
func (a *app) loadReport(ctx context.Context, st *store.Store, id string, read func(context.Context, string) ([]prompt.Result, error)) (report.RunReport, error) {
	run, err := st.GetRun(ctx, id)
	if err != nil {
		return report.RunReport{}, err
	}
	var results []prompt.Result
	if read != nil {
		if results, err = read(ctx, run.ID); err != nil {
			return report.RunReport{}, err
		}
	}
	return a.reportOf(ctx, st, run, results)
}

// reportOf is the report of run with its results given: the run's scores
// and versions are read from st.
func (a *app) reportOf(ctx context.Context, st *store.Store, run prompt.Run, results []prompt.Result) (report.RunReport, error) {
	scores, err := st.Scores(ctx, run.ID)
	if err != nil {
		return report.RunReport{}, err
	}
	versions := map[int64]prompt.Version{}
	for _, rv := range run.Versions {
		if v, err := st.VersionByID(ctx, rv.VersionID); err == nil {
			versions[v.ID] = v
		}
	}
	return report.RunReport{Run: run, Results: results, Scores: scores, Versions: versions, Generated: time.Now(), Unpriced: a.unpriced(run.Targets)}, nil
}

// unpriced are the targets whose price the config and the catalogue do
// not know (report.RunReport.Unpriced); none when the config cannot be
// read.
func (a *app) unpriced(targets []string) []string {
	reg, err := a.registry()
	if err != nil {
		return nil
	}
	return runner.Unpriced(reg, targets)
}

// knownRunReport is runReport of a run whose cases are known (read
// already): they are not read again. Drift compares two runs of 100,000
// cases; reading each one's cases twice held four copies of them.
func (a *app) knownRunReport(ctx context.Context, st *store.Store, known prompt.Run) (report.RunReport, error) {
	run, err := st.GetRunBrief(ctx, known.ID)
	if err != nil {
		return report.RunReport{}, err
	}
	run.Cases = known.Cases
	results, err := st.Results(ctx, run.ID)
	if err != nil {
		return report.RunReport{}, err
	}
	return a.reportOf(ctx, st, run, results)
}

// savedReport is runReport with the run's results given, as the executor
// saved them, in the order Store.Results reads them, and its cases those
// of the plan it executed (the plan saved them): at 100,000 cases, reading
// them back held a second copy of them, larger than the report's results.
func (a *app) savedReport(ctx context.Context, st *store.Store, planned prompt.Run, results []prompt.Result) (report.RunReport, error) {
	run, err := st.GetRunBrief(ctx, planned.ID)
	if err != nil {
		return report.RunReport{}, err
	}
	run.Cases = planned.Cases
	slices.SortFunc(results, func(x, y prompt.Result) int {
		return cmp.Or(cmp.Compare(x.VersionID, y.VersionID), strings.Compare(x.Target, y.Target),
			cmp.Compare(x.Case, y.Case), cmp.Compare(x.Repeat, y.Repeat))
	})
	return a.reportOf(ctx, st, run, results)
}

// checkOutputDir reports why a report could not be written to path: its
// directory is missing or not a directory, path is a directory, or path is
// a file whet reads, which the report would destroy: the database (with its
// -wal and -shm), the config file, or one of the command's inputs.
func (a *app) checkOutputDir(path string, inputs ...string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return errors.New("is a directory")
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("directory %s does not exist", dir)
	case err != nil:
		return err
	case !fi.IsDir():
		return fmt.Errorf("%s is not a directory", dir)
	}
	if p, err := a.resolvePaths(); err == nil {
		if err := outfile.CheckOwn(path, p.Database, p.ConfigFile); err != nil {
			return err
		}
	}
	for _, in := range inputs {
		if in != "" && outfile.SamePath(path, in) {
			return errors.New("is a file this command reads: the report would overwrite it")
		}
	}
	return nil
}

// reportOut is one report a run writes: to path (stdout when empty) in
// format.
type reportOut struct{ path, format string }

// runOutputs resolves where whet run writes its report: to stdout or one
// -o FILE in --format's format (or the file's, see outputFormat), or to
// several -o files, each in the format its extension names (--format
// serving those whose extension names none), so that one run writes, say,
// the JUnit XML for the CI system and the Markdown for the pull request.
func runOutputs(cmd *cobra.Command, format string, paths []string) ([]reportOut, error) {
	formats := []string{"table", "md", "json", "csv", "junit"}
	if len(paths) <= 1 {
		o := reportOut{format: format}
		if len(paths) == 1 {
			o.path = paths[0]
		}
		var err error
		if o.format, err = outputFormat(cmd, format, o.path, formats...); err != nil {
			return nil, err
		}
		return []reportOut{o}, checkFormat(o.format)
	}
	if err := checkFormat(format); err != nil {
		return nil, err
	}
	outs := make([]reportOut, 0, len(paths))
	for _, p := range paths {
		if p == "" {
			return nil, usagef("-o: give a file name")
		}
		for _, o := range outs {
			if outfile.SamePath(o.path, p) {
				return nil, usagef("-o %s: given twice", p)
			}
		}
		f, ok := extFormats[strings.ToLower(filepath.Ext(p))]
		if !ok || !slices.Contains(formats, f) {
			if !cmd.Flags().Changed("format") {
				return nil, usagef("-o %s: with several -o files, each one's extension names its format (.md, .json, .csv, .xml for JUnit, .txt for the table), or --format names it for those without one", p)
			}
			f = format
		}
		outs = append(outs, reportOut{p, f})
	}
	return outs, nil
}

// exportFormat is the whet export format that writes what a run's report
// format wrote (export has no table).
func exportFormat(format string) string {
	if format == "table" || format == "" {
		return "md"
	}
	return format
}

// writeTo writes to stdout, or to output when it is set: whole or not at
// all (outfile.Write), so a failure part-way keeps the file there before.
func (a *app) writeTo(output string, write func(io.Writer) error) error {
	if output != "" {
		if err := outfile.Write(output, write); err != nil {
			return err
		}
		fmt.Fprintf(a.env.Stderr, "report written to %s\n", output)
		return nil
	}
	// Reports are written in many small pieces: buffered, a report of
	// thousands of rows takes a few system calls instead of one per piece.
	bw := bufio.NewWriterSize(a.env.Stdout, 64<<10)
	err := write(bw)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return err
}

func (a *app) writeReport(rr report.RunReport, format, output string) error {
	return a.writeTo(output, func(w io.Writer) error {
		switch format {
		case "md", "markdown":
			return report.Markdown(w, rr)
		case "json":
			return report.JSON(w, rr)
		case "csv":
			return report.CSV(w, rr)
		case "junit":
			return report.JUnit(w, rr)
		default:
			width := 0 // -o FILE: no terminal to fit
			if output == "" {
				width = terminalWidth(a.env.Stdout)
			}
			return report.Table(w, rr, width)
		}
	})
}

func (a *app) printShadow(reg *runner.Registry, rr report.RunReport, specs []string) {
	for _, spec := range specs {
		t, err := reg.Resolve(spec)
		if err != nil {
			continue
		}
		price, ok := reg.Price(t)
		if !ok {
			fmt.Fprintf(a.env.Stderr, "shadow price: no price known for %s (add one under the provider's prices in the config)\n", t.Spec)
			continue
		}
		var in, out int
		for _, r := range rr.Results {
			in += r.TokensIn
			out += r.TokensOut
		}
		fmt.Fprintf(a.env.Stderr, "shadow price: %d tokens in, %d out would cost $%.4f on %s\n", in, out, runner.Cost(price, in, out), t.Spec)
	}
}

// progress renders run events on stderr: a redrawn bar on a terminal, plain
// lines otherwise. It implements runner.Sink.
type progress struct {
	w       io.Writer
	tty     bool
	quiet   bool
	total   int
	start   time.Time
	mu      sync.Mutex
	done    int
	errors  int
	skipped int
	perTgt  map[string]int
	refs    map[int64]string
	run     prompt.Run // for the cases' names
	last    time.Time
	drawn   bool
}

func newProgress(w io.Writer, plan runner.Plan, quiet, tty bool) *progress {
	return &progress{w: w, tty: tty, quiet: quiet, total: plan.Run.Cells(), start: time.Now(), perTgt: map[string]int{}, refs: map[int64]string{}, run: plan.Run}
}

// Publish implements runner.Sink.
func (p *progress) Publish(e runner.Event) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e := e.(type) {
	case runner.RunStarted:
		p.total = e.Cells
		p.skipped = e.Skipped
		if !p.tty {
			msg := fmt.Sprintf("run %s: %s", e.RunID, count(e.Cells, "cell"))
			if e.Skipped > 0 {
				msg += fmt.Sprintf(" (%d already done)", e.Skipped)
			}
			fmt.Fprintln(p.w, msg)
		}
	case runner.CellRetry:
		if !p.tty {
			fmt.Fprintf(p.w, "retry %s × %s × %s #%d (attempt %d in %s): %s\n", p.refs[e.Key.VersionID], e.Key.Target, textutil.OneLine(caseLabel(p.run, e.Key.Case)), e.Key.Repeat+1, e.Attempt, e.Wait.Round(time.Millisecond), textutil.OneLine(fmt.Sprint(e.Err)))
		}
	case runner.CellDone:
		p.done++
		p.perTgt[e.Result.Target]++
		r := e.Result
		if !r.OK() {
			p.errors++
		}
		if !p.tty {
			status := "ok"
			var notes []string
			if r.CacheHit {
				notes = append(notes, "cached")
			}
			if r.FinishReason != "" && r.FinishReason != "stop" {
				// Cut short, filtered, …: not a whole answer.
				notes = append(notes, textutil.OneLine(r.FinishReason))
			}
			if !r.OK() {
				status = "error: " + firstLine(textutil.Sanitize(r.Error))
			} else if len(notes) > 0 {
				status += " (" + strings.Join(notes, ", ") + ")"
			}
			fmt.Fprintf(p.w, "[%d/%d] %s × %s × %s #%d %dms %s\n", p.done, p.total, p.refs[r.VersionID], r.Target, textutil.OneLine(caseLabel(p.run, r.Case)), r.Repeat+1, r.Latency.Milliseconds(), status)
			return
		}
		if time.Since(p.last) > 50*time.Millisecond || p.done == p.total {
			p.draw()
		}
	}
}

func (p *progress) draw() {
	p.last = time.Now()
	elapsed := time.Since(p.start)
	width := 24
	filled := 0
	if p.total > 0 {
		filled = p.done * width / p.total
	}
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	eta := "?"
	if p.done > 0 && p.done < p.total {
		eta = (time.Duration(float64(elapsed) / float64(p.done) * float64(p.total-p.done))).Round(time.Second).String()
	} else if p.done == p.total {
		eta = "0s"
	}
	var rates []string
	for _, t := range prompt.SortedKeys(p.perTgt) {
		rates = append(rates, fmt.Sprintf("%s %.1f/s", t, float64(p.perTgt[t])/elapsed.Seconds()))
	}
	sort.Strings(rates)
	line := fmt.Sprintf("%s %d/%d  errors %d  elapsed %s  ETA %s  %s", bar, p.done, p.total, p.errors, elapsed.Round(100*time.Millisecond), eta, strings.Join(rates, "  "))
	if w := terminalWidth(p.w); w > 10 && len([]rune(line)) > w-1 {
		line = string([]rune(line)[:w-2]) + "…"
	}
	fmt.Fprintf(p.w, "\r\x1b[2K%s", line)
	p.drawn = true
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.drawn {
		p.draw()
		fmt.Fprintln(p.w)
	}
}
