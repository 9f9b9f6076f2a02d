package tailer

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The notifier wakes the loop when the watched file is written to or
// renamed, well before its timeout; polling wakes only at the timeout; and
// the writes made during a pause do not wake the next wait.
func TestNotifier(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, "")
	log := slog.New(slog.NewTextHandler(testLog{t}, nil))
	ctx := context.Background()
	const long = 5 * time.Second
	timed := func(n *notifier, d time.Duration, do func()) time.Duration {
		t.Helper()
		start := time.Now()
		done := make(chan error, 1)
		go func() { done <- n.wait(ctx, d) }()
		time.Sleep(20 * time.Millisecond)
		if do != nil {
			do()
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		return time.Since(start)
	}

	n := newNotifier(false, time.Second, log)
	defer n.close()
	if n.polling() {
		t.Skip("no inotify watcher here")
	}
	n.watch(path)
	if d := timed(n, long, func() { appendFile(t, path, "x\n") }); d >= long {
		t.Errorf("a write did not wake the wait (%s)", d)
	}
	// Writes during a pause are dropped with it.
	if err := n.pause(ctx, 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, "y\n")
	time.Sleep(50 * time.Millisecond) // the event is queued
	if err := n.pause(ctx, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if d := timed(n, 300*time.Millisecond, nil); d < 300*time.Millisecond {
		t.Errorf("a write drained by pause woke the next wait after %s", d)
	}
	if d := timed(n, long, func() {
		if err := os.Rename(path, path+".1"); err != nil {
			t.Fatal(err)
		}
	}); d >= long {
		t.Errorf("a rename did not wake the wait (%s)", d)
	}

	p := newNotifier(true, time.Second, log)
	defer p.close()
	p.watch(path + ".1")
	if d := timed(p, 200*time.Millisecond, func() { appendFile(t, path+".1", "z\n") }); d < 200*time.Millisecond {
		t.Errorf("polling woke after %s, before its interval", d)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := p.wait(cctx, long); err != context.Canceled {
		t.Errorf("wait with a cancelled context = %v", err)
	}
}
