package ui

import (
	"context"
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"whet/eval"
	"whet/prompt"
	"whet/report"
	"whet/runner"
	"whet/textutil"
)

// compareKeys is the Compare screen's key table.
type compareKeys struct {
	nav        navKeys
	NextPair   key.Binding
	PrevPair   key.Binding
	Changed    key.Binding
	PromptDiff key.Binding
	PickA      key.Binding
	PickB      key.Binding
	Swap       key.Binding
	Export     key.Binding
	Back       key.Binding
}

func newCompareKeys() compareKeys {
	return compareKeys{
		nav:        newNavKeys(),
		NextPair:   key.NewBinding(key.WithKeys("n", "]"), key.WithHelp("n", "next case")),
		PrevPair:   key.NewBinding(key.WithKeys("N", "["), key.WithHelp("N", "previous case")),
		Changed:    key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "changed only")),
		PromptDiff: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "prompt diff")),
		PickA:      key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "choose A")),
		PickB:      key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "choose B")),
		Swap:       key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "swap A/B")),
		Export:     key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

// Compare messages.
type (
	// compareOpenMsg switches to Compare and compares two sides of a run: rr when the caller has it
	// loaded, else runID, else the latest run of prompt. onTarget is the
	// target to compare versions on when the run has several; back is the
	// screen esc returns to.
	compareOpenMsg struct {
		runID    string
		prompt   string
		rr       *report.RunReport
		onTarget string
		back     screenID
	}
	// compareRefreshMsg reads the run on screen again (Compare shown
	// again: ratings made since change its scores).
	compareRefreshMsg struct{}
	compareLoadedMsg  struct {
		id      int
		rr      report.RunReport
		err     error
		refresh bool // keep A, B, the filter and the scroll
	}
	compareBuiltMsg struct {
		id    int
		cmp   report.Comparison
		ab    eval.ABResult
		edits [][]textutil.WordEdit // per pair; nil where a side has no output to diff
	}
	// comparePickMsg sets side 0 (A) or 1 (B); thenB asks for B next.
	comparePickMsg struct {
		side  int
		to    report.SideKey
		thenB bool
	}
)

func (compareOpenMsg) target() screenID    { return screenCompare }
func (compareRefreshMsg) target() screenID { return screenCompare }
func (compareLoadedMsg) target() screenID  { return screenCompare }
func (compareBuiltMsg) target() screenID   { return screenCompare }
func (comparePickMsg) target() screenID    { return screenCompare }

// compareModel sets two sides of a run case by case — two versions on a
// target, or a version on two targets — with word-level diff highlighting,
// length and score deltas per pair, the A/B sign test, a changed-only
// filter and the prompt diff one key away.
type compareModel struct {
	sh   *shared
	keys compareKeys
	w, h int

	req     int
	loading bool
	loaded  bool
	err     string
	rr      report.RunReport
	back    screenID
	hint    string // the target asked for
	asked   string // the prompt whose latest run was last asked for

	a, b     report.SideKey
	sides    bool // a and b are set
	buildReq int
	built    bool
	keepOff  bool // the build under way keeps the scroll (a refresh)
	cmp      report.Comparison
	ab       eval.ABResult
	edits    [][]textutil.WordEdit
	changed  []bool

	changedOnly bool
	lines       []string
	starts      []int // the first line of each shown pair
	off         int

	showDiff bool
	diff     diffModel

	// shown is the comparison on screen when another was asked for (a
	// run opened, A or B picked): esc while that one is read or built
	// shows it again.
	shown *compareModel
}

func newCompare(sh *shared) compareModel {
	return compareModel{sh: sh, keys: newCompareKeys(), back: screenResults}
}

func (m compareModel) setSize(w, h int) compareModel {
	m.w, m.h = w, h
	m.diff = m.diff.setSize(w, h)
	return m.layout()
}

func (m compareModel) applyTheme() compareModel { return m.layout() }

