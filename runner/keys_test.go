package runner

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"whet/config"
	"whet/prompt"
)

func TestAPIKey(t *testing.T) {
	const secret = "sk-very-secret-value"
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("ANTHROPIC_API_KEY", "")
	t.Setenv("GEMINI_API_KEY", "")
	t.Setenv("GOOGLE_API_KEY", "")
	t.Setenv("GROQ_API_KEY", "")
	t.Setenv("WHET_KEY", "")

	cases := []struct {
		name    string
		cfg     config.Provider
		env     map[string]string
		want    string
		wantErr string // fragment; "" = no error
		noKey   bool   // error wraps ErrNoKey
	}{
		{name: "openai default env", cfg: config.Provider{Name: "openai", Type: "openai"}, env: map[string]string{"OPENAI_API_KEY": " " + secret + "\n"}, want: secret},
		{name: "openai missing", cfg: config.Provider{Name: "openai", Type: "openai"}, wantErr: "set OPENAI_API_KEY", noKey: true},
		{name: "anthropic default", cfg: config.Provider{Name: "anthropic", Type: "anthropic"}, env: map[string]string{"ANTHROPIC_API_KEY": secret}, want: secret},
		// Google's docs: "if both are set, GOOGLE_API_KEY takes precedence".
		{name: "gemini google wins", cfg: config.Provider{Name: "gemini", Type: "gemini"}, env: map[string]string{"GEMINI_API_KEY": "g1", "GOOGLE_API_KEY": "g2"}, want: "g2"},
		{name: "gemini gemini alone", cfg: config.Provider{Name: "gemini", Type: "gemini"}, env: map[string]string{"GEMINI_API_KEY": "g1"}, want: "g1"},
		{name: "gemini google alone", cfg: config.Provider{Name: "gemini", Type: "gemini"}, env: map[string]string{"GOOGLE_API_KEY": "g2"}, want: "g2"},
		// The config's built-in names GEMINI_API_KEY: the same order applies.
		{name: "gemini config names default", cfg: config.Provider{Name: "gemini", Type: "gemini", APIKeyEnv: "GEMINI_API_KEY"}, env: map[string]string{"GEMINI_API_KEY": "g1", "GOOGLE_API_KEY": "g2"}, want: "g2"},
		{name: "gemini config names default, google alone", cfg: config.Provider{Name: "gemini", Type: "gemini", APIKeyEnv: "GEMINI_API_KEY"}, env: map[string]string{"GOOGLE_API_KEY": "g2"}, want: "g2"},
		{name: "gemini missing", cfg: config.Provider{Name: "gemini", Type: "gemini"}, wantErr: "GOOGLE_API_KEY or GEMINI_API_KEY", noKey: true},
		{name: "custom provider own variable", cfg: config.Provider{Name: "groq", Type: "openai"}, env: map[string]string{"GROQ_API_KEY": "gsk", "OPENAI_API_KEY": "not-this"}, want: "gsk"},
		{name: "custom provider missing", cfg: config.Provider{Name: "my-proxy", Type: "anthropic"}, env: map[string]string{"ANTHROPIC_API_KEY": "not-this"}, wantErr: "MY_PROXY_API_KEY", noKey: true},
		{name: "api_key_env", cfg: config.Provider{Name: "openai", Type: "openai", APIKeyEnv: "WHET_KEY"}, env: map[string]string{"WHET_KEY": secret, "OPENAI_API_KEY": "not-this"}, want: secret},
		{name: "api_key_env unset", cfg: config.Provider{Name: "openai", Type: "openai", APIKeyEnv: "WHET_KEY"}, env: map[string]string{"OPENAI_API_KEY": "not-this"}, wantErr: "WHET_KEY is not set (providers.openai.api_key_env)", noKey: true},
		{name: "api_key_cmd wins", cfg: config.Provider{Name: "openai", Type: "openai", APIKeyCmd: "printf '  " + secret + "\\n'", APIKeyEnv: "WHET_KEY"}, env: map[string]string{"WHET_KEY": "not-this"}, want: secret},
		{name: "api_key_cmd fails", cfg: config.Provider{Name: "openai", Type: "openai", APIKeyCmd: "echo " + secret + "; echo " + secret + " >&2; exit 3"}, wantErr: "exit status 3 (output hidden"},
		{name: "api_key_cmd prints nothing", cfg: config.Provider{Name: "openai", Type: "openai", APIKeyCmd: "true"}, wantErr: "printed nothing", noKey: true},
		{name: "ollama needs none", cfg: config.Provider{Name: "ollama", Type: "ollama"}, want: ""},
		{name: "echo needs none", cfg: config.Provider{Name: "echo", Type: "echo"}, want: ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			got, err := APIKey(c.cfg)
			if c.wantErr == "" {
				if err != nil || got != c.want {
					t.Fatalf("got %q %v, want %q", got, err, c.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("got %q %v, want an error containing %q", got, err, c.wantErr)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "not-this") {
				t.Fatalf("error contains a key: %v", err)
			}
			if errors.Is(err, ErrNoKey) != c.noKey {
				t.Fatalf("errors.Is(err, ErrNoKey) = %v, want %v", !c.noKey, c.noKey)
			}
		})
	}
}

func TestKeyEnvVars(t *testing.T) {
	cases := map[string]struct {
		cfg  config.Provider
		want string
	}{
		"openai":      {config.Provider{Name: "openai", Type: "openai"}, "OPENAI_API_KEY"},
		"gemini":      {config.Provider{Name: "gemini"}, "GOOGLE_API_KEY GEMINI_API_KEY"},
		"custom":      {config.Provider{Name: "open.router-2", Type: "openai"}, "OPEN_ROUTER_2_API_KEY"},
		"ollama-type": {config.Provider{Name: "box", Type: "ollama"}, ""},
	}
	for name, c := range cases {
		if got := strings.Join(KeyEnvVars(c.cfg), " "); got != c.want {
			t.Errorf("%s: got %q, want %q", name, got, c.want)
		}
	}
}

// A header may carry a token (a gateway's, expanded from ${VAR}); a server
// that echoes it in an error body must not put it into a result, an export
// or a log, whichever the provider.
func TestHeaderValuesAreRedactedFromErrors(t *testing.T) {
	const secret = "gw-token-0123456789"
	headers := map[string]string{"X-Gateway-Token": secret, "X-Title": "whet"}
	t.Setenv("WHET_TEST_KEY", "sk-test-key-abcdef")
	for _, tc := range []struct {
		name string
		body func(msg string) string
		newP func(base string) (Provider, error)
	}{
		{"openai", func(m string) string { return ptOpenAIErr(400, m) }, func(base string) (Provider, error) {
			return NewOpenAI(config.Provider{Name: "gw", Type: "openai", BaseURL: base + "/v1", APIKeyEnv: "WHET_TEST_KEY", Headers: headers})
		}},
		{"anthropic", func(m string) string { return ptAnthropicErr(400, m) }, func(base string) (Provider, error) {
			return NewAnthropic(config.Provider{Name: "gw", Type: "anthropic", BaseURL: base, APIKeyEnv: "WHET_TEST_KEY", Headers: headers})
		}},
		{"gemini", func(m string) string { return ptGeminiErr(400, m) }, func(base string) (Provider, error) {
			return NewGemini(config.Provider{Name: "gw", Type: "gemini", BaseURL: base, APIKeyEnv: "WHET_TEST_KEY", Headers: headers})
		}},
		{"ollama", func(m string) string { return fmt.Sprintf(`{"error":%q}`, m) }, func(base string) (Provider, error) {
			return NewOllama(config.Provider{Name: "gw", Type: "ollama", BaseURL: base, Headers: headers})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				ptError(w, 400, tc.body("gateway refused token "+r.Header.Get("X-Gateway-Token")+" for whet"))
			})
			p, err := tc.newP(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Chat(context.Background(), Request{Model: "m1", Messages: []prompt.Message{{Role: "user", Content: "hi"}}}, nil)
			if err == nil {
				t.Fatal("Chat succeeded, want an error")
			}
			if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "refused token [redacted] for whet") {
				t.Errorf("error %q: want the header's value replaced, the message kept", err)
			}
			var ae *APIError
			if !errors.As(err, &ae) || ae.Status != 400 {
				t.Errorf("error %v: want the APIError with status 400 kept", err)
			}
		})
	}
}
