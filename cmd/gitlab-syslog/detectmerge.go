package main

import (
	"container/heap"
	"errors"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
)

// mergeInput is one input's position in the k-way merge.
type mergeInput struct {
	idx      int
	ch       <-chan eventBatch
	events   []*detect.Event
	pos      int
	last     time.Time // merge key of the current event
	futureAt time.Time // see mergeKey
}

// head returns the input's current event, pulling the next batch when the
// current one is used up; nil at the end. A read error ends the input and
// is returned.
func (m *mergeInput) head() (*detect.Event, error) {
	for m.pos >= len(m.events) {
		b, ok := <-m.ch
		if !ok {
			return nil, nil
		}
		if b.err != nil {
			return nil, b.err
		}
		m.events, m.pos = b.events, 0
	}
	ev := m.events[m.pos]
	m.last = mergeKey(ev, m.last, m.futureAt)
	return ev, nil
}

// mergeHeap orders inputs by the merge key of their current event, then by
// input order, so that equal times keep the command line's order.
type mergeHeap []*mergeInput

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	if !h[i].last.Equal(h[j].last) {
		return h[i].last.Before(h[j].last)
	}
	return h[i].idx < h[j].idx
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)   { *h = append(*h, x.(*mergeInput)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// merge calls fn with the events of every input in event-time order (a
// k-way merge: each input is in time order already; an event dated after
// futureAt sorts as the event before it, see mergeKey). It returns every
// input's read error, joined in input order, after draining the other
// inputs.
func merge(chans []<-chan eventBatch, futureAt time.Time, fn func(*detect.Event)) error {
	errs := make([]error, len(chans))
	h := make(mergeHeap, 0, len(chans))
	for i, ch := range chans {
		m := &mergeInput{idx: i, ch: ch, futureAt: futureAt}
		ev, err := m.head()
		if err != nil {
			errs[i] = err
		}
		if ev != nil {
			h = append(h, m)
		}
	}
	heap.Init(&h)
	for h.Len() > 0 {
		m := h[0]
		fn(m.events[m.pos])
		m.pos++
		ev, err := m.head()
		if err != nil {
			errs[m.idx] = err
		}
		if ev == nil {
			heap.Pop(&h)
			continue
		}
		heap.Fix(&h, 0)
	}
	return errors.Join(errs...)
}
