package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"whet/eval"
	"whet/outfile"
	"whet/prompt"
	"whet/store"
	"whet/textutil"
)

func init() { registerCmd((*app).suiteCmd) }

func (a *app) suiteCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "suite",
		Aliases: []string{"suites"},
		Short:   "Suites: named sets of cases with checks, for scoring runs and gating CI",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(a.suiteNewCmd(), a.suiteImportCmd(), a.suiteListCmd(), a.suiteShowCmd(), a.suiteExportCmd(),
		a.suiteRenameCmd(), a.suiteDeleteCmd())
	return cmd
}

// readSuiteSource reads a suite from a YAML suite file, or cases from a
// CSV/JSONL/YAML case list (name from the flag or the file name).
func (a *app) readSuiteSource(path, name string) (prompt.Suite, error) {
	data, err := a.readInput(path)
	if err != nil {
		return prompt.Suite{}, err
	}
	su, _, err := eval.ReadSuiteSource(path, data)
	if err != nil {
		return prompt.Suite{}, usageError{err}
	}
	if name != "" {
		su.Name = name
	}
	return su, nil
}

func (a *app) suiteNewCmd() *cobra.Command {
	var promptName, description, cases string
	var threshold float64
	cmd := &cobra.Command{
		Use:     "new NAME [--cases FILE] [--prompt NAME] [--description D] [--threshold T]",
		Short:   "Create a suite, optionally from a case file",
		Example: "  whet suite new reply-quality --prompt support/reply --cases cases.csv --threshold 0.8",
		Args:    exactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("threshold") && !(threshold >= 0 && threshold <= 1) {
				return usagef("--threshold %v: a score between 0 and 1 (e.g. 0.8)", threshold)
			}
			su := prompt.Suite{Name: args[0]}
			if cases != "" {
				src, err := a.readSuiteSource(cases, args[0])
				if err != nil {
					return err
				}
				su = src
			}
			if promptName != "" {
				su.Prompt = promptName
			}
			if description != "" {
				su.Description = description
			}
			if cmd.Flags().Changed("threshold") {
				su.Threshold = &threshold
			}
			return a.saveSuite(su, false)
		},
	}
	cmd.Flags().StringVar(&promptName, "prompt", "", "the prompt this suite belongs to")
	cmd.Flags().StringVar(&description, "description", "", "what the suite checks")
	onceStringVarP(cmd, &cases, "cases", "", "cases: a suite .yaml, or a .csv/.jsonl/.yaml case list")
	cmd.Flags().Float64Var(&threshold, "threshold", 0, "score in [0,1] a case must reach to pass")
	return cmd
}

// validateSuiteName checks a suite name by the rule prompt names follow,
// as a usage error that calls it a suite name.
func validateSuiteName(name string) error {
	if prompt.ValidateName(name) == nil {
		return nil
	}
	if name == "" {
		return usagef("empty suite name: %s", prompt.NameRule)
	}
	return usagef("invalid suite name %q: %s", name, prompt.NameRule)
}

// sameSavedSuite reports whether saving su would change nothing of old,
// the suite saved under its name: the same cases and checks, the same
// prompt (its name's case aside) and the same spelling of the name.
func sameSavedSuite(old, su prompt.Suite) bool {
	if strings.EqualFold(su.Prompt, old.Prompt) {
		su.Prompt = old.Prompt
	}
	same, err := store.SameSuite(old, su)
	return err == nil && same && old.Name == su.Name
}

