package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// ruleRow returns the row of rule id in check's output out, its columns
// and words separated by one space, or "" when there is none.
func ruleRow(out, id string) string {
	for line := range strings.SplitSeq(out, "\n") {
		if f := strings.Fields(line); len(f) > 1 && (f[0] == "on" || f[0] == "off") && f[1] == id {
			return strings.Join(f, " ")
		}
	}
	return ""
}

// TestCheckRuleRowSettings: a rule's row in check gives the severity the
// config sets as it gives a parameter, "set: severity=High at FILE:LINE",
// and a rule on by default that the config configures is not called
// "default", which read as its severity being the default. Before, the
// row of falco.pat_created with severity: High was "High default,
// configured at FILE:6", with no line for the severity.
func TestCheckRuleRowSettings(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	writeFile(t, cfg, "state_dir: "+filepath.Join(dir, "state")+"\nsources:\n  - {type: audit, path: /a}\n  - {type: application, path: /b}\ndetections:\n  rules:\n"+
		"    falco.pat_created:\n      severity: High\n"+
		"    falco.user_locked:\n      severity: info\n      suppress: 1h\n"+
		"    sentinel.bruteforce:\n      min_count: 5\n"+
		"    sentinel.repo_deletion:\n      enabled: true\n      severity: low\n")
	out, err := execute(t, "check", "--config", cfg)
	if err != nil {
		t.Fatalf("check failed: %v\n%s", err, out)
	}
	for id, want := range map[string]string{
		"falco.pat_created":      "on falco.pat_created High configured at " + cfg + ":7; set: severity=High at " + cfg + ":8",
		"falco.user_locked":      "on falco.user_locked Informational configured at " + cfg + ":9; set: severity=info at " + cfg + ":10, suppress=1h at " + cfg + ":11",
		"sentinel.bruteforce":    "on sentinel.bruteforce Medium configured at " + cfg + ":12; set: min_count=5 at " + cfg + ":13",
		"sentinel.repo_deletion": "on sentinel.repo_deletion Low enabled at " + cfg + ":15; set: severity=low at " + cfg + ":16",
		"falco.admin_granted":    "on falco.admin_granted Medium default",
	} {
		if got := ruleRow(out, id); got != want {
			t.Errorf("row of %s:\n%s\nwant\n%s", id, got, want)
		}
	}
}
