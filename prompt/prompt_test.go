package prompt

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseRef(t *testing.T) {
	tests := []struct {
		in   string
		want Ref
		err  string
	}{
		{in: "summary", want: Ref{Name: "summary"}},
		{in: "team/summary@3", want: Ref{Name: "team/summary", Number: 3}},
		{in: "summary@v12", want: Ref{Name: "summary", Number: 12}},
		{in: "summary@V2", want: Ref{Name: "summary", Number: 2}},
		{in: "summary@production", want: Ref{Name: "summary", Tag: "production"}},
		{in: "summary@1F2E3D", want: Ref{Name: "summary", Hash: "1f2e3d"}},
		{in: "summary@1f2e3d4c5b6a", want: Ref{Name: "summary", Hash: "1f2e3d4c5b6a"}},
		{in: "summary@123456", want: Ref{Name: "summary", Number: 123456, Hash: "123456"}},
		{in: "summary@1234567890", want: Ref{Name: "summary", Hash: "1234567890"}},
		{in: "summary@", err: "nothing after '@'"},
		{in: "summary@0", err: "start at 1"},
		{in: "summary@abc", want: Ref{Name: "summary", Tag: "abc"}},
		{in: "summary@latest", want: Ref{Name: "summary"}},
		{in: "team/summary@LATEST", want: Ref{Name: "team/summary"}},
		{in: "summary@latest2", want: Ref{Name: "summary", Tag: "latest2"}},
		{in: "summary@bad tag", err: "neither a version number"},
		{in: "@3", err: "empty prompt name"},
		{in: "bad name@3", err: "invalid prompt name"},
	}
	for _, tt := range tests {
		got, err := ParseRef(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseRef(%q) error = %v, want containing %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseRef(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseRef(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestRefStringRoundTrip(t *testing.T) {
	for _, s := range []string{"a", "a@3", "a@prod", "a@abcdef12", "x/y@1234567"} {
		r, err := ParseRef(s)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := ParseRef(r.String())
		if err != nil || r2 != r {
			t.Errorf("round trip %q: %+v -> %q -> %+v (%v)", s, r, r.String(), r2, err)
		}
	}
}

func TestValidateName(t *testing.T) {
	good := []string{"a", "summary", "support/reply-v2", "A.b_c", "x/y/z", "9lives"}
	bad := []string{"", "-a", "a/", "/a", "a//b", "a b", "a@b", "é", strings.Repeat("a", 129)}
	for _, n := range good {
		if err := ValidateName(n); err != nil {
			t.Errorf("ValidateName(%q) = %v", n, err)
		}
	}
	for _, n := range bad {
		err := ValidateName(n)
		if err == nil {
			t.Errorf("ValidateName(%q) accepted", n)
		} else if n != "" && !strings.Contains(err.Error(), "letters, digits") {
			t.Errorf("ValidateName(%q) error does not state the rule: %v", n, err)
		}
	}
}

func TestValidateTag(t *testing.T) {
	for _, tag := range []string{"production", "staging", "exp-1", "v1.2-rc"} {
		if err := ValidateTag(tag); err != nil {
			t.Errorf("ValidateTag(%q) = %v", tag, err)
		}
	}
	for _, tag := range []string{"", "v3", "3", "abcdef", "deadbeef12", "-x", "a b"} {
		if ValidateTag(tag) == nil {
			t.Errorf("ValidateTag(%q) accepted", tag)
		}
	}
}

func TestTemplate(t *testing.T) {
	tests := []struct {
		text string
		vars map[string]string
		want string
		used []string
		err  string
	}{
		{text: "Hi {{name}}!", vars: map[string]string{"name": "Ana"}, want: "Hi Ana!", used: []string{"name"}},
		{text: "{{ a }}{{b}}{{\ta\t}}", vars: map[string]string{"a": "1", "b": "2", "extra": "x"}, want: "121", used: []string{"a", "b"}},
		{text: `literal \{{not}} {{x}}`, vars: map[string]string{"x": "y"}, want: "literal {{not}} y", used: []string{"x"}},
		{text: "no vars", want: "no vars"},
		{text: "{{a}} {{b}} {{a}} {{c}}", vars: map[string]string{"b": "1"}, used: []string{"a", "b", "c"}, err: "missing template variables: {{a}}, {{c}}"},
		{text: "x\n  {{ 1bad }}", err: "2:3: invalid variable"},
		{text: "open {{ forever", err: "1:6: unclosed {{"},
		{text: "{{user.name}} {{ snake_case-x }}", vars: map[string]string{"user.name": "a", "snake_case-x": "b"}, want: "a b", used: []string{"user.name", "snake_case-x"}},
	}
	for _, tt := range tests {
		tpl, perr := ParseTemplate(tt.text)
		if tt.used != nil && !reflect.DeepEqual(tpl.Variables(), tt.used) {
			t.Errorf("%q: Variables() = %v, want %v", tt.text, tpl.Variables(), tt.used)
		}
		got, err := Render(tt.text, tt.vars)
		if perr != nil && err == nil {
			t.Errorf("%q: parse error %v but Render succeeded", tt.text, perr)
		}
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Render(%q) error = %v, want %q", tt.text, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Render(%q) = %q, %v; want %q", tt.text, got, err, tt.want)
		}
	}
}

func TestRenderMessagesGathersMissing(t *testing.T) {
	msgs := []Message{{Role: "system", Content: "Be {{tone}}."}, {Role: "user", Content: "{{question}} {{tone}}"}}
	_, err := RenderMessages(msgs, map[string]string{})
	var me *MissingVarsError
	if !errors.As(err, &me) || !reflect.DeepEqual(me.Names, []string{"tone", "question"}) {
		t.Fatalf("err = %v", err)
	}
	out, err := RenderMessages(msgs, map[string]string{"tone": "brief", "question": "Why?"})
	if err != nil || out[0].Content != "Be brief." || out[1].Content != "Why? brief" {
		t.Fatalf("out = %+v, %v", out, err)
	}
	if got := MessagesVariables(msgs); !reflect.DeepEqual(got, []string{"tone", "question"}) {
		t.Fatalf("MessagesVariables = %v", got)
	}
}

func f64(v float64) *float64 { return &v }

func TestContentHash(t *testing.T) {
	a := Content{Messages: []Message{{Role: "user", Content: "hi"}}, Params: Params{Temperature: f64(0.2)}}
	b := Content{Messages: []Message{{Role: "user", Content: "hi"}}, Params: Params{Temperature: f64(0.2)}}
	if a.Hash() != b.Hash() || len(a.Hash()) != 64 {
		t.Fatalf("equal content, different hashes: %s %s", a.Hash(), b.Hash())
	}
	c := b
	c.Params = Params{Temperature: f64(0.3)}
	if a.Hash() == c.Hash() {
		t.Fatal("different params, same hash")
	}
	d := Content{Messages: []Message{{Role: "system", Content: "hi"}}}
	e := Content{Messages: []Message{{Role: "user", Content: "hi"}}}
	if d.Hash() == e.Hash() {
		t.Fatal("different roles, same hash")
	}
	// map order and nil vs empty never change the hash
	x := Content{Params: Params{Extra: map[string]any{"a": 1.0, "b": "x", "c": true}}}
	y := Content{Messages: []Message{}, Params: Params{Extra: map[string]any{"c": true, "b": "x", "a": 1.0}}}
	if x.Hash() != y.Hash() {
		t.Fatal("map order changed the hash")
	}
	if ShortHash(a.Hash()) != a.Hash()[:12] {
		t.Fatal("short hash")
	}
}

func TestParamsSet(t *testing.T) {
	var p Params
	for _, kv := range []string{"temperature=0.2", "top_p=0.9", "max_tokens=256", "seed=42", "stop=END", "stop=[\"###\"]", "num_ctx=8192", "mode=fast"} {
		if err := p.ParseParam(kv); err != nil {
			t.Fatalf("%s: %v", kv, err)
		}
	}
	want := []string{`temperature: 0.2`, `top_p: 0.9`, `max_tokens: 256`, `seed: 42`, `stop: ["END","###"]`, `mode: "fast"`, `num_ctx: 8192`}
	if got := p.Lines(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Lines = %q, want %q", got, want)
	}
	for _, bad := range []string{"temperature=hot", "temperature=3", "top_p=1.5", "max_tokens=0", "seed=x", "novalue", "=1", "stop=[1"} {
		if err := p.ParseParam(bad); err == nil {
			t.Errorf("ParseParam(%q) accepted", bad)
		}
	}
	if err := p.ParseParam("seed="); err != nil || p.Seed != nil {
		t.Fatalf("empty value should unset: %v %v", err, p.Seed)
	}
	c := p.Clone()
	*c.Temperature = 1
	c.Extra["num_ctx"] = 1
	if *p.Temperature != 0.2 || p.Extra["num_ctx"] != 8192.0 {
		t.Fatal("Clone shares memory")
	}
}

func TestParseLabel(t *testing.T) {
	k, v, err := ParseLabel("Team=cx")
	if err != nil || k != "team" || v != "cx" {
		t.Fatalf("%q %q %v", k, v, err)
	}
	for _, bad := range []string{"team", "=cx", "team=", "1team=x", "te am=x"} {
		if _, _, err := ParseLabel(bad); err == nil {
			t.Errorf("ParseLabel(%q) accepted", bad)
		}
	}
}

func TestLabelsKeysOrder(t *testing.T) {
	l := Labels{"zeta": "1", "owner": "ana", "purpose": "x", "alpha": "2"}
	if got := l.Keys(); !reflect.DeepEqual(got, []string{"purpose", "owner", "alpha", "zeta"}) {
		t.Fatalf("Keys = %v", got)
	}
}

func TestDiffVersions(t *testing.T) {
	a := Version{Prompt: "p", Number: 1, Messages: []Message{{Role: "user", Content: "Hello\nworld"}}}
	b := Version{Prompt: "p", Number: 2, Messages: []Message{{Role: "user", Content: "Hello\nthere"}}, Params: Params{Temperature: f64(0.5)}}
	a.Hash, b.Hash = a.Content().Hash(), b.Content().Hash()
	d := DiffVersions(a, b)
	for _, want := range []string{"--- p@1 ", "+++ p@2 ", "-world", "+there", "+## params", "+temperature: 0.5"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
	if DiffVersions(a, a) != "" {
		t.Error("identical versions should diff empty")
	}
}

func TestResultGenerationTime(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    Result
		gen  time.Duration
		tps  float64
	}{
		{"measured by the server", Result{TokensOut: 30, TTFT: 500 * time.Millisecond, Latency: 2 * time.Second, GenTime: time.Second}, time.Second, 30},
		{"latency less TTFT", Result{TokensOut: 30, TTFT: 500 * time.Millisecond, Latency: 2 * time.Second}, 1500 * time.Millisecond, 20},
		{"no TTFT: the whole latency", Result{TokensOut: 30, Latency: 2 * time.Second}, 2 * time.Second, 15},
		{"nothing measured", Result{TokensOut: 30}, 0, 0},
		{"no tokens", Result{TTFT: time.Millisecond, Latency: time.Second, GenTime: time.Second}, time.Second, 0},
		{"in one piece (echo): too short to rate", Result{TokensOut: 20, TTFT: 40 * time.Microsecond, Latency: 45 * time.Microsecond}, 5 * time.Microsecond, 0},
		{"a millisecond is enough", Result{TokensOut: 2, TTFT: time.Millisecond, Latency: 2 * time.Millisecond}, time.Millisecond, 2000},
	} {
		if got := tc.r.GenerationTime(); got != tc.gen {
			t.Errorf("%s: GenerationTime = %v, want %v", tc.name, got, tc.gen)
		}
		if got := tc.r.TokensPerSecond(); got != tc.tps {
			t.Errorf("%s: TokensPerSecond = %v, want %v", tc.name, got, tc.tps)
		}
	}
}

func TestValidateMessagesUTF8(t *testing.T) {
	msgs := []Message{{Role: RoleSystem, Content: "ok"}, {Role: RoleUser, Content: "line one\nab\xffc"}}
	err := ValidateMessages(msgs)
	if err == nil || err.Error() != "message 2 (user): line 2, column 3 (byte 12): not UTF-8 text (save the file as UTF-8)" {
		t.Fatalf("ValidateMessages = %v", err)
	}
	if err := ValidateMessages([]Message{{Role: RoleUser, Content: "日本 🙂"}}); err != nil {
		t.Fatalf("valid text refused: %v", err)
	}
}

func TestParamsFor(t *testing.T) {
	p := Params{Extra: map[string]any{"top_k": 40.0, "ollama.num_ctx": 8192.0, "ollama.top_k": 20.0, "gemini.topK": 3.0, "x.y": "kept"}}
	got := p.For("ollama")
	want := map[string]any{"top_k": 20.0, "num_ctx": 8192.0, "x.y": "kept"}
	if !reflect.DeepEqual(got.Extra, want) {
		t.Errorf("For(ollama).Extra = %v, want %v", got.Extra, want)
	}
	if got := p.For("anthropic").Extra; !reflect.DeepEqual(got, map[string]any{"top_k": 40.0, "x.y": "kept"}) {
		t.Errorf("For(anthropic).Extra = %v", got)
	}
	if len(p.Extra) != 5 || p.Extra["ollama.num_ctx"] != 8192.0 {
		t.Errorf("For changed p: %v", p.Extra)
	}
	if got := (Params{Extra: map[string]any{"gemini.topK": 3.0}}).For("openai"); got.Extra != nil {
		t.Errorf("only another type's keys: Extra = %v, want nil", got.Extra)
	}
	// No scoped key: the same params, nothing copied.
	plain := Params{Extra: map[string]any{"top_k": 1.0}}
	if got := plain.For("gemini"); reflect.ValueOf(got.Extra).Pointer() != reflect.ValueOf(plain.Extra).Pointer() {
		t.Error("For copied params without scoped keys")
	}
}

func TestParamsScopedWellKnown(t *testing.T) {
	var p Params
	for _, kv := range []string{"max_tokens=400", "anthropic.max_tokens=100", "anthropic.stop=END", "anthropic.stop=STOP", "openai.temperature=0.1"} {
		if err := p.ParseParam(kv); err != nil {
			t.Fatalf("%s: %v", kv, err)
		}
	}
	// Checked as the param is, at once.
	if err := p.ParseParam("anthropic.max_tokens=lots"); err == nil || err.Error() != `param anthropic.max_tokens: "lots" is not a positive integer` {
		t.Fatalf("a bad scoped max_tokens: %v", err)
	}
	a := p.For("anthropic")
	if *a.MaxTokens != 100 || strings.Join(a.Stop, "|") != "END|STOP" || a.Temperature != nil || a.Extra != nil {
		t.Fatalf("For(anthropic) = %v", a.Lines())
	}
	o := p.For("openai")
	if *o.MaxTokens != 400 || *o.Temperature != 0.1 || o.Stop != nil || o.Extra != nil {
		t.Fatalf("For(openai) = %v", o.Lines())
	}
	if *p.MaxTokens != 400 || p.Temperature != nil || p.Stop != nil || len(p.Extra) != 3 {
		t.Fatalf("For changed p: %v", p.Lines())
	}
	// As read back from JSON (numbers as float64, lists as []any).
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Params
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if got := back.For("anthropic"); *got.MaxTokens != 100 || strings.Join(got.Stop, "|") != "END|STOP" {
		t.Fatalf("For(anthropic) after JSON = %v", got.Lines())
	}
}

func TestStaleTeam(t *testing.T) {
	for _, tc := range []struct {
		labels   Labels
		from, to string
		newTeam  string
		stale    bool
	}{
		{Labels{"team": "legal"}, "legal/nda", "sales/nda", "sales", true},
		{Labels{"team": "Legal"}, "legal/nda", "Sales/x/nda", "Sales", true},
		{Labels{"team": "legal"}, "legal/nda", "legal/contracts/nda", "", false}, // same folder
		{Labels{"team": "cx"}, "legal/nda", "sales/nda", "", false},              // the label is not the folder
		{Labels{}, "legal/nda", "sales/nda", "", false},
		{Labels{"team": "legal"}, "legal/nda", "nda", "", false}, // no folder to name a team
	} {
		_, newTeam, stale := StaleTeam(tc.labels, tc.from, tc.to)
		if newTeam != tc.newTeam || stale != tc.stale {
			t.Errorf("StaleTeam(%v, %s, %s) = %q, %v; want %q, %v", tc.labels, tc.from, tc.to, newTeam, stale, tc.newTeam, tc.stale)
		}
	}
}

func TestRunDriftBaseline(t *testing.T) {
	for _, tc := range []struct {
		source, note, want string
	}{
		{"drift", DriftNotePrefix + "1m869te23xva", "1m869te23xva"},
		{"drift", DriftNotePrefix + "1m869te23xva: nightly", "1m869te23xva"},
		{"cli", DriftNotePrefix + "1m869te23xva", ""},
		{"drift", "by hand", ""},
	} {
		if got := (Run{Source: tc.source, Note: tc.note}).DriftBaseline(); got != tc.want {
			t.Errorf("source %s note %q: baseline %q, want %q", tc.source, tc.note, got, tc.want)
		}
	}
}

// A digest is what a server says: its short form never carries part of a
// control sequence or a line break, and is cut by characters, not bytes.
func TestShortDigest(t *testing.T) {
	for in, want := range map[string]string{
		"sha256:a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72": "a80c4f17acd5",
		"fp_44709d6fcb":                          "fp_44709d6fc",
		"":                                       "",
		"sha256:\x1b[31mdeadbeef\x1b[0mcafe0000": "deadbeefcafe",
		"\x1b]8;;https://evil.example\x07ab\ncd": "ab cd",
		"ééééééééééééé":                          "éééééééééééé",
	} {
		if got := ShortDigest(in); got != want {
			t.Errorf("ShortDigest(%q) = %q, want %q", in, got, want)
		}
	}
}
