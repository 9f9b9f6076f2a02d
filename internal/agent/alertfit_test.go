package agent

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/testing/syslogtest"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// fitTestAlert returns a falco.pat_created alert on an audit line with a
// target_details of td bytes and a key no column holds of extra bytes.
func fitTestAlert(t *testing.T, id string, td, extra int) *detect.Alert {
	t.Helper()
	line := []byte(`{"severity":"INFO","time":"2025-03-04T12:10:00.000Z","id":` + id + `,"author_id":42,"entity_id":42,"entity_type":"User",` +
		`"ip_address":"198.51.100.4","author_name":"Alice Example","entity_path":"alice","target_details":"` + strings.Repeat("z", td) +
		`","created_at":"2025-03-04T12:09:59.993Z","target_type":"User","target_id":42,"custom_message":"Created personal access token with id 13",` +
		`"unknown_key":"` + strings.Repeat("u", extra) + `"}`)
	var rec parser.Record
	if err := parser.New(parser.TypeAudit).Parse(line, &rec); err != nil {
		t.Fatal(err)
	}
	ev := detect.NewEvent(&rec, line, "audit_json.log", detect.OriginFile)
	return &detect.Alert{Info: detect.Info{ID: "falco.pat_created", Name: "GitLab - Personal Access Token Created",
		Kind: detect.KindPerEvent, Severity: detect.SeverityMedium, Tactic: []string{"Persistence"}, Technique: []string{"T1528"}},
		ID: "alert-" + id, Time: ev.Time, DetectedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), EventIDs: []string{id},
		Key: []detect.Column{{Name: "EventID", Value: id}}, Columns: []detect.Column{{Name: "TargetDetails", Value: strings.Repeat("z", td)}},
		Event: ev}
}

// TestDetectorFitsAlerts: detector.emit, with a sink's limit, leaves an
// alert that fits byte for byte as it was, sends one whose JSON fits
// whole without STRUCTURED-DATA without it, and says so (a stream's
// collector, unlike a datagram forwarder, would not drop it: fresh-user
// trial 262), keeps STRUCTURED-DATA when shortening raw alone is
// enough, else drops it and shortens raw and the longest columns, and
// sends an alert whose identifying members alone are too long whole
// without STRUCTURED-DATA (so that MSG keeps what the forwarder's cut
// leaves of it);
// the shortened ones are at most the limit, valid JSON with their
// identifying members, and logged. The alert after each, when it fits,
// is encoded as without a limit (the message's reused slices are
// restored).
func TestDetectorFitsAlerts(t *testing.T) {
	big := fitTestAlert(t, "7", 1000, 5000)
	enc := &forwarder.Encoder{}
	opts := forwarder.RecordOptions{Facility: forwarder.Local7, Hostname: "test"}
	// The sizes of big's message, and without STRUCTURED-DATA.
	ref := newDetector(nil, enc, "", opts, slog.New(slog.DiscardHandler))
	var fb forwarder.Batch
	ref.cur = &fb
	ref.emit(big)
	whole := slices.Clone(fb.Message(0))
	m, _ := syslogtest.Parse(whole)
	bare := len(whole) - len(m.SD) + 1
	small := fitTestAlert(t, "8", 10, 10)
	ref.emit(small)
	smallRef := slices.Clone(fb.Message(1))

	tests := []struct {
		name   string
		limit  int
		stream bool     // a stream destination: the limit is max_stream_message_bytes
		same   bool     // sent as without a limit
		sd     bool     // STRUCTURED-DATA kept
		cut    []string // the "truncated" member
		log    string   // the warning logged
	}{
		{"no limit", 0, false, true, true, nil, ""},
		{"fits", len(whole), false, true, true, nil, ""},
		{"JSON fits without STRUCTURED-DATA", bare, false, false, false, nil, "max_message_bytes sent without STRUCTURED-DATA to fit a datagram"},
		{"JSON fits without STRUCTURED-DATA, a stream", bare, true, false, false, nil, "max_stream_message_bytes sent without STRUCTURED-DATA to fit the collector's message size limit"},
		{"raw shortened, STRUCTURED-DATA kept", bare - 1, false, false, true, []string{"raw"}, "STRUCTURED-DATA kept"},
		{"raw shortened, STRUCTURED-DATA kept, a stream", bare - 1, true, false, true, []string{"raw"}, "longer than max_stream_message_bytes shortened to fit the collector's message size limit"},
		{"raw and a column shortened", 1200, false, false, false, []string{"raw", "TargetDetails"}, "STRUCTURED-DATA dropped"},
		{"identifying members too long", 480, false, false, false, nil, "could not be shortened"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			d := newDetector(nil, enc, "", opts, slog.New(slog.NewTextHandler(&logs, nil)))
			var fb forwarder.Batch
			d.cur, d.limit, d.stream = &fb, tc.limit, tc.stream
			d.emit(big)
			d.emit(small)
			if fb.Len() != 2 || d.n != 2 {
				t.Fatalf("%d messages, %d alerts counted; want 2", fb.Len(), d.n)
			}
			if got := fb.Message(1); (tc.limit == 0 || len(smallRef) <= tc.limit) && !bytes.Equal(got, smallRef) {
				t.Errorf("the alert after:\n%s\nwant\n%s", got, smallRef)
			}
			got := fb.Message(0)
			if tc.same != bytes.Equal(got, whole) {
				t.Fatalf("sent as without a limit: %v, want %v (%d bytes, limit %d)", !tc.same, tc.same, len(got), tc.limit)
			}
			if !strings.Contains(logs.String(), tc.log) || (tc.log == "") != (logs.Len() == 0) {
				t.Errorf("log %q, want %q", logs.String(), tc.log)
			}
			if tc.same {
				return
			}
			if tc.cut == nil { // sent whole for the forwarder to cut, without STRUCTURED-DATA
				pm, err := syslogtest.Parse(got)
				if err != nil {
					t.Fatal(err)
				}
				if string(pm.SD) != "-" || !bytes.Equal(pm.Msg, m.Msg) {
					t.Errorf("STRUCTURED-DATA %.60q, MSG %d bytes; want none, and the whole JSON of %d bytes", pm.SD, len(pm.Msg), len(m.Msg))
				}
				return
			}
			if len(got) > tc.limit {
				t.Errorf("%d bytes, over the limit %d", len(got), tc.limit)
			}
			pm, err := syslogtest.Parse(got)
			if err != nil {
				t.Fatal(err)
			}
			var a struct {
				Rule      string   `json:"rule"`
				AlertID   string   `json:"alert_id"`
				EventID   string   `json:"EventID"`
				Truncated []string `json:"truncated"`
			}
			if err := json.Unmarshal(pm.Msg, &a); err != nil {
				t.Fatalf("MSG is not valid JSON: %v", err)
			}
			if a.Rule != "falco.pat_created" || a.AlertID != "alert-7" || a.EventID != "7" || !slices.Equal(a.Truncated, tc.cut) {
				t.Errorf("rule %q, alert_id %q, EventID %q, truncated %q; want falco.pat_created, alert-7, 7, %q", a.Rule, a.AlertID, a.EventID, a.Truncated, tc.cut)
			}
			if kept := string(pm.SD) == string(m.SD); kept != tc.sd || !kept && string(pm.SD) != "-" {
				t.Errorf("STRUCTURED-DATA %.60q; kept %v, want %v", pm.SD, kept, tc.sd)
			}
		})
	}
}

