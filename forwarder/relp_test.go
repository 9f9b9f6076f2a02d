package forwarder

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/relp"
)

// relpPeer is a RELP receiver for protocol tests the real rsyslog cannot
// stage: it answers the syslog transactions of a session in reverse order,
// once it has read all the sender sent, records the largest number it held unanswered, and can
// end a session after a number of messages with a refusal or a
// serverclose. The tests against rsyslog are in integration_test.go and
// relp_chaos_test.go.
type relpPeer struct {
	ln      net.Listener
	mu      sync.Mutex
	seqs    [][]int // per session, the "seq" of every message received
	maxOpen int     // most transactions held unanswered at once
	// failAfter, per session index: after this many messages, answer the
	// next one with failWith ("500 ...", "serverclose", or "silent": read
	// on and answer nothing more).
	failAfter map[int]int
	failWith  string
}

var seqRE = regexp.MustCompile(`"seq":(\d+)`)

func newRELPPeer(t *testing.T) *relpPeer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &relpPeer{ln: ln, failAfter: map[int]int{}}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			session := len(p.seqs)
			p.seqs = append(p.seqs, nil)
			p.mu.Unlock()
			wg.Add(1)
			go func() { defer wg.Done(); defer c.Close(); p.serve(t, c, session) }()
		}
	}()
	return p
}

func (p *relpPeer) serve(t *testing.T, c net.Conn, session int) {
	br := bufio.NewReader(c)
	var held []int // txnrs not answered yet
	answer := func() {
		var out []byte
		for i := len(held) - 1; i >= 0; i-- { // reverse order
			out = relp.AppendFrame(out, held[i], "rsp", []byte("200 OK"))
		}
		held = held[:0]
		c.Write(out)
	}
	n := 0
	for {
		f, _, err := readResponse(br, nil)
		if err != nil {
			return
		}
		switch f.Command {
		case "open":
			c.Write(relp.AppendFrame(nil, f.Txnr, "rsp", []byte("200 OK\nrelp_version=0\nrelp_software=test\ncommands=syslog")))
			continue
		case "close":
			answer()
			c.Write(relp.AppendFrame(nil, f.Txnr, "rsp", nil))
			c.Write(relp.AppendFrame(nil, 0, "serverclose", nil))
			return
		case "syslog":
		default:
			t.Errorf("unexpected command %q", f.Command)
			return
		}
		p.mu.Lock()
		fail, failing := p.failAfter[session]
		p.mu.Unlock()
		if failing && n >= fail && p.failWith == "silent" {
			continue // read on, never answer
		}
		if failing && n == fail {
			answer()
			if p.failWith == "serverclose" {
				c.Write(relp.AppendFrame(nil, 0, "serverclose", nil))
			} else {
				c.Write(relp.AppendFrame(nil, f.Txnr, "rsp", []byte(p.failWith)))
			}
			return
		}
		m := seqRE.FindSubmatch(f.Data)
		if m == nil {
			t.Errorf("message without seq: %q", f.Data)
			return
		}
		seq, _ := strconv.Atoi(string(m[1]))
		n++
		held = append(held, f.Txnr)
		p.mu.Lock()
		p.seqs[session] = append(p.seqs[session], seq)
		p.maxOpen = max(p.maxOpen, len(held))
		p.mu.Unlock()
		if br.Buffered() == 0 { // all the sender has sent so far
			answer()
		}
	}
}

