package tailer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAppearedAfterStart follows a path that has no file when the tailer
// starts. The file that appears there later is new: all its lines are
// read, whatever StartAt; and when it was rotated away (renamed, or copied
// and truncated, maybe compressed) before the tailer's next look at the
// path, its copy is read first. The copies that were there before are
// not, nor the .gz logrotate makes of one of them meanwhile.
func TestAppearedAfterStart(t *testing.T) {
	old, first, second := numbered("old", 0, 3), numbered("first", 0, 5), numbered("second", 0, 4)
	cases := []struct {
		name    string
		startAt StartAt
		before  func(t *testing.T, path string) // before the tailer starts
		during  func(t *testing.T, path string) // while it waits for the path
		want    string
	}{
		{
			name:    "start_at end",
			startAt: StartEnd,
			during:  func(t *testing.T, path string) { writeFile(t, path, first) },
			want:    first + second,
		},
		{
			name: "renamed before seen",
			during: func(t *testing.T, path string) {
				writeFile(t, path, first)
				rename(t, path, path+".1")
			},
			want: first + second,
		},
		{
			name:    "renamed before seen, start_at end",
			startAt: StartEnd,
			during: func(t *testing.T, path string) {
				writeFile(t, path, first)
				rename(t, path, path+".1")
			},
			want: first + second,
		},
		{
			name: "copied and truncated before seen",
			during: func(t *testing.T, path string) {
				writeFile(t, path, first)
				writeFile(t, path+".1", first)
				writeFile(t, path, "")
			},
			want: first + second,
		},
		{
			name: "compressed copy before seen",
			during: func(t *testing.T, path string) {
				writeFile(t, path, first)
				rename(t, path, path+".1")
				writeGzip(t, path+".1.gz", []byte(first))
				remove(t, path+".1")
			},
			want: first + second,
		},
		{
			name:   "copies there before are not read",
			before: func(t *testing.T, path string) { writeFile(t, path+".1", old) },
			during: func(t *testing.T, path string) {
				now := time.Now() // as if a late writer had appended to it
				if err := os.Chtimes(path+".1", now, now); err != nil {
					t.Fatal(err)
				}
				writeFile(t, path, first)
			},
			want: first + second,
		},
		{
			name:   "a copy there before, compressed meanwhile, is not read",
			before: func(t *testing.T, path string) { writeFile(t, path+".1", old) },
			during: func(t *testing.T, path string) {
				writeGzip(t, path+".2.gz", []byte(old)) // logrotate's delaycompress
				remove(t, path+".1")
				writeFile(t, path, first)
				rename(t, path, path+".1")
			},
			want: first + second,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.log")
			if tc.before != nil {
				tc.before(t, path)
			}
			cfg := testConfig(t, path)
			cfg.StartAt = tc.startAt
			// Long enough for what happens during the wait to happen
			// between two looks at the path.
			cfg.PollInterval = 300 * time.Millisecond
			c := start(t, cfg)
			waitStats(t, c.tl, "waiting", func(s Stats) bool { return s.Mode == ModeWaiting })
			tc.during(t, path)
			appendFile(t, path, second) // creates the path if it is not there
			c.waitN(len(linesOf(tc.want)))
			time.Sleep(100 * time.Millisecond) // nothing more comes
			if err := c.stop(); err != nil {
				t.Fatal(err)
			}
			checkExactly(t, c.texts(), linesOf(tc.want))
		})
	}
}

func rename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, name string) {
	t.Helper()
	if err := os.Remove(name); err != nil {
		t.Fatal(err)
	}
}

