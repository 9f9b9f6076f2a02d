package detect

import (
	"math"
	"testing"
	"time"
)

func TestHourlyStats(t *testing.T) {
	type add struct {
		key string
		at  string
		n   int
	}
	tests := []struct {
		name   string
		period time.Duration
		adds   []add
		key    string
		at     string
		want   Baseline
	}{
		{
			name:   "zero hours are included",
			period: 4 * time.Hour,
			// 4 closed hours before 14:xx: 10h=4, 11h=0, 12h=0, 13h=0.
			adds: []add{{"u", "0s", 4}, {"u", "4h", 9}},
			key:  "u", at: "4h",
			want: Baseline{Mean: 1, SD: math.Sqrt(3), Hours: 4},
		},
		{
			name:   "the tested hour is not in its own baseline",
			period: 2 * time.Hour,
			adds:   []add{{"u", "0s", 2}, {"u", "1h", 2}, {"u", "2h", 100}},
			key:    "u", at: "2h30m",
			want: Baseline{Mean: 2, SD: 0, Hours: 2},
		},
		{
			name:   "warm-up: fewer closed hours than the period",
			period: 7 * 24 * time.Hour,
			adds:   []add{{"u", "0s", 3}, {"u", "1h", 1}},
			key:    "u", at: "2h",
			want: Baseline{Mean: 2, SD: 1, Hours: 2, Learning: true},
		},
		{
			name:   "first hour has no baseline and is learning",
			period: time.Hour,
			adds:   []add{{"u", "0s", 5}},
			key:    "u", at: "10m",
			want: Baseline{Learning: true},
		},
		{
			name:   "a key first seen after learning has a zero baseline",
			period: 3 * time.Hour,
			adds:   []add{{"other", "0s", 1}, {"new", "5h", 1}},
			key:    "new", at: "5h",
			want: Baseline{Mean: 0, SD: 0, Hours: 3},
		},
		{
			name:   "hours older than the period do not count",
			period: 2 * time.Hour,
			adds:   []add{{"u", "0s", 10}, {"u", "3h", 1}},
			key:    "u", at: "4h",
			want: Baseline{Mean: 0.5, SD: 0.5, Hours: 2},
		},
		{
			name:   "late event in a past hour is counted in that hour",
			period: 3 * time.Hour,
			adds:   []add{{"u", "0s", 1}, {"u", "2h", 1}, {"u", "1h", 4}},
			key:    "u", at: "3h",
			want: Baseline{Mean: 2, SD: math.Sqrt(2), Hours: 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHourly[string](tt.period, 0)
			for _, a := range tt.adds {
				h.Add(a.key, at(a.at), a.n)
			}
			got := h.Stats(tt.key, at(tt.at))
			if got.Hours != tt.want.Hours || got.Learning != tt.want.Learning ||
				math.Abs(got.Mean-tt.want.Mean) > 1e-9 || math.Abs(got.SD-tt.want.SD) > 1e-9 {
				t.Errorf("Stats = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestHourlyEntriesRoundTrip(t *testing.T) {
	h := NewHourly[string](24*time.Hour, 0)
	h.Add("a", at("0s"), 3)
	h.Add("a", at("5h"), 1)
	h.Add("b", at("2h"), 7)
	r := NewHourly[string](24*time.Hour, 0)
	r.SetStart(h.Start())
	r.Load(h.Entries())
	for _, k := range []string{"a", "b"} {
		if g, w := r.Stats(k, at("6h")), h.Stats(k, at("6h")); g != w {
			t.Errorf("restored Stats(%s) = %+v, want %+v", k, g, w)
		}
	}
}

func TestHourlyExpireAndCap(t *testing.T) {
	h := NewHourly[string](2*time.Hour, 2)
	h.Add("a", at("0s"), 1)
	h.Add("b", at("1h"), 1)
	h.Add("c", at("1h"), 1) // evicts a
	if h.Len() != 2 || h.Evicted() != 1 || h.Count("a", at("0s")) != 0 {
		t.Fatalf("Len %d Evicted %d a=%d; want 2, 1, 0", h.Len(), h.Evicted(), h.Count("a", at("0s")))
	}
	h.Expire(at("4h"))
	if h.Len() != 0 {
		t.Errorf("after Expire: %d keys, want 0", h.Len())
	}
}
