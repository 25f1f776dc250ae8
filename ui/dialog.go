package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// dialog is a modal layer on the root's dialog stack. While a dialog is on
// top it gets every key, mouse and paste message first; it answers with
// typed messages (through the returned command) and says when it closes.
type dialog interface {
	// update handles one message. close pops the dialog; cmd carries its
	// answer as a message for the screen that opened it.
	update(msg tea.Msg) (close bool, cmd tea.Cmd)
	// view renders the dialog box, at most w×h cells; the root centres it.
	view(sh *shared, w, h int) string
}

// resizableDialog is a dialog with a layout sized for the terminal (text
// fields, a preview). The root calls resize on every such dialog on the
// stack when the terminal's size changes; sh holds the new size. Dialogs
// that size everything in view need not implement it.
type resizableDialog interface {
	dialog
	resize(sh *shared) tea.Cmd
}

// dialogMsg is an answer for one dialog (a render it started, say). The
// root delivers it to that dialog even when another is on top of it.
type dialogMsg interface{ forDialog() dialog }

// emit returns a command that delivers msg.
func emit(msg tea.Msg) tea.Cmd {
	if msg == nil {
		return nil
	}
	return func() tea.Msg { return msg }
}

// answerer posts a dialog's answer (shared.post) rather than emitting it:
// what the answer does (switch screens, run the action a confirmation
// asked about, open the next question) comes before any key typed after
// the answering one. The root binds it to the shared context when it puts
// the dialog on the stack (pushDialogMsg), so constructors need not.
type answerer struct{ sh *shared }

func (a *answerer) bind(sh *shared) { a.sh = sh }

// answer delivers msg right after the Update running now (nil: nothing).
// A dialog not on the root's stack (a test driving it alone) emits it.
func (a *answerer) answer(msg tea.Msg) tea.Cmd {
	if a.sh == nil {
		return emit(msg)
	}
	return a.sh.post(msg)
}

// dialogKeys are the answers every dialog understands.
type dialogKeys struct {
	Yes, No, Submit, Cancel key.Binding
}

func newDialogKeys() dialogKeys {
	return dialogKeys{
		Yes:    key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y/enter", "yes")),
		No:     key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "no")),
		Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// dialogWidth is the width of a dialog box on a w-wide terminal.
func dialogWidth(w, want int) int { return clamp(want, 20, w-4) }

// frameDialog draws title, body lines and a hint line in the dialog style.
// A body line too long for the dialog wraps under its own indentation.
func frameDialog(sh *shared, title, body, hint string, w int) string {
	return frameStyledDialog(sh, title, body, nil, hint, w)
}

// frameStyledDialog is frameDialog with the body drawn in style (nil:
// as it is). The body is wrapped before it is styled, so that a wrapped
// indented line keeps its indent (wrapIndented sees the spaces, not the
// style's escape sequence in front of them).
func frameStyledDialog(sh *shared, title, body string, style *lipgloss.Style, hint string, w int) string {
	st := sh.styles()
	inner := w - st.Dialog.GetHorizontalFrameSize()
	var b strings.Builder
	b.WriteString(st.DialogTitle.Render(trunc(title, inner)))
	b.WriteString("\n\n")
	for _, l := range strings.Split(body, "\n") {
		l = wrapIndented(l, inner)
		if style != nil {
			l = style.Render(l)
		}
		b.WriteString(l)
		b.WriteString("\n")
	}
	if hint != "" {
		b.WriteString("\n")
		for _, l := range packHint(hint, inner) {
			b.WriteString(st.KeyDesc.Render(l) + "\n")
		}
	}
	return st.Dialog.Width(w).Render(strings.TrimRight(b.String(), "\n"))
}

// packHint lays a dialog's key hint ("a x · b y · esc close") on as many
// lines of w cells as it needs, breaking only between its parts, so that
// no key is cut off the end (a part wider than w alone is cut).
func packHint(hint string, w int) []string {
	var lines []string
	cur := ""
	for _, part := range strings.Split(hint, " · ") {
		switch {
		case cur == "":
			cur = part
		case ansi.StringWidth(cur+" · "+part) <= w:
			cur += " · " + part
		default:
			lines = append(lines, trunc(cur, w))
			cur = part
		}
	}
	return append(lines, trunc(cur, w))
}

// confirmDialog asks a yes/no question. yes is delivered on y/enter (only
// y when destructive), no (which may be nil) on n/esc.
type confirmDialog struct {
	answerer
	title, body string
	yesLabel    string
	noLabel     string
	yes, no     tea.Msg
	keys        dialogKeys
}

func newConfirm(title, body string, yes, no tea.Msg) *confirmDialog {
	return &confirmDialog{title: title, body: body, yes: yes, no: no, keys: newDialogKeys(), yesLabel: "yes", noLabel: "no"}
}

