package detect

import (
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// joinWindow is how far apart (event time) an application-log line and the
// audit line of the same request (same CorrelationID) may be and still be
// joined.
const joinWindow = 60 * time.Second

// auditSide is what an audit line adds to an alert raised on an
// application-log line of the same request.
type auditSide struct {
	t       time.Time
	ev      *Event
	eventID string
}

// joiner holds alerts raised on application-log lines until the audit line
// of the same CorrelationID enriches them, or until the watermark passes
// the alert's time + joinWindow (the alert then goes out as it is: the
// audit line enriches, it is never required). Audit lines wait the same
// way for their application line. Both sides are bounded by maxKeys; when
// the pending side is full, the oldest alert goes out unenriched rather
// than being lost.
type joiner struct {
	maxKeys int
	sides   *lru[string, auditSide] // by CorrelationID
	pending *lru[string, *Alert]    // by CorrelationID
	enrich  func(a *Alert, side *Event)
}

func newJoiner(maxKeys int, enrich func(a *Alert, side *Event)) *joiner {
	return &joiner{maxKeys: maxKeys, sides: newLRU[string, auditSide](maxKeys),
		pending: newLRU[string, *Alert](maxKeys), enrich: enrich}
}

func within(a, b time.Time, d time.Duration) bool {
	x := a.Sub(b)
	return x <= d && x >= -d
}

// alert joins or holds a, raised on an application line with CorrelationID
// cid ("" emits a at once).
func (j *joiner) alert(cid string, a *Alert, emit Emit) {
	if cid == "" {
		emit(a)
		return
	}
	if s, ok := j.sides.get(cid); ok && within(s.t, a.Time, joinWindow) {
		j.apply(a, s)
		j.sides.remove(cid)
		emit(a)
		return
	}
	if _, ok := j.pending.get(cid); !ok && j.pending.len() >= j.maxKeys {
		if k, old, ok := j.pending.front(); ok {
			j.pending.remove(k)
			emit(*old)
		}
	}
	*j.pending.touch(cid) = a
}

// side joins or holds the audit line ev of CorrelationID cid.
func (j *joiner) side(cid string, ev *Event, emit Emit) {
	if cid == "" {
		return
	}
	s := auditSide{t: ev.Time, ev: ev, eventID: ev.Get(parser.ColEventID)}
	if p, ok := j.pending.get(cid); ok && within((*p).Time, ev.Time, joinWindow) {
		a := *p
		j.pending.remove(cid)
		j.apply(a, &s)
		emit(a)
		return
	}
	*j.sides.touch(cid) = s
}

func (j *joiner) apply(a *Alert, s *auditSide) {
	j.enrich(a, s.ev)
	a.AddEventID(s.eventID)
}

// advance emits the alerts whose join window closed before wm and forgets
// audit lines older than the window.
func (j *joiner) advance(wm time.Time, emit Emit) {
	j.pending.each(func(k string, a **Alert) bool {
		if (*a).Time.Add(joinWindow).After(wm) {
			return false
		}
		j.pending.remove(k)
		emit(*a)
		return true
	})
	j.sides.each(func(k string, s *auditSide) bool {
		if s.t.Add(joinWindow).After(wm) {
			return false
		}
		j.sides.remove(k)
		return true
	})
}

// close emits every alert still waiting.
func (j *joiner) close(emit Emit) {
	j.pending.each(func(k string, a **Alert) bool {
		j.pending.remove(k)
		emit(*a)
		return true
	})
}

// addColumns appends the non-empty columns cols of ev to a.
func addColumns(a *Alert, ev *Event, cols ...string) {
	for _, c := range cols {
		if v := ev.Get(c); v != "" {
			a.Columns = append(a.Columns, Column{Name: c, Value: v})
		}
	}
}
