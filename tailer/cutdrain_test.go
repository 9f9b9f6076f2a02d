package tailer

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCopyTruncateThenRename: while the consumer is stalled, the file is
// rotated by copytruncate, written to, then rotated by rename (two
// logrotate configurations in turn, or one run of each), and a new file
// is written at the path. When the consumer goes on, the lines the reader
// had not read before the cut are read from the copy, then those written
// to the renamed file after the cut, then the new file's: every line
// exactly once, in order.
func TestCopyTruncateThenRename(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int // lines before the copytruncate
	}{
		{"reader at end", 30},   // all read before the stall
		{"reader behind", 5000}, // the stall stops it far from the end
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit_json.log")
			old := numbered("old", 0, tc.n)
			writeFile(t, path, old)
			cfg := testConfig(t, path)
			cfg.BatchLines = 10
			cfg.QueueLen = 1
			tl, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			c := startTailer(t, tl, make(chan struct{}))
			waitStats(t, tl, "reader blocked", func(s Stats) bool { return s.Lines >= 20 })
			copyTruncate(t, path, path+".1")
			appendFile(t, path, numbered("cut", 0, 40))
			if err := os.Rename(path+".1", path+".2"); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(path, path+".1"); err != nil {
				t.Fatal(err)
			}
			writeFile(t, path, numbered("new", 0, 25))
			want := linesOf(old + numbered("cut", 0, 40) + numbered("new", 0, 25))
			c.openGate()
			c.waitN(len(want))
			c.stop()
			checkExactly(t, c.texts(), want)
		})
	}
}
