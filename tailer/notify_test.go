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
// the writes made during a pause do not wake the next wait. So with an
// inotify watcher of its own and with a Watcher shared.
func TestNotifier(t *testing.T) {
	t.Run("own", func(t *testing.T) { testNotifier(t, nil) })
	t.Run("shared", func(t *testing.T) {
		w, err := NewWatcher()
		if err != nil {
			t.Skip(err)
		}
		defer w.Close()
		testNotifier(t, w)
	})
}

func testNotifier(t *testing.T, shared *Watcher) {
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

	n := newNotifier(false, time.Second, shared, log)
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

	p := newNotifier(true, time.Second, shared, log)
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

// TestWatcherShared: notifiers sharing a Watcher are woken by changes of
// their own file only, a notifier watching its path again after a
// rotation is woken by the new file at the path, and one closed is
// forgotten (its file no longer watched by the instance).
func TestWatcherShared(t *testing.T) {
	w, err := NewWatcher()
	if err != nil {
		t.Skip(err)
	}
	defer w.Close()
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(testLog{t}, nil))
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	writeFile(t, a, "")
	writeFile(t, b, "")
	na, nb := newNotifier(false, time.Second, w, log), newNotifier(false, time.Second, w, log)
	na.watch(a)
	nb.watch(b)
	woken := func(n *notifier, within time.Duration) bool {
		select {
		case <-n.wake:
			return true
		case <-time.After(within):
			return false
		}
	}
	appendFile(t, a, "x\n")
	if !woken(na, 5*time.Second) {
		t.Fatal("a write to a.log did not wake its notifier")
	}
	if woken(nb, 200*time.Millisecond) {
		t.Error("a write to a.log woke b.log's notifier")
	}
	// A rotation: a.log renamed away, a new a.log, watched again.
	if err := os.Rename(a, a+".1"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, a, "")
	na.watch(a)
	na.drain()
	appendFile(t, a, "y\n")
	if !woken(na, 5*time.Second) {
		t.Error("a write to the new a.log did not wake its notifier")
	}
	nb.close()
	w.mu.Lock()
	_, held := w.subs[b]
	w.mu.Unlock()
	if held || len(w.fw.WatchList()) != 1 {
		t.Errorf("after b's notifier closed: b still subscribed %v, watches %v; want only a.log", held, w.fw.WatchList())
	}
	na.close()
	if l := w.fw.WatchList(); len(l) != 0 {
		t.Errorf("watches %v after every notifier closed, want none", l)
	}
}
