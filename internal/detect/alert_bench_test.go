package detect

import (
	"slices"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// mixAlerts returns every alert the rules raise over n lines of the
// realistic audit mix, in order, each a copy that stays valid (the
// engine's alerts are only valid during Emit).
func mixAlerts(tb testing.TB, n int) []*Alert {
	tb.Helper()
	recs, raws := mixLines(tb, mixCorpora[0], n)
	e := mixEngine(tb, nil)
	var alerts []*Alert
	e.cfg.Emit = func(a *Alert) {
		c := *a
		c.Key = slices.Clone(a.Key)
		c.Columns = slices.Clone(a.Columns)
		c.EventIDs = slices.Clone(a.EventIDs)
		c.Nodes = slices.Clone(a.Nodes)
		alerts = append(alerts, &c)
	}
	runMix(e, parser.TypeAudit, recs, raws)
	if len(alerts) == 0 {
		tb.Fatal("no alert in the realistic audit mix")
	}
	return alerts
}

// BenchmarkAlertMix measures the CPU an alert costs the agent, per alert,
// over every alert of 20,000 lines of the realistic audit mix (their rules
// in the proportions the mix raises them): its alert_id (Alert.id, on the
// alerts whose rule leaves it to the engine), its syslog message
// (Alert.AppendMessage: the alert element and the MSG JSON), its encoding
// into a forwarder batch (Batch.Append, and the check that it fits a
// datagram destination's max_message_bytes), and the three together as
// detector.emit and the engine's emitter run them; the _writer cases
// build the message with an AlertWriter (as the agent does) instead of
// Alert.AppendMessage.
func BenchmarkAlertMix(b *testing.B) {
	alerts := mixAlerts(b, 20_000)
	enc := &forwarder.Encoder{}
	opts := forwarder.DefaultRecordOptions("bench")
	var m forwarder.Message
	var msg, idBuf []byte
	ids := slab{buf: make([]byte, 0, 1<<16)} // every alert_id of an op
	var fb forwarder.Batch
	id := func(a *Alert) { a.ID, idBuf = a.id(idBuf, &ids) }
	// The alerts whose alert_id the engine computed (a rule may set its
	// own), with it cleared.
	var anon []*Alert
	for _, a := range alerts {
		c := *a
		if id(&c); c.ID == a.ID {
			c.ID = ""
			anon = append(anon, &c)
		}
	}
	message := func(a *Alert) { msg = a.AppendMessage(&m, "gitlab@32473", &opts, msg) }
	var w AlertWriter
	writer := func(a *Alert) { msg = w.AppendMessage(a, &m, "gitlab@32473", &opts, msg) }
	var fit []byte
	encode := func(a *Alert) {
		if fb.Len() >= 256 {
			fb.Reset()
		}
		fb.Append(enc, &m)
		// detector.emit's check for a datagram destination: an alert
		// over max_message_bytes is made to fit (none of the mix is).
		if n := len(fb.Message(fb.Len() - 1)); n > forwarder.DefaultMaxDatagram {
			fit, _, _ = a.AppendFitJSON(fit[:0], len(m.Msg)-(n-forwarder.DefaultMaxDatagram), FitRaw)
		}
	}
	for _, c := range []struct {
		name string
		set  []*Alert
		fn   []func(*Alert)
	}{
		{"id", anon, []func(*Alert){id}},
		{"message", alerts, []func(*Alert){message}},
		{"encode", alerts, []func(*Alert){message, encode}},
		{"all", anon, []func(*Alert){id, message, encode}},
		{"message_writer", alerts, []func(*Alert){writer}},
		{"encode_writer", alerts, []func(*Alert){writer, encode}},
		{"all_writer", anon, []func(*Alert){id, writer, encode}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				for _, a := range c.set {
					for _, f := range c.fn {
						f(a)
					}
				}
				n += len(c.set)
				ids.buf = ids.buf[:0]
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/alert")
			b.ReportMetric(float64(len(c.set)), "alerts/op")
		})
	}
}
