package detect

import (
	"math"
	"testing"
	"time"
)

func TestBaselineArithmetic(t *testing.T) {
	week := baselineParams{Period: 168, K: 3, Floor: 10}
	const h0 = 500_000 // an hour index; learning started at h0
	type hc = hourCount
	tests := []struct {
		name      string
		p         baselineParams
		hours     []hourCount
		learnFrom int64
		at        int64 // the tested hour
		mean, sd  float64
		hoursUsed int
		threshold float64
		learning  bool
	}{
		{
			name: "zero hours included: one failure a week is a mean of 1/168, not 1",
			p:    week, hours: []hc{{h0 + 10, 1}}, learnFrom: h0, at: h0 + 168,
			mean: 1.0 / 168, sd: math.Sqrt((1 - 1.0/168) / 167), hoursUsed: 168, threshold: 10,
		},
		{
			name: "nightly 20 for 7 nights: mean 0.83, sd 4.0, threshold 12.86 above the floor",
			p:    week, learnFrom: h0, at: h0 + 168,
			hours: []hc{{h0 + 3, 20}, {h0 + 27, 20}, {h0 + 51, 20}, {h0 + 75, 20}, {h0 + 99, 20}, {h0 + 123, 20}, {h0 + 147, 20}},
			mean:  140.0 / 168, sd: math.Sqrt((2800 - 140.0*140/168) / 167), hoursUsed: 168,
			threshold: 140.0/168 + 3*math.Sqrt((2800-140.0*140/168)/167),
		},
		{
			name: "the tested hour is not in its own baseline",
			p:    week, hours: []hc{{h0 + 168, 500}}, learnFrom: h0, at: h0 + 168,
			mean: 0, sd: 0, hoursUsed: 168, threshold: 10,
		},
		{
			name: "hours before the period are not in it",
			p:    week, hours: []hc{{h0 - 1, 500}, {h0 + 200, 7}}, learnFrom: h0 - 100, at: h0 + 200,
			mean: 0, sd: 0, hoursUsed: 168, threshold: 10,
		},
		{
			name: "warm-up: 2 days observed, floor alone, learning",
			p:    week, hours: []hc{{h0 + 5, 30}}, learnFrom: h0, at: h0 + 48,
			mean: 30.0 / 48, sd: math.Sqrt((900 - 900.0/48) / 47), hoursUsed: 48, threshold: 10, learning: true,
		},
		{
			name: "warm-up ends exactly when the period is covered",
			p:    week, learnFrom: h0, at: h0 + 167,
			hoursUsed: 167, threshold: 10, learning: true,
		},
		{
			name: "first hour of learning: no hour to average",
			p:    week, learnFrom: h0, at: h0, threshold: 10, learning: true,
		},
		{
			name: "the floor wins over a low baseline",
			p:    baselineParams{Period: 4, K: 3, Floor: 10}, hours: []hc{{h0, 2}, {h0 + 1, 2}, {h0 + 2, 2}, {h0 + 3, 2}},
			learnFrom: h0, at: h0 + 4, mean: 2, sd: 0, hoursUsed: 4, threshold: 10,
		},
		{
			name: "a high baseline wins over the floor",
			p:    baselineParams{Period: 4, K: 3, Floor: 10}, hours: []hc{{h0, 20}, {h0 + 1, 10}, {h0 + 2, 20}, {h0 + 3, 10}},
			learnFrom: h0, at: h0 + 4, mean: 15, sd: math.Sqrt(100.0 / 3), hoursUsed: 4, threshold: 15 + 3*math.Sqrt(100.0/3),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s history
			for _, x := range tt.hours {
				s.add(x.H, x.N)
			}
			b := tt.p.of(&s, tt.at, tt.learnFrom)
			if !near(b.Mean, tt.mean) || !near(b.SD, tt.sd) || b.Hours != tt.hoursUsed ||
				!near(b.Threshold, tt.threshold) || b.Learning != tt.learning {
				t.Errorf("got mean %.6f sd %.6f hours %d threshold %.6f learning %v\n"+
					"want mean %.6f sd %.6f hours %d threshold %.6f learning %v",
					b.Mean, b.SD, b.Hours, b.Threshold, b.Learning,
					tt.mean, tt.sd, tt.hoursUsed, tt.threshold, tt.learning)
			}
		})
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestHistoryAddOutOfOrderAndPrune(t *testing.T) {
	var s history
	for _, h := range []int64{10, 12, 11, 12, 5, 10} {
		s.add(h, 1)
	}
	want := []hourCount{{5, 1}, {10, 2}, {11, 1}, {12, 2}}
	if len(s.hours) != len(want) {
		t.Fatalf("hours %v, want %v", s.hours, want)
	}
	for i := range want {
		if s.hours[i] != want[i] {
			t.Fatalf("hours %v, want %v", s.hours, want)
		}
	}
	s.prune(11)
	if len(s.hours) != 2 || s.hours[0].H != 11 {
		t.Errorf("after prune(11): %v", s.hours)
	}
}

func TestSlidingWindow(t *testing.T) {
	sp := newSpan(time.Hour, 5*time.Minute)
	var w sliding
	for _, d := range []string{"0s", "4m", "10m", "2m", "59m"} { // "2m" out of order, inside the window
		if !w.add(sp, tAt(d), noFloor) {
			t.Fatalf("add %s refused", d)
		}
	}
	n, first, last := w.total(sp, tAt("59m"))
	if n != 5 || !first.Equal(tAt("0s")) || !last.Equal(tAt("59m")) {
		t.Errorf("total = %d %v %v, want 5, +0s, +59m", n, first, last)
	}
	// At +65m the 09:00-09:05 bucket has left the window: 0s, 2m and 4m drop out.
	if !w.add(sp, tAt("65m"), noFloor) {
		t.Fatal("add 65m refused")
	}
	if n, first, _ := w.total(sp, tAt("65m")); n != 3 || !first.Equal(tAt("10m")) {
		t.Errorf("total at +65m = %d first %v, want 3 from +10m", n, first)
	}
	// An event older than the window of the newest bucket is late: not counted.
	if w.add(sp, tAt("1m"), noFloor) {
		t.Error("an event 64 minutes behind the newest was counted")
	}
	if len(w.Slots) != 3 {
		t.Errorf("slots held %d, want 3 (old buckets dropped)", len(w.Slots))
	}
}

// TestSlidingHeldToFloor: with a floor older than the window of the newest
// bucket (a lateness above the window), a key holds the buckets back to
// the floor, counts an event in them, judges it with its own window (the
// one that counts the most of those ending at a bucket with events), and
// drops what the floor leaves behind once it moves forward.
func TestSlidingHeldToFloor(t *testing.T) {
	sp := newSpan(time.Hour, 5*time.Minute)
	var w sliding
	floor := sp.floorOf(tAt("-20h")) // watermark 24 h behind the newest
	for _, d := range []string{"4h", "0m", "1m", "2m", "10m", "3h50m"} {
		if !w.add(sp, tAt(d), floor) {
			t.Fatalf("add %s refused with the floor 24 h back", d)
		}
	}
	// 10m is in the windows ending at 10m's bucket .. 65m's: of those
	// ending at a bucket with events, 10m's counts 4.
	if end, ok := w.best(sp, sp.index(tAt("10m")), floor); !ok || end != sp.index(tAt("10m")) {
		t.Errorf("best for 10m = %d %v, want its own bucket %d", end, ok, sp.index(tAt("10m")))
	}
	// 3h50m: the newest bucket's window (3h05m..4h05m) holds it and counts 2.
	if end, _ := w.best(sp, sp.index(tAt("3h50m")), floor); end != sp.index(tAt("4h")) {
		t.Errorf("best for 3h50m = %d, want the newest bucket %d", end, sp.index(tAt("4h")))
	}
	if n, first, last := w.totalTo(sp, sp.index(tAt("10m"))); n != 4 || !first.Equal(tAt("0m")) || !last.Equal(tAt("10m")) {
		t.Errorf("window ending at 10m: %d %s..%s, want 4 0m..10m", n, ts(first), ts(last))
	}
	// The watermark reaches 3h30m: the windows of the first minutes are
	// closed, their buckets dropped at the next new bucket, and an event
	// in them is late.
	floor = sp.floorOf(tAt("3h30m"))
	if w.add(sp, tAt("5m"), floor) {
		t.Error("an event of a window the watermark closed was counted")
	}
	if !w.add(sp, tAt("3h"), floor) {
		t.Error("an event in a window still open was refused")
	}
	if len(w.Slots) != 3 || w.Slots[0].I != sp.index(tAt("3h")) {
		t.Errorf("slots %+v, want 3 from 3h's bucket", w.Slots)
	}
	// Without a floor (no watermark yet) a key holds its newest window only.
	var v sliding
	v.add(sp, tAt("4h"), noFloor)
	if v.add(sp, tAt("2h"), noFloor) {
		t.Error("without a floor, an event two hours behind the newest was counted")
	}
}

// TestSlidingJudge: a late event is judged with the earliest window over
// the threshold of those that hold it and end at a bucket with events,
// the one time order alerts with, not the one that counts the most; in
// order, with the window ending at it; none when no window passes.
func TestSlidingJudge(t *testing.T) {
	sp := newSpan(time.Hour, 5*time.Minute)
	floor := sp.floorOf(tAt("-20h")) // a lateness of a day: every bucket held
	over := func(min int) func(int64, int) bool { return func(_ int64, n int) bool { return n >= min } }
	for _, tc := range []struct {
		name   string
		events []string // in arrival order; the last is judged
		passes func(int64, int) bool
		want   string // the end bucket's event time; "" none
	}{
		// 0m..50m (11), 68m, 110m and 115m: 0m, read last, completes
		// the window ending at 50m's bucket (11) and the ones after it
		// up to 55m's; the first passes, as in time order.
		{"late, two windows pass", []string{"115m", "110m", "68m", "50m", "45m", "40m", "35m", "30m", "25m", "20m", "15m", "10m", "5m", "0m"}, over(11), "50m"},
		// 10m..50m (9) and 68m: only the window ending at 68m's bucket
		// holds 10.
		{"late, only a later window passes", []string{"115m", "68m", "50m", "45m", "40m", "35m", "30m", "25m", "20m", "15m", "10m"}, over(10), "68m"},
		{"late, none passes", []string{"115m", "68m", "50m", "10m"}, over(11), ""},
		{"in order", []string{"0m", "5m", "10m"}, over(3), "10m"},
		{"in order, below", []string{"0m", "5m", "10m"}, over(4), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w sliding
			for _, d := range tc.events {
				if !w.add(sp, tAt(d), floor) {
					t.Fatalf("add %s refused", d)
				}
			}
			end, ok := w.judge(sp, sp.index(tAt(tc.events[len(tc.events)-1])), floor, tc.passes)
			switch {
			case tc.want == "" && ok:
				t.Errorf("judged with the window ending at bucket %d, want none", end)
			case tc.want != "" && (!ok || end != sp.index(tAt(tc.want))):
				t.Errorf("judge = %d %v, want the window ending at %s's bucket %d", end, ok, tc.want, sp.index(tAt(tc.want)))
			}
		})
	}
}
