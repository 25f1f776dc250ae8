package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"whet/prompt"
)

func TestTagsMoveAndKeepHistory(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	mustCreate(t, s, "summary", "1")
	mustSave(t, s, "summary", "2")
	mustSave(t, s, "summary", "3")
	protected := []string{"production"}
	at := func(n int) prompt.Ref { return prompt.Ref{Name: "summary", Number: n} }

	steps := []struct {
		name        string
		ref         prompt.Ref
		tag         string
		force       bool
		wantPrev    int // 0 = none
		wantErr     error
		wantMsg     string
		wantCurrent int
	}{
		{name: "new tag", ref: at(1), tag: "production", wantCurrent: 1},
		{name: "same version is a no-op", ref: at(1), tag: "production", wantPrev: 1, wantCurrent: 1},
		{name: "protected without force", ref: at(3), tag: "production", wantErr: ErrProtectedTag,
			wantMsg: `tag "production" is protected and points at summary@1: use --force to move it to summary@3`, wantCurrent: 1},
		{name: "protected with force", ref: at(3), tag: "production", force: true, wantPrev: 1, wantCurrent: 3},
		{name: "unprotected moves freely", ref: at(2), tag: "staging", wantCurrent: 2},
		{name: "unprotected move", ref: at(3), tag: "staging", wantPrev: 2, wantCurrent: 3},
		{name: "tag the latest", ref: prompt.Ref{Name: "summary"}, tag: "beta", wantCurrent: 3},
		{name: "invalid tag", ref: at(1), tag: "v2", wantMsg: "invalid tag", wantCurrent: 0},
		{name: "hash-like tag", ref: at(1), tag: "abcdef", wantMsg: "invalid tag", wantCurrent: 0},
		{name: "unknown version", ref: at(9), tag: "x", wantErr: ErrNotFound, wantCurrent: 0},
	}
	for _, st := range steps {
		prev, hadPrev, err := s.SetTag(ctx, st.ref, st.tag, st.force, protected, "ann")
		if st.wantErr != nil || st.wantMsg != "" {
			if err == nil {
				t.Errorf("%s: no error", st.name)
			} else if st.wantErr != nil && !errors.Is(err, st.wantErr) || !strings.Contains(err.Error(), st.wantMsg) {
				t.Errorf("%s: error %v, want %v containing %q", st.name, err, st.wantErr, st.wantMsg)
			}
		} else if err != nil {
			t.Errorf("%s: %v", st.name, err)
		} else if hadPrev != (st.wantPrev > 0) || prev.Number != st.wantPrev {
			t.Errorf("%s: prev = %d (had %v), want %d", st.name, prev.Number, hadPrev, st.wantPrev)
		}
		if st.wantCurrent > 0 {
			p, err := s.GetPrompt(ctx, "summary")
			if err != nil {
				t.Fatal(err)
			}
			if p.Tags[st.tag] != st.wantCurrent {
				t.Errorf("%s: %s now at %d, want %d", st.name, st.tag, p.Tags[st.tag], st.wantCurrent)
			}
		}
	}

	if err := s.RemoveTag(ctx, "summary", "production", false, protected, "bob"); !errors.Is(err, ErrProtectedTag) ||
		!strings.Contains(err.Error(), "--force") {
		t.Errorf("remove protected without force: %v", err)
	}
	if err := s.RemoveTag(ctx, "summary", "staging", false, protected, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveTag(ctx, "summary", "staging", false, protected, "bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing an absent tag: %v", err)
	}
	if _, err := s.Resolve(ctx, prompt.Ref{Name: "summary", Tag: "staging"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("a removed tag still resolves: %v", err)
	}
	p, _ := s.GetPrompt(ctx, "summary")
	if fmt.Sprint(p.Tags) != "map[beta:3 production:3]" {
		t.Errorf("tags = %v", p.Tags)
	}
	vs, err := s.Versions(ctx, "summary")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(vs[0].Tags) != "[beta production]" || len(vs[1].Tags) != 0 || len(vs[2].Tags) != 0 {
		t.Errorf("version tags: 3=%v 2=%v 1=%v", vs[0].Tags, vs[1].Tags, vs[2].Tags)
	}

	hist, err := s.TagHistory(ctx, "summary")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range hist {
		got = append(got, fmt.Sprintf("%s=%d by %s", m.Tag, m.Version, m.Author))
		if m.At.IsZero() {
			t.Errorf("move without time: %+v", m)
		}
	}
	want := "staging=0 by bob, beta=3 by ann, staging=3 by ann, staging=2 by ann, production=3 by ann, production=1 by ann"
	if strings.Join(got, ", ") != want {
		t.Errorf("history:\n%s\nwant\n%s", strings.Join(got, ", "), want)
	}
	// A tag set again after removal starts fresh: no previous version.
	prev, hadPrev, err := s.SetTag(ctx, at(1), "staging", false, protected, "cat")
	if err != nil || hadPrev || prev.Number != 0 {
		t.Errorf("re-set removed tag: %v %v %v", prev.Number, hadPrev, err)
	}
}

func TestTagsBelongToTheirPrompt(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	a := mustCreate(t, s, "a", "1")
	b := mustCreate(t, s, "b", "1")
	if _, err := s.w.Exec(`INSERT INTO tag_events (prompt_id, tag, version_id, created) VALUES (?, 'x', ?, 0)`, a.PromptID, b.ID); err == nil {
		t.Error("a tag of prompt a pointing at a version of b was stored")
	}
	if _, _, err := s.SetTag(ctx, prompt.Ref{Name: "a"}, "x", false, nil, ""); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.GetPrompt(ctx, "b"); len(p.Tags) != 0 {
		t.Errorf("b has tags %v", p.Tags)
	}
}

// TestLatestIsNeverATag: "latest" names the newest version, so it cannot be
// set as a tag; one an older whet stored is shadowed by @latest but can
// still be removed.
func TestLatestIsNeverATag(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	v1 := mustCreate(t, s, "a", "1")
	for _, tag := range []string{"latest", "Latest"} {
		if _, _, err := s.SetTag(ctx, prompt.Ref{Name: "a"}, tag, false, nil, ""); err == nil || !strings.Contains(err.Error(), "newest version") {
			t.Errorf("SetTag(%q) = %v, want refused", tag, err)
		}
	}
	if _, err := s.w.Exec(`INSERT INTO tag_events (prompt_id, tag, version_id, created) VALUES (?, 'latest', ?, 0)`, v1.PromptID, v1.ID); err != nil {
		t.Fatal(err)
	}
	mustSave(t, s, "a", "2")
	ref, err := prompt.ParseRef("a@latest")
	if err != nil {
		t.Fatal(err)
	}
	if v, err := s.Resolve(ctx, ref); err != nil || v.Number != 2 {
		t.Errorf("a@latest = @%d, %v; want @2", v.Number, err)
	}
	if err := s.RemoveTag(ctx, "a", "latest", false, nil, ""); err != nil {
		t.Errorf("removing an old latest tag: %v", err)
	}
}
