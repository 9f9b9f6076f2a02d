package agent

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestDetectionsReloadKeepsJoins: a reload that rebuilds the engine (a
// changed detections block) keeps what the join rules hold: the alert of
// an admin's password sign-in waiting for its audit line, and an audit
// line waiting for its application line. Both alerts come out once,
// enriched, after the reload.
func TestDetectionsReloadKeepsJoins(t *testing.T) {
	got, col := listenCollected(t)
	dir := t.TempDir()
	app, audit := filepath.Join(dir, "application_json.log"), filepath.Join(dir, "audit_json.log")
	// Event times a few seconds old: inside the lateness, so no window
	// closes while the test runs.
	ts := func(d time.Duration) string {
		return time.Now().Add(-10*time.Second + d).UTC().Format("2006-01-02T15:04:05.000Z")
	}
	signIn := func(cid, user, id string, at time.Duration) string { return adminSignInLine(ts(at), cid, user, id) }
	auditLine := func(cid, name, id string, at time.Duration) string {
		return `{"severity":"INFO","time":"` + ts(at) + `","correlation_id":"` + cid + `","author_id":` + id + `,"author_name":"` + name + `","entity_id":` + id + `,"entity_type":"User","with":"standard","target_id":` + id + `,"target_type":"User","target_details":"` + name + `"}` + "\n"
	}
	write := func(path, data string, flag int) {
		t.Helper()
		f, err := os.OpenFile(path, flag|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(data); err != nil {
			t.Fatal(err)
		}
	}
	// Before the reload: the application line of request A, the audit
	// line of request B.
	write(app, signIn("01HQRELOADJOIN0000000000A", "root", "1", 0), os.O_CREATE|os.O_TRUNC)
	write(audit, auditLine("01HQRELOADJOIN0000000000B", "Ops Admin", "12", time.Second), os.O_CREATE|os.O_TRUNC)
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "application", Path: app}, config.Source{Type: "audit", Path: audit})
	a, ctx, stop := runInBackground(t, c, Options{})
	defer stop()
	count := func() (lines, alerts int) {
		got.mu.Lock()
		defer got.mu.Unlock()
		for _, l := range got.lines {
			lines += len(l)
		}
		return lines, len(got.alerts)
	}
	waitFor(t, "both lines", 10*time.Second, func() bool { l, _ := count(); return l == 2 })
	if _, n := count(); n != 0 {
		t.Fatalf("%d alerts before the joins", n)
	}

	nc := *c
	off := false
	nc.Detections.Rules = map[string]config.RuleConfig{"falco.pat_created": {Enabled: &off}}
	if err := a.Reload(ctx, &nc); err != nil {
		t.Fatal(err)
	}
	write(audit, auditLine("01HQRELOADJOIN0000000000A", "Administrator", "1", 10*time.Millisecond), os.O_APPEND)
	write(app, signIn("01HQRELOADJOIN0000000000B", "ops-admin", "12", time.Second+10*time.Millisecond), os.O_APPEND)
	waitFor(t, "the two sign-ins' alerts after the reload", 10*time.Second, func() bool { _, n := count(); return n >= 2 })
	waitFor(t, "every line", 10*time.Second, func() bool { l, _ := count(); return l == 4 })
	time.Sleep(300 * time.Millisecond) // a repeated alert would follow its first
	got.mu.Lock()
	defer got.mu.Unlock()
	names := map[string]int{}
	for _, al := range got.alerts {
		checkAlert(t, al)
		if al.msgID != "sentinel.local_auth_no_mfa" {
			t.Errorf("unexpected alert %s", al.msgID)
			continue
		}
		names[al.sd["alert@32473"]["AuthorName"]]++
	}
	if names["Administrator"] != 1 || names["Ops Admin"] != 1 || len(got.alerts) != 2 {
		t.Errorf("alerts by joined AuthorName %v, want Administrator (held alert) and Ops Admin (held audit line) once each", names)
	}
}

// adminSignInLine returns an application_json.log line, with its newline,
// of an administrator's password sign-in at time at (GitLab's text),
// request cid, user name user of id id: what sentinel.local_auth_no_mfa
// alerts on.
func adminSignInLine(at, cid, user, id string) string {
	return `{"severity":"INFO","time":"` + at + `","correlation_id":"` + cid + `","meta.caller_id":"SessionsController#create","meta.remote_ip":"198.51.100.4","meta.feature_category":"system_access","meta.user":"` + user + `","meta.user_id":` + id + `,"message":"Successful Login: username=` + user + ` ip=198.51.100.4 method=standard admin=true"}` + "\n"
}
