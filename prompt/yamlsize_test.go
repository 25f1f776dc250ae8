package prompt

import (
	"fmt"
	"strings"
	"testing"
)

// yamlBomb is a short YAML file whose aliases expand to 9^9 values.
func yamlBomb(prefix, indent string) string {
	var b strings.Builder
	b.WriteString(prefix)
	fmt.Fprintf(&b, "%sa: &a [x, x, x, x, x, x, x, x, x]\n", indent)
	for i := 1; i < 9; i++ {
		prev, cur := string(rune('a'+i-1)), string(rune('a'+i))
		fmt.Fprintf(&b, "%s%s: &%s [%s]\n", indent, cur, cur, strings.TrimSuffix(strings.Repeat("*"+prev+", ", 9), ", "))
	}
	return b.String()
}

// TestYAMLBombsAreRefused: every YAML reader refuses a file whose aliases
// expand past the limit, at the alias, instead of running out of memory.
func TestYAMLBombsAreRefused(t *testing.T) {
	want := "expand to more than 1000000 values"
	bomb := yamlBomb("", "")
	if _, err := ParseCases("c.yaml", []byte(bomb+"cases:\n  - {q: *i}\n")); err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "c.yaml:7:") {
		t.Errorf("case file: %v", err)
	}
	if _, err := ParseSuiteFile("s.yaml", []byte("name: s\ncases:\n  - vars:\n"+yamlBomb("", "      "))); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("suite file: %v", err)
	}
	if _, err := ParseFile("p.md", []byte("---\nname: p\nlabels:\n"+yamlBomb("", "  ")+"---\n## user\nhi\n")); err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "p.md:10:") {
		t.Errorf("prompt file: %v", err)
	}
	if _, err := ParsePrompty("p.prompty", []byte("---\nname: p\nsample:\n"+yamlBomb("", "  ")+"---\nuser:\nhi\n")); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("prompty file: %v", err)
	}
	// anchors and aliases within reason still work
	cs, err := ParseCases("c.yaml", []byte("base: &b {q: a, r: b}\ncases:\n  - *b\n  - {<<: *b, r: c}\n"))
	if err != nil || len(cs) != 2 || cs[1].Vars["q"] != "a" || cs[1].Vars["r"] != "c" {
		t.Errorf("aliases: %+v, %v", cs, err)
	}
}
