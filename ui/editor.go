package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"whet/prompt"
	"whet/store"
	"whet/textutil"
)

// editorKeys is the editor's key table. None of them is a key the text
// fields use: the fields' own ctrl+n/ctrl+p/ctrl+e bindings are removed.
type editorKeys struct {
	Save      key.Binding
	External  key.Binding
	AddMsg    key.Binding
	RemoveMsg key.Binding
	MoveUp    key.Binding
	MoveDown  key.Binding
	Role      key.Binding
	Next      key.Binding
	Prev      key.Binding
	Close     key.Binding
}

func newEditorKeys() editorKeys {
	return editorKeys{
		Save:      key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save version")),
		External:  key.NewBinding(key.WithKeys("ctrl+e"), key.WithHelp("ctrl+e", "$EDITOR")),
		AddMsg:    key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "add message")),
		RemoveMsg: key.NewBinding(key.WithKeys("ctrl+x"), key.WithHelp("ctrl+x", "remove message")),
		MoveUp:    key.NewBinding(key.WithKeys("alt+up"), key.WithHelp("alt+↑", "move message up")),
		MoveDown:  key.NewBinding(key.WithKeys("alt+down"), key.WithHelp("alt+↓", "move message down")),
		Role:      key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "cycle role")),
		Next:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		Prev:      key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field")),
		Close:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close editor")),
	}
}

// Editor messages.
type (
	editorLoadedMsg struct {
		id      int
		prompt  prompt.Prompt
		version prompt.Version
		err     error
	}
	editorNamedMsg struct{ name string } // the name of a new prompt
	editorSaveMsg  struct{ note string }
	editorSavedMsg struct {
		id              int
		name            string
		ver             prompt.Version
		created         bool
		isNew           bool
		labelsChanged   bool
		defaultsChanged bool
		defs            map[string]string // the sample values saved
		snap            editorSnapshot
		err             error
	}
	editorCloseMsg  struct{}
	editorRemoveMsg struct{ index int }
)

func (editorLoadedMsg) target() screenID { return screenEditor }
func (editorNamedMsg) target() screenID  { return screenEditor }
func (editorSaveMsg) target() screenID   { return screenEditor }
func (editorSavedMsg) target() screenID  { return screenEditor }
func (editorCloseMsg) target() screenID  { return screenEditor }
func (editorRemoveMsg) target() screenID { return screenEditor }

// editorSnapshot is what the store holds of an edited prompt; the editor
// is dirty while its fields differ from it.
type editorSnapshot struct {
	hash     string
	labels   string
	defaults string
	// invalid holds the text of params that do not parse: typed, so an
	// edit, though not in the content yet.
	invalid string
}

// msgField is one message being edited. A text area holds a tab as
// spaces and cannot hold a control character: so the field keeps the
// message as it was set, and gives it back byte for byte until its text
// is edited (content).
type msgField struct {
	role  string
	ta    textarea.Model
	exact string // the message as set
	shown string // the text area's text when it was set
}

// newMsgField is a field holding content for role.
func (m editorModel) newMsgField(role, content string) msgField {
	ta := m.newTextarea(content)
	return msgField{role: role, ta: ta, exact: content, shown: ta.Value()}
}

// content is the message: as set while the text is unedited, else the
// text, with what the field did not show of the message outside the
// edited part kept where it can be (rejoin).
func (f msgField) content() string {
	s := f.ta.Value()
	if s == f.shown {
		return f.exact
	}
	if v, ok := rejoin(f.exact, f.shown, s, false); ok {
		return v
	}
	return s
}

// fieldKind says what a focusable field edits.
type fieldKind int

const (
	fieldMessage fieldKind = iota
	fieldParam
	fieldLabels
	fieldVar
)

// field is one stop of the tab order.
type field struct {
	kind  fieldKind
	index int
}

// editorModel edits a prompt: its messages, params, labels and the sample
// values of its variables, with live lint. Saving makes a new version.
type editorModel struct {
	sh   *shared
	keys editorKeys
	w, h int

	active  bool     // a prompt is open
	back    screenID // where closing returns: the screen that opened it
	loading bool
	req     int
	saving  bool

	isNew       bool
	name        string
	description string
	baseVersion int
	baseParams  prompt.Params // Extra params are kept as loaded
	baseLabels  prompt.Labels
	baseDefs    map[string]string
	saved       editorSnapshot

	msgs      []msgField
	params    []textinput.Model // prompt.ParamKeys order
	paramErr  []string
	labels    textinput.Model
	labelErr  string
	varNames  []string
	varInputs map[string]valueField
	lints     []prompt.Lint

	focus   int // index into fields()
	lastMsg int // the message shown expanded while focus is elsewhere
	extFile string
	// lossy says what of the loaded version the fields cannot hold
	// (control characters, tabs; see fill); "" when nothing.
	lossy    string
	loadErr  string
	fromFile string // notice after an external edit
}

