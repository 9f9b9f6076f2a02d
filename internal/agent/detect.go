package agent

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/metrics"
	"github.com/gitlab-syslog/gitlab-syslog/internal/shellcmd"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// saveWait bounds how long a state save waits for the alerts in flight to
// be acknowledged before it gives up until the next interval.
const saveWait = 5 * time.Second

// shutdownSaveWait bounds how long the final save at shutdown waits for
// the alerts in flight to be acknowledged. When they are not, the state
// is not saved: the previous save and the catch-up at the next start
// derive them again (see detector).
const shutdownSaveWait = time.Second

// detector runs the detection engine for all sources of the agent.
//
// The parse workers of a source call Engine.Want on every parsed record and
// make Events of the wanted ones in their slot's arena (worker.encode),
// which is reset only when the slot is reused, after process: the engine
// keeps nothing of an event past Process (see detect.Event). The
// source's sender, which takes slots in file order, calls process just
// before it hands the slot to the sink: the engine folds the slot's events
// in file order, and the alerts they cause are encoded into the same
// forwarder batch, after the slot's lines. So a batch's lines and the
// alerts they caused are acknowledged together, and the tailer's
// checkpoint passes those lines only once the alerts were delivered.
//
// The engine's state (which lines were folded, recent event and alert ids,
// suppression, baselines) is saved only while no alert is unacknowledged:
// save holds the engine, waits for the alerts in flight, then writes. A
// saved state therefore never covers an alert that was not delivered.
// With the state, the position up to which each source was considered is
// saved. The ids of the alerts the collector acknowledges are appended
// to a journal (deliveredLog), emptied at each save. After a crash, the
// lines between that position and the tailer's checkpoint are folded
// again at start; of the alerts they raise, those the journal lists are
// dropped (they rode in acknowledged batches), the others (held for the
// watermark when the process died) are sent (see foldCaughtUp); the
// lines after the checkpoint are read again by the tailer, forwarded, folded again (the
// engine skips those its restored state already folded) and raise their
// alerts again with the same alert_id; those the journal lists are
// dropped too (see repeated). An alert is never lost on the agent's side,
// and is sent twice only when it was delivered but not journaled (the
// host crashed: the journal is not synced).
type detector struct {
	e    *detect.Engine
	log  *slog.Logger
	enc  *forwarder.Encoder // the log lines' encoder
	sdid string             // the log lines' SD-ID; alerts use detect.AlertSDID of it
	opts forwarder.RecordOptions

	mu       sync.Mutex // serialises process, advance, catch-up and save
	cur      *forwarder.Batch
	n        int  // alerts appended to cur
	dropping bool // catching up: alerts may have been delivered before the restart
	discard  bool // catching up without a sink: every alert is dropped (see foldCaughtUp)
	// ids are the journal lines (appendDelivered) of the alerts appended to cur
	// (deliveredLog.record's form).
	ids  []byte
	msg  forwarder.Message
	json []byte             // msg's MSG, reused by every alert
	aw   detect.AlertWriter // encodes the alerts into msg; under mu
	// limit is the sink's MaxMessageBytes when cur was set (0: none):
	// an alert longer is shortened to fit (fitAlert).
	limit  int
	stream bool   // the destination is a stream: limit is max_stream_message_bytes, not max_message_bytes
	fitBuf []byte // the MSG of a shortened alert
	// early holds the alerts raised outside a batch (emit with cur nil),
	// earlyN of them, their journal lines earlyIDs, until the next batch
	// takes them (takeEarly).
	early    forwarder.Batch
	earlyN   int
	earlyIDs []byte

	fitLog logGate // paces fitAlert's warnings of alerts shortened
	cutLog logGate // and of alerts that could not be (sent cut)
	// fitted counts the alerts fitAlert made fit: sent without
	// STRUCTURED-DATA, shortened, sent cut.
	fitted struct{ sdDropped, shortened, cut atomic.Uint64 }

	store *detect.Store // where positions are saved; nil: no persistence
	// journal lists the alerts delivered since the last save (nil: no
	// persistence). delivered is what it held at the start (its run,
	// or the one that crashed), read only under mu; trusted is false
	// when it could not be read (see openDelivered): the catch-up then
	// drops every alert it raises.
	journal   *deliveredLog
	delivered map[string]struct{}
	trusted   bool
	saved     map[string]position // positions of the last run, by source
	pos       map[string]*srcPos  // positions of the running sources

	pending  atomic.Int64 // alerts handed to the sink, not yet acknowledged
	lastSave atomic.Int64 // unix nanos of the last state save (0: none)
	lost     atomic.Bool  // an alert was abandoned: saving would hide it
	retired  bool         // replaced by a reload; guarded by mu
	frozen   bool         // being replaced by a reload (freeze); guarded by mu
	active   atomic.Int64 // unix nanos of the last batch of lines processed
	// activitySaved is the active value last written (saveActivity) or
	// tried; guarded by mu.
	activitySaved int64

	base metrics.DetectStats // counters of engines a reload replaced

	// untimed counts the wanted events without a usable time, which
	// process keeps from the engine; untimedLog paces their warnings
	// (guarded by mu).
	untimed    atomic.Uint64
	untimedLog logGate
	caughtMu   sync.Mutex
	caught     map[string]uint64 // alerts dropped while catching up, by rule id

	saves saveLog // paces the log of failed and skipped saves; guarded by mu

	losses lossLog // reports evicted keys and late drops; guarded by mu
}

