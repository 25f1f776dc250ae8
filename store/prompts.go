package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"whet/prompt"
	"whet/textutil"
)

// Audit actions, as written to AuditEntry.Action.
const (
	ActionCreate    = "create"    // a new prompt and its version 1
	ActionVersion   = "version"   // a new version saved
	ActionImport    = "import"    // a prompt or version imported from a file
	ActionRestore   = "restore"   // an old version's content saved as the newest
	ActionTag       = "tag"       // a tag set or moved
	ActionUntag     = "untag"     // a tag removed
	ActionLabels    = "labels"    // labels set or removed
	ActionDescribe  = "describe"  // the description changed
	ActionDefaults  = "defaults"  // the default variable values changed
	ActionArchive   = "archive"   // the prompt archived
	ActionUnarchive = "unarchive" // the prompt brought back
	ActionRename    = "rename"    // the prompt renamed
)

// NewVersion is the content and provenance of a version to save.
type NewVersion struct {
	Messages []prompt.Message
	Params   prompt.Params
	Note     string // the commit message
	Author   string
	// Action names the change in the audit log: "" for ActionVersion (or
	// ActionCreate for a new prompt), ActionImport, ActionRestore.
	Action string
}

// NewPrompt describes a prompt to create.
type NewPrompt struct {
	Name        string
	Description string
	Labels      prompt.Labels
	// Defaults are sample values of the prompt's variables.
	Defaults map[string]string
}

// ListOptions filters ListPrompts.
type ListOptions struct {
	// Labels must all match: the key exactly (keys are lower case), the
	// value ignoring case.
	Labels          map[string]string
	IncludeArchived bool
}

// promptHead is what most operations need to know of a prompt.
type promptHead struct {
	id       int64
	name     string
	archived bool
}

// lookupPrompt finds a prompt by name, ignoring case; an unknown name gives
// a *NotFoundError suggesting the nearest existing name.
func lookupPrompt(ctx context.Context, q querier, name string) (promptHead, error) {
	var h promptHead
	err := q.QueryRowContext(ctx, `SELECT id, name, archived FROM prompts WHERE name = ?`, name).
		Scan(&h.id, &h.name, &h.archived)
	if errors.Is(err, sql.ErrNoRows) {
		return h, promptNotFound(ctx, q, name)
	}
	return h, err
}

// normLabels validates labels and returns them with lower-case keys and
// trimmed values.
func normLabels(in map[string]string) (prompt.Labels, error) {
	out := prompt.Labels{}
	for k, v := range in {
		k = strings.ToLower(strings.TrimSpace(k))
		if err := prompt.ValidateLabelKey(k); err != nil {
			return nil, err
		}
		v = strings.TrimSpace(v)
		if v == "" {
			return nil, fmt.Errorf("label %s has an empty value (remove a label instead of emptying it)", k)
		}
		if strings.ContainsFunc(v, textutil.IsControl) {
			return nil, fmt.Errorf("label %s: the value %q holds a control character (an escape sequence, a newline, a tab …)", k, v)
		}
		out[k] = v
	}
	return out, nil
}

func defaultsJSON(m map[string]string) (string, error) {
	if m == nil {
		m = map[string]string{}
	}
	b, err := json.Marshal(m)
	return string(b), err
}

func contentJSON(v NewVersion) (msgs, params string, err error) {
	m := v.Messages
	if m == nil {
		m = []prompt.Message{}
	}
	for i, msg := range m {
		// JSON would store invalid UTF-8 as U+FFFD: not the content hashed.
		if err := prompt.ValidUTF8(msg.Content); err != nil {
			return "", "", fmt.Errorf("message %d (%s): %w", i+1, msg.Role, err)
		}
	}
	mb, err := json.Marshal(m)
	if err != nil {
		return "", "", err
	}
	pb, err := json.Marshal(v.Params)
	if err != nil {
		return "", "", fmt.Errorf("params: %w", err)
	}
	return string(mb), string(pb), nil
}

