package cli

import (
	"errors"
	"io"
	"log"

	"github.com/spf13/cobra"

	"whet/runner"
	"whet/store"
	"whet/themes"
	"whet/ui"
)

// runTUI opens the workbench on the configured database.
func (a *app) runTUI(cmd *cobra.Command) error {
	if a.theme != "" {
		if _, err := themes.Get(a.theme); err != nil {
			return usagef("--theme: %v", err)
		}
	}
	if !isTerminal(a.env.Stdout) {
		return usagef("the workbench needs a terminal; see 'whet --help' for the commands")
	}
	cfg, err := a.config()
	if err != nil {
		return err
	}
	theme := a.theme
	if theme == "" {
		theme = cfg.Theme
	}
	if theme != "" {
		if _, err := themes.Get(theme); err != nil {
			return usageError{err}
		}
	}
	st, err := a.store()
	if errors.Is(err, store.ErrNotWritable) {
		// A database the user may not write is browsed read-only: the
		// status bar says so, and writes are refused with a notice.
		st, err = a.readStore()
	}
	if err != nil {
		return err
	}
	// Libraries that log (genai warns on the standard logger) must not draw
	// over the alt screen.
	log.SetOutput(io.Discard)
	reg := runner.NewRegistry(cfg)
	return ui.Run(a.ctx, ui.Deps{
		Targets:       reg,
		Evaluator:     a.evaluator(reg, st),
		Store:         st,
		Author:        a.author(),
		ProtectedTags: a.protectedTags(),
		Theme:         theme,
		DBPath:        a.paths.Database,
		ReadOnly:      st.ReadOnly(),
		ConfigPath:    a.paths.ConfigFile,
		NoColor:       a.env.Getenv("NO_COLOR") != "",
	})
}
