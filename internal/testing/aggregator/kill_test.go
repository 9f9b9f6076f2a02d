package aggregator

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// auditLine returns line seq of node's audit log, an audit_json.log line
// with "agg-<node>-<seq>" as its correlation_id.
func auditLine(node string, seq int) string {
	ts := time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC).Add(time.Duration(seq) * time.Millisecond).Format("2006-01-02T15:04:05.000Z")
	return `{"severity":"INFO","time":"` + ts + `","correlation_id":"agg-` + node + `-` + fmt.Sprintf("%08d", seq) +
		`","meta.caller_id":"ProjectsController#update","author_id":1,"author_name":"Administrator","entity_id":7,` +
		`"entity_type":"Project","change":"visibility","from":"Private","to":"Public","target_id":7,"target_type":"Project",` +
		`"target_details":"group/project","ip_address":"203.0.113.7","created_at":"` + ts + `"}`
}

// lineTally counts what the final collector received, per line.
type lineTally struct {
	mu      sync.Mutex
	got     map[string]int // correlation id → copies
	bad     []string       // messages that are not a node's line as sent
	foreign int
}

func (lt *lineTally) add(msg []byte) {
	m, err := syslogtest.Parse(msg)
	lt.mu.Lock()
	defer lt.mu.Unlock()
	if err != nil {
		lt.bad = append(lt.bad, string(msg))
		return
	}
	i := bytes.Index(m.Msg, []byte(`"correlation_id":"agg-`))
	if i < 0 {
		lt.foreign++
		return
	}
	id := string(m.Msg[i+len(`"correlation_id":"`) : i+len(`"correlation_id":"agg-`)+len("node-a-00000000")])
	node, seq := id[4:10], id[11:]
	n, _ := strconv.Atoi(seq)
	// The aggregator's message must be the node's: the line byte for byte,
	// its APP-NAME, the node's HOSTNAME and the line's time.
	if string(m.Msg) != auditLine(node, n) || string(m.AppName) != "GitLab-Audit-Logs" || string(m.Hostname) != node ||
		!bytes.Contains(m.SD, []byte(`ChangeType="visibility"`)) {
		lt.bad = append(lt.bad, string(msg))
		return
	}
	lt.got[id]++
}

func (lt *lineTally) distinct() int {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	return len(lt.got)
}

// TestAggregatorKill: two node agents follow their audit logs, written at
// 1,000 lines/s each, and forward over RELP to an aggregator, which
// forwards to a counting collector. The aggregator is SIGKILLed twice while
// it receives and started again. Every line must reach the collector (0
// lost): what the aggregator acknowledged was in its spool, and the agents
// resend what it had not.
func TestAggregatorKill(t *testing.T) {
	if testing.Short() {
		t.Skip("kills real processes for about 15 s; not run with -short")
	}
	const (
		rate     = 1000 // lines per second per node
		duration = 8 * time.Second
	)
	dir := t.TempDir()
	lt := &lineTally{got: map[string]int{}}
	col, err := syslogtest.Listen("127.0.0.1:0", lt.add)
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	port := syslogtest.FreeTCPPort(t)
	aggCfg := writeFile(t, filepath.Join(dir, "aggregator.yaml"), fmt.Sprintf(`state_dir: %s/aggregator
hostname: aggregator
checkpoint_interval: 50ms
forward: {url: "tcp://%s"}
inputs:
  - listen: relp://127.0.0.1:%d
detections: {enabled: false}
`, dir, col.Addr(), port))
	nodes := []string{"node-a", "node-b"}
	files := make([]*os.File, len(nodes))
	var agents []*proc
	for i, n := range nodes {
		logPath := filepath.Join(dir, n+".log")
		f, err := os.Create(logPath)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		files[i] = f
		cfg := writeFile(t, filepath.Join(dir, n+".yaml"), fmt.Sprintf(`state_dir: %s/%s
hostname: %s
checkpoint_interval: 50ms
forward: {url: "relp://127.0.0.1:%d"}
sources: [{type: audit, path: %s}]
detections: {enabled: false}
`, dir, n, n, port, logPath))
		agents = append(agents, start(t, n, cfg))
	}
	agg := start(t, "aggregator", aggCfg)

	// Write, killing the aggregator at 2 s and 5 s.
	written, kills := 0, 0
	per := rate / 100
	t0 := time.Now()
	for tick := 0; time.Since(t0) < duration; tick++ {
		for i, n := range nodes {
			w := bufio.NewWriter(files[i])
			for k := range per {
				w.WriteString(auditLine(n, written+k))
				w.WriteByte('\n')
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
		}
		written += per
		if el := time.Since(t0); kills < 2 && el > time.Duration(2+3*kills)*time.Second {
			agg.Kill()
			kills++
			time.Sleep(300 * time.Millisecond)
			agg = start(t, "aggregator", aggCfg)
		}
		time.Sleep(time.Until(t0.Add(time.Duration(tick+1) * 10 * time.Millisecond)))
	}
	want := written * len(nodes)
	deadline := time.Now().Add(90 * time.Second)
	for lt.distinct() < want && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	for _, a := range agents {
		a.Stop(t)
	}
	agg.Stop(t)
	lt.mu.Lock()
	defer lt.mu.Unlock()
	dups := 0
	for _, c := range lt.got {
		dups += c - 1
	}
	lost := want - len(lt.got)
	t.Logf("written %d lines on %d nodes, aggregator SIGKILLed %d times: received %d distinct, lost %d, duplicates %d, foreign %d",
		want, len(nodes), kills, len(lt.got), lost, dups, lt.foreign)
	if len(lt.bad) > 0 {
		t.Errorf("%d messages are not a node's line as sent, e.g. %q", len(lt.bad), lt.bad[0])
	}
	if lost != 0 {
		var missing []string
		for _, n := range nodes {
			for s := 0; s < written && len(missing) < 10; s++ {
				if lt.got["agg-"+n+"-"+fmt.Sprintf("%08d", s)] == 0 {
					missing = append(missing, n+"/"+strconv.Itoa(s))
				}
			}
		}
		t.Errorf("%d lines lost, e.g. %v\naggregator log:\n%s", lost, missing, syslogtest.Tail(agg.Stderr.String(), 4000))
	}
}
