package tailer

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRotatedBeforeFirstCommit: a file opened without a checkpoint is
// checkpointed at once, where reading starts, before any commit. A
// consumer that never commits (a collector down since the start) sees the
// file renamed to .1, then .1 to .2 and the next one to .1; after a
// restart the tailer finds the first file by its identity in .2 and reads
// every line once, in order: the rotated copies are not taken for files
// read before, nor is the file at the path taken for the first one. With
// StartAt end the lines present at start are skipped, and those after
// them are not.
func TestRotatedBeforeFirstCommit(t *testing.T) {
	for _, tc := range []struct {
		name    string
		startAt StartAt
		initial string // in the file when the tailer starts
	}{
		{"beginning, empty file", StartBeginning, ""},
		{"beginning", StartBeginning, numbered("old", 0, 5)},
		{"end", StartEnd, numbered("old", 0, 5)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			writeFile(t, path, tc.initial)
			cfg := testConfig(t, path)
			cfg.StartAt = tc.startAt
			tl, cancel, done := runTailer(t, cfg)
			read := neverCommit(tl) // no commit
			waitStats(t, tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
			// Saved before any line was read or committed.
			if _, err := os.Stat(checkpointFile(t, cfg.StateDir, path)); err != nil {
				t.Errorf("no checkpoint once the file was opened: %v", err)
			} else {
				ck := readCheckpoint(t, cfg)
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				wantOff := int64(0)
				if tc.startAt == StartEnd {
					wantOff = int64(len(tc.initial))
				}
				if !(FileID{Dev: ck.Dev, Ino: ck.Ino}).SameAs(fi) || ck.Offset != wantOff {
					t.Errorf("checkpoint at start %+v, want the file's device and inode at offset %d", ck, wantOff)
				}
			}

			want := ""
			if tc.startAt == StartBeginning {
				want = tc.initial
			}
			for gen, name := range []string{"a", "b", "c"} {
				lines := numbered(name, 0, 20)
				appendFile(t, path, lines)
				want += lines
				if gen < 2 {
					time.Sleep(50 * time.Millisecond) // read before the rotation
					rotateAway(t, path, "numbered", 1)
					writeFile(t, path, "")
					time.Sleep(3 * cfg.RotateWait) // the renamed file drained to its end
				}
			}
			waitStats(t, tl, "every line read", func(s Stats) bool { return s.Lines == uint64(len(linesOf(want))) })
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if n := <-read; n != len(linesOf(want)) {
				t.Fatalf("first run read %d lines, want %d", n, len(linesOf(want)))
			}
			if _, err := os.Stat(path + ".2"); err != nil {
				t.Fatal(err)
			}

			checkExactly(t, runOnce(t, cfg, len(linesOf(want))), linesOf(want))
		})
	}
}

// TestCopyTruncatedBeforeFirstCommit: a file empty when the tailer opens
// it is checkpointed at offset 0 with no first bytes to identify it by.
// Lines are appended and read, and the file is copytruncated (copied to
// .1, the older copy moved to .2, then cut to 0) once or twice while the
// consumer commits nothing (a collector down since the start). The
// checkpoint gets the file's first bytes once they are read, its offset
// still 0, so that after a restart the tailer tells the file at the path,
// the same inode refilled, from the one checkpointed, finds that one's
// copy by its first bytes and reads every line once, in order. Before,
// the restart resumed at offset 0 of the file at the path and never read
// the copies. The same holds when the empty file's checkpoint was written
// by an earlier run, stopped before the first line.
func TestCopyTruncatedBeforeFirstCommit(t *testing.T) {
	for _, tc := range []struct {
		rotations int
		restarted bool // a run stopped before the first line wrote the checkpoint
	}{
		{1, false}, {2, false}, {2, true},
	} {
		t.Run(fmt.Sprintf("%d copytruncates, restarted %v", tc.rotations, tc.restarted), func(t *testing.T) {
			rotations := tc.rotations
			path := filepath.Join(t.TempDir(), "app.log")
			writeFile(t, path, "")
			cfg := testConfig(t, path)
			if tc.restarted {
				c := start(t, cfg)
				waitStats(t, c.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
				if err := c.stop(); err != nil {
					t.Fatal(err)
				}
				if ck := readCheckpoint(t, cfg); ck.FpLen != 0 || ck.Offset != 0 {
					t.Fatalf("checkpoint of the empty file: fp_len %d, offset %d; want 0, 0", ck.FpLen, ck.Offset)
				}
			}
			tl, cancel, done := runTailer(t, cfg)
			neverCommit(tl) // no commit
			waitStats(t, tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })

			want := ""
			for gen := 0; gen <= rotations; gen++ {
				lines := numbered(fmt.Sprintf("gen%d", gen), 0, 20)
				appendFile(t, path, lines)
				want += lines
				waitStats(t, tl, "the lines read", func(s Stats) bool { return s.Lines == uint64(len(linesOf(want))) })
				if gen == 0 {
					ck := readCheckpoint(t, cfg)
					if ck.FpLen == 0 || ck.Offset != 0 {
						t.Errorf("checkpoint once the first lines were read: fp_len %d, offset %d; want the first bytes' fingerprint (fp_len > 0) at offset 0", ck.FpLen, ck.Offset)
					}
				}
				if gen < rotations {
					for i := gen; i >= 1; i-- {
						if err := os.Rename(fmt.Sprintf("%s.%d", path, i), fmt.Sprintf("%s.%d", path, i+1)); err != nil {
							t.Fatal(err)
						}
					}
					copyTruncate(t, path, path+".1")
					waitStats(t, tl, "the truncation seen", func(s Stats) bool { return s.Truncations == uint64(gen+1) })
				}
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			checkExactly(t, runOnce(t, cfg, len(linesOf(want))), linesOf(want))
		})
	}
}
