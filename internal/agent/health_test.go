package agent

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/testcert"
)

// A checkpoint that cannot be written makes Health report the source and
// the checkpoint file, and clears once writes work again. The state
// directory is replaced by a plain file, which stops writes for root too.
func TestHealthReportsCheckpointFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gitlab_access.log")
	writeAccessLines(t, path, 0, 10)
	c := newConfig(t, "stdout://", config.Source{Type: "access", Path: path})
	c.Tailer.CheckpointInterval = 50 * time.Millisecond
	a, _, stop := runInBackground(t, c, Options{Stdout: &syslogtest.Buffer{}})
	defer stop()
	ck := checkpointFile(t, c.StateDir, path)
	waitFor(t, "the first checkpoint", 10*time.Second, func() bool { return checkpointOffset(t, c.StateDir, path) > 0 })
	if err := a.Health(); err != nil {
		t.Fatalf("Health() = %v before any failure", err)
	}

	moved := c.StateDir + ".moved"
	if err := os.Rename(c.StateDir, moved); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c.StateDir, []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeAccessLines(t, path, 10, 5)
	want := "source " + path + ": checkpoint not saved, so a restart would send its lines again: tailer: write checkpoint " + ck
	waitFor(t, "Health to report the checkpoint", 10*time.Second, func() bool {
		err := a.Health()
		return err != nil && strings.Contains(err.Error(), want)
	})

	if err := os.Remove(c.StateDir); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(moved, c.StateDir); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Health to recover", 10*time.Second, func() bool { return a.Health() == nil })
}

// run --once ends with an error naming the destination and the last
// connection error when it acknowledges nothing for StallLimit (nothing
// listens on the port), and leaves the checkpoint where it was, so the next run sends the lines.
// Over udp://, which acknowledges nothing ever, it says that the
// destination accepted no message (trial 249).
func TestRunOnceGivesUpOnStalledCollector(t *testing.T) {
	t.Run("tcp", func(t *testing.T) {
		url := fmt.Sprintf("tcp://127.0.0.1:%d", syslogtest.FreeTCPPort(t))
		onceStalled(t, url, "--once: "+url+" acknowledged nothing for ", "last error: forwarder: connect to "+url)
	})
	t.Run("udp", func(t *testing.T) {
		url := fmt.Sprintf("udp://127.0.0.1:%d", syslogtest.FreeUDPPort(t))
		onceStalled(t, url, "--once: "+url+" accepted no message for ", "last error: ")
	})
}

// onceStalled runs --once to url, where nothing listens, and checks that
// it ends with an error holding want and cause, the checkpoint unmoved.
func onceStalled(t *testing.T, url, want, cause string) {
	path := filepath.Join(t.TempDir(), "gitlab_access.log")
	writeAccessLines(t, path, 0, 10)
	c := newConfig(t, url, config.Source{Type: "access", Path: path})
	a, err := New(c, Options{Logger: testLogger(t), ExitAtEOF: true, StallLimit: 500 * time.Millisecond, ShutdownTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = a.Run(ctx)
	if ctx.Err() != nil {
		t.Fatal("--once did not end while the collector was down")
	}
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), cause) ||
		!strings.Contains(err.Error(), "connection refused (is the collector running?)") {
		t.Fatalf("Run = %v, want an error with %q", err, want)
	}
	if off := checkpointOffset(t, c.StateDir, path); off > 0 {
		t.Errorf("checkpoint at %d though nothing was delivered", off)
	}
}

// TestRunOnceStallNamesTLSCause: when the collector's certificate does not
// verify, the --once error names the TLS error and the setting that fixes
// it (the CA file, the server name), not only "is the collector running?"
// (Health words it the same way: TestCheckpointOnlyAfterAck).
func TestRunOnceStallNamesTLSCause(t *testing.T) {
	dir := t.TempDir()
	certs, err := testcert.WriteTestCerts(dir)
	if err != nil {
		t.Fatal(err)
	}
	ln := listenTLS(t, certs)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				_ = c.(*tls.Conn).Handshake() // fails: the client does not trust it
				c.Close()
			}()
		}
	}()
	for _, tc := range []struct {
		name string
		tls  config.TLS
		want []string
	}{
		{"no CA", config.TLS{}, []string{"x509: certificate signed by unknown authority",
			"(give the CA that signed the collector's certificate: forward.tls.ca_file or --ca-file)"}},
		{"other name", config.TLS{CAFile: certs.CAFile, ServerName: "siem.example"}, []string{"x509: certificate is valid for",
			"not siem.example (the certificate does not name the host dialed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "gitlab_access.log")
			writeAccessLines(t, path, 0, 10)
			url := "tls://" + ln.Addr().String()
			c := newConfig(t, url, config.Source{Type: "access", Path: path})
			c.Forward.TLS = tc.tls
			// Long enough for a first TLS handshake to fail on a loaded
			// machine: before that there is no error to name.
			a, err := New(c, Options{Logger: testLogger(t), ExitAtEOF: true, StallLimit: 3 * time.Second, ShutdownTimeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err = a.Run(ctx)
			if ctx.Err() != nil {
				t.Fatal("--once did not end")
			}
			for _, w := range append([]string{"--once: " + url + " acknowledged nothing for ", "last error: "}, tc.want...) {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("Run = %v, want it to contain %q", err, w)
				}
			}
		})
	}
}

