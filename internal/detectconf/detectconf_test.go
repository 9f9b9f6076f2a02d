package detectconf

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// load parses a configuration the way run and check do, up to the
// detections check.
func load(t *testing.T, yaml string) *config.Config {
	t.Helper()
	c, err := config.Parse([]byte(yaml), "config.yaml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	c.LogDir = t.TempDir()
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return c
}

// paramsOf returns the parameters of rule as the errors list them: the
// catalogue's, then suppress.
func paramsOf(t *testing.T, rule string) string {
	t.Helper()
	for _, s := range detect.Catalogue() {
		if s.Info.ID == rule {
			return strings.Join(append(slices.Clone(s.Params), "suppress"), ", ")
		}
	}
	t.Fatalf("no rule %s in the catalogue", rule)
	return ""
}

// TestCheckErrors is the table of the detections block's errors, each
// compared in full with its golden text: file:line, key path, cause and
// what to do.
func TestCheckErrors(t *testing.T) {
	dir := t.TempDir()
	unreadable := filepath.Join(dir, "ti.d") // a directory: root reads any file
	if err := os.Mkdir(unreadable, 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.txt")
	const head = "state_dir: /s\ndetections:\n"
	const todo = "; give it that, or remove the rule's settings (or set enabled: false) to leave it off"
	tests := []struct {
		name, yaml string
		want       string
	}{
		{"unknown rule id", head + "  rules:\n    sentinel.bruteforc:\n      enabled: true\n",
			`config.yaml:4: detections.rules.sentinel.bruteforc: unknown rule "sentinel.bruteforc" (did you mean "sentinel.bruteforce"?)`},
		{"rule id without its family", head + "  rules:\n    bruteforce: {}\n",
			`config.yaml:4: detections.rules.bruteforce: unknown rule "bruteforce" (did you mean "sentinel.bruteforce"?)`},
		{"rule id with another family", head + "  rules:\n    falco.bruteforce: {}\n",
			`config.yaml:4: detections.rules.falco.bruteforce: unknown rule "falco.bruteforce" (did you mean "sentinel.bruteforce"?)`},
		{"rule name of the other family", head + "  rules:\n    pat_created: {}\n",
			`config.yaml:4: detections.rules.pat_created: unknown rule "pat_created" (did you mean "falco.pat_created"?)`},
		{"unknown rule id far from any", head + "  rules:\n    my.rule: {}\n",
			"config.yaml:4: detections.rules.my.rule: unknown rule \"my.rule\" (`gitlab-syslog detect --list` lists the rules; ids look like sentinel.bruteforce or falco.pat_created)"},
		{"parameter of another rule", head + "  rules:\n    sentinel.bruteforce:\n      min_tokens: 3\n",
			`config.yaml:5: detections.rules.sentinel.bruteforce.min_tokens: rule sentinel.bruteforce has no parameter "min_tokens" (its parameters: ` + paramsOf(t, "sentinel.bruteforce") + `)`},
		{"parameter typo", head + "  rules:\n    sentinel.pat_over_time:\n      max_key: 10\n",
			`config.yaml:5: detections.rules.sentinel.pat_over_time.max_key: rule sentinel.pat_over_time has no parameter "max_key" (did you mean "max_keys"?) (its parameters: ` + paramsOf(t, "sentinel.pat_over_time") + `)`},
		{"setting misspelt", head + "  rules:\n    sentinel.bruteforce:\n      enable: false\n",
			`config.yaml:5: detections.rules.sentinel.bruteforce.enable: rule sentinel.bruteforce has no parameter "enable" (did you mean "enabled"?) (its parameters: ` + paramsOf(t, "sentinel.bruteforce") + `)`},
		{"bad value type", head + "  rules:\n    sentinel.pat_over_time:\n      min_tokens: lots\n",
			`config.yaml:5: detections.rules.sentinel.pat_over_time.min_tokens: "lots": want a whole number, 0 or more`},
		{"bad global value of a rule off without its data (no GeoIP database)", head + "  params:\n    min_countries: -4\n",
			`config.yaml:4: detections.params.min_countries: "-4": rule sentinel.signin_burst: want a whole number, at least 2`},
		{"bad global value of a rule off without its data (no ti_file)", head + "  params:\n    all_logs: maybe\n",
			`config.yaml:4: detections.params.all_logs: "maybe": rule sentinel.ti_malicious_ip: want true or false`},
		{"bad global value", head + "  params:\n    max_keys: -5\n",
			`config.yaml:4: detections.params.max_keys: "-5": rules sentinel.local_auth_no_mfa, sentinel.external_user, sentinel.bruteforce and 5 more: want a whole number, at least 1`},
		{"bad global value, one rule", head + "  params:\n    max_session: 0s\n",
			`config.yaml:4: detections.params.max_session: "0s": rule sentinel.impersonation: want a duration above 0, at most 87600h (10 years), such as "90s", "60m" or "24h" (a bare number is seconds)`},
		{"negative session", head + "  rules:\n    sentinel.impersonation:\n      max_session: -1h\n",
			`config.yaml:5: detections.rules.sentinel.impersonation.max_session: "-1h": want a duration above 0, at most 87600h (10 years), such as "90s", "60m" or "24h" (a bare number is seconds)`},
		{"window too long to hold", head + "  rules:\n    sentinel.bruteforce:\n      window: 99999999999h\n",
			`config.yaml:5: detections.rules.sentinel.bruteforce.window: "99999999999h": too large; want a duration above 0, at most 87600h (10 years), such as "90s", "60m" or "24h" (a bare number is seconds)`},
		{"count too large to hold", head + "  rules:\n    sentinel.pat_over_time:\n      min_tokens: 99999999999999999999\n",
			`config.yaml:5: detections.rules.sentinel.pat_over_time.min_tokens: "99999999999999999999": too large (the largest whole number is 9223372036854775807); want a whole number, 0 or more`},
		{"global parameter no rule reads", head + "  params:\n    allowed_domain: corp.example\n",
			`config.yaml:4: detections.params.allowed_domain: no rule reads a parameter "allowed_domain" (did you mean "allowed_domains"?)`},
		{"global severity", head + "  params:\n    severity: High\n",
			`config.yaml:4: detections.params.severity: no rule reads a parameter "severity" (severity is a rule's setting, not a parameter: set it under detections.rules.<id>, as severity: High)`},
		{"severity", head + "  rules:\n    falco.pat_created:\n      severity: urgent\n",
			`config.yaml:5: detections.rules.falco.pat_created.severity: unknown severity "urgent": want High, Medium, Low or Informational, in any case (or syslog's err, warning, notice, info)`},
		{"severity above High", head + "  rules:\n    falco.pat_created:\n      severity: Critical\n",
			`config.yaml:5: detections.rules.falco.pat_created.severity: severity "Critical" is above High: alerts have no severity above High (sent as syslog err, 3); want High, Medium, Low or Informational, in any case (or syslog's err, warning, notice, info)`},
		{"severity typo above High", head + "  rules:\n    falco.pat_created:\n      severity: Critcal\n",
			`config.yaml:5: detections.rules.falco.pat_created.severity: unknown severity "Critcal": want High, Medium, Low or Informational, in any case (or syslog's err, warning, notice, info) (did you mean "High"? there is no Critical: alerts have none above High, sent as syslog err, 3)`},
		{"severity typo of Emergency", head + "  rules:\n    falco.pat_created:\n      severity: emergncy\n",
			`config.yaml:5: detections.rules.falco.pat_created.severity: unknown severity "emergncy": want High, Medium, Low or Informational, in any case (or syslog's err, warning, notice, info) (did you mean "High"? there is no Emergency: alerts have none above High, sent as syslog err, 3)`},
		{"severity typo", head + "  rules:\n    falco.pat_created:\n      severity: Hihg\n",
			`config.yaml:5: detections.rules.falco.pat_created.severity: unknown severity "Hihg": want High, Medium, Low or Informational, in any case (or syslog's err, warning, notice, info) (did you mean "High"?)`},
		{"lateness as a parameter", head + "  params:\n    lateness: 10m\n",
			`config.yaml:4: detections.params.lateness: no rule reads a parameter "lateness" (lateness is a key of the detections block, not a rule's parameter: set detections.lateness)`},
		{"severity cut short", head + "  rules:\n    falco.pat_created:\n      severity: warn\n",
			`config.yaml:5: detections.rules.falco.pat_created.severity: unknown severity "warn": want High, Medium, Low or Informational, in any case (or syslog's err, warning, notice, info) (did you mean "warning"?)`},
		{"severity as a syslog number", head + "  rules:\n    falco.pat_created:\n      severity: 3\n",
			`config.yaml:5: detections.rules.falco.pat_created.severity: unknown severity "3": want High, Medium, Low or Informational, in any case (or syslog's err, warning, notice, info) (syslog's 3 is err: write High)`},
		{"missing TI file", head + "  rules:\n    sentinel.ti_malicious_ip:\n      ti_file: " + missing + "\n",
			`config.yaml:5: detections.rules.sentinel.ti_malicious_ip.ti_file: "` + missing + `": stat ` + missing + `: no such file or directory: run starts without the file, and rule sentinel.ti_malicious_ip runs with no indicators, so it raises none of their alerts; restore the file, fix ti_file, or set enabled: false under detections.rules.sentinel.ti_malicious_ip to run without the rule`},
		{"unreadable TI file", head + "  rules:\n    sentinel.ti_malicious_ip:\n      ti_file: " + unreadable + "\n",
			`config.yaml:5: detections.rules.sentinel.ti_malicious_ip.ti_file: "` + unreadable + `": read ` + unreadable + `: is a directory: ti_file is the indicator file (one IP address or CIDR per line), not its directory; give the file's path, or set enabled: false under detections.rules.sentinel.ti_malicious_ip to run without the rule`},
		{"GeoIP rule without a database", head + "  rules:\n    falco.git_op_unknown_country:\n      known_countries: [DE, IE]\n",
			`config.yaml:4: detections.rules.falco.git_op_unknown_country: rule falco.git_op_unknown_country cannot run: needs a GeoIP City or Country database (geoip: city_db in the agent config, or the geoip_db parameter)` + todo},
		{"two problems, both reported", head + "  rules:\n    falco.pat_created: {severity: urgent}\n    sentinel.bruteforce: {windw: 1h}\n",
			"config.yaml:4: detections.rules.falco.pat_created.severity: unknown severity \"urgent\": want High, Medium, Low or Informational, in any case (or syslog's err, warning, notice, info)\n" +
				`config.yaml:5: detections.rules.sentinel.bruteforce.windw: rule sentinel.bruteforce has no parameter "windw" (did you mean "window"?) (its parameters: ` + paramsOf(t, "sentinel.bruteforce") + `)`},
		{"enabled without its allow-list", head + "  rules:\n    sentinel.external_user:\n      enabled: true\n",
			`config.yaml:4: detections.rules.sentinel.external_user: rule sentinel.external_user cannot run: no allowed_domains (the e-mail domains of your users)` + todo},
		// A rule that is off is checked as one that runs.
		{"bad value of a rule turned off", head + "  rules:\n    sentinel.bruteforce:\n      enabled: false\n      window: 0\n      min_count: lots\n",
			`config.yaml:6: detections.rules.sentinel.bruteforce.window: "0": want a duration above 0, at most 87600h (10 years), such as "90s", "60m" or "24h" (a bare number is seconds)` + "\n" +
				`config.yaml:7: detections.rules.sentinel.bruteforce.min_count: "lots": want a whole number, 0 or more`},
		{"bad value with detections off", "state_dir: /s\ndetections:\n  enabled: false\n  rules:\n    sentinel.pat_over_time:\n      min_tokens: -1\n",
			`config.yaml:6: detections.rules.sentinel.pat_over_time.min_tokens: "-1": want a whole number, 0 or more`},
		{"bad value of a rule off, with a running rule's", head + "  rules:\n    falco.pat_created: {enabled: false, suppress: soon}\n    sentinel.bruteforce: {window: 0}\n",
			`config.yaml:4: detections.rules.falco.pat_created.suppress: "soon": want a duration from 0 to 87600h (10 years), such as "90s", "60m" or "24h" (a bare number is seconds)` + "\n" +
				`config.yaml:5: detections.rules.sentinel.bruteforce.window: "0": want a duration above 0, at most 87600h (10 years), such as "90s", "60m" or "24h" (a bare number is seconds)`},
		// with the bad value, what else the rule lacks (a GeoIP database)
		{"user-assigned country code", head + "  rules:\n    falco.admin_mode_unknown_country:\n      known_countries: [DE, XX]\n",
			`config.yaml:4: detections.rules.falco.admin_mode_unknown_country: rule falco.admin_mode_unknown_country cannot run: needs a GeoIP City or Country database (geoip: city_db in the agent config, or the geoip_db parameter)` + todo + "\n" +
				`config.yaml:5: detections.rules.falco.admin_mode_unknown_country.known_countries: "DE,XX": want ISO 3166-1 alpha-2 country codes such as DE,IE,PT (got "XX": a user-assigned code (AA, QM to QZ, XA to XZ, ZZ), which no country has and GeoIP2 never gives)`},
		// A severity alone asks for the rule as any other key does.
		{"severity alone on a rule without its ti_file", head + "  rules:\n    sentinel.ti_malicious_ip:\n      severity: High\n",
			`config.yaml:4: detections.rules.sentinel.ti_malicious_ip: rule sentinel.ti_malicious_ip cannot run: no ti_file (an indicator file: one IP address or CIDR per line)` + todo},
		{"severity alone on a GeoIP rule without a database", head + "  rules:\n    sentinel.signin_burst:\n      severity: Low\n",
			`config.yaml:4: detections.rules.sentinel.signin_burst: rule sentinel.signin_burst cannot run: needs a GeoIP City or Country database (geoip: city_db in the agent config, or the geoip_db parameter)` + todo},
		// A mistake of the block (unknown rule, bad severity) does not
		// hide those of the values, nor a rule that cannot run; all in
		// the order of their lines.
		{"unknown rule, bad severity, bad value, rule that cannot run", head + "  rules:\n    sentinel.bruteforce:\n      window: banana\n    sentinel.nosuch: {}\n" +
			"    falco.pat_created:\n      severity: Extreme\n    sentinel.external_user:\n      enabled: true\n",
			`config.yaml:5: detections.rules.sentinel.bruteforce.window: "banana": want a duration above 0, at most 87600h (10 years), such as "90s", "60m" or "24h" (a bare number is seconds)` + "\n" +
				"config.yaml:6: detections.rules.sentinel.nosuch: unknown rule \"sentinel.nosuch\" (`gitlab-syslog detect --list` lists the rules; ids look like sentinel.bruteforce or falco.pat_created)\n" +
				`config.yaml:8: detections.rules.falco.pat_created.severity: unknown severity "Extreme": want High, Medium, Low or Informational, in any case (or syslog's err, warning, notice, info)` + "\n" +
				`config.yaml:9: detections.rules.sentinel.external_user: rule sentinel.external_user cannot run: no allowed_domains (the e-mail domains of your users)` + todo},
		{"day count too large", head + "  rules:\n    sentinel.pat_over_time:\n      anomaly: true\n      anomaly_days: 100000000\n",
			`config.yaml:6: detections.rules.sentinel.pat_over_time.anomaly_days: "100000000": too large (at most 3650 days, 10 years); want a whole number of days, 3 to 3650 (10 years)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Check(load(t, tt.yaml), nil)
			if err == nil {
				t.Fatalf("accepted:\n%s", tt.yaml)
			}
			if got := err.Error(); got != tt.want {
				t.Fatalf("error\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestCheckStatus checks what check prints per rule: on or off, and why.
func TestCheckStatus(t *testing.T) {
	c := load(t, `state_dir: /s
detections:
  rules:
    falco.pat_created:
      enabled: false
    sentinel.external_user:
      allowed_domains: [corp.example]
    sentinel.bruteforce:
      enabled: true
      severity: high
`)
	st, err := Check(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"falco.pat_created":        "off disabled at config.yaml:5 Medium",
		"sentinel.external_user":   "on configured at config.yaml:6 Medium",
		"sentinel.bruteforce":      "on enabled at config.yaml:9 High",
		"sentinel.repo_public":     "on default Medium",
		"sentinel.ti_malicious_ip": "off no ti_file (an indicator file: one IP address or CIDR per line) Medium",
	}
	for _, s := range st {
		w, ok := want[s.Info.ID]
		if !ok {
			continue
		}
		onOff := "off"
		if s.On {
			onOff = "on"
		}
		if got := onOff + " " + s.Why + " " + s.Info.Severity.String(); got != w {
			t.Errorf("%s: %q, want %q", s.Info.ID, got, w)
		}
		delete(want, s.Info.ID)
	}
	for id := range want {
		t.Errorf("no status for %s", id)
	}

	for _, s := range st {
		if len(s.Skipped) > 0 {
			t.Errorf("%s: skipped lines %q with no file of its own", s.Info.ID, s.Skipped)
		}
	}

	off := load(t, "state_dir: /s\ndetections:\n  enabled: false\n")
	st, err = Check(off, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.On || s.Why != "detections disabled at config.yaml:3" {
			t.Fatalf("%s with detections off: on=%v %q", s.Info.ID, s.On, s.Why)
		}
	}
}

// TestLoadFile: detect --config accepts what run accepts and refuses with
// the same file:line errors.
func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := write("forward: {url: tcp://siem:514}\ndetections:\n  enabled: false\n  state_save_interval: 30s\n  params: {max_keys: 500}\n  rules:\n    sentinel.pat_over_time: {min_tokens: 3}\n")
	dc, err := LoadFile(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !dc.Disabled || dc.Params["max_keys"] != "500" || dc.Rules["sentinel.pat_over_time"].Params["min_tokens"] != "3" || dc.Lateness != config.DefaultLateness {
		t.Errorf("LoadFile = %+v", dc)
	}
	p = write("detections:\n  rules:\n    sentinel.pat_over_time: {min_token: 3}\n")
	_, err = LoadFile(p, nil)
	want := p + `:3: detections.rules.sentinel.pat_over_time.min_token: rule sentinel.pat_over_time has no parameter "min_token" (did you mean "min_tokens"?) (its parameters: ` + paramsOf(t, "sentinel.pat_over_time") + `)`
	if err == nil || err.Error() != want {
		t.Errorf("error\n%v\nwant\n%s", err, want)
	}
	// geoip.city_db is opened for the rules, as run opens it.
	city, err := filepath.Abs("../../testdata/geoip/GeoIP2-City-Test.mmdb")
	if err != nil {
		t.Fatal(err)
	}
	p = write("geoip: {city_db: " + city + "}\n")
	dc, err = LoadFile(p, nil)
	if err != nil || dc.Geo == nil {
		t.Errorf("with geoip.city_db: Geo = %v, err %v", dc.Geo, err)
	}
	if dc.Geo != nil {
		dc.Geo.Close()
	}
	p = write("geoip: {city_db: " + filepath.Join(dir, "missing.mmdb") + "}\n")
	if _, err := LoadFile(p, nil); err == nil || !strings.Contains(err.Error(), p+":1: geoip.city_db: ") {
		t.Errorf("missing city_db: %v", err)
	}
	p = write("detections:\n  lateness: -1s\n")
	if _, err := LoadFile(p, nil); err == nil || !strings.Contains(err.Error(), p+":2: detections.lateness: -1s is out of range") {
		t.Errorf("negative lateness: %v", err)
	}
}

// TestCheckSkippedIndicators: the status of sentinel.ti_malicious_ip lists
// the lines of its ti_file that the rule's loader skips, each with file,
// line and cause, and a global ti_file parameter is read the same way.
func TestCheckSkippedIndicators(t *testing.T) {
	ti := filepath.Join(t.TempDir(), "ti.txt")
	if err := os.WriteFile(ti, []byte("10.0.0.1\n# comment\n::ffff:1.2.3.4/200\n\nexample.org\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, yaml := range []string{
		"state_dir: /s\ndetections:\n  rules:\n    sentinel.ti_malicious_ip:\n      ti_file: " + ti + "\n",
		"state_dir: /s\ndetections:\n  params:\n    ti_file: " + ti + "\n",
	} {
		st, err := Check(load(t, yaml), nil)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			ti + `:3: "::ffff:1.2.3.4/200": prefix length 200 is above 128, the most for an IPv6 CIDR: write 128 or less (::ffff:1.2.3.4/128 is the one address)`,
			ti + `:5: "example.org" is not an IP address or CIDR`,
		}
		if s := tiStatus(t, st); !s.On || !slices.Equal(s.Skipped, want) || s.SkippedTotal != 2 || s.File != ti {
			t.Errorf("on=%v skipped=%q (%d in all, file %q)\nwant on, skipped %q", s.On, s.Skipped, s.SkippedTotal, s.File, want)
		}
	}
}

// TestCheckManySkippedIndicators: a ti_file of many bad lines (a CSV
// feed) gives the first five with file, line and cause, and the count of
// all, not a line each.
func TestCheckManySkippedIndicators(t *testing.T) {
	ti := filepath.Join(t.TempDir(), "feed.csv")
	feed := "ip,first_seen\n"
	for i := range 3000 {
		feed += fmt.Sprintf("203.0.%d.%d,2024-01-01\n", i/250, i%250+1)
	}
	if err := os.WriteFile(ti, []byte(feed), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := Check(load(t, "state_dir: /s\ndetections:\n  params:\n    ti_file: "+ti+"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := tiStatus(t, st); len(s.Skipped) != 5 || s.SkippedTotal != 3001 || !strings.HasPrefix(s.Skipped[4], ti+`:5: "203.0.0.4,2024-01-01" is not`) {
		t.Errorf("skipped %d in all, shown %q; want 3001, the first 5", s.SkippedTotal, s.Skipped)
	}
}

// tiStatus returns the status of sentinel.ti_malicious_ip in st, failing
// the test when there is none.
func tiStatus(t *testing.T, st []Status) Status {
	t.Helper()
	for _, s := range st {
		if s.Info.ID == "sentinel.ti_malicious_ip" {
			return s
		}
	}
	t.Fatal("no status for sentinel.ti_malicious_ip")
	return Status{}
}

// TestCheckNoIndicator: a ti_file that lists no address or CIDR is
// reported in the rule's status, naming the file and saying the rule
// matches nothing; one with an address is not.
func TestCheckNoIndicator(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		file     string
		unusable bool
	}{{"# none yet\n", true}, {"", true}, {"bogus\n", true}, {"203.0.113.7\n", false}} {
		ti := filepath.Join(dir, "ti.txt")
		if err := os.WriteFile(ti, []byte(tc.file), 0o644); err != nil {
			t.Fatal(err)
		}
		st, err := Check(load(t, "state_dir: /s\ndetections:\n  params:\n    ti_file: "+ti+"\n"), nil)
		if err != nil {
			t.Fatal(err)
		}
		s := tiStatus(t, st)
		got := strings.Contains(s.Unusable, ti) && strings.Contains(s.Unusable, "matches nothing")
		if got != tc.unusable || (s.Unusable != "") != tc.unusable || (tc.unusable && s.File != ti) {
			t.Errorf("file %q: unusable %q (file %q), want %v", tc.file, s.Unusable, s.File, tc.unusable)
		}
	}
}

// TestCheckAllowedDomains: allowed_domains as a YAML list: a trailing dot
// and *.D are taken, a URL is refused at its line with the domain to
// write.
func TestCheckAllowedDomains(t *testing.T) {
	head := "state_dir: /s\ndetections:\n  rules:\n    sentinel.external_user:\n      allowed_domains:\n        - corp.example.\n        - \"*.corp.example\"\n"
	st, err := Check(load(t, head), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if s.Info.ID == "sentinel.external_user" && !s.On {
			t.Errorf("sentinel.external_user off: %s", s.Why)
		}
	}
	_, err = Check(load(t, head+"        - https://example.org/\n"), nil)
	want := `:5: detections.rules.sentinel.external_user.allowed_domains: "corp.example.,*.corp.example,https://example.org/": "https://example.org/" is a URL, which no e-mail address has: write the domain, example.org (`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v\nwant it to contain %s", err, want)
	}
}

// TestBuildWantFirst checks that Build passes the caller's WantFirst to the
// engine (the agent sets it): a password sign-in that Want let through
// for the local-auth join reaches sentinel.impersonation only without it.
func TestBuildWantFirst(t *testing.T) {
	const signin = `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","correlation_id":"01HXHSTQ5A02PJVVW2H8FZZ77A","author_id":5,"author_name":"Jane","entity_id":5,"entity_type":"User","created_at":"2024-05-10T17:46:49.058+00:00","with":"standard","target_id":5,"target_type":"User","target_details":"Jane"}`
	for _, c := range []struct {
		wantFirst bool
		evaluated uint64
	}{{true, 0}, {false, 1}} {
		e, _, err := Build(load(t, "state_dir: /s\n"), nil, detect.Config{WantFirst: c.wantFirst})
		if err != nil {
			t.Fatal(err)
		}
		var rec parser.Record
		if err := parser.New(parser.TypeAudit).Parse([]byte(signin), &rec); err != nil {
			t.Fatal(err)
		}
		if !e.Want(parser.TypeAudit, &rec) {
			t.Fatal("the password sign-in is not wanted")
		}
		e.Process(detect.NewEvent(&rec, []byte(signin), "audit_json.log", detect.OriginFile))
		if got := e.Stats().Rules["sentinel.impersonation"].Evaluated; got != c.evaluated {
			t.Errorf("WantFirst %v: sentinel.impersonation evaluated %d events, want %d", c.wantFirst, got, c.evaluated)
		}
	}
}

// TestBuildStateDirError: an engine that cannot create its state
// directory is an error that says "detections" once, at the block's line.
// Before: "config.yaml:2: detections: detections: state directory: ...".
func TestBuildStateDirError(t *testing.T) {
	state := t.TempDir()
	if err := os.WriteFile(filepath.Join(state, "detect"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := load(t, "state_dir: "+state+"\ndetections:\n  lateness: 2m\n")
	_, _, err := Build(c, nil, detect.Config{StateDir: state})
	if err == nil {
		t.Fatal("Build passed with state_dir/detect a file")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "config.yaml:2: detections: state directory: ") || strings.Count(msg, "detections:") != 1 {
		t.Errorf("error %q: want config.yaml:2: detections: state directory: ..., with detections: once", msg)
	}
}

// TestCheckGeoIPUnopened: a GeoIP rule asked for while geoip.city_db
// names a file that does not open is reported with why the database did
// not open, at its line, before the rule's "needs a database". Before,
// only "needs a GeoIP City or Country database (geoip: city_db ...)" was
// said, to a user who had set geoip.city_db.
func TestCheckGeoIPUnopened(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "GeoLite2-City.mmdb")
	c := load(t, "state_dir: /s\ngeoip:\n  city_db: "+missing+"\ndetections:\n  rules:\n    falco.git_op_unknown_country:\n      known_countries: [DE]\n")
	_, err := Check(c, nil)
	if err == nil {
		t.Fatal("Check passed")
	}
	lines := strings.Split(err.Error(), "\n")
	want := "config.yaml:3: geoip.city_db: open city_db " + missing
	if !strings.HasPrefix(lines[0], want) || !strings.Contains(lines[0], "no such file or directory") {
		t.Errorf("first error %q, want it to start with %q and say the file does not exist", lines[0], want)
	}
	if len(lines) < 2 || !strings.Contains(lines[1], "falco.git_op_unknown_country cannot run") {
		t.Errorf("errors %q: want the rule's after the database's", lines)
	}
}

// TestOffRuleFileNotOpened: the ti_file of a rule that is off, or of an
// engine that is off, is not opened, so a missing feed does not stop an
// agent that ships logs (it did: run refused to start); the same file is
// an error when the rule runs.
func TestOffRuleFileNotOpened(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.txt")
	for _, tc := range []struct {
		name, yaml string
		wantErr    bool
	}{
		{"rule off", "state_dir: /s\ndetections:\n  rules:\n    sentinel.ti_malicious_ip:\n      enabled: false\n      ti_file: " + missing + "\n", false},
		{"engine off", "state_dir: /s\ndetections:\n  enabled: false\n  rules:\n    sentinel.ti_malicious_ip:\n      ti_file: " + missing + "\n", false},
		{"engine off, for every rule", "state_dir: /s\ndetections:\n  enabled: false\n  params:\n    ti_file: " + missing + "\n", false},
		{"rule on", "state_dir: /s\ndetections:\n  rules:\n    sentinel.ti_malicious_ip:\n      ti_file: " + missing + "\n", true},
	} {
		_, err := Check(load(t, tc.yaml), nil)
		if (err != nil) != tc.wantErr || tc.wantErr && !strings.Contains(err.Error(), "no such file") {
			t.Errorf("%s: Check: %v, want an error: %v", tc.name, err, tc.wantErr)
		}
	}
}

// TestSeverityHintSuggestsAccepted: the did-you-mean of a severity that
// is refused only ever names a severity that is accepted, for typos of
// accepted names and of those above High (Critcal) alike; a typo of one
// above High suggests High and says there is none above it.
func TestSeverityHintSuggestsAccepted(t *testing.T) {
	meant := regexp.MustCompile(`did you mean "([^"]*)"`)
	var typos []string
	for _, name := range append(detect.SeverityNames(), detect.SeveritiesAbove()...) {
		for i := range len(name) {
			typos = append(typos, name[:i]+name[i+1:]) // a letter left out
			if i+1 < len(name) {
				typos = append(typos, name[:i]+name[i+1:i+2]+name[i:i+1]+name[i+2:]) // two swapped
			}
		}
	}
	hinted := 0
	for _, s := range typos {
		if _, err := detect.ParseSeverity(s); err != nil {
			h := severityHint(s, err)
			for _, m := range meant.FindAllStringSubmatch(h, -1) {
				hinted++
				if _, err := detect.ParseSeverity(m[1]); err != nil {
					t.Errorf("severity %q: hint %q suggests %q, which is refused: %v", s, h, m[1], err)
				}
			}
		}
	}
	if hinted < len(typos)/4 {
		t.Errorf("%d did-you-means for %d typos: the hints were not exercised", hinted, len(typos))
	}
	for _, s := range []string{"Critcal", "CRITICLA", "emergncy", "Alrt"} {
		_, err := detect.ParseSeverity(s)
		if h := severityHint(s, err); !strings.HasPrefix(h, ` (did you mean "High"? there is no `) || !strings.HasSuffix(h, `: alerts have none above High, sent as syslog err, 3)`) {
			t.Errorf("severity %q: hint %q; want High suggested, and that there is none above it", s, h)
		}
	}
}
