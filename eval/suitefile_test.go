package eval

import (
	"strings"
	"testing"
)

func TestReadSuiteSource(t *testing.T) {
	su, list, err := ReadSuiteSource("s.yaml", []byte("name: s\ncases:\n  - vars: {q: a}\n    checks:\n      - {type: icontains, value: a}\n"))
	if err != nil || list || su.Name != "s" || len(su.Cases) != 1 || len(su.Cases[0].Checks) != 1 {
		t.Fatalf("suite: %+v %v %v", su, list, err)
	}
	su, list, err = ReadSuiteSource("dir/cases.yaml", []byte("- vars: {q: a}\n- q: b\n"))
	if err != nil || !list || su.Name != "cases" || len(su.Cases) != 2 {
		t.Fatalf("case list: %+v %v %v", su, list, err)
	}
	su, list, err = ReadSuiteSource("c.csv", []byte("q,__expected\na,b\n"))
	if err != nil || !list || su.Cases[0].Expected != "b" {
		t.Fatalf("csv: %+v %v %v", su, list, err)
	}
	_, _, err = ReadSuiteSource("bad.yaml", []byte("name: s\ncases:\n  - vars: {q: a}\n    checks:\n      - {type: nosuch}\n"))
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:5") || !strings.Contains(err.Error(), "type") {
		t.Fatalf("bad check: %v", err)
	}
}
