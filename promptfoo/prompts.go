package promptfoo

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"

	"whet/prompt"
)

// chatMessage is one message of promptfoo's chat format (OpenAI's).
type chatMessage struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
}

var (
	codeFileRe        = regexp.MustCompile(`(?i)\.(js|cjs|mjs|ts|mts|cts|jsx|tsx|py|rb)(:[\w.]+)?$`)
	nunjucksCommentRe = regexp.MustCompile(`(?s)\{#.*?#\}`)
	// safeFilterRe is a variable through Nunjucks' safe filter, which
	// changes nothing where promptfoo renders (autoescape is off).
	safeFilterRe = regexp.MustCompile(`\{\{([ \t]*[A-Za-z_][A-Za-z0-9_.-]*[ \t]*)\|[ \t]*safe[ \t]*\}\}`)
	// execFileRe is a prompt file promptfoo runs as a program.
	execFileRe  = regexp.MustCompile(`(?i)\.(sh|bash|exe|bat|cmd|ps1|pl)$`)
	schemeRe    = regexp.MustCompile(`^[a-z][a-z0-9+.-]*://`)
	delimLineRe = regexp.MustCompile(`(?m)^[ \t]*---[ \t]*$`)
	// barePathRe is a prompt or test source written as a file path without
	// file://: one word ending in a file type promptfoo loads.
	barePathRe = regexp.MustCompile(`(?i)^[^\s{}]+\.(txt|md|j2|prompty|json|jsonl|ya?ml|csv|tsv|js|cjs|mjs|ts|mts|cts|jsx|tsx|py|rb|sh|bash|exe|bat|cmd|ps1|pl)(:[\w.]+)?$`)
)

// src says where a prompt's text is, to locate problems inside it: data
// is the file's text when the prompt came from its own file.
type src struct {
	at   node
	file string
	data []byte
	from int // the byte offset in data where the prompt's text starts
}

// locateEach finds construct in the source file at or after byte offset
// *from, and moves *from past it, so that a prompt's constructs, looked
// for in turn, are each found where it is (a second {% endif %} is not
// the first): its file, line and column (1-based, in bytes). Not found
// (the file escapes it, as JSON does a quote), it is the line of *from
// with no column; a prompt written in the config is at its position there.
func (s src) locateEach(construct string, from *int) (file string, line, col int) {
	if s.data == nil {
		return s.at.file(), s.at.line(), 0
	}
	start := min(max(*from, 0), len(s.data))
	i := bytes.Index(s.data[start:], []byte(construct))
	if i < 0 {
		return s.file, 1 + bytes.Count(s.data[:start], []byte("\n")), 0
	}
	i += start
	*from = i + len(construct)
	lineStart := bytes.LastIndexByte(s.data[:i], '\n') + 1
	return s.file, 1 + bytes.Count(s.data[:i], []byte("\n")), i - lineStart + 1
}

// locate finds construct in the source file; else the config position.
func (s src) locate(construct string) (string, int) {
	if s.data != nil {
		if i := bytes.Index(s.data, []byte(construct)); i >= 0 {
			return s.file, 1 + bytes.Count(s.data[:i], []byte("\n"))
		}
		return s.file, 1
	}
	return s.at.file(), s.at.line()
}

func (im *importer) prompts(n node) error {
	switch v := n.v.(type) {
	case string:
		return im.promptRef(n, v, "", "prompt-1", nil)
	case []any:
		for i, it := range n.items() {
			if err := im.promptItem(it, i); err != nil {
				return err
			}
		}
	case map[string]any:
		// The older form: {file://prompt.txt: label, …}.
		for i, k := range n.keys() {
			ln, _ := n.key(k)
			if err := im.promptRef(ln, k, strings.TrimSpace(text(ln.v)), fmt.Sprintf("prompt-%d", i+1), nil); err != nil {
				return err
			}
		}
	default:
		im.issue(n, fmt.Sprintf("prompts: %s is not a prompt", text(v)))
	}
	return nil
}

