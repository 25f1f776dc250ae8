package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"

	"whet/eval"
	"whet/prompt"
	"whet/report"
	"whet/runner"
)

// A suite run from the Suites screen, as `whet run REF... --suite NAME -m
// TARGETS` makes it: ctrl+r on a suite asks for the versions to run (the
// suite's prompt, latest, is offered) and the targets (the Arena's picked
// targets, else the config's), states the plan's size and asks, then runs
// it in the background in the Runs screen's slot for background runs
// (history_rerun.go) and grades every cell by the suite's checks. Once
// graded, Runs selects it and says its pass rate; enter opens it in
// Results, with the same figures `whet run --suite` gates CI on.

// Suite run messages.
type (
	// suiteRunMsg asks to run suite (of prompt; "" for a shared suite).
	// The root hands it to Runs with the Arena's picked targets.
	suiteRunMsg struct{ suite, prompt string }
	// historySuiteRunMsg starts the questions: the versions first.
	historySuiteRunMsg struct {
		suite, prompt string
		targets       []string // offered first; none: the config's
	}
	// historySuiteRefsMsg has the versions; the targets are asked next.
	historySuiteRefsMsg struct {
		suite, refs string
		targets     []string
	}
	// historySuitePlanMsg has both: the run is planned in a command.
	historySuitePlanMsg struct{ suite, refs, targets string }
	// historySuiteAskMsg is the planned run to confirm, or why it cannot run.
	historySuiteAskMsg struct {
		id  int
		run prompt.Run
		err error
	}
	// historySuiteStartMsg runs the planned run (the question's yes).
	historySuiteStartMsg struct{ run prompt.Run }
)

func (historySuiteRunMsg) target() screenID   { return screenHistory }
func (historySuiteRefsMsg) target() screenID  { return screenHistory }
func (historySuitePlanMsg) target() screenID  { return screenHistory }
func (historySuiteAskMsg) target() screenID   { return screenHistory }
func (historySuiteStartMsg) target() screenID { return screenHistory }

// updateSuiteRun handles the suite run's messages; ok is false for others.
func (m historyModel) updateSuiteRun(msg tea.Msg) (historyModel, tea.Cmd, bool) {
	switch msg := msg.(type) {
	case historySuiteRunMsg:
		m, cmd := m.askSuiteRefs(msg)
		return m, cmd, true
	case historySuiteRefsMsg:
		return m, m.askSuiteTargets(msg), true
	case historySuitePlanMsg:
		m, cmd := m.planSuiteRun(msg)
		return m, cmd, true
	case historySuiteAskMsg:
		if msg.id != m.askReq {
			return m, nil, true
		}
		m.asking = false // a question it superseded was waited for
		if msg.err != nil {
			return m, notifyErr(msg.err), true
		}
		d := newConfirm("Run suite "+oneLine(msg.run.Suite)+"?", suiteRunQuestion(msg.run, runner.Billed(m.targets, msg.run.Targets)), historySuiteStartMsg{run: msg.run}, nil)
		d.yesLabel, d.noLabel = "run", "cancel"
		return m, m.sh.open(d), true
	case historySuiteStartMsg:
		// Runs lists the runs of the run's prompt, where it will appear.
		m, open := m.open(historyOpenMsg{prompt: runPrompt(msg.run)})
		m, start := m.startRerun(msg.run, prompt.Run{}, rerunSuite, runner.Options{})
		return m, tea.Batch(open, start, m.sh.post(showScreenMsg{to: screenHistory})), true
	}
	return m, nil, false
}

// askSuiteRefs asks which versions to run.
func (m historyModel) askSuiteRefs(msg historySuiteRunMsg) (historyModel, tea.Cmd) {
	if m.rerun.active {
		return m, m.rerun.busy()
	}
	if m.targets == nil {
		return m, notify("no targets are configured here: whet run NAME --suite " + oneLine(msg.suite) + " -m TARGET runs it in a shell")
	}
	body := "The versions to run, separated by spaces or commas: NAME (its latest version), NAME@3, NAME@production. " +
		"Each runs every case of the suite on every target."
	return m, m.sh.open(newInput(m.sh, "Run suite "+oneLine(msg.suite), body, "NAME@production", msg.prompt, checkRefList,
		func(s string) tea.Msg { return historySuiteRefsMsg{suite: msg.suite, refs: s, targets: msg.targets} }))
}

