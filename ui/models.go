package ui

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"whet/config"
	"whet/runner"
	"whet/store"
)

// The Models screen lists what whet can run: every target of the registry
// (the config's targets, aliases, configured models, every model a
// reachable Ollama, OpenAI-compatible, Anthropic or Gemini provider lists),
// the targets earlier runs used (those whose every call failed too, with
// their failed calls), and the providers behind them. Beside each target it shows the
// model identity the store last recorded for it (the Ollama digest, the
// resolved model, OpenAI's system_fingerprint), and warns when the model
// changed under the results: a listed digest that differs from the one the
// last run recorded (the model was pulled again), or a newest run that
// recorded an identity the run before it did not (store.ModelSeen). Old results of a changed model are not comparable with
// new ones; `whet drift` re-runs a baseline.

// modelsProviders is the optional part of the registry the Models screen
// uses to describe providers (runner.Registry has it).
type modelsProviders interface {
	ProviderStatuses() []runner.ProviderStatus
}

// modelsKeys is the Models screen's key table.
type modelsKeys struct {
	nav    navKeys
	Arena  key.Binding
	Switch key.Binding
	Reload key.Binding
	Back   key.Binding
}

func newModelsKeys() modelsKeys {
	return modelsKeys{
		nav:    newNavKeys(),
		Arena:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "pick in the Arena")),
		Switch: key.NewBinding(key.WithKeys("tab", "p"), key.WithHelp("tab/p", "targets/providers")),
		Reload: key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "list again")),
		Back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
	}
}

// Models messages.
type (
	// modelsLoadedMsg answers a listing.
	modelsLoadedMsg struct {
		req       int
		infos     []runner.TargetInfo
		providers []runner.ProviderStatus
		seen      []store.ModelSeen
		failed    []store.TargetFailures
		seenErr   error
		at        time.Time
	}
)

func (modelsLoadedMsg) target() screenID { return screenModels }

// modelsRow is one target of the list.
type modelsRow struct {
	label  string // the spec, or the alias
	spec   string // what runs; "" when unusable
	source string // config, alias, models, listed, builtin (echo), runs
	info   runner.ModelInfo
	issue  string // why it cannot be used
	// missing says that its Ollama server does not have the model, and
	// how to get it.
	missing string
	seen    *store.ModelSeen
	// fail is what runs recorded of its failed calls; a target whose
	// every call failed has fail and no seen.
	fail *store.TargetFailures
}

// lastAt is when a run last used the target, as far as the store says.
func (r modelsRow) lastAt() time.Time {
	var at time.Time
	if r.seen != nil {
		at = r.seen.Current.Last
	}
	if r.fail != nil && r.fail.Last.After(at) {
		at = r.fail.Last
	}
	return at
}

// changed says why the model under this target is not the one its results
// were made with, or ""; short is the same in two words, for the list.
func (r modelsRow) changed() (why, short string) {
	if r.seen == nil {
		return "", ""
	}
	switch r.seen.Drift(r.info.Digest) {
	case store.DriftDigest:
		return "pulled again since its last run", "new digest"
	case store.DriftIdentity:
		return "changed between runs", "changed"
	}
	return "", ""
}

// modelsModel is the Models screen.
type modelsModel struct {
	sh      *shared
	keys    modelsKeys
	targets ArenaTargets
	w, h    int

	req       int
	loading   bool
	loaded    bool
	at        time.Time
	rows      []modelsRow
	providers []runner.ProviderStatus
	seenErr   string
	showProv  bool
	cursor    int
	offset    int
	pcursor   int
	poffset   int
}

func newModels(sh *shared, targets ArenaTargets) modelsModel {
	return modelsModel{sh: sh, keys: newModelsKeys(), targets: targets}
}

func (m modelsModel) setSize(w, h int) modelsModel {
	m.w, m.h = w, h
	return m.clamp()
}

// waiting reports whether the screen waits for its first listing (R lists
// again under the list on screen): keys typed meanwhile act on it (hold.go).
func (m modelsModel) waiting() bool { return m.loading && !m.loaded }

