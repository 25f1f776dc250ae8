package ui

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"whet/store"
)

// TestTmuxSmokeArena uses the Arena as a person would, in a 120×34 tmux
// window: the real whet binary, an Ollama that is a fake server in this
// test process (OLLAMA_HOST), a prompt made with the CLI. It opens the
// Arena from the library, picks the Ollama model and echo in the picker,
// runs them side by side, rates the Ollama output and checks that the score
// is stored.
func TestTmuxSmokeArena(t *testing.T) {
	if testing.Short() {
		t.Skip("smoke test: builds a binary and drives tmux")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	f := newFakeOllama(t, 15*time.Millisecond, -1)
	u, err := url.Parse(f.URL)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "whet-smoke")
	if out, err := exec.Command("go", "build", "-o", bin, "whet").CombinedOutput(); err != nil {
		t.Fatalf("building the smoke binary: %v\n%s", err, out)
	}
	db, cfg := filepath.Join(dir, "whet.db"), dir // no config file: the default path, under dir, has none
	cli := exec.Command(bin, "prompt", "new", "smoke/arena", "--system", "You are terse.",
		"--user", "Summarise: {{text}}", "--var", "text=The meeting moved to Friday.", "-m", "first")
	cli.Env = append(os.Environ(), "WHET_DB="+db, "XDG_CONFIG_HOME="+cfg, "USER=smoke")
	if out, err := cli.CombinedOutput(); err != nil {
		t.Fatalf("whet prompt new: %v\n%s", err, out)
	}

	exitFile := filepath.Join(dir, "exit")
	name := fmt.Sprintf("whet-arena-%d", os.Getpid())
	s := tmuxSession{t: t, name: name}
	script := fmt.Sprintf("WHET_DB=%q XDG_CONFIG_HOME=%q OLLAMA_HOST=%q USER=smoke TERM=xterm-256color %q --theme dark 2>%q; echo $? > %q",
		db, cfg, u.Host, bin, filepath.Join(dir, "stderr"), exitFile)
	s.run("new-session", "-d", "-s", name, "-x", "120", "-y", "34", "sh", "-c", script)
	t.Cleanup(func() { exec.Command("tmux", "kill-session", "-t", name).Run() })

	s.waitFor("library", "smoke/arena", "1 prompt")
	s.keys("C-r")
	s.waitFor("arena setup", "Arena", "smoke/arena@1", "Targets 0 of max 8", "ollama:slow", "PROMPT AS SENT")
	s.keys("Space") // the Ollama model, listed first
	s.keys("j")
	s.keys("j")
	s.keys("Space") // echo
	s.waitFor("picked", "Targets 2 of max 8", "[x] ollama:slow", "[x] echo")
	s.keys("C-r")
	s.waitFor("ran", "✓ ollama:slow", "✓ echo", "one token at a time.", "Summarise: The meeting moved to Friday.", "· done")
	s.keys("v", "5") // the focused column is the Ollama model's
	s.waitFor("rated", "★★★★★ 5/5", "rated ollama:slow 5/5")
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

	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.ListRuns(ctx, store.RunFilter{})
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs %+v, %v", runs, err)
	}
	runID := runs[0].Run.ID
	rs, err := st.Results(ctx, runID)
	if err != nil || len(rs) != 2 {
		t.Fatalf("results %+v, %v", rs, err)
	}
	scores, err := st.Scores(ctx, runID)
	if err != nil || len(scores) != 1 {
		t.Fatalf("scores %+v, %v", scores, err)
	}
	for _, r := range rs {
		if r.ID == scores[0].ResultID && (r.Target != "ollama:slow" || r.Output != fakeOllamaAnswer) {
			t.Fatalf("the score is on %s (%q)", r.Target, r.Output)
		}
	}
	if sc := scores[0]; sc.Scorer != "human" || sc.Value != 1 || sc.Author != "smoke" {
		t.Fatalf("score %+v", sc)
	}
}
