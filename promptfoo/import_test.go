package promptfoo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"whet/eval"
	"whet/prompt"
)

func user(s string) []prompt.Message { return []prompt.Message{{Role: prompt.RoleUser, Content: s}} }

func fp(v float64) *float64 { return &v }
func ip(v int) *int         { return &v }

func params(temp float64, maxTokens int) prompt.Params {
	p := prompt.Params{Temperature: fp(temp)}
	if maxTokens > 0 {
		p.MaxTokens = ip(maxTokens)
	}
	return p
}

// openaiMax is p with max_tokens n for OpenAI-type providers only, as an
// import sets a param only the OpenAI-type providers give.
func openaiMax(p prompt.Params, n int) prompt.Params {
	p.Extra = map[string]any{"openai.max_tokens": n}
	return p
}

// sameResult fails the test with both results as JSON when they differ.
func sameResult(t *testing.T, got, want Result) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	g, _ := json.MarshalIndent(got, "", "  ")
	w, _ := json.MarshalIndent(want, "", "  ")
	gl, wl := strings.Split(string(g), "\n"), strings.Split(string(w), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var a, b string
		if i < len(gl) {
			a = gl[i]
		}
		if i < len(wl) {
			b = wl[i]
		}
		if a != b {
			t.Fatalf("results differ at line %d of their JSON:\n got: %s\nwant: %s\n\ngot:\n%s", i+1, a, b, g)
		}
	}
	t.Fatalf("results differ (in a way JSON does not show):\n%#v\n%#v", got, want)
}

