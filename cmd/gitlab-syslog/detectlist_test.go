package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestDetectListDefault: detect --list's DEFAULT column says what a run
// without parameters does. The rules that need data they are not given
// were listed "on" although every run then said "is off: no ti_file".
func TestDetectListDefault(t *testing.T) {
	var out bytes.Buffer
	if err := listRules(&out); err != nil {
		t.Fatal(err)
	}
	def := map[string]string{}
	for _, l := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(l); len(f) > 4 && strings.Contains(f[0], ".") {
			def[f[0]] = f[3]
		}
	}
	for _, c := range []struct{ rule, want, why string }{
		{"sentinel.bruteforce", "on", ""},
		{"falco.pat_created", "on", ""},
		{"sentinel.ti_malicious_ip", "off*", "no ti_file"},
		{"sentinel.external_user", "off*", "no allowed_domains"},
		{"sentinel.signin_burst", "off*", "GeoIP"},
		{"falco.git_op_unknown_country", "off*", "known_countries"},
		{"falco.admin_mode_unknown_country", "off*", "known_countries"},
	} {
		if def[c.rule] != c.want {
			t.Errorf("%s: DEFAULT %q, want %q", c.rule, def[c.rule], c.want)
		}
		if c.why != "" && !strings.Contains(out.String(), "  "+c.rule+": ") {
			t.Errorf("%s: no reason after the table:\n%s", c.rule, out.String())
		} else if c.why != "" {
			_, after, _ := strings.Cut(out.String(), "  "+c.rule+": ")
			if line, _, _ := strings.Cut(after, "\n"); !strings.Contains(line, c.why) {
				t.Errorf("%s: reason %q does not say %q", c.rule, line, c.why)
			}
		}
	}
}

// TestDetectListEffective: detect --list with --config, --param or --rule
// shows each rule as that run would have it: whether it runs, its
// severity, suppression and the parameter values given. Before, --list
// ignored them and printed the defaults.
func TestDetectListEffective(t *testing.T) {
	conf := writeFile(t, filepath.Join(t.TempDir(), "c.yml"), `detections:
  params:
    window: 30m
  rules:
    falco.pat_created:
      enabled: false
    sentinel.bruteforce:
      severity: High
      min_count: 20
    sentinel.repo_deletion:
      enabled: false
      severity: low
`)
	type row struct{ severity, runs, suppress, params string }
	for _, tc := range []struct {
		name string
		args []string
		want map[string]row
		text []string
	}{
		{"config and params", []string{"--config", conf, "--param", "suppress=2h", "--param", "allowed_domains=corp.example"}, map[string]row{
			"falco.pat_created":        {"Medium", "off", "2h0m0s", "-"},
			"sentinel.bruteforce":      {"High", "on", "2h0m0s", "window=30m,bucket,learning_period,sd_factor,min_count=20,max_keys"},
			"sentinel.repo_deletion":   {"Low", "off", "2h0m0s", "window=30m,bucket,learning_period,sd_factor,min_count,count_marked"},
			"sentinel.external_user":   {"Medium", "on", "2h0m0s", "allowed_domains=corp.example,max_keys"},
			"sentinel.ti_malicious_ip": {"Medium", "off*", "2h0m0s", "ti_file,all_logs"},
		}, []string{"  sentinel.ti_malicious_ip: no ti_file"}},
		{"rule", []string{"--rule", "falco.pat_created", "--config", conf}, map[string]row{
			"falco.pat_created":   {"Medium", "on", "none", "-"},
			"sentinel.bruteforce": {"High", "off", "1h0m0s", "window=30m,bucket,learning_period,sd_factor,min_count=20,max_keys"},
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := runSendCollect(context.Background(), strings.NewReader(""), &out, &errOut, append([]string{"detect", "--list"}, tc.args...)...); err != nil {
				t.Fatal(err)
			}
			got := map[string]row{}
			lines := strings.Split(out.String(), "\n")
			if h := strings.Fields(lines[0]); len(h) < 4 || h[3] != "RUNS" {
				t.Errorf("header %q, want RUNS as the 4th column", lines[0])
			}
			for _, l := range lines[1:] {
				if f := strings.Fields(l); len(f) > 6 && strings.Contains(f[0], ".") {
					got[f[0]] = row{f[2], f[3], f[4], f[5]}
				}
			}
			for id, w := range tc.want {
				if got[id] != w {
					t.Errorf("%s: %+v, want %+v", id, got[id], w)
				}
			}
			for _, w := range tc.text {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
	// A --param no listed rule reads is refused as by a run.
	var out, errOut bytes.Buffer
	err := runSendCollect(context.Background(), strings.NewReader(""), &out, &errOut, "detect", "--list", "--rule", "falco.pat_created", "--param", "window=1h")
	if err == nil || !strings.Contains(err.Error(), "--param window: no rule that runs reads it") {
		t.Errorf("--list --rule falco.pat_created --param window=1h: %v", err)
	}
}
