package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"charm.land/catwalk/pkg/catwalk"
	"charm.land/catwalk/pkg/embedded"
)

// The shipped catalogue is exactly what the catwalk version go.mod requires
// gives: a price edited by hand, or a catwalk upgrade without regenerating,
// fails here.
func TestShippedCatalogueIsGenerated(t *testing.T) {
	var buf bytes.Buffer
	if err := render(&buf, catwalkVersion(), embedded.GetAll()); err != nil {
		t.Fatal(err)
	}
	shipped, err := os.ReadFile("../files/prices.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), shipped) {
		t.Fatal("assets/files/prices.yaml is not what catwalk gives: run go run ./assets/genprices > assets/files/prices.yaml and review the diff")
	}
	if !strings.Contains(buf.String(), "charm.land/catwalk "+catwalkVersion()+" (published 20") {
		t.Errorf("the header does not name the source and its date:\n%s", buf.String()[:600])
	}
}

func TestRender(t *testing.T) {
	var providers []catwalk.Provider
	for _, id := range sections {
		providers = append(providers, catwalk.Provider{ID: catwalk.InferenceProvider(id), Name: id})
	}
	providers[1].Models = []catwalk.Model{
		{ID: "claude-opus-4-20250514", CostPer1MIn: 15, CostPer1MOut: 75},
		{ID: "claude-3-haiku", CostPer1MIn: 0.3, CostPer1MOut: 1.2}, // also an extra: the catalogue wins
	}
	providers[0].Models = []catwalk.Model{{ID: "gpt-x", CostPer1MIn: 0.39999999999999997, CostPer1MOut: 1.5999999999999999}}
	var buf bytes.Buffer
	if err := render(&buf, "v0.52.1", providers); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	// Compared with runs of spaces collapsed: the column alignment is not
	// the point.
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{
		"gpt-x: {input: 0.4, output: 1.6}",
		"claude-opus-4-20250514: {input: 15, output: 75}",
		"claude-opus-4: {input: 15, output: 75}",
		"claude-opus-4-0: {input: 15, output: 75}",
		"claude-3-haiku: {input: 0.3, output: 1.2}",
		"# not in catwalk v0.52.1: from the vendor's pricing page, checked 2026-11-24 against docs.anthropic.com/en/docs/about-claude/pricing claude-3-7-sonnet:",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Count(out, "claude-3-haiku:") != 1 {
		t.Errorf("claude-3-haiku listed twice:\n%s", out)
	}

	if err := render(&buf, "v9.9.9", providers); err == nil || !strings.Contains(err.Error(), "publication date") {
		t.Errorf("unknown version: %v", err)
	}
	if err := render(&buf, "v0.52.1", providers[:2]); err == nil || !strings.Contains(err.Error(), `no provider "gemini"`) {
		t.Errorf("missing provider: %v", err)
	}
	providers[0].Models[0].CostPer1MIn = -1
	if err := render(&buf, "v0.52.1", providers); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Errorf("negative price: %v", err)
	}
}
