package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDetectAlertsGivenBack: detect's own alerts, as JSON or RFC 5424,
// given back to detect are named as alerts, not GitLab lines, with their
// count and first line (trial 52: the JSON ones parsed as application
// lines and the run ended with no word); a GitLab log gets no such
// warning.
func TestDetectAlertsGivenBack(t *testing.T) {
	audit := filepath.Join("..", "..", "testdata", "audit_json.log")
	dir := t.TempDir()
	for _, format := range []string{"json", "rfc5424"} {
		t.Run(format, func(t *testing.T) {
			var alerts, stderr bytes.Buffer
			if err := runDetect(context.Background(), &detectOptions{format: format}, []string{audit}, strings.NewReader(""), &alerts, &stderr); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(stderr.String(), "gitlab-syslog alerts") {
				t.Errorf("a GitLab log is taken for alerts:\n%s", stderr.String())
			}
			n := strings.Count(alerts.String(), "\n")
			if n == 0 {
				t.Fatal("no alert to give back")
			}
			path := filepath.Join(dir, "alerts."+format)
			if err := os.WriteFile(path, alerts.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			stderr.Reset()
			if err := runDetect(context.Background(), &detectOptions{format: "json"}, []string{path}, strings.NewReader(""), &out, &stderr); err != nil {
				t.Fatal(err)
			}
			want := "detect: WARNING: " + itoa(n) + " of the " + itoa(n) + " lines of " + path + " (the first at line 1) are gitlab-syslog alerts"
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
			}
			if strings.Contains(stderr.String(), "is it a GitLab log?") {
				t.Errorf("the alerts are also asked about as a log:\n%s", stderr.String())
			}
		})
	}
}
