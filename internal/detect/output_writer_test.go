package detect

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// writerAlerts are alerts that stress AlertWriter's caches: descriptions
// that share a rule id but differ in a string or a list (the rule cache
// must tell them apart), and events whose columns have names that are
// long, need escaping, are empty, repeat a field's or an earlier column's
// name, are equal to another name but elsewhere in memory, or are so many
// that the name cache's slots are replaced.
func writerAlerts(t *testing.T) []*Alert {
	t.Helper()
	base := reuseAlerts(t)
	ev := base[0].Event
	info := base[0].Info
	renamed := info
	renamed.Name = "GitLab - " + strings.Clone("Personal Access Token Created")
	retac := info
	retac.Tactic = []string{"Persistence"}
	sev := info
	sev.Severity = SeverityHigh
	odd := *ev
	odd.Columns = append(append([]Column(nil), ev.Columns...),
		Column{"rule", "not the rule"}, Column{"alert_id", "x"}, Column{"count", "3"},
		Column{strings.Repeat("LongName", 5), "v"}, Column{`we"ird`, `va"l`}, Column{"", "empty name"},
		Column{strings.Clone("EntityType"), "again"}, Column{"Ctl", "a\x01b\tc]\\"}, Column{"Long", strings.Repeat("x]\"", 40)},
		Column{"Bad", "\xff\xfe"}, Column{"Sep", "\u2028"})
	many := *ev
	many.Columns = nil
	for i := range 700 {
		many.Columns = append(many.Columns, Column{"Col" + strconv.Itoa(i), strconv.Itoa(i * i)})
	}
	out := base
	for _, c := range []struct {
		info Info
		ev   *Event
	}{{renamed, ev}, {retac, ev}, {sev, &odd}, {info, &odd}, {info, &many}, {renamed, &many}, {info, ev}} {
		a := *base[0]
		a.Info, a.Event = c.info, c.ev
		out = append(out, &a)
	}
	return out
}

// TestAlertWriterAgrees checks that AlertWriter.AppendMessage gives the
// syslog message Alert.AppendMessage gives, byte for byte (the encoded
// line under two SD-ID settings, the alert element's params and MSG), for
// alerts of every shape and every alert of 20,000 lines of the realistic
// audit mix, in order and in reverse, with the writer, the message and the
// buffer reused throughout (as the agent does).
func TestAlertWriterAgrees(t *testing.T) {
	alerts := append(writerAlerts(t), mixAlerts(t, 20_000)...)
	opts := forwarder.DefaultRecordOptions("host")
	encs := []*forwarder.Encoder{{}, {SDID: "gl@99", MetaSDID: "gl@99"}}
	var w AlertWriter
	var m forwarder.Message
	var msg []byte
	check := func(round, i int, a *Alert) {
		msg = w.AppendMessage(a, &m, "gitlab@32473", &opts, msg)
		var ref forwarder.Message
		a.AppendMessage(&ref, "gitlab@32473", &opts, nil)
		if string(m.Msg) != string(ref.Msg) {
			t.Fatalf("round %d alert %d (%s): MSG\n%s\nreference\n%s", round, i, a.Info.ID, m.Msg, ref.Msg)
		}
		for _, enc := range encs {
			if got, want := string(enc.Append(nil, &m)), string(enc.Append(nil, &ref)); got != want {
				t.Fatalf("round %d alert %d (%s), SDID %q: wire\n%s\nreference\n%s", round, i, a.Info.ID, enc.SDID, got, want)
			}
		}
		if len(m.Elements) != 1 || len(m.Elements[0].Params) != len(ref.Elements[0].Params) || len(m.Params) != len(ref.Params) {
			t.Fatalf("round %d alert %d: %d elements, %d/%d alert params, %d/%d record params", round, i,
				len(m.Elements), len(m.Elements[0].Params), len(ref.Elements[0].Params), len(m.Params), len(ref.Params))
		}
		if tail := m.Params[len(m.Params):cap(m.Params)]; len(tail) > 0 && (tail[0].Name != "" || tail[0].Value != nil) {
			t.Fatalf("round %d alert %d: a record param of an earlier alert is kept past the end: %+v", round, i, tail[0])
		}
	}
	for round := range 2 {
		for i, a := range alerts {
			check(round, i, a)
		}
		for i := len(alerts) - 1; i >= 0; i-- {
			check(round, i, alerts[i])
		}
	}
	t.Logf("%d alerts agree", len(alerts))
}

// TestAlertWriterNoAllocs checks that AlertWriter.AppendMessage allocates
// nothing once its caches, the message and the buffer have grown.
func TestAlertWriterNoAllocs(t *testing.T) {
	alerts := reuseAlerts(t)
	if n := writerAllocs(alerts); n != 0 {
		t.Errorf("AlertWriter.AppendMessage with reused buffers allocates %v times for %d alerts", n, len(alerts))
	}
}

// TestAlertWriterAllRulesNoAllocs: alerts of every rule of the catalogue,
// interleaved, allocate nothing once the caches are warm. Before, the
// cache of rule descriptions had one slot per address hash: two rules
// whose ids hashed alike rebuilt their part at every alert (16
// allocations for 5 alerts in one build).
func TestAlertWriterAllRulesNoAllocs(t *testing.T) {
	var alerts []*Alert
	for _, s := range Catalogue() {
		alerts = append(alerts, &Alert{Info: s.Info, ID: "0123456789abcdef", Time: time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC),
			Key: []Column{{parser.ColAuthorID, "42"}}})
	}
	if n := writerAllocs(alerts); n != 0 {
		t.Errorf("the alerts of the %d rules allocate %v times per round", len(alerts), n)
	}
}

// writerAllocs returns the allocations per round of one AlertWriter
// encoding alerts in turn into a reused message and buffer (after a
// warm-up round, as testing.AllocsPerRun does).
func writerAllocs(alerts []*Alert) float64 {
	opts := forwarder.DefaultRecordOptions("host")
	var w AlertWriter
	var m forwarder.Message
	var msg []byte
	return testing.AllocsPerRun(50, func() {
		for _, a := range alerts {
			msg = w.AppendMessage(a, &m, "gitlab@32473", &opts, msg)
		}
	})
}
