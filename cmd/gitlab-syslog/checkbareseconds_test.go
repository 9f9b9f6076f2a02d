package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBareSecondsWarned: a rule's window given as a bare number (window:
// 5, read as 5 seconds where the default is 1h) passed check as valid,
// shown only in the rule listing as window=5 (5s). check now warns,
// with the file, line and key and what to write, and still passes; run
// logs the same warning at start.
func TestBareSecondsWarned(t *testing.T) {
	dir := t.TempDir()
	log := writeFile(t, filepath.Join(dir, "audit_json.log"), "")
	conf := writeFile(t, filepath.Join(dir, "config.yaml"), "forward: {url: stdout}\nsources:\n  - {type: audit, path: "+log+"}\n"+
		"detections:\n  rules:\n    sentinel.bruteforce:\n      window: 5\n      suppress: 0\n")
	want := conf + ":7: detections.rules.sentinel.bruteforce.window: 5 is read as 5 seconds; write 5s to keep it, or 5m or 5h"
	state := filepath.Join(dir, "state")
	out, err := execute(t, "check", "--config", conf, "--state-dir", state)
	if err != nil {
		t.Fatalf("check failed: %v\n%s", err, out)
	}
	if !strings.Contains(out, "            WARNING: "+want+"\n") || !strings.Contains(out, "valid, with 1 warning(s) above") {
		t.Errorf("check output lacks the warning %q (and only it):\n%s", want, out)
	}
	// Under the detections, after the sources, as the lines of the file
	// (fresh-user trial 103 found it at the top, before the sources'
	// warnings about earlier lines).
	if at, rules := strings.Index(out, want), strings.Index(out, "\ndetections: "); rules < 0 || at < rules {
		t.Errorf("the warning is not under the detections:\n%s", out)
	}
	r := runCmd(t, "--config", conf, "--once", "--state-dir", state)
	if r.err != nil {
		t.Fatalf("run --once: %v\n%s", r.err, r.stderr)
	}
	recs := r.records("config: a duration without a unit")
	if len(recs) != 1 || recs[0]["level"] != "WARN" || recs[0]["warning"] != want {
		t.Errorf("run logged %v, want one warning %q\n%s", recs, want, r.stderr)
	}
}

// TestBareSecondsKeysWarned: a duration key of the file given as a bare
// number (detections.lateness: 30, checkpoint_interval: 2) is read as
// seconds with a warning naming the file, line and key, as a rule's
// parameter is; before, check refused it ("want a duration with a unit")
// while it took window: 300 (fresh-user trial 281). The summary shows the
// duration read.
func TestBareSecondsKeysWarned(t *testing.T) {
	dir := t.TempDir()
	log := writeFile(t, filepath.Join(dir, "audit_json.log"), "")
	conf := writeFile(t, filepath.Join(dir, "config.yaml"), "forward: {url: stdout}\ncheckpoint_interval: 2\nsources:\n  - {type: audit, path: "+log+"}\n"+
		"detections:\n  lateness: 30\n  rules:\n    sentinel.bruteforce:\n      window: 300\n")
	out, err := execute(t, "check", "--config", conf, "--state-dir", filepath.Join(dir, "state"))
	if err != nil {
		t.Fatalf("check failed: %v\n%s", err, out)
	}
	for _, want := range []string{
		"rules on, lateness 30s, state saved",
		"            WARNING: " + conf + ":2: checkpoint_interval: 2 is read as 2 seconds; write 2s to keep it, or 2m or 2h\n" +
			"            WARNING: " + conf + ":6: detections.lateness: 30 is read as 30 seconds; write 30s to keep it, or 30m\n" +
			"            WARNING: " + conf + ":9: detections.rules.sentinel.bruteforce.window: 300 is read as 300 seconds (5m0s); write 300s to keep it, or 300m or 300h\n",
		"valid, with 3 warning(s) above",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}
