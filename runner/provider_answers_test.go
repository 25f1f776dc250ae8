package runner

// Odd answers every provider handles alike.

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestNegativeCountsAreZero: token counts and a generation time a server
// reports below zero are recorded as 0, for every provider.
func TestNegativeCountsAreZero(t *testing.T) {
	cases := []struct {
		name  string
		ctype string
		body  string
		newP  func(t *testing.T, base string) Provider
	}{
		{"ollama", ptOllamaNDJSON,
			ptOllamaLine("m1", "hi") + `{"model":"m1","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":-4,"eval_count":-1,"eval_duration":-5}` + "\n",
			func(t *testing.T, base string) Provider { return ptOllama(t, base) }},
		{"anthropic", ptSSE,
			ptAnthropicEvent("message_start", `{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],"model":"m1","usage":{"input_tokens":-25,"output_tokens":-1}}}`) +
				ptAnthropicText("hi") +
				ptAnthropicEvent("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":-15}}`) +
				ptAnthropicEvent("message_stop", `{"type":"message_stop"}`),
			func(t *testing.T, base string) Provider { return ptAnthropic(t, base) }},
		{"gemini", ptSSE,
			ptGeminiChunk("hi", "STOP", `{"promptTokenCount":-9,"candidatesTokenCount":-3,"totalTokenCount":-12}`),
			func(t *testing.T, base string) Provider { return ptGemini(t, base) }},
		{"openai", ptSSE,
			ptOpenAIChunk("hi", "stop") + `data: {"choices":[],"usage":{"prompt_tokens":-12,"completion_tokens":-3}}` + "\n\n" + ptOpenAIDone,
			func(t *testing.T, base string) Provider { return ptOpenAI(t, base) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				ptStream(w, c.ctype, c.body)
			})
			resp, err, _ := ptChat(t, context.Background(), c.newP(t, srv.URL), Request{Model: "m1", Messages: ptMessages()}, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Text != "hi" || resp.TokensIn != 0 || resp.TokensOut != 0 || resp.GenTime != 0 {
				t.Fatalf("got %+v, want text hi and no negative count", resp)
			}
		})
	}
}

// TestNoContentIsAStatusError: a 204 to a chat is an error saying so, not
// a stream cut short (which would be retried).
func TestNoContentIsAStatusError(t *testing.T) {
	for name, newP := range map[string]func(t *testing.T, base string) Provider{
		"anthropic": func(t *testing.T, base string) Provider { return ptAnthropic(t, base) },
		"gemini":    func(t *testing.T, base string) Provider { return ptGemini(t, base) },
		"openai":    func(t *testing.T, base string) Provider { return ptOpenAI(t, base) },
	} {
		t.Run(name, func(t *testing.T) {
			srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				w.WriteHeader(http.StatusNoContent)
			})
			_, err, _ := ptChat(t, context.Background(), newP(t, srv.URL), Request{Model: "m1", Messages: ptMessages()}, 10*time.Second)
			if ae := ptAPIError(t, err); ae.Status != 204 || ae.Temporary || err.Error() != name+": HTTP 204: No Content" {
				t.Fatalf("got %q (%+v)", err, ae)
			}
		})
	}
}
