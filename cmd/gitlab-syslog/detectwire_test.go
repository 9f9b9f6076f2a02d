package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestDetectWireMatchesRun checks that detect --config --format rfc5424
// writes an alert as run writes it for the same config file: its
// hostname, forward.facility and forward.sd_id (the alert's element
// alert@<PEN>, the columns' <name>@<PEN>), byte for byte but for
// detected_at, the wall clock.
func TestDetectWireMatchesRun(t *testing.T) {
	const (
		start  = `{"severity":"INFO","time":"2025-07-01T10:00:00.000Z","author_id":1,"entity_id":1,"entity_type":"User","custom_message":"Started Impersonation","target_id":3,"target_type":"User","target_details":"jdoe","author_name":"Administrator","entity_path":"root"}`
		action = `{"severity":"INFO","time":"2025-07-01T10:01:00.000Z","author_id":3,"entity_id":7,"entity_type":"Project","add":"user_access","as":"Maintainer","target_id":9,"target_type":"User","target_details":"eve","author_name":"John Doe","entity_path":"jdoe/secret-project"}`
	)
	dir := t.TempDir()
	audit := filepath.Join(dir, "audit_json.log")
	if err := os.WriteFile(audit, []byte(start+"\n"+action+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "config.yaml")
	y := "state_dir: " + filepath.Join(dir, "state") + "\nhostname: gl-test-01\nsources:\n  - {type: audit, path: " + audit + "}\n" +
		"forward:\n  url: stdout\n  facility: local3\n  sd_id: acme@4242\ndetections:\n  rules:\n    sentinel.impersonation:\n      severity: High\n"
	if err := os.WriteFile(cfg, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	detectedAt := regexp.MustCompile(`detected_at(="|":")[^"]*"`)
	alerts := func(out string) []string {
		var got []string
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, " GitLab-Detections ") {
				got = append(got, detectedAt.ReplaceAllString(l, "detected_at"))
			}
		}
		return got
	}
	r := runCmd(t, "--config", cfg, "--once")
	if r.err != nil {
		t.Fatalf("run: %v\n%s", r.err, r.stderr)
	}
	fromRun := alerts(r.stdout)
	var out, errOut syslogtest.Buffer
	if err := runSendCollect(context.Background(), nil, &out, &errOut, "detect", "--config", cfg, "--format", "rfc5424", audit); err != nil {
		t.Fatalf("detect: %v\n%s", err, errOut.String())
	}
	if strings.Contains(errOut.String(), "rfc3164") {
		t.Errorf("a note about RFC 3164 for a file in RFC 5424:\n%s", errOut.String())
	}
	fromDetect := alerts(out.String())
	if len(fromRun) != 2 || strings.Join(fromRun, "\n") != strings.Join(fromDetect, "\n") {
		t.Fatalf("detect's alerts differ from run's (want 2)\nrun:\n%s\ndetect:\n%s", strings.Join(fromRun, "\n"), strings.Join(fromDetect, "\n"))
	}
	for _, want := range []string{"<155>1 2025-07-01T10:01:00.000000Z gl-test-01 GitLab-Detections - sentinel.impersonation [alert@4242 ", "[acme@4242 "} {
		if !strings.Contains(fromDetect[1], want) {
			t.Errorf("detect's alert %q does not contain %q", fromDetect[1], want)
		}
	}
}

// TestDetectWireRFC3164: detect --format rfc5424 with a --config file
// whose forward.format is rfc3164 writes the alerts as run sends them,
// in RFC 3164, and says so, naming the file's line (fresh-user trial
// 238: it printed RFC 3164 without a word).
func TestDetectWireRFC3164(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, filepath.Join(dir, "config.yaml"), "forward:\n  url: stdout\n  format: rfc3164\n")
	audit := filepath.Join("..", "..", "testdata", "detections", "falco.pat_created", "audit_json.log")
	var out, errOut syslogtest.Buffer
	if err := runSendCollect(context.Background(), nil, &out, &errOut, "detect", "--config", cfg, "--format", "rfc5424", "--rule", "falco.pat_created", audit); err != nil {
		t.Fatalf("detect: %v\n%s", err, errOut.String())
	}
	if !regexp.MustCompile(`(?m)^<\d+>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ GitLab-Detections: \{`).MatchString(out.String()) {
		t.Errorf("no alert in RFC 3164:\n%s", out.String())
	}
	want := "detect: WARNING: " + cfg + ":3 sets forward.format: rfc3164, so the alerts are written as run sends them, in RFC 3164, not RFC 5424; for RFC 5424, give a copy of the file without that key"
	if !strings.Contains(errOut.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
	}
}

// TestDetectConfigForwardErrors checks that detect --config --format
// rfc5424 refuses a file whose settings of the alerts' wire form run
// refuses, with run's file:line error, and that JSON output, which does
// not read them, runs with the same file as it does with a bad
// forward.url (before, a bad forward.facility stopped a JSON run).
func TestDetectConfigForwardErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"sd_id with a space", "forward:\n  sd_id: acme 4242\n", `config.yaml:2: forward.sd_id: "acme 4242": byte 4 (' ') is not allowed in an SD-ID`},
		{"unknown facility", "forward:\n  facility: local9\n", `config.yaml:2: forward.facility: unknown facility "local9"`},
		{"unknown facility beside keys detect does not read", "forward:\n  facility: local9\n  url: \"tcp//x\"\nstart_at: middle\n",
			`config.yaml:2: forward.facility: unknown facility "local9"`},
		{"unknown forward.format", "forward:\n  format: cef\n", `config.yaml:2: forward.format: `},
		{"hostname with a space", "hostname: gl test\n", `config.yaml:1: hostname: `},
	} {
		dir := t.TempDir()
		cfg := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(cfg, []byte(tc.yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		audit := filepath.Join(dir, "audit_json.log")
		if err := os.WriteFile(audit, []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"rfc5424", "json"} {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				var out, errOut syslogtest.Buffer
				err := runSendCollect(context.Background(), nil, &out, &errOut, "detect", "--config", cfg, "--format", format, audit)
				if format == "json" {
					if err != nil {
						t.Errorf("detect --format json: %v, want the file's wire settings not read\n%s", err, errOut.String())
					}
					return
				}
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("detect: %v\nwant an error containing %s", err, tc.want)
				} else if strings.Contains(err.Error(), "forward.url") || strings.Contains(err.Error(), "start_at") {
					t.Errorf("detect: %v\nwant no error about keys detect does not read", err)
				}
			})
		}
	}
}
