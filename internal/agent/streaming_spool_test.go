package agent

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/streaming"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// TestStreamingSpoolRotationWhileCollectorDown: events answered 200 while
// the collector is down fill the streaming spool past its maximum (4 KiB
// here, 64 MiB by default), then the agent is restarted and the collector
// comes up: every event reaches it (trial 37 F2; GitLab never sends an
// event again). The spool rotates only once the agent committed a
// position in the current file, so it grows instead of replacing an
// events.log.1 not read yet; before, a second rotation deleted it. One
// rotation with a fresh state directory (F2a) needs the tailer's first
// checkpoint, written when it opened events.log: the restart then finds
// that file in events.log.1.
func TestStreamingSpoolRotationWhileCollectorDown(t *testing.T) {
	for _, tc := range []struct {
		name      string
		delivered int // events sent before the collector goes down
		events    int // events posted while it is down
	}{
		{"fresh state, one rotation", 0, 12},
		{"fresh state, several rotations", 0, 60},
		{"after deliveries, several rotations", 5, 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := fmt.Sprintf("127.0.0.1:%d", syslogtest.FreeTCPPort(t))
			c := newConfig(t, "tcp://"+addr)
			c.Sources = []config.Source{}
			port := syslogtest.FreeTCPPort(t)
			const token = "s3cr3t-token-0123456789"
			c.Streaming = config.Streaming{Listen: fmt.Sprintf("127.0.0.1:%d", port), Tokens: []string{token}, SpoolMaxBytes: 4 << 10}
			if _, err := c.Resolve(); err != nil {
				t.Fatal(err)
			}
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			url := fmt.Sprintf("http://127.0.0.1:%d%s", port, config.DefaultStreamingPath)
			post := func(i int) error {
				body := fmt.Sprintf(`{"id":%d,"author_id":1,"entity_id":7,"entity_type":"Project","details":{"author_name":"Jane Roe","custom_message":"%s"},"ip_address":"192.0.2.10","created_at":"2024-05-25T06:49:%02d.%03dZ","event_type":"project_created"}`,
					700000+i, strings.Repeat("x", 200), i/1000%60, i%1000)
				req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
				req.Header.Set("X-Gitlab-Event-Streaming-Token", token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					return err
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					return fmt.Errorf("event %d answered %s", i, resp.Status)
				}
				return nil
			}
			r := &received{msgs: map[string]int{}}
			var col *syslogtest.Collector
			if tc.delivered > 0 {
				l, err := syslogtest.Listen(addr, r.add)
				if err != nil {
					t.Fatal(err)
				}
				col = l
			}
			_, _, stop := runInBackground(t, c, Options{StallLimit: 300 * time.Millisecond})
			waitFor(t, "the streaming receiver", 10*time.Second, func() bool { return post(0) == nil })
			for i := 1; i < tc.delivered; i++ {
				if err := post(i); err != nil {
					t.Fatal(err)
				}
			}
			if col != nil {
				waitFor(t, "the first events at the collector", 10*time.Second, func() bool { return r.count() == tc.delivered })
				col.Close()
			}
			for i := max(tc.delivered, 1); i < tc.delivered+tc.events; i++ {
				if err := post(i); err != nil {
					t.Fatal(err)
				}
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(500 * time.Millisecond)
			stop()
			spoolDir := filepath.Dir(filepath.Join(c.Streaming.SpoolDir, streaming.SpoolFile))
			if _, err := os.Stat(filepath.Join(spoolDir, streaming.SpoolFile+".1")); err != nil {
				t.Errorf("the spool never rotated: %v", err)
			}

			l, err := syslogtest.Listen(addr, r.add)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			_, _, stop = runInBackground(t, c, Options{})
			defer stop()
			want := tc.delivered + tc.events
			deadline := time.Now().Add(15 * time.Second)
			for r.count() < want && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if n := r.count(); n != want {
				t.Fatalf("%d distinct events at the collector, want the %d answered 200", n, want)
			}
		})
	}
}

// TestOnceStreamingSpool: run --once does not listen for Audit Event
// Streaming (it could not wait for events that may never come, and what it
// answered 200 would be left unread); it forwards what the spool holds from
// an earlier run, and logs both. The port is taken by another socket, which
// a listening --once would fail on. The spool counts as read: the run ends
// well though none of the default sources' files exists (it ended with
// "nothing to read", trial 47).
func TestOnceStreamingSpool(t *testing.T) {
	port := syslogtest.FreeTCPPort(t)
	c := newConfig(t, "stdout") // the default sources, none of whose files exists
	const token = "s3cr3t-token-0123456789"
	c.Streaming = config.Streaming{Listen: fmt.Sprintf("127.0.0.1:%d", port), Tokens: []string{token}}
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	// An earlier run accepted the event into the spool.
	const event = `{"id":700001,"author_id":1,"entity_id":7,"entity_type":"Project","details":{"author_name":"Jane Roe"},"ip_address":"192.0.2.10","created_at":"2024-05-25T06:49:01.000Z","event_type":"project_created"}`
	spoolDir := c.Streaming.SpoolDir // set by Resolve
	if err := os.MkdirAll(spoolDir, 0o700); err != nil {
		t.Fatal(err)
	}
	spoolPath := filepath.Join(spoolDir, streaming.SpoolFile)
	if err := os.WriteFile(spoolPath, []byte(event+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	hold, err := net.Listen("tcp", c.Streaming.Listen) // --once must not need the port
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	logs, out := new(syslogtest.Buffer), new(syslogtest.Buffer)
	a, err := New(c, Options{ExitAtEOF: true, Stdout: out, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	if err := a.Run(ctx); err != nil {
		t.Fatalf("--once: %v\nlogs:\n%s", err, logs.String())
	}
	if got := out.String(); !strings.HasSuffix(strings.TrimSuffix(got, "\n"), " "+event) || strings.Count(got, "\n") != 1 {
		t.Errorf("forwarded:\n%s\nwant one message whose MSG is the spooled event:\n%s", got, event)
	}
	for _, want := range []string{
		`msg="--once: the streaming receiver does not listen; what its spool holds (received by an earlier run, not yet forwarded) is forwarded, then the run ends" listen=` + c.Streaming.Listen + " spool=" + spoolPath,
		`msg="--once: streaming spool read (the receiver did not listen)" spool=` + spoolPath + " lines_read=1 lines_sent=1 ",
		`msg="all sources read to the end and acknowledged; exiting (--once)" files=0 spools=1 missing_files=3 lines_read=1 lines_sent=1 `,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack\n%s\nlogs:\n%s", want, logs.String())
		}
	}
	if strings.Contains(logs.String(), "streaming: receiving") {
		t.Errorf("--once listened:\n%s", logs.String())
	}
}
