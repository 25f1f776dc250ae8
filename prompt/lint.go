package prompt

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Severity ranks a lint finding. Higher is worse.
type Severity int

// Severities, from mildest to worst.
const (
	SeverityInfo Severity = iota
	SeverityWarning
	SeverityError
)

func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "info"
	case SeverityWarning:
		return "warning"
	case SeverityError:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// Lint codes. They are stable: tools and tests may match on them.
const (
	LintTemplateSyntax     = "template-syntax"     // error: a {{ that does not parse
	LintUnknownVar         = "unknown-var"         // warning: used, but no sample value
	LintUnusedVar          = "unused-var"          // warning: sample value never used
	LintEmptyMessage       = "empty-message"       // warning: only whitespace
	LintTrailingWhitespace = "trailing-whitespace" // info: spaces/tabs at a line end
	LintLongPrompt         = "long-prompt"         // warning: > LongPromptWords or > LongPromptChars
	LintSecret             = "secret"              // error: an API key, token or private key
	LintEmail              = "email"               // warning: an e-mail address
	LintPhone              = "phone"               // warning: a phone number
	LintNoUserMessage      = "no-user-message"     // warning: nothing for the model to answer
	LintAssistantLast      = "assistant-last"      // info: the model continues that turn
	LintUnknownRole        = "unknown-role"        // error: not system, user or assistant
	LintSystemNotFirst     = "system-not-first"    // info: a system message after other turns
	LintEmptyStop          = "empty-stop"          // warning: an empty stop sequence
	LintTemperatureTopP    = "temperature-top-p"   // info: both temperature and top_p set
	LintUnscopedOption     = "unscoped-option"     // warning: an Ollama-only option every provider is sent
)

// ollamaOnlyOptions are Ollama's model options no hosted API takes: sent
// unscoped, they make OpenAI, Anthropic and Gemini refuse the call.
var ollamaOnlyOptions = map[string]bool{
	"num_ctx": true, "num_predict": true, "num_keep": true, "num_batch": true, "num_gpu": true, "main_gpu": true,
	"num_thread": true, "repeat_last_n": true, "repeat_penalty": true, "mirostat": true, "mirostat_tau": true,
	"mirostat_eta": true, "tfs_z": true, "typical_p": true, "min_p": true, "penalize_newline": true,
	"use_mmap": true, "use_mlock": true, "numa": true, "low_vram": true, "vocab_only": true,
}

// Thresholds of the long-prompt lint, over all messages together.
const (
	LongPromptWords = 8000
	LongPromptChars = 32000
)

// maxTrailingPerMessage bounds the trailing-whitespace lints of one message;
// the rest are summarised in one more lint.
const maxTrailingPerMessage = 20

// Lint is one finding about a prompt version.
type Lint struct {
	// Message is the 0-based index of the message the finding is in, or -1
	// when it is about the whole prompt (or a sample value).
	Message int
	// Line and Col are 1-based; Col counts characters (runes), not bytes.
	// Both are 0 when the finding has no position.
	Line, Col int
	Severity  Severity
	Code      string
	Msg       string
	// Var is the variable the finding is about (LintUnknownVar), else "":
	// a caller that shows the sample values under its own heading can
	// say where to add one in its words.
	Var string
}

// String renders the finding on one line, e.g.
// "message 2, 3:7: warning: trailing whitespace [trailing-whitespace]".
func (l Lint) String() string {
	var where string
	switch {
	case l.Message < 0:
		where = "prompt"
	case l.Line > 0:
		where = fmt.Sprintf("message %d, %d:%d", l.Message+1, l.Line, l.Col)
	default:
		where = fmt.Sprintf("message %d", l.Message+1)
	}
	return fmt.Sprintf("%s: %s: %s [%s]", where, l.Severity, l.Msg, l.Code)
}

// MaxSeverity returns the worst severity among lints, and false when there
// are none.
func MaxSeverity(lints []Lint) (Severity, bool) {
	if len(lints) == 0 {
		return 0, false
	}
	worst := lints[0].Severity
	for _, l := range lints[1:] {
		worst = max(worst, l.Severity)
	}
	return worst, true
}

