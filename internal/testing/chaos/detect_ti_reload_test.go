package chaos

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// tiAlerts gathers the TI rule's alerts a collector receives: the
// IPAddress and severity of each.
type tiAlerts struct {
	mu  sync.Mutex
	got []string // "IP severity"
}

func (c *tiAlerts) add(msg []byte) {
	m, err := syslogtest.Parse(msg)
	if err != nil || string(m.MsgID) != "sentinel.ti_malicious_ip" {
		return
	}
	ip, _ := m.Param("IPAddress")
	sev, _ := m.Param("severity")
	c.mu.Lock()
	c.got = append(c.got, ip+" "+sev)
	c.mu.Unlock()
}

func (c *tiAlerts) has(alert string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range c.got {
		if a == alert {
			return true
		}
	}
	return false
}

// TestSIGHUPTIFileMissing: a SIGHUP while the TI rule's ti_file is
// missing (deleted, or being replaced by a feed job) reloads the rest of
// the configuration (here a new severity for the rule) and keeps the
// running indicators, with one error naming the file and the cause; the
// file written again is read with no further signal; a SIGHUP with the
// configuration unchanged and the file missing again keeps them too. The
// agent refused such a configuration as invalid and reloaded nothing.
func TestSIGHUPTIFileMissing(t *testing.T) {
	dir := t.TempDir()
	access, ti, conf := filepath.Join(dir, "gitlab_access.log"), filepath.Join(dir, "ti.txt"), filepath.Join(dir, "config.yaml")
	write(t, ti, "203.0.113.0/24\n", false)
	write(t, access, "", false)
	got := &tiAlerts{}
	col, err := syslogtest.Listen("127.0.0.1:0", got.add)
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	config := func(severity string) {
		t.Helper()
		c := fmt.Sprintf("state_dir: %s\nhostname: chaos\ncheckpoint_interval: 50ms\nforward:\n  url: tcp://%s\nsources:\n  - {type: access, path: %s}\n"+
			"detections:\n  rules:\n    sentinel.ti_malicious_ip: {ti_file: %s, severity: %s}\n",
			filepath.Join(dir, "state"), col.Addr(), access, ti, severity)
		if err := os.WriteFile(conf, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	request := func(ip string) {
		write(t, access, ip+` - - [18/Sep/2025:12:30:00 +0000] "GET /api/v4/projects HTTP/1.1" 200 12 "" "curl/8.0"`+"\n", true)
	}
	config("Medium")
	p := runDetectAgent(t, conf)
	defer p.Kill()
	request("203.0.113.1")
	wait(t, p, "the alert of a listed address", func() bool { return got.has("203.0.113.1 Medium") })

	// The feed job deleted the file; the configuration changed meanwhile.
	if err := os.Remove(ti); err != nil {
		t.Fatal(err)
	}
	config("Low")
	sighup(t, p, 1)
	request("203.0.113.2")
	wait(t, p, "the alert with the new severity, from the indicators kept", func() bool { return got.has("203.0.113.2 Low") })
	errs := errorLines(p.Log())
	if len(errs) != 1 || !strings.Contains(errs[0], "file="+ti+" ") || !strings.Contains(errs[0], "no such file") || !strings.Contains(errs[0], "hint=") {
		t.Errorf("want one error naming %s, the cause and what to do; got:\n%s", ti, strings.Join(errs, "\n"))
	}

	// The file is back, listing another network: read without a signal.
	write(t, ti, "198.51.100.0/24\n", false)
	time.Sleep(3 * time.Second) // the rule looks at the file every 2 s
	request("198.51.100.7")
	wait(t, p, "the alert of an address the new file lists", func() bool { return got.has("198.51.100.7 Low") })

	// Missing again, SIGHUP with the configuration unchanged.
	if err := os.Remove(ti); err != nil {
		t.Fatal(err)
	}
	sighup(t, p, 2)
	request("198.51.100.8")
	wait(t, p, "the alert from the indicators kept after the second SIGHUP", func() bool { return got.has("198.51.100.8 Low") })
	if strings.Contains(p.Log(), "configuration invalid") {
		t.Errorf("a SIGHUP was refused:\n%s", syslogtest.Tail(p.Log(), 3000))
	}
	p.Stop(t)
	t.Logf("agent log:\n%s", syslogtest.Tail(p.Log(), 4000))
}

// sighup sends SIGHUP to p and waits for its n-th "configuration
// reloaded".
func sighup(t *testing.T, p *agentProc, n int) {
	t.Helper()
	if err := p.Cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	wait(t, p, "the reload", func() bool {
		return strings.Count(p.Log(), "configuration reloaded") >= n || strings.Contains(p.Log(), "configuration invalid")
	})
}

// errorLines returns the lines of log logged at level ERROR.
func errorLines(log string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "level=ERROR") {
			out = append(out, l)
		}
	}
	return out
}
