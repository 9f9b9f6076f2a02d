package agent

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestReloadKeepsOpenSession checks that a reload which changes the
// detections block (and so builds a new engine from the saved state)
// keeps an open impersonation session of a backlog: the start, dated
// long before the wall clock, is read; the reload gives a rule another
// severity; the session's actions appended afterwards must alert. A new
// detector must not count as idle since long ago: that moved the
// watermark to the wall clock − lateness at once and closed the session.
func TestReloadKeepsOpenSession(t *testing.T) {
	const (
		start   = `{"severity":"INFO","time":"2025-07-01T10:00:00.000Z","author_id":1,"entity_id":1,"entity_type":"User","custom_message":"Started Impersonation","target_id":3,"target_type":"User","target_details":"jdoe","author_name":"Administrator","entity_path":"root"}`
		action1 = `{"severity":"INFO","time":"2025-07-01T10:01:00.000Z","author_id":3,"entity_id":7,"entity_type":"Project","add":"user_access","as":"Maintainer","target_id":9,"target_type":"User","target_details":"eve","author_name":"John Doe","entity_path":"jdoe/secret-project"}`
		action2 = `{"severity":"INFO","time":"2025-07-01T10:10:00.000Z","author_id":3,"entity_id":8,"entity_type":"Project","add":"user_access","as":"Owner","target_id":9,"target_type":"User","target_details":"eve","author_name":"John Doe","entity_path":"jdoe/other-project"}`
	)
	got, col := listenCollected(t)
	audit := filepath.Join(t.TempDir(), "audit_json.log")
	appendLine(t, audit, start)
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: audit})
	c.Detections.Lateness = 3 * time.Second // the last action is decided 3s after it is read
	a, ctx, stop := runInBackground(t, c, Options{CheckInterval: 50 * time.Millisecond})
	defer stop()
	waitFor(t, "the start at the collector", 10*time.Second, func() bool { return got.count(config.AppNameAudit) == 1 })

	nc := *c
	nc.Detections.Rules = map[string]config.RuleConfig{"sentinel.bruteforce": {Severity: "High"}}
	if err := a.Reload(ctx, &nc); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // many idle checks of the new detector, fewer than lateness
	appendLine(t, audit, action1)
	appendLine(t, audit, action2)
	waitFor(t, "the two actions at the collector", 10*time.Second, func() bool { return got.count(config.AppNameAudit) == 3 })
	impersonation := func() int {
		got.mu.Lock()
		defer got.mu.Unlock()
		n := 0
		for _, al := range got.alerts {
			if al.msgID == "sentinel.impersonation" && al.json["SessionStart"] == "2025-07-01T10:00:00Z" {
				n++
			}
		}
		return n
	}
	waitFor(t, "the actions' impersonation alerts", 15*time.Second, func() bool { return impersonation() == 2 })
}
