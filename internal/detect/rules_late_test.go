package detect

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// engineFor builds an engine running only rule id with params, collecting
// alerts.
func engineFor(t *testing.T, id string, params map[string]string, alerts *[]*Alert) (*Engine, Rule) {
	t.Helper()
	e, err := New(Config{Only: []string{id}, Rules: map[string]RuleConfig{id: {Params: params}},
		Emit: func(a *Alert) { a.detach(); *alerts = append(*alerts, a) }}) // kept past Emit: a copy (see Emit)
	if err != nil {
		t.Fatal(err)
	}
	return e, e.byID[id].rule
}

func auditEv(src string, when time.Time, cols ...string) *Event {
	ev := &Event{Type: parser.TypeAudit, Time: when, Source: src, Origin: OriginFile}
	for i := 0; i+1 < len(cols); i += 2 {
		ev.Columns = append(ev.Columns, Column{cols[i], cols[i+1]})
	}
	return ev
}

func impStartEv(src string, when time.Time) *Event {
	return auditEv(src, when, parser.ColAuthorID, "1", parser.ColAuthorName, "Administrator",
		parser.ColTargetID, "3", parser.ColTargetType, "User", parser.ColTargetDetails, "jdoe",
		parser.ColCustomMessage, "Started Impersonation")
}

func impStopEv(src string, when time.Time) *Event {
	return auditEv(src, when, parser.ColAuthorID, "1", parser.ColAuthorName, "Administrator",
		parser.ColTargetID, "3", parser.ColTargetType, "User", parser.ColTargetDetails, "jdoe",
		parser.ColCustomMessage, "Stopped Impersonation")
}

func impActionEv(src string, when time.Time, id int) *Event {
	return auditEv(src, when, parser.ColAuthorID, "3", parser.ColAuthorName, "John Doe",
		parser.ColAddAction, "user_access", parser.ColEventID, strconv.Itoa(id))
}

func TestImpersonationOutOfOrderAndLate(t *testing.T) {
	var alerts []*Alert
	e, r := engineFor(t, "sentinel.impersonation", nil, &alerts)
	// The streamed action arrives before the file's start line, 20 s
	// earlier in event time than its own time: held, then attributed.
	e.Process(impActionEv("stream", tAt("20s"), 1))
	e.Process(impStartEv("audit_json.log", tAt("0s")))
	e.Process(impStopEv("audit_json.log", tAt("10m")))
	e.Process(impActionEv("audit_json.log", tAt("11m"), 2)) // after the stop: not an action of the session
	e.Advance(tAt("20m"))
	if len(alerts) != 1 || alerts[0].Event.Get(parser.ColEventID) != "1" {
		t.Fatalf("alerts %d, want 1 for the action read before its start", len(alerts))
	}
	// Late (older than the watermark) but the session is still held: folded.
	e.Process(impActionEv("stream", tAt("5m"), 3))
	if len(alerts) != 2 || alerts[1].Get("SessionStart") != ts(tAt("0s")) {
		t.Fatalf("late action inside a held session: alerts %d, want 2", len(alerts))
	}
	// Two days later the session is forgotten: a late action is counted.
	e.Advance(tAt("48h"))
	e.Process(impActionEv("stream", tAt("6m"), 4))
	if len(alerts) != 2 {
		t.Errorf("an action after the session was forgotten alerted")
	}
	if n := lateOrTooOld(e, r); n != 1 {
		t.Errorf("LateDropped + TooOld = %d, want 1", n)
	}
}

// lateOrTooOld returns the events r dropped as late, with those the
// engine kept from it as older than the event ids it remembers (more than
// a day behind the watermark: RuleStats.TooOld).
func lateOrTooOld(e *Engine, r Rule) uint64 {
	return r.(LateCounter).LateDropped() + e.Stats().Rules[r.Info().ID].TooOld
}

