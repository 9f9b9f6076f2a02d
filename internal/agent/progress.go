package agent

import (
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
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

	// lookAhead makes a line more than lateSec ahead of the newest before
	// it wait for the next line with a time (held). When that one goes
	// back by more than lateSec and carries on from the lines before the
	// held one (it is not more than lateSec before their newest), the
	// held line is an outlier (one line in another time zone, a clock
	// that stepped and came back): its time is not the batch's, and its
	// event (heldEv, which offer sets) moves no watermark
	// (detect.Event.Outlier). Else it is a step, as without lookAhead. A
	// line still held at the batch's end (finish) is a step. File sources
	// set it; a network input's lines come from several nodes' clocks,
	// interleaved.
	lookAhead bool
	held      bool
	heldT     time.Time
	heldSec   int64
	heldI     int
	heldEv    *detect.Event
}

// note records line i of tb, of event time t (parser.Record.Time; zero
// when the line has none), when t is the newest so far.
func (m *readMark) note(t time.Time, tb *tailer.Batch, i int) {
	if t.IsZero() {
		return
	}
	sec := t.Unix()
	if m.held {
		m.settle(sec)
	}
	if m.tb != nil {
		if sec < m.sec || sec == m.sec && t.Nanosecond() <= m.t.Nanosecond() {
			return
		}
		if sec-m.sec > m.lateSec {
			if m.lookAhead {
				m.held, m.heldT, m.heldSec, m.heldI, m.heldEv = true, t, sec, i, nil
				return
			}
			m.jumped, m.before, m.beforeI, m.jump, m.jumpI = true, m.t, m.i, t, i
		}
	}
	m.t, m.sec, m.tb, m.i = t, sec, tb, i
}

// settle judges the held line by the next line's time (Unix seconds
// sec): an outlier when sec is more than lateSec before it and not more
// than lateSec before the newest line before it (the next line carries on
// from the lines before the held one), else a step.
func (m *readMark) settle(sec int64) {
	m.held = false
	if m.heldSec-sec > m.lateSec && m.sec-sec <= m.lateSec {
		if m.heldEv != nil {
			m.heldEv.Outlier = true
		}
		m.heldEv = nil
		return
	}
	m.heldEv = nil
	m.jumped, m.before, m.beforeI, m.jump, m.jumpI = true, m.t, m.i, m.heldT, m.heldI
	m.t, m.sec, m.i = m.heldT, m.heldSec, m.heldI
}

// holds reports whether line i is the line held (see lookAhead), whose
// event the caller then gives to heldEv.
func (m *readMark) holds(i int) bool { return m.held && m.heldI == i }

// finish takes the line still held at the batch's end for a step.
func (m *readMark) finish() {
	if m.held {
		m.settle(m.heldSec)
	}
}
