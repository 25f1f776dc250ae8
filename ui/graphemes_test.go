package ui

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"whet/eval"
	"whet/prompt"
	"whet/store"
)

// wideGlyphs are emoji of several code points, each one glyph two cells
// wide in a terminal that draws grapheme clusters: ZWJ sequences, flags,
// skin tones, keycaps (which start with an ASCII byte) and a VS16 emoji.
var wideGlyphs = []string{"👩‍💻", "🇫🇷", "👍🏽", "1️⃣", "❤️", "👨‍👩‍👧‍👦", "🏳️‍🌈", "#️⃣"}

// plainGlyph stands in for every wide glyph in the reference library: one
// code point, two cells under every way of measuring.
const plainGlyph = "漢"

// glyphText expands E0…E7 in s to wideGlyphs (emoji) or to plainGlyph.
func glyphText(s string, emoji bool) string {
	for i := len(wideGlyphs) - 1; i >= 0; i-- {
		g := plainGlyph
		if emoji {
			g = wideGlyphs[i]
		}
		s = strings.ReplaceAll(s, "E"+itoa(i), g)
	}
	return s
}

// seedGlyphs fills st with prompts, notes, labels, cases, variables and
// outputs full of wide glyphs (emoji), or of plainGlyph in their place.
func seedGlyphs(t testing.TB, st *store.Store, emoji bool) {
	t.Helper()
	g := func(s string) string { return glyphText(s, emoji) }
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := st.CreatePrompt(ctx, store.NewPrompt{
		Name: "dev/coder", Description: g("codes E0 in E1 with E3 and E2, E4 E5 E6 E7 and a long tail E0E1E2E3E4E5E6E7 to cut"),
		Labels:   prompt.Labels{"team": g("E1paris"), "owner": g("anaE2"), "purpose": "code", "tone": g("E3rdE4")},
		Defaults: map[string]string{"lang": g("Go E0"), "task": g("E3 sort E2 and E7E7E7E7E7E7E7E7E7E7E7E7E7E7E7E7E7E7E7")},
	}, store.NewVersion{
		Messages: []prompt.Message{{Role: "user", Content: g("Write {{lang}} code E0 for {{task}} E1E2E3E4E5E6E7")}},
		Note:     g("first E0 draft E1 E3 E2 keycaps E3E7E3E7E3E7E3E7E3E7E3E7E3E7E3E7E3E7E3E7 end"), Author: g("E2bo"),
	})
	must(err)
	_, _, err = st.SaveVersion(ctx, "dev/coder", store.NewVersion{
		Messages: []prompt.Message{{Role: "user", Content: g("v2 {{lang}} {{task}} E5 E6")}},
		Note:     g("E5 family edit E6 E0E1E2E3E4E5E6E7E0E1E2E3E4E5E6E7E0E1E2E3E4E5E6E7E0E1E2E3"), Author: "ana",
	})
	must(err)
	_, err = st.CreatePrompt(ctx, store.NewPrompt{
		Name: "plain/name", Description: "no emoji here",
		Labels: prompt.Labels{"team": "cx", "owner": "bob"},
	}, store.NewVersion{Messages: []prompt.Message{{Role: "user", Content: "Hello {{x}}"}}, Note: "plain", Author: "bob"})
	must(err)

	var vers []prompt.RunVersion
	for n := 1; n <= 2; n++ {
		v, err := st.Resolve(ctx, prompt.Ref{Name: "dev/coder", Number: n})
		must(err)
		vers = append(vers, prompt.RunVersion{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number, Hash: v.Hash})
	}
	cases := []prompt.Case{
		{Name: g("E0 dev case E3E3E3E3E3E3E3E3E3E3E3E3E3E3"), Vars: map[string]string{"lang": g("Go E1"), "task": g("E3 sort E2")}},
		{Name: "plain", Vars: map[string]string{"lang": "Rust", "task": "parse"}},
		{Name: g("E1E2E3 flags"), Vars: map[string]string{"lang": g("E5"), "task": g("E7E3")}},
	}
	created := testNow.Add(-2 * time.Hour)
	targets := []string{"echo", "echo:b"}
	run := prompt.Run{ID: "rglyphs00001", Created: created, Source: "cli", Versions: vers, Targets: targets, Cases: cases, Repeat: 1, Author: "tester"}
	must(st.CreateRun(ctx, &run))
	var rs []prompt.Result
	for _, v := range vers {
		for ti, tg := range targets {
			for ci := range cases {
				out := g("Answer E" + itoa(ci) + " for v" + itoa(v.Number) + " on " + tg + ": E0 wrote E1 code, E2 agreed, E3 then E4 and E5; E6E7E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3E3 E0E1E2E3E4E5E6E7 done.")
				if v.Number == 2 && ti == 1 {
					out += g(" More E5 text E6 in v2.")
				}
				rs = append(rs, prompt.Result{RunID: run.ID, VersionID: v.VersionID, Target: tg, Case: ci, Output: out, FinishReason: "stop",
					Latency: 900 * time.Millisecond, TTFT: 200 * time.Millisecond, TokensIn: 30, TokensOut: 40, Model: tg, Started: created})
			}
		}
	}
	must(st.SaveResults(ctx, rs))
	var scores []prompt.Score
	for i, r := range rs {
		pass := i%3 != 1
		p := pass
		scores = append(scores, prompt.Score{ResultID: r.ID, Scorer: eval.ScorerSuite, Value: map[bool]float64{true: 1, false: 0}[pass], Pass: &p,
			Reason: g("check E0 says E1E2E3"), Author: "tester", Created: created})
	}
	must(st.AddScores(ctx, scores))
	must(st.FinishRun(ctx, run.ID, prompt.RunDone, created.Add(time.Minute)))
}

