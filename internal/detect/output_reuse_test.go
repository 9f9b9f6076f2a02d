package detect

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/jsonstr"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// reuseAlerts are alerts of every shape the encoders know: per-event with
// an Event (one of whose columns repeats a field name), aggregated with
// threshold, baseline, window and event ids, nodes, one-element and empty
// lists, a column named like a generic field, zero times.
func reuseAlerts(t *testing.T) []*Alert {
	t.Helper()
	line := []byte(`{"id":91,"author_id":1,"entity_type":"User","author_name":"Ada \"root\" Admin","created_at":"2026-03-02T10:00:01.5Z","target_type":"User","target_id":1,"event_type":"personal_access_token_created","details":{"custom_message":"Created personal access token with id 5"}}`)
	var rec parser.Record
	if err := parser.New(parser.TypeAudit).Parse(line, &rec); err != nil {
		t.Fatal(err)
	}
	ev := NewEvent(&rec, line, "stream", OriginStream)
	at := time.Date(2026, 3, 2, 10, 0, 1, 500_000_000, time.FixedZone("x", 3600))
	det := time.Date(2026, 3, 2, 10, 0, 5, 123, time.UTC)
	info := Info{ID: "falco.pat_created", Name: "GitLab - Personal Access Token Created", Kind: KindPerEvent,
		Severity: SeverityMedium, Tactic: []string{"Persistence", "CredentialAccess"}, Technique: []string{"T1098.001"}}
	return []*Alert{
		{Info: info, ID: "abc", Time: ev.Time, DetectedAt: det, Key: []Column{{"EventID", "91"}},
			Columns: []Column{{"AuthorName", "x"}}, EventIDs: []string{"91"}, Event: ev},
		{Info: Info{ID: "sentinel.bruteforce", Name: "Brute", Kind: KindBaseline, Severity: SeverityHigh,
			Tactic: []string{"CredentialAccess"}}, ID: "def", Time: at, DetectedAt: det,
			Key:   []Column{{"Username", "ada\x00\"]"}, {"IPAddress", "198.51.100.7"}},
			Count: 11, Threshold: 10.5, HasThreshold: true, HasBaseline: true, BaselineMean: 0.25, BaselineSD: 1e-9,
			Learning: false, WindowStart: at.Add(-time.Hour), WindowEnd: at, FirstEvent: at.Add(-time.Minute), LastEvent: at,
			EventIDs: []string{"1", "2", "3"}, Nodes: []string{"node-a", "node-b"}},
		{Info: Info{ID: "x.learning", Kind: KindWindow, Tactic: []string{"", ""}}, Learning: true,
			Columns: []Column{{"count", "7"}, {"Empty", ""}}},
		{Info: Info{ID: "x.zero"}, ID: "z"},
		{Info: Info{ID: "x.none"}},
	}
}

