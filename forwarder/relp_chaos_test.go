//go:build linux

package forwarder

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestCollectorChaos sends about 3,000 messages a second through the
// forwarder to a real rsyslog while rsyslog is stopped with SIGTERM and
// restarted, then twice killed with SIGKILL and restarted. rsyslog writes
// every message through a direct queue to a file before it answers
// (RELP) or reads on (TCP). A message is lost when its batch was acked
// (so an agent would have moved its checkpoint past it) and it is not in
// the file. Over RELP nothing may be lost; over TCP only what rsyslog's
// own receive buffer held when it was killed may be lost, and the test
// reports that figure.
func TestCollectorChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test: about 8 s a transport")
	}
	rsyslogd := syslogtest.Rsyslogd(t)
	syslogtest.RsyslogRELP(t)
	for _, tt := range []struct {
		name, scheme string
		ackOnWrite   bool
		maxLost      int
	}{
		{"relp", "relp", false, 0},
		{"tcp", "tcp", false, -1}, // reported, not bounded: see above
		// The behaviour without TCP acknowledgement tracking, for comparison.
		{"tcp ack on write", "tcp", true, -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := chaosRun(t, rsyslogd, tt.scheme, tt.ackOnWrite)
			t.Logf("%s: %d sent, %d acked, %d received (%d distinct, %d duplicates), %d lost, %d resent, %d reconnects",
				tt.name, r.sent, r.acked, r.received, r.distinct, r.received-r.distinct, r.lost, r.resent, r.reconnects)
			if r.acked != r.sent {
				t.Errorf("%d of %d messages acked after Close", r.acked, r.sent)
			}
			if tt.maxLost >= 0 && r.lost > tt.maxLost {
				t.Errorf("%d acked messages lost over %s, want at most %d", r.lost, tt.scheme, tt.maxLost)
			}
		})
	}
}

type chaosResult struct {
	sent, acked, received, distinct, lost int
	resent, reconnects                    uint64
}

func chaosRun(t *testing.T, rsyslogd, scheme string, ackOnWrite bool) chaosResult {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.txt")
	c := &syslogtest.RsyslogProc{T: t, Bin: rsyslogd, Dir: dir, Conf: filepath.Join(dir, "rsyslog.conf"), Port: syslogtest.FreeTCPPort(t)}
	conf := syslogtest.RsyslogFileConf(dir, out, scheme, c.Port, "msg")
	if err := os.WriteFile(c.Conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	c.Start()
	defer c.Stop(syscall.SIGTERM)

	e := &Encoder{}
	f, err := New(Config{URL: fmt.Sprintf("%s://127.0.0.1:%d", scheme, c.Port), Encoder: e,
		MinBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, ackOnWrite: ackOnWrite})
	if err != nil {
		t.Fatal(err)
	}
	const (
		perTick = 30
		tick    = 10 * time.Millisecond // 3,000 messages a second
		run     = 8 * time.Second
	)
	ms := testMessages(int(run/tick) * perTick)
	var (
		mu    sync.Mutex
		acked int
		wg    sync.WaitGroup
	)
	chaos := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(chaos)
		for _, step := range []struct {
			at  time.Duration
			sig syscall.Signal
		}{{1500 * time.Millisecond, syscall.SIGTERM}, {3500 * time.Millisecond, syscall.SIGKILL}, {5500 * time.Millisecond, syscall.SIGKILL}} {
			time.Sleep(time.Until(start.Add(step.at)))
			c.Stop(step.sig)
			time.Sleep(300 * time.Millisecond) // down for a while
			c.Start()
		}
	}()
	sent := 0
	for sent < len(ms) {
		b := new(Batch)
		for j := sent; j < sent+perTick; j++ {
			b.Append(e, &ms[j])
		}
		n := b.Len()
		wg.Add(1)
		if err := f.Send(context.Background(), b, func(err error) {
			if err != nil {
				t.Errorf("ack: %v", err)
			} else {
				mu.Lock()
				acked += n
				mu.Unlock()
			}
			wg.Done()
		}); err != nil {
			t.Fatal(err)
		}
		sent += n
		time.Sleep(time.Until(start.Add(time.Duration(sent/perTick) * tick)))
	}
	<-chaos
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := f.Close(ctx); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	c.Stop(syscall.SIGTERM)
	seen := map[int]int{}
	fh, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	received := 0
	for sc.Scan() {
		m := seqRE.FindSubmatch(sc.Bytes())
		if m == nil {
			t.Fatalf("line without seq: %q", sc.Text())
		}
		n, _ := strconv.Atoi(string(m[1]))
		seen[n]++
		received++
	}
	st := f.Stats()
	lost := 0
	for i := range sent {
		if seen[i] == 0 {
			lost++
		}
	}
	return chaosResult{sent: sent, acked: acked, received: received, distinct: len(seen), lost: lost,
		resent: st.Resent, reconnects: st.Reconnects}
}
