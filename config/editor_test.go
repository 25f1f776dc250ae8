package config

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestEditorArgvChoosesTheEditor(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "My Editor.exe")
	if err := os.WriteFile(exe, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		goos string
		env  map[string]string
		want []string
	}{
		{"linux", map[string]string{"VISUAL": "code --wait", "EDITOR": "nano"}, []string{"sh", "-c", `code --wait "$1"`, "sh", "F"}},
		{"linux", map[string]string{"EDITOR": " nano "}, []string{"sh", "-c", `nano "$1"`, "sh", "F"}},
		{"darwin", map[string]string{}, []string{"sh", "-c", `vi "$1"`, "sh", "F"}},
		{"windows", map[string]string{}, []string{"notepad", "F"}},
		{"windows", map[string]string{"EDITOR": "code --wait"}, []string{"code", "--wait", "F"}},
		{"windows", map[string]string{"EDITOR": `"` + exe + `"`}, []string{exe, "F"}},
	}
	for _, tc := range tests {
		if got := editorArgv(envOf(tc.env), tc.goos, "F"); !slices.Equal(got, tc.want) {
			t.Errorf("%s %v: %q; want %q", tc.goos, tc.env, got, tc.want)
		}
	}
}

// The editor runs as a shell reads $EDITOR: a quoted program path with a
// space, with arguments, gets the file, whatever the file's name holds.
func TestEditorArgvRunsAQuotedEditor(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	ed := filepath.Join(dir, "my editor")
	if err := os.WriteFile(ed, []byte("#!/bin/sh\nprintf '%s|' \"$@\" > \"$(dirname \"$0\")/args\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "it's $HOME; a.md")
	argv := EditorArgv(envOf(map[string]string{"EDITOR": `"` + ed + `" -w`}), file)
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "args"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "-w|" + file + "|"; string(got) != want {
		t.Fatalf("the editor got %q; want %q", got, want)
	}
}
