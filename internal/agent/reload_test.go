package agent

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
)

// syncBuffer is a bytes.Buffer safe for the agent's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (r *received) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.msgs {
		n += c
	}
	return n
}

// accessCollected writes n access lines into a new file named name and
// starts a TCP collector counting what it receives (closed when the test
// ends); it returns the file, the counts, the collector and a
// configuration forwarding the file to it.
func accessCollected(t *testing.T, name string, n int) (string, *received, *syslogtest.Collector, *config.Config) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	writeAccessLines(t, path, 0, n)
	r := &received{msgs: map[string]int{}}
	col, err := syslogtest.Listen("127.0.0.1:0", r.add)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { col.Close() })
	return path, r, col, newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "access", Path: path})
}

// TestReloadKeepsStateDir: a reload with another state_dir (and so another
// default streaming spool_dir) warns and keeps the running one; nothing is
// sent again and no checkpoint goes to the new directory.
func TestReloadKeepsStateDir(t *testing.T) {
	path, r, _, c := accessCollected(t, "production_json.log", 10)
	var logs syncBuffer
	a, err := New(c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	waitFor(t, "10 lines", 10*time.Second, func() bool { return r.total() == 10 })

	nc := *c
	st2 := filepath.Join(t.TempDir(), "st2")
	nc.StateDir = st2
	if err := a.Reload(ctx, &nc); err != nil {
		t.Fatal(err)
	}
	writeAccessLines(t, path, 10, 5)
	waitFor(t, "the 5 new lines", 10*time.Second, func() bool { return r.count() == 15 })
	time.Sleep(500 * time.Millisecond)
	if n := r.total(); n != 15 {
		t.Errorf("%d messages after the reload, want 15 (no line sent twice)", n)
	}
	if !strings.Contains(logs.String(), "state_dir changes take effect at the next restart") {
		t.Errorf("no warning about the state_dir change in the log:\n%s", logs.String())
	}
	if _, err := os.Stat(st2); !os.IsNotExist(err) {
		t.Errorf("the new state_dir %s was used (stat: %v)", st2, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if off := checkpointOffset(t, c.StateDir, path); off <= 0 {
		t.Errorf("checkpoint in the running state_dir at %d, want the file's end", off)
	}
}

// TestReloadCollectorDownSendsOnce: a reload that changes nothing the
// sources use (the same file sent again by SIGHUP, as a job rereading the
// TI file or the GeoIP databases does) while the collector is down keeps
// the sources running: the lines queued for the collector are sent once
// when it is back. Before, the sources were stopped, their checkpoints
// written as acknowledged so far, and the new ones read the queued lines
// again: each was sent twice (fresh-user trial 54).
func TestReloadCollectorDownSendsOnce(t *testing.T) {
	path, r, col, c := accessCollected(t, "gitlab_access.log", 10)
	var logs syncBuffer
	a, ctx, stop := runInBackground(t, c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), ShutdownTimeout: time.Second})
	defer stop()
	waitFor(t, "10 lines", 10*time.Second, func() bool { return r.total() == 10 })
	// Acknowledged: a collector that closes a new plain TCP connection
	// right after its first batch gets that batch again (see the
	// forwarder's young connections).
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the 10 lines acknowledged", 10*time.Second, func() bool { return checkpointOffset(t, c.StateDir, path) == fi.Size() })

	col.Close()
	writeAccessLines(t, path, 10, 10)
	time.Sleep(time.Second) // read and queued for the collector, which is down
	nc := *c
	if err := a.Reload(ctx, &nc); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "the sources keep running") {
		t.Errorf("the reload did not keep the sources:\n%s", logs.String())
	}
	if err := col.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the 10 queued lines", 20*time.Second, func() bool { return r.count() == 20 })
	time.Sleep(time.Second)
	if n := r.total(); n != 20 {
		t.Errorf("%d messages for 20 lines: the queued lines were sent again after the reload", n)
	}
}

