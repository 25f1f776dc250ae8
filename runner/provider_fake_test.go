package runner

// Fake-server plumbing shared by the provider tests. Every server listens on
// 127.0.0.1 (httptest) and speaks the provider's real wire format; the
// per-provider files hold the formats.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"whet/prompt"
)

// ptSeen records the requests a fake server received.
type ptSeen struct {
	mu   sync.Mutex
	reqs []ptRequest
}

type ptRequest struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   map[string]any
}

func (s *ptSeen) add(r *http.Request) {
	var body map[string]any
	if b, _ := io.ReadAll(r.Body); len(b) > 0 {
		_ = json.Unmarshal(b, &body)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, ptRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
}

// last returns the last request whose path ends with suffix.
func (s *ptSeen) last(t *testing.T, suffix string) ptRequest {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.reqs) - 1; i >= 0; i-- {
		if strings.HasSuffix(s.reqs[i].Path, suffix) {
			return s.reqs[i]
		}
	}
	t.Fatalf("the fake server saw no request to …%s (saw %d requests)", suffix, len(s.reqs))
	return ptRequest{}
}

// count returns how many requests had a path ending with suffix.
func (s *ptSeen) count(suffix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.reqs {
		if strings.HasSuffix(r.Path, suffix) {
			n++
		}
	}
	return n
}

// ptServer starts a fake server whose handler sees every request after it is
// recorded. release is closed when the test ends, before the server closes,
// so that handlers blocked on it return.
func ptServer(t *testing.T, h func(w http.ResponseWriter, r *http.Request, release <-chan struct{})) (*httptest.Server, *ptSeen) {
	t.Helper()
	seen := &ptSeen{}
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.add(r)
		h(w, r, release)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	return srv, seen
}

// ptStream writes a 200 streaming response of contentType, flushing after
// each chunk.
func ptStream(w http.ResponseWriter, contentType string, chunks ...string) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	f, _ := w.(http.Flusher)
	for _, c := range chunks {
		_, _ = io.WriteString(w, c)
		if f != nil {
			f.Flush()
		}
	}
}

