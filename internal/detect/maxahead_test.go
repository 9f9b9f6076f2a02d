package detect

import (
	"testing"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// TestMaxAhead: an event dated more than Config.MaxAhead after the clock,
// or marked Event.Outlier, is counted in Stats.Future and moves no
// watermark; one whose time has no zone (the text application.log's long
// date, the server's local time) may be up to MaxFuture ahead, as its
// zone may be hours ahead of UTC (fresh-user trial 211: one line 22 hours
// ahead made the failed logins after it late).
func TestMaxAhead(t *testing.T) {
	now := time.Date(2014, 10, 6, 11, 0, 0, 0, time.UTC)
	coarse := func() *Event {
		line := []byte("October 06, 2014 11:56: Failed Login: username=alice ip=81.2.69.142")
		var rec parser.Record
		if err := parser.New(parser.TypeApplication).Parse(line, &rec); err != nil {
			t.Fatal(err)
		}
		return NewEvent(&rec, line, "application.log", OriginFile)
	}
	outlier := func(at time.Time) func() *Event {
		return func() *Event {
			ev := failedLogin("alice", "81.2.69.142", at)
			ev.Outlier = true
			return ev
		}
	}
	for _, tc := range []struct {
		name     string
		maxAhead time.Duration
		ev       func() *Event
		future   bool
		outlier  bool // counted among the outliers (Stats.Outliers, Ahead.Outlier)
	}{
		{"an hour ahead, live", LiveMaxAhead, func() *Event { return failedLogin("alice", "81.2.69.142", now.Add(time.Hour)) }, true, false},
		{"an hour ahead, detect", 0, func() *Event { return failedLogin("alice", "81.2.69.142", now.Add(time.Hour)) }, false, false},
		{"within the bound", LiveMaxAhead, func() *Event { return failedLogin("alice", "81.2.69.142", now.Add(time.Minute)) }, false, false},
		{"a time without a zone 56 minutes ahead, live", LiveMaxAhead, coarse, false, false},
		{"an outlier in the past", 0, outlier(now.Add(-time.Hour)), true, true},
		// trial 215: one line 3 days ahead of the clock, judged by the lines
		// around it too, was reported as ahead of them, not of the clock
		{"an outlier 3 days ahead of the clock, live", LiveMaxAhead, outlier(now.Add(3 * 24 * time.Hour)), true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := New(Config{Only: []string{"sentinel.bruteforce"}, MaxAhead: tc.maxAhead, Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			ev := tc.ev()
			if ev.Time.IsZero() {
				t.Fatal("the event has no time")
			}
			e.Process(ev)
			st := e.Stats()
			if got := st.Future == 1; got != tc.future {
				t.Errorf("Future %d, want future %v", st.Future, tc.future)
			}
			if got := st.Outliers == 1; got != tc.outlier || st.Ahead.Outlier != tc.outlier {
				t.Errorf("Outliers %d, Ahead.Outlier %v, want an outlier %v", st.Outliers, st.Ahead.Outlier, tc.outlier)
			}
			wm := e.Watermark()
			if tc.future && !wm.IsZero() {
				t.Errorf("watermark %v, want none: the event is kept from the windowed rules", wm)
			}
			if want := ev.Time.Add(-DefaultLateness); !tc.future && !wm.Equal(want) {
				t.Errorf("watermark %v, want %v", wm, want)
			}
			if n := st.Rules["sentinel.bruteforce"].Evaluated; (n == 1) == tc.future {
				t.Errorf("sentinel.bruteforce evaluated %d events, want %d", n, map[bool]int{true: 0, false: 1}[tc.future])
			}
		})
	}
}
