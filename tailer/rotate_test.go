package tailer

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/gziptest"
)

// copyTruncate does what logrotate's copytruncate does: copy the file to
// dst (gzip-compressed when dst ends in .gz, the plain copy removed as
// logrotate's compress does), then truncate the original.
func copyTruncate(t *testing.T, path, dst string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	plain := dst
	gz := filepath.Ext(dst) == ".gz"
	if gz {
		plain = dst[:len(dst)-3]
	}
	if err := os.WriteFile(plain, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	if gz {
		writeGzip(t, dst, data)
		if err := os.Remove(plain); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRenameRotationLateWrites(t *testing.T) {
	for _, poll := range []bool{false, true} {
		name := "inotify"
		if poll {
			name = "poll"
		}
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			write := func(f *os.File, s string) {
				if _, err := f.WriteString(s); err != nil {
					t.Fatal(err)
				}
			}
			write(w, numbered("a", 0, 100))
			cfg := testConfig(t, path)
			cfg.Poll = poll
			c := start(t, cfg)
			c.waitN(100)
			waitStats(t, c.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })

			if err := os.Rename(path, path+".1"); err != nil {
				t.Fatal(err)
			}
			write(w, numbered("a", 100, 150)) // late writer still on the old inode
			nw, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			defer nw.Close()
			write(nw, numbered("b", 0, 100))
			write(w, numbered("a", 150, 170)+"a-unterminated")
			want := append(linesOf(numbered("a", 0, 170)), "a-unterminated")
			want = append(want, linesOf(numbered("b", 0, 100))...)
			c.waitN(len(want))
			write(nw, numbered("b", 100, 110))
			want = append(want, linesOf(numbered("b", 100, 110))...)
			c.waitN(len(want))
			c.stop()
			checkExactly(t, c.texts(), want)
			if s := c.tl.Stats(); s.Rotations != 1 {
				t.Errorf("Rotations = %d, want 1", s.Rotations)
			}
			g := c.got()
			if g[0].file.SameFile(g[len(g)-1].file) {
				t.Errorf("lines of both files carry the same FileID %v", g[0].file)
			}
		})
	}
}

