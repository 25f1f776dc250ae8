package report

import (
	"bytes"
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
		checkMarkdown(t, "run.md", string(render(t, func(b *bytes.Buffer) error { return Markdown(b, r) })))
		a, b := SideOf(r, 11, tOpenAI), SideOf(r, 12, tOpenAI)
		c := Compare(a, b, r.Run.Cases, other, r.Generated)
		checkMarkdown(t, "compare.md", string(render(t, func(b *bytes.Buffer) error { return CompareMarkdown(b, c) })))
	})
}
