package runner

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/genai"

	"whet/config"
	"whet/prompt"
)

const ptGeminiKey = "AIza-test-0123456789"

// ptGeminiChunk is one SSE event of streamGenerateContent?alt=sse, with the
// CRLF separators Google's servers use.
func ptGeminiChunk(text, finish, usage string) string {
	fin := ""
	if finish != "" {
		fin = fmt.Sprintf(`,"finishReason":%q`, finish)
	}
	if usage == "" {
		usage = `{"promptTokenCount":9,"totalTokenCount":9}`
	}
	return fmt.Sprintf(`data: {"candidates": [{"content": {"parts": [{"text": %q}],"role": "model"}%s,"index": 0}],"usageMetadata": %s,"modelVersion": "gemini-2.5-flash","responseId": "resp-1"}`+"\r\n\r\n", text, fin, usage)
}

func ptGeminiErr(status int, msg string) string {
	st := map[int]string{400: "INVALID_ARGUMENT", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}[status]
	return fmt.Sprintf(`{"error":{"code":%d,"message":%q,"status":%q}}`, status, msg, st)
}

func ptGemini(t *testing.T, base string) *Gemini {
	t.Helper()
	t.Setenv("GEMINI_API_KEY", ptGeminiKey)
	t.Setenv("GOOGLE_API_KEY", "")
	p, err := NewGemini(config.Provider{Name: "gemini", Type: "gemini", BaseURL: base, Headers: map[string]string{"X-Team": "prompts"}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestGeminiChatStreams(t *testing.T) {
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptSSE,
			`data: {"candidates": [{"content": {"parts": [{"text": "thinking…","thought": true}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 9,"totalTokenCount": 9},"modelVersion": "gemini-2.5-flash"}`+"\r\n\r\n",
			ptGeminiChunk("Hel", "", ""),
			ptGeminiChunk("lo", "MAX_TOKENS", `{"promptTokenCount":9,"candidatesTokenCount":3,"thoughtsTokenCount":2,"totalTokenCount":14}`))
	})
	p := ptGemini(t, srv.URL)
	params := ptParams()
	params.Extra = map[string]any{"topK": float64(5), "responseMimeType": "application/json",
		"responseSchema": map[string]any{"type": "OBJECT", "properties": map[string]any{"verdict": map[string]any{"type": "STRING", "enum": []any{"ok", "bad"}}}}}
	resp, err, deltas := ptChat(t, context.Background(), p, Request{Model: "gemini-2.5-flash", Messages: ptMessages(), Params: params}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	got := resp
	got.TTFT, got.Latency = 0, 0
	want := Response{Text: "Hello", FinishReason: "length", TokensIn: 9, TokensOut: 5, Model: "gemini-2.5-flash"}
	if got != want || strings.Join(deltas, "|") != "Hel|lo" {
		t.Fatalf("got  %+v deltas %q\nwant %+v", got, deltas, want)
	}

	r := seen.last(t, "/v1beta/models/gemini-2.5-flash:streamGenerateContent")
	if r.Method != "POST" || r.Query != "alt=sse" || r.Header.Get("X-Goog-Api-Key") != ptGeminiKey || r.Header.Get("X-Team") != "prompts" {
		t.Fatalf("method %s query %q key %q x-team %q", r.Method, r.Query, r.Header.Get("X-Goog-Api-Key"), r.Header.Get("X-Team"))
	}
	checks := []struct {
		path []any
		want any
	}{
		{[]any{"systemInstruction", "parts", 0, "text"}, "be brief"},
		{[]any{"contents", 0, "role"}, "user"},
		{[]any{"contents", 0, "parts", 0, "text"}, "hi"},
		{[]any{"contents", 1, "role"}, "model"},
		{[]any{"contents", 1, "parts", 0, "text"}, "hello"},
		{[]any{"contents", 2, "role"}, "user"},
		{[]any{"contents", 3}, nil},
		{[]any{"generationConfig", "temperature"}, 0.2},
		{[]any{"generationConfig", "topP"}, 0.9},
		{[]any{"generationConfig", "maxOutputTokens"}, float64(128)},
		{[]any{"generationConfig", "seed"}, float64(42)},
		{[]any{"generationConfig", "stopSequences", 0}, "END"},
		{[]any{"generationConfig", "topK"}, float64(5)},
		// A structured output's schema (as the promptfoo import makes
		// it from response_schema) arrives nested as it was given.
		{[]any{"generationConfig", "responseMimeType"}, "application/json"},
		{[]any{"generationConfig", "responseSchema", "properties", "verdict", "enum", 1}, "bad"},
	}
	for _, c := range checks {
		v := ptDig(r.Body, c.path...)
		if f, ok := v.(float64); ok {
			if w, ok := c.want.(float64); ok && float32(f) == float32(w) {
				continue // float32 on the wire
			}
		}
		if v != c.want {
			t.Errorf("body %v = %v (%T), want %v", c.path, v, v, c.want)
		}
	}
}

// TestGeminiSkipsEmptyMessages: the API refuses an empty text part, so a
// message that renders to nothing is left out instead of failing the call;
// the turns around it, now of one role in a row, become one turn (the API
// refuses turns that do not alternate).
func TestGeminiSkipsEmptyMessages(t *testing.T) {
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptSSE, ptGeminiChunk("ok", "STOP", ""))
	})
	msgs := []prompt.Message{{Role: "system", Content: " "}, {Role: "user", Content: "hi"}, {Role: "assistant", Content: ""}, {Role: "user", Content: "again"}}
	if _, err := ptGemini(t, srv.URL).Chat(context.Background(), Request{Model: "m", Messages: msgs}, nil); err != nil {
		t.Fatal(err)
	}
	b := seen.last(t, ":streamGenerateContent").Body
	if v, ok := b["systemInstruction"]; ok {
		t.Errorf("systemInstruction = %v, want none", v)
	}
	contents, _ := b["contents"].([]any)
	if len(contents) != 1 || ptDig(b, "contents", 0, "role") != "user" ||
		ptDig(b, "contents", 0, "parts", 0, "text") != "hi" || ptDig(b, "contents", 0, "parts", 1, "text") != "again" {
		t.Fatalf("contents %v, want one user turn of two parts", b["contents"])
	}
}

