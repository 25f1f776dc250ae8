package config

import (
	"os"
	"runtime"
	"strings"
)

// EditorArgv is the command line that edits the file at path in the user's
// editor: $VISUAL, else $EDITOR, else vi (notepad on Windows). The
// variable is read as a shell reads it, as git reads it: on Unix it runs
// through `sh -c`, so that it may hold arguments (`code --wait`), quotes
// (`"/opt/Sublime Text/subl" -w`) or variables, and path is passed as "$1",
// never spliced into the command. On Windows, where there is no sh, a
// variable that names an existing file is that program, whatever spaces
// its path holds; otherwise it is split at spaces into the program and its
// arguments.
func EditorArgv(getenv func(string) string, path string) []string {
	return editorArgv(getenv, runtime.GOOS, path)
}

// Editor is the editor command EditorArgv runs, as the user wrote it (for
// messages): $VISUAL, else $EDITOR, else vi (notepad on Windows).
func Editor(getenv func(string) string) string { return editor(getenv, runtime.GOOS) }

func editor(getenv func(string) string, goos string) string {
	if ed := strings.TrimSpace(getenv("VISUAL")); ed != "" {
		return ed
	}
	if ed := strings.TrimSpace(getenv("EDITOR")); ed != "" {
		return ed
	}
	if goos == "windows" {
		return "notepad"
	}
	return "vi"
}

func editorArgv(getenv func(string) string, goos, path string) []string {
	ed := editor(getenv, goos)
	if goos == "windows" {
		if fi, err := os.Stat(strings.Trim(ed, `"`)); err == nil && !fi.IsDir() {
			return []string{strings.Trim(ed, `"`), path}
		}
		return append(strings.Fields(ed), path)
	}
	return []string{"sh", "-c", ed + ` "$1"`, "sh", path}
}
