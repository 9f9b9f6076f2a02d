package agent

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestDefaultAuthSourceAppearsLater runs the agent on the default sources of
// a log directory without auth_json.log, as on a GitLab that has not yet
// throttled anything, then creates the file the way GitLab does at its
// first Rack::Attack event: its lines must arrive under GitLab-Auth-Logs
// without a restart or reload.
func TestDefaultAuthSourceAppearsLater(t *testing.T) {
	logDir := t.TempDir()
	rails := filepath.Join(logDir, "gitlab-rails")
	if err := os.MkdirAll(rails, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile := func(name string, data []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(rails, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	audit, err := os.ReadFile(filepath.Join(testdata, "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile("audit_json.log", audit)

	var mu sync.Mutex
	byApp := map[string]map[string]int{}
	col, err := syslogtest.Listen("127.0.0.1:0", func(m []byte) {
		p, err := syslogtest.Parse(m)
		if err != nil {
			panic(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if byApp[string(p.AppName)] == nil {
			byApp[string(p.AppName)] = map[string]int{}
		}
		byApp[string(p.AppName)][string(p.Msg)]++
	})
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	count := func(app string) int {
		mu.Lock()
		defer mu.Unlock()
		return len(byApp[app])
	}

	c := &config.Config{StateDir: t.TempDir(), LogDir: logDir, Hostname: "testhost"}
	c.Forward.URL = "tcp://" + col.Addr()
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	authPath := filepath.Join(rails, "auth_json.log")
	found := false
	for _, s := range c.Sources {
		found = found || (s.Type == "auth" && s.Path == authPath && s.AppName == config.AppNameAuth)
	}
	if !found {
		t.Fatalf("default sources %+v do not follow %s", c.Sources, authPath)
	}
	_, _, stop := runInBackground(t, c, Options{})
	auditLines := readLines(t, filepath.Join(rails, "audit_json.log"))
	waitFor(t, "the audit lines", 20*time.Second, func() bool { return count(config.AppNameAudit) == len(auditLines) })

	auth, err := os.ReadFile(filepath.Join(testdata, "auth_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile("auth_json.log", auth)
	authLines := readLines(t, authPath)
	waitFor(t, "the auth lines of the file created later", 20*time.Second, func() bool { return count(config.AppNameAuth) == len(authLines) })
	stop()
	mu.Lock()
	defer mu.Unlock()
	for _, l := range authLines {
		if byApp[config.AppNameAuth][l] != 1 {
			t.Errorf("auth line arrived %d times: %q", byApp[config.AppNameAuth][l], l)
		}
	}
}
