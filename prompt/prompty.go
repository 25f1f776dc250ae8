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
	Inputs      map[string]any `yaml:"inputs"`
	Outputs     map[string]any `yaml:"outputs"`
	Template    any            `yaml:"template"`
	Metadata    map[string]any `yaml:"metadata"`
	Base        string         `yaml:"base"`
}

type promptyModel struct {
	API           string         `yaml:"api"`
	Configuration map[string]any `yaml:"configuration"`
	Parameters    map[string]any `yaml:"parameters"`
	Response      any            `yaml:"response"`
}

var (
	promptyRoleRe  = regexp.MustCompile(`^\s*#?\s*(?i:(system|user|assistant|function))(\[[^\]]*\])?\s*:\s*$`)
	promptyBlockRe = regexp.MustCompile(`\{%-?\s*(\w+)`)
	promptyNameRe  = regexp.MustCompile(`[^A-Za-z0-9._/-]+`)
)

// ParsePrompty reads a .prompty file into a File. The prompt name is the
// front matter's name made into a valid slug, else the file's base name.
// Model parameters map onto Params (max_tokens, temperature, top_p, seed,
// stop; others to Extra); a sample mapping (or inputs' defaults) becomes the
// default case.
func ParsePrompty(filename string, data []byte) (File, error) {
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
	if len(pf.Authors) > 0 {
		f.Labels = Labels{"owner": strings.Join(pf.Authors, ", ")}
	}
	for _, k := range SortedKeys(pf.Model.Parameters) {
		text, err := paramText(pf.Model.Parameters[k])
		if err == nil {
			err = f.Params.Set(k, text)
		}
		if err != nil {
			return File{}, &FileError{File: filename, Msg: "model.parameters: " + err.Error()}
		}
	}
	vars := map[string]string{}
	for k, in := range pf.Inputs {
		if m, ok := in.(map[string]any); ok {
			if d, ok := m["default"]; ok {
				vars[k] = fmt.Sprint(d)
			}
		}
	}
	if sample, ok := pf.Sample.(map[string]any); ok {
		for k, v := range sample {
			if s, ok := v.(string); ok {
				vars[k] = s
			} else if text, err := paramText(v); err == nil {
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
			if role == "function" {
				return nil, &FileError{File: filename, Line: firstLine + i, Col: 1, Msg: "function messages are not supported; whet prompts hold system, user and assistant messages"}
			}
			continue
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
