package tailer

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// TestRestartEmptyCheckpointFileCompressed: the checkpoint rests in a
// rotated file that was empty when the restart found it (logrotate's
// create rotated the file at the path twice while the agent was stopped,
// the second time before anything was written to it), followed for late
// writes, so that the positions of the newer files read meanwhile are kept
// apart (Between, Next) and the checkpoint's own file has no first bytes
// (fp_len 0). Logrotate compresses it while the agent is stopped again:
// another inode, and no first bytes to find it by. The next restart must
// still take the empty .gz for it and read on from the kept positions,
// not take the checkpoint for lost and send again the copies last written
// shortly before it was saved (the scenario of /tmp/dupe, seed 6 of run
// L8: 2,960 lines sent twice, a whole rotated file).
func TestRestartEmptyCheckpointFileCompressed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit_json.log")
	cfg := testConfig(t, path)
	cfg.RotateWait = 10 * time.Second // every rotated file is drained for late writes
	var got []string
	run := func(n int, during func(col *collector)) {
		t.Helper()
		got = append(got, runCommitted(t, cfg, n, during)...)
	}
	writeFile(t, path, numbered("a", 1, 11))
	run(10, func(col *collector) {
		logrotateCompress(t, path) // a → .1, drained; b at the path
		appendFile(t, path, numbered("b", 1, 11))
		col.waitN(20)
	})
	appendFile(t, path, numbered("b", 11, 16)) // written while stopped
	logrotateCompress(t, path)                 // b → .1, c (empty) at the path; a → .2.gz
	logrotateCompress(t, path)                 // c → .1, still empty; b → .2.gz; d at the path
	appendFile(t, path, numbered("d", 1, 11))
	run(15, func(col *collector) {
		logrotateCompress(t, path) // d → .1; e at the path; c → .2.gz
		appendFile(t, path, numbered("e", 1, 11))
		col.waitN(25)
	})
	ck := readCheckpoint(t, cfg)
	if ck.FpLen != 0 || ck.Offset != 0 || ck.Next == nil {
		t.Fatalf("checkpoint %+v: want it in the empty rotated file (fp_len 0, offset 0), with the newer files' positions kept apart", ck)
	}
	logrotateCompress(t, path) // e → .1; f at the path; d → .2.gz, c → .3.gz: the empty file on another inode
	if fi, err := os.Stat(path); err != nil {
		t.Fatal(err)
	} else if d, i := devIno(fi); d == ck.Dev && i == ck.Ino {
		// f was given the inode of c, compressed and removed: as in the
		// scenario, put f on another one.
		writeFile(t, path+".tmp", "")
		if err := os.Rename(path+".tmp", path); err != nil {
			t.Fatal(err)
		}
	}
	appendFile(t, path, numbered("f", 1, 11))
	run(10, nil)
	run(0, nil)
	want := linesOf(numbered("a", 1, 11) + numbered("b", 1, 16) + numbered("d", 1, 11) + numbered("e", 1, 11) + numbered("f", 1, 11))
	checkExactly(t, got, want)
}

// TestEmptyCheckpointFileInodeReused: the checkpoint rests in a rotated
// file that was empty (fp_len 0), with the position of the newer file
// kept apart (Next); while the agent is stopped, logrotate rotates again:
// the newer file gets late lines and becomes path.1, the empty one is
// compressed and removed, and the new file at the path is given its inode.
// The restart must not take that new file for the checkpoint's (it was
// renamed away, as Next says, and never comes back to the path): the
// newer file's late lines are read from its kept position, then the new
// file. Before, the restart resumed in the new file at 0 and the late
// lines were lost (/tmp/dupe run F2b seed 8: 80 lines; O10 seed 16, the
// code before these changes: 600).
func TestEmptyCheckpointFileInodeReused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit_json.log")
	cfg := testConfig(t, path)
	read := numbered("b", 1, 11)
	writeFile(t, path+".1", read+numbered("b", 11, 16)) // the newer file, 5 lines written while stopped
	writeGzip(t, path+".2.gz", nil)                     // the empty file, compressed
	writeFile(t, path, numbered("c", 1, 11))            // the new file, on the empty one's inode
	live := checkpointFor(t, path, path, 0)
	next := checkpointFor(t, path, path+".1", int64(len(read)))
	fpRead := fingerprint([]byte(read))
	ck := checkpoint.Position{Version: checkpoint.PositionVersion, Path: path, File: path + ".1",
		Dev: live.Dev, Ino: live.Ino, Fingerprint: hex.EncodeToString(make([]byte, 32)), FpLen: 0, Offset: 0,
		Next: &checkpoint.FilePosition{File: path, Dev: next.Dev, Ino: next.Ino,
			Fingerprint: hex.EncodeToString(fpRead[:]), FpLen: len(read), Offset: int64(len(read))},
		Updated: time.Now()}
	writeCheckpoint(t, cfg, ck)
	got := runCommitted(t, cfg, 15, nil)
	checkExactly(t, got, linesOf(numbered("b", 11, 16)+numbered("c", 1, 11)))
}
