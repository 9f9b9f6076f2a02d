package agent

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/inputs"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestInputOtherMessages runs an aggregator with a TCP input and stdout://:
// a node's message goes out as the node sent it (re-parsed: the same
// STRUCTURED-DATA, HOSTNAME and TIMESTAMP); a message of another sender is
// forwarded byte for byte with other: forward, and dropped with other:
// drop; both are counted in gitlab_syslog_input_other_messages_total.
func TestInputOtherMessages(t *testing.T) {
	const (
		node    = `<190>1 2018-10-17T17:38:22.523000Z node-a GitLab-Audit-Logs - audit [gitlab@32473 Severity="INFO" EventTime="2018-10-17T17:38:22.523Z" AuthorID="3" ChangeType="visibility"] {"severity":"INFO","time":"2018-10-17T17:38:22.523Z","author_id":3,"change":"visibility"}`
		foreign = `<38>1 2026-01-02T03:04:05Z bastion sshd 42 - [origin@1 ip="10.0.0.1"] Accepted publickey for root`
	)
	for _, other := range []string{"forward", "drop"} {
		t.Run(other, func(t *testing.T) {
			c := aggregatorConfig(t, other)
			out := new(syslogtest.Buffer)
			a, _, stop := runInBackground(t, c, Options{Stdout: out})
			conn, err := net.Dial("tcp", inputAddr(t, a))
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(conn, "%d %s%d %s", len(foreign), foreign, len(node), node)
			conn.Close()
			waitFor(t, "the node's message", 10*time.Second, func() bool { return strings.Contains(out.String(), "node-a") })
			waitFor(t, "the foreign message counted", 5*time.Second, func() bool {
				st := a.inputStats()[0]
				return other == "drop" && st.Dropped == 1 && st.Other == 0 || other == "forward" && st.Other == 1 && st.Dropped == 0
			})
			stop()
			lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
			want := []string{foreign, node}
			if other == "drop" {
				want = []string{node}
			}
			if strings.Join(lines, "\n") != strings.Join(want, "\n") {
				t.Errorf("forwarded:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestInputLegacyRFC3164: a gitlab-syslog node sending RFC 3164, or an
// rsyslog node with its default forward template, is not re-parsed; the
// aggregator forwards its messages as other messages and warns once per
// sending host that aggregation needs RFC 5424, and how to set it on
// either.
func TestInputLegacyRFC3164(t *testing.T) {
	const (
		legacyA = `<190>Oct 17 17:38:22 node-a GitLab-Audit-Logs: {"severity":"INFO","author_id":3}`
		legacyB = `<190>Oct  7 17:38:23 node-b GitLab-Auth-Logs: {"severity":"INFO"}`
		// rsyslog's default forward template (trial 229: not warned about)
		legacyC = `<190>2026-12-06T20:41:33.56+00:00 node-c GitLab-Audit-Logs: {"severity":"INFO","author_id":3}`
		foreign = `<38>Oct 17 17:38:24 bastion sshd[42]: Accepted publickey for root`
	)
	c := aggregatorConfig(t, "")
	logs := new(syslogtest.Buffer)
	out := new(syslogtest.Buffer)
	a, err := New(c, Options{Stdout: out, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	conn, err := net.Dial("tcp", inputAddr(t, a))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{legacyA, legacyA, foreign, legacyB, legacyA, legacyC} {
		fmt.Fprintf(conn, "%d %s", len(m), m)
	}
	conn.Close()
	waitFor(t, "the messages forwarded", 10*time.Second, func() bool { return a.inputStats()[0].Other == 6 })
	warned := map[string]int{}
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "sends GitLab's logs in RFC 3164") && strings.Contains(l, `template=\"RSYSLOG_SyslogProtocol23Format\"`) {
			i := strings.Index(l, "hostname=")
			warned[strings.Fields(l[i+len("hostname="):])[0]]++
		}
	}
	if want := map[string]int{"node-a": 1, "node-b": 1, "node-c": 1}; fmt.Sprint(warned) != fmt.Sprint(want) {
		t.Errorf("RFC 3164 warnings by host %v, want %v\nlogs:\n%s", warned, want, logs.String())
	}
}

// inputAddr waits until a runs its first network input and a source, and
// returns the input's listening address.
func inputAddr(t *testing.T, a *Agent) string {
	t.Helper()
	var addr string
	waitFor(t, "the input", 5*time.Second, func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		if len(a.inputs) == 0 || len(a.sources) == 0 {
			return false
		}
		addr = a.inputs[0].srv.Addr().String()
		return true
	})
	return addr
}

// TestInputNotSyslog: 5,000 random bytes sent to an aggregator's TCP input
// are not forwarded to the collector as other messages: the frames that
// are not syslog are dropped and counted as malformed; a syslog message
// sent next is forwarded unchanged.
func TestInputNotSyslog(t *testing.T) {
	const foreign = `<38>Oct 17 17:38:24 bastion sshd[42]: Accepted publickey for root`
	c := aggregatorConfig(t, "")
	out := new(syslogtest.Buffer)
	a, _, stop := runInBackground(t, c, Options{Stdout: out})
	garbage := make([]byte, 5000)
	rng := rand.New(rand.NewPCG(5000, 2514))
	for i := range garbage {
		garbage[i] = byte(rng.Uint32())
	}
	conn, err := net.Dial("tcp", inputAddr(t, a))
	if err != nil {
		t.Fatal(err)
	}
	conn.Write(garbage)
	conn.Close()
	waitFor(t, "the random bytes read", 5*time.Second, func() bool { st := a.inputStats()[0]; return st.Connections == 1 && st.Open == 0 })
	conn, err = net.Dial("tcp", inputAddr(t, a))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "%s\n", foreign)
	conn.Close()
	waitFor(t, "the syslog message forwarded", 10*time.Second, func() bool { return strings.Contains(out.String(), "bastion") })
	stop()
	if got := strings.TrimSuffix(out.String(), "\n"); got != foreign {
		t.Errorf("forwarded:\n%q\nwant only:\n%q", got, foreign)
	}
	if st := a.inputStats()[0]; st.Other != 1 || st.Malformed == 0 {
		t.Errorf("other messages forwarded %d, malformed %d; want 1 and more than 0", st.Other, st.Malformed)
	}
}

// TestInputNULPaddedNodeMessage: a node's message of a log line padded
// with NUL bytes (what a crash or a copytruncate leaves), sent as read, is
// a syslog message to the aggregator: forwarded as the node sent it, not
// dropped as malformed (fresh-user trial 88: the input acknowledged it over
// RELP, then dropped it as "NUL octet in the message", and the line was
// lost).
func TestInputNULPaddedNodeMessage(t *testing.T) {
	const node = "<190>1 2018-10-17T17:38:22.523000Z node-a GitLab-Audit-Logs - audit [gitlab@32473 Severity=\"INFO\" EventTime=\"2018-10-17T17:38:22.523Z\" AuthorID=\"3\" ChangeType=\"visibility\"] \x00\x00\x00{\"severity\":\"INFO\",\"time\":\"2018-10-17T17:38:22.523Z\",\"author_id\":3,\"change\":\"visibility\"}"
	c := aggregatorConfig(t, "")
	out := new(syslogtest.Buffer)
	a, _, stop := runInBackground(t, c, Options{Stdout: out})
	conn, err := net.Dial("tcp", inputAddr(t, a))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "%d %s", len(node), node)
	conn.Close()
	waitFor(t, "the node's message", 10*time.Second, func() bool { return strings.Contains(out.String(), "node-a") })
	stop()
	if got := strings.TrimSuffix(out.String(), "\n"); got != node {
		t.Errorf("forwarded:\n%q\nwant:\n%q", got, node)
	}
	if st := a.inputStats()[0]; st.Malformed != 0 {
		t.Errorf("%d frames counted malformed, want 0", st.Malformed)
	}
}

// aggregatorConfig returns the resolved configuration of an aggregator:
// one TCP input on a free port of 127.0.0.1 whose setting other is other
// ("": the default), forwarding to stdout, no detections.
func aggregatorConfig(t *testing.T, other string) *config.Config {
	t.Helper()
	c := &config.Config{StateDir: t.TempDir(), Hostname: "aggregator",
		Inputs: []config.Input{{Listen: "tcp://127.0.0.1:0", Other: other}}}
	c.Forward.URL = "stdout://"
	c.Detections.Enabled = new(bool) // off
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestOnceInputSpool: under --once a network input does not listen, and
// what its spool holds, received by an earlier run and not forwarded, is
// forwarded before the run ends. The run succeeds while another socket
// holds the input's port (before, --once listened there too, and failed
// with "address already in use"), and logs for the input that it did not
// listen and what it read from the spool (fresh-user trial 46: --once
// with inputs ended at once without a word about them).
func TestOnceInputSpool(t *testing.T) {
	const node = `<190>1 2018-10-17T17:38:22.523000Z node-a GitLab-Audit-Logs - audit [gitlab@32473 Severity="INFO" EventTime="2018-10-17T17:38:22.523Z" AuthorID="3" ChangeType="visibility"] {"severity":"INFO","time":"2018-10-17T17:38:22.523Z","author_id":3,"change":"visibility"}`
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c := aggregatorConfig(t, "")
	c.Inputs[0].Listen = "tcp://" + addr

	// An earlier run receives the message into the spool and ends.
	ic := c.Inputs[0]
	ic.Logger = testLogger(t)
	srv, err := inputs.Listen(ic)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "%d %s", len(node), node)
	conn.Close()
	waitFor(t, "the message spooled", 5*time.Second, func() bool {
		b, _ := os.ReadFile(srv.SpoolPath())
		return bytes.HasSuffix(b, []byte("\n"))
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	hold, err := net.Listen("tcp", addr) // the port is taken: --once must not need it
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	logs := new(syslogtest.Buffer)
	out := new(syslogtest.Buffer)
	a, err := New(c, Options{ExitAtEOF: true, Stdout: out, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	if err := a.Run(runCtx); err != nil {
		t.Fatalf("--once: %v\nlogs:\n%s", err, logs.String())
	}
	if got := strings.TrimSuffix(out.String(), "\n"); got != node {
		t.Errorf("forwarded:\n%q\nwant the spooled message:\n%q", got, node)
	}
	for _, want := range []string{
		`msg="--once: the input does not listen; what its spool holds (received by an earlier run, not yet forwarded) is forwarded, then the run ends" listen=tcp://` + addr + " spool=" + srv.SpoolPath(),
		`msg="--once: input spool read (the input did not listen)" listen=tcp://` + addr + " spool=" + srv.SpoolPath() + " type=input lines_read=1 lines_sent=1 ",
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack\n%s\nlogs:\n%s", want, logs.String())
		}
	}
	if strings.Contains(logs.String(), "inputs: listening") {
		t.Errorf("--once listened:\n%s", logs.String())
	}
}
