package forwarder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestBackoffEqualJitter checks the bounds of the reconnect delays: the
// n-th is in [d/2, d) for d = min(max, base·2^(n-1)), at least 1 ms, so
// the sequence grows steadily and stays under the cap. Trial 25 F3: with
// full jitter ([0, d)) it went 98ms, 117ms, 2.7ms, 232ms, ... 25.3s.
func TestBackoffEqualJitter(t *testing.T) {
	tests := []struct {
		base, max time.Duration
		n         int
		lo, hi    time.Duration // lo <= delay < hi
	}{
		{100 * time.Millisecond, 30 * time.Second, 1, 50 * time.Millisecond, 100 * time.Millisecond},
		{100 * time.Millisecond, 30 * time.Second, 2, 100 * time.Millisecond, 200 * time.Millisecond},
		{100 * time.Millisecond, 30 * time.Second, 3, 200 * time.Millisecond, 400 * time.Millisecond},
		{100 * time.Millisecond, 30 * time.Second, 6, 1600 * time.Millisecond, 3200 * time.Millisecond},
		{100 * time.Millisecond, 30 * time.Second, 9, 12800 * time.Millisecond, 25600 * time.Millisecond},
		{100 * time.Millisecond, 30 * time.Second, 10, 15 * time.Second, 30 * time.Second},
		{100 * time.Millisecond, 30 * time.Second, 1000, 15 * time.Second, 30 * time.Second},
		{time.Millisecond, 8 * time.Millisecond, 1, time.Millisecond, time.Millisecond + 1}, // the 1 ms floor
		{time.Second, time.Second, 5, 500 * time.Millisecond, time.Second},
	}
	for _, tc := range tests {
		for range 300 {
			if d := backoff(tc.base, tc.max, tc.n); d < tc.lo || d >= tc.hi {
				t.Fatalf("backoff(%s, %s, %d) = %s, want in [%s, %s)", tc.base, tc.max, tc.n, d, tc.lo, tc.hi)
			}
		}
	}
}

// TestReconnectLogged: once the destination is reachable again after
// failed attempts, one info line says so, with the destination, how long
// it was unreachable and the failed attempts (the last warning's attempt),
// so that the log does not end on "connection failed" (trial 25 F3).
func TestReconnectLogged(t *testing.T) {
	for _, tc := range []struct {
		name    string
		upFirst bool // the destination is reachable at first, then lost
		want    string
	}{
		{"down at start", false, "forwarder: connected"},
		{"lost under a running forwarder", true, "forwarder: connected again"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &logRecorder{}
			r := &receiver{}
			addr := r.listen(t, "127.0.0.1:0")
			if !tc.upFirst {
				r.kill()
			}
			e := &Encoder{}
			f, err := New(Config{URL: "tcp://" + addr, Encoder: e, Logger: slog.New(rec),
				MinBackoff: time.Millisecond, MaxBackoff: 8 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close(context.Background())
			send := func() chan error {
				ms := testMessages(3)
				var b Batch
				for i := range ms {
					b.Append(e, &ms[i])
				}
				acked := make(chan error, 1)
				if err := f.Send(context.Background(), &b, func(err error) { acked <- err }); err != nil {
					t.Fatal(err)
				}
				return acked
			}
			if tc.upFirst {
				waitAck(t, send())
				r.waitConns(t, 1) // the peer's TCP acknowledges before Accept returns: kill must reset it
				r.kill()
			}
			acked := send()
			deadline := time.Now().Add(10 * time.Second)
			for countLevel(rec, slog.LevelWarn) < 3 {
				if time.Now().After(deadline) {
					t.Fatal("fewer than 3 reconnect attempts logged")
				}
				time.Sleep(2 * time.Millisecond)
			}
			r.listen(t, addr)
			defer r.kill()
			waitAck(t, acked)
			recs := rec.snapshot()
			var warns, at int
			var last slog.Record
			for i, rc := range recs {
				if rc.Level == slog.LevelWarn {
					warns++
				} else if rc.Level == slog.LevelInfo {
					last, at = rc, i
				}
			}
			attrs := map[string]string{}
			last.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value.String(); return true })
			down, _ := time.ParseDuration(attrs["down_for"])
			if last.Message != tc.want || attrs["destination"] != "tcp://"+addr ||
				attrs["failed_attempts"] != strconv.Itoa(warns) || down <= 0 {
				t.Errorf("info line after %d warnings: %q %v, want %q with the destination, down_for and failed_attempts", warns, last.Message, attrs, tc.want)
			}
			if at != len(recs)-1 {
				t.Errorf("the log ends with %s %q, not with the line saying the destination is back", recs[len(recs)-1].Level, recs[len(recs)-1].Message)
			}
		})
	}
}

func countLevel(rec *logRecorder, l slog.Level) int {
	n := 0
	for _, r := range rec.snapshot() {
		if r.Level == l {
			n++
		}
	}
	return n
}

func waitAck(t *testing.T, acked chan error) {
	t.Helper()
	select {
	case err := <-acked:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("batch not acknowledged")
	}
}

// receiver is a TCP receiver that reads and discards, and can be killed
// (listener and connections closed, connections reset) and started again.
type receiver struct {
	mu    sync.Mutex
	ln    net.Listener
	conns []net.Conn
}

func (r *receiver) listen(t *testing.T, addr string) string {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	r.ln = ln
	r.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r.mu.Lock()
			r.conns = append(r.conns, c)
			r.mu.Unlock()
			go io.Copy(io.Discard, c)
		}
	}()
	return ln.Addr().String()
}

// waitConns waits until the receiver accepted n connections.
func (r *receiver) waitConns(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r.mu.Lock()
		got := len(r.conns)
		r.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections accepted, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func (r *receiver) kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ln.Close()
	for _, c := range r.conns {
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	}
	r.conns = nil
}

// TestResetHint: the reconnect warning after the collector reset a tcp://
// or tls:// connection says what may be lost and how to close that gap
// (fresh-user trial 116: a graceful rsyslog stop lost the line just sent,
// and the log said only "connection reset by peer"); not for RELP, which
// resends what was not answered, nor for other errors.
func TestResetHint(t *testing.T) {
	reset := fmt.Errorf("connection check: %w", &net.OpError{Op: "recvfrom", Err: os.NewSyscallError("recvfrom", syscall.ECONNRESET)})
	for _, tc := range []struct {
		kind  transport
		cause error
		want  bool
	}{
		{transportTCP, reset, true},
		{transportTLS, reset, true},
		{transportRELP, reset, false},
		{transportTCP, errors.New("connection refused"), false},
	} {
		if got := resetHint(tc.kind, tc.cause); (got != "") != tc.want || tc.want && !strings.Contains(got, "relp://") {
			t.Errorf("resetHint(%v, %v) = %q; want a hint naming relp:// %v", tc.kind, tc.cause, got, tc.want)
		}
	}
}
