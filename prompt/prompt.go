package prompt

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"whet/textutil"
)

// Roles a message may have.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Message is one turn of a chat prompt. A version has any number, in order.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Params are the sampling parameters sent with every call. Nil pointers mean
// "the provider's default". Extra holds provider-specific options (num_ctx,
// presence_penalty, …) passed through by providers that understand them.
type Params struct {
	Temperature *float64       `json:"temperature,omitempty"`
	TopP        *float64       `json:"top_p,omitempty"`
	MaxTokens   *int           `json:"max_tokens,omitempty"`
	Seed        *int64         `json:"seed,omitempty"`
	Stop        []string       `json:"stop,omitempty"`
	Extra       map[string]any `json:"extra,omitempty"`
}

// IsZero reports whether no parameter is set.
func (p Params) IsZero() bool {
	return p.Temperature == nil && p.TopP == nil && p.MaxTokens == nil && p.Seed == nil &&
		len(p.Stop) == 0 && len(p.Extra) == 0
}

// Labels are the taxonomy of a prompt: purpose, tone, audience, team, owner,
// and any other key=value.
type Labels map[string]string

// TaxonomyKeys are the well-known label keys, in display order.
var TaxonomyKeys = []string{"purpose", "tone", "audience", "team", "owner"}

// Keys returns the label keys sorted: taxonomy keys first, then the rest.
func (l Labels) Keys() []string {
	rank := func(k string) int {
		for i, t := range TaxonomyKeys {
			if k == t {
				return i
			}
		}
		return len(TaxonomyKeys)
	}
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rank(keys[i]), rank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	return keys
}

// String renders labels as "k=v k=v" in Keys order.
func (l Labels) String() string {
	parts := make([]string, 0, len(l))
	for _, k := range l.Keys() {
		parts = append(parts, k+"="+l[k])
	}
	return strings.Join(parts, " ")
}

// Prompt is a named, labelled line of versions. Prompts are archived, never
// deleted.
type Prompt struct {
	ID          int64
	Name        string
	Description string
	Labels      Labels
	// Defaults are sample values for the prompt's variables: its default case.
	Defaults  map[string]string
	Archived  bool
	CreatedAt time.Time
	UpdatedAt time.Time
	// Latest is the newest version number (0 when there is none).
	Latest int
	// LatestHash is the content hash of the newest version.
	LatestHash string
	// Tags maps each tag to the version number it points at now.
	Tags map[string]int
}

// Content is what a version's hash covers: the messages and params.
type Content struct {
	Messages []Message `json:"messages"`
	Params   Params    `json:"params"`
}

