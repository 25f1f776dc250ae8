package prompt

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// RunStatus is where a run stands.
type RunStatus string

// Run statuses.
const (
	RunRunning     RunStatus = "running"
	RunDone        RunStatus = "done"        // every cell finished (some may have failed)
	RunInterrupted RunStatus = "interrupted" // cancelled; finished cells kept, the rest can be resumed
)

// Case is one set of variable bindings a run feeds the prompt, with an
// optional expected output.
type Case struct {
	Name        string            `json:"name,omitempty"`
	Description string            `json:"description,omitempty"`
	Vars        map[string]string `json:"vars"`
	Expected    string            `json:"expected,omitempty"`
	// Checks are this case's own assertions, run after the suite's.
	Checks []Check `json:"checks,omitempty"`
	// Threshold is the weighted score this case must reach to pass.
	Threshold *float64 `json:"threshold,omitempty"`
}

// Label is the case's display name: its Name, else "case N" (1-based).
func (c Case) Label(index int) string {
	if c.Name != "" {
		return c.Name
	}
	return fmt.Sprintf("case %d", index+1)
}

// Title is the case as a report that lists results by case names it: its
// Label, and for a case without a name its description after it ("case 3:
// refund status", as promptfoo names a test "test 3: refund status"), so
// that the cases a promptfoo config imports (described, never named) are
// told apart in a CI system's list without opening the run.
// A title longer than TitleChars (promptfoo tests often have a
// description of a few hundred) has its description cut at a word
// boundary, ending in "…": a title is a heading or a CI test's name, not
// a paragraph; [Case.TitleHoldsDescription] says when a report must give
// the description whole below it.
func (c Case) Title(index int) string {
	if c.Name != "" || strings.TrimSpace(c.Description) == "" {
		return c.Label(index)
	}
	l := c.Label(index) + ": "
	d, _ := titleText(c.Description, TitleChars-utf8.RuneCountInString(l))
	return l + d
}

// TitleHoldsDescription reports whether Title(index) holds the case's
// whole description as written: its case has no name, and the
// description is one line, short enough not to be cut. A case without a
// description holds it too.
func (c Case) TitleHoldsDescription(index int) bool {
	d := strings.TrimSpace(c.Description)
	if d == "" {
		return true
	}
	return c.Name == "" && !strings.ContainsAny(d, "\r\n") && c.Title(index) == c.Label(index)+": "+strings.Join(strings.Fields(d), " ")
}

// TitleChars is the most characters a case's Title has when it cuts the
// description, "…" included (a name is never cut).
const TitleChars = 80

// titleText is description d on one line, cut to at most max characters
// (at least 40) at the last word boundary that fits, ending in "…" (a
// single word longer than half of that is cut inside); whole reports
// whether nothing was cut.
func titleText(d string, room int) (text string, whole bool) {
	room = max(room, 40)
	d = strings.Join(strings.Fields(d), " ")
	r := []rune(d)
	if len(r) <= room {
		return d, true
	}
	end := room - 1 // room for "…"
	if r[end] != ' ' {
		if sp := strings.LastIndex(string(r[:end]), " "); sp >= 0 && utf8.RuneCountInString(d[:sp]) >= room/2 {
			end = utf8.RuneCountInString(d[:sp])
		}
	}
	return strings.TrimRight(string(r[:end]), " ,;:-–—") + "…", false
}

// MergeVars is a case's variables for a run: layers in order, a later
// layer's value replacing an earlier one's (e.g. the prompt's sample
// values, then the case's, then values given for the whole run).
func MergeVars(layers ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, l := range layers {
		for k, v := range l {
			out[k] = v
		}
	}
	return out
}

// RunVersion is a version taking part in a run, as the run saw it.
type RunVersion struct {
	VersionID int64  `json:"version_id"`
	Prompt    string `json:"prompt"`
	Number    int    `json:"number"`
	Hash      string `json:"hash"`
}

// Ref is "prompt@number".
func (v RunVersion) Ref() string { return fmt.Sprintf("%s@%d", v.Prompt, v.Number) }