func newEditor(sh *shared) editorModel {
	m := editorModel{sh: sh, keys: newEditorKeys(), varInputs: map[string]valueField{}}
	m.params = make([]textinput.Model, len(prompt.ParamKeys))
	m.paramErr = make([]string, len(prompt.ParamKeys))
	for i := range m.params {
		m.params[i] = m.newInput("default")
	}
	m.labels = m.newInput("e.g. purpose=support team=cx")
	return m
}

func (m editorModel) newInput(placeholder string) textinput.Model {
	ti := textinput.New()
	ti.Prompt = ""
	ti.Placeholder = placeholder
	ti.SetStyles(m.sh.styles().TextInput)
	return ti
}

// newVarInput is a sample-value input sized for the side panel.
func (m editorModel) newVarInput() valueField {
	ti := m.newInput("sample value")
	ti.SetWidth(m.sideInputWidth())
	return valueField{Model: ti}
}

func (m editorModel) newTextarea(content string) textarea.Model {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	ta.Prompt = "│ "
	ta.MaxHeight = 0
	ta.CharLimit = 0
	ta.Placeholder = "type the message; {{name}} is a variable"
	// These keys belong to the editor and the root.
	ta.KeyMap.LineNext.SetKeys("down")
	ta.KeyMap.LinePrevious.SetKeys("up")
	ta.KeyMap.LineEnd.SetKeys("end")
	ta.KeyMap.DeleteCharacterForward.SetKeys("delete")
	ta.SetStyles(m.sh.styles().TextArea)
	// The field would keep the body of an escape sequence as text and a
	// bidirectional override as is: sanitise as every other view does.
	ta.SetValue(sanitize(content))
	ta.MoveToBegin()
	return ta
}

func (m editorModel) applyTheme() editorModel {
	st := m.sh.styles()
	for i := range m.msgs {
		m.msgs[i].ta.SetStyles(st.TextArea)
	}
	for i := range m.params {
		m.params[i].SetStyles(st.TextInput)
	}
	m.labels.SetStyles(st.TextInput)
	for k, ti := range m.varInputs {
		ti.SetStyles(st.TextInput)
		m.varInputs[k] = ti
	}
	return m
}

// title names what is being edited, for dialogs.
func (m editorModel) title() string {
	if m.isNew {
		if m.name != "" {
			return "the new prompt " + m.name
		}
		return "a new prompt"
	}
	return m.name
}

func (m editorModel) capturesText() bool { return m.active && !m.loading }

// waiting reports whether the editor waits for the version it opens: what
// is typed meanwhile goes into its fields once they hold it (hold.go).
func (m editorModel) waiting() bool { return m.active && m.loading }

// abandon forgets the prompt being read (esc, hold.go): its answer is
// dropped and nothing is open; closing returns where it would have.
func (m editorModel) abandon() editorModel {
	fresh := newEditor(m.sh)
	fresh.w, fresh.h, fresh.req, fresh.back = m.w, m.h, m.req+1, m.back
	return fresh
}

// renamed follows a rename of the prompt being edited: its unsaved edits
// are saved under the new name.
func (m editorModel) renamed(from, to string) editorModel {
	if m.active && !m.isNew && m.name == from {
		m.name = to
	}
	return m
}

// open starts editing name at version (0 = latest), or a new prompt when
// name is "".
func (m editorModel) open(name string, version int) (editorModel, tea.Cmd) {
	fresh := newEditor(m.sh)
	fresh.w, fresh.h = m.w, m.h
	fresh.req = m.req + 1
	m = fresh
	m.active = true
	if name == "" {
		m.isNew = true
		m.msgs = []msgField{m.newMsgField(prompt.RoleSystem, ""), m.newMsgField(prompt.RoleUser, "")}
		m.saved = m.snapshot()
		m.syncVars()
		m = m.layout()
		return m, m.focusField(0)
	}
	m.name = name
	m.loading = true
	id := m.req
	ref := prompt.Ref{Name: name, Number: version}
	return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		p, err := st.GetPrompt(ctx, name)
		if err != nil {
			return editorLoadedMsg{id: id, err: err}
		}
		v, err := st.Resolve(ctx, ref)
		return editorLoadedMsg{id: id, prompt: p, version: v, err: err}
	})
}

