package agent

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/loadgen"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// BenchmarkDetectBatches measures the detection work of the agent without
// files or sockets: 100 batches of 1,000 generated audit lines of a mix
// parsed and encoded by a worker (as BenchmarkEncodeBatch), the lines the
// engine wants copied into events and folded by a fresh engine with every
// rule that runs without GeoIP on, configured as the agent configures it
// (detect.Config.DedupeLines included: an event without EventID is looked
// up by its line's hash; the lines sentinel.impersonation's WantFilter
// declined are given to its look-back when it is on, as the sender does;
// it is off by default), the alerts encoded into the batches. One op
// is the 100,000 lines; cpu-ns/line (the process's CPU time, which includes
// the garbage collector's work on the other core) of detections=all against
// detections=off of one run is the cost of the rules. detections=all runs
// every rule, as detect does; detections=all,types=audit runs those that
// `run` with audit sources alone runs (Config.Types: the rules that alert
// on the application or access log only are off), as the end-to-end
// harness's -types audit does.
func BenchmarkDetectBatches(b *testing.B) {
	ti := filepath.Join(b.TempDir(), "ti.txt")
	if err := os.WriteFile(ti, []byte("203.0.113.0/24\n2001:db8:dead::/48\n198.51.100.77\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, m := range []struct {
		name string
		mix  loadgen.Mix
	}{{"mix=realistic", loadgen.MixRealistic}, {"mix=security", loadgen.MixSecurity}} {
		batches := genBatches(b, m.mix, 100, 1000)
		for _, v := range []struct {
			name  string
			on    bool
			types []parser.Type
		}{{"detections=off", false, nil}, {"detections=all", true, nil},
			{"detections=all,types=audit", true, []parser.Type{parser.TypeAudit}}} {
			b.Run(m.name+"/"+v.name, func(b *testing.B) {
				b.ReportAllocs()
				alerts := 0
				cpu := processCPU()
				for b.Loop() {
					alerts = runDetectBatches(b, batches, v.on, v.types, ti)
				}
				cpu = processCPU() - cpu
				b.ReportMetric(float64(alerts), "alerts/op")
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100_000), "ns/line")
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*100_000), "cpu-ns/line")
			})
		}
	}
}

// genBatches returns n batches of size generated audit lines of mix, one
// generator across them, offsets continuing from batch to batch.
func genBatches(tb testing.TB, mix loadgen.Mix, n, size int) []*tailer.Batch {
	tb.Helper()
	g, err := loadgen.NewGenerator(parser.TypeAudit, 1)
	if err != nil {
		tb.Fatal(err)
	}
	g.SetMix(mix)
	out := make([]*tailer.Batch, n)
	var line []byte
	off := int64(0)
	for i := range out {
		bt := &tailer.Batch{}
		for range size {
			line = g.AppendLine(line[:0])
			bt.Data = append(bt.Data, line...)
			bt.Ends = append(bt.Ends, len(bt.Data))
			bt.Offsets = append(bt.Offsets, off)
			off += int64(len(line) + 1)
		}
		out[i] = bt
	}
	return out
}

// runDetectBatches runs one pass of BenchmarkDetectBatches, the engine
// (when on) told that the sources read the logs of types (nil: any, see
// detect.Config.Types), and returns the alerts emitted.
func runDetectBatches(tb testing.TB, batches []*tailer.Batch, on bool, types []parser.Type, ti string) int {
	var e *detect.Engine
	d := newDetector(nil, &forwarder.Encoder{}, "", forwarder.RecordOptions{Facility: forwarder.Local7, Hostname: "bench"}, slog.New(slog.DiscardHandler))
	if on {
		var err error
		e, err = detect.New(detect.Config{Params: map[string]string{"ti_file": ti, "allowed_domains": "example.com"},
			Log: slog.New(slog.DiscardHandler), Emit: d.emit, WantFirst: true, MinWatermark: true, OrderGrace: detect.DefaultOrderGrace, DedupeLines: true, Types: types})
		if err != nil {
			tb.Fatal(err)
		}
		d.e = e
	}
	w := detectionWorker(tb, e)
	if !on {
		w.det = nil
	}
	var fb forwarder.Batch
	var evs []*detect.Event
	alerts := 0
	var ar detect.EventArena // as a slot's
	var ls lineSums
	var declined []*detect.Event // the lines sentinel.impersonation's look-back is given
	w.arena, w.sums, w.declined = &ar, &ls, nil
	if e != nil && e.KeepsDeclined() { // as encodeSlot
		w.declined = &declined
	}
	for _, bt := range batches {
		evs, declined = evs[:0], declined[:0]
		ar.Reset()
		w.encode(bt, &fb, &evs, nil)
		d.cur, d.n = &fb, 0
		if len(evs) > 0 { // as detector.process: one batch per slot
			e.ProcessBatch(evs)
			clear(evs)
		}
		if len(declined) > 0 {
			e.Declined(declined)
			clear(declined)
		}
		alerts += d.n
	}
	if e != nil {
		d.cur = &fb
		e.Close()
		alerts += d.n
	}
	return alerts
}