// empty reports whether nothing was asked of the screen yet.
func (m compareModel) empty() bool { return m.req == 0 }

// waiting reports whether the screen waits for the run it opens or for the
// comparison it builds (after a and b, w; not the rebuild of a refresh,
// which keeps the one on screen): keys typed meanwhile act on it
// (hold.go).
func (m compareModel) waiting() bool { return m.loading || (m.loaded && m.sides && !m.built) }

// abandon forgets the run being read and the comparison being built (esc,
// hold.go): their answers are dropped (no A/B picker opens); the
// comparison shown while they were asked for stays, as it was (its
// sides, filter and scroll), else no comparison is open. esc then goes
// back where the latest request came from.
func (m compareModel) abandon() compareModel {
	if m.shown != nil {
		p := *m.shown
		p.req, p.buildReq = m.req+1, m.buildReq+1
		p.back, p.showDiff, p.keepOff = m.back, false, false
		return p.setSize(m.w, m.h)
	}
	m.req++
	m.buildReq++
	m.loading, m.loaded, m.sides, m.built, m.err = false, false, false, false, ""
	m.lines, m.starts, m.off = nil, nil, 0
	return m
}

// keepShown notes the comparison on screen, if one is, before another is
// asked for (see shown). A comparison not yet built keeps the one noted
// when it was asked for.
func (m compareModel) keepShown(asking bool) compareModel {
	switch {
	case m.loaded && m.built:
		s := m
		s.shown = nil
		m.shown = &s
	case !asking:
		m.shown = nil
	}
	return m
}

// failedFor reports whether the screen shows why another prompt's latest
// run could not be compared (it has none yet): shown again with name
// selected, it tries name's.
func (m compareModel) failedFor(name string) bool {
	return !m.empty() && !m.loading && !m.loaded && m.asked != "" && name != m.asked
}

func (m compareModel) open(msg compareOpenMsg) (compareModel, tea.Cmd) {
	m = m.keepShown(false)
	m.req++
	m.asked = msg.prompt
	m.back = msg.back
	m.hint = msg.onTarget
	m.showDiff = false
	m.sides, m.built = false, false
	if msg.rr != nil {
		return m.setReport(*msg.rr)
	}
	m.loading, m.err = true, ""
	id, runID, name, now := m.req, msg.runID, msg.prompt, m.sh.now()
	return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		if runID == "" {
			var err error
			if runID, err = latestRunID(ctx, st, name); err != nil {
				if errors.Is(err, errNoRuns) {
					err = errors.New(name + " has no runs yet: Compare sets two targets or two versions of a run side by side; run it on two targets in the Arena (4), or: whet run " + name + " -m echo,TARGET")
				}
				return compareLoadedMsg{id: id, err: err}
			}
		}
		rr, err := loadRunReport(ctx, st, runID, now)
		return compareLoadedMsg{id: id, rr: rr, err: err}
	})
}

// refresh reads the run on screen again, as ratings made since it was
// read change its scores; A, B, the changed-only filter, the prompt diff
// and the scroll stay. While the comparison is still being built (from a
// run just read) there is nothing to refresh: the reload would show an
// empty comparison and drop the build under way, which with outputs of
// MB takes seconds.
func (m compareModel) refresh() (compareModel, tea.Cmd) {
	if !m.loaded || m.loading || !m.sides || !m.built {
		return m, nil
	}
	m.req++
	id, runID, now := m.req, m.rr.Run.ID, m.sh.now()
	return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		rr, err := loadRunReport(ctx, st, runID, now)
		return compareLoadedMsg{id: id, rr: rr, err: err, refresh: true}
	})
}

