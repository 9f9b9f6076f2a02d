package tailer

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

func TestMissingFileAndDirectoryAtStart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "not", "yet")
	path := filepath.Join(dir, "app.log")
	c := start(t, testConfig(t, path))
	waitStats(t, c.tl, "waiting", func(s Stats) bool { return s.Mode == ModeWaiting })
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, "one\ntwo\n")
	c.waitN(2)
	c.stop()
	checkExactly(t, c.texts(), []string{"one", "two"})
}

// Running as root, chmod cannot make open fail; a directory in place of the
// file makes every reopen fail until a regular file is back.
func TestReopenFailureRetries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, "a\n")
	c := start(t, testConfig(t, path))
	c.waitN(1)
	waitStats(t, c.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	waitStats(t, c.tl, "reopen failures", func(s Stats) bool { return s.ReopenFailures >= 2 })
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, "b\n")
	c.waitN(2)
	c.stop()
	checkExactly(t, c.texts(), []string{"a", "b"})
}

func TestSecondTailerOnSamePathRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, "a\n")
	c := start(t, testConfig(t, path))
	c.waitN(1)
	tl2, err := New(testConfig(t, path))
	if err != nil {
		t.Fatal(err)
	}
	if err := tl2.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "already followed") {
		t.Fatalf("second Run on the same path: err = %v, want 'already followed'", err)
	}
	// Stop and follow again: a fresh Tailer on the same path works (and
	// resumes from the checkpoint: nothing is delivered twice).
	c.stop()
	appendFile(t, path, "b\n")
	cfg := c.tl.cfg
	c2 := start(t, cfg)
	c2.waitN(1)
	appendFile(t, path, "c\n")
	c2.waitN(2)
	c2.stop()
	checkExactly(t, c2.texts(), []string{"b", "c"})
}

func TestCommitOrder(t *testing.T) {
	tl, cfg, bs, cancel, done := runBatches(t, 3)
	committed := func() int64 { return tl.Stats().CommittedOffset }
	tl.Commit(bs[1], 10) // before batch 0's: kept, the checkpoint stays
	if got := committed(); got != 0 || tl.Stats().CommitGaps != 1 {
		t.Fatalf("out-of-order commit moved the checkpoint to %d (gaps %d)", got, tl.Stats().CommitGaps)
	}
	tl.Commit(bs[0], 4)
	if got, want := committed(), bs[0].Offsets[3]; got != want {
		t.Fatalf("partial commit: %d, want %d", got, want)
	}
	tl.Commit(bs[1], 10) // batch 0 is not complete: still a gap
	if got, want := committed(), bs[0].Offsets[3]; got != want {
		t.Fatalf("commit past uncommitted lines moved the checkpoint to %d", got)
	}
	tl.Commit(bs[0], 10)
	tl.Commit(bs[1], 10)
	tl.Commit(bs[0], 10) // stale: ignored
	if got, want := committed(), bs[1].Offsets[9]; got != want {
		t.Fatalf("in-order commits: %d, want %d", got, want)
	}
	stopCommitted(t, tl, bs, cancel, done, cfg, bs[1].Offsets[9])
}

// runBatches runs a tailer (runTailer) on a new file of n batches of 10
// lines and returns it, its config and the n batches, received and not
// committed.
func runBatches(t *testing.T, n int) (*Tailer, Config, []*Batch, context.CancelFunc, chan error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, numbered("a", 0, 10*n))
	cfg := testConfig(t, path)
	cfg.BatchLines = 10
	tl, cancel, done := runTailer(t, cfg)
	bs := make([]*Batch, 0, n)
	for len(bs) < n {
		bs = append(bs, <-tl.Batches())
	}
	return tl, cfg, bs, cancel, done
}

