package tailer

import (
	"os"
	"slices"
	"testing"
	"time"
)

// TestBackupCopiesWarned: a restart finds a rotated copy that logrotate
// renamed to NAME-YYYYMMDDHH.backup (the destination of a rotation
// existed, after its settings changed) and that was written after the
// checkpoint was saved: it is counted in Stats.UnplacedRotated (and
// warned about), as it may hold lines never read and is not read; one
// last written before the checkpoint, and a file of another name, are
// not. Before (trial 235), such a copy's 100 lines were lost unsaid. So
// is a file renamed from the path itself to NAME-YYYYMMDDHH.backup.
func TestBackupCopiesWarned(t *testing.T) {
	path := t.TempDir() + "/audit_json.log"
	cfg := testConfig(t, path)
	writeFile(t, path, "a0\n")
	c := start(t, cfg)
	c.waitFor("a0", func(l []string) bool { return slices.Contains(l, "a0") })
	if err := c.stop(); err != nil {
		t.Fatal(err)
	}
	old := path + ".2.gz-2026120601.backup"
	writeFile(t, old, "written before the checkpoint\n")
	if err := os.Chtimes(old, time.Now().Add(-time.Hour), time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	backup := path + ".1-2026120623.backup"
	writeFile(t, backup, "b0\n")
	// Written after the checkpoint: the file system's clock, coarser than
	// time.Now, could date it before the checkpoint saved just before.
	if err := os.Chtimes(backup, time.Now().Add(time.Second), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	// The file at the path itself, recreated by a writer between
	// logrotate's rename and its create (trial 252: its line was lost
	// unsaid).
	live := path + "-2026120707.backup"
	writeFile(t, live, "b3\n")
	if err := os.Chtimes(live, time.Now().Add(time.Second), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path+".1-notadate.backup", "b1\n")
	writeFile(t, path+"x.1-2026120623.backup", "b2\n")

	tl, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c = startTailer(t, tl, nil)
	appendFile(t, path, "a1\n")
	c.waitFor("a1", func(l []string) bool { return slices.Contains(l, "a1") })
	if got := tl.Stats().UnplacedRotated; got != 2 {
		t.Errorf("UnplacedRotated = %d, want 2 (the copy and the file renamed to .backup since the checkpoint)", got)
	}
	if err := c.stop(); err != nil {
		t.Fatal(err)
	}
	checkExactly(t, c.texts(), []string{"a1"})
}
