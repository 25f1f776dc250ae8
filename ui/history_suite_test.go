package ui

import (
	"context"
	"strings"
	"testing"

	"whet/prompt"
	"whet/store"
)

// seedNamesSuite stores suite names of support/reply: three cases echo
// passes (it repeats the customer's name) and one it fails.
func seedNamesSuite(t *testing.T, st *store.Store, extra ...prompt.Check) {
	t.Helper()
	named := []prompt.Check{{Type: "icontains", Value: "{{customer}}"}}
	su := prompt.Suite{Name: "names", Prompt: "support/reply", Checks: extra}
	for _, c := range []string{"Ana", "Bo", "Cy"} {
		su.Cases = append(su.Cases, prompt.Case{Name: strings.ToLower(c), Vars: map[string]string{"customer": c}, Checks: named})
	}
	su.Cases = append(su.Cases, prompt.Case{Name: "zebra", Vars: map[string]string{"customer": "Di"}, Checks: []prompt.Check{{Type: "icontains", Value: "zebra"}}})
	if _, err := st.CreateSuite(context.Background(), su, "t"); err != nil {
		t.Fatal(err)
	}
}

func TestSuitesRunASuiteOnModels(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	seed(t, st)
	seedNamesSuite(t, st)
	h := newHarness(t, fixedTimeStore{st}, 120, 40, withTargets(arenaRegistry(t, newFakeOllama(t, 0, -1).URL)))
	h.key("8")
	h.mustSee("names", "ctrl+r run suite")

	// The versions: the suite's prompt is offered; a bad ref is refused
	// in the dialog.
	h.key("ctrl+r")
	h.mustSee("Run suite names", "› support/reply", "NAME@production")
	h.key("ctrl+u")
	h.typ("support/reply@\n")
	h.mustSee("Run suite names")
	if d, ok := h.m.dialogs[len(h.m.dialogs)-1].(*inputDialog); !ok || d.err == "" {
		t.Fatalf("a bad ref was accepted: %T %+v", h.m.dialogs[len(h.m.dialogs)-1], d)
	}
	h.key("ctrl+u")
	h.typ("support/reply@1, support/reply@3\n")

	// The targets: none picked in the Arena and none in the config, so
	// none is offered and an empty answer is refused; so is a provider
	// the registry does not know.
	h.mustSee("Run suite names · targets", "› e.g. echo, ollama:llama3.2")
	h.key("enter")
	h.mustSee("give at least one target")
	h.typ("nowhere:model\n")
	h.mustSee(`unknown provider "nowhere"`)
	h.key("ctrl+u")
	h.typ("echo\n")

	// The question states the plan and what it calls; no run is made yet.
	h.mustSee("Run suite names?", "y/enter run", "n/esc cancel")
	if got, want := h.topConfirm().body, "This runs support/reply@1 and support/reply@3 on the cases of suite names: "+
		"2 versions × 1 target × 4 cases × 1 repeat = 8 model calls on echo. The suite's checks grade every output.\n"+
		"These targets are local or echo: the calls cost nothing (at temperature 0 an answer cached from an identical call is reused). "+
		"Runs shows its progress, then its pass rate."; got != want {
		t.Fatalf("question:\n%s\nwant\n%s", got, want)
	}
	if runs, _ := st.ListRuns(ctx, store.RunFilter{}); len(runs) != 0 {
		t.Fatalf("asked, yet %d runs", len(runs))
	}

	// Yes runs it on the Runs screen, grades it and says how it did.
	h.key("y")
	runs, err := st.ListRuns(ctx, store.RunFilter{})
	if err != nil || len(runs) != 1 {
		t.Fatalf("runs: %d, %v", len(runs), err)
	}
	run := runs[0].Run
	if run.Source != "suite" || run.Suite != "names" || run.Status != prompt.RunDone || len(run.Versions) != 2 || run.Author != "tester" ||
		strings.Join(run.Targets, ",") != "echo" || len(run.Cases) != 4 || run.Cases[0].Vars["ticket"] != "My order never arrived." {
		t.Fatalf("run = %+v", run)
	}
	scores, err := st.Scores(ctx, run.ID)
	if err != nil || len(scores) == 0 {
		t.Fatalf("the run was not graded: %d scores, %v", len(scores), err)
	}
	if h.m.active != screenHistory || h.m.sh.jobs != 0 || h.m.history.rerunning() {
		t.Fatalf("after the run: screen %v, %d jobs, running %v", h.m.active, h.m.sh.jobs, h.m.history.rerunning())
	}
	if got, want := h.notice(), "suite run "+run.ID+" done: 6/8 passed (75%); lowest support/reply@1 on echo 75% · enter opens it in Results"; got != want {
		t.Fatalf("notice = %q\nwant     %q", got, want)
	}
	h.mustSee("Runs · support/reply · 1 run", "▌ "+run.ID, "8/8")

	// enter opens it in Results, with its pass rates.
	h.key("enter")
	h.mustSee("Results · support/reply · run "+run.ID, "75%")
}

