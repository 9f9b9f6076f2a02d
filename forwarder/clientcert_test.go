package forwarder

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/testcert"
)

// TestClientCertRefusal: a collector that requires a client certificate
// signed by its CA refuses the connection with an error that says what
// is wrong, on both sides: without a certificate, that one is required;
// with one signed by another CA, that it is not accepted, and the
// collector sees the certificate (unknown authority), not none (fresh-user
// trial 88: a certificate of another CA was not sent at all, and both
// sides spoke of a missing certificate).
func TestClientCertRefusal(t *testing.T) {
	trusted, err := testcert.WriteTestCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	other, err := testcert.WriteTestCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srvCert, err := tls.LoadX509KeyPair(trusted.ServerCert, trusted.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(trusted.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	selfCert, selfKey, err := testcert.WriteSelfSigned(t.TempDir(), "self-signed node", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, scheme := range []string{"tls", "relp+tls"} { // relp+tls: fresh-user trial 116, a bare "tls: certificate required"
		testClientCertRefusal(t, scheme, trusted, other, srvCert, pool, selfCert, selfKey)
	}
}

func testClientCertRefusal(t *testing.T, scheme string, trusted, other testcert.TestCerts, srvCert tls.Certificate, pool *x509.CertPool, selfCert, selfKey string) {
	for _, tc := range []struct {
		name           string
		cert, key      string
		client, server string // in the forwarder's error; in the server's handshake error
	}{
		{"no certificate", "", "", "it requires a client certificate", "didn't provide a certificate"},
		{"another CA's certificate", other.ClientCert, other.ClientKey, "does not accept the client certificate", "unknown authority"},
		{"a self-signed certificate", selfCert, selfKey, "does not accept the client certificate", "unknown authority"},
	} {
		t.Run(scheme+"/"+tc.name, func(t *testing.T) {
			ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{srvCert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool})
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			srvErr := make(chan error, 1)
			go func() {
				c, err := ln.Accept()
				if err != nil {
					srvErr <- err
					return
				}
				defer c.Close()
				srvErr <- c.(*tls.Conn).HandshakeContext(context.Background())
			}()
			f, err := New(Config{URL: scheme + "://" + ln.Addr().String(), TLS: TLSConfig{CAFile: trusted.CAFile, CertFile: tc.cert, KeyFile: tc.key},
				Encoder: &Encoder{}, MaxAttempts: 1, MinBackoff: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close(context.Background())
			err = f.Connect(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.client) {
				t.Errorf("forwarder: %v; want an error saying %q", err, tc.client)
			}
			select {
			case err := <-srvErr:
				if err == nil || !strings.Contains(err.Error(), tc.server) {
					t.Errorf("server handshake: %v; want an error with %q", err, tc.server)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the server saw no handshake")
			}
		})
	}
}

// TestRELPOpenHintAlert: a TLS alert about the client's certificate that
// comes as the answer to RELP's open command (a collector slower to
// judge the certificate than the wait after the handshake) is told as
// such, naming the settings to give, not as a port that may speak
// another protocol (fresh-user trial 116); a hung collector's silence
// says it may be hung.
func TestRELPOpenHintAlert(t *testing.T) {
	alert := &net.OpError{Op: "remote error", Err: errors.New("tls: certificate required")}
	if err := relpOpenHint(nil, alert); err == nil || !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "cert_file and key_file") {
		t.Errorf("relpOpenHint(certificate required) = %v; want ErrRefused naming cert_file and key_file", err)
	}
	timeout := &net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}
	if err := relpOpenHint(nil, timeout); err == nil || !strings.Contains(err.Error(), "hung or overloaded") {
		t.Errorf("relpOpenHint(timeout) = %v; want it to say the collector may be hung", err)
	}
}

// TestHandshakeFailureHint: a handshake_failure alert to an agent without
// a client certificate, which is how a TLS 1.2 collector (OpenSSL's, as
// rsyslog's ossl driver and Python's ssl module) refuses one, names the
// settings to give (fresh-user trial 117: a bare "remote error: tls:
// handshake failure"); with a certificate given, it is left as it is.
func TestHandshakeFailureHint(t *testing.T) {
	alert := &net.OpError{Op: "remote error", Err: errors.New("tls: handshake failure")}
	if err := handshakeHint(alert, false); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "cert_file and key_file") {
		t.Errorf("handshakeHint(handshake failure, no certificate) = %v; want ErrRefused naming cert_file and key_file", err)
	}
	if err := handshakeHint(alert, true); err != error(alert) {
		t.Errorf("handshakeHint(handshake failure, a certificate) = %v; want the alert as it is", err)
	}
}
