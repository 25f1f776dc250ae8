package ui

import (
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/sahilm/fuzzy"

	"whet/runner"
	"whet/textutil"
)

// Picker messages.
type (
	// arenaTargetsMsg answers the listing of targets.
	arenaTargetsMsg struct {
		req   int
		infos []runner.TargetInfo
	}
	// arenaAddSpecMsg adds a target typed by the user (provider:model).
	arenaAddSpecMsg struct{ spec string }
)

func (arenaTargetsMsg) target() screenID { return screenArena }
func (arenaAddSpecMsg) target() screenID { return screenArena }

// arenaTarget is one row of the picker.
type arenaTarget struct {
	spec   string // the resolved spec to run; "" when unusable
	label  string // the name shown: the spec, or the alias
	detail string // where it comes from, or what the server says of it
	issue  string // why it cannot be used
	info   runner.TargetInfo
}

// arenaPicker is a multi-select list over the registry's targets: the
// config's targets, aliases and configured models, every model a local
// Ollama lists (loaded in a command), echo, and specs the user adds.
type arenaPicker struct {
	sh   *shared
	w, h int

	items   []arenaTarget
	rows    []int // indexes into items, after the filter
	cursor  int
	offset  int
	loaded  bool
	loading bool
	req     int
	err     string
	// filter lives behind a pointer to keep the model small (it is copied
	// on every message); it is never changed in place: see withFilter.
	filter    *textinput.Model
	filtering bool

	// selected are the chosen specs, in the order they were picked (the
	// columns' order).
	selected    []string
	preselected bool // the config's targets were picked once
	// pickedAs is the row (its label) each selected spec was picked on,
	// where several rows run the same target (an alias of echo and echo):
	// that row is ticked, the others say which one is. Never changed in
	// place.
	pickedAs map[string]string
}

func newArenaPicker(sh *shared) arenaPicker {
	ti := textinput.New()
	ti.Prompt = "/ "
	ti.Placeholder = "filter targets"
	ti.SetStyles(sh.styles().TextInput)
	return arenaPicker{sh: sh, filter: &ti}
}

// withFilter returns p with a changed copy of its filter input.
func (p arenaPicker) withFilter(fn func(*textinput.Model)) arenaPicker {
	f := *p.filter
	fn(&f)
	p.filter = &f
	return p
}

// setSize fits the picker to the inside of its panel, w×h; the filter
// leaves room for its prompt and the cursor.
func (p arenaPicker) setSize(w, h int) arenaPicker {
	p.w, p.h = w, h
	p = p.withFilter(func(f *textinput.Model) { sizeInput(f, max(4, w-lipgloss.Width(f.Prompt)-1)) })
	return p.clamp()
}

// load lists the targets in a command; nil targets list nothing.
func (p arenaPicker) load(targets ArenaTargets) (arenaPicker, tea.Cmd) {
	p.req++
	if targets == nil {
		p.loaded, p.loading = true, false
		p.err = "no target registry: start whet from the command line to run models"
		return p, nil
	}
	p.loading = true
	id, ctx := p.req, p.sh.ctx
	return p, func() tea.Msg { return arenaTargetsMsg{req: id, infos: targets.ListTargets(ctx)} }
}

