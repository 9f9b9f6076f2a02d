//go:build !unix

package agent

import "testing"

// mkfifo skips the test: named pipes are made with mkfifo(2).
func mkfifo(t *testing.T, path string) error {
	t.Skip("named pipes are made with mkfifo(2) in these tests")
	return nil
}
