package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// terminalWidth is w's width when it is a terminal, else 100.
func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
			return width
		}
	}
	return 100
}
