package detect

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/loadgen"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// mixLines generates n lines of c, parsed into records whose values point
// into their own lines, with the lines.
func mixLines(tb testing.TB, c mixCorpus, n int) ([]*parser.Record, [][]byte) {
	tb.Helper()
	g, err := loadgen.NewGenerator(c.typ, 1)
	if err != nil {
		tb.Fatal(err)
	}
	g.SetMix(c.mix)
	p := parser.New(c.typ)
	recs, raws := make([]*parser.Record, n), make([][]byte, n)
	for i := range recs {
		raws[i] = g.AppendLine(nil)
		recs[i] = new(parser.Record)
		if err := p.Parse(raws[i], recs[i]); err != nil {
			tb.Fatalf("%s line %d: %v", c.name, i+1, err)
		}
	}
	return recs, raws
}

// mixEngine is allRulesEngine as the agent runs it (WantFirst), with every
// alert encoded as the agent encodes it (Alert.AppendMessage, then
// Encoder.Append) into *out when out is not nil, and a fixed wall clock so
// that detected_at is the same in every run.
func mixEngine(tb testing.TB, out *[]byte) *Engine {
	tb.Helper()
	e := allRulesEngine(tb, false)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	e.cfg.Now = func() time.Time { return now }
	e.cfg.WantFirst = true
	enc := &forwarder.Encoder{}
	opts := forwarder.DefaultRecordOptions("bench")
	var m forwarder.Message
	var msg, buf []byte
	e.cfg.Emit = func(a *Alert) {
		msg = a.AppendMessage(&m, "gitlab@32473", &opts, msg)
		buf = enc.Append(buf[:0], &m)
		if out != nil {
			*out = append(append(*out, buf...), '\n')
		}
	}
	return e
}

// runMix folds every wanted line of recs into e, as the agent does, and
// closes it.
func runMix(e *Engine, typ parser.Type, recs []*parser.Record, raws [][]byte) {
	for i, r := range recs {
		if e.Want(typ, r) {
			e.Process(NewEvent(r, raws[i], "audit_json.log", OriginFile))
		}
	}
	for _, r := range e.rules {
		r.rule.Close(r.emit)
	}
}

