package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// problemsOf asserts err is a *ProblemsError and returns its problems.
func problemsOf(t *testing.T, err error) []Problem {
	t.Helper()
	var pe *ProblemsError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want *ProblemsError", err, err)
	}
	if len(pe.Problems) == 0 {
		t.Fatal("ProblemsError with no problems")
	}
	return pe.Problems
}

// writeFile writes src to a file in a temp dir and returns its path.
func writeFile(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const fullConfig = `author: Ada Lovelace
protected_tags: [production, staging]
theme: light
targets:
  - ollama:llama3.2
  - fast
  - Groq:llama-3.3-70b-versatile
  - echo
aliases:
  Fast: groq:llama-3.1-8b-instant
  dry: echo
providers:
  ollama:
    keep_alive: 10m
    concurrency: 1
  Groq:
    type: openai
    base_url: https://api.groq.com/openai/v1
    api_key_env: GROQ_API_KEY
    headers:
      X-Title: whet
    concurrency: 4
    timeout: 30s
    models: [llama-3.1-8b-instant, llama-3.3-70b-versatile]
    prices:
      llama-3.1-8b-instant: {input: 0.05, output: 0.08}
      free: {input: 0, output: 0}
  claude:
    type: anthropic
    api_key_cmd: pass show anthropic
`

func TestLoadFullConfig(t *testing.T) {
	path := writeFile(t, fullConfig)
	c, err := Load(path, env(map[string]string{"USER": "ignored"}))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Path:          path,
		Author:        "Ada Lovelace",
		ProtectedTags: []string{"production", "staging"},
		Theme:         "light",
		Targets:       []string{"ollama:llama3.2", "fast", "groq:llama-3.3-70b-versatile", "echo"},
		Aliases:       map[string]string{"fast": "groq:llama-3.1-8b-instant", "dry": "echo"},
		Providers: map[string]Provider{
			"ollama": {Name: "ollama", KeepAlive: 10 * time.Minute, Concurrency: 1},
			"groq": {
				Name: "groq", Type: "openai", BaseURL: "https://api.groq.com/openai/v1",
				APIKeyEnv: "GROQ_API_KEY", Headers: map[string]string{"X-Title": "whet"},
				Concurrency: 4, Timeout: 30 * time.Second,
				Models: []string{"llama-3.1-8b-instant", "llama-3.3-70b-versatile"},
				Prices: map[string]Price{
					"llama-3.1-8b-instant": {Input: 0.05, Output: 0.08},
					"free":                 {},
				},
			},
			"claude": {Name: "claude", Type: "anthropic", APIKeyCmd: "pass show anthropic"},
		},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
	probs, err := Check(path, env(nil))
	if err != nil || len(probs) != 0 {
		t.Errorf("Check = %v, %v; want no problems", probs, err)
	}
}

func TestLoadMissingFileGivesDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope", "config.yaml")
	c, err := Load(path, env(map[string]string{"USER": "ada"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Path != "" || c.Author != "ada" || !reflect.DeepEqual(c.ProtectedTags, []string{"production"}) {
		t.Errorf("defaults = %+v", c)
	}
	if _, ok := c.Provider("ollama"); !ok {
		t.Error("built-in ollama missing from defaults")
	}
	probs, err := Check(path, env(nil))
	if err != nil || probs != nil {
		t.Errorf("Check(missing) = %v, %v", probs, err)
	}
}

func TestLoadUnreadableIsAnError(t *testing.T) {
	dir := t.TempDir() // a directory cannot be read as a file
	_, err := Load(dir, env(nil))
	var pe *ProblemsError
	if err == nil || errors.As(err, &pe) {
		t.Fatalf("err = %v, want a read error", err)
	}
	if _, err := Check(dir, env(nil)); err == nil {
		t.Error("Check of a directory succeeded")
	}
}

func TestDefaultsAndEmptyFiles(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		wantTags []string
		author   string
	}{
		{"empty file", "", []string{"production"}, "ada"},
		{"comments only", "# nothing\n", []string{"production"}, "ada"},
		{"null tags", "protected_tags:\n", []string{"production"}, "ada"},
		{"no protected tags", "protected_tags: []\n", []string{}, "ada"},
		{"author set", "author: Grace\n", []string{"production"}, "Grace"},
		{"byte-order mark", "\ufeffauthor: Grace\n", []string{"production"}, "Grace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("c.yaml", []byte(tt.src), env(map[string]string{"USER": "ada"}))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.ProtectedTags, tt.wantTags) || c.Author != tt.author {
				t.Errorf("tags %#v author %q; want %#v %q", c.ProtectedTags, c.Author, tt.wantTags, tt.author)
			}
		})
	}
}

