package report

import (
	"cmp"
	"fmt"
	"io"
	"strconv"
	"strings"

	"whet/prompt"
	"whet/textutil"
)

// JUnit writes the run as a JUnit XML report, the test report CI systems
// read natively (GitLab's artifacts:reports:junit, Jenkins' junit step,
// Azure Pipelines, GitHub Actions through a test-report action): one
// <testsuite> per version × target, one <testcase> per cell (case and
// repeat), in the run's order.
//
// A cell's outcome is what the gate counts: a call that failed is an
// <error> (its message the provider's error), a cell whose verdict is
// fail (ResultVerdict: a person's pass or fail first, else the suite's) a
// <failure> listing each failing grade and its reason, a cell the run did
// not reach (interrupted, or still running) <skipped>, as is a cell of a
// suite's run that has no grade yet (the suite grades a run once all its
// cells ran). A cell with no verdict (a run without checks) passes when
// its call completed. The
// output is the test case's <system-out>; time is the call's latency in
// seconds.
//
// Model output and error text are untrusted: they pass through
// textutil.Sanitize (CI logs are read in terminals too), and characters
// XML 1.0 cannot hold are replaced by U+FFFD by encoding/xml, so every
// output gives a well-formed document.
func JUnit(w io.Writer, r RunReport) error {
	v := newView(r)
	v.derive()
	var suites []junitSuite
	var total junitSuite
	for _, rv := range v.versions {
		for _, target := range v.targets {
			s := v.junitSuite(rv, target)
			total.tests += s.tests
			total.failures += s.failures
			total.errors += s.errors
			total.skipped += s.skipped
			total.seconds += s.seconds
			suites = append(suites, s)
		}
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, "<testsuites name=\"%s\"%s>\n", xmlAttr("whet run "+junitName(r.Run.ID)), total.counts())
	for _, s := range suites {
		fmt.Fprintf(&b, "  <testsuite name=\"%s\"%s", xmlAttr(s.name), s.counts())
		if s.timestamp != "" {
			fmt.Fprintf(&b, " timestamp=\"%s\"", s.timestamp)
		}
		b.WriteString(">\n")
		if len(s.properties) > 0 {
			b.WriteString("    <properties>\n")
			for _, p := range s.properties {
				fmt.Fprintf(&b, "      <property name=\"%s\" value=\"%s\"/>\n", xmlAttr(p[0]), xmlAttr(p[1]))
			}
			b.WriteString("    </properties>\n")
		}
		for _, tc := range s.cases {
			fmt.Fprintf(&b, "    <testcase name=\"%s\" classname=\"%s\" time=\"%s\"", xmlAttr(tc.name), xmlAttr(s.name), junitSeconds(tc.seconds))
			if tc.outcome == "" && tc.output == "" {
				b.WriteString("/>\n")
				continue
			}
			b.WriteString(">\n")
			if tc.outcome != "" {
				fmt.Fprintf(&b, "      <%s message=\"%s\"", tc.outcome, xmlAttr(tc.message))
				if tc.kind != "" {
					fmt.Fprintf(&b, " type=\"%s\"", xmlAttr(tc.kind))
				}
				if tc.body == "" {
					b.WriteString("/>\n")
				} else {
					fmt.Fprintf(&b, ">%s</%s>\n", xmlText(tc.body), tc.outcome)
				}
			}
			if tc.output != "" {
				fmt.Fprintf(&b, "      <system-out>%s</system-out>\n", xmlText(tc.output))
			}
			b.WriteString("    </testcase>\n")
		}
		b.WriteString("  </testsuite>\n")
	}
	b.WriteString("</testsuites>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// junitSuite is a <testsuite>: one version × target.
type junitSuite struct {
	name, timestamp                  string
	properties                       [][2]string
	cases                            []junitCase
	tests, failures, errors, skipped int
	seconds                          float64
}

// counts are the suite's count attributes, each with its leading space.
func (s junitSuite) counts() string {
	return fmt.Sprintf(` tests="%d" failures="%d" errors="%d" skipped="%d" time="%s"`,
		s.tests, s.failures, s.errors, s.skipped, junitSeconds(s.seconds))
}

// junitCase is a <testcase>: one cell. outcome is "" (passed), "failure",
// "error" or "skipped", with its message, type and body.
type junitCase struct {
	name                         string
	seconds                      float64
	outcome, message, kind, body string
	output                       string
}

// junitSuite is one version × target: its properties and a test case per
// cell of the plan, those without a result skipped.
func (v *view) junitSuite(rv prompt.RunVersion, target string) junitSuite {
	s := junitSuite{name: junitName(versionLabel(rv)) + " × " + junitName(target)}
	if !v.r.Run.Created.IsZero() {
		// The schema's xs:dateTime without a zone: UTC, as the run id's
		// timestamp is.
		s.timestamp = v.r.Run.Created.UTC().Format("2006-01-02T15:04:05")
	}
	prop := func(k, val string) {
		if val != "" {
			s.properties = append(s.properties, [2]string{k, junitName(val)})
		}
	}
	prop("run", v.r.Run.ID)
	prop("prompt", versionLabel(rv))
	prop("hash", rv.Hash)
	prop("target", target)
	for _, id := range v.identities(target) {
		model := id.model
		if id.digest != "" {
			model = strings.TrimSpace(model + " " + ShortDigest(id.digest))
		}
		prop("model", model)
	}
	prop("suite", v.r.Run.Suite)
	prop("status", string(v.r.Run.Status))

	names := v.junitCaseNames()
	for ci := range v.cases {
		for rep := 0; rep < v.repeat; rep++ {
			tc := junitCase{name: names[ci]}
			if v.repeat > 1 {
				tc.name += fmt.Sprintf(" (repeat %d)", rep+1)
			}
			s.tests++
			res, ok := v.cell(prompt.CellKey{VersionID: rv.VersionID, Target: target, Case: ci, Repeat: rep})
			switch {
			case !ok:
				tc.outcome = "skipped"
				tc.message = "not run: the run was interrupted; whet run --resume " + junitName(v.r.Run.ID) + " runs it"
				if v.r.Run.Status == prompt.RunRunning {
					tc.message = "not run yet: the run is still running"
				}
				s.skipped++
			case !res.OK():
				msg := textutil.Sanitize(res.Error)
				tc.outcome, tc.message, tc.kind, tc.body = "error", textutil.OneLine(msg), "call failed", msg
				if res.FinishReason != "" && res.FinishReason != "error" {
					tc.kind = junitName(res.FinishReason)
				}
				s.errors++
			case v.r.Run.Suite != "" && len(v.latest[res.ID]) == 0:
				// A suite's run is graded once every cell has run: a cell
				// without a grade has not passed its checks.
				tc.outcome = "skipped"
				switch v.r.Run.Status {
				case prompt.RunRunning:
					tc.message = "not graded yet: the run is still running"
				case prompt.RunDone:
					tc.message = "not graded: the suite recorded no grade for this cell"
				default:
					tc.message = "not graded: the run stopped before its checks ran; whet run --resume " + junitName(v.r.Run.ID) + " finishes and grades it"
				}
				s.skipped++
			default:
				if msg, body, failed := v.junitFailure(res); failed {
					tc.outcome, tc.message, tc.kind, tc.body = "failure", msg, "check", body
					s.failures++
				}
			}
			if ok {
				tc.seconds = res.Latency.Seconds()
				tc.output = textutil.Sanitize(res.Output)
				s.seconds += tc.seconds
			}
			s.cases = append(s.cases, tc)
		}
	}
	return s
}

// junitFailure says why a completed result fails: its message (the
// person's rating when theirs decided it, else the suite's reason, else
// the first failing grade) and a body listing every failing grade with its
// reason. failed is false when the result passes or has no verdict.
func (v *view) junitFailure(res prompt.Result) (msg, body string, failed bool) {
	byScorer := v.latest[res.ID]
	if pass, ok := ResultVerdict(byScorer); !ok || pass {
		return "", "", false
	}
	line := func(sc prompt.Score) string {
		l := textutil.OneLine(sc.Scorer) + " " + fmtScore(sc.Value)
		if sc.Reason != "" {
			l += ": " + textutil.OneLine(sc.Reason)
		}
		return l
	}
	var lines []string
	for _, sc := range v.scoresOf(res) {
		if sc.Scorer != ScorerHuman && sc.Scorer != ScorerSuite && sc.Pass != nil && !*sc.Pass {
			lines = append(lines, line(sc))
		}
	}
	if h, ok := byScorer[ScorerHuman]; ok && h.Pass != nil {
		msg = "rated fail by " + cmp.Or(textutil.OneLine(h.Author), "a person")
		if h.Reason != "" {
			msg += ": " + textutil.OneLine(h.Reason)
		}
	} else if sc, ok := byScorer[ScorerSuite]; ok {
		msg = cmp.Or(textutil.OneLine(sc.Reason), line(sc)) // "1/2 checks passed; score 0.5. Failed: …"
	} else if len(lines) > 0 {
		msg = lines[0]
	} else {
		msg = "failed"
	}
	return msg, strings.Join(lines, "\n"), true
}

// junitCaseNames are the cases' labels, each made unique: CI systems key
// a test by its name, so two cases both named "refund" would read as one.
func (v *view) junitCaseNames() []string {
	count := map[string]int{}
	for i := range v.cases {
		count[junitName(v.caseLabel(i))]++
	}
	out := make([]string, len(v.cases))
	for i := range v.cases {
		l := junitName(v.caseLabel(i))
		if count[l] > 1 {
			l += fmt.Sprintf(" (case %d)", i+1)
		}
		out[i] = l
	}
	return out
}

// junitSeconds is a duration in seconds as JUnit readers parse it.
func junitSeconds(s float64) string {
	return strconv.FormatFloat(s, 'f', 3, 64)
}

// xmlText escapes s as XML character data: &, < and > as entities, a
// carriage return as a reference (a parser would fold it into the line
// end), and every character XML 1.0 cannot hold, even as a reference
// (NUL and the other C0 controls, lone surrogates, U+FFFE, U+FFFF), as
// U+FFFD.
func xmlText(s string) string { return xmlEscape(s, false) }

// xmlAttr escapes s for an attribute value in double quotes: as xmlText,
// and the quote, tab and line ends as references, which attribute-value
// normalisation would otherwise turn into spaces.
func xmlAttr(s string) string { return xmlEscape(s, true) }

func xmlEscape(s string, attr bool) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\r':
			b.WriteString("&#13;")
		case attr && r == '"':
			b.WriteString("&quot;")
		case attr && r == '\n':
			b.WriteString("&#10;")
		case attr && r == '\t':
			b.WriteString("&#9;")
		case r == '\t' || r == '\n' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF:
			b.WriteRune(r)
		default:
			b.WriteRune('\uFFFD')
		}
	}
	return b.String()
}

// junitName is a name from a file or server on one line with no control
// sequences.
func junitName(s string) string { return textutil.OneLine(s) }
