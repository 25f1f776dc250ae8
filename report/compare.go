package report

import (
	"cmp"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"whet/prompt"
	"whet/textutil"
)

// Side is one half of a comparison: one version's results on one target.
type Side struct {
	// Label heads the side's column; Compare fills an empty one with the
	// version ref, the target, or both, whichever tells the sides apart.
	Label   string
	Version prompt.RunVersion
	Target  string
	// Results are the side's cells; Compare keeps only those of Version on
	// Target, one per cell.
	Results []prompt.Result
	Scores  []prompt.Score
	// Unpriced is set when the target's price is unknown
	// (RunReport.Unpriced): its cost shows as unknown, not $0.
	Unpriced bool
}

// SideOf picks one version × target out of a run report.
func SideOf(r RunReport, versionID int64, target string) Side {
	s := Side{Version: prompt.RunVersion{VersionID: versionID}, Target: target, Unpriced: slices.Contains(r.Unpriced, target)}
	for _, rv := range r.Run.Versions {
		if rv.VersionID == versionID {
			s.Version = rv
		}
	}
	if s.Version.Prompt == "" {
		if ver, ok := r.Versions[versionID]; ok {
			s.Version.Prompt, s.Version.Number, s.Version.Hash = ver.Prompt, ver.Number, ver.Hash
		}
	}
	ids := map[int64]bool{}
	for _, res := range r.Results {
		if res.VersionID == versionID && res.Target == target {
			s.Results = append(s.Results, res)
			ids[res.ID] = true
		}
	}
	for _, sc := range r.Scores {
		if ids[sc.ResultID] {
			s.Scores = append(s.Scores, sc)
		}
	}
	return s
}

// SideKey names one side of a run's comparison: a version on a target.
type SideKey struct {
	VersionID int64
	Target    string
}

// DefaultSides picks what to compare in run when nothing is chosen: its
// first two versions on target, else its one version on its first two
// targets, target first when given. When target is not one of the run's
// own, the targets are the first that have results of both sides among
// results (an interrupted run may have none on its first target), else
// the run's first.
func DefaultSides(run prompt.Run, results []prompt.Result, target string) (a, b SideKey, err error) {
	vs, ts := run.Versions, run.Targets
	if len(vs) == 0 || len(ts) == 0 {
		return a, b, errors.New("run " + run.ID + " has no versions or targets to compare")
	}
	has := map[SideKey]bool{}
	for _, r := range results {
		has[SideKey{r.VersionID, r.Target}] = true
	}
	chosen := slices.Contains(ts, target)
	if len(vs) >= 2 {
		t := ts[0]
		if chosen {
			t = target
		} else if i := slices.IndexFunc(ts, func(t string) bool { return has[SideKey{vs[0].VersionID, t}] && has[SideKey{vs[1].VersionID, t}] }); i >= 0 {
			t = ts[i]
		}
		return SideKey{vs[0].VersionID, t}, SideKey{vs[1].VersionID, t}, nil
	}
	if len(ts) >= 2 {
		order := ts
		if chosen {
			order = append([]string{target}, slices.DeleteFunc(slices.Clone(ts), func(t string) bool { return t == target })...)
		} else {
			// Targets with results first, in the run's order.
			with := slices.DeleteFunc(slices.Clone(ts), func(t string) bool { return !has[SideKey{vs[0].VersionID, t}] })
			without := slices.DeleteFunc(slices.Clone(ts), func(t string) bool { return has[SideKey{vs[0].VersionID, t}] })
			order = append(with, without...)
		}
		return SideKey{vs[0].VersionID, order[0]}, SideKey{vs[0].VersionID, order[1]}, nil
	}
	return a, b, errors.New("run " + run.ID + " has one version on one target: nothing to compare. " +
		"Run two versions (whet run NAME@1 NAME@2 -m echo) or two targets (whet run NAME -m echo,TARGET)")
}

