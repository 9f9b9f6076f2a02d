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
// source's watermark. When a line is more than gapSec ahead of the
// newest line before it in the batch (a clock step), both are kept
// (before, jump): the sender gives the engine the batch's events before
// the step, then the two times, then the events after it, so that the
// wanted lines after the step are late as in detect, and the engine
// names the line that jumped (detect.Stats.Jump). Of two steps in a
// batch, the last is kept.
//
// With lookAhead it also records what the sender needs to judge the
// batch's lines against the batch before (detector.judgeRead): the first
// line with a time (lead), the time of the next one and the newest of the
// lines after the lead (rest), and leaves a line still held at the
// batch's end undecided (tail).
type readMark struct {
	t      time.Time
	sec    int64         // t's Unix seconds
	tb     *tailer.Batch // the batch of the line; nil: no line with a time
	i      int           // the line's index in tb
	gapSec int64         // the engine's AheadGap, in whole seconds

	jumped  bool      // before and jump are set
	before  time.Time // the newest line's time before the last jump
	beforeI int       // its index in tb
	jump    time.Time // the time of the line that jumped
	jumpI   int       // its index in tb

	// lookAhead makes a line more than gapSec ahead of the newest before
	// it wait for the next line with a time (held). When that one goes
	// back by more than gapSec and carries on from the lines before the
	// held one (it is not more than gapSec before their newest), the
	// held line is an outlier (one line in another time zone, a clock
	// that stepped and came back): its time is not the batch's, and its
	// event (heldEv, which offer sets) moves no watermark
	// (detect.Event.Outlier). Else it is a step, as without lookAhead. A
	// line still held at the batch's end (finish) is left to the sender
	// (tail), which judges it by the next batch. File sources set it; a
	// network input's lines come from several nodes' clocks, interleaved.
	lookAhead bool
	held      bool
	heldT     time.Time
	heldSec   int64
	heldI     int
	heldEv    *detect.Event
	// tail says that finish left the held line undecided: its time is not
	// in t, and the sender judges it by the next batch's lines.
	tail bool

	// leadT is the time of the batch's first line with one (leadI, its
	// event leadEv when a rule wanted it); nextSec the Unix seconds of the
	// line with a time after it (hasNext); restT the newest time of the
	// lines after the lead (restI its line). Set with lookAhead only.
	leadT   time.Time
	leadSec int64
	leadI   int
	leadEv  *detect.Event
	hasNext bool
	nextSec int64
	restT   time.Time
	restSec int64
	restI   int
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
	if m.lookAhead {
		m.noteLead(t, sec, i)
	}
	if m.tb != nil {
		if sec < m.sec || sec == m.sec && t.Nanosecond() <= m.t.Nanosecond() {
			return
		}
		if sec-m.sec > m.gapSec {
			if m.lookAhead {
				m.held, m.heldT, m.heldSec, m.heldI, m.heldEv = true, t, sec, i, nil
				return
			}
			m.jumped, m.before, m.beforeI, m.jump, m.jumpI = true, m.t, m.i, t, i
		}
	}
	m.t, m.sec, m.tb, m.i = t, sec, tb, i
}

// noteLead records line i, of time t (Unix seconds sec), as the lead,
// the next line or one of the rest (see readMark).
func (m *readMark) noteLead(t time.Time, sec int64, i int) {
	switch {
	case m.tb == nil:
		m.leadT, m.leadSec, m.leadI = t, sec, i
	case !m.hasNext:
		m.hasNext, m.nextSec = true, sec
		m.restT, m.restSec, m.restI = t, sec, i
	case sec > m.restSec || sec == m.restSec && t.Nanosecond() > m.restT.Nanosecond():
		m.restT, m.restSec, m.restI = t, sec, i
	}
}

// outlierSec reports whether a line of time heldSec, ahead of lines whose
// newest is beforeSec, is an outlier by the time nextSec of the line with
// a time after it (all Unix seconds): nextSec goes back more than late
// from it, and is not more than late before beforeSec (it carries on from
// the lines before the held one). Else the held line is a step.
func outlierSec(heldSec, nextSec, beforeSec, late int64) bool {
	return heldSec-nextSec > late && beforeSec-nextSec <= late
}

// settle judges the held line by the next line's time (Unix seconds
// sec): an outlier when sec is more than gapSec before it and not more
// than gapSec before the newest line before it (the next line carries on
// from the lines before the held one), else a step.
func (m *readMark) settle(sec int64) {
	m.held = false
	if outlierSec(m.heldSec, sec, m.sec, m.gapSec) {
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

// leadNewest reports whether the lead is the batch's newest line and a
// line with a time follows it, with no step or held line after it: the
// batch a lead that is an outlier leaves.
func (m *readMark) leadNewest() bool {
	return m.hasNext && !m.jumped && !m.tail && m.i == m.leadI
}

// leadOutlier takes the lead for an outlier: its event, when a rule
// wanted it, is marked so (detect.Event.Outlier), and the batch's newest
// line is the newest of the rest.
func (m *readMark) leadOutlier() {
	if m.leadEv != nil {
		m.leadEv.Outlier = true
	}
	m.t, m.sec, m.i = m.restT, m.restSec, m.restI
}

// take records ev, the event of line i, when line i is the held line or
// the lead (see lookAhead).
func (m *readMark) take(i int, ev *detect.Event) {
	if m.held && m.heldI == i {
		m.heldEv = ev // an outlier's is marked so (readMark.lookAhead)
	}
	if m.lookAhead && m.tb != nil && m.leadI == i {
		m.leadEv = ev
	}
}

// finish leaves the line still held at the batch's end undecided (tail),
// for the sender to judge by the next batch (detector.judgeRead).
func (m *readMark) finish() {
	if m.held {
		m.tail = true
	}
}

// settleTail takes the tail for a step, as finish did before the sender
// judged across batches: for a batch the sender does not judge.
func (m *readMark) settleTail() {
	if m.tail {
		m.tail = false
		m.settle(m.heldSec)
	}
}
