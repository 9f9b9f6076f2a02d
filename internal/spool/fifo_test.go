//go:build unix

package spool

import (
	"log/slog"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/blocktest"
)

// TestOpenFIFO: a FIFO in the spool's place is refused at once, naming it
// and saying to remove it; it is not opened, which would block until a
// reader came (fresh-user trial 56 found the agent's other state files
// hanging so).
func TestOpenFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "events.log"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := blocktest.Within(t, 10*time.Second, "Open over a FIFO", func() error {
		_, err := Open(dir, "events.log", 1<<20, slog.New(slog.DiscardHandler))
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "is a named pipe (FIFO)") || !strings.Contains(err.Error(), "remove it") {
		t.Errorf("Open over a FIFO: %v, want it refused, saying to remove it", err)
	}
}
