package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckDuplicateKey: with a top-level key given twice, check shows the
// file's settings (its state_dir, its source, the first forward.url), not
// the built-in defaults, and lists the duplicate as one problem. The
// summary is marked as not applied, on the config row and under the row
// of the key given twice, with both its lines: before, it showed the
// first forward block as if run would use it (fresh-user trial 281).
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
		"config:     " + cfg + ": NOT APPLIED: a key is given twice (see problems), and run refuses the file; the summary shows the first value of each\n",
		"the collector's limit?)\n            NOT APPLIED: forward is given twice, at " + cfg + ":2 and at " + cfg + ":7: the summary shows the first; run refuses the file (see problems)\nstart_at:",
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

// TestCheckDuplicateKeyNotes: each key given twice, in a block, a list's
// item, a rule or one with no row of its own, is noted under the row that
// shows it (under the config row for a key with none), with both lines.
func TestCheckDuplicateKeyNotes(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, filepath.Join(dir, "dup.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\ncheckpoint_interval: 1s\nforward:\n  url: tcp://10.0.0.1:514\n  url: tcp://10.0.0.2:514\n"+
		"sources:\n  - type: audit\n    path: /tmp/a/audit_json.log\n    path: /tmp/b/audit_json.log\ncheckpoint_interval: 2s\n"+
		"detections:\n  rules:\n    sentinel.bruteforce:\n      min_count: 5\n      min_count: 6\n")
	out, err := execute(t, "check", "--config", cfg)
	if err == nil {
		t.Fatalf("check passed duplicated keys:\n%s", out)
	}
	note := func(key string, first, second int) string {
		return fmt.Sprintf("            NOT APPLIED: %s is given twice, at %s:%d and at %s:%d: the summary shows the first; run refuses the file (see problems)\n", key, cfg, first, cfg, second)
	}
	for _, want := range []string{
		"the summary shows the first value of each\n" + note("checkpoint_interval", 2, 10) + "state_dir:",
		note("forward.url", 4, 5) + "start_at:",
		note("sources[0].path", 8, 9) + "metrics:",
		note("detections.rules.sentinel.bruteforce.min_count", 14, 15) + "problems:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}