// newDestructiveConfirm asks before something that loses work or data
// (unsaved edits, a suite, a file): only y says yes, so that an enter
// pressed out of habit, or meant for the screen behind, keeps everything.
func newDestructiveConfirm(title, body string, yes, no tea.Msg) *confirmDialog {
	d := newConfirm(title, body, yes, no)
	d.keys.Yes = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes"))
	return d
}

func (d *confirmDialog) update(msg tea.Msg) (bool, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false, nil
	}
	switch {
	case key.Matches(km, d.keys.Yes):
		return true, d.answer(d.yes)
	case key.Matches(km, d.keys.No), km.String() == "q":
		return true, d.answer(d.no)
	}
	return false, nil
}

func (d *confirmDialog) view(sh *shared, w, h int) string {
	st := sh.styles()
	hint := st.Key.Render(d.keys.Yes.Help().Key) + st.KeyDesc.Render(" "+d.yesLabel+"  ") + st.Key.Render("n/esc") + st.KeyDesc.Render(" "+d.noLabel)
	return frameDialog(sh, d.title, d.body+"\n\n"+hint, "", dialogWidth(w, 60))
}

// inputDialog asks for one line of text. validate runs on every change and
// on submit; submit builds the answer message.
//
// A waiting dialog (waitForAnswer) stays open after submit, showing that it
// works, until the screen answers it with an inputAnswerMsg: nil closes it,
// an error is shown under the field for another try. That is how an error
// only the store can find (a name another prompt has) appears where the
// name was typed.
type inputDialog struct {
	sh       *shared // posts the answer (shared.post)
	title    string
	body     string
	input    valueField
	validate func(string) error
	submit   func(string) tea.Msg
	cancel   tea.Msg
	err      string
	keys     dialogKeys

	wait   bool // stay open after submit until answered
	busy   bool // submitted; the answer is awaited
	closed bool // off the stack: an answer now comes too late
}

// inputAnswerMsg answers a waiting inputDialog's submit: err nil closes it.
type inputAnswerMsg struct {
	d   *inputDialog
	err error
}

func (m inputAnswerMsg) forDialog() dialog { return m.d }

// waitForAnswer makes d stay open after submit until an inputAnswerMsg
// arrives for it.
func (d *inputDialog) waitForAnswer() *inputDialog {
	d.wait = true
	return d
}

// gone reports whether d left the stack (closed, cancelled), so that an
// answer for it must be shown some other way.
func (d *inputDialog) gone() bool { return d.closed }

func newInput(sh *shared, title, body, placeholder, value string, validate func(string) error, submit func(string) tea.Msg) *inputDialog {
	ti := textinput.New()
	ti.Prompt = "› "
	// The placeholder is an example, said as one: without colour (NO_COLOR)
	// a bare "echo, ollama:llama3.2" in an empty field reads as typed.
	if placeholder != "" && !strings.HasPrefix(placeholder, "e.g.") {
		placeholder = "e.g. " + placeholder
	}
	ti.Placeholder = placeholder
	ti.SetStyles(sh.styles().TextInput)
	ti.SetWidth(dialogWidth(sh.width, 64) - sh.styles().Dialog.GetHorizontalFrameSize() - 3)
	ti.Focus()
	// The field shows value sanitised, each line break a ⏎ (a field would
	// keep an escape sequence's body, a bidi override); confirmed unedited,
	// the answer is value as it was: a stored note of several lines, with
	// tabs or trailing spaces, is not rewritten by opening its dialog.
	f := valueField{Model: ti}
	f.setExact(value)
	f.CursorEnd()
	return &inputDialog{sh: sh, title: title, body: body, input: f, validate: validate, submit: submit, keys: newDialogKeys()}
}

// resize fits the text field to the dialog's width on the new terminal.
func (d *inputDialog) resize(sh *shared) tea.Cmd {
	sizeInput(&d.input.Model, dialogWidth(sh.width, 64)-sh.styles().Dialog.GetHorizontalFrameSize()-3)
	return nil
}

// resize fits the filter field to the palette's width on the new terminal.
func (d *paletteDialog) resize(sh *shared) tea.Cmd {
	sizeInput(&d.input, dialogWidth(sh.width, 64)-sh.styles().Dialog.GetHorizontalFrameSize()-3)
	return nil
}

func (d *inputDialog) update(msg tea.Msg) (bool, tea.Cmd) {
	closing, cmd := d.handle(msg)
	if closing {
		d.closed = true
	}
	return closing, cmd
}

