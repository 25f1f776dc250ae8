package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// terminalWidth is w's width when it is a terminal, else 0: no limit. A
// table sent to a file or a pipe (a CI log) keeps every column and every
// error whole; only a terminal's width makes it drop or cut them.
func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
			return width
		}
	}
	return 0
}
