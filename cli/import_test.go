package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestPromptImportInterrupted: ctrl+c during an import stops it with one
// line saying how to finish, not an error per remaining file.
func TestPromptImportInterrupted(t *testing.T) {
	dir := t.TempDir()
	files := writePromptFiles(t, dir, 5)
	// ctrl+c as soon as the first file is reported imported.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	getenv := dirEnv(dir)
	var out, errb bytes.Buffer
	stdout := writerFunc(func(p []byte) (int, error) { cancel(); return out.Write(p) })
	code := Execute(ctx, []string{"prompt", "import", files}, Env{Stdin: strings.NewReader(""), Stdout: stdout, Stderr: &errb, Getenv: getenv, Version: "test"})
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if got := out.String(); !strings.HasPrefix(got, "imported p000@1") || strings.Count(got, "\n") != 1 {
		t.Errorf("stdout:\n%s", got)
	}
	if got := errb.String(); got != "interrupted: 4 of 5 file(s) not imported yet; the same 'whet prompt import' again imports the rest (files already imported are left unchanged)\n" {
		t.Errorf("stderr:\n%s", got)
	}
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestInterruptedCommand: a command stopped by ctrl+c says so, not Go's
// "context canceled".
func TestInterruptedCommand(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	getenv := dirEnv(dir)
	var out, errb bytes.Buffer
	code := Execute(ctx, []string{"prompt", "new", "a", "--user", "hi"}, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: getenv, Version: "test"})
	if code != 1 || errb.String() != "whet: interrupted\n" {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
}

// TestPromptImportConcurrent: imports of the same files running at once
// (two CI jobs, the TUI and a script) all succeed; a prompt another
// process created meanwhile is "unchanged", not "already exists".
func TestPromptImportConcurrent(t *testing.T) {
	dir := t.TempDir()
	files := writePromptFiles(t, dir, 150)
	getenv := dirEnv(dir)
	const n = 4
	errs := make([]bytes.Buffer, n)
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var out bytes.Buffer
			codes[i] = Execute(context.Background(), []string{"prompt", "import", files}, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errs[i], Getenv: getenv, Version: "test"})
		})
	}
	wg.Wait()
	for i := range n {
		if codes[i] != 0 {
			t.Errorf("import %d: exit %d:\n%s", i, codes[i], errs[i].String())
		}
	}
}

// writePromptFiles writes n prompt files p000.md… (prompts p000…) into
// dir/prompts and returns that folder.
func writePromptFiles(t *testing.T, dir string, n int) string {
	t.Helper()
	files := filepath.Join(dir, "prompts")
	if err := os.Mkdir(files, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		body := fmt.Sprintf("---\nname: p%03d\n---\n## user\nhi %d\n", i, i)
		if err := os.WriteFile(filepath.Join(files, fmt.Sprintf("p%03d.md", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// dirEnv is an environment whose database and home are in dir; its
// config is the default one there (none: the built-in defaults).
func dirEnv(dir string) func(string) string {
	return func(k string) string {
		switch k {
		case "WHET_DB":
			return filepath.Join(dir, "whet.db")
		case "HOME":
			return dir
		}
		return ""
	}
}
