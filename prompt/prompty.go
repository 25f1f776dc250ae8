package prompt

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
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
	Outputs     map[string]any `yaml:"outputs"`
	Template    any            `yaml:"template"`
	Metadata    map[string]any `yaml:"metadata"`
	Base        string         `yaml:"base"`
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
	promptyRoleRe          = regexp.MustCompile(`^\s*#?\s*(?i:(system|user|assistant|function|tools?))(\[[^\]]*\])?\s*:\s*$`)
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
	var pf promptyFront
	if strings.TrimSpace(front) != "" {
		if err := yamlUnmarshalLoose(front, &pf); err != nil {
			return File{}, yamlErr(filename, front, 1, err)
		}
	}
	f := File{Description: strings.TrimSpace(pf.Description)}
	name := strings.Trim(promptyNameRe.ReplaceAllString(strings.ToLower(strings.TrimSpace(pf.Name)), "-"), "-./")
	if name == "" {
		base := filename[strings.LastIndexAny(filename, `/\`)+1:]
		base = strings.TrimSuffix(base, ".prompty")
		name = strings.Trim(promptyNameRe.ReplaceAllString(strings.ToLower(base), "-"), "-./")
	}
	if err := ValidateName(name); err != nil {
		return File{}, &FileError{File: filename, Line: 2, Msg: "name: " + err.Error()}
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
		if err := promptyParams(filename, front, "model."+sec, model[sec], read, &f.Params); err != nil {
			return File{}, err
		}
	}
	format, err := promptyTemplateFormat(filename, front, pf.Template)
	if err != nil {
		return File{}, err
	}
	vars := promptyInputs(pf.Inputs)
	schema := pf.InputSchema
	if path, ok := schema.(string); ok && strings.TrimSpace(path) != "" {
		m, err := promptyFileRef(filename, "inputSchema", path, read)
		if err != nil {
			return File{}, err
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
	for _, inputs := range []any{pf.Inputs, schemaProps} {
		if name := promptyThreadInput(inputs); name != "" {
			line := 0
			if loc := promptyThreadRe.FindStringIndex(front); loc != nil {
				line = 2 + strings.Count(front[:loc[0]], "\n")
			}
			return File{}, &FileError{File: filename, Line: line, Msg: fmt.Sprintf(
				"input %s is a thread (a conversation history spliced in as messages): whet prompts hold fixed system, user and assistant messages; write the turns out, or drop the input", name)}
		}
	}
	if path, ok := pf.Sample.(string); ok && strings.TrimSpace(path) != "" {
		sample, err := promptyFileRef(filename, "sample", path, read)
		if err != nil {
			return File{}, err
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
	api := ""
	for _, k := range []string{"apiType", "api"} {
		if a, ok := model[k].(string); ok && a != "" {
			api = strings.ToLower(strings.TrimSpace(a))
			break
		}
	}
	switch api {
	case "embedding", "image":
		return File{}, &FileError{File: filename, Line: frontLine(front, promptyAPIKey(model)), Msg: fmt.Sprintf("model api %s: whet prompts are chat prompts; an %s prompt is not imported", api, api)}
	}
	msgs, err := parsePromptyBody(filename, body, bodyLine, format == "mustache", api == "completion")
	if err != nil {
		return File{}, err
	}
	f.Messages = msgs
	promptyFieldSamples(vars, objects, msgs)
	if len(vars) > 0 {
		f.Vars = vars
	}
	return f, nil
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

// promptyParams sets p from model.parameters or model.options (sec): the
// current runtime's camelCase names become whet's (maxOutputTokens is
// max_tokens), additionalProperties are spread, and allowMultipleToolCalls,
// which only matters with tools, is left out. A value given as a file
// ("${file:schema.json}") is the file's JSON or YAML value, read with read;
// tools, and a value read from the environment ("${env:NAME}"), are
// refused at their line.
func promptyParams(filename, front, sec string, v any, read func(string) ([]byte, error), p *Params) error {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return &FileError{File: filename, Line: frontLine(front, sec[len("model."):]+":"), Msg: sec + " is not a mapping of parameters"}
	}
	for _, k := range SortedKeys(m) {
		switch k {
		case "allowMultipleToolCalls":
			continue
		case "additionalProperties":
			if err := promptyParams(filename, front, sec+".additionalProperties", m[k], read, p); err != nil {
				return err
			}
			continue
		}
		fail := func(msg string) error {
			return &FileError{File: filename, Line: frontLine(front, k+":"), Msg: sec + "." + k + ": " + msg}
		}
		if promptyToolParams[k] {
			return fail("whet sends no tools: a run sends the prompt's messages and params and shows the answer, and calls no functions; remove it to import the prompt")
		}
		val := m[k]
		if ref, ok := val.(string); ok {
			// Prompty replaces ${file:path} with the file's JSON or
			// YAML value and ${env:NAME} with the variable.
			ref = strings.TrimSpace(ref)
			if path, ok := strings.CutPrefix(ref, "${file:"); ok && strings.HasSuffix(path, "}") {
				v, err := promptyFileValue(strings.TrimSpace(strings.TrimSuffix(path, "}")), read)
				if err != nil {
					return fail(err.Error())
				}
				val = v
			} else if strings.HasPrefix(ref, "${env:") && strings.HasSuffix(ref, "}") {
				return fail(fmt.Sprintf("%s is read from the environment when Prompty runs; whet keeps a prompt's params as values: write the value", ref))
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
			return &FileError{File: filename, Line: frontLine(front, k+":"), Msg: sec + ": " + err.Error()}
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
	return nil
}

// promptyTemplateFormat returns the template format, "jinja2" or
// "mustache", refusing any other: "template: jinja2", or template.format (a
// name or {kind}), or the older template.type.
func promptyTemplateFormat(filename, front string, t any) (string, error) {
	kind := ""
	switch x := t.(type) {
	case string:
		kind = x
	case map[string]any:
		format := x["format"]
		if format == nil {
			format = x["type"]
		}
		switch y := format.(type) {
		case string:
			kind = y
		case map[string]any:
			kind, _ = y["kind"].(string)
		}
	}
	switch k := strings.ToLower(strings.TrimSpace(kind)); k {
	case "", "jinja2", "jinja":
		return "jinja2", nil
	case "mustache":
		return k, nil
	}
	return "", &FileError{File: filename, Line: frontLine(front, kind), Msg: fmt.Sprintf("template format %q is not supported: whet reads Jinja2 and Mustache prompts", kind)}
}

// promptyThreadInput names the first input of kind (or type) thread.
func promptyThreadInput(inputs any) string {
	isThread := func(prop any) bool {
		m, ok := prop.(map[string]any)
		if !ok {
			return false
		}
		for _, k := range []string{"kind", "type"} {
			if s, ok := m[k].(string); ok && strings.EqualFold(strings.TrimSpace(s), "thread") {
				return true
			}
		}
		return false
	}
	switch x := inputs.(type) {
	case map[string]any:
		for _, name := range SortedKeys(x) {
			if isThread(x[name]) {
				return name
			}
		}
	case []any:
		for _, it := range x {
			if m, ok := it.(map[string]any); ok && isThread(m) {
				name, _ := m["name"].(string)
				return name
			}
		}
	}
	return ""
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
func promptyFileRef(filename, field, path string, read func(string) ([]byte, error)) (map[string]any, error) {
	path = strings.TrimSpace(path)
	if strings.HasPrefix(path, "${file:") && strings.HasSuffix(path, "}") {
		path = strings.TrimSpace(path[len("${file:") : len(path)-1])
	}
	fail := func(msg string) error { return &FileError{File: filename, Msg: field + ": " + msg} }
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

// promptyAPIKey is the text of the model's api line, to locate it.
func promptyAPIKey(model map[string]any) string {
	for _, k := range []string{"apiType", "api"} {
		if _, ok := model[k]; ok {
			return k + ":"
		}
	}
	return "api"
}

// parsePromptyBody splits the body into messages at its role lines; a
// completion prompt (completion) has no roles: the whole body is one user
// message, as the runtime sends it as the prompt text.
func parsePromptyBody(filename, body string, firstLine int, mustache, completion bool) ([]Message, error) {
	lines := strings.Split(body, "\n")
	var msgs []Message
	role := ""
	var buf []string
	bufLine := firstLine // the file line of buf's first line
	flush := func() error {
		raw := strings.Join(buf, "\n")
		if _, err := ParseTemplate(raw); err != nil {
			fe := &FileError{File: filename, Line: bufLine, Msg: err.Error()}
			var se *SyntaxError
			if errors.As(err, &se) {
				fe.Line, fe.Col, fe.Msg = bufLine+se.Line-1, se.Col, se.Msg
			}
			return fe
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
		buf = buf[:0]
		return nil
	}
	for i, line := range lines {
		if m := promptyRoleRe.FindStringSubmatch(line); m != nil && !completion {
			if err := flush(); err != nil {
				return nil, err
			}
			bufLine = firstLine + i + 1
			role = strings.ToLower(m[1])
			if role != RoleSystem && role != RoleUser && role != RoleAssistant {
				return nil, &FileError{File: filename, Line: firstLine + i, Col: 1, Msg: role + " messages are not supported; whet prompts hold system, user and assistant messages"}
			}
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(line), "![thread]") {
			return nil, &FileError{File: filename, Line: firstLine + i, Col: 1, Msg: "![thread] is not supported: whet prompts hold fixed system, user and assistant messages"}
		}
		// A comment renders as nothing: it is left out, with its line
		// when it is all the line holds.
		commentRe := promptyJinjaComment
		if mustache {
			commentRe = promptyMustacheComment
		}
		if stripped := commentRe.ReplaceAllString(line, ""); stripped != line {
			if strings.TrimSpace(stripped) == "" {
				continue
			}
			line = stripped
		}
		if off, c := ForeignSyntax(line); off >= 0 {
			return nil, &FileError{File: filename, Line: firstLine + i, Col: off + 1, Msg: promptyForeign(c)}
		}
		buf = append(buf, line)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if len(msgs) == 0 {
		return nil, &FileError{File: filename, Line: firstLine, Msg: "no messages: the body needs 'system:' and/or 'user:' sections"}
	}
	return msgs, nil
}

// promptyForeign says why a construct ForeignSyntax found is refused.
func promptyForeign(c string) string {
	const only = "whet templates substitute {{variable}} only"
	short := strings.Join(strings.Fields(c), " ")
	if len(short) > 60 {
		short = short[:57] + "..."
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
