package agent

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/geoip"
	"github.com/gitlab-syslog/gitlab-syslog/internal/inputs"
	"github.com/gitlab-syslog/gitlab-syslog/internal/mapping"
	"github.com/gitlab-syslog/gitlab-syslog/internal/metrics"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
)

// DefaultWorkers returns the default number of encode workers per source:
// min(2, GOMAXPROCS). The agent's own hot path (parse and encode) rarely
// gains from more than two; the tailer and the forwarder's writer need the
// rest.
func DefaultWorkers() int { return min(2, runtime.GOMAXPROCS(0)) }

// runPipeline starts the dispatcher, the workers and the sender, each
// counted in wg (the package doc shows where they stand in the data flow).
// They are connected per batch (never per line) by channels whose capacity
// is the number of slots, so that only the free channel ever blocks the
// dispatcher (backpressure):
//
//	tailer ─▶ dispatch ─┬─ work ──▶ worker 1..N (map + encode into slot.fb)
//	                    └─ order ─▶ send (waits for slot.ready, in order) ─▶ sink
//
// The order channel is FIFO, so the sender hands batches to the sink in the
// order the tailer produced them whatever order the workers finish in; the
// sink acknowledges in that order, so the tailer's commits stay in order.
// Idle goroutines block on their channels; nothing spins.
func (s *source) runPipeline(ctx context.Context, wg *sync.WaitGroup) {
	pctx, stop := context.WithCancel(ctx)
	wg.Go(func() {
		defer stop()
		s.dispatch(ctx, pctx)
	})
	for _, w := range s.workers {
		wg.Go(func() { w.run(s.work) })
	}
	wg.Go(func() {
		defer close(s.handed)
		s.send(pctx, stop)
	})
}

// dispatch takes the tailer's batches in order, gives each a free slot and
// queues the slot for the workers and, in the same order, for the sender.
// It stops when ctx ends, or when the sender stopped the pipeline (pctx)
// because the sink failed; then it releases what the tailer still queues.
func (s *source) dispatch(ctx, pctx context.Context) {
	defer close(s.work)
	defer close(s.order)
	defer func() {
		if ctx.Err() == nil {
			// The sink failed: stop reading (the file is read again at
			// the next start or reload) until the source is stopped.
			<-ctx.Done()
		}
		s.drain()
	}()
	batches := s.t.Batches()
	var ct carryTimer
	defer ct.stop()
	for {
		var tb *tailer.Batch
		select {
		case <-pctx.Done():
			return
		case <-ct.c:
			ct.c = nil
			if !s.flushCarry(pctx) {
				return
			}
			continue
		case b, ok := <-batches:
			if !ok {
				return
			}
			tb = b
		}
		var sl *slot
		select {
		case sl = <-s.free:
		case <-pctx.Done():
			s.t.Release(tb)
			return
		}
		sl.tb, sl.flush, sl.hold = tb, false, tailer.Mark{}
		if s.olderLater && !s.olderSet {
			s.noteSkipped()
		}
		if s.format != container.Plain {
			s.carryOver(sl)
			// stderr's parts too, which hold nothing when dropped.
			s.carryPending.Store(!s.carry.Empty())
			ct.arm(!s.carry.Empty(), s.carryWait)
		}
		// Neither send blocks: both channels have room for every slot.
		s.order <- sl
		s.work <- sl
	}
}

// carryTimer fires the source's carry timeout (Options.CarryTimeout) after
// the last batch that left parts of a line pending; its channel c is nil
// while disarmed.
type carryTimer struct {
	t *time.Timer
	c <-chan time.Time
}

// arm restarts the timer for d when on, else disarms it.
func (ct *carryTimer) arm(on bool, d time.Duration) {
	if !on {
		if ct.t != nil {
			ct.t.Stop()
		}
		ct.c = nil
		return
	}
	if ct.t == nil {
		ct.t = time.NewTimer(d)
	} else {
		ct.t.Reset(d)
	}
	ct.c = ct.t.C
}

func (ct *carryTimer) stop() {
	if ct.t != nil {
		ct.t.Stop()
	}
}

