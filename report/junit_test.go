package report

import (
	"bytes"
	"encoding/xml"
	"os/exec"
	"strings"
	"testing"
	"time"

	"whet/prompt"
)

// junitDoc is the JUnit XML a CI system reads, parsed back.
type junitDoc struct {
	XMLName xml.Name `xml:"testsuites"`
	junitAttrs
	Suites []struct {
		junitAttrs
		Timestamp  string `xml:"timestamp,attr"`
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []junitTestCase `xml:"testcase"`
	} `xml:"testsuite"`
}

// junitAttrs are the attributes <testsuites> and <testsuite> share.
type junitAttrs struct {
	Name     string `xml:"name,attr"`
	Tests    int    `xml:"tests,attr"`
	Failures int    `xml:"failures,attr"`
	Errors   int    `xml:"errors,attr"`
	Skipped  int    `xml:"skipped,attr"`
	Time     string `xml:"time,attr"`
}

type junitTestCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitOutcome `xml:"failure"`
	Error     *junitOutcome `xml:"error"`
	Skipped   *junitOutcome `xml:"skipped"`
	SystemOut string        `xml:"system-out"`
}

type junitOutcome struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

// parseJUnit renders r and parses it with a strict XML decoder, which
// refuses a document that is not well-formed (characters XML cannot hold
// included).
func parseJUnit(t *testing.T, r RunReport) (junitDoc, []byte) {
	t.Helper()
	out := render(t, func(b *bytes.Buffer) error { return JUnit(b, r) })
	var doc junitDoc
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("the JUnit report is not well-formed XML: %v\n%s", err, out)
	}
	return doc, out
}

// skipped is the number of skipped cases, as the suites count them (the
// document's <testsuites> does not carry the attribute).
func (d junitDoc) skipped() int {
	n := 0
	for _, s := range d.Suites {
		n += s.Skipped
	}
	return n
}

// TestJUnitRootAttributesAreThoseJenkinsAccepts: Jenkins' xUnit plugin
// validates a JUnit report against its junit-10.xsd, whose <testsuites>
// allows name, time, tests, failures, disabled and errors only (skipped
// belongs on <testsuite>); a report with skipped there is refused.
func TestJUnitRootAttributesAreThoseJenkinsAccepts(t *testing.T) {
	r := fixture()
	r.Run.Status = prompt.RunInterrupted
	r.Run.Repeat = 2
	_, out := parseJUnit(t, r)
	dec := xml.NewDecoder(bytes.NewReader(out))
	allowed := map[string]bool{"name": true, "time": true, "tests": true, "failures": true, "disabled": true, "errors": true}
	for {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("no <testsuites>: %v", err)
		}
		if el, ok := tok.(xml.StartElement); ok {
			if el.Name.Local != "testsuites" {
				t.Fatalf("root is <%s>, want <testsuites>", el.Name.Local)
			}
			for _, a := range el.Attr {
				if !allowed[a.Name.Local] {
					t.Errorf("<testsuites %s=%q>: junit-10.xsd refuses the attribute", a.Name.Local, a.Value)
				}
			}
			return
		}
	}
}

func (d junitDoc) testcase(t *testing.T, suite, name string) junitTestCase {
	t.Helper()
	for _, s := range d.Suites {
		if s.Name != suite {
			continue
		}
		for _, c := range s.Cases {
			if c.Name == name {
				return c
			}
		}
	}
	t.Fatalf("no test case %q in suite %q", name, suite)
	return junitTestCase{}
}

func TestJUnitGolden(t *testing.T) {
	_, out := parseJUnit(t, fixture())
	golden(t, "junit.xml", out)
}

