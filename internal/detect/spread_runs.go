package detect

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// oldRunsPerKeep bounds a key's earlier runs (spreadVals.old) to this many
// times keep, the values Seen holds: keep values for each of 24 windows,
// the most a lateness of 24h (the largest allowed) keeps open behind the
// newest with the default 60-minute window.
const oldRunsPerKeep = 24

// spreadRuns is the persisted form of a key's earlier runs.
type spreadRuns struct {
	Old []seenValue `json:"old,omitempty"`
	Cut int64       `json:"cut,omitempty"`
}

// earlier returns st's earlier runs for a snapshot, nil when there are
// none.
func (st *spreadState) earlier() *spreadRuns {
	if st.vals == nil || (len(st.vals.old) == 0 && st.vals.cut == 0) {
		return nil
	}
	return &spreadRuns{Old: st.vals.old, Cut: st.vals.cut}
}

// setEarlier sets st's earlier runs from a snapshot (nil: none), in the
// order the invariants of spreadVals.old want.
func (st *spreadState) setEarlier(e *spreadRuns) {
	if e == nil || (len(e.Old) == 0 && e.Cut == 0) {
		return
	}
	st.vals = &spreadVals{old: e.Old, cut: e.Cut}
	slices.SortStableFunc(st.vals.old, func(a, b seenValue) int { return cmp.Compare(a.Last, b.Last) })
}

// cut returns the Last of the newest earlier run dropped at the cap (0:
// none).
func (st *spreadState) cut() int64 {
	if st.vals == nil {
		return 0
	}
	return st.vals.cut
}

// heldFrom returns the time (Unix ns) after which the key holds every
// sighting a window needs, given its newest event at newest and the
// rule's floor: no window the key judges starts before it.
func (st *spreadState) heldFrom(newest, window, floor int64) int64 {
	return max(min(newest-window, floor), st.cut())
}

// addOld adds run s to the earlier runs, in Last order, dropping the
// oldest beyond the cap of keep values.
func (st *spreadState) addOld(s seenValue, keep int) {
	if st.vals == nil {
		st.vals = &spreadVals{}
	}
	old := append(st.vals.old, s)
	for i := len(old) - 1; i > 0 && old[i].Last < old[i-1].Last; i-- {
		old[i], old[i-1] = old[i-1], old[i]
	}
	if len(old) > oldRunsPerKeep*keep {
		st.vals.cut = max(st.vals.cut, old[0].Last)
		old = append(old[:0], old[1:]...)
	}
	st.vals.old = old
}

// pruneOld drops the earlier runs that end at or before floor: they are
// in no window the watermark has not closed. With noFloor (no watermark
// yet) it keeps them.
func (st *spreadState) pruneOld(floor int64) {
	if floor == noFloor {
		return
	}
	old := st.vals.old
	i := 0
	for i < len(old) && old[i].Last <= floor {
		i++
	}
	if i > 0 {
		st.vals.old = append(old[:0], old[i:]...)
	}
}

// takeOld removes the earlier run of v that a run starting at from
// continues (ending less than window before it) and returns that run's
// start, or from when there is none.
func (st *spreadState) takeOld(v string, from, window int64) int64 {
	old := st.vals.old
	for i := len(old) - 1; i >= 0; i-- {
		if o := old[i]; o.V == v && o.Last < from && from-o.Last < window {
			st.vals.old = slices.Delete(old, i, i+1)
			return o.from()
		}
	}
	return from
}

// observeOlder is observe of value v at ns, older than the window of the
// key's newest event (at newest) by more. The sighting joins the run of
// v that holds it or that it continues (less than window from it), which
// may join two runs, or starts an earlier run of its own; it is late when
// the key no longer holds what a window of it needs (heldFrom).
func (st *spreadState) observeOlder(v string, ns, newest, window, floor int64, keep int) spreadFate {
	if ns <= st.heldFrom(newest, window, floor) {
		return spreadLate
	}
	var old []seenValue
	if st.vals != nil {
		old = st.vals.old
	}
	// v's runs: prev, the latest earlier run before ns, and next, the
	// first run after it (earlier, else Seen's). Runs are in Last order.
	prev, after := -1, -1
	for i, o := range old {
		if o.V != v {
			continue
		}
		if o.Last < ns {
			prev = i
			continue
		}
		if o.from() <= ns {
			return spreadEarlier // held by this run already
		}
		after = i
		break
	}
	next := st.seenOf(v)
	if after >= 0 {
		next = &old[after]
	}
	if next != nil && next.from() <= ns {
		return spreadEarlier // held by Seen's run
	}
	joinPrev := prev >= 0 && ns-old[prev].Last < window
	joinNext := next != nil && next.from()-ns < window
	switch {
	case joinPrev && joinNext:
		next.From = old[prev].from()
		st.vals.old = slices.Delete(old, prev, prev+1)
	case joinNext:
		next.From = ns
	case joinPrev:
		old[prev].Last = ns
		for i := prev; i+1 < len(old) && old[i].Last > old[i+1].Last; i++ {
			old[i], old[i+1] = old[i+1], old[i]
		}
	default:
		var kept string
		switch {
		case next != nil:
			kept = next.V
		case prev >= 0:
			kept = old[prev].V
		default:
			kept = strings.Clone(v) // do not pin the event's line
		}
		st.addOld(seenValue{V: kept, Last: ns, From: ns}, keep)
	}
	return spreadEarlier
}

// newest returns the newest Last of Seen (0 when empty).
func (st *spreadState) newest() int64 {
	n := int64(0)
	for _, s := range st.Seen {
		n = max(n, s.Last)
	}
	return n
}

// seenOf returns v's entry in Seen, or nil.
func (st *spreadState) seenOf(v string) *seenValue {
	for i := range st.Seen {
		if st.Seen[i].V == v {
			return &st.Seen[i]
		}
	}
	return nil
}

