package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"whet/config"
	"whet/eval"
	"whet/prompt"
	"whet/promptfoo"
	"whet/runner"
	"whet/store"
)

func init() { registerCmd((*app).importCmd) }

func (a *app) importCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import from other tools (promptfoo)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	var newVersion, replace, dryRun bool
	pf := &cobra.Command{
		Use:   "promptfoo CONFIG",
		Short: "Import a promptfooconfig.yaml: prompts, providers as targets, tests as a suite",
		Long: `Import a promptfoo config: its prompts become whet prompts, its providers
targets, its tests (inline, file:// CSV/YAML/JSON and globs of them,
defaultTest, scenarios) a suite with the same asserts as checks. Anything whet
cannot bring in is listed by name and location; nothing is dropped silently.
It ends with the command that runs what it imported:

  whet run PROMPT... --suite SUITE -m TARGET,...`,
		Args: exactArgs(1, "CONFIG"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := a.readInput(args[0]); err != nil {
				return err
			}
			res, err := promptfoo.ImportOptions(args[0], os.ReadFile, promptfoo.Options{Validate: eval.ValidateCheck, Glob: globFiles})
			var fe *prompt.FileError
			if errors.As(err, &fe) {
				return usageError{err}
			}
			if err != nil {
				return err
			}
			for _, is := range res.Unsupported {
				// Most say what was left out; some what was imported
				// differently from how promptfoo runs it.
				fmt.Fprintln(a.env.Stderr, "note: "+is.String())
			}
			// Targets as whet names them (ollama:x:latest is ollama:x), once.
			if reg, err := a.registry(); err == nil {
				seen := map[string]bool{}
				var targets []string
				for _, t := range res.Targets {
					if c := reg.Canonical(t); !seen[c] {
						seen[c] = true
						targets = append(targets, c)
					}
				}
				res.Targets = targets
			}
			if err := eval.ValidateSuite(res.Suite); err != nil {
				return usagef("%s: %w", args[0], err)
			}
			if dryRun {
				a.printImportPlan(res, false)
				if len(res.Unsupported) > 0 {
					fmt.Fprintf(a.env.Stderr, "%s above: what would be left out, or imported differently from how promptfoo runs it\n", count(len(res.Unsupported), "note"))
				}
				return nil
			}
			st, err := a.store()
			if err != nil {
				return err
			}
			if err := a.checkPromptfooImport(st, res, newVersion, replace); err != nil {
				return err
			}
			var names []string
			for _, f := range res.Prompts {
				v, err := a.importPromptFile(st, f, newVersion)
				if err != nil {
					return err
				}
				names = append(names, v.Ref())
			}
			if len(res.Suite.Cases) > 0 {
				if err := a.saveSuite(res.Suite, replace); err != nil {
					return err
				}
			}
			a.printImportPlan(res, true)
			if len(res.Suite.Cases) > 0 && len(names) > 0 {
				targets := strings.Join(res.Targets, ",")
				if targets == "" {
					// No provider became a target: the line runs the
					// prompts on echo, which the note under it says.
					targets = "echo"
				}
				opts := ""
				if res.Repeat > 1 {
					opts += fmt.Sprintf(" --repeat %d", res.Repeat)
				}
				if res.Jobs > 0 {
					opts += fmt.Sprintf(" -j %d", res.Jobs)
				}
				// A cached answer made no call, so a latency check fails on
				// it (as promptfoo's latency assertion refuses cached results).
				latency := slices.ContainsFunc(res.Suite.Checks, isLatency) || slices.ContainsFunc(res.Suite.Cases, func(c prompt.Case) bool {
					return slices.ContainsFunc(c.Checks, isLatency)
				})
				if latency {
					opts += " --no-cache"
				}
				// promptfoo makes an outputPath's directory (results/ is
				// often ignored by git, so absent in a fresh checkout);
				// whet run -o wants it there.
				var dirs []string
				for _, o := range res.Outputs {
					opts += " -o " + shellQuote(o)
					if d := filepath.Dir(o); d != "." && !slices.Contains(dirs, shellQuote(d)) {
						dirs = append(dirs, shellQuote(d))
					}
				}
				mkdir := ""
				if len(dirs) > 0 {
					mkdir = "mkdir -p " + strings.Join(dirs, " ") + " && "
				}
				fmt.Fprintf(a.env.Stdout, "\nrun it:\n  %swhet run %s --suite %s -m %s%s\n", mkdir, strings.Join(names, " "), res.Suite.Name, targets, opts)
				if latency {
					fmt.Fprintln(a.env.Stdout, "  (--no-cache: its latency checks time calls, and an answer from the cache made none)")
				}
				if len(res.Targets) == 0 {
					fmt.Fprintln(a.env.Stdout, "  (-m echo: none of the config's providers is a target whet can call; echo answers with the prompt itself, so the checks grade the prompt, not a model: name your targets instead)")
				}
				// whet run refuses a suite whose model-graded checks have no
				// judge or embedder: say so now, with what to set, of the
				// config with the provider entries printed above added.
				if cfg, err := a.config(); err == nil {
					reg := runner.NewRegistry(withProviderHints(cfg, res, a.env.Getenv))
					if err := a.evaluator(reg, st).CheckSuite(res.Suite.Name, eval.SuiteCases(res.Suite)); err != nil {
						fmt.Fprintln(a.env.Stderr, "before you run it: "+err.Error())
					}
				}
			}
			if len(res.Unsupported) > 0 {
				fmt.Fprintf(a.env.Stderr, "%s above: what was left out, or imported differently from how promptfoo runs it\n", count(len(res.Unsupported), "note"))
			}
			return nil
		},
	}
	pf.Flags().BoolVar(&newVersion, "new-version", false, "save a prompt that exists with different content as a new version")
	pf.Flags().BoolVar(&replace, "replace", false, "replace an existing suite of the same name")
	pf.Flags().BoolVar(&dryRun, "dry-run", false, "show what would be imported, change nothing")
	cmd.AddCommand(pf)
	return cmd
}

