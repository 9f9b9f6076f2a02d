package agent

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/loadgen"
	"github.com/gitlab-syslog/gitlab-syslog/internal/metrics"
	"github.com/gitlab-syslog/gitlab-syslog/internal/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// BenchmarkEncodeBatch measures the agent's per-line work on the hot path:
// parse into the reused record, map to a message, encode into the reused
// forwarder batch. One op is one 1024-line tailer batch.
func BenchmarkEncodeBatch(b *testing.B) {
	for _, typ := range []parser.Type{parser.TypeAudit, parser.TypeApplication, parser.TypeAccess} {
		b.Run(typ.String(), func(b *testing.B) {
			g, err := loadgen.NewGenerator(typ, 1)
			if err != nil {
				b.Fatal(err)
			}
			tb := &tailer.Batch{}
			var line []byte
			for i := range 1024 {
				line = g.AppendLine(line[:0])
				tb.Data = append(tb.Data, line...)
				tb.Ends = append(tb.Ends, len(tb.Data))
				tb.Offsets = append(tb.Offsets, int64(len(tb.Data)+i+1))
			}
			s := newWorker(typ, &forwarder.Encoder{}, nil, metrics.New().Source(typ.String(), "bench"),
				forwarder.RecordOptions{Facility: forwarder.Local7, Hostname: "bench", AppName: config.DefaultAppName(typ.String())})
			var fb forwarder.Batch
			s.encode(tb, &fb, nil) // warm up the reused buffers
			b.ReportAllocs()
			b.SetBytes(int64(len(tb.Data) + tb.Len()))
			b.ResetTimer()
			for range b.N {
				s.encode(tb, &fb, nil)
			}
			b.ReportMetric(float64(b.N*tb.Len())/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

// BenchmarkAgentTCP measures the whole agent: files of generated lines
// (the three logs, 100,000 lines each) read, parsed, encoded and written
// over loopback TCP to a collector that only counts, until every line is
// acknowledged (ExitAtEOF).
func BenchmarkAgentTCP(b *testing.B) {
	benchAgentTCP(b, []parser.Type{parser.TypeAudit, parser.TypeApplication, parser.TypeAccess}, 0)
}

// BenchmarkSourceWorkers measures one source (an audit file of 100,000
// lines) end to end over loopback TCP with 1, 2 and 4 encode workers: the
// gain of spreading one file's parse and encode over the cores.
func BenchmarkSourceWorkers(b *testing.B) {
	for _, workers := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			benchAgentTCP(b, []parser.Type{parser.TypeAudit}, workers)
		})
	}
}

func benchAgentTCP(b *testing.B, types []parser.Type, workers int) {
	dir := b.TempDir()
	const perFile = 100_000
	var srcs []config.Source
	var bytes int64
	for _, typ := range types {
		path := filepath.Join(dir, typ.String()+".log")
		if _, err := loadgen.WriteFile(path, loadgen.Options{Type: typ, Lines: perFile, Seed: 1}); err != nil {
			b.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		bytes += fi.Size()
		srcs = append(srcs, config.Source{Type: typ.String(), Path: path})
	}
	col, err := syslogtest.Listen("127.0.0.1:0", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer col.Close()
	b.SetBytes(bytes)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		c := &config.Config{StateDir: b.TempDir(), LogDir: dir, Hostname: "bench", Sources: srcs}
		c.Forward.URL = "tcp://" + col.Addr()
		if _, err := c.Resolve(); err != nil {
			b.Fatal(err)
		}
		a, err := New(c, Options{ExitAtEOF: true, Stdout: io.Discard, StatsInterval: 5 * time.Millisecond, Workers: workers, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		err = a.Run(ctx)
		cancel()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	want := int64(b.N * len(types) * perFile)
	if got := col.Messages(); got < want {
		b.Fatalf("collector got %d messages, want %d", got, want)
	}
	b.ReportMetric(float64(want)/b.Elapsed().Seconds(), "lines/s")
}
