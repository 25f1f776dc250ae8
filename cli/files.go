package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"whet/config"
	"whet/outfile"
	"whet/prompt"
	"whet/store"
	"whet/textutil"
)

// fileFor builds the file form of a version with its prompt's metadata.
func fileFor(p prompt.Prompt, v prompt.Version, withTags bool) prompt.File {
	f := prompt.File{Name: p.Name, Description: p.Description, Labels: p.Labels, Params: v.Params,
		Vars: p.Defaults, Messages: v.Messages, Version: v.Number, Hash: v.Hash}
	if withTags {
		f.Tags = v.Tags
	}
	return f
}

// editInEditor opens the latest version in $VISUAL/$EDITOR and saves what
// changed. A file that fails to parse is kept: the user may re-open it, and
// otherwise is told where it is.
func (a *app) editInEditor(p prompt.Prompt, latest prompt.Version, note string) error {
	editor := config.Editor(a.env.Getenv)
	orig := prompt.FormatFile(fileFor(p, latest, false))
	tmp, err := os.CreateTemp("", "whet-"+strings.ReplaceAll(p.Name, "/", "-")+"-*.md")
	if err != nil {
		return err
	}
	path := tmp.Name()
	if _, err := tmp.Write(orig); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	in := bufio.NewReader(a.env.Stdin)
	for {
		argv := config.EditorArgv(a.env.Getenv, path)
		c := exec.Command(argv[0], argv[1:]...)
		c.Stdin, c.Stdout, c.Stderr = os.Stdin, os.Stdout, os.Stderr
		if f, ok := a.env.Stdin.(*os.File); ok {
			c.Stdin = f
		}
		if err := c.Run(); err != nil {
			return fmt.Errorf("editor %q failed: %v (your file is kept at %s)", editor, err, path)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		// An untouched file of a version that would not import as itself
		// (see readsBack) is saved as it reads: that is how to export it.
		if bytes.Equal(data, orig) && readsBack(latest, path, data) == nil {
			os.Remove(path)
			fmt.Fprintf(a.env.Stdout, "no changes: %s  %s is the latest version\n", latest.Ref(), prompt.ShortHash(latest.Hash))
			return nil
		}
		f, perr := prompt.ParseFile(path, data)
		if perr == nil && !strings.EqualFold(f.Name, p.Name) {
			perr = &prompt.FileError{File: path, Line: frontMatterLine(data, "name"), Msg: fmt.Sprintf("name: the file names %q but you are editing %q: put the name back (an edit saves a version of the prompt it opened; 'whet prompt rename %s %s' renames it)", f.Name, p.Name, p.Name, f.Name)}
		}
		if perr == nil {
			perr = checkTemplates(f.Messages)
		}
		if perr == nil {
			d := draft{description: f.Description, labels: f.Labels, vars: f.Vars, messages: prompt.NormalizeMessages(f.Messages), params: f.Params}
			if d.labels == nil {
				d.labels = prompt.Labels{}
			}
			if d.vars == nil {
				d.vars = map[string]string{}
			}
			if err := a.saveDraft(p, latest, d, note, ""); err != nil {
				return fmt.Errorf("%v (your file is kept at %s)", err, path)
			}
			os.Remove(path)
			// The editor shows no cases (they are the prompt's suite's), but
			// cases typed in are kept as import keeps a file's.
			st, err := a.store()
			if err != nil {
				return err
			}
			return a.importFileCases(st, "your edit", p.Name, f.Cases, a.author())
		}
		fmt.Fprintf(a.env.Stderr, "whet: %s\n", textutil.Sanitize(perr.Error()))
		fmt.Fprint(a.env.Stderr, "Re-open the editor to fix it? [Y/n] ")
		answer, rerr := in.ReadString('\n')
		answer = strings.ToLower(strings.TrimSpace(answer))
		if (rerr != nil && answer == "") || answer == "n" || answer == "no" {
			fmt.Fprintf(a.env.Stderr, "\nnothing saved; your edit is kept at %s\n(fix it, then: whet prompt import --new-version %s)\n", path, path)
			return silentError{code: 1}
		}
	}
}

func (a *app) promptExportCmd() *cobra.Command {
	var dir string
	var force bool
	cmd := &cobra.Command{
		Use:   "export REF... [-o DIR]",
		Short: "Write versions as prompt files (Markdown + YAML front matter), to stdout or DIR",
		Long: `Write versions as prompt files: one REF to stdout, several into DIR as
DIR/NAME.md (folders for names with '/').

A prompt whose file DIR already holds (found as import finds files) is
written to that file, wherever it is: exporting into the folder the prompts
were imported from updates their files rather than adding copies. A
.prompty file gets the version's messages as its body and keeps its front
matter (model, connection, inputs) as it is; a version whose params, or
sample values, description or owner where the file has them, differ from
what the front matter says is refused, and nothing is written. A file whose prompt is not a version in whet (an edit
not imported yet) is not overwritten unless --force.`,
		Example: `  whet prompt export support/reply@production
  whet prompt export summary translate -o prompts/`,
		Args: minArgs(1, "at least one REF"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" && len(args) > 1 {
				return usagef("several refs need -o DIR (stdout holds one prompt)")
			}
			if fi, err := os.Stat(dir); dir != "" && err == nil && !fi.IsDir() {
				return usagef("-o %s: is a file; -o names a directory to write NAME.md files into", dir)
			}
			st, err := a.readStore()
			if err != nil {
				return err
			}
			// Every ref is resolved before a file is written: a bad one
			// leaves no export half done.
			type item struct {
				p prompt.Prompt
				v prompt.Version
			}
			var items []item
			for _, s := range args {
				ref, err := a.parseRef(s)
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
				items = append(items, item{p, v})
			}
			// A prompt whose file DIR already holds (found as import finds
			// files) is written there, so that exporting into the folder
			// it was imported from updates its file instead of adding a
			// second one beside it.
			held := heldPromptFiles(dir)
			pathFor := func(name string) string {
				if path, ok := held[strings.ToLower(name)]; ok {
					return path
				}
				return filepath.Join(dir, filepath.FromSlash(name)+".md")
			}
			if dir != "" {
				// Not even --force writes over whet's own database or config.
				if paths, err := a.resolvePaths(); err == nil {
					for _, it := range items {
						path := pathFor(it.p.Name)
						if err := outfile.CheckOwn(path, paths.Database, paths.ConfigFile); err != nil {
							return fmt.Errorf("%s: %w, so nothing was exported", path, err)
						}
					}
				}
			}
			if dir != "" && !force {
				// A file whose prompt is not saved in whet (an edit not
				// imported yet) is not overwritten; nothing is written then.
				var unsaved []string
				for _, it := range items {
					path := pathFor(it.p.Name)
					if !a.savedInWhet(st, path, it.p.Name) {
						unsaved = append(unsaved, path)
					}
				}
				if len(unsaved) > 0 {
					return usageError{fmt.Errorf("%s: holds a prompt not saved in whet (an edit not imported yet?), so nothing was exported: import it first (whet prompt import --new-version %s) or add --force to overwrite it",
						strings.Join(unsaved, ", "), strings.Join(unsaved, " "))}
				}
			}
			// Every file's bytes are made before one is written: a prompt
			// its Prompty file cannot hold leaves no export half done.
			type out struct {
				path string
				data []byte
			}
			var outs []out
			for _, it := range items {
				p, v := it.p, it.v
				f := fileFor(p, v, true)
				if f.Cases, err = promptCases(a.ctx, st, p.Name); err != nil {
					return err
				}
				if len(f.Cases) > 0 {
					// The file holds the cases alone: say what another
					// database would not get from it.
					if su, err := st.GetSuite(a.ctx, p.Name); err == nil && (su.CheckCount() > 0 || suiteHasThreshold(su)) {
						fmt.Fprintf(a.env.Stderr, "note: %s's file holds suite %s's cases, not its checks and thresholds: whet suite export %s -o FILE.yaml keeps them\n",
							p.Name, su.Name, su.Name)
					}
				}
				if dir == "" {
					data := prompt.FormatFile(f)
					if err := readsBack(v, p.Name+".md", data); err != nil {
						return err
					}
					_, err = a.env.Stdout.Write(data)
					return err
				}
				path := pathFor(p.Name)
				data := prompt.FormatFile(f)
				if old, err := os.ReadFile(path); err == nil && bytes.Contains(old, []byte("\r\n")) {
					// A file saved with Windows line ends keeps them, so
					// its diff shows the change, not every line.
					data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
				}
				if strings.HasSuffix(strings.ToLower(path), ".prompty") {
					old, err := os.ReadFile(path)
					if err != nil {
						return err
					}
					if data, err = prompt.UpdatePrompty(path, old, f, promptyReader(path)); err != nil {
						return fmt.Errorf("%s not exported, nor any other: %w", v.Ref(), err)
					}
				}
				if err := readsBack(v, path, data); err != nil {
					return fmt.Errorf("%w; nothing was exported", err)
				}
				outs = append(outs, out{path, data})
			}
			for i, o := range outs {
				v := items[i].v
				if err := os.MkdirAll(filepath.Dir(o.path), 0o755); err != nil {
					return err
				}
				if err := outfile.WriteFile(o.path, o.data); err != nil {
					return err
				}
				fmt.Fprintf(a.env.Stdout, "%s  %s -> %s\n", v.Ref(), prompt.ShortHash(v.Hash), o.path)
			}
			return nil
		},
	}
	onceStringVarP(cmd, &dir, "output", "o", "directory to write NAME.md files into (folders for names with '/'; a prompt whose file DIR holds is written to that file)")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite files whose prompt is not saved in whet")
	return cmd
}

