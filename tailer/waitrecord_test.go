package tailer

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/gziptest"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// TestWaitAcrossRestart: a tailer that waited for its path (no file, no
// checkpoint) and was stopped saved since when it waited
// (checkpoint.Wait). A file that appeared there while it was stopped is
// read from its beginning whatever StartAt, after its plain rotated
// copies last written since the wait began: the lines of a file that
// appeared and was rotated away while the agent was down are read, not
// taken for history (before, the file at the path was "there at start"
// and its copies were never read; with start_at end, not even the file).
// Copies older than the wait are history and stay unread.
func TestWaitAcrossRestart(t *testing.T) {
	old, first, second := numbered("old", 0, 3), numbered("first", 0, 5), numbered("second", 0, 4)
	cases := []struct {
		name    string
		startAt StartAt
		stopped func(t *testing.T, path string) // while the tailer is stopped
		want    string
		waits   bool // the second run ends waiting for the path
	}{
		{"appeared and rotated", StartBeginning, func(t *testing.T, path string) {
			writeFile(t, path, first)
			rename(t, path, path+".1")
			writeFile(t, path, second)
		}, first + second, false},
		{"appeared and rotated, start_at end", StartEnd, func(t *testing.T, path string) {
			writeFile(t, path, first)
			rename(t, path, path+".1")
			writeFile(t, path, second)
		}, first + second, false},
		{"appeared, start_at end", StartEnd, func(t *testing.T, path string) {
			writeFile(t, path, second)
		}, second, false},
		{"appeared and rotated away", StartEnd, func(t *testing.T, path string) {
			writeFile(t, path, first)
			rename(t, path, path+".1")
		}, first, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.log")
			writeFile(t, path+".2", old) // a copy from before the wait
			hourAgo := time.Now().Add(-time.Hour)
			if err := os.Chtimes(path+".2", hourAgo, hourAgo); err != nil {
				t.Fatal(err)
			}
			cfg := testConfig(t, path)
			cfg.StartAt = tc.startAt
			c := start(t, cfg)
			waitStats(t, c.tl, "waiting", func(s Stats) bool { return s.Mode == ModeWaiting })
			if err := c.stop(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(cfg.StateDir, checkpoint.WaitKey(path)+".json")); err != nil {
				t.Fatalf("no wait record after the first run: %v", err)
			}
			tc.stopped(t, path)
			c = start(t, cfg)
			n := len(linesOf(tc.want))
			c.waitN(n)
			if tc.waits {
				waitStats(t, c.tl, "waiting", func(s Stats) bool { return s.Mode == ModeWaiting })
			} else {
				waitStats(t, c.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
			}
			time.Sleep(100 * time.Millisecond) // nothing more comes
			if err := c.stop(); err != nil {
				t.Fatal(err)
			}
			checkExactly(t, c.texts(), linesOf(tc.want))
			if _, err := os.Stat(filepath.Join(cfg.StateDir, checkpoint.WaitKey(path)+".json")); !os.IsNotExist(err) {
				t.Errorf("the wait record is still there after a checkpoint was saved (stat: %v)", err)
			}
			// A third run resumes from the checkpoint: nothing is read again.
			appendFile(t, path, "third\n")
			if got := runOnce(t, cfg, 1); len(got) != 1 || got[0] != "third" {
				t.Errorf("third run: got %q, want only the line appended", got)
			}
		})
	}
}

// TestWaitRecordUnusable: a wait record that cannot be used (not JSON,
// another version or path, a time in the future) is logged and ignored:
// the file at the path is then one there at start (StartAt), and the
// record is replaced by a checkpoint.
func TestWaitRecordUnusable(t *testing.T) {
	cases := []struct{ name, record, why string }{
		{"not JSON", "{", "not valid JSON"},
		{"empty", "", "is empty"},
		{"a directory", "DIR", "it is a directory, which no record can replace: remove it"},
		{"newer version", `{"version":2,"path":"PATH","since":"2024-01-01T00:00:00Z"}`, "version 2"},
		{"another path", `{"version":1,"path":"/elsewhere.log","since":"2024-01-01T00:00:00Z"}`, "/elsewhere.log"},
		{"in the future", `{"version":1,"path":"PATH","since":"2999-01-01T00:00:00Z"}`, "in the future"},
		{"no time", `{"version":1,"path":"PATH"}`, "no since"},
		{"no path", `{"version":1}`, "no path"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.log")
			writeFile(t, path+".1", numbered("copy", 0, 2))
			writeFile(t, path, numbered("live", 0, 3))
			cfg := testConfig(t, path)
			var log lockedBuf
			cfg.Logger = slog.New(slog.NewTextHandler(&log, nil))
			cfg.StartAt = StartBeginning
			if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
				t.Fatal(err)
			}
			abs, _ := filepath.Abs(path)
			rec, name := strings.ReplaceAll(tc.record, "PATH", abs), filepath.Join(cfg.StateDir, checkpoint.WaitKey(path)+".json")
			var err error
			if rec == "DIR" {
				err = os.Mkdir(name, 0o700)
			} else {
				err = os.WriteFile(name, []byte(rec), 0o600)
			}
			if err != nil {
				t.Fatal(err)
			}
			checkExactly(t, runOnce(t, cfg, 3), linesOf(numbered("live", 0, 3)))
			if !strings.Contains(log.String(), "wait record") || !strings.Contains(log.String(), tc.why) {
				t.Errorf("log does not say the wait record is ignored and why (%q):\n%s", tc.why, log.String())
			}
			if replaced := strings.Contains(log.String(), "the record is replaced"); replaced == (rec == "DIR") {
				t.Errorf("log says the record is replaced: %v, want %v (a directory cannot be):\n%s", replaced, rec != "DIR", log.String())
			}
		})
	}
}

