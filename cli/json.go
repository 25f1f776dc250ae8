package cli

import (
	"io"
	"time"

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
