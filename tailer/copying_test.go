package tailer

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestHeldLinesSurviveTruncation: lines read and confirmed (their file's
// first bytes checked) but not sent yet when the file is then truncated,
// with no rotated copy to recover from, are still sent: they were read
// before the cut.
func TestHeldLinesSurviveTruncation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.log")
	data := numbered("held", 0, 50)
	writeFile(t, path, data)
	tl, err := New(testConfig(t, path))
	if err != nil {
		t.Fatal(err)
	}
	src, _, err := openLogFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.close()
	ctx := context.Background()
	tl.rd.lr.reset(0)
	read := func(p []byte, off int64) (int, error) { return src.f.ReadAt(p, off) }
	for {
		start := tl.rd.lr.lineStart
		line, end, over, ok, err := tl.rd.lr.next(read)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		tl.add(src, line, start, end, over)
	}
	if err := tl.confirm(ctx, src); err != nil {
		t.Fatal(err)
	}
	if n := len(tl.out); n != 0 || tl.rd.cur == nil || tl.rd.cur.Len() != 50 || tl.rd.confirmed != 50 {
		t.Fatalf("after reading: %d batches out, want the 50 lines in hand and confirmed (confirmed %d)", n, tl.rd.confirmed)
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

func TestCopying(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "app.log")
	writeFile(t, path, "x\n")
	tl, err := New(testConfig(t, path))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if tl.copying(now) {
		t.Fatal("copying with no rotated copy")
	}
	old := now.Add(-time.Hour)
	writeFile(t, path+".2.gz", "")
	writeFile(t, path+".3", "")
	if err := os.Chtimes(path+".3", old, old); err != nil {
		t.Fatal(err)
	}
	if tl.copying(now) {
		t.Fatal("copying with only a .gz and an hour-old copy")
	}
	writeFile(t, path+".1", "x\n") // logrotate copying: written now
	if !tl.copying(time.Now()) {
		t.Fatal("not copying while app.log.1 is being written")
	}
	if !tl.copying(time.Now().Add(vigilFor / 2)) {
		t.Errorf("not copying %v after the copy was last written", vigilFor/2)
	}
	if tl.copying(time.Now().Add(vigilFor + time.Second)) {
		t.Errorf("still copying %v after the copy was last written", vigilFor+time.Second)
	}
}

// TestCopyInProgressFollows: a steady flow is polled; while a rotated copy
// is being written (copytruncate), the tailer follows the file write by
// write instead, so lines written up to the truncation are read at once;
// every line arrives once, in order.
func TestCopyInProgressFollows(t *testing.T) {
	c, w, path := startLive(t)
	var want []string
	i := 0
	write := func(n int) {
		t.Helper()
		chunk := numbered("line", i, i+n)
		i += n
		if _, err := w.WriteString(chunk); err != nil {
			t.Fatal(err)
		}
		want = append(want, linesOf(chunk)...)
	}
	flowUntil := func(what string, cond func(Stats) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !cond(c.tl.Stats()) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; stats %+v", what, c.tl.Stats())
			}
			write(10)
			time.Sleep(2 * time.Millisecond)
		}
	}
	flowUntil("polling", func(s Stats) bool { return s.Mode == ModePolling })
	// logrotate starts copying: app.log.1 appears and grows.
	cp, err := os.Create(path + ".1")
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	flowUntil("following during the copy", func(s Stats) bool {
		if _, err := cp.WriteString("copied\n"); err != nil {
			t.Fatal(err)
		}
		return s.Mode == ModeFollowing
	})
	for k := 0; k < 20; k++ { // the lines nxadm/tail reads as they come
		write(10)
		time.Sleep(2 * time.Millisecond)
	}
	// The copy done, logrotate truncates: put the real copy in place first.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".1", data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	flowUntil("polling again after the copy", func(s Stats) bool { return s.Mode == ModePolling })
	c.waitN(len(want))
	c.stop()
	checkExactly(t, c.texts(), want)
}