func TestCopyTruncate(t *testing.T) {
	cases := []struct {
		name   string
		suffix string // of the copy's name after the file's; "=NAME": the copy's whole name
		lag    bool   // the consumer is stalled, so the reader is behind at rotation
		oldDir string // logrotate's olddir (Config.OldDir): the copy is made there; "/" starts an absolute one in the test's directory
	}{
		{"plain", ".1", false, ""},
		{"gzip", ".1.gz", false, ""},
		{"plain-lagging", ".1", true, ""},
		{"gzip-lagging", ".1.gz", true, ""},
		{"dateext", "-20261122", true, ""},
		{"dateext-dashes-gzip", "-2026-11-22.gz", true, ""},
		{"dateformat-dot", ".2026-11-22", true, ""},
		{"dateformat-underscore-gzip", "_20261122.gz", true, ""},
		{"olddir", ".1", true, "old"},
		{"extension", "=audit_json-20261122.log", true, ""},  // logrotate's extension .log, dateext
		{"extension-gzip", "=audit_json.1.log.gz", true, ""}, // numbered
		{"olddir-absolute-gzip", "-20261122.gz", true, "/archive"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "audit_json.log")
			n := 200
			if tc.lag {
				n = 5000
			}
			old := numbered("old", 0, n)
			writeFile(t, path, old)
			cfg := testConfig(t, path)
			if strings.HasPrefix(tc.suffix, "=") {
				cfg.Extension = ".log" // the copy's name keeps it
			}
			copyDir := dir
			if tc.oldDir != "" {
				cfg.OldDir, copyDir = tc.oldDir, filepath.Join(dir, tc.oldDir)
				if filepath.IsAbs(tc.oldDir) {
					cfg.OldDir = copyDir
				}
				if err := os.Mkdir(copyDir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			var c *collector
			if tc.lag {
				cfg.BatchLines = 10
				cfg.QueueLen = 1
				tl, err := New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				c = startTailer(t, tl, make(chan struct{}))
				// The consumer holds the first batch: the reader stops
				// after a few batches, far from the end.
				waitStats(t, tl, "reader blocked", func(s Stats) bool { return s.Lines >= 20 })
			} else {
				c = start(t, cfg)
				c.waitN(n)
				waitStats(t, c.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
			}
			copyName := filepath.Base(path) + tc.suffix
			if name, ok := strings.CutPrefix(tc.suffix, "="); ok {
				copyName = name // the whole name
			}
			copyTruncate(t, path, filepath.Join(copyDir, copyName))
			checkAfterCut(t, c, path, old)
			s := c.tl.Stats()
			if s.Truncations != 1 {
				t.Errorf("Truncations = %d, want 1", s.Truncations)
			}
			if tc.lag && s.RecoveredBytes == 0 {
				t.Errorf("RecoveredBytes = 0: the lagging reader should have read the copy")
			}
			if s.TruncationsWithoutCopy != 0 {
				t.Errorf("TruncationsWithoutCopy = %d, want 0: the copy was found", s.TruncationsWithoutCopy)
			}
		})
	}
}

// checkAfterCut appends 50 lines to path after a copytruncate, lets a
// gated consumer go on, and checks that the lines of old and the new ones
// arrive exactly once, in order.
func checkAfterCut(t *testing.T, c *collector, path, old string) {
	t.Helper()
	appendFile(t, path, numbered("new", 0, 50))
	c.openGate()
	want := append(linesOf(old), linesOf(numbered("new", 0, 50))...)
	c.waitN(len(want))
	c.stop()
	checkExactly(t, c.texts(), want)
}

// TestTruncationWithoutCopy: a truncation after which no rotated copy
// holds the file's first bytes (a plain "> file", or a copy where the
// tailer does not look) is counted in Stats.TruncationsWithoutCopy, which
// the agent exports for alerting (fresh-user trial 70: only logged).
// A rotated copy made before (of older content) is not read.
func TestTruncationWithoutCopy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit_json.log")
	writeFile(t, path+".1", numbered("older", 0, 10))
	writeFile(t, path, numbered("old", 0, 20))
	c := start(t, testConfig(t, path))
	c.waitN(20)
	waitStats(t, c.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, numbered("new", 0, 5))
	c.waitN(25)
	waitStats(t, c.tl, "truncation counted", func(s Stats) bool { return s.Truncations == 1 })
	if n := c.tl.Stats().TruncationsWithoutCopy; n != 1 {
		t.Errorf("TruncationsWithoutCopy = %d, want 1", n)
	}
	time.Sleep(100 * time.Millisecond) // lines of the older copy would follow
	c.stop()
	checkExactly(t, c.texts(), linesOf(numbered("old", 0, 20)+numbered("new", 0, 5)))
}