func (im *importer) promptItem(n node, i int) error {
	hint := fmt.Sprintf("prompt-%d", i+1)
	switch v := n.v.(type) {
	case string:
		return im.promptRef(n, v, "", hint, nil)
	case map[string]any:
		label := ""
		if l, ok := n.key("label"); ok {
			label = strings.TrimSpace(text(l.v))
		}
		who := "prompt " + strings.TrimPrefix(hint, "prompt-")
		if label != "" {
			who = fmt.Sprintf("prompt %q", label)
		}
		_, hasRaw := n.key("raw")
		idn, hasID := n.key("id")
		for _, k := range n.keys() {
			switch k {
			case "id", "raw", "label", "config":
			default:
				kn, _ := n.key(k)
				what := fmt.Sprintf("%s: %s is not imported", who, k)
				if id := strings.TrimSpace(text(idn.v)); !hasRaw && hasID && !strings.HasPrefix(id, "file://") {
					// {id: travel-agent, content: …}: promptfoo's prompt is
					// raw, else id, so the text id, as whet's.
					what += fmt.Sprintf(": promptfoo takes a prompt's text from raw, else id, so the prompt is the text %q", shorten(id))
				}
				im.issue(kn, what)
			}
		}
		cfg, _ := n.key("config")
		params := im.configParams(cfg, who)
		if raw, ok := n.key("raw"); ok {
			s, isStr := raw.str()
			if !isStr {
				im.issue(raw, who+": raw is not text: not imported")
				return nil
			}
			return im.promptRef(raw, s, label, hint, params)
		}
		if id, ok := n.key("id"); ok {
			return im.promptRef(id, text(id.v), label, hint, params)
		}
		im.issue(n, who+": neither raw nor id (a file://) is set: not imported")
	case []any:
		// A chat written inline, a list of {role, content}: promptfoo sends
		// it as the JSON chat it serialises to.
		msgs, err := chatFromValue(v)
		if err != nil {
			im.issue(n, fmt.Sprintf("prompt %d is not imported: %v", i+1, err))
			return nil
		}
		im.promptMessages(src{at: n}, "", hint, msgs, nil)
	default:
		im.issue(n, fmt.Sprintf("prompts: %s is not a prompt", text(v)))
	}
	return nil
}

// promptRef imports s: a file:// reference or the prompt's text.
func (im *importer) promptRef(n node, s, label, hint string, params *prompt.Params) error {
	t := strings.TrimSpace(s)
	if ref, ok := strings.CutPrefix(t, "file://"); ok {
		return im.promptFile(n, ref, label, params)
	}
	if strings.HasPrefix(t, "exec:") || schemeRe.MatchString(t) {
		im.issue(n, fmt.Sprintf("prompt %s is not imported: whet reads prompt text, not scripts or prompt services", t))
		return nil
	}
	if barePathRe.MatchString(t) {
		// promptfoo reads a prompt that looks like a file path as that
		// file, with or without file:// (prompts: [prompts.txt]).
		return im.promptFile(n, t, label, params)
	}
	if label != "" {
		hint = label
	}
	im.textPrompt(src{at: n}, label, hint, s, params)
	return nil
}

// textPrompt adds a prompt written as text: one user message, unless the
// text is a chat. promptfoo's chat providers send a prompt that parses as
// a JSON list of messages, or a YAML one ("- role: system"), as those
// messages, wherever it was written (inline, a .txt file's part, a .md or
// .j2 file), so whet imports it as them. Text that starts like a chat but
// does not read as one before its variables are filled in is reported.
func (im *importer) textPrompt(at src, label, hint, text string, params *prompt.Params) {
	t := strings.TrimSpace(text)
	var msgs []chatMessage
	var err error
	switch {
	case strings.HasPrefix(t, "- role:"):
		var y node
		if y, err = parseYAML(at.file, []byte(t)); err == nil {
			msgs, err = chatFromValue(y.v)
		}
	case strings.HasPrefix(t, "["):
		msgs, err = chatFromJSON([]byte(t))
		if err != nil && !strings.Contains(t, `"role"`) {
			// Text in brackets ("[INST] …"), not a chat.
			msgs, err = nil, nil
		}
	}
	if err != nil {
		who := "prompt " + strings.TrimPrefix(hint, "prompt-")
		if label != "" {
			who = fmt.Sprintf("prompt %q", label)
		}
		file, line := at.locate(firstLine(t))
		im.issueAt(file, line, fmt.Sprintf("%s is not imported: it is written as a chat (promptfoo sends it as messages), but whet cannot read it as one before its variables are filled in: %v", who, err))
		return
	}
	if msgs == nil {
		msgs = []chatMessage{{Role: prompt.RoleUser, Content: text}}
	}
	im.promptMessages(at, label, hint, msgs, params)
}

