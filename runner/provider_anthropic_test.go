package runner

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"whet/config"
	"whet/prompt"
)

const ptAnthropicKey = "sk-ant-test-0123456789"

// ptAnthropicEvent is one SSE event of the Messages stream.
func ptAnthropicEvent(event, data string) string {
	return "event: " + event + "\ndata: " + data + "\n\n"
}

func ptAnthropicStart(model string) string {
	return ptAnthropicEvent("message_start", fmt.Sprintf(`{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],"model":%q,"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}`, model))
}

func ptAnthropicText(s string) string {
	return ptAnthropicEvent("content_block_delta", fmt.Sprintf(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":%q}}`, s))
}

var ptAnthropicTail = ptAnthropicEvent("content_block_stop", `{"type":"content_block_stop","index":0}`) +
	ptAnthropicEvent("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}`) +
	ptAnthropicEvent("message_stop", `{"type":"message_stop"}`)

func ptAnthropicErr(status int, msg string) string {
	typ := map[int]string{400: "invalid_request_error", 404: "not_found_error", 429: "rate_limit_error", 500: "api_error", 529: "overloaded_error"}[status]
	return fmt.Sprintf(`{"type":"error","error":{"type":%q,"message":%q}}`, typ, msg)
}

func ptAnthropic(t *testing.T, base string) *Anthropic {
	t.Helper()
	t.Setenv("ANTHROPIC_API_KEY", ptAnthropicKey)
	p, err := NewAnthropic(config.Provider{Name: "anthropic", Type: "anthropic", BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAnthropicChatStreams(t *testing.T) {
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptSSE,
			ptAnthropicStart("claude-sonnet-4-5-20250929"),
			ptAnthropicEvent("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`),
			ptAnthropicEvent("ping", `{"type": "ping"}`),
			ptAnthropicText("Hel"), ptAnthropicText("lo"), ptAnthropicTail)
	})
	p := ptAnthropic(t, srv.URL)
	msgs := append([]prompt.Message{{Role: "system", Content: "second rule"}}, ptMessages()...)
	msgs = append(msgs, prompt.Message{Role: "user", Content: "and more"})
	params := ptParams()
	params.Extra = map[string]any{"top_k": float64(5)}
	resp, err, deltas := ptChat(t, context.Background(), p, Request{Model: "claude-sonnet-4-5", Messages: msgs, Params: params}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	got := resp
	got.TTFT, got.Latency = 0, 0
	want := Response{Text: "Hello", FinishReason: "stop", TokensIn: 25, TokensOut: 15, Model: "claude-sonnet-4-5-20250929"}
	if got != want || strings.Join(deltas, "|") != "Hel|lo" {
		t.Fatalf("got  %+v deltas %q\nwant %+v", got, deltas, want)
	}

	r := seen.last(t, "/v1/messages")
	if r.Method != "POST" || r.Header.Get("X-Api-Key") != ptAnthropicKey || r.Header.Get("Anthropic-Version") == "" {
		t.Fatalf("method %s x-api-key %q anthropic-version %q", r.Method, r.Header.Get("X-Api-Key"), r.Header.Get("Anthropic-Version"))
	}
	checks := []struct {
		path []any
		want any
	}{
		{[]any{"model"}, "claude-sonnet-4-5"},
		{[]any{"stream"}, true},
		{[]any{"max_tokens"}, float64(128)},
		{[]any{"temperature"}, 0.2},
		{[]any{"top_p"}, 0.9},
		{[]any{"top_k"}, float64(5)},
		{[]any{"stop_sequences", 0}, "END"},
		{[]any{"seed"}, nil},
		{[]any{"system", 0, "text"}, "second rule"},
		{[]any{"system", 1, "text"}, "be brief"},
		{[]any{"messages", 0, "role"}, "user"},
		{[]any{"messages", 0, "content", 0, "text"}, "hi"},
		{[]any{"messages", 1, "role"}, "assistant"},
		{[]any{"messages", 2, "role"}, "user"},
		{[]any{"messages", 2, "content", 0, "text"}, "again"},
		{[]any{"messages", 2, "content", 1, "text"}, "and more"},
		{[]any{"messages", 3}, nil},
	}
	for _, c := range checks {
		if v := ptDig(r.Body, c.path...); v != c.want {
			t.Errorf("body %v = %v (%T), want %v", c.path, v, v, c.want)
		}
	}

	// max_tokens is required by the API: 4096 when the prompt sets none.
	if _, err := p.Chat(context.Background(), Request{Model: "m", Messages: ptMessages()}, nil); err != nil {
		t.Fatal(err)
	}
	if v := ptDig(seen.last(t, "/v1/messages").Body, "max_tokens"); v != float64(4096) {
		t.Fatalf("default max_tokens %v", v)
	}
}

// TestAnthropicCacheTokens checks that tokens written to and read from the
// prompt cache count as input: the API's input_tokens leaves them out.
func TestAnthropicCacheTokens(t *testing.T) {
	start := ptAnthropicEvent("message_start", `{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],"model":"m","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"cache_creation_input_tokens":1200,"cache_read_input_tokens":800,"output_tokens":1}}}`)
	for name, delta := range map[string]string{
		// Newer API versions repeat the cumulative input counts here.
		"cumulative delta":  `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":3,"cache_creation_input_tokens":1200,"cache_read_input_tokens":800,"output_tokens":15}}`,
		"output-only delta": `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				ptStream(w, ptSSE, start, ptAnthropicText("ok"),
					ptAnthropicEvent("message_delta", delta), ptAnthropicEvent("message_stop", `{"type":"message_stop"}`))
			})
			resp, err := ptAnthropic(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.TokensIn != 2003 || resp.TokensOut != 15 {
				t.Fatalf("tokens in %d out %d, want 2003 and 15", resp.TokensIn, resp.TokensOut)
			}
		})
	}
}

// TestAnthropicThinking: with a thinking budget and no max_tokens, the
// default leaves room for the answer beside the budget (the API refuses a
// budget not below max_tokens); the thinking that streams back is not part
// of the answer, though its tokens are output tokens.
func TestAnthropicThinking(t *testing.T) {
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptSSE, ptAnthropicStart("m"),
			ptAnthropicEvent("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}`),
			ptAnthropicEvent("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me think."}}`),
			ptAnthropicEvent("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM"}}`),
			ptAnthropicEvent("content_block_stop", `{"type":"content_block_stop","index":0}`),
			ptAnthropicEvent("content_block_start", `{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}`),
			ptAnthropicEvent("content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"42"}}`),
			ptAnthropicTail)
	})
	p := ptAnthropic(t, srv.URL)
	for _, c := range []struct {
		budget any
		max    *int
		want   float64
	}{
		{float64(10000), nil, 14096},
		{uint64(2000), nil, 4096},
		{float64(10000), ptInt(16000), 16000},
	} {
		req := Request{Model: "m", Messages: ptMessages(), Params: prompt.Params{MaxTokens: c.max,
			Extra: map[string]any{"thinking": map[string]any{"type": "enabled", "budget_tokens": c.budget}}}}
		resp, err, deltas := ptChat(t, context.Background(), p, req, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Text != "42" || strings.Join(deltas, "") != "42" || resp.TokensOut != 15 {
			t.Fatalf("text %q deltas %q tokens out %d: want only the answer, 15 tokens", resp.Text, deltas, resp.TokensOut)
		}
		if v := ptDig(seen.last(t, "/v1/messages").Body, "max_tokens"); v != c.want {
			t.Errorf("budget %v max %v: max_tokens %v, want %v", c.budget, c.max, v, c.want)
		}
	}
}

func ptInt(n int) *int { return &n }

// TestAnthropicSkipsEmptyMessages: the API refuses an empty text block
// ("text content blocks must be non-empty"), so a message that renders to
// nothing is left out instead of failing the call.
func TestAnthropicSkipsEmptyMessages(t *testing.T) {
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptSSE, ptAnthropicStart("m"), ptAnthropicText("ok"), ptAnthropicTail)
	})
	msgs := []prompt.Message{{Role: "system", Content: ""}, {Role: "user", Content: "hi"}, {Role: "assistant", Content: " \n"}, {Role: "user", Content: "again"}}
	if _, err := ptAnthropic(t, srv.URL).Chat(context.Background(), Request{Model: "m", Messages: msgs}, nil); err != nil {
		t.Fatal(err)
	}
	b := seen.last(t, "/v1/messages").Body
	if v, ok := b["system"]; ok {
		t.Errorf("system = %v, want none", v)
	}
	if n := len(ptDig(b, "messages").([]any)); n != 1 {
		t.Fatalf("%d messages, want one user turn: %v", n, b["messages"])
	}
	if ptDig(b, "messages", 0, "content", 0, "text") != "hi" || ptDig(b, "messages", 0, "content", 1, "text") != "again" {
		t.Fatalf("messages %v", b["messages"])
	}
}

