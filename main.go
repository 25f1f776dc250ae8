// Command whet is a terminal workbench for prompt engineers. main wires the
// config, the store and the runner into the CLI; nothing else.
package main

import (
	"os"

	"whet/cli"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(cli.Main(version))
}
