package eval

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/dlclark/regexp2"
)

// patternTimeout bounds one match of a pattern that only JavaScript's
// syntax reads: such a pattern backtracks, and one written badly can take
// exponential time on a long output.
var patternTimeout = 2 * time.Second

// pattern is a regex check's compiled pattern. promptfoo's regex check is
// JavaScript's `new RegExp(value).test(output)`; a pattern Go's RE2
// compiles is matched by it (in linear time, with the same meaning for the
// patterns both read), and one only JavaScript's syntax reads — lookahead
// and lookbehind, backreferences, named groups as `(?<name>…)` — by a
// backtracking engine in its ECMAScript mode, within patternTimeout.
type pattern struct {
	re *regexp.Regexp
	js *regexp2.Regexp
}

// compilePattern compiles s with RE2, else as JavaScript reads it. The
// error gives RE2's complaint, and JavaScript's when that differs.
func compilePattern(s string) (pattern, error) {
	re, err := regexp.Compile(s)
	if err == nil {
		return pattern{re: re}, nil
	}
	js, jsErr := regexp2.Compile(s, regexp2.ECMAScript)
	if jsErr != nil {
		return pattern{}, fmt.Errorf("%v (nor does JavaScript's syntax read it: %v)", err, jsErr)
	}
	js.MatchTimeout = patternTimeout
	return pattern{js: js}, nil
}

// match reports whether the pattern matches anywhere in out. An error is a
// match that ran out of time: no verdict.
func (p pattern) match(out string) (bool, error) {
	if p.re != nil {
		return p.re.MatchString(out), nil
	}
	if p.js == nil {
		return false, errors.New("regex: no pattern")
	}
	ok, err := p.js.MatchString(out)
	if err != nil {
		return false, fmt.Errorf("regex /%s/ gave up after %v on an output of %d characters (a pattern that backtracks this much needs rewriting)", p.js.String(), patternTimeout, len([]rune(out)))
	}
	return ok, nil
}
