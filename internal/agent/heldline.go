package agent

import (
	"context"
	"slices"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// A line dated more than the engine's AheadGap (the lateness, at least
// detect.MinAheadGap) ahead of the lines before it is
// either a step in time (the clock moved, and the lines after it carry on
// from it) or an outlier (one line in another time zone, a clock that
// stepped and came back: the lines after it carry on from the lines
// before it). readMark judges such a line within its batch by the line
// after it (lookAhead). A source is often read a few lines at a time,
// and a live one a line at a time: the line is then the first or the last
// of its batch, and the judgement needs the batch before or after it.
// The sender, which gives the engine a source's batches in order, keeps
// what it needs per source (srcPos, under detector.mu): the newest time
// of the lines it gave the engine, and the line it holds (heldLine).

// heldLine is a line more than the AheadGap ahead of the lines before it,
// the last with a time of its batch, that the sender holds from the
// engine until a line of its source tells whether it is an outlier or a
// step, or for at most heldLineWait (settleHeldLines).
type heldLine struct {
	t       time.Time
	sec     int64         // t's Unix seconds
	prevSec int64         // the newest time of the lines before it (Unix seconds)
	key     string        // fileKey of its file
	from    int64         // the file offset where it begins
	end     int64         // the file offset after it (Event.Offset)
	ev      *detect.Event // a copy of its event (Event.Clone); nil when no rule wanted it
	at      time.Time     // the wall clock when it was held
}

// judgeRead judges, for a file source, sl's lines against the batches of
// its source before (readMark's lead and tail): it gives the engine the
// line the sender held, as an outlier or as a step, once sl has a line
// with a time; it marks sl's first line with a time an outlier when it is
// more than the AheadGap ahead of the source's newest and the line after
// it goes back to carry on from that newest; and it holds sl's last line
// with a time when it is ahead so and not yet judged (heldLine). In the
// first batch of a source, whose newest time is not known, the first line
// is an outlier when the line after it is more than
// detect.FirstOutlierGap older, as in detect. It updates the source's
// newest time. d.mu is held; the engine's alerts go to d.cur.
func (d *detector) judgeRead(sl *slot) {
	r := &sl.read
	p := sl.s.detPos
	if !r.lookAhead || p == nil {
		r.settleTail()
		return
	}
	late := r.gapSec
	if h := p.held; h != nil && r.tb != nil {
		d.settleHeld(p, outlierSec(h.sec, r.leadSec, h.prevSec, late))
	}
	if r.tail && !d.holdable(r.heldT, r.heldEv) {
		r.settleTail()
	}
	tb := r.tb
	switch {
	case tb == nil:
	case !p.hasNewest: // the first batch: detect's rule for an input's first line
		if r.leadNewest() && r.leadSec-r.nextSec > max(late, firstGapSec) {
			r.leadOutlier()
		}
	case r.leadSec-p.newestSec <= late:
	case r.leadNewest() && outlierSec(r.leadSec, r.nextSec, p.newestSec, late):
		r.leadOutlier()
	case !r.hasNext && d.holdable(r.leadT, r.leadEv):
		d.hold(p, sl, tb, r.leadI, r.leadT, r.leadSec, p.newestSec, r.leadEv)
		r.tb = nil // its only line with a time is held: no Progress
	}
	if r.tail {
		r.tail = false
		d.hold(p, sl, tb, r.heldI, r.heldT, r.heldSec, r.sec, r.heldEv)
	}
	if r.tb != nil {
		p.setNewest(r.t)
	}
}

// firstGapSec is detect.FirstOutlierGap in seconds.
const firstGapSec = int64(detect.FirstOutlierGap / time.Second)

// holdable reports whether a line of time t, more than the AheadGap
// ahead of the lines before it, with event ev (nil: no rule wants it), is
// worth holding for the next line. Not when t is within the AheadGap of
// the wall clock: a line of a live log dated now after a quiet spell is
// more than the AheadGap ahead of the line before it, a step, which
// holding would only delay (its per-event alerts too). Nor when t is
// more than detect.LiveMaxAhead after the clock, unless ev's time has no
// zone (detect.Event.CoarseTime): the engine keeps such a line from the
// windowed rules whatever comes after it. A line that is holdable is
// either somewhat ahead of the clock or of a log read behind it (a
// backlog, whose next batch follows at once).
func (d *detector) holdable(t time.Time, ev *detect.Event) bool {
	now := time.Now()
	late := d.e.AheadGap()
	switch {
	case t.After(now.Add(detect.LiveMaxAhead)):
		return ev != nil && ev.CoarseTime()
	case t.After(now.Add(late)) || t.Before(now.Add(-late)):
		return true
	}
	return false
}

// hold makes line i of tb, of time t (Unix seconds sec), ahead of the
// source's lines before it (newest prevSec), the line p holds, taking its
// event ev (when a rule wanted it) out of sl's events into a copy.
func (d *detector) hold(p *srcPos, sl *slot, tb *tailer.Batch, i int, t time.Time, sec, prevSec int64, ev *detect.Event) {
	h := &heldLine{t: t, sec: sec, prevSec: prevSec, key: fileKey(tb.File), from: tb.StartOf(i).Offset, end: tb.Offsets[i], at: time.Now()}
	if ev != nil {
		sl.events = slices.DeleteFunc(sl.events, func(e *detect.Event) bool { return e == ev })
		h.ev = ev.Clone()
	}
	p.held = h
	p.holdFrom(h)
}

// settleHeld gives the engine the line p holds: as an outlier (its event
// reaches the per-event rules only and its time moves no watermark), or
// as a step (its event as any, then its time: detect.Engine.Progress).
// d.mu is held; the alerts go to d.cur.
func (d *detector) settleHeld(p *srcPos, outlier bool) {
	h := p.held
	p.held = nil
	p.holdFrom(nil)
	if h.ev != nil {
		h.ev.Outlier = outlier
		d.e.ProcessBatch([]*detect.Event{h.ev})
	}
	if outlier {
		return
	}
	d.e.Progress(p.name, h.key, h.end, h.t)
	p.setNewest(h.t)
}

// heldLineWait is how long a line is held for the next line of its
// source at most (or the lateness, when shorter). A line is held only
// when it is dated more than the AheadGap away from the clock, and not
// far ahead of it (holdable): a backlog's next batch follows at once,
// and a log appended in the past
// a line at a time (a replay, a test) is appended faster; the wait delays
// the held line's per-event alerts, and the windows its time closes.
const heldLineWait = 5 * time.Second

// settleHeldLines settles the lines the sources hold that were held for
// heldLineWait (or the lateness, when shorter) at wall clock now, or all
// of them with all, as steps: no line came to say otherwise, and the
// engine's own bound (Config.MaxAhead) still keeps a line dated far after
// the clock from the windowed rules. A line ahead of the clock by less
// is not taken for a wrong time: the GitLab host's clock may run that
// far ahead of this one's. The alerts go through snk.
func (d *detector) settleHeldLines(ctx context.Context, snk sink, now time.Time, all bool) {
	wait := min(heldLineWait, d.e.Lateness())
	due := func(h *heldLine) bool { return h != nil && (all || now.Sub(h.at) >= wait) }
	d.mu.Lock()
	some := false
	for _, p := range d.pos {
		some = some || due(p.held)
	}
	d.mu.Unlock()
	if !some {
		return
	}
	d.alone(ctx, snk, func() {
		for _, p := range d.pos {
			if h := p.held; due(h) {
				d.settleHeld(p, false)
			}
		}
	})
}

// handOver gives the sender of source p, registered after the catch-up
// c, the newest time c folded and the line c still holds, which the
// sender judges by the source's next batch, or for at most heldLineWait
// (settleHeldLines), as one it held itself; positions saved meanwhile
// start at it when it is in the file the source resumes in (not when the
// catch-up read it in a rotated copy: a stop before it is judged then
// loses its event to the rules). A line the sender would not hold
// (holdable) is settled as a step at once, its alerts sent through snk.
func (d *detector) handOver(ctx context.Context, p *srcPos, c *catchUpReader, snk sink) {
	d.mu.Lock()
	if !c.newest.IsZero() {
		p.setNewest(c.newest)
	}
	h := c.held
	c.held = nil
	if h == nil || d.holdable(h.t, h.ev) {
		if h != nil {
			h.at = time.Now()
			p.held = h
			p.holdFrom(h)
		}
		d.mu.Unlock()
		return
	}
	d.mu.Unlock()
	d.alone(ctx, snk, func() { c.held = h; c.settle(d, false) })
}