// askSuiteTargets asks on which targets, offering the Arena's picked
// targets, else the config's.
func (m historyModel) askSuiteTargets(msg historySuiteRefsMsg) tea.Cmd {
	offer := msg.targets
	if len(offer) == 0 {
		ts, _ := m.targets.Targets()
		for _, t := range ts {
			offer = append(offer, t.Spec)
		}
	}
	targets := m.targets
	check := func(s string) error {
		specs := splitList(s)
		if len(specs) == 0 {
			return errors.New("give at least one target, e.g. echo or ollama:llama3.2")
		}
		return runner.CheckTargets(targets, specs)
	}
	body := "The targets to run on, separated by spaces or commas: provider:model or an alias of the config " +
		"(the Arena's picked targets are offered)."
	return m.sh.open(newInput(m.sh, "Run suite "+oneLine(msg.suite)+" · targets", body, "echo, ollama:llama3.2", strings.Join(offer, ", "), check,
		func(s string) tea.Msg { return historySuitePlanMsg{suite: msg.suite, refs: msg.refs, targets: s} }))
}

// planSuiteRun plans the run in a command; the question follows.
func (m historyModel) planSuiteRun(msg historySuitePlanMsg) (historyModel, tea.Cmd) {
	m.askReq++
	id, targets, grader, author := m.askReq, m.targets, m.grader, m.sh.author
	return m, m.sh.do(func(ctx context.Context, st Store) tea.Msg {
		run, err := planSuiteRun(ctx, st, targets, grader, msg.suite, splitList(msg.refs), splitList(msg.targets), author)
		return historySuiteAskMsg{id: id, run: run, err: err}
	})
}

// planSuiteRun makes the run of suite's cases for the versions refs name on
// the targets specs name, as `whet run --suite` does: each case graded by
// the suite's checks and its own, its variables over the prompts' sample
// values. It refuses, before any call, a version a case cannot fill and a
// model-graded check no judge can grade. It runs inside a command.
func planSuiteRun(ctx context.Context, st Store, targets runner.Targets, grader *eval.Evaluator, suite string, refs, specs []string, author string) (prompt.Run, error) {
	su, err := st.GetSuite(ctx, suite)
	if err != nil {
		return prompt.Run{}, err
	}
	if len(su.Cases) == 0 {
		return prompt.Run{}, fmt.Errorf("suite %s has no cases: open it and add some (a)", su.Name)
	}
	plan := runner.Plan{Run: prompt.Run{Source: "suite", Suite: su.Name, Repeat: 1, Author: author}, Versions: map[int64]prompt.Version{}}
	defaults := map[string]string{}
	for _, s := range refs {
		ref, err := prompt.ParseRef(s)
		if err != nil {
			return prompt.Run{}, err
		}
		v, err := st.Resolve(ctx, ref)
		if err != nil {
			return prompt.Run{}, err
		}
		if _, dup := plan.Versions[v.ID]; dup {
			continue
		}
		p, err := st.GetPrompt(ctx, v.Prompt)
		if err != nil {
			return prompt.Run{}, err
		}
		defaults = prompt.MergeVars(p.Defaults, defaults)
		plan.Versions[v.ID] = v
		plan.Run.Versions = append(plan.Run.Versions, prompt.RunVersion{VersionID: v.ID, Prompt: v.Prompt, Number: v.Number, Hash: v.Hash})
	}
	if len(plan.Run.Versions) == 0 {
		return prompt.Run{}, errors.New("no version to run: give one, e.g. NAME or NAME@production")
	}
	seen := map[string]bool{}
	for _, s := range specs {
		t, err := targets.Resolve(s)
		if err != nil {
			return prompt.Run{}, err
		}
		if !seen[t.Spec] {
			seen[t.Spec] = true
			plan.Run.Targets = append(plan.Run.Targets, t.Spec)
		}
	}
	if err := runner.CheckTargets(targets, plan.Run.Targets); err != nil {
		return prompt.Run{}, err
	}
	plan.Run.Cases = eval.SuiteCases(su)
	for i := range plan.Run.Cases {
		plan.Run.Cases[i].Vars = prompt.MergeVars(defaults, plan.Run.Cases[i].Vars)
	}
	if err := plan.CheckVariables(); err != nil {
		return prompt.Run{}, fmt.Errorf("%w (give it in the suite's cases, or as a sample value of the prompt)", err)
	}
	if err := grader.CheckSuite(su.Name, plan.Run.Cases); err != nil {
		return prompt.Run{}, err
	}
	return plan.Run, nil
}

