package report

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"math"
	"slices"
	"time"

	"whet/prompt"
	"whet/textutil"
)

// RunSchema and CompareSchema name the JSON documents' formats; a change
// that removes or retypes a key gets a new version. See SCHEMA.md.
const (
	RunSchema     = "whet.run/v1"
	CompareSchema = "whet.compare/v1"
)

// JSON writes the run as one indented JSON document in the whet.run/v1
// schema (SCHEMA.md): snake_case keys, durations in milliseconds, times in
// RFC 3339, every key always present (null where a value is unknown). Text
// is kept exactly as recorded, every control character in it \u-escaped so
// the document is safe to print (see writeJSON). Results are ordered by
// version, target, case and repeat, one per cell.
func JSON(w io.Writer, r RunReport) error {
	v := newView(r)
	doc := jsonRunDoc{
		Schema:      RunSchema,
		GeneratedAt: jsonTime(r.Generated),
		Run:         v.jsonRun(),
		Summary:     []jsonSummary{},
		Totals:      v.jsonSum(prompt.RunVersion{}, "", v.totals()),
		Results:     []jsonResult{},
	}
	for _, s := range v.summaries() {
		doc.Summary = append(doc.Summary, v.jsonSum(v.version(s.VersionID), s.Target, s))
	}
	return writeRunJSON(w, doc, len(v.results), func(i int) jsonResult { return v.jsonResult(v.results[i]) })
}

// writeRunJSON is writeJSON of doc with the n results result gives as its
// Results, each encoded on its own: the document of a run of 80,000 cells
// (70 MB) was held several times over, as results, encoded, then indented.
// The bytes are the same, written in one write.
func writeRunJSON(w io.Writer, doc jsonRunDoc, n int, result func(int) jsonResult) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	doc.Results = []jsonResult{}
	if err := enc.Encode(doc); err != nil {
		return err
	}
	// Results is the document's last field: it ends `"results": []`.
	const empty = "[]\n}\n"
	head := b.Bytes()
	if n == 0 || !bytes.HasSuffix(head, []byte(empty)) {
		_, err := w.Write(textutil.EscapeControls(head))
		return err
	}
	out := bytes.NewBuffer(make([]byte, 0, len(head)+n*1024))
	out.Write(textutil.EscapeControls(head[:len(head)-len(empty)]))
	out.WriteString("[\n")
	var rb bytes.Buffer
	renc := json.NewEncoder(&rb)
	renc.SetIndent("    ", "  ")
	renc.SetEscapeHTML(false)
	for i := range n {
		rb.Reset()
		if err := renc.Encode(result(i)); err != nil {
			return err
		}
		if i > 0 {
			out.WriteString(",\n")
		}
		out.WriteString("    ")
		out.Write(textutil.EscapeControls(bytes.TrimSuffix(rb.Bytes(), []byte("\n"))))
	}
	out.WriteString("\n  ]\n}\n")
	_, err := w.Write(out.Bytes())
	return err
}

// WriteJSON is writeJSON, for JSON written outside this package.
func WriteJSON(w io.Writer, doc any) error { return writeJSON(w, doc) }

// writeJSON writes doc as indented JSON in one write. Besides what
// encoding/json escapes (C0 controls, U+2028, U+2029), it writes DEL, the C1
// controls and the bidirectional controls (see textutil.IsControl) as \u
// escapes: strings still decode to the text exactly as recorded, and the
// document holds nothing a terminal would act on when printed.
func writeJSON(w io.Writer, doc any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := w.Write(textutil.EscapeControls(b.Bytes()))
	return err
}

type jsonRunDoc struct {
	Schema      string        `json:"schema"`
	GeneratedAt *string       `json:"generated_at"`
	Run         jsonRun       `json:"run"`
	Summary     []jsonSummary `json:"summary"`
	Totals      jsonSummary   `json:"totals"`
	Results     []jsonResult  `json:"results"`
}

