package agent

import (
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// readMark is the newest event time of a batch's lines that parsed,
// whether a rule wanted them or not, and the line it is of: what the
// sender tells the engine after the batch's events
// (detect.Engine.Progress), so that lines no rule takes still move their
// source's watermark. When a line is more than lateSec ahead of the
// newest line before it in the batch (a clock step), both are kept
// (before, jump): the sender gives the engine the batch's events before
// the step, then the two times, then the events after it, so that the
// wanted lines after the step are late as in detect, and the engine
// names the line that jumped (detect.Stats.Jump). Of two steps in a
// batch, the last is kept.
type readMark struct {
	t       time.Time
	sec     int64         // t's Unix seconds
	tb      *tailer.Batch // the batch of the line; nil: no line with a time
	i       int           // the line's index in tb
	lateSec int64         // the engine's lateness, in whole seconds

	jumped  bool      // before and jump are set
	before  time.Time // the newest line's time before the last jump
	beforeI int       // its index in tb
	jump    time.Time // the time of the line that jumped
	jumpI   int       // its index in tb
}

// note records line i of tb, of event time t (parser.Record.Time; zero
// when the line has none), when t is the newest so far.
func (m *readMark) note(t time.Time, tb *tailer.Batch, i int) {
	if t.IsZero() {
		return
	}
	sec := t.Unix()
	if m.tb != nil {
		if sec < m.sec || sec == m.sec && t.Nanosecond() <= m.t.Nanosecond() {
			return
		}
		if sec-m.sec > m.lateSec {
			m.jumped, m.before, m.beforeI, m.jump, m.jumpI = true, m.t, m.i, t, i
		}
	}
	m.t, m.sec, m.tb, m.i = t, sec, tb, i
}
