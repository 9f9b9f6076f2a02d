package detect

import (
	"cmp"
	"crypto/sha256"
	"math"
	"time"
	"unsafe"

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
	now := e.wallClock()
	e.process(ev, now)
	e.recheckLate(now)
}

// ProcessBatch is Process on each event of evs in turn, under one lock,
// with the wall clock that Config.MinWatermark's idleness is judged by
// read once for the whole batch: the events of a batch count as given at
// one instant. So are its alerts detected: their DetectedAt is the wall
// clock read at the first of them. The caller keeps evs; as with
// Process, the events are valid only during the call.
func (e *Engine) ProcessBatch(evs []*Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.wallClock()
	e.inBatch = true
	for _, ev := range evs {
		e.process(ev, now)
	}
	e.recheckLate(now)
	e.inBatch, e.batchAt = false, time.Time{}
}

// recheckLate advances the rules again at the watermark, at wall clock now
// (Unix ns; 0 without MinWatermark: never), once Lateness of wall-clock
// time passed since an event behind the watermark was given to them
// without the watermark moving into a new second since (advance): a
// rule that holds an event until the watermark passes its time (a join's
// alert waiting for the line of the other log, an impersonation session's
// events) decides it then, not when the watermark next moves, which a line
// dated ahead of the others (a host or process whose clock runs ahead,
// within MaxAhead) puts off until the events reach that line's time
// (fresh-user trial 282: an admin's password sign-in alerted ten minutes
// late, when the clock reached a line ten minutes ahead). The Lateness
// first lets the line of the other log arrive, as for events in order.
func (e *Engine) recheckLate(now int64) {
	if e.lateRecheck == 0 || now < e.lateRecheck {
		return
	}
	e.lateRecheck = 0
	if wm := e.watermark(); !wm.IsZero() {
		e.advance(wm)
	}
}

// detectedAt returns the DetectedAt of an alert emitted now: the wall
// clock (Config.Now, UTC), read once per ProcessBatch.
func (e *Engine) detectedAt() time.Time {
	if !e.inBatch {
		return e.cfg.Now().UTC()
	}
	if e.batchAt.IsZero() {
		e.batchAt = e.cfg.Now().UTC()
	}
	return e.batchAt
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
	if ev.FileID != "" && ev.FileID == src.replay.FileID && e.replayed(ev.Source, src, ev) {
		e.stats.Replayed++
		return
	}
	e.wait = copyWait{}
	if !ev.Outlier && e.duplicate(ev) {
		e.stats.Deduplicated++
		return
	}
	t := ev.Time
	tns := nanos(t)
	future, prev, prevNs := false, src.newest, src.newestNs
	if !t.IsZero() {
		if wm, late := e.lateFor(ev.Type, t, tns); late {
			e.stats.Late++
			e.noteBack(ev, src, t, wm)
			if now != 0 && e.lateRecheck == 0 {
				e.lateRecheck = now + int64(e.cfg.Lateness)
			}
		}
		if earlier(src.newest, src.newestNs, t, tns) {
			if future = (ev.Outlier || earlier(e.futureAt, e.futureAtNs, t, tns)) && e.future(ev, t); !future {
				e.noteJump(ev, src, t, tns)
				src.newest, src.newestNs = t, tns
			}
		}
		if e.cfg.LogWatermarks && !future {
			e.noteLog(ev.Type, tns)
		}
	}
	set := e.processSet(ev)
	if e.cfg.Nodes && set&e.statefulSet != 0 { // a per-event alert names its event's node
		e.nodes.observe(ev)
	}
	if future {
		set &^= e.statefulSet // they would close their keys' windows on every later event
	} else if set&e.statefulSet != 0 && e.uncheckable(ev.Type, tns) {
		for s := set & e.statefulSet; s != 0; {
			var i int
			i, s = s.next()
			e.rules[i].stats.TooOld++
		}
		set &^= e.statefulSet
	}
	var held ruleBits // for the reorder buffer (see reorder.go)
	switch {
	case tns == noNanos || future:
		e.wait.on = false
	case e.wait.on: // a text event waits for its JSON copy (see duplicateCopy)
		held, set = set, 0
	case e.cfg.MinWatermark || len(e.reorder.h) > 0: // detect's: sorted behind a text event waiting
		held = set & e.orderedSet
		set &^= held
	}
	e.dispatch(ev, set)
	if ev.FileID != "" {
		src.pos = position{FileID: ev.FileID, Offset: ev.Offset}
	}
	low, lowNs := e.sourcesNewest(src, prev, prevNs, now)
	if held != 0 || e.wait.on || len(e.reorder.h) > 0 {
		e.sortThen(ev, tns, held, releaseThrough(low, lowNs), now)
		low, lowNs = e.heldCap(low, lowNs)
	}
	e.follow(low, lowNs)
}

