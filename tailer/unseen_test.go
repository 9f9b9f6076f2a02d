package tailer

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// rotateAway renames path to its rotated name for rotation number n (1 for
// the first) under scheme: "numbered" shifts path.N to path.N+1 and renames
// path to path.1 (logrotate's default); "dateext" renames path to
// path-2026112<n> (logrotate's dateext). It then creates an empty path.
func rotateAway(t *testing.T, path, scheme string, n int) {
	t.Helper()
	switch scheme {
	case "numbered":
		for i := n; i >= 1; i-- {
			if err := os.Rename(path+"."+strconv.Itoa(i), path+"."+strconv.Itoa(i+1)); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
		if err := os.Rename(path, path+".1"); err != nil {
			t.Fatal(err)
		}
	case "dateext":
		if err := os.Rename(path, fmt.Sprintf("%s-2026112%d", path, n)); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("unknown rotation scheme %q", scheme)
	}
	writeFile(t, path, "")
}

// TestRenameRotationsWhileBlocked: the path is renamed away and recreated
// several times while the tailer cannot look at it (its consumer is stalled,
// as when the collector is slow or the machine is overloaded). The files
// that were at the path only in between, never seen there by the tailer,
// are read too, oldest first, late writes to them included, before the
// file now at the path.
func TestRenameRotationsWhileBlocked(t *testing.T) {
	for _, tc := range []struct {
		scheme    string
		rotations int  // while the tailer is blocked
		late      bool // the writer appends to the last unseen file after it was renamed away
	}{
		{"numbered", 2, false},
		{"numbered", 3, false},
		{"numbered", 2, true},
		{"dateext", 2, false},
		{"dateext", 3, true},
	} {
		t.Run(fmt.Sprintf("%s-%d-late=%v", tc.scheme, tc.rotations, tc.late), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.log")
			writeFile(t, path, numbered("gen0", 0, 50))
			cfg := testConfig(t, path)
			cfg.BatchLines = 1 // a batch per line: the tailer blocks within gen0
			cfg.QueueLen = 1
			tl, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			c := startTailer(t, tl, make(chan struct{}))
			// One batch held by the gated consumer, one in the channel,
			// one being sent: the tailer is blocked in the middle of gen0.
			waitStats(t, tl, "the tailer blocked on its consumer", func(s Stats) bool { return s.Outstanding == 3 })

			want := linesOf(numbered("gen0", 0, 50))
			var last *os.File
			for g := 1; g <= tc.rotations; g++ {
				rotateAway(t, path, tc.scheme, g)
				lines := numbered(fmt.Sprintf("gen%d", g), 0, 20)
				if g == tc.rotations-1 && tc.late {
					f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
					if err != nil {
						t.Fatal(err)
					}
					defer f.Close()
					last = f
				}
				appendFile(t, path, lines)
				want = append(want, linesOf(lines)...)
			}
			if last != nil {
				// Late writes to the file renamed away last but one, which the
				// tailer has not opened yet, come after its other lines.
				late := numbered(fmt.Sprintf("gen%d-late", tc.rotations-1), 0, 5)
				if _, err := last.WriteString(late); err != nil {
					t.Fatal(err)
				}
				at := len(linesOf(numbered("gen0", 0, 50))) + 20*(tc.rotations-1)
				want = append(want[:at:at], append(linesOf(late), want[at:]...)...)
			}
			c.openGate()
			c.waitN(len(want))
			c.stop()
			checkExactly(t, c.texts(), want)
		})
	}
}