// Actions held and evaluated in order are not late, even when the event
// that moves the watermark past them is days later (detect over an old
// file and a later one): only an action that arrives behind the
// watermark and older than every session kept counts as dropped.
func TestImpersonationInOrderNotLate(t *testing.T) {
	var alerts []*Alert
	e, r := engineFor(t, "sentinel.impersonation", nil, &alerts)
	e.Process(impActionEv("audit_json.log", tAt("0s"), 1)) // no session: not an action
	e.Process(impActionEv("audit_json.log", tAt("1m"), 2))
	e.Process(impActionEv("later.log", tAt("96h"), 3)) // four days later
	e.Advance(tAt("97h"))
	if len(alerts) != 0 {
		t.Fatalf("alerts %d, want none", len(alerts))
	}
	if n := r.(LateCounter).LateDropped(); n != 0 {
		t.Errorf("LateDropped = %d for actions evaluated in order, want 0", n)
	}
	e.Process(impActionEv("stream", tAt("2m"), 4)) // behind the watermark by days
	if n := lateOrTooOld(e, r); n != 1 {
		t.Errorf("LateDropped + TooOld = %d after a late action, want 1", n)
	}
}

func TestBruteforceLateAndOutOfOrder(t *testing.T) {
	var alerts []*Alert
	e, r := engineFor(t, "sentinel.bruteforce", nil, &alerts)
	// 10 failures, then 1 out of order inside the window: 11 > 10.
	for i := range 10 {
		e.Process(failedLogin("alice", "81.2.69.1", tAt(strconv.Itoa(60+i)+"s")))
	}
	e.Process(failedLogin("alice", "81.2.69.1", tAt("5s"))) // from a second source, behind
	if len(alerts) != 1 || alerts[0].Count != 11 || !alerts[0].FirstEvent.Equal(tAt("5s")) {
		t.Fatalf("alerts %+v, want 1 with count 11 and the out-of-order event first", alerts)
	}
	// Two hours later, an event of the first minute is too late for its window.
	e.Process(failedLogin("alice", "81.2.69.1", tAt("2h")))
	e.Process(failedLogin("alice", "81.2.69.1", tAt("30s")))
	if n := r.(LateCounter).LateDropped(); n != 1 {
		t.Errorf("LateDropped = %d, want 1", n)
	}
	// The out-of-order event was within the lateness: not late for the engine.
	if st := e.Stats(); st.Rules["sentinel.bruteforce"].LateDrop != 1 || st.Late != 1 {
		t.Errorf("engine stats: rule LateDrop %d, engine Late %d; want 1 and 1",
			st.Rules["sentinel.bruteforce"].LateDrop, st.Late)
	}
}

func TestPATLateDayAndOutOfOrder(t *testing.T) {
	var alerts []*Alert
	e, r := engineFor(t, "sentinel.pat_over_time", nil, &alerts)
	pat := func(when time.Time) *Event {
		return auditEv("audit_json.log", when, parser.ColEventName, "personal_access_token_created",
			parser.ColAuthorName, "Alice", parser.ColEntityPath, "alice",
			parser.ColCustomMessage, "Created personal access token with id 1")
	}
	e.Process(pat(tAt("10h")))
	e.Process(pat(tAt("9h"))) // out of order, same UTC day
	if len(alerts) != 1 || alerts[0].Count != 2 || !alerts[0].FirstEvent.Equal(tAt("9h")) {
		t.Fatalf("alerts %d, want 1 with count 2 from 09h", len(alerts))
	}
	e.Process(pat(tAt("10h1m")))
	if len(alerts) != 1 {
		t.Errorf("a third token the same day alerted again")
	}
	e.Process(pat(tAt("48h")))
	e.Process(pat(tAt("11h"))) // its day was closed
	if n := lateOrTooOld(e, r); n != 1 {
		t.Errorf("LateDropped + TooOld = %d, want 1", n)
	}
}

func TestRepoDeletionOutOfOrderBacklog(t *testing.T) {
	var alerts []*Alert
	e, _ := engineFor(t, "sentinel.repo_deletion", nil, &alerts)
	// 11 deletions within 100 s, delivered newest first by a replayed
	// backlog: all inside the lateness, all counted by event time.
	for i := 10; i >= 0; i-- {
		e.Process(auditEv("stream", tAt(strconv.Itoa(10*i)+"s"), parser.ColEventName, "project_destroyed",
			parser.ColRemoveAction, "project", parser.ColAuthorName, "eve", parser.ColEventID, strconv.Itoa(100+i)))
	}
	if len(alerts) != 1 || alerts[0].Count != 11 || !alerts[0].FirstEvent.Equal(tAt("0s")) ||
		!alerts[0].LastEvent.Equal(tAt("100s")) || alerts[0].Get("Authors") != "eve" {
		t.Fatalf("alerts %+v, want 1 counting 11 from +0s to +100s by eve", alerts)
	}
}

