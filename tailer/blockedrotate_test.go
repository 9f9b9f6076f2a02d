package tailer

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRenameRotationsWhileBlockedRemoved is TestRenameRotationsWhileBlocked
// with rotate 1: each rotation removes the copy before (name.1), so the
// files that came after the one being read, at the path for 200 ms and
// then as name.1, are gone before the stalled consumer (a collector down)
// takes batches again. The reader, though blocked, opened each as it
// appeared at the path, and reads them in order once free (a fresh-user
// trial lost 1,810 of 6,000 lines this way: rotate 1, four rotations 3 s
// apart while the collector was down).
func TestRenameRotationsWhileBlockedRemoved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit_json.log")
	first := numbered("f0", 0, 100)
	writeFile(t, path, first)
	c := startStalled(t, path)
	want := linesOf(first)
	for g := 1; g <= 3; g++ {
		os.Remove(path + ".1")
		if err := os.Rename(path, path+".1"); err != nil {
			t.Fatal(err)
		}
		lines := numbered(fmt.Sprintf("f%d", g), 0, 40)
		writeFile(t, path, lines)
		want = append(want, linesOf(lines)...)
		time.Sleep(200 * time.Millisecond)
	}
	c.openGate()
	c.waitN(len(want))
	time.Sleep(100 * time.Millisecond) // a duplicate would follow
	c.stop()
	checkExactly(t, c.texts(), want)
}

// TestRenameRotationsWhileBlockedBurst: the blocked reader opened the file
// of the first rotation at the path, then two rotations came faster than
// it looks (PollInterval), so the file between them was at the path only
// in between: it is read from its rotated name, in order, with the
// copies kept (rotate 5).
func TestRenameRotationsWhileBlockedBurst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit_json.log")
	first := numbered("f0", 0, 100)
	writeFile(t, path, first)
	c := startStalled(t, path)
	want := linesOf(first)
	for g := 1; g <= 3; g++ {
		rotateAway(t, path, "numbered", g)
		lines := numbered(fmt.Sprintf("f%d", g), 0, 40)
		appendFile(t, path, lines)
		want = append(want, linesOf(lines)...)
		if g == 1 {
			time.Sleep(200 * time.Millisecond) // the reader opens f1's file
		}
	}
	time.Sleep(200 * time.Millisecond)
	c.openGate()
	c.waitN(len(want))
	time.Sleep(100 * time.Millisecond) // a duplicate would follow
	c.stop()
	checkExactly(t, c.texts(), want)
}

// TestRenameRotationsWhileBlockedCompressed: dateext with compress and a
// rotate count of 1 compressed copy, four rotations 200 ms apart while the
// consumer is stalled. Each new file appears empty at the path, where the
// blocked reader opens it; its lines come after. The file of the first
// rotation ends as a .gz that the next rotation deletes, so it is read
// from the file the reader holds; the later ones' .gz copies begin with
// the same lines as the files held, and are not read again (a run before
// this fix sent a file's 1,510 lines twice, once from each).
func TestRenameRotationsWhileBlockedCompressed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit_json.log")
	first := numbered("f0", 0, 100)
	writeFile(t, path, first)
	c := startStalled(t, path)
	want := linesOf(first)
	copyOf := func(g int) string { return fmt.Sprintf("%s-2026112%d", path, g) }
	for g := 1; g <= 4; g++ {
		rotateAway(t, path, "dateext", g)
		time.Sleep(50 * time.Millisecond) // the reader opens the new file, still empty
		lines := numbered(fmt.Sprintf("f%d", g), 0, 40)
		appendFile(t, path, lines)
		want = append(want, linesOf(lines)...)
		if g > 1 {
			gzipAway(t, copyOf(g-1))
		}
		if g > 2 {
			if err := os.Remove(copyOf(g-2) + ".gz"); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(150 * time.Millisecond)
	}
	c.openGate()
	c.waitN(len(want))
	time.Sleep(300 * time.Millisecond) // a duplicate would follow
	c.stop()
	checkExactly(t, c.texts(), want)
}