func TestTruncateFastRegrowth(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	a := numbered("a", 0, 100)
	writeFile(t, path, a)
	c := start(t, testConfig(t, path))
	c.waitN(100)
	waitStats(t, c.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
	// Truncate and write more than before in one go: the size never looks
	// smaller to a stat, only the first bytes tell.
	b := numbered("bb", 0, 300)
	writeFile(t, path, b)
	want := append(linesOf(a), linesOf(b)...)
	c.waitN(len(want))
	appendFile(t, path, "tail\n")
	want = append(want, "tail")
	c.waitN(len(want))
	c.stop()
	checkExactly(t, c.texts(), want)
	if s := c.tl.Stats(); s.Truncations < 1 {
		t.Errorf("Truncations = %d, want >= 1", s.Truncations)
	}
}

// TestCopyTruncateWhileCompressing catches logrotate between copytruncate
// and the end of compress: name.1 is complete, name.1.gz (newer) is still
// half written. The lagging reader must recover from the plain copy.
func TestCopyTruncateWhileCompressing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit_json.log")
	old := numbered("old", 0, 5000)
	writeFile(t, path, old)
	c := startStalled(t, path)
	writeFile(t, path+".1", old)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	gz := gziptest.Compress(t, []byte(old))
	if err := os.WriteFile(path+".1.gz", gz[:len(gz)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Second)
	if err := os.Chtimes(path+".1.gz", later, later); err != nil {
		t.Fatal(err)
	}
	checkAfterCut(t, c, path, old)
}

// TestCopyTruncateCopyShorterThanRead: the tailer read lines written
// between logrotate's copy and its truncate from the file itself, so the
// compressed copy it finds after the truncation ends before the offset it
// reached, and holds nothing to recover. The copy was still read (it is
// all before that offset): while the file stays empty after the cut,
// looking for copies made unseen (copiesUnseen) must not take it for one
// and send its lines again (the chaos test's b-copytruncate-compress on a
// loaded CI machine: 9,900 duplicates, a whole copy). With a copy shorter
// than the fingerprint the tailer keeps of the file (FingerprintMax), the
// copy must still be found by its first bytes, which are all the file's.
func TestCopyTruncateCopyShorterThanRead(t *testing.T) {
	for _, tc := range []struct {
		name   string
		copied int // lines of 9 bytes in the copy
	}{
		{"longer-than-fingerprint", 200},
		{"shorter-than-fingerprint", 100},
	} {
		t.Run(tc.name, func(t *testing.T) { copyShorterThanRead(t, tc.copied) })
	}
}

func copyShorterThanRead(t *testing.T, copied int) {
	path := filepath.Join(t.TempDir(), "audit_json.log")
	a := numbered("a", 0, 100)
	writeFile(t, path, a)
	c := start(t, testConfig(t, path))
	c.waitN(100)
	// A first copytruncate: the copy is read (nothing left to recover),
	// which arms the search for copies made unseen.
	copyTruncate(t, path, path+".1")
	waitStats(t, c.tl, "first truncation", func(s Stats) bool { return s.Truncations >= 1 })
	b := numbered("b", 0, copied)
	appendFile(t, path, b)
	c.waitN(100 + copied)
	// The second: copied (b), then more lines (w) read from the file
	// before the truncate, then compressed; the file stays empty.
	if err := os.Rename(path+".1", path+".2"); err != nil {
		t.Fatal(err)
	}
	w := numbered("w", 0, 20)
	appendFile(t, path, w)
	c.waitN(120 + copied)
	writeGzip(t, path+".1.gz", []byte(b))
	later := time.Now().Add(time.Second) // made after the first copy
	if err := os.Chtimes(path+".1.gz", later, later); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	waitStats(t, c.tl, "second truncation", func(s Stats) bool { return s.Truncations >= 2 })
	time.Sleep(300 * time.Millisecond) // the loop's turns while the file is empty
	n := numbered("n", 0, 10)
	appendFile(t, path, n)
	want := linesOf(a + b + w + n)
	c.waitN(len(want))
	time.Sleep(100 * time.Millisecond) // a duplicate would follow
	c.stop()
	checkExactly(t, c.texts(), want)
	if s := c.tl.Stats(); s.TruncationsWithoutCopy != 0 {
		t.Errorf("TruncationsWithoutCopy = %d, want 0: the copy holds the file's first bytes", s.TruncationsWithoutCopy)
	}
}

// TestCopyTruncateCopyRemovedWhileBlocked: while a stalled consumer
// holds the reader, logrotate (copytruncate, rotate 2) rotates three
// times, so the copy of the content being read is removed. The lines the
// reader had not reached are lost with it, but the two copies made since
// hold later lines, which are read before the file (fresh-user trial 133:
// a collector stopped for 12 s over 7 rotations of rotate 5; the agent
// went to the file and skipped the 5 copies there, 30,000 lines).
func TestCopyTruncateCopyRemovedWhileBlocked(t *testing.T) {
	for _, ext := range []string{"", ".gz"} {
		t.Run("copy"+ext, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit_json.log")
			writeFile(t, path, numbered("g0", 0, 5000))
			c := startStalled(t, path)
			time.Sleep(50 * time.Millisecond) // the copies are written after the last read
			var later []string
			for g := 1; g <= 3; g++ {
				os.Remove(path + ".2" + ext) // rotate 2: the oldest copy goes
				if g > 1 {
					if err := os.Rename(path+".1"+ext, path+".2"+ext); err != nil {
						t.Fatal(err)
					}
				}
				copyTruncate(t, path, path+".1"+ext)
				lines := numbered(fmt.Sprintf("g%d", g), 0, 50)
				appendFile(t, path, lines)
				later = append(later, linesOf(lines)...)
			}
			c.openGate()
			c.waitFor("the lines of the later copies and the file", func(l []string) bool {
				return len(l) > 0 && l[len(l)-1] == later[len(later)-1]
			})
			time.Sleep(100 * time.Millisecond) // a duplicate would follow
			c.stop()
			got := c.texts()
			k := len(got) - len(later) // the first lines of g0, read before the rotations
			if k < 20 {
				t.Fatalf("got %d lines, want at least 20 of g0 and then the %d later ones", len(got), len(later))
			}
			checkExactly(t, got, append(linesOf(numbered("g0", 0, k)), later...))
			if n := c.tl.Stats().TruncationsWithoutCopy; n != 1 {
				t.Errorf("TruncationsWithoutCopy = %d, want 1: the copy of g0 was removed", n)
			}
		})
	}
}

