package agent

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
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

// TestReloadDestinationAbandonedAlerts: a reload that changes the
// destination while alerts are queued for it (a collector that is down)
// abandons them with the old forwarder; the detection engine is then
// rebuilt from its last saved state, as at a restart, so that the
// catch-up raises them again and they reach the new destination without
// a restart, each once, and the state is saved again. Before, they were
// held until the next restart and no state was saved for the rest of
// the run (fresh-user trial 58).
func TestReloadDestinationAbandonedAlerts(t *testing.T) {
	const n = 5
	patLine := func(i int) string {
		r := strings.NewReplacer("12:10:00.000Z", fmt.Sprintf("12:%02d:00.000Z", 20+i),
			"01HQ0000000000000000000000", fmt.Sprintf("01HQ00000000000000000000%02d", 10+i),
			`"id":5064`, fmt.Sprintf(`"id":%d`, 6000+i),
			"token with id 13", fmt.Sprintf("token with id %d", 100+i))
		return r.Replace(`{"severity":"INFO","time":"2025-03-04T12:10:00.000Z","correlation_id":"01HQ0000000000000000000000","meta.caller_id":"UserSettings::PersonalAccessTokensController#create","meta.remote_ip":"198.51.100.4","meta.user":"alice","meta.user_id":42,"id":5064,"author_id":42,"entity_id":42,"entity_type":"User","details":{"author_name":"Alice Example","author_class":"User","target_id":42,"target_type":"User","target_details":"Alice Example","custom_message":"Created personal access token with id 13","ip_address":"198.51.100.4","entity_path":"alice"},"ip_address":"198.51.100.4","author_name":"Alice Example","entity_path":"alice","target_details":"Alice Example","target_type":"User","target_id":42,"author_class":"User","custom_message":"Created personal access token with id 13"}`)
	}
	pats := func(got *collected) (alerts int, ids map[string]int) {
		got.mu.Lock()
		defer got.mu.Unlock()
		ids = map[string]int{}
		for _, al := range got.alerts {
			if al.msgID == "falco.pat_created" {
				alerts++
				ids[fmt.Sprint(al.json["alert_id"])]++
			}
		}
		return alerts, ids
	}
	got, col := listenCollected(t)
	_, down := listenCollected(t)
	downAddr := down.Addr()
	down.Close()

	audit := filepath.Join(t.TempDir(), "audit_json.log")
	appendLine(t, audit, patLine(0))
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: audit})
	c.Detections.StateSaveInterval = time.Second
	var logs syncBuffer
	a, ctx, stop := runInBackground(t, c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), ShutdownTimeout: time.Second, CheckInterval: 50 * time.Millisecond})
	defer stop()
	waitFor(t, "the first alert", 10*time.Second, func() bool { n, _ := pats(got); return n == 1 })
	lastSave := func() time.Time {
		a.mu.Lock()
		d := a.det
		a.mu.Unlock()
		return d.stats().LastSave
	}
	waitFor(t, "a state save (detect_state_last_save_timestamp_seconds)", 10*time.Second, func() bool { return !lastSave().IsZero() })
	firstSave := lastSave()
	positions := filepath.Join(c.StateDir, "detect", "_positions.json")
	savedOffset := func() int64 { // where the saved state has folded the file to
		var p struct {
			State map[string]struct{ Offset int64 }
		}
		b, _ := os.ReadFile(positions)
		json.Unmarshal(b, &p)
		return p.State[audit].Offset
	}

	toDown := *c
	toDown.Forward.URL = "tcp://" + downAddr
	if err := a.Reload(ctx, &toDown); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		appendLine(t, audit, patLine(i))
	}
	time.Sleep(time.Second) // read, folded, queued for the collector that is down
	back := *c
	if err := a.Reload(ctx, &back); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the queued alerts at the new destination", 20*time.Second, func() bool { k, _ := pats(got); return k >= 1+n })
	time.Sleep(time.Second)
	if k, ids := pats(got); k != 1+n || len(ids) != 1+n {
		t.Errorf("%d falco.pat_created alerts with %d alert_ids at the collector, want %d, each once: %v", k, len(ids), 1+n, ids)
	}
	if l := logs.String(); !strings.Contains(l, "forwarder closed with undelivered messages; the new sources read them again for the new destination") || strings.Contains(l, "sent again at the next start") {
		t.Errorf("the old forwarder's close is not logged as the reload's:\n%s", l)
	}
	fi, err := os.Stat(audit)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a state save of the lines read after the first reload", 10*time.Second, func() bool { return savedOffset() == fi.Size() })
	if last := lastSave(); !last.After(firstSave) {
		t.Errorf("last save time %v after the saves resumed, want later than the first save's %v", last, firstSave)
	}
}

// TestReloadHostnameAlerts: a reload that changes hostname (and so
// restarts the sources, the detection engine kept) gives the alerts
// raised afterwards the new HOSTNAME, as the log lines; before, they kept
// the one of the start until a restart (fresh-user trial 61).
func TestReloadHostnameAlerts(t *testing.T) {
	const pat = `{"severity":"INFO","time":"2025-03-04T12:%02d:00.000Z","correlation_id":"01HQ00000000000000000000%02d","meta.caller_id":"UserSettings::PersonalAccessTokensController#create","meta.user":"alice","id":%d,"author_id":42,"entity_id":42,"entity_type":"User","ip_address":"198.51.100.4","author_name":"Alice Example","entity_path":"alice","target_details":"Alice Example","target_type":"User","target_id":42,"custom_message":"Created personal access token with id %d"}`
	got, col := listenCollected(t)
	audit := filepath.Join(t.TempDir(), "audit_json.log")
	appendLine(t, audit, fmt.Sprintf(pat, 10, 10, 7000, 1))
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: audit})
	c.Hostname = "before"
	a, ctx, stop := runInBackground(t, c, Options{CheckInterval: 50 * time.Millisecond})
	defer stop()
	hosts := func() []string {
		got.mu.Lock()
		defer got.mu.Unlock()
		var hs []string
		for _, al := range got.alerts {
			if al.msgID == "falco.pat_created" {
				hs = append(hs, al.host)
			}
		}
		return hs
	}
	waitFor(t, "the first alert", 10*time.Second, func() bool { return len(hosts()) == 1 })
	nc := *c
	nc.Hostname = "after"
	if err := a.Reload(ctx, &nc); err != nil {
		t.Fatal(err)
	}
	appendLine(t, audit, fmt.Sprintf(pat, 20, 11, 7001, 2))
	waitFor(t, "the second alert", 10*time.Second, func() bool { return len(hosts()) == 2 })
	if hs := hosts(); hs[0] != "before" || hs[1] != "after" {
		t.Errorf("alerts' HOSTNAMEs %q, want [before after]", hs)
	}
}
