package detect

import (
	"fmt"
	"testing"
	"time"
)

// TestMinWatermark: with MinWatermark (the agent) the watermark follows
// the source read behind, so the failed logins of a file read after
// another file three hours ahead are still counted; a source held at
// start (Hold) keeps the watermark until its first event, and one idle
// for Lateness of wall-clock time no longer holds it.
func TestMinWatermark(t *testing.T) {
	ahead := failedLogin("bob", "203.0.113.9", tAt("3h"))
	ahead.Source = "audit_json.log"
	alice := func(i int) *Event { return failedLogin("alice", "81.2.69.142", tAt(fmt.Sprintf("%dm", i))) }
	tests := []struct {
		name      string
		min       bool
		hold      []string
		first     []*Event // processed before the source ahead
		idle      time.Duration
		wantAlert bool
	}{
		{name: "both held, the source ahead read first", min: true, hold: []string{"audit_json.log", "application_json.log"}, wantAlert: true},
		{name: "the source behind gave an event first", min: true, first: []*Event{alice(0)}, wantAlert: true},
		{name: "held source idle for longer than lateness", min: true, hold: []string{"audit_json.log", "application_json.log"}, idle: 3 * time.Minute},
		{name: "highest source (detect: inputs merged in time order)", hold: []string{"audit_json.log", "application_json.log"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
			var alerts []*Alert
			e, err := New(Config{Only: []string{"sentinel.bruteforce"}, MinWatermark: tt.min,
				Now: func() time.Time { return now }, Emit: func(a *Alert) { alerts = append(alerts, a) }})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range tt.hold {
				e.Hold(h)
			}
			for _, ev := range tt.first {
				e.Process(ev)
			}
			now = now.Add(tt.idle)
			e.Process(ahead)
			if tt.idle > 0 && e.Watermark().IsZero() {
				t.Fatal("a source held but idle for longer than lateness still holds the watermark")
			}
			for i := len(tt.first); i < 12; i++ {
				e.Process(alice(i))
			}
			got := 0
			for _, a := range alerts {
				if a.Get("Username") == "alice" {
					got++
				}
			}
			if want := map[bool]int{true: 1, false: 0}[tt.wantAlert]; got != want {
				t.Errorf("%d alerts for alice's 12 failed logins, want %d (watermark %v, late dropped %d)",
					got, want, e.Watermark(), e.Stats().Rules["sentinel.bruteforce"].LateDrop)
			}
		})
	}
}

// TestFutureStateDiscarded: a state saved with a watermark far after the
// clock (by a version that let a far-future event move it, or on a host
// whose clock was wrong) is not restored: kept, it made every later event
// late and sentinel.bruteforce silent for good.
func TestFutureStateDiscarded(t *testing.T) {
	dir := t.TempDir()
	run := func(now time.Time, evs ...*Event) int {
		t.Helper()
		n := 0
		e, err := New(Config{Only: []string{"sentinel.bruteforce"}, StateDir: dir,
			Now: func() time.Time { return now }, Emit: func(*Alert) { n++ }})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			e.Process(ev)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Saved when the clock said 2100: 2099 was not in the future then.
	run(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), failedLogin("alice", "81.2.69.142", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)))
	var evs []*Event
	for i := range 12 {
		evs = append(evs, failedLogin("alice", "81.2.69.142", tAt(fmt.Sprintf("%dm", i))))
	}
	if n := run(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), evs...); n != 1 {
		t.Errorf("%d alerts for 12 failed logins after restoring a state from 2099, want 1", n)
	}
}
