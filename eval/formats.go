package eval

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"
	"unicode"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// compiledSchema is a JSON Schema ready to validate instances.
type compiledSchema struct {
	s *jsonschema.Schema
}

// schemaURL names the one in-memory resource a check's schema is compiled
// from; nothing is ever loaded from it.
const schemaURL = "mem://whet/check-schema.json"

// compileSchema compiles a check's schema value: nothing or "" (no schema),
// an object or boolean schema, or the schema as JSON or YAML text. The
// schema's "$schema" picks the draft (2020-12 when absent). No $ref outside
// the schema itself is followed: there is no loader for files or URLs.
func compileSchema(v any) (*compiledSchema, error) {
	if str, ok := v.(string); ok {
		if strings.TrimSpace(str) == "" {
			return nil, nil
		}
		parsed, err := parseSchemaText(str)
		if err != nil {
			return nil, err
		}
		v = parsed
	}
	switch v.(type) {
	case nil:
		return nil, nil
	case map[string]any, bool:
	default:
		return nil, fmt.Errorf("a schema is an object or a boolean, got %s", shapeOf(v))
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(jsonschema.SchemeURLLoader{})
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, oneLine(err)
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		return nil, oneLine(err)
	}
	return &compiledSchema{s: s}, nil
}

// validate checks one instance, decoded with UseNumber (as decodeJSON does).
func (cs *compiledSchema) validate(v any) error {
	if err := cs.s.Validate(v); err != nil {
		return oneLine(err)
	}
	return nil
}

// oneLine folds a multi-line library error into one line.
func oneLine(err error) error {
	lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[i]), "- "))
	}
	msg := strings.Join(lines, "; ")
	msg = libPrefix.ReplaceAllString(msg, "")
	msg = strings.ReplaceAll(msg, `"`+schemaURL+`#" is not valid against metaschema: `, "not valid against its metaschema: ")
	msg = strings.ReplaceAll(msg, schemaURL, "schema")
	return errors.New(msg)
}

// libPrefix is the validator's preamble naming the schema's URL.
var libPrefix = regexp.MustCompile(`jsonschema validation failed with '[^']*'; `)

// parseWholeJSON parses text as exactly one JSON value (surrounding
// whitespace allowed), as JSON.parse does.
func parseWholeJSON(text string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("text after the JSON value")
	}
	return v, nil
}

// findJSON returns every JSON object or array embedded in text, outermost
// first, left to right: at each '{' or '[' it tries to decode one value and,
// on success, skips past it. An output of unclosed brackets ("[[[[…", a
// model repeating itself) would be read to its end from each one; after
// jsonSearchBytes of reading the search stops, and complete is false.
func findJSON(text string) (out []any, complete bool) {
	read := &countingReader{}
	for i := 0; i < len(text); i++ {
		if text[i] != '{' && text[i] != '[' {
			continue
		}
		if read.n > jsonSearchBytes {
			return out, false
		}
		read.r = strings.NewReader(text[i:])
		dec := json.NewDecoder(read)
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			continue
		}
		out = append(out, v)
		i += int(dec.InputOffset()) - 1
	}
	return out, true
}

// jsonSearchBytes bounds the reading findJSON does (about a second). A
// variable for the tests.
var jsonSearchBytes = 32 << 20

// jsonEqual reports whether two values of the JSON data model are equal,
// comparing numbers by value (1 equals 1.0).
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		fx, e1 := x.Float64()
		fy, e2 := y.Float64()
		return e1 == nil && e2 == nil && fx == fy
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !jsonEqual(xv, yv) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// checkXML reports whether text is one well-formed XML document (an
// optional prolog, exactly one root element, nothing but whitespace,
// comments and processing instructions around it) holding every required
// element path ("root.child.leaf", element names from the root). It returns
// "" when it is, else why not.
func checkXML(text string, required []string) string {
	dec := xml.NewDecoder(strings.NewReader(text))
	dec.Strict = true
	var stack []string
	paths := map[string]bool{}
	roots := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "XML parsing failed: " + err.Error()
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				roots++
				if roots > 1 {
					return "XML has more than one root element"
				}
			}
			stack = append(stack, xmlName(t.Name))
			paths[strings.Join(stack, ".")] = true
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 && strings.TrimSpace(string(t)) != "" {
				if roots == 0 {
					return "text before the root element: " + quote(strings.TrimSpace(string(t)))
				}
				return "text after the root element"
			}
		case xml.Directive:
			if strings.Contains(string(t), "[") {
				return "DTD internal subsets are not supported"
			}
		}
	}
	if roots == 0 {
		return "no XML element found"
	}
	var missing []string
	for _, p := range required {
		if !paths[p] {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		return "XML is missing required elements: " + strings.Join(missing, ", ")
	}
	return ""
}

func xmlName(n xml.Name) string {
	// The decoder resolves prefixes to namespace URLs; paths use the local
	// name, as promptfoo's (prefix-stripping) parser does.
	return n.Local
}

// wordCount counts runs of non-space characters.
func wordCount(s string) int {
	return len(strings.FieldsFunc(s, unicode.IsSpace))
}
