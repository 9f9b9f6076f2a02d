package tailer

import (
	"compress/gzip"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// testConfig returns a Config with short intervals for tests.
func testConfig(t *testing.T, path string) Config {
	t.Helper()
	return Config{
		Path:               path,
		StateDir:           filepath.Join(t.TempDir(), "state"),
		PollInterval:       10 * time.Millisecond,
		RotateWait:         150 * time.Millisecond,
		CheckpointInterval: 10 * time.Millisecond,
		ShutdownTimeout:    2 * time.Second,
		Logger:             slog.New(slog.NewTextHandler(testLog{t}, nil)),
	}
}

// testLog sends the tailer's log to the test's log.
type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

type gotLine struct {
	text string
	end  int64
	name string
	file FileID
	cut  bool // Batch.IsCut
}

// collector consumes a Tailer's batches like the agent does: it keeps a
// copy of every line, commits and releases each batch.
type collector struct {
	t       *testing.T
	tl      *Tailer
	mu      sync.Mutex
	lines   []gotLine
	batches int // batches received
	notify  chan struct{}
	gate    chan struct{} // when non-nil, the consumer waits until it is closed
	gateMu  sync.Once
	cancel  context.CancelFunc
	done    chan error
	cdone   chan struct{}
}

func start(t *testing.T, cfg Config) *collector {
	t.Helper()
	tl, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return startTailer(t, tl, nil)
}

func startTailer(t *testing.T, tl *Tailer, gate chan struct{}) *collector {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c := &collector{t: t, tl: tl, notify: make(chan struct{}, 1), gate: gate, cancel: cancel,
		done: make(chan error, 1), cdone: make(chan struct{})}
	go func() { c.done <- tl.Run(ctx) }()
	go func() {
		defer close(c.cdone)
		for b := range tl.Batches() {
			if c.gate != nil {
				<-c.gate
			}
			c.mu.Lock()
			c.batches++
			for i := 0; i < b.Len(); i++ {
				c.lines = append(c.lines, gotLine{string(b.Line(i)), b.Offsets[i], b.Name, b.File, b.IsCut(i)})
			}
			c.mu.Unlock()
			tl.Commit(b, b.Len())
			tl.Release(b)
			select {
			case c.notify <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() { c.stop() })
	return c
}

// stop cancels Run and waits for it and the consumer.
func (c *collector) stop() error {
	if c.cancel == nil {
		return nil
	}
	c.cancel()
	c.cancel = nil
	c.openGate()
	var err error
	select {
	case err = <-c.done:
	case <-time.After(10 * time.Second):
		c.t.Fatalf("Run did not return after cancel")
	}
	<-c.cdone
	return err
}

// openGate lets a gated consumer run.
// openGateFor opens the gate, waits for len(want) lines, stops the
// tailer and checks that the lines are want, in order.
func (c *collector) openGateFor(want []string) {
	c.t.Helper()
	c.openGate()
	c.waitN(len(want))
	c.stop()
	checkExactly(c.t, c.texts(), want)
}

func (c *collector) openGate() {
	if c.gate != nil {
		c.gateMu.Do(func() { close(c.gate) })
	}
}

// cutLines returns the indexes of the lines received that were marked cut.
func (c *collector) cutLines() []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int
	for i, l := range c.lines {
		if l.cut {
			out = append(out, i)
		}
	}
	return out
}

func (c *collector) texts() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.lines))
	for i, l := range c.lines {
		out[i] = l.text
	}
	return out
}

func (c *collector) got() []gotLine {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]gotLine(nil), c.lines...)
}

// waitFor waits until cond holds for the lines received, failing after 10s.
func (c *collector) waitFor(what string, cond func([]string) bool) {
	c.t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if cond(c.texts()) {
			return
		}
		select {
		case <-c.notify:
		case <-tick.C:
		case <-deadline.C:
			got := c.texts()
			if len(got) > 20 {
				got = append(got[:10:10], append([]string{"..."}, got[len(got)-10:]...)...)
			}
			c.t.Fatalf("timed out waiting for %s; have %d lines: %q; stats %+v", what, len(c.texts()), got, c.tl.Stats())
		}
	}
}

// waitN waits for at least n lines.
func (c *collector) waitN(n int) {
	c.t.Helper()
	c.waitFor(fmt.Sprintf("%d lines", n), func(l []string) bool { return len(l) >= n })
}

// waitStats waits until cond holds for the Tailer's stats.
func waitStats(t *testing.T, tl *Tailer, what string, cond func(Stats) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond(tl.Stats()) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; stats %+v", what, tl.Stats())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitOpen waits until the file at name is open in this process (a link
// in /proc/self/fd names it): the tailer, blocked, opened it ahead (see
// Tailer.watchBlocked). It fails after 10 s, and skips the test where
// /proc/self/fd is not there.
func waitOpen(t *testing.T, name string) {
	t.Helper()
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skipf("no /proc/self/fd to tell open files: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !isOpen(name) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for the tailer to open %s", name)
		}
		time.Sleep(time.Millisecond)
	}
}

// isOpen reports whether a descriptor of this process names the file at
// name.
func isOpen(name string) bool {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return false
	}
	for _, fd := range fds {
		if l, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && l == name {
			return true
		}
	}
	return false
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t *testing.T, name, data string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
}

