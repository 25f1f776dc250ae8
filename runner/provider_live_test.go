package runner

// Tests against real endpoints, each skipped unless its variable is set:
// OLLAMA_HOST (and WHET_LIVE_OLLAMA_MODEL, default llama3.2), OPENAI_API_KEY,
// ANTHROPIC_API_KEY, GEMINI_API_KEY. They send one tiny prompt each.

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"whet/config"
	"whet/prompt"
)

func ptLive(t *testing.T, envVar string, p Provider, model string) {
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
	p, err := NewOllama(config.Provider{})
	if err != nil {
		t.Fatal(err)
	}
	model := os.Getenv("WHET_LIVE_OLLAMA_MODEL")
	if model == "" {
		model = "llama3.2"
	}
	ptLive(t, "OLLAMA_HOST", p, model)
	models, err := p.ListModels(context.Background())
	if err != nil || len(models) == 0 {
		t.Fatalf("ListModels: %d models, %v", len(models), err)
	}
}

func TestLiveOpenAI(t *testing.T) {
	p, err := NewOpenAI(config.Provider{})
	if err != nil {
		t.Fatal(err)
	}
	ptLive(t, "OPENAI_API_KEY", p, "gpt-4o-mini")
}

func TestLiveAnthropic(t *testing.T) {
	p, err := NewAnthropic(config.Provider{})
	if err != nil {
		t.Fatal(err)
	}
	ptLive(t, "ANTHROPIC_API_KEY", p, "claude-haiku-4-5")
	ptLiveModels(t, p)
}

// ptLiveModels checks that a live provider lists some models.
func ptLiveModels(t *testing.T, l ModelLister) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	models, err := l.ListModels(ctx)
	if err != nil || len(models) == 0 {
		t.Fatalf("ListModels: %d models, %v", len(models), err)
	}
}

func TestLiveGemini(t *testing.T) {
	p, err := NewGemini(config.Provider{})
	if err != nil {
		t.Fatal(err)
	}
	ptLive(t, "GEMINI_API_KEY", p, "gemini-2.5-flash-lite")
	ptLiveModels(t, p)
}