// abandon forgets the first listing (esc, hold.go): its answer is dropped,
// and the screen, shown again, lists afresh.
func (m modelsModel) abandon() modelsModel {
	m.req++
	m.loading = false
	return m
}

// unlisted reports whether the screen has no listing and asks for none:
// never shown, or left (esc) before its first listing came.
func (m modelsModel) unlisted() bool { return !m.loaded && !m.loading }

// load lists targets, providers and what runs recorded, in a command: the
// listing contacts servers (each bounded by 10s).
func (m modelsModel) load() (modelsModel, tea.Cmd) {
	m.req++
	if m.targets == nil {
		m.loaded = true
		return m, nil
	}
	m.loading = true
	req, targets, now := m.req, m.targets, m.sh.now
	return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		msg := modelsLoadedMsg{req: req, infos: runner.WithEcho(targets.ListTargets(ctx), targets), at: now()}
		if p, ok := targets.(modelsProviders); ok {
			msg.providers = p.ProviderStatuses()
		}
		msg.seen, msg.seenErr = st.ModelsSeen(ctx)
		if msg.seenErr == nil {
			msg.failed, msg.seenErr = st.TargetsFailed(ctx)
		}
		return msg
	})
}

// modelsRows merges a listing with what runs recorded: one row per
// target (an alias is its own row), then targets only earlier runs know
// (those whose every call failed too), unusable entries last.
func modelsRows(infos []runner.TargetInfo, seen []store.ModelSeen, failed []store.TargetFailures) []modelsRow {
	bySpec := map[string]store.ModelSeen{}
	for _, m := range seen {
		bySpec[m.Target] = m
	}
	failedBy := map[string]*store.TargetFailures{}
	for i := range failed {
		failedBy[failed[i].Target] = &failed[i]
	}
	var rows, broken []modelsRow
	listed := map[string]bool{}
	index := map[string]int{}
	for _, ti := range infos {
		r := modelsRow{label: ti.Spec, spec: ti.Spec, source: ti.Source, info: ti.Info, missing: ti.Missing}
		if ti.Alias != "" {
			r.label = ti.Alias
		}
		if ti.Issue != "" {
			r.spec, r.issue = "", ti.Problem()
			if r.label == "" {
				r.label = ti.Provider
			}
			broken = append(broken, r)
			continue
		}
		key := r.label + "|" + r.spec
		if i, ok := index[key]; ok {
			// A configured model the server lists too: keep what it says.
			if rows[i].info.Name == "" {
				rows[i].info = ti.Info
			}
			continue
		}
		if m, ok := bySpec[ti.Spec]; ok {
			r.seen = &m
		}
		r.fail = failedBy[ti.Spec]
		listed[ti.Spec] = true
		index[key] = len(rows)
		rows = append(rows, r)
	}
	// An alias shows what the server says of the model it names.
	info := map[string]runner.ModelInfo{}
	for _, r := range rows {
		if r.info.Name != "" {
			info[r.spec] = r.info
		}
	}
	for i := range rows {
		if rows[i].info.Name == "" {
			rows[i].info = info[rows[i].spec]
		}
	}
	var past []modelsRow
	for i := range seen {
		if !listed[seen[i].Target] {
			listed[seen[i].Target] = true
			past = append(past, modelsRow{label: seen[i].Target, spec: seen[i].Target, source: "runs", seen: &seen[i], fail: failedBy[seen[i].Target]})
		}
	}
	for i := range failed {
		if !listed[failed[i].Target] {
			past = append(past, modelsRow{label: failed[i].Target, spec: failed[i].Target, source: "runs", fail: &failed[i]})
		}
	}
	sort.SliceStable(past, func(i, j int) bool { return past[i].lastAt().After(past[j].lastAt()) })
	rows = append(rows, past...)
	return append(rows, broken...)
}