func (tx *Tx) audit(ctx context.Context, who, action string, p promptHead, before, after, detail string) error {
	var pid any
	if p.id != 0 {
		pid = p.id
	}
	_, err := tx.tx.ExecContext(ctx,
		`INSERT INTO audit (at, who, action, prompt_id, prompt, before, after, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		ms(tx.now), who, action, pid, p.name, before, after, detail)
	return err
}

func (tx *Tx) touch(ctx context.Context, p promptHead) error {
	_, err := tx.tx.ExecContext(ctx, `UPDATE prompts SET updated = ? WHERE id = ?`, ms(tx.now), p.id)
	return err
}

// insertVersion writes version number n of p (parent 0 = none).
func (tx *Tx) insertVersion(ctx context.Context, p promptHead, n, parent int, v NewVersion) (prompt.Version, error) {
	msgs, params, err := contentJSON(v)
	if err != nil {
		return prompt.Version{}, err
	}
	ver := prompt.Version{
		PromptID: p.id,
		Prompt:   p.name,
		Number:   n,
		Hash:     prompt.Content{Messages: v.Messages, Params: v.Params}.Hash(),
		Parent:   parent,
		Messages: v.Messages,
		Params:   v.Params.Clone(),
		Note:     v.Note,
		Author:   v.Author,
		Created:  fromMS(ms(tx.now)),
	}
	var par any
	if parent > 0 {
		par = parent
	}
	err = tx.tx.QueryRowContext(ctx,
		`INSERT INTO versions (prompt_id, number, hash, parent, messages, params, note, author, created)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		p.id, n, ver.Hash, par, msgs, params, v.Note, v.Author, ms(tx.now)).Scan(&ver.ID)
	if err != nil {
		return prompt.Version{}, err
	}
	ver.Messages = append([]prompt.Message(nil), v.Messages...)
	return ver, nil
}

// CreatePrompt creates a prompt with its version 1. The name must pass
// prompt.ValidateName; a prompt of the same name ignoring case gives an
// error wrapping ErrExists that names the existing prompt.
func (s *Store) CreatePrompt(ctx context.Context, p NewPrompt, v NewVersion) (prompt.Version, error) {
	var out prompt.Version
	err := s.Update(ctx, func(tx *Tx) (err error) {
		out, err = tx.CreatePrompt(ctx, p, v)
		return err
	})
	return out, err
}

// CreatePrompt is Store.CreatePrompt inside tx.
func (tx *Tx) CreatePrompt(ctx context.Context, p NewPrompt, v NewVersion) (prompt.Version, error) {
	if err := prompt.ValidateName(p.Name); err != nil {
		return prompt.Version{}, err
	}
	if err := tx.nameFree(ctx, "prompt", p.Name, 0); err != nil {
		return prompt.Version{}, err
	}
	labels, err := normLabels(p.Labels)
	if err != nil {
		return prompt.Version{}, fmt.Errorf("prompt %q: %w", p.Name, err)
	}
	defs, err := defaultsJSON(p.Defaults)
	if err != nil {
		return prompt.Version{}, err
	}
	h := promptHead{name: p.Name}
	err = tx.tx.QueryRowContext(ctx,
		`INSERT INTO prompts (name, description, defaults, created, updated) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		p.Name, p.Description, defs, ms(tx.now), ms(tx.now)).Scan(&h.id)
	if err != nil {
		return prompt.Version{}, err
	}
	for _, k := range labels.Keys() {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO labels (prompt_id, key, value) VALUES (?, ?, ?)`, h.id, k, labels[k]); err != nil {
			return prompt.Version{}, err
		}
	}
	ver, err := tx.insertVersion(ctx, h, 1, 0, v)
	if err != nil {
		return prompt.Version{}, err
	}
	action := ActionCreate
	if v.Action == ActionImport {
		action = ActionImport
	}
	if err := tx.audit(ctx, v.Author, action, h, "", ver.Ref(), v.Note); err != nil {
		return prompt.Version{}, err
	}
	return ver, nil
}

// SaveVersion saves new content for the named prompt as its next version,
// whose Parent is the latest version's number. Content identical to the
// latest version saves nothing and returns the latest with created false.
// An archived prompt gives an error wrapping ErrArchived.
func (s *Store) SaveVersion(ctx context.Context, name string, v NewVersion) (ver prompt.Version, created bool, err error) {
	err = s.Update(ctx, func(tx *Tx) error {
		ver, created, err = tx.SaveVersion(ctx, name, v)
		return err
	})
	return ver, created, err
}

