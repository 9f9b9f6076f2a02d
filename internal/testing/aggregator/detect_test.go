package aggregator

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// failedLogin is an application_json.log line of a failed password login
// of user from ip at t.
func failedLogin(t time.Time, seq int, user, ip string) string {
	return fmt.Sprintf(`{"severity":"INFO","time":"%s","correlation_id":"01K%023d","meta.caller_id":"SessionsController#create","meta.remote_ip":"%s","meta.feature_category":"system_access","message":"Failed Login: username=%s ip=%s"}`,
		t.Format("2006-01-02T15:04:05.000Z"), seq, ip, user, ip)
}

// collected is what the final collector received: log lines, and the
// alerts with the HOSTNAME they came from.
type collected struct {
	mu     sync.Mutex
	lines  map[string]string // MSG → HOSTNAME
	alerts []alert
	bad    []string
}

type alert struct {
	host string
	Rule string   `json:"rule"`
	ID   string   `json:"alert_id"`
	Node []string `json:"nodes"`
	SD   string
}

func (c *collected) add(msg []byte) {
	m, err := syslogtest.Parse(msg)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.bad = append(c.bad, string(msg))
		return
	}
	if string(m.AppName) != "GitLab-Detections" {
		c.lines[string(m.Msg)] = string(m.Hostname)
		return
	}
	a := alert{host: string(m.Hostname), SD: string(m.SD)}
	if err := json.Unmarshal(m.Msg, &a); err != nil {
		c.bad = append(c.bad, string(msg))
		return
	}
	c.alerts = append(c.alerts, a)
}

// TestMergedStreamDetection: a brute-force run against one user from one
// address is split by a load balancer over two nodes, 6 failed logins on
// one and 5 on the other. sentinel.bruteforce alerts above 10 in the
// window (the floor of its min_count), so neither node's agent (detections
// on) alerts, and the aggregator, which sees the merged stream, alerts
// exactly once, naming both nodes.
func TestMergedStreamDetection(t *testing.T) {
	dir := t.TempDir()
	c := &collected{lines: map[string]string{}}
	col, err := syslogtest.Listen("127.0.0.1:0", c.add)
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	port := syslogtest.FreeTCPPort(t)
	aggCfg := writeFile(t, filepath.Join(dir, "aggregator.yaml"), fmt.Sprintf(`state_dir: %s/aggregator
hostname: aggregator
forward: {url: "tcp://%s"}
inputs:
  - listen: relp://127.0.0.1:%d
`, dir, col.Addr(), port))
	agg := start(t, "aggregator", aggCfg)

	t0 := time.Now().UTC().Add(-10 * time.Minute).Truncate(time.Second)
	nodes := []string{"node-a", "node-b"}
	var all []string
	logs := make([][]string, 2)
	for i := range 11 { // alternate, as a load balancer would
		l := failedLogin(t0.Add(time.Duration(i)*10*time.Second), i, "victim", "198.51.100.9")
		logs[i%2] = append(logs[i%2], l)
		all = append(all, l)
	}
	var agents []*proc
	for i, n := range nodes {
		logPath := writeFile(t, filepath.Join(dir, n+".log"), strings.Join(logs[i], "\n")+"\n")
		cfg := writeFile(t, filepath.Join(dir, n+".yaml"), fmt.Sprintf(`state_dir: %s/%s
hostname: %s
forward: {url: "relp://127.0.0.1:%d"}
sources: [{type: application, path: %s}]
`, dir, n, n, port, logPath))
		agents = append(agents, start(t, n, cfg, "--once"))
	}
	for _, a := range agents {
		a.Wait(t, time.Minute)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		done := len(c.lines) == len(all) && len(c.alerts) > 0
		c.mu.Unlock()
		if done {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second) // a second alert, if any, would come now
	agg.Stop(t)

	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.bad) > 0 {
		t.Errorf("unparsable messages: %q", c.bad)
	}
	for i, l := range all {
		if h, ok := c.lines[l]; !ok || h != nodes[i%2] {
			t.Errorf("line %d: at the collector %v with HOSTNAME %q, want %q", i, ok, h, nodes[i%2])
		}
	}
	if len(c.alerts) != 1 {
		t.Fatalf("%d alerts at the collector, want exactly 1 (sentinel.bruteforce at the aggregator): %+v\naggregator log:\n%s",
			len(c.alerts), c.alerts, syslogtest.Tail(agg.Stderr.String(), 3000))
	}
	a := c.alerts[0]
	if a.Rule != "sentinel.bruteforce" || a.host != "aggregator" || strings.Join(a.Node, ",") != "node-a,node-b" ||
		!strings.Contains(a.SD, `nodes="node-a,node-b"`) {
		t.Errorf("alert = %+v, want sentinel.bruteforce from HOSTNAME aggregator naming nodes node-a,node-b in MSG and SD", a)
	}
}
