package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestPromptShowIndentsANoteOfSeveralLines: a version note of several
// lines (a commit message's body, or one pasted into the workbench's
// note dialog) stays under the column of the "saved:" line's value.
func TestPromptShowIndentsANoteOfSeveralLines(t *testing.T) {
	dir := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := Execute(context.Background(), args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: dirEnv(dir), Version: "test"}); code != 0 {
			t.Fatalf("whet %q: exit %d\n%s%s", args, code, out.String(), errb.String())
		}
		return out.String()
	}
	run("prompt", "new", "p", "--user", "hi", "-m", "shorter\n\n- drop the greeting\n- ask for JSON\n")
	out := run("prompt", "show", "p")
	want := "by unknown: shorter\n\n           - drop the greeting\n           - ask for JSON\n\n── user ──\nhi\n"
	if !strings.HasSuffix(out, want) {
		t.Fatalf("show:\n%s", out)
	}
}
