package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"whet/prompt"
	"whet/report"
	"whet/store"
	"whet/textutil"
)

func (a *app) promptCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "prompt",
		Aliases: []string{"prompts", "p"},
		Short:   "Create, edit, version, tag, diff, import and export prompts",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return cmd.Help()
		},
	}
	cmd.AddCommand(a.promptNewCmd(), a.promptEditCmd(), a.promptListCmd(), a.promptShowCmd(), a.promptLogCmd(),
		a.promptDiffCmd(), a.promptTagCmd(), a.promptLabelCmd(), a.promptArchiveCmd(), a.promptRenameCmd(), a.promptExportCmd(), a.promptImportCmd())
	return cmd
}

// contentFlags are the flags shared by `prompt new` and `prompt edit`.
type contentFlags struct {
	system, user, file, note, description string
	messages, labels, params, vars        []string
}

func (f *contentFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.system, "system", "", "system message")
	fl.StringVarP(&f.user, "user", "u", "", "user message")
	fl.StringVarP(&f.file, "file", "f", "", "read the prompt from a file: whet's prompt format, or plain text used as the user message ('-' = stdin)")
	fl.StringArrayVar(&f.messages, "message", nil, "append a message ROLE=TEXT (repeatable; for few-shot turns)")
	fl.StringArrayVarP(&f.labels, "label", "l", nil, "label KEY=VALUE (repeatable)")
	fl.StringArrayVarP(&f.params, "param", "p", nil, "param KEY=VALUE: temperature, top_p, max_tokens, seed, stop, or a provider option (repeatable)")
	fl.StringArrayVar(&f.vars, "var", nil, "sample value NAME=VALUE for a variable, kept as the prompt's default case (repeatable)")
	fl.StringVarP(&f.note, "note", "m", "", "note for this version (like a commit message)")
	fl.StringVar(&f.description, "description", "", "one-line description of the prompt")
	cmd.MarkFlagsMutuallyExclusive("user", "file")
}

func (f *contentFlags) any(cmd *cobra.Command) bool {
	for _, n := range []string{"system", "user", "file", "message", "label", "param", "var", "description"} {
		if cmd.Flags().Changed(n) {
			return true
		}
	}
	return false
}

// parseKV parses repeated KEY=VALUE flags.
func parseKV(flag string, items []string) (map[string]string, error) {
	out := map[string]string{}
	for _, it := range items {
		k, v, ok := strings.Cut(it, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, usagef("--%s %q: expected NAME=VALUE", flag, it)
		}
		out[strings.TrimSpace(k)] = v
	}
	return out, nil
}

func parseLabels(items []string) (prompt.Labels, error) {
	out := prompt.Labels{}
	for _, it := range items {
		k, v, err := prompt.ParseLabel(it)
		if err != nil {
			return nil, usageError{err}
		}
		out[k] = v
	}
	return out, nil
}

// readInput reads a file the user named (or stdin for "-"). A file that
// cannot be read is a usage error that says why in plain words.
func (a *app) readInput(path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(a.env.Stdin)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError{readError(path, err)}
	}
	return data, nil
}

// inputName names a file the user gave for messages: "-" is stdin.
func inputName(path string) string {
	if path == "-" {
		return "stdin"
	}
	return path
}

// readError says why the file at path could not be read: missing, a
// directory, or not readable by whet; other errors pass as they are.
func readError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: no such file", path)
	case errors.Is(err, syscall.EISDIR):
		return fmt.Errorf("%s: is a directory, not a file", path)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%s: permission denied (whet cannot read it)", path)
	}
	return err
}

// draft is a prompt being assembled from flags or a file.
type draft struct {
	description string
	labels      prompt.Labels
	vars        map[string]string
	messages    []prompt.Message
	params      prompt.Params
	tags        []string
	cases       []prompt.Case // a prompt file's cases: kept as the prompt's suite, as import does
}

