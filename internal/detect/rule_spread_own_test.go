package detect

import (
	"cmp"
	"fmt"
	"math"
	"math/rand"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// TestSpreadValuesOwned checks spreadState's value buffer (own): a value
// observe keeps shares no byte with the event's line (the caller
// overwrites it), the values kept are the last keep distinct ones in
// order, the buffer holds at most 1.5 times the bytes of keep+1 values, and adding a new value allocates far less than once per value.
func TestSpreadValuesOwned(t *testing.T) {
	const keep, window = 11, int64(3600e9)
	var st spreadState
	line := make([]byte, 32)
	var ref []string
	value := func(i int) string { // a value in the caller's reused line
		b := strconv.AppendInt(append(line[:0], "10.0."...), int64(i/256%256), 10)
		b = strconv.AppendInt(append(b, '.'), int64(i%256), 10)
		return unsafe.String(&b[0], len(b))
	}
	for i := range 500 {
		v := value(i)
		ref = append(ref, strings.Clone(v))
		if st.observe(v, int64(i+1)*1e9, window, noFloor, keep) != spreadNewest {
			t.Fatalf("value %d refused", i)
		}
		clear(line)
		if i%7 == 0 && i > 0 { // a value seen again: refreshed, not copied
			v := value(i - 1)
			st.observe(v, int64(i+1)*1e9+1, window, noFloor, keep)
			clear(line)
			p := fmt.Sprintf("10.0.%d.%d", (i-1)/256, (i-1)%256)
			at := slices.Index(ref, p)
			ref = append(slices.Delete(ref, at, at+1), p)
		}
		if len(ref) > keep {
			ref = ref[len(ref)-keep:]
		}
		got, live := make([]string, len(st.Seen)), 0
		for j, s := range st.Seen {
			got[j] = s.V
			live += len(s.V)
		}
		if !slices.Equal(got, ref) {
			t.Fatalf("after value %d: seen %q, want %q", i, got, ref)
		}
		// At a move, the buffer gets 1.5 times the bytes of the values
		// kept and the new one (at most keep+1 values of at most 10 bytes).
		if st.vals != nil && cap(st.vals.b) > 3*(keep+1)*10/2 {
			t.Fatalf("after value %d: %d bytes of buffer for %d bytes of values", i, cap(st.vals.b), live)
		}
	}
	i := 1000
	if n := testing.AllocsPerRun(200, func() {
		i++
		st.observe(value(i), int64(i)*1e9, window, noFloor, keep)
	}); n > 0.25 {
		t.Errorf("%v allocations per new value, want at most 0.25", n)
	}
}

// TestSpreadObserveAgrees runs random sequences of values through
// spreadState.observe and through refObserve (its definition: filter,
// append, sort, trim), and checks after each that both return the same
// and hold the same values, times and First: observe's path for a value
// at or after every held one (observeNewest) must not differ from the
// general one, also after Restore left Seen unsorted or with a value
// twice.
func TestSpreadObserveAgrees(t *testing.T) {
	const window = int64(100)
	for seed := int64(1); seed <= 200; seed++ {
		rng := rand.New(rand.NewSource(seed))
		keep := 2 + rng.Intn(6)
		var st, ref spreadState
		now := int64(1000)
		for step := range 300 {
			if rng.Intn(60) == 0 { // restored: any order, repeats
				var seen []seenValue
				for range rng.Intn(keep + 2) {
					seen = append(seen, seenValue{V: fmt.Sprint("v", rng.Intn(6)), Last: now - int64(rng.Intn(150))})
				}
				st = spreadState{Seen: slices.Clone(seen)}
				ref = spreadState{Seen: slices.Clone(seen)}
			}
			ns := now
			switch r := rng.Intn(10); {
			case r < 6:
				now += int64(rng.Intn(40))
				ns = now
			case r < 9:
				ns = now - int64(rng.Intn(130)) // out of order, sometimes late
			}
			v := fmt.Sprint("v", rng.Intn(8))
			if rng.Intn(20) == 0 {
				v = ""
			}
			got, want := st.observe(v, ns, window, noFloor, keep) == spreadNewest, refObserve(&ref, v, ns, window, keep)
			if got != want || !slices.Equal(st.Seen, ref.Seen) {
				t.Fatalf("seed %d step %d observe(%q, %d): %v %v, want %v %v",
					seed, step, v, ns, got, st.Seen, want, ref.Seen)
			}
		}
	}
}

// refObserve is spreadState.observe by definition, without the path for
// the newest value, copying values as they come.
func refObserve(st *spreadState, v string, ns, window int64, keep int) bool {
	newest := ns
	for _, s := range st.Seen {
		newest = max(newest, s.Last)
	}
	if ns <= newest-window {
		return false
	}
	var live []seenValue
	kept, found, t, from := "", false, ns, ns
	for _, s := range st.Seen {
		switch {
		case s.V == v:
			ns, kept, found = max(ns, s.Last), s.V, true
			if t < s.Last+window { // the run of v goes on
				from = min(from, s.from())
			}
		case s.Last > newest-window:
			live = append(live, s)
		}
	}
	if !found {
		kept = v
	}
	live = append(live, seenValue{V: kept, Last: ns, From: from})
	slices.SortStableFunc(live, func(a, b seenValue) int { return cmp.Compare(a.Last, b.Last) })
	if len(live) > keep {
		live = live[len(live)-keep:]
	}
	st.Seen = live
	return true
}

// TestSpreadRunsAgree feeds spreadState.observe random sightings, many out
// of order and some older than the window of the newest by more, with a
// floor a lateness above the window behind the newest (as a rule's
// watermark minus window), and checks after each against every sighting
// recorded: a sighting is late exactly when it is at or before what the
// key holds (heldFrom), and for every window the key holds whole (ending
// from heldFrom + window to the newest), the runs that cover it are as
// many as the distinct values seen in it, and best finds the largest.
func TestSpreadRunsAgree(t *testing.T) {
	const window, lateness, keep = int64(100), int64(250), 100
	type sighting struct {
		v  string
		ns int64
	}
	for seed := int64(1); seed <= 60; seed++ {
		rng := rand.New(rand.NewSource(seed))
		var st spreadState
		var all []sighting
		now, floor := int64(1000), int64(noFloor)
		for step := range 300 {
			ns := now
			switch r := rng.Intn(10); {
			case r < 5:
				now += int64(rng.Intn(40))
				ns = now
			case r < 8:
				ns = now - int64(rng.Intn(130))
			default:
				ns = now - int64(rng.Intn(400)) // beyond the window, sometimes behind the floor
			}
			v := fmt.Sprint("v", rng.Intn(8))
			held := int64(math.MinInt64)
			if len(st.Seen) > 0 {
				held = st.heldFrom(st.newest(), window, floor)
			}
			fate := st.observe(v, ns, window, floor, keep)
			if (fate == spreadLate) != (ns <= held) {
				t.Fatalf("seed %d step %d: observe(%q, %d) = %v, the key holding from %d", seed, step, v, ns, fate, held)
			}
			if fate != spreadLate {
				all = append(all, sighting{v, ns})
			}
			newest := st.newest()
			lo := st.heldFrom(newest, window, floor) + window
			runs := append(slices.Clone(st.Seen), st.earlierRuns()...)
			for e := lo; e <= newest; e++ {
				distinct := map[string]bool{}
				for _, s := range all {
					if s.ns > e-window && s.ns <= e {
						distinct[s.v] = true
					}
				}
				n := 0
				for _, s := range runs {
					if s.covers(e, window) {
						n++
					}
				}
				if n != len(distinct) {
					t.Fatalf("seed %d step %d: window ending at %d holds %d values, runs cover it %d times\nseen %v\nearlier %v",
						seed, step, e, len(distinct), n, st.Seen, st.earlierRuns())
				}
			}
			if fate == spreadEarlier {
				end, n := st.best(ns, window, floor)
				for _, s := range runs {
					for _, e := range []int64{s.from(), s.Last, ns} {
						if e >= max(ns, lo) && e < ns+window && e <= newest {
							c := 0
							for _, r := range runs {
								if r.covers(e, window) {
									c++
								}
							}
							if c > n || c == n && e > end {
								t.Fatalf("seed %d step %d: best(%d) = %d holding %d, but the window ending at %d holds %d", seed, step, ns, end, n, e, c)
							}
						}
					}
				}
			}
			if f := now - lateness - window; floor == noFloor || f > floor {
				floor = f // the watermark follows the newest
			}
		}
	}
}
