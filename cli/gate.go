package cli

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"whet/eval"
	"whet/prompt"
	"whet/report"
	"whet/runner"
	"whet/store"
	"whet/textutil"
)

// evaluator builds the grader: judge and embedder targets resolve through
// the registry, judge verdicts are cached in the store.
func (a *app) evaluator(reg *runner.Registry, st *store.Store) *eval.Evaluator {
	cfg, _ := a.config()
	return &eval.Evaluator{
		JudgeTarget: cfg.Judge,
		EmbedTarget: cfg.Embedder,
		Cache:       st,
		Judge: func(spec string) (eval.Chatter, string, error) {
			t, err := reg.Resolve(spec)
			if err != nil {
				return nil, "", err
			}
			p, err := reg.Provider(t.Provider)
			if err != nil {
				return nil, "", err
			}
			return p, t.Model, nil
		},
		Priced: func(spec string) bool {
			t, err := reg.Resolve(spec)
			if err != nil {
				return false // no longer configured: its price is not known either
			}
			_, ok := reg.Price(t)
			return ok
		},
		Embedder: func(spec string) (eval.Embedder, string, error) {
			t, err := reg.Resolve(spec)
			if err != nil {
				return nil, "", err
			}
			pc, ok := reg.ProviderConfig(t.Provider)
			if !ok {
				return nil, "", fmt.Errorf("embedder %s: unknown provider %q", spec, t.Provider)
			}
			e, err := eval.NewEmbedder(pc)
			return e, t.Model, err
		},
	}
}

// scoreRun grades every result of a run by its cases' checks and stores the
// scores. Model-graded checks run a few at a time. A check that could give
// no verdict (a judge that failed or answered badly, a latency a cached
// result lacks) is said on stderr, once per distinct problem: it is
// recorded as a failing score, and would otherwise show only as a low one.
func (a *app) scoreRun(ctx context.Context, ev *eval.Evaluator, st *store.Store, run prompt.Run, versions map[int64]prompt.Version) error {
	results, err := st.Results(ctx, run.ID)
	if err != nil {
		return err
	}
	scores, problems := ev.ScoreRun(ctx, run, versions, results, "whet", time.Now())
	for i, p := range problems {
		if i == 5 {
			fmt.Fprintf(a.env.Stderr, "check error: … and %d more kinds (every score's reason is in 'whet export %s --format json')\n", len(problems)-5, run.ID)
			break
		}
		times := ""
		if p.Cells > 1 {
			times = fmt.Sprintf(" (%d cells)", p.Cells)
		}
		fmt.Fprintf(a.env.Stderr, "check error: %s%s\n", p.Text, times)
	}
	if len(scores) == 0 {
		return nil
	}
	return st.AddScores(ctx, scores)
}

// gateFailures are the version × target groups the gate judges (those of
// the gated versions; every one when gated is nil) whose pass rate is below
// failUnder, or that nothing graded.
func gateFailures(groups []eval.Group, failUnder float64, gated map[int64]bool) []eval.Group {
	var failing []eval.Group
	for _, g := range groups {
		if gates(gated, g) && (g.Judged == 0 || g.PassRate < failUnder) {
			failing = append(failing, g)
		}
	}
	return failing
}

// gates reports whether the gate judges g: every group when gated is nil.
func gates(gated map[int64]bool, g eval.Group) bool {
	return gated == nil || gated[g.Version.VersionID]
}

// gatedVersions resolves --gate refs to the ids of the run's versions they
// name; nil without refs (the gate judges every version). A ref that names
// no version of the run is a usage error, said before any call is made.
func (a *app) gatedVersions(st *store.Store, run prompt.Run, refs []string) (map[int64]bool, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	gated := map[int64]bool{}
	for _, s := range refs {
		ref, err := a.parseRef(s)
		if err != nil {
			return nil, usagef("--gate %s: %v", s, err)
		}
		v, err := st.Resolve(a.ctx, ref)
		if err != nil {
			return nil, usagef("--gate %s: %v", s, err)
		}
		found := false
		for _, rv := range run.Versions {
			found = found || rv.VersionID == v.ID
		}
		if !found {
			var names []string
			for _, rv := range run.Versions {
				names = append(names, rv.Ref())
			}
			return nil, usagef("--gate %s: %s is not a version of this run (it runs %s)", s, v.Ref(), strings.Join(names, ", "))
		}
		gated[v.ID] = true
	}
	return gated, nil
}

