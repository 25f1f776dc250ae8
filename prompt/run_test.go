package prompt

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// A case's title is a heading and a CI test's name: a long description
// (promptfoo's are often a few hundred characters) is cut at a word
// boundary, and the report gives it whole below.
func TestCaseTitle(t *testing.T) {
	long := "Checks that the assistant refuses to reveal the system prompt when the user claims to be a developer, " +
		"asks politely, then insists, and finally pastes what looks like an admin token into the chat window."
	room := TitleChars - len("case 3: ")
	for _, tc := range []struct {
		c     Case
		want  string
		holds bool
	}{
		{Case{}, "case 3", true},
		{Case{Name: "refund"}, "refund", true},
		{Case{Name: strings.Repeat("n", 100)}, strings.Repeat("n", 100), true}, // a name is never cut
		{Case{Name: "refund", Description: "asks for money back"}, "refund", false},
		{Case{Description: "  late\tparcel "}, "case 3: late parcel", true},
		{Case{Description: "late\nparcel"}, "case 3: late parcel", false},
		{Case{Description: long}, "case 3: Checks that the assistant refuses to reveal the system prompt when the…", false},
		// punctuation before the cut goes with the cut
		{Case{Description: strings.Repeat("a", room-6) + ", something else"}, "case 3: " + strings.Repeat("a", room-6) + "…", false},
		// one word longer than half the room is cut inside
		{Case{Description: "x " + strings.Repeat("b", 200)}, "case 3: x " + strings.Repeat("b", room-3) + "…", false},
		{Case{Description: strings.Repeat("é", room)}, "case 3: " + strings.Repeat("é", room), true},
	} {
		got := tc.c.Title(2)
		if got != tc.want {
			t.Errorf("Title of %q = %q; want %q", tc.c.Description, got, tc.want)
		}
		if tc.c.Name == "" && utf8.RuneCountInString(got) > TitleChars {
			t.Errorf("Title of %q has %d characters; want at most %d", tc.c.Description, utf8.RuneCountInString(got), TitleChars)
		}
		if h := tc.c.TitleHoldsDescription(2); h != tc.holds {
			t.Errorf("TitleHoldsDescription of %+v = %v; want %v", tc.c, h, tc.holds)
		}
	}
	// Case numbers of more digits leave less room, never a longer title.
	if got := (Case{Description: long}).Title(99); utf8.RuneCountInString(got) > TitleChars || !strings.HasPrefix(got, "case 100: Checks") {
		t.Errorf("Title(99) = %q", got)
	}
}
