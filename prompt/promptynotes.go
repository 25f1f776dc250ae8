package prompt

import (
	"fmt"
	"sort"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Note is something an imported file says that the import leaves out, or
// reads otherwise than the file's own tool does, where the file says it.
// It is no error: the file is imported.
type Note struct {
	File string
	Line int // 1-based; 0 when unknown
	Msg  string
}

func (n Note) String() string {
	if n.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", n.File, n.Line, n.Msg)
	}
	return n.File + ": " + n.Msg
}

// promptyTargetNote says why what names a Prompty file's model and its
// connection is not imported.
const promptyTargetNote = "whet chooses the model when it runs a prompt (whet run PROMPT -m TARGET)"

// promptyTopNotes says, for each top-level key Prompty defines (in either
// generation) that the import does not read, why; "" for a key it reads
// (or one with nothing to read, as $schema).
var promptyTopNotes = map[string]string{
	"name": "", "description": "", "authors": "", "model": "", "sample": "",
	"inputs": "", "inputSchema": "", "template": "", "metadata": "", "$schema": "",
	"tools":        "", // refused by ParsePrompty when it lists any
	"displayName":  "whet names a prompt by its name alone",
	"version":      "whet numbers a prompt's versions itself",
	"tags":         "Prompty's tags are keywords about the prompt, and whet's tags name its versions (production, staging); to sort prompts, label them (whet prompt label NAME KEY=VALUE)",
	"outputs":      "whet keeps no output schema; a check of the prompt's suite (is-json, contains, …) can hold what the output must be",
	"outputSchema": "whet keeps no output schema; a check of the prompt's suite (is-json, contains, …) can hold what the output must be",
	"base":         "whet does not read the prompt it names: what this file would take from it is not here",
	"instructions": "the messages are read from the body, where a .prompty file's instructions are",
}

// promptyKeyHints are keys Prompty does not define that are likely meant
// as one it does.
var promptyKeyHints = map[string]string{
	"author": "authors", "input": "inputs", "samples": "sample", "output": "outputs",
	"parameters": "model.parameters", "options": "model.options", "configuration": "model.configuration",
	"temperature": "model.parameters.temperature", "max_tokens": "model.parameters.max_tokens",
	"tag": "tags", "desc": "description", "title": "name",
}

// promptyModelNotes is promptyTopNotes for the keys of model: v1's api,
// configuration, parameters and response, the current id, provider,
// apiType, connection and options.
var promptyModelNotes = map[string]string{
	"api": "", "apiType": "", "parameters": "", "options": "", "response": "",
	"configuration": promptyTargetNote,
	"connection":    promptyTargetNote,
	"id":            promptyTargetNote,
	"provider":      promptyTargetNote,
}