// uncheckable reports whether an event of log lt at time tns (Unix ns,
// see nanos) may be a repeat the event ids no longer tell: it is older
// than the newest line of its log that earlier runs folded (foldedNewest,
// restored with the state of a detect --state-dir), and at or before the
// newest time of an event id the engine forgot (expired DedupeWindow
// behind the watermark, or dropped at MaxRecent; see
// recent.forgetsBefore). Such is a line read again by a later run (a
// part of an earlier concatenation). The rules that count in event time
// are not given it, so that nothing is counted twice (a baseline would
// learn a doubled hour); the per-event rules are, and a repeat's alert
// has the alert_id of the first. An event of a log the earlier runs did
// not fold, and every event of a run without restored state (the agent's
// re-read lines are skipped by position instead), is never one: a log
// that goes back in time is read once.
func (e *Engine) uncheckable(lt parser.Type, tns int64) bool {
	return tns != noNanos && lt < parser.NumTypes && tns < e.foldedNewest[lt] && tns <= e.events.forgetsBefore()
}

// releaseThrough returns the time (Unix ns) through which the reorder
// buffer gives its events to the rules when its sources' newest time is
// low (Unix ns lowNs, see nanos): lowNs, or after every event held when
// low is after what nanos converts.
func releaseThrough(low time.Time, lowNs int64) int64 {
	if lowNs == noNanos && low.Unix() > 0 {
		return math.MaxInt64
	}
	return lowNs
}

// noteJump records ev, at time t (tns in Unix ns, see nanos), as the
// Jump when t is more than Lateness ahead of the newest time src had
// before it, and further ahead of it than the Jump recorded so far is of
// its own (the line that made the most events late).
func (e *Engine) noteJump(ev *Event, src *sourceState, t time.Time, tns int64) {
	if src.newest.IsZero() {
		return
	}
	if tns != noNanos && src.newestNs != noNanos {
		if tns-src.newestNs <= int64(e.cfg.Lateness) {
			return
		}
	} else if t.Sub(src.newest) <= e.cfg.Lateness {
		return
	}
	if j := &e.stats.Jump; !j.Time.IsZero() && t.Sub(src.newest) < j.Time.Sub(j.Prev) {
		return
	}
	e.stats.Jump = Jump{Source: ev.Source, FileID: ev.FileID, Offset: ev.Offset, Time: t, Prev: src.newest,
		Watermark: t.Add(-e.cfg.Lateness), Seq: e.stats.Events}
}

// noteBack records ev, late at time t behind watermark wm, as the Back
// when it is further behind its watermark than the Back recorded so far
// is behind its own.
func (e *Engine) noteBack(ev *Event, src *sourceState, t, wm time.Time) {
	if b := &e.stats.Back; !b.Time.IsZero() && wm.Sub(t) <= b.Watermark.Sub(b.Time) {
		return
	}
	e.stats.Back = Back{Source: ev.Source, FileID: ev.FileID, Offset: ev.Offset, Time: t, Newest: src.newest,
		Watermark: wm, Lateness: e.cfg.Lateness, Seq: e.stats.Events}
}

// late reports whether t (in Unix ns tns, see nanos) is before the
// engine watermark.
func (e *Engine) late(t time.Time, tns int64) bool {
	if e.wmNs != noNanos && tns != noNanos {
		return tns < e.wmNs
	}
	wm := e.watermark()
	return !wm.IsZero() && t.Before(wm)
}

