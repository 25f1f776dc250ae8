package textutil

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

func eq(s string) WordEdit  { return WordEdit{WordEqual, s} }
func del(s string) WordEdit { return WordEdit{WordDelete, s} }
func ins(s string) WordEdit { return WordEdit{WordInsert, s} }

func TestWordDiff(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want []WordEdit
	}{
		{"both empty", "", "", nil},
		{"identical", "Hello, world.", "Hello, world.", []WordEdit{eq("Hello, world.")}},
		{"from empty", "", "new text", []WordEdit{ins("new text")}},
		{"to empty", "old text", "", []WordEdit{del("old text")}},
		{"one word", "the quick fox", "the slow fox", []WordEdit{eq("the "), del("quick"), ins("slow"), eq(" fox")}},
		{"phrase joins across spaces", "the quick brown fox", "the slow red fox",
			[]WordEdit{eq("the "), del("quick brown"), ins("slow red"), eq(" fox")}},
		{"appended", "Be brief.", "Be brief and kind.", []WordEdit{eq("Be brief"), ins(" and kind"), eq(".")}},
		{"removed word", "never promise refunds", "never refunds", []WordEdit{eq("never "), del("promise "), eq("refunds")}},
		{"punctuation is its own token", "Yes, sir", "Yes! sir", []WordEdit{eq("Yes"), del(","), ins("!"), eq(" sir")}},
		{"a word is not split", "cat", "cart", []WordEdit{del("cat"), ins("cart")}},
		{"unicode words", "naïve café", "naïve bistro", []WordEdit{eq("naïve "), del("café"), ins("bistro")}},
		{"lines", "line one\nline two\n", "line one\nline 2\n", []WordEdit{eq("line one\nline "), del("two"), ins("2"), eq("\n")}},
		{"whitespace change", "a b", "a  b", []WordEdit{eq("a"), del(" "), ins("  "), eq("b")}},
		{"deletes before inserts", "x y", "y x", []WordEdit{del("x "), eq("y"), ins(" x")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := WordDiff(tt.a, tt.b)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("WordDiff(%q, %q)\n got %+v\nwant %+v", tt.a, tt.b, got, tt.want)
			}
			checkInvariants(t, tt.a, tt.b, got)
		})
	}
}

func TestWords(t *testing.T) {
	got := Words("Hi, Ana_2!  ok\n")
	want := []string{"Hi", ",", " ", "Ana_2", "!", "  ", "ok", "\n"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Words = %q, want %q", got, want)
	}
	if Words("") != nil {
		t.Fatal("Words(\"\") should be nil")
	}
	// Invalid UTF-8 survives as tokens of its own.
	if got := strings.Join(Words("a\xffb"), ""); got != "a\xffb" {
		t.Fatalf("Words lost bytes: %q", got)
	}
}

// checkInvariants verifies WordDiff's promises: both texts reconstruct, no
// two neighbours share an op, and a delete precedes an insert.
func checkInvariants(t *testing.T, a, b string, edits []WordEdit) {
	t.Helper()
	var ra, rb strings.Builder
	for i, e := range edits {
		if e.Text == "" {
			t.Fatalf("edit %d is empty: %+v", i, edits)
		}
		if i > 0 && edits[i-1].Op == e.Op {
			t.Fatalf("edits %d and %d share op %d: %+v", i-1, i, e.Op, edits)
		}
		if i > 0 && edits[i-1].Op == WordInsert && e.Op == WordDelete {
			t.Fatalf("insert before delete at %d: %+v", i, edits)
		}
		if e.Op != WordInsert {
			ra.WriteString(e.Text)
		}
		if e.Op != WordDelete {
			rb.WriteString(e.Text)
		}
	}
	if ra.String() != a {
		t.Fatalf("a does not reconstruct:\n got %q\nwant %q", ra.String(), a)
	}
	if rb.String() != b {
		t.Fatalf("b does not reconstruct:\n got %q\nwant %q", rb.String(), b)
	}
}

func randomText(r *rand.Rand, words []string, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(words[r.IntN(len(words))])
		switch r.IntN(6) {
		case 0:
			b.WriteString(", ")
		case 1:
			b.WriteString("\n")
		default:
			b.WriteString(" ")
		}
	}
	return b.String()
}

func TestWordDiffRandomReconstructs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"the", "a", "refund", "order", "Ana", "é", "42", "ok", "no", "kind"}
	for i := 0; i < 300; i++ {
		a := randomText(r, words, r.IntN(40))
		b := randomText(r, words, r.IntN(40))
		checkInvariants(t, a, b, WordDiff(a, b))
	}
}

// TestWordDiffLarge crosses exactLimit, where the bounded search takes
// over; the result must still reconstruct both texts.
func TestWordDiffLarge(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	words := []string{"alpha", "beta", "gamma", "delta", "eps"}
	a := randomText(r, words, 1500)
	b := randomText(r, words, 1500)
	if n := len(Words(a)) * len(Words(b)); n <= exactLimit {
		t.Fatalf("fixture too small (%d token pairs) to leave the exact path", n)
	}
	edits := WordDiff(a, b)
	checkInvariants(t, a, b, edits)
	// A small change in a large text stays small.
	c := strings.Replace(a, "gamma", "GAMMA", 1)
	edits = WordDiff(a, c)
	checkInvariants(t, a, c, edits)
	changed := 0
	for _, e := range edits {
		if e.Op != WordEqual {
			changed++
		}
	}
	if changed != 2 {
		t.Fatalf("one replaced word gave %d changed edits", changed)
	}
}

func BenchmarkWordDiff(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	words := []string{"the", "customer", "order", "refund", "arrived", "late", "sorry"}
	x := randomText(r, words, 300)
	y := randomText(r, words, 300)
	for b.Loop() {
		WordDiff(x, y)
	}
}

// TestWordDiffHugeEqualRuns diffs two outputs of 2 MB that differ in one
// word: the long equal runs either side of it must be joined in linear
// time (they were joined one concatenation per token, minutes of work).
func TestWordDiffHugeEqualRuns(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 2<<20; i++ {
		fmt.Fprintf(&b, "line %06d: the quick brown fox jumps over the lazy dog\n", i)
	}
	a := b.String()
	c := a[:len(a)/2] + " CHANGED " + a[len(a)/2:]
	done := make(chan []WordEdit, 1)
	go func() { done <- WordDiff(a, c) }()
	select {
	case edits := <-done:
		checkInvariants(t, a, c, edits)
		if len(edits) > 4 {
			t.Fatalf("one inserted word gave %d edits", len(edits))
		}
	case <-time.After(20 * time.Second):
		t.Fatal("WordDiff of two 2 MB texts with one change took over 20s")
	}
}