// TestRELPWindowAndResend sends through relpPeer: the window is never
// exceeded, batches are acked in order although answers come in reverse,
// and a session ended by a refusal or a serverclose is followed by a new
// one that resends, in order, every message not answered.
func TestRELPWindowAndResend(t *testing.T) {
	for _, tt := range []struct {
		name     string
		failWith string
		window   int
	}{
		{"refusal", "500 disk full", 16},
		{"serverclose", "serverclose", 16},
		{"window 1", "500 disk full", 1},
		{"silent receiver", "silent", 16},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newRELPPeer(t)
			p.failAfter[0] = 333
			p.failWith = tt.failWith
			e := &Encoder{}
			f, err := New(Config{URL: "relp://" + p.ln.Addr().String(), Encoder: e, RELPWindow: tt.window,
				MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, WriteTimeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			const total, per = 1000, 7
			ms := testMessages(total)
			var (
				mu    sync.Mutex
				acked []int
			)
			var wg sync.WaitGroup
			for i := 0; i < total; i += per {
				b := new(Batch)
				for j := i; j < min(i+per, total); j++ {
					b.Append(e, &ms[j])
				}
				wg.Add(1)
				if err := f.Send(context.Background(), b, func(err error) {
					if err != nil {
						t.Errorf("batch at %d: %v", i, err)
					}
					mu.Lock()
					acked = append(acked, i)
					mu.Unlock()
					wg.Done()
				}); err != nil {
					t.Fatal(err)
				}
			}
			wg.Wait()
			if err := f.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			for k, a := range acked {
				if a != k*per {
					t.Fatalf("batch acks out of order: %v", acked)
				}
			}
			p.mu.Lock()
			defer p.mu.Unlock()
			if p.maxOpen > tt.window || (tt.window > 1 && p.maxOpen < 2) {
				t.Errorf("receiver held %d transactions unanswered at most, window is %d", p.maxOpen, tt.window)
			}
			if len(p.seqs) != 2 {
				t.Fatalf("%d sessions, want 2", len(p.seqs))
			}
			first, second := p.seqs[0], p.seqs[1]
			if len(first) != 333 {
				t.Fatalf("first session carried %d messages, want 333", len(first))
			}
			// The second session starts at the first message the first one
			// did not answer, at a batch boundary or within the batch, and
			// carries every later message once, in order.
			start := second[0]
			if start > 333 {
				t.Fatalf("second session starts at seq %d: messages %d..%d lost", start, 333, start-1)
			}
			for i, s := range second {
				if s != start+i {
					t.Fatalf("second session: message %d is seq %d, want %d", i, s, start+i)
				}
			}
			if start+len(second) != total {
				t.Fatalf("second session ends at seq %d, want %d", start+len(second)-1, total-1)
			}
			st := f.Stats()
			// Resent: what was sent after the last answered message, at
			// least the refused one, at most a window.
			if st.Messages != total || st.Reconnects != 1 || st.Resent < uint64(333-start+1) || st.Resent > uint64(tt.window) {
				t.Errorf("stats %+v: want %d messages, 1 reconnect, %d to %d resent", st, total, 333-start+1, tt.window)
			}
			t.Logf("second session from seq %d, receiver held at most %d unanswered, %d resent", start, p.maxOpen, st.Resent)
		})
	}
}

// TestRELPTxnrWrap answers transactions numbered across the wrap from
// 999,999,999 to 1, out of order: batches are acked in order, once all
// their messages are answered.
func TestRELPTxnrWrap(t *testing.T) {
	w := &writer{f: &Forwarder{cfg: Config{WriteTimeout: time.Minute}}}
	w.r = relpSession{on: true, window: 8, gen: 1, stop: make(chan struct{})}
	var acked []int
	items := make([]*item, 2)
	for i := range items {
		var b Batch
		for range 2 {
			b.Append(&Encoder{}, &Message{Msg: []byte("m")})
		}
		items[i] = &item{b: &b, ack: func(err error) { acked = append(acked, i) }}
	}
	// Batch 0 is 999999998 and 999999999; batch 1 is 1 and 2.
	w.r.out = []relpTxn{
		{txnr: 999_999_998, it: items[0]}, {txnr: 999_999_999, it: items[0], last: true},
		{txnr: 1, it: items[1]}, {txnr: 2, it: items[1], last: true},
	}
	steps := []struct {
		txnrs []int
		want  []int // batches acked so far
	}{
		{[]int{2, 999_999_999}, nil},
		{[]int{999_999_998}, []int{0}},
		{[]int{1}, []int{0, 1}},
	}
	for _, s := range steps {
		if err := w.answered(relpAnswers{gen: 1, txnrs: s.txnrs}); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(acked) != fmt.Sprint(s.want) {
			t.Fatalf("after answers %v: acked %v, want %v", s.txnrs, acked, s.want)
		}
	}
	if err := w.answered(relpAnswers{gen: 1, txnrs: []int{3}}); err == nil {
		t.Fatal("an answer to a transaction never sent was accepted")
	}
	for n, want := range map[int]int{1: 2, 998_999_999: 999_000_000, relp.MaxTxnr: 1} {
		if got := nextTxnr(n); got != want {
			t.Errorf("nextTxnr(%d) = %d, want %d", n, got, want)
		}
	}
}
