package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"whet/prompt"
	"whet/report"
	"whet/store"
)

// loadRunReport reads everything a run's report shows, as `whet runs show`
// and `whet export` do: the run, its results and scores, and its versions'
// messages. generated stamps the report. It runs inside a command.
func loadRunReport(ctx context.Context, st Store, id string, generated time.Time) (report.RunReport, error) {
	run, err := st.GetRun(ctx, id)
	if err != nil {
		return report.RunReport{}, err
	}
	results, err := st.Results(ctx, run.ID)
	if err != nil {
		return report.RunReport{}, err
	}
	scores, err := st.Scores(ctx, run.ID)
	if err != nil {
		return report.RunReport{}, err
	}
	versions := map[int64]prompt.Version{}
	for _, rv := range run.Versions {
		if v, err := st.VersionByID(ctx, rv.VersionID); err == nil {
			versions[v.ID] = v
		}
	}
	return report.RunReport{Run: run, Results: results, Scores: scores, Versions: versions, Generated: generated}, nil
}

// errNoRuns says a prompt has not been run yet.
var errNoRuns = errors.New("no runs yet")

// latestRunID is the id of name's newest run; errNoRuns when it has none.
func latestRunID(ctx context.Context, st Store, name string) (string, error) {
	runs, err := st.ListRuns(ctx, store.RunFilter{Prompt: name, Limit: 1, Brief: true})
	if err != nil {
		return "", err
	}
	if len(runs) == 0 {
		return "", errNoRuns
	}
	return runs[0].Run.ID, nil
}

// runPrompt is the prompt a run is about: its first version's, or "" for a
// run without versions.
func runPrompt(r prompt.Run) string {
	if len(r.Versions) == 0 {
		return ""
	}
	return r.Versions[0].Prompt
}

// runRefList lists a run's versions as refs, dropping the prompt name where
// a version is of prompt name ("@1,@2"), or, with no name (every prompt's
// runs), of the prompt the version before it names ("support/reply@1,@2").
func runRefList(r prompt.Run, name string) string {
	var parts []string
	for i, v := range r.Versions {
		if name == "" && i > 0 && v.Prompt == r.Versions[i-1].Prompt {
			// Versions of the prompt just named: support/reply@1,@2.
			parts = append(parts, "@"+itoa(v.Number))
			continue
		}
		if name != "" && v.Prompt == name {
			parts = append(parts, "@"+itoa(v.Number))
		} else {
			parts = append(parts, v.Ref())
		}
	}
	return strings.Join(parts, ",")
}

// runVersionRef is a run version's ref, or "version #id" when the run does
// not list it.
func runVersionRef(r prompt.Run, id int64) string {
	for _, v := range r.Versions {
		if v.VersionID == id {
			return v.Ref()
		}
	}
	return "version #" + itoa(int(id))
}

// caseName is case i's display name in run r.
func caseName(r prompt.Run, i int) string {
	if i >= 0 && i < len(r.Cases) {
		return r.Cases[i].Label(i)
	}
	return prompt.Case{}.Label(i)
}

// metricKind says what a cell or a run is measured by.
type metricKind int

const (
	metricNone  metricKind = iota // no results
	metricPass                    // pass rate of the results with a verdict
	metricScore                   // mean score of the scored results
	metricOK                      // share of results without an error
	metricKinds                   // how many kinds there are
)

// goodness colours a value in [0,1] where higher is better: ok from 0.8,
// warn from 0.5, error below.
func goodness(sh *shared, v float64) func(...string) string {
	st := sh.styles()
	switch {
	case v >= 0.8:
		return st.OK.Render
	case v >= 0.5:
		return st.Warn.Render
	}
	return st.Error.Render
}

// pct renders a share in [0,1] as a whole percentage.
func pctText(v float64) string { return itoa(int(v*100+0.5)) + "%" }

// scoreText renders a score with two decimals, as the reports do.
func scoreText(v float64) string { return report.ScoreText(v) }

// signed renders a delta with its sign: +12, -3, ±0.
func deltaText(n int) string {
	switch {
	case n > 0:
		return "+" + itoa(n)
	case n < 0:
		return itoa(n)
	}
	return "±0"
}

// signedScore renders a score delta with its sign.
func scoreDeltaText(d float64) string {
	switch s := scoreText(d); {
	case s == "0.00" || s == "-0.00":
		return "±0.00"
	case d > 0:
		return "+" + s
	default:
		return s
	}
}

// durationText renders a latency compactly: 812ms, 2.4s.
func latencyText(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < time.Millisecond:
		return "<1ms"
	case d < time.Second:
		return itoa(int(d/time.Millisecond)) + "ms"
	}
	tenths := int((d + 50*time.Millisecond) / (100 * time.Millisecond))
	return itoa(tenths/10) + "." + itoa(tenths%10) + "s"
}

// usdText renders a cost in USD as the Arena does (costText): a cost too
// small for four decimals reads "<$0.0001", never "$0.0000".
func usdText(c float64) string { return costText(c) }

// sparkline draws values in [0,1] as block characters on an absolute scale
// (so drift shows as drift); a negative value is a gap.
func sparkline(values []float64) string {
	const bars = "▁▂▃▄▅▆▇█"
	rs := []rune(bars)
	var b strings.Builder
	for _, v := range values {
		if v < 0 {
			b.WriteString("·")
			continue
		}
		i := int(v*float64(len(rs)-1) + 0.5)
		b.WriteRune(rs[clamp(i, 0, len(rs)-1)])
	}
	return b.String()
}

// openRunScreen is what switching to the Runs, Results or Compare tab
// loads when that screen shows nothing yet: the runs of the prompt selected
// in the Library (every run when none is), or its latest run; Compare
// takes the run the Results screen shows, when it shows one. It is nil for
// other screens and for a screen that already shows something.
func (m Model) openRunScreen(to screenID) tea.Cmd {
	name := ""
	if p, ok := m.library.selected(); ok {
		name = p.Name
	}
	switch {
	case to == screenHistory && m.history.empty():
		return m.sh.post(historyOpenMsg{prompt: name})
	case to == screenHistory:
		// Shown again: read the list again, so runs made since appear.
		return m.sh.post(historyOpenMsg{prompt: m.history.prompt, keep: true, shown: true})
	case to == screenResults && m.results.empty() && name != "":
		return m.sh.post(resultsOpenMsg{prompt: name})
	case to == screenResults && name != "" && m.results.failedFor(name):
		// What failed to show (a prompt with no runs yet) is no reason to
		// keep it: try the prompt selected now.
		return m.sh.post(resultsOpenMsg{prompt: name})
	case to == screenResults:
		// Shown again: read the run again, so ratings made since count.
		return m.sh.post(resultsRefreshMsg{})
	case to == screenCompare && m.compare.empty() && m.results.loaded:
		// The run on the Results screen, rather than the Library's prompt.
		return m.sh.post(compareOpenMsg{runID: m.results.rr.Run.ID, back: screenResults})
	case to == screenCompare && m.compare.empty() && name != "":
		return m.sh.post(compareOpenMsg{prompt: name, back: screenHistory})
	case to == screenCompare && name != "" && m.compare.failedFor(name):
		return m.sh.post(compareOpenMsg{prompt: name, back: screenHistory})
	case to == screenCompare:
		// Shown again: read the run again, so ratings made since count.
		return m.sh.post(compareRefreshMsg{})
	}
	return nil
}
