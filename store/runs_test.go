package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"whet/prompt"
)

func runFixture(t *testing.T) (*Store, prompt.Version, prompt.Version, prompt.Version) {
	t.Helper()
	s := openTemp(t)
	a1 := mustCreate(t, s, "summary", "1")
	a2 := mustSave(t, s, "summary", "2")
	b1 := mustCreate(t, s, "translate", "1")
	return s, a1, a2, b1
}

func rv(v prompt.Version) prompt.RunVersion {
	return prompt.RunVersion{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number, Hash: v.Hash}
}

func TestRunsResultsScoresRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, a1, a2, b1 := runFixture(t)

	run := prompt.Run{
		Source: "cli", Suite: "smoke", Author: "ann", Note: "first try",
		Versions:   []prompt.RunVersion{rv(a1), rv(a2)},
		Targets:    []string{"echo", "ollama:llama3.2"},
		Cases:      []prompt.Case{{Name: "short", Vars: map[string]string{"text": "hi"}, Expected: "hi"}, {Vars: map[string]string{"text": "yo"}}},
		Repeat:     2,
		NoCache:    true,
		ForceCache: false,
		Status:     prompt.RunDone, // ignored: a new run is running
	}
	unlock, err := s.StartRun(ctx, &run)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if len(run.ID) != 12 || strings.ToLower(run.ID) != run.ID || run.Status != prompt.RunRunning || run.Created.IsZero() {
		t.Fatalf("created run %+v", run)
	}
	got, err := s.GetRun(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, run) {
		t.Errorf("GetRun:\n%+v\nwant\n%+v", got, run)
	}
	if got, err := s.GetRun(ctx, strings.ToUpper(run.ID[:12])); err != nil || got.ID != run.ID {
		t.Errorf("GetRun(upper case) = %v, %v", got.ID, err)
	}
	// Brief: the same run, its cases left unread; by a prefix too.
	briefRun := run
	briefRun.Cases = nil
	for _, id := range []string{run.ID, run.ID[:8]} {
		if got, err := s.GetRunBrief(ctx, id); err != nil || !reflect.DeepEqual(got, briefRun) {
			t.Errorf("GetRunBrief(%s) = %v\n%+v\nwant\n%+v", id, err, got, briefRun)
		}
	}

	// Saved with its sub-millisecond part and monotonic reading: SaveResults
	// gives the results back in their stored form, equal to what Results reads.
	started := time.Now()
	results := []prompt.Result{
		{RunID: run.ID, VersionID: a1.ID, Target: "echo", Case: 0, Repeat: 0, Output: "hi", FinishReason: "stop",
			TTFT: 1234567 * time.Nanosecond, Latency: 3*time.Second + 17*time.Microsecond, GenTime: 2*time.Second + 500*time.Microsecond, TokensIn: 10, TokensOut: 2, Cost: 0.0012,
			Model: "echo", ModelDigest: "d1", Started: started},
		{RunID: run.ID, VersionID: a1.ID, Target: "echo", Case: 1, Repeat: 0, Error: "boom", FinishReason: "error", Cost: 0.5, CacheHit: true},
		{RunID: run.ID, VersionID: a2.ID, Target: "echo", Case: 0, Repeat: 1, Output: "yo"},
	}
	if err := s.SaveResults(ctx, results); err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if r.ID == 0 {
			t.Errorf("results[%d] got no id", i)
		}
	}
	// The same cell again: ignored, the first result stays.
	dup := []prompt.Result{{RunID: run.ID, VersionID: a1.ID, Target: "echo", Case: 0, Repeat: 0, Output: "changed"},
		{RunID: run.ID, VersionID: a2.ID, Target: "ollama:llama3.2", Case: 1, Repeat: 1, Output: "new"}}
	if err := s.SaveResults(ctx, dup); err != nil {
		t.Fatal(err)
	}
	if dup[0].ID != results[0].ID {
		t.Errorf("duplicate cell id %d, want the first row's %d", dup[0].ID, results[0].ID)
	}
	stored, err := s.Results(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]prompt.Result(nil), results...), dup[1])
	sort.Slice(want, func(i, j int) bool {
		a, b := want[i], want[j]
		if a.VersionID != b.VersionID {
			return a.VersionID < b.VersionID
		}
		if a.Target != b.Target {
			return a.Target < b.Target
		}
		if a.Case != b.Case {
			return a.Case < b.Case
		}
		return a.Repeat < b.Repeat
	})
	if len(stored) != len(want) {
		t.Fatalf("%d results stored, want %d", len(stored), len(want))
	}
	for i := range want {
		w, g := want[i], stored[i]
		if !w.Started.Equal(g.Started) {
			t.Errorf("result %d started %v, want %v", i, g.Started, w.Started)
		}
		w.Started, g.Started = time.Time{}, time.Time{}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("result %d:\n%+v\nwant\n%+v", i, g, w)
		}
	}

	// A result for a run or version that does not exist fails the batch.
	bad := []prompt.Result{{RunID: run.ID, VersionID: b1.ID, Target: "echo", Case: 5}, {RunID: "nope", VersionID: a1.ID, Target: "echo"}}
	if err := s.SaveResults(ctx, bad); err == nil || !strings.Contains(err.Error(), "run nope") {
		t.Errorf("saving a result of an unknown run: %v", err)
	}
	if rs, _ := s.Results(ctx, run.ID); len(rs) != len(want) {
		t.Errorf("a failed batch left %d results, want %d", len(rs), len(want))
	}

	pass, fail := true, false
	scores := []prompt.Score{
		{ResultID: results[0].ID, Scorer: "check:contains", Value: 1, Pass: &pass, Reason: "found hi"},
		{ResultID: results[0].ID, Scorer: "human", Value: 0.5, Author: "ann"},
		{ResultID: results[2].ID, Scorer: "check:equals", Value: 0, Pass: &fail},
	}
	if err := s.AddScores(ctx, scores); err != nil {
		t.Fatal(err)
	}
	gotScores, err := s.Scores(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotScores, scores) {
		t.Errorf("Scores:\n%+v\nwant\n%+v", gotScores, scores)
	}
	// The brief forms leave out the texts.
	brief, err := s.ResultsBrief(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	var wantBrief []prompt.Result
	for _, r := range stored {
		r.Output = ""
		wantBrief = append(wantBrief, r)
	}
	if !reflect.DeepEqual(brief, wantBrief) {
		t.Errorf("ResultsBrief:\n%+v\nwant\n%+v", brief, wantBrief)
	}
	cells, err := s.ResultCells(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	var wantCells []prompt.Result
	for _, r := range stored {
		wantCells = append(wantCells, prompt.Result{ID: r.ID, RunID: r.RunID, VersionID: r.VersionID, Target: r.Target,
			Case: r.Case, Repeat: r.Repeat, Error: r.Error})
	}
	if !reflect.DeepEqual(cells, wantCells) {
		t.Errorf("ResultCells:\n%+v\nwant\n%+v", cells, wantCells)
	}
	briefScores, err := s.ScoresBrief(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	var wantScores []prompt.Score
	for _, sc := range scores {
		sc.Reason, sc.Author = "", ""
		wantScores = append(wantScores, sc)
	}
	if !reflect.DeepEqual(briefScores, wantScores) {
		t.Errorf("ScoresBrief:\n%+v\nwant\n%+v", briefScores, wantScores)
	}
	if _, err := s.ResultCells(ctx, "nope"); !errors.As(err, new(*NotFoundError)) {
		t.Errorf("ResultCells(unknown run) = %v", err)
	}
	for _, bad := range []prompt.Score{
		{ResultID: results[0].ID, Scorer: "x", Value: 1.5},
		{ResultID: results[0].ID, Scorer: "", Value: 1},
		{ResultID: 99999, Scorer: "x", Value: 1},
	} {
		if err := s.AddScores(ctx, []prompt.Score{bad}); err == nil {
			t.Errorf("AddScores(%+v) accepted", bad)
		}
	}

	// A second run of translate only, then listing.
	run2 := prompt.Run{Source: "arena", Versions: []prompt.RunVersion{rv(b1)}, Targets: []string{"echo"}, Created: run.Created.Add(time.Second)}
	if err := s.CreateRun(ctx, &run2); err != nil {
		t.Fatal(err)
	}
	finished := run.Created.Add(time.Minute)
	if err := s.FinishRun(ctx, run.ID, prompt.RunInterrupted, finished); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, "nope", prompt.RunDone, finished); !errors.Is(err, ErrNotFound) {
		t.Errorf("FinishRun of unknown run: %v", err)
	}
	if err := s.FinishRun(ctx, run.ID, "exploded", finished); err == nil {
		t.Error("FinishRun accepted an unknown status")
	}
	list, err := s.ListRuns(ctx, RunFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Run.ID != run2.ID || list[1].Run.ID != run.ID {
		t.Fatalf("ListRuns = %+v", list)
	}
	sum := list[1]
	if sum.Cells != 2*2*2*2 || sum.Done != 4 || sum.Failed != 1 || sum.Cost != 0.5012 ||
		sum.Run.Status != prompt.RunInterrupted || !sum.Run.Finished.Equal(finished) {
		t.Errorf("summary = cells %d done %d failed %d cost %v status %s finished %v",
			sum.Cells, sum.Done, sum.Failed, sum.Cost, sum.Run.Status, sum.Run.Finished)
	}
	if list[0].Cells != 1 || list[0].Done != 0 || !list[0].Run.Finished.IsZero() {
		t.Errorf("run2 summary = %+v", list[0])
	}
	if list[1].Cases != 2 || list[0].Cases != 0 {
		t.Errorf("cases = %d and %d, want 2 and 0", list[1].Cases, list[0].Cases)
	}
	// Brief: the same list, its cases counted, not read.
	briefList, err := s.ListRuns(ctx, RunFilter{Brief: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range briefList {
		if briefList[i].Run.Cases != nil {
			t.Errorf("brief run %d has cases %v", i, briefList[i].Run.Cases)
		}
		want := list[i]
		want.Run.Cases = nil
		if !reflect.DeepEqual(briefList[i], want) {
			t.Errorf("brief run %d:\n%+v\nwant\n%+v", i, briefList[i], want)
		}
	}
	for _, tc := range []struct {
		f    RunFilter
		want []string
	}{
		{RunFilter{Prompt: "Summary"}, []string{run.ID}},
		{RunFilter{Prompt: "translate"}, []string{run2.ID}},
		{RunFilter{Limit: 1}, []string{run2.ID}},
	} {
		got, err := s.ListRuns(ctx, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range got {
			ids = append(ids, r.Run.ID)
		}
		if !reflect.DeepEqual(ids, tc.want) {
			t.Errorf("ListRuns(%+v) = %v, want %v", tc.f, ids, tc.want)
		}
	}
	if _, err := s.ListRuns(ctx, RunFilter{Prompt: "sumary"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("ListRuns of unknown prompt: %v", err)
	}
	if _, err := s.Results(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Results of unknown run: %v", err)
	}
}

func TestRunIDs(t *testing.T) {
	ctx := context.Background()
	s, a1, _, _ := runFixture(t)
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 20 {
		r := prompt.Run{Versions: []prompt.RunVersion{rv(a1)}, Targets: []string{"echo"}, Created: base.Add(time.Duration(i) * time.Millisecond)}
		if err := s.CreateRun(ctx, &r); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	if !sort.StringsAreSorted(ids) {
		t.Errorf("ids do not sort by creation: %v", ids)
	}
	for _, id := range ids {
		if strings.Trim(id, idAlphabet) != "" || len(id) != 12 {
			t.Errorf("id %q", id)
		}
	}
	// Same millisecond: still unique.
	seen := map[string]bool{}
	for range 50 {
		r := prompt.Run{Versions: []prompt.RunVersion{rv(a1)}, Targets: []string{"echo"}, Created: base}
		if err := s.CreateRun(ctx, &r); err != nil {
			t.Fatal(err)
		}
		if seen[r.ID] {
			t.Fatalf("duplicate id %s", r.ID)
		}
		seen[r.ID] = true
	}

	// Listed newest first; runs of one millisecond by id, the greatest
	// first.
	var want []string
	for i := len(ids) - 1; i > 0; i-- {
		want = append(want, ids[i])
	}
	var first []string
	for id := range seen {
		first = append(first, id)
	}
	first = append(first, ids[0])
	sort.Sort(sort.Reverse(sort.StringSlice(first)))
	want = append(want, first...)
	list, err := s.ListRuns(ctx, RunFilter{Brief: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range list {
		got = append(got, r.Run.ID)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ListRuns order:\n%v\nwant\n%v", got, want)
	}

	// Prefix lookups. The first 9 characters are the millisecond: unique
	// for ids[3]; the 50 runs above share ids[0]'s.
	if r, err := s.GetRun(ctx, ids[3][:9]); err != nil || r.ID != ids[3] {
		t.Errorf("GetRun(%q) = %s, %v", ids[3][:9], r.ID, err)
	}
	if _, err := s.GetRun(ctx, ids[0][:6]); !errors.Is(err, ErrAmbiguous) || !strings.Contains(err.Error(), ids[0][:9]) {
		t.Errorf("ambiguous prefix: %v", err)
	}
	if _, err := s.GetRun(ctx, ids[0][:3]); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "at least 4") {
		t.Errorf("short prefix: %v", err)
	}
	if _, err := s.GetRun(ctx, "zzzzzzzz"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	given := prompt.Run{ID: "myrun", Versions: []prompt.RunVersion{rv(a1)}, Targets: []string{"echo"}}
	if err := s.CreateRun(ctx, &given); err != nil || given.ID != "myrun" {
		t.Fatalf("given id: %v %v", given.ID, err)
	}
	again := prompt.Run{ID: "myrun", Targets: []string{"echo"}}
	if err := s.CreateRun(ctx, &again); !errors.Is(err, ErrExists) {
		t.Errorf("reused id: %v", err)
	}
	if again.Status != "" {
		t.Errorf("a failed CreateRun changed its argument: %+v", again)
	}
	unknown := prompt.Run{Versions: []prompt.RunVersion{{VersionID: 9999, Prompt: "x", Number: 1}}, Targets: []string{"echo"}}
	if err := s.CreateRun(ctx, &unknown); err == nil || !strings.Contains(err.Error(), "x@1") {
		t.Errorf("run of an unknown version: %v", err)
	}
}

func TestResponseCache(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	if _, ok, err := s.CacheGet(ctx, "k"); ok || err != nil {
		t.Fatalf("empty cache: %v %v", ok, err)
	}
	put := prompt.Result{Output: "hello", FinishReason: "stop", TokensIn: 5, TokensOut: 1, TTFT: 40 * time.Millisecond,
		Latency: 1500*time.Millisecond + 3*time.Nanosecond, GenTime: 900 * time.Millisecond, Model: "llama3.2:latest", ModelDigest: "sha256:abc",
		Cost: 9, RunID: "ignored"}
	if err := s.CachePut(ctx, "k", put); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.CacheGet(ctx, "k")
	if err != nil || !ok {
		t.Fatalf("CacheGet: %v %v", ok, err)
	}
	want := prompt.Result{Output: "hello", FinishReason: "stop", TokensIn: 5, TokensOut: 1, TTFT: 40 * time.Millisecond,
		Latency: 1500*time.Millisecond + 3*time.Nanosecond, GenTime: 900 * time.Millisecond, Model: "llama3.2:latest", ModelDigest: "sha256:abc", CacheHit: true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CacheGet:\n%+v\nwant\n%+v", got, want)
	}
	put.Output = "replaced"
	if err := s.CachePut(ctx, "k", put); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.CacheGet(ctx, "k"); got.Output != "replaced" {
		t.Errorf("after replace: %q", got.Output)
	}
}

func TestSaveResultsLargeBatches(t *testing.T) {
	ctx := context.Background()
	s, a1, _, _ := runFixture(t)
	run := prompt.Run{Versions: []prompt.RunVersion{rv(a1)}, Targets: []string{"echo"}}
	if err := s.CreateRun(ctx, &run); err != nil {
		t.Fatal(err)
	}
	batch := func(from, to int) []prompt.Result {
		var rs []prompt.Result
		for c := from; c < to; c++ {
			rs = append(rs, prompt.Result{RunID: run.ID, VersionID: a1.ID, Target: "echo", Case: c, Output: fmt.Sprint("out ", c)})
		}
		return rs
	}
	// More rows than one INSERT carries: every row gets its own id.
	first := batch(0, 3*resultsPerInsert+5)
	if err := s.SaveResults(ctx, first); err != nil {
		t.Fatal(err)
	}
	ids := map[int64]int{}
	for _, r := range first {
		ids[r.ID] = r.Case
	}
	if len(ids) != len(first) || ids[0] != 0 {
		t.Fatalf("%d distinct ids for %d results", len(ids), len(first))
	}
	// A batch whose chunks hold cells saved before: those keep their first
	// row and id, the new cells get new ids.
	second := batch(len(first)-3, len(first)+resultsPerInsert)
	if err := s.SaveResults(ctx, second); err != nil {
		t.Fatal(err)
	}
	for _, r := range second {
		if c, seen := ids[r.ID]; seen && (c != r.Case || r.Case >= len(first)) {
			t.Errorf("case %d got the id of case %d", r.Case, c)
		} else if !seen && r.Case < len(first) {
			t.Errorf("case %d, saved before, got a new id %d", r.Case, r.ID)
		}
		ids[r.ID] = r.Case
	}
	stored, err := s.Results(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != len(first)+resultsPerInsert {
		t.Fatalf("%d results stored, want %d", len(stored), len(first)+resultsPerInsert)
	}
	for _, r := range stored {
		if ids[r.ID] != r.Case || r.Output != fmt.Sprint("out ", r.Case) {
			t.Errorf("stored %+v, id %d was given to case %d", r, r.ID, ids[r.ID])
		}
	}
	// A bad row in the middle of a chunk: the error names it, nothing is saved.
	bad := batch(1000, 1000+resultsPerInsert)
	bad[7].VersionID = 99999
	err = s.SaveResults(ctx, bad)
	if err == nil || !strings.Contains(err.Error(), "version id 99999, target echo, case 1007") {
		t.Errorf("bad batch: %v", err)
	}
	if rs, _ := s.Results(ctx, run.ID); len(rs) != len(stored) {
		t.Errorf("a failed batch left %d results, want %d", len(rs), len(stored))
	}
}

// A run's results are read through the unique index on (run_id, version_id,
// target, case_idx, repeat), already in report order: no scan of other
// runs' results and no sort, however many runs the library holds.
func TestResultsQueryUsesTheCellIndex(t *testing.T) {
	s := openTemp(t)
	rows, err := s.r.Query(`EXPLAIN QUERY PLAN SELECT `+resultCols+` FROM results WHERE run_id = ?
		ORDER BY version_id, target, case_idx, repeat`, "r")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	got := strings.Join(plan, "; ")
	if !strings.Contains(got, "USING INDEX sqlite_autoindex_results_1 (run_id=?)") || strings.Contains(got, "TEMP B-TREE") {
		t.Errorf("query plan %q: want the cell index, no sort", got)
	}
	// Every other index is partial, over the failed or the costly calls:
	// a successful call to a local model, the bulk of what is saved, costs
	// no insert in them.
	var n int
	if err := s.r.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'results' AND coalesce(sql, '') NOT LIKE '% WHERE %'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("results has %d indexes over every row (%v), want only the cell index: each costs every saved result an insert", n, err)
	}
	var partial []string
	rows, err = s.r.Query(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'results' AND sql LIKE '% WHERE %' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		partial = append(partial, name)
	}
	if got := strings.Join(partial, ","); got != "results_cost,results_failed" {
		t.Errorf("partial indexes on results: %s, want results_cost,results_failed", got)
	}
}

func TestLockRun(t *testing.T) {
	s := openTemp(t)
	unlock, err := s.LockRun("r1")
	if err != nil {
		t.Fatal(err)
	}
	// A second claim, from another connection to the same file, is refused.
	other, err := Open(context.Background(), s.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.LockRun("r1"); !errors.Is(err, ErrRunBusy) || !strings.Contains(err.Error(), "run r1 is being executed by another whet process") {
		t.Fatalf("second claim: %v", err)
	}
	// Another run is free; the first is free again once released.
	u2, err := other.LockRun("r2")
	if err != nil {
		t.Fatal(err)
	}
	u2()
	unlock()
	u3, err := other.LockRun("r1")
	if err != nil {
		t.Fatalf("claim after release: %v", err)
	}
	u3()
	if _, err := os.Stat(s.path + ".run-r1.lock"); !os.IsNotExist(err) {
		t.Errorf("the lock file stays after release: %v", err)
	}
}

func TestRunWithoutProcessReadsInterrupted(t *testing.T) {
	ctx := context.Background()
	s, a1, _, _ := runFixture(t)
	status := func(st *Store, id string) (prompt.RunStatus, prompt.RunStatus) {
		t.Helper()
		got, err := st.GetRun(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		runs, err := st.ListRuns(ctx, RunFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			if r.Run.ID == id {
				return got.Status, r.Run.Status
			}
		}
		t.Fatalf("run %s not listed", id)
		return "", ""
	}
	other, err := Open(ctx, s.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	// Started by this process: running, for it and for any other reader.
	run := prompt.Run{Source: "cli", Versions: []prompt.RunVersion{rv(a1)}, Targets: []string{"echo"}, Repeat: 1}
	unlock, err := s.StartRun(ctx, &run)
	if err != nil {
		t.Fatal(err)
	}
	if g, l := status(other, run.ID); g != prompt.RunRunning || l != prompt.RunRunning {
		t.Fatalf("while held: GetRun %s, ListRuns %s", g, l)
	}
	if _, err := other.LockRun(run.ID); !errors.Is(err, ErrRunBusy) {
		t.Fatalf("a second claim of a started run: %v", err)
	}
	// Released without a status recorded, as a killed process leaves it:
	// interrupted, and still so in the database until it is resumed.
	unlock()
	if g, l := status(other, run.ID); g != prompt.RunInterrupted || l != prompt.RunInterrupted {
		t.Fatalf("after release: GetRun %s, ListRuns %s", g, l)
	}
	// A kill -9 leaves the lock file behind, unlocked.
	if err := os.WriteFile(s.path+".run-"+run.ID+".lock", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if g, l := status(s, run.ID); g != prompt.RunInterrupted || l != prompt.RunInterrupted {
		t.Fatalf("with a stale lock file: GetRun %s, ListRuns %s", g, l)
	}
	// A resume claims it again: running once more.
	u2, err := s.LockRun(run.ID)
	if err != nil {
		t.Fatalf("resume claim: %v", err)
	}
	if g, _ := status(other, run.ID); g != prompt.RunRunning {
		t.Fatalf("resumed: GetRun %s", g)
	}
	if err := s.FinishRun(ctx, run.ID, prompt.RunDone, time.Time{}); err != nil {
		t.Fatal(err)
	}
	u2()
	if g, l := status(other, run.ID); g != prompt.RunDone || l != prompt.RunDone {
		t.Fatalf("finished: GetRun %s, ListRuns %s", g, l)
	}

	// A given id already used is refused, and leaves no claim behind.
	dup := prompt.Run{ID: run.ID, Source: "cli", Versions: []prompt.RunVersion{rv(a1)}, Targets: []string{"echo"}, Repeat: 1}
	if _, err := s.StartRun(ctx, &dup); !errors.Is(err, ErrExists) {
		t.Fatalf("StartRun with a used id: %v", err)
	}
	if _, err := os.Stat(s.path + ".run-" + run.ID + ".lock"); !os.IsNotExist(err) {
		t.Errorf("a refused start leaves its lock file: %v", err)
	}
}

func TestDecodeBriefPlan(t *testing.T) {
	full := `{"versions":[{"version_id":3,"prompt":"a","number":2,"hash":"h"}],"targets":["echo","ollama:x"],` +
		`"cases":[{"vars":{"q":"[{\"]"}},{"name":"n","vars":{}},{"vars":null}],"repeat":2,"no_cache":true}`
	p, n, err := decodeBriefPlan(full)
	want := briefPlan{Versions: []prompt.RunVersion{{VersionID: 3, Prompt: "a", Number: 2, Hash: "h"}}, Targets: []string{"echo", "ollama:x"}, Repeat: 2, NoCache: true}
	if err != nil || n != 3 || !reflect.DeepEqual(p, want) {
		t.Errorf("decodeBriefPlan = %+v, %d, %v; want %+v, 3", p, n, err, want)
	}
	for plan, cases := range map[string]int{
		`{"versions":[],"targets":["echo"],"cases":null,"repeat":1}`:          0,
		`{"versions":[],"targets":["echo"],"cases":[],"repeat":1}`:            0,
		`{"repeat":1,"cases":[{"vars":{}}],"targets":["echo"],"versions":[]}`: 1,
	} {
		if p, n, err := decodeBriefPlan(plan); err != nil || n != cases || !reflect.DeepEqual(p.Targets, []string{"echo"}) {
			t.Errorf("decodeBriefPlan(%s) = %+v, %d, %v; want %d cases", plan, p, n, err, cases)
		}
	}
	for plan, msg := range map[string]string{
		``:    "want a JSON object",
		`[1]`: "want a JSON object",
		`{"versions":[],"targets":[],"cases":{"a":1},"repeat":1}`:       "cases: want an array",
		`{"versions":[],"targets":"echo","cases":[],"repeat":1}`:        "cannot unmarshal string",
		`{"versions":[],"targets":[},"cases":[],"repeat":1}`:            "invalid character",
		`{"versions":[],"targets":[],"cases":[]}`:                       "no repeat",
		`{"versions":[],"targets":[],"cases":[{"q":"a"b"}],"repeat":1}`: "no repeat",
		`{"versions":[],"targets":[],"cases":[{"q":"a"},`:               "no repeat",
	} {
		if _, _, err := decodeBriefPlan(plan); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("decodeBriefPlan(%q) = %v, want an error with %q", plan, err, msg)
		}
	}
}