// TestNewSince starts a tailer on a file that was not at the path at
// Config.NewSince (a glob's scan before): it is read from 0 whatever
// StartAt, after its rotated copies last written since; not the older
// copies, not a .gz whose header says it compresses a file last written
// before (an older copy compressed since), and not a copy
// Config.FollowedElsewhere says another tailer follows. A .gz without a
// time in its header, as the kubelet writes them, is read (fresh-user
// trial 266: a container log rotated and compressed while the agent was
// down was lost).
func TestNewSince(t *testing.T) {
	old, first, gz, live := numbered("old", 0, 3), numbered("first", 0, 5), numbered("gz", 0, 2), numbered("live", 0, 4)
	hourAgo := time.Now().Add(-time.Hour)
	cases := []struct {
		name      string
		gzTime    time.Time // the .gz header's MTIME
		elsewhere func(string, os.FileInfo) bool
		want      string
		// sameSecond: NewSince is 0.7 s into a second, and the header
		// gives that second
		sameSecond bool
	}{
		{"copies made since", hourAgo, nil, first + live, false},
		{"a copy followed elsewhere", hourAgo, func(p string, _ os.FileInfo) bool { return filepath.Base(p) == "a.log.1" }, live, false},
		{"the kubelet's .gz", time.Time{}, nil, gz + first + live, false},
		{"a .gz of a file written since", time.Now().Add(-time.Second), nil, gz + first + live, false},
		// The header has whole seconds: one in NewSince's second may be
		// after it (fresh-user trial 269: a copy written 0.6 s after it
		// was dated 0.3 s before, and lost).
		{"a .gz dated in NewSince's second", time.Time{}, nil, gz + first + live, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.log")
			writeFile(t, path+".3", old)
			if err := os.Chtimes(path+".3", hourAgo, hourAgo); err != nil {
				t.Fatal(err)
			}
			writeGzipMod(t, path+".2.gz", []byte(gz), tc.gzTime)
			writeFile(t, path+".1", first)
			writeFile(t, path, live)
			cfg := testConfig(t, path)
			cfg.StartAt = StartEnd
			cfg.NewSince = time.Now().Add(-time.Minute)
			cfg.FollowedElsewhere = tc.elsewhere
			if tc.sameSecond {
				since := time.Now().Add(-time.Minute).Truncate(time.Second).Add(700 * time.Millisecond)
				cfg.NewSince = since
				writeGzipMod(t, path+".2.gz", []byte(gz), since.Truncate(time.Second))
			}
			c := start(t, cfg)
			c.waitN(len(linesOf(tc.want)))
			time.Sleep(100 * time.Millisecond) // nothing more comes
			if err := c.stop(); err != nil {
				t.Fatal(err)
			}
			checkExactly(t, c.texts(), linesOf(tc.want))
		})
	}
}

// TestAppearedAfterRotation follows a file renamed away with no new file
// at the path (logrotate's nocreate): the tailer reads it to its end and
// waits for the path. A file created there and rotated away in turn
// before the tailer's next look (the older copy renamed further, as
// logrotate numbers them) is read from its copy, then the file at the
// path; the older copies are not read again.
func TestAppearedAfterRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.log")
	first, second, third := numbered("first", 0, 5), numbered("second", 0, 4), numbered("third", 0, 3)
	writeFile(t, path, first)
	cfg := testConfig(t, path)
	cfg.PollInterval = 300 * time.Millisecond
	c := start(t, cfg)
	c.waitN(5)
	rename(t, path, path+".1")
	waitStats(t, c.tl, "waiting", func(s Stats) bool { return s.Mode == ModeWaiting })
	rename(t, path+".1", path+".2")
	writeFile(t, path, second)
	rename(t, path, path+".1")
	writeFile(t, path, third)
	c.waitN(12)
	time.Sleep(100 * time.Millisecond) // nothing more comes
	if err := c.stop(); err != nil {
		t.Fatal(err)
	}
	checkExactly(t, c.texts(), linesOf(first+second+third))
}

// TestAppearedRestartBeforeCommit: the copies read before a file that
// appeared are checkpointed as the file would be, before anything is
// committed: a tailer stopped before its consumer acknowledged a line (a
// collector down) reads them again at its restart, then the file, each
// line once, whatever StartAt (fresh-user trial 94: no checkpoint was
// saved, and the restart skipped the copy).
func TestAppearedRestartBeforeCommit(t *testing.T) {
	first, second := numbered("first", 0, 5), numbered("second", 0, 4)
	for _, startAt := range []StartAt{StartBeginning, StartEnd} {
		t.Run(startAt.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.log")
			cfg := testConfig(t, path)
			cfg.StartAt = startAt
			cfg.PollInterval = 300 * time.Millisecond
			tl, cancel, done := runTailer(t, cfg)
			read := neverCommit(tl) // no commit
			waitStats(t, tl, "waiting", func(s Stats) bool { return s.Mode == ModeWaiting })
			writeFile(t, path, first)
			rename(t, path, path+".1")
			writeFile(t, path, second)
			waitStats(t, tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if n := <-read; n != 9 {
				t.Fatalf("the first run handed out %d lines, want 9", n)
			}
			checkExactly(t, runOnce(t, cfg, 9), linesOf(first+second))
		})
	}
}

