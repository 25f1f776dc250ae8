package ui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"whet/assets"
	"whet/prompt"
	"whet/store"
)

// starterDir is where the starter library lives in the embedded assets.
const starterDir = "starter"

// welcomeKeys is the first-run screen's key table.
type welcomeKeys struct {
	Load, New, Quit key.Binding
}

func newWelcomeKeys() welcomeKeys {
	return welcomeKeys{
		Load: key.NewBinding(key.WithKeys("enter", "l"), key.WithHelp("enter", "load the starter library")),
		New:  key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new prompt")),
		Quit: key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
	}
}

// starterLoadedMsg reports the import of the starter library.
type starterLoadedMsg struct {
	imported []string
	skipped  []string // already in the store
	err      error
}

func (starterLoadedMsg) target() screenID { return screenWelcome }

// welcomeModel is shown instead of the library while the store is empty.
type welcomeModel struct {
	sh      *shared
	keys    welcomeKeys
	w, h    int
	loading bool
	err     string
	names   []string // starter prompts, read once from the embedded assets
}

func newWelcome(sh *shared) welcomeModel {
	m := welcomeModel{sh: sh, keys: newWelcomeKeys()}
	// The starter files are compiled into the binary; listing them is no I/O.
	files, _ := starterFiles(assets.FS())
	for _, f := range files {
		m.names = append(m.names, strings.TrimSuffix(path.Base(f), ".md"))
	}
	return m
}

func (m welcomeModel) setSize(w, h int) welcomeModel {
	m.w, m.h = w, h
	return m
}

func (m welcomeModel) keyTable() keyTable {
	k := m.keys
	return keyTable{short: []key.Binding{k.Load, k.New, k.Quit}, groups: [][]key.Binding{{k.Load, k.New, k.Quit}}}
}

func (m welcomeModel) Update(msg tea.Msg) (welcomeModel, tea.Cmd) {
	switch msg := msg.(type) {
	case starterLoadedMsg:
		m.loading = false
		done := emit(jobMsg{-1})
		if msg.err != nil {
			m.err = msg.err.Error()
			return m, tea.Batch(done, notifyErr(msg.err), emit(promptsChangedMsg{}))
		}
		text := fmt.Sprintf("loaded %d starter prompts", len(msg.imported))
		if len(msg.skipped) > 0 {
			text += fmt.Sprintf(" (%d already there)", len(msg.skipped))
		}
		return m, tea.Batch(done, notify(text), emit(promptsChangedMsg{}))
	case tea.KeyPressMsg:
		if m.loading {
			return m, nil
		}
		switch {
		case key.Matches(msg, m.keys.Load):
			if len(m.names) == 0 {
				return m, notify("this build has no starter library")
			}
			m.loading = true
			m.err = ""
			author := m.sh.author
			return m, tea.Batch(emit(jobMsg{1}), m.sh.do(func(ctx context.Context, st Store) tea.Msg {
				return importStarter(ctx, st, assets.FS(), author)
			}))
		case key.Matches(msg, m.keys.New):
			return m, m.sh.post(openEditorMsg{})
		case key.Matches(msg, m.keys.Quit):
			return m, m.sh.post(quitMsg{})
		}
	}
	return m, nil
}

// starterFiles lists the starter library's files, sorted.
func starterFiles(fsys fs.FS) ([]string, error) {
	entries, err := fs.ReadDir(fsys, starterDir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".md") {
			out = append(out, path.Join(starterDir, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

// importStarter creates each starter prompt with its labels, params, sample
// values (as defaults) and tags. A prompt that exists already is skipped.
// It runs in a command.
func importStarter(ctx context.Context, st Store, fsys fs.FS, author string) starterLoadedMsg {
	var out starterLoadedMsg
	files, err := starterFiles(fsys)
	if err != nil {
		out.err = fmt.Errorf("reading the starter library: %w", err)
		return out
	}
	var errs []error
	for _, name := range files {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		f, err := prompt.ParseFile(name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ver, err := st.CreatePrompt(ctx,
			store.NewPrompt{Name: f.Name, Description: f.Description, Labels: f.Labels, Defaults: f.Vars},
			store.NewVersion{Messages: f.Messages, Params: f.Params, Note: "starter library", Author: author, Action: store.ActionImport})
		if errors.Is(err, store.ErrExists) {
			out.skipped = append(out.skipped, f.Name)
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		for _, tag := range f.Tags {
			if _, _, err := st.SetTag(ctx, prompt.Ref{Name: f.Name, Number: ver.Number}, tag, true, nil, author); err != nil {
				errs = append(errs, fmt.Errorf("%s: tag %s: %w", name, tag, err))
			}
		}
		// The file's cases become the prompt's suite, as whet prompt
		// import keeps them.
		if len(f.Cases) > 0 {
			su := prompt.Suite{Name: ver.Prompt, Prompt: ver.Prompt, Cases: f.Cases}
			if _, err := st.CreateSuite(ctx, su, author); err != nil && !errors.Is(err, store.ErrExists) {
				errs = append(errs, fmt.Errorf("%s: cases: %w", name, err))
			}
		}
		out.imported = append(out.imported, f.Name)
	}
	out.err = errors.Join(errs...)
	return out
}

func (m welcomeModel) View() string {
	st := m.sh.styles()
	var b strings.Builder
	b.WriteString(st.Title.Render("Welcome to whet") + "\n")
	b.WriteString(st.Muted.Render("a workbench for prompts: edit, version, compare") + "\n\n")
	b.WriteString(st.Base.Render("Your library is empty. Every save of a prompt becomes an") + "\n")
	b.WriteString(st.Base.Render("immutable version you can diff, tag and restore.") + "\n\n")
	opt := func(k, text string) string {
		return "  " + st.Key.Render(pad(k, 6)) + " " + st.Base.Render(text) + "\n"
	}
	if len(m.names) > 0 {
		b.WriteString(opt("enter", fmt.Sprintf("load the starter library (%d prompts)", len(m.names))))
	}
	b.WriteString(opt("n", "start with a new prompt"))
	b.WriteString(opt("q", "quit"))
	if len(m.names) > 0 && m.h >= 22 {
		b.WriteString("\n" + st.Muted.Render("starter: "+strings.Join(m.names, ", ")))
	}
	if m.loading {
		b.WriteString("\n\n" + st.Warn.Render("loading the starter library…"))
	}
	if m.err != "" {
		b.WriteString("\n\n" + st.Error.Render(m.err))
	}
	inner := min(64, m.w-6)
	body := lipgloss.NewStyle().Width(inner).Render(b.String())
	panel := st.Panel.Padding(1, 2).Render(body)
	return lipgloss.Place(m.w, m.h, lipgloss.Center, lipgloss.Center, panel)
}
