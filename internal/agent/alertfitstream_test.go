package agent

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestAlertFitStream: to a stream destination with a small
// max_stream_message_bytes, an alert whose raw line makes it too long is
// shortened by its raw member alone and keeps its STRUCTURED-DATA, as to a
// datagram destination, while the long log line itself goes without its
// own. Before, the alerts' encoder dropped the STRUCTURED-DATA before the
// alert was fit, and the warning said it was kept (fresh-user trial 262).
func TestAlertFitStream(t *testing.T) {
	got, col := listenCollected(t)
	audit := filepath.Join(t.TempDir(), "audit_json.log")
	line := strings.Replace(patLine(1, 601), `"entity_path":"alice",`, `"entity_path":"alice","extra_blob":"`+strings.Repeat("x", 3000)+`",`, 1)
	appendLine(t, audit, line)
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: audit})
	c.Forward.MaxStreamMessage = 4000
	_, _, stop := runInBackground(t, c, Options{})
	defer stop()
	waitFor(t, "the line and its alert", 10*time.Second, func() bool {
		got.mu.Lock()
		defer got.mu.Unlock()
		return len(got.alerts) == 1 && len(got.lines["GitLab-Audit-Logs"]) == 1
	})
	got.mu.Lock()
	defer got.mu.Unlock()
	if len(got.errs) > 0 {
		t.Fatalf("messages that do not parse: %v", got.errs)
	}
	a := got.alerts[0]
	if _, ok := a.sd["alert@32473"]; !ok {
		t.Errorf("the alert lost its STRUCTURED-DATA: %v", a.sd)
	}
	if tr, _ := a.json["truncated"].([]any); len(tr) != 1 || tr[0] != "raw" {
		t.Errorf("truncated = %v, want [raw]", a.json["truncated"])
	}
}
