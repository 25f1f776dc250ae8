package ui

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/glamour/v2"
	gstyles "charm.land/glamour/v2/styles"

	"whet/outfile"
	"whet/report"
)

// exportFormat is a format the export dialog writes.
type exportFormat int

const (
	exportMarkdown exportFormat = iota
	exportJSON
	exportCSV
	exportJUnit   // a run's JUnit XML test report; not for comparisons
	exportFormats // the number of formats
)

func (f exportFormat) String() string {
	switch f {
	case exportJSON:
		return "JSON"
	case exportCSV:
		return "CSV"
	case exportJUnit:
		return "JUnit XML"
	}
	return "Markdown"
}

// ext is the file extension of the format, with its dot.
func (f exportFormat) ext() string {
	switch f {
	case exportJSON:
		return ".json"
	case exportCSV:
		return ".csv"
	case exportJUnit:
		return ".junit.xml"
	}
	return ".md"
}

// exportSource is what the export dialog writes: a run's report or a
// comparison (exactly one is set), and the names its default file is
// called after.
type exportSource struct {
	run    *report.RunReport
	cmp    *report.Comparison
	prompt string
	runID  string
}

// render writes the source in format f with the report package: the same
// bytes `whet export` and `whet run --format` write for the same rows.
func (s exportSource) render(f exportFormat) ([]byte, error) {
	var b bytes.Buffer
	var err error
	switch {
	case s.cmp != nil:
		switch f {
		case exportJSON:
			err = report.CompareJSON(&b, *s.cmp)
		case exportCSV:
			err = report.CompareCSV(&b, *s.cmp)
		default:
			err = report.CompareMarkdown(&b, *s.cmp)
		}
	case s.run != nil:
		switch f {
		case exportJSON:
			err = report.JSON(&b, *s.run)
		case exportCSV:
			err = report.CSV(&b, *s.run)
		case exportJUnit:
			err = report.JUnit(&b, *s.run)
		default:
			err = report.Markdown(&b, *s.run)
		}
	default:
		err = errors.New("nothing to export")
	}
	return b.Bytes(), err
}

