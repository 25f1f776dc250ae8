package ui

import (
	"context"
	"image/color"
	"io/fs"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"whet/assets"
	"whet/prompt"
)

func TestWelcomeLoadsStarterLibrary(t *testing.T) {
	st := openStore(t)
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	h.mustSee("Welcome to whet", "load the starter library", "start with a new prompt")
	h.key("enter")
	if h.m.active != screenLibrary {
		t.Fatalf("after loading the starter library the screen is %v", h.m.active)
	}
	h.mustSee("loaded 10 starter prompts", "support/reply", "10 prompts")
	ctx := context.Background()
	p, err := st.GetPrompt(ctx, "support/reply")
	if err != nil {
		t.Fatal(err)
	}
	if p.Labels["team"] != "cx" || p.Defaults["company"] != "Acme Home" || p.Latest != 1 {
		t.Fatalf("imported support/reply: labels %v defaults %v latest %d", p.Labels, p.Defaults, p.Latest)
	}
	// Importing again skips what exists.
	msg := importStarter(ctx, st, starterFS(), "tester")
	if msg.err != nil || len(msg.imported) != 0 || len(msg.skipped) != 10 {
		t.Fatalf("second import: imported %v skipped %d err %v", msg.imported, len(msg.skipped), msg.err)
	}
}

func TestWelcomeKeys(t *testing.T) {
	st := openStore(t)
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	h.key("q")
	if !h.quit {
		t.Fatal("q on the welcome screen did not quit")
	}
	h = newHarness(t, fixedTimeStore{st}, 100, 30)
	h.key("n")
	if h.m.active != screenEditor || !h.m.editor.isNew {
		t.Fatal("n on the welcome screen did not start a new prompt")
	}
}

func TestTooSmall(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	for _, sz := range [][2]int{{59, 30}, {100, 19}, {40, 10}} {
		h := newHarness(t, fixedTimeStore{st}, sz[0], sz[1])
		h.mustSee("terminal too small", "60×20")
		h.mustNotSee("support/reply")
	}
	// The welcome screen fits the smallest size too.
	empty := newHarness(t, fixedTimeStore{openStore(t)}, 60, 20)
	empty.mustSee("Welcome to whet")
	assertFits(t, empty.screen(), 60, 20)
	// 60×20 is enough, and every line fits.
	h := newHarness(t, fixedTimeStore{st}, 60, 20)
	h.mustSee("support/reply", "NAME")
	assertFits(t, h.screen(), 60, 20)
}

// assertFits checks that a screen has exactly h lines of at most w cells.
func assertFits(t *testing.T, screen string, w, h int) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	if len(lines) != h {
		t.Fatalf("screen has %d lines; want %d:\n%s", len(lines), h, screen)
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Fatalf("line %d is %d cells wide (> %d): %q", i, lw, w, l)
		}
	}
}

func TestEveryScreenFitsEverySize(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	sizes := [][2]int{{60, 20}, {80, 24}, {100, 30}, {140, 40}}
	flows := map[string][]string{
		"library":   nil,
		"inventory": {"i"},
		"versions":  {"G", "enter"},
		"diff":      {"G", "enter", "d", "j", "d"},
		"side":      {"G", "enter", "j", "p", "s"},
		"editor":    {"G", "e"},
		"side-form": {"G", "e", "tab"},
		"help":      {"?"},
		"palette":   {"ctrl+p"},
		"facets":    {"f"},
	}
	for name, keys := range flows {
		for _, sz := range sizes {
			h := newHarness(t, fixedTimeStore{st}, sz[0], sz[1])
			h.key(keys...)
			t.Run(name+"_"+itoa(sz[0])+"x"+itoa(sz[1]), func(t *testing.T) {
				assertFits(t, h.screen(), sz[0], sz[1])
			})
		}
	}
}

func TestHelpIsGeneratedFromKeyTables(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("?")
	for _, b := range h.m.library.keyTable().groups[1] {
		h.mustSee(b.Help().Desc)
	}
	h.mustSee("Keys · Library", "Everywhere", "commands", "quit now")
	h.key("esc")
	if len(h.m.dialogs) != 0 {
		t.Fatal("esc did not close the help")
	}
	// In the versions screen, help lists its keys.
	h.key("G", "enter", "?")
	h.mustSee("Keys · Versions", "mark/diff two", "restore as new", "move tag here")
}

func TestPalette(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("G", "ctrl+p")
	h.mustSee("Commands", "Go to Library", "Library: new")
	h.typ("restore")
	h.mustSee("Versions: restore as new")
	h.mustNotSee("Go to Library")
	// Run "Versions: mark/diff two" for the selected prompt.
	h.key("backspace", "backspace", "backspace", "backspace", "backspace", "backspace", "backspace")
	h.typ("mark diff")
	h.key("enter")
	if h.m.active != screenVersions || h.m.versions.name != "support/reply" || h.m.versions.mark != 3 {
		t.Fatalf("palette action: active %v versions of %q mark %d", h.m.active, h.m.versions.name, h.m.versions.mark)
	}
	// A theme from the palette.
	h.key("ctrl+p")
	h.typ("theme dracula")
	h.key("enter")
	if h.m.sh.theme.Name != "dracula" {
		t.Fatalf("theme = %q", h.m.sh.theme.Name)
	}
	// ctrl+p works while typing in the editor; q there is text.
	h.key("1", "e")
	h.key("ctrl+p")
	if len(h.m.dialogs) != 1 {
		t.Fatal("ctrl+p did not open the palette in the editor")
	}
	h.key("esc")
	h.typ("q?")
	if h.quit || len(h.m.dialogs) != 0 {
		t.Fatal("q or ? in the editor acted as a global key")
	}
}

