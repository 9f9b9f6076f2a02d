package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/testcert"
)

// TestCheckStreamingTLS: check fails, naming the key (with its file and
// line) and the files, for a streaming TLS pair that run cannot load
// (missing, swapped, mismatched), and passes a usable one.
func TestCheckStreamingTLS(t *testing.T) {
	dir := t.TempDir()
	certs, err := testcert.WriteTestCerts(dir)
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nope.pem")
	tests := []struct {
		name, cert, key string
		want            []string // in the error; none: check passes
	}{
		{"usable", certs.ServerCert, certs.ServerKey, nil},
		{"missing cert", missing, certs.ServerKey, []string{"config.yaml:5: streaming.tls: cert_file " + missing, "no such file"}},
		{"missing key", certs.ServerCert, missing, []string{"key_file " + missing, "no such file"}},
		{"swapped", certs.ServerKey, certs.ServerCert, []string{"streaming.tls: cert_file " + certs.ServerKey + " and key_file " + certs.ServerCert}},
		{"key of another certificate", certs.ServerCert, certs.ClientKey, []string{"key_file " + certs.ClientKey, "does not match"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := "state_dir: " + filepath.Join(dir, "state") + "\nstreaming:\n  listen: 127.0.0.1:0\n  tokens: [t]\n  tls:\n    cert_file: " + tt.cert + "\n    key_file: " + tt.key + "\n"
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := execute(t, "check", "--config", path)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("check failed: %v\n%s", err, out)
				}
				return
			}
			if err == nil {
				t.Fatalf("check passed, want an error\n%s", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestCheckMetricsOnStreamingPort: check refuses metrics.listen on the
// streaming port, naming both keys.
func TestCheckMetricsOnStreamingPort(t *testing.T) {
	cfg := "state_dir: " + t.TempDir() + "\nmetrics:\n  listen: 0.0.0.0:18080\nstreaming:\n  listen: 127.0.0.1:18080\n  tokens: [t]\n"
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := execute(t, "check", "--config", path)
	if err == nil || !strings.Contains(err.Error(), "metrics.listen") || !strings.Contains(err.Error(), "streaming.listen") {
		t.Errorf("check: %v, want an error naming metrics.listen and streaming.listen", err)
	}
}

// TestCheckForwardTLS: check fails for forward.tls files run's forwarder
// cannot load (a missing or non-PEM CA file, a missing, swapped or
// mismatched client pair), each problem naming the config file and line
// of its key (or the flag that gave it), the file and the cause; it passes
// usable files.
func TestCheckForwardTLS(t *testing.T) {
	dir := t.TempDir()
	certs, err := testcert.WriteTestCerts(dir)
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nope.pem")
	garbage := writeFile(t, filepath.Join(dir, "garbage.pem"), "not a certificate\n")
	tests := []struct {
		name, ca, cert, key string
		flags               []string
		want                []string // each in the error; none: check passes
	}{
		{name: "usable", ca: certs.CAFile, cert: certs.ClientCert, key: certs.ClientKey},
		{name: "usable CA only", ca: certs.CAFile},
		{name: "missing CA", ca: missing,
			want: []string{"config.yaml:5: forward.tls.ca_file: open " + missing, "no such file", "give the PEM file of the CA"}},
		{name: "CA not PEM", ca: garbage,
			want: []string{"config.yaml:5: forward.tls.ca_file: " + garbage + " holds no PEM certificate"}},
		{name: "CA not PEM, by flag", ca: certs.CAFile, flags: []string{"--ca-file", garbage},
			want: []string{"--ca-file: " + garbage + " holds no PEM certificate"}},
		{name: "missing cert and key", ca: certs.CAFile, cert: missing, key: missing + "-key",
			want: []string{"config.yaml:6: forward.tls.cert_file: open " + missing + ":", "config.yaml:7: forward.tls.key_file: open " + missing + "-key:"}},
		{name: "swapped pair", ca: certs.CAFile, cert: certs.ClientKey, key: certs.ClientCert,
			want: []string{"config.yaml:6: forward.tls.cert_file: cert_file " + certs.ClientKey + " and key_file " + certs.ClientCert + " cannot be used"}},
		{name: "key of another certificate", ca: certs.CAFile, cert: certs.ClientCert, key: certs.ServerKey,
			want: []string{"config.yaml:6: forward.tls.cert_file:", "does not match"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := "state_dir: " + filepath.Join(dir, "state") + "\nforward:\n  url: tls://127.0.0.1:6514\n  tls:\n    ca_file: " + tt.ca + "\n"
			if tt.cert != "" {
				cfg += "    cert_file: " + tt.cert + "\n    key_file: " + tt.key + "\n"
			}
			path := writeFile(t, filepath.Join(t.TempDir(), "config.yaml"), cfg)
			out, err := execute(t, append([]string{"check", "--config", path}, tt.flags...)...)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("check failed: %v\n%s", err, out)
				}
				return
			}
			if err == nil {
				t.Fatalf("check passed, want an error\n%s", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
