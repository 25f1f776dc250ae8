package cli

import (
	"bytes"
	"fmt"
	"testing"
)

// Columns stay in line whatever the cells hold: wide characters take two
// columns, as a terminal draws them, and terminal controls are dropped.
func TestTableWriterMeasuresAsTheTerminalDraws(t *testing.T) {
	var b bytes.Buffer
	tw := newTableWriter(&b)
	fmt.Fprintln(tw, "NAME\tOWNER\tUPDATED")
	fmt.Fprintln(tw, "a\t東京\tmonday")
	fmt.Fprintln(tw, "b\tana\x1b[31m\ttuesday")
	fmt.Fprintln(tw, "c\t👩‍💻\twednesday")
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "NAME  OWNER  UPDATED\n" +
		"a     東京   monday\n" +
		"b     ana    tuesday\n" +
		"c     👩‍💻     wednesday\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
