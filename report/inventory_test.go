package report

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"whet/prompt"
)

func TestInventoryOrderAndCells(t *testing.T) {
	at := time.Date(2026, 3, 4, 23, 0, 0, 0, time.UTC)
	p := func(name, team, owner, desc string) prompt.Prompt {
		l := prompt.Labels{"purpose": "reply"}
		if team != "" {
			l["team"] = team
		}
		if owner != "" {
			l["owner"] = owner
		}
		return prompt.Prompt{Name: name, Labels: l, Description: desc, Latest: 2, Tags: map[string]int{"production": 1, "beta": 2}, UpdatedAt: at}
	}
	var b bytes.Buffer
	err := Inventory(&b, []prompt.Prompt{
		p("z/none", "", "", ""),
		p("s/b", "support", "", strings.Repeat("long words\n", 40)),
		p("s/a", "support", "zoe", "a *b*"),
		p("l/x", "Legal", "ana", ""),
	})
	if err != nil {
		t.Fatal(err)
	}
	out := b.String()
	order := []string{"## Team Legal (1)", "`l/x`", "## Team support (2)", "`s/a`", "`s/b`", "## No team (1)", "`z/none`"}
	last := -1
	for _, s := range order {
		i := strings.Index(out, s)
		if i <= last {
			t.Fatalf("%q missing or out of order in\n%s", s, out)
		}
		last = i
	}
	for _, want := range []string{
		"4 prompts · 2 teams · 2 without an owner",
		"| `s/a` | zoe | @2 | beta@2 production@1 | purpose=reply | a \\*b\\* | 2026-03-04 |",
		"| `s/b` | *no owner* |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	// A long description is cut to one line with an ellipsis.
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| `s/b`") && (!strings.Contains(line, "…") || len([]rune(line)) > 220) {
			t.Errorf("long description not cut: %q", line)
		}
	}
}

// The inventory reads on GitHub as written, whatever names, labels and
// descriptions hold: no raw HTML, no links, every row the header's cells.
func TestInventoryOnGitHub(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var ps []prompt.Prompt
	for i := range 20 {
		ps = append(ps, prompt.Prompt{
			Name:        "team/p" + strconv.Itoa(i),
			Description: randomText(rng),
			Labels:      prompt.Labels{"team": randomText(rng), "owner": randomText(rng), "purpose": randomText(rng)},
			Latest:      1,
			Tags:        map[string]int{"production": 1},
		})
	}
	var b bytes.Buffer
	if err := Inventory(&b, ps); err != nil {
		t.Fatal(err)
	}
	checkCmark(t, "inventory.md", b.String())
}
