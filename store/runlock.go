package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrRunBusy: another process is executing the run.
var ErrRunBusy = errors.New("run is being executed by another process")

// LockRun claims the execution of run id for this process until unlock is
// called or the process ends (a kill -9 included): a second LockRun of the
// same run, from any process, fails with an error wrapping ErrRunBusy
// instead of calling the run's pending cells a second time. The claim is an
// advisory lock on a small file beside the database (removed by unlock);
// where the platform has none, LockRun always succeeds.
func (s *Store) LockRun(id string) (unlock func(), err error) {
	if s.path == "" || strings.HasPrefix(s.path, ":") || strings.HasPrefix(s.path, "file:") {
		return func() {}, nil
	}
	path := s.path + ".run-" + filepath.Base(id) + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("run %s: claiming it: %w", id, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, wrap(ErrRunBusy, "run %s is being executed by another whet process; wait for it to finish (or stop it) before resuming it", id)
		}
		return nil, fmt.Errorf("run %s: claiming it: %w", id, err)
	}
	return func() {
		os.Remove(path)
		f.Close()
	}, nil
}