type jsonRun struct {
	ID           string        `json:"id"`
	Status       string        `json:"status"`
	Source       string        `json:"source"`
	Suite        string        `json:"suite"`
	Author       string        `json:"author"`
	Note         string        `json:"note"`
	CreatedAt    *string       `json:"created_at"`
	FinishedAt   *string       `json:"finished_at"`
	Repeat       int           `json:"repeat"`
	NoCache      bool          `json:"no_cache"`
	ForceCache   bool          `json:"force_cache"`
	CellsPlanned int           `json:"cells_planned"`
	Versions     []jsonVersion `json:"versions"`
	Targets      []jsonTarget  `json:"targets"`
	Cases        []jsonCase    `json:"cases"`
}

type jsonVersion struct {
	VersionID int64            `json:"version_id"`
	Prompt    string           `json:"prompt"`
	Number    int              `json:"number"`
	Ref       string           `json:"ref"`
	Hash      string           `json:"hash"`
	ShortHash string           `json:"short_hash"`
	Parent    *int             `json:"parent"`
	Note      *string          `json:"note"`
	Author    *string          `json:"author"`
	CreatedAt *string          `json:"created_at"`
	Messages  []prompt.Message `json:"messages"`
	Params    *prompt.Params   `json:"params"`
}

type jsonTarget struct {
	Target string      `json:"target"`
	Models []jsonModel `json:"models"`
}

type jsonModel struct {
	Model       string `json:"model"`
	ModelDigest string `json:"model_digest"`
}

type jsonCase struct {
	Index       int               `json:"index"`
	Name        string            `json:"name"`
	Label       string            `json:"label"`
	Description string            `json:"description"`
	Vars        map[string]string `json:"vars"`
	Expected    string            `json:"expected"`
}

type jsonSummary struct {
	VersionID     *int64   `json:"version_id"`
	Version       *string  `json:"version"`
	Target        *string  `json:"target"`
	Cells         int      `json:"cells"`
	Errors        int      `json:"errors"`
	CacheHits     int      `json:"cache_hits"`
	Measured      int      `json:"measured"`
	MeanLatencyMS *float64 `json:"mean_latency_ms"`
	P50LatencyMS  *float64 `json:"p50_latency_ms"`
	P95LatencyMS  *float64 `json:"p95_latency_ms"`
	MeanTTFTMS    *float64 `json:"mean_ttft_ms"`
	TokensIn      int      `json:"tokens_in"`
	TokensOut     int      `json:"tokens_out"`
	TokPerSec     *float64 `json:"tok_per_s"`
	CostUSD       float64  `json:"cost_usd"`
	Unpriced      bool     `json:"unpriced"`
	Scored        int      `json:"scored"`
	MeanScore     *float64 `json:"mean_score"`
	MeanScoreLo   *float64 `json:"mean_score_lo"`
	MeanScoreHi   *float64 `json:"mean_score_hi"`
	Passed        int      `json:"passed"`
	Failed        int      `json:"failed"`
	FailedCalls   int      `json:"failed_calls_graded"`
	PassRate      *float64 `json:"pass_rate"`
	PassRateLo    *float64 `json:"pass_rate_lo"`
	PassRateHi    *float64 `json:"pass_rate_hi"`
}

type jsonResult struct {
	ID           int64       `json:"id"`
	VersionID    int64       `json:"version_id"`
	Version      string      `json:"version"`
	Target       string      `json:"target"`
	Case         int         `json:"case"`
	CaseName     string      `json:"case_name"`
	Repeat       int         `json:"repeat"`
	Output       string      `json:"output"`
	Error        string      `json:"error"`
	FinishReason string      `json:"finish_reason"`
	TTFTMS       *float64    `json:"ttft_ms"`
	LatencyMS    float64     `json:"latency_ms"`
	GenMS        *float64    `json:"gen_ms"`
	TokensIn     int         `json:"tokens_in"`
	TokensOut    int         `json:"tokens_out"`
	TokPerSec    *float64    `json:"tok_per_s"`
	CostUSD      float64     `json:"cost_usd"`
	CacheHit     bool        `json:"cache_hit"`
	Model        string      `json:"model"`
	ModelDigest  string      `json:"model_digest"`
	StartedAt    *string     `json:"started_at"`
	Score        *float64    `json:"score"`
	Scores       []jsonScore `json:"scores"`
}