// suiteRunQuestion is the confirmation's text: what runs, how many calls,
// and whether they are billed (billed: runner.Billed of its targets).
func suiteRunQuestion(run prompt.Run, billed bool) string {
	refs := make([]string, len(run.Versions))
	for i, v := range run.Versions {
		refs[i] = v.Ref()
	}
	body := "This runs " + oneLine(joinList(refs)) + " on the cases of suite " + oneLine(run.Suite) + ": " +
		report.PlanShape(run) + " = " + plural(run.Cells(), "model call") + " on " + oneLine(joinList(run.Targets)) +
		"."
	unchecked := uncheckedCases(run)
	switch {
	case unchecked == len(run.Cases):
		body += " The suite has no checks and no expected outputs yet, so no output gets a verdict, only a failed call does (fail): add checks first (e on a case in Suites, ctrl+e for checks of the whole suite)"
	case unchecked > 0:
		body += " The suite's checks grade every output, but " + itoa(unchecked) + " of its " + plural(len(run.Cases), "case") + " have no check and get no verdict"
	default:
		body += " The suite's checks grade every output"
	}
	if n := eval.ModelCalls(run); n > 0 {
		body += ", with up to " + plural(n, "more call") + " to a judge or embedding model"
	}
	bill := "These targets are local or echo: the calls cost nothing"
	if billed {
		bill = "Hosted models bill these calls"
	}
	return body + ".\n" + bill + " (at temperature 0 an answer cached from an identical call is reused). " +
		"Runs shows its progress, then its pass rate."
}

// uncheckedCases counts the run's cases without a check: no verdict.
func uncheckedCases(run prompt.Run) int {
	n := 0
	for _, c := range run.Cases {
		if len(c.Checks) == 0 {
			n++
		}
	}
	return n
}

// suiteRunDone is the notice of a graded suite run: how many graded cells
// passed, the weakest version × target when there are several.
func suiteRunDone(r historyRerun, msg historyRerunDoneMsg) tea.Cmd {
	if msg.outcome.scoreErr != nil {
		return notifyErr(fmt.Errorf("suite run %s finished, but grading it failed, so its scores are missing: %w", r.id, msg.outcome.scoreErr))
	}
	passed, judged := 0, 0
	var weakest *eval.Group
	for i, g := range msg.groups {
		passed += g.Passed
		judged += g.Judged
		if g.Judged > 0 && (weakest == nil || g.PassRate < weakest.PassRate) {
			weakest = &msg.groups[i]
		}
	}
	text := "suite run " + r.id + " done: "
	if judged == 0 {
		text += "no cell got a verdict"
		if r.unchecked {
			text += " (the suite has no checks)"
		}
	} else {
		text += itoa(passed) + "/" + itoa(judged) + " passed (" + pctText(float64(passed)/float64(judged)) + ")"
	}
	if msg.failed > 0 {
		if msg.failed == 1 {
			text += "; 1 call failed: " + msg.firstErr
		} else {
			text += "; " + itoa(msg.failed) + " calls failed, first: " + msg.firstErr
		}
	}
	if len(msg.groups) > 1 && weakest != nil {
		text += "; lowest " + weakest.Version.Ref() + " on " + weakest.Target + " " + pctText(weakest.PassRate)
	}
	if msg.failed > 0 {
		return notifyErr(errors.New(oneLine(text)))
	}
	return notify(oneLine(text + " · enter opens it in Results"))
}

// splitList splits a list typed with spaces or commas.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
}

// checkRefList accepts one or more prompt refs.
func checkRefList(s string) error {
	refs := splitList(s)
	if len(refs) == 0 {
		return errors.New("give at least one version, e.g. NAME or NAME@production")
	}
	for _, r := range refs {
		if _, err := prompt.ParseRef(r); err != nil {
			return err
		}
	}
	return nil
}
