package detect

// The joiner of integ9 (before sideRing), kept as the reference that
// TestJoinAgreesWithReference compares the joiner with.

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/internal/jsonstr"
)

type refSide struct {
	t       time.Time
	eventID string
	vals    [maxSideCols]string // the values of refJoiner.cols, in order
}

type refJoiner struct {
	maxKeys int
	// The audit lines held are sides (indexed by CorrelationID), then
	// staged, in the order of their arrival. A new one is staged without
	// a map operation; the staged are indexed (moved to sides) only when
	// an application line looks for its audit line. Most audit lines
	// (the sign-ins of users that are no admins) leave at the window's
	// end without ever being indexed.
	sides    *fifo[string, refSide] // by CorrelationID
	staged   []refStaged            // from stagedAt on
	stagedAt int
	pending  *fifo[string, *Alert] // by CorrelationID
	cols     []string              // the audit line's columns an alert gets, at most maxSideCols
	slab     slab                  // the strings of sides
	now      Clock                 // the wall clock, for future
	futureAt time.Time             // event times after it are checked by future
	spill    []*Alert              // restored alerts beyond maxKeys, out at the next advance
}

func newRefJoiner(maxKeys int, cols ...string) *refJoiner {
	if len(cols) > maxSideCols {
		panic("detect: a join takes at most maxSideCols columns")
	}
	return &refJoiner{maxKeys: maxKeys, sides: newFIFO[string, refSide](maxKeys),
		pending: newFIFO[string, *Alert](maxKeys), cols: cols, now: time.Now}
}

// future reports whether t is more than MaxFuture after the wall clock.
// The clock is read only when t passes the limit computed last, so events
// in order cost one comparison.
func (j *refJoiner) future(t time.Time) bool {
	if !t.After(j.futureAt) {
		return false
	}
	j.futureAt = j.now().Add(MaxFuture)
	return t.After(j.futureAt)
}

