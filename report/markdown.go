package report

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"whet/prompt"
)

// Markdown writes the run as a GitHub-flavoured Markdown document: a header
// (run id, times, status, source, plan), the prompt versions with their
// 12-hex hashes and messages, the targets with the model identity the
// results report, a summary table per version × target, the failures (errors
// and failed checks) with their causes, then each case: its variables, its
// expected output and every target's output side by side — in a table when
// all are short, else one fenced block per output, folded in <details> when
// long.
//
// Untrusted text (outputs, errors, names, variables) cannot break the
// document: see mdText, mdCode and mdWriter.fenced. The same input always
// gives the same bytes. Markdown writes to w once and returns its error.
func Markdown(w io.Writer, r RunReport) error {
	v := newView(r)
	var m mdWriter
	v.mdHeader(&m)
	v.mdPrompts(&m)
	v.mdTargets(&m)
	v.mdSummary(&m)
	v.mdFailures(&m)
	v.mdCases(&m)
	return m.writeTo(w)
}

func (v *view) mdHeader(m *mdWriter) {
	run := v.r.Run
	m.para("# Run ", orDash(mdCode(run.ID, false)))
	status := string(run.Status)
	if status == "" {
		status = "unknown"
	}
	m.line("- **Status:** ", mdText(status))
	if !run.Created.IsZero() {
		m.line("- **Started:** ", run.Created.Format(time.RFC3339))
	}
	if !run.Finished.IsZero() {
		took := ""
		if !run.Created.IsZero() && run.Finished.After(run.Created) {
			took = " (took " + fmtDur(run.Finished.Sub(run.Created)) + ")"
		}
		m.line("- **Finished:** ", run.Finished.Format(time.RFC3339), took)
	}
	if run.Source != "" {
		m.line("- **Source:** ", mdText(run.Source))
	}
	if run.Suite != "" {
		m.line("- **Suite:** ", mdText(run.Suite))
	}
	if run.Author != "" {
		m.line("- **Author:** ", mdText(run.Author))
	}
	if run.Note != "" {
		m.line("- **Note:** ", mdText(run.Note))
	}
	m.line("- **Plan:** ", plural(len(v.versions), "version", "versions"), " × ", plural(len(v.targets), "target", "targets"),
		" × ", plural(len(v.cases), "case", "cases"), " × ", plural(v.repeat, "repeat", "repeats"), " = ", plural(v.planned(), "cell", "cells"))
	res := plural(len(v.results), "result", "results")
	var notes []string
	if v.totals().Errors > 0 {
		notes = append(notes, plural(v.totals().Errors, "error", "errors"))
	}
	if v.totals().CacheHits > 0 {
		notes = append(notes, plural(v.totals().CacheHits, "cache hit", "cache hits"))
	}
	if missing := v.planned() - len(v.results); missing > 0 {
		notes = append(notes, fmtInt(missing)+" without a result")
	}
	if len(notes) > 0 {
		res += " (" + strings.Join(notes, ", ") + ")"
	}
	m.line("- **Results:** ", res)
	switch {
	case run.NoCache:
		m.line("- **Cache:** bypassed")
	case run.ForceCache:
		m.line("- **Cache:** forced")
	}
	m.para("- **Generated:** ", v.r.Generated.Format(time.RFC3339))
}

func (v *view) mdPrompts(m *mdWriter) {
	m.para("## Prompts")
	var rows [][]string
	for _, rv := range v.versions {
		ver, ok := v.r.Versions[rv.VersionID]
		hash := rv.Hash
		if hash == "" && ok {
			hash = ver.Hash
		}
		var note, params, tags string
		if ok {
			note = mdText(ver.Note)
			var ts []string
			for _, t := range ver.Tags {
				ts = append(ts, mdCode(t, true))
			}
			tags = orDash(strings.Join(ts, " "))
			var ps []string
			for _, l := range ver.Params.Lines() {
				ps = append(ps, mdCode(l, true))
			}
			params = strings.Join(ps, " ")
		}
		rows = append(rows, []string{mdCode(versionLabel(rv), true), mdCode(prompt.ShortHash(hash), true), tags, params, note})
	}
	m.table([]string{"Version", "Hash", "Tags now", "Params", "Note"}, "", rows)
	for _, rv := range v.versions {
		ver, ok := v.r.Versions[rv.VersionID]
		if !ok || len(ver.Messages) == 0 {
			continue
		}
		m.para("<details><summary>", htmlText(versionLabel(rv)), " messages</summary>")
		for _, msg := range ver.Messages {
			m.para("**", mdText(msg.Role), "**")
			m.fenced("text", msg.Content)
		}
		m.para("</details>")
	}
}

