package config

import (
	"fmt"
	"slices"
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

// TestPathKeysTakeText: every key that holds a file or directory path
// (pathKeys) refuses a value YAML reads as a number (path: 42), with the
// file, line and key and the quoted form to write, instead of taking it
// as the relative path "42"; the value quoted is taken as that path, and
// a source whose path was refused is not also called missing one.
func TestPathKeysTakeText(t *testing.T) {
	doc := `state_dir: /x
log_dir: /x
forward:
  url: tls://h:6514
  tls:
    ca_file: /x
    cert_file: /x
    key_file: /x
sources:
  - type: audit
    path: /x
streaming:
  listen: 127.0.0.1:8080
  token_file: /x
  spool_dir: /x
  tls:
    cert_file: /x
    key_file: /x
geoip:
  city_db: /x
  asn_db: /x
inputs:
  - listen: tls://127.0.0.1:6514
    tls:
      cert_file: /x
      key_file: /x
      client_ca_file: /x
detections:
  params:
    ti_file: /x
    geoip_db: /x
  rules:
    sentinel.ti_malicious_ip:
      ti_file: /x
      geoip_db: /x
`
	c, err := Parse([]byte(doc), "config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(doc, "\n")
	for _, k := range c.pathKeys() {
		if k.value != "/x" {
			t.Errorf("%s is not in the test's config: add it", k.key)
			continue
		}
		n := c.Line(k.key)
		set := func(v string) string {
			l := slices.Clone(lines)
			l[n-1] = strings.Replace(l[n-1], "/x", v, 1)
			return strings.Join(l, "\n")
		}
		name := k.key[strings.LastIndex(k.key, ".")+1:]
		_, err := Parse([]byte(set("42")), "config.yaml")
		want := fmt.Sprintf(`config.yaml:%d: %s: want a path, got 42, which YAML reads as a number, not text;`, n, k.key)
		if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), ` quote it: `+name+`: "42"`) {
			t.Errorf("%s: 42: Parse error %v, want %s ... quote it: %s: \"42\"", k.key, err, want, name)
		}
		q, err := Parse([]byte(set(`"42"`)), "config.yaml")
		if err != nil {
			t.Errorf("%s: \"42\": %v", k.key, err)
			continue
		}
		for _, qk := range q.pathKeys() {
			if qk.key == k.key && qk.value != "42" {
				t.Errorf("%s: \"42\" gives %q", k.key, qk.value)
			}
		}
	}
	// The source whose path was refused is not called missing one too.
	c, err = Parse([]byte("state_dir: /s\nsources:\n  - type: audit\n    path: 42\n"), "config.yaml")
	if c == nil || err == nil {
		t.Fatalf("Parse: %v, %v", c, err)
	}
	c.LogDir = t.TempDir()
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil && strings.Contains(err.Error(), "path is missing") {
		t.Errorf("Validate: %v", err)
	}
}

// TestRelativePathsTilde: a path beginning with ~ is reported as not
// expanded, with the absolute path to write, instead of as relative and,
// for a source, as under a missing directory ~ (fresh-user trial 72).
func TestRelativePathsTilde(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, tc := range []struct{ path, want string }{
		{"~/logs/audit_json.log", `config.yaml:3: sources[0].path: "~/logs/audit_json.log" begins with ~, which is not expanded (no shell reads the config): the agent takes it as a relative path, under a directory named ~ in its current directory; write the absolute path (` + home + `/logs/audit_json.log for this user's home directory)`},
		{"~git/logs/audit_json.log", `config.yaml:3: sources[0].path: "~git/logs/audit_json.log" begins with ~, which is not expanded (no shell reads the config): the agent takes it as a relative path, under a directory named ~ in its current directory; write the absolute path`},
		{"logs/~x.log", `config.yaml:3: sources[0].path: "logs/~x.log" is relative:`},
	} {
		c, err := Parse([]byte("state_dir: /s\nsources:\n  - {type: audit, path: "+tc.path+"}\n"), "config.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Resolve(); err != nil {
			t.Fatal(err)
		}
		got := c.RelativePaths("/home/me")
		if len(got) != 1 || !strings.HasPrefix(got[0], tc.want) || strings.HasSuffix(tc.want, ")") && got[0] != tc.want {
			t.Errorf("%s: RelativePaths = %q, want one warning %q", tc.path, got, tc.want)
		}
		if w := strings.Join(c.SourceWarnings(), "\n"); strings.Contains(w, "directory ~ does not exist") {
			t.Errorf("%s: SourceWarnings = %q, want no missing directory ~", tc.path, w)
		}
	}
}