// numbered returns lines "<prefix>-<i>" for i in [from,to), newline-terminated.
func numbered(prefix string, from, to int) string {
	var sb strings.Builder
	for i := from; i < to; i++ {
		fmt.Fprintf(&sb, "%s-%06d\n", prefix, i)
	}
	return sb.String()
}

func linesOf(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// checkExactly fails unless got equals want.
func checkExactly(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d\nfirst diff: %s\nmissing: %q\nextra: %q", len(got), len(want), firstDiff(got, want), minus(want, got), minus(got, want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("line %d: got %q, want %q", i, got[i], want[i])
		}
	}
}

// minus returns the lines of a that b lacks, counting repeats: a line twice
// in a and once in b is listed once.
func minus(a, b []string) []string {
	have := make(map[string]int, len(b))
	for _, l := range b {
		have[l]++
	}
	var out []string
	for _, l := range a {
		if have[l] > 0 {
			have[l]--
			continue
		}
		out = append(out, l)
	}
	return out
}

func firstDiff(got, want []string) string {
	for i := 0; i < min(len(got), len(want)); i++ {
		if got[i] != want[i] {
			return fmt.Sprintf("line %d: got %q want %q", i, got[i], want[i])
		}
	}
	if len(got) > len(want) {
		return fmt.Sprintf("extra line %d: %q", len(want), got[len(want)])
	}
	if len(want) > len(got) {
		return fmt.Sprintf("missing line %d: %q", len(got), want[len(got)])
	}
	return "none"
}

// startLive starts a tailer on a new empty file, with a PollInterval of
// 100ms so that a steady flow is polled, and opens the file for appending.
func startLive(t *testing.T) (*collector, *os.File, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, "")
	cfg := testConfig(t, path)
	cfg.PollInterval = 100 * time.Millisecond
	c := start(t, cfg)
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return c, w, path
}

// testStore opens the checkpoint store of dir.
func testStore(t testing.TB, dir string) *checkpoint.Store {
	t.Helper()
	st, err := checkpoint.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// checkpointFile returns the name of the file holding path's position in dir.
func checkpointFile(t testing.TB, dir, path string) string {
	t.Helper()
	return filepath.Join(dir, checkpoint.PositionKey(path)+".json") // checkpoint.Store.File
}

// blockedInGen0 writes 50 lines ("gen0") to app.log in a new directory and
// starts a Tailer on it whose consumer never takes a batch, with a batch
// per line and a queue of one: it returns once the tailer is blocked in
// the middle of gen0 (one batch held by the gated consumer, one in the
// channel, one being sent), with the path, the tailer and its collector.
func blockedInGen0(t *testing.T) (string, *Tailer, *collector) {
	t.Helper()
	return blockedIn(t, "")
}

// blockedIn is blockedInGen0 with head before gen0's lines.
func blockedIn(t *testing.T, head string) (string, *Tailer, *collector) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, head+numbered("gen0", 0, 50))
	cfg := testConfig(t, path)
	cfg.BatchLines = 1
	cfg.QueueLen = 1
	tl, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := startTailer(t, tl, make(chan struct{}))
	waitStats(t, tl, "the tailer blocked on its consumer", func(s Stats) bool { return s.Outstanding == 3 })
	return path, tl, c
}

// writeGzip writes data gzip-compressed to a new file name, with no time
// in its header, as the kubelet compresses.
func writeGzip(t *testing.T, name string, data []byte) {
	t.Helper()
	writeGzipMod(t, name, data, time.Time{})
}

// writeGzipMod writes data gzip-compressed to a new file name, with mod in
// its header's MTIME (the compressed file's time, as gzip records it;
// zero: none).
func writeGzipMod(t *testing.T, name string, data []byte, mod time.Time) {
	t.Helper()
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	zw.ModTime = mod
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// nextBatch returns the next batch tl hands out, failing t after 10 s
// without one.
func nextBatch(t *testing.T, tl *Tailer) *Batch {
	t.Helper()
	select {
	case b := <-tl.Batches():
		return b
	case <-time.After(10 * time.Second):
		t.Fatal("no batch")
		return nil
	}
}

// runTailer makes a Tailer of cfg and runs it until cancel; done gets
// what Run returned. The caller takes its batches.
func runTailer(t *testing.T, cfg Config) (tl *Tailer, cancel context.CancelFunc, done chan error) {
	t.Helper()
	tl, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done = make(chan error, 1)
	go func() { done <- tl.Run(ctx) }()
	return tl, cancel, done
}

// neverCommit consumes tl's batches as a collector that never
// acknowledges (a collector down): it releases each batch without a
// commit, and once the batches channel is closed sends on the channel it
// returns the number of lines it was handed.
func neverCommit(tl *Tailer) <-chan int {
	read := make(chan int, 1)
	go func() {
		n := 0
		for b := range tl.Batches() {
			n += b.Len()
			tl.Release(b)
		}
		read <- n
	}()
	return read
}

// runCommitted starts a tailer of cfg, waits for n lines and for it to follow
// the file, runs during (when not nil), waits until every batch is
// committed, stops it cleanly and returns the lines it delivered: one run
// of a test of restarts.
func runCommitted(t *testing.T, cfg Config, n int, during func(col *collector)) []string {
	t.Helper()
	col := start(t, cfg)
	col.waitN(n)
	waitStats(t, col.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
	if during != nil {
		during(col)
	}
	waitStats(t, col.tl, "all committed", func(s Stats) bool { return s.Outstanding == 0 })
	if err := col.stop(); err != nil {
		t.Fatal(err)
	}
	return col.texts()
}
