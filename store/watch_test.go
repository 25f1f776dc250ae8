package store

import (
	"context"
	"path/filepath"
	"testing"
)

// DataVersion moves when another Store on the file commits, and only then:
// not for this Store's own writes, nor for reads.
func TestDataVersionSeesOtherWriters(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "whet.db")
	tui, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer tui.Close()
	cli, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()

	version := func() int64 {
		t.Helper()
		v, err := tui.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v0 := version()
	mustCreate(t, tui, "own", "mine")
	if _, err := tui.ListPrompts(ctx, ListOptions{}); err != nil {
		t.Fatal(err)
	}
	if v := version(); v != v0 {
		t.Fatalf("own write and a read moved DataVersion %d → %d", v0, v)
	}
	mustCreate(t, cli, "other", "theirs")
	v1 := version()
	if v1 == v0 {
		t.Fatalf("another Store's commit left DataVersion at %d", v1)
	}
	if v := version(); v != v1 {
		t.Fatalf("DataVersion moved %d → %d with nothing committed", v1, v)
	}

	ro, err := Open(ctx, path, ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if v, err := ro.DataVersion(ctx); err != nil || v != 0 {
		t.Fatalf("read-only DataVersion = %d, %v; want 0, nil", v, err)
	}
}
