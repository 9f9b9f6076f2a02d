package inputs

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/relp"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/testcert"
)

// startServer runs an input on a free loopback port until the test ends;
// its logs are discarded unless cfg.Logger is set.
func startServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	cfg.SpoolDir = t.TempDir()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s, err := Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return s
}

// spooled returns the messages in the input's spool.
func spooled(t *testing.T, s *Server) []string {
	t.Helper()
	data, err := os.ReadFile(s.SpoolPath())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.SplitAfter(string(data), "\n") {
		if l == "" {
			continue
		}
		m, _, err := DecodeLine([]byte(strings.TrimSuffix(l, "\n")), nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(m))
	}
	return out
}

// waitFor polls cond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// relpClient is a minimal RELP client for the tests.
type relpClient struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dialRELP(t *testing.T, addr string) *relpClient {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &relpClient{t: t, c: c, br: bufio.NewReader(c)}
}

func (r *relpClient) send(txnr int, cmd, data string) {
	r.t.Helper()
	if _, err := r.c.Write(relp.AppendFrame(nil, txnr, cmd, []byte(data))); err != nil {
		r.t.Fatal(err)
	}
}

func (r *relpClient) read() (relp.Frame, error) {
	_ = r.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	f, _, err := relp.ReadFrame(r.br, nil, relp.MaxResponse)
	return f, err
}

func (r *relpClient) open() {
	r.t.Helper()
	r.send(1, "open", "relp_version=0\nrelp_software=test\ncommands=syslog")
	f, err := r.read()
	if err != nil || f.Txnr != 1 || f.Command != "rsp" || !strings.HasPrefix(string(f.Data), "200 OK") || !relp.Offers(f.Data, "commands", "syslog") {
		r.t.Fatalf("open answered %d %s %q, %v", f.Txnr, f.Command, f.Data, err)
	}
}