// apply layers the content flags over d.
func (f *contentFlags) apply(a *app, d *draft) error {
	if f.file != "" {
		data, err := a.readInput(f.file)
		if err != nil {
			return err
		}
		if err := prompt.CheckText(f.file, data); err != nil {
			return usageError{err}
		}
		if strings.HasPrefix(strings.TrimPrefix(string(data), "\ufeff"), "---") {
			pf, err := parsePromptFile(f.file, data)
			if err != nil {
				return usageError{err}
			}
			a.printNotesSummary(a.printNotes(promptFileNotes(f.file, data)))
			d.messages, d.params, d.cases = pf.Messages, pf.Params, pf.Cases
			if pf.Description != "" {
				d.description = pf.Description
			}
			for k, v := range pf.Labels {
				d.labels[k] = v
			}
			for k, v := range pf.Vars {
				d.vars[k] = v
			}
		} else {
			if strings.TrimSpace(strings.TrimPrefix(string(data), "\ufeff")) == "" {
				if f.file == "-" {
					return usagef("--file -: stdin is empty: there is no text to use as the user message")
				}
				return usagef("%s: the file is empty: there is no text to use as the user message", f.file)
			}
			// A byte-order mark is how a Windows editor saves UTF-8, not text.
			d.messages = setRole(d.messages, prompt.RoleUser, strings.TrimPrefix(string(data), "\ufeff"))
		}
	}
	if f.system != "" {
		d.messages = setRole(d.messages, prompt.RoleSystem, f.system)
	}
	if f.user != "" {
		d.messages = setRole(d.messages, prompt.RoleUser, f.user)
	}
	for _, m := range f.messages {
		role, text, ok := strings.Cut(m, "=")
		role = strings.ToLower(strings.TrimSpace(role))
		if !ok || (role != prompt.RoleSystem && role != prompt.RoleUser && role != prompt.RoleAssistant) {
			return usagef("--message %q: expected ROLE=TEXT with ROLE system, user or assistant", m)
		}
		d.messages = append(d.messages, prompt.Message{Role: role, Content: text})
	}
	for _, p := range f.params {
		if err := d.params.ParseParam(p); err != nil {
			return usageError{err}
		}
	}
	labels, err := parseLabels(f.labels)
	if err != nil {
		return err
	}
	for k, v := range labels {
		d.labels[k] = v
	}
	vars, err := parseKV("var", f.vars)
	if err != nil {
		return err
	}
	for k, v := range vars {
		d.vars[k] = v
	}
	if f.description != "" {
		d.description = f.description
	}
	d.messages = prompt.NormalizeMessages(d.messages)
	return nil
}

// setRole replaces the system message (the first message, when it is one)
// or the last user message, or adds one: system first, user last.
func setRole(msgs []prompt.Message, role, text string) []prompt.Message {
	out := append([]prompt.Message(nil), msgs...)
	if role == prompt.RoleSystem {
		if len(out) > 0 && out[0].Role == prompt.RoleSystem {
			out[0].Content = text
			return out
		}
		return append([]prompt.Message{{Role: role, Content: text}}, out...)
	}
	for i := len(out) - 1; i >= 0; i-- {
		if out[i].Role == role {
			out[i].Content = text
			return out
		}
	}
	return append(out, prompt.Message{Role: role, Content: text})
}

// parsePromptFile reads whet's format, or Prompty by extension.
func parsePromptFile(name string, data []byte) (prompt.File, error) {
	if strings.HasSuffix(strings.ToLower(name), ".prompty") {
		return prompt.ParsePromptyWith(name, data, promptyReader(name))
	}
	return prompt.ParseFile(name, data)
}

// promptyReader reads the files a Prompty file at name refers to (a
// sample file), relative to its folder.
func promptyReader(name string) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(name), p)
		}
		return os.ReadFile(p)
	}
}

// checkTemplates reports template syntax errors before anything is saved.
func checkTemplates(msgs []prompt.Message) error {
	for i, m := range msgs {
		if _, err := prompt.ParseTemplate(m.Content); err != nil {
			return usagef("message %d (%s): %v", i+1, m.Role, err)
		}
	}
	if err := prompt.ValidateMessages(msgs); err != nil {
		return usageError{err}
	}
	return nil
}

func (a *app) promptNewCmd() *cobra.Command {
	var f contentFlags
	cmd := &cobra.Command{
		Use:   "new NAME",
		Short: "Create a prompt and its first version",
		Example: `  whet prompt new support/reply --system "You are a support agent." --user "Reply to: {{ticket}}" \
      --label team=cx --label purpose=support --param temperature=0.3 --var ticket="Where is my order?"
  whet prompt new summarise --file summarise.md`,
		Args: exactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := prompt.ValidateName(name); err != nil {
				return usageError{err}
			}
			d := draft{labels: prompt.Labels{}, vars: map[string]string{}}
			if err := f.apply(a, &d); err != nil {
				return err
			}
			if allBlank(d.messages) {
				return usagef("no content: give --user TEXT (and optionally --system TEXT), or --file FILE")
			}
			if err := checkTemplates(d.messages); err != nil {
				return err
			}
			st, err := a.store()
			if err != nil {
				return err
			}
			v, err := st.CreatePrompt(a.ctx, store.NewPrompt{Name: name, Description: d.description, Labels: d.labels, Defaults: d.vars},
				store.NewVersion{Messages: d.messages, Params: d.params, Note: f.note, Author: a.author()})
			if err != nil {
				return err
			}
			fmt.Fprintf(a.env.Stdout, "created %s  %s\n", v.Ref(), prompt.ShortHash(v.Hash))
			a.warnMissingSamples(v.Messages, d.vars)
			return a.importFileCases(st, inputName(f.file), v.Prompt, d.cases, a.author())
		},
	}
	f.register(cmd)
	return cmd
}

