package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPromptExportImportRoundTrip: awkward prompts made with flags, as a
// user types them, come back from `prompt export -o DIR` then `prompt
// import DIR` into a fresh database with the same hashes, description,
// labels, sample values and cases; importing DIR into the first database
// again finds every prompt unchanged.
func TestPromptExportImportRoundTrip(t *testing.T) {
	pieces := []string{"", " ", "---", "## user", "\\## system", "user:", "# user:", "{{q}}", "\\{{q}}", "{% raw %}",
		"a: b # c", "yes", "*x", "&y", "!z", "中文", "🙂👍🏽", "שלום", "e\u0301", "\ufeffbom", "tab\there\t", "trail  ",
		"\r\n", "a\rb", "\n\n", " \n", `"quoted" 'single'`, "back\\slash", "<context> & more"}
	r := rand.New(rand.NewSource(7))
	text := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(pieces[r.Intn(len(pieces))])
			b.WriteString([]string{"\n", " ", "", "\r\n"}[r.Intn(4)])
		}
		return b.String()
	}
	dir := t.TempDir()
	run := func(db string, args ...string) (string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		getenv := dirEnv(dir)
		env := func(k string) string {
			if k == "WHET_DB" {
				return filepath.Join(dir, db)
			}
			return getenv(k)
		}
		if code := Execute(context.Background(), args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: env, Version: "test"}); code != 0 {
			t.Fatalf("whet %q: exit %d\n%s%s", args, code, out.String(), errb.String())
		}
		return out.String(), errb.String()
	}
	var names []string
	for i := 0; i < 12; i++ {
		name := fmt.Sprintf("p%d", i)
		if i%3 == 1 {
			name = fmt.Sprintf("team/area/p%d", i)
		}
		names = append(names, name)
		args := []string{"prompt", "new", name, "--description", strings.ReplaceAll(text(2), "\r", ""),
			"--label", "owner=" + strings.Join(strings.Fields(text(2)), " ") + "x", "--var", "q=" + text(3)}
		for j := 0; j < 1+r.Intn(4); j++ {
			role := []string{"system", "user", "assistant"}[r.Intn(3)]
			args = append(args, "--message", role+"="+text(4))
		}
		args = append(args, "--message", "user="+text(2)+"x")
		if i%2 == 0 {
			args = append(args, "--param", "temperature=0.3", "--param", "stop=\n\nuser:", "--param", `stop="q"`,
				"--param", `openai.user="123"`, "--param", `ollama.options={"a":[1,{"b":null}],"c":"d: e"}`, "--param", "seed=7")
		}
		run("a.db", args...)
	}
	run("a.db", "suite", "import", writeFile(t, dir, "cases.jsonl",
		`{"name":"on","vars":{"q":"line\n  two \"x\", y\n"},"expected":"---\n## user\n"}`+"\n"+`{"vars":{"q":"\u00e9\ufeff"}}`+"\n"), "--name", "p0", "--prompt", "p0")
	exp := filepath.Join(dir, "exp")
	run("a.db", append([]string{"prompt", "export", "-o", exp}, names...)...)
	out, _ := run("b.db", "prompt", "import", exp)
	if !strings.Contains(out, fmt.Sprintf("%d new prompts, 0 new versions, 0 unchanged", len(names))) {
		t.Fatalf("import into a fresh database:\n%s", out)
	}
	out, _ = run("a.db", "prompt", "import", exp)
	if !strings.Contains(out, fmt.Sprintf("0 new prompts, 0 new versions, %d unchanged", len(names))) {
		t.Fatalf("import into the same database:\n%s", out)
	}
	for _, name := range names {
		a, _ := run("a.db", "prompt", "show", name, "--json")
		b, _ := run("b.db", "prompt", "show", name, "--json")
		if strip(t, a) != strip(t, b) {
			t.Errorf("%s changed:\n%s\n%s", name, a, b)
		}
	}
	a, _ := run("a.db", "suite", "export", "p0", "--format", "jsonl")
	b, _ := run("b.db", "suite", "export", "p0", "--format", "jsonl")
	if a != b {
		t.Errorf("cases changed:\n%s\n%s", a, b)
	}
}

func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// strip is `prompt show --json` without what differs between two
// databases: times, authors and notes.
func strip(t *testing.T, s string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	var drop func(v any)
	drop = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range []string{"created", "updated", "author", "note"} {
				delete(v, k)
			}
			for _, x := range v {
				drop(x)
			}
		case []any:
			for _, x := range v {
				drop(x)
			}
		}
	}
	drop(m)
	b, _ := json.Marshal(m)
	return string(b)
}