// TestStallLogged: a collector that accepts the connection and reads
// nothing is logged once batches have waited StallLimit, with the question
// it raises and, over tcp://, what killing the collector then loses, and
// shown by forwarder_unacknowledged_seconds
// (forwarder_connected stays 1); once it reads, the log says the collector
// acknowledges again. Before, nothing but /healthz said so (fresh-user
// trial 100).
func TestStallLogged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gitlab_access.log")
	writeAccessLines(t, path, 0, 30000)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	conns := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns <- c // held, not read
		}
	}()
	c := newConfig(t, "tcp://"+ln.Addr().String(), config.Source{Type: "access", Path: path})
	var logs syncBuffer
	a, _, stop := runInBackground(t, c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), StallLimit: 300 * time.Millisecond})
	defer stop()
	const warn = "forwarder: nothing acknowledged while batches wait"
	waitFor(t, "the stall warning", 20*time.Second, func() bool { return strings.Contains(logs.String(), warn) })
	if st := a.forwarderStats(); !st.Connected || st.Unacknowledged < 300*time.Millisecond {
		t.Errorf("forwarder stats %+v during the stall, want connected and unacknowledged for at least 300ms", st)
	}
	if !strings.Contains(logs.String(), "does it read what it receives?") {
		t.Errorf("the warning does not ask whether the collector reads:\n%s", logs.String())
	}
	// Over tcp://, what the collector's TCP took counts as delivered:
	// the warning does not say that nothing is lost (trial 235: a killed
	// stuck collector lost its receive buffer).
	if !strings.Contains(logs.String(), "killing or restarting the collector loses them") {
		t.Errorf("the warning does not say what a killed collector loses:\n%s", logs.String())
	}
	conn := <-conns
	defer conn.Close()
	go io.Copy(io.Discard, conn) // it reads now
	waitFor(t, "the recovery", 20*time.Second, func() bool {
		return strings.Contains(logs.String(), "forwarder: the collector acknowledges again")
	})
	if n := strings.Count(logs.String(), warn); n != 1 {
		t.Errorf("the stall warned %d times, want 1:\n%s", n, logs.String())
	}
}

// TestSourceUpUnreadable: source_up is 0 while the file at a source's path
// cannot be opened (a directory there), as /healthz reports it, and 1 once
// it can. Before, it stayed 1 while the tailer retried (fresh-user trial
// 100).
func TestSourceUpUnreadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gitlab_access.log")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, "stdout://", config.Source{Type: "access", Path: path})
	var out syslogtest.Buffer
	a, _, stop := runInBackground(t, c, Options{Stdout: &out})
	defer stop()
	value := func() float64 { return scrapedValue(t, a, "gitlab_syslog_source_up", path) }
	waitFor(t, "the source started, its path unreadable", 10*time.Second, func() bool {
		err := a.Health()
		return err != nil && strings.Contains(err.Error(), "cannot be read")
	})
	waitFor(t, "source_up 0 with a directory at the path", 10*time.Second, func() bool { return value() == 0 })
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	writeAccessLines(t, path, 0, 1)
	waitFor(t, "source_up 1 once the file can be read", 10*time.Second, func() bool { return value() == 1 })
}

// TestStallStreamLoss: the stall warning says that a killed collector
// loses what its TCP took only while the connection is up and nothing is
// read; not while connecting fails (fresh-user trial 259: with nothing
// listening it advised making the collector read again), nor for relp://.
func TestStallStreamLoss(t *testing.T) {
	refused := errors.New("dial tcp 127.0.0.1:6514: connect: connection refused")
	for _, tc := range []struct {
		url  string
		last error
		want bool
	}{
		{"tcp://127.0.0.1:514", nil, true},
		{"tls://collector:6514", nil, true},
		{"tcp://127.0.0.1:514", refused, false},
		{"relp://127.0.0.1:2514", nil, false},
		{"udp://127.0.0.1:514", nil, false},
	} {
		if got := strings.Contains(stallStreamLoss(tc.url, tc.last), "killing or restarting the collector loses them"); got != tc.want {
			t.Errorf("stallStreamLoss(%s, %v) says a killed collector loses lines: %v, want %v", tc.url, tc.last, got, tc.want)
		}
	}
}
