package detect

import (
	"fmt"
	"testing"
	"time"
)

// TestQuiet: an alert of a rule that suppresses reports the suppression
// it set (Alert.Quiet), and another engine given it back (Engine.Quiet)
// suppresses the key's next alert within it, and not after it ends; an
// earlier end given back does not shorten a longer suppression.
func TestQuiet(t *testing.T) {
	const rule = "sentinel.bruteforce"
	var alerts []*Alert
	newEngine := func() *Engine {
		e, err := New(Config{Only: []string{rule}, Emit: func(a *Alert) { alerts = append(alerts, a) }})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	burst := func(e *Engine, from time.Duration) {
		for i := range 11 {
			e.Process(failedLogin("alice", "81.2.69.142", tAt((from + time.Duration(i)*time.Second).String())))
		}
	}
	burst(newEngine(), 0)
	if len(alerts) != 1 {
		t.Fatalf("%d alerts for 11 failed logins, want 1", len(alerts))
	}
	key, until := alerts[0].Quiet()
	if key == "" || !until.Equal(alerts[0].Time.Add(time.Hour)) {
		t.Fatalf("Quiet() = %q, %v; want a key and the alert's time + 60 min (%v)", key, until, alerts[0].Time.Add(time.Hour))
	}
	for _, c := range []struct {
		from  time.Duration // the second burst's start
		given []time.Time   // the suppression ends given back, in order
		want  int           // alerts of the second burst
	}{
		{10 * time.Minute, []time.Time{until}, 0},
		{10 * time.Minute, nil, 1},
		{70 * time.Minute, []time.Time{until}, 1},
		{10 * time.Minute, []time.Time{until, until.Add(-55 * time.Minute)}, 0},
	} {
		t.Run(fmt.Sprint(c.from, c.given), func(t *testing.T) {
			alerts = nil
			e := newEngine()
			for _, u := range c.given {
				e.Quiet(key, u)
			}
			burst(e, c.from)
			if len(alerts) != c.want {
				t.Errorf("%d alerts, want %d", len(alerts), c.want)
			}
		})
	}
}
