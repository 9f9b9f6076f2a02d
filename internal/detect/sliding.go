package detect

import "time"

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

// start returns the start of the window ending in t's bucket.
func (sp slidingSpan) start(t time.Time) time.Time { return sp.startOf(sp.index(t)) }

// startOf returns the start of the window ending in bucket b.
func (sp slidingSpan) startOf(b int64) time.Time {
	return time.Unix(0, (b-sp.n+1)*sp.bucket).UTC()
}

// add counts one event at t. It returns false, and counts nothing, when t's
// bucket is older than the window ending at the key's newest bucket: that
// window is closed and the event is late.
func (s *sliding) add(sp slidingSpan, t time.Time) bool {
	b, ns := sp.index(t), t.UnixNano()
	k := len(s.Slots)
	if k > 0 && b <= s.Slots[k-1].I-sp.n {
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
			s.trim(sp)
			return true
		}
	}
	s.insert(0, slot{I: b, N: 1, First: ns, Last: ns})
	return true
}

func (s *sliding) insert(i int, sl slot) {
	s.Slots = append(s.Slots, slot{})
	copy(s.Slots[i+1:], s.Slots[i:])
	s.Slots[i] = sl
}

// trim drops the buckets that no window ending at or after the newest
// bucket covers.
func (s *sliding) trim(sp slidingSpan) {
	if k := len(s.Slots); k > 0 {
		s.expire(s.Slots[k-1].I - sp.n + 1)
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
