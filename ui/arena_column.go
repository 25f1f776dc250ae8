package ui

import (
	"strings"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"whet/prompt"
	"whet/runner"
	"whet/textutil"
)

// arenaCellState is where one cell (a target × repeat) of a column stands.
type arenaCellState int

const (
	cellQueued arenaCellState = iota
	cellRunning
	cellRetrying
	cellDone
	cellFailed
	cellCancelled
)

// final reports whether the cell will change no more.
func (s arenaCellState) final() bool { return s >= cellDone }

// arenaCell is one call's output as it streams, then its result.
type arenaCell struct {
	state   arenaCellState
	attempt int
	// text is the streamed output of the current attempt. It is a pointer:
	// models are copied by value, and appending must not copy the text.
	text *strings.Builder
	// gen counts resets of text (a retry, the final result), so that the
	// wrapped copy knows to start over.
	gen     int
	started time.Time // UI clock, for the live timings
	first   time.Time // the first text arrived
	retry   string    // why the last attempt failed, while retrying
	result  prompt.Result
	id      int64 // the stored result's id, once known
	rating  int   // 1–5; 0 = not rated
	note    string
}

// setText replaces the cell's text.
func (c *arenaCell) setText(s string) {
	b := &strings.Builder{}
	b.WriteString(s)
	c.text = b
	c.gen++
}

// arenaColumn is one target's column: its cells (one per repeat), the one
// shown, the scroll position and the text wrapped for drawing.
type arenaColumn struct {
	spec  string
	info  runner.TargetInfo // what the picker's listing said of it
	seq   int               // the run it shows
	runID string
	cells []arenaCell
	shown int
	// pinned: the user chose the repeat shown; otherwise it follows the
	// cell that started last.
	pinned bool
	offset int
	follow bool // keep the end in view while text arrives
	wrap   *arenaWrap
	md     arenaMarkdown
	mdReq  int
	// unpriced: the target's price is unknown, so its cost is not $0 but
	// unknown (runner.Unpriced).
	unpriced bool
}

// arenaMarkdownKey identifies a rendering of a finished output.
type arenaMarkdownKey struct {
	seq, cell, gen, width int
	theme                 string
}

// arenaMarkdown is a finished output rendered by Glamour.
type arenaMarkdown struct {
	key   arenaMarkdownKey
	lines []string
	ok    bool
}

func newArenaColumn(spec string, info runner.TargetInfo, seq, repeats int) arenaColumn {
	c := arenaColumn{spec: spec, info: info, seq: seq, follow: true, wrap: &arenaWrap{cell: -1}}
	c.cells = make([]arenaCell, max(1, repeats))
	for i := range c.cells {
		c.cells[i].text = &strings.Builder{}
	}
	return c
}

func (c arenaColumn) cell() *arenaCell { return &c.cells[c.shown] }

// running reports whether any cell of the column is still going.
func (c arenaColumn) running() bool {
	for _, cell := range c.cells {
		if !cell.state.final() {
			return true
		}
	}
	return false
}

// stale reports whether the wrapped text lags behind the shown cell.
func (c arenaColumn) stale(width int) bool {
	cell := c.cells[c.shown]
	w := c.wrap
	return w == nil || w.cell != c.shown || w.gen != cell.gen || w.width != width ||
		w.consumed != cell.text.Len() || w.failed != (cell.state == cellFailed) ||
		w.held != "" && cell.state.final()
}

// rewrap brings the wrapped text up to date: only the text that arrived
// since the last call is wrapped, unless the cell, its attempt or the
// width changed (or force), when the whole text is wrapped again.
func (c arenaColumn) rewrap(width int, force bool) arenaColumn {
	if len(c.cells) == 0 {
		return c
	}
	cell := c.cells[c.shown]
	w := c.wrap
	if force || w == nil || w.cell != c.shown || w.gen != cell.gen || w.width != width || w.consumed > cell.text.Len() {
		w = &arenaWrap{cell: c.shown, gen: cell.gen, width: width}
		c.wrap = w
	}
	text := cell.text.String()
	if w.consumed < len(text) {
		w.feedStream(text[w.consumed:])
		w.consumed = len(text)
	}
	if cell.state.final() && w.held != "" {
		w.feed(w.held)
		w.held = ""
	}
	failed := cell.state == cellFailed
	if failed != w.failed {
		w.failed = failed
		w.errRows = nil
		if failed {
			ew := &arenaWrap{width: width}
			ew.feed(sanitizeOutput("✗ " + cell.result.Error))
			w.errRows = ew.lines()
		}
	}
	return c
}

