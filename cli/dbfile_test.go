package cli

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDamagedPageSaysWhichFile: a database whose header and schema read
// well but whose results hold a damaged page (a disk error, a copy cut
// short) opens; the command that meets the page says which file is
// damaged and what to do, not SQLite's bare "database disk image is
// malformed (11)".
func TestDamagedPageSaysWhichFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "whet.db")
	run := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		code := Execute(context.Background(), args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: dirEnv(dir), Version: "test"})
		return code, out.String(), errb.String()
	}
	if code, _, e := run("prompt", "new", "greet", "--user", "Hello {{name}}", "--var", "name=Ada"); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := run("run", "greet", "-m", "echo", "--quiet"); code != 0 {
		t.Fatal(e)
	}
	_, out, _ := run("runs", "--json")
	id := strings.Split(strings.SplitN(out, `"id": "`, 2)[1], `"`)[0]

	// Overwrite the results table's root page (whet has closed the file,
	// its write-ahead log checkpointed into it).
	conn, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	var root, size int64
	err = conn.QueryRow(`SELECT rootpage, (SELECT page_size FROM pragma_page_size) FROM sqlite_master WHERE name = 'results'`).Scan(&root, &size)
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(db, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xA5}, int(size)), (root-1)*size); err != nil {
		t.Fatal(err)
	}
	f.Close()

	code, _, e := run("runs", "show", id)
	if code == 0 || !strings.Contains(e, "whet: database "+db+": the file is damaged or is not a whet database: it was not changed; restore it from a backup") || strings.Contains(e, "(11)") {
		t.Errorf("runs show of a damaged page: exit %d\n%s", code, e)
	}
}
