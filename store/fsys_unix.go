//go:build unix

package store

import (
	"errors"
	"syscall"
)

// readOnlyFS reports whether dir is on a file system mounted read-only,
// where no permission would let whet write (access(2) answers EROFS).
func readOnlyFS(dir string) bool {
	return errors.Is(syscall.Access(dir, 2 /* W_OK */), syscall.EROFS)
}
