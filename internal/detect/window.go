package detect

import "time"

// Windows counts events per key over a sliding window of event time. Each
// key holds a ring of time buckets with counts (never the events), so a
// key costs a few dozen bytes whatever its rate. At most maxKeys keys are
// held: a new key beyond that evicts the least recently counted one
// (Evicted counts them). Not safe for concurrent use; a rule owns its own.
//
// The window ending at t is the buckets (b−n, b], where b is the bucket of
// t and n = window / bucket: with a 60 min window in 5 min buckets, an
// event at 10:07 counts the events from 09:10 up to 10:09:59.
type Windows[K comparable] struct {
	bucket time.Duration
	n      int
	keys   *lru[K, ring]
}

// ring is one key's buckets: counts[i % n] holds bucket i for the n
// buckets ending at newest.
type ring struct {
	newest int64
	counts []uint32
}

// NewWindows returns windows of length window made of buckets of length
// bucket (window is rounded up to a whole number of buckets), holding at
// most maxKeys keys (0: unbounded).
func NewWindows[K comparable](window, bucket time.Duration, maxKeys int) *Windows[K] {
	if bucket <= 0 {
		bucket = window
	}
	n := int((window + bucket - 1) / bucket)
	if n < 1 {
		n = 1
	}
	return &Windows[K]{bucket: bucket, n: n, keys: newLRU[K, ring](maxKeys)}
}

func (w *Windows[K]) index(t time.Time) int64 {
	return t.UnixNano() / int64(w.bucket)
}

// BucketStart returns the start of the bucket holding t.
func (w *Windows[K]) BucketStart(t time.Time) time.Time {
	return time.Unix(0, w.index(t)*int64(w.bucket)).UTC()
}

// WindowStart returns the start of the window ending in t's bucket.
func (w *Windows[K]) WindowStart(t time.Time) time.Time {
	return time.Unix(0, (w.index(t)-int64(w.n)+1)*int64(w.bucket)).UTC()
}

// Add counts n events of key k at event time t and returns the count over
// the window ending at the key's newest bucket. ok is false when t is
// older than every bucket the key still holds: the event is too late and
// is not counted. A new k is kept as given: one made of an Event's values
// must be a copy (see Event).
func (w *Windows[K]) Add(k K, t time.Time, n int) (count int, ok bool) {
	r := w.keys.touch(k)
	b := w.index(t)
	if r.counts == nil {
		r.counts = make([]uint32, w.n)
		r.newest = b
	}
	if b > r.newest {
		w.roll(r, b)
	}
	if b <= r.newest-int64(w.n) {
		return w.sum(r), false
	}
	slot := int(b % int64(w.n))
	r.counts[slot] += uint32(n)
	return w.sum(r), true
}

// roll moves r's newest bucket forward to b, clearing the buckets between.
func (w *Windows[K]) roll(r *ring, b int64) {
	steps := b - r.newest
	if steps >= int64(w.n) {
		clear(r.counts)
	} else {
		for i := r.newest + 1; i <= b; i++ {
			r.counts[int(i%int64(w.n))] = 0
		}
	}
	r.newest = b
}

func (w *Windows[K]) sum(r *ring) int {
	s := 0
	for _, c := range r.counts {
		s += int(c)
	}
	return s
}

// Count returns k's count over the window ending in t's bucket (0 for an
// unknown key). It does not change the key's order.
func (w *Windows[K]) Count(k K, t time.Time) int {
	r, ok := w.keys.get(k)
	if !ok {
		return 0
	}
	b := w.index(t)
	s := 0
	for i := b - int64(w.n) + 1; i <= b; i++ {
		if i > r.newest || i <= r.newest-int64(w.n) {
			continue
		}
		s += int(r.counts[int(i%int64(w.n))])
	}
	return s
}

// Delete forgets k (after an alert, for example).
func (w *Windows[K]) Delete(k K) { w.keys.remove(k) }

// Expire forgets the keys whose window ending at watermark is empty, i.e.
// whose newest bucket is older than the window. Keys are visited least
// recently counted first and the walk stops at the first live key, so a
// call costs about the number of keys it removes.
func (w *Windows[K]) Expire(watermark time.Time) {
	cut := w.index(watermark) - int64(w.n)
	w.keys.each(func(k K, r *ring) bool {
		if r.newest > cut {
			return false
		}
		w.keys.remove(k)
		return true
	})
}

// Len returns the number of keys held.
func (w *Windows[K]) Len() int { return w.keys.len() }

// Evicted returns how many keys were evicted because maxKeys was reached.
func (w *Windows[K]) Evicted() uint64 { return w.keys.evicted }

// WindowEntry is one key's buckets, for snapshots.
type WindowEntry[K comparable] struct {
	Key     K        `json:"key"`
	Newest  int64    `json:"newest"` // index of the newest bucket (unix ns / bucket)
	Buckets []uint32 `json:"buckets"`
}

// Entries returns every key's buckets, least recently counted first.
func (w *Windows[K]) Entries() []WindowEntry[K] {
	out := make([]WindowEntry[K], 0, w.keys.len())
	w.keys.each(func(k K, r *ring) bool {
		b := make([]uint32, w.n)
		for i := range w.n {
			b[i] = r.counts[int((r.newest-int64(i))%int64(w.n))]
		}
		out = append(out, WindowEntry[K]{Key: k, Newest: r.newest, Buckets: b})
		return true
	})
	return out
}

// Load adds entries from Entries of windows with the same bucket and
// window lengths; Buckets[i] is the count i buckets before Newest.
func (w *Windows[K]) Load(entries []WindowEntry[K]) {
	for _, e := range entries {
		r := w.keys.touch(e.Key)
		r.counts = make([]uint32, w.n)
		r.newest = e.Newest
		for i := 0; i < len(e.Buckets) && i < w.n; i++ {
			r.counts[int((e.Newest-int64(i))%int64(w.n))] = e.Buckets[i]
		}
	}
}
