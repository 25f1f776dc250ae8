package ui

import (
	"bytes"
	"io"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"
)

// TestDumbTerminalKeepsReverseVideo runs the program as Run sets it up for
// TERM=dumb (and with TERM unset), on an output that is no terminal, as
// teatest's is: Bubble Tea would strip every style there. The selection must
// still reach the screen in reverse video, and no colour may.
func TestDumbTerminalKeepsReverseVideo(t *testing.T) {
	for _, term := range []string{"dumb", ""} {
		t.Run("TERM="+term, func(t *testing.T) {
			st := openStore(t)
			seed(t, st)
			env := map[string]string{"TERM": term}
			d, opts := terminalSetup(Deps{Store: fixedTimeStore{st}, Author: "tester", Theme: "dark", Home: "/home/u", Now: func() time.Time { return testNow }},
				func(k string) string { return env[k] })
			m := New(d).(Model)
			m.sh.previewWait = 0
			last := &atomic.Pointer[string]{}
			tm := teatest.NewTestModel(t, spy{m, last}, teatest.WithInitialTermSize(100, 30), teatest.WithProgramOptions(opts...))
			waitView(t, last, "support/reply")
			if err := tm.Quit(); err != nil {
				t.Fatal(err)
			}
			out, err := io.ReadAll(tm.FinalOutput(t, teatest.WithFinalTimeout(5*time.Second)))
			if err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(`\x1b\[(\d+;)*7m`).Match(out) {
				t.Errorf("no reverse video in the output: the selection is invisible")
			}
			for _, sgr := range regexp.MustCompile(`\x1b\[([0-9;:]*)m`).FindAllSubmatch(out, -1) {
				for _, p := range bytes.Split(sgr[1], []byte(";")) {
					if n, _ := strconv.Atoi(string(p)); n >= 30 && n <= 48 && n != 39 || n >= 90 && n <= 107 {
						t.Fatalf("a colour reached a dumb terminal: %q", sgr[0])
					}
				}
			}
		})
	}
}

// TestLinuxConsoleIsDark: the Linux console does not report its
// background, which is black, so it gets the dark theme, not monochrome.
func TestLinuxConsoleIsDark(t *testing.T) {
	env := map[string]string{"TERM": "linux"}
	getenv := func(k string) string { return env[k] }
	if d, _ := terminalSetup(Deps{}, getenv); d.Theme != "dark" || d.NoColor {
		t.Fatalf("TERM=linux: theme %q no colour %v", d.Theme, d.NoColor)
	}
	if d, _ := terminalSetup(Deps{Theme: "light"}, getenv); d.Theme != "light" {
		t.Fatalf("TERM=linux replaced the named theme with %q", d.Theme)
	}
	env["TERM"] = "xterm-256color"
	if d, _ := terminalSetup(Deps{}, getenv); d.Theme != "" {
		t.Fatalf("TERM=xterm-256color: theme %q; want it picked from the background", d.Theme)
	}
}
