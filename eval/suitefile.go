package eval

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"whet/prompt"
)

// ValidateCheck validates one check for prompt.ParseSuiteFileWith, which
// names the check and its file position itself: the error is "field: msg".
func ValidateCheck(c prompt.Check) error {
	err := ValidateChecks([]prompt.Check{c})
	var ce *CheckError
	if errors.As(err, &ce) {
		return fmt.Errorf("%s: %s", ce.Field, ce.Msg)
	}
	return err
}

// ReadSuiteSource reads what `whet suite import` and the TUI's import take:
// a YAML suite file (name, cases, checks; every check validated), or a case
// list in CSV (header row of variable names, __expected, __name,
// __description), JSONL or YAML. A case list becomes a suite named after the
// file, and caseList is true.
func ReadSuiteSource(path string, data []byte) (su prompt.Suite, caseList bool, err error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".yaml" || ext == ".yml" {
		su, err := prompt.ParseSuiteFileWith(path, data, ValidateCheck)
		if err == nil {
			return su, false, nil
		}
		if !looksLikeCaseList(data) {
			return prompt.Suite{}, false, err
		}
	}
	cases, err := prompt.ParseCases(path, data)
	if err != nil {
		return prompt.Suite{}, false, err
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return prompt.Suite{Name: name, Cases: cases}, true, nil
}

// looksLikeCaseList tells a YAML list of cases from a suite file by its
// first meaningful line.
func looksLikeCaseList(data []byte) bool {
	for _, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") || t == "---" {
			continue
		}
		return strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "cases:")
	}
	return false
}