// expandEnv is s with each ${VAR} replaced by its value, as whet's config
// reads it (a config already loaded holds the values).
func (a *app) expandEnv(s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	return os.Expand(s, a.env.Getenv)
}

// withProviderHints is cfg with the provider entries and aliases an import
// prints to add, where cfg has none of that name: a grader on one of them
// is checked against the config the user is told to write. A ${VAR} in
// them is getenv's value, or a placeholder when VAR is unset: the check
// resolves graders and calls none.
func withProviderHints(cfg config.Config, res promptfoo.Result, getenv func(string) string) config.Config {
	providers := make(map[string]config.Provider, len(cfg.Providers)+len(res.Providers))
	maps.Copy(providers, cfg.Providers)
	for _, h := range res.Providers {
		if _, ok := cfg.Provider(h.Name); ok {
			continue
		}
		base := os.Expand(h.BaseURL, func(name string) string {
			if v := getenv(name); v != "" {
				return v
			}
			return "unset.invalid"
		})
		providers[h.Name] = config.Provider{Name: h.Name, Type: h.Type, BaseURL: base, APIVersion: h.APIVersion, APIKeyEnv: h.APIKeyEnv}
	}
	cfg.Providers = providers
	aliases := make(map[string]string, len(cfg.Aliases)+len(res.Aliases))
	maps.Copy(aliases, cfg.Aliases)
	for _, al := range res.Aliases {
		if _, ok := aliases[al.Name]; !ok {
			aliases[al.Name] = os.Expand(al.Target, func(name string) string {
				if v := getenv(name); v != "" {
					return v
				}
				return "unset"
			})
		}
	}
	cfg.Aliases = aliases
	return cfg
}

// printImportPlan lists what an import brings; saved says the suite was
// just saved, and its own line ("suite NAME: N cases, M checks", or
// unchanged) has said so already.
func (a *app) printImportPlan(res promptfoo.Result, saved bool) {
	w := a.env.Stdout
	for _, f := range res.Prompts {
		vars := "no variables"
		if names := prompt.MessagesVariables(f.Messages); len(names) > 0 {
			vars = "variables: " + strings.Join(names, ", ")
		}
		fmt.Fprintf(w, "prompt  %s  (%s, %s)\n", f.Name, count(len(f.Messages), "message"), vars)
	}
	if len(res.Suite.Cases) > 0 && !saved {
		fmt.Fprintf(w, "suite   %s  (%s, %s)\n", res.Suite.Name, count(len(res.Suite.Cases), "case"), count(res.Suite.CheckCount(), "check"))
	}
	for _, t := range res.Targets {
		fmt.Fprintf(w, "target  %s\n", t)
	}
	// One providers: block, so that it pastes as valid YAML; entries the
	// config already has, with the same type and endpoint, are named only.
	cfg, _ := a.config()
	var have []string
	header := false
	for _, h := range res.Providers {
		if p, ok := cfg.Providers[h.Name]; ok && p.Type == h.Type && strings.TrimRight(p.BaseURL, "/") == strings.TrimRight(a.expandEnv(h.BaseURL), "/") {
			have = append(have, h.Name)
			continue
		}
		if !header {
			header = true
			fmt.Fprintf(w, "\nadd to your config (whet config check verifies it):\n  providers:\n")
		}
		fmt.Fprintf(w, "    %s:\n      type: %s\n      base_url: %s\n", h.Name, h.Type, h.BaseURL)
		if h.APIVersion != "" {
			fmt.Fprintf(w, "      api_version: %s\n", h.APIVersion)
		}
		if h.APIKeyEnv != "" {
			fmt.Fprintf(w, "      api_key_env: %s\n", h.APIKeyEnv)
		}
	}
	aliasHeader := false
	for _, al := range res.Aliases {
		if t, ok := cfg.Aliases[al.Name]; ok && strings.TrimSpace(t) == a.expandEnv(al.Target) {
			have = append(have, al.Name)
			continue
		}
		if !header {
			header = true
			fmt.Fprintf(w, "\nadd to your config (whet config check verifies it):\n")
		}
		if !aliasHeader {
			aliasHeader = true
			fmt.Fprintf(w, "  aliases:\n")
		}
		fmt.Fprintf(w, "    %s: %s\n", al.Name, al.Target)
	}
	if len(have) > 0 {
		fmt.Fprintf(w, "\nalready in your config: %s\n", strings.Join(have, ", "))
	}
}

