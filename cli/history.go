package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"whet/config"
	"whet/prompt"
	"whet/store"
	"whet/textutil"
)

func (a *app) modelsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "models",
		Short: "List configured targets and the models of every reachable Ollama and OpenAI-compatible server",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := a.registry()
			if err != nil {
				return err
			}
			infos := reg.ListTargets(a.ctx)
			if asJSON {
				return writeJSON(a.env.Stdout, infos)
			}
			tw := tabwriter.NewWriter(termWriter{a.env.Stdout}, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "TARGET\tSOURCE\tSIZE\tFAMILY\tPARAMS\tQUANT\tDIGEST")
			var issues []string
			for _, t := range infos {
				if t.Issue != "" {
					name := t.Spec
					if name == "" {
						name = t.Provider
					}
					issues = append(issues, name+": "+t.Problem())
					continue
				}
				src := t.Source
				if t.Alias != "" {
					src = "alias " + t.Alias
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Spec, src, humanSize(t.Info.Size), t.Info.Family, t.Info.ParameterSize, t.Info.Quantization, prompt.ShortHash(t.Info.Digest))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, is := range issues {
				fmt.Fprintln(a.env.Stderr, "unavailable: "+textutil.OneLine(is))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func humanSize(n int64) string {
	if n <= 0 {
		return ""
	}
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
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
			st, err := a.store()
			if err != nil {
				return err
			}
			runs, err := st.ListRuns(a.ctx, store.RunFilter{Prompt: promptName, Limit: limit})
			if err != nil {
				return err
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
					Author   string     `json:"author"`
					Note     string     `json:"note"`
				}
				out := make([]runJSON, 0, len(runs))
				for _, s := range runs {
					r := s.Run
					j := runJSON{ID: r.ID, Created: r.Created.UTC(), Status: string(r.Status), Source: r.Source, Versions: runRefs(r),
						Targets: r.Targets, Cases: len(r.Cases), Repeat: r.Repeat, Cells: s.Cells, Done: s.Done, Failed: s.Failed, Cost: s.Cost, Author: r.Author, Note: r.Note}
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
			tw := tabwriter.NewWriter(termWriter{a.env.Stdout}, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "RUN\tSTARTED\tSTATUS\tVERSIONS\tTARGETS\tCELLS\tFAILED\tCOST")
			for _, s := range runs {
				r := s.Run
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d/%d\t%d\t$%.4f\n", r.ID, r.Created.Local().Format("2006-01-02 15:04"), r.Status,
					strings.Join(runRefs(r), ","), strings.Join(r.Targets, ","), s.Done, s.Cells, s.Failed, s.Cost)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&promptName, "prompt", "", "only runs of this prompt")
	cmd.Flags().IntVarP(&limit, "limit", "n", 50, "at most N runs (0 = all)")
	cmd.AddCommand(a.runsShowCmd())
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
			return a.exportRun(args[0], format, "")
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table, md, json or csv")
	return cmd
}

// exportRun writes run id's report in format to output (stdout when empty).
func (a *app) exportRun(id, format, output string) error {
	st, err := a.store()
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
	case "table", "md", "markdown", "json", "csv":
		return nil
	}
	return usagef("--format %q: use table, md, json or csv", f)
}

func (a *app) exportCmd() *cobra.Command {
	var format, output string
	cmd := &cobra.Command{
		Use:   "export RUN_ID [--format md|json|csv] [-o FILE]",
		Short: "Export a run as Markdown (for a pull request), JSON or CSV",
		Args:  exactArgs(1, "RUN_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format == "table" || checkFormat(format) != nil {
				return usagef("--format %q: export writes md, json or csv ('whet runs show RUN_ID' prints the table)", format)
			}
			if output != "" {
				if err := checkOutputDir(output); err != nil {
					return usagef("-o %s: %v", output, err)
				}
			}
			return a.exportRun(args[0], format, output)
		},
	}
	cmd.Flags().StringVar(&format, "format", "md", "md, json or csv")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to FILE instead of stdout")
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
			if err := a.checkConfigFlag(p.ConfigFile); err != nil {
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
			fmt.Fprintf(a.env.Stdout, "%s: ok\n", p.ConfigFile)
			return nil
		},
	}
	cmd.AddCommand(initCmd, checkCmd)
	return cmd
}
