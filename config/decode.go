package config

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// The decoder walks goccy's AST by hand instead of decoding with
// yaml.Strict(): Strict stops at the first unknown field, while a user
// fixing a file wants every problem at once, each with its position. The
// walk is the schema; it is strict in the same way (an unknown key is a
// problem) and validates each value where its position is at hand.

// decoder collects problems while it builds a Config from one document.
type decoder struct {
	file     string
	getenv   func(string) string
	anchors  map[string]ast.Node
	problems []Problem
	// aliasNames holds every alias name the file defines, valid target or
	// not, so a target naming a broken alias is not reported twice.
	aliasNames map[string]bool
	// merging holds the mappings a << is being applied from, to stop an
	// anchor that merges itself; merged holds each one's entries once
	// applied, so a mapping merged many times over is read once.
	merging map[ast.Node]bool
	merged  map[ast.Node][]entry
}

// entry is one key: value pair of a mapping, merge keys already applied.
type entry struct {
	key   string
	keyTk *token.Token
	value ast.Node
}

// addAt records a problem at tk (which may be nil).
func (d *decoder) addAt(tk *token.Token, field, format string, args ...any) {
	p := Problem{File: d.file, Field: field, Msg: fmt.Sprintf(format, args...)}
	if tk != nil && tk.Position != nil {
		p.Line, p.Col = tk.Position.Line, tk.Position.Column
	}
	d.problems = append(d.problems, p)
}

// tokenOf is n's token, or nil for a nil node.
func tokenOf(n ast.Node) *token.Token {
	if n == nil {
		return nil
	}
	return n.GetToken()
}

// collectAnchors records every &anchor in the document, so that *alias
// values can be resolved while walking.
func (d *decoder) collectAnchors(n ast.Node) {
	if d.anchors == nil {
		d.anchors = map[string]ast.Node{}
	}
	switch n := n.(type) {
	case *ast.AnchorNode:
		if n.Name != nil {
			d.anchors[n.Name.GetToken().Value] = n.Value
		}
		d.collectAnchors(n.Value)
	case *ast.TagNode:
		d.collectAnchors(n.Value)
	case *ast.MappingNode:
		for _, mv := range n.Values {
			d.collectAnchors(mv)
		}
	case *ast.MappingValueNode:
		d.collectAnchors(n.Key)
		d.collectAnchors(n.Value)
	case *ast.MappingKeyNode:
		d.collectAnchors(n.Value)
	case *ast.SequenceNode:
		for _, v := range n.Values {
			d.collectAnchors(v)
		}
	}
}

// resolve strips anchors and tags and follows aliases. It returns nil for
// a null value, and for an alias it cannot follow (after recording why).
func (d *decoder) resolve(n ast.Node, field string) ast.Node {
	for range 64 {
		switch v := n.(type) {
		case nil, *ast.NullNode:
			return nil
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		case *ast.MappingKeyNode:
			n = v.Value
		case *ast.AliasNode:
			name := tokenOf(v.Value).Value
			target, ok := d.anchors[name]
			if !ok {
				d.addAt(v.GetToken(), field, "unknown alias *%s", name)
				return nil
			}
			n = target
		default:
			return n
		}
	}
	d.addAt(tokenOf(n), field, "aliases nest too deep")
	return nil
}

// kind names a node's type for messages.
func kind(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.StringNode, *ast.LiteralNode:
		return "a string"
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "a number"
	case *ast.BoolNode:
		return "a boolean"
	default:
		return "a " + n.Type().String()
	}
}

// mapping returns n's entries; ok is false (after a problem) when n is not
// a mapping. A null value is an empty mapping. Merge keys (<<) are applied:
// explicit keys win over merged ones.
func (d *decoder) mapping(n ast.Node, field string) (entries []entry, ok bool) {
	tk := tokenOf(n)
	n = d.resolve(n, field)
	var values []*ast.MappingValueNode
	switch v := n.(type) {
	case nil:
		return nil, true
	case *ast.MappingNode:
		values = v.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{v}
	default:
		d.addAt(tk, field, "want a mapping (key: value lines), found %s", kind(n))
		return nil, false
	}
	var merged []entry
	seen := map[string]bool{}
	for _, mv := range values {
		if mv.Key.IsMergeKey() {
			merged = append(merged, d.merge(mv.Value, field)...)
			continue
		}
		key := d.resolve(mv.Key, field)
		if key == nil {
			d.addAt(tokenOf(mv.Key), field, "empty key")
			continue
		}
		name := key.GetToken().Value
		if s, isStr := key.(*ast.StringNode); isStr {
			name = s.Value
		}
		seen[name] = true
		entries = append(entries, entry{key: name, keyTk: tokenOf(mv.Key), value: mv.Value})
	}
	for _, e := range merged {
		if !seen[e.key] {
			seen[e.key] = true
			entries = append(entries, e)
		}
	}
	return entries, true
}