// TestAnthropicPrefillTrailingWhitespace: the API refuses a final assistant
// turn that ends in whitespace ("final assistant content cannot end with
// trailing whitespace"); earlier turns are sent as written.
func TestAnthropicPrefillTrailingWhitespace(t *testing.T) {
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptSSE, ptAnthropicStart("m"), ptAnthropicText("ok"), ptAnthropicTail)
	})
	msgs := []prompt.Message{{Role: "user", Content: "hi"}, {Role: "assistant", Content: "hello\n"}, {Role: "user", Content: "list them"}, {Role: "assistant", Content: "1. \n"}}
	if _, err := ptAnthropic(t, srv.URL).Chat(context.Background(), Request{Model: "m", Messages: msgs}, nil); err != nil {
		t.Fatal(err)
	}
	b := seen.last(t, "/v1/messages").Body
	if v := ptDig(b, "messages", 1, "content", 0, "text"); v != "hello\n" {
		t.Errorf("earlier assistant turn %q, want it unchanged", v)
	}
	if v := ptDig(b, "messages", 3, "content", 0, "text"); v != "1." {
		t.Errorf("prefill %q, want %q", v, "1.")
	}
}

func TestAnthropicFaults(t *testing.T) {
	ptFaults(t, ptWire{
		contentType: ptSSE,
		errorBody:   ptAnthropicErr,
		firstChunk:  ptAnthropicStart("m1") + ptAnthropicText("Hel"),
		malformed:   ptAnthropicStart("m1") + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\n\n" + ptAnthropicTail,
		notFound: func(w http.ResponseWriter) {
			ptError(w, 404, `{"type":"error","error":{"type":"not_found_error","message":"model: nope"}}`)
		},
		notFoundWant: "anthropic",
	}, func(t *testing.T, base string) Provider { return ptAnthropic(t, base) }, ptAnthropicKey)
}