// allBlank reports whether msgs hold no text at all.
func allBlank(msgs []prompt.Message) bool {
	for _, m := range msgs {
		if strings.TrimSpace(m.Content) != "" {
			return false
		}
	}
	return true
}

// warnMissingSamples tells the user which variables have no sample value.
func (a *app) warnMissingSamples(msgs []prompt.Message, vars map[string]string) {
	var missing []string
	for _, v := range prompt.MessagesVariables(msgs) {
		if _, ok := vars[v]; !ok {
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(a.env.Stderr, "note: no sample value for %s (add --var NAME=VALUE to keep a default case)\n", strings.Join(missing, ", "))
	}
}

func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := swallowedFlag(cmd); err != nil {
			return err
		}
		if len(args) != n {
			return usagef("%s takes %s (got %d argument(s)); see '%s --help'", cmd.CommandPath(), names, len(args), cmd.CommandPath())
		}
		return nil
	}
}

// noArgs refuses arguments to a command that takes none, saying so
// (cobra's NoArgs calls a stray word an unknown command).
func noArgs(cmd *cobra.Command, args []string) error {
	if err := swallowedFlag(cmd); err != nil {
		return err
	}
	if len(args) > 0 {
		return usagef("%s takes no arguments (got %q); see '%s --help'", cmd.CommandPath(), strings.Join(args, " "), cmd.CommandPath())
	}
	return nil
}

func minArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := swallowedFlag(cmd); err != nil {
			return err
		}
		if len(args) < n {
			return usagef("%s takes %s; see '%s --help'", cmd.CommandPath(), names, cmd.CommandPath())
		}
		return nil
	}
}

// promptName checks an argument that names a prompt (not a version):
// "name@3" there is a usage error that says to drop the selector, rather
// than a search for a prompt called "name@3".
func promptName(cmd *cobra.Command, s string) (string, error) {
	name, sel, ok := strings.Cut(s, "@")
	if !ok {
		return s, nil
	}
	if prompt.ValidateName(name) != nil {
		return s, nil // not a ref either: the store says no such prompt
	}
	return "", usagef("%s takes a prompt NAME, not a version: use %q (without @%s)", cmd.CommandPath(), name, sel)
}

func (a *app) parseRef(s string) (prompt.Ref, error) {
	r, err := prompt.ParseRef(s)
	if err != nil {
		return r, usageError{err}
	}
	return r, nil
}

func (a *app) promptEditCmd() *cobra.Command {
	var f contentFlags
	cmd := &cobra.Command{
		Use:   "edit NAME",
		Short: "Save a new version: from flags, or in $VISUAL/$EDITOR when no content flag is given",
		Long: `Save a new version of a prompt.

With content flags, they change the latest version: --system replaces the
system message, --user the last user message, --file all messages and params,
--param and --label merge. With no content flag, the prompt opens in
$VISUAL or $EDITOR in whet's file format; saving and quitting the editor saves
a new version if anything changed. A file that does not parse is kept and can
be re-opened: nothing you typed is lost.

The editor shows no cases: they are the prompt's suite's (whet suite). A
file's cases (--file, or typed into the editor) are kept as import keeps
them: as the suite named like the prompt when there is none, else a note.`,
		Args: exactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.store()
			if err != nil {
				return err
			}
			name, err := promptName(cmd, args[0])
			if err != nil {
				return fmt.Errorf("%w; edit starts from the latest version (to save %s again as the latest: whet prompt export %s > FILE, then whet prompt import --new-version FILE)", err, args[0], args[0])
			}
			p, err := st.GetPrompt(a.ctx, name)
			if err != nil {
				return err
			}
			latest, err := st.Resolve(a.ctx, prompt.Ref{Name: p.Name})
			if err != nil {
				return err
			}
			if !f.any(cmd) {
				return a.editInEditor(p, latest, f.note)
			}
			d := draft{description: p.Description, labels: cloneLabels(p.Labels), vars: cloneVars(p.Defaults),
				messages: latest.Messages, params: latest.Params.Clone()}
			if err := f.apply(a, &d); err != nil {
				return err
			}
			if err := checkTemplates(d.messages); err != nil {
				return err
			}
			if err := a.saveDraft(p, latest, d, f.note, ""); err != nil {
				return err
			}
			return a.importFileCases(st, inputName(f.file), p.Name, d.cases, a.author())
		},
	}
	f.register(cmd)
	return cmd
}

func cloneLabels(l prompt.Labels) prompt.Labels {
	out := prompt.Labels{}
	for k, v := range l {
		out[k] = v
	}
	return out
}

