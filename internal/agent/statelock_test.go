//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package agent

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSecondAgentOnStateDirFails: while one agent runs, a second one (the
// daemon or --once) on the same state_dir fails at once, naming the
// directory, the lock file and the PID; nothing of it is sent.
func TestSecondAgentOnStateDirFails(t *testing.T) {
	_, r, _, c := accessCollected(t, "production_json.log", 10)
	_, _, stop := runInBackground(t, c, Options{})
	waitFor(t, "10 lines", 10*time.Second, func() bool { return r.total() == 10 })

	for _, once := range []bool{false, true} {
		c2 := *c
		var out bytes.Buffer
		a2, err := New(&c2, Options{Logger: testLogger(t), Stdout: &out, ExitAtEOF: once})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = a2.Run(ctx)
		cancel()
		if err == nil {
			t.Fatalf("once=%v: a second agent on state_dir %s ran", once, c.StateDir)
		}
		for _, want := range []string{c.StateDir, filepath.Join(c.StateDir, "lock"), "process " + strconv.Itoa(os.Getpid())} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("once=%v: error %q does not name %q", once, err, want)
			}
		}
		if out.Len() != 0 {
			t.Errorf("once=%v: the second agent sent %q", once, out.String())
		}
	}
	time.Sleep(200 * time.Millisecond)
	if n := r.total(); n != 10 {
		t.Errorf("%d messages at the collector, want 10", n)
	}
	stop()
	// Once the first has stopped, the directory is free again (runToEOF
	// fails the test on an error), and its checkpoints hold.
	runToEOF(t, c, io.Discard)
	if n := r.total(); n != 10 {
		t.Errorf("%d messages at the collector after a second run, want 10", n)
	}
}