// TestRecoverCopyVanished: the copy found is removed before it is opened
// (compress finished and removed name.1); recoverCopy looks again and
// reads name.1.gz from the same offset.
func TestRecoverCopyVanished(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	data := numbered("x", 0, 100)
	if err := os.WriteFile(path+".1.gz", gziptest.Compress(t, []byte(data)), 0o644); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path + ".1.gz")
	if err != nil {
		t.Fatal(err)
	}
	tl, err := New(testConfig(t, path))
	if err != nil {
		t.Fatal(err)
	}
	finds := 0
	find := func() (sibling, bool) {
		finds++
		return sibling{name: path + ".1.gz", gz: true, fi: fi}, true
	}
	gone := sibling{name: path + ".1", fi: fi}
	from := int64(len(numbered("x", 0, 40)))
	var got []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range tl.out {
			for i := 0; i < b.Len(); i++ {
				got = append(got, string(b.Line(i)))
			}
		}
	}()
	sib, err := tl.recoverCopy(context.Background(), gone, find, from)
	close(tl.out)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if sib.name != path+".1.gz" || finds != 1 {
		t.Errorf("recoverCopy drained %s after %d finds, want %s.1.gz after 1", sib.name, finds, path)
	}
	checkExactly(t, got, linesOf(numbered("x", 40, 100)))
}