// CompareRun pairs side a against side b of rr, with the prompt diff when
// the sides are two versions whose content rr holds.
func CompareRun(rr RunReport, a, b SideKey) Comparison {
	diff := ""
	va, okA := rr.Versions[a.VersionID]
	vb, okB := rr.Versions[b.VersionID]
	if a.VersionID != b.VersionID && okA && okB {
		diff = prompt.DiffVersions(va, vb)
	}
	return Compare(SideOf(rr, a.VersionID, a.Target), SideOf(rr, b.VersionID, b.Target), rr.Run.Cases, diff, rr.Generated)
}

// Pair is one cell (case × repeat) of a comparison, A against B.
type Pair struct {
	Case   int // index into Comparison.Cases
	Repeat int // 0-based
	// A and B are nil when that side has no result for the cell.
	A, B *prompt.Result
	// ScoreA and ScoreB are the results' scores (ResultScore); nil when
	// unscored.
	ScoreA, ScoreB *float64
}

// LengthA and LengthB are the outputs' lengths in characters (Unicode code
// points); 0 for a missing result.
func (p Pair) LengthA() int { return outputLen(p.A) }

// LengthB: see LengthA.
func (p Pair) LengthB() int { return outputLen(p.B) }

// LengthDelta is LengthB − LengthA.
func (p Pair) LengthDelta() int { return p.LengthB() - p.LengthA() }

// ScoreDelta is ScoreB − ScoreA; ok is false unless both are scored.
func (p Pair) ScoreDelta() (delta float64, ok bool) {
	if p.ScoreA == nil || p.ScoreB == nil {
		return 0, false
	}
	return *p.ScoreB - *p.ScoreA, true
}

func outputLen(r *prompt.Result) int {
	if r == nil {
		return 0
	}
	return utf8.RuneCountInString(r.Output)
}

// Comparison sets two sides' outputs case by case: two versions on the same
// target and cases, or one version on two targets.
type Comparison struct {
	A, B  Side
	Cases []prompt.Case
	Pairs []Pair // by case, then repeat
	// Diff is the unified diff of the prompts, A to B; empty when there is
	// none to show.
	Diff      string
	Generated time.Time
	// AB is the A/B statistics over the cases, which the caller computes
	// (eval.CompareAB; report cannot, as eval builds on it); nil when not
	// computed or when no case has a score on both sides.
	AB *ABStats
}

// ABStats is an A/B comparison's figures. Each case scored on both sides
// counts once, by its mean score over its repeats; the counts are from B's
// side.
type ABStats struct {
	// Wins, Ties and Losses are the cases where B scored higher, the same,
	// lower; Skipped cases lack a score on a side.
	Wins, Ties, Losses, Skipped int
	// FailedA and FailedB are each side's failed calls, left out of the
	// case means: they have no answer to compare.
	FailedA, FailedB int
	// ErroredA and ErroredB are each side's cells whose call succeeded but
	// a check of which gave no verdict (CheckErrored), left out too: the
	// grader failed, not the answer.
	ErroredA, ErroredB int
	// WinRate is Wins/(Wins+Losses) with its 95% Wilson interval [Lo, Hi];
	// meaningless when Wins+Losses = 0.
	WinRate, Lo, Hi float64
	// P is the two-sided exact sign test's p-value (ties left out).
	P float64
	// Sentence says it plainly ("B beats A on 31 of 40 cases, p = 0.00068").
	Sentence string
}