// flushCarry gives up waiting for the end of the line whose parts are
// pending: it queues a slot without a batch that sends the parts raw (see
// worker.flushCarry) and, once acknowledged, releases the checkpoint their
// batch held (tailer.Tailer.Unhold; under --once tailer.Tailer.UnholdSent,
// so that a later run that finds the file grown reads the parts again and
// sends their line whole). It reports false when pctx ended first.
func (s *source) flushCarry(pctx context.Context) bool {
	var sl *slot
	select {
	case sl = <-s.free:
	case <-pctx.Done():
		return false
	}
	sl.flush, sl.hold, sl.tailAt, sl.tailSub = true, s.hold, -1, nil
	sl.carry.Stdout = append(sl.carry.Stdout[:0], s.carry.Stdout...)
	sl.carry.Stderr = append(sl.carry.Stderr[:0], s.carry.Stderr...)
	if len(bytes.TrimSpace(s.carry.Stdout)) > 0 {
		s.tailOpen, s.tailSub, s.tailWhy = true, bytes.Clone(container.SubcomponentOf(s.carry.Stdout)), errLateTail
		sl.tailSub = s.tailSub // the parts' APP-NAME, as the rest's
	}
	s.clearCarry()
	s.order <- sl
	s.work <- sl
	return true
}

// send hands the encoded batches to the sink in dispatch order. After the
// pipeline stopped (shutdown, reload, or a sink failure, which it reports
// and which stops the pipeline) it releases the remaining batches without
// sending or committing them: they are read again next time. A batch it
// began to hand over (the engine folded its events) is handed over
// whatever ctx does, until the source abandons it (stopHandoff).
func (s *source) send(ctx context.Context, stop context.CancelFunc) {
	stopped := false
	for sl := range s.order {
		<-sl.ready
		if stopped || ctx.Err() != nil {
			stopped = true
			s.discard(sl)
			continue
		}
		s.pl.reportFails(&sl.fails)
		s.recheck(sl)
		if len(sl.events) > 0 || len(sl.declined) > 0 || sl.read.tb != nil {
			// In file order, just before the lines leave: the alerts
			// ride in the same batch (see detector).
			sl.alerts = s.det.process(sl)
		} else if s.detPos != nil && sl.tb != nil {
			if m := s.detPos.set(sl.tb); m != (mark{}) {
				s.det.mu.Lock()
				s.det.noted(s.detPos.name, m)
				s.det.mu.Unlock()
			}
		}
		s.aw.sent(time.Now())
		if err := s.sink.Send(s.handoff, &sl.fb, sl.ack); err != nil {
			s.aw.acked(time.Now())
			if sl.alerts > 0 {
				s.det.acked(sl.alerts, sl.ids, err)
				sl.alerts = 0
			}
			s.discard(sl)
			stopped = true
			if ctx.Err() == nil && !errors.Is(err, forwarder.ErrClosed) {
				s.fail(err)
			}
			stop()
		}
	}
}

// discard releases the slot's batch without committing it.
func (s *source) discard(sl *slot) {
	tb := sl.tb
	sl.tb = nil
	clear(sl.events) // not folded: the lines are read again next time
	sl.events = sl.events[:0]
	clear(sl.declined)
	sl.declined = sl.declined[:0]
	s.t.Release(tb)
	s.free <- sl
}

// worker parses and encodes batches. Each has its own mapper (with its
// parser), record and message, reused for every line, so encoding
// allocates nothing.
type worker struct {
	mp  *mapping.Mapper // the line-to-message mapping send uses too
	rec parser.Record
	msg forwarder.Message
	enc *forwarder.Encoder // safe for concurrent use
	m   *metrics.Source
	pl  *parseLog // shared by the source's workers; may be nil
	// fails, when not nil, records the lines of the slot being encoded
	// that did not parse, for the sender to report in order (see
	// parseFails); nil: failed reports them at once.
	fails *parseFails
	uw    *unwrapper // nil for format plain
	// tailAt, tailSub and tailWhy are the slot's for the batch being
	// encoded; tailWhy nil: no line is such a rest (the rescan worker's,
	// a slot made elsewhere than carryOver).
	tailAt  int
	tailSub []byte
	tailWhy error
	// unparsed counts, per source, the lines forwarded raw; may be nil.
	unparsed *atomic.Uint64

	// Detection: det is nil when detections are off.
	det   *detect.Engine     // Want is safe for concurrent use
	wr    *detect.Wanter     // det's, for this worker's goroutine (see want)
	arena *detect.EventArena // where event makes Events: the slot's; nil: owned Events
	sums  *lineSums          // where encode records the lines' hint sums: the slot's; nil: none
	// declined is where encode appends the events of the lines a rule's
	// WantFilter dropped (detect.RuleSet.Declined): the slot's; nil: none.
	declined *[]*detect.Event
	// read is where offer records the newest time of the lines that
	// parsed: the slot's; nil: none.
	read   *readMark
	origin detect.Origin
	src    string // Event.Source: the configured path, or "stream"
	host   string
	fileID string        // fileKey of fileOf, made when the batches' file changes
	fileOf tailer.FileID // the file fileID names

	// For the spool of a network input: relay maps its lines, in counts
	// what it forwarded unchanged or dropped. nil for files.
	relay *inputs.Relay
	in    *input
}