// setReport takes a loaded run, picks the default sides and builds the
// comparison; a run with more than two versions or targets asks for A
// and B.
func (m compareModel) setReport(rr report.RunReport) (compareModel, tea.Cmd) {
	m.loading, m.loaded, m.err = false, true, ""
	m.rr = rr
	m.lines, m.starts, m.off = nil, nil, 0
	a, b, err := report.DefaultSides(rr.Run, rr.Results, m.hint)
	if err != nil {
		m.err = err.Error()
		m.loaded, m.shown = false, nil
		return m, nil
	}
	m.a, m.b, m.sides = a, b, true
	m, cmd := m.build()
	if len(rr.Run.Versions) > 2 || len(rr.Run.Targets) > 2 {
		return m, tea.Batch(cmd, m.picker(0, true))
	}
	return m, cmd
}

// build computes the comparison, the A/B statistics and the word diffs in
// a command.
func (m compareModel) build() (compareModel, tea.Cmd) {
	m.buildReq++
	m.built = false
	id, rr, a, b := m.buildReq, m.rr, m.a, m.b
	return m, func() tea.Msg {
		c := report.CompareRun(rr, a, b)
		ab := eval.CompareAB(c.A.Results, c.B.Results, rr.Scores, c.A.Label, c.B.Label)
		c.AB = ab.Stats() // exported with the comparison
		edits := make([][]textutil.WordEdit, len(c.Pairs))
		for i, p := range c.Pairs {
			if p.A != nil && p.B != nil && p.A.OK() && p.B.OK() {
				edits[i] = textutil.WordDiff(cleanOutput(p.A.Output), cleanOutput(p.B.Output))
			}
		}
		return compareBuiltMsg{id: id, cmp: c, ab: ab, edits: edits}
	}
}

// cleanOutput is model output made safe to draw, tabs expanded.
func cleanOutput(s string) string { return sanitize(strings.ReplaceAll(s, "\t", "    ")) }

// pairChanged reports whether a pair's sides differ: output, error, or one
// side missing.
func pairChanged(p report.Pair) bool {
	if p.A == nil || p.B == nil {
		return true
	}
	return p.A.Output != p.B.Output || p.A.Error != p.B.Error
}

// Update handles the Compare screen's keys and messages.
func (m compareModel) Update(msg tea.Msg) (compareModel, tea.Cmd) {
	switch msg := msg.(type) {
	case compareOpenMsg:
		m, cmd := m.open(msg)
		return m, tea.Batch(cmd, m.sh.post(showScreenMsg{to: screenCompare}))
	case compareRefreshMsg:
		return m.refresh()
	case compareLoadedMsg:
		if msg.id != m.req {
			return m, nil
		}
		msg.rr.Unpriced = runner.Unpriced(m.sh.targets, msg.rr.Run.Targets)
		if msg.refresh {
			if msg.err != nil {
				return m, notifyErr(msg.err)
			}
			m.rr = msg.rr
			m, cmd := m.build()
			// The comparison on screen stays until the new one is built.
			m.built, m.keepOff = true, true
			return m, cmd
		}
		m.loading = false
		if msg.err != nil {
			m.err = m.sh.errText(msg.err)
			m.loaded, m.shown = false, nil
			return m, nil
		}
		return m.setReport(msg.rr)
	case compareBuiltMsg:
		if msg.id != m.buildReq {
			return m, nil
		}
		m.built, m.shown = true, nil
		m.cmp, m.ab, m.edits = msg.cmp, msg.ab, msg.edits
		m.changed = make([]bool, len(m.cmp.Pairs))
		for i, p := range m.cmp.Pairs {
			m.changed[i] = pairChanged(p)
		}
		if !m.keepOff {
			m.off = 0
		}
		m.keepOff = false
		return m.layout(), nil
	case comparePickMsg:
		other := m.b
		if msg.side == 1 {
			other = m.a
		}
		if msg.to == other {
			return m, tea.Batch(notify("A and B must differ: choose another"), m.picker(msg.side, msg.thenB))
		}
		m = m.keepShown(true)
		if msg.side == 0 {
			m.a = msg.to
		} else {
			m.b = msg.to
		}
		m, cmd := m.build()
		if msg.thenB {
			return m, tea.Batch(cmd, m.picker(1, false))
		}
		return m, cmd
	case tea.KeyPressMsg:
		if m.showDiff {
			if key.Matches(msg, m.diff.keys.Back) {
				m.showDiff = false
				return m, nil
			}
			var cmd tea.Cmd
			m.diff, cmd = m.diff.Update(msg)
			return m, cmd
		}
		return m.updateKeys(msg)
	case tea.MouseWheelMsg:
		if m.showDiff {
			var cmd tea.Cmd
			m.diff, cmd = m.diff.Update(msg)
			return m, cmd
		}
		switch msg.Button {
		case tea.MouseWheelDown:
			m.off = clamp(m.off+3, 0, m.maxOff())
		case tea.MouseWheelUp:
			m.off = clamp(m.off-3, 0, m.maxOff())
		}
	}
	return m, nil
}

