package tailer

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestBacklogThenFollow runs with each follower: the backlog is read, then
// lines appended one write each come through, in order, with exact offsets.
func TestBacklogThenFollow(t *testing.T) {
	for _, f := range []Follower{FollowNotify, FollowNxadmTail} {
		t.Run(f.String(), func(t *testing.T) { backlogThenFollow(t, f) })
	}
}

func backlogThenFollow(t *testing.T, f Follower) {
	path := filepath.Join(t.TempDir(), "app.log")
	backlog := numbered("old", 0, 5000)
	writeFile(t, path, backlog)
	cfg := testConfig(t, path)
	cfg.Follower = f
	c := start(t, cfg)
	want := linesOf(backlog)
	c.waitN(len(want))
	waitStats(t, c.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
	live := numbered("new", 0, 300)
	for _, l := range linesOf(live) {
		appendFile(t, path, l+"\n")
	}
	want = append(want, linesOf(live)...)
	c.waitN(len(want))
	st := c.tl.Stats()
	c.stop()
	checkExactly(t, c.texts(), want)
	// offsets are exact: the last line ends at the file size
	g := c.got()
	if end := g[len(g)-1].end; end != int64(len(backlog)+len(live)) {
		t.Errorf("last offset %d, want %d", end, len(backlog)+len(live))
	}
	if f == FollowNotify && st.FollowedLines != 0 {
		t.Errorf("FollowedLines = %d with %s, want 0", st.FollowedLines, f)
	}
}

func TestPartialLineCRLFAndLongLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, "a\r\nb\n")
	cfg := testConfig(t, path)
	cfg.MaxLineBytes = 16
	c := start(t, cfg)
	c.waitN(2)
	waitStats(t, c.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
	appendFile(t, path, "par")
	appendFile(t, path, "tial\r\n")
	appendFile(t, path, strings.Repeat("x", 40)+"\n"+"end\n")
	c.waitN(5)
	c.stop()
	checkExactly(t, c.texts(), []string{"a", "b", "partial", strings.Repeat("x", 16), "end"})
	if s := c.tl.Stats(); s.TruncatedLines != 1 {
		t.Errorf("TruncatedLines = %d, want 1", s.TruncatedLines)
	}
	if cut := c.cutLines(); !slices.Equal(cut, []int{3}) {
		t.Errorf("lines marked cut: %v, want [3]", cut)
	}
}

// A burst of many MiB, written while following, arrives once, in order.
func TestBurstWhileFollowing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, "first\n")
	c := start(t, testConfig(t, path))
	c.waitN(1)
	waitStats(t, c.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
	var sb strings.Builder
	for i := 0; sb.Len() < 10<<20; i++ {
		fmt.Fprintf(&sb, "burst-%07d %s\n", i, strings.Repeat("p", 100))
	}
	burst := sb.String()
	appendFile(t, path, burst)
	want := append([]string{"first"}, linesOf(burst)...)
	c.waitN(len(want))
	c.stop()
	checkExactly(t, c.texts(), want)
}

// TestFollowLingerCoalesces checks that lines written one at a time to a
// followed file reach the consumer in a few batches, not one batch a line
// (Config.FollowLinger), and still exactly and in order.
func TestFollowLingerCoalesces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	writeFile(t, path, "")
	c := start(t, testConfig(t, path))
	waitStats(t, c.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
	live := linesOf(numbered("live", 0, 300))
	for _, l := range live {
		appendFile(t, path, l+"\n")
		time.Sleep(time.Millisecond)
	}
	c.waitN(len(live))
	c.stop()
	checkExactly(t, c.texts(), live)
	c.mu.Lock()
	batches := c.batches
	c.mu.Unlock()
	// 300 lines about 1ms apart with a 20ms linger come in some 15-30
	// batches; without the linger, in about 300. Half is a wide margin
	// for a loaded machine.
	if batches > len(live)/2 {
		t.Errorf("%d lines came in %d batches; the follow linger should coalesce them", len(live), batches)
	}
	t.Logf("%d lines in %d batches", len(live), batches)
}

// TestSteadyFlowPolls: lines written steadily to a followed file make the
// tailer read it every FollowLinger ("polling") in batches; once the flow
// stops it waits for notifications again ("following"), and a line
// written then still arrives.
func TestSteadyFlowPolls(t *testing.T) {
	c, w, _ := startLive(t)
	waitStats(t, c.tl, "following", func(s Stats) bool { return s.Mode == ModeFollowing })
	var want []string
	sawPolling := false
	for i := 0; i < 100; i++ {
		chunk := numbered("flow", 10*i, 10*i+10)
		if _, err := w.WriteString(chunk); err != nil {
			t.Fatal(err)
		}
		want = append(want, linesOf(chunk)...)
		time.Sleep(3 * time.Millisecond)
		sawPolling = sawPolling || c.tl.Stats().Mode == ModePolling
	}
	c.waitN(len(want))
	if !sawPolling {
		t.Errorf("the tailer never polled while %d lines were written over about 300ms; stats %+v", len(want), c.tl.Stats())
	}
	flowed := c.tl.Stats().FollowedLines
	if flowed != 0 {
		t.Errorf("FollowedLines = %d of %d: with FollowNotify the tailer's own reader reads every line", flowed, len(want))
	}
	// Read every few ms, the lines still go out about every FollowLinger
	// (20ms): some 15-30 batches over 300ms; without holding them, a
	// hundred or more.
	c.mu.Lock()
	batches := c.batches
	c.mu.Unlock()
	if batches > 60 {
		t.Errorf("%d lines came in %d batches; polling reads should be batched by FollowLinger", len(want), batches)
	}
	t.Logf("%d lines in %d batches, %d through nxadm/tail", len(want), batches, flowed)
	waitStats(t, c.tl, "following after the flow stopped", func(s Stats) bool { return s.Mode == ModeFollowing })
	if _, err := w.WriteString("quiet-1\n"); err != nil {
		t.Fatal(err)
	}
	want = append(want, "quiet-1")
	c.waitN(len(want))
	c.stop()
	checkExactly(t, c.texts(), want)
}

// TestNULPaddingOverMaxLine: NUL padding that takes a line over
// MaxLineBytes is cut to one NUL, with the part of a line a crash cut
// short before it if any, and the line after it kept, whether padding and
// line are read at once or across reads (fresh-user trial 89: 5,000 NULs
// before an audit line with a 1 KiB limit left MSG the first MaxLineBytes
// of NULs, the line lost; trial 90: the same after part of a line).
func TestNULPaddingOverMaxLine(t *testing.T) {
	for _, part := range []string{"", `{"severity":"INFO","ti`} {
		for _, nuls := range []int{5000, 300 << 10} {
			path := filepath.Join(t.TempDir(), "app.log")
			writeFile(t, path, part+strings.Repeat("\x00", nuls)+"line after the padding\nnext\n")
			cfg := testConfig(t, path)
			cfg.MaxLineBytes = 1024
			c := start(t, cfg)
			c.waitN(2)
			c.stop()
			checkExactly(t, c.texts(), []string{"\x00line after the padding", "next"})
			if s := c.tl.Stats(); s.TruncatedLines != 0 {
				t.Errorf("%q + %d NULs: TruncatedLines = %d, want 0: the line fits once its padding is cut", part, nuls, s.TruncatedLines)
			}
		}
	}
}
