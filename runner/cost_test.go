package runner

import (
	"math"
	"slices"
	"strings"
	"testing"

	"whet/config"
)

func TestPriceCatalogueShipped(t *testing.T) {
	c, err := LoadPriceCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	required := map[string][]string{
		"openai":    {"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o3", "o4-mini", "gpt-5", "gpt-5-mini"},
		"anthropic": {"claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"},
		"gemini":    {"gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.5-flash-lite"},
		"groq":      {"llama-3.1-8b-instant"},
	}
	for sec, models := range required {
		for _, m := range models {
			p, ok := c[sec][m]
			if !ok {
				t.Errorf("catalogue lacks %s %s", sec, m)
				continue
			}
			if p.Input <= 0 || p.Output <= 0 {
				t.Errorf("%s %s has a zero price", sec, m)
			}
		}
	}
}

func TestParsePriceCatalogueErrors(t *testing.T) {
	for name, data := range map[string]string{
		"unknown field": "openai:\n  gpt-4o: {input: 1, outptu: 2}\n",
		"negative":      "openai:\n  gpt-4o: {input: -1, output: 2}\n",
		"not a map":     "openai: [1, 2]\n",
	} {
		if _, err := ParsePriceCatalogue("p.yaml", []byte(data)); err == nil || !strings.Contains(err.Error(), "p.yaml") {
			t.Errorf("%s: got %v, want an error naming the file", name, err)
		}
	}
}

func TestPriceLookup(t *testing.T) {
	c := PriceCatalogue{"openai": {
		"gpt-4o":      {Input: 2.5, Output: 10},
		"gpt-4o-mini": {Input: 0.15, Output: 0.6},
		"o3":          {Input: 2, Output: 8},
	}, "anthropic": {"claude-sonnet-4-5": {Input: 3, Output: 15}, "claude-3-5-haiku": {Input: 0.8, Output: 4}}, "gemini": {"gemini-2.0-flash": {Input: 0.1, Output: 0.4}}}
	cases := []struct {
		sec, model string
		want       float64 // input price; 0 = not found
	}{
		{"openai", "gpt-4o", 2.5},
		{"openai", "gpt-4o-mini", 0.15},
		{"openai", "gpt-4o-mini-2024-07-18", 0.15},
		{"openai", "gpt-4o-2024-08-06", 2.5},
		{"openai", "o3-2025-04-16", 2},
		{"openai", "o3-pro", 0},
		{"openai", "gpt-4o-audio-preview", 0},
		{"anthropic", "claude-sonnet-4-5-20250929", 3},
		{"anthropic", "claude-sonnet-4-5@20250929", 3},
		{"anthropic", "claude-3-5-haiku-latest", 0.8},
		{"gemini", "gemini-2.0-flash-001", 0.1},
		{"openai", "claude-sonnet-4-5", 0},
		{"nope", "gpt-4o", 0},
	}
	for _, c2 := range cases {
		p, ok := c.Lookup(c2.sec, c2.model)
		if ok != (c2.want != 0) || p.Input != c2.want {
			t.Errorf("Lookup(%s, %s) = %v %v, want %v", c2.sec, c2.model, p, ok, c2.want)
		}
	}
}

