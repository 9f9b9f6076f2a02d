package agent

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestRestartAfterStderrPart: a container log whose stderr has a part of
// a line pending (its last part never written) before a stdout line that
// is finished, and after it a stdout line whose last part comes while the
// agent is stopped: the restart sends that line once, whole, and nothing
// else again. stderr's lines are dropped (other_subcomponents: drop), so
// their parts do not hold the checkpoint: held there, the restart read
// the finished stdout line's last parts as a line of their own, sent raw,
// and the lines after it twice (fresh-user trial 275).
func TestRestartAfterStderrPart(t *testing.T) {
	audit := func(n int) string {
		return `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":` + strings.Repeat("1", n) + `,"entity_type":"User"}`
	}
	want := func(n int) string { return config.AppNameAudit + " " + audit(n) }
	for _, format := range []string{"cri", "docker"} {
		t.Run(format, func(t *testing.T) {
			rec := containerRecord(t, format)
			two, three := auditEnvelope(audit(2)), auditEnvelope(audit(3))
			path := filepath.Join(t.TempDir(), "0.log")
			writeFile(t, path, rec("stdout", false, auditEnvelope(audit(1)))+rec("stdout", true, two[:40])+
				rec("stderr", true, "errpart")+rec("stdout", true, two[40:80])+rec("stdout", false, two[80:])+
				rec("stdout", true, three[:50]))
			addr, got := appMsgCollector(t)
			c := newConfig(t, "tcp://"+addr, config.Source{Path: path, Format: format})
			c.Detections.Enabled = new(bool)
			_, _, stop := runInBackground(t, c, Options{})
			waitFor(t, "the finished lines sent", 10*time.Second, func() bool { return len(got()) >= 2 })
			time.Sleep(300 * time.Millisecond) // its checkpoint saved
			stop()
			appendTo(t, path, rec("stdout", false, three[50:]))
			_, _, stop = runInBackground(t, c, Options{})
			waitFor(t, "the last line sent", 10*time.Second, func() bool { return len(got()) >= 3 })
			time.Sleep(300 * time.Millisecond) // anything sent twice
			stop()
			if msgs, w := got(), []string{want(1), want(2), want(3)}; !slices.Equal(msgs, w) {
				t.Errorf("messages:\n got %q\nwant %q", msgs, w)
			}
		})
	}
}