// LintVersion checks a prompt's messages and params and returns what it
// finds, ordered by message (whole-prompt findings first), line and column.
//
// vars are the sample values of the prompt's variables. When vars is nil the
// variable checks (unknown-var, unused-var) are skipped; otherwise every
// variable a message uses must have a sample value and every sample value
// must be used. Sample values are also scanned for secrets and personal data.
//
// Findings never quote a secret or personal datum beyond its first four
// characters. LintVersion is pure and cheap enough to call on every keystroke.
func LintVersion(msgs []Message, params Params, vars map[string]string) []Lint {
	var out []Lint
	add := func(l Lint) { out = append(out, l) }

	used := map[string]bool{}
	hasUser := false
	seenNonSystem := false
	totalWords, totalChars := 0, 0

	for i, m := range msgs {
		text := m.Content
		lines := newLineIndex(text)

		switch m.Role {
		case RoleUser:
			hasUser = true
			seenNonSystem = true
		case RoleAssistant:
			seenNonSystem = true
		case RoleSystem:
			if seenNonSystem {
				add(Lint{Message: i, Severity: SeverityInfo, Code: LintSystemNotFirst,
					Msg: "a system message after the conversation has started; providers that take one leading system prompt (Anthropic, Gemini) will move or merge it"})
			}
		default:
			add(Lint{Message: i, Severity: SeverityError, Code: LintUnknownRole,
				Msg: fmt.Sprintf("unknown role %q: a message is system, user or assistant", m.Role)})
		}

		if strings.TrimSpace(text) == "" {
			add(Lint{Message: i, Severity: SeverityWarning, Code: LintEmptyMessage,
				Msg: fmt.Sprintf("the %s message is empty", roleName(m.Role))})
			continue
		}
		totalWords += len(strings.Fields(text))
		totalChars += utf8.RuneCountInString(text)

		t, err := ParseTemplate(text)
		if se, ok := err.(*SyntaxError); ok {
			add(Lint{Message: i, Line: se.Line, Col: lines.runeCol(text, se.Line, se.Col), Severity: SeverityError,
				Code: LintTemplateSyntax, Msg: se.Msg})
		}
		names := t.Variables()
		for _, n := range names {
			used[n] = true
		}
		if vars != nil {
			var unknown []string
			for _, n := range names {
				if _, ok := vars[n]; !ok {
					unknown = append(unknown, n)
				}
			}
			if len(unknown) > 0 {
				first := placeholderOffsets(text)
				for _, n := range unknown {
					l := Lint{Message: i, Severity: SeverityWarning, Code: LintUnknownVar, Var: n,
						Msg: fmt.Sprintf("{{%s}} has no sample value; add one under vars so the prompt runs as-is", n)}
					if off, ok := first[n]; ok {
						l.Line, l.Col = lines.pos(text, off)
					}
					add(l)
				}
			}
		}

		lintTrailing(i, text, add)
		for _, f := range scanSensitive(text) {
			line, col := lines.pos(text, f.off)
			add(Lint{Message: i, Line: line, Col: col, Severity: f.severity, Code: f.code, Msg: f.msg})
		}
	}

	if vars != nil {
		for _, k := range SortedKeys(vars) {
			if !used[k] {
				add(Lint{Message: -1, Severity: SeverityWarning, Code: LintUnusedVar,
					Msg: fmt.Sprintf("sample variable %q is not used by any message", k)})
			}
			for _, f := range scanSensitive(vars[k]) {
				add(Lint{Message: -1, Severity: f.severity, Code: f.code,
					Msg: fmt.Sprintf("sample value of {{%s}}: %s", k, f.msg)})
			}
		}
	}

	if totalWords > LongPromptWords || totalChars > LongPromptChars {
		add(Lint{Message: -1, Severity: SeverityWarning, Code: LintLongPrompt,
			Msg: fmt.Sprintf("long prompt: %d words, %d characters (about %d tokens at 4 characters a token); check it fits the context window of every target and mind the cost",
				totalWords, totalChars, totalChars/4)})
	}

	if len(msgs) > 0 {
		if !hasUser {
			add(Lint{Message: -1, Severity: SeverityWarning, Code: LintNoUserMessage,
				Msg: "no user message: most chat models need at least one user turn to answer"})
		}
		if last := len(msgs) - 1; msgs[last].Role == RoleAssistant && strings.TrimSpace(msgs[last].Content) != "" {
			add(Lint{Message: last, Severity: SeverityInfo, Code: LintAssistantLast,
				Msg: "the last message is the assistant's: the model will continue this turn (a prefill); not every provider supports it"})
		}
	} else {
		add(Lint{Message: -1, Severity: SeverityWarning, Code: LintNoUserMessage,
			Msg: "the prompt has no messages"})
	}

	for n, s := range params.Stop {
		if s == "" {
			add(Lint{Message: -1, Severity: SeverityWarning, Code: LintEmptyStop,
				Msg: fmt.Sprintf("stop sequence %d is empty; providers reject it or stop at once", n+1)})
		}
	}
	for _, k := range SortedKeys(params.Extra) {
		if ollamaOnlyOptions[k] {
			add(Lint{Message: -1, Severity: SeverityWarning, Code: LintUnscopedOption,
				Msg: fmt.Sprintf("param %s is an Ollama option that hosted providers refuse: name it ollama.%s so that only Ollama targets are sent it", k, k)})
		}
	}
	if params.Temperature != nil && params.TopP != nil {
		add(Lint{Message: -1, Severity: SeverityInfo, Code: LintTemperatureTopP,
			Msg: "both temperature and top_p are set: vendors advise tuning one of them, and some newer Anthropic models refuse requests that set both"})
	}

	sort.SliceStable(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if x.Message != y.Message {
			return x.Message < y.Message
		}
		if x.Line != y.Line {
			return x.Line < y.Line
		}
		return x.Col < y.Col
	})
	return out
}

