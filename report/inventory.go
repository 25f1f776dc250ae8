package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"whet/prompt"
)

// inventoryDescChars is how much of a prompt's description the inventory
// shows: a table cell of a page is read at a glance; `whet prompt show`
// has the rest.
const inventoryDescChars = 120

// Inventory writes prompts as a Markdown page a team lead pastes into a
// wiki or a pull request (`whet prompt list --format md`): a line of
// counts (prompts, teams, prompts without an owner), then one section per
// team label, named teams alphabetically and the prompts without a team
// last, each a table of the prompts sorted by owner (no owner last) and
// name, with the latest version, the tags and the version each points at,
// the other labels, the start of the description and the day of the last
// change (UTC). Every text from the library is escaped, so a label or a
// description reads as typed whatever it holds.
func Inventory(w io.Writer, ps []prompt.Prompt) error {
	byTeam := map[string][]prompt.Prompt{}
	unowned := 0
	for _, p := range ps {
		team := strings.TrimSpace(p.Labels["team"])
		byTeam[team] = append(byTeam[team], p)
		if strings.TrimSpace(p.Labels["owner"]) == "" {
			unowned++
		}
	}
	teams := make([]string, 0, len(byTeam))
	named := 0
	for t := range byTeam {
		teams = append(teams, t)
		if t != "" {
			named++
		}
	}
	sort.Slice(teams, func(i, j int) bool { return namedFirst(teams[i], teams[j]) })

	var m mdWriter
	m.para("# Prompt inventory")
	m.para(plural(len(ps), "prompt", "prompts"), " · ", plural(named, "team", "teams"), " · ", fmtInt(unowned), " without an owner")
	for _, team := range teams {
		list := byTeam[team]
		sort.SliceStable(list, func(i, j int) bool {
			a, b := strings.TrimSpace(list[i].Labels["owner"]), strings.TrimSpace(list[j].Labels["owner"])
			if !strings.EqualFold(a, b) {
				return namedFirst(a, b)
			}
			return strings.ToLower(list[i].Name) < strings.ToLower(list[j].Name)
		})
		title := "No team"
		if team != "" {
			title = "Team " + mdText(team)
		}
		m.para("## ", title, " (", fmtInt(len(list)), ")")
		rows := make([][]string, 0, len(list))
		for _, p := range list {
			name := mdCode(p.Name, true)
			if p.Archived {
				name += " (archived)"
			}
			owner := mdText(p.Labels["owner"])
			if owner == "" {
				owner = "*no owner*"
			}
			rest := prompt.Labels{}
			for k, v := range p.Labels {
				if k != "team" && k != "owner" {
					rest[k] = v
				}
			}
			rows = append(rows, []string{name, owner, "@" + fmtInt(p.Latest),
				orDash(mdText(inventoryTags(p.Tags))), orDash(mdText(rest.String())),
				orDash(mdText(cutRunes(strings.Join(strings.Fields(p.Description), " "), inventoryDescChars))),
				p.UpdatedAt.UTC().Format("2006-01-02")})
		}
		m.table([]string{"prompt", "owner", "latest", "tags", "labels", "description", "updated"}, "", rows)
	}
	return m.writeTo(w)
}

// namedFirst orders names alphabetically ignoring case, the empty name last.
func namedFirst(a, b string) bool {
	if (a == "") != (b == "") {
		return a != ""
	}
	return strings.ToLower(a) < strings.ToLower(b)
}

// inventoryTags lists tags as tag@version, alphabetically.
func inventoryTags(tags map[string]int) string {
	parts := make([]string, 0, len(tags))
	for _, t := range prompt.SortedKeys(tags) {
		parts = append(parts, fmt.Sprintf("%s@%d", t, tags[t]))
	}
	return strings.Join(parts, " ")
}

// cutRunes keeps the first n characters of s, ending it with "…" when cut.
func cutRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
