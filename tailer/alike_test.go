package tailer

import (
	"fmt"
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
	waitKeptHashed(t, cfg, int64(len(same)+3), "renamed away")
	stop()
	restartAfterAlikeRotations(t, cfg, same, "cc2", 3)
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
	waitKeptHashed(t, cfg, int64(len(same)+7), "deleted while drained")
	stop()
	restartAfterAlikeRotations(t, cfg, same, "cc3", 1)
}

// waitKeptHashed waits until cfg's saved checkpoint keeps the newest
// file's position at next and one file between (betweenTailer), and fails
// t unless it hashes the bytes before its own offset and the kept one's,
// in files that were how (renamed away, deleted).
func waitKeptHashed(t *testing.T, cfg Config, next int64, how string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ck := readCheckpoint(t, cfg)
		if ck.Next != nil && ck.Next.Offset == next && len(ck.Between) == 1 {
			if ck.PreLen == 0 || ck.Between[0].PreLen == 0 {
				t.Fatalf("checkpoint hashes %d bytes before its offset and %d before the kept one's, in files %s: want both", ck.PreLen, ck.Between[0].PreLen, how)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("checkpoint %+v (next %+v), want one keeping the newest file at %d and one between", ck, ck.Next, next)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// restartAfterAlikeRotations appends last to the file at cfg's path, then
// rotates it twice (numbered, the first time shifting from copy n), each
// new file beginning with same, and checks that a restart reads last,
// then both new files whole.
func restartAfterAlikeRotations(t *testing.T, cfg Config, same, last string, n int) {
	t.Helper()
	path := cfg.Path
	appendFile(t, path, last+"\n")
	rotateAway(t, path, "numbered", n)
	appendFile(t, path, same+"dd\n")
	rotateAway(t, path, "numbered", n+1)
	appendFile(t, path, same+"ee\n")
	want := append([]string{last}, linesOf(same+"dd\n"+same+"ee\n")...)
	checkExactly(t, runOnce(t, cfg, len(want)), want)
}

// TestRenameRotationsWhileBlockedAlike: the tailer reads the file at the
// path while the one before it is still drained for late writes
// (Config.RotateWait), then is blocked by its consumer while the path is
// rotated twice, every file beginning with the same 2 KiB (container logs
// that each begin inside one long line logged again). The file that was
// at the path only in between is read too: it is not taken for a copy of
// the file still drained because it begins like it.
func TestRenameRotationsWhileBlockedAlike(t *testing.T) {
	same := strings.Repeat("x", 2048) + "\n"
	path := filepath.Join(t.TempDir(), "0.log")
	gen := func(g, n int) string { return same + numbered(fmt.Sprintf("gen%d", g), 0, n) }
	writeFile(t, path, gen(0, 3))
	cfg := testConfig(t, path)
	cfg.RotateWait = 10 * time.Second
	cfg.BatchLines, cfg.QueueLen = 1, 1
	tl, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := startCredited(t, tl)
	want := linesOf(gen(0, 3))
	c.grant(len(want))
	c.waitLines(t, len(want))
	rotateAway(t, path, "numbered", 1)
	appendFile(t, path, gen(1, 50))
	want = append(want, linesOf(gen(1, 50))...)
	c.grant(5)
	c.waitLines(t, len(linesOf(gen(0, 3)))+5)
	blockedAt(t, tl, uint64(len(linesOf(gen(0, 3)))+6))
	for g := 2; g <= 3; g++ {
		rotateAway(t, path, "numbered", g)
		appendFile(t, path, gen(g, 5))
		want = append(want, linesOf(gen(g, 5))...)
	}
	c.grant(1 << 10)
	c.waitLines(t, len(want))
	checkExactly(t, c.got(), want)
}

// TestUnseenCopyAlikeReadCopy: a restart reads a rotated copy (made
// while the tailer was stopped), then, while the tailer is blocked, the
// path is rotated twice: the file that was at the path only in between
// begins like that copy (every file beginning with the same 2 KiB) and
// is read all the same, not taken for the copy read before (trial 206:
// Docker json-file, 40 KB lines, a rotation every 0.5 s: a file of 50
// lines written just after a restart never sent).
func TestUnseenCopyAlikeReadCopy(t *testing.T) {
	same := strings.Repeat("x", 2048) + "\n"
	path := filepath.Join(t.TempDir(), "0.log")
	writeFile(t, path, same+numbered("a", 0, 3))
	cfg := testConfig(t, path)
	checkExactly(t, runOnce(t, cfg, 4), linesOf(same+numbered("a", 0, 3)))
	appendFile(t, path, "a-rest\n")
	rotateAway(t, path, "numbered", 1)
	b := same + numbered("b", 0, 50)
	appendFile(t, path, b)
	cfg.BatchLines, cfg.QueueLen = 1, 1
	tl, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := startTailer(t, tl, make(chan struct{}))
	waitStats(t, tl, "the tailer blocked on its consumer", func(s Stats) bool { return s.Outstanding == 3 })
	want := append([]string{"a-rest"}, linesOf(b)...)
	for g, name := range []string{"c", "d"} {
		rotateAway(t, path, "numbered", g+2)
		lines := same + numbered(name, 0, 5)
		appendFile(t, path, lines)
		want = append(want, linesOf(lines)...)
	}
	c.openGateFor(want)
}

// TestHeldPositionHashedAfterDelete: a position held by CommitHeld (the
// start of a container log line whose last part is not read yet) in a
// file deleted since is saved with the hash of the bytes before it, from
// the batch committed, as a batch's end is (trial 207: Docker json-file
// with compress, the newest file's held position had none, and a restart
// read three alike .gz copies from it: 160 lines lost, their first parts
// glued into one 74 KB line).
func TestHeldPositionHashedAfterDelete(t *testing.T) {
	same := strings.Repeat("x", 2048) + "\n"
	tl, cfg, next, stop := betweenTailer(t, same)
	defer stop()
	path := cfg.Path
	appendFile(t, path, "xx\nyy\n") // "yy": the first part of a line
	b := next("xx")
	tl.CommitHeld(b, b.StartOf(1))
	tl.Release(b)
	remove(t, path)
	held := int64(len(same) + 3 + 3)
	deadline := time.Now().Add(10 * time.Second)
	for {
		ck := readCheckpoint(t, cfg)
		if ck.Next != nil && ck.Next.Offset == held {
			if ck.Next.PreLen == 0 {
				t.Fatalf("the held position in the deleted file is saved without the hash of the bytes before it: %+v", ck.Next)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("checkpoint %+v (next %+v), want the newest file's position held at %d", ck, ck.Next, held)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRenameRotationsWhileBlockedAlikeCompressed: as
// TestRenameRotationsWhileBlockedAlike, with each rotated copy compressed
// at once (Docker's json-file compress, logrotate's compress without
// delaycompress) and no file drained: the copy of the file read before is
// found among the compressed ones that begin alike by its first 64 KiB,
// and the one made in between is read (trial 207: "several rotated copies
// begin with the first bytes of the file read before them" and whole
// files not read).
func TestRenameRotationsWhileBlockedAlikeCompressed(t *testing.T) {
	same := strings.Repeat("x", 2048) + "\n"
	path, _, c := blockedIn(t, same)
	want := linesOf(same + numbered("gen0", 0, 50))
	for g := 1; g <= 2; g++ {
		if err := os.Rename(path+".1.gz", path+".2.gz"); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		rotateAway(t, path, "numbered", 0)
		gzipAway(t, path+".1")
		lines := same + numbered(fmt.Sprintf("gen%d", g), 0, 20)
		appendFile(t, path, lines)
		want = append(want, linesOf(lines)...)
	}
	c.openGateFor(want)
}
