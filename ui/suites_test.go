package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"whet/prompt"
	"whet/store"
)

// suitesTimeStore reports every suite as updated two hours before testNow.
type suitesTimeStore struct{ fixedTimeStore }

func (s suitesTimeStore) ListSuites(ctx context.Context, p string) ([]store.SuiteSummary, error) {
	list, err := s.Store.ListSuites(ctx, p)
	for i := range list {
		list[i].Updated = testNow.Add(-2 * time.Hour)
	}
	return list, err
}

// seedSuite stores a suite of support/reply with three cases.
func seedSuite(t testing.TB, st *store.Store) {
	t.Helper()
	_, err := st.CreateSuite(context.Background(), prompt.Suite{
		Name: "reply-quality", Prompt: "support/reply", Description: "Kind replies, no refund promises",
		Checks: []prompt.Check{{Type: "not-icontains", Value: "refund"}},
		Cases: []prompt.Case{
			{Name: "late", Vars: map[string]string{"customer": "Ana", "ticket": "My order never arrived."}, Expected: "We are sorry",
				Checks: []prompt.Check{{Type: "icontains", Value: "sorry"}}},
			{Name: "angry", Vars: map[string]string{"customer": "Bo", "ticket": "Third time!\x1b[31m"},
				Checks: []prompt.Check{{Type: "icontains-any", Value: []any{"apolog", "sorry"}}, {Type: "word-count", Value: map[string]any{"max": 80.0}}}},
			{Vars: map[string]string{"customer": "Cy", "ticket": "Where is my parcel?"}},
		},
	}, "t")
	if err != nil {
		t.Fatal(err)
	}
}

func getSuite(t *testing.T, st *store.Store, name string) prompt.Suite {
	t.Helper()
	su, err := st.GetSuite(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return su
}

func caseNames(su prompt.Suite) []string {
	var out []string
	for _, c := range su.Cases {
		out = append(out, c.Name)
	}
	return out
}

func TestSuitesCreateEditMoveDeleteSave(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 100, 30)
	h.key("8")
	h.mustSee("Suites · all prompts · 0 suites", "No suites yet")

	// n: a name, then an optional prompt.
	h.key("n")
	h.typ("smoke")
	h.key("enter")
	h.typ("support/reply")
	h.key("enter")
	h.mustSee("Suites › smoke", "new, not saved", "prompt support/reply", "No cases yet")
	if !h.m.suites.dirty() {
		t.Fatal("a new suite is not dirty")
	}

	// a: the form, which names the prompt's variables; ctrl+s keeps the
	// case and saves the suite (CreateSuite).
	h.key("a")
	h.mustSee("support/reply takes customer, ticket (unset: its sample")
	h.typ("late")
	h.key("tab", "tab")
	h.typ("We are sorry")
	h.key("tab")
	h.typ("customer=Ana\nticket=Where\\nis it?")
	h.key("tab")
	h.typ("- {type: icontains, value: sorry}\n- {type: word-count, value: {max: 80}}")
	h.key("ctrl+s")
	h.mustSee("Suites › smoke · 1 case · 2 checks", "customer=Ana, ticket=Where is it?", "We are sorry")
	h.mustNotSee("not saved", "modified")
	su := getSuite(t, st, "smoke")
	want := prompt.Case{Name: "late", Expected: "We are sorry", Vars: map[string]string{"customer": "Ana", "ticket": "Where\nis it?"},
		Checks: []prompt.Check{{Type: "icontains", Value: "sorry"}, {Type: "word-count", Value: map[string]any{"max": 80.0}}}}
	if su.Prompt != "support/reply" || len(su.Cases) != 1 || !reflect.DeepEqual(su.Cases[0], want) {
		t.Fatalf("stored suite = %+v; want one case %+v", su, want)
	}

	// A second case, then K moves it above the first; ctrl+s replaces.
	h.key("a")
	h.typ("second")
	h.key("tab", "tab", "tab")
	h.typ("customer=Bo")
	h.key("ctrl+s")
	h.key("K")
	h.mustSee("modified")
	h.key("ctrl+s")
	if got := caseNames(getSuite(t, st, "smoke")); !reflect.DeepEqual(got, []string{"second", "late"}) {
		t.Fatalf("after K, cases = %v", got)
	}
	h.key("J", "ctrl+s")
	if got := caseNames(getSuite(t, st, "smoke")); !reflect.DeepEqual(got, []string{"late", "second"}) {
		t.Fatalf("after J, cases = %v", got)
	}

	// e edits the selected case; the form opens with its values, which
	// round-trip unchanged except for what was typed.
	h.key("g", "e")
	h.mustSee("smoke › case 1", "ticket=Where\\nis it?", "- {type: word-count, value: {max: 80}}")
	h.typ("-v2")
	h.key("ctrl+s")
	su = getSuite(t, st, "smoke")
	want.Name = "late-v2"
	if !reflect.DeepEqual(su.Cases[0], want) {
		t.Fatalf("edited case = %+v; want %+v", su.Cases[0], want)
	}

	// d asks, then deletes from the draft; ctrl+s stores it.
	h.key("j", "d")
	h.mustSee("Delete second?")
	h.key("y")
	h.mustSee("1 case", "modified")
	h.key("ctrl+s")
	if got := caseNames(getSuite(t, st, "smoke")); !reflect.DeepEqual(got, []string{"late-v2"}) {
		t.Fatalf("after delete, cases = %v", got)
	}

	// The title's count of cases graded by their expected output follows
	// each change of the cases: one added, edited, deleted.
	h.key("a")
	h.typ("third")
	h.key("tab", "tab")
	h.typ("ok")
	h.key("ctrl+s")
	h.mustSee("Suites › smoke · 2 cases · 2 checks · 1 graded by expected")
	h.key("e", "tab", "tab", "end", "ctrl+u", "ctrl+s")
	h.mustSee("Suites › smoke · 2 cases · 2 checks")
	h.mustNotSee("graded by expected")
	h.key("e", "tab", "tab")
	h.typ("fine")
	h.key("ctrl+s")
	h.mustSee("1 graded by expected")
	h.key("d", "y")
	h.mustSee("Suites › smoke · 1 case · 2 checks")
	h.mustNotSee("graded by expected")
	h.key("ctrl+s")

	// The list shows the saved suite.
	h.key("esc")
	h.mustSee("Suites · all prompts · 1 suite", "smoke", "support/reply")
}

