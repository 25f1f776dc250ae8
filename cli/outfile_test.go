package cli

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteToFailureKeepsTheFile: a report that fails part-way leaves the
// file named by -o as it was, with no temporary file beside it, and says
// nothing was written.
func TestWriteToFailureKeepsTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.md")
	if err := os.WriteFile(path, []byte("last week's report"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	a := &app{env: Env{Stdout: io.Discard, Stderr: &stderr, Getenv: func(string) string { return "" }}}
	boom := errors.New("write error")
	err := a.writeTo(path, func(w io.Writer) error {
		if _, err := io.WriteString(w, strings.Repeat("row\n", 50000)); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	if got, _ := os.ReadFile(path); string(got) != "last week's report" {
		t.Errorf("report.md now holds %d bytes", len(got))
	}
	if des, _ := os.ReadDir(dir); len(des) != 1 {
		t.Errorf("directory holds %d files, want only report.md", len(des))
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %q", stderr.String())
	}
}
