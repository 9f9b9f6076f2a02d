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

// BenchmarkEncodeBatchDetections measures worker.encode on 1024 audit
// lines of each mix (see BenchmarkAgentDetections) with every rule that
// can run here on: the lines the engine wants are copied into events
// (wanted/line). The detections=off case of each mix encodes the same
// batch without the engine, so that the difference is the parse
// workers' share of the cost of the rules (Want on every line, the
// events of the lines wanted), the engine's own (Process) apart.
func BenchmarkEncodeBatchDetections(b *testing.B) {
	for _, m := range []struct {
		name string
		mix  loadgen.Mix
	}{{"mix=realistic", loadgen.MixRealistic}, {"mix=security", loadgen.MixSecurity}} {
		b.Run("audit/"+m.name+"/detections=off", func(b *testing.B) {
			w := detectionWorker(b, nil)
			tb := genBatch(b, m.mix, 1024, nil)
			var fb forwarder.Batch
			loopEncode(b, w, tb, &fb, nil)
		})
		for _, v := range []struct {
			name string
			e    func(testing.TB) *detect.Engine
		}{{"detections=all", allRulesEngine}, {"detections=all,types=audit", auditAgentEngine}} {
			b.Run("audit/"+m.name+"/"+v.name, func(b *testing.B) {
				w := detectionWorker(b, v.e(b))
				tb := genBatch(b, m.mix, 1024, nil)
				var fb forwarder.Batch
				var evs []*detect.Event
				w.encode(tb, &fb, &evs, nil)
				b.ReportMetric(float64(len(evs))/float64(tb.Len()), "wanted/line")
				loopEncode(b, w, tb, &fb, evs)
			})
		}
	}
}

// TestWorkerRealisticAuditNoAlloc checks the worker path of the benign
// lines of the realistic audit mix with every rule on: most lines are not
// wanted, and parsing, the Want check and encoding a batch of them
// allocate nothing.
func TestWorkerRealisticAuditNoAlloc(t *testing.T) {
	e := allRulesEngine(t)
	w := detectionWorker(t, e)
	const n = 2000
	tb := genBatch(t, loadgen.MixRealistic, n, func(line []byte) bool {
		if err := w.parse(line); err != nil {
			t.Fatalf("generated line does not parse: %v: %s", err, line)
		}
		return !e.Want(w.rec.Type, &w.rec)
	})
	// Two lines in three are sign-ins, about a third of them with a
	// password (wanted by the local-auth join); nearly all others are not
	// wanted.
	if tb.Len() < n*7/10 {
		t.Fatalf("only %d of %d realistic audit lines are not wanted, want at least 70%%", tb.Len(), n)
	}
	t.Logf("%d of %d realistic audit lines not wanted", tb.Len(), n)
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	line := tb.Line(0)
	if err := w.parse(line); err != nil {
		t.Fatal(err)
	}
	if a := testing.AllocsPerRun(100, func() { e.Want(w.rec.Type, &w.rec) }); a != 0 {
		t.Errorf("Want allocates %v times on %s", a, line)
	}
	var fb forwarder.Batch
	var evs []*detect.Event
	w.encode(tb, &fb, &evs, nil) // warm up the reused buffers
	if len(evs) != 0 {
		t.Fatalf("encode made %d events of lines Want rejected", len(evs))
	}
	if a := testing.AllocsPerRun(10, func() { w.encode(tb, &fb, &evs, nil) }); a != 0 {
		t.Errorf("encoding %d unwanted lines with every rule on allocates %v times per batch", tb.Len(), a)
	}
}

// allRulesEngine returns an engine with every rule that can run without a
// GeoIP database: the TI rule gets an indicator file, the external-user
// rule allowed_domains.
func allRulesEngine(tb testing.TB) *detect.Engine {
	return rulesEngine(tb, detect.Config{})
}

// auditAgentEngine returns an engine with every rule on, configured as
// the agent configures it when its sources read the audit log only (as
// the bench harness's -types audit runs it): rules of the other logs off,
// WantFirst, line dedupe.
func auditAgentEngine(tb testing.TB) *detect.Engine {
	return rulesEngine(tb, detect.Config{WantFirst: true, MinWatermark: true, OrderGrace: detect.DefaultOrderGrace,
		DedupeLines: true, Types: []parser.Type{parser.TypeAudit}})
}

