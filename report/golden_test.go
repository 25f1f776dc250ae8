package report

import (
	"bytes"
	"testing"
)

func TestGolden(t *testing.T) {
	r := fixture()
	c := fixtureComparison()
	tests := []struct {
		file string
		f    func(*bytes.Buffer) error
	}{
		{"run.md", func(b *bytes.Buffer) error { return Markdown(b, r) }},
		{"run.json", func(b *bytes.Buffer) error { return JSON(b, r) }},
		{"run.csv", func(b *bytes.Buffer) error { return CSV(b, r) }},
		{"run-table-wide.txt", func(b *bytes.Buffer) error { return Table(b, r, 0) }},
		{"run-table-60.txt", func(b *bytes.Buffer) error { return Table(b, r, 60) }},
		{"compare.md", func(b *bytes.Buffer) error { return CompareMarkdown(b, c) }},
		{"compare.json", func(b *bytes.Buffer) error { return CompareJSON(b, c) }},
		{"compare.csv", func(b *bytes.Buffer) error { return CompareCSV(b, c) }},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := render(t, tt.f)
			golden(t, tt.file, got)
			// Same input, same bytes.
			if again := render(t, tt.f); !bytes.Equal(got, again) {
				t.Errorf("%s: two renders of the same input differ", tt.file)
			}
		})
	}
}