func (m compareModel) updateKeys(msg tea.KeyPressMsg) (compareModel, tea.Cmd) {
	k := m.keys
	if key.Matches(msg, k.Back) {
		return m, m.sh.post(showScreenMsg{to: m.back})
	}
	if !m.built {
		if key.Matches(msg, k.Changed, k.PromptDiff, k.PickA, k.PickB, k.Swap, k.Export) {
			if m.loaded {
				return m, notify("still comparing…")
			}
			return m, notify("no comparison open: press C on a run in Runs or Results")
		}
		return m, nil
	}
	if off, ok := k.nav.move(msg, m.off, m.maxOff()+1, m.bodyRows()-1); ok {
		m.off = off
		return m, nil
	}
	switch {
	case key.Matches(msg, k.NextPair):
		for _, s := range m.starts {
			if s > m.off {
				m.off = min(s, m.maxOff())
				break
			}
		}
	case key.Matches(msg, k.PrevPair):
		for i := len(m.starts) - 1; i >= 0; i-- {
			if m.starts[i] < m.off {
				m.off = m.starts[i]
				break
			}
		}
	case key.Matches(msg, k.Changed):
		m.changedOnly = !m.changedOnly
		m.off = 0
		return m.layout(), nil
	case key.Matches(msg, k.PromptDiff):
		va, okA := m.rr.Versions[m.a.VersionID]
		vb, okB := m.rr.Versions[m.b.VersionID]
		switch {
		case m.a.VersionID == m.b.VersionID:
			return m, notify("both sides run the same version: the prompts do not differ")
		case !okA || !okB:
			return m, notify("the versions' content is not in the store")
		}
		m.diff = newDiff(m.sh, va, vb, false).setSize(m.w, m.h)
		m.showDiff = true
	case key.Matches(msg, k.PickA):
		return m, m.picker(0, false)
	case key.Matches(msg, k.PickB):
		return m, m.picker(1, false)
	case key.Matches(msg, k.Swap):
		m = m.keepShown(true)
		m.a, m.b = m.b, m.a
		return m.build()
	case key.Matches(msg, k.Export):
		c := m.cmp
		return m, openExport(m.sh, exportSource{cmp: &c, prompt: runPrompt(m.rr.Run), runID: m.rr.Run.ID})
	}
	return m, nil
}

// picker asks which version × target side (0 = A, 1 = B) shows.
func (m compareModel) picker(side int, thenB bool) tea.Cmd {
	cur := m.a
	name := "A"
	if side == 1 {
		cur, name = m.b, "B"
	}
	run := m.rr.Run
	var cs []choice
	cursor := 0
	for _, v := range run.Versions {
		for _, t := range run.Targets {
			s := report.SideKey{VersionID: v.VersionID, Target: t}
			if s == cur {
				cursor = len(cs)
			}
			cs = append(cs, choice{label: oneLine(v.Ref() + " · " + t), on: s == cur, msg: comparePickMsg{side: side, to: s, thenB: thenB}})
		}
	}
	return m.sh.open(&choiceDialog{title: "Compare: choose side " + name, hint: "↑/↓ choose · enter pick · esc keep", choices: cs, cursor: cursor, nav: newNavKeys()})
}

