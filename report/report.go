package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"whet/prompt"
	"whet/textutil"
)

// RunReport is everything a run report shows: plain rows, read by the caller
// from wherever it keeps them.
type RunReport struct {
	Run prompt.Run
	// Results may hold several results for one cell (a resumed run re-ran
	// it); the renderers keep the one with the highest ID (see CellResults).
	Results []prompt.Result
	// Scores may be empty. Scores of results not in Results are ignored.
	Scores []prompt.Score
	// Versions holds the versions' messages and params for display, keyed by
	// version id; it may lack entries (their messages are then not shown).
	Versions map[int64]prompt.Version
	// Generated is the report's timestamp; renderers never read the clock.
	Generated time.Time
	// Unpriced names the targets whose price whet did not know (hosted
	// models with no price in the config or the catalogue). Their calls were
	// recorded at cost 0, so their cost shows as unknown, not as $0, and a
	// total that includes them as a lower bound.
	Unpriced []string
}

// view is a RunReport resolved once for every renderer: the plan's axes in
// display order, one result per cell, and the derived statistics.
type view struct {
	r        RunReport
	versions []prompt.RunVersion // the run's, then any only seen in results
	targets  []string            // likewise
	cases    []prompt.Case       // at least one; padded to cover results' case indexes
	repeat   int                 // at least 1; covers results' repeat indexes
	results  []prompt.Result     // one per cell, by version, target, case, repeat
	scores   []prompt.Score      // those of results
	latest   map[int64]map[string]prompt.Score
	scorers  []string // distinct scorers of the results' scores, sorted
	vIdx     map[int64]int
	tIdx     map[string]int

	// Derived on first use by derive (CSV needs none of them).
	cells   map[prompt.CellKey]prompt.Result
	sums    []Summary // one per version × target seen in results, in display order
	total   Summary   // over every result
	derived bool
}

func newView(r RunReport) *view {
	v := &view{r: r}
	results := slices.Clone(r.Results)

	vIdx := map[int64]int{}
	for _, rv := range r.Run.Versions {
		if _, ok := vIdx[rv.VersionID]; !ok {
			vIdx[rv.VersionID] = len(v.versions)
			v.versions = append(v.versions, rv)
		}
	}
	tIdx := map[string]int{}
	for _, t := range r.Run.Targets {
		if _, ok := tIdx[t]; !ok {
			tIdx[t] = len(v.targets)
			v.targets = append(v.targets, t)
		}
	}
	// Axes only seen in results go last, in a fixed order.
	var extraV []int64
	var extraT []string
	maxCase, maxRepeat := len(r.Run.Cases)-1, r.Run.Repeat-1
	for _, res := range results {
		if _, ok := vIdx[res.VersionID]; !ok && !slices.Contains(extraV, res.VersionID) {
			extraV = append(extraV, res.VersionID)
		}
		if _, ok := tIdx[res.Target]; !ok && !slices.Contains(extraT, res.Target) {
			extraT = append(extraT, res.Target)
		}
		maxCase = max(maxCase, res.Case)
		maxRepeat = max(maxRepeat, res.Repeat)
	}
	slices.Sort(extraV)
	slices.Sort(extraT)
	for _, id := range extraV {
		rv := prompt.RunVersion{VersionID: id}
		if ver, ok := r.Versions[id]; ok {
			rv.Prompt, rv.Number, rv.Hash = ver.Prompt, ver.Number, ver.Hash
		}
		vIdx[id] = len(v.versions)
		v.versions = append(v.versions, rv)
	}
	for _, t := range extraT {
		tIdx[t] = len(v.targets)
		v.targets = append(v.targets, t)
	}
	v.cases = slices.Clone(r.Run.Cases)
	for len(v.cases) <= maxCase || len(v.cases) == 0 {
		v.cases = append(v.cases, prompt.Case{})
	}
	v.repeat = max(1, maxRepeat+1)

	slices.SortStableFunc(results, func(a, b prompt.Result) int {
		return cmp.Or(
			cmp.Compare(vIdx[a.VersionID], vIdx[b.VersionID]),
			cmp.Compare(tIdx[a.Target], tIdx[b.Target]),
			cmp.Compare(a.Case, b.Case),
			cmp.Compare(a.Repeat, b.Repeat))
	})
	// One result per cell, as CellResults keeps: the sort made a cell's
	// results adjacent, in their given order.
	kept := results[:0]
	for _, res := range results {
		if n := len(kept); n > 0 && kept[n-1].Key() == res.Key() {
			if res.ID >= kept[n-1].ID {
				kept[n-1] = res
			}
			continue
		}
		kept = append(kept, res)
	}
	results = kept
	v.results, v.vIdx, v.tIdx = results, vIdx, tIdx

	var scores []prompt.Score
	if len(r.Scores) > 0 {
		ids := make(map[int64]bool, len(results))
		for _, res := range results {
			if res.ID != 0 {
				ids[res.ID] = true
			}
		}
		for _, sc := range r.Scores {
			if ids[sc.ResultID] {
				scores = append(scores, sc)
			}
		}
	}
	v.scores, v.latest = scores, LatestScores(scores)
	seen := map[string]bool{}
	for _, sc := range scores {
		if !seen[sc.Scorer] {
			seen[sc.Scorer] = true
			v.scorers = append(v.scorers, sc.Scorer)
		}
	}
	slices.Sort(v.scorers)
	return v
}

