package tailer

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCopyTruncateThenRename: while the consumer is stalled, the file is
// rotated by copytruncate, written to (past where the reader was, or
// not), then rotated by rename (two
// logrotate configurations in turn, or one run of each), and a new file
// is written at the path. When the consumer goes on, the lines the reader
// had not read before the cut are read from the copy, then those written
// to the renamed file after the cut, then the new file's: every line
// exactly once, in order.
func TestCopyTruncateThenRename(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int // lines before the copytruncate
		cut  int // lines written after it, before the rename
	}{
		{"reader at end", 30, 40},   // all read before the stall
		{"reader behind", 5000, 40}, // the stall stops it far from the end
		// The file, renamed, is shorter than where the reader was in it,
		// and no line is in hand to tell the cut by: it was taken for
		// read to its end (trial 43 F1: 500 of 1,510 lines lost).
		{"renamed shorter than read", 30, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit_json.log")
			old := numbered("old", 0, tc.n)
			writeFile(t, path, old)
			c := startStalled(t, path)
			copyTruncate(t, path, path+".1")
			appendFile(t, path, numbered("cut", 0, tc.cut))
			if err := os.Rename(path+".1", path+".2"); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(path, path+".1"); err != nil {
				t.Fatal(err)
			}
			writeFile(t, path, numbered("new", 0, 25))
			want := linesOf(old + numbered("cut", 0, tc.cut) + numbered("new", 0, 25))
			c.openGate()
			c.waitN(len(want))
			c.stop()
			checkExactly(t, c.texts(), want)
		})
	}
}

// TestRestartAfterNewFileCopyTruncated: after a rename rotation, while
// the renamed file is still drained for late writes (the checkpoint stays
// in it and keeps the new file's position apart), the new file is rotated
// by copytruncate, written to or not, and the tailer is stopped. The next
// run drains the renamed file, then finds the copy of the new file's old
// content among the rotated files: its lines were read before the cut and
// must not be read again (they were, as a file never seen: trial 39 V5);
// then it reads the new file from its own position.
func TestRestartAfterNewFileCopyTruncated(t *testing.T) {
	a, b := numbered("a", 0, 10), numbered("b", 0, 10) // 9 bytes a line
	for _, tc := range []struct {
		name       string
		cut, moreC string // written after the cut, before and after the stop
	}{
		// A batch of the new content is committed: it carries the copy's
		// position into the checkpoint.
		{"written after the cut", numbered("c", 0, 3), numbered("c", 3, 6)},
		// None is: the checkpoint keeps the old content's position only,
		// and the copy is known by its first bytes.
		{"not written after the cut", "", numbered("c", 0, 3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			cfg, col := renamedWhileFollowed(t, path, a, b)
			if err := os.Rename(path+".1", path+".2"); err != nil {
				t.Fatal(err)
			}
			copyTruncate(t, path, path+".1")
			appendFile(t, path, tc.cut)
			n := len(linesOf(a + b + tc.cut))
			col.waitN(n)
			waitStats(t, col.tl, "all committed", func(s Stats) bool { return s.CommittedOffset == 90 && s.Outstanding == 0 && s.Truncations == 1 })
			if err := col.stop(); err != nil {
				t.Fatal(err)
			}
			checkExactly(t, col.texts(), linesOf(a+b+tc.cut))
			if ck := readCheckpoint(t, cfg); ck.Next == nil {
				t.Fatalf("checkpoint %+v without next: the renamed file was done draining, the test checks nothing", ck)
			}
			appendFile(t, path, tc.moreC)
			want := linesOf(tc.moreC)
			checkExactly(t, runOnce(t, cfg, len(want)), want)
		})
	}
}