// readsBack checks that the file data written for v imports as v: the
// same content hash. A version saved before whet normalized messages as
// it does now (a CR ending a line) would not, and its file is refused,
// naming the message, rather than written to import as another version.
func readsBack(v prompt.Version, path string, data []byte) error {
	f, err := parsePromptFile(path, data)
	if err != nil {
		return fmt.Errorf("%s: its file would not import: %w", v.Ref(), err)
	}
	msgs := prompt.NormalizeMessages(f.Messages)
	if (prompt.Content{Messages: msgs, Params: f.Params}).Hash() == v.Hash {
		return nil
	}
	what := "its params would import changed"
	for i, m := range v.Messages {
		if i >= len(msgs) || msgs[i] != m {
			what = fmt.Sprintf("message %d (%s) would import changed (its text has a carriage return ending a line or blank lines around it, which import drops)", i+1, m.Role)
			break
		}
	}
	if len(msgs) > len(v.Messages) {
		what = "its messages would import changed"
	}
	return fmt.Errorf("%s: %s from %s: open it in whet prompt edit %s and save it, then export the new version",
		v.Ref(), what, path, v.Prompt)
}

// savedInWhet reports whether overwriting the file at path loses nothing:
// it does not exist, or it is a prompt file whose messages and params are
// a version of prompt name (or of the prompt the file names) in st.
func (a *app) savedInWhet(st *store.Store, path, name string) bool {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	if err != nil {
		return false
	}
	f, err := parsePromptFile(path, data)
	if err != nil {
		return false
	}
	f.Messages = prompt.NormalizeMessages(f.Messages)
	hash := f.Content().Hash()
	for _, n := range []string{name, f.Name} {
		if _, err := st.Resolve(a.ctx, prompt.Ref{Name: n, Hash: hash}); err == nil {
			return true
		}
	}
	return false
}

