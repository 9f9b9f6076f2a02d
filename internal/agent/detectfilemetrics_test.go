package agent

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
)

// TestTIFileMetrics: the agent exports, for the TI rule, the indicators
// it matches with, whether its ti_file as last looked at gave any, and the
// modification time of the file they came from; a file deleted while
// running turns usable to 0 and keeps the rest (fresh-user trial 259: a
// missing or stale feed showed only in one log line).
func TestTIFileMetrics(t *testing.T) {
	dir := t.TempDir()
	ti := filepath.Join(dir, "ti.txt")
	appendLine(t, ti, "203.0.113.0/24")
	appendLine(t, ti, "198.51.100.7")
	fi, err := os.Stat(ti)
	if err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, "stdout://", config.Source{Type: "access", Path: filepath.Join(dir, "gitlab_access.log")})
	c.Detections.Rules = map[string]config.RuleConfig{"sentinel.ti_malicious_ip": {Params: map[string]string{"ti_file": ti}}}
	a, _, stop := runInBackground(t, c, Options{Stdout: new(syncBuffer)})
	defer stop()
	const rule = "sentinel.ti_malicious_ip"
	waitFor(t, "the file metrics", 10*time.Second, func() bool { return counter(t, a, "gitlab_syslog_detect_rule_file_entries", rule) == 2 })
	if v := counter(t, a, "gitlab_syslog_detect_rule_file_usable", rule); v != 1 {
		t.Errorf("usable = %v, want 1", v)
	}
	if v, want := counter(t, a, "gitlab_syslog_detect_rule_file_modified_timestamp_seconds", rule), float64(fi.ModTime().UnixNano())/1e9; v != want {
		t.Errorf("modified = %v, want %v", v, want)
	}
	if err := os.Remove(ti); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "usable 0 for the deleted file", 10*time.Second, func() bool { return counter(t, a, "gitlab_syslog_detect_rule_file_usable", rule) == 0 })
	if v := counter(t, a, "gitlab_syslog_detect_rule_file_entries", rule); v != 2 {
		t.Errorf("entries = %v after the file was deleted, want the 2 kept", v)
	}
}