func TestGeminiFaults(t *testing.T) {
	ptFaults(t, ptWire{
		contentType: ptSSE,
		errorBody:   ptGeminiErr,
		firstChunk:  ptGeminiChunk("Hel", "", ""),
		malformed:   ptGeminiChunk("Hel", "", "") + "data: {\"candidates\": [{\r\n\r\n" + ptGeminiChunk("lo", "STOP", ""),
		notFound: func(w http.ResponseWriter) {
			ptError(w, 404, ptGeminiErr(404, "models/nope is not found for API version v1beta, or is not supported for generateContent."))
		},
		notFoundWant: "gemini",
	}, func(t *testing.T, base string) Provider { return ptGemini(t, base) }, ptGeminiKey)
}

func TestGeminiRetryInfo(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptError(w, 429, `{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"7s"}]}}`)
	})
	_, err := ptGemini(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
	if ae := ptAPIError(t, err); !ae.Temporary || ae.RetryAfter != 7*time.Second {
		t.Fatalf("got %v retry-after %v", err, ae.RetryAfter)
	}
}

// TestGeminiFieldOfTheWrongType: a chunk or a model list whose field has
// the wrong JSON type, which panics the SDK, is a malformed answer.
func TestGeminiFieldOfTheWrongType(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		if strings.HasSuffix(r.URL.Path, "/models") {
			ptStream(w, "application/json", `{"models":""}`)
			return
		}
		ptStream(w, ptSSE, ptGeminiChunk("Hel", "", ""), `data: {"candidates": ""}`+"\r\n\r\n")
	})
	p := ptGemini(t, srv.URL)
	resp, err, _ := ptChat(t, context.Background(), p, Request{Model: "m", Messages: ptMessages()}, 10*time.Second)
	if ae := ptAPIError(t, err); ae.Temporary || !strings.Contains(err.Error(), "malformed stream event") || resp.Text != "Hel" {
		t.Fatalf("got %q (%+v), text %q", err, ae, resp.Text)
	}
	if _, err := p.ListModels(context.Background()); err == nil || !strings.Contains(err.Error(), "cannot read it") {
		t.Fatalf("ListModels: %v", err)
	}
}

