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
// newest run reported and, when that run reported one the run of the target
// before it did not, the identity that run reported. A changed identity (a
// new digest after `ollama pull`, a new system_fingerprint) is what makes
// old results stop being comparable.
//
// Identities are compared per run, as sets, the way eval.DriftRow's
// ModelChanged compares a baseline with its re-run: a server that answers
// from several backends (OpenAI's system_fingerprint varies from call to
// call) has not changed model when a run meets only some of the backends
// the run before it met, in any order. And only the newest run is set
// against the one before it: once a second run has recorded the new
// identity, the target is no longer reported changed, however many runs
// of the old model are kept.
type ModelSeen struct {
	Target string
	// Current is the identity of the newest run's newest result or, when
	// that run changed model, its newest identity the run before did not
	// record.
	Current ModelIdentity
	// Previous is the newest identity the run before recorded and the
	// newest run did not (or, when the newest run only added one, the run
	// before's newest); nil when the model did not change.
	Previous *ModelIdentity
	// Since is when the model changed: the start of the newest run's first
	// result with an identity the run before did not record (zero when the
	// model did not change or no start was recorded).
	Since time.Time
	Cells int // successful, uncached results of the target
}

// Changed reports whether the target's newest run recorded a model
// identity that the run of the target before it did not.
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
// identity; failed ones have none), sorted by target, and whether its
// newest run changed model (see ModelSeen). Results that recorded neither
// a model nor a digest do not count as an identity. Targets are read
// through CanonicalTargets: one model's runs under either of its names are
// one entry.
func (s *Store) ModelsSeen(ctx context.Context) ([]ModelSeen, error) {
	// One row per target, run and identity, as SaveResults keeps them
	// (migration 0006); runs are ordered by their newest result.
	rows, err := s.r.QueryContext(ctx, `SELECT target, run_id, model, model_digest, last_id, first_started, last_started, cells
		FROM run_identities`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type seenRun struct {
		last int64 // the run's newest result id
		ids  []ModelIdentity
		// first is, per identity, the start of its first result in the run.
		first map[[2]string]*int64
	}
	by := map[string]map[string]*seenRun{}
	for rows.Next() {
		var (
			target        string
			id            ModelIdentity
			first, latest *int64
		)
		if err := rows.Scan(&target, &id.RunID, &id.Model, &id.Digest, &id.last, &first, &latest, &id.Cells); err != nil {
			return nil, err
		}
		if latest != nil {
			id.Last = fromMS(*latest)
		}
		if s.canon != nil {
			id.Model = canonModel(s.canon, target, id.Model)
			target = s.canon(target)
		}
		if by[target] == nil {
			by[target] = map[string]*seenRun{}
		}
		r := by[target][id.RunID]
		if r == nil {
			r = &seenRun{first: map[[2]string]*int64{}}
			by[target][id.RunID] = r
		}
		r.last = max(r.last, id.last)
		k := [2]string{id.Model, id.Digest}
		if f, dup := r.first[k]; dup {
			// One run ran the model under both of its names.
			for i := range r.ids {
				if p := &r.ids[i]; p.Model == id.Model && p.Digest == id.Digest {
					p.Cells += id.Cells
					if id.last > p.last {
						p.last, p.Last = id.last, id.Last
					}
				}
			}
			if f == nil || (first != nil && *first < *f) {
				r.first[k] = first
			}
			continue
		}
		r.ids = append(r.ids, id)
		r.first[k] = first
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	key := func(id ModelIdentity) [2]string { return [2]string{id.Model, id.Digest} }
	out := make([]ModelSeen, 0, len(by))
	for target, runs := range by {
		list := make([]*seenRun, 0, len(runs))
		cells := map[[2]string]int{} // per identity, over every run
		for _, r := range runs {
			sort.Slice(r.ids, func(i, j int) bool { return r.ids[i].last > r.ids[j].last })
			for _, id := range r.ids {
				cells[key(id)] += id.Cells
			}
			list = append(list, r)
		}
		sort.Slice(list, func(i, j int) bool { return list[i].last > list[j].last })
		newest := list[0]
		ms := ModelSeen{Target: target, Current: newest.ids[0]}
		if len(list) > 1 {
			before := list[1]
			var added []ModelIdentity
			for _, id := range newest.ids {
				if _, ok := before.first[key(id)]; !ok {
					added = append(added, id)
				}
			}
			if len(added) > 0 {
				ms.Current = added[0]
				prev := before.ids[0]
				for _, id := range before.ids {
					if _, ok := newest.first[key(id)]; !ok {
						prev = id
						break
					}
				}
				ms.Previous = &prev
				for _, id := range added {
					if f := newest.first[key(id)]; f != nil && (ms.Since.IsZero() || fromMS(*f).Before(ms.Since)) {
						ms.Since = fromMS(*f)
					}
				}
			}
		}
		ms.Current.Cells = cells[key(ms.Current)]
		if ms.Previous != nil {
			ms.Previous.Cells = cells[key(*ms.Previous)]
		}
		for _, n := range cells {
			ms.Cells += n
		}
		out = append(out, ms)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Target < out[j].Target })
	return out, nil
}

// TargetFailures is what the store holds of one target's failed calls.
type TargetFailures struct {
	Target string
	Failed int // failed calls, over every run
	// RunID, Last and Error are of the newest failed call: its run, when
	// it began (zero when not recorded) and its error.
	RunID string
	Last  time.Time
	Error string
	last  int64 // the newest failed call's result id, for ordering
}

// TargetsFailed lists, per target, its failed calls: how many, and the
// newest one. A target whose every call failed recorded no model identity,
// so ModelsSeen does not know it; this does. The counts come from the
// failed calls' index alone (results_failed), the newest from its row.
// Targets are read through CanonicalTargets, as ModelsSeen reads them.
func (s *Store) TargetsFailed(ctx context.Context) ([]TargetFailures, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT f.target, f.n, f.last, r.run_id, r.started, r.error
		FROM (SELECT target, count(*) AS n, max(id) AS last FROM results WHERE error != '' GROUP BY target) f
		JOIN results r ON r.id = f.last`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	by := map[string]*TargetFailures{}
	for rows.Next() {
		var (
			f       TargetFailures
			started *int64
		)
		if err := rows.Scan(&f.Target, &f.Failed, &f.last, &f.RunID, &started, &f.Error); err != nil {
			return nil, err
		}
		if started != nil {
			f.Last = fromMS(*started)
		}
		if s.canon != nil {
			f.Target = s.canon(f.Target)
		}
		had := by[f.Target]
		if had == nil {
			by[f.Target] = &f
			continue
		}
		// One target saved under two names.
		n := had.Failed + f.Failed
		if f.last > had.last {
			*had = f
		}
		had.Failed = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]TargetFailures, 0, len(by))
	for _, f := range by {
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Target < out[j].Target })
	return out, nil
}
