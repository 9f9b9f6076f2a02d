//go:build unix

package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDetectInterruptedNotEmpty: an input cut short by an interrupt (a
// FIFO no one writes to, then SIGTERM: a cancelled context) is not
// reported as empty, beside the interrupt.
func TestDetectInterruptedNotEmpty(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "audit_json.log")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- runDetect(ctx, &detectOptions{format: "json"}, []string{fifo}, strings.NewReader(""), &stdout, &stderr)
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatalf("detect ended without an error; stderr:\n%s", stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("detect did not stop when its context was cancelled")
	}
	if strings.Contains(stderr.String(), "is empty") {
		t.Errorf("an interrupted input called empty:\n%s", stderr.String())
	}
}
