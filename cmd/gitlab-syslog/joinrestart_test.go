package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// joinLines are the lines of TestRunJoinAcrossRestart at event time at:
// the application and audit lines of an admin's password sign-in (cid
// ...A, sentinel.local_auth_no_mfa) and of a user created with an outside
// e-mail address (cid ...B, sentinel.external_user), and of a second
// sign-in whose audit line comes first (cid ...E).
func joinLines(at time.Time) (app, audit map[string]string) {
	ts := func(d time.Duration) string { return at.Add(d).UTC().Format("2006-01-02T15:04:05.000Z") }
	app = map[string]string{
		"A": `{"severity":"INFO","time":"` + ts(0) + `","correlation_id":"01HQJOINRESTART00000000000A","meta.caller_id":"SessionsController#create","meta.remote_ip":"198.51.100.4","meta.feature_category":"system_access","meta.user":"root","meta.user_id":1,"meta.client_id":"user/1","message":"Successful Login: username=root ip=198.51.100.4 method=standard admin=true"}`,
		"B": `{"severity":"INFO","time":"` + ts(time.Millisecond) + `","correlation_id":"01HQJOINRESTART00000000000B","meta.caller_id":"Admin::UsersController#create","meta.remote_ip":"198.51.100.4","meta.feature_category":"system_access","meta.user":"root","meta.user_id":1,"meta.client_id":"user/1","message":"User \"Trent Outside\" (trent@outside.test) was created"}`,
		"E": `{"severity":"INFO","time":"` + ts(2*time.Second) + `","correlation_id":"01HQJOINRESTART00000000000E","meta.caller_id":"SessionsController#create","meta.remote_ip":"198.51.100.12","meta.feature_category":"system_access","meta.user":"ops-admin","meta.user_id":12,"meta.client_id":"user/12","message":"Successful Login: username=ops-admin ip=198.51.100.12 method=standard admin=true"}`,
	}
	audit = map[string]string{
		"A": `{"severity":"INFO","time":"` + ts(10*time.Millisecond) + `","correlation_id":"01HQJOINRESTART00000000000A","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","created_at":"` + ts(3*time.Millisecond) + `","with":"standard","target_id":1,"target_type":"User","target_details":"Administrator"}`,
		"B": `{"severity":"INFO","time":"` + ts(40*time.Millisecond) + `","correlation_id":"01HQJOINRESTART00000000000B","author_id":1,"entity_id":88,"entity_type":"User","add":"user","author_name":"Administrator","target_id":88,"target_type":"User","target_details":"trent","ip_address":"192.0.2.50","entity_path":"trent"}`,
		"E": `{"severity":"INFO","time":"` + ts(1990*time.Millisecond) + `","correlation_id":"01HQJOINRESTART00000000000E","id":5006,"author_id":12,"entity_id":12,"entity_type":"User","author_name":"Ops Admin","created_at":"` + ts(1985*time.Millisecond) + `","event_name":"authenticated_with_password","with":"standard","ip_address":"198.51.100.12","entity_path":"ops-admin"}`,
	}
	return app, audit
}

// alertsOf returns the alerts among the RFC 5424 messages of out (one a
// line) as their MSG JSON without detected_at, keys sorted.
func alertsOf(t *testing.T, out string) []string {
	t.Helper()
	var alerts []string
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if l == "" {
			continue
		}
		m, err := syslogtest.Parse([]byte(l))
		if err != nil {
			t.Fatalf("%v: %q", err, l)
		}
		if string(m.AppName) == "GitLab-Detections" {
			alerts = append(alerts, canonAlert(t, m.Msg))
		}
	}
	return alerts
}

// canonAlert returns the alert JSON a without detected_at, keys sorted.
func canonAlert(t *testing.T, a []byte) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a, &m); err != nil {
		t.Fatalf("alert is not JSON: %v: %s", err, a)
	}
	delete(m, "detected_at")
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRunJoinAcrossRestart runs the agent (run --once) over the
// application lines of two join rules' alerts and the audit line of a
// third, then again on the same state directory after the other lines
// were appended: the alerts held across the restart for their audit line,
// and the audit line held for its application line, give exactly the
// alerts of `detect` over the same files, enriched, none repeated.
// (Event times are a few seconds old, inside the lateness a --once run
// keeps windows open for.)
func TestRunJoinAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	app, audit := joinLines(time.Now().Add(-20 * time.Second))
	appPath := writeFile(t, filepath.Join(dir, "application_json.log"), app["A"]+"\n"+app["B"]+"\n")
	auditPath := writeFile(t, filepath.Join(dir, "audit_json.log"), audit["E"]+"\n")
	cfg := writeFile(t, filepath.Join(dir, "config.yaml"), fmt.Sprintf(
		"detections:\n  rules:\n    sentinel.external_user: {allowed_domains: corp.example}\nsources:\n  - {type: application, path: %q}\n  - {type: audit, path: %q}\n",
		appPath, auditPath))
	state := filepath.Join(dir, "state")

	first := runCmd(t, "--config", cfg, "--to", "stdout", "--once", "--state-dir", state)
	if first.err != nil {
		t.Fatalf("first run: %v\n%s", first.err, first.stderr)
	}
	if a := alertsOf(t, first.stdout); len(a) != 0 {
		t.Fatalf("first run: alerts %q before any join or window end", a)
	}
	appendTo(t, auditPath, audit["A"]+"\n"+audit["B"]+"\n")
	appendTo(t, appPath, app["E"]+"\n")
	second := runCmd(t, "--config", cfg, "--to", "stdout", "--once", "--state-dir", state)
	if second.err != nil {
		t.Fatalf("second run: %v\n%s", second.err, second.stderr)
	}
	got := alertsOf(t, second.stdout)

	o := &detectOptions{format: "json", params: []string{"allowed_domains=corp.example"}}
	var stdout, stderr strings.Builder
	if err := runDetect(context.Background(), o, []string{"application:" + appPath, "audit:" + auditPath}, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatalf("detect: %v\n%s", err, stderr.String())
	}
	var want []string
	sc := bufio.NewScanner(strings.NewReader(stdout.String()))
	for sc.Scan() {
		want = append(want, canonAlert(t, sc.Bytes()))
	}
	slices.Sort(got)
	slices.Sort(want)
	if len(want) != 3 {
		t.Fatalf("detect: %d alerts, want 3:\n%s", len(want), strings.Join(want, "\n"))
	}
	for _, w := range []string{`"AuthorName":"Administrator"`, `"EntityPath":"trent"`, `"AuthorName":"Ops Admin"`} {
		if !slices.ContainsFunc(want, func(a string) bool { return strings.Contains(a, w) }) {
			t.Errorf("detect: no alert enriched with %s:\n%s", w, strings.Join(want, "\n"))
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("alerts across the restart\n%s\nwant (detect)\n%s\nsecond run's log:\n%s",
			strings.Join(got, "\n"), strings.Join(want, "\n"), second.stderr)
	}
}
