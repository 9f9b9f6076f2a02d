package tailer

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
)

// chtimes gives the files names the modification time mod.
func chtimes(t *testing.T, mod time.Time, names ...string) {
	t.Helper()
	for _, n := range names {
		if err := os.Chtimes(n, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRotatedSiblingsOrder: rotated copies are listed newest first in the
// order of their rotation, which their names give within one scheme
// (path.1 newer than path.2 and path.10 older than path.9; dateext by
// date, then by sequence), whatever their modification times: here they
// are all equal, as for copies written within one tick of the file
// system's clock. Copies of different schemes are ordered by modification
// time.
func TestRotatedSiblingsOrder(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	for _, tc := range []struct {
		name  string
		files map[string]time.Duration // name suffix: mtime relative to now
		want  []string                 // name suffixes, newest first
	}{
		{"numbered past 9", map[string]time.Duration{".1": 0, ".2": 0, ".9": 0, ".10": 0, ".11.gz": 0},
			[]string{".1", ".2", ".9", ".10", ".11.gz"}},
		{"numbered, older mtimes on newer names", map[string]time.Duration{".1": -time.Hour, ".2": 0, ".3.gz": time.Hour},
			[]string{".1", ".2", ".3.gz"}},
		{"dateext", map[string]time.Duration{"-20261120": 0, "-20261122.gz": 0, "-20261121": 0},
			[]string{"-20261122.gz", "-20261121", "-20261120"}},
		{"dateext with a sequence", map[string]time.Duration{"-20261122-9": 0, "-20261122-10": 0, "-20261121-11": 0, "-20261122": 0},
			[]string{"-20261122-10", "-20261122-9", "-20261122", "-20261121-11"}},
		{"hourly", map[string]time.Duration{"-2026112209": 0, "-2026112210": 0, "-2026112123": 0},
			[]string{"-2026112210", "-2026112209", "-2026112123"}},
		{"dateformat .%Y%m%d", map[string]time.Duration{".20261121": 0, ".20261122": 0},
			[]string{".20261122", ".20261121"}},
		{"kubelet", map[string]time.Duration{".20261122-134501": 0, ".20261122-090000.gz": 0, ".20261123-000000": 0},
			[]string{".20261123-000000", ".20261122-134501", ".20261122-090000.gz"}},
		{"schemes merged by mtime", map[string]time.Duration{".1": -time.Minute, ".2": -3 * time.Minute,
			"-20261122": -2 * time.Minute, "-20261121": -4 * time.Minute},
			[]string{".1", "-20261122", ".2", "-20261121"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			writeFile(t, path, "live\n")
			for suffix, d := range tc.files {
				writeFile(t, path+suffix, suffix+"\n")
				chtimes(t, now.Add(d), path+suffix)
			}
			sibs, err := rotatedSiblings(copyNaming{path: path})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range sibs {
				got = append(got, s.name[len(path):])
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("rotatedSiblings = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestRotatedSiblingsExtension: with Config.Extension (logrotate's
// extension option), the copies it names (x.log rotated as x.1.log,
// x-20261122.log.gz) are rotated siblings, in the order of their rotation
// (numbered: x.1.log newest; dated: by date), and names with another
// extension or no rotation suffix are not (fresh-user trial 64:
// copytruncate to them lost lines); without it, such names are live files
// of their own, not copies (trial 65: a live x-1.log next to x.log was
// read as x.log's copy).
func TestRotatedSiblingsExtension(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	for _, tc := range []struct {
		name  string
		ext   string   // Config.Extension
		files []string // in the directory, besides app.log
		want  []string // newest first
	}{
		{"numbered", ".log", []string{"app.10.log", "app.2.log.gz", "app.1.log", "app.1.txt", "app.bak.log", "app.log.bak"},
			[]string{"app.1.log", "app.2.log.gz", "app.10.log"}},
		{"dated", ".log", []string{"app-20261121.log", "app-20261122-1796135832.log.gz", "app-x.log", "app-20261120.log.xz"},
			[]string{"app-20261122-1796135832.log.gz", "app-20261121.log"}},
		{"another extension", ".txt", []string{"app.1.log", "app-1.log"}, nil},
		// Live files, not copies (fresh-user trial 67: read as app.log's).
		{"short suffixes", ".log", []string{"app-1.log", "app_2.log", "app-12.log"}, nil},
		{"no extension", "", []string{"app.1.log", "app-1.log", "app_2.log", "app.log.1"}, []string{"app.log.1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "app.log")
			writeFile(t, path, "live\n")
			for _, f := range tc.files {
				writeFile(t, filepath.Join(dir, f), f+"\n")
				chtimes(t, now, filepath.Join(dir, f))
			}
			sibs, err := rotatedSiblings(copyNaming{path: path, ext: tc.ext})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range sibs {
				got = append(got, filepath.Base(s.name))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("rotatedSiblings = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestRestartOrderSameMtime: rotated copies last written within one tick
// of the file system's clock (equal modification times, set here with
// os.Chtimes) are read at restart in the order of their rotation, which
// their names give, each once: after the checkpoint's file, found among
// them, or, that one removed by the rotate count, every copy written
// after the checkpoint was saved.
func TestRestartOrderSameMtime(t *testing.T) {
	a := numbered("a", 0, 10) // read before the restart
	for _, tc := range []struct {
		name string
		// rotate, while the tailer is stopped: returns the lines expected
		// at restart, in order.
		rotate func(t *testing.T, path string) string
	}{
		{"numbered, checkpoint's file among them", func(t *testing.T, path string) string {
			appendFile(t, path, numbered("a", 10, 12))
			var want string
			want += numbered("a", 10, 12)
			for _, g := range []string{"b", "c", "d"} {
				rotateAway(t, path, "numbered", 3)
				appendFile(t, path, numbered(g, 0, 3))
				want += numbered(g, 0, 3)
			}
			// app.log.3 is the checkpoint's file; .2, .1 came after it.
			chtimes(t, time.Now().Truncate(time.Second), path+".1", path+".2", path+".3")
			return want
		}},
		{"numbered past 9, checkpoint's file removed", func(t *testing.T, path string) string {
			var want string
			for i := 0; i < 12; i++ {
				rotateAway(t, path, "numbered", 12)
				g := "g" + strconv.Itoa(i+10)
				appendFile(t, path, numbered(g, 0, 2))
				want += numbered(g, 0, 2)
			}
			if err := os.Remove(path + ".12"); err != nil { // the checkpoint's file
				t.Fatal(err)
			}
			var copies []string
			for i := 1; i <= 11; i++ {
				copies = append(copies, path+"."+strconv.Itoa(i))
			}
			chtimes(t, time.Now().Add(time.Second).Truncate(time.Second), copies...)
			return want
		}},
		{"dateext, checkpoint's file removed", func(t *testing.T, path string) string {
			if err := os.Remove(path); err != nil { // logrotate's rotate count
				t.Fatal(err)
			}
			var want string
			for _, day := range []string{"20261121", "20261122", "20261123"} {
				writeFile(t, path+"-"+day, numbered("d"+day, 0, 2))
				want += numbered("d"+day, 0, 2)
			}
			chtimes(t, time.Now().Add(time.Second).Truncate(time.Second), path+"-20261121", path+"-20261122", path+"-20261123")
			writeFile(t, path, numbered("live", 0, 2))
			return want + numbered("live", 0, 2)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			writeFile(t, path, a)
			cfg := testConfig(t, path)
			checkExactly(t, runOnce(t, cfg, 10), linesOf(a))
			time.Sleep(20 * time.Millisecond) // a clock tick after the checkpoint was saved
			want := linesOf(tc.rotate(t, path))
			checkExactly(t, runOnce(t, cfg, len(want)), want)
		})
	}
}

// TestRestartAfterCopyCompressed: the checkpoint's content was copied
// away by a copytruncate while the tailer was stopped, and copied again
// (path.1 shifted to path.2, the new content copied to path.1), then
// path.2 compressed: path.2.gz, where the restart finds the checkpoint,
// was written after path.1 (compressing writes a new file), which holds
// the lines after it. Those are read, after the rest of path.2.gz and
// before the file's new lines: seq.py s2 lost them (100-150 lines in 4
// runs of 4), their copy taken for one written before the checkpoint's
// file by its modification time.
func TestRestartAfterCopyCompressed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	a := numbered("a", 0, 10)
	writeFile(t, path, a)
	cfg := testConfig(t, path)
	checkExactly(t, runOnce(t, cfg, 10), linesOf(a))

	appendFile(t, path, numbered("a", 10, 12))
	copyTruncate(t, path, path+".1")
	appendFile(t, path, numbered("b", 0, 5))
	if err := os.Rename(path+".1", path+".2"); err != nil {
		t.Fatal(err)
	}
	copyTruncate(t, path, path+".1")
	gzipAway(t, path+".2")
	appendFile(t, path, numbered("c", 0, 3))
	now := time.Now().Truncate(time.Second)
	chtimes(t, now.Add(-time.Second), path+".1")
	chtimes(t, now, path+".2.gz")

	want := linesOf(numbered("a", 10, 12) + numbered("b", 0, 5) + numbered("c", 0, 3))
	checkExactly(t, runOnce(t, cfg, len(want)), want)
}

// TestRotatedSiblingsOldDirSameDir: an olddir that is the file's own
// directory by another path (through a symbolic link) lists each copy
// once (fresh-user trial 65: each copy was read twice).
func TestRotatedSiblingsOldDirSameDir(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(real, "c.log"), "live\n")
	writeFile(t, filepath.Join(real, "c.log.1"), "old\n")
	if err := os.Symlink(real, filepath.Join(dir, "logs")); err != nil {
		t.Fatal(err)
	}
	for _, old := range []string{real, "../real", "."} {
		sibs, err := rotatedSiblings(copyNaming{path: filepath.Join(dir, "logs", "c.log"), oldDir: old})
		if err != nil || len(sibs) != 1 {
			t.Errorf("olddir %s: rotatedSiblings = %v, %v; want c.log.1 once", old, sibs, err)
		}
	}
}
