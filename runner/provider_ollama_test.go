package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"whet/config"
	"whet/prompt"
)

const ptOllamaNDJSON = "application/x-ndjson"

// ptOllamaLine is one NDJSON line of /api/chat.
func ptOllamaLine(model, content string) string {
	return fmt.Sprintf(`{"model":%q,"created_at":"2025-01-02T03:04:05Z","message":{"role":"assistant","content":%q},"done":false}`+"\n", model, content)
}

const ptOllamaDone = `{"model":"llama3.2:3b","created_at":"2025-01-02T03:04:05Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":1500000000,"load_duration":200000000,"prompt_eval_count":12,"prompt_eval_duration":100000000,"eval_count":3,"eval_duration":1000000000}` + "\n"

const ptOllamaTags = `{"models":[{"name":"llama3.2:3b","model":"llama3.2:3b","modified_at":"2025-01-02T03:04:05Z","size":2019393189,"digest":"a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72","details":{"parent_model":"","format":"gguf","family":"llama","families":["llama"],"parameter_size":"3.2B","quantization_level":"Q4_K_M"}},{"name":"qwen2.5:latest","model":"qwen2.5:latest","modified_at":"2025-02-03T04:05:06Z","size":4683087332,"digest":"845dbda0ea48ed749caafd9e6037047aa19acfcfd82e704d7ca97d631a0b697e","details":{"format":"gguf","family":"qwen2","parameter_size":"7.6B","quantization_level":"Q4_K_M"}}]}`

func ptOllama(t *testing.T, base string) *Ollama {
	t.Helper()
	p, err := NewOllama(config.Provider{Name: "ollama", Type: "ollama", BaseURL: base, KeepAlive: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOllamaChatStreams(t *testing.T) {
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		switch r.URL.Path {
		case "/api/chat":
			ptStream(w, ptOllamaNDJSON, ptOllamaLine("llama3.2:3b", "Hel"), ptOllamaLine("llama3.2:3b", ""), ptOllamaLine("llama3.2:3b", "lo"), ptOllamaDone)
		case "/api/tags":
			ptStream(w, "application/json", ptOllamaTags)
		default:
			http.NotFound(w, r)
		}
	})
	p := ptOllama(t, srv.URL)
	req := Request{Model: "llama3.2:3b", Messages: ptMessages(), Params: ptParams()}
	resp, err, deltas := ptChat(t, context.Background(), p, req, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "Hello" || strings.Join(deltas, "|") != "Hel|lo" {
		t.Fatalf("text %q deltas %q, want Hello and Hel|lo", resp.Text, deltas)
	}
	if resp.TokensIn != 12 || resp.TokensOut != 3 || resp.FinishReason != "stop" || resp.Model != "llama3.2:3b" {
		t.Fatalf("got %+v", resp)
	}
	// tok/s comes from the eval metrics: 3 tokens in eval_duration 1 s.
	if resp.GenTime != time.Second {
		t.Fatalf("generation time %v, want eval_duration 1s", resp.GenTime)
	}
	if resp.ModelDigest != "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72" {
		t.Fatalf("digest %q", resp.ModelDigest)
	}
	if resp.TTFT <= 0 || resp.Latency < resp.TTFT {
		t.Fatalf("TTFT %v latency %v", resp.TTFT, resp.Latency)
	}

	got := seen.last(t, "/api/chat")
	if got.Method != "POST" || got.Header.Get("Accept") != "application/x-ndjson" {
		t.Fatalf("request %s Accept %q", got.Method, got.Header.Get("Accept"))
	}
	b := got.Body
	checks := []struct {
		path []any
		want any
	}{
		{[]any{"model"}, "llama3.2:3b"},
		{[]any{"stream"}, true},
		{[]any{"keep_alive"}, "10m0s"},
		{[]any{"messages", 0, "role"}, "system"},
		{[]any{"messages", 0, "content"}, "be brief"},
		{[]any{"messages", 2, "role"}, "assistant"},
		{[]any{"messages", 3, "content"}, "again"},
		{[]any{"options", "temperature"}, 0.2},
		{[]any{"options", "top_p"}, 0.9},
		{[]any{"options", "num_predict"}, float64(128)},
		{[]any{"options", "seed"}, float64(42)},
		{[]any{"options", "stop", 0}, "END"},
		{[]any{"options", "num_ctx"}, float64(8192)},
	}
	for _, c := range checks {
		if v := ptDig(b, c.path...); v != c.want {
			t.Errorf("body %v = %v (%T), want %v", c.path, v, v, c.want)
		}
	}

	// "think" is the request's field, not an option.
	thinking := req
	thinking.Params = ptParams()
	thinking.Params.Extra = map[string]any{"think": "low"}
	if _, err := p.Chat(context.Background(), thinking, nil); err != nil {
		t.Fatal(err)
	}
	if b := seen.last(t, "/api/chat").Body; ptDig(b, "think") != "low" || ptDig(b, "options", "think") != nil {
		t.Fatalf("think %v options.think %v", ptDig(b, "think"), ptDig(b, "options", "think"))
	}
	thinking.Params.Extra = map[string]any{"think": 3.0}
	if _, err := p.Chat(context.Background(), thinking, nil); err == nil || !strings.Contains(err.Error(), "think") {
		t.Fatalf("think 3: %v", err)
	}

	// The digest is looked up once per model.
	if _, err := p.Chat(context.Background(), req, nil); err != nil {
		t.Fatal(err)
	}
	if n := seen.count("/api/tags"); n != 1 {
		t.Fatalf("/api/tags called %d times, want 1", n)
	}
}

func TestOllamaDigestLookupFailureLeavesItEmpty(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		if r.URL.Path == "/api/chat" {
			ptStream(w, ptOllamaNDJSON, ptOllamaLine("x", "ok"), ptOllamaDone)
			return
		}
		ptError(w, 500, `{"error":"down"}`)
	})
	resp, err := ptOllama(t, srv.URL).Chat(context.Background(), Request{Model: "x"}, nil)
	if err != nil || resp.ModelDigest != "" || resp.Text != "ok" {
		t.Fatalf("resp %+v err %v; want text ok, no digest, no error", resp, err)
	}
}

