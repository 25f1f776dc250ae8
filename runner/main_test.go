package runner

import (
	"os"
	"strings"
	"testing"
)

// liveEnv holds the provider variables the environment set (ProviderEnvVar)
// when the tests started: TestMain clears them for every test, and the
// real-endpoint tests (provider_live_test.go) set them again.
var liveEnv = map[string]string{}

// TestMain keeps the tests off the developer's keys and servers: a key,
// endpoint or proxy in the environment (OLLAMA_HOST, OPENAI_BASE_URL,
// ANTHROPIC_AUTH_TOKEN, …) would otherwise change what they call and see.
func TestMain(m *testing.M) {
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if ProviderEnvVar(k) {
			liveEnv[k] = v
			os.Unsetenv(k)
		}
	}
	os.Exit(m.Run())
}

// useLiveEnv sets the provider variables the environment had again, for
// one real-endpoint test.
func useLiveEnv(t *testing.T) {
	t.Helper()
	for k, v := range liveEnv {
		t.Setenv(k, v)
	}
}

func TestProviderEnvVar(t *testing.T) {
	for name, want := range map[string]bool{
		"OPENAI_API_KEY": true, "OPENAI_BASE_URL": true, "OPENAI_ORG_ID": true, "ANTHROPIC_AUTH_TOKEN": true,
		"GEMINI_API_KEY": true, "GOOGLE_GENAI_USE_VERTEXAI": true, "OLLAMA_HOST": true, "GROQ_API_KEY": true,
		"AZURE_OPENAI_ENDPOINT": true, "LOCALAI_BASE_URL": true, "https_proxy": true,
		"HOME": false, "PATH": false, "WHET_DB": false, "WHET_LIVE_OPENAI_MODEL": false, "TERM": false,
	} {
		if got := ProviderEnvVar(name); got != want {
			t.Errorf("ProviderEnvVar(%q) = %v, want %v", name, got, want)
		}
	}
}
