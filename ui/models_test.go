package ui

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"whet/config"
	"whet/prompt"
	"whet/runner"
	"whet/store"
)

// modelsRegistry serves the fake Ollama, an OpenAI-compatible provider with
// no key, an alias, and an Ollama that is not there.
func modelsRegistry(t *testing.T, ollamaURL string) *runner.Registry {
	t.Helper()
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("LAB_API_KEY", "sk-lab-secret")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := "http://" + ln.Addr().String()
	ln.Close()
	yaml := "providers:\n" +
		"  ollama:\n    type: ollama\n    base_url: " + ollamaURL + "\n" +
		"  lab:\n    type: openai\n    base_url: http://127.0.0.1:1/v1\n    models: [lab-model]\n    prices:\n      lab-model: {input: 0.15, output: 0.6}\n" +
		"  attic:\n    type: ollama\n    base_url: " + gone + "\n" +
		"aliases:\n  quick: lab:lab-model\n"
	cfg, err := config.Parse("models-test.yaml", []byte(yaml), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return runner.NewRegistry(cfg)
}

// seedModelRuns records two runs of slow:latest, the second at an older
// digest than the server lists now, and two of a target no one lists
// whose system_fingerprint changed between them.
func seedModelRuns(t *testing.T, st *store.Store) (first, second string) {
	t.Helper()
	ctx := context.Background()
	v, err := st.CreatePrompt(ctx, store.NewPrompt{Name: "greet"}, store.NewVersion{Messages: []prompt.Message{{Role: "user", Content: "hi"}}, Author: "t"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i, digest := range []string{"sha256:1111111111111111aaaa", "sha256:2222222222222222bbbb"} {
		r := prompt.Run{Source: "cli", Versions: []prompt.RunVersion{{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number, Hash: v.Hash}},
			Targets: []string{"ollama:slow:latest", "openai:gpt-old"}, Cases: []prompt.Case{{}}, Repeat: 1}
		if err := st.CreateRun(ctx, &r); err != nil {
			t.Fatal(err)
		}
		at := testNow.Add(time.Duration(i-3) * time.Hour)
		if err := st.SaveResults(ctx, []prompt.Result{
			{RunID: r.ID, VersionID: v.ID, Target: "ollama:slow:latest", Output: "ok", Model: "slow:latest", ModelDigest: digest, Started: at},
			{RunID: r.ID, VersionID: v.ID, Target: "openai:gpt-old", Output: "ok", Model: "gpt-old-0613", ModelDigest: "fp_" + itoa(9+i), Started: at},
		}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	return ids[0], ids[1]
}

// openModels opens the Models screen, w×h, on modelsRegistry's providers
// and seedModelRuns' runs.
func openModels(t *testing.T, w, h int) (hr *harness, st *store.Store, ol *fakeOllama, first, second string) {
	t.Helper()
	ol = newFakeOllama(t, 0, -1)
	reg := modelsRegistry(t, ol.URL)
	// Runs saved as ollama:slow:latest are ollama:slow's, as the CLI
	// opens the store.
	st = openStore(t, store.CanonicalTargets(reg.Canonical))
	first, second = seedModelRuns(t, st)
	hr = newHarness(t, st, w, h, withTargets(reg))
	hr.key("9")
	return hr, st, ol, first, second
}

func TestModelsScreen(t *testing.T) {
	h, st, ol, first, second := openModels(t, 120, 30)
	h.mustSee("Models · targets", "9 Models",
		"quick → lab:lab-model", "lab:lab-model", "ollama:slow", "1B Q4_0 · 1.1 GB", "5f1c0b7de2a9",
		"openai:gpt-old", "runs", "gpt-old-0613",
		"2 models changed")
	scr := h.screen()
	// echo is always there to run, as in the Arena; the header counts the
	// rows that can run, and the providers that could not be listed apart.
	if l := lineWith(scr, "  echo "); !strings.Contains(l, "builtin") {
		t.Errorf("no echo row:\n%s", scr)
	}
	h.mustSee("Models · targets · 5 targets · 2 unavailable · 7 providers")
	if strings.Contains(scr, "ollama:slow:latest") {
		t.Errorf("runs saved as ollama:slow:latest are a target of their own:\n%s", scr)
	}
	// The listed digest is not the one the last run recorded: warned.
	line := lineWith(scr, "ollama:slow")
	if !strings.Contains(line, "⚠ new digest") {
		t.Errorf("slow row does not warn:\n%s", line)
	}
	// An alias row shows what the server lists for its target.
	yaml := "providers:\n  ollama:\n    base_url: " + ol.URL + "\naliases:\n  slow: ollama:slow:latest\n"
	cfg, err := config.Parse("alias.yaml", []byte(yaml), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	ha := newHarness(t, st, 120, 30, withTargets(runner.NewRegistry(cfg)))
	ha.key("9")
	if l := lineWith(ha.screen(), "slow → ollama:slow"); !strings.Contains(l, "5f1c0b7de2a9") || !strings.Contains(l, "⚠ new digest") {
		t.Errorf("alias row:\n%s", ha.screen())
	}
	// A provider that cannot be listed comes last, with its problem.
	rows := strings.Split(scr, "\n")
	attic := slices.IndexFunc(rows, func(s string) bool { return strings.Contains(s, "attic") })
	old := slices.IndexFunc(rows, func(s string) bool { return strings.Contains(s, "openai:gpt-old") })
	if attic < 0 || old < 0 || attic < old {
		t.Errorf("attic row at %d, the run-only row at %d:\n%s", attic, old, scr)
	}

	// The details of the selection: its provider, its price, its runs.
	for h.m.models.rows[h.m.models.cursor].spec != "ollama:slow" {
		h.key("j")
	}
	h.mustSee("provider ollama (ollama) at "+ol.URL, "free (a local model)", "family llama",
		"last run "+second+" reported slow @ 222222222222 · 1 result with it",
		"⚠ the server now has slow:latest @ 5f1c0b7de2a9: whet drift "+second+" re-runs that run and shows what moved")
	h.key("j")
	h.mustSee("echo · provider echo (echo)", "free (echo calls no model)")
	h.key("j")
	h.mustSee("openai:gpt-old · provider openai (openai) at https://api.openai.com/v1/ · OPENAI_API_KEY not set",
		"last run "+second+" reported gpt-old-0613 @ fp_10",
		"⚠ "+first+" used gpt-old-0613 @ fp_9: whet drift "+first+" --against "+second+" shows what moved")
	if l := lineWith(h.screen(), "openai:gpt-old"); !strings.Contains(l, "⚠ changed") {
		t.Errorf("gpt-old row does not warn:\n%s", l)
	}
	h.key("g")
	for h.m.models.rows[h.m.models.cursor].spec != "lab:lab-model" {
		h.key("j")
	}
	h.mustSee("provider lab (openai) at http://127.0.0.1:1/v1/ · LAB_API_KEY set", "$0.15 in · $0.6 out per 1M tokens", "no run has used it yet")
	h.mustNotSee("sk-lab-secret")

	// enter picks the target in the Arena.
	h.key("enter")
	if h.m.active != screenArena || !slices.Contains(h.m.arena.picker.selected, "lab:lab-model") {
		t.Fatalf("enter: active %v, picked %v", h.m.active, h.m.arena.picker.selected)
	}

	// An unusable row says why instead.
	h.key("9")
	for !strings.Contains(h.m.models.rows[h.m.models.cursor].label, "attic") {
		h.key("j")
	}
	h.key("enter")
	if h.m.active != screenModels {
		t.Fatalf("enter on an unusable row left the screen")
	}

	// tab: the providers, their keys and limits.
	h.key("tab")
	h.mustSee("Models · providers", "PROVIDER", "OPENAI_API_KEY not set", "LAB_API_KEY set", "none needed",
		"ollama (ollama) · "+ol.URL, "key: none needed", "at most 1 call at once · 5m00s per call",
		"gemini       gemini    https://generativelanguage.googleapis.com/", "echo         echo      none ")
	h.mustNotSee("sk-lab-secret")
	h.key("tab", "esc")
	if h.m.active != screenLibrary {
		t.Fatalf("esc: active %v", h.m.active)
	}
}

func TestModelsWithoutRegistry(t *testing.T) {
	h := newHarness(t, openStore(t), 80, 24)
	h.key("9")
	h.mustSee("No target registry")
	h.key("enter", "R", "tab", "j")
	h.mustSee("Models")
}

// A hosted model, listed with no size or quantisation, shows the model
// its last run reported rather than the bare word "listed".
func TestModelsHostedRowShowsTheReportedModel(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	v, err := st.CreatePrompt(ctx, store.NewPrompt{Name: "greet"}, store.NewVersion{Messages: []prompt.Message{{Role: "user", Content: "hi"}}, Author: "t"})
	if err != nil {
		t.Fatal(err)
	}
	r := prompt.Run{Source: "cli", Versions: []prompt.RunVersion{{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number, Hash: v.Hash}},
		Targets: []string{"lab:lab-model"}, Cases: []prompt.Case{{}}, Repeat: 1}
	if err := st.CreateRun(ctx, &r); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveResults(ctx, []prompt.Result{{RunID: r.ID, VersionID: v.ID, Target: "lab:lab-model", Output: "ok",
		Model: "lab-model-2025", ModelDigest: "fp_1", Started: testNow}}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"object":"list","data":[{"id":"lab-model","object":"model"},{"id":"lab-other","object":"model"}]}`))
	}))
	t.Cleanup(srv.Close)
	cfg, err := config.Parse("hosted.yaml", []byte("providers:\n  lab:\n    type: openai\n    base_url: "+srv.URL+"/v1\n"), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, st, 120, 30, withTargets(runner.NewRegistry(cfg)))
	h.key("9")
	h.mustSee("lab:lab-model", "lab:lab-other")
	if l := lineWith(h.screen(), "lab:lab-model"); !strings.Contains(l, "lab-model-2025") || strings.Contains(l, "listed  listed") {
		t.Fatalf("lab row:\n%s", h.screen())
	}
	// A listed model never run: FROM says listed, MODEL has nothing more.
	if l := lineWith(h.screen(), "lab:lab-other"); strings.Count(l, "listed") != 1 {
		t.Fatalf("a listed model never run:\n%s", h.screen())
	}
}

// A target priced at 0 says why it is free: echo calls no model, a server
// on this machine runs a local model, and a hosted model the config prices
// at 0 (a free tier) is not called local.
func TestModelsFreeSaysWhy(t *testing.T) {
	t.Setenv("CLOUD_KEY", "")
	yaml := "targets: [echo]\nproviders:\n" +
		"  cloud:\n    type: openai\n    base_url: https://api.cloud.example/v1\n    api_key_env: CLOUD_KEY\n    models: [free-tier]\n    prices:\n      free-tier: {input: 0, output: 0}\n" +
		"  box:\n    type: openai\n    base_url: http://127.0.0.1:1/v1\n    models: [qwen-local]\n"
	cfg, err := config.Parse("free.yaml", []byte(yaml), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, openStore(t), 120, 30, withTargets(runner.NewRegistry(cfg)))
	h.key("9")
	for spec, want := range map[string]string{
		"echo":            "free (echo calls no model)",
		"box:qwen-local":  "free (a local model: its server is on this machine)",
		"cloud:free-tier": "free (priced 0 in the config)",
	} {
		h.key("g")
		for i := 0; h.m.models.rows[h.m.models.cursor].spec != spec; i++ {
			if i > len(h.m.models.rows) {
				t.Fatalf("no row for %s:\n%s", spec, h.screen())
			}
			h.key("j")
		}
		h.mustSee(want)
		if spec != "box:qwen-local" {
			h.mustNotSee("a local model")
		}
	}
}

// At 80 columns the details of the selection wrap: an unreachable
// provider's problem and the drift command are read whole, not cut.
func TestModelsDetailsWrapAt80Columns(t *testing.T) {
	h, _, _, first, second := openModels(t, 80, 24)
	details := func() string {
		lines := strings.Split(h.screen(), "\n")
		rule := slices.IndexFunc(lines[2:], func(s string) bool { return strings.HasPrefix(s, "────") })
		if rule < 0 {
			t.Fatalf("no details:\n%s", h.screen())
		}
		var words []string
		for _, l := range lines[2+rule+1:] {
			if strings.TrimSpace(l) == "" || strings.Contains(l, "? help") {
				break
			}
			if strings.Contains(l, "…") {
				t.Errorf("a details line is cut:\n%s", h.screen())
			}
			words = append(words, strings.Fields(l)...)
		}
		return strings.Join(words, " ")
	}
	pick := func(part string) {
		t.Helper()
		h.key("g")
		for i := 0; !strings.Contains(h.m.models.rows[h.m.models.cursor].label, part); i++ {
			if i > len(h.m.models.rows) {
				t.Fatalf("no row for %s:\n%s", part, h.screen())
			}
			h.key("j")
		}
	}
	pick("attic")
	if d := details(); !strings.Contains(d, "is ollama running? (ollama serve)") {
		t.Errorf("attic details: %q\n%s", d, h.screen())
	}
	pick("openai:gpt-old")
	want := "⚠ " + first + " used gpt-old-0613 @ fp_9: whet drift " + first + " --against " + second + " shows what moved"
	if d := details(); !strings.Contains(d, want) {
		t.Errorf("gpt-old details: %q\n%s", d, h.screen())
	}
}

// A configured Ollama model the server does not have says so in the list,
// and how to get it in the details.
func TestModelsMissingOllamaModel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"models":[{"name":"tiny:latest","model":"tiny:latest","modified_at":"2026-11-25T03:35:52.894864642Z","size":238167,"digest":"8ba8470d7aadd8ddf3a9cab9eeeba23fd4ba1f8dafbd244f815f15cfa87899d3","details":{"parent_model":"","format":"gguf","family":"llama","families":["llama"],"parameter_size":"58K","quantization_level":"unknown"}}]}`))
	}))
	t.Cleanup(srv.Close)
	cfg, err := config.Parse("missing.yaml", []byte("targets: [ollama:llama3.2]\nproviders:\n  ollama:\n    base_url: "+srv.URL+"\n"), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, openStore(t), 120, 30, withTargets(runner.NewRegistry(cfg)))
	h.key("9")
	h.mustSee("ollama:tiny")
	if l := lineWith(h.screen(), "ollama:llama3.2"); !strings.Contains(l, "⚠ not on the server") {
		t.Fatalf("llama3.2 row:\n%s", h.screen())
	}
	if l := lineWith(h.screen(), "ollama:tiny"); strings.Contains(l, "not on the server") {
		t.Fatalf("tiny row:\n%s", h.screen())
	}
	h.key("g")
	h.mustSee("⚠ not on the server: ollama pull llama3.2")
}

// A target whose every call failed recorded no model identity; Models
// lists it all the same, with its failed calls and the last error, as it
// is what one comes to the screen to find.
func TestModelsListsATargetWhoseEveryCallFailed(t *testing.T) {
	for _, w := range []int{120, 80} {
		h, st, _, _, _ := openModels(t, w, 30)
		ctx := context.Background()
		v, err := st.Resolve(ctx, prompt.Ref{Name: "greet"})
		if err != nil {
			t.Fatal(err)
		}
		r := prompt.Run{Source: "cli", Versions: []prompt.RunVersion{{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number, Hash: v.Hash}},
			Targets: []string{"openai:gpt-gone"}, Cases: []prompt.Case{{}, {}}, Repeat: 1}
		if err := st.CreateRun(ctx, &r); err != nil {
			t.Fatal(err)
		}
		var rs []prompt.Result
		for c := range 2 {
			rs = append(rs, prompt.Result{RunID: r.ID, VersionID: v.ID, Target: "openai:gpt-gone", Case: c,
				Error: "openai: 429 insufficient_quota", FinishReason: "error", Started: testNow.Add(-time.Hour)})
		}
		if err := st.SaveResults(ctx, rs); err != nil {
			t.Fatal(err)
		}
		h.key("R")
		line := lineWith(h.screen(), "openai:gpt-gone")
		switch {
		case line == "":
			t.Fatalf("%d columns: the failing target is not listed:\n%s", w, h.screen())
		case w >= 100 && (!strings.Contains(line, "runs") || !strings.Contains(line, "✗ 2 failed, none ok")):
			t.Fatalf("%d columns: row %q", w, line)
		case w < 100 && !strings.Contains(line, "✗ openai:gpt-gone"):
			t.Fatalf("%d columns: row %q", w, line)
		}
		i := slices.IndexFunc(h.m.models.rows, func(r modelsRow) bool { return r.spec == "openai:gpt-gone" })
		for range i {
			h.key("j")
		}
		h.mustSee("every call failed (2)", r.ID, "(1h ago)", "insufficient_quota")
	}
}

// A hosted model without its key lists nothing under MODEL and DIGEST: an
// alias's name and target take that room and read whole at 80 columns.
func TestModelsAliasReadsWholeWhereColumnsAreEmpty(t *testing.T) {
	t.Setenv("ANTHROPIC_API_KEY", "")
	cfg, err := config.Parse("alias.yaml", []byte("aliases:\n  sonnet: anthropic:claude-sonnet-4-5\n"), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		h := newHarness(t, openStore(t), size[0], size[1], withTargets(runner.NewRegistry(cfg)))
		h.key("9")
		h.mustSee("sonnet → anthropic:claude-sonnet-4-5 ", "MODEL", "DIGEST")
	}
}
