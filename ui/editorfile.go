package ui

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"whet/config"
	"whet/prompt"
)

// External editing (ctrl+e): a screen writes what it edits to a
// temporary file (startExternal), $VISUAL (or $EDITOR, or vi) runs on it
// with the terminal released, and the screen reads the file back (its
// parse command). A file that does not parse is kept, and the user may open
// it again: nothing typed is lost. The messages carry the screen that
// started the edit, which handles them with updateExt.
type (
	extReadyMsg struct {
		to   screenID
		path string
		argv []string
		err  error
	}
	extExitedMsg struct {
		to   screenID
		path string
		err  error
	}
	extReopenMsg struct {
		to   screenID
		path string
	}
	extDiscardMsg struct {
		to   screenID
		path string
	}

	editorFileParsedMsg struct {
		path string
		file prompt.File
		err  error
	}
)

func (m extReadyMsg) target() screenID       { return m.to }
func (m extExitedMsg) target() screenID      { return m.to }
func (m extReopenMsg) target() screenID      { return m.to }
func (m extDiscardMsg) target() screenID     { return m.to }
func (editorFileParsedMsg) target() screenID { return screenEditor }

// editorArgv is the command line that edits path (config.EditorArgv:
// $VISUAL, else $EDITOR, else vi, read as a shell reads it).
func editorArgv(getenv func(string) string, path string) []string {
	return config.EditorArgv(getenv, path)
}

// startExternal writes data to a new temporary file named like pattern
// (os.CreateTemp) for screen to, which then gets an extReadyMsg.
func startExternal(to screenID, pattern string, data []byte) tea.Cmd {
	return func() tea.Msg {
		f, err := os.CreateTemp("", pattern)
		if err != nil {
			return extReadyMsg{to: to, err: err}
		}
		_, werr := f.Write(data)
		cerr := f.Close()
		if err := errors.Join(werr, cerr); err != nil {
			os.Remove(f.Name())
			return extReadyMsg{to: to, err: err}
		}
		return extReadyMsg{to: to, path: f.Name(), argv: editorArgv(os.Getenv, f.Name())}
	}
}

// execEditor runs the editor on path with the terminal released.
func execEditor(to screenID, argv []string, path string) tea.Cmd {
	c := exec.Command(argv[0], argv[1:]...)
	return tea.ExecProcess(c, func(err error) tea.Msg { return extExitedMsg{to: to, path: path, err: err} })
}

// updateExt handles the steps every external edit shares: it runs the
// editor (keeping the path in *file), reads the file back with parse when
// the editor exits cleanly, re-opens it, or discards it.
func updateExt(msg tea.Msg, file *string, parse func(path string) tea.Cmd) tea.Cmd {
	switch msg := msg.(type) {
	case extReadyMsg:
		if msg.err != nil {
			return notifyErr(errors.New("writing the temporary file: " + msg.err.Error()))
		}
		*file = msg.path
		return execEditor(msg.to, msg.argv, msg.path)
	case extReopenMsg:
		return execEditor(msg.to, editorArgv(os.Getenv, msg.path), msg.path)
	case extExitedMsg:
		if msg.err != nil {
			return notifyErr(errors.New("the editor failed: " + msg.err.Error() + " (the file is kept at " + msg.path + ")"))
		}
		return parse(msg.path)
	case extDiscardMsg:
		*file = ""
		return tea.Batch(removeFile(msg.path), notify("external edits discarded"))
	}
	return nil
}

// extErrorDialog shows why an edited file did not parse; enter re-opens
// it, esc discards it.
func extErrorDialog(to screenID, path string, err error) tea.Cmd {
	return openDialog(&messageDialog{
		title:   "The edited file has an error",
		body:    sanitize(err.Error()),
		hint:    "enter re-open the file · esc discard these edits",
		enter:   extReopenMsg{to: to, path: path},
		esc:     extDiscardMsg{to: to, path: path},
		isError: true,
	})
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
	return m, startExternal(screenEditor, "whet-*.md", prompt.FormatFile(m.currentFile()))
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
	parsed, ok := msg.(editorFileParsedMsg)
	if !ok {
		return m, updateExt(msg, &m.extFile, readEditedFile)
	}
	if parsed.err != nil {
		return m, extErrorDialog(screenEditor, parsed.path, parsed.err)
	}
	m.extFile = ""
	var cmd tea.Cmd
	m, cmd = m.applyFile(parsed.file)
	return m, tea.Batch(cmd, removeFile(parsed.path))
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
		notes = append(notes, "the name stays "+m.name+" (whet prompt rename renames a prompt)")
	}
	m.description = f.Description
	m.msgs = nil
	for _, msg := range f.Messages {
		m.msgs = append(m.msgs, m.newMsgField(msg.Role, msg.Content))
	}
	if len(m.msgs) == 0 {
		m.msgs = []msgField{m.newMsgField(prompt.RoleUser, "")}
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
		ti.setExact(v)
		ti.CursorStart()
		ti.dropNote = hiddenNote(k, true, "saved")
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
