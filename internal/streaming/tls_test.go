package streaming

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeTestPKI creates a CA and a server certificate for 127.0.0.1 signed by
// it, writes the server's cert and key as PEM files in dir and returns their
// paths and a pool holding the CA.
func writeTestPKI(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "gitlab-syslog test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(ca)
	return certFile, keyFile, pool
}

func TestTLS(t *testing.T) {
	certFile, keyFile, pool := writeTestPKI(t, t.TempDir())
	tr := start(t, Config{TLSCert: certFile, TLSKey: keyFile})
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
