package tailer

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// gzipAway does what logrotate's compress does to a rotated file: it
// writes name.gz with gzip, then removes name (a new inode; the plain
// file's content is in the .gz only).
func gzipAway(t *testing.T, name string) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	writeGzip(t, name+".gz", data)
	if err := os.Remove(name); err != nil {
		t.Fatal(err)
	}
}

// rotateCompressed does what logrotate does for rotation number n (1 for
// the first) with create and compress: "numbered" shifts path.N[.gz] to
// path.N+1[.gz] and renames path to path.1, "dateext" renames path to
// path-2026112<n>; then it compresses the file just rotated, or with
// delaycompress the one rotated before it; then it creates an empty path.
func rotateCompressed(t *testing.T, path, scheme string, n int, delay bool) {
	t.Helper()
	var rotated, previous string
	switch scheme {
	case "numbered":
		for i := n; i >= 1; i-- {
			for _, ext := range []string{"", ".gz"} {
				from, to := path+"."+strconv.Itoa(i)+ext, path+"."+strconv.Itoa(i+1)+ext
				if err := os.Rename(from, to); err != nil && !os.IsNotExist(err) {
					t.Fatal(err)
				}
			}
		}
		rotated, previous = path+".1", path+".2"
	case "dateext":
		rotated, previous = fmt.Sprintf("%s-2026112%d", path, n), fmt.Sprintf("%s-2026112%d", path, n-1)
	default:
		t.Fatalf("unknown rotation scheme %q", scheme)
	}
	if err := os.Rename(path, rotated); err != nil {
		t.Fatal(err)
	}
	switch {
	case !delay:
		gzipAway(t, rotated)
	case n > 1:
		gzipAway(t, previous)
	}
	writeFile(t, path, "")
}

// compressedUnseen does what a rotation with compress (numbered) does
// when it comes before the blocked reader looked at the path again (see
// Tailer.watchBlocked): path.N.gz is shifted to path.N+1.gz and path.1.gz
// holds lines, a file the reader never opened. The file at path stays,
// as the one created after that rotation.
func compressedUnseen(t *testing.T, path, lines string) {
	t.Helper()
	shiftNumbered(t, path, ".gz")
	writeGzip(t, path+".1.gz", []byte(lines))
}

// checkAllAfterGate opens c's gate, writes a line "after" to path once
// the want lines came, and fails unless want, then "after", came exactly
// once, in order, with no rotated copy counted unplaced.
func checkAllAfterGate(t *testing.T, path string, tl *Tailer, c *collector, want []string) {
	t.Helper()
	c.openGate()
	c.waitN(len(want))
	appendFile(t, path, "after\n")
	c.waitN(len(want) + 1)
	c.stop()
	checkExactly(t, c.texts(), append(want, "after"))
	if n := tl.Stats().UnplacedRotated; n != 0 {
		t.Errorf("Stats.UnplacedRotated = %d, want 0", n)
	}
}

// TestCompressedRotationsWhileBlocked: the path is rotated (rename, then
// logrotate's compress) several times while the tailer cannot look at it:
// its consumer provably stopped taking batches in the middle of the first
// file. The generations that were at the path only in between were
// compressed (a new inode each) before the tailer could open them; they
// are read in full, decompressed, in rotation order, after the first file
// and before the file now at the path. So is the first file itself found
// compressed (by its first bytes), and with delaycompress the older ones
// compressed and the newest plain. With openAfter, the blocked reader
// opened the file at the path after that rotation (see watchBlocked),
// which a later rotation compressed away, the plain file deleted: the
// files rotated between the first and that one, which it never opened,
// are read too (a CI run lost gen1's 20 lines to it).
func TestCompressedRotationsWhileBlocked(t *testing.T) {
	for _, tc := range []struct {
		scheme    string
		rotations int  // while the tailer is blocked
		delay     bool // delaycompress
		openAfter int  // the rotation after which the reader opened the new file; 0: none waited for
	}{
		{"numbered", 2, false, 0},
		{"numbered", 3, false, 0},
		{"numbered", 2, true, 0},
		{"numbered", 4, true, 0},
		{"dateext", 2, false, 0},
		{"dateext", 3, true, 0},
		{"numbered", 3, false, 2},
		{"numbered", 4, true, 2},
		{"dateext", 3, false, 2},
		{"dateext", 4, true, 2},
	} {
		name := fmt.Sprintf("%s-%d-delaycompress=%v", tc.scheme, tc.rotations, tc.delay)
		if tc.openAfter > 0 {
			name += fmt.Sprintf("-opened-after-%d", tc.openAfter)
		}
		t.Run(name, func(t *testing.T) {
			path, tl, c := blockedInGen0(t)
			if s := tl.Stats(); s.Lines != 2 {
				t.Fatalf("blocked after %d lines handed out, want 2", s.Lines)
			}

			want := linesOf(numbered("gen0", 0, 50))
			for g := 1; g <= tc.rotations; g++ {
				rotateCompressed(t, path, tc.scheme, g, tc.delay)
				lines := numbered(fmt.Sprintf("gen%d", g), 0, 20)
				appendFile(t, path, lines)
				want = append(want, linesOf(lines)...)
				if g == tc.openAfter {
					waitOpen(t, path)
				}
			}
			checkAllAfterGate(t, path, tl, c, want)
		})
	}
}

