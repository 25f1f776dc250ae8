package ui

import (
	"context"
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"whet/prompt"
	"whet/store"
)

// Setup messages.
type (
	// arenaCasesMsg answers the listing of the suite cases that fit the
	// prompt.
	arenaCasesMsg struct {
		req  int
		opts []arenaCaseOption
		err  error
	}
	// arenaCaseMsg fills the variables from a chosen case.
	arenaCaseMsg struct{ opt arenaCaseOption }
)

func (arenaCasesMsg) target() screenID { return screenArena }
func (arenaCaseMsg) target() screenID  { return screenArena }

// arenaCaseOption is a case to fill the variables from; defaults means the
// prompt's own sample values.
type arenaCaseOption struct {
	label    string
	vars     map[string]string
	defaults bool
}

// arenaSuiteStore is the suite part of the store, used when the store has
// it (the case chooser is optional).
type arenaSuiteStore interface {
	ListSuites(ctx context.Context, promptName string) ([]store.SuiteSummary, error)
	GetSuite(ctx context.Context, name string) (prompt.Suite, error)
}

// updateSetup handles a key while the setup form is shown.
func (m arenaModel) updateSetup(msg tea.KeyPressMsg) (arenaModel, tea.Cmd) {
	k := m.keys
	if m.picker.filtering {
		var cmd tea.Cmd
		m.picker, cmd = m.picker.updateFilter(msg, k)
		return m, cmd
	}
	if key.Matches(msg, k.Run) {
		return m.runAll()
	}
	if !m.loaded || m.loadErr != "" {
		if key.Matches(msg, k.Back) {
			return m, m.sh.post(showScreenMsg{to: screenLibrary})
		}
		return m, nil
	}
	if m.focus == arenaFocusVars && len(m.vars) > 0 {
		switch s := msg.String(); {
		case s == "down" || s == "up":
			// Arrows move between the variables and stop at the ends, so
			// that typing goes on in a field (tab leaves them).
			if s == "down" {
				m.varCursor = min(m.varCursor+1, len(m.vars)-1)
			} else {
				m.varCursor = max(m.varCursor-1, 0)
			}
			return m.focusVar()
		case key.Matches(msg, k.NextField), s == "enter":
			if m.varCursor >= len(m.vars)-1 {
				m.focus = arenaFocusTargets
			} else {
				m.varCursor++
			}
			return m.focusVar()
		case key.Matches(msg, k.PrevField):
			if m.varCursor == 0 {
				m.focus = arenaFocusTargets
			} else {
				m.varCursor--
			}
			return m.focusVar()
		case key.Matches(msg, k.Back):
			m.focus = arenaFocusTargets
			return m.focusVar()
		}
		return m.updateField(msg)
	}
	switch {
	case key.Matches(msg, k.Back):
		if len(m.cols) > 0 {
			m.pane = arenaPaneColumns
			return m, nil
		}
		return m, m.sh.post(showScreenMsg{to: screenLibrary})
	case key.Matches(msg, k.NextField):
		if len(m.vars) > 0 {
			m.focus, m.varCursor = arenaFocusVars, 0
		}
		return m.focusVar()
	case key.Matches(msg, k.PrevField):
		if len(m.vars) > 0 {
			m.focus, m.varCursor = arenaFocusVars, len(m.vars)-1
		}
		return m.focusVar()
	case key.Matches(msg, k.Toggle):
		var cmd tea.Cmd
		m.picker, cmd = m.picker.toggle()
		return m, cmd
	case key.Matches(msg, k.AddSpec):
		targets := m.targets
		if targets == nil {
			return m, notify(m.picker.err)
		}
		return m, m.sh.open(newInput(m.sh, "Add a target",
			"provider:model (ollama:llama3.2, openai:gpt-4o-mini, echo:b) or an alias from the config.",
			"ollama:llama3.2", "", func(s string) error {
				if s == "" {
					return errors.New("type a target")
				}
				_, err := targets.Resolve(s)
				return err
			}, func(s string) tea.Msg { return arenaAddSpecMsg{spec: s} }))
	case key.Matches(msg, k.Filter):
		m.picker.filtering = true
		var cmd tea.Cmd
		m.picker = m.picker.withFilter(func(f *textinput.Model) { cmd = f.Focus() })
		return m, cmd
	case key.Matches(msg, k.Reload):
		var cmd tea.Cmd
		m.picker, cmd = m.picker.load(m.targets)
		return m, cmd
	case key.Matches(msg, k.Case):
		return m.loadCases()
	case key.Matches(msg, k.More):
		m.repeat = min(arenaMaxRepeat, m.repeat+1)
		return m, nil
	case key.Matches(msg, k.Less):
		m.repeat = max(1, m.repeat-1)
		return m, nil
	}
	m.picker = m.picker.move(msg, k.nav)
	return m, nil
}