// Layout: three header lines, then the pairs.
const compareTop = 3

func (m compareModel) bodyRows() int { return max(1, m.h-compareTop) }
func (m compareModel) maxOff() int   { return max(0, len(m.lines)-m.bodyRows()) }

// layout renders the shown pairs into lines for the width: a summary line
// per pair, then A and B side by side with the words only A has in the
// theme's diff-delete colour and those only B has in diff-add.
func (m compareModel) layout() compareModel {
	if !m.built {
		return m
	}
	st := m.sh.styles()
	m.lines, m.starts = nil, nil
	cw := max(8, (m.w-3)/2)
	run := m.rr.Run
	repeats := run.Repeat > 1
	for i, p := range m.cmp.Pairs {
		if m.changedOnly && !m.changed[i] {
			continue
		}
		m.starts = append(m.starts, len(m.lines))
		head := caseName(run, p.Case)
		if repeats || p.Repeat > 0 {
			head += " #" + itoa(p.Repeat+1)
		}
		var sum []string
		if p.A != nil && p.B != nil {
			sum = append(sum, "len "+itoa(p.LengthA())+"→"+itoa(p.LengthB())+" ("+deltaText(p.LengthDelta())+")")
		}
		if d, ok := p.ScoreDelta(); ok {
			sum = append(sum, "score "+scoreText(*p.ScoreA)+"→"+scoreText(*p.ScoreB)+" ("+scoreDeltaText(d)+")")
		}
		line := st.Title.Render(oneLine(head)) + "  " + st.Muted.Render(strings.Join(sum, " · "))
		if !m.changed[i] {
			line += "  " + st.OK.Render("identical")
		}
		m.lines = append(m.lines, trunc(line, m.w))
		m.lines = append(m.lines, caseLines(st, run, p.Case, m.w)...)
		left := m.sideLines(p.A, m.edits[i], true, cw)
		right := m.sideLines(p.B, m.edits[i], false, cw)
		sep := st.Subtle.Render(" │ ")
		for _, row := range alignSides(left, right) {
			m.lines = append(m.lines, pad(row[0], cw)+sep+pad(row[1], cw))
		}
		m.lines = append(m.lines, "")
	}
	if len(m.starts) == 0 {
		msg := "no pairs: neither side has results"
		if m.changedOnly && len(m.cmp.Pairs) > 0 {
			msg = "every pair is identical; c shows them all"
		}
		m.lines = []string{st.Muted.Render(msg)}
	}
	m.off = clamp(m.off, 0, m.maxOff())
	return m
}

// sideLines is one side of a pair wrapped to w cells, as one group of
// lines per line of the text: the output with the words the other side
// lacks highlighted, or the error, or a placeholder.
func (m compareModel) sideLines(r *prompt.Result, edits []textutil.WordEdit, isA bool, w int) [][]string {
	st := m.sh.styles()
	split := func(s string) [][]string {
		var out [][]string
		for _, src := range strings.Split(s, "\n") {
			if ansi.StringWidth(src) <= w {
				// Fits: no wrapping (which is most of the time spent
				// laying out an output of thousands of lines).
				out = append(out, []string{strings.TrimRight(src, " ")})
				continue
			}
			var group []string
			for _, l := range strings.Split(wrapLine(src, w), "\n") {
				group = append(group, strings.TrimRight(l, " "))
			}
			out = append(out, group)
		}
		return out
	}
	switch {
	case r == nil:
		return [][]string{{st.Muted.Render("(no result)")}}
	case !r.OK():
		return split(styleLines(st.Error, "error: "+cleanOutput(r.Error)))
	case r.Output == "":
		return [][]string{{st.Muted.Render("(empty output)")}}
	case edits == nil:
		return split(styleLines(st.Base, cleanOutput(r.Output)))
	}
	mark := st.DiffAdd
	skip := textutil.WordDelete
	if isA {
		mark, skip = st.DiffDel, textutil.WordInsert
	}
	var b strings.Builder
	for _, e := range edits {
		switch e.Op {
		case skip:
		case textutil.WordEqual:
			b.WriteString(styleLines(st.Base, e.Text))
		default:
			b.WriteString(styleLines(mark, e.Text))
		}
	}
	return split(b.String())
}

