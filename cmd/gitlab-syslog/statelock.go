package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"github.com/gitlab-syslog/gitlab-syslog/internal/statelock"
)

// lockStateDir takes the lock of the state directory dir, given with
// --state-dir (see statelock), for as long as the command uses it; ""
// locks nothing and returns a nil *statelock.Lock, whose Release does
// nothing. The error names the flag and says what to do; a dir that is
// a file is refused as such.
func lockStateDir(dir string) (*statelock.Lock, error) {
	if dir == "" {
		return nil, nil
	}
	const todo = "give a directory (it is created if missing), or leave --state-dir out for a temporary one"
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("--state-dir %s is a file, not a directory: %s", dir, todo)
	}
	lk, err := statelock.Acquire(dir)
	switch {
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return nil, fmt.Errorf("--state-dir: %w; make it writable by this user, give another directory, or leave --state-dir out for a temporary one", err)
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return nil, fmt.Errorf("--state-dir: %w; %s", err, todo)
	case err != nil:
		return nil, fmt.Errorf("--state-dir: %w", err) // in use: statelock names the holder
	}
	return lk, nil
}