// SaveVersion is Store.SaveVersion inside tx.
func (tx *Tx) SaveVersion(ctx context.Context, name string, v NewVersion) (prompt.Version, bool, error) {
	h, err := lookupPrompt(ctx, tx.tx, name)
	if err != nil {
		return prompt.Version{}, false, err
	}
	if h.archived {
		return prompt.Version{}, false, wrap(ErrArchived, "prompt %q is archived: unarchive it before saving a new version", h.name)
	}
	latest, err := latestVersion(ctx, tx.tx, h)
	if err != nil {
		return prompt.Version{}, false, err
	}
	if latest.Hash == (prompt.Content{Messages: v.Messages, Params: v.Params}).Hash() {
		return latest, false, nil
	}
	ver, err := tx.insertVersion(ctx, h, latest.Number+1, latest.Number, v)
	if err != nil {
		return prompt.Version{}, false, err
	}
	if err := tx.touch(ctx, h); err != nil {
		return prompt.Version{}, false, err
	}
	action := v.Action
	if action == "" {
		action = ActionVersion
	}
	if err := tx.audit(ctx, v.Author, action, h, latest.Ref(), ver.Ref(), v.Note); err != nil {
		return prompt.Version{}, false, err
	}
	return ver, true, nil
}

const versionCols = `v.id, v.prompt_id, p.name, v.number, v.hash, v.parent, v.messages, v.params, v.note, v.author, v.created`

const versionFrom = ` FROM versions v JOIN prompts p ON p.id = v.prompt_id `

type scanner interface{ Scan(dest ...any) error }

func scanVersion(sc scanner) (prompt.Version, error) {
	var (
		v            prompt.Version
		parent       sql.NullInt64
		msgs, params string
		created      int64
	)
	if err := sc.Scan(&v.ID, &v.PromptID, &v.Prompt, &v.Number, &v.Hash, &parent, &msgs, &params, &v.Note, &v.Author, &created); err != nil {
		return v, err
	}
	v.Parent = int(parent.Int64)
	v.Created = fromMS(created)
	if err := json.Unmarshal([]byte(msgs), &v.Messages); err != nil {
		return v, fmt.Errorf("version %s@%d: messages: %w", v.Prompt, v.Number, err)
	}
	if err := json.Unmarshal([]byte(params), &v.Params); err != nil {
		return v, fmt.Errorf("version %s@%d: params: %w", v.Prompt, v.Number, err)
	}
	return v, nil
}

// queryVersions runs a query selecting versionCols and fills each
// version's tags.
func queryVersions(ctx context.Context, q querier, query string, args ...any) ([]prompt.Version, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	var out []prompt.Version
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := fillTags(ctx, q, out); err != nil {
		return nil, err
	}
	return out, nil
}

// fillTags sets Tags of each version to the tags pointing at it now.
func fillTags(ctx context.Context, q querier, vs []prompt.Version) error {
	byPrompt := map[int64]map[string]int64{}
	for i := range vs {
		pid := vs[i].PromptID
		tags, ok := byPrompt[pid]
		if !ok {
			var err error
			if tags, err = currentTags(ctx, q, pid); err != nil {
				return err
			}
			byPrompt[pid] = tags
		}
		vs[i].Tags = nil
		for tag, vid := range tags {
			if vid == vs[i].ID {
				vs[i].Tags = append(vs[i].Tags, tag)
			}
		}
		sort.Strings(vs[i].Tags)
	}
	return nil
}

// currentTags maps each tag of a prompt to the id of the version it points
// at now; removed tags are absent.
func currentTags(ctx context.Context, q querier, promptID int64) (map[string]int64, error) {
	rows, err := q.QueryContext(ctx,
		`SELECT tag, version_id FROM tag_heads WHERE prompt_id = ? AND version_id IS NOT NULL`, promptID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var tag string
		var vid int64
		if err := rows.Scan(&tag, &vid); err != nil {
			return nil, err
		}
		out[tag] = vid
	}
	return out, rows.Err()
}

