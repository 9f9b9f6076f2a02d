package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestKillKeepsSuppression: a key's alert delivered before a SIGKILL
// keeps the key suppressed after the restart, though no state was saved
// since and the alert's lines cannot be read again. A glob follows two
// pods' logs: the first pod's 11 failed logins alert, its file is deleted
// (a pod deleted), the second's 11 failed logins of the same user and
// address, 400 s later, are suppressed (60 min); after the kill, the
// catch-up folds the second pod's lines without the first's. Before, they
// alerted again (fresh-user trial 100); the journal of delivered alerts
// now gives back the suppression its alerts set.
func TestKillKeepsSuppression(t *testing.T) {
	if testing.Short() {
		t.Skip("starts agent processes; not run with -short")
	}
	got, col := listenCollected(t)
	dir := t.TempDir()
	logs, state := filepath.Join(dir, "pods"), filepath.Join(dir, "state")
	if err := os.Mkdir(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	lines := failedLogins(time.Now().Add(-30 * time.Minute))
	pod3, pod4 := filepath.Join(logs, "pod3.log"), filepath.Join(logs, "pod4.log")
	appendLines(t, pod3, lines(0, 11))
	p := startKillHelper(t, col.Addr(), filepath.Join(logs, "*.log"), state)
	defer func() { p.kill(t) }() // the restarted one too
	waitFor(t, "the first pod's alert", 10*time.Second, func() bool { return got.alertCount() == 1 })
	journal := filepath.Join(state, "detect", DeliveredFile)
	waitFor(t, "the alert in the journal of delivered alerts", 10*time.Second, func() bool {
		b, err := os.ReadFile(journal)
		return err == nil && len(b) > 0
	})
	if err := os.Remove(pod3); err != nil {
		t.Fatal(err)
	}
	appendLines(t, pod4, lines(400, 11))
	waitFor(t, "the second pod's lines", 10*time.Second, func() bool { return got.count(config.AppNameApplication) == 22 })
	settleAlerts(got.alertCount, 2)
	if n := got.alertCount(); n != 1 {
		t.Fatalf("%d alerts before the kill, want 1 (the second pod's suppressed): the test checks nothing; log:\n%s", n, p.log())
	}
	p.kill(t)

	p = startKillHelper(t, col.Addr(), filepath.Join(logs, "*.log"), state)
	waitFor(t, "the restart's catch-up", 10*time.Second, func() bool {
		return strings.Contains(p.log(), "detection caught up with the checkpoint")
	})
	settleAlerts(got.alertCount, 2)
	if n := got.alertCount(); n != 1 {
		t.Errorf("%d alerts after the restart, want 1: the key was suppressed when the agent was killed; restart log:\n%s", n, p.log())
	}
}
