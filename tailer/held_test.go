package tailer

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestCommitHeld: CommitHeld keeps the checkpoint at the start of lines a
// consumer holds (from this batch or an earlier one) while the order of
// commits goes on; the next Commit moves it on, Unhold moves it to the held
// batch's end (and does nothing after a later commit), and a restart
// resumes at the hold, reading the held lines again.
func TestCommitHeld(t *testing.T) {
	path := filepath.Join(t.TempDir(), "0.log")
	writeFile(t, path, "aa\nbb\ncc\n")
	cfg := testConfig(t, path)
	tl, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tl.Run(ctx) }()
	next := func() *Batch {
		t.Helper()
		select {
		case b := <-tl.Batches():
			return b
		case <-time.After(10 * time.Second):
			t.Fatal("no batch")
			return nil
		}
	}
	committed := func(step string, want int64) {
		t.Helper()
		if got := tl.Stats().CommittedOffset; got != want {
			t.Errorf("%s: committed offset %d, want %d", step, got, want)
		}
	}

	b := next()
	if b.Len() != 3 || b.StartOf(0).Offset != 0 || b.StartOf(2).Offset != 6 || b.StartOf(2).Name != path {
		t.Fatalf("batch of %d lines, StartOf(0) %+v, StartOf(2) %+v", b.Len(), b.StartOf(0), b.StartOf(2))
	}
	hold := b.StartOf(2) // "cc" held
	tl.CommitHeld(b, hold)
	tl.Release(b)
	committed("held in its batch", 6)

	appendFile(t, path, "dd\n")
	b = next()
	tl.CommitHeld(b, hold) // still held from the batch before
	tl.Release(b)
	committed("held from the batch before", 6)

	appendFile(t, path, "ee\n")
	b = next()
	tl.Commit(b, b.Len())
	tl.Release(b)
	committed("the next commit", 15)
	tl.Unhold()
	committed("Unhold after a commit", 15)

	appendFile(t, path, "ff\n")
	b = next()
	if b.StartOf(0).Offset != 15 {
		t.Errorf("StartOf(0) = %+v, want offset 15", b.StartOf(0))
	}
	tl.CommitHeld(b, b.StartOf(0))
	tl.Release(b)
	committed("held at the batch's start", 15)
	if !tl.Stats().Held {
		t.Error("Stats.Held = false after CommitHeld")
	}
	tl.Unhold()
	committed("Unhold", 18)
	if tl.Stats().Held {
		t.Error("Stats.Held = true after Unhold")
	}

	appendFile(t, path, "gg\n")
	b = next()
	tl.CommitHeld(b, b.StartOf(0))
	tl.Release(b)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	c := start(t, cfg)
	c.waitN(1)
	c.stop()
	checkExactly(t, c.texts(), []string{"gg"})
}