// badConfig has one problem of every kind; want lists them by position.
const badConfig = `author: Ada
colour: dark
providers:
  groq:
    type: grok
    base_url: https://api.groq.com/openai/v1
  Local:
    type: ollama
    concurrency: -2
    timeout: soon
  local:
    type: ollama
  box:
    type: openai
    base_url: ftp://box.lan/v1
    api_key_env: BOX_KEY
    api_key_cmd: pass show box
    prices:
      m: {input: -1, output: 2}
  leak:
    type: openai
    base_url: https://x.example/v1
    api_key: sk-literal-secret-123
  noname:
    bse_url: http://x
  sleepy:
    type: anthropic
    keep_alive: 5m
    timeout: -1s
aliases:
  fast: nope:model
  bare: groq
  ok: box:m
targets: [ok, "echo", missing]
`

func TestEveryProblemInOnePass(t *testing.T) {
	path := writeFile(t, badConfig)
	_, err := Load(path, env(nil))
	probs := problemsOf(t, err)
	want := []struct {
		line, col int
		field     string
		msg       string
	}{
		{2, 1, "colour", `unknown field "colour"`},
		{5, 11, "providers.groq.type", `unknown provider type "grok" (want ollama, openai, anthropic, gemini, echo or azure)`},
		{9, 18, "providers.Local.concurrency", "must be 0 (the default) or more"},
		{10, 14, "providers.Local.timeout", `want a duration like "30s" or "5m", found "soon"`},
		{11, 3, "providers.local", `duplicate provider name "local": names ignore case, and "Local" is at line 7`},
		{15, 15, "providers.box.base_url", "want an http:// or https:// URL"},
		{17, 5, "providers.box.api_key_cmd", "set api_key_env or api_key_cmd, not both"},
		{19, 18, "providers.box.prices.m.input", "price must not be negative"},
		{23, 5, "providers.leak.api_key", "keys are never stored in the config; use api_key_env or api_key_cmd"},
		{24, 3, "providers.noname.type", "type is required"},
		{25, 5, "providers.noname.bse_url", `unknown field "bse_url" (did you mean "base_url"?)`},
		{28, 5, "providers.sleepy.keep_alive", "keep_alive applies only to ollama providers"},
		{29, 14, "providers.sleepy.timeout", "must not be negative"},
		{31, 9, "aliases.fast", `unknown provider "nope" in "nope:model"`},
		{32, 9, "aliases.bare", `want provider:model (or echo), found "groq"`},
		{34, 23, "targets[2]", `"missing" is not provider:model, an alias or a provider`},
	}
	for i := range max(len(want), len(probs)) {
		switch {
		case i >= len(probs):
			t.Errorf("missing problem %d: %+v", i, want[i])
		case i >= len(want):
			t.Errorf("extra problem: %s", probs[i])
		default:
			p, w := probs[i], want[i]
			if p.File != path || p.Line != w.line || p.Col != w.col || p.Field != w.field || !strings.Contains(p.Msg, w.msg) {
				t.Errorf("problem %d = %s\nwant %d:%d: %s: %s", i, p, w.line, w.col, w.field, w.msg)
			}
		}
	}
	if strings.Contains(err.Error(), "sk-literal-secret-123") {
		t.Error("the error repeats a literal key")
	}
	if !strings.HasPrefix(err.Error(), fmt.Sprintf("config has %d problems:\n  %s:2:1: colour: ", len(want), path)) {
		t.Errorf("error text = %q", err)
	}
	checked, err := Check(path, env(nil))
	if err != nil || !reflect.DeepEqual(checked, probs) {
		t.Errorf("Check disagrees with Load: %v, %v", checked, err)
	}
}