func TestWindowClosedLateDropped(t *testing.T) {
	for _, id := range []string{"gitlab.password_spray", "gitlab.distributed_guessing", "sentinel.repo_deletion"} {
		t.Run(id, func(t *testing.T) {
			var alerts []*Alert
			e, r := engineFor(t, id, nil, &alerts)
			ev := func(when time.Time, i int) *Event {
				if id == "sentinel.repo_deletion" {
					return auditEv("a", when, parser.ColEventName, "project_destroyed", parser.ColEventID, strconv.Itoa(i))
				}
				return failedLogin("u"+strconv.Itoa(i), "81.2.69."+strconv.Itoa(i), when)
			}
			e.Process(ev(tAt("3h"), 1))
			e.Process(ev(tAt("1h50m"), 2)) // before the watermark (2h58m) − 60 min: its window is closed
			e.Process(ev(tAt("2h30m"), 3)) // late for the engine, but its window is held: folded
			if n := r.(LateCounter).LateDropped(); n != 1 {
				t.Errorf("LateDropped = %d, want 1", n)
			}
			if st := e.Stats(); st.Late != 2 {
				t.Errorf("engine Late = %d, want 2", st.Late)
			}
		})
	}
}

func TestPATAnomalyMode(t *testing.T) {
	pat := func(when time.Time) *Event {
		return auditEv("audit_json.log", when, parser.ColEventName, "project_access_token_created",
			parser.ColAuthorName, "ci-bot-admin", parser.ColEntityPath, "acme/api",
			parser.ColCustomMessage, "Created project access token with token_id: 1")
	}
	run := func(params map[string]string, lastDay int) []*Alert {
		var alerts []*Alert
		e, _ := engineFor(t, "sentinel.pat_over_time", params, &alerts)
		for day := range 31 { // automation creates 3 tokens a day for 31 days
			for i := range 3 {
				e.Process(pat(tAt(strconv.Itoa(24*day) + "h" + strconv.Itoa(i) + "m")))
			}
		}
		for i := range lastDay { // then day 32
			e.Process(pat(tAt(strconv.Itoa(24*31) + "h" + strconv.Itoa(i) + "m")))
		}
		return alerts
	}
	if n := len(run(nil, 3)); n != 32 {
		t.Errorf("plain mode: %d alerts, want 32 (every day exceeds min_tokens 1)", n)
	}
	anomaly := map[string]string{"anomaly": "true"}
	learned := func(as []*Alert) (n int, last *Alert) {
		for _, a := range as {
			if !a.Learning {
				n, last = n+1, a
			}
		}
		return n, last
	}
	if n, _ := learned(run(anomaly, 3)); n != 0 {
		t.Errorf("anomaly mode, steady 3 a day: %d learned alerts, want 0", n)
	}
	// The series survive a snapshot round trip.
	var none []*Alert
	_, r := engineFor(t, "sentinel.pat_over_time", anomaly, &none)
	for day := range 5 {
		r.Observe(pat(tAt(strconv.Itoa(24*day)+"h")), time.Now, func(*Alert) {})
	}
	snap, _ := r.(Stateful).Snapshot()
	_, r2 := engineFor(t, "sentinel.pat_over_time", anomaly, &none)
	if err := r2.(Stateful).Restore(snap); err != nil {
		t.Fatal(err)
	}
	if snap2, _ := r2.(Stateful).Snapshot(); string(snap2) != string(snap) || !strings.Contains(string(snap), `"series":[{`) {
		t.Errorf("anomaly state round trip:\n%s\n%s", snap, snap2)
	}
	n, a := learned(run(anomaly, 5))
	if n != 1 || a.Count != 4 || !near(a.BaselineMean, 3) || a.BaselineSD > 1e-9 || !near(a.Threshold, 3) {
		t.Errorf("anomaly mode, 5 on day 32: %d learned alerts (%+v), want 1 at count 4 over the line at 3", n, a)
	}
}