// checkPromptfooImport refuses, before anything is written, an import
// that would stop half-way: a prompt that exists with different content
// (without newVersion), or a suite that exists with other cases or
// checks (without replace).
func (a *app) checkPromptfooImport(st *store.Store, res promptfoo.Result, newVersion, replace bool) error {
	var problems []string
	if !newVersion {
		for _, f := range res.Prompts {
			f.Messages = prompt.NormalizeMessages(f.Messages)
			existing, err := st.GetPrompt(a.ctx, f.Name)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if existing.LatestHash != f.Content().Hash() {
				problems = append(problems, fmt.Sprintf("prompt %q exists with different content (latest @%d): --new-version saves the imported one as a new version", existing.Name, existing.Latest))
			}
		}
	}
	if !replace && len(res.Suite.Cases) > 0 {
		// The same suite imported again (the config run again, a prompt
		// edited) changes nothing: saveSuite says it is unchanged.
		old, err := st.GetSuite(a.ctx, res.Suite.Name)
		switch {
		case err == nil:
			if !sameSavedSuite(old, res.Suite) {
				problems = append(problems, fmt.Sprintf("suite %q exists with other cases or checks: --replace replaces them", res.Suite.Name))
			}
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	if len(problems) > 0 {
		// Each is lifted by a flag of the same command: a usage error.
		return usageError{fmt.Errorf("nothing imported:\n  %s", strings.Join(problems, "\n  "))}
	}
	return nil
}

// importPromptFile creates a prompt from a file, or leaves an identical one
// alone; different content needs newVersion.
func (a *app) importPromptFile(st *store.Store, f prompt.File, newVersion bool) (prompt.Version, error) {
	f.Messages = prompt.NormalizeMessages(f.Messages)
	nv := store.NewVersion{Messages: f.Messages, Params: f.Params, Note: "imported from promptfoo", Author: a.author(), Action: "import"}
	existing, err := st.GetPrompt(a.ctx, f.Name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		v, err := st.CreatePrompt(a.ctx, store.NewPrompt{Name: f.Name, Description: f.Description, Labels: f.Labels, Defaults: f.Vars}, nv)
		if err == nil {
			fmt.Fprintf(a.env.Stdout, "imported %s  %s\n", v.Ref(), prompt.ShortHash(v.Hash))
		}
		return v, err
	case err != nil:
		return prompt.Version{}, err
	case existing.LatestHash == f.Content().Hash():
		return st.Resolve(a.ctx, prompt.Ref{Name: existing.Name})
	case !newVersion:
		return prompt.Version{}, usageError{fmt.Errorf("prompt %q %w (latest @%d); re-run with --new-version to save the imported one as a new version", existing.Name, errExistsDifferent, existing.Latest)}
	}
	v, _, err := st.SaveVersion(a.ctx, existing.Name, nv)
	if err == nil {
		fmt.Fprintf(a.env.Stdout, "imported %s  %s  (new version)\n", v.Ref(), prompt.ShortHash(v.Hash))
	}
	return v, err
}

// maxGlobWalk bounds the entries a glob walks through.
const maxGlobWalk = 200000

// globFiles lists the regular files a promptfoo glob matches
// (promptfoo.GlobMatch), walking from its longest leading directory
// without glob characters.
func globFiles(pattern string) ([]string, error) {
	pattern = filepath.ToSlash(filepath.Clean(pattern))
	segs := strings.Split(pattern, "/")
	i := 0
	for i < len(segs)-1 && !strings.ContainsAny(segs[i], "*?[") {
		i++
	}
	root := strings.Join(segs[:i], "/")
	switch {
	case root == "" && strings.HasPrefix(pattern, "/"):
		root = "/"
	case root == "":
		root = "."
	}
	var out []string
	seen := 0
	err := filepath.WalkDir(filepath.FromSlash(root), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == filepath.FromSlash(root) {
				return fs.SkipAll // no such directory: no matches
			}
			return nil
		}
		if seen++; seen > maxGlobWalk {
			return fmt.Errorf("the glob walks more than %d files and folders under %s", maxGlobWalk, root)
		}
		if d.Type().IsRegular() && promptfoo.GlobMatch(pattern, filepath.ToSlash(p)) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// shellQuote is s as one word of a POSIX shell command: as it is when it
// holds only characters no shell treats specially, else in single quotes.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_./:@,+=-", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func isLatency(c prompt.Check) bool { return c.Type == eval.TypeLatency }