// fill sets the fields from a stored prompt and version.
func (m editorModel) fill(p prompt.Prompt, v prompt.Version) editorModel {
	m.name = p.Name
	m.description = p.Description
	m.baseVersion = v.Number
	m.baseParams = v.Params.Clone()
	m.baseLabels = p.Labels
	m.baseDefs = p.Defaults
	m.msgs = nil
	for _, msg := range v.Messages {
		m.msgs = append(m.msgs, m.newMsgField(msg.Role, msg.Content))
	}
	if len(m.msgs) == 0 {
		m.msgs = []msgField{m.newMsgField(prompt.RoleUser, "")}
	}
	m = m.setParams(v.Params)
	m.labels.SetValue(labelsText(p.Labels))
	m.labels.CursorStart()
	m.varInputs = map[string]valueField{}
	for k, val := range p.Defaults {
		ti := m.newVarInput()
		ti.setExact(val)
		ti.CursorStart()
		ti.dropNote = hiddenNote(k, true, "saved")
		m.varInputs[k] = ti
	}
	m.syncVars()
	// Defaults for variables no message uses are not shown, so they do not
	// count as a change; compare against what the fields would save.
	m.saved = editorSnapshot{
		hash:     prompt.Content{Messages: prompt.NormalizeMessages(v.Messages), Params: v.Params}.Hash(),
		labels:   prompt.Labels(p.Labels).String(),
		defaults: defaultsText(m.currentDefaults()),
	}
	// Text areas cannot hold control characters (an escape sequence in an
	// imported prompt; they show the text sanitised, as every view does)
	// and hold a tab as spaces. A message keeps such text while it is not
	// edited (msgField.content), so opening the version or saving after
	// another change does not alter it; fill reports (lossy) what a message
	// edited here loses.
	m.lossy = lossyNote(v.Messages)
	return m.layout()
}

// tabsPasted is the notice of a paste with tabs into a text area, which
// holds each as spaces.
const tabsPasted = "pasted tabs became spaces: a text field cannot hold a tab"

// lossyNote says what the messages' fields do not show as it is stored,
// and what an edit does with it, true of each message; "" when nothing
// (what they do not show of emoji is kept: rejoin). An edited message
// with control characters is saved as shown (without them, its tabs as
// spaces); one with tabs alone keeps those outside the part edited.
func lossyNote(msgs []prompt.Message) string {
	var ctl, tab, both, tabOnly bool
	var withCtl []string // 1-based, as the fields' heads number them
	for i, m := range msgs {
		c := textutil.Sanitize(m.Content) != strings.ReplaceAll(m.Content, "\r\n", "\n")
		t := strings.Contains(m.Content, "\t")
		ctl, tab, both, tabOnly = ctl || c, tab || t, both || c && t, tabOnly || t && !c
		if c {
			withCtl = append(withCtl, itoa(i+1))
		}
	}
	switch {
	case both && tabOnly:
		// Only the messages with control characters lose what an edit
		// does not keep: name them.
		which := "message " + withCtl[0]
		if len(withCtl) > 1 {
			which = "messages " + strings.Join(withCtl, ", ")
		}
		return "control characters hidden, tabs as spaces: editing " + which + " loses them"
	case both:
		// Every message with tabs has control characters: an edit saves
		// each as shown.
		return "control characters hidden, tabs shown as spaces: an edited message is saved so"
	case ctl && tab:
		// A message with tabs alone keeps them outside what is edited.
		return "control characters hidden, an edit drops them; tabs shown as spaces stay tabs"
	case tab:
		return "tabs shown as spaces: they stay tabs unless you edit them"
	case ctl:
		return "control characters hidden: a message you edit here is saved without them"
	default:
		return ""
	}
}

func (m editorModel) setParams(p prompt.Params) editorModel {
	vals := paramTexts(p)
	for i, k := range prompt.ParamKeys {
		m.params[i].SetValue(vals[k])
		m.params[i].CursorStart()
		m.paramErr[i] = ""
	}
	return m
}

// paramTexts renders the well-known params as form text.
func paramTexts(p prompt.Params) map[string]string {
	out := map[string]string{}
	for _, l := range p.Lines() {
		k, v, _ := strings.Cut(l, ": ")
		switch k {
		case "stop":
			// One sequence shows as typed, unless the field would read it
			// back otherwise: a line break, a tab or another control
			// character (a one-line field cannot hold it), a space at
			// either end (trimmed), a "[" first (a JSON array); the JSON
			// array holds those exactly.
			if st := p.Stop; len(st) == 1 && plainStop(st[0]) {
				v = st[0]
			}
		}
		out[k] = v
	}
	return out
}

