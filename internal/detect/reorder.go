package detect

import (
	"encoding/hex"
	"math"
	"slices"
	"time"
	"unsafe"
)

// With Config.MinWatermark the engine reads sources side by side, each at
// its own pace, and an event of a source read behind the others reaches
// the engine after the others' later events. The rules whose alerts
// depend on the order of their events (the Stateful rules, whose windows,
// sessions and baselines fold events in time, and the per-event rules
// with a suppression, which keep the first event of an interval) would
// then decide on another order than detect's merge of its inputs, and
// raise other alerts (a spray alerted at a later event, a session's
// action before its start). So the engine sorts their events, as a
// complex event processor sorts its input by event time: a reorder
// buffer holds a copy of each such event until the oldest newest time of
// the sources counted (sourcesNewest) reaches it, and gives the held
// events to those rules oldest first. The rules then see each source's
// lines in file order, merged with the others' in event-time order, as
// detect gives them. The other rules get every event at once.
//
// A source read to its end (Engine.Caught) holds nothing: its next lines
// are new ones. But two files appended in the same moment are read one
// after the other, so the later-read file's line, if older, would reach
// the rules after the other's newer event, which the file read to its
// end at the last check no longer held. With Config.OrderGrace, an event
// read at wall clock r is held until every other source read to its end,
// whose newest time is before the event's, was found at its end again at
// a check made OrderGrace after r or later (or gave a line, and is
// counted again). A source that is not found at its end again (a line
// still being written, without its newline) holds it for at most
// maxGraceHolds times OrderGrace.
//
// The buffer also holds a text event of the application log waiting for
// its JSON copy (see Engine.duplicateCopy), for all its rules, with or
// without MinWatermark, until the sources' newest time passes copyWaitNs
// after it; while it waits, the ordered rules' later events are sorted
// behind it.
//
// The buffer is bounded (Config.MaxReorderBytes): when full, its oldest
// events go to the rules at once (Stats.ReorderOverflow). It is saved
// with the engine's state, so a restart neither loses nor repeats the
// events it held.

// DefaultMaxReorderBytes is the default cap of the reorder buffer, in
// bytes of event copies (lines and columns).
const DefaultMaxReorderBytes = 64 << 20

// DefaultOrderGrace is the Config.OrderGrace the agent sets: longer than
// the agent's 250 ms between the checks that find files at their end,
// and than the time it takes a line appended to a file to be read.
const DefaultOrderGrace = time.Second

// reorderBuffer is the engine's reorder buffer: a min-heap of event
// copies by event time, then arrival. The copies' strings are made in
// chunks (one allocation per reorderChunk bytes, never written again, so
// a string kept by mistake stays valid); their Events are reused once
// given to the rules (free), as Process's contract allows.
type reorderBuffer struct {
	h     []sortedEvent
	bytes int64  // the sizes of the events held (heldSize)
	seq   uint64 // arrivals so far: ties keep their arrival order
	chunk []byte // where the next copies' strings go
	free  []*Event
	// waiting holds the copyKeys of the events of h that wait for their
	// JSON copy (sortedEvent.wait), for copyCounted.
	waiting map[recentKey]struct{}
}

// reorderChunk is the size of the chunks the buffer copies strings into;
// maxReorderFree bounds the Events kept for reuse.
const (
	reorderChunk   = 256 << 10
	maxReorderFree = 4096
)

// copyOf returns a copy of ev (made whole first, see EventArena.NewFor)
// that the buffer owns, as Event.Clone makes it: Raw and the values that
// are not a part of it in one string, here in the buffer's chunk.
func (b *reorderBuffer) copyOf(ev *Event) *Event {
	ev.makeWhole()
	n := ev.ownedLen()
	if cap(b.chunk)-len(b.chunk) < n {
		b.chunk = make([]byte, 0, max(reorderChunk, n))
	}
	start := len(b.chunk)
	b.chunk = append(b.chunk, ev.Raw...)
	for i := range ev.Columns {
		if _, in := partOfString(ev.Raw, ev.Columns[i].Value); !in {
			b.chunk = append(b.chunk, ev.Columns[i].Value...)
		}
	}
	var str string
	if n > 0 {
		str = unsafe.String(&b.chunk[start], n)
	}
	c := b.event(len(ev.Columns))
	c.copyFrom(ev, str)
	return c
}

// event returns an Event with room for n columns: the last one freed
// when it has, else a new one.
func (b *reorderBuffer) event(n int) *Event {
	if k := len(b.free); k > 0 && cap(b.free[k-1].Columns) >= n {
		ev := b.free[k-1]
		b.free[k-1] = nil
		b.free = b.free[:k-1]
		return ev
	}
	return AllocEvent(n)
}