// firstLine is s up to its first line end.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (im *importer) promptFile(n node, ref, label string, params *prompt.Params) error {
	ref = strings.TrimSpace(ref)
	if isGlob(ref) {
		// promptfoo imports every file the pattern matches, a label
		// given to the pattern naming each by its path.
		refs, _ := im.expand(n, "prompts", ref)
		for _, r := range refs {
			l := label
			if l != "" {
				l += ": " + r
			}
			if err := im.promptFile(n, r, l, params); err != nil {
				return err
			}
		}
		return nil
	}
	if codeFileRe.MatchString(ref) || execFileRe.MatchString(ref) {
		im.issue(n, fmt.Sprintf("prompt file://%s is not imported: whet runs no code to build prompts", ref))
		return nil
	}
	path, data, err := im.readRef(n, "prompt", ref)
	if err != nil {
		return err
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	ext := strings.ToLower(filepath.Ext(ref))
	stem := strings.TrimSuffix(filepath.Base(ref), filepath.Ext(ref))
	hint := stem
	if label != "" {
		hint = label
	}
	at := src{at: n, file: path, data: data}
	switch ext {
	case ".json":
		msgs, err := chatFromJSON(data)
		if err != nil {
			if cs := foreignConstructs(string(data)); len(cs) > 0 {
				// promptfoo renders the file with Nunjucks before it reads
				// the JSON: each construct at its line and column.
				im.reportForeign(at, promptWho(label, hint), cs)
				return nil
			}
			im.issue(n, fmt.Sprintf("prompt file://%s is not imported: %v (Nunjucks-templated JSON is not supported)", ref, err))
			return nil
		}
		im.promptMessages(at, label, hint, msgs, params)
	case ".jsonl":
		lines := strings.Split(string(data), "\n")
		k := 0
		for i, line := range lines {
			if strings.TrimSpace(line) == "" {
				continue
			}
			k++
			msgs, err := chatFromJSON([]byte(line))
			if err != nil {
				im.issueAt(path, i+1, fmt.Sprintf("prompt is not imported: %v", err))
				continue
			}
			im.promptMessages(src{at: node{d: &doc{file: path, lines: map[string]int{"": i + 1}}}}, label, fmt.Sprintf("%s-%d", hint, k), msgs, params)
		}
	case ".yaml", ".yml":
		y, err := parseYAML(path, data)
		if err != nil {
			return err
		}
		msgs, err := chatFromValue(y.v)
		if err != nil {
			im.issue(y, fmt.Sprintf("prompt file://%s is not imported: %v", ref, err))
			return nil
		}
		im.promptMessages(at, label, hint, msgs, params)
	case ".csv":
		return im.promptsCSV(n, path, data, label, params)
	case ".prompty":
		im.promptyFile(n, path, data, label, params)
	case ".txt", "":
		pieces := splitPrompts(string(data))
		for i, p := range pieces {
			h := hint
			if len(pieces) > 1 {
				h = fmt.Sprintf("%s-%d", hint, i+1)
				// Its problems are looked for from where it starts.
				if t := firstLine(strings.TrimSpace(p)); t != "" {
					if k := bytes.Index(data[at.from:], []byte(strings.TrimSuffix(t, "\r"))); k >= 0 {
						at.from += k
					}
				}
			}
			im.textPrompt(at, label, h, p, params)
		}
	default: // .md, .j2 and other text: one prompt, as promptfoo reads them
		im.textPrompt(at, label, hint, string(data), params)
	}
	return nil
}

