package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"whet/config"
	"whet/prompt"
)

const (
	ptSSE       = "text/event-stream"
	ptOpenAIKey = "sk-test-0123456789abcdef"
)

// ptOpenAIChunk is one `data:` event of a chat.completion.chunk stream.
func ptOpenAIChunk(content, finish string) string {
	fin := "null"
	if finish != "" {
		fin = fmt.Sprintf("%q", finish)
	}
	return fmt.Sprintf(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1735787045,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":%q},"logprobs":null,"finish_reason":%s}],"usage":null}`+"\n\n", content, fin)
}

const ptOpenAIUsage = `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1735787045,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}` + "\n\n"

const ptOpenAIDone = "data: [DONE]\n\n"

func ptOpenAI(t *testing.T, base string) *OpenAI {
	t.Helper()
	t.Setenv("WHET_TEST_OPENAI_KEY", ptOpenAIKey)
	p, err := NewOpenAI(config.Provider{Name: "openai", Type: "openai", BaseURL: base + "/v1", APIKeyEnv: "WHET_TEST_OPENAI_KEY",
		Headers: map[string]string{"X-Team": "prompts"}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ptOpenAIErr(status int, msg string) string {
	typ := "server_error"
	if status < 500 {
		typ = "invalid_request_error"
	}
	return fmt.Sprintf(`{"error":{"message":%q,"type":%q,"param":null,"code":null}}`, msg, typ)
}

func TestOpenAIChatStreams(t *testing.T) {
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptSSE,
			`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1735787045,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}`+"\n\n",
			ptOpenAIChunk("Hel", ""), ": keep-alive comment\n\n", ptOpenAIChunk("lo", ""), ptOpenAIChunk("", "length"), ptOpenAIUsage, ptOpenAIDone)
	})
	p := ptOpenAI(t, srv.URL)
	req := Request{Model: "gpt-4o-mini", Messages: ptMessages(), Params: ptParams()}
	// Keys scoped to a provider type reach only that type, unscoped.
	req.Params.Extra = map[string]any{"presence_penalty": 0.5, "reasoning_effort": "low", "ollama.num_ctx": 8192.0, "openai.logprobs": true}
	resp, err, deltas := ptChat(t, context.Background(), p, req, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "Hello" || strings.Join(deltas, "|") != "Hel|lo" {
		t.Fatalf("text %q deltas %q", resp.Text, deltas)
	}
	want := Response{Text: "Hello", FinishReason: "length", TokensIn: 12, TokensOut: 3, Model: "gpt-4o-mini-2024-07-18", ModelDigest: "fp_44709d6fcb"}
	got := resp
	got.TTFT, got.Latency = 0, 0
	if got != want {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	if resp.TTFT <= 0 || resp.Latency < resp.TTFT {
		t.Fatalf("TTFT %v latency %v", resp.TTFT, resp.Latency)
	}

	r := seen.last(t, "/v1/chat/completions")
	if r.Method != "POST" || r.Header.Get("Authorization") != "Bearer "+ptOpenAIKey || r.Header.Get("X-Team") != "prompts" {
		t.Fatalf("method %s auth %q x-team %q", r.Method, r.Header.Get("Authorization"), r.Header.Get("X-Team"))
	}
	checks := []struct {
		path []any
		want any
	}{
		{[]any{"model"}, "gpt-4o-mini"},
		{[]any{"stream"}, true},
		{[]any{"stream_options", "include_usage"}, true},
		{[]any{"messages", 0, "role"}, "system"},
		{[]any{"messages", 0, "content"}, "be brief"},
		{[]any{"messages", 1, "role"}, "user"},
		{[]any{"messages", 2, "role"}, "assistant"},
		{[]any{"messages", 2, "content"}, "hello"},
		{[]any{"temperature"}, 0.2},
		{[]any{"top_p"}, 0.9},
		{[]any{"seed"}, float64(42)},
		{[]any{"stop", 0}, "END"},
		{[]any{"max_tokens"}, float64(128)}, // not api.openai.com
		{[]any{"max_completion_tokens"}, nil},
		{[]any{"presence_penalty"}, 0.5},
		{[]any{"reasoning_effort"}, "low"},
		{[]any{"logprobs"}, true},
		{[]any{"openai.logprobs"}, nil},
		{[]any{"num_ctx"}, nil},
		{[]any{"ollama.num_ctx"}, nil},
	}
	for _, c := range checks {
		if v := ptDig(r.Body, c.path...); v != c.want {
			t.Errorf("body %v = %v (%T), want %v", c.path, v, v, c.want)
		}
	}

	// api.openai.com gets max_completion_tokens instead.
	p.official = true
	if _, err := p.Chat(context.Background(), req, nil); err != nil {
		t.Fatal(err)
	}
	r = seen.last(t, "/v1/chat/completions")
	if ptDig(r.Body, "max_completion_tokens") != float64(128) || ptDig(r.Body, "max_tokens") != nil {
		t.Fatalf("official endpoint body: max_completion_tokens %v max_tokens %v", ptDig(r.Body, "max_completion_tokens"), ptDig(r.Body, "max_tokens"))
	}
}

func TestOpenAIFaults(t *testing.T) {
	ptFaults(t, ptWire{
		contentType: ptSSE,
		errorBody:   ptOpenAIErr,
		firstChunk:  ptOpenAIChunk("Hel", ""),
		malformed:   ptOpenAIChunk("Hel", "") + "data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\n\n" + ptOpenAIDone,
		notFound: func(w http.ResponseWriter) {
			ptError(w, 404, `{"error":{"message":"The model `+"`nope`"+` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}`)
		},
		notFoundWant: "openai",
	}, func(t *testing.T, base string) Provider { return ptOpenAI(t, base) }, ptOpenAIKey)
}

func TestOpenAITruncatedStream(t *testing.T) {
	// A clean end of body without finish_reason or [DONE].
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptSSE, ptOpenAIChunk("Hel", ""))
	})
	resp, err := ptOpenAI(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
	ae := ptAPIError(t, err)
	if !ae.Temporary || resp.Text != "Hel" {
		t.Fatalf("err %v temporary %v text %q", err, ae.Temporary, resp.Text)
	}
}

func TestOpenAIErrorEventMidStream(t *testing.T) {
	cases := []struct {
		name, event, want string
		temporary         bool
	}{
		{"openai", `{"error":{"message":"The server had an error","type":"server_error"}}`, "server had an error", true},
		// vLLM's streaming error: the HTTP status as a number.
		{"vllm 500", `{"error":{"message":"EngineCore encountered an issue.","type":"InternalServerError","param":null,"code":500}}`, "EngineCore", true},
		{"vllm 400", `{"error":{"message":"This model's maximum context length is 8192 tokens.","type":"BadRequestError","param":null,"code":400}}`, "maximum context length", false},
		// OpenRouter: the error beside a choice finished with "error".
		{"openrouter 502", `{"id":"gen-1","object":"chat.completion.chunk","model":"m","error":{"code":502,"message":"Provider returned error"},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"error"}]}`, "Provider returned error", true},
		{"string code", `{"error":{"message":"upstream timed out","code":"504"}}`, "upstream timed out", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				ptStream(w, ptSSE, ptOpenAIChunk("Hel", ""), "data: "+c.event+"\n\n")
			})
			resp, err := ptOpenAI(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
			ae := ptAPIError(t, err)
			if ae.Temporary != c.temporary || !strings.Contains(err.Error(), c.want) || resp.Text != "Hel" {
				t.Fatalf("err %v temporary %v text %q, want temporary %v", err, ae.Temporary, resp.Text, c.temporary)
			}
			if !strings.HasPrefix(err.Error(), "openai: ") || !strings.HasSuffix(err.Error(), " (mid-stream)") {
				t.Fatalf("err %q, want the provider, the server's message, and that it came mid-stream", err)
			}
			if strings.Contains(err.Error(), `"message"`) {
				t.Fatalf("err %v repeats the event's JSON, not its message", err)
			}
		})
	}
}

