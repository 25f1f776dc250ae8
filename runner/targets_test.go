package runner

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"whet/config"
)

// The registry is what the executor resolves targets with.
var _ Targets = (*Registry)(nil)

func ptConfig() config.Config {
	return config.Config{
		Path: "whet.yaml",
		Providers: map[string]config.Provider{
			"groq":   {Type: "openai", BaseURL: "https://api.groq.com/openai/v1", APIKeyEnv: "GROQ_API_KEY", Models: []string{"llama-3.1-8b-instant"}, Concurrency: 3, Timeout: 30 * time.Second},
			"box":    {Type: "ollama", BaseURL: "http://box:11434"},
			"mock":   {Type: "echo"},
			"weird":  {Type: "telnet"},
			"ollama": {Concurrency: 2},
		},
		Aliases: map[string]string{"fast": "groq:llama-3.1-8b-instant", "local": "ollama:llama3.2:3b"},
		Targets: []string{"fast", "echo"},
	}
}

func TestParseTarget(t *testing.T) {
	cases := []struct {
		in      string
		want    Target
		wantErr []string
	}{
		{in: "ollama:llama3.2", want: Target{"ollama:llama3.2", "ollama", "llama3.2", "ollama"}},
		{in: "ollama:llama3.2:3b", want: Target{"ollama:llama3.2:3b", "ollama", "llama3.2:3b", "ollama"}},
		{in: " openai:gpt-4o-mini ", want: Target{"openai:gpt-4o-mini", "openai", "gpt-4o-mini", "openai"}},
		{in: "OpenAI:gpt-4o", want: Target{"openai:gpt-4o", "openai", "gpt-4o", "openai"}},
		{in: "anthropic:claude-sonnet-4-5", want: Target{"anthropic:claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5", "anthropic"}},
		{in: "gemini:gemini-2.5-flash", want: Target{"gemini:gemini-2.5-flash", "gemini", "gemini-2.5-flash", "gemini"}},
		{in: "echo", want: Target{"echo", "echo", "echo", "echo"}},
		{in: "echo:echo", want: Target{"echo", "echo", "echo", "echo"}},
		{in: "echo:upper", want: Target{"echo:upper", "echo", "upper", "echo"}},
		{in: "llama3.2:3b", wantErr: []string{`unknown provider "llama3.2"`, "ollama:llama3.2:3b", "known providers: ollama, openai"}},
		{in: "opena:gpt-4o", wantErr: []string{`did you mean "openai"?`}},
		{in: "gpt-4o", wantErr: []string{`unknown target "gpt-4o"`, "provider:model"}},
		{in: "openai", wantErr: []string{`names provider "openai" but no model`, "openai:<model>", "openai:gpt-4o-mini"}},
		{in: "ollama:", wantErr: []string{"no model", "ollama:llama3.2"}},
		{in: ":gpt-4o", wantErr: []string{`target ":gpt-4o" has no provider before ':'`, "known providers: ollama, openai"}},
		{in: "  ", wantErr: []string{"empty target"}},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseTarget(c.in)
			if len(c.wantErr) == 0 {
				if err != nil || got != c.want {
					t.Fatalf("got %+v %v, want %+v", got, err, c.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("got %+v, want an error", got)
			}
			for _, w := range c.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestRegistryResolve(t *testing.T) {
	r := NewRegistry(ptConfig())
	cases := []struct {
		in      string
		want    Target
		wantErr string
	}{
		{in: "fast", want: Target{"groq:llama-3.1-8b-instant", "groq", "llama-3.1-8b-instant", "openai"}},
		{in: "FAST", want: Target{"groq:llama-3.1-8b-instant", "groq", "llama-3.1-8b-instant", "openai"}},
		{in: "local", want: Target{"ollama:llama3.2:3b", "ollama", "llama3.2:3b", "ollama"}},
		{in: "groq:mixtral", want: Target{"groq:mixtral", "groq", "mixtral", "openai"}},
		{in: "box:qwen2.5:7b", want: Target{"box:qwen2.5:7b", "box", "qwen2.5:7b", "ollama"}},
		{in: "mock", want: Target{"mock", "mock", "echo", "echo"}},
		{in: "ollama:llama3.2", want: Target{"ollama:llama3.2", "ollama", "llama3.2", "ollama"}},
		{in: "groq", wantErr: "groq:llama-3.1-8b-instant"},
		{in: "weird:x", wantErr: `unknown type "telnet": providers.weird.type must be one of ollama, openai, anthropic, gemini, echo, azure (in whet.yaml)`},
		{in: "fats", wantErr: `did you mean "fast"?`},
		{in: "nope:x", wantErr: "aliases: fast, local"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := r.Resolve(c.in)
			if c.wantErr == "" {
				if err != nil || got != c.want {
					t.Fatalf("got %+v %v, want %+v", got, err, c.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("got %+v %v, want an error containing %q", got, err, c.wantErr)
			}
		})
	}

	loop := NewRegistry(config.Config{Aliases: map[string]string{"a": "b", "b": "a"}})
	if _, err := loop.Resolve("a"); err == nil || !strings.Contains(err.Error(), "refers back to itself") {
		t.Fatalf("alias loop: %v", err)
	}
}

func TestRegistryTargets(t *testing.T) {
	cfg := ptConfig()
	cfg.Targets = []string{"fast", "echo", "groq"}
	got, err := NewRegistry(cfg).Targets()
	if err != nil {
		t.Fatal(err)
	}
	var specs []string
	for _, tg := range got {
		specs = append(specs, tg.Spec)
	}
	if strings.Join(specs, " ") != "groq:llama-3.1-8b-instant echo groq:llama-3.1-8b-instant" {
		t.Fatalf("got %v", specs)
	}
	cfg.Targets = []string{"box"}
	if _, err := NewRegistry(cfg).Targets(); err == nil || !strings.Contains(err.Error(), "targets[0]") || !strings.Contains(err.Error(), "lists no models") {
		t.Fatalf("got %v", err)
	}
}

func TestRegistryProvider(t *testing.T) {
	r := NewRegistry(ptConfig())
	cases := map[string]string{"ollama": "*runner.Ollama", "openai": "*runner.OpenAI", "groq": "*runner.OpenAI", "anthropic": "*runner.Anthropic", "gemini": "*runner.Gemini", "echo": "*runner.Echo", "mock": "*runner.Echo", "box": "*runner.Ollama"}
	for name, typ := range cases {
		p, err := r.Provider(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := ptTypeName(p); got != typ || p.Name() != name {
			t.Fatalf("%s: got %s named %q", name, got, p.Name())
		}
		again, _ := r.Provider(name)
		if again != p {
			t.Fatalf("%s constructed twice", name)
		}
	}
	if b := ptMustOllama(t, r, "box"); b.BaseURL() != "http://box:11434" {
		t.Fatalf("box base %q", b.BaseURL())
	}
	if _, err := r.Provider("weird"); err == nil || !strings.Contains(err.Error(), "telnet") {
		t.Fatalf("weird: %v", err)
	}
	if _, err := r.Provider("nope"); err == nil || !strings.Contains(err.Error(), "known providers") {
		t.Fatalf("nope: %v", err)
	}
}

func ptTypeName(p Provider) string {
	switch p.(type) {
	case *Ollama:
		return "*runner.Ollama"
	case *OpenAI:
		return "*runner.OpenAI"
	case *Anthropic:
		return "*runner.Anthropic"
	case *Gemini:
		return "*runner.Gemini"
	case *Echo:
		return "*runner.Echo"
	}
	return "?"
}

func ptMustOllama(t *testing.T, r *Registry, name string) *Ollama {
	t.Helper()
	p, err := r.Provider(name)
	if err != nil {
		t.Fatal(err)
	}
	return p.(*Ollama)
}

func TestRegistryLimits(t *testing.T) {
	r := NewRegistry(ptConfig())
	conc := map[string]int{"ollama": 2, "box": 1, "openai": 8, "groq": 3, "echo": 0, "mock": 0, "nope": 1}
	for name, want := range conc {
		if got := r.Concurrency(name); got != want {
			t.Errorf("Concurrency(%s) = %d, want %d", name, got, want)
		}
	}
	tos := map[string]time.Duration{"ollama": 5 * time.Minute, "openai": 2 * time.Minute, "groq": 30 * time.Second}
	for name, want := range tos {
		if got := r.Timeout(name); got != want {
			t.Errorf("Timeout(%s) = %v, want %v", name, got, want)
		}
	}
}

func TestRegistryListTargets(t *testing.T) {
	srv, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		ptStream(w, "application/json", ptOllamaTags)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()

	// An OpenAI-compatible server lists its models at GET /models.
	groq, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		if r.URL.Path != "/openai/v1/models" {
			http.NotFound(w, r)
			return
		}
		ptStream(w, "application/json", `{"object":"list","data":[{"id":"llama-3.1-8b-instant","object":"model","created":1,"owned_by":"Meta"},{"id":"qwen-qwq-32b","object":"model","created":2,"owned_by":"Alibaba"}]}`)
	})
	// Anthropic lists at GET /v1/models, Gemini at GET /v1beta/models
	// (only the models that support generateContent are runnable).
	claude, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		if r.URL.Path != "/v1/models" || r.Header.Get("X-Api-Key") != "ant_test" {
			ptError(w, 404, `{"type":"error","error":{"type":"not_found_error","message":"no"}}`)
			return
		}
		ptStream(w, "application/json", `{"data":[{"type":"model","id":"claude-sonnet-4-5-20250929","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z"}],"has_more":false,"first_id":"claude-sonnet-4-5-20250929","last_id":"claude-sonnet-4-5-20250929"}`)
	})
	gem, _ := ptServer(t, func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
		if r.URL.Path != "/v1beta/models" || r.Header.Get("X-Goog-Api-Key") != "gem_test" {
			ptError(w, 404, ptGeminiErr(404, "no"))
			return
		}
		ptStream(w, "application/json", `{"models":[{"name":"models/gemini-2.5-flash","version":"001","displayName":"Gemini 2.5 Flash","supportedGenerationMethods":["generateContent","countTokens","createCachedContent","batchGenerateContent"]},{"name":"models/text-embedding-004","version":"004","displayName":"Text Embedding 004","supportedGenerationMethods":["embedContent"]}]}`)
	})
	// The built-in providers without a key are not set up: skipped.
	for _, v := range []string{"OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY"} {
		t.Setenv(v, "")
	}
	t.Setenv("GROQ_KEY", "gsk_test")
	t.Setenv("CLAUDE_KEY", "ant_test")
	t.Setenv("GEM_KEY", "gem_test")

	cfg := config.Config{
		Providers: map[string]config.Provider{
			"ollama": {BaseURL: srv.URL, Models: []string{"llama3.2:3b", "mistral"}},
			"box":    {Type: "ollama", BaseURL: "http://" + dead},
			"groq":   {Type: "openai", BaseURL: groq.URL + "/openai/v1", APIKeyEnv: "GROQ_KEY", Models: []string{"llama-3.1-8b-instant"}},
			"vllm":   {Type: "openai", BaseURL: "http://" + dead + "/v1"},
			"claude": {Type: "anthropic", BaseURL: claude.URL, APIKeyEnv: "CLAUDE_KEY"},
			"gem":    {Type: "gemini", BaseURL: gem.URL, APIKeyEnv: "GEM_KEY"},
		},
		Aliases: map[string]string{"fast": "groq:llama-3.1-8b-instant", "qwen": "ollama:Qwen2.5:latest"},
		Targets: []string{"fast", "echo", "bogus:x"},
	}
	got := NewRegistry(cfg).ListTargets(context.Background())
	var lines []string
	for _, ti := range got {
		f := []string{ti.Source, ti.Alias, ti.Spec}
		if ti.Info.Digest != "" {
			f = append(f, ti.Info.Digest[:6])
		}
		if ti.Issue != "" {
			f = append(f, "ISSUE", ti.Provider)
		}
		if ti.Missing != "" {
			f = append(f, "MISSING:", ti.Missing)
		}
		lines = append(lines, strings.Join(strings.Fields(strings.Join(f, " ")), " "))
	}
	// Configured entries first, a duplicate spec listed once (the listed
	// llama3.2:3b merges into the models entry), the dead server an issue,
	// a configured Ollama model the server does not list missing (but not
	// one named in another case, as Ollama takes it).
	wantS := strings.Join([]string{
		"config groq:llama-3.1-8b-instant",
		"config echo",
		"config bogus:x ISSUE",
		"alias fast groq:llama-3.1-8b-instant",
		"alias qwen ollama:Qwen2.5",
		"models ollama:llama3.2:3b a80c4f",
		"models ollama:mistral MISSING: not on the server: ollama pull mistral",
		"listed ollama:qwen2.5 845dbd",
		"listed ISSUE box",
		"listed claude:claude-sonnet-4-5-20250929",
		"listed gem:gemini-2.5-flash",
		"listed groq:qwen-qwq-32b",
		"listed ISSUE vllm",
	}, "\n")
	if strings.Join(lines, "\n") != wantS {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), wantS)
	}
	for _, ti := range got {
		if ti.Issue != "" && strings.HasPrefix(ti.Problem(), ti.Provider+": ") {
			t.Errorf("Problem %q repeats the provider's name", ti.Problem())
		}
		if ti.Source == "listed" && ti.Issue != "" && ti.Provider == "box" && !strings.Contains(ti.Issue, "is ollama running?") {
			t.Fatalf("issue %q", ti.Issue)
		}
	}
}

