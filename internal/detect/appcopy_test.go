package detect

import (
	"fmt"
	"slices"
	"testing"
	"time"

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
		apart   int // Stats.CopiesApart
	}{
		{"text then JSON", []string{text(t1), json(t1, "a")}, 1, 0},
		{"JSON then text", []string{json(t1, "a"), text(t1)}, 1, 0},
		{"two times, interleaved", []string{text(t1), json(t2, "b"), json(t1, "a"), text(t2)}, 2, 0},
		{"two in one millisecond, both forms interleaved", []string{text(t1), json(t1, "a"), text(t1), json(t1, "b")}, 2, 0},
		{"two in one millisecond, one JSON copy", []string{json(t1, "a"), text(t1), text(t1)}, 2, 0},
		{"text alone, repeated", []string{text(t1), text(t1), text(t1)}, 3, 0},
		{"JSON alone, two requests in one millisecond", []string{json(t1, "a"), json(t1, "b")}, 2, 0},
		{"another message is not a copy", []string{text(t1), `{"severity":"INFO","time":"` + t1 + `","correlation_id":"a","message":"Failed Login: username=bob ip=198.51.100.8"}`}, 2, 0},
		// GitLab writes the text copy first, with its own clock reading.
		{"JSON copy a millisecond later", []string{text(t1), json(ms42, "a")}, 1, 0},
		{"JSON copy a millisecond later, read first", []string{json(ms42, "a"), text(t1)}, 1, 0},
		{"JSON copy 2 ms later", []string{text(t1), json("2025-05-12T14:00:00.043Z", "a")}, 1, 0},
		{"3 ms later is not a copy", []string{text(t1), json("2025-05-12T14:00:00.044Z", "a")}, 2, 1},
		{"a JSON line earlier than the text is not its copy", []string{json("2025-05-12T14:00:00.040Z", "a"), text(t1)}, 2, 0},
		{"two a millisecond apart, copies 1 and 2 ms later, text first", []string{text(t1), text(ms42), json(ms42, "a"), json(ms44, "b")}, 2, 0},
		{"two a millisecond apart, copies 1 and 2 ms later, JSON first", []string{json(ms42, "a"), json(ms44, "b"), text(t1), text(ms42)}, 2, 0},
		{"two a millisecond apart, copies 1 and 2 ms later, interleaved", []string{text(t1), json(ms42, "a"), text(ms42), json(ms44, "b")}, 2, 0},
		{"two in one millisecond, copies a millisecond later", []string{text(t1), text(t1), json(ms42, "a"), json(ms42, "b")}, 2, 0},
		{"a paired event does not pair again", []string{text(t1), json(t1, "a"), json(ms42, "b")}, 2, 0},
		{"a paired event does not pair again, JSON first", []string{json(t1, "a"), json(ms42, "b"), text(t1)}, 2, 0},
		{"long dates are never copies", []string{"May 12, 2025 14:00: " + msg, json("2025-05-12T14:00:00.000Z", "a")}, 2, 0},
		// Two processes write one line each, out of time order, in both
		// files alike (fresh-user trial 148: paired on arrival, .006's
		// JSON copy took the .005 text line and three counted).
		{"out of order in both files, text first", []string{text(ms42), text(t1), json(ms42, "a"), json(t1, "b")}, 2, 0},
		{"out of order in both files, JSON first", []string{json(ms42, "a"), json(t1, "b"), text(ms42), text(t1)}, 2, 0},
		// A JSON event of the same Message later than copyLag, up to
		// copyDisorder, is not paired, but is most likely the copy:
		// Stats.CopiesApart tells.
		{"JSON copy 900 ms later", []string{text(t1), json("2025-05-12T14:00:00.941Z", "a")}, 2, 1},
		{"JSON copy 900 ms later, read first", []string{json("2025-05-12T14:00:00.941Z", "a"), text(t1)}, 2, 1},
		{"JSON 1.5 s later is another event", []string{text(t1), json("2025-05-12T14:00:01.541Z", "a")}, 2, 0},
		{"out of order in both files, interleaved", []string{text(ms42), json(ms42, "a"), text(t1), json(t1, "b")}, 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(Config{Only: []string{"sentinel.bruteforce"}, Emit: func(*Alert) {}})
			if err != nil {
				t.Fatal(err)
			}
			p := parser.New(parser.TypeApplication)
			var rec parser.Record
			for _, l := range tt.lines {
				if err := p.Parse([]byte(l), &rec); err != nil {
					t.Fatalf("%q: %v", l, err)
				}
				e.Process(NewEvent(&rec, []byte(l), "application.log", OriginFile))
			}
			if err := e.Close(); err != nil { // a text event waiting for its JSON copy is dropped or counted
				t.Fatal(err)
			}
			st := e.Stats()
			if got := int(st.Events - st.Deduplicated); got != tt.counted || int(st.Events) != len(tt.lines) {
				t.Errorf("%d events, %d deduplicated: %d counted, want %d of %d", st.Events, st.Deduplicated, got, tt.counted, len(tt.lines))
			}
			if int(st.CopiesApart) != tt.apart {
				t.Errorf("CopiesApart = %d, want %d", st.CopiesApart, tt.apart)
			}
		})
	}
}

