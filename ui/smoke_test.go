package ui

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"whet/store"
)

// tmuxSession drives a real terminal: a detached tmux session running the
// TUI binary, read with capture-pane.
type tmuxSession struct {
	t    *testing.T
	name string
}

func (s tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", args...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (s tmuxSession) screen() string { return s.run("capture-pane", "-p", "-t", s.name) }

// keys sends tmux key names ("Enter", "C-s", "Tab") or literal text.
func (s tmuxSession) keys(keys ...string) {
	s.t.Helper()
	s.run(append([]string{"send-keys", "-t", s.name}, keys...)...)
}

// text types literal text.
func (s tmuxSession) text(txt string) {
	s.t.Helper()
	s.run("send-keys", "-t", s.name, "-l", txt)
}

// waitFor polls the screen until it holds every part (at most 15s).
func (s tmuxSession) waitFor(step string, parts ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		scr := s.screen()
		missing := ""
		for _, p := range parts {
			if !strings.Contains(scr, p) {
				missing = p
				break
			}
		}
		if missing == "" {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: the screen never showed %q:\n%s", step, missing, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTmuxSmoke uses whet as a person would, in a 100×30 tmux window on a
// fresh database: load the starter library, create a prompt, edit it, save
// with a note, open its versions, diff them, quit.
func TestTmuxSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("smoke test: builds a binary and drives tmux")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "whet-smoke")
	build := exec.Command("go", "build", "-o", bin, "whet") // the real binary
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the smoke binary: %v\n%s", err, out)
	}
	db := filepath.Join(dir, "whet.db")
	exitFile := filepath.Join(dir, "exit")
	name := fmt.Sprintf("whet-smoke-%d", os.Getpid())
	s := tmuxSession{t: t, name: name}
	// No config file: the default path, under dir, has none.
	script := fmt.Sprintf("WHET_DB=%q XDG_CONFIG_HOME=%q USER=smoke TERM=xterm-256color %q --theme dark 2>%q; echo $? > %q",
		db, dir, bin, filepath.Join(dir, "stderr"), exitFile)
	s.run("new-session", "-d", "-s", name, "-x", "100", "-y", "30", "sh", "-c", script)
	t.Cleanup(func() { exec.Command("tmux", "kill-session", "-t", name).Run() })

	s.waitFor("first run", "Welcome to whet", "load the starter library")
	s.keys("Enter")
	s.waitFor("starter library", "support/reply", "10 prompts", "### system")

	// A new prompt.
	s.keys("n")
	s.waitFor("new prompt", "new prompt", "SYSTEM", "USER")
	s.text("You are terse.")
	s.keys("Tab")
	s.text("Summarise: {{text}}")
	s.waitFor("variable detected", "VARIABLES", "text")
	for i := 0; i < 7; i++ { // 5 params, labels, then the variable
		s.keys("Tab")
	}
	s.text("The meeting moved to Friday.")
	s.keys("C-s")
	s.waitFor("name dialog", "Name the new prompt")
	s.text("smoke/summary")
	s.keys("Enter")
	s.waitFor("note dialog", "Note for this version")
	s.text("first cut")
	s.keys("Enter")
	s.waitFor("saved v1", "saved smoke/summary@1")

	// Edit it: back to the user message, add a sentence, save with a note.
	s.keys("Escape")
	s.waitFor("library", "11 prompts", "/ filter")
	s.keys("/")
	s.text("smoke")
	s.keys("Enter")
	s.waitFor("filtered", "1 of 11", "smoke/summary")
	s.keys("e")
	s.waitFor("editor", "smoke/summary · from v1", "✓ saved")
	s.keys("End")
	s.text(" Two sentences at most.")
	s.waitFor("modified", "● modified")
	s.keys("C-s")
	s.waitFor("note dialog", "Note for this version")
	s.text("cap the length")
	s.keys("Enter")
	s.waitFor("saved v2", "saved smoke/summary@2")

	// Versions and a diff.
	s.keys("Escape")
	s.waitFor("library", "smoke/summary", "NAME")
	s.keys("Enter")
	s.waitFor("versions", "smoke/summary · 2 versions", "cap the length", "first cut")
	s.keys("d")
	s.keys("j")
	s.keys("d")
	s.waitFor("diff", "diff smoke/summary v1 → v2", "Two sentences at most.", "1 added, 1 removed")
	s.keys("s")
	s.waitFor("side by side", "side by side")
	s.keys("Escape")
	s.waitFor("back to versions", "smoke/summary · 2 versions", "NOTE")
	s.keys("Escape")
	s.waitFor("library", "/ smoke", "NAME")
	s.keys("q")

	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(exitFile)
		if err == nil && strings.TrimSpace(string(b)) != "" {
			if code := strings.TrimSpace(string(b)); code != "0" {
				stderr, _ := os.ReadFile(filepath.Join(dir, "stderr"))
				t.Fatalf("whet exited with %s: %s", code, stderr)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("whet did not exit after q:\n%s", s.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}

	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	vs, err := st.Versions(context.Background(), "smoke/summary")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].Note != "cap the length" || !strings.HasSuffix(vs[0].Messages[1].Content, "Two sentences at most.") {
		t.Fatalf("stored versions: %+v", vs)
	}
	p, _ := st.GetPrompt(context.Background(), "smoke/summary")
	if p.Defaults["text"] != "The meeting moved to Friday." {
		t.Fatalf("defaults = %v", p.Defaults)
	}
}

// TestTmuxSmokeCompare drives Results, Compare and the export dialog in a
// 120×32 tmux window: two versions of a prompt are run with the CLI (whet
// run NAME@1 NAME@2 -m echo), then the TUI opens the prompt's latest run,
// compares the versions, exports the comparison and the run as Markdown,
// and the files on disk are checked against the CLI's export.
func TestTmuxSmokeCompare(t *testing.T) {
	if testing.Short() {
		t.Skip("smoke test: builds a binary and drives tmux")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "whet-smoke")
	if out, err := exec.Command("go", "build", "-o", bin, "whet").CombinedOutput(); err != nil {
		t.Fatalf("building the smoke binary: %v\n%s", err, out)
	}
	env := append(os.Environ(), "WHET_DB="+filepath.Join(dir, "whet.db"), "XDG_CONFIG_HOME="+dir, "USER=smoke")
	whet := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Dir = env, dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("whet %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	whet("prompt", "new", "smoke/cmp", "--system", "You are terse.", "--user", "Summarise: {{text}}", "--var", "text=The meeting moved to Friday.", "-m", "first")
	whet("prompt", "edit", "smoke/cmp", "--system", "You are terse and kind. Use two sentences.", "-m", "kinder")
	whet("run", "smoke/cmp@1", "smoke/cmp@2", "-m", "echo")
	runID := strings.Fields(strings.Split(whet("runs"), "\n")[1])[0]

	exitFile := filepath.Join(dir, "exit")
	name := fmt.Sprintf("whet-smoke-cmp-%d", os.Getpid())
	s := tmuxSession{t: t, name: name}
	script := fmt.Sprintf("cd %q && WHET_DB=%q XDG_CONFIG_HOME=%q USER=smoke TERM=xterm-256color %q --theme dark 2>%q; echo $? > %q",
		dir, filepath.Join(dir, "whet.db"), dir, bin, filepath.Join(dir, "stderr"), exitFile)
	s.run("new-session", "-d", "-s", name, "-x", "120", "-y", "32", "sh", "-c", script)
	t.Cleanup(func() { exec.Command("tmux", "kill-session", "-t", name).Run() })

	s.waitFor("library", "smoke/cmp", "1 prompt")
	s.keys("s") // the prompt's latest run
	s.waitFor("results", "Results · smoke/cmp · run "+runID, "@1", "@2", "echo", "err 0% n=1")
	s.keys("C")
	s.waitFor("compare", "Compare  A smoke/cmp@1  vs  B smoke/cmp@2", "1 pair · 1 changed", "You are terse and kind.")
	s.keys("p")
	s.waitFor("prompt diff", "diff smoke/cmp v1 → v2")
	s.keys("Escape")
	s.waitFor("back to compare", "1 pair · 1 changed")
	s.keys("x")
	s.waitFor("export dialog", "Export comparison smoke/cmp@1 vs smoke/cmp@2", "whet-smoke-cmp-"+runID+"-compare.md", "lines of preview")
	s.keys("Enter")
	s.waitFor("compare written", "wrote Markdown")
	s.keys("Escape")
	s.waitFor("results again", "Results · smoke/cmp")
	s.keys("x")
	s.waitFor("run export dialog", "Export run "+runID, "whet-smoke-cmp-"+runID+".md", "lines of preview")
	s.keys("Enter")
	s.waitFor("run written", "wrote Markdown")
	s.keys("1")
	s.waitFor("library", "smoke/cmp", "NAME")
	s.keys("q")

	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(exitFile)
		if err == nil && strings.TrimSpace(string(b)) != "" {
			if code := strings.TrimSpace(string(b)); code != "0" {
				stderr, _ := os.ReadFile(filepath.Join(dir, "stderr"))
				t.Fatalf("whet exited with %s: %s", code, stderr)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("whet did not exit after q:\n%s", s.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}

	cmp, err := os.ReadFile(filepath.Join(dir, "whet-smoke-cmp-"+runID+"-compare.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Compare", "smoke/cmp@1", "smoke/cmp@2", "You are terse and kind."} {
		if !strings.Contains(string(cmp), want) {
			t.Fatalf("the comparison export lacks %q:\n%s", want, cmp)
		}
	}
	// The run export is the CLI's, but for the time it was generated.
	tui, err := os.ReadFile(filepath.Join(dir, "whet-smoke-cmp-"+runID+".md"))
	if err != nil {
		t.Fatal(err)
	}
	cli := whet("export", runID, "--format", "md")
	generated := regexp.MustCompile(`(?m)^.*Generated.*$`)
	if a, b := generated.ReplaceAllString(string(tui), ""), generated.ReplaceAllString(cli, ""); a != b || !strings.Contains(a, "smoke/cmp@2") {
		t.Fatalf("the TUI's run export differs from whet export:\n--- tui\n%s\n--- cli\n%s", tui, cli)
	}
}