// Update handles the Models screen's keys and messages.
func (m modelsModel) Update(msg tea.Msg) (modelsModel, tea.Cmd) {
	switch msg := msg.(type) {
	case modelsLoadedMsg:
		if msg.req != m.req {
			return m, nil
		}
		m.loading, m.loaded, m.at = false, true, msg.at
		keep := ""
		if r, ok := m.selected(); ok {
			keep = r.label + "|" + r.spec
		}
		m.rows = modelsRows(msg.infos, msg.seen, msg.failed)
		m.providers = msg.providers
		m.seenErr = ""
		if msg.seenErr != nil {
			m.seenErr = msg.seenErr.Error()
		}
		for i, r := range m.rows {
			if r.label+"|"+r.spec == keep {
				m.cursor = i
			}
		}
		return m.clamp(), nil
	case tea.KeyPressMsg:
		return m.updateKeys(msg)
	case tea.MouseWheelMsg:
		d := 1
		if msg.Button == tea.MouseWheelUp {
			d = -1
		}
		if m.showProv {
			m.pcursor += d
		} else {
			m.cursor += d
		}
		return m.clamp(), nil
	case tea.MouseClickMsg:
		if msg.Button != tea.MouseLeft || msg.Y < modelsTop {
			return m, nil
		}
		if m.showProv {
			if row := m.poffset + msg.Y - modelsTop; row < len(m.providers) {
				m.pcursor = row
			}
			return m.clamp(), nil
		}
		row := m.offset + msg.Y - modelsTop
		if row >= min(len(m.rows), m.offset+m.listRows()) {
			return m, nil
		}
		if row == m.cursor {
			return m.updateKeys(keyPress("enter"))
		}
		m.cursor = row
		return m.clamp(), nil
	}
	return m, nil
}

func (m modelsModel) updateKeys(msg tea.KeyPressMsg) (modelsModel, tea.Cmd) {
	k := m.keys
	if m.showProv {
		if c, ok := k.nav.move(msg, m.pcursor, len(m.providers), m.listRows()-1); ok {
			m.pcursor = c
			return m.clamp(), nil
		}
	} else if c, ok := k.nav.move(msg, m.cursor, len(m.rows), m.listRows()-1); ok {
		m.cursor = c
		return m.clamp(), nil
	}
	switch {
	case key.Matches(msg, k.Back):
		return m, m.sh.post(showScreenMsg{to: screenLibrary})
	case key.Matches(msg, k.Reload):
		return m.load()
	case key.Matches(msg, k.Switch):
		m.showProv = !m.showProv
		return m.clamp(), nil
	case key.Matches(msg, k.Arena):
		if m.showProv {
			return m, nil
		}
		r, ok := m.selected()
		switch {
		case !ok:
			return m, notify("no target selected")
		case r.spec == "":
			return m, notify(oneLine(r.label + ": " + r.issue))
		}
		// An alias goes by its name, so that the Arena ticks its row.
		return m, tea.Batch(m.sh.post(arenaAddSpecMsg{spec: r.label}), m.sh.post(showScreenMsg{to: screenArena}))
	}
	return m, nil
}

func (m modelsModel) selected() (modelsRow, bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return modelsRow{}, false
	}
	return m.rows[m.cursor], true
}

// Layout: title, header row, then the list; the details of the selection
// follow it, in at most modelsDetailRows lines.
const (
	modelsTop        = 2
	modelsDetailRows = 5
)

func (m modelsModel) listRows() int { return max(1, m.h-modelsTop-modelsDetailRows-1) }

func (m modelsModel) clamp() modelsModel {
	rows := m.listRows()
	m.cursor, m.offset = clampScroll(m.cursor, m.offset, len(m.rows), rows)
	m.pcursor, m.poffset = clampScroll(m.pcursor, m.poffset, len(m.providers), rows)
	return m
}

func (m modelsModel) keyTable() keyTable {
	k := m.keys
	return keyTable{
		short:  []key.Binding{k.Arena, k.Switch, k.Reload, k.Back},
		groups: [][]key.Binding{k.nav.bindings(), {k.Arena, k.Switch}, {k.Reload, k.Back}},
	}
}

