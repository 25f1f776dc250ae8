package prompt

import (
	"fmt"
	"strings"
	"testing"
)

func lintSys(s string) Message  { return Message{Role: RoleSystem, Content: s} }
func lintUser(s string) Message { return Message{Role: RoleUser, Content: s} }
func lintAsst(s string) Message { return Message{Role: RoleAssistant, Content: s} }

// codes returns the lint codes in order.
func lintCodes(lints []Lint) []string {
	out := make([]string, len(lints))
	for i, l := range lints {
		out[i] = l.Code
	}
	return out
}

func lintsWithCode(lints []Lint, code string) []Lint {
	var out []Lint
	for _, l := range lints {
		if l.Code == code {
			out = append(out, l)
		}
	}
	return out
}

func TestLintCleanPromptHasNoFindings(t *testing.T) {
	msgs := []Message{
		lintSys("You are a support agent for Acme.\nWrite to support@example.com for escalations.\nSee RFC 2606, v1.2.3 and ticket 1234567890."),
		lintUser("Customer {{ customer }} wrote:\n\n{{ticket}}\n\nLiteral \\{{braces}} stay."),
	}
	temp := 0.2
	lints := LintVersion(msgs, Params{Temperature: &temp, Stop: []string{"###"}}, map[string]string{"customer": "Ana", "ticket": "Where is my order?"})
	if len(lints) != 0 {
		t.Fatalf("want no lints, got %v", lints)
	}
}

