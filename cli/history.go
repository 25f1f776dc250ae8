package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"whet/config"
	"whet/eval"
	"whet/prompt"
	"whet/report"
	"whet/runner"
	"whet/store"
	"whet/textutil"
)

func (a *app) modelsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "models",
		Short: "List configured targets and the models every reachable provider serves",
		Long: `List configured targets, aliases and configured models, every model a reachable
Ollama or OpenAI-compatible server lists (and Anthropic and Gemini, when their
key is set), and the targets earlier runs used.

Beside each target: the model identity its newest run recorded (the Ollama digest,
the resolved model, OpenAI's system_fingerprint). A model that changed under its
results is reported on stderr with the 'whet drift' command that shows what moved:
a server that now lists another digest (the model was pulled again), or a newest
run that recorded an identity the run of the target before it did not (with the
day it changed; a later run on the same model clears it).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := a.registry()
			if err != nil {
				return err
			}
			infos := runner.WithEcho(reg.ListTargets(a.ctx), reg)
			seen, failed, seenErr := a.modelsSeen()
			entries := modelEntries(infos, seen, failed)
			if asJSON {
				if seenErr != nil {
					fmt.Fprintln(a.env.Stderr, "note: earlier runs not read: "+textutil.OneLine(seenErr.Error()))
				}
				return writeJSON(a.env.Stdout, entries)
			}
			tw := newTableWriter(a.env.Stdout)
			fmt.Fprintln(tw, "TARGET\tSOURCE\tSIZE\tFAMILY\tPARAMS\tQUANT\tDIGEST\tLAST RUN")
			var issues, drifts, missing, failures []string
			reported, missed := map[string]bool{}, map[string]bool{}
			for _, e := range entries {
				t := e.TargetInfo
				if t.Issue != "" {
					name := t.Spec
					if name == "" {
						name = t.Provider
					}
					issues = append(issues, name+": "+t.Problem())
					continue
				}
				if t.Missing != "" && !missed[t.Spec] {
					missed[t.Spec] = true
					missing = append(missing, t.Spec+": "+t.Missing)
				}
				src := t.Source
				if t.Alias != "" {
					src = "alias " + t.Alias
				}
				digest, last := e.Listed, ""
				if f := e.Failed; f != nil && e.LastRun == nil {
					// Every call it was sent failed: no identity was recorded.
					last = f.RunID + " (all failed)"
					if !reported[t.Spec] {
						reported[t.Spec] = true
						failures = append(failures, fmt.Sprintf("%s: %s failed and none answered, the newest in run %s: %s",
							t.Spec, count(f.Calls, "call"), f.RunID, f.Error))
					}
				}
				if e.LastRun != nil {
					last = e.LastRun.RunID
					if digest == "" {
						digest = e.LastRun.Digest
					}
					first := !reported[t.Spec]
					reported[t.Spec] = true
					switch e.LastRun.Drift {
					case store.DriftDigest:
						last += " (new digest)"
						if !first {
							break
						}
						drifts = append(drifts, fmt.Sprintf("%s: the server now lists digest %s; run %s recorded %s: 'whet drift %s' re-runs that run and shows what moved",
							t.Spec, prompt.ShortDigest(e.Listed), e.LastRun.RunID, prompt.ShortDigest(e.LastRun.Digest), e.LastRun.RunID))
					case store.DriftIdentity:
						last += " (changed)"
						if !first {
							break
						}
						p := e.LastRun.Previous
						since := ""
						if e.LastRun.ChangedAt != nil {
							since = " on " + e.LastRun.ChangedAt.Local().Format(time.DateOnly)
						}
						drifts = append(drifts, fmt.Sprintf("%s: run %s recorded %s%s, the run before it (%s) recorded %s: 'whet drift %s --against %s' shows what moved",
							t.Spec, e.LastRun.RunID, identity(e.LastRun.Model, e.LastRun.Digest), since, p.RunID, identity(p.Model, p.Digest), p.RunID, e.LastRun.RunID))
					}
				}
				// Cells are made one line and free of control sequences before
				// the tab writer measures them.
				row := []string{t.Spec, src, textutil.HumanBytes(t.Info.Size), t.Info.Family, t.Info.ParameterSize, t.Info.Quantization, prompt.ShortDigest(digest), last}
				for i := range row {
					row[i] = strings.ReplaceAll(textutil.OneLine(row[i]), "\t", " ")
				}
				fmt.Fprintln(tw, strings.Join(row, "\t"))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			models := 0 // targets that call a model: all but the built-in echo
			for _, e := range entries {
				if e.Issue == "" && e.Source != "builtin" {
					models++
				}
			}
			if models == 0 {
				fmt.Fprintln(a.env.Stderr, "no targets but echo: start Ollama, set OPENAI_API_KEY, ANTHROPIC_API_KEY or GEMINI_API_KEY, or add providers with 'whet config init'; echo needs none ('whet run NAME -m echo')")
			}
			for _, d := range drifts {
				fmt.Fprintln(a.env.Stderr, "changed: "+textutil.OneLine(d))
			}
			for _, m := range missing {
				fmt.Fprintln(a.env.Stderr, "missing: "+textutil.OneLine(m))
			}
			for _, f := range failures {
				fmt.Fprintln(a.env.Stderr, "failed: "+textutil.OneLine(f))
			}
			for _, is := range issues {
				fmt.Fprintln(a.env.Stderr, "unavailable: "+textutil.OneLine(is))
			}
			if seenErr != nil {
				fmt.Fprintln(a.env.Stderr, "note: earlier runs not read: "+textutil.OneLine(seenErr.Error()))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// modelEntry is one line of `whet models`: a listed target and what its
// newest run recorded.
type modelEntry struct {
	runner.TargetInfo
	LastRun *modelLastRun `json:"last_run,omitempty"`
	// Failed is what runs recorded of the target's failed calls; with no
	// LastRun, every call it was sent failed.
	Failed *modelFailed `json:"failed,omitempty"`
	// Listed is the digest the server lists for the target now (an alias
	// has it from the listing of the target it names).
	Listed string `json:"-"`
}

// modelLastRun is the identity a target's newest run recorded, and the one
// before when it differs.
type modelLastRun struct {
	RunID    string            `json:"run_id"`
	Model    string            `json:"model"`
	Digest   string            `json:"digest"`
	At       *time.Time        `json:"at,omitempty"`
	Results  int               `json:"results"`
	Drift    store.ModelDrift  `json:"drift,omitempty"`
	Previous *modelPreviousRun `json:"previous,omitempty"`
	// ChangedAt is when the newest run first recorded an identity the run
	// before it did not (store.ModelSeen.Since).
	ChangedAt *time.Time `json:"changed_at,omitempty"`
}

// modelFailed counts a target's failed calls over every run, and names
// the newest one's run, start and error.
type modelFailed struct {
	Calls int        `json:"calls"`
	RunID string     `json:"run_id"`
	At    *time.Time `json:"at,omitempty"`
	Error string     `json:"error"`
}

type modelPreviousRun struct {
	RunID  string `json:"run_id"`
	Model  string `json:"model"`
	Digest string `json:"digest"`
}

// modelsSeen reads what earlier runs recorded of each target, by spec; nil
// (and no error) when there is no database yet: listing models creates none.
func (a *app) modelsSeen() (map[string]store.ModelSeen, map[string]store.TargetFailures, error) {
	if a.st == nil {
		if _, err := os.Stat(a.paths.Database); errors.Is(err, fs.ErrNotExist) {
			return nil, nil, nil
		}
	}
	st, err := a.readStore()
	if err != nil {
		return nil, nil, err
	}
	list, err := st.ModelsSeen(a.ctx)
	if err != nil {
		return nil, nil, err
	}
	out := make(map[string]store.ModelSeen, len(list))
	for _, m := range list {
		out[m.Target] = m
	}
	fails, err := st.TargetsFailed(a.ctx)
	if err != nil {
		return out, nil, err
	}
	failed := make(map[string]store.TargetFailures, len(fails))
	for _, f := range fails {
		failed[f.Target] = f
	}
	return out, failed, nil
}

// modelEntries joins a listing with what runs recorded; targets only runs
// know come after the listed ones (source "runs"), unusable entries last.
func modelEntries(infos []runner.TargetInfo, seen map[string]store.ModelSeen, failed map[string]store.TargetFailures) []modelEntry {
	listedDigest := map[string]string{}
	for _, t := range infos {
		if t.Info.Digest != "" {
			listedDigest[t.Spec] = t.Info.Digest
		}
	}
	last := func(t runner.Target) *modelLastRun {
		m, ok := seen[t.Spec]
		if !ok {
			return nil
		}
		lr := &modelLastRun{RunID: m.Current.RunID, Model: m.Current.Model, Digest: m.Current.Digest, Results: m.Current.Cells, Drift: m.Drift(listedDigest[t.Spec])}
		if !m.Current.Last.IsZero() {
			at := m.Current.Last.UTC()
			lr.At = &at
		}
		if p := m.Previous; p != nil {
			lr.Previous = &modelPreviousRun{RunID: p.RunID, Model: p.Model, Digest: p.Digest}
			if !m.Since.IsZero() {
				at := m.Since.UTC()
				lr.ChangedAt = &at
			}
		}
		return lr
	}
	fails := func(spec string) *modelFailed {
		f, ok := failed[spec]
		if !ok {
			return nil
		}
		mf := &modelFailed{Calls: f.Failed, RunID: f.RunID, Error: f.Error}
		if !f.Last.IsZero() {
			at := f.Last.UTC()
			mf.At = &at
		}
		return mf
	}
	var out, broken []modelEntry
	listed := map[string]bool{}
	for _, t := range infos {
		if t.Issue != "" {
			broken = append(broken, modelEntry{TargetInfo: t})
			continue
		}
		listed[t.Spec] = true
		out = append(out, modelEntry{TargetInfo: t, LastRun: last(t.Target), Failed: fails(t.Spec), Listed: listedDigest[t.Spec]})
	}
	var past []string
	for spec := range seen {
		if !listed[spec] {
			past = append(past, spec)
			listed[spec] = true
		}
	}
	for spec := range failed {
		if !listed[spec] {
			past = append(past, spec)
		}
	}
	sort.Strings(past)
	for _, spec := range past {
		t := runner.TargetInfo{Target: runner.Target{Spec: spec}, Source: "runs"}
		if pt, err := runner.ParseTarget(spec); err == nil {
			t.Target = pt
		}
		out = append(out, modelEntry{TargetInfo: t, LastRun: last(runner.Target{Spec: spec}), Failed: fails(spec)})
	}
	return append(out, broken...)
}

// identity is "model @ digest" in short.
func identity(model, digest string) string {
	if digest == "" {
		return model
	}
	return strings.TrimSpace(model + " @ " + prompt.ShortDigest(digest))
}

func (a *app) runsCmd() *cobra.Command {
	var asJSON bool
	var promptName string
	var limit int
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List runs, newest first ('whet runs show RUN_ID' for one)",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				return usagef("whet runs lists runs and takes no RUN_ID: 'whet runs show %s' shows one", args[0])
			}
			return noArgs(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return usagef("--limit %d: give a number of runs, or 0 for all", limit)
			}
			st, err := a.readStore()
			if err != nil {
				return err
			}
			fetch := limit
			if limit > 0 {
				fetch = limit + 1 // one more tells whether some were left out
			}
			runs, err := st.ListRuns(a.ctx, store.RunFilter{Prompt: promptName, Limit: fetch, Brief: true})
			if err != nil {
				return err
			}
			if limit > 0 && len(runs) > limit {
				runs = runs[:limit]
				fmt.Fprintf(a.env.Stderr, "note: %s; older ones are left out (--limit 0 shows all)\n", newest(limit, "run", "runs"))
			}
			// unpriced: the run used a model whose price is unknown, so its
			// cost is a lower bound (false when the config cannot be read).
			reg, regErr := a.registry()
			unpriced := func(r prompt.Run) bool {
				return regErr == nil && len(runner.Unpriced(reg, r.Targets)) > 0
			}
			if asJSON {
				type runJSON struct {
					ID       string     `json:"id"`
					Created  time.Time  `json:"created"`
					Finished *time.Time `json:"finished"`
					Status   string     `json:"status"`
					Source   string     `json:"source"`
					Versions []string   `json:"versions"`
					Targets  []string   `json:"targets"`
					Cases    int        `json:"cases"`
					Repeat   int        `json:"repeat"`
					Cells    int        `json:"cells"`
					Done     int        `json:"done"`
					Failed   int        `json:"failed"`
					Cost     float64    `json:"cost_usd"`
					Unpriced bool       `json:"unpriced"`
					Author   string     `json:"author"`
					Note     string     `json:"note"`
					Baseline string     `json:"baseline"`
				}
				out := make([]runJSON, 0, len(runs))
				for _, s := range runs {
					r := s.Run
					j := runJSON{ID: r.ID, Created: r.Created.UTC(), Status: string(r.Status), Source: r.Source, Versions: runRefs(r),
						Targets: r.Targets, Cases: s.Cases, Repeat: r.Repeat, Cells: s.Cells, Done: s.Done, Failed: s.Failed, Cost: report.RoundCost(s.Cost), Unpriced: unpriced(r), Author: r.Author, Note: r.Note, Baseline: r.DriftBaseline()}
					if j.Targets == nil {
						j.Targets = []string{}
					}
					if !r.Finished.IsZero() {
						f := r.Finished.UTC()
						j.Finished = &f
					}
					out = append(out, j)
				}
				return writeJSON(a.env.Stdout, out)
			}
			if len(runs) == 0 {
				fmt.Fprintln(a.env.Stderr, "no runs yet: try 'whet run NAME -m echo'")
				return nil
			}
			tw := newTableWriter(a.env.Stdout)
			fmt.Fprintln(tw, "RUN\tSTARTED\tSTATUS\tVERSIONS\tTARGETS\tCELLS\tFAILED\tCOST")
			for _, s := range runs {
				r := s.Run
				// A run on a model whose price is unknown cost at least
				// what is counted, as the Runs screen says: "?" when
				// nothing is.
				cost := "$" + report.CostText(s.Cost) // as the run's own table has it
				if unpriced(r) {
					cost = "≥" + cost
					if s.Cost == 0 {
						cost = "?"
					}
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d/%d\t%d\t%s\n", r.ID, r.Created.Local().Format("2006-01-02 15:04"), r.Status,
					strings.Join(runRefs(r), ","), strings.Join(r.Targets, ","), s.Done, s.Cells, s.Failed, cost)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&promptName, "prompt", "", "only runs of this prompt")
	cmd.Flags().IntVarP(&limit, "limit", "n", 50, "at most N runs (0 = all)")
	cmd.AddCommand(a.runsShowCmd(), a.runsPruneCmd())
	return cmd
}

func runRefs(r prompt.Run) []string {
	out := make([]string, len(r.Versions))
	for i, v := range r.Versions {
		out[i] = v.Ref()
	}
	return out
}

func (a *app) runsShowCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "show RUN_ID",
		Short: "Show one run's report (a unique prefix of the id is enough)",
		Args:  exactArgs(1, "RUN_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			if format != "table" {
				return a.exportRun(args[0], format, "")
			}
			// The table, and under it for a suite's run the pass rates
			// whet run printed.
			st, err := a.readStore()
			if err != nil {
				return err
			}
			rr, err := a.runSummary(a.ctx, st, args[0])
			if err != nil {
				return err
			}
			if err := a.writeReport(rr, format, ""); err != nil {
				return err
			}
			if rr.Run.Suite != "" {
				writePassLines(a.env.Stdout, eval.Aggregate(rr.Results, rr.Scores, rr.Run), nil)
				writeABLines(a.env.Stdout, rr)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table, md, json, csv or junit")
	return cmd
}

// exportRun writes run id's report in format to output (stdout when empty).
func (a *app) exportRun(id, format, output string) error {
	st, err := a.readStore()
	if err != nil {
		return err
	}
	rr, err := a.runReport(a.ctx, st, id)
	if err != nil {
		return err
	}
	return a.writeReport(rr, format, output)
}

func checkFormat(f string) error {
	switch f {
	case "table", "md", "markdown", "json", "csv", "junit":
		return nil
	}
	return usagef("--format %q: use table, md, json, csv or junit", f)
}

func (a *app) exportCmd() *cobra.Command {
	var format, output string
	cmd := &cobra.Command{
		Use:   "export RUN_ID [--format md|json|csv|junit] [-o FILE]",
		Short: "Export a run as Markdown (for a pull request), JSON, CSV or JUnit XML",
		Args:  exactArgs(1, "RUN_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "" {
				if err := a.checkOutputDir(output); err != nil {
					return usagef("-o %s: %v", output, err)
				}
			}
			var err error
			if format, err = outputFormat(cmd, format, output, "md", "json", "csv", "junit"); err != nil {
				return err
			}
			if format == "table" || checkFormat(format) != nil {
				return usagef("--format %q: export writes md, json, csv or junit ('whet runs show RUN_ID' prints the table)", format)
			}
			return a.exportRun(args[0], format, output)
		},
	}
	cmd.Flags().StringVar(&format, "format", "md", "md, json, csv or junit (JUnit XML) (default: -o FILE's extension, else md)")
	extFormatFlag(cmd)
	onceStringVarP(cmd, &output, "output", "o", "write to FILE instead of stdout")
	return cmd
}

func (a *app) configCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Write or check the config file",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	var force bool
	initCmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented default config file",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := a.resolvePaths()
			if err != nil {
				return err
			}
			if err := config.Init(p.ConfigFile, force); err != nil {
				if errors.Is(err, fs.ErrExist) {
					return usageError{err} // as backup's refusal is
				}
				return err
			}
			fmt.Fprintf(a.env.Stdout, "wrote %s\n", p.ConfigFile)
			return nil
		},
	}
	initCmd.Flags().BoolVar(&force, "force", false, "overwrite an existing file")
	checkCmd := &cobra.Command{
		Use:   "check",
		Short: "Validate the config file and report every problem with file:line",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := a.resolvePaths()
			if err != nil {
				return err
			}
			if err := a.checkConfigFile(p.ConfigFile); err != nil {
				return err
			}
			problems, err := config.Check(p.ConfigFile, a.env.Getenv)
			if err != nil {
				return err
			}
			for _, pr := range problems {
				fmt.Fprintln(a.env.Stderr, pr.String())
			}
			if len(problems) > 0 {
				fmt.Fprintf(a.env.Stderr, "%d problem(s) in %s\n", len(problems), p.ConfigFile)
				return silentError{code: 1}
			}
			if _, err := os.Stat(p.ConfigFile); errors.Is(err, fs.ErrNotExist) {
				fmt.Fprintf(a.env.Stdout, "%s: no such file, so the built-in defaults apply ('whet config init' writes it)\n", p.ConfigFile)
				return nil
			}
			fmt.Fprintf(a.env.Stdout, "%s: ok\n", p.ConfigFile)
			// A key variable unset here is not a problem of the file (CI
			// may set it), but its calls would go without a key: say so.
			if c, err := config.Load(p.ConfigFile, a.env.Getenv); err == nil {
				for _, name := range prompt.SortedKeys(c.Providers) {
					pv := c.Providers[name]
					if pv.APIKeyEnv != "" && pv.APIKeyCmd == "" && strings.TrimSpace(a.env.Getenv(pv.APIKeyEnv)) == "" {
						fmt.Fprintf(a.env.Stderr, "note: provider %s: $%s is not set here, so its calls would send no key\n", name, pv.APIKeyEnv)
					}
				}
			}
			return nil
		},
	}
	cmd.AddCommand(initCmd, checkCmd)
	return cmd
}
