package tailer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRotatedWhileStoppedAlikeHeads: while the tailer is stopped, the
// file is rotated twice, and the copy made in between and the new file at
// the path begin with the same 2 KiB (container logs that each begin
// inside a long line logged again: its continuation), more than the
// fingerprint. The restart reads the rest of the checkpoint's file, then
// that copy, then the new file: the copy is not taken for a copy of the
// new file (trial 204: with format docker, 777 of 2,542 lines skipped, and
// the first part of a line joined to another's end).
func TestRotatedWhileStoppedAlikeHeads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "0.log")
	writeFile(t, path, numbered("a", 0, 3))
	cfg := testConfig(t, path)
	checkExactly(t, runOnce(t, cfg, 3), linesOf(numbered("a", 0, 3)))
	same := strings.Repeat("x", 2048) + "\n" // alike beginnings
	appendFile(t, path, "a-rest\n")
	rotateAway(t, path, "numbered", 1)
	appendFile(t, path, same+numbered("b", 0, 2))
	rotateAway(t, path, "numbered", 2)
	appendFile(t, path, same+numbered("c", 0, 2))
	want := append(append([]string{"a-rest"}, linesOf(same+numbered("b", 0, 2))...), linesOf(same+numbered("c", 0, 2))...)
	checkExactly(t, runOnce(t, cfg, len(want)), want)
}

// TestRotatedWhileStoppedAlikeKept: the checkpoint keeps positions for
// files read after its own (checkpoint.Position.Between and Next), all
// the files begin with the same 2 KiB, and while the tailer is stopped
// the file is rotated twice more. The copy made in between begins like
// the kept files and is as long, so it is no copytruncate copy of one
// of them: the bytes before a kept offset differ. The restart reads the
// kept file's rest, that copy, then the new file. Before, the copy was
// read from a kept file's offset, its end: its lines never came (a
// Docker json-file log rotated while the agent was stopped: 3,834 lines
// on disk at the restart never sent). The checkpoint keeps the hash
// before the offset of a file renamed away too.
func TestRotatedWhileStoppedAlikeKept(t *testing.T) {
	same := strings.Repeat("x", 2048) + "\n"
	_, cfg, _, stop := betweenTailer(t, same)
	path := cfg.Path
	deadline := time.Now().Add(10 * time.Second)
	for {
		ck := readCheckpoint(t, cfg)
		if ck.Next != nil && ck.Next.Offset == int64(len(same)+3) && len(ck.Between) == 1 {
			if ck.PreLen == 0 || ck.Between[0].PreLen == 0 {
				t.Fatalf("checkpoint hashes %d bytes before its offset and %d before the kept one's, in files renamed away: want both", ck.PreLen, ck.Between[0].PreLen)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("checkpoint %+v, want one keeping the newest file and one between", ck)
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	appendFile(t, path, "cc2\n")
	rotateAway(t, path, "numbered", 3)
	appendFile(t, path, same+"dd\n")
	rotateAway(t, path, "numbered", 4)
	appendFile(t, path, same+"ee\n")
	want := append([]string{"cc2"}, linesOf(same+"dd\n"+same+"ee\n")...)
	checkExactly(t, runOnce(t, cfg, len(want)), want)
}

// TestRotatedWhileStoppedAlikeCheckpointGone: while the tailer is
// stopped, the file the checkpoint points into is rotated and deleted
// (logrotate's rotate count), and the copies left begin with the same
// 2 KiB and are at least as long. None of them is taken for the
// checkpoint's file, whose bytes before the offset they do not hold: the
// restart warns that the checkpoint's file is gone and reads the copies
// made since whole, then the new file. Before, the first alike copy was
// read from the checkpoint's offset, and its lines before it never came.
// The copy's time is set just before the checkpoint's, as the kernel's
// coarse clock can stamp a file written just after the save: it is read
// all the same.
func TestRotatedWhileStoppedAlikeCheckpointGone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "0.log")
	same := strings.Repeat("x", 2048) + "\n"
	writeFile(t, path, same+"aa\n")
	cfg := testConfig(t, path)
	checkExactly(t, runOnce(t, cfg, 2), linesOf(same+"aa\n"))
	rotateAway(t, path, "numbered", 1)
	appendFile(t, path, same+"bb\n"+"bb2\n")
	rotateAway(t, path, "numbered", 1)
	if err := os.Remove(path + ".2"); err != nil {
		t.Fatal(err)
	}
	early := readCheckpoint(t, cfg).Updated.Add(-5 * time.Millisecond)
	if err := os.Chtimes(path+".1", early, early); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, same+"cc\n")
	want := linesOf(same + "bb\nbb2\n" + same + "cc\n")
	checkExactly(t, runOnce(t, cfg, len(want)), want)
}

// TestRotatedDeletedWhileDrainedAlike: the files the checkpoint keeps
// positions for (its own and one between) are deleted while the tailer
// still drains them (the kubelet and Docker delete the oldest copy, and
// rotations come faster than Config.RotateWait): the checkpoint still
// hashes the bytes before their offsets, from the batches committed, so
// that at a restart copies that only begin alike are not taken for them.
// Before, those positions had no hash, an alike copy of the same length
// was read from a kept offset, its end, and its lines never came (trial
// 206: Docker json-file with 40 KB lines, 1,060 lines on disk at the
// restarts never sent).
func TestRotatedDeletedWhileDrainedAlike(t *testing.T) {
	same := strings.Repeat("x", 2048) + "\n"
	tl, cfg, next, stop := betweenTailer(t, same)
	path := cfg.Path
	remove(t, path+".2") // the checkpoint's file
	remove(t, path+".1") // the file between
	appendFile(t, path, "cc2\n")
	b := next("cc2")
	tl.Commit(b, b.Len())
	tl.Release(b)
	deadline := time.Now().Add(10 * time.Second)
	for {
		ck := readCheckpoint(t, cfg)
		if ck.Next != nil && ck.Next.Offset == int64(len(same)+7) && len(ck.Between) == 1 {
			if ck.PreLen == 0 || ck.Between[0].PreLen == 0 {
				t.Fatalf("checkpoint hashes %d bytes before its offset and %d before the kept one's, in files deleted while drained: want both", ck.PreLen, ck.Between[0].PreLen)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("checkpoint %+v (next %+v), want the newest file's position after cc2", ck, ck.Next)
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	appendFile(t, path, "cc3\n")
	rotateAway(t, path, "numbered", 1)
	appendFile(t, path, same+"dd\n")
	rotateAway(t, path, "numbered", 2)
	appendFile(t, path, same+"ee\n")
	want := append([]string{"cc3"}, linesOf(same+"dd\n"+same+"ee\n")...)
	checkExactly(t, runOnce(t, cfg, len(want)), want)
}