func TestSuitesInvalidCheckIsShownAndNothingSaved(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	seedSuite(t, st)
	before := getSuite(t, st, "reply-quality")
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 100, 30)
	h.key("8", "enter")
	h.mustSee("Suites › reply-quality · 3 cases · 4 checks")
	h.key("a")
	h.mustSee("support/reply takes customer, ticket") // read with the suite
	h.typ("bad")
	h.key("tab", "tab", "tab", "tab")
	h.typ("- {type: icontains, value: [1, 2]}")
	h.key("ctrl+s")
	h.mustSee("checks: line 1:", "icontains", "new case 4")
	if h.m.suites.mode != suitesForm {
		t.Fatal("an invalid check closed the form")
	}
	// An unknown type and a line that is not YAML are errors too, on
	// their line.
	h.key("enter")
	h.typ("- {type: javascript}")
	h.key("ctrl+s")
	h.mustSee("checks: line")
	// A var line without = names the vars field.
	h.key("shift+tab")
	h.typ("oops")
	h.key("ctrl+s")
	h.mustSee("vars: line 1:", "has no '='")
	if got := getSuite(t, st, "reply-quality"); !reflect.DeepEqual(got.Cases, before.Cases) {
		t.Fatalf("the store changed: %v", caseNames(got))
	}
	// esc asks before dropping the form's edits; the draft is unchanged.
	h.key("esc")
	h.mustSee("Drop this case's edits?")
	h.key("y")
	h.mustSee("Suites › reply-quality · 3 cases")
	h.mustNotSee("modified")
}

func TestSuitesSaveErrorKeepsDraft(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 100, 30)
	h.key("8", "n")
	h.typ("orphan")
	h.key("enter")
	// An unknown prompt is refused before any case is typed, and asked
	// again with what was typed.
	h.typ("no/such-prompt")
	h.key("enter")
	h.mustSee(`no prompt named "no/such-prompt"`, "› no/such-prompt")
	h.key("ctrl+u")
	h.typ("support/reply")
	h.key("enter")
	h.mustSee("Suites › orphan", "prompt support/reply")
	// The name is taken meanwhile (another whet): the save fails and the
	// draft stays.
	if _, err := st.CreateSuite(context.Background(), prompt.Suite{Name: "orphan"}, "other"); err != nil {
		t.Fatal(err)
	}
	h.key("a")
	h.typ("one")
	h.key("ctrl+s")
	h.mustSee("not saved:", `suite "orphan" already exists`, "new, not saved", "one")
	if !h.m.suites.dirty() || len(h.m.suites.draft.Cases) != 1 {
		t.Fatal("a failed save lost the draft")
	}
	// Leaving asks first; no keeps the draft.
	h.key("esc")
	h.mustSee("Leave without saving?")
	h.key("n")
	h.mustSee("Suites › orphan")
	// Quitting (q, as on every screen) asks too.
	h.key("q")
	h.mustSee("Quit without saving?", "suite orphan")
	h.key("n")
	if h.quit {
		t.Fatal("quit without asking")
	}
	h.key("esc")
	h.mustSee("Leave without saving?")
	h.key("y")
	h.mustSee("Suites · all prompts · 1 suite")
}

