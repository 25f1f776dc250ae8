package config

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// FuzzParse: a config file, whatever it holds, never panics the decoder.
// A file with problems yields a *ProblemsError whose every problem names
// the file and a 1-based line:col, in file order; a file without yields a
// config whose every target and alias resolves and whose numbers are in
// range. Parsing is deterministic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		fullConfig,
		badConfig,
		"",
		"# nothing\n",
		"targets: [a, b\ntheme: x\n",
		"providers:\n  a:\n    type: echo\n   b: 1\n",
		"theme: \"dark\n",
		"theme: a\ntheme: b\n",
		"targets:\n\t- echo\n",
		"- a\n- b\n",
		"theme: dark\n---\ntheme: light\n",
		"theme: *nope\n",
		"providers:\n  openai:\n    prices:\n      m: {input: .inf, output: .nan}\n",
		"providers:\n  openai:\n    timeout: 30\n    concurrency: 99999999999\n",
		"providers:\n  openai:\n    headers: {Authorization: x, X-Title: \"${TITLE:-whet}\"}\n",
		"providers:\n  mine:\n    type: openai\n    base_url: ${BASE}/v1\n    api_key_env: MINE_KEY\n",
		"providers:\n  azure:\n    type: azure\n    base_url: https://r.openai.azure.com\n    api_version: 2024-10-21\n",
		"providers:\n  ollama:\n    keep_alive: 0\n  o2:\n    type: ollama\n    keep_alive: -1s\n",
		"aliases:\n  fast: echo\n  FAST: echo\n  x: \"openai:\"\njudge: fast\nembedder: ollama:nomic\n",
		"providers:\n  base: &local\n    type: openai\n    base_url: http://localhost:8000/v1\n  vllm:\n    <<: *local\n    concurrency: 16\ntargets: [vllm:qwen]\n",
		"a: &a [*a]\nproviders: &p {x: *p}\n",
		"author: ${USER}\nprotected_tags: []\ntheme: light\n",
		"\ufefftheme: dark\n",
		"theme: dark\nauthor: Ren\xe9\n",
	} {
		f.Add(s)
	}
	getenv := func(k string) string {
		switch k {
		case "USER":
			return "ada"
		case "BASE":
			return "http://localhost:8000"
		}
		return ""
	}
	f.Fuzz(func(t *testing.T, src string) {
		c, err := Parse("c.yaml", []byte(src), getenv)
		c2, err2 := Parse("c.yaml", []byte(src), getenv)
		if !reflect.DeepEqual(c, c2) || fmt.Sprint(err) != fmt.Sprint(err2) {
			t.Fatalf("two parses differ:\n%#v %v\n%#v %v", c, err, c2, err2)
		}
		if err != nil {
			checkProblems(t, err)
			return
		}
		checkConfig(t, c)
	})
}

// checkProblems asserts err lists positioned problems of c.yaml in order.
func checkProblems(t *testing.T, err error) {
	t.Helper()
	var pe *ProblemsError
	if !errors.As(err, &pe) || len(pe.Problems) == 0 {
		t.Fatalf("err = %v (%T), want a *ProblemsError with problems", err, err)
	}
	for i, p := range pe.Problems {
		if p.File != "c.yaml" || p.Line < 1 || p.Col < 1 || p.Msg == "" {
			t.Fatalf("problem without file:line:col or message: %#v", p)
		}
		if i > 0 {
			q := pe.Problems[i-1]
			if q.Line > p.Line || q.Line == p.Line && q.Col > p.Col {
				t.Fatalf("problems out of order: %v before %v", q, p)
			}
		}
		if !strings.HasPrefix(p.String(), fmt.Sprintf("c.yaml:%d:%d: ", p.Line, p.Col)) {
			t.Fatalf("problem does not start with its position: %q", p.String())
		}
	}
}

// checkConfig asserts a config Parse accepted is one the runner can use.
func checkConfig(t *testing.T, c Config) {
	t.Helper()
	if c.Path != "c.yaml" || c.ProtectedTags == nil {
		t.Fatalf("Path %q, ProtectedTags %v", c.Path, c.ProtectedTags)
	}
	for name, p := range c.Providers {
		if name != strings.ToLower(name) || !validName(name) {
			t.Fatalf("provider name %q", name)
		}
		q, ok := c.Provider(name)
		if !ok || !slices.Contains(Types(), q.Type) {
			t.Fatalf("provider %q resolves to %+v, %v", name, q, ok)
		}
		if p.Concurrency < 0 || p.Timeout < 0 {
			t.Fatalf("provider %q: concurrency %d, timeout %v", name, p.Concurrency, p.Timeout)
		}
		for m, pr := range p.Prices {
			for _, v := range []float64{pr.Input, pr.Output} {
				if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("provider %q model %q price %+v", name, m, pr)
				}
			}
		}
	}
	resolves := func(target string, bareOK bool) bool {
		if target == TypeEcho {
			return true
		}
		prov, model, ok := strings.Cut(target, ":")
		if !ok {
			_, isProv := c.Provider(prov)
			_, isAlias := c.Alias(prov)
			return bareOK && (isProv || isAlias)
		}
		_, isProv := c.Provider(prov)
		return isProv && strings.TrimSpace(model) != ""
	}
	for name, target := range c.Aliases {
		if !resolves(target, false) {
			t.Fatalf("alias %q -> %q does not resolve", name, target)
		}
	}
	for _, target := range c.Targets {
		if !resolves(target, true) {
			t.Fatalf("target %q does not resolve", target)
		}
	}
}
