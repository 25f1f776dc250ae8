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
	"time"
	"unicode/utf8"

	"whet/config"
	"whet/prompt"
)

// The provider fuzz targets serve each input as the body of every answer of
// one fake server (started once per fuzz process): the first byte picks the
// status and the content type, the rest is the body. Whatever the server
// says, Chat returns within fzLimit with either a response or an error,
// never panics, and keeps its promises: the deltas add up to the text, an
// error status is never a success, an error is an *APIError of the
// provider (or names it) and never holds the API key.

const fzLimit = 10 * time.Second

// fzStatuses are the statuses the first byte of an input picks from.
var fzStatuses = []int{200, 200, 200, 200, 400, 401, 403, 404, 408, 413, 429, 500, 502, 503, 529, 204}

// fzAnswer is what the fake server sends.
type fzAnswer struct {
	status      int
	contentType string
	body        string
}

// fzServer serves the current answer to every request.
type fzServer struct {
	mu  sync.Mutex
	ans fzAnswer
	srv *httptest.Server
}

func newFzServer(f *testing.F) *fzServer {
	s := &fzServer{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		s.mu.Lock()
		a := s.ans
		s.mu.Unlock()
		w.Header().Set("Content-Type", a.contentType)
		w.WriteHeader(a.status)
		_, _ = io.WriteString(w, a.body)
	}))
	f.Cleanup(s.srv.Close)
	return s
}

// answer decodes a fuzz input: code's low 4 bits pick the status, its top
// bit sends application/json in place of the stream's content type.
func (s *fzServer) answer(code byte, streamType, body string) fzAnswer {
	a := fzAnswer{status: fzStatuses[code&0x0f], contentType: streamType, body: body}
	if code&0x80 != 0 {
		a.contentType = "application/json"
	}
	s.mu.Lock()
	s.ans = a
	s.mu.Unlock()
	return a
}

