package detect

import (
	"math"
	"time"
)

// slot is one time bucket of a sliding count: the bucket index (event time
// in Unix ns divided by the bucket length), the number of events in it and
// the times (Unix ns) of its first and last events.
type slot struct {
	I     int64  `json:"i"`
	N     uint32 `json:"n"`
	First int64  `json:"f"`
	Last  int64  `json:"l"`
}

// sliding counts events of one key over a sliding window of event time in
// buckets. It holds only the buckets that have events, oldest first, so a
// key seen once costs one slot. The window ending at t covers the buckets
// (b−n, b] where b is t's bucket and n = window / bucket.
type sliding struct {
	Slots []slot `json:"slots"`
}

// slidingSpan is the geometry of a sliding window: bucket length and the
// number of buckets per window.
type slidingSpan struct {
	bucket int64 // ns
	n      int64
}

// newSpan returns the geometry for window in buckets of length bucket
// (window rounded up to whole buckets; at least one bucket).
func newSpan(window, bucket time.Duration) slidingSpan {
	if bucket <= 0 || bucket > window {
		bucket = window
	}
	n := int64((window + bucket - 1) / bucket)
	if n < 1 {
		n = 1
	}
	return slidingSpan{bucket: int64(bucket), n: n}
}

// index returns the bucket of t.
func (sp slidingSpan) index(t time.Time) int64 { return floorDiv(t.UnixNano(), sp.bucket) }

// startOf returns the start of the window ending in bucket b.
func (sp slidingSpan) startOf(b int64) time.Time {
	return time.Unix(0, (b-sp.n+1)*sp.bucket).UTC()
}

// The floors of a rule not yet advanced to a watermark. A new rule has
// noFloor: a key holds the window of its newest bucket only. A rule
// restored from a snapshot has restoredFloor until the watermark moves:
// its keys keep everything they were saved with (held back to the
// watermark then) and count what comes in any window they hold.
const (
	noFloor       = math.MaxInt64
	restoredFloor = math.MinInt64
)

// floorOf returns the floor (see add) of a rule advanced to watermark wm:
// the first bucket of the window ending in wm's bucket, the oldest bucket
// a window the watermark has not closed covers.
func (sp slidingSpan) floorOf(wm time.Time) int64 { return sp.index(wm) - sp.n + 1 }

// advanceFloor returns the floor after an advance to a watermark whose
// floor is f: the floor only moves forward.
func advanceFloor(floor, f int64) int64 {
	if floor == noFloor {
		return f
	}
	return max(floor, f)
}

// held returns the oldest bucket the key holds: the first of the window
// ending at its newest bucket, or floor when that is older (a lateness
// above the window, or a watermark held back by an input read behind the
// others, keeps the windows it has not closed). s must not be empty.
func (s *sliding) held(sp slidingSpan, floor int64) int64 {
	return min(s.Slots[len(s.Slots)-1].I-sp.n+1, floor)
}

// add counts one event at t. floor is the rule's floor (floorOf its
// watermark, noFloor before one). It returns false, and counts nothing,
// when t's bucket is older than the key holds (held): every window that
// holds it is closed and the event is late.
func (s *sliding) add(sp slidingSpan, t time.Time, floor int64) bool {
	b, ns := sp.index(t), t.UnixNano()
	k := len(s.Slots)
	if k > 0 && b < s.held(sp, floor) {
		return false
	}
	for i := k - 1; i >= 0; i-- {
		sl := &s.Slots[i]
		if sl.I == b {
			sl.N++
			sl.First = min(sl.First, ns)
			sl.Last = max(sl.Last, ns)
			return true
		}
		if sl.I < b {
			s.insert(i+1, slot{I: b, N: 1, First: ns, Last: ns})
			s.trim(sp, floor)
			return true
		}
	}
	s.insert(0, slot{I: b, N: 1, First: ns, Last: ns})
	return true
}

// best returns the end bucket of the window an event in bucket b, just
// added, is judged with: of the windows that hold b, end at a bucket with
// events and cover only buckets the key holds (held), the one that counts
// the most, the latest of equals. In order (b the newest bucket) that is
// the window ending at b; while every bucket held is within the window of
// the newest, the window ending at the newest, which holds every event
// counted. An event older than others already counted (another node's
// backlog reaching an aggregator, lines out of order) thus completes the
// count of the window it belongs to, not only of the one ending at it.
// ok is false when no such window ends at a bucket with events yet.
func (s *sliding) best(sp slidingSpan, b, floor int64) (end int64, ok bool) {
	newest := s.Slots[len(s.Slots)-1].I
	if b == newest {
		return b, true
	}
	lo, hi := max(b, s.held(sp, floor)+sp.n-1), min(b+sp.n-1, newest)
	if lo >= newest { // the usual case: only the newest window is whole
		return newest, hi == newest
	}
	bestN := -1
	s.windows(sp, lo, hi, func(e int64, n int) bool {
		if n >= bestN {
			end, bestN = e, n
		}
		return true
	})
	return end, bestN >= 0
}

