package tailer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// benchLine returns a ~390-byte JSON line like GitLab's audit_json.log.
func benchLine(buf []byte, i int) []byte {
	buf = append(buf, `{"severity":"INFO","time":"2026-11-22T01:02:03.`...)
	buf = fmt.Appendf(buf, "%06d", i%1000000)
	buf = append(buf, `Z","correlation_id":"01JDX8ZK3QW7`...)
	buf = fmt.Appendf(buf, "%08d", i)
	buf = append(buf, `","author_id":42,"author_name":"Jane Doe","entity_id":7,"entity_type":"Project","target_id":9,"target_type":"ProjectMember","target_details":"jdoe","custom_message":"Added member","ip_address":"198.51.100.23","entity_path":"acme/platform/api","meta.caller_id":"ProjectMembersController#create","meta.remote_ip":"198.51.100.23"}`...)
	return append(buf, '\n')
}

func benchFile(b *testing.B, lines int) (string, int64) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "audit_json.log")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	var buf []byte
	var size int64
	for i := 0; i < lines; i++ {
		buf = benchLine(buf, i)
		if len(buf) > 1<<20 || i == lines-1 {
			if _, err := f.Write(buf); err != nil {
				b.Fatal(err)
			}
			size += int64(len(buf))
			buf = buf[:0]
		}
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path, size
}

func benchLines() int {
	if n, err := strconv.Atoi(os.Getenv("TAILER_BENCH_LINES")); err == nil && n > 0 {
		return n
	}
	return 1000000
}

// BenchmarkBacklog reads a 1M-line file (TAILER_BENCH_LINES) of ~390-byte
// lines from offset 0 through Batches, with Commit and Release, as the
// agent does. One op is one pass over the file with a new Tailer.
func BenchmarkBacklog(b *testing.B) {
	lines := benchLines()
	path, size := benchFile(b, lines)
	b.SetBytes(size)
	b.ReportAllocs()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tl, err := New(Config{Path: path, StateDir: b.TempDir(), RotateWait: time.Second})
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- tl.Run(ctx) }()
		got := 0
		for bt := range tl.Batches() {
			got += bt.Len()
			tl.Commit(bt, bt.Len())
			tl.Release(bt)
			if got == lines {
				cancel()
			}
		}
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		if got != lines {
			b.Fatalf("got %d lines, want %d", got, lines)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&ms1)
	total := float64(lines) * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/total, "allocs/line")
}

// BenchmarkFollow measures the live path with each follower: each op
// appends 100 lines in one write and waits for them.
func BenchmarkFollow(b *testing.B) {
	for _, f := range []Follower{FollowNotify, FollowNxadmTail} {
		b.Run(f.String(), func(b *testing.B) { benchFollow(b, f) })
	}
}

func benchFollow(b *testing.B, f Follower) {
	path := filepath.Join(b.TempDir(), "audit_json.log")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		b.Fatal(err)
	}
	tl, err := New(Config{Path: path, StateDir: b.TempDir(), PollInterval: 50 * time.Millisecond, Follower: f})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tl.Run(ctx) }()
	for tl.Stats().Mode != ModeFollowing {
		time.Sleep(time.Millisecond)
	}
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	const chunk = 100
	var buf []byte
	for i := 0; i < chunk; i++ {
		buf = benchLine(buf, i)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := w.Write(buf); err != nil {
			b.Fatal(err)
		}
		for got := 0; got < chunk; {
			bt := <-tl.Batches()
			got += bt.Len()
			tl.Commit(bt, bt.Len())
			tl.Release(bt)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(b.N*chunk)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(b.N*chunk), "allocs/line")
	cancel()
	for bt := range tl.Batches() {
		tl.Release(bt)
	}
	<-done
}
