package textutil

import "testing"

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"kitten", "sitting", 3},
		{"concurrency", "concurency", 1},
		{"timeout", "timeuot", 2},
		{"openai", "openai", 0},
		{"naïve café", "naive cafe", 2}, // code points, not bytes
		{"日本語", "日本", 1},
	} {
		if got := EditDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("EditDistance(%q, %q) = %d; want %d", tc.a, tc.b, got, tc.want)
		}
		if got := EditDistance(tc.b, tc.a); got != tc.want {
			t.Errorf("EditDistance(%q, %q) = %d; want %d (symmetric)", tc.b, tc.a, got, tc.want)
		}
	}
}
