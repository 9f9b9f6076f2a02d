package detect

import (
	"math"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Process runs the rules that want ev: those of ev.Rules when this engine
// computed it (WantRules), else those its keys and filters select from
// ev's columns. ev is valid only during the call: the caller may reuse its
// storage once Process returns, and nothing of it is kept but copies (see
// Event). Events of one source must arrive in file order.
func (e *Engine) Process(ev *Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.process(ev, e.wallClock())
}

// ProcessBatch is Process on each event of evs in turn, under one lock,
// with the wall clock that Config.MinWatermark's idleness is judged by
// read once for the whole batch: the events of a batch count as given at
// one instant. The caller keeps evs; as with Process, the events are
// valid only during the call.
func (e *Engine) ProcessBatch(evs []*Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.wallClock()
	for _, ev := range evs {
		e.process(ev, now)
	}
}

// wallClock returns the wall clock (Config.Now, Unix ns) sourcesNewest
// judges idleness by: 0 without MinWatermark, which does not read it.
func (e *Engine) wallClock() int64 {
	if !e.cfg.MinWatermark {
		return 0
	}
	return e.cfg.Now().UnixNano()
}

// process is Process under e.mu, at wall clock now (see wallClock).
func (e *Engine) process(ev *Event, now int64) {
	e.stats.Events++
	src := e.source(ev.Source)
	if ev.FileID != "" && ev.FileID == src.replay.FileID && ev.Offset <= src.replay.Offset {
		e.stats.Replayed++
		return
	}
	if e.duplicate(ev) {
		e.stats.Deduplicated++
		return
	}
	future, prev := false, src.newest
	if !ev.Time.IsZero() {
		if !e.wm.IsZero() && ev.Time.Before(e.wm) {
			e.stats.Late++
		}
		if ev.Time.After(src.newest) {
			if future = e.future(ev.Time); !future {
				src.newest = ev.Time
			}
		}
	}
	if e.cfg.Nodes {
		e.nodes.observe(ev)
	}
	for set := e.processSet(ev); set != 0; {
		var i int
		i, set = set.next()
		r := e.rules[i]
		if future && r.stateful {
			continue // it would close its key's windows on every later event
		}
		r.stats.Evaluated++
		r.rule.Observe(ev, e.cfg.Now, r.emit)
	}
	if ev.FileID != "" {
		src.pos = position{FileID: ev.FileID, Offset: ev.Offset}
	}
	e.moveWatermark(e.sourcesNewest(src, prev, now).Add(-e.cfg.Lateness))
}

// maxFuture is how far ahead of the wall clock an event time may be and
// still move its source's watermark and reach the Stateful rules. A time
// beyond it (a clock glitch on the GitLab host, a forged line) would
// otherwise make every later event late for as long as the watermark,
// which is saved, stays there, and close the windows of its key; the
// per-event rules still see it.
const maxFuture = 24 * time.Hour

// future reports whether t is more than maxFuture ahead of the wall clock
// (Config.Now). The clock is read only when t passes the limit computed
// last, so in-order events cost one comparison.
func (e *Engine) future(t time.Time) bool {
	if !t.After(e.futureAt) {
		return false
	}
	e.futureAt = e.cfg.Now().Add(maxFuture)
	if t.After(e.futureAt) {
		e.stats.Future++
		return true
	}
	return false
}

// sourcesNewest returns the newest event time the engine's watermark
// follows after an event of src at wall clock now (Unix ns, see
// wallClock), whose newest time was prev before it:
// src's own (the highest source wins, as moveWatermark only moves
// forward), or with Config.MinWatermark the oldest newest time of the
// sources that gave an event within Lateness of wall-clock time, so that
// a source read behind the others holds the windows open for its events.
// The sources are scanned only when the answer may have changed (see
// lowCache).
func (e *Engine) sourcesNewest(src *sourceState, prev time.Time, now int64) time.Time {
	if !e.cfg.MinWatermark {
		return src.newest
	}
	c := &e.low
	was := now-src.seen <= int64(e.cfg.Lateness) // src was counted before this event
	src.seen = now
	if c.valid && was && now >= c.now && now <= c.idleAt &&
		(src.newest.Equal(prev) || (!c.low.IsZero() && prev.After(c.low))) {
		c.now = now
		return c.low
	}
	return e.scanSources(now)
}

// lowCache is sourcesNewest's last answer, and what it depends on: the
// set of sources counted (those that gave an event within Lateness of the
// wall clock) and their newest times. The set changes only when a source
// not counted gives an event or is held (Hold clears valid), when the
// clock passes idleAt (a counted source goes idle) or goes back before
// now; the answer changes only with the set or when the source holding
// the minimum (or a tie of it, or one without event) gets a newer time.
type lowCache struct {
	valid  bool
	low    time.Time // the answer: zero while a counted source has no event time
	now    int64     // the wall clock (Unix ns) of the answer
	idleAt int64     // the wall clock after which a counted source goes idle
	scans  uint64    // the scans of every source so far (tests)
}

// scanSources computes sourcesNewest's answer at wall clock now (Unix ns)
// from every source, and caches it.
func (e *Engine) scanSources(now int64) time.Time {
	late := int64(e.cfg.Lateness)
	var low time.Time
	idleAt, zero := int64(math.MaxInt64), false
	for _, s := range e.srcList {
		if now-s.seen > late {
			continue
		}
		idleAt = min(idleAt, s.seen+late)
		if s.newest.IsZero() {
			zero = true // held (Hold) and no event yet: wait for it
		} else if low.IsZero() || s.newest.Before(low) {
			low = s.newest
		}
	}
	if zero {
		low = time.Time{}
	}
	c := &e.low // field by field: one write barrier (low's zone), no struct copy
	c.valid, c.low, c.now, c.idleAt = true, low, now, idleAt
	c.scans++
	return low
}

// Hold announces source name, with Config.MinWatermark: until it gives
// its first event with a time, or stays idle for Lateness of wall-clock
// time, the watermark does not move. The agent holds every source it
// starts, so that the first one read does not move the watermark past
// the events of the others before they are read. Without MinWatermark it
// does nothing.
func (e *Engine) Hold(name string) {
	if !e.cfg.MinWatermark {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.source(name).seen = e.cfg.Now().UnixNano()
	e.low.valid = false
}

// duplicate reports whether an event with ev's identity (EventID,
// EventName and the creation time, see Engine) was seen before, and
// remembers ev's. An event without EventID is never a duplicate. An event
// made from an audit record knows its identity's key (Event.identity);
// of others the three columns are read in one pass (dupPicker).
func (e *Engine) duplicate(ev *Event) bool {
	var k recentKey
	switch ev.identity() {
	case identNone:
		return false
	case identKeyed:
		k = ev.idKey
	default:
		v := dupPicker.pick(ev)
		if v[0] == "" {
			return false
		}
		k, e.keyBuf = identityKey(e.keyBuf, v[0], v[1], v[2], ev.Time)
	}
	return e.events.seenKey(k, ev.Time.UnixNano())
}

// dupPicker reads the columns of an event's identity for duplicate.
var dupPicker = newPicker(parser.ColEventID, parser.ColEventName, parser.ColCreatedAt)

// source returns the state of source name, creating it. The last one
// asked for is remembered: consecutive events mostly come from one source.
func (e *Engine) source(name string) *sourceState {
	if e.lastSrc != nil && e.lastName == name {
		return e.lastSrc
	}
	s := e.sources[name]
	if s == nil {
		s = &sourceState{}
		e.sources[name] = s
		e.srcList = append(e.srcList, s)
		e.low.valid = false
	}
	e.lastName, e.lastSrc = name, s
	return s
}

// moveWatermark raises the engine watermark to wm and advances the rules
// when it passed a new second.
func (e *Engine) moveWatermark(wm time.Time) {
	if !wm.After(e.wm) || (e.wm.Before(year1972) && wm.Year() < 1971) {
		return // (after a watermark in 1972, wm's year is past 1970 in any zone)
	}
	e.wm = wm
	if wm.Unix() > e.advanced.Unix() { // e.advanced is a whole second: wm.Truncate(time.Second).After(e.advanced)
		e.advance(wm)
	}
}

// year1972 is the start of 1972, UTC.
var year1972 = time.Date(1972, 1, 1, 0, 0, 0, 0, time.UTC)

// advance moves every rule and the engine's own sets to watermark wm.
func (e *Engine) advance(wm time.Time) {
	e.advanced = wm.Truncate(time.Second)
	for _, r := range e.rules {
		r.rule.Advance(wm, r.emit)
	}
	e.events.expire(wm)
	e.alerts.expire(wm)
	e.supp.expire(wm)
}

// Advance moves the engine watermark to wm (event time) when wm is ahead
// of it, as if an event at wm + Lateness had been seen. The agent calls it
// when every source is idle, so that windows close without new events.
func (e *Engine) Advance(wm time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.moveWatermark(wm)
}

// Watermark returns the engine's watermark (zero before the first event).
func (e *Engine) Watermark() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.wm
}

// Close ends the input: every rule closes its windows (Rule.Close) and
// emits what is left; then, with a StateDir, the state is saved. It
// returns the save error, if any.
func (e *Engine) Close() error {
	e.mu.Lock()
	for _, r := range e.rules {
		r.rule.Close(r.emit)
	}
	e.mu.Unlock()
	return e.Save()
}

// emitter returns the Emit a rule's calls go through: it completes the
// alert, applies suppression and alert-id dedupe, counts, and passes it on.
func (e *Engine) emitter(r *ruleState) Emit {
	return func(a *Alert) {
		if a.Info.ID == "" {
			a.Info = r.info
		}
		if a.DetectedAt.IsZero() {
			a.DetectedAt = e.cfg.Now().UTC()
		}
		if a.Time.IsZero() && a.Event != nil {
			a.Time = a.Event.Time
		}
		if a.ID == "" {
			a.ID, e.idBuf = a.id(e.idBuf, &e.idText)
		}
		if a.Event != nil && a.Event.Type == parser.TypeApplication && a.Event.CoarseTime() && a.Get("TimePrecision") == "" {
			a.Columns = append(a.Columns, Column{"TimePrecision", "minute, zone unknown (taken as UTC)"})
		}
		if r.suppress > 0 && e.supp.suppressed(a.Info.ID, a.Key, a.Time, r.suppress) {
			r.stats.Suppressed++
			return
		}
		if e.alerts.seen(a.ID, a.Time) {
			r.stats.Suppressed++
			return
		}
		r.stats.Alerts++
		if e.cfg.Nodes && a.Nodes == nil {
			a.Nodes = e.nodes.nodes(a)
		}
		e.cfg.Emit(a)
	}
}
