package config

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestBuiltinProvidersWithoutConfig(t *testing.T) {
	c := Default(env(nil))
	tests := []struct {
		name string
		want Provider
	}{
		{"ollama", Provider{Name: "ollama", Type: "ollama"}},
		{"openai", Provider{Name: "openai", Type: "openai", APIKeyEnv: "OPENAI_API_KEY"}},
		{"anthropic", Provider{Name: "anthropic", Type: "anthropic", APIKeyEnv: "ANTHROPIC_API_KEY"}},
		{"gemini", Provider{Name: "gemini", Type: "gemini", APIKeyEnv: "GEMINI_API_KEY"}},
		{"echo", Provider{Name: "echo", Type: "echo"}},
		{"OpenAI", Provider{Name: "openai", Type: "openai", APIKeyEnv: "OPENAI_API_KEY"}},
	}
	for _, tt := range tests {
		got, ok := c.Provider(tt.name)
		if !ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Provider(%q) = %+v, %v; want %+v", tt.name, got, ok, tt.want)
		}
	}
	if _, ok := c.Provider("groq"); ok {
		t.Error("an unconfigured groq exists")
	}
	if got, want := c.ProviderNames(), []string{"anthropic", "echo", "gemini", "ollama", "openai"}; !slices.Equal(got, want) {
		t.Errorf("ProviderNames() = %q, want %q", got, want)
	}
}

func TestProviderMerge(t *testing.T) {
	src := `providers:
  openai:
    base_url: https://proxy.example/v1
    concurrency: 2
  anthropic:
    api_key_cmd: pass show anthropic
  ollama:
    type: openai
    base_url: http://localhost:11434/v1
  gemini:
    type: gemini
    models: [gemini-2.5-flash]
  groq:
    type: openai
    base_url: https://api.groq.com/openai/v1
    api_key_env: GROQ_API_KEY
`
	c, err := Parse("c.yaml", []byte(src), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		want Provider
	}{
		// Fields override one by one; the built-in key source stays.
		{"openai", Provider{Name: "openai", Type: "openai", BaseURL: "https://proxy.example/v1", APIKeyEnv: "OPENAI_API_KEY", Concurrency: 2}},
		// Setting api_key_cmd drops the built-in api_key_env.
		{"anthropic", Provider{Name: "anthropic", Type: "anthropic", APIKeyCmd: "pass show anthropic"}},
		// Another type replaces the built-in whole.
		{"ollama", Provider{Name: "ollama", Type: "openai", BaseURL: "http://localhost:11434/v1"}},
		// The same type, written out, still merges.
		{"gemini", Provider{Name: "gemini", Type: "gemini", APIKeyEnv: "GEMINI_API_KEY", Models: []string{"gemini-2.5-flash"}}},
		{"GROQ", Provider{Name: "groq", Type: "openai", BaseURL: "https://api.groq.com/openai/v1", APIKeyEnv: "GROQ_API_KEY"}},
		{"echo", Provider{Name: "echo", Type: "echo"}},
	}
	for _, tt := range tests {
		got, ok := c.Provider(tt.name)
		if !ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Provider(%q) = %+v, %v\nwant %+v", tt.name, got, ok, tt.want)
		}
	}
	if got, want := c.ProviderNames(), []string{"anthropic", "echo", "gemini", "groq", "ollama", "openai"}; !slices.Equal(got, want) {
		t.Errorf("ProviderNames() = %q, want %q", got, want)
	}

	// The merged provider is a copy: changing it leaves the config alone.
	g, _ := c.Provider("gemini")
	g.Models[0] = "changed"
	if again, _ := c.Provider("gemini"); again.Models[0] != "gemini-2.5-flash" {
		t.Error("Provider returned a slice shared with the config")
	}
}

func TestAliasLookup(t *testing.T) {
	c, err := Parse("c.yaml", []byte("aliases:\n  Fast: OpenAI:gpt-4o-mini\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"fast", "FAST"} {
		if got, ok := c.Alias(name); !ok || got != "openai:gpt-4o-mini" {
			t.Errorf("Alias(%q) = %q, %v", name, got, ok)
		}
	}
	if _, ok := c.Alias("slow"); ok {
		t.Error("unknown alias found")
	}
}

func TestProviderDefaultsForRunner(t *testing.T) {
	tests := []struct {
		p       Provider
		conc    int
		timeout time.Duration
	}{
		{Provider{Type: TypeOllama}, 1, 5 * time.Minute},
		{Provider{Type: TypeOpenAI}, 8, 2 * time.Minute},
		{Provider{Type: TypeAnthropic}, 8, 2 * time.Minute},
		{Provider{Type: TypeEcho}, 0, 2 * time.Minute},
		{Provider{Type: TypeOllama, Concurrency: 3, Timeout: time.Minute}, 3, time.Minute},
	}
	for _, tt := range tests {
		if got := tt.p.MaxConcurrency(); got != tt.conc {
			t.Errorf("%+v MaxConcurrency() = %d, want %d", tt.p, got, tt.conc)
		}
		if got := tt.p.CallTimeout(); got != tt.timeout {
			t.Errorf("%+v CallTimeout() = %s, want %s", tt.p, got, tt.timeout)
		}
	}
}