// alert joins or holds a, raised on an application line with CorrelationID
// cid ("" emits a at once). A held alert keeps its Event (a.Event) until
// the join or the window's end: if Events stop being valid after Process,
// the rule must give an alert whose Event is its own copy.
func (j *refJoiner) alert(cid string, a *Alert, emit Emit) {
	if cid == "" || j.future(a.Time) {
		emit(a)
		return
	}
	j.index()
	if s, ok := j.sides.get(cid); ok && within(s.t, a.Time, joinWindow) {
		j.apply(a, s)
		j.sides.remove(cid)
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
// t, with EventID id and the values of the refJoiner's columns (vals, in the
// order of cols).
func (j *refJoiner) side(cid string, t time.Time, id string, vals [maxSideCols]string, emit Emit) {
	if cid == "" || j.future(t) {
		return
	}
	if j.pending.len() > 0 {
		if p, ok := j.pending.get(cid); ok && within((*p).Time, t, joinWindow) {
			a := *p
			j.pending.remove(cid)
			j.apply(a, &refSide{eventID: id, vals: vals})
			emit(a)
			return
		}
	}
	s, key := j.record(cid, t, id, &vals)
	j.stage(key, s)
}

// refStaged is an audit line held but not yet indexed (see refJoiner).
type refStaged struct {
	cid  string
	side refSide
}

// stage holds side s of CorrelationID cid (a string of the slab) after
// every other. At max_keys the oldest audit line held is dropped first.
// The same CorrelationID staged twice counts twice until it is indexed,
// where the later replaces the earlier as in the fifo.
func (j *refJoiner) stage(cid string, s refSide) {
	if j.sides.len()+len(j.staged)-j.stagedAt >= j.maxKeys {
		if j.sides.len() > 0 {
			j.sides.popFront()
		} else {
			j.unstage()
		}
		j.sides.evicted++
	}
	j.staged = append(j.staged, refStaged{cid, s})
}

// unstage drops the oldest staged side.
func (j *refJoiner) unstage() {
	j.staged[j.stagedAt] = refStaged{}
	j.stagedAt++
	switch n := len(j.staged) - j.stagedAt; {
	case n == 0:
		j.staged, j.stagedAt = j.staged[:0], 0
	case j.stagedAt >= 1024 && j.stagedAt >= n:
		copy(j.staged, j.staged[j.stagedAt:])
		clear(j.staged[n:])
		j.staged, j.stagedAt = j.staged[:n], 0
	}
}

// index moves the staged sides, in order, to the indexed ones: a
// CorrelationID already held keeps its key string and takes the later
// side, which becomes the most recent.
func (j *refJoiner) index() {
	for i := j.stagedAt; i < len(j.staged); i++ {
		st := &j.staged[i]
		*j.sides.touch(st.cid) = st.side
		*st = refStaged{}
	}
	j.staged, j.stagedAt = j.staged[:0], 0
}

// heldSides returns the number of audit lines held.
func (j *refJoiner) heldSides() int { return j.sides.len() + len(j.staged) - j.stagedAt }

// record returns the refSide of an audit line and a copy of cid, all
// its strings parts of one piece of the refJoiner's slab.
func (j *refJoiner) record(cid string, t time.Time, id string, vals *[maxSideCols]string) (refSide, string) {
	n := len(cid) + len(id)
	for _, v := range vals[:len(j.cols)] {
		n += len(v)
	}
	b := j.slab.take(n)[:0]
	b = append(b, cid...)
	b = append(b, id...)
	for _, v := range vals[:len(j.cols)] {
		b = append(b, v...)
	}
	all := unsafe.String(unsafe.SliceData(b), len(b))
	key, rest := all[:len(cid)], all[len(cid):]
	s := refSide{t: t, eventID: rest[:len(id)]}
	rest = rest[len(id):]
	for i := range j.cols {
		s.vals[i], rest = rest[:len(vals[i])], rest[len(vals[i]):]
	}
	return s, key
}

// apply adds what the audit line s holds to a.
func (j *refJoiner) apply(a *Alert, s *refSide) {
	for i, c := range j.cols {
		if v := s.vals[i]; v != "" {
			a.Columns = append(a.Columns, Column{Name: c, Value: v})
		}
	}
	a.AddEventID(s.eventID)
}

// advance emits the alerts whose join window closed before wm and forgets
// audit lines older than the window. Both are held in the order of their
// arrival, which is not that of their times when sources interleave: each
// stops at the first one still inside its window.
func (j *refJoiner) advance(wm time.Time, emit Emit) {
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
	for {
		_, s, ok := j.sides.front()
		if !ok {
			break
		}
		if s.t.Add(joinWindow).After(wm) {
			return // the staged came after it
		}
		j.sides.popFront()
	}
	for j.stagedAt < len(j.staged) && !j.staged[j.stagedAt].side.t.Add(joinWindow).After(wm) {
		j.unstage()
	}
}

// close emits every alert still waiting.
func (j *refJoiner) close(emit Emit) {
	j.emitSpill(emit)
	j.pending.each(func(k string, p **Alert) bool {
		a := *p
		j.pending.remove(k)
		emit(a)
		return true
	})
}

// emitSpill emits the alerts a restore could not hold.
func (j *refJoiner) emitSpill(emit Emit) {
	for i, a := range j.spill {
		j.spill[i] = nil
		emit(a)
	}
	j.spill = j.spill[:0]
}

// appendState appends the JSON of joinState for what j holds.
func (j *refJoiner) appendState(dst []byte) []byte {
	dst = append(dst, `{"pending":[`...)
	first := true
	for _, a := range j.spill {
		dst = appendHeldAlert(dst, "", a, first)
		first = false
	}
	j.pending.each(func(cid string, p **Alert) bool {
		dst = appendHeldAlert(dst, cid, *p, first)
		first = false
		return true
	})
	dst = append(dst, `],"sides":[`...)
	first = true
	j.sides.each(func(cid string, s *refSide) bool {
		dst = j.appendHeldSide(dst, cid, s, first)
		first = false
		return true
	})
	for i := j.stagedAt; i < len(j.staged); i++ {
		dst = j.appendHeldSide(dst, j.staged[i].cid, &j.staged[i].side, first)
		first = false
	}
	return append(dst, "]}"...)
}

// appendHeldSide appends s, held under CorrelationID cid, as the JSON of
// heldSide, after a comma unless first.
func (j *refJoiner) appendHeldSide(dst []byte, cid string, s *refSide, first bool) []byte {
	if !first {
		dst = append(dst, ',')
	}
	dst = append(dst, `{"k":`...)
	dst = jsonstr.Append(dst, cid)
	dst = append(dst, `,"t":`...)
	dst = appendTime(dst, s.t)
	dst = append(dst, `,"event_id":`...)
	dst = jsonstr.Append(dst, s.eventID)
	dst = append(dst, `,"vals":[`...)
	for i := range j.cols {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonstr.Append(dst, s.vals[i])
	}
	return append(dst, "]}"...)
}

// restore loads a joinState (appendState's JSON) into j, which must be
// empty. It checks the whole state before it takes any of it: on error j
// is left empty. Alerts beyond max_keys (a smaller max_keys than the
// saving run's) go out at the next advance rather than being dropped;
// audit lines beyond it are dropped, oldest first, and counted as
// evicted. The audit lines are staged, as they were held (see joiner).
func (j *refJoiner) restore(data []byte) error {
	var st joinState
	if err := json.Unmarshal(data, &st); err != nil {
		return err
	}
	for i, h := range st.Pending {
		if h.Event == nil {
			return fmt.Errorf("held alert %d has no event", i)
		}
	}
	for i, s := range st.Sides {
		if s.CID == "" || len(s.Vals) != len(j.cols) {
			return fmt.Errorf("held audit line %d: CorrelationID %q with %d values, want one and %d values",
				i, s.CID, len(s.Vals), len(j.cols))
		}
	}
	for _, h := range st.Pending {
		a := &Alert{Time: h.Time, Key: h.Key, Columns: h.Columns, EventIDs: h.EventIDs, Event: h.Event}
		_, held := j.pending.get(h.CID)
		if h.CID == "" || held || j.pending.len() >= j.maxKeys {
			j.spill = append(j.spill, a)
			continue
		}
		*j.pending.touch(h.CID) = a
	}
	for _, s := range st.Sides {
		var vals [maxSideCols]string
		copy(vals[:], s.Vals)
		side, key := j.record(s.CID, s.Time, s.EventID, &vals)
		j.stage(key, side)
	}
	return nil
}