func latestVersion(ctx context.Context, q querier, h promptHead) (prompt.Version, error) {
	vs, err := queryVersions(ctx, q, `SELECT `+versionCols+versionFrom+`WHERE v.prompt_id = ? ORDER BY v.number DESC LIMIT 1`, h.id)
	if err != nil {
		return prompt.Version{}, err
	}
	if len(vs) == 0 {
		return prompt.Version{}, &NotFoundError{Kind: "version", Name: h.name, Hint: "the prompt has no versions"}
	}
	return vs[0], nil
}

// Resolve finds the version a ref names: the latest, a number, a tag, or a
// content-hash prefix. A ref with both Number and Hash (6 to 9 digits) is
// tried as a number first, then as a hash prefix. A hash prefix matching
// versions of different content gives an error wrapping ErrAmbiguous that
// lists them. Unknown prompts, numbers, tags and hashes give a
// *NotFoundError. The version's Prompt and Tags are filled.
func (s *Store) Resolve(ctx context.Context, ref prompt.Ref) (prompt.Version, error) {
	return resolve(ctx, s.r, ref)
}

// Resolve is Store.Resolve inside tx.
func (tx *Tx) Resolve(ctx context.Context, ref prompt.Ref) (prompt.Version, error) {
	return resolve(ctx, tx.tx, ref)
}

func resolve(ctx context.Context, q querier, ref prompt.Ref) (prompt.Version, error) {
	h, err := lookupPrompt(ctx, q, ref.Name)
	if err != nil {
		return prompt.Version{}, err
	}
	canon := ref
	canon.Name = h.name
	switch {
	case ref.IsLatest():
		return latestVersion(ctx, q, h)
	case ref.Number > 0:
		vs, err := queryVersions(ctx, q, `SELECT `+versionCols+versionFrom+`WHERE v.prompt_id = ? AND v.number = ?`, h.id, ref.Number)
		if err != nil {
			return prompt.Version{}, err
		}
		if len(vs) == 1 {
			return vs[0], nil
		}
		if ref.Hash != "" {
			v, err := resolveHash(ctx, q, h, ref.Hash)
			if err == nil || !errors.Is(err, ErrNotFound) {
				return v, err
			}
		}
		return prompt.Version{}, versionNotFound(ctx, q, h, fmt.Sprintf("%s@%d", h.name, ref.Number))
	case ref.Tag != "":
		tags, err := currentTags(ctx, q, h.id)
		if err != nil {
			return prompt.Version{}, err
		}
		vid, ok := tags[ref.Tag]
		if !ok {
			return prompt.Version{}, tagNotFound(h, ref.Tag, tags)
		}
		return versionByID(ctx, q, vid)
	default:
		return resolveHash(ctx, q, h, ref.Hash)
	}
}

func resolveHash(ctx context.Context, q querier, h promptHead, prefix string) (prompt.Version, error) {
	prefix = strings.ToLower(prefix)
	vs, err := queryVersions(ctx, q, `SELECT `+versionCols+versionFrom+
		`WHERE v.prompt_id = ? AND substr(v.hash, 1, ?) = ? ORDER BY v.number DESC`, h.id, len(prefix), prefix)
	if err != nil {
		return prompt.Version{}, err
	}
	if len(vs) == 0 {
		return prompt.Version{}, &NotFoundError{Kind: "version", Name: h.name + "@" + prefix,
			Hint: fmt.Sprintf("no version of %s has a content hash starting %s ('whet prompt log %s' lists them)", h.name, prefix, h.name)}
	}
	// Several versions may share one content (a restore); the newest of
	// them stands for it.
	seen := map[string]bool{}
	var cands []string
	for _, v := range vs {
		if !seen[v.Hash] {
			seen[v.Hash] = true
			cands = append(cands, fmt.Sprintf("%s (%s)", v.Ref(), prompt.ShortHash(v.Hash)))
		}
	}
	if len(cands) > 1 {
		return prompt.Version{}, wrap(ErrAmbiguous, "hash prefix %q of prompt %q is ambiguous: it matches %s; give more digits",
			prefix, h.name, strings.Join(cands, ", "))
	}
	return vs[0], nil
}

