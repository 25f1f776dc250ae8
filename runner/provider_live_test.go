package runner

// Tests against real endpoints, each skipped unless its variable is set:
// OLLAMA_HOST, OPENAI_API_KEY (with OPENAI_BASE_URL for another
// OpenAI-compatible server), ANTHROPIC_API_KEY, GEMINI_API_KEY. They send
// one tiny prompt each, to WHET_LIVE_OLLAMA_MODEL, WHET_LIVE_OPENAI_MODEL,
// … when set, else to a small model of the provider's (Ollama: llama3.2
// when pulled, else the smallest model it lists that is not for embeddings;
// another OpenAI-compatible server: the first model it lists). An Ollama
// reasoning model (qwen3, deepseek-r1) that thinks through the whole
// budget is asked again with thinking off.

import (
	"cmp"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"whet/config"
	"whet/prompt"
)

// ptLive sends one tiny chat to model and checks the answer and its
// record. A reasoning model may spend the whole budget thinking and answer
// nothing (finish reason length): it is then asked once more with noThink
// added to its params, when the provider has a way to turn thinking off.
func ptLive(t *testing.T, envVar string, p Provider, model string, noThink map[string]any) {
	t.Helper()
	if os.Getenv(envVar) == "" {
		t.Skipf("%s is not set", envVar)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	max := 64
	req := Request{
		Model: model,
		Messages: []prompt.Message{
			{Role: "system", Content: "Answer in one short sentence."},
			{Role: "user", Content: "Say hello."},
		},
		Params: prompt.Params{MaxTokens: &max},
	}
	var deltas int
	resp, err := p.Chat(ctx, req, func(string) { deltas++ })
	if err == nil && strings.TrimSpace(resp.Text) == "" && resp.FinishReason == "length" && noThink != nil {
		t.Logf("%s spent its %d tokens without an answer (thinking?): asked again with %v", model, max, noThink)
		req.Params.Extra = noThink
		deltas = 0
		resp, err = p.Chat(ctx, req, func(string) { deltas++ })
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", resp)
	if strings.TrimSpace(resp.Text) == "" || deltas == 0 {
		t.Fatalf("empty answer (%d deltas)", deltas)
	}
	if resp.TokensIn <= 0 || resp.TokensOut <= 0 || resp.Model == "" || resp.FinishReason == "" {
		t.Fatalf("incomplete record: %+v", resp)
	}
}

func TestLiveOllama(t *testing.T) {
	useLiveEnv(t)
	p, err := NewOllama(config.Provider{})
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("OLLAMA_HOST") == "" {
		t.Skip("OLLAMA_HOST is not set")
	}
	models := ptLiveModels(t, p)
	model := os.Getenv("WHET_LIVE_OLLAMA_MODEL")
	for _, m := range models {
		if model != "" {
			break
		}
		if strings.HasPrefix(m.Name, "llama3.2:") {
			model = m.Name
		}
	}
	if model == "" {
		// The smallest chat model: the quickest to load and to answer.
		var size int64
		for _, m := range models {
			if strings.Contains(m.Name, "embed") || strings.Contains(m.Family, "bert") {
				continue
			}
			if model == "" || m.Size < size {
				model, size = m.Name, m.Size
			}
		}
	}
	if model == "" {
		t.Skip("the Ollama server has no chat model: ollama pull llama3.2, or set WHET_LIVE_OLLAMA_MODEL")
	}
	ptLive(t, "OLLAMA_HOST", p, model, map[string]any{"think": false})
}

func TestLiveOpenAI(t *testing.T) {
	useLiveEnv(t)
	p, err := NewOpenAI(config.Provider{})
	if err != nil {
		t.Fatal(err)
	}
	model := cmp.Or(os.Getenv("WHET_LIVE_OPENAI_MODEL"), "gpt-4o-mini")
	if os.Getenv("OPENAI_API_KEY") != "" && os.Getenv("WHET_LIVE_OPENAI_MODEL") == "" && !strings.Contains(os.Getenv("OPENAI_BASE_URL"), "api.openai.com") && os.Getenv("OPENAI_BASE_URL") != "" {
		// Another OpenAI-compatible server: one of the models it serves.
		model = ptLiveModels(t, p)[0].Name
	}
	ptLive(t, "OPENAI_API_KEY", p, model, nil)
}

func TestLiveAnthropic(t *testing.T) {
	useLiveEnv(t)
	p, err := NewAnthropic(config.Provider{})
	if err != nil {
		t.Fatal(err)
	}
	ptLive(t, "ANTHROPIC_API_KEY", p, cmp.Or(os.Getenv("WHET_LIVE_ANTHROPIC_MODEL"), "claude-haiku-4-5"), nil)
	ptLiveModels(t, p)
}

// ptLiveModels checks that a live provider lists some models, and
// returns them.
func ptLiveModels(t *testing.T, l ModelLister) []ModelInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	models, err := l.ListModels(ctx)
	if err != nil || len(models) == 0 {
		t.Fatalf("ListModels: %d models, %v", len(models), err)
	}
	return models
}

func TestLiveGemini(t *testing.T) {
	useLiveEnv(t)
	p, err := NewGemini(config.Provider{})
	if err != nil {
		t.Fatal(err)
	}
	ptLive(t, "GEMINI_API_KEY", p, cmp.Or(os.Getenv("WHET_LIVE_GEMINI_MODEL"), "gemini-2.5-flash-lite"), nil)
	ptLiveModels(t, p)
}