// View draws the Models screen into its w×h area.
func (m modelsModel) View() string {
	st := m.sh.styles()
	what := "targets"
	if m.showProv {
		what = "providers"
	}
	title := st.Title.Render("Models") + st.Muted.Render(" · "+what)
	switch {
	case m.targets == nil:
		return title + "\n\n" + st.Muted.Render(trunc("  No target registry: start whet from the command line to list models.", m.w))
	case !m.loaded:
		return title + "\n" + st.Muted.Render("listing targets and asking the servers for their models…")
	}
	changedSpecs := map[string]bool{}
	for _, r := range m.rows {
		if why, _ := r.changed(); why != "" {
			changedSpecs[r.spec] = true
		}
	}
	changed := len(changedSpecs)
	// The rows that can run are the targets; a provider that could not
	// be listed is a row too, counted apart.
	usable := 0
	for _, r := range m.rows {
		if r.spec != "" {
			usable++
		}
	}
	info := " · " + plural(usable, "target")
	if n := len(m.rows) - usable; n > 0 {
		info += " · " + itoa(n) + " unavailable"
	}
	info += " · " + plural(len(m.providers), "provider")
	if changed > 0 {
		info += " · "
	}
	title += st.Muted.Render(info)
	if changed > 0 {
		title += st.Warn.Render("⚠ " + plural(changed, "model") + " changed")
	}
	if m.loading {
		title += st.Muted.Render(" · listing again…")
	} else if !m.at.IsZero() {
		title += st.Muted.Render(" · listed " + ago(m.sh.now(), m.at))
	}
	var body string
	if m.showProv {
		body = m.providersView()
	} else {
		body = m.targetsView()
	}
	return trunc(title, m.w) + "\n" + body
}

// modelsCols are the target list's column widths.
type modelsCols struct{ label, source, model, digest, last int }

func (m modelsModel) cols() modelsCols {
	c := modelsCols{source: 7, model: 22, digest: 12, last: 0}
	rest := m.w - 2 - c.source - c.model - c.digest - 4
	if m.w >= 100 {
		c.last = 24
		rest -= c.last + 1
	}
	if rest < 20 {
		c.model = max(10, c.model-(20-rest))
		rest = m.w - 2 - c.source - c.model - c.digest - 4 - c.last - min(1, c.last)
	}
	c.label = max(12, rest)
	return c
}

// modelsCells is what one target's row shows in each column.
type modelsCells struct {
	label, model, digest, last string
	mstyle, lstyle             lipgloss.Style
}

// cells says what row r shows, its styles based on base; withLast is
// whether the list has a LAST RUN column (without it, the label carries
// the ✗ or ⚠ mark).
func (m modelsModel) cells(r modelsRow, base lipgloss.Style, withLast bool) modelsCells {
	st := m.sh.styles()
	label := r.label
	if r.label != r.spec {
		label += " → " + r.spec
	}
	// The model the last run reported says more than "listed",
	// what a hosted model without a size or quantisation shows.
	model := ""
	if r.info.Name != "" {
		model = modelDetail(r.info)
	}
	if (model == "" || model == "listed") && r.seen != nil && r.seen.Current.Model != "" {
		model = r.seen.Current.Model
	}
	if model == "listed" {
		model = "" // FROM says so already
	}
	mstyle := base
	if model == "" && r.missing != "" {
		model, mstyle = "⚠ not on the server", st.Warn.Inherit(base)
	}
	digest := r.info.Digest
	if digest == "" && r.seen != nil {
		digest = r.seen.Current.Digest
	}
	last, lstyle := "never run", st.Muted
	switch {
	case r.seen != nil:
		last = "run " + ago(m.sh.now(), r.seen.Current.Last)
		if r.seen.Current.Last.IsZero() {
			last = "run " + r.seen.Current.RunID
		}
	case r.fail != nil:
		// Run, and every call failed: what one comes here to see.
		last, lstyle = "✗ "+itoa(r.fail.Failed)+" failed, none ok", st.Error
		if !withLast {
			label = "✗ " + label
		}
	}
	if _, short := r.changed(); short != "" {
		last, lstyle = "⚠ "+short, st.Warn
		if !withLast {
			label = "⚠ " + label
		}
	}
	return modelsCells{label: oneLine(label), model: oneLine(model), digest: shortDigest(digest), last: last,
		mstyle: mstyle, lstyle: lstyle}
}

