package forwarder

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/relp"
)

// relpCollector is a RELP receiver that answers every transaction 200 and
// can go away: kill sends serverclose on its sessions, as rsyslog's imrelp
// does when it stops, closes them and stops listening.
type relpCollector struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

func newRELPCollector(t *testing.T) *relpCollector {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relpCollector{ln: ln}
	t.Cleanup(r.kill)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r.mu.Lock()
			r.conns = append(r.conns, c)
			r.mu.Unlock()
			r.wg.Add(1)
			go func() { defer r.wg.Done(); r.serve(c) }()
		}
	}()
	return r
}

func (r *relpCollector) serve(c net.Conn) {
	br := bufio.NewReader(c)
	var data []byte
	for {
		f, d, err := relp.ReadFrame(br, data, 1<<20)
		if err != nil {
			return
		}
		data = d
		var out []byte
		switch f.Command {
		case "open":
			out = relp.AppendFrame(nil, f.Txnr, "rsp", []byte("200 OK\nrelp_version=0\nrelp_software=test\ncommands=syslog"))
		case "close":
			out = relp.AppendFrame(nil, f.Txnr, "rsp", nil)
		default:
			out = relp.AppendFrame(nil, f.Txnr, "rsp", []byte("200 OK"))
		}
		r.mu.Lock()
		_, err = c.Write(out)
		r.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// kill stops listening and ends every session with a serverclose.
func (r *relpCollector) kill() {
	r.ln.Close()
	r.mu.Lock()
	for _, c := range r.conns {
		_, _ = c.Write(relp.AppendFrame(nil, 0, "serverclose", nil))
		c.Close()
	}
	r.conns = nil
	r.mu.Unlock()
	r.wg.Wait()
}

// TestCloseWhileUnreachable: a Forwarder closed with nothing pending while
// it waits to reconnect says whether the destination was reached since
// New. Never reached: ErrNeverReached. Reached, messages delivered, then
// lost (an imrelp that stopped: serverclose, then refused connections):
// ErrUnreachableAtClose with the count delivered, never "never reached"
// (fresh-user trial 83: the agent said the collector that had just taken
// 100 messages was never reached).
func TestCloseWhileUnreachable(t *testing.T) {
	refused := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nothing listens: connections are refused
		return addr
	}
	for _, tc := range []struct {
		name      string
		reachable bool // the collector takes messages, then goes away
		scheme    string
		want      error
		wantText  string
	}{
		{"never reached tcp", false, "tcp", ErrNeverReached, "could be reached (destination never reached; nothing was pending)"},
		{"never reached relp", false, "relp", ErrNeverReached, "could be reached (destination never reached; nothing was pending)"},
		{"lost after delivery relp", true, "relp", ErrUnreachableAtClose, "which had been reached (3 messages delivered) (destination not reachable at close; nothing was pending)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var (
				addr string
				c    *relpCollector
			)
			if tc.reachable {
				c = newRELPCollector(t)
				addr = c.ln.Addr().String()
			} else {
				addr = refused(t)
			}
			rec := &logRecorder{}
			e := &Encoder{}
			// A long backoff: Close comes while the writer waits to reconnect.
			f, err := New(Config{URL: tc.scheme + "://" + addr, Encoder: e, Logger: slog.New(rec),
				MinBackoff: 10 * time.Second, MaxBackoff: 20 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if tc.reachable {
				sendAll(t, f, e, testMessages(3), 3)
				c.kill()
			}
			deadline := time.Now().Add(10 * time.Second)
			for countLevel(rec, slog.LevelWarn) < 1 {
				if time.Now().After(deadline) {
					t.Fatal("no failed connection logged")
				}
				time.Sleep(2 * time.Millisecond)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err = f.Close(ctx)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Close returned %v, want an error wrapping %q", err, tc.want)
			}
			if tc.want != ErrNeverReached && (errors.Is(err, ErrNeverReached) || strings.Contains(err.Error(), "never reached")) {
				t.Errorf("Close says the destination was never reached, but it took messages: %v", err)
			}
			if !strings.Contains(err.Error(), tc.wantText) || !strings.Contains(err.Error(), tc.scheme+"://"+addr) {
				t.Errorf("Close returned %q, want it to name the destination and say %q", err, tc.wantText)
			}
		})
	}
}