// event makes the Event of line i of tb, parsed into w.rec (and enriched
// in w.msg), wanted by the rules of set (its Rules), which w.det computed;
// for a network input's line its Host is the message's (the relay's).
// With w.arena set (the slot's) it is made in the arena: valid until the
// arena is reset, which is after the engine processed the slot (see
// detect.Event), and a line that is a part of tb aliases it (tb is
// released only after that); it may be thin, for w.det's Process only
// (detect.EventArena.NewFor). Without, it is a new Event that owns its
// storage (as detect.NewEvent's).
func (w *worker) event(tb *tailer.Batch, i int, line []byte, set detect.RuleSet) *detect.Event {
	if f := &tb.File; w.fileID == "" || w.fileOf.Dev != f.Dev || w.fileOf.Ino != f.Ino { // !SameFile, without copying FileIDs
		w.fileID, w.fileOf = fileKey(tb.File), tb.File
	}
	extra := w.msg.Params[len(w.rec.Fields):] // the GeoIP columns
	var ev *detect.Event
	switch {
	case w.arena != nil && w.det != nil:
		ev = w.arena.NewFor(w.det, set, &w.rec, line, within(tb.Data, line), extra...) // sets Rules
		if w.wr != nil {
			w.wr.Stamp(ev)
		}
	case w.arena != nil:
		ev = w.arena.New(&w.rec, line, within(tb.Data, line), extra...)
		ev.Rules = set
	default:
		ev = detect.AllocEvent(len(w.rec.Fields) + len(extra)) // Fill appends without growing Columns
		ev.Fill(&w.rec, line, extra...)
		ev.Rules = set
	}
	ev.Source, ev.Origin, ev.FileID, ev.Offset, ev.Host = w.src, w.origin, w.fileID, tb.Offsets[i], w.host
	if w.relay != nil {
		ev.Host = w.relay.Host()
	}
	return ev
}

// within reports whether b is a non-empty part of buf.
func within(buf, b []byte) bool {
	if len(b) == 0 || len(buf) == 0 {
		return false
	}
	at := uintptr(unsafe.Pointer(unsafe.SliceData(b))) - uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	return at < uintptr(len(buf)) && uintptr(len(b)) <= uintptr(len(buf))-at
}

// want returns the rules that want the line parsed into w.rec (none when
// detections are off), for the line's Event.Rules, through a Wanter of
// w.det made on first use (and again once w.det is replaced).
func (w *worker) want() detect.RuleSet {
	if w.det == nil {
		w.wr = nil // keeps no engine a reload turned off
		return detect.RuleSet{}
	}
	if w.wr == nil || w.wr.Engine() != w.det {
		w.wr = w.det.NewWanter()
	}
	return w.wr.WantRules(w.rec.Type, &w.rec)
}

func newWorker(typ parser.Type, enc *forwarder.Encoder, geo *geoip.DB, m *metrics.Source, opts forwarder.RecordOptions) *worker {
	return &worker{mp: mapping.New(typ, geo, opts), enc: enc, m: m}
}

// offer appends the event of line i of tb (parsed into w.rec) to evs when
// a rule wants it, and to w.declined (when not nil) when a rule's
// WantFilter declined it (detect.RuleSet.Declined), one event for both;
// a line no rule wants has its hint sums recorded for the recheck.
func (w *worker) offer(tb *tailer.Batch, i int, line []byte, evs *[]*detect.Event) {
	if w.read != nil {
		w.read.note(w.rec.Time, tb, i)
	}
	set := w.want()
	var ev *detect.Event
	if set.Wanted() {
		ev = w.event(tb, i, line, set)
		*evs = append(*evs, ev)
	} else if w.sums != nil && w.sums.on {
		w.sums.take(i, w.wr, &w.rec) // a line wanted now is never rechecked
	}
	if set.Declined() && w.declined != nil {
		if ev == nil {
			ev = w.event(tb, i, line, set)
		}
		*w.declined = append(*w.declined, ev)
	}
	if ev != nil && w.read != nil {
		w.read.take(i, ev)
	}
}

// run encodes the slots from work until it is closed, signalling each one
// ready.
func (w *worker) run(work <-chan *slot) {
	for sl := range work {
		w.encodeSlot(sl)
		sl.ready <- struct{}{}
	}
}

// failed reports a line ending at byte end of file that did not parse
// with err: through w.fails when set, else at once (parseLog.reportIf).
func (w *worker) failed(file string, end int64, err error) {
	if w.fails != nil {
		w.fails.note(file, end, err)
		return
	}
	w.pl.reportIf(file, end, err)
}