// plainStop reports whether the stop sequence s reads back unchanged
// from the stop field as typed text.
func plainStop(s string) bool {
	return s != "" && !strings.HasPrefix(s, "[") && s == strings.TrimSpace(s) &&
		!strings.ContainsFunc(s, textutil.IsControl)
}

// labelsText renders labels as "k=v k=v", or comma-separated when a value
// holds a space. A value holding a comma or a double quote, or the only
// value when it holds a space, is written in double quotes with \" and \\
// escaped, so that parseLabels reads back every value the store accepts.
func labelsText(l prompt.Labels) string {
	sep := " "
	for _, v := range l {
		if strings.ContainsFunc(v, unicode.IsSpace) {
			sep = ", "
		}
	}
	var parts []string
	for _, k := range l.Keys() {
		v := l[k]
		if strings.ContainsAny(v, `,"`) || len(l) == 1 && strings.ContainsFunc(v, unicode.IsSpace) {
			v = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
		}
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, sep)
}

// parseLabels reads the labels field: k=v pairs separated by commas, or by
// spaces when there is no comma. A value in double quotes may hold commas
// and spaces; inside it \" is a quote and \\ a backslash.
func parseLabels(s string) (prompt.Labels, error) {
	out := prompt.Labels{}
	parts, sawComma := splitLabels(s, func(r rune) bool { return r == ',' })
	if !sawComma {
		parts, _ = splitLabels(s, unicode.IsSpace)
	}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		k, v, err := prompt.ParseLabel(p)
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(v, `"`) {
			if v, err = unquoteLabel(v); err != nil {
				return nil, fmt.Errorf("malformed label %q: %w", p, err)
			}
			if v = strings.TrimSpace(v); v == "" {
				return nil, fmt.Errorf("malformed label %q: the value is empty", p)
			}
		}
		out[k] = v
	}
	return out, nil
}

// splitLabels cuts s at the runes isSep reports, but not inside a value in
// double quotes: one whose quote comes right after "key=". It reports
// whether it cut anywhere.
func splitLabels(s string, isSep func(rune) bool) (parts []string, cut bool) {
	const (
		plain = iota
		valStart
		inQuote
		inEscape
	)
	state := plain
	var b, word strings.Builder
	for _, r := range s {
		switch state {
		case inQuote:
			switch r {
			case '\\':
				state = inEscape
			case '"':
				state = plain
			}
			b.WriteRune(r)
			continue
		case inEscape:
			state = inQuote
			b.WriteRune(r)
			continue
		}
		if isSep(r) {
			parts = append(parts, b.String())
			b.Reset()
			word.Reset()
			cut, state = true, plain
			continue
		}
		b.WriteRune(r)
		switch {
		case state == valStart && r == '"':
			state = inQuote
		case state == valStart && unicode.IsSpace(r):
		case r == '=' && prompt.ValidateLabelKey(word.String()) == nil:
			state = valStart
			word.Reset()
		case unicode.IsSpace(r):
			state = plain
			word.Reset()
		default:
			state = plain
			word.WriteRune(r)
		}
	}
	return append(parts, b.String()), cut
}

// unquoteLabel reads a label value written in double quotes.
func unquoteLabel(q string) (string, error) {
	var b strings.Builder
	esc := false
	for i, r := range q[1:] {
		switch {
		case esc:
			b.WriteRune(r)
			esc = false
		case r == '\\':
			esc = true
		case r == '"':
			if rest := strings.TrimSpace(q[1+i+1:]); rest != "" {
				return "", fmt.Errorf("%q follows the closing quote (quote the whole value)", rest)
			}
			return b.String(), nil
		default:
			b.WriteRune(r)
		}
	}
	return "", errors.New(`the quoted value has no closing "`)
}

func defaultsText(d map[string]string) string {
	var b strings.Builder
	for _, k := range prompt.SortedKeys(d) {
		b.WriteString(k + "\x00" + d[k] + "\x00")
	}
	return b.String()
}

// currentMessages are the messages as they would be saved.
func (m editorModel) currentMessages() []prompt.Message {
	out := make([]prompt.Message, len(m.msgs))
	for i, f := range m.msgs {
		out[i] = prompt.Message{Role: f.role, Content: f.content()}
	}
	return prompt.NormalizeMessages(out)
}