func versionNotFound(ctx context.Context, q querier, h promptHead, name string) error {
	var n sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT MAX(number) FROM versions WHERE prompt_id = ?`, h.id).Scan(&n); err != nil {
		return err
	}
	hint := fmt.Sprintf("%s has no versions", h.name)
	switch {
	case n.Int64 == 1:
		hint = fmt.Sprintf("%s has only version 1", h.name)
	case n.Int64 > 1:
		hint = fmt.Sprintf("%s has versions 1 to %d", h.name, n.Int64)
	}
	return &NotFoundError{Kind: "version", Name: name, Hint: hint}
}

func tagNotFound(h promptHead, tag string, tags map[string]int64) error {
	names := prompt.SortedKeys(tags)
	e := &NotFoundError{Kind: "tag", Name: h.name + "@" + tag}
	if s := nearest(tag, names); s != "" {
		e.Suggestion = h.name + "@" + s
	}
	if len(names) == 0 {
		e.Hint = h.name + " has no tags"
	} else {
		e.Hint = h.name + " has tags " + strings.Join(names, ", ")
	}
	return e
}

// VersionByID returns the version with the given row id, with its Prompt
// and Tags filled.
func (s *Store) VersionByID(ctx context.Context, id int64) (prompt.Version, error) {
	return versionByID(ctx, s.r, id)
}

// VersionByID is Store.VersionByID inside tx.
func (tx *Tx) VersionByID(ctx context.Context, id int64) (prompt.Version, error) {
	return versionByID(ctx, tx.tx, id)
}

func versionByID(ctx context.Context, q querier, id int64) (prompt.Version, error) {
	vs, err := queryVersions(ctx, q, `SELECT `+versionCols+versionFrom+`WHERE v.id = ?`, id)
	if err != nil {
		return prompt.Version{}, err
	}
	if len(vs) == 0 {
		return prompt.Version{}, &NotFoundError{Kind: "version", Name: fmt.Sprintf("id %d", id)}
	}
	return vs[0], nil
}

// Versions lists every version of the named prompt, newest first, with
// their tags.
func (s *Store) Versions(ctx context.Context, name string) ([]prompt.Version, error) {
	h, err := lookupPrompt(ctx, s.r, name)
	if err != nil {
		return nil, err
	}
	return queryVersions(ctx, s.r, `SELECT `+versionCols+versionFrom+`WHERE v.prompt_id = ? ORDER BY v.number DESC`, h.id)
}

// GetPrompt returns the named prompt (ignoring case, archived or not) with
// its Labels, Defaults, Latest, LatestHash and Tags filled.
func (s *Store) GetPrompt(ctx context.Context, name string) (prompt.Prompt, error) {
	return getPrompt(ctx, s.r, name)
}

// GetPrompt is Store.GetPrompt inside tx.
func (tx *Tx) GetPrompt(ctx context.Context, name string) (prompt.Prompt, error) {
	return getPrompt(ctx, tx.tx, name)
}

func getPrompt(ctx context.Context, q querier, name string) (prompt.Prompt, error) {
	h, err := lookupPrompt(ctx, q, name)
	if err != nil {
		return prompt.Prompt{}, err
	}
	ps, err := loadPrompts(ctx, q, scope{"p.id = ?", []any{h.id}}, scope{"prompt_id = ?", []any{h.id}})
	if err != nil {
		return prompt.Prompt{}, err
	}
	if len(ps) != 1 {
		return prompt.Prompt{}, &NotFoundError{Kind: "prompt", Name: name}
	}
	return ps[0], nil
}

// ListPrompts lists prompts sorted by name (ignoring case), with the same
// fields as GetPrompt but no version texts. It runs four queries whatever
// the number of prompts.
func (s *Store) ListPrompts(ctx context.Context, o ListOptions) ([]prompt.Prompt, error) {
	var where []string
	var args []any
	if !o.IncludeArchived {
		where = append(where, "p.archived = 0")
	}
	for _, k := range prompt.SortedKeys(o.Labels) {
		where = append(where, `EXISTS (SELECT 1 FROM labels l WHERE l.prompt_id = p.id AND l.key = ? AND l.value = ? COLLATE NOCASE)`)
		args = append(args, strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(o.Labels[k]))
	}
	filter := "1"
	if len(where) > 0 {
		filter = strings.Join(where, " AND ")
	}
	// Without a label filter most prompts are listed: reading every label
	// and tag row is cheaper than restricting them to the listed ids.
	sub := scope{cond: "1"}
	if len(o.Labels) > 0 {
		sub = scope{cond: "prompt_id IN (SELECT p.id FROM prompts p WHERE " + filter + ")", args: args}
	}
	return loadPrompts(ctx, s.r, scope{cond: filter, args: args}, sub)
}

// scope is an SQL condition with its arguments.
type scope struct {
	cond string
	args []any
}

// loadPrompts loads the prompts matching which (a condition on prompts p)
// with their labels, defaults, latest version and tags; children (a
// condition on prompt_id) must select at least the labels and tag heads
// of those prompts.
func loadPrompts(ctx context.Context, q querier, which, children scope) ([]prompt.Prompt, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM prompts p WHERE `+which.cond, which.args...).Scan(&n); err != nil {
		return nil, err
	}
	out := make([]prompt.Prompt, 0, n)
	index := make(map[int64]int, n)
	rows, err := q.QueryContext(ctx, `SELECT p.id, p.name, p.description, p.archived, p.defaults, p.created, p.updated,
		p.latest, p.latest_hash FROM prompts p WHERE `+which.cond+` ORDER BY p.name, p.id`, which.args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		out = append(out, prompt.Prompt{})
		p := &out[len(out)-1]
		var (
			defs             string
			created, updated int64
		)
		if err := rows.Scan(&p.ID, &p.Name, &p.Description, &p.Archived, &defs, &created, &updated, &p.Latest, &p.LatestHash); err != nil {
			rows.Close()
			return nil, err
		}
		p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
		p.Labels = prompt.Labels{}
		p.Tags = map[string]int{}
		p.Defaults = map[string]string{}
		if defs != "{}" {
			if err := json.Unmarshal([]byte(defs), &p.Defaults); err != nil {
				rows.Close()
				return nil, fmt.Errorf("prompt %q: defaults: %w", p.Name, err)
			}
		}
		index[p.ID] = len(out) - 1
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}

	each := func(query string, scan func(*sql.Rows) error) error {
		rows, err := q.QueryContext(ctx, query, children.args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	var (
		id  int64
		k   string
		v   string
		num int
	)
	err = each(`SELECT prompt_id, key, value FROM labels WHERE `+children.cond, func(r *sql.Rows) error {
		if err := r.Scan(&id, &k, &v); err != nil {
			return err
		}
		if i, ok := index[id]; ok {
			out[i].Labels[k] = v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(`SELECT prompt_id, tag, number FROM tag_heads WHERE version_id IS NOT NULL AND `+children.cond, func(r *sql.Rows) error {
		if err := r.Scan(&id, &k, &num); err != nil {
			return err
		}
		if i, ok := index[id]; ok {
			out[i].Tags[k] = num
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetLabels removes the labels named in rm, then sets those in set (keys
// are lower-cased; values must not be empty). Removing an absent label is
// not an error. A change writes one audit row with the labels before and
// after; no change writes nothing.
func (s *Store) SetLabels(ctx context.Context, name string, set map[string]string, rm []string, author string) error {
	return s.Update(ctx, func(tx *Tx) error { return tx.SetLabels(ctx, name, set, rm, author) })
}

// SetLabels is Store.SetLabels inside tx.
func (tx *Tx) SetLabels(ctx context.Context, name string, set map[string]string, rm []string, author string) error {
	h, err := lookupPrompt(ctx, tx.tx, name)
	if err != nil {
		return err
	}
	add, err := normLabels(set)
	if err != nil {
		return fmt.Errorf("prompt %q: %w", h.name, err)
	}
	before := prompt.Labels{}
	rows, err := tx.tx.QueryContext(ctx, `SELECT key, value FROM labels WHERE prompt_id = ?`, h.id)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return err
		}
		before[k] = v
	}
	if err := rows.Close(); err != nil {
		return err
	}
	after := prompt.Labels{}
	for k, v := range before {
		after[k] = v
	}
	for _, k := range rm {
		delete(after, strings.ToLower(strings.TrimSpace(k)))
	}
	for k, v := range add {
		after[k] = v
	}
	if before.String() == after.String() {
		return nil
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			if _, err := tx.tx.ExecContext(ctx, `DELETE FROM labels WHERE prompt_id = ? AND key = ?`, h.id, k); err != nil {
				return err
			}
		}
	}
	for _, k := range after.Keys() {
		if before[k] == after[k] {
			continue
		}
		if _, err := tx.tx.ExecContext(ctx,
			`INSERT INTO labels (prompt_id, key, value) VALUES (?, ?, ?) ON CONFLICT (prompt_id, key) DO UPDATE SET value = excluded.value`,
			h.id, k, after[k]); err != nil {
			return err
		}
	}
	if err := tx.touch(ctx, h); err != nil {
		return err
	}
	return tx.audit(ctx, author, ActionLabels, h, before.String(), after.String(), "")
}

// SetDescription replaces the prompt's description; a change is audited.
func (s *Store) SetDescription(ctx context.Context, name, desc, author string) error {
	return s.Update(ctx, func(tx *Tx) error { return tx.SetDescription(ctx, name, desc, author) })
}

// SetDescription is Store.SetDescription inside tx.
func (tx *Tx) SetDescription(ctx context.Context, name, desc, author string) error {
	h, err := lookupPrompt(ctx, tx.tx, name)
	if err != nil {
		return err
	}
	var old string
	if err := tx.tx.QueryRowContext(ctx, `SELECT description FROM prompts WHERE id = ?`, h.id).Scan(&old); err != nil {
		return err
	}
	if old == desc {
		return nil
	}
	if _, err := tx.tx.ExecContext(ctx, `UPDATE prompts SET description = ?, updated = ? WHERE id = ?`, desc, ms(tx.now), h.id); err != nil {
		return err
	}
	return tx.audit(ctx, author, ActionDescribe, h, old, desc, "")
}

// RenamePrompt gives the prompt called from (ignoring case) the name to,
// which must pass prompt.ValidateName and not be another prompt's (else an
// error wrapping ErrExists, which says so when that prompt is archived); a
// change of case alone is allowed. An archived prompt may be renamed. Its
// versions, tags, suites and runs follow it (they refer to it by id); a
// run's report keeps the refs it was made with. The rename is audited,
// "from" -> "to".
//
// The prompt's own suite — the one named like the prompt and belonging to
// it, which holds its prompt file's cases — takes the new name too, in the
// same transaction (audited as a suite rename), so that the prompt's file
// keeps its cases; when another suite has the new name already, it is kept
// under the old one. PromptRenamed says which.
func (s *Store) RenamePrompt(ctx context.Context, from, to, author string) (PromptRenamed, error) {
	var out PromptRenamed
	err := s.Update(ctx, func(tx *Tx) (err error) {
		out, err = tx.RenamePrompt(ctx, from, to, author)
		return err
	})
	return out, err
}

// PromptRenamed is what RenamePrompt did with the prompt's own suite (the
// suite named like the prompt that belongs to it). Both are false when the
// prompt has no such suite.
type PromptRenamed struct {
	// SuiteRenamed: the suite took the prompt's new name.
	SuiteRenamed bool
	// SuiteKept: another suite has the new name, so the prompt's suite
	// keeps the old one.
	SuiteKept bool
}

// RenamePrompt is Store.RenamePrompt inside tx.
func (tx *Tx) RenamePrompt(ctx context.Context, from, to, author string) (PromptRenamed, error) {
	var out PromptRenamed
	h, err := lookupPrompt(ctx, tx.tx, strings.TrimSpace(from))
	if err != nil {
		return out, err
	}
	to = strings.TrimSpace(to)
	if err := prompt.ValidateName(to); err != nil {
		return out, fmt.Errorf("invalid prompt name %q: %s", to, prompt.NameRule)
	}
	if to == h.name {
		return out, nil
	}
	if err := tx.nameFree(ctx, "prompt", to, h.id); err != nil {
		if other, lerr := lookupPrompt(ctx, tx.tx, to); errors.Is(err, ErrExists) && lerr == nil && other.archived {
			// Archived prompts are out of sight in lists: say where the name is.
			return out, fmt.Errorf("%w: it is archived (unarchive it to see it, or rename it first)", err)
		}
		return out, err
	}
	// The prompt's own suite is renamed first, while its audit row can
	// still find the prompt by its old name.
	// (A suite of that name that is shared or another prompt's stays.)
	su, err := getSuite(ctx, tx.tx, h.name)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return out, err
	case su.Prompt == h.name:
		err := tx.nameFree(ctx, "suite", to, su.ID)
		switch {
		case errors.Is(err, ErrExists):
			out.SuiteKept = true
		case err != nil:
			return out, err
		default:
			if _, err := tx.RenameSuite(ctx, su.Name, to, author); err != nil {
				return out, fmt.Errorf("its suite %s: %w", su.Name, err)
			}
			out.SuiteRenamed = true
		}
	}
	if _, err := tx.tx.ExecContext(ctx, `UPDATE prompts SET name = ?, updated = ? WHERE id = ?`, to, ms(tx.now), h.id); err != nil {
		return out, err
	}
	old := h.name
	h.name = to
	return out, tx.audit(ctx, author, ActionRename, h, old, to, "")
}

// SetDefaults replaces the prompt's default variable values (its sample
// case) with vars; a change is audited with the JSON before and after.
func (s *Store) SetDefaults(ctx context.Context, name string, vars map[string]string, author string) error {
	return s.Update(ctx, func(tx *Tx) error { return tx.SetDefaults(ctx, name, vars, author) })
}

// SetDefaults is Store.SetDefaults inside tx.
func (tx *Tx) SetDefaults(ctx context.Context, name string, vars map[string]string, author string) error {
	h, err := lookupPrompt(ctx, tx.tx, name)
	if err != nil {
		return err
	}
	var old string
	if err := tx.tx.QueryRowContext(ctx, `SELECT defaults FROM prompts WHERE id = ?`, h.id).Scan(&old); err != nil {
		return err
	}
	defs, err := defaultsJSON(vars)
	if err != nil {
		return err
	}
	if old == defs {
		return nil
	}
	if _, err := tx.tx.ExecContext(ctx, `UPDATE prompts SET defaults = ?, updated = ? WHERE id = ?`, defs, ms(tx.now), h.id); err != nil {
		return err
	}
	return tx.audit(ctx, author, ActionDefaults, h, old, defs, "")
}

// Archive hides the prompt from ListPrompts (unless IncludeArchived) and
// stops new versions; everything it holds is kept. Archiving an archived
// prompt does nothing.
func (s *Store) Archive(ctx context.Context, name, author string) error {
	return s.Update(ctx, func(tx *Tx) error { return tx.setArchived(ctx, name, true, author) })
}

// Unarchive brings an archived prompt back. Unarchiving a prompt that is
// not archived does nothing.
func (s *Store) Unarchive(ctx context.Context, name, author string) error {
	return s.Update(ctx, func(tx *Tx) error { return tx.setArchived(ctx, name, false, author) })
}

// Archive is Store.Archive inside tx.
func (tx *Tx) Archive(ctx context.Context, name, author string) error {
	return tx.setArchived(ctx, name, true, author)
}

// Unarchive is Store.Unarchive inside tx.
func (tx *Tx) Unarchive(ctx context.Context, name, author string) error {
	return tx.setArchived(ctx, name, false, author)
}

func (tx *Tx) setArchived(ctx context.Context, name string, archived bool, author string) error {
	h, err := lookupPrompt(ctx, tx.tx, name)
	if err != nil {
		return err
	}
	if h.archived == archived {
		return nil
	}
	if _, err := tx.tx.ExecContext(ctx, `UPDATE prompts SET archived = ?, updated = ? WHERE id = ?`, boolInt(archived), ms(tx.now), h.id); err != nil {
		return err
	}
	if archived {
		return tx.audit(ctx, author, ActionArchive, h, "active", "archived", "")
	}
	return tx.audit(ctx, author, ActionUnarchive, h, "archived", "active", "")
}
