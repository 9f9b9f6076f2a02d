package detect

import (
	"strings"
	"time"
	"unsafe"
)

// joinWindow is how far apart (event time) an application-log line and the
// audit line of the same request (same CorrelationID) may be and still be
// joined.
const joinWindow = 60 * time.Second

// maxSideCols is the most columns a join takes from its audit line.
const maxSideCols = 3

// joiner holds alerts raised on application-log lines until the audit line
// of the same CorrelationID enriches them, or until the watermark passes
// the alert's time + joinWindow (the alert then goes out as it is: the
// audit line enriches, it is never required). Audit lines wait the same
// way for their application line, as a record of a sideRing. Both sides are
// bounded by maxKeys; when the pending side is full, the oldest alert goes
// out unenriched rather than being lost.
//
// An event dated more than Env.MaxAhead after the wall clock (a clock glitch
// on the GitLab host, a forged line) would never see the watermark pass
// its window and would hold up every alert behind it: its alert goes out
// at once, unenriched, and its audit line is not held.
//
// What the joiner holds is saved and restored with its rule (see
// joinState), so a restart or a reload of the configuration neither loses
// a held alert nor an audit line that would enrich a later one.
type joiner struct {
	maxKeys int
	// The audit lines held, in the order of their arrival (see sideRing).
	sides      sideRing
	pending    *fifo[string, *Alert] // by CorrelationID
	cols       []string              // the audit line's columns an alert gets, at most maxSideCols
	now        Clock                 // the wall clock, for future
	ahead      time.Duration         // Env.MaxAhead, for future
	futureAt   time.Time             // event times after it are checked by future
	futureAtNs int64                 // futureAt in Unix ns (see nanos)
	spill      []*Alert              // restored alerts beyond maxKeys, out at the next advance
}

// newJoiner returns a joiner that enriches alerts with the non-empty
// columns cols (at most maxSideCols) of the joined audit line.
func newJoiner(maxKeys int, cols ...string) *joiner {
	if len(cols) > maxSideCols {
		panic("detect: a join takes at most maxSideCols columns")
	}
	return &joiner{maxKeys: maxKeys, sides: newSideRing(len(cols)), futureAtNs: noNanos,
		pending: newFIFO[string, *Alert](maxKeys), cols: cols, now: time.Now, ahead: MaxFuture}
}

// clock makes the joiner read the wall clock and MaxAhead from env (nil,
// or their zero values: time.Now and MaxFuture).
func (j *joiner) clock(env *Env) {
	if env != nil && env.Now != nil {
		j.now = env.Now
	}
	if env != nil && env.MaxAhead > 0 {
		j.ahead = env.MaxAhead
	}
}

// future reports whether t is more than j.ahead after the wall clock.
// The clock is read only when t passes the limit computed last, so events
// in order cost one comparison, of Unix ns (see earlier).
func (j *joiner) future(t time.Time) bool {
	return earlier(j.futureAt, j.futureAtNs, t, nanos(t)) && j.readFuture(t)
}

// readFuture reads the wall clock for future.
func (j *joiner) readFuture(t time.Time) bool {
	j.futureAt = j.now().Add(j.ahead)
	j.futureAtNs = nanos(j.futureAt)
	return t.After(j.futureAt)
}

func within(a, b time.Time, d time.Duration) bool {
	x := a.Sub(b)
	return x <= d && x >= -d
}

// alert joins or holds a, raised on an application line with CorrelationID
// cid ("" emits a at once). A held alert keeps its Event (a.Event) until
// the join or the window's end: if Events stop being valid after Process,
// the rule must give an alert whose Event is its own copy.
func (j *joiner) alert(cid string, a *Alert, emit Emit) {
	if cid == "" || j.future(a.Time) {
		emit(a)
		return
	}
	if s, x, ok := j.sides.lookup(cid); ok && within(x.time(), a.Time, joinWindow) {
		j.applyHeld(a, x)
		j.sides.kill(s)
		emit(a)
		return
	}
	if _, ok := j.pending.get(cid); !ok && j.pending.len() >= j.maxKeys {
		if k, old, ok := j.pending.front(); ok {
			a := *old
			j.pending.remove(k)
			emit(a)
		}
	}
	a.detach() // held past Observe (see Event)
	*j.pending.touch(strings.Clone(cid)) = a
}