func TestOllamaListModels(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, "application/json", ptOllamaTags)
	})
	models, err := ptOllama(t, srv.URL).ListModels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(models) != 2 {
		t.Fatalf("got %d models", len(models))
	}
	m := models[0]
	want := ModelInfo{Name: "llama3.2:3b", Size: 2019393189, Family: "llama", ParameterSize: "3.2B", Quantization: "Q4_K_M",
		Digest: "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72", Modified: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	if !m.Modified.Equal(want.Modified) {
		t.Fatalf("modified %v", m.Modified)
	}
	m.Modified = want.Modified
	if m != want {
		t.Fatalf("got %+v\nwant %+v", m, want)
	}
}

func TestOllamaFaults(t *testing.T) {
	ptFaults(t, ptWire{
		contentType: ptOllamaNDJSON,
		errorBody:   func(_ int, msg string) string { return fmt.Sprintf(`{"error":%q}`, msg) },
		firstChunk:  ptOllamaLine("m1", "Hel"),
		malformed:   ptOllamaLine("m1", "Hel") + "this is not json\n" + ptOllamaDone,
		notFound: func(w http.ResponseWriter) {
			ptError(w, 404, `{"error":"model \"nope\" not found, try pulling it first"}`)
		},
		notFoundWant: "ollama pull nope",
	}, func(t *testing.T, base string) Provider { return ptOllama(t, base) }, "")
}

func TestOllamaEmptyErrorBody(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(503)
	})
	_, err := ptOllama(t, srv.URL).Chat(context.Background(), Request{Model: "x"}, nil)
	ae := ptAPIError(t, err)
	if ae.Status != 503 || !ae.Temporary || ae.RetryAfter != 3*time.Second {
		t.Fatalf("got %+v", ae)
	}
}

// TestOllamaUnnamedStatus: a status net/http has no text for, with an
// empty body, still says something after "HTTP 529: ".
func TestOllamaUnnamedStatus(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		w.WriteHeader(529)
	})
	_, err := ptOllama(t, srv.URL).Chat(context.Background(), Request{Model: "x"}, nil)
	if ae := ptAPIError(t, err); ae.Status != 529 || !ae.Temporary || err.Error() != "ollama: HTTP 529: no reason given" {
		t.Fatalf("got %q (%+v)", err, ae)
	}
}

// TestOllamaNoContent: a 204 to a chat is the server's odd answer, said as
// one, not a stream Ollama stopped short.
func TestOllamaNoContent(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		w.WriteHeader(204)
	})
	_, err := ptOllama(t, srv.URL).Chat(context.Background(), Request{Model: "x"}, nil)
	if ae := ptAPIError(t, err); ae.Status != 204 || ae.Temporary || err.Error() != "ollama: HTTP 204: No Content" {
		t.Fatalf("got %q (%+v)", err, ae)
	}
}

// TestOllamaRunnerDiedMidStream: the error line a real Ollama server sent
// when its model runner was killed mid-answer is the server's error, said
// as one, not a broken connection.
func TestOllamaRunnerDiedMidStream(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptOllamaNDJSON,
			`{"model":"endless","created_at":"2026-11-25T03:54:25.993975077Z","message":{"role":"assistant","content":"ѩ"},"done":false}`+"\n",
			`{"error":"an error was encountered while running the model: unexpected EOF"}`+"\n")
	})
	resp, err := ptOllama(t, srv.URL).Chat(context.Background(), Request{Model: "endless", Messages: ptMessages()}, nil)
	ae := ptAPIError(t, err)
	if err.Error() != "ollama: an error was encountered while running the model: unexpected EOF (mid-stream)" || !ae.Temporary {
		t.Fatalf("got %v (temporary %v)", err, ae.Temporary)
	}
	if resp.Text != "ѩ" {
		t.Fatalf("partial text %q", resp.Text)
	}
}

