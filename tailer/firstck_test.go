package tailer

import (
	"context"
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
			tl, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- tl.Run(ctx) }()
			read := make(chan int, 1)
			go func() { // the collector never acknowledges: no commit
				n := 0
				for b := range tl.Batches() {
					n += b.Len()
					tl.Release(b)
				}
				read <- n
			}()
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
