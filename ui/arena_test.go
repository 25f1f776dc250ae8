package ui

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"whet/config"
	"whet/prompt"
	"whet/runner"
	"whet/store"
)

// arenaHarness is a harness on the seeded library with a fake Ollama (one
// model, fast) and echo:a, echo:b as the config's targets.
func arenaHarness(t *testing.T, w, h int) (*harness, *store.Store) {
	t.Helper()
	st := openStore(t)
	seed(t, st)
	f := newFakeOllama(t, 0, -1)
	hs := newHarness(t, fixedTimeStore{st}, w, h, withTargets(arenaRegistry(t, f.URL, "echo:a", "echo:b")))
	hs.m.arena.newRunID = runIDs()
	return hs, st
}

// lastRun is the newest arena run.
func (h *harness) lastRun() arenaRun {
	h.t.Helper()
	if len(h.m.arena.runs) == 0 {
		h.t.Fatal("no run was started")
	}
	return h.m.arena.runs[len(h.m.arena.runs)-1]
}

func (h *harness) notice() string { return h.m.notice.text }

func TestArenaOpensFromLibraryAndVersions(t *testing.T) {
	h, _ := arenaHarness(t, 120, 34)
	h.key("G", "ctrl+r")
	a := h.m.arena
	if h.m.active != screenArena || a.name != "support/reply" || a.version.Number != 3 || a.pane != arenaPaneSetup {
		t.Fatalf("active %v, arena on %q v%d pane %v", h.m.active, a.name, a.version.Number, a.pane)
	}
	if got := a.values(); !reflect.DeepEqual(got, map[string]string{"customer": "Ana", "ticket": "My order never arrived."}) {
		t.Fatalf("variables prefilled with %v", got)
	}
	if !reflect.DeepEqual(a.picker.selected, []string{"echo:a", "echo:b"}) {
		t.Fatalf("preselected %v, want the config's targets", a.picker.selected)
	}
	var labels []string
	for _, it := range a.picker.items {
		labels = append(labels, it.label+" "+it.detail)
	}
	want := []string{"echo:a default", "echo:b default", "ollama:slow 1B Q4_0 · 1.1 GB", "echo returns the prompt"}
	if !reflect.DeepEqual(labels, want) {
		t.Fatalf("picker lists %q, want %q", labels, want)
	}
	h.mustSee("support/reply@3", "ollama:slow", "PROMPT AS SENT", "Customer Ana wrote:", "[x] echo:a")

	// From the versions screen, on the selected version.
	h.key("2", "j", "ctrl+r")
	if h.m.active != screenArena || h.m.arena.version.Number != 2 {
		t.Fatalf("from versions: active %v, version %d", h.m.active, h.m.arena.version.Number)
	}
	h.mustSee("support/reply@2")
}

func TestArenaRunsEchoAndSavesTheRun(t *testing.T) {
	h, st := arenaHarness(t, 120, 34)
	h.key("G", "ctrl+r", "ctrl+r")
	a := h.m.arena
	if a.pane != arenaPaneColumns || len(a.cols) != 2 || a.running() {
		t.Fatalf("pane %v, %d columns, running %v", a.pane, len(a.cols), a.running())
	}
	msgs, err := prompt.RenderMessages(a.version.Messages, a.values())
	if err != nil {
		t.Fatal(err)
	}
	want := runner.EchoText(msgs)
	for _, c := range a.cols {
		cell := c.cells[0]
		if cell.state != cellDone || cell.text.String() != want || cell.result.Output != want {
			t.Fatalf("%s: state %v text %q", c.spec, cell.state, cell.text.String())
		}
		if cell.id == 0 {
			t.Fatalf("%s: the stored result id was not read back", c.spec)
		}
	}
	h.mustSee("✓ echo:a", "✓ echo:b", "model a", "2→", "run arena0000001 · done", "You are a friendly support agent")

	ctx := context.Background()
	run, err := st.GetRun(ctx, h.lastRun().id)
	if err != nil {
		t.Fatal(err)
	}
	if run.Source != "arena" || run.Status != prompt.RunDone || !reflect.DeepEqual(run.Targets, []string{"echo:a", "echo:b"}) ||
		len(run.Cases) != 1 || run.Cases[0].Vars["customer"] != "Ana" || run.Versions[0].Number != 3 {
		t.Fatalf("stored run %+v", run)
	}
	rs, err := st.Results(ctx, run.ID)
	if err != nil || len(rs) != 2 || rs[0].Output != want {
		t.Fatalf("stored results %+v, %v", rs, err)
	}

	// Changing the setup leaves the columns of the last run, and says so.
	h.mustNotSee("setup changed since")
	h.key("s", "tab")
	h.typ("x")
	h.mustSee("setup changed since: ctrl+r runs it")
}