// onLoaded turns the listing into rows. The first listing selects the
// config's default targets when nothing is selected yet.
func (p arenaPicker) onLoaded(msg arenaTargetsMsg, targets ArenaTargets) arenaPicker {
	if msg.req != p.req {
		return p
	}
	p.loading, p.loaded, p.err = false, true, ""
	var added []arenaTarget
	for _, it := range p.items {
		if it.detail == "added" {
			added = append(added, it)
		}
	}
	p.items = nil
	seen := map[string]bool{}
	var defaults []string
	for _, ti := range msg.infos {
		it := arenaTarget{spec: ti.Spec, label: ti.Spec, info: ti}
		switch {
		case ti.Issue != "":
			it.spec = ""
			it.issue = oneLine(ti.Problem())
			it.label = ti.Spec
			if it.label == "" {
				it.label = ti.Provider
			}
			if ti.Alias != "" {
				it.label = ti.Alias
			}
		case ti.Source == "alias":
			it.label = ti.Alias
			it.detail = "→ " + ti.Spec
		case ti.Source == "config":
			it.detail = "default"
			defaults = append(defaults, ti.Spec)
		case ti.Source == "models":
			it.detail = "configured"
		default:
			it.detail = modelDetail(ti.Info)
		}
		if ti.Missing != "" && ti.Source != "alias" {
			// A run would end in Ollama's 404.
			it.detail += " · not pulled"
		}
		key := it.label + "|" + it.spec
		if seen[key] {
			continue
		}
		seen[key] = true
		p.items = append(p.items, it)
	}
	has := func(spec string) bool {
		for _, it := range p.items {
			if it.spec == spec && it.label == spec {
				return true
			}
		}
		return false
	}
	if t, err := targets.Resolve("echo"); err == nil && !has(t.Spec) {
		p.items = append(p.items, arenaTarget{spec: t.Spec, label: t.Spec, detail: "returns the prompt", info: runner.TargetInfo{Target: t}})
	}
	for _, it := range added {
		if !has(it.spec) {
			p.items = append(p.items, it)
		}
	}
	// Selected specs stay listed even when the server no longer lists them.
	for _, s := range p.selected {
		if !p.hasSpec(s) {
			p.items = append(p.items, arenaTarget{spec: s, label: s, detail: "added"})
		}
	}
	// Unusable entries (a server that cannot be listed) go last.
	sort.SliceStable(p.items, func(i, j int) bool { return p.items[i].spec != "" && p.items[j].spec == "" })
	if !p.preselected {
		p.preselected = true
		if len(p.selected) == 0 {
			for _, s := range defaults {
				if len(p.selected) < arenaMaxTargets && !p.isSelected(s) {
					p.selected = append(p.selected, s)
				}
			}
		}
	}
	p.refilter()
	return p
}

// modelDetail describes a listed model: "3.2B Q4_K_M · 2.0 GB".
func modelDetail(mi runner.ModelInfo) string {
	var parts []string
	if mi.ParameterSize != "" || mi.Quantization != "" {
		parts = append(parts, strings.TrimSpace(mi.ParameterSize+" "+mi.Quantization))
	}
	if mi.Size > 0 {
		parts = append(parts, textutil.HumanBytes(mi.Size))
	}
	if len(parts) == 0 {
		return "listed"
	}
	return strings.Join(parts, " · ")
}

// fixed1 renders f with one decimal.
func fixed1(f float64) string {
	t := int(f*10 + 0.5)
	return itoa(t/10) + "." + itoa(t%10)
}

func (p arenaPicker) hasSpec(spec string) bool {
	for _, it := range p.items {
		if it.spec == spec {
			return true
		}
	}
	return false
}

func (p arenaPicker) isSelected(spec string) bool {
	for _, s := range p.selected {
		if s == spec {
			return true
		}
	}
	return false
}

// add lists and selects a spec the user typed (or an alias, which
// ticks the alias's row), or one the Models screen sends.
func (p arenaPicker) add(spec string, targets ArenaTargets) (arenaPicker, tea.Cmd) {
	if targets == nil {
		return p, notify(p.err)
	}
	t, err := targets.Resolve(spec)
	if err != nil {
		return p, notifyErr(err)
	}
	// The row named as typed (an alias's), else the spec's own.
	label := t.Spec
	for _, it := range p.items {
		if it.spec == t.Spec && it.label == spec {
			label = spec
		}
	}
	if !p.hasSpec(t.Spec) {
		p.items = append(p.items, arenaTarget{spec: t.Spec, label: t.Spec, detail: "added", info: runner.TargetInfo{Target: t}})
	}
	var cmd tea.Cmd
	switch {
	case p.isSelected(t.Spec):
		p = p.pickOn(t.Spec, label)
	case len(p.selected) >= arenaMaxTargets:
		cmd = notify("at most " + itoa(arenaMaxTargets) + " targets: unpick one first")
	default:
		p.selected = append(append([]string(nil), p.selected...), t.Spec)
		p = p.pickOn(t.Spec, label)
	}
	p = p.withFilter(func(f *textinput.Model) { f.SetValue("") })
	p.refilter()
	for i, r := range p.rows {
		if p.items[r].spec == t.Spec && p.items[r].label == label {
			p.cursor = i
		}
	}
	return p.clamp(), cmd
}