type jsonScore struct {
	ID        int64   `json:"id"`
	Scorer    string  `json:"scorer"`
	Value     float64 `json:"value"`
	Pass      *bool   `json:"pass"`
	Reason    string  `json:"reason"`
	Author    string  `json:"author"`
	CreatedAt *string `json:"created_at"`
	Latest    bool    `json:"latest"`
}

func (v *view) jsonRun() jsonRun {
	run := v.r.Run
	out := jsonRun{
		ID: run.ID, Status: string(run.Status), Source: run.Source, Suite: run.Suite,
		Author: run.Author, Note: run.Note,
		CreatedAt: jsonTime(run.Created), FinishedAt: jsonTime(run.Finished),
		Repeat: v.repeat, NoCache: run.NoCache, ForceCache: run.ForceCache,
		CellsPlanned: v.planned(),
		Versions:     []jsonVersion{}, Targets: []jsonTarget{}, Cases: []jsonCase{},
	}
	for _, rv := range v.versions {
		jv := jsonVersion{
			VersionID: rv.VersionID, Prompt: rv.Prompt, Number: rv.Number, Ref: versionLabel(rv),
			Hash: rv.Hash, ShortHash: prompt.ShortHash(rv.Hash),
		}
		if ver, ok := v.r.Versions[rv.VersionID]; ok {
			if jv.Hash == "" {
				jv.Hash, jv.ShortHash = ver.Hash, prompt.ShortHash(ver.Hash)
			}
			parent, note, author := ver.Parent, ver.Note, ver.Author
			params := ver.Params
			jv.Parent, jv.Note, jv.Author = &parent, &note, &author
			jv.CreatedAt = jsonTime(ver.Created)
			jv.Messages = ver.Messages
			if jv.Messages == nil {
				jv.Messages = []prompt.Message{}
			}
			jv.Params = &params
		}
		out.Versions = append(out.Versions, jv)
	}
	for _, t := range v.targets {
		jt := jsonTarget{Target: t, Models: []jsonModel{}}
		for _, id := range v.identities(t) {
			jt.Models = append(jt.Models, jsonModel{id.model, id.digest})
		}
		out.Targets = append(out.Targets, jt)
	}
	for i, c := range v.cases {
		vars := c.Vars
		if vars == nil {
			vars = map[string]string{}
		}
		out.Cases = append(out.Cases, jsonCase{
			Index: i, Name: c.Name, Label: c.Label(i), Description: c.Description, Vars: vars, Expected: c.Expected,
		})
	}
	return out
}

// jsonSum is jsonSum marking a summary whose cost misses calls of
// targets without a known price.
func (v *view) jsonSum(rv prompt.RunVersion, target string, s Summary) jsonSummary {
	out := jsonSum(rv, target, s)
	out.Unpriced = v.costPartial(s)
	return out
}

// jsonSum converts a summary; version and target are null for totals
// (an empty target).
func jsonSum(rv prompt.RunVersion, target string, s Summary) jsonSummary {
	out := jsonSummary{
		Cells: s.Cells, Errors: s.Errors, CacheHits: s.CacheHits, Measured: s.Measured,
		MeanTTFTMS: msOrNil(s.MeanTTFT), TokensIn: s.TokensIn, TokensOut: s.TokensOut,
		TokPerSec: floatOrNil(s.TokPerSec, 3), CostUSD: RoundCost(s.Cost),
		Scored: s.Scored, Passed: s.Passed, Failed: s.Failed, FailedCalls: s.FailedGraded,
	}
	if target != "" {
		id, label := rv.VersionID, versionLabel(rv)
		out.VersionID, out.Version, out.Target = &id, &label, &target
	}
	if s.Measured > 0 {
		out.MeanLatencyMS, out.P50LatencyMS, out.P95LatencyMS = ms(s.MeanLatency), ms(s.P50), ms(s.P95)
	}
	if s.Scored > 0 {
		out.MeanScore = roundOrNil(s.MeanScore)
		out.MeanScoreLo, out.MeanScoreHi = roundOrNil(s.ScoreLo), roundOrNil(s.ScoreHi)
	}
	if rate, ok := s.PassRate(); ok {
		out.PassRate = roundOrNil(rate)
		out.PassRateLo, out.PassRateHi = roundOrNil(s.PassLo), roundOrNil(s.PassHi)
	}
	return out
}