func (a *app) promptImportCmd() *cobra.Command {
	var newVersion, force bool
	var note string
	var labels []string
	cmd := &cobra.Command{
		Use:   "import PATH...",
		Short: "Import prompt files (.md in whet's format, .prompty) or folders of them",
		Long: `Import prompt files or folders (searched recursively for *.md and *.prompty).

A new name creates the prompt. A name that exists with identical content
gets no new version. A name that exists with different content is refused
unless --new-version saves the file as a new version. In both cases the
prompt takes the file's labels (those it leaves out are kept), description
and sample values, and a line says which changed. Files that name the same
prompt are all refused. Tags in the file are applied
to the imported version (protected tags that would move need --force).

--label KEY=VALUE labels every imported prompt whose file does not set
KEY, as if the file did: a folder per team imports with its team, and
Prompty files, which have no labels but their authors, get theirs.`,
		Example: `  whet prompt import prompts/
  whet prompt import prompts/support --label team=support`,
		Args: minArgs(1, "at least one PATH"),
		RunE: func(cmd *cobra.Command, args []string) error {
			defaults, err := parseLabels(labels)
			if err != nil {
				return err
			}
			files, err := collectPromptFiles(args)
			if err != nil {
				return err
			}
			st, err := a.store()
			if err != nil {
				return err
			}
			failed, untagged, refused := 0, 0, 0
			var tally importTally
			dup := sharedNames(files)
			for i, path := range files {
				err := a.ctx.Err()
				if err == nil {
					if err = dup[path]; err == nil {
						err = a.importFile(st, path, defaults, newVersion, force, note, &tally)
					}
				}
				if err != nil && a.ctx.Err() != nil {
					// Each file is saved whole or not at all: what is
					// imported stays, and a second import leaves it unchanged.
					fmt.Fprintf(a.env.Stderr, "interrupted: %d of %d file(s) not imported yet; the same 'whet prompt import' again imports the rest (files already imported are left unchanged)\n", len(files)-i, len(files))
					return silentError{code: 1}
				}
				var fe *store.FileError
				if errors.As(err, &fe) {
					// The database itself failed (a full disk, a lock
					// held too long): every file after it would fail the
					// same way, each with the same line.
					fmt.Fprintln(a.env.Stderr, importErrorLine(path, err))
					if len(files) > 1 {
						fmt.Fprintln(a.env.Stdout, tally.String())
					}
					fmt.Fprintf(a.env.Stderr, "stopped: %d of %d file(s) not imported yet; once that is fixed, the same 'whet prompt import' again imports the rest (files already imported are left unchanged)\n", len(files)-i, len(files))
					return silentError{code: 1}
				}
				if err != nil {
					fmt.Fprintln(a.env.Stderr, importErrorLine(path, err))
					if _, ok := flagRefusal(err).(usageError); ok {
						refused++
					}
					var te tagError
					if errors.As(err, &te) {
						untagged++
					} else {
						failed++
					}
				}
			}
			if len(files) > 1 {
				fmt.Fprintln(a.env.Stdout, tally.String())
			}
			a.printNotesSummary(tally.notes)
			if failed > 0 {
				fmt.Fprintf(a.env.Stderr, "%d of %d file(s) not imported\n", failed, len(files))
			}
			if untagged > 0 {
				fmt.Fprintf(a.env.Stderr, "%d of %d file(s) imported without all their tags\n", untagged, len(files))
			}
			switch {
			case failed+untagged > 0 && refused == failed+untagged:
				// Every file left out is refused for want of a flag
				// (--new-version, --force): a usage error, as for one file.
				return silentError{code: 2}
			case failed+untagged > 0:
				return silentError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&newVersion, "new-version", false, "save a file whose prompt exists with different content as a new version")
	cmd.Flags().BoolVar(&force, "force", false, "move protected tags named in the files")
	cmd.Flags().StringVarP(&note, "note", "m", "", "note for imported versions (default: imported from FILE)")
	cmd.Flags().StringArrayVarP(&labels, "label", "l", nil, "label KEY=VALUE for the imported prompts whose file does not set KEY (repeatable)")
	return cmd
}

// sharedNames finds the files that name the same prompt (ignoring case)
// as another of files: each gets an error naming the others, and none of
// them is imported. Imported in turn, they would each become the latest
// version, and every import after it a new version again. Files that
// cannot be read or parsed are left to the import to report.
func sharedNames(files []string) map[string]error {
	byName := map[string][]string{}
	var order []string
	for path, key := range promptFileNames(files) {
		if _, ok := byName[key]; !ok {
			order = append(order, key)
		}
		if !slices.Contains(byName[key], path) { // a file named twice is one file
			byName[key] = append(byName[key], path)
		}
	}
	out := map[string]error{}
	for _, key := range order {
		paths := byName[key]
		if len(paths) < 2 {
			continue
		}
		for _, path := range paths {
			var others []string
			for _, o := range paths {
				if o != path {
					others = append(others, o)
				}
			}
			hint := "keep one file per prompt"
			if dir := filepath.Base(filepath.Dir(path)); dir != "." && dir != string(filepath.Separator) {
				// Two teams' folders each holding their Summarize: a
				// folder in the name keeps them apart.
				hint += ", or give each its own name in its front matter (name: " + dir + "/" + key + ")"
			}
			out[path] = fmt.Errorf("names the same prompt as %s (names ignore case): none of them is imported; %s", strings.Join(others, ", "), hint)
		}
	}
	return out
}

// promptFileNames yields, in order, each of files with the name of the
// prompt it holds in lower case (names ignore case); files that cannot be
// read or parsed, or name no prompt, are skipped.
func promptFileNames(files []string) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for _, path := range files {
			data, err := os.ReadFile(path)
			if err != nil {
				continue
			}
			f, err := parsePromptFile(path, data)
			if err != nil || f.Name == "" {
				continue
			}
			if !yield(path, strings.ToLower(f.Name)) {
				return
			}
		}
	}
}