func (m modelsModel) targetsView() string {
	st := m.sh.styles()
	c := m.cols()
	cell := func(s string, w int) string {
		if w <= 0 {
			return ""
		}
		return pad(s, w) + " "
	}
	// The room MODEL and DIGEST leave unused (hosted models without
	// their key list nothing there) goes to the targets' names, so that
	// they read whole; each column keeps at least its heading.
	cells := make([]modelsCells, len(m.rows))
	longLabel, longModel, longDigest := 0, lipgloss.Width("MODEL"), lipgloss.Width("DIGEST")
	for i, r := range m.rows {
		if r.issue != "" {
			continue
		}
		cells[i] = m.cells(r, st.Row, c.last > 0)
		longLabel = max(longLabel, lipgloss.Width(cells[i].label))
		longModel = max(longModel, lipgloss.Width(cells[i].model))
		longDigest = max(longDigest, lipgloss.Width(cells[i].digest))
	}
	if need := longLabel - c.label; need > 0 {
		give := clamp(c.model-longModel, 0, need)
		c.model, c.label, need = c.model-give, c.label+give, need-give
		give = clamp(c.digest-longDigest, 0, need)
		c.digest, c.label = c.digest-give, c.label+give
	}
	head := "  " + cell("TARGET", c.label) + cell("FROM", c.source) + cell("MODEL", c.model) + cell("DIGEST", c.digest) + cell("LAST RUN", c.last)
	lines := []string{st.Header.Render(pad(head, m.w))}
	if len(m.rows) == 0 {
		lines = append(lines, st.Muted.Render(trunc("  Nothing to run: add providers in the config (whet config init), or start Ollama.", m.w)))
	}
	end := min(len(m.rows), m.offset+m.listRows())
	for i := m.offset; i < end; i++ {
		r := m.rows[i]
		base := st.Row
		if i == m.cursor {
			base = st.RowSelected
		}
		marker := base.Render("  ")
		if i == m.cursor {
			marker = st.Cursor.Inherit(base).Render("▌ ")
		}
		var line string
		if r.issue != "" {
			line = marker + st.Error.Inherit(base).Render(cell(oneLine(r.label), c.label)) +
				st.Error.Inherit(base).Render(oneLine(r.issue))
		} else {
			x := m.cells(r, base, c.last > 0)
			line = marker + base.Render(cell(x.label, c.label)) +
				st.Muted.Inherit(base).Render(cell(r.source, c.source)) +
				x.mstyle.Render(cell(x.model, c.model)) +
				st.Muted.Inherit(base).Render(cell(x.digest, c.digest)) +
				x.lstyle.Inherit(base).Render(cell(x.last, c.last))
		}
		if gap := m.w - lipgloss.Width(line); gap > 0 {
			line += base.Render(strings.Repeat(" ", gap))
		}
		lines = append(lines, trunc(line, m.w))
	}
	// The details take the lines the list leaves free, and at least
	// modelsDetailRows.
	rows := max(modelsDetailRows, m.h-modelsTop-(len(lines)-1)-1)
	return strings.Join(lines, "\n") + "\n" + m.detailView(rows)
}