// newDetector wraps e; alerts are encoded with enc and opts (facility,
// hostname), their own element under detect.AlertSDID(sdid). The
// detector counts as active from now, until Agent.newDetector restores
// the time of the last event saved (loadActivity).
func newDetector(e *detect.Engine, enc *forwarder.Encoder, sdid string, opts forwarder.RecordOptions, log *slog.Logger) *detector {
	d := &detector{e: e, enc: enc, sdid: sdid, opts: opts, log: log, saved: map[string]position{}, pos: map[string]*srcPos{}}
	d.active.Store(time.Now().UnixNano())
	return d
}

// emit is the engine's Emit: it encodes the alert into the batch being
// processed, shortened to fit the sink's MaxMessageBytes when it is
// longer (fitAlert; an alert that fits costs one comparison). It runs
// under d.mu, from process or advance.
func (d *detector) emit(a *detect.Alert) {
	if d.repeated(a.ID) {
		d.caughtMu.Lock()
		if d.caught == nil {
			d.caught = map[string]uint64{}
		}
		d.caught[a.Info.ID]++
		d.caughtMu.Unlock()
		return
	}
	if d.cur == nil {
		if d.discard {
			return
		}
		// Raised outside a batch (the engine moving a restored state's
		// rules to its watermark): kept for the next batch (takeEarly).
		d.cur, d.n, d.ids = &d.early, d.earlyN, d.earlyIDs
		defer func() {
			d.earlyN, d.earlyIDs = d.n, d.ids
			d.cur, d.n, d.ids = nil, 0, nil
		}()
	}
	d.json = d.aw.AppendMessage(a, &d.msg, d.sdid, &d.opts, d.json)
	d.cur.Append(d.enc, &d.msg)
	if d.limit > 0 {
		if n := len(d.cur.Message(d.cur.Len() - 1)); n > d.limit {
			d.fitAlert(a, n)
		}
	}
	d.n++
	d.ids = appendDelivered(d.ids, a)
}

// takeEarly moves the alerts emit kept for want of a batch into d.cur,
// which is set, counted with the batch's. It runs under d.mu.
func (d *detector) takeEarly() {
	if d.earlyN == 0 || d.cur == nil {
		return
	}
	for i := range d.early.Len() {
		d.cur.AppendFrom(&d.early, i)
	}
	d.n += d.earlyN
	d.ids = append(d.ids, d.earlyIDs...)
	d.early.Reset()
	d.earlyN, d.earlyIDs = 0, d.earlyIDs[:0]
}

