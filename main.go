// Command whet is a terminal workbench for prompt engineers. main wires the
// config, the store and the runner into the CLI; nothing else.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"whet/cli"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(run())
}

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cli.Execute(ctx, os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Version: version})
}
