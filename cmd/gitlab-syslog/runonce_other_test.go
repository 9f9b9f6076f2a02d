//go:build !linux

package main

import "testing"

// mkfifo skips the test: the unreadable-source cases use Linux FIFOs.
func mkfifo(t *testing.T, path string) error {
	t.Helper()
	t.Skip("named pipes are made with Linux's mkfifo(2) in these tests")
	return nil
}

// unwritableDir skips the test: it mounts a read-only tmpfs (Linux).
func unwritableDir(t *testing.T) (dir string, lock func()) {
	t.Helper()
	t.Skip("a read-only state directory is a Linux tmpfs mount in these tests")
	return "", nil
}