// TestRenameSwitchesWhileOldIsDrained: after a rename rotation the new
// file is read as soon as the old one is drained and quiet for a moment,
// long before RotateWait; late writes to the old file are still read
// meanwhile, and the checkpoint stays in the old file until it is done,
// so that a restart cannot skip its late lines.
func TestRenameSwitchesWhileOldIsDrained(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	write := func(f *os.File, s string) {
		t.Helper()
		if _, err := f.WriteString(s); err != nil {
			t.Fatal(err)
		}
	}
	write(w, numbered("a", 0, 10))
	cfg := testConfig(t, path)
	cfg.RotateWait = 3 * time.Second
	c := start(t, cfg)
	c.waitN(10)
	waitStats(t, c.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
	oldID := c.got()[0].file

	rotated := time.Now()
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	nw, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer nw.Close()
	write(nw, numbered("b", 0, 10))
	c.waitN(20)
	if d := time.Since(rotated); d > cfg.RotateWait/2 {
		t.Errorf("the new file's lines came %s after the rotation; RotateWait is %s", d, cfg.RotateWait)
	}
	// The old file is still drained: the checkpoint stays at its end.
	waitStats(t, c.tl, "all committed", func(s Stats) bool { return s.CommittedOffset == 90 })
	if s := c.tl.Stats(); !s.CommittedFile.SameFile(oldID) {
		t.Errorf("checkpoint in %v while the old file %v is drained", s.CommittedFile, oldID)
	}
	write(w, numbered("a", 10, 15)) // a late write after the switch
	c.waitN(25)
	// Once the old file is quiet for RotateWait, it is done and the
	// checkpoint moves to the new file.
	write(nw, numbered("b", 10, 12))
	waitStats(t, c.tl, "checkpoint in the new file", func(s Stats) bool {
		return !s.CommittedFile.SameFile(oldID) && s.CommittedOffset == 12*9
	})
	c.stop()
	want := linesOf(numbered("a", 0, 10) + numbered("b", 0, 10) + numbered("a", 10, 15) + numbered("b", 10, 12))
	checkExactly(t, c.texts(), want)
}

// TestRestartWhileOldIsDrained: stopped while a renamed file is still
// drained, the tailer has its checkpoint in that file, and keeps apart how
// far the new file was delivered (checkpoint.Position.Next). The next run
// reads the late lines written to the renamed file meanwhile from its
// rotated name, then the new file from its own position: nothing twice.
// A checkpoint without that position (as an older agent wrote it) still
// loads, and the new file is read again from 0 (at least
// once). When the renamed file is gone, the new file resumes from its
// position; when the new file was rotated too, it is read from its
// position under its rotated name, then the newest file from 0.
func TestRestartWhileOldIsDrained(t *testing.T) {
	a, b := numbered("a", 0, 10), numbered("b", 0, 10) // 9 bytes a line
	lateA, moreB, c := numbered("a", 10, 15), numbered("b", 10, 13), numbered("c", 0, 3)
	for _, tc := range []struct {
		name     string
		stopped  func(t *testing.T, cfg Config) // changes made while stopped
		want     string
		keptLogs int // logs of a rotated file resumed from Next
	}{
		{"resumes both", func(t *testing.T, cfg Config) {}, lateA + moreB, 0},
		{"checkpoint without next (older agent)", func(t *testing.T, cfg Config) {
			ck := readCheckpoint(t, cfg)
			ck.Version, ck.Next = 1, nil
			writeCheckpoint(t, cfg, ck)
		}, lateA + b + moreB, 0},
		{"renamed file removed", func(t *testing.T, cfg Config) {
			if err := os.Remove(cfg.Path + ".1"); err != nil {
				t.Fatal(err)
			}
		}, moreB, 0},
		{"new file rotated too", func(t *testing.T, cfg Config) {
			rotateAway(t, cfg.Path, "numbered", 2)
			appendFile(t, cfg.Path, c)
		}, lateA + moreB + c, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			cfg, col := renamedWhileFollowed(t, path, a, b)
			waitStats(t, col.tl, "all committed", func(s Stats) bool { return s.CommittedOffset == 90 && s.Outstanding == 0 })
			if err := col.stop(); err != nil {
				t.Fatal(err)
			}
			got := col.got()
			ck := readCheckpoint(t, cfg)
			if ck.Version != 1 || ck.Offset != 90 || ck.Ino != got[0].file.Ino || ck.Next == nil || ck.Next.Offset != 90 || ck.Next.Ino != got[19].file.Ino {
				t.Fatalf("checkpoint %+v (next %+v), want version 1, offset 90 in the renamed file (inode %d), next at 90 in the new one (inode %d)",
					ck, ck.Next, got[0].file.Ino, got[19].file.Ino)
			}
			appendFile(t, path+".1", lateA)   // a late writer, while stopped
			time.Sleep(20 * time.Millisecond) // a clock tick: the new file is the newer one by mtime too
			appendFile(t, path, moreB)
			tc.stopped(t, cfg)

			var logs lockedBuf
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			want := linesOf(tc.want)
			checkExactly(t, runOnce(t, cfg, len(want)), want)
			// The new file, rotated too, was read before: the log says it
			// is resumed, not that the tailer never saw it.
			kept := "tailer: reading a rotated file from the position the checkpoint kept for it"
			if n := strings.Count(logs.String(), kept); n != tc.keptLogs {
				t.Errorf("%d logs %q, want %d:\n%s", n, kept, tc.keptLogs, logs.String())
			}
		})
	}
}

