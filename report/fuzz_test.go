package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// FuzzMarkdown renders a run, and a comparison of it, whose outputs, case
// name, variable, error, note and score reason are the fuzzer's text, and
// holds the documents to checkMarkdown: every table row as wide as its
// header, fences and <details> balanced, no control character, and no HTML
// element that Markdown itself would not make.
func FuzzMarkdown(f *testing.F) {
	texts := corpus()
	for i, s := range texts {
		f.Add(s, texts[(i+1)%len(texts)], texts[(i+2)%len(texts)], texts[(i+3)%len(texts)])
	}
	f.Fuzz(func(t *testing.T, output, name, value, other string) {
		r, c := fuzzRun(output, name, value, other)
		checkMarkdown(t, "run.md", string(render(t, func(b *bytes.Buffer) error { return Markdown(b, r) })))
		checkMarkdown(t, "compare.md", string(render(t, func(b *bytes.Buffer) error { return CompareMarkdown(b, c) })))
	})
}

// fuzzRun is the fixture's run with FuzzMarkdown's texts put in, and the
// comparison of its two versions.
func fuzzRun(output, name, value, other string) (RunReport, Comparison) {
	r := fixture()
	r.Run.Note = other
	r.Run.Cases[0].Name = name
	r.Run.Cases[0].Vars[name] = value
	r.Run.Cases[1].Expected = value
	for j := range r.Results {
		switch j % 3 {
		case 0:
			r.Results[j].Output = output
		case 1:
			r.Results[j].Output = value
		default:
			r.Results[j].Error = other
		}
	}
	for j := range r.Scores {
		r.Scores[j].Reason = output
		r.Scores[j].Scorer = name
	}
	a, b := SideOf(r, 11, tOpenAI), SideOf(r, 12, tOpenAI)
	return r, Compare(a, b, r.Run.Cases, other, r.Generated)
}

// TestFuzzInputsOnGitHub renders the inputs kept in FuzzMarkdown's corpus
// (testdata/fuzz/FuzzMarkdown, texts the fuzzer found) and reads them with
// cmark-gfm, as GitHub does: the fuzz target checks with goldmark alone.
func TestFuzzInputsOnGitHub(t *testing.T) {
	files, err := filepath.Glob("testdata/fuzz/FuzzMarkdown/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, fn := range files {
		b, err := os.ReadFile(fn)
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n")[1:] {
			s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(l, "string("), ")"))
			if err != nil {
				t.Fatalf("%s: %v", fn, err)
			}
			texts = append(texts, s)
		}
		if len(texts) != 4 {
			t.Fatalf("%s: %d texts, want 4", fn, len(texts))
		}
		r, c := fuzzRun(texts[0], texts[1], texts[2], texts[3])
		name := filepath.Base(fn)
		checkCmark(t, name, string(render(t, func(b *bytes.Buffer) error { return Markdown(b, r) })))
		checkCmark(t, name+" compare", string(render(t, func(b *bytes.Buffer) error { return CompareMarkdown(b, c) })))
	}
}