// ptError writes an error response with a JSON body and extra headers.
func ptError(w http.ResponseWriter, status int, body string, header ...string) {
	for i := 0; i+1 < len(header); i += 2 {
		w.Header().Set(header[i], header[i+1])
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// ptResetMidStream answers 200 with a chunked body holding partial, then
// resets the TCP connection (SO_LINGER 0), as a dropped upstream does.
func ptResetMidStream(t *testing.T, w http.ResponseWriter, contentType, partial string) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Errorf("response writer cannot be hijacked")
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n\r\n", contentType)
	fmt.Fprintf(buf, "%x\r\n%s\r\n", len(partial), partial)
	_ = buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// ptSlow answers 200, writes first (maybe nothing) and then waits until the
// client goes away or the test ends.
func ptSlow(w http.ResponseWriter, r *http.Request, release <-chan struct{}, contentType, first string) {
	ptStream(w, contentType, first)
	select {
	case <-r.Context().Done():
	case <-release:
	}
}

// ptChat runs p.Chat and fails the test when it does not return within
// limit: a provider must return promptly once its context ends.
func ptChat(t *testing.T, ctx context.Context, p Provider, req Request, limit time.Duration) (Response, error, []string) {
	t.Helper()
	type result struct {
		resp   Response
		err    error
		deltas []string
	}
	ch := make(chan result, 1)
	go func() {
		var deltas []string
		resp, err := p.Chat(ctx, req, func(s string) { deltas = append(deltas, s) })
		ch <- result{resp, err, deltas}
	}()
	select {
	case r := <-ch:
		return r.resp, r.err, r.deltas
	case <-time.After(limit):
		t.Fatalf("%s: Chat did not return within %v", p.Name(), limit)
		return Response{}, nil, nil
	}
}

// ptAPIError asserts err is an *APIError and returns it.
func ptAPIError(t *testing.T, err error) *APIError {
	t.Helper()
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	return ae
}

// ptDig walks a decoded JSON body: ptDig(b, "options", "temperature").
func ptDig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

// ptParams is a params set exercising every mapping.
func ptParams() prompt.Params {
	temp, topP, max, seed := 0.2, 0.9, 128, int64(42)
	return prompt.Params{
		Temperature: &temp, TopP: &topP, MaxTokens: &max, Seed: &seed,
		Stop:  []string{"END"},
		Extra: map[string]any{"num_ctx": float64(8192)},
	}
}

// ptMessages is a system + user + assistant + user conversation.
func ptMessages() []prompt.Message {
	return []prompt.Message{
		{Role: "system", Content: "be brief"},
		{Role: "user", Content: "hi"},
		{Role: "assistant", Content: "hello"},
		{Role: "user", Content: "again"},
	}
}

// ptFaults runs the fault cases every provider must handle. newP makes the
// provider for a base URL; chatPath is the path suffix of the streaming call;
// w describes the provider's wire format.
type ptWire struct {
	contentType string
	// errorBody is the provider's JSON error body for status and message.
	errorBody func(status int, msg string) string
	// firstChunk is one well-formed piece of a stream.
	firstChunk string
	// malformed is a stream holding one malformed line or event.
	malformed string
	// notFound writes the provider's unknown-model answer; notFoundWant is
	// a fragment the error must contain.
	notFound     func(w http.ResponseWriter)
	notFoundWant string
}

func ptFaults(t *testing.T, wire ptWire, newP func(t *testing.T, base string) Provider, key string) {
	req := Request{Model: "m1", Messages: []prompt.Message{{Role: "user", Content: "hi"}}}
	check := func(t *testing.T, err error) {
		t.Helper()
		if err == nil {
			t.Fatal("Chat succeeded, want an error")
		}
		t.Logf("error: %v", err)
		if key != "" && strings.Contains(err.Error(), key) {
			t.Fatalf("error contains the API key: %v", err)
		}
	}
	serve := func(t *testing.T, h func(w http.ResponseWriter, r *http.Request, release <-chan struct{})) Provider {
		srv, _ := ptServer(t, h)
		return newP(t, srv.URL)
	}

	t.Run("429 Retry-After", func(t *testing.T) {
		p := serve(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			ptError(w, 429, wire.errorBody(429, "slow down"), "Retry-After", "2")
		})
		_, err, _ := ptChat(t, context.Background(), p, req, 10*time.Second)
		check(t, err)
		ae := ptAPIError(t, err)
		if ae.Status != 429 || !ae.Temporary || ae.RetryAfter != 2*time.Second {
			t.Fatalf("got status %d temporary %v retry-after %v, want 429 true 2s (%v)", ae.Status, ae.Temporary, ae.RetryAfter, err)
		}
		if ok, d := Retryable(err); !ok || d != 2*time.Second {
			t.Fatalf("Retryable = %v %v, want true 2s", ok, d)
		}
	})

	t.Run("500", func(t *testing.T) {
		p := serve(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			ptError(w, 500, wire.errorBody(500, "boom"))
		})
		_, err, _ := ptChat(t, context.Background(), p, req, 10*time.Second)
		check(t, err)
		ae := ptAPIError(t, err)
		if ae.Status != 500 || !ae.Temporary {
			t.Fatalf("got status %d temporary %v, want 500 true (%v)", ae.Status, ae.Temporary, err)
		}
	})

	t.Run("400 is permanent", func(t *testing.T) {
		p := serve(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			ptError(w, 400, wire.errorBody(400, "bad temperature"))
		})
		_, err, _ := ptChat(t, context.Background(), p, req, 10*time.Second)
		check(t, err)
		ae := ptAPIError(t, err)
		if ae.Status != 400 || ae.Temporary || !strings.Contains(err.Error(), "bad temperature") {
			t.Fatalf("got status %d temporary %v, want 400 false and the server's message (%v)", ae.Status, ae.Temporary, err)
		}
	})

	t.Run("reset mid-stream", func(t *testing.T) {
		p := serve(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			ptResetMidStream(t, w, wire.contentType, wire.firstChunk)
		})
		_, err, _ := ptChat(t, context.Background(), p, req, 10*time.Second)
		check(t, err)
		ae := ptAPIError(t, err)
		if !ae.Temporary {
			t.Fatalf("a connection reset mid-stream is not temporary: %v", err)
		}
	})

	t.Run("malformed", func(t *testing.T) {
		p := serve(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			ptStream(w, wire.contentType, wire.malformed)
		})
		_, err, _ := ptChat(t, context.Background(), p, req, 10*time.Second)
		check(t, err)
		ae := ptAPIError(t, err)
		if ae.Temporary || !strings.Contains(err.Error(), "malformed") {
			t.Fatalf("want a permanent error saying malformed, got %v (temporary %v)", err, ae.Temporary)
		}
	})

	t.Run("slow server and deadline", func(t *testing.T) {
		p := serve(t, func(w http.ResponseWriter, r *http.Request, release <-chan struct{}) {
			ptSlow(w, r, release, wire.contentType, wire.firstChunk)
		})
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err, _ := ptChat(t, ctx, p, req, 10*time.Second)
		check(t, err)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("want a context.DeadlineExceeded error, got %v", err)
		}
	})

	t.Run("slow headers and cancel", func(t *testing.T) {
		p := serve(t, func(w http.ResponseWriter, r *http.Request, release <-chan struct{}) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		_, err, _ := ptChat(t, ctx, p, req, 10*time.Second)
		check(t, err)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("want a context.Canceled error, got %v", err)
		}
	})

	if key != "" {
		// A server that quotes the key it was sent (some proxies do) must
		// not put it into the result: check above fails on the key.
		t.Run("key echoed in an error body", func(t *testing.T) {
			p := serve(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
				ptError(w, 400, wire.errorBody(400, "bad request made with key "+key+" from a proxy"))
			})
			_, err, _ := ptChat(t, context.Background(), p, req, 10*time.Second)
			check(t, err)
			if !strings.Contains(err.Error(), "key [redacted] from a proxy") {
				t.Fatalf("error %q: want the key replaced, the message kept", err)
			}
			if ae := ptAPIError(t, err); ae.Status != 400 {
				t.Fatalf("status %d, want the 400 kept", ae.Status)
			}
		})
	}

	t.Run("unknown model", func(t *testing.T) {
		p := serve(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			wire.notFound(w)
		})
		_, err, _ := ptChat(t, context.Background(), p, Request{Model: "nope", Messages: req.Messages}, 10*time.Second)
		check(t, err)
		ae := ptAPIError(t, err)
		if ae.Temporary || ae.Status != 404 {
			t.Fatalf("want a permanent 404, got status %d temporary %v: %v", ae.Status, ae.Temporary, err)
		}
		for _, want := range []string{`"nope"`, "not found", wire.notFoundWant} {
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("error %q does not contain %q", err, want)
			}
		}
	})
}