// promptyFile imports a .prompty prompt as whet's Prompty import reads it:
// its messages, its model parameters under the entry's config, and its
// sample values. A file whet's Prompty import refuses is reported, and so
// is what it leaves out (prompt.PromptyNotes).
func (im *importer) promptyFile(n node, path string, data []byte, label string, params *prompt.Params) {
	f, err := prompt.ParsePromptyWith(path, data, func(p string) ([]byte, error) {
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(path), p)
		}
		return im.read(p)
	})
	if err != nil {
		// Each of the file's problems on a line of its own.
		errs := prompt.FileErrors{err}
		errors.As(err, &errs)
		for _, e := range errs {
			im.issue(n, fmt.Sprintf("prompt %s is not imported: %v", path, e))
		}
		return
	}
	// promptfoo itself reads no .prompty file: its eval stops on one.
	im.issue(n, fmt.Sprintf(`prompt %s: promptfoo reads no .prompty file (its eval stops on one: "There are no prompts in …"); whet imports it as whet prompt import reads it`, path))
	// What whet's Prompty import leaves out of the file, as it says it,
	// but for its model.configuration: the config's providers are the
	// targets here.
	for _, nt := range prompt.PromptyNotes(path, data) {
		if strings.HasPrefix(nt.Msg, "model.configuration ") {
			continue
		}
		im.issueAt(nt.File, nt.Line, nt.Msg)
	}
	own := f.Params.Clone()
	if params != nil {
		mergeParams(&own, *params)
	}
	hint := f.Name
	if label != "" {
		hint = label
	}
	chat := make([]chatMessage, len(f.Messages))
	for i, m := range f.Messages {
		chat[i] = chatMessage{Role: m.Role, Content: m.Content}
	}
	before := len(im.res.Prompts)
	im.promptMessages(src{at: n, file: path, data: data}, label, hint, chat, &own)
	if len(im.res.Prompts) > before {
		p := &im.res.Prompts[before]
		if p.Description == "" {
			p.Description = f.Description
		}
		if len(f.Vars) > 0 {
			p.Vars = f.Vars
		}
	}
}

// splitPrompts splits a text file into the prompts its "---" lines
// separate, leaving out empty ones.
func splitPrompts(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var out []string
	for _, p := range delimLineRe.Split(s, -1) {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return []string{s}
	}
	return out
}

// promptsCSV reads a CSV file of prompts: a header with a prompt column
// and optionally a label column.
func (im *importer) promptsCSV(n node, path string, data []byte, label string, params *prompt.Params) error {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return csvError(path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	pc, ok := col["prompt"]
	if !ok {
		im.issueAt(path, 1, "prompts file has no prompt column: not imported")
		return nil
	}
	lc, hasLabel := col["label"]
	for k := 1; ; k++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return csvError(path, err)
		}
		line, _ := r.FieldPos(0)
		if pc >= len(rec) || strings.TrimSpace(rec[pc]) == "" {
			continue
		}
		l := label
		if hasLabel && lc < len(rec) && strings.TrimSpace(rec[lc]) != "" {
			l = strings.TrimSpace(rec[lc])
		}
		h := l
		if h == "" {
			h = fmt.Sprintf("%s-%d", strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), k)
		}
		at := src{at: node{d: &doc{file: path, lines: map[string]int{"": line}}}}
		im.promptMessages(at, l, h, []chatMessage{{Role: prompt.RoleUser, Content: rec[pc]}}, params)
	}
	return nil
}

func chatFromJSON(data []byte) ([]chatMessage, error) {
	var raw any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	return chatFromValue(raw)
}

// chatFromValue reads a list of {role, content} messages.
func chatFromValue(v any) ([]chatMessage, error) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return nil, fmt.Errorf("not a list of {role, content} messages")
	}
	out := make([]chatMessage, 0, len(list))
	for i, it := range list {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("message %d is not a {role, content} object", i+1)
		}
		role, _ := m["role"].(string)
		if strings.TrimSpace(role) == "" {
			return nil, fmt.Errorf("message %d has no role", i+1)
		}
		out = append(out, chatMessage{Role: role, Content: m["content"]})
	}
	return out, nil
}

