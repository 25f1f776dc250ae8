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
	return DiffVersionsWith(a, b, diffLabel)
}

// DiffVersionsWith is DiffVersions with the file labels label gives.
func DiffVersionsWith(a, b Version, label func(Version) string) string {
	return udiff.Unified(label(a), label(b), DiffText(a), DiffText(b))
}

// DiffLabelDated labels a version in a diff with its ref and hash, and,
// after a tab as unified diffs put a file's time, when and by whom it was
// saved: "support/reply@2 1f2e3d4c5b6a\t2026-03-04 10:15 by ana".
func DiffLabelDated(v Version) string {
	label := diffLabel(v) + "\t" + v.Created.Local().Format("2006-01-02 15:04")
	if v.Author != "" {
		label += " by " + v.Author
	}
	return label
}

func diffLabel(v Version) string {
	return v.Ref() + " " + ShortHash(v.Hash)
}
