package tailer

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// logrotateCompress rotates path as logrotate's numbered scheme with
// create, compress and delaycompress does: path.N and path.N.gz shift up,
// path becomes path.1, an empty file is created at path, and path.2 is
// compressed to path.2.gz (gzip's header carrying its time), the plain
// one removed.
func logrotateCompress(t *testing.T, path string) {
	t.Helper()
	for k := 8; k >= 1; k-- {
		for _, ext := range []string{"", ".gz"} {
			from := path + "." + strconv.Itoa(k) + ext
			if err := os.Rename(from, path+"."+strconv.Itoa(k+1)+ext); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
	}
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, "")
	two := path + ".2"
	data, err := os.ReadFile(two)
	if os.IsNotExist(err) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(two)
	if err != nil {
		t.Fatal(err)
	}
	writeGzipMod(t, two+".gz", data, fi.ModTime())
	if err := os.Remove(two); err != nil {
		t.Fatal(err)
	}
}

// TestRestartsAfterKeptFileCompressed: a file whose position a checkpoint
// keeps apart (Next: read while the file before it was drained) is
// compressed to another inode while the tailer is stopped; the restart
// reads the .gz from that position, then the copies after it. Later
// restarts read nothing of it again: every line exactly once over four
// runs stopped cleanly. Before (fresh-user trial 274), the position stayed
// that of the gone inode, which the second restart found again in the
// .gz by its first bytes and read from the stale offset: 10 lines sent
// twice, and with container logs a partial line at the .gz's end joined
// to a line of another file.
func TestRestartsAfterKeptFileCompressed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit_json.log")
	cfg := testConfig(t, path)
	cfg.RotateWait = 10 * time.Second
	var got []string
	run := func(n int, during func(col *collector)) {
		t.Helper()
		got = append(got, runCommitted(t, cfg, n, during)...)
	}
	writeFile(t, path, numbered("l", 1, 11))
	run(10, func(col *collector) {
		appendFile(t, path, numbered("l", 11, 21))
		logrotateCompress(t, path)
		appendFile(t, path, numbered("l", 21, 31))
		col.waitN(30)
	})
	ck := readCheckpoint(t, cfg)
	if ck.Next == nil {
		t.Fatalf("checkpoint %+v: want the newer file's position kept apart (Next)", ck)
	}
	appendFile(t, path, numbered("l", 31, 41)) // the kept file grows while stopped
	logrotateCompress(t, path)
	appendFile(t, path, numbered("l", 41, 51))
	logrotateCompress(t, path) // the kept file is compressed: another inode
	appendFile(t, path, numbered("l", 51, 61))
	run(30, func(col *collector) {
		appendFile(t, path, numbered("l", 61, 66))
		logrotateCompress(t, path)
		appendFile(t, path, numbered("l", 66, 71))
		col.waitN(40)
	})
	run(0, nil)
	run(0, nil)
	checkExactly(t, got, linesOf(numbered("l", 1, 71)))
}