func TestJUnitOutcomes(t *testing.T) {
	doc, out := parseJUnit(t, fixture())
	if doc.Name != "whet run r-20250102-abc" || doc.Tests != 8 || doc.Failures != 1 || doc.Errors != 1 || doc.skipped() != 3 {
		t.Errorf("totals = %q tests %d failures %d errors %d skipped %d, want the run's 8 cells, 1 failing check, 1 failed call, 3 ungraded",
			doc.Name, doc.Tests, doc.Failures, doc.Errors, doc.skipped())
	}
	var names []string
	for _, s := range doc.Suites {
		names = append(names, s.Name)
		if s.Tests != 2 || len(s.Cases) != 2 {
			t.Errorf("suite %s: %d tests, %d cases, want 2", s.Name, s.Tests, len(s.Cases))
		}
		if s.Timestamp != "2025-01-02T10:00:00" {
			t.Errorf("suite %s timestamp %q", s.Name, s.Timestamp)
		}
	}
	want := "summarize@1 × ollama:llama3.2|summarize@1 × openai:gpt-4o-mini|summarize@2 × ollama:llama3.2|summarize@2 × openai:gpt-4o-mini"
	if got := strings.Join(names, "|"); got != want {
		t.Errorf("suites = %s, want one per version × target in the run's order: %s", got, want)
	}

	// Result 2 failed its check: a <failure> saying which and why.
	c := doc.testcase(t, "summarize@1 × openai:gpt-4o-mini", "pipes & <html>")
	if c.Failure == nil || c.Failure.Type != "check" || c.Failure.Message != `check:contains 0.00: missing "A | B"` {
		t.Errorf("failing check: %+v", c.Failure)
	}
	if c.Time != "1.200" || !strings.Contains(c.SystemOut, "use `x`") || c.Classname != "summarize@1 × openai:gpt-4o-mini" {
		t.Errorf("test case = %+v", c)
	}
	// Result 6's call failed: an <error> with the provider's message, not a <failure>.
	c = doc.testcase(t, "summarize@2 × openai:gpt-4o-mini", "pipes & <html>")
	if c.Error == nil || c.Failure != nil || c.Error.Type != "call failed" ||
		c.Error.Message != "openai: 429 Too Many Requests <html>retry later</html>" || c.Error.Body != "openai: 429 Too Many Requests\n<html>retry later</html>" {
		t.Errorf("failed call: %+v", c)
	}
	// Result 1 passed its check; a 1–5 rating carries no verdict.
	if c := doc.testcase(t, "summarize@1 × ollama:llama3.2", "pipes & <html>"); c.Failure != nil || c.Error != nil || c.Skipped != nil {
		t.Errorf("passing cell: %+v", c)
	}
	// Result 3's output is sanitised: no escape sequence reaches a CI log.
	// Its case has no name: its description follows its number, as
	// promptfoo names a test "test 2: DESCRIPTION".
	// The suite's run has no grade for it: it has not passed its checks.
	c = doc.testcase(t, "summarize@1 × ollama:llama3.2", caseTwo)
	if c.Skipped == nil || c.Skipped.Message != "not graded: the suite recorded no grade for this cell" {
		t.Errorf("ungraded cell of a suite's run: %+v", c.Skipped)
	}
	if strings.ContainsAny(c.SystemOut, "\x1b\a") || !strings.Contains(c.SystemOut, "<script>alert(1)</script>") {
		t.Errorf("system-out = %q", c.SystemOut)
	}
	// The superseded attempt (result 8) is not reported; the re-run (9) is.
	// Its judge's grade gives no verdict: it passes.
	c = doc.testcase(t, "summarize@2 × openai:gpt-4o-mini", caseTwo)
	if c.Error != nil || c.Skipped != nil || c.Failure != nil || c.SystemOut != "1. first\n2. second" {
		t.Errorf("re-run cell: %+v", c)
	}
	if bytes.Contains(out, []byte("stale output")) {
		t.Error("the report holds a superseded result")
	}
}

func TestJUnitInterruptedRunSkipsMissingCells(t *testing.T) {
	r := fixture()
	r.Run.Status = prompt.RunInterrupted
	r.Run.Repeat = 2 // every cell's second repeat was never run
	doc, _ := parseJUnit(t, r)
	if doc.Tests != 16 || doc.skipped() != 11 {
		t.Fatalf("tests %d skipped %d, want 16 and 8 not run + 3 not graded", doc.Tests, doc.skipped())
	}
	c := doc.testcase(t, "summarize@1 × ollama:llama3.2", caseTwo+" (repeat 2)")
	if c.Skipped == nil || c.Skipped.Message != "not run: the run was interrupted; whet run --resume r-20250102-abc runs it" || c.Time != "0.000" {
		t.Errorf("missing cell: %+v", c)
	}
	if c := doc.testcase(t, "summarize@1 × ollama:llama3.2", "pipes & <html> (repeat 1)"); c.Skipped != nil {
		t.Errorf("a graded cell that ran is skipped: %+v", c)
	}
	c = doc.testcase(t, "summarize@1 × ollama:llama3.2", caseTwo+" (repeat 1)")
	if c.Skipped == nil || c.Skipped.Message != "not graded: the run stopped before its checks ran; whet run --resume r-20250102-abc finishes and grades it" {
		t.Errorf("a cell that ran but was not graded: %+v", c.Skipped)
	}
	// Without a suite, a completed cell with no grade passes.
	r.Run.Suite = ""
	doc, _ = parseJUnit(t, r)
	if c := doc.testcase(t, "summarize@1 × ollama:llama3.2", caseTwo+" (repeat 1)"); c.Skipped != nil || c.Failure != nil {
		t.Errorf("a completed cell of a run without checks: %+v", c)
	}
}

