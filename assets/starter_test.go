package assets_test

import (
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing"

	"whet/assets"
	"whet/prompt"
)

// The starter library ships as prompt files under starter/. Every one must
// parse, carry full taxonomy labels, sample values that make it run as-is,
// a few cases, and lint clean.
func TestStarterLibrary(t *testing.T) {
	names, err := fs.Glob(assets.FS(), "starter/*.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 10 {
		t.Fatalf("starter library has %d prompts, want at least 10", len(names))
	}
	seen := map[string]string{}
	fewShot, withExpected := 0, 0
	for _, name := range names {
		t.Run(path.Base(name), func(t *testing.T) {
			data, err := assets.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			f, err := prompt.ParseFile(name, data)
			if err != nil {
				t.Fatal(err)
			}

			if other, dup := seen[strings.ToLower(f.Name)]; dup {
				t.Errorf("name %q is also used by %s", f.Name, other)
			}
			seen[strings.ToLower(f.Name)] = name
			if want := strings.ReplaceAll(f.Name, "/", "-") + ".md"; path.Base(name) != want {
				t.Errorf("file name %s does not match prompt name %q (want %s)", path.Base(name), f.Name, want)
			}
			if strings.TrimSpace(f.Description) == "" {
				t.Error("description is empty")
			}
			for _, k := range prompt.TaxonomyKeys {
				if strings.TrimSpace(f.Labels[k]) == "" {
					t.Errorf("label %q is missing", k)
				}
			}
			if f.Labels["owner"] != "starter" {
				t.Errorf("owner = %q, want starter", f.Labels["owner"])
			}
			if len(f.Tags) > 0 {
				t.Errorf("starter prompts carry no tags, got %v", f.Tags)
			}
			if p := f.Params.Temperature; p == nil || *p < 0 || *p > 0.7 {
				t.Errorf("temperature must be set within 0..0.7, got %v", p)
			}
			if f.Params.MaxTokens == nil {
				t.Error("max_tokens is not set")
			}

			used := prompt.MessagesVariables(f.Messages)
			if len(f.Vars) == 0 || len(used) == 0 {
				t.Errorf("want variables with sample values, got used=%v vars=%v", used, f.Vars)
			}
			for _, v := range used {
				if strings.TrimSpace(f.Vars[v]) == "" {
					t.Errorf("{{%s}} has no sample value", v)
				}
			}
			if _, err := prompt.RenderMessages(f.Messages, f.Vars); err != nil {
				t.Errorf("rendering with the sample vars: %v", err)
			}
			for _, l := range prompt.LintVersion(f.Messages, f.Params, f.Vars) {
				t.Errorf("lint: %s", l)
			}

			if len(f.Cases) < 2 || len(f.Cases) > 4 {
				t.Errorf("want 2-4 cases, got %d", len(f.Cases))
			}
			system := systemText(f.Messages)
			for i, c := range f.Cases {
				label := c.Label(i)
				if c.Name == "" || c.Description == "" {
					t.Errorf("case %s: want a name and a description", label)
				}
				// The executor renders a case with its own vars alone, so
				// each case binds every variable.
				if _, err := prompt.RenderMessages(f.Messages, c.Vars); err != nil {
					t.Errorf("case %s: %v", label, err)
				}
				for _, l := range prompt.LintVersion(f.Messages, f.Params, c.Vars) {
					t.Errorf("case %s: lint: %s", label, l)
				}
				if c.Expected != "" {
					withExpected++
					// An expected answer is a label the prompt offers.
					if !strings.Contains(system, "- "+c.Expected+":") {
						t.Errorf("case %s: expected %q is not one of the labels in the system prompt", label, c.Expected)
					}
				}
			}

			roles := make([]string, len(f.Messages))
			for i, m := range f.Messages {
				roles[i] = m.Role
			}
			if slices.Contains(roles, prompt.RoleAssistant) {
				fewShot++
			}
			if roles[len(roles)-1] != prompt.RoleUser {
				t.Errorf("last message is %s, want user", roles[len(roles)-1])
			}
		})
	}
	if fewShot == 0 {
		t.Error("no few-shot prompt (one with assistant example turns)")
	}
	if withExpected == 0 {
		t.Error("no case has an expected answer")
	}
}

func systemText(msgs []prompt.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		if m.Role == prompt.RoleSystem {
			b.WriteString(m.Content)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