// writePassLines writes each version × target's pass rate with its
// interval and n, and its mean score, under the table of a suite's run
// (whet run and whet runs show alike). With --gate (gated not nil), the
// versions the gate does not judge end with "(not gated)", as the Markdown
// summary marks them.
func writePassLines(w io.Writer, groups []eval.Group, gated map[int64]bool) {
	for _, g := range groups {
		mark := ""
		if !gates(gated, g) {
			mark = " (not gated)"
		}
		if g.Judged == 0 {
			fmt.Fprintf(w, "%s × %s: no cell scored%s\n", g.Version.Ref(), g.Target, mark)
			continue
		}
		fmt.Fprintf(w, "%s × %s: pass %s, mean score %.3f%s%s\n", g.Version.Ref(), g.Target, passText(g), g.MeanScore, repeatsText(g), mark)
	}
}

// passText writes a group's pass rate with what it is over and its 95%
// interval, which is over cases: "66.7% (12 of 18 graded cells, 95% CI
// 30.0–90.3% over 6 cases)"; without repeats a cell is a case and the
// cases go unsaid. Failed calls among the graded cells are said ("counting
// 2 failed calls as fails"): a suite grades them as fails, and a reader
// should not take them for wrong answers.
func passText(g eval.Group) string { return passTextBelow(g, 0) }

// passTextBelow is passText for a group judged against the bar failUnder
// (0: none): its rate keeps the decimals that show it below the bar
// (rateText).
func passTextBelow(g eval.Group, failUnder float64) string {
	over := ""
	if g.Repeats > 1 && g.JudgedCases > 0 {
		over = fmt.Sprintf(" over %d cases", g.JudgedCases)
		if g.JudgedCases == 1 {
			over = " over 1 case"
		}
	}
	failed := ""
	if g.FailedJudged > 0 {
		failed = fmt.Sprintf(", counting %d failed calls as fails", g.FailedJudged)
		if g.FailedJudged == 1 {
			failed = ", counting 1 failed call as a fail"
		}
	}
	return fmt.Sprintf("%s (%d of %d graded cells%s, 95%% CI %.1f–%.1f%%%s)", rateText(g.PassRate, failUnder), g.Passed, g.Judged, failed, 100*g.PassLo, 100*g.PassHi, over)
}

// rateText writes a pass rate as a percentage with one decimal, or with
// more when one would round it up to the bar failUnder that it falls
// below: 1800 of 2001 cells is 89.96%, not "90.0%" beside a 90% bar.
func rateText(rate, failUnder float64) string {
	bar := math.Round(failUnder*1e4) / 1e2 // as pctText writes it
	for d := 1; d < 6; d++ {
		s := strconv.FormatFloat(100*rate, 'f', d, 64)
		if v, err := strconv.ParseFloat(s, 64); err == nil && (rate >= failUnder || v < bar) {
			return s + "%"
		}
	}
	return strconv.FormatFloat(100*rate, 'f', -1, 64) + "%"
}

// pointsText writes how many percentage points a rate falls short of a
// bar, with one decimal, or more when one would say 0.0.
func pointsText(short float64) string {
	for d := 1; d < 6; d++ {
		if s := strconv.FormatFloat(short, 'f', d, 64); strings.Trim(s, "0.") != "" {
			return s
		}
	}
	return strconv.FormatFloat(short, 'g', 2, 64)
}

// repeatsText says, for a group with repeats, how alike a case's repeats
// are and pass^k: "; over 3 repeats: 90% identical outputs, every repeat
// passed in 7 of 10 cases (pass^3)"; "" without repeats. When no case
// has two outputs (its other calls failed) there is nothing to compare,
// which is not 0% identical.
func repeatsText(g eval.Group) string {
	if g.Repeats < 2 {
		return ""
	}
	s := fmt.Sprintf("; over %d repeats: %.0f%% identical outputs", g.Repeats, 100*g.Identical)
	if g.OutputCases == 0 {
		s = fmt.Sprintf("; over %d repeats: no case has two outputs to compare", g.Repeats)
	}
	if g.JudgedCases > 0 {
		s += fmt.Sprintf(", every repeat passed in %d of %d cases (pass^%d)", g.PassAllCases, g.JudgedCases, g.Repeats)
	}
	return s
}

// gateLine says why a version × target fails the gate: its pass rate, over
// how many graded cells and with what interval, and how far below the bar
// it is; or that no cell was graded.
func gateLine(g eval.Group, failUnder float64) string {
	if g.Judged == 0 {
		return fmt.Sprintf("gate: %s × %s: no cell was graded, so it cannot reach %s", g.Version.Ref(), g.Target, pctText(failUnder))
	}
	return fmt.Sprintf("gate: %s × %s pass rate %s is %s points below %s",
		g.Version.Ref(), g.Target, passTextBelow(g, failUnder), pointsText(100*(failUnder-g.PassRate)), pctText(failUnder))
}