// hashRe matches the short content hashes, which differ between the two
// libraries; lengthRe the output lengths Compare shows, which count code
// points (see report.Pair) and so differ too.
var (
	hashRe   = regexp.MustCompile(`[0-9a-f]{12}`)
	lengthRe = regexp.MustCompile(`len \d+→\d+ \([+-]?\d+\)|mean length [+-]?\d+`)
	digitRe  = regexp.MustCompile(`\d`)
)

// glyphScreen is the plain view with every wide glyph written as
// plainGlyph and the hashes and lengths masked.
func glyphScreen(h *harness) string {
	s := ansi.Strip(h.m.render())
	for _, gl := range wideGlyphs {
		s = strings.ReplaceAll(s, gl, plainGlyph)
	}
	s = lengthRe.ReplaceAllStringFunc(s, func(l string) string { return digitRe.ReplaceAllString(l, "#") })
	return hashRe.ReplaceAllString(s, "############")
}

// TestWideGlyphsLineUp drives the same screens over a library full of
// emoji of several code points and over the same library with a one-rune
// wide character in their place: both must draw the same layout, cell for
// cell, and every line must be exactly as wide as the terminal.
func TestWideGlyphsLineUp(t *testing.T) {
	type step struct {
		name string
		keys []string
		wait string
	}
	steps := []step{
		{"library", nil, "dev/coder"},
		{"inventory", []string{"i"}, "Inventory"},
		{"versions", []string{"esc", "enter"}, "first"},
		{"diff", []string{"d", "j", "d"}, "diff dev/coder"},
		{"results", []string{"esc", "esc", "1", "s"}, "rglyphs00001"},
		{"results-cases", []string{"r"}, "rows: cases"},
		{"results-cell", []string{"l", "enter"}, "dev/coder@1"},
		{"compare", []string{"esc", "C"}, "pairs"},
		{"runs", []string{"5"}, "rglyphs00001"},
		{"arena-setup", []string{"1", "ctrl+r"}, "PROMPT AS SENT"},
		{"arena", []string{"ctrl+r"}, "done"},
		{"editor", []string{"1", "e", "tab"}, "LABELS"},
	}
	for _, sz := range [][2]int{{80, 24}, {60, 20}, {160, 45}} {
		t.Run(itoa(sz[0])+"x"+itoa(sz[1]), func(t *testing.T) {
			hs := map[bool]*harness{}
			for _, emoji := range []bool{true, false} {
				st := openStore(t)
				seedGlyphs(t, st, emoji)
				f := newFakeOllama(t, 0, -1)
				h := newHarness(t, fixedTimeStore{st}, sz[0], sz[1], withTargets(fixedTimingTargets{arenaRegistry(t, f.URL, "echo:a", "echo:b")}))
				h.m.arena.newRunID = runIDs()
				hs[emoji] = h
			}
			for _, s := range steps {
				var screens [2]string
				for i, emoji := range []bool{true, false} {
					h := hs[emoji]
					h.key(s.keys...)
					if !strings.Contains(h.screen(), s.wait) {
						t.Fatalf("%s (emoji %v): screen lacks %q:\n%s", s.name, emoji, s.wait, h.screen())
					}
					screens[i] = glyphScreen(h)
				}
				for i, l := range strings.Split(ansi.Strip(hs[true].m.render()), "\n") {
					if w := ansi.StringWidth(l); w != sz[0] {
						t.Errorf("%s: line %d is %d cells wide, not %d:\n%s", s.name, i, w, sz[0], l)
					}
				}
				if screens[0] != screens[1] {
					el, pl := strings.Split(screens[0], "\n"), strings.Split(screens[1], "\n")
					for i := range min(len(el), len(pl)) {
						if el[i] != pl[i] {
							t.Errorf("%s: line %d differs\nemoji: %s\nplain: %s", s.name, i, el[i], pl[i])
						}
					}
				}
			}
		})
	}
}

// modeSpy is a spy that notes when the model is told of mode 2027.
type modeSpy struct {
	spy
	seen *atomic.Bool
}

func (s modeSpy) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if r, ok := msg.(tea.ModeReportMsg); ok && r.Mode == ansi.ModeUnicodeCore {
		defer s.seen.Store(true)
	}
	m, cmd := s.spy.Update(msg)
	return modeSpy{m.(spy), s.seen}, cmd
}

