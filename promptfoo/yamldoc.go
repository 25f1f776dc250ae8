package promptfoo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"whet/prompt"
)

// pathSep joins the segments of a path into a document; it cannot occur
// in a YAML key that anyone writes.
const pathSep = "\x1f"

// doc is one parsed file: its name and the line of every path in it.
type doc struct {
	file  string
	lines map[string]int
	// plain holds the text of each plain scalar, by path; dates marks
	// those js-yaml reads as dates (see jsyaml.go).
	plain map[string]string
	dates map[string]bool
	strs  map[string]string // scalars tagged !!str
	cols  map[string]int    // the column of each key, for a flow mapping's order
}

// node is a decoded value with where it came from. Values are as goccy
// decodes them: map[string]any, []any, string, bool, numbers (int64,
// uint64, float64) and nil.
type node struct {
	d    *doc
	path string
	v    any
}

// safeDecode runs a goccy call, turning a panic inside the library into an
// error: malformed input never crashes whet.
func safeDecode(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("invalid YAML (%v)", r)
		}
	}()
	return f()
}

// yamlError locates a goccy error in file.
func yamlError(file string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		msg := prompt.YAMLMessage(ye.GetMessage())
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			return &prompt.FileError{File: file, Line: tk.Position.Line, Col: tk.Position.Column, Msg: msg}
		}
		return &prompt.FileError{File: file, Msg: msg}
	}
	return &prompt.FileError{File: file, Msg: err.Error()}
}

// parseYAML decodes a YAML (or JSON) file and indexes the line of every
// key and list item in it.
func parseYAML(file string, data []byte) (node, error) {
	d := &doc{file: file, lines: map[string]int{}, plain: map[string]string{}, dates: map[string]bool{}, strs: map[string]string{}, cols: map[string]int{}}
	if err := prompt.CheckText(file, data); err != nil {
		return node{}, err
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var f *ast.File
	if err := safeDecode(func() (err error) { f, err = parser.ParseBytes(data, 0); return err }); err != nil {
		return node{}, yamlError(file, err)
	}
	if err := prompt.CheckYAMLExpansion(file, f, 0); err != nil {
		return node{}, err
	}
	var v any
	if err := safeDecode(func() error { return yaml.Unmarshal(data, &v) }); err != nil {
		return node{}, yamlError(file, err)
	}
	if f != nil && len(f.Docs) > 0 && f.Docs[0] != nil {
		indexNode(f.Docs[0].Body, "", d, true)
		v = jsResolve(v, "", d)
	}
	return node{d: d, v: v}, nil
}

// parseJSON decodes a JSON file with encoding/json (exact strings and
// escapes), taking lines from a YAML reading of the same text when it
// has one.
func parseJSON(file string, data []byte) (node, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		msg := err.Error()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + strings.Count(string(data[:min(int(se.Offset), len(data))]), "\n")
			return node{}, &prompt.FileError{File: file, Line: line, Msg: "invalid JSON: " + msg}
		}
		return node{}, &prompt.FileError{File: file, Msg: "invalid JSON: " + msg}
	}
	n := node{d: &doc{file: file, lines: map[string]int{}}, v: v}
	if y, err := parseYAML(file, data); err == nil {
		n.d.lines, n.d.cols = y.d.lines, y.d.cols
	}
	return n, nil
}

// indexNode records the line of every key and list item under n, and the
// text of its plain scalars (unless a tag such as !!str types them).
func indexNode(n ast.Node, path string, d *doc, plainOK bool) {
	lines := d.lines
	if isNil(n) {
		return
	}
	if raw, ok := plainRaw(n); ok && plainOK {
		if _, seen := d.plain[path]; !seen {
			d.plain[path] = raw
		}
	}
	if _, ok := lines[path]; !ok {
		if l := nodeLine(n); l > 0 {
			lines[path] = l
		}
	}
	switch x := n.(type) {
	case *ast.MappingNode:
		for _, mv := range x.Values {
			indexNode(mv, path, d, plainOK)
		}
	case *ast.MappingValueNode:
		if isNil(x.Key) {
			return
		}
		p := path + pathSep + keyText(x.Key)
		if _, ok := lines[p]; !ok {
			lines[p] = nodeLine(x.Key)
			if tk := x.Key.GetToken(); tk != nil && tk.Position != nil {
				d.cols[p] = tk.Position.Column
			}
		}
		indexNode(x.Value, p, d, true)
	case *ast.SequenceNode:
		for i, v := range x.Values {
			indexNode(v, path+pathSep+strconv.Itoa(i), d, true)
		}
	case *ast.AnchorNode:
		indexNode(x.Value, path, d, plainOK)
	case *ast.TagNode:
		indexNode(x.Value, path, d, false)
		if x.Start != nil && x.Start.Value == "!!str" {
			if _, scalar := x.Value.(ast.ScalarNode); scalar {
				if tk := x.Value.GetToken(); tk != nil {
					d.strs[path] = tk.Value
				}
			}
		}
	}
}