// currentParams builds the params from the form over the loaded ones (so
// provider-specific extras survive), with the first error found.
func (m editorModel) currentParams() (prompt.Params, []string) {
	p := m.baseParams.Clone()
	errs := make([]string, len(prompt.ParamKeys))
	for i, k := range prompt.ParamKeys {
		p.Unset(k)
		if v := strings.TrimSpace(m.params[i].Value()); v != "" {
			if err := p.Set(k, v); err != nil {
				errs[i] = err.Error()
			}
		}
	}
	return p, errs
}

// savedDefaults are the prompt's sample values as a save stores them: the
// fields' (currentDefaults), and as they were those of the variables the
// messages do not use, which the editor does not show (another version may
// use them; a variable taken out of a message keeps its value, as it does
// when no sample value changes).
func (m editorModel) savedDefaults() map[string]string {
	out := m.currentDefaults()
	shown := map[string]bool{}
	for _, n := range m.varNames {
		shown[n] = true
	}
	for k, v := range m.baseDefs {
		if !shown[k] {
			out[k] = v
		}
	}
	return out
}

// currentDefaults are the sample values of the variables the messages use.
func (m editorModel) currentDefaults() map[string]string {
	out := map[string]string{}
	for _, n := range m.varNames {
		if ti, ok := m.varInputs[n]; ok && ti.value() != "" {
			out[n] = ti.value()
		}
	}
	return out
}

func (m editorModel) snapshot() editorSnapshot {
	p, errs := m.currentParams()
	var invalid strings.Builder
	for i, e := range errs {
		if e != "" {
			invalid.WriteString(prompt.ParamKeys[i] + "=" + m.params[i].Value() + "\n")
		}
	}
	l, err := parseLabels(m.labels.Value())
	ls := m.labels.Value()
	if err == nil {
		ls = l.String()
	}
	return editorSnapshot{
		hash:     prompt.Content{Messages: m.currentMessages(), Params: p}.Hash(),
		labels:   ls,
		defaults: defaultsText(m.currentDefaults()),
		invalid:  invalid.String(),
	}
}

// dirty reports unsaved changes.
func (m editorModel) dirty() bool {
	return m.active && !m.loading && m.snapshot() != m.saved
}

// fields is the tab order: messages, params, labels, variables.
func (m editorModel) fields() []field {
	var out []field
	for i := range m.msgs {
		out = append(out, field{fieldMessage, i})
	}
	for i := range m.params {
		out = append(out, field{fieldParam, i})
	}
	out = append(out, field{fieldLabels, 0})
	for i := range m.varNames {
		out = append(out, field{fieldVar, i})
	}
	return out
}

func (m editorModel) focused() field {
	fs := m.fields()
	if len(fs) == 0 {
		return field{}
	}
	return fs[clamp(m.focus, 0, len(fs)-1)]
}

// focusField moves the focus to fields()[i], blurring the others.
func (m *editorModel) focusField(i int) tea.Cmd {
	fs := m.fields()
	m.focus = clamp(i, 0, len(fs)-1)
	for j := range m.msgs {
		m.msgs[j].ta.Blur()
	}
	// Inputs show the start of their value while blurred and put the
	// cursor at the end when they get the focus.
	blur := func(ti *textinput.Model) {
		if ti.Focused() {
			ti.Blur()
			ti.CursorStart()
		}
	}
	focus := func(ti *textinput.Model) tea.Cmd {
		cmd := ti.Focus()
		ti.CursorEnd()
		return cmd
	}
	for j := range m.params {
		blur(&m.params[j])
	}
	blur(&m.labels)
	for k, ti := range m.varInputs {
		blur(&ti.Model)
		m.varInputs[k] = ti
	}
	f := m.focused()
	switch f.kind {
	case fieldMessage:
		m.lastMsg = f.index
		*m = m.layout()
		return m.msgs[f.index].ta.Focus()
	case fieldParam:
		return focus(&m.params[f.index])
	case fieldLabels:
		return focus(&m.labels)
	case fieldVar:
		name := m.varNames[f.index]
		ti := m.varInputs[name]
		cmd := focus(&ti.Model)
		m.varInputs[name] = ti
		return cmd
	}
	return nil
}