func TestJUnitPersonOverridesSuite(t *testing.T) {
	at := t0.Add(time.Hour)
	r := RunReport{
		Run: prompt.Run{ID: "r1", Created: t0, Status: prompt.RunDone, Suite: "s", Repeat: 1,
			Versions: []prompt.RunVersion{{VersionID: 1, Prompt: "p", Number: 1}},
			Targets:  []string{"echo"},
			Cases:    []prompt.Case{{Name: "same"}, {Name: "same"}, {Name: "other"}}},
		Results: []prompt.Result{
			{ID: 1, VersionID: 1, Target: "echo", Case: 0, Output: "a", Latency: time.Second},
			{ID: 2, VersionID: 1, Target: "echo", Case: 1, Output: "b"},
			{ID: 3, VersionID: 1, Target: "echo", Case: 2, Output: "c"},
		},
		Scores: []prompt.Score{
			// The suite passed case 1; a person failed it.
			{ID: 1, ResultID: 1, Scorer: ScorerSuite, Value: 1, Pass: ptr(true), Created: t0},
			{ID: 2, ResultID: 1, Scorer: ScorerHuman, Value: 0, Pass: ptr(false), Author: "ana", Reason: "wrong\ntone", Created: at},
			// The suite failed case 2; a person passed it.
			{ID: 3, ResultID: 2, Scorer: ScorerSuite, Value: 0, Pass: ptr(false), Reason: "0/1 checks passed", Created: t0},
			{ID: 4, ResultID: 2, Scorer: "check:equals", Value: 0, Pass: ptr(false), Reason: "not b", Created: t0},
			{ID: 5, ResultID: 2, Scorer: ScorerHuman, Value: 1, Pass: ptr(true), Created: at},
			// The suite failed case 3 on two checks.
			{ID: 6, ResultID: 3, Scorer: ScorerSuite, Value: 0, Pass: ptr(false), Reason: "0/2 checks passed", Created: t0},
			{ID: 7, ResultID: 3, Scorer: "check:contains", Value: 0, Pass: ptr(false), Reason: "no x", Created: t0},
			{ID: 8, ResultID: 3, Scorer: "check:regex", Value: 0, Pass: ptr(false), Reason: "no match", Created: t0},
		},
	}
	doc, _ := parseJUnit(t, r)
	if doc.Failures != 2 {
		t.Errorf("failures = %d, want 2 (case 1 by the person, case 3 by the suite)", doc.Failures)
	}
	c := doc.testcase(t, "p@1 × echo", "same (case 1)")
	if c.Failure == nil || c.Failure.Message != "rated fail by ana: wrong tone" {
		t.Errorf("a person's fail: %+v", c.Failure)
	}
	if c := doc.testcase(t, "p@1 × echo", "same (case 2)"); c.Failure != nil {
		t.Errorf("a person's pass is overridden: %+v", c.Failure)
	}
	c = doc.testcase(t, "p@1 × echo", "other")
	if c.Failure == nil || c.Failure.Message != "0/2 checks passed" ||
		c.Failure.Body != "check:contains 0.00: no x\ncheck:regex 0.00: no match" {
		t.Errorf("suite failure: %+v", c.Failure)
	}
}

func TestJUnitHostileText(t *testing.T) {
	hostile := "nul\x00 esc\x1b[2J bell\a ]]> <!-- --> </system-out> \"q\" 'a' &amp; \r\n\ufffe\uffff end"
	r := RunReport{
		Run: prompt.Run{ID: "r\"<&>", Created: t0, Status: prompt.RunDone, Repeat: 1,
			Versions: []prompt.RunVersion{{VersionID: 1, Prompt: "p\x1b]0;x\a", Number: 1}},
			Targets:  []string{"t\"<"},
			Cases:    []prompt.Case{{Name: hostile}}},
		Results: []prompt.Result{
			{ID: 1, VersionID: 1, Target: "t\"<", Case: 0, Output: hostile},
		},
	}
	doc, out := parseJUnit(t, r)
	c := doc.Suites[0].Cases[0]
	for _, s := range []string{c.Name, c.SystemOut, doc.Name, doc.Suites[0].Name} {
		if strings.ContainsAny(s, "\x00\x1b\a\ufffe\uffff") {
			t.Errorf("control or non-XML character kept: %q", s)
		}
	}
	if !strings.Contains(c.SystemOut, `]]> <!-- --> </system-out> "q" 'a' &amp; `+"\n") { // Sanitize folds CR LF
		t.Errorf("system-out lost text: %q", c.SystemOut)
	}
	if doc.Name != `whet run r"<&>` {
		t.Errorf("name = %q", doc.Name)
	}
	// An independent parser agrees, when the machine has one.
	if py, err := exec.LookPath("python3"); err == nil {
		cmd := exec.Command(py, "-c", "import sys, xml.dom.minidom as m; m.parseString(sys.stdin.buffer.read())")
		cmd.Stdin = bytes.NewReader(out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("python's expat refuses the report: %v\n%s", err, msg)
		}
	}
}

// caseTwo is the fixture's second case in a JUnit report: no name, and a
// description cut at a word boundary (prompt.Case.Title).
const caseTwo = "case 2: A long `document` to *summarise*: the summary keeps the dates, the…"
