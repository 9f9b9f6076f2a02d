package streaming

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/testcert"
)

// writeTestPKI writes the project's throw-away test CA and a server
// certificate for 127.0.0.1 signed by it into dir, and returns the server's
// cert and key files and a pool holding the CA.
func writeTestPKI(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	certs, err := testcert.WriteTestCerts(dir)
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(certs.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("no certificate in %s", certs.CAFile)
	}
	return certs.ServerCert, certs.ServerKey, pool
}

func TestTLS(t *testing.T) {
	certFile, keyFile, pool := writeTestPKI(t, t.TempDir())
	tr := start(t, Config{TLS: TLSFiles{CertFile: certFile, KeyFile: keyFile}})
	if !strings.HasPrefix(tr.url, "https://") {
		t.Fatalf("url %s", tr.url)
	}

	// A client without the CA refuses the server.
	if _, err := tr.client.Post(tr.url, jsonType, strings.NewReader(payloadDocs)); err == nil {
		t.Error("client without the test CA connected")
	}
	// Plain HTTP to the TLS port gets no 200.
	plain := "http://" + tr.Addr().String() + tr.path
	if resp, err := http.Post(plain, jsonType, strings.NewReader(payloadDocs)); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP accepted by the TLS receiver")
		}
	}

	tr.client = &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS12}},
	}
	if code := tr.post(t, tokenA, formType, payloadDocs); code != http.StatusOK {
		t.Fatalf("TLS 1.2 post: status %d", code)
	}
	tr.client.Transport = &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: pool, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}}
	if _, err := tr.client.Post(tr.url, jsonType, strings.NewReader(payloadDocs)); err == nil {
		t.Error("TLS 1.1 client connected")
	} else if !strings.Contains(err.Error(), "protocol version") {
		t.Errorf("TLS 1.1 client: %v, want a protocol version alert", err)
	}
	tr.client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	if code := tr.post(t, "wrong-token-over-tls-123", jsonType, payloadMR88509); code != http.StatusUnauthorized {
		t.Errorf("wrong token over TLS: status %d", code)
	}
	if code := tr.post(t, tokenA, jsonType, payloadMR88509); code != http.StatusOK {
		t.Fatalf("TLS 1.3 post: status %d", code)
	}
	lines := spoolLines(t, tr.SpoolPath())
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	sameJSON(t, lines[0], payloadDocs)
	sameJSON(t, lines[1], payloadMR88509)
}

// TestReload: a rotated token file and a renewed certificate take effect
// with Reload, without a restart; a broken certificate is refused and the
// old tokens and certificate stay in use.
func TestReload(t *testing.T) {
	dir := t.TempDir()
	cert1, key1, pool1 := writeTestPKI(t, t.TempDir())
	cert2, key2, pool2 := writeTestPKI(t, t.TempDir())
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	tokenFile := filepath.Join(dir, "tokens")
	install := func(cert, key, token string) {
		t.Helper()
		for _, f := range [][2]string{{cert, certFile}, {key, keyFile}} {
			data, err := os.ReadFile(f[0])
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f[1], data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	install(cert1, key1, tokenA)
	cfg := Config{TLS: TLSFiles{CertFile: certFile, KeyFile: keyFile}, TokenFile: tokenFile}
	tr := start(t, cfg)
	trusting := func(pool *x509.CertPool) *http.Client {
		return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: pool}, DisableKeepAlives: true}}
	}
	tr.client = trusting(pool1)
	if code := tr.post(t, tokenA, jsonType, payloadDocs); code != http.StatusOK {
		t.Fatalf("before Reload: status %d", code)
	}

	install(cert2, key2, tokenB)
	if err := tr.Reload(cfg); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	if _, err := trusting(pool1).Post(tr.url, jsonType, strings.NewReader(payloadDocs)); err == nil {
		t.Error("after Reload the server still presents the old certificate")
	}
	tr.client = trusting(pool2)
	if code := tr.post(t, tokenA, jsonType, payloadDocs); code != http.StatusUnauthorized {
		t.Errorf("old token after Reload: status %d, want 401", code)
	}
	if code := tr.post(t, tokenB, jsonType, payloadMR88509); code != http.StatusOK {
		t.Errorf("new token and certificate after Reload: status %d", code)
	}

	if err := os.WriteFile(keyFile, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tokenFile, []byte(tokenA+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := tr.Reload(cfg); err == nil || !strings.Contains(err.Error(), "load TLS certificate") {
		t.Errorf("Reload with a broken key = %v, want a load TLS certificate error", err)
	}
	if code := tr.post(t, tokenB, jsonType, payloadFalco); code != http.StatusOK {
		t.Errorf("after a failed Reload the previous token and certificate should serve: status %d", code)
	}
	if err := tr.Reload(Config{TokenFile: tokenFile}); err == nil || !strings.Contains(err.Error(), "restart") {
		t.Errorf("Reload turning TLS off = %v, want an error saying a restart is needed", err)
	}
}