// TestRestartWhileRenamedIsWritten: a writer that keeps appending to a
// file renamed away (it holds it open) across a restart of the tailer
// loses nothing: the restart reads the renamed file, last written less
// than RotateWait ago, for late writes as a run that saw the rotation
// does, not once to its end (fresh-user trial 246: 7,076 lines appended
// after the restart's read were never sent). A renamed file written
// longer ago is read once, as before.
func TestRestartWhileRenamedIsWritten(t *testing.T) {
	a, b := numbered("a", 0, 10), numbered("b", 0, 10)
	lateA, laterA, moreB := numbered("a", 10, 15), numbered("a", 15, 20), numbered("b", 10, 13)
	path := filepath.Join(t.TempDir(), "app.log")
	cfg, col := renamedWhileFollowed(t, path, a, b)
	waitStats(t, col.tl, "all committed", func(s Stats) bool { return s.CommittedOffset == 90 && s.Outstanding == 0 })
	if err := col.stop(); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path+".1", lateA) // the writer, while stopped
	time.Sleep(20 * time.Millisecond)
	appendFile(t, path, moreB)
	var logs lockedBuf
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	col = start(t, cfg)
	col.waitN(len(linesOf(lateA + moreB)))
	appendAfterRestart(t, col, path+".1", laterA, linesOf(lateA+moreB+laterA)) // the writer, after the restart read the file
	if !strings.Contains(logs.String(), "reading its late writes too") {
		t.Errorf("the restart did not say it follows the renamed file:\n%s", logs.String())
	}
}