// updateField sends a message to the field being typed in.
func (m arenaModel) updateField(msg tea.Msg) (arenaModel, tea.Cmd) {
	if m.picker.filtering {
		var cmd tea.Cmd
		m.picker, cmd = m.picker.updateFilter(msg, m.keys)
		return m, cmd
	}
	if m.focus != arenaFocusVars || m.varCursor >= len(m.vars) {
		return m, nil
	}
	var cmd tea.Cmd
	m.vars[m.varCursor].input, cmd = m.vars[m.varCursor].input.update(msg)
	return m, cmd
}

// focusVar gives the focus to the current variable (or to none).
func (m arenaModel) focusVar() (arenaModel, tea.Cmd) {
	vars := make([]arenaVar, len(m.vars))
	copy(vars, m.vars)
	var cmd tea.Cmd
	for i := range vars {
		if m.focus == arenaFocusVars && i == m.varCursor {
			cmd = vars[i].input.Focus()
		} else {
			vars[i].input.Blur()
		}
	}
	m.vars = vars
	return m, cmd
}

// loadCases lists the cases of the suites that belong to the prompt (or
// to no prompt), in a command.
func (m arenaModel) loadCases() (arenaModel, tea.Cmd) {
	m.caseReq++
	id, name := m.caseReq, m.name
	return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		ss, ok := st.(arenaSuiteStore)
		if !ok {
			return arenaCasesMsg{req: id, err: errors.New("this store keeps no suites")}
		}
		sums, err := ss.ListSuites(ctx, "")
		if err != nil {
			return arenaCasesMsg{req: id, err: err}
		}
		var opts []arenaCaseOption
		for _, s := range sums {
			if s.Prompt != "" && !strings.EqualFold(s.Prompt, name) {
				continue
			}
			su, err := ss.GetSuite(ctx, s.Name)
			if err != nil {
				return arenaCasesMsg{req: id, err: err}
			}
			for i, c := range su.Cases {
				opts = append(opts, arenaCaseOption{label: su.Name + " / " + c.Label(i), vars: c.Vars})
			}
		}
		return arenaCasesMsg{req: id, opts: opts}
	})
}

func (m arenaModel) onCases(msg arenaCasesMsg) (arenaModel, tea.Cmd) {
	if msg.req != m.caseReq {
		return m, nil
	}
	if msg.err != nil {
		return m, notifyErr(msg.err)
	}
	if len(msg.opts) == 0 {
		return m, notify("no suite has cases for " + m.name + "; the variables come from its defaults")
	}
	opts := append([]arenaCaseOption{{label: "the prompt's defaults", defaults: true}}, msg.opts...)
	return m, m.sh.open(&arenaCaseDialog{opts: opts, keys: m.keys.nav})
}

// applyCase fills the variables from a case; variables it does not bind
// keep their values.
func (m arenaModel) applyCase(msg arenaCaseMsg) arenaModel {
	vars := make([]arenaVar, len(m.vars))
	copy(vars, m.vars)
	for i, v := range vars {
		val, ok := msg.opt.vars[v.name]
		if msg.opt.defaults {
			val, ok = m.prompt.Defaults[v.name], true
		}
		if ok {
			vars[i].input.setExact(val)
			vars[i].input.CursorEnd()
		}
	}
	m.vars = vars
	m.caseName = ""
	if !msg.opt.defaults {
		m.caseName = msg.opt.label
	}
	return m
}

// arenaCaseDialog chooses a case to fill the variables from.
type arenaCaseDialog struct {
	answerer
	opts   []arenaCaseOption
	cursor int
	keys   navKeys
}

func (d *arenaCaseDialog) update(msg tea.Msg) (bool, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false, nil
	}
	switch km.String() {
	case "esc", "q":
		return true, nil
	case "enter", "space":
		return true, d.answer(arenaCaseMsg{opt: d.opts[d.cursor]})
	}
	if c, ok := d.keys.move(km, d.cursor, len(d.opts), 8); ok {
		d.cursor = c
	}
	return false, nil
}

func (d *arenaCaseDialog) view(sh *shared, w, h int) string {
	st := sh.styles()
	dw := dialogWidth(w, 70)
	inner := dw - st.Dialog.GetHorizontalFrameSize()
	rows := max(3, h-10)
	first := clamp(d.cursor-rows/2, 0, max(0, len(d.opts)-rows))
	var lines []string
	for i := first; i < min(len(d.opts), first+rows); i++ {
		o := d.opts[i]
		text := oneLine(o.label)
		if len(o.vars) > 0 {
			var kv []string
			for _, k := range prompt.SortedKeys(o.vars) {
				kv = append(kv, k+"="+oneLine(o.vars[k]))
			}
			text += "  " + st.Muted.Render(strings.Join(kv, " "))
		}
		if i == d.cursor {
			lines = append(lines, st.RowSelected.Render(pad("▌ "+text, inner)))
		} else {
			lines = append(lines, "  "+trunc(text, inner-2))
		}
	}
	return frameDialog(sh, "Fill the variables from a case", strings.Join(lines, "\n"), "enter choose · esc cancel", dw)
}