// TestMixAlertStream runs the generated logs through every rule and checks
// that alerts come out and that each encodes to a syslog message. With
// GITLAB_SYSLOG_MIX_DUMP=FILE it writes every encoded alert to FILE, one a
// line, and logs their SHA-256: run it on two versions of the engine to
// show that they emit the same alerts, byte for byte.
func TestMixAlertStream(t *testing.T) {
	n := 50_000
	if testing.Short() {
		n = 5_000
	}
	var all []byte
	h := sha256.New()
	for _, c := range mixCorpora {
		recs, raws := mixLines(t, c, n)
		var out []byte
		e := mixEngine(t, &out)
		runMix(e, c.typ, recs, raws)
		if c.typ == parser.TypeAudit && len(out) == 0 {
			t.Errorf("%s: no alert in %d lines", c.name, n)
		}
		h.Write(out)
		all = append(all, out...)
		t.Logf("%s: %d bytes of alerts", c.name, len(out))
	}
	t.Logf("alert stream sha256 %s", hex.EncodeToString(h.Sum(nil)))
	if f := os.Getenv("GITLAB_SYSLOG_MIX_DUMP"); f != "" {
		if err := os.WriteFile(f, all, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkProcessMix measures Engine.Process with every rule of the agent
// benchmark's detections=all over generated logs, including the encoding
// of the alerts as the agent does it: each op folds the wanted lines of
// 20,000 lines (in time order) into a new engine; ns/line (Process
// alone) is per line given to Want, while ns/op, B/op and allocs/op
// include the op's set-up: the engine, Want and the events.
func BenchmarkProcessMix(b *testing.B) {
	const n = 20_000
	for _, c := range mixCorpora {
		b.Run(c.name, func(b *testing.B) {
			recs, raws := mixLines(b, c, n)
			evs := make([]*Event, 0, n)
			b.ReportAllocs()
			var ns time.Duration
			// The timer runs through the set-up too, so that b.N is
			// bounded by the whole op's time: the timed part alone can
			// be nearly nothing (no rule wants an access line without a
			// ti_file), and b.Loop would grow b.N without end.
			for b.Loop() {
				var d time.Duration
				evs, d = foldMix(mixEngine(b, nil), c.typ, recs, raws, evs)
				ns += d
			}
			b.ReportMetric(float64(ns)/float64(b.N*n), "ns/line")
		})
	}
}

// BenchmarkProcessMixWarm is BenchmarkProcessMix on the realistic audit
// mix with an engine as a long-running agent has it: its sets of recent
// event and alert ids (dedupe) full, DefaultMaxRecent ids each, dated in
// the hour before the first line, so that each new id drops the oldest.
// ns/line is Process alone; filling the sets is set-up.
func BenchmarkProcessMixWarm(b *testing.B) {
	const n = 20_000
	c := mixCorpora[0]
	recs, raws := mixLines(b, c, n)
	filler := make([]recentKey, DefaultMaxRecent)
	for i := range filler {
		filler[i] = keyOf("filler-" + strconv.Itoa(i))
	}
	from := recs[0].Time.Add(-time.Hour).UnixNano()
	evs := make([]*Event, 0, n)
	var ns time.Duration
	for b.Loop() {
		e := mixEngine(b, nil)
		for i, k := range filler {
			e.events.seenKey(k, from+int64(i)*int64(time.Millisecond)/128)
			k[15] ^= 0xff
			e.alerts.seenKey(k, from+int64(i)*int64(time.Millisecond)/128)
		}
		var d time.Duration
		evs, d = foldMix(e, c.typ, recs, raws, evs)
		ns += d
	}
	b.ReportMetric(float64(ns)/float64(b.N*n), "ns/line")
}

// foldMix gives e, through Process, the events of the records of type t
// that e wants (recs[i] parsed from raws[i]), made in evs (reused), and
// returns them and the time Process took.
func foldMix(e *Engine, t parser.Type, recs []*parser.Record, raws [][]byte, evs []*Event) ([]*Event, time.Duration) {
	evs = evs[:0]
	for i, r := range recs {
		if e.Want(t, r) {
			evs = append(evs, NewEvent(r, raws[i], "audit_json.log", OriginFile))
		}
	}
	t0 := time.Now()
	for _, ev := range evs {
		e.Process(ev)
	}
	return evs, time.Since(t0)
}

// BenchmarkAlertMessage measures the encoding of one alert as the agent
// does it (Alert.AppendMessage into reused buffers, then Encoder.Append):
// a copy of the first alert of each kind the realistic audit mix raises.
func BenchmarkAlertMessage(b *testing.B) {
	recs, raws := mixLines(b, mixCorpora[0], 20_000)
	e := mixEngine(b, nil)
	seen := map[string]bool{}
	var alerts []*Alert
	e.cfg.Emit = func(a *Alert) {
		if !seen[a.Info.ID] {
			// A copy: a rule reuses its Alert and the engine its Events
			// once Emit returns (see Emit).
			c := *a
			c.detach()
			seen[a.Info.ID] = true
			alerts = append(alerts, &c)
		}
	}
	runMix(e, parser.TypeAudit, recs, raws)
	enc := &forwarder.Encoder{}
	opts := forwarder.DefaultRecordOptions("bench")
	for _, a := range alerts {
		b.Run(a.Info.ID, func(b *testing.B) {
			var m forwarder.Message
			var msg, buf []byte
			b.ReportAllocs()
			for b.Loop() {
				msg = a.AppendMessage(&m, "gitlab@32473", &opts, msg)
				buf = enc.Append(buf[:0], &m)
			}
			b.SetBytes(int64(len(buf)))
		})
	}
}