// lineCount is how many lines the column's body holds as drawn.
func (c arenaColumn) lineCount(raw bool, width int, theme string) int {
	if md, ok := c.markdown(raw, width, theme); ok {
		return len(md)
	}
	if c.wrap == nil {
		return 0
	}
	return len(c.wrap.errRows) + c.wrap.count()
}

// markdown returns the rendered output when it is current.
func (c arenaColumn) markdown(raw bool, width int, theme string) ([]string, bool) {
	if raw || len(c.cells) == 0 || !c.md.ok {
		return nil, false
	}
	cell := c.cells[c.shown]
	want := arenaMarkdownKey{seq: c.seq, cell: c.shown, gen: cell.gen, width: width, theme: theme}
	if cell.state != cellDone || c.md.key != want {
		return nil, false
	}
	return c.md.lines, true
}

// scroll applies a navigation key to the column's body.
func (c arenaColumn) scroll(msg tea.KeyPressMsg, nav navKeys, rows, width int, raw bool, theme string) arenaColumn {
	total := c.lineCount(raw, width, theme)
	maxOff := max(0, total-rows)
	off := c.offset
	if c.follow {
		off = maxOff
	}
	off, _ = nav.move(msg, off, maxOff+1, rows-1)
	c.offset = off
	c.follow = off >= maxOff && !c.cells[c.shown].state.final()
	return c
}

// consistency is how many finished outputs are identical to the most
// common one, out of how many finished without error.
func (c arenaColumn) consistency() (same, of int) {
	counts := map[string]int{}
	for _, cell := range c.cells {
		if cell.state == cellDone {
			of++
			counts[cell.result.Output]++
			same = max(same, counts[cell.result.Output])
		}
	}
	return same, of
}

// view draws the column as a w×h panel: the header (model identity,
// state, timings, tokens and cost, rating), a rule, and the output.
func (c arenaColumn) view(m arenaModel, focused bool, w, h int) string {
	st := m.sh.styles()
	style := st.Panel
	if focused {
		style = st.PanelFocused
	}
	inner := w - style.GetHorizontalFrameSize()
	cell := c.cells[c.shown]
	now := m.sh.now()

	var glyph string
	switch cell.state {
	case cellQueued:
		glyph = st.Muted.Render("…")
	case cellRunning, cellRetrying:
		glyph = st.Warn.Render(arenaSpinner(m.frame))
	case cellDone:
		glyph = st.OK.Render("✓")
	case cellFailed:
		glyph = st.Error.Render("✗")
	case cellCancelled:
		glyph = st.Muted.Render("◼")
	}
	title := glyph + " " + st.PanelTitle.Render(oneLine(c.spec))
	if len(c.cells) > 1 {
		title += st.Muted.Render(" #" + itoa(c.shown+1))
	}

	head := make([]string, 0, arenaHeadRows+1)
	head = append(head, st.Muted.Render(trunc(c.identity(cell), inner)))
	head = append(head, trunc(c.stateLine(m, cell, now, inner), inner))
	head = append(head, st.Muted.Render(trunc(timingLine(cell, now, inner), inner)))
	head = append(head, st.Muted.Render(trunc(tokenLine(cell, c.unpriced), inner)))
	head = append(head, trunc(c.ratingLine(m, cell, focused, inner), inner))
	rows := max(1, h-style.GetVerticalFrameSize()-len(head)-1)
	body, first, total := c.bodyLines(m, rows)
	head = append(head, scrollRule(st.Subtle, first, len(body), total, inner))
	return box(style, title, strings.Join(append(head, body...), "\n"), w, h)
}

// identity is the model as the provider resolved it, with a short digest.
func (c arenaColumn) identity(cell arenaCell) string {
	model, digest := cell.result.Model, cell.result.ModelDigest
	if model == "" {
		model = c.info.Info.Name
		if model == "" {
			model = c.info.Model
		}
		if model == "" {
			model = c.spec
		}
	}
	if digest == "" {
		digest = c.info.Info.Digest
	}
	out := "model " + oneLine(model)
	if d := shortDigest(digest); d != "" {
		out += " · " + d
	}
	return out
}

