package runner

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"whet/config"
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

func TestCheckTargetsKeys(t *testing.T) {
	for _, k := range []string{"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GOOGLE_API_KEY", "GEMINI_API_KEY", "LOCAL_API_KEY", "GROQ_API_KEY"} {
		t.Setenv(k, "")
	}
	cfg, err := config.Parse("keys.yaml", []byte(`providers:
  local: {type: openai, base_url: "http://127.0.0.1:8000/v1"}
  groq: {type: openai, base_url: "https://api.groq.com/openai/v1", api_key_env: GROQ_API_KEY}
  vault: {type: anthropic, api_key_cmd: "exit 1"}
`), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	reg := NewRegistry(cfg)
	// A local OpenAI-compatible server may need no key; a command is not
	// run before a call needs it.
	if err := CheckTargets(reg, []string{"local:m", "echo", "ollama:llama3.2", "vault:claude"}); err != nil {
		t.Fatalf("targets that need no key set now: %v", err)
	}
	for spec, want := range map[string]string{
		"openai:gpt-4o-mini":      "set OPENAI_API_KEY",
		"anthropic:claude-haiku":  "set ANTHROPIC_API_KEY",
		"gemini:gemini-2.5-flash": "set GOOGLE_API_KEY or GEMINI_API_KEY",
	} {
		var te *TargetError
		err := CheckTargets(reg, []string{"echo", spec})
		if !errors.As(err, &te) || te.Spec != spec || !errors.Is(err, ErrNoKey) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", spec, err)
		}
	}
	t.Setenv("ANTHROPIC_API_KEY", "sk-ant-x")
	if err := CheckTargets(reg, []string{"anthropic:claude-haiku"}); err != nil {
		t.Errorf("with the key set: %v", err)
	}
}
