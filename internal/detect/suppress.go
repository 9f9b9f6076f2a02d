package detect

import "time"

// suppressor remembers, per (rule, key), until when (event time) a key
// stays quiet after an alert. Entries are kept in insertion order: expiry
// and eviction (when max entries are live) drop the oldest first.
type suppressor struct {
	max     int
	until   map[string]time.Time
	queue   []suppItem
	head    int
	evicted uint64
	keyBuf  []byte // suppressed's key, reused
}

type suppItem struct {
	K     string    `json:"k"`
	Until time.Time `json:"until"`
}

func newSuppressor(max int) *suppressor {
	return &suppressor{max: max, until: make(map[string]time.Time)}
}

// appendSuppKey appends to b the map key of rule and key columns: rule,
// then each column's name and value, each preceded by a NUL.
func appendSuppKey(b []byte, rule string, key []Column) []byte {
	b = append(b, rule...)
	for _, c := range key {
		b = append(append(b, 0), c.Name...)
		b = append(append(b, 0), c.Value...)
	}
	return b
}

// suppressed reports whether an alert of rule for key at event time t
// falls in the quiet period of the key's last alert, at u − d where u is
// when that period ends: within d of it, after it or before it (a late
// event's alert; time order would have raised one of the two only).
// When it does not, the key is quiet until t + d, or until u when that
// is later, and suppressed returns its map key.
func (s *suppressor) suppressed(rule string, key []Column, t time.Time, d time.Duration) (string, bool) {
	s.keyBuf = appendSuppKey(s.keyBuf[:0], rule, key)
	u, ok := s.until[string(s.keyBuf)]
	if ok && t.Before(u) && t.After(u.Add(-2*d)) {
		return "", true
	}
	k := string(s.keyBuf)
	s.quiet(k, t.Add(d))
	return k, false
}

// quiet makes the map key k quiet until until, unless it already is
// until then or later.
func (s *suppressor) quiet(k string, until time.Time) {
	if u, ok := s.until[k]; ok && !u.Before(until) {
		return
	}
	s.set(k, until)
}

func (s *suppressor) set(k string, until time.Time) {
	if _, ok := s.until[k]; !ok && len(s.until) >= s.max {
		s.evictOldest()
	}
	s.until[k] = until
	s.queue = append(s.queue, suppItem{K: k, Until: until})
}

// evictOldest drops the oldest live entry and counts it.
func (s *suppressor) evictOldest() {
	for s.head < len(s.queue) {
		if s.popHead() {
			s.evicted++
			return
		}
	}
}

// popHead removes the oldest queued item and its map entry when the item
// is the entry's latest; it reports whether a live entry went.
func (s *suppressor) popHead() bool {
	it := s.queue[s.head]
	s.queue[s.head] = suppItem{}
	s.head++
	live := false
	if u, ok := s.until[it.K]; ok && u.Equal(it.Until) {
		delete(s.until, it.K)
		live = true
	}
	if s.head > 1024 && s.head*2 > len(s.queue) {
		s.queue = append(s.queue[:0], s.queue[s.head:]...)
		s.head = 0
	}
	return live
}

// expire drops the oldest entries while their quiet period ended before
// watermark.
func (s *suppressor) expire(watermark time.Time) {
	for s.head < len(s.queue) && s.queue[s.head].Until.Before(watermark) {
		s.popHead()
	}
}

// items returns the live entries, oldest first.
func (s *suppressor) items() []suppItem {
	out := make([]suppItem, 0, len(s.until))
	for _, it := range s.queue[s.head:] {
		if u, ok := s.until[it.K]; ok && u.Equal(it.Until) {
			out = append(out, it)
		}
	}
	return out
}

// load restores entries from a snapshot.
func (s *suppressor) load(items []suppItem) {
	for _, it := range items {
		s.set(it.K, it.Until)
	}
}