// Run is one execution of a plan: versions × targets × cases × repeats.
type Run struct {
	ID         string
	Created    time.Time
	Finished   time.Time // zero while running
	Status     RunStatus
	Source     string // "cli", "arena", "suite", "drift"
	Suite      string // suite name, when run from a suite
	Versions   []RunVersion
	Targets    []string
	Cases      []Case
	Repeat     int
	Author     string
	Note       string
	NoCache    bool
	ForceCache bool
}

// DriftNotePrefix begins the note of every run that checks another for
// drift, followed by that baseline's id (and ": " and the user's note, when
// one was given).
const DriftNotePrefix = "drift check of run "

// DriftBaseline is the id of the run r was checked against for drift, read
// from its note, or "" when r is not a drift check.
func (r Run) DriftBaseline() string {
	if r.Source != "drift" || !strings.HasPrefix(r.Note, DriftNotePrefix) {
		return ""
	}
	id := strings.TrimPrefix(r.Note, DriftNotePrefix)
	if i := strings.IndexAny(id, ": "); i >= 0 {
		id = id[:i]
	}
	return id
}

// Cells is the plan's size.
func (r Run) Cells() int { return r.CellsOf(len(r.Cases)) }

// CellsOf is the plan's size were it to have that many cases (a plan
// with none runs one case of the sample values).
func (r Run) CellsOf(cases int) int {
	rep := r.Repeat
	if rep < 1 {
		rep = 1
	}
	if cases == 0 {
		cases = 1
	}
	return len(r.Versions) * len(r.Targets) * cases * rep
}

// CellKey identifies one cell of a run's plan.
type CellKey struct {
	VersionID int64
	Target    string
	Case      int // index into Run.Cases
	Repeat    int // 0-based
}

// Result is what one cell produced. Results are never updated in place.
type Result struct {
	ID        int64
	RunID     string
	VersionID int64
	Target    string
	Case      int
	Repeat    int

	Output       string
	Error        string // empty on success
	FinishReason string // stop, length, content_filter, cancelled, error …
	TTFT         time.Duration
	Latency      time.Duration
	// GenTime is the time the model spent generating the output as the
	// provider measured it (Ollama's eval_duration); 0 when it gives none.
	GenTime   time.Duration
	TokensIn  int
	TokensOut int
	Cost      float64 // USD; 0 for local models or unknown prices
	CacheHit  bool
	// Model is the model as the provider resolved it (e.g. gpt-4o-mini-2024-07-18).
	Model string
	// ModelDigest is the provider's identity of the weights or serving stack:
	// the Ollama digest, OpenAI's system_fingerprint, …
	ModelDigest string
	Started     time.Time
}

// Key is the result's cell.
func (r Result) Key() CellKey {
	return CellKey{VersionID: r.VersionID, Target: r.Target, Case: r.Case, Repeat: r.Repeat}
}

// OK reports whether the cell completed without error.
func (r Result) OK() bool { return r.Error == "" }

// GenerationTime is the time the output took to generate: GenTime when the
// provider measured it, else latency less TTFT; 0 when unknown.
func (r Result) GenerationTime() time.Duration {
	if r.GenTime > 0 {
		return r.GenTime
	}
	if r.Latency > r.TTFT {
		return r.Latency - r.TTFT
	}
	return 0
}

// TokensPerSecond is output tokens over GenerationTime; 0 when unknown. A
// generation time under a millisecond is too short to measure a rate by
// (the output arrived in one piece, as echo's does, or a one-token answer):
// such a result has no rate rather than millions of tokens a second.
func (r Result) TokensPerSecond() float64 {
	gen := r.GenerationTime()
	if r.TokensOut == 0 || gen < time.Millisecond {
		return 0
	}
	return float64(r.TokensOut) / gen.Seconds()
}

// Score is a result's grade from one scorer. Scores are never updated in
// place; a new grade is a new row.
type Score struct {
	ID       int64
	ResultID int64
	Scorer   string  // check:contains, judge:openai:gpt-4o, human
	Value    float64 // in [0,1]
	Pass     *bool   // set where pass/fail applies
	Reason   string
	Author   string
	Created  time.Time
}