// Hash is the SHA-256 of the canonical JSON of the content, in hex.
// Canonical JSON is encoding/json's output of Content: fields in declared
// order, map keys sorted, no insignificant whitespace, nil slices as [].
func (c Content) Hash() string {
	msgs := c.Messages
	if msgs == nil {
		msgs = []Message{}
	}
	b, err := json.Marshal(Content{Messages: msgs, Params: c.Params})
	if err != nil {
		// Extra holds only values decoded from JSON, YAML or flags; a value
		// that cannot be encoded is a programming error.
		panic(fmt.Sprintf("prompt: hashing content: %v", err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ShortHash is the 12-hex display form of a content hash.
func ShortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// ShortDigest is a model digest in short: its first 12 characters after an
// algorithm prefix ("sha256:"), as `ollama list` shows it. A digest is what
// a server says: it is made one line free of control sequences before it is
// cut, so that no cut leaves part of a sequence to draw.
func ShortDigest(d string) string {
	d = textutil.OneLine(d)
	if i := strings.IndexByte(d, ':'); i >= 0 {
		d = d[i+1:]
	}
	if r := []rune(d); len(r) > 12 {
		return string(r[:12])
	}
	return d
}

// Version is one immutable save of a prompt.
type Version struct {
	ID       int64
	PromptID int64
	Prompt   string // the prompt's name
	Number   int
	Hash     string // full hex SHA-256 of Content
	Parent   int    // the version number this one was made from; 0 for the first
	Messages []Message
	Params   Params
	Note     string
	Author   string
	Created  time.Time
	// Tags are the tags pointing at this version now.
	Tags []string
}

// Content returns the hashed part of the version.
func (v Version) Content() Content { return Content{Messages: v.Messages, Params: v.Params} }

// Ref returns the canonical reference "name@N".
func (v Version) Ref() string { return fmt.Sprintf("%s@%d", v.Prompt, v.Number) }

// Variables lists the template variables used across all messages, in order
// of first use. Messages that fail to parse contribute the variables that
// could be read before the error.
func (v Version) Variables() []string { return MessagesVariables(v.Messages) }

// MessagesVariables lists the variables of a message list in order of first use.
func MessagesVariables(msgs []Message) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range msgs {
		t, _ := ParseTemplate(m.Content)
		for _, name := range t.Variables() {
			if !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	return out
}

var (
	nameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$`)
	tagRe  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]*$`)
	keyRe  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`)
)

// NameRule states the rule for prompt names, for error messages.
const NameRule = "a name is 1-128 letters, digits, '-', '_' or '.', starting with a letter or digit, with '/' between folder parts (e.g. support/reply-v2); names are unique ignoring case"

// ValidateName checks a prompt name against NameRule.
func ValidateName(name string) error {
	if name == "" {
		return fmt.Errorf("empty prompt name: %s", NameRule)
	}
	if len(name) > 128 || !nameRe.MatchString(name) {
		return fmt.Errorf("invalid prompt name %q: %s", name, NameRule)
	}
	return nil
}

// TagRule states the rule for tag names.
const TagRule = "a tag starts with a letter and holds letters, digits, '-', '_' or '.'; it cannot look like a version (v3) or a hash prefix (6+ hex digits)"

// ValidateTag checks a tag name. Tags that could be read as a version number
// or a hash prefix are refused so that refs stay unambiguous.
func ValidateTag(tag string) error {
	if tag == "" {
		return errors.New("type a tag name, such as production or staging")
	}
	if !tagRe.MatchString(tag) || len(tag) > 64 || versionSelRe.MatchString(tag) || isHashPrefix(tag) {
		return fmt.Errorf("invalid tag %q: %s", tag, TagRule)
	}
	return nil
}

// LabelRule states the rule for label keys.
const LabelRule = "a label is key=value; the key starts with a letter and holds letters, digits, '_', '.' or '-'"

// ParseLabel parses "key=value". The value may be empty only when allowEmpty.
func ParseLabel(s string) (key, value string, err error) {
	k, v, ok := strings.Cut(s, "=")
	k = strings.TrimSpace(k)
	if !ok || !keyRe.MatchString(k) {
		return "", "", fmt.Errorf("malformed label %q: %s", s, LabelRule)
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return "", "", fmt.Errorf("malformed label %q: the value is empty", s)
	}
	return strings.ToLower(k), v, nil
}

// ValidateLabelKey checks a label key.
func ValidateLabelKey(k string) error {
	if !keyRe.MatchString(k) {
		return fmt.Errorf("invalid label key %q: %s", k, LabelRule)
	}
	return nil
}

// StaleTeam reports a team label left behind by a rename that moved a
// prompt from one top folder to another ("legal/nda" to "sales/nda"): the
// prompt's team label named its old folder (ignoring case), so it now
// says the wrong team. newTeam is the new top folder. Labels are not
// changed by a rename; this is for saying so.
func StaleTeam(labels Labels, oldName, newName string) (team, newTeam string, stale bool) {
	oldDir, _, okOld := strings.Cut(oldName, "/")
	newDir, _, okNew := strings.Cut(newName, "/")
	team = labels["team"]
	if !okOld || !okNew || team == "" || strings.EqualFold(oldDir, newDir) || !strings.EqualFold(team, oldDir) {
		return team, "", false
	}
	return team, newDir, true
}