// derive computes the cell index and the statistics, once.
func (v *view) derive() {
	if v.derived {
		return
	}
	v.derived = true
	v.cells = make(map[prompt.CellKey]prompt.Result, len(v.results))
	for _, res := range v.results {
		v.cells[res.Key()] = res
	}
	sums := Summarize(v.results, v.scores)
	slices.SortStableFunc(sums, func(a, b Summary) int {
		return cmp.Or(cmp.Compare(v.vIdx[a.VersionID], v.vIdx[b.VersionID]), cmp.Compare(v.tIdx[a.Target], v.tIdx[b.Target]))
	})
	v.sums = sums
	v.total = summarize(v.results, v.latest)
}

// cell returns the result of a cell, if the report has one.
func (v *view) cell(k prompt.CellKey) (prompt.Result, bool) {
	v.derive()
	res, ok := v.cells[k]
	return res, ok
}

// summaries returns the summary of each version × target seen in the
// results, in display order.
func (v *view) summaries() []Summary {
	v.derive()
	return v.sums
}

// totals returns the summary over every result.
func (v *view) totals() Summary {
	v.derive()
	return v.total
}

// version returns the run's version with the given id.
func (v *view) version(id int64) prompt.RunVersion {
	for _, rv := range v.versions {
		if rv.VersionID == id {
			return rv
		}
	}
	return prompt.RunVersion{VersionID: id}
}

// planned is the number of cells the report's axes span.
func (v *view) planned() int {
	return len(v.versions) * len(v.targets) * len(v.cases) * v.repeat
}

// scoresOf returns a result's latest grades in scorer order.
func (v *view) scoresOf(res prompt.Result) []prompt.Score {
	if res.ID == 0 {
		return nil
	}
	m := v.latest[res.ID]
	out := make([]prompt.Score, 0, len(m))
	for _, k := range prompt.SortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

// identity is a model as a provider reported it.
type identity struct{ model, digest string }

// identities lists the distinct non-empty model identities the results of
// target report, in order of first appearance.
func (v *view) identities(target string) []identity {
	var out []identity
	for _, res := range v.results {
		id := identity{res.Model, res.ModelDigest}
		if res.Target != target || id == (identity{}) || slices.Contains(out, id) {
			continue
		}
		out = append(out, id)
	}
	return out
}

// versionLabel is a version's display name: "prompt@N", or "version #id"
// when the report does not know it.
func versionLabel(rv prompt.RunVersion) string {
	if rv.Prompt == "" {
		return fmt.Sprintf("version #%d", rv.VersionID)
	}
	return rv.Ref()
}

// PlanShape is a run's plan in words: "2 versions × 1 target × 20 cases ×
// 3 repeats" (a run without cases has one, without repeats one).
func PlanShape(r prompt.Run) string {
	counted := func(n int, noun string) string {
		if n == 1 {
			return "1 " + noun
		}
		return strconv.Itoa(n) + " " + noun + "s"
	}
	return counted(len(r.Versions), "version") + " × " + counted(len(r.Targets), "target") + " × " +
		counted(max(len(r.Cases), 1), "case") + " × " + counted(max(r.Repeat, 1), "repeat")
}

// ShortDigest is the display form of a model digest or fingerprint: a
// "sha256:" prefix is dropped and a long hex digest cut to 12 characters;
// other identities (e.g. "fp_44709d6fcb") are kept, cut to 24 characters.
// It is what a server says: made one line free of control sequences before
// it is cut, so that no cut leaves part of a sequence behind as text.
func ShortDigest(d string) string {
	d = strings.TrimPrefix(textutil.OneLine(d), "sha256:")
	if len(d) > 12 && isHex(d) {
		return d[:12]
	}
	if utf8.RuneCountInString(d) > 24 {
		return string([]rune(d)[:23]) + "…"
	}
	return d
}

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// Formatting shared by the Markdown and terminal renderers.

// fmtDur renders a duration for people: "<1 ms", "842 ms", "1.25 s", "1m35s".
func fmtDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "0 ms"
	case d < time.Millisecond:
		return "<1 ms"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Round(time.Millisecond)/time.Millisecond)
	case d < time.Minute:
		return fmt.Sprintf("%.2f s", d.Seconds())
	default:
		return d.Round(time.Second).String()
	}
}