func TestOpenAIKeys(t *testing.T) {
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		if r.Header.Get("Authorization") == "" {
			ptError(w, 401, `{"error":{"message":"Invalid API Key","type":"invalid_request_error","code":"invalid_api_key"}}`)
			return
		}
		ptStream(w, ptSSE, ptOpenAIChunk("ok", "stop"), ptOpenAIDone)
	})
	// Ambient OpenAI credentials never reach another server.
	t.Setenv("OPENAI_API_KEY", "sk-ambient-must-not-leak")
	t.Setenv("OPENAI_ORG_ID", "org-ambient")
	t.Setenv("OPENAI_ADMIN_KEY", "sk-admin-ambient-must-not-leak")
	t.Setenv("GROQ_API_KEY", "")

	groq, err := NewOpenAI(config.Provider{Name: "groq", Type: "openai", BaseURL: srv.URL + "/openai/v1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = groq.Chat(context.Background(), Request{Model: "llama-3.1-8b-instant"}, nil)
	ae := ptAPIError(t, err)
	if ae.Status != 401 || !strings.Contains(err.Error(), "GROQ_API_KEY") || strings.Contains(err.Error(), "ambient") {
		t.Fatalf("want a 401 naming GROQ_API_KEY, got %v", err)
	}
	r := seen.last(t, "/openai/v1/chat/completions")
	if r.Header.Get("Authorization") != "" || r.Header.Get("OpenAI-Organization") != "" {
		t.Fatalf("ambient credentials sent: auth %q org %q", r.Header.Get("Authorization"), r.Header.Get("OpenAI-Organization"))
	}

	t.Setenv("GROQ_API_KEY", "gsk_groq")
	if _, err := groq.Chat(context.Background(), Request{Model: "llama-3.1-8b-instant"}, nil); err != nil {
		t.Fatal(err)
	}
	sent := seen.last(t, "/openai/v1/chat/completions").Header
	if h := sent.Get("Authorization"); h != "Bearer gsk_groq" {
		t.Fatalf("auth %q, want the key read at call time", h)
	}
	// Nor does the SDK's description of this machine.
	for k := range sent {
		if strings.HasPrefix(k, "X-Stainless-") {
			t.Errorf("telemetry header %s: %q sent to another server than api.openai.com", k, sent.Get(k))
		}
	}
	if sent.Get("User-Agent") == "" || sent.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v: want the User-Agent and Content-Type kept", sent)
	}

	// The provider named openai needs its key.
	t.Setenv("OPENAI_API_KEY", "")
	oa, err := NewOpenAI(config.Provider{Name: "openai", Type: "openai", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oa.Chat(context.Background(), Request{Model: "gpt-4o"}, nil); err == nil || !strings.Contains(err.Error(), "OPENAI_API_KEY") {
		t.Fatalf("want an error naming OPENAI_API_KEY, got %v", err)
	}
}

func TestOpenAIBaseURL(t *testing.T) {
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
	p, err := NewOpenAI(config.Provider{})
	if err != nil {
		t.Fatal(err)
	}
	if p.BaseURL() != "http://127.0.0.1:9/v1/" || p.Name() != "openai" || p.official {
		t.Fatalf("base %q name %q official %v", p.BaseURL(), p.Name(), p.official)
	}
	t.Setenv("OPENAI_BASE_URL", "")
	p, err = NewOpenAI(config.Provider{})
	if err != nil {
		t.Fatal(err)
	}
	if p.BaseURL() != openaiDefaultBase || !p.official {
		t.Fatalf("base %q official %v", p.BaseURL(), p.official)
	}
	if _, err := NewOpenAI(config.Provider{Name: "vllm", BaseURL: "not a url at all ::"}); err == nil {
		t.Fatal("want an error for a bad base_url")
	}
}

func TestOpenAIListModels(t *testing.T) {
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, "application/json", `{"object":"list","data":[{"id":"gpt-4o","object":"model","created":1715367049,"owned_by":"system"},{"id":"llama3","object":"model","created":0,"owned_by":"local"}]}`)
	})
	models, err := ptOpenAI(t, srv.URL).ListModels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(models) != 2 || models[0].Name != "gpt-4o" || models[0].Modified.Unix() != 1715367049 || models[1].Name != "llama3" {
		t.Fatalf("got %+v", models)
	}
	if r := seen.last(t, "/v1/models"); r.Method != "GET" {
		t.Fatalf("method %s", r.Method)
	}
}

