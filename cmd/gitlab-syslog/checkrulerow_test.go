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
		if f := strings.Fields(line); len(f) > 1 && (f[0] == "on" || f[0] == "off" || f[0] == "BAD") && f[1] == id {
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
// configured at FILE:6", with no line for the severity. The severity is
// given by its canonical name (info: Informational; trial 33, F7).
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
		"falco.user_locked":      "on falco.user_locked Informational configured at " + cfg + ":9; set: severity=Informational at " + cfg + ":10, suppress=1h at " + cfg + ":11",
		"sentinel.bruteforce":    "on sentinel.bruteforce Medium configured at " + cfg + ":12; set: min_count=5 at " + cfg + ":13",
		"sentinel.repo_deletion": "on sentinel.repo_deletion Low enabled at " + cfg + ":15; set: severity=Low at " + cfg + ":16",
		"falco.admin_granted":    "on falco.admin_granted Medium default",
	} {
		if got := ruleRow(out, id); got != want {
			t.Errorf("row of %s:\n%s\nwant\n%s", id, got, want)
		}
	}
}

// TestCheckRuleRowMistakes: the row of every rule whose settings have a
// mistake says so in one form, naming each setting with the value given,
// whatever the kind of mistake (a refused severity, one of the wrong
// type, an unknown parameter, a bad value, one of detections.params, a
// rule asked for that cannot run), and a rule off for want of its log
// is not said to run once a source reads it. Before, only a refused
// severity said so; severity: [High] and an unknown parameter said
// nothing, a bad value said "NOT CHECKED: a value of it is wrong", and a
// rule that cannot run had no mark. Its state is BAD and its severity "-",
// not "on" and the severity of a rule that would not run (fresh-user
// trial 34, F7). A refused item of a list is named by its index and value,
// as the problems name it; before, the row named the list by the items
// kept ("its allowed_domains \"@example.org\" is wrong", an item that is
// right; fresh-user trial).
func TestCheckRuleRowMistakes(t *testing.T) {
	dir := t.TempDir()
	const tail = " (listed with the problems): run would not start"
	for _, tc := range []struct {
		name, rules, id string
		want            string // the row, after the config's path is replaced by CFG
	}{
		{"refused severity", "    falco.pat_created:\n      severity: Critical\n", "falco.pat_created",
			`BAD falco.pat_created - configured at CFG:6; set: severity=Critical at CFG:7; its severity "Critical" is wrong` + tail},
		{"severity of the wrong type", "    falco.pat_created:\n      severity: [High]\n      enabled: yes\n", "falco.pat_created",
			"BAD falco.pat_created - enabled at CFG:8; its severity is wrong" + tail},
		{"unknown parameter and refused severity of a rule off for want of its log", "    sentinel.bruteforce:\n      windw: 1h\n      severity: CRITICAL\n", "sentinel.bruteforce",
			"BAD sentinel.bruteforce - it alerts on lines of the application log (gitlab-rails/application_json.log or application.log) and no source reads it: add a source of type application to turn it on; it is configured at CFG:6; " +
				`set: severity=CRITICAL at CFG:8; its windw "1h" and severity "CRITICAL" are wrong` + tail},
		{"bad value", "    gitlab.password_spray:\n      min_users: ten\n", "gitlab.password_spray",
			`BAD gitlab.password_spray - set: min_users=ten at CFG:7; its min_users "ten" is wrong` + tail},
		{"bad value of detections.params", "    sentinel.repo_deletion: {}\n  params:\n    min_count: ten\n", "sentinel.repo_deletion",
			`BAD sentinel.repo_deletion - set: min_count=ten at CFG:8; its min_count "ten" of detections.params is wrong` + tail},
		{"refused item of a list", "    sentinel.external_user:\n      allowed_domains: [' Corp.Example', '@example.org']\n", "sentinel.external_user",
			"BAD sentinel.external_user - it alerts on lines of the application log (gitlab-rails/application_json.log or application.log) and no source reads it: add a source of type application to turn it on; it is configured at CFG:6; " +
				`set: allowed_domains=@example.org at CFG:7; its allowed_domains[0] " Corp.Example" is wrong` + tail},
		{"refused item of a list of detections.params", "    sentinel.external_user: {}\n  params:\n    allowed_domains: ['@example.org', 'a,b']\n", "sentinel.external_user",
			"BAD sentinel.external_user - it alerts on lines of the application log (gitlab-rails/application_json.log or application.log) and no source reads it: add a source of type application to turn it on; it is configured at CFG:6; " +
				`set: allowed_domains=@example.org at CFG:8; its allowed_domains[1] "a,b" of detections.params is wrong` + tail},
		// Not "default" (fresh-user trial 259).
		{"a rule's block not a mapping", "    falco.pat_created: off\n", "falco.pat_created",
			"BAD falco.pat_created - its block is not a mapping; it cannot run as configured" + tail},
		// Both reasons, not known_countries alone, which hid the other
		// until it was given (fresh-user trial 281).
		{"a rule that lacks a parameter and whose geoip_db does not open", "    falco.admin_mode_unknown_country:\n      enabled: true\n      geoip_db: /nonexistent/City.mmdb\n", "falco.admin_mode_unknown_country",
			"BAD falco.admin_mode_unknown_country - needs known_countries (ISO codes, e.g. DE,IE,PT); also, its geoip_db cannot be read: open city_db /nonexistent/City.mmdb (want a GeoIP2/GeoLite2 City or Country database): open /nonexistent/City.mmdb: no such file or directory; " +
				"set: geoip_db=/nonexistent/City.mmdb at CFG:8; it cannot run as configured" + tail},
		{"a rule asked for that cannot run", "    sentinel.external_user:\n      enabled: true\n", "sentinel.external_user",
			"BAD sentinel.external_user - no allowed_domains (the e-mail domains of your users); also, it alerts on lines of the application log (gitlab-rails/application_json.log or application.log) and no source reads it: add a source of type application to turn it on; " +
				"it cannot run as configured" + tail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeFile(t, filepath.Join(dir, "config.yaml"), "state_dir: "+filepath.Join(dir, "state")+"\nsources:\n  - {type: audit, path: /a}\ndetections:\n  rules:\n"+tc.rules)
			out, err := execute(t, "check", "--config", cfg)
			if err == nil {
				t.Fatalf("check passed:\n%s", out)
			}
			if got := strings.ReplaceAll(ruleRow(out, tc.id), cfg, "CFG"); got != tc.want {
				t.Errorf("row of %s:\n%s\nwant\n%s", tc.id, got, tc.want)
			}
		})
	}
}