// roundOrNil is f to 6 decimals; nil for NaN (unknown).
func roundOrNil(f float64) *float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	r := roundTo(f, 6)
	return &r
}

func (v *view) jsonResult(res prompt.Result) jsonResult {
	return newJSONResult(res, versionLabel(v.version(res.VersionID)), v.caseLabel(res.Case), v.r.Scores, v.latest)
}

// newJSONResult converts a result; scores may hold other results' scores,
// latest is LatestScores of them.
func newJSONResult(res prompt.Result, version, caseName string, scores []prompt.Score, latest map[int64]map[string]prompt.Score) jsonResult {
	out := jsonResult{
		ID: res.ID, VersionID: res.VersionID, Version: version,
		Target: res.Target, Case: res.Case, CaseName: caseName, Repeat: res.Repeat,
		Output: res.Output, Error: res.Error, FinishReason: res.FinishReason,
		TTFTMS: msOrNil(res.TTFT), LatencyMS: *ms(res.Latency), GenMS: msOrNil(res.GenTime),
		TokensIn: res.TokensIn, TokensOut: res.TokensOut, TokPerSec: floatOrNil(res.TokensPerSecond(), 3),
		CostUSD: RoundCost(res.Cost), CacheHit: res.CacheHit, Model: res.Model, ModelDigest: res.ModelDigest,
		StartedAt: jsonTime(res.Started), Scores: []jsonScore{},
	}
	if res.ID != 0 {
		if s, ok := ResultScore(latest[res.ID]); ok {
			s = roundTo(s, 6)
			out.Score = &s
		}
		for _, sc := range sortedScores(scores, res.ID) {
			out.Scores = append(out.Scores, jsonScore{
				ID: sc.ID, Scorer: sc.Scorer, Value: roundTo(sc.Value, 6), Pass: sc.Pass, Reason: sc.Reason, Author: sc.Author,
				CreatedAt: jsonTime(sc.Created), Latest: latest[res.ID][sc.Scorer] == sc,
			})
		}
	}
	return out
}

// jsonTime renders t in RFC 3339 with its fractional seconds; nil when zero.
func jsonTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.Format(time.RFC3339Nano)
	return &s
}

// ms is d in milliseconds, to the microsecond.
func ms(d time.Duration) *float64 {
	f := roundTo(float64(d)/float64(time.Millisecond), 3)
	return &f
}

// msOrNil is ms, or nil for an unknown (zero) duration.
func msOrNil(d time.Duration) *float64 {
	if d <= 0 {
		return nil
	}
	return ms(d)
}

// floatOrNil rounds f; nil for zero (unknown), NaN or infinity.
func floatOrNil(f float64, decimals int) *float64 {
	if f == 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	r := roundTo(f, decimals)
	return &r
}

// sortedScores returns every score of one result, oldest first (by Created,
// then ID).
func sortedScores(scores []prompt.Score, resultID int64) []prompt.Score {
	var out []prompt.Score
	for _, sc := range scores {
		if sc.ResultID == resultID {
			out = append(out, sc)
		}
	}
	slices.SortStableFunc(out, func(a, b prompt.Score) int {
		return cmp.Or(a.Created.Compare(b.Created), cmp.Compare(a.ID, b.ID))
	})
	return out
}