// TestRELPSession: every transaction is answered 200 only once its message
// is in the spool; close is answered, then serverclose.
func TestRELPSession(t *testing.T) {
	s := startServer(t, Config{Listen: "relp://127.0.0.1:0"})
	r := dialRELP(t, s.Addr().String())
	r.open()
	var want []string
	for i := range 50 {
		m := fmt.Sprintf("<13>1 - node GitLab-Audit-Logs - - - {\"n\":%d}", i)
		want = append(want, m)
		r.send(i+2, "syslog", m)
	}
	for i := range 50 {
		f, err := r.read()
		if err != nil || f.Txnr != i+2 || f.Command != "rsp" || string(f.Data) != "200 OK" {
			t.Fatalf("answer %d: %d %s %q, %v", i, f.Txnr, f.Command, f.Data, err)
		}
		if got := spooled(t, s); len(got) < i+1 || got[i] != want[i] {
			t.Fatalf("transaction %d answered before its message was spooled (spool holds %d)", f.Txnr, len(got))
		}
	}
	r.send(52, "close", "")
	if f, err := r.read(); err != nil || f.Txnr != 52 || string(f.Data) != "200 OK" {
		t.Fatalf("close answered %d %q, %v", f.Txnr, f.Data, err)
	}
	if f, err := r.read(); err != nil || f.Command != "serverclose" {
		t.Fatalf("after close: %s, %v; want serverclose", f.Command, err)
	}
	if st := s.Stats(); st.Messages != 50 || st.Malformed+st.Protocol+st.Timeouts != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestRELPBadClients: malformed frames, a session that does not start with
// open, a client that never completes the handshake and a client that
// does not offer syslog are closed with a clear reason and counted; the
// server goes on serving.
func TestRELPBadClients(t *testing.T) {
	s := startServer(t, Config{Listen: "relp://127.0.0.1:0", IdleTimeout: 300 * time.Millisecond})
	closed := func(r *relpClient) {
		t.Helper()
		_ = r.c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.Copy(io.Discard, r.c); err != nil {
			t.Fatalf("connection not closed by the server: %v", err)
		}
	}
	r := dialRELP(t, s.Addr().String())
	r.open()
	r.c.Write([]byte("2 syslog x <13>1 - - - - - - bad DATALEN\n"))
	closed(r)
	waitFor(t, "a malformed frame counted", func() bool { return s.Stats().Malformed == 1 })

	r = dialRELP(t, s.Addr().String())
	r.send(1, "syslog", "<13>1 - - - - - - before open")
	if f, err := r.read(); err != nil || f.Command != "serverclose" {
		t.Errorf("syslog before open: %s, %v; want serverclose", f.Command, err)
	}
	closed(r)
	waitFor(t, "a protocol error counted", func() bool { return s.Stats().Protocol == 1 })

	r = dialRELP(t, s.Addr().String())
	r.send(1, "open", "relp_version=0\ncommands=eventlog")
	if f, err := r.read(); err != nil || !strings.HasPrefix(string(f.Data), "500") {
		t.Errorf("open without syslog: %q, %v; want a 500 answer", f.Data, err)
	}
	closed(r)
	waitFor(t, "a second protocol error counted", func() bool { return s.Stats().Protocol == 2 })

	r = dialRELP(t, s.Addr().String())
	r.c.Write([]byte("1 op")) // never completes the open
	closed(r)
	waitFor(t, "a handshake timeout counted", func() bool { return s.Stats().Timeouts == 1 })

	r = dialRELP(t, s.Addr().String())
	r.open()
	r.send(2, "syslog", "<13>1 - - - - - - still served")
	if f, err := r.read(); err != nil || f.Txnr != 2 || string(f.Data) != "200 OK" {
		t.Fatalf("after the bad clients: %d %q, %v", f.Txnr, f.Data, err)
	}
	if got := spooled(t, s); len(got) != 1 || got[0] != "<13>1 - - - - - - still served" {
		t.Errorf("spool holds %q", got)
	}
}

// TestTCPInput: octet-counted and LF-framed messages on one connection,
// an oversize message cut and counted, a slow sender delivering a byte at
// a time.
func TestTCPInput(t *testing.T) {
	s := startServer(t, Config{Listen: "tcp://127.0.0.1:0", MaxMessageBytes: MinMaxMessageBytes})
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	long := "<13>1 - - - - - - " + strings.Repeat("x", MinMaxMessageBytes)
	fmt.Fprintf(c, "19 <13>1 - - - - - - a<13>1 - - - - - - b\n%d %s<13>1 - - - - - - c\n", len(long), long)
	slow := "<13>1 - - - - - - slow\n"
	for i := range len(slow) {
		c.Write([]byte{slow[i]})
		time.Sleep(2 * time.Millisecond)
	}
	want := []string{"<13>1 - - - - - - a", "<13>1 - - - - - - b", long[:MinMaxMessageBytes], "<13>1 - - - - - - c", "<13>1 - - - - - - slow"}
	waitFor(t, "5 messages spooled", func() bool { return s.Stats().Messages == 5 })
	got := spooled(t, s)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("spooled %q, want %q", got, want)
	}
	if st := s.Stats(); st.Truncated != 1 {
		t.Errorf("truncated = %d, want 1", st.Truncated)
	}
	fmt.Fprintf(c, "12x <13>") // malformed MSG-LEN
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, c); err != nil {
		t.Fatalf("connection not closed after a malformed frame: %v", err)
	}
	waitFor(t, "the malformed frame counted", func() bool { return s.Stats().Malformed == 1 })
}

// TestTCPInputCRLF: a sender writing CRLF line ends (LF framing) has no
// CR spooled at the end of its messages; an octet-counted message ending
// in CR keeps it.
func TestTCPInputCRLF(t *testing.T) {
	s := startServer(t, Config{Listen: "tcp://127.0.0.1:0"})
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "<13>1 - h a - - - one\r\n<13>1 - h a - - - two\r\n20 <13>1 - h a - - - 3\r")
	want := []string{"<13>1 - h a - - - one", "<13>1 - h a - - - two", "<13>1 - h a - - - 3\r"}
	waitFor(t, "3 messages spooled", func() bool { return s.Stats().Messages == 3 })
	if got := spooled(t, s); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("spooled %q, want %q", got, want)
	}
}

