package detect

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

// recentAt is an entry of a recent set written for a table: a key's
// string and a time as at takes it ("90m").
type recentAt struct{ k, t string }

// recentOp is an expire at a watermark (at's notation), or with k set, a
// seen of k at t that must report want.
type recentOp struct {
	k, t string
	want bool
}

// recentWant returns the items of entries, as items must give them.
func recentWant(entries []recentAt) []recentItem {
	out := []recentItem{}
	for _, e := range entries {
		out = append(out, recentItem{K: keyOf(e.k), T: at(e.t).UnixNano()})
	}
	return out
}

// permutations returns every order of s.
func permutations[T any](s []T) [][]T {
	if len(s) <= 1 {
		return [][]T{slices.Clone(s)}
	}
	var out [][]T
	for i := range s {
		rest := append(slices.Clone(s[:i]), s[i+1:]...)
		for _, p := range permutations(rest) {
			out = append(out, append([]T{s[i]}, p...))
		}
	}
	return out
}

// TestRecentByEventTime holds recent's contract: which ids it remembers,
// with which times, depends on the ids and their event times and the
// watermarks, never on the order they arrived in. Each case adds its
// entries in every order, then applies its ops, and wants the same items
// (oldest first) every time.
func TestRecentByEventTime(t *testing.T) {
	for _, c := range []struct {
		name   string
		retain time.Duration
		max    int
		add    []recentAt // in every order
		ops    []recentOp
		want   []recentAt
	}{
		{name: "expire drops by event time whatever came first", retain: time.Hour, max: 10,
			add:  []recentAt{{"a", "0m"}, {"b", "10m"}, {"c", "20m"}, {"d", "14m59s"}},
			ops:  []recentOp{{t: "75m"}}, // cut 15m
			want: []recentAt{{"c", "20m"}}},
		{name: "an entry at the cut stays", retain: time.Hour, max: 10,
			add:  []recentAt{{"a", "0m"}, {"b", "15m"}, {"c", "30m"}},
			ops:  []recentOp{{t: "75m"}},
			want: []recentAt{{"b", "15m"}, {"c", "30m"}}},
		{name: "cap drops the oldest event time, not the first added", retain: time.Hour, max: 2,
			add:  []recentAt{{"a", "0m"}, {"b", "10m"}, {"c", "20m"}},
			want: []recentAt{{"b", "10m"}, {"c", "20m"}}},
		{name: "ids stay seen until they expire", retain: time.Hour, max: 10,
			add: []recentAt{{"a", "5m"}, {"b", "50m"}},
			ops: []recentOp{{k: "a", t: "70m", want: true}, {t: "66m"}, {k: "a", t: "70m", want: false},
				{k: "b", t: "1m", want: true}},
			want: []recentAt{{"b", "50m"}, {"a", "70m"}}},
		{name: "an id first seen late is kept from the watermark on", retain: time.Hour, max: 10,
			add: []recentAt{{"a", "100m"}, {"b", "110m"}},
			ops: []recentOp{{t: "120m"}, {k: "old", t: "1m", want: false}, {k: "old", t: "1m", want: true},
				{t: "175m"}, {k: "old", t: "2m", want: true}, {t: "180m"}},
			want: []recentAt{{"old", "120m"}}},
		{name: "equal times", retain: time.Hour, max: 10,
			add:  []recentAt{{"a", "10m"}, {"b", "10m"}, {"c", "9m"}},
			ops:  []recentOp{{t: "69m30s"}},
			want: []recentAt{{"a", "10m"}, {"b", "10m"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := recentWant(c.want)
			for _, order := range permutations(c.add) {
				r := newRecent(c.retain, c.max)
				for _, e := range order {
					if r.seen(e.k, at(e.t)) {
						t.Fatalf("order %v: %s seen before it was added", order, e.k)
					}
				}
				for _, op := range c.ops {
					if op.k == "" {
						r.expire(at(op.t))
					} else if got := r.seen(op.k, at(op.t)); got != op.want {
						t.Fatalf("order %v: seen(%s, %s) = %v, want %v", order, op.k, op.t, got, op.want)
					}
				}
				got := slices.Clone(r.items())
				// Entries of equal time keep the order they came in.
				slices.SortStableFunc(got, func(a, b recentItem) int {
					if a.T != b.T {
						return int(a.T - b.T)
					}
					return slices.Compare(a.K[:], b.K[:])
				})
				slices.SortStableFunc(want, func(a, b recentItem) int {
					if a.T != b.T {
						return int(a.T - b.T)
					}
					return slices.Compare(a.K[:], b.K[:])
				})
				if !slices.Equal(got, want) || r.len() != len(want) {
					t.Fatalf("order %v: holds %v (len %d), want %v", order, got, r.len(), want)
				}
			}
		})
	}
}

// TestRecentItemsOldestFirst checks that items gives the entries in time
// order however they arrived, as a snapshot lists them.
func TestRecentItemsOldestFirst(t *testing.T) {
	r := newRecent(24*time.Hour, 1000)
	for i, m := range []int{30, 10, 50, 20, 40, 0, 60, 35, 5} {
		r.seen(fmt.Sprint("id", i), at(fmt.Sprintf("%dm", m)))
	}
	items := r.items()
	if len(items) != 9 || !slices.IsSortedFunc(items, func(a, b recentItem) int { return int(a.T - b.T) }) {
		t.Errorf("items not oldest first: %v", items)
	}
}

// TestRecentSnapshotRoundTrip saves a set (as Engine.Save writes it) and
// loads it at the snapshot's watermark: the ids and times come back, the
// entries that had expired by that watermark do not, and the loaded set
// holds the same ids as one that saw the same entries live.
func TestRecentSnapshotRoundTrip(t *testing.T) {
	for _, c := range []struct {
		name string
		wm   string // "" for a zero watermark
		add  []recentAt
		want []recentAt
	}{
		{name: "all live", wm: "70m", add: []recentAt{{"b", "20m"}, {"a", "10m"}, {"c", "30m"}},
			want: []recentAt{{"a", "10m"}, {"b", "20m"}, {"c", "30m"}}},
		{name: "expired ones are left out", wm: "80m", add: []recentAt{{"c", "30m"}, {"a", "10m"}, {"b", "20m"}},
			want: []recentAt{{"b", "20m"}, {"c", "30m"}}},
		{name: "zero watermark cuts nothing", add: []recentAt{{"a", "10m"}, {"b", "-5000h"}},
			want: []recentAt{{"b", "-5000h"}, {"a", "10m"}}},
		{name: "empty", wm: "10m"},
	} {
		t.Run(c.name, func(t *testing.T) {
			saved := newRecent(time.Hour, 100)
			for _, e := range c.add {
				saved.seen(e.k, at(e.t))
			}
			var wm time.Time
			if c.wm != "" {
				wm = at(c.wm)
			}
			b := appendRecentItems(nil, saved.items())
			var items []recentItem
			if err := json.Unmarshal(b, &items); err != nil {
				t.Fatalf("decode %s: %v", b, err)
			}
			loaded := newRecent(time.Hour, 100)
			loaded.load(items, wm, &saved.forgot)
			if got, want := loaded.items(), recentWant(c.want); !slices.Equal(got, want) {
				t.Errorf("loaded %v, want %v", got, want)
			}
			live := newRecent(time.Hour, 100)
			for _, e := range c.add {
				live.seen(e.k, at(e.t))
			}
			if !wm.IsZero() {
				live.expire(wm)
			}
			if !slices.Equal(live.items(), loaded.items()) {
				t.Errorf("loaded %v, but a set expired live at the watermark holds %v", loaded.items(), live.items())
			}
			// After the load, the watermark is the set's: an id first
			// seen late is kept from it on, as in a set that ran live.
			if !wm.IsZero() && (loaded.seen("late", at("-9000h")) || !slices.Contains(loaded.items(), recentItem{K: keyOf("late"), T: wm.UnixNano()})) {
				t.Errorf("a late id after the load is not kept at the watermark: %v", loaded.items())
			}
		})
	}
}

// TestRecentForgetsBefore: what a set may have forgotten goes up to the
// newest time of an entry it dropped, by expiry or at its cap; loaded
// from a snapshot that says it, that; from one that does not, watermark −
// retain, or the oldest entry's time when the set was full.
func TestRecentForgetsBefore(t *testing.T) {
	const h = int64(time.Hour)
	t0 := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	at := func(hours int) int64 { return t0.UnixNano() + int64(hours)*h }
	check := func(what string, r *recent, want int64) {
		t.Helper()
		if got := r.forgetsBefore(); got != want {
			t.Errorf("%s: forgetsBefore = %v, want %v", what, time.Unix(0, got).UTC(), time.Unix(0, want).UTC())
		}
	}

	r := newRecent(24*time.Hour, 3)
	check("new set", r, math.MinInt64)
	r.seen("a", time.Unix(0, at(1)))
	r.seen("b", time.Unix(0, at(2)))
	r.seen("c", time.Unix(0, at(30)))
	r.expire(t0.Add(26*time.Hour + 30*time.Minute)) // drops a and b
	check("after expiry", r, at(2))
	r.expire(t0.Add(48 * time.Hour)) // drops nothing more: c is kept
	check("after an expiry that dropped nothing", r, at(2))
	for i := range 3 { // the third over the cap drops c, at +30h
		r.seen(fmt.Sprint(i), time.Unix(0, at(50+i)))
	}
	check("after a drop at the cap", r, at(30))

	wm := t0.Add(42 * time.Hour)
	items := []recentItem{{K: keyOf("a"), T: at(40)}, {K: keyOf("b"), T: at(41)}}
	old := newRecent(24*time.Hour, 3)
	old.load(items, wm, nil)
	check("loaded from a snapshot that does not say", old, at(18))
	full := newRecent(24*time.Hour, 2)
	full.load(items, wm, nil)
	check("loaded full from a snapshot that does not say", full, at(40))
	said := at(5)
	saved := newRecent(24*time.Hour, 3)
	saved.load(items, wm, &said)
	check("loaded from a snapshot that says", saved, at(5))
}
