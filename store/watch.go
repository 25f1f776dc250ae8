package store

import "context"

// DataVersion returns a number that changes when another process (or
// another Store on the same file) commits a change to the database: a
// `whet run` in another terminal, a CI job, a teammate's import. Writes
// through this Store leave it as it was, so a screen that wrote something
// itself is not told to read it again. Only a change of the number means
// something; its value does not.
//
// It is SQLite's PRAGMA data_version, read on the writer connection (the
// number is per connection, and the writer is the one connection a Store
// keeps for its whole life). A Store opened ReadOnly has no writer: its
// DataVersion is always 0.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	if s.readOnly {
		return 0, nil
	}
	var v int64
	err := s.w.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v)
	return v, err
}