// gateCasesShown is how many failing cells the gate names on stderr; the
// rest are counted, and --format md and JUnit list every one.
const gateCasesShown = 20

// gateCaseLines names, one line each, the cells that failed their checks
// in the version × target groups that fail the gate, so that a CI log
// says which cases fell short and why without an artifact: version ×
// target × case (its name, else its description, else its variables),
// the repeat, and the suite's reason (the checks that failed) or a
// person's fail rating. Failed calls are left to the "failed:" lines,
// which name each one. Untrusted text is made one line, free of control
// sequences, and a long reason is cut.
func gateCaseLines(rr report.RunReport, failing []eval.Group) []string {
	type key struct {
		v int64
		t string
	}
	in := map[key]bool{}
	for _, g := range failing {
		in[key{g.Version.VersionID, g.Target}] = true
	}
	latest := report.LatestScores(rr.Scores)
	var lines []string
	n := 0
	for _, r := range report.CellResults(rr.Results) {
		if !in[key{r.VersionID, r.Target}] || !r.OK() {
			continue
		}
		grades := latest[r.ID]
		if pass, ok := report.ResultVerdict(grades); !ok || pass {
			continue
		}
		n++
		if len(lines) == gateCasesShown {
			continue
		}
		reason := failReason(grades)
		repeat := ""
		if rr.Run.Repeat > 1 {
			repeat = " #" + strconv.Itoa(r.Repeat+1)
		}
		lines = append(lines, fmt.Sprintf("  %s × %s × %s%s: %s", versionRef(rr, r.VersionID), textutil.OneLine(r.Target),
			cut(textutil.OneLine(gateCaseName(rr.Run, r.Case)), prompt.TitleChars), repeat, cut(textutil.OneLine(cmp.Or(reason, "failed")), 240)))
	}
	if n > len(lines) {
		lines = append(lines, fmt.Sprintf("  … and %d more (see --format md / junit, or whet export %s --format md)", n-len(lines), rr.Run.ID))
	}
	return lines
}

// gateCaseName names a case for a log line: its name, else its title
// with its description ("case N: DESCRIPTION", cut at a word as the JUnit
// and the Markdown cut it, so that two long descriptions that begin
// alike still read as two cases), else its variables (k=v, sorted), else
// "case N".
func gateCaseName(r prompt.Run, i int) string {
	if i < 0 || i >= len(r.Cases) {
		return caseLabel(r, i)
	}
	c := r.Cases[i]
	if c.Name != "" || (c.Description == "" && len(c.Vars) == 0) {
		return c.Label(i)
	}
	if strings.TrimSpace(c.Description) != "" {
		return c.Title(i)
	}
	keys := slices.Sorted(maps.Keys(c.Vars))
	parts := make([]string, len(keys))
	for j, k := range keys {
		parts[j] = k + "=" + c.Vars[k]
	}
	return strings.Join(parts, " ")
}

// cut shortens s to at most n characters, ending it with "…" when cut.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// pctText writes a rate in [0,1] as a percentage with no more decimals
// than it has (to a hundredth of a point): 0.9 → "90%", 0.925 → "92.5%".
func pctText(r float64) string {
	return strconv.FormatFloat(math.Round(r*1e4)/1e2, 'f', -1, 64) + "%"
}

