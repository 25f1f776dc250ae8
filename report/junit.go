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
// textutil.Sanitize (CI logs are read in terminals too), and WriteJUnit
// replaces the characters XML 1.0 cannot hold, so every output gives a
// well-formed document.
func JUnit(w io.Writer, r RunReport) error {
	v := newView(r)
	v.derive()
	doc := JUnitSuites{Name: "whet run " + junitName(r.Run.ID)}
	for _, rv := range v.versions {
		for _, target := range v.targets {
			doc.Suites = append(doc.Suites, v.junitSuite(rv, target))
		}
	}
	return WriteJUnit(w, doc)
}

// JUnitSuites is a JUnit XML document (<testsuites>), as WriteJUnit
// writes it: the run's report (JUnit) and whet drift's are built as one.
type JUnitSuites struct {
	Name   string
	Suites []JUnitSuite
}

// JUnitSuite is a <testsuite>. Timestamp is xs:dateTime without a zone
// (UTC); Properties are name, value pairs.
type JUnitSuite struct {
	Name, Timestamp string
	Properties      [][2]string
	Cases           []JUnitCase
}

// JUnitCase is a <testcase>. Outcome is "" (passed), "failure", "error" or
// "skipped", with its message, type and body (Type and Body may be empty);
// Output is its <system-out>, Seconds its time.
type JUnitCase struct {
	Name, Classname     string
	Seconds             float64
	Outcome             string
	Message, Type, Body string
	Output              string
}

// junitCounts are the count attributes of a suite or of the document:
// tests, failures, errors, skipped and time (the sum of the cases'),
// each with its leading space. The document's <testsuites> leaves out
// skipped: the JUnit schema Jenkins' xUnit plugin validates against
// (junit-10.xsd) refuses it there, and no CI system reads it (they count
// the test cases), while a <testsuite> may carry it.
func junitCounts(root bool, suites ...JUnitSuite) string {
	var tests, failures, errors, skipped int
	var seconds float64
	for _, s := range suites {
		for _, c := range s.Cases {
			tests++
			seconds += c.Seconds
			switch c.Outcome {
			case "failure":
				failures++
			case "error":
				errors++
			case "skipped":
				skipped++
			}
		}
	}
	if root {
		return fmt.Sprintf(` tests="%d" failures="%d" errors="%d" time="%s"`,
			tests, failures, errors, junitSeconds(seconds))
	}
	return fmt.Sprintf(` tests="%d" failures="%d" errors="%d" skipped="%d" time="%s"`,
		tests, failures, errors, skipped, junitSeconds(seconds))
}

