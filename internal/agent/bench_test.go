package agent

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/metrics"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/loadgen"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// BenchmarkEncodeBatch measures the agent's per-line work on the hot path:
// parse into the reused record, map to a message, encode into the reused
// forwarder batch. One op is one 1024-line tailer batch.
func BenchmarkEncodeBatch(b *testing.B) {
	for _, typ := range []parser.Type{parser.TypeAudit, parser.TypeApplication, parser.TypeAccess} {
		b.Run(typ.String(), func(b *testing.B) {
			benchEncodeBatch(b, typ, false)
		})
	}
	// With the engine's default rules: no default rule wants a line of the
	// access log, so each line costs one dispatch lookup (a miss) and no
	// allocation.
	b.Run("access/detections=default", func(b *testing.B) {
		benchEncodeBatch(b, parser.TypeAccess, true)
	})
	// With the TI rule on, every access line is wanted: each is copied
	// into an Event (3 allocations: the Event, its columns, one string for
	// the line and every value).
	b.Run("access/detections=ti", func(b *testing.B) {
		ti := filepath.Join(b.TempDir(), "ti.txt")
		if err := os.WriteFile(ti, []byte("203.0.113.0/24\n"), 0o644); err != nil {
			b.Fatal(err)
		}
		benchEncodeBatch(b, parser.TypeAccess, true, "sentinel.ti_malicious_ip", "ti_file="+ti)
	})
}

// benchEncodeBatch runs worker.encode over a batch of 1024 generated lines;
// with detections, the engine runs its default rules, or the rule only,
// with params (NAME=VALUE).
func benchEncodeBatch(b *testing.B, typ parser.Type, detections bool, only ...string) {
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
	var evs []*detect.Event
	if detections {
		dc := detect.Config{}
		if len(only) > 0 {
			dc.Only, dc.Params = only[:1], map[string]string{}
			for _, p := range only[1:] {
				k, v, _ := strings.Cut(p, "=")
				dc.Params[k] = v
			}
		}
		e, err := detect.New(dc)
		if err != nil {
			b.Fatal(err)
		}
		s.det, s.src, s.origin = e, "bench", detect.OriginFile
	}
	s.encode(tb, &fb, &evs, nil) // warm up the reused buffers
	if len(only) == 0 && len(evs) > 0 {
		b.Fatalf("the default rules want %d of the %s lines", len(evs), typ)
	}
	if len(only) > 0 {
		b.ReportMetric(float64(len(evs))/float64(tb.Len()), "wanted/line")
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(tb.Data) + tb.Len()))
	b.ResetTimer()
	for range b.N {
		clear(evs)
		evs = evs[:0]
		s.encode(tb, &fb, &evs, nil)
	}
	b.ReportMetric(float64(b.N*tb.Len())/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkAgentTCP measures the whole agent: files of generated lines
// (the three logs, 100,000 lines each) read, parsed, encoded and written
// over loopback TCP to a collector that only counts, until every line is
// acknowledged (ExitAtEOF).
func BenchmarkAgentTCP(b *testing.B) {
	benchAgentTCP(b, []parser.Type{parser.TypeAudit, parser.TypeApplication, parser.TypeAccess}, 0, nil)
}

// BenchmarkAgentDetections measures the whole agent (as BenchmarkAgentTCP)
// on an audit file and on an access file of generated lines, with the
// detection engine off, with the rules that are on by default, and with
// every rule on: the rules that need data get it (an indicator file for
// the TI rule, which then wants every access line, and allowed_domains);
// only the two GeoIP country rules and the sign-in burst stay off, for
// want of a database. Compare the variants of one type from one run.
func BenchmarkAgentDetections(b *testing.B) {
	ti := filepath.Join(b.TempDir(), "ti.txt")
	if err := os.WriteFile(ti, []byte("# test indicators\n203.0.113.0/24\n2001:db8:dead::/48\n198.51.100.77\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	variants := []struct {
		name string
		tune func(*config.Config)
	}{
		{"detections=off", func(c *config.Config) { off := false; c.Detections.Enabled = &off }},
		{"detections=default", nil},
		{"detections=all", func(c *config.Config) {
			c.Detections.Rules = map[string]config.RuleConfig{
				"sentinel.ti_malicious_ip": {Params: map[string]string{"ti_file": ti}},
				"sentinel.external_user":   {Params: map[string]string{"allowed_domains": "example.com"}},
			}
		}},
	}
	for _, typ := range []parser.Type{parser.TypeAudit, parser.TypeAccess} {
		for _, v := range variants {
			b.Run(typ.String()+"/"+v.name, func(b *testing.B) {
				benchAgentTCP(b, []parser.Type{typ}, 0, v.tune)
			})
		}
	}
}

// BenchmarkSourceWorkers measures one source (an audit file of 100,000
// lines) end to end over loopback TCP with 1, 2 and 4 encode workers: the
// gain of spreading one file's parse and encode over the cores.
func BenchmarkSourceWorkers(b *testing.B) {
	for _, workers := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			benchAgentTCP(b, []parser.Type{parser.TypeAudit}, workers, nil)
		})
	}
}

// benchAgentTCP runs the agent over 100,000 generated lines of each type;
// tune, when not nil, changes the configuration before it is resolved.
func benchAgentTCP(b *testing.B, types []parser.Type, workers int, tune func(*config.Config)) {
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
		if tune != nil {
			tune(c)
		}
		if _, err := c.Resolve(); err != nil {
			b.Fatal(err)
		}
		a, err := New(c, Options{ExitAtEOF: true, Stdout: io.Discard, CheckInterval: 5 * time.Millisecond, Workers: workers, Logger: slog.New(slog.DiscardHandler)})
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
	if got := col.Messages(); got > want {
		b.ReportMetric(float64(got-want)/float64(b.N), "alerts/op")
	}
	if got := col.Messages(); got < want {
		b.Fatalf("collector got %d messages, want %d", got, want)
	}
	b.ReportMetric(float64(want)/b.Elapsed().Seconds(), "lines/s")
}
