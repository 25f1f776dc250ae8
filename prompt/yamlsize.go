package prompt

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"
)

// yamlExpansionLimit bounds the values a YAML document may hold once its
// aliases are expanded. A few anchors, each a list of aliases of the one
// before ("billion laughs"), are a short file that a decoder expands until
// the process runs out of memory; no real prompt, suite or case file comes
// near this.
const yamlExpansionLimit = 1_000_000

// CheckYAMLExpansion refuses a parsed YAML file whose aliases expand to
// more than a million values, naming the alias that crosses the limit. It
// reads the tree only; call it before decoding. lineOffset is added to
// the line (for front matter inside a larger file).
func CheckYAMLExpansion(filename string, f *ast.File, lineOffset int) error {
	if f == nil {
		return nil
	}
	w := yamlSizer{anchors: map[string]int{}}
	for _, doc := range f.Docs {
		if doc != nil {
			w.size(doc.Body)
		}
		if w.over != nil {
			fe := &FileError{File: filename, Msg: fmt.Sprintf("the aliases (*%s) expand to more than %d values: whet reads no YAML that large", w.overName, yamlExpansionLimit)}
			if tk := w.over.GetToken(); tk != nil && tk.Position != nil {
				fe.Line, fe.Col = tk.Position.Line+lineOffset, tk.Position.Column
			}
			return fe
		}
	}
	return nil
}

// yamlSizer counts values in document order; an alias counts as the
// anchor's value, which YAML requires to come before it.
type yamlSizer struct {
	anchors  map[string]int
	total    int
	over     ast.Node // the alias that crossed the limit
	overName string
}

func (w *yamlSizer) size(n ast.Node) int {
	if n == nil || w.over != nil {
		return 0
	}
	switch x := n.(type) {
	case *ast.DocumentNode:
		return w.size(x.Body)
	case *ast.AnchorNode:
		s := w.size(x.Value)
		if x.Name != nil {
			w.anchors[x.Name.String()] = s
		}
		return s
	case *ast.AliasNode:
		name := ""
		if x.Value != nil {
			name = x.Value.String()
		}
		s := w.anchors[name]
		w.total += s
		if w.total > yamlExpansionLimit {
			w.over, w.overName = x, name
		}
		return s
	case *ast.TagNode:
		return w.size(x.Value)
	case *ast.MappingKeyNode:
		return w.size(x.Value)
	case *ast.MappingValueNode:
		return w.size(x.Key) + w.size(x.Value)
	case *ast.MappingNode:
		s := 1
		for _, v := range x.Values {
			s = min(s+w.size(v), yamlExpansionLimit+1)
		}
		return s
	case *ast.SequenceNode:
		s := 1
		for _, v := range x.Values {
			s = min(s+w.size(v), yamlExpansionLimit+1)
		}
		return s
	}
	w.total++
	return 1
}