// repeated reports whether the alert id is to be dropped as delivered
// before the restart: while catching up, see wasDelivered; after, when
// it is in the journal of delivered alerts read at the start (the lines
// after the tailer's checkpoint, read again, raise again the alerts
// delivered since it was written). It runs under d.mu.
func (d *detector) repeated(id string) bool {
	if d.dropping {
		return d.wasDelivered(id)
	}
	_, ok := d.delivered[id]
	return ok
}

// wasDelivered reports whether the catch-up is to drop the alert id as
// delivered before the restart: it is in the journal of delivered alerts,
// or the journal cannot be trusted, or there is no batch to send it in
// (d.cur nil). An alert the restored state records as sent does not reach
// emit: the engine drops an alert_id it has seen (detect.Engine). It runs
// under d.mu.
func (d *detector) wasDelivered(id string) bool {
	if d.cur == nil || !d.trusted {
		return true
	}
	_, ok := d.delivered[id]
	return ok
}

// process folds the events of sl into the engine, in order, once its
// lines were judged against the batches of its source before
// (judgeRead), and appends the alerts they cause to sl.fb. It returns the
// number of alerts.
func (d *detector) process(sl *slot) int {
	d.mu.Lock()
	d.cur, d.n, d.limit, d.ids = &sl.fb, 0, maxMessageBytes(sl.s.sink), sl.ids[:0]
	d.takeEarly()
	sl.events = d.dropUntimed(sl.events, sl.tb)
	d.judgeRead(sl)
	d.processRead(sl)
	if len(sl.declined) > 0 {
		d.e.Declined(sl.declined)
		clear(sl.declined)
		sl.declined = sl.declined[:0]
	}
	if r := &sl.read; r.tb != nil {
		d.e.Progress(sl.s.detPos.name, fileKey(r.tb.File), r.tb.Offsets[r.i], r.t)
	}
	clear(sl.events)
	n := d.n
	d.cur, d.n = nil, 0
	sl.ids, d.ids = d.ids, nil
	d.pending.Add(int64(n))
	d.noted(sl.s.detPos.name, sl.s.detPos.set(sl.tb))
	d.losses.check(d.log, d.e, batchFile(sl))
	d.mu.Unlock()
	sl.events = sl.events[:0]
	d.active.Store(time.Now().UnixNano())
	return n
}

// processRead gives the engine sl's events; when the batch holds a clock
// step (readMark.jumped), the events of the lines before the step, then the
// times of the line before the step and of the step
// (detect.Engine.Progress), then the events after it, so that a step on
// a line no rule wants makes the wanted lines after it late, as in
// detect, whichever batch they were read in. d.mu is held.
func (d *detector) processRead(sl *slot) {
	r := &sl.read
	if !r.jumped {
		d.e.ProcessBatch(sl.events)
		return
	}
	at := r.tb.Offsets[r.jumpI]
	cut := len(sl.events)
	for i, ev := range sl.events {
		if ev.Offset >= at {
			cut = i
			break
		}
	}
	d.e.ProcessBatch(sl.events[:cut])
	key := fileKey(r.tb.File)
	d.e.Progress(sl.s.detPos.name, key, r.tb.Offsets[r.beforeI], r.before)
	d.e.Progress(sl.s.detPos.name, key, at, r.jump)
	d.e.ProcessBatch(sl.events[cut:])
}

// flushLosses logs the evicted keys and late drops the pacing held back
// (lossLog.flush), and the alerts made to fit whose warnings it held
// back (flushFit), at shutdown.
func (d *detector) flushLosses() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.losses.flush(d.log, d.e)
	d.flushFit()
}

