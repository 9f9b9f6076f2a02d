package agent

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// TestStopLogsStopped: a run stopped cleanly (SIGTERM) logs a last line
// that says it stopped and what the checkpoints hold, after "stopping",
// so that an operator reading the log knows the stop finished (fresh-user
// trial 141: "stopping" was the last line).
func TestStopLogsStopped(t *testing.T) {
	_, r, _, c := accessCollected(t, "gitlab_access.log", 5)
	var logs syncBuffer
	_, _, stop := runInBackground(t, c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), ShutdownTimeout: time.Second})
	waitFor(t, "5 lines", 10*time.Second, func() bool { return r.total() == 5 })
	stop()
	l := logs.String()
	i, j := strings.Index(l, `msg="stopping: flushing and saving checkpoints"`), strings.Index(l, `msg="stopped: what the collector acknowledged is checkpointed; the rest is read again at the next start, from its files or the rotated copies still there"`)
	if i < 0 || j < i {
		t.Errorf("no \"stopped\" line after \"stopping\":\n%s", l)
	}
}

// TestStopLogsCheckpointNotSaved: when a source's last checkpoint save
// failed (a directory in the checkpoint's place), the last line says so,
// names the source and says what to do, instead of that what the
// collector acknowledged is checkpointed (trial 205: it said so, and the
// hint asked to make state_dir writable).
func TestStopLogsCheckpointNotSaved(t *testing.T) {
	path, r, _, c := accessCollected(t, "gitlab_access.log", 5)
	if err := os.MkdirAll(filepath.Join(c.StateDir, checkpoint.PositionKey(path)+".json", "x"), 0o750); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	_, _, stop := runInBackground(t, c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), ShutdownTimeout: time.Second})
	waitFor(t, "5 lines", 10*time.Second, func() bool { return r.total() == 5 })
	stop()
	l := logs.String()
	if strings.Contains(l, "msg=\"stopped: what the collector acknowledged is checkpointed") {
		t.Errorf("the last line says the checkpoints are saved:\n%s", l)
	}
	if !strings.Contains(l, "level=WARN msg=\"stopped, but the checkpoints of some sources could not be saved") ||
		!strings.Contains(l, "sources="+path) || !strings.Contains(l, "remove the directory err names") {
		t.Errorf("no WARN naming the source and what to do:\n%s", l)
	}
}