// toggle picks or unpicks the target under the cursor. A row whose
// target is picked on another row (an alias of echo, and echo) takes the
// tick over: the target runs once, in its column.
func (p arenaPicker) toggle() (arenaPicker, tea.Cmd) {
	if p.cursor < 0 || p.cursor >= len(p.rows) {
		return p, nil
	}
	it := p.items[p.rows[p.cursor]]
	if it.spec == "" {
		return p, notify(it.label + ": " + it.issue)
	}
	for i, s := range p.selected {
		if s != it.spec {
			continue
		}
		if on := p.tickLabel(s); on != it.label {
			p = p.pickOn(s, it.label)
			return p, notify(it.label + " is the same target as " + on + ": picked once")
		}
		p.selected = append(append([]string(nil), p.selected[:i]...), p.selected[i+1:]...)
		return p, nil
	}
	if len(p.selected) >= arenaMaxTargets {
		return p, notify("at most " + itoa(arenaMaxTargets) + " targets: unpick one first")
	}
	p.selected = append(append([]string(nil), p.selected...), it.spec)
	return p.pickOn(it.spec, it.label), nil
}

// pickOn records that spec is picked on the row labelled label.
func (p arenaPicker) pickOn(spec, label string) arenaPicker {
	m := make(map[string]string, len(p.pickedAs)+1)
	for k, v := range p.pickedAs {
		m[k] = v
	}
	m[spec] = label
	p.pickedAs = m
	return p
}

// tickLabel is the label of the row that shows spec picked: the row it
// was picked on, else its own row (the label is the spec), else the
// first row that runs it.
func (p arenaPicker) tickLabel(spec string) string {
	first := ""
	for _, it := range p.items {
		if it.spec != spec {
			continue
		}
		if it.label == p.pickedAs[spec] {
			return it.label
		}
		if first == "" {
			first = it.label
		}
	}
	for _, it := range p.items {
		if it.spec == spec && it.label == spec {
			return spec
		}
	}
	return first
}

// info is what the listing said of spec (its digest, size), if anything.
func (p arenaPicker) info(spec string) runner.TargetInfo {
	for _, it := range p.items {
		if it.spec == spec && it.info.Info.Name != "" {
			return it.info
		}
	}
	for _, it := range p.items {
		if it.spec == spec {
			return it.info
		}
	}
	return runner.TargetInfo{}
}

type pickerSource []arenaTarget

func (s pickerSource) String(i int) string { return s[i].label + " " + s[i].spec + " " + s[i].detail }
func (s pickerSource) Len() int            { return len(s) }

func (p *arenaPicker) refilter() {
	q := strings.Join(strings.Fields(p.filter.Value()), "")
	p.rows = p.rows[:0]
	if q == "" {
		for i := range p.items {
			p.rows = append(p.rows, i)
		}
	} else {
		for _, match := range fuzzy.FindFrom(q, pickerSource(p.items)) {
			p.rows = append(p.rows, match.Index)
		}
	}
	*p = p.clamp()
}

func (p arenaPicker) listRows() int { return max(1, p.h-1) }

func (p arenaPicker) clamp() arenaPicker {
	p.cursor = clamp(p.cursor, 0, len(p.rows)-1)
	rows := p.listRows()
	if p.cursor < p.offset {
		p.offset = p.cursor
	}
	if p.cursor >= p.offset+rows {
		p.offset = p.cursor - rows + 1
	}
	p.offset = clamp(p.offset, 0, max(0, len(p.rows)-rows))
	return p
}