// TestBruteforceOlderEventCompletesCount feeds failures of one (user,
// address) with the event that completes the count older than events
// already folded, beyond the engine's lateness (so not reordered): a
// window ending after that event holds more than 10 and alerts, and the
// alert describes that window. Nothing is late for the rule.
func TestBruteforceOlderEventCompletesCount(t *testing.T) {
	every5m := func(n int) []string { // 09:00, 09:05, ... newest first
		var s []string
		for i := n - 1; i >= 0; i-- {
			s = append(s, strconv.Itoa(5*i)+"m")
		}
		return s
	}
	tests := []struct {
		name  string
		feed  []string // event times after 09:00, in the order folded
		count int      // 0: no alert
		start string   // window_start
		first string
		last  string // also the alert's Time and window_end
	}{
		{name: "reversed", feed: every5m(11), count: 11, start: "-5m", first: "0m", last: "50m"},
		{name: "reversed below threshold", feed: every5m(10)},
		{
			// Node B's newer six arrive first, then node A's backlog of five.
			name:  "backlog of another node",
			feed:  []string{"25m", "30m", "35m", "40m", "45m", "50m", "0m", "5m", "10m", "15m", "20m"},
			count: 11, start: "-5m", first: "0m", last: "50m",
		},
		{
			// Folding 09:05 completes the window ending at 09:57's
			// bucket (09:00 to 09:59:59), which 09:00 is not in.
			name:  "window ending at the newest event",
			feed:  append([]string{"57m"}, every5m(11)...),
			count: 11, start: "0m", first: "5m", last: "57m",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var alerts []*Alert
			e, r := engineFor(t, "sentinel.bruteforce", nil, &alerts)
			for _, d := range tc.feed {
				e.Process(failedLogin("alice", "81.2.69.1", tAt(d)))
			}
			if tc.count == 0 {
				if len(alerts) != 0 {
					t.Fatalf("alerts %+v, want none", alerts[0])
				}
				return
			}
			if len(alerts) != 1 {
				t.Fatalf("%d alerts, want 1", len(alerts))
			}
			a := alerts[0]
			if a.Count != tc.count || !a.WindowStart.Equal(tAt(tc.start)) || !a.FirstEvent.Equal(tAt(tc.first)) ||
				!a.LastEvent.Equal(tAt(tc.last)) || !a.WindowEnd.Equal(tAt(tc.last)) || !a.Time.Equal(tAt(tc.last)) {
				t.Errorf("alert count %d window %s..%s events %s..%s time %s; want %d, %s..%s, %s..%s, %s",
					a.Count, ts(a.WindowStart), ts(a.WindowEnd), ts(a.FirstEvent), ts(a.LastEvent), ts(a.Time),
					tc.count, ts(tAt(tc.start)), ts(tAt(tc.last)), ts(tAt(tc.first)), ts(tAt(tc.last)), ts(tAt(tc.last)))
			}
			if n := r.(LateCounter).LateDropped(); n != 0 {
				t.Errorf("LateDropped = %d, want 0", n)
			}
		})
	}
}