func roleName(role string) string {
	if role == "" {
		return "unnamed"
	}
	return role
}

// lintTrailing reports whitespace at the end of lines (blank lines made of
// spaces included), at most maxTrailingPerMessage of them plus one summary.
func lintTrailing(msg int, text string, add func(Lint)) {
	count := 0
	var firstExtra Lint
	line := 0
	for rest := text; ; {
		line++
		cur, next, more := strings.Cut(rest, "\n")
		trimmed := strings.TrimRightFunc(cur, unicode.IsSpace)
		if len(trimmed) < len(cur) {
			count++
			l := Lint{Message: msg, Line: line, Col: utf8.RuneCountInString(trimmed) + 1, Severity: SeverityInfo,
				Code: LintTrailingWhitespace, Msg: "trailing whitespace"}
			if strings.HasSuffix(cur, "\r") && len(trimmed) == len(cur)-1 {
				l.Msg = "line ends in a carriage return (CRLF line endings)"
			}
			switch {
			case count <= maxTrailingPerMessage:
				add(l)
			case count == maxTrailingPerMessage+1:
				firstExtra = l
			}
		}
		if !more {
			break
		}
		rest = next
	}
	if count > maxTrailingPerMessage {
		firstExtra.Msg = fmt.Sprintf("trailing whitespace on %d more lines", count-maxTrailingPerMessage)
		add(firstExtra)
	}
}

// lineIndex maps byte offsets of one text to 1-based line/rune-column.
type lineIndex struct{ starts []int }

func newLineIndex(text string) lineIndex {
	starts := []int{0}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return lineIndex{starts: starts}
}

// pos returns the 1-based line and rune column of byte offset off.
func (li lineIndex) pos(text string, off int) (line, col int) {
	n := sort.Search(len(li.starts), func(i int) bool { return li.starts[i] > off }) // first start after off
	start := li.starts[n-1]
	return n, utf8.RuneCountInString(text[start:off]) + 1
}

// runeCol converts a 1-based byte column on a 1-based line to a rune column.
func (li lineIndex) runeCol(text string, line, byteCol int) int {
	if line < 1 || line > len(li.starts) || byteCol < 1 {
		return byteCol
	}
	start := li.starts[line-1]
	end := min(start+byteCol-1, len(text))
	return utf8.RuneCountInString(text[start:end]) + 1
}

// placeholderOffsets returns the byte offset of the first {{name}} of each
// variable, read by the same rules as ParseTemplate (up to a syntax error).
func placeholderOffsets(text string) map[string]int {
	first := map[string]int{}
	for i := 0; i < len(text); {
		if text[i] == '\\' && strings.HasPrefix(text[i+1:], "{{") {
			i += 3
			continue
		}
		if !strings.HasPrefix(text[i:], "{{") {
			i++
			continue
		}
		name, end, ok := placeholderAt(text, i)
		if !ok {
			break
		}
		if _, ok := first[name]; !ok {
			first[name] = i
		}
		i = end
	}
	return first
}

// finding is a sensitive datum found in a text.
type finding struct {
	off      int
	severity Severity
	code     string
	msg      string
}

