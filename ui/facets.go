package ui

import (
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"whet/prompt"
)

// facetDialog picks label filters for the library, one label key (facet)
// at a time: f or tab cycles the facet (purpose, tone, audience, team,
// owner, then any other key in use), j/k choose a value, enter toggles it.
// Each facet ends with the prompts that lack its label ("(no owner)"),
// the empty value, which such a prompt matches.
type facetDialog struct {
	answerer
	keys    []string
	values  map[string][]facetValue
	active  map[string]string // the library's current facet filters
	current int
	cursor  int
	nav     navKeys
}

type facetValue struct {
	value string
	count int
}

// newFacetDialog counts the label values of ps.
func newFacetDialog(ps []prompt.Prompt, active map[string]string) *facetDialog {
	counts := map[string]map[string]int{}
	for _, p := range ps {
		for k, v := range p.Labels {
			if counts[k] == nil {
				counts[k] = map[string]int{}
			}
			counts[k][v]++
		}
	}
	d := &facetDialog{values: map[string][]facetValue{}, active: active, nav: newNavKeys()}
	for _, k := range prompt.TaxonomyKeys {
		if counts[k] != nil {
			d.keys = append(d.keys, k)
		}
	}
	for _, k := range prompt.SortedKeys(counts) {
		if !isTaxonomy(k) {
			d.keys = append(d.keys, k)
		}
	}
	for k, vs := range counts {
		for v, n := range vs {
			d.values[k] = append(d.values[k], facetValue{value: v, count: n})
		}
		sort.Slice(d.values[k], func(i, j int) bool {
			a, b := d.values[k][i], d.values[k][j]
			if a.count != b.count {
				return a.count > b.count
			}
			return strings.ToLower(a.value) < strings.ToLower(b.value)
		})
		// Last, the prompts without the label ("no owner"): the empty
		// value, which a prompt lacking the key matches.
		n := len(ps)
		for _, c := range vs {
			n -= c
		}
		if n > 0 {
			d.values[k] = append(d.values[k], facetValue{value: "", count: n})
		}
	}
	return d
}

// facetText is how a facet filter reads: key=value, or "no KEY" for the
// prompts without the label.
func facetText(k, v string) string {
	if v == "" {
		return "no " + k
	}
	return k + "=" + v
}

func isTaxonomy(k string) bool {
	for _, t := range prompt.TaxonomyKeys {
		if t == k {
			return true
		}
	}
	return false
}

func (d *facetDialog) key() string {
	if len(d.keys) == 0 {
		return ""
	}
	return d.keys[d.current]
}

func (d *facetDialog) cycle(by int) {
	if len(d.keys) == 0 {
		return
	}
	d.current = (d.current + by + len(d.keys)) % len(d.keys)
	d.cursor = 0
}

func (d *facetDialog) update(msg tea.Msg) (bool, tea.Cmd) {
	vals := d.values[d.key()]
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelDown:
			d.cursor = clamp(d.cursor+1, 0, len(vals)-1)
		case tea.MouseWheelUp:
			d.cursor = clamp(d.cursor-1, 0, len(vals)-1)
		}
	case tea.KeyPressMsg:
		if c, ok := d.nav.move(msg, d.cursor, len(vals), 8); ok {
			d.cursor = c
			return false, nil
		}
		switch msg.String() {
		case "f", "tab", "right", "l":
			d.cycle(1)
		case "shift+tab", "left", "h":
			d.cycle(-1)
		case "enter", "space":
			if len(vals) == 0 {
				return true, nil
			}
			return true, d.answer(facetMsg{key: d.key(), value: vals[d.cursor].value})
		case "x":
			return true, d.answer(facetMsg{clear: true})
		case "esc", "q":
			return true, nil
		}
	}
	return false, nil
}

func (d *facetDialog) view(sh *shared, w, h int) string {
	st := sh.styles()
	dw := dialogWidth(w, 56)
	inner := dw - st.Dialog.GetHorizontalFrameSize()
	var tabs []string
	for i, k := range d.keys {
		label := k
		if v, ok := d.active[k]; ok {
			label = oneLine(facetText(k, v))
		}
		if i == d.current {
			tabs = append(tabs, st.TabActive.Render(label))
		} else {
			tabs = append(tabs, st.TabInactive.Render(label))
		}
	}
	lines := []string{trunc(strings.Join(tabs, ""), inner), ""}
	vals := d.values[d.key()]
	rows := clamp(h-10, 3, 12)
	off := clamp(d.cursor-rows+1, 0, max(0, len(vals)-rows))
	for i := off; i < len(vals) && i < off+rows; i++ {
		v := vals[i]
		mark := "  "
		if a, ok := d.active[d.key()]; ok && strings.EqualFold(a, v.value) {
			mark = "✓ "
		}
		value := oneLine(v.value)
		if v.value == "" {
			value = "(no " + d.key() + ")"
		}
		text := pad(mark+value, inner-6) + pad(itoa(v.count), 6)
		if i == d.cursor {
			lines = append(lines, st.RowSelected.Render(pad(text, inner)))
		} else {
			lines = append(lines, st.Base.Render(pad(mark+value, inner-6))+st.Muted.Render(pad(itoa(v.count), 6)))
		}
	}
	if len(d.keys) == 0 {
		lines = append(lines, st.Muted.Render("no prompt has labels yet"))
	}
	return frameDialog(sh, "Filter by label", strings.Join(lines, "\n"), "f/tab next label · enter toggle · x clear all · esc close", dw)
}