func TestRegistryProviderStatuses(t *testing.T) {
	t.Setenv("GROQ_API_KEY", "gsk-secret")
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("ANTHROPIC_API_KEY", "")
	t.Setenv("GOOGLE_API_KEY", "")
	t.Setenv("GEMINI_API_KEY", "g-secret")
	t.Setenv("GOOGLE_GEMINI_BASE_URL", "")
	t.Setenv("OLLAMA_HOST", "")
	cfg := ptConfig()
	cfg.Providers["box"] = config.Provider{Type: "ollama", BaseURL: "http://user:pw@box:11434/?token=t"}
	cfg.Providers["vault"] = config.Provider{Type: "openai", BaseURL: "http://127.0.0.1:8000/v1", APIKeyCmd: "pass show vault"}
	cfg.Providers["llamacpp"] = config.Provider{Type: "openai", BaseURL: "http://127.0.0.1:8080/v1"}
	cfg.Providers["together"] = config.Provider{Type: "openai", BaseURL: "https://api.together.xyz/v1"}
	got := map[string]ProviderStatus{}
	var order []string
	for _, ps := range NewRegistry(cfg).ProviderStatuses() {
		got[ps.Name] = ps
		order = append(order, ps.Name)
	}
	if strings.Join(order[:5], ",") != "ollama,openai,anthropic,gemini,echo" {
		t.Errorf("order = %v", order)
	}
	check := func(name string, want ProviderStatus) {
		t.Helper()
		g := got[name]
		g.Timeout = 0
		if g.Problem != "" && want.Problem != "" && strings.Contains(g.Problem, want.Problem) {
			g.Problem = want.Problem
		}
		if g != want {
			t.Errorf("%s:\n got %+v\nwant %+v", name, g, want)
		}
	}
	check("groq", ProviderStatus{Name: "groq", Type: "openai", BaseURL: "https://api.groq.com/openai/v1/", Key: "GROQ_API_KEY set", KeyOK: true, Concurrency: 3})
	check("openai", ProviderStatus{Name: "openai", Type: "openai", BaseURL: "https://api.openai.com/v1/", Key: "OPENAI_API_KEY not set", Concurrency: 8})
	check("gemini", ProviderStatus{Name: "gemini", Type: "gemini", BaseURL: "https://generativelanguage.googleapis.com/", Key: "GEMINI_API_KEY set", KeyOK: true, Concurrency: 8})
	check("box", ProviderStatus{Name: "box", Type: "ollama", BaseURL: "http://box:11434/", KeyOK: true, Concurrency: 1})
	check("vault", ProviderStatus{Name: "vault", Type: "openai", BaseURL: "http://127.0.0.1:8000/v1/", Key: "api_key_cmd", KeyOK: true, Concurrency: 8})
	check("mock", ProviderStatus{Name: "mock", Type: "echo", KeyOK: true})
	// A server of one's own that names no key gets its calls without one:
	// nothing to warn about.
	check("llamacpp", ProviderStatus{Name: "llamacpp", Type: "openai", BaseURL: "http://127.0.0.1:8080/v1/", Key: "LLAMACPP_API_KEY not set: none sent", KeyOK: true, Concurrency: 8})
	check("together", ProviderStatus{Name: "together", Type: "openai", BaseURL: "https://api.together.xyz/v1/", Key: "TOGETHER_API_KEY not set", Concurrency: 8})
	check("weird", ProviderStatus{Name: "weird", Type: "telnet", KeyOK: false, Key: "WEIRD_API_KEY not set", Concurrency: 8, Problem: "telnet"})
	if got["anthropic"].Key != "ANTHROPIC_API_KEY not set" || got["anthropic"].KeyOK {
		t.Errorf("anthropic = %+v", got["anthropic"])
	}
	for _, ps := range got {
		if s := fmt.Sprintf("%+v", ps); strings.Contains(s, "secret") || strings.Contains(s, "pw") || strings.Contains(s, "token") {
			t.Errorf("status leaks a credential: %s", s)
		}
	}
}

