package prompt

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// FuzzTemplate: parsing and rendering never panic; every variable reported
// is rendered when given, and a missing one is named in the error.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"Hi {{name}}", `\{{x}} {{ y }}`, "{{", "{{a}}{{a}}{{b", "{{ 1 }}", "}}{{}}", "a\n{{b}}\n\\{{"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		tpl, err := ParseTemplate(text)
		vars := map[string]string{}
		for _, v := range tpl.Variables() {
			vars[v] = "<" + v + ">"
		}
		out, rerr := tpl.Execute(vars)
		if rerr != nil {
			t.Fatalf("all variables given, Execute failed: %v", rerr)
		}
		if err == nil {
			for _, v := range tpl.Variables() {
				if !strings.Contains(out, "<"+v+">") {
					t.Fatalf("variable %q not rendered in %q", v, out)
				}
			}
			if vs := tpl.Variables(); len(vs) > 0 {
				_, merr := tpl.Execute(nil)
				var me *MissingVarsError
				if !errors.As(merr, &me) || len(me.Names) != len(vs) {
					t.Fatalf("missing vars error = %v for %v", merr, vs)
				}
			}
		} else {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line < 1 || se.Col < 1 {
				t.Fatalf("syntax error without position: %v", err)
			}
		}
	})
}

// FuzzParseRef: never panics; a parsed ref prints to a string that parses
// back to the same ref.
func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"a", "a@1", "a@v2", "a@prod", "a@abcdef", "x/y@1234567890ab", "@", "a@@b", "a@0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRef(s)
		if err != nil {
			return
		}
		r2, err := ParseRef(r.String())
		if err != nil || r2 != r {
			t.Fatalf("%q -> %+v -> %q -> %+v, %v", s, r, r.String(), r2, err)
		}
	})
}

// FuzzParseFile: the importer never panics, and whatever it accepts survives
// export and re-import with the same content hash, name, description,
// labels, tags, sample values and cases.
func FuzzParseFile(f *testing.F) {
	f.Add(sampleFile)
	f.Add("---\nname: a\n---\n## user\nhi {{x}}\n")
	f.Add("---\nname: a\nparams: {temperature: 0}\n---\n## system\n\n\\## user\n## user\n")
	f.Add("---\nname: a\n---\n## user\n\\\\## user\nx\r")
	f.Add("---\nname: t/a\ndescription: \"a: b\\n# c\"\nlabels: {Owner: \"*x\", on: \"yes\"}\nvars: {q: \"l1\\n l2 \\n\"}\ncases:\n  - name: \"no\"\n    expected: \"---\\n\"\n  - vars: {q: |\n      x\n\n      y\n    }\n---\n## user\n{{q}}\n")
	f.Add("---\nname: a\ncolour: x\nlabels: {team: [1]}\ncases:\n  - {expect: 1, vars: {q: [1]}}\n  - [1]\n---\n## user\nhi {{q\n")
	f.Fuzz(func(t *testing.T, src string) {
		pf, err := ParseFile("f.md", []byte(src))
		if err != nil {
			return
		}
		pf.Messages = NormalizeMessages(pf.Messages)
		out := FormatFile(pf)
		g, err := ParseFile("g.md", out)
		if err != nil {
			t.Fatalf("re-import failed: %v\n%s", err, out)
		}
		if g.Content().Hash() != pf.Content().Hash() {
			t.Fatalf("hash changed:\n%q\n%q", pf.Messages, g.Messages)
		}
		if g.Name != pf.Name || g.Description != pf.Description || !reflect.DeepEqual(g.Labels, pf.Labels) || !slices.Equal(g.Tags, pf.Tags) ||
			!reflect.DeepEqual(orEmpty(g.Vars), orEmpty(pf.Vars)) || !reflect.DeepEqual(casesOrEmpty(g.Cases), casesOrEmpty(pf.Cases)) {
			t.Fatalf("front matter changed:\n%#v\n%#v\nfile:\n%s", pf, g, out)
		}
	})
}

// orEmpty is m, or an empty map for nil: a file cannot tell them apart.
func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func casesOrEmpty(cs []Case) []Case {
	out := make([]Case, len(cs))
	for i, c := range cs {
		c.Vars = orEmpty(c.Vars)
		out[i] = c
	}
	return out
}

// FuzzParsePrompty: the Prompty importer never panics.
func FuzzParsePrompty(f *testing.F) {
	f.Add(samplePrompty)
	f.Add("---\nname: x\n---\nuser:\n{{q}}\n")
	f.Fuzz(func(t *testing.T, src string) {
		pf, err := ParsePrompty("f.prompty", []byte(src))
		if err == nil && len(pf.Messages) == 0 {
			t.Fatal("accepted a file with no messages")
		}
		// Its notes never panic, and each names a line of the file.
		for _, n := range PromptyNotes("f.prompty", []byte(src)) {
			if n.Line < 2 || n.Line > 1+strings.Count(src, "\n") {
				t.Fatalf("note %v is at no line of the front matter", n)
			}
		}
	})
}

