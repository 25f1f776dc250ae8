package runner

import (
	"context"

	"whet/prompt"
)

// VersionReader reads a prompt version's content by its id. The store
// implements it.
type VersionReader interface {
	VersionByID(ctx context.Context, id int64) (prompt.Version, error)
}

// PlanOf is the plan that executes run, a run already recorded (to resume
// it) or built from one (to repeat it): run with the content of each of its
// versions, read through vr.
func PlanOf(ctx context.Context, vr VersionReader, run prompt.Run) (Plan, error) {
	plan := Plan{Run: run, Versions: make(map[int64]prompt.Version, len(run.Versions))}
	for _, rv := range run.Versions {
		v, err := vr.VersionByID(ctx, rv.VersionID)
		if err != nil {
			return plan, err
		}
		plan.Versions[v.ID] = v
	}
	return plan, nil
}

// DriftRerun is base's plan as a new run that checks it for drift (`whet
// drift`, D in the TUI's Runs): the same versions, targets, cases (with
// their checks), repeats and suite, never from the cache, from source
// "drift", with a note naming base and then note when one is given. The
// caller creates it in the store.
func DriftRerun(base prompt.Run, author, note string) prompt.Run {
	n := prompt.DriftNotePrefix + base.ID
	if note != "" {
		n += ": " + note
	}
	return prompt.Run{
		Source: "drift", Suite: base.Suite, Versions: base.Versions, Targets: base.Targets,
		Cases: base.Cases, Repeat: base.Repeat, Author: author, Note: n, NoCache: true,
	}
}

// TargetError is a target spec that cannot be run now, and why.
type TargetError struct {
	Spec string
	Err  error
}

func (e *TargetError) Error() string { return "target " + e.Spec + ": " + e.Err.Error() }

func (e *TargetError) Unwrap() error { return e.Err }

// CheckTargets reports the first of specs that cannot be run now, as a
// *TargetError: the spec does not resolve (an alias or provider the config
// no longer has), its provider cannot be set up, or it needs an API key
// and none is set (only environment variables are read: an api_key_cmd is
// run by the calls, not here). It calls no model.
func CheckTargets(ts Targets, specs []string) error {
	for _, s := range specs {
		t, err := ts.Resolve(s)
		var p Provider
		if err == nil {
			p, err = ts.Provider(t.Provider)
		}
		if kc, ok := p.(keyChecker); ok && err == nil {
			err = kc.MissingKey()
		}
		if err != nil {
			return &TargetError{Spec: s, Err: err}
		}
	}
	return nil
}
