package chaos

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// joinCollector keeps what a collector received: the log lines and the
// alerts' MSG JSON (without detected_at, keys sorted).
type joinCollector struct {
	mu     sync.Mutex
	lines  []string
	alerts []string
	bad    []string
}

func (c *joinCollector) add(msg []byte) {
	m, err := syslogtest.Parse(msg)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.bad = append(c.bad, string(msg))
		return
	}
	if string(m.AppName) != "GitLab-Detections" {
		c.lines = append(c.lines, string(m.Msg))
		return
	}
	a, err := canonAlert(m.Msg)
	if err != nil {
		c.bad = append(c.bad, string(msg))
		return
	}
	c.alerts = append(c.alerts, a)
}

func (c *joinCollector) counts() (lines, alerts int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.lines), len(c.alerts)
}

// canonAlert returns alert JSON without detected_at, keys sorted.
func canonAlert(a []byte) (string, error) {
	var m map[string]any
	if err := json.Unmarshal(a, &m); err != nil {
		return "", err
	}
	delete(m, "detected_at")
	b, err := json.Marshal(m)
	return string(b), err
}

// waitUntil polls cond every 20 ms for up to d and reports whether it
// became true.
func waitUntil(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// TestDetectJoinReloadKill: the agent binary reads the application lines
// of an admin's password sign-in (sentinel.local_auth_no_mfa) and of a
// user created with an outside address (sentinel.external_user), and the
// audit line of a second sign-in; the rules hold them for their join. A
// SIGHUP with a changed detections block rebuilds the engine, then the
// agent is killed with SIGKILL after its periodic state save. The other
// lines are appended and the agent restarted: the alerts are exactly
// those of `gitlab-syslog detect` over the same files (enriched by the
// lines read after the kill), none repeated.
func TestDetectJoinReloadKill(t *testing.T) {
	dir := t.TempDir()
	at := time.Now().Add(-20 * time.Second) // inside the lateness: no window closes during the test
	ts := func(d time.Duration) string { return at.Add(d).UTC().Format("2006-01-02T15:04:05.000Z") }
	const cid = "01HQJOINKILL00000000000000"
	appA := `{"severity":"INFO","time":"` + ts(0) + `","correlation_id":"` + cid + `A","meta.caller_id":"SessionsController#create","meta.remote_ip":"198.51.100.4","meta.feature_category":"system_access","meta.user":"root","meta.user_id":1,"message":"Successful Login: username=root ip=198.51.100.4 method=standard admin=true"}`
	appB := `{"severity":"INFO","time":"` + ts(time.Millisecond) + `","correlation_id":"` + cid + `B","meta.caller_id":"Admin::UsersController#create","meta.remote_ip":"198.51.100.4","meta.feature_category":"system_access","meta.user":"root","meta.user_id":1,"message":"User \"Trent Outside\" (trent@outside.test) was created"}`
	appE := `{"severity":"INFO","time":"` + ts(2*time.Second) + `","correlation_id":"` + cid + `E","meta.caller_id":"SessionsController#create","meta.remote_ip":"198.51.100.12","meta.feature_category":"system_access","meta.user":"ops-admin","meta.user_id":12,"message":"Successful Login: username=ops-admin ip=198.51.100.12 method=standard admin=true"}`
	auditA := `{"severity":"INFO","time":"` + ts(10*time.Millisecond) + `","correlation_id":"` + cid + `A","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","created_at":"` + ts(3*time.Millisecond) + `","with":"standard","target_id":1,"target_type":"User","target_details":"Administrator"}`
	auditB := `{"severity":"INFO","time":"` + ts(40*time.Millisecond) + `","correlation_id":"` + cid + `B","author_id":1,"entity_id":88,"entity_type":"User","add":"user","author_name":"Administrator","target_id":88,"target_type":"User","target_details":"trent","ip_address":"192.0.2.50","entity_path":"trent"}`
	auditE := `{"severity":"INFO","time":"` + ts(1990*time.Millisecond) + `","correlation_id":"` + cid + `E","id":5006,"author_id":12,"entity_id":12,"entity_type":"User","author_name":"Ops Admin","created_at":"` + ts(1985*time.Millisecond) + `","event_name":"authenticated_with_password","with":"standard","ip_address":"198.51.100.12","entity_path":"ops-admin"}`
	appPath, auditPath := filepath.Join(dir, "application_json.log"), filepath.Join(dir, "audit_json.log")
	writeLines := func(path string, flag int, lines ...string) {
		t.Helper()
		f, err := os.OpenFile(path, flag|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteString(strings.Join(lines, "\n") + "\n"); err != nil {
			t.Fatal(err)
		}
	}
	writeLines(appPath, os.O_CREATE|os.O_TRUNC, appA, appB)
	writeLines(auditPath, os.O_CREATE|os.O_TRUNC, auditE)

	got := &joinCollector{}
	col, err := syslogtest.Listen("127.0.0.1:0", got.add)
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	state := filepath.Join(dir, "state")
	conf := filepath.Join(dir, "config.yaml")
	writeConf := func(extraRule string) {
		t.Helper()
		c := fmt.Sprintf("state_dir: %s\nhostname: chaos\ncheckpoint_interval: 50ms\ndetections:\n  state_save_interval: 1s\n  rules:\n    sentinel.external_user: {allowed_domains: corp.example}\n%sforward:\n  url: tcp://%s\nsources:\n  - {type: application, path: %s}\n  - {type: audit, path: %s}\n",
			state, extraRule, col.Addr(), appPath, auditPath)
		if err := os.WriteFile(conf, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeConf("")
	p := runDetectAgent(t, conf)
	defer p.Kill()
	if !waitUntil(30*time.Second, func() bool { l, _ := got.counts(); return l == 3 }) {
		t.Fatalf("the first 3 lines did not arrive:\n%s", syslogtest.Tail(p.Log(), 3000))
	}
	if _, n := got.counts(); n != 0 {
		t.Fatalf("%d alerts before any join", n)
	}

	writeConf("    falco.pat_created: {enabled: false}\n")
	if err := p.Cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if !waitUntil(20*time.Second, func() bool { return strings.Contains(p.Log(), "reload: detections rebuilt") }) {
		t.Fatalf("no rebuild after SIGHUP:\n%s", syslogtest.Tail(p.Log(), 3000))
	}
	// The kill comes after a save that holds the joins' state (the
	// reload's or a periodic one); a version that does not save it gets
	// the kill after 5 s.
	held := func(rule string, cids ...string) bool {
		b, err := os.ReadFile(filepath.Join(state, "detect", rule+".json"))
		for _, c := range cids {
			if err != nil || !bytes.Contains(b, []byte(cid+c)) {
				return false
			}
		}
		return true
	}
	saved := waitUntil(5*time.Second, func() bool {
		return held("sentinel.local_auth_no_mfa", "A", "E") && held("sentinel.external_user", "B")
	})
	p.Kill() // SIGKILL
	if !saved {
		t.Errorf("the join rules' state files do not hold the held alerts and audit line")
	}

	writeLines(auditPath, os.O_APPEND, auditA, auditB)
	writeLines(appPath, os.O_APPEND, appE)
	waitExit(t, runDetectAgent(t, conf, "--once"))
	if !waitUntil(20*time.Second, func() bool { l, _ := got.counts(); return l >= 6 }) {
		t.Fatal("the appended lines did not arrive after the restart")
	}
	time.Sleep(300 * time.Millisecond) // the last alerts may still be in the socket

	out, err := exec.Command(agentBin, "detect", "--param", "allowed_domains=corp.example", appPath, auditPath).Output()
	if err != nil {
		t.Fatalf("detect: %v", err)
	}
	var want []string
	for _, l := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		a, err := canonAlert(l)
		if err != nil {
			t.Fatalf("detect output %q: %v", l, err)
		}
		want = append(want, a)
	}
	got.mu.Lock()
	defer got.mu.Unlock()
	if len(got.bad) > 0 {
		t.Fatalf("malformed messages: %q", got.bad)
	}
	if len(want) != 3 {
		t.Fatalf("detect gave %d alerts, want 3:\n%s", len(want), strings.Join(want, "\n"))
	}
	alerts := slices.Clone(got.alerts)
	slices.Sort(alerts)
	slices.Sort(want)
	if !slices.Equal(alerts, want) {
		t.Errorf("alerts across the reload and the kill\n%s\nwant (detect, once each)\n%s", strings.Join(alerts, "\n"), strings.Join(want, "\n"))
	}
}