// follow raises the engine watermark to low − Lateness, where low (Unix ns
// lowNs, see nanos) is what sourcesNewest returned, when that is after it.
// Past 1972 (see raiseWatermark), the new watermark is kept as low
// (wmFrom) and made a time.Time only when asked for (watermark): in
// order, every event raises it.
func (e *Engine) follow(low time.Time, lowNs int64) {
	late := e.cfg.Lateness
	if lowNs != noNanos && e.wmNs >= year1972*1e9 && late <= maxNanosShift {
		if wmNs := lowNs - int64(late); wmNs > e.wmNs {
			e.wmFrom, e.wmLazy, e.wmNs = low, true, wmNs
			if wmNs/1e9 > e.advancedSec { // wmNs > 0: the division is wm.Unix()
				e.advance(e.watermark())
			}
		}
		return
	}
	if wm := low.Add(-late); wm.After(e.watermark()) {
		e.raiseWatermark(wm, nanos(wm))
	}
}

// watermark returns the engine watermark.
func (e *Engine) watermark() time.Time {
	if e.wmLazy {
		e.wm, e.wmLazy = e.wmFrom.Add(-e.cfg.Lateness), false
	}
	return e.wm
}

// Event times are compared through their Unix ns (nanos) where Process
// compares them for every event: time.Time.After and Before are not
// inlined, and convert both operands each time. A time whose ns are not
// exact (the zero Time, a year outside 1685-2255) is compared as a
// time.Time. Like After, both compare instants: for times without a
// monotonic clock reading, as event times are, the same answers.
const (
	// noNanos stands for the Unix ns of a time that has none exact.
	noNanos = math.MinInt64
	// nanosLimit bounds the Unix seconds of the times nanos converts.
	nanosLimit = 9_000_000_000
	// maxNanosShift is the longest Lateness follow subtracts from Unix
	// ns: within nanosLimit, the result stays in int64.
	maxNanosShift = 365 * 24 * time.Hour
)

// nanos returns t in Unix ns, or noNanos for the zero Time and times
// more than nanosLimit seconds from 1970.
func nanos(t time.Time) int64 {
	s := t.Unix()
	if s <= -nanosLimit || s >= nanosLimit {
		return noNanos
	}
	return s*1e9 + int64(t.Nanosecond())
}

// earlier reports whether a (in Unix ns an, see nanos) is before b (bn).
func earlier(a time.Time, an int64, b time.Time, bn int64) bool {
	if an != noNanos && bn != noNanos {
		return an < bn
	}
	return a.Before(b)
}

// sameInstant reports whether a (in Unix ns an, see nanos) and b (bn)
// are the same instant.
func sameInstant(a time.Time, an int64, b time.Time, bn int64) bool {
	if an != noNanos && bn != noNanos {
		return an == bn
	}
	return a.Equal(b)
}

// MaxFuture is how far ahead of the wall clock an event time may be and
// still move its source's watermark and reach the Stateful rules, unless
// Config.MaxAhead says otherwise (the agent's LiveMaxAhead). A time beyond
// it (a clock glitch on the GitLab host, a forged line) would otherwise
// make every later event late for as long as the watermark, which is
// saved, stays there, and close the windows of its key; the per-event
// rules still see it. detect's merge of its inputs sorts such an event as
// the one before it.
const MaxFuture = 24 * time.Hour

// LiveMaxAhead is the agent's Config.MaxAhead: GitLab writes a line when
// its event happens, so on the host whose clock dates it (or one in step
// with it by NTP, for Audit Event Streaming) no line is dated minutes
// ahead of the clock unless a clock stepped or a log is in another time
// zone. Such a line reaches only the per-event rules: moving the watermark
// to it would make every line after it late for as long as it is ahead.
const LiveMaxAhead = 15 * time.Minute

// FirstOutlierGap is how far the line after an input's first line with a
// time must go back for the first line to be an outlier: with no line
// before it to carry on from, only a gap no lines out of order make (a
// log in reverse order, lines minutes apart) and every time zone's offset
// from UTC does.
const FirstOutlierGap = time.Hour