func TestLintStructure(t *testing.T) {
	tests := []struct {
		name string
		msgs []Message
		want []string // codes in order
	}{
		{"no messages", nil, []string{LintNoUserMessage}},
		{"system only", []Message{lintSys("Be brief.")}, []string{LintNoUserMessage}},
		{"assistant last is a prefill", []Message{lintUser("Name a colour."), lintAsst("The colour is")}, []string{LintAssistantLast}},
		{"few-shot ending on user is fine", []Message{lintSys("Classify."), lintUser("a"), lintAsst("x"), lintUser("b")}, nil},
		{"empty assistant last is only empty", []Message{lintUser("Hi"), lintAsst("  \n ")}, []string{LintEmptyMessage}},
		{"empty user message", []Message{lintSys("Be brief."), lintUser(" \t\n")}, []string{LintEmptyMessage}},
		{"unknown role", []Message{{Role: "tool", Content: "x"}, lintUser("Hi")}, []string{LintUnknownRole}},
		{"system after a turn", []Message{lintUser("Hi"), lintSys("Be brief."), lintUser("Again")}, []string{LintSystemNotFirst}},
		{"two leading systems are fine", []Message{lintSys("A."), lintSys("B."), lintUser("Hi")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lintCodes(LintVersion(tt.msgs, Params{}, nil))
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("codes = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLintSeverities(t *testing.T) {
	msgs := []Message{lintUser("Hi {{ broken"), lintAsst("Sure")}
	lints := LintVersion(msgs, Params{}, nil)
	want := map[string]Severity{LintTemplateSyntax: SeverityError, LintAssistantLast: SeverityInfo}
	if len(lints) != len(want) {
		t.Fatalf("got %v", lints)
	}
	for _, l := range lints {
		if want[l.Code] != l.Severity {
			t.Errorf("%s: severity %v, want %v", l.Code, l.Severity, want[l.Code])
		}
	}
	if s, ok := MaxSeverity(lints); !ok || s != SeverityError {
		t.Errorf("MaxSeverity = %v, %v", s, ok)
	}
	if _, ok := MaxSeverity(nil); ok {
		t.Error("MaxSeverity(nil) reported a severity")
	}
	if l := LintVersion([]Message{lintAsst("x")}, Params{}, nil); len(lintsWithCode(l, LintNoUserMessage)) != 1 || lintsWithCode(l, LintNoUserMessage)[0].Severity != SeverityWarning {
		t.Errorf("no-user-message should be a warning: %v", l)
	}
}

func TestLintTemplateSyntaxPosition(t *testing.T) {
	// "é" is two bytes: the column counts characters.
	msgs := []Message{lintSys("ok"), lintUser("line one\nhé {{ 9bad }} x")}
	lints := lintsWithCode(LintVersion(msgs, Params{}, nil), LintTemplateSyntax)
	if len(lints) != 1 {
		t.Fatalf("want one syntax lint, got %v", lints)
	}
	l := lints[0]
	if l.Message != 1 || l.Line != 2 || l.Col != 4 || l.Severity != SeverityError {
		t.Fatalf("got %+v, want message 1 at 2:4 error", l)
	}
	if !strings.Contains(l.Msg, "9bad") {
		t.Errorf("message should name the bad variable: %q", l.Msg)
	}
}

func TestLintVariables(t *testing.T) {
	msgs := []Message{
		lintSys("Answer in {{lang}}."),
		lintUser("Question:\n  {{ question }} and {{ context }}\n{{context}}"),
	}
	t.Run("nil vars skips variable checks", func(t *testing.T) {
		if l := LintVersion(msgs, Params{}, nil); len(l) != 0 {
			t.Fatalf("got %v", l)
		}
	})
	t.Run("unknown and unused", func(t *testing.T) {
		vars := map[string]string{"lang": "French", "question": "Why?", "stale": "x", "also_stale": ""}
		lints := LintVersion(msgs, Params{}, vars)
		unknown := lintsWithCode(lints, LintUnknownVar)
		if len(unknown) != 1 {
			t.Fatalf("unknown = %v", unknown)
		}
		if u := unknown[0]; u.Message != 1 || u.Line != 2 || u.Col != 22 || u.Severity != SeverityWarning || !strings.Contains(u.Msg, "{{context}}") {
			t.Errorf("unknown var lint = %+v", u)
		}
		unused := lintsWithCode(lints, LintUnusedVar)
		if len(unused) != 2 || !strings.Contains(unused[0].Msg, `"also_stale"`) || !strings.Contains(unused[1].Msg, `"stale"`) {
			t.Fatalf("unused = %v", unused)
		}
		for _, u := range unused {
			if u.Message != -1 || u.Severity != SeverityWarning {
				t.Errorf("unused lint = %+v", u)
			}
		}
	})
	t.Run("empty sample value counts as given", func(t *testing.T) {
		vars := map[string]string{"lang": "", "question": "", "context": ""}
		if l := LintVersion(msgs, Params{}, vars); len(l) != 0 {
			t.Fatalf("got %v", l)
		}
	})
	t.Run("escaped braces are not variables", func(t *testing.T) {
		l := LintVersion([]Message{lintUser(`Write \{{name}} literally`)}, Params{}, map[string]string{})
		if len(l) != 0 {
			t.Fatalf("got %v", l)
		}
	})
	t.Run("variables before a syntax error still count", func(t *testing.T) {
		l := LintVersion([]Message{lintUser("{{a}} then {{")}, Params{}, map[string]string{"a": "1"})
		if got := lintCodes(l); strings.Join(got, ",") != LintTemplateSyntax {
			t.Fatalf("codes = %v", got)
		}
	})
}

func TestLintTrailingWhitespace(t *testing.T) {
	msgs := []Message{lintUser("clean\nspaces   \n\t\nend\t"), lintSys("x\r\ny")}
	lints := lintsWithCode(LintVersion(msgs, Params{}, nil), LintTrailingWhitespace)
	type pos struct{ msg, line, col int }
	var got []pos
	for _, l := range lints {
		got = append(got, pos{l.Message, l.Line, l.Col})
		if l.Severity != SeverityInfo {
			t.Errorf("severity %v", l.Severity)
		}
	}
	want := []pos{{0, 2, 7}, {0, 3, 1}, {0, 4, 4}, {1, 1, 2}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("positions = %v, want %v", got, want)
	}
	if !strings.Contains(lints[3].Msg, "carriage return") {
		t.Errorf("CRLF message = %q", lints[3].Msg)
	}

	t.Run("capped per message", func(t *testing.T) {
		text := strings.Repeat("x \n", 50)
		lints := lintsWithCode(LintVersion([]Message{lintUser(text)}, Params{}, nil), LintTrailingWhitespace)
		if len(lints) != maxTrailingPerMessage+1 {
			t.Fatalf("got %d lints", len(lints))
		}
		last := lints[len(lints)-1]
		if last.Line != maxTrailingPerMessage+1 || !strings.Contains(last.Msg, "30 more lines") {
			t.Fatalf("summary = %+v", last)
		}
	})
}

func TestLintLongPrompt(t *testing.T) {
	tests := []struct {
		name string
		text string
		want bool
	}{
		{"short", "a few words", false},
		{"at the word limit", strings.Repeat("w ", LongPromptWords), false},
		{"over the word limit", strings.Repeat("w ", LongPromptWords+1), true},
		{"over the char limit in few words", strings.Repeat("x", LongPromptChars+1), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lints := lintsWithCode(LintVersion([]Message{lintUser(tt.text)}, Params{}, nil), LintLongPrompt)
			if (len(lints) == 1) != tt.want {
				t.Fatalf("got %v", lints)
			}
			if tt.want && !strings.Contains(lints[0].Msg, fmt.Sprintf("about %d tokens", len([]rune(tt.text))/4)) {
				t.Errorf("message lacks the token estimate: %q", lints[0].Msg)
			}
		})
	}
	t.Run("summed across messages", func(t *testing.T) {
		half := strings.Repeat("word ", LongPromptWords/2+1)
		if l := lintsWithCode(LintVersion([]Message{lintSys(half), lintUser(half)}, Params{}, nil), LintLongPrompt); len(l) != 1 || l[0].Message != -1 {
			t.Fatalf("got %v", l)
		}
	})
}

// Fake credentials are assembled at run time so this file holds no string a
// secret scanner would flag.
func fakeSecret(prefix, body string, n int) string { return prefix + strings.Repeat(body, n) }

func TestLintSecrets(t *testing.T) {
	tests := []struct {
		name   string
		secret string
		what   string
	}{
		{"openai legacy", fakeSecret("sk-", "Ab3d", 12), "OpenAI API key"},
		{"openai project", fakeSecret("sk-"+"proj-", "Ab3d_-x9", 20), "OpenAI project API key"},
		{"anthropic", fakeSecret("sk-"+"ant-api03-", "Zy9_", 24), "Anthropic API key"},
		{"google", fakeSecret("AI"+"za", "Sy0-aB1_cD", 3) + "12345", "Google API key"},
		{"aws", "AK" + "IAIOSFODNN7EXAMPLE", "AWS access key id"},
		{"aws temporary", "AS" + "IAIOSFODNN7EXAMPLE", "AWS access key id"},
		{"github classic", fakeSecret("gh"+"p_", "aB3dE", 8), "GitHub token"},
		{"github fine-grained", fakeSecret("github"+"_pat_", "11AB_cd", 12), "GitHub token"},
		{"slack", "xo" + "xb-123456789012-abcdefABCDEF", "Slack token"},
		{"private key", "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEow", "private key"},
		{"openssh private key", "-----BEGIN " + "OPENSSH PRIVATE KEY-----", "private key"},
		{"jwt", "ey" + "JhbGciOiJIUzI1NiJ9.ey" + "JzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "JSON Web Token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := "Config:\n  key = " + tt.secret + "\nthanks"
			lints := lintsWithCode(LintVersion([]Message{lintUser(text)}, Params{}, nil), LintSecret)
			if len(lints) != 1 {
				t.Fatalf("want one secret lint, got %v", lints)
			}
			l := lints[0]
			if l.Severity != SeverityError || l.Line != 2 || l.Col != 9 {
				t.Errorf("lint = %+v, want error at 2:9", l)
			}
			if !strings.Contains(l.Msg, tt.what) {
				t.Errorf("message %q does not say %q", l.Msg, tt.what)
			}
			if strings.Contains(l.Msg, tt.secret[:5]) {
				t.Errorf("message echoes more than 4 characters of the secret: %q", l.Msg)
			}
			if !strings.Contains(l.Msg, tt.secret[:4]+"…") {
				t.Errorf("message should show the first 4 characters masked: %q", l.Msg)
			}
		})
	}
}

func TestLintSecretFalsePositives(t *testing.T) {
	for _, text := range []string{
		"Use scikit-learn (sk-learn) and a task-force-of-twenty-people-working-hard.",
		"Set OPENAI_API_KEY=sk-... in your shell; never paste it here.",
		"AKIA is the prefix of AWS access keys; AKIAshort is not one.",
		"Tokens look like ghp_ followed by 36 characters.",
		"-----BEGIN PUBLIC KEY-----",
		"-----BEGIN CERTIFICATE-----",
		"eyJ alone is just base64 for {\"",
		"The word AIzawa is a surname.",
		"xoxb- without a body",
	} {
		if l := lintsWithCode(LintVersion([]Message{lintUser(text)}, Params{}, nil), LintSecret); len(l) != 0 {
			t.Errorf("%q: unexpected %v", text, l)
		}
	}
}

func TestLintSecretInSampleVars(t *testing.T) {
	key := fakeSecret("sk-", "Ab3d", 12)
	lints := LintVersion([]Message{lintUser("Use {{key}}")}, Params{}, map[string]string{"key": key})
	s := lintsWithCode(lints, LintSecret)
	if len(s) != 1 || s[0].Message != -1 || !strings.Contains(s[0].Msg, "{{key}}") || strings.Contains(s[0].Msg, key[:5]) {
		t.Fatalf("got %v", lints)
	}
}

func TestLintEmail(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"Contact ana.silva+work@acme-corp.co.uk today", true},
		{"mail: Bo_99@Mail.Example.DE.", true},
		{"Write to support@example.com", false},
		{"or ops@sub.example.org", false},
		{"or someone@shop.test", false},
		{"the asset icon@2x.png", false},
		{"clone git@github.com:acme/whet.git", false},
		{"mention @ana in the thread", false},
		{"the package lodash@4.17.21", false},
		{"a user@localhost account", false},
		{"template {{name}}@acme.com", false},
	}
	for _, tt := range tests {
		lints := lintsWithCode(LintVersion([]Message{lintUser(tt.text)}, Params{}, nil), LintEmail)
		if (len(lints) == 1) != tt.want {
			t.Errorf("%q: got %v, want match=%v", tt.text, lints, tt.want)
			continue
		}
		if tt.want {
			if lints[0].Severity != SeverityWarning {
				t.Errorf("%q: severity %v", tt.text, lints[0].Severity)
			}
			addr := strings.Fields(tt.text)[1]
			if strings.Contains(lints[0].Msg, addr[:5]) {
				t.Errorf("%q: message echoes the address: %q", tt.text, lints[0].Msg)
			}
		}
	}
}

