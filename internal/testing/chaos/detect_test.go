package chaos

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/influxdata/go-syslog/v3/rfc5424"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// Shape of the generated application log of TestDetectRestart.
const (
	detectLines = 120_000 // lines in the file
	burstEvery  = 1_500   // a brute-force burst starts every burstEvery lines
	burstLen    = 12      // failed logins per burst: one more than the floor of 10
	burstStep   = 100     // lines between two failed logins of a burst
	adminEvery  = 4_000   // an admin signs in with a password (local_auth_no_mfa)
)

// writeDetectLog writes an application_json.log of detectLines lines, one
// every 100 ms of event time: ordinary lines; every burstEvery lines a
// burst of burstLen failed logins of a new user from a new address, one
// every burstStep lines (sentinel.bruteforce alerts on the 11th), so that
// most points of the file cut a burst in two; and an admin password login
// every adminEvery lines (sentinel.local_auth_no_mfa). It returns the
// lines by event time, to find the line an alert was triggered by.
func writeDetectLog(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	byTime := make(map[string]string, detectLines)
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := range detectLines {
		ts := t0.Add(time.Duration(i) * 100 * time.Millisecond).Format("2006-01-02T15:04:05.000Z")
		var msg string
		switch b, k := i%burstEvery, i/burstEvery; {
		case b%burstStep == 0 && b/burstStep < burstLen:
			msg = fmt.Sprintf("Failed Login: username=user%d ip=198.18.%d.%d", k, k/250, k%250+1)
		case i%adminEvery == 1:
			msg = fmt.Sprintf("Successful Login: username=admin%d ip=192.0.2.10 method=standard admin=true", i/adminEvery)
		default:
			msg = fmt.Sprintf("Successful Login: username=dev%d ip=192.0.2.20 method=two-factor admin=false", i%97)
		}
		line := fmt.Sprintf(`{"severity":"INFO","time":"%s","correlation_id":"01C%023d","meta.caller_id":"SessionsController#create","meta.remote_ip":"192.0.2.20","meta.feature_category":"system_access","message":"%s"}`, ts, i, msg)
		byTime[ts] = line
		w.WriteString(line)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return byTime
}

// alertTally counts what a collector received: log lines by MSG and
// alerts by alert_id (with the event time each was triggered at).
type alertTally struct {
	mu     sync.Mutex
	lines  map[string]int
	alerts map[string]int
	when   map[string]string // alert_id → the alert's event time ("time")
	rule   map[string]string // alert_id → rule
	bad    []string
	delay  time.Duration // sleep per 100 messages: a slow collector
	n      int
}

func newAlertTally() *alertTally {
	return &alertTally{lines: map[string]int{}, alerts: map[string]int{}, when: map[string]string{}, rule: map[string]string{}}
}

func (a *alertTally) add(msg []byte) {
	m, err := rfc5424.NewParser().Parse(msg)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.n++; a.delay > 0 && a.n%100 == 0 {
		time.Sleep(a.delay)
	}
	if err != nil {
		a.bad = append(a.bad, string(msg))
		return
	}
	sm := m.(*rfc5424.SyslogMessage)
	body := *sm.Message
	if *sm.Appname != "GitLab-Detections" {
		a.lines[body]++
		return
	}
	var j struct {
		Rule    string `json:"rule"`
		AlertID string `json:"alert_id"`
		Time    string `json:"time"`
	}
	if err := json.Unmarshal([]byte(body), &j); err != nil || j.AlertID == "" || *sm.MsgID != j.Rule {
		a.bad = append(a.bad, string(msg))
		return
	}
	a.alerts[j.AlertID]++
	a.when[j.AlertID], a.rule[j.AlertID] = j.Time, j.Rule
}

func (a *alertTally) snapshot() (lines, alerts int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, n := range a.lines {
		lines += n
	}
	return lines, len(a.alerts)
}

// settle waits until every line arrived and nothing more has for 300 ms:
// the agent exits once its messages are written, and the last ones (the
// alerts --once decides at the end) may still be in the socket.
func (a *alertTally) settle(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	lastL, lastA, since := -1, -1, time.Now()
	for time.Now().Before(deadline) {
		a.mu.Lock()
		l, n := len(a.lines), len(a.alerts)
		a.mu.Unlock()
		if l != lastL || n != lastA {
			lastL, lastA, since = l, n, time.Now()
		} else if l >= detectLines && time.Since(since) > 300*time.Millisecond {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the collector still receives after 20s (%d distinct lines, %d alerts)", lastL, lastA)
}

// runDetectAgent runs the agent binary on config with extra arguments.
func runDetectAgent(t *testing.T, config string, args ...string) *agentProc {
	t.Helper()
	return syslogtest.StartAgent(t, "agent", agentBin, append([]string{"run", "--config", config, "--log-level", "info"}, args...)...)
}

// waitExit waits for an agent run with --once to exit 0.
func waitExit(t *testing.T, p *agentProc) {
	t.Helper()
	p.Wait(t, 2*time.Minute)
}

// detectConfig writes the configuration of one run into dir.
func detectConfig(t *testing.T, dir, collector, logPath string) string {
	t.Helper()
	path := filepath.Join(dir, "config.yaml")
	cfg := fmt.Sprintf("state_dir: %s\nhostname: chaos\ncheckpoint_interval: 50ms\ndetections: {state_save_interval: 1s}\nforward:\n  url: tcp://%s\nsources:\n  - {type: application, path: %s}\n",
		filepath.Join(dir, "state"), collector, logPath)
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDetectRestart kills the agent binary with SIGKILL in the middle of a
// file with detections on, restarts it, and compares the alerts with an
// uninterrupted run over the same file: the same alert_ids arrive (no fold
// lost: a burst cut by the kill still alerts), each triggered by the same
// event (no line folded twice), and an alert arrives twice only together
// with a line of the batch it rode in (sent again, as at-least-once
// delivery allows).
func TestDetectRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("restart test writes and ships a 120,000-line file twice; not run with -short")
	}
	dir := t.TempDir()
	logPath := filepath.Join(dir, "application_json.log")
	byTime := writeDetectLog(t, logPath)

	// The uninterrupted run.
	ref := newAlertTally()
	col, err := syslogtest.Listen("127.0.0.1:0", ref.add)
	if err != nil {
		t.Fatal(err)
	}
	refDir := filepath.Join(dir, "ref")
	waitExit(t, runDetectAgent(t, detectConfig(t, mkdir(t, refDir), col.Addr(), logPath), "--once"))
	ref.settle(t)
	col.Close()
	bursts := (detectLines + burstEvery - 1) / burstEvery
	if _, n := ref.snapshot(); n < bursts {
		t.Fatalf("uninterrupted run: %d alerts, want at least %d (one per brute-force burst)", n, bursts)
	}

	// The interrupted run: a slow collector, SIGKILL when about a third of
	// the file arrived, then a restart to the end.
	got := newAlertTally()
	got.delay = 3 * time.Millisecond
	col, err = syslogtest.Listen("127.0.0.1:0", got.add)
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	killDir := mkdir(t, filepath.Join(dir, "killed"))
	conf := detectConfig(t, killDir, col.Addr(), logPath)
	p := runDetectAgent(t, conf)
	deadline := time.Now().Add(time.Minute)
	for {
		if lines, _ := got.snapshot(); lines >= detectLines/3 {
			break
		}
		if time.Now().After(deadline) {
			p.Kill()
			t.Fatalf("a third of the file did not arrive within a minute:\n%s", p.Log())
		}
		time.Sleep(5 * time.Millisecond)
	}
	p.Kill() // SIGKILL
	atKill, alertsAtKill := got.snapshot()
	got.mu.Lock()
	got.delay = 0
	got.mu.Unlock()
	p2 := runDetectAgent(t, conf, "--once")
	waitExit(t, p2)
	got.settle(t)
	col.Close()
	if atKill >= detectLines {
		t.Fatalf("the whole file arrived before the kill (%d lines): the kill was not in the middle", atKill)
	}
	t.Logf("killed after %d lines and %d alerts; restart log:\n%s", atKill, alertsAtKill, p2.Log())

	compareAlertRuns(t, ref, got, byTime)
}

// compareAlertRuns compares the alerts got of an interrupted run with ref,
// those of an uninterrupted run over the file whose lines byTime holds:
// the same alert_ids, each triggered by the same event, and an alert
// repeated only together with a line of the batch it rode in.
func compareAlertRuns(t *testing.T, ref, got *alertTally, byTime map[string]string) {
	t.Helper()
	got.mu.Lock()
	defer got.mu.Unlock()
	if len(got.bad) > 0 || len(ref.bad) > 0 {
		t.Fatalf("malformed messages: %q %q", got.bad, ref.bad)
	}
	refIDs, gotIDs := keys(ref.alerts), keys(got.alerts)
	if !slices.Equal(refIDs, gotIDs) {
		describe := func(ids []string, ta *alertTally) []string {
			var out []string
			for _, id := range ids {
				out = append(out, ta.rule[id]+"@"+ta.when[id])
			}
			return out
		}
		t.Errorf("alert_ids differ from the uninterrupted run's: %d vs %d\nmissing %v\nextra %v",
			len(gotIDs), len(refIDs), describe(minus(refIDs, gotIDs), ref), describe(minus(gotIDs, refIDs), got))
	}
	for id, n := range ref.alerts {
		if n != 1 {
			t.Errorf("uninterrupted run sent alert %s %d times", id, n)
		}
		// A line folded twice crosses a threshold early, one not folded
		// late (or never).
		if w, ok := got.when[id]; ok && w != ref.when[id] {
			t.Errorf("%s alert %s at %s, uninterrupted at %s: a line was folded twice or not at all", ref.rule[id], id, w, ref.when[id])
		}
	}
	lineDups, alertDups := 0, 0
	for _, n := range got.lines {
		lineDups += n - 1
	}
	// An alert rides in the batch whose processing released it: the one
	// of its triggering line, or a later one when the rule held the event
	// for the lateness allowance (2 min) to join it. A repeated alert must
	// come with a repeated line of such a batch.
	resent := func(from time.Time, n int) bool {
		for dt := time.Duration(0); dt <= 3*time.Minute; dt += 100 * time.Millisecond {
			if l, ok := byTime[from.Add(dt).Format("2006-01-02T15:04:05.000Z")]; ok && got.lines[l] >= n {
				return true
			}
		}
		return false
	}
	for id, n := range got.alerts {
		if n == 1 {
			continue
		}
		alertDups += n - 1
		at, err := time.Parse(time.RFC3339Nano, got.when[id])
		if err != nil || !resent(at, n) {
			t.Errorf("%s alert %s arrived %d times, but no line of the 3 min from its event (at %s) was sent as often: folded twice", got.rule[id], id, n, got.when[id])
		}
	}
	if len(got.lines) != detectLines {
		t.Errorf("%d distinct lines arrived, want %d", len(got.lines), detectLines)
	}
	t.Logf("%d alerts (as uninterrupted), %d repeated with their lines; %d lines repeated (at least once delivery)", len(gotIDs), alertDups, lineDups)
}

func mkdir(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func keys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// minus returns the sorted a without the members of sorted b, at most 10.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if _, found := slices.BinarySearch(b, x); !found && len(out) < 10 {
			out = append(out, x)
		}
	}
	return out
}