// batchFile names the file of sl's lines for the log: its batch's file,
// else its source's path.
func batchFile(sl *slot) string {
	if sl.tb != nil && sl.tb.Name != "" {
		return sl.tb.Name
	}
	return sl.s.cfg.Path
}

// dropUntimed removes from evs, in place, the events without a usable
// time (parser.Record.Time zero: the line's time is missing or
// unreadable), counts them and reports them (reportUntimed). The rules
// decide in event time: such an event would fall in no window, day or
// session, and a per-event rule's alert would have no time. Its line is
// forwarded as any other; only the rules do not see it. tb is the batch
// the events are of (nil: none).
func (d *detector) dropUntimed(evs []*detect.Event, tb *tailer.Batch) []*detect.Event {
	kept := evs[:0]
	for _, ev := range evs {
		if !ev.Time.IsZero() {
			kept = append(kept, ev)
			continue
		}
		d.untimed.Add(1)
		d.reportUntimed(tb, ev)
	}
	clear(evs[len(kept):])
	return kept
}

// reportUntimed logs an event without a usable time: the first at once,
// then at most one every parseLogInterval with the number held back in
// between, naming the file, where its line ends (with the commands that
// print it: findLine) and why it has no time (detect.UntimedCause). It runs
// under d.mu.
func (d *detector) reportUntimed(tb *tailer.Batch, ev *detect.Event) {
	held, ok := d.untimedLog.pass(time.Now())
	if !ok {
		return
	}
	file := ev.Source
	if tb != nil && tb.Name != "" {
		file = tb.Name
	}
	d.log.Warn("detection: event without a usable time; its line is forwarded, but the rules (which decide in event time) do not evaluate it",
		"file", file, "line_end_offset", ev.Offset, "find_line", shellcmd.FindLine(file, ev.Offset), "cause", detect.UntimedCause([]byte(ev.Raw)),
		"unreported_since_last", held)
}

// acked settles n alerts of a batch the sink acknowledged with err;
// ids are their journal lines (appendDelivered). Delivered, their lines
// are written to the journal before they stop counting as in flight, so
// that a save, which waits for none to be, finds them there.
func (d *detector) acked(n int, ids []byte, err error) {
	if n == 0 {
		return
	}
	if err != nil {
		d.abandoned(n)
	} else {
		d.journal.record(ids, d.log)
	}
	d.pending.Add(-int64(n))
}

// abandoned records that n alerts were not delivered: this engine's
// state must not be saved any more, so that the lines that caused them
// are folded again by an engine rebuilt from the last saved state, at the
// reload that closed the sink (see Agent.detectionsKept) or at the next
// start. The first is logged, with the alerts in flight then, its own
// batch's among them (a closing sink abandons them all); the later ones
// are not.
func (d *detector) abandoned(n int) {
	if !d.lost.Swap(true) {
		d.log.Warn("detection alerts not delivered; the detection state is no longer saved, and they are raised again from the last saved state at the next start (or by the reload that changed forward, when one closed the forwarder)",
			"in_flight", max(d.pending.Load(), int64(n)))
	}
}

// save writes the engine's state when no alert is in flight, waiting up
// to wait for acknowledgements, or until ctx ends (the periodic save gives
// way to the shutdown, whose own save follows). It reports whether it
// saved.
func (d *detector) save(ctx context.Context, wait time.Duration) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	deadline := time.Now().Add(wait)
	for d.pending.Load() > 0 {
		if ctx.Err() != nil {
			return false
		}
		if time.Now().After(deadline) {
			d.saves.skip(d.log, d.pending.Load())
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	if d.lost.Load() || d.retired || d.frozen {
		return false
	}
	// The positions after the engine's state: they never run ahead of
	// what the saved state folded.
	err := d.e.Save()
	if err == nil {
		err = d.savePositions(true)
	}
	if err == nil {
		err = d.saveActivity()
	}
	if err != nil {
		d.saves.failure(d.log, d.stateDir(), err)
		return false
	}
	// The saved state covers every alert delivered so far: none is in
	// flight, and none is raised while d.mu is held.
	d.journal.empty(d.log)
	d.saves.success(d.log, d.stateDir())
	d.lastSave.Store(time.Now().UnixNano())
	return true
}

// stateDir returns the directory the state is saved in, for the log.
func (d *detector) stateDir() string {
	if d.store == nil {
		return ""
	}
	return d.store.Dir()
}

// freeze stops saves of d until thaw (or retire), while a reload builds
// the engine replacing it from the state d saved last: a save of d while
// the new engine reads the files would leave it the engine's file of one
// save and the rules' files of another, which it does not restore.
func (d *detector) freeze() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.frozen = true
}