func TestAnthropicErrorEvents(t *testing.T) {
	cases := []struct {
		etype     string
		temporary bool
	}{
		{"overloaded_error", true},
		{"api_error", true},
		{"invalid_request_error", false},
	}
	for _, c := range cases {
		t.Run(c.etype, func(t *testing.T) {
			srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				ptStream(w, ptSSE, ptAnthropicStart("m"), ptAnthropicText("Hel"),
					ptAnthropicEvent("error", fmt.Sprintf(`{"type":"error","error":{"type":%q,"message":"Overloaded"}}`, c.etype)))
			})
			resp, err := ptAnthropic(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
			ae := ptAPIError(t, err)
			if ae.Temporary != c.temporary || !strings.Contains(err.Error(), c.etype) || resp.Text != "Hel" {
				t.Fatalf("err %v temporary %v text %q", err, ae.Temporary, resp.Text)
			}
		})
	}
}

func TestAnthropicOverloaded529(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptError(w, 529, ptAnthropicErr(529, "Overloaded"))
	})
	_, err := ptAnthropic(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
	if ae := ptAPIError(t, err); ae.Status != 529 || !ae.Temporary {
		t.Fatalf("got %v", err)
	}
}

// TestAnthropicSpendLimit: a 429 whose error_code says the organisation's
// monthly spend cap is reached is no rate limit and is not retried.
func TestAnthropicSpendLimit(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptError(w, 429, `{"type":"error","error":{"type":"rate_limit_error","message":"You have reached your API usage limits: your organization has crossed its monthly API usage threshold.","details":{"error_code":"enforced_spend_limit_reached"}},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`)
	})
	_, err := ptAnthropic(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
	ae := ptAPIError(t, err)
	if retry, _ := Retryable(err); ae.Status != 429 || retry || !strings.Contains(err.Error(), "monthly API usage threshold") {
		t.Fatalf("got %v (retryable %v), want a permanent 429 with the server's message", err, retry)
	}
}

