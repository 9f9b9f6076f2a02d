package agent

import (
	"log/slog"
	"strings"
	"testing"
	"time"
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