// merge returns the entries a merge key's value (a mapping or a list of
// them) brings in.
func (d *decoder) merge(n ast.Node, field string) []entry {
	tk := tokenOf(n)
	r := d.resolve(n, field)
	if seq, isSeq := r.(*ast.SequenceNode); isSeq {
		var all []entry
		for _, item := range seq.Values {
			all = append(all, d.merge(item, field)...)
		}
		return all
	}
	switch r.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		if d.merging[r] {
			d.addAt(tk, field, "<< merges a mapping that holds this << (the anchors form a cycle)")
			return nil
		}
		if entries, done := d.merged[r]; done {
			return entries
		}
		if d.merging == nil {
			d.merging, d.merged = map[ast.Node]bool{}, map[ast.Node][]entry{}
		}
		d.merging[r] = true
		entries, _ := d.mapping(r, field)
		delete(d.merging, r)
		d.merged[r] = entries
		return entries
	case nil:
		return nil
	}
	d.addAt(tk, field, "<< merges a mapping, found %s", kind(r))
	return nil
}

// str decodes a scalar as a string, expanding ${VAR} in string values.
// Numbers and booleans read as written. A null is "".
func (d *decoder) str(n ast.Node, field string) (string, bool) {
	tk := tokenOf(n)
	n = d.resolve(n, field)
	var raw string
	switch v := n.(type) {
	case nil:
		return "", true
	case *ast.StringNode:
		raw = v.Value
	case *ast.LiteralNode:
		raw = v.Value.Value
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return v.GetToken().Value, true
	default:
		d.addAt(tk, field, "want a string, found %s", kind(n))
		return "", false
	}
	s, err := expand(raw, d.getenv)
	if err != nil {
		d.addAt(tk, field, "%v", err)
		return "", false
	}
	return s, true
}

// integer decodes a whole number; a null is 0.
func (d *decoder) integer(n ast.Node, field string) (int, bool) {
	tk := tokenOf(n)
	n = d.resolve(n, field)
	switch v := n.(type) {
	case nil:
		return 0, true
	case *ast.IntegerNode:
		switch i := v.Value.(type) {
		case int64:
			if i >= math.MinInt32 && i <= math.MaxInt32 {
				return int(i), true
			}
		case uint64:
			if i <= math.MaxInt32 {
				return int(i), true
			}
		}
		d.addAt(tk, field, "%s is out of range", v.GetToken().Value)
		return 0, false
	}
	d.addAt(tk, field, "want a whole number, found %s", kind(n))
	return 0, false
}

// number decodes a finite number; a null is 0.
func (d *decoder) number(n ast.Node, field string) (float64, bool) {
	tk := tokenOf(n)
	n = d.resolve(n, field)
	switch v := n.(type) {
	case nil:
		return 0, true
	case *ast.FloatNode:
		return v.Value, true
	case *ast.IntegerNode:
		switch i := v.Value.(type) {
		case int64:
			return float64(i), true
		case uint64:
			return float64(i), true
		}
	case *ast.InfinityNode, *ast.NanNode:
		d.addAt(tk, field, "want a finite number")
		return 0, false
	}
	d.addAt(tk, field, "want a number, found %s", kind(n))
	return 0, false
}

// duration decodes a Go duration string ("30s", "5m"); a null or a bare 0
// is 0. Other bare numbers are refused: their unit would be a guess.
func (d *decoder) duration(n ast.Node, field string) (time.Duration, bool) {
	tk := tokenOf(n)
	r := d.resolve(n, field)
	switch v := r.(type) {
	case nil:
		return 0, true
	case *ast.IntegerNode:
		if v.GetToken().Value == "0" {
			return 0, true
		}
		d.addAt(tk, field, "want a duration with a unit, like %q", v.GetToken().Value+"s")
		return 0, false
	case *ast.StringNode, *ast.LiteralNode:
		s, ok := d.str(n, field)
		if !ok {
			return 0, false
		}
		dur, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil {
			d.addAt(tk, field, "want a duration like \"30s\" or \"5m\", found %q", s)
			return 0, false
		}
		return dur, true
	}
	d.addAt(tk, field, "want a duration like \"30s\" or \"5m\", found %s", kind(r))
	return 0, false
}

// list returns the items of a sequence; a null is an empty list.
func (d *decoder) list(n ast.Node, field string) ([]ast.Node, bool) {
	tk := tokenOf(n)
	n = d.resolve(n, field)
	switch v := n.(type) {
	case nil:
		return nil, true
	case *ast.SequenceNode:
		return v.Values, true
	}
	d.addAt(tk, field, "want a list, found %s", kind(n))
	return nil, false
}

// strs decodes a list of non-empty strings. A null is nil; [] is empty but
// not nil.
func (d *decoder) strs(n ast.Node, field string) ([]string, bool) {
	items, ok := d.list(n, field)
	if !ok || d.resolve(n, field) == nil {
		return nil, ok
	}
	out := make([]string, 0, len(items))
	for i, item := range items {
		f := fmt.Sprintf("%s[%d]", field, i)
		s, ok := d.str(item, f)
		switch {
		case !ok:
		case strings.TrimSpace(s) == "":
			d.addAt(tokenOf(item), f, "empty value")
		default:
			out = append(out, s)
		}
	}
	return out, true
}
