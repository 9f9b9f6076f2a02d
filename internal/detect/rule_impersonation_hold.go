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
// buffer of the slot, its Columns in the slot's Event. release returns the
// slot once the event was evaluated: the caller must then keep nothing of
// that event (an Emit keeps nothing of an alert's event past its call, see
// Emit), as the next hold overwrites it. In the steady state holding an
// event allocates nothing. The zero value is ready to use; not safe for
// concurrent use.
type heldPool struct {
	free []heldSlot
}

// heldSlot is one held event and the buffer its strings live in.
type heldSlot struct {
	ev  *Event
	buf []byte
}

// hold returns a copy of e in a slot of the pool, and the slot's buffer
// (to give back to release with the event).
func (p *heldPool) hold(e *Event) (*Event, []byte) {
	var s heldSlot
	if n := len(p.free); n > 0 {
		s = p.free[n-1]
		p.free[n-1] = heldSlot{}
		p.free = p.free[:n-1]
	} else {
		s.ev = &Event{}
	}
	need := len(e.Raw)
	for i := range e.Columns {
		if _, in := partOfString(e.Raw, e.Columns[i].Value); !in {
			need += len(e.Columns[i].Value)
		}
	}
	if cap(s.buf) < need {
		s.buf = make([]byte, 0, max(1<<bits.Len(uint(need)), 512)) // room for the next, longer line
	}
	buf := append(s.buf[:0], e.Raw...)
	for i := range e.Columns {
		if _, in := partOfString(e.Raw, e.Columns[i].Value); !in {
			buf = append(buf, e.Columns[i].Value...)
		}
	}
	str := unsafe.String(unsafe.SliceData(buf), len(buf))
	cols := s.ev.Columns[:0]
	if cap(cols) < len(e.Columns) {
		cols = make([]Column, 0, len(e.Columns)+len(e.Columns)/2)
	}
	*s.ev = *e
	s.ev.Raw = str[:len(e.Raw)]
	off := len(e.Raw)
	for _, c := range e.Columns {
		if at, in := partOfString(e.Raw, c.Value); in {
			cols = append(cols, Column{Name: c.Name, Value: str[at : at+len(c.Value)]})
			continue
		}
		cols = append(cols, Column{Name: c.Name, Value: str[off : off+len(c.Value)]})
		off += len(c.Value)
	}
	s.ev.Columns = cols
	return s.ev, buf
}

// release gives back the slot of an event made by hold, once nothing of it
// is referenced any more.
func (p *heldPool) release(ev *Event, buf []byte) {
	if len(p.free) >= maxFreeHeld || cap(buf) > maxHeldBuf {
		return
	}
	cols := ev.Columns[:0]
	clear(ev.Columns)
	*ev = Event{Columns: cols}
	p.free = append(p.free, heldSlot{ev: ev, buf: buf[:0]})
}