func TestSuitesRunRefusals(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	seed(t, st)
	seedNamesSuite(t, st, prompt.Check{Type: "llm-rubric", Value: "is polite"})
	if _, err := st.CreatePrompt(ctx, storeNewPrompt("greet", ""), storeNewVersion("Hello {{name}}")); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateSuite(ctx, prompt.Suite{Name: "greetings", Prompt: "greet", Cases: []prompt.Case{{Name: "nameless", Vars: map[string]string{}}}}, "t"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 40, withTargets(arenaRegistry(t, newFakeOllama(t, 0, -1).URL)))
	h.key("8")
	h.mustSee("greetings", "names")
	runTo := func(row int) {
		t.Helper()
		h.key("g")
		for range row {
			h.key("j")
		}
		h.key("ctrl+r", "enter")
		h.typ("echo\n")
	}

	// A case that leaves a variable empty is refused before any call.
	runTo(0)
	if got := h.notice(); !strings.HasPrefix(got, "greet@1: ") || !strings.Contains(got, "name") || !strings.HasSuffix(got, "(give it in the suite's cases, or as a sample value of the prompt)") {
		t.Fatalf("notice = %q", got)
	}
	// So is a model-graded check with no judge to grade it.
	runTo(1)
	if got := h.notice(); !strings.HasPrefix(got, "suite names cannot be graded:") || !strings.Contains(got, "judge:") {
		t.Fatalf("notice = %q", got)
	}
	if len(h.m.dialogs) != 0 {
		t.Fatalf("a refused plan left %d dialogs open", len(h.m.dialogs))
	}
	if runs, _ := st.ListRuns(ctx, store.RunFilter{}); len(runs) != 0 {
		t.Fatalf("refused, yet %d runs", len(runs))
	}

	// An open suite with unsaved edits is saved first.
	h.key("g", "j", "enter", "J")
	if !h.m.suites.modified {
		t.Fatal("moving a case did not modify the suite")
	}
	h.key("ctrl+r")
	if got := h.notice(); got != "save the suite first (ctrl+s): a run uses the suite as saved" || len(h.m.dialogs) != 0 {
		t.Fatalf("notice = %q, %d dialogs", got, len(h.m.dialogs))
	}
}

func TestSuitesRunOffersTargets(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	seedNamesSuite(t, st)
	url := newFakeOllama(t, 0, -1).URL
	// No target picked in the Arena: the config's targets are offered.
	h := newHarness(t, fixedTimeStore{st}, 120, 40, withTargets(arenaRegistry(t, url, "echo")))
	h.key("8", "ctrl+r", "enter")
	h.mustSee("Run suite names · targets", "› echo")
	// Targets picked in the Arena come first.
	h = newHarness(t, fixedTimeStore{st}, 120, 40, withTargets(arenaRegistry(t, url, "echo")))
	h.m.arena.picker.selected = []string{"ollama:slow"}
	h.key("8", "ctrl+r", "enter")
	h.mustSee("› ollama:slow")
	h.mustNotSee("› echo")
}

// A suite without checks is not said to grade anything: the question
// says no output gets a verdict, and so does the notice once it ran.
func TestSuitesRunWithoutChecksSaysSo(t *testing.T) {
	st := openStore(t)
	seed(t, st)
	su := prompt.Suite{Name: "bare", Prompt: "support/reply", Cases: []prompt.Case{{Name: "one", Vars: map[string]string{"customer": "Ana"}}}}
	if _, err := st.CreateSuite(context.Background(), su, "t"); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fixedTimeStore{st}, 120, 40, withTargets(arenaRegistry(t, newFakeOllama(t, 0, -1).URL)))
	h.key("8")
	h.mustSee("bare")
	h.key("ctrl+r")
	h.typ("\n")
	h.typ("echo\n")
	h.mustSee("Run suite bare?")
	body := h.topConfirm().body
	if strings.Contains(body, "checks grade every output") || !strings.Contains(body, "no output gets a verdict") {
		t.Fatalf("question claims checks: %s", body)
	}
	h.key("y")
	if n := h.notice(); !strings.Contains(n, "no cell got a verdict (the suite has no checks)") {
		t.Fatalf("notice: %q", n)
	}
}

// A failed call's cause comes early in the suite run's notice, so that
// it shows in an 80-column status bar; a suite with checks whose every
// call failed is not said to have none.
func TestSuiteRunDoneSaysTheFailureEarly(t *testing.T) {
	r := historyRerun{id: "1m873cxyv2s5"}
	for _, c := range []struct {
		failed int
		want   string
	}{
		{1, "suite run 1m873cxyv2s5 done: no cell got a verdict; 1 call failed: down: connection refused"},
		{2, "suite run 1m873cxyv2s5 done: no cell got a verdict; 2 calls failed, first: down: connection refused"},
	} {
		msg := suiteRunDone(r, historyRerunDoneMsg{failed: c.failed, firstErr: "down: connection refused"})()
		if n, ok := msg.(noticeMsg); !ok || n.text != c.want || !n.isErr {
			t.Fatalf("notice %+v, want %q", msg, c.want)
		}
	}
}
