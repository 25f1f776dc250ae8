package ui

import (
	"context"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"whet/prompt"
	"whet/store"
)

// inventoryRuns is how many recent runs the inventory reads to find each
// prompt's last targets.
const inventoryRuns = 1000

// inventoryLoadedMsg carries, per prompt name, the targets of the newest run
// that included it.
type inventoryLoadedMsg struct {
	id      int
	targets map[string][]string
	at      map[string]time.Time
	err     error
}

func (inventoryLoadedMsg) target() screenID { return screenLibrary }

// inventoryModel groups the library by team and owner and lists the targets
// each prompt was last run on. It is part of the library screen (key i).
type inventoryModel struct {
	sh      *shared
	w, h    int
	prompts []prompt.Prompt
	targets map[string][]string
	at      map[string]time.Time
	loaded  bool
	err     string
	req     int
	off     int
	nav     navKeys
	lay     *invLayout // the rows, rebuilt by relayout
}

func newInventory(sh *shared) inventoryModel { return inventoryModel{sh: sh, nav: newNavKeys()} }

func (m inventoryModel) setSize(w, h int) inventoryModel {
	m.w, m.h = w, h
	return m.relayout()
}

func (m inventoryModel) setPrompts(ps []prompt.Prompt) inventoryModel {
	m.prompts = ps
	return m.relayout()
}

// open (re)loads the runs.
func (m inventoryModel) open() (inventoryModel, tea.Cmd) {
	m.req++
	m.off = 0
	id := m.req
	return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		runs, err := st.ListRuns(ctx, store.RunFilter{Limit: inventoryRuns, Brief: true})
		msg := inventoryLoadedMsg{id: id, targets: map[string][]string{}, at: map[string]time.Time{}, err: err}
		for _, r := range runs { // newest first: the first seen is the last run
			for _, v := range r.Run.Versions {
				if _, seen := msg.targets[v.Prompt]; !seen {
					msg.targets[v.Prompt] = append([]string(nil), r.Run.Targets...)
					msg.at[v.Prompt] = r.Run.Created
				}
			}
		}
		return msg
	})
}

func (m inventoryModel) Update(msg tea.Msg) (inventoryModel, tea.Cmd) {
	switch msg := msg.(type) {
	case inventoryLoadedMsg:
		if msg.id != m.req {
			return m, nil
		}
		m.loaded = true
		m.err = ""
		if msg.err != nil {
			m.err = m.sh.errText(msg.err)
		}
		m.targets, m.at = msg.targets, msg.at
		m = m.relayout()
	case tea.KeyPressMsg:
		lines := len(m.layout().rows)
		if off, ok := m.nav.move(msg, m.off, max(1, lines-m.h+1), m.h-1); ok {
			m.off = off
		}
	}
	return m, nil
}

func (m inventoryModel) scroll(b tea.MouseButton) inventoryModel {
	switch b {
	case tea.MouseWheelDown:
		m.off = clamp(m.off+1, 0, max(0, len(m.layout().rows)-m.h))
	case tea.MouseWheelUp:
		m.off = max(0, m.off-1)
	}
	return m
}

// Inventory rows: what each line of the inventory shows, decided once per
// change of the prompts, the runs read or the width (relayout), so that a
// frame renders only the lines in view and a key press costs the same with
// 3,000 prompts as with 30.
const (
	invBlank = iota
	invTeam
	invOwner
	invPrompt
	invError
	invReading
	invEmpty
)

type invRow struct {
	kind  int
	label string // the team or owner, or the error
	count int    // an owner's prompts
	p     *prompt.Prompt
}

type invLayout struct {
	rows              []invRow
	nameW, verW, tagW int
}

// layout is the inventory's rows, as relayout left them.
func (m inventoryModel) layout() *invLayout {
	if m.lay == nil {
		return m.build()
	}
	return m.lay
}

// relayout rebuilds the rows after the prompts, the runs or the size changed.
func (m inventoryModel) relayout() inventoryModel {
	m.lay = m.build()
	return m
}

// tagsOf is p's protected tags (production) and the version each points
// at: what is live, beside the latest version.
func (m inventoryModel) tagsOf(p prompt.Prompt) string {
	var parts []string
	for _, t := range m.sh.protected {
		if n, ok := p.Tags[t]; ok {
			parts = append(parts, t+"@"+itoa(n))
		}
	}
	return oneLine(strings.Join(parts, " "))
}

