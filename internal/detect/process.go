package detect

import (
	"strconv"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Process runs the rules that want ev: those of ev.Rules when this engine
// computed it (WantRules), else those its keys and filters select from
// ev's columns. ev must not be modified afterwards (rules may keep it).
// Events of one source must arrive in file order.
func (e *Engine) Process(ev *Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stats.Events++
	src := e.source(ev.Source)
	if ev.FileID != "" && ev.FileID == src.replay.FileID && ev.Offset <= src.replay.Offset {
		e.stats.Replayed++
		return
	}
	if id := ev.Get(parser.ColEventID); id != "" {
		k := append(append(e.keyBuf[:0], id...), 0)
		k = append(append(k, ev.Get(parser.ColEventName)...), 0)
		k = strconv.AppendInt(k, ev.eventTime().UnixNano(), 10)
		e.keyBuf = k
		if e.events.seenKey(keyOf(k), ev.Time.UnixNano()) {
			e.stats.Deduplicated++
			return
		}
	}
	if !ev.Time.IsZero() {
		if !e.wm.IsZero() && ev.Time.Before(e.wm) {
			e.stats.Late++
		}
		if ev.Time.After(src.newest) {
			src.newest = ev.Time
		}
	}
	if e.cfg.Nodes {
		e.nodes.observe(ev)
	}
	for set := e.processSet(ev); set != 0; {
		var i int
		i, set = set.next()
		r := e.rules[i]
		r.stats.Evaluated++
		r.rule.Observe(ev, e.cfg.Now, r.emit)
	}
	if ev.FileID != "" {
		src.pos = position{FileID: ev.FileID, Offset: ev.Offset}
	}
	e.moveWatermark(src.newest.Add(-e.cfg.Lateness))
}

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
	}
	e.lastName, e.lastSrc = name, s
	return s
}

// moveWatermark raises the engine watermark to wm and advances the rules
// when it passed a new second.
func (e *Engine) moveWatermark(wm time.Time) {
	if !wm.After(e.wm) || wm.Year() < 1971 {
		return
	}
	e.wm = wm
	if wm.Truncate(time.Second).After(e.advanced) {
		e.advance(wm)
	}
}

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
			a.ID, e.idBuf = a.id(e.idBuf)
		}
		if a.Event != nil && a.Event.CoarseTime() && a.Get("TimePrecision") == "" {
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