func TestSyntaxErrorHasPosition(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		line, col int
	}{
		{"unclosed flow list", "targets: [a, b\ntheme: x\n", 2, 1},
		{"bad indentation", "providers:\n  a:\n    type: echo\n   b: 1\n", 4, 4},
		{"unterminated quote", "theme: \"dark\n", 1, 8},
		{"duplicate key", "theme: a\ntheme: b\n", 2, 1},
		{"tab indent", "targets:\n\t- echo\n", 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(tt.src), env(nil))
			probs := problemsOf(t, err)
			p := probs[0]
			if len(probs) != 1 || p.Line != tt.line || p.Col != tt.col || !strings.HasPrefix(p.Msg, "syntax error: ") {
				t.Errorf("problems = %v, want one syntax error at %d:%d", probs, tt.line, tt.col)
			}
			if want := fmt.Sprintf("c.yaml:%d:%d: syntax error: ", tt.line, tt.col); !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q does not start %q", err, want)
			}
			if strings.Contains(tt.src, "\t") && !strings.Contains(p.Msg, "a tab character: YAML indents with spaces") {
				t.Errorf("a tab is not named as such: %q", p.Msg)
			}
		})
	}
}

func TestShapeProblems(t *testing.T) {
	tests := []struct {
		name, src string
		want      string
	}{
		{"unknown top-level field", "theme: dark\nthme: x\n", `c.yaml:2:1: thme: unknown field "thme" (did you mean "theme"?)`},
		{"unknown provider field", "providers:\n  openai:\n    modles: [a]\n", `c.yaml:3:5: providers.openai.modles: unknown field "modles" (did you mean "models"?)`},
		{"unknown price field", "providers:\n  openai:\n    prices:\n      m: {in: 1}\n", `c.yaml:4:11: providers.openai.prices.m.in: unknown field "in" (known: input, output)`},
		{"top level is a list", "- a\n- b\n", "c.yaml:1:1: want a mapping (key: value lines), found a list"},
		{"providers is a list", "providers: [a]\n", "c.yaml:1:12: providers: want a mapping (key: value lines), found a list"},
		{"targets is a string", "targets: echo\n", "c.yaml:1:10: targets: want a list, found a string"},
		{"concurrency is a string", "providers:\n  ollama:\n    concurrency: many\n", "c.yaml:3:18: providers.ollama.concurrency: want a whole number, found a string"},
		{"timeout without unit", "providers:\n  ollama:\n    timeout: 30\n", `c.yaml:3:14: providers.ollama.timeout: want a duration with a unit, like "30s"`},
		{"price is a string", "providers:\n  openai:\n    prices:\n      m: {input: cheap}\n", "c.yaml:4:18: providers.openai.prices.m.input: want a number, found a string"},
		{"not UTF-8", "theme: dark\nauthor: Ren\xe9\n", "c.yaml:2:12: not UTF-8 text (byte 24): save the file as UTF-8"},
		{"two documents", "theme: dark\n---\ntheme: light\n", "c.yaml:3:6: want one YAML document, found 2"},
		{"unknown theme", "theme: purple\n", `c.yaml:1:8: theme: unknown theme "purple": choose one of dark, dracula, high-contrast, light`},
		{"bad provider name", "providers:\n  \"my groq\":\n    type: echo\n", `c.yaml:2:3: providers.my groq: provider name "my groq" may hold only letters, digits, '.', '_' and '-', and must start with a letter or digit`},
		{"custom openai without base_url", "providers:\n  mine:\n    type: openai\n    api_key_env: MINE_KEY\n", "c.yaml:2:3: providers.mine.base_url: base_url is required for an OpenAI-compatible provider other than the built-in openai"},
		{"azure without base_url", "providers:\n  azure:\n    type: azure\n    api_version: 2024-10-21\n", "c.yaml:2:3: providers.azure.base_url: base_url is required for an azure provider: the resource's endpoint (https://NAME.openai.azure.com)"},
		{"azure without api_version", "providers:\n  azure:\n    type: azure\n    base_url: https://r.openai.azure.com\n", "c.yaml:2:3: providers.azure.api_version: api_version is required for an azure provider (e.g. 2024-10-21)"},
		{"api_version off azure", "providers:\n  groq:\n    type: openai\n    base_url: https://api.groq.com/openai/v1\n    api_version: v1\n", "c.yaml:5:5: providers.groq.api_version: api_version applies only to azure providers, and this one is openai"},
		{"base_url without host", "providers:\n  openai:\n    base_url: http:///v1\n", "c.yaml:3:15: providers.openai.base_url: the URL has no host"},
		{"duplicate alias", "aliases:\n  fast: echo\n  FAST: echo\n", `c.yaml:3:3: aliases.FAST: duplicate alias "FAST": names ignore case, and "fast" is at line 2`},
		{"alias named like a provider", "aliases:\n  OpenAI: openai:gpt-4o\n", `c.yaml:2:3: aliases.OpenAI: alias "OpenAI" has the name of a provider; pick another name`},
		{"alias without model", "aliases:\n  x: \"openai:\"\n", `c.yaml:2:6: aliases.x: "openai:" names no model after the colon`},
		{"empty target", "targets: [\"\"]\n", "c.yaml:1:11: targets[0]: empty target"},
		{"unknown anchor", "theme: *nope\n", "c.yaml:1:8: theme: unknown alias *nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(tt.src), env(nil))
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tt.want {
				t.Errorf("error = %q\nwant    %q", err, tt.want)
			}
		})
	}
}

