package tailer

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestPreHashFileOnReusedInode: the bytes before a kept offset are read at
// the file's name only while the file there is the one kept, by its first
// bytes as well as its inode. logrotate's copytruncate made the copy
// audit_json.log.1 on the inode of the earlier copy of that name,
// compressed and deleted since; hashing the newer copy's bytes for the
// earlier one's position made the restart read the earlier copy's .gz
// again from 0 (fresh-user trial 275: lines sent twice).
func TestPreHashFileOnReusedInode(t *testing.T) {
	name := filepath.Join(t.TempDir(), "audit_json.log.1")
	earlier := numbered("earlier", 0, 11)
	writeFile(t, name, earlier)
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	dev, ino := devIno(fi)
	head := earlier[:min(len(earlier), FingerprintMax)]
	id := FileID{Dev: dev, Ino: ino, Fingerprint: fingerprint([]byte(head)), FingerprintLen: len(head)}
	off := int64(len(earlier))
	n, sum := preHash(name, id, off)
	if n != preWindow || sum != preSum([]byte(earlier[off-preWindow:])) {
		t.Fatalf("preHash of the file kept = %d %q, want %d and the hash of its last %d bytes", n, sum, preWindow, preWindow)
	}

	// The newer copy on the same inode: truncated and written in place.
	if err := os.WriteFile(name, []byte(numbered("newer", 0, 14)), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi2, err := os.Stat(name); err != nil || !id.SameAs(fi2) {
		t.Fatalf("the newer copy is not on the kept inode (err %v)", err)
	}
	if n, sum := preHash(name, id, off); n != 0 || sum != "" {
		t.Errorf("preHash of the newer file on the kept inode = %d %q, want 0 and \"\"", n, sum)
	}
	// A position without a fingerprint (an empty file's) is not checked.
	if n, _ := preHash(name, FileID{Dev: dev, Ino: ino}, off); n != preWindow {
		t.Errorf("preHash without a fingerprint = %d, want %d", n, preWindow)
	}
}

// copyTruncateCompress rotates path as logrotate's copytruncate,
// compress and delaycompress do: the copies .N.gz move to .N+1.gz, .1 is
// compressed to .2.gz, path is copied to .1 and truncated. With reuse the
// new .1 is written in place, on the inode of the .1 just compressed, as
// a file system gives a new file the inode freed just before; else it
// gets a new inode.
func copyTruncateCompress(t *testing.T, path string, reuse bool) {
	t.Helper()
	for k := 8; k >= 2; k-- {
		if err := os.Rename(path+"."+strconv.Itoa(k)+".gz", path+"."+strconv.Itoa(k+1)+".gz"); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	one := path + ".1"
	if old, err := os.ReadFile(one); err == nil {
		writeGzipMod(t, path+".2.gz", old, time.Now())
	} else if !os.IsNotExist(err) {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if reuse {
		err = os.WriteFile(one, data, 0o644) // truncates in place
	} else {
		if err = os.WriteFile(one+".new", data, 0o644); err == nil {
			err = os.Rename(one+".new", one)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
}

// TestRestartsCopyTruncateReusedInode: a restart after copytruncate
// rotations, one of whose copies was made on the inode of the copy
// compressed just before, while the agent still drained the file its
// checkpoint was in (RotateWait), sends every line once (fresh-user trial
// 275: the earlier copy's lines were sent again from its .gz): the newer
// copy's position replaced the earlier one's, fingerprinted over fewer
// bytes (sameLater). Then a restart that reads copytruncate's copy of the
// file at the path from the position kept for that file, and another
// after the copy was compressed, send every line once: the copy takes the
// position's place (rekeyLater), which else stayed at the offset the
// restart read the copy from, and the next read its .gz from there again.
// Copies shorter and longer than FingerprintMax.
func TestRestartsCopyTruncateReusedInode(t *testing.T) {
	for _, tc := range []struct{ name, prefix string }{
		{"short lines", "l"},
		{"long lines", strings.Repeat("x", 120) + "l"},
	} {
		t.Run(tc.name, func(t *testing.T) { testRestartsCopyTruncateReusedInode(t, tc.prefix) })
	}
}

func testRestartsCopyTruncateReusedInode(t *testing.T, l string) {
	path := filepath.Join(t.TempDir(), "audit_json.log")
	cfg := testConfig(t, path)
	cfg.RotateWait = 10 * time.Second
	var got []string
	run := func(n int, during func(col *collector)) {
		t.Helper()
		got = append(got, runCommitted(t, cfg, n, during)...)
	}
	writeFile(t, path, numbered(l, 1, 31))
	run(30, nil)
	appendFile(t, path, numbered(l, 31, 41)) // while stopped
	copyTruncateCompress(t, path, false)
	appendFile(t, path, numbered(l, 41, 51))
	copyTruncateCompress(t, path, false)
	appendFile(t, path, numbered(l, 51, 53))
	// The checkpoint's file is in .2.gz; .1, written just before, is
	// drained for late writes (RotateWait) and holds the checkpoint.
	run(22, func(col *collector) {
		appendFile(t, path, numbered(l, 53, 61))
		col.waitN(30)
		copyTruncateCompress(t, path, false)
		appendFile(t, path, numbered(l, 61, 75))
		col.waitN(44)
		copyTruncateCompress(t, path, true) // .1 of line 61 on the inode of .1 of line 51
		appendFile(t, path, numbered(l, 75, 78))
		col.waitN(47)
	})
	appendFile(t, path, numbered(l, 78, 91)) // while stopped
	copyTruncateCompress(t, path, false)
	appendFile(t, path, numbered(l, 91, 93))
	run(15, nil) // reads .1 from the position kept for the file at the path
	copyTruncateCompress(t, path, false)
	appendFile(t, path, numbered(l, 93, 96))
	run(3, nil)
	run(0, nil)
	checkExactly(t, got, linesOf(numbered(l, 1, 96)))
}
