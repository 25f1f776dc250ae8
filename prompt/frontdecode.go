package prompt

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
)

// frontDecoder decodes a prompt file's front matter one field at a time,
// so that every field of the wrong kind and every unknown key is
// reported, not only the first the YAML decoder meets (which need not be
// the first in the file). It is used once a decode of the whole front
// matter has failed; a document it cannot take apart (anchors, aliases,
// tags, or not a mapping) leaves that decode's one error as it is.
type frontDecoder struct {
	filename   string
	src        string
	lineOffset int
	errs       FileErrors
	bad        map[string]bool // top-level keys whose value did not decode
}

// decodeFields decodes the document's top mapping into ff. ok is false
// when the document is not one this decoder takes apart.
func (d *frontDecoder) decodeFields(f *ast.File, ff *fileFront) (ok bool) {
	if f == nil || len(f.Docs) != 1 || f.Docs[0] == nil || !plainYAML(f.Docs[0].Body) {
		return false
	}
	top, ok := mappingValues(f.Docs[0].Body)
	if !ok {
		return false
	}
	d.bad = map[string]bool{}
	d.fields("", top, map[string]func(ast.Node){
		"name":        func(n ast.Node) { d.value("name", n, &ff.Name) },
		"description": func(n ast.Node) { d.value("description", n, &ff.Description) },
		"labels":      func(n ast.Node) { d.textMap("labels", n, &ff.Labels) },
		"params":      func(n ast.Node) { d.value("params", n, &ff.Params) },
		"tags":        func(n ast.Node) { d.value("tags", n, &ff.Tags) },
		"vars":        func(n ast.Node) { d.textMap("vars", n, &ff.Vars) },
		"cases":       func(n ast.Node) { d.cases(n, &ff.Cases) },
		"version":     func(n ast.Node) { d.value("version", n, &ff.Version) },
		"hash":        func(n ast.Node) { d.value("hash", n, &ff.Hash) },
	})
	return true
}

// fields decodes each key of a mapping by its setter, reporting keys that
// have none; in names the mapping in messages ("cases[0]"), "" at the top.
func (d *frontDecoder) fields(in string, kvs []*ast.MappingValueNode, set map[string]func(ast.Node)) {
	for _, kv := range kvs {
		key := kv.Key.GetToken().Value
		s, known := set[key]
		if !known {
			msg := `unknown field "` + key + `"` // as the YAML decoder says it
			if in != "" {
				msg = in + ": " + msg
			}
			d.add(kv.Key, msg)
			continue
		}
		s(kv.Value)
	}
}

// value decodes n into v, reporting an error at its position.
func (d *frontDecoder) value(key string, n ast.Node, v any) {
	if err := safeYAML(func() error { return yaml.NodeToValue(n, v, yaml.DisallowUnknownField()) }); err != nil {
		d.errs = append(d.errs, yamlErr(d.filename, d.src, d.lineOffset, err))
		if d.bad != nil && key != "" {
			d.bad[key] = true
		}
	}
}

// textMap decodes a mapping of text values entry by entry, so that each
// entry of the wrong kind is reported.
func (d *frontDecoder) textMap(key string, n ast.Node, m *map[string]string) {
	kvs, ok := mappingValues(n)
	if !ok {
		d.value(key, n, m)
		return
	}
	for _, kv := range kvs {
		var s string
		before := len(d.errs)
		d.value("", kv.Value, &s)
		if len(d.errs) > before {
			continue
		}
		if *m == nil {
			*m = map[string]string{}
		}
		(*m)[kv.Key.GetToken().Value] = s
	}
}

// cases decodes the list of cases case by case and field by field.
func (d *frontDecoder) cases(n ast.Node, out *[]fileCase) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		d.value("cases", n, out)
		return
	}
	for i, item := range seq.Values {
		kvs, ok := mappingValues(item)
		if !ok {
			var c fileCase
			d.value("", item, &c)
			*out = append(*out, c)
			continue
		}
		var c fileCase
		d.fields(fmt.Sprintf("cases[%d]", i), kvs, map[string]func(ast.Node){
			"name":        func(n ast.Node) { d.value("", n, &c.Name) },
			"description": func(n ast.Node) { d.value("", n, &c.Description) },
			"vars":        func(n ast.Node) { d.textMap("", n, &c.Vars) },
			"expected":    func(n ast.Node) { d.value("", n, &c.Expected) },
		})
		*out = append(*out, c)
	}
}

func (d *frontDecoder) add(n ast.Node, msg string) {
	fe := &FileError{File: d.filename, Msg: msg}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		fe.Line, fe.Col = tk.Position.Line+d.lineOffset, tk.Position.Column
	}
	d.errs = append(d.errs, fe)
}

// mappingValues is n's key/value pairs when n is a mapping whose keys are
// plain scalars.
func mappingValues(n ast.Node) ([]*ast.MappingValueNode, bool) {
	var kvs []*ast.MappingValueNode
	switch x := n.(type) {
	case *ast.MappingNode:
		kvs = x.Values
	case *ast.MappingValueNode:
		kvs = []*ast.MappingValueNode{x}
	default:
		return nil, false
	}
	for _, kv := range kvs {
		if kv == nil || kv.Key == nil || kv.Value == nil || kv.Key.GetToken() == nil {
			return nil, false
		}
		switch kv.Key.(type) {
		case *ast.StringNode, *ast.LiteralNode:
		default:
			return nil, false
		}
	}
	return kvs, true
}

// plainYAML reports whether n holds no anchors, aliases, tags or merge
// keys: values that cannot be decoded apart from their document.
func plainYAML(n ast.Node) bool {
	plain := true
	ast.Walk(visitFunc(func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AnchorNode, *ast.AliasNode, *ast.TagNode, *ast.MergeKeyNode:
			plain = false
		case *ast.MappingValueNode:
			if _, ok := x.Key.(*ast.MergeKeyNode); ok {
				plain = false
			}
		}
		return plain
	}), n)
	return plain
}

type visitFunc func(ast.Node) bool

func (f visitFunc) Visit(n ast.Node) ast.Visitor {
	if !f(n) {
		return nil
	}
	return f
}

// sortFileErrors orders errs by line and column; errors with no line
// come last.
func sortFileErrors(errs FileErrors) {
	pos := func(err error) (int, int) {
		if fe, ok := err.(*FileError); ok && fe.Line > 0 {
			return fe.Line, fe.Col
		}
		return int(^uint(0) >> 1), 0
	}
	slices.SortStableFunc(errs, func(a, b error) int {
		la, ca := pos(a)
		lb, cb := pos(b)
		return cmp.Or(cmp.Compare(la, lb), cmp.Compare(ca, cb))
	})
}

// textList decodes a list of text item by item, so that each item of the
// wrong kind is reported.
func (d *frontDecoder) textList(n ast.Node, out *[]string) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		d.value("", n, out)
		return
	}
	for _, item := range seq.Values {
		var s string
		before := len(d.errs)
		d.value("", item, &s)
		if len(d.errs) == before {
			*out = append(*out, s)
		}
	}
}
