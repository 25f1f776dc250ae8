package config

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// Provider types: the wire protocol a provider speaks.
const (
	TypeOllama    = "ollama"
	TypeOpenAI    = "openai" // OpenAI and every OpenAI-compatible server
	TypeAnthropic = "anthropic"
	TypeGemini    = "gemini"
	TypeEcho      = "echo"
	// TypeAzure is Azure OpenAI: Chat Completions of a deployment (the
	// target's model) under base_url, with api_version and the api-key
	// header. No provider of this type is built in.
	TypeAzure = "azure"
)

// Types lists the valid provider types.
func Types() []string {
	return []string{TypeOllama, TypeOpenAI, TypeAnthropic, TypeGemini, TypeEcho, TypeAzure}
}

// BuiltinNames lists the providers that exist without any config, in
// display order; each is named after its type.
func BuiltinNames() []string {
	return []string{TypeOllama, TypeOpenAI, TypeAnthropic, TypeGemini, TypeEcho}
}

// Defaults the runner applies when a provider leaves a field at zero.
const (
	DefaultOllamaConcurrency = 1
	DefaultHostedConcurrency = 8
	DefaultOllamaTimeout     = 5 * time.Minute
	DefaultHostedTimeout     = 2 * time.Minute
)

// builtins returns the providers that exist without any config. A fresh map
// each call: there is no package-level mutable state. BaseURL is empty so
// the runner applies the vendor default (and OLLAMA_HOST for ollama).
func builtins() map[string]Provider {
	return map[string]Provider{
		TypeOllama:    {Name: TypeOllama, Type: TypeOllama},
		TypeOpenAI:    {Name: TypeOpenAI, Type: TypeOpenAI, APIKeyEnv: "OPENAI_API_KEY"},
		TypeAnthropic: {Name: TypeAnthropic, Type: TypeAnthropic, APIKeyEnv: "ANTHROPIC_API_KEY"},
		TypeGemini:    {Name: TypeGemini, Type: TypeGemini, APIKeyEnv: "GEMINI_API_KEY"},
		TypeEcho:      {Name: TypeEcho, Type: TypeEcho},
	}
}

// isBuiltin reports whether name (lower case) is a built-in provider.
func isBuiltin(name string) bool {
	_, ok := builtins()[name]
	return ok
}

// Provider returns the provider called name (case-insensitive): a built-in,
// a configured entry, or both merged. It reports false for an unknown name.
//
// Merging: a configured entry of a built-in's name and type (or with no
// type) overrides the built-in field by field, its non-zero fields winning;
// api_key_env and api_key_cmd count as one field, so setting either drops
// the built-in's key source. A configured entry of another type replaces the
// built-in whole. Name is always filled, in lower case.
func (c Config) Provider(name string) (Provider, bool) {
	name = strings.ToLower(name)
	b, isB := builtins()[name]
	p, isC := c.Providers[name]
	switch {
	case !isB && !isC:
		return Provider{}, false
	case !isC:
		return b, true
	case !isB:
		p.Name = name
		return p, true
	}
	if p.Type != "" && p.Type != b.Type {
		p.Name = name
		return p, true
	}
	m := b
	if p.BaseURL != "" {
		m.BaseURL = p.BaseURL
	}
	if p.APIKeyEnv != "" || p.APIKeyCmd != "" {
		m.APIKeyEnv, m.APIKeyCmd = p.APIKeyEnv, p.APIKeyCmd
	}
	if p.Headers != nil {
		m.Headers = maps.Clone(p.Headers)
	}
	if p.Concurrency != 0 {
		m.Concurrency = p.Concurrency
	}
	if p.Timeout != 0 {
		m.Timeout = p.Timeout
	}
	if p.KeepAlive != 0 {
		m.KeepAlive = p.KeepAlive
	}
	if p.Models != nil {
		m.Models = slices.Clone(p.Models)
	}
	if p.Prices != nil {
		m.Prices = maps.Clone(p.Prices)
	}
	return m, true
}

// ProviderNames lists every provider, built-in and configured, sorted.
func (c Config) ProviderNames() []string {
	names := builtins()
	for n := range c.Providers {
		names[n] = Provider{}
	}
	return slices.Sorted(maps.Keys(names))
}

// Alias returns the target an alias stands for (case-insensitive name).
func (c Config) Alias(name string) (string, bool) {
	t, ok := c.Aliases[strings.ToLower(name)]
	return t, ok
}

// MaxConcurrency is the cap on calls in flight: Concurrency when set, else
// 1 for ollama, 8 for hosted types, and 0 (no cap) for echo.
func (p Provider) MaxConcurrency() int {
	switch {
	case p.Concurrency > 0:
		return p.Concurrency
	case p.Type == TypeEcho:
		return 0
	case p.Type == TypeOllama:
		return DefaultOllamaConcurrency
	default:
		return DefaultHostedConcurrency
	}
}

// CallTimeout is the limit on one call: Timeout when set, else 5m for
// ollama and 2m for every other type.
func (p Provider) CallTimeout() time.Duration {
	switch {
	case p.Timeout > 0:
		return p.Timeout
	case p.Type == TypeOllama:
		return DefaultOllamaTimeout
	default:
		return DefaultHostedTimeout
	}
}
