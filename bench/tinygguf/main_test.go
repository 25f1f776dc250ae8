package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ollama/ollama/fs/ggml"
)

// TestWritesALlamaModel: the file decodes as Ollama decodes a model, with
// the vocabulary and every tensor of a one-layer llama; a seed makes the
// same bytes each time and another seed other weights; -meta leaves the
// tensors out.
func TestWritesALlamaModel(t *testing.T) {
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	for name, seed := range map[string]uint64{"a.gguf": 1, "b.gguf": 1, "c.gguf": 2} {
		if err := write(path(name), seed, false, "llama"); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(path("a.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := ggml.Decode(f, -1)
	if err != nil {
		t.Fatal(err)
	}
	kv := m.KV()
	if kv.Architecture() != "llama" || kv.BlockCount() != layers || len(kv.Strings("tokenizer.ggml.tokens")) != 261 || kv.Uint("vocab_size") != 261 {
		t.Errorf("metadata: arch %q, %d blocks, %d tokens", kv.Architecture(), kv.BlockCount(), len(kv.Strings("tokenizer.ggml.tokens")))
	}
	want := map[string][]uint64{
		"token_embd.weight": {embd, 261}, "output_norm.weight": {embd},
		"blk.0.attn_norm.weight": {embd}, "blk.0.attn_q.weight": {embd, embd}, "blk.0.attn_k.weight": {embd, embd},
		"blk.0.attn_v.weight": {embd, embd}, "blk.0.attn_output.weight": {embd, embd}, "blk.0.ffn_norm.weight": {embd},
		"blk.0.ffn_gate.weight": {embd, ff}, "blk.0.ffn_up.weight": {embd, ff}, "blk.0.ffn_down.weight": {ff, embd},
	}
	items := m.Tensors().Items()
	if len(items) != len(want) {
		t.Errorf("%d tensors, want %d", len(items), len(want))
	}
	for _, ts := range items {
		if w, ok := want[ts.Name]; !ok || !slices.Equal(ts.Shape, w) {
			t.Errorf("tensor %s shape %v, want %v", ts.Name, ts.Shape, w)
		}
	}
	a, b, c := read(t, path("a.gguf")), read(t, path("b.gguf")), read(t, path("c.gguf"))
	if !bytes.Equal(a, b) || bytes.Equal(a, c) || len(a) != len(c) {
		t.Errorf("seed 1 twice: same bytes %v; seed 2: other bytes %v", bytes.Equal(a, b), !bytes.Equal(a, c))
	}
	if err := write(path("meta.gguf"), 1, true, "llama"); err != nil {
		t.Fatal(err)
	}
	if n := len(read(t, path("meta.gguf"))); n >= len(a)/10 {
		t.Errorf("metadata only: %d bytes of %d", n, len(a))
	}
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
