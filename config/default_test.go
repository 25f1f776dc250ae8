package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultFileLoadsCleanly(t *testing.T) {
	data := DefaultFile()
	if len(data) == 0 {
		t.Fatal("DefaultFile is empty: assets/files/config.default.yaml is missing")
	}
	// Any environment, even an empty one, must do.
	c, err := Parse("config.default.yaml", data, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Author != "" || len(c.ProtectedTags) != 1 || c.ProtectedTags[0] != "production" {
		t.Errorf("author %q tags %q", c.Author, c.ProtectedTags)
	}
	if len(c.Targets) == 0 || len(c.Aliases) == 0 {
		t.Errorf("targets %q aliases %v: the default file should show both", c.Targets, c.Aliases)
	}
	if c.Aliases["dry"] != "echo" {
		t.Errorf("aliases = %v", c.Aliases)
	}
}

// uncommentExamples returns the default file with its commented provider
// examples (from "# providers:" to the end of the comment block) enabled.
func uncommentExamples(t *testing.T, data []byte) []byte {
	t.Helper()
	var out []string
	in := false
	for line := range strings.Lines(string(data)) {
		line = strings.TrimRight(line, "\n")
		if line == "# providers:" {
			in = true
		}
		if in && !strings.HasPrefix(line, "#") {
			in = false
		}
		if in {
			line = strings.TrimPrefix(strings.TrimPrefix(line, "#"), " ")
		}
		out = append(out, line)
	}
	if !strings.Contains(strings.Join(out, "\n"), "\nproviders:\n") {
		t.Fatal("no \"# providers:\" block in the default file")
	}
	return []byte(strings.Join(out, "\n"))
}

func TestDefaultFileExamplesAreValid(t *testing.T) {
	src := uncommentExamples(t, DefaultFile())
	// Also enable the commented alias to a configured provider.
	src = bytes.Replace(src, []byte("  # fast: groq:"), []byte("  fast: groq:"), 1)
	c, err := Parse("examples.yaml", src, env(nil))
	if err != nil {
		t.Fatalf("%v\n--- uncommented file:\n%s", err, src)
	}
	want := map[string]struct{ typ, baseURL, keyEnv string }{
		"ollama":     {"ollama", "", ""},
		"openai":     {"openai", "", "OPENAI_API_KEY"},
		"anthropic":  {"anthropic", "", "ANTHROPIC_API_KEY"},
		"gemini":     {"gemini", "", "GEMINI_API_KEY"},
		"groq":       {"openai", "https://api.groq.com/openai/v1", "GROQ_API_KEY"},
		"openrouter": {"openai", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"},
		"vllm":       {"openai", "http://localhost:8000/v1", ""},
		"llamacpp":   {"openai", "http://localhost:8080/v1", ""},
		"lmstudio":   {"openai", "http://localhost:1234/v1", ""},
	}
	for name, w := range want {
		p, ok := c.Provider(name)
		if !ok || p.Type != w.typ || p.BaseURL != w.baseURL || p.APIKeyEnv != w.keyEnv {
			t.Errorf("%s = %+v, %v; want %+v", name, p, ok, w)
		}
	}
	if p, _ := c.Provider("ollama"); p.KeepAlive == 0 || p.Concurrency != 1 {
		t.Errorf("ollama example = %+v, want keep_alive and concurrency 1", p)
	}
	if p, _ := c.Provider("openai"); p.Prices["gpt-4o-mini"].Input <= 0 {
		t.Errorf("openai example has no price: %+v", p.Prices)
	}
	if c.Aliases["fast"] != "groq:llama-3.1-8b-instant" {
		t.Errorf("aliases = %v", c.Aliases)
	}
}

func TestInit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "config.yaml")
	if err := Init(path, false); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, DefaultFile()) {
		t.Error("Init wrote something other than DefaultFile")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	// 0644 under the usual umask 022.
	if perm := fi.Mode().Perm(); perm&0o600 != 0o600 || perm&0o133 != 0 {
		t.Errorf("mode = %o, want 644 or less for group and others", perm)
	}
	if _, err := Load(path, env(nil)); err != nil {
		t.Errorf("the written file does not load: %v", err)
	}

	// An existing file is refused without force and left as it was.
	mine := []byte("theme: mine\n")
	if err := os.WriteFile(path, mine, 0o644); err != nil {
		t.Fatal(err)
	}
	err = Init(path, false)
	if err == nil || !strings.Contains(err.Error(), "already exists") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("Init over an existing file: err = %v", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, mine) {
		t.Error("Init without force changed the file")
	}

	// With force it is replaced, and no temporary file is left behind.
	if err := Init(path, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, DefaultFile()) {
		t.Error("Init with force did not overwrite")
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only config.yaml", len(entries))
	}

	if err := Init("", false); err == nil {
		t.Error("Init with no path succeeded")
	}
}