func TestLiteralKeysRefused(t *testing.T) {
	const secret = "sk-proj-0123456789abcdef"
	tests := []struct {
		name, src, field string
		line, col        int
	}{
		{"api_key", "providers:\n  openai:\n    api_key: " + secret + "\n", "providers.openai.api_key", 3, 5},
		{"apiKey spelling", "providers:\n  openai:\n    apiKey: " + secret + "\n", "providers.openai.apiKey", 3, 5},
		{"top-level api_key", "api_key: " + secret + "\n", "api_key", 1, 1},
		{"authorization header", "providers:\n  openai:\n    headers:\n      Authorization: Bearer " + secret + "\n", "providers.openai.headers.Authorization", 4, 7},
		{"x-api-key header", "providers:\n  anthropic:\n    headers: {x-api-key: " + secret + "}\n", "providers.anthropic.headers.x-api-key", 3, 15},
		{"credentials in base_url", "providers:\n  openai:\n    base_url: https://u:" + secret + "@api.example.com/v1\n", "providers.openai.base_url", 3, 15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(tt.src), env(nil))
			probs := problemsOf(t, err)
			p := probs[0]
			if len(probs) != 1 || p.Field != tt.field || p.Line != tt.line || p.Col != tt.col ||
				!strings.Contains(p.Msg, "keys are never stored in the config; use api_key_env or api_key_cmd") {
				t.Errorf("problems = %v", probs)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error repeats the key: %q", err)
			}
		})
	}

	// A key pasted into api_key_env is refused without being repeated.
	_, err := Parse("c.yaml", []byte("providers:\n  openai:\n    api_key_env: "+secret+"\n"), env(nil))
	probs := problemsOf(t, err)
	if len(probs) != 1 || probs[0].Field != "providers.openai.api_key_env" || strings.Contains(err.Error(), secret) {
		t.Errorf("api_key_env holding a key: %v", err)
	}
}

func TestAnchorsAndMergeKeys(t *testing.T) {
	src := `providers:
  base: &local
    type: openai
    base_url: http://localhost:8000/v1
    concurrency: 2
  vllm:
    <<: *local
    concurrency: 16
  lmstudio:
    <<: *local
    base_url: http://localhost:1234/v1
targets: [vllm:qwen, lmstudio:phi]
`
	c, err := Parse("c.yaml", []byte(src), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := c.Provider("vllm")
	l, _ := c.Provider("lmstudio")
	if v.Type != "openai" || v.BaseURL != "http://localhost:8000/v1" || v.Concurrency != 16 {
		t.Errorf("vllm = %+v", v)
	}
	if l.Type != "openai" || l.BaseURL != "http://localhost:1234/v1" || l.Concurrency != 2 {
		t.Errorf("lmstudio = %+v", l)
	}
}

func TestMergeCycleIsAProblem(t *testing.T) {
	src := "providers:\n  e: &local\n    <<: *local\n    type: echo\n"
	_, err := Parse("c.yaml", []byte(src), env(nil))
	want := "c.yaml:3:9: providers.e: << merges a mapping that holds this << (the anchors form a cycle)"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant  %s", err, want)
	}
}