// rulesEngine returns an engine of cfg with every rule that can run
// without a GeoIP database: the TI rule gets an indicator file, the
// external-user rule allowed_domains; its log is discarded.
func rulesEngine(tb testing.TB, cfg detect.Config) *detect.Engine {
	tb.Helper()
	ti := filepath.Join(tb.TempDir(), "ti.txt")
	if err := os.WriteFile(ti, []byte("203.0.113.0/24\n2001:db8:dead::/48\n198.51.100.77\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	cfg.Params = map[string]string{"ti_file": ti, "allowed_domains": "example.com"}
	cfg.Log = slog.New(slog.DiscardHandler)
	e, err := detect.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// detectionWorker returns an audit worker that asks e for its lines.
func detectionWorker(tb testing.TB, e *detect.Engine) *worker {
	tb.Helper()
	w := newWorker(parser.TypeAudit, &forwarder.Encoder{}, nil, metrics.New().Source("audit", "bench"),
		forwarder.RecordOptions{Facility: forwarder.Local7, Hostname: "bench", AppName: config.DefaultAppName("audit")})
	w.det, w.src, w.origin = e, "bench", detect.OriginFile
	return w
}

// genBatch returns a tailer batch of n generated audit lines of mix, only
// those keep accepts when keep is not nil.
func genBatch(tb testing.TB, mix loadgen.Mix, n int, keep func([]byte) bool) *tailer.Batch {
	tb.Helper()
	g, err := loadgen.NewGenerator(parser.TypeAudit, 1)
	if err != nil {
		tb.Fatal(err)
	}
	g.SetMix(mix)
	b := &tailer.Batch{}
	var line []byte
	for range n {
		line = g.AppendLine(line[:0])
		if keep != nil && !keep(line) {
			continue
		}
		b.Data = append(b.Data, line...)
		b.Ends = append(b.Ends, len(b.Data))
		b.Offsets = append(b.Offsets, int64(len(b.Data)))
	}
	return b
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
	loopEncode(b, s, tb, &fb, evs)
}

// loopEncode times w.encode of tb b.N times, reusing fb and evs, and
// reports allocations, bytes and lines per second.
func loopEncode(b *testing.B, w *worker, tb *tailer.Batch, fb *forwarder.Batch, evs []*detect.Event) {
	var ar detect.EventArena // as a slot's: reset once its events were processed
	var ls lineSums
	w.arena, w.sums = &ar, &ls
	b.ReportAllocs()
	b.SetBytes(int64(len(tb.Data) + tb.Len()))
	b.ResetTimer()
	for range b.N {
		clear(evs)
		evs = evs[:0]
		ar.Reset()
		w.encode(tb, fb, &evs, nil)
	}
	b.ReportMetric(float64(b.N*tb.Len())/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkAgentTCP measures the whole agent: files of generated lines
// (the three logs, 100,000 lines each) read, parsed, encoded and written
// over loopback TCP to a collector that only counts, until every line is
// acknowledged (ExitAtEOF).
func BenchmarkAgentTCP(b *testing.B) {
	benchAgentTCP(b, []parser.Type{parser.TypeAudit, parser.TypeApplication, parser.TypeAccess}, loadgen.MixSecurity, 0, nil)
}

// BenchmarkAgentDetections measures the whole agent (as BenchmarkAgentTCP)
// on an audit file and on an access file of generated lines, with the
// detection engine off, with the rules that are on by default, and with
// every rule on: the rules that need data get it (an indicator file for
// the TI rule and allowed_domains); only the two GeoIP country rules and
// the sign-in burst stay off, for want of a database. Compare the variants
// of one file from one run.
//
// The audit file comes in two mixes (loadgen.Mix). mix=realistic is the
// traffic of an ordinary instance, the figure the detections' cost is
// judged by: two lines in three are sign-ins, most of the rest member
// changes, a few token creations, visibility changes and projects moved,
// and an impersonation start or stop in about 1 line of 1,250, by 5,000
// users; most lines are legacy lines without EventName, which every
// fallback predicate must look at, and few raise an alert. mix=security
// is attack-heavy (about one line in four raises an alert: impersonation
// sessions among 12 users, token creations, visibility changes): the cost
// of the rules when they have work. The access file is GitLab's ordinary
// request mix; the indicator list matches few of its addresses.
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
	files := []struct {
		name string
		typ  parser.Type
		mix  loadgen.Mix
	}{
		{"audit/mix=realistic", parser.TypeAudit, loadgen.MixRealistic},
		{"audit/mix=security", parser.TypeAudit, loadgen.MixSecurity},
		{"access", parser.TypeAccess, loadgen.MixSecurity},
	}
	for _, f := range files {
		for _, v := range variants {
			b.Run(f.name+"/"+v.name, func(b *testing.B) {
				benchAgentTCP(b, []parser.Type{f.typ}, f.mix, 0, v.tune)
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
			benchAgentTCP(b, []parser.Type{parser.TypeAudit}, loadgen.MixSecurity, workers, nil)
		})
	}
}

// benchAgentTCP runs the agent over 100,000 generated lines of each type
// (audit lines in mix); tune, when not nil, changes the configuration
// before it is resolved.
func benchAgentTCP(b *testing.B, types []parser.Type, mix loadgen.Mix, workers int, tune func(*config.Config)) {
	dir := b.TempDir()
	const perFile = 100_000
	var srcs []config.Source
	var bytes int64
	for _, typ := range types {
		path := filepath.Join(dir, typ.String()+".log")
		if _, err := loadgen.WriteFile(path, loadgen.Options{Type: typ, Lines: perFile, Seed: 1, Mix: mix}); err != nil {
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
	var cpu time.Duration // user + system time of the process (agent and collector) while timed
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
		before := processCPU()
		err = a.Run(ctx)
		cpu += processCPU() - before
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
	if cpu > 0 { // 0 where the process's CPU time is not known (cpu_other_test.go)
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(want), "cpu-ns/line")
	}
}
