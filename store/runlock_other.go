//go:build !unix

package store

import (
	"errors"
	"os"
)

var errLocked = errors.New("locked")

// lockFile does nothing where whet has no advisory file locks.
func lockFile(*os.File) error { return nil }