// TestKeepAlivesDoNotHoldACall: a server that sends only keep-alives
// (OpenRouter's ": OPENROUTER PROCESSING" comments, Anthropic's pings)
// holds a call no longer than its context: the call ends with the
// context's error.
func TestKeepAlivesDoNotHoldACall(t *testing.T) {
	cases := []struct {
		name         string
		newP         func(t *testing.T, base string) Provider
		first, every string
	}{
		{"openai", func(t *testing.T, b string) Provider { return ptOpenAI(t, b) }, "", ": OPENROUTER PROCESSING\n\n"},
		{"anthropic", func(t *testing.T, b string) Provider { return ptAnthropic(t, b) }, ptAnthropicStart("m"),
			ptAnthropicEvent("ping", `{"type": "ping"}`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, release <-chan struct{}) {
				ptStream(w, ptSSE, c.first)
				f, _ := w.(http.Flusher)
				tick := time.NewTicker(20 * time.Millisecond)
				defer tick.Stop()
				for {
					select {
					case <-r.Context().Done():
						return
					case <-release:
						return
					case <-tick.C:
						_, _ = io.WriteString(w, c.every)
						f.Flush()
					}
				}
			})
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			_, err, _ := ptChat(t, ctx, c.newP(t, srv.URL), Request{Model: "m"}, 5*time.Second)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err %v, want the context's deadline", err)
			}
		})
	}
}
