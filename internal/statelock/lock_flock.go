//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package statelock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Lock is a held lock on a state directory. Release it with Release; the
// kernel releases it too when the process exits.
type Lock struct {
	f *os.File
}

// Acquire creates dir if needed and takes the exclusive lock on
// dir/lock without waiting, writing this process's PID into the file. When
// another process holds it, the error names the directory, the lock file,
// the holder's PID when the file gives it, and what to do; likewise when
// something other than a regular file is in the lock file's place.
func Acquire(dir string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("state_dir %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	if err := CheckFile(dir); err != nil {
		return nil, err
	}
	// The lock is held through a read-only descriptor, so that a file
	// system remounted read-only under a running agent is not busy.
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("state_dir %s: lock file: %w", dir, err)
	}
	if err := flock(f); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, inUse(dir, path)
		}
		return nil, fmt.Errorf("state_dir %s: locking %s: %w", dir, path, err)
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o640); err != nil {
		f.Close()
		return nil, fmt.Errorf("state_dir %s: writing the PID to %s: %w", dir, path, err)
	}
	return &Lock{f: f}, nil
}

// Release gives the lock up. The file stays: removing it would let a third
// process lock a new file while a second still waits on the old one.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the last descriptor releases the flock
	l.f = nil
	return err
}

func flock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// inUse is the error for a lock held by another process (*InUseError).
func inUse(dir, path string) error {
	holder := "another process (PID unknown)"
	if b, err := os.ReadFile(path); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
			holder = "process " + strconv.Itoa(pid)
		}
	}
	return &InUseError{Dir: dir, Path: path, Holder: holder}
}

// Held reports whether a process holds the lock of the state directory
// dir: an agent runs on it. It changes nothing: a missing lock file (no
// process ever took the lock) is not created, an existing one is opened
// read-only and its lock, when free, taken and given back at once; a lock
// file that is not a regular file is not opened.
func Held(dir string) bool {
	path := filepath.Join(dir, FileName)
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close() // closing releases a lock taken here
	return errors.Is(flock(f), syscall.EWOULDBLOCK)
}

// CheckFile returns the error Acquire gives, without opening it (a FIFO
// would block), when something other than a regular file is in the place
// of dir's lock file; nil otherwise, a missing lock file included.
func CheckFile(dir string) error {
	path := filepath.Join(dir, FileName)
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("state_dir %s: %s is not a regular file (mode %s), so it cannot be the lock file: remove it (the lock file is created again)", dir, path, fi.Mode())
	}
	return nil
}
