package agent

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestStdoutOneLine checks that stdout:// prints every message on one line
// when a value (here a target_details holding "\n" and "\r\n", and the
// alerts made of it) decodes to a line break: the break is a space, as
// newline framing sends it, and the log lines still arrive once each.
func TestStdoutOneLine(t *testing.T) {
	in := filepath.Join("..", "..", "testdata", "detections", "sentinel.impersonation", "line-breaks", "audit_json.log")
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "audit_json.log")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, "stdout://", config.Source{Type: "audit", Path: path})
	var out bytes.Buffer
	runToEOF(t, c, &out)
	if bytes.IndexByte(out.Bytes(), '\r') >= 0 {
		t.Errorf("a CR in the output:\n%q", out.String())
	}
	var logs, alerts int
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		switch {
		case !strings.HasPrefix(l, "<"):
			t.Errorf("a line that does not start a message: %q", l)
		case strings.Contains(l, " "+config.AppNameAudit+" "):
			logs++
		case strings.Contains(l, " "+appNameDetections+" "):
			alerts++
		}
	}
	if want := bytes.Count(data, []byte("\n")); logs != want || alerts == 0 {
		t.Errorf("%d log lines (want %d) and %d alerts (want some)", logs, want, alerts)
	}
}