// TestLatenessAboveWindow feeds a window rule a burst of events of one
// key (11 a minute apart from 09:00; two sign-ins for signin_burst) and
// one event of the same key more than the window later, with a lateness
// of 24h: in time order, with the later event first (another node's
// newer line reaching an aggregator before this node's backlog), and
// every event newest first. The engine's lateness accepts every event, so
// each is counted in its own window whatever the order: the same alerts
// (alert_id, count, window, first and last event, columns, event ids) in
// every order, nothing dropped as late, also when the agent restarts
// halfway (the windows held back survive in the state).
func TestLatenessAboveWindow(t *testing.T) {
	minutes := []string{"0m", "1m", "2m", "3m", "4m", "5m", "6m", "7m", "8m", "9m", "10m"}
	signinIPs := []string{"81.2.69.142", "89.160.20.115", "81.2.69.10"} // GB, SE, GB
	for _, tc := range []struct {
		rule         string
		burst        []string
		later        string
		ev           func(at time.Time, i int) *Event // the i-th event in time order
		sameReversed bool                             // all newest first gives the same alert
	}{
		{"sentinel.bruteforce", minutes, "65m", func(at time.Time, i int) *Event {
			return failedLogin("alice", "81.2.69.142", at)
		}, true},
		{"gitlab.password_spray", minutes, "65m", func(at time.Time, i int) *Event {
			return failedLogin("u"+strconv.Itoa(i), "81.2.69.142", at)
		}, true},
		{"gitlab.distributed_guessing", minutes, "65m", func(at time.Time, i int) *Event {
			return failedLogin("alice", "81.2.69."+strconv.Itoa(10+i), at)
		}, true},
		{"sentinel.repo_deletion", minutes, "65m", func(at time.Time, i int) *Event {
			return auditEv("audit_json.log", at, parser.ColEventName, "project_destroyed",
				parser.ColAuthorName, "eve"+strconv.Itoa(i), parser.ColEntityPath, "acme/p"+strconv.Itoa(i),
				parser.ColEventID, strconv.Itoa(100+i))
		}, true},
		// Newest first, the GB sign-in completes the burst: the alert
		// names its address, not the SE one's.
		{"sentinel.signin_burst", []string{"0m", "10m"}, "75m", func(at time.Time, i int) *Event {
			return &Event{Type: parser.TypeApplication, Time: at, Source: "application_json.log", Origin: OriginFile,
				Columns: []Column{{parser.ColEventKind, parser.KindSuccessfulLogin}, {parser.ColUsername, "alice"},
					{parser.ColIPAddress, signinIPs[i]}}}
		}, false},
	} {
		sorted := append(slices.Clone(tc.burst), tc.later)
		orders := [][]string{append([]string{tc.later}, tc.burst...)}
		if tc.sameReversed {
			reversed := slices.Clone(sorted)
			slices.Reverse(reversed)
			orders = append(orders, reversed)
		}
		// run feeds the events in the order of feed; with cut above 0 the
		// agent stops after the first cut (state saved) and a new engine
		// on the same state directory reads the rest.
		run := func(t *testing.T, feed []string, cut int) []*Alert {
			t.Helper()
			var alerts []*Alert
			dir := t.TempDir()
			parts := [][]string{feed}
			if cut > 0 {
				parts = [][]string{feed[:cut], feed[cut:]}
			}
			late, dropped := 0, uint64(0)
			for i, part := range parts {
				e, err := New(Config{Only: []string{tc.rule}, Lateness: 24 * time.Hour, Geo: testGeoDB(t), StateDir: dir,
					Emit: func(a *Alert) { a.detach(); alerts = append(alerts, a) }})
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range part {
					e.Process(tc.ev(tAt(d), slices.Index(sorted, d)))
				}
				if i < len(parts)-1 {
					if err := e.Save(); err != nil {
						t.Fatal(err)
					}
				} else {
					e.Close()
				}
				st := e.Stats()
				late, dropped = late+int(st.Late), dropped+st.Rules[tc.rule].LateDrop
			}
			if dropped != 0 || late != 0 {
				t.Errorf("order %v, cut at %d: %d dropped as late by the rule, %d late for the engine; want 0 and 0", feed, cut, dropped, late)
			}
			return alerts
		}
		t.Run(tc.rule, func(t *testing.T) {
			want := run(t, sorted, 0)
			if len(want) != 1 || want[0].Count != len(tc.burst) {
				t.Fatalf("in time order: %d alerts, want 1 counting %d", len(want), len(tc.burst))
			}
			for _, feed := range orders {
				for _, cut := range []int{0, 1 + len(tc.burst)/2} {
					got := run(t, feed, cut)
					if len(got) != len(want) {
						t.Errorf("order %v, cut at %d: %d alerts, want %d", feed, cut, len(got), len(want))
						continue
					}
					for i, a := range got {
						w := want[i]
						if a.ID != w.ID || a.Count != w.Count || !a.WindowStart.Equal(w.WindowStart) || !a.WindowEnd.Equal(w.WindowEnd) ||
							!a.FirstEvent.Equal(w.FirstEvent) || !a.LastEvent.Equal(w.LastEvent) || !a.Time.Equal(w.Time) ||
							!slices.Equal(a.Columns, w.Columns) || !slices.Equal(a.EventIDs, w.EventIDs) {
							t.Errorf("order %v, cut at %d: alert %s count %d window %s..%s events %s..%s time %s %v %v;\n"+
								"want %s count %d window %s..%s events %s..%s time %s %v %v", feed, cut,
								a.ID, a.Count, ts(a.WindowStart), ts(a.WindowEnd), ts(a.FirstEvent), ts(a.LastEvent), ts(a.Time), a.Columns, a.EventIDs,
								w.ID, w.Count, ts(w.WindowStart), ts(w.WindowEnd), ts(w.FirstEvent), ts(w.LastEvent), ts(w.Time), w.Columns, w.EventIDs)
						}
					}
				}
			}
		})
	}
}

