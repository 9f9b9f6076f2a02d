package tailer

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// TestCopyRenamedSinceListed: a rotated copy listed at a restart is
// renamed by logrotate before the tailer opens it (a rotation while the
// agent starts, slow under load), and the next copy takes its name
// (path.2.gz to path.3.gz, path.1 to path.2.gz; path.1 to path.2, the
// file at the path to path.1). The copy listed is read, under its new
// name, from the offset given, and its resume offset is placed in it: not
// the copy now at the name it was listed by, from that offset, which sent
// again the lines of the next copy between the offset and its own kept
// position (/tmp/dupe run L9 seed 10, logrotate's create, compress and
// delaycompress with a rotation 0.4 s after the agent's start: 1,560
// lines sent twice; run F2a seed 5, a rotation 0.1 s after the start:
// the next copy's first bytes, read at the name, made the position kept for
// the copy unknown, and it was read again from 0, 1,360 lines twice).
func TestCopyRenamedSinceListed(t *testing.T) {
	for _, gz := range []bool{true, false} {
		name := "plain"
		if gz {
			name = "gz"
		}
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit_json.log")
			cfg := testConfig(t, path)
			listed := numbered("x", 1, 11)       // 9 bytes a line
			next := numbered("next-copy", 1, 31) // 17 bytes a line: x's offsets fall inside its lines
			at, to := path+".1", path+".2"
			write := func(name, data string) { writeFile(t, name, data) }
			if gz {
				at, to = path+".2.gz", path+".3.gz"
				write = func(name, data string) { writeGzip(t, name, []byte(data)) }
			}
			write(at, listed)
			sibs, err := rotatedSiblings(cfg.naming())
			if err != nil || len(sibs) != 1 {
				t.Fatalf("siblings %v, %v: want the one copy", sibs, err)
			}
			s := sibs[0]
			// The rotation, between the listing and the open.
			if err := os.Rename(at, to); err != nil {
				t.Fatal(err)
			}
			write(at, next)

			tl, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			from := int64(len(numbered("x", 1, 6)))
			// The position a checkpoint keeps for it is found by its
			// first bytes: the listed copy's, not the next one's.
			d, i := devIno(s.fi)
			id := FileID{Dev: d, Ino: i, Fingerprint: fingerprint([]byte(listed)), FingerprintLen: len(listed)}
			kept := []keptPosition{{pos: &checkpoint.Position{Dev: d, Ino: i, Offset: from}, id: id}}
			if got, _ := keptOffset(kept, s); got != from {
				t.Errorf("keptOffset = %d, want %d (the position kept for the copy listed)", got, from)
			}
			if got := tl.copyResumeOffset(s, from); got != from {
				t.Errorf("copyResumeOffset = %d, want %d (the line start in the copy listed)", got, from)
			}
			got, gone, err := drainCopyLines(tl, s, from)
			if err != nil || gone {
				t.Fatalf("drainCopy: gone %v, err %v; want the copy read under its new name", gone, err)
			}
			checkExactly(t, got, linesOf(numbered("x", 6, 11)))
		})
	}
}

// TestCopyCompressedSinceListed: a plain rotated copy listed at a restart
// is renamed and compressed by logrotate (path.1 to path.2, then
// path.2.gz, another inode, path.2 removed) before the tailer opens it:
// its lines are read from the .gz, found by its time (compress keeps it),
// from the offset given. Before, the copy was gone and its lines lost
// (/tmp/dupe runs P3 and G3 seed 16, a rotation 0.04 s after a start:
// 160 and 120 lines).
func TestCopyCompressedSinceListed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit_json.log")
	cfg := testConfig(t, path)
	listed := numbered("x", 1, 11)
	writeFile(t, path+".1", listed)
	sibs, err := rotatedSiblings(cfg.naming())
	if err != nil || len(sibs) != 1 {
		t.Fatalf("siblings %v, %v: want the one copy", sibs, err)
	}
	s := sibs[0]
	writeFile(t, path+".2.gz.tmp", "") // takes an inode, as the files of a busy directory do
	if err := os.Rename(path+".1", path+".2"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path+".1", numbered("next-copy", 1, 31))
	writeGzip(t, path+".2.gz", []byte(listed))
	if err := os.Chtimes(path+".2.gz", s.fi.ModTime(), s.fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path + ".2"); err != nil {
		t.Fatal(err)
	}
	tl, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	from := int64(len(numbered("x", 1, 6)))
	got, gone, err := drainCopyLines(tl, s, from)
	if err != nil || gone {
		t.Fatalf("drainCopy: gone %v, err %v; want the copy read from its .gz", gone, err)
	}
	checkExactly(t, got, linesOf(numbered("x", 6, 11)))
}

// drainCopyLines runs tl.drainCopy(s, from) alone, tl not started, and
// returns the lines it read (each batch committed), and drainCopy's
// results. tl cannot be used after it.
func drainCopyLines(tl *Tailer, s sibling, from int64) (got []string, gone bool, err error) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range tl.Batches() {
			for i := 0; i < b.Len(); i++ {
				got = append(got, string(b.Line(i)))
			}
			tl.Commit(b, b.Len())
			tl.Release(b)
		}
	}()
	gone, err = tl.drainCopy(context.Background(), s, from)
	close(tl.out)
	<-done
	return got, gone, err
}
