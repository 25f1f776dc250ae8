package report

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"whet/prompt"
	"whet/textutil"
)

// csvColumns are the fixed leading columns of CSV, in order.
var csvColumns = []string{
	"run_id", "prompt", "version", "hash", "target", "model", "model_digest",
	"case", "case_name", "repeat", "vars", "output", "error", "finish_reason",
	"ttft_ms", "latency_ms", "tokens_in", "tokens_out", "tok_s", "cost_usd", "cache_hit",
}

// CSV writes one RFC 4180 row per cell (encoding/csv) under a header row:
// run_id, prompt, version, hash, target, model, model_digest, case,
// case_name, repeat, vars, output, error, finish_reason, ttft_ms,
// latency_ms, tokens_in, tokens_out, tok_s, cost_usd, cache_hit; then, for
// each scorer in the report (sorted), a "score:<scorer>" column with the
// latest grade and, when that scorer gives pass/fail verdicts, a
// "pass:<scorer>" column holding true, false or nothing. Rows are ordered by version, target,
// case and repeat. case and repeat are 0-based indexes; case_name is the
// case's label; vars is a JSON object; version is the version number and
// hash the full content hash; durations are milliseconds and unknown values
// (a TTFT or tok/s of 0) are empty. Every text cell passes through
// textutil.Sanitize, since CSV is read in terminals and spreadsheets: the
// model and finish reason come from the server, names and variables from
// files the user may not have written. vars is JSON with every control
// character \u-escaped, so its values are kept exactly.
func CSV(w io.Writer, r RunReport) error {
	v := newView(r)
	passCol := map[string]bool{}
	for _, byScorer := range v.latest {
		for _, sc := range byScorer {
			if sc.Pass != nil {
				passCol[sc.Scorer] = true
			}
		}
	}
	header := append([]string(nil), csvColumns...)
	for _, s := range v.scorers {
		header = append(header, "score:"+textutil.Sanitize(s))
		if passCol[s] {
			header = append(header, "pass:"+textutil.Sanitize(s))
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	// A case's vars and label are the same on every row of that case.
	caseVars := make([]string, len(v.cases))
	caseLabels := make([]string, len(v.cases))
	row := make([]string, 0, len(header))
	for _, res := range v.results {
		rv := v.version(res.VersionID)
		vars, label := "{}", v.caseLabel(res.Case)
		if c := res.Case; c >= 0 && c < len(v.cases) {
			if caseLabels[c] == "" {
				caseVars[c], caseLabels[c] = varsJSON(v.cases[c].Vars), label
			}
			vars = caseVars[c]
		}
		row = append(row[:0],
			textutil.Sanitize(v.r.Run.ID), textutil.Sanitize(rv.Prompt), strconv.Itoa(rv.Number), textutil.Sanitize(rv.Hash),
			textutil.Sanitize(res.Target), textutil.Sanitize(res.Model), textutil.Sanitize(res.ModelDigest),
			strconv.Itoa(res.Case), textutil.Sanitize(label), strconv.Itoa(res.Repeat), vars,
			textutil.Sanitize(res.Output), textutil.Sanitize(res.Error), textutil.Sanitize(res.FinishReason),
			msCell(res.TTFT, false), msCell(res.Latency, true),
			strconv.Itoa(res.TokensIn), strconv.Itoa(res.TokensOut), floatCell(res.TokensPerSecond(), 3),
			strconv.FormatFloat(RoundCost(res.Cost), 'f', -1, 64), strconv.FormatBool(res.CacheHit),
		)
		var latest map[string]prompt.Score
		if res.ID != 0 {
			latest = v.latest[res.ID]
		}
		for _, s := range v.scorers {
			sc, ok := latest[s]
			if ok {
				row = append(row, strconv.FormatFloat(sc.Value, 'f', -1, 64))
			} else {
				row = append(row, "")
			}
			if passCol[s] {
				if ok && sc.Pass != nil {
					row = append(row, strconv.FormatBool(*sc.Pass))
				} else {
					row = append(row, "")
				}
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// varsJSON renders variables as a JSON object with sorted keys, HTML
// characters unescaped and every control character \u-escaped.
func varsJSON(vars map[string]string) string {
	if vars == nil {
		vars = map[string]string{}
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(vars); err != nil { // a map of strings always encodes
		return "{}"
	}
	return string(textutil.EscapeControls([]byte(strings.TrimSuffix(b.String(), "\n"))))
}

// msCell renders d in milliseconds to the microsecond; a zero duration is
// empty unless zeroOK.
func msCell(d time.Duration, zeroOK bool) string {
	if d <= 0 && !zeroOK {
		return ""
	}
	return strconv.FormatFloat(*ms(d), 'f', -1, 64)
}

// floatCell renders f rounded; zero (unknown) is empty.
func floatCell(f float64, decimals int) string {
	if p := floatOrNil(f, decimals); p != nil {
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	return ""
}