func (m inventoryModel) build() *invLayout {
	type group struct{ team, owner string }
	groups := map[group][]int{}
	for i, p := range m.prompts {
		g := group{team: p.Labels["team"], owner: p.Labels["owner"]}
		groups[g] = append(groups[g], i)
	}
	keys := make([]group, 0, len(groups))
	for g := range groups {
		keys = append(keys, g)
	}
	// Named teams and owners first, alphabetically; "no team" last.
	less := func(a, b string) bool {
		if (a == "") != (b == "") {
			return a != ""
		}
		return strings.ToLower(a) < strings.ToLower(b)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].team != keys[j].team {
			return less(keys[i].team, keys[j].team)
		}
		return less(keys[i].owner, keys[j].owner)
	})
	// Columns: the prompt's name, its latest version, its protected tags
	// (production@N), the targets of its last run and when. Names, owners
	// and teams are cut to fit with "…", never the counts or times after
	// them. No tags column when no prompt has one.
	lay := &invLayout{nameW: 12, verW: 4}
	for _, p := range m.prompts {
		lay.nameW = max(lay.nameW, ansi.StringWidth(p.Name))
		lay.verW = max(lay.verW, len(itoa(p.Latest))+1)
		lay.tagW = max(lay.tagW, ansi.StringWidth(m.tagsOf(p)))
	}
	lay.nameW = min(lay.nameW, max(12, m.w*2/5)) // classify/sentiment-few-shot whole at 80 columns
	lay.tagW = min(lay.tagW, max(10, m.w/5))
	rows := []invRow{}
	if m.err != "" {
		rows = append(rows, invRow{kind: invError, label: m.err})
	} else if !m.loaded {
		rows = append(rows, invRow{kind: invReading})
	}
	lastTeam := "\x00"
	for _, g := range keys {
		if g.team != lastTeam {
			if len(rows) > 0 {
				rows = append(rows, invRow{kind: invBlank})
			}
			rows = append(rows, invRow{kind: invTeam, label: g.team})
			lastTeam = g.team
		}
		ps := groups[g]
		rows = append(rows, invRow{kind: invOwner, label: g.owner, count: len(ps)})
		for _, i := range ps {
			rows = append(rows, invRow{kind: invPrompt, p: &m.prompts[i]})
		}
	}
	if len(m.prompts) == 0 {
		rows = append(rows, invRow{kind: invEmpty})
	}
	lay.rows = rows
	return lay
}

// line renders one row.
func (m inventoryModel) line(lay *invLayout, r invRow) string {
	st := m.sh.styles()
	switch r.kind {
	case invError:
		return st.Error.Render(trunc("could not read runs: "+oneLine(r.label), m.w))
	case invReading:
		return st.Muted.Render("reading runs…")
	case invEmpty:
		return st.Muted.Render("no prompts")
	case invTeam:
		team := oneLine(r.label)
		if team == "" {
			team = "no team"
		}
		return st.Title.Render(trunc("team "+team, m.w))
	case invOwner:
		owner := oneLine(r.label)
		if owner == "" {
			owner = "no owner"
		}
		count := " · " + plural(r.count, "prompt")
		owner = trunc(owner, max(1, m.w-len("  owner ")-ansi.StringWidth(count)))
		return trunc("  "+st.Header.Render("owner "+owner)+st.Muted.Render(count), m.w)
	case invPrompt:
		p := *r.p
		head := "    " + pad(st.Base.Render(p.Name), lay.nameW) + " " + st.Muted.Render(pad("v"+itoa(p.Latest), lay.verW)) + " "
		if lay.tagW > 0 {
			head += pad(st.Tag.Render(trunc(m.tagsOf(p), lay.tagW)), lay.tagW) + " "
		}
		room := m.w - ansi.StringWidth(head)
		targets := st.Muted.Render("never run")
		if ts, ok := m.targets[p.Name]; ok {
			when := " · " + ago(m.sh.now(), m.at[p.Name])
			targets = st.Base.Render(trunc(oneLine(strings.Join(ts, ", ")), max(1, room-ansi.StringWidth(when)))) + st.Muted.Render(when)
		}
		return trunc(head+targets, m.w)
	}
	return ""
}

// View renders the window of rows in view.
func (m inventoryModel) View() string {
	lay := m.layout()
	rows := lay.rows
	off := clamp(m.off, 0, max(0, len(rows)-m.h))
	rows = rows[off:]
	if len(rows) > m.h {
		rows = rows[:m.h]
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = m.line(lay, r)
	}
	return strings.Join(out, "\n")
}