// setupRects are the outer widths of the targets panel and the variables
// panel, and their height.
func (m arenaModel) setupRects() (lw, lh, rw, rh int) {
	h := max(3, m.h-arenaTopRows)
	lw = m.w * 9 / 20
	return lw, h, m.w - lw - 1, h
}

// pickerRowAt is the picker row (an index into picker.rows) drawn at x, y.
// The panel's frame comes first, then the picker's hint line, then the
// line view adds when the list is loading, failed or filtered empty.
func (m arenaModel) pickerRowAt(x, y int) (int, bool) {
	st := m.sh.styles()
	lw, lh, _, _ := m.setupRects()
	p := m.picker
	top := arenaTopRows + st.Panel.GetBorderTopSize() + 1
	if p.loading && len(p.items) == 0 || p.err != "" || len(p.rows) == 0 && len(p.items) > 0 {
		top++
	}
	left, right := st.Panel.GetBorderLeftSize(), lw-st.Panel.GetBorderRightSize()
	if x < left || x >= right || y < top || y >= arenaTopRows+lh-st.Panel.GetBorderBottomSize() {
		return 0, false
	}
	i := p.offset + y - top
	return i, i < len(p.rows) && i < p.offset+m.pickerRows()-1
}

// pickerRows is the picker's height inside its panel.
func (m arenaModel) pickerRows() int {
	_, lh, _, _ := m.setupRects()
	return max(1, lh-m.sh.styles().Panel.GetVerticalFrameSize())
}

// varLabelWidth is the width of the variable names column.
func (m arenaModel) varLabelWidth() int {
	w := 4
	for _, v := range m.vars {
		w = max(w, lipgloss.Width(v.name))
	}
	return min(w, 16)
}

// setupView draws the target picker beside the variables, the repeat count
// and the prompt as it will be sent.
func (m arenaModel) setupView() string {
	st := m.sh.styles()
	lw, lh, rw, rh := m.setupRects()
	frameW, frameH := st.Panel.GetHorizontalFrameSize(), st.Panel.GetVerticalFrameSize()
	lstyle, rstyle := st.Panel, st.Panel
	if m.focus == arenaFocusTargets || len(m.vars) == 0 {
		lstyle = st.PanelFocused
	} else {
		rstyle = st.PanelFocused
	}
	ltitle := st.PanelTitle.Render("Targets") + st.Muted.Render(" "+itoa(len(m.picker.selected))+" of max "+itoa(arenaMaxTargets))
	left := box(lstyle, ltitle, m.picker.view(lw-frameW, lh-frameH, m.focus == arenaFocusTargets || len(m.vars) == 0), lw, lh)
	rtitle := st.PanelTitle.Render("Variables")
	if m.caseName != "" {
		rtitle += st.Muted.Render(" from " + oneLine(m.caseName))
	}
	right := box(rstyle, rtitle, m.formView(rw-frameW, rh-frameH), rw, rh)
	return lipgloss.JoinHorizontal(lipgloss.Top, left, " ", right)
}

// formView is the variables, the repeat count and the rendered prompt.
func (m arenaModel) formView(w, h int) string {
	st := m.sh.styles()
	var lines []string
	lw := m.varLabelWidth()
	if len(m.vars) == 0 {
		lines = append(lines, st.Muted.Render("this version has no variables"))
	}
	for i, v := range m.vars {
		focused := m.focus == arenaFocusVars && i == m.varCursor
		marker := "  "
		if focused {
			marker = st.Cursor.Render("▌ ")
		}
		name := st.Variable.Render(pad(v.name, lw))
		var val string
		if focused {
			val = v.input.View()
		} else if v.input.Value() == "" {
			val = st.Warn.Render("(empty)")
		} else {
			val = st.Base.Render(oneLine(v.input.Value()))
		}
		lines = append(lines, trunc(marker+name+" "+val, w))
	}
	rep := "×" + itoa(m.repeat)
	lines = append(lines, "", st.Muted.Render("repeat ")+st.Bold.Render(rep)+st.Muted.Render(firstFit(w-len("repeat ")-lipgloss.Width(rep),
		"  +/- · each target runs that many times", "  +/- · runs per target", "  +/-")))
	lines = append(lines, "", st.Role.Render("PROMPT AS SENT"))
	msgs, err := prompt.RenderMessages(m.version.Messages, m.values())
	if err != nil {
		lines = append(lines, st.Warn.Render(trunc(oneLine(err.Error()), w)))
		msgs = m.version.Messages
	}
	for _, msg := range msgs {
		if len(lines) >= h {
			break
		}
		lines = append(lines, st.Muted.Render(strings.ToUpper(oneLine(msg.Role))))
		ww := &arenaWrap{width: w}
		ww.feed(msg.Content)
		for _, l := range ww.lines() {
			if len(lines) >= h {
				break
			}
			lines = append(lines, st.Base.Render(l))
		}
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	return strings.Join(lines, "\n")
}