// thaw lets d save again after a reload failed to replace it.
func (d *detector) thaw() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.frozen = false
}

// retire stops saves of a detector a reload replaced. It returns the
// pacing of its failed and skipped saves' log, which the detector
// replacing it takes over: a failure, or a wait for the collector, that
// goes on is not logged again for the reload.
func (d *detector) retire() saveLog {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.retired = true
	return d.saves
}

// advanceIdle moves the watermark to now − lateness when no event was
// processed for lateness and idle reports every source read to its end, so
// that held events and sessions are decided on a quiet instance too; the
// agent calls it on every tick, so the watermark then follows the clock.
// It first records the time of the last event once the detector has
// been quiet for a second after it (saveQuiet), and settles the lines
// the sources held for lateness (settleHeldLines).
func (d *detector) advanceIdle(ctx context.Context, now time.Time, lateness time.Duration, snk sink, idle func() bool) {
	d.saveQuiet(now)
	d.settleHeldLines(ctx, snk, now, false)
	if now.Sub(time.Unix(0, d.active.Load())) < lateness || !idle() {
		return
	}
	d.advance(ctx, now.Add(-lateness), snk)
}

// advance moves the engine's watermark to wm (event time). The alerts it
// causes are sent through snk in a batch of their own.
func (d *detector) advance(ctx context.Context, wm time.Time, snk sink) {
	d.alone(ctx, snk, func() { d.e.Advance(wm) })
}

// alone runs step, a call of the engine that may raise alerts outside
// the sources' batches, logs the losses it caused (lossLog, naming the
// file of the last batch; none before the first batch), and sends its
// alerts through snk in a batch of their own.
func (d *detector) alone(ctx context.Context, snk sink, step func()) {
	fb := new(forwarder.Batch)
	d.mu.Lock()
	d.cur, d.n, d.limit, d.ids = fb, 0, maxMessageBytes(snk), nil
	d.takeEarly()
	step()
	// Events held in the reorder buffer reach the rules here too, and
	// may be dropped as late: logged now, not at the next batch (once a
	// batch named a file: see lossLog.flush).
	if d.losses.file != "" {
		d.losses.check(d.log, d.e, d.losses.file)
	}
	n, ids := d.n, d.ids
	d.cur, d.n, d.ids = nil, 0, nil
	d.pending.Add(int64(n))
	d.mu.Unlock()
	d.send(ctx, snk, fb, n, ids)
}

// send hands fb, which holds n alerts of ids (see acked), to snk, outside
// any slot; n are already counted in flight.
func (d *detector) send(ctx context.Context, snk sink, fb *forwarder.Batch, n int, ids []byte) {
	if n == 0 {
		return
	}
	if err := snk.Send(ctx, fb, func(err error) { d.acked(n, ids, err) }); err != nil {
		d.abandoned(n)
		d.pending.Add(-int64(n))
	}
}