// TestCopyTruncateThenRenameCycles is TestCopyTruncateThenRename with
// two and three cycles of copytruncate, then rename, while the consumer
// is stalled (logrotate's copy shifted to .2, .3 and on by each later
// rotation). Recovering the first file's unread lines from its copy, the
// tailer read the newer rotated files too, which the rename rotation then
// read again: 3,000 of 6,010 lines twice (trial 41 F1). Every line exactly
// once, in order. With opened, the blocked reader opened the file of the
// first cycle's rename at the path (see watchBlocked) before the second
// cycle copied and truncated it: that copy is read once, as what the file
// held, not also as a file rotated unseen (a CI run read its 600 lines
// twice).
func TestCopyTruncateThenRenameCycles(t *testing.T) {
	for _, tc := range []struct {
		cycles int
		opened bool
	}{{2, false}, {3, false}, {2, true}, {3, true}} {
		cycles := tc.cycles
		name := fmt.Sprint(cycles)
		if tc.opened {
			name += "-opened"
		}
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit_json.log")
			shift := func() {
				for i := 20; i >= 1; i-- {
					name := fmt.Sprintf("%s.%d", path, i)
					if _, err := os.Stat(name); err == nil {
						if err := os.Rename(name, fmt.Sprintf("%s.%d", path, i+1)); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			var all string
			write := func(prefix string) {
				s := numbered(prefix, 0, 300)
				appendFile(t, path, s)
				all += s
			}
			write("c0-first")
			c := startStalled(t, path)
			for i := 0; i < cycles; i++ {
				if i > 0 {
					write(fmt.Sprintf("c%d-first", i))
				}
				shift()
				copyTruncate(t, path, path+".1")
				write(fmt.Sprintf("c%d-cut", i))
				shift()
				if err := os.Rename(path, path+".1"); err != nil {
					t.Fatal(err)
				}
				write(fmt.Sprintf("c%d-new", i))
				if i == 0 && tc.opened {
					waitOpen(t, path)
				}
			}
			want := linesOf(all)
			c.openGate()
			c.waitN(len(want))
			time.Sleep(300 * time.Millisecond) // a line twice would come now
			c.stop()
			checkExactly(t, c.texts(), want)
		})
	}
}

// startStalled starts a tailer on path (30 lines or more), with a batch
// of 10 lines and a queue of one, whose consumer takes no batch until its
// gate opens, and returns once the reader is blocked: one batch held by
// the gated consumer, one in the channel, one being sent (30 lines read),
// so that it reads nothing while the test rotates the file.
func startStalled(t *testing.T, path string) *collector {
	t.Helper()
	return startStalledWith(t, testConfig(t, path))
}

// startStalledWith is startStalled with cfg (its batch and queue sizes
// set as startStalled's).
func startStalledWith(t *testing.T, cfg Config) *collector {
	t.Helper()
	cfg.BatchLines = 10
	cfg.QueueLen = 1
	tl, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := startTailer(t, tl, make(chan struct{}))
	waitStats(t, tl, "reader blocked", func(s Stats) bool { return s.Outstanding == 3 })
	return c
}

// TestCopyTruncateThenRenameCompressed is TestCopyTruncateThenRename with
// logrotate's compress without delaycompress: the copy is compressed at
// once (.1.gz, shifted to .2.gz), and so is the file renamed away (.1.gz;
// the file itself then deleted) before the reader, stalled, saw the
// truncation. The renamed file's new content is read from the file
// itself; its .gz, queued as a file the tailer never saw at the path, was
// read too: 10 lines twice (trial 43 F4).
func TestCopyTruncateThenRenameCompressed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit_json.log")
	old := numbered("old", 0, 30)
	writeFile(t, path, old)
	c := startStalled(t, path)
	copyTruncate(t, path, path+".1.gz")
	appendFile(t, path, numbered("cut", 0, 10))
	if err := os.Rename(path+".1.gz", path+".2.gz"); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	gzipAway(t, path+".1")
	writeFile(t, path, numbered("new", 0, 25))
	want := linesOf(old + numbered("cut", 0, 10) + numbered("new", 0, 25))
	c.openGate()
	c.waitN(len(want))
	time.Sleep(300 * time.Millisecond) // a line twice would come now
	c.stop()
	checkExactly(t, c.texts(), want)
}

// TestRestartAfterCopyShorterThanRead: logrotate's copy is made, the
// file grows past it and is read, then truncated; a restart after a
// clean stop reads neither the copy nor a line twice, and warns of no
// loss. The checkpoint stays past the end of the emptied file until a
// line of the new content is committed (the detection state's catch-up
// takes the file for replaced in place from that); before, the restart
// then found no copy that reached it, warned that lines were lost and
// read the copy again whole (trial 252: 100 to 10,003 duplicates per
// restart). With lines written after the cut or none. The copy is longer
// than the fingerprint (FingerprintMax), as logrotate's copies are: one
// shorter cannot be told by its first bytes.
func TestRestartAfterCopyShorterThanRead(t *testing.T) {
	for _, tc := range []struct{ name, cut string }{
		{"nothing written after the cut", ""},
		{"written after the cut", numbered("c", 0, 3)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit_json.log")
			a, w := numbered("a", 0, 200), numbered("w", 0, 5)
			writeFile(t, path, a)
			cfg := testConfig(t, path)
			var logs lockedBuf
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			col := start(t, cfg)
			col.waitN(200)
			writeFile(t, path+".1", a) // logrotate's copy
			appendFile(t, path, w)     // written before the truncate, and read
			col.waitN(205)
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
			waitStats(t, col.tl, "truncation", func(s Stats) bool { return s.Truncations == 1 })
			appendFile(t, path, tc.cut)
			col.waitN(205 + len(linesOf(tc.cut)))
			waitStats(t, col.tl, "all committed", func(s Stats) bool { return s.Outstanding == 0 })
			time.Sleep(50 * time.Millisecond) // a checkpoint interval or more
			if err := col.stop(); err != nil {
				t.Fatal(err)
			}
			checkExactly(t, col.texts(), linesOf(a+w+tc.cut))
			n := numbered("n", 0, 4)
			appendFile(t, path, n)
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			checkExactly(t, runOnce(t, cfg, 4), linesOf(n))
			if got := logs.String(); strings.Contains(got, "no rotated copy does") || strings.Contains(got, "reading a rotated copy from its beginning") {
				t.Errorf("a truncation without a copy was logged, or the copy read again:\n%s", got)
			}
		})
	}
}

