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
				// It says the receiver speaks HTTPS (fresh-user trial 136:
				// the line was the same with TLS and without).
				if w := "/gitlab/audit over HTTPS (tls: " + tt.cert + "), events spooled to "; !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
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

// TestCheckTLSHalfPair: a TLS block with only one of cert_file and
// key_file is one problem, at the line of the key that is set, saying what
// to give; the half pair is not loaded (fresh-user trial 34, F6: an input
// tls:// with only a missing cert_file gave a second problem, "cert_file
// ... and key_file  cannot be used: open ...", and forward.tls's was at
// the tls: line). run refuses it in the same words.
func TestCheckTLSHalfPair(t *testing.T) {
	dir := t.TempDir()
	none := filepath.Join(dir, "none")
	head := "state_dir: " + filepath.Join(dir, "state") + "\nlog_dir: " + dir + "\n"
	tests := []struct {
		name, yaml string
		want       string // the one problem about TLS, after the config's path
	}{
		{"input cert_file alone", "inputs:\n  - listen: tls://127.0.0.1:0\n    tls:\n      cert_file: " + none + ".crt\n",
			":6: inputs[0].tls.cert_file: tls://127.0.0.1:0 needs tls.key_file too, the private key (PEM) of cert_file " + none + ".crt; give it, or remove cert_file"},
		{"input key_file alone", "inputs:\n  - listen: tls://127.0.0.1:0\n    tls:\n      key_file: " + none + ".key\n",
			":6: inputs[0].tls.key_file: tls://127.0.0.1:0 needs tls.cert_file too, the PEM certificate (chain) of key_file " + none + ".key; give it, or remove key_file"},
		{"forward cert_file alone", "forward:\n  url: tls://127.0.0.1:6514\n  tls:\n    ca_file: " + none + ".ca\n    cert_file: " + none + ".crt\n",
			":7: forward.tls.cert_file: " + none + ".crt is set but key_file is not: they go together (client certificate); give key_file, its private key (PEM), or remove cert_file"},
		{"streaming key_file alone", "streaming:\n  listen: 127.0.0.1:0\n  tokens: [4pQbN8xJr2sVwT6yKz3LmC1d]\n  tls:\n    key_file: " + none + ".key\n",
			":7: streaming.tls.key_file: " + none + ".key is set but cert_file is not: they go together; give cert_file, its PEM certificate (chain), or remove key_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), "config.yaml"), head+tt.yaml)
			out, err := execute(t, "check", "--config", path)
			if err == nil {
				t.Fatalf("check passed, want the problem\n%s", out)
			}
			var tlsProblems []string
			for _, p := range strings.Split(err.Error(), "\n")[1:] {
				if p = strings.TrimPrefix(p, "  "); strings.Contains(p, "tls.cert_file") || strings.Contains(p, "tls.key_file") || strings.Contains(p, ".tls:") {
					tlsProblems = append(tlsProblems, p)
				}
			}
			if len(tlsProblems) != 1 || tlsProblems[0] != path+tt.want {
				t.Errorf("TLS problems %q, want only %q", tlsProblems, path+tt.want)
			}
			r := runCmd(t, "--config", path, "--once")
			if r.err == nil || !strings.Contains(r.err.Error(), path+tt.want) || strings.Contains(r.err.Error(), "cannot be used") {
				t.Errorf("run: %v, want the problem once:\n%s", r.err, path+tt.want)
			}
		})
	}
}