func (a *app) saveSuite(su prompt.Suite, replace bool) error {
	if err := validateSuiteName(su.Name); err != nil {
		return err
	}
	if err := eval.ValidateSuite(su); err != nil {
		return usageError{err}
	}
	st, err := a.store()
	if err != nil {
		return err
	}
	// The same file imported again (a CI job on a database it keeps)
	// changes nothing, as a prompt file's does, with or without --replace.
	old, gerr := st.GetSuite(a.ctx, su.Name)
	if gerr == nil {
		if sameSavedSuite(old, su) {
			fmt.Fprintf(a.env.Stdout, "suite %s: unchanged, %s, %s\n", old.Name, count(len(old.Cases), "case"), count(old.CheckCount(), "check"))
			return nil
		}
	}
	var saved prompt.Suite
	if replace && gerr == nil {
		saved, err = st.ReplaceSuite(a.ctx, su, a.author())
	} else {
		saved, err = st.CreateSuite(a.ctx, su, a.author())
		if errors.Is(err, store.ErrExists) {
			return usageError{fmt.Errorf("%w with other cases or checks; use 'whet suite import --replace' to replace them", err)}
		}
	}
	var nf *store.NotFoundError
	if errors.As(err, &nf) && nf.Kind == "prompt" && su.Prompt != "" && nf.Hint == "" {
		// A suite exported with its prompt's name, imported into another
		// database before the prompt.
		nf.Hint = fmt.Sprintf("suite %s belongs to it; import or create the prompt first (whet prompt import), or name another with --prompt", su.Name)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "suite %s: %s, %s\n", saved.Name, count(len(saved.Cases), "case"), count(saved.CheckCount(), "check"))
	return nil
}