// windows calls fn, oldest first, with the end bucket and the count of
// each window ending at a slot in [lo, hi], until fn returns false. It
// makes one pass over the slots, with the count of the window ending at
// each: the slots from j on are those after its start.
func (s *sliding) windows(sp slidingSpan, lo, hi int64, fn func(end int64, n int) bool) {
	j, sum := 0, 0
	for _, sl := range s.Slots {
		sum += int(sl.N)
		for s.Slots[j].I <= sl.I-sp.n {
			sum -= int(s.Slots[j].N)
			j++
		}
		if sl.I >= lo && sl.I <= hi && !fn(sl.I, sum) {
			return
		}
	}
}

// judge returns the end bucket of the window an event in bucket b, just
// added, raises an alert with: of the windows best chooses from (they
// hold b, end at a bucket with events and cover only buckets the key
// holds), the earliest whose count passes (exceeds the threshold of the
// window ending at end, as passes tells), the one time order raises its
// alert with: a late event that completes the counts of several windows
// is judged with the first, as it would have been in order, not with a
// later one an alert of the key already keeps quiet. ok is false when no
// such window passes. In order (b the newest bucket) that is the window
// ending at b, as best returns.
func (s *sliding) judge(sp slidingSpan, b, floor int64, passes func(end int64, n int) bool) (end int64, ok bool) {
	newest := s.Slots[len(s.Slots)-1].I
	lo, hi := max(b, s.held(sp, floor)+sp.n-1), min(b+sp.n-1, newest)
	if b == newest || lo >= newest {
		end, ok := s.best(sp, b, floor)
		if !ok {
			return 0, false
		}
		n, _, _ := s.totalTo(sp, end)
		return end, passes(end, n)
	}
	s.windows(sp, lo, hi, func(e int64, n int) bool {
		if passes(e, n) {
			end, ok = e, true
		}
		return !ok
	})
	return end, ok
}

func (s *sliding) insert(i int, sl slot) {
	s.Slots = append(s.Slots, slot{})
	copy(s.Slots[i+1:], s.Slots[i:])
	s.Slots[i] = sl
}

// trim drops the buckets older than the key holds (held).
func (s *sliding) trim(sp slidingSpan, floor int64) {
	if len(s.Slots) > 0 {
		s.expire(s.held(sp, floor))
	}
}

// expire drops the buckets before index from.
func (s *sliding) expire(from int64) {
	i := 0
	for i < len(s.Slots) && s.Slots[i].I < from {
		i++
	}
	if i > 0 {
		s.Slots = append(s.Slots[:0], s.Slots[i:]...)
	}
}

// total returns the count over the window ending in t's bucket and the
// times of the first and last events in it.
func (s *sliding) total(sp slidingSpan, t time.Time) (n int, first, last time.Time) {
	return s.totalTo(sp, sp.index(t))
}

// totalTo is total of the window ending in bucket b.
func (s *sliding) totalTo(sp slidingSpan, b int64) (n int, first, last time.Time) {
	var f, l int64
	for _, sl := range s.Slots {
		if sl.I <= b-sp.n || sl.I > b {
			continue
		}
		if n == 0 || sl.First < f {
			f = sl.First
		}
		l = max(l, sl.Last)
		n += int(sl.N)
	}
	if n == 0 {
		return 0, time.Time{}, time.Time{}
	}
	return n, time.Unix(0, f).UTC(), time.Unix(0, l).UTC()
}

// newest returns the index of the newest bucket, or false when empty.
func (s *sliding) newest() (int64, bool) {
	if len(s.Slots) == 0 {
		return 0, false
	}
	return s.Slots[len(s.Slots)-1].I, true
}

// rebucket returns slots, counted in buckets of from ns, in buckets of to
// ns: each slot moves to the bucket of its first event (its events are
// taken to be at that time when to is shorter than from), and slots that
// land in one bucket are merged. A window's state saved under another
// bucket (the bucket parameter, or the window its default follows,
// changed between runs) thus keeps its counts instead of being read as
// other times. slots is returned as it is when from is 0 (state saved
// before the bucket was) or to.
func rebucket(slots []slot, from, to int64) []slot {
	if from == 0 || from == to {
		return slots
	}
	out := slots[:0]
	for _, sl := range slots {
		sl.I = floorDiv(sl.First, to)
		if n := len(out); n > 0 && out[n-1].I == sl.I {
			last := &out[n-1]
			last.N += sl.N
			last.First, last.Last = min(last.First, sl.First), max(last.Last, sl.Last)
			continue
		}
		out = append(out, sl)
	}
	return out
}
