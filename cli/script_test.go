package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run whet in-process as the "whet" command.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"whet": func() {
			os.Exit(Main("test"))
		},
	})
}

// TestScripts drives the real binary through testdata/script/*.txtar.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		Cmds:                scriptCmds,
		Condition:           scriptCondition,
		Setup: func(e *testscript.Env) error {
			e.Setenv("WHET_DB", filepath.Join(e.WorkDir, "whet.db"))
			e.Setenv("XDG_DATA_HOME", filepath.Join(e.WorkDir, ".data"))
			e.Setenv("XDG_CONFIG_HOME", filepath.Join(e.WorkDir, ".config"))
			e.Setenv("HOME", e.WorkDir)
			e.Setenv("USER", "tester")
			e.Setenv("NO_COLOR", "1")
			for _, k := range []string{"OLLAMA_HOST", "OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "VISUAL", "EDITOR"} {
				e.Setenv(k, "")
			}
			return nil
		},
	})
}