// TestGeminiStatusIsTheHTTPStatus: an error body whose code differs from
// the HTTP status (a gateway relaying an upstream answer) is classified by
// the status the server answered with.
func TestGeminiStatusIsTheHTTPStatus(t *testing.T) {
	for _, c := range []struct {
		status    int
		body      string
		temporary bool
	}{
		{503, ptGeminiErr(400, "Request contains an invalid argument."), true},
		{400, ptGeminiErr(429, "Resource has been exhausted"), false},
		{500, `{"error":{"code":200,"message":"ok?"}}`, true},
	} {
		srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			ptError(w, c.status, c.body)
		})
		_, err := ptGemini(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
		if ae := ptAPIError(t, err); ae.Status != c.status || ae.Temporary != c.temporary {
			t.Errorf("HTTP %d with %s: got %v (status %d, temporary %v)", c.status, c.body, err, ae.Status, ae.Temporary)
		}
	}
}

// TestGeminiDailyQuota: a 429 whose QuotaFailure names a per-day quota is
// not retried, although a RetryInfo of seconds travels beside it; a
// per-minute quota is retried after the delay asked for.
func TestGeminiDailyQuota(t *testing.T) {
	body := func(quotaID string) string {
		return `{"error":{"code":429,"message":"You exceeded your current quota, please check your plan and billing details.","status":"RESOURCE_EXHAUSTED","details":[` +
			`{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId":"` + quotaID + `","quotaDimensions":{"location":"global","model":"gemini-2.5-flash"},"quotaValue":"20"}]},` +
			`{"@type":"type.googleapis.com/google.rpc.Help","links":[{"description":"Learn more about Gemini API quotas","url":"https://ai.google.dev/gemini-api/docs/rate-limits"}]},` +
			`{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"38s"}]}}`
	}
	for _, c := range []struct {
		quota     string
		temporary bool
		after     time.Duration
	}{
		{"GenerateRequestsPerDayPerProjectPerModel-FreeTier", false, 0},
		{"GenerateRequestsPerMinutePerProjectPerModel-FreeTier", true, 38 * time.Second},
	} {
		t.Run(c.quota, func(t *testing.T) {
			srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				ptError(w, 429, body(c.quota))
			})
			_, err := ptGemini(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
			ae := ptAPIError(t, err)
			if retry, after := Retryable(err); ae.Status != 429 || retry != c.temporary || after != c.after {
				t.Fatalf("got %v: status %d retryable %v after %v, want 429 %v %v", err, ae.Status, retry, after, c.temporary, c.after)
			}
			if !c.temporary && !strings.Contains(err.Error(), "daily quota "+c.quota+" exhausted") {
				t.Fatalf("error %q does not name the daily quota", err)
			}
		})
	}
}

func TestGeminiErrorMidStream(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptSSE, ptGeminiChunk("Hel", "", ""), "data: "+ptGeminiErr(503, "The model is overloaded.")+"\r\n\r\n")
	})
	resp, err := ptGemini(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
	ae := ptAPIError(t, err)
	if !ae.Temporary || !strings.Contains(err.Error(), "overloaded") || resp.Text != "Hel" {
		t.Fatalf("err %v temporary %v text %q", err, ae.Temporary, resp.Text)
	}
}

func TestGeminiTruncatedAndBlocked(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		if strings.Contains(r.URL.Path, "blocked") {
			ptStream(w, ptSSE, `data: {"promptFeedback": {"blockReason": "SAFETY"},"usageMetadata": {"promptTokenCount": 4,"totalTokenCount": 4},"modelVersion": "gemini-2.5-flash"}`+"\r\n\r\n")
			return
		}
		ptStream(w, ptSSE, ptGeminiChunk("Hel", "", ""))
	})
	p := ptGemini(t, srv.URL)
	if _, err := p.Chat(context.Background(), Request{Model: "m"}, nil); !ptAPIError(t, err).Temporary {
		t.Fatalf("a stream without a finish reason: %v", err)
	}
	// A blocked prompt has no candidates: an error naming the reason, not an
	// empty answer, and not retried (the same prompt is blocked again).
	resp, err := p.Chat(context.Background(), Request{Model: "blocked"}, nil)
	if ae := ptAPIError(t, err); ae.Temporary || !strings.Contains(err.Error(), "prompt was blocked (SAFETY)") || resp.Text != "" {
		t.Fatalf("blocked prompt: %+v %v", resp, err)
	}
}

