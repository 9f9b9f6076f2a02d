package agent

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/metrics"
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
	a, _, stop := runInBackground(t, c, Options{})
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
	alert := got.alerts[0]
	if _, ok := alert.sd["alert@32473"]; !ok {
		t.Errorf("the alert lost its STRUCTURED-DATA: %v", alert.sd)
	}
	if tr, _ := alert.json["truncated"].([]any); len(tr) != 1 || tr[0] != "raw" {
		t.Errorf("truncated = %v, want [raw]", alert.json["truncated"])
	}
	a.mu.Lock()
	d := a.det
	a.mu.Unlock()
	if f := d.stats().AlertsFitted; f != (metrics.AlertsFitted{Shortened: 1}) {
		t.Errorf("detect_alerts_fitted_total = %+v, want the one alert shortened", f)
	}
}