func cloneVars(m map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// saveDraft writes what changed: metadata first, then a version if the
// content differs from latest.
func (a *app) saveDraft(p prompt.Prompt, latest prompt.Version, d draft, note, action string) error {
	st, err := a.store()
	if err != nil {
		return err
	}
	author := a.author()
	if d.description != p.Description {
		if err := st.SetDescription(a.ctx, p.Name, d.description, author); err != nil {
			return err
		}
	}
	set, rm := labelChanges(p.Labels, d.labels)
	if len(set) > 0 || len(rm) > 0 {
		if err := st.SetLabels(a.ctx, p.Name, set, rm, author); err != nil {
			return err
		}
	}
	if !maps.Equal(p.Defaults, d.vars) {
		if err := st.SetDefaults(a.ctx, p.Name, d.vars, author); err != nil {
			return err
		}
	}
	v, created, err := st.SaveVersion(a.ctx, p.Name, store.NewVersion{Messages: d.messages, Params: d.params, Note: note, Author: author, Action: action})
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(a.env.Stdout, "saved %s  %s  (from @%d)\n", v.Ref(), prompt.ShortHash(v.Hash), latest.Number)
	} else {
		fmt.Fprintf(a.env.Stdout, "no changes: %s  %s is the latest version\n", v.Ref(), prompt.ShortHash(v.Hash))
	}
	return nil
}

func labelChanges(old, new prompt.Labels) (set map[string]string, rm []string) {
	set = map[string]string{}
	for k, v := range new {
		if old[k] != v {
			set[k] = v
		}
	}
	for k := range old {
		if _, ok := new[k]; !ok {
			rm = append(rm, k)
		}
	}
	sort.Strings(rm)
	return set, rm
}

func (a *app) promptListCmd() *cobra.Command {
	var labels, without []string
	var all, asJSON bool
	var format string
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List prompts, optionally filtered by labels",
		Long: `List prompts, optionally filtered by labels.

--label KEY=VALUE keeps the prompts with that label, --label KEY those with
the label set to any value, --no-label KEY those without it (--no-label
owner: the prompts nobody owns). --format md writes
an inventory to paste into a wiki or a pull request: one table per team,
with each prompt's owner, latest version, tags, labels and description.`,
		Example: `  whet prompt list --label team=support
  whet prompt list --label owner
  whet prompt list --no-label owner
  whet prompt list --format md > INVENTORY.md`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON {
				if cmd.Flags().Changed("format") && format != "json" {
					return usagef("--json and --format %s: give one of them", format)
				}
				format = "json"
			}
			switch format {
			case "table", "md", "markdown", "json":
			default:
				return usagef("--format %q: use table, md or json", format)
			}
			want := prompt.Labels{}
			var present []string // --label KEY: the label set, to any value
			for _, it := range labels {
				if !strings.Contains(it, "=") {
					k := strings.ToLower(strings.TrimSpace(it))
					if err := prompt.ValidateLabelKey(k); err != nil {
						return usagef("--label %s: %v (give KEY=VALUE, or KEY for any value)", it, err)
					}
					present = append(present, k)
					continue
				}
				k, v, err := prompt.ParseLabel(it)
				if err != nil {
					if k, v, ok := strings.Cut(it, "="); ok && strings.TrimSpace(v) == "" && prompt.ValidateLabelKey(strings.TrimSpace(k)) == nil {
						return usagef("--label %s: the value is empty; --no-label %s lists the prompts without it", it, strings.TrimSpace(k))
					}
					return usageError{err}
				}
				want[k] = v
			}
			missing := make([]string, 0, len(without))
			for _, k := range without {
				k = strings.ToLower(strings.TrimSpace(k))
				if err := prompt.ValidateLabelKey(k); err != nil {
					return usagef("--no-label %s: %v", k, err)
				}
				if _, ok := want[k]; ok {
					return usagef("--label %s=… and --no-label %s: no prompt can match both", k, k)
				}
				if slices.Contains(present, k) {
					return usagef("--label %s and --no-label %s: no prompt can match both", k, k)
				}
				missing = append(missing, k)
			}
			st, err := a.readStore()
			if err != nil {
				return err
			}
			ps, err := st.ListPrompts(a.ctx, store.ListOptions{Labels: want, IncludeArchived: all})
			if err != nil {
				return err
			}
			ps = slices.DeleteFunc(ps, func(p prompt.Prompt) bool {
				for _, k := range missing {
					if strings.TrimSpace(p.Labels[k]) != "" {
						return true
					}
				}
				for _, k := range present {
					if strings.TrimSpace(p.Labels[k]) == "" {
						return true
					}
				}
				return false
			})
			switch format {
			case "json":
				out := make([]promptJSON, len(ps))
				for i, p := range ps {
					out[i] = toPromptJSON(p)
				}
				return writeJSON(a.env.Stdout, out)
			case "md", "markdown":
				return report.Inventory(a.env.Stdout, ps)
			}
			if len(ps) == 0 {
				if len(want)+len(missing)+len(present) > 0 {
					fmt.Fprintln(a.env.Stderr, "no prompt has those labels")
				} else {
					fmt.Fprintln(a.env.Stderr, "no prompts yet: create one with 'whet prompt new NAME --user TEXT' or import files with 'whet prompt import DIR'")
				}
				return nil
			}
			tw := newTableWriter(a.env.Stdout)
			fmt.Fprintln(tw, "NAME\tLATEST\tTAGS\tLABELS\tUPDATED")
			for _, p := range ps {
				name := p.Name
				if p.Archived {
					name += " (archived)"
				}
				fmt.Fprintf(tw, "%s\t@%d %s\t%s\t%s\t%s\n", name, p.Latest, prompt.ShortHash(p.LatestHash), tagList(p.Tags), p.Labels.String(), p.UpdatedAt.Local().Format("2006-01-02 15:04"))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringArrayVarP(&labels, "label", "l", nil, "only prompts with label KEY=VALUE, or KEY set to any value (repeatable; all must match)")
	cmd.Flags().StringArrayVar(&without, "no-label", nil, "only prompts without label KEY (repeatable)")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "include archived prompts")
	cmd.Flags().StringVar(&format, "format", "table", "table, md (an inventory by team for a wiki) or json")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (as --format json)")
	return cmd
}