// stopCommitted releases bs, stops the tailer runTailer started (cancel,
// done) and checks that the checkpoint it saved is at offset want.
func stopCommitted(t *testing.T, tl *Tailer, bs []*Batch, cancel func(), done <-chan error, cfg Config, want int64) {
	t.Helper()
	for _, b := range bs {
		tl.Release(b)
	}
	cancel()
	for b := range tl.Batches() {
		tl.Release(b)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if ck := readCheckpoint(t, cfg); ck.Offset != want {
		t.Errorf("final checkpoint offset %d, want %d", ck.Offset, want)
	}
}

// TestCommitEarly commits batches out of order, as a consumer whose
// acknowledgements overtake one another does (the agent's forwarder
// acknowledged a batch of no message, all its lines parts of a longer
// container log line or blank, at once, before the batches sent before it:
// fresh-user trial 72). The early commit must not move the checkpoint past
// uncommitted lines, and once they are committed the checkpoint must go
// on advancing with every commit, the early one included; before, it was
// ignored and every later commit was a gap, so the checkpoint never moved
// again and a restart sent everything since once more.
func TestCommitEarly(t *testing.T) {
	type step struct {
		batch int
		n     int  // lines to commit; 0: all
		held  bool // CommitHeld, holding at the batch's line 5
		// want is the checkpoint after the step, as the end of line
		// wantLine of batch wantBatch (wantLine -1: the batch's start);
		// wantBatch -1: offset 0.
		wantBatch, wantLine int
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"next before previous", []step{
			{batch: 1, wantBatch: -1},
			{batch: 0, wantBatch: 1, wantLine: 9},
			{batch: 2, wantBatch: 2, wantLine: 9},
		}},
		{"several early, in reverse", []step{
			{batch: 3, wantBatch: -1},
			{batch: 2, wantBatch: -1},
			{batch: 1, wantBatch: -1},
			{batch: 0, wantBatch: 3, wantLine: 9},
			{batch: 4, wantBatch: 4, wantLine: 9},
		}},
		{"early while the batch before is partly committed", []step{
			{batch: 0, n: 4, wantBatch: 0, wantLine: 3},
			{batch: 1, wantBatch: 0, wantLine: 3},
			{batch: 0, n: 7, wantBatch: 0, wantLine: 6},
			{batch: 0, wantBatch: 1, wantLine: 9},
			{batch: 2, wantBatch: 2, wantLine: 9},
		}},
		{"early commit held", []step{
			{batch: 1, held: true, wantBatch: -1},
			{batch: 0, wantBatch: 1, wantLine: 4},
			{batch: 2, wantBatch: 2, wantLine: 9},
		}},
		{"early commit after a held one", []step{
			{batch: 1, wantBatch: -1},
			{batch: 0, held: true, wantBatch: 1, wantLine: 9},
		}},
		{"a batch never committed holds it back", []step{
			{batch: 0, wantBatch: 0, wantLine: 9},
			{batch: 2, wantBatch: 0, wantLine: 9},
			{batch: 3, wantBatch: 0, wantLine: 9},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tl, cfg, bs, cancel, done := runBatches(t, 5)
			var want int64
			for i, st := range tc.steps {
				b := bs[st.batch]
				switch {
				case st.held:
					tl.CommitHeld(b, b.StartOf(5))
				case st.n > 0:
					tl.Commit(b, st.n)
				default:
					tl.Commit(b, b.Len())
				}
				want = 0
				if st.wantBatch >= 0 {
					want = bs[st.wantBatch].Offsets[st.wantLine]
				}
				if got := tl.Stats().CommittedOffset; got != want {
					t.Fatalf("step %d (batch %d): checkpoint at %d, want %d", i, st.batch, got, want)
				}
			}
			stopCommitted(t, tl, bs, cancel, done, cfg, want)
		})
	}
}