// Compare pairs the sides' results by case and repeat. cases label the
// pairs (a pair whose case index it lacks is labelled "case N"); diff is the
// prompt diff to show, as given.
func Compare(a, b Side, cases []prompt.Case, diff string, generated time.Time) Comparison {
	a.Results, b.Results = sideCells(a), sideCells(b)
	if a.Label == "" || b.Label == "" {
		la, lb := sideLabels(a, b)
		a.Label = cmp.Or(a.Label, la)
		b.Label = cmp.Or(b.Label, lb)
	}
	type key struct{ c, r int }
	pairs := map[key]*Pair{}
	var keys []key
	get := func(res prompt.Result) *Pair {
		k := key{res.Case, res.Repeat}
		p, ok := pairs[k]
		if !ok {
			p = &Pair{Case: res.Case, Repeat: res.Repeat}
			pairs[k] = p
			keys = append(keys, k)
		}
		return p
	}
	la, lb := LatestScores(a.Scores), LatestScores(b.Scores)
	for i := range a.Results {
		res := &a.Results[i]
		p := get(*res)
		p.A = res
		if s, ok := ResultScore(la[res.ID]); ok && res.ID != 0 {
			p.ScoreA = &s
		}
	}
	for i := range b.Results {
		res := &b.Results[i]
		p := get(*res)
		p.B = res
		if s, ok := ResultScore(lb[res.ID]); ok && res.ID != 0 {
			p.ScoreB = &s
		}
	}
	slices.SortFunc(keys, func(x, y key) int { return cmp.Or(cmp.Compare(x.c, y.c), cmp.Compare(x.r, y.r)) })
	c := Comparison{A: a, B: b, Cases: cases, Diff: diff, Generated: generated}
	for _, k := range keys {
		c.Pairs = append(c.Pairs, *pairs[k])
	}
	return c
}

// sideCells keeps the side's own results, one per cell.
func sideCells(s Side) []prompt.Result {
	var out []prompt.Result
	for _, res := range s.Results {
		if res.VersionID == s.Version.VersionID && res.Target == s.Target {
			out = append(out, res)
		}
	}
	return CellResults(out)
}

// sideLabels names the sides by what differs between them.
func sideLabels(a, b Side) (string, string) {
	va, vb := versionLabel(a.Version), versionLabel(b.Version)
	switch {
	case a.Version.VersionID != b.Version.VersionID && a.Target == b.Target:
		return va, vb
	case a.Version.VersionID == b.Version.VersionID && a.Target != b.Target:
		return a.Target, b.Target
	default:
		return va + " · " + a.Target, vb + " · " + b.Target
	}
}

func (c Comparison) caseLabel(i int) string {
	if i >= 0 && i < len(c.Cases) {
		return c.Cases[i].Label(i)
	}
	return prompt.Case{}.Label(i)
}

func (c Comparison) repeats() bool {
	for _, p := range c.Pairs {
		if p.Repeat > 0 {
			return true
		}
	}
	return false
}

