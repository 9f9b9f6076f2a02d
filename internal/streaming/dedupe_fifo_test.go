//go:build unix

package streaming

import (
	"log/slog"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDedupeLogFIFO: a FIFO in the dedupe log's place is refused at once,
// naming it and saying to remove it; it is not opened, which would block
// the receiver's start until a writer came.
func TestDedupeLogFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, DedupeFile), 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := openDedupe(dir, time.Hour, 1000, time.Now(), slog.New(slog.DiscardHandler))
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "is not a regular file") || !strings.Contains(err.Error(), "remove it") {
			t.Errorf("openDedupe over a FIFO: %v, want it refused, saying to remove it", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("openDedupe blocked on a FIFO for 10 s")
	}
}