// TestCheckpointAlwaysValid reads the checkpoint file while it is rewritten
// every few milliseconds: every read must see one complete JSON document.
func TestCheckpointAlwaysValid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, "")
	cfg := testConfig(t, path)
	cfg.CheckpointInterval = time.Millisecond
	c := start(t, cfg)
	var stop atomic.Bool
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		for i := 0; !stop.Load(); i++ {
			appendFile(t, path, fmt.Sprintf("line-%d\n", i))
			time.Sleep(200 * time.Microsecond)
		}
	}()
	name := checkpointFile(t, cfg.StateDir, path)
	reads := 0
	deadline := time.Now().Add(20 * time.Second)
	for c.tl.Stats().CheckpointWrites < 50 || reads < 200 {
		if time.Now().After(deadline) {
			t.Fatalf("after 20s: %d checkpoint writes, %d reads", c.tl.Stats().CheckpointWrites, reads)
		}
		data, err := os.ReadFile(name)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		var ck checkpoint.Position
		if err := json.Unmarshal(data, &ck); err != nil {
			t.Fatalf("checkpoint read %d is not valid JSON: %v: %q", reads, err, data)
		}
		reads++
	}
	stop.Store(true)
	<-writerDone
	c.stop()
	if reads == 0 {
		t.Fatal("never read the checkpoint")
	}
	entries, _ := os.ReadDir(cfg.StateDir)
	if len(entries) != 1 {
		t.Errorf("state dir holds %d entries, want only the checkpoint (temp files left?)", len(entries))
	}
}

// TestKillResume runs a tailer in a child process, kills it with SIGKILL
// while it delivers, and checks that a new Tailer resumes exactly at the
// checkpoint, which never passed the lines the child delivered.
func TestKillResume(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	const n = 100000
	writeFile(t, path, numbered("k", 0, n))
	cfg := testConfig(t, path)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperTailer$")
	cmd.Env = append(os.Environ(), "TAILER_HELPER_PATH="+path, "TAILER_HELPER_STATE="+cfg.StateDir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The child prints the end offset of each line it delivered before it
	// commits it. Kill it once a checkpoint exists and it is well on.
	sc := bufio.NewScanner(out)
	var delivered int64
	ckName := checkpointFile(t, cfg.StateDir, path)
	for sc.Scan() {
		off, err := strconv.ParseInt(sc.Text(), 10, 64)
		if err != nil {
			continue
		}
		delivered = off
		if _, err := os.Stat(ckName); err == nil && delivered > 300000 {
			break
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	for sc.Scan() { // lines printed before the kill landed
		if off, err := strconv.ParseInt(sc.Text(), 10, 64); err == nil {
			delivered = off
		}
	}
	cmd.Wait()
	ck := readCheckpoint(t, cfg)
	if ck.Offset <= 0 || ck.Offset > delivered {
		t.Fatalf("checkpoint offset %d outside (0, %d] (last delivered)", ck.Offset, delivered)
	}
	lineLen := int64(len("k-000000\n"))
	if ck.Offset%lineLen != 0 {
		t.Fatalf("checkpoint offset %d is inside a line", ck.Offset)
	}
	first := int(ck.Offset / lineLen)
	c := start(t, cfg)
	c.waitN(n - first)
	c.stop()
	checkExactly(t, c.texts(), linesOf(numbered("k", first, n)))
}

// TestHelperTailer is the child of TestKillResume.
func TestHelperTailer(t *testing.T) {
	path := os.Getenv("TAILER_HELPER_PATH")
	if path == "" {
		t.Skip("helper process for TestKillResume")
	}
	tl, err := New(Config{Path: path, StateDir: os.Getenv("TAILER_HELPER_STATE"),
		CheckpointInterval: 5 * time.Millisecond, BatchLines: 100})
	if err != nil {
		t.Fatal(err)
	}
	go tl.Run(context.Background())
	w := bufio.NewWriter(os.Stdout)
	for b := range tl.Batches() {
		for i := range b.Offsets {
			fmt.Fprintln(w, b.Offsets[i])
		}
		w.Flush()
		tl.Commit(b, b.Len())
		tl.Release(b)
		time.Sleep(100 * time.Microsecond)
	}
}
