package detect

import (
	"fmt"
	"testing"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestApplicationCopies: an application-log event in both forms (the
// text application.log and application_json.log, as GitLab 12.7 to 15.9
// write each message) counts once, as many times as the form that holds
// it more often has it, whatever the order the two files are read in;
// events of one form alone all count, and so do the text log's long
// dates, which no JSON log copies. A JSON copy may be timed up to copyLag
// ms after its text one (fresh-user trial 142: copies straddling a
// millisecond counted twice).
func TestApplicationCopies(t *testing.T) {
	const msg = "Failed Login: username=bob ip=198.51.100.7"
	text := func(ts string) string { return ts + ": " + msg }
	json := func(ts, cid string) string {
		return fmt.Sprintf(`{"severity":"INFO","time":%q,"correlation_id":%q,"message":%q}`, ts, cid, msg)
	}
	const t1, t2 = "2025-05-12T14:00:00.041Z", "2025-05-12T14:00:07.500Z"
	const ms42 = "2025-05-12T14:00:00.042Z" // a millisecond after t1
	const ms44 = "2025-05-12T14:00:00.044Z" // 2 ms after ms42
	tests := []struct {
		name    string
		lines   []string
		counted int
	}{
		{"text then JSON", []string{text(t1), json(t1, "a")}, 1},
		{"JSON then text", []string{json(t1, "a"), text(t1)}, 1},
		{"two times, interleaved", []string{text(t1), json(t2, "b"), json(t1, "a"), text(t2)}, 2},
		{"two in one millisecond, both forms interleaved", []string{text(t1), json(t1, "a"), text(t1), json(t1, "b")}, 2},
		{"two in one millisecond, one JSON copy", []string{json(t1, "a"), text(t1), text(t1)}, 2},
		{"text alone, repeated", []string{text(t1), text(t1), text(t1)}, 3},
		{"JSON alone, two requests in one millisecond", []string{json(t1, "a"), json(t1, "b")}, 2},
		{"another message is not a copy", []string{text(t1), `{"severity":"INFO","time":"` + t1 + `","correlation_id":"a","message":"Failed Login: username=bob ip=198.51.100.8"}`}, 2},
		// GitLab writes the text copy first, with its own clock reading.
		{"JSON copy a millisecond later", []string{text(t1), json(ms42, "a")}, 1},
		{"JSON copy a millisecond later, read first", []string{json(ms42, "a"), text(t1)}, 1},
		{"JSON copy 2 ms later", []string{text(t1), json("2025-05-12T14:00:00.043Z", "a")}, 1},
		{"3 ms later is not a copy", []string{text(t1), json("2025-05-12T14:00:00.044Z", "a")}, 2},
		{"a JSON line earlier than the text is not its copy", []string{json("2025-05-12T14:00:00.040Z", "a"), text(t1)}, 2},
		{"two a millisecond apart, copies 1 and 2 ms later, text first", []string{text(t1), text(ms42), json(ms42, "a"), json(ms44, "b")}, 2},
		{"two a millisecond apart, copies 1 and 2 ms later, JSON first", []string{json(ms42, "a"), json(ms44, "b"), text(t1), text(ms42)}, 2},
		{"two a millisecond apart, copies 1 and 2 ms later, interleaved", []string{text(t1), json(ms42, "a"), text(ms42), json(ms44, "b")}, 2},
		{"two in one millisecond, copies a millisecond later", []string{text(t1), text(t1), json(ms42, "a"), json(ms42, "b")}, 2},
		{"a paired event does not pair again", []string{text(t1), json(t1, "a"), json(ms42, "b")}, 2},
		{"a paired event does not pair again, JSON first", []string{json(t1, "a"), json(ms42, "b"), text(t1)}, 2},
		{"long dates are never copies", []string{"May 12, 2025 14:00: " + msg, json("2025-05-12T14:00:00.000Z", "a")}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(Config{Only: []string{"sentinel.bruteforce"}, Emit: func(*Alert) {}})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			p := parser.New(parser.TypeApplication)
			var rec parser.Record
			for _, l := range tt.lines {
				if err := p.Parse([]byte(l), &rec); err != nil {
					t.Fatalf("%q: %v", l, err)
				}
				e.Process(NewEvent(&rec, []byte(l), "application.log", OriginFile))
			}
			st := e.Stats()
			if got := int(st.Events - st.Deduplicated); got != tt.counted || int(st.Events) != len(tt.lines) {
				t.Errorf("%d events, %d deduplicated: %d counted, want %d of %d", st.Events, st.Deduplicated, got, tt.counted, len(tt.lines))
			}
		})
	}
}

// TestApplicationCopiesAlertID: an event GitLab wrote to both application
// logs raises one alert, with one alert_id, whichever copy is read first,
// so that run (which reads the two files at once, in any order) and
// detect agree, and a catch-up after a restart raises the alert_id it
// delivered (fresh-user trial 142: two alert_ids by read order).
func TestApplicationCopiesAlertID(t *testing.T) {
	const ts, msg = "2025-05-12T14:00:00.041Z", "Successful Login: username=root ip=198.51.100.7 method=standard admin=true"
	text := ts + ": " + msg
	json := fmt.Sprintf(`{"severity":"INFO","time":%q,"correlation_id":"01HZ7YVD5VY6ZNVA6NHF1T9J64","meta.user":"root","message":%q}`, ts, msg)
	ids := map[string]bool{}
	for _, order := range [][]string{{text, json}, {json, text}} {
		var alerts []*Alert
		e, err := New(Config{Only: []string{"sentinel.local_auth_no_mfa"}, Emit: func(a *Alert) { alerts = append(alerts, a) }})
		if err != nil {
			t.Fatal(err)
		}
		p := parser.New(parser.TypeApplication)
		var rec parser.Record
		for _, l := range order {
			if err := p.Parse([]byte(l), &rec); err != nil {
				t.Fatalf("%q: %v", l, err)
			}
			e.Process(NewEvent(&rec, []byte(l), "application.log", OriginFile))
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		if len(alerts) != 1 {
			t.Fatalf("read %.4s… first: %d alerts, want 1", order[0], len(alerts))
		}
		ids[alerts[0].ID] = true
	}
	if len(ids) != 1 {
		t.Errorf("alert_ids by read order: %v, want one", ids)
	}
}
