package chaos

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// shipped gathers the access lines a collector receives (their MSG) and
// the TI rule's alerts.
type shipped struct {
	tiAlerts
	mu     sync.Mutex
	access []string
}

func (c *shipped) add(msg []byte) {
	c.tiAlerts.add(msg)
	m, err := syslogtest.Parse(msg)
	if err != nil || string(m.AppName) != "GitLab-Access-Logs" {
		return
	}
	c.mu.Lock()
	c.access = append(c.access, string(m.Msg))
	c.mu.Unlock()
}

func (c *shipped) hasAccess(sub string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range c.access {
		if strings.Contains(a, sub) {
			return true
		}
	}
	return false
}

// TestStartTIFileMissing: run starts while the TI rule's ti_file is
// missing (a restart while a feed job replaces it): the logs are shipped,
// one error names the file, the cause and what to do, and the file that
// appears is read with no signal. Then a feed job that truncates the file
// before writing it, with a SIGHUP in between, leaves the indicators in
// use. run refused to start, so no log was shipped until the file was back.
func TestStartTIFileMissing(t *testing.T) {
	dir := t.TempDir()
	access, ti, conf := filepath.Join(dir, "gitlab_access.log"), filepath.Join(dir, "ti.txt"), filepath.Join(dir, "config.yaml")
	write(t, access, "", false)
	got := &shipped{}
	col, err := syslogtest.Listen("127.0.0.1:0", got.add)
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	c := fmt.Sprintf("state_dir: %s\nhostname: chaos\ncheckpoint_interval: 50ms\nforward:\n  url: tcp://%s\nsources:\n  - {type: access, path: %s}\n"+
		"detections:\n  rules:\n    sentinel.ti_malicious_ip: {ti_file: %s}\n", filepath.Join(dir, "state"), col.Addr(), access, ti)
	if err := os.WriteFile(conf, []byte(c), 0o644); err != nil {
		t.Fatal(err)
	}
	request := func(ip string) {
		write(t, access, ip+` - - [18/Sep/2025:12:30:00 +0000] "GET /api/v4/projects HTTP/1.1" 200 12 "" "curl/8.0"`+"\n", true)
	}
	p := runDetectAgent(t, conf)
	defer p.Kill()
	request("203.0.113.1")
	wait(t, p, "the access line shipped with the ti_file missing", func() bool { return got.hasAccess("203.0.113.1 ") })
	errs := errorLines(p.Log())
	if len(errs) != 1 || !strings.Contains(errs[0], "file="+ti+" ") || !strings.Contains(errs[0], "no such file") ||
		!strings.Contains(errs[0], "runs with no indicators") || !strings.Contains(errs[0], "hint=") {
		t.Errorf("want one error naming %s, the cause and what to do; got:\n%s", ti, strings.Join(errs, "\n"))
	}

	// The feed job writes the file: read with no signal.
	write(t, ti, "203.0.113.0/24\n", false)
	time.Sleep(3 * time.Second) // the rule looks at the file every 2 s
	request("203.0.113.2")
	wait(t, p, "the alert of an address the file that appeared lists", func() bool { return got.has("203.0.113.2 Medium") })

	// The feed job truncates the file; a SIGHUP comes before it writes.
	write(t, ti, "", false)
	sighup(t, p, 1)
	request("203.0.113.3")
	wait(t, p, "the alert from the indicators kept over the emptied file", func() bool { return got.has("203.0.113.3 Medium") })
	if !strings.Contains(p.Log(), "became empty") {
		t.Errorf("the emptied file was not reported:\n%s", syslogtest.Tail(p.Log(), 3000))
	}
	p.Stop(t)
	t.Logf("agent log:\n%s", syslogtest.Tail(p.Log(), 4000))
}
