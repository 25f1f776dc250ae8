package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"whet/prompt"
)

func fp(v float64) *float64 { return &v }

// sampleSuite has suite-level and per-case checks, thresholds at both
// levels, a case without vars and values of every JSON shape.
func sampleSuite() prompt.Suite {
	return prompt.Suite{
		Name:        "reply-quality",
		Description: "Replies are polite and on topic",
		Prompt:      "Support/Reply", // other case than stored: resolved to the prompt's name
		Threshold:   fp(0.8),
		Checks: []prompt.Check{
			{Type: "not-contains", Value: "As an AI"},
			{Type: "latency", Threshold: fp(2000)},
		},
		Cases: []prompt.Case{
			{
				Name: "refund", Description: "asks for money back",
				Vars:     map[string]string{"customer": "Bo", "ticket": "I want a refund"},
				Expected: "refund",
				Checks: []prompt.Check{
					{Type: "icontains", Value: "refund"},
					{Type: "llm-rubric", Value: "Polite and offers a next step", Weight: 2, Metric: "tone", Provider: "openai:gpt-4o-mini"},
					{Type: "icontains-any", Value: []string{"sorry", "apolog"}},
					{Type: "is-json", Value: map[string]any{"type": "object", "required": []any{"reply"}}},
					{Type: "word-count", Value: 50},
				},
				Threshold: fp(0.5),
			},
			{Vars: nil},
			{Name: "late", Vars: map[string]string{"customer": "Ana", "ticket": "Where is my order?"}},
		},
	}
}

// wantStored is sampleSuite as the store gives it back: the prompt's own
// spelling, JSON-shaped values, non-nil vars.
func wantStored(got prompt.Suite) prompt.Suite {
	w := sampleSuite()
	w.ID, w.Created, w.Updated = got.ID, got.Created, got.Updated
	w.Prompt = "support/reply"
	w.Cases[0].Checks[2].Value = []any{"sorry", "apolog"}
	w.Cases[0].Checks[4].Value = float64(50)
	w.Cases[1].Vars = map[string]string{}
	return w
}

func TestSuiteCreateGetRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	mustCreate(t, s, "support/reply", "Hello {{customer}}: {{ticket}}")

	got, err := s.CreateSuite(ctx, sampleSuite(), "ann")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID == 0 || got.Created.IsZero() || !got.Updated.Equal(got.Created) {
		t.Errorf("id/times not set: id %d created %v updated %v", got.ID, got.Created, got.Updated)
	}
	if want := wantStored(got); !reflect.DeepEqual(got, want) {
		t.Errorf("CreateSuite returned\n%+v\nwant\n%+v", got, want)
	}
	for _, name := range []string{"reply-quality", "REPLY-Quality", " reply-quality "} {
		again, err := s.GetSuite(ctx, name)
		if err != nil {
			t.Fatalf("GetSuite(%q): %v", name, err)
		}
		if !reflect.DeepEqual(again, got) {
			t.Errorf("GetSuite(%q) =\n%+v\nwant what CreateSuite returned\n%+v", name, again, got)
		}
	}

	audit, err := s.Audit(ctx, "support/reply", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 2 {
		t.Fatalf("audit of support/reply: %d rows, want create + suite: %+v", len(audit), audit)
	}
	a := audit[0]
	if a.Action != ActionSuite || a.Who != "ann" || a.Prompt != "support/reply" || a.Before != "" ||
		a.After != "suite reply-quality: 3 cases, 7 checks" || a.Detail != "created" {
		t.Errorf("audit row = %+v", a)
	}
}

