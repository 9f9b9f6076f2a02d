package detect

import (
	"math"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// With Config.LogWatermarks each rule is advanced to a watermark of its
// own (ruleWatermark): the logs a run of detect did not read (the
// application log, when an earlier run with the same --state-dir read
// only the audit log of the day) do not close the windows of the rules
// that count their lines.

// logBits returns the set of logs, bit t for parser.Type t; 0 for none.
func logBits(logs []parser.Type) uint8 {
	var b uint8
	for _, t := range logs {
		if t > parser.TypeUnknown && t < parser.NumTypes {
			b |= 1 << t
		}
	}
	return b
}

// noteLog records tns (Unix ns, see nanos), the time of an event of log
// t given to the rules, as that log's newest when it is newer.
func (e *Engine) noteLog(t parser.Type, tns int64) {
	if tns != noNanos && t < parser.NumTypes && tns > e.logNewest[t] {
		e.logNewest[t] = tns
	}
}

// lateFor reports whether an event of log lt at time t (tns in Unix ns,
// see nanos) is late, and the watermark it is behind: the engine
// watermark; with Config.LogWatermarks, the watermark of its log (its
// newest time less Lateness) when that is earlier, so that an event is
// late only behind lines of its own log, and never in the first event of
// its log.
func (e *Engine) lateFor(lt parser.Type, t time.Time, tns int64) (time.Time, bool) {
	if !e.late(t, tns) {
		return time.Time{}, false
	}
	wm := e.watermark()
	if !e.cfg.LogWatermarks || lt >= parser.NumTypes {
		return wm, true
	}
	n := e.logNewest[lt]
	if n == 0 || tns == noNanos {
		return time.Time{}, false
	}
	if lw := time.Unix(0, n).UTC().Add(-e.cfg.Lateness); lw.Before(wm) {
		wm = lw
	}
	return wm, t.Before(wm)
}

// ruleWatermark returns the watermark to advance r to when the engine
// watermark is wm: wm, but no later than the oldest newest time of the
// logs of r the rules were given an event of, less Lateness, and never
// earlier than what r was advanced to before. ok is false when r is not
// to be advanced: none of its logs gave an event yet, or its watermark
// did not move. A rule whose Wants keys name no log is advanced to wm.
func (e *Engine) ruleWatermark(r *ruleState, wm time.Time) (_ time.Time, ok bool) {
	if r.logs == 0 {
		return wm, true
	}
	low := int64(math.MaxInt64)
	for t := range parser.NumTypes {
		if r.logs>>t&1 == 1 && e.logNewest[t] != 0 {
			low = min(low, e.logNewest[t])
		}
	}
	if low == math.MaxInt64 {
		return time.Time{}, false
	}
	rwm := time.Unix(0, low).UTC().Add(-e.cfg.Lateness)
	if rwm.After(wm) {
		rwm = wm
	}
	ns := nanos(rwm)
	if ns == noNanos || ns <= r.wm {
		return time.Time{}, false
	}
	r.wm = ns
	return rwm, true
}

// advanceRule advances r to the engine watermark wm, or to its own with
// Config.LogWatermarks (ruleWatermark).
func (e *Engine) advanceRule(r *ruleState, wm time.Time) {
	if e.cfg.LogWatermarks {
		var ok bool
		if wm, ok = e.ruleWatermark(r, wm); !ok {
			return
		}
	}
	r.rule.Advance(wm, r.emit)
}

// logNewestState returns logNewest by log name, for the saved state; nil
// when no log gave an event (or without Config.LogWatermarks).
func (e *Engine) logNewestState() map[string]time.Time {
	var m map[string]time.Time
	for t, ns := range e.logNewest {
		if ns == 0 {
			continue
		}
		if m == nil {
			m = map[string]time.Time{}
		}
		m[parser.Type(t).String()] = time.Unix(0, ns).UTC()
	}
	return m
}

// restoreLogNewest restores logNewest from the saved state m; names of
// logs this version does not know are left out.
func (e *Engine) restoreLogNewest(m map[string]time.Time) {
	for name, at := range m {
		if t, err := parser.ParseType(name); err == nil {
			e.noteLog(t, nanos(at))
			if t < parser.NumTypes {
				e.foldedNewest[t] = max(e.foldedNewest[t], nanos(at))
			}
		}
	}
}

// JoinedLogs returns, by rule id, the logs of each running rule that
// keeps state across lines of more than one log (a Stateful rule whose
// Wants keys name several: sentinel.local_auth_no_mfa's join of the
// application and audit sign-ins, sentinel.impersonation's sessions); nil
// when none does. detect tells a run with a kept --state-dir that reads
// only some of them that a run over the others does not join with it.
func (e *Engine) JoinedLogs() map[string][]parser.Type {
	e.mu.Lock()
	defer e.mu.Unlock()
	var m map[string][]parser.Type
	for _, r := range e.rules {
		if _, ok := r.rule.(Stateful); !ok {
			continue
		}
		if logs := wantsLogs(r.rule); len(logs) > 1 {
			if m == nil {
				m = map[string][]parser.Type{}
			}
			m[r.info.ID] = logs
		}
	}
	return m
}
