package prompt

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Prompty files (Microsoft's .prompty format) are YAML front matter followed
// by a body whose role lines ("system:", "user:", "assistant:", optionally
// "# user:" or "user[key=value]:") start each message. The body is Jinja2
// or Mustache; whet reads its {{variable}} substitutions and refuses, at
// their line, the constructs it cannot reproduce: control blocks, comments,
// filters and expressions, Mustache sections, thread inputs.
//
// Both generations of the front matter are read: the first (model.api,
// model.configuration, model.parameters with snake_case names, inputs,
// sample, authors) and the current one (model as a mapping or just the
// model id, model.options with camelCase names such as maxOutputTokens,
// inputSchema.properties with default or example values, metadata.authors,
// template.format.kind). The model and its connection are not imported:
// whet targets are chosen when running.

type promptyFront struct {
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	Version     any            `yaml:"version"`
	Authors     []string       `yaml:"authors"`
	Tags        []string       `yaml:"tags"`
	Model       any            `yaml:"model"` // a mapping, or the model id alone
	Sample      any            `yaml:"sample"`
	Inputs      any            `yaml:"inputs"`
	InputSchema any            `yaml:"inputSchema"`
	Outputs     any            `yaml:"outputs"` // not imported; a mapping, or the current runtime's list
	Template    any            `yaml:"template"`
	Metadata    map[string]any `yaml:"metadata"`
	Base        string         `yaml:"base"`
	Tools       any            `yaml:"tools"` // the current runtime's tools
}

// promptyOptions maps the current runtime's model.options names onto
// whet's params; a name not listed is kept as it is written.
var promptyOptions = map[string]string{
	"maxOutputTokens":  "max_tokens",
	"topP":             "top_p",
	"topK":             "top_k",
	"frequencyPenalty": "frequency_penalty",
	"presencePenalty":  "presence_penalty",
	"stopSequences":    "stop",
}

var (
	promptyRoleRe          = regexp.MustCompile(`^\s*#?\s*(?i:(system|user|assistant|developer|function|tools?))(\[[^\]]*\])?\s*:\s*$`)
	promptyBlockRe         = regexp.MustCompile(`\{%-?\s*(\w+)`)
	promptyNameRe          = regexp.MustCompile(`[^A-Za-z0-9._/-]+`)
	promptyJinjaComment    = regexp.MustCompile(`\{#.*?#\}`)
	promptyMustacheComment = regexp.MustCompile(`\{\{!.*?\}\}`)
	// promptyThreadRe finds a thread input's kind in the front matter.
	promptyThreadRe = regexp.MustCompile(`(?i)\b(kind|type)\s*:\s*["']?thread\b`)
)

// ParsePrompty reads a .prompty file into a File. The prompt name is the
// front matter's name made into a valid slug, else the file's base name.
// Model parameters (model.parameters, or model.options as the current
// runtime names them, maxOutputTokens for max_tokens and so on) map onto
// Params (max_tokens, temperature, top_p, seed, stop; others to Extra); a
// sample mapping, over the inputs' (or inputSchema's) examples, samples and
// defaults, becomes the sample values. A sample or inputSchema given as a
// file ("sample.json", "${file:sample.json}") is an error naming it: use
// ParsePromptyWith to read it.
//
// An error is a *FileError, or FileErrors holding one for each problem,
// in line order, as ParseFile reports a prompt file's; malformed YAML in
// the front matter is the one error.
func ParsePrompty(filename string, data []byte) (File, error) {
	return ParsePromptyWith(filename, data, nil)
}

// ParsePromptyWith is ParsePrompty with read, which reads a file the front
// matter names, its path relative to the .prompty file as written: a
// sample given as a file of JSON or YAML.
func ParsePromptyWith(filename string, data []byte, read func(path string) ([]byte, error)) (File, error) {
	front, body, bodyLine, err := splitPromptyFront(filename, data)
	if err != nil {
		return File{}, err
	}
	// Every problem is gathered, in line order, as in a prompt file; only
	// one that leaves nothing to read on (malformed YAML) stops at once.
	var errs FileErrors
	var pf promptyFront
	loc := promptyLocator{front: front}
	if strings.TrimSpace(front) != "" {
		var problems FileErrors
		if pf, loc.top, problems, err = decodePromptyFront(filename, front); err != nil {
			return File{}, err
		}
		errs = append(errs, problems...)
	}
	f := File{Description: strings.TrimSpace(pf.Description)}
	name := strings.Trim(promptyNameRe.ReplaceAllString(strings.ToLower(strings.TrimSpace(pf.Name)), "-"), "-./")
	if name == "" {
		base := filename[strings.LastIndexAny(filename, `/\`)+1:]
		base = strings.TrimSuffix(base, ".prompty")
		name = strings.Trim(promptyNameRe.ReplaceAllString(strings.ToLower(base), "-"), "-./")
	}
	if err := ValidateName(name); err != nil {
		line := loc.line("name:", "name")
		if line == 0 {
			line = 2
		}
		errs = append(errs, &FileError{File: filename, Line: line, Msg: "name: " + err.Error()})
	}
	f.Name = name
	authors := pf.Authors
	if len(authors) == 0 {
		// The current runtime keeps authors under metadata.
		if list, ok := pf.Metadata["authors"].([]any); ok {
			for _, a := range list {
				if s, ok := a.(string); ok {
					authors = append(authors, s)
				}
			}
		}
	}
	if len(authors) > 0 {
		f.Labels = Labels{"owner": strings.Join(authors, ", ")}
	}
	model, _ := pf.Model.(map[string]any)
	for _, sec := range []string{"parameters", "options"} {
		errs = append(errs, promptyParams(filename, loc, []string{"model", sec}, model[sec], read, &f.Params)...)
	}
	if promptyHasTools(pf.Tools) {
		errs = append(errs, &FileError{File: filename, Line: loc.line("tools:", "tools"), Msg: "tools: " + promptyNoTools})
	}
	format, err := promptyTemplateFormat(filename, loc, pf.Template)
	if err != nil {
		errs = append(errs, err)
	}
	vars := promptyInputs(pf.Inputs)
	schema := pf.InputSchema
	if path, ok := schema.(string); ok && strings.TrimSpace(path) != "" {
		m, err := promptyFileRef(filename, loc, "inputSchema", path, read)
		if err != nil {
			errs = append(errs, err)
		}
		schema = m
	}
	schemaProps := any(nil)
	if m, ok := schema.(map[string]any); ok {
		schemaProps = m["properties"]
		for k, v := range promptyInputs(schemaProps) {
			vars[k] = v
		}
	}
	for _, in := range []struct {
		path   []string
		inputs any
	}{{[]string{"inputs"}, pf.Inputs}, {[]string{"inputSchema", "properties"}, schemaProps}} {
		for _, t := range promptyThreadInputs(in.inputs) {
			line := loc.line("", append(slices.Clone(in.path), t.at...)...)
			if line == 0 {
				if m := promptyThreadRe.FindStringIndex(front); m != nil {
					line = 2 + strings.Count(front[:m[0]], "\n")
				}
			}
			errs = append(errs, &FileError{File: filename, Line: line, Msg: fmt.Sprintf(
				"input %s is a thread (a conversation history spliced in as messages): whet prompts hold fixed system, user and assistant messages; write the turns out, or drop the input", t.name)})
		}
	}
	if path, ok := pf.Sample.(string); ok && strings.TrimSpace(path) != "" {
		sample, err := promptyFileRef(filename, loc, "sample", path, read)
		if err != nil {
			errs = append(errs, err)
		}
		pf.Sample = sample
	}
	objects := map[string]any{} // sample values that are mappings, by name
	for _, inputs := range []any{pf.Inputs, schemaProps} {
		for k, v := range promptyInputObjects(inputs) {
			objects[k] = v
		}
	}
	if sample, ok := pf.Sample.(map[string]any); ok {
		for k, v := range sample {
			if text, err := paramText(v); err == nil {
				vars[k] = text
			}
			if m, ok := v.(map[string]any); ok {
				objects[k] = m
			} else {
				delete(objects, k)
			}
		}
	}
	api, apiKey := "", "api"
	for _, k := range []string{"apiType", "api"} {
		if a, ok := model[k].(string); ok && a != "" {
			api, apiKey = strings.ToLower(strings.TrimSpace(a)), k
			break
		}
	}
	switch api {
	case "embedding", "image":
		// The body is no chat to check: the file is not imported at all.
		errs = append(errs, &FileError{File: filename, Line: loc.line(apiKey+":", "model", apiKey), Msg: fmt.Sprintf("model api %s: whet prompts are chat prompts; an %s prompt is not imported", api, api)})
		sortFileErrors(errs)
		return File{}, errs.err()
	}
	// Prompty reads the body from its first character that is not
	// white space: the blank lines after the front matter, and the first
	// line's indent, are not sent. A file that is only a body is read
	// whole.
	trimLead := bodyLine > 1
	msgs, bodyErrs := parsePromptyBody(filename, body, bodyLine, format == "mustache", api == "completion", trimLead)
	errs = append(errs, bodyErrs...)
	if len(errs) > 0 {
		sortFileErrors(errs)
		return File{}, errs.err()
	}
	f.Messages = msgs
	promptyFieldSamples(vars, objects, msgs)
	if len(vars) > 0 {
		f.Vars = vars
	}
	return f, nil
}

// decodePromptyFront decodes a Prompty file's front matter, whose keys
// beside promptyFront's are left alone, as the runtime leaves them. A
// value of the wrong kind is not the end of it: each is in problems, pf
// holding the fields that did decode. fatal is an error that leaves
// nothing to read on (malformed YAML, an alias bomb), alone.
func decodePromptyFront(filename, front string) (pf promptyFront, top ast.Node, problems FileErrors, fatal error) {
	var f *ast.File
	if err := safeYAML(func() (err error) { f, err = parser.ParseBytes([]byte(front), 0); return err }); err != nil {
		return pf, nil, nil, yamlErr(filename, front, 1, err)
	}
	if err := CheckYAMLExpansion(filename, f, 1); err != nil {
		return pf, nil, nil, err
	}
	if f != nil && len(f.Docs) == 1 && f.Docs[0] != nil {
		top = f.Docs[0].Body
	}
	err := safeYAML(func() error { return yaml.Unmarshal([]byte(front), &pf) })
	if err == nil {
		return pf, top, nil, nil
	}
	// Field by field, for every problem rather than the decoder's first.
	kvs, ok := mappingValues(top)
	if !ok || !plainYAML(top) {
		return promptyFront{}, nil, nil, yamlErr(filename, front, 1, err)
	}
	d := &frontDecoder{filename: filename, src: front, lineOffset: 1}
	var byField promptyFront
	for _, kv := range kvs {
		n := kv.Value
		switch kv.Key.GetToken().Value {
		case "name":
			d.value("", n, &byField.Name)
		case "description":
			d.value("", n, &byField.Description)
		case "version":
			d.value("", n, &byField.Version)
		case "authors":
			d.textList(n, &byField.Authors)
		case "tags":
			d.textList(n, &byField.Tags)
		case "model":
			d.value("", n, &byField.Model)
		case "sample":
			d.value("", n, &byField.Sample)
		case "inputs":
			d.value("", n, &byField.Inputs)
		case "inputSchema":
			d.value("", n, &byField.InputSchema)
		case "outputs":
			d.value("", n, &byField.Outputs)
		case "template":
			d.value("", n, &byField.Template)
		case "metadata":
			d.value("", n, &byField.Metadata)
		case "base":
			d.value("", n, &byField.Base)
		case "tools":
			d.value("", n, &byField.Tools)
		}
	}
	if len(d.errs) == 0 {
		return promptyFront{}, nil, nil, yamlErr(filename, front, 1, err)
	}
	return byField, top, d.errs, nil
}

// promptyLocator finds where a Prompty file's front matter writes a key.
type promptyLocator struct {
	front string
	top   ast.Node // the front matter's top mapping; nil when unread
}

// line is the file line of the key at path (a mapping key, or a list
// index as "0"), else of the first front matter line holding fallback
// ("" for none); 0 when neither is found.
func (l promptyLocator) line(fallback string, path ...string) int {
	n := l.top
	for i, p := range path {
		var at ast.Node
		if seq, ok := n.(*ast.SequenceNode); ok {
			if k, err := strconv.Atoi(p); err == nil && k >= 0 && k < len(seq.Values) && seq.Values[k] != nil {
				at, n = seq.Values[k], seq.Values[k]
			}
		} else if kvs, ok := mappingValues(n); ok {
			for _, kv := range kvs {
				if kv.Key.GetToken().Value == p {
					at, n = kv.Key, kv.Value
					break
				}
			}
		}
		if at == nil {
			break
		}
		if i == len(path)-1 {
			if tk := at.GetToken(); tk != nil && tk.Position != nil {
				return tk.Position.Line + 1
			}
		}
	}
	if fallback == "" {
		return 0
	}
	return frontLine(l.front, fallback)
}

// promptyFieldSamples gives a {{customer.firstName}} the messages read the
// sample value of that field of the customer object, as Jinja and Mustache
// read an object's field; whet's templates take customer.firstName as a
// variable's name. A field that is text or a number gets a sample; an
// object read only through its fields is no sample of its own.
func promptyFieldSamples(vars map[string]string, objects map[string]any, msgs []Message) {
	refs := MessagesVariables(msgs)
	readWhole := map[string]bool{}
	for _, ref := range refs {
		readWhole[ref] = true
	}
	for _, ref := range refs {
		root, path, dotted := strings.Cut(ref, ".")
		obj, ok := objects[root]
		if !dotted || !ok {
			continue
		}
		if !readWhole[root] {
			delete(vars, root)
		}
		if _, set := vars[ref]; set {
			continue
		}
		cur := obj
		for _, part := range strings.Split(path, ".") {
			m, ok := cur.(map[string]any)
			if !ok {
				cur = nil
				break
			}
			cur = m[part]
		}
		switch x := cur.(type) {
		case string:
			vars[ref] = x
		case int, int64, uint64, float64:
			vars[ref] = fmt.Sprint(x)
		}
	}
}

// promptyInputObjects are the inputs whose sample value (as promptyInputs
// reads it) is a mapping.
func promptyInputObjects(inputs any) map[string]any {
	out := map[string]any{}
	value := func(prop any) any {
		m, ok := prop.(map[string]any)
		if !ok {
			return prop
		}
		for _, k := range []string{"example", "sample", "default"} {
			if v, ok := m[k]; ok && v != nil {
				return v
			}
		}
		return nil
	}
	switch x := inputs.(type) {
	case map[string]any:
		for name, prop := range x {
			if m, ok := value(prop).(map[string]any); ok {
				out[name] = m
			}
		}
	case []any:
		for _, it := range x {
			if m, ok := it.(map[string]any); ok {
				if name, ok := m["name"].(string); ok && name != "" {
					if v, ok := value(m).(map[string]any); ok {
						out[name] = v
					}
				}
			}
		}
	}
	return out
}

// splitPromptyFront is splitFront for a Prompty file, whose front matter
// may be left out: the current runtime loads a file that is only a body
// (its name then the file's, its text one system message unless role lines
// divide it).
func splitPromptyFront(filename string, data []byte) (front, body string, bodyLine int, err error) {
	s := strings.TrimPrefix(strings.ReplaceAll(string(data), "\r\n", "\n"), "\ufeff")
	if s == "---" || strings.HasPrefix(s, "---\n") {
		return splitFront(filename, data)
	}
	if err := CheckText(filename, data); err != nil {
		return "", "", 0, err
	}
	return "", s, 1, nil
}

// promptyParams sets p from model.parameters or model.options (path,
// from the top): the current runtime's camelCase names become whet's
// (maxOutputTokens is max_tokens), additionalProperties are spread, and
// allowMultipleToolCalls, which only matters with tools, is left out. A
// value given as a file ("${file:schema.json}") is the file's JSON or YAML
// value, read with read; tools, and a value read from the environment
// ("${env:NAME}"), are refused at their line, each parameter's problem
// apart.
func promptyParams(filename string, loc promptyLocator, path []string, v any, read func(string) ([]byte, error), p *Params) FileErrors {
	if v == nil {
		return nil
	}
	sec := strings.Join(path, ".")
	m, ok := v.(map[string]any)
	if !ok {
		last := path[len(path)-1]
		return FileErrors{&FileError{File: filename, Line: loc.line(last+":", path...), Msg: sec + " is not a mapping of parameters"}}
	}
	var errs FileErrors
	for _, k := range SortedKeys(m) {
		at := append(slices.Clone(path), k)
		switch k {
		case "allowMultipleToolCalls":
			continue
		case "additionalProperties":
			errs = append(errs, promptyParams(filename, loc, at, m[k], read, p)...)
			continue
		}
		fail := func(msg string) {
			errs = append(errs, &FileError{File: filename, Line: loc.line(k+":", at...), Msg: sec + "." + k + ": " + msg})
		}
		if promptyToolParams[k] {
			fail(promptyNoTools)
			continue
		}
		val := m[k]
		if ref, ok := val.(string); ok {
			// Prompty replaces ${file:path} with the file's JSON or
			// YAML value and ${env:NAME} with the variable.
			ref = strings.TrimSpace(ref)
			if path, ok := strings.CutPrefix(ref, "${file:"); ok && strings.HasSuffix(path, "}") {
				v, err := promptyFileValue(strings.TrimSpace(strings.TrimSuffix(path, "}")), read)
				if err != nil {
					fail(err.Error())
					continue
				}
				val = v
			} else if strings.HasPrefix(ref, "${env:") && strings.HasSuffix(ref, "}") {
				fail(fmt.Sprintf("%s is read from the environment when Prompty runs; whet keeps a prompt's params as values: write the value", ref))
				continue
			}
		}
		key := k
		if name, ok := promptyOptions[k]; ok {
			key = name
		}
		if key == "response_format" {
			// OpenAI's (and Azure OpenAI's) alone: another kind of
			// target refuses it.
			key = "openai." + key
		}
		text, err := paramText(val)
		if err == nil {
			err = p.Set(key, text)
		}
		if err != nil {
			errs = append(errs, &FileError{File: filename, Line: loc.line(k+":", at...), Msg: sec + ": " + err.Error()})
			continue
		}
		if s, ok := val.(string); ok && s != "" && isProviderOption(strings.TrimSpace(key)) {
			// Prompty sends a value YAML reads as text ("123",
			// 'true') as text, not the number Set reads it as.
			if p.Extra == nil {
				p.Extra = map[string]any{}
			}
			p.Extra[strings.TrimSpace(key)] = s
		}
	}
	return errs
}

// promptyTemplateFormat returns the template format, "jinja2" or
// "mustache", refusing any other: "template: jinja2", or template.format (a
// name or {kind}), or the older template.type.
func promptyTemplateFormat(filename string, loc promptyLocator, t any) (string, error) {
	kind := ""
	at := []string{"template"}
	switch x := t.(type) {
	case string:
		kind = x
	case map[string]any:
		key := "format"
		format := x[key]
		if format == nil {
			key = "type"
			format = x[key]
		}
		at = append(at, key)
		switch y := format.(type) {
		case string:
			kind = y
		case map[string]any:
			kind, _ = y["kind"].(string)
			at = append(at, "kind")
		}
	}
	switch k := strings.ToLower(strings.TrimSpace(kind)); k {
	case "", "jinja2", "jinja":
		return "jinja2", nil
	case "mustache":
		return k, nil
	}
	return "", &FileError{File: filename, Line: loc.line(kind, at...), Msg: fmt.Sprintf("template format %q is not supported: whet reads Jinja2 and Mustache prompts", kind)}
}

// promptyThread is an input of kind (or type) thread: its name, and the
// path to its kind from the inputs.
type promptyThread struct {
	name string
	at   []string
}

// promptyThreadInputs are the inputs of kind (or type) thread, in order.
func promptyThreadInputs(inputs any) []promptyThread {
	threadKey := func(prop any) string {
		m, ok := prop.(map[string]any)
		if !ok {
			return ""
		}
		for _, k := range []string{"kind", "type"} {
			if s, ok := m[k].(string); ok && strings.EqualFold(strings.TrimSpace(s), "thread") {
				return k
			}
		}
		return ""
	}
	var out []promptyThread
	switch x := inputs.(type) {
	case map[string]any:
		for _, name := range SortedKeys(x) {
			if k := threadKey(x[name]); k != "" {
				out = append(out, promptyThread{name, []string{name, k}})
			}
		}
	case []any:
		for i, it := range x {
			if m, ok := it.(map[string]any); ok {
				if k := threadKey(m); k != "" {
					name, _ := m["name"].(string)
					out = append(out, promptyThread{name, []string{strconv.Itoa(i), k}})
				}
			}
		}
	}
	return out
}

// frontLine is the file line of the first front matter line holding s;
// 0 when none does.
func frontLine(front, s string) int {
	for i, line := range strings.Split(front, "\n") {
		if strings.Contains(line, s) {
			return i + 2
		}
	}
	return 0
}

// promptyFileRef reads the file a front matter field (sample, inputSchema)
// names instead of giving its mapping inline: "sample.json" or
// "${file:sample.json}".
func promptyFileRef(filename string, loc promptyLocator, field, path string, read func(string) ([]byte, error)) (map[string]any, error) {
	path = strings.TrimSpace(path)
	if strings.HasPrefix(path, "${file:") && strings.HasSuffix(path, "}") {
		path = strings.TrimSpace(path[len("${file:") : len(path)-1])
	}
	fail := func(msg string) error {
		return &FileError{File: filename, Line: loc.line(field+":", field), Msg: field + ": " + msg}
	}
	if read == nil {
		return nil, fail(fmt.Sprintf("the %s file %s cannot be read here; give the %s inline", field, path, field))
	}
	data, err := read(path)
	if err != nil {
		return nil, fail(fmt.Sprintf("reading %s: %v", path, err))
	}
	var m map[string]any
	if err := yamlUnmarshalLoose(string(data), &m); err != nil {
		return nil, fail(fmt.Sprintf("%s is not a JSON or YAML mapping: %v", path, err))
	}
	return m, nil
}

// promptyNoTools says why a Prompty file's tools are refused.
const promptyNoTools = "whet sends no tools: a run sends the prompt's messages and params and shows the answer, and calls no functions; remove it to import the prompt"

// promptyHasTools reports whether tools (the current runtime's top-level
// tools) offers the model any.
func promptyHasTools(tools any) bool {
	switch x := tools.(type) {
	case nil:
		return false
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	case string:
		return strings.TrimSpace(x) != ""
	}
	return true
}

// promptyToolParams are the model parameters that offer the model tools.
var promptyToolParams = map[string]bool{"tools": true, "tool_choice": true, "functions": true, "function_call": true, "parallel_tool_calls": true}

// promptyFileValue reads a parameter given as a file ("${file:schema.json}"):
// its JSON or YAML value.
func promptyFileValue(path string, read func(string) ([]byte, error)) (any, error) {
	if read == nil {
		return nil, fmt.Errorf("the file %s cannot be read here; give the value inline", path)
	}
	data, err := read(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %v", path, err)
	}
	var v any
	if err := yamlUnmarshalLoose(string(data), &v); err != nil {
		return nil, fmt.Errorf("%s is not JSON or YAML: %v", path, err)
	}
	return v, nil
}

// promptyInputs returns the sample value of each input: its sample, else
// its default. Inputs are a mapping of name to a property ({type, default,
// sample, …}) or to the sample value itself, or a list of properties with
// a name, as the Prompty runtime reads them.
func promptyInputs(inputs any) map[string]string {
	vars := map[string]string{}
	set := func(name string, prop any) {
		m, ok := prop.(map[string]any)
		if !ok {
			if text, err := paramText(prop); err == nil && prop != nil {
				vars[name] = text
			}
			return
		}
		for _, k := range []string{"example", "sample", "default"} {
			if v, ok := m[k]; ok && v != nil {
				if text, err := paramText(v); err == nil {
					vars[name] = text
					return
				}
			}
		}
	}
	switch x := inputs.(type) {
	case map[string]any:
		for name, prop := range x {
			set(name, prop)
		}
	case []any: // the runtime's list of properties, each with its name
		for _, it := range x {
			if m, ok := it.(map[string]any); ok {
				if name, ok := m["name"].(string); ok && name != "" {
					set(name, m)
				}
			}
		}
	}
	return vars
}

// parsePromptyBody splits the body into messages at its role lines; a
// completion prompt (completion) has no roles: the whole body is one user
// message, as the runtime sends it as the prompt text. errs holds every
// problem, each at its line: a section of a role whet does not hold is
// refused at its role line, and its text is not read further. trimLead
// drops the white space before the body's first character, as Prompty
// does after the front matter.
func parsePromptyBody(filename, body string, firstLine int, mustache, completion, trimLead bool) (msgs []Message, errs FileErrors) {
	lines := strings.Split(body, "\n")
	role := ""
	refused := false // the section's role is one whet does not hold
	var buf []string
	var bufLines []int // the file line of each line of buf
	var bufCols []int  // the columns left out of each line of buf
	flush := func() {
		defer func() { buf, bufLines, bufCols = buf[:0], bufLines[:0], bufCols[:0] }()
		if refused {
			return
		}
		raw := strings.Join(buf, "\n")
		if _, err := ParseTemplate(raw); err != nil {
			fe := &FileError{File: filename, Msg: err.Error()}
			if len(bufLines) > 0 {
				fe.Line = bufLines[0]
			}
			var se *SyntaxError
			if errors.As(err, &se) && se.Line >= 1 && se.Line <= len(bufLines) {
				fe.Line, fe.Col, fe.Msg = bufLines[se.Line-1], se.Col, se.Msg
				if se.Col > 0 {
					fe.Col += bufCols[se.Line-1]
				}
			}
			errs = append(errs, fe)
			return
		}
		content := trimBlankLines(raw)
		if role != "" || content != "" {
			r := role
			switch {
			case completion:
				r = RoleUser
			case r == "":
				r = RoleSystem // text before any role line is the system prompt
			}
			msgs = append(msgs, Message{Role: r, Content: content})
		}
	}
	commentRe := promptyJinjaComment
	if mustache {
		commentRe = promptyMustacheComment
	}
	leading := trimLead // no character of the body read yet
	for i, line := range lines {
		indent := 0
		if leading {
			if strings.TrimSpace(line) == "" {
				continue
			}
			leading = false
			indent = len(line) - len(strings.TrimLeftFunc(line, unicode.IsSpace))
			line = line[indent:]
		}
		if m := promptyRoleRe.FindStringSubmatch(line); m != nil && !completion {
			flush()
			role = strings.ToLower(m[1])
			refused = role != RoleSystem && role != RoleUser && role != RoleAssistant
			if refused {
				msg := role + " messages are not supported; whet prompts hold system, user and assistant messages"
				if role == "developer" {
					// The current runtime's role line; OpenAI reads a
					// system message as the developer's.
					msg += " (OpenAI takes a system message as the developer message: write it as system:)"
				}
				errs = append(errs, &FileError{File: filename, Line: firstLine + i, Col: 1, Msg: msg})
			}
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(line), "![thread]") {
			// It starts a section of its own, as a role line does.
			flush()
			refused = true
			errs = append(errs, &FileError{File: filename, Line: firstLine + i, Col: 1, Msg: "![thread] is not supported: whet prompts hold fixed system, user and assistant messages"})
			continue
		}
		if refused {
			continue
		}
		// A comment renders as nothing: it is left out, with its line
		// when it is all the line holds.
		if stripped := commentRe.ReplaceAllString(line, ""); stripped != line {
			if strings.TrimSpace(stripped) == "" {
				continue
			}
			line = stripped
		}
		// Every construct of the line is reported, each at its column;
		// the line is then left out, so it is not reported again as a
		// template error.
		foreign := false
		for rest, base := line, indent; ; {
			off, c := ForeignSyntax(rest)
			if off < 0 || c == "" {
				break
			}
			errs = append(errs, &FileError{File: filename, Line: firstLine + i, Col: base + off + 1, Msg: promptyForeign(c)})
			foreign = true
			base += off + len(c)
			rest = rest[off+len(c):]
		}
		if foreign {
			line = ""
		}
		buf, bufLines, bufCols = append(buf, line), append(bufLines, firstLine+i), append(bufCols, indent)
	}
	flush()
	if len(msgs) == 0 && len(errs) == 0 {
		errs = append(errs, &FileError{File: filename, Line: firstLine, Msg: "no messages: the body needs 'system:' and/or 'user:' sections"})
	}
	return msgs, errs
}

// promptyForeign says why a construct ForeignSyntax found is refused.
func promptyForeign(c string) string {
	const only = "whet templates substitute {{variable}} only"
	short := strings.Join(strings.Fields(c), " ")
	if r := []rune(short); len(r) > 60 {
		short = string(r[:57]) + "..." // cut at a character, never inside one
	}
	switch {
	case strings.HasPrefix(c, "{%"):
		if m := promptyBlockRe.FindStringSubmatch(c); m != nil {
			return fmt.Sprintf("Jinja control block {%% %s %%} is not supported: %s", m[1], only)
		}
		return fmt.Sprintf("Jinja control block %s is not supported: %s", short, only)
	case strings.HasPrefix(c, "{#"):
		return fmt.Sprintf("Jinja comment %s is not supported: it would be sent as text; delete it", short)
	case len(c) > 2 && strings.ContainsRune("!#^/>{&", rune(c[2])):
		return fmt.Sprintf("Mustache tag %s (a section, comment, partial or unescaped variable) is not supported: %s", short, only)
	}
	return fmt.Sprintf("Jinja expression %s (a filter, an expression or whitespace control) is not supported: %s", short, only)
}
