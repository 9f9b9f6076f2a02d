package agent

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestDetectorKeepsEarlyAlert: an alert the engine raises outside a batch
// (moving a restored state's rules to its watermark, at start) is kept
// and goes out with the next batch, counted and journaled with it; it
// was dropped with an ERROR (fresh-user trial 268: "detection alert
// outside a batch; dropped" at the first start after an upgrade). A
// catch-up without a sink still drops every alert.
func TestDetectorKeepsEarlyAlert(t *testing.T) {
	var logs syslogtest.Buffer
	d := newDetector(nil, &forwarder.Encoder{}, "", forwarder.RecordOptions{Facility: forwarder.Local7, Hostname: "test"},
		slog.New(slog.NewTextHandler(&logs, nil)))
	d.mu.Lock()
	d.emit(fitTestAlert(t, "7", 10, 10)) // no batch
	d.discard = true
	d.emit(fitTestAlert(t, "8", 10, 10)) // a catch-up without a sink
	d.discard = false
	var fb forwarder.Batch
	d.cur, d.n, d.ids = &fb, 0, nil
	d.takeEarly()
	d.emit(fitTestAlert(t, "9", 10, 10)) // the batch's own
	n, ids := d.n, string(d.ids)
	d.cur, d.n, d.ids = nil, 0, nil
	d.mu.Unlock()
	if fb.Len() != 2 || n != 2 {
		t.Fatalf("the batch holds %d messages, %d alerts counted; want the early alert and its own", fb.Len(), n)
	}
	if m := string(fb.Message(0)); !strings.Contains(m, `alert_id="alert-7"`) || !strings.HasPrefix(m, "<") {
		t.Errorf("first message %q, want the early alert, whole", m)
	}
	if !strings.Contains(string(fb.Message(1)), `alert_id="alert-9"`) {
		t.Errorf("second message %q, want the batch's alert", fb.Message(1))
	}
	if ids != "alert-7\nalert-9\n" {
		t.Errorf("journal lines %q, want both alerts'", ids)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("logged an error:\n%s", logs.String())
	}
	var again forwarder.Batch
	d.mu.Lock()
	d.cur = &again
	d.takeEarly()
	d.cur = nil
	d.mu.Unlock()
	if again.Len() != 0 {
		t.Errorf("the early alert was taken twice")
	}
}