func TestLintPhone(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		// International.
		{"Call +44 20 7946 0958 now", true},
		{"Call +1 (415) 555-2671.", true},
		{"E.164: +14155552671", true},
		{"Berlin +49 (0)30 1234567", true},
		{"Paris +33 1 23 45 67 89", true},
		{"Dial 0044 20 7946 0958", true},
		// National.
		{"(415) 555-2671", true},
		{"415-555-2671", true},
		{"415.555.2671", true},
		{"1-800-555-2671", true},
		{"London 020 7946 0958", true},
		{"mobile 07700 900123", true},
		{"Paris 01 23 45 67 89", true},
		{"Berlin 030/1234567", true},
		{"Tel.: 0171-1234567", true},
		// Not phone numbers.
		{"In 2019 2020 2021 sales grew", false},
		{"from 1999-2024", false},
		{"order id 1234567890", false},
		{"order id 0123456789", false},
		{"timestamp 1700000000000", false},
		{"version 1.2.3.4567", false},
		{"v10.234.567.8901", false},
		{"host 192.168.100.200", false},
		{"on 2024-01-15 at 10:30", false},
		{"on 05/06/2024 12:30", false},
		{"on 15.01.2024", false},
		{"ISBN 978-0-306-40615-7", false},
		{"card 4111 1111 1111 1111", false},
		{"prices 100 200 300 400", false},
		{"invoice INV-0042-123456", false},
		{"ref AB-020 7946 0958", false},
		{"+1 vote", false},
		{"sum = 12+3456789", false},
		{"fictional 555-0123 and (212) 555-0187", false},
		{"uuid 123e4567-e89b-12d3-a456-426614174000", false},
		{"mixed 415-555.2671", false},
	}
	for _, tt := range tests {
		lints := lintsWithCode(LintVersion([]Message{lintUser(tt.text)}, Params{}, nil), LintPhone)
		if (len(lints) == 1) != tt.want {
			t.Errorf("%q: got %v, want match=%v", tt.text, lints, tt.want)
		}
		for _, l := range lints {
			if l.Severity != SeverityWarning {
				t.Errorf("%q: severity %v", tt.text, l.Severity)
			}
		}
	}
}

