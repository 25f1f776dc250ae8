package prompt

import (
	"fmt"
	"regexp"
	"strings"
)

// Prompty files (Microsoft's .prompty format) are YAML front matter followed
// by a body whose role lines ("system:", "user:", "assistant:", optionally
// "# user:" or "user[key=value]:") start each message. The body is Jinja2;
// whet reads its {{variable}} substitutions and refuses control blocks.

type promptyFront struct {
	Name        string         `yaml:"name"`
	Description string         `yaml:"description"`
	Version     any            `yaml:"version"`
	Authors     []string       `yaml:"authors"`
	Tags        []string       `yaml:"tags"`
	Model       promptyModel   `yaml:"model"`
	Sample      any            `yaml:"sample"`
	Inputs      any            `yaml:"inputs"`
	Outputs     map[string]any `yaml:"outputs"`
	Template    any            `yaml:"template"`
	Metadata    map[string]any `yaml:"metadata"`
	Base        string         `yaml:"base"`
}

type promptyModel struct {
	API           string         `yaml:"api"`
	Configuration map[string]any `yaml:"configuration"`
	Connection    map[string]any `yaml:"connection"`
	Parameters    map[string]any `yaml:"parameters"`
	// Options is the current runtime's name for Parameters.
	Options  map[string]any `yaml:"options"`
	Response any            `yaml:"response"`
}

var (
	promptyRoleRe  = regexp.MustCompile(`^\s*#?\s*(?i:(system|user|assistant|function|tools?))(\[[^\]]*\])?\s*:\s*$`)
	promptyBlockRe = regexp.MustCompile(`\{%-?\s*(\w+)`)
	promptyNameRe  = regexp.MustCompile(`[^A-Za-z0-9._/-]+`)
)

// ParsePrompty reads a .prompty file into a File. The prompt name is the
// front matter's name made into a valid slug, else the file's base name.
// Model parameters (model.parameters, or model.options as the current
// runtime names them) map onto Params (max_tokens, temperature, top_p,
// seed, stop; others to Extra); a sample mapping, over the inputs' samples
// and defaults, becomes the sample values. A sample given as a file
// ("sample.json", "${file:sample.json}") is an error naming it: use
// ParsePromptyWith to read it.
func ParsePrompty(filename string, data []byte) (File, error) {
	return ParsePromptyWith(filename, data, nil)
}

// ParsePromptyWith is ParsePrompty with read, which reads a file the front
// matter names, its path relative to the .prompty file as written: a
// sample given as a file of JSON or YAML.
func ParsePromptyWith(filename string, data []byte, read func(path string) ([]byte, error)) (File, error) {
	front, body, bodyLine, err := splitFront(filename, data)
	if err != nil {
		return File{}, err
	}
	var pf promptyFront
	if strings.TrimSpace(front) != "" {
		if err := yamlUnmarshalLoose(front, &pf); err != nil {
			return File{}, yamlErr(filename, 1, err)
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
	for _, sec := range []struct {
		name string
		m    map[string]any
	}{{"model.parameters", pf.Model.Parameters}, {"model.options", pf.Model.Options}} {
		for _, k := range SortedKeys(sec.m) {
			text, err := paramText(sec.m[k])
			if err == nil {
				err = f.Params.Set(k, text)
			}
			if err != nil {
				return File{}, &FileError{File: filename, Msg: sec.name + ": " + err.Error()}
			}
		}
	}
	vars := promptyInputs(pf.Inputs)
	if path, ok := pf.Sample.(string); ok && strings.TrimSpace(path) != "" {
		sample, err := promptySampleFile(filename, path, read)
		if err != nil {
			return File{}, err
		}
		pf.Sample = sample
	}
	if sample, ok := pf.Sample.(map[string]any); ok {
		for k, v := range sample {
			if text, err := paramText(v); err == nil {
				vars[k] = text
			}
		}
	}
	if len(vars) > 0 {
		f.Vars = vars
	}
	msgs, err := parsePromptyBody(filename, body, bodyLine)
	if err != nil {
		return File{}, err
	}
	f.Messages = msgs
	return f, nil
}

// promptySampleFile reads a sample given as a path ("sample.json" or
// "${file:sample.json}") into a mapping.
func promptySampleFile(filename, path string, read func(string) ([]byte, error)) (map[string]any, error) {
	path = strings.TrimSpace(path)
	if strings.HasPrefix(path, "${file:") && strings.HasSuffix(path, "}") {
		path = strings.TrimSpace(path[len("${file:") : len(path)-1])
	}
	fail := func(msg string) error { return &FileError{File: filename, Msg: "sample: " + msg} }
	if read == nil {
		return nil, fail(fmt.Sprintf("the sample file %s cannot be read here; give the sample values inline", path))
	}
	data, err := read(path)
	if err != nil {
		return nil, fail(fmt.Sprintf("reading %s: %v", path, err))
	}
	var sample map[string]any
	if err := yamlUnmarshalLoose(string(data), &sample); err != nil {
		return nil, fail(fmt.Sprintf("%s is not a JSON or YAML mapping of sample values: %v", path, err))
	}
	return sample, nil
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
		for _, k := range []string{"sample", "default"} {
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
	case []any:
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

func parsePromptyBody(filename, body string, firstLine int) ([]Message, error) {
	lines := strings.Split(body, "\n")
	var msgs []Message
	role := ""
	var buf []string
	flush := func() {
		content := trimBlankLines(strings.Join(buf, "\n"))
		if role != "" || content != "" {
			r := role
			if r == "" {
				r = RoleSystem // text before any role line is the system prompt
			}
			msgs = append(msgs, Message{Role: r, Content: content})
		}
		buf = buf[:0]
	}
	for i, line := range lines {
		if m := promptyRoleRe.FindStringSubmatch(line); m != nil {
			flush()
			role = strings.ToLower(m[1])
			if role != RoleSystem && role != RoleUser && role != RoleAssistant {
				return nil, &FileError{File: filename, Line: firstLine + i, Col: 1, Msg: role + " messages are not supported; whet prompts hold system, user and assistant messages"}
			}
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(line), "![thread]") {
			return nil, &FileError{File: filename, Line: firstLine + i, Col: 1, Msg: "![thread] is not supported: whet prompts hold fixed system, user and assistant messages"}
		}
		if m := promptyBlockRe.FindStringSubmatchIndex(line); m != nil {
			return nil, &FileError{File: filename, Line: firstLine + i, Col: m[0] + 1,
				Msg: fmt.Sprintf("Jinja control block {%% %s %%} is not supported: whet templates substitute {{variable}} only", line[m[2]:m[3]])}
		}
		buf = append(buf, line)
	}
	flush()
	if len(msgs) == 0 {
		return nil, &FileError{File: filename, Line: firstLine, Msg: "no messages: the body needs 'system:' and/or 'user:' sections"}
	}
	for i, m := range msgs {
		if _, err := ParseTemplate(m.Content); err != nil {
			return nil, &FileError{File: filename, Msg: fmt.Sprintf("message %d (%s): %v", i+1, m.Role, err)}
		}
	}
	return msgs, nil
}
