package eval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"whet/config"
	"whet/prompt"
	"whet/runner"
)

// fakeEmbedder maps each text to a fixed vector.
type fakeEmbedder map[string][]float64

func (f fakeEmbedder) Embed(ctx context.Context, model string, texts []string) ([][]float64, error) {
	out := make([][]float64, len(texts))
	for i, t := range texts {
		v, ok := f[t]
		if !ok {
			return nil, fmt.Errorf("fake embedder: no vector for %q", t)
		}
		out[i] = v
	}
	return out, nil
}

func (f fakeEmbedder) resolver() EmbedderResolver {
	return func(spec string) (Embedder, string, error) {
		if spec != "fake:embed" {
			return nil, "", fmt.Errorf("unknown embedding target %q", spec)
		}
		return f, "embed", nil
	}
}

func TestSimilar(t *testing.T) {
	emb := fakeEmbedder{
		"out":   {1, 0},
		"close": {0.8, 0.6}, // cosine 0.8
		"far":   {0, 1},     // cosine 0
		"anti":  {-1, 0},    // cosine -1
	}
	e := &Evaluator{Embedder: emb.resolver(), EmbedTarget: "fake:embed"}
	rows := []struct {
		name  string
		check prompt.Check
		pass  bool
		score float64
	}{
		{"close passes default 0.75", prompt.Check{Type: "similar", Value: "close"}, true, 0.8},
		{"close fails 0.9", prompt.Check{Type: "similar", Value: "close", Threshold: fp(0.9)}, false, 0.8},
		{"far fails", prompt.Check{Type: "similar", Value: "far"}, false, 0},
		{"any of a list", prompt.Check{Type: "similar", Value: []any{"far", "close"}}, true, 0.8},
		{"negative cosine floors at 0", prompt.Check{Type: "similar", Value: "anti"}, false, 0},
		{"not-similar far passes", prompt.Check{Type: "not-similar", Value: "far"}, true, 1},
		{"not-similar fails when any is close", prompt.Check{Type: "not-similar", Value: []any{"far", "close"}}, false, 0.2},
		{"threshold rendered per check provider", prompt.Check{Type: "similar", Value: "close", Provider: "fake:embed", Threshold: fp(0.8)}, true, 0.8},
	}
	for _, row := range rows {
		cr := e.Evaluate(context.Background(), prompt.Case{}, []prompt.Check{row.check}, nil, prompt.Result{Output: "out"})
		o := cr.Outcomes[0]
		if o.Err != nil || o.Pass != row.pass || !near(o.Score, row.score, 1e-9) {
			t.Errorf("%s: pass %v score %v err %v; want %v %v", row.name, o.Pass, o.Score, o.Err, row.pass, row.score)
		}
	}
	// An embedder failure is an error, not a verdict.
	cr := e.Evaluate(context.Background(), prompt.Case{}, []prompt.Check{{Type: "not-similar", Value: "unknown"}}, nil, prompt.Result{Output: "out"})
	if o := cr.Outcomes[0]; o.Err == nil || o.Pass {
		t.Errorf("embedder failure: %+v", o)
	}
	// An unknown target is a configuration error on provider.
	cr = e.Evaluate(context.Background(), prompt.Case{}, []prompt.Check{{Type: "similar", Value: "close", Provider: "nope"}}, nil, prompt.Result{Output: "out"})
	var ce *CheckError
	if o := cr.Outcomes[0]; !errors.As(o.Err, &ce) || ce.Field != "provider" {
		t.Errorf("unknown target: %v", o.Err)
	}
}

func TestCosine(t *testing.T) {
	if c, err := Cosine([]float64{1, 2, 3}, []float64{2, 4, 6}); err != nil || !near(c, 1, 1e-12) {
		t.Errorf("parallel: %v %v", c, err)
	}
	if c, _ := Cosine([]float64{1, 0}, []float64{1, 1}); !near(c, 1/math.Sqrt2, 1e-12) {
		t.Errorf("45 degrees: %v", c)
	}
	for _, pair := range [][2][]float64{{{1}, {1, 2}}, {{}, {}}, {{0, 0}, {1, 1}}} {
		if _, err := Cosine(pair[0], pair[1]); err == nil {
			t.Errorf("%v: no error", pair)
		}
	}
}

