package agent

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestRotatedWhileCollectorDownSinceStart: the collector has acknowledged
// nothing since the agent started (trial 37 F1: a fresh install, a wrong
// forward.url, a collector down), and the file is rotated twice (renamed
// to .1, .1 to .2) before the agent is stopped. The file was checkpointed
// when the agent opened it, so the restarted agent finds it in .2 by its
// identity and sends every line of .2, .1 and the new file: none lost.
// Before, no checkpoint was written until an acknowledgement, and the
// restart read only the file at the path.
func TestRotatedWhileCollectorDownSinceStart(t *testing.T) {
	c, path, addr, stop := startCollectorDown(t)
	if off := checkpointOffset(t, c.StateDir, path); off != 0 {
		t.Errorf("checkpoint offset %d once the file was opened (-1: none), want 0", off)
	}
	writeRotating(t, path, func() {
		if err := os.Rename(path, path+".1"); err != nil {
			t.Fatal(err)
		}
	})
	stop()

	restartAndCount(t, c, addr, 3000)
}

// TestCopyTruncatedWhileCollectorDownSinceStart: as
// TestRotatedWhileCollectorDownSinceStart, with copytruncate (the file
// copied to .1, the older copy moved to .2, the file cut to 0) and a file
// empty when the agent opened it (fresh-user trial 38 F3). Its checkpoint,
// written at offset 0 before it had first bytes, gets their fingerprint
// once they are read, so the restarted agent tells the refilled file from
// the one checkpointed, finds that one in .2 and sends every line of .2,
// .1 and the file. Before, it resumed at offset 0 of the file at the path
// and never read the copies (1,000 of 3,000 lines sent).
func TestCopyTruncatedWhileCollectorDownSinceStart(t *testing.T) {
	c, path, addr, stop := startCollectorDown(t)
	writeRotating(t, path, func() { copyTruncate(t, path) })
	stop()
	if off := checkpointOffset(t, c.StateDir, path); off != 0 {
		t.Errorf("checkpoint offset %d after a run that sent nothing (-1: none), want 0", off)
	}

	restartAndCount(t, c, addr, 3000)
}

// writeRotating writes 3,000 access lines to path in three runs of 1,000,
// rotating the file between runs: path.1 is moved to path.2, then rotate
// makes path.1 of path (a rename, or logrotate's copytruncate).
func writeRotating(t *testing.T, path string, rotate func()) {
	t.Helper()
	for gen := range 3 {
		writeAccessLines(t, path, gen*1000, 1000)
		if gen == 2 {
			break
		}
		time.Sleep(300 * time.Millisecond)
		if err := os.Rename(path+".1", path+".2"); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		rotate()
		time.Sleep(300 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
}

// restartAndCount starts a collector on addr and the agent of c again, and
// wants the collector to get want distinct lines within 15 s.
func restartAndCount(t *testing.T, c *config.Config, addr string, want int) {
	t.Helper()
	r := &received{msgs: map[string]int{}}
	col, err := syslogtest.Listen(addr, r.add)
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	_, _, stop := runInBackground(t, c, Options{})
	defer stop()
	deadline := time.Now().Add(15 * time.Second)
	for r.count() < want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := r.count(); n != want {
		t.Fatalf("%d distinct lines at the collector, want %d", n, want)
	}
}

// startCollectorDown starts an agent following an empty access log toward
// a TCP address where nothing listens, and returns once it opened the
// file: its configuration, the log's path, the address and the function
// that stops it.
func startCollectorDown(t *testing.T) (c *config.Config, path, addr string, stop func()) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "gitlab_access.log")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	addr = fmt.Sprintf("127.0.0.1:%d", syslogtest.FreeTCPPort(t)) // nothing listens
	c = newConfig(t, "tcp://"+addr, config.Source{Type: "access", Path: path})
	_, _, stop = runInBackground(t, c, Options{StallLimit: 300 * time.Millisecond})
	time.Sleep(time.Second) // the agent opened the file
	return c, path, addr, stop
}