// fmtInt renders n with thousands separators.
func fmtInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// CostText renders a USD amount rounded to a millionth, without trailing
// zeros, as every report writes it.
func CostText(c float64) string {
	return strconv.FormatFloat(roundTo(c, 6), 'f', -1, 64)
}

func fmtScore(s float64) string { return ScoreText(s) }

// ScoreText writes a score (or a score delta) with two decimals, rounding
// half away from zero (0.625 → "0.63"), so that every report and screen
// shows a figure alike; never "-0.00".
func ScoreText(s float64) string {
	r := roundTo(s, 2)
	if r == 0 {
		r = 0 // not -0
	}
	return strconv.FormatFloat(r, 'f', 2, 64)
}

func fmtRate(r float64) string { return strconv.FormatFloat(r, 'f', 1, 64) }

// roundTo rounds f to the given number of decimals, half away from zero.
func roundTo(f float64, decimals int) float64 {
	p := math.Pow10(decimals)
	return math.Round(f*p) / p
}

// plural renders "1 case" / "2 cases".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmtInt(n) + " " + many
}

// textStats is the size of a text: characters (runes) and lines.
func textStats(s string) (chars, lines int) {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return 0, 0
	}
	return utf8.RuneCountInString(s), strings.Count(s, "\n") + 1
}

// unpriced reports whether target's price is unknown (RunReport.Unpriced).
func (v *view) unpriced(target string) bool {
	return slices.Contains(v.r.Unpriced, target)
}

// unpricedTargets are the report's targets whose price is unknown, in
// display order.
func (v *view) unpricedTargets() []string {
	var out []string
	for _, t := range v.targets {
		if v.unpriced(t) {
			out = append(out, t)
		}
	}
	return out
}

// costText is a summary's cost as CostText has it, "" when its target's
// price is unknown, and prefixed "≥ " for the totals (an empty Target) when
// some target's price is unknown.
func (v *view) costText(s Summary) string {
	switch {
	case s.Target != "" && v.unpriced(s.Target):
		return ""
	case v.costPartial(s):
		return "≥ " + CostText(s.Cost)
	}
	return CostText(s.Cost)
}

// costPartial reports whether a summary's cost misses calls of targets
// without a known price: one such target's, or totals over one.
func (v *view) costPartial(s Summary) bool {
	if s.Target != "" {
		return v.unpriced(s.Target)
	}
	return len(v.unpricedTargets()) > 0
}

// unpricedNote says which targets' cost is not counted, or "".
func (v *view) unpricedNote() string {
	ts := v.unpricedTargets()
	if len(ts) == 0 {
		return ""
	}
	whose := "its"
	if len(ts) > 1 {
		whose = "their"
	}
	return "no price is known for " + strings.Join(ts, ", ") + ": " + whose + " cost is not counted (set prices under the provider in the config)"
}
