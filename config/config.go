package config

import "time"

// Config is the whole configuration, after ${VAR} expansion and defaults.
type Config struct {
	// Path is the file this was read from; empty when no file exists.
	Path string `yaml:"-"`
	// Author signs versions, tags and scores; defaults to $USER.
	Author string `yaml:"author"`
	// ProtectedTags need --force (or a confirmation) to move. Default: [production].
	ProtectedTags []string `yaml:"protected_tags"`
	// Theme is the TUI theme name; empty picks dark or light from the terminal.
	Theme string `yaml:"theme"`
	// Providers by name. Built-ins (ollama, openai, anthropic, gemini, echo)
	// exist without config; an entry of the same name overrides them.
	Providers map[string]Provider `yaml:"providers"`
	// Aliases map a short name to a target: fast: groq:llama-3.1-8b-instant.
	Aliases map[string]string `yaml:"aliases"`
	// Targets are the default targets of `whet run` and the Arena picker.
	Targets []string `yaml:"targets"`
	// Judge is the target that grades llm-rubric, model-graded-closedqa and
	// factuality checks (e.g. openai:gpt-4o-mini).
	Judge string `yaml:"judge"`
	// Embedder is the embedding target of similar checks (e.g.
	// ollama:nomic-embed-text).
	Embedder string `yaml:"embedder"`
}

// Provider is one named endpoint.
type Provider struct {
	Name string `yaml:"-"`
	// Type is ollama, openai (any OpenAI-compatible server), anthropic,
	// gemini, echo or azure (Azure OpenAI).
	Type string `yaml:"type"`
	// BaseURL is the API's root; for azure the resource's endpoint
	// (https://NAME.openai.azure.com).
	BaseURL string `yaml:"base_url"`
	// APIVersion is Azure OpenAI's api-version query parameter (azure
	// only, and required there).
	APIVersion string `yaml:"api_version"`
	// APIKeyEnv names the environment variable holding the key.
	APIKeyEnv string `yaml:"api_key_env"`
	// APIKeyCmd is a shell command whose trimmed stdout is the key
	// (e.g. "pass show openai"), run at call time.
	APIKeyCmd string            `yaml:"api_key_cmd"`
	Headers   map[string]string `yaml:"headers"`
	// Concurrency caps calls in flight to this provider. 0 = default
	// (ollama 1, hosted 8, echo unbounded: the executor's 256 at once).
	Concurrency int `yaml:"concurrency"`
	// Timeout per call. 0 = default (5m for ollama, 2m hosted).
	Timeout time.Duration `yaml:"timeout"`
	// KeepAlive is Ollama's keep_alive. 0 = server default.
	KeepAlive time.Duration `yaml:"keep_alive"`
	// Models are listed as targets of this provider (ollama lists its own).
	Models []string `yaml:"models"`
	// Prices per model, USD per 1M tokens; override the built-in catalogue.
	Prices map[string]Price `yaml:"prices"`
}

// Price is USD per one million tokens.
type Price struct {
	Input  float64 `yaml:"input" json:"input"`
	Output float64 `yaml:"output" json:"output"`
}