// shortDigest is the first 12 hex digits of a digest ("sha256:" dropped),
// on one line.
func shortDigest(d string) string { return prompt.ShortDigest(oneLine(d)) }

// stateLine says where the shown cell stands, with the column's progress
// over its repeats and how consistent their outputs were.
func (c arenaColumn) stateLine(m arenaModel, cell arenaCell, now time.Time, w int) string {
	st := m.sh.styles()
	var s string
	switch cell.state {
	case cellQueued:
		s = st.Muted.Render("queued")
	case cellRunning:
		if cell.text.Len() == 0 {
			s = st.Warn.Render("waiting " + arenaDur(now.Sub(cell.started)))
		} else {
			s = st.Warn.Render("streaming " + arenaDur(now.Sub(cell.started)))
		}
	case cellRetrying:
		s = st.Warn.Render("retry " + itoa(cell.attempt) + ": " + oneLine(cell.retry))
	case cellDone:
		reason, style := cell.result.FinishReason, st.OK
		switch reason {
		case "":
			reason = "done"
		case "stop":
		default:
			// Cut short (length), filtered (content_filter), paused, …:
			// an answer, but not a whole one.
			style = st.Warn
		}
		s = style.Render("✓ " + oneLine(reason))
		if cell.result.CacheHit {
			s += st.Muted.Render(" (cached)")
		}
	case cellFailed:
		s = st.Error.Render("✗ failed")
	case cellCancelled:
		s = st.Muted.Render("cancelled")
	}
	if n := len(c.cells); n > 1 {
		done := 0
		for _, x := range c.cells {
			if x.state.final() {
				done++
			}
		}
		rest := st.Muted.Render(" · " + itoa(done) + "/" + itoa(n))
		if same, of := c.consistency(); of > 1 {
			rest += st.Muted.Render(" · same ") + st.Bold.Render(itoa(same*100/of)+"%")
		}
		// The repeats' progress and consistency matter more than the
		// usual finish reason: a column too narrow for both drops "stop".
		if cell.state == cellDone && cell.result.FinishReason == "stop" && !cell.result.CacheHit &&
			ansi.StringWidth(s+rest) > w {
			s = st.OK.Render("✓")
		}
		s += rest
	}
	return s
}

// timingLine is the time to the first token, the speed and the latency;
// while streaming, estimates from the text so far. A finished call's line
// too wide for w cells drops the time to the first token, then the
// speed, so that a narrow column still shows the latency whole.
func timingLine(cell arenaCell, now time.Time, w int) string {
	switch cell.state {
	case cellDone, cellFailed:
		r := cell.result
		var parts []string
		if r.TTFT > 0 {
			parts = append(parts, "ttft "+arenaDur(r.TTFT))
		}
		// Below 50ms of generation the rate says more about the clock.
		if tps := r.TokensPerSecond(); tps > 0 && r.Latency-r.TTFT >= 50*time.Millisecond {
			parts = append(parts, fixed1(tps)+" tok/s")
		}
		parts = append(parts, arenaDur(r.Latency))
		for len(parts) > 1 && ansi.StringWidth(strings.Join(parts, " · ")) > w {
			parts = parts[1:]
		}
		return strings.Join(parts, " · ")
	case cellRunning:
		if cell.first.IsZero() {
			return "ttft …"
		}
		s := "ttft " + arenaDur(cell.first.Sub(cell.started))
		if secs := now.Sub(cell.first).Seconds(); secs > 0.2 {
			s += " · ~" + fixed1(float64(cell.text.Len())/4/secs) + " tok/s"
		}
		return s
	}
	return ""
}

// tokenLine is the tokens in and out ("12→40 tok") and the cost, "no
// price" for a target whose price is unknown (unpriced).
func tokenLine(cell arenaCell, unpriced bool) string {
	switch cell.state {
	case cellDone, cellFailed:
		r := cell.result
		cost := costText(r.Cost)
		if unpriced && r.Cost == 0 && !r.CacheHit {
			cost = "no price"
		}
		// Compact, so that the cost still shows in a narrow column.
		return itoa(r.TokensIn) + "→" + itoa(r.TokensOut) + " tok · " + cost
	case cellRunning:
		if n := cell.text.Len(); n > 0 {
			return "out ~" + itoa(n/4) + " tok"
		}
	}
	return ""
}

