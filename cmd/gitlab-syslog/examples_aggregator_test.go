package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/testcert"
)

// TestAggregatorExamples: check accepts examples/aggregator.yaml and
// examples/node.yaml with their certificate files present, and reports the
// aggregator's input and the node's RELP destination.
func TestAggregatorExamples(t *testing.T) {
	dir := t.TempDir()
	certs, err := testcert.WriteTestCerts(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		file string
		want []string
	}{
		{"aggregator.yaml", []string{"valid", "inputs:     listening on relp+tls://0.0.0.0:2514", "other APP-NAMEs: forward", "detections: "}},
		{"node.yaml", []string{"valid", "relp+tls://gitlab-aggregator.example.com:2514", "inputs:     off", "detections: off"}},
	} {
		data, err := os.ReadFile(filepath.Join("../../examples", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		s := strings.NewReplacer(
			"/var/lib/gitlab-syslog", filepath.Join(dir, "state"),
			"/var/log/gitlab", filepath.Join(dir, "log"),
			"/etc/gitlab-syslog/aggregator.pem", certs.ServerCert,
			"/etc/gitlab-syslog/aggregator-key.pem", certs.ServerKey,
			"/etc/gitlab-syslog/node.pem", certs.ClientCert,
			"/etc/gitlab-syslog/node-key.pem", certs.ClientKey,
			"/etc/gitlab-syslog/ca.pem", certs.CAFile,
		).Replace(string(data))
		path := writeFile(t, filepath.Join(dir, tt.file), s)
		out, err := execute(t, "check", "--config", path)
		if err != nil {
			t.Fatalf("check rejects examples/%s: %v\n%s", tt.file, err, out)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("check of examples/%s lacks %q:\n%s", tt.file, w, out)
			}
		}
	}
}