// stats returns the counters for the metrics: the base of replaced
// engines plus the running one's. A rule's Alerts leaves out the alerts
// the catch-up raised again and dropped (delivered before the restart),
// so that it counts the alerts this process sent.
func (d *detector) stats() metrics.DetectStats {
	s := addStats(d.base, toMetrics(d.e.Stats()))
	s.UntimedEvents += d.untimed.Load()
	s.AlertsFitted = s.AlertsFitted.Add(metrics.AlertsFitted{SDDropped: d.fitted.sdDropped.Load(), Shortened: d.fitted.shortened.Load(), Cut: d.fitted.cut.Load()})
	s.AlertsPending = int(d.pending.Load())
	for id, f := range d.e.Files() {
		if s.Files == nil {
			s.Files = map[string]metrics.RuleFile{}
		}
		s.Files[id] = metrics.RuleFile{Entries: f.Entries, Usable: f.Usable, Modified: f.Modified}
	}
	if t := d.lastSave.Load(); t > 0 {
		s.LastSave = time.Unix(0, t)
	}
	if d.base.LastSave.After(s.LastSave) { // saved by an engine a reload replaced, not yet by this one
		s.LastSave = d.base.LastSave
	}
	d.caughtMu.Lock()
	for id, n := range d.caught {
		if r, ok := s.Rules[id]; ok {
			r.Alerts -= min(n, r.Alerts)
			s.Rules[id] = r
		}
	}
	d.caughtMu.Unlock()
	return s
}

// toMetrics converts the engine's counters.
func toMetrics(st detect.Stats) metrics.DetectStats {
	out := metrics.DetectStats{
		Rules:           make(map[string]metrics.RuleStats, len(st.Rules)),
		DedupeDrops:     st.Deduplicated + st.Replayed,
		LateEvents:      st.Late,
		FutureEvents:    st.Future,
		ReorderOverflow: st.ReorderOverflow,
		StateSaveErrors: st.StateSaveErrors,
	}
	for id, r := range st.Rules {
		out.Rules[id] = metrics.RuleStats{Alerts: r.Alerts, Events: r.Evaluated, Fallback: r.Fallback, Evicted: r.Evicted, LiveKeys: r.Keys,
			LateDropped: r.LateDrop + r.TooOld, LookBackEvicted: r.LookBackEvicted, Skipped: r.Skipped}
	}
	return out
}

// addStats adds the counters of b to a; gauges come from b.
func addStats(a, b metrics.DetectStats) metrics.DetectStats {
	out := metrics.DetectStats{
		Rules:           make(map[string]metrics.RuleStats, len(b.Rules)),
		DedupeDrops:     a.DedupeDrops + b.DedupeDrops,
		LateEvents:      a.LateEvents + b.LateEvents,
		FutureEvents:    a.FutureEvents + b.FutureEvents,
		ReorderOverflow: a.ReorderOverflow + b.ReorderOverflow,
		UntimedEvents:   a.UntimedEvents + b.UntimedEvents,
		StateSaveErrors: a.StateSaveErrors + b.StateSaveErrors,
		AlertsFitted:    a.AlertsFitted.Add(b.AlertsFitted),
	}
	for id, r := range a.Rules {
		r.LiveKeys = 0
		out.Rules[id] = r
	}
	for id, r := range b.Rules {
		o := out.Rules[id]
		out.Rules[id] = metrics.RuleStats{Alerts: o.Alerts + r.Alerts, Events: o.Events + r.Events,
			Fallback: o.Fallback + r.Fallback, Evicted: o.Evicted + r.Evicted, LiveKeys: r.LiveKeys,
			LateDropped: o.LateDropped + r.LateDropped, LookBackEvicted: o.LookBackEvicted + r.LookBackEvicted,
			Skipped: o.Skipped + r.Skipped}
	}
	return out
}

// fileKey is the file identity the engine records folded offsets under:
// device and inode, which stay the same across a rename rotation and a
// restart (the tailer's fingerprint grows with a young file, so it is left
// out).
func fileKey(id tailer.FileID) string {
	b := make([]byte, 0, 32)
	b = strconv.AppendUint(b, id.Dev, 10)
	b = append(b, ':')
	b = strconv.AppendUint(b, id.Ino, 10)
	return string(b)
}