// TestWaitAfterDeletion: a followed file is deleted while the tailer
// runs (its checkpoint stays in it) and the tailer waits for a new one;
// while it is stopped, a file appears at the path and is rotated. The
// restart finds the checkpoint's file gone and the wait record newer: it
// reads the copy and the new file from their beginning, with start_at
// end too (before, start_at end skipped them both as history). So does
// a stop while the tailer still drained the deleted file for late
// writes (RotateWait), before it began to wait: the record is saved when
// the tailer finds the path without a file (trial 201: saved after the
// drain, a stop within it lost the lines).
func TestWaitAfterDeletion(t *testing.T) {
	before, first, second := numbered("before", 0, 3), numbered("first", 0, 5), numbered("second", 0, 4)
	for _, tc := range []struct {
		name      string
		startAt   StartAt
		drain     bool // stopped during the drain, not once waiting
		sameInode bool // the new file at the path has the deleted file's inode
	}{
		{"beginning", StartBeginning, false, false},
		{"end", StartEnd, false, false},
		{"end, stopped while draining", StartEnd, true, false},
		// The file system gave the new file the deleted one's inode (CI:
		// it was read as the checkpoint's file truncated).
		{"end, inode reused", StartEnd, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			startAt := tc.startAt
			path := filepath.Join(t.TempDir(), "a.log")
			writeFile(t, path, before)
			cfg := testConfig(t, path)
			cfg.StartAt = StartBeginning
			if tc.drain {
				cfg.RotateWait = 10 * time.Second
			}
			c := start(t, cfg)
			c.waitN(3)
			time.Sleep(50 * time.Millisecond) // committed and checkpointed
			keep := filepath.Join(t.TempDir(), "inode")
			if tc.sameInode {
				if err := os.Link(path, keep); err != nil {
					t.Fatal(err)
				}
			}
			remove(t, path)
			if tc.drain {
				time.Sleep(300 * time.Millisecond) // seen gone, still drained
				if s := c.tl.Stats(); s.Mode == ModeWaiting {
					t.Fatalf("the tailer waits already; want it draining")
				}
			} else {
				waitStats(t, c.tl, "waiting", func(s Stats) bool { return s.Mode == ModeWaiting })
			}
			time.Sleep(50 * time.Millisecond) // any late checkpoint saved
			if err := c.stop(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(cfg.StateDir, checkpoint.WaitKey(path)+".json")); err != nil {
				t.Fatalf("no wait record after the wait for a new file: %v", err)
			}
			writeFile(t, path, first)
			rename(t, path, path+".1")
			if tc.sameInode {
				if err := os.Link(keep, path); err != nil {
					t.Fatal(err)
				}
			}
			writeFile(t, path, second)
			cfg.StartAt = startAt
			var log lockedBuf
			cfg.Logger = slog.New(slog.NewTextHandler(&log, nil))
			checkExactly(t, runOnce(t, cfg, 9), linesOf(first+second))
			if !strings.Contains(log.String(), "the path had no file when the agent last waited for it: its rotated copies written since") || strings.Contains(log.String(), "are skipped") {
				t.Errorf("the restart's log does not say the file at the path is read as new:\n%s", log.String())
			}
		})
	}
}

// TestWaitedCheckpointGoneCompressedCopies: the tailer read a file, which
// was rotated away; it waited for a new one and was stopped (kill -9 in a
// crash loop). While it was down, files came and were rotated, the older
// copies compressed, and the checkpoint's copy was removed (the kubelet
// keeps a few, oldest first). The restart reads every copy written since
// the checkpoint, the .gz one too, then the new file. Before, only the
// plain copies made since the wait were read: a crash loop under the
// kubelet's rotation lost whole compressed copies (trial 204; 13,114
// lines on disk at the restarts never sent in a run of the repro, 0 now).
func TestWaitedCheckpointGoneCompressedCopies(t *testing.T) {
	before, b, c, d := numbered("before", 0, 3), numbered("b", 0, 4), numbered("c", 0, 2), numbered("d", 0, 3)
	path := filepath.Join(t.TempDir(), "a.log")
	writeFile(t, path, before)
	cfg := testConfig(t, path)
	run := start(t, cfg)
	run.waitN(3)
	time.Sleep(50 * time.Millisecond) // committed and checkpointed
	rename(t, path, path+".1")
	waitStats(t, run.tl, "waiting", func(s Stats) bool { return s.Mode == ModeWaiting })
	if err := run.stop(); err != nil {
		t.Fatal(err)
	}
	remove(t, path+".1") // the checkpoint's file, removed oldest first
	if err := os.WriteFile(path+".2.gz", gziptest.Compress(t, []byte(b)), 0o644); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path+".1", c)
	writeFile(t, path, d)
	checkExactly(t, runOnce(t, cfg, 9), linesOf(b+c+d))
}

// TestWaitRecordStale: a wait record left beside a checkpoint whose file
// is found (its removal failed, or it was copied in) is removed at start:
// a later loss of that file must not take the record's old time as when
// the path was last without a file.
func TestWaitRecordStale(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.log")
	writeFile(t, path, numbered("a", 0, 2))
	cfg := testConfig(t, path)
	checkExactly(t, runOnce(t, cfg, 2), linesOf(numbered("a", 0, 2)))
	if err := testStore(t, cfg.StateDir).SaveWait(path, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	c := start(t, cfg) // nothing new to read: no checkpoint is saved
	waitStats(t, c.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
	if err := c.stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(cfg.StateDir, checkpoint.WaitKey(path)+".json")); !os.IsNotExist(err) {
		t.Errorf("the stale wait record is still there (stat: %v)", err)
	}
}
