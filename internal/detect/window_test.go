package detect

import (
	"fmt"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func at(d string) time.Time {
	x, err := time.ParseDuration(d)
	if err != nil {
		panic(err)
	}
	return t0.Add(x)
}

func TestWindowsAdd(t *testing.T) {
	type add struct {
		key       string
		at        string
		wantCount int
		wantOK    bool
	}
	tests := []struct {
		name string
		adds []add
	}{
		{"counts within the window", []add{
			{"u", "0s", 1, true}, {"u", "10m", 2, true}, {"u", "59m", 3, true},
		}},
		{"buckets slide out", []add{
			// 60 min window, 5 min buckets: the bucket of 0s leaves at 60m.
			{"u", "0s", 1, true}, {"u", "30m", 2, true}, {"u", "60m", 2, true}, {"u", "90m", 2, true},
		}},
		{"keys are separate", []add{
			{"a", "0s", 1, true}, {"b", "1m", 1, true}, {"a", "2m", 2, true},
		}},
		{"late event within the held window is folded", []add{
			{"u", "50m", 1, true}, {"u", "5m", 2, true},
		}},
		{"event older than the held window is refused", []add{
			{"u", "70m", 1, true}, {"u", "5m", 1, false},
		}},
		{"a gap longer than the window clears everything", []add{
			{"u", "0s", 1, true}, {"u", "1m", 2, true}, {"u", "5h", 1, true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWindows[string](time.Hour, 5*time.Minute, 0)
			for i, a := range tt.adds {
				n, ok := w.Add(a.key, at(a.at), 1)
				if n != a.wantCount || ok != a.wantOK {
					t.Errorf("add %d (%s at %s) = %d, %v; want %d, %v", i, a.key, a.at, n, ok, a.wantCount, a.wantOK)
				}
			}
		})
	}
}

func TestWindowsCountAndExpire(t *testing.T) {
	w := NewWindows[string](time.Hour, 5*time.Minute, 0)
	w.Add("a", at("0s"), 3)
	w.Add("b", at("40m"), 1)
	if got := w.Count("a", at("30m")); got != 3 {
		t.Errorf("Count(a, 30m) = %d, want 3", got)
	}
	if got := w.Count("a", at("61m")); got != 0 {
		t.Errorf("Count(a, 61m) = %d, want 0 (bucket left the window)", got)
	}
	w.Expire(at("65m"))
	if w.Len() != 1 || w.Count("b", at("65m")) != 1 {
		t.Errorf("after Expire(65m): %d keys, b=%d; want 1 key, b=1", w.Len(), w.Count("b", at("65m")))
	}
	w.Expire(at("2h"))
	if w.Len() != 0 {
		t.Errorf("after Expire(2h): %d keys, want 0", w.Len())
	}
}

func TestWindowsEvictsOldestFirst(t *testing.T) {
	w := NewWindows[string](time.Hour, 5*time.Minute, 3)
	for i, k := range []string{"a", "b", "c"} {
		w.Add(k, at(fmt.Sprintf("%dm", i)), 1)
	}
	w.Add("a", at("4m"), 1) // a is now the most recently counted
	w.Add("d", at("5m"), 1) // evicts b
	if w.Len() != 3 || w.Evicted() != 1 {
		t.Fatalf("Len %d Evicted %d, want 3 and 1", w.Len(), w.Evicted())
	}
	if w.Count("b", at("5m")) != 0 || w.Count("a", at("5m")) != 2 || w.Count("c", at("5m")) != 1 {
		t.Errorf("after eviction: a=%d b=%d c=%d, want 2 0 1",
			w.Count("a", at("5m")), w.Count("b", at("5m")), w.Count("c", at("5m")))
	}
}

func TestWindowsEntriesRoundTrip(t *testing.T) {
	w := NewWindows[string](time.Hour, 5*time.Minute, 0)
	w.Add("a", at("0s"), 2)
	w.Add("a", at("20m"), 1)
	w.Add("b", at("50m"), 4)
	r := NewWindows[string](time.Hour, 5*time.Minute, 0)
	r.Load(w.Entries())
	for _, k := range []string{"a", "b"} {
		for _, when := range []string{"20m", "55m", "65m"} {
			if g, x := r.Count(k, at(when)), w.Count(k, at(when)); g != x {
				t.Errorf("restored Count(%s, %s) = %d, want %d", k, when, g, x)
			}
		}
	}
}

// TestWindowsBoundedUnderFlood feeds a million random user names: the
// number of keys never exceeds the cap and every excess key is counted.
func TestWindowsBoundedUnderFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("1M keys")
	}
	const maxKeys = 10_000
	w := NewWindows[string](time.Hour, 5*time.Minute, maxKeys)
	const n = 1_000_000
	for i := range n {
		w.Add(fmt.Sprintf("user-%x", uint64(i)*0x9e3779b97f4a7c15), t0.Add(time.Duration(i)*time.Millisecond), 1)
		if w.Len() > maxKeys {
			t.Fatalf("after %d keys: %d held, cap %d", i+1, w.Len(), maxKeys)
		}
	}
	if w.Evicted() != n-maxKeys {
		t.Errorf("Evicted = %d, want %d", w.Evicted(), n-maxKeys)
	}
}