// TestCompressedRotationsFirstRemoved: while the tailer is blocked in
// gen0, gen0 and gen1 are rotated and compressed, and gen0's copy is
// removed (logrotate's "rotate 1"). gen1's copy, written after gen0, is
// read whole before the live file, and nothing is counted unplaced.
func TestCompressedRotationsFirstRemoved(t *testing.T) {
	path, tl, c := blockedInGen0(t)
	rotateCompressed(t, path, "numbered", 1, false)
	appendFile(t, path, numbered("gen1", 0, 20))
	rotateCompressed(t, path, "numbered", 2, false)
	if err := os.Remove(path + ".2.gz"); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, numbered("live", 0, 5))
	want := linesOf(numbered("gen0", 0, 50) + numbered("gen1", 0, 20) + numbered("live", 0, 5))
	c.openGate()
	c.waitN(len(want))
	c.stop()
	checkExactly(t, c.texts(), want)
	if n := tl.Stats().UnplacedRotated; n != 0 {
		t.Errorf("Stats.UnplacedRotated = %d, want 0", n)
	}
}

// TestCompressedRotationsUnplaced: when the tailer, unblocked, cannot tell
// which rotated copy is the file it was reading, or where a compressed
// copy comes in the rotation order, it does not guess: the copies that may
// hold lines it never read are named in a warning and counted in
// Stats.UnplacedRotated, and the file at the path is read as usual.
// The copies not placed were at the path only between two looks of the
// blocked reader (compressedUnseen): one it opened ahead would be read.
func TestCompressedRotationsUnplaced(t *testing.T) {
	for _, tc := range []struct {
		name   string
		first  string                          // gen0's content
		rotate func(t *testing.T, path string) // while the tailer is blocked in gen0
		named  []string                        // the files the warning names
	}{
		{
			// gen0's copy was removed (logrotate's rotate count), and the
			// copies written since are of two naming schemes, whose
			// order is unknown.
			name:  "first file removed, two schemes",
			first: numbered("gen0", 0, 50),
			rotate: func(t *testing.T, path string) {
				rotateCompressed(t, path, "numbered", 1, false)
				compressedUnseen(t, path, numbered("gen1", 0, 20))
				if err := os.Remove(path + ".2.gz"); err != nil {
					t.Fatal(err)
				}
				writeFile(t, path+"-20261122", numbered("other", 0, 5))
				gzipAway(t, path+"-20261122")
			},
			named: []string{"app.log.1.gz", "app.log-20261122.gz"},
		},
		{
			// gen0 is shorter than a fingerprint and gen1 begins with the
			// same bytes: either copy may be gen0.
			name:  "two copies match",
			first: "a\nb\nc\nd\ne\n",
			rotate: func(t *testing.T, path string) {
				rotateCompressed(t, path, "numbered", 1, false)
				compressedUnseen(t, path, "a\nb\nc\nd\ne\n"+numbered("gen1", 0, 20))
			},
			named: []string{"app.log.1.gz", "app.log.2.gz"},
		},
		{
			// A compressed copy of another naming scheme: its modification
			// time is when it was compressed, not when it was rotated.
			name:  "mixed schemes",
			first: numbered("gen0", 0, 50),
			rotate: func(t *testing.T, path string) {
				if err := os.Rename(path, path+".1"); err != nil {
					t.Fatal(err)
				}
				writeFile(t, path+"-20261122", numbered("other", 0, 5))
				gzipAway(t, path+"-20261122")
			},
			named: []string{"app.log-20261122.gz"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			writeFile(t, path, tc.first)
			cfg := testConfig(t, path)
			var log lockedBuffer
			cfg.Logger = slog.New(slog.NewTextHandler(&log, nil))
			cfg.BatchLines = 1
			cfg.QueueLen = 1
			tl, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			c := startTailer(t, tl, make(chan struct{}))
			// One batch held by the gated consumer, one in the channel,
			// one being sent: the tailer is blocked in the middle of gen0.
			waitStats(t, tl, "the tailer blocked on its consumer", func(s Stats) bool { return s.Outstanding == 3 })
			tc.rotate(t, path)
			appendFile(t, path, numbered("live", 0, 5))
			want := append(linesOf(tc.first), linesOf(numbered("live", 0, 5))...)
			c.openGate()
			c.waitN(len(want))
			waitStats(t, tl, "the unplaced copies counted", func(s Stats) bool { return s.UnplacedRotated >= uint64(len(tc.named)) })
			c.stop()
			checkExactly(t, c.texts(), want)
			if n := tl.Stats().UnplacedRotated; n != uint64(len(tc.named)) {
				t.Errorf("Stats.UnplacedRotated = %d, want %d", n, len(tc.named))
			}
			logged := log.String()
			for _, name := range tc.named {
				if !strings.Contains(logged, name) || !strings.Contains(logged, "not read") {
					t.Errorf("no warning naming %s as not read; log:\n%s", name, logged)
				}
			}
		})
	}
}

