package runner

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"whet/config"
)

// Local OpenAI-compatible servers as they answer: llama.cpp's llama-server,
// vLLM, LM Studio and Ollama's /v1, their bodies as their sources write them.

func ptLocal(t *testing.T, name, base string) *OpenAI {
	t.Helper()
	t.Setenv(strings.ToUpper(name)+"_API_KEY", "")
	p, err := NewOpenAI(config.Provider{Name: name, Type: "openai", BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ptLlamaCppStream is llama-server's stream of a chat completion asked
// with stream_options.include_usage (keys sorted, as nlohmann::json
// writes them): the role, two pieces, the finish, then the usage chunk,
// which carries the timings. Without include_usage the timings ride on
// the finish chunk and there is no usage.
func ptLlamaCppStream(usage bool) []string {
	const head = `"created":1764020000,"id":"chatcmpl-Yb3cZ","model":"qwen2.5-7b-instruct-q4_k_m.gguf","object":"chat.completion.chunk","system_fingerprint":"b7150-8fd45c4e"`
	const timings = `"timings":{"cache_n":4,"predicted_ms":250.5,"predicted_n":5,"predicted_per_second":19.96,"predicted_per_token_ms":50.1,"prompt_ms":80.2,"prompt_n":14,"prompt_per_second":174.56,"prompt_per_token_ms":5.73}`
	out := []string{
		`data: {"choices":[{"delta":{"content":null,"role":"assistant"},"finish_reason":null,"index":0}],` + head + "}\n\n",
		`data: {"choices":[{"delta":{"content":"Hello"},"finish_reason":null,"index":0}],` + head + "}\n\n",
		`data: {"choices":[{"delta":{"content":" there"},"finish_reason":null,"index":0}],` + head + "}\n\n",
	}
	if usage {
		out = append(out,
			`data: {"choices":[{"delta":{},"finish_reason":"stop","index":0}],`+head+"}\n\n",
			`data: {"choices":[],`+head+`,`+timings+`,"usage":{"completion_tokens":5,"prompt_tokens":18,"total_tokens":23}}`+"\n\n")
	} else {
		out = append(out, `data: {"choices":[{"delta":{},"finish_reason":"stop","index":0}],`+head+`,`+timings+"}\n\n")
	}
	return append(out, "data: [DONE]\n\n")
}

// TestLlamaCppTimings: the generation time llama-server measured
// (timings.predicted_ms) is recorded as the generation time, so tok/s is
// the server's; its counts stand in for a missing usage.
func TestLlamaCppTimings(t *testing.T) {
	for _, usage := range []bool{true, false} {
		srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			ptStream(w, "text/event-stream", ptLlamaCppStream(usage)...)
		})
		resp, err := ptLocal(t, "llamacpp", srv.URL+"/v1").Chat(context.Background(), Request{Model: "qwen", Messages: ptMessages()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Text != "Hello there" || resp.FinishReason != "stop" || resp.Model != "qwen2.5-7b-instruct-q4_k_m.gguf" {
			t.Errorf("usage %v: %+v", usage, resp)
		}
		// With usage its prompt_tokens (18 = 14 evaluated + 4 cached).
		if resp.TokensIn != 18 || resp.TokensOut != 5 {
			t.Errorf("usage %v: tokens %d→%d, want 18→5", usage, resp.TokensIn, resp.TokensOut)
		}
		if resp.GenTime != 250500*time.Microsecond {
			t.Errorf("usage %v: generation time %v, want predicted_ms 250.5ms", usage, resp.GenTime)
		}
	}
	// encoding/json reads them as the fast path does; a value of another
	// type is 0.
	var c openaiChunk
	if err := json.Unmarshal([]byte(`{"timings":{"predicted_ms":12.5,"predicted_n":3,"prompt_n":"x"}}`), &c); err != nil || c.Timings == nil ||
		*c.Timings != (openaiTimings{PredictedMS: 12.5, PredictedN: 3}) {
		t.Errorf("decoded %+v, %v", c.Timings, err)
	}
}

// TestLocalServerErrors: what each server answers when it cannot serve
// the call, and that whet's error says what to do.
func TestLocalServerErrors(t *testing.T) {
	cases := []struct {
		name, server string
		status       int
		body         string
		want         []string
		temporary    bool
	}{
		{"llama.cpp loading", "llamacpp", 503, `{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}`,
			[]string{"still loading its model (Loading model)", "GET /health", "run again"}, true},
		{"lm studio no model loaded", "lmstudio", 404, `{"error":{"message":"No models loaded. Please load a model in the developer page or use the 'lms load' command.","type":"invalid_request_error","param":"model","code":null}}`,
			[]string{`no model is loaded on lmstudio at`, "load qwen", "lms load", "just-in-time"}, false},
		{"ollama v1 not pulled", "ollama11434", 404, `{"error":{"message":"model \"qwen\" not found, try pulling it first","type":"api_error","param":null,"code":null}}`,
			[]string{`model "qwen" not found on ollama11434`, "(ollama pull qwen)"}, false},
		// As Ollama 0.17 answers a model it does not have.
		{"ollama v1 unknown model", "ollama11434", 404, `{"error":{"message":"model 'qwen' not found","type":"api_error","param":null,"code":null}}`,
			[]string{`model "qwen" not found on ollama11434`, "(ollama pull qwen)"}, false},
		// As Ollama 0.17 answers a model whose file lacks a tensor.
		{"ollama v1 cannot load", "ollama11434", 500, `{"error":{"message":"llama runner process has terminated: error loading model: missing tensor 'token_embd.weight'\nllama_model_load_from_file_impl: failed to load model","type":"api_error","param":null,"code":null}}`,
			[]string{"error loading model: missing tensor", `Ollama cannot load model "qwen"`}, false},
		{"vllm unknown model", "vllm", 404, `{"error":{"message":"The model ` + "`qwen`" + ` does not exist.","type":"NotFoundError","param":"model","code":404}}`,
			[]string{`model "qwen" not found on vllm`, "does not exist", "'whet models' lists what it serves"}, false},
	}
	for _, c := range cases {
		srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(c.status)
			_, _ = w.Write([]byte(c.body))
		})
		_, err := ptLocal(t, c.server, srv.URL+"/v1").Chat(context.Background(), Request{Model: "qwen", Messages: ptMessages()}, nil)
		ae := ptAPIError(t, err)
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v\ndoes not say %q", c.name, err, w)
			}
		}
		if ae.Status != c.status || ae.Temporary != c.temporary {
			t.Errorf("%s: status %d temporary %v, want %d %v", c.name, ae.Status, ae.Temporary, c.status, c.temporary)
		}
	}
}