// promptMessages adds a prompt when whet can hold its messages.
func (im *importer) promptMessages(s src, label, hint string, chat []chatMessage, params *prompt.Params) {
	who := promptWho(label, hint)
	msgs := make([]prompt.Message, 0, len(chat))
	var foreign []string // the constructs of another template language, in order
	for i, m := range chat {
		role := strings.ToLower(strings.TrimSpace(m.Role))
		switch role {
		case prompt.RoleSystem, prompt.RoleUser, prompt.RoleAssistant:
		default:
			file, line := s.locate(m.Role)
			im.issueAt(file, line, fmt.Sprintf("%s is not imported: message %d has role %q (whet has system, user and assistant)", who, i+1, m.Role))
			return
		}
		content, ok := m.Content.(string)
		if !ok {
			file, line := s.locate(`"content"`)
			im.issueAt(file, line, fmt.Sprintf("%s is not imported: message %d's content is not text (images and parts are not supported)", who, i+1))
			return
		}
		// A Nunjucks comment renders as nothing; {{ var | safe }} as
		// {{ var }}, unless the config defines its own safe filter.
		content = nunjucksCommentRe.ReplaceAllString(content, "")
		if filters, _ := im.root.key("nunjucksFilters"); !filters.isMap() || !hasKey(filters, "safe") {
			content = safeFilterRe.ReplaceAllString(content, "{{${1}}}")
		}
		if cs := foreignConstructs(content); len(cs) > 0 {
			foreign = append(foreign, cs...)
			continue
		}
		if what, construct := templateProblem(content); what != "" {
			file, line := s.locate(construct)
			im.issueAt(file, line, fmt.Sprintf("%s is not imported: %s", who, what))
			return
		}
		msgs = append(msgs, prompt.Message{Role: role, Content: content})
	}
	if len(foreign) > 0 {
		im.reportForeign(s, who, foreign)
		return
	}
	im.addPrompt(s.at, hint, label, msgs, params)
}

// promptWho names a prompt in a note: by its label, else its name.
func promptWho(label, hint string) string {
	if label != "" {
		return fmt.Sprintf("prompt %q", label)
	}
	return "prompt " + strings.TrimPrefix(hint, "prompt-")
}

// reportForeign reports a prompt's Nunjucks constructs, each at its line
// and column, as the Prompty import reports them, so that one pass over the
// file fixes them; a long template's first maxConstructs, and how many more.
func (im *importer) reportForeign(s src, who string, foreign []string) {
	from := s.from
	for i, c := range foreign {
		file, line, col := s.locateEach(c, &from)
		if i == maxConstructs {
			im.res.Unsupported = append(im.res.Unsupported, Issue{File: file, Line: line, Col: col,
				What: fmt.Sprintf("%s is not imported: and %d more Nunjucks tags and expressions from here on", who, len(foreign)-maxConstructs)})
			break
		}
		im.res.Unsupported = append(im.res.Unsupported, Issue{File: file, Line: line, Col: col,
			What: fmt.Sprintf("%s is not imported: %s", who, nunjucksConstruct(c))})
	}
}

// maxConstructs bounds the Nunjucks constructs of one prompt that are
// listed one by one.
const maxConstructs = 10

// foreignConstructs are the constructs of another template language in s
// (prompt.ForeignSyntax), in order.
func foreignConstructs(s string) []string {
	var out []string
	for {
		off, c := prompt.ForeignSyntax(s)
		if off < 0 || c == "" {
			return out
		}
		out = append(out, c)
		s = s[off+len(c):]
	}
}

// nunjucksConstruct says what a construct foreignConstructs found is.
func nunjucksConstruct(c string) string {
	kind := "tag"
	if strings.HasPrefix(c, "{{") {
		kind = "expression"
	}
	return fmt.Sprintf("it uses the Nunjucks %s %s (whet templates have {{ variable }} only)", kind, shorten(c))
}

// templateProblem says what in a Nunjucks template whet's templates
// cannot express ({% %} tags, {# #} comments, filters and expressions),
// and the construct itself; "" when the text is a whet template.
func templateProblem(s string) (what, construct string) {
	if off, c := prompt.ForeignSyntax(s); off >= 0 {
		return nunjucksConstruct(c), c
	}
	if _, err := prompt.ParseTemplate(s); err != nil {
		return "its template does not parse: " + err.Error(), ""
	}
	return "", ""
}

// shorten puts s on one line of at most 60 characters, cut at a
// character, never inside one (a description in Portuguese or Japanese).
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:57]) + "..."
	}
	return s
}

func hasKey(n node, k string) bool {
	_, ok := n.key(k)
	return ok
}