func TestOllamaStreamErrorLine(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptOllamaNDJSON, ptOllamaLine("x", "par"), `{"error":"model runner has unexpectedly stopped"}`+"\n")
	})
	resp, err := ptOllama(t, srv.URL).Chat(context.Background(), Request{Model: "x"}, nil)
	ae := ptAPIError(t, err)
	// Retried, as Ollama's 500 with the same error before the first line.
	if err.Error() != "ollama: model runner has unexpectedly stopped (mid-stream)" || !ae.Temporary {
		t.Fatalf("got %v (temporary %v)", err, ae.Temporary)
	}
	if resp.Text != "par" {
		t.Fatalf("partial text %q, want par", resp.Text)
	}
}

func TestOllamaConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	p := ptOllama(t, "http://"+addr)
	_, err = p.Chat(context.Background(), Request{Model: "x"}, nil)
	ae := ptAPIError(t, err)
	if ae.Temporary || !strings.Contains(err.Error(), "is ollama running? (ollama serve)") || !strings.Contains(err.Error(), addr) {
		t.Fatalf("got %v (temporary %v)", err, ae.Temporary)
	}
	if _, err := p.ListModels(context.Background()); err == nil || !strings.Contains(err.Error(), "is ollama running?") {
		t.Fatalf("ListModels: %v", err)
	}
}

func TestOllamaBaseURL(t *testing.T) {
	cases := []struct {
		name, baseURL, env, want string
	}{
		{"config wins", "http://10.0.0.5:11434", "example.org:1234", "http://10.0.0.5:11434"},
		{"config without scheme", "box:8080", "", "http://box:8080"},
		// As OLLAMA_HOST: no scheme means port 11434, no host 127.0.0.1.
		{"config host only", "gpu-box", "", "http://gpu-box:11434"},
		{"config bind-all address", "0.0.0.0", "", "http://0.0.0.0:11434"},
		{"config IPv6 host only", "[::1]", "", "http://[::1]:11434"},
		{"config port only", ":11435", "", "http://127.0.0.1:11435"},
		{"config scheme without port", "https://ollama.example.org/", "", "https://ollama.example.org:443/"},
		{"config http without port", "http://box", "", "http://box:80"},
		{"config path kept", "box/ollama", "", "http://box:11434/ollama"},
		// Bare IPv6 addresses and ollama.com, as the ollama CLI reads them.
		{"config IPv6 without brackets", "::1", "", "http://[::1]:11434"},
		{"config IPv6 global", "2001:db8::7", "", "http://[2001:db8::7]:11434"},
		{"config ollama.com", "ollama.com", "", "https://ollama.com:443"},
		{"env port only", "", ":11435", "http://127.0.0.1:11435"},
		{"env quoted", "", `"gpu-box"`, "http://gpu-box:11434"},
		{"env host:port", "", "127.0.0.1:5555", "http://127.0.0.1:5555"},
		{"env with scheme", "", "https://ollama.example.org", "https://ollama.example.org:443"},
		{"default", "", "", "http://127.0.0.1:11434"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("OLLAMA_HOST", c.env)
			p, err := NewOllama(config.Provider{BaseURL: c.baseURL})
			if err != nil {
				t.Fatal(err)
			}
			if p.BaseURL() != c.want || p.Name() != "ollama" {
				t.Fatalf("base %q name %q, want %q", p.BaseURL(), p.Name(), c.want)
			}
		})
	}
	if _, err := NewOllama(config.Provider{Name: "box", BaseURL: "ftp://x"}); err == nil || !strings.Contains(err.Error(), "box") {
		t.Fatalf("want an error naming the provider, got %v", err)
	}
	// A bad port is an error saying where, not a silent default.
	if _, err := NewOllama(config.Provider{Name: "box", BaseURL: "gpu:99999"}); err == nil || !strings.Contains(err.Error(), "base_url") || !strings.Contains(err.Error(), "99999") {
		t.Fatalf("want an error naming base_url and the port, got %v", err)
	}
	t.Setenv("OLLAMA_HOST", "user:secret@gpu")
	if _, err := NewOllama(config.Provider{}); err == nil || !strings.Contains(err.Error(), "OLLAMA_HOST") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("want an error naming OLLAMA_HOST without the password, got %v", err)
	}
}

