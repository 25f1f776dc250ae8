package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"whet/prompt"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var t0 = time.Date(2025, 1, 2, 10, 0, 0, 0, time.UTC)

const (
	hash1 = "1f2e3d4c5b6a79880123456789abcdef0123456789abcdef0123456789abcdef"
	hash2 = "a9b8c7d6e5f40123456789abcdef0123456789abcdef0123456789abcdef0123"

	tOllama = "ollama:llama3.2"
	tOpenAI = "openai:gpt-4o-mini"
)

func ptr[T any](v T) *T { return &v }

// longOutput is more than foldChars characters and foldLines lines, with a
// four-backtick run and a line that would close a <details>.
func longOutput() string {
	var b strings.Builder
	b.WriteString("Here is a long answer.\n\n")
	for i := range 12 {
		b.WriteString("Line " + strings.Repeat("x", i+1) + " of a long | answer with <b>tags</b> & more text to pass the fold.\n")
	}
	b.WriteString("````\nnot a fence close\n````\n</details>\n## not a heading\nThe end.")
	return b.String()
}

// fixture is a run of 2 versions × 2 targets × 2 cases whose outputs carry
// every kind of trouble: pipes, newlines, backticks, HTML, ANSI escapes, a
// long output, an error, a cache hit, a superseded result and re-graded
// scores.
func fixture() RunReport {
	run := prompt.Run{
		ID:       "r-20250102-abc",
		Created:  t0,
		Finished: t0.Add(95 * time.Second),
		Status:   prompt.RunDone,
		Source:   "cli",
		Suite:    "smoke",
		Versions: []prompt.RunVersion{
			{VersionID: 11, Prompt: "summarize", Number: 1, Hash: hash1},
			{VersionID: 12, Prompt: "summarize", Number: 2, Hash: hash2},
		},
		Targets: []string{tOllama, tOpenAI},
		Cases: []prompt.Case{
			{Name: "pipes & <html>", Vars: map[string]string{"text": "a | b <i>x</i>", "lang": "en"}, Expected: "A | B"},
			{Description: "A long `document` to *summarise*: the summary keeps the dates, the names and the one number that matters, and leaves out the greetings, the repeated sentences and whatever the reader knows.", Vars: map[string]string{"text": strings.Repeat("Lorem ipsum dolor sit amet. ", 30)}},
		},
		Repeat: 1,
		Author: "ada",
		Note:   "compare v1 and v2",
	}
	const digest = "sha256:a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72"
	ok := func(id, v int64, target string, c int, out string, lat, ttft time.Duration, in, outTok int) prompt.Result {
		r := prompt.Result{
			ID: id, RunID: run.ID, VersionID: v, Target: target, Case: c,
			Output: out, FinishReason: "stop", Latency: lat, TTFT: ttft, TokensIn: in, TokensOut: outTok,
			Started: t0.Add(time.Duration(id) * time.Second),
		}
		if target == tOllama {
			r.Model, r.ModelDigest = "llama3.2:latest", digest
		} else {
			r.Model, r.ModelDigest, r.Cost = "gpt-4o-mini-2024-07-18", "fp_44709d6fcb", float64(in)*0.00000015+float64(outTok)*0.0000006
		}
		return r
	}
	results := []prompt.Result{
		ok(1, 11, tOllama, 0, "Hello | world\nsecond line", 800*time.Millisecond, 100*time.Millisecond, 20, 10),
		ok(2, 11, tOpenAI, 0, "```go\nfmt.Println(\"hi\")\n```\nuse `x`", 1200*time.Millisecond, 300*time.Millisecond, 22, 18),
		ok(3, 11, tOllama, 1, "<script>alert(1)</script> \x1b[31mred\x1b[0m \x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ done\a", 2500*time.Millisecond, 200*time.Millisecond, 400, 60),
		ok(4, 11, tOpenAI, 1, longOutput(), 4*time.Second, 500*time.Millisecond, 410, 300),
		ok(6, 12, tOpenAI, 0, "", 2*time.Second, 0, 0, 0),
		ok(7, 12, tOllama, 1, "# Heading?\n- item | pipe", 1500*time.Millisecond, 150*time.Millisecond, 380, 12),
		ok(8, 12, tOpenAI, 1, "stale output of a cancelled attempt", 300*time.Millisecond, 0, 0, 0),
		ok(9, 12, tOpenAI, 1, "1. first\n2. second", 900*time.Millisecond, 250*time.Millisecond, 390, 8),
	}
	hit := ok(5, 12, tOllama, 0, "Hello | world\nsecond line", 0, 0, 20, 10)
	hit.CacheHit = true
	results = append(results, hit)
	results[4].Error = "openai: 429 Too Many Requests\n<html>retry later</html>"
	results[4].FinishReason = "error"
	results[4].Cost = 0
	results[6].FinishReason = "cancelled"
	results[6].Error = "cancelled"

	scores := []prompt.Score{
		{ID: 1, ResultID: 1, Scorer: "check:contains", Value: 1, Pass: ptr(true), Created: t0},
		{ID: 2, ResultID: 2, Scorer: "check:contains", Value: 0, Pass: ptr(false), Reason: "missing \"A | B\"", Created: t0},
		{ID: 3, ResultID: 5, Scorer: "check:contains", Value: 1, Pass: ptr(true), Created: t0},
		{ID: 4, ResultID: 1, Scorer: "human", Value: 0.25, Author: "ada", Created: t0.Add(time.Minute)},
		{ID: 5, ResultID: 1, Scorer: "human", Value: 0.75, Author: "ada", Reason: "re-graded", Created: t0.Add(2 * time.Minute)},
		{ID: 6, ResultID: 9, Scorer: "judge:openai:gpt-4o", Value: 0.5, Reason: "lists | but <b>terse</b>", Created: t0},
		{ID: 7, ResultID: 999, Scorer: "human", Value: 1, Created: t0}, // not a result of this run
	}
	versions := map[int64]prompt.Version{
		11: {
			ID: 11, Prompt: "summarize", Number: 1, Hash: hash1, Note: "first | draft", Tags: []string{"production", "a|b"},
			Messages: []prompt.Message{
				{Role: prompt.RoleSystem, Content: "You summarise text in {{lang}}."},
				{Role: prompt.RoleUser, Content: "Summarise:\n```\n{{text}}\n```"},
			},
			Params:  prompt.Params{Temperature: ptr(0.0), MaxTokens: ptr(256)},
			Author:  "ada",
			Created: t0.Add(-time.Hour),
		},
		// 12 is missing on purpose: the map may lack entries.
	}
	return RunReport{Run: run, Results: results, Scores: scores, Versions: versions, Generated: t0.Add(time.Hour)}
}

// fixtureComparison compares the fixture's two versions on OpenAI.
func fixtureComparison() Comparison {
	r := fixture()
	a := SideOf(r, 11, tOpenAI)
	b := SideOf(r, 12, tOpenAI)
	diff := "--- summarize@1\n+++ summarize@2\n@@ -1 +1 @@\n-You summarise text in {{lang}}.\n+You summarise text in {{lang}}. Use ``` fences.\n"
	c := Compare(a, b, r.Run.Cases, diff, r.Generated)
	// As eval.CompareAB would give it for two decided cases, one each way.
	c.AB = &ABStats{Wins: 1, Losses: 1, WinRate: 0.5, Lo: 0.094531, Hi: 0.905469, P: 1,
		Sentence: "no significant difference: summarize@1 and summarize@2 each win 1 of 2 cases, p = 1"}
	return c
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test ./report -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./report -update and review the diff\n--- got ---\n%s", path, got)
	}
}

// render runs a renderer into a byte slice.
func render(t *testing.T, f func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
