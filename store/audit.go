package store

import (
	"context"
	"time"
)

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID     int64
	At     time.Time
	Who    string
	Action string // one of the Action constants
	Prompt string // the prompt's name when the change was made
	// Before and After are references or values: "summary@2" -> "summary@3",
	// "production: summary@1" -> "production: summary@3", labels as
	// "k=v k=v", defaults as JSON, "active" -> "archived".
	Before, After string
	Detail        string // the version note, "forced (protected tag)", …
}

// Audit lists the audit log newest first: of one prompt (its name, ignoring
// case) or of everything when prompt is "". limit <= 0 means no limit.
func (s *Store) Audit(ctx context.Context, prompt string, limit int) ([]AuditEntry, error) {
	query := `SELECT id, at, who, action, prompt, before, after, detail FROM audit`
	var args []any
	if prompt != "" {
		h, err := lookupPrompt(ctx, s.r, prompt)
		if err != nil {
			return nil, err
		}
		query += ` WHERE prompt_id = ?`
		args = append(args, h.id)
	}
	query += ` ORDER BY id DESC`
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Who, &e.Action, &e.Prompt, &e.Before, &e.After, &e.Detail); err != nil {
			return nil, err
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
