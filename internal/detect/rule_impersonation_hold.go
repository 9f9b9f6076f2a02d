package detect

import (
	"math/bits"
	"unsafe"
)

// Bounds of heldPool: at most maxFreeHeld slots are kept for reuse, and
// none whose buffer grew beyond maxHeldBuf bytes (a rare long line is not
// held on to once evaluated).
const (
	maxFreeHeld = 512
	maxHeldBuf  = 8 << 10
)

// heldPool is reusable storage for the copies of the events
// sentinel.impersonation holds past Observe (see Event: the rule may not
// keep the event it is given). A copy made by hold owns its storage, as
// one made by Event.Clone: its Raw and every column value live in one
// buffer of its heldEvent, its Columns in the heldEvent's Event. release
// takes the copy back once it was evaluated: the caller must then keep
// nothing of that event (an Emit keeps nothing of an alert's event past its
// call, see Emit), as the next hold overwrites it. In the steady state
// holding an event allocates nothing. The zero value is ready to use; not
// safe for concurrent use.
type heldPool struct {
	free []*heldEvent
}

// heldEvent is one held copy and the buffer its strings live in. Event is
// its first field: release finds the heldEvent of an Event hold returned.
type heldEvent struct {
	Event
	buf []byte
}

// hold returns a copy of e, made in storage of the pool.
func (p *heldPool) hold(e *Event) *Event {
	var h *heldEvent
	if n := len(p.free); n > 0 {
		h = p.free[n-1]
		p.free[n-1] = nil
		p.free = p.free[:n-1]
	} else {
		h = &heldEvent{}
	}
	need := len(e.Raw)
	for i := range e.Columns {
		if _, in := partOfString(e.Raw, e.Columns[i].Value); !in {
			need += len(e.Columns[i].Value)
		}
	}
	if cap(h.buf) < need {
		h.buf = make([]byte, 0, max(1<<bits.Len(uint(need)), 512)) // room for the next, longer line
	}
	buf := append(h.buf[:0], e.Raw...)
	for i := range e.Columns {
		if _, in := partOfString(e.Raw, e.Columns[i].Value); !in {
			buf = append(buf, e.Columns[i].Value...)
		}
	}
	h.buf = buf
	str := unsafe.String(unsafe.SliceData(buf), len(buf))
	cols := h.Columns[:0]
	if cap(cols) < len(e.Columns) {
		cols = make([]Column, 0, len(e.Columns)+len(e.Columns)/2)
	}
	h.Event = *e
	h.Raw = str[:len(e.Raw)]
	off := len(e.Raw)
	for _, c := range e.Columns {
		if at, in := partOfString(e.Raw, c.Value); in {
			cols = append(cols, Column{Name: c.Name, Value: str[at : at+len(c.Value)]})
			continue
		}
		cols = append(cols, Column{Name: c.Name, Value: str[off : off+len(c.Value)]})
		off += len(c.Value)
	}
	h.Columns = cols
	return &h.Event
}

// release takes back ev, which hold returned, once nothing of it is
// referenced any more.
func (p *heldPool) release(ev *Event) {
	h := (*heldEvent)(unsafe.Pointer(ev)) // ev is the first field of a heldEvent (hold)
	if len(p.free) >= maxFreeHeld || cap(h.buf) > maxHeldBuf {
		return
	}
	cols := h.Columns[:0]
	clear(h.Columns)
	h.Event = Event{Columns: cols}
	p.free = append(p.free, h)
}