// shiftNumbered renames path.N+ext to path.N+1+ext, N from 20 down to 1,
// as logrotate's numbered scheme does before a rotation.
func shiftNumbered(t *testing.T, path, ext string) {
	t.Helper()
	for i := 20; i >= 1; i-- {
		from, to := path+"."+strconv.Itoa(i)+ext, path+"."+strconv.Itoa(i+1)+ext
		if err := os.Rename(from, to); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
}

// rotateLogrotate does what logrotate does for one rotation of path with
// create, compress or not: with compress it shifts path.N.gz to
// path.N+1.gz, renames path to path.1 (over a plain path.1 left by
// rotations without compress) and compresses it; without, it shifts the
// plain path.N. It then creates an empty path. Each file it leaves gets
// the modification time at, as the seconds between real rotations give.
func rotateLogrotate(t *testing.T, path string, compress bool, at time.Time) {
	t.Helper()
	ext := ""
	if compress {
		ext = ".gz"
	}
	shiftNumbered(t, path, ext)
	if err := os.Chtimes(path, at, at); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if compress {
		gzipAway(t, path+".1")
		if err := os.Chtimes(path+".1.gz", at, at); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, path, "")
}

// TestCompressSwitched: logrotate's compress is turned on (or off)
// between rotations while the tailer is blocked, or stopped, in gen0
// (blocked, it may open the new files at the path ahead; with opened it
// provably opened gen2's, which compress then deletes when turned on).
// Turned on, gen0 is left as a plain path.2 beside path.2.gz, which holds
// gen2, a file of its own (gen1, at path.1, was renamed over by
// logrotate: lost before any reader could see it): gen0, gen2 and gen3
// are read whole, in that order, then the file now at the path
// (fresh-user trial 112: path.2.gz was taken for path.2 being compressed,
// and skipped without a word). Turned off, path.1 and path.2 (gen3,
// gen2) stand beside path.1.gz and path.2.gz (gen1, gen0): every line is
// read once, the two series interleaved by their numbers.
func TestCompressSwitched(t *testing.T) {
	for _, tc := range []struct {
		on      bool // compress turned on, else off
		restart bool // the tailer stopped, else blocked
		opened  bool // blocked, the reader opened gen2's file at the path
	}{{true, false, false}, {true, true, false}, {false, false, false}, {false, true, false}, {true, false, true}, {false, false, true}} {
		name := fmt.Sprintf("on=%v,restart=%v", tc.on, tc.restart)
		if tc.opened {
			name += ",opened"
		}
		t.Run(name, func(t *testing.T) {
			var (
				path string
				cfg  Config
				tl   *Tailer
				c    *collector
			)
			if tc.restart {
				path = filepath.Join(t.TempDir(), "app.log")
				writeFile(t, path, numbered("gen0", 0, 2))
				cfg = testConfig(t, path)
				c = start(t, cfg)
				c.waitN(2)
				c.stop()
				appendFile(t, path, numbered("gen0", 2, 50))
			} else {
				path, tl, c = blockedInGen0(t)
			}
			t0 := time.Now().Add(-time.Hour)
			gens := []string{numbered("gen0", 0, 50)}
			for g := 1; g <= 4; g++ {
				compress := g > 2 == tc.on // on: the last two rotations compress; off: the first two
				rotateLogrotate(t, path, compress, t0.Add(time.Duration(g)*time.Minute))
				name := fmt.Sprintf("gen%d", g)
				if g == 4 {
					name = "live"
				}
				gens = append(gens, numbered(name, 0, 20))
				appendFile(t, path, gens[g])
				if g == 2 && tc.opened {
					waitOpen(t, path)
				}
			}
			var want []string
			for g, lines := range gens {
				if !(tc.on && g == 1) { // gen1 renamed over by logrotate
					want = append(want, linesOf(lines)...)
				}
			}
			if tc.restart {
				c = start(t, cfg)
				want = want[2:]
			} else {
				c.openGate()
			}
			c.waitN(len(want))
			c.stop()
			if tc.on {
				checkExactly(t, c.texts(), want)
			} else if got := c.texts(); len(got) != len(want) || len(minus(want, got)) > 0 {
				t.Errorf("got %d lines, want %d\nmissing: %q\nextra: %q", len(got), len(want), minus(want, got), minus(got, want))
			}
			if tl != nil {
				if n := tl.Stats().UnplacedRotated; n != 0 {
					t.Errorf("Stats.UnplacedRotated = %d, want 0", n)
				}
			}
		})
	}
}
