package detect

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/influxdata/go-syslog/v3/rfc5424"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

func TestAlertMessageParsesAsRFC5424(t *testing.T) {
	line := []byte(`{"id":91,"author_id":1,"entity_id":1,"entity_type":"User","details":{"author_name":"Ada \"root\" Admin","custom_message":"Created personal access token with id 5","ip_address":"198.51.100.7","entity_path":"root"},"ip_address":"198.51.100.7","author_name":"Ada \"root\" Admin","entity_path":"root","target_details":"Ada","created_at":"2026-03-02T10:00:01.5Z","target_type":"User","target_id":1,"event_type":"personal_access_token_created"}`)
	var rec parser.Record
	if err := parser.New(parser.TypeAudit).Parse(line, &rec); err != nil {
		t.Fatal(err)
	}
	ev := NewEvent(&rec, line, "stream", OriginStream)
	detected := time.Date(2026, 3, 2, 10, 0, 5, 0, time.UTC)
	tests := []struct {
		name      string
		alert     *Alert
		wantSev   forwarder.Severity
		wantAlert map[string]string // alert@ params that must be present
		absent    []string          // alert@ params that must not be
		gitlab    bool              // a gitlab@ element with the record's columns
	}{
		{
			name: "per-event rule",
			alert: &Alert{Info: Info{ID: "falco.pat_created", Name: "GitLab - Personal Access Token Created",
				Kind: KindPerEvent, Severity: SeverityMedium, Tactic: []string{"Persistence", "CredentialAccess"},
				Technique: []string{"T1098.001", "T1528"}}, ID: "abc", Time: ev.Time, DetectedAt: detected,
				Key: []Column{{"EventID", "91"}}, EventIDs: []string{"91"}, Event: ev},
			wantSev: forwarder.Warning,
			wantAlert: map[string]string{"rule": "falco.pat_created", "kind": "per-event", "severity": "Medium",
				"tactic": "Persistence,CredentialAccess", "technique": "T1098.001,T1528", "alert_id": "abc",
				"event_ids": "91", "EventID": "91", "detected_at": "2026-03-02T10:00:05Z"},
			absent: []string{"count", "threshold", "learning", "baseline_mean"},
			gitlab: true,
		},
		{
			name: "baseline rule while learning",
			alert: &Alert{Info: Info{ID: "sentinel.bruteforce", Name: "GitLab - Brute-force Attempts", Kind: KindBaseline,
				Severity: SeverityHigh}, ID: "def", Time: ev.Time, DetectedAt: detected,
				Key:   []Column{{"Username", "ada"}, {"IPAddress", "198.51.100.7"}},
				Count: 11, Threshold: 10, HasThreshold: true, HasBaseline: true, BaselineMean: 0.25, BaselineSD: 0.5,
				Learning: true, WindowStart: ev.Time.Add(-time.Hour), WindowEnd: ev.Time},
			wantSev: forwarder.Error,
			wantAlert: map[string]string{"count": "11", "threshold": "10", "baseline_mean": "0.25", "baseline_sd": "0.5",
				"learning": "true", "Username": "ada", "IPAddress": "198.51.100.7",
				"window_start": "2026-03-02T09:00:01.5Z", "window_end": "2026-03-02T10:00:01.5Z"},
			absent: []string{"event_ids"},
		},
		{
			name:      "informational",
			alert:     &Alert{Info: Info{ID: "falco.admin_impersonation", Kind: KindPerEvent, Severity: SeverityInformational}, Time: ev.Time},
			wantSev:   forwarder.Informational,
			wantAlert: map[string]string{"rule": "falco.admin_impersonation"},
		},
	}
	p := rfc5424.NewParser(rfc5424.WithBestEffort())
	enc := &forwarder.Encoder{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m forwarder.Message
			o := forwarder.DefaultRecordOptions("gitlab01")
			tt.alert.Message(&m, forwarder.DefaultSDID, &o)
			b := enc.Append(nil, &m)
			got, err := p.Parse(b)
			if err != nil {
				t.Fatalf("parse %s: %v", b, err)
			}
			sm := got.(*rfc5424.SyslogMessage)
			if *sm.Appname != "GitLab-Detections" || *sm.MsgID != tt.alert.Info.ID || *sm.Hostname != "gitlab01" {
				t.Errorf("header: app %s msgid %s host %s", *sm.Appname, *sm.MsgID, *sm.Hostname)
			}
			if *sm.Facility != uint8(forwarder.Local7) || *sm.Severity != uint8(tt.wantSev) {
				t.Errorf("facility %d severity %d, want local7 and %d", *sm.Facility, *sm.Severity, tt.wantSev)
			}
			if !sm.Timestamp.Equal(tt.alert.Time) {
				t.Errorf("timestamp %v, want the alert's event time %v", sm.Timestamp, tt.alert.Time)
			}
			sd := *sm.StructuredData
			for k, v := range tt.wantAlert {
				if sd["alert@32473"][k] != v {
					t.Errorf("alert@32473 %s = %q, want %q", k, sd["alert@32473"][k], v)
				}
			}
			for _, k := range tt.absent {
				if _, ok := sd["alert@32473"][k]; ok {
					t.Errorf("alert@32473 has %s", k)
				}
			}
			if _, ok := sd["gitlab@32473"]; ok != tt.gitlab {
				t.Errorf("gitlab@32473 present = %v, want %v", ok, tt.gitlab)
			}
			if tt.gitlab && sd["gitlab@32473"]["AuthorName"] != `Ada "root" Admin` {
				t.Errorf("gitlab@32473 AuthorName = %q", sd["gitlab@32473"]["AuthorName"])
			}
			var msg map[string]any
			if err := json.Unmarshal([]byte(*sm.Message), &msg); err != nil {
				t.Fatalf("MSG is not JSON: %v\n%s", err, *sm.Message)
			}
			if msg["rule"] != tt.alert.Info.ID || (tt.gitlab && msg["raw"] != string(line)) {
				t.Errorf("MSG rule %v raw %v", msg["rule"], msg["raw"])
			}
			if tt.alert.Count > 0 && msg["count"] != float64(tt.alert.Count) {
				t.Errorf("MSG count = %v (%T), want the number %d", msg["count"], msg["count"], tt.alert.Count)
			}
		})
	}
	// One Message and MSG buffer reused for every alert, in both orders
	// (the agent's way), encode each alert as a fresh Message does.
	var reused forwarder.Message
	var buf []byte
	o := forwarder.DefaultRecordOptions("gitlab01")
	for _, order := range [][]int{{0, 1, 2}, {2, 1, 0}} {
		for _, i := range order {
			a := tests[i].alert
			var fresh forwarder.Message
			a.Message(&fresh, forwarder.DefaultSDID, &o)
			want := enc.Append(nil, &fresh)
			buf = a.AppendMessage(&reused, forwarder.DefaultSDID, &o, buf)
			if got := enc.Append(nil, &reused); string(got) != string(want) {
				t.Errorf("%s with reused buffers:\n%s\nwant\n%s", tests[i].name, got, want)
			}
			if string(a.AppendJSON(nil)) != string(fresh.Msg) {
				t.Errorf("%s: MSG is not AppendJSON", tests[i].name)
			}
		}
	}
}