// syncVars refreshes the variable list from the messages and re-lints.
func (m *editorModel) syncVars() {
	var focusedVar string
	if f := m.focused(); f.kind == fieldVar && f.index < len(m.varNames) {
		focusedVar = m.varNames[f.index]
	}
	m.varNames = prompt.MessagesVariables(m.currentMessages())
	for _, n := range m.varNames {
		if _, ok := m.varInputs[n]; !ok {
			m.varInputs[n] = m.newVarInput()
		}
	}
	m.sizeVarInputs() // past the longest name
	if focusedVar != "" {
		for i, n := range m.varNames {
			if n == focusedVar {
				m.focus = len(m.msgs) + len(m.params) + 1 + i
			}
		}
	}
	p, errs := m.currentParams()
	m.paramErr = errs
	if _, err := parseLabels(m.labels.Value()); err != nil {
		m.labelErr = err.Error()
	} else {
		m.labelErr = ""
	}
	m.lints = prompt.LintVersion(m.currentMessages(), p, m.currentDefaults())
}

// Update handles the editor's keys and messages.
func (m editorModel) Update(msg tea.Msg) (editorModel, tea.Cmd) {
	switch msg := msg.(type) {
	case editorLoadedMsg:
		if msg.id != m.req {
			return m, nil
		}
		m.loading = false
		if msg.err != nil {
			m.active = false
			m.loadErr = m.sh.errText(msg.err)
			return m, notifyErr(msg.err)
		}
		m = m.fill(msg.prompt, msg.version)
		cmd := m.focusField(m.firstUserMessage())
		if m.lossy != "" {
			cmd = tea.Batch(cmd, notify(m.lossy))
		}
		return m, cmd
	case editorNamedMsg:
		m.name = msg.name
		return m, m.askNote()
	case editorSaveMsg:
		return m.save(msg.note)
	case editorSavedMsg:
		return m.onSaved(msg)
	case editorCloseMsg:
		fresh := newEditor(m.sh)
		fresh.w, fresh.h, fresh.req = m.w, m.h, m.req+1
		return fresh, m.sh.post(showScreenMsg{to: m.back})
	case editorRemoveMsg:
		return m.removeMessage(msg.index)
	case extReadyMsg, extExitedMsg, extReopenMsg, extDiscardMsg, editorFileParsedMsg:
		return m.updateExternal(msg)
	case tea.KeyPressMsg:
		if !m.active || m.loading {
			if key.Matches(msg, m.keys.Close) {
				return m, m.sh.post(showScreenMsg{to: m.back})
			}
			if msg.String() == "n" {
				return m, m.sh.post(openEditorMsg{})
			}
			return m, nil
		}
		return m.updateKeys(msg)
	case tea.PasteMsg:
		if !m.active || m.loading {
			return m, nil
		}
		return m.updateField(msg)
	case tea.MouseClickMsg:
		return m.click(msg)
	}
	if m.active && !m.loading {
		return m.updateField(msg)
	}
	return m, nil
}

func (m editorModel) firstUserMessage() int {
	for i, f := range m.msgs {
		if f.role == prompt.RoleUser {
			return i
		}
	}
	return 0
}

func (m editorModel) updateKeys(msg tea.KeyPressMsg) (editorModel, tea.Cmd) {
	k := m.keys
	f := m.focused()
	switch {
	case key.Matches(msg, k.Save):
		return m.startSave()
	case key.Matches(msg, k.External):
		return m.startExternal()
	case key.Matches(msg, k.Close):
		if m.dirty() {
			return m, m.sh.open(newDestructiveConfirm("Close the editor?", "Discard the unsaved changes to "+m.title()+"?", editorCloseMsg{}, nil))
		}
		return m, m.sh.post(editorCloseMsg{})
	case key.Matches(msg, k.Next):
		cmd := m.focusField((m.focus + 1) % len(m.fields()))
		return m, cmd
	case key.Matches(msg, k.Prev):
		n := len(m.fields())
		cmd := m.focusField((m.focus + n - 1) % n)
		return m, cmd
	case key.Matches(msg, k.AddMsg):
		return m.addMessage()
	}
	if f.kind == fieldMessage {
		switch {
		case key.Matches(msg, k.RemoveMsg):
			if len(m.msgs) == 1 {
				return m, notify("a prompt needs at least one message")
			}
			if strings.TrimSpace(m.msgs[f.index].ta.Value()) == "" {
				return m.removeMessage(f.index)
			}
			return m, m.sh.open(newDestructiveConfirm("Remove message "+itoa(f.index+1)+"?",
				"Remove the "+m.msgs[f.index].role+" message and its text?", editorRemoveMsg{index: f.index}, nil))
		case key.Matches(msg, k.MoveUp):
			return m.moveMessage(f.index, -1)
		case key.Matches(msg, k.MoveDown):
			return m.moveMessage(f.index, 1)
		case key.Matches(msg, k.Role):
			roles := []string{prompt.RoleSystem, prompt.RoleUser, prompt.RoleAssistant}
			next := roles[0]
			for i, r := range roles {
				if r == m.msgs[f.index].role {
					next = roles[(i+1)%len(roles)]
				}
			}
			m.msgs[f.index].role = next
			m.syncVars()
			return m, nil
		}
	}
	return m.updateField(msg)
}