// PromptyNotes lists what the front matter of the Prompty file data says
// that ParsePrompty leaves out, each at its key's line, in line order: a
// key Prompty does not define (which Prompty ignores too), at the top or
// in model or template, and one it defines that whet does not import or
// reads otherwise (model.configuration and the like, version, tags,
// outputs, metadata other than authors, a model.api other than chat and
// completion, model.response: all). A key whose value ParsePrompty refuses
// is its error, not a note. The inputs' own fields (type, description) and
// the model parameters are not listed: the parameters are all imported,
// and the inputs are the variables the body reads. A file whose front
// matter does not parse has none.
func PromptyNotes(filename string, data []byte) []Note {
	front, _, _, err := splitPromptyFront(filename, data)
	if err != nil || strings.TrimSpace(front) == "" {
		return nil
	}
	var f *ast.File
	if safeYAML(func() (err error) { f, err = parser.ParseBytes([]byte(front), 0); return err }) != nil {
		return nil
	}
	if f == nil || len(f.Docs) != 1 || f.Docs[0] == nil {
		return nil
	}
	top, ok := mappingValues(f.Docs[0].Body)
	if !ok {
		return nil
	}
	var notes []Note
	add := func(kv *ast.MappingValueNode, msg string) {
		line := 0
		if tk := kv.Key.GetToken(); tk != nil && tk.Position != nil {
			line = tk.Position.Line + 1 // the front matter starts on line 2
		}
		notes = append(notes, Note{File: filename, Line: line, Msg: msg})
	}
	notImported := func(kv *ast.MappingValueNode, path, why string) {
		add(kv, path+" is not imported: "+why)
	}
	for _, kv := range top {
		key := kv.Key.GetToken().Value
		why, defined := promptyTopNotes[key]
		switch {
		case !defined:
			hint := ""
			if h, ok := promptyKeyHints[key]; ok {
				hint = " (did you mean " + h + "?)"
			}
			notImported(kv, key, "it is no key of a Prompty file, and Prompty ignores it too"+hint)
		case why != "":
			notImported(kv, key, why)
		case key == "model":
			if _, ok := kv.Value.(*ast.StringNode); ok {
				notImported(kv, key, promptyTargetNote)
				continue
			}
			kvs, _ := mappingValues(kv.Value)
			for _, m := range kvs {
				mkey := m.Key.GetToken().Value
				path := "model." + mkey
				why, defined := promptyModelNotes[mkey]
				switch {
				case !defined:
					notImported(m, path, "it is no key of a Prompty model, and Prompty ignores it too")
				case why != "":
					notImported(m, path, why)
				case mkey == "api" || mkey == "apiType":
					switch api := strings.ToLower(strings.TrimSpace(scalarText(m.Value))); api {
					case "", "chat", "completion", "embedding", "image":
						// Read; embedding and image are refused.
					default:
						add(m, fmt.Sprintf("%s %s is imported as a chat prompt: whet sends its messages to a model's chat API", path, api))
					}
				case mkey == "response":
					if v := strings.ToLower(strings.TrimSpace(scalarText(m.Value))); v != "" && v != "first" {
						add(m, fmt.Sprintf("%s %s is not imported: whet keeps the text of the model's first answer, as response: first does", path, v))
					}
				case mkey == "options" || mkey == "parameters":
					opts, _ := mappingValues(m.Value)
					for _, o := range opts {
						if o.Key.GetToken().Value == "allowMultipleToolCalls" {
							notImported(o, path+".allowMultipleToolCalls", "it matters only with tools, and whet sends none")
						}
					}
				}
			}
		case key == "template":
			kvs, _ := mappingValues(kv.Value)
			for _, t := range kvs {
				tkey := t.Key.GetToken().Value
				path := "template." + tkey
				switch tkey {
				case "format", "type":
				case "parser":
					kind := scalarText(t.Value)
					if pkvs, ok := mappingValues(t.Value); ok {
						for _, p := range pkvs {
							if p.Key.GetToken().Value == "kind" {
								kind = scalarText(p.Value)
							}
						}
					}
					if k := strings.ToLower(strings.TrimSpace(kind)); k != "" && k != "prompty" {
						add(t, fmt.Sprintf("%s %s is not imported: whet splits the body into messages at its role lines, as the prompty parser does", path, strings.TrimSpace(kind)))
					}
				default:
					notImported(t, path, "it is no key of a Prompty template, and Prompty ignores it too")
				}
			}
		case key == "metadata":
			kvs, _ := mappingValues(kv.Value)
			for _, m := range kvs {
				switch mkey := m.Key.GetToken().Value; mkey {
				case "authors":
				case "tags":
					notImported(m, "metadata.tags", promptyTopNotes["tags"])
				case "version":
					notImported(m, "metadata.version", promptyTopNotes["version"])
				default:
					notImported(m, "metadata."+mkey, "whet keeps no free-form metadata; to keep it, label the prompt (whet prompt label NAME KEY=VALUE)")
				}
			}
		}
	}
	sort.SliceStable(notes, func(i, j int) bool { return notes[i].Line < notes[j].Line })
	return notes
}

// scalarText is the text of a scalar YAML node; "" for another kind.
func scalarText(n ast.Node) string {
	switch x := n.(type) {
	case *ast.StringNode:
		return x.Value
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		if tk := x.GetToken(); tk != nil {
			return tk.Value
		}
	}
	return ""
}