// TestNewSinceRenamedAway: a file that a glob's scan matched and that was
// rotated away before its tailer opened it leaves no file at the path.
// Its copies made since Config.NewSince are read at once, not when a file
// appears at the path again (the glob forgets a source that waits with
// nothing unsent, so they would never be), and checkpointed before
// anything is committed, so that a restart reads them again (CI118,
// TestGlobRenamedAwayOnce: --once found no checkpoint). A file that
// appears at the path later is read after them, the copies not again.
func TestNewSinceRenamedAway(t *testing.T) {
	first, second := numbered("first", 0, 5), numbered("second", 0, 4)
	setup := func(t *testing.T) Config {
		path := filepath.Join(t.TempDir(), "a.log")
		writeFile(t, path+".1", first) // written at the path, renamed away
		cfg := testConfig(t, path)
		cfg.StartAt = StartEnd
		cfg.NewSince = time.Now().Add(-time.Minute)
		cfg.PollInterval = 300 * time.Millisecond
		return cfg
	}
	t.Run("follow", func(t *testing.T) {
		cfg := setup(t)
		c := start(t, cfg)
		c.waitN(5)
		waitStats(t, c.tl, "waiting", func(s Stats) bool { return s.Mode == ModeWaiting })
		writeFile(t, cfg.Path, second)
		c.waitN(9)
		time.Sleep(100 * time.Millisecond) // nothing more comes
		if err := c.stop(); err != nil {
			t.Fatal(err)
		}
		checkExactly(t, c.texts(), linesOf(first+second))
	})
	t.Run("restart before commit", func(t *testing.T) {
		cfg := setup(t)
		copyReadAgain(t, cfg, first)
	})
	// An older copy the kubelet compressed since (no time in its
	// header) is read too, first; one whose header says it compresses a
	// file last written before NewSince is not (fresh-user trial 266).
	t.Run("compressed copies", func(t *testing.T) {
		cfg := setup(t)
		zero, older := numbered("zero", 0, 3), numbered("older", 0, 2)
		writeGzip(t, cfg.Path+".2.gz", []byte(zero))
		writeGzipMod(t, cfg.Path+".3.gz", []byte(older), time.Now().Add(-time.Hour))
		c := start(t, cfg)
		c.waitN(8)
		time.Sleep(100 * time.Millisecond) // nothing more comes
		if err := c.stop(); err != nil {
			t.Fatal(err)
		}
		checkExactly(t, c.texts(), linesOf(zero+first))
	})
}

// TestMatchedRotatedAway: a file that a glob's initial scan matched
// (Config.Matched) and that was rotated away before its tailer opened it
// is read from its rotated copy, found by device and inode: from its
// beginning, or with StartAt end from the size it had when matched; a
// file at the path that is not the one matched appeared since and is
// read from its beginning, after it. The copy is checkpointed before
// anything is committed, so that a restart reads it again (CI118,
// TestGlobRenamedAwayOnce: the tailer waited for the path, and the glob
// forgot the source with nothing read and no checkpoint).
func TestMatchedRotatedAway(t *testing.T) {
	first, more, second := numbered("first", 0, 5), numbered("more", 0, 3), numbered("second", 0, 4)
	cases := []struct {
		name    string
		startAt StartAt
		after   func(t *testing.T, path string) // after the scan, before the tailer starts
		want    string
	}{
		{"renamed", StartBeginning, func(t *testing.T, path string) {
			appendFile(t, path, more)
			rename(t, path, path+".1")
		}, first + more + second},
		{"renamed, start_at end", StartEnd, func(t *testing.T, path string) {
			appendFile(t, path, more)
			rename(t, path, path+".1")
		}, more + second},
		{"renamed and a new file at the path", StartEnd, func(t *testing.T, path string) {
			appendFile(t, path, more)
			rename(t, path, path+".1")
			writeFile(t, path, second)
		}, more + second},
		{"still at the path", StartBeginning, func(t *testing.T, path string) {
			appendFile(t, path, more)
		}, first + more + second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.log")
			writeFile(t, path, first)
			fi, err := os.Stat(path) // the glob's scan
			if err != nil {
				t.Fatal(err)
			}
			tc.after(t, path)
			cfg := testConfig(t, path)
			cfg.StartAt = tc.startAt
			cfg.Matched = fi
			cfg.PollInterval = 300 * time.Millisecond
			c := start(t, cfg)
			c.waitN(len(linesOf(tc.want)) - 4)
			if _, err := os.Stat(path); err != nil {
				writeFile(t, path, second)
			} else if !strings.Contains(tc.name, "new file") {
				appendFile(t, path, second)
			}
			c.waitN(len(linesOf(tc.want)))
			time.Sleep(100 * time.Millisecond) // nothing more comes
			if err := c.stop(); err != nil {
				t.Fatal(err)
			}
			checkExactly(t, c.texts(), linesOf(tc.want))
		})
	}
	t.Run("restart before commit", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "a.log")
		writeFile(t, path, first)
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		rename(t, path, path+".1")
		cfg := testConfig(t, path)
		cfg.Matched = fi
		copyReadAgain(t, cfg, first)
	})
}

// copyReadAgain runs a tailer on cfg, whose path has no file, until it has
// handed out the lines of want from a rotated copy and waits for the path,
// stops it with nothing committed, and checks that a run after it reads
// those lines again, once: the copy was checkpointed before any commit.
func copyReadAgain(t *testing.T, cfg Config, want string) {
	t.Helper()
	n := len(linesOf(want))
	tl, cancel, done := runTailer(t, cfg)
	read := neverCommit(tl)
	waitStats(t, tl, "the copy read", func(s Stats) bool { return s.Mode == ModeWaiting && s.Lines >= uint64(n) })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := <-read; got != n {
		t.Fatalf("the first run handed out %d lines, want %d", got, n)
	}
	checkExactly(t, runOnce(t, cfg, n), linesOf(want))
}