func isNil(n ast.Node) bool {
	if n == nil {
		return true
	}
	switch x := n.(type) {
	case *ast.MappingNode:
		return x == nil
	case *ast.MappingValueNode:
		return x == nil
	case *ast.SequenceNode:
		return x == nil
	case *ast.AnchorNode:
		return x == nil
	case *ast.TagNode:
		return x == nil
	}
	return false
}

func keyText(k ast.MapKeyNode) string {
	if s, ok := k.(ast.ScalarNode); ok {
		return fmt.Sprint(s.GetValue())
	}
	return k.String()
}

// nodeLine is the line a node starts on: a mapping at its first key.
func nodeLine(n ast.Node) int {
	if isNil(n) {
		return 0
	}
	switch x := n.(type) {
	case *ast.MappingNode:
		if len(x.Values) > 0 {
			return nodeLine(x.Values[0])
		}
	case *ast.MappingValueNode:
		if !isNil(x.Key) {
			return nodeLine(x.Key)
		}
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return tk.Position.Line
	}
	return 0
}

// line is the line of the node, or of its nearest ancestor that has one.
func (n node) line() int {
	if n.d == nil {
		return 0
	}
	p := n.path
	for {
		if l, ok := n.d.lines[p]; ok {
			return l
		}
		if p == "" {
			return 1
		}
		i := strings.LastIndex(p, pathSep)
		if i < 0 {
			p = ""
		} else {
			p = p[:i]
		}
	}
}

func (n node) file() string {
	if n.d == nil {
		return ""
	}
	return n.d.file
}

// key returns the value under k of a mapping; ok is false when n is not a
// mapping or has no such key (the node still locates where it would be).
func (n node) key(k string) (node, bool) {
	c := node{d: n.d, path: n.path + pathSep + k}
	m, ok := n.v.(map[string]any)
	if !ok {
		return c, false
	}
	c.v, ok = m[k]
	return c, ok
}

// keys lists a mapping's keys in the order the file writes them (by line;
// keys on one line, as in a flow mapping, by column), so that a mapping of
// providers or prompts keeps the order promptfoo runs them in.
func (n node) keys() []string {
	m, _ := n.v.(map[string]any)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	if n.d != nil {
		line := func(k string) int { return n.d.lines[n.path+pathSep+k] }
		col := func(k string) int { return n.d.cols[n.path+pathSep+k] }
		sort.SliceStable(out, func(i, j int) bool {
			if li, lj := line(out[i]), line(out[j]); li != lj {
				return li < lj
			}
			return col(out[i]) < col(out[j])
		})
	}
	return out
}

func (n node) isMap() bool {
	_, ok := n.v.(map[string]any)
	return ok
}

// items returns a list's elements; nil when n is not a list.
func (n node) items() []node {
	l, ok := n.v.([]any)
	if !ok {
		return nil
	}
	out := make([]node, len(l))
	for i, v := range l {
		out[i] = node{d: n.d, path: n.path + pathSep + strconv.Itoa(i), v: v}
	}
	return out
}

func (n node) str() (string, bool) {
	s, ok := n.v.(string)
	return s, ok
}

// number reads an int or float value.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float64:
		return x, !math.IsNaN(x)
	case float32:
		return float64(x), true
	}
	return 0, false
}

// text renders a scalar as case files do: strings as they are, nil as "",
// anything else as its JSON text.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, err := json.Marshal(jsonSafe(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// jsonShaped returns v as encoding/json decodes its JSON text: numbers as
// float64, lists as []any, mappings as map[string]any. Values JSON cannot
// hold (infinities) become their text.
func jsonShaped(v any) any {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(jsonSafe(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Sprint(v)
	}
	return out
}

// jsonSafe replaces what encoding/json refuses (NaN, infinities, maps
// with non-string keys) by text.
func jsonSafe(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return strconv.FormatFloat(x, 'g', -1, 64)
		}
	case float32:
		return jsonSafe(float64(x))
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonSafe(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonSafe(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = jsonSafe(e)
		}
		return out
	}
	return v
}
