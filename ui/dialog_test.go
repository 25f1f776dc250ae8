package ui

import (
	"strings"
	"testing"
)

// An error dialog wraps an indented line under its own indent, as a list
// of file:line problems is read: the error style goes on after wrapping,
// so its escape sequence does not hide the line's leading spaces.
func TestErrorDialogKeepsHangingIndent(t *testing.T) {
	st := openStore(t)
	h := newHarness(t, fixedTimeStore{st}, 80, 24)
	body := "twobad.yaml has 2 problems:\n" +
		"  twobad.yaml:3:6: check 1 (icontain): type: unknown check type \"icontain\"; want one of equals, contains, icontains, contains-any, contains-all, starts-with, regex\n" +
		"  twobad.yaml:8:10: case \"one\": check 1 (equals): value: equals needs a value: the exact expected output"
	h.send(pushDialogMsg{&messageDialog{title: "Import failed", body: body, isError: true}})
	var inBody []string
	for _, l := range strings.Split(h.screen(), "\n") {
		i := strings.Index(l, "│ ")
		j := strings.LastIndex(l, " │")
		if i < 0 || j <= i {
			continue
		}
		inBody = append(inBody, strings.TrimRight(l[i+len("│ "):j], " "))
	}
	text := strings.Join(inBody, "\n")
	if !strings.Contains(text, "twobad.yaml has 2 problems:") {
		t.Fatalf("the dialog does not show the error:\n%s", h.screen())
	}
	started := false
	for _, l := range inBody {
		switch {
		case strings.HasPrefix(l, "twobad.yaml has"):
			started = true
		case !started || l == "" || strings.HasPrefix(l, "enter"):
		case !strings.HasPrefix(l, "  "):
			t.Fatalf("a line of the indented list starts at column 0: %q\n%s", l, text)
		}
		if strings.HasPrefix(l, "enter") {
			break
		}
	}
	if n := strings.Count(text, "\n  "); n < 4 {
		t.Fatalf("the two problems did not wrap onto indented lines (%d indented):\n%s", n, text)
	}
}