// TestMaxConnections: connections beyond max_connections are closed at
// accept and counted, and logged at most once a minute (trial 253: a
// client reconnecting in a loop made 7,560 warnings in 5 s).
func TestMaxConnections(t *testing.T) {
	var logs syslogtest.Buffer
	s := startServer(t, Config{Listen: "tcp://127.0.0.1:0", MaxConnections: 2, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for range 2 {
		c, err := net.Dial("tcp", s.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	waitFor(t, "2 connections open", func() bool { return s.Stats().Open == 2 })
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("third connection: %v, want closed (EOF)", err)
	}
	for range 19 {
		c, err := net.Dial("tcp", s.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		c.Read(make([]byte, 1))
		c.Close()
	}
	if st := s.Stats(); st.Refused != 20 {
		t.Errorf("refused = %d, want 20", st.Refused)
	}
	if n := strings.Count(logs.String(), "max_connections reached"); n != 1 {
		t.Errorf("%d warnings of refused connections, want 1:\n%s", n, logs.String())
	}
}

// TestOversizeMemory: a 64 MiB octet-counted frame and a 64 MiB LF frame
// to an input keeping 64 KiB of a message are cut as they stream; the
// heap does not grow by their size.
func TestOversizeMemory(t *testing.T) {
	s := startServer(t, Config{Listen: "tcp://127.0.0.1:0", MaxMessageBytes: 64 << 10})
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	const size = 64 << 20
	const header = "<13>1 - - - - - - "
	chunk := []byte(strings.Repeat("y", 1<<20))
	fmt.Fprintf(c, "%d %s", len(header)+size, header)
	for range size / len(chunk) {
		c.Write(chunk)
	}
	c.Write([]byte(header))
	for range size / len(chunk) {
		c.Write(chunk)
	}
	c.Write([]byte("\n"))
	waitFor(t, "both cut messages spooled", func() bool { return s.Stats().Messages == 2 })
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 16<<20 {
		t.Errorf("heap in use grew by %d MiB receiving two 64 MiB messages", grew>>20)
	}
	if st := s.Stats(); st.Truncated != 2 {
		t.Errorf("truncated = %d, want 2", st.Truncated)
	}
}

// TestMutualTLS: relp+tls with a client CA accepts a client with a
// certificate and refuses (and counts) one without, logging what to give
// the client (fresh-user trial 116: a bare "tls: client didn't provide a
// certificate").
func TestMutualTLS(t *testing.T) {
	certs, err := testcert.WriteTestCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	logs := new(syslogtest.Buffer)
	s := startServer(t, Config{Listen: "relp+tls://127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(logs, nil)),
		TLS: TLSFiles{CertFile: certs.ServerCert, KeyFile: certs.ServerKey, ClientCAFile: certs.CAFile}})
	pem, _ := os.ReadFile(certs.CAFile)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	if c, err := tls.Dial("tcp", s.Addr().String(), &tls.Config{RootCAs: pool}); err == nil {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = c.Read(make([]byte, 1)) // TLS 1.3: the refusal comes with the first read
		c.Close()
		if err == nil {
			t.Fatal("a client without a certificate was served")
		}
	}
	waitFor(t, "the TLS failure counted", func() bool { return s.Stats().TLSErrors == 1 })
	waitFor(t, "the TLS failure logged", func() bool { return strings.Contains(logs.String(), "TLS handshake failed") })
	if got := logs.String(); !strings.Contains(got, "the client sent no certificate and this input requires one (tls.client_ca_file): give the sending agent forward.tls.cert_file and key_file") {
		t.Errorf("logged:\n%s\nwant the refusal with what to give the client", got)
	}
	cert, err := tls.LoadX509KeyPair(certs.ClientCert, certs.ClientKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := tls.Dial("tcp", s.Addr().String(), &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := &relpClient{t: t, c: c, br: bufio.NewReader(c)}
	r.open()
	r.send(2, "syslog", "<13>1 - - - - - - over mutual TLS")
	if f, err := r.read(); err != nil || string(f.Data) != "200 OK" {
		t.Fatalf("answer %q, %v", f.Data, err)
	}
}

func TestConfigCheck(t *testing.T) {
	for _, tt := range []struct {
		cfg  Config
		want string // in the error; "" for none
	}{
		{Config{Listen: "relp://0.0.0.0:2514"}, ""},
		{Config{Listen: "udp://0.0.0.0:514"}, `unknown scheme "udp"`},
		{Config{Listen: "tcp://host"}, "a port is required"},
		{Config{Listen: "relp://127.0.0.1:2514:9"}, `"127.0.0.1:2514:9" is not host:port (too many colons in address): write one host and one port, e.g. relp://127.0.0.1:2514`},
		{Config{Listen: "tcp://::1:514"}, "an IPv6 address goes in brackets, e.g. tcp://[::1]:514"},
		{Config{Listen: "tcp://[::1]:514"}, ""},
		{Config{Listen: "tls://:6514"}, "needs tls.cert_file and tls.key_file"},
		{Config{Listen: "tcp://:514", TLS: TLSFiles{CertFile: "c"}}, "not a TLS listener"},
		{Config{Listen: "tcp://:514", Other: "keep"}, "want forward or drop"},
		{Config{Listen: "tcp://:514", MaxConnections: -1}, "max_connections"},
	} {
		err := tt.cfg.Check()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("Check(%+v) = %v, want %q", tt.cfg, err, tt.want)
		}
	}
}

// TestIdleClose: an established session (a TCP connection, a RELP session
// after open) that sends nothing for idle_timeout is closed and counted as
// an idle close, not a timeout error; a RELP open never completed is a
// timeout error.
func TestIdleClose(t *testing.T) {
	for _, c := range []struct {
		listen string
		start  func(t *testing.T, addr string) net.Conn
		idle   uint64
		errs   uint64
	}{
		{"tcp://127.0.0.1:0", func(t *testing.T, addr string) net.Conn {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			fmt.Fprint(c, "5 <13>1")
			return c
		}, 1, 0},
		{"relp://127.0.0.1:0", func(t *testing.T, addr string) net.Conn {
			r := dialRELP(t, addr)
			r.open()
			return r.c
		}, 1, 0},
		{"relp://127.0.0.1:0", func(t *testing.T, addr string) net.Conn {
			r := dialRELP(t, addr)
			r.c.Write([]byte("1 op")) // never completes the open
			return r.c
		}, 0, 1},
	} {
		s := startServer(t, Config{Listen: c.listen, IdleTimeout: 200 * time.Millisecond})
		conn := c.start(t, s.Addr().String())
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.Copy(io.Discard, conn); err != nil {
			t.Fatalf("%s: connection not closed by the server: %v", c.listen, err)
		}
		waitFor(t, "the close counted", func() bool { st := s.Stats(); return st.IdleClosed+st.Timeouts > 0 })
		if st := s.Stats(); st.IdleClosed != c.idle || st.Timeouts != c.errs {
			t.Errorf("%s: idle closes %d, timeout errors %d; want %d, %d", c.listen, st.IdleClosed, st.Timeouts, c.idle, c.errs)
		}
	}
}

// TestConfigCheckKeys: each problem of an inputs entry names its key, the
// port is within 0 to 65535 and max_message_bytes at least 2048 octets.
func TestConfigCheckKeys(t *testing.T) {
	for _, c := range []struct {
		cfg Config
		key string // "": valid
	}{
		{Config{Listen: "relp://127.0.0.1:2514"}, ""},
		{Config{Listen: "relp://127.0.0.1:65535", MaxMessageBytes: MinMaxMessageBytes}, ""},
		{Config{Listen: "relp://127.0.0.1:65536"}, "listen"},
		{Config{Listen: "relp://127.0.0.1:-1"}, "listen"},
		{Config{Listen: "relp://127.0.0.1:syslog"}, "listen"},
		{Config{Listen: "tcp://:2514", MaxMessageBytes: MinMaxMessageBytes - 1}, "max_message_bytes"},
		{Config{Listen: "tcp://:2514", MaxMessageBytes: -1}, "max_message_bytes"},
		{Config{Listen: "tcp://:2514", Other: "keep"}, "other"},
		{Config{Listen: "tls://:2514"}, "tls.cert_file"},
		// A half pair is placed at the key that is set (trial 34, F6).
		{Config{Listen: "tls://:2514", TLS: TLSFiles{KeyFile: "k"}}, "tls.key_file"},
		{Config{Listen: "tls://:2514", TLS: TLSFiles{CertFile: "c"}}, "tls.cert_file"},
		{Config{Listen: "tcp://:2514", IdleTimeout: -1}, "idle_timeout"},
	} {
		err := c.cfg.Check()
		var ke *KeyError
		switch {
		case c.key == "" && err != nil:
			t.Errorf("%+v: %v, want valid", c.cfg, err)
		case c.key != "" && (!errors.As(err, &ke) || ke.Key != c.key):
			t.Errorf("%+v: %v, want an error about %s", c.cfg, err, c.key)
		}
	}
}

// TestConfigCheckBadListenHidesNone: a listen that does not parse is
// reported with every other problem of the entry, each at its key
// (fresh-user trial 84: only the port, the rest after it was fixed). The
// tls keys are checked against a scheme that is known despite a bad host
// or port, and not at all when the scheme is not one of the four: that
// would be a follow-on error.
func TestConfigCheckBadListenHidesNone(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
		keys []string
	}{
		{"port out of range", Config{Listen: "tcp://127.0.0.1:99999", MaxMessageBytes: 1024, MaxConnections: -3, IdleTimeout: -5 * time.Second, Other: "keep"},
			[]string{"listen", "max_message_bytes", "max_connections", "idle_timeout", "other"}},
		{"no port", Config{Listen: "relp://127.0.0.1", MaxMessageBytes: -1}, []string{"listen", "max_message_bytes"}},
		{"TLS scheme, bad port, no tls files", Config{Listen: "tls://127.0.0.1:99999", MaxConnections: -1}, []string{"listen", "tls.cert_file", "max_connections"}},
		{"TLS scheme in capitals, half a pair", Config{Listen: "RELP+TLS://127.0.0.1:65536", TLS: TLSFiles{KeyFile: "k"}}, []string{"listen", "tls.key_file"}},
		{"plain scheme, bad port, tls files", Config{Listen: "tcp://:70000", TLS: TLSFiles{CertFile: "c", KeyFile: "k"}, IdleTimeout: -1}, []string{"listen", "tls", "idle_timeout"}},
		{"unknown scheme: tls keys unchecked", Config{Listen: "udp://127.0.0.1:514", TLS: TLSFiles{CertFile: "c"}, MaxConnections: -1}, []string{"listen", "max_connections"}},
		{"no scheme: tls keys unchecked", Config{Listen: "127.0.0.1:2514", Other: "keep"}, []string{"listen", "other"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.cfg.Check()
			errs := []error{err}
			if j, ok := err.(interface{ Unwrap() []error }); ok { // several (errors.Join)
				errs = j.Unwrap()
			}
			var keys []string
			for _, err := range errs {
				var ke *KeyError
				if !errors.As(err, &ke) {
					t.Fatalf("%v is not a *KeyError", err)
				}
				keys = append(keys, ke.Key)
			}
			if !slices.Equal(keys, c.keys) {
				t.Errorf("errors about %q, want %q", keys, c.keys)
			}
		})
	}
}

// TestPlainExposed: a plain listener on all interfaces or a
// non-loopback address is exposed; loopback and TLS ones are not.
func TestPlainExposed(t *testing.T) {
	for listen, want := range map[string]bool{
		"tcp://0.0.0.0:2514": true, "relp://:2514": true, "tcp://10.0.0.1:2514": true, "tcp://[::]:2514": true,
		"tcp://aggregator.example:2514": true, "tcp://127.0.0.1:2514": false, "relp://[::1]:2514": false,
		"tcp://localhost:2514": false, "tls://0.0.0.0:2514": false, "relp+tls://:2514": false,
	} {
		sc, err := ParseListen(listen)
		if err != nil {
			t.Fatal(err)
		}
		if got := sc.PlainExposed(); got != want {
			t.Errorf("%s: PlainExposed = %v, want %v", listen, got, want)
		}
	}
}

// TestOpenSpool: a Server made by OpenSpool (run --once) opens its spool,
// creating it, and nothing else: no socket (Addr is nil, its port stays
// free), no plain-listener warning even for 0.0.0.0, no TLS files (the
// missing ones named here are not read), and Run returns nil once its
// context ends.
func TestOpenSpool(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	defer l.Close() // held: Listen would fail on it
	var logs strings.Builder
	for _, listen := range []string{fmt.Sprintf("tcp://127.0.0.1:%d", port), "tcp://0.0.0.0:2514"} {
		cfg := Config{Listen: listen, SpoolDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(&logs, nil))}
		s, err := OpenSpool(cfg)
		if err != nil {
			t.Fatalf("%s: %v", listen, err)
		}
		if s.Addr() != nil {
			t.Errorf("%s: Addr = %v, want nil", listen, s.Addr())
		}
		if _, err := os.Stat(s.SpoolPath()); err != nil {
			t.Errorf("%s: spool: %v", listen, err)
		}
		s.WarnPlain(nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := s.Run(ctx); err != nil {
			t.Errorf("%s: Run: %v", listen, err)
		}
	}
	tlsCfg := Config{Listen: "tls://127.0.0.1:2514", SpoolDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		TLS: TLSFiles{CertFile: "/nonexistent/cert.pem", KeyFile: "/nonexistent/key.pem"}}
	if _, err := OpenSpool(tlsCfg); err != nil {
		t.Errorf("tls: %v", err)
	}
	if logs.Len() > 0 {
		t.Errorf("logged:\n%s", logs.String())
	}
}
