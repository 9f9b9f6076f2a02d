package agent

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// TestCorruptEngineStateNoDoubleCount: the agent saved its detection
// state over a file with one personal access token creation (no alert:
// sentinel.pat_over_time wants more than one a day); then _engine.json is
// corrupted and the tailer's checkpoint is lost, as when the agent is
// killed after a state save and before the checkpoint caught up, so the
// restart reads the line again. The rule's state file is intact, but the
// positions and event ids that say the line was folded were in the
// engine's file: restoring the rule's count and folding the line again
// counted the one token twice and raised an alert (and repeated it at
// every such restart). The rule's state must be discarded with the
// engine's, with one warning, and no alert sent.
func TestCorruptEngineStateNoDoubleCount(t *testing.T) {
	got, col := listenCollected(t)
	// Today's: --once moves the watermark to the wall clock − lateness at
	// the end, and the rule forgets the days before the watermark's.
	now := time.Now().UTC()
	if now.Add(-5*time.Minute).Day() != now.Day() {
		t.Skip("too close to midnight: the token's day would be closed at the end of the first run")
	}
	line := strings.NewReplacer("2025-09-18T12:21:", now.Add(-30*time.Second).Format("2006-01-02T15:04:")).Replace(patLine(21, 601))
	if line == patLine(21, 601) {
		t.Fatal("patLine's time not replaced")
	}
	audit := filepath.Join(t.TempDir(), "audit_json.log")
	appendLine(t, audit, line)
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: audit})
	off := false // its per-event alert is sent again with the line, as at-least-once delivery allows
	c.Detections.Rules = map[string]config.RuleConfig{"falco.pat_created": {Enabled: &off}}
	settled := func(lines int) {
		t.Helper()
		last, since := -1, time.Now()
		waitFor(t, "the lines and alerts at the collector", 10*time.Second, func() bool {
			got.mu.Lock()
			n, l := len(got.alerts)+len(got.lines[config.AppNameAudit]), len(got.lines[config.AppNameAudit])
			got.mu.Unlock()
			if n != last {
				last, since = n, time.Now()
			}
			return l >= lines && time.Since(since) > 300*time.Millisecond
		})
	}

	runToEOF(t, c, nil)
	settled(1)
	rule := filepath.Join(c.StateDir, "detect", "sentinel.pat_over_time.json")
	if _, err := os.Stat(rule); err != nil {
		t.Fatalf("the rule's state was not saved: %v", err)
	}
	if err := os.WriteFile(filepath.Join(c.StateDir, "detect", "_engine.json"), []byte(`{"schema":2,"rule":"_engine","state":{"watermark":`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(c.StateDir, checkpoint.PositionKey(audit)+".json")); err != nil {
		t.Fatal(err)
	}

	logs := &syncBuffer{}
	a, err := New(c, Options{Logger: slog.New(slog.NewTextHandler(logs, nil)), ExitAtEOF: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	settled(2)
	got.mu.Lock()
	defer got.mu.Unlock()
	if len(got.alerts) != 0 {
		t.Errorf("%d alerts for one token creation read twice (first %s count %s), want none",
			len(got.alerts), got.alerts[0].msgID, got.alerts[0].sd["alert@32473"]["count"])
	}
	if n := strings.Count(logs.String(), "rules' state not restored"); n != 1 || !strings.Contains(logs.String(), "sentinel.pat_over_time") {
		t.Errorf("%d warnings that the rules' state was discarded, want one naming sentinel.pat_over_time:\n%s", n, logs.String())
	}
}