// importErrorLine is the line saying why the file at path was not
// imported: "whet: import PATH: …", or "whet: import PATH:LINE:COL: …"
// when the error names the file itself (a parse error), so that the file
// is named once ("whet: import PATH has 3 problems:" and a line for each,
// for several). The error may quote the file: no terminal controls.
func importErrorLine(path string, err error) string {
	path, msg := textutil.Sanitize(path), textutil.Sanitize(err.Error())
	if !strings.HasPrefix(msg, path+":") && !strings.HasPrefix(msg, path+" has ") {
		msg = path + ": " + msg
	}
	return "whet: import " + msg
}

// heldPromptFiles maps each prompt name (lower case) to the file in dir
// that holds it, found and read as import finds and reads them; a name two
// files hold, and files that cannot be read, are left out. No dir, or a
// folder with no prompt files, gives none.
func heldPromptFiles(dir string) map[string]string {
	held := map[string]string{}
	if dir == "" {
		return held
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return held
	}
	files, err := collectPromptFiles([]string{dir})
	if err != nil {
		return held
	}
	twice := map[string]bool{}
	for path, key := range promptFileNames(files) {
		if _, ok := held[key]; ok {
			twice[key] = true
		}
		held[key] = path
	}
	for key := range twice {
		delete(held, key)
	}
	return held
}

