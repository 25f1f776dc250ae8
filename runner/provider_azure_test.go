package runner

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"whet/config"
	"whet/prompt"
)

// azureSeen is what the fake Azure OpenAI server received.
type azureSeen struct {
	path, query, apiKey, auth, body string
}

// azureServer answers as Azure OpenAI does: only
// POST /openai/deployments/{deployment}/chat/completions with an
// api-version, and a 404 DeploymentNotFound for any other deployment.
func azureServer(t *testing.T, deployment string) (*httptest.Server, func() azureSeen) {
	t.Helper()
	var mu sync.Mutex
	var seen azureSeen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = azureSeen{path: r.URL.EscapedPath(), query: r.URL.RawQuery, apiKey: r.Header.Get("api-key"),
			auth: r.Header.Get("Authorization"), body: string(b)}
		mu.Unlock()
		if r.Method != http.MethodPost || r.URL.Query().Get("api-version") == "" {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error":{"code":"404","message":"Resource not found"}}`)
			return
		}
		if r.URL.EscapedPath() != "/openai/deployments/"+deployment+"/chat/completions" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}`)
			return
		}
		if r.Header.Get("api-key") == "" && !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer eyJ") {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint."}}`)
			return
		}
		ptStream(w, ptSSE, ptOpenAIChunk("Hi", ""), ptOpenAIChunk("", "stop"), ptOpenAIUsage, ptOpenAIDone)
	}))
	t.Cleanup(srv.Close)
	return srv, func() azureSeen {
		mu.Lock()
		defer mu.Unlock()
		return seen
	}
}

func azureProvider(t *testing.T, base string) *OpenAI {
	t.Helper()
	p, err := NewOpenAI(config.Provider{Name: "azure", Type: config.TypeAzure, BaseURL: base, APIVersion: "2024-10-21"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func azureChat(p *OpenAI, model string) (Response, error) {
	return p.Chat(context.Background(), Request{Model: model, Messages: []prompt.Message{{Role: "user", Content: "hi"}}}, nil)
}

// An azure provider calls the deployment's path with api-version, the key
// in api-key and no Authorization: not even the OPENAI_API_KEY the SDK
// reads on its own.
func TestAzureChatPathQueryAndKey(t *testing.T) {
	srv, seen := azureServer(t, "gpt4o-prod")
	t.Setenv("AZURE_API_KEY", "0123456789abcdef0123456789abcdef")
	t.Setenv("OPENAI_API_KEY", "sk-openai-must-not-leak")
	for _, base := range []string{srv.URL, srv.URL + "/", srv.URL + "/openai", srv.URL + "/openai/deployments/gpt4o-prod/chat/completions?api-version=2023-05-15"} {
		resp, err := azureChat(azureProvider(t, base), "gpt4o-prod")
		if err != nil {
			t.Fatalf("base %s: %v", base, err)
		}
		s := seen()
		if s.query != "api-version=2024-10-21" || s.apiKey != "0123456789abcdef0123456789abcdef" || s.auth != "" {
			t.Errorf("base %s: query %q, api-key %q, Authorization %q", base, s.query, s.apiKey, s.auth)
		}
		if resp.Text != "Hi" || resp.TokensIn != 12 || !strings.Contains(s.body, `"model":"gpt4o-prod"`) {
			t.Errorf("base %s: response %+v, body %s", base, resp, s.body)
		}
	}
}

// A deployment name is escaped into the path; AZURE_OPENAI_API_KEY is read
// when AZURE_API_KEY is not set; an Entra ID token goes as a bearer token.
func TestAzureDeploymentEscapingAndEntraToken(t *testing.T) {
	srv, seen := azureServer(t, "my%20dep")
	t.Setenv("AZURE_API_KEY", "")
	t.Setenv("AZURE_OPENAI_API_KEY", "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJjb2duaXRpdmUifQ.c2ln")
	if _, err := azureChat(azureProvider(t, srv.URL), "my dep"); err != nil {
		t.Fatal(err)
	}
	if s := seen(); s.apiKey != "" || s.auth != "Bearer eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJjb2duaXRpdmUifQ.c2ln" {
		t.Errorf("api-key %q, Authorization %q", s.apiKey, s.auth)
	}
}

// Azure always wants a key: none is an error before any call, naming the
// variables; a missing deployment is named as such.
func TestAzureErrors(t *testing.T) {
	srv, _ := azureServer(t, "gpt4o-prod")
	t.Setenv("AZURE_API_KEY", "")
	t.Setenv("AZURE_OPENAI_API_KEY", "")
	_, err := azureChat(azureProvider(t, srv.URL), "gpt4o-prod")
	if !errors.Is(err, ErrNoKey) || !strings.Contains(err.Error(), "AZURE_API_KEY or AZURE_OPENAI_API_KEY") {
		t.Errorf("no key: %v", err)
	}
	t.Setenv("AZURE_API_KEY", "k")
	_, err = azureChat(azureProvider(t, srv.URL), "gpt4o-staging")
	if err == nil || !strings.Contains(err.Error(), `HTTP 404: deployment "gpt4o-staging" not found on azure`) {
		t.Errorf("missing deployment: %v", err)
	}
	if _, err := azureProvider(t, srv.URL).ListModels(context.Background()); err == nil || !strings.Contains(err.Error(), "name them under models:") {
		t.Errorf("ListModels: %v", err)
	}
	if _, err := NewOpenAI(config.Provider{Name: "azure", Type: config.TypeAzure, BaseURL: srv.URL}); err == nil || !strings.Contains(err.Error(), "api_version") {
		t.Errorf("no api_version: %v", err)
	}
}
