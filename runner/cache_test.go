package runner

import (
	"testing"

	"whet/prompt"
)

func TestCacheKey(t *testing.T) {
	msgs := []prompt.Message{{Role: "user", Content: "hi"}}
	params := execTemp(0)
	base := CacheKey("openai:gpt", msgs, params, 0)
	if len(base) != 64 {
		t.Fatalf("key %q is not hex SHA-256", base)
	}
	same := CacheKey("openai:gpt", []prompt.Message{{Role: "user", Content: "hi"}}, execTemp(0), 0)
	if same != base {
		t.Error("equal inputs give different keys")
	}
	seven := 7
	for name, k := range map[string]string{
		"target":   CacheKey("openai:gpt-4o", msgs, params, 0),
		"messages": CacheKey("openai:gpt", []prompt.Message{{Role: "user", Content: "hi!"}}, params, 0),
		"role":     CacheKey("openai:gpt", []prompt.Message{{Role: "system", Content: "hi"}}, params, 0),
		"params":   CacheKey("openai:gpt", msgs, prompt.Params{Temperature: params.Temperature, MaxTokens: &seven}, 0),
		"repeat":   CacheKey("openai:gpt", msgs, params, 1),
	} {
		if k == base {
			t.Errorf("a different %s gives the same key", name)
		}
	}
}

func TestUseCache(t *testing.T) {
	for _, tc := range []struct {
		name           string
		p              prompt.Params
		force, noCache bool
		want           bool
	}{
		{"temperature 0", execTemp(0), false, false, true},
		{"temperature unset", prompt.Params{}, false, false, false},
		{"temperature 0.2", execTemp(0.2), false, false, false},
		{"forced", execTemp(0.2), true, false, true},
		{"no-cache wins", execTemp(0), true, true, false},
	} {
		if got := execUseCache(tc.p, tc.force, tc.noCache); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
