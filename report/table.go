package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"whet/textutil"
)

// maxTableErrors is how many errors Table lists before summing up the rest.
const maxTableErrors = 10

// Table writes a plain-text summary of the run for a terminal (`--format
// table`): a heading line, one aligned row per version × target (numbers
// right-aligned, no colour), a totals row when there are several, then the
// errors, one line each, and the answers that ended otherwise than with
// stop (cut short, filtered, …), each with its finish reason. SCORE is the mean score of the scored results,
// with their number in brackets when some results have no score. width is the terminal's width in cells; when the
// table is wider, the least important columns are dropped and then the
// version and target names are cut with "…". width ≤ 0 means no limit.
func Table(w io.Writer, r RunReport, width int) error {
	v := newView(r)
	var b strings.Builder
	head := fmt.Sprintf("run %s · %s · %d/%d cells", oneLine(r.Run.ID), orUnknown(string(r.Run.Status)), len(v.results), v.planned())
	if v.totals().Errors > 0 {
		head += " · " + plural(v.totals().Errors, "error", "errors")
	}
	if v.totals().CacheHits > 0 {
		head += " · " + plural(v.totals().CacheHits, "cache hit", "cache hits")
	}
	b.WriteString(cut(head, width) + "\n")

	cols := []tcol{
		{name: "VERSION", prio: 0}, {name: "TARGET", prio: 0},
		{name: "CELLS", right: true, prio: 1}, {name: "ERR", right: true, prio: 1},
		{name: "MEAN", right: true, prio: 3}, {name: "P50", right: true, prio: 8}, {name: "P95", right: true, prio: 4},
		{name: "TTFT", right: true, prio: 9}, {name: "TOK/S", right: true, prio: 6},
		{name: "IN", right: true, prio: 10}, {name: "OUT", right: true, prio: 7},
		{name: "COST", right: true, prio: 5}, {name: "CACHE", right: true, prio: 11},
	}
	if len(v.scorers) > 0 {
		cols = append(cols, tcol{name: "SCORE", right: true, prio: 2})
	}
	row := func(version, target string, s Summary) []string {
		cells := []string{version, target, fmtInt(s.Cells), fmtInt(s.Errors)}
		if s.Measured > 0 {
			cells = append(cells, fmtDur(s.MeanLatency), fmtDur(s.P50), fmtDur(s.P95))
		} else {
			cells = append(cells, "-", "-", "-")
		}
		cells = append(cells, dashIf(durOrDash(s.MeanTTFT)), dashIf(rateOrDash(s.TokPerSec)), fmtInt(s.TokensIn), fmtInt(s.TokensOut), tableCost(v.costText(s)), fmtInt(s.CacheHits))
		if len(v.scorers) > 0 {
			switch {
			case s.Scored > 0 && s.Scored < s.Cells:
				// The mean is over fewer results than CELLS: say how many.
				cells = append(cells, fmtScore(s.MeanScore)+" ("+fmtInt(s.Scored)+")")
			case s.Scored > 0:
				cells = append(cells, fmtScore(s.MeanScore))
			default:
				cells = append(cells, "-")
			}
		}
		return cells
	}
	rows := [][]string{}
	for _, s := range v.summaries() {
		rows = append(rows, row(oneLine(versionLabel(v.version(s.VersionID))), oneLine(s.Target), s))
	}
	if len(v.summaries()) > 1 {
		rows = append(rows, row("all", "", v.totals()))
	}
	shown := map[string]bool{}
	if len(rows) == 0 {
		b.WriteString("no results\n")
	} else {
		shown = writeTable(&b, cols, rows, width)
	}

	var measured []int
	for _, s := range v.summaries() {
		measured = append(measured, s.Measured)
	}
	if few := P95Few(measured...); few > 0 && shown["P95"] {
		note := "P95 " + strings.TrimPrefix(P95FewText(few), "p95 ")
		if shown["TTFT"] {
			// TTFT sits beside the percentiles but is a mean.
			note += "; TTFT is the mean time to first token"
		}
		b.WriteString(cut(note, width) + "\n")
	}
	if note := v.unpricedNote(); note != "" && len(rows) > 0 {
		b.WriteString(cut(oneLine(note), width) + "\n")
	}

	var errs, unfinished []string
	for _, res := range v.results {
		name := versionLabel(v.version(res.VersionID)) + " " + res.Target + " " + v.caseLabel(res.Case)
		if v.repeat > 1 {
			name += fmt.Sprintf(" #%d", res.Repeat+1)
		}
		switch {
		case !res.OK():
			errs = append(errs, oneLine(name)+": "+oneLine(res.Error))
		case res.FinishReason != "" && res.FinishReason != "stop":
			// An answer cut short (length), filtered (content_filter),
			// paused or ended for a tool: not the whole answer a reader
			// of the numbers above would assume.
			unfinished = append(unfinished, oneLine(name)+": "+oneLine(res.FinishReason))
		}
	}
	tableList(&b, "errors", errs, width)
	tableList(&b, "answers that did not end with stop (finish reason)", unfinished, width)
	_, err := io.WriteString(w, b.String())
	return err
}