func (v *view) mdTargets(m *mdWriter) {
	m.para("## Targets")
	var rows [][]string
	for _, t := range v.targets {
		var models, digests []string
		for _, id := range v.identities(t) {
			models = append(models, orDash(mdCode(id.model, true)))
			digests = append(digests, orDash(mdCode(ShortDigest(id.digest), true)))
		}
		if len(models) == 0 {
			models, digests = []string{"—"}, []string{"—"}
		}
		rows = append(rows, []string{mdCode(t, true), strings.Join(models, " <br>"), strings.Join(digests, " <br>")})
	}
	m.table([]string{"Target", "Model", "Digest / fingerprint"}, "", rows)
	for _, t := range v.targets {
		if n := len(v.identities(t)); n > 1 {
			m.para("> **Note:** ", mdCode(t, false), " reported ", fmtInt(n), " different model identities during this run.")
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func (v *view) mdSummary(m *mdWriter) {
	m.para("## Summary")
	if len(v.summaries()) == 0 {
		m.para("No results.")
		return
	}
	// Two tables, speed then usage, so that each stays narrow enough to read
	// in a terminal preview.
	scored := len(v.scorers) > 0
	speed := func(s Summary) []string {
		cells := []string{fmtInt(s.Cells), fmtInt(s.Errors)}
		if s.Measured > 0 {
			cells = append(cells, fmtDur(s.MeanLatency), fmtDur(s.P50), fmtDur(s.P95))
		} else {
			cells = append(cells, "—", "—", "—")
		}
		return append(cells, durOrDash(s.MeanTTFT), rateOrDash(s.TokPerSec))
	}
	usage := func(s Summary) []string {
		cells := []string{fmtInt(s.TokensIn), fmtInt(s.TokensOut), orDash(v.costText(s)), fmtInt(s.CacheHits)}
		if scored {
			pf := "—"
			if _, ok := s.PassRate(); ok {
				pf = fmtInt(s.Passed) + " / " + fmtInt(s.Failed)
			}
			cells = append(cells, mdScoreCell(s), pf, mdPassRateCell(s))
		}
		return cells
	}
	rows := func(f func(Summary) []string) [][]string {
		var out [][]string
		for _, s := range v.summaries() {
			out = append(out, append([]string{mdCode(versionLabel(v.version(s.VersionID)), true), mdCode(s.Target, true)}, f(s)...))
		}
		if len(v.summaries()) > 1 {
			out = append(out, append([]string{"**All**", ""}, f(v.totals())...))
		}
		return out
	}
	m.table([]string{"Version", "Target", "Cells", "Errors", "Mean latency", "p50", "p95", "Mean TTFT", "tok/s"}, "llrrrrrrr", rows(speed))
	header := []string{"Version", "Target", "Tokens in", "Tokens out", "Cost (USD)", "Cache hits"}
	align := "llrrrr"
	if scored {
		header = append(header, "Score", "Pass / fail", "Pass rate")
		align += "rrr"
	}
	m.table(header, align, rows(usage))
	note := "Latency, TTFT and tok/s cover the cells that succeeded without a cache hit; p50 and p95 are nearest-rank percentiles."
	var measured []int
	for _, s := range v.summaries() {
		measured = append(measured, s.Measured)
	}
	if few := P95Few(measured...); few > 0 {
		note += " A " + P95FewText(few) + "."
	}
	if scored {
		note += " Score is the mean over scored cells (count in brackets) of each cell's score: a person's rating when it has one, else its suite grade, else the mean of its latest grades; Pass / fail counts the cells with a verdict." +
			" Square brackets hold 95% intervals over cases, not cells: repeats of a case that always agree count once."
		if f := v.totals().FailedGraded; f > 0 {
			note += " " + failedGradedNote(f)
		}
	}
	if u := v.unpricedNote(); u != "" {
		note += " Cost: " + u + "."
	}
	m.para("*", mdText(note), "*")
}

// failedGradedNote says that n failed calls count in a summary's score and
// pass rate, as a suite grades them.
func failedGradedNote(n int) string {
	return "Failed calls count in Score and Pass / fail (" + fmtInt(n) + " here): a suite grades a failed call 0 and a fail."
}

// mdScoreCell is a summary's mean score with its interval and the number
// of scored cells, "0.82 [0.71–0.93] (40)", or "—" when nothing is scored.
func mdScoreCell(s Summary) string {
	if s.Scored == 0 {
		return "—"
	}
	return fmtScore(s.MeanScore) + mdInterval(s.ScoreLo, s.ScoreHi, fmtScore, "") + " (" + fmtInt(s.Scored) + ")"
}

// mdPassRateCell is a summary's pass rate with its interval,
// "75% [51–90%]", or "—" when no cell has a verdict.
func mdPassRateCell(s Summary) string {
	r, ok := s.PassRate()
	if !ok {
		return "—"
	}
	pct := func(f float64) string { return fmtRate(100 * f) }
	return pct(r) + "%" + mdInterval(s.PassLo, s.PassHi, pct, "%")
}

// mdInterval is " [lo–hi]" in f's format followed by unit, or "" when
// the interval is unknown (NaN bounds, see Summary).
func mdInterval(lo, hi float64, f func(float64) string, unit string) string {
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return ""
	}
	return " [" + f(lo) + "–" + f(hi) + unit + "]"
}

func durOrDash(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	return fmtDur(d)
}

func rateOrDash(r float64) string {
	if r <= 0 {
		return "—"
	}
	return fmtRate(r)
}

// cellName names a cell for a list: "summarize@2 · openai:gpt-4o · case 2 (repeat 1)".
func (v *view) cellName(res prompt.Result) string {
	s := mdCode(versionLabel(v.version(res.VersionID)), false) + " · " + mdCode(res.Target, false) + " · " + mdText(v.caseLabel(res.Case))
	if v.repeat > 1 {
		s += fmt.Sprintf(" (repeat %d)", res.Repeat+1)
	}
	return s
}

func (v *view) caseLabel(i int) string {
	if i >= 0 && i < len(v.cases) {
		return v.cases[i].Label(i)
	}
	return prompt.Case{}.Label(i)
}

func (v *view) mdFailures(m *mdWriter) {
	m.para("## Failures")
	var errs, failed []string
	for _, res := range v.results {
		if !res.OK() {
			errs = append(errs, "- "+v.cellName(res)+": "+mdText(res.Error))
		}
		for _, sc := range v.scoresOf(res) {
			if sc.Pass != nil && !*sc.Pass {
				line := "- " + v.cellName(res) + ": " + mdCode(sc.Scorer, false) + " " + fmtScore(sc.Value)
				if sc.Reason != "" {
					line += " — " + mdText(sc.Reason)
				}
				failed = append(failed, line)
			}
		}
	}
	if len(errs) == 0 && len(failed) == 0 {
		m.para("None.")
		return
	}
	if len(errs) > 0 {
		m.para("**Errors**")
		for _, l := range errs {
			m.line(l)
		}
		m.line()
	}
	if len(failed) > 0 {
		m.para("**Failed checks**")
		for _, l := range failed {
			m.line(l)
		}
		m.line()
	}
}

func (v *view) mdCases(m *mdWriter) {
	m.para("## Cases")
	for ci, c := range v.cases {
		// A case without a name is headed by its description too, as the
		// JUnit and the gate name it ("case 2: late parcel"), so that the
		// report's outline tells the cases apart; a description the
		// heading does not hold as written (a long one, cut there; one of
		// several lines) is given whole below it.
		m.para("### ", mdText(c.Title(ci)))
		if !c.TitleHoldsDescription(ci) {
			m.para(mdText(c.Description))
		}
		m.vars(c)
		m.expected(c.Expected)
		for _, rv := range v.versions {
			m.para("#### ", mdCode(versionLabel(rv), false))
			v.mdOutputs(m, rv.VersionID, ci)
		}
	}
}

// vars writes a case's variables as a table; long values are previewed in
// the table and shown in full after it, folded.
func (m *mdWriter) vars(c prompt.Case) {
	if len(c.Vars) == 0 {
		return
	}
	var rows [][]string
	var long []string
	for _, k := range prompt.SortedKeys(c.Vars) {
		val := c.Vars[k]
		cell := mdText(val)
		if !isShort(val) {
			cell = mdText(preview(val, 80)) + " *(in full below)*"
			long = append(long, k)
		}
		rows = append(rows, []string{mdCode(k, true), cell})
	}
	m.table([]string{"Variable", "Value"}, "", rows)
	for _, k := range long {
		m.para("<details><summary>", htmlText(k), "</summary>")
		m.fenced("text", c.Vars[k])
		m.para("</details>")
	}
}

// mdOutputs writes every target's output for one version and case: a table
// with a column per target when all are short, else a labelled block each.
func (v *view) mdOutputs(m *mdWriter, versionID int64, ci int) {
	short := true
	for _, t := range v.targets {
		for rep := range v.repeat {
			res, ok := v.cell(prompt.CellKey{VersionID: versionID, Target: t, Case: ci, Repeat: rep})
			if ok && (!isShort(res.Output) || !isShort(res.Error)) {
				short = false
			}
		}
	}
	if short {
		v.mdOutputTable(m, versionID, ci)
		return
	}
	for _, t := range v.targets {
		for rep := range v.repeat {
			key := prompt.CellKey{VersionID: versionID, Target: t, Case: ci, Repeat: rep}
			label := "**" + mdCode(t, false) + "**"
			name := t
			if v.repeat > 1 {
				label += fmt.Sprintf(" · repeat %d", rep+1)
				name += fmt.Sprintf(" repeat %d", rep+1)
			}
			res, ok := v.cell(key)
			if !ok {
				m.para(label, " · *no result*")
				continue
			}
			m.result(label, name, res, mdScores(v.scoresOf(res), false))
		}
	}
}

// result writes one result as a labelled block: the label and its stats,
// its error, its scores (already rendered) and its output, folded when long.
func (m *mdWriter) result(label, name string, res prompt.Result, scores string) {
	m.para(label, " · ", mdText(statsLine(res)))
	if !res.OK() {
		m.para("**Error:** ", mdText(res.Error))
	}
	if scores != "" {
		m.para("**Scores:** ", scores)
	}
	switch {
	case res.Output != "":
		m.block(name+" output", res.Output)
	case res.OK():
		m.para("*(empty output)*")
	}
}

// outputCell renders a result's output (or error) for a table cell.
func outputCell(res prompt.Result) string {
	switch {
	case !res.OK():
		cell := "**Error:** " + mdText(res.Error)
		if res.Output != "" {
			cell += " <br>" + mdText(res.Output)
		}
		return cell
	case res.Output == "":
		return "*(empty output)*"
	case strings.TrimSpace(res.Output) == "":
		return "*(white space only)*"
	default:
		return mdText(res.Output)
	}
}

func (v *view) mdOutputTable(m *mdWriter, versionID int64, ci int) {
	header := []string{""}
	for _, t := range v.targets {
		header = append(header, mdCode(t, true))
	}
	scored := false
	for _, t := range v.targets {
		for rep := range v.repeat {
			if res, ok := v.cell(prompt.CellKey{VersionID: versionID, Target: t, Case: ci, Repeat: rep}); ok && len(v.scoresOf(res)) > 0 {
				scored = true
			}
		}
	}
	var rows [][]string
	for rep := range v.repeat {
		suffix := ""
		if v.repeat > 1 {
			suffix = fmt.Sprintf(" %d", rep+1)
		}
		out := []string{"**Output" + suffix + "**"}
		stats := []string{"*Stats" + suffix + "*"}
		scores := []string{"*Scores" + suffix + "*"}
		for _, t := range v.targets {
			res, ok := v.cell(prompt.CellKey{VersionID: versionID, Target: t, Case: ci, Repeat: rep})
			if !ok {
				out = append(out, "*no result*")
				stats = append(stats, "")
				scores = append(scores, "")
				continue
			}
			out = append(out, outputCell(res))
			stats = append(stats, mdText(statsLine(res)))
			scores = append(scores, mdScores(v.scoresOf(res), true))
		}
		rows = append(rows, out, stats)
		if scored {
			rows = append(rows, scores)
		}
	}
	m.table(header, "", rows)
}

// mdScores renders grades inline: "`check:contains` 1.00 ✓, …".
func mdScores(scores []prompt.Score, inTable bool) string {
	var parts []string
	for _, sc := range scores {
		p := mdCode(sc.Scorer, inTable) + " " + fmtScore(sc.Value)
		if sc.Pass != nil {
			if *sc.Pass {
				p += " ✓"
			} else {
				p += " ✗"
			}
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

// statsLine is a result's measurements on one line:
// "842 ms · TTFT 120 ms · 12 → 40 tokens · 55.1 tok/s · stop · cache hit".
func statsLine(res prompt.Result) string {
	var parts []string
	if !res.CacheHit {
		parts = append(parts, fmtDur(res.Latency))
		if res.TTFT > 0 {
			parts = append(parts, "TTFT "+fmtDur(res.TTFT))
		}
	}
	if res.TokensIn > 0 || res.TokensOut > 0 {
		parts = append(parts, fmtInt(res.TokensIn)+" → "+fmtInt(res.TokensOut)+" tokens")
	}
	if tps := res.TokensPerSecond(); tps > 0 && !res.CacheHit {
		parts = append(parts, fmtRate(tps)+" tok/s")
	}
	if res.Cost > 0 {
		parts = append(parts, "USD "+CostText(res.Cost))
	}
	if res.FinishReason != "" {
		parts = append(parts, res.FinishReason)
	}
	if res.CacheHit {
		parts = append(parts, "cache hit")
	}
	return strings.Join(parts, " · ")
}

// expected writes a case's expected output, if any.
func (m *mdWriter) expected(s string) {
	switch {
	case s == "":
	case isShort(s):
		m.para("**Expected:** ", mdText(s))
	default:
		m.para("**Expected:**")
		m.block("expected output", s)
	}
}
