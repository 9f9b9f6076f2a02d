package chaos

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSystemdUnit checks examples/gitlab-syslog.service with
// systemd-analyze verify (binary path pointed at the freshly built agent):
// any warning, such as a misspelt hardening directive, fails the test.
func TestSystemdUnit(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	data, err := os.ReadFile("../../../examples/gitlab-syslog.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(t.TempDir(), "gitlab-syslog.service")
	s := strings.ReplaceAll(string(data), "/usr/local/bin/gitlab-syslog", agentBin)
	if err := os.WriteFile(unit, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(sa, "verify", unit).CombinedOutput()
	if err != nil || strings.Contains(string(out), "gitlab-syslog.service") {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
