package config

import (
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	getenv := env(map[string]string{"HOST": "gpu.lan", "PORT": "11434", "EMPTY": ""})
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "plain", want: "plain"},
		{in: "http://${HOST}:${PORT}/v1", want: "http://gpu.lan:11434/v1"},
		{in: "${HOST:-localhost}", want: "gpu.lan"},
		{in: "${NOPE:-localhost}", want: "localhost"},
		{in: "${EMPTY:-fallback}", want: "fallback"},
		{in: "${NOPE:-}", want: ""},
		{in: "${NOPE:-a:-b}", want: "a:-b"},
		{in: "cost $5 and $$HOME", want: "cost $5 and $HOME"},
		{in: "$${HOST}", want: "${HOST}"},
		{in: "trailing $", want: "trailing $"},
		{in: "${NOPE}", wantErr: "environment variable NOPE is not set"},
		{in: "${EMPTY}", wantErr: "environment variable EMPTY is not set"},
		{in: "x ${HOST", wantErr: "unterminated"},
		{in: "${1X}", wantErr: "not a valid variable name"},
		{in: "${}", wantErr: "not a valid variable name"},
	}
	for _, tt := range tests {
		got, err := expand(tt.in, getenv)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("expand(%q) err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("expand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestLoadExpandsEnv(t *testing.T) {
	src := `author: ${WHET_AUTHOR}
theme: ${THEME:-dark}
providers:
  remote:
    type: ollama
    base_url: http://${OLLAMA_BOX}:11434
    timeout: ${T:-90s}
targets:
  - remote:${MODEL:-llama3.2}
`
	c, err := Parse("c.yaml", []byte(src), env(map[string]string{"WHET_AUTHOR": "Ada", "OLLAMA_BOX": "gpu"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Author != "Ada" || c.Theme != "dark" {
		t.Errorf("author %q theme %q", c.Author, c.Theme)
	}
	p, _ := c.Provider("remote")
	if p.BaseURL != "http://gpu:11434" || p.Timeout.String() != "1m30s" {
		t.Errorf("provider = %+v", p)
	}
	if len(c.Targets) != 1 || c.Targets[0] != "remote:llama3.2" {
		t.Errorf("targets = %q", c.Targets)
	}

	// Missing variables are problems at their own lines, all in one pass.
	_, err = Parse("c.yaml", []byte(src), env(nil))
	pe := problemsOf(t, err)
	var got []string
	for _, p := range pe {
		got = append(got, p.String())
	}
	want := []string{
		"c.yaml:1:9: author: environment variable WHET_AUTHOR is not set (write ${WHET_AUTHOR:-default} for a fallback)",
		"c.yaml:6:15: providers.remote.base_url: environment variable OLLAMA_BOX is not set (write ${OLLAMA_BOX:-default} for a fallback)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestExpansionCannotInjectStructure(t *testing.T) {
	c, err := Parse("c.yaml", []byte("author: ${EVIL}\n"), env(map[string]string{"EVIL": "x\nproviders: {a: {type: echo}}"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Author != "x\nproviders: {a: {type: echo}}" || len(c.Providers) != 0 {
		t.Errorf("author %q providers %v", c.Author, c.Providers)
	}
}