func TestOpenAIListModelsOfficialKeepsChatModels(t *testing.T) {
	// api.openai.com lists every model it has; only chat models are targets.
	ids := []string{"gpt-4o-mini", "text-embedding-3-small", "tts-1-hd", "whisper-1", "gpt-4o-mini-transcribe", "dall-e-3",
		"gpt-image-1", "sora-2", "omni-moderation-latest", "gpt-4o-realtime-preview", "babbage-002", "davinci-002", "o3-mini", "gpt-5"}
	var data []string
	for _, id := range ids {
		data = append(data, `{"id":"`+id+`","object":"model","created":1,"owned_by":"system"}`)
	}
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, "application/json", `{"object":"list","data":[`+strings.Join(data, ",")+`]}`)
	})
	p := ptOpenAI(t, srv.URL)
	all, err := p.ListModels(context.Background())
	if err != nil || len(all) != len(ids) {
		t.Fatalf("a compatible server's list is kept whole: %d models, %v", len(all), err)
	}
	p.official = true
	models, err := p.ListModels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range models {
		got = append(got, m.Name)
	}
	if strings.Join(got, ",") != "gpt-4o-mini,o3-mini,gpt-5" {
		t.Fatalf("official list = %v", got)
	}
}

func TestOpenAIRequestBody(t *testing.T) {
	body, err := openaiRequestBody(Request{Model: "m", Messages: []prompt.Message{
		{Role: "developer", Content: "d"}, {Role: "tool", Content: "x"}, {Role: "user", Content: "<b>&"},
	}}, false, true)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"model":"m","messages":[{"role":"developer","content":"d"},{"role":"user","content":"x"},{"role":"user","content":"<b>&"}],"stream":true,"stream_options":{"include_usage":true}}`
	if string(body) != want {
		t.Fatalf("body\n%s\nwant\n%s", body, want)
	}
	body, _ = openaiRequestBody(Request{Model: "m"}, false, false)
	if want := `{"model":"m","messages":[],"stream":true}`; string(body) != want {
		t.Fatalf("body without usage\n%s\nwant\n%s", body, want)
	}
}

func TestOpenAINonJSONErrorBody(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		fmt.Fprint(w, "<html>Bad Gateway</html>")
	})
	_, err := ptOpenAI(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
	ae := ptAPIError(t, err)
	if ae.Status != 502 || !ae.Temporary {
		t.Fatalf("got %v (status %d temporary %v)", err, ae.Status, ae.Temporary)
	}
}

// TestOpenAIErrorBodyShapes checks that the server's message survives error
// bodies that are not OpenAI's {"error": {...}}, as compatible servers send
// them.
func TestOpenAIErrorBodyShapes(t *testing.T) {
	cases := []struct {
		name, contentType, body string
		status                  int
		want                    []string
	}{
		// FastChat, SGLang, TensorRT-LLM and vLLM before its errors moved under "error".
		{"flat object error", "application/json", `{"object":"error","message":"The model ` + "`nope`" + ` does not exist.","type":"NotFoundError","param":null,"code":404}`, 404,
			[]string{`model "nope" not found on openai`, "does not exist"}},
		// text-generation-inference.
		{"error string", "application/json", `{"error":"Input validation error: temperature must be strictly positive","error_type":"validation"}`, 422,
			[]string{"HTTP 422: Input validation error: temperature must be strictly positive"}},
		{"FastAPI detail", "application/json", `{"detail":"Not authenticated"}`, 403, []string{"HTTP 403: Not authenticated"}},
		// FastAPI's validation errors, bare and as Mistral nests them.
		{"FastAPI validation", "application/json", `{"detail":[{"type":"missing","loc":["body","messages"],"msg":"Field required","input":{}}]}`, 422,
			[]string{"HTTP 422: messages: Field required"}},
		{"mistral validation", "application/json", `{"object":"error","message":{"detail":[{"type":"extra_forbidden","loc":["body","top_kk"],"msg":"Extra inputs are not permitted","input":5}]},"type":"invalid_request_error","param":null,"code":null}`, 422,
			[]string{"HTTP 422: top_kk: Extra inputs are not permitted"}},
		{"plain text", "text/plain; charset=utf-8", "upstream connect error\n", 503, []string{"HTTP 503: upstream connect error"}},
		{"html", "text/html", "<html><body>Bad Gateway</body></html>", 502, []string{"HTTP 502: Bad Gateway"}},
		{"bare 403", "text/html", "<html><body><h1>403 Forbidden</h1></body></html>", 403, []string{"HTTP 403: Forbidden by http://", "check the provider's key and headers"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				w.Header().Set("Content-Type", c.contentType)
				w.WriteHeader(c.status)
				fmt.Fprint(w, c.body)
			})
			_, err := ptOpenAI(t, srv.URL).Chat(context.Background(), Request{Model: "nope"}, nil)
			ae := ptAPIError(t, err)
			if ae.Status != c.status || ae.Temporary != provTemporaryStatus(c.status) {
				t.Fatalf("status %d temporary %v: %v", ae.Status, ae.Temporary, err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "<html>") {
				t.Errorf("error %q repeats an HTML page", err)
			}
		})
	}
}

// TestOpenAIJSONInsteadOfStream: a 200 answer that is one JSON document is
// the server's error (LM Studio answers a path it does not serve so), and a
// web page is not a stream either: neither is a stream cut short to be retried; a stream mislabelled as JSON still reads.
func TestOpenAIJSONInsteadOfStream(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"error", `{"error":"Unexpected endpoint or method. (POST /chat/completions)"}`, "Unexpected endpoint or method. (POST /chat/completions)"},
		{"completion", `{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}`, "not an event stream"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				ptStream(w, "application/json; charset=utf-8", c.body)
			})
			_, err := ptOpenAI(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
			ae := ptAPIError(t, err)
			if ae.Temporary || !strings.Contains(err.Error(), c.want) || seen.count("/chat/completions") != 1 {
				t.Fatalf("err %v temporary %v, want a permanent error containing %q", err, ae.Temporary, c.want)
			}
		})
	}
	t.Run("web page", func(t *testing.T) {
		srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			ptStream(w, "text/html; charset=utf-8", "<!doctype html><html><head><title>Open WebUI</title></head></html>")
		})
		_, err := ptOpenAI(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
		ae := ptAPIError(t, err)
		if ae.Temporary || !strings.Contains(err.Error(), "web page") || seen.count("/chat/completions") != 1 {
			t.Fatalf("err %v temporary %v, want a permanent error saying the answer is a web page", err, ae.Temporary)
		}
	})
	t.Run("stream labelled json", func(t *testing.T) {
		srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			ptStream(w, "application/json", ptOpenAIChunk("Hel", ""), ptOpenAIChunk("lo", "stop"), ptOpenAIDone)
		})
		resp, err := ptOpenAI(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
		if err != nil || resp.Text != "Hello" || resp.FinishReason != "stop" {
			t.Fatalf("resp %+v err %v", resp, err)
		}
	})
}

// BenchmarkOpenAIChat measures one streamed call (three text chunks, a
// finish chunk and a usage chunk, as the bench server sends) against a
// local server, from 8 goroutines: the provider's CPU and allocations per
// call, server included.
func BenchmarkOpenAIChat(b *testing.B) {
	stream := ptOpenAIChunk("Hello", "") + ptOpenAIChunk(" from", "") + ptOpenAIChunk(" bench", "") + ptOpenAIChunk("", "stop") + ptOpenAIUsage + ptOpenAIDone
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", ptSSE)
		_, _ = io.WriteString(w, stream)
	}))
	defer srv.Close()
	b.Setenv("WHET_BENCH_KEY", "sk-bench")
	p, err := NewOpenAI(config.Provider{Name: "bench", Type: "openai", BaseURL: srv.URL + "/v1", APIKeyEnv: "WHET_BENCH_KEY"})
	if err != nil {
		b.Fatal(err)
	}
	req := Request{Model: "m", Messages: []prompt.Message{{Role: "user", Content: "case number 1"}}}
	b.SetParallelism(4) // 4 × GOMAXPROCS goroutines
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := p.Chat(context.Background(), req, func(string) {})
			if err != nil || resp.Text != "Hello from bench" {
				b.Errorf("text %q err %v", resp.Text, err)
				return
			}
		}
	})
}

// TestOpenAIDecodeChunk checks that the fast chunk decoder agrees with
// encoding/json on every event, well-formed or not.
func TestOpenAIDecodeChunk(t *testing.T) {
	events := []string{
		strings.TrimSuffix(strings.TrimPrefix(ptOpenAIChunk("Hel", ""), "data: "), "\n\n"),
		strings.TrimSuffix(strings.TrimPrefix(ptOpenAIUsage, "data: "), "\n\n"),
		`{"model":"m","choices":[{"index":0,"delta":{"content":"a\"b\\c\n\u00e9\ud83d\ude00 <&>"},"finish_reason":null}]}`,
		`{"choices":[{"index":1,"delta":{"content":"other"}},{"index":0,"delta":{"role":"assistant"},"finish_reason":"stop"}],"usage":null}`,
		`{"choices":[{"index":0,"delta":null,"finish_reason":"length","logprobs":{"content":[1,2]}}],"system_fingerprint":null}`,
		`{"choices":[],"usage":{"prompt_tokens":7,"completion_tokens":0,"prompt_tokens_details":{"cached_tokens":3}}}`,
		`{"error":{"message":"overloaded","type":"server_error"}}`,
		`{"error":"plain text"}`,
		`{"choices":[{"index":0,"delta":{"content":null,"refusal":"I can't"}}]}`,
		`{"choices":[{"index":0,"delta":{"refusal":7}}]}`,
		`{"error":null,"model":"m"}`,
		`{"model":"caf` + "\xff" + `é"}`,
		`{"choices":[{"index":0,"delta":{"content":"a"}}],"choices":[{"index":0,"delta":{"content":"b"}}]}`,
		// the fallback: what encoding/json rejects is an error, as before
		`{"choices":[{"index":0,"delta":{"content":"lo`,
		`{"choices":[{"index":"0"}]}`,
		`{"choices":{"index":0}}`,
		`{"choices":[{"index":0,"delta":{"content":42}}]}`,
		`{"usage":{"prompt_tokens":1.5}}`,
		`{"model":7}`,
		`[1,2]`,
		`42`,
		`{"model":"m"} trailing`,
	}
	for _, ev := range events {
		var want openaiChunk
		wantErr := json.Unmarshal([]byte(ev), &want)
		got := openaiChunk{Choices: make([]openaiChoice, 3, 4)} // stale storage must not leak
		err := openaiDecodeChunk([]byte(ev), &got)
		if (err != nil) != (wantErr != nil) {
			t.Errorf("%s: error %v, encoding/json says %v", ev, err, wantErr)
			continue
		}
		if fast := openaiFastChunk([]byte(ev), &openaiChunk{}, nil); fast != (wantErr == nil) {
			t.Errorf("%s: fast path taken %v, want %v", ev, fast, wantErr == nil)
		}
		if err != nil {
			if !provIsDecode(err) {
				t.Errorf("%s: error %v (%T) is not a decode error", ev, err, err)
			}
			continue
		}
		if (got.Usage == nil) != (want.Usage == nil) || got.Usage != nil && *got.Usage != *want.Usage {
			t.Errorf("%s: usage %+v, want %+v", ev, got.Usage, want.Usage)
		}
		got.Usage, want.Usage = nil, nil
		got.usage, want.usage = openaiUsage{}, openaiUsage{}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got  %+v (usage %+v)\n want %+v (usage %+v)", ev, got, got.Usage, want, want.Usage)
		}
	}
}

// TestOpenAIStreamLines covers events longer than the read buffer, CRLF
// line endings, data split over several lines, an event without data and a
// last line without a line ending.
func TestOpenAIStreamLines(t *testing.T) {
	long := strings.Repeat("é", 6000) // 12 kB, three times the read buffer
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		crlf := strings.ReplaceAll(ptOpenAIChunk(long, ""), "\n", "\r\n")
		split := "data: {\"choices\":[{\"index\":0,\r\ndata: \"delta\":{\"content\":\"!\"},\"finish_reason\":\"stop\"}]}\n\n"
		ptStream(w, ptSSE, crlf, ": comment\r\n\r\n", "event: ping\ndata:\n\n", split, "data: [DONE]")
	})
	resp, err := ptOpenAI(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != long+"!" || resp.FinishReason != "stop" {
		t.Fatalf("text of %d bytes (want %d), finish %q", len(resp.Text), len(long)+1, resp.FinishReason)
	}

	// A line beyond the bound is an error, not a silent truncation.
	srv2, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptSSE, "data: "+strings.Repeat("x", openaiMaxEvent+10))
	})
	if _, err := ptOpenAI(t, srv2.URL).Chat(context.Background(), Request{Model: "m"}, nil); err == nil || !strings.Contains(err.Error(), "too long") {
		t.Fatalf("want a token too long error, got %v", err)
	}
}

