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

func TestEditDistanceUpTo(t *testing.T) {
	for _, tc := range []struct {
		a, b  string
		limit int
		want  int
	}{
		{"kitten", "sitting", 10, 3},
		{"", "abc", 10, 3},
		{"abc", "abc", 10, 0},
		{"flaw", "lawn", 10, 2},
		{"kitten", "sitting", 2, 2},
		{"héllo", "hello", 10, 1},
		{"a", "abcdef", 3, 3}, // lengths alone say it is at least 5
		{"abc", "xyz", 0, 0},
	} {
		if got := EditDistanceUpTo(tc.a, tc.b, tc.limit); got != tc.want {
			t.Errorf("EditDistanceUpTo(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.limit, got, tc.want)
		}
	}
}