// TestLocalServerNotRunning: a refused connection to this machine asks
// whether the server runs, on that port.
func TestLocalServerNotRunning(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {})
	base := srv.URL + "/v1"
	srv.Close()
	_, err := ptLocal(t, "lab", base).Chat(context.Background(), Request{Model: "m"}, nil)
	if err == nil || !strings.Contains(err.Error(), "connection refused: is the server running, on this port?") {
		t.Errorf("refused: %v", err)
	}
}

// TestVLLMContinuousUsage: vLLM asked for continuous_usage_stats (an
// openai.stream_options param) sends the running usage with every chunk,
// then the usage chunk; the counts are the last ones.
func TestVLLMContinuousUsage(t *testing.T) {
	const head = `"id":"chatcmpl-b1c2","object":"chat.completion.chunk","created":1764020000,"model":"Qwen/Qwen2.5-7B-Instruct"`
	srv, seen := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, "text/event-stream; charset=utf-8",
			`data: {`+head+`,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":{"prompt_tokens":21,"total_tokens":21,"completion_tokens":0}}`+"\n\n",
			`data: {`+head+`,"choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}],"usage":{"prompt_tokens":21,"total_tokens":22,"completion_tokens":1}}`+"\n\n",
			`data: {`+head+`,"choices":[{"index":0,"delta":{"content":"!"},"logprobs":null,"finish_reason":"stop","stop_reason":null}],"usage":{"prompt_tokens":21,"total_tokens":23,"completion_tokens":2}}`+"\n\n",
			`data: {`+head+`,"choices":[],"usage":{"prompt_tokens":21,"total_tokens":23,"completion_tokens":2}}`+"\n\n",
			"data: [DONE]\n\n")
	})
	req := Request{Model: "Qwen/Qwen2.5-7B-Instruct", Messages: ptMessages()}
	req.Params.Extra = map[string]any{"openai.stream_options": map[string]any{"include_usage": true, "continuous_usage_stats": true}}
	resp, err := ptLocal(t, "vllm", srv.URL+"/v1").Chat(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Text != "Hi!" || resp.TokensIn != 21 || resp.TokensOut != 2 || resp.FinishReason != "stop" {
		t.Errorf("got %+v", resp)
	}
	so, _ := seen.last(t, "/v1/chat/completions").Body["stream_options"].(map[string]any)
	if so["continuous_usage_stats"] != true || so["include_usage"] != true {
		t.Errorf("stream_options sent: %v", so)
	}
}
