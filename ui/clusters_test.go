package ui

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"

	"whet/prompt"
	"whet/runner"
	"whet/store"
)

// TestUnjoin: on a terminal that does not cluster graphemes, the sequences
// it draws at another width than the layout measures lose their selectors,
// skin tones and joiners, so that what is left measures the same both ways
// (checked against tmux 3.3a: ❤️ and 1️⃣ one cell, 👍🏽 four); other text,
// the joiners of scripts included, is kept.
func TestUnjoin(t *testing.T) {
	t.Cleanup(func() { splitClusters.Store(false) })
	cases := []struct{ in, want string }{
		{"⚠️ careful", "⚠ careful"},
		{"👍🏽 ok", "👍 ok"},
		{"👩‍💻 dev", "👩💻 dev"},
		{"❤️‍🔥", "❤🔥"},
		{"🏃‍♀️ run", "🏃♀ run"},
		{"1️⃣ first", "1⃣ first"},
		{"⌚︎", "⌚"},
		{"🇫🇷 France", "🇫🇷 France"},
		{"a 🏽 alone", "a  alone"}, // a swatch joins the space before it
		{"क्‍ष", "क्‍ष"},          // a Devanagari joiner stays
		{"plain text", "plain text"},
	}
	for _, c := range cases {
		if got := unjoin(c.in); got != c.in {
			t.Errorf("terminal clusters: unjoin(%q) = %q, want it unchanged", c.in, got)
		}
	}
	splitClusters.Store(true)
	for _, c := range cases {
		got := unjoin(c.in)
		if got != c.want {
			t.Errorf("unjoin(%q) = %q, want %q", c.in, got, c.want)
		}
		if gw, ww := ansi.StringWidth(got), ansi.StringWidthWc(got); gw != ww && c.in != "क्‍ष" {
			t.Errorf("unjoin(%q) = %q: %d cells as graphemes, %d as code points", c.in, got, gw, ww)
		}
	}
	if got := sanitize("⚠️\x1b[31m red"); got != "⚠ red" {
		t.Errorf("sanitize = %q", got)
	}
	if got := oneLine("👍🏽\nnext"); got != "👍 next" {
		t.Errorf("oneLine = %q", got)
	}
}

// TestTerminalClusters: the environment names the terminals that cluster
// without answering for mode 2027, unless a multiplexer stands between.
func TestTerminalClusters(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"TERM": "xterm-kitty"}, true},
		{map[string]string{"TERM": "xterm-256color", "KITTY_WINDOW_ID": "1"}, true},
		{map[string]string{"TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"}, true},
		{map[string]string{"TERM": "xterm-256color", "TERM_PROGRAM": "WezTerm"}, true},
		{map[string]string{"TERM": "xterm-ghostty"}, true},
		{map[string]string{"TERM": "xterm-256color"}, false},
		{map[string]string{"TERM": "xterm-256color", "TERM_PROGRAM": "Apple_Terminal"}, false},
		{map[string]string{"TERM": "tmux-256color", "TERM_PROGRAM": "tmux", "KITTY_WINDOW_ID": "1"}, false},
		{map[string]string{"TERM": "screen-256color", "TERM_PROGRAM": "iTerm.app"}, false},
		{map[string]string{"TERM": "xterm-kitty", "TMUX": "/tmp/tmux-0/default,1,0"}, false},
	} {
		if got := terminalClusters(func(k string) string { return c.env[k] }); got != c.want {
			t.Errorf("%v: %v, want %v", c.env, got, c.want)
		}
	}
}

// TestSplitClustersOnTerminalWithout: a terminal that answers the device
// attributes with no report of mode 2027 before them (the program's own
// report aside) gets emoji sequences split; one that reports the mode, set
// or reset, or that the environment names, keeps them whole.
func TestSplitClustersOnTerminalWithout(t *testing.T) {
	t.Cleanup(func() { splitClusters.Store(false) })
	st := openStore(t)
	if _, err := st.CreatePrompt(context.Background(), store.NewPrompt{
		Name: "alerts", Description: "⚠️ pages on-call 👍🏽 then 👩‍💻",
	}, store.NewVersion{Messages: []prompt.Message{{Role: "user", Content: "hi"}}}); err != nil {
		t.Fatal(err)
	}
	const whole, split = "⚠️ pages on-call 👍🏽 then 👩‍💻", "⚠ pages on-call 👍 then 👩💻"
	for _, c := range []struct {
		name      string
		graphemes bool
		reports   []ansi.ModeSetting
		want      string
	}{
		{"no answer", false, nil, split},
		{"not recognised", false, []ansi.ModeSetting{ansi.ModeNotRecognized}, split},
		{"reset", false, []ansi.ModeSetting{ansi.ModeReset}, whole},
		{"permanently set", false, []ansi.ModeSetting{ansi.ModePermanentlySet}, whole},
		{"set (beside the program's own)", false, []ansi.ModeSetting{ansi.ModeSet}, whole},
		{"kitty", true, nil, whole},
	} {
		h := newHarness(t, st, 100, 30, func(d *Deps) { d.Graphemes = c.graphemes })
		h.mustSee(whole) // before the terminal answers
		for _, v := range c.reports {
			h.send(tea.ModeReportMsg{Mode: ansi.ModeUnicodeCore, Value: v})
		}
		h.send(uv.PrimaryDeviceAttributesEvent{62, 22})
		if s := h.screen(); !strings.Contains(s, c.want) {
			t.Errorf("%s: screen lacks %q:\n%s", c.name, c.want, s)
		}
		// A second answer (another query's) changes nothing.
		h.send(tea.ModeReportMsg{Mode: ansi.ModeUnicodeCore, Value: ansi.ModeReset})
		h.send(uv.PrimaryDeviceAttributesEvent{62, 22})
		if s := h.screen(); !strings.Contains(s, c.want) {
			t.Errorf("%s, answered twice: screen lacks %q", c.name, c.want)
		}
	}
}

// TestArenaSplitsForTheTerminalButCopiesWhole: a streamed answer is drawn
// split on a terminal without clustering, and `y` still copies the answer
// as the model wrote it.
func TestArenaSplitsForTheTerminalButCopiesWhole(t *testing.T) {
	t.Cleanup(func() { splitClusters.Store(false) })
	a, seq := arenaSynthetic(t, 120, 34)
	splitClusters.Store(true)
	key := prompt.CellKey{VersionID: a.version.ID, Target: "echo:a"}
	ev := func(e runner.Event) tea.Msg { return arenaEventMsg{seq: seq, ev: e} }
	a = feed(a, ev(runner.CellStarted{Key: key, Attempt: 1}), ev(runner.Delta{Key: key, Text: "⚠️ done 👍🏽"}), arenaFrameMsg{})
	if v := ansi.Strip(a.View()); !strings.Contains(v, "⚠ done 👍") || strings.Contains(v, "⚠️") {
		t.Fatalf("column not split for the terminal:\n%s", v)
	}
	_, cmd := a.copyOutput(0)
	var got string
	for _, m := range cmd().(tea.BatchMsg) {
		if msg := m(); fmt.Sprintf("%T", msg) == "tea.setClipboardMsg" {
			got = reflect.ValueOf(msg).String()
		}
	}
	if got != "⚠️ done 👍🏽" {
		t.Fatalf("copied %q", got)
	}
}
