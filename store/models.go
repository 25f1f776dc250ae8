package store

import (
	"context"
	"sort"
	"time"
)

// ModelIdentity is one identity a target reported in saved results: the
// model as the provider resolved it and its digest (the Ollama digest,
// OpenAI's system_fingerprint, …), with when and where it was last seen.
type ModelIdentity struct {
	Model  string
	Digest string
	// Last is the start of the newest result with this identity (zero when
	// no result recorded its start); RunID is that result's run.
	Last  time.Time
	RunID string
	// Cells counts the results with this identity.
	Cells int
	last  int64 // the newest result's id, for ordering
}

// ModelSeen is what the store has recorded of one target: the identity its
// newest result reported and, when that differs, the one before it. A
// changed identity (a new digest after `ollama pull`, a new
// system_fingerprint) is what makes old results stop being comparable.
type ModelSeen struct {
	Target  string
	Current ModelIdentity
	// Previous is the newest identity recorded before Current's run and not
	// by it; nil when there is none (every result reported Current, or
	// only Current's run recorded others: a server with several backends).
	Previous *ModelIdentity
	Cells    int // successful, uncached results of the target
}

// Changed reports whether the target's identity changed between its
// results.
func (m ModelSeen) Changed() bool { return m.Previous != nil }

// Drift says how the model under the target moved away from its results:
// DriftDigest when the server now lists digest (non-empty) and the newest
// result recorded another one (the model was pulled again), DriftIdentity
// when the results recorded more than one identity, "" when neither.
func (m ModelSeen) Drift(digest string) ModelDrift {
	switch {
	case digest != "" && m.Current.Digest != "" && digest != m.Current.Digest:
		return DriftDigest
	case m.Changed():
		return DriftIdentity
	}
	return ""
}

// ModelDrift is how a target's model changed; see ModelSeen.Drift.
type ModelDrift string

// The ways a model changes under its results.
const (
	DriftDigest   ModelDrift = "digest"   // the server lists a new digest
	DriftIdentity ModelDrift = "identity" // the results recorded two identities
)

// ModelsSeen lists, per target, the model identities its successful,
// uncached results recorded (cached results repeat an older call's
// identity; failed ones have none), sorted by target. Results
// that recorded neither a model nor a digest do not count as an identity.
func (s *Store) ModelsSeen(ctx context.Context) ([]ModelSeen, error) {
	// One pass over results: SQLite takes a bare column of a MAX()
	// aggregate from the row that holds the maximum.
	rows, err := s.r.QueryContext(ctx, `SELECT target, model, model_digest, MAX(id), run_id, started, COUNT(*)
		FROM results WHERE error = '' AND cache_hit = 0 AND (model != '' OR model_digest != '')
		GROUP BY target, model, model_digest`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	by := map[string][]ModelIdentity{}
	for rows.Next() {
		var (
			target  string
			id      ModelIdentity
			started *int64
		)
		if err := rows.Scan(&target, &id.Model, &id.Digest, &id.last, &id.RunID, &started, &id.Cells); err != nil {
			return nil, err
		}
		if started != nil {
			id.Last = fromMS(*started)
		}
		by[target] = append(by[target], id)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]ModelSeen, 0, len(by))
	for target, ids := range by {
		sort.Slice(ids, func(i, j int) bool { return ids[i].last > ids[j].last })
		ms := ModelSeen{Target: target, Current: ids[0]}
		for _, id := range ids {
			ms.Cells += id.Cells
		}
		// The identity before: the newest one that the newest result's
		// run did not itself record. One run answered from two backends
		// (OpenAI's system_fingerprint varies from call to call) has not
		// changed model under itself.
		for _, id := range ids[1:] {
			if id.RunID != ms.Current.RunID {
				prev := id
				ms.Previous = &prev
				break
			}
		}
		out = append(out, ms)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Target < out[j].Target })
	return out, nil
}

// LatestSeen picks, among the entries of seen under specs (names of one
// model), the one whose newest result is the newest.
func LatestSeen(seen map[string]ModelSeen, specs []string) (ModelSeen, bool) {
	var best ModelSeen
	found := false
	for _, s := range specs {
		if m, ok := seen[s]; ok && (!found || m.Current.last > best.Current.last) {
			best, found = m, true
		}
	}
	return best, found
}
