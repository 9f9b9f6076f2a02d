//go:build linux

package forwarder

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/testcert"
)

// wrongPortPeer accepts TCP connections (TLS ones with tc) and, on each,
// reads the first bytes that arrive and what follows for a moment, writes
// answer (a protocol's first bytes; none for nil) and closes with an RST,
// as a TLS or RELP input does when a syslog batch reaches it. It counts
// the connections.
func wrongPortPeer(t *testing.T, tc *tls.Config, answer []byte) (addr string, conns *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns = new(atomic.Int32)
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			raw, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			var c net.Conn = raw
			if tc != nil {
				c = tls.Server(raw, tc)
			}
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Read(make([]byte, 1)); err == nil {
				_ = c.SetReadDeadline(time.Now().Add(2 * time.Millisecond))
				_, _ = io.Copy(io.Discard, c)
				if answer != nil {
					_ = c.SetWriteDeadline(time.Now().Add(time.Second))
					_, _ = c.Write(answer)
				}
			}
			_ = raw.(*net.TCPConn).SetLinger(0)
			_ = raw.Close()
		}
	}()
	return ln.Addr().String(), conns
}

// TestYoungConnectionHeld: a plain tcp:// batch that a port of another
// protocol read (its TCP acknowledged it) and threw away is never acked:
// each connection is a failed attempt, the batch is written again on the
// next, and the error says which scheme the port wants. Before, the batch
// was acked on its TCP acknowledgement and lost.
func TestYoungConnectionHeld(t *testing.T) {
	certs, err := testcert.WriteTestCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair(certs.ServerCert, certs.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	server := &tls.Config{Certificates: []tls.Certificate{cert}}
	for _, tc := range []struct {
		name   string
		tls    bool // a tls:// URL to a TLS port
		answer []byte
		want   string
	}{
		{"tls alert", false, []byte{21, 3, 3, 0, 2, 2, 10}, "use a tls:// URL"},
		{"relp serverclose", false, []byte("0 serverclose 0\n"), "use a relp:// URL"},
		{"silent reset", false, nil, "right after reading the first batch (was it stopped or restarted? does the port expect TLS, tls://, or RELP, relp://? or does the collector, or a proxy before it, close a connection after some number of messages?"},
		{"other data", false, []byte("HTTP/1.1 400 Bad Request\r\n"), `sent data ("HTTP/1.`},
		{"relp over tls", true, []byte("0 serverclose 0\n"), "use a relp+tls:// URL"},
		{"tls silent reset", true, nil, "closed the TLS connection right after reading the first batch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{URL: "tcp://", Encoder: &Encoder{}, MaxAttempts: 3, MinBackoff: time.Millisecond}
			var stc *tls.Config
			if tc.tls {
				cfg.URL, cfg.TLS, stc = "tls://", TLSConfig{CAFile: certs.CAFile}, server
			}
			addr, conns := wrongPortPeer(t, stc, tc.answer)
			cfg.URL += addr
			f := connected(t, cfg)
			err := sendOneAck(t, f, "to the wrong port", 10*time.Second)
			if err == nil {
				t.Fatal("the batch was acked")
			}
			if !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q: want ErrProtocol and %q", err, tc.want)
			}
			_ = f.Close(context.Background())
			if n := conns.Load(); n != 3 {
				t.Errorf("%d connections, want 3 (MaxAttempts): each was a failed attempt", n)
			}
			if st := f.Stats(); st.Messages != 0 || st.Dropped != 1 {
				t.Errorf("stats %+v: want 0 delivered, 1 dropped", st)
			}
		})
	}
}

// TestYoungConnectionProven: on a receiver that reads and keeps the
// connection open, the first batch is acked once the connection is
// proven, and a later one as soon as its TCP acknowledgement is read.
func TestYoungConnectionProven(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = io.Copy(io.Discard, c)
	}()
	f := connected(t, Config{URL: "tcp://" + ln.Addr().String(), Encoder: &Encoder{}, MaxAttempts: 1})
	for i := range 2 {
		if err := sendOneAck(t, f, "kept", 10*time.Second); err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
	}
	if err := f.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := f.Stats(); st.Messages != 2 || st.Reconnects != 0 {
		t.Errorf("stats %+v: want 2 delivered, no reconnect", st)
	}
}

// TestYoungConnectionHeldBatch: the messages of a batch that a port of
// another protocol read and threw away are not counted delivered, however
// many of them its TCP acknowledged whole: the skip of acknowledged
// messages after a failed connection (writer.skipAcked) applies only to a
// proven one.
func TestYoungConnectionHeldBatch(t *testing.T) {
	addr, conns := wrongPortPeer(t, nil, nil)
	e := &Encoder{}
	f := connected(t, Config{URL: "tcp://" + addr, Encoder: e, MaxAttempts: 3, MinBackoff: time.Millisecond})
	const n = 2500 // about 500 kB: the socket takes it all, the peer's TCP acknowledges a part before the reset
	var b Batch
	for _, m := range testMessages(n) {
		b.Append(e, &m)
	}
	if err := sendAck(t, f, &b, 10*time.Second); err == nil {
		t.Fatal("the batch was acked")
	}
	_ = f.Close(context.Background())
	if st := f.Stats(); st.Messages != 0 || st.Dropped != n || conns.Load() != 3 {
		t.Errorf("stats %+v after %d connections: want 0 delivered, %d dropped, after 3", st, conns.Load(), n)
	}
}
