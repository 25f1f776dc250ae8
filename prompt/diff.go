package prompt

import (
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
)

// DiffText renders a version as the text that diffs compare: each message
// under a "## role" heading, then the params as sorted "key: value" lines.
func DiffText(v Version) string {
	var b strings.Builder
	for i, m := range v.Messages {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("## " + m.Role + "\n\n")
		b.WriteString(m.Content)
		b.WriteString("\n")
	}
	if lines := v.Params.Lines(); len(lines) > 0 {
		b.WriteString("\n## params\n\n")
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// DiffVersions is the unified diff of a's and b's messages and params, with
// refs (name@N hash) as the file labels. It is empty when they are identical.
func DiffVersions(a, b Version) string {
	return udiff.Unified(diffLabel(a), diffLabel(b), DiffText(a), DiffText(b))
}

func diffLabel(v Version) string {
	return v.Ref() + " " + ShortHash(v.Hash)
}