// future reports whether ev, at time t, which is after e.futureAt (the
// limit computed last) or marked Event.Outlier, is to be kept from the
// windowed rules: marked so, or more than Config.MaxAhead ahead of the
// wall clock (Config.Now), or for an event whose time has no zone
// (Event.CoarseTime: the server's local time, which may be hours ahead of
// UTC), more than MaxFuture. Process calls it only then, so that in-order
// events cost one comparison and no clock read.
func (e *Engine) future(ev *Event, t time.Time) bool {
	clock := e.beyond(t, nanos(t))
	if clock && e.cfg.MaxAhead < MaxFuture && ev.CoarseTime() {
		clock = t.After(e.cfg.Now().Add(MaxFuture))
	}
	if !clock && !ev.Outlier {
		return false
	}
	// An outlier also beyond the clock counts as beyond the clock: the
	// fault the clock shows is the one to report.
	outlier := !clock
	e.stats.Future++
	if outlier {
		e.stats.Outliers++
	}
	e.stats.Ahead = Ahead{Source: ev.Source, FileID: ev.FileID, Offset: ev.Offset, Time: t, Now: e.cfg.Now(), Outlier: outlier}
	return true
}

// beyond reports whether t (in Unix ns tns) is more than Config.MaxAhead
// ahead of the wall clock, recomputing the limit (futureAt) only when t is
// after the last one; future counts it for events, Progress does not.
func (e *Engine) beyond(t time.Time, tns int64) bool {
	if !earlier(e.futureAt, e.futureAtNs, t, tns) {
		return false
	}
	e.futureAt = e.cfg.Now().Add(e.cfg.MaxAhead)
	e.futureAtNs = nanos(e.futureAt)
	return t.After(e.futureAt)
}

// sourcesNewest returns the newest event time the engine's watermark
// follows after an event (or Progress) of src at wall clock now (Unix
// ns, see wallClock), whose newest time was prev before it:
// src's own (the highest source wins, as the watermark only moves
// forward), or with Config.MinWatermark the oldest newest time of the
// sources that gave an event within Lateness of wall-clock time, so that
// a source read behind the others holds the windows open for its events.
// The sources are scanned only when the answer may have changed (see
// lowCache).
func (e *Engine) sourcesNewest(src *sourceState, prev time.Time, prevNs int64, now int64) (time.Time, int64) {
	if !e.cfg.MinWatermark {
		return src.newest, src.newestNs
	}
	c := &e.low
	late := int64(e.cfg.Lateness)
	was := now-src.seen <= late && !src.caught // src was counted before this event
	src.seen, src.caught = now, false
	if !c.valid || !was || now < c.now || now > c.idleAt {
		return e.scanSources(now)
	}
	switch {
	case c.n == 1: // src is the one source counted: its time is the answer
		c.low, c.lowNs, c.now, c.idleAt = src.newest, src.newestNs, now, now+late
	case sameInstant(src.newest, src.newestNs, prev, prevNs) || (!c.low.IsZero() && earlier(c.low, c.lowNs, prev, prevNs)):
		c.now = now
	default:
		return e.scanSources(now)
	}
	return c.low, c.lowNs
}

// lowCache is sourcesNewest's last answer, and what it depends on: the
// set of sources counted (those that gave an event within Lateness of the
// wall clock) and their newest times. The set changes only when a source
// not counted gives an event or is held (Hold clears valid), when the
// clock passes idleAt (a counted source goes idle) or goes back before
// now; the answer changes only with the set or when the source holding
// the minimum (or a tie of it, or one without event) gets a newer time.
// While the set is one source, the answer is that source's newest time.
type lowCache struct {
	valid  bool
	low    time.Time // the answer: zero while a counted source has no event time
	now    int64     // the wall clock (Unix ns) of the answer
	idleAt int64     // the wall clock after which a counted source goes idle
	lowNs  int64     // low in Unix ns (see nanos)
	n      int       // the number of sources counted
	scans  uint64    // the scans of every source so far (tests)
}