func TestLintPhonePositionAndMask(t *testing.T) {
	lints := lintsWithCode(LintVersion([]Message{lintSys("x"), lintUser("Name: Bo\nPhone: +44 20 7946 0958")}, Params{}, nil), LintPhone)
	if len(lints) != 1 {
		t.Fatalf("got %v", lints)
	}
	l := lints[0]
	if l.Message != 1 || l.Line != 2 || l.Col != 8 {
		t.Errorf("lint = %+v, want message 1 at 2:8", l)
	}
	if strings.Contains(l.Msg, "7946") || !strings.Contains(l.Msg, "+44 …") {
		t.Errorf("phone not masked: %q", l.Msg)
	}
}

func TestLintParams(t *testing.T) {
	temp, topP := 0.7, 0.9
	msgs := []Message{lintUser("Hi")}
	tests := []struct {
		name   string
		params Params
		want   []string
	}{
		{"none", Params{}, nil},
		{"temperature only", Params{Temperature: &temp}, nil},
		{"both", Params{Temperature: &temp, TopP: &topP}, []string{LintTemperatureTopP}},
		{"empty stop", Params{Stop: []string{"END", ""}}, []string{LintEmptyStop}},
		{"ollama option", Params{Extra: map[string]any{"num_ctx": 8192.0, "top_k": 20.0}}, []string{LintUnscopedOption}},
		{"scoped ollama option", Params{Extra: map[string]any{"ollama.num_ctx": 8192.0}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := lintCodes(LintVersion(msgs, tt.params, nil))
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("codes = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLintOrderAndString(t *testing.T) {
	msgs := []Message{lintUser("a \nb {{x}}"), lintAsst("done ")}
	lints := LintVersion(msgs, Params{}, map[string]string{"y": "1"})
	var got []string
	for _, l := range lints {
		got = append(got, l.String())
	}
	want := []string{
		`prompt: warning: sample variable "y" is not used by any message [unused-var]`,
		"message 1, 1:2: info: trailing whitespace [trailing-whitespace]",
		"message 1, 2:3: warning: {{x}} has no sample value; add one under vars so the prompt runs as-is [unknown-var]",
		"message 2: info: the last message is the assistant's: the model will continue this turn (a prefill); not every provider supports it [assistant-last]",
		"message 2, 1:5: info: trailing whitespace [trailing-whitespace]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func BenchmarkLintVersion(b *testing.B) {
	body := strings.Repeat("The customer {{name}} wrote about order 1234567890 on 2024-01-15. ", 400)
	msgs := []Message{lintSys("You are a helpful agent."), lintUser(body)}
	vars := map[string]string{"name": "Ana"}
	for b.Loop() {
		LintVersion(msgs, Params{}, vars)
	}
}

func FuzzLintVersion(f *testing.F) {
	f.Add("Hi {{name}} +44 20 7946 0958 a@b.co \n", "x")
	f.Add("{{ unclosed", "")
	f.Fuzz(func(t *testing.T, text, v string) {
		for _, l := range LintVersion([]Message{lintUser(text)}, Params{}, map[string]string{"name": v}) {
			if l.Message > 0 || l.Line < 0 || l.Col < 0 || (l.Line > 0) != (l.Col > 0) {
				t.Fatalf("bad position %+v", l)
			}
		}
	})
}