// TestAnthropicShouldRetryHeader: x-should-retry, which the SDK lets
// override the status, decides whether a failed call is retried.
func TestAnthropicShouldRetryHeader(t *testing.T) {
	for _, c := range []struct {
		status int
		header string
		retry  bool
	}{
		{429, "false", false},
		{529, "false", false},
		{409, "true", true},
		{409, "", false},
	} {
		t.Run(fmt.Sprintf("%d %q", c.status, c.header), func(t *testing.T) {
			srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				body := ptAnthropicErr(c.status, "no")
				if c.status == 409 {
					body = `{"type":"error","error":{"type":"conflict_error","message":"no"}}`
				}
				if c.header != "" {
					w.Header().Set("X-Should-Retry", c.header)
				}
				ptError(w, c.status, body)
			})
			_, err := ptAnthropic(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
			if retry, _ := Retryable(err); ptAPIError(t, err).Status != c.status || retry != c.retry {
				t.Fatalf("got %v (retryable %v), want status %d retryable %v", err, retry, c.status, c.retry)
			}
		})
	}
}

func TestAnthropicTruncated(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptSSE, ptAnthropicStart("m"), ptAnthropicText("Hel"))
	})
	_, err := ptAnthropic(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
	if ae := ptAPIError(t, err); !ae.Temporary {
		t.Fatalf("got %v", err)
	}
}