func (a *app) suiteImportCmd() *cobra.Command {
	var name, promptName string
	var replace bool
	cmd := &cobra.Command{
		Use:   "import FILE [--name NAME] [--prompt NAME] [--replace]",
		Short: "Import a suite (.yaml with checks) or a case list (.csv with __expected/__description, .jsonl, .yaml)",
		Args:  exactArgs(1, "FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			su, err := a.readSuiteSource(args[0], name)
			if err != nil {
				return err
			}
			if promptName != "" {
				su.Prompt = promptName
			}
			return a.saveSuite(su, replace)
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "suite name (default: the file's, or its name: field)")
	cmd.Flags().StringVar(&promptName, "prompt", "", "the prompt this suite belongs to")
	cmd.Flags().BoolVar(&replace, "replace", false, "replace the cases and checks of an existing suite")
	return cmd
}

func (a *app) suiteListCmd() *cobra.Command {
	var promptName string
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List suites",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.readStore()
			if err != nil {
				return err
			}
			list, err := st.ListSuites(a.ctx, promptName)
			if err != nil {
				return err
			}
			if asJSON {
				type suiteJSON struct {
					Name        string    `json:"name"`
					Description string    `json:"description"`
					Prompt      string    `json:"prompt"`
					Cases       int       `json:"cases"`
					Checks      int       `json:"checks"`
					Graded      int       `json:"graded_by_expected"`
					Updated     time.Time `json:"updated"`
				}
				out := make([]suiteJSON, len(list))
				for i, s := range list {
					out[i] = suiteJSON{s.Name, s.Description, s.Prompt, s.Cases, s.Checks, s.Graded, s.Updated.UTC()}
				}
				return writeJSON(a.env.Stdout, out)
			}
			if len(list) == 0 {
				fmt.Fprintln(a.env.Stderr, "no suites yet: 'whet suite import cases.csv --prompt NAME'")
				return nil
			}
			tw := newTableWriter(a.env.Stdout)
			fmt.Fprintln(tw, "SUITE\tPROMPT\tCASES\tCHECKS\tUPDATED\tDESCRIPTION")
			for _, s := range list {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", s.Name, s.Prompt, s.Cases, s.ChecksText(), s.Updated.Local().Format("2006-01-02 15:04"), s.Description)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&promptName, "prompt", "", "only suites of this prompt")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func (a *app) suiteShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a suite's cases and checks (as its YAML file)",
		Args:  exactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, su, err := a.suite(args[0], false)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.env.Stdout, struct {
					Name        string         `json:"name"`
					Description string         `json:"description"`
					Prompt      string         `json:"prompt"`
					Threshold   *float64       `json:"threshold"`
					Checks      []prompt.Check `json:"checks"`
					Cases       []prompt.Case  `json:"cases"`
				}{su.Name, su.Description, su.Prompt, su.Threshold, nonNilChecks(su.Checks), su.Cases})
			}
			_, err = a.env.Stdout.Write(prompt.FormatSuiteFile(su))
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func nonNilChecks(c []prompt.Check) []prompt.Check {
	if c == nil {
		return []prompt.Check{}
	}
	return c
}

func (a *app) suiteExportCmd() *cobra.Command {
	var format, output string
	cmd := &cobra.Command{
		Use:   "export NAME [--format yaml|csv|jsonl] [-o FILE]",
		Short: "Export a suite: yaml keeps checks; csv and jsonl hold the cases only",
		Args:  exactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, su, err := a.suite(args[0], false)
			if err != nil {
				return err
			}
			if output != "" {
				if err := a.checkOutputDir(output); err != nil {
					return usagef("-o %s: %v", output, err)
				}
			}
			if format, err = outputFormat(cmd, format, output, "yaml", "csv", "jsonl"); err != nil {
				return err
			}
			var data []byte
			switch format {
			case "yaml", "yml":
				data = prompt.FormatSuiteFile(su)
			case "csv":
				data = prompt.FormatCasesCSV(su.Cases)
			case "jsonl":
				data = prompt.FormatCasesJSONL(su.Cases)
			default:
				return usagef("--format %q: use yaml, csv or jsonl", format)
			}
			if format == "csv" {
				if lost := prompt.CasesCSVLosses(su.Cases); len(lost) > 0 {
					fmt.Fprintf(a.env.Stderr, "note: csv reads a CR LF line end inside a value back as LF, and a header cell without its surrounding spaces, so import changes %s; --format jsonl or yaml keeps it\n", textutil.Sanitize(strings.Join(lost, ", ")))
				}
			}
			if format != "yaml" && format != "yml" && su.CheckCount() > 0 {
				fmt.Fprintf(a.env.Stderr, "note: %s holds cases only; the suite's %d checks are kept by --format yaml\n", format, su.CheckCount())
			}
			if output == "" {
				_, err = a.env.Stdout.Write(data)
				return err
			}
			if err := outfile.WriteFile(output, data); err != nil {
				return err
			}
			fmt.Fprintf(a.env.Stderr, "wrote %s\n", output)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "yaml", "yaml, csv or jsonl (default: -o FILE's extension, else yaml)")
	extFormatFlag(cmd)
	onceStringVarP(cmd, &output, "output", "o", "write to FILE")
	return cmd
}

// suite opens the store, read-only unless write, and reads the suite
// called name.
func (a *app) suite(name string, write bool) (*store.Store, prompt.Suite, error) {
	open := a.readStore
	if write {
		open = a.store
	}
	st, err := open()
	if err != nil {
		return nil, prompt.Suite{}, err
	}
	su, err := st.GetSuite(a.ctx, name)
	return st, su, err
}

func (a *app) suiteRenameCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "rename NAME NEW_NAME",
		Aliases: []string{"mv"},
		Short:   "Rename a suite (runs made from it keep the name they were made with)",
		Args:    exactArgs(2, "NAME NEW_NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := validateSuiteName(strings.TrimSpace(args[1])); err != nil {
				return err
			}
			st, old, err := a.suite(args[0], true)
			if err != nil {
				return err
			}
			if old.Name == strings.TrimSpace(args[1]) {
				fmt.Fprintf(a.env.Stdout, "suite %s is already named so: nothing to rename\n", old.Name)
				return nil
			}
			su, err := st.RenameSuite(a.ctx, old.Name, args[1], a.author())
			if err != nil {
				return err
			}
			fmt.Fprintf(a.env.Stdout, "renamed suite %s to %s\n", old.Name, su.Name)
			return nil
		},
	}
}

func (a *app) suiteDeleteCmd() *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:     "delete NAME --yes",
		Aliases: []string{"rm"},
		Short:   "Delete a suite with its cases and checks (runs made from it keep their results)",
		Example: "  whet suite export reply-quality -o reply-quality.yaml   # keep a copy\n  whet suite delete reply-quality --yes",
		Args:    exactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, su, err := a.suite(args[0], true)
			if err != nil {
				return err
			}
			if !yes {
				return usagef("this deletes suite %s with %d cases and %d checks; run again with --yes to delete it (keep a copy first with 'whet suite export %s -o FILE')",
					su.Name, len(su.Cases), su.CheckCount(), su.Name)
			}
			if _, err := st.DeleteSuite(a.ctx, su.Name, a.author()); err != nil {
				return err
			}
			fmt.Fprintf(a.env.Stdout, "deleted suite %s (%s, %s)\n", su.Name, count(len(su.Cases), "case"), count(su.CheckCount(), "check"))
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "delete without asking")
	return cmd
}