// alignSides sets two sides' line groups next to each other. When both
// have as many source lines, each pair of groups starts on the same row,
// so that similar outputs line up; otherwise the sides simply run down.
func alignSides(left, right [][]string) [][2]string {
	var rows [][2]string
	if len(left) == len(right) {
		for i := range left {
			for j := 0; j < max(len(left[i]), len(right[i])); j++ {
				var r [2]string
				if j < len(left[i]) {
					r[0] = left[i][j]
				}
				if j < len(right[i]) {
					r[1] = right[i][j]
				}
				rows = append(rows, r)
			}
		}
		return rows
	}
	var l, r []string
	for _, g := range left {
		l = append(l, g...)
	}
	for _, g := range right {
		r = append(r, g...)
	}
	for j := 0; j < max(len(l), len(r)); j++ {
		var row [2]string
		if j < len(l) {
			row[0] = l[j]
		}
		if j < len(r) {
			row[1] = r[j]
		}
		rows = append(rows, row)
	}
	return rows
}

// styleLines renders s line by line, so that no style spans a line break
// and wrapping keeps each line's colour.
func styleLines(st lipgloss.Style, s string) string {
	parts := strings.Split(s, "\n")
	for i, p := range parts {
		if p != "" {
			parts[i] = styled(st, p)
		}
	}
	return strings.Join(parts, "\n")
}

func (m compareModel) keyTable() keyTable {
	k := m.keys
	if m.showDiff {
		dk := m.diff.keys
		return keyTable{
			short:  []key.Binding{dk.Layout, dk.Back, dk.nav.Down},
			groups: [][]key.Binding{{dk.Layout, dk.Back}, dk.nav.bindings()},
		}
	}
	if !m.loaded || !m.sides {
		// Nothing compared (an error, a run with one side, nothing open):
		// only esc does something.
		return keyTable{short: []key.Binding{k.Back}, groups: [][]key.Binding{{k.Back}}}
	}
	return keyTable{
		short: []key.Binding{k.Changed, k.PromptDiff, k.Export, k.NextPair, k.PickA, k.PickB, k.Back},
		groups: [][]key.Binding{
			k.nav.bindings(),
			{k.NextPair, k.PrevPair, k.Changed, k.PromptDiff},
			{k.PickA, k.PickB, k.Swap, k.Export, k.Back},
		},
	}
}