func TestThemeFollowsBackground(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 100, 30, func(d *Deps) { d.Theme = "" })
	if h.m.sh.theme.Name != "dark" {
		t.Fatalf("default theme %q", h.m.sh.theme.Name)
	}
	h.send(tea.BackgroundColorMsg{Color: color.White})
	if h.m.sh.theme.Name != "light" {
		t.Fatalf("a white background gives %q", h.m.sh.theme.Name)
	}
	// A named theme ignores the background.
	h = newHarness(t, fixedTimeStore{st}, 100, 30, func(d *Deps) { d.Theme = "dracula" })
	h.send(tea.BackgroundColorMsg{Color: color.White})
	if h.m.sh.theme.Name != "dracula" {
		t.Fatalf("named theme replaced by %q", h.m.sh.theme.Name)
	}
	// An unknown theme falls back and says why.
	h = newHarness(t, fixedTimeStore{st}, 100, 30, func(d *Deps) { d.Theme = "solarized" })
	h.mustSee(`unknown theme "solarized"`)
}

func TestNoColorIsMonochrome(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 100, 30, func(d *Deps) { d.NoColor = true })
	raw := h.m.render()
	if strings.Contains(raw, "38;2;") || strings.Contains(raw, "48;2;") || strings.Contains(raw, "38;5;") {
		t.Fatalf("NO_COLOR screen holds colour: %q", raw[:min(400, len(raw))])
	}
	if !strings.Contains(raw, "\x1b[1;7m") && !strings.Contains(raw, "\x1b[7;1m") && !strings.Contains(raw, ";7m") {
		t.Fatal("NO_COLOR screen shows no reverse video for the selection")
	}
	h.mustSee("support/reply")
}

func TestShortPath(t *testing.T) {
	tests := []struct {
		p, home string
		max     int
		want    string
	}{
		{"/home/u/.local/share/whet/whet.db", "/home/u", 0, "~/.local/share/whet/whet.db"},
		{"/home/u/.local/share/whet/whet.db", "/home/u", 20, "~/…/whet/whet.db"},
		{"/data/whet.db", "/home/u", 30, "/data/whet.db"},
		{"/home/user2/whet.db", "/home/u", 0, "/home/user2/whet.db"},
		{"", "/home/u", 10, "(no database)"},
	}
	for _, tc := range tests {
		if got := shortPath(tc.p, tc.home, tc.max); got != tc.want {
			t.Errorf("shortPath(%q, %q, %d) = %q; want %q", tc.p, tc.home, tc.max, got, tc.want)
		}
	}
}

func TestRenderMarkdownHighlightsVariables(t *testing.T) {
	var_ := lipgloss.NewStyle().Foreground(lipgloss.Color("#FF0000"))
	md := versionMarkdown([]prompt.Message{{Role: "user", Content: "Hi {{customer_name}}, about <ticket>{{ ticket }}</ticket>:\n\n`<code>` stays"}})
	out, err := renderMarkdown(md, "dark", 60, var_)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"{{customer_name}}", "{{ ticket }}"} {
		if !strings.Contains(out, var_.Render(v)) {
			t.Errorf("%s is not highlighted in %q", v, out)
		}
	}
	plain := strings.Join(strings.Fields(stripANSI(out)), " ")
	if !strings.Contains(plain, "<ticket>") || !strings.Contains(plain, "</ticket>") || !strings.Contains(plain, "<code>") {
		t.Errorf("tags were dropped: %q", plain)
	}
	if strings.Contains(plain, `\<`) {
		t.Errorf("an escape shows: %q", plain)
	}
	if strings.Contains(plain, "zqv") {
		t.Errorf("a placeholder token leaked: %q", plain)
	}
}

func stripANSI(s string) string { return sgrRe.ReplaceAllString(s, "") }

func TestInventoryListsLastTargets(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	ctx := context.Background()
	v, _ := st.Resolve(ctx, prompt.Ref{Name: "support/reply"})
	run := prompt.Run{Status: prompt.RunDone, Source: "cli", Targets: []string{"ollama:llama3.2", "echo"},
		Versions: []prompt.RunVersion{{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number, Hash: v.Hash}}, Repeat: 1, Author: "t"}
	if err := st.CreateRun(ctx, &run); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("i")
	line := lineWith(h.screen(), "support/reply")
	if !strings.Contains(line, "ollama:llama3.2, echo") {
		t.Fatalf("inventory line: %q", line)
	}
	if l := lineWith(h.screen(), "classify/intent"); !strings.Contains(l, "never run") {
		t.Fatalf("inventory line: %q", l)
	}
}

func starterFS() fs.FS { return assets.FS() }