// TestOpenAIRefusalAndReasoning: a refusal's text is the answer, marked
// content_filter; the reasoning of DeepSeek and vLLM (reasoning_content) and
// of OpenRouter (reasoning) never joins the answer; finish reasons are
// OpenAI's names.
func TestOpenAIRefusalAndReasoning(t *testing.T) {
	ev := func(delta, finish string) string {
		return `data: {"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":` + delta + `,"finish_reason":` + finish + `}]}` + "\n\n"
	}
	cases := []struct {
		name, finish, text string
		events             []string
	}{
		{"refusal", "content_filter", "I'm sorry, I can't help with that.", []string{
			ev(`{"role":"assistant","content":null,"refusal":""}`, "null"),
			ev(`{"refusal":"I'm sorry, "}`, "null"),
			ev(`{"refusal":"I can't help with that."}`, "null"),
			ev(`{}`, `"stop"`),
		}},
		{"deepseek reasoning_content", "stop", "42", []string{
			ev(`{"role":"assistant","content":null,"reasoning_content":"Six times seven"}`, "null"),
			ev(`{"content":null,"reasoning_content":" is 42."}`, "null"),
			ev(`{"content":"42","reasoning_content":null}`, "null"),
			ev(`{"content":""}`, `"stop"`),
		}},
		// text-generation-inference names its finish reasons otherwise.
		{"tgi eos_token", "stop", "ok", []string{ev(`{"role":"assistant","content":"ok"}`, "null"), ev(`{"content":""}`, `"eos_token"`)}},
		{"tgi stop_sequence", "stop", "ok", []string{ev(`{"role":"assistant","content":"ok"}`, `"stop_sequence"`)}},
		{"openrouter reasoning", "length", "4", []string{
			ev(`{"role":"assistant","content":"","reasoning":"2+2","reasoning_details":[{"type":"reasoning.text","text":"2+2"}]}`, "null"),
			ev(`{"content":"4","reasoning":null}`, `"length"`),
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				ptStream(w, ptSSE, append(c.events, ptOpenAIDone)...)
			})
			resp, err, deltas := ptChat(t, context.Background(), ptOpenAI(t, srv.URL), Request{Model: "m"}, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Text != c.text || strings.Join(deltas, "") != c.text || resp.FinishReason != c.finish {
				t.Fatalf("text %q deltas %q finish %q, want %q and %q", resp.Text, deltas, resp.FinishReason, c.text, c.finish)
			}
		})
	}
}