// side joins or holds the audit line of CorrelationID cid at event time
// t, with EventID id and the values of the joiner's columns (vals, in the
// order of cols; only the first len(cols) are read). Nothing of the
// arguments is kept: what is held is copied (see sideRing).
func (j *joiner) side(cid string, t time.Time, id string, vals []string, emit Emit) {
	if cid == "" || j.future(t) {
		return
	}
	if j.pending.len() > 0 {
		if p, ok := j.pending.get(cid); ok && within((*p).Time, t, joinWindow) {
			a := *p
			j.pending.remove(cid)
			j.apply(a, id, vals)
			emit(a)
			return
		}
	}
	j.hold(cid, t, id, vals)
}

// hold holds a side after every other. At max_keys the oldest audit line
// held is dropped first, and counted. The same CorrelationID held twice
// counts twice until it is indexed, where the later replaces the earlier
// (see sideRing).
func (j *joiner) hold(cid string, t time.Time, id string, vals []string) {
	if j.sides.len() >= j.maxKeys {
		j.sides.popFront()
		j.sides.evicted++
	}
	j.sides.compact()
	j.sides.add(cid, t, id, vals)
}

// heldSides returns the number of audit lines held.
func (j *joiner) heldSides() int { return j.sides.len() }

// slabSize is the size of the blocks a slab cuts its pieces from.
const slabSize = 4096

// slab hands out pieces of larger blocks for strings that are written
// once and then only read, so that holding one costs no allocation of its
// own. A block stays in memory while any of its pieces is referenced, so
// it suits strings that are let go in about the order they were taken
// (the engine's alert_ids): the blocks held then span about the strings
// held plus one block.
type slab struct {
	buf []byte
}

// take returns a new piece of n bytes (n > 0), to be written at once and
// never again.
func (s *slab) take(n int) []byte {
	if cap(s.buf)-len(s.buf) < n {
		s.buf = make([]byte, 0, max(slabSize, n))
	}
	i := len(s.buf)
	s.buf = s.buf[:i+n]
	return s.buf[i : i+n : i+n]
}

// apply adds to a the EventID id and the non-empty values vals of the
// joiner's columns.
func (j *joiner) apply(a *Alert, id string, vals []string) {
	for i, c := range j.cols {
		if v := vals[i]; v != "" {
			a.Columns = append(a.Columns, Column{Name: c, Value: v})
		}
	}
	a.AddEventID(id)
}

// applyHeld adds what the held side x holds to a, copied out of the
// ring of bytes in one string.
func (j *joiner) applyHeld(a *Alert, x *sideRec) {
	b := j.sides.bytes(x)
	all := strings.Clone(unsafe.String(unsafe.SliceData(b), len(b)))
	var vals [maxSideCols]string
	off := int(x.lens[0])
	id := all[off : off+int(x.lens[1])]
	off += int(x.lens[1])
	for i := range j.cols {
		vals[i] = all[off : off+int(x.lens[2+i])]
		off += int(x.lens[2+i])
	}
	j.apply(a, id, vals[:len(j.cols)])
}

// advance emits the alerts whose join window closed before wm and forgets
// audit lines older than the window. Both are held in the order of their
// arrival, which is not that of their times when sources interleave: each
// stops at the first one still inside its window.
func (j *joiner) advance(wm time.Time, emit Emit) {
	j.emitSpill(emit)
	for {
		_, p, ok := j.pending.front()
		if !ok || (*p).Time.Add(joinWindow).After(wm) {
			break
		}
		a := *p
		j.pending.popFront()
		emit(a)
	}
	lim := wm.Add(-joinWindow) // a side at or before it is out of its window
	sec, nsec := lim.Unix(), int32(lim.Nanosecond())
	for {
		x, ok := j.sides.front()
		if !ok || x.sec > sec || (x.sec == sec && x.nsec > nsec) {
			return // those after it came later
		}
		j.sides.pop()
	}
}

// close emits every alert still waiting.
func (j *joiner) close(emit Emit) {
	j.emitSpill(emit)
	j.pending.each(func(k string, p **Alert) bool {
		a := *p
		j.pending.remove(k)
		emit(a)
		return true
	})
}

// emitSpill emits the alerts a restore could not hold.
func (j *joiner) emitSpill(emit Emit) {
	for i, a := range j.spill {
		j.spill[i] = nil
		emit(a)
	}
	j.spill = j.spill[:0]
}
