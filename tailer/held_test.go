package tailer

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
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
	tl, cancel, done := runTailer(t, cfg)
	next := func() *Batch { t.Helper(); return nextBatch(t, tl) }
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

// TestCommitHeldWhileOldIsDrained: while a renamed file is still drained
// (the checkpoint stays in it), a hold in the new file moves the position
// kept for the new file (checkpoint.Position.Next) back to the hold, and
// Unhold moves it to the batch's end; a restart resumes the new file at
// the hold, reading the held lines again.
func TestCommitHeldWhileOldIsDrained(t *testing.T) {
	path := filepath.Join(t.TempDir(), "0.log")
	writeFile(t, path, "aa\nbb\ncc\nzz\n")
	cfg := testConfig(t, path)
	cfg.RotateWait = 5 * time.Second
	tl, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- tl.Run(ctx) }()
	next := func() *Batch { t.Helper(); return nextBatch(t, tl) }
	matches := func(ck checkpoint.Position, off, nextOff int64) bool {
		return ck.Offset == off && ck.Next != nil && ck.Next.Offset == nextOff
	}
	saved := func(step string, off, nextOff int64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			ck := readCheckpoint(t, cfg)
			if matches(ck, off, nextOff) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: checkpoint %+v (next %+v), want offset %d in the renamed file and %d in the new one", step, ck, ck.Next, off, nextOff)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	b := next()
	tl.Commit(b, b.Len())
	tl.Release(b)
	waitStats(t, tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, "dd\nee\nff\n")
	b = next()
	if b.Len() != 3 || b.Name != path {
		t.Fatalf("batch of %d lines from %s, want the new file's 3", b.Len(), b.Name)
	}
	tl.CommitHeld(b, b.StartOf(2)) // "ff" held
	tl.Release(b)
	saved("held in the new file", 12, 6)
	tl.Unhold()
	saved("Unhold", 12, 9)

	appendFile(t, path, "gg\n")
	b = next()
	hold := b.StartOf(0)
	tl.CommitHeld(b, hold)
	tl.Release(b)
	saved("held at the batch's start", 12, 9)
	// A hold from an earlier batch names the file by a shorter
	// fingerprint (the file was shorter than FingerprintMax then).
	appendFile(t, path, "hh\n")
	b = next()
	if b.File == hold.File {
		t.Fatalf("the fingerprint did not grow: %v", b.File)
	}
	tl.CommitHeld(b, hold)
	tl.Release(b)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if ck := readCheckpoint(t, cfg); !matches(ck, 12, 9) {
		t.Fatalf("held from the batch before: checkpoint %+v (next %+v), want offset 12 in the renamed file and 9 in the new one", ck, ck.Next)
	}
	c := start(t, cfg)
	c.waitN(2)
	waitStats(t, c.tl, "read to the end", func(s Stats) bool { return s.Mode == ModeFollowing })
	c.stop()
	checkExactly(t, c.texts(), []string{"gg", "hh"})
}

