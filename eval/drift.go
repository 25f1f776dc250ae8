package eval

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"whet/prompt"
	"whet/report"
)

// DriftRow is one version × target of a baseline run set against a later
// run of the same plan (a re-run): what moved, and whether the model
// underneath changed.
type DriftRow struct {
	Version prompt.RunVersion
	Target  string
	// Before and After summarise the baseline's and the re-run's results
	// (one per cell) and scores.
	Before, After report.Summary
	// ModelBefore and ModelAfter are the model identities the results
	// report (report.ModelIdentity): the resolved model and its digest or
	// system fingerprint.
	ModelBefore, ModelAfter string
	// Paired counts the cells (case × repeat) with an output on both sides;
	// Identical those whose outputs are the same, byte for byte.
	Paired, Identical int
	// AB compares the re-run's case scores (B) with the baseline's (A): its
	// Losses are cases that score lower now.
	AB ABResult
	// AdjustedP is AB.P adjusted by Holm's method for the rows tested
	// together (those with a decided case); Tested is how many that is.
	// With one row tested it is AB.P. A row's scores moved when AdjustedP
	// is below Significance: testing six pairs at 0.05 each would call one
	// in four unchanged runs drifted.
	AdjustedP float64
	Tested    int
	// Reasons says why the row counts as drifted; empty when it does not.
	Reasons []string
	// Notes says what moved without counting as drift: case scores that
	// moved one way but not significantly, and, when too few cases were
	// decided for the sign test ever to reach Significance, how many it
	// needs. A report that says "no drift" shows them, so that scores
	// falling on every one of a small suite's cases are not read as
	// nothing. It also says when a side's latency checks failed because
	// its answers came from the cache (CachedLatencyBefore, CachedLatencyAfter).
	Notes []string
	// CachedLatencyBefore and CachedLatencyAfter count the cells of each
	// side whose latency check failed only because the answer came from
	// the cache (a run at temperature 0 without --no-cache): a score that
	// fell for that measured no model.
	CachedLatencyBefore, CachedLatencyAfter int

	// need is how many decided cases the row's sign test needs to be
	// significant, the other rows' as they are (HolmNeed).
	need int
}

// Drifted reports whether anything in the row moved enough to count.
func (r DriftRow) Drifted() bool { return len(r.Reasons) > 0 }

// ModelChanged reports whether both sides name a model and the re-run
// reported one the baseline did not. A server that answers from several
// backends (OpenAI's system_fingerprint varies from call to call) reports
// them in any order, and a re-run that met only some of them has not
// changed model.
func (r DriftRow) ModelChanged() bool {
	if r.ModelBefore == "" || r.ModelAfter == "" {
		return false
	}
	before := strings.Split(r.ModelBefore, ", ")
	for _, id := range strings.Split(r.ModelAfter, ", ") {
		if !slices.Contains(before, id) {
			return true
		}
	}
	return false
}

