package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"whet/config"
	"whet/prompt"
	"whet/runner"
	"whet/store"
)

// fakeOllamaDigest is the digest the fake Ollama reports for its model.
const fakeOllamaDigest = "5f1c0b7de2a94c3e8f6b1a0d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e"

// fakeOllama is an Ollama server on 127.0.0.1 that speaks GET /api/tags
// and a slow streaming POST /api/chat (NDJSON, one word per line). Each
// chunk after the first waits delay; after hold chunks (hold < 0: never)
// the stream waits until release is called or the client goes away.
type fakeOllama struct {
	URL     string
	words   []string
	delay   time.Duration
	hold    int
	release func()
	held    chan struct{} // closed when a stream reached the hold
}

// fakeOllamaAnswer is what the fake model answers, a word per chunk.
const fakeOllamaAnswer = "Slow and steady wins the race, one token at a time."

func newFakeOllama(t testing.TB, delay time.Duration, hold int) *fakeOllama {
	t.Helper()
	rel := make(chan struct{})
	var once, heldOnce sync.Once
	f := &fakeOllama{words: strings.SplitAfter(fakeOllamaAnswer, " "), delay: delay, hold: hold, held: make(chan struct{})}
	f.release = func() { once.Do(func() { close(rel) }) }
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/tags", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"models": []map[string]any{{
			"name": "slow:latest", "model": "slow:latest", "modified_at": "2025-01-02T03:04:05Z",
			"size": 1 << 30, "digest": fakeOllamaDigest,
			"details": map[string]any{"format": "gguf", "family": "llama", "parameter_size": "1B", "quantization_level": "Q4_0"},
		}}})
	})
	mux.HandleFunc("POST /api/chat", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model string `json:"model"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson")
		fl, _ := w.(http.Flusher)
		enc := json.NewEncoder(w)
		line := func(content string, done bool) {
			m := map[string]any{"model": req.Model, "created_at": "2025-01-02T03:04:05Z",
				"message": map[string]any{"role": "assistant", "content": content}, "done": done}
			if done {
				m["done_reason"] = "stop"
				m["prompt_eval_count"] = 12
				m["eval_count"] = len(f.words)
				m["eval_duration"] = int64(time.Second)
				m["total_duration"] = int64(1500 * time.Millisecond)
			}
			enc.Encode(m)
			if fl != nil {
				fl.Flush()
			}
		}
		for i, word := range f.words {
			if i == f.hold {
				heldOnce.Do(func() { close(f.held) })
				select {
				case <-rel:
				case <-r.Context().Done():
					return
				}
			}
			if i > 0 && f.delay > 0 {
				select {
				case <-time.After(f.delay):
				case <-r.Context().Done():
					return
				}
			}
			line(word, false)
		}
		line("", true)
	})
	srv := httptest.NewServer(mux)
	f.URL = srv.URL
	t.Cleanup(func() {
		f.release()
		srv.Close()
	})
	return f
}

// arenaRegistry is a registry whose ollama provider is the fake at
// ollamaURL, with targets as the config's default targets.
func arenaRegistry(t testing.TB, ollamaURL string, targets ...string) *runner.Registry {
	t.Helper()
	var b strings.Builder
	b.WriteString("providers:\n  ollama:\n    type: ollama\n    base_url: " + ollamaURL + "\n")
	if len(targets) > 0 {
		b.WriteString("targets: [" + strings.Join(targets, ", ") + "]\n")
	}
	cfg, err := config.Parse("arena-test.yaml", []byte(b.String()), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return runner.NewRegistry(cfg)
}

// fixedTimingTargets makes every call report the same timings, so that the
// screens of finished runs are reproducible.
type fixedTimingTargets struct{ *runner.Registry }

func (f fixedTimingTargets) Provider(name string) (runner.Provider, error) {
	p, err := f.Registry.Provider(name)
	if err != nil {
		return nil, err
	}
	return fixedTiming{p}, nil
}

type fixedTiming struct{ runner.Provider }

func (p fixedTiming) Chat(ctx context.Context, req runner.Request, onDelta func(string)) (runner.Response, error) {
	resp, err := p.Provider.Chat(ctx, req, onDelta)
	resp.TTFT, resp.Latency = 120*time.Millisecond, 1500*time.Millisecond
	return resp, err
}

// runIDs returns a generator of run ids: arena000001, arena000002, …
func runIDs() func() string {
	n := 0
	return func() string {
		n++
		s := itoa(n)
		return "arena" + strings.Repeat("0", 7-len(s)) + s
	}
}

// seedArenaDemo adds a prompt whose echo output is Markdown.
func seedArenaDemo(t testing.TB, st *store.Store) {
	t.Helper()
	_, err := st.CreatePrompt(context.Background(), store.NewPrompt{
		Name: "arena/demo", Description: "Markdown answer", Defaults: map[string]string{"name": "Ana"},
	}, store.NewVersion{Messages: []prompt.Message{
		{Role: "system", Content: "Answer in **Markdown**."},
		{Role: "user", Content: "Two fruits for {{name}}:\n\n- apple\n- pear"},
	}, Author: "t", Note: "v1"})
	if err != nil {
		t.Fatal(err)
	}
}

// withTargets sets the harness's target registry.
func withTargets(t ArenaTargets) func(*Deps) { return func(d *Deps) { d.Targets = t } }