func TestAnthropicMissingKey(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "")
	p, err := NewAnthropic(config.Provider{BaseURL: "http://127.0.0.1:9"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Chat(context.Background(), Request{Model: "m"}, nil); err == nil || !strings.Contains(err.Error(), "ANTHROPIC_API_KEY") {
		t.Fatalf("want an error naming ANTHROPIC_API_KEY, got %v", err)
	}
}

func TestAnthropicFinish(t *testing.T) {
	for in, want := range map[string]string{"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_calls", "refusal": "content_filter", "model_context_window_exceeded": "length", "pause_turn": "pause_turn", "new_reason": "new_reason"} {
		if got := anthropicFinish(in); got != want {
			t.Errorf("anthropicFinish(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAnthropicAuthTokenWithoutKey(t *testing.T) {
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptSSE, ptAnthropicStart("claude-sonnet-4-5-20250929"), ptAnthropicText("Hi"), ptAnthropicTail)
	})
	p := ptAnthropic(t, srv.URL)
	t.Setenv("ANTHROPIC_API_KEY", "")
	t.Setenv("ANTHROPIC_AUTH_TOKEN", "gateway-token-123")
	// A gateway's bearer token stands in for the key: before the run, in
	// the providers' listing and on the wire.
	if err := p.MissingKey(); err != nil {
		t.Fatalf("MissingKey with ANTHROPIC_AUTH_TOKEN set: %v", err)
	}
	if src, ok := KeySource(p.cfg); !ok || src != "ANTHROPIC_AUTH_TOKEN set (a bearer token)" {
		t.Fatalf("KeySource = %q, %v", src, ok)
	}
	if _, err, _ := ptChat(t, context.Background(), p, Request{Model: "claude-sonnet-4-5", Messages: ptMessages()}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	r := seen.last(t, "/v1/messages")
	if r.Header.Get("Authorization") != "Bearer gateway-token-123" || r.Header.Get("X-Api-Key") != "" {
		t.Fatalf("authorization %q x-api-key %q", r.Header.Get("Authorization"), r.Header.Get("X-Api-Key"))
	}
	// A key, when set, wins; the token is never sent beside it.
	t.Setenv("ANTHROPIC_API_KEY", ptAnthropicKey)
	if _, err, _ := ptChat(t, context.Background(), p, Request{Model: "claude-sonnet-4-5", Messages: ptMessages()}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if r := seen.last(t, "/v1/messages"); r.Header.Get("X-Api-Key") != ptAnthropicKey || r.Header.Get("Authorization") != "" {
		t.Fatalf("with a key: authorization %q x-api-key %q", r.Header.Get("Authorization"), r.Header.Get("X-Api-Key"))
	}
	// A provider keyed by a variable of its own does not take the token.
	t.Setenv("ANTHROPIC_API_KEY", "")
	own, err := NewAnthropic(config.Provider{Name: "claude", Type: "anthropic", BaseURL: srv.URL, APIKeyEnv: "CLAUDE_KEY"})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("CLAUDE_KEY", "")
	if err := own.MissingKey(); err == nil || !strings.Contains(err.Error(), "CLAUDE_KEY") {
		t.Fatalf("MissingKey of a provider with its own variable: %v", err)
	}
}

// TestAnthropicRateLimitHeaders: a 429 waits as long as retry-after says;
// without one (a proxy dropped it), until the limits the
// anthropic-ratelimit-* headers report as used up reset.
func TestAnthropicRateLimitHeaders(t *testing.T) {
	now := time.Now().UTC()
	limits := []string{
		"Anthropic-Ratelimit-Requests-Limit", "50", "Anthropic-Ratelimit-Requests-Remaining", "12",
		"Anthropic-Ratelimit-Requests-Reset", now.Add(50 * time.Second).Format(time.RFC3339),
		"Anthropic-Ratelimit-Input-Tokens-Limit", "30000", "Anthropic-Ratelimit-Input-Tokens-Remaining", "0",
		"Anthropic-Ratelimit-Input-Tokens-Reset", now.Add(20 * time.Second).Format(time.RFC3339),
		"Anthropic-Ratelimit-Tokens-Remaining", "0", "Anthropic-Ratelimit-Tokens-Reset", now.Add(10 * time.Second).Format(time.RFC3339),
	}
	for _, c := range []struct {
		name     string
		header   []string
		min, max time.Duration
	}{
		{"retry-after", append([]string{"Retry-After", "7"}, limits...), 7 * time.Second, 7 * time.Second},
		{"reset headers only", limits, 18 * time.Second, 20 * time.Second},
		{"nothing used up", limits[:6], 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				ptError(w, 429, `{"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed the rate limit for your organization of 30,000 input tokens per minute."},"request_id":"req_011"}`, c.header...)
			})
			_, err := ptAnthropic(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
			ae := ptAPIError(t, err)
			if !ae.Temporary || ae.Status != 429 || ae.RetryAfter < c.min || ae.RetryAfter > c.max ||
				!strings.Contains(err.Error(), "anthropic: HTTP 429: rate_limit_error: This request would exceed") {
				t.Fatalf("err %v temporary %v retry after %v, want temporary and %v–%v", err, ae.Temporary, ae.RetryAfter, c.min, c.max)
			}
		})
	}
}

// TestAnthropicOverloadedRetryAfter: a 529 is retried, after the wait its
// retry-after asks for.
func TestAnthropicOverloadedRetryAfter(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptError(w, 529, `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_012"}`, "Retry-After", "3")
	})
	_, err := ptAnthropic(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
	ae := ptAPIError(t, err)
	if ae.Status != 529 || !ae.Temporary || ae.RetryAfter != 3*time.Second || !strings.Contains(err.Error(), "overloaded_error: Overloaded") {
		t.Fatalf("err %v temporary %v retry after %v", err, ae.Temporary, ae.RetryAfter)
	}
}

// TestAnthropicStopReasons: each stop_reason of a whole stream is the
// result's finish reason, the text that came before it kept: an answer cut
// short (max_tokens, model_context_window_exceeded), refused or paused reads
// as such, never as stop.
func TestAnthropicStopReasons(t *testing.T) {
	for reason, want := range map[string]string{"end_turn": "stop", "max_tokens": "length", "model_context_window_exceeded": "length",
		"refusal": "content_filter", "pause_turn": "pause_turn", "stop_sequence": "stop"} {
		t.Run(reason, func(t *testing.T) {
			srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				ptStream(w, ptSSE, ptAnthropicStart("m"),
					ptAnthropicEvent("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`),
					ptAnthropicText("Part"), ptAnthropicEvent("content_block_stop", `{"type":"content_block_stop","index":0}`),
					ptAnthropicEvent("message_delta", `{"type":"message_delta","delta":{"stop_reason":"`+reason+`","stop_sequence":null},"usage":{"output_tokens":7}}`),
					ptAnthropicEvent("message_stop", `{"type":"message_stop"}`))
			})
			resp, err := ptAnthropic(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
			if err != nil || resp.FinishReason != want || resp.Text != "Part" || resp.TokensOut != 7 {
				t.Fatalf("%+v %v, want finish %q and the text", resp, err, want)
			}
		})
	}
}