// best returns the window that a sighting at ns, held by observeOlder,
// is judged with: of the windows (end − window, end] that hold ns, end at
// a sighting the key knows (ns, or the first or last of a run) and start
// after what the key holds (heldFrom), the one that holds the most
// distinct values, the latest of equals, and n, how many it holds (−1:
// none such). That is the window ending at ns when ns is the newest
// sighting within window of it, as in time order.
func (st *spreadState) best(ns, window, floor int64) (end int64, n int) {
	newest := ns
	for _, s := range st.Seen {
		newest = max(newest, s.Last)
	}
	lo, hi := max(ns, st.heldFrom(newest, window, floor)+window), min(ns+window, newest+1)
	// The runs a window ending in [lo, hi) may hold.
	var runs []seenValue
	for _, s := range st.Seen {
		if s.from() < hi && s.Last+window > lo {
			runs = append(runs, s)
		}
	}
	if st.vals != nil {
		for _, s := range st.vals.old {
			if s.from() < hi && s.Last+window > lo {
				runs = append(runs, s)
			}
		}
	}
	n = -1
	try := func(e int64) {
		if e < lo || e >= hi {
			return
		}
		c := 0
		for _, s := range runs {
			if s.covers(e, window) {
				c++
			}
		}
		if c > n || c == n && e > end {
			end, n = e, c
		}
	}
	try(ns)
	for _, s := range runs {
		try(s.from())
		try(s.Last)
	}
	return end, n
}

// at returns the values of the window (end − window, end], each once (its
// run holding the window), ordered by their last sighting in it as far as
// the runs tell (Last, or end for a run that goes on after it).
func (st *spreadState) at(end, window int64) (seen []seenValue) {
	add := func(s seenValue) {
		if !s.covers(end, window) {
			return
		}
		s.Last = min(s.Last, end)
		seen = append(seen, s)
	}
	st.eachRun(add)
	slices.SortStableFunc(seen, func(a, b seenValue) int {
		if c := cmp.Compare(a.Last, b.Last); c != 0 {
			return c
		}
		return cmp.Compare(a.from(), b.from())
	})
	return seen
}

// eachRun calls f with each run of values the key holds: the earlier
// runs (spreadVals.old), then those of Seen.
func (st *spreadState) eachRun(f func(seenValue)) {
	if st.vals != nil {
		for _, s := range st.vals.old {
			f(s)
		}
	}
	for _, s := range st.Seen {
		f(s)
	}
}

// in returns the values with a sighting at from ≤ t < to (Unix ns), each
// once, ordered by their last sighting in it as far as the runs tell.
// The runs must be of a window no longer than to − from, so that a run
// that overlaps the span has a sighting in it.
func (st *spreadState) in(from, to int64) []string {
	var runs []seenValue
	add := func(s seenValue) {
		if s.from() < to && s.Last >= from {
			s.Last = min(s.Last, to-1)
			runs = append(runs, s)
		}
	}
	st.eachRun(add)
	slices.SortStableFunc(runs, func(a, b seenValue) int { return cmp.Compare(a.Last, b.Last) })
	out := make([]string, 0, len(runs))
	for i, s := range runs {
		if !slices.ContainsFunc(runs[i+1:], func(o seenValue) bool { return o.V == s.V }) {
			out = append(out, s.V) // its last run in the span
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// earlierRuns returns the earlier runs (see spreadVals.old).
func (st *spreadState) earlierRuns() []seenValue {
	if st.vals == nil {
		return nil
	}
	return st.vals.old
}

// quietSpan is the open interval (From, To) of times (Unix ns) at which
// a key's alert is suppressed: within suppress of its last alert, after
// it or before it (a late event's alert; time order would have raised
// one of the two only). The zero span suppresses nothing.
type quietSpan struct{ From, To int64 }

// quietAround returns the quietSpan of an alert at last (Unix ns; 0: none)
// and the rule's suppress.
func quietAround(last int64, suppress time.Duration) quietSpan {
	if last == 0 {
		return quietSpan{}
	}
	return quietSpan{last - int64(suppress), last + int64(suppress)}
}

// holds reports whether an alert at t falls in q, to be suppressed.
func (q quietSpan) holds(t int64) bool { return q.From < t && t < q.To }

// firstReach returns the window that a sighting at ns, which came out of
// order (older than the key's newest), completes as time order would
// have: of the windows (end − window, end] that hold ns, start after
// what the key holds (heldFrom) and do not end in quiet (the suppression
// around the key's last alert: time order would have suppressed those),
// the earliest whose end is a sighting (ns, the first of a run, or past
// quiet a run's last) and that holds need distinct values or more, and
// n, how many it holds; n is −1 when no such window holds need. A
// window's count rises only at ns and at the first sightings of runs, so
// no earlier end reaches need; past quiet, the sightings of a run between
// its first and last are not kept, and its last stands for them.
func (st *spreadState) firstReach(ns, window, floor int64, quiet quietSpan, need int) (end int64, n int) {
	newest := max(ns, st.newest())
	lo, hi := max(ns, st.heldFrom(newest, window, floor)+window), min(ns+window, newest+1)
	end, n = hi, -1
	try := func(e int64) {
		if e < lo || e >= end || quiet.holds(e) {
			return
		}
		c := 0
		st.eachRun(func(s seenValue) {
			if s.covers(e, window) {
				c++
			}
		})
		if c >= need {
			end, n = e, c
		}
	}
	try(ns)
	st.eachRun(func(s seenValue) { try(s.from()) })
	if quiet.To > ns {
		st.eachRun(func(s seenValue) { try(s.Last) })
	}
	if n < 0 {
		return 0, -1
	}
	return end, n
}