// TestRendererMeasuresGraphemes runs the program and checks that it put
// the renderer on grapheme widths (the renderer announces it by turning on
// mode 2027), so that its cells agree with the layout.
func TestRendererMeasuresGraphemes(t *testing.T) {
	st := openStore(t)
	seedGlyphs(t, st, true)
	m := New(Deps{Store: fixedTimeStore{st}, Author: "tester", Theme: "dark", DBPath: "/home/u/.local/share/whet/whet.db", Home: "/home/u", Now: func() time.Time { return testNow }}).(Model)
	m.sh.previewWait = 0
	last := &atomic.Pointer[string]{}
	seen := &atomic.Bool{}
	tm := teatest.NewTestModel(t, modeSpy{spy{m, last}, seen}, teatest.WithInitialTermSize(80, 24))
	waitView(t, last, "dev/coder")
	// The switch is a command of Init, as the library's first page is:
	// either may come first. The program hands the renderer the mode
	// before the model sees it.
	deadline := time.Now().Add(10 * time.Second)
	for !seen.Load() {
		if time.Now().After(deadline) {
			t.Fatal("the model never saw the switch to grapheme widths")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(tm.FinalOutput(t, teatest.WithFinalTimeout(5*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	on := bytes.Index(out, []byte(ansi.SetModeUnicodeCore))
	if on < 0 {
		t.Fatalf("the renderer never switched to grapheme widths (no %q in the output)", ansi.SetModeUnicodeCore)
	}
	if !bytes.Contains(out[on:], []byte(ansi.ResetModeUnicodeCore)) {
		t.Fatalf("mode 2027 is left on after exit")
	}
}

// TestTruncAndWrapKeepClusters cuts and wraps text of keycaps, which
// ansi.Truncate and ansi.Wrap alone split or measure a cell short.
func TestTruncAndWrapKeepClusters(t *testing.T) {
	s := "ab 1️⃣2️⃣3️⃣#️⃣*️⃣ 👩‍💻👍🏽 9️⃣9️⃣9️⃣9️⃣9️⃣9️⃣ end"
	whole := func(l string) bool {
		return !strings.HasPrefix(l, "\uFE0F") && !strings.HasPrefix(l, "\u20E3") && !strings.HasSuffix(strings.TrimSuffix(l, "…"), "1") &&
			!strings.HasSuffix(strings.TrimSuffix(l, "…"), "9")
	}
	for w := 1; w <= ansi.StringWidth(s)+1; w++ {
		got := trunc(s, w)
		if ansi.StringWidth(got) > w || !whole(got) {
			t.Errorf("trunc(%d) = %q, %d cells", w, got, ansi.StringWidth(got))
		}
		if w < 4 {
			continue
		}
		for _, l := range strings.Split(wrapLine(s, w), "\n") {
			if ansi.StringWidth(l) > w || !whole(strings.TrimRight(l, " ")) {
				t.Errorf("wrapLine(%d) has the line %q, %d cells", w, l, ansi.StringWidth(l))
			}
		}
	}
	if got := trunc(s, 8); got != "ab 1️⃣2️⃣…" {
		t.Errorf("trunc(8) = %q", got)
	}
}

// TestStyledKeepsClusters: struck-through or underlined text (removed text
// in a diff, in every theme) keeps each emoji cluster whole, and so its
// width.
func TestStyledKeepsClusters(t *testing.T) {
	s := "code 👩‍💻 for 🏳️‍🌈 #️⃣ x"
	for _, st := range []lipgloss.Style{lipgloss.NewStyle().Strikethrough(true), lipgloss.NewStyle().Underline(true).Foreground(lipgloss.Color("#ff0000"))} {
		out := styled(st, s)
		if ansi.Strip(out) != s || ansi.StringWidth(out) != ansi.StringWidth(s) {
			t.Errorf("styled(%q) = %q: %d cells, want %d", s, out, ansi.StringWidth(out), ansi.StringWidth(s))
		}
	}
}

// A wrapped line breaks at spaces, not inside a hyphenated ref, so that a
// ref in a dialog can be read and copied whole; a word wider than the line
// is still cut, and the hyphens come back as typed.
func TestWrapLineKeepsHyphenatedRefsWhole(t *testing.T) {
	got := wrapLine("Tag to eval/p010-draft@2 now", 18)
	if !strings.Contains(got, "eval/p010-draft@2") || strings.Contains(got, "\u2011") {
		t.Errorf("the ref was cut or its hyphen changed:\n%s", got)
	}
	for _, l := range strings.Split(got, "\n") {
		if w := ansi.StringWidth(l); w > 18 {
			t.Errorf("line %q is %d cells wide", l, w)
		}
	}
	long := wrapLine("a-very-long-hyphenated-name-that-does-not-fit", 12)
	for _, l := range strings.Split(long, "\n") {
		if w := ansi.StringWidth(l); w > 12 {
			t.Errorf("long word line %q is %d cells wide", l, w)
		}
	}
	var joined strings.Builder
	for _, l := range strings.Split(long, "\n") {
		joined.WriteString(strings.TrimRight(l, " "))
	}
	if joined.String() != "a-very-long-hyphenated-name-that-does-not-fit" {
		t.Errorf("the long word lost text: %q", long)
	}
}