// fzCheckChat runs one chat against the answer and checks the promises.
func fzCheckChat(t *testing.T, p Provider, a fzAnswer, key string) {
	t.Helper()
	req := Request{Model: "m1", Messages: []prompt.Message{{Role: "user", Content: "hi"}}}
	resp, err, deltas := ptChat(t, context.Background(), p, req, fzLimit)
	for _, d := range deltas {
		if d == "" {
			t.Fatalf("an empty delta (deltas %q)", deltas)
		}
	}
	if joined := strings.Join(deltas, ""); joined != resp.Text {
		t.Fatalf("deltas %q add up to %q, the response says %q (err %v)", deltas, joined, resp.Text, err)
	}
	if resp.TokensIn < 0 || resp.TokensOut < 0 || resp.GenTime < 0 || resp.Latency < 0 || resp.TTFT < 0 || resp.TTFT > resp.Latency {
		t.Fatalf("response out of range: %+v", resp)
	}
	if err == nil {
		if a.status != 200 {
			t.Fatalf("HTTP %d is a success: %+v", a.status, resp)
		}
		if !utf8.ValidString(resp.Text) {
			t.Fatalf("text is not UTF-8: %q", resp.Text)
		}
		return
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, p.Name()+": ") {
		t.Fatalf("error does not name the provider: %q", msg)
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.Provider != p.Name() || ae.Msg == "" {
		t.Fatalf("error %q (%T) is not an *APIError of %s with a message", msg, err, p.Name())
	}
	if a.status != 200 && ae.Status != a.status {
		t.Fatalf("HTTP %d answered, the error says %d: %q", a.status, ae.Status, msg)
	}
	if key != "" && strings.Contains(msg, key) {
		t.Fatalf("error holds the API key: %q", msg)
	}
}

// fzSeeds adds each body under every code in codes.
func fzSeeds(f *testing.F, codes []byte, bodies ...string) {
	for _, c := range codes {
		for _, b := range bodies {
			f.Add(c, b)
		}
	}
}

// fzCodes: 200 as a stream, 200 as JSON, 400, 429, 500.
var fzCodes = []byte{0, 0x80, 4, 10, 11}

func FuzzOllamaChat(f *testing.F) {
	s := newFzServer(f)
	p, err := NewOllama(config.Provider{Name: "ollama", Type: "ollama", BaseURL: s.srv.URL, KeepAlive: 10 * time.Minute})
	if err != nil {
		f.Fatal(err)
	}
	fzSeeds(f, fzCodes,
		ptOllamaLine("m1", "Hel")+ptOllamaLine("m1", "")+ptOllamaLine("m1", "lo")+ptOllamaDone,
		ptOllamaLine("m1", "Hel")+"this is not json\n"+ptOllamaDone,
		ptOllamaLine("m1", "Hel"),
		`{"error":"model \"nope\" not found, try pulling it first"}`,
		`{"error":"boom"}`+"\n",
		ptOllamaTags,
		`{"model":"m1","message":{"role":"assistant","content":"\ud83d"},"done":false}`+"\n"+`{"model":"m1","message":{"content":"\ude00"},"done":true,"done_reason":"load"}`+"\n",
		`{"done":true,"prompt_eval_count":-5,"eval_count":1e30}`+"\n",
		"",
	)
	f.Fuzz(func(t *testing.T, code byte, body string) {
		fzCheckChat(t, p, s.answer(code, ptOllamaNDJSON, body), "")
	})
}

func FuzzAnthropicChat(f *testing.F) {
	s := newFzServer(f)
	f.Setenv("ANTHROPIC_API_KEY", ptAnthropicKey)
	p, err := NewAnthropic(config.Provider{Name: "anthropic", Type: "anthropic", BaseURL: s.srv.URL})
	if err != nil {
		f.Fatal(err)
	}
	start := ptAnthropicStart("m1")
	fzSeeds(f, fzCodes,
		start+ptAnthropicEvent("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)+
			ptAnthropicEvent("ping", `{"type": "ping"}`)+ptAnthropicText("Hel")+ptAnthropicText("lo")+ptAnthropicTail,
		start+"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\n\n"+ptAnthropicTail,
		start+ptAnthropicText("Hel"),
		start+ptAnthropicEvent("error", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`),
		start+ptAnthropicEvent("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}}`)+ptAnthropicTail,
		ptAnthropicErr(400, "bad temperature"),
		ptAnthropicErr(401, "invalid x-api-key "+ptAnthropicKey),
		ptAnthropicErr(429, "slow down"),
		`{"id":"msg_01","type":"message","role":"assistant","content":[{"type":"text","text":"Hello"}],"model":"m1","stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":2}}`,
		"",
	)
	f.Fuzz(func(t *testing.T, code byte, body string) {
		fzCheckChat(t, p, s.answer(code, ptSSE, body), ptAnthropicKey)
	})
}

func FuzzGeminiChat(f *testing.F) {
	s := newFzServer(f)
	f.Setenv("GEMINI_API_KEY", ptGeminiKey)
	f.Setenv("GOOGLE_API_KEY", "")
	p, err := NewGemini(config.Provider{Name: "gemini", Type: "gemini", BaseURL: s.srv.URL})
	if err != nil {
		f.Fatal(err)
	}
	fzSeeds(f, fzCodes,
		`data: {"candidates": [{"content": {"parts": [{"text": "thinking…","thought": true}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 9,"totalTokenCount": 9},"modelVersion": "gemini-2.5-flash"}`+"\r\n\r\n"+
			ptGeminiChunk("Hel", "", "")+ptGeminiChunk("lo", "MAX_TOKENS", `{"promptTokenCount":9,"candidatesTokenCount":3,"thoughtsTokenCount":2,"totalTokenCount":14}`),
		ptGeminiChunk("Hel", "", "")+"data: {\"candidates\": [{\r\n\r\n"+ptGeminiChunk("lo", "STOP", ""),
		ptGeminiChunk("Hel", "", ""),
		`data: {"promptFeedback": {"blockReason": "SAFETY"},"usageMetadata": {"promptTokenCount": 9}}`+"\r\n\r\n",
		ptGeminiChunk("", "SAFETY", ""),
		ptGeminiErr(400, "API key not valid: "+ptGeminiKey),
		`{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"7s"}]}}`,
		ptGeminiErr(503, "The model is overloaded. Please try again later."),
		"",
	)
	f.Fuzz(func(t *testing.T, code byte, body string) {
		fzCheckChat(t, p, s.answer(code, ptSSE, body), ptGeminiKey)
	})
}

func FuzzOpenAIChat(f *testing.F) {
	s := newFzServer(f)
	f.Setenv("WHET_TEST_OPENAI_KEY", ptOpenAIKey)
	p, err := NewOpenAI(config.Provider{Name: "openai", Type: "openai", BaseURL: s.srv.URL + "/v1", APIKeyEnv: "WHET_TEST_OPENAI_KEY"})
	if err != nil {
		f.Fatal(err)
	}
	fzSeeds(f, fzCodes,
		ptOpenAIChunk("Hel", "")+ptOpenAIChunk("lo", "stop")+ptOpenAIUsage+ptOpenAIDone,
		ptOpenAIChunk("Hel", "")+"data: {\"id\":\"chatcmpl-1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\n\n"+ptOpenAIDone,
		ptOpenAIChunk("Hel", ""),
		": keep-alive\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"\\ud83d\"}}]}\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"\\ude00\"},\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n",
		"data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n",
		ptOpenAIErr(400, "Unrecognized request argument supplied: stream_options"),
		ptOpenAIErr(401, "Incorrect API key provided: "+ptOpenAIKey),
		ptOpenAIErr(429, "Rate limit reached. Please try again in 1.5s."),
		`{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2}}`,
		"",
	)
	f.Fuzz(func(t *testing.T, code byte, body string) {
		fzCheckChat(t, p, s.answer(code, ptSSE, body), ptOpenAIKey)
	})
}

// FuzzResolveTarget: any spec resolves (built-ins, a configured provider,
// aliases, a cycle of aliases among them) to a target whose spec resolves
// to the same target, or to an error; it never panics or loops.
func FuzzResolveTarget(f *testing.F) {
	for _, s := range []string{"ollama:llama3.2", "ollama:llama3.2:latest", "echo", "echo:echo", "openai:gpt-4o-mini", " Groq : llama-3.1-8b ",
		"fast", "loop", "a", ":x", "ollama:", "nope:m", "anthropic", "gemini:models/gemini-2.5-flash", "ollama:a/b:latest", "ECHO"} {
		f.Add(s)
	}
	r := NewRegistry(config.Config{
		Providers: map[string]config.Provider{
			"groq": {Name: "groq", Type: "openai", BaseURL: "https://api.groq.com/openai/v1"},
			"dry":  {Name: "dry", Type: "echo"},
		},
		Aliases: map[string]string{"fast": "groq:llama-3.1-8b", "loop": "a", "a": "loop", "dry2": "dry", "Mixed": " ollama:x:latest "},
	})
	f.Fuzz(func(t *testing.T, spec string) {
		tg, err := r.Resolve(spec)
		if _, err2 := ParseTarget(spec); err2 != nil && err2.Error() == "" {
			t.Fatal("ParseTarget: an empty error")
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an empty error")
			}
			return
		}
		if tg.Spec == "" || tg.Provider == "" || tg.Model == "" || tg.Type == "" || tg.Spec != strings.TrimSpace(tg.Spec) {
			t.Fatalf("%q resolves to %+v", spec, tg)
		}
		if again, err := r.Resolve(tg.Spec); err != nil || again != tg {
			t.Fatalf("%q resolves to %+v, whose spec resolves to %+v, %v", spec, tg, again, err)
		}
	})
}
