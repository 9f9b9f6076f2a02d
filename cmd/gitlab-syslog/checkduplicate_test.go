package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckDuplicateKey: with a top-level key given twice, check shows the
// file's settings (its state_dir, its source, the first forward.url), not
// the built-in defaults, and lists the duplicate as one problem.
func TestCheckDuplicateKey(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "stg")
	cfg := writeFile(t, filepath.Join(dir, "dup.yaml"), "state_dir: "+state+"\nforward:\n  url: tcp://10.0.0.1:514\nsources:\n  - type: audit\n    path: /tmp/a/audit_json.log\nforward:\n  url: udp://10.0.0.2:514\n")
	out, err := execute(t, "check", "--config", cfg)
	if err == nil {
		t.Fatalf("check passed a duplicated key:\n%s", out)
	}
	for _, want := range []string{
		"state_dir:  " + state + " (configured)",
		"forward:    tcp://10.0.0.1:514,",
		"  audit  /tmp/a/audit_json.log",
		"problems:\n  " + cfg + `:7: mapping key "forward" already defined at line 2: a key is given once; keep the one meant and remove the other` + "\nresult:     " + cfg + ": 1 problem(s)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	for _, bad := range []string{"/var/lib/gitlab-syslog", "/var/log/gitlab", "127.0.0.1:514"} {
		if strings.Contains(out, bad) {
			t.Errorf("the built-in default %s is shown:\n%s", bad, out)
		}
	}
}