// View draws the Compare screen into its w×h area.
func (m compareModel) View() string {
	st := m.sh.styles()
	if m.showDiff {
		return m.diff.View()
	}
	title := st.Title.Render("Compare")
	switch {
	case m.err != "":
		return title + "\n" + st.Error.Render(wrapLine(oneLine(m.err), m.w))
	case m.loading:
		return title + "\n" + st.Muted.Render("loading the run…")
	case !m.loaded:
		return title + "\n\n" + st.Muted.Render("  No comparison open. Press C on a run in Runs (5) or Results (6).")
	case !m.built:
		return title + "\n" + st.Muted.Render("comparing…")
	}
	c := m.cmp
	head := title + "  " + styled(st.DiffDel, "A") + " " + st.Base.Render(oneLine(c.A.Label)) +
		st.Muted.Render("  vs  ") + st.DiffAdd.Render("B") + " " + st.Base.Render(oneLine(c.B.Label)) +
		st.Muted.Render("  "+m.fixedText()+" · run "+m.rr.Run.ID)

	changed, lenSum, lenN := 0, 0, 0
	for i, p := range c.Pairs {
		if m.changed[i] {
			changed++
		}
		if p.A != nil && p.B != nil {
			lenSum += p.LengthDelta()
			lenN++
		}
	}
	stats := plural(len(c.Pairs), "pair") + " · " + itoa(changed) + " changed"
	if lenN > 0 {
		stats += " · mean length " + deltaText(roundDiv(lenSum, lenN)) + " chars"
	}
	filter := ""
	if m.changedOnly {
		filter = st.Tag.Render("changed only")
	}
	pos := ""
	if len(m.lines) > m.bodyRows() {
		pos = st.Muted.Render(" · lines " + itoa(m.off+1) + "–" + itoa(min(len(m.lines), m.off+m.bodyRows())) + " of " + itoa(len(m.lines)))
	}
	line2 := st.Muted.Render(stats) + pos
	line2 = pad(line2, m.w-lipgloss.Width(filter)) + filter

	var line3 string
	if m.ab.Wins+m.ab.Ties+m.ab.Losses > 0 {
		style := st.Muted
		if m.ab.P < eval.Significance {
			style = st.Warn
		}
		sentence := oneLine(m.ab.Sentence)
		fits := pValueFirst(sentence, m.w-4)
		if d := m.ab.Wins + m.ab.Losses; report.TooFewCases(d, 1) != "" && m.ab.P >= eval.Significance {
			// "No significant difference" is no evidence then (the
			// Markdown says it in full): said whole, shorter on a narrow
			// screen, rather than cut.
			for _, why := range []string{
				" (" + itoa(d) + " decided: p < 0.05 needs " + itoa(report.SignTestCases(1)) + ")",
				" (" + itoa(d) + " decided, too few)",
				" (too few)",
			} {
				if f := pValueFirst(sentence+why, m.w-4); lipgloss.Width(f) <= m.w-4 || why == " (too few)" {
					fits = f
					break
				}
			}
		}
		line3 = st.Header.Render("A/B ") + style.Render(fits)
	} else {
		line3 = st.Muted.Render(firstFit(m.w, "A/B: no scored cases on both sides (attach a suite with checks to compare scores)",
			"A/B: no scored cases on both sides (a suite's checks score them)", "A/B: no scored cases on both sides"))
	}
	end := min(len(m.lines), m.off+m.bodyRows())
	return trunc(head, m.w) + "\n" + trunc(line2, m.w) + "\n" + trunc(line3, m.w) + "\n" + strings.Join(m.lines[m.off:end], "\n")
}

// pValueFirst fits an A/B sentence into w cells by moving what it leaves
// out in brackets ("(2 ties excluded; 11 failed calls left out)") after the
// p-value, so that a cut takes those and never the p-value: "B beats A on
// 27 of 40 cases, p = 0.038 (11 failed calls left out)".
func pValueFirst(s string, w int) string {
	if lipgloss.Width(s) <= w {
		return s
	}
	i := strings.LastIndex(s, "), p ")
	if i < 0 {
		return s
	}
	j := strings.LastIndex(s[:i], " (")
	if j < 0 {
		return s
	}
	return s[:j] + s[i+1:] + s[j:i+1]
}

// fixedText says what both sides share: the target when versions are
// compared, the version when targets are.
func (m compareModel) fixedText() string {
	switch {
	case m.a.Target == m.b.Target && m.a.VersionID != m.b.VersionID:
		return "on " + m.a.Target
	case m.a.VersionID == m.b.VersionID && m.a.Target != m.b.Target:
		return "of " + runVersionRef(m.rr.Run, m.a.VersionID)
	}
	return ""
}

// roundDiv is a/b rounded half away from zero.
func roundDiv(a, b int) int {
	if b == 0 {
		return 0
	}
	if a < 0 {
		return -((-a + b/2) / b)
	}
	return (a + b/2) / b
}