func TestOllamaLatestIsOneTarget(t *testing.T) {
	reg := NewRegistry(config.Config{Providers: map[string]config.Provider{
		"gpu": {Type: "ollama", BaseURL: "http://gpu:11434"},
	}})
	resolve := map[string]string{
		"ollama:llama3.2:latest":                 "ollama:llama3.2",
		"ollama:llama3.2:LATEST":                 "ollama:llama3.2",
		"ollama:llama3.2":                        "ollama:llama3.2",
		"ollama:llama3.2:3b":                     "ollama:llama3.2:3b",
		"gpu:qwen3:latest":                       "gpu:qwen3",
		"ollama:hf.co/bartowski/x-GGUF:latest":   "ollama:hf.co/bartowski/x-GGUF",
		"ollama:registry:5000/team/model:latest": "ollama:registry:5000/team/model",
		"ollama:registry:5000/team/model":        "ollama:registry:5000/team/model",
		"openai:gpt-4o:latest":                   "openai:gpt-4o:latest",
	}
	for spec, want := range resolve {
		tg, err := reg.Resolve(spec)
		if err != nil {
			t.Fatal(err)
		}
		if tg.Spec != want || tg.Provider+":"+tg.Model != want {
			t.Errorf("Resolve(%s) = %+v, want spec and model %s", spec, tg, want)
		}
		if got := reg.Canonical(spec); got != want {
			t.Errorf("Canonical(%s) = %s, want %s", spec, got, want)
		}
	}
	// What cannot be resolved now is kept as saved.
	for _, spec := range []string{"gone:m:latest", "echo", "", "ollama"} {
		if got := reg.Canonical(spec); got != spec {
			t.Errorf("Canonical(%q) = %q, want it unchanged", spec, got)
		}
	}
}