func TestImportGettingStarted(t *testing.T) {
	cfg := "testdata/getting-started/promptfooconfig.yaml"
	got, err := Import(cfg, os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	topic := map[string]string{"topic": "bananas"}
	want := Result{
		Prompts: []prompt.File{
			{Name: "getting-started/prompt-1", Messages: user("Write a tweet about {{topic}}"), Vars: topic},
			{Name: "getting-started/prompt-2", Messages: user("Write a concise, funny tweet about {{topic}}"), Vars: topic},
		},
		Targets: []string{"openai:gpt-4o-mini", "openai:gpt-4o"},
		Suite: prompt.Suite{
			Name:        "getting-started",
			Description: "My eval",
			Cases: []prompt.Case{
				{Vars: map[string]string{"topic": "bananas"}},
				{Vars: map[string]string{"topic": "avocado toast"}, Checks: []prompt.Check{{Type: "icontains", Value: "avocado"}}},
				{Vars: map[string]string{"topic": "new york city"}, Checks: []prompt.Check{{Type: "llm-rubric", Value: "ensure that the output is funny"}}},
			},
		},
		Unsupported: []Issue{
			{File: cfg, Line: 24, What: `test 2: assert 2: type "javascript" is not supported by whet (whet runs no code): not imported; the case keeps its other checks`},
		},
	}
	sameResult(t, got, want)
}

func TestImportSupport(t *testing.T) {
	cfg := "testdata/support/promptfooconfig.yaml"
	csvFile := "testdata/support/tests.csv"
	got, err := Import(cfg, os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	sample := map[string]string{"company": "Acme", "customer": "Bo", "question": "I want a refund"}
	want := Result{
		Prompts: []prompt.File{
			{
				Name: "support/friendly-reply", Description: "Friendly reply",
				Messages: user("You are a support agent for {{company}}.\n\nCustomer {{customer}} asks: {{ question }}"),
				Params:   openaiMax(params(0.2, 0), 300), Vars: sample,
			},
			{
				Name: "support/chat",
				Messages: []prompt.Message{
					{Role: "system", Content: "You are a support agent for {{ company }}. Be brief."},
					{Role: "user", Content: "{{question}}"},
				},
				Params: openaiMax(params(0.2, 0), 300), Vars: map[string]string{"company": "Acme", "question": "I want a refund"},
			},
		},
		Targets:   []string{"ollama:llama3.2", "lm-studio:qwen2.5-7b-instruct", "echo"},
		Providers: []ProviderHint{{Name: "lm-studio", Type: "openai", BaseURL: "http://localhost:1234/v1"}},
		Suite: prompt.Suite{
			Name:        "support",
			Description: "Support replies",
			Checks: []prompt.Check{
				{Type: "not-icontains", Value: "as an ai"},
				{Type: "llm-rubric", Value: "Is polite and offers a next step", Provider: "openai:gpt-4o"},
			},
			Cases: []prompt.Case{
				{
					Description: "refund request", Vars: sample,
					Checks: []prompt.Check{{Type: "contains", Value: "refund"}},
				},
				{
					Vars: map[string]string{"company": "Acme", "customer": "Ana", "question": "Where is my order?"},
					Checks: []prompt.Check{
						{Type: "icontains-any", Value: "tracking, shipped"},
						{Type: "similar", Value: "Your order is on its way", Threshold: fp(0.7)},
					},
				},
				{
					Vars:   map[string]string{"company": "Acme", "customer": "Cy", "question": "Hello"},
					Checks: []prompt.Check{{Type: "equals", Value: "Hello there!"}},
				},
			},
		},
		Unsupported: []Issue{
			{File: cfg, Line: 6, What: `prompt 3 is not imported: it uses the Nunjucks expression {{ product | upper }} (whet templates have {{ variable }} only)`},
			{File: cfg, Line: 18, What: `provider openai:chat:qwen2.5-7b-instruct: config.apiKey is not imported: whet never stores keys; put the key in an environment variable and name it in api_key_env`},
			{File: cfg, Line: 19, What: `provider "bedrock:anthropic.claude-3-haiku-20240307-v1:0" is not supported by whet (whet calls Ollama, OpenAI, Anthropic, Gemini, Azure OpenAI and OpenAI-compatible endpoints; configure such an endpoint as an openai-type provider): it is not among the targets`},
			{File: cfg, Line: 20, What: `provider echo: whet's echo answers with each message as "role: content" ("user: " before a one-message prompt's text), where promptfoo's answers with the prompt's text alone, so a check on the whole answer or its start (equals, similar here) can grade it differently`},
			{File: csvFile, Line: 2, What: `row 1 ("refund request"): __expected2: type "javascript" is not supported by whet (whet runs no code): not imported; the case keeps its other checks`},
		},
	}
	sameResult(t, got, want)

	// The API key in the config is in no part of the result.
	b, _ := json.Marshal(got)
	if strings.Contains(string(b), "sk-not-a-real-key") {
		t.Error("the config's apiKey leaked into the result")
	}
}

func TestImportMixed(t *testing.T) {
	dir := "testdata/mixed/"
	cfg := dir + "promptfooconfig.yaml"
	got, err := Import(cfg, os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	latency := prompt.Check{Type: "latency", Threshold: fp(5000)}
	cost := prompt.Check{Type: "cost", Threshold: fp(0.01)}
	sample := map[string]string{"language": "Spanish", "text": "Good morning"}
	inline := func(lang string) prompt.Case {
		return prompt.Case{
			Description: "inline", Vars: map[string]string{"language": lang, "text": "Hello"},
			Checks: []prompt.Check{{Type: "equals", Value: "Bonjour"}}, Threshold: fp(0.6),
		}
	}
	// Gemini and Ollama set temperature differently, Anthropic not at
	// all: each kind of provider gets its own.
	perKind := prompt.Params{Extra: map[string]any{"gemini.temperature": 0.7, "gemini.top_k": float64(40), "ollama.temperature": 0.1}}
	want := Result{
		Prompts: []prompt.File{
			{Name: "mixed/translations-1", Description: "Translations", Messages: user("Translate to {{language}}: {{text}}"), Vars: sample, Params: perKind},
			{Name: "mixed/translations-2", Description: "Translations", Messages: user("Translate this into {{ language }}, formally:\n\n{{text}}"), Vars: sample, Params: perKind},
		},
		Targets: []string{"anthropic:claude-sonnet-4-5", "gemini:gemini-2.5-flash", "ollama:llama3.2:3b"},
		Suite: prompt.Suite{
			Name: "mixed", Description: "Mixed shapes",
			Checks:    []prompt.Check{latency, cost},
			Threshold: fp(0.75),
			Cases: []prompt.Case{
				{
					Description: "polite", Vars: sample,
					Checks: []prompt.Check{
						{Type: "icontains-all", Value: []any{"hola", "buenos"}, Weight: 2, Metric: "greeting"},
						{Type: "llm-rubric", Value: "The reply greets the user in Spanish.", Provider: "ollama:llama3.2"},
						{Type: "similar", Value: "Buenos días", Threshold: fp(0.8), Provider: "openai:text-embedding-3-small"},
					},
				},
				{
					Vars: map[string]string{"language": "Italian", "text": "Good morning"},
					Checks: []prompt.Check{
						{Type: "contains-json", Value: map[string]any{"type": "object", "required": []any{"translation"}}},
						{Type: "word-count", Value: map[string]any{"min": float64(2), "max": float64(40)}},
					},
				},
				{
					Vars:   map[string]string{"language": "Dutch", "text": "Good morning"},
					Checks: []prompt.Check{{Type: "not-starts-with", Value: "Sorry"}},
				},
				{Vars: map[string]string{"language": "Polish", "text": "A long text\nwith two lines"}},
				inline("French"),
				inline("German"),
			},
		},
		Unsupported: []Issue{
			{File: dir + "default.yaml", Line: 8, What: `defaultTest: threshold 0.75 is imported as whet's, which a case reaches only when every check passes too (promptfoo passes a test whose score reaches it even with failing asserts)`},
			{File: dir + "more.jsonl", Line: 3, What: `test 4: assert 1: type "python" is not supported by whet (whet runs no code): not imported; the case keeps its other checks`},
			{File: cfg, Line: 15, What: `provider ollama:llama3.2:3b: prompts (["Translations"]) is not imported: whet runs every target on every prompt of a run`},
			{File: cfg, Line: 16, What: `provider "openai:embeddings:text-embedding-3-small" is not supported by whet (an embedding model is not a chat target): it is not among the targets`},
			{File: cfg, Line: 17, What: `provider "exec: python provider.py" is not supported by whet (it is code of your own, which whet does not run; whet calls Ollama, OpenAI, Anthropic, Gemini, Azure OpenAI and OpenAI-compatible endpoints: a model your code calls can be a target of its own): it is not among the targets`},
			{File: cfg, Line: 18, What: `provider "file://custom_provider.py" is not supported by whet (it is code of your own, which whet does not run; whet calls Ollama, OpenAI, Anthropic, Gemini, Azure OpenAI and OpenAI-compatible endpoints: a model your code calls can be a target of its own): it is not among the targets`},
			{File: cfg, Line: 32, What: `test 5 ("inline"): assert 2: type "rouge-n" is not supported by whet: not imported; the case keeps its other checks`},
			{File: cfg, Line: 34, What: `test 5 ("inline"): threshold 0.6 is imported as whet's, which a case reaches only when every check passes too (promptfoo passes a test whose score reaches it even with failing asserts)`},
			{File: cfg, Line: 35, What: `test 5 ("inline"): metadata is not imported`},
			{File: cfg, Line: 41, What: `evaluateOptions.delay is not imported: whet has no equivalent`},
			{File: dir + "prompts/vip.md", Line: 2, Col: 1, What: `prompt "VIP" is not imported: it uses the Nunjucks tag {% if vip %} (whet templates have {{ variable }} only)`},
			{File: dir + "prompts/vip.md", Line: 2, Col: 30, What: `prompt "VIP" is not imported: it uses the Nunjucks tag {% endif %} (whet templates have {{ variable }} only)`},
			{File: dir + "tests.yaml", Line: 11, What: `test 1 ("polite"): assert 2 (llm-rubric): only the provider's id is imported, not its options`},
			{File: dir + "tests.yaml", Line: 15, What: `test 1 ("polite"): assert 3: type "assert-set" is not supported by whet (whet has no assert sets; list their asserts one by one): not imported; the case keeps its other checks`},
			{File: dir + "tests.yaml", Line: 23, What: `test 1 ("polite"): assert 4 (similar): transform is not imported (whet runs no JavaScript): the check grades the output as the model gave it`},
			{File: dir + "tests.yaml", Line: 33, What: `test 2: assert 2 (word-count): weight 0 (shown but not scored) is imported as weight 1`},
		},
		Repeat:  3,
		Jobs:    4,
		Outputs: []string{"results.json"},
	}
	sameResult(t, got, want)
}

// memFS is a readFile over a map; anything else is fs.ErrNotExist.
func memFS(files map[string]string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		if s, ok := files[name]; ok {
			return []byte(s), nil
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
}

func TestImportSmallShapes(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		check func(t *testing.T, r Result)
	}{
		{
			name: "no prompts: promptfoo's {{prompt}} passthrough; no tests: defaultTest's vars",
			files: map[string]string{"p/promptfooconfig.yaml": `
providers: [echo]
defaultTest:
  vars: {prompt: Hello}
`},
			check: func(t *testing.T, r Result) {
				want := Result{
					Prompts: []prompt.File{{Name: "p/prompt", Messages: user("{{prompt}}"), Vars: map[string]string{"prompt": "Hello"}}},
					Targets: []string{"echo"},
					Suite:   prompt.Suite{Name: "p", Prompt: "p/prompt", Cases: []prompt.Case{{Vars: map[string]string{"prompt": "Hello"}}}},
				}
				sameResult(t, r, want)
			},
		},
		{
			name: "provider forms: map of ids, single-key objects, apiHost, apiKeyEnvar, hint names",
			files: map[string]string{
				"evals.yaml": `
prompts: ['[{"role": "system", "content": "Be {{tone}}"}, {"role": "user", "content": "{{q}}"}]']
providers:
  - openai:chat:gpt-4o-mini:
      config: {apiHost: api.groq.example, apiKeyEnvar: GROQ_API_KEY, temperature: 0}
  - id: openai:gpt-4o
    label: openai
    config: {apiBaseUrl: "http://127.0.0.1:8000/v1", stop: ["\n\n"]}
  - id: anthropic:messages:claude-haiku-4-5
    config: {apiBaseUrl: "http://127.0.0.1:9000", max_tokens: 100}
  - id: openai:o3
    config: {apiBaseUrl: "not a url"}
  - file://more-providers.yaml
tests:
  - vars: {tone: terse, q: hi}
`,
				"more-providers.yaml": "- ollama:completion:phi4\n- id: openai:chat:gpt-4o\n  config: {apiBaseUrl: 'http://127.0.0.1:8000/v1', stop: [\"\\n\\n\"]}\n",
			},
			check: func(t *testing.T, r Result) {
				wantTargets := []string{"api.groq.example:gpt-4o-mini", "openai-2:gpt-4o", "127.0.0.1-9000:claude-haiku-4-5", "ollama:phi4"}
				if !reflect.DeepEqual(r.Targets, wantTargets) {
					t.Errorf("targets = %q, want %q", r.Targets, wantTargets)
				}
				wantHints := []ProviderHint{
					{Name: "api.groq.example", Type: "openai", BaseURL: "https://api.groq.example/v1", APIKeyEnv: "GROQ_API_KEY"},
					{Name: "openai-2", Type: "openai", BaseURL: "http://127.0.0.1:8000/v1"},
					{Name: "127.0.0.1-9000", Type: "anthropic", BaseURL: "http://127.0.0.1:9000"},
				}
				if !reflect.DeepEqual(r.Providers, wantHints) {
					t.Errorf("hints = %+v, want %+v", r.Providers, wantHints)
				}
				if len(r.Prompts) != 1 || r.Prompts[0].Name != "evals/prompt-1" ||
					!reflect.DeepEqual(r.Prompts[0].Messages, []prompt.Message{{Role: "system", Content: "Be {{tone}}"}, {Role: "user", Content: "{{q}}"}}) {
					t.Errorf("inline chat prompt = %+v", r.Prompts)
				}
				// temperature (one provider) and stop (two agreeing) apply to
				// every target, which is reported, since other OpenAI-type
				// providers do not set them; max_tokens, set by the only
				// Anthropic provider, goes to Anthropic providers only.
				p := r.Prompts[0].Params
				if p.Temperature == nil || *p.Temperature != 0 || p.MaxTokens != nil || !reflect.DeepEqual(p.Stop, []string{"\n\n"}) ||
					!reflect.DeepEqual(p.Extra, map[string]any{"anthropic.max_tokens": 100}) {
					t.Errorf("params = %+v", p)
				}
				wantIssues := []Issue{
					{File: "evals.yaml", Line: 5, What: `provider openai:chat:gpt-4o-mini sets temperature 0 and openai:gpt-4o, anthropic:messages:claude-haiku-4-5, ollama:completion:phi4, openai:chat:gpt-4o do not: whet keeps params on the prompt, so every target gets temperature 0`},
					{File: "evals.yaml", Line: 8, What: `provider openai:gpt-4o sets stop ["\n\n"] and openai:chat:gpt-4o-mini, anthropic:messages:claude-haiku-4-5, ollama:completion:phi4 do not: whet keeps params on the prompt, so every target gets stop ["\n\n"]`},
					{File: "evals.yaml", Line: 12, What: `provider openai:o3: apiBaseUrl "not a url" is not an http(s) URL: not imported`},
					// promptfoo's completion provider is sent the chat as JSON text.
					{File: "more-providers.yaml", Line: 1, What: `provider ollama:completion:phi4: promptfoo calls it through Ollama's /api/generate with a prompt's text, so it is sent a chat prompt (evals/prompt-1) as that chat's JSON text; whet sends the messages, as promptfoo's ollama:chat:phi4 does`},
					// promptfoo runs the same model twice, as two columns.
					{File: "more-providers.yaml", Line: 2, What: `provider openai:chat:gpt-4o is the same target as openai:gpt-4o (openai), openai-2:gpt-4o, once what whet does not import of them is left out: whet runs it once`},
				}
				if !reflect.DeepEqual(r.Unsupported, wantIssues) {
					t.Errorf("issues = %+v, want %+v", r.Unsupported, wantIssues)
				}
			},
		},
		{
			// promptfoo's OpenAI provider (getApiUrl) calls https://APIHOST/v1
			// when config sets both apiHost and apiBaseUrl, in either order.
			name: "apiHost wins over apiBaseUrl",
			files: map[string]string{
				"evals.yaml": `
prompts: ['{{q}}']
providers:
  - id: openai:chat:m1
    config: {apiBaseUrl: "http://127.0.0.1:8000/v1", apiHost: gw.example}
  - id: openai:chat:m2
    config:
      apiHost: gw2.example
      apiBaseUrl: "http://127.0.0.1:8001/v1"
tests:
  - vars: {q: hi}
`,
			},
			check: func(t *testing.T, r Result) {
				wantHints := []ProviderHint{
					{Name: "gw.example", Type: "openai", BaseURL: "https://gw.example/v1"},
					{Name: "gw2.example", Type: "openai", BaseURL: "https://gw2.example/v1"},
				}
				if !reflect.DeepEqual(r.Providers, wantHints) {
					t.Errorf("hints = %+v, want %+v", r.Providers, wantHints)
				}
				wantIssues := []Issue{
					{File: "evals.yaml", Line: 5, What: "provider openai:chat:m1: config.apiBaseUrl is not imported: promptfoo calls its apiHost instead, as whet will"},
					{File: "evals.yaml", Line: 9, What: "provider openai:chat:m2: config.apiBaseUrl is not imported: promptfoo calls its apiHost instead, as whet will"},
				}
				if !reflect.DeepEqual(r.Unsupported, wantIssues) {
					t.Errorf("issues = %+v, want %+v", r.Unsupported, wantIssues)
				}
			},
		},
		{
			// promptfoo's Azure provider (getApiBaseUrl) calls apiBaseUrl when
			// config sets both it and apiHost, in either order.
			name: "azure: apiBaseUrl wins over apiHost",
			files: map[string]string{
				"evals.yaml": `
prompts: ['{{q}}']
providers:
  - id: azure:chat:d1
    config: {apiBaseUrl: "https://base-one.example", apiHost: host-one.example, apiVersion: 2024-10-21}
  - id: azure:chat:d2
    config:
      apiHost: host-two.example
      apiBaseUrl: "https://base-two.example"
      apiVersion: 2024-10-21
tests:
  - vars: {q: hi}
`,
			},
			check: func(t *testing.T, r Result) {
				var got []string
				for _, h := range r.Providers {
					got = append(got, h.BaseURL)
				}
				if want := []string{"https://base-one.example", "https://base-two.example"}; !reflect.DeepEqual(got, want) {
					t.Errorf("base URLs = %q, want %q (hints %+v)", got, want, r.Providers)
				}
			},
		},
		{
			name: "CSV __expected forms, __threshold, __metric, other special columns",
			files: map[string]string{
				"c/promptfooconfig.yaml": "prompts: ['{{q}}']\nproviders: [echo]\ntests: file://t.csv\n",
				"c/t.csv": "q,__expected,__expected2,__threshold,__metric,__prefix\n" +
					"a,\"contains-all: x, y ,z\",not-regex:^\\d+$,0.5,acc,\n" +
					"b,grade: is kind,is-json,,,Say:\n" +
					"c,levenshtein(3):abc,rouge-n(0.5):abc,2,,\n",
			},
			check: func(t *testing.T, r Result) {
				want := []prompt.Case{
					{Vars: map[string]string{"q": "a"}, Threshold: fp(0.5), Checks: []prompt.Check{
						{Type: "contains-all", Value: "x, y ,z", Metric: "acc"},
						{Type: "not-regex", Value: `^\d+$`, Metric: "acc"},
					}},
					{Vars: map[string]string{"q": "b"}, Checks: []prompt.Check{{Type: "llm-rubric", Value: "is kind"}, {Type: "is-json"}}},
					{Vars: map[string]string{"q": "c"}, Checks: []prompt.Check{{Type: "levenshtein", Value: "abc", Threshold: fp(3)}}},
				}
				if !reflect.DeepEqual(r.Suite.Cases, want) {
					t.Errorf("cases =\n%+v\nwant\n%+v", r.Suite.Cases, want)
				}
				wantIssues := []Issue{
					{File: "c/promptfooconfig.yaml", Line: 2, What: `provider echo: whet's echo answers with each message as "role: content" ("user: " before a one-message prompt's text), where promptfoo's answers with the prompt's text alone, so a check on the whole answer or its start (is-json, levenshtein, regex here) can grade it differently`},
					{File: "c/t.csv", Line: 2, What: `row 1: threshold 0.5 is imported as whet's, which a case reaches only when every check passes too (promptfoo passes a test whose score reaches it even with failing asserts)`},
					{File: "c/t.csv", Line: 3, What: `row 2: column __prefix is not imported`},
					{File: "c/t.csv", Line: 4, What: `row 3: threshold 2 is not a score in 0..1: not imported`},
					{File: "c/t.csv", Line: 4, What: `row 3: __expected2: type "rouge-n" is not supported by whet: not imported; the case keeps its other checks`},
				}
				if !reflect.DeepEqual(r.Unsupported, wantIssues) {
					t.Errorf("issues =\n%+v\nwant\n%+v", r.Unsupported, wantIssues)
				}
			},
		},
		{
			name: "unknown top-level keys and test sources are reported",
			files: map[string]string{"x.yaml": `
prompts: [hi]
nunjucksFilters: {up: ./up.js}
scenarios: []
tests:
  - huggingface://datasets/cais/mmlu
  - file://gen.py:make
  - file://cases/*.yaml
  - path: file://generate_tests.py:create_tests
    config: {dataset: validation}
`},
			check: func(t *testing.T, r Result) {
				got := issueLines(r)
				want := []string{
					"x.yaml:3: nunjucksFilters is not imported: whet has no equivalent",
					"x.yaml:6: tests huggingface://datasets/cais/mmlu are not imported: whet reads test files (file://…csv, .yaml, .json, .jsonl)",
					"x.yaml:7: tests file://gen.py:make are not imported: whet reads .csv, .yaml, .json and .jsonl test files and runs no code",
					"x.yaml:8: tests file://cases/*.yaml: not imported: globs are not read here; list the files",
					"x.yaml:9: tests file://generate_tests.py:create_tests are not imported: whet runs no code to generate tests",
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("issues =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var cfg string
			for name := range tc.files {
				if strings.HasSuffix(name, "promptfooconfig.yaml") || name == "evals.yaml" || name == "x.yaml" {
					cfg = name
				}
			}
			r, err := Import(cfg, memFS(tc.files))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, r)
		})
	}
}

func TestImportErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"config missing", map[string]string{}, "promptfoo config c.yaml: open c.yaml: file does not exist"},
		{"bad YAML", map[string]string{"c.yaml": "prompts: [\n  - a\n"}, "c.yaml:"},
		{"not a mapping", map[string]string{"c.yaml": "- a\n"}, "c.yaml:1: a promptfoo config is a mapping"},
		{"prompt file missing", map[string]string{"c.yaml": "prompts:\n  - file://nope.txt\n"}, "c.yaml:2: prompt file://nope.txt: open nope.txt: file does not exist"},
		{"brace alternatives", map[string]string{"c.yaml": "prompts:\n  - file://p/{a,b}.txt\n", "p/a.txt": "A", "p/b.txt": "B"}, "c.yaml:2: prompt file://p/{a,b}.txt: open p/{a,b}.txt: file does not exist ({a,b} alternatives are not supported: list each file, or use a * glob)"},
		{"tests file missing", map[string]string{"c.yaml": "prompts: [a]\ntests: file://t.csv\n"}, "c.yaml:2: tests file://t.csv: open t.csv"},
		{"CSV row", map[string]string{"c.yaml": "tests: file://t.csv\n", "t.csv": "a,b\n1,2\n3\n"}, "t.csv:3: row has 1 fields, the header has 2"},
		{"tests YAML", map[string]string{"c.yaml": "tests: file://t.yaml\n", "t.yaml": "- vars: {a: [}\n"}, "t.yaml:1"},
		{"JSONL", map[string]string{"c.yaml": "tests: file://t.jsonl\n", "t.jsonl": "{}\nnope\n"}, "t.jsonl:2: not a JSON test object"},
		{"var file", map[string]string{"c.yaml": "tests:\n  - vars:\n      doc: file://doc.txt\n"}, "c.yaml:3: var doc file://doc.txt"},
		{"alias bomb", map[string]string{"c.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"}, "c.yaml:7:8: the aliases (*f) expand to more than 1000000 values"},
		{"too many cases", map[string]string{"c.yaml": "tests:\n  - vars:\n      a: [" + strings.Repeat("x,", 200) + "x]\n      b: [" + strings.Repeat("y,", 200) + "y]\n"}, "more than 10000 cases"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Import("c.yaml", memFS(tc.files))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// A JavaScript config (module.exports = {...}, as a config that builds
// its schema in code is written) is refused as code, naming the file, not
// read as YAML that fails at its first line.
func TestImportJavaScriptConfig(t *testing.T) {
	for _, name := range []string{"promptfooconfig.js", "promptfooconfig.cjs", "eval.config.ts"} {
		_, err := Import(name, memFS(map[string]string{
			name: "const schema = require('./schema.json');\nmodule.exports = {prompts: ['{{q}}'], providers: ['openai:gpt-4o-mini']};\n",
		}))
		want := name + ": a JavaScript or TypeScript config is code, and whet runs none: write it as promptfooconfig.yaml (or .json) and import that"
		if err == nil || err.Error() != want {
			t.Errorf("%s: err = %v, want %q", name, err, want)
		}
	}
}

func TestMapTarget(t *testing.T) {
	tests := []struct {
		id, target string
		forCheck   bool
	}{
		{"openai:gpt-4o-mini", "openai:gpt-4o-mini", false},
		{"openai:chat:gpt-4o-mini", "openai:gpt-4o-mini", false},
		{"openai:chat:ft:gpt-4.1-mini:acme::abc", "openai:ft:gpt-4.1-mini:acme::abc", false},
		{"openai:responses:gpt-5", "openai:gpt-5", false},
		{"openai:completion:gpt-3.5-turbo-instruct", "", false},
		{"openai:chat", "", false},
		{"openai:assistant:asst_1", "", false},
		{"openai:embeddings:text-embedding-3-small", "", false},
		{"openai:embeddings:text-embedding-3-small", "openai:text-embedding-3-small", true},
		{"ollama:llama3.2", "ollama:llama3.2", false},
		{"ollama:llama3.2:3b", "ollama:llama3.2:3b", false},
		{"ollama:chat:llama3.2", "ollama:llama3.2", false},
		{"ollama:chat:llama3.2:1b", "ollama:llama3.2:1b", false},
		{"ollama:completion:phi4", "ollama:phi4", false},
		{"ollama:embeddings:nomic-embed-text", "ollama:nomic-embed-text", true},
		{"anthropic:messages:claude-sonnet-4-5", "anthropic:claude-sonnet-4-5", false},
		{"anthropic:completion:claude-2", "", false},
		{"anthropic:claude-agent-sdk", "", false},
		{"anthropic:claude-code", "", true},
		{"anthropic:claude-sonnet-4-5", "anthropic:claude-sonnet-4-5", false},
		{"google:gemini-2.5-flash", "gemini:gemini-2.5-flash", false},
		{"echo", "echo", false},
		{"bedrock:anthropic.claude-3-haiku-20240307-v1:0", "", false},
		{"vertex:gemini-pro", "", false},
		{"openrouter:anthropic/claude-3.5-sonnet", "openrouter:anthropic/claude-3.5-sonnet", false},
		{"groq:llama-3.3-70b-versatile", "groq:llama-3.3-70b-versatile", false},
		{"groq:responses:llama-3.3-70b-versatile", "groq:llama-3.3-70b-versatile", false},
		{"openrouter:meta-llama/llama-3.1-8b-instruct:free", "openrouter:meta-llama/llama-3.1-8b-instruct:free", false},
		{"togetherai:meta-llama/Llama-3-8b-chat-hf", "togetherai:meta-llama/Llama-3-8b-chat-hf", false},
		{"togetherai:chat:meta-llama/Llama-3-8b-chat-hf", "togetherai:meta-llama/Llama-3-8b-chat-hf", false},
		{"togetherai:completion:x", "", false},
		{"mistral:embedding:mistral-embed", "", false},
		{"mistral:chat:mistral-large-latest", "mistral:mistral-large-latest", false},
		{"mistral:mistral-small-latest", "mistral:mistral-small-latest", false},
		{"groq:", "", false},
		{"xai:grok-4", "xai:grok-4", false},
		{"xai:responses:grok-4.3", "xai:grok-4.3", false},
		{"xai:image:grok-2-image", "", false},
		{"xai:voice:grok-voice", "", false},
		{"fireworks:accounts/fireworks/models/llama-v3p1-8b-instruct", "fireworks:accounts/fireworks/models/llama-v3p1-8b-instruct", false},
		{"cerebras:gpt-oss-120b", "cerebras:gpt-oss-120b", false},
		{"localai:chat:llama3", "localai:llama3", false},
		{"localai:chat:llama3:8b", "localai:llama3", false},
		{"localai:mistral", "localai:mistral", false},
		{"localai:completion:x", "", false},
		{"localai:embeddings:x", "", false},
		{"azure:chat:gpt4o-prod", "azure:gpt4o-prod", false},
		{"azureopenai:chat:gpt4o-prod", "azure:gpt4o-prod", false},
		{"azure:responses:gpt5", "azure:gpt5", false},
		{"azure:chat", "", false},
		{"azure:assistant:asst_1", "", false},
		{"azure:embedding:ada", "", true},
		{"exec: python p.py", "", false},
		{"python:provider.py", "", false},
		{"https://example.com/api", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		got, _, _, why := mapTarget(tc.id, tc.forCheck)
		if got != tc.target {
			t.Errorf("mapTarget(%q, %v) = %q, want %q", tc.id, tc.forCheck, got, tc.target)
		}
		if got == "" && why == "" {
			t.Errorf("mapTarget(%q) gives no reason", tc.id)
		}
	}
}

// Vertex AI serves Claude as well as Gemini: the reason names the API of
// whet's that serves the model named, never Gemini for a Claude model.
func TestMapTargetVertexReason(t *testing.T) {
	tests := []struct{ id, want, not string }{
		{"vertex:claude-haiku-4-5", "anthropic:messages:<model>", "Gemini"},
		{"vertex:chat:claude-3-5-sonnet-v2@20241022", "anthropic:messages:<model>", "Gemini"},
		{"vertex:gemini-2.0-flash", "google:<model>", "Anthropic"},
		{"vertex:chat:gemini-1.5-pro", "google:<model>", "Anthropic"},
		{"vertex:llama-3.3-70b-instruct-maas", "Google Cloud", "Gemini"},
	}
	for _, tc := range tests {
		got, _, _, why := mapTarget(tc.id, false)
		if got != "" || !strings.Contains(why, tc.want) || strings.Contains(why, tc.not) {
			t.Errorf("mapTarget(%q) = %q, %q; want no target and a reason with %q, without %q", tc.id, got, why, tc.want, tc.not)
		}
	}
}

func TestAssertFromExpected(t *testing.T) {
	tests := []struct {
		in        string
		typ       string
		value     any
		threshold *float64
	}{
		{"Paris", "equals", "Paris", nil},
		{"Paris: the capital", "equals", "Paris: the capital", nil},
		{"contains:Paris", "contains", "Paris", nil},
		{"contains: Paris", "contains", "Paris", nil},
		{"not-icontains: paris", "not-icontains", "paris", nil},
		{"factuality:The capital is Paris", "factuality", "The capital is Paris", nil},
		{"similar(0.8):Hello there", "similar", "Hello there", fp(0.8)},
		{"similar:Hello there", "similar", "Hello there", fp(0.8)},
		{"contains-any: <b>,</span>", "contains-any", "<b>,</span>", nil},
		{"icontains-all:a , b", "icontains-all", "a , b", nil},
		{"is-json", "is-json", nil, nil},
		{"latency(1500)", "latency", nil, fp(1500)},
		{"word-count: 12", "word-count", float64(12), nil},
		{"javascript: output.length < 10", "javascript", "output.length < 10", nil},
		{"fn:x", "javascript", "x", nil},
		{"grade: is polite", "llm-rubric", "is polite", nil},
		{"llm-rubric: is polite", "llm-rubric", "is polite", nil},
		{"python: len(output) > 3", "python", "len(output) > 3", nil},
		{"file://check.py:fn", "python", "check.py:fn", nil},
		{"file://check.js", "javascript", "check.js", nil},
		{"rouge-n(0.5):abc", "rouge-n", "abc", fp(0.5)},
		// promptfoo's CSV reader gives threshold types 0.75 when none is
		// written: a levenshtein distance of 0, 0.75 ms, $0.75.
		{"levenshtein:abc", "levenshtein", "abc", fp(0)},
		{"levenshtein(2.5):abc", "levenshtein", "abc", fp(2)},
		{"not-latency", "not-latency", nil, fp(0.75)},
		{"similar(0):x", "similar", "x", fp(0)},
		// starts-with takes the CSV threshold but never uses it.
		{"starts-with:Yes", "starts-with", "Yes", nil},
		{"starts-with(0.5):Yes", "starts-with", "Yes", nil},
	}
	for _, tc := range tests {
		ra := assertFromExpected(tc.in)
		if ra.typ != tc.typ || !reflect.DeepEqual(ra.value, tc.value) || !reflect.DeepEqual(ra.threshold, tc.threshold) {
			th := "nil"
			if ra.threshold != nil {
				th = fmt.Sprint(*ra.threshold)
			}
			t.Errorf("%q -> %s %#v threshold %s; want %s %#v", tc.in, ra.typ, ra.value, th, tc.typ, tc.value)
		}
	}
}

// Prompts are named under the config's folder, uniquely; what parses
// as a whet template is kept, a Nunjucks comment (which renders as
// nothing) left out, Nunjucks beyond {{ var }} reported.
func TestPromptNamesAndTemplates(t *testing.T) {
	files := map[string]string{
		"My Evals/promptfooconfig.yaml": `
prompts:
  - file://a.txt
  - id: file://b.txt
    label: A
  - raw: "Hi {{ name }} {# note #}"
    label: with comment
  - "{{ user.name }} \\{{ literal }}"
  - "{{ name | trim }}"
  - file://c.yaml
`,
		"My Evals/a.txt":  "one {{x}}\n---\ntwo {{x}}\n",
		"My Evals/b.txt":  "three\n",
		"My Evals/c.yaml": "- role: developer\n  content: hi\n",
	}
	r, err := Import("My Evals/promptfooconfig.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range r.Prompts {
		names = append(names, p.Name+"="+p.Messages[0].Content)
	}
	want := []string{"my-evals/a-1=one {{x}}", "my-evals/a-2=two {{x}}", "my-evals/a=three", "my-evals/with-comment=Hi {{ name }} ", `my-evals/prompt-4={{ user.name }} \{{ literal }}`}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("prompts = %q, want %q", names, want)
	}
	issues := issueLines(r)
	wantIssues := []string{
		`My Evals/c.yaml:1: prompt c is not imported: message 1 has role "developer" (whet has system, user and assistant)`,
		`My Evals/promptfooconfig.yaml:9: prompt 5 is not imported: it uses the Nunjucks expression {{ name | trim }} (whet templates have {{ variable }} only)`,
	}
	if !reflect.DeepEqual(issues, wantIssues) {
		t.Errorf("issues =\n%s\nwant\n%s", strings.Join(issues, "\n"), strings.Join(wantIssues, "\n"))
	}
}

// FuzzImport: any YAML config imports or fails with an error; it never
// panics, and a result always names valid prompts and a valid suite.
func FuzzImport(f *testing.F) {
	for _, p := range []string{"testdata/getting-started/promptfooconfig.yaml", "testdata/support/promptfooconfig.yaml", "testdata/mixed/promptfooconfig.yaml"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("prompts: {a: b}\nproviders: {openai:x: {config: {temperature: 9}}}\ntests: [{vars: {a: [1, 2]}, assert: [{type: not-similar:cosine, value: {a: .inf}}]}]\n")
	f.Add("defaultTest: {options: {provider: {id: 3}}, assert: [{type: 5, weight: -1}]}\ntests: {vars: x}\n")
	f.Add("prompts: ['[{\"role\": \"user\", \"content\": [1]}]', '{{', '{% x']\ntargets: [{a: 1, b: 2}]\n")
	f.Add("t: {a: {$ref: '#/t/a'}}\nscenarios: [{config: [{vars: {a: [1]}, $values: x}], tests: [{$ref: '#/t'}, {vars: {b: file://x/*.txt}}]}, file://s/*.yaml]\n")
	notFound := func(name string) ([]byte, error) {
		if name == "promptfooconfig.yaml" {
			return nil, errors.New("unreachable")
		}
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	f.Fuzz(func(t *testing.T, data string) {
		read := func(name string) ([]byte, error) {
			if name == "cfg/promptfooconfig.yaml" {
				return []byte(data), nil
			}
			return notFound(name)
		}
		r, err := Import("cfg/promptfooconfig.yaml", read)
		if err != nil {
			return
		}
		if err := prompt.ValidateName(r.Suite.Name); err != nil {
			t.Fatalf("suite name %q: %v", r.Suite.Name, err)
		}
		for _, p := range r.Prompts {
			if err := prompt.ValidateName(p.Name); err != nil {
				t.Fatalf("prompt name %q: %v", p.Name, err)
			}
			if err := prompt.ValidateMessages(p.Messages); err != nil {
				t.Fatalf("prompt %s: %v", p.Name, err)
			}
			if _, err := prompt.RenderMessages(p.Messages, map[string]string{}); err != nil {
				var me *prompt.MissingVarsError
				if !errors.As(err, &me) {
					t.Fatalf("prompt %s does not parse as a template: %v", p.Name, err)
				}
			}
		}
		for _, is := range r.Unsupported {
			if is.File == "" || is.Line < 1 || is.What == "" {
				t.Fatalf("issue without a place or text: %+v", is)
			}
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("result does not encode: %v", err)
		}
	})
}

// A check whet cannot run as written (a Nunjucks filter in its value, a
// cost metric without a threshold) is reported and left out; the rest of
// the config still imports, a regex with JavaScript's lookahead too.
func TestImportLeavesOutChecksWhetCannotRun(t *testing.T) {
	files := map[string]string{"c.yaml": `
prompts: ['{{q}}']
tests:
  - vars: {q: hi, expected: Hello}
    assert:
      - type: icontains
        value: "{{ expected | lower }}"
      - type: regex
        value: '\d{4}(?!\d)'
      - type: cost
        metric: spend
        weight: 0
      - type: contains
        value: "{{expected}}"
`}
	r, err := ImportWith("c.yaml", memFS(files), eval.ValidateCheck)
	if err != nil {
		t.Fatal(err)
	}
	want := []prompt.Check{{Type: "regex", Value: `\d{4}(?!\d)`}, {Type: "contains", Value: "{{expected}}"}}
	if len(r.Suite.Cases) != 1 || !reflect.DeepEqual(r.Suite.Cases[0].Checks, want) {
		t.Fatalf("cases = %+v, want one case with %+v", r.Suite.Cases, want)
	}
	if err := eval.ValidateSuite(r.Suite); err != nil {
		t.Errorf("imported suite does not validate: %v", err)
	}
	got := issueLines(r)
	wantIssues := []string{
		`c.yaml:6: test 1: assert 1 (icontains) is not imported: value: it uses the Nunjucks expression {{ expected | lower }} (whet templates have {{ variable }} only); the case keeps its other checks`,
		`c.yaml:10: test 1: assert 3 (cost) is not imported: threshold: cost needs a threshold: the most USD the call may cost; the case keeps its other checks`,
	}
	if !reflect.DeepEqual(got, wantIssues) {
		t.Errorf("issues =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantIssues, "\n"))
	}

	// Without a validator the Nunjucks value is still reported; the rest is
	// imported as written (and the weight 0 of the kept cost check noted).
	r, err = Import("c.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Suite.Cases[0].Checks) != 3 || len(r.Unsupported) != 2 || r.Unsupported[0].String() != wantIssues[0] {
		t.Errorf("without a validator: checks %+v, issues %+v", r.Suite.Cases[0].Checks, r.Unsupported)
	}
}

// A threshold in quotes that is a number ("0.01") is that number, as
// promptfoo's comparisons read it; one that is a template ("{{max_cost}}")
// is named as such, since promptfoo fills no variables into a threshold.
func TestImportThresholdText(t *testing.T) {
	files := map[string]string{"c.yaml": `
prompts: ["{{q}}"]
providers: [echo]
defaultTest:
  assert:
    - type: cost
      threshold: "0.01"
    - type: latency
      threshold: "{{max_ms}}"
tests:
  - vars: {q: hi, max_ms: 3000}
`}
	r, err := ImportWith("c.yaml", memFS(files), eval.ValidateCheck)
	if err != nil {
		t.Fatal(err)
	}
	want := []prompt.Check{{Type: "cost", Threshold: fp(0.01)}}
	if !reflect.DeepEqual(r.Suite.Checks, want) {
		t.Errorf("suite checks = %+v, want %+v", r.Suite.Checks, want)
	}
	got := issueLines(r)
	wantIssues := []string{
		`c.yaml:8: defaultTest: assert 2 (latency) is not imported: threshold "{{max_ms}}" is not a number (promptfoo fills no variables into a threshold: it compares with the text as written, so the check fails there); the suite keeps its other checks`,
	}
	if !reflect.DeepEqual(got, wantIssues) {
		t.Errorf("issues =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantIssues, "\n"))
	}
}

// promptfoo reads prompts and tests written as paths without file:// as
// files (prompts: [prompts.txt], tests: tests.csv), as its older docs and
// many configs write them; prose that merely mentions a file stays text.
func TestImportBarePaths(t *testing.T) {
	files := map[string]string{
		"b/promptfooconfig.yaml": `
prompts: [prompts.txt, chat.json, 'Summarise notes.txt for {{name}}', gen.py:make]
providers: [echo]
tests: tests.csv
`,
		"b/prompts.txt": "Hello {{name}}\n---\nBye {{name}}\n",
		"b/chat.json":   `[{"role": "system", "content": "Be brief"}, {"role": "user", "content": "{{name}}"}]`,
		"b/tests.csv":   "name,__expected\nAda,contains: Ada\n",
	}
	r, err := Import("b/promptfooconfig.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range r.Prompts {
		got = append(got, fmt.Sprintf("%s=%v", p.Name, p.Messages))
	}
	want := []string{
		"b/prompts-1=[{user Hello {{name}}}]",
		"b/prompts-2=[{user Bye {{name}}}]",
		"b/chat=[{system Be brief} {user {{name}}}]",
		"b/prompt-3=[{user Summarise notes.txt for {{name}}}]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("prompts =\n%q\nwant\n%q", got, want)
	}
	wantCases := []prompt.Case{{Vars: map[string]string{"name": "Ada"}, Checks: []prompt.Check{{Type: "contains", Value: "Ada"}}}}
	if !reflect.DeepEqual(r.Suite.Cases, wantCases) {
		t.Errorf("cases = %+v, want %+v", r.Suite.Cases, wantCases)
	}
	wantIssues := []Issue{{File: "b/promptfooconfig.yaml", Line: 2, What: "prompt file://gen.py:make is not imported: whet runs no code to build prompts"}}
	if !reflect.DeepEqual(r.Unsupported, wantIssues) {
		t.Errorf("issues = %+v, want %+v", r.Unsupported, wantIssues)
	}

	// A bare path that names no file is an error, as a file:// one is.
	delete(files, "b/tests.csv")
	if _, err := Import("b/promptfooconfig.yaml", memFS(files)); err == nil || !strings.Contains(err.Error(), "promptfooconfig.yaml:4: tests file://tests.csv") {
		t.Errorf("missing bare tests path: err = %v", err)
	}
}

// options.provider takes promptfoo's documented forms: an id, {id, config},
// or {text: …, embedding: …}; an embedding model grades similar checks,
// never the model-graded ones.
func TestImportGraderForms(t *testing.T) {
	files := map[string]string{"c.yaml": `
prompts: ['{{q}}']
defaultTest:
  options:
    provider:
      text:
        id: openai:gpt-4o
      embedding:
        id: openai:embedding:text-embedding-3-large
  assert:
    - {type: similar, value: hi}
    - {type: llm-rubric, value: nice}
tests:
  - vars: {q: a}
  - vars: {q: b}
    options:
      provider: ollama:embeddings:nomic-embed-text
    assert:
      - {type: not-similar, value: bye}
      - {type: factuality, value: b is b}
`}
	r, err := Import("c.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	wantSuite := []prompt.Check{
		{Type: "similar", Value: "hi", Provider: "openai:text-embedding-3-large"},
		{Type: "llm-rubric", Value: "nice", Provider: "openai:gpt-4o"},
	}
	if !reflect.DeepEqual(r.Suite.Checks, wantSuite) {
		t.Errorf("suite checks = %+v, want %+v", r.Suite.Checks, wantSuite)
	}
	wantCase := []prompt.Check{
		{Type: "not-similar", Value: "bye", Provider: "ollama:nomic-embed-text"},
		{Type: "factuality", Value: "b is b", Provider: "openai:gpt-4o"},
	}
	if len(r.Suite.Cases) != 2 || r.Suite.Cases[0].Checks != nil || !reflect.DeepEqual(r.Suite.Cases[1].Checks, wantCase) {
		t.Errorf("cases = %+v, want the second with %+v", r.Suite.Cases, wantCase)
	}
	wantIssues := []Issue{{File: "c.yaml", Line: 16, What: "test 2: options.provider applies to the case's own checks only: defaultTest's model-graded checks keep their grader"}}
	if !reflect.DeepEqual(r.Unsupported, wantIssues) {
		t.Errorf("issues = %+v, want %+v", r.Unsupported, wantIssues)
	}
}

// A CSV's __expected cells are trimmed, __config:__expected<N>:threshold
// sets the threshold of the row's Nth assert, and quoted items of a
// contains-any list keep their commas, as promptfoo reads them.
func TestImportCSVExpectedAsPromptfoo(t *testing.T) {
	files := map[string]string{
		"c.yaml": "prompts: ['{{q}}']\ntests: file://t.csv\n",
		"t.csv": "q,__expected1,__expected2,__config:__expected2:threshold,__config:__expected:weight\n" +
			"a, contains: x ,\"icontains-any: \"\"1,000\"\", in stock\",,\n" +
			"b,levenshtein:abc,similar:yo,0.9,\n" +
			"c,,similar:yo,0.6,2\n",
	}
	r, err := ImportWith("c.yaml", memFS(files), eval.ValidateCheck)
	if err != nil {
		t.Fatal(err)
	}
	want := []prompt.Case{
		{Vars: map[string]string{"q": "a"}, Checks: []prompt.Check{
			{Type: "contains", Value: "x"},
			{Type: "icontains-any", Value: `"1,000", in stock`},
		}},
		{Vars: map[string]string{"q": "b"}, Checks: []prompt.Check{
			{Type: "levenshtein", Value: "abc", Threshold: fp(0)},
			{Type: "similar", Value: "yo", Threshold: fp(0.9)},
		}},
		// The empty __expected1 pushes similar to the first assert, which
		// __config:__expected2 no longer names.
		{Vars: map[string]string{"q": "c"}, Checks: []prompt.Check{
			{Type: "similar", Value: "yo", Threshold: fp(0.8)},
		}},
	}
	if !reflect.DeepEqual(r.Suite.Cases, want) {
		t.Errorf("cases =\n%+v\nwant\n%+v", r.Suite.Cases, want)
	}
	wantIssues := []Issue{{File: "t.csv", Line: 4, What: "row 3: column __config:__expected:weight is not imported: promptfoo takes __config:__expected:threshold or __config:__expected<N>:threshold"}}
	if !reflect.DeepEqual(r.Unsupported, wantIssues) {
		t.Errorf("issues = %+v, want %+v", r.Unsupported, wantIssues)
	}
}

// promptfoo's own scenarios example: each test runs once per config entry,
// the entry's vars beside the test's.
func TestImportScenarios(t *testing.T) {
	cfg := "testdata/translations/promptfooconfig-scenarios.yaml"
	got, err := Import(cfg, os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Unsupported) != 0 {
		t.Errorf("issues %v", got.Unsupported)
	}
	if len(got.Suite.Cases) != 9 {
		t.Fatalf("%d cases, want 3 languages × 3 tests", len(got.Suite.Cases))
	}
	c := got.Suite.Cases[4] // French, Good morning
	wantVars := map[string]string{"language": "French", "input": "Good morning", "expectedHelloWorld": "Bonjour le monde",
		"expectedGoodMorning": "Bonjour", "expectedHowAreYou": "Comment ça va?"}
	wantChecks := []prompt.Check{{Type: "similar", Value: "{{expectedGoodMorning}}", Threshold: fp(0.9)}}
	if c.Description != "Translated Good Morning" || !reflect.DeepEqual(c.Vars, wantVars) || !reflect.DeepEqual(c.Checks, wantChecks) {
		t.Errorf("case 5 = %+v", c)
	}

	files := map[string]string{
		"x.yaml": `
prompts: ["{{a}} {{b}}"]
defaultTest:
  vars: {a: default, b: default}
tests:
  - vars: {a: plain}
scenarios:
  - config:
      - vars: {a: one}
        assert: [{type: contains, value: one}]
        description: first
      - vars: {a: [two, three]}
  - file://more.yaml
  - config:
      - $values: file://matrix.yaml
    tests: [{vars: {b: x}}]
`,
		"more.yaml": `
- description: from a file
  config: [{vars: {a: four}}]
  tests:
    - vars: {b: mine}
      assert: [{type: icontains, value: b}]
`,
	}
	got, err = Import("x.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	want := []prompt.Case{
		{Vars: map[string]string{"a": "plain", "b": "default"}},
		{Description: "first", Vars: map[string]string{"a": "one", "b": "default"}, Checks: []prompt.Check{{Type: "contains", Value: "one"}}},
		{Vars: map[string]string{"a": "two", "b": "default"}},
		{Vars: map[string]string{"a": "three", "b": "default"}},
		{Vars: map[string]string{"a": "four", "b": "mine"}, Checks: []prompt.Check{{Type: "icontains", Value: "b"}}},
	}
	if !reflect.DeepEqual(got.Suite.Cases, want) {
		t.Errorf("cases =\n%+v\nwant\n%+v", got.Suite.Cases, want)
	}
	wantIssues := []Issue{{File: "x.yaml", Line: 15, What: "scenario 3, config 1: $values file://matrix.yaml is not imported: list the config entries inline"}}
	if !reflect.DeepEqual(got.Unsupported, wantIssues) {
		t.Errorf("issues = %v", got.Unsupported)
	}
}

// Prompt files as promptfoo reads them by extension: a .j2 template is one
// prompt even with a "---" line, a .prompty file is read as whet's Prompty
// import reads it (its parameters under the entry's config), and scripts
// promptfoo would run are refused.
func TestImportPromptFileKinds(t *testing.T) {
	legacy, err := os.ReadFile("../prompt/testdata/prompty/legacy-basic.prompty")
	if err != nil {
		t.Fatal(err)
	}
	threaded, err := os.ReadFile("../prompt/testdata/prompty/threaded.prompty")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"k/promptfooconfig.yaml": `
prompts:
  - file://note.j2
  - id: file://legacy.prompty
    config: {temperature: 0.1}
  - file://threaded.prompty
  - ./gen.sh
providers: [echo]
`,
		"k/note.j2":          "Notes on {{topic}}\n---\nEnd\n",
		"k/legacy.prompty":   string(legacy),
		"k/threaded.prompty": string(threaded),
	}
	r, err := Import("k/promptfooconfig.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Prompts) != 2 {
		t.Fatalf("prompts = %+v", r.Prompts)
	}
	if got := r.Prompts[0]; got.Name != "k/note" || got.Messages[0].Content != "Notes on {{topic}}\n---\nEnd" {
		t.Errorf("j2 prompt = %+v", got)
	}
	p := r.Prompts[1]
	if p.Name != "k/legacy-prompt" || len(p.Messages) != 2 || p.Messages[0].Role != prompt.RoleSystem || p.Messages[1].Content != "{{question}}" {
		t.Errorf("prompty prompt = %+v", p)
	}
	if p.Params.Temperature == nil || *p.Params.Temperature != 0.1 || p.Params.MaxTokens == nil || *p.Params.MaxTokens != 500 {
		t.Errorf("prompty params = %+v, want the file's max_tokens under the entry's temperature", p.Params)
	}
	if p.Vars["question"] != "What is the meaning of life?" {
		t.Errorf("prompty vars = %v", p.Vars)
	}
	issues := issueLines(r)
	want := []string{
		// What whet's Prompty import leaves out of the file, at its lines.
		"k/legacy.prompty:5: version is not imported: whet numbers a prompt's versions itself",
		"k/legacy.prompty:8: tags is not imported: Prompty's tags are keywords about the prompt, and whet's tags name its versions (production, staging); to sort prompts, label them (whet prompt label NAME KEY=VALUE)",
		// Not its model.configuration: the config's providers are the targets.
		`k/promptfooconfig.yaml:4: prompt k/legacy.prompty: promptfoo reads no .prompty file (its eval stops on one: "There are no prompts in …"); whet imports it as whet prompt import reads it`,
		"k/promptfooconfig.yaml:6: prompt k/threaded.prompty is not imported: k/threaded.prompty:13: input conversation is a thread (a conversation history spliced in as messages): whet prompts hold fixed system, user and assistant messages; write the turns out, or drop the input",
		"k/promptfooconfig.yaml:7: prompt file://./gen.sh is not imported: whet runs no code to build prompts",
	}
	if !reflect.DeepEqual(issues, want) {
		t.Errorf("issues =\n%s\nwant\n%s", strings.Join(issues, "\n"), strings.Join(want, "\n"))
	}
}

// memGlob lists the files of a memFS map a pattern matches.
func memGlob(files map[string]string) func(string) ([]string, error) {
	return func(pattern string) ([]string, error) {
		var out []string
		for name := range files {
			if GlobMatch(pattern, name) {
				out = append(out, name)
			}
		}
		return out, nil
	}
}

func TestGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		pattern, name string
		want          bool
	}{
		{"p/*.txt", "p/a.txt", true},
		{"p/*.txt", "p/sub/a.txt", false},
		{"p/**/*.txt", "p/a.txt", true},
		{"p/**/*.txt", "p/x/y/a.txt", true},
		{"p/**", "p/x/a.txt", true},
		{"p/?.txt", "p/ab.txt", false},
		{"p/[ab].txt", "p/b.txt", true},
	} {
		if got := GlobMatch(tc.pattern, tc.name); got != tc.want {
			t.Errorf("GlobMatch(%q, %q) = %v", tc.pattern, tc.name, got)
		}
	}
}

// file:// globs import every file they match, in lexical order, as
// promptfoo does: prompts (a label naming each by its path), tests, vars
// (a case per file) and scenarios.
func TestImportGlobs(t *testing.T) {
	files := map[string]string{
		"g/promptfooconfig.yaml": `
prompts:
  - id: file://prompts/*.txt
    label: P
  - file://prompts/**/*.md
  - file://none/*.txt
tests:
  - file://tests/*.yaml
  - vars:
      doc: file://docs/*.txt
scenarios: [file://scenarios/*.yaml]
`,
		"g/prompts/b.txt":     "B {{doc}}",
		"g/prompts/a.txt":     "A {{doc}}",
		"g/prompts/deep/c.md": "C {{doc}}",
		"g/tests/1.yaml":      "- vars: {doc: one}",
		"g/tests/2.yaml":      "- vars: {doc: two}",
		"g/docs/x.txt":        "x\n",
		"g/docs/y.txt":        "y\n",
		"g/scenarios/s.yaml":  "config: [{vars: {doc: s}}]",
	}
	r, err := ImportOptions("g/promptfooconfig.yaml", memFS(files), Options{Glob: memGlob(files)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range r.Prompts {
		got = append(got, p.Name+" "+p.Description+" "+p.Messages[0].Content)
	}
	want := []string{"g/p-prompts-a.txt P: prompts/a.txt A {{doc}}", "g/p-prompts-b.txt P: prompts/b.txt B {{doc}}", "g/c  C {{doc}}"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("prompts =\n%q\nwant\n%q", got, want)
	}
	var docs []string
	for _, c := range r.Suite.Cases {
		docs = append(docs, c.Vars["doc"])
	}
	if want := []string{"one", "two", "x", "y", "s"}; !reflect.DeepEqual(docs, want) {
		t.Errorf("cases' doc = %q, want %q", docs, want)
	}
	wantIssues := []Issue{{File: "g/promptfooconfig.yaml", Line: 6, What: "prompts file://none/*.txt matches no file: nothing imported"}}
	if !reflect.DeepEqual(r.Unsupported, wantIssues) {
		t.Errorf("issues = %v", r.Unsupported)
	}
}

// A transform is JavaScript: it is reported with what that means for the
// checks, which are kept.
func TestImportTransformReported(t *testing.T) {
	files := map[string]string{"t.yaml": `
prompts: ['{{q}}']
tests:
  - vars: {q: hi}
    options:
      transform: output.toUpperCase()
    assert: [{type: contains, value: HI}]
`}
	r, err := Import("t.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	want := []Issue{{File: "t.yaml", Line: 6, What: "test 1: options.transform is not imported (whet runs no JavaScript): the checks grade the output as the model gave it"}}
	if !reflect.DeepEqual(r.Unsupported, want) || len(r.Suite.Cases[0].Checks) != 1 {
		t.Errorf("issues %v, cases %+v", r.Unsupported, r.Suite.Cases)
	}
}

// Var files load as promptfoo loads them: text trimmed, YAML as compact
// JSON in document order, and each file:// element of a list.
func TestImportVarFiles(t *testing.T) {
	files := map[string]string{
		"v.yaml": `
prompts: ['{{doc}} {{rules}}']
tests:
  - vars:
      doc: [file://a.txt, file://b.txt, plain]
      rules: file://rules.yaml
`,
		"a.txt":      "\n  alpha  \n\n",
		"b.txt":      "beta\n",
		"rules.yaml": "beta:\n  - 1\n  - two\nalpha:\n  nested: true\n",
	}
	r, err := Import("v.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	rules := `{"beta":[1,"two"],"alpha":{"nested":true}}`
	want := []prompt.Case{
		{Vars: map[string]string{"doc": "alpha", "rules": rules}},
		{Vars: map[string]string{"doc": "beta", "rules": rules}},
		{Vars: map[string]string{"doc": "plain", "rules": rules}},
	}
	if !reflect.DeepEqual(r.Suite.Cases, want) {
		t.Errorf("cases =\n%+v\nwant\n%+v", r.Suite.Cases, want)
	}
	files["rules.yaml"] = "a: [1,\n"
	if _, err := Import("v.yaml", memFS(files)); err == nil || !strings.Contains(err.Error(), "rules.yaml") {
		t.Errorf("bad YAML var file: err = %v", err)
	}
}

// promptfoo's simple-test example: its $ref to an assertion template is
// resolved, and the template bank is not reported.
func TestImportSimpleTestExample(t *testing.T) {
	cfg := "testdata/simple-test/promptfooconfig.yaml"
	r, err := Import(cfg, os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	last := r.Suite.Cases[4]
	want := []prompt.Check{{Type: "llm-rubric", Value: "Is spoken like a pirate"}, {Type: "icontains", Value: "arrr"}}
	if !reflect.DeepEqual(last.Checks, want) {
		t.Errorf("checks = %+v, want %+v", last.Checks, want)
	}
	if r.Suite.Cases[0].Vars["body"] != "Yes" {
		t.Errorf("body = %q: YAML 1.2 reads Yes as text, as promptfoo does", r.Suite.Cases[0].Vars["body"])
	}
	issues := issueLines(r)
	wantIssues := []string{
		cfg + `:33: test 4 ("Check for semantic similarity"): assert 1: type "javascript" is not supported by whet (whet runs no code): not imported; the case keeps its other checks`,
		cfg + `:35: test 4 ("Check for semantic similarity"): assert 2: type "python" is not supported by whet (whet runs no code): not imported; the case keeps its other checks`,
	}
	if !reflect.DeepEqual(issues, wantIssues) {
		t.Errorf("issues =\n%s\nwant\n%s", strings.Join(issues, "\n"), strings.Join(wantIssues, "\n"))
	}

	files := map[string]string{
		"r.yaml": `
prompts: ['{{q}}']
templates:
  - {type: contains, value: a}
tests:
  - vars: {q: x}
    assert:
      - $ref: '#/templates/0'
        weight: 3
      - $ref: '#/nowhere/x'
      - $ref: 'other.yaml#/x'
`}
	r, err = Import("r.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	if want := []prompt.Check{{Type: "contains", Value: "a"}}; !reflect.DeepEqual(r.Suite.Cases[0].Checks, want) {
		t.Errorf("checks = %+v", r.Suite.Cases[0].Checks)
	}
	wantRefIssues := []Issue{
		{File: "r.yaml", Line: 9, What: "test 1: assert 1: weight beside $ref #/templates/0 is not imported: the reference is taken as it is"},
		{File: "r.yaml", Line: 10, What: "test 1: assert 2: $ref #/nowhere/x is not imported: the config has nothing there"},
		{File: "r.yaml", Line: 11, What: "test 1: assert 3: $ref other.yaml#/x is not imported: whet resolves references within the config (#/…) only"},
	}
	if !reflect.DeepEqual(r.Unsupported, wantRefIssues) {
		t.Errorf("issues = %v", r.Unsupported)
	}
}

// A similar check whose embedding provider whet cannot call falls back to
// the default embedding target, and says so.
func TestImportUnsupportedEmbeddingProvider(t *testing.T) {
	files := map[string]string{"e.yaml": `
prompts: ['{{q}}']
tests:
  - vars: {q: hi}
    assert:
      - type: similar
        value: hello
        provider: huggingface:sentence-similarity:sentence-transformers/all-MiniLM-L6-v2
`}
	r, err := Import("e.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Unsupported) != 1 || !strings.HasSuffix(r.Unsupported[0].What, "the check uses whet's default embedding target") {
		t.Errorf("issues = %v", r.Unsupported)
	}
}

// A chat written inline in the prompts list is a prompt, as promptfoo
// serialises it to the JSON chat it sends.
func TestImportInlineChat(t *testing.T) {
	files := map[string]string{"c.yaml": `
prompts:
  - - role: system
      content: Be brief
    - role: user
      content: '{{q}}'
  - [1, 2]
`}
	r, err := Import("c.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	want := []prompt.Message{{Role: "system", Content: "Be brief"}, {Role: "user", Content: "{{q}}"}}
	if len(r.Prompts) != 1 || !reflect.DeepEqual(r.Prompts[0].Messages, want) {
		t.Errorf("prompts = %+v", r.Prompts)
	}
	wantIssues := []Issue{{File: "c.yaml", Line: 7, What: "prompt 2 is not imported: message 1 is not a {role, content} object"}}
	if !reflect.DeepEqual(r.Unsupported, wantIssues) {
		t.Errorf("issues = %v", r.Unsupported)
	}
}

// TestImportJSONLLongLine: a JSONL test of any length is read, as a case
// file's is (no line length limit), and a byte-order mark (as a Windows
// editor saves UTF-8) is not content.
func TestImportJSONLLongLine(t *testing.T) {
	long := strings.Repeat("x", 17<<20)
	r, err := Import("c.yaml", memFS(map[string]string{
		"c.yaml":  "\ufeffprompts: ['Echo {{q}}']\ntests: file://t.jsonl\n",
		"t.jsonl": "\ufeff{\"vars\": {\"q\": \"a\"}}\r\n\n{\"vars\": {\"q\": \"" + long + "\"}}\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Suite.Cases) != 2 || r.Suite.Cases[0].Vars["q"] != "a" || r.Suite.Cases[1].Vars["q"] != long {
		t.Errorf("%d cases", len(r.Suite.Cases))
	}
}

// TestImportJSONLKeepsKeyOrder: a JSONL test's var given as an object is
// its JSON with the keys as the line writes them, as promptfoo's
// JSON.parse keeps them, and what a line holds is reported at that line.
func TestImportJSONLKeepsKeyOrder(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{
		"c.yaml": "prompts: ['{{m}} {{q}}']\ntests: file://t.jsonl\n",
		"t.jsonl": `{"vars":{"q":"x","m":{"b":1,"a":2}}}` + "\n\n" +
			`{"vars":{"q":"y","m":{"z":1,"y":[2,{"d":1,"c":2}]}},"assert":[{"type":"python","value":"x"}]}` + "\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Suite.Cases) != 2 {
		t.Fatalf("%d cases", len(r.Suite.Cases))
	}
	if got := r.Suite.Cases[0].Vars["m"]; got != `{"b":1,"a":2}` {
		t.Errorf("case 1 m = %s", got)
	}
	if got := r.Suite.Cases[1].Vars["m"]; got != `{"z":1,"y":[2,{"d":1,"c":2}]}` {
		t.Errorf("case 2 m = %s", got)
	}
	if len(r.Unsupported) != 1 || r.Unsupported[0].File != "t.jsonl" || r.Unsupported[0].Line != 3 {
		t.Errorf("issues = %+v, want one at t.jsonl:3", r.Unsupported)
	}
}

// OpenAI-compatible vendors become provider entries with promptfoo's
// endpoint and key variable; Azure deployments an azure entry with the
// config's host and api-version; graders get the same entries.
func TestImportVendorsAndAzure(t *testing.T) {
	files := map[string]string{"evals.yaml": `
prompts: ['{{q}}']
providers:
  - openrouter:meta-llama/llama-3.1-8b-instruct:free
  - id: groq:llama-3.3-70b-versatile
    config: {apiBaseUrl: https://example.com/v1, temperature: 0.2}
  - togetherai:chat:meta-llama/Llama-3-8b-chat-hf
  - deepseek:deepseek-chat
  - perplexity:sonar
  - id: mistral:mistral-small-latest
    config: {apiKeyEnvar: MY_MISTRAL_KEY}
  - id: azure:chat:gpt4o-prod
    config: {apiHost: 'https://my-res.openai.azure.com/', apiVersion: 2024-10-21, azureClientId: abc}
  - azureopenai:chat:gpt4o-mini
  - togetherai:embedding:bge
tests:
  - vars: {q: hi}
    assert:
      - type: llm-rubric
        value: is polite
        provider: groq:llama-3.1-8b-instant
`}
	r, err := Import("evals.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	wantTargets := []string{"openrouter:meta-llama/llama-3.1-8b-instruct:free", "groq:llama-3.3-70b-versatile",
		"togetherai:meta-llama/Llama-3-8b-chat-hf", "deepseek:deepseek-chat", "perplexity:sonar",
		"mistral:mistral-small-latest", "azure:gpt4o-prod", "azure-2:gpt4o-mini"}
	if !reflect.DeepEqual(r.Targets, wantTargets) {
		t.Errorf("targets = %q, want %q", r.Targets, wantTargets)
	}
	wantHints := []ProviderHint{
		{Name: "openrouter", Type: "openai", BaseURL: "https://openrouter.ai/api/v1", APIKeyEnv: "OPENROUTER_API_KEY"},
		{Name: "groq", Type: "openai", BaseURL: "https://api.groq.com/openai/v1", APIKeyEnv: "GROQ_API_KEY"},
		{Name: "togetherai", Type: "openai", BaseURL: "https://api.together.xyz/v1", APIKeyEnv: "TOGETHER_API_KEY"},
		{Name: "deepseek", Type: "openai", BaseURL: "https://api.deepseek.com/v1", APIKeyEnv: "DEEPSEEK_API_KEY"},
		{Name: "perplexity", Type: "openai", BaseURL: "https://api.perplexity.ai", APIKeyEnv: "PERPLEXITY_API_KEY"},
		{Name: "mistral", Type: "openai", BaseURL: "https://api.mistral.ai/v1", APIKeyEnv: "MY_MISTRAL_KEY"},
		{Name: "azure", Type: "azure", BaseURL: "https://my-res.openai.azure.com", APIKeyEnv: "AZURE_API_KEY", APIVersion: "2024-10-21"},
		{Name: "azure-2", Type: "azure", BaseURL: "https://${AZURE_API_HOST}", APIKeyEnv: "AZURE_API_KEY", APIVersion: "2024-12-01-preview"},
	}
	if !reflect.DeepEqual(r.Providers, wantHints) {
		t.Errorf("hints =\n%+v\nwant\n%+v", r.Providers, wantHints)
	}
	if c := r.Suite.Cases[0].Checks; len(c) != 1 || c[0].Provider != "groq:llama-3.1-8b-instant" {
		t.Errorf("grader = %+v", c)
	}
	issues := issueLines(r)
	wantIssues := []string{
		"evals.yaml:6: provider groq:llama-3.3-70b-versatile: config.apiBaseUrl is not imported: promptfoo's groq provider ignores it and calls https://api.groq.com/openai/v1 with GROQ_API_KEY, as whet will",
		"evals.yaml:6: provider groq:llama-3.3-70b-versatile sets temperature 0.2 and openrouter:meta-llama/llama-3.1-8b-instruct:free, togetherai:chat:meta-llama/Llama-3-8b-chat-hf, deepseek:deepseek-chat, perplexity:sonar, mistral:mistral-small-latest, azure:chat:gpt4o-prod, azureopenai:chat:gpt4o-mini do not: whet keeps params on the prompt, so every target gets temperature 0.2",
		"evals.yaml:13: provider azure:chat:gpt4o-prod: config.azureClientId is not imported: whet sends Azure an API key (api_key_env) or an Entra ID token (api_key_cmd: az account get-access-token --resource https://cognitiveservices.azure.com --query accessToken -o tsv)",
		"evals.yaml:14: provider azureopenai:chat:gpt4o-mini: its config names no apiHost or apiBaseUrl, so promptfoo read the endpoint from the environment: the azure provider's base_url is https://${AZURE_API_HOST} (whet expands it when it reads its config); edit it if you set AZURE_OPENAI_API_HOST or AZURE_API_BASE_URL instead",
		`evals.yaml:15: provider "togetherai:embedding:bge" is not supported by whet (an embedding model is not a chat target): it is not among the targets`,
	}
	if !reflect.DeepEqual(issues, wantIssues) {
		t.Errorf("issues =\n%s\nwant\n%s", strings.Join(issues, "\n"), strings.Join(wantIssues, "\n"))
	}
}

// xAI, Fireworks, Cerebras and LocalAI import with the endpoints and key
// variables promptfoo's providers call them with: xAI's region picks its
// regional endpoint, and LocalAI (no key) notes the variable promptfoo
// would have read.
func TestImportMoreVendors(t *testing.T) {
	files := map[string]string{"evals.yaml": `
prompts: ['{{q}}']
providers:
  - xai:grok-4
  - id: xai:grok-4.3
    config: {region: eu-west-1, apiBaseUrl: https://example.com/v1}
  - fireworks:accounts/fireworks/models/llama-v3p1-8b-instruct
  - id: cerebras:gpt-oss-120b
    config: {apiBaseUrl: https://cerebras.internal.example/v1}
  - localai:chat:llama3
  - id: localai:mistral
    config: {apiBaseUrl: http://127.0.0.1:9090/v1}
tests:
  - vars: {q: hi}
`}
	r, err := Import("evals.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	wantTargets := []string{"xai:grok-4", "xai-eu-west-1:grok-4.3",
		"fireworks:accounts/fireworks/models/llama-v3p1-8b-instruct", "cerebras.internal.example:gpt-oss-120b",
		"localai:llama3", "127.0.0.1-9090:mistral"}
	if !reflect.DeepEqual(r.Targets, wantTargets) {
		t.Errorf("targets = %q, want %q", r.Targets, wantTargets)
	}
	wantHints := []ProviderHint{
		{Name: "xai", Type: "openai", BaseURL: "https://api.x.ai/v1", APIKeyEnv: "XAI_API_KEY"},
		{Name: "xai-eu-west-1", Type: "openai", BaseURL: "https://eu-west-1.api.x.ai/v1", APIKeyEnv: "XAI_API_KEY"},
		{Name: "fireworks", Type: "openai", BaseURL: "https://api.fireworks.ai/inference/v1", APIKeyEnv: "FIREWORKS_API_KEY"},
		{Name: "cerebras.internal.example", Type: "openai", BaseURL: "https://cerebras.internal.example/v1", APIKeyEnv: "CEREBRAS_API_KEY"},
		{Name: "localai", Type: "openai", BaseURL: "http://localhost:8080/v1"},
		{Name: "127.0.0.1-9090", Type: "openai", BaseURL: "http://127.0.0.1:9090/v1"},
	}
	if !reflect.DeepEqual(r.Providers, wantHints) {
		t.Errorf("hints =\n%+v\nwant\n%+v", r.Providers, wantHints)
	}
	issues := issueLines(r)
	wantIssues := []string{
		"evals.yaml:6: provider xai:grok-4.3: config.apiBaseUrl is not imported: promptfoo's xai provider ignores it and calls https://api.x.ai/v1 (https://REGION.api.x.ai/v1 given config.region) with XAI_API_KEY, as whet will",
		"evals.yaml:10: provider localai:chat:llama3: its config names no apiBaseUrl, so promptfoo called $LOCALAI_BASE_URL when set, else http://localhost:8080/v1: the localai provider's base_url is http://localhost:8080/v1; edit it if you set LOCALAI_BASE_URL",
	}
	if !reflect.DeepEqual(issues, wantIssues) {
		t.Errorf("issues =\n%s\nwant\n%s", strings.Join(issues, "\n"), strings.Join(wantIssues, "\n"))
	}
}

// max_completion_tokens is whet's max_tokens, which whet sends under the
// name each server wants: providers setting one or the other agree, and no
// max_completion_tokens goes to servers that refuse it.
func TestImportMaxCompletionTokens(t *testing.T) {
	files := map[string]string{"evals.yaml": `
prompts:
  - raw: '{{q}}'
    config: {max_completion_tokens: 50}
  - '{{q}} again'
providers:
  - id: groq:llama-3.3-70b-versatile
    config: {max_completion_tokens: 200}
  - id: mistral:mistral-small-latest
    config: {max_tokens: 200}
tests:
  - vars: {q: hi}
`}
	r, err := Import("evals.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Unsupported) != 0 {
		t.Errorf("issues = %+v", r.Unsupported)
	}
	if len(r.Prompts) != 2 {
		t.Fatalf("prompts = %+v", r.Prompts)
	}
	for i, want := range []int{50, 200} {
		p := r.Prompts[i].Params
		if p.MaxTokens == nil || *p.MaxTokens != want || len(p.Extra) != 0 {
			t.Errorf("prompt %d params = %+v, want max_tokens %d only", i, p, want)
		}
	}
	files["evals.yaml"] = "prompts: ['{{q}}']\nproviders:\n  - id: openai:o3\n    config: {max_tokens: 100, max_completion_tokens: 400}\ntests:\n  - vars: {q: hi}\n"
	if r, err = Import("evals.yaml", memFS(files)); err != nil {
		t.Fatal(err)
	}
	if p := r.Prompts[0].Params; p.MaxTokens == nil || *p.MaxTokens != 100 || fmt.Sprint(p.Extra) != "map[max_completion_tokens:400]" {
		t.Errorf("both set: params = %+v", p)
	}
}

// A mapping of provider ids keeps the file's order, as promptfoo runs them.
func TestImportProviderMapOrder(t *testing.T) {
	files := map[string]string{"evals.yaml": `
prompts: ['{{q}}']
providers:
  openai:gpt-4o-mini: {}
  anthropic:messages:claude-haiku-4-5: {}
  google:gemini-2.5-flash: {}
  echo: {}
tests:
  - vars: {q: hi}
`}
	r, err := Import("evals.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"openai:gpt-4o-mini", "anthropic:claude-haiku-4-5", "gemini:gemini-2.5-flash", "echo"}
	if !reflect.DeepEqual(r.Targets, want) {
		t.Errorf("targets = %q, want %q", r.Targets, want)
	}
}

// evaluateOptions' repeat and maxConcurrency must be whole numbers to be
// taken for whet run's --repeat and -j.
func TestImportEvaluateOptionsValues(t *testing.T) {
	files := map[string]string{"evals.yaml": "prompts: ['{{q}}']\nproviders: [echo]\nevaluateOptions:\n  repeat: two\n  maxConcurrency: 0\n  showProgressBar: false\ntests:\n  - vars: {q: hi}\n"}
	r, err := Import("evals.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	want := []Issue{
		{File: "evals.yaml", Line: 4, What: "evaluateOptions.repeat two is not imported: want a whole number from 1 to 10000 (whet run --repeat)"},
		{File: "evals.yaml", Line: 5, What: "evaluateOptions.maxConcurrency 0 is not imported: want a whole number from 1 to 10000 (whet run -j)"},
	}
	if r.Repeat != 0 || r.Jobs != 0 || !reflect.DeepEqual(r.Unsupported, want) {
		t.Errorf("repeat %d, jobs %d, issues %+v", r.Repeat, r.Jobs, r.Unsupported)
	}
}

// outputPath names the files whet run -o writes of the same kind; the
// others are reported, a plain .xml (promptfoo's own XML) among them.
func TestImportOutputPath(t *testing.T) {
	files := map[string]string{
		"one.yaml":  "prompts: ['{{q}}']\nproviders: [echo]\noutputPath: out/results.json\ntests:\n  - vars: {q: hi}\n",
		"many.yaml": "prompts: ['{{q}}']\nproviders: [echo]\noutputPath:\n  - results.csv\n  - ci/results.JUnit.xml\n  - report.html\n  - legacy.xml\n  - notes.md\ntests:\n  - vars: {q: hi}\n",
	}
	r, err := Import("one.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Outputs, []string{"out/results.json"}) || len(r.Unsupported) != 0 {
		t.Errorf("outputs %q, issues %+v", r.Outputs, r.Unsupported)
	}
	r, err = Import("many.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	want := []Issue{
		{File: "many.yaml", Line: 6, What: "outputPath report.html is not imported: whet run -o writes .json, .csv, .md or .xml (JUnit)"},
		{File: "many.yaml", Line: 7, What: "outputPath legacy.xml is not imported: it is promptfoo's own XML, and whet writes JUnit XML to a .xml file (name it legacy.junit.xml for a CI system's test report)"},
	}
	if !reflect.DeepEqual(r.Outputs, []string{"results.csv", "ci/results.JUnit.xml", "notes.md"}) || !reflect.DeepEqual(r.Unsupported, want) {
		t.Errorf("outputs %q, issues %+v", r.Outputs, r.Unsupported)
	}
}

// {{ var | safe }} is {{ var }}: promptfoo renders with autoescape off, so
// the filter changes nothing; a config's own safe filter is another matter.
func TestImportSafeFilter(t *testing.T) {
	files := map[string]string{"evals.yaml": "prompts:\n  - 'Context: {{ context | safe }} Q: {{question|safe}} {{ a | safe | trim }}'\n  - 'Context: {{ context | safe }}'\nproviders: [echo]\ntests:\n  - vars: {context: c, question: q}\n"}
	r, err := Import("evals.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Prompts) != 1 || r.Prompts[0].Messages[0].Content != "Context: {{ context }}" {
		t.Errorf("prompts = %+v", r.Prompts)
	}
	if len(r.Unsupported) != 1 || !strings.Contains(r.Unsupported[0].What, "{{ a | safe | trim }}") {
		t.Errorf("issues = %+v", r.Unsupported)
	}
	files["evals.yaml"] = "nunjucksFilters: {safe: ./safe.js}\n" + files["evals.yaml"]
	if r, err = Import("evals.yaml", memFS(files)); err != nil {
		t.Fatal(err)
	}
	if len(r.Prompts) != 0 {
		t.Errorf("with a custom safe filter: prompts = %+v", r.Prompts)
	}
}

// A prompt written as text that is a chat, a JSON list of messages or a
// YAML one, is sent by promptfoo's chat providers as those messages, in a
// .txt file's part (promptfoo's config-separate-test-configs example), a
// whole .txt file (a tutoring config's "- role: system" prompt), a .md
// file or inline; text in brackets stays text, and a chat whet cannot read
// before its variables are filled in is reported, not imported as text.
func TestImportTextThatIsAChat(t *testing.T) {
	files := map[string]string{
		"c/promptfooconfig.yaml": `
prompts:
  - file://prompts.txt
  - prompts/tutor.txt
  - file://chat.md
  - '[INST] {{q}} [/INST]'
  - file://broken.txt
providers: [openai:gpt-4o-mini]
`,
		"c/prompts.txt":       "Generate a list of creative {{content_type}} about {{topic}}.\n---\n[{\n  \"role\": \"system\",\n  \"content\": \"{{system_message}}\"\n}, {\n  \"role\": \"user\",\n  \"content\": \"Suggest a {{content_type}} on the topic of {{topic}}\"\n}]\n",
		"c/prompts/tutor.txt": "- role: system\n  content: |\n    You are a teaching assistant.\n\n- role: user\n  content: '{{ question }}'",
		"c/chat.md":           "- role: system\n  content: Be brief\n- role: assistant\n  content: Hi\n- role: user\n  content: \"{{q}}\"\n",
		"c/broken.txt":        "Intro\n---\n[{\"role\": \"user\", \"content\": {{ msgs | dump }}}]\n",
	}
	r, err := Import("c/promptfooconfig.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]prompt.Message{}
	for _, p := range r.Prompts {
		got[p.Name] = p.Messages
	}
	want := map[string][]prompt.Message{
		"c/prompts-1": user("Generate a list of creative {{content_type}} about {{topic}}."),
		"c/prompts-2": {{Role: "system", Content: "{{system_message}}"}, {Role: "user", Content: "Suggest a {{content_type}} on the topic of {{topic}}"}},
		"c/tutor":     {{Role: "system", Content: "You are a teaching assistant."}, {Role: "user", Content: "{{ question }}"}},
		"c/chat":      {{Role: "system", Content: "Be brief"}, {Role: "assistant", Content: "Hi"}, {Role: "user", Content: "{{q}}"}},
		"c/prompt-4":  user("[INST] {{q}} [/INST]"),
		"c/broken-1":  user("Intro"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("prompts =\n%v\nwant\n%v", got, want)
	}
	if len(r.Unsupported) != 1 || r.Unsupported[0].File != "c/broken.txt" || r.Unsupported[0].Line != 3 ||
		!strings.Contains(r.Unsupported[0].What, "prompt broken-2 is not imported: it is written as a chat") {
		t.Errorf("issues = %v", r.Unsupported)
	}
}

// promptfoo's google provider takes Gemini's names (maxOutputTokens, topP,
// topK, stopSequences), in its config or its generationConfig, as
// promptfoo's google-aistudio-gemini example writes them; they are whet's
// params, scoped to Gemini when other kinds of provider give others. An
// Anthropic provider's extended thinking is Anthropic's alone.
func TestImportVendorParamNames(t *testing.T) {
	files := map[string]string{"g.yaml": `
prompts: ['{{q}}']
providers:
  - id: google:gemini-2.5-pro
    config:
      maxOutputTokens: 8192
      topK: 40
      generationConfig:
        temperature: 0.7
        stopSequences: [END]
        thinkingConfig: {thinkingBudget: 1024}
  - id: anthropic:messages:claude-sonnet-4-5
    config:
      max_tokens: 8192
      thinking: {type: enabled, budget_tokens: 4096}
`}
	r, err := Import("g.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	p := r.Prompts[0].Params
	want := map[string]any{
		"gemini.top_k": 40, "gemini.temperature": 0.7, "gemini.stop": []any{"END"},
		"gemini.thinkingConfig": map[string]any{"thinkingBudget": 1024},
		"anthropic.thinking":    map[string]any{"type": "enabled", "budget_tokens": 4096},
	}
	gotJSON, _ := json.Marshal(p.Extra)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) || p.Temperature != nil || p.MaxTokens == nil || *p.MaxTokens != 8192 {
		t.Errorf("params = %+v %s\nwant extra %s", p, gotJSON, wantJSON)
	}
	if len(r.Unsupported) != 0 {
		t.Errorf("issues = %v", r.Unsupported)
	}
}

// A google provider's structured output, written in its generationConfig
// as promptfoo's documentation writes it (response_mime_type,
// response_schema) by a test-triage config, is Gemini's alone, in Gemini's
// spelling, which whet's gemini provider puts in generationConfig.
func TestImportGeminiStructuredOutput(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{"c.yaml": `
prompts: ['Classify: {{failure}}']
providers:
  - id: google:gemini-2.5-flash-lite
    config:
      generationConfig:
        response_mime_type: application/json
        response_schema:
          type: object
          properties:
            category: {type: string, enum: [product-bug, test-bug, flaky]}
          required: [category]
        candidate_count: 1
        safety_settings: []
  - openai:gpt-4.1-mini
`}))
	if err != nil {
		t.Fatal(err)
	}
	p := r.Prompts[0].Params
	want := map[string]any{
		"gemini.responseMimeType": "application/json",
		"gemini.responseSchema": map[string]any{
			"type":       "object",
			"properties": map[string]any{"category": map[string]any{"type": "string", "enum": []any{"product-bug", "test-bug", "flaky"}}},
			"required":   []any{"category"},
		},
		"gemini.candidateCount": 1,
	}
	gotJSON, _ := json.Marshal(p.Extra)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("params %s\nwant   %s", gotJSON, wantJSON)
	}
	wantIssues := []Issue{{File: "c.yaml", Line: 14, What: "provider google:gemini-2.5-flash-lite: config.generationConfig.safety_settings is not imported"}}
	if !reflect.DeepEqual(r.Unsupported, wantIssues) {
		t.Errorf("issues = %v", r.Unsupported)
	}
}

// An is-json assert whose value is false (as a chatbot config writes it)
// is promptfoo's plain JSON check, not the JSON Schema false that rejects
// every value; true, which promptfoo refuses, is reported.
func TestImportIsJSONBooleanValue(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{"c.yaml": `
prompts: ['{{q}}']
tests:
  - vars: {q: a}
    assert:
      - type: is-json
        value: false
      - type: not-contains-json
        value: true
`}))
	if err != nil {
		t.Fatal(err)
	}
	want := []prompt.Check{{Type: "is-json"}}
	if !reflect.DeepEqual(r.Suite.Cases[0].Checks, want) {
		t.Errorf("checks = %#v", r.Suite.Cases[0].Checks)
	}
	if len(r.Unsupported) != 1 || r.Unsupported[0].Line != 8 || !strings.Contains(r.Unsupported[0].What, "value true is not a JSON Schema") {
		t.Errorf("issues = %v", r.Unsupported)
	}
}

// A var given as a mapping whose fields the prompt reads ({{user.name}},
// as Nunjucks reads an object) gives each field read a var of its own;
// the mapping is its JSON, keys in the order the file writes them.
func TestImportObjectVarFields(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{"c.yaml": `
prompts: ['Suggest for {{user_profile.name}} ({{user_profile.interests}}, {{user_profile.address.city}}) after {{recent.type}} {{user_profile.missing}}']
tests:
  - vars:
      user_profile:
        name: John Doe
        interests: [reading, gaming]
        address: {city: Oslo}
      recent: {type: reading, details: {title: Gatsby}}
`}))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"user_profile":              `{"name":"John Doe","interests":["reading","gaming"],"address":{"city":"Oslo"}}`,
		"user_profile.name":         "John Doe",
		"user_profile.interests":    "reading,gaming",
		"user_profile.address.city": "Oslo",
		"recent":                    `{"type":"reading","details":{"title":"Gatsby"}}`,
		"recent.type":               "reading",
	}
	if got := r.Suite.Cases[0].Vars; !reflect.DeepEqual(got, want) {
		t.Errorf("vars = %v\nwant %v", got, want)
	}
}

// An OpenAI provider's response_format (JSON mode, as a ticket summarizer's
// config sets it, or a schema read from a file://) is a param whet's
// OpenAI-type providers send as it is, the OpenAI kind's alone when other
// kinds run too.
func TestImportResponseFormat(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{
		"c.yaml": `
prompts: ['{{q}}']
providers:
  - id: openai:chat:gpt-4o-mini
    config:
      response_format:
        type: json_object
  - id: openai:gpt-4.1
    config:
      response_format: file://format.json
  - anthropic:messages:claude-sonnet-4-5
`,
		"format.json": `{"type": "json_object"}`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	p := r.Prompts[0].Params
	rf, _ := p.Extra["openai.response_format"].(map[string]any)
	if rf["type"] != "json_object" || len(p.Extra) != 1 {
		t.Errorf("params = %+v", p)
	}
	if len(r.Unsupported) != 0 {
		t.Errorf("issues = %v", r.Unsupported)
	}
}

// promptfoo's anthropic:claude-agent-sdk (and its alias anthropic:claude-code)
// runs Claude Code as an agent in a working directory: as a code-generation
// eval writes it, it is reported, not made the model "claude-agent-sdk".
func TestImportClaudeAgentSDKProvider(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{
		"c.yaml": `
providers:
  - id: anthropic:claude-agent-sdk
    label: claude-code
    config:
      model: claude-sonnet-4-6
      working_dir: ../app
  - anthropic:messages:claude-haiku-4-5
prompts: ['{{task}}']
tests:
  - vars: {task: Build a form}
`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"anthropic:claude-haiku-4-5"}; !reflect.DeepEqual(r.Targets, want) {
		t.Errorf("targets = %v, want %v", r.Targets, want)
	}
	want := Issue{File: "c.yaml", Line: 3, What: `provider "anthropic:claude-agent-sdk" is not supported by whet (anthropic:claude-agent-sdk runs the Claude Agent SDK, an agent with tools; whet sends prompts to models: anthropic:messages:<model>): it is not among the targets`}
	if !slices.Contains(r.Unsupported, want) {
		t.Errorf("issues = %v\nwant among them %v", r.Unsupported, want)
	}
}

// A test that leaves a variable the prompts read unset (a test with only
// options, a CSV without the column) renders it as empty text in
// promptfoo, whose Nunjucks prints an undefined variable as nothing: the
// case has it "", and one line says so for all the rows alike.
func TestImportUnsetVarsAreEmpty(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{
		"c.yaml": `
prompts: ['Recommend a book to {{profile.name}} about {{topic}}, in {{lang}}.']
defaultTest:
  vars: {lang: English}
tests:
  - vars:
      profile: {name: Ana}
      topic: sea
  - options:
      transform: output.toLowerCase()
  - file://rows.csv
`,
		"rows.csv": "topic\nbirds\ntrees\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Suite.Cases) != 4 {
		t.Fatalf("cases = %+v", r.Suite.Cases)
	}
	if got := r.Suite.Cases[0].Vars; got["profile.name"] != "Ana" || got["topic"] != "sea" {
		t.Errorf("case 1 vars = %v", got)
	}
	want := map[string]string{"lang": "English", "profile.name": "", "topic": ""}
	if got := r.Suite.Cases[1].Vars; !reflect.DeepEqual(got, want) {
		t.Errorf("case 2 vars = %v, want %v", got, want)
	}
	want = map[string]string{"lang": "English", "profile.name": "", "topic": "trees"}
	if got := r.Suite.Cases[3].Vars; !reflect.DeepEqual(got, want) {
		t.Errorf("case 4 vars = %v, want %v", got, want)
	}
	var notes []Issue
	for _, is := range r.Unsupported {
		if strings.Contains(is.What, "not set") {
			notes = append(notes, is)
		}
	}
	wantNotes := []Issue{
		{File: "c.yaml", Line: 9, What: `test 2: {{profile.name}}, {{topic}} not set, which the prompts read: "" in the case, as promptfoo renders an undefined variable as empty text`},
		{File: "rows.csv", Line: 2, What: `row 1 (and 1 more in rows.csv): {{profile.name}} not set, which the prompts read: "" in the case, as promptfoo renders an undefined variable as empty text`},
	}
	if !reflect.DeepEqual(notes, wantNotes) {
		t.Errorf("notes = %v\nwant %v", notes, wantNotes)
	}

	// promptfoo fills {{_conversation}} and an earlier test's stored
	// output itself: they stay unset, for the run to name, not "".
	r, err = Import("c.yaml", memFS(map[string]string{
		"c.yaml": `
prompts: ['{{_conversation}} Respond: {{message}} (you said {{fruit}})']
tests:
  - vars: {message: Pick a fruit}
    options: {storeOutputAs: fruit}
  - vars: {message: Why that one?}
`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	want = map[string]string{"message": "Why that one?"}
	if got := r.Suite.Cases[1].Vars; !reflect.DeepEqual(got, want) {
		t.Errorf("case 2 vars = %v, want %v", got, want)
	}
	for _, is := range r.Unsupported {
		if strings.Contains(is.What, "not set") {
			t.Errorf("note %v", is)
		}
	}
}

// What every test or row of a file has alike and whet does not keep (each
// test's metadata, a CSV's __metadata column, each assert's description)
// is one line per file, at the first place, with how many more there are,
// not a line per test.
func TestImportRepeatedIssuesOnce(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{
		"c.yaml": `
prompts: ['{{q}}']
tests:
  - vars: {q: a}
    metadata: {tier: smoke}
    assert:
      - type: is-json
        description: output is JSON
  - vars: {q: b}
    metadata: {tier: full}
    assert:
      - type: contains
        value: b
        description: names b
  - vars: {q: c}
    metadata: {tier: full}
  - file://rows.csv
`,
		"rows.csv": "q,__expected,__metadata:category\nd,contains:d,x\ne,contains:e,y\nf,contains:f,z\n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := []Issue{
		{File: "c.yaml", Line: 5, What: `test 1 (and 2 more in c.yaml): metadata is not imported`},
		{File: "c.yaml", Line: 8, What: `test 1: assert 1 (is-json) (and 1 more in c.yaml): description is not imported`},
		{File: "rows.csv", Line: 2, What: `row 1 (and 2 more in rows.csv): column __metadata:category is not imported`},
	}
	if !reflect.DeepEqual(r.Unsupported, want) {
		t.Errorf("issues = %v\nwant %v", r.Unsupported, want)
	}
	if len(r.Suite.Cases) != 6 {
		t.Errorf("cases = %d, want 6", len(r.Suite.Cases))
	}
}

// A prompt written {id, content} (as for a red team target) is, in
// promptfoo, the text of its id: whet imports the same and says why the
// content it left out is not the prompt.
func TestImportPromptIDWithContent(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{
		"c.yaml": `
prompts:
  - id: travel-agent
    content: |
      You are a travel agent.
      User: {{prompt}}
tests:
  - vars: {prompt: hi}
`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Prompts) != 1 || !reflect.DeepEqual(r.Prompts[0].Messages, user("travel-agent")) {
		t.Errorf("prompts = %+v", r.Prompts)
	}
	want := []Issue{{File: "c.yaml", Line: 4, What: `prompt 1: content is not imported: promptfoo takes a prompt's text from raw, else id, so the prompt is the text "travel-agent"`}}
	if !reflect.DeepEqual(r.Unsupported, want) {
		t.Errorf("issues = %v\nwant %v", r.Unsupported, want)
	}
}

// An llm-rubric's provider named by the id of a configured Azure provider
// is, in promptfoo, a new provider of that id without its config: the
// endpoint comes from the environment, and the note says it is the
// grader's, whose provider entry has it.
func TestImportAzureGraderWithoutConfig(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{
		"c.yaml": `
providers:
  - id: azure:chat:gpt-4o-mini
    config:
      apiHost: https://acme.openai.azure.com/
      apiVersion: 2024-02-15-preview
prompts: ['Feedback on {{answer}}']
tests:
  - vars: {answer: George Washington}
    assert:
      - type: llm-rubric
        provider: azure:chat:gpt-4o-mini
        value: Notes the missing second figure
`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	wantHints := []ProviderHint{
		{Name: "azure", Type: "azure", BaseURL: "https://acme.openai.azure.com", APIKeyEnv: "AZURE_API_KEY", APIVersion: "2024-02-15-preview"},
		{Name: "azure-2", Type: "azure", BaseURL: "https://${AZURE_API_HOST}", APIKeyEnv: "AZURE_API_KEY", APIVersion: "2024-12-01-preview"},
	}
	if !reflect.DeepEqual(r.Providers, wantHints) {
		t.Errorf("providers = %+v\nwant %+v", r.Providers, wantHints)
	}
	if c := r.Suite.Cases[0].Checks[0]; c.Provider != "azure-2:gpt-4o-mini" {
		t.Errorf("grader = %q", c.Provider)
	}
	want := []Issue{{File: "c.yaml", Line: 12, What: "grader azure:chat:gpt-4o-mini: promptfoo loads a grader named by its id alone, without the config a provider of that id has, so promptfoo read the endpoint from the environment: the azure provider's base_url is https://${AZURE_API_HOST} (whet expands it when it reads its config); edit it if you set AZURE_OPENAI_API_HOST or AZURE_API_BASE_URL instead"}}
	if !reflect.DeepEqual(r.Unsupported, want) {
		t.Errorf("issues = %v\nwant %v", r.Unsupported, want)
	}
}

// An Ollama provider's structured output and thinking, written as config
// keys or, as a transcript-analysis config shares them through a YAML
// anchor, under passthrough (its options merged into the request's), are
// Ollama's params; the x- key holding the anchor is no issue.
func TestImportOllamaFormatAndPassthrough(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{"c.yaml": `
x-chunk-config: &chunk-config
  temperature: 0.2
  passthrough:
    format:
      type: object
      required: [tone]
    options: {num_ctx: 8192}
    keep_alive: 5m
providers:
  - id: ollama:chat:gemma3:12b
    config: *chunk-config
  - id: ollama:chat:qwen3:4b
    config:
      temperature: 0.2
      format:
        type: object
        required: [tone]
      think: false
      passthrough:
        options: {num_ctx: 8192}
prompts: ['Analyze: {{transcript}}']
`}))
	if err != nil {
		t.Fatal(err)
	}
	p := r.Prompts[0].Params
	want := map[string]any{
		"ollama.format":  map[string]any{"type": "object", "required": []any{"tone"}},
		"ollama.num_ctx": 8192,
		"ollama.think":   false,
	}
	gotJSON, _ := json.Marshal(p.Extra)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) || p.Temperature == nil || *p.Temperature != 0.2 {
		t.Errorf("params = %+v %s\nwant extra %s", p, gotJSON, wantJSON)
	}
	var whats []string
	for _, is := range r.Unsupported {
		whats = append(whats, is.What)
	}
	wantWhats := []string{
		"provider ollama:chat:gemma3:12b: config.passthrough.keep_alive is not imported",
		"provider ollama:chat:qwen3:4b sets ollama.think false and ollama:chat:gemma3:12b does not: whet keeps params on the prompt, so every ollama target gets ollama.think false",
	}
	if !reflect.DeepEqual(whats, wantWhats) {
		t.Errorf("issues = %q\nwant %q", whats, wantWhats)
	}
}

// max_tokens on an Ollama provider (as a local comparison sets it on every
// provider alike) is no Ollama option: promptfoo's ollama provider drops
// it, so the import does too and says num_predict is Ollama's; the
// OpenAI provider's max_tokens is kept, for OpenAI alone.
func TestImportOllamaMaxTokensDropped(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{"c.yaml": `
providers:
  - id: ollama:chat:llama3.2
    config: {temperature: 0, max_tokens: 256, num_predict: 512}
  - id: openai:gpt-4o-mini
    config: {temperature: 0, max_tokens: 256}
prompts: ['{{q}}']
`}))
	if err != nil {
		t.Fatal(err)
	}
	p := r.Prompts[0].Params
	if fmt.Sprint(p.Extra["openai.max_tokens"]) != "256" || fmt.Sprint(p.Extra["ollama.num_predict"]) != "512" || p.MaxTokens != nil || p.Temperature == nil {
		t.Errorf("params = %+v", p)
	}
	want := Issue{File: "c.yaml", Line: 4, What: "provider ollama:chat:llama3.2: config.max_tokens is not imported: promptfoo's ollama provider does not send it (Ollama's option for the answer's length is num_predict)"}
	if len(r.Unsupported) == 0 || r.Unsupported[0] != want {
		t.Errorf("issues = %v\nwant first %v", r.Unsupported, want)
	}
}

// ollama:MODEL is promptfoo's completion provider (/api/generate), which
// is sent a prompt's text: a chat prompt arrives as its JSON. The import
// says so for chat prompts, where whet sends messages, and not for a
// single user message, which both send alike.
func TestImportOllamaGenerateNote(t *testing.T) {
	files := map[string]string{
		"c.yaml": "prompts: [file://p.json]\nproviders: [ollama:llama3.2, ollama:chat:qwen3]\n",
		"p.json": `[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "{{q}}"}]`,
	}
	r, err := Import("c.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	want := []Issue{{File: "c.yaml", Line: 2, What: "provider ollama:llama3.2: promptfoo calls it through Ollama's /api/generate with a prompt's text, so it is sent a chat prompt (c/p) as that chat's JSON text; whet sends the messages, as promptfoo's ollama:chat:llama3.2 does"}}
	if !reflect.DeepEqual(r.Unsupported, want) {
		t.Errorf("issues = %v\nwant %v", r.Unsupported, want)
	}
	files["c.yaml"] = "prompts: ['Summarize: {{q}}']\nproviders: [ollama:llama3.2]\n"
	if r, err = Import("c.yaml", memFS(files)); err != nil || len(r.Unsupported) != 0 {
		t.Errorf("plain prompt: issues %v, err %v", r.Unsupported, err)
	}
}

// A prompt's own config (a sentiment prompt's structured output, as people
// write it next to the prompt's raw text) is merged by promptfoo into
// every provider's: its response_format is the OpenAI kind's param, as a
// provider's is, and thinking the Anthropic kind's.
func TestImportPromptConfigResponseFormat(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{
		"c.yaml": `
providers: [openai:gpt-4.1-mini]
prompts:
  - label: Sentiment
    raw: 'Classify: {{text}}'
    config:
      temperature: 0
      response_format:
        type: json_schema
        json_schema:
          name: Sentiment
          schema: {type: object, required: [sentiment]}
  - label: From file
    raw: 'Again: {{text}}'
    config:
      response_format: file://format.json
      thinking: {type: enabled, budget_tokens: 1024}
tests:
  - vars: {text: fine}
`,
		"format.json": `{"type": "json_object"}`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Unsupported) != 0 {
		t.Errorf("issues = %v", r.Unsupported)
	}
	p := r.Prompts[0].Params
	rf, _ := p.Extra["openai.response_format"].(map[string]any)
	if rf["type"] != "json_schema" || rf["json_schema"] == nil || p.Temperature == nil {
		t.Errorf("prompt 1 params = %+v", p)
	}
	p = r.Prompts[1].Params
	rf, _ = p.Extra["openai.response_format"].(map[string]any)
	th, _ := p.Extra["anthropic.thinking"].(map[string]any)
	if rf["type"] != "json_object" || th["type"] != "enabled" {
		t.Errorf("prompt 2 params = %+v", p)
	}
}

// A threshold on an assert that passes or fails outright (contains,
// starts-with, as promptfoo's own contains handler never reads it) leaves
// the check as promptfoo grades it, without the threshold, and says so;
// in a CSV, __config:__expected:threshold on such an assert too.
func TestImportThresholdOnPassFailAssert(t *testing.T) {
	r, err := ImportWith("c.yaml", memFS(map[string]string{
		"c.yaml": `
prompts: ['{{q}}']
tests:
  - vars: {q: a}
    assert:
      - type: contains
        value: x
        threshold: 0.5
      - type: similar
        value: y
        threshold: 2
  - file://t.csv
`,
		"t.csv": "q,__expected,__config:__expected:threshold\nb,icontains:z,0.7\n",
	}), eval.ValidateCheck)
	if err != nil {
		t.Fatal(err)
	}
	want := []prompt.Case{
		{Vars: map[string]string{"q": "a"}, Checks: []prompt.Check{{Type: "contains", Value: "x"}}},
		{Vars: map[string]string{"q": "b"}, Checks: []prompt.Check{{Type: "icontains", Value: "z"}}},
	}
	if !reflect.DeepEqual(r.Suite.Cases, want) {
		t.Errorf("cases = %+v", r.Suite.Cases)
	}
	issues := issueLines(r)
	wantIssues := []string{
		"c.yaml:6: test 1: assert 1 (contains): threshold 0.5 is not imported: promptfoo ignores it, as contains passes or fails outright",
		"c.yaml:9: test 1: assert 2 (similar) is not imported: threshold: 2 is not a cosine similarity in [-1,1]; the case keeps its other checks",
		"t.csv:2: row 1: __expected (icontains): threshold 0.7 is not imported: promptfoo ignores it, as icontains passes or fails outright",
	}
	if !reflect.DeepEqual(issues, wantIssues) {
		t.Errorf("issues =\n%s", strings.Join(issues, "\n"))
	}
}

// A param only one kind of provider understands (response_format,
// thinking) stays that kind's even when the config has no other kind, so
// a target of another kind chosen when running is not sent it; when only
// some providers of the kind set it, the rest of the kind get it, and
// that is reported.
func TestImportVendorParamsStayScoped(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{"c.yaml": `
prompts: ['{{q}}']
providers:
  - id: openai:gpt-4o-mini
    config:
      response_format: {type: json_object}
  - openai:gpt-4.1
`}))
	if err != nil {
		t.Fatal(err)
	}
	if p := r.Prompts[0].Params; len(p.Extra) != 1 || p.Extra["openai.response_format"] == nil {
		t.Errorf("params = %+v", p)
	}
	want := []Issue{{File: "c.yaml", Line: 6, What: `provider openai:gpt-4o-mini sets openai.response_format {"type":"json_object"} and openai:gpt-4.1 does not: whet keeps params on the prompt, so every openai target gets openai.response_format {"type":"json_object"}`}}
	if !reflect.DeepEqual(r.Unsupported, want) {
		t.Errorf("issues = %v", r.Unsupported)
	}
	r, err = Import("c.yaml", memFS(map[string]string{"c.yaml": `
prompts: ['{{q}}']
providers:
  - id: anthropic:messages:claude-sonnet-4-5
    config:
      max_tokens: 8192
      thinking: {type: enabled, budget_tokens: 4096}
`}))
	if err != nil {
		t.Fatal(err)
	}
	if p := r.Prompts[0].Params; len(p.Extra) != 1 || p.Extra["anthropic.thinking"] == nil || len(r.Unsupported) != 0 {
		t.Errorf("params = %+v, issues %v", p, r.Unsupported)
	}
}

// A var's value that reads other vars gets them, and loses one final
// newline, as promptfoo 0.123.1 itself rendered this config (its echo
// provider answered "Q: data: {"a":1,"b":["x","y"]} and Ana Smith | Hi
// {{nobody}}" and "Q: two lines | x\n").
func TestImportVarsReadingVars(t *testing.T) {
	files := map[string]string{
		"c.yaml": `
prompts: ['Q: {{question}} | {{greeting}}']
tests:
  - vars:
      question: "data: {{data}} and {{ name }}"
      data: file://data.yaml
      name: "{{first}} Smith"
      first: Ana
      greeting: "Hi {{nobody}}"
  - vars:
      question: |
        two lines
      greeting: "x\n\n"
`,
		"data.yaml": "a: 1\nb: [x, y]\n",
	}
	r, err := Import("c.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	want := []prompt.Case{
		{Vars: map[string]string{"question": `data: {"a":1,"b":["x","y"]} and Ana Smith`, "data": `{"a":1,"b":["x","y"]}`,
			"name": "Ana Smith", "first": "Ana", "greeting": "Hi {{nobody}}"}},
		{Vars: map[string]string{"question": "two lines", "greeting": "x\n"}},
	}
	if !reflect.DeepEqual(r.Suite.Cases, want) {
		t.Errorf("cases =\n%+v\nwant\n%+v", r.Suite.Cases, want)
	}
}

// List-valued vars expand in the order they are written, the first varying
// slowest, as promptfoo 0.123.1 numbered its tests for this config (French
// with each input, then German).
func TestImportListVarsExpandInWrittenOrder(t *testing.T) {
	files := map[string]string{"c.yaml": `
prompts: ['{{language}}: {{input}}']
tests:
  - vars:
      language: [French, German]
      input: [Hello, Bye]
`}
	r, err := Import("c.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range r.Suite.Cases {
		got = append(got, c.Vars["language"]+" "+c.Vars["input"])
	}
	want := []string{"French Hello", "French Bye", "German Hello", "German Bye"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("cases = %q, want %q", got, want)
	}
}

// An apiKey that is exactly a reference to an environment variable
// ("{{ env.NAME }}", as promptfoo renders config values, or "${NAME}") is
// imported as that variable's name in api_key_env; a literal key, or a
// reference with text around it, stays refused and never enters the
// result.
func TestImportAPIKeyFromEnv(t *testing.T) {
	files := map[string]string{"evals.yaml": `
prompts: ['{{q}}']
providers:
  - id: openai:chat:local-model
    config: {apiBaseUrl: 'http://localhost:1234/v1', apiKey: '{{ env.LMSTUDIO_KEY }}'}
  - id: openai:chat:other-model
    config: {apiBaseUrl: 'http://gpu-box:8000/v1', apiKey: '${VLLM_KEY}', apiKeyEnvar: IGNORED_KEY}
  - id: mistral:mistral-small-latest
    config: {apiKey: '{{env.TEAM_MISTRAL_KEY}}'}
  - id: openai:gpt-4o-mini
    config: {apiKey: '${TEAM_OPENAI_KEY}'}
  - id: openai:chat:third
    config: {apiBaseUrl: 'http://third:8000/v1', apiKey: 'sk-literal-{{ env.X }}'}
  - id: openai:chat:fourth
    config: {apiBaseUrl: 'http://fourth:8000/v1', apiKey: 'sk-not-a-real-key'}
`}
	r, err := Import("evals.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	wantHints := []ProviderHint{
		{Name: "localhost-1234", Type: "openai", BaseURL: "http://localhost:1234/v1", APIKeyEnv: "LMSTUDIO_KEY"},
		{Name: "gpu-box-8000", Type: "openai", BaseURL: "http://gpu-box:8000/v1", APIKeyEnv: "VLLM_KEY"},
		{Name: "mistral", Type: "openai", BaseURL: "https://api.mistral.ai/v1", APIKeyEnv: "TEAM_MISTRAL_KEY"},
		{Name: "third-8000", Type: "openai", BaseURL: "http://third:8000/v1"},
		{Name: "fourth-8000", Type: "openai", BaseURL: "http://fourth:8000/v1"},
	}
	if !reflect.DeepEqual(r.Providers, wantHints) {
		t.Errorf("hints =\n%+v\nwant\n%+v", r.Providers, wantHints)
	}
	issues := issueLines(r)
	refused := "config.apiKey is not imported: whet never stores keys; put the key in an environment variable and name it in api_key_env"
	wantIssues := []string{
		"evals.yaml:10: provider openai:gpt-4o-mini: config.apiKey reads the environment variable TEAM_OPENAI_KEY, not imported: set api_key_env: TEAM_OPENAI_KEY on whet's openai provider",
		"evals.yaml:13: provider openai:chat:third: " + refused,
		"evals.yaml:15: provider openai:chat:fourth: " + refused,
	}
	if !reflect.DeepEqual(issues, wantIssues) {
		t.Errorf("issues =\n%s\nwant\n%s", strings.Join(issues, "\n"), strings.Join(wantIssues, "\n"))
	}
	if b, _ := json.Marshal(r); strings.Contains(string(b), "sk-") {
		t.Error("a literal apiKey leaked into the result")
	}
}

// The config's env block is promptfoo's environment for its providers and
// graders: an endpoint there (OPENAI_BASE_URL, OLLAMA_BASE_URL as a
// reference) becomes the base_url of the provider entry the targets of
// that type need, with the key variable the block names as its
// api_key_env; a key's value is never imported, only named, at its line,
// to be exported; what no target reads is reported, and no value is
// repeated.
func TestImportEnvBlock(t *testing.T) {
	files := map[string]string{"evals.yaml": `
env:
  OPENAI_API_KEY: sk-team-secret-value
  OPENAI_BASE_URL: http://localhost:8000/v1
  ANTHROPIC_API_KEY: '{{ env.TEAM_ANTHROPIC_KEY }}'
  OLLAMA_BASE_URL: '${GPU_OLLAMA}'
  GROQ_API_KEY: '{{ env.TEAM_GROQ }}'
  PROMPTFOO_CACHE_ENABLED: false
  LOCALAI_BASE_URL: http://localai-box:8080/v1
  GEMINI_API_KEY: AIza-literal-secret
  MY_SERVICE_TOKEN: tok-literal-secret
prompts: ['{{q}}']
providers:
  - openai:gpt-4o-mini
  - id: openai:chat:own
    config: {apiBaseUrl: 'http://own:9000/v1'}
  - anthropic:messages:claude-sonnet-4-5
  - ollama:chat:llama3.2
  - groq:llama-3.1-8b-instant
  - google:gemini-2.5-flash
defaultTest:
  options: {provider: openai:gpt-4o}
  assert:
    - {type: llm-rubric, value: polite}
tests:
  - vars: {q: hi}
    assert:
      - type: llm-rubric
        value: brief
        provider: {id: openai:chat:own-judge, config: {apiBaseUrl: 'http://own:9000/v1'}}
`}
	r, err := Import("evals.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	wantHints := []ProviderHint{
		{Name: "localhost-8000", Type: "openai", BaseURL: "http://localhost:8000/v1", APIKeyEnv: "OPENAI_API_KEY"},
		{Name: "own-9000", Type: "openai", BaseURL: "http://own:9000/v1", APIKeyEnv: "OPENAI_API_KEY"},
		{Name: "gpu-ollama", Type: "ollama", BaseURL: "${GPU_OLLAMA}"},
		{Name: "groq", Type: "openai", BaseURL: "https://api.groq.com/openai/v1", APIKeyEnv: "TEAM_GROQ"},
	}
	if !reflect.DeepEqual(r.Providers, wantHints) {
		t.Errorf("hints =\n%+v\nwant\n%+v", r.Providers, wantHints)
	}
	wantTargets := []string{"localhost-8000:gpt-4o-mini", "own-9000:own", "anthropic:claude-sonnet-4-5", "gpu-ollama:llama3.2", "groq:llama-3.1-8b-instant", "gemini:gemini-2.5-flash"}
	if !reflect.DeepEqual(r.Targets, wantTargets) {
		t.Errorf("targets = %q, want %q", r.Targets, wantTargets)
	}
	if len(r.Suite.Checks) != 1 || r.Suite.Checks[0].Provider != "localhost-8000:gpt-4o" {
		t.Errorf("the grader reads the env block too: checks %+v", r.Suite.Checks)
	}
	// A grader with its own endpoint takes the env block's key, as the
	// provider of that endpoint does: the same entry.
	if c := r.Suite.Cases[0].Checks; len(c) != 1 || c[0].Provider != "own-9000:own-judge" {
		t.Errorf("the grader with an endpoint: checks %+v", c)
	}
	issues := issueLines(r)
	wantIssues := []string{
		"evals.yaml:3: env.OPENAI_API_KEY sets a key, and whet never stores one: its value is not imported; export OPENAI_API_KEY in the shell that runs whet (the provider entry this import proposes reads it: api_key_env: OPENAI_API_KEY)",
		`evals.yaml:5: env.ANTHROPIC_API_KEY reads the environment variable TEAM_ANTHROPIC_KEY, not imported: whet's anthropic provider reads ANTHROPIC_API_KEY; set api_key_env: TEAM_ANTHROPIC_KEY on it in whet's config, or export ANTHROPIC_API_KEY="$TEAM_ANTHROPIC_KEY"`,
		"evals.yaml:8: env.PROMPTFOO_CACHE_ENABLED is not imported: whet has no equivalent",
		"evals.yaml:9: env.LOCALAI_BASE_URL is not imported: no localai provider here reads it",
		"evals.yaml:10: env.GEMINI_API_KEY sets a key, and whet never stores one: its value is not imported; export GEMINI_API_KEY in the shell that runs whet (whet's gemini provider reads it)",
		"evals.yaml:11: env.MY_SERVICE_TOKEN sets a key, and whet never stores one: its value is not imported; export MY_SERVICE_TOKEN in the shell that runs whet",
	}
	if !reflect.DeepEqual(issues, wantIssues) {
		t.Errorf("issues =\n%s\nwant\n%s", strings.Join(issues, "\n"), strings.Join(wantIssues, "\n"))
	}
	if b, _ := json.Marshal(r); strings.Contains(string(b), "secret") {
		t.Error("a key's value leaked into the result")
	}
}

// An endpoint the env block gives that whet cannot take as it is (not an
// http(s) URL, or one holding a password) is reported, not used.
func TestImportEnvBlockBadEndpoint(t *testing.T) {
	files := map[string]string{"evals.yaml": `
env:
  OPENAI_BASE_URL: 'localhost:8000'
  ANTHROPIC_BASE_URL: 'https://me:hunter2@gateway.example'
prompts: ['{{q}}']
providers: [openai:gpt-4o-mini, anthropic:messages:claude-sonnet-4-5]
`}
	r, err := Import("evals.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Providers) != 0 || !reflect.DeepEqual(r.Targets, []string{"openai:gpt-4o-mini", "anthropic:claude-sonnet-4-5"}) {
		t.Errorf("hints %+v, targets %q", r.Providers, r.Targets)
	}
	issues := issueLines(r)
	wantIssues := []string{
		"evals.yaml:3: env.OPENAI_BASE_URL is not an http(s) URL: not imported",
		"evals.yaml:4: env.ANTHROPIC_BASE_URL holds a user name or password in its URL, and whet never stores one: not imported; give whet's provider entry a base_url without it and its key in api_key_env",
	}
	if !reflect.DeepEqual(issues, wantIssues) {
		t.Errorf("issues =\n%s\nwant\n%s", strings.Join(issues, "\n"), strings.Join(wantIssues, "\n"))
	}
	if b, _ := json.Marshal(r); strings.Contains(string(b), "hunter2") {
		t.Error("a password leaked into the result")
	}
}

// A provider's own env block (promptfoo's ProviderOptions.env) is laid
// over the config's for that provider alone.
func TestImportProviderEnvBlock(t *testing.T) {
	files := map[string]string{"evals.yaml": `
env:
  OPENAI_BASE_URL: http://shared:8000/v1
prompts: ['{{q}}']
providers:
  - id: openai:chat:a
    env:
      OPENAI_BASE_URL: http://own:9000/v1
      OPENAI_API_KEY: sk-own-secret
      REQUEST_TIMEOUT_MS: 1000
  - openai:chat:b
`}
	r, err := Import("evals.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	wantHints := []ProviderHint{
		{Name: "own-9000", Type: "openai", BaseURL: "http://own:9000/v1", APIKeyEnv: "OPENAI_API_KEY"},
		{Name: "shared-8000", Type: "openai", BaseURL: "http://shared:8000/v1"},
	}
	if !reflect.DeepEqual(r.Providers, wantHints) || !reflect.DeepEqual(r.Targets, []string{"own-9000:a", "shared-8000:b"}) {
		t.Errorf("hints %+v, targets %q", r.Providers, r.Targets)
	}
	issues := issueLines(r)
	wantIssues := []string{
		"evals.yaml:9: provider openai:chat:a: env.OPENAI_API_KEY sets a key, and whet never stores one: its value is not imported; export OPENAI_API_KEY in the shell that runs whet (the provider entry this import proposes reads it: api_key_env: OPENAI_API_KEY)",
		"evals.yaml:10: provider openai:chat:a: env.REQUEST_TIMEOUT_MS is not imported: whet has no equivalent",
	}
	if !reflect.DeepEqual(issues, wantIssues) {
		t.Errorf("issues =\n%s\nwant\n%s", strings.Join(issues, "\n"), strings.Join(wantIssues, "\n"))
	}
	if b, _ := json.Marshal(r); strings.Contains(string(b), "secret") {
		t.Error("a key's value leaked into the result")
	}
}

// A .prompty prompt with several problems has each reported on a line of
// its own, in the file's line order, as whet's Prompty import finds them.
func TestImportPromptyEveryProblem(t *testing.T) {
	files := map[string]string{
		"evals.yaml":  "prompts: [file://bad.prompty]\nproviders: [echo]\n",
		"bad.prompty": "---\nname: bad\nmodel:\n  parameters:\n    tools: []\n---\nuser:\nHi {{ name | upper }}\n",
	}
	r, err := Import("evals.yaml", memFS(files))
	if err != nil {
		t.Fatal(err)
	}
	issues := issueLines(r)
	want := []string{
		"evals.yaml:1: prompt bad.prompty is not imported: bad.prompty:5: model.parameters.tools: whet sends no tools",
		"evals.yaml:1: prompt bad.prompty is not imported: bad.prompty:8:4: Jinja expression {{ name | upper }}",
	}
	if len(issues) < len(want) {
		t.Fatalf("issues = %q", issues)
	}
	for i, w := range want {
		if !strings.HasPrefix(issues[i], w) {
			t.Errorf("issue %d = %q\nwant %q…", i+1, issues[i], w)
		}
	}
}

// A grader given as {id, config} is loaded by promptfoo with its config,
// so its apiBaseUrl (or apiHost) is the endpoint it calls: the grader's
// target is a provider entry for it (the providers' own when they share
// it), never the vendor's API, where a local judge's prompts would go.
func TestImportGraderWithEndpoint(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{
		"c.yaml": `
providers:
  - id: openai:chat:qwen2.5-7b-instruct
    config: {apiBaseUrl: http://127.0.0.1:8000/v1}
prompts: ['Extract {{msg}}']
defaultTest:
  options:
    provider:
      id: openai:chat:qwen2.5-7b-instruct
      config:
        apiBaseUrl: http://127.0.0.1:8000/v1
        temperature: 0
tests:
  - vars: {msg: a}
    assert:
      - type: llm-rubric
        value: is JSON
  - vars: {msg: b}
    assert:
      - type: factuality
        value: b
        provider:
          id: anthropic:messages:claude-judge
          config: {apiBaseUrl: 'http://gpu-box:4000', apiKey: '{{ env.GATEWAY_KEY }}'}
`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	wantHints := []ProviderHint{
		{Name: "127.0.0.1-8000", Type: "openai", BaseURL: "http://127.0.0.1:8000/v1"},
		{Name: "gpu-box-4000", Type: "anthropic", BaseURL: "http://gpu-box:4000", APIKeyEnv: "GATEWAY_KEY"},
	}
	if !reflect.DeepEqual(r.Providers, wantHints) {
		t.Errorf("providers = %+v\nwant %+v", r.Providers, wantHints)
	}
	if c := r.Suite.Cases[0].Checks; len(c) != 1 || c[0].Provider != "127.0.0.1-8000:qwen2.5-7b-instruct" {
		t.Errorf("defaultTest's grader = %+v", c)
	}
	if c := r.Suite.Cases[1].Checks; len(c) != 1 || c[0].Provider != "gpu-box-4000:claude-judge" {
		t.Errorf("the assert's grader = %+v", c)
	}
	want := []Issue{{File: "c.yaml", Line: 12, What: "defaultTest: grader provider openai:chat:qwen2.5-7b-instruct: config.temperature is not imported: only its endpoint and key variable are"}}
	if !reflect.DeepEqual(r.Unsupported, want) {
		t.Errorf("issues = %v\nwant %v", r.Unsupported, want)
	}
}

// A key promptfoo's schema does not have is dropped by promptfoo as it
// parses the config (its asserts never ran there either): the note says
// so, and what was likely meant, where a key promptfoo has but whet does
// not keeps "whet has no equivalent".
func TestImportKeysPromptfooIgnores(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{"c.yaml": `
prompts: ['Say {{x}}']
providers: [echo]
assert:
  - type: contains
    value: hi
passRateThreshold: 0.8
redteam: {plugins: [pii]}
defaultTest:
  asserts: [{type: contains, value: a}]
tests:
  - name: first
    vars: {x: hi}
    asserts: [{type: contains, value: hi}]
  - vars: {x: yo}
    asserts: [{type: contains, value: yo}]
`}))
	if err != nil {
		t.Fatal(err)
	}
	got := issueLines(r)
	want := []string{
		"c.yaml:4: assert is not imported: it is no key of a promptfoo config, and promptfoo ignores it too (did you mean defaultTest.assert?)",
		"c.yaml:7: passRateThreshold is not imported: it is no key of a promptfoo config, and promptfoo ignores it too",
		"c.yaml:8: redteam is not imported: whet has no equivalent",
		"c.yaml:10: defaultTest: asserts is not imported: it is no field of a promptfoo test, and promptfoo ignores it too (did you mean assert?)",
		"c.yaml:12: test 1: name is not imported: it is no field of a promptfoo test, and promptfoo ignores it too (did you mean description?)",
		"c.yaml:14: test 1 (and 1 more in c.yaml): asserts is not imported: it is no field of a promptfoo test, and promptfoo ignores it too (did you mean assert?)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("issues =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if n := r.Suite.CheckCount(); n != 0 {
		t.Errorf("checks = %d, want none: promptfoo runs none of them", n)
	}
}

// promptfoo renders "{{ env.NAME }}" in a provider's id and endpoint when
// it loads the config (its docs: "Env resolved at load"): the endpoint is
// the provider entry's base_url with ${NAME}, which whet's config expands,
// and a model read so is an alias of the config's, never a target named
// "{{ env.NAME }}".
func TestImportEnvTemplatesInProviders(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{"c.yaml": `
prompts: ['Say {{x}}']
providers:
  - id: "openai:chat:{{ env.VLLM_MODEL_ID }}"
    config:
      apiBaseUrl: "{{ env.VLLM_BASE_URL }}"
      apiKey: "{{ env.VLLM_API_KEY }}"
  - id: ollama:chat:{{env.OLLAMA_MODEL}}
  - openai:chat:gpt-4o-mini
defaultTest:
  options:
    provider:
      id: 'azure:chat:{{ env.AZURE_DEPLOYMENT }}'
      config:
        apiHost: '{{ env.AZURE_API_HOST }}'
tests:
  - vars: {x: hi}
    assert: [{type: llm-rubric, value: is polite}]
`}))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"vllm-model-id", "ollama-model", "openai:gpt-4o-mini"}; !reflect.DeepEqual(r.Targets, want) {
		t.Errorf("targets = %q, want %q", r.Targets, want)
	}
	wantAliases := []AliasHint{
		{"vllm-model-id", "vllm-base-url:${VLLM_MODEL_ID}"},
		{"ollama-model", "ollama:${OLLAMA_MODEL}"},
		{"azure-deployment", "azure:${AZURE_DEPLOYMENT}"},
	}
	if !reflect.DeepEqual(r.Aliases, wantAliases) {
		t.Errorf("aliases = %+v, want %+v", r.Aliases, wantAliases)
	}
	wantProviders := []ProviderHint{
		{Name: "vllm-base-url", Type: "openai", BaseURL: "${VLLM_BASE_URL}", APIKeyEnv: "VLLM_API_KEY"},
		{Name: "azure", Type: "azure", BaseURL: "https://${AZURE_API_HOST}", APIKeyEnv: "AZURE_API_KEY", APIVersion: "2024-12-01-preview"},
	}
	if !reflect.DeepEqual(r.Providers, wantProviders) {
		t.Errorf("providers = %+v, want %+v", r.Providers, wantProviders)
	}
	if got := r.Suite.Cases[0].Checks[0].Provider; got != "azure-deployment" {
		t.Errorf("grader = %q, want the alias azure-deployment", got)
	}
	notes := issueLines(r)
	want := []string{
		"c.yaml:4: provider openai:chat:{{ env.VLLM_MODEL_ID }}: its model is read from the environment (VLLM_MODEL_ID), as promptfoo renders the id when it loads the config: the target is the alias vllm-model-id, vllm-base-url:${VLLM_MODEL_ID}, which whet expands when it reads its config",
		"c.yaml:8: provider ollama:chat:{{env.OLLAMA_MODEL}}: its model is read from the environment (OLLAMA_MODEL), as promptfoo renders the id when it loads the config: the target is the alias ollama-model, ollama:${OLLAMA_MODEL}, which whet expands when it reads its config",
		"c.yaml:12: grader azure:chat:{{ env.AZURE_DEPLOYMENT }}: its model is read from the environment (AZURE_DEPLOYMENT), as promptfoo renders the id when it loads the config: the target is the alias azure-deployment, azure:${AZURE_DEPLOYMENT}, which whet expands when it reads its config",
	}
	if !reflect.DeepEqual(notes, want) {
		t.Errorf("notes =\n%s\nwant\n%s", strings.Join(notes, "\n"), strings.Join(want, "\n"))
	}
}

// An http provider calls the application's own API with a body the config
// writes: the note says so, rather than that the endpoint could be an
// OpenAI-type provider, which such an API is not.
func TestImportHTTPProviderNote(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{"c.yaml": `
prompts: ['{{q}}']
targets:
  - id: https
    config: {url: 'http://127.0.0.1:8000/chat', body: {prompt: '{{prompt}}'}, transformResponse: json.output}
tests:
  - vars: {q: hi}
`}))
	if err != nil {
		t.Fatal(err)
	}
	want := `c.yaml:4: provider "https" is not supported by whet (https calls an API of your application with the request the config writes, and whet sends prompts to model APIs; a server that speaks OpenAI's chat completions can be an openai-type provider entry of whet's config): it is not among the targets`
	if len(r.Unsupported) != 1 || r.Unsupported[0].String() != want {
		t.Errorf("issues = %v, want %s", r.Unsupported, want)
	}
}

// A file with none of a promptfoo config's prompts, providers, tests or
// scenarios (another tool's config) is refused, naming what it has,
// rather than imported as promptfoo's default {{prompt}} prompt.
func TestImportNothingToRun(t *testing.T) {
	_, err := Import("c.yaml", memFS(map[string]string{"c.yaml": "# notes\ntest_paths: [a.json]\noutput: {format: json}\n"}))
	var fe *prompt.FileError
	if !errors.As(err, &fe) || fe.Line != 2 || !strings.Contains(err.Error(), "no prompts, providers, tests or scenarios, only test_paths, output: nothing promptfoo would run") {
		t.Fatalf("err = %v", err)
	}
	// A config with tests alone runs promptfoo's default prompt.
	r, err := Import("c.yaml", memFS(map[string]string{"c.yaml": "tests:\n  - vars: {prompt: hi}\n"}))
	if err != nil || len(r.Prompts) != 1 {
		t.Fatalf("tests alone: %v, %d prompts", err, len(r.Prompts))
	}
}

// A literal apiKey of a provider whose entry names a key variable (the
// vendor's, or apiKeyEnvar) says to export the key as that variable, not
// to name one, which the printed entry has done already; the key's value
// is never in the result.
func TestImportLiteralKeyNamesEntryVariable(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{"c.yaml": `
prompts: ['{{q}}']
providers:
  - id: openrouter:google/gemini-2.5-flash
    config: {apiKey: sk-or-literal-123}
  - id: openai:chat:local
    config: {apiBaseUrl: 'http://127.0.0.1:8000/v1', apiKey: sk-local-456}
tests:
  - vars: {q: hi}
`}))
	if err != nil {
		t.Fatal(err)
	}
	got := issueLines(r)
	want := []string{
		"c.yaml:5: provider openrouter:google/gemini-2.5-flash: config.apiKey is not imported: whet never stores keys; export the key as OPENROUTER_API_KEY, which the provider entry names (api_key_env)",
		"c.yaml:7: provider openai:chat:local: config.apiKey is not imported: whet never stores keys; put the key in an environment variable and name it in api_key_env",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("issues =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if b, _ := json.Marshal(r); strings.Contains(string(b), "literal-123") || strings.Contains(string(b), "local-456") {
		t.Error("a literal apiKey leaked into the result")
	}
}

// A refused prompt's Nunjucks constructs are each named at their line and
// column in the prompt's file, as the Prompty import names them, so that
// one pass fixes them all; a long template's first ten, then how many
// more. A construct written twice is found where each is.
func TestImportListsEveryNunjucksConstruct(t *testing.T) {
	var long strings.Builder
	for i := range 12 {
		fmt.Fprintf(&long, "{%% if a%d %%}x{%% endif %%}\n", i)
	}
	r, err := Import("c.yaml", memFS(map[string]string{
		"c.yaml": `prompts:
  - file://p.txt
  - file://chat.yaml
  - file://long.md
  - 'Inline {{ a | upper }} and {% if b %}b{% endif %}'
providers: [echo]
`,
		"p.txt": "Plain {{x}}\n---\nYou are a helper.\n{% if context %}\nContext: {{ context }}\n{% endif %}\nQuestion: {{ question | trim }}\n{% if context %}again{% endif %}\n",
		"chat.yaml": `- role: system
  content: |
    Be brief.
    {% if terse %}Very.{% endif %}
- role: user
  content: "{{ q | safe }} {{ q | trim }}"
`,
		"long.md": long.String(),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Prompts) != 1 || r.Prompts[0].Messages[0].Content != "Plain {{x}}" {
		t.Errorf("prompts = %+v, want the first of p.txt only", r.Prompts)
	}
	got := issueLines(r)
	tag := func(c string) string {
		return "it uses the Nunjucks tag " + c + " (whet templates have {{ variable }} only)"
	}
	expr := func(c string) string {
		return "it uses the Nunjucks expression " + c + " (whet templates have {{ variable }} only)"
	}
	want := []string{
		"c.yaml:5: prompt 4 is not imported: " + expr("{{ a | upper }}"),
		"c.yaml:5: prompt 4 is not imported: " + tag("{% if b %}"),
		"c.yaml:5: prompt 4 is not imported: " + tag("{% endif %}"),
		"chat.yaml:4:5: prompt chat is not imported: " + tag("{% if terse %}"),
		"chat.yaml:4:24: prompt chat is not imported: " + tag("{% endif %}"),
		"chat.yaml:6:28: prompt chat is not imported: " + expr("{{ q | trim }}"),
	}
	for i := range 10 {
		line := i/2 + 1
		if i%2 == 0 {
			want = append(want, fmt.Sprintf("long.md:%d:1: prompt long is not imported: %s", line, tag(fmt.Sprintf("{%% if a%d %%}", line-1))))
		} else {
			want = append(want, fmt.Sprintf("long.md:%d:13: prompt long is not imported: %s", line, tag("{% endif %}")))
		}
	}
	want = append(want,
		"long.md:6:1: prompt long is not imported: and 14 more Nunjucks tags and expressions from here on",
		"p.txt:4:1: prompt p-2 is not imported: "+tag("{% if context %}"),
		"p.txt:6:1: prompt p-2 is not imported: "+tag("{% endif %}"),
		"p.txt:7:11: prompt p-2 is not imported: "+expr("{{ question | trim }}"),
		"p.txt:8:1: prompt p-2 is not imported: "+tag("{% if context %}"),
		"p.txt:8:22: prompt p-2 is not imported: "+tag("{% endif %}"),
	)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("issues =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A long description is cut at a character, so a note never holds half
// of one ("participa\xc3...").
func TestShortenCutsAtACharacter(t *testing.T) {
	s := shorten("1a-fase | Direito Constitucional | petróleo e participação do proprietário")
	if !utf8.ValidString(s) || s != "1a-fase | Direito Constitucional | petróleo e participaçã..." {
		t.Errorf("shorten = %q", s)
	}
}

// promptfoo's ollama provider takes its endpoint from OLLAMA_BASE_URL
// alone: an apiBaseUrl in its config is said to be ignored there too, not
// only left out by whet.
func TestImportOllamaEndpointKeysIgnored(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{"c.yaml": `
prompts: ['{{q}}']
providers:
  - id: ollama:chat:qwen2.5:7b
    config:
      apiBaseUrl: http://localhost:11434/v1
tests:
  - vars: {q: hi}
`}))
	if err != nil {
		t.Fatal(err)
	}
	want := "c.yaml:6: provider ollama:chat:qwen2.5:7b: config.apiBaseUrl is not imported: promptfoo's ollama provider ignores it too: it calls OLLAMA_BASE_URL (else http://localhost:11434) with OLLAMA_API_KEY"
	if len(r.Unsupported) != 1 || r.Unsupported[0].String() != want {
		t.Errorf("issues = %v, want %s", r.Unsupported, want)
	}
	if len(r.Targets) != 1 || r.Targets[0] != "ollama:qwen2.5:7b" {
		t.Errorf("targets = %v", r.Targets)
	}
}

// A JSON chat file with Nunjucks tags, which promptfoo renders before it
// reads the JSON, names each construct at its line and column in the
// file, as a text prompt's are named.
func TestImportJSONPromptWithNunjucks(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{
		"c.yaml": "prompts:\n  - id: file://chat.json\n    label: multi\nproviders: [echo]\ntests:\n  - vars: {q: hi}\n",
		"chat.json": `[
  {"role": "system", "content": "Be brief"},
  {% for m in _conversation %}
    {"role": "assistant", "content": "{{ m.output }}"},
  {% endfor %}
  {"role": "user", "content": "{{ q }}"}
]`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	got := issueLines(r)
	want := []string{
		`chat.json:3:3: prompt "multi" is not imported: it uses the Nunjucks tag {% for m in _conversation %} (whet templates have {{ variable }} only)`,
		`chat.json:5:3: prompt "multi" is not imported: it uses the Nunjucks tag {% endfor %} (whet templates have {{ variable }} only)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("issues =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// asserts indented under vars are a var to promptfoo, which never runs
// them: imported as promptfoo reads them, and said.
func TestImportAssertUnderVars(t *testing.T) {
	r, err := Import("c.yaml", memFS(map[string]string{"c.yaml": `
prompts: ['{{q}}']
providers: [echo]
tests:
  - vars:
      q: hi
      assert:
      - type: icontains
        value: google
`}))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Suite.Cases) != 1 || len(r.Suite.Cases[0].Checks) != 0 || r.Suite.Cases[0].Vars["assert"] != `[{"type":"icontains","value":"google"}]` {
		t.Errorf("cases = %+v", r.Suite.Cases)
	}
	want := "c.yaml:7: test 1: vars.assert is a variable to promptfoo, written under vars, so its asserts never ran there; it is imported as a variable too (did you mean assert, beside vars?)"
	if len(r.Unsupported) != 1 || r.Unsupported[0].String() != want {
		t.Errorf("issues = %v, want %s", r.Unsupported, want)
	}
}

// issueLines is each of r's reported issues as the import prints it.
func issueLines(r Result) []string {
	var out []string
	for _, is := range r.Unsupported {
		out = append(out, is.String())
	}
	return out
}