// TestRestartStaleCheckpointCopyShorter: the checkpoint was saved at 205
// lines read (a stop without the later saves, as after kill -9); then
// logrotate copied the first 200 lines' file, which was truncated while
// stopped. The copy begins as the checkpoint's file (its first
// FingerprintMax bytes) and ends before its offset: all it holds was
// read. A restart reads the file from its start and not the copy (trial
// 252: the copy was read again whole, 10,003 duplicates from one kill),
// and says the copy was found: the lines after the checkpoint offset, if
// any, were in no file.
func TestRestartStaleCheckpointCopyShorter(t *testing.T) {
	for _, ext := range []string{"", ".gz"} {
		t.Run("copy"+ext, func(t *testing.T) { restartStaleCopyShorter(t, ext) })
	}
}

func restartStaleCopyShorter(t *testing.T, ext string) {
	path := filepath.Join(t.TempDir(), "audit_json.log")
	a, w := numbered("a", 0, 200), numbered("w", 0, 5)
	writeFile(t, path, a+w)
	cfg := testConfig(t, path)
	checkExactly(t, runOnce(t, cfg, 205), linesOf(a+w))
	if ext == ".gz" { // made before the last lines: shorter than what was read
		writeGzip(t, path+".1.gz", []byte(a))
	} else {
		writeFile(t, path+".1", a)
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	n := numbered("n", 0, 4)
	appendFile(t, path, n)
	var logs lockedBuf
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	checkExactly(t, runOnce(t, cfg, 4), linesOf(n))
	if got := logs.String(); !strings.Contains(got, "ends before that position") || strings.Contains(got, "no rotated copy does") {
		t.Errorf("the log does not name the shorter copy:\n%s", got)
	}
}

// TestRestartIntoFreshCopyNotFollowed: a restart whose checkpoint points
// into logrotate's copytruncate copy, made less than RotateWait ago,
// reads the copy once: a copy is another inode, which no writer holds,
// so it is not followed for late writes (TestRestartWhileRenamedIsWritten
// follows the renamed file itself), and the checkpoint moves to the file
// at the path as soon as its lines are committed, not RotateWait later
// (trial 252: kill -9 twice within 5 s sent again all read since the
// first restart, 800 lines a file).
func TestRestartIntoFreshCopyNotFollowed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit_json.log")
	a, b := numbered("a", 0, 200), numbered("b", 0, 200)
	writeFile(t, path, a+b)
	cfg := testConfig(t, path)
	cfg.RotateWait = time.Hour
	col := start(t, cfg)
	col.waitN(200)
	waitStats(t, col.tl, "a committed", func(s Stats) bool { return s.CommittedOffset >= int64(len(a)) })
	// The checkpoint is at or after a's end: the restart finds it in the
	// copy, by its first bytes and those before its offset.
	if err := col.stop(); err != nil {
		t.Fatal(err)
	}
	ck := readCheckpoint(t, cfg)
	copyTruncate(t, path, path+".1") // just now: written less than RotateWait ago
	c := numbered("c", 0, 3)
	appendFile(t, path, c)
	var logs lockedBuf
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	col = start(t, cfg)
	col.waitFor("the copy's rest and the new lines", func(got []string) bool { return len(got) > 0 && got[len(got)-1] == "c-000002" })
	waitStats(t, col.tl, "committed", func(s Stats) bool { return s.Outstanding == 0 })
	time.Sleep(100 * time.Millisecond) // checkpoint intervals
	got := readCheckpoint(t, cfg)
	if err := col.stop(); err != nil {
		t.Fatal(err)
	}
	if got.File != path {
		t.Errorf("checkpoint in %s at %d, want the file at the path (the copy was read from %d)", got.File, got.Offset, ck.Offset)
	}
	if strings.Contains(logs.String(), "reading its late writes too") {
		t.Errorf("the restart follows the copy:\n%s", logs.String())
	}
}