func TestOllamaEmbedder(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/embed" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("X-Team") != "qa" {
			http.Error(w, `{"error":"missing header"}`, http.StatusBadRequest)
			return
		}
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"error":"bad json"}`, http.StatusBadRequest)
			return
		}
		if req.Model != "nomic-embed-text" {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"error":"model %q not found, try pulling it first"}`, req.Model)
			return
		}
		embs := make([][]float32, len(req.Input))
		for i, s := range req.Input {
			embs[i] = []float32{float32(len(s)), float32(i), 0.5}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"model": req.Model, "embeddings": embs})
	}))
	defer srv.Close()

	emb, err := NewOllamaEmbedder("", srv.URL, map[string]string{"X-Team": "qa"})
	if err != nil {
		t.Fatal(err)
	}
	vecs, err := emb.Embed(context.Background(), "nomic-embed-text", []string{"abc", "hello"})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{3, 0, 0.5}, {5, 1, 0.5}}
	if fmt.Sprint(vecs) != fmt.Sprint(want) {
		t.Errorf("vectors %v, want %v", vecs, want)
	}
	_, err = emb.Embed(context.Background(), "missing", []string{"x"})
	var ae *runner.APIError
	if !errors.As(err, &ae) || ae.Status != 404 || !strings.Contains(ae.Msg, "not found") || ae.Temporary {
		t.Errorf("unknown model: %v", err)
	}

	// Through NewEmbedder and the similar check, end to end.
	e2, err := NewEmbedder(config.Provider{Name: "local", Type: "ollama", BaseURL: srv.URL, Headers: map[string]string{"X-Team": "qa"}})
	if err != nil {
		t.Fatal(err)
	}
	ev := &Evaluator{EmbedTarget: "local:nomic-embed-text", Embedder: func(spec string) (Embedder, string, error) {
		return e2, strings.TrimPrefix(spec, "local:"), nil
	}}
	cr := ev.Evaluate(context.Background(), prompt.Case{}, []prompt.Check{{Type: "similar", Value: "xyz"}}, nil, prompt.Result{Output: "abc"})
	// [3,0,.5]·[3,1,.5] / (|..||..|) = 9.25 / (3.0414 × 3.2016) = 0.94998
	if o := cr.Outcomes[0]; o.Err != nil || !o.Pass || !near(o.Score, 9.25/math.Sqrt(9.25*10.25), 1e-6) {
		t.Errorf("similar via ollama: %+v", o)
	}

	// A server that is gone is a transport error.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	emb, _ = NewOllamaEmbedder("", dead.URL, nil)
	if _, err := emb.Embed(context.Background(), "m", []string{"x"}); !errors.As(err, &ae) || !ae.Temporary {
		t.Errorf("dead server: %v", err)
	}
}

