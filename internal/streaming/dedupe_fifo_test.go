//go:build unix

package streaming

import (
	"log/slog"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/blocktest"
)

// TestDedupeLogFIFO: a FIFO in the dedupe log's place is refused at once,
// naming it and saying to remove it; it is not opened, which would block
// the receiver's start until a writer came.
func TestDedupeLogFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, DedupeFile), 0o600); err != nil {
		t.Fatal(err)
	}
	err := blocktest.Within(t, 10*time.Second, "openDedupe over a FIFO", func() error {
		_, err := openDedupe(dir, time.Hour, 1000, time.Now(), slog.New(slog.DiscardHandler))
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "is not a regular file") || !strings.Contains(err.Error(), "remove it") {
		t.Errorf("openDedupe over a FIFO: %v, want it refused, saying to remove it", err)
	}
}