// FuzzUpdatePrompty: writing a Prompty file's own messages back into it
// never panics, and what it writes reads back as the same version with
// the same front matter.
func FuzzUpdatePrompty(f *testing.F) {
	f.Add(samplePrompty, "Be brief.\nuser: not a role")
	f.Add("---\nname: x\n---\nuser:\n{{q}}\n", "{{q}} and \\{{literal}}")
	f.Add("---\r\nname: x\r\nmodel: {api: completion}\r\n---\r\n{{q}}\r\n", "{% if q %}")
	f.Fuzz(func(t *testing.T, src, content string) {
		pf, err := ParsePrompty("f.prompty", []byte(src))
		if err != nil {
			return
		}
		pf.Messages[len(pf.Messages)-1].Content = content
		out, err := UpdatePrompty("f.prompty", []byte(src), pf, nil)
		if err != nil {
			return
		}
		back, err := ParsePrompty("f.prompty", out)
		if err != nil {
			t.Fatalf("wrote a file it cannot read: %v\n%q", err, out)
		}
		if back.Content().Hash() != (File{Messages: NormalizeMessages(pf.Messages), Params: pf.Params}).Content().Hash() {
			t.Fatalf("wrote another version:\n%q\nmessages %q, want %q", out, back.Messages, pf.Messages)
		}
		front, _, _, _ := splitFront("f.prompty", []byte(src))
		front2, _, _, _ := splitFront("f.prompty", out)
		if front != front2 {
			t.Fatalf("front matter changed: %q -> %q", front, front2)
		}
	})
}

// FuzzParseCases: the case importers never panic, and accepted cases always
// have a vars map.
func FuzzParseCases(f *testing.F) {
	f.Add("c.csv", "text,__expected\nhi,x\n")
	f.Add("c.jsonl", "{\"vars\":{\"q\":1}}\n{\"q\":\"b\"}\n")
	f.Add("c.yaml", "cases:\n  - vars: {q: a}\n")
	f.Fuzz(func(t *testing.T, name, data string) {
		cs, err := ParseCases(name, []byte(data))
		if err != nil {
			return
		}
		for _, c := range cs {
			if c.Vars == nil {
				t.Fatal("case without vars map")
			}
		}
	})
}

// FuzzCasesRoundTrip: cases any case file holds come back from a JSONL
// export as they were, and from a CSV export as they were but for what
// FormatCasesCSV and CasesCSVLosses say CSV cannot hold (a variable a case
// lacks reads back empty, a CR LF inside a value as LF).
func FuzzCasesRoundTrip(f *testing.F) {
	f.Add("c.jsonl", "{\"name\":\"a,b\",\"vars\":{\"q\":\"x\\r\\ny\",\"r\":\"\\\"\"},\"expected\":\"\\n\"}\n{\"vars\":{}}\n")
	f.Add("c.csv", "__name,q,__expected\n\"a\nb\",\" x \",\"\"\"\"\n,,\n")
	f.Add("c.yaml", "cases:\n  - vars: {q: \"\\ufeff\\u200b\", z: \"\"}\n    description: \"#\"\n")
	f.Fuzz(func(t *testing.T, name, data string) {
		cs, err := ParseCases(name, []byte(data))
		if err != nil {
			return
		}
		back, err := ParseCases("c.jsonl", FormatCasesJSONL(cs))
		if err != nil {
			t.Fatalf("jsonl export does not read back: %v", err)
		}
		if !reflect.DeepEqual(casesOrEmpty(back), casesOrEmpty(cs)) {
			t.Fatalf("jsonl round trip:\n%#v\n%#v", cs, back)
		}
		if len(CasesCSVLosses(cs)) > 0 {
			return
		}
		back, err = ParseCases("c.csv", FormatCasesCSV(cs))
		if err != nil {
			t.Fatalf("csv export does not read back: %v\n%s", err, FormatCasesCSV(cs))
		}
		want := casesOrEmpty(cs)
		all := map[string]bool{}
		for _, c := range cs {
			for k := range c.Vars {
				all[k] = true
			}
		}
		for i := range want {
			want[i].Vars = maps.Clone(want[i].Vars)
			for k := range all {
				want[i].Vars[k] += ""
			}
		}
		if !reflect.DeepEqual(casesOrEmpty(back), want) {
			t.Fatalf("csv round trip:\n%#v\n%#v\n%s", want, back, FormatCasesCSV(cs))
		}
	})
}

// FuzzParseLabel: a label that parses has a valid lower-case key and a
// trimmed, non-empty value, and "key=value" parses back to the same.
func FuzzParseLabel(f *testing.F) {
	for _, s := range []string{"team=legal", " Owner = ana ", "a=b=c", "=x", "k=", "1k=v", "k.v-x_y=ünï", "k=\n", "K=a\tb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, v, err := ParseLabel(s)
		if err != nil {
			return
		}
		if ValidateLabelKey(k) != nil || k != strings.ToLower(k) || v == "" || v != strings.TrimSpace(v) {
			t.Fatalf("%q parses as %q = %q", s, k, v)
		}
		if k2, v2, err := ParseLabel(k + "=" + v); err != nil || k2 != k || v2 != v {
			t.Fatalf("%q = %q reads back as %q = %q, %v", k, v, k2, v2, err)
		}
	})
}