// updateField hands a message to the focused field and re-lints.
func (m editorModel) updateField(msg tea.Msg) (editorModel, tea.Cmd) {
	f := m.focused()
	var cmd tea.Cmd
	switch f.kind {
	case fieldMessage:
		m.msgs[f.index].ta, cmd = m.msgs[f.index].ta.Update(msg)
		if p, ok := msg.(tea.PasteMsg); ok && strings.Contains(p.Content, "\t") {
			cmd = tea.Batch(cmd, notify(tabsPasted))
		}
	case fieldParam:
		m.params[f.index], cmd = m.params[f.index].Update(msg)
	case fieldLabels:
		m.labels, cmd = m.labels.Update(msg)
	case fieldVar:
		name := m.varNames[f.index]
		m.varInputs[name], cmd = m.varInputs[name].update(msg)
	}
	if _, ok := msg.(tea.KeyPressMsg); ok {
		m.syncVars()
	} else if _, ok := msg.(tea.PasteMsg); ok {
		m.syncVars()
	}
	return m, cmd
}

func (m editorModel) addMessage() (editorModel, tea.Cmd) {
	at := len(m.msgs)
	role := prompt.RoleUser
	if f := m.focused(); f.kind == fieldMessage {
		at = f.index + 1
		if m.msgs[f.index].role == prompt.RoleUser {
			role = prompt.RoleAssistant
		}
	} else if len(m.msgs) > 0 && m.msgs[len(m.msgs)-1].role == prompt.RoleUser {
		role = prompt.RoleAssistant
	}
	nf := m.newMsgField(role, "")
	m.msgs = append(m.msgs[:at], append([]msgField{nf}, m.msgs[at:]...)...)
	m.syncVars()
	m = m.layout()
	cmd := m.focusField(at)
	return m, tea.Batch(cmd, notify("added a "+role+" message (ctrl+r changes its role)"))
}

func (m editorModel) removeMessage(i int) (editorModel, tea.Cmd) {
	if i < 0 || i >= len(m.msgs) || len(m.msgs) == 1 {
		return m, nil
	}
	m.msgs = append(m.msgs[:i:i], m.msgs[i+1:]...)
	m.syncVars()
	m = m.layout()
	cmd := m.focusField(min(i, len(m.msgs)-1))
	return m, cmd
}

func (m editorModel) moveMessage(i, d int) (editorModel, tea.Cmd) {
	j := i + d
	if j < 0 || j >= len(m.msgs) {
		return m, nil
	}
	m.msgs[i], m.msgs[j] = m.msgs[j], m.msgs[i]
	m.syncVars()
	m = m.layout()
	cmd := m.focusField(j)
	return m, cmd
}

// startSave checks the fields and asks for a name (new prompts) and a note.
func (m editorModel) startSave() (editorModel, tea.Cmd) {
	if m.saving {
		return m, notify("saving…")
	}
	_, errs := m.currentParams()
	for i, e := range errs {
		if e != "" {
			cmd := m.focusField(len(m.msgs) + i)
			return m, tea.Batch(cmd, notifyErr(errors.New(e)))
		}
	}
	if _, err := parseLabels(m.labels.Value()); err != nil {
		cmd := m.focusField(len(m.msgs) + len(m.params))
		return m, tea.Batch(cmd, notifyErr(err))
	}
	msgs := m.currentMessages()
	empty := true
	for _, msg := range msgs {
		if strings.TrimSpace(msg.Content) != "" {
			empty = false
		}
	}
	if empty {
		return m, notifyErr(errors.New("nothing to save: every message is empty"))
	}
	if err := prompt.ValidateMessages(msgs); err != nil {
		return m, notifyErr(err)
	}
	if !m.isNew && m.snapshot() == m.saved {
		return m, notify("no changes to save")
	}
	if m.isNew {
		return m, m.sh.open(newInput(m.sh, "Name the new prompt", prompt.NameRule+".", "team/purpose-name", m.name,
			prompt.ValidateName, func(s string) tea.Msg { return editorNamedMsg{name: s} }))
	}
	return m, m.askNote()
}

