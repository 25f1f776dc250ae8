package runner

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"whet/prompt"
)

type memVersions map[int64]prompt.Version

func (m memVersions) VersionByID(_ context.Context, id int64) (prompt.Version, error) {
	v, ok := m[id]
	if !ok {
		return prompt.Version{}, errors.New("no version " + strconv.FormatInt(id, 10))
	}
	return v, nil
}

func TestDriftRerunAndPlanOf(t *testing.T) {
	th := 0.5
	base := prompt.Run{
		ID: "base1", Source: "cli", Suite: "names", Status: prompt.RunDone, Author: "ana", Note: "nightly", ForceCache: true,
		Versions: []prompt.RunVersion{{VersionID: 1, Prompt: "greet", Number: 1}, {VersionID: 2, Prompt: "greet", Number: 2}},
		Targets:  []string{"echo", "ollama:llama3.2"},
		Cases:    []prompt.Case{{Name: "a", Vars: map[string]string{"name": "Ana"}, Checks: []prompt.Check{{Type: "icontains", Value: "Ana"}}, Threshold: &th}},
		Repeat:   3,
	}
	r := DriftRerun(base, "bo", "after the upgrade")
	want := prompt.Run{Source: "drift", Suite: "names", Versions: base.Versions, Targets: base.Targets, Cases: base.Cases,
		Repeat: 3, Author: "bo", Note: "drift check of run base1: after the upgrade", NoCache: true}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("DriftRerun =\n%+v\nwant\n%+v", r, want)
	}
	if r := DriftRerun(base, "bo", ""); r.Note != "drift check of run base1" {
		t.Fatalf("note without one given = %q", r.Note)
	}

	vs := memVersions{1: {ID: 1, Prompt: "greet", Number: 1}, 2: {ID: 2, Prompt: "greet", Number: 2}}
	plan, err := PlanOf(context.Background(), vs, r)
	if err != nil || len(plan.Versions) != 2 || plan.Versions[2].Number != 2 || plan.Run.Note != r.Note {
		t.Fatalf("PlanOf = %+v, %v", plan, err)
	}
	delete(vs, 2)
	if _, err := PlanOf(context.Background(), vs, r); err == nil || !strings.Contains(err.Error(), "no version 2") {
		t.Fatalf("PlanOf with a version missing: %v", err)
	}
}

func TestCheckTargets(t *testing.T) {
	ts := execTargets(&execFakeProvider{name: "echo"}, &execFakeProvider{name: "box"})
	if err := CheckTargets(ts, []string{"echo:a", "box:b"}); err != nil {
		t.Fatal(err)
	}
	var te *TargetError
	err := CheckTargets(ts, []string{"echo:a", "gone:m"})
	if !errors.As(err, &te) || te.Spec != "gone:m" || err.Error() != `target gone:m: unknown provider "gone"` {
		t.Fatalf("unknown provider: %v", err)
	}
	ts.broken = map[string]error{"box": errors.New("provider box: bad base_url")}
	err = CheckTargets(ts, []string{"echo:a", "box:b"})
	if !errors.As(err, &te) || te.Spec != "box:b" || !strings.Contains(err.Error(), "bad base_url") {
		t.Fatalf("a provider that cannot be set up: %v", err)
	}
}