// TestDetectorFitCheckAllocates: with a limit, an alert that fits costs
// emit no allocation (the check is a length comparison).
func TestDetectorFitCheckAllocates(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not asserted under the race detector")
	}
	a := fitTestAlert(t, "8", 100, 100)
	d := newDetector(nil, &forwarder.Encoder{}, "", forwarder.RecordOptions{Facility: forwarder.Local7, Hostname: "test"}, slog.New(slog.DiscardHandler))
	var fb forwarder.Batch
	d.cur, d.limit = &fb, forwarder.DefaultMaxDatagram
	emit := func() {
		if fb.Len() >= 64 {
			fb.Reset()
		}
		d.emit(a)
	}
	for range 128 { // grown
		emit()
	}
	if n := testing.AllocsPerRun(200, emit); n != 0 {
		t.Errorf("emit of an alert that fits allocates %v times, want 0", n)
	}
}

// TestDetectorFitLogsEachKind: the warning about an alert that could not
// be shortened (sent cut, its JSON invalid) is paced apart from those
// about alerts shortened: one of each, a moment apart, are both logged,
// instead of the second being counted in the first's
// unreported_since_last (fresh-user trial 210).
func TestDetectorFitLogsEachKind(t *testing.T) {
	var logs bytes.Buffer
	d := newDetector(nil, &forwarder.Encoder{}, "", forwarder.RecordOptions{Facility: forwarder.Local7, Hostname: "test"},
		slog.New(slog.NewTextHandler(&logs, nil)))
	var fb forwarder.Batch
	d.cur, d.limit = &fb, 1200
	d.emit(fitTestAlert(t, "7", 1000, 5000))                   // shortened
	d.emit(fitTestAlert(t, strings.Repeat("9", 1300), 10, 10)) // its key alone is too long
	d.emit(fitTestAlert(t, "8", 1000, 5000))                   // shortened: held back
	if n := strings.Count(logs.String(), "shortened to fit a datagram: its JSON (MSG) stays valid"); n != 1 {
		t.Errorf("%d warnings of alerts shortened, want 1 (the second held back):\n%s", n, logs.String())
	}
	if n := strings.Count(logs.String(), "could not be shortened"); n != 1 {
		t.Errorf("%d warnings of an alert that could not be shortened, want 1:\n%s", n, logs.String())
	}
	if got, want := [3]uint64{d.fitted.sdDropped.Load(), d.fitted.shortened.Load(), d.fitted.cut.Load()}, [3]uint64{0, 2, 1}; got != want {
		t.Errorf("alerts fitted (sd_dropped, shortened, cut) = %v, want %v", got, want)
	}
	// At shutdown the warning held back is counted (fresh-user trial 263:
	// run --once ended on the first warning alone).
	logs.Reset()
	d.flushFit()
	if want := "more detection alerts longer than max_message_bytes were sent shortened or without STRUCTURED-DATA since the last such warning\" alerts=1 "; !strings.Contains(logs.String(), want) {
		t.Errorf("flushFit logged %q, want it to contain %q", logs.String(), want)
	}
	if strings.Contains(logs.String(), "could not be shortened") {
		t.Errorf("flushFit logged alerts sent cut, none was held back:\n%s", logs.String())
	}
	logs.Reset()
	d.flushFit()
	if logs.Len() != 0 {
		t.Errorf("a second flushFit logged again:\n%s", logs.String())
	}
}