func TestRegistryPrice(t *testing.T) {
	r := NewRegistry(config.Config{Providers: map[string]config.Provider{
		"openai": {Prices: map[string]config.Price{"gpt-4o": {Input: 1, Output: 2}}},
		"groq":   {Type: "openai", BaseURL: "https://api.groq.com/openai/v1"},
		"proxy":  {Type: "openai", BaseURL: "https://proxy.example.org/v1"},
		"box":    {Type: "ollama"},
		"lms":    {Type: "openai", BaseURL: "http://localhost:1234/v1"},
		"vllm":   {Type: "openai", BaseURL: "http://127.0.0.1:8000/v1"},
		"llama6": {Type: "openai", BaseURL: "http://[::1]:8080/v1"},
		"lan":    {Type: "openai", BaseURL: "http://192.168.1.20:8000/v1"},
		"any":    {Type: "openai", BaseURL: "http://0.0.0.0:8000/v1"},
		// Named otherwise, priced by the API they call.
		"xai-eu-west-1": {Type: "openai", BaseURL: "https://eu-west-1.api.x.ai/v1"},
		"fast":          {Type: "openai", BaseURL: "https://API.groq.com/openai/v1/"},
	}})
	cases := []struct {
		spec   string
		in     float64
		out    float64
		priced bool
	}{
		{"openai:gpt-4o", 1, 2, true},            // config override
		{"openai:gpt-4o-2024-08-06", 1, 2, true}, // override by dated variant
		{"openai:gpt-4o-mini-2024-07-18", 0.15, 0.6, true},
		{"groq:llama-3.1-8b-instant", 0.05, 0.08, true}, // section named after the provider
		{"proxy:gpt-4.1-mini", 0.4, 1.6, true},          // section of its type
		{"proxy:my-finetune", 0, 0, false},
		{"anthropic:claude-haiku-4-5-20251001", 1, 5, true},
		{"gemini:gemini-2.5-flash", 0.3, 2.5, true},
		{"gemini:models/gemini-2.5-flash", 0.3, 2.5, true}, // the API's resource name
		{"gemini:gemini-3.1-pro-preview", 2, 12, true},
		{"ollama:llama3.2:3b", 0, 0, true},
		{"box:qwen2.5", 0, 0, true},
		{"echo", 0, 0, true},
		// A server on this machine runs a local model, free unless the
		// catalogue knows the model (a local proxy to a hosted one).
		{"lms:qwen2.5-7b-instruct", 0, 0, true},
		{"vllm:meta-llama/Llama-3.1-8B-Instruct", 0, 0, true},
		{"llama6:gemma-3-4b", 0, 0, true},
		{"any:Qwen/Qwen2.5-7B-Instruct", 0, 0, true}, // as vLLM prints its address
		{"vllm:gpt-4.1-mini", 0.4, 1.6, true},
		{"lan:qwen2.5-7b-instruct", 0, 0, false}, // another machine may bill
		{"xai-eu-west-1:grok-4.3", 1.25, 2.5, true},
		{"fast:llama-3.1-8b-instant", 0.05, 0.08, true},
		// Groq's model of that name is not OpenAI's: no openai price.
		{"fast:gpt-4.1-mini", 0, 0, false},
	}
	for _, c := range cases {
		tg, err := r.Resolve(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		p, ok := r.Price(tg)
		if ok != c.priced || p.Input != c.in || p.Output != c.out {
			t.Errorf("Price(%s) = %+v %v, want {%v %v} %v", c.spec, p, ok, c.in, c.out, c.priced)
		}
	}
	var specs, want []string
	for _, c := range cases {
		specs = append(specs, c.spec)
		if !c.priced {
			want = append(want, c.spec)
		}
	}
	specs = append(specs, "nosuch:model") // no longer resolves: left out
	if got := Unpriced(r, specs); !slices.Equal(got, want) {
		t.Errorf("Unpriced = %v, want %v", got, want)
	}
	if got := Unpriced(nil, specs); got != nil {
		t.Errorf("Unpriced(nil) = %v", got)
	}
	// Billed: any target priced above 0, or unpriced, or unknown.
	for _, c := range []struct {
		specs []string
		want  bool
	}{
		{[]string{"ollama:llama3.2:3b", "echo", "lms:qwen2.5-7b-instruct", "box:qwen2.5"}, false},
		{[]string{"echo", "openai:gpt-4o"}, true},
		{[]string{"echo", "proxy:my-finetune"}, true}, // unpriced: not known to be free
		{[]string{"echo", "nosuch:model"}, true},
		{nil, false},
	} {
		if got := Billed(r, c.specs); got != c.want {
			t.Errorf("Billed(%v) = %v, want %v", c.specs, got, c.want)
		}
	}
	if !Billed(nil, []string{"echo"}) {
		t.Error("Billed(nil registry) says free: nothing says it is")
	}
}

func TestCost(t *testing.T) {
	p := config.Price{Input: 2.5, Output: 10}
	if got := Cost(p, 1000, 500); math.Abs(got-0.0075) > 1e-12 {
		t.Fatalf("Cost = %v, want 0.0075", got)
	}
	if Cost(config.Price{}, 1e6, 1e6) != 0 {
		t.Fatal("free model costs something")
	}
}

// TestPriceSectionsHaveHosts: every section of the shipped catalogue that
// is not a built-in type is found by its API's host, so a provider of any
// name calling it is priced.
func TestPriceSectionsHaveHosts(t *testing.T) {
	c, err := LoadPriceCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, h := range costHosts() {
		sec, ok := costSection("https://" + h.host + "/v1")
		if !ok || sec != h.section {
			t.Errorf("%s: section %q %v", h.host, sec, ok)
		}
		known[sec] = true
	}
	for sec := range c {
		if !known[sec] {
			t.Errorf("catalogue section %s has no API host in costHosts", sec)
		}
	}
}

// TestPriceFollowsOPENAIBaseURL: the built-in openai provider pointed at
// another vendor's API by OPENAI_BASE_URL is priced as that vendor.
func TestPriceFollowsOPENAIBaseURL(t *testing.T) {
	t.Setenv("OPENAI_BASE_URL", "https://api.groq.com/openai/v1")
	r := NewRegistry(config.Config{})
	tg, err := r.Resolve("openai:llama-3.1-8b-instant")
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := r.Price(tg); !ok || p != (config.Price{Input: 0.05, Output: 0.08}) {
		t.Errorf("Price = %+v %v, want Groq's", p, ok)
	}
}
