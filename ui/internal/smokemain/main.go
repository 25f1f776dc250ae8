// Command smokemain opens the store named by WHET_DB and runs the TUI. It
// exists for the tmux smoke test and for looking at the TUI before the main
// binary wires it.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"whet/store"
	"whet/ui"
)

func main() {
	path := os.Getenv("WHET_DB")
	if path == "" {
		fmt.Fprintln(os.Stderr, "smokemain: set WHET_DB to a database path")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	st, err := store.Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "smokemain:", err)
		os.Exit(1)
	}
	defer st.Close()
	err = ui.Run(ctx, ui.Deps{
		Store:         st,
		Author:        "smoke",
		ProtectedTags: []string{"production"},
		Theme:         os.Getenv("WHET_THEME"),
		DBPath:        st.Path(),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "smokemain:", err)
		os.Exit(1)
	}
}