func tagList(tags map[string]int) string {
	names := prompt.SortedKeys(tags)
	parts := make([]string, len(names))
	for i, t := range names {
		parts[i] = fmt.Sprintf("%s@%d", t, tags[t])
	}
	return strings.Join(parts, ",")
}

func (a *app) promptShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show REF",
		Short: "Show a version: messages, params, variables, tags (REF: name, name@3, name@TAG, name@HASH)",
		Args:  exactArgs(1, "REF"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := a.parseRef(args[0])
			if err != nil {
				return err
			}
			st, err := a.readStore()
			if err != nil {
				return err
			}
			v, err := st.Resolve(a.ctx, ref)
			if err != nil {
				return err
			}
			p, err := st.GetPrompt(a.ctx, v.Prompt)
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(a.env.Stdout, struct {
					Prompt  promptJSON        `json:"prompt"`
					Version versionJSON       `json:"version"`
					Vars    map[string]string `json:"vars"`
				}{toPromptJSON(p), toVersionJSON(v), nonNilVars(p.Defaults)})
			}
			a.printVersion(p, v)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func nonNilVars(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func (a *app) printVersion(p prompt.Prompt, v prompt.Version) {
	w := termWriter{a.env.Stdout}
	head := fmt.Sprintf("%s  %s", v.Ref(), prompt.ShortHash(v.Hash))
	if len(v.Tags) > 0 {
		head += "  [" + strings.Join(v.Tags, ", ") + "]"
	}
	if v.Number < p.Latest {
		head += fmt.Sprintf("  (latest is @%d)", p.Latest)
	}
	fmt.Fprintln(w, head)
	if p.Description != "" {
		fmt.Fprintln(w, p.Description)
	}
	if len(p.Labels) > 0 {
		fmt.Fprintln(w, "labels:    "+p.Labels.String())
	}
	line := fmt.Sprintf("saved:     %s by %s", v.Created.Local().Format("2006-01-02 15:04"), v.Author)
	if v.Note != "" {
		// A note of several lines (a commit message's body) stays
		// under the column its first line starts in.
		lines := strings.Split(strings.TrimRight(v.Note, "\n"), "\n")
		for i := 1; i < len(lines); i++ {
			if strings.TrimSpace(lines[i]) != "" {
				lines[i] = strings.Repeat(" ", len("saved:     ")) + lines[i]
			}
		}
		line += ": " + strings.Join(lines, "\n")
	}
	fmt.Fprintln(w, line)
	if ps := v.Params.Lines(); len(ps) > 0 {
		fmt.Fprintln(w, "params:    "+strings.Join(ps, ", "))
	}
	if vars := v.Variables(); len(vars) > 0 {
		parts := make([]string, len(vars))
		for i, name := range vars {
			parts[i] = name
			if s, ok := p.Defaults[name]; ok {
				parts[i] += "=" + quoteShort(s)
			}
		}
		fmt.Fprintln(w, "variables: "+strings.Join(parts, ", "))
	}
	for _, m := range v.Messages {
		fmt.Fprintf(w, "\n── %s ──\n%s\n", m.Role, m.Content)
	}
	for _, l := range prompt.LintVersion(v.Messages, v.Params, p.Defaults) {
		if l.Severity >= prompt.SeverityWarning {
			fmt.Fprintln(a.env.Stderr, "warning: "+lintString(v, l))
		}
	}
}

func lintString(v prompt.Version, l prompt.Lint) string {
	where := ""
	if l.Message >= 0 && l.Message < len(v.Messages) {
		where = fmt.Sprintf("message %d (%s)", l.Message+1, v.Messages[l.Message].Role)
		if l.Line > 0 {
			where += fmt.Sprintf(" line %d", l.Line)
		}
		where += ": "
	}
	return where + l.Msg
}

func quoteShort(s string) string {
	s = strings.ReplaceAll(s, "\n", "⏎")
	if r := []rune(s); len(r) > 40 {
		s = string(r[:39]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

func (a *app) promptLogCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "log NAME",
		Short: "List a prompt's versions, newest first",
		Args:  exactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.readStore()
			if err != nil {
				return err
			}
			name, err := promptName(cmd, args[0])
			if err != nil {
				return err
			}
			vs, err := st.Versions(a.ctx, name)
			if err != nil {
				return err
			}
			if asJSON {
				out := make([]versionJSON, len(vs))
				for i, v := range vs {
					out[i] = toVersionJSON(v)
				}
				return writeJSON(a.env.Stdout, out)
			}
			tw := newTableWriter(a.env.Stdout)
			fmt.Fprintln(tw, "VERSION\tHASH\tSAVED\tAUTHOR\tTAGS\tNOTE")
			for _, v := range vs {
				fmt.Fprintf(tw, "@%d\t%s\t%s\t%s\t%s\t%s\n", v.Number, prompt.ShortHash(v.Hash), v.Created.Local().Format("2006-01-02 15:04"), v.Author, strings.Join(v.Tags, ","), firstLine(v.Note))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func (a *app) promptDiffCmd() *cobra.Command {
	var colorFlag string
	cmd := &cobra.Command{
		Use:   "diff REF [REF]",
		Short: "Unified diff of two versions' messages and params (one REF: against its parent)",
		Example: `  whet prompt diff summary@1 summary@3
  whet prompt diff summary@production summary
  whet prompt diff summary@4`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return usagef("diff takes REF [REF]; see 'whet prompt diff --help'")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.readStore()
			if err != nil {
				return err
			}
			refs := make([]prompt.Ref, len(args))
			for i, s := range args {
				if refs[i], err = a.parseRef(s); err != nil {
					return err
				}
			}
			b, err := st.Resolve(a.ctx, refs[len(refs)-1])
			if err != nil {
				return err
			}
			var old prompt.Version
			if len(refs) == 2 {
				old, err = st.Resolve(a.ctx, refs[0])
			} else if b.Parent == 0 {
				return fmt.Errorf("%s is the first version: give two refs to diff", b.Ref())
			} else {
				old, err = st.Resolve(a.ctx, prompt.Ref{Name: b.Prompt, Number: b.Parent})
			}
			if err != nil {
				return err
			}
			// The diff is for reading: the messages' terminal controls go,
			// as in prompt show (prompt export keeps them).
			d := textutil.Sanitize(prompt.DiffVersionsWith(old, b, prompt.DiffLabelDated))
			if d == "" {
				fmt.Fprintf(a.env.Stdout, "%s and %s are identical\n", old.Ref(), b.Ref())
				return nil
			}
			useColour := a.colour(a.env.Stdout)
			switch colorFlag {
			case "always":
				useColour = true
			case "never":
				useColour = false
			case "auto":
			default:
				return usagef("--color %q: use auto, always or never", colorFlag)
			}
			if useColour {
				d = colourDiff(d)
			}
			_, err = io.WriteString(a.env.Stdout, d)
			return err
		},
	}
	cmd.Flags().StringVar(&colorFlag, "color", "auto", "colour the diff: auto, always, never")
	return cmd
}

// colourDiff adds ANSI colours to a unified diff.
func colourDiff(d string) string {
	lines := strings.SplitAfter(d, "\n")
	var b strings.Builder
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
			b.WriteString("\x1b[1m" + strings.TrimSuffix(l, "\n") + "\x1b[0m\n")
		case strings.HasPrefix(l, "@@"):
			b.WriteString("\x1b[36m" + strings.TrimSuffix(l, "\n") + "\x1b[0m\n")
		case strings.HasPrefix(l, "+"):
			b.WriteString("\x1b[32m" + strings.TrimSuffix(l, "\n") + "\x1b[0m\n")
		case strings.HasPrefix(l, "-"):
			b.WriteString("\x1b[31m" + strings.TrimSuffix(l, "\n") + "\x1b[0m\n")
		default:
			b.WriteString(l)
		}
	}
	return b.String()
}

func (a *app) promptTagCmd() *cobra.Command {
	var force, remove bool
	cmd := &cobra.Command{
		Use:   "tag REF TAG",
		Short: "Point a tag (production, staging, …) at a version; protected tags need --force to move",
		Example: `  whet prompt tag summary@3 production
  whet prompt tag summary@4 production --force
  whet prompt tag summary staging --rm`,
		Args: exactArgs(2, "REF and TAG"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := a.parseRef(args[0])
			if err != nil {
				return err
			}
			tag := args[1]
			if err := prompt.ValidateTag(tag); err != nil {
				return usageError{err}
			}
			if err := prompt.ReservedTag(tag); err != nil && !remove {
				return usageError{err}
			}
			st, err := a.store()
			if err != nil {
				return err
			}
			if remove {
				if err := st.RemoveTag(a.ctx, ref.Name, tag, force, a.protectedTags(), a.author()); err != nil {
					return flagRefusal(err)
				}
				fmt.Fprintf(a.env.Stdout, "removed tag %s from %s\n", tag, ref.Name)
				return nil
			}
			prev, hadPrev, err := st.SetTag(a.ctx, ref, tag, force, a.protectedTags(), a.author())
			if err != nil {
				return flagRefusal(err)
			}
			v, err := st.Resolve(a.ctx, prompt.Ref{Name: ref.Name, Tag: tag})
			if err != nil {
				return err
			}
			switch {
			case hadPrev && prev.Number == v.Number:
				fmt.Fprintf(a.env.Stdout, "%s already points at %s\n", tag, v.Ref())
			case hadPrev:
				fmt.Fprintf(a.env.Stdout, "%s: %s -> %s\n", tag, prev.Ref(), v.Ref())
			default:
				fmt.Fprintf(a.env.Stdout, "%s -> %s\n", tag, v.Ref())
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "move a protected tag")
	cmd.Flags().BoolVar(&remove, "rm", false, "remove the tag instead")
	return cmd
}

func (a *app) promptLabelCmd() *cobra.Command {
	var rm []string
	cmd := &cobra.Command{
		Use:     "label NAME KEY=VALUE... [--rm KEY]...",
		Short:   "Set or remove a prompt's labels (purpose, tone, audience, team, owner, …)",
		Example: "  whet prompt label support/reply team=cx owner=ana --rm draft",
		Args:    minArgs(1, "NAME and at least one KEY=VALUE or --rm KEY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := promptName(cmd, args[0])
			if err != nil {
				return err
			}
			set, err := parseLabels(args[1:])
			if err != nil {
				for _, it := range args[1:] {
					if k, v, ok := strings.Cut(it, "="); ok && strings.TrimSpace(v) == "" && prompt.ValidateLabelKey(strings.TrimSpace(k)) == nil {
						return usagef("malformed label %q: the value is empty (remove a label with --rm %s)", it, strings.TrimSpace(k))
					}
				}
				return err
			}
			if len(set) == 0 && len(rm) == 0 {
				return usagef("nothing to change: give KEY=VALUE or --rm KEY")
			}
			for i, k := range rm {
				if err := prompt.ValidateLabelKey(k); err != nil {
					return usageError{err}
				}
				rm[i] = strings.ToLower(k)
			}
			st, err := a.store()
			if err != nil {
				return err
			}
			before, err := st.GetPrompt(a.ctx, name)
			if err != nil {
				return err
			}
			if err := st.SetLabels(a.ctx, before.Name, set, rm, a.author()); err != nil {
				return err
			}
			p, err := st.GetPrompt(a.ctx, before.Name)
			if err != nil {
				return err
			}
			labels := p.Labels.String()
			if labels == "" {
				labels = "no labels"
			}
			fmt.Fprintf(a.env.Stdout, "%s: %s\n", p.Name, labels)
			for _, k := range rm {
				if _, had := before.Labels[k]; !had && set[k] == "" {
					fmt.Fprintf(a.env.Stderr, "note: %s had no label %s: nothing to remove\n", p.Name, k)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&rm, "rm", nil, "remove label KEY (repeatable)")
	return cmd
}

func (a *app) promptArchiveCmd() *cobra.Command {
	var undo bool
	cmd := &cobra.Command{
		Use:   "archive NAME",
		Short: "Archive a prompt: hidden from lists, versions kept (--undo restores it)",
		Args:  exactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := promptName(cmd, args[0])
			if err != nil {
				return err
			}
			st, err := a.store()
			if err != nil {
				return err
			}
			p, err := st.GetPrompt(a.ctx, name)
			if err != nil {
				return err
			}
			switch {
			case undo && !p.Archived:
				fmt.Fprintf(a.env.Stdout, "%s is not archived: nothing to restore\n", p.Name)
				return nil
			case !undo && p.Archived:
				fmt.Fprintf(a.env.Stdout, "%s is already archived ('whet prompt archive --undo %s' restores it)\n", p.Name, p.Name)
				return nil
			}
			if undo {
				if err := st.Unarchive(a.ctx, p.Name, a.author()); err != nil {
					return err
				}
				fmt.Fprintf(a.env.Stdout, "restored %s\n", p.Name)
				return nil
			}
			if err := st.Archive(a.ctx, p.Name, a.author()); err != nil {
				return err
			}
			fmt.Fprintf(a.env.Stdout, "archived %s (its versions are kept; 'whet prompt archive --undo %s' restores it)\n", p.Name, p.Name)
			return nil
		},
	}
	cmd.Flags().BoolVar(&undo, "undo", false, "unarchive")
	return cmd
}

func (a *app) promptRenameCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "rename NAME NEW_NAME",
		Aliases: []string{"mv"},
		Short:   "Rename a prompt: its versions, tags, suites and runs follow it",
		Long: `Rename a prompt. Its versions, tags, suites and run history follow it;
refs to the old name (NAME@production in scripts, CI jobs) stop resolving,
and reports of runs made before keep the refs they were made with.

The prompt's own suite (named like it: its prompt file's cases) takes the
new name too, unless a suite of that name exists; then both keep their
names and a note says so.`,
		Args: exactArgs(2, "NAME NEW_NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			name, err := promptName(cmd, args[0])
			if err != nil {
				return err
			}
			if err := prompt.ValidateName(strings.TrimSpace(args[1])); err != nil {
				return usagef("new prompt name %q: %v", args[1], err)
			}
			st, err := a.store()
			if err != nil {
				return err
			}
			p, err := st.GetPrompt(a.ctx, name)
			if err != nil {
				return err
			}
			if p.Name == strings.TrimSpace(args[1]) {
				fmt.Fprintf(a.env.Stdout, "%s is already named so: nothing to rename\n", p.Name)
				return nil
			}
			to := strings.TrimSpace(args[1])
			done, err := st.RenamePrompt(a.ctx, p.Name, to, a.author())
			if err != nil {
				return err
			}
			fmt.Fprintf(a.env.Stdout, "renamed %s to %s\n", p.Name, to)
			switch {
			case done.SuiteRenamed:
				fmt.Fprintf(a.env.Stdout, "renamed its suite %s to %s\n", p.Name, to)
			case done.SuiteKept:
				fmt.Fprintf(a.env.Stderr, "note: a suite named %s exists, so the prompt's suite keeps the name %s (whet suite rename renames either)\n", to, p.Name)
			}
			if team, newTeam, stale := prompt.StaleTeam(p.Labels, p.Name, to); stale {
				fmt.Fprintf(a.env.Stderr, "note: its label team=%s named the folder it left; 'whet prompt label %s team=%s' moves it to that team\n", team, to, newTeam)
			}
			return nil
		},
	}
}

func (a *app) auditCmd() *cobra.Command {
	var asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use:   "audit [NAME]",
		Short: "Show the audit log: who changed what, when",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("audit takes at most one prompt NAME")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return usagef("--limit %d: give a number of entries, or 0 for all", limit)
			}
			st, err := a.readStore()
			if err != nil {
				return err
			}
			name := ""
			if len(args) == 1 {
				if name, err = promptName(cmd, args[0]); err != nil {
					return err
				}
			}
			fetch := limit
			if limit > 0 {
				fetch = limit + 1 // one more tells whether some were left out
			}
			entries, err := st.Audit(a.ctx, name, fetch)
			if err != nil {
				return err
			}
			if limit > 0 && len(entries) > limit {
				entries = entries[:limit]
				fmt.Fprintf(a.env.Stderr, "note: %s; older ones are left out (--limit 0 shows all)\n", newest(limit, "entry", "entries"))
			}
			if asJSON {
				type entryJSON struct {
					At     time.Time `json:"at"`
					Who    string    `json:"who"`
					Action string    `json:"action"`
					Prompt string    `json:"prompt"`
					Before string    `json:"before"`
					After  string    `json:"after"`
					Detail string    `json:"detail"`
				}
				out := make([]entryJSON, len(entries))
				for i, e := range entries {
					out[i] = entryJSON{e.At.UTC(), e.Who, e.Action, e.Prompt, e.Before, e.After, e.Detail}
				}
				return writeJSON(a.env.Stdout, out)
			}
			tw := newTableWriter(a.env.Stdout)
			fmt.Fprintln(tw, "WHEN\tWHO\tACTION\tPROMPT\tCHANGE")
			for _, e := range entries {
				change := e.After
				switch {
				case e.Before != "" && e.After != "":
					change = e.Before + " -> " + e.After
				case e.Before != "":
					change = e.Before
				}
				if e.Detail != "" {
					change = strings.TrimSpace(change + " " + e.Detail)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.At.Local().Format("2006-01-02 15:04:05"), e.Who, e.Action, e.Prompt, change)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().IntVarP(&limit, "limit", "n", 50, "show at most N entries (0 = all)")
	return cmd
}
