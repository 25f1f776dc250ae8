package prompt

import "time"

// Check is one assertion on an output, with promptfoo's names and meaning:
// Type is "contains", "icontains-any", "is-json", "llm-rubric", … and may be
// negated with a "not-" prefix. Value's shape depends on the type (a string,
// a list of strings, a number, a JSON Schema object, a rubric). Weight
// (default 1) weighs the check in the case's score; Threshold is the
// check's own pass mark where a type grades on a scale (similar, levenshtein,
// llm-rubric); Metric names a score to aggregate under.
type Check struct {
	Type      string   `json:"type" yaml:"type"`
	Value     any      `json:"value,omitempty" yaml:"value,omitempty"`
	Weight    float64  `json:"weight,omitempty" yaml:"weight,omitempty"`
	Threshold *float64 `json:"threshold,omitempty" yaml:"threshold,omitempty"`
	Metric    string   `json:"metric,omitempty" yaml:"metric,omitempty"`
	// Provider overrides the judge or embedding target for this check.
	Provider string `json:"provider,omitempty" yaml:"provider,omitempty"`
}

// Suite is a named, ordered set of cases with checks, attached to a prompt
// (Prompt set) or shared.
type Suite struct {
	ID          int64
	Name        string
	Description string
	Prompt      string // the prompt it belongs to; "" = shared
	Cases       []Case
	// Checks apply to every case (promptfoo's defaultTest asserts).
	Checks []Check
	// Threshold is the score a case must reach to pass (default: every check
	// passes and the weighted mean is at least this; nil = 1 check-wise only).
	Threshold *float64
	Created   time.Time
	Updated   time.Time
}

// CheckCount is the number of the suite's checks: its own and its cases'.
func (s Suite) CheckCount() int {
	n := len(s.Checks)
	for _, c := range s.Cases {
		n += len(c.Checks)
	}
	return n
}
