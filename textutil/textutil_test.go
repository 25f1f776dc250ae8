package textutil

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "hello, world", "hello, world"},
		{"newlines and tabs kept", "a\n\tb\n", "a\n\tb\n"},
		{"unicode kept", "é ok 日本 🙂 e\u0301", "é ok 日本 🙂 e\u0301"},
		{"SGR colour", "a\x1b[31mred\x1b[0m b", "ared b"},
		{"cursor movement", "x\x1b[2J\x1b[H\x1b[10;5Hy", "xy"},
		{"OSC title BEL", "a\x1b]0;pwned\x07b", "ab"},
		{"OSC 8 hyperlink", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"},
		{"DCS", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab"},
		{"charset designation", "\x1b(Bx", "x"},
		{"lone ESC at end", "x\x1b", "x"},
		{"bell", "ding\x07dong", "dingdong"},
		{"NUL", "a\x00b", "ab"},
		{"backspace", "abc\b\bX", "abcX"},
		{"DEL", "a\x7fb", "ab"},
		{"C1 CSI as UTF-8", "a\u009b31mb", "a31mb"},
		{"C1 NEL", "a\u0085b", "ab"},
		{"raw 8-bit CSI byte", "a\x9b31mb", "ab"},
		{"invalid UTF-8", "bad\xff\xfeutf", "badutf"},
		{"CRLF", "a\r\nb\r\n", "a\nb\n"},
		{"lone CR", "50%\r100%", "50%\n100%"},
		{"vertical tab and form feed", "a\vb\fc", "abc"},
		{"bidi override", "access\u202e\u2066 // admin\u2069\u2066", "access // admin"},
		{"every bidi embedding, override and isolate", "\u202aa\u202bb\u202cc\u202dd\u202ee\u2066f\u2067g\u2068h\u2069", "abcdefgh"},
		{"right-to-left text and implicit marks kept", "\u05e9\u05dc\u05d5\u05dd \u200f(1)\u200e \u0645\u0631\u062d\u0628\u0627\u061c", "\u05e9\u05dc\u05d5\u05dd \u200f(1)\u200e \u0645\u0631\u062d\u0628\u0627\u061c"},
		{"empty", "", ""},
		// An unterminated control string or a stray ESC does not swallow
		// the text after it: only the ESC (and the introducer) go.
		{"unterminated OSC keeps its tail", "keep \x1b]0;and the rest", "keep 0;and the rest"},
		{"unterminated DCS keeps its tail", "keep \x1bPq and the rest", "keep q and the rest"},
		{"unterminated APC keeps its tail", "keep \x1b_x and the rest", "keep x and the rest"},
		{"OSC ended by C1 ST", "a\x1b]0;t\u009cb", "ab"},
		{"ESC before a newline", "esc\x1b\nnext line", "esc\nnext line"},
		{"terminated OSC after an unterminated one", "\x1b]x \x1b]0;t\x07y", "x y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sanitize(tt.in)
			if got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Sanitize(got); again != got {
				t.Errorf("not idempotent: Sanitize(%q) = %q", got, again)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"  a\n\tb  \r\n c ", "a b c"},
		{"openai: HTTP 400: \x1b]52;c;ZXZpbA==\x07bad\rrequest\x1b[2K", "openai: HTTP 400: bad request"},
		{"\u202eevil", "evil"},
	}
	for _, tt := range tests {
		if got := OneLine(tt.in); got != tt.want {
			t.Errorf("OneLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"a\x1b[31mb", "\x1b]8;;x\x1b\\y", "a\r\nb\rc", "\u009b\x9b\x00\x7f", "日本\t", "a\u202eb\u2069"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Sanitize(s)
		for _, r := range got {
			if IsControl(r) && r != '\n' && r != '\t' {
				t.Fatalf("Sanitize(%q) = %q keeps control %U", s, got, r)
			}
			if r == 0x1b {
				t.Fatalf("Sanitize(%q) = %q keeps ESC", s, got)
			}
			if r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
				t.Fatalf("Sanitize(%q) = %q keeps bidi control %U", s, got, r)
			}
		}
		if Sanitize(got) != got {
			t.Fatalf("not idempotent on %q", s)
		}
	})
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "", -1: "", 999: "999 B", 1000: "1.0 kB", 397821319: "397.8 MB", 2019393189: "2.0 GB", 1 << 30: "1.1 GB"} {
		if got := HumanBytes(n); got != want {
			t.Errorf("HumanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// Text that arrives in pieces, sanitised piece by piece after
// StreamPrefix, reads as the whole text sanitised at once.
func TestStreamPrefix(t *testing.T) {
	whole := "title \x1b]0;PWNED\x07 and \x1b]2;x\x1b\\ red \x1b[31mRED\x1b[0m " +
		"dcs \x1bPq#0~~\x1b\\ c1 \u009b31mX \u009d0;t\u009c line\r\nnext 日本🙂 esc \x1b(B end\r"
	for k := 0; k <= len(whole); k++ {
		if got := streamTwice(whole, k); got != Sanitize(whole) {
			t.Fatalf("split at %d (%q | %q): %q, want %q", k, whole[:k], whole[k:], got, Sanitize(whole))
		}
	}
	for _, tt := range []struct {
		in   string
		want int
	}{
		{"plain", 5},
		{"a\x1b", 1},
		{"a\x1b[3", 1},
		{"a\x1b[31m", 6},
		{"a\x1b]0;title", 1},
		{"a\x1b]0;title\x07b", 12},
		{"a\x1b]8;;u\x1b", 1},
		{"a\x1b]8;;u\x1b\\", 9},
		{"a\r", 1},
		{"a\r\n", 3},
		{"a\xe6\x97", 1},
		{"a\x9b3", 1},
		{"a\u009b3", 4},
		{"a\x1b(", 1},
		{"a\x1b(B", 4},
		{"a\x1b]" + strings.Repeat("x", maxHeld+1), maxHeld + 4},
	} {
		if got := StreamPrefix(tt.in); got != tt.want {
			t.Errorf("StreamPrefix(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// streamTwice sanitises s as two pieces split at k, holding back what
// StreamPrefix leaves of the first.
func streamTwice(s string, k int) string {
	n := StreamPrefix(s[:k])
	return Sanitize(s[:n]) + Sanitize(s[n:])
}

func FuzzStreamPrefix(f *testing.F) {
	for _, s := range []string{"a\x1b]0;t\x07b", "x\x1b[31my\r\nz", "\u009b1m\u009d0;t\u009c", "日\x1bP1\x1b\\e", "a\x1b\x1b[mb"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, k int) {
		// Streamed text is valid UTF-8 (it is decoded from JSON); how
		// the terminal parser resyncs on invalid bytes depends on where
		// they are cut, and either way they are dropped.
		// A text that ends inside a sequence is cleaned by guesswork at
		// its end (Sanitize shows what an unterminated string would
		// swallow); the property is for text whose sequences all end.
		if k < 0 || k > len(s) || !utf8.ValidString(s) || StreamPrefix(s) != len(s) {
			return
		}
		if got, want := streamTwice(s, k), Sanitize(s); got != want {
			t.Fatalf("split at %d (%q | %q): %q, want %q", k, s[:k], s[k:], got, want)
		}
	})
}