// TestApplicationCopiesAlertID: an event GitLab wrote to both application
// logs raises one alert, with one alert_id, from the JSON copy (which
// carries correlation_id and meta.*; fresh-user trial 144), whichever
// copy is read first and with copies up to copyLag apart, in detect's
// engine and in run's, so that run (which reads the two files at once,
// in any order) and detect agree, and a catch-up after a restart raises
// the alert_id it delivered (fresh-user trial 142: two alert_ids by read
// order).
func TestApplicationCopiesAlertID(t *testing.T) {
	const msg = "Successful Login: username=root ip=198.51.100.7 method=standard admin=true"
	const cid = "01HZ7YVD5VY6ZNVA6NHF1T9J64"
	json := func(ts string) string {
		return fmt.Sprintf(`{"severity":"INFO","time":%q,"correlation_id":%q,"meta.user":"root","message":%q}`, ts, cid, msg)
	}
	for _, c := range []struct{ name, text, json string }{
		{"one millisecond", "2025-05-12T14:00:00.041Z: " + msg, json("2025-05-12T14:00:00.041Z")},
		{"JSON a millisecond later", "2025-05-12T14:00:00.999Z: " + msg, json("2025-05-12T14:00:01.000Z")},
		{"JSON 2 ms later", "2025-05-12T14:00:00.041Z: " + msg, json("2025-05-12T14:00:00.043Z")},
	} {
		for _, agent := range []bool{false, true} { // detect's engine, run's (MinWatermark, a source per file)
			ids := map[string]bool{}
			for _, order := range [][]string{{c.text, c.json}, {c.json, c.text}} {
				var alerts []*Alert
				var cids []string // the CorrelationID of each alert's event: the JSON copy's
				e, err := New(Config{Only: []string{"sentinel.local_auth_no_mfa"}, MinWatermark: agent, Emit: func(a *Alert) {
					alerts = append(alerts, a)
					cids = append(cids, a.Event.Get(parser.ColCorrelationID))
				}})
				if err != nil {
					t.Fatal(err)
				}
				p := parser.New(parser.TypeApplication)
				var rec parser.Record
				for _, l := range order {
					if err := p.Parse([]byte(l), &rec); err != nil {
						t.Fatalf("%q: %v", l, err)
					}
					src := "application.log"
					if agent && l[0] == '{' {
						src = "application_json.log"
					}
					e.Process(NewEvent(&rec, []byte(l), src, OriginFile))
				}
				if err := e.Close(); err != nil {
					t.Fatal(err)
				}
				if len(alerts) != 1 {
					t.Fatalf("%s, agent %v, read %.4s… first: %d alerts, want 1", c.name, agent, order[0], len(alerts))
				}
				if cids[0] != cid {
					t.Errorf("%s, agent %v, read %.4s… first: the alert's event has CorrelationID %q: not the JSON copy's", c.name, agent, order[0], cids[0])
				}
				ids[alerts[0].ID] = true
			}
			if len(ids) != 1 {
				t.Errorf("%s, agent %v: alert_ids by read order: %v, want one", c.name, agent, ids)
			}
		}
	}
}

