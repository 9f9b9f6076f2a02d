package tailer

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestPacer(t *testing.T) {
	const linger, window = 20 * time.Millisecond, 250 * time.Millisecond
	t0 := time.Unix(1_800_000_000, 0)
	cases := []struct {
		name      string
		perSecond uint64 // lines sent per second during the first window
		wantBusy  bool
		wantEvery time.Duration
	}{
		{"10 MB/s of audit lines", 25_600, true, minPoll},
		{"4000 lines/s", 4000, true, 4 * time.Millisecond},
		{"1600 lines/s", 1600, true, 10 * time.Millisecond},
		{"800 lines/s, the threshold", 800, true, linger},
		{"400 lines/s", 400, false, 0},
		{"quiet", 0, false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := pacer{linger: linger, window: window}
			p.flowing(t0, 1000)
			if every, busy := p.poll(t0.Add(time.Millisecond), 1000); !busy || every != minPoll {
				t.Fatalf("inside the first window: poll = %v, %v; want %v, true", every, busy, minPoll)
			}
			sent := 1000 + tc.perSecond*uint64(window)/uint64(time.Second)
			every, busy := p.poll(t0.Add(window), sent)
			if busy != tc.wantBusy || every != tc.wantEvery {
				t.Errorf("after a window at %d lines/s: poll = %v, %v; want %v, %v", tc.perSecond, every, busy, tc.wantEvery, tc.wantBusy)
			}
		})
	}
}

// FollowLinger < 0 asks for nxadm/tail only: the pacer never polls.
func TestPacerLingerOff(t *testing.T) {
	p := pacer{linger: -1, window: time.Second}
	p.flowing(time.Now(), 0)
	if every, busy := p.poll(time.Now(), 1<<20); busy {
		t.Errorf("poll = %v, true with FollowLinger < 0; want false", every)
	}
}

// TestHeldLinesSurviveTruncation: a polling read holds its lines back to
// batch them; when the file is then truncated with no rotated copy to
// recover from, the lines held (read before the cut) are still sent.
func TestHeldLinesSurviveTruncation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	data := numbered("held", 0, 50)
	writeFile(t, path, data)
	tl, err := New(testConfig(t, path))
	if err != nil {
		t.Fatal(err)
	}
	src, _, err := openSource(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.close()
	ctx := context.Background()
	tl.holdFor = time.Hour
	if err := tl.readToEOF(ctx, src); err != nil {
		t.Fatal(err)
	}
	tl.holdFor = 0
	if n := len(tl.out); n != 0 || tl.cur == nil || tl.cur.Len() != 50 || tl.confirmed != 50 {
		t.Fatalf("after a polling read: %d batches out, want the 50 lines held and confirmed (confirmed %d)", n, tl.confirmed)
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	if err := tl.truncated(ctx, src); err != nil {
		t.Fatal(err)
	}
	if len(tl.out) != 1 {
		t.Fatalf("%d batches out after the truncation, want the held one", len(tl.out))
	}
	b := <-tl.out
	var got []string
	for i := 0; i < b.Len(); i++ {
		got = append(got, string(b.Line(i)))
	}
	checkExactly(t, got, linesOf(data))
	if want := int64(len(data)); b.Offsets[b.Len()-1] != want || src.off != 0 {
		t.Errorf("last offset %d, src.off %d after truncation; want %d and 0", b.Offsets[b.Len()-1], src.off, want)
	}
}
