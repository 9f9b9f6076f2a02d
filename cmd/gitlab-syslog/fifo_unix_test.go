//go:build unix

package main

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestInputFIFOCancel: parse, send and detect given a named pipe that no
// program writes to (its open blocks until a writer comes) stop when
// their context is cancelled, as on the first Ctrl-C or SIGTERM, instead
// of waiting for a writer forever; detect does not call the input it cut
// short empty, beside the interrupt.
func TestInputFIFOCancel(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "audit_json.log")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, args := range [][]string{
		{"parse", fifo},
		{"send", "--to", "stdout", fifo},
		{"detect", fifo},
	} {
		t.Run(args[0], func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(200*time.Millisecond, cancel)
			done := make(chan error, 1)
			var stdout, stderr syslogtest.Buffer
			go func() { done <- runSendCollect(ctx, strings.NewReader(""), &stdout, &stderr, args...) }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), "context canceled") {
					t.Errorf("%v: err = %v, want context canceled", args, err)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%v still waits for the FIFO's writer 10s after the cancel", args)
			}
			if args[0] == "detect" && strings.Contains(stderr.String(), "is empty") {
				t.Errorf("an interrupted input called empty:\n%s", stderr.String())
			}
		})
	}
}