// TestApplicationCopyWaitKeepsOrder: while a text event waits for its JSON
// copy, detect's engine (no MinWatermark) sorts the later events of the
// ordered rules behind it, so they see events in time order as they do
// without a wait: the text failed sign-in is the 11th, and raises
// sentinel.bruteforce's alert at its time, not at the later event's.
func TestApplicationCopyWaitKeepsOrder(t *testing.T) {
	t0 := time.Date(2025, 5, 12, 14, 0, 0, 0, time.UTC)
	at := t0.Add(10 * time.Second).Add(41 * time.Millisecond)
	var alerts []*Alert
	e, err := New(Config{Only: []string{"sentinel.bruteforce"}, Emit: func(a *Alert) { alerts = append(alerts, a) }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		e.Process(failedLogin("bob", "198.51.100.7", t0.Add(time.Duration(i)*time.Second)))
	}
	line := at.Format("2006-01-02T15:04:05.000Z") + ": Failed Login: username=bob ip=198.51.100.7"
	var rec parser.Record
	if err := parser.New(parser.TypeApplication).Parse([]byte(line), &rec); err != nil {
		t.Fatal(err)
	}
	e.Process(NewEvent(&rec, []byte(line), "application.log", OriginFile)) // waits for a JSON copy
	e.Process(failedLogin("bob", "198.51.100.7", at.Add(time.Millisecond)))
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if len(alerts) == 0 {
		t.Fatal("no alert")
	}
	if got := alerts[0].Time; !got.Equal(at) {
		t.Errorf("alert at %s, want %s (the text event, the 11th)", ts(got), ts(at))
	}
}

// TestApplicationCopiesOutOfOrder: a line written after a later one (two
// processes appending to the same logs), in both files alike, still has
// its JSON copy counted, in detect's engine and in run's (fresh-user
// trial 148: the text copy of the admin sign-in counted, without its
// CorrelationID, once a line 4 ms later was read before it).
func TestApplicationCopiesOutOfOrder(t *testing.T) {
	const admin = "Successful Login: username=root ip=198.51.100.7 method=standard admin=true"
	const other = "Successful Login: username=alice ip=198.51.100.8 method=standard admin=false"
	json := func(ts, cid, msg string) string {
		return fmt.Sprintf(`{"severity":"INFO","time":%q,"correlation_id":%q,"message":%q}`, ts, cid, msg)
	}
	text := []string{"2025-05-12T14:00:00.045Z: " + other, "2025-05-12T14:00:00.041Z: " + admin}
	jsons := []string{json("2025-05-12T14:00:00.046Z", "C1", other), json("2025-05-12T14:00:00.042Z", "C2", admin)}
	for _, agent := range []bool{false, true} {
		for _, order := range [][]string{slices.Concat(text, jsons), slices.Concat(jsons, text)} {
			var cids []string
			e, err := New(Config{Only: []string{"sentinel.local_auth_no_mfa"}, MinWatermark: agent, Emit: func(a *Alert) {
				cids = append(cids, a.Event.Get(parser.ColCorrelationID))
			}})
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range order {
				src := "application.log"
				if agent && l[0] == '{' {
					src = "application_json.log"
				}
				e.Process(lineEvent(t, parser.TypeApplication, src, l))
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(cids, []string{"C2"}) {
				t.Errorf("agent %v, %.4s… first: alerts' CorrelationIDs %q, want the JSON copy's [C2]", agent, order[0], cids)
			}
		}
	}
}

// TestNearIndexManyOfOneMessage checks nearIndex for a Message recorded
// many times (a message GitLab logs over and over): it keeps the times of
// the last four, and a prune, which reads every Message's times, finds
// them however many were recorded (a count that wrapped to 0 at 256
// events made the prune panic).
func TestNearIndexManyOfOneMessage(t *testing.T) {
	for _, n := range []int64{1, 4, 5, 255, 256, 257, 512, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var x nearIndex
			k := keyOf("Successful Login")
			for i := int64(1); i <= n; i++ {
				x.add(k, i, i)
			}
			for i := range 2048 { // past pruneAt: prunes, keeping all (nothing older than the cut)
				x.add(keyOf(fmt.Sprint("other ", i)), n, n)
			}
			if !x.has(k, n, n) {
				t.Errorf("the last time, %d, not found", n)
			}
			if oldest := max(1, n-3); !x.has(k, oldest, oldest) {
				t.Errorf("time %d, of the last four, not found", oldest)
			}
			if n > 4 && x.has(k, 1, n-4) {
				t.Errorf("a time before the last four found")
			}
		})
	}
}
