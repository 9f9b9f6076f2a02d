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

// auditSide is what an audit line adds to an alert raised on an
// application-log line of the same request: its time, EventID and the
// values of the joiner's columns, copied into one string so that the
// record neither holds the line's Event nor pins its raw line.
type auditSide struct {
	t       time.Time
	eventID string
	vals    [maxSideCols]string // the values of joiner.cols, in order
}

// joiner holds alerts raised on application-log lines until the audit line
// of the same CorrelationID enriches them, or until the watermark passes
// the alert's time + joinWindow (the alert then goes out as it is: the
// audit line enriches, it is never required). Audit lines wait the same
// way for their application line, as an auditSide record. Both sides are
// bounded by maxKeys; when the pending side is full, the oldest alert goes
// out unenriched rather than being lost.
//
// An event dated more than maxFuture after the wall clock (a clock glitch
// on the GitLab host, a forged line) would never see the watermark pass
// its window and would hold up every alert behind it: its alert goes out
// at once, unenriched, and its audit line is not held.
//
// What the joiner holds is saved and restored with its rule (see
// joinState), so a restart or a reload of the configuration neither loses
// a held alert nor an audit line that would enrich a later one.
type joiner struct {
	maxKeys int
	// The audit lines held are sides (indexed by CorrelationID), then
	// staged, in the order of their arrival. A new one is staged without
	// a map operation; the staged are indexed (moved to sides) only when
	// an application line looks for its audit line. Most audit lines
	// (the sign-ins of users that are no admins) leave at the window's
	// end without ever being indexed.
	sides    *fifo[string, auditSide] // by CorrelationID
	staged   []stagedSide             // from stagedAt on
	stagedAt int
	pending  *fifo[string, *Alert] // by CorrelationID
	cols     []string              // the audit line's columns an alert gets, at most maxSideCols
	slab     slab                  // the strings of sides
	now      Clock                 // the wall clock, for future
	futureAt time.Time             // event times after it are checked by future
	spill    []*Alert              // restored alerts beyond maxKeys, out at the next advance
}

// newJoiner returns a joiner that enriches alerts with the non-empty
// columns cols (at most maxSideCols) of the joined audit line.
func newJoiner(maxKeys int, cols ...string) *joiner {
	if len(cols) > maxSideCols {
		panic("detect: a join takes at most maxSideCols columns")
	}
	return &joiner{maxKeys: maxKeys, sides: newFIFO[string, auditSide](maxKeys),
		pending: newFIFO[string, *Alert](maxKeys), cols: cols, now: time.Now}
}

// clock makes the joiner read the wall clock from env (nil: time.Now).
func (j *joiner) clock(env *Env) {
	if env != nil && env.Now != nil {
		j.now = env.Now
	}
}

// future reports whether t is more than maxFuture after the wall clock.
// The clock is read only when t passes the limit computed last, so events
// in order cost one comparison.
func (j *joiner) future(t time.Time) bool {
	if !t.After(j.futureAt) {
		return false
	}
	j.futureAt = j.now().Add(maxFuture)
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
// t, with EventID id and the values of the joiner's columns (vals, in the
// order of cols).
func (j *joiner) side(cid string, t time.Time, id string, vals [maxSideCols]string, emit Emit) {
	if cid == "" || j.future(t) {
		return
	}
	if j.pending.len() > 0 {
		if p, ok := j.pending.get(cid); ok && within((*p).Time, t, joinWindow) {
			a := *p
			j.pending.remove(cid)
			j.apply(a, &auditSide{eventID: id, vals: vals})
			emit(a)
			return
		}
	}
	s, key := j.record(cid, t, id, &vals)
	j.stage(key, s)
}

// stagedSide is an audit line held but not yet indexed (see joiner).
type stagedSide struct {
	cid  string
	side auditSide
}

// stage holds side s of CorrelationID cid (a string of the slab) after
// every other. At max_keys the oldest audit line held is dropped first.
// The same CorrelationID staged twice counts twice until it is indexed,
// where the later replaces the earlier as in the fifo.
func (j *joiner) stage(cid string, s auditSide) {
	if j.sides.len()+len(j.staged)-j.stagedAt >= j.maxKeys {
		if j.sides.len() > 0 {
			j.sides.popFront()
		} else {
			j.unstage()
		}
		j.sides.evicted++
	}
	j.staged = append(j.staged, stagedSide{cid, s})
}

// unstage drops the oldest staged side.
func (j *joiner) unstage() {
	j.staged[j.stagedAt] = stagedSide{}
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
func (j *joiner) index() {
	for i := j.stagedAt; i < len(j.staged); i++ {
		st := &j.staged[i]
		*j.sides.touch(st.cid) = st.side
		*st = stagedSide{}
	}
	j.staged, j.stagedAt = j.staged[:0], 0
}

// heldSides returns the number of audit lines held.
func (j *joiner) heldSides() int { return j.sides.len() + len(j.staged) - j.stagedAt }

// record returns the auditSide of an audit line and a copy of cid, all
// its strings parts of one piece of the joiner's slab.
func (j *joiner) record(cid string, t time.Time, id string, vals *[maxSideCols]string) (auditSide, string) {
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
	s := auditSide{t: t, eventID: rest[:len(id)]}
	rest = rest[len(id):]
	for i := range j.cols {
		s.vals[i], rest = rest[:len(vals[i])], rest[len(vals[i]):]
	}
	return s, key
}

// slabSize is the size of the blocks a slab cuts its pieces from.
const slabSize = 4096

// slab hands out pieces of larger blocks for strings that are written
// once and then only read, so that holding one costs no allocation of its
// own. A block stays in memory while any of its pieces is referenced: the
// joiner's records leave in about the order they came (window end,
// eviction; a join takes one out early), so the blocks held span about
// the records held plus one block.
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

// apply adds what the audit line s holds to a.
func (j *joiner) apply(a *Alert, s *auditSide) {
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