// recycle takes back ev, given to the rules, for reuse, without what it
// referenced.
func (b *reorderBuffer) recycle(ev *Event) {
	if len(b.free) == maxReorderFree {
		return
	}
	clear(ev.Columns)
	*ev = Event{Columns: ev.Columns[:0]}
	b.free = append(b.free, ev)
}

// sortedEvent is an event the reorder buffer holds for the rules of set.
type sortedEvent struct {
	ns     int64  // event time, Unix ns
	readAt int64  // the wall clock (Unix ns) it was processed at; 0: restored
	seq    uint64 // arrival
	ev     *Event // a copy the buffer owns (copyOf)
	set    ruleBits
	size   int64    // heldSize(ev)
	wait   copyWait // on: a text event waiting for its JSON copy
}

// due returns the least sourcesNewest answer (Unix ns) that releases the
// event: its time, or copyWaitNs after it when it waits for its copy.
func (s *sortedEvent) due() int64 {
	if s.wait.on {
		return s.ns + copyWaitNs
	}
	return s.ns
}

func sortedLess(a, b *sortedEvent) bool {
	if a.ns != b.ns {
		return a.ns < b.ns
	}
	return a.seq < b.seq
}

// heldSize returns about how many bytes the copy ev keeps alive: its
// line, the values that are not a part of it, its columns and itself.
func heldSize(ev *Event) int64 {
	n := int64(len(ev.Raw)) + int64(unsafe.Sizeof(*ev)) + int64(len(ev.Columns))*int64(unsafe.Sizeof(Column{}))
	for _, c := range ev.Columns {
		if _, in := partOfString(ev.Raw, c.Value); !in {
			n += int64(len(c.Value))
		}
	}
	return n
}

// ordered reports whether the alerts of r depend on the order of its
// events (see the reorder buffer above).
func ordered(r Rule, suppress bool) bool {
	_, stateful := r.(Stateful)
	return stateful || suppress
}

// dispatch gives ev to the rules of set.
func (e *Engine) dispatch(ev *Event, set ruleBits) {
	e.observing = ev
	for set != 0 {
		var i int
		i, set = set.next()
		r := e.rules[i]
		r.stats.Evaluated++
		r.rule.Observe(ev, e.cfg.Now, r.emit)
	}
	e.observing = nil
}

// sortThen gives the ordered rules of held (see ordered) ev, at time
// tns (Unix ns), once the reorder buffer's events before it went to them:
// at once when none is held before it and low (lowNs, sourcesNewest's
// answer) is at or after it, else it holds a copy. Then it gives the
// rules the held events low reached.
func (e *Engine) sortThen(ev *Event, tns int64, held ruleBits, low, now int64) {
	b := &e.reorder
	switch {
	case e.wait.on: // until its JSON copy may have come (see duplicateCopy)
		e.hold(b.copyOf(ev), tns, now, held, e.wait)
	case held == 0:
	case low != noNanos && tns <= low && (len(b.h) == 0 || tns < b.h[0].ns) && !e.graced(tns, now, now):
		e.dispatch(ev, held)
	default:
		e.hold(b.copyOf(ev), tns, now, held, copyWait{})
	}
	if low != noNanos {
		e.release(low, now)
	}
}

// hold puts ev, which the buffer then owns, read at wall clock readAt
// (Unix ns), for the rules of set in the reorder buffer, waiting for its
// JSON copy when w is on (see duplicateCopy); when that makes the buffer
// larger than Config.MaxReorderBytes, the oldest events held go to their
// rules at once.
func (e *Engine) hold(ev *Event, ns, readAt int64, set ruleBits, w copyWait) {
	b := &e.reorder
	b.push(ev, ns, readAt, set, w)
	for b.bytes > e.cfg.MaxReorderBytes && len(b.h) > 1 {
		e.stats.ReorderOverflow++
		e.releaseOldest()
	}
}

// release gives the rules, oldest first, the held events at or before
// lowNs (Unix ns) that no source holds for OrderGrace at wall clock now
// (see graced); a text event waiting for its JSON copy goes once lowNs
// is copyWaitNs after it, the events after it then.
func (e *Engine) release(lowNs, now int64) {
	for b := &e.reorder; len(b.h) > 0 && b.h[0].due() <= lowNs && !e.graced(b.h[0].due(), b.h[0].readAt, now); {
		e.releaseOldest()
	}
}

// releaseAll gives the rules every held event, oldest first: release
// through every time, at a wall clock past every OrderGrace.
func (e *Engine) releaseAll() { e.release(math.MaxInt64, math.MaxInt64) }

// maxGraceHolds bounds, in times Config.OrderGrace, how long a source
// read to its end and not found at its end again holds an event.
const maxGraceHolds = 4

