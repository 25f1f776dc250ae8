package ui

import (
	"os"
	"testing"
)

// TestMain keeps the tests off the hosted APIs: a registry lists the models
// of every provider whose key is set, so the developer's keys and
// endpoints are cleared for the whole package.
func TestMain(m *testing.M) {
	for _, k := range []string{"OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL",
		"GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GEMINI_BASE_URL"} {
		os.Unsetenv(k)
	}
	os.Exit(m.Run())
}
