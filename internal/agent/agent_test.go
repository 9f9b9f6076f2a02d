package agent

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

var testdata = filepath.Join("..", "..", "testdata")

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// newConfig returns a resolved, validated config for the sources.
func newConfig(t *testing.T, url string, sources ...config.Source) *config.Config {
	t.Helper()
	c := &config.Config{StateDir: t.TempDir(), LogDir: t.TempDir(), Hostname: "testhost", Sources: sources}
	c.Forward.URL = url
	if _, err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return c
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// runToEOF runs the agent on c with ExitAtEOF (messages for stdout:// go to
// stdout) and returns once every line was acknowledged.
func runToEOF(t *testing.T, c *config.Config, stdout io.Writer) *Agent {
	t.Helper()
	return runToEOFWith(t, c, Options{Logger: testLogger(t), Stdout: stdout})
}

// runToEOFWith is runToEOF with the options opts (ExitAtEOF set).
func runToEOFWith(t *testing.T, c *config.Config, opts Options) *Agent {
	t.Helper()
	opts.ExitAtEOF = true
	a, err := New(c, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatal("--once did not exit at EOF")
	}
	return a
}

// runInBackground starts the agent on c (Logger testLogger unless opts sets one). ctx is
// Run's context, for Reload; stop cancels it and fails the test when Run
// returned an error.
func runInBackground(t *testing.T, c *config.Config, opts Options) (a *Agent, ctx context.Context, stop func()) {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = testLogger(t)
	}
	a, err := New(c, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	return a, ctx, func() {
		t.Helper()
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// runOnce runs the agent on c (forwarding to stdout://) to EOF and returns
// the messages it printed.
func runOnce(t *testing.T, c *config.Config) (*Agent, []syslogtest.Message) {
	t.Helper()
	var out bytes.Buffer
	a := runToEOF(t, c, &out)
	var msgs []syslogtest.Message
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		line := append([]byte(nil), sc.Bytes()...)
		m, err := syslogtest.Parse(line)
		if err != nil {
			t.Fatalf("%v: %q", err, line)
		}
		msgs = append(msgs, m)
	}
	return a, msgs
}

func TestRunOnceBundledSamples(t *testing.T) {
	srcs := sampleSources()
	c := newConfig(t, "stdout://", srcs...)
	a, msgs := runOnce(t, c)

	// Every line of every file arrives once, in file order, with its
	// APP-NAME, MSGID, facility local7, and MSG = the line byte for byte.
	byApp := map[string][]syslogtest.Message{}
	for _, m := range msgs {
		byApp[string(m.AppName)] = append(byApp[string(m.AppName)], m)
	}
	alerts := len(byApp[appNameDetections]) // checked in detect_test.go
	delete(byApp, appNameDetections)
	want := map[string][]string{
		config.AppNameAudit:       readLines(t, srcs[0].Path),
		config.AppNameApplication: append(readLines(t, srcs[1].Path), readLines(t, srcs[2].Path)...),
		config.AppNameAccess:      readLines(t, srcs[3].Path),
		config.AppNameAuth:        readLines(t, srcs[4].Path),
	}
	total := 0
	for app, lines := range want {
		got := byApp[app]
		total += len(lines)
		if len(got) != len(lines) {
			t.Errorf("%s: %d messages, want %d", app, len(got), len(lines))
			continue
		}
		seen := map[string]int{}
		for _, m := range got {
			seen[string(m.Msg)]++
			if m.Facility() != 23 || string(m.Hostname) != "testhost" {
				t.Errorf("%s: facility %d host %q", app, m.Facility(), m.Hostname)
			}
		}
		for _, l := range lines {
			if seen[l] == 0 {
				t.Errorf("%s: line not forwarded byte for byte: %q", app, l)
			}
			seen[l]--
		}
	}
	if len(msgs) != total+alerts {
		t.Errorf("%d messages, want %d lines and %d alerts", len(msgs), total, alerts)
	}
	// The samples all parse: every message carries structured data.
	for _, m := range msgs {
		if string(m.SD) == "-" {
			t.Errorf("%s line sent without structured data: %q", m.AppName, m.Msg)
		}
	}
	if got := counterValue(t, a.m.Source("audit", srcs[0].Path).LinesSent); got != float64(len(want[config.AppNameAudit])) {
		t.Errorf("lines_sent_total{audit} = %v", got)
	}
	if got := counterValue(t, a.m.Source("auth", srcs[4].Path).LinesSent); got != float64(len(want[config.AppNameAuth])) {
		t.Errorf("lines_sent_total{auth} = %v", got)
	}

	// A second run resumes from the checkpoints: nothing is sent again.
	_, again := runOnce(t, c)
	if len(again) != 0 {
		t.Errorf("second run re-sent %d messages", len(again))
	}
}

func TestUnparsableLinesForwardedRaw(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit_json.log")
	good := `{"severity":"INFO","time":"2024-05-10T17:46:49.065Z","author_id":1,"author_name":"Administrator","entity_id":1,"entity_type":"User","target_id":1,"target_type":"User","target_details":"Administrator"}`
	lines := []string{"this is not JSON", good, `{"severity":"INFO","time":`, "\xff\xfe binary \x00 bytes"}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := newConfig(t, "stdout://", config.Source{Type: "audit", Path: path})
	a, msgs := runOnce(t, c)
	if len(msgs) != len(lines) {
		t.Fatalf("%d messages, want %d", len(msgs), len(lines))
	}
	for i, m := range msgs {
		if string(m.Msg) != lines[i] {
			t.Errorf("message %d MSG = %q, want %q", i, m.Msg, lines[i])
		}
		wantSD := i == 1
		if (string(m.SD) != "-") != wantSD {
			t.Errorf("message %d: SD %q", i, m.SD)
		}
		if string(m.AppName) != config.AppNameAudit {
			t.Errorf("message %d: APP-NAME %q", i, m.AppName)
		}
	}
	if got := counterValue(t, a.m.Source("audit", path).ParseFailures); got != 3 {
		t.Errorf("parse_failures_total = %v, want 3", got)
	}
}

// checkpointOffset returns the offset saved for path, or -1.
func checkpointOffset(t *testing.T, stateDir, path string) int64 {
	data, err := os.ReadFile(checkpointFile(t, stateDir, path))
	if err != nil {
		return -1
	}
	var ck struct {
		Offset int64 `json:"offset"`
	}
	if err := json.Unmarshal(data, &ck); err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	return ck.Offset
}

type received struct {
	mu   sync.Mutex
	msgs map[string]int
}

func (r *received) add(m []byte) {
	p, err := syslogtest.Parse(m)
	if err != nil {
		panic(err)
	}
	r.mu.Lock()
	r.msgs[string(p.Msg)]++
	r.mu.Unlock()
}

func (r *received) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.msgs)
}

