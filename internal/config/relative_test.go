package config

import (
	"strings"
	"testing"
)

// TestRelativePaths: every path key written relative in the config file
// is reported with its file, line, key, the path from the current
// directory and from /; absolute paths, defaults and values given by
// flags are not.
func TestRelativePaths(t *testing.T) {
	yaml := `state_dir: state
log_dir: /var/log/gitlab
forward:
  url: tls://h:6514
  tls:
    ca_file: ca.pem
    cert_file: /etc/gitlab-syslog/node.pem
    key_file: /etc/gitlab-syslog/node-key.pem
sources:
  - type: audit
    path: /var/log/gitlab/gitlab-rails/audit_json.log
  - type: access
    path: logs/*.log
geoip:
  city_db: GeoLite2-City.mmdb
inputs:
  - listen: tls://127.0.0.1:6514
    tls:
      cert_file: ./agg.pem
      key_file: /etc/agg-key.pem
detections:
  params:
    geoip_db: /var/lib/GeoIP/GeoLite2-City.mmdb
  rules:
    sentinel.ti_malicious_ip:
      ti_file: ti.txt
`
	c, err := Parse([]byte(yaml), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c.SetByFlag("geoip.city_db", "--geoip") // a flag's relative path is the shell's: not reported
	want := []string{
		`config.yaml:1: state_dir: "state" is relative: the agent resolves it against its current directory (now /home/me/state), not the config file's, and systemd starts the agent in /, where it is /state; give an absolute path`,
		`config.yaml:6: forward.tls.ca_file: "ca.pem" is relative:`,
		`config.yaml:13: sources[1].path: "logs/*.log" is relative:`,
		`config.yaml:19: inputs[0].tls.cert_file: "./agg.pem" is relative: the agent resolves it against its current directory (now /home/me/agg.pem), not the config file's, and systemd starts the agent in /, where it is /agg.pem;`,
		`config.yaml:26: detections.rules.sentinel.ti_malicious_ip.ti_file: "ti.txt" is relative: the agent resolves it against its current directory (now /home/me/ti.txt)`,
	}
	got := c.RelativePaths("/home/me")
	if len(got) != len(want) {
		t.Fatalf("RelativePaths =\n%s\nwant %d warnings", strings.Join(got, "\n"), len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("warning %d =\n%s\nwant it to start with\n%s", i, got[i], w)
		}
	}
	if got := c.RelativePaths(""); len(got) != len(want) || strings.Contains(got[0], "(now") {
		t.Errorf("without a current directory: %q, want the same warnings without (now ...)", got)
	}
	var defaults Config
	defaults.StateDir = "relative"
	if got := defaults.RelativePaths("/home/me"); got != nil {
		t.Errorf("config not from a file: %q, want none", got)
	}
}