// TestNestedMergesReadOnce: a mapping merged ten times at each of twelve
// levels (10^12 paths, under 1 KB of YAML) is read once per anchor.
func TestNestedMergesReadOnce(t *testing.T) {
	var b strings.Builder
	b.WriteString("x0: &a0 {type: echo, concurrency: 2}\n")
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&b, "x%d: &a%d {<<: [%s]}\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	b.WriteString("providers:\n  p:\n    <<: *a12\n")
	done := make(chan error, 1)
	go func() {
		_, err := Parse("c.yaml", []byte(b.String()), env(nil))
		done <- err
	}()
	select {
	case err := <-done:
		if probs := problemsOf(t, err); len(probs) != 13 || !strings.Contains(probs[12].Msg, `unknown field "x12"`) {
			t.Errorf("problems = %v", probs)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Parse still running after 10s")
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "c.yaml", Line: 3, Col: 5, Field: "providers.x.type", Msg: "bad"}, "c.yaml:3:5: providers.x.type: bad"},
		{Problem{File: "c.yaml", Line: 1, Col: 2, Msg: "syntax error: x"}, "c.yaml:1:2: syntax error: x"},
		{Problem{File: "c.yaml", Field: "f", Msg: "m"}, "c.yaml: f: m"},
		{Problem{Line: 1, Col: 1, Field: "f", Msg: "m"}, ":1:1: f: m"},
		{Problem{Msg: "m"}, "m"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestJudgeAndEmbedder(t *testing.T) {
	c, err := Parse("c.yaml", []byte("judge: openai:gpt-4o-mini\nembedder: ollama:nomic-embed-text\n"), func(string) string { return "" })
	if err != nil || c.Judge != "openai:gpt-4o-mini" || c.Embedder != "ollama:nomic-embed-text" {
		t.Fatalf("%+v %v", c, err)
	}
	_, err = Parse("c.yaml", []byte("judge: nosuch:model\n"), func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "c.yaml:1:") || !strings.Contains(err.Error(), "judge") {
		t.Fatalf("err = %v", err)
	}
	// an alias names a judge as it names any target
	c, err = Parse("c.yaml", []byte("aliases:\n  mini: openai:gpt-4o-mini\njudge: mini\nembedder: mini\n"), func(string) string { return "" })
	if err != nil || c.Judge != "mini" || c.Embedder != "mini" {
		t.Fatalf("alias judge: %+v %v", c, err)
	}
	// echo answers with its prompt: it cannot grade
	for _, src := range []string{"judge: echo\n", "embedder: echo\n", "providers:\n  dry: {type: echo}\njudge: dry:x\n"} {
		_, err = Parse("c.yaml", []byte(src), func(string) string { return "" })
		if err == nil || !strings.Contains(err.Error(), "cannot grade") {
			t.Errorf("%q: err = %v", src, err)
		}
	}
	_, err = Parse("c.yaml", []byte("judge: mini\n"), func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), `want provider:model or an alias, found "mini"`) {
		t.Errorf("unknown bare name: err = %v", err)
	}
}

// TestKeepAliveZero: to Ollama keep_alive 0 means unload after the call,
// which here would reload the model for every cell; it is refused, not
// silently taken as unset.
func TestKeepAliveZero(t *testing.T) {
	for _, v := range []string{"0", `"0s"`, "0m"} {
		path := writeFile(t, "providers:\n  ollama:\n    keep_alive: "+v+"\n")
		_, err := Load(path, env(nil))
		probs := problemsOf(t, err)
		if len(probs) != 1 || !strings.Contains(probs[0].String(), "keep_alive 0 would unload the model") {
			t.Errorf("keep_alive %s: %v", v, probs)
		}
	}
	path := writeFile(t, "providers:\n  ollama:\n    keep_alive:\n")
	if _, err := Load(path, env(nil)); err != nil {
		t.Errorf("keep_alive left empty: %v", err)
	}
}

// An azure provider reads its api_version, a date written bare included.
func TestAzureProvider(t *testing.T) {
	c, err := Parse("c.yaml", []byte("providers:\n  azure:\n    type: azure\n    base_url: https://r.openai.azure.com\n    api_version: 2024-10-21\n    api_key_env: AZURE_API_KEY\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	p, ok := c.Provider("azure")
	if !ok || p.Type != TypeAzure || p.APIVersion != "2024-10-21" || p.BaseURL != "https://r.openai.azure.com" || p.APIKeyEnv != "AZURE_API_KEY" {
		t.Errorf("provider %+v", p)
	}
}