func TestArenaRatesAndNotes(t *testing.T) {
	h, st := arenaHarness(t, 120, 34)
	h.key("G", "ctrl+r", "ctrl+r")
	ctx := context.Background()
	runID := h.lastRun().id
	rs, err := st.Results(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	idOf := map[string]int64{}
	for _, r := range rs {
		idOf[r.Target] = r.ID
	}

	// A note before a rating says how to rate: v, then a digit (a bare
	// digit switches screens).
	h.key("n")
	if n := h.notice(); !strings.Contains(n, "rate it first (v, then 1–5)") {
		t.Fatalf("note before a rating: %q", n)
	}
	h.key("v", "4") // a rating, not the Arena tab
	if h.m.active != screenArena {
		t.Fatalf("v 4 left the Arena for %v", h.m.active)
	}
	h.key("n")
	h.typ("polite but long")
	h.key("enter")
	h.key("l", "v", "2")
	h.mustSee("★★★★☆ 4/5 polite but long", "★★☆☆☆ 2/5")
	if !strings.Contains(h.notice(), "rated echo:b 2/5") {
		t.Fatalf("notice %q", h.notice())
	}
	scores, err := st.Scores(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		id     int64
		value  float64
		reason string
	}
	var all []got
	for _, s := range scores {
		if s.Scorer != "human" || s.Author != "tester" {
			t.Fatalf("score %+v", s)
		}
		all = append(all, got{s.ResultID, s.Value, s.Reason})
	}
	want := []got{{idOf["echo:a"], 0.75, ""}, {idOf["echo:a"], 0.75, "polite but long"}, {idOf["echo:b"], 0.25, ""}}
	order := func(gs []got) {
		sort.SliceStable(gs, func(i, j int) bool { return gs[i].id < gs[j].id })
	}
	order(all)
	order(want)
	if !reflect.DeepEqual(all, want) {
		t.Fatalf("scores %+v, want %+v", all, want)
	}
}

func TestArenaRepeatShowsConsistency(t *testing.T) {
	h, st := arenaHarness(t, 120, 34)
	h.key("G", "ctrl+r", "+", "+", "+", "-")
	if h.m.arena.repeat != 3 {
		t.Fatalf("repeat %d, want 3", h.m.arena.repeat)
	}
	h.key("ctrl+r")
	c := h.m.arena.cols[0]
	if len(c.cells) != 3 {
		t.Fatalf("%d cells, want 3", len(c.cells))
	}
	if same, of := c.consistency(); same != 3 || of != 3 {
		t.Fatalf("consistency %d/%d", same, of)
	}
	h.mustSee("✓ echo:a #1", "✓ stop · 3/3 · same 100%")
	// A column too narrow for it all (three targets at 80 columns) keeps
	// the consistency whole: "stop" goes.
	if got := ansi.Strip(c.stateLine(h.m.arena, c.cells[0], time.Now(), 22)); got != "✓ · 3/3 · same 100%" {
		t.Fatalf("state line at 22 cells: %q", got)
	}
	h.key("]")
	h.mustSee("✓ echo:a #2")
	rs, err := st.Results(context.Background(), h.lastRun().id)
	if err != nil || len(rs) != 6 {
		t.Fatalf("%d results, %v; want 6", len(rs), err)
	}
	for i := 0; i < 30; i++ {
		h.key("-")
	}
	if h.m.arena.repeat != 1 {
		t.Fatalf("repeat %d after many -, want 1", h.m.arena.repeat)
	}
}

func TestArenaRefusesAMissingVariable(t *testing.T) {
	h, _ := arenaHarness(t, 120, 34)
	h.key("G", "ctrl+r", "tab")
	if !h.m.capturesText() {
		t.Fatal("the variables form does not take text")
	}
	h.key("backspace", "backspace", "backspace") // customer was "Ana"
	h.key("ctrl+r")
	a := h.m.arena
	if len(a.runs) != 0 || a.pane != arenaPaneSetup || a.focus != arenaFocusVars || a.varCursor != 0 {
		t.Fatalf("runs %d pane %v focus %v cursor %d", len(a.runs), a.pane, a.focus, a.varCursor)
	}
	if !strings.Contains(h.notice(), "customer") {
		t.Fatalf("notice %q does not name the variable", h.notice())
	}
	h.mustSee("customer=?")
	h.typ("Bo")
	h.key("ctrl+r")
	if len(h.m.arena.runs) != 1 || h.m.arena.cols[0].cells[0].state != cellDone {
		t.Fatal("the run did not happen once the variable was filled")
	}
	if got := h.m.arena.cols[0].cells[0].text.String(); !strings.Contains(got, "Customer Bo wrote") {
		t.Fatalf("output %q", got)
	}
}

func TestArenaPicker(t *testing.T) {
	h, _ := arenaHarness(t, 120, 34)
	h.key("G", "ctrl+r")
	h.key("space") // echo:a off
	if !reflect.DeepEqual(h.m.arena.picker.selected, []string{"echo:b"}) {
		t.Fatalf("selected %v", h.m.arena.picker.selected)
	}
	h.key("/")
	h.typ("slow")
	h.key("enter", "space")
	if !reflect.DeepEqual(h.m.arena.picker.selected, []string{"echo:b", "ollama:slow"}) {
		t.Fatalf("selected %v after filtering", h.m.arena.picker.selected)
	}
	h.key("/", "esc")
	if len(h.m.arena.picker.rows) != len(h.m.arena.picker.items) {
		t.Fatal("esc did not clear the filter")
	}

	// An unknown provider is refused in the dialog.
	h.key("a")
	h.typ("nope:x")
	h.key("enter")
	if len(h.m.dialogs) != 1 || !strings.Contains(h.screen(), "nope") {
		t.Fatalf("the dialog accepted an unknown provider:\n%s", h.screen())
	}
	h.key("esc")
	for _, s := range []string{"c", "d", "e", "f", "g", "h"} {
		h.key("a")
		h.typ("echo:" + s)
		h.key("enter")
	}
	if n := len(h.m.arena.picker.selected); n != arenaMaxTargets {
		t.Fatalf("%d selected, want %d", n, arenaMaxTargets)
	}
	h.key("a")
	h.typ("echo:i")
	h.key("enter")
	if n := len(h.m.arena.picker.selected); n != arenaMaxTargets || !strings.Contains(h.notice(), "at most 8") {
		t.Fatalf("%d selected, notice %q", n, h.notice())
	}
	h.mustSee("8 of max 8", "[x] echo:h", "[ ] echo:i")

	// Eight columns at 120 wide: five are drawn, the focus scrolls.
	h.key("ctrl+r")
	a := h.m.arena
	if len(a.cols) != 8 || a.columnsShown() != 5 {
		t.Fatalf("%d columns, %d shown", len(a.cols), a.columnsShown())
	}
	h.mustSee("✓ echo:b", "◀ 0 · 3 ▶")
	h.key("h") // wraps to the last column
	if h.m.arena.colFocus != 7 || h.m.arena.colFirst != 3 {
		t.Fatalf("focus %d first %d", h.m.arena.colFocus, h.m.arena.colFirst)
	}
	h.mustSee("✓ echo:h", "◀ 3 · 0 ▶")
}

// An alias whose target is echo and echo itself run the same target:
// picking one ticks that row only, the other says which row picked it
// ([=]); space there takes the tick over, the target still picked once.
func TestArenaPickerAliasOfAPickedTarget(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	cfg, err := config.Parse("arena-test.yaml", []byte("aliases:\n  dry: echo\n"), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 80, 24, withTargets(runner.NewRegistry(cfg)))
	h.key("G", "ctrl+r")
	to := func(label string) {
		t.Helper()
		p := h.m.arena.picker
		for i, r := range p.rows {
			if p.items[r].label == label {
				for ; i > h.m.arena.picker.cursor; i-- {
					h.key("j")
				}
				return
			}
		}
		t.Fatalf("no row %q:\n%s", label, h.screen())
	}
	rows := func() (dry, echo string) {
		return lineWith(h.screen(), "] dry "), lineWith(h.screen(), "] echo ")
	}
	to("echo")
	h.key("space")
	if dry, echo := rows(); !strings.Contains(echo, "[x] echo") || !strings.Contains(dry, "[=] dry") || !strings.Contains(dry, "picked as echo") {
		t.Fatalf("echo picked:\n%s", h.screen())
	}
	h.key("k")
	to("dry")
	h.key("space")
	if dry, echo := rows(); !strings.Contains(dry, "[x] dry") || !strings.Contains(echo, "[=] echo") || !strings.Contains(echo, "picked as dry") {
		t.Fatalf("dry took the tick:\n%s", h.screen())
	}
	if !reflect.DeepEqual(h.m.arena.picker.selected, []string{"echo"}) || !strings.Contains(h.notice(), "dry is the same target as echo: picked once") {
		t.Fatalf("selected %v, notice %q", h.m.arena.picker.selected, h.notice())
	}
	h.mustSee("Targets 1 of max 8")
	h.key("space")
	if dry, echo := rows(); !strings.Contains(dry, "[ ] dry") || !strings.Contains(echo, "[ ] echo") || len(h.m.arena.picker.selected) != 0 {
		t.Fatalf("unpicked:\n%s", h.screen())
	}

	// Picked by its name, typed or from the Models screen, the alias's
	// row is ticked.
	h.key("a")
	h.typ("dry")
	h.key("enter")
	if dry, _ := rows(); !strings.Contains(dry, "[x] dry") {
		t.Fatalf("typed dry:\n%s", h.screen())
	}
	h.key("space")
	h.key("9")
	h.mustSee("dry → echo")
	for h.m.models.cursor < len(h.m.models.rows) && h.m.models.rows[h.m.models.cursor].label != "dry" {
		h.key("j")
	}
	h.key("enter")
	if h.m.active != screenArena {
		t.Fatalf("enter on Models went to %v", h.m.active)
	}
	if dry, echo := rows(); !strings.Contains(dry, "[x] dry") || !strings.Contains(echo, "[=] echo") {
		t.Fatalf("dry from Models:\n%s", h.screen())
	}
}

// A configured Ollama model its server does not list says it is not
// pulled; one it lists does not.
func TestArenaPickerSaysNotPulled(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	f := newFakeOllama(t, 0, -1)
	h := newHarness(t, fixedTimeStore{st}, 120, 34, withTargets(arenaRegistry(t, f.URL, "ollama:mistral", "ollama:slow")))
	h.key("G", "ctrl+r")
	h.mustSee("ollama:mistral")
	if l := lineWith(h.screen(), "] ollama:mistral"); !strings.Contains(l, "default · not pulled") {
		t.Fatalf("mistral row:\n%s", h.screen())
	}
	if l := lineWith(h.screen(), "] ollama:slow"); strings.Contains(l, "not pulled") {
		t.Fatalf("slow row:\n%s", h.screen())
	}
}

func TestArenaCaseFromSuite(t *testing.T) {
	h, st := arenaHarness(t, 120, 34)
	_, err := st.CreateSuite(context.Background(), prompt.Suite{Name: "tickets", Prompt: "support/reply", Cases: []prompt.Case{
		{Name: "late", Vars: map[string]string{"customer": "Cy", "ticket": "Late again."}},
		{Name: "broken", Vars: map[string]string{"customer": "Di", "ticket": "It broke."}},
	}}, "t")
	if err != nil {
		t.Fatal(err)
	}
	h.key("G", "ctrl+r", "c")
	if len(h.m.dialogs) != 1 {
		t.Fatalf("no case dialog:\n%s", h.screen())
	}
	h.mustSee("the prompt's defaults", "tickets / late", "tickets / broken")
	h.key("j", "j", "enter")
	a := h.m.arena
	if got := a.values(); got["customer"] != "Di" || got["ticket"] != "It broke." || a.caseName != "tickets / broken" {
		t.Fatalf("values %v case %q", got, a.caseName)
	}
	h.mustSee("case tickets / broken", "Customer Di wrote:")
	h.key("ctrl+r")
	run, err := st.GetRun(context.Background(), h.lastRun().id)
	if err != nil || run.Cases[0].Name != "tickets / broken" || run.Cases[0].Vars["customer"] != "Di" {
		t.Fatalf("run cases %+v, %v", run.Cases, err)
	}
}

func TestArenaMarkdownRawCopyAndMouse(t *testing.T) {
	st := openStore(t)
	seedArenaDemo(t, st)
	f := newFakeOllama(t, 0, -1)
	h := newHarness(t, fixedTimeStore{st}, 120, 34, withTargets(arenaRegistry(t, f.URL, "echo:a", "echo:b")))
	h.key("ctrl+r", "ctrl+r")
	h.mustSee("• apple", "• pear", "Markdown.")
	h.mustNotSee("- apple", "**Markdown**")
	h.key("m")
	h.mustSee("- apple", "**Markdown**")
	h.key("m")
	h.mustSee("• apple")

	h.key("y")
	if !strings.Contains(h.notice(), "copied") || !strings.Contains(h.notice(), "of echo:a") {
		t.Fatalf("notice %q", h.notice())
	}
	// A click on the second column focuses it.
	x := h.m.arena.colWidth(0) + 3
	h.send(tea.MouseClickMsg{X: x, Y: headerRows + arenaTopRows + 4, Button: tea.MouseLeft})
	if h.m.arena.colFocus != 1 {
		t.Fatalf("focus %d after a click on the second column", h.m.arena.colFocus)
	}
	h.key("y")
	if !strings.Contains(h.notice(), "of echo:b") {
		t.Fatalf("notice %q", h.notice())
	}
}

// arenaSynthetic opens the Arena on support/reply with echo:a and echo:b,
// starts a run without executing it, and returns the Arena model and the
// run's seq: tests then feed it events by hand.
func arenaSynthetic(t *testing.T, w, h int) (arenaModel, int) {
	t.Helper()
	hs, _ := arenaHarness(t, w, h)
	hs.key("G", "ctrl+r")
	a, _ := hs.m.arena.runAll()
	seq := a.nextSeq
	a, _ = a.Update(arenaRunStartedMsg{seq: seq, id: "synthetic01"})
	return a, seq
}

func feed(a arenaModel, msgs ...tea.Msg) arenaModel {
	for _, m := range msgs {
		a, _ = a.Update(m)
	}
	return a
}

func TestArenaRetryResetsColumnAndTextIsSanitised(t *testing.T) {
	a, seq := arenaSynthetic(t, 120, 34)
	key := prompt.CellKey{VersionID: a.version.ID, Target: "echo:a"}
	ev := func(e runner.Event) tea.Msg { return arenaEventMsg{seq: seq, ev: e} }
	a = feed(a, ev(runner.CellStarted{Key: key, Attempt: 1}), ev(runner.Delta{Key: key, Text: "first \x1b[31mred\x1b[0m\x1b]0;pwned\a try"}))
	if a.cols[0].wrap.count() != 0 {
		t.Fatal("text was wrapped before the frame tick")
	}
	a = feed(a, arenaFrameMsg{})
	body := strings.Join(a.cols[0].wrap.lines(), "\n")
	if body != "first red try" {
		t.Fatalf("wrapped %q", body)
	}
	if strings.Contains(a.View(), "pwned") || strings.Contains(ansi.Strip(a.View()), "\x1b") {
		t.Fatal("escape sequences from the output reached the screen")
	}
	a = feed(a, ev(runner.CellRetry{Key: key, Attempt: 2, Err: errors.New("503 busy")}), arenaFrameMsg{})
	plain := ansi.Strip(a.View())
	if strings.Contains(plain, "first red") || !strings.Contains(plain, "retry 2: 503 busy") {
		t.Fatalf("after a retry:\n%s", plain)
	}
	a = feed(a, ev(runner.CellStarted{Key: key, Attempt: 2}), ev(runner.Delta{Key: key, Text: "second"}), ev(runner.Delta{Key: key, Text: " attempt"}), arenaFrameMsg{})
	if got := strings.Join(a.cols[0].wrap.lines(), "\n"); got != "second attempt" {
		t.Fatalf("after the second attempt: %q", got)
	}
	// Events of another run are dropped.
	a = feed(a, arenaEventMsg{seq: seq + 7, ev: runner.Delta{Key: key, Text: " stale"}}, arenaFrameMsg{})
	if got := a.cols[0].cells[0].text.String(); got != "second attempt" {
		t.Fatalf("a stale event changed the text: %q", got)
	}
	res := prompt.Result{RunID: "synthetic01", VersionID: key.VersionID, Target: "echo:a", Output: "second attempt", FinishReason: "stop",
		TTFT: 120 * time.Millisecond, Latency: 1500 * time.Millisecond, TokensIn: 10, TokensOut: 2, Model: "a"}
	a = feed(a, ev(runner.CellDone{Result: res}), ev(runner.RunDone{RunID: "synthetic01", Status: prompt.RunInterrupted, Err: context.Canceled}), arenaFrameMsg{})
	if a.running() || a.cols[0].cells[0].state != cellDone || a.cols[1].cells[0].state != cellCancelled {
		t.Fatalf("running %v, states %v %v", a.running(), a.cols[0].cells[0].state, a.cols[1].cells[0].state)
	}
	plain = ansi.Strip(a.View())
	for _, want := range []string{"✓ echo:a", "◼ echo:b", "cancelled", "ttft 120ms · 1.4 tok/s · 1.50s", "10→2 tok · $0", "run synthetic01 · cancelled"} {
		if !strings.Contains(plain, want) {
			t.Fatalf("view lacks %q:\n%s", want, plain)
		}
	}
}

func TestArenaScrollFollowsAndStops(t *testing.T) {
	a, seq := arenaSynthetic(t, 120, 34)
	key := prompt.CellKey{VersionID: a.version.ID, Target: "echo:a"}
	ev := func(e runner.Event) tea.Msg { return arenaEventMsg{seq: seq, ev: e} }
	a = feed(a, ev(runner.CellStarted{Key: key, Attempt: 1}))
	for i := 0; i < 100; i++ {
		a = feed(a, ev(runner.Delta{Key: key, Text: "line " + itoa(i) + "\n"}))
	}
	a = feed(a, arenaFrameMsg{})
	if !strings.Contains(a.View(), "line 99") || strings.Contains(a.View(), "line 0\n") {
		t.Fatal("a streaming column does not follow its end")
	}
	a = feed(a, tea.MouseWheelMsg{X: 2, Y: arenaTopRows + 8, Button: tea.MouseWheelUp})
	if a.cols[0].follow {
		t.Fatal("scrolling up did not stop following")
	}
	if strings.Contains(a.View(), "line 0 ") {
		t.Fatal("one wheel step showed the top")
	}
	a = feed(a, keyPress("g"))
	if plain := ansi.Strip(a.View()); !strings.Contains(plain, "line 0 ") || strings.Contains(plain, "line 99") {
		t.Fatalf("g did not go to the top:\n%s", plain)
	}
	a = feed(a, ev(runner.Delta{Key: key, Text: "line 100\n"}), arenaFrameMsg{})
	if strings.Contains(a.View(), "line 100") {
		t.Fatal("new text pulled a column the user scrolled up")
	}
	a = feed(a, keyPress("G"))
	if !a.cols[0].follow || !strings.Contains(a.View(), "line 100") {
		t.Fatal("G did not resume following")
	}
}

// A column that followed its stream to the end keeps showing the end once
// it finishes, and scrolls up and home from there; one the user scrolled
// up stays where they left it when it finishes.
func TestArenaFinishedColumnScrolls(t *testing.T) {
	for _, scrolled := range []bool{false, true} {
		a, seq := arenaSynthetic(t, 120, 34)
		key := prompt.CellKey{VersionID: a.version.ID, Target: "echo:a"}
		ev := func(e runner.Event) tea.Msg { return arenaEventMsg{seq: seq, ev: e} }
		a = feed(a, ev(runner.CellStarted{Key: key, Attempt: 1}))
		var out strings.Builder
		for i := 0; i < 100; i++ {
			line := "line " + itoa(i) + "\n"
			out.WriteString(line)
			a = feed(a, ev(runner.Delta{Key: key, Text: line}))
		}
		a = feed(a, arenaFrameMsg{})
		if scrolled {
			a = feed(a, keyPress("g"))
		}
		a = feed(a, keyPress("ctrl+d"))
		before := ansi.Strip(a.View())
		res := prompt.Result{RunID: "synthetic01", VersionID: key.VersionID, Target: "echo:a", Output: out.String(), FinishReason: "stop"}
		a = feed(a, ev(runner.CellDone{Result: res}), ev(runner.RunDone{RunID: "synthetic01", Status: prompt.RunDone}), arenaFrameMsg{})
		a.raw = true // the text as it streamed, not its Markdown rendering
		plain := ansi.Strip(a.View())
		top := func(view string) string {
			i := strings.Index(view, "line ")
			if i < 0 {
				return ""
			}
			return strings.Fields(view[i:])[1]
		}
		switch {
		case scrolled && (top(plain) != top(before) || top(before) == "0"):
			t.Fatalf("finishing moved a column the user scrolled to line %s:\n%s", top(before), plain)
		case !scrolled && !strings.Contains(plain, "line 99"):
			t.Fatalf("a column that followed its stream does not show its end when done:\n%s", plain)
		}
		a = feed(a, keyPress("k"))
		if !scrolled && strings.Contains(ansi.Strip(a.View()), "line 99") {
			t.Fatal("k on a finished column at its end did not scroll up")
		}
		a = feed(a, keyPress("g"))
		if plain := ansi.Strip(a.View()); !strings.Contains(plain, "line 0 ") {
			t.Fatalf("g on a finished column did not go to the top:\n%s", plain)
		}
	}
}

// TestArenaWrapIncremental checks that wrapping text as it arrives, in any
// chunks, gives the rows wrapping it at once gives.
func TestArenaWrapIncremental(t *testing.T) {
	text := strings.Repeat("The quick brown fox jumps over the lazy dog; supercalifragilisticexpialidocious words break. ", 12) +
		"\n\nindented\n    code line here\n" + "日本語のテキストも折り返す。" + strings.Repeat("x", 90) + "  trailing   spaces  "
	rng := rand.New(rand.NewSource(1))
	for _, width := range []int{7, 16, 33, 80} {
		whole := &arenaWrap{width: width}
		whole.feed(text)
		for _, r := range whole.lines() {
			if textCells(r) > width {
				t.Fatalf("width %d: row %q is %d cells", width, r, textCells(r))
			}
		}
		for trial := 0; trial < 20; trial++ {
			inc := &arenaWrap{width: width}
			rest := text
			for rest != "" {
				n := 1 + rng.Intn(12)
				for n < len(rest) && !utf8RuneStart(rest[n]) {
					n++
				}
				n = min(n, len(rest))
				inc.feed(rest[:n])
				rest = rest[n:]
			}
			if !reflect.DeepEqual(inc.lines(), whole.lines()) {
				t.Fatalf("width %d: incremental rows\n%q\ndiffer from\n%q", width, inc.lines(), whole.lines())
			}
		}
	}
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

func TestArenaFitsEverySize(t *testing.T) {
	flows := map[string][]string{
		"empty":    {"4"},
		"setup":    {"G", "ctrl+r"},
		"vars":     {"G", "ctrl+r", "tab"},
		"columns":  {"G", "ctrl+r", "ctrl+r"},
		"repeats":  {"G", "ctrl+r", "+", "ctrl+r", "v", "4", "l"},
		"help":     {"G", "ctrl+r", "ctrl+r", "?"},
		"addspec":  {"G", "ctrl+r", "a"},
		"note":     {"G", "ctrl+r", "ctrl+r", "v", "3", "n"},
		"caseless": {"G", "ctrl+r", "c"},
	}
	for name, keys := range flows {
		for _, sz := range [][2]int{{60, 20}, {80, 24}, {100, 30}, {140, 40}} {
			t.Run(name+"_"+itoa(sz[0])+"x"+itoa(sz[1]), func(t *testing.T) {
				h, _ := arenaHarness(t, sz[0], sz[1])
				h.key(keys...)
				assertFits(t, h.screen(), sz[0], sz[1])
			})
		}
	}
}

func TestArenaArrowsStayInTheVariables(t *testing.T) {
	h, _ := arenaHarness(t, 120, 34)
	h.key("G", "ctrl+r", "tab")
	a := h.m.arena
	if a.focus != arenaFocusVars || len(a.vars) < 2 {
		t.Fatalf("focus %v with %d variables", a.focus, len(a.vars))
	}
	h.key("down", "down", "down", "down")
	if a := h.m.arena; a.focus != arenaFocusVars || a.varCursor != len(a.vars)-1 {
		t.Fatalf("down at the last variable: focus %v cursor %d", a.focus, a.varCursor)
	}
	h.key("up", "up", "up", "up")
	if a := h.m.arena; a.focus != arenaFocusVars || a.varCursor != 0 {
		t.Fatalf("up at the first variable: focus %v cursor %d", a.focus, a.varCursor)
	}
	// tab still leaves them.
	h.key("shift+tab")
	if h.m.arena.focus == arenaFocusVars {
		t.Fatal("shift+tab stayed in the variables")
	}
}

func TestTimingLine(t *testing.T) {
	now := time.Now()
	failed := arenaCell{state: cellFailed, result: prompt.Result{Latency: 300 * time.Millisecond, Error: "boom"}}
	if got := timingLine(failed, now, 40); strings.Contains(got, "ttft") || !strings.Contains(got, "300ms") {
		t.Errorf("a failed call that never sent a token: %q", got)
	}
	done := arenaCell{state: cellDone, result: prompt.Result{TTFT: 120 * time.Millisecond, Latency: 1500 * time.Millisecond, TokensOut: 2}}
	if got := timingLine(done, now, 40); got != "ttft 120ms · 1.4 tok/s · 1.50s" {
		t.Errorf("a finished call: %q", got)
	}
	// A narrow column keeps the latency whole: the time to the first
	// token goes first, then the speed.
	if got := timingLine(done, now, 22); got != "1.4 tok/s · 1.50s" {
		t.Errorf("at 22 cells: %q", got)
	}
	if got := timingLine(done, now, 12); got != "1.50s" {
		t.Errorf("at 12 cells: %q", got)
	}
}

// TestArenaPickerShowsWholeNames: at 80 columns the picker shows the whole
// name of a model, which tells ollama:llama3.2:1b from :3b; the detail
// beside it is cut first.
func TestArenaPickerShowsWholeNames(t *testing.T) {
	h := newHarness(t, openStore(t), 80, 24)
	p := newArenaPicker(h.m.sh)
	p.items = []arenaTarget{
		{spec: "ollama:llama3.2:1b", label: "ollama:llama3.2:1b", detail: "1.2B Q8_0 · 1.3 GB"},
		{spec: "ollama:llama3.2:3b", label: "ollama:llama3.2:3b", detail: "3.2B Q4_K_M · 2.0 GB"},
		{spec: "echo", label: "echo", detail: "default"},
	}
	p.refilter()
	view := ansi.Strip(p.view(32, 10, true))
	for _, want := range []string{"ollama:llama3.2:1b 1.2B", "ollama:llama3.2:3b 3.2B", "echo"} {
		if !strings.Contains(view, want) {
			t.Errorf("the picker does not show %q:\n%s", want, view)
		}
	}
}

// TestArenaRatePromptFitsAt80: after v, an 80-column status bar still shows
// which keys rate, even with a long target name.
func TestArenaRatePromptFitsAt80(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	f := newFakeOllama(t, 0, -1)
	h := newHarness(t, fixedTimeStore{st}, 80, 24, withTargets(arenaRegistry(t, f.URL, "echo:a-rather-long-model-name", "echo:b")))
	h.key("G", "ctrl+r", "ctrl+r", "v")
	last := strings.Split(h.screen(), "\n")
	if line := last[len(last)-1]; !strings.Contains(line, "press 1–5") {
		t.Fatalf("the status bar does not say how to rate: %q", line)
	}
}

// TestArenaHelpNamesRepeatKeys: the help lists [ and ] once each, by what
// they do.
func TestArenaHelpNamesRepeatKeys(t *testing.T) {
	h, _ := arenaHarness(t, 120, 40)
	h.key("G", "ctrl+r", "ctrl+r")
	h.key("?")
	h.mustSee("[     previous repeat", "]     next repeat")
	h.mustNotSee("[/]")
}

// A sample value holding an escape sequence or a bidi override shows in
// its variable field sanitised, as the prompt preview shows it.
func TestArenaVariablesAreSanitised(t *testing.T) {
	h, st := arenaHarness(t, 120, 34)
	if _, err := st.CreatePrompt(context.Background(), store.NewPrompt{Name: "evil/vars",
		Defaults: map[string]string{"x": "v \x1b]8;;http://e.example\x1b\\link\x1b]8;;\x1b\\ \u202eend"}}, storeNewVersion("say {{x}}")); err != nil {
		t.Fatal(err)
	}
	h.send(arenaOpenMsg{name: "evil/vars"})
	// The value is sent as saved, as `whet run` sends it; only the screen
	// leaves the controls out.
	if got := h.m.arena.values()["x"]; got != "v \x1b]8;;http://e.example\x1b\\link\x1b]8;;\x1b\\ \u202eend" {
		t.Fatalf("variable sent as %q", got)
	}
	if v := h.m.render(); strings.ContainsRune(v, '\u202e') || strings.Contains(v, "]8;;") {
		t.Fatalf("the Arena draws a sample value's controls:\n%s", h.screen())
	}
}

// TestArenaKeepsMultiLineValues: a document, a diff or an e-mail as a
// default or a case's variable is sent line for line, as `whet run` sends
// it, though its field is one line (each break a ⏎, each tab a ⇥); an
// edited field, or a multi-line paste into it, keeps its line breaks and
// tabs.
func TestArenaKeepsMultiLineValues(t *testing.T) {
	h, st := arenaHarness(t, 120, 34)
	ctx := context.Background()
	doc := "NORTHWIND LTD\n14 Harbour Road\n\nQty\tItem\n40\tflour"
	if _, err := st.CreatePrompt(ctx, store.NewPrompt{Name: "extract/doc", Defaults: map[string]string{"doc": doc, "lang": "en"}},
		storeNewVersion("<document>\n{{doc}}\n</document> in {{lang}}")); err != nil {
		t.Fatal(err)
	}
	diff := "--- a/x.go\n+++ b/x.go\n@@ -1 +1 @@\n-\told\n+\tnew"
	if _, err := st.CreateSuite(ctx, prompt.Suite{Name: "docs", Prompt: "extract/doc", Cases: []prompt.Case{
		{Name: "diff", Vars: map[string]string{"doc": diff, "lang": "go"}},
	}}, "t"); err != nil {
		t.Fatal(err)
	}
	h.send(arenaOpenMsg{name: "extract/doc"})
	if got := h.m.arena.values()["doc"]; got != doc {
		t.Fatalf("default sent as %q, want %q", got, doc)
	}
	h.mustSee("doc  NORTHWIND LTD⏎14 Harbour Road⏎⏎Qty⇥Item⏎40⇥flour", "14 Harbour Road")

	h.key("c", "j", "enter")
	if got := h.m.arena.values()["doc"]; got != diff {
		t.Fatalf("the case's variable sent as %q, want %q", got, diff)
	}
	h.key("ctrl+r")
	run, err := st.GetRun(ctx, h.lastRun().id)
	if err != nil || run.Cases[0].Vars["doc"] != diff {
		t.Fatalf("run cases %+v, %v", run.Cases, err)
	}
	rs, err := st.Results(ctx, run.ID)
	if err != nil || len(rs) == 0 || !strings.Contains(rs[0].Output, "<document>\n"+diff+"\n</document>") {
		t.Fatalf("results %+v, %v", rs, err)
	}

	// Edited: typed text goes in, each ⏎ comes back a line break, each ⇥
	// a tab.
	h.key("esc", "tab")
	h.key("end")
	h.typ("!")
	if got, want := h.m.arena.values()["doc"], "--- a/x.go\n+++ b/x.go\n@@ -1 +1 @@\n-\told\n+\tnew!"; got != want {
		t.Fatalf("edited value %q, want %q", got, want)
	}
	// A paste keeps its lines.
	h.key("down")
	h.send(tea.PasteMsg{Content: "\r\nline one\r\nline two"})
	if got := h.m.arena.values()["lang"]; got != "go\nline one\nline two" {
		t.Fatalf("pasted value %q", got)
	}
}

// TestArenaTitleKeepsAGap: a title cut to make room for the run's state
// still has a space before it.
func TestArenaTitleKeepsAGap(t *testing.T) {
	h, _ := arenaHarness(t, 120, 34)
	h.key("G", "ctrl+r", "ctrl+r")
	a := h.m.arena
	for w := 40; w <= 70; w++ {
		a.w = w
		line := ansi.Strip(a.titleView())
		if !strings.Contains(line, " run arena0000001 · done") || ansi.StringWidth(line) != w {
			t.Fatalf("width %d: title %q (%d cells)", w, line, ansi.StringWidth(line))
		}
	}
}

// TestArenaClickPicksTargetRow: a click on a target's row in the setup
// selects it, wherever the row is drawn.
func TestArenaClickPicksTargetRow(t *testing.T) {
	for _, size := range [][2]int{{120, 34}, {60, 20}} {
		h, _ := arenaHarness(t, size[0], size[1])
		h.key("G", "ctrl+r", "tab") // the focus goes to the variables
		lines := strings.Split(h.screen(), "\n")
		y := -1
		for i, l := range lines {
			if strings.Contains(l, "ollama:sl") {
				y = i
			}
		}
		if y < 0 {
			t.Fatalf("%v: no ollama row in\n%s", size, h.screen())
		}
		h.send(tea.MouseClickMsg{X: 5, Y: y, Button: tea.MouseLeft})
		if a := h.m.arena; a.focus != arenaFocusTargets || a.picker.items[a.picker.rows[a.picker.cursor]].spec != "ollama:slow" {
			t.Fatalf("%v: after a click on the ollama row the focus is %v on %q", size, a.focus, a.picker.items[a.picker.rows[a.picker.cursor]].spec)
		}
		if !strings.Contains(strings.Split(h.screen(), "\n")[y], "▌") {
			t.Fatalf("%v: the clicked row is not drawn selected:\n%s", size, h.screen())
		}
		// A click on the hint line above the rows selects nothing.
		h.send(tea.MouseClickMsg{X: 5, Y: headerRows + arenaTopRows + 1, Button: tea.MouseLeft})
		if a := h.m.arena; a.picker.items[a.picker.rows[a.picker.cursor]].spec != "ollama:slow" {
			t.Fatalf("%v: a click on the hint line moved the selection", size)
		}
	}
}

// A cancelled Arena run's notice keeps the command that finishes it whole
// in an 80-column status bar (78 cells of room without the database).
func TestRunSavedTextFitsAt80Columns(t *testing.T) {
	if got := runSavedText("1m87epkrjcwy", 3, 0, 0); got != "run 1m87epkrjcwy saved: 3 outputs" {
		t.Fatalf("done: %q", got)
	}
	got := runSavedText("1m87epkrjcwy", 12, 2, 18)
	if !strings.HasSuffix(got, "whet run --resume 1m87epkrjcwy") || ansi.StringWidth(got) > 78 {
		t.Fatalf("cancelled: %q (%d cells)", got, ansi.StringWidth(got))
	}
}

// The focused column's rating hint tightens rather than cutting "y copy"
// in a narrow column (three targets at 80 columns leave 22 cells).
func TestArenaRatingHintFitsANarrowColumn(t *testing.T) {
	h, _ := arenaHarness(t, 120, 34)
	h.key("G", "ctrl+r", "ctrl+r")
	c := h.m.arena.cols[0]
	for w, want := range map[int]string{40: "v rate · n note · y copy", 22: "v rate  n note  y copy", 15: "v rate · n note"} {
		if got := ansi.Strip(c.ratingLine(h.m.arena, c.cells[0], true, w)); got != want {
			t.Errorf("at %d cells: %q, want %q", w, got, want)
		}
	}
}

// TestArenaUnfinishedAnswerIsAWarning: an answer cut short or filtered
// says its finish reason in the warning style, not as a whole answer does.
func TestArenaUnfinishedAnswerIsAWarning(t *testing.T) {
	h, _ := arenaHarness(t, 120, 34)
	st := h.m.arena.sh.styles()
	if st.OK.Render("x") == st.Warn.Render("x") {
		t.Fatal("the harness draws warnings as OK: the test shows nothing")
	}
	c := arenaColumn{cells: []arenaCell{{state: cellDone}}}
	for reason, want := range map[string]string{
		"stop":           st.OK.Render("✓ stop"),
		"length":         st.Warn.Render("✓ length"),
		"content_filter": st.Warn.Render("✓ content_filter"),
	} {
		c.cells[0].result.FinishReason = reason
		if got := c.stateLine(h.m.arena, c.cells[0], time.Now(), 60); got != want {
			t.Errorf("%s: state line %q, want %q", reason, got, want)
		}
	}
}

// A streamed column never shows half of an escape sequence or a "\r\n"
// split between two pieces of text as text: the pieces are held back until
// the rest arrives, and once the cell is done the rows are those of the
// whole output.
func TestArenaStreamHoldsSplitSequences(t *testing.T) {
	text := "title \x1b]0;PWNED\x07 and \x1b]8;;https://x.example\x1b\\link\x1b]8;;\x1b\\ red \x1b[31mRED\x1b[0m line\r\nnext \x1b"
	whole := &arenaWrap{width: 40}
	whole.feed(text)
	for k := 1; k < len(text); k++ {
		cell := arenaCell{state: cellRunning}
		cell.setText(text[:k])
		c := arenaColumn{cells: []arenaCell{cell}, wrap: &arenaWrap{cell: -1}}
		c = c.rewrap(40, false)
		c.cells[0].text.WriteString(text[k:])
		c = c.rewrap(40, false)
		got := strings.Join(c.wrap.lines(), "\n")
		for _, bad := range []string{"]0;", "PWNED", "8;;", "31m", "\n\n"} {
			if strings.Contains(got, bad) {
				t.Fatalf("split at %d (%q | %q): the column shows %q", k, text[:k], text[k:], got)
			}
		}
		c.cells[0].state = cellDone
		if c.stale(40) { // as the Arena redraws a column
			c = c.rewrap(40, false)
		}
		if !reflect.DeepEqual(c.wrap.lines(), whole.lines()) {
			t.Fatalf("split at %d: rows\n%q\nwant\n%q", k, c.wrap.lines(), whole.lines())
		}
	}
}

// A tab in a finished output's code block is drawn as spaces: the terminal
// would move a tab to its next stop, past the column's border, and
// lipgloss would wrap the line into a row the column has no room for.
func TestArenaMarkdownTabKeepsTheColumnsBorders(t *testing.T) {
	st := openStore(t)
	_, err := st.CreatePrompt(context.Background(), store.NewPrompt{Name: "code/tab"}, store.NewVersion{Messages: []prompt.Message{
		{Role: "user", Content: "Code:\n\n```go\nfunc main() {\n\tfmt.Println(\"a longer line!!xx\")\n}\n```"},
	}, Author: "t", Note: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	f := newFakeOllama(t, 0, -1)
	h := newHarness(t, fixedTimeStore{st}, 80, 24, withTargets(arenaRegistry(t, f.URL, "echo:a", "echo:b")))
	h.key("ctrl+r", "ctrl+r")
	h.mustSee("✓ echo:a", "✓ echo:b", "fmt.Println")
	screen := h.screen()
	assertFits(t, screen, 80, 24)
	lines := strings.Split(screen, "\n")
	if bottom := lines[len(lines)-2]; strings.Count(bottom, "╰") != 2 {
		t.Fatalf("a column lost its bottom border:\n%s", screen)
	}
}

// At 80 columns the setup's hints say their keys whole, shorter, rather
// than cut: "/ filter" and "+/-" stay in view.
func TestArenaSetupHintsFitAt80(t *testing.T) {
	h, _ := arenaHarness(t, 80, 24)
	h.key("G", "ctrl+r")
	h.mustSee("space pick · a add · / filter", "repeat ×1  +/-")
	h.mustNotSee("provider:mod…", "runs that…")
}

// TestArenaFieldsShowTheirEnd: at 80 columns a long variable's value and
// a long filter show their last characters and the cursor once it is at
// the end: the fields fit inside their panels.
func TestArenaFieldsShowTheirEnd(t *testing.T) {
	h, st := arenaHarness(t, 80, 24)
	long := "Hi, my kettle arrived yesterday with a big dent; could you send a new one? Order 4471"
	if _, err := st.CreatePrompt(context.Background(), store.NewPrompt{Name: "long/vars", Defaults: map[string]string{"ticket": long}},
		storeNewVersion("answer {{ticket}}")); err != nil {
		t.Fatal(err)
	}
	h.send(arenaOpenMsg{name: "long/vars"})
	h.key("tab", "end")
	if l := lineWith(h.screen(), "▌ ticket"); !strings.Contains(l, "Order 4471") {
		t.Fatalf("the field's end is cut:\n%s", h.screen())
	}
	h.key("tab", "/")
	h.typ("abcdefghijklmnopqrstuvwxyz0123456789")
	h.mustSee("0123456789", "no match; esc clears the filter")
}

// TestArenaColumnSaysWhichLinesItShows: an output longer than its column
// says on the rule under the header which lines show, so that a body
// that starts mid-sentence (following the end, or scrolled) reads as
// scrolled; one that fits has a plain rule.
func TestArenaColumnSaysWhichLinesItShows(t *testing.T) {
	h, st := arenaHarness(t, 80, 24)
	body := strings.Repeat("A line of the document.\n", 30)
	if _, err := st.CreatePrompt(context.Background(), store.NewPrompt{Name: "long/out"},
		storeNewVersion(body)); err != nil {
		t.Fatal(err)
	}
	h.send(arenaOpenMsg{name: "long/out"})
	h.key("ctrl+r")
	h.mustSee("✓ echo:a")
	if l := lineWith(h.screen(), " of 30 ─"); !regexp.MustCompile(`─ \d+–30 of 30 ─`).MatchString(l) {
		t.Fatalf("the rule does not say the end shows:\n%s", h.screen())
	}
	h.key("g")
	if l := lineWith(h.screen(), " of 30 ─"); !regexp.MustCompile(`─ 1–\d+ of 30 ─`).MatchString(l) {
		t.Fatalf("the rule does not say the top shows:\n%s", h.screen())
	}
	if got := scrollRule(lipgloss.NewStyle(), 0, 5, 5, 20); got != strings.Repeat("─", 20) {
		t.Fatalf("a body that fits: %q", got)
	}
}

// An Arena run stopped because its results could not be saved says so
// alone, the cause and its fix first: not "saved: 1 output" beside it,
// since the outputs shown were not saved. A run that ends well, or by
// ctrl+r, says what was saved.
func TestArenaRunDoneNoticeOfAFullDisk(t *testing.T) {
	full := store.Explain("/data/whet.db", errors.New("database or disk is full (13)"))
	n := runDoneNotice(runner.RunDone{RunID: "r1", Status: prompt.RunInterrupted, Err: fmt.Errorf("run r1: 1 result(s) not saved: %w", full)}, 1, 0, 0)
	want := "run r1 stopped: database /data/whet.db: the disk is full; free space on /data, then whet run --resume r1 finishes it"
	if n.text != want || !n.isErr {
		t.Errorf("notice %+v\nwant %q", n, want)
	}
	if n := runDoneNotice(runner.RunDone{RunID: "r1", Status: prompt.RunDone}, 2, 0, 0); n.text != "run r1 saved: 2 outputs" || n.isErr {
		t.Errorf("done: %+v", n)
	}
	if n := runDoneNotice(runner.RunDone{RunID: "r1", Status: prompt.RunInterrupted, Err: context.Canceled}, 1, 0, 1); n.text != "saved 1 output, 1 cancelled: whet run --resume r1" || n.isErr {
		t.Errorf("cancelled: %+v", n)
	}
	// The header says the run failed: it was not cancelled.
	a, seq := arenaSynthetic(t, 120, 34)
	a = feed(a, arenaEventMsg{seq: seq, ev: runner.RunDone{RunID: "synthetic01", Status: prompt.RunInterrupted,
		Err: fmt.Errorf("run synthetic01: 1 result(s) not saved: %w", full)}}, arenaFrameMsg{})
	if plain := ansi.Strip(a.View()); !strings.Contains(plain, "run synthetic01 · failed") || strings.Contains(plain, "· cancelled") {
		t.Errorf("a run stopped by a full disk:\n%s", plain)
	}
}
