package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"whet/prompt"
)

func TestCreatePrompt(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	temp := 0.2
	v, err := s.CreatePrompt(ctx,
		NewPrompt{Name: "support/reply", Description: "answers tickets",
			Labels: prompt.Labels{"Team": " support ", "tone": "warm"}, Defaults: map[string]string{"ticket": "my printer"}},
		NewVersion{Messages: msgs("be kind", "{{ticket}}"), Params: prompt.Params{Temperature: &temp}, Note: "first", Author: "ann"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Number != 1 || v.Parent != 0 || v.Prompt != "support/reply" || v.ID == 0 || v.Author != "ann" || v.Note != "first" {
		t.Errorf("version = %+v", v)
	}
	if want := (prompt.Content{Messages: msgs("be kind", "{{ticket}}"), Params: prompt.Params{Temperature: &temp}}).Hash(); v.Hash != want {
		t.Errorf("hash = %s, want %s", v.Hash, want)
	}
	p, err := s.GetPrompt(ctx, "SUPPORT/Reply")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "support/reply" || p.Description != "answers tickets" || p.Latest != 1 || p.LatestHash != v.Hash || p.Archived {
		t.Errorf("prompt = %+v", p)
	}
	if !reflect.DeepEqual(p.Labels, prompt.Labels{"team": "support", "tone": "warm"}) {
		t.Errorf("labels = %v", p.Labels)
	}
	if !reflect.DeepEqual(p.Defaults, map[string]string{"ticket": "my printer"}) {
		t.Errorf("defaults = %v", p.Defaults)
	}
	if p.CreatedAt.IsZero() || !p.CreatedAt.Equal(v.Created) {
		t.Errorf("created %v, version created %v", p.CreatedAt, v.Created)
	}
	got, err := s.Resolve(ctx, prompt.Ref{Name: "support/reply", Number: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Messages, v.Messages) || got.Params.Temperature == nil || *got.Params.Temperature != temp ||
		!got.Created.Equal(v.Created) || got.Content().Hash() != v.Hash {
		t.Errorf("stored version %+v differs from returned %+v", got, v)
	}

	for _, tc := range []struct {
		name    string
		p       NewPrompt
		wantErr error
		wantMsg string
	}{
		{"exact duplicate", NewPrompt{Name: "support/reply"}, ErrExists, `prompt "support/reply" already exists`},
		{"duplicate ignoring case", NewPrompt{Name: "Support/Reply"}, ErrExists, `already exists as "support/reply"`},
		{"invalid name", NewPrompt{Name: "bad name!"}, nil, "invalid prompt name"},
		{"empty name", NewPrompt{Name: ""}, nil, "empty prompt name"},
		{"bad label key", NewPrompt{Name: "x", Labels: prompt.Labels{"9x": "y"}}, nil, "invalid label key"},
		{"empty label value", NewPrompt{Name: "x", Labels: prompt.Labels{"team": " "}}, nil, "empty value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreatePrompt(ctx, tc.p, NewVersion{Messages: msgs("a", "b")})
			if err == nil {
				t.Fatal("no error")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %v is not %v", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tc.wantMsg)
			}
		})
	}
	if _, err := s.GetPrompt(ctx, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a failed create left prompt x behind: %v", err)
	}
}

func TestSaveVersionNumbersAndDedupes(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	mustCreate(t, s, "summary", "one")

	steps := []struct {
		user        string
		wantNumber  int
		wantParent  int
		wantCreated bool
	}{
		{"two", 2, 1, true},
		{"two", 2, 1, false}, // identical to the latest: nothing saved
		{"three", 3, 2, true},
		{"one", 4, 3, true}, // identical to an older version: a new version
		{"one", 4, 3, false},
	}
	for i, st := range steps {
		v, created, err := s.SaveVersion(ctx, "Summary", NewVersion{Messages: msgs("sys", st.user), Author: "bob", Note: fmt.Sprint("step ", i)})
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if created != st.wantCreated || v.Number != st.wantNumber || v.Parent != st.wantParent || v.Prompt != "summary" {
			t.Errorf("step %d (%q): got number %d parent %d created %v, want %d %d %v",
				i, st.user, v.Number, v.Parent, created, st.wantNumber, st.wantParent, st.wantCreated)
		}
	}
	// Params are content too.
	seed := int64(7)
	v, created, err := s.SaveVersion(ctx, "summary", NewVersion{Messages: msgs("sys", "one"), Params: prompt.Params{Seed: &seed}})
	if err != nil || !created || v.Number != 5 {
		t.Errorf("params change: %+v created=%v err=%v", v, created, err)
	}

	vs, err := s.Versions(ctx, "summary")
	if err != nil {
		t.Fatal(err)
	}
	var nums []int
	for _, v := range vs {
		nums = append(nums, v.Number)
	}
	if fmt.Sprint(nums) != "[5 4 3 2 1]" {
		t.Errorf("Versions numbers = %v, want newest first", nums)
	}
	if vs[4].Hash != vs[1].Hash {
		t.Errorf("v1 and v4 have the same content but hashes %s and %s", vs[4].Hash, vs[1].Hash)
	}

	if _, _, err := s.SaveVersion(ctx, "sumary", NewVersion{Messages: msgs("a", "b")}); !errors.Is(err, ErrNotFound) ||
		!strings.Contains(err.Error(), `did you mean "summary"`) {
		t.Errorf("save to unknown prompt: %v", err)
	}
}

// findContent finds a user message (tag-0, tag-1, …) whose version hash
// accept approves, and returns it with the hash.
func findContent(tag string, accept func(hash string) bool) (string, string) {
	for i := 0; ; i++ {
		user := fmt.Sprintf("%s-%d", tag, i)
		h := prompt.Content{Messages: msgs("sys", user)}.Hash()
		if accept(h) {
			return user, h
		}
	}
}

func TestResolve(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	v1 := mustCreate(t, s, "summary", "one")
	v2 := mustSave(t, s, "summary", "two")
	// Two versions whose hashes share their first 6 hex digits.
	seen := map[string]string{}
	var userA, userB, shared string
	for i := 0; userB == ""; i++ {
		user := fmt.Sprintf("collide-%d", i)
		h := prompt.Content{Messages: msgs("sys", user)}.Hash()
		if prev, ok := seen[h[:6]]; ok {
			userA, userB, shared = prev, user, h[:6]
		}
		seen[h[:6]] = user
	}
	v3 := mustSave(t, s, "summary", userA)
	v4 := mustSave(t, s, "summary", userB)
	// A version whose hash starts with 6 decimal digits, so that the ref
	// summary@<digits> is first read as a (missing) number, then a hash.
	digitsUser, digitsHash := findContent("digits", func(h string) bool {
		return strings.Trim(h[:7], "0123456789") == "" && h[0] != '0'
	})
	v5 := mustSave(t, s, "summary", digitsUser)
	v6 := mustSave(t, s, "summary", "six")
	if _, _, err := s.SetTag(ctx, prompt.Ref{Name: "summary", Number: 2}, "production", false, nil, "ann"); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, "translate", "x")

	for _, tc := range []struct {
		ref      string
		want     prompt.Version
		wantErr  error
		wantMsgs []string
	}{
		{ref: "summary", want: v6},
		{ref: "SUMMARY", want: v6},
		{ref: "summary@1", want: v1},
		{ref: "summary@v2", want: v2},
		{ref: "summary@production", want: v2},
		{ref: "summary@" + v1.Hash[:6], want: v1},
		{ref: "summary@" + strings.ToUpper(v3.Hash[:12]), want: v3},
		{ref: "summary@" + v4.Hash, want: v4},
		{ref: "summary@" + digitsHash[:7], want: v5},
		{ref: "summary@" + shared, wantErr: ErrAmbiguous, wantMsgs: []string{"summary@3 (" + v3.Hash[:12] + ")", "summary@4 (" + v4.Hash[:12] + ")", "more digits"}},
		{ref: "sumary@2", wantErr: ErrNotFound, wantMsgs: []string{`no prompt named "sumary" (did you mean "summary"?)`}},
		{ref: "nothing-like-it", wantErr: ErrNotFound, wantMsgs: []string{`no prompt named "nothing-like-it"`}},
		{ref: "summary@9", wantErr: ErrNotFound, wantMsgs: []string{`no version "summary@9"`, "versions 1 to 6"}},
		{ref: "summary@prod", wantErr: ErrNotFound, wantMsgs: []string{`no tag "summary@prod" (did you mean "summary@production"?)`}},
		{ref: "summary@staging", wantErr: ErrNotFound, wantMsgs: []string{"has tags production"}},
		{ref: "summary@abcdef0", wantErr: ErrNotFound, wantMsgs: []string{`no version "summary@abcdef0"`, "no version of summary has a content hash starting abcdef0"}},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			ref, err := prompt.ParseRef(tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Resolve(ctx, ref)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error %v, want %v", err, tc.wantErr)
				}
				for _, m := range tc.wantMsgs {
					if !strings.Contains(err.Error(), m) {
						t.Errorf("error %q does not contain %q", err, m)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != tc.want.ID || got.Number != tc.want.Number || got.Prompt != "summary" {
				t.Errorf("resolved to %s (id %d), want %s (id %d)", got.Ref(), got.ID, tc.want.Ref(), tc.want.ID)
			}
		})
	}
	var nf *NotFoundError
	_, err := s.Resolve(ctx, prompt.Ref{Name: "sumary"})
	if !errors.As(err, &nf) || nf.Kind != "prompt" || nf.Suggestion != "summary" {
		t.Errorf("unknown prompt: %#v", err)
	}
	got, err := s.Resolve(ctx, prompt.Ref{Name: "summary", Tag: "production"})
	if err != nil || fmt.Sprint(got.Tags) != "[production]" {
		t.Errorf("resolved tags = %v, %v", got.Tags, err)
	}
	byID, err := s.VersionByID(ctx, v2.ID)
	if err != nil || byID.Ref() != "summary@2" || fmt.Sprint(byID.Tags) != "[production]" || !reflect.DeepEqual(byID.Messages, v2.Messages) {
		t.Errorf("VersionByID = %+v, %v", byID, err)
	}
	if _, err := s.VersionByID(ctx, 9999); !errors.Is(err, ErrNotFound) {
		t.Errorf("VersionByID(9999) = %v", err)
	}
}

func TestLabelsAndListFilter(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	for _, name := range []string{"b-reply", "a-summary", "C-classify"} {
		mustCreate(t, s, name, name)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.SetLabels(ctx, "a-summary", map[string]string{"team": "Support", "tone": "dry"}, nil, "ann"))
	must(s.SetLabels(ctx, "b-reply", map[string]string{"team": "support", "tone": "warm"}, nil, "ann"))
	must(s.SetLabels(ctx, "C-classify", map[string]string{"Team": "ml"}, nil, "ann"))
	must(s.SetLabels(ctx, "b-reply", map[string]string{"owner": "bob"}, []string{"tone", "absent"}, "ann"))

	p, err := s.GetPrompt(ctx, "b-reply")
	must(err)
	if !reflect.DeepEqual(p.Labels, prompt.Labels{"team": "support", "owner": "bob"}) {
		t.Errorf("b-reply labels = %v", p.Labels)
	}
	if err := s.SetLabels(ctx, "b-reply", map[string]string{"bad key": "x"}, nil, "ann"); err == nil {
		t.Error("an invalid label key was accepted")
	}

	for _, tc := range []struct {
		labels map[string]string
		want   string
	}{
		{nil, "a-summary b-reply C-classify"},
		{map[string]string{"team": "support"}, "a-summary b-reply"},
		{map[string]string{"TEAM": "SUPPORT"}, "a-summary b-reply"},
		{map[string]string{"team": "support", "tone": "dry"}, "a-summary"},
		{map[string]string{"team": "support", "tone": "warm"}, ""},
		{map[string]string{"team": "ml"}, "C-classify"},
		{map[string]string{"nope": "x"}, ""},
	} {
		ps, err := s.ListPrompts(ctx, ListOptions{Labels: tc.labels})
		must(err)
		var names []string
		for _, p := range ps {
			names = append(names, p.Name)
		}
		if got := strings.Join(names, " "); got != tc.want {
			t.Errorf("ListPrompts(%v) = %q, want %q", tc.labels, got, tc.want)
		}
	}
}

func TestListPromptsFillsFields(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	mustCreate(t, s, "one", "a")
	mustSave(t, s, "one", "b")
	v3 := mustSave(t, s, "one", "c")
	mustCreate(t, s, "two", "a")
	if _, _, err := s.SetTag(ctx, prompt.Ref{Name: "one", Number: 2}, "prod", false, nil, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SetTag(ctx, prompt.Ref{Name: "one"}, "beta", false, nil, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SetTag(ctx, prompt.Ref{Name: "one", Number: 1}, "gone", false, nil, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveTag(ctx, "one", "gone", false, nil, ""); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDefaults(ctx, "one", map[string]string{"x": "1"}, ""); err != nil {
		t.Fatal(err)
	}
	ps, err := s.ListPrompts(ctx, ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 {
		t.Fatalf("%d prompts", len(ps))
	}
	one, err := s.GetPrompt(ctx, "one")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ps[0], one) {
		t.Errorf("ListPrompts and GetPrompt differ:\n%+v\n%+v", ps[0], one)
	}
	if one.Latest != 3 || one.LatestHash != v3.Hash || !reflect.DeepEqual(one.Tags, map[string]int{"prod": 2, "beta": 3}) ||
		one.Defaults["x"] != "1" {
		t.Errorf("one = %+v", one)
	}
	if ps[1].Latest != 1 || len(ps[1].Tags) != 0 || ps[1].Labels == nil {
		t.Errorf("two = %+v", ps[1])
	}
}

func TestArchive(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	mustCreate(t, s, "keep", "a")
	mustCreate(t, s, "old", "a")
	if err := s.Archive(ctx, "OLD", "ann"); err != nil {
		t.Fatal(err)
	}
	names := func(o ListOptions) string {
		ps, err := s.ListPrompts(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, p := range ps {
			n = append(n, fmt.Sprintf("%s:%v", p.Name, p.Archived))
		}
		return strings.Join(n, " ")
	}
	if got := names(ListOptions{}); got != "keep:false" {
		t.Errorf("ListPrompts = %q", got)
	}
	if got := names(ListOptions{IncludeArchived: true}); got != "keep:false old:true" {
		t.Errorf("ListPrompts(IncludeArchived) = %q", got)
	}
	_, _, err := s.SaveVersion(ctx, "old", NewVersion{Messages: msgs("a", "changed")})
	if !errors.Is(err, ErrArchived) || !strings.Contains(err.Error(), `"old" is archived`) {
		t.Errorf("save to archived prompt: %v", err)
	}
	if v, err := s.Resolve(ctx, prompt.Ref{Name: "old"}); err != nil || v.Number != 1 {
		t.Errorf("an archived prompt's versions stay readable: %v %v", v, err)
	}
	if _, err := s.CreatePrompt(ctx, NewPrompt{Name: "old"}, NewVersion{}); !errors.Is(err, ErrExists) {
		t.Errorf("an archived prompt's name was reused: %v", err)
	}
	if err := s.Unarchive(ctx, "old", "ann"); err != nil {
		t.Fatal(err)
	}
	if _, created, err := s.SaveVersion(ctx, "old", NewVersion{Messages: msgs("a", "changed")}); err != nil || !created {
		t.Errorf("save after unarchive: %v %v", created, err)
	}
}

func TestAuditRecordsEveryChange(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.CreatePrompt(ctx, NewPrompt{Name: "summary"}, NewVersion{Messages: msgs("s", "1"), Author: "ann", Note: "start"})
	must(err)
	_, err = s.CreatePrompt(ctx, NewPrompt{Name: "imported"}, NewVersion{Messages: msgs("s", "1"), Author: "imp", Action: ActionImport})
	must(err)
	_, _, err = s.SaveVersion(ctx, "summary", NewVersion{Messages: msgs("s", "2"), Author: "bob", Note: "shorter"})
	must(err)
	_, _, err = s.SaveVersion(ctx, "summary", NewVersion{Messages: msgs("s", "2"), Author: "bob"}) // no change
	must(err)
	_, _, err = s.SaveVersion(ctx, "summary", NewVersion{Messages: msgs("s", "1"), Author: "cat", Action: ActionRestore, Note: "back to 1"})
	must(err)
	_, _, err = s.SetTag(ctx, prompt.Ref{Name: "summary", Number: 1}, "production", false, []string{"production"}, "dan")
	must(err)
	_, _, err = s.SetTag(ctx, prompt.Ref{Name: "summary"}, "production", true, []string{"production"}, "dan")
	must(err)
	must(s.RemoveTag(ctx, "summary", "production", true, []string{"production"}, "eve"))
	must(s.SetLabels(ctx, "summary", map[string]string{"team": "a"}, nil, "fay"))
	must(s.SetLabels(ctx, "summary", map[string]string{"tone": "b"}, []string{"team"}, "fay"))
	must(s.SetLabels(ctx, "summary", map[string]string{"tone": "b"}, nil, "fay")) // no change
	must(s.SetDescription(ctx, "summary", "sums up", "gus"))
	must(s.SetDefaults(ctx, "summary", map[string]string{"text": "hi"}, "hal"))
	must(s.Archive(ctx, "summary", "ivy"))
	must(s.Archive(ctx, "summary", "ivy")) // no change
	must(s.Unarchive(ctx, "summary", "jon"))

	want := []string{
		"jon unarchive summary archived -> active",
		"ivy archive summary active -> archived",
		`hal defaults summary {} -> {"text":"hi"}`,
		"gus describe summary  -> sums up",
		"fay labels summary team=a -> tone=b",
		"fay labels summary  -> team=a",
		"eve untag summary production: summary@3 ->  [forced (protected tag)]",
		"dan tag summary production: summary@1 -> production: summary@3 [forced (protected tag)]",
		"dan tag summary  -> production: summary@1",
		"cat restore summary summary@2 -> summary@3 [back to 1]",
		"bob version summary summary@1 -> summary@2 [shorter]",
		"ann create summary  -> summary@1 [start]",
	}
	entries, err := s.Audit(ctx, "Summary", 0)
	must(err)
	var got []string
	for _, e := range entries {
		line := fmt.Sprintf("%s %s %s %s -> %s", e.Who, e.Action, e.Prompt, e.Before, e.After)
		if e.Detail != "" {
			line += " [" + e.Detail + "]"
		}
		if e.At.IsZero() || e.ID == 0 {
			t.Errorf("entry without time or id: %+v", e)
		}
		got = append(got, line)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit of summary:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	all, err := s.Audit(ctx, "", 0)
	must(err)
	if len(all) != len(want)+1 || all[len(all)-2].Action != ActionImport || all[len(all)-2].Who != "imp" {
		t.Errorf("full audit has %d entries; import entry %+v", len(all), all[len(all)-2])
	}
	limited, err := s.Audit(ctx, "", 2)
	must(err)
	if len(limited) != 2 || limited[0].Action != ActionUnarchive {
		t.Errorf("Audit limit 2 = %+v", limited)
	}
	if _, err := s.Audit(ctx, "sumary", 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("audit of unknown prompt: %v", err)
	}
}

func TestUpdateComposesOneTransaction(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx *Tx) error {
		if _, err := tx.CreatePrompt(ctx, NewPrompt{Name: "a"}, NewVersion{Messages: msgs("s", "1")}); err != nil {
			return err
		}
		if _, _, err := tx.SaveVersion(ctx, "a", NewVersion{Messages: msgs("s", "2")}); err != nil {
			return err
		}
		if v, err := tx.Resolve(ctx, prompt.Ref{Name: "a"}); err != nil || v.Number != 2 {
			return fmt.Errorf("inside the transaction: %v %v", v, err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v", err)
	}
	if _, err := s.GetPrompt(ctx, "a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("rolled-back prompt exists: %v", err)
	}
	if entries, _ := s.Audit(ctx, "", 0); len(entries) != 0 {
		t.Errorf("rolled-back audit rows: %+v", entries)
	}
	err = s.Update(ctx, func(tx *Tx) error {
		for i := range 3 {
			if _, err := tx.CreatePrompt(ctx, NewPrompt{Name: fmt.Sprint("p", i)}, NewVersion{Messages: msgs("s", "1")}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if ps, _ := s.ListPrompts(ctx, ListOptions{}); len(ps) != 3 {
		t.Errorf("%d prompts after a committed Update, want 3", len(ps))
	}
}

func TestRenamePrompt(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	v1 := mustCreate(t, s, "reply", "one")
	mustSave(t, s, "reply", "two")
	mustCreate(t, s, "other", "x")
	if _, _, err := s.SetTag(ctx, prompt.Ref{Name: "reply", Number: 1}, "production", false, nil, "ann"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateSuite(ctx, prompt.Suite{Name: "reply-cases", Prompt: "reply"}, "ann"); err != nil {
		t.Fatal(err)
	}
	run := prompt.Run{Source: "cli", Versions: []prompt.RunVersion{{VersionID: v1.ID, Prompt: "reply", Number: 1, Hash: v1.Hash}}, Targets: []string{"echo"}, Repeat: 1}
	if err := s.CreateRun(ctx, &run); err != nil {
		t.Fatal(err)
	}

	if _, err := s.RenamePrompt(ctx, "REPLY", " support/reply ", "bob"); err != nil {
		t.Fatal(err)
	}
	// Versions, tags, suites and runs follow the prompt.
	v, err := s.Resolve(ctx, prompt.Ref{Name: "support/reply", Tag: "production"})
	if err != nil || v.ID != v1.ID || v.Prompt != "support/reply" {
		t.Fatalf("support/reply@production = %+v, %v", v, err)
	}
	if vs, err := s.Versions(ctx, "support/reply"); err != nil || len(vs) != 2 {
		t.Fatalf("versions after rename: %d, %v", len(vs), err)
	}
	if su, err := s.GetSuite(ctx, "reply-cases"); err != nil || su.Prompt != "support/reply" {
		t.Fatalf("suite after rename: %+v, %v", su, err)
	}
	if runs, err := s.ListRuns(ctx, RunFilter{Prompt: "support/reply"}); err != nil || len(runs) != 1 {
		t.Fatalf("runs of the renamed prompt: %d, %v", len(runs), err)
	}
	if _, err := s.Resolve(ctx, prompt.Ref{Name: "reply"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the old name still resolves: %v", err)
	}
	a, err := s.Audit(ctx, "support/reply", 1)
	if err != nil || len(a) != 1 || a[0].Action != ActionRename || a[0].Before != "reply" || a[0].After != "support/reply" || a[0].Who != "bob" || a[0].Prompt != "support/reply" {
		t.Fatalf("audit = %+v, %v", a, err)
	}

	// A change of case is a rename; the same name is none.
	if _, err := s.RenamePrompt(ctx, "support/reply", "Support/Reply", "bob"); err != nil {
		t.Fatal(err)
	}
	n, _ := s.Audit(ctx, "", 0)
	if _, err := s.RenamePrompt(ctx, "support/reply", "Support/Reply", "bob"); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Audit(ctx, "", 0); len(m) != len(n) {
		t.Error("a rename to the same name was audited")
	}
	// Refusals change nothing.
	if _, err := s.RenamePrompt(ctx, "support/reply", "OTHER", "bob"); !errors.Is(err, ErrExists) {
		t.Errorf("rename onto another prompt: %v", err)
	}
	if _, err := s.RenamePrompt(ctx, "support/reply", "bad name!", "bob"); err == nil || !strings.Contains(err.Error(), `invalid prompt name "bad name!"`) {
		t.Errorf("invalid name: %v", err)
	}
	if _, err := s.RenamePrompt(ctx, "nope", "x", "bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown prompt: %v", err)
	}
	if p, err := s.GetPrompt(ctx, "support/reply"); err != nil || p.Name != "Support/Reply" {
		t.Errorf("after refused renames: %+v, %v", p.Name, err)
	}

	// An archived prompt keeps its name, and the refusal says where it is;
	// an archived prompt may itself be renamed.
	if err := s.Archive(ctx, "other", "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RenamePrompt(ctx, "support/reply", "other", "bob"); !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), `prompt "other" already exists: it is archived`) {
		t.Errorf("rename onto an archived prompt: %v", err)
	}
	if _, err := s.RenamePrompt(ctx, "other", "old/other", "bob"); err != nil {
		t.Errorf("renaming an archived prompt: %v", err)
	}
	if p, err := s.GetPrompt(ctx, "old/other"); err != nil || !p.Archived {
		t.Errorf("the renamed archived prompt: %+v, %v", p, err)
	}
}

// TestRenamePromptTakesItsSuite: the suite named like the prompt and
// belonging to it (its prompt file's cases) takes the new name in the same
// rename; a suite already named so keeps its name, and so does the
// prompt's; a suite of the old name that is shared or another prompt's
// stays as it is.
func TestRenamePromptTakesItsSuite(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	for _, n := range []string{"reply", "greet", "plain", "mine"} {
		mustCreate(t, s, n, "x")
	}
	cases := []prompt.Case{{Name: "refund", Vars: map[string]string{"ticket": "refund"}}}
	for _, su := range []prompt.Suite{
		{Name: "reply", Prompt: "reply", Cases: cases},
		{Name: "greet", Prompt: "greet", Cases: cases},
		{Name: "hello", Cases: cases}, // shared, in the way of greet's
		{Name: "plain", Cases: cases}, // shared, named like a prompt
		{Name: "mine", Prompt: "reply", Cases: cases},
	} {
		if _, err := s.CreateSuite(ctx, su, "ann"); err != nil {
			t.Fatal(err)
		}
	}

	got, err := s.RenamePrompt(ctx, "reply", "support/reply", "bob")
	if err != nil || !got.SuiteRenamed || got.SuiteKept {
		t.Fatalf("rename reply: %+v, %v", got, err)
	}
	su, err := s.GetSuite(ctx, "support/reply")
	if err != nil || su.Prompt != "support/reply" || len(su.Cases) != 1 {
		t.Fatalf("the prompt's suite after the rename: %+v, %v", su, err)
	}
	if _, err := s.GetSuite(ctx, "reply"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a suite is still named reply: %v", err)
	}
	a, err := s.Audit(ctx, "support/reply", 0)
	if err != nil || len(a) < 2 || a[0].Action != ActionRename || a[1].Action != ActionSuite || a[1].Detail != "renamed" {
		t.Errorf("audit = %+v, %v", a, err)
	}
	// A case change renames the suite too.
	if got, err := s.RenamePrompt(ctx, "support/reply", "Support/Reply", "bob"); err != nil || !got.SuiteRenamed {
		t.Fatalf("case change: %+v, %v", got, err)
	}
	if su, err := s.GetSuite(ctx, "support/reply"); err != nil || su.Name != "Support/Reply" {
		t.Errorf("suite after a case change: %q, %v", su.Name, err)
	}

	// A suite named like the new name exists: both suites keep their names.
	got, err = s.RenamePrompt(ctx, "greet", "hello", "bob")
	if err != nil || got.SuiteRenamed || !got.SuiteKept {
		t.Fatalf("rename greet: %+v, %v", got, err)
	}
	if su, err := s.GetSuite(ctx, "greet"); err != nil || su.Prompt != "hello" {
		t.Errorf("greet's suite: %+v, %v", su, err)
	}
	if su, err := s.GetSuite(ctx, "hello"); err != nil || su.Prompt != "" {
		t.Errorf("the shared suite hello: %+v, %v", su, err)
	}

	// A shared suite named like the prompt is not the prompt's.
	got, err = s.RenamePrompt(ctx, "plain", "plain2", "bob")
	if err != nil || got.SuiteRenamed || got.SuiteKept {
		t.Fatalf("rename plain: %+v, %v", got, err)
	}
	if _, err := s.GetSuite(ctx, "plain"); err != nil {
		t.Errorf("the shared suite plain: %v", err)
	}
	// Another prompt's suite of that name neither.
	if got, err = s.RenamePrompt(ctx, "mine", "mine2", "bob"); err != nil || got.SuiteRenamed || got.SuiteKept {
		t.Fatalf("rename mine: %+v, %v", got, err)
	}
	if su, err := s.GetSuite(ctx, "mine"); err != nil || su.Prompt != "Support/Reply" {
		t.Errorf("the suite mine: %+v, %v", su, err)
	}
}
