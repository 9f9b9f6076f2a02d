package aggregator

import (
	"fmt"
	"os"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// agentBin is the gitlab-syslog binary built by TestMain.
var agentBin string

func TestMain(m *testing.M) {
	bin, dir, err := syslogtest.BuildAgent("../../../cmd/gitlab-syslog", false)
	if err != nil {
		fmt.Fprintln(os.Stderr, "aggregator:", err)
		os.Exit(1)
	}
	agentBin = bin
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is one run of the agent binary.
type proc = syslogtest.AgentProc

// start runs the agent on config with extra arguments; it is killed when
// t ends.
func start(t *testing.T, name, config string, args ...string) *proc {
	t.Helper()
	p := syslogtest.StartAgent(t, name, agentBin, append([]string{"run", "--config", config, "--log-level", "info"}, args...)...)
	t.Cleanup(p.Kill)
	return p
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