// TestAnthropicRedactedThinking: a redacted_thinking block (encrypted
// reasoning, no deltas) is not part of the answer, and the answer's first
// text is its first token.
func TestAnthropicRedactedThinking(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptSSE, ptAnthropicStart("m"),
			ptAnthropicEvent("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"}}`),
			ptAnthropicEvent("content_block_stop", `{"type":"content_block_stop","index":0}`),
			ptAnthropicEvent("ping", `{"type": "ping"}`),
			ptAnthropicEvent("content_block_start", `{"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}`),
			ptAnthropicEvent("content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"42"}}`),
			ptAnthropicTail)
	})
	resp, err, deltas := ptChat(t, context.Background(), ptAnthropic(t, srv.URL), Request{Model: "m"}, 10*time.Second)
	if err != nil || resp.Text != "42" || strings.Join(deltas, "|") != "42" || resp.FinishReason != "stop" {
		t.Fatalf("%+v %v deltas %q", resp, err, deltas)
	}
}

// TestAnthropicErrorEventSays: an error event after a 200 names the
// provider, the error's type and that it came mid-stream, and keeps the
// text that came before it.
func TestAnthropicErrorEventSays(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, ptSSE, ptAnthropicStart("m"), ptAnthropicEvent("ping", `{"type": "ping"}`), ptAnthropicText("Hel"),
			"event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}\n\n")
	})
	resp, err := ptAnthropic(t, srv.URL).Chat(context.Background(), Request{Model: "m"}, nil)
	ae := ptAPIError(t, err)
	if err.Error() != "anthropic: overloaded_error: Overloaded (mid-stream)" || !ae.Temporary || resp.Text != "Hel" {
		t.Fatalf("err %q temporary %v text %q", err, ae.Temporary, resp.Text)
	}
}

// TestAnthropicOllamaErrors: Ollama's Anthropic-compatible API (its
// /v1/messages, bodies as Ollama 0.17 sent them) answers a model it does not
// have with a 404 that names ollama pull, and a model it cannot load with a
// 500 that is not retried.
func TestAnthropicOllamaErrors(t *testing.T) {
	cases := []struct {
		status int
		body   string
		want   string
	}{
		{404, `{"type":"error","error":{"type":"not_found_error","message":"model 'tiny' not found"},"request_id":"req_3d507a32f82426ec48f35268"}`,
			`model "tiny" not found on anthropic at`},
		{500, `{"type":"error","error":{"type":"api_error","message":"llama runner process has terminated: error loading model: missing tensor 'token_embd.weight'"},"request_id":"req_c4f40038a9cdaf46d977dc43"}`,
			`Ollama cannot load model "tiny"`},
	}
	for _, c := range cases {
		srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			ptError(w, c.status, c.body, "Cache-Control", "no-cache")
		})
		_, err := ptAnthropic(t, srv.URL).Chat(context.Background(), Request{Model: "tiny", Messages: ptMessages()}, nil)
		ae := ptAPIError(t, err)
		if ae.Temporary || ae.Status != c.status || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%d: %v (temporary %v), want it final and saying %q", c.status, err, ae.Temporary, c.want)
		}
		if c.status == 404 && !strings.Contains(err.Error(), "(ollama pull tiny)") {
			t.Errorf("404: %v does not name ollama pull", err)
		}
	}
}

// TestAnthropicNoSuchRoute: a base_url ending in /v1 (Ollama's root is
// wanted) reaches a route the server does not have; its 404, as Ollama's
// router sends it (text/plain "404 page not found"), names the URL asked
// and says to drop the /v1.
func TestAnthropicNoSuchRoute(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(404)
		_, _ = w.Write([]byte("404 page not found"))
	})
	_, err := ptAnthropic(t, srv.URL+"/v1").Chat(context.Background(), Request{Model: "tiny", Messages: ptMessages()}, nil)
	ae := ptAPIError(t, err)
	want := "404 page not found (POST " + srv.URL + "/v1/v1/messages): check base_url; it is the server's root, without /v1"
	if ae.Status != 404 || ae.Temporary || !strings.Contains(err.Error(), want) {
		t.Errorf("%v\nwant it to say %q", err, want)
	}
}