// costText renders a cost in USD.
func costText(c float64) string {
	switch {
	case c <= 0:
		return "$0"
	case c < 0.0001:
		return "<$0.0001"
	}
	cents := int(c*10000 + 0.5)
	frac := itoa(cents % 10000)
	return "$" + itoa(cents/10000) + "." + strings.Repeat("0", 4-len(frac)) + frac
}

// ratingLine shows the rating and note, or how to rate.
func (c arenaColumn) ratingLine(m arenaModel, cell arenaCell, focused bool, w int) string {
	st := m.sh.styles()
	if cell.rating > 0 {
		s := st.Tag.Render(strings.Repeat("★", cell.rating)+strings.Repeat("☆", 5-cell.rating)) + st.Muted.Render(" "+itoa(cell.rating)+"/5")
		if cell.note != "" {
			s += " " + st.Base.Render(oneLine(cell.note))
		}
		return s
	}
	if cell.state == cellDone && focused {
		// Tighter in a narrow column, so that y copy is not cut.
		for _, hint := range []string{"v rate · n note · y copy", "v rate  n note  y copy", "v rate n note y copy"} {
			if ansi.StringWidth(hint) <= w {
				return st.Muted.Render(hint)
			}
		}
		return st.Muted.Render("v rate · n note")
	}
	return ""
}

// scrollRule is the rule under a column's header: where the body shows
// part of the output, it says which lines (first is 0-based), so that a
// body that starts mid-sentence reads as scrolled.
func scrollRule(style lipgloss.Style, first, shown, total, w int) string {
	if total > shown && shown > 0 {
		label := " " + itoa(first+1) + "–" + itoa(first+shown) + " of " + itoa(total) + " "
		if n := w - ansi.StringWidth(label) - 1; n >= 3 {
			return style.Render(strings.Repeat("─", n) + label + "─")
		}
	}
	return style.Render(strings.Repeat("─", max(0, w)))
}

// bodyLines is the window of output lines to draw, the index of its first
// line and the count of all.
func (c arenaColumn) bodyLines(m arenaModel, rows int) (lines []string, first, total int) {
	st := m.sh.styles()
	width := m.textWidth()
	cell := c.cells[c.shown]
	if md, ok := c.markdown(m.raw, width, m.sh.themeKey()); ok {
		off := c.offset
		if c.follow {
			off = len(md) - rows
		}
		off = clamp(off, 0, max(0, len(md)-rows))
		return md[off:min(len(md), off+rows)], off, len(md)
	}
	w := c.wrap
	if w == nil || (w.count() == 0 && len(w.errRows) == 0) {
		var note string
		switch cell.state {
		case cellQueued:
			note = "queued: waiting for the provider"
		case cellRunning:
			note = "waiting for the first token…"
		case cellRetrying:
			note = "waiting to retry…"
		case cellCancelled:
			note = "cancelled before any output"
		case cellDone:
			note = "(empty output)"
		default:
			return nil, 0, 0
		}
		return []string{st.Muted.Render(note)}, 0, 1
	}
	total = len(w.errRows) + w.count()
	off := c.offset
	if c.follow {
		off = total - rows
	}
	off = clamp(off, 0, max(0, total-rows))
	out := make([]string, 0, rows)
	for i := off; i < min(total, off+rows); i++ {
		if i < len(w.errRows) {
			out = append(out, st.Error.Render(w.errRows[i]))
			continue
		}
		out = append(out, w.row(i-len(w.errRows)))
	}
	return out, off, total
}

// arenaSpinner is the spinner glyph for a frame count (the frame tick runs
// at 60 fps; the glyph changes every 6 frames).
func arenaSpinner(frame int) string {
	glyphs := []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}
	return glyphs[(frame/6)%len(glyphs)]
}

// arenaDur renders a duration shortly: 850ms, 1.24s, 2m05s.
func arenaDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "0ms"
	case d < time.Millisecond:
		return "<1ms"
	case d < time.Second:
		return itoa(int(d/time.Millisecond)) + "ms"
	case d < time.Minute:
		cs := int(d / (10 * time.Millisecond))
		frac := itoa(cs % 100)
		if len(frac) < 2 {
			frac = "0" + frac
		}
		return itoa(cs/100) + "." + frac + "s"
	}
	s := int(d / time.Second)
	sec := itoa(s % 60)
	if len(sec) < 2 {
		sec = "0" + sec
	}
	return itoa(s/60) + "m" + sec + "s"
}