// TestRestartWhileSeveralAreDrained: three files are renamed away while the
// oldest is still drained for late writes, and the tailer is stopped then.
// The checkpoint stays in the oldest file, keeps the newest file's position
// (checkpoint.Position.Next) and the positions of the files between
// (checkpoint.Position.Between), a late write to one of those included.
// The next run reads each file's rest from its own position, whatever the
// order the late writes made of their modification times: every line
// exactly once. A checkpoint without Between (the previous release ignores
// and drops the field) reads the files between again from 0 (at least
// once); with the oldest file gone, the files between are still read from
// their positions.
func TestRestartWhileSeveralAreDrained(t *testing.T) {
	a, b, c, d := numbered("a", 0, 10), numbered("b", 0, 10), numbered("c", 0, 10), numbered("d", 0, 10) // 9 bytes a line
	runB := numbered("b", 10, 12)                                                                        // a late write while running
	lateA, lateB, lateC, moreD := numbered("a", 10, 13), numbered("b", 12, 15), numbered("c", 10, 13), numbered("d", 10, 13)
	e := numbered("e", 0, 3)
	late := func(t *testing.T, path string, reverse bool) {
		writes := []func(){
			func() { appendFile(t, path+".3", lateA) },
			func() { appendFile(t, path+".2", lateB) },
			func() { appendFile(t, path+".1", lateC) },
			func() { appendFile(t, path, moreD) },
		}
		if reverse {
			slices.Reverse(writes)
		}
		for _, w := range writes {
			w()
			time.Sleep(20 * time.Millisecond) // a clock tick
		}
	}
	for _, tc := range []struct {
		name    string
		stopped func(t *testing.T, cfg Config) // changes made while stopped
		want    string
	}{
		{"resumes every file", func(t *testing.T, cfg Config) { late(t, cfg.Path, false) },
			lateA + lateB + lateC + moreD},
		{"late writes newest first", func(t *testing.T, cfg Config) { late(t, cfg.Path, true) },
			lateA + lateB + lateC + moreD},
		{"checkpoint without between (previous release)", func(t *testing.T, cfg Config) {
			ck := readCheckpoint(t, cfg)
			ck.Between = nil
			writeCheckpoint(t, cfg, ck)
			late(t, cfg.Path, false)
		}, lateA + b + runB + lateB + c + lateC + moreD},
		{"oldest file removed", func(t *testing.T, cfg Config) {
			late(t, cfg.Path, false)
			if err := os.Remove(cfg.Path + ".3"); err != nil {
				t.Fatal(err)
			}
		}, lateB + lateC + moreD},
		{"rotated again", func(t *testing.T, cfg Config) {
			late(t, cfg.Path, false)
			rotateAway(t, cfg.Path, "numbered", 3)
			appendFile(t, cfg.Path, e)
		}, lateA + lateB + lateC + moreD + e},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			cfg, col := rotatedWhileFollowed(t, path, a, b, c, d)
			appendFile(t, path+".2", runB)
			col.waitN(42)
			waitStats(t, col.tl, "all committed", func(s Stats) bool { return s.CommittedOffset == 90 && s.Outstanding == 0 })
			if err := col.stop(); err != nil {
				t.Fatal(err)
			}
			got := col.got()
			ck := readCheckpoint(t, cfg)
			type at struct {
				ino uint64
				off int64
			}
			var between []at
			for _, p := range ck.Between {
				between = append(between, at{p.Ino, p.Offset})
			}
			wantBetween := []at{{got[10].file.Ino, 12 * 9}, {got[20].file.Ino, 90}}
			if ck.Offset != 90 || ck.Ino != got[0].file.Ino || ck.Next == nil || ck.Next.Offset != 90 || ck.Next.Ino != got[30].file.Ino ||
				!slices.Equal(between, wantBetween) {
				t.Fatalf("checkpoint %+v (next %+v), want offset 90 in the oldest file (inode %d), next at 90 in the newest (inode %d), between %v",
					ck, ck.Next, got[0].file.Ino, got[30].file.Ino, wantBetween)
			}
			tc.stopped(t, cfg)
			want := linesOf(tc.want)
			col = start(t, cfg)
			col.waitN(len(want))
			waitStats(t, col.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
			if err := col.stop(); err != nil {
				t.Fatal(err)
			}
			checkExactly(t, col.texts(), want)
		})
	}
}

