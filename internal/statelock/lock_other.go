//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package statelock

import (
	"fmt"
	"os"
)

// Lock stands for a lock on a state directory; on this system nothing is
// locked (there is no flock(2)).
type Lock struct{}

// Acquire creates dir if needed; it locks nothing on this system.
func Acquire(dir string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("state_dir %s: %w", dir, err)
	}
	return &Lock{}, nil
}

// Release does nothing on this system.
func (l *Lock) Release() error { return nil }

// Held reports false on this system: nothing is locked.
func Held(dir string) bool { return false }

// CheckFile returns nil on this system: no lock file is used.
func CheckFile(dir string) error { return nil }