// scanSources computes sourcesNewest's answer at wall clock now (Unix ns)
// from every source, and caches it.
func (e *Engine) scanSources(now int64) (time.Time, int64) {
	late := int64(e.cfg.Lateness)
	var low time.Time
	lowNs := int64(noNanos)
	idleAt, zero, n := int64(math.MaxInt64), false, 0
	for _, s := range e.srcList {
		if now-s.seen > late || s.caught {
			continue
		}
		n++
		idleAt = min(idleAt, s.seen+late)
		if s.newest.IsZero() {
			zero = true // held (Hold) and no event yet: wait for it
		} else if low.IsZero() || earlier(s.newest, s.newestNs, low, lowNs) {
			low, lowNs = s.newest, s.newestNs
		}
	}
	if zero {
		low, lowNs = time.Time{}, noNanos
	}
	c := &e.low // field by field: one write barrier (low's zone), no struct copy
	c.valid, c.low, c.lowNs, c.now, c.idleAt, c.n = true, low, lowNs, now, idleAt, n
	c.scans++
	return low, lowNs
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

// Caught tells the engine, with Config.MinWatermark, that the sources
// named have given it every line they hold now (the agent: each read to
// the end of its file, every batch read processed). Until its next event
// such a source is not counted in the watermark: its next lines are new
// ones, not older lines of a backlog read behind the others. The rules
// then get the events the reorder buffer held that the other sources'
// times reached (all of them when no other source is counted); their
// alerts go to Config.Emit. When no source is counted any more, the
// watermark follows the oldest newest time of the sources read to their
// end (caughtNewest), less Lateness. Each call records the wall clock at
// which the sources named were found at their end, by which
// Config.OrderGrace lets events go; the agent calls it every 250 ms,
// with no name too. Names the engine has not seen are ignored.
func (e *Engine) Caught(names []string) {
	if !e.cfg.MinWatermark {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.cfg.Now().UnixNano()
	changed := false
	for _, name := range names {
		if s := e.sources[name]; s != nil {
			changed = changed || !s.caught
			s.caught, s.caughtAt = true, now
		}
	}
	if !changed && (e.cfg.OrderGrace <= 0 || len(e.reorder.h) == 0) {
		return
	}
	e.low.valid = false
	low, lowNs := e.scanSources(now)
	e.settle(low, lowNs, now)
}

// settle gives the rules the events the reorder buffer holds that low
// (Unix ns lowNs), sourcesNewest's answer, reached (all of them when no
// source is counted, or when low has no exact ns) and that no source
// holds for OrderGrace at wall clock now (Unix ns), and raises the
// watermark to follow low, or caughtNewest when no source is counted,
// but not past an event still held.
func (e *Engine) settle(low time.Time, lowNs, now int64) {
	switch {
	case e.low.n == 0:
		e.release(math.MaxInt64, now) // every event no source holds for OrderGrace
		low, lowNs = e.caughtNewest()
	case lowNs != noNanos:
		e.release(lowNs, now)
	case low.Unix() > 0:
		e.release(math.MaxInt64, now) // every event no source holds for OrderGrace
	}
	e.follow(e.heldCap(low, lowNs))
}

// Progress tells the engine that source name was read through a line of
// event time t that ends at offset (bytes, or detect's line number) in
// the file fileID (as Event.FileID), whether or not a rule wanted it: the
// agent calls it once per batch, after the batch's events, with the
// newest time of its lines; detect merges a mark (NewProgress) among its
// events before each wanted line that follows newer lines no rule wants,
// and after the last. For the watermark that counts as an event of the
// source at t that no rule is given: its newest time moves to t when t
// is after it and not beyond Config.MaxAhead (recording the Jump when that
// makes events late), and with Config.MinWatermark the source is counted
// again (it is read, not idle or at its end). Without it, a source whose
// last line a rule took is old (an application log whose admin sign-in
// is followed by lines no rule wants) would hold the watermark, and the
// events the reorder buffer sorts, at that line for Lateness of
// wall-clock time, and a line no rule wants that jumps ahead in time
// would move run's watermark but not detect's. The rules then get the
// held events the sources' times reached, and their alerts go to
// Config.Emit. A zero t does nothing.
func (e *Engine) Progress(name, fileID string, offset int64, t time.Time) {
	e.ProgressOf(parser.TypeUnknown, name, fileID, offset, t)
}

// ProgressOf is Progress for a line of log lt: with Config.LogWatermarks,
// t also moves that log's newest time (see Config.LogWatermarks), as an
// event of it does. detect calls it with the log of the line it marks.
func (e *Engine) ProgressOf(lt parser.Type, name, fileID string, offset int64, t time.Time) {
	if t.IsZero() {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	src := e.source(name)
	tns := nanos(t)
	prev, prevNs := src.newest, src.newestNs
	if !e.beyond(t, tns) {
		if earlier(prev, prevNs, t, tns) {
			e.noteJump(&Event{Source: name, FileID: fileID, Offset: offset}, src, t, tns)
			src.newest, src.newestNs = t, tns
		}
		if e.cfg.LogWatermarks && lt != parser.TypeUnknown {
			e.noteLog(lt, tns)
		}
	}
	if !e.cfg.MinWatermark {
		e.followHeld(src.newest, src.newestNs)
		return
	}
	now := e.wallClock()
	low, lowNs := e.sourcesNewest(src, prev, prevNs, now)
	e.settle(low, lowNs, now)
}

// followHeld is follow for an engine without MinWatermark, at low (Unix
// ns lowNs) the newest time of the source read: the reorder buffer, which
// then holds only the text events waiting for their JSON copy and the
// events sorted behind them (see duplicateCopy), first gives the rules
// those low reached, and the watermark does not pass one still held,
// whose windows would close before it reached its rules.
func (e *Engine) followHeld(low time.Time, lowNs int64) {
	if len(e.reorder.h) > 0 {
		e.release(releaseThrough(low, lowNs), math.MaxInt64)
		low, lowNs = e.heldCap(low, lowNs)
	}
	e.follow(low, lowNs)
}

// caughtNewest returns the oldest newest time (and its Unix ns) of the
// sources read to their end (Caught) that gave an event or read a line
// (Progress): what the watermark follows once every source counted is
// read to its end, so that the windows of what was read close without
// waiting for Lateness of wall-clock time. It returns the zero time and
// noNanos when no such source has a time.
func (e *Engine) caughtNewest() (time.Time, int64) {
	var low time.Time
	lowNs := int64(noNanos)
	for _, s := range e.srcList {
		if !s.caught || s.newest.IsZero() {
			continue
		}
		if low.IsZero() || earlier(s.newest, s.newestNs, low, lowNs) {
			low, lowNs = s.newest, s.newestNs
		}
	}
	return low, lowNs
}

// duplicate reports whether an event with ev's identity (EventID,
// EventName and the creation time, see Engine) was seen before, and
// remembers ev's. A copy of an event without EventName (a line of
// audit_json.log of a release that wrote none) and one with it (the same
// event from Audit Event Streaming, which always sends event_type) are
// the same event: the same EventID and creation time, one of them
// without a name (identityKeys' base). Two events of the same EventID
// and creation time with different names are not. An event without
// EventID is a duplicate only by its line, with Config.DedupeLines, or
// as the copy of an application-log event in the log's other form
// (duplicateLine). An event made from an audit record knows its
// identity's own key (Event.identity), which is its base when it has no
// EventName; the base of one with EventName, and the keys of other
// events, are made from the three columns, read in one pass (dupPicker).
func (e *Engine) duplicate(ev *Event) bool {
	var own, base recentKey
	switch ev.identity() {
	case identNone:
		return e.duplicateLine(ev)
	case identLine: // duplicateLine, its key made
		if e.events.seenKey(ev.idKey, ev.Time.UnixNano()) {
			return true
		}
		return e.duplicateCopy(ev)
	case identKeyed:
		own, base = ev.idKey, ev.idKey
	case identNamed: // its own key is kept, its base is not
		v := dupPicker.pick(ev)
		own = ev.idKey
		base, e.keyBuf = identityBase(e.keyBuf, v[0], v[2], ev.Time)
	default:
		v := dupPicker.pick(ev)
		if v[0] == "" {
			return e.duplicateLine(ev)
		}
		own, base, e.keyBuf = identityKey(e.keyBuf, v[0], v[1], v[2], ev.Time)
	}
	t := ev.Time.UnixNano()
	if own == base { // no name: a copy of a named event left its namedKey
		return e.events.has(namedKey(base)) || e.events.seenKey(base, t)
	}
	if e.events.has(base) || e.events.seenKey(own, t) { // base: a copy without name
		return true
	}
	e.events.seenKey(namedKey(base), t) // two named events may share it
	return false
}

// duplicateLine is duplicate for an event without EventID: with
// Config.DedupeLines, whether a line of the same bytes of its log (its
// GitLab line: gitlabLine) was folded within the dedupe window (lineKey);
// else whether it is the copy of an event of the application log's other
// form (duplicateCopy). Lines that may repeat as distinct events are
// never duplicates by their bytes: the access log's (second-precision
// times, no id) and the text application.log's (GitLab before 15.11:
// minute or millisecond times and no correlation id, so that eleven
// identical failed sign-ins in a minute are eleven).
func (e *Engine) duplicateLine(ev *Event) bool {
	if e.cfg.DedupeLines && ev.Raw != "" && !RepeatsKept(ev) &&
		e.events.seenKey(lineKey(gitlabLine(ev.Raw)), ev.Time.UnixNano()) {
		return true
	}
	return e.duplicateCopy(ev)
}

// RepeatsKept reports whether ev is of a log whose lines may repeat as
// distinct events, the access log or the text application.log (see
// duplicateLine): a line of it read twice (two copies of one log given
// to detect) is never taken for a duplicate, even with
// Config.DedupeLines, and counts twice.
func RepeatsKept(ev *Event) bool { return repeatsKept(ev.Type, gitlabLine(ev.Raw)) }

// repeatsKept is RepeatsKept of an event of type t whose GitLab line
// (gitlabLine) is line.
func repeatsKept(t parser.Type, line string) bool {
	if t != parser.TypeApplication {
		return t == parser.TypeAccess
	}
	return line != "" && line[0] != '{'
}

// lineKey is the key of a line for duplicateLine: the first 16 bytes of
// its SHA-256, a hash other than identityKey's (FNV-1a), so that a line
// and an identity do not share keys but by chance (one in 2^128), and
// faster over a whole line where the CPU computes SHA-256 itself.
func lineKey(raw string) recentKey {
	sum := sha256.Sum256(unsafe.Slice(unsafe.StringData(raw), len(raw)))
	return recentKey(sum[:16])
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
		s = &sourceState{newestNs: noNanos}
		e.sources[name] = s
		e.srcList = append(e.srcList, s)
		e.low.valid = false
	}
	e.lastName, e.lastSrc = name, s
	return s
}

// raiseWatermark raises the engine watermark to wm, which is after it
// (wmNs: wm in Unix ns, see nanos), and advances the rules when it passed
// a new second. A watermark in 1970 does not replace one before 1972 (the
// zero one, or a time near the Unix epoch, as a line with a bogus time
// gives).
func (e *Engine) raiseWatermark(wm time.Time, wmNs int64) {
	if e.watermark().Unix() < year1972 && wm.Year() < 1971 {
		return // (after a watermark in 1972, wm's year is past 1970 in any zone)
	}
	e.wm, e.wmLazy, e.wmNs = wm, false, wmNs
	if wm.Unix() > e.advancedSec {
		e.advance(wm)
	}
}

// year1972 is the start of 1972, UTC, in Unix seconds.
const year1972 = 63072000

// advance moves every rule and the engine's own sets to watermark wm.
func (e *Engine) advance(wm time.Time) {
	e.advancedSec = wm.Unix()
	e.lateRecheck = 0 // the rules decide what they held up to wm now
	for _, r := range e.advancers {
		e.advanceRule(r, wm)
	}
	e.events.expire(wm)
	e.alerts.expire(wm)
	e.supp.expire(wm)
}

// Advance moves the engine watermark to wm (event time) when wm is ahead
// of it, as if an event at wm + Lateness had been seen: the rules also get
// the events the reorder buffer held up to that time (see reorder.go). The agent calls it
// when every source is idle, so that windows close without new events.
// Before the first event with a time (and with no state restored from a
// run that folded lines) it does nothing: no window is open, and a watermark set then would make
// the lines of older logs read later late (a run --once over an empty
// log, then over old logs).
func (e *Engine) Advance(wm time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.watermark()
	if cur.IsZero() && !e.timed() {
		return
	}
	// As if an event at wm + Lateness had been seen: the reorder buffer
	// gives its rules the events up to it.
	if through := nanos(wm.Add(e.cfg.Lateness)); through != noNanos {
		e.release(through, math.MaxInt64) // no source holds an event for OrderGrace then
	} else if wm.Unix() > 0 {
		e.releaseAll()
	}
	if wm.After(cur) {
		e.raiseWatermark(wm, nanos(wm))
	}
	e.recheckLate(e.wallClock())
}

// timed reports whether a source gave an event with a time, or the state
// restored was saved after lines were folded (a run --once stopped before
// its end, while a source without events held the watermark at zero: the
// windows it left open must still close, with no new line to come).
func (e *Engine) timed() bool {
	if e.folded {
		return true
	}
	for _, s := range e.srcList {
		if !s.newest.IsZero() {
			return true
		}
	}
	return false
}

// Quiet makes the suppression key (Alert.Quiet) quiet until until (event
// time), unless it already is until then or later: the agent gives back
// the suppression of the alerts delivered since the state it restored was
// saved, so that a key whose alert's lines cannot be read again (a file
// deleted since) does not alert again before its suppression ends.
func (e *Engine) Quiet(key string, until time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.supp.quiet(key, until)
}

// Lateness returns Config.Lateness, its default applied: how far behind
// its source's newest line a line may be and still be on time.
func (e *Engine) Lateness() time.Duration { return e.cfg.Lateness }

// MinAheadGap is the least AheadGap.
const MinAheadGap = 2 * time.Minute

// AheadGap returns how far a line must be dated after the newest line
// before it for its reader to judge it, by the line after it, a wrong
// time (Event.Outlier) or a step in time: the lateness, at least
// MinAheadGap. A line less far ahead is an ordinary line out of order,
// whose neighbours are at most late: with a lateness of a second, lines
// a few seconds out of order (as a multi-process GitLab writes them) are
// not misdated lines kept from the windowed rules (fresh-user trial 273).
func (e *Engine) AheadGap() time.Duration { return max(e.cfg.Lateness, MinAheadGap) }

// Watermark returns the engine's watermark (zero before the first event).
func (e *Engine) Watermark() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.watermark()
}

// Close ends the input (Finish), then, with a StateDir, saves the state
// (Save). It returns the save error, if any.
func (e *Engine) Close() error {
	e.Finish()
	return e.Save()
}

// Finish ends the input without saving: the reorder buffer gives its
// rules what it holds, then every rule closes its windows (Rule.Close)
// and emits what is left. A caller that must know its alerts were
// written before the state records their lines as folded (detect) calls
// Finish, writes them, then Save. No event may be given after Finish.
func (e *Engine) Finish() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.releaseAll()
	for _, r := range e.rules {
		r.rule.Close(r.emit)
	}
}