// tableList writes a titled list of lines, at most maxTableErrors of them,
// each cut to width; nothing when lines is empty.
func tableList(b *strings.Builder, title string, lines []string, width int) {
	if len(lines) == 0 {
		return
	}
	b.WriteString("\n" + cut(title+":", width) + "\n")
	for i, l := range lines {
		if i == maxTableErrors {
			fmt.Fprintf(b, "  … and %d more\n", len(lines)-maxTableErrors)
			break
		}
		b.WriteString(cut("  "+l, width) + "\n")
	}
}

// tcol is a terminal table column; prio orders dropping when the table is
// too wide (the highest first; 0 is never dropped).
type tcol struct {
	name  string
	right bool
	prio  int
}

const colGap = 2

// writeTable writes rows under a header of cols, aligned, fitting width,
// and returns the names of the columns it kept.
func writeTable(b *strings.Builder, cols []tcol, rows [][]string, width int) (shown map[string]bool) {
	keep := make([]bool, len(cols))
	for i := range keep {
		keep[i] = true
	}
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = ansi.StringWidth(c.name)
		for _, r := range rows {
			widths[i] = max(widths[i], ansi.StringWidth(r[i]))
		}
	}
	total := func() int {
		n := 0
		for i := range cols {
			if keep[i] {
				n += widths[i] + colGap
			}
		}
		return n - colGap
	}
	// Drop columns, least important first, while too wide.
	order := make([]int, len(cols))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cols[b].prio - cols[a].prio })
	for _, i := range order {
		if width <= 0 || total() <= width || cols[i].prio == 0 {
			break
		}
		keep[i] = false
	}
	// Then narrow the name columns (0 and 1), the wider first.
	for width > 0 && total() > width {
		i := 0
		if widths[1] > widths[0] {
			i = 1
		}
		if widths[i] <= 4 {
			break
		}
		widths[i]--
	}
	line := func(cells []string) {
		var l strings.Builder
		first := true
		for i, c := range cols {
			if !keep[i] {
				continue
			}
			if !first {
				l.WriteString(strings.Repeat(" ", colGap))
			}
			first = false
			s := ansi.Truncate(cells[i], widths[i], "…")
			pad := strings.Repeat(" ", widths[i]-ansi.StringWidth(s))
			if c.right {
				l.WriteString(pad + s)
			} else {
				l.WriteString(s + pad)
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " ") + "\n")
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	line(names)
	for _, r := range rows {
		line(r)
	}
	shown = map[string]bool{}
	for i, c := range cols {
		shown[c.name] = keep[i]
	}
	return shown
}

// cut truncates s to width cells with "…"; width ≤ 0 means no limit.
func cut(s string, width int) string {
	if width <= 0 {
		return s
	}
	return ansi.Truncate(s, width, "…")
}

// oneLine sanitises s and folds its whitespace to single spaces.
func oneLine(s string) string { return textutil.OneLine(s) }

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return oneLine(s)
}

// dashIf turns the Markdown dash into the terminal's ASCII one.
func dashIf(s string) string {
	if s == "—" {
		return "-"
	}
	return s
}

// tableCost is a cost cell of the terminal table: "$0.0012", "≥ $0.0012"
// for a total missing some targets' cost, "-" when unknown.
func tableCost(text string) string {
	switch {
	case text == "":
		return "-"
	case strings.HasPrefix(text, "≥ "):
		return "≥$" + strings.TrimPrefix(text, "≥ ")
	}
	return "$" + text
}
