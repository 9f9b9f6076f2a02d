package detect

import (
	"fmt"
	"testing"
	"time"
)

// TestSuppressorOrders: an alert at t keeps its key quiet in the open
// interval (t − d, t + d) whatever order the alerts come in, so that a
// key's alerts are the same in time order and out of it (fresh-user trial
// 245: a key's late events, older than its earliest alert, each alerted,
// as only the newest alert's quiet period was kept). Each case gives the
// times of a key's alerts in arrival order (minutes after 10:00, d = 60)
// and which of them are suppressed.
func TestSuppressorOrders(t *testing.T) {
	const d = time.Hour
	t0 := time.Date(2025, 3, 5, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		at   []int  // minutes after t0, in arrival order
		want string // per alert: a (alerts) or s (suppressed)
	}{
		{"in order", []int{0, 30, 59, 60, 119, 120, 200}, "assasaa"},
		{"newest first, late ones after", []int{120, 0, 5, 30, 59, 61}, "aassss"},
		{"late ones after, then between", []int{300, 0, 10, 100, 150, 239, 240}, "aasasas"},
		{"both sides of a late alert", []int{180, 60, 1, 119, 0, 121, 240}, "aassasa"},
		{"boundaries are open", []int{60, 0, 120, 1, 119}, "aaass"},
		{"spans merged, then reached from both ends", []int{0, 100, 50, 159, 41, -59, -60}, "aassssa"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSuppressor(100, 24*time.Hour)
			got := ""
			for _, m := range tc.at {
				if _, quiet := s.suppressed("r", []Column{{"K", "v"}}, t0.Add(time.Duration(m)*time.Minute), d); quiet {
					got += "s"
				} else {
					got += "a"
				}
			}
			if got != tc.want {
				t.Errorf("alerts at %v: got %s, want %s", tc.at, got, tc.want)
			}
		})
	}
}

// TestSuppressorKeepsLateSpans: a span is kept for keep past its end, so
// a late event of a backlog read after newer lines is still suppressed by
// the alert its predecessor raised; past that it is dropped. Keys do not
// share spans, and a span restored without a start (Quiet, or a state
// saved before spans had one) starts 2d before its end.
func TestSuppressorKeepsLateSpans(t *testing.T) {
	const d = time.Hour
	t0 := time.Date(2025, 3, 5, 10, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	s := newSuppressor(100, 24*time.Hour)
	key := []Column{{"IPAddress", "203.0.113.66"}}
	if _, quiet := s.suppressed("r", key, at(0), d); quiet {
		t.Fatal("first alert suppressed")
	}
	s.expire(at(23 * 60))
	if _, quiet := s.suppressed("r", key, at(1), d); !quiet {
		t.Error("a late alert within d of an alert 23 h older than the watermark was not suppressed")
	}
	if _, quiet := s.suppressed("r", []Column{{"IPAddress", "203.0.113.67"}}, at(1), d); quiet {
		t.Error("another key was suppressed")
	}
	s.expire(at(26 * 60))
	if _, quiet := s.suppressed("r", key, at(2), d); quiet {
		t.Error("a span that ended more than keep before the watermark was still held")
	}

	k := string(appendSuppKey(nil, "r", key))
	for m, want := range map[int]bool{-61: false, -59: true, 59: true, 60: false} {
		probe := newSuppressor(100, 24*time.Hour)
		probe.quiet(k, at(60))
		if _, quiet := probe.suppressed("r", key, at(m), d); quiet != want {
			t.Errorf("quiet until +60m: alert at %+dm suppressed %v, want %v", m, quiet, want)
		}
	}
}

// TestSuppressorCapAndRoundTrip: the spans held never pass max (the
// oldest set go first, counted), and items then load give the same
// spans, starts included.
func TestSuppressorCapAndRoundTrip(t *testing.T) {
	const d = time.Minute
	t0 := time.Date(2025, 3, 5, 10, 0, 0, 0, time.UTC)
	s := newSuppressor(50, 24*time.Hour)
	for i := range 200 {
		key := []Column{{"K", fmt.Sprint(i % 80)}}
		s.suppressed("r", key, t0.Add(time.Duration(-i)*time.Hour), d) // each a late span of its key
		if s.n > 50 || s.n != countSpans(s) {
			t.Fatalf("after %d alerts: %d spans counted, %d held, cap 50", i+1, s.n, countSpans(s))
		}
	}
	if s.evicted != 150 {
		t.Errorf("evicted %d, want 150", s.evicted)
	}
	items := s.items()
	if len(items) != 50 {
		t.Fatalf("items: %d, want 50", len(items))
	}
	r := newSuppressor(50, 24*time.Hour)
	r.load(items)
	got := r.items()
	for i := range items {
		if got[i].K != items[i].K || !got[i].From.Equal(items[i].From) || !got[i].Until.Equal(items[i].Until) {
			t.Fatalf("item %d after load: %+v, want %+v", i, got[i], items[i])
		}
	}
	for i := 150; i < 200; i++ { // each key's last span survived, and is held after load
		if _, quiet := r.suppressed("r", []Column{{"K", fmt.Sprint(i % 80)}}, t0.Add(time.Duration(-i)*time.Hour), d); !quiet {
			t.Errorf("alert %d not suppressed after load", i)
		}
	}
}

// countSpans returns the spans s holds, by walking its map.
func countSpans(s *suppressor) int {
	n := 0
	for _, spans := range s.spans {
		n += len(spans)
	}
	return n
}