// collectPromptFiles expands folders; explicit files are kept whatever their
// extension, folder walks take *.md with front matter and *.prompty.
func collectPromptFiles(args []string) ([]string, error) {
	var out []string
	for _, arg := range args {
		info, err := os.Stat(arg)
		if err != nil {
			return nil, usageError{readError(arg, err)}
		}
		if !info.IsDir() {
			out = append(out, arg)
			continue
		}
		var found []string
		err = filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if path != arg && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			lower := strings.ToLower(d.Name())
			switch {
			case strings.HasSuffix(lower, ".prompty"):
				found = append(found, path)
			case strings.HasSuffix(lower, ".md"):
				if hasFrontMatter(path) {
					found = append(found, path)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%s: no prompt files (*.md with front matter, *.prompty) found", arg)
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

func hasFrontMatter(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 7)
	n, _ := io.ReadFull(f, buf)
	head := strings.TrimPrefix(string(buf[:n]), "\ufeff")
	return strings.HasPrefix(head, "---\n") || strings.HasPrefix(head, "---\r")
}

var errExistsDifferent = errors.New("exists with different content")

// importTally counts what an import did, for its last line: with a folder
// of a hundred prompts, what changed does not show among the lines of
// what did not.
type importTally struct {
	created, versioned, unchanged int
	notes                         int // note lines printed, for the line that counts them
}

func (t importTally) String() string {
	return fmt.Sprintf("%d new %s, %d new %s, %d unchanged",
		t.created, pluralWord(t.created, "prompt", "prompts"), t.versioned, pluralWord(t.versioned, "version", "versions"), t.unchanged)
}

// newest says how many of the newest items a limited list shows: "the
// newest run", "the newest 50 runs".
func newest(n int, one, many string) string {
	if n == 1 {
		return "the newest " + one
	}
	return fmt.Sprintf("the newest %d %s", n, many)
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// importFile imports the prompt file at path; defaults are labels for a
// prompt whose file does not set them.
func (a *app) importFile(st *store.Store, path string, defaults prompt.Labels, newVersion, force bool, note string, tally *importTally) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return readError(path, err)
	}
	f, err := parsePromptFile(path, data)
	if err != nil {
		return err
	}
	notes := promptFileNotes(path, data)
	for k, v := range defaults {
		if strings.TrimSpace(f.Labels[k]) == "" {
			if f.Labels == nil {
				f.Labels = prompt.Labels{}
			}
			f.Labels[k] = v
		}
	}
	f.Messages = prompt.NormalizeMessages(f.Messages)
	if err := checkTemplates(f.Messages); err != nil {
		return err
	}
	if note == "" {
		note = "imported from " + filepath.Base(path)
	}
	author := a.author()
	nv := store.NewVersion{Messages: f.Messages, Params: f.Params, Note: note, Author: author, Action: "import"}
	var v prompt.Version
	existing, err := st.GetPrompt(a.ctx, f.Name)
	created := false
	if errors.Is(err, store.ErrNotFound) {
		v, err = st.CreatePrompt(a.ctx, store.NewPrompt{Name: f.Name, Description: f.Description, Labels: f.Labels, Defaults: f.Vars}, nv)
		created = err == nil
		if errors.Is(err, store.ErrExists) {
			// Another process (a second import of the same files) created
			// it since the lookup: go on as if it had been there.
			existing, err = st.GetPrompt(a.ctx, f.Name)
		}
	}
	switch {
	case created:
		fmt.Fprintf(a.env.Stdout, "imported %s  %s  (new prompt)\n", v.Ref(), prompt.ShortHash(v.Hash))
		tally.created++
	case err != nil:
		return err
	case existing.LatestHash == f.Content().Hash():
		v, err = st.Resolve(a.ctx, prompt.Ref{Name: existing.Name})
		if err != nil {
			return err
		}
		fmt.Fprintf(a.env.Stdout, "unchanged %s  %s\n", v.Ref(), prompt.ShortHash(v.Hash))
		tally.unchanged++
		if err := a.importMeta(st, existing, f, author); err != nil {
			return err
		}
	case !newVersion:
		older := ""
		if n := a.olderVersion(st, existing.Name, f); n > 0 {
			older = fmt.Sprintf(": the content of @%d, an older version", n)
		}
		return fmt.Errorf("prompt %q %w (latest @%d %s, file %s%s); re-run with --new-version to save it as a new version",
			existing.Name, errExistsDifferent, existing.Latest, prompt.ShortHash(existing.LatestHash), prompt.ShortHash(f.Content().Hash()), older)
	default:
		older := a.olderVersion(st, existing.Name, f)
		var created bool
		v, created, err = st.SaveVersion(a.ctx, existing.Name, nv)
		if err != nil {
			return err
		}
		if created {
			fmt.Fprintf(a.env.Stdout, "imported %s  %s  (new version)\n", v.Ref(), prompt.ShortHash(v.Hash))
			tally.versioned++
			if older > 0 {
				// A file exported before the latest version was saved
				// brings the older content back; a revert in git does too.
				undone := fmt.Sprintf("@%d", older+1)
				if older+1 < v.Number-1 {
					undone += fmt.Sprintf("..@%d", v.Number-1)
				}
				fmt.Fprintf(a.env.Stderr, "note: %s has the content of @%d, so it undoes %s (as a file exported before them does); 'whet prompt diff %s@%d %s' shows what it undid\n",
					v.Ref(), older, undone, v.Prompt, v.Number-1, v.Ref())
			}
		}
		if err := a.importMeta(st, existing, f, author); err != nil {
			return err
		}
	}
	tally.notes += a.printNotes(notes)
	if err := a.importFileCases(st, path, v.Prompt, f.Cases, author); err != nil {
		return err
	}
	for _, tag := range f.Tags {
		if _, _, err := st.SetTag(a.ctx, prompt.Ref{Name: v.Prompt, Number: v.Number}, tag, force, a.protectedTags(), author); err != nil {
			return tagError{fmt.Errorf("%s is saved, but not tagged %s: %w", v.Ref(), tag, err)}
		}
	}
	return nil
}

// promptFileNotes are what the file at path says that its import leaves
// out, or reads otherwise than its own tool does: for a Prompty file, the
// front matter keys whet does not read. whet's own format has none: a key
// it does not know is an error.
func promptFileNotes(path string, data []byte) []prompt.Note {
	if strings.HasSuffix(strings.ToLower(path), ".prompty") {
		return prompt.PromptyNotes(path, data)
	}
	return nil
}

// printNotes writes each note on a line of its own to stderr and returns
// how many it wrote. A note may quote the file: no terminal controls.
func (a *app) printNotes(notes []prompt.Note) int {
	for _, n := range notes {
		fmt.Fprintln(a.env.Stderr, "note: "+textutil.Sanitize(n.String()))
	}
	return len(notes)
}

// printNotesSummary writes the line that counts the n notes above it, if any.
func (a *app) printNotesSummary(n int) {
	if n > 0 {
		fmt.Fprintf(a.env.Stderr, "%s above: what was left out, or imported differently from how Prompty reads it\n", count(n, "note"))
	}
}

// olderVersion is the number of the version of prompt name, other than
// the latest, whose content the file holds; 0 when none.
func (a *app) olderVersion(st *store.Store, name string, f prompt.File) int {
	v, err := st.Resolve(a.ctx, prompt.Ref{Name: name, Hash: f.Content().Hash()})
	if err != nil {
		return 0
	}
	latest, err := st.Resolve(a.ctx, prompt.Ref{Name: name})
	if err != nil || latest.Number == v.Number {
		return 0
	}
	return v.Number
}

// importMeta gives an existing prompt what its file says beside the
// content, which is not versioned: the labels the file sets (labels it
// leaves out are kept), its description and its sample values when it has
// them. A repository's files are the truth a CI job imports again and
// again; a line says what changed.
func (a *app) importMeta(st *store.Store, existing prompt.Prompt, f prompt.File, author string) error {
	var changed []string
	if set, _ := labelChanges(existing.Labels, f.Labels); len(set) > 0 {
		if err := st.SetLabels(a.ctx, existing.Name, set, nil, author); err != nil {
			return err
		}
		changed = append(changed, "labels "+strings.Join(prompt.SortedKeys(set), ", "))
	}
	if f.Description != "" && f.Description != existing.Description {
		if err := st.SetDescription(a.ctx, existing.Name, f.Description, author); err != nil {
			return err
		}
		changed = append(changed, "description")
	}
	if len(f.Vars) > 0 && !maps.Equal(existing.Defaults, f.Vars) {
		if err := st.SetDefaults(a.ctx, existing.Name, f.Vars, author); err != nil {
			return err
		}
		changed = append(changed, "sample values")
	}
	if len(changed) > 0 {
		fmt.Fprintf(a.env.Stdout, "updated %s: %s\n", existing.Name, strings.Join(changed, "; "))
	}
	return nil
}

// suiteHasThreshold reports whether su or one of its cases sets a threshold.
func suiteHasThreshold(su prompt.Suite) bool {
	if su.Threshold != nil {
		return true
	}
	for _, c := range su.Cases {
		if c.Threshold != nil {
			return true
		}
	}
	return false
}

// A prompt file's cases are kept as a suite of the prompt's name that
// belongs to the prompt: import creates it, export writes its cases back
// (its checks, which the file format has no place for, stay in the suite).

// promptCases are the cases of the suite named like the prompt and
// belonging to it, or none.
func promptCases(ctx context.Context, st *store.Store, name string) ([]prompt.Case, error) {
	su, err := st.GetSuite(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil || !strings.EqualFold(su.Prompt, name) {
		return nil, err
	}
	return su.Cases, nil
}

// importFileCases keeps the cases of the file at path as the suite named
// like the prompt. A suite of that name is left as it is: a note says so
// when its cases differ from the file's. prompt new/edit keep the cases of
// their --file, and of an $EDITOR edit, the same way.
func (a *app) importFileCases(st *store.Store, path, name string, cases []prompt.Case, author string) error {
	if len(cases) == 0 {
		return nil
	}
	su, err := st.CreateSuite(a.ctx, prompt.Suite{Name: name, Prompt: name, Cases: cases}, author)
	if err == nil {
		noun := "cases"
		if len(su.Cases) == 1 {
			noun = "case"
		}
		fmt.Fprintf(a.env.Stdout, "suite %s: %d %s from %s\n", su.Name, len(su.Cases), noun, filepath.Base(path))
		return nil
	}
	if !errors.Is(err, store.ErrExists) {
		return fmt.Errorf("its cases: %w", err)
	}
	old, err := promptCases(a.ctx, st, name)
	if err != nil {
		return err
	}
	if !sameCases(old, cases) {
		were := "were"
		if len(cases) == 1 {
			were = "was"
		}
		fmt.Fprintf(a.env.Stderr, "note: %s: suite %s exists, so the file's %s %s not imported ('whet suite show %s' has its cases)\n",
			path, name, count(len(cases), "case"), were, name)
	}
	return nil
}

// sameCases reports whether two case lists hold the same names, variables,
// expected outputs and descriptions, in order.
func sameCases(a, b []prompt.Case) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Name != y.Name || x.Description != y.Description || x.Expected != y.Expected || !maps.Equal(x.Vars, y.Vars) {
			return false
		}
	}
	return true
}

// tagError is an import whose version is saved but one of the file's tags
// could not be applied: the summary must not call the file not imported.
type tagError struct{ error }

func (e tagError) Unwrap() error { return e.error }

// registerCmd adds a top-level command from another file.
func registerCmd(fn func(a *app) *cobra.Command) { extraCommands = append(extraCommands, fn) }

// extFormats are the formats a file's extension names, for outputFormat.
var extFormats = map[string]string{
	".md": "md", ".markdown": "md", ".json": "json", ".csv": "csv", ".xml": "junit",
	".jsonl": "jsonl", ".yaml": "yaml", ".yml": "yaml", ".txt": "table",
}

// extFormatFlag marks a --format flag whose default yields to -o's
// extension (outputFormat): its usage says so ("default: -o FILE's
// extension, else md"), so the help does not add a plain (default "md")
// that reads as the format -o report.json would write.
func extFormatFlag(cmd *cobra.Command) {
	cmd.Flags().Lookup("format").DefValue = ""
}

// outputFormat is the format a command writes: the one --format names, or,
// when --format was not given and -o names a file whose extension means
// one of the formats the command writes (report.md, results.json,
// whet.junit.xml), that one; else the flag's default. A report written
// to report.md is thus Markdown without --format md, as a reader of the
// file would expect. An extension that means none of them (report.pdf,
// or report.csv where no CSV is written) is a usage error, rather than a
// file whose name says another format than it holds; a file without an
// extension gets the default.
func outputFormat(cmd *cobra.Command, format, output string, writes ...string) (string, error) {
	if output != "" && cmd.Flags().Changed("format") {
		extMismatch(cmd, format, output, writes)
	}
	if output == "" || cmd.Flags().Changed("format") {
		return format, nil
	}
	ext := filepath.Ext(output)
	if ext == "" {
		return format, nil
	}
	if f, ok := extFormats[strings.ToLower(ext)]; ok && slices.Contains(writes, f) {
		return f, nil
	}
	var exts []string
	for _, f := range writes {
		for _, e := range formatExts {
			if extFormats[e] == f {
				exts = append(exts, e)
				break
			}
		}
	}
	return "", usagef("-o %s: %s names none of the formats %s writes (%s, as %s); give --format, or one of those extensions",
		output, ext, cmd.CommandPath(), strings.Join(writes, ", "), strings.Join(exts, " "))
}

// extMismatch notes on stderr that --format wins over an -o file's
// extension naming another format the command writes (--format md -o
// junit.xml writes Markdown into junit.xml), a trap in a CI line meant
// to write both. A .txt, which any text is, is not noted.
func extMismatch(cmd *cobra.Command, format, output string, writes []string) {
	ext := strings.ToLower(filepath.Ext(output))
	f, ok := extFormats[ext]
	if format == "markdown" {
		format = "md"
	}
	if !ok || ext == ".txt" || f == format || !slices.Contains(writes, f) {
		return
	}
	how := "drop --format to write " + f
	if cmd.Name() == "run" {
		how += ", or give one -o per format (-o FILE.md -o FILE.xml)"
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "note: -o %s: writing %s, as --format says, though %s names %s (%s)\n", output, format, ext, f, how)
}

// formatExts are extFormats' extensions, in the order a message lists
// them (the usual one of each format first).
var formatExts = []string{".txt", ".md", ".json", ".csv", ".xml", ".jsonl", ".yaml", ".markdown", ".yml"}

// onceString is a string flag that refuses a second value: a repeated -o
// on a command that writes one file would otherwise write only the last
// and drop the others without a word (whet run, which writes several, has
// its own).
type onceString struct {
	p   *string
	set bool
}

// onceStringVarP defines such a flag on cmd, as StringVarP would.
func onceStringVarP(cmd *cobra.Command, p *string, name, short, usage string) {
	cmd.Flags().VarP(&onceString{p: p}, name, short, usage)
}

func (o *onceString) String() string {
	if o.p == nil {
		return ""
	}
	return *o.p
}

func (o *onceString) Set(v string) error {
	if o.set {
		return fmt.Errorf("given twice (%s, then %s): this command takes one", *o.p, v)
	}
	*o.p, o.set = v, true
	return nil
}

// Type is "string", so that the help reads as for any string flag.
func (o *onceString) Type() string { return "string" }

// frontMatterLine is the line of key in the front matter of a prompt file
// (the lines between its first two "---" lines), or 1 when it has none.
func frontMatterLine(data []byte, key string) int {
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if i > 0 && line == "---" {
			break
		}
		if k, _, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == key && !strings.HasPrefix(line, " ") {
			return i + 1
		}
	}
	return 1
}
