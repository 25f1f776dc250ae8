package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"whet/prompt"
	"whet/store"
)

// manyPrompts is n prompts spread over 15 teams and 60 owners, each with a
// production tag, as a library a year old holds them.
func manyPrompts(n int) []prompt.Prompt {
	ps := make([]prompt.Prompt, n)
	for i := range ps {
		ps[i] = prompt.Prompt{
			Name:   fmt.Sprintf("team%02d/area/prompt-%04d", i%15, i),
			Labels: prompt.Labels{"team": fmt.Sprintf("team%02d", i%15), "owner": fmt.Sprintf("user%02d", i%60)},
			Latest: 1 + i%40, Tags: map[string]int{"production": 1 + i%7},
		}
	}
	return ps
}

// newInventoryOf is an inventory of ps at w×h, its runs read (none).
func newInventoryOf(ps []prompt.Prompt, w, h int) inventoryModel {
	m := New(Deps{Store: nil, Author: "t", ProtectedTags: []string{"production"}, Theme: "dark", Now: fixedNow}).(Model)
	inv := newInventory(m.sh).setSize(w, h).setPrompts(ps)
	inv, _ = inv.Update(inventoryLoadedMsg{id: inv.req})
	return inv
}

func fixedNow() time.Time { return testNow }

// TestInventoryPagesThroughEveryPrompt: paging down from the top to the
// end of a large inventory shows every prompt once, each under its team
// and owner, and the end shows the last one; keys move the window without
// laying the inventory out again.
func TestInventoryPagesThroughEveryPrompt(t *testing.T) {
	ps := manyPrompts(600)
	inv := newInventoryOf(ps, 100, 20)
	lay := inv.lay
	seen := map[string]int{}
	team, owner := "", ""
	var prev string
	done := -1
	for page := 0; page < 1000; page++ {
		view := ansi.Strip(inv.View())
		lines := strings.Split(view, "\n")
		if len(lines) != 20 {
			t.Fatalf("page %d shows %d lines", page, len(lines))
		}
		if view == prev {
			break
		}
		// Each line once, though pages overlap.
		off := clamp(inv.off, 0, len(inv.lay.rows)-20)
		for j, l := range lines {
			if off+j <= done {
				continue
			}
			done = off + j
			switch {
			case strings.HasPrefix(l, "team "):
				team = strings.TrimPrefix(l, "team ")
			case strings.HasPrefix(l, "  owner "):
				owner = strings.Fields(l)[1]
			case strings.HasPrefix(l, "    "):
				name := strings.Fields(l)[0]
				seen[name]++
				if !strings.HasPrefix(name, team+"/") {
					t.Errorf("%s listed under team %s", name, team)
				}
				var i int
				fmt.Sscanf(name[strings.LastIndex(name, "-")+1:], "%d", &i)
				if want := fmt.Sprintf("user%02d", i%60); owner != want {
					t.Errorf("%s listed under owner %s, want %s", name, owner, want)
				}
			}
		}
		prev = view
		inv, _ = inv.Update(keyPress("pgdown"))
	}
	for _, p := range ps {
		if seen[p.Name] != 1 {
			t.Errorf("%s shown %d times", p.Name, seen[p.Name])
		}
	}
	inv, _ = inv.Update(keyPress("end"))
	lines := strings.Split(ansi.Strip(inv.View()), "\n")
	if last := lines[len(lines)-1]; !strings.Contains(last, "team14/area/prompt-0599") {
		t.Errorf("the end shows %q last", last)
	}
	if inv.lay != lay {
		t.Error("a key press laid the inventory out again")
	}
}

// BenchmarkInventoryPage measures one page down in the inventory and the
// frame drawn after it, over 3,000 prompts. Budget: one frame (16ms).
func BenchmarkInventoryPage(b *testing.B) {
	inv := newInventoryOf(manyPrompts(3000), 120, 38)
	keys := []tea.KeyPressMsg{keyPress("pgdown"), keyPress("pgup")}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		inv, _ = inv.Update(keys[i%2])
		_ = inv.View()
	}
}

// TestInventoryFollowsTheFilter: the inventory lists the prompts the
// library's filter and facets leave, and its bar says what narrows it.
func TestInventoryFollowsTheFilter(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	for _, p := range []struct{ name, team, owner string }{
		{"ops/deploy", "ops", "ana"}, {"ops/pager", "ops", "bob"}, {"dev/coder", "dev", "ana"},
	} {
		if _, err := st.CreatePrompt(ctx, store.NewPrompt{Name: p.name, Labels: prompt.Labels{"team": p.team, "owner": p.owner}}, storeNewVersion("x")); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, fixedTimeStore{st}, 100, 20)
	h.key("/")
	h.typ("team=ops")
	h.key("enter", "i")
	h.mustSee("Inventory", "/ team=ops", "2 of 3", "team ops", "ops/deploy", "ops/pager")
	h.mustNotSee("team dev", "dev/coder")
	h.key("esc", "esc", "f")                    // back to the list, clear the filter, facets
	h.key("tab", "tab", "tab", "down", "enter") // owner=bob
	if len(h.m.library.facets) != 1 {
		t.Fatalf("facets: %v", h.m.library.facets)
	}
	h.key("i")
	h.mustSee("Inventory", "owner=bob", "team ops", "ops/pager")
	h.mustNotSee("ops/deploy", "dev/coder")
	h.key("esc", "F", "i")
	h.mustSee("ops/deploy", "ops/pager", "dev/coder")
}

// At 80 columns a prompt's name of 27 characters (the starter library's
// classify/sentiment-few-shot) reads whole, with its version and last run
// after it.
func TestInventoryNamesReadWholeAt80(t *testing.T) {
	ps := []prompt.Prompt{{Name: "classify/sentiment-few-shot", Latest: 1, Labels: map[string]string{"team": "insights", "owner": "starter"}}}
	view := ansi.Strip(newInventoryOf(ps, 80, 20).View())
	if !strings.Contains(view, "classify/sentiment-few-shot v1") {
		t.Fatalf("the name is cut:\n%s", view)
	}
}