// TestOpenAIReasoningTokens: output tokens are completion_tokens when the
// reasoning is counted inside them (OpenAI: total = prompt + completion),
// and completion plus reasoning when the server counts it apart (xAI:
// total = prompt + completion + reasoning), as both bill it as output.
func TestOpenAIReasoningTokens(t *testing.T) {
	cases := []struct {
		name, usage string
		out         int
	}{
		{"openai", `{"prompt_tokens":20,"completion_tokens":150,"total_tokens":170,"completion_tokens_details":{"reasoning_tokens":128}}`, 150},
		{"xai", `{"prompt_tokens":20,"completion_tokens":22,"total_tokens":170,"completion_tokens_details":{"reasoning_tokens":128}}`, 150},
		{"no details", `{"prompt_tokens":20,"completion_tokens":22,"total_tokens":42}`, 22},
		{"null details", `{"prompt_tokens":20,"completion_tokens":22,"total_tokens":42,"completion_tokens_details":null}`, 22},
		{"no total", `{"prompt_tokens":20,"completion_tokens":22,"completion_tokens_details":{"reasoning_tokens":128}}`, 22},
		// Odd shapes there refine nothing and break nothing.
		{"odd details", `{"prompt_tokens":20,"completion_tokens":22,"total_tokens":"42","completion_tokens_details":[1]}`, 22},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				ptStream(w, ptSSE,
					`data: {"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"ok"},"finish_reason":"stop"}]}`+"\n\n",
					`data: {"id":"c","object":"chat.completion.chunk","model":"m","choices":[],"usage":`+c.usage+`}`+"\n\n",
					ptOpenAIDone)
			})
			resp, err, _ := ptChat(t, context.Background(), ptOpenAI(t, srv.URL), Request{Model: "m"}, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if resp.TokensIn != 20 || resp.TokensOut != c.out {
				t.Fatalf("tokens in %d out %d, want 20 and %d", resp.TokensIn, resp.TokensOut, c.out)
			}
		})
	}
}

// TestOpenAIUsageSlowPath: encoding/json, which decodes the events the
// fast path declines, is as lenient with total_tokens and
// completion_tokens_details.
func TestOpenAIUsageSlowPath(t *testing.T) {
	for _, u := range []string{
		`{"prompt_tokens":20,"completion_tokens":22,"total_tokens":"42","completion_tokens_details":[1]}`,
		`{"prompt_tokens":20,"completion_tokens":22,"total_tokens":170.5,"completion_tokens_details":{"reasoning_tokens":"x"}}`,
	} {
		var c openaiChunk
		if err := json.Unmarshal([]byte(`{"usage":`+u+`}`), &c); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if c.Usage == nil || c.Usage.PromptTokens != 20 || c.Usage.outputTokens() != 22 {
			t.Fatalf("%s: usage %+v", u, c.Usage)
		}
	}
	var c openaiChunk
	if err := json.Unmarshal([]byte(`{"usage":{"prompt_tokens":20,"completion_tokens":22,"total_tokens":170,"completion_tokens_details":{"reasoning_tokens":128}}}`), &c); err != nil || c.Usage.outputTokens() != 150 {
		t.Fatalf("xAI usage: %v %+v", err, c.Usage)
	}
}

// TestOpenAIStreamOptionsRefused: servers that refuse stream_options get the
// request again without it, once; the provider then stops sending it.
func TestOpenAIStreamOptionsRefused(t *testing.T) {
	cases := []struct {
		name, body string
		status     int
	}{
		// Mistral's API.
		{"mistral", `{"object":"error","message":{"detail":[{"type":"extra_forbidden","loc":["body","stream_options","include_usage"],"msg":"Extra inputs are not permitted","input":true}]},"type":"invalid_request_error","param":null,"code":null}`, 422},
		// Groq in 2024.
		{"groq", `{"error":{"message":"property 'stream_options' is unsupported, did you mean 'stream'?","type":"invalid_request_error"}}` + "\n", 400},
		// Azure OpenAI before api-version 2024-09-01-preview.
		{"azure", `{"error":{"message":"Unrecognized request argument supplied: stream_options","type":"invalid_request_error","param":null,"code":null}}`, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var seen *ptSeen
			srv, s := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				if ptDig(seen.last(t, "/chat/completions").Body, "stream_options") != nil {
					ptError(w, c.status, c.body)
					return
				}
				// Mistral sends the usage in its last chunk unasked.
				ptStream(w, ptSSE, ptOpenAIChunk("Hi", ""),
					`data: {"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}`+"\n\n",
					ptOpenAIDone)
			})
			seen = s
			p := ptOpenAI(t, srv.URL)
			for i := 0; i < 2; i++ {
				resp, err := p.Chat(context.Background(), Request{Model: "m"}, nil)
				if err != nil {
					t.Fatal(err)
				}
				if resp.Text != "Hi" || resp.TokensIn != 5 || resp.TokensOut != 1 {
					t.Fatalf("got %+v", resp)
				}
			}
			if n := seen.count("/chat/completions"); n != 3 {
				t.Fatalf("%d requests, want 3: one refused, then none", n)
			}
		})
	}

	// Any other 400 is the caller's error, not retried.
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptError(w, 400, ptOpenAIErr(400, "temperature must be at most 2"))
	})
	_, err := ptOpenAI(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
	if ae := ptAPIError(t, err); ae.Status != 400 || seen.count("/chat/completions") != 1 {
		t.Fatalf("err %v after %d requests, want one 400", err, seen.count("/chat/completions"))
	}
}