// MovedCases names the cases of plan whose score fell and rose from the
// baseline to the re-run, the largest moves first, at most n of each
// before it counts the rest, followed by more: "scores fell on refund
// (1.00 → 0.00), … and 3 more" + more; "" when no case moved.
func (r DriftRow) MovedCases(plan prompt.Run, n int, more string) string {
	var fell, rose []ABCase
	for _, c := range r.AB.Cases {
		switch {
		case !c.Scored || c.Winner == 0:
		case c.Winner < 0:
			fell = append(fell, c)
		default:
			rose = append(rose, c)
		}
	}
	// The largest moves first; the plan's order among equal ones.
	slices.SortStableFunc(fell, func(a, b ABCase) int { return cmp.Compare(a.B-a.A, b.B-b.A) })
	slices.SortStableFunc(rose, func(a, b ABCase) int { return cmp.Compare(b.B-b.A, a.B-a.A) })
	list := func(verb string, cases []ABCase) string {
		if len(cases) == 0 {
			return ""
		}
		var cs []string
		for _, c := range cases[:min(len(cases), n)] {
			cs = append(cs, fmt.Sprintf("%s (%s → %s)", CaseLabel(plan, c.Case), report.ScoreText(c.A), report.ScoreText(c.B)))
		}
		out := verb + " on " + strings.Join(cs, ", ")
		if len(cases) > n {
			out += fmt.Sprintf(" and %d more", len(cases)-n) + more
		}
		return out
	}
	var parts []string
	for _, p := range []string{list("fell", fell), list("rose", rose)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "scores " + strings.Join(parts, "; ")
}

// CaseLabel is plan's name of case i ("case N" when it has none).
func CaseLabel(plan prompt.Run, i int) string {
	if i >= 0 && i < len(plan.Cases) {
		return plan.Cases[i].Label(i)
	}
	return fmt.Sprintf("case %d", i+1)
}

// Drift sets each version × target of plan (the baseline's versions and
// targets) against its re-run. A row has drifted when the model identity
// changed, when the case scores moved significantly in either direction
// (the sign test of CompareAB, its p Holm-adjusted over the rows below
// Significance), or when more cells failed
// than before. Outputs that differ are counted (Identical) but are not
// drift on their own: sampling at a temperature above 0 varies them.
// scores may hold both runs' scores: they are matched by result id; people's
// ratings (report.ScorerHuman) are left out, as a re-run has none. A
// version × target without results in both runs has no row.
func Drift(plan prompt.Run, base, rerun []prompt.Result, scores []prompt.Score) []DriftRow {
	type key struct {
		v int64
		t string
	}
	split := func(rs []prompt.Result) map[key][]prompt.Result {
		m := map[key][]prompt.Result{}
		for _, r := range report.CellResults(rs) {
			k := key{r.VersionID, r.Target}
			m[k] = append(m[k], r)
		}
		return m
	}
	bm, am := split(base), split(rerun)
	// Machines against machines: a person's rating of the baseline (which
	// every other statistic reads over the suite's grade) has no
	// counterpart in a re-run, and would read as drift.
	scores = slices.DeleteFunc(slices.Clone(scores), func(s prompt.Score) bool { return s.Scorer == report.ScorerHuman })
	var rows []DriftRow
	for _, v := range plan.Versions {
		for _, t := range plan.Targets {
			b, a := bm[key{v.VersionID, t}], am[key{v.VersionID, t}]
			if len(b) == 0 || len(a) == 0 {
				continue // not in both runs: nothing to set against
			}
			rows = append(rows, driftRow(v, t, b, a, scores))
		}
	}
	holm(rows)
	for i := range rows {
		rows[i].Reasons = rows[i].reasons()
		rows[i].Notes = rows[i].notes()
		if n := rows[i].cacheNote(); n != "" {
			rows[i].Notes = append(rows[i].Notes, n)
		}
		if n := rows[i].checkErrorNote(); n != "" {
			rows[i].Notes = append(rows[i].Notes, n)
		}
	}
	return rows
}

// cacheNote says that a side's latency checks could not measure answers
// taken from the cache, and failed them: "" when none did.
func (r DriftRow) cacheNote() string {
	sides := bothSides(r.CachedLatencyBefore, r.CachedLatencyAfter)
	if sides == "" {
		return ""
	}
	return sides + " cells came from the cache, where a latency check measures no call and fails: their scores say nothing of the model (runs made with --no-cache compare it)"
}

// bothSides counts cells of each side of a drift row in words ("2 of the
// baseline's and 1 of the re-run's"): "" when both are 0.
func bothSides(before, after int) string {
	var sides []string
	if before > 0 {
		sides = append(sides, fmt.Sprintf("%d of the baseline's", before))
	}
	if after > 0 {
		sides = append(sides, fmt.Sprintf("%d of the re-run's", after))
	}
	return strings.Join(sides, " and ")
}

// checkErrorNote says how many cells of each side had a check that gave
// no verdict (a judge that failed or answered badly twice) and were so
// left out of B/T/W, as failed calls are: "" when none had.
func (r DriftRow) checkErrorNote() string {
	sides := bothSides(r.AB.ErroredA, r.AB.ErroredB)
	if sides == "" {
		return ""
	}
	return sides + " cells with a check error left out of B/T/W: a check gave no verdict (a judge or embedding model that failed), which says nothing of the answer"
}

// cachedLatencyFails counts the results whose latency check failed because
// they came from the cache (errCachedLatency).
func cachedLatencyFails(results []prompt.Result, scores []prompt.Score) int {
	cached := map[int64]bool{}
	for _, r := range results {
		if r.CacheHit {
			cached[r.ID] = true
		}
	}
	if len(cached) == 0 {
		return 0
	}
	failed := map[int64]bool{}
	for _, s := range scores {
		if cached[s.ResultID] && strings.Contains(s.Reason, errCachedLatency.Error()) {
			failed[s.ResultID] = true
		}
	}
	return len(failed)
}

// holm sets each row's AdjustedP: Holm's step-down adjustment of the sign
// tests' p-values over the rows with a decided case (the rest keep p = 1).
func holm(rows []DriftRow) {
	abs := make([]ABResult, len(rows))
	for i, r := range rows {
		abs[i] = r.AB
	}
	adj, m := HolmAdjust(abs)
	for i := range rows {
		rows[i].AdjustedP = adj[i]
		if rows[i].AB.Wins+rows[i].AB.Losses > 0 {
			rows[i].Tested = m
		}
		rows[i].need = HolmNeed(abs, i)
	}
}

// HolmAdjust adjusts the sign tests of several A/B comparisons made
// together by Holm's step-down method, which keeps the chance of calling
// any one of them significant by luck below the level (six pairs each
// tested at 0.05 alone would flag one in four). Only comparisons with a
// decided case are tested; the others keep their p. It returns the
// adjusted p-values, in the order of abs, and how many were tested.
func HolmAdjust(abs []ABResult) (adjusted []float64, tested int) {
	adjusted = make([]float64, len(abs))
	var idx []int
	for i, ab := range abs {
		adjusted[i] = ab.P
		if ab.Wins+ab.Losses > 0 {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(abs[a].P, abs[b].P) })
	m, running := len(idx), 0.0
	for k, i := range idx {
		running = max(running, min(1, float64(m-k)*abs[i].P))
		adjusted[i] = running
	}
	return adjusted, m
}

// HolmNeed is the fewest decided cases with which comparison i of abs,
// had every one gone the same way (p = 2 × 0.5^n), would have had a Holm
// adjusted p-value below Significance, the other comparisons' p-values as
// they are (HolmAdjust tests those with a decided case). Alone it is
// report.SignTestCases(1); among m tests at most SignTestCases(m), fewer
// when others differ more clearly: a step of Holm's method multiplies by
// how many are left.
func HolmNeed(abs []ABResult, i int) int {
	var others []float64
	for j, ab := range abs {
		if j != i && ab.Wins+ab.Losses > 0 {
			others = append(others, ab.P)
		}
	}
	m := len(others) + 1
	for n := 1; ; n++ {
		p := min(1, 2*math.Pow(0.5, float64(n)))
		// p's adjusted value: the running maximum of (m−k)·p_(k) up to
		// its own place, the others' smaller p-values before it.
		below := 0
		adjusted := 0.0
		sorted := slices.Sorted(slices.Values(others))
		for _, q := range sorted {
			if q >= p {
				break
			}
			adjusted = max(adjusted, min(1, float64(m-below)*q))
			below++
		}
		adjusted = max(adjusted, min(1, float64(m-below)*p))
		if adjusted < Significance || n >= report.SignTestCases(m) {
			return n
		}
	}
}

// HolmNote says how rows read their sign tests when several pairs were
// tested: "a pair's scores moved when its sign test's p-value, adjusted for
// the 4 pairs tested (Holm), is below 0.05"; "" when at most one was, and
// p is read as it is. `whet drift` and the TUI's drift dialog both say it.
func HolmNote(rows []DriftRow) string {
	for _, r := range rows {
		if r.Tested > 1 {
			return fmt.Sprintf("a pair's scores moved when its sign test's p-value, adjusted for the %d pairs tested (Holm), is below %g", r.Tested, Significance)
		}
	}
	return ""
}

// reasons says why the row counts as drifted, in the order model, scores,
// errors.
func (r DriftRow) reasons() []string {
	var out []string
	if r.ModelChanged() {
		out = append(out, fmt.Sprintf("model changed: %s → %s", r.ModelBefore, r.ModelAfter))
	}
	if ab := r.AB; r.AdjustedP < Significance && ab.Wins != ab.Losses {
		dir := "rose"
		if ab.Losses > ab.Wins {
			dir = "fell"
		}
		why := "scores " + dir + ": " + ab.Sentence
		if r.Tested > 1 {
			why += fmt.Sprintf(" (%s adjusted for %d pairs tested)", FormatP(r.AdjustedP), r.Tested)
		}
		out = append(out, why)
	}
	if r.After.Errors > r.Before.Errors {
		out = append(out, fmt.Sprintf("errors: %d → %d of %d cells", r.Before.Errors, r.After.Errors, r.After.Cells))
	}
	return out
}

// notes says how the case scores moved when they did not move enough to
// count (reasons).
func (r DriftRow) notes() []string {
	ab := r.AB
	if ab.Wins == ab.Losses || r.AdjustedP < Significance {
		return nil
	}
	dir, more := "rose", ab.Wins
	if ab.Losses > ab.Wins {
		dir, more = "fell", ab.Losses
	}
	decided := ab.Wins + ab.Losses
	p := FormatP(r.AB.P)
	if r.Tested > 1 {
		p += fmt.Sprintf(" (%s adjusted for %d pairs tested)", FormatP(r.AdjustedP), r.Tested)
	}
	cases := fmt.Sprintf("%d decided cases", decided)
	if decided == 1 {
		cases = "1 decided case"
	}
	note := fmt.Sprintf("scores %s on %d of %s, %s: not significant", dir, more, cases, p)
	if need := r.need; decided < need {
		adjusted := ""
		if r.Tested > 1 { // their p alone may be below Significance
			adjusted = " adjusted"
		}
		note += fmt.Sprintf("; %s can never reach%s p < %g, the sign test needs %d (add cases: repeats of a case count once)", cases, adjusted, Significance, need)
	}
	return []string{note}
}

func driftRow(v prompt.RunVersion, target string, before, after []prompt.Result, scores []prompt.Score) DriftRow {
	row := DriftRow{
		Version:     v,
		Target:      target,
		Before:      summaryOf(before, scores),
		After:       summaryOf(after, scores),
		ModelBefore: report.ModelIdentity(before),
		ModelAfter:  report.ModelIdentity(after),
		AB:          CompareAB(before, after, scores, "the baseline", "the re-run"),

		CachedLatencyBefore: cachedLatencyFails(before, scores),
		CachedLatencyAfter:  cachedLatencyFails(after, scores),
	}
	outputs := map[prompt.CellKey]string{}
	for _, r := range before {
		if r.OK() {
			outputs[r.Key()] = r.Output
		}
	}
	for _, r := range after {
		if out, ok := outputs[r.Key()]; ok && r.OK() {
			row.Paired++
			if out == r.Output {
				row.Identical++
			}
		}
	}
	return row
}

// summaryOf summarises one group's results (the zero Summary for none).
func summaryOf(results []prompt.Result, scores []prompt.Score) report.Summary {
	if s := report.Summarize(results, scores); len(s) == 1 {
		return s[0]
	}
	return report.Summary{}
}

// SamePlan says why runs a and b cannot be set against each other (Drift):
// they are the same run, their cases or repeats differ, or they have no
// version × target in common; nil when their cells correspond.
func SamePlan(a, b prompt.Run) error {
	if a.ID == b.ID {
		return fmt.Errorf("run %s is the baseline itself", b.ID)
	}
	if len(a.Cases) != len(b.Cases) {
		return fmt.Errorf("runs %s and %s have different cases (%d and %d): their cells do not correspond", a.ID, b.ID, len(a.Cases), len(b.Cases))
	}
	for i := range a.Cases {
		if !maps.Equal(a.Cases[i].Vars, b.Cases[i].Vars) {
			return fmt.Errorf("runs %s and %s differ in %s: its variables are not the same", a.ID, b.ID, a.Cases[i].Label(i))
		}
	}
	if max(a.Repeat, 1) != max(b.Repeat, 1) {
		return fmt.Errorf("runs %s and %s have different repeats (%d and %d)", a.ID, b.ID, max(a.Repeat, 1), max(b.Repeat, 1))
	}
	if CommonPairs(a, b) > 0 {
		return nil
	}
	return fmt.Errorf("runs %s and %s have no version × target in common", a.ID, b.ID)
}

// CommonPairs counts the version × target pairs both runs planned.
func CommonPairs(a, b prompt.Run) int {
	versions, targets := 0, 0
	for _, v := range a.Versions {
		if slices.ContainsFunc(b.Versions, func(w prompt.RunVersion) bool { return w.VersionID == v.VersionID }) {
			versions++
		}
	}
	for _, t := range a.Targets {
		if slices.Contains(b.Targets, t) {
			targets++
		}
	}
	return versions * targets
}
