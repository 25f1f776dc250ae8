package ui

import (
	"context"
	"image/color"
	"io/fs"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"

	"whet/assets"
	"whet/prompt"
	"whet/store"
	"whet/themes"
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
	// Each prompt's cases become its suite, ready for the Arena and Suites.
	su, err := st.GetSuite(ctx, "classify/ticket-intent")
	if err != nil {
		t.Fatal(err)
	}
	if su.Prompt != "classify/ticket-intent" || len(su.Cases) != 3 || su.Cases[0].Name != "refund" || su.Cases[0].Expected != "refund" {
		t.Fatalf("the starter's cases of classify/ticket-intent: prompt %q, cases %+v", su.Prompt, su.Cases)
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
		// A tab counts no cells here, but the terminal moves it to its
		// next stop, past whatever the line measured.
		if strings.Contains(l, "\t") {
			t.Fatalf("line %d holds a tab: %q", i, l)
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
	// The tab bar, with each tab active in turn, at every width.
	for _, sz := range sizes {
		h := newHarness(t, fixedTimeStore{st}, sz[0], sz[1])
		for _, s := range tabs() {
			h.m.active = s
			t.Run("tabbar_"+s.String()+"_"+itoa(sz[0])+"x"+itoa(sz[1]), func(t *testing.T) {
				screen := h.screen()
				assertFits(t, screen, sz[0], sz[1])
				assertTabBar(t, h.m, screen)
			})
		}
	}
}

// assertTabBar checks the tab bar of screen, drawn by m: one line exactly
// as wide as the terminal over a full rule, the optional brand, then each
// tab where tabRanges says (so clicks land on it) holding a whole label —
// "N Name", "N Short" or a bare "N", the active tab always with a name —
// and nothing after the last. From 100 columns every tab has its full name.
func assertTabBar(t *testing.T, m Model, screen string) {
	t.Helper()
	w := m.sh.width
	lines := strings.Split(screen, "\n")
	bar, rule := []rune(lines[0]), lines[1]
	if len(bar) != w || rule != strings.Repeat("─", w) {
		t.Fatalf("tab bar %d cells (want %d) over rule %q:\n%s", len(bar), w, rule, screen)
	}
	rs := m.tabRanges()
	if len(rs) != len(tabs()) {
		t.Fatalf("%d tab ranges for %d tabs", len(rs), len(tabs()))
	}
	if b := strings.TrimSpace(string(bar[:rs[0][0]])); b != "" && b != "whet" {
		t.Fatalf("before the tabs: %q", b)
	}
	for i, s := range tabs() {
		if rs[i][1] > w {
			t.Fatalf("tab %v ends at %d, past %d: %q", s, rs[i][1], w, string(bar))
		}
		got := strings.TrimSpace(string(bar[rs[i][0]:rs[i][1]]))
		n := itoa(i + 1)
		full, short := n+" "+s.String(), n+" "+s.short()
		switch {
		case w >= 100 && got != full:
			t.Errorf("at %d columns tab %d shows %q; want %q", w, i+1, got, full)
		case got != full && got != short && got != n:
			t.Errorf("tab %d shows %q; want %q, %q or %q (bar %q)", i+1, got, full, short, n, string(bar))
		case s == m.activeTab() && got == n:
			t.Errorf("the active tab %v shows only its number (bar %q)", s, string(bar))
		}
	}
	if rest := strings.TrimSpace(string(bar[rs[len(rs)-1][1]:])); rest != "" {
		t.Fatalf("after the last tab: %q", rest)
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
	h.mustSee("Keys · Library", "Everywhere", "commands", "quit, also from a field")
	h.key("esc")
	if len(h.m.dialogs) != 0 {
		t.Fatal("esc did not close the help")
	}
	// In the versions screen, help lists its keys.
	h.key("G", "enter", "?")
	h.mustSee("Keys · Versions", "mark/diff two", "restore as new", "move tag here")
	h.key("esc")

	// On a narrow terminal every key of every group is still listed: the
	// groups that do not fit beside each other go below.
	h.send(tea.WindowSizeMsg{Width: 60, Height: 40})
	h.key("1", "?")
	for _, g := range h.m.library.keyTable().groups {
		for _, b := range g {
			h.mustSee(b.Help().Desc)
		}
	}
	h.key("esc")

	// On a short one the keys that do not fit scroll into view.
	h.send(tea.WindowSizeMsg{Width: 60, Height: 20})
	h.key("?")
	h.mustSee("more lines: ↓/j scrolls")
	h.mustNotSee("quit (esc: back)")
	h.key("G")
	h.mustSee("quit (esc: back)", "(the end: ↑/k scrolls back)")
	h.key("k", "g")
	h.mustSee("more lines: ↓/j scrolls")
	h.mustNotSee("quit (esc: back)")
	for range 40 {
		h.key("j")
	}
	h.key("k")
	h.mustSee("quit (esc: back)", "1 more line: ↓/j scrolls")
}

func TestPalette(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 30)
	h.key("G", "ctrl+p")
	h.mustSee("Commands", "Library: new")
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
		// Cut between whole clusters, measured in cells.
		{"/srv/👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻.db", "/home/u", 8, "…👩‍💻👩‍💻.db"},
		{"/srv/1️⃣2️⃣3️⃣4️⃣.db", "/home/u", 9, "…3️⃣4️⃣.db"},
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

// TestInventoryCutsOwnersAndKeepsColumns: long owner and team names, and
// an owner label naming many people, are cut with "…" so that the prompt
// count after them stays; the version and targets columns line up, and
// nothing runs past the edge, at every size.
func TestInventoryCutsOwnersAndKeepsColumns(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	long := "owner-with-a-quite-long-name@example-corporation.com"
	many := "ana, bob, cy, dee, eve, fay, gus, hal, ivy, jon, kim, lou"
	for i, p := range []struct{ name, team, owner string }{
		{"ops/p1", "operations-and-reliability-engineering-group-of-the-company", long},
		{"ops/p2", "operations-and-reliability-engineering-group-of-the-company", long},
		{"ops/a-much-longer-prompt-name-than-the-column", "ops", many},
		{"dev/coder", "🇫🇷paris", "ana👍🏽"},
	} {
		_, err := st.CreatePrompt(ctx, store.NewPrompt{Name: p.name, Labels: prompt.Labels{"team": p.team, "owner": p.owner}}, storeNewVersion("x"))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			v, _ := st.Resolve(ctx, prompt.Ref{Name: p.name})
			run := prompt.Run{Status: prompt.RunDone, Source: "cli", Targets: []string{"ollama:llama3.2", "openai:gpt-4o-mini", "anthropic:claude-sonnet-4-5"},
				Versions: []prompt.RunVersion{{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number, Hash: v.Hash}}, Repeat: 1, Author: "t"}
			if err := st.CreateRun(ctx, &run); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, sz := range [][2]int{{60, 20}, {80, 24}, {160, 45}} {
		h := newHarness(t, fixedTimeStore{st}, sz[0], sz[1])
		h.key("i")
		screen := h.screen()
		assertFits(t, screen, sz[0], sz[1])
		owners := 0
		verCol := -1
		for _, l := range strings.Split(screen, "\n") {
			if strings.HasPrefix(l, "  owner ") {
				owners++
				if !strings.Contains(l, " · 1 prompt") && !strings.Contains(l, " · 2 prompts") {
					t.Errorf("%dx%d: the owner line lost its count: %q", sz[0], sz[1], l)
				}
				full := strings.Contains(l, long) || strings.Contains(l, many) || strings.Contains(l, "ana👍🏽")
				if !full && !strings.Contains(l, "… · ") {
					t.Errorf("%dx%d: the owner is cut without an ellipsis: %q", sz[0], sz[1], l)
				}
			}
			if strings.HasPrefix(l, "team ") && !strings.Contains(l, "operations-and-reliability-engineering-group-of-the-company") && strings.Contains(l, "operations") && !strings.HasSuffix(strings.TrimRight(l, " "), "…") {
				t.Errorf("%dx%d: the team is cut without an ellipsis: %q", sz[0], sz[1], l)
			}
			if strings.HasPrefix(l, "    ") && strings.Contains(l, " v1 ") {
				col := lipgloss.Width(l[:strings.Index(l, " v1 ")])
				if verCol >= 0 && col != verCol {
					t.Errorf("%dx%d: the version column moves: %q", sz[0], sz[1], l)
				}
				verCol = col
			}
			if strings.Contains(l, "ops/p1") && !strings.HasSuffix(strings.TrimRight(l, " "), " · just now") {
				t.Errorf("%dx%d: the targets line lost its time: %q", sz[0], sz[1], l)
			}
		}
		if owners < 3 {
			t.Errorf("%dx%d: %d owner lines:\n%s", sz[0], sz[1], owners, screen)
		}
	}
}

func starterFS() fs.FS { return assets.FS() }

// A new terminal size reaches every dialog on the stack at once (not on its
// next message) and every screen, showing or not.
func TestResizeReachesDialogsAndHiddenScreens(t *testing.T) {
	st := openStore(t)
	seedRuns(t, st)
	h := newHarness(t, fixedTimeStore{st}, 140, 40)
	h.openResults(fixtureRun)
	h.key("x")
	exp := h.topExport()
	if !exp.rendered {
		t.Fatal("the export preview did not render")
	}
	in := newInput(h.m.sh, "Name", "", "", "", nil, func(string) tea.Msg { return nil })
	h.send(pushDialogMsg{in})

	h.send(tea.WindowSizeMsg{Width: 80, Height: 30})
	// The export dialog under the input is laid out for 80×30, and its
	// Markdown preview rendered again for the new width.
	_, pw, ph := exp.size()
	if exp.w != 80 || exp.h != 30 || exp.preview.Width() != pw || exp.preview.Height() != ph {
		t.Fatalf("export laid out for %d×%d, preview %d×%d; want 80×30, preview %d×%d",
			exp.w, exp.h, exp.preview.Width(), exp.preview.Height(), pw, ph)
	}
	if want := exportPreview(exp.data, exportMarkdown, h.m.sh.theme.Glamour, pw); !exp.rendered || exp.preview.GetContent() != want {
		t.Fatalf("the preview was not rendered again at width %d (rendered %v):\n%s", pw, exp.rendered, exp.preview.GetContent())
	}
	// The input on top fits its box on the new terminal.
	if got, want := in.input.Width(), dialogWidth(80, 64)-h.m.sh.styles().Dialog.GetHorizontalFrameSize()-3; got != want {
		t.Fatalf("input width %d; want %d", got, want)
	}
	// Every screen has the new content size, not only the one showing.
	w, ch := h.m.contentSize()
	sizes := map[string][2]int{
		"library": {h.m.library.w, h.m.library.h}, "versions": {h.m.versions.w, h.m.versions.h},
		"editor": {h.m.editor.w, h.m.editor.h}, "welcome": {h.m.welcome.w, h.m.welcome.h},
		"arena": {h.m.arena.w, h.m.arena.h}, "runs": {h.m.history.w, h.m.history.h},
		"results": {h.m.results.w, h.m.results.h}, "compare": {h.m.compare.w, h.m.compare.h},
		"suites": {h.m.suites.w, h.m.suites.h},
	}
	for name, got := range sizes {
		if got != [2]int{w, ch} {
			t.Errorf("%s is sized %d×%d; want %d×%d", name, got[0], got[1], w, ch)
		}
	}
	assertFits(t, h.screen(), 80, 30)
	// Closing the input shows the export dialog as it is, already fitted.
	h.key("esc")
	if h.topExport() != exp {
		t.Fatal("esc did not uncover the export dialog")
	}
	assertFits(t, h.screen(), 80, 30)
	h.mustSee("Export run "+fixtureRun, "Status: done")
	h.mustNotSee("rendering…")
}

// TestPaletteListsActiveScreenFirst: the palette opens on the actions of
// the screen in use, then the screens, then the other screens' actions.
func TestPaletteListsActiveScreenFirst(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 80, 24)
	h.key("G", "enter", "ctrl+p")
	d, ok := h.m.dialogs[len(h.m.dialogs)-1].(*paletteDialog)
	if !ok {
		t.Fatal("ctrl+p did not open the palette")
	}
	if first := d.actions[d.matches[0]].title; !strings.HasPrefix(first, "Versions: ") {
		t.Fatalf("on Versions the palette starts with %q", first)
	}
	h.mustSee("Versions: mark/diff two")
	h.key("enter")
	if h.m.active != screenVersions || h.m.versions.mark == 0 {
		t.Fatalf("enter on the first action: active %v mark %d", h.m.active, h.m.versions.mark)
	}
}

// TestCtrlZSuspends: raw mode turns ctrl+z into a key, so the program
// must ask Bubble Tea to suspend, from a screen, a text field and a dialog.
func TestCtrlZSuspends(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	suspends := func(where string) {
		t.Helper()
		_, cmd := h.m.Update(keyPress("ctrl+z"))
		if cmd == nil {
			t.Fatalf("%s: ctrl+z does nothing", where)
		}
		if _, ok := cmd().(tea.SuspendMsg); !ok {
			t.Fatalf("%s: ctrl+z does not suspend", where)
		}
	}
	suspends("library")
	h.key("/")
	suspends("library filter")
	h.key("esc", "ctrl+p")
	suspends("palette")
	h.key("esc", "?")
	suspends("help")
}

// TestUnknownBackgroundKeepsDarkTheme: a terminal that answers the device
// attributes query but not the background colour query (tmux 3.3, screen)
// keeps the dark theme, most terminals being dark, with a notice saying how
// to pick the light one; a background reported later, or a named theme,
// still wins.
func TestUnknownBackgroundKeepsDarkTheme(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 100, 30, func(d *Deps) { d.Theme = "" })
	h.send(uv.PrimaryDeviceAttributesEvent{1, 2})
	if h.m.sh.theme.Name != "dark" || h.m.sh.theme.Mono {
		t.Fatalf("no background reported: theme %q mono %v", h.m.sh.theme.Name, h.m.sh.theme.Mono)
	}
	h.mustSee("background unknown: dark theme (ctrl+p Theme, or theme: in the config)")
	h.send(tea.BackgroundColorMsg{Color: color.White})
	if h.m.sh.theme.Name != "light" || h.m.sh.theme.Mono {
		t.Fatalf("a late white background gives %q mono %v", h.m.sh.theme.Name, h.m.sh.theme.Mono)
	}

	// A terminal that reports its background keeps its colours.
	h = newHarness(t, fixedTimeStore{st}, 100, 30, func(d *Deps) { d.Theme = "" })
	h.send(tea.BackgroundColorMsg{Color: color.Black})
	h.send(uv.PrimaryDeviceAttributesEvent{1, 2})
	if h.m.sh.theme.Name != "dark" || h.m.sh.theme.Mono {
		t.Fatalf("reported background: theme %q mono %v", h.m.sh.theme.Name, h.m.sh.theme.Mono)
	}
	// So does a named theme.
	h = newHarness(t, fixedTimeStore{st}, 100, 30, func(d *Deps) { d.Theme = "dracula" })
	h.send(uv.PrimaryDeviceAttributesEvent{1, 2})
	if h.m.sh.theme.Name != "dracula" || h.m.sh.theme.Mono {
		t.Fatalf("named theme: %q mono %v", h.m.sh.theme.Name, h.m.sh.theme.Mono)
	}
}

// TestSixteenColoursSelectInReverse: in 16 colours the selected row's
// background falls to the terminal's own black (or white) and vanishes, so
// the palette's selection, which has no marker, is drawn in reverse video;
// a theme picked later keeps it.
func TestSixteenColoursSelectInReverse(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, fixedTimeStore{st}, 100, 30)
	h.send(tea.ColorProfileMsg{Profile: colorprofile.ANSI})
	reverse := func(where string) {
		t.Helper()
		if !h.m.sh.styles().RowSelected.GetReverse() {
			t.Fatalf("%s: the selected row is not in reverse video", where)
		}
		h.key("ctrl+p")
		if !strings.Contains(h.m.render(), "\x1b[1;7m") && !strings.Contains(h.m.render(), "\x1b[7;1m") {
			t.Fatalf("%s: no reverse video in the palette", where)
		}
		h.key("esc")
	}
	reverse("dark")
	h.send(paletteRunMsg{global: "theme:light"})
	reverse("light from the palette")

	h = newHarness(t, fixedTimeStore{st}, 100, 30, func(d *Deps) { d.Theme = "" })
	h.send(tea.ColorProfileMsg{Profile: colorprofile.ANSI})
	h.send(tea.BackgroundColorMsg{Color: color.White})
	reverse("light from the background")

	h = newHarness(t, fixedTimeStore{st}, 100, 30)
	h.send(tea.ColorProfileMsg{Profile: colorprofile.ANSI256})
	if h.m.sh.styles().RowSelected.GetReverse() {
		t.Fatal("256 colours: the selected row is in reverse video; want its background")
	}
}

// A write's end can reach the model before its start (both are commands of
// one batch): the status bar must not be left saying a job is running.
func TestJobCountInEitherOrder(t *testing.T) {
	h := newHarness(t, fixedTimeStore{openStore(t)}, 100, 30)
	h.send(jobMsg{-1})
	h.mustNotSee("job running")
	h.send(jobMsg{1})
	h.mustNotSee("job running")
	h.send(jobMsg{1})
	h.mustSee("1 job running")
	h.send(jobMsg{-1})
	h.mustNotSee("job running")
}

// A question before something that loses work takes only y for yes: an
// enter pressed out of habit keeps everything. Other questions take enter.
func TestDestructiveConfirmNeedsY(t *testing.T) {
	type yes struct{}
	theme, err := themes.Get("dark")
	if err != nil {
		t.Fatal(err)
	}
	sh := &shared{theme: theme}
	d := newDestructiveConfirm("Delete suite s?", "Its cases go.", yes{}, nil)
	if closed, cmd := d.update(keyPress("enter")); closed || cmd != nil {
		t.Error("enter answered a destructive question")
	}
	if view := ansi.Strip(d.view(sh, 80, 24)); !strings.Contains(view, "y yes  n/esc no") {
		t.Errorf("hint:\n%s", view)
	}
	closed, cmd := d.update(keyPress("y"))
	if !closed || cmd == nil {
		t.Fatal("y did not answer yes")
	}
	if _, ok := cmd().(yes); !ok {
		t.Error("y did not deliver the yes message")
	}
	if closed, _ := newConfirm("Run suite s?", "", yes{}, nil).update(keyPress("enter")); !closed {
		t.Error("enter no longer answers an ordinary question")
	}
}