// detailView describes the selected target in at most rows lines: its
// provider, its price and what the store recorded of its model.
func (m modelsModel) detailView(rows int) string {
	st := m.sh.styles()
	rule := st.Muted.Render(strings.Repeat("─", max(0, m.w)))
	var items []detailItem
	add := func(s string, style func(...string) string) {
		items = append(items, detailItem{oneLine(s), style})
	}
	r, ok := m.selected()
	if !ok {
		return rule
	}
	now := m.sh.now()
	if r.issue != "" {
		add(r.label+": "+r.issue, st.Error.Render)
		return rule + "\n" + detailLines(items, m.w, rows)
	}
	t, err := m.targets.Resolve(r.spec)
	if err != nil {
		add(r.spec+": "+err.Error(), st.Error.Render)
		return rule + "\n" + detailLines(items, m.w, rows)
	}
	prov := "provider " + t.Provider
	var ps runner.ProviderStatus
	for _, p := range m.providers {
		if p.Name == t.Provider {
			ps = p
			prov += " (" + p.Type + ")"
			if p.BaseURL != "" {
				prov += " at " + p.BaseURL
			}
			if p.Key != "" {
				prov += " · " + p.Key
			}
		}
	}
	add(t.Spec+" · "+prov, st.Base.Render)
	price := "price unknown: cost is not counted (set providers." + t.Provider + ".prices in the config)"
	if pr, ok := m.targets.Price(t); ok {
		if pr.Input == 0 && pr.Output == 0 {
			price = freeText(t, ps)
		} else {
			price = "$" + trimFloat(pr.Input) + " in · $" + trimFloat(pr.Output) + " out per 1M tokens"
		}
	}
	if r.info.Family != "" {
		price = "family " + r.info.Family + " · " + price
	}
	add(price, st.Muted.Render)
	if r.missing != "" {
		add("⚠ "+r.missing, st.Warn.Render)
	}
	switch {
	case m.seenErr != "":
		add("earlier runs: "+m.seenErr, st.Error.Render)
	case r.seen == nil && r.fail != nil:
		add("✗ every call failed ("+itoa(r.fail.Failed)+"), so no model identity was recorded; the last, in run "+r.fail.RunID+failedWhen(now, r.fail)+": "+r.fail.Error, st.Error.Render)
	case r.seen == nil:
		add("no run has used it yet", st.Muted.Render)
	default:
		cur := r.seen.Current
		add("last run "+cur.RunID+" reported "+identityText(cur)+" · "+plural(cur.Cells, "result")+" with it", st.Muted.Render)
		switch why, _ := r.changed(); {
		case why == "":
		case r.seen.Drift(r.info.Digest) == store.DriftDigest:
			now := store.ModelIdentity{Model: r.info.Name, Digest: r.info.Digest}
			add("⚠ the server now has "+identityText(now)+": whet drift "+cur.RunID+" re-runs that run and shows what moved", st.Warn.Render)
		default:
			prev := *r.seen.Previous
			add("⚠ "+prev.RunID+" used "+identityText(prev)+": whet drift "+prev.RunID+" --against "+cur.RunID+" shows what moved", st.Warn.Render)
		}
		if f := r.fail; f != nil {
			add(plural(f.Failed, "call")+" failed; the last, in run "+f.RunID+failedWhen(now, f)+": "+f.Error, st.Warn.Render)
		}
	}
	return rule + "\n" + detailLines(items, m.w, rows)
}

// failedWhen is " (2h ago)" for a failed call whose start was recorded.
func failedWhen(now time.Time, f *store.TargetFailures) string {
	if f.Last.IsZero() {
		return ""
	}
	return " (" + ago(now, f.Last) + ")"
}

// detailItem is one line of text in a details pane, with its style.
type detailItem struct {
	text  string
	style func(...string) string
}

// detailLines lays items out in at most rows lines of w cells, each line
// indented by one: an item that does not fit on its line wraps onto the
// lines the items after it leave free, so that an error or a command is
// read whole where there is room, and is cut with "…" only where there
// is none.
func detailLines(items []detailItem, w, rows int) string {
	var out []string
	for i, it := range items {
		room := rows - len(out) - (len(items) - i - 1)
		if room <= 0 {
			break
		}
		wrapped := strings.Split(wrapLine(it.text, max(1, w-1)), "\n")
		for j, l := range wrapped {
			wrapped[j] = strings.TrimRight(l, " ")
		}
		if len(wrapped) > room {
			// The last line that fits takes the rest of the text, cut.
			rest := strings.Join(wrapped[room-1:], " ")
			wrapped = append(wrapped[:room-1], rest)
		}
		for _, l := range wrapped {
			out = append(out, trunc(it.style(" "+l), w))
		}
	}
	return strings.Join(out, "\n")
}

// identityText is a model identity in a few words: "llama3.2 @ a80c4f17acd5".
func identityText(id store.ModelIdentity) string {
	s := id.Model
	if id.Digest != "" {
		s = strings.TrimSpace(s + " @ " + shortDigest(id.Digest))
	}
	if s == "" {
		return "no identity"
	}
	return s
}

