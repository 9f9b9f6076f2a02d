package forwarder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/influxdata/go-syslog/v3/rfc5424"

	"github.com/gitlab-syslog/gitlab-syslog/internal/collect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/testcert"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// sink collects what a collect.Server receives.
type sink struct {
	mu   sync.Mutex
	msgs []*collect.Message
	n    atomic.Int64
}

func (s *sink) handle(m *collect.Message) {
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
	s.n.Add(1)
}

func (s *sink) all() []*collect.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*collect.Message(nil), s.msgs...)
}

// waitFor polls until the sink holds n messages or the deadline passes,
// and returns what it holds.
func (s *sink) waitFor(t *testing.T, n int, d time.Duration) []*collect.Message {
	t.Helper()
	deadline := time.Now().Add(d)
	for s.n.Load() < int64(n) {
		if time.Now().After(deadline) {
			t.Fatalf("received %d messages, want %d", s.n.Load(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return s.all()
}

// startCollector listens on url and serves until the test ends.
func startCollector(t *testing.T, cfg collect.Config) (*collect.Server, *sink) {
	t.Helper()
	srv, err := collect.Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ctx, s.handle); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return srv, s
}

// testMessages builds n messages with hostile SD values.
func testMessages(n int) []Message {
	ms := make([]Message, n)
	for i := range ms {
		ms[i] = Message{
			Facility: Local7, Severity: Informational, Time: t0.Add(time.Duration(i) * time.Second),
			Hostname: "gitlab01.example.com", AppName: AppNameAudit, MsgID: "audit",
			Params: []parser.Field{
				{Name: "Seq", Value: fmt.Appendf(nil, "%d", i)},
				{Name: "TargetDetails", Value: []byte("quote\" bracket] back\\slash ünï 😀")},
			},
			Msg: fmt.Appendf(nil, `{"seq":%d,"author_name":"Jane \"JJ\" Doe"}`, i),
		}
	}
	return ms
}

// sendAll sends ms in batches of size per and waits for every ack.
func sendAll(t *testing.T, f *Forwarder, e *Encoder, ms []Message, per int) {
	t.Helper()
	var wg sync.WaitGroup
	for i := 0; i < len(ms); i += per {
		b := new(Batch)
		for j := i; j < min(i+per, len(ms)); j++ {
			b.Append(e, &ms[j])
		}
		wg.Add(1)
		if err := f.Send(context.Background(), b, func(err error) {
			if err != nil {
				t.Errorf("ack: %v", err)
			}
			wg.Done()
		}); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
}

// sendAndClose is sendAll followed by Close, which must succeed.
func sendAndClose(t *testing.T, f *Forwarder, e *Encoder, ms []Message, per int) {
	t.Helper()
	sendAll(t, f, e, ms, per)
	if err := f.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestTransports(t *testing.T) {
	dir := t.TempDir()
	certs, err := testcert.WriteTestCerts(dir)
	if err != nil {
		t.Fatal(err)
	}
	serverTLS, err := collect.ServerTLS(certs.ServerCert, certs.ServerKey, certs.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		listen string
		query  string
		tls    bool
		maxMsg int // MaxMessageBytes once connected
	}{
		{"tcp octet counting", "tcp://127.0.0.1:0", "", false, DefaultMaxStreamMessage},
		{"tcp lf framing", "tcp://127.0.0.1:0", "?framing=lf", false, DefaultMaxStreamMessage},
		{"tls mutual", "tls://127.0.0.1:0", "", true, DefaultMaxStreamMessage},
		{"udp", "udp://127.0.0.1:0", "", false, DefaultMaxDatagram},
		{"unix datagram", "unix://" + filepath.Join(dir, "dgram.sock"), "", false, DefaultMaxDatagram},
		{"unix stream detected", "unix://" + filepath.Join(dir, "stream.sock") + "?type=stream", "", false, DefaultMaxStreamMessage},
		{"tcp ipv6", "tcp://[::1]:0", "", false, DefaultMaxStreamMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := collect.Config{URL: tt.listen}
			if tt.tls {
				cfg.TLS = serverTLS
			}
			srv, s := startCollector(t, cfg)
			u := srv.URL()
			if strings.HasPrefix(u, "unix://") {
				u = strings.TrimSuffix(u, "?type=stream") // the forwarder must detect the socket type
			}
			u += tt.query
			e := &Encoder{}
			fc := Config{URL: u, Encoder: e}
			if tt.tls {
				fc.TLS = TLSConfig{CAFile: certs.CAFile, CertFile: certs.ClientCert, KeyFile: certs.ClientKey}
			}
			f, err := New(fc)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Connect(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := f.MaxMessageBytes(); got != tt.maxMsg {
				t.Errorf("MaxMessageBytes = %d, want %d", got, tt.maxMsg)
			}
			n := 300
			if strings.HasPrefix(u, "udp") {
				n = 50 // UDP may drop what overflows the receive buffer
			}
			ms := testMessages(n)
			sendAndClose(t, f, e, ms, 64)
			got := s.waitFor(t, len(ms), 10*time.Second)
			if len(got) != len(ms) {
				t.Fatalf("got %d messages, want %d", len(got), len(ms))
			}
			for i, g := range got {
				if g.Err != nil || g.Format != "rfc5424" {
					t.Fatalf("message %d: %s %v (%q)", i, g.Format, g.Err, g.Raw)
				}
				want := ms[i] // stream and loopback datagram transports keep the order
				if g.Message != string(want.Msg) || g.AppName != AppNameAudit || g.Facility != int(Local7) ||
					g.Severity != int(Informational) || !g.Timestamp.Equal(want.Time.Truncate(time.Microsecond)) || g.Hostname != want.Hostname {
					t.Fatalf("message %d = %+v, want %+v", i, g, want)
				}
				sd := g.StructuredData[DefaultSDID]
				if sd["Seq"] != string(want.Params[0].Value) || sd["TargetDetails"] != string(want.Params[1].Value) {
					t.Fatalf("message %d SD = %v", i, g.StructuredData)
				}
			}
			st := f.Stats()
			if st.Messages != uint64(len(ms)) || st.Batches != uint64((n+63)/64) || st.Dropped != 0 || st.Bytes == 0 {
				t.Errorf("stats = %+v", st)
			}
		})
	}
}

// TestBadInputKeepsFraming sends records whose values hold newlines, NULs,
// ']' and 1 MiB of data, and checks frame by frame that the receiver sees
// exactly the messages sent, over octet counting and LF framing (which
// turns their LF and CR bytes into spaces).
func TestBadInputKeepsFraming(t *testing.T) {
	big := bytes.Repeat([]byte("a]\"\\\n\x00é"), (1<<20)/9)
	values := [][]byte{
		[]byte("line1\nline2\r\nline3"), []byte("nul\x00nul"), []byte("]]]"), []byte(`\"]`),
		big, []byte("\xff\xfe invalid"), []byte("12 <190>1 fake frame\n5 <1>1 -"),
	}
	var ms []Message
	for i, v := range values {
		for j := range 3 {
			ms = append(ms, Message{Facility: Local7, Severity: Warning, AppName: AppNameApplication,
				Params: []parser.Field{{Name: "v", Value: v}, {Name: "i", Value: fmt.Appendf(nil, "%d.%d", i, j)}},
				Msg:    append([]byte("msg with\nnewline "), v...)})
		}
	}
	for _, framing := range []string{"", "?framing=lf", "?framing=LF"} { // any case, as the config's enumerations
		t.Run("framing="+framing, func(t *testing.T) {
			srv, s := startCollector(t, collect.Config{URL: "tcp://127.0.0.1:0", Raw: true})
			e := &Encoder{}
			f, err := New(Config{URL: srv.URL() + framing, Encoder: e})
			if err != nil {
				t.Fatal(err)
			}
			sendAndClose(t, f, e, ms, 5)
			got := s.waitFor(t, len(ms), 20*time.Second)
			if len(got) != len(ms) {
				t.Fatalf("got %d frames, want %d", len(got), len(ms))
			}
			for i, g := range got {
				want := e.Append(nil, &ms[i])
				if framing != "" {
					want = oneLine(want)
				}
				if !bytes.Equal(g.Raw, want) {
					t.Fatalf("frame %d differs: got %d bytes %q..., want %d bytes %q...", i, len(g.Raw), trunc(g.Raw), len(want), trunc(want))
				}
			}
			st := f.Stats()
			if framing != "" && st.Escaped != uint64(len(ms)) {
				t.Errorf("Escaped = %d, want %d", st.Escaped, len(ms))
			}
			if framing == "" && st.Escaped != 0 {
				t.Errorf("Escaped = %d with octet counting", st.Escaped)
			}
		})
	}
}

func TestUDPTruncation(t *testing.T) {
	srv, s := startCollector(t, collect.Config{URL: "udp://127.0.0.1:0"})
	e := &Encoder{}
	f, err := New(Config{URL: srv.URL(), MaxDatagram: 600, Encoder: e})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("é", 1000) // 2000 bytes: cut must not split a character
	ms := []Message{
		{Facility: Local7, Severity: Informational, AppName: "a", Params: []parser.Field{{Name: "k", Value: []byte("v")}}, Msg: []byte(long)},
		{Facility: Local7, Severity: Informational, AppName: "b", Params: []parser.Field{{Name: "k", Value: []byte(long)}}, Msg: []byte("x" + long)},
		{Facility: Local7, Severity: Informational, AppName: "c", Msg: []byte("short")},
	}
	sendAndClose(t, f, e, ms, 3)
	got := s.waitFor(t, 3, 5*time.Second)
	for i, g := range got {
		if len(g.Raw) > 600 || g.Err != nil {
			t.Fatalf("datagram %d: %d bytes, err %v", i, len(g.Raw), g.Err)
		}
	}
	if !strings.HasPrefix(long, got[0].Message) || len(got[0].Message) < 500 || got[0].StructuredData[DefaultSDID]["k"] != "v" {
		t.Errorf("first datagram: SD %v, MSG %d bytes", got[0].StructuredData, len(got[0].Message))
	}
	if got[1].StructuredData != nil || !strings.HasPrefix("x"+long, got[1].Message) || len(got[1].Message) < 500 {
		t.Errorf("second datagram: SD %v (want dropped), MSG %d bytes", got[1].StructuredData, len(got[1].Message))
	}
	if got[2].Message != "short" {
		t.Errorf("third datagram: %q", got[2].Raw)
	}
	if st := f.Stats(); st.Truncated != 2 || st.Messages != 3 {
		t.Errorf("stats = %+v", st)
	}
}

// TestReconnectResends restarts the collector in the middle of a stream:
// every message must arrive at least once, and each ack must be nil.
func TestReconnectResends(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var s1 sink
	serve := func(s *sink) (stop func()) {
		srv, err := collect.Listen(collect.Config{URL: "tcp://" + addr})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = srv.Serve(ctx, s.handle) }()
		return func() { cancel(); <-done }
	}
	stop1 := serve(&s1)
	e := &Encoder{}
	f, err := New(Config{URL: "tcp://" + addr, Encoder: e, MinBackoff: time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		FlushInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ms := testMessages(2000)
	sendAll(t, f, e, ms[:1000], 100)
	s1.waitFor(t, 1000, 10*time.Second)
	stop1()
	var s2 sink
	stop2 := serve(&s2)
	defer stop2()
	// The first writes after the restart may still succeed into the dead
	// connection's buffer; keep sending until the forwarder notices.
	sendAndClose(t, f, e, ms[1000:], 100)
	st := f.Stats()
	s2.waitFor(t, 1000, 10*time.Second)
	seen := map[string]bool{}
	for _, m := range append(s1.all(), s2.all()...) {
		seen[m.Message] = true
	}
	lost := 0
	for i := range ms {
		if !seen[string(ms[i].Msg)] {
			lost++
		}
	}
	// Plain TCP has no application acknowledgement: what the kernel
	// accepted before the peer's reset was noticed can vanish (RFC 6587
	// §3.4; Gerhards 2008). The forwarder bounds it by resending its
	// unacknowledged batches; the only window left is the socket buffer of
	// the first write into the dead connection, which this test sees as
	// Resent.
	if st.Reconnects < 1 {
		t.Errorf("no reconnect counted: %+v", st)
	}
	if lost > 0 {
		t.Errorf("%d messages lost, resent %d: %+v", lost, st.Resent, st)
	}
	t.Logf("lost %d, stats %+v", lost, st)
}

func TestConnectFailsFast(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "tcp://" + ln.Addr().String()
	ln.Close()
	f, err := New(Config{URL: u, MaxAttempts: 2, MinBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	err = f.Connect(context.Background())
	if !errors.Is(err, syscall.ECONNREFUSED) || !strings.Contains(err.Error(), u) {
		t.Fatalf("Connect = %v, want connection refused naming %s", err, u)
	}
	var b Batch
	b.Append(&Encoder{}, &Message{Msg: []byte("x")})
	// The forwarder gives up after MaxAttempts; Send then fails.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if err := f.Send(context.Background(), &b, nil); err != nil {
			if !strings.Contains(err.Error(), "giving up") {
				t.Fatalf("Send = %v", err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("forwarder never gave up")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := f.Close(context.Background()); err == nil || !strings.Contains(err.Error(), "giving up") {
		t.Errorf("Close = %v", err)
	}
	if st := f.Stats(); st.Dropped == 0 || st.Messages != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestBackpressureAndDrop(t *testing.T) {
	u := syslogtest.Stalled(t)
	f, err := New(Config{URL: u, QueueSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	var acked, nacked atomic.Int64
	e := &Encoder{}
	m := Message{Msg: bytes.Repeat([]byte("x"), 1<<20)}
	sent := 0
	for {
		b := new(Batch)
		for range 4 {
			b.Append(e, &m)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := f.Send(ctx, b, func(err error) {
			if err != nil {
				nacked.Add(1)
			} else {
				acked.Add(1)
			}
		})
		cancel()
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Send = %v", err)
			}
			break
		}
		sent++
		if sent > 200 {
			t.Fatal("Send never blocked on a stalled destination")
		}
	}
	if st := f.Stats(); st.Dropped != 4 {
		t.Errorf("Dropped = %d after one timed-out Send, want 4", st.Dropped)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	// The agent reads what was not sent again from its checkpoints, and
	// logs so: the error says "not sent", not "dropped".
	if err := f.Close(ctx); !errors.Is(err, context.DeadlineExceeded) ||
		!strings.HasSuffix(err.Error(), ": the messages still queued were not sent") || strings.Contains(err.Error(), "dropped") {
		t.Errorf("Close = %v, want deadline exceeded: the messages still queued were not sent", err)
	}
	if got := acked.Load() + nacked.Load(); got != int64(sent) {
		t.Errorf("%d acks for %d accepted batches", got, sent)
	}
	if nacked.Load() == 0 {
		t.Error("no batch was failed by the expired Close")
	}
	if err := f.Send(context.Background(), &Batch{spans: []span{{}}}, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Send after Close = %v", err)
	}
}

func TestFlushInterval(t *testing.T) {
	srv, s := startCollector(t, collect.Config{URL: "tcp://127.0.0.1:0"})
	f, err := New(Config{URL: srv.URL(), FlushInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close(context.Background())
	var b Batch
	b.Append(&Encoder{}, &Message{Msg: []byte("one")})
	acked := make(chan error, 1)
	if err := f.Send(context.Background(), &b, func(err error) { acked <- err }); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-acked:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a small batch was not flushed by the flush interval")
	}
	s.waitFor(t, 1, 5*time.Second)
}

// TestCoalesce checks when the writer writes with a long FlushInterval: not
// while less than BufferSize bytes are pending, at once when BufferSize is
// reached (the batches held so far go out together), and on Close.
func TestCoalesce(t *testing.T) {
	srv, s := startCollector(t, collect.Config{URL: "tcp://127.0.0.1:0"})
	f, err := New(Config{URL: srv.URL(), FlushInterval: time.Hour, BufferSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	acked := make(chan int, 3)
	send := func(id, size int) {
		var b Batch
		b.Append(&Encoder{}, &Message{Msg: bytes.Repeat([]byte("x"), size)})
		if err := f.Send(context.Background(), &b, func(err error) {
			if err != nil {
				t.Error(err)
			}
			acked <- id
		}); err != nil {
			t.Fatal(err)
		}
	}
	send(1, 100)
	select {
	case id := <-acked:
		t.Fatalf("batch %d acked while 100 bytes of a 4096-byte buffer were pending and the interval is an hour", id)
	case <-time.After(50 * time.Millisecond):
	}
	send(2, 5000) // over BufferSize: both are written, in order
	for want := 1; want <= 2; want++ {
		select {
		case id := <-acked:
			if id != want {
				t.Fatalf("ack of batch %d, want %d", id, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a full buffer was not written")
		}
	}
	s.waitFor(t, 2, 5*time.Second)
	send(3, 10)
	if err := f.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if id := <-acked; id != 3 {
		t.Fatalf("ack of batch %d, want 3", id)
	}
	s.waitFor(t, 3, 5*time.Second)
}

// TestNoLinger checks the default: a batch is written as soon as nothing
// else is queued, so a sender that waits for each ack is never held up.
func TestNoLinger(t *testing.T) {
	srv, s := startCollector(t, collect.Config{URL: "tcp://127.0.0.1:0"})
	f, err := New(Config{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close(context.Background())
	// 200 round trips take well under a second; waiting 100 ms for a timer
	// each (the writer's old behaviour) would take 20 s.
	start := time.Now()
	deadline := time.After(10 * time.Second)
	var b Batch
	for i := range 200 {
		b.Reset()
		b.Append(&Encoder{}, &Message{Msg: []byte("m")})
		acked := make(chan error, 1)
		if err := f.Send(context.Background(), &b, func(err error) { acked <- err }); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-acked:
			if err != nil {
				t.Fatal(err)
			}
		case <-deadline:
			t.Fatalf("only %d round trips in %v: batches wait before they are written", i, time.Since(start))
		}
	}
	s.waitFor(t, 200, 5*time.Second)
}

func TestConfigErrors(t *testing.T) {
	for _, u := range []string{"", "http://x", "tcp://", "tcp://h?framing=x", "unix://", "unix:///x?type=y", "tls://h:1",
		"tcp://h:514?frameing=lf", "udp://h:514?framing=lf", "relp://h:2514?framing=lf", "tcp://h:514?type=stream", "unixgram:///x?type=stream"} {
		c := Config{URL: u}
		if u == "tls://h:1" {
			c.TLS.CAFile = "/nonexistent/ca.pem"
		}
		if _, err := New(c); err == nil {
			t.Errorf("New(%q) succeeded", u)
		}
	}
}

// logRecorder is a slog.Handler that keeps records for inspection.
type logRecorder struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, r.Clone())
	return nil
}
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecorder) WithGroup(string) slog.Handler      { return l }

func (l *logRecorder) snapshot() []slog.Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]slog.Record(nil), l.recs...)
}

// TestReconnectBackoffLogged checks that a daemon-style Forwarder keeps
// retrying an unreachable destination, logs every attempt at warn with the
// cause and the next delay, reports the cause in LastError, and delivers
// once the receiver appears, which clears LastError.
func TestReconnectBackoffLogged(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	rec := &logRecorder{}
	e := &Encoder{}
	f, err := New(Config{URL: "tcp://" + addr, Encoder: e, Logger: slog.New(rec),
		MinBackoff: time.Millisecond, MaxBackoff: 8 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// No check of LastError before Connect: New starts the first attempt
	// at once, so it may have failed already.
	if err := f.Connect(context.Background()); err == nil {
		t.Fatal("Connect to a closed port succeeded")
	}
	ms := testMessages(10)
	acked := make(chan error, 1)
	var b Batch
	for i := range ms {
		b.Append(e, &ms[i])
	}
	if err := f.Send(context.Background(), &b, func(err error) { acked <- err }); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(rec.snapshot()) < 5 {
		if time.Now().After(deadline) {
			t.Fatal("fewer than 5 reconnect attempts logged")
		}
		time.Sleep(2 * time.Millisecond)
	}
	for i, r := range rec.snapshot()[:5] {
		attrs := map[string]string{}
		r.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value.String(); return true })
		if r.Level != slog.LevelWarn || !strings.Contains(attrs["error"], "connection refused") ||
			attrs["retry_in"] == "" || attrs["attempt"] != fmt.Sprint(i+1) || attrs["destination"] != "tcp://"+addr {
			t.Errorf("log record %d: %s %s %v", i, r.Level, r.Message, attrs)
		}
	}
	if err := f.LastError(); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("LastError while unreachable = %v, want the refused connection", err)
	}
	// The receiver appears: the queued batch is delivered.
	srv, s := startCollector(t, collect.Config{URL: "tcp://" + addr})
	_ = srv
	select {
	case err := <-acked:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("batch not delivered after the receiver appeared")
	}
	s.waitFor(t, len(ms), 5*time.Second)
	if err := f.LastError(); err != nil {
		t.Errorf("LastError after delivery = %v, want nil", err)
	}
	if err := f.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The first connection, after failed attempts, re-established none
	// (fresh-user trial 283: counted 1 for a collector never lost).
	if st := f.Stats(); st.Reconnects != 0 || st.Messages != uint64(len(ms)) || st.Dropped != 0 {
		t.Errorf("stats = %+v, want 0 reconnects", st)
	}
}

// TestDatagramCut checks the truncation rules without a network.
func TestDatagramCut(t *testing.T) {
	long := strings.Repeat("é", 400)
	tests := []struct {
		name  string
		enc   Encoder
		m     Message
		limit int
		want  func(e *Encoder, m *Message) string
	}{
		{"fits", Encoder{}, Message{AppName: "a", Msg: []byte("short")}, 100,
			func(e *Encoder, m *Message) string { return string(e.Append(nil, m)) }},
		{"msg cut on a rune boundary", Encoder{}, Message{AppName: "a", Msg: []byte(long)}, 101,
			func(e *Encoder, m *Message) string { return "<0>1 - - a - - - " + strings.Repeat("é", (101-17)/2) }},
		{"sd dropped", Encoder{}, Message{AppName: "a", Params: []parser.Field{{Name: "k", Value: []byte(long)}}, Msg: []byte("xyz")}, 100,
			func(e *Encoder, m *Message) string { return "<0>1 - - a - - - xyz" }},
		{"sd dropped so that msg goes whole", Encoder{}, Message{AppName: "a", Params: []parser.Field{{Name: "k", Value: []byte(strings.Repeat("v", 30))}}, Msg: []byte(strings.Repeat("m", 60))}, 100,
			func(e *Encoder, m *Message) string { return "<0>1 - - a - - - " + strings.Repeat("m", 60) }},
		{"msg cut, sd kept, when msg cannot go whole", Encoder{}, Message{AppName: "a", Params: []parser.Field{{Name: "k", Value: []byte("v")}}, Msg: []byte(strings.Repeat("m", 200))}, 100,
			func(e *Encoder, m *Message) string { return string(e.Append(nil, m))[:100] }},
		{"rfc3164 header over limit", Encoder{Format: RFC3164}, Message{Time: t0, Hostname: strings.Repeat("h", 200), AppName: "a", Msg: []byte("m")}, 50,
			func(e *Encoder, m *Message) string { return string(e.Append(nil, m))[:50] }},
	}
	for i := range tests {
		tt := &tests[i]
		t.Run(tt.name, func(t *testing.T) {
			f := &Forwarder{cfg: Config{MaxDatagram: tt.limit}}
			w := &writer{f: f}
			var b Batch
			b.Append(&tt.enc, &tt.m)
			got := string(w.datagram(&b, b.spans[0]))
			if want := tt.want(&tt.enc, &tt.m); got != want {
				t.Errorf("got  %q\nwant %q", got, want)
			}
			if len(got) > tt.limit {
				t.Errorf("%d bytes over the %d limit", len(got), tt.limit)
			}
		})
	}
}

// TestDatagramCutRandom cuts random hostile messages at random limits: no
// panic, never over the limit, and the header survives whenever it fits.
func TestDatagramCutRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	p := rfc5424.NewParser(rfc5424.WithBestEffort())
	var e Encoder
	for i := range 3000 {
		m := randMessage(r)
		limit := 16 + r.IntN(3000)
		w := &writer{f: &Forwarder{cfg: Config{MaxDatagram: limit}}}
		var b Batch
		b.Append(&e, &m)
		s := b.spans[0]
		d := w.datagram(&b, s)
		if len(d) > limit {
			t.Fatalf("message %d: %d bytes over limit %d", i, len(d), limit)
		}
		if s.sd-s.start+2 > limit {
			continue // the header alone does not fit
		}
		got, _ := p.Parse(d)
		sm, _ := got.(*rfc5424.SyslogMessage)
		if sm == nil || !sm.Valid() || ptr(sm.Appname) != ptr(nilIfDash(wantHeader(m.AppName, MaxAppName))) {
			t.Fatalf("message %d cut to %d: header lost in %q", i, limit, trunc(d))
		}
	}
}

func nilIfDash(s string) *string {
	if s == "-" {
		return nil
	}
	return &s
}

// TestAccountingAddsUp sends one batch to destinations where nobody
// listens and closes the Forwarder at once, as the send command does, and
// checks that every message is counted once, as written (Messages) or as
// not sent (Dropped): a datagram written before the refusal was noticed
// counts as written, and Close keeps retrying the batch being sent until
// MaxAttempts.
func TestAccountingAddsUp(t *testing.T) {
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	udpURL := "udp://" + udp.LocalAddr().String()
	udp.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tcpURL := "tcp://" + ln.Addr().String()
	ln.Close()
	for _, url := range []string{udpURL, tcpURL} {
		t.Run(url[:3], func(t *testing.T) {
			f, err := New(Config{URL: url, MaxAttempts: 3, MinBackoff: 20 * time.Millisecond, MaxBackoff: 40 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			const n = 25
			b := new(Batch)
			for _, m := range testMessages(n) {
				b.Append(&Encoder{}, &m)
			}
			acked := make(chan error, 1)
			if err := f.Send(context.Background(), b, func(err error) { acked <- err }); err != nil {
				t.Fatal(err)
			}
			err = f.Close(context.Background())
			if err == nil || !strings.Contains(err.Error(), "giving up") || !strings.Contains(err.Error(), "connection refused") {
				t.Errorf("Close = %v; want giving up after connection refused", err)
			}
			if err := <-acked; err == nil {
				t.Error("batch acknowledged without error")
			}
			st := f.Stats()
			if st.Messages+st.Dropped != n || st.Dropped == 0 {
				t.Errorf("Messages %d + Dropped %d != %d sent to Send (or nothing dropped)", st.Messages, st.Dropped, n)
			}
		})
	}
}

// TestUDPTruncatedCountedOnce: a cut datagram whose first write fails
// (nothing listened when the datagram before it was sent, so the
// connected socket reports ECONNREFUSED) and that is written again after
// the reconnect counts once in Truncated, as it counts once in Messages.
func TestUDPTruncatedCountedOnce(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close() // nothing listens: the first datagram draws a port unreachable
	e := &Encoder{}
	f, err := New(Config{URL: "udp://" + addr, MaxDatagram: 600, Encoder: e})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close(context.Background())
	send := func(msg string) {
		t.Helper()
		var b Batch
		b.Append(e, &Message{Facility: Local7, Severity: Informational, AppName: "a", Msg: []byte(msg)})
		done := make(chan error, 1)
		if err := f.Send(context.Background(), &b, func(err error) { done <- err }); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	send("short") // lost: no listener
	time.Sleep(100 * time.Millisecond)
	pc, err = net.ListenPacket("udp", addr)
	if err != nil {
		t.Skipf("port %s taken meanwhile: %v", addr, err)
	}
	defer pc.Close()
	send(strings.Repeat("x", 1000))
	buf := make([]byte, 2048)
	_ = pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := pc.ReadFrom(buf)
	if err != nil || n > 600 {
		t.Fatalf("long datagram: %d bytes, err %v", n, err)
	}
	st := f.Stats()
	if st.Reconnects == 0 {
		t.Skipf("no write failed (stats %+v): the kernel reported no port unreachable", st)
	}
	if st.Truncated != 1 || st.Messages != 2 {
		t.Errorf("Truncated = %d, Messages = %d; want 1 and 2 (stats %+v)", st.Truncated, st.Messages, st)
	}
}