// TestOpenAIEndpointErrors: a base URL that misses the API's root, a server
// that does not list its models, and a refused key each say what to do.
func TestOpenAIEndpointErrors(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		switch {
		case r.Header.Get("Authorization") == "Bearer bad":
			ptError(w, 401, `{"error":{"message":"Invalid API Key","type":"invalid_request_error","code":"invalid_api_key"}}`)
		case !strings.HasPrefix(r.URL.Path, "/v1/"):
			ptError(w, 404, `{"detail":"Not Found"}`) // vLLM (FastAPI) at a path it does not serve
		case r.URL.Path == "/v1/models":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(404)
			fmt.Fprint(w, "404 page not found")
		default:
			ptStream(w, ptSSE, ptOpenAIChunk("ok", "stop"), ptOpenAIDone)
		}
	})
	t.Setenv("LOCAL_API_KEY", "")
	newP := func(base string) *OpenAI {
		p, err := NewOpenAI(config.Provider{Name: "local", Type: "openai", BaseURL: base})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	_, err := newP(srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
	ae := ptAPIError(t, err)
	for _, want := range []string{"Not Found", "POST " + srv.URL + "/chat/completions", "end in /v1"} {
		if ae.Status != 404 || !strings.Contains(err.Error(), want) {
			t.Errorf("no /v1: %v does not say %q", err, want)
		}
	}

	_, err = newP(srv.URL + "/v1").ListModels(context.Background())
	if err == nil || !strings.Contains(err.Error(), "GET "+srv.URL+"/v1/models") || !strings.Contains(err.Error(), "models: in the config") {
		t.Errorf("listing: %v", err)
	}

	// The endpoint's own URL pasted as base_url.
	p := newP(srv.URL + "/v1/chat/completions")
	if p.BaseURL() != srv.URL+"/v1/" {
		t.Errorf("base %q, want the API's root", p.BaseURL())
	}
	if resp, err := p.Chat(context.Background(), Request{Model: "m"}, nil); err != nil || resp.Text != "ok" {
		t.Errorf("chat with the endpoint as base_url: %+v %v", resp, err)
	}

	t.Setenv("LOCAL_API_KEY", "bad")
	_, err = newP(srv.URL+"/v1").Chat(context.Background(), Request{Model: "m"}, nil)
	if ae := ptAPIError(t, err); ae.Status != 401 || !strings.Contains(err.Error(), "Invalid API Key (the key from LOCAL_API_KEY was refused)") {
		t.Errorf("401: %v", err)
	}
}

// TestOpenAIModelListShapes: the model lists compatible servers send.
func TestOpenAIModelListShapes(t *testing.T) {
	cases := []struct {
		name, body string
		want       []string
	}{
		// Together: a bare array.
		{"together", `[{"id":"meta-llama/Llama-3.3-70B-Instruct-Turbo","object":"model","created":1733443200,"type":"chat","display_name":"Llama 3.3 70B","pricing":{"input":0.88,"output":0.88}}]`,
			[]string{"meta-llama/Llama-3.3-70B-Instruct-Turbo"}},
		// llama.cpp server: Ollama-style "models" beside OpenAI's "data".
		{"llama.cpp", `{"models":[{"name":"qwen.gguf","model":"qwen.gguf"}],"object":"list","data":[{"id":"qwen.gguf","object":"model","created":1735787045,"owned_by":"llamacpp","meta":{"n_params":7615616512}}]}`,
			[]string{"qwen.gguf"}},
		// LM Studio: no created.
		{"lm studio", `{"data":[{"id":"qwen2.5-7b-instruct","object":"model","owned_by":"organization_owner"},{"id":"text-embedding-nomic-embed-text-v1.5","object":"model","owned_by":"organization_owner"}],"object":"list"}`,
			[]string{"qwen2.5-7b-instruct", "text-embedding-nomic-embed-text-v1.5"}},
		{"empty", `{"object":"list","data":[]}`, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				ptStream(w, "application/json", c.body)
			})
			models, err := ptOpenAI(t, srv.URL).ListModels(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, m := range models {
				got = append(got, m.Name)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}

	// A web page where the API was expected.
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, "text/html", "<!doctype html><html><title>Open WebUI</title></html>")
	})
	_, err := ptOpenAI(t, srv.URL).ListModels(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not a model list") || strings.Contains(err.Error(), "stream") {
		t.Fatalf("got %v, want an error saying the answer is not a model list", err)
	}
}

// TestOpenAIQuotaExhausted: OpenAI's 429 insufficient_quota is not a rate
// limit: retrying cannot help.
func TestOpenAIQuotaExhausted(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptError(w, 429, `{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`, "Retry-After", "20")
	})
	_, err := ptOpenAI(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
	ae := ptAPIError(t, err)
	if ae.Status != 429 || ae.Temporary || !strings.Contains(err.Error(), "exceeded your current quota") {
		t.Fatalf("got %v (temporary %v), want a permanent 429 with the server's message", err, ae.Temporary)
	}
	if ok, _ := Retryable(err); ok {
		t.Fatal("Retryable says retry")
	}
}

