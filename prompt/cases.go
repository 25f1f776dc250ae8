package prompt

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Case files hold the cases of a run or suite, in one of three formats,
// chosen by extension:
//
//   - .csv: a header row of variable names, then one case per row. Columns
//     named __name, __description and __expected (promptfoo's convention) are
//     the case's name, description and expected output, not variables.
//   - .jsonl / .ndjson: one JSON object per line, either {"vars": {...},
//     "name": …, "description": …, "expected": …} or a flat object of
//     variables (with the same __ columns). Blank lines are skipped.
//   - .yaml / .yml: a list of such objects, or {cases: [...]}.
//   - .json: an array of such objects.
//
// Values that are not strings (numbers, booleans) become their JSON text.
// Errors name the file and the line.

const (
	caseColName        = "__name"
	caseColDescription = "__description"
	caseColExpected    = "__expected"
)

// ParseCases reads a case file; the format comes from the extension.
func ParseCases(filename string, data []byte) ([]Case, error) {
	if err := CheckText(filename, data); err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // as a Windows editor saves UTF-8
	switch strings.ToLower(filepath.Ext(filename)) {
	case ".csv":
		return parseCasesCSV(filename, data)
	case ".jsonl", ".ndjson":
		return parseCasesJSONL(filename, data)
	case ".yaml", ".yml":
		return parseCasesYAML(filename, data)
	case ".json":
		return parseCasesJSON(filename, data)
	}
	return nil, &FileError{File: filename, Msg: "unknown case file type: use .csv (header row of variable names), .jsonl, .yaml or .json"}
}

func parseCasesCSV(filename string, data []byte) ([]Case, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err == io.EOF {
		return nil, &FileError{File: filename, Line: 1, Msg: "empty file: the first row names the variables"}
	}
	if err != nil {
		return nil, csvErr(filename, err)
	}
	seen := map[string]int{}
	for i, h := range header {
		header[i] = strings.TrimSpace(h)
		if header[i] == "" {
			return nil, &FileError{File: filename, Line: 1, Col: i + 1, Msg: fmt.Sprintf("column %d has no name in the header row", i+1)}
		}
		if j, dup := seen[header[i]]; dup {
			return nil, &FileError{File: filename, Line: 1, Col: i + 1, Msg: fmt.Sprintf("column %d repeats the name %q of column %d", i+1, header[i], j+1)}
		}
		seen[header[i]] = i
	}
	var cases []Case
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(filename, err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(header) {
			return nil, &FileError{File: filename, Line: line, Msg: fmt.Sprintf("row has %d fields, the header has %d", len(rec), len(header))}
		}
		c := Case{Vars: map[string]string{}}
		for i, h := range header {
			setCaseField(&c, h, rec[i])
		}
		cases = append(cases, c)
	}
	if len(cases) == 0 {
		return nil, &FileError{File: filename, Line: 2, Msg: "no cases: add a row under the header"}
	}
	return cases, nil
}

func csvErr(filename string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &FileError{File: filename, Line: pe.Line, Col: pe.Column, Msg: pe.Err.Error()}
	}
	return &FileError{File: filename, Msg: err.Error()}
}

func setCaseField(c *Case, key, value string) {
	switch key {
	case caseColName:
		c.Name = value
	case caseColDescription:
		c.Description = value
	case caseColExpected:
		c.Expected = value
	default:
		c.Vars[key] = value
	}
}

// caseFromObject reads {"vars": {...}, …} or a flat object of variables.
func caseFromObject(obj map[string]any) (Case, error) {
	c := Case{Vars: map[string]string{}}
	if vars, ok := obj["vars"]; ok {
		m, ok := vars.(map[string]any)
		if !ok {
			return c, errors.New(`"vars" must be an object of NAME: VALUE`)
		}
		for k, v := range m {
			c.Vars[k] = caseValue(v)
		}
		for _, k := range []string{"name", "description", "expected"} {
			if v, ok := obj[k]; ok {
				setCaseField(&c, "__"+k, caseValue(v))
			}
		}
		for k := range obj {
			switch k {
			case "vars", "name", "description", "expected":
			default:
				return c, fmt.Errorf("unknown field %q beside \"vars\" (name, description, expected)", k)
			}
		}
		return c, nil
	}
	for k, v := range obj {
		setCaseField(&c, k, caseValue(v))
	}
	return c, nil
}

func caseValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func parseCasesJSONL(filename string, data []byte) ([]Case, error) {
	var cases []Case
	line := 0
	for raw := range bytes.Lines(data) {
		line++
		text := strings.TrimSpace(string(raw))
		if text == "" {
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(text), &v); err != nil {
			return nil, &FileError{File: filename, Line: line, Msg: "invalid JSON: " + err.Error()}
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, &FileError{File: filename, Line: line, Msg: "not a JSON object: found " + jsonKind(v)}
		}
		c, err := caseFromObject(obj)
		if err != nil {
			return nil, &FileError{File: filename, Line: line, Msg: err.Error()}
		}
		cases = append(cases, c)
	}
	if len(cases) == 0 {
		return nil, &FileError{File: filename, Msg: "no cases: one JSON object per line"}
	}
	return cases, nil
}

func parseCasesJSON(filename string, data []byte) ([]Case, error) {
	var raw any
	if err := json.Unmarshal(data, &raw); err != nil {
		fe := &FileError{File: filename, Msg: "invalid JSON: " + err.Error()}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			fe.Line = 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		}
		return nil, fe
	}
	items, ok := raw.([]any)
	if !ok {
		return nil, &FileError{File: filename, Line: 1, Msg: "expected a JSON array of case objects, found " + jsonKind(raw)}
	}
	// JSON is YAML: its parse locates each case for the messages below.
	var astFile *ast.File
	_ = safeYAML(func() (err error) { astFile, err = parser.ParseBytes(data, 0); return err })
	return casesFromItems(filename, items, func(i int) (int, int) { return suitePos(astFile, fmt.Sprintf("$[%d]", i)) })
}

func parseCasesYAML(filename string, data []byte) ([]Case, error) {
	var astFile *ast.File
	if err := safeYAML(func() (err error) { astFile, err = parser.ParseBytes(data, 0); return err }); err != nil {
		return nil, yamlErr(filename, string(data), 0, err)
	}
	if err := CheckYAMLExpansion(filename, astFile, 0); err != nil {
		return nil, err
	}
	var raw any
	if err := safeYAML(func() error { return yaml.Unmarshal(data, &raw) }); err != nil {
		return nil, yamlErr(filename, string(data), 0, err)
	}
	root := "$"
	if m, ok := raw.(map[string]any); ok {
		raw, root = m["cases"], "$.cases"
	}
	items, ok := raw.([]any)
	if !ok {
		return nil, &FileError{File: filename, Line: 1, Msg: "expected a list of cases (or a 'cases:' list)"}
	}
	return casesFromItems(filename, items, func(i int) (int, int) { return suitePos(astFile, fmt.Sprintf("%s[%d]", root, i)) })
}

// casesFromItems reads a decoded list of cases, each of which must be a
// mapping; pos locates item i in the file.
func casesFromItems(filename string, items []any, pos func(i int) (line, col int)) ([]Case, error) {
	list := make([]map[string]any, len(items))
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			line, col := pos(i)
			return nil, &FileError{File: filename, Line: line, Col: col, Msg: fmt.Sprintf("case %d is not a mapping: found %s", i+1, jsonKind(it))}
		}
		list[i] = m
	}
	return casesFromList(filename, list, pos)
}

// jsonKind names the kind of a decoded JSON or YAML value in a reader's words.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "text"
	case bool:
		return "true or false"
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return "a number"
}

// casesFromList reads decoded case objects; pos, when not nil, locates
// case i in the file.
func casesFromList(filename string, list []map[string]any, pos func(i int) (line, col int)) ([]Case, error) {
	var cases []Case
	for i, obj := range list {
		c, err := caseFromObject(obj)
		if err != nil {
			fe := &FileError{File: filename, Msg: fmt.Sprintf("case %d: %v", i+1, err)}
			if pos != nil {
				fe.Line, fe.Col = pos(i)
			}
			return nil, fe
		}
		cases = append(cases, c)
	}
	if len(cases) == 0 {
		return nil, &FileError{File: filename, Msg: "no cases"}
	}
	return cases, nil
}