// defaultPath is ./whet-<prompt>-<run><ext>, the prompt's slashes turned
// into dashes; a comparison adds "-compare".
func (s exportSource) defaultPath(f exportFormat) string {
	name := strings.NewReplacer("/", "-", `\`, "-", " ", "-").Replace(s.prompt)
	if name == "" {
		name = "run"
	}
	base := "whet-" + name
	if s.runID != "" {
		base += "-" + s.runID
	}
	if s.cmp != nil {
		base += "-compare"
	}
	return "." + string(filepath.Separator) + base + f.ext()
}

// exportKeys are the export dialog's keys. The path field has the focus
// throughout, so no key here is a printable character.
type exportKeys struct {
	Format, FormatBack key.Binding
	Write              key.Binding
	Copy               key.Binding
	Up, Down           key.Binding
	PageUp, PageDown   key.Binding
	Cancel             key.Binding
}

func newExportKeys() exportKeys {
	return exportKeys{
		Format:     key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "format")),
		FormatBack: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous format")),
		Write:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "write file")),
		Copy:       key.NewBinding(key.WithKeys("ctrl+y"), key.WithHelp("ctrl+y", "copy")),
		Up:         key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "scroll up")),
		Down:       key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "scroll")),
		PageUp:     key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Cancel:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// Export dialog messages. They are not routed to a screen: the root hands
// them to the top dialog (a rendered preview to its own dialog, wherever it
// is on the stack), and each carries the dialog it answers so that an
// answer reaching another dialog is dropped.
type (
	exportRenderedMsg struct {
		d       *exportDialog
		id      int
		data    []byte
		preview string
		err     error
	}
	exportStatMsg struct {
		d      *exportDialog
		path   string
		exists bool
		err    error
	}
	// exportWriteMsg writes the file, replacing what is there.
	exportWriteMsg struct {
		d    *exportDialog
		path string
	}
	// exportKeptMsg answers "no" to the overwrite question.
	exportKeptMsg    struct{ d *exportDialog }
	exportWrittenMsg struct {
		d    *exportDialog
		path string
		n    int
		err  error
	}
)

// forDialog sends a preview to its dialog even when another dialog (an
// overwrite question) is above it, as after a resize.
func (m exportRenderedMsg) forDialog() dialog { return m.d }

// previewLimit is how much of an export the preview renders.
const previewLimit = 64 << 10

// exportDialog previews a run or a comparison as Markdown, JSON or CSV (a
// run also as JUnit XML) and writes it to a file or copies it to the
// clipboard (OSC 52). The bytes come from exportSource.render, so they
// equal the CLI's.
type exportDialog struct {
	sh   *shared
	keys exportKeys
	src  exportSource

	format exportFormat
	path   textinput.Model

	req      int // the latest render request
	data     []byte
	rendered bool // data and the preview belong to the current format
	preview  viewport.Model
	err      string
	status   string

	// The size the layout was made for; a new terminal size re-renders.
	w, h int
}

// newExportDialog makes the dialog on src in Markdown; the command it
// returns renders the first preview. openExport is how screens open it.
func newExportDialog(sh *shared, src exportSource) (*exportDialog, tea.Cmd) {
	ti := textinput.New()
	ti.Prompt = "path › "
	ti.SetStyles(sh.styles().TextInput)
	ti.SetValue(src.defaultPath(exportMarkdown))
	ti.CursorEnd()
	ti.Focus()
	d := &exportDialog{sh: sh, keys: newExportKeys(), src: src, path: ti, preview: viewport.New()}
	d.layout()
	return d, d.render()
}

// openExport opens the export dialog on src. The first preview renders
// once the dialog is on the stack (opened).
func openExport(sh *shared, src exportSource) tea.Cmd {
	d, _ := newExportDialog(sh, src)
	return sh.open(d)
}

// opened starts rendering when the root puts the dialog on the stack.
func (d *exportDialog) opened() tea.Cmd {
	if d.rendered {
		return nil
	}
	return d.render()
}

// size is the dialog's width and its preview's inner size for the
// terminal's size.
func (d *exportDialog) size() (dw, pw, ph int) {
	st := d.sh.styles()
	dw = dialogWidth(d.sh.width, 120)
	pw = max(10, dw-st.Dialog.GetHorizontalFrameSize())
	// title, blank, format, path, status, rule, blank, hint + the frame.
	ph = max(3, d.sh.height-2-8-st.Dialog.GetVerticalFrameSize())
	return dw, pw, ph
}

// layout sizes the path field and the preview for the terminal.
func (d *exportDialog) layout() {
	_, pw, ph := d.size()
	sizeInput(&d.path, max(10, pw-len(d.path.Prompt)-1))
	d.preview.SetWidth(pw)
	d.preview.SetHeight(ph)
	d.w, d.h = d.sh.width, d.sh.height
}

// render starts rendering the current format: its bytes and a preview
// (Markdown through Glamour in the theme's style; JSON and CSV as they
// are). It copies what it needs; the answer carries the request id.
func (d *exportDialog) render() tea.Cmd {
	d.req++
	d.rendered = false
	id, src, f := d.req, d.src, d.format
	_, pw, _ := d.size()
	style := d.sh.theme.Glamour
	return func() tea.Msg {
		data, err := src.render(f)
		if err != nil {
			return exportRenderedMsg{d: d, id: id, err: err}
		}
		return exportRenderedMsg{d: d, id: id, data: data, preview: exportPreview(data, f, style, pw)}
	}
}

// exportPreview is what the preview pane shows of data: at most
// previewLimit bytes, Markdown rendered with the Glamour style named style
// at width, other formats sanitised. It is pure.
func exportPreview(data []byte, f exportFormat, style string, width int) string {
	text := string(data)
	cut := len(text) > previewLimit
	if cut {
		text = text[:previewLimit]
	}
	out := sanitize(strings.ReplaceAll(text, "\t", "    "))
	if f == exportMarkdown {
		if md, err := renderReport(text, style, width); err == nil {
			out = md
		}
	}
	if cut {
		out += "\n… the preview shows the first " + itoa(previewLimit>>10) + " KB"
	}
	return out
}

// renderReport renders report Markdown with a Glamour standard style at
// width, without the document margin.
func renderReport(md, style string, width int) (string, error) {
	cfg, ok := gstyles.DefaultStyles[style]
	if !ok {
		return "", errors.New("glamour style " + style + " not found")
	}
	c := *cfg
	zero := uint(0)
	c.Document.Margin = &zero
	r, err := glamour.NewTermRenderer(glamour.WithStyles(c), glamour.WithWordWrap(width))
	if err != nil {
		return "", err
	}
	out, err := r.Render(md)
	if err != nil {
		return "", err
	}
	return strings.Trim(trimLines(out), "\n"), nil
}

// formats are the formats the dialog offers: a comparison has no JUnit
// report (it is a run's cells as test cases).
func (d *exportDialog) formats() exportFormat {
	if d.src.cmp != nil {
		return exportJUnit
	}
	return exportFormats
}

// setFormat switches to format f, changing the path's extension when the
// path still ends in the old one.
func (d *exportDialog) setFormat(f exportFormat) tea.Cmd {
	old := d.format
	n := d.formats()
	d.format = (f + n) % n
	p := d.path.Value()
	if strings.HasSuffix(p, old.ext()) {
		d.path.SetValue(strings.TrimSuffix(p, old.ext()) + d.format.ext())
		d.path.CursorEnd()
	}
	d.err, d.status = "", ""
	return d.render()
}

// target is the path to write, with a leading ~ for the home directory.
func (d *exportDialog) target() string {
	p := strings.TrimSpace(d.path.Value())
	if home := d.sh.home; home != "" && (p == "~" || strings.HasPrefix(p, "~/")) {
		p = filepath.Join(home, strings.TrimPrefix(p, "~"))
	}
	return p
}

// resize lays the dialog out for the terminal's new size (the root calls
// it on every size change) and renders a Markdown preview again, since
// Glamour wraps it to the width.
func (d *exportDialog) resize(*shared) tea.Cmd {
	if d.sh.width == d.w && d.sh.height == d.h {
		return nil
	}
	d.layout()
	if d.format == exportMarkdown {
		return d.render()
	}
	return nil
}

func (d *exportDialog) update(msg tea.Msg) (bool, tea.Cmd) {
	k := d.keys
	switch msg := msg.(type) {
	case exportRenderedMsg:
		if msg.d != d || msg.id != d.req {
			return false, nil
		}
		if msg.err != nil {
			d.err = msg.err.Error()
			return false, nil
		}
		d.data = msg.data
		d.rendered = true
		d.preview.SetContent(msg.preview)
		d.preview.GotoTop()
		return false, nil
	case exportStatMsg:
		if msg.d != d {
			return false, nil
		}
		switch {
		case msg.err != nil:
			d.err = msg.err.Error()
			return false, nil
		case msg.exists:
			return false, d.sh.open(newDestructiveConfirm("Overwrite the file?",
				oneLine(msg.path)+" exists. Replace it with this "+d.format.String()+" export?",
				exportWriteMsg{d: d, path: msg.path}, exportKeptMsg{d: d}))
		}
		return false, d.write(msg.path)
	case exportKeptMsg:
		if msg.d == d {
			d.status = "not written: the file is kept"
		}
		return false, nil
	case exportWriteMsg:
		if msg.d != d {
			return false, nil
		}
		return false, d.write(msg.path)
	case exportWrittenMsg:
		if msg.d != d {
			return false, nil
		}
		if msg.err != nil {
			d.err = msg.err.Error()
			d.status = ""
			return false, nil
		}
		return true, notify("wrote " + d.format.String() + " (" + exportSizeText(msg.n) + ") to " + msg.path)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelDown:
			d.preview.ScrollDown(3)
		case tea.MouseWheelUp:
			d.preview.ScrollUp(3)
		}
		return false, nil
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, k.Cancel):
			return true, nil
		case key.Matches(msg, k.Format):
			return false, d.setFormat(d.format + 1)
		case key.Matches(msg, k.FormatBack):
			return false, d.setFormat(d.format - 1)
		case key.Matches(msg, k.Up):
			d.preview.ScrollUp(1)
			return false, nil
		case key.Matches(msg, k.Down):
			d.preview.ScrollDown(1)
			return false, nil
		case key.Matches(msg, k.PageUp):
			d.preview.PageUp()
			return false, nil
		case key.Matches(msg, k.PageDown):
			d.preview.PageDown()
			return false, nil
		case key.Matches(msg, k.Copy):
			if !d.rendered {
				d.status = "still rendering; try again in a moment"
				return false, nil
			}
			d.err = ""
			d.status = "copied " + d.format.String() + " (" + exportSizeText(len(d.data)) + ") to the clipboard"
			return false, tea.SetClipboard(string(d.data))
		case key.Matches(msg, k.Write):
			return false, d.stat()
		}
	}
	before := d.path.Value()
	var cmd tea.Cmd
	d.path, cmd = d.path.Update(msg)
	if d.path.Value() != before {
		d.err, d.status = "", ""
	}
	return false, cmd
}

// stat checks the target before writing: whet's database and config file
// are refused (outfile.CheckOwn, as the CLI's -o refuses them), a directory
// too, and an existing file asks first.
func (d *exportDialog) stat() tea.Cmd {
	p := d.target()
	if p == "" {
		d.err = "path: enter a file name"
		return nil
	}
	if !d.rendered {
		d.status = "still rendering; try again in a moment"
		return nil
	}
	d.err, d.status = "", "writing…"
	db, cfg := d.sh.dbPath, d.sh.cfgPath
	return func() tea.Msg {
		if err := outfile.CheckOwn(p, db, cfg); err != nil {
			return exportStatMsg{d: d, path: p, err: errors.New(p + " " + err.Error())}
		}
		fi, err := os.Stat(p)
		switch {
		case err == nil && fi.IsDir():
			return exportStatMsg{d: d, path: p, err: errors.New(p + " is a directory: name a file")}
		case err == nil:
			return exportStatMsg{d: d, path: p, exists: true}
		case errors.Is(err, os.ErrNotExist):
			return exportStatMsg{d: d, path: p}
		}
		return exportStatMsg{d: d, path: p, err: err}
	}
}

// write writes the rendered bytes to p, whole or not at all: a failure
// part-way (a full disk) keeps the file there before.
func (d *exportDialog) write(p string) tea.Cmd {
	data := d.data
	return func() tea.Msg {
		err := outfile.WriteFile(p, data)
		return exportWrittenMsg{d: d, path: p, n: len(data), err: err}
	}
}

// sizeText is a byte count for people: 812 B, 12.4 KB, 3.1 MB.
func exportSizeText(n int) string {
	switch {
	case n < 1000:
		return itoa(n) + " B"
	case n < 1000*1000:
		return itoa(n/1000) + "." + itoa(n%1000/100) + " KB"
	}
	return itoa(n/1000000) + "." + itoa(n%1000000/100000) + " MB"
}

func (d *exportDialog) view(sh *shared, w, h int) string {
	st := sh.styles()
	dw, pw, _ := d.size()
	what := "run " + d.src.runID
	if d.src.cmp != nil {
		what = "comparison " + d.src.cmp.A.Label + " vs " + d.src.cmp.B.Label
	}
	title := "Export " + oneLine(what)

	var formats []string
	for f := exportFormat(0); f < d.formats(); f++ {
		if f == d.format {
			formats = append(formats, st.RowSelected.Render(" "+f.String()+" "))
		} else {
			formats = append(formats, st.Muted.Render(" "+f.String()+" "))
		}
	}
	lines := []string{st.InputLabel.Render("format ") + strings.Join(formats, " "), d.path.View()}
	previewRows := d.preview.Height()
	switch {
	case d.err != "":
		// An error (a refused path names what it would overwrite) wraps,
		// taking the preview's rows, so that its reason shows whole.
		errLines := strings.Split(wrapLine(oneLine(d.err), pw), "\n")
		errLines = errLines[:min(len(errLines), max(1, previewRows-1))]
		for _, l := range errLines {
			lines = append(lines, st.Error.Render(strings.TrimRight(l, " ")))
		}
		previewRows -= len(errLines) - 1
	case d.status != "":
		lines = append(lines, st.OK.Render(trunc(d.status, pw)))
	case !d.rendered:
		lines = append(lines, st.Muted.Render("rendering…"))
	default:
		info := exportSizeText(len(d.data)) + " · " + plural(d.preview.TotalLineCount(), "line") + " of preview"
		if d.preview.TotalLineCount() > d.preview.Height() {
			info += " · " + itoa(int(d.preview.ScrollPercent()*100+0.5)) + "%"
		}
		lines = append(lines, st.Muted.Render(trunc(info, pw)))
	}
	lines = append(lines, st.Subtle.Render(strings.Repeat("─", pw)))
	lines = append(lines, fitLines(d.preview.View(), pw, previewRows))
	k := d.keys
	hint := st.Key.Render("tab") + st.KeyDesc.Render(" format  ") +
		st.Key.Render("enter") + st.KeyDesc.Render(" write  ") +
		st.Key.Render("ctrl+y") + st.KeyDesc.Render(" copy  ") +
		st.Key.Render("↑↓ pgup/pgdn") + st.KeyDesc.Render(" scroll  ") +
		st.Key.Render(k.Cancel.Help().Key) + st.KeyDesc.Render(" cancel")
	lines = append(lines, "", trunc(hint, pw))
	return frameExport(sh, title, strings.Join(lines, "\n"), dw)
}

// frameExport draws the dialog box without re-wrapping its lines (the
// preview is laid out already).
func frameExport(sh *shared, title, body string, w int) string {
	st := sh.styles()
	inner := w - st.Dialog.GetHorizontalFrameSize()
	return st.Dialog.Width(w).Render(st.DialogTitle.Render(trunc(title, inner)) + "\n\n" + fitLines(body, inner, strings.Count(body, "\n")+1))
}