// move applies a navigation key.
func (p arenaPicker) move(msg tea.KeyPressMsg, nav navKeys) arenaPicker {
	if c, ok := nav.move(msg, p.cursor, len(p.rows), p.listRows()-1); ok {
		p.cursor = c
	}
	return p.clamp()
}

// updateFilter handles a key or paste while the filter has the focus.
func (p arenaPicker) updateFilter(msg tea.Msg, k arenaKeys) (arenaPicker, tea.Cmd) {
	if km, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(km, k.ClearFilter):
			p = p.withFilter(func(f *textinput.Model) { f.SetValue(""); f.Blur() })
			p.filtering = false
			p.refilter()
			return p, nil
		case key.Matches(km, k.Accept):
			p = p.withFilter(func(f *textinput.Model) { f.Blur() })
			p.filtering = false
			if km.String() != "enter" {
				return p.move(km, k.nav), nil
			}
			return p, nil
		}
	}
	before := p.filter.Value()
	var cmd tea.Cmd
	p = p.withFilter(func(f *textinput.Model) { *f, cmd = f.Update(msg) })
	if p.filter.Value() != before {
		p.cursor, p.offset = 0, 0
		p.refilter()
	}
	return p, cmd
}

// view draws the list into w×h (inside its panel).
func (p arenaPicker) view(w, h int, focused bool) string {
	st := p.sh.styles()
	var lines []string
	switch {
	case p.filtering:
		lines = append(lines, p.filter.View())
	case p.filter.Value() != "":
		lines = append(lines, st.Key.Render("/ ")+st.Base.Render(p.filter.Value()))
	default:
		lines = append(lines, st.Muted.Render(firstFit(w, "space pick · a add provider:model · / filter", "space pick · a add · / filter", "space · a add · / filter")))
	}
	switch {
	case p.loading && len(p.items) == 0:
		lines = append(lines, st.Muted.Render("listing targets (and local Ollama models)…"))
	case p.err != "":
		lines = append(lines, st.Error.Render(trunc(p.err, w)))
	case len(p.rows) == 0 && len(p.items) > 0:
		lines = append(lines, st.Muted.Render(firstFit(w, "no target matches; esc clears the filter", "no match; esc clears the filter", "no match")))
	}
	labelW := 8
	for _, r := range p.rows {
		labelW = max(labelW, lipgloss.Width(p.items[r].label))
	}
	// The name tells targets apart (ollama:llama3.2:1b and :3b); the
	// detail gets what is left, at least a few columns.
	labelW = min(labelW, max(8, w-7-6))
	end := min(len(p.rows), p.offset+h-1)
	for i := p.offset; i < end; i++ {
		it := p.items[p.rows[i]]
		sel := i == p.cursor && focused
		base := st.Row
		if sel {
			base = st.RowSelected
		}
		marker := base.Render("  ")
		if sel {
			marker = st.Cursor.Inherit(base).Render("▌ ")
		}
		var row string
		if it.spec == "" {
			row = marker + st.Error.Inherit(base).Render(" ✗  ") + base.Render(pad(oneLine(it.label), labelW)) + base.Render(" ") +
				st.Muted.Inherit(base).Render(oneLine(it.issue))
		} else {
			box := "[ ] "
			bst := st.Muted.Inherit(base)
			detail := it.detail
			if p.isSelected(it.spec) {
				box = "[x] "
				bst = st.OK.Inherit(base)
				// Another row runs the same target, picked there.
				if on := p.tickLabel(it.spec); on != it.label {
					box, detail = "[=] ", "picked as "+on
				}
			}
			row = marker + bst.Render(box) + base.Render(pad(oneLine(it.label), labelW)) + base.Render(" ") +
				st.Muted.Inherit(base).Render(oneLine(detail))
		}
		row = trunc(row, w)
		if gap := w - lipgloss.Width(row); gap > 0 {
			row += base.Render(strings.Repeat(" ", gap))
		}
		lines = append(lines, row)
	}
	return strings.Join(lines, "\n")
}