// graced reports whether a source holds an event of time ns (Unix ns),
// read at wall clock readAt, at wall clock now, for Config.OrderGrace
// (see the reorder buffer above): a source read to its end whose newest
// time is before ns, and that was last found at its end less than
// OrderGrace after readAt, while now is within maxGraceHolds times
// OrderGrace of readAt.
func (e *Engine) graced(ns, readAt, now int64) bool {
	g := int64(e.cfg.OrderGrace)
	if g <= 0 || now-readAt >= maxGraceHolds*g {
		return false
	}
	for _, s := range e.srcList {
		if s.caught && s.caughtAt < readAt+g && s.newestNs < ns {
			return true
		}
	}
	return false
}

// heldCap returns low (Unix ns lowNs), or the time of the oldest event
// the reorder buffer holds when that is before it: the watermark must
// not pass an event held for OrderGrace (graced), whose windows would
// close before it reached its rules.
func (e *Engine) heldCap(low time.Time, lowNs int64) (time.Time, int64) {
	if len(e.reorder.h) == 0 || low.IsZero() {
		return low, lowNs
	}
	if it := &e.reorder.h[0]; earlier(it.ev.Time, it.ns, low, lowNs) {
		return it.ev.Time, it.ns
	}
	return low, lowNs
}

// push puts ev, read at wall clock readAt (Unix ns; 0: restored), in the
// buffer, which then owns it, for the rules of set, waiting for its JSON
// copy when w is on.
func (b *reorderBuffer) push(ev *Event, ns, readAt int64, set ruleBits, w copyWait) {
	b.seq++
	size := heldSize(ev)
	b.h = heapPush(b.h, sortedEvent{ns: ns, readAt: readAt, seq: b.seq, ev: ev, set: set, size: size, wait: w}, sortedLess)
	b.bytes += size
	if w.on {
		if b.waiting == nil {
			b.waiting = make(map[recentKey]struct{})
		}
		b.waiting[w.key] = struct{}{}
	}
}

// pop removes the oldest event held and returns it.
func (b *reorderBuffer) pop() sortedEvent {
	var it sortedEvent
	it, b.h = heapPop(b.h, sortedLess)
	b.bytes -= it.size
	if it.wait.on {
		delete(b.waiting, it.wait.key)
	}
	return it
}

// releaseOldest gives the rules the oldest event held, unless it is a
// text event that waited for its JSON copy and has one (pairText), which
// it counts as deduplicated; such an event without one, but with a JSON
// event of its Message up to copyDisorder later (nearCopy), counts in
// Stats.CopiesApart.
func (e *Engine) releaseOldest() {
	it := e.reorder.pop()
	if it.wait.on && e.pairText(it.ev, it.wait.key) {
		e.stats.Deduplicated++
	} else {
		if it.wait.on && e.nearCopy(it.ev) {
			e.stats.CopiesApart++
		}
		e.dispatch(it.ev, it.set)
	}
	e.reorder.recycle(it.ev)
}

// heldItem is an event of the reorder buffer as saved: the ids of the
// rules it was held for, and the event; for a text event waiting for its
// JSON copy (see duplicateCopy), its copyKey in 32 hex digits.
type heldItem struct {
	Rules []string `json:"rules"`
	Event *Event   `json:"event"`
	Copy  string   `json:"copy,omitempty"`
}

// heldEvents returns what the reorder buffer holds, oldest first, for
// Save.
func (e *Engine) heldEvents() []heldItem {
	if len(e.reorder.h) == 0 {
		return nil
	}
	h := append([]sortedEvent(nil), e.reorder.h...)
	out := make([]heldItem, 0, len(h))
	for len(h) > 0 {
		var it sortedEvent
		it, h = heapPop(h, sortedLess)
		var copyKey string
		if it.wait.on {
			copyKey = hex.EncodeToString(it.wait.key[:])
		}
		var ids []string
		for set := it.set; set != 0; {
			var i int
			i, set = set.next()
			ids = append(ids, e.rules[i].info.ID)
		}
		out = append(out, heldItem{Rules: ids, Event: it.ev, Copy: copyKey})
	}
	return out
}

// restoreHeld puts the events a saved reorder buffer held back in it,
// for those of their rules that run and are ordered (a text event waiting
// for its JSON copy: that run), above the cap too (no alert can be
// raised while the engine is built). It runs after the rules restored
// their state.
func (e *Engine) restoreHeld(items []heldItem) {
	for _, it := range items {
		if it.Event == nil {
			continue
		}
		ns := nanos(it.Event.Time)
		if ns == noNanos {
			continue
		}
		w := copyWait{}
		if k, err := hex.DecodeString(it.Copy); err == nil && len(k) == len(w.key) {
			w.on = true
			copy(w.key[:], k)
		}
		var set ruleBits
		for _, id := range it.Rules {
			if r := e.byID[id]; r != nil && (r.ordered || w.on) {
				set |= 1 << slices.Index(e.rules, r)
			}
		}
		if set != 0 || w.on {
			e.reorder.push(it.Event, ns, 0, set, w)
		}
	}
}