// suppKey returns the key columns suppression keeps a's rule quiet by:
// a's canonical key, but for an alert of a per-event rule (a.Event set)
// keyed by the event itself, one column holding its alert_id, which
// stands for the event (Alert.anchor: its EventID with its creation time,
// else its time and line), so that suppression drops only a repeat of the
// same event: such a rule's key is EventID, which two events of older
// GitLab versions may share (Git operations in one second) and a legacy
// audit line lacks, and sentinel.repo_public's EntityPath, which a legacy
// line lacks too. The column is valid until the next call.
func (e *Engine) suppKey(a *Alert) []Column {
	key := a.canonKey()
	if a.Event == nil || !a.WindowStart.IsZero() || len(key) > 1 || len(key) == 1 && key[0].Name != parser.ColEventID {
		return key
	}
	e.suppCol[0] = Column{Name: "alert_id", Value: a.ID}
	return e.suppCol[:]
}

// emitter returns the Emit a rule's calls go through: it completes the
// alert, applies suppression and alert-id dedupe, counts, and passes it on.
func (e *Engine) emitter(r *ruleState) Emit {
	return func(a *Alert) {
		if a.Info.ID == "" {
			a.Info = r.info
		}
		if a.DetectedAt.IsZero() {
			a.DetectedAt = e.detectedAt()
		}
		if a.Time.IsZero() && a.Event != nil {
			a.Time = a.Event.Time
		}
		if a.ID == "" {
			a.ID, e.idBuf = a.id(e.idBuf, &e.idText)
		}
		// An alert of a rule that counts (no Event) raised by a coarse
		// event is flagged too: its window was placed by such times.
		if ev := cmp.Or(a.Event, e.observing); ev != nil && ev.CoarseTime() && a.Get("TimePrecision") == "" {
			a.Columns = append(a.Columns, Column{"TimePrecision", "minute, zone unknown (taken as UTC)"})
		}
		if r.suppress > 0 {
			k, quiet := e.supp.suppressed(a.Info.ID, e.suppKey(a), a.Time, r.suppress)
			if quiet {
				r.stats.Suppressed++
				return
			}
			a.quietKey, a.quietUntil = k, a.Time.Add(r.suppress)
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
