package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunOnceBackfillInParts: old logs fed to run --once in two parts
// with one state_dir. The first run ends with the detection watermark at
// the clock minus lateness, closing every window; the second run's lines,
// dated before it, are dropped as late, counted and logged with what to do
// (use detect), as README says, rather than folded into fresh windows
// (fresh-user trial 98: the restored state left the rules' windows open,
// so no warning was logged and whether a backfill alerted depended on
// where it was split).
func TestRunOnceBackfillInParts(t *testing.T) {
	dir := t.TempDir()
	logs, state := filepath.Join(dir, "log"), filepath.Join(dir, "state")
	path := filepath.Join(logs, "application_json.log")
	args := []string{"--log-dir", logs, "--to", "stdout", "--once", "--state-dir", state}
	writeFile(t, path, failedLogins2024(0, 6))
	if r := runCmd(t, args...); r.err != nil {
		t.Fatalf("first run: %v\n%s", r.err, r.stderr)
	}
	appendTo(t, path, failedLogins2024(6, 11))
	r := runCmd(t, args...)
	if r.err != nil {
		t.Fatalf("second run: %v\n%s", r.err, r.stderr)
	}
	if n := strings.Count(r.stdout, " GitLab-Detections "); n != 0 {
		t.Errorf("%d alerts from lines dated before the saved watermark, want 0:\n%s", n, r.stdout)
	}
	var late map[string]any
	for _, rec := range r.logs {
		if m, _ := rec["msg"].(string); strings.HasPrefix(m, "detection: events dropped as too late") {
			late = rec
		}
	}
	if late == nil {
		t.Fatalf("no late-drop warning for the second part's lines; log:\n%s", r.stderr)
	}
	if got, _ := late["rules_dropped_since_last"].(string); !strings.Contains(got, "sentinel.bruteforce=5") {
		t.Errorf("rules_dropped_since_last = %q, want sentinel.bruteforce=5 in it", got)
	}
	if m := late["msg"].(string); !strings.Contains(m, "an earlier run saved in state_dir") || !strings.Contains(m, "gitlab-syslog detect") {
		t.Errorf("warning does not say where the watermark comes from and what to do: %q", m)
	}
	if wm, _ := late["watermark"].(string); !strings.HasPrefix(wm, time.Now().UTC().Format("2006-")) {
		t.Errorf("watermark = %q, want the time the first run set (the clock minus lateness)", wm)
	}
}

// TestRunOnceEmptyThenOldLogs: a run --once that read no event (an empty
// log) leaves no watermark, so a later run over old logs with the same
// state_dir folds them and alerts, as detect does. Before, the first run
// saved the clock minus lateness as the watermark and the second dropped
// every line as late (fresh-user trial 101).
func TestRunOnceEmptyThenOldLogs(t *testing.T) {
	dir := t.TempDir()
	logs, state := filepath.Join(dir, "log"), filepath.Join(dir, "state")
	path := writeFile(t, filepath.Join(logs, "application_json.log"), "")
	args := []string{"--log-dir", logs, "--to", "stdout", "--once", "--state-dir", state}
	if r := runCmd(t, args...); r.err != nil {
		t.Fatalf("first run: %v\n%s", r.err, r.stderr)
	}
	appendTo(t, path, failedLogins2024(0, 11))
	r := runCmd(t, args...)
	if r.err != nil {
		t.Fatalf("second run: %v\n%s", r.err, r.stderr)
	}
	if n := strings.Count(r.stdout, " GitLab-Detections "); n != 1 {
		t.Errorf("%d alerts for 11 failed logins after a run that read nothing, want 1; log:\n%s", n, r.stderr)
	}
	if strings.Contains(r.stderr, "dropped as too late") {
		t.Errorf("lines dropped as late after a run that read nothing:\n%s", r.stderr)
	}
}

// failedLogins2024 returns the application_json.log lines of failed logins from
// to to-1 of alice from one address, the i-th at 09:i on 2024-06-10.
func failedLogins2024(from, to int) string {
	var b strings.Builder
	for i := from; i < to; i++ {
		fmt.Fprintf(&b, `{"severity":"INFO","time":"2024-06-10T09:%02d:00.000Z","correlation_id":"c%d","message":"Failed Login: username=alice ip=81.2.69.142"}`+"\n", i, i)
	}
	return b.String()
}