func TestAlertSDID(t *testing.T) {
	for in, want := range map[string]string{"gitlab@32473": "alert@32473", "gitlab@99999": "alert@99999", "x": "alert@32473", "gitlab@324731": "alert@324731"} {
		if got := AlertSDID(in); got != want {
			t.Errorf("AlertSDID(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAlertJSONColumnsOnce checks that the alert's JSON has each name
// once: an event column named as a field or key column, or as an earlier
// event column, is left out, every other event column is written, and
// "raw" closes the object.
func TestAlertJSONColumnsOnce(t *testing.T) {
	ev := &Event{Type: parser.TypeAudit, Time: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), Raw: `{"x":1}`}
	names := []string{"Username", "CorrelationID", "AuthorName", "rule", "IPAddress", "CorrelationID", "EntityPath",
		"severity", "A", "B", "AB", "BA", "Username", "TargetDetails", "alert_id", "EventID"}
	for i, n := range names {
		ev.Columns = append(ev.Columns, Column{n, fmt.Sprintf("v%d", i)})
	}
	a := &Alert{Info: Info{ID: "test.rule", Name: "Test"}, ID: "abc", Time: ev.Time, Event: ev,
		Key: []Column{{"Username", "key-user"}}}
	out := string(a.AppendJSON(nil))
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	want := map[string]string{"Username": "key-user", "CorrelationID": "v1", "AuthorName": "v2", "rule": "test.rule",
		"IPAddress": "v4", "EntityPath": "v6", "severity": a.Info.Severity.String(), "A": "v8", "B": "v9", "AB": "v10",
		"BA": "v11", "TargetDetails": "v13", "alert_id": "abc", "EventID": "v15", "raw": ev.Raw}
	for name, v := range want {
		if n := strings.Count(out, `"`+name+`":`); n != 1 {
			t.Errorf("%q written %d times, want once: %s", name, n, out)
		}
		if m[name] != v {
			t.Errorf("%q = %v, want %q", name, m[name], v)
		}
	}
	if !strings.HasSuffix(out, `"raw":"{\"x\":1}"}`) {
		t.Errorf("raw does not close the object: %s", out)
	}
}