func TestOllamaHeaders(t *testing.T) {
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, "application/json", `{"models":[]}`)
	})
	u, _ := url.Parse(srv.URL)
	p, err := NewOllama(config.Provider{BaseURL: u.String(), Headers: map[string]string{"X-Team": "prompts"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.ListModels(context.Background()); err != nil {
		t.Fatal(err)
	}
	if h := seen.last(t, "/api/tags").Header.Get("X-Team"); h != "prompts" {
		t.Fatalf("header %q", h)
	}
}

// TestOllamaFormat: a format param is the request's format field, which
// Ollama honours, not an option, which it would ignore.
func TestOllamaFormat(t *testing.T) {
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptOllamaNDJSON, ptOllamaLine("x", "{}"), ptOllamaDone)
	})
	p := ptOllama(t, srv.URL)
	schema := map[string]any{"type": "object", "properties": map[string]any{"age": map[string]any{"type": "integer"}}}
	for _, c := range []struct {
		format any
		want   any
	}{
		{"json", "json"},
		{schema, schema},
		{`{"type":"object"}`, map[string]any{"type": "object"}},
	} {
		req := Request{Model: "x", Params: prompt.Params{Extra: map[string]any{"format": c.format, "top_k": float64(20),
			"ollama.num_ctx": float64(8192), "gemini.topK": float64(3)}}}
		if _, err := p.Chat(context.Background(), req, nil); err != nil {
			t.Fatal(err)
		}
		b := seen.last(t, "/api/chat").Body
		if got := ptDig(b, "format"); !reflect.DeepEqual(got, c.want) || ptDig(b, "options", "format") != nil || ptDig(b, "options", "top_k") != float64(20) ||
			ptDig(b, "options", "num_ctx") != float64(8192) || ptDig(b, "options", "topK") != nil || ptDig(b, "options", "gemini.topK") != nil {
			t.Errorf("format %v: body format %v, options %v", c.format, got, ptDig(b, "options"))
		}
	}
	for _, bad := range []any{"yaml", 3.0, `{"type":`} {
		req := Request{Model: "x", Params: prompt.Params{Extra: map[string]any{"format": bad}}}
		if _, err := p.Chat(context.Background(), req, nil); err == nil || !strings.Contains(err.Error(), "param format") {
			t.Errorf("format %v: %v, want an error naming the param", bad, err)
		}
	}
}

// TestOllamaProxyErrors: a reverse proxy in front of Ollama answers with
// HTML, which must not become the message, and a 401 says what to do.
func TestOllamaProxyErrors(t *testing.T) {
	cases := []struct {
		status      int
		contentType string
		body        string
		want        string
	}{
		{502, "text/html", "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body></body></html>\r\n", "HTTP 502: Bad Gateway"},
		{401, "text/html", "<html>\r\n<head><title>401 Authorization Required</title></head></html>\r\n", "give the provider api_key_env or api_key_cmd"},
		{401, "application/json", `{"error":"unauthorized","signin_url":"https://ollama.com/connect?name=box&key=abc"}`, "ollama signin"},
	}
	for _, c := range cases {
		srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			w.Header().Set("Content-Type", c.contentType)
			w.WriteHeader(c.status)
			fmt.Fprint(w, c.body)
		})
		_, err := ptOllama(t, srv.URL).Chat(context.Background(), Request{Model: "x"}, nil)
		ae := ptAPIError(t, err)
		if ae.Status != c.status || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "<html>") {
			t.Errorf("%d %s: got %v (status %d), want %q", c.status, c.contentType, err, ae.Status, c.want)
		}
	}
}

// TestOllamaThinkingIsNotTheAnswer: a thinking model's message.thinking
// (sent before the content, by default since Ollama 0.9) never joins the
// answer or its deltas; its tokens count in eval_count.
func TestOllamaThinkingIsNotTheAnswer(t *testing.T) {
	think := func(s string) string {
		return fmt.Sprintf(`{"model":"qwen3:8b","created_at":"2025-06-01T00:00:00Z","message":{"role":"assistant","content":"","thinking":%q},"done":false}`+"\n", s)
	}
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		if r.URL.Path != "/api/chat" {
			ptStream(w, "application/json", `{"models":[]}`)
			return
		}
		ptStream(w, ptOllamaNDJSON, think("The user wants"), think(" a greeting."), ptOllamaLine("qwen3:8b", "Hi!"),
			`{"model":"qwen3:8b","created_at":"2025-06-01T00:00:01Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":9,"eval_count":14,"eval_duration":700000000}`+"\n")
	})
	resp, err, deltas := ptChat(t, context.Background(), ptOllama(t, srv.URL), Request{Model: "qwen3:8b"}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "Hi!" || strings.Join(deltas, "|") != "Hi!" || resp.TokensOut != 14 {
		t.Fatalf("text %q deltas %q tokens out %d", resp.Text, deltas, resp.TokensOut)
	}
}

