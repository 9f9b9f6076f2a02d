package tailer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// rotateAway renames path to its rotated name for rotation number n (1 for
// the first) under scheme: "numbered" shifts path.N to path.N+1 and renames
// path to path.1 (logrotate's default); "dateext" renames path to
// path-2026112<n> (logrotate's dateext). It then creates an empty path.
func rotateAway(t *testing.T, path, scheme string, n int) {
	t.Helper()
	switch scheme {
	case "numbered":
		for i := n; i >= 1; i-- {
			if err := os.Rename(path+"."+strconv.Itoa(i), path+"."+strconv.Itoa(i+1)); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
		if err := os.Rename(path, path+".1"); err != nil {
			t.Fatal(err)
		}
	case "dateext":
		if err := os.Rename(path, fmt.Sprintf("%s-2026112%d", path, n)); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("unknown rotation scheme %q", scheme)
	}
	writeFile(t, path, "")
}

// TestRenameRotationsWhileBlocked: the path is renamed away and recreated
// several times while the tailer cannot look at it (its consumer is stalled,
// as when the collector is slow or the machine is overloaded). The files
// that were at the path only in between, never seen there by the tailer,
// are read too, oldest first, late writes to them included, before the
// file now at the path.
func TestRenameRotationsWhileBlocked(t *testing.T) {
	for _, tc := range []struct {
		scheme    string
		rotations int  // while the tailer is blocked
		late      bool // the writer appends to the last unseen file after it was renamed away
	}{
		{"numbered", 2, false},
		{"numbered", 3, false},
		{"numbered", 2, true},
		{"dateext", 2, false},
		{"dateext", 3, true},
	} {
		t.Run(fmt.Sprintf("%s-%d-late=%v", tc.scheme, tc.rotations, tc.late), func(t *testing.T) {
			path, _, c := blockedInGen0(t)

			want := linesOf(numbered("gen0", 0, 50))
			var last *os.File
			for g := 1; g <= tc.rotations; g++ {
				rotateAway(t, path, tc.scheme, g)
				lines := numbered(fmt.Sprintf("gen%d", g), 0, 20)
				if g == tc.rotations-1 && tc.late {
					f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
					if err != nil {
						t.Fatal(err)
					}
					defer f.Close()
					last = f
				}
				appendFile(t, path, lines)
				want = append(want, linesOf(lines)...)
			}
			if last != nil {
				// Late writes to the file renamed away last but one, which the
				// tailer has not opened yet, come after its other lines.
				late := numbered(fmt.Sprintf("gen%d-late", tc.rotations-1), 0, 5)
				if _, err := last.WriteString(late); err != nil {
					t.Fatal(err)
				}
				at := len(linesOf(numbered("gen0", 0, 50))) + 20*(tc.rotations-1)
				want = append(want[:at:at], append(linesOf(late), want[at:]...)...)
			}
			c.openGate()
			c.waitN(len(want))
			c.stop()
			checkExactly(t, c.texts(), want)
		})
	}
}

// creditConsumer takes a Tailer's batches only as far as it is allowed
// (allow), commits and releases each, and keeps their lines.
type creditConsumer struct {
	allow chan struct{}
	mu    sync.Mutex
	lines []string
}

func startCredited(t *testing.T, tl *Tailer) *creditConsumer {
	t.Helper()
	c := &creditConsumer{allow: make(chan struct{}, 1<<16)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tl.Run(ctx)
	}()
	go func() {
		for {
			select {
			case <-c.allow:
			case <-ctx.Done():
				for b := range tl.Batches() {
					tl.Release(b)
				}
				return
			}
			b, ok := <-tl.Batches()
			if !ok {
				return
			}
			c.mu.Lock()
			for i := range b.Len() {
				c.lines = append(c.lines, string(b.Line(i)))
			}
			c.mu.Unlock()
			tl.Commit(b, b.Len())
			tl.Release(b)
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return c
}

func (c *creditConsumer) grant(n int) {
	for range n {
		c.allow <- struct{}{}
	}
}

// waitLines waits until the consumer has received n lines: a batch counted
// in Stats.Lines may still wait in the channel (QueueLen 1) or be on its
// way into c.lines.
func (c *creditConsumer) waitLines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(c.got()) < n {
		if time.Now().After(deadline) {
			got := c.got()
			t.Fatalf("timed out waiting for %d lines received; got %d: %q", n, len(got), got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (c *creditConsumer) got() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.lines...)
}

// blockedAt waits until the tailer has handed out n batches and is blocked
// handing out the next one (one batch waits in the channel of QueueLen 1).
func blockedAt(t *testing.T, tl *Tailer, n uint64) {
	t.Helper()
	waitStats(t, tl, fmt.Sprintf("the tailer blocked after %d batches", n), func(s Stats) bool {
		return s.Lines == n && s.Outstanding == 2
	})
}

// TestCopyTruncateWhileBlocked: copytruncate runs while the tailer cannot
// look at the file (its consumer is stalled, as when the collector is slow
// or the machine is overloaded), first while it holds a line of the
// original content, then again while it delivers the lines recovered from
// the rotated copies, after it listed them: the content written in
// between was copied and truncated away before the tailer read any of it.
// Every line arrives, in order, also when the copies are compressed.
func TestCopyTruncateWhileBlocked(t *testing.T) {
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("gz=%v", gz), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			ext := ""
			if gz {
				ext = ".gz"
			}
			rotate := func() {
				// Rotations some time apart, as in life: the copies'
				// modification times (a clock tick of 1-10ms) differ.
				time.Sleep(20 * time.Millisecond)
				for i := 3; i >= 1; i-- {
					if err := os.Rename(fmt.Sprintf("%s.%d%s", path, i, ext), fmt.Sprintf("%s.%d%s", path, i+1, ext)); err != nil && !os.IsNotExist(err) {
						t.Fatal(err)
					}
				}
				copyTruncate(t, path, path+".1"+ext)
			}
			writeFile(t, path, numbered("gen0", 0, 10))
			cfg := testConfig(t, path)
			cfg.BatchLines = 1 // a batch per line: the tailer blocks where the test says
			cfg.QueueLen = 1
			tl, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			c := startCredited(t, tl)
			blockedAt(t, tl, 1) // gen0-000000 in the channel, gen0-000001 being handed out
			rotate()
			appendFile(t, path, numbered("gen1", 0, 5))
			rotate()
			// Unblocked, the tailer finds the truncation and reads gen0's
			// copy from line 2, then gen1's copy: block on its last line.
			c.grant(13)
			blockedAt(t, tl, 14)
			appendFile(t, path, numbered("gen2", 0, 5))
			rotate()
			c.grant(1 << 10)
			want := linesOf(numbered("gen0", 0, 10) + numbered("gen1", 0, 5) + numbered("gen2", 0, 5))
			waitStats(t, tl, "every line handed out", func(s Stats) bool { return s.Lines >= uint64(len(want)) })
			appendFile(t, path, "after\n")
			want = append(want, "after")
			waitStats(t, tl, "the line written last handed out", func(s Stats) bool { return s.Lines >= uint64(len(want)) })
			// Stats.Lines counts a batch once it is in the channel: wait
			// for the consumer to take it before comparing.
			c.waitLines(t, len(want))
			checkExactly(t, c.got(), want)
			if n := tl.Stats().Lines; n != uint64(len(want)) {
				t.Fatalf("%d lines handed out, want %d", n, len(want))
			}
		})
	}
}

// TestRenameAfterCopyTruncateNoRereads: a rotated copy that was read (the
// copy of a copytruncate) and a file written before the one renamed away
// are not taken for files the tailer never saw, whatever their names say:
// here the copy is app.log.1, and the file renamed away later app.log.2.
func TestRenameAfterCopyTruncateNoRereads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, numbered("gen0", 0, 10))
	c := start(t, testConfig(t, path))
	c.waitN(10)
	appendFile(t, path+".0", numbered("old", 0, 3)) // written before, never followed
	time.Sleep(20 * time.Millisecond)               // a clock tick later
	copyTruncate(t, path, path+".1")
	appendFile(t, path, numbered("gen1", 0, 5))
	c.waitN(15)
	time.Sleep(20 * time.Millisecond)
	appendFile(t, path, numbered("gen1", 5, 10))
	if err := os.Rename(path, path+".2"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, numbered("gen2", 0, 5))
	want := linesOf(numbered("gen0", 0, 10) + numbered("gen1", 0, 10) + numbered("gen2", 0, 5))
	c.waitN(len(want))
	appendFile(t, path, "last\n")
	c.waitN(len(want) + 1)
	c.stop()
	checkExactly(t, c.texts(), append(want, "last"))
}