func (m editorModel) askNote() tea.Cmd {
	what := "Saving " + m.name + " as a new version."
	if m.isNew {
		what = "Creating " + m.name + " at version 1."
	}
	return m.sh.open(newInput(m.sh, "Note for this version", what+" What changed, and why?", "e.g. shorter system prompt; ask for JSON", "",
		nil, func(s string) tea.Msg { return editorSaveMsg{note: s} }))
}

// save writes the version, then labels and sample values that changed.
func (m editorModel) save(note string) (editorModel, tea.Cmd) {
	params, _ := m.currentParams()
	labels, _ := parseLabels(m.labels.Value())
	defs := m.savedDefaults()
	snap := m.snapshot()
	nv := store.NewVersion{Messages: m.currentMessages(), Params: params, Note: note, Author: m.sh.author}
	name, isNew, author, id := m.name, m.isNew, m.sh.author, m.req
	labelsChanged := snap.labels != m.saved.labels
	defaultsChanged := snap.defaults != m.saved.defaults
	var set map[string]string
	var rm []string
	if labelsChanged && !isNew {
		set = map[string]string{}
		for k, v := range labels {
			if m.baseLabels[k] != v {
				set[k] = v
			}
		}
		for k := range m.baseLabels {
			if _, ok := labels[k]; !ok {
				rm = append(rm, k)
			}
		}
	}
	desc := m.description
	m.saving = true
	return m, tea.Batch(emit(jobMsg{1}), m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		out := editorSavedMsg{id: id, name: name, isNew: isNew, defs: defs, snap: snap}
		if isNew {
			out.ver, out.err = st.CreatePrompt(ctx, store.NewPrompt{Name: name, Description: desc, Labels: labels, Defaults: defs}, nv)
			out.created = out.err == nil
			out.labelsChanged, out.defaultsChanged = len(labels) > 0, len(defs) > 0
			return out
		}
		out.ver, out.created, out.err = st.SaveVersion(ctx, name, nv)
		if out.err != nil {
			return out
		}
		if labelsChanged {
			if out.err = st.SetLabels(ctx, name, set, rm, author); out.err != nil {
				return out
			}
			out.labelsChanged = true
		}
		if defaultsChanged {
			if out.err = st.SetDefaults(ctx, name, defs, author); out.err != nil {
				return out
			}
			out.defaultsChanged = true
		}
		return out
	}))
}

// onSaved takes the store's answer to a save.
func (m editorModel) onSaved(msg editorSavedMsg) (editorModel, tea.Cmd) {
	done := emit(jobMsg{-1})
	if msg.id != m.req {
		// The editor was closed or reopened meanwhile; the library still
		// needs to see the new version.
		if msg.err != nil {
			return m, tea.Batch(done, notifyErr(msg.err))
		}
		return m, tea.Batch(done, emit(promptsChangedMsg{name: msg.name}))
	}
	m.saving = false
	if msg.err != nil {
		if errors.Is(msg.err, store.ErrExists) && m.isNew {
			return m, tea.Batch(done, notifyErr(errors.New(msg.err.Error()+": choose another name (ctrl+s)")))
		}
		return m, tea.Batch(done, notifyErr(msg.err))
	}
	m.isNew = false
	m.saved = msg.snap
	m.baseVersion = msg.ver.Number
	labels, _ := parseLabels(m.labels.Value())
	m.baseLabels = labels
	if msg.defaultsChanged {
		m.baseDefs = msg.defs
	}
	var text string
	switch {
	case msg.created:
		text = "saved " + msg.ver.Ref() + " " + prompt.ShortHash(msg.ver.Hash)
	case msg.labelsChanged || msg.defaultsChanged:
		text = "no new version (same content as v" + itoa(msg.ver.Number) + "); labels and sample values saved"
	default:
		text = "no changes: the content is the same as v" + itoa(msg.ver.Number)
	}
	return m, tea.Batch(done, notify(text), emit(promptsChangedMsg{name: msg.name}))
}

func (m editorModel) keyTable() keyTable {
	k := m.keys
	if !m.active {
		n := key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new prompt"))
		return keyTable{short: []key.Binding{n}, groups: [][]key.Binding{{n}}}
	}
	return keyTable{
		short: []key.Binding{k.Save, k.Next, k.External, k.AddMsg, k.Close},
		groups: [][]key.Binding{
			{k.Save, k.External, k.Close},
			{k.Next, k.Prev, k.AddMsg, k.RemoveMsg, k.MoveUp, k.MoveDown, k.Role},
		},
	}
}