// CompareMarkdown writes the comparison as GitHub-flavoured Markdown: the two
// sides and their summaries, the prompt diff, then each case with both
// outputs side by side (a table when short, else a block each) and the
// length and score deltas. It escapes untrusted text as Markdown does.
func CompareMarkdown(w io.Writer, c Comparison) error {
	var m mdWriter
	m.para("# Compare ", mdCode(c.A.Label, false), " vs ", mdCode(c.B.Label, false))
	m.para("- **Generated:** ", c.Generated.Format(time.RFC3339))

	la, lb := LatestScores(c.A.Scores), LatestScores(c.B.Scores)
	sa, sb := summarizeGroup(c.A.Results, la), summarizeGroup(c.B.Results, lb)
	row := func(name string, f func(Side, Summary) string) []string {
		return []string{"**" + name + "**", f(c.A, sa), f(c.B, sb)}
	}
	rows := [][]string{
		row("Version", func(s Side, _ Summary) string { return mdCode(versionLabel(s.Version), true) }),
		row("Hash", func(s Side, _ Summary) string { return orDash(mdCode(prompt.ShortHash(s.Version.Hash), true)) }),
		row("Target", func(s Side, _ Summary) string { return mdCode(s.Target, true) }),
		row("Model", func(s Side, _ Summary) string { return orDash(mdCode(sideModel(s), true)) }),
		row("Cells", func(_ Side, s Summary) string { return fmtInt(s.Cells) }),
		row("Errors", func(_ Side, s Summary) string { return fmtInt(s.Errors) }),
		row("Mean latency", func(_ Side, s Summary) string {
			if s.Measured == 0 {
				return "—"
			}
			return fmtDur(s.MeanLatency)
		}),
		row("Tokens out", func(_ Side, s Summary) string { return fmtInt(s.TokensOut) }),
		row("Cost (USD)", func(side Side, s Summary) string {
			if side.Unpriced {
				return "— (no price known)"
			}
			return CostText(s.Cost)
		}),
		row("Mean score", func(_ Side, s Summary) string { return mdScoreCell(s) }),
	}
	note := "*Mean score is over the scored cells (count in brackets)"
	_, passA := sa.PassRate()
	_, passB := sb.PassRate()
	if passA || passB {
		rows = append(rows, row("Pass rate", func(_ Side, s Summary) string { return mdPassRateCell(s) }))
	}
	if sa.Scored > 0 || sb.Scored > 0 {
		note += "; square brackets hold 95% intervals over cases, not cells"
	}
	if sa.FailedGraded > 0 || sb.FailedGraded > 0 {
		note += "; failed calls count in the mean score and the pass rate (" + fmtInt(sa.FailedGraded) + " and " + fmtInt(sb.FailedGraded) +
			" here): a suite grades a failed call 0 and a fail"
		if c.AB != nil {
			note += ", but the A/B statistics leave them out"
		}
	}
	m.table([]string{"", mdCode(c.A.Label, true), mdCode(c.B.Label, true)}, "lrr", rows)
	m.para(note + ".*")
	if ab := c.AB; ab != nil {
		m.para("**A/B:** ", mdText(ab.Sentence))
		line := "Each case scored on both sides counts once, by its mean score over its repeats"
		if f := ab.FailedA + ab.FailedB; f > 0 {
			line += " whose call succeeded (" + plural(f, "failed call", "failed calls") + " left out, " +
				fmtInt(ab.FailedA) + " of " + mdCode(c.A.Label, false) + "'s and " + fmtInt(ab.FailedB) + " of " + mdCode(c.B.Label, false) + "'s: they have no answer to compare)"
		}
		if e := ab.ErroredA + ab.ErroredB; e > 0 {
			if ab.FailedA+ab.FailedB > 0 {
				line += " and"
			}
			line += " whose checks all gave a verdict (" + plural(e, "cell", "cells") + " with a check error left out, " +
				fmtInt(ab.ErroredA) + " of " + mdCode(c.A.Label, false) + "'s and " + fmtInt(ab.ErroredB) + " of " + mdCode(c.B.Label, false) +
				"'s: a judge or model that failed to grade is no verdict on the answer; the pass rate counts them as fails)"
		}
		line += ": " + mdCode(c.B.Label, false) + " wins " + fmtInt(ab.Wins) + ", ties " + fmtInt(ab.Ties) + " and loses " + fmtInt(ab.Losses)
		if ab.Skipped > 0 {
			line += " (" + plural(ab.Skipped, "case", "cases") + " with no score on one side left out)"
		}
		if ab.Wins+ab.Losses > 0 {
			// Ties are in neither part of the rate: say what it is over.
			line += "; win rate " + fmtRate(100*ab.WinRate) + "% of " + plural(ab.Wins+ab.Losses, "decided case", "decided cases") + " ("
			if ab.Ties > 0 {
				line += "ties left out; "
			}
			line += "95% CI " + fmtRate(100*ab.Lo) + "–" + fmtRate(100*ab.Hi) +
				"%); two-sided exact sign test " + FormatP(ab.P)
			if why := TooFewCases(ab.Wins+ab.Losses, 1); why != "" && ab.P >= Significance {
				line += " (" + why + ")"
			}
		}
		m.para(line + ".")
	}

	if c.Diff != "" {
		m.para("## Prompt diff")
		m.fenced("diff", c.Diff)
	}

	m.para("## Cases")
	repeats := c.repeats()
	for _, p := range c.Pairs {
		title := c.caseLabel(p.Case)
		if repeats {
			title += " · repeat " + strconv.Itoa(p.Repeat+1)
		}
		m.para("### ", mdText(title))
		if p.Case >= 0 && p.Case < len(c.Cases) {
			m.vars(c.Cases[p.Case])
			m.expected(c.Cases[p.Case].Expected)
		}
		lengths := fmtInt(p.LengthA()) + " → " + fmtInt(p.LengthB()) + " characters (" + signedInt(p.LengthDelta()) + ")"
		if d, ok := p.ScoreDelta(); ok {
			lengths += " · score " + fmtScore(*p.ScoreA) + " → " + fmtScore(*p.ScoreB) + " (" + signedScore(d) + ")"
		}
		short := (p.A == nil || isShort(p.A.Output) && isShort(p.A.Error)) && (p.B == nil || isShort(p.B.Output) && isShort(p.B.Error))
		if short {
			cell := func(r *prompt.Result, f func(prompt.Result) string) string {
				if r == nil {
					return "*no result*"
				}
				return f(*r)
			}
			stats := func(r prompt.Result) string { return mdText(statsLine(r)) }
			score := func(s *float64) string {
				if s == nil {
					return "—"
				}
				return fmtScore(*s)
			}
			m.table([]string{"", mdCode(c.A.Label, true), mdCode(c.B.Label, true)}, "", [][]string{
				{"**Output**", cell(p.A, outputCell), cell(p.B, outputCell)},
				{"*Stats*", cell(p.A, stats), cell(p.B, stats)},
				{"*Length*", fmtInt(p.LengthA()), fmtInt(p.LengthB()) + " (" + signedInt(p.LengthDelta()) + ")"},
				{"*Score*", score(p.ScoreA), score(p.ScoreB)},
			})
			continue
		}
		m.para("*", mdText(lengths), "*")
		for _, side := range []struct {
			label  string
			r      *prompt.Result
			latest map[int64]map[string]prompt.Score
		}{{c.A.Label, p.A, la}, {c.B.Label, p.B, lb}} {
			label := "**" + mdCode(side.label, false) + "**"
			if side.r == nil {
				m.para(label, " · *no result*")
				continue
			}
			var scores []prompt.Score
			if side.r.ID != 0 {
				byScorer := side.latest[side.r.ID]
				for _, k := range prompt.SortedKeys(byScorer) {
					scores = append(scores, byScorer[k])
				}
			}
			m.result(label, side.label, *side.r, mdScores(scores, false))
		}
	}
	return m.writeTo(w)
}