// WriteJUnit writes doc as JUnit XML in the Ant/Surefire dialect CI
// systems read, its counts derived from its cases. Every name and text is
// escaped here: a character XML 1.0 cannot hold, even as a reference,
// becomes U+FFFD. Callers sanitise untrusted text (textutil) first.
func WriteJUnit(w io.Writer, doc JUnitSuites) error {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, "<testsuites name=\"%s\"%s>\n", xmlAttr(doc.Name), junitCounts(true, doc.Suites...))
	for _, s := range doc.Suites {
		fmt.Fprintf(&b, "  <testsuite name=\"%s\"%s", xmlAttr(s.Name), junitCounts(false, s))
		if s.Timestamp != "" {
			fmt.Fprintf(&b, " timestamp=\"%s\"", xmlAttr(s.Timestamp))
		}
		b.WriteString(">\n")
		if len(s.Properties) > 0 {
			b.WriteString("    <properties>\n")
			for _, p := range s.Properties {
				fmt.Fprintf(&b, "      <property name=\"%s\" value=\"%s\"/>\n", xmlAttr(p[0]), xmlAttr(p[1]))
			}
			b.WriteString("    </properties>\n")
		}
		for _, tc := range s.Cases {
			fmt.Fprintf(&b, "    <testcase name=\"%s\" classname=\"%s\" time=\"%s\"", xmlAttr(tc.Name), xmlAttr(tc.Classname), junitSeconds(tc.Seconds))
			if tc.Outcome == "" && tc.Output == "" {
				b.WriteString("/>\n")
				continue
			}
			b.WriteString(">\n")
			if tc.Outcome != "" {
				fmt.Fprintf(&b, "      <%s message=\"%s\"", tc.Outcome, xmlAttr(tc.Message))
				if tc.Type != "" {
					fmt.Fprintf(&b, " type=\"%s\"", xmlAttr(tc.Type))
				}
				if tc.Body == "" {
					b.WriteString("/>\n")
				} else {
					fmt.Fprintf(&b, ">%s</%s>\n", xmlText(tc.Body), tc.Outcome)
				}
			}
			if tc.Output != "" {
				fmt.Fprintf(&b, "      <system-out>%s</system-out>\n", xmlText(tc.Output))
			}
			b.WriteString("    </testcase>\n")
		}
		b.WriteString("  </testsuite>\n")
	}
	b.WriteString("</testsuites>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// junitSuite is one version × target: its properties and a test case per
// cell of the plan, those without a result skipped.
func (v *view) junitSuite(rv prompt.RunVersion, target string) JUnitSuite {
	s := JUnitSuite{Name: junitName(versionLabel(rv)) + " × " + junitName(target)}
	if !v.r.Run.Created.IsZero() {
		// The schema's xs:dateTime without a zone: UTC, as the run id's
		// timestamp is.
		s.Timestamp = v.r.Run.Created.UTC().Format("2006-01-02T15:04:05")
	}
	prop := func(k, val string) {
		if val != "" {
			s.Properties = append(s.Properties, [2]string{k, junitName(val)})
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
			tc := JUnitCase{Name: names[ci], Classname: s.Name}
			if v.repeat > 1 {
				tc.Name += fmt.Sprintf(" (repeat %d)", rep+1)
			}
			res, ok := v.cell(prompt.CellKey{VersionID: rv.VersionID, Target: target, Case: ci, Repeat: rep})
			switch {
			case !ok:
				tc.Outcome = "skipped"
				tc.Message = "not run: the run was interrupted; whet run --resume " + junitName(v.r.Run.ID) + " runs it"
				if v.r.Run.Status == prompt.RunRunning {
					tc.Message = "not run yet: the run is still running"
				}
			case !res.OK():
				msg := textutil.Sanitize(res.Error)
				tc.Outcome, tc.Message, tc.Type, tc.Body = "error", textutil.OneLine(msg), "call failed", msg
				if res.FinishReason != "" && res.FinishReason != "error" {
					tc.Type = junitName(res.FinishReason)
				}
			case v.r.Run.Suite != "" && len(v.latest[res.ID]) == 0:
				// A suite's run is graded once every cell has run: a cell
				// without a grade has not passed its checks.
				tc.Outcome = "skipped"
				switch v.r.Run.Status {
				case prompt.RunRunning:
					tc.Message = "not graded yet: the run is still running"
				case prompt.RunDone:
					tc.Message = "not graded: the suite recorded no grade for this cell"
				default:
					tc.Message = "not graded: the run stopped before its checks ran; whet run --resume " + junitName(v.r.Run.ID) + " finishes and grades it"
				}
			default:
				if msg, body, failed := v.junitFailure(res); failed {
					tc.Outcome, tc.Message, tc.Type, tc.Body = "failure", msg, "check", body
				}
			}
			if ok {
				tc.Seconds = res.Latency.Seconds()
				tc.Output = textutil.Sanitize(res.Output)
			}
			s.Cases = append(s.Cases, tc)
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
	for i, c := range v.cases {
		count[junitName(c.Title(i))]++
	}
	out := make([]string, len(v.cases))
	for i, c := range v.cases {
		l := junitName(c.Title(i))
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