// trimFloat renders a price without trailing zeros: 0.15, 2.5, 10.
func trimFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func (m modelsModel) providersView() string {
	st := m.sh.styles()
	nameW, typeW, keyW, concW := 12, 9, 24, 4
	urlW := max(12, m.w-2-nameW-typeW-keyW-concW-5)
	cell := func(s string, w int) string { return pad(s, w) + " " }
	head := "  " + cell("PROVIDER", nameW) + cell("TYPE", typeW) + cell("URL", urlW) + cell("KEY", keyW) + cell("CONC", concW)
	lines := []string{st.Header.Render(pad(head, m.w))}
	end := min(len(m.providers), m.poffset+m.listRows())
	for i := m.poffset; i < end; i++ {
		p := m.providers[i]
		base := st.Row
		if i == m.pcursor {
			base = st.RowSelected
		}
		marker := base.Render("  ")
		if i == m.pcursor {
			marker = st.Cursor.Inherit(base).Render("▌ ")
		}
		kstyle := st.Muted
		if !p.KeyOK {
			kstyle = st.Warn
		}
		line := marker + base.Render(cell(oneLine(p.Name), nameW)) + st.Muted.Inherit(base).Render(cell(oneLine(p.Type), typeW))
		if p.Problem != "" {
			line += st.Error.Inherit(base).Render(oneLine(p.Problem))
		} else {
			line += base.Render(cell(oneLine(providerURL(p)), urlW)) + kstyle.Inherit(base).Render(cell(oneLine(providerKey(p)), keyW)) +
				st.Muted.Inherit(base).Render(cell(providerConc(p), concW))
		}
		if gap := m.w - lipgloss.Width(line); gap > 0 {
			line += base.Render(strings.Repeat(" ", gap))
		}
		lines = append(lines, trunc(line, m.w))
	}
	lines = append(lines, st.Muted.Render(strings.Repeat("─", max(0, m.w))))
	p, ok := m.selectedProvider()
	if !ok {
		return strings.Join(lines, "\n")
	}
	add := func(s string, style func(...string) string) {
		lines = append(lines, trunc(style(" "+oneLine(s)), m.w))
	}
	if p.Problem != "" {
		add(p.Name+": "+p.Problem, st.Error.Render)
		return strings.Join(lines, "\n")
	}
	add(p.Name+" ("+p.Type+") · "+providerURL(p), st.Base.Render)
	if p.KeyOK {
		add("key: "+providerKey(p), st.Muted.Render)
	} else {
		add("key: "+providerKey(p)+" (or providers."+p.Name+".api_key_env / api_key_cmd in the config)", st.Warn.Render)
	}
	limit := "no limit on calls at once"
	if p.Concurrency > 0 {
		limit = "at most " + plural(p.Concurrency, "call") + " at once"
	}
	add(limit+" · "+arenaDur(p.Timeout)+" per call · keys are read at call time, never stored", st.Muted.Render)
	return strings.Join(lines, "\n")
}

func providerURL(p runner.ProviderStatus) string {
	if p.BaseURL == "" {
		return "none" // echo answers in process
	}
	return p.BaseURL
}

func providerKey(p runner.ProviderStatus) string {
	if p.Key == "" {
		return "none needed"
	}
	return p.Key
}

func providerConc(p runner.ProviderStatus) string {
	if p.Concurrency <= 0 {
		return "∞"
	}
	return itoa(p.Concurrency)
}

func (m modelsModel) selectedProvider() (runner.ProviderStatus, bool) {
	if m.pcursor < 0 || m.pcursor >= len(m.providers) {
		return runner.ProviderStatus{}, false
	}
	return m.providers[m.pcursor], true
}

// freeText says why target t, priced at 0, costs nothing: echo calls no
// model; Ollama, and a server on this machine, run a local model; any
// other target is free because the config prices it so (a free tier), and
// is not called local.
func freeText(t runner.Target, p runner.ProviderStatus) string {
	typ := t.Type
	if typ == "" {
		typ = p.Type
	}
	switch {
	case typ == config.TypeEcho:
		return "free (echo calls no model)"
	case typ == config.TypeOllama:
		return "free (a local model)"
	case runner.LoopbackURL(p.BaseURL):
		return "free (a local model: its server is on this machine)"
	}
	return "free (priced 0 in the config)"
}
