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
}

func newInventory(sh *shared) inventoryModel { return inventoryModel{sh: sh, nav: newNavKeys()} }

func (m inventoryModel) setSize(w, h int) inventoryModel {
	m.w, m.h = w, h
	return m
}

func (m inventoryModel) setPrompts(ps []prompt.Prompt) inventoryModel {
	m.prompts = ps
	return m
}

// open (re)loads the runs.
func (m inventoryModel) open() (inventoryModel, tea.Cmd) {
	m.req++
	m.off = 0
	id := m.req
	return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		runs, err := st.ListRuns(ctx, store.RunFilter{Limit: inventoryRuns})
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
			m.err = msg.err.Error()
		}
		m.targets, m.at = msg.targets, msg.at
	case tea.KeyPressMsg:
		lines := len(m.lines())
		if off, ok := m.nav.move(msg, m.off, max(1, lines-m.h+1), m.h-1); ok {
			m.off = off
		}
	}
	return m, nil
}

func (m inventoryModel) scroll(b tea.MouseButton) inventoryModel {
	switch b {
	case tea.MouseWheelDown:
		m.off = clamp(m.off+1, 0, max(0, len(m.lines())-m.h))
	case tea.MouseWheelUp:
		m.off = max(0, m.off-1)
	}
	return m
}

// lines renders the whole inventory; View shows a window of it.
func (m inventoryModel) lines() []string {
	st := m.sh.styles()
	now := m.sh.now()
	type group struct{ team, owner string }
	groups := map[group][]prompt.Prompt{}
	for _, p := range m.prompts {
		g := group{team: p.Labels["team"], owner: p.Labels["owner"]}
		groups[g] = append(groups[g], p)
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
	// (production@N), the targets of its last run and when. Names, owners and teams are cut to fit with "…",
	// never the counts or times after them.
	nameW, verW := 12, 4
	for _, p := range m.prompts {
		nameW = max(nameW, ansi.StringWidth(p.Name))
		verW = max(verW, len(itoa(p.Latest))+1)
	}
	nameW = min(nameW, max(12, m.w/3))
	// The protected tags (production) and the version each points at: what
	// is live, beside the latest version. No column when no prompt has one.
	tagsOf := func(p prompt.Prompt) string {
		var parts []string
		for _, t := range m.sh.protected {
			if n, ok := p.Tags[t]; ok {
				parts = append(parts, t+"@"+itoa(n))
			}
		}
		return oneLine(strings.Join(parts, " "))
	}
	tagW := 0
	for _, p := range m.prompts {
		tagW = max(tagW, ansi.StringWidth(tagsOf(p)))
	}
	tagW = min(tagW, max(10, m.w/5))
	var out []string
	if m.err != "" {
		out = append(out, st.Error.Render(trunc("could not read runs: "+oneLine(m.err), m.w)))
	} else if !m.loaded {
		out = append(out, st.Muted.Render("reading runs…"))
	}
	lastTeam := "\x00"
	for _, g := range keys {
		if g.team != lastTeam {
			if len(out) > 0 {
				out = append(out, "")
			}
			team := oneLine(g.team)
			if team == "" {
				team = "no team"
			}
			out = append(out, st.Title.Render(trunc("team "+team, m.w)))
			lastTeam = g.team
		}
		owner := oneLine(g.owner)
		if owner == "" {
			owner = "no owner"
		}
		ps := groups[g]
		count := " · " + plural(len(ps), "prompt")
		owner = trunc(owner, max(1, m.w-len("  owner ")-ansi.StringWidth(count)))
		out = append(out, trunc("  "+st.Header.Render("owner "+owner)+st.Muted.Render(count), m.w))
		for _, p := range ps {
			head := "    " + pad(st.Base.Render(p.Name), nameW) + " " + st.Muted.Render(pad("v"+itoa(p.Latest), verW)) + " "
			if tagW > 0 {
				head += pad(st.Tag.Render(trunc(tagsOf(p), tagW)), tagW) + " "
			}
			room := m.w - ansi.StringWidth(head)
			targets := st.Muted.Render("never run")
			if ts, ok := m.targets[p.Name]; ok {
				when := " · " + ago(now, m.at[p.Name])
				targets = st.Base.Render(trunc(oneLine(strings.Join(ts, ", ")), max(1, room-ansi.StringWidth(when)))) + st.Muted.Render(when)
			}
			out = append(out, trunc(head+targets, m.w))
		}
	}
	if len(m.prompts) == 0 {
		out = append(out, st.Muted.Render("no prompts"))
	}
	return out
}

func (m inventoryModel) View() string {
	lines := m.lines()
	off := clamp(m.off, 0, max(0, len(lines)-m.h))
	lines = lines[off:]
	if len(lines) > m.h {
		lines = lines[:m.h]
	}
	return strings.Join(lines, "\n")
}