// sideModel is the model identity a side's results report.
func sideModel(s Side) string { return ModelIdentity(s.Results) }

// ModelIdentity is the model identity results report, "model digest" (the
// digest shortened), several joined with ", " in sorted order, so that two
// runs served by the same backends read the same whichever answered first
// (OpenAI's system_fingerprint varies between calls of one run).
func ModelIdentity(results []prompt.Result) string {
	var ids []string
	for _, r := range results {
		id := r.Model
		if d := ShortDigest(r.ModelDigest); d != "" {
			id += " " + d
		}
		if id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return strings.Join(ids, ", ")
}

func signedInt(n int) string {
	if n > 0 {
		return "+" + fmtInt(n)
	}
	return fmtInt(n)
}

func signedScore(f float64) string {
	if f > 0 {
		return "+" + fmtScore(f)
	}
	return fmtScore(f)
}

type jsonCompareDoc struct {
	Schema      string     `json:"schema"`
	GeneratedAt *string    `json:"generated_at"`
	A           jsonSide   `json:"a"`
	B           jsonSide   `json:"b"`
	Diff        string     `json:"diff"`
	AB          *jsonAB    `json:"ab"`
	Pairs       []jsonPair `json:"pairs"`
}

type jsonAB struct {
	Wins      int      `json:"wins"`
	Ties      int      `json:"ties"`
	Losses    int      `json:"losses"`
	Skipped   int      `json:"skipped"`
	FailedA   int      `json:"failed_a"`
	FailedB   int      `json:"failed_b"`
	ErroredA  int      `json:"check_errors_a"`
	ErroredB  int      `json:"check_errors_b"`
	WinRate   *float64 `json:"win_rate"`
	WinRateLo *float64 `json:"win_rate_lo"`
	WinRateHi *float64 `json:"win_rate_hi"`
	P         float64  `json:"p_value"`
	Sentence  string   `json:"sentence"`
}

type jsonSide struct {
	Label     string      `json:"label"`
	VersionID int64       `json:"version_id"`
	Version   string      `json:"version"`
	Hash      string      `json:"hash"`
	ShortHash string      `json:"short_hash"`
	Target    string      `json:"target"`
	Models    []jsonModel `json:"models"`
	Summary   jsonSummary `json:"summary"`
}

type jsonPair struct {
	Case        int               `json:"case"`
	CaseName    string            `json:"case_name"`
	Repeat      int               `json:"repeat"`
	Vars        map[string]string `json:"vars"`
	Expected    string            `json:"expected"`
	A           *jsonResult       `json:"a"`
	B           *jsonResult       `json:"b"`
	LengthA     int               `json:"length_a"`
	LengthB     int               `json:"length_b"`
	LengthDelta int               `json:"length_delta"`
	ScoreA      *float64          `json:"score_a"`
	ScoreB      *float64          `json:"score_b"`
	ScoreDelta  *float64          `json:"score_delta"`
}

// RoundP rounds a p-value for the JSON: to six decimals, as the other
// numbers, but one below 0.001 to six significant digits, since six
// decimals would write a sign test's 4.2e-9 (45 of 50 cases) as 0, a p
// no test gives. Every JSON document whet writes uses it, so that 1/64
// reads 0.015625 and not 0.015624999999999974.
func RoundP(p float64) float64 {
	if p >= 0.001 {
		return roundTo(p, 6)
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(p, 'g', 6, 64), 64)
	if err != nil {
		return p
	}
	return r
}

// CompareJSON writes the comparison as one indented JSON document in the
// whet.compare/v1 schema (SCHEMA.md). Text is kept exactly as recorded.
func CompareJSON(w io.Writer, c Comparison) error {
	doc := jsonCompareDoc{
		Schema: CompareSchema, GeneratedAt: jsonTime(c.Generated),
		A: jsonSideOf(c.A), B: jsonSideOf(c.B), Diff: c.Diff, Pairs: []jsonPair{},
	}
	if ab := c.AB; ab != nil {
		doc.AB = &jsonAB{Wins: ab.Wins, Ties: ab.Ties, Losses: ab.Losses, Skipped: ab.Skipped, FailedA: ab.FailedA, FailedB: ab.FailedB, ErroredA: ab.ErroredA, ErroredB: ab.ErroredB, P: RoundP(ab.P), Sentence: ab.Sentence}
		if ab.Wins+ab.Losses > 0 {
			doc.AB.WinRate, doc.AB.WinRateLo, doc.AB.WinRateHi = roundPtr(&ab.WinRate), roundPtr(&ab.Lo), roundPtr(&ab.Hi)
		}
	}
	la, lb := LatestScores(c.A.Scores), LatestScores(c.B.Scores)
	for _, p := range c.Pairs {
		jp := jsonPair{
			Case: p.Case, CaseName: c.caseLabel(p.Case), Repeat: p.Repeat, Vars: map[string]string{},
			LengthA: p.LengthA(), LengthB: p.LengthB(), LengthDelta: p.LengthDelta(),
			ScoreA: roundPtr(p.ScoreA), ScoreB: roundPtr(p.ScoreB),
		}
		if p.Case >= 0 && p.Case < len(c.Cases) {
			if c.Cases[p.Case].Vars != nil {
				jp.Vars = c.Cases[p.Case].Vars
			}
			jp.Expected = c.Cases[p.Case].Expected
		}
		if p.A != nil {
			r := newJSONResult(*p.A, versionLabel(c.A.Version), jp.CaseName, c.A.Scores, la)
			jp.A = &r
		}
		if p.B != nil {
			r := newJSONResult(*p.B, versionLabel(c.B.Version), jp.CaseName, c.B.Scores, lb)
			jp.B = &r
		}
		if d, ok := p.ScoreDelta(); ok {
			jp.ScoreDelta = roundPtr(&d)
		}
		doc.Pairs = append(doc.Pairs, jp)
	}
	return writeJSON(w, doc)
}

// Round6 rounds a score, a rate or an interval's bound for the JSON to six
// decimals, as every such number whet writes is: float noise such as
// 0.30000000000000004 never reaches a file.
func Round6(f float64) float64 { return roundTo(f, 6) }

// RoundCost rounds a cost in US dollars for the JSON to nine decimals, as
// a run's JSON does: a sum of many calls' costs keeps no float noise
// (0.30000000000000004), and a single call's cost of a cheap model keeps
// its digits.
func RoundCost(usd float64) float64 { return roundTo(usd, 9) }

func roundPtr(f *float64) *float64 {
	if f == nil {
		return nil
	}
	r := roundTo(*f, 6)
	return &r
}

func jsonSideOf(s Side) jsonSide {
	out := jsonSide{
		Label: s.Label, VersionID: s.Version.VersionID, Version: versionLabel(s.Version),
		Hash: s.Version.Hash, ShortHash: prompt.ShortHash(s.Version.Hash), Target: s.Target,
		Models:  []jsonModel{},
		Summary: jsonSum(s.Version, s.Target, summarizeGroup(s.Results, LatestScores(s.Scores))),
	}
	out.Summary.Unpriced = s.Unpriced
	for _, r := range s.Results {
		m := jsonModel{r.Model, r.ModelDigest}
		if m != (jsonModel{}) && !slices.Contains(out.Models, m) {
			out.Models = append(out.Models, m)
		}
	}
	return out
}

// compareColumns are CompareCSV's columns.
var compareColumns = []string{
	"case", "case_name", "repeat", "vars",
	"a_output", "b_output", "a_error", "b_error",
	"a_length", "b_length", "length_delta",
	"a_score", "b_score", "score_delta",
	"a_latency_ms", "b_latency_ms", "a_tokens_out", "b_tokens_out",
}

// CompareCSV writes one RFC 4180 row per pair under a header row: case,
// case_name, repeat, vars (JSON), a_output, b_output, a_error, b_error,
// a_length, b_length, length_delta, a_score, b_score, score_delta,
// a_latency_ms, b_latency_ms, a_tokens_out, b_tokens_out. A missing side or
// an unknown score leaves its cells empty; text is sanitised, and vars
// escaped, as in CSV. It has no summary row: the A/B statistics are in the
// Markdown and the JSON only, so that every row is a pair.
func CompareCSV(w io.Writer, c Comparison) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(compareColumns); err != nil {
		return err
	}
	for _, p := range c.Pairs {
		var vars map[string]string
		if p.Case >= 0 && p.Case < len(c.Cases) {
			vars = c.Cases[p.Case].Vars
		}
		text := func(r *prompt.Result, f func(prompt.Result) string) string {
			if r == nil {
				return ""
			}
			return textutil.Sanitize(f(*r))
		}
		num := func(r *prompt.Result, f func(prompt.Result) string) string {
			if r == nil {
				return ""
			}
			return f(*r)
		}
		output := func(r prompt.Result) string { return r.Output }
		errText := func(r prompt.Result) string { return r.Error }
		length := func(r prompt.Result) string { return strconv.Itoa(utf8.RuneCountInString(r.Output)) }
		latency := func(r prompt.Result) string { return msCell(r.Latency, true) }
		tokens := func(r prompt.Result) string { return strconv.Itoa(r.TokensOut) }
		score := func(s *float64) string {
			if s == nil {
				return ""
			}
			return strconv.FormatFloat(roundTo(*s, 6), 'f', -1, 64)
		}
		delta := ""
		if d, ok := p.ScoreDelta(); ok {
			delta = score(&d)
		}
		row := []string{
			strconv.Itoa(p.Case), textutil.Sanitize(c.caseLabel(p.Case)), strconv.Itoa(p.Repeat), varsJSON(vars),
			text(p.A, output), text(p.B, output), text(p.A, errText), text(p.B, errText),
			num(p.A, length), num(p.B, length), strconv.Itoa(p.LengthDelta()),
			score(p.ScoreA), score(p.ScoreB), delta,
			num(p.A, latency), num(p.B, latency), num(p.A, tokens), num(p.B, tokens),
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