// TestOllamaKeys: a proxy's token from api_key_env is a bearer token on every
// call; ollama.com's OLLAMA_API_KEY goes to ollama.com only, without the
// local install's signature the api client would otherwise need.
func TestOllamaKeys(t *testing.T) {
	t.Setenv("OLLAMA_API_KEY", "ollama-cloud-key")
	t.Setenv("PROXY_TOKEN", "proxy-secret")
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		if r.URL.Path == "/api/tags" {
			ptStream(w, "application/json", ptOllamaTags)
			return
		}
		ptError(w, 400, `{"error":"bad request with proxy-secret echoed"}`)
	})

	// A local server never receives OLLAMA_API_KEY.
	local := ptOllama(t, srv.URL)
	if _, err := local.ListModels(context.Background()); err != nil {
		t.Fatal(err)
	}
	if h := seen.last(t, "/api/tags").Header.Get("Authorization"); h != "" {
		t.Fatalf("local server got Authorization %q", h)
	}

	proxied, err := NewOllama(config.Provider{Name: "gpu", Type: "ollama", BaseURL: srv.URL, APIKeyEnv: "PROXY_TOKEN"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := proxied.ListModels(context.Background()); err != nil {
		t.Fatal(err)
	}
	if h := seen.last(t, "/api/tags").Header.Get("Authorization"); h != "Bearer proxy-secret" {
		t.Fatalf("Authorization %q, want the proxy's token", h)
	}
	_, err = proxied.Chat(context.Background(), Request{Model: "x"}, nil)
	if err == nil || strings.Contains(err.Error(), "proxy-secret") || !strings.Contains(err.Error(), "[redacted]") {
		t.Fatalf("error %v: want the echoed key redacted", err)
	}
	if err := proxied.MissingKey(); err != nil {
		t.Fatalf("MissingKey with the token set: %v", err)
	}
	t.Setenv("PROXY_TOKEN", "")
	if _, err := proxied.ListModels(context.Background()); err == nil || !strings.Contains(err.Error(), "PROXY_TOKEN") {
		t.Fatalf("missing key: %v", err)
	}
	// Refused before a run is made, as for hosted providers; a local
	// server without a key source needs none.
	if err := proxied.MissingKey(); err == nil || !strings.Contains(err.Error(), "PROXY_TOKEN") {
		t.Fatalf("MissingKey: %v", err)
	}
	if err := local.MissingKey(); err != nil {
		t.Fatalf("local MissingKey: %v", err)
	}

	// ollama.com: no signing key in this HOME, so the api client's own
	// signature would fail; the request goes to ollama.com with the key.
	t.Setenv("HOME", t.TempDir())
	base, err := ollamaParseHost("ollama.com")
	if err != nil {
		t.Fatal(err)
	}
	var got *http.Request
	rt := ptRoundTrip(func(r *http.Request) *http.Response {
		got = r
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(`{"models":[]}`)), Request: r}
	})
	cloud := newOllama("cloud", config.Provider{Name: "cloud", Type: "ollama"}, base, &http.Client{Transport: &provTransport{base: rt, ndjson: true}})
	if _, err := cloud.ListModels(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.URL.String() != "https://ollama.com:443/api/tags" || got.Header.Get("Authorization") != "Bearer ollama-cloud-key" {
		t.Fatalf("request %v, Authorization %q", got.URL, got.Header.Get("Authorization"))
	}
	// Without the key nor a signed-in install: say what to set.
	t.Setenv("OLLAMA_API_KEY", "")
	if _, err := cloud.ListModels(context.Background()); err == nil || !strings.Contains(err.Error(), "set OLLAMA_API_KEY") {
		t.Fatalf("no key: %v", err)
	}
}

type ptRoundTrip func(*http.Request) *http.Response

func (f ptRoundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r), nil }

// TestOllamaWrongPath: base_url ending in /v1 (Ollama's OpenAI-compatible
// API) reaches no Ollama route; the 404 is not an unknown model.
func TestOllamaWrongPath(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(404)
		fmt.Fprint(w, "404 page not found")
	})
	_, err := ptOllama(t, srv.URL+"/v1").Chat(context.Background(), Request{Model: "llama3.2"}, nil)
	ae := ptAPIError(t, err)
	if ae.Status != 404 || strings.Contains(err.Error(), "ollama pull") || !strings.Contains(err.Error(), "type openai") {
		t.Fatalf("got %v", err)
	}
}

