package ui

import (
	"os"
	"strings"
	"testing"

	"whet/runner"
)

// TestMain keeps the tests off the developer's providers: a registry lists
// the models of every provider whose key is set and of the Ollama server
// OLLAMA_HOST names, so every key, endpoint and proxy variable
// (runner.ProviderEnvVar) is cleared for the whole package.
func TestMain(m *testing.M) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); runner.ProviderEnvVar(k) {
			os.Unsetenv(k)
		}
	}
	os.Exit(m.Run())
}
