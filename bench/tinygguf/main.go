// Command tinygguf writes a tiny llama-architecture GGUF with random
// weights (one layer, hidden size 64, a byte-level BPE vocabulary of 261
// tokens) with Ollama's own GGUF writer. A real Ollama server built from
// source loads and runs it on a CPU in well under a second and streams
// tokens (garbage text), so whet can be tried against a real server
// without downloading a model:
//
//	go run ./bench/tinygguf -o tiny.gguf
//	printf 'FROM ./tiny.gguf\nTEMPLATE """{{ range .Messages }}<|{{ .Role }}|>{{ .Content }}\n{{ end }}<|assistant|>"""\n' > Modelfile
//	ollama create tiny -f Modelfile
//
// -seed N writes other weights (a new digest once created again: drift),
// -meta writes the metadata without tensors (listed and shown, but it
// fails to load), -arch NAME names another architecture (one the server
// does not know fails to load as well).
package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"

	"github.com/ollama/ollama/fs/ggml"
)

// The model's shape: small enough to load in a blink, a real llama graph.
const (
	embd   = 64
	ff     = 128
	heads  = 4
	layers = 1
)

func main() {
	out := flag.String("o", "tiny.gguf", "the GGUF file to write")
	seed := flag.Uint64("seed", 1, "seed of the random weights")
	meta := flag.Bool("meta", false, "write the metadata only, no tensors (a model that fails to load)")
	arch := flag.String("arch", "llama", "general.architecture")
	flag.Parse()
	if err := write(*out, *seed, *meta, *arch); err != nil {
		fmt.Fprintln(os.Stderr, "tinygguf:", err)
		os.Exit(1)
	}
}

// write writes the model to path.
func write(path string, seed uint64, meta bool, arch string) error {
	kv, vocab := config(arch)
	var ts []*ggml.Tensor
	if !meta {
		ts = tensors(seed, vocab)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := ggml.WriteGGUF(f, kv, ts); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// config is the model's metadata and the size of its vocabulary: the 256
// bytes of GPT-2's byte-level BPE, <s> and </s>, and three merges.
func config(arch string) (ggml.KV, int) {
	tokens := []string{"<s>", "</s>"}
	types := []int32{3, 3} // control
	for _, r := range byteRunes() {
		tokens = append(tokens, string(r))
		types = append(types, 1) // normal
	}
	merges := []string{"Ġ t", "h e", "Ġt he"}
	for _, m := range []string{"Ġt", "he", "Ġthe"} {
		tokens = append(tokens, m)
		types = append(types, 1)
	}
	kv := ggml.KV{
		"general.architecture":                   arch,
		"general.name":                           "tiny",
		"general.file_type":                      uint32(0), // F32
		"llama.block_count":                      uint32(layers),
		"llama.context_length":                   uint32(4096),
		"llama.embedding_length":                 uint32(embd),
		"llama.feed_forward_length":              uint32(ff),
		"llama.attention.head_count":             uint32(heads),
		"llama.attention.head_count_kv":          uint32(heads),
		"llama.attention.layer_norm_rms_epsilon": float32(1e-5),
		"llama.rope.freq_base":                   float32(10000),
		"llama.rope.dimension_count":             uint32(embd / heads),
		"llama.vocab_size":                       uint32(len(tokens)),
		"tokenizer.ggml.model":                   "gpt2",
		"tokenizer.ggml.pre":                     "default",
		"tokenizer.ggml.tokens":                  tokens,
		"tokenizer.ggml.token_type":              types,
		"tokenizer.ggml.scores":                  make([]float32, len(tokens)),
		"tokenizer.ggml.merges":                  merges,
		"tokenizer.ggml.bos_token_id":            uint32(0),
		"tokenizer.ggml.eos_token_id":            uint32(1),
		"tokenizer.ggml.add_bos_token":           true,
	}
	return kv, len(tokens)
}

// tensors are every tensor a llama model needs, F32, shapes in GGUF's
// order (the fastest-varying dimension first); the output projection is
// the token embedding's (tied).
func tensors(seed uint64, vocab int) []*ggml.Tensor {
	rng := rand.New(rand.NewPCG(seed, 42))
	random := func(name string, shape ...uint64) *ggml.Tensor {
		n := uint64(1)
		for _, d := range shape {
			n *= d
		}
		v := make(f32s, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64() * 0.5)
		}
		return &ggml.Tensor{Name: name, Kind: 0, Shape: shape, WriterTo: v}
	}
	ones := func(name string) *ggml.Tensor {
		v := make(f32s, embd)
		for i := range v {
			v[i] = 1
		}
		return &ggml.Tensor{Name: name, Kind: 0, Shape: []uint64{embd}, WriterTo: v}
	}
	ts := []*ggml.Tensor{random("token_embd.weight", embd, uint64(vocab)), ones("output_norm.weight")}
	for l := range layers {
		p := fmt.Sprintf("blk.%d.", l)
		ts = append(ts,
			ones(p+"attn_norm.weight"),
			random(p+"attn_q.weight", embd, embd),
			random(p+"attn_k.weight", embd, embd),
			random(p+"attn_v.weight", embd, embd),
			random(p+"attn_output.weight", embd, embd),
			ones(p+"ffn_norm.weight"),
			random(p+"ffn_gate.weight", embd, ff),
			random(p+"ffn_up.weight", embd, ff),
			random(p+"ffn_down.weight", ff, embd),
		)
	}
	return ts
}

// byteRunes is GPT-2's byte-to-unicode table: the rune standing for each
// byte in a byte-level BPE vocabulary.
func byteRunes() []rune {
	out := make([]rune, 256)
	n := 0
	for b := range 256 {
		if (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			out[b] = rune(b)
		} else {
			out[b] = rune(256 + n)
			n++
		}
	}
	return out
}

// f32s is a tensor's data, written little-endian.
type f32s []float32

func (v f32s) WriteTo(w io.Writer) (int64, error) {
	var buf bytes.Buffer
	if err := binary.Write(&buf, binary.LittleEndian, []float32(v)); err != nil {
		return 0, err
	}
	return buf.WriteTo(w)
}
