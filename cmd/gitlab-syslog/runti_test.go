package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRunTIFileMissing: run starts and ships the logs when the TI rule's
// ti_file is missing (a restart while a feed job replaces it), with one
// error naming the file, the cause and what to do, while check reports
// the same file as a problem (deploy-time validation). run refused to
// start, so no log was shipped until the file was back.
func TestRunTIFileMissing(t *testing.T) {
	dir := t.TempDir()
	access := writeFile(t, filepath.Join(dir, "gitlab_access.log"),
		`203.0.113.9 - - [18/Sep/2025:12:30:00 +0000] "GET /api/v4/projects HTTP/1.1" 200 12 "" "curl/8.0"`+"\n")
	ti := filepath.Join(dir, "ti.txt")
	conf := writeFile(t, filepath.Join(dir, "config.yaml"), "sources:\n  - {type: access, path: "+access+"}\n"+
		"detections:\n  rules:\n    sentinel.ti_malicious_ip: {ti_file: "+ti+"}\n")
	r := runCmd(t, "--config", conf, "--to", "stdout", "--once", "--state-dir", filepath.Join(dir, "state"))
	if r.err != nil {
		t.Fatalf("run with the ti_file missing: %v\n%s", r.err, r.stderr)
	}
	if !strings.Contains(r.stdout, "GitLab-Access-Logs") || !strings.Contains(r.stdout, "203.0.113.9 ") {
		t.Errorf("the access line was not shipped:\n%s", r.stdout)
	}
	var errs []map[string]any
	for _, rec := range r.logs {
		if rec["level"] == "ERROR" {
			errs = append(errs, rec)
		}
	}
	if len(errs) != 1 || errs[0]["file"] != ti || !strings.Contains(errs[0]["err"].(string), "no such file") ||
		!strings.Contains(errs[0]["msg"].(string), "runs with no indicators") || !strings.Contains(errs[0]["hint"].(string), "enabled: false") {
		t.Errorf("want one error naming %s, the cause and what to do; got %v\n%s", ti, errs, r.stderr)
	}
	out, err := execute(t, "check", "--config", conf, "--state-dir", filepath.Join(dir, "state"))
	if err == nil || !strings.Contains(err.Error(), ti) || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("check of the missing ti_file: %v, want an error naming it\n%s", err, out)
	}
}