// TestCopyCompressedWhileRecovered: the tailer, blocked by its consumer,
// reads the rest of gen0 from its plain copy app.log.1 after a
// copytruncate; meanwhile logrotate compresses that copy (app.log.1.gz, a
// new inode, the plain copy removed) and rotates again (gen0's copy is now
// app.log.2.gz, gen1's copy app.log.1.gz, the live file truncated). gen1's
// copy, named as gen0's copy was when the tailer found it, is read before
// the live file: every line arrives, in order (the chaos test's
// b-copytruncate-compress lost a whole generation so).
func TestCopyCompressedWhileRecovered(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, numbered("gen0", 0, 10))
	cfg := testConfig(t, path)
	cfg.BatchLines = 1 // a batch per line: the tailer blocks where the test says
	cfg.QueueLen = 1
	tl, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := startCredited(t, tl)
	blockedAt(t, tl, 1) // gen0-000000 in the channel, gen0-000001 being handed out
	copyTruncate(t, path, path+".1")
	// Unblocked, the tailer finds the truncation and reads gen0's plain
	// copy from line 2: block it there.
	c.grant(3)
	blockedAt(t, tl, 4)
	if m := tl.Stats().Mode; m != ModeRecovering {
		t.Fatalf("blocked in mode %v, want %v (reading gen0's copy)", m, ModeRecovering)
	}
	// logrotate's compress: app.log.1.gz, with the copy's mtime, replaces
	// app.log.1 (the tailer keeps reading the removed copy).
	fi, err := os.Stat(path + ".1")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path + ".1")
	if err != nil {
		t.Fatal(err)
	}
	writeGzip(t, path+".1.gz", data)
	if err := os.Chtimes(path+".1.gz", fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path + ".1"); err != nil {
		t.Fatal(err)
	}
	// The next rotation, a clock tick later, while the tailer is still blocked.
	time.Sleep(20 * time.Millisecond)
	if err := os.Rename(path+".1.gz", path+".2.gz"); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, numbered("gen1", 0, 5))
	copyTruncate(t, path, path+".1.gz")
	appendFile(t, path, numbered("gen2", 0, 5))
	c.grant(1 << 10)
	want := linesOf(numbered("gen0", 0, 10) + numbered("gen1", 0, 5) + numbered("gen2", 0, 5))
	waitStats(t, tl, "gen2's last line handed out", func(s Stats) bool { return s.Lines >= 15 })
	appendFile(t, path, "after\n")
	want = append(want, "after")
	deadline := time.Now().Add(10 * time.Second)
	for got := c.got(); len(got) == 0 || got[len(got)-1] != "after"; got = c.got() {
		if time.Now().After(deadline) {
			t.Fatalf("the line written last never arrived; got %q", got)
		}
		time.Sleep(5 * time.Millisecond)
	}
	checkExactly(t, c.got(), want)
}
