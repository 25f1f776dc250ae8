package ui

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"whet/prompt"
)

// External editing (ctrl+e): the prompt is written to a temporary file in
// whet's file format, $VISUAL (or $EDITOR, or vi) runs on it with the
// terminal released, and the file is read back. A file that does not parse
// is kept, and the user may open it again: nothing typed is lost.
type (
	editorFileReadyMsg struct {
		path string
		argv []string
		err  error
	}
	editorExitedMsg struct {
		path string
		err  error
	}
	editorFileParsedMsg struct {
		path string
		file prompt.File
		err  error
	}
	editorReopenMsg      struct{ path string }
	editorDiscardFileMsg struct{ path string }
)

func (editorFileReadyMsg) target() screenID   { return screenEditor }
func (editorExitedMsg) target() screenID      { return screenEditor }
func (editorFileParsedMsg) target() screenID  { return screenEditor }
func (editorReopenMsg) target() screenID      { return screenEditor }
func (editorDiscardFileMsg) target() screenID { return screenEditor }

// editorArgv is the command line that edits path: $VISUAL, else $EDITOR,
// else vi. The variable may hold arguments ("code --wait").
func editorArgv(getenv func(string) string, path string) []string {
	ed := strings.TrimSpace(getenv("VISUAL"))
	if ed == "" {
		ed = strings.TrimSpace(getenv("EDITOR"))
	}
	if ed == "" {
		ed = "vi"
	}
	return append(strings.Fields(ed), path)
}

// currentFile is the editor's content in the file format.
func (m editorModel) currentFile() prompt.File {
	params, _ := m.currentParams()
	labels, err := parseLabels(m.labels.Value())
	if err != nil {
		labels = m.baseLabels
	}
	name := m.name
	if name == "" {
		name = "new-prompt"
	}
	return prompt.File{
		Name:        name,
		Description: m.description,
		Labels:      labels,
		Params:      params,
		Vars:        m.currentDefaults(),
		Messages:    m.currentMessages(),
		Version:     m.baseVersion,
	}
}

func (m editorModel) startExternal() (editorModel, tea.Cmd) {
	data := prompt.FormatFile(m.currentFile())
	return m, func() tea.Msg {
		f, err := os.CreateTemp("", "whet-*.md")
		if err != nil {
			return editorFileReadyMsg{err: err}
		}
		_, werr := f.Write(data)
		cerr := f.Close()
		if err := errors.Join(werr, cerr); err != nil {
			os.Remove(f.Name())
			return editorFileReadyMsg{err: err}
		}
		return editorFileReadyMsg{path: f.Name(), argv: editorArgv(os.Getenv, f.Name())}
	}
}

// execEditor runs the editor on path with the terminal released.
func execEditor(argv []string, path string) tea.Cmd {
	c := exec.Command(argv[0], argv[1:]...)
	return tea.ExecProcess(c, func(err error) tea.Msg { return editorExitedMsg{path: path, err: err} })
}

// readEditedFile reads and parses the edited file.
func readEditedFile(path string) tea.Cmd {
	return func() tea.Msg {
		data, err := os.ReadFile(path)
		if err != nil {
			return editorFileParsedMsg{path: path, err: err}
		}
		f, err := prompt.ParseFile(filepath.Base(path), data)
		return editorFileParsedMsg{path: path, file: f, err: err}
	}
}

func removeFile(path string) tea.Cmd {
	return func() tea.Msg {
		os.Remove(path)
		return nil
	}
}

func (m editorModel) updateExternal(msg tea.Msg) (editorModel, tea.Cmd) {
	switch msg := msg.(type) {
	case editorFileReadyMsg:
		if msg.err != nil {
			return m, notifyErr(errors.New("writing the temporary file: " + msg.err.Error()))
		}
		m.extFile = msg.path
		return m, execEditor(msg.argv, msg.path)
	case editorReopenMsg:
		return m, execEditor(editorArgv(os.Getenv, msg.path), msg.path)
	case editorExitedMsg:
		if msg.err != nil {
			return m, tea.Batch(notifyErr(errors.New("the editor failed: " + msg.err.Error() + " (the file is kept at " + msg.path + ")")))
		}
		return m, readEditedFile(msg.path)
	case editorDiscardFileMsg:
		m.extFile = ""
		return m, tea.Batch(removeFile(msg.path), notify("external edits discarded"))
	case editorFileParsedMsg:
		if msg.err != nil {
			return m, openDialog(&messageDialog{
				title:   "The edited file has an error",
				body:    sanitize(msg.err.Error()),
				hint:    "enter re-open the file · esc discard these edits",
				enter:   editorReopenMsg{path: msg.path},
				esc:     editorDiscardFileMsg{path: msg.path},
				isError: true,
			})
		}
		m.extFile = ""
		var cmd tea.Cmd
		m, cmd = m.applyFile(msg.file)
		return m, tea.Batch(cmd, removeFile(msg.path))
	}
	return m, nil
}

// applyFile loads an edited file into the fields. The name can be set only
// for a new prompt; tags and cases are not the editor's and are left alone.
func (m editorModel) applyFile(f prompt.File) (editorModel, tea.Cmd) {
	var notes []string
	if m.isNew {
		if f.Name != "" && f.Name != "new-prompt" && prompt.ValidateName(f.Name) == nil {
			m.name = f.Name
		}
	} else if f.Name != m.name {
		notes = append(notes, "renaming is not supported: the name stays "+m.name)
	}
	m.description = f.Description
	m.msgs = nil
	for _, msg := range f.Messages {
		m.msgs = append(m.msgs, msgField{role: msg.Role, ta: m.newTextarea(msg.Content)})
	}
	if len(m.msgs) == 0 {
		m.msgs = []msgField{{role: prompt.RoleUser, ta: m.newTextarea("")}}
	}
	extra := f.Params.Clone()
	for _, k := range prompt.ParamKeys {
		extra.Unset(k)
	}
	m.baseParams = extra
	m = m.setParams(f.Params)
	m.labels.SetValue(labelsText(f.Labels))
	m.labels.CursorStart()
	for k, v := range f.Vars {
		ti, ok := m.varInputs[k]
		if !ok {
			ti = m.newVarInput()
		}
		ti.SetValue(v)
		ti.CursorStart()
		m.varInputs[k] = ti
	}
	if len(f.Tags) > 0 || len(f.Cases) > 0 {
		notes = append(notes, "tags and cases in the file are ignored here")
	}
	m.syncVars()
	m = m.layout()
	cmd := m.focusField(clamp(m.lastMsg, 0, len(m.msgs)-1))
	text := "loaded the edited file"
	if len(notes) > 0 {
		text += "; " + strings.Join(notes, "; ")
	}
	return m, tea.Batch(cmd, notify(text))
}
