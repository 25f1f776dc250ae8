package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"whet/prompt"
)

// ErrRunBusy: another process is executing the run.
var ErrRunBusy = errors.New("run is being executed by another process")

// lockPath is the file whose advisory lock claims run id's execution, or
// "" for a database that has no file beside which to put it.
func (s *Store) lockPath(id string) string {
	if s.path == "" || strings.HasPrefix(s.path, ":") || strings.HasPrefix(s.path, "file:") {
		return ""
	}
	return s.path + ".run-" + filepath.Base(id) + ".lock"
}

// LockRun claims the execution of run id for this process until unlock is
// called or the process ends (a kill -9 included): a second LockRun of the
// same run, from any process, fails with an error wrapping ErrRunBusy
// instead of calling the run's pending cells a second time. The claim is an
// advisory lock on a small file beside the database (removed by unlock);
// where the platform has none, LockRun always succeeds.
func (s *Store) LockRun(id string) (unlock func(), err error) {
	path := s.lockPath(id)
	if path == "" {
		return func() {}, nil
	}
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

// StartRun records a new run, as CreateRun does, for this process to
// execute: the run is claimed (LockRun) before it is recorded, so no
// reader ever sees it running without a process behind it. unlock
// releases the claim once the run is finished or interrupted.
func (s *Store) StartRun(ctx context.Context, r *prompt.Run) (unlock func(), err error) {
	given := r.ID != ""
	for attempt := 0; ; attempt++ {
		c := *r
		if c.Created.IsZero() {
			c.Created = time.Now()
		}
		if !given {
			c.ID = newRunID(c.Created)
		}
		unlock, err := s.LockRun(c.ID)
		if err != nil {
			return nil, err
		}
		err = s.CreateRun(ctx, &c)
		if err == nil {
			*r = c
			return unlock, nil
		}
		unlock()
		if given || !errors.Is(err, ErrExists) || attempt >= 10 {
			return nil, err
		}
	}
}

// runHeld reports whether a process holds run id's claim. Where claims
// cannot be seen (a database without a file, a platform without advisory
// locks) it reports true, so that the stored status stands.
//
// The probe takes the lock for an instant when nobody holds it: a
// `--resume` of that very run started in the same instant may be refused
// as busy, and works when repeated.
func (s *Store) runHeld(id string) bool {
	path := s.lockPath(id)
	if path == "" || !haveLocks {
		return true
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return false
	}
	if err != nil {
		return true
	}
	defer f.Close()
	return errors.Is(lockFile(f), errLocked)
}

// settle gives a run that reads "running" but that no process executes
// (it was killed, crashed or lost its machine before it could record how
// it ended) the status it has in fact: interrupted, its finished cells
// kept and the rest resumable.
func (s *Store) settle(r *prompt.Run) {
	if r.Status == prompt.RunRunning && !s.runHeld(r.ID) {
		r.Status = prompt.RunInterrupted
	}
}