// encodeSlot encodes sl's batch (or sends its carried parts: flushCarry),
// with detections on into sl's events, made in sl's arena, and sl's line
// sums, between the engine's WantEpoch before and after (see recheck).
func (w *worker) encodeSlot(sl *slot) {
	sl.sums.reset(nil, 0)
	sl.fails, w.fails = parseFails{}, &sl.fails
	sl.read = readMark{lookAhead: w.relay == nil} // a network input's lines come from several clocks
	if w.det != nil {
		sl.read.gapSec = int64(w.det.AheadGap() / time.Second)
		sl.wantEpoch = w.det.WantEpoch()
		sl.arena.Reset() // the events of its last batch were processed or dropped
		w.arena, w.sums, w.declined, w.read = &sl.arena, &sl.sums, nil, &sl.read
		if w.det.KeepsDeclined() {
			w.declined = &sl.declined
		}
	} else {
		w.arena, w.sums, w.declined, w.read = nil, nil, nil, nil
	}
	switch {
	case sl.flush:
		w.flushCarry(&sl.fb, &sl.carry, sl.hold, sl.tailSub)
		sl.skipped = 0
	case w.relay != nil:
		w.encodeInput(sl.tb, &sl.fb, &sl.events)
	default:
		w.tailAt, w.tailSub, w.tailWhy = sl.tailAt, sl.tailSub, sl.tailWhy
		sl.skipped = w.encode(sl.tb, &sl.fb, &sl.events, &sl.carry)
	}
	sl.read.finish()
	if w.det != nil {
		sl.doneEpoch = w.det.WantEpoch()
	}
}

// encode turns the lines of tb into syslog messages in fb, skipping blank
// lines (empty or only white space), and, with detections on, appends the
// lines the engine wants to evs as events. Every line sent raw (it did not
// parse, or the tailer cut it to max_line_bytes: see mapping.Mapper.Map) is
// counted as a parse failure. For a source in a container format, lines are
// unwrapped first (see encodeWrapped): parts of a line and dropped lines
// send nothing; it returns how many lines were not sent for those reasons.
func (w *worker) encode(tb *tailer.Batch, fb *forwarder.Batch, evs *[]*detect.Event, carry *container.Carry) (skipped int) {
	fb.Reset()
	w.mp.Opts.Now = time.Now()
	if w.uw != nil {
		w.uw.dec.Seed(carry)
	}
	n := tb.Len()
	if w.sums != nil {
		w.sums.reset(w.det, n)
	}
	failures := 0
	var uc unwrapCounts
	sampling := w.pl != nil && w.pl.sample.wants() // the first lines: is the type right?
	var ls lineSample
	for i := range n {
		line := tb.Line(i)
		if parser.Blank(line) {
			continue // a blank line carries nothing; send skips it too
		}
		var perr error
		if w.uw == nil {
			perr = w.mp.Map(line, tb.IsCut(i), &w.rec, &w.msg)
		} else {
			if sampling {
				ls.addRecord(line)
			}
			var ok bool
			dropped := uc.dropped
			if line, ok, perr = w.unwrapLine(tb, i, fb, &uc); !ok {
				if sampling && uc.dropped > dropped {
					ls.addDropped(line)
				}
				continue
			}
		}
		if perr == nil {
			if sampling {
				ls.add(line, true, w.rec.Type)
			}
			w.offer(tb, i, line, evs)
		} else {
			// Never dropped: sent raw, without STRUCTURED-DATA. A cut
			// line is logged by the tailer, not as a parse error.
			failures++
			if !errors.Is(perr, mapping.ErrNoParser) && !errors.Is(perr, mapping.ErrCut) {
				if sampling {
					ls.add(line, false, parser.TypeUnknown)
				}
				w.failed(tb.Name, tb.Offsets[i], perr)
			}
		}
		fb.Append(w.enc, &w.msg)
	}
	if sampling {
		w.pl.sample.judge(tb.Name, &ls)
	}
	w.m.LinesRead.Add(float64(n))
	w.m.BytesRead.Add(float64(len(tb.Data) + n)) // + the newlines
	w.count(failures, &uc)
	return uc.skipped
}

// count adds a batch's lines sent raw (failures, and uc's unwrap errors)
// and uc's dropped lines to the source's metrics.
func (w *worker) count(failures int, uc *unwrapCounts) {
	if failures += uc.unwrapErrs; failures > 0 {
		w.m.ParseFailures.Add(float64(failures))
		if w.unparsed != nil {
			w.unparsed.Add(uint64(failures))
		}
	}
	uc.add(w.m)
}

// parse parses line into w.rec and, when it parsed, fills w.msg from it as
// encode does. It returns nil, the parser's error or mapping.ErrNoParser.
func (w *worker) parse(line []byte) error {
	return w.mp.Map(line, false, &w.rec, &w.msg)
}
