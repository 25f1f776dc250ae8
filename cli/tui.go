package cli

import (
	"github.com/spf13/cobra"
)

// runTUI opens the workbench.
func (a *app) runTUI(cmd *cobra.Command) error {
	return usagef("the workbench is not built into this binary yet; see 'whet --help' for the commands")
}
