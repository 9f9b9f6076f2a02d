package tailer

import (
	"os"
	"slices"
	"testing"
	"time"
)

// TestResumeRotatedKeepsNext: a restart whose checkpoint points into a
// rotated copy and keeps the newer file's position apart
// (checkpoint.Position.Next) drains the copy, and the checkpoint of what
// it drained keeps that position, so that a third run resumes the newer
// file where the first left it instead of reading it again from 0 (a
// line held at the end of the renamed file, then the newer file's line:
// the third run sent that line again). The second run, once the copy's
// line is committed, is at the end of the newer file, as run --once waits
// for.
func TestResumeRotatedKeepsNext(t *testing.T) {
	path, cfg := stoppedWhileDraining(t, "a0\nheld")

	// The second run drains the copy: its held last line is sent, as the
	// copy is written no more.
	c := start(t, cfg)
	c.waitFor("held", func(l []string) bool { return slices.Contains(l, "held") })
	// Once the copy's line is committed, the tailer is at the end of the
	// newer file, with no lag, as run --once waits for (trial 236: it
	// waited for ever, Stats naming the copy as the file read).
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	waitStats(t, c.tl, "the end of the newer file, the copy's line committed", func(s Stats) bool {
		return s.ReadFile.SameAs(fi) && s.ReadOffset == fi.Size() && s.CheckpointLag == 0
	})
	if err := c.stop(); err != nil {
		t.Fatal(err)
	}
	checkExactly(t, c.texts(), []string{"held"})

	sendsOnlyNew(t, cfg, path)
}

// TestResumeRotatedNothingToDrain: a restart whose checkpoint points into
// a rotated copy with nothing left in it after the checkpoint, and keeps
// the newer file's position, sends nothing, reports no file read in this
// run (Stats.ReadFile zero: run --once then takes the saved checkpoint for
// where reading is, and ends; a ReadFile set to the newer file with no
// commit made it wait for ever), and keeps the newer file's position for
// the next start.
func TestResumeRotatedNothingToDrain(t *testing.T) {
	path, cfg := stoppedWhileDraining(t, "a0\n")

	c := start(t, cfg)
	waitStats(t, c.tl, "the start", func(s Stats) bool { return s.Mode == ModeFollowing })
	if st := c.tl.Stats(); st.ReadFile != (FileID{}) || st.Lines != 0 {
		t.Errorf("second run: ReadFile %v, %d lines; want none read", st.ReadFile, st.Lines)
	}
	if err := c.stop(); err != nil {
		t.Fatal(err)
	}

	sendsOnlyNew(t, cfg, path)
}

// stoppedWhileDraining runs a tailer over a file holding head (a0, then
// maybe a last line without its newline), renames the file to .1 and
// writes n0 to a new one, and stops once a0 and n0 were delivered, the
// renamed file still drained (RotateWait a minute): the checkpoint points
// into the copy and keeps the newer file's position (Next). The copy is
// then dated two RotateWaits back. It returns the path and the config,
// for the next start.
func stoppedWhileDraining(t *testing.T, head string) (string, Config) {
	t.Helper()
	path := t.TempDir() + "/audit_json.log"
	cfg := testConfig(t, path)
	cfg.RotateWait = time.Minute
	writeFile(t, path, head)
	c := start(t, cfg)
	c.waitFor("a0", func(l []string) bool { return slices.Contains(l, "a0") })
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, "n0\n")
	c.waitFor("n0", func(l []string) bool { return slices.Contains(l, "n0") })
	if err := c.stop(); err != nil {
		t.Fatal(err)
	}
	checkExactly(t, c.texts(), []string{"a0", "n0"})
	// The copy was last written before RotateWait: no writer holds it,
	// so the next start reads it once (a copy written since is read for
	// late writes: TestRestartWhileRenamedIsWritten).
	old := time.Now().Add(-2 * cfg.RotateWait)
	if err := os.Chtimes(path+".1", old, old); err != nil {
		t.Fatal(err)
	}
	return path, cfg
}

// sendsOnlyNew starts a tailer with cfg, appends n1 to path, and fails
// unless n1 alone is delivered: nothing read before is sent again.
func sendsOnlyNew(t *testing.T, cfg Config, path string) {
	t.Helper()
	c := start(t, cfg)
	appendFile(t, path, "n1\n")
	c.waitFor("n1", func(l []string) bool { return slices.Contains(l, "n1") })
	if err := c.stop(); err != nil {
		t.Fatal(err)
	}
	checkExactly(t, c.texts(), []string{"n1"})
}