// secretPattern is one shape of credential. Patterns are tried in order; a
// span matched by an earlier pattern is not reported again. The regexp runs
// only when the text holds one of the hints, which keeps linting cheap.
type secretPattern struct {
	what  string
	hints []string
	re    *regexp.Regexp
}

// Immutable after package initialisation.
var secretPatterns = []secretPattern{
	{"a PEM private key block", []string{"-----BEGIN"}, regexp.MustCompile(`-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----`)},
	{"an Anthropic API key", []string{"sk-ant-"}, regexp.MustCompile(`\bsk-ant-[A-Za-z0-9_-]{20,}`)},
	{"an OpenAI project API key", []string{"sk-"}, regexp.MustCompile(`\bsk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}`)},
	{"an OpenAI API key", []string{"sk-"}, regexp.MustCompile(`\bsk-[A-Za-z0-9]{32,}\b`)},
	{"a Google API key", []string{"AIza"}, regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{35}(?:[^0-9A-Za-z_-]|$)`)},
	{"an AWS access key id", []string{"AKIA", "ASIA"}, regexp.MustCompile(`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`)},
	{"a GitHub token", []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"}, regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b`)},
	{"a Slack token", []string{"xox"}, regexp.MustCompile(`\bxox[baprs]-[A-Za-z0-9-]{10,}`)},
	{"a JSON Web Token", []string{"eyJ"}, regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`)},
}

var (
	// emailRe runs on the short span around one '@' (see emailCandidate).
	emailRe = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b`)
	// phoneRe runs on runs of phone characters holding 9+ digits (see
	// phoneRuns). Shapes: international (+CC …), NANP (415) 555-2671 /
	// 415-555-2671, and national numbers with a trunk 0 (020 7946 0958,
	// 030/1234567). isPhone then checks the surroundings.
	phoneRe = regexp.MustCompile(`\+\d[\d ().-]{6,22}\d` +
		`|(?:\b1[ .-]?)?\(\d{3}\) ?\d{3}[ .-]\d{4}` +
		`|(?:\b1[ .-])?\d{3}([ .-])\d{3}([ .-])\d{4}` +
		`|0\d{1,4}[ /-]\d{2,8}(?:[ -]\d{2,8}){0,3}`)
	retinaRe = regexp.MustCompile(`^\d+x\.`)
)

// scanSensitive finds credentials, e-mail addresses and phone numbers.
func scanSensitive(text string) []finding {
	var out []finding
	var taken [][2]int
	overlaps := func(a, b int) bool {
		for _, t := range taken {
			if a < t[1] && b > t[0] {
				return true
			}
		}
		return false
	}
	for _, p := range secretPatterns {
		if !containsAny(text, p.hints) {
			continue
		}
		for _, loc := range p.re.FindAllStringIndex(text, -1) {
			if overlaps(loc[0], loc[1]) {
				continue
			}
			taken = append(taken, [2]int{loc[0], loc[1]})
			out = append(out, finding{off: loc[0], severity: SeverityError, code: LintSecret,
				msg: fmt.Sprintf("looks like %s (%s); remove it: prompts are stored, exported and sent to providers", p.what, mask(text[loc[0]:loc[1]]))})
		}
	}
	for at := strings.IndexByte(text, '@'); at >= 0; {
		start, end := emailCandidate(text, at)
		if loc := emailRe.FindStringIndex(text[start:end]); loc != nil {
			a, b := start+loc[0], start+loc[1]
			if addr := text[a:b]; !overlaps(a, b) && isPersonalEmail(addr) {
				taken = append(taken, [2]int{a, b})
				out = append(out, finding{off: a, severity: SeverityWarning, code: LintEmail,
					msg: fmt.Sprintf("contains an e-mail address (%s); use a placeholder or an example.com address unless it must be there", mask(addr))})
			}
		}
		next := strings.IndexByte(text[at+1:], '@')
		if next < 0 {
			break
		}
		at += 1 + next
	}
	for _, run := range phoneRuns(text) {
		for _, loc := range phoneRe.FindAllStringSubmatchIndex(text[run[0]:run[1]], -1) {
			for k := range loc {
				if loc[k] >= 0 {
					loc[k] += run[0]
				}
			}
			a, b := loc[0], loc[1]
			if overlaps(a, b) || !isPhone(text, loc) {
				continue
			}
			taken = append(taken, [2]int{a, b})
			out = append(out, finding{off: a, severity: SeverityWarning, code: LintPhone,
				msg: fmt.Sprintf("contains what looks like a phone number (%s); use a placeholder or a fictional number unless it must be there", mask(text[a:b]))})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].off < out[j].off })
	return out
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// emailCandidate returns the span of address characters around the '@' at
// index at: local-part characters before it, domain characters after.
func emailCandidate(text string, at int) (start, end int) {
	start = at
	for start > 0 && at-start < 64 && (isASCIIAlnum(text[start-1]) || strings.IndexByte("._%+-", text[start-1]) >= 0) {
		start--
	}
	end = at + 1
	for end < len(text) && end-at < 256 && (isASCIIAlnum(text[end]) || text[end] == '.' || text[end] == '-') {
		end++
	}
	return start, end
}