func TestGeminiKeys(t *testing.T) {
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptSSE, ptGeminiChunk("ok", "STOP", ""))
	})
	t.Setenv("GEMINI_API_KEY", "")
	t.Setenv("GOOGLE_API_KEY", "")
	p, err := NewGemini(config.Provider{Name: "gemini", Type: "gemini", APIKeyEnv: "GEMINI_API_KEY", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Chat(context.Background(), Request{Model: "m"}, nil); err == nil || !strings.Contains(err.Error(), "GOOGLE_API_KEY or GEMINI_API_KEY") {
		t.Fatalf("want an error naming both variables, got %v", err)
	}
	// Keys are read at call time; a changed key is used, and GOOGLE_API_KEY
	// wins when both are set.
	t.Setenv("GEMINI_API_KEY", "gemini-key")
	if _, err := p.Chat(context.Background(), Request{Model: "m"}, nil); err != nil {
		t.Fatal(err)
	}
	if h := seen.last(t, ":streamGenerateContent").Header.Get("X-Goog-Api-Key"); h != "gemini-key" {
		t.Fatalf("key %q", h)
	}
	t.Setenv("GOOGLE_API_KEY", "google-key")
	if _, err := p.Chat(context.Background(), Request{Model: "m"}, nil); err != nil {
		t.Fatal(err)
	}
	if h := seen.last(t, ":streamGenerateContent").Header.Get("X-Goog-Api-Key"); h != "google-key" {
		t.Fatalf("key %q", h)
	}
}

// TestGeminiBaseURLEnv: GOOGLE_GEMINI_BASE_URL, which Google's SDKs
// honour, is where the calls go when the config names no base_url, and
// what the provider reports and its errors name.
func TestGeminiBaseURLEnv(t *testing.T) {
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptError(w, 404, ptGeminiErr(404, "models/nope is not found for API version v1beta"))
	})
	t.Setenv("GEMINI_API_KEY", ptGeminiKey)
	t.Setenv("GOOGLE_API_KEY", "")
	t.Setenv("GOOGLE_GEMINI_BASE_URL", srv.URL)
	p, err := NewGemini(config.Provider{})
	if err != nil {
		t.Fatal(err)
	}
	if p.BaseURL() != srv.URL+"/" {
		t.Fatalf("BaseURL %q, want %q", p.BaseURL(), srv.URL+"/")
	}
	_, err = p.Chat(context.Background(), Request{Model: "nope"}, nil)
	if seen.count(":streamGenerateContent") != 1 || !strings.Contains(fmt.Sprint(err), srv.URL) {
		t.Fatalf("%d calls to the fake, error %v: want one, naming %s", seen.count(":streamGenerateContent"), err, srv.URL)
	}

	t.Setenv("GOOGLE_GEMINI_BASE_URL", "")
	if p, _ := NewGemini(config.Provider{}); p.BaseURL() != geminiDefaultBase {
		t.Fatalf("default BaseURL %q", p.BaseURL())
	}
}

func TestGeminiSeedRange(t *testing.T) {
	p := ptGemini(t, "http://127.0.0.1:9")
	seed := int64(1) << 40
	_, err := p.Chat(context.Background(), Request{Model: "m", Params: ptParamsWithSeed(seed)}, nil)
	if err == nil || !strings.Contains(err.Error(), "seed") {
		t.Fatalf("got %v", err)
	}
}

func ptParamsWithSeed(seed int64) (p prompt.Params) {
	p.Seed = &seed
	return p
}