func TestSuitesImport(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	dir := t.TempDir()
	csv := filepath.Join(dir, "tickets.csv")
	if err := os.WriteFile(csv, []byte("customer,ticket,__expected\nAna,Late order,sorry\nBo,\"Refund\nnow\",no refunds\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	yml := filepath.Join(dir, "quality.yaml")
	if err := os.WriteFile(yml, []byte(`name: reply-quality
prompt: support/reply
checks:
  - {type: not-icontains, value: refund}
cases:
  - name: late
    vars: {customer: Ana}
    checks:
      - {type: icontains, value: sorry}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	// The error quotes the check type, terminal controls and all.
	if err := os.WriteFile(bad, []byte("name: bad\ncases:\n  - vars: {a: b}\n    checks:\n      - {type: \"javascript\\e]0;pwned\\a\\u202e\", value: x}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 100, 30)
	h.key("8")

	// A CSV case list becomes a new suite named after the file.
	h.key("i")
	h.typ(csv)
	h.key("enter")
	h.mustSee("Suites › tickets · 2 cases", "new, not saved", "customer=Bo, ticket=Refund now")
	h.key("ctrl+s")
	su := getSuite(t, st, "tickets")
	if len(su.Cases) != 2 || su.Cases[1].Vars["ticket"] != "Refund\nnow" || su.Cases[1].Expected != "no refunds" {
		t.Fatalf("imported CSV = %+v", su.Cases)
	}

	// In an open suite, i adds a file's cases (and its suite checks).
	h.key("i")
	h.typ(yml)
	h.key("enter")
	h.mustSee("tickets · 3 cases", "modified")
	h.key("ctrl+s")
	su = getSuite(t, st, "tickets")
	if len(su.Cases) != 3 || su.Cases[2].Name != "late" || len(su.Checks) != 1 {
		t.Fatalf("after adding the YAML: %d cases, %d suite checks", len(su.Cases), len(su.Checks))
	}

	// From the list, a YAML suite file keeps its name, prompt and checks.
	h.key("esc", "i")
	h.typ(yml)
	h.key("enter")
	h.mustSee("Suites › reply-quality · 1 case · 2 checks", "prompt support/reply", "every case not-icontains")
	h.key("ctrl+s")
	su = getSuite(t, st, "reply-quality")
	if su.Prompt != "support/reply" || len(su.Checks) != 1 || su.Cases[0].Checks[0].Value != "sorry" {
		t.Fatalf("imported suite = %+v", su)
	}

	// A bad check is reported with its file and line; nothing opens.
	h.key("esc", "i")
	h.typ(bad)
	h.key("enter")
	h.mustSee("Import failed", "bad.yaml:5", "javascript")
	if v := h.m.render(); strings.Contains(v, "\x1b]") || strings.ContainsAny(v, "\a\u202e") {
		t.Fatalf("the import error draws the file's controls:\n%s", h.screen())
	}
	h.key("esc")
	if h.m.suites.mode != suitesList {
		t.Fatal("a failed import opened a draft")
	}
	if _, err := st.GetSuite(context.Background(), "bad"); err == nil {
		t.Fatal("a failed import stored a suite")
	}
}

func TestSuitesFromLibraryAndHelp(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	seedSuite(t, st)
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 120, 30)
	// The library lists prompts by name: support/reply is last.
	h.key("G", "S")
	h.mustSee("Suites · support/reply · 1 suite", "reply-quality", "Kind replies")
	h.key("A")
	h.mustSee("Suites · all prompts")
	h.key("A")
	h.mustSee("Suites · support/reply")
	h.key("?")
	h.mustSee("Keys · Suites", "open suite", "new suite", "import file")
	h.key("esc", "enter", "?")
	h.mustSee("add case", "move case up", "save suite")
	h.key("esc", "ctrl+p")
	h.typ("add case")
	h.mustSee("Suites: add case")
	h.key("esc")
	// Untrusted text is sanitised.
	if strings.Contains(h.m.render(), "\x1b[31m") {
		t.Fatal("a case's escape sequence reached the screen")
	}
}

func TestSuitesFitEverySize(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	seedSuite(t, st)
	flows := map[string][]string{
		"list":  {"8"},
		"cases": {"8", "enter"},
		"form":  {"8", "enter", "j", "e"},
		"error": {"8", "enter", "a", "tab", "tab", "tab", "tab", "x", "ctrl+s"},
	}
	for name, keys := range flows {
		for _, sz := range [][2]int{{60, 20}, {80, 24}, {100, 30}, {140, 40}} {
			h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, sz[0], sz[1])
			h.key(keys...)
			t.Run(name+"_"+itoa(sz[0])+"x"+itoa(sz[1]), func(t *testing.T) {
				assertFits(t, h.screen(), sz[0], sz[1])
				if name == "form" {
					h.mustSee("checks", "icontains-any")
				}
				if name == "error" {
					h.mustSee("checks: line 1")
				}
			})
		}
	}
}

func TestVarsAndChecksRoundTrip(t *testing.T) {
	vars := map[string]string{"a": "x=y", "b": "two\nlines\tand \\n literal", "c": ""}
	got, err := parseVars(formatVars(vars))
	if err != nil || !reflect.DeepEqual(got, vars) {
		t.Fatalf("vars round trip = %q, %v", got, err)
	}
	for _, bad := range []string{"novalue", "=x", "a=1\na=2", `a=x\q`, `a=x\`} {
		if _, err := parseVars(bad); err == nil {
			t.Errorf("parseVars(%q) gave no error", bad)
		}
	}
	th := 0.7
	checks := []prompt.Check{
		{Type: "icontains", Value: "x: y"},
		{Type: "icontains-any", Value: []any{"a", "b, c"}},
		{Type: "similar", Value: "hello", Threshold: &th, Weight: 2},
		{Type: "is-json", Value: map[string]any{"type": "object", "required": []any{"a"}}},
		{Type: "llm-rubric", Value: "Is it kind?\nAnd short?"},
	}
	back, err := parseChecks(formatChecks(checks))
	if err != nil || !reflect.DeepEqual(back, checks) {
		t.Fatalf("checks round trip:\n%s\n= %+v, %v", formatChecks(checks), back, err)
	}
}

// TestGoldenSuites draws the Suites list, a suite's cases and the case
// form at two sizes in two themes, and compares the final View().Content
// with testdata/TestGoldenSuites/*.golden (-update rewrites them).
func TestGoldenSuites(t *testing.T) {
	if testing.Short() {
		t.Skip("goldens run without -short")
	}
	type step struct {
		keys []string
		wait []string
	}
	start := step{nil, []string{"support/reply", "Classify the intent of"}}
	scenarios := []struct {
		name  string
		steps []step
	}{
		{"suites", []step{start, {[]string{"8"}, []string{"reply-quality", "1 suite"}}}},
		{"suite-cases", []step{start, {[]string{"8"}, []string{"1 suite"}}, {[]string{"enter"}, []string{"3 cases", "customer=Cy"}}, {[]string{"j"}, nil}}},
		{"suite-form", []step{start, {[]string{"8"}, []string{"1 suite"}}, {[]string{"enter"}, []string{"3 cases"}}, {[]string{"j", "e"}, []string{"case 2", "icontains-any"}}}},
	}
	for _, sc := range scenarios {
		for _, theme := range []string{"dark", "light"} {
			for _, sz := range [][2]int{{80, 24}, {140, 40}} {
				name := sc.name + "_" + theme + "_" + itoa(sz[0]) + "x" + itoa(sz[1])
				t.Run(name, func(t *testing.T) {
					st := openStore(t)
					seed(t, st)
					seedSuite(t, st)
					m := New(Deps{Store: suitesTimeStore{fixedTimeStore{st}}, Author: "tester", ProtectedTags: []string{"production"},
						Theme: theme, DBPath: "/home/u/.local/share/whet/whet.db", Home: "/home/u",
						Now: func() time.Time { return testNow }}).(Model)
					m.sh.previewWait = 0
					m.sh.noticeTTL = 0
					last := &atomic.Pointer[string]{}
					tm := teatest.NewTestModel(t, spy{m, last},
						teatest.WithInitialTermSize(sz[0], sz[1]),
						teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.TrueColor)))
					for _, s := range sc.steps {
						for _, k := range s.keys {
							tm.Send(keyPress(k))
						}
						waitView(t, last, s.wait...)
					}
					if err := tm.Quit(); err != nil {
						t.Fatal(err)
					}
					fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(spy)
					teatest.RequireEqualOutput(t, []byte(fm.View().Content))
				})
			}
		}
	}
}

func TestSuitesRenameDeleteAndSettings(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	seed(t, st)
	seedSuite(t, st)
	if _, err := st.CreateSuite(ctx, prompt.Suite{Name: "other"}, "t"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 100, 30)
	h.key("8")
	h.mustSee("Suites · all prompts · 2 suites", "reply-quality")

	// r renames; a name another suite has (ignoring case) is refused in
	// the dialog.
	h.key("j", "r")
	h.mustSee("Rename suite reply-quality")
	// Cleared, the field's example is not the old name, which would read
	// as a value still there.
	h.key("ctrl+u")
	h.mustSee("e.g. support-smoke")
	h.typ("OTHER")
	h.key("enter")
	h.mustSee(`a suite named "other" exists`)
	h.key("ctrl+u")
	h.typ("tone")
	h.key("enter")
	h.mustSee("renamed suite reply-quality to tone")
	h.mustSee("▌ tone", "support/reply")
	if su := getSuite(t, st, "tone"); len(su.Cases) != 3 {
		t.Fatalf("renamed suite = %+v", su)
	}

	// s edits the description, then the threshold, in the draft; ctrl+s
	// stores them.
	h.key("g")
	h.mustSee("▌ other")
	h.key("j", "enter")
	h.mustSee("Suites › tone · 3 cases · 4 checks")
	h.key("s")
	h.mustSee("Suite tone › description")
	h.key("ctrl+u")
	h.typ("polite and short")
	h.key("enter")
	h.mustSee("Suite tone › threshold")
	h.typ("1.5")
	h.key("enter")
	h.mustSee(`"1.5" is not a number from 0 to 1`)
	h.key("ctrl+u")
	h.typ("0.75")
	h.key("enter")
	h.mustSee("modified", "threshold 0.75", "polite and short")
	h.key("ctrl+s")
	h.mustNotSee("modified")
	su := getSuite(t, st, "tone")
	if su.Description != "polite and short" || su.Threshold == nil || *su.Threshold != 0.75 {
		t.Fatalf("after settings: description %q, threshold %v", su.Description, su.Threshold)
	}
	// An empty threshold removes it; an unchanged one leaves the draft clean.
	h.key("s", "enter", "ctrl+u", "enter")
	h.mustSee("modified")
	h.key("ctrl+s")
	if su := getSuite(t, st, "tone"); su.Threshold != nil || su.Description != "polite and short" {
		t.Fatalf("after clearing the threshold: %q, %v", su.Description, su.Threshold)
	}
	h.key("s", "enter", "enter")
	h.mustNotSee("modified")

	// d in the list deletes the selected suite after asking.
	h.key("esc")
	h.mustSee("▌ tone")
	h.key("d")
	h.mustSee("Delete suite tone?", "3 cases and 4 checks", "whet suite export tone")
	h.key("n")
	if _, err := st.GetSuite(ctx, "tone"); err != nil {
		t.Fatalf("n deleted the suite: %v", err)
	}
	h.key("d", "y")
	h.mustSee("deleted suite tone (3 cases, 4 checks)", "1 suite")
	if _, err := st.GetSuite(ctx, "tone"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

func TestSuitesEditInExternalEditor(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	seedSuite(t, st)
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 100, 30)
	t.Setenv("VISUAL", "true")
	h.key("8", "enter")
	h.mustSee("Suites › reply-quality · 3 cases · 4 checks")

	// ctrl+e writes the draft as a suite file and runs the editor on it.
	h.key("ctrl+e")
	path := h.m.suites.extFile
	if path == "" || h.execs != 1 {
		t.Fatalf("ctrl+e: file %q, exec commands %d", path, h.execs)
	}
	t.Cleanup(func() { os.Remove(path) })
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "name: reply-quality") || !strings.Contains(string(data), "not-icontains") {
		t.Fatalf("the temp file:\n%s", data)
	}

	// A broken check is an error naming the file's line; enter re-opens.
	broken := strings.Replace(string(data), "type: not-icontains", "type: no-such-check", 1)
	if err := os.WriteFile(path, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	h.send(extExitedMsg{to: screenSuites, path: path})
	h.mustSee("The edited file has an error", filepath.Base(path)+":", "no-such-check")
	h.key("enter")
	if h.execs != 2 {
		t.Fatalf("enter did not re-open the editor (exec commands %d)", h.execs)
	}

	// The fixed file changes the suite-level checks, the threshold and the
	// name (which stays: a stored suite is renamed from the list).
	fixed := strings.Replace(string(data), "type: not-icontains", "type: not-contains", 1)
	fixed = strings.Replace(fixed, "name: reply-quality", "name: renamed\nthreshold: 0.6", 1)
	if err := os.WriteFile(path, []byte(fixed), 0o600); err != nil {
		t.Fatal(err)
	}
	h.send(extExitedMsg{to: screenSuites, path: path})
	h.mustSee("loaded the edited file", "the name stays reply-quality", "modified", "every case not-contains", "threshold 0.6")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("the temp file was not removed after a good edit")
	}
	h.key("ctrl+s")
	su := getSuite(t, st, "reply-quality")
	if len(su.Checks) != 1 || su.Checks[0].Type != "not-contains" || su.Threshold == nil || *su.Threshold != 0.6 || len(su.Cases) != 3 {
		t.Fatalf("after the external edit: checks %+v, threshold %v, %d cases", su.Checks, su.Threshold, len(su.Cases))
	}

	// An edit that changes nothing leaves the draft clean; esc on an
	// error discards the file.
	h.key("ctrl+e")
	path = h.m.suites.extFile
	h.send(extExitedMsg{to: screenSuites, path: path})
	h.mustSee("no changes in the edited file")
	h.mustNotSee("modified")
	h.key("ctrl+e")
	path = h.m.suites.extFile
	if err := os.WriteFile(path, []byte("name: [oops\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h.send(extExitedMsg{to: screenSuites, path: path})
	h.mustSee("The edited file has an error")
	h.key("esc")
	h.mustSee("external edits discarded")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("the discarded file was not removed")
	}
}

// TestSuitesEmptyHintWrapsAt80: the empty list's hint wraps, so the import
// command shows whole at 80 columns.
func TestSuitesEmptyHintWrapsAt80(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 80, 24)
	h.key("8")
	h.mustSee("No suites yet", "--prompt NAME).")
	// The status bar offers what can be done with no suite.
	h.mustSee("n new")
	h.mustNotSee("enter open suite")
}

// The case form and the description dialog show a suite's text as every
// view does: an escape sequence goes whole (a field alone would keep its
// body) and a bidi override goes.
func TestSuiteCaseFormShowsTextSanitised(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	const evil = "\x1b]8;;http://e.example\x1b\\link\x1b]8;;\x1b\\ \u202eend"
	if _, err := st.CreateSuite(context.Background(), prompt.Suite{Name: "evil", Prompt: "support/reply", Description: "s " + evil, Cases: []prompt.Case{
		{Name: "n " + evil, Description: "d " + evil, Expected: "e " + evil, Vars: map[string]string{"customer": "v " + evil}},
	}}, "t"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 120, 30)
	h.key("8", "enter", "enter")
	h.mustSee("evil › case 1", "n link end", "d link end", "e link end", "customer=v link end")
	if v := h.m.render(); strings.ContainsRune(v, '\u202e') || strings.Contains(v, "]8;;") {
		t.Fatalf("the case form draws the case's controls:\n%s", h.screen())
	}
	// So does the dialog that edits the suite's description.
	h.key("esc", "s")
	h.mustSee("evil › description", "s link end")
	if v := h.m.render(); strings.ContainsRune(v, '\u202e') || strings.Contains(v, "]8;;") {
		t.Fatalf("the description dialog draws the suite's controls:\n%s", h.screen())
	}
}

// A suite's name dialog speaks of a suite, not a prompt, when the name
// is missing or wrong.
func TestSuitesNewNameErrorsSpeakOfASuite(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	h := newHarness(t, st, 100, 30)
	h.key("8", "n", "enter")
	h.mustSee("type a name for the suite")
	h.mustNotSee("empty prompt name")
	h.typ("bad name\n")
	h.mustSee(`invalid suite name "bad name"`)
}

// TestSuitesClickSelects: a click selects the suite, or the case, under
// the pointer, as on the other lists.
func TestSuitesClickSelects(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	seedSuite(t, st)
	if _, err := st.CreateSuite(context.Background(), prompt.Suite{Name: "second", Prompt: "support/reply", Cases: []prompt.Case{{Name: "one"}}}, "t"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 120, 30)
	h.key("8")
	click := func(row int) {
		h.send(tea.MouseClickMsg{X: 10, Y: headerRows + row, Button: tea.MouseLeft})
	}
	click(suitesListTop + 1)
	if h.m.suites.cursor != 1 {
		t.Fatalf("a click on the second suite selects row %d", h.m.suites.cursor)
	}
	click(suitesListTop + 5) // below the list
	if h.m.suites.cursor != 1 {
		t.Fatalf("a click below the list moves the selection to %d", h.m.suites.cursor)
	}
	h.key("k", "enter")
	h.mustSee("late", "angry")
	click(suitesCaseTop + 2)
	if h.m.suites.caseCursor != 2 {
		t.Fatalf("a click on the third case selects case %d", h.m.suites.caseCursor)
	}
}

// TestSuitesMonochromeKeepsEmojiWhole: without colours the variables are
// underlined; an emoji cluster in them must keep its width, or the row
// loses its last column.
func TestSuitesMonochromeKeepsEmojiWhole(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	if _, err := st.CreateSuite(context.Background(), prompt.Suite{Name: "emoji", Prompt: "support/reply",
		Cases: []prompt.Case{{Name: "coder", Vars: map[string]string{"customer": "👩‍💻 Ana 👍🏽", "ticket": "x"}}}}, "t"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 100, 30, func(d *Deps) { d.NoColor = true })
	h.key("8", "enter")
	for _, l := range strings.Split(h.m.render(), "\n") {
		if !strings.Contains(l, "coder") {
			continue
		}
		if w := ansi.StringWidth(l); w != 100 || !strings.HasSuffix(strings.TrimRight(ansi.Strip(l), " "), "0") {
			t.Fatalf("the case row is %d cells wide, want 100, and ends %q", w, ansi.Strip(l))
		}
		return
	}
	t.Fatalf("no case row in\n%s", h.screen())
}

// A case with a description and no name (every promptfoo test imports so)
// shows its description in the case list, not "(case N)".
func TestSuitesCaseWithoutNameShowsDescription(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	if _, err := st.CreateSuite(context.Background(), prompt.Suite{Name: "pf", Prompt: "support/reply", Cases: []prompt.Case{
		{Description: "refund asked\x1b[31m twice", Vars: map[string]string{"ticket": "a"}},
		{Vars: map[string]string{"ticket": "b"}},
	}}, "t"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 120, 30)
	h.key("8", "enter")
	h.mustSee("refund asked twice", "(case 2)")
	h.mustNotSee("(case 1)")
}

// TestSuitesVariablesTakeAnUnusedExpectedColumn: when no case expects an
// output, the EXPECTED column shrinks to its heading and the variables,
// which every case has, get the room.
func TestSuitesVariablesTakeAnUnusedExpectedColumn(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	if _, err := st.CreateSuite(context.Background(), prompt.Suite{Name: "vars", Prompt: "support/reply", Cases: []prompt.Case{
		{Name: "long", Vars: map[string]string{"customer": "Ana", "ticket": "My order never arrived and nobody answers"}},
	}}, "t"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 80, 24)
	h.key("8", "enter")
	h.mustSee("customer=Ana, ticket=My order never ar", "EXPECTED")
}

// TestSuitesKeepWhatTheirFieldsCannotShow: a suite's description of
// several lines and a case's description of several lines, expected output
// with tabs and trailing spaces, variables and checks are saved as they were
// when the settings dialog or the case form is confirmed unedited, or when
// another field of the form is edited.
func TestSuitesKeepWhatTheirFieldsCannotShow(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	ctx := context.Background()
	desc := "Checks extraction.\nSecond line.\n"
	c := prompt.Case{Name: "invoice", Description: "An invoice\nwith two lines",
		Vars:     map[string]string{"customer": "Ana\x07", "ticket": "Qty\tItem\n1\tPen"},
		Expected: "Qty\tItem\n1\tPen\x07  ", Checks: []prompt.Check{{Type: "icontains", Value: "qty"}}}
	if _, err := st.CreateSuite(ctx, prompt.Suite{Name: "docs", Prompt: "support/reply", Description: desc, Cases: []prompt.Case{c}}, "t"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 120, 30)
	h.key("8", "enter")
	h.mustSee("Suites › docs · 1 case")

	// The settings dialog shows the description on one line, and enter
	// keeps it as it was.
	h.key("s")
	h.mustSee("› Checks extraction.⏎Second line.⏎")
	h.key("enter", "enter")
	h.mustNotSee("modified")

	// The case form saved unedited keeps every field.
	h.key("enter")
	h.mustSee("docs › case 1", "An invoice⏎with two lines", "expected: control characters hidden; kept as stored unless edited")
	// Edited, the expected output is no longer kept as stored: the form
	// says so; undone, it is kept again.
	h.key("tab", "tab")
	h.typ("x")
	h.mustSee("expected: edited, so saved as shown, without its control characters")
	h.key("backspace")
	h.mustSee("expected: control characters hidden; kept as stored unless edited")
	h.key("ctrl+s")
	h.mustSee("saved suite docs")
	su := getSuite(t, st, "docs")
	if su.Description != desc || !reflect.DeepEqual(su.Cases[0], c) {
		t.Fatalf("after saving unedited: %q, %+v", su.Description, su.Cases[0])
	}

	// Renaming the case keeps the others; an edited description keeps its
	// lines.
	h.key("enter", "end")
	h.typ("-2")
	h.key("tab", "end")
	h.typ("!")
	h.key("ctrl+s")
	h.mustSee("saved suite docs")
	want := c
	want.Name, want.Description = "invoice-2", "An invoice\nwith two lines!"
	if su := getSuite(t, st, "docs"); !reflect.DeepEqual(su.Cases[0], want) {
		t.Fatalf("after editing name and description: %+v", su.Cases[0])
	}

	// A variable edited in the vars field leaves the other as it was.
	h.key("enter", "tab", "tab", "tab", "end")
	h.typ("\nlang=en")
	h.key("ctrl+s")
	h.mustSee("saved suite docs")
	want.Vars = map[string]string{"customer": "Ana\x07", "ticket": "Qty\tItem\n1\tPen", "lang": "en"}
	if su := getSuite(t, st, "docs"); !reflect.DeepEqual(su.Cases[0], want) {
		t.Fatalf("after adding a variable: %+v", su.Cases[0])
	}
}

// TestSuiteCaseFormEditKeepsEmojiItDrawsSplit: on a terminal that does not
// cluster graphemes the expected output shows its emoji without skin tones
// and joiners, and its field a tab as spaces; an edit elsewhere in it
// saves them as they were.
func TestSuiteCaseFormEditKeepsEmojiItDrawsSplit(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	if _, err := st.CreateSuite(context.Background(), prompt.Suite{Name: "emoji", Prompt: "support/reply", Cases: []prompt.Case{
		{Name: "wave", Vars: map[string]string{"customer": "Ana"}, Expected: "Thanks 👋🏽\tfrom a 👩‍💻"},
	}}, "t"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 120, 30)
	t.Cleanup(func() { splitClusters.Store(false) })
	splitClusters.Store(true)
	h.key("8", "enter", "enter", "tab", "tab")
	h.mustSee("Thanks 👋    from a 👩💻")
	h.mustNotSee("control characters hidden")
	h.typ("Many ")
	h.key("ctrl+s")
	h.mustSee("saved suite emoji")
	if got := getSuite(t, st, "emoji").Cases[0].Expected; got != "Many Thanks 👋🏽\tfrom a 👩‍💻" {
		t.Fatalf("expected saved as %q", got)
	}
}

// The case form's tip on the vars reads whole at 80 columns (its short
// form), not cut mid-phrase; wider, it reads in full.
func TestCaseFormTipFits(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	seedSuite(t, st)
	for _, tc := range []struct {
		w    int
		want string
	}{{80, "esc cancel  vars: \\n for a newline"}, {120, "vars: name=value, \\n for a newline"}} {
		h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, tc.w, 24)
		h.key("8", "enter", "enter")
		if h.m.suites.mode != suitesForm {
			t.Fatalf("%d columns: the keys did not open the case form", tc.w)
		}
		h.mustSee(tc.want)
		h.mustNotSee("for…")
	}
}

// At 80 columns, where the descriptions have no room, the suites' names
// and prompts take it and read whole (the starter library's
// classify/sentiment-few-shot).
func TestSuitesListNamesReadWholeAt80(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	if _, err := st.CreateSuite(context.Background(), prompt.Suite{Name: "classify/sentiment-few-shot", Prompt: "support/reply",
		Cases: []prompt.Case{{Name: "one"}}}, "tester"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 80, 24)
	h.key("8")
	h.mustSee("classify/sentiment-few-shot support/reply")
}

// A case with an expected output and no checks of its own is graded by
// it: the cases' table says "exp" for it and the title how many are, and
// the list's CHECKS cell counts them ("1+1 exp"), so the starter's suites
// ("0 checks") do not read as ungraded.
func TestSuiteCasesSayExpectedGrades(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	if _, err := st.CreateSuite(context.Background(), prompt.Suite{Name: "intent", Prompt: "support/reply", Cases: []prompt.Case{
		{Name: "refund", Expected: "refund"},
		{Name: "checked", Expected: "x", Checks: []prompt.Check{{Type: "icontains", Value: "y"}}},
		{Name: "open"},
	}}, "t"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateSuite(context.Background(), prompt.Suite{Name: "starter-like", Prompt: "support/reply", Cases: []prompt.Case{
		{Name: "a", Expected: "yes"}, {Name: "b", Expected: "no"},
	}}, "t"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 80, 24)
	h.key("8")
	for name, want := range map[string]string{"intent": " 3 1+1 exp ", "starter-like": " 2   2 exp "} {
		if l := lineWith(h.screen(), " "+name+" "); !strings.Contains(l, want) {
			t.Errorf("list row %q, want CASES and CHECKS %q", l, want)
		}
	}
	h.key("enter")
	h.mustSee("3 cases · 1 check · 1 graded by expected")
	for name, want := range map[string]string{"refund": " exp", "checked": " 1", "open": " 0"} {
		if l := strings.TrimRight(lineWith(h.screen(), " "+name+" "), " "); !strings.HasSuffix(l, want) {
			t.Errorf("%s row %q, want it to end in %q", name, l, want)
		}
	}
}

// At 80 columns the starter library's suites read whole, names and
// prompts (classify/sentiment-few-shot is both), in the room the counts'
// and times' columns leave past their headings; at 140 a description
// keeps its room past whole names, and a date from another year reads
// whole.
func TestSuitesListStarterReadsWholeAt80(t *testing.T) {
	st := openStore(t)
	if msg := importStarter(context.Background(), st, starterFS(), "tester"); msg.err != nil {
		t.Fatal(msg.err)
	}
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 80, 24)
	h.key("8")
	h.mustSee("classify/sentiment-few-shot classify/sentiment-few-shot", "write/product-description   write/product-description")
	h.mustNotSee("few…", "descri…")
	for _, line := range strings.Split(h.screen(), "\n") {
		if ansi.StringWidth(line) > 80 {
			t.Fatalf("line wider than 80: %q", line)
		}
	}
	old := prompt.Suite{Name: "old/one", Prompt: "support/reply", Description: "A suite from last year",
		Cases: []prompt.Case{{Name: "one"}}}
	if _, err := st.CreateSuite(context.Background(), old, "tester"); err != nil {
		t.Fatal(err)
	}
	h = newHarness(t, lastYearSuiteStore{suitesTimeStore{fixedTimeStore{st}}}, 140, 24)
	h.key("8")
	year := testNow.AddDate(-1, 0, 0).Format("2006-01-02")
	h.mustSee("classify/sentiment-few-shot classify/sentiment-few-shot", "DESCRIPTION", year+" A suite from last year")
}

// lastYearSuiteStore reports old/one as updated a year before testNow.
type lastYearSuiteStore struct{ suitesTimeStore }

func (s lastYearSuiteStore) ListSuites(ctx context.Context, p string) ([]store.SuiteSummary, error) {
	list, err := s.suitesTimeStore.ListSuites(ctx, p)
	for i := range list {
		if list[i].Name == "old/one" {
			list[i].Updated = testNow.AddDate(-1, 0, 0)
		}
	}
	return list, err
}

// At 80 columns a case's name longer than its column (the starter
// library's negative-sarcasm) takes the room the expected outputs leave
// and reads whole.
func TestSuiteCaseNamesTakeTheRoomExpectedLeaves(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	if _, err := st.CreateSuite(context.Background(), prompt.Suite{Name: "sentiment", Prompt: "support/reply", Cases: []prompt.Case{
		{Name: "negative-sarcasm", Vars: map[string]string{"ticket": "Oh great, another update that logs me out"}, Expected: "negative"},
		{Name: "neutral", Vars: map[string]string{"ticket": "Delivered on Thursday"}, Expected: "neutral"},
	}}, "t"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, suitesTimeStore{fixedTimeStore{st}}, 80, 24)
	h.key("8", "enter")
	h.mustSee("negative-sarcasm ticket=", "EXPECTED", "negative")
}
