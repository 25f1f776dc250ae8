package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"whet/prompt"
)

// TagMove is one row of a prompt's tag history.
type TagMove struct {
	Tag     string
	Version int // the version number the tag was set to; 0 = removed
	Author  string
	At      time.Time
}

// SetTag points tag at the version ref names, appending to the tag's
// history. It returns the version the tag pointed at before, if any. A tag
// already on that version is left alone (no new row, no audit). A tag in
// protected that points at another version moves only with force; without
// it the error wraps ErrProtectedTag.
func (s *Store) SetTag(ctx context.Context, ref prompt.Ref, tag string, force bool, protected []string, author string) (prev prompt.Version, hadPrev bool, err error) {
	err = s.Update(ctx, func(tx *Tx) error {
		prev, hadPrev, err = tx.SetTag(ctx, ref, tag, force, protected, author)
		return err
	})
	return prev, hadPrev, err
}

// SetTag is Store.SetTag inside tx.
func (tx *Tx) SetTag(ctx context.Context, ref prompt.Ref, tag string, force bool, protected []string, author string) (prompt.Version, bool, error) {
	if err := prompt.ValidateTag(tag); err != nil {
		return prompt.Version{}, false, err
	}
	if err := prompt.ReservedTag(tag); err != nil {
		return prompt.Version{}, false, err
	}
	target, err := resolve(ctx, tx.tx, ref)
	if err != nil {
		return prompt.Version{}, false, err
	}
	h := promptHead{id: target.PromptID, name: target.Prompt}
	tags, err := currentTags(ctx, tx.tx, h.id)
	if err != nil {
		return prompt.Version{}, false, err
	}
	var prev prompt.Version
	prevID, hadPrev := tags[tag]
	if hadPrev {
		if prev, err = versionByID(ctx, tx.tx, prevID); err != nil {
			return prompt.Version{}, false, err
		}
		if prevID == target.ID {
			return prev, true, nil
		}
	}
	detail := ""
	if hadPrev && slices.Contains(protected, tag) {
		if !force {
			return prompt.Version{}, false, wrap(ErrProtectedTag,
				"tag %q is protected and points at %s: use --force to move it to %s", tag, prev.Ref(), target.Ref())
		}
		detail = "forced (protected tag)"
	}
	if _, err := tx.tx.ExecContext(ctx,
		`INSERT INTO tag_events (prompt_id, tag, version_id, author, created) VALUES (?, ?, ?, ?, ?)`,
		h.id, tag, target.ID, author, ms(tx.now)); err != nil {
		return prompt.Version{}, false, err
	}
	if err := tx.touch(ctx, h); err != nil {
		return prompt.Version{}, false, err
	}
	before := ""
	if hadPrev {
		before = tag + ": " + prev.Ref()
	}
	if err := tx.audit(ctx, author, ActionTag, h, before, tag+": "+target.Ref(), detail); err != nil {
		return prompt.Version{}, false, err
	}
	return prev, hadPrev, nil
}

// RemoveTag removes a tag from the named prompt, appending a removal to
// its history. An absent tag gives a *NotFoundError; a protected tag needs
// force (else the error wraps ErrProtectedTag).
func (s *Store) RemoveTag(ctx context.Context, name, tag string, force bool, protected []string, author string) error {
	return s.Update(ctx, func(tx *Tx) error { return tx.RemoveTag(ctx, name, tag, force, protected, author) })
}

// RemoveTag is Store.RemoveTag inside tx.
func (tx *Tx) RemoveTag(ctx context.Context, name, tag string, force bool, protected []string, author string) error {
	h, err := lookupPrompt(ctx, tx.tx, name)
	if err != nil {
		return err
	}
	tags, err := currentTags(ctx, tx.tx, h.id)
	if err != nil {
		return err
	}
	vid, ok := tags[tag]
	if !ok {
		return tagNotFound(h, tag, tags)
	}
	prev, err := versionByID(ctx, tx.tx, vid)
	if err != nil {
		return err
	}
	detail := ""
	if slices.Contains(protected, tag) {
		if !force {
			return wrap(ErrProtectedTag, "tag %q is protected and points at %s: use --force to remove it", tag, prev.Ref())
		}
		detail = "forced (protected tag)"
	}
	if _, err := tx.tx.ExecContext(ctx,
		`INSERT INTO tag_events (prompt_id, tag, version_id, author, created) VALUES (?, ?, NULL, ?, ?)`,
		h.id, tag, author, ms(tx.now)); err != nil {
		return err
	}
	if err := tx.touch(ctx, h); err != nil {
		return err
	}
	return tx.audit(ctx, author, ActionUntag, h, tag+": "+prev.Ref(), "", detail)
}

// TagHistory lists every move of every tag of the named prompt, newest
// first.
func (s *Store) TagHistory(ctx context.Context, name string) ([]TagMove, error) {
	h, err := lookupPrompt(ctx, s.r, name)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT t.tag, v.number, t.author, t.created
		FROM tag_events t LEFT JOIN versions v ON v.id = t.version_id
		WHERE t.prompt_id = ? ORDER BY t.id DESC`, h.id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TagMove
	for rows.Next() {
		var m TagMove
		var n sql.NullInt64
		var at int64
		if err := rows.Scan(&m.Tag, &n, &m.Author, &at); err != nil {
			return nil, fmt.Errorf("tag history of %s: %w", h.name, err)
		}
		m.Version = int(n.Int64)
		m.At = fromMS(at)
		out = append(out, m)
	}
	return out, rows.Err()
}