func TestGeminiFinish(t *testing.T) {
	for in, want := range map[genai.FinishReason]string{genai.FinishReasonStop: "stop", genai.FinishReasonMaxTokens: "length", genai.FinishReasonSafety: "content_filter", genai.FinishReasonOther: "other"} {
		if got := geminiFinish(in); got != want {
			t.Errorf("geminiFinish(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestGeminiFinishReasons: an answer the API stops for safety, recitation
// or prohibited content is a result whose finish reason says content_filter
// (its text so far kept, the last chunk often without content); a length
// stop says length; a reason whet does not map (MALFORMED_FUNCTION_CALL)
// is kept lower-cased, never read as stop.
func TestGeminiFinishReasons(t *testing.T) {
	for reason, want := range map[string]string{"SAFETY": "content_filter", "RECITATION": "content_filter",
		"PROHIBITED_CONTENT": "content_filter", "MAX_TOKENS": "length", "MALFORMED_FUNCTION_CALL": "malformed_function_call", "OTHER": "other"} {
		t.Run(reason, func(t *testing.T) {
			srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				ptStream(w, ptSSE, ptGeminiChunk("Once upon", "", ""),
					`data: {"candidates": [{"finishReason": "`+reason+`","index": 0,"safetyRatings": [{"category": "HARM_CATEGORY_DANGEROUS_CONTENT","probability": "HIGH","blocked": true}]}],"usageMetadata": {"promptTokenCount": 9,"candidatesTokenCount": 2,"totalTokenCount": 11},"modelVersion": "gemini-2.5-flash"}`+"\r\n\r\n")
			})
			resp, err := ptGemini(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
			if err != nil || resp.FinishReason != want || resp.Text != "Once upon" || resp.TokensOut != 2 {
				t.Fatalf("%+v %v, want finish %q and the text so far", resp, err, want)
			}
		})
	}
}

// TestGeminiThoughtsAndCachedTokens: thought parts are neither the answer
// nor its first token; thoughtsTokenCount counts as output beside
// candidatesTokenCount, and the input is promptTokenCount, which includes
// cachedContentTokenCount (priced at the full input price).
func TestGeminiThoughtsAndCachedTokens(t *testing.T) {
	const pause = 150 * time.Millisecond
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptSSE, `data: {"candidates": [{"content": {"parts": [{"text": "**Weighing it**\n\nSix times seven.","thought": true}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 1000,"cachedContentTokenCount": 800,"totalTokenCount": 1000,"thoughtsTokenCount": 30},"modelVersion": "gemini-2.5-pro"}`+"\r\n\r\n")
		time.Sleep(pause)
		ptStream(w, ptSSE, `data: {"candidates": [{"content": {"parts": [{"text": "42"}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 1000,"candidatesTokenCount": 1,"totalTokenCount": 1031,"cachedContentTokenCount": 800,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 1000}],"cacheTokensDetails": [{"modality": "TEXT","tokenCount": 800}],"thoughtsTokenCount": 30},"modelVersion": "gemini-2.5-pro","responseId": "r"}`+"\r\n\r\n")
	})
	resp, err, deltas := ptChat(t, context.Background(), ptGemini(t, srv.URL), Request{Model: "gemini-2.5-pro"}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "42" || strings.Join(deltas, "|") != "42" || resp.TokensIn != 1000 || resp.TokensOut != 31 {
		t.Fatalf("text %q deltas %q tokens %d in %d out, want the answer alone, 1000 in, 31 out", resp.Text, deltas, resp.TokensIn, resp.TokensOut)
	}
	if resp.TTFT < pause {
		t.Fatalf("TTFT %v: timed at the thought, want at the answer (after %v)", resp.TTFT, pause)
	}
}

// TestGeminiOverloadedAndQuota: the API's 503 and 429 as it sends them:
// retried, the 429 after the RetryInfo's delay, the message naming the
// status.
func TestGeminiOverloadedAndQuota(t *testing.T) {
	cases := []struct {
		name, body, want string
		status           int
		after            time.Duration
	}{
		{"503 overloaded", `{"error": {"code": 503,"message": "The model is overloaded. Please try again later.","status": "UNAVAILABLE"}}`,
			"gemini: HTTP 503: UNAVAILABLE: The model is overloaded.", 503, 0},
		{"429 per minute", `{"error": {"code": 429,"message": "You exceeded your current quota, please check your plan and billing details.","status": "RESOURCE_EXHAUSTED","details": [` +
			`{"@type": "type.googleapis.com/google.rpc.QuotaFailure","violations": [{"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests","quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier","quotaDimensions": {"location": "global","model": "gemini-2.5-pro"},"quotaValue": "5"}]},` +
			`{"@type": "type.googleapis.com/google.rpc.Help","links": [{"description": "Learn more about Gemini API quotas","url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]},` +
			`{"@type": "type.googleapis.com/google.rpc.RetryInfo","retryDelay": "36.5s"}]}}`,
			"gemini: HTTP 429: RESOURCE_EXHAUSTED: You exceeded your current quota", 429, 36500 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				ptError(w, c.status, c.body)
			})
			_, err := ptGemini(t, srv.URL).Chat(context.Background(), Request{Model: "gemini-2.5-pro"}, nil)
			ae := ptAPIError(t, err)
			if !ae.Temporary || ae.Status != c.status || ae.RetryAfter != c.after || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("err %q temporary %v retry after %v", err, ae.Temporary, ae.RetryAfter)
			}
		})
	}
}