// A model pulled again under its name while whet runs (the workbench stays
// open for days) is recorded with its new digest once the last listing is
// older than ollamaDigestTTL; within it, the listing is reused.
func TestOllamaDigestFollowsAModelPulledAgain(t *testing.T) {
	var mu sync.Mutex
	digest := "aaaa"
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		if r.URL.Path == "/api/chat" {
			ptStream(w, ptOllamaNDJSON, ptOllamaLine("llama3.2:3b", "ok"), ptOllamaDone)
			return
		}
		mu.Lock()
		d := digest
		mu.Unlock()
		ptStream(w, "application/json", `{"models":[{"name":"llama3.2:3b","model":"llama3.2:3b","digest":"`+d+`"}]}`)
	})
	p := ptOllama(t, srv.URL)
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p.now = func() time.Time { return clock }
	chat := func() string {
		t.Helper()
		resp, err := p.Chat(context.Background(), Request{Model: "llama3.2:3b"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return resp.ModelDigest
	}
	if d := chat(); d != "aaaa" {
		t.Fatalf("first digest %q", d)
	}
	mu.Lock()
	digest = "bbbb" // ollama pull llama3.2:3b
	mu.Unlock()
	clock = clock.Add(ollamaDigestTTL / 2)
	if d := chat(); d != "aaaa" || seen.count("/api/tags") != 1 {
		t.Errorf("within the TTL: digest %q after %d listings, want aaaa after 1", d, seen.count("/api/tags"))
	}
	clock = clock.Add(ollamaDigestTTL)
	if d := chat(); d != "bbbb" || seen.count("/api/tags") != 2 {
		t.Errorf("after the TTL: digest %q after %d listings, want bbbb after 2", d, seen.count("/api/tags"))
	}
}

// TestOllamaDigestOfEveryNameOfAModel: Ollama runs a model under any case
// and with its library prefix, and answers with the name it was sent (as
// a real server answered "TINY"); the digest is the one /api/tags lists.
func TestOllamaDigestOfEveryNameOfAModel(t *testing.T) {
	for _, name := range []string{"TINY", "Tiny:latest", "library/tiny", "registry.ollama.ai/library/tiny:latest"} {
		srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			switch r.URL.Path {
			case "/api/chat":
				ptStream(w, ptOllamaNDJSON,
					`{"model":"`+name+`","created_at":"2026-11-25T03:46:42.195107355Z","message":{"role":"assistant","content":"/"},"done":false}`+"\n",
					`{"model":"`+name+`","created_at":"2026-11-25T03:46:42.195107355Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"length","total_duration":61046714,"load_duration":7640319,"prompt_eval_count":25,"prompt_eval_duration":46740741,"eval_count":2,"eval_duration":2664012}`+"\n")
			case "/api/tags":
				ptStream(w, "application/json; charset=utf-8", `{"models":[{"name":"tiny:latest","model":"tiny:latest","modified_at":"2026-11-25T03:35:52.894864642Z","size":238167,"digest":"8ba8470d7aadd8ddf3a9cab9eeeba23fd4ba1f8dafbd244f815f15cfa87899d3","details":{"parent_model":"","format":"gguf","family":"llama","families":["llama"],"parameter_size":"58K","quantization_level":"unknown"}}]}`)
			}
		})
		resp, err := ptOllama(t, srv.URL).Chat(context.Background(), Request{Model: name, Messages: ptMessages()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.ModelDigest != "8ba8470d7aadd8ddf3a9cab9eeeba23fd4ba1f8dafbd244f815f15cfa87899d3" {
			t.Errorf("%s: digest %q", name, resp.ModelDigest)
		}
	}
}

// TestOllamaLatestIsRecordedWithoutTag: Ollama reports the name it was
// sent, so a model run as "qwen2.5" and as "qwen2.5:latest" records one
// identity, with the digest /api/tags lists under "qwen2.5:latest".
func TestOllamaLatestIsRecordedWithoutTag(t *testing.T) {
	for _, name := range []string{"qwen2.5", "qwen2.5:latest"} {
		srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			switch r.URL.Path {
			case "/api/chat":
				done := strings.Replace(ptOllamaDone, "llama3.2:3b", name, 1)
				ptStream(w, ptOllamaNDJSON, ptOllamaLine(name, "hi"), done)
			case "/api/tags":
				ptStream(w, "application/json", ptOllamaTags)
			default:
				http.NotFound(w, r)
			}
		})
		resp, err := ptOllama(t, srv.URL).Chat(context.Background(), Request{Model: name, Messages: ptMessages()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Model != "qwen2.5" || !strings.HasPrefix(resp.ModelDigest, "845dbda0ea48") {
			t.Errorf("%s: model %q digest %q, want qwen2.5 and 845dbda0ea48…", name, resp.Model, resp.ModelDigest)
		}
	}
}

// TestOllamaDoneReasons: done_reason "length" is a result that says so;
// "load" and "unload" (Ollama's answer to a chat without messages) are an
// error, not an empty answer; a stream that ends without its done line (as
// Ollama ends a model that repeats one token over and over) is a retried
// error that says why it may have ended.
func TestOllamaDoneReasons(t *testing.T) {
	final := func(reason string) string {
		return `{"model":"m","created_at":"2025-01-02T03:04:05Z","message":{"role":"assistant","content":""},"done_reason":"` + reason + `","done":true,"total_duration":900000000,"load_duration":800000000,"prompt_eval_count":9,"eval_count":64,"eval_duration":500000000}` + "\n"
	}
	cases := []struct {
		name, finish, errWant string
		lines                 []string
		temporary             bool
	}{
		{"length", "length", "", []string{ptOllamaLine("m", "Once upon"), final("length")}, false},
		{"load", "", `ollama: the server only loaded model "m" and answered nothing (done_reason "load")`, []string{
			`{"model":"m","created_at":"2025-01-02T03:04:05Z","message":{"role":"assistant","content":""},"done_reason":"load","done":true}` + "\n"}, false},
		{"unload", "", `the server only unloaded model "m"`, []string{
			`{"model":"m","created_at":"2025-01-02T03:04:05Z","message":{"role":"assistant","content":""},"done_reason":"unload","done":true}` + "\n"}, false},
		{"no done line", "", "repeats one token", []string{ptOllamaLine("m", "la"), ptOllamaLine("m", "la")}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				if r.URL.Path != "/api/chat" {
					ptStream(w, "application/json", `{"models":[]}`)
					return
				}
				ptStream(w, ptOllamaNDJSON, c.lines...)
			})
			resp, err := ptOllama(t, srv.URL).Chat(context.Background(), Request{Model: "m", Messages: ptMessages()}, nil)
			if c.errWant == "" {
				if err != nil || resp.FinishReason != c.finish || resp.Text != "Once upon" || resp.TokensOut != 64 {
					t.Fatalf("%+v %v, want finish %q", resp, err, c.finish)
				}
				return
			}
			if ae := ptAPIError(t, err); ae.Temporary != c.temporary || !strings.Contains(err.Error(), c.errWant) {
				t.Fatalf("err %v temporary %v, want %q temporary %v", err, ae.Temporary, c.errWant, c.temporary)
			}
		})
	}
}

