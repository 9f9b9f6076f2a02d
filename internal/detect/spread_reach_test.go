package detect

import (
	"testing"
	"time"
)

// TestFirstReach checks the window an out-of-order sighting is judged
// with: the first, in time, that holds it and reaches the count wanted,
// as time order would have alerted.
func TestFirstReach(t *testing.T) {
	type sighting struct {
		v   string
		min int // minutes after 09:00
	}
	const window = int64(time.Hour)
	tests := []struct {
		name    string
		arrived []sighting // the last one is judged
		need    int
		from    int // the earliest end allowed after an alert an hour before (the suppression's end), minutes after 09:00; 0: no alert
		wantMin int // end, minutes after 09:00
		wantN   int // -1: none
	}{
		{"reaches at a later first sighting", []sighting{{"CN", 30}, {"CN", 31}, {"GB", 0}}, 2, 0, 30, 2},
		{"reaches at itself", []sighting{{"CN", 30}, {"GB", 40}, {"FR", 35}}, 3, 0, 40, 3},
		{"reaches at the late sighting", []sighting{{"CN", 10}, {"GB", 20}, {"FR", 15}}, 2, 0, 15, 2},
		{"third value first at its own sighting", []sighting{{"u2", 30}, {"u3", 40}, {"u3", 41}, {"u1", 0}}, 3, 0, 40, 3},
		{"never reaches", []sighting{{"CN", 30}, {"CN", 31}, {"CN", 0}}, 2, 0, 0, -1},
		{"out of the late sighting's windows", []sighting{{"CN", 70}, {"GB", 80}, {"FR", 5}}, 3, 0, 0, -1},
		// An alert's suppression lasts until from: time order alerts at
		// the first event after it whose window reaches need (hunt 161:
		// b 08:00, a 08:30, b 09:29:00 read after a 09:29:30 and a
		// 09:30:30, the 08:30 alert suppressing until 09:30).
		{"reaches in the suppression, then at a run's last sighting", []sighting{{"b", -60}, {"a", -30}, {"a", 29}, {"a", 30}, {"b", 29}}, 2, 30, 30, 2},
		{"reaches in the suppression, then at a later first sighting", []sighting{{"a", 10}, {"c", 40}, {"b", 5}}, 2, 20, 40, 3},
		// With a lateness above the window: a window ending more than
		// suppress before the alert is not in its suppression (hunt 161 #2).
		{"reaches before the suppression", []sighting{{"b", -5}, {"c", 90}, {"a", 10}}, 2, 150, 10, 2},
		{"reaches only in the suppression", []sighting{{"a", 10}, {"a", 12}, {"b", 5}}, 2, 70, 0, -1},
	}
	base := time.Date(2025, 9, 18, 9, 0, 0, 0, time.UTC).UnixNano()
	at := func(m int) int64 { return base + int64(m)*int64(time.Minute) }
	floor := base - 3*window // a watermark that keeps the windows of 06:00 on open
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var st spreadState
			for _, s := range tt.arrived {
				if f := st.observe(s.v, at(s.min), window, floor, 16); f == spreadLate {
					t.Fatalf("observe(%s at +%dm) = late", s.v, s.min)
				}
			}
			last := tt.arrived[len(tt.arrived)-1]
			quiet := quietSpan{}
			if tt.from != 0 {
				quiet = quietAround(at(tt.from)-window, time.Duration(window))
			}
			end, n := st.firstReach(at(last.min), window, floor, quiet, tt.need)
			if n != tt.wantN {
				t.Fatalf("firstReach: n = %d, want %d (end %v)", n, tt.wantN, time.Unix(0, end).UTC())
			}
			if n >= 0 && end != at(tt.wantMin) {
				t.Errorf("firstReach: end %v, want %v", time.Unix(0, end).UTC(), time.Unix(0, at(tt.wantMin)).UTC())
			}
		})
	}
}
