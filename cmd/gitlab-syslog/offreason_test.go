package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunLogsCheckOffReasons: for a configuration that follows the audit
// log alone, run logs for every rule that is off ("detection rule off")
// the reason check lists for it, every cause named: a rule that lacks a
// setting and whose log no source reads names both, as do the country
// rules without known_countries or a GeoIP database (fresh-user trial 32,
// F8: run's line named only the log, and the country rules' reason only
// known_countries, in check and in run).
func TestRunLogsCheckOffReasons(t *testing.T) {
	audit, err := os.ReadFile(filepath.Join(samples, "audit_json.log"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	logPath := writeFile(t, filepath.Join(dir, "audit_json.log"), string(audit))
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "state_dir: "+filepath.Join(dir, "st")+"\nforward: {url: stdout}\nsources:\n  - {type: audit, path: "+logPath+"}\n")
	out, err := execute(t, "check", "--config", cfg)
	if err != nil {
		t.Fatalf("check: %v\n%s", err, out)
	}
	checkOff := map[string]string{} // rule: its row in check's list
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[0] == "off" {
			checkOff[f[1]] = line
		}
	}
	r := runCmd(t, "--config", cfg, "--once")
	if r.err != nil {
		t.Fatalf("run: %v\n%s", r.err, r.stderr)
	}
	runOff := map[string]string{} // rule: the reason run logs
	for _, rec := range r.records("detection rule off") {
		runOff[rec["rule"].(string)], _ = rec["reason"].(string)
	}
	if len(runOff) != len(checkOff) {
		t.Errorf("run logs %d rules off, check lists %d:\n%v\n%s", len(runOff), len(checkOff), runOff, out)
	}
	for id, reason := range runOff {
		if row := checkOff[id]; !strings.HasSuffix(row, "  "+reason) {
			t.Errorf("%s: run logs the reason %q; check's row is %q", id, reason, row)
		}
	}
	for id, want := range map[string]string{
		"sentinel.ti_malicious_ip":         "no ti_file (an indicator file: one IP address or CIDR per line); also, it alerts on lines of the access log",
		"sentinel.external_user":           "no allowed_domains (the e-mail domains of your users); also, it alerts on lines of the application log",
		"falco.git_op_unknown_country":     "needs known_countries (ISO codes, e.g. DE,IE,PT); also, needs a GeoIP City or Country database",
		"falco.admin_mode_unknown_country": "needs known_countries (ISO codes, e.g. DE,IE,PT); also, needs a GeoIP City or Country database",
	} {
		if !strings.HasPrefix(runOff[id], want) {
			t.Errorf("run: %s off for %q, want %q...", id, runOff[id], want)
		}
		if !strings.Contains(checkOff[id], "  "+want) {
			t.Errorf("check: %s's row is %q, want %q...", id, checkOff[id], want)
		}
	}
}
