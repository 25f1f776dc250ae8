package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"whet/eval"
	"whet/prompt"
	"whet/report"
	"whet/store"
)

func init() { registerCmd((*app).compareCmd) }

func (a *app) compareCmd() *cobra.Command {
	var format, output, target, version string
	cmd := &cobra.Command{
		Use:   "compare RUN_ID [A B] [--target T | --version REF] [--format md|json|csv] [-o FILE]",
		Short: "Compare two versions, or two targets, of a run case by case (Markdown for a pull request, JSON, CSV)",
		Long: `Set two sides of a run against each other, case by case: two versions on one
target, or one version on two targets. A and B name the sides: versions of the
run (summary@2, or @2, or a ref that names one: summary@production) or
targets of the run (ollama:llama3.2). Two versions are compared on --target
(default: the run's first target); two targets for --version (default: the
run's first version). Without A and B: the run's first two versions, else
its first two targets, as the TUI's Compare opens.

The Markdown holds both sides' summaries, the A/B statistics when the run is
scored (wins, ties, losses, the win rate with its interval and the sign
test; the JSON's "ab"), the prompt diff between the versions and every
case's outputs side by side; on stderr, the A/B sentence. The CSV is one
row per pair and nothing else: the A/B statistics are in the Markdown and
the JSON (report/SCHEMA.md says which format carries what).`,
		Example: `  whet compare 1m869te23xva
  whet compare 1m869te23xva summary@1 summary@2 --target ollama:llama3.2 -o compare.md
  whet compare 1m869te23xva ollama:llama3.2 openai:gpt-4o-mini --format csv`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 && len(args) != 3 {
				return usagef("compare takes RUN_ID, or RUN_ID A B (see 'whet compare --help')")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "" {
				if err := a.checkOutputDir(output); err != nil {
					return usagef("-o %s: %v", output, err)
				}
			}
			var err error
			if format, err = outputFormat(cmd, format, output, "md", "json", "csv"); err != nil {
				return err
			}
			switch format {
			case "md", "markdown", "json", "csv":
			default:
				return usagef("--format %q: use md, json or csv", format)
			}
			st, err := a.readStore()
			if err != nil {
				return err
			}
			rr, err := a.runReport(context.WithoutCancel(a.ctx), st, args[0])
			if err != nil {
				return err
			}
			specs := make([]string, len(args)-1)
			for i, s := range args[1:] {
				specs[i] = a.runVersionSpec(st, rr.Run, a.runTargetSpec(rr.Run, s))
			}
			target = a.runTargetSpec(rr.Run, target)
			if version != "" {
				version = a.runVersionSpec(st, rr.Run, version)
			}
			sa, sb, err := compareSides(rr.Run, rr.Results, specs, version, target)
			if err != nil {
				return usageError{err}
			}
			if sa == sb && len(args) == 3 {
				return usagef("%s and %s are the same side of run %s: compare two versions or two targets", args[1], args[2], rr.Run.ID)
			}
			c := report.CompareRun(rr, sa, sb)
			ab := eval.CompareAB(c.A.Results, c.B.Results, rr.Scores, c.A.Label, c.B.Label)
			c.AB = ab.Stats()
			err = a.writeTo(output, func(w io.Writer) error {
				switch format {
				case "json":
					return report.CompareJSON(w, c)
				case "csv":
					return report.CompareCSV(w, c)
				}
				return report.CompareMarkdown(w, c)
			})
			if err != nil {
				return err
			}
			if len(rr.Scores) > 0 {
				sentence := ab.Sentence
				if why := report.TooFewCases(ab.Wins+ab.Losses, 1); why != "" && ab.P >= eval.Significance {
					sentence += " (" + why + ")" // as the Markdown says it
				}
				fmt.Fprintf(a.env.Stderr, "A/B: %s\n", sentence)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&format, "format", "md", "md, json or csv (default: -o FILE's extension, else md)")
	extFormatFlag(cmd)
	onceStringVarP(cmd, &output, "output", "o", "write to FILE instead of stdout")
	fl.StringVar(&target, "target", "", "the target two versions are compared on")
	fl.StringVar(&version, "version", "", "the version two targets are compared for (e.g. summary@2 or @2)")
	return cmd
}

// compareSides resolves the sides to compare: specs (none, or two
// versions, or two targets of run), with version or target fixing the
// other half.
func compareSides(run prompt.Run, results []prompt.Result, specs []string, version, target string) (a, b report.SideKey, err error) {
	if len(run.Versions) == 0 || len(run.Targets) == 0 {
		return a, b, fmt.Errorf("run %s has no versions or targets to compare", run.ID)
	}
	if version != "" && target != "" {
		return a, b, fmt.Errorf("--version and --target together fix both halves of a side, leaving nothing to compare: --target picks the target two versions are compared on, --version the version two targets are compared for")
	}
	v := run.Versions[0]
	if version != "" {
		if v, err = runVersion(run, version); err != nil {
			return a, b, err
		}
	}
	t := run.Targets[0]
	if target != "" {
		if t, err = runTarget(run, target); err != nil {
			return a, b, err
		}
	}
	if len(specs) == 0 && version == "" {
		if target == "" {
			t = "" // the first target with results of both sides
		}
		return report.DefaultSides(run, results, t)
	}
	if len(specs) == 0 {
		if len(run.Targets) < 2 {
			return a, b, fmt.Errorf("run %s has one target: nothing to compare for %s", run.ID, v.Ref())
		}
		return report.SideKey{VersionID: v.VersionID, Target: run.Targets[0]}, report.SideKey{VersionID: v.VersionID, Target: run.Targets[1]}, nil
	}
	t1, errT1 := runTarget(run, specs[0])
	t2, errT2 := runTarget(run, specs[1])
	if errT1 == nil && errT2 == nil {
		if target != "" {
			return a, b, fmt.Errorf("%s and %s are targets: --target does not apply (use --version)", specs[0], specs[1])
		}
		return report.SideKey{VersionID: v.VersionID, Target: t1}, report.SideKey{VersionID: v.VersionID, Target: t2}, nil
	}
	v1, errV1 := runVersion(run, specs[0])
	v2, errV2 := runVersion(run, specs[1])
	if errV1 == nil && errV2 == nil {
		if version != "" {
			return a, b, fmt.Errorf("%s and %s are versions: --version does not apply (use --target)", specs[0], specs[1])
		}
		return report.SideKey{VersionID: v1.VersionID, Target: t}, report.SideKey{VersionID: v2.VersionID, Target: t}, nil
	}
	for i, s := range specs {
		if ([]error{errT1, errT2}[i]) != nil && ([]error{errV1, errV2}[i]) != nil {
			return a, b, fmt.Errorf("%q is neither a version nor a target of run %s (versions: %s; targets: %s)",
				s, run.ID, runVersionRefs(run), strings.Join(run.Targets, ", "))
		}
	}
	return a, b, fmt.Errorf("compare two versions or two targets, not %s with %s", specs[0], specs[1])
}

// runVersionSpec turns a ref the run does not name as written (a tag,
// such as support/reply@production, a hash prefix, or a bare name for the
// latest version) into the ref of the run's version it resolves to, so
// that a CI script can compare by the refs it ran. Anything else (a
// target, a ref the run has, a ref that resolves to no version of the
// run) is returned as given, for compareSides to judge.
func (a *app) runVersionSpec(st *store.Store, run prompt.Run, spec string) string {
	if _, err := runTarget(run, spec); err == nil {
		return spec
	}
	if _, err := runVersion(run, spec); err == nil {
		return spec
	}
	ref, err := prompt.ParseRef(spec)
	if err != nil {
		return spec
	}
	v, err := st.Resolve(a.ctx, ref)
	if err != nil {
		return spec
	}
	for _, rv := range run.Versions {
		if rv.VersionID == v.ID {
			return rv.Ref()
		}
	}
	return spec
}

// runTargetSpec turns another name of one of run's targets
// (ollama:llama3.2:latest for ollama:llama3.2) into the run's name for it;
// anything else is returned as given.
func (a *app) runTargetSpec(run prompt.Run, spec string) string {
	if _, err := runTarget(run, spec); err == nil || spec == "" {
		return spec
	}
	reg, err := a.registry()
	if err != nil {
		return spec
	}
	if t, err := runTarget(run, reg.Canonical(strings.TrimSpace(spec))); err == nil {
		return t
	}
	return spec
}

// runVersion finds a version of run by its ref (summary@2) or number (@2).
func runVersion(run prompt.Run, ref string) (prompt.RunVersion, error) {
	ref = strings.TrimSpace(ref)
	var found []prompt.RunVersion
	for _, v := range run.Versions {
		if strings.EqualFold(v.Ref(), ref) || ref == "@"+strconv.Itoa(v.Number) {
			found = append(found, v)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return prompt.RunVersion{}, fmt.Errorf("run %s has no version %q (it has %s)", run.ID, ref, runVersionRefs(run))
	}
	return prompt.RunVersion{}, fmt.Errorf("%q names several versions of run %s: write it as prompt@number (%s)", ref, run.ID, runVersionRefs(run))
}

func runTarget(run prompt.Run, spec string) (string, error) {
	for _, t := range run.Targets {
		if t == strings.TrimSpace(spec) {
			return t, nil
		}
	}
	return "", fmt.Errorf("run %s has no target %q (it has %s)", run.ID, spec, strings.Join(run.Targets, ", "))
}

func runVersionRefs(run prompt.Run) string {
	refs := make([]string, len(run.Versions))
	for i, v := range run.Versions {
		refs[i] = v.Ref()
	}
	return strings.Join(refs, ", ")
}