// TestOpenAIMaxCompletionTokensRefusal: a reasoning model served elsewhere
// than api.openai.com (Azure) refuses max_tokens; the call is made again
// with max_completion_tokens, and that model's next calls start so.
func TestOpenAIMaxCompletionTokensRefusal(t *testing.T) {
	var seen *ptSeen
	srv, s := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		b := seen.last(t, "/chat/completions").Body
		if ptDig(b, "model") == "o4-mini" && ptDig(b, "max_tokens") != nil {
			ptError(w, 400, `{"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}}`)
			return
		}
		ptStream(w, ptSSE, ptOpenAIChunk("ok", "stop"), ptOpenAIDone)
	})
	seen = s
	p := ptOpenAI(t, srv.URL)
	max := 50
	for _, model := range []string{"o4-mini", "o4-mini", "gpt-4o"} {
		resp, err := p.Chat(context.Background(), Request{Model: model, Params: prompt.Params{MaxTokens: &max}}, nil)
		if err != nil || resp.Text != "ok" {
			t.Fatalf("%s: %+v %v", model, resp, err)
		}
		b := seen.last(t, "/chat/completions").Body
		key := "max_completion_tokens"
		if model == "gpt-4o" {
			key = "max_tokens" // another model keeps what the server knows
		}
		if ptDig(b, key) != float64(50) {
			t.Fatalf("%s: body %v, want %s 50", model, b, key)
		}
	}
	if n := seen.count("/chat/completions"); n != 4 {
		t.Fatalf("%d requests, want 4: one refused, then none", n)
	}
}

// TestOpenAIWireFinishes pins what a user sees of each way a Chat
// Completions stream can end, with the bytes servers send: a finish reason
// other than stop is a result that says so, a stream without [DONE] is
// whole once it has a finish reason, and a finish reason of "error" without
// an error member is a retried error, not an answer.
func TestOpenAIWireFinishes(t *testing.T) {
	chunk := func(delta, finish string) string {
		return `data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1735787045,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_1","choices":[{"index":0,"delta":` + delta + `,"logprobs":null,"finish_reason":` + finish + `}]}` + "\n\n"
	}
	cases := []struct {
		name, text, finish string
		events             []string
		temporaryErr       bool // an error is expected, temporary
	}{
		// Azure and OpenAI stop an answer their filter flags mid-way.
		{"content_filter", "Once upon", "content_filter", []string{
			chunk(`{"role":"assistant","content":"Once upon"}`, "null"), chunk(`{}`, `"content_filter"`), ptOpenAIUsage, ptOpenAIDone}, false},
		{"length, usage in a last chunk without choices", "Once upon", "length", []string{
			chunk(`{"role":"assistant","content":"Once upon"}`, "null"), chunk(`{}`, `"length"`), ptOpenAIUsage, ptOpenAIDone}, false},
		{"no [DONE] after the finish reason", "ok", "stop", []string{
			chunk(`{"role":"assistant","content":"ok"}`, `"stop"`), ptOpenAIUsage}, false},
		// OpenRouter's keep-alive comment, as it sends it while the
		// upstream is slow, before and between events.
		{"openrouter processing comments", "ok", "stop", []string{
			": OPENROUTER PROCESSING\n\n", ": OPENROUTER PROCESSING\n\n", chunk(`{"role":"assistant","content":"ok"}`, "null"),
			": OPENROUTER PROCESSING\n\n", chunk(`{}`, `"stop"`), ptOpenAIDone}, false},
		{`finish_reason "error" alone`, "Once", "", []string{
			chunk(`{"role":"assistant","content":"Once"}`, "null"), chunk(`{"content":""}`, `"error"`), ptOpenAIDone}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				ptStream(w, ptSSE, c.events...)
			})
			resp, err, _ := ptChat(t, context.Background(), ptOpenAI(t, srv.URL), Request{Model: "m"}, 10*time.Second)
			if resp.Text != c.text {
				t.Fatalf("text %q, want %q (err %v)", resp.Text, c.text, err)
			}
			if c.temporaryErr {
				if ae := ptAPIError(t, err); !ae.Temporary || !strings.Contains(err.Error(), `finish_reason "error"`) {
					t.Fatalf("err %v temporary %v, want a temporary error naming the finish reason", err, ae.Temporary)
				}
				return
			}
			if err != nil || resp.FinishReason != c.finish {
				t.Fatalf("finish %q err %v, want %q", resp.FinishReason, err, c.finish)
			}
		})
	}
}

// TestOpenAIReasoningIsNotTheFirstToken: the time to the first token is
// the time to the first text of the answer; reasoning deltas before it
// (DeepSeek's reasoning_content, vLLM's and OpenRouter's reasoning) are
// neither shown nor timed, and their tokens are the usage's output tokens.
func TestOpenAIReasoningIsNotTheFirstToken(t *testing.T) {
	const pause = 150 * time.Millisecond
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptSSE,
			`data: {"id":"c","object":"chat.completion.chunk","model":"deepseek-reasoner","choices":[{"index":0,"delta":{"role":"assistant","content":null,"reasoning_content":"Six times"},"finish_reason":null}]}`+"\n\n",
			`data: {"id":"c","object":"chat.completion.chunk","model":"deepseek-reasoner","choices":[{"index":0,"delta":{"content":null,"reasoning":" seven."},"finish_reason":null}]}`+"\n\n")
		time.Sleep(pause)
		ptStream(w, ptSSE,
			`data: {"id":"c","object":"chat.completion.chunk","model":"deepseek-reasoner","choices":[{"index":0,"delta":{"content":"42"},"finish_reason":"stop"}]}`+"\n\n",
			`data: {"id":"c","object":"chat.completion.chunk","model":"deepseek-reasoner","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":40,"total_tokens":50,"completion_tokens_details":{"reasoning_tokens":38}}}`+"\n\n",
			ptOpenAIDone)
	})
	resp, err, deltas := ptChat(t, context.Background(), ptOpenAI(t, srv.URL), Request{Model: "deepseek-reasoner"}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "42" || strings.Join(deltas, "|") != "42" || resp.TokensOut != 40 {
		t.Fatalf("text %q deltas %q tokens out %d, want the answer alone and 40 output tokens", resp.Text, deltas, resp.TokensOut)
	}
	if resp.TTFT < pause {
		t.Fatalf("TTFT %v: timed at the reasoning, want at the answer (after %v)", resp.TTFT, pause)
	}
}

// TestOpenAITemperatureRefused: a reasoning model refuses a temperature
// other than its default. The call is not made again without it (the
// prompt's params are the experiment), and the error is the server's
// words, permanent.
func TestOpenAITemperatureRefused(t *testing.T) {
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptError(w, 400, `{"error":{"message":"Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.","type":"invalid_request_error","param":"temperature","code":"unsupported_value"}}`)
	})
	temp := 0.2
	_, err := ptOpenAI(t, srv.URL).Chat(context.Background(), Request{Model: "o4-mini", Params: prompt.Params{Temperature: &temp}}, nil)
	ae := ptAPIError(t, err)
	if ae.Temporary || ae.Status != 400 || !strings.Contains(err.Error(), "openai: HTTP 400: Unsupported value: 'temperature' does not support 0.2") {
		t.Fatalf("err %v temporary %v", err, ae.Temporary)
	}
	if n := seen.count("/chat/completions"); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