func (d *inputDialog) handle(msg tea.Msg) (bool, tea.Cmd) {
	if a, ok := msg.(inputAnswerMsg); ok {
		d.busy = false
		if a.err == nil {
			return true, nil
		}
		d.err = a.err.Error()
		return false, nil
	}
	if km, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(km, d.keys.Cancel):
			return true, d.sh.post(d.cancel)
		case d.busy:
			return false, nil // the answer to the last submit is awaited
		case key.Matches(km, d.keys.Submit):
			v := d.answer()
			if d.validate != nil {
				if err := d.validate(v); err != nil {
					d.err = err.Error()
					return false, nil
				}
			}
			// Posted, not emitted: what the answer opens next (another
			// question, a screen) comes before any key typed after enter.
			if d.wait {
				d.busy, d.err = true, ""
				return false, d.sh.post(d.submit(v))
			}
			return true, d.sh.post(d.submit(v))
		}
	}
	if d.busy {
		return false, nil
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.update(msg)
	if d.err != "" && d.validate != nil {
		if err := d.validate(d.answer()); err == nil {
			d.err = ""
		}
	}
	return false, cmd
}

// answer is the field's value: as it was given while unedited, else
// without the spaces at either end.
func (d *inputDialog) answer() string {
	if !d.input.edited() {
		return d.input.value()
	}
	return strings.TrimSpace(d.input.value())
}

func (d *inputDialog) view(sh *shared, w, h int) string {
	st := sh.styles()
	dw := dialogWidth(w, 64)
	body := d.body
	if body != "" {
		body += "\n\n"
	}
	body += d.input.View()
	if d.err != "" {
		body += "\n" + st.Error.Render(d.err)
	} else if d.input.hidden() {
		body += "\n" + st.Muted.Render(hiddenNote("", d.input.edited(), "saved"))
	}
	hint := "enter ok · esc cancel"
	if d.busy {
		hint = "working… · esc close"
	}
	return frameDialog(sh, d.title, body, hint, dw)
}

// messageDialog shows a message until dismissed; enter may carry an action.
type messageDialog struct {
	answerer
	title, body string
	hint        string
	enter       tea.Msg // nil: enter just closes
	esc         tea.Msg
	isError     bool
}

func (d *messageDialog) update(msg tea.Msg) (bool, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false, nil
	}
	switch km.String() {
	case "enter":
		return true, d.answer(d.enter)
	case "esc", "q":
		return true, d.answer(d.esc)
	}
	return false, nil
}

func (d *messageDialog) view(sh *shared, w, h int) string {
	var style *lipgloss.Style
	if d.isError {
		style = &sh.styles().Error
	}
	hint := d.hint
	if hint == "" {
		hint = "enter/esc close"
	}
	return frameStyledDialog(sh, d.title, d.body, style, hint, dialogWidth(w, 70))
}

// choice is one row of a choiceDialog.
type choice struct {
	label  string
	detail string
	msg    tea.Msg
	on     bool // shown with a check mark
}

// choiceDialog picks one of a list with j/k and enter.
type choiceDialog struct {
	answerer
	title   string
	hint    string
	choices []choice
	cursor  int
	nav     navKeys
	extra   map[string]tea.Msg // other keys that answer (e.g. "x" clear)
}

func (d *choiceDialog) update(msg tea.Msg) (bool, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		if wm, ok := msg.(tea.MouseWheelMsg); ok {
			if wm.Button == tea.MouseWheelDown {
				d.cursor = clamp(d.cursor+1, 0, len(d.choices)-1)
			} else if wm.Button == tea.MouseWheelUp {
				d.cursor = clamp(d.cursor-1, 0, len(d.choices)-1)
			}
		}
		return false, nil
	}
	if c, ok := d.nav.move(km, d.cursor, len(d.choices), 5); ok {
		d.cursor = c
		return false, nil
	}
	switch km.String() {
	case "enter", "space":
		if len(d.choices) == 0 {
			return true, nil
		}
		return true, d.answer(d.choices[d.cursor].msg)
	case "esc", "q":
		return true, nil
	}
	if m, ok := d.extra[km.String()]; ok {
		return true, d.answer(m)
	}
	return false, nil
}

func (d *choiceDialog) view(sh *shared, w, h int) string {
	st := sh.styles()
	dw := dialogWidth(w, 56)
	inner := dw - st.Dialog.GetHorizontalFrameSize()
	rows := clamp(h-8, 3, 16)
	off := clamp(d.cursor-rows/2, 0, max(0, len(d.choices)-rows))
	var lines []string
	for i := off; i < len(d.choices) && i < off+rows; i++ {
		c := d.choices[i]
		mark := "  "
		if c.on {
			mark = "✓ "
		}
		text := mark + c.label
		if c.detail != "" {
			text = pad(text, inner-8) + st.Muted.Render(pad(c.detail, 8))
		}
		if i == d.cursor {
			lines = append(lines, st.RowSelected.Render(pad(text, inner)))
		} else {
			lines = append(lines, pad(text, inner))
		}
	}
	if len(d.choices) == 0 {
		lines = append(lines, st.Muted.Render("nothing to choose from"))
	}
	return frameDialog(sh, d.title, strings.Join(lines, "\n"), d.hint, dw)
}
