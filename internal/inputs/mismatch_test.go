package inputs

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/testcert"
)

func TestSpeechOf(t *testing.T) {
	for _, c := range []struct {
		in   string
		want speech
	}{
		{"\x16\x03\x01\x02\x00", speaksTLS},
		{"<13>1 - - - - - - x", speaksSyslog},
		{"25 <13>1 - - - - - - x", speaksSyslog},
		{"1 open 34 relp_version=0", speaksRELP},
		{"12 syslog 20 <13>", speaksRELP},
		{"1", speaksUnknown},
		{"12 ", speaksUnknown},
		{"12 3", speaksUnknown},
		{"hello", speaksUnknown},
		{"GET / HTTP/1.1", speaksHTTP},
		{"HEAD /healthz HTTP/1.0", speaksHTTP},
		{"GET", speaksUnknown},
		{"", speaksUnknown},
	} {
		if got := speechOf([]byte(c.in)); got != c.want {
			t.Errorf("speechOf(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

// TestClientSpeaksAnotherProtocol: a client whose URL does not match the
// input's (TLS or not, RELP or not) is refused at its first octets with
// a warning that says what it sends and what to change, counted as a
// protocol error (or a TLS error when its handshake failed). Before, the
// input logged a bare TLS record error, or a malformed RELP frame, and a
// warning per attempt of the retrying client (fresh-user trial 99).
func TestClientSpeaksAnotherProtocol(t *testing.T) {
	certs, err := testcert.WriteTestCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile(certs.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	cert, err := tls.LoadX509KeyPair(certs.ClientCert, certs.ClientKey)
	if err != nil {
		t.Fatal(err)
	}
	serverTLS := TLSFiles{CertFile: certs.ServerCert, KeyFile: certs.ServerKey, ClientCAFile: certs.CAFile}
	const (
		octets   = "25 <13>1 - - - - - - hello\n"
		relpOpen = "1 open 34 relp_version=0\ncommands=syslog\n"
	)
	plain := func(data string) func(t *testing.T, addr string) net.Conn {
		return func(t *testing.T, addr string) net.Conn {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Write([]byte(data)); err != nil {
				t.Fatal(err)
			}
			return c
		}
	}
	overTLS := func(data string) func(t *testing.T, addr string) net.Conn {
		return func(t *testing.T, addr string) net.Conn {
			c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}})
			if err != nil {
				t.Fatal(err)
			}
			if data != "" {
				if _, err := c.Write([]byte(data)); err != nil {
					t.Fatal(err)
				}
			}
			return c
		}
	}
	for _, c := range []struct {
		name    string
		listen  string
		tls     bool
		dial    func(t *testing.T, addr string) net.Conn
		want    string
		tlsErrs uint64 // else one protocol error
		bad     bool   // a malformed frame, not a protocol error
	}{
		{"syslog to relp", "relp://127.0.0.1:0", false, plain(octets),
			"it sends syslog frames, not RELP to a relp:// input: give the client relp://, or listen with tcp://", 0, false},
		{"relp to tcp", "tcp://127.0.0.1:0", false, plain(relpOpen),
			"it sends RELP to a tcp:// input: listen with relp://, or give the client tcp://", 0, false},
		{"tls to tcp", "tcp://127.0.0.1:0", false, func(t *testing.T, addr string) net.Conn {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			go tls.Client(c, &tls.Config{InsecureSkipVerify: true}).Handshake() // fails when the server closes
			return c
		}, "it sends TLS to a tcp:// input: listen with tls:// and a tls: block, or give the client tcp://", 0, false},
		{"relp to relp+tls", "relp+tls://127.0.0.1:0", true, plain(relpOpen),
			"it sends RELP without TLS to a relp+tls:// input: give the client relp+tls:// with the CA of this input's certificate", 1, false},
		{"syslog to tls", "tls://127.0.0.1:0", true, plain(octets),
			"it sends syslog without TLS to a tls:// input", 1, false},
		{"syslog over tls to relp+tls", "relp+tls://127.0.0.1:0", true, overTLS(octets),
			"it sends syslog frames, not RELP to a relp+tls:// input: give the client relp+tls://, or listen with tls://", 0, false},
		{"http to relp", "relp://127.0.0.1:0", false, plain("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
			"it sends HTTP (a browser, a load balancer's health check?) to a relp:// input", 0, false},
		{"http to tcp", "tcp://127.0.0.1:0", false, plain("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
			"it sends HTTP (a browser, a load balancer's health check?) to a tcp:// input", 0, false},
		{"garbage to relp", "relp://127.0.0.1:0", false, plain("hello world\n"),
			`malformed RELP frame: TXNR starts with 'h', want a digit; a RELP client (rsyslog's omrelp, a gitlab-syslog node with relp://) begins with \"1 open\": check what sends to this input`, 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			logs := new(syslogtest.Buffer)
			cfg := Config{Listen: c.listen, Logger: slog.New(slog.NewTextHandler(logs, nil))}
			if c.tls {
				cfg.TLS = serverTLS
			}
			s := startServer(t, cfg)
			for range 3 { // a client retrying: one warning
				conn := c.dial(t, s.Addr().String())
				_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
				if _, err := io.Copy(io.Discard, conn); err != nil && !isReset(err) {
					t.Fatalf("connection not closed by the input: %v", err)
				}
				conn.Close()
			}
			waitFor(t, "the three refusals counted", func() bool {
				st := s.Stats()
				switch {
				case c.tlsErrs > 0:
					return st.TLSErrors == 3
				case c.bad:
					return st.Malformed == 3
				}
				return st.Protocol == 3
			})
			log := logs.String()
			if !strings.Contains(log, c.want) {
				t.Errorf("log lacks %q:\n%s", c.want, log)
			}
			if n := strings.Count(log, "level=WARN"); n != 1 {
				t.Errorf("%d warnings for three refusals of one client, want 1 (paced):\n%s", n, log)
			}
			if got := spooled(t, s); len(got) != 0 {
				t.Errorf("spooled %q from a client speaking another protocol", got)
			}
		})
	}
}

// isReset reports whether err is a connection reset, which a client may
// get instead of EOF when the input closes with its data unread.
func isReset(err error) bool {
	return strings.Contains(err.Error(), "connection reset")
}