// TestOllamaLoadingThenThinking: a model still loading sends nothing for a
// while (no first-byte timeout but the provider's); the time to the first
// token is the time to the first text of the answer, after any thinking, and
// so includes the load.
func TestOllamaLoadingThenThinking(t *testing.T) {
	const load, think = 150 * time.Millisecond, 100 * time.Millisecond
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		if r.URL.Path != "/api/chat" {
			ptStream(w, "application/json", `{"models":[]}`)
			return
		}
		time.Sleep(load)
		ptStream(w, ptOllamaNDJSON, `{"model":"qwen3:8b","created_at":"2025-06-01T00:00:00Z","message":{"role":"assistant","content":"","thinking":"The user"},"done":false}`+"\n")
		time.Sleep(think)
		ptStream(w, ptOllamaNDJSON, ptOllamaLine("qwen3:8b", "Hi!"),
			`{"model":"qwen3:8b","created_at":"2025-06-01T00:00:01Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":9,"eval_count":14,"eval_duration":700000000}`+"\n")
	})
	resp, err, _ := ptChat(t, context.Background(), ptOllama(t, srv.URL), Request{Model: "qwen3:8b"}, 10*time.Second)
	if err != nil || resp.Text != "Hi!" {
		t.Fatalf("%+v %v", resp, err)
	}
	if resp.TTFT < load+think {
		t.Fatalf("TTFT %v, want at the answer's first text (after %v)", resp.TTFT, load+think)
	}
}

// TestOllamaMissingModelWordings: every Ollama version's words for a model
// it does not have are "not found" with the pull to run.
func TestOllamaMissingModelWordings(t *testing.T) {
	for _, body := range []string{
		`{"error":"model \"nope\" not found, try pulling it first"}`, // the scheduler's
		`{"error":"model 'nope' not found, try pulling it first"}`,   // older servers
		`{"error":"model 'nope' not found"}`,                         // the chat handler's (0.17)
	} {
		srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			ptError(w, 404, body)
		})
		_, err := ptOllama(t, srv.URL).Chat(context.Background(), Request{Model: "nope"}, nil)
		if ae := ptAPIError(t, err); ae.Temporary || ae.Status != 404 || !strings.Contains(err.Error(), `model "nope" not found on ollama`) ||
			!strings.Contains(err.Error(), "run 'ollama pull nope'") {
			t.Fatalf("%s: %v", body, err)
		}
	}
}

