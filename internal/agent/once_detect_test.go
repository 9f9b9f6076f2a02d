package agent

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestOnceDetectionStateNotSaved: --once exits with an error when the
// detection state could not be saved, as it does for a checkpoint: a
// backfill script otherwise reports success while the next run learns
// again and raises the alerts of the lines it re-reads. The engine's
// state file is made unwritable by a non-empty directory of its name
// (a rename onto it fails, even for root).
func TestOnceDetectionStateNotSaved(t *testing.T) {
	col, err := syslogtest.Listen("127.0.0.1:0", func([]byte) {})
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	audit := filepath.Join(t.TempDir(), "audit_json.log")
	if err := os.WriteFile(audit, []byte(auditPATLine(time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC), 800001)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: audit})
	if err := os.MkdirAll(filepath.Join(c.StateDir, "detect", "_engine.json", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	a, err := New(c, Options{Logger: testLogger(t), ExitAtEOF: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = a.Run(ctx)
	if ctx.Err() != nil {
		t.Fatal("--once did not exit at EOF")
	}
	if err == nil || !strings.Contains(err.Error(), "detection state not saved") {
		t.Fatalf("--once returned %v, want an error saying the detection state was not saved", err)
	}
}
