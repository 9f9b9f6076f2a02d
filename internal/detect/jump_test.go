package detect

import (
	"testing"
	"time"
)

// TestJump: Stats.Jump (and Losses) name the last event more than
// Lateness ahead of its source's newest time before it, the line to look
// at when the lines after it are late; an event within Lateness, the
// first event of a source and one dated more than 24h after the clock
// (it does not move the watermark) are none. Losses reports each
// KeyCounter rule's max_keys and evictions.
func TestJump(t *testing.T) {
	at := func(d string, off int64) *Event {
		ev := failedLogin("bob", "203.0.113.9", tAt(d))
		ev.FileID, ev.Offset = "f1", off
		return ev
	}
	tests := []struct {
		name string
		evs  []*Event
		want Jump // zero: none
	}{
		{"one line 8h ahead", []*Event{at("0s", 1), at("1m", 2), at("8h1m", 3), at("2m", 4)},
			Jump{Source: "application_json.log", FileID: "f1", Offset: 3, Time: tAt("8h1m"), Prev: tAt("1m"), Watermark: tAt("7h59m")}},
		{"the last of two", []*Event{at("0s", 1), at("3m", 2), at("8h", 3)},
			Jump{Source: "application_json.log", FileID: "f1", Offset: 3, Time: tAt("8h"), Prev: tAt("3m"), Watermark: tAt("7h58m")}},
		{"within lateness", []*Event{at("0s", 1), at("2m", 2), at("4m", 3)}, Jump{}},
		{"first event of the source", []*Event{at("8h", 1)}, Jump{}},
		{"more than 24h after the clock", []*Event{at("0s", 1), at("48h", 2)}, Jump{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(Config{Only: []string{"sentinel.bruteforce"}, Now: func() time.Time { return tAt("1h") },
				Rules: map[string]RuleConfig{"sentinel.bruteforce": {Params: map[string]string{"max_keys": "7"}}}})
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range tt.evs {
				e.Process(ev)
			}
			if got := e.Stats().Jump; got != tt.want {
				t.Errorf("Stats().Jump = %+v, want %+v", got, tt.want)
			}
			losses, jump := e.Losses(nil)
			if jump != tt.want {
				t.Errorf("Losses jump = %+v, want %+v", jump, tt.want)
			}
			if len(losses) != 1 || losses[0].Rule != "sentinel.bruteforce" || losses[0].MaxKeys != 7 {
				t.Errorf("Losses = %+v, want sentinel.bruteforce with MaxKeys 7", losses)
			}
		})
	}
}