// TestLatenessAboveWindowEarlierAlert: with a lateness above the window,
// a key's later burst read first and its earlier burst, 80 minutes
// before (more than the 60-minute suppression), read last, raise the two
// alerts time order raises: the earlier one is not suppressed by the
// later one already raised (hunt 161 #2: suppression compared forwards
// only, in the rule and in the engine).
func TestLatenessAboveWindowEarlierAlert(t *testing.T) {
	for _, tc := range []struct {
		rule   string
		params map[string]string
		burst  []string // the earlier burst; the later one is each 80 minutes on
		ev     func(at time.Time, i int) *Event
	}{
		{"sentinel.bruteforce", nil, []string{"0m", "1m", "2m", "3m", "4m", "5m", "6m", "7m", "8m", "9m", "10m"}, func(at time.Time, i int) *Event {
			return failedLogin("alice", "81.2.69.142", at)
		}},
		{"gitlab.password_spray", map[string]string{"min_users": "1"}, []string{"0m", "10m"}, func(at time.Time, i int) *Event {
			return failedLogin("u"+strconv.Itoa(i), "81.2.69.142", at)
		}},
		{"gitlab.distributed_guessing", map[string]string{"min_addresses": "1"}, []string{"0m", "10m"}, func(at time.Time, i int) *Event {
			return failedLogin("alice", "81.2.69."+strconv.Itoa(10+i), at)
		}},
		{"sentinel.signin_burst", nil, []string{"0m", "10m"}, func(at time.Time, i int) *Event { // GB, then SE
			return &Event{Type: parser.TypeApplication, Time: at, Source: "application_json.log", Origin: OriginFile,
				Columns: []Column{{parser.ColEventKind, parser.KindSuccessfulLogin}, {parser.ColUsername, "alice"},
					{parser.ColIPAddress, []string{"81.2.69.142", "89.160.20.115"}[i]}}}
		}},
		{"sentinel.repo_deletion", nil, []string{"0m", "1m", "2m", "3m", "4m", "5m", "6m", "7m", "8m", "9m", "10m"}, func(at time.Time, i int) *Event {
			return auditEv("audit_json.log", at, parser.ColEventName, "project_destroyed",
				parser.ColAuthorName, "eve", parser.ColEntityPath, "acme/p"+strconv.Itoa(i)+"-"+at.Format("1504"),
				parser.ColEventID, at.Format("150405"))
		}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			var earlier, later []time.Time
			for _, d := range tc.burst {
				earlier = append(earlier, tAt(d))
				later = append(later, tAt(d).Add(80*time.Minute))
			}
			run := func(feed []time.Time) []string {
				var ids []string
				e, err := New(Config{Only: []string{tc.rule}, Lateness: 24 * time.Hour, Geo: testGeoDB(t), StateDir: t.TempDir(),
					Rules: map[string]RuleConfig{tc.rule: {Params: tc.params}},
					Emit:  func(a *Alert) { ids = append(ids, ts(a.Time)+" "+a.ID) }})
				if err != nil {
					t.Fatal(err)
				}
				for _, at := range feed {
					e.Process(tc.ev(at, slices.IndexFunc(tc.burst, func(d string) bool {
						return tAt(d).Equal(at) || tAt(d).Add(80*time.Minute).Equal(at)
					})))
				}
				e.Close()
				slices.Sort(ids)
				return ids
			}
			want := run(append(slices.Clone(earlier), later...))
			if len(want) != 2 {
				t.Fatalf("in time order: %d alerts %q, want 2", len(want), want)
			}
			if got := run(append(slices.Clone(later), earlier...)); !slices.Equal(got, want) {
				t.Errorf("later burst read first: alerts %q, want %q", got, want)
			}
		})
	}
}