// sanitizeOutput makes model output safe to draw and wrap: no escape
// sequences or control characters, tabs as four spaces.
func sanitizeOutput(s string) string {
	return strings.ReplaceAll(sanitize(s), "\t", "    ")
}

// arenaWrap is a column's text word-wrapped to a width, built
// incrementally: greedy wrapping never moves a line break once the line
// after it has started, so text that arrives only re-wraps the open last
// row (tail) and what follows. Rows hold sanitised plain text.
type arenaWrap struct {
	cell, gen, width int
	consumed         int      // bytes of the cell's text wrapped so far
	rows             []string // closed rows
	tail             string   // the open last row, unwrapped
	held             string   // raw text that may end in part of a sequence
	failed           bool
	errRows          []string // the error of a failed cell, wrapped
}

// count is the number of rows, the open one included.
func (w *arenaWrap) count() int {
	if w.tail != "" {
		return len(w.rows) + 1
	}
	return len(w.rows)
}

// row is the i-th row for drawing.
func (w *arenaWrap) row(i int) string {
	if i < len(w.rows) {
		return w.rows[i]
	}
	return strings.TrimRight(w.tail, " ")
}

// lines returns every row.
func (w *arenaWrap) lines() []string {
	out := make([]string, 0, w.count())
	for i := 0; i < w.count(); i++ {
		out = append(out, w.row(i))
	}
	return out
}

// feed appends raw (unsanitised) text.
func (w *arenaWrap) feed(raw string) {
	s := w.tail + sanitizeOutput(raw)
	w.tail = ""
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			w.wrapLine(s, false)
			return
		}
		w.wrapLine(s[:i], true)
		s = s[i+1:]
	}
}

// feedStream appends raw text that is still arriving: a sequence (or a
// "\r\n") split between two pieces is held back until the rest arrives,
// so that its halves never show as text (see textutil.StreamPrefix). The
// owner feeds what is held once the text is complete.
func (w *arenaWrap) feedStream(raw string) {
	s := w.held + raw
	n := textutil.StreamPrefix(s)
	w.held = s[n:]
	if n > 0 {
		w.feed(s[:n])
	}
}

// wrapLine wraps one line of text that holds no newline. closed says a
// newline ended it, so its last row is closed; otherwise that row stays
// open as the tail.
func (w *arenaWrap) wrapLine(line string, closed bool) {
	width := max(1, w.width)
	start, rowW, i, n := 0, 0, 0, len(line)
	for i < n {
		j := i
		for j < n && line[j] == ' ' {
			j++
		}
		k := j
		for k < n && line[k] != ' ' {
			k++
		}
		spaces := j - i
		if j == k { // trailing spaces
			i = k
			break
		}
		ww := textCells(line[j:k])
		if rowW > 0 && rowW+spaces+ww > width {
			w.rows = append(w.rows, strings.TrimRight(line[start:i], " "))
			start, rowW, spaces = j, 0, 0
		}
		if rowW == 0 && spaces+ww > width {
			rest := line[j:k]
			for textCells(rest) > width {
				cut := cutCells(rest, width)
				w.rows = append(w.rows, rest[:cut])
				rest = rest[cut:]
			}
			start, rowW, i = k-len(rest), textCells(rest), k
			continue
		}
		rowW += spaces + ww
		i = k
	}
	if closed {
		w.rows = append(w.rows, strings.TrimRight(line[start:], " "))
	} else {
		w.tail = line[start:]
	}
}

// textCells is the width of plain text in terminal cells.
func textCells(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// cutCells is the byte index at which s reaches width cells, between two
// grapheme clusters (at least one, so that wrapping always advances).
func cutCells(s string, width int) int {
	acc := 0
	for i := 0; i < len(s); {
		cluster, cw := ansi.FirstGraphemeCluster(s[i:], ansi.GraphemeWidth)
		if acc+cw > width && i > 0 {
			return i
		}
		acc += cw
		i += len(cluster)
	}
	return len(s)
}