// rotatedWhileFollowed writes first (10 lines) to path, follows it with a
// RotateWait of 10 s, and for each of next (10 lines each) rotates path
// away (logrotate's numbered scheme), writes it to a new file at path and
// waits until it is read.
func rotatedWhileFollowed(t *testing.T, path, first string, next ...string) (Config, *collector) {
	t.Helper()
	writeFile(t, path, first)
	cfg := testConfig(t, path)
	cfg.RotateWait = 10 * time.Second
	col := start(t, cfg)
	col.waitN(10)
	waitStats(t, col.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
	for i, n := range next {
		rotateAway(t, path, "numbered", i)
		appendFile(t, path, n)
		col.waitN(10 * (i + 2))
	}
	return cfg, col
}

// renamedWhileFollowed writes a (10 lines) to path, follows it with a
// RotateWait of 5 s, renames it to path.1 once a is read, writes b (10
// lines) to a new file at path and returns once b is read too: the
// renamed file is still drained, the checkpoint in it.
func renamedWhileFollowed(t *testing.T, path, a, b string) (Config, *collector) {
	t.Helper()
	writeFile(t, path, a)
	cfg := testConfig(t, path)
	cfg.RotateWait = 5 * time.Second
	col := start(t, cfg)
	col.waitN(10)
	waitStats(t, col.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, b)
	col.waitN(20)
	return cfg, col
}

// TestRestartWhileKeptFileIsWritten: the tailer is stopped while the
// file of a first rotation is still drained (the checkpoint in it) and a
// second rotation renamed the next file away, whose position the
// checkpoint keeps (Next). A writer that still holds that second file
// appends to it after the restart read it: those lines are read too, as
// for the checkpoint's own file (TestRestartWhileRenamedIsWritten).
// Before (trial 255), the kept file was read once to its end: 351 lines
// written in the half second before the writer reopened were lost.
func TestRestartWhileKeptFileIsWritten(t *testing.T) {
	a, b, c := numbered("a", 0, 10), numbered("b", 0, 10), numbered("c", 0, 10)
	lateB := numbered("b", 10, 15)
	path := filepath.Join(t.TempDir(), "app.log")
	cfg, col := rotatedWhileFollowed(t, path, a, b, c)
	waitStats(t, col.tl, "all committed", func(s Stats) bool { return s.Outstanding == 0 })
	if err := col.stop(); err != nil {
		t.Fatal(err)
	}
	if ck := readCheckpoint(t, cfg); ck.Next == nil && len(ck.Between) == 0 {
		t.Fatalf("checkpoint %+v keeps no newer file's position: the test checks nothing", ck)
	}
	col = start(t, cfg)
	waitStats(t, col.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
	appendAfterRestart(t, col, path+".1", lateB, linesOf(lateB)) // b's writer, after the restart read its file
}

// TestRestartWhileUnkeptRenamedIsWritten: while the tailer is stopped,
// the file it was reading is renamed away, a new file is written and
// renamed away in turn (two rename rotations); the checkpoint keeps no
// position in that second file. A writer that still holds it appends to
// it after the restart read it: those lines are read too, as that file
// was renamed away by the same rotation as the checkpoint's, and written
// less than RotateWait ago (trial 256: 140 to 587 lines lost, with a
// clean stop too).
func TestRestartWhileUnkeptRenamedIsWritten(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprintf("compressed=%v", compress), func(t *testing.T) { restartWhileUnkeptRenamedIsWritten(t, compress) })
	}
}

// restartWhileUnkeptRenamedIsWritten is TestRestartWhileUnkeptRenamedIsWritten;
// with compress, the checkpoint's file is compressed (logrotate's
// delaycompress at the second rotation: a .gz, another inode).
func restartWhileUnkeptRenamedIsWritten(t *testing.T, compress bool) {
	a, b, c := numbered("a", 0, 10), numbered("b", 0, 10), numbered("c", 0, 3)
	lateB := numbered("b", 10, 15)
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, a)
	cfg := testConfig(t, path)
	cfg.RotateWait = 10 * time.Second
	checkExactly(t, runOnce(t, cfg, 10), linesOf(a))
	for i, next := range []string{b, c} { // two rotations while stopped
		rotateAway(t, path, "numbered", i)
		appendFile(t, path, next)
	}
	if compress {
		writeGzip(t, path+".2.gz", []byte(a))
		if err := os.Remove(path + ".2"); err != nil {
			t.Fatal(err)
		}
	}
	col := start(t, cfg)
	col.waitN(len(linesOf(b + c)))
	appendAfterRestart(t, col, path+".1", lateB, linesOf(b+c+lateB)) // b's writer, after the restart read its file
}

// appendAfterRestart appends late to file, a rotated file a writer still
// holds, once the restarted col read it, stops col once it has as many
// lines as want, and checks that it got exactly want, in any order.
func appendAfterRestart(t *testing.T, col *collector, file, late string, want []string) {
	t.Helper()
	appendFile(t, file, late)
	col.waitFor("the lines appended to "+filepath.Base(file)+" after the restart", func(got []string) bool { return len(got) >= len(want) })
	time.Sleep(100 * time.Millisecond) // nothing more comes
	if err := col.stop(); err != nil {
		t.Fatal(err)
	}
	got := col.texts()
	slices.Sort(got)
	slices.Sort(want)
	checkExactly(t, got, want)
}
