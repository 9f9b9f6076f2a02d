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
			Jump{Source: "application_json.log", FileID: "f1", Offset: 3, Time: tAt("8h1m"), Prev: tAt("1m"), Watermark: tAt("7h59m"), Seq: 3}},
		{"the last of two", []*Event{at("0s", 1), at("3m", 2), at("8h", 3)},
			Jump{Source: "application_json.log", FileID: "f1", Offset: 3, Time: tAt("8h"), Prev: tAt("3m"), Watermark: tAt("7h58m"), Seq: 3}},
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
			losses, jump, _ := e.Losses(nil)
			if jump != tt.want {
				t.Errorf("Losses jump = %+v, want %+v", jump, tt.want)
			}
			if len(losses) != 1 || losses[0].Rule != "sentinel.bruteforce" || losses[0].MaxKeys != 7 {
				t.Errorf("Losses = %+v, want sentinel.bruteforce with MaxKeys 7", losses)
			}
		})
	}
}

// TestLateCause: LateCause tells from Stats.Jump and Stats.Back why
// events were late: a line ahead of the lines after it (the Jump); a
// source whose lines go back in time, logs concatenated newest first,
// whatever the lateness (fresh-user trial 111: the Jump of the newer log
// was blamed, and with a lateness above its steps nothing was); lines
// of a source older than the watermark other sources set.
func TestLateCause(t *testing.T) {
	type at struct {
		src string
		d   string
	}
	var backwards []at
	for _, d := range []string{"240h", "240h1m", "240h5m", "240h9m", "0s", "1s", "2s"} {
		backwards = append(backwards, at{"a.log", d})
	}
	tests := []struct {
		name     string
		lateness time.Duration
		evs      []at
		want     Cause
		back     int64 // the Back's offset (its index + 1 among evs); 0: none
	}{
		{"in order", 2 * time.Minute, []at{{"a.log", "0s"}, {"a.log", "1m"}, {"a.log", "3m"}}, CauseNone, 0},
		{"one line 8h ahead", 2 * time.Minute, []at{{"a.log", "0s"}, {"a.log", "1m"}, {"a.log", "8h1m"}, {"a.log", "2m"}, {"a.log", "3m"}}, CauseJump, 4},
		// the lines of the step after its first move the watermark on:
		// the jump still made the lines after them late
		{"a step of lines 8h ahead", 2 * time.Minute, []at{{"a.log", "0s"}, {"a.log", "1m"}, {"a.log", "8h1m"}, {"a.log", "8h2m"}, {"a.log", "8h3m"}, {"a.log", "2m"}, {"a.log", "3m"}}, CauseJump, 6},
		{"concatenated newest first", 2 * time.Minute, backwards, CauseBack, 5},
		{"concatenated newest first, lateness above the steps", 10 * time.Minute, backwards, CauseBack, 5},
		{"a source older than the watermark", 2 * time.Minute, []at{{"a.log", "10h"}, {"a.log", "10h1m"}, {"b.log", "0s"}, {"b.log", "1s"}}, CauseWatermark, 3},
		// trial 226: a source older than the watermark with a jump after
		// its first line was blamed on the jump, which came after it
		{"a source older than the watermark, then a jump", 2 * time.Minute, []at{{"a.log", "10h"}, {"b.log", "0s"}, {"b.log", "8h"}, {"b.log", "8h1m"}}, CauseWatermark, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(Config{Only: []string{"sentinel.bruteforce"}, Lateness: tt.lateness, Now: func() time.Time { return tAt("1000h") }})
			if err != nil {
				t.Fatal(err)
			}
			for i, a := range tt.evs {
				ev := failedLogin("bob", "203.0.113.9", tAt(a.d))
				ev.Source, ev.FileID, ev.Offset = a.src, a.src, int64(i+1)
				e.Process(ev)
			}
			st := e.Stats()
			if got := LateCause(st.Jump, st.Back); got != tt.want {
				t.Errorf("LateCause = %d, want %d (Jump %+v, Back %+v)", got, tt.want, st.Jump, st.Back)
			}
			if st.Back.Offset != tt.back {
				t.Errorf("Back = %+v, want offset %d", st.Back, tt.back)
			}
			if _, j, b := e.Losses(nil); j != st.Jump || b != st.Back {
				t.Errorf("Losses = %+v, %+v, want Stats' %+v, %+v", j, b, st.Jump, st.Back)
			}
		})
	}
}
