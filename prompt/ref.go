package prompt

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Ref names a version: "name" or "name@latest" (the latest), "name@3" or
// "name@v3" (a number), "name@production" (a tag), "name@1f2e3d" (a content-hash prefix of
// at least 6 hex digits). At most one of Number, Tag and Hash is set (none
// for the latest version), except for a selector of 6 to 9 plain digits,
// which is both a version number and a hash prefix: resolvers try the number
// first, then the hash. Ten or more digits are a hash prefix only.
type Ref struct {
	Name   string
	Number int
	Tag    string
	Hash   string // lower-case hex prefix, 6..64 digits
}

var versionSelRe = regexp.MustCompile(`^[vV]?[0-9]+$`)

func isHashPrefix(s string) bool {
	if len(s) < 6 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	return true
}

// ParseRef parses a reference. The error says what is wrong with it.
func ParseRef(s string) (Ref, error) {
	s = strings.TrimSpace(s)
	name, sel, hasSel := strings.Cut(s, "@")
	if err := ValidateName(name); err != nil {
		return Ref{}, fmt.Errorf("bad ref %q: %w", s, err)
	}
	r := Ref{Name: name}
	if !hasSel {
		return r, nil
	}
	switch {
	case sel == "":
		return Ref{}, fmt.Errorf("bad ref %q: nothing after '@' (use name@3, name@v3, name@TAG or name@HASH)", s)
	case strings.EqualFold(sel, LatestSelector):
		return r, nil
	case versionSelRe.MatchString(sel) && (sel[0] == 'v' || sel[0] == 'V' || len(sel) < 10):
		n, err := strconv.Atoi(strings.TrimLeft(sel, "vV"))
		if err != nil || n < 1 {
			return Ref{}, fmt.Errorf("bad ref %q: version numbers start at 1", s)
		}
		r.Number = n
		if isHashPrefix(sel) {
			r.Hash = sel
		}
	case isHashPrefix(sel):
		r.Hash = strings.ToLower(sel)
	case tagRe.MatchString(sel):
		r.Tag = sel
	default:
		return Ref{}, fmt.Errorf("bad ref %q: %q is neither a version number, a hash prefix (6+ hex digits) nor a tag", s, sel)
	}
	return r, nil
}

// LatestSelector is the selector that names a prompt's newest version, as
// the name alone does ("summary@latest" is "summary"). It is never a tag:
// ReservedTag refuses it, so a ref written for another registry's
// movable "latest" label means here what it means there.
const LatestSelector = "latest"

// ReservedTag reports why tag cannot be set on a version: "latest" (in any
// case) already names the newest version. ValidateTag still accepts it, so
// that a tag an older whet let someone set can be read and removed.
func ReservedTag(tag string) error {
	if strings.EqualFold(tag, LatestSelector) {
		return fmt.Errorf("%q cannot be a tag: NAME@latest (or NAME alone) always names the newest version", tag)
	}
	return nil
}

// String renders the ref in its canonical form.
func (r Ref) String() string {
	switch {
	case r.Number > 0 && r.Hash != "":
		return r.Name + "@" + r.Hash
	case r.Number > 0:
		return fmt.Sprintf("%s@%d", r.Name, r.Number)
	case r.Tag != "":
		return r.Name + "@" + r.Tag
	case r.Hash != "":
		return r.Name + "@" + r.Hash
	}
	return r.Name
}

// IsLatest reports whether the ref names the newest version.
func (r Ref) IsLatest() bool { return r.Number == 0 && r.Tag == "" && r.Hash == "" }
