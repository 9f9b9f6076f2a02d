//go:build unix

package agent

import (
	"syscall"
	"testing"
)

// mkfifo makes a named pipe at path.
func mkfifo(t *testing.T, path string) error {
	return syscall.Mkfifo(path, 0o600)
}