// TestAppendMessageAgreesWithFields checks, on alerts of every shape
// encoded one after the other into the same message and buffer (as the
// agent does), that the alert element holds exactly Fields, MSG is
// AppendJSON and valid JSON, the record's columns follow in the usual
// element, and that the syslog line does not depend on what the buffers
// held before.
func TestAppendMessageAgreesWithFields(t *testing.T) {
	opts := forwarder.DefaultRecordOptions("host")
	enc := &forwarder.Encoder{}
	var m forwarder.Message
	var msg []byte
	alerts := reuseAlerts(t)
	for round := range 2 {
		for i, a := range alerts {
			msg = a.AppendMessage(&m, "gitlab@32473", &opts, msg)
			var fresh forwarder.Message
			a.Message(&fresh, "gitlab@32473", &opts)
			if got, want := string(enc.Append(nil, &m)), string(enc.Append(nil, &fresh)); got != want {
				t.Errorf("round %d alert %d: with reused buffers\n%s\nfresh\n%s", round, i, got, want)
			}
			if len(m.Elements) != 1 || m.Elements[0].ID != "alert@32473" {
				t.Fatalf("alert %d: elements %+v", i, m.Elements)
			}
			f := a.Fields()
			ps := m.Elements[0].Params
			if len(ps) != len(f) {
				t.Errorf("alert %d: %d params, Fields has %d", i, len(ps), len(f))
			}
			for j := range min(len(ps), len(f)) {
				if ps[j].Name != f[j].Name || string(ps[j].Value) != f[j].Value {
					t.Errorf("alert %d param %d: %s=%q, Fields has %s=%q", i, j, ps[j].Name, ps[j].Value, f[j].Name, f[j].Value)
				}
			}
			if js := string(a.AppendJSON(nil)); string(m.Msg) != js {
				t.Errorf("alert %d: MSG\n%s\nAppendJSON\n%s", i, m.Msg, js)
			}
			if ref := string(referenceJSON(a, nil, a.Fields())); string(m.Msg) != ref {
				t.Errorf("alert %d: MSG\n%s\nreference\n%s", i, m.Msg, ref)
			}
			var v map[string]any
			if err := json.Unmarshal(m.Msg, &v); err != nil {
				t.Errorf("alert %d: MSG is not JSON: %v\n%s", i, err, m.Msg)
			}
			if a.Event != nil && len(m.Params) != len(a.Event.Columns) {
				t.Errorf("alert %d: %d record params, the event has %d columns", i, len(m.Params), len(a.Event.Columns))
			}
		}
	}
	if n := testing.AllocsPerRun(100, func() {
		for _, a := range alerts {
			msg = a.AppendMessage(&m, "gitlab@32473", &opts, msg)
		}
	}); n != 0 {
		t.Errorf("AppendMessage with reused buffers allocates %v times for %d alerts", n, len(alerts))
	}
	// Another SD-ID: the element's id follows it.
	msg = alerts[0].AppendMessage(&m, "mine@12345", &opts, msg)
	if id := m.Elements[0].ID; id != "alert@12345" {
		t.Errorf("SD-ID for mine@12345: %s", id)
	}
	if !strings.Contains(string(m.Msg), `"raw":`) {
		t.Errorf("per-event MSG without raw: %s", m.Msg)
	}
}

// referenceJSON is the MSG encoder AppendMessage replaced, written over
// Fields: the JSON must stay the same byte for byte.
func referenceJSON(a *Alert, dst []byte, fields []Column) []byte {
	dst = append(dst, '{')
	first := true
	key := func(k string) {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = jsonstr.Append(dst, k)
		dst = append(dst, ':')
	}
	str := func(k, v string) {
		key(k)
		dst = jsonstr.Append(dst, v)
	}
	strs := func(k string, vs []string) {
		key(k)
		dst = append(dst, '[')
		for i, v := range vs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsonstr.Append(dst, v)
		}
		dst = append(dst, ']')
	}
	for _, c := range fields {
		switch c.Name {
		case "count", "threshold", "baseline_mean", "baseline_sd":
			key(c.Name)
			dst = append(dst, c.Value...)
		case "learning":
			key(c.Name)
			dst = append(dst, c.Value...)
		case "tactic":
			strs(c.Name, a.Info.Tactic)
		case "technique":
			strs(c.Name, a.Info.Technique)
		case "event_ids":
			strs(c.Name, a.EventIDs)
		case "nodes":
			strs(c.Name, a.Nodes)
		default:
			str(c.Name, c.Value)
		}
		if c.Name == "alert_id" {
			str("time", formatTime(a.Time))
		}
	}
	if a.Event != nil {
		// A name whose nameBit is not in a set's mask is not in the set:
		// most columns are written without searching the fields or the
		// columns before them.
		var inFields, inCols uint64
		for i := range fields {
			inFields |= nameBit(fields[i].Name)
		}
		cols := a.Event.Columns
		for i, c := range cols {
			bit := nameBit(c.Name)
			if (inFields&bit == 0 || !hasColumn(fields, c.Name)) &&
				(inCols&bit == 0 || !hasColumn(cols[:i], c.Name)) { // the first of a name only
				str(c.Name, c.Value)
			}
			inCols |= bit
		}
		str("raw", a.Event.Raw)
	}
	return append(dst, '}')
}