func TestOpenAIEmbedder(t *testing.T) {
	var gotAuth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
			http.NotFound(w, r)
			return
		}
		gotAuth = append(gotAuth, r.Header.Get("Authorization"))
		body, _ := io.ReadAll(r.Body)
		var req struct {
			Model          string   `json:"model"`
			Input          []string `json:"input"`
			EncodingFormat string   `json:"encoding_format"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if req.Model == "bad" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}`)
			return
		}
		// Answer out of order: the embedder must place vectors by index.
		data := []map[string]any{}
		for i := len(req.Input) - 1; i >= 0; i-- {
			data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": []float64{float64(i), float64(len(req.Input[i]))}})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"object": "list", "model": req.Model, "data": data,
			"usage": map[string]any{"prompt_tokens": 3, "total_tokens": 3},
		})
	}))
	defer srv.Close()

	emb, err := NewOpenAIEmbedder("vllm", srv.URL+"/v1", func() (string, error) { return "k-123", nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	vecs, err := emb.Embed(context.Background(), "text-embedding-3-small", []string{"a", "bbb", "cc"})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(vecs) != fmt.Sprint([][]float64{{0, 1}, {1, 3}, {2, 2}}) {
		t.Errorf("vectors %v", vecs)
	}
	if gotAuth[0] != "Bearer k-123" {
		t.Errorf("Authorization %q", gotAuth[0])
	}

	_, err = emb.Embed(context.Background(), "bad", []string{"x"})
	var ae *runner.APIError
	if !errors.As(err, &ae) || ae.Status != 401 || !strings.Contains(ae.Msg, "Incorrect API key") || strings.Contains(err.Error(), "k-123") {
		t.Errorf("401: %v", err)
	}

	// No key for a local server: no Authorization, not even the ambient one.
	t.Setenv("OPENAI_API_KEY", "ambient-secret")
	t.Setenv("LOCAL_KEY", "")
	local, err := NewEmbedder(config.Provider{Name: "local", Type: "openai", BaseURL: srv.URL + "/v1", APIKeyEnv: "LOCAL_KEY"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := local.Embed(context.Background(), "m", []string{"x"}); err != nil {
		t.Fatal(err)
	}
	if last := gotAuth[len(gotAuth)-1]; last != "" {
		t.Errorf("keyless request sent Authorization %q", last)
	}
	// A key error other than "no key" stops the call.
	failing, _ := NewOpenAIEmbedder("x", srv.URL+"/v1", func() (string, error) { return "", errors.New("api_key_cmd failed") }, nil)
	n := len(gotAuth)
	if _, err := failing.Embed(context.Background(), "m", []string{"x"}); err == nil || len(gotAuth) != n {
		t.Errorf("key error: %v, %d requests", err, len(gotAuth)-n)
	}
}

func TestNewEmbedderUnsupported(t *testing.T) {
	if _, err := NewEmbedder(config.Provider{Name: "claude", Type: "anthropic"}); err == nil || !strings.Contains(err.Error(), "no embeddings API") {
		t.Errorf("anthropic: %v", err)
	}
	if _, err := NewOllamaEmbedder("o", "ftp://x", nil); err == nil {
		t.Error("ftp base URL accepted")
	}
}

// A server that echoes the key or a header's token in its error must not
// put it into a score's reason, an export or a log.
func TestEmbedderErrorsRedactSecrets(t *testing.T) {
	const token, key = "gw-token-0123456789", "sk-embed-key-abcdef"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		msg := "refused token " + r.Header.Get("X-Gateway-Token") + " and " + r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		if strings.HasPrefix(r.URL.Path, "https://rp2.alfred511.top/hf/api/") {
			fmt.Fprintf(w, `{"error":%q}`, msg)
			return
		}
		fmt.Fprintf(w, `{"error":{"message":%q,"type":"invalid_request_error"}}`, msg)
	}))
	defer srv.Close()
	headers := map[string]string{"X-Gateway-Token": token}
	ol, err := NewOllamaEmbedder("gw", srv.URL, headers)
	if err != nil {
		t.Fatal(err)
	}
	oa, err := NewOpenAIEmbedder("gw", srv.URL+"/v1", func() (string, error) { return key, nil }, headers)
	if err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]Embedder{"ollama": ol, "openai": oa} {
		_, err := e.Embed(context.Background(), "m", []string{"hi"})
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		if strings.Contains(err.Error(), token) || strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), "refused token [redacted]") {
			t.Errorf("%s: error %q: want the token and key redacted", name, err)
		}
		var ae *runner.APIError
		if !errors.As(err, &ae) || ae.Status != 400 {
			t.Errorf("%s: error %v: want the APIError with status 400 kept", name, err)
		}
	}
}