func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func writeAccessLines(t *testing.T, path string, from, n int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	for i := from; i < from+n; i++ {
		fmt.Fprintf(w, "203.0.113.7 - - [10/May/2024:17:46:49 +0000] \"GET /line/%06d HTTP/1.1\" 200 512 \"-\" \"curl/8.0\" -\n", i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
}

// TestCheckpointOnlyAfterAck runs the agent while the collector is down:
// lines are read but the checkpoint must not move until the collector
// comes up and the lines were written to it.
func TestCheckpointOnlyAfterAck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gitlab_access.log")
	writeAccessLines(t, path, 0, 3000)
	addr := fmt.Sprintf("127.0.0.1:%d", syslogtest.FreeTCPPort(t)) // nothing listens yet
	c := newConfig(t, "tcp://"+addr, config.Source{Type: "access", Path: path})
	a, _, stop := runInBackground(t, c, Options{StallLimit: 300 * time.Millisecond})

	time.Sleep(1500 * time.Millisecond) // several checkpoint intervals
	if off := checkpointOffset(t, c.StateDir, path); off > 0 {
		t.Fatalf("checkpoint at %d while the collector is down", off)
	}
	if err := a.Health(); err == nil || !strings.Contains(err.Error(), "connection refused (is the collector running?)") {
		t.Errorf("Health() = %v, want a stalled-forwarder error", err)
	}

	r := &received{msgs: map[string]int{}}
	col, err := syslogtest.Listen(addr, r.add)
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	waitFor(t, "3000 lines at the collector", 30*time.Second, func() bool { return r.count() == 3000 })
	writeAccessLines(t, path, 3000, 500) // following keeps working
	waitFor(t, "3500 lines at the collector", 30*time.Second, func() bool { return r.count() == 3500 })
	// The collector has the lines before the agent learns that TCP
	// acknowledged them: until then the last batch waits, and the time
	// since the last acknowledgement can pass StallLimit (1 run in 20).
	var health error
	deadline := time.Now().Add(10 * time.Second)
	for health = a.Health(); health != nil && time.Now().Before(deadline); health = a.Health() {
		time.Sleep(20 * time.Millisecond)
	}
	if health != nil {
		t.Errorf("Health() 10 s after recovery = %v", health)
	}
	stop()
	fi, _ := os.Stat(path)
	if off := checkpointOffset(t, c.StateDir, path); off != fi.Size() {
		t.Errorf("checkpoint at %d after a clean stop, want the file size %d", off, fi.Size())
	}
}

func TestReload(t *testing.T) {
	dir := t.TempDir()
	pathA := filepath.Join(dir, "a_access.log")
	pathB := filepath.Join(dir, "b_access.log")
	writeAccessLines(t, pathA, 0, 10)
	writeAccessLines(t, pathB, 100, 10)
	r := &received{msgs: map[string]int{}}
	col, err := syslogtest.Listen("127.0.0.1:0", r.add)
	if err != nil {
		t.Fatal(err)
	}
	defer col.Close()
	c := newConfig(t, "tcp://"+col.Addr(), config.Source{Type: "access", Path: pathA})
	var logs syncBuffer
	a, ctx, stop := runInBackground(t, c, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	waitFor(t, "A's 10 lines", 10*time.Second, func() bool { return r.count() == 10 })

	nc := *c
	nc.Sources = []config.Source{{Type: "access", Path: pathB, AppName: "Custom-Access", StartAt: "beginning"}}
	if err := a.Reload(ctx, &nc); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "B's 10 lines", 10*time.Second, func() bool { return r.count() == 20 })
	writeAccessLines(t, pathA, 10, 5) // A is no longer followed
	writeAccessLines(t, pathB, 110, 5)
	waitFor(t, "B's new lines", 10*time.Second, func() bool { return r.count() == 25 })
	time.Sleep(300 * time.Millisecond)
	if n := r.count(); n != 25 {
		t.Errorf("%d distinct lines, want 25 (A must not be followed after the reload)", n)
	}
	if want := "reload: source removed; no longer followed"; !strings.Contains(logs.String(), want) || !strings.Contains(logs.String(), "path="+pathA) {
		t.Errorf("the log does not say that %s is no longer followed (%q):\n%s", pathA, want, logs.String())
	}
	stop()
}

func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// scrapedValue gathers a's metrics as a scrape does and returns the value
// of the metric name of the source following path; it fails the test when
// there is none.
func scrapedValue(t *testing.T, a *Agent, name, path string) float64 {
	t.Helper()
	mfs, err := a.Metrics().Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "path" && l.GetValue() == path {
					if c := m.GetCounter(); c != nil {
						return c.GetValue()
					}
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	t.Fatalf("no %s{path=%q} in the scrape", name, path)
	return 0
}

// TestRotationMetrics: a copytruncate and a rename rotation of a followed
// file show in truncations_total, recovered_bytes_total and
// rotations_total, rotated_files_unread_total is exported (0), and every
// line is still sent once.
func TestRotationMetrics(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gitlab_access.log")
	writeAccessLines(t, path, 0, 100)
	c := newConfig(t, "stdout://", config.Source{Type: "access", Path: path})
	var out syslogtest.Buffer
	a, _, stop := runInBackground(t, c, Options{Stdout: &out})
	m := a.Metrics().Source("access", path)
	sent := func(n float64) func() bool { return func() bool { return counterValue(t, m.LinesSent) >= n } }
	waitFor(t, "100 lines sent", 10*time.Second, sent(100))

	// copytruncate: 50 lines the agent has not seen are only in the copy.
	writeAccessLines(t, path+".tmp", 100, 50)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	extra, err := os.ReadFile(path + ".tmp")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".1", append(data, extra...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path + ".tmp"); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	writeAccessLines(t, path, 150, 10)
	waitFor(t, "160 lines sent", 10*time.Second, sent(160))

	// rename rotation
	if err := os.Rename(path, path+".2"); err != nil {
		t.Fatal(err)
	}
	writeAccessLines(t, path, 160, 10)
	waitFor(t, "170 lines sent", 20*time.Second, sent(170))
	scraped := func(name string) float64 { return scrapedValue(t, a, name, path) }
	// Read when scraped: no tick in between.
	if got := scraped("gitlab_syslog_rotations_total"); got != 1 {
		t.Errorf("rotations_total while running = %v, want 1", got)
	}
	stop()
	if got := scraped("gitlab_syslog_truncations_total"); got != 1 {
		t.Errorf("truncations_total = %v, want 1", got)
	}
	if got := scraped("gitlab_syslog_rotations_total"); got != 1 {
		t.Errorf("rotations_total = %v, want 1", got)
	}
	if got, want := scraped("gitlab_syslog_recovered_bytes_total"), float64(len(extra)); got != want {
		t.Errorf("recovered_bytes_total = %v, want %v (the 50 lines only in the copy)", got, want)
	}
	if got := scraped("gitlab_syslog_checkpoint_errors_total"); got != 0 {
		t.Errorf("checkpoint_errors_total = %v, want 0", got)
	}
	// The copy read after the truncation (.1) is no unseen rotation.
	if got := scraped("gitlab_syslog_rotated_files_unread_total"); got != 0 {
		t.Errorf("rotated_files_unread_total = %v, want 0", got)
	}
	if n := strings.Count(out.String(), "\n"); n != 170 {
		t.Errorf("%d messages written, want 170", n)
	}
}

// checkpointFile returns the file that holds the tailer's position of path
// in the state directory dir.
func checkpointFile(t testing.TB, dir, path string) string {
	t.Helper()
	return filepath.Join(dir, checkpoint.PositionKey(path)+".json") // checkpoint.Store.File
}

// TestCheckpointAfterEmptyBatch: a batch that gives no message (its lines
// blank, or container records whose subcomponent is dropped) is
// acknowledged by the forwarder at once, before the batches sent before
// it, whose messages wait for the collector. The checkpoint must still
// follow every line once they are delivered; before, the early commit was
// ignored, every later commit was a gap, and the checkpoint never moved
// again (fresh-user trial 72).
func TestCheckpointAfterEmptyBatch(t *testing.T) {
	access := func(i int) string {
		return fmt.Sprintf("203.0.113.7 - - [10/May/2024:17:46:49 +0000] \"GET /line/%06d HTTP/1.1\" 200 512 \"-\" \"curl/8.0\" -\n", i)
	}
	cri := func(sub string, i int) string {
		return fmt.Sprintf(`2026-12-01T10:00:00.%09dZ stdout F {"component":"gitlab","subcomponent":"%s","level":"info","message":{"severity":"INFO","time":"2026-12-01T10:00:00.000Z","correlation_id":"c%d","message":"line %d"}}`+"\n", i, sub, i, i)
	}
	cases := []struct {
		name   string
		source config.Source // Path set by the test
		file   string        // the file's name
		sent   func(i int) string
		empty  string // lines that give no message
	}{
		{"blank lines", config.Source{Type: "access"}, "gitlab_access.log", access, "\n\n"},
		{"dropped subcomponent", config.Source{Format: "cri"}, "web_gitlab_webservice-0123.log",
			func(i int) string { return cri("application_json", i) }, cri("production_json", 999)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.file)
			write := func(s string) {
				t.Helper()
				f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if _, err := f.WriteString(s); err != nil {
					t.Fatal(err)
				}
			}
			for i := range 10 {
				write(tc.sent(i))
			}
			addr := fmt.Sprintf("127.0.0.1:%d", syslogtest.FreeTCPPort(t)) // nothing listens yet
			src := tc.source
			src.Path = path
			c := newConfig(t, "tcp://"+addr, src)
			a, _, stop := runInBackground(t, c, Options{})
			waitFor(t, "the lines read", 10*time.Second, func() bool { return linesRead(t, a, path) >= 10 })
			write(tc.empty) // a batch of its own, acknowledged at once
			waitFor(t, "the empty batch read", 10*time.Second, func() bool { return linesRead(t, a, path) > 10 })
			time.Sleep(200 * time.Millisecond)

			r := &received{msgs: map[string]int{}}
			col, err := syslogtest.Listen(addr, r.add)
			if err != nil {
				t.Fatal(err)
			}
			defer col.Close()
			waitFor(t, "10 lines at the collector", 30*time.Second, func() bool { return r.count() == 10 })
			for i := 10; i < 20; i++ {
				write(tc.sent(i))
				time.Sleep(10 * time.Millisecond)
			}
			waitFor(t, "20 lines at the collector", 30*time.Second, func() bool { return r.count() == 20 })
			fi, _ := os.Stat(path)
			waitFor(t, "the checkpoint at the end of the file", 10*time.Second, func() bool {
				return checkpointOffset(t, c.StateDir, path) == fi.Size()
			})
			// lines_blank_total counts the blank lines, so that read =
			// sent + blank + dropped holds in the metrics too
			wantBlank := float64(strings.Count(tc.empty, "\n"))
			if tc.source.Format != "" {
				wantBlank = 0 // dropped, not blank
			}
			if got := scrapedValue(t, a, "gitlab_syslog_lines_blank_total", path); got != wantBlank {
				t.Errorf("lines_blank_total = %v, want %v", got, wantBlank)
			}
			stop()
		})
	}
}

// linesRead is the lines_read_total of path, 0 until it is exported.
func linesRead(t *testing.T, a *Agent, path string) float64 {
	t.Helper()
	mfs, err := a.Metrics().Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "gitlab_syslog_lines_read_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "path" && l.GetValue() == path {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