// phoneRuns returns the spans of text made only of digits, spaces and
// ()+-./ that hold at least 9 digits: the only places a phone number can be.
func phoneRuns(text string) [][2]int {
	var runs [][2]int
	start, digits := -1, 0
	for i := 0; i <= len(text); i++ {
		if i < len(text) && (isDigit(text[i]) || strings.IndexByte(" ()+-./", text[i]) >= 0) {
			if start < 0 {
				start, digits = i, 0
			}
			if isDigit(text[i]) {
				digits++
			}
			continue
		}
		if start >= 0 && digits >= 9 {
			runs = append(runs, [2]int{start, i})
		}
		start = -1
	}
	return runs
}

// mask keeps the first four characters of s and hides the rest.
func mask(s string) string {
	n := 0
	for i := range s {
		if n == 4 {
			return s[:i] + "…"
		}
		n++
	}
	return "…" // too short to show any of it
}

// isPersonalEmail drops addresses that are not anyone's: reserved example
// domains (RFC 2606/6761), image names like icon@2x.png and git@host remotes.
func isPersonalEmail(addr string) bool {
	local, domain, _ := strings.Cut(addr, "@")
	domain = strings.ToLower(domain)
	if local == "git" || retinaRe.MatchString(domain) {
		return false
	}
	for _, d := range []string{"example.com", "example.org", "example.net"} {
		if domain == d || strings.HasSuffix(domain, "."+d) {
			return false
		}
	}
	for _, tld := range []string{".example", ".test", ".invalid", ".localhost"} {
		if strings.HasSuffix(domain, tld) {
			return false
		}
	}
	return true
}

// isPhone validates a phoneRe match: 9 to 15 digits, a clean boundary on
// both sides (so ids, versions, dates and IP addresses do not count),
// consistent separators in NANP numbers, and not a reserved fictional
// 555-01xx number.
func isPhone(text string, loc []int) bool {
	a, b := loc[0], loc[1]
	s := text[a:b]
	digits := make([]byte, 0, 16)
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits = append(digits, s[i])
		}
	}
	if len(digits) < 9 || len(digits) > 15 {
		return false
	}
	if a > 0 {
		p, size := utf8.DecodeLastRuneInString(text[:a])
		if isWordRune(p) || strings.ContainsRune("+/@#", p) {
			return false
		}
		// "INV-0042-123456", "v1.234…": joined to a word or number before it.
		if a > size {
			pp, _ := utf8.DecodeLastRuneInString(text[:a-size])
			if strings.ContainsRune(".-", p) && isWordRune(pp) || strings.ContainsRune(":,", p) && unicode.IsDigit(pp) {
				return false
			}
		}
	}
	if b < len(text) {
		n, size := utf8.DecodeRuneInString(text[b:])
		if isWordRune(n) || n == '@' ||
			strings.ContainsRune(".-:,/", n) && b+size < len(text) && isDigit(text[b+size]) {
			return false
		}
	}
	// 415-555-2671 and 415.555.2671 use one separator throughout; mixed
	// ones (1.234-5678) are more likely codes than numbers.
	if loc[2] >= 0 && loc[4] >= 0 && text[loc[2]:loc[3]] != text[loc[4]:loc[5]] {
		return false
	}
	// Dotted groups with no +CC prefix look like versions or IP addresses,
	// unless it is the NANP 3.3.4 shape matched above.
	if s[0] != '+' && loc[2] < 0 && strings.Contains(s, ".") {
		return false
	}
	// NANP numbers 555-0100 to 555-0199 are reserved for fiction.
	if len(digits) >= 10 {
		d := string(digits[len(digits)-7:])
		if strings.HasPrefix(d, "55501") {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isWordRune(r rune) bool   { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }
func isASCIIAlnum(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
