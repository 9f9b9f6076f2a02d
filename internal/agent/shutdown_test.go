package agent

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/loadgen"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestShutdownCollectorNotReading checks that the shutdown does not wait
// on the collector: with detections on and a TCP collector that accepts
// and never reads (its socket buffers fill, nothing is acknowledged, alerts
// stay pending), Run returns within its documented bound after the context
// ends (ShutdownTimeout for the sources, then at most shutdownSaveWait for
// the alerts in flight and one state save), and the detection state is not
// saved over alerts that were never delivered.
func TestShutdownCollectorNotReading(t *testing.T) {
	collector := syslogtest.Stalled(t)

	dir := t.TempDir()
	audit := filepath.Join(dir, "audit_json.log")
	// The attack-heavy mix, more than the loopback socket buffers hold.
	if _, err := loadgen.WriteFile(audit, loadgen.Options{Type: parser.TypeAudit, Bytes: 64 << 20, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, collector, config.Source{Type: "audit", Path: audit})
	const shutdownTimeout = time.Second
	a, _, stop := runInBackground(t, c, Options{ShutdownTimeout: shutdownTimeout})
	pending := func() int64 {
		a.mu.Lock()
		d := a.det
		a.mu.Unlock()
		if d == nil {
			return 0
		}
		return d.pending.Load()
	}
	// Stalled: alerts wait for acknowledgements that do not come.
	var last int64 = -1
	since := time.Now()
	waitFor(t, "alerts pending and no progress for 1s", 60*time.Second, func() bool {
		n := pending()
		if n != last {
			last, since = n, time.Now()
		}
		return n > 0 && time.Since(since) > time.Second
	})

	start := time.Now()
	stop()
	took := time.Since(start)
	// The bound: ShutdownTimeout for the sources, shutdownSaveWait for the
	// alerts in flight; the rest (closing files, one refused save) is
	// quick. One second of slack for a loaded machine.
	if limit := shutdownTimeout + shutdownSaveWait + time.Second; took > limit {
		t.Errorf("Run returned %s after the context ended with the collector not reading, want at most %s", took.Round(time.Millisecond), limit)
	}
	t.Logf("shutdown with %d alerts unacknowledged took %s", pending(), took.Round(time.Millisecond))
	if _, err := os.Stat(filepath.Join(c.StateDir, "detect", "_engine.json")); err == nil {
		t.Error("the detection state was saved while alerts were not acknowledged")
	}
}

// TestShutdownDeliversFoldedAlerts: a stop while lines stream hands the
// batch whose events the engine already folded to the sink, with its
// alerts, before the sink closes, so those alerts are delivered and the
// detection state is saved. It used to race the sink's close (a
// canceled context, or a closed sink, refused that batch): most stops
// abandoned a few alerts, warned about them and saved no state. Several
// stops, since one may fall where no batch is in hand.
func TestShutdownDeliversFoldedAlerts(t *testing.T) {
	dir := t.TempDir()
	audit := filepath.Join(dir, "audit_json.log")
	if _, err := loadgen.WriteFile(audit, loadgen.Options{Type: parser.TypeAudit, Bytes: 64 << 20, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	for round := range 4 {
		r := &received{msgs: map[string]int{}}
		col, err := syslogtest.Listen("127.0.0.1:0", r.add)
		if err != nil {
			t.Fatal(err)
		}
		c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: audit})
		var logs syncBuffer
		_, _, stop := runInBackground(t, c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), ShutdownTimeout: 5 * time.Second})
		waitFor(t, "20,000 messages", 60*time.Second, func() bool { return r.total() >= 20_000 })
		stop()
		col.Close()
		l := logs.String()
		if strings.Contains(l, "detection alerts not delivered") {
			t.Errorf("round %d: a stop with the collector up abandoned alerts:\n%s", round, grepLines(l, "not delivered"))
		}
		if !strings.Contains(l, `msg="detection state saved"`) {
			t.Errorf("round %d: the detection state was not saved at the stop", round)
		}
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var b strings.Builder
	for l := range strings.Lines(s) {
		if strings.Contains(l, sub) {
			b.WriteString(l)
		}
	}
	return b.String()
}
