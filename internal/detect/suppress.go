package detect

import (
	"slices"
	"time"
)

// suppressor remembers, per (rule, key), the spans of event time in which
// a key stays quiet: an alert at t makes the open interval (t − d, t + d)
// quiet, d being the rule's suppress, so that suppression holds on both
// sides of an alert whatever order the events come in. A key keeps a few
// disjoint spans (overlapping ones are merged): one while its events come
// in time order, more when late events raise alerts before its earliest
// span. A span is kept for keep (event time) past its end, so that the
// late events of a backlog read after newer lines are suppressed by the
// alerts they raise; expiry and eviction (when max spans are held) drop
// the oldest set first.
type suppressor struct {
	max     int
	keep    time.Duration
	spans   map[string][]suppSpan
	n       int        // spans held, all keys
	queue   []suppItem // spans in the order they were set; stale once merged or dropped
	head    int
	evicted uint64
	keyBuf  []byte // suppressed's key, reused
}

// suppSpan is a quiet span: the open interval (From, Until) of event
// time. A zero From stands for Until − 2d, d being the suppress of the
// key's rule (a span given by Engine.Quiet, or restored from a state
// saved without starts): see from.
type suppSpan struct {
	From, Until time.Time
}

// from returns the span's start for a rule whose suppress is d.
func (sp suppSpan) from(d time.Duration) time.Time {
	if sp.From.IsZero() {
		return sp.Until.Add(-2 * d)
	}
	return sp.From
}

// is reports whether sp and o are the same span.
func (sp suppSpan) is(o suppSpan) bool { return sp.From.Equal(o.From) && sp.Until.Equal(o.Until) }

// suppItem is a span of the key K, as a state snapshot holds it (From
// absent: zero, see suppSpan).
type suppItem struct {
	K     string    `json:"k"`
	From  time.Time `json:"from,omitzero"`
	Until time.Time `json:"until"`
}

// span returns the item's span.
func (it suppItem) span() suppSpan { return suppSpan{From: it.From, Until: it.Until} }

// newSuppressor returns a suppressor holding at most max spans, each
// kept for keep past its end.
func newSuppressor(max int, keep time.Duration) *suppressor {
	return &suppressor{max: max, keep: keep, spans: make(map[string][]suppSpan)}
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
// falls in a quiet span of the key: within d (the rule's suppress) of an
// alert of it, before or after (a late event's alert; time order would
// have raised one of the two only). When it does not, (t − d, t + d)
// becomes quiet and suppressed returns the key's map key.
func (s *suppressor) suppressed(rule string, key []Column, t time.Time, d time.Duration) (string, bool) {
	s.keyBuf = appendSuppKey(s.keyBuf[:0], rule, key)
	for _, sp := range s.spans[string(s.keyBuf)] {
		if t.After(sp.from(d)) && t.Before(sp.Until) {
			return "", true
		}
	}
	k := string(s.keyBuf)
	s.add(k, suppSpan{From: t.Add(-d), Until: t.Add(d)}, d)
	return k, false
}

// quiet makes the map key k quiet until until, from until − 2d (see
// suppSpan), unless a span of it already ends then.
func (s *suppressor) quiet(k string, until time.Time) {
	for _, sp := range s.spans[k] {
		if sp.Until.Equal(until) {
			return
		}
	}
	s.set(k, s.spans[k], suppSpan{Until: until})
}

// add gives k the span sp, merged with the spans of k it overlaps; d is
// the suppress of k's rule (see suppSpan.from).
func (s *suppressor) add(k string, sp suppSpan, d time.Duration) {
	spans := s.spans[k]
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(spans); i++ {
			o := spans[i]
			of := o.from(d)
			if !sp.From.Before(o.Until) || !of.Before(sp.Until) {
				continue // disjoint (open intervals that meet share no instant)
			}
			if of.Before(sp.From) {
				sp.From = of
			}
			if o.Until.After(sp.Until) {
				sp.Until = o.Until
			}
			spans[i] = spans[len(spans)-1]
			spans = spans[:len(spans)-1]
			s.n--
			merged = true
			i--
		}
	}
	s.set(k, spans, sp)
}

// set stores spans with sp appended as k's, evicting the oldest span
// first when max spans are held.
func (s *suppressor) set(k string, spans []suppSpan, sp suppSpan) {
	s.spans[k] = spans
	for s.n >= s.max && s.head < len(s.queue) {
		if s.popHead() {
			s.evicted++
		}
	}
	s.spans[k] = append(s.spans[k], sp)
	s.n++
	s.queue = append(s.queue, suppItem{K: k, From: sp.From, Until: sp.Until})
}

// popHead removes the oldest queued item, and its span when k still has
// it (it was not merged into another since); it reports whether a span
// went.
func (s *suppressor) popHead() bool {
	it := s.queue[s.head]
	s.queue[s.head] = suppItem{}
	s.head++
	live := s.drop(it.K, it.span())
	if s.head > 1024 && s.head*2 > len(s.queue) {
		s.queue = append(s.queue[:0], s.queue[s.head:]...)
		s.head = 0
	}
	return live
}

// drop removes the span sp of k, and k when it has no span left; it
// reports whether k had it. A span merged into another is no longer
// held: the merged span starts or ends elsewhere, as the span added
// overlapped it without lying in it (it would have been suppressed).
func (s *suppressor) drop(k string, sp suppSpan) bool {
	spans := s.spans[k]
	for i, o := range spans {
		if o.is(sp) {
			spans[i] = spans[len(spans)-1]
			spans = spans[:len(spans)-1]
			s.n--
			if len(spans) == 0 {
				delete(s.spans, k)
			} else {
				s.spans[k] = spans
			}
			return true
		}
	}
	return false
}

// expire drops the oldest spans while they ended more than keep before
// watermark.
func (s *suppressor) expire(watermark time.Time) {
	cut := watermark.Add(-s.keep)
	for s.head < len(s.queue) && s.queue[s.head].Until.Before(cut) {
		s.popHead()
	}
}

// items returns the spans held, oldest set first.
func (s *suppressor) items() []suppItem {
	out := make([]suppItem, 0, s.n)
	for _, it := range s.queue[s.head:] {
		if slices.ContainsFunc(s.spans[it.K], it.span().is) {
			out = append(out, it)
		}
	}
	return out
}

// load restores spans from a snapshot.
func (s *suppressor) load(items []suppItem) {
	for _, it := range items {
		s.set(it.K, s.spans[it.K], it.span())
	}
}
