package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"whet/prompt"
)

func TestModelsSeen(t *testing.T) {
	ctx := context.Background()
	s, a1, a2, _ := runFixture(t)
	if got, err := s.ModelsSeen(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v, %v", got, err)
	}
	newRun := func() string {
		t.Helper()
		r := prompt.Run{Source: "cli", Versions: []prompt.RunVersion{rv(a1), rv(a2)}, Targets: []string{"ollama:llama3.2", "openai:gpt-4o-mini"},
			Cases: []prompt.Case{{Vars: map[string]string{"x": "1"}}, {Vars: map[string]string{"x": "2"}}}, Repeat: 1}
		if err := s.CreateRun(ctx, &r); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	t0 := time.UnixMilli(1_700_000_000_000)
	run1, run2 := newRun(), newRun()
	res := func(run string, v prompt.Version, target string, c int, model, digest string, at time.Time) prompt.Result {
		return prompt.Result{RunID: run, VersionID: v.ID, Target: target, Case: c, Output: "ok", Model: model, ModelDigest: digest, Started: at}
	}
	batch := []prompt.Result{
		// The first run: llama at digest aaa on both cases.
		res(run1, a1, "ollama:llama3.2", 0, "llama3.2", "aaa", t0),
		res(run1, a1, "ollama:llama3.2", 1, "llama3.2", "aaa", t0.Add(time.Second)),
		res(run1, a1, "openai:gpt-4o-mini", 0, "gpt-4o-mini-2024-07-18", "fp_1", t0),
	}
	// Neither a failure, a cache hit nor a result without identity counts.
	fail := res(run1, a2, "ollama:llama3.2", 0, "llama3.2", "zzz", t0.Add(time.Hour))
	fail.Error, fail.Output = "boom", ""
	hit := res(run1, a2, "ollama:llama3.2", 1, "llama3.2", "yyy", t0.Add(time.Hour))
	hit.CacheHit = true
	anon := res(run1, a2, "openai:gpt-4o-mini", 1, "", "", t0.Add(time.Hour))
	batch = append(batch, fail, hit, anon,
		// The second run: llama was pulled again (digest bbb); gpt unchanged.
		res(run2, a1, "ollama:llama3.2", 0, "llama3.2", "bbb", t0.Add(time.Minute)),
		res(run2, a1, "openai:gpt-4o-mini", 0, "gpt-4o-mini-2024-07-18", "fp_1", t0.Add(time.Minute)),
	)
	if err := s.SaveResults(ctx, batch); err != nil {
		t.Fatal(err)
	}
	got, err := s.ModelsSeen(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Target != "ollama:llama3.2" || got[1].Target != "openai:gpt-4o-mini" {
		t.Fatalf("ModelsSeen = %+v", got)
	}
	llama, gpt := got[0], got[1]
	if llama.Current.Digest != "bbb" || llama.Current.RunID != run2 || !llama.Current.Last.Equal(t0.Add(time.Minute)) || llama.Current.Cells != 1 {
		t.Errorf("llama current = %+v", llama.Current)
	}
	if !llama.Changed() || llama.Previous.Digest != "aaa" || llama.Previous.RunID != run1 || llama.Previous.Cells != 2 ||
		!llama.Previous.Last.Equal(t0.Add(time.Second)) || llama.Cells != 3 {
		t.Errorf("llama previous = %+v (cells %d)", llama.Previous, llama.Cells)
	}
	if gpt.Changed() || gpt.Current.Model != "gpt-4o-mini-2024-07-18" || gpt.Current.Digest != "fp_1" || gpt.Current.RunID != run2 || gpt.Cells != 2 {
		t.Errorf("gpt = %+v", gpt)
	}
}

func TestModelSeenDrift(t *testing.T) {
	one := ModelSeen{Current: ModelIdentity{Model: "m", Digest: "aaa"}}
	two := ModelSeen{Current: ModelIdentity{Model: "m", Digest: "bbb"}, Previous: &ModelIdentity{Model: "m", Digest: "aaa"}}
	noDigest := ModelSeen{Current: ModelIdentity{Model: "gpt-4o-2024-08-06"}}
	cases := []struct {
		seen   ModelSeen
		listed string
		want   ModelDrift
	}{
		{one, "", ""},
		{one, "aaa", ""},
		{one, "ccc", DriftDigest},
		{two, "bbb", DriftIdentity},
		{two, "", DriftIdentity},
		{two, "ccc", DriftDigest},
		{noDigest, "ccc", ""}, // nothing recorded to compare with
	}
	for i, c := range cases {
		if got := c.seen.Drift(c.listed); got != c.want {
			t.Errorf("%d: Drift(%q) = %q, want %q", i, c.listed, got, c.want)
		}
	}
}

// A server that answers one run from several backends (OpenAI's
// system_fingerprint varies from call to call) has not changed model under
// it; an identity of an earlier run that the newest run did not record has.
func TestModelsSeenFleetInOneRun(t *testing.T) {
	ctx := context.Background()
	s, a1, _, _ := runFixture(t)
	newRun := func() string {
		t.Helper()
		r := prompt.Run{Source: "cli", Versions: []prompt.RunVersion{rv(a1)}, Targets: []string{"openai:x"},
			Cases: []prompt.Case{{Vars: map[string]string{"x": "1"}}, {Vars: map[string]string{"x": "2"}}, {Vars: map[string]string{"x": "3"}}}, Repeat: 1}
		if err := s.CreateRun(ctx, &r); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	save := func(run string, fps ...string) {
		t.Helper()
		var rs []prompt.Result
		for c, fp := range fps {
			rs = append(rs, prompt.Result{RunID: run, VersionID: a1.ID, Target: "openai:x", Case: c, Output: "ok", Model: "x", ModelDigest: fp})
		}
		if err := s.SaveResults(ctx, rs); err != nil {
			t.Fatal(err)
		}
	}
	seen := func() ModelSeen {
		t.Helper()
		got, err := s.ModelsSeen(ctx)
		if err != nil || len(got) != 1 {
			t.Fatalf("ModelsSeen = %+v, %v", got, err)
		}
		return got[0]
	}
	run1 := newRun()
	save(run1, "fp_a", "fp_b", "fp_a")
	if m := seen(); m.Changed() || m.Drift("") != "" {
		t.Errorf("one run served by two backends: changed, previous %+v", m.Previous)
	}
	run2 := newRun()
	save(run2, "fp_c", "fp_c", "fp_c")
	m := seen()
	if !m.Changed() || m.Previous.RunID != run1 || m.Current.RunID != run2 || m.Current.Digest != "fp_c" {
		t.Errorf("a new backend in a later run: %+v, previous %+v", m.Current, m.Previous)
	}
}

// A model that changed once is reported changed while the newest run is
// the first with the new identity, from that run's date, and no longer once
// a later run recorded the same identity again: old runs kept for months
// do not keep a target flagged.
func TestModelsSeenChangeIsBetweenTheLastTwoRuns(t *testing.T) {
	ctx := context.Background()
	s, a1, _, _ := runFixture(t)
	t0 := time.UnixMilli(1_700_000_000_000)
	run := func(at time.Time, fps ...string) string {
		t.Helper()
		r := prompt.Run{Source: "cli", Versions: []prompt.RunVersion{rv(a1)}, Targets: []string{"openai:x"},
			Cases: []prompt.Case{{Vars: map[string]string{"x": "1"}}, {Vars: map[string]string{"x": "2"}}, {Vars: map[string]string{"x": "3"}}}, Repeat: 1}
		if err := s.CreateRun(ctx, &r); err != nil {
			t.Fatal(err)
		}
		var rs []prompt.Result
		for c, fp := range fps {
			rs = append(rs, prompt.Result{RunID: r.ID, VersionID: a1.ID, Target: "openai:x", Case: c, Output: "ok", Model: "x", ModelDigest: fp, Started: at.Add(time.Duration(c) * time.Second)})
		}
		if err := s.SaveResults(ctx, rs); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	seen := func() ModelSeen {
		t.Helper()
		got, err := s.ModelsSeen(ctx)
		if err != nil || len(got) != 1 {
			t.Fatalf("ModelsSeen = %+v, %v", got, err)
		}
		return got[0]
	}
	run1 := run(t0, "aaa", "aaa")
	if m := seen(); m.Changed() || !m.Since.IsZero() {
		t.Errorf("one run: changed since %v, previous %+v", m.Since, m.Previous)
	}
	run2 := run(t0.Add(24*time.Hour), "bbb", "bbb")
	m := seen()
	if !m.Changed() || m.Previous.RunID != run1 || m.Previous.Digest != "aaa" || m.Current.RunID != run2 || !m.Since.Equal(t0.Add(24*time.Hour)) {
		t.Errorf("pulled again before the newest run: %+v since %v, previous %+v", m.Current, m.Since, m.Previous)
	}
	if m.Drift("") != DriftIdentity {
		t.Errorf("Drift = %q", m.Drift(""))
	}
	run(t0.Add(48*time.Hour), "bbb", "bbb")
	if m := seen(); m.Changed() || m.Drift("") != "" || m.Current.Digest != "bbb" || m.Current.Cells != 4 {
		t.Errorf("a second run on the new model: changed since %v, previous %+v, current %+v", m.Since, m.Previous, m.Current)
	}
	// A fleet: the newest run met only some of the backends the run before
	// it met, in another order; then one it had never met.
	run(t0.Add(72*time.Hour), "bbb", "ccc", "bbb")
	run(t0.Add(96*time.Hour), "ccc")
	if m := seen(); m.Changed() {
		t.Errorf("a run that met fewer backends of the same fleet: changed, previous %+v", m.Previous)
	}
	run6 := run(t0.Add(120*time.Hour), "ccc", "ddd", "ccc")
	m = seen()
	if !m.Changed() || m.Previous.Digest != "ccc" || m.Current.Digest != "ddd" || m.Current.RunID != run6 || !m.Since.Equal(t0.Add(120*time.Hour+time.Second)) {
		t.Errorf("a backend the run before never met: %+v since %v, previous %+v", m.Current, m.Since, m.Previous)
	}
}

// identityRows is run_identities, and the same rows as grouped from the
// results themselves (what ModelsSeen read before migration 0006), in one
// order.
func identityRows(t *testing.T, s *Store) (kept, fromResults []string) {
	t.Helper()
	read := func(q string) []string {
		rows, err := s.r.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var (
				run, target, model, digest string
				last, cells                int64
				first, latest              sql.NullInt64
			)
			if err := rows.Scan(&run, &target, &model, &digest, &last, &first, &latest, &cells); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(run, target, model, digest, last, first, latest, cells))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	kept = read(`SELECT run_id, target, model, model_digest, last_id, first_started, last_started, cells FROM run_identities
		ORDER BY run_id, target, model, model_digest`)
	fromResults = read(`SELECT run_id, target, model, model_digest, MAX(id), MIN(started), MAX(started), COUNT(*)
		FROM results WHERE error = '' AND cache_hit = 0 AND (model != '' OR model_digest != '')
		GROUP BY run_id, target, model, model_digest ORDER BY run_id, target, model, model_digest`)
	return kept, fromResults
}

// checkIdentities fails t unless run_identities holds what the results
// say.
func checkIdentities(t *testing.T, s *Store, what string) {
	t.Helper()
	kept, want := identityRows(t, s)
	if strings.Join(kept, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s: run_identities =\n%s\nthe results say\n%s", what, strings.Join(kept, "\n"), strings.Join(want, "\n"))
	}
}

// What ModelsSeen reads is kept by every save, as the results are: batch
// after batch of one run (a resumed run), results for cells that already
// had one (ignored, in the same batch or an earlier one), results without
// a start, failures and cache hits; a save that fails leaves nothing; a
// prune takes its runs' rows.
func TestRunIdentitiesFollowTheResults(t *testing.T) {
	ctx := context.Background()
	s, a1, a2, _ := runFixture(t)
	newRun := func() string {
		t.Helper()
		r := prompt.Run{Source: "cli", Versions: []prompt.RunVersion{rv(a1), rv(a2)}, Targets: []string{"ollama:llama3.2", "openai:x"},
			Cases: []prompt.Case{{}, {}, {}, {}}, Repeat: 3}
		if err := s.CreateRun(ctx, &r); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	t0 := time.UnixMilli(1_700_000_000_000)
	res := func(run string, v prompt.Version, target string, c, rep int, digest string, at time.Time) prompt.Result {
		return prompt.Result{RunID: run, VersionID: v.ID, Target: target, Case: c, Repeat: rep, Output: "ok", Model: "m", ModelDigest: digest, Started: at}
	}
	save := func(what string, rs ...prompt.Result) {
		t.Helper()
		if err := s.SaveResults(ctx, rs); err != nil {
			t.Fatal(err)
		}
		checkIdentities(t, s, what)
	}
	run1, run2 := newRun(), newRun()
	fail := res(run1, a1, "openai:x", 0, 0, "fp", t0)
	fail.Error, fail.Output = "boom", ""
	hit := res(run1, a1, "openai:x", 1, 0, "fp", t0)
	hit.CacheHit = true
	anon := res(run1, a1, "openai:x", 2, 0, "", t0)
	anon.Model = ""
	save("first batch",
		res(run1, a1, "ollama:llama3.2", 0, 0, "aaa", t0.Add(time.Second)),
		res(run1, a1, "ollama:llama3.2", 1, 0, "aaa", t0),
		res(run1, a1, "ollama:llama3.2", 2, 0, "aaa", time.Time{}),
		res(run1, a1, "ollama:llama3.2", 3, 0, "bbb", time.Time{}),
		fail, hit, anon,
		res(run2, a1, "openai:x", 0, 0, "fp_1", t0.Add(time.Hour)))
	// The run resumed: more of its cells, a new identity, one cell again.
	save("resumed",
		res(run1, a2, "ollama:llama3.2", 0, 0, "aaa", t0.Add(-time.Minute)),
		res(run1, a1, "ollama:llama3.2", 1, 0, "ccc", t0.Add(time.Hour)), // the cell has a result: ignored
		res(run1, a2, "ollama:llama3.2", 3, 0, "bbb", t0.Add(time.Minute)))
	// A batch of more than one INSERT, with a cell twice in one of them and
	// one saved before.
	var rs []prompt.Result
	for _, v := range []prompt.Version{a2, a1} {
		for c := range 4 {
			for rep := range 3 {
				for _, tg := range []string{"ollama:llama3.2", "openai:x"} {
					rs = append(rs, res(run2, v, tg, c, rep, fmt.Sprintf("fp_%d", rep), t0.Add(time.Duration(c)*time.Second)))
				}
			}
		}
	}
	again := res(run2, a2, "openai:x", 2, 1, "fp_other", t0.Add(2*time.Hour))
	rs = append(rs[:30], append([]prompt.Result{again}, rs[30:]...)...)
	rs = append(rs, res(run2, a1, "openai:x", 1, 0, "fp_other", t0.Add(3*time.Hour)))
	save("duplicates", rs...)
	if err := s.SaveResults(ctx, []prompt.Result{res(run2, a1, "openai:x", 2, 0, "fp_1", t0), {RunID: "no-such-run", VersionID: a1.ID, Target: "x", Output: "ok", Model: "m"}}); err == nil {
		t.Fatal("a result of no run was saved")
	}
	checkIdentities(t, s, "a failed save")
	seen, err := s.ModelsSeen(ctx)
	if err != nil || len(seen) != 2 || seen[1].Cells != 24 || seen[1].Current.Digest == "fp_other" {
		t.Fatalf("ModelsSeen = %+v, %v", seen, err)
	}

	for _, id := range []string{run1, run2} {
		if err := s.FinishRun(ctx, id, prompt.RunDone, t0.Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.PruneRuns(ctx, PruneOptions{Before: time.Now().Add(time.Hour), Keep: []string{run2}}); err != nil {
		t.Fatal(err)
	}
	checkIdentities(t, s, "after the prune")
	if kept, _ := identityRows(t, s); len(kept) == 0 || strings.Contains(strings.Join(kept, "\n"), run1) {
		t.Errorf("after pruning run %s: %v", run1, kept)
	}
	// The prune and its VACUUM changed the schema under the Store's
	// prepared statement: saving goes on.
	if _, _, err := s.Vacuum(ctx); err != nil {
		t.Fatal(err)
	}
	save("after the prune and a vacuum", res(newRun(), a1, "openai:x", 0, 0, "fp_new", t0.Add(48*time.Hour)))
	if seen, err := s.ModelsSeen(ctx); err != nil || !seen[1].Changed() || seen[1].Current.Digest != "fp_new" {
		t.Errorf("after the prune: ModelsSeen = %+v, %v", seen, err)
	}
}

// A database from before migration 0006 gets what ModelsSeen reads from
// the results it holds when it is opened.
func TestMigrationKeepsEarlierIdentities(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "whet.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	a1 := mustCreate(t, s, "summary", "1")
	t0 := time.UnixMilli(1_700_000_000_000)
	for i, digest := range []string{"aaa", "aaa", "bbb"} {
		run := prompt.Run{Versions: []prompt.RunVersion{rv(a1)}, Targets: []string{"ollama:m", "echo"}, Cases: []prompt.Case{{}, {}}, Repeat: 1}
		if err := s.CreateRun(ctx, &run); err != nil {
			t.Fatal(err)
		}
		var rs []prompt.Result
		for c := range 2 {
			at := t0.Add(time.Duration(i)*time.Hour + time.Duration(c)*time.Second)
			rs = append(rs, prompt.Result{RunID: run.ID, VersionID: a1.ID, Target: "ollama:m", Case: c, Output: "x", Model: "m", ModelDigest: digest, Started: at},
				prompt.Result{RunID: run.ID, VersionID: a1.ID, Target: "echo", Case: c, Output: "x", Started: at})
		}
		if err := s.SaveResults(ctx, rs); err != nil {
			t.Fatal(err)
		}
	}
	want, err := s.ModelsSeen(ctx)
	if err != nil || len(want) != 1 || !want[0].Changed() {
		t.Fatalf("ModelsSeen = %+v, %v", want, err)
	}
	// Back to schema 5, as the file was before this whet.
	for _, q := range []string{`DROP TABLE run_identities`, `PRAGMA user_version = 5`} {
		if _, err := s.w.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	var told []Upgrade
	s, err = Open(ctx, path, Upgrading(func(u Upgrade) { told = append(told, u) }))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(told) != 1 || told[0].From != 5 || told[0].To != SchemaVersion() || told[0].Path != path ||
		len(told[0].Steps) != SchemaVersion()-5 || told[0].Steps[0] != "0006_run_identities" {
		t.Errorf("Upgrading was told %+v", told)
	}
	checkIdentities(t, s, "after the migration")
	got, err := s.ModelsSeen(ctx)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("after the migration: %+v, %v\nwant %+v", got, err, want)
	}
}

// Upgrading is told nothing of a new database, nor of an up-to-date one.
func TestUpgradingQuietForNewFiles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "whet.db")
	for _, what := range []string{"new", "up to date"} {
		s, err := Open(ctx, path, Upgrading(func(u Upgrade) { t.Errorf("%s database: Upgrading told %+v", what, u) }))
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
}

// TargetsFailed counts each target's failed calls and names the newest,
// also for a target whose every call failed (which ModelsSeen, reading
// model identities, does not know), with a target saved under two names
// read as one.
func TestTargetsFailed(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "whet.db")
	raw, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	v := mustCreate(t, raw, "summary", "1")
	if got, err := raw.TargetsFailed(ctx); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v, %v", got, err)
	}
	t0 := time.UnixMilli(1_700_000_000_000)
	newRun := func(results ...prompt.Result) string {
		t.Helper()
		r := prompt.Run{Source: "cli", Versions: []prompt.RunVersion{rv(v)}, Cases: []prompt.Case{{}, {}}, Repeat: 1}
		seen := map[string]bool{}
		for _, x := range results {
			if !seen[x.Target] {
				seen[x.Target] = true
				r.Targets = append(r.Targets, x.Target)
			}
		}
		if err := raw.CreateRun(ctx, &r); err != nil {
			t.Fatal(err)
		}
		for i := range results {
			results[i].RunID, results[i].VersionID = r.ID, v.ID
		}
		if err := raw.SaveResults(ctx, results); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	failed := func(target string, c int, msg string, at time.Time) prompt.Result {
		return prompt.Result{Target: target, Case: c, Error: msg, FinishReason: "error", Started: at}
	}
	newRun(failed("ollama:ghost:latest", 0, "connection refused", t0), failed("ollama:ghost:latest", 1, "connection refused", time.Time{}),
		prompt.Result{Target: "echo", Output: "ok", Model: "echo", Started: t0})
	last := newRun(failed("ollama:ghost", 0, "model not found", t0.Add(time.Hour)),
		prompt.Result{Target: "echo", Case: 1, Output: "ok", Model: "echo"})
	raw.Close()

	canon := func(s string) string {
		if m, ok := strings.CutPrefix(s, "ollama:"); ok {
			return "ollama:" + strings.TrimSuffix(m, ":latest")
		}
		return s
	}
	s, err := Open(ctx, path, ReadOnly(), CanonicalTargets(canon))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.TargetsFailed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("TargetsFailed = %+v; want ollama:ghost only", got)
	}
	f := got[0]
	if f.Target != "ollama:ghost" || f.Failed != 3 || f.RunID != last || !f.Last.Equal(t0.Add(time.Hour)) || f.Error != "model not found" {
		t.Fatalf("TargetsFailed = %+v; want ollama:ghost, 3 failed, the newest in %s at %v: model not found", f, last, t0.Add(time.Hour))
	}
	seen, err := s.ModelsSeen(ctx)
	if err != nil || len(seen) != 1 || seen[0].Target != "echo" {
		t.Fatalf("ModelsSeen = %+v, %v; want echo alone", seen, err)
	}
}
