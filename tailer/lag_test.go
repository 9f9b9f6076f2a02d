package tailer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckpointLagBacklog: while the consumer holds the batches (a
// collector down), the tailer stops reading, and Stats.CheckpointLag
// counts every byte of the file after the checkpoint, read or not, so
// that it grows with the backlog. Before, it counted only the bytes read
// and stayed at the few batches queued (fresh-user trial 100).
func TestCheckpointLagBacklog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, "first\n")
	cfg := testConfig(t, path)
	cfg.BatchLines, cfg.QueueLen = 10, 2
	tl, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	c := startTailer(t, tl, gate)
	gate <- struct{}{} // the first batch is committed
	c.waitN(1)
	waitStats(t, tl, "the checkpoint after the first line", func(s Stats) bool { return s.CommittedOffset == 6 })
	var more strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&more, "line %04d\n", i)
	}
	appendFile(t, path, more.String())
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	want := fi.Size() - 6
	waitStats(t, tl, "the lag to count the whole backlog", func(s Stats) bool { return s.CheckpointLag == want })
	if s := tl.Stats(); s.ReadOffset-s.CommittedOffset >= want {
		t.Fatalf("the tailer read %d bytes past the checkpoint of %d: it was not held back, the test checks nothing", s.ReadOffset-s.CommittedOffset, want)
	}
	c.openGate()
	waitStats(t, tl, "the lag to go once all is committed", func(s Stats) bool { return s.CheckpointLag == 0 })
}
