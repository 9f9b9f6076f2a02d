package agent

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestReloadSourceTurnsRuleOn: an agent without an application source
// runs no rule that alerts only on the application log
// (sentinel.local_auth_no_mfa: its audit lines only enrich), and a reload
// that adds the source, the detections block unchanged, rebuilds the
// engine with it: the admin's password sign-in then alerts.
func TestReloadSourceTurnsRuleOn(t *testing.T) {
	got, col := listenCollected(t)
	dir := t.TempDir()
	app, audit := filepath.Join(dir, "application_json.log"), filepath.Join(dir, "audit_json.log")
	at := time.Now().Add(-10 * time.Second).UTC().Format("2006-01-02T15:04:05.000Z") // within the lateness
	if err := os.WriteFile(app, []byte(adminSignInLine(at, "01HQLOGTYPES000000000000A", "root", "1")), 0o644); err != nil {
		t.Fatal(err)
	}
	appendLine(t, audit, patLine(1, 601))
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "audit", Path: audit, StartAt: "beginning"})
	a, ctx, stop := runInBackground(t, c, Options{})
	defer stop()
	running := func() []string {
		a.mu.Lock()
		defer a.mu.Unlock()
		var ids []string
		for _, in := range a.det.e.Rules() {
			ids = append(ids, in.ID)
		}
		return ids
	}
	alerts := func() int {
		got.mu.Lock()
		defer got.mu.Unlock()
		return len(got.alerts)
	}
	waitFor(t, "the PAT alert", 10*time.Second, func() bool { return alerts() == 1 })
	if ids := running(); slices.Contains(ids, "sentinel.local_auth_no_mfa") || !slices.Contains(ids, "falco.pat_created") {
		t.Fatalf("rules running with an audit source only: %v; want falco.pat_created without sentinel.local_auth_no_mfa", ids)
	}

	nc := *c
	nc.Sources = append(slices.Clone(c.Sources), config.Source{Type: "application", Path: app, AppName: config.AppNameApplication, StartAt: "beginning", Format: "plain", OtherSubcomponents: "drop"})
	if err := a.Reload(ctx, &nc); err != nil {
		t.Fatal(err)
	}
	if ids := running(); !slices.Contains(ids, "sentinel.local_auth_no_mfa") {
		t.Fatalf("rules running after the reload that added the application source: %v; want sentinel.local_auth_no_mfa among them", ids)
	}
	// the audit line of the same request completes the join
	appendLine(t, audit, `{"severity":"INFO","time":"`+at+`","correlation_id":"01HQLOGTYPES000000000000A","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","with":"standard","target_id":1,"target_type":"User","target_details":"Administrator"}`)
	waitFor(t, "the sign-in's alert", 10*time.Second, func() bool { return alerts() == 2 })
	time.Sleep(300 * time.Millisecond) // a repeated alert would follow its first
	got.mu.Lock()
	defer got.mu.Unlock()
	var ids []string
	for _, al := range got.alerts {
		ids = append(ids, al.msgID)
	}
	slices.Sort(ids)
	if want := []string{"falco.pat_created", "sentinel.local_auth_no_mfa"}; !slices.Equal(ids, want) {
		t.Errorf("alerts %v, want %v", ids, want)
	}
}

// TestNoRuleRunsWarns: with detections on and no rule that can run (an
// auth log alone feeds none), the agent ships the lines and warns once
// that no alert will come, pointing at the reasons.
func TestNoRuleRunsWarns(t *testing.T) {
	auth := filepath.Join(t.TempDir(), "auth_json.log")
	appendLine(t, auth, `{"severity":"ERROR","time":"2025-09-18T12:00:00.000Z","correlation_id":"01HQNORULE","message":"Rack_Attack","env":"throttle","remote_ip":"198.51.100.9","request_method":"POST","path":"/users/sign_in"}`)
	c := newConfig(t, "stdout://", config.Source{Type: "auth", Path: auth, StartAt: "beginning"})
	var logs, out syncBuffer
	runToEOFWith(t, c, Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Stdout: &out})
	if n := strings.Count(logs.String(), `"msg":"detections: no rule runs with these sources and settings`); n != 1 {
		t.Errorf("%d warnings that no rule runs, want 1:\n%s", n, logs.String())
	}
	if !strings.Contains(out.String(), "GitLab-Auth-Logs") {
		t.Errorf("the line was not shipped:\n%s", out.String())
	}
}

// TestReloadWithoutStreamingKeepsItsRules: a reload that removes the
// streaming block leaves the receiver running until a restart, and the
// audit rules it feeds running with it (an agent with an access source
// alone and Audit Event Streaming); they were turned off while events
// still came in.
func TestReloadWithoutStreamingKeepsItsRules(t *testing.T) {
	dir := t.TempDir()
	c := newConfig(t, "stdout://", config.Source{Type: "access", Path: filepath.Join(dir, "gitlab_access.log")})
	c.Streaming = config.Streaming{Listen: fmt.Sprintf("127.0.0.1:%d", syslogtest.FreeTCPPort(t)), Tokens: []string{"s3cr3t-token-0123456789"}}
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	a, ctx, stop := runInBackground(t, c, Options{Stdout: new(syncBuffer)})
	defer stop()
	runs := func(id string) bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return slices.ContainsFunc(a.det.e.Rules(), func(in detect.Info) bool { return in.ID == id })
	}
	waitFor(t, "the detections", 10*time.Second, func() bool { a.mu.Lock(); defer a.mu.Unlock(); return a.det != nil })
	if !runs("falco.pat_created") {
		t.Fatal("falco.pat_created does not run with streaming on")
	}
	nc := *c
	nc.Streaming = config.Streaming{}
	nc.Detections.Rules = map[string]config.RuleConfig{"sentinel.bruteforce": {Severity: "High"}} // the engine is rebuilt
	if err := a.Reload(ctx, &nc); err != nil {
		t.Fatal(err)
	}
	if !runs("falco.pat_created") {
		t.Error("falco.pat_created stopped at a reload that removed streaming, whose receiver runs until a restart")
	}
}