// TestOpenAIRateLimitTryAgainIn: a 429 without Retry-After waits as long
// as its message asks ("Please try again in 1.8s."), else until the used-up
// limit's x-ratelimit-reset-*; Retry-After, when sent, wins.
func TestOpenAIRateLimitTryAgainIn(t *testing.T) {
	const tpm = `{"error":{"message":"Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 30000, Requested 900. Please try again in %s. Visit https://platform.openai.com/account/rate-limits to learn more.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}`
	for _, c := range []struct {
		in     string
		header []string
		want   time.Duration
	}{
		{"1.8s", nil, 1800 * time.Millisecond},
		{"20ms", nil, 20 * time.Millisecond},
		{"2m59.56s", nil, 2*time.Minute + 59560*time.Millisecond},
		{"1.8s", []string{"Retry-After", "3"}, 3 * time.Second},
		{"a moment", nil, 0},
		// No wait in the words: the used-up limit's reset header.
		{"a moment", []string{"X-Ratelimit-Remaining-Tokens", "0", "X-Ratelimit-Reset-Tokens", "7.66s", "X-Ratelimit-Remaining-Requests", "14", "X-Ratelimit-Reset-Requests", "2m59.56s"}, 7660 * time.Millisecond},
		{"a moment", []string{"X-Ratelimit-Remaining-Requests", "0", "X-Ratelimit-Reset-Requests", "1s", "X-Ratelimit-Remaining-Tokens", "0", "X-Ratelimit-Reset-Tokens", "6m0s"}, 6 * time.Minute},
		{"a moment", []string{"X-Ratelimit-Remaining-Requests", "3", "X-Ratelimit-Reset-Requests", "1s"}, 0},
		// The words, when they name a wait, are nearer than a full reset.
		{"1.8s", []string{"X-Ratelimit-Remaining-Tokens", "0", "X-Ratelimit-Reset-Tokens", "6m0s"}, 1800 * time.Millisecond},
	} {
		srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			ptError(w, 429, fmt.Sprintf(tpm, c.in), c.header...)
		})
		_, err := ptOpenAI(t, srv.URL).Chat(context.Background(), Request{Model: "gpt-4o"}, nil)
		if ae := ptAPIError(t, err); !ae.Temporary || ae.RetryAfter != c.want {
			t.Errorf("try again in %s (header %v): retry after %v, want %v (%v)", c.in, c.header, ae.RetryAfter, c.want, err)
		}
	}
}

// TestOpenAIJoinsSplitCharacters: a server that cuts its text between
// tokens sends a character's UTF-8 bytes in two events; they are joined
// again, and bytes that never complete a character become U+FFFD.
func TestOpenAIJoinsSplitCharacters(t *testing.T) {
	raw := func(content string) string {
		return `data: {"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"` + content + `"},"finish_reason":null}]}` + "\n\n"
	}
	b := []byte("前後🙂")
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptSSE, raw("A"+string(b[:2])), raw(string(b[2:7])), raw(string(b[7:])+`\n`), raw("bad \xff end \xe6"), ptOpenAIChunk("", "stop"), ptOpenAIDone)
	})
	var deltas []string
	resp, err := ptOpenAI(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, func(d string) { deltas = append(deltas, d) })
	if err != nil {
		t.Fatal(err)
	}
	if want := "A前後🙂\nbad \uFFFD end \uFFFD"; resp.Text != want {
		t.Fatalf("text %q, want %q", resp.Text, want)
	}
	for _, d := range deltas {
		if !utf8.ValidString(d) {
			t.Fatalf("delta %q is not valid UTF-8", d)
		}
	}
}

// TestOpenAIJoinsSplitSurrogates: a server that cuts its text between
// UTF-16 code units sends the two halves of a surrogate pair as escapes in
// two events; they make one character again, and a half without the
// other is U+FFFD.
func TestOpenAIJoinsSplitSurrogates(t *testing.T) {
	raw := func(content string) string {
		return `data: {"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"` + content + `"},"finish_reason":null}]}` + "\n\n"
	}
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptSSE, raw(`s \ud83d`), raw(`\ude00 e \"q\" \u00e9 \uD83D\uDE00`), raw(`lone \ude00 x \ud83d`), raw(`y \ud83d`), ptOpenAIChunk("", "stop"), ptOpenAIDone)
	})
	var deltas []string
	resp, err := ptOpenAI(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, func(d string) { deltas = append(deltas, d) })
	if err != nil {
		t.Fatal(err)
	}
	if want := "s 😀 e \"q\" é 😀lone \uFFFD x \uFFFDy \uFFFD"; resp.Text != want {
		t.Fatalf("text %q, want %q", resp.Text, want)
	}
	for _, d := range deltas {
		if !utf8.ValidString(d) {
			t.Fatalf("delta %q is not valid UTF-8", d)
		}
	}
}

// FuzzOpenAIUnquote: openaiUnquote reads what encoding/json writes, and
// a surrogate pair split in two pieces makes the character again.
func FuzzOpenAIUnquote(f *testing.F) {
	for _, s := range []string{"plain", "é\"\\/\n\t", "😀 ok", "\x00\x1b]0;t\x07", "\u2028"} {
		f.Add(s, 1)
	}
	f.Fuzz(func(t *testing.T, s string, k int) {
		if !utf8.ValidString(s) {
			return
		}
		raw, _ := json.Marshal(s)
		if got := openaiUnquote(string(raw)); got != s {
			t.Fatalf("openaiUnquote(%s) = %q, want %q", raw, got, s)
		}
		// The same text as \u escapes (as JSON.stringify's ASCII output
		// writes it), cut at a code unit k.
		var units []string
		for _, u := range utf16.Encode([]rune(s)) {
			units = append(units, fmt.Sprintf(`\u%04x`, u))
		}
		if len(units) == 0 {
			return
		}
		k = (k%len(units) + len(units)) % len(units)
		var held []byte
		got := openaiJoinUTF8(&held, openaiUnquote(`"`+strings.Join(units[:k], "")+`"`)) +
			openaiJoinUTF8(&held, openaiUnquote(`"`+strings.Join(units[k:], "")+`"`))
		if got != s || len(held) != 0 {
			t.Fatalf("split at unit %d: %q (held %q), want %q", k, got, held, s)
		}
	})
}
