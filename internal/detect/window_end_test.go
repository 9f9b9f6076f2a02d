package detect

import (
	"strconv"
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestWindowEndCoversEvents: the window an alert reports holds the events
// it counts: WindowStart <= FirstEvent, LastEvent <= WindowEnd, and the
// window is at most the rule's 60 minutes long, also when the event that
// triggers the alert came out of order (late, within the lateness) and is
// folded into a window that already holds later events: the window then
// ends at the last event counted, not at the late event. An alert
// triggered in order still ends at its triggering event.
func TestWindowEndCoversEvents(t *testing.T) {
	deletion := func(when time.Time, i int) *Event {
		return auditEv("stream", when, parser.ColEventName, "project_destroyed",
			parser.ColRemoveAction, "project", parser.ColAuthorName, "eve", parser.ColEventID, strconv.Itoa(i))
	}
	sameUser := func(when time.Time, i int) *Event { return failedLogin("alice", "81.2.69.1", when) }
	spray := func(when time.Time, i int) *Event { return failedLogin("u"+strconv.Itoa(i), "81.2.69.1", when) }
	guess := func(when time.Time, i int) *Event { return failedLogin("alice", "81.2.69."+strconv.Itoa(i), when) }
	for _, tc := range []struct {
		rule    string
		ev      func(time.Time, int) *Event
		times   []string // event times, in the order processed; the last triggers the alert
		wantEnd string   // WindowEnd of the alert
	}{
		// 10 events 60..69 s, then one at 5 s (out of order, same 5-minute bucket).
		{"sentinel.bruteforce", sameUser, []string{"60s", "61s", "62s", "63s", "64s", "65s", "66s", "67s", "68s", "69s", "5s"}, "69s"},
		{"sentinel.bruteforce", sameUser, []string{"5s", "60s", "61s", "62s", "63s", "64s", "65s", "66s", "67s", "68s", "69s"}, "69s"},
		// A backlog replayed newest first.
		{"sentinel.repo_deletion", deletion, []string{"100s", "90s", "80s", "70s", "60s", "50s", "40s", "30s", "20s", "10s", "0s"}, "100s"},
		{"sentinel.repo_deletion", deletion, []string{"0s", "10s", "20s", "30s", "40s", "50s", "60s", "70s", "80s", "90s", "100s"}, "100s"},
		{"gitlab.password_spray", spray, []string{"60s", "61s", "62s", "63s", "64s", "65s", "66s", "67s", "68s", "69s", "5s"}, "69s"},
		{"gitlab.distributed_guessing", guess, []string{"60s", "61s", "62s", "63s", "64s", "65s", "66s", "67s", "68s", "69s", "5s"}, "69s"},
	} {
		t.Run(tc.rule+"/last_at_"+tc.times[len(tc.times)-1], func(t *testing.T) {
			var alerts []*Alert
			e, _ := engineFor(t, tc.rule, nil, &alerts)
			for i, d := range tc.times {
				e.Process(tc.ev(tAt(d), i))
			}
			if len(alerts) != 1 {
				t.Fatalf("%d alerts, want 1", len(alerts))
			}
			a := alerts[0]
			if a.LastEvent.After(a.WindowEnd) || a.FirstEvent.Before(a.WindowStart) {
				t.Errorf("events %s .. %s outside the window %s .. %s", ts(a.FirstEvent), ts(a.LastEvent), ts(a.WindowStart), ts(a.WindowEnd))
			}
			if !a.WindowEnd.Equal(tAt(tc.wantEnd)) {
				t.Errorf("window_end %s, want %s", ts(a.WindowEnd), ts(tAt(tc.wantEnd)))
			}
			if d := a.WindowEnd.Sub(a.WindowStart); d <= 0 || d > time.Hour {
				t.Errorf("window %s .. %s is %v long, want (0, 60m]", ts(a.WindowStart), ts(a.WindowEnd), d)
			}
		})
	}
}