func TestSuiteSharedWithoutPrompt(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	su := prompt.Suite{Name: "smoke", Cases: []prompt.Case{{Vars: map[string]string{"q": "hi"}}}}
	got, err := s.CreateSuite(ctx, su, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if got.Prompt != "" || got.Threshold != nil || got.Checks != nil || got.Cases[0].Checks != nil || got.Cases[0].Threshold != nil {
		t.Errorf("shared suite came back with extras: %+v", got)
	}
	audit, err := s.Audit(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(audit) != 1 || audit[0].Action != ActionSuite || audit[0].Prompt != "" || audit[0].After != "suite smoke: 1 case, 0 checks" {
		t.Errorf("audit = %+v", audit)
	}
}

func TestSuiteCreateRefuses(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	mustCreate(t, s, "support/reply", "hi")
	if _, err := s.CreateSuite(ctx, prompt.Suite{Name: "Reply-Quality"}, "ann"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		su   prompt.Suite
		is   error
		want string
	}{
		{"same name other case", prompt.Suite{Name: "reply-quality"}, ErrExists, `suite "reply-quality" already exists as "Reply-Quality" (names ignore case)`},
		{"same name", prompt.Suite{Name: "Reply-Quality"}, ErrExists, `suite "Reply-Quality" already exists`},
		{"bad name", prompt.Suite{Name: "no spaces please"}, nil, `invalid suite name "no spaces please"`},
		{"empty name", prompt.Suite{}, nil, `invalid suite name ""`},
		{"unknown prompt", prompt.Suite{Name: "x", Prompt: "support/rply"}, ErrNotFound, `no prompt named "support/rply" (did you mean "support/reply"?)`},
		{"suite threshold", prompt.Suite{Name: "x", Threshold: fp(1.5)}, nil, `suite "x": threshold 1.5 is outside 0..1`},
		{"case threshold", prompt.Suite{Name: "x", Cases: []prompt.Case{{}, {Name: "b", Threshold: fp(-0.1)}}}, nil, `suite "x": b: threshold -0.1 is outside 0..1`},
		{"check without type", prompt.Suite{Name: "x", Checks: []prompt.Check{{Type: "contains"}, {Type: " "}}}, nil, `suite "x": check 2: no type`},
		{"negative weight", prompt.Suite{Name: "x", Cases: []prompt.Case{{Checks: []prompt.Check{{Type: "contains", Weight: -1}}}}}, nil, `suite "x": case 1: check 1: contains: weight -1`},
		{"value not JSON", prompt.Suite{Name: "x", Checks: []prompt.Check{{Type: "equals", Value: func() {}}}}, nil, `suite "x": check 1: equals: value cannot be stored`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreateSuite(ctx, tc.su, "ann")
			if err == nil {
				t.Fatal("accepted")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not wrap %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
	list, err := s.ListSuites(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Errorf("refused suites were stored: %+v", list)
	}
}

func TestSuiteNotFoundSuggests(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	if _, err := s.CreateSuite(ctx, prompt.Suite{Name: "reply-quality"}, ""); err != nil {
		t.Fatal(err)
	}
	_, err := s.GetSuite(ctx, "reply-qualty")
	var nf *NotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, ErrNotFound) {
		t.Fatalf("error %v is not a *NotFoundError", err)
	}
	if nf.Kind != "suite" || nf.Name != "reply-qualty" || nf.Suggestion != "reply-quality" {
		t.Errorf("NotFoundError = %+v", nf)
	}
	if want := `no suite "reply-qualty" (did you mean "reply-quality"?)`; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	_, err = s.ReplaceSuite(ctx, prompt.Suite{Name: "nothing-like-it"}, "")
	if !errors.As(err, &nf) || nf.Kind != "suite" || nf.Suggestion != "" {
		t.Errorf("ReplaceSuite of an unknown suite: %v", err)
	}
}

func TestSuiteReplace(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	mustCreate(t, s, "support/reply", "hi")
	mustCreate(t, s, "support/triage", "hi")
	first, err := s.CreateSuite(ctx, sampleSuite(), "ann")
	if err != nil {
		t.Fatal(err)
	}

	// Identical content (as the store holds it): nothing written.
	same := sampleSuite()
	got, err := s.ReplaceSuite(ctx, same, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, first) {
		t.Errorf("unchanged replace returned\n%+v\nwant\n%+v", got, first)
	}
	audit, _ := s.Audit(ctx, "", 0)
	if len(audit) != 3 {
		t.Fatalf("an unchanged replace wrote audit rows: %+v", audit)
	}

	next := prompt.Suite{
		Name:        "Reply-Quality",
		Description: "moved to triage",
		Prompt:      "support/triage",
		Checks:      []prompt.Check{{Type: "is-json"}},
		Cases: []prompt.Case{
			{Name: "only", Vars: map[string]string{"ticket": "x"}, Checks: []prompt.Check{{Type: "equals", Value: "y"}}},
		},
	}
	got, err = s.ReplaceSuite(ctx, next, "bob")
	if err != nil {
		t.Fatal(err)
	}
	want := next
	want.ID, want.Created, want.Updated = first.ID, first.Created, got.Updated
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReplaceSuite returned\n%+v\nwant\n%+v", got, want)
	}
	if got.Updated.Before(first.Updated) {
		t.Errorf("updated went back: %v < %v", got.Updated, first.Updated)
	}
	again, err := s.GetSuite(ctx, "reply-quality")
	if err != nil || !reflect.DeepEqual(again, got) {
		t.Errorf("GetSuite after replace = %+v, %v", again, err)
	}
	// No rows of the old cases or checks are left behind.
	var cases, checks int
	if err := s.r.QueryRow(`SELECT (SELECT COUNT(*) FROM suite_cases), (SELECT COUNT(*) FROM checks)`).Scan(&cases, &checks); err != nil {
		t.Fatal(err)
	}
	if cases != 1 || checks != 2 {
		t.Errorf("after replace: %d case rows, %d check rows; want 1 and 2", cases, checks)
	}

	audit, err = s.Audit(ctx, "support/triage", 0)
	if err != nil {
		t.Fatal(err)
	}
	a := audit[0]
	if a.Action != ActionSuite || a.Who != "bob" || a.Before != "suite reply-quality: 3 cases, 7 checks" ||
		a.After != "suite Reply-Quality: 1 case, 2 checks" || a.Detail != "replaced" {
		t.Errorf("audit row = %+v", a)
	}

	// Detached from its prompt: the row goes to the prompt it left.
	next.Prompt = ""
	if _, err := s.ReplaceSuite(ctx, next, "cy"); err != nil {
		t.Fatal(err)
	}
	audit, _ = s.Audit(ctx, "support/triage", 1)
	if len(audit) != 1 || audit[0].Who != "cy" || audit[0].Action != ActionSuite {
		t.Errorf("detaching was not audited on the prompt it left: %+v", audit)
	}

	// A failed replace changes nothing.
	bad := next
	bad.Checks = []prompt.Check{{Type: ""}}
	if _, err := s.ReplaceSuite(ctx, bad, "cy"); err == nil {
		t.Fatal("replace with an invalid check accepted")
	}
	bad = next
	bad.Prompt = "no-such-prompt"
	if _, err := s.ReplaceSuite(ctx, bad, "cy"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("replace with an unknown prompt: %v", err)
	}
	if after, _ := s.GetSuite(ctx, "reply-quality"); after.Prompt != "" || len(after.Cases) != 1 {
		t.Errorf("failed replaces changed the suite: %+v", after)
	}
}

func TestListSuites(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	mustCreate(t, s, "support/reply", "hi")
	mustCreate(t, s, "summary", "hi")
	for _, su := range []prompt.Suite{
		sampleSuite(),
		{Name: "Alpha", Prompt: "summary", Description: "first", Cases: []prompt.Case{{}, {Expected: "Paris"}}},
		{Name: "gamma", Cases: []prompt.Case{{Expected: "x", Checks: []prompt.Check{{Type: "is-json"}}}, {Expected: "y"}}},
		{Name: "beta", Checks: []prompt.Check{{Type: "is-json"}}},
	} {
		if _, err := s.CreateSuite(ctx, su, "ann"); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.ListSuites(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ss := range all {
		if ss.Updated.IsZero() {
			t.Errorf("%s: no updated time", ss.Name)
		}
		got = append(got, strings.Join([]string{ss.Name, ss.Description, ss.Prompt, strconv.Itoa(ss.Cases), strconv.Itoa(ss.Checks), strconv.Itoa(ss.Graded)}, "|"))
	}
	want := []string{
		"Alpha|first|summary|2|0|1",
		"beta|||0|1|0",
		"gamma|||2|1|1",
		"reply-quality|Replies are polite and on topic|support/reply|3|7|0",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ListSuites(\"\") =\n%v\nwant\n%v", got, want)
	}

	byPrompt, err := s.ListSuites(ctx, "SUMMARY")
	if err != nil || len(byPrompt) != 1 || byPrompt[0].Name != "Alpha" {
		t.Errorf("ListSuites(SUMMARY) = %+v, %v", byPrompt, err)
	}
	none, err := s.ListSuites(ctx, "support/reply")
	if err != nil || len(none) != 1 || none[0].Name != "reply-quality" {
		t.Errorf("ListSuites(support/reply) = %+v, %v", none, err)
	}
	if _, err := s.ListSuites(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ListSuites(unknown prompt): %v", err)
	}
}

// A database written by schema 1 (suites without thresholds) migrates and
// its suites read back with no threshold.
func TestSuitesMigrateFromSchema1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(ms[0].sql); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`PRAGMA user_version = 1;
		INSERT INTO suites (id, name, description, created, updated) VALUES (1, 'legacy', 'from v1', 1000, 2000);
		INSERT INTO suite_cases (id, suite_id, position, name, vars, expected) VALUES (7, 1, 0, 'a', '{"x":"1"}', 'one');
		INSERT INTO checks (suite_id, case_id, position, type, config) VALUES (1, 7, 0, 'equals', '{"value":"one"}');
		INSERT INTO checks (suite_id, case_id, position, type, config) VALUES (1, NULL, 0, 'is-json', '{}');`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.GetSuite(ctx, "legacy")
	if err != nil {
		t.Fatal(err)
	}
	want := prompt.Suite{
		ID: 1, Name: "legacy", Description: "from v1", Created: fromMS(1000), Updated: fromMS(2000),
		Checks: []prompt.Check{{Type: "is-json"}},
		Cases:  []prompt.Case{{Name: "a", Vars: map[string]string{"x": "1"}, Expected: "one", Checks: []prompt.Check{{Type: "equals", Value: "one"}}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("migrated suite =\n%+v\nwant\n%+v", got, want)
	}
	if _, err := s.ReplaceSuite(ctx, prompt.Suite{Name: "legacy", Threshold: fp(0.7)}, "ann"); err != nil {
		t.Fatalf("replacing a migrated suite: %v", err)
	}
	if got, _ := s.GetSuite(ctx, "legacy"); got.Threshold == nil || *got.Threshold != 0.7 {
		t.Errorf("threshold after migration: %v", got.Threshold)
	}
}

func TestSuiteRename(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	mustCreate(t, s, "support/reply", "hi")
	first, err := s.CreateSuite(ctx, sampleSuite(), "ann")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateSuite(ctx, prompt.Suite{Name: "other"}, "ann"); err != nil {
		t.Fatal(err)
	}

	got, err := s.RenameSuite(ctx, "REPLY-quality", " reply/v2 ", "bob")
	if err != nil {
		t.Fatal(err)
	}
	want := wantStored(first)
	want.Name, want.Updated = "reply/v2", got.Updated
	if !reflect.DeepEqual(got, want) {
		t.Errorf("RenameSuite returned\n%+v\nwant\n%+v", got, want)
	}
	if _, err := s.GetSuite(ctx, "reply-quality"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the old name still resolves: %v", err)
	}
	audit, err := s.Audit(ctx, "support/reply", 1)
	if err != nil {
		t.Fatal(err)
	}
	if a := audit[0]; a.Action != ActionSuite || a.Who != "bob" || a.Detail != "renamed" ||
		a.Before != "suite reply-quality: 3 cases, 7 checks" || a.After != "suite reply/v2: 3 cases, 7 checks" {
		t.Errorf("audit row = %+v", a)
	}

	// A change of case alone is a rename; the same name is no change.
	if got, err := s.RenameSuite(ctx, "reply/v2", "Reply/V2", "bob"); err != nil || got.Name != "Reply/V2" {
		t.Errorf("case-only rename = %q, %v", got.Name, err)
	}
	n := len(mustAudit(t, s))
	if _, err := s.RenameSuite(ctx, "reply/v2", "Reply/V2", "bob"); err != nil {
		t.Fatal(err)
	}
	if len(mustAudit(t, s)) != n {
		t.Error("renaming a suite to its own name wrote an audit row")
	}

	// Refusals change nothing.
	for _, tc := range []struct{ from, to, want string }{
		{"reply/v2", "OTHER", `suite "OTHER" already exists as "other"`},
		{"reply/v2", "bad name!", `invalid suite name "bad name!"`},
		{"nope", "x", `suite "nope"`},
	} {
		_, err := s.RenameSuite(ctx, tc.from, tc.to, "bob")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("RenameSuite(%q, %q) = %v, want an error containing %q", tc.from, tc.to, err, tc.want)
		}
	}
	if _, err := s.RenameSuite(ctx, "reply/v2", "other", "bob"); !errors.Is(err, ErrExists) {
		t.Errorf("rename onto another suite: %v, want ErrExists", err)
	}
	if got, err := s.GetSuite(ctx, "reply/v2"); err != nil || got.Name != "Reply/V2" || len(got.Cases) != 3 {
		t.Errorf("after refused renames: %+v, %v", got.Name, err)
	}
}

func TestSuiteDelete(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	mustCreate(t, s, "support/reply", "hi")
	first, err := s.CreateSuite(ctx, sampleSuite(), "ann")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateSuite(ctx, prompt.Suite{Name: "keep", Cases: []prompt.Case{{Name: "k"}}, Checks: []prompt.Check{{Type: "is-json"}}}, "ann"); err != nil {
		t.Fatal(err)
	}

	got, err := s.DeleteSuite(ctx, "Reply-Quality", "bob")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, first) {
		t.Errorf("DeleteSuite returned\n%+v\nwant\n%+v", got, first)
	}
	if _, err := s.GetSuite(ctx, "reply-quality"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted suite still resolves: %v", err)
	}
	// Its cases and checks are gone; the other suite's are not.
	var cases, checks int
	if err := s.r.QueryRow(`SELECT (SELECT COUNT(*) FROM suite_cases), (SELECT COUNT(*) FROM checks)`).Scan(&cases, &checks); err != nil {
		t.Fatal(err)
	}
	if cases != 1 || checks != 1 {
		t.Errorf("after delete: %d case rows, %d check rows; want 1 and 1", cases, checks)
	}
	audit, err := s.Audit(ctx, "support/reply", 1)
	if err != nil {
		t.Fatal(err)
	}
	if a := audit[0]; a.Action != ActionSuite || a.Who != "bob" || a.Detail != "deleted" ||
		a.Before != "suite reply-quality: 3 cases, 7 checks" || a.After != "" {
		t.Errorf("audit row = %+v", a)
	}
	if _, err := s.DeleteSuite(ctx, "reply-quality", "bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice: %v, want ErrNotFound", err)
	}
	// The name is free again.
	if _, err := s.CreateSuite(ctx, prompt.Suite{Name: "reply-quality"}, "ann"); err != nil {
		t.Errorf("re-creating a deleted suite: %v", err)
	}
}

func mustAudit(t *testing.T, s *Store) []AuditEntry {
	t.Helper()
	a, err := s.Audit(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
