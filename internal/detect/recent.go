package detect

import "time"

// recent is a set of strings remembered for a retention period of event
// time and up to a maximum count, oldest dropped first. It backs event
// dedupe and the ids of alerts already sent.
type recent struct {
	retain time.Duration
	max    int
	at     map[string]time.Time
	queue  []recentItem // insertion order; head is the oldest
	head   int
}

type recentItem struct {
	K string    `json:"k"`
	T time.Time `json:"t"`
}

func newRecent(retain time.Duration, max int) *recent {
	return &recent{retain: retain, max: max, at: make(map[string]time.Time)}
}

// seen reports whether k is in the set, adding it (at t) when it is not.
// When the set is full the oldest entry is dropped.
func (r *recent) seen(k string, t time.Time) bool {
	if _, ok := r.at[k]; ok {
		return true
	}
	r.at[k] = t
	r.queue = append(r.queue, recentItem{K: k, T: t})
	for len(r.at) > r.max {
		r.drop()
	}
	return false
}

func (r *recent) drop() {
	for r.head < len(r.queue) && !r.popHead() {
	}
}

// popHead removes the oldest queued item, and its map entry when the item
// is the entry's latest; it reports whether a live entry went.
func (r *recent) popHead() bool {
	it := r.queue[r.head]
	r.queue[r.head] = recentItem{}
	r.head++
	live := false
	if t, ok := r.at[it.K]; ok && t.Equal(it.T) {
		delete(r.at, it.K)
		live = true
	}
	if r.head > 1024 && r.head*2 > len(r.queue) {
		r.queue = append(r.queue[:0], r.queue[r.head:]...)
		r.head = 0
	}
	return live
}

// expire drops the entries added at event times before watermark − retain.
// Entries arrive roughly in time order, so it stops at the first younger
// one.
func (r *recent) expire(watermark time.Time) {
	cut := watermark.Add(-r.retain)
	for r.head < len(r.queue) && r.queue[r.head].T.Before(cut) {
		r.popHead()
	}
}

func (r *recent) len() int { return len(r.at) }

// items returns the live entries, oldest first, for a snapshot.
func (r *recent) items() []recentItem {
	out := make([]recentItem, 0, len(r.at))
	for _, it := range r.queue[r.head:] {
		if t, ok := r.at[it.K]; ok && t.Equal(it.T) {
			out = append(out, it)
		}
	}
	return out
}

// load adds items from a snapshot.
func (r *recent) load(items []recentItem) {
	for _, it := range items {
		r.seen(it.K, it.T)
	}
}
