package agent

import (
	"os"
	"path/filepath"
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