// TestOllamaTagsWithoutDetails: ollama.com's /api/tags lists models
// without details (and an entry may lack more): they are listed with what
// there is.
func TestOllamaTagsWithoutDetails(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, "application/json", `{"models":[{"name":"gpt-oss:120b","model":"gpt-oss:120b","modified_at":"2025-08-05T12:00:00Z","size":65369818941,"digest":"735371f916a9"},{"name":"bare"}]}`)
	})
	models, err := ptOllama(t, srv.URL).ListModels(context.Background())
	if err != nil || len(models) != 2 || models[0].Name != "gpt-oss:120b" || models[0].Size != 65369818941 || models[0].Family != "" ||
		models[1].Name != "bare" || !models[1].Modified.IsZero() {
		t.Fatalf("%+v %v", models, err)
	}
}

// TestOllamaOutOfMemoryIsFinal: Ollama's 500 for a model too large for the
// memory left is not retried (it has unloaded what it could already); its
// 503 "server busy" (too many queued requests) is.
func TestOllamaOutOfMemoryIsFinal(t *testing.T) {
	for body, temporary := range map[string]bool{
		`{"error":"model requires more system memory (12.4 GiB) than is available (7.1 GiB)"}`: false,
		`{"error":"server busy, please try again.  maximum pending requests exceeded"}`:        true,
	} {
		status := 500
		if temporary {
			status = 503
		}
		srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			ptError(w, status, body)
		})
		_, err := ptOllama(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
		if ae := ptAPIError(t, err); ae.Temporary != temporary || ae.Status != status {
			t.Errorf("%s: %v temporary %v, want %v", body, err, ae.Temporary, temporary)
		}
	}
}

// TestOllamaLoadFailureIsFinal: a 500 saying the model cannot be loaded
// (the bodies a real Ollama server sent for a GGUF without its tensors and
// for one of an architecture it does not know) is not retried: another
// attempt starts a runner that fails the same way. A crashed runner's exit
// status is.
func TestOllamaLoadFailureIsFinal(t *testing.T) {
	for body, temporary := range map[string]bool{
		`{"error":"llama runner process has terminated: error loading model: missing tensor 'token_embd.weight'"}`:                        false,
		`{"error":"unable to load model: /models/blobs/sha256-d2d2eb0f209c066d2cf77cf368e612a67bf276944628fbe756cad5a27ec3f5e9"}`:         false,
		`{"error":"llama runner process has terminated: this model is not supported by your version of Ollama. You may need to upgrade"}`: false,
		`{"error":"llama runner process has terminated: exit status 2"}`:                                                                  true,
	} {
		srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			ptError(w, 500, body)
		})
		_, err := ptOllama(t, srv.URL).Chat(context.Background(), Request{Model: "tiny"}, nil)
		ae := ptAPIError(t, err)
		if ae.Temporary != temporary || ae.Status != 500 {
			t.Errorf("%s: %v temporary %v, want %v", body, err, ae.Temporary, temporary)
		}
		if !temporary && !strings.Contains(err.Error(), `cannot load model "tiny"`) {
			t.Errorf("%s: %v does not say the model cannot be loaded", body, err)
		}
	}
}

// TestOllamaBadOptionIsFinal: Ollama answers an option of the wrong type
// with a 500 (as a real server answered num_ctx "eight"); it is not
// retried and points at the param.
func TestOllamaBadOptionIsFinal(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptError(w, 500, `{"error":"option \"num_ctx\" must be of type integer"}`)
	})
	p := prompt.Params{Extra: map[string]any{"num_ctx": "eight"}}
	_, err := ptOllama(t, srv.URL).Chat(context.Background(), Request{Model: "tiny", Messages: ptMessages(), Params: p}, nil)
	ae := ptAPIError(t, err)
	if ae.Temporary || !strings.Contains(err.Error(), `option "num_ctx" must be of type integer (check the prompt's param of that name)`) {
		t.Errorf("%v (temporary %v)", err, ae.Temporary)
	}
}

// A number or boolean option written as text (a quoted value in a file
// stays text) reaches Ollama as the type it requires: the request's
// options pass api.Options.FromMap, as the server reads them.
func TestOllamaOptionsTakeTextNumbers(t *testing.T) {
	p := prompt.Params{Extra: map[string]any{
		"num_ctx": "8192", "use_mmap": "false", "min_p": " 0.05", "top_k": 40, "num_thread": "eight",
	}}
	b, err := json.Marshal(ollamaOptions(p))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	// Text that is no number stays text, for Ollama to refuse by name.
	if m["num_thread"] != "eight" {
		t.Errorf("num_thread sent as %v", m["num_thread"])
	}
	delete(m, "num_thread")
	var o api.Options
	if err := o.FromMap(m); err != nil {
		t.Fatalf("Ollama would refuse %s: %v", b, err)
	}
	if o.NumCtx != 8192 || o.UseMMap == nil || *o.UseMMap || o.MinP != 0.05 || o.TopK != 40 {
		t.Errorf("options %s read as %+v", b, o)
	}
}
