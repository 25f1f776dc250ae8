package cli

import (
	"bytes"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"whet/prompt"
	"whet/report"
	"whet/textutil"
)

// The JSON shapes below are whet's stable CLI output; the README documents
// them. Add fields freely; never rename or remove one.

type promptJSON struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Labels      map[string]string `json:"labels"`
	Latest      int               `json:"latest"`
	LatestHash  string            `json:"latest_hash"`
	Tags        map[string]int    `json:"tags"`
	Archived    bool              `json:"archived"`
	Created     time.Time         `json:"created"`
	Updated     time.Time         `json:"updated"`
}

func toPromptJSON(p prompt.Prompt) promptJSON {
	j := promptJSON{Name: p.Name, Description: p.Description, Labels: p.Labels, Latest: p.Latest,
		LatestHash: prompt.ShortHash(p.LatestHash), Tags: p.Tags, Archived: p.Archived, Created: p.CreatedAt.UTC(), Updated: p.UpdatedAt.UTC()}
	if j.Labels == nil {
		j.Labels = map[string]string{}
	}
	if j.Tags == nil {
		j.Tags = map[string]int{}
	}
	return j
}

type versionJSON struct {
	Prompt    string           `json:"prompt"`
	Number    int              `json:"number"`
	Ref       string           `json:"ref"`
	Hash      string           `json:"hash"`
	ShortHash string           `json:"short_hash"`
	Parent    int              `json:"parent"`
	Messages  []prompt.Message `json:"messages"`
	Params    prompt.Params    `json:"params"`
	Variables []string         `json:"variables"`
	Note      string           `json:"note"`
	Author    string           `json:"author"`
	Created   time.Time        `json:"created"`
	Tags      []string         `json:"tags"`
}

func toVersionJSON(v prompt.Version) versionJSON {
	j := versionJSON{Prompt: v.Prompt, Number: v.Number, Ref: v.Ref(), Hash: v.Hash, ShortHash: prompt.ShortHash(v.Hash),
		Parent: v.Parent, Messages: v.Messages, Params: v.Params, Variables: v.Variables(), Note: v.Note,
		Author: v.Author, Created: v.Created.UTC(), Tags: v.Tags}
	if j.Variables == nil {
		j.Variables = []string{}
	}
	if j.Tags == nil {
		j.Tags = []string{}
	}
	if j.Messages == nil {
		j.Messages = []prompt.Message{}
	}
	return j
}

func writeJSON(w io.Writer, v any) error { return report.WriteJSON(w, v) }

// termWriter sanitises what the human-readable listings write (prompt
// text, labels, notes, names: anything a file or a server put there), so
// that nothing in them acts on the terminal. Each Write is one whole field
// or line (fmt, tabwriter), so no escape sequence is split between two.
type termWriter struct{ w io.Writer }

func (t termWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(t.w, textutil.Sanitize(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// tableWriter lays out tab-separated lines as text/tabwriter does (cells
// padded to their column's width plus two spaces, the text after a line's
// last tab as it is), measuring each cell as a terminal draws it: 東京 and
// 👩‍💻 take two columns each, so a name or a label in them keeps the
// columns after it in line. Every cell is stripped of terminal controls.
// Nothing is written until Flush.
type tableWriter struct {
	w   io.Writer
	buf bytes.Buffer
}

func newTableWriter(w io.Writer) *tableWriter { return &tableWriter{w: w} }

func (t *tableWriter) Write(p []byte) (int, error) { return t.buf.Write(p) }

// Flush writes the table.
func (t *tableWriter) Flush() error {
	text := t.buf.String()
	t.buf.Reset()
	lines := strings.SplitAfter(text, "\n")
	rows := make([][]string, len(lines))
	var widths []int
	for i, line := range lines {
		cells := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
		for j := range cells {
			cells[j] = textutil.Sanitize(cells[j])
			if j == len(cells)-1 {
				break // the text after the last tab is not a column
			}
			if j == len(widths) {
				widths = append(widths, 0)
			}
			widths[j] = max(widths[j], ansi.StringWidth(cells[j]))
		}
		rows[i] = cells
	}
	var out strings.Builder
	for i, cells := range rows {
		for j, c := range cells {
			out.WriteString(c)
			if j < len(cells)-1 {
				out.WriteString(strings.Repeat(" ", widths[j]-ansi.StringWidth(c)+2))
			}
		}
		if strings.HasSuffix(lines[i], "\n") {
			out.WriteByte('\n')
		}
	}
	_, err := io.WriteString(t.w, out.String())
	return err
}
