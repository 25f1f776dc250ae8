package prompt

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
)

// UpdatePrompty writes f's messages into the Prompty file data (named
// filename), keeping its front matter byte for byte: the model and its
// connection, inputs, tags and everything else whet does not import stay
// as the file has them. read reads a file the front matter names, as for
// ParsePromptyWith.
//
// Only the body is written, so the front matter must not say otherwise
// than f beside its messages: the same params (model.parameters or
// model.options), and, where the file has them, the same sample values,
// description and owner (authors); what the file leaves out stays in whet
// alone. When one differs the file is not written and the error names
// each, to change in the file by hand. A file is never written that Prompty would read
// otherwise than f: the result is parsed again, and messages that do not
// come back as they are (a line such as "user:" inside a message, Jinja
// syntax, a literal "\{{") are an error naming the message.
func UpdatePrompty(filename string, data []byte, f File, read func(path string) ([]byte, error)) ([]byte, error) {
	old, err := ParsePromptyWith(filename, data, read)
	if err != nil {
		return nil, err
	}
	var differ []string
	if (Content{Params: old.Params}).Hash() != (Content{Params: f.Params}).Hash() {
		differ = append(differ, "params (model.parameters)")
	}
	// What the file leaves out whet keeps (an owner given in whet to a
	// file with no authors): importing the file again changes none of it.
	// What the file says otherwise, importing it would undo.
	if len(old.Vars) > 0 && !maps.Equal(old.Vars, f.Vars) {
		differ = append(differ, "sample values (sample, inputs)")
	}
	if d := strings.TrimSpace(old.Description); d != "" && d != strings.TrimSpace(f.Description) {
		differ = append(differ, "description")
	}
	if o := strings.TrimSpace(old.Labels["owner"]); o != "" && o != strings.TrimSpace(f.Labels["owner"]) {
		differ = append(differ, "owner (authors)")
	}
	if len(differ) > 0 {
		verb, them := "differ", "them"
		if len(differ) == 1 && !strings.HasPrefix(differ[0], "params") && !strings.HasPrefix(differ[0], "sample") {
			verb, them = "differs", "it"
		}
		return nil, &FileError{File: filename, Msg: fmt.Sprintf(
			"its %s %s from the version's: whet writes a Prompty file's messages only, so change %s in the file's front matter (or export to another directory, in whet's format)",
			strings.Join(differ, ", "), verb, them)}
	}
	front, oldBody, bodyLine, err := splitPromptyFront(filename, data)
	if err != nil {
		return nil, err
	}
	completion := false
	var pf promptyFront
	if yamlUnmarshalLoose(front, &pf) == nil {
		if model, ok := pf.Model.(map[string]any); ok {
			for _, k := range []string{"apiType", "api"} {
				if a, ok := model[k].(string); ok && a != "" {
					completion = strings.EqualFold(strings.TrimSpace(a), "completion")
					break
				}
			}
		}
	}
	msgs := NormalizeMessages(f.Messages)
	for i, m := range msgs {
		// whet's escape for a literal {{ means nothing to Jinja or
		// Mustache, which would send the backslash and fill the variable.
		if strings.Contains(m.Content, `\{{`) {
			return nil, &FileError{File: filename, Msg: fmt.Sprintf("message %d (%s) holds a literal \\{{, which Prompty's templates would fill as a variable: it is not written", i+1, m.Role)}
		}
	}
	var b strings.Builder
	// The front matter as the file has it, through its closing line.
	lines := strings.SplitAfter(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n")
	for _, l := range lines[:min(bodyLine-1, len(lines))] {
		b.WriteString(l)
	}
	if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
		b.WriteString("\n")
	}
	// The blank lines between the front matter and the body stay as the
	// file has them: Prompty reads the body from its first character
	// that is not white space, so they are the file's layout alone.
	lead := oldBody[:len(oldBody)-len(strings.TrimLeftFunc(oldBody, unicode.IsSpace))]
	b.WriteString(lead[:strings.LastIndexByte(lead, '\n')+1])
	if completion {
		if len(msgs) != 1 || msgs[0].Role != RoleUser {
			return nil, &FileError{File: filename, Msg: "a completion prompt (model.api: completion) is one user message; this version has other messages"}
		}
		b.WriteString(msgs[0].Content + "\n")
	} else {
		for i, m := range msgs {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString(m.Role + ":\n")
			if m.Content != "" {
				b.WriteString(m.Content + "\n")
			}
		}
	}
	out := []byte(b.String())
	if strings.Contains(string(data), "\r\n") {
		// A file saved with Windows line ends keeps them.
		out = []byte(strings.ReplaceAll(b.String(), "\n", "\r\n"))
	}
	back, err := ParsePromptyWith(filename, out, read)
	if err != nil {
		return nil, fmt.Errorf("%s: Prompty would not read the messages as they are: %w", filename, err)
	}
	got := NormalizeMessages(back.Messages)
	if !slices.Equal(got, msgs) {
		for i := range msgs {
			if i >= len(got) || got[i] != msgs[i] {
				return nil, &FileError{File: filename, Msg: fmt.Sprintf(
					"message %d (%s) would read otherwise in Prompty (a line such as \"user:\" starts a message there, and {%% %%}, {# #} and \\{{ are template syntax): it is not written", i+1, msgs[i].Role)}
			}
		}
		return nil, &FileError{File: filename, Msg: "Prompty would read more messages than the version has: it is not written"}
	}
	return out, nil
}