// TestCommitHeldInFileBetween: while the oldest of several renamed files is
// still drained, a hold in a file between it and the newest moves the
// position kept for that file (checkpoint.Position.Between) back to the
// hold, and Unhold moves it to the batch's end; a restart resumes that
// file at the hold, reading the held lines again, and nothing else.
func TestCommitHeldInFileBetween(t *testing.T) {
	tl, cfg, next, stop := betweenTailer(t, "")
	path := cfg.Path
	saved := func(step string, between int64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			ck := readCheckpoint(t, cfg)
			if ck.Offset == 3 && ck.Next != nil && ck.Next.Offset == 3 && len(ck.Between) == 1 && ck.Between[0].Offset == between {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: checkpoint %+v (next %+v), want offset 3 in the oldest file, 3 in the newest and %d in the one between",
					step, ck, ck.Next, between)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	var b *Batch
	appendFile(t, path+".1", "xx\nyy\n") // a late write to the file between
	b = next("xx")
	tl.CommitHeld(b, b.StartOf(1)) // "yy" held
	tl.Release(b)
	saved("held in the file between", 6)
	tl.Unhold()
	saved("Unhold", 9)
	appendFile(t, path+".1", "zz\n")
	b = next("zz")
	tl.CommitHeld(b, b.StartOf(0))
	tl.Release(b)
	saved("held at the batch's start", 9)
	stop()
	c := start(t, cfg)
	c.waitN(1)
	waitStats(t, c.tl, "read to the end", func(s Stats) bool { return s.Mode == ModeFollowing })
	c.stop()
	checkExactly(t, c.texts(), []string{"zz"})
}

// TestCommitAfterHeldInFileBetween: a line held in a file between (its
// parts at that file's end, as a kubelet rotation leaves a container log
// line) whose end is in the newest file is sent with the newest file's
// batch: that batch's commit moves the position kept for the file between
// to its end, as it moves the checkpoint on after a hold in its own file.
// Before, the position stayed at the hold, and a restart read the parts
// again and joined them to the next line read (trial 203: a line lost in
// a garbled one).
func TestCommitAfterHeldInFileBetween(t *testing.T) {
	tl, cfg, next, stop := betweenTailer(t, "")
	path := cfg.Path
	var b *Batch
	appendFile(t, path+".1", "xx\nyy\n") // "yy": the first part of a line
	b = next("xx")
	tl.CommitHeld(b, b.StartOf(1))
	tl.Release(b)
	appendFile(t, path, "ww\n") // its last part, in the newest file
	b = next("ww")
	tl.Commit(b, b.Len()) // the line sent whole
	tl.Release(b)
	deadline := time.Now().Add(10 * time.Second)
	for {
		ck := readCheckpoint(t, cfg)
		if ck.Next != nil && ck.Next.Offset == 6 && len(ck.Between) == 1 {
			if ck.Between[0].Offset != 9 {
				t.Fatalf("checkpoint keeps %d in the file between, want its end, 9: the held line was sent (%+v)", ck.Between[0].Offset, ck)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("checkpoint %+v (next %+v), want 6 in the newest file", ck, ck.Next)
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	c := start(t, cfg)
	appendFile(t, path, "vv\n")
	c.waitN(1)
	waitStats(t, c.tl, "read to the end", func(s Stats) bool { return s.Mode == ModeFollowing })
	c.stop()
	checkExactly(t, c.texts(), []string{"vv"})
}

// betweenTailer runs a tailer of a new file holding head then "aa",
// rotated twice with RotateWait long enough that the oldest file is still
// drained, each new file's head and line ("bb", "cc") read and committed:
// path.1 is then a file between (checkpoint.Position.Between). It returns
// the tailer, its config, next (the next batch, which must begin with
// want) and stop (ends Run and checks its error).
func betweenTailer(t *testing.T, head string) (tl *Tailer, cfg Config, next func(want string) *Batch, stop func()) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "0.log")
	writeFile(t, path, head+"aa\n")
	cfg = testConfig(t, path)
	cfg.RotateWait = 10 * time.Second
	var err error
	if tl, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	done := make(chan error, 1)
	go func() { done <- tl.Run(ctx) }()
	next = func(want string) *Batch {
		t.Helper()
		b := nextBatch(t, tl)
		if b.Len() == 0 || string(b.Line(0)) != want {
			t.Fatalf("batch of %d lines from %s, want one beginning with %q", b.Len(), b.Name, want)
		}
		return b
	}
	first := func(line string) string { return linesOf(head + line + "\n")[0] }
	b := next(first("aa"))
	tl.Commit(b, b.Len())
	tl.Release(b)
	waitStats(t, tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
	for _, line := range []string{"bb", "cc"} {
		rotateAway(t, path, "numbered", 1)
		appendFile(t, path, head+line+"\n")
		b = next(first(line))
		tl.Commit(b, b.Len())
		tl.Release(b)
	}
	return tl, cfg, next, func() {
		t.Helper()
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