// writeGateMarkdown writes the CI summary of a scored run: pass/fail per
// version × target with intervals, A vs B when there are two versions, and
// the failing cases with their reasons. It is GitHub-flavoured Markdown, fit
// for a pull request or $GITHUB_STEP_SUMMARY. Only the gated versions'
// groups (every one when gated is nil) are judged; the others show
// "not gated".
func writeGateMarkdown(w io.Writer, rr report.RunReport, groups []eval.Group, failUnder float64, gated map[int64]bool) error {
	var b strings.Builder
	failing := gateFailures(groups, failUnder, gated)
	verdict := "✅ pass"
	if failUnder > 0 && len(failing) > 0 {
		verdict = "❌ fail"
	}
	fmt.Fprintf(&b, "## whet: %s\n\n", report.MarkdownText(rr.Run.Suite))
	fmt.Fprintf(&b, "Run %s · %s", report.MarkdownCode(rr.Run.ID, false), report.PlanShape(rr.Run))
	if failUnder > 0 {
		on := ""
		if gated != nil {
			var refs []string
			for _, rv := range rr.Run.Versions {
				if gated[rv.VersionID] {
					refs = append(refs, report.MarkdownCode(rv.Ref(), false))
				}
			}
			on = " on " + strings.Join(refs, ", ")
		}
		fmt.Fprintf(&b, " · gate: pass rate ≥ %s%s · **%s**", pctText(failUnder), on, verdict)
	}
	repeats := 0
	for _, g := range groups {
		repeats = max(repeats, g.Repeats)
	}
	b.WriteString("\n\n| Version | Target | Graded | Pass rate | 95% CI | Mean score |")
	if repeats > 1 {
		fmt.Fprintf(&b, " All %d repeats passed |", repeats)
	}
	b.WriteString(" Errors | p50 | p95 | Cost (USD) |")
	if failUnder > 0 {
		b.WriteString(" Gate |")
	}
	b.WriteString("\n| --- | --- | ---: | ---: | --- | ---: |")
	if repeats > 1 {
		b.WriteString(" ---: |")
	}
	b.WriteString(" ---: | ---: | ---: | ---: |")
	if failUnder > 0 {
		b.WriteString(" --- |")
	}
	b.WriteString("\n")
	for _, g := range groups {
		rate, ci, mean := "—", "—", "—" // nothing graded: no figure, rather than 0%
		if g.Judged > 0 {
			rate, ci = rateText(g.PassRate, failUnder), fmt.Sprintf("%.1f–%.1f%%", 100*g.PassLo, 100*g.PassHi)
		}
		if g.Scored > 0 {
			mean = fmt.Sprintf("%.3f", g.MeanScore)
		}
		version := report.MarkdownCode(g.Version.Ref(), true)
		if tags := rr.Versions[g.Version.VersionID].Tags; len(tags) > 0 {
			// Which side is production, for a reviewer of the PR.
			version += " (" + report.MarkdownText(strings.Join(tags, ", ")) + ")"
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s | %s |", version, report.MarkdownCode(g.Target, true), g.Judged, rate, ci, mean)
		if repeats > 1 {
			if g.Repeats > 1 && g.JudgedCases > 0 {
				fmt.Fprintf(&b, " %d of %d cases |", g.PassAllCases, g.JudgedCases)
			} else {
				b.WriteString(" — |")
			}
		}
		cost := report.CostText(g.Cost)
		if slices.Contains(rr.Unpriced, g.Target) {
			cost = "— (no price known)"
		}
		fmt.Fprintf(&b, " %d | %s | %s | %s |", g.Errors, fmtDur(g.P50), fmtDur(g.P95), cost)
		if failUnder > 0 {
			mark := "✅"
			switch {
			case !gates(gated, g):
				mark = "— (not gated)"
			case g.Judged == 0 || g.PassRate < failUnder:
				mark = "❌"
			}
			b.WriteString(" " + mark + " |")
		}
		b.WriteString("\n")
	}
	var measured []int
	for _, g := range groups {
		measured = append(measured, g.Measured)
	}
	if few := report.P95Few(measured...); few > 0 {
		b.WriteString("\n*p50 and p95 are latency percentiles over the calls made (not cached); a " + report.P95FewText(few) + ".*\n")
	}
	if repeats > 1 {
		b.WriteString("\n*The 95% CI is over cases: repeats of a case that always agree count as one case, repeats that vary as independent draws would count in full.*\n")
	}
	failedCalls := 0
	for _, g := range groups {
		failedCalls += g.FailedJudged
	}
	if failedCalls > 0 {
		ab := ""
		if len(rr.Run.Versions) == 2 {
			ab = ", but the A/B statistics leave failed calls out: they have no answer to compare"
		}
		fmt.Fprintf(&b, "\n*A failed call is a failing cell here (%d of the graded cells; see Errors)%s.*\n", failedCalls, ab)
	}
	if len(rr.Run.Versions) == 2 {
		writeGateAB(&b, rr)
	}
	fails := failingCases(rr)
	if len(fails) > 0 {
		b.WriteString("\n### Failing cases\n\n| Version | Target | Case | Repeat | Reason |\n| --- | --- | --- | ---: | --- |\n")
		for i, f := range fails {
			if i == 50 {
				fmt.Fprintf(&b, "\n… and %d more (see %s)\n", len(fails)-50, report.MarkdownCode("whet export "+rr.Run.ID, false))
				break
			}
			b.WriteString(f + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// abOnTargets is the A/B statistics of a run's two versions on each of its
// targets, each a sentence: with several targets, each sign test's p-value
// is also given adjusted for the targets tested (Holm, as whet drift does),
// and a difference that is significant only unadjusted is said to be so.
// tested is how many were tested; nil unless the run has two versions.
func abOnTargets(rr report.RunReport) (sentences []string, tested int) {
	if len(rr.Run.Versions) != 2 {
		return nil, 0
	}
	a, bb := rr.Run.Versions[0], rr.Run.Versions[1]
	abs := make([]eval.ABResult, len(rr.Run.Targets))
	for i, t := range rr.Run.Targets {
		abs[i] = eval.CompareAB(resultsOf(rr.Results, a.VersionID, t), resultsOf(rr.Results, bb.VersionID, t), rr.Scores, a.Ref(), bb.Ref())
	}
	adjusted, tested := eval.HolmAdjust(abs)
	for i, ab := range abs {
		sentence := ab.Sentence
		if why := report.TooFewCasesNeed(ab.Wins+ab.Losses, eval.HolmNeed(abs, i), tested); why != "" && adjusted[i] >= eval.Significance {
			sentence += " (" + why + ")"
		}
		if tested > 1 && ab.Wins+ab.Losses > 0 {
			sentence += "; adjusted for the " + strconv.Itoa(tested) + " targets (Holm), " + eval.FormatP(adjusted[i])
			if ab.P < eval.Significance && adjusted[i] >= eval.Significance {
				sentence += ", not significant"
			}
		}
		sentences = append(sentences, sentence)
	}
	return sentences, tested
}

// holmNote says how the A/B lines of several targets read their p-values.
func holmNote(tested int) string {
	return fmt.Sprintf("%d sign tests made together: a difference is significant when its p-value adjusted for them (Holm's method) is below %g, so that one of them is not found by luck.", tested, eval.Significance)
}

// writeGateAB writes abOnTargets as Markdown, for the gate's summary.
func writeGateAB(b *strings.Builder, rr report.RunReport) {
	sentences, tested := abOnTargets(rr)
	for i, s := range sentences {
		fmt.Fprintf(b, "\n**A/B on %s:** %s\n", report.MarkdownCode(rr.Run.Targets[i], false), report.MarkdownText(s))
	}
	if tested > 1 {
		b.WriteString("\n*" + report.MarkdownText(holmNote(tested)) + "*\n")
	}
}

// writeABLines writes abOnTargets under the pass lines of a run of two
// versions (whet run --suite and whet runs show alike).
func writeABLines(w io.Writer, rr report.RunReport) {
	sentences, tested := abOnTargets(rr)
	for i, s := range sentences {
		fmt.Fprintf(w, "A/B on %s: %s\n", textutil.OneLine(rr.Run.Targets[i]), s)
	}
	if tested > 1 {
		fmt.Fprintln(w, holmNote(tested))
	}
}

func resultsOf(rs []prompt.Result, versionID int64, target string) []prompt.Result {
	var out []prompt.Result
	for _, r := range rs {
		if r.VersionID == versionID && r.Target == target {
			out = append(out, r)
		}
	}
	return out
}

// failingCases lists the results that failed, as table rows: their
// verdict as every statistic reads it (report.ResultVerdict: a person's
// pass or fail over the suite's), with the suite's reason whole (a judge's
// reason may span lines, and the checks that failed after it are part of
// it) or the person's note.
func failingCases(rr report.RunReport) []string {
	latest := report.LatestScores(rr.Scores)
	refs := map[int64]string{}
	for _, v := range rr.Run.Versions {
		refs[v.VersionID] = v.Ref()
	}
	var rows []string
	for _, r := range report.CellResults(rr.Results) {
		grades := latest[r.ID]
		if pass, ok := report.ResultVerdict(grades); !ok || pass {
			continue
		}
		reason := failReason(grades)
		if reason == "" {
			reason = r.Error
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %d | %s |", report.MarkdownCode(refs[r.VersionID], true), report.MarkdownCode(r.Target, true),
			report.MarkdownText(caseTitle(rr.Run, r.Case)), r.Repeat+1, report.MarkdownText(textutil.OneLine(reason))))
	}
	return rows
}

// fmtDur writes a latency as the reports do: "—" for none, "<1 ms" for a
// call quicker than a millisecond (echo), never "0 ms".
func fmtDur(d time.Duration) string {
	if d == 0 {
		return "—"
	}
	if d < time.Millisecond {
		return "<1 ms"
	}
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

// failReason is why a cell failed: a person's fail rating when there is
// one, else the suite's reason (the checks that failed).
func failReason(grades map[string]prompt.Score) string {
	if h, ok := grades[report.ScorerHuman]; ok && h.Pass != nil {
		reason := "rated fail by " + cmp.Or(h.Author, "a person")
		if h.Reason != "" {
			reason += ": " + h.Reason
		}
		return reason
	}
	return grades[eval.ScorerSuite].Reason
}