// TestSourcesKept: the sources are kept across a reload of the same
// settings, also from a file with a comment added (its keys on other
// lines), and not when a setting they are built from changes; detections
// and metrics are applied apart.
func TestSourcesKept(t *testing.T) {
	const base = "state_dir: /s\nforward:\n  url: tcp://127.0.0.1:514\nsources:\n  - {type: audit, path: /a.log}\n"
	old := resolved(t, base)
	for _, tc := range []struct {
		name, text string
		kept       bool
	}{
		{"same file", base, true},
		{"a comment added", "# reviewed\n" + base, true},
		{"a detection parameter", base + "detections:\n  params:\n    min_count: 7\n", true},
		{"metrics", base + "metrics:\n  listen: 127.0.0.1:9469\n", true},
		{"hostname", base + "hostname: other\n", false},
		{"forward", strings.Replace(base, ":514", ":1514", 1), false},
		{"a source", strings.Replace(base, "/a.log", "/b.log", 1), false},
	} {
		if got := sourcesKept(old, resolved(t, tc.text)); got != tc.kept {
			t.Errorf("%s: sourcesKept = %v, want %v", tc.name, got, tc.kept)
		}
	}
}

// TestReloadForwarderCountersGoOn: a reload to another destination opens
// a new forwarder; messages_sent_total goes on from the old one's count
// instead of starting again at 0, as the sources' counters do (fresh-user
// trial 112: 7939 became 0).
func TestReloadForwarderCountersGoOn(t *testing.T) {
	path, r, _, c := accessCollected(t, "gitlab_access.log", 10)
	a, ctx, stop := runInBackground(t, c, Options{ShutdownTimeout: time.Second})
	defer stop()
	waitFor(t, "10 lines", 10*time.Second, func() bool { return r.total() == 10 })
	sent := func() float64 {
		t.Helper()
		mfs, err := a.Metrics().Registry().Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == "gitlab_syslog_messages_sent_total" {
				return mf.GetMetric()[0].GetCounter().GetValue()
			}
		}
		t.Fatal("no gitlab_syslog_messages_sent_total in the scrape")
		return 0
	}
	waitFor(t, "10 messages counted sent", 10*time.Second, func() bool { return sent() >= 10 })
	before := sent()
	r2 := &received{msgs: map[string]int{}}
	col2, err := syslogtest.Listen("127.0.0.1:0", r2.add)
	if err != nil {
		t.Fatal(err)
	}
	defer col2.Close()
	nc := *c
	nc.Forward.URL = "tcp://" + col2.Addr()
	if err := a.Reload(ctx, &nc); err != nil {
		t.Fatal(err)
	}
	writeAccessLines(t, path, 10, 5)
	waitFor(t, "5 lines at the new collector", 10*time.Second, func() bool { return r2.count() == 5 })
	waitFor(t, "messages_sent_total to count them on top of the old forwarder's", 10*time.Second, func() bool { return sent() >= before+5 })
}

// TestKeepStateDirSpools: a reload that changes only state_dir keeps the
// running one, and with it the spool directories that are under it by
// default, so that the streaming block, not edited, does not read as
// changed (fresh-user trial 112 was warned of streaming changes); a
// spool_dir set in the file stays as set.
func TestKeepStateDirSpools(t *testing.T) {
	const rest = "forward:\n  url: tcp://127.0.0.1:514\nsources:\n  - {type: audit, path: /a.log}\nstreaming:\n  listen: 127.0.0.1:8088\n  tokens: [t0123456789abcdef]\n"
	var logs syncBuffer
	a := &Agent{log: slog.New(slog.NewTextHandler(&logs, nil))}
	old := resolved(t, "state_dir: /s1\n"+rest)
	cfg := resolved(t, "state_dir: /s2\n"+rest)
	a.keepStateDir(old, cfg)
	if cfg.StateDir != "/s1" || cfg.Streaming.SpoolDir != old.Streaming.SpoolDir {
		t.Errorf("state_dir %q, streaming.spool_dir %q; want the running %q and %q", cfg.StateDir, cfg.Streaming.SpoolDir, old.StateDir, old.Streaming.SpoolDir)
	}
	if !reflect.DeepEqual(cfg.Streaming, old.Streaming) {
		t.Errorf("the streaming block reads as changed:\n%+v\n%+v", cfg.Streaming, old.Streaming)
	}
	set := resolved(t, "state_dir: /s2\n"+rest+"  spool_dir: /spool\n")
	a.keepStateDir(old, set)
	if set.Streaming.SpoolDir != "/spool" {
		t.Errorf("streaming.spool_dir %q, want /spool as set", set.Streaming.SpoolDir)
	}
}

// resolved returns the configuration text (as agent.yaml) parsed and
// resolved, failing t on an error.
func resolved(t *testing.T, text string) *config.Config {
	t.Helper()
	c, err := config.Parse([]byte(text), "agent.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	return c
}
