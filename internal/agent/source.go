package agent

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/forwarder"
	"github.com/gitlab-syslog/gitlab-syslog/internal/config"
	"github.com/gitlab-syslog/gitlab-syslog/internal/container"
	"github.com/gitlab-syslog/gitlab-syslog/internal/detect"
	"github.com/gitlab-syslog/gitlab-syslog/internal/geoip"
	"github.com/gitlab-syslog/gitlab-syslog/internal/metrics"
	"github.com/gitlab-syslog/gitlab-syslog/internal/shellcmd"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
	"github.com/gitlab-syslog/gitlab-syslog/tailer"
	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// DefaultCarryTimeout is the default of Options.CarryTimeout: how long the
// parts of a line a container runtime split (CRI "P" records, Docker's
// 16 KiB split) wait for their end; when no batch came for that long, they
// are sent raw on their own (see source.flushCarry). Runtimes write the
// parts of a line back to back.
const DefaultCarryTimeout = 5 * time.Second

// slotsPerSource is the number of batches a source may have in the
// forwarder at once. Together with the tailer's batch size it bounds the
// unacknowledged window, and so the duplicates after a crash. Each encode
// worker adds one slot, so that every worker can encode while the forwarder
// holds its share.
const slotsPerSource = 4

// source is one followed file and its pipeline: a dispatcher goroutine
// takes the tailer's batches in order, encode workers parse and encode them
// in parallel, and a sender goroutine hands them to the sink in the order
// the tailer produced them (see pipeline.go).
type source struct {
	cfg    config.Source
	typ    parser.Type
	store  *checkpoint.Store // the tailer's checkpoints; nil without a state directory
	log    *slog.Logger
	t      *tailer.Tailer
	sink   sink
	m      *metrics.Source
	aw     *ackWatch
	det    *detector // nil when detections are off
	detPos *srcPos   // how far det considered this source

	workers []*worker // one per encode goroutine
	rescan  *worker   // the sender's, for recheck; its det is set by attachDetector
	// prevDone is the highest doneEpoch of the slots sent (see recheck).
	prevDone uint64
	// hints and rechecked are recheck's reused buffers.
	hints     []string
	hintSums  []uint32 // detect.HintSum of hints
	rechecked []*detect.Event
	recheckFB forwarder.Batch // the messages recheck encodes again and drops
	free      chan *slot      // slots not in use: bounds the batches in the pipeline
	work      chan *slot      // dispatched slots, for the workers
	order     chan *slot      // dispatched slots in tailer order, for the sender

	// Progress, written by acks and read by the agent.
	sent     atomic.Uint64 // messages acknowledged by the sink, one per line sent
	blank    atomic.Uint64 // blank lines (empty or white space) skipped, in acknowledged batches
	unparsed atomic.Uint64 // lines forwarded raw because they did not parse
	failed   atomic.Pointer[error]

	done chan struct{} // closed when the pipeline and the tailer returned

	// handed is closed when the sender returned: it hands no batch to
	// the sink after that. The sender hands a batch whose events the
	// engine folded with handoff, which ends only at abandon (see
	// stopHandoff), not with the source's context: its alerts are in
	// the batch, and a batch that never reaches the sink would leave
	// them undelivered, and the engine's state unsaved, at every stop.
	handed  chan struct{}
	handoff context.Context
	abandon context.CancelFunc

	// Container formats: scout finds the parts of a line pending at the
	// end of each batch, carry holds them for the next, and hold is where
	// the first of them begins (dispatcher only).
	format container.Format
	scout  container.Decoder
	carry  container.Carry
	hold   tailer.Mark
	// holds are where each stream's pending parts begin (hold is the
	// earliest of those that hold the checkpoint), batches the batches
	// carryOver saw, to order them.
	holds   [2]carryHold
	batches uint64
	// carryPending says carry is not empty, for atEOF (another
	// goroutine): --once waits for the carry timeout to send or drop
	// parts that hold no checkpoint (stderr's, dropped) too.
	carryPending atomic.Bool
	// carryWait is Options.CarryTimeout.
	carryWait time.Duration
	// tailOpen: flushCarry sent the first parts of a stdout line raw and
	// its last part has not been read yet; the next complete stdout
	// record ends it (carryOver marks it: slot.tailAt).
	tailOpen bool
	// tailSub is the gitlab-logger subcomponent the envelope of those
	// first parts named (container.SubcomponentOf), for the APP-NAME of
	// the rest: the same as theirs; nil when none.
	tailSub []byte
	// tailWhy is why the rest of that line goes raw (errLateTail, or
	// errOlderTail: its first parts end a rotated copy a first start
	// does not read).
	tailWhy error
	// started: carryOver saw the source's first batch (see tailAfterStart).
	started bool
	// complete: the file is read as finished (tailer.Config.Complete,
	// --once); parts sent raw by flushCarry are then read again by a later
	// run that finds the file grown (tailer.Tailer.UnholdSent).
	complete bool
	cancel   context.CancelFunc // stops this source alone (glob matches)
	glob     string             // the glob that matched the file; "" for a source named by path
	pl       *parseLog          // the parse warnings of the source's workers
	// older are the rotated copies of the file when the source was made
	// without a checkpoint for it (the agent's first start with it): the
	// tailer does not read them, their lines being older than the start.
	older []string
	// waited: the tailer reads the file as one that appeared since the
	// agent last waited for the path (its wait record), and older are the
	// copies it does not read of those there: last written before, or
	// compressed.
	waited bool
	// olderLater: older was empty when the source was made; the copies
	// its tailer does not read, a start without a checkpoint whose file
	// appears after it began, are known at its first batch
	// (tailer.Tailer.SkippedCopies: none for any other start), when the
	// dispatcher sets older and calls noteOlder (noteSkipped). Set
	// before start.
	olderLater bool
	noteOlder  func(older []string) // logs older; set before start, may be nil
	olderSet   bool                 // the dispatcher's: noteSkipped ran
}

// slot is one batch in the pipeline: the tailer's lines and their encoding.
// Its ack method value is made once, so acknowledging allocates nothing.
type slot struct {
	s     *source
	tb    *tailer.Batch
	fb    forwarder.Batch
	ready chan struct{} // a worker finished encoding tb into fb
	ack   func(error)
	// events are the lines of tb the detection engine wants, in file
	// order, made by the worker (and recheck) in arena; the sender hands
	// them to the engine. arena is reset when the slot is reused: the
	// engine keeps nothing of an event past Process (see detect.Event).
	events []*detect.Event
	arena  detect.EventArena
	// declined are the lines of tb a rule's WantFilter dropped although
	// it may want them once it sees a line of another file
	// (detect.RuleSet.Declined), in file order, made in arena (the events
	// of those other rules want are also in events); the sender gives them
	// to the engine after events (detect.Engine.Declined).
	declined []*detect.Event
	// sums are the hint sums of tb's lines the worker recorded, for
	// recheck.
	sums lineSums
	// read is the newest event time of tb's lines that parsed, wanted or
	// not, for the engine's watermark (detect.Engine.Progress).
	read readMark
	// fails are tb's lines that did not parse, which the sender reports
	// in file order (parseFails).
	fails  parseFails
	alerts int    // alerts appended to fb after its lines
	ids    []byte // their journal lines (detector.acked)
	// carry is the parts of a line the batch before left pending (container
	// formats), set by the dispatcher; skipped counts the lines of tb
	// neither sent nor blank (parts of a line, dropped lines).
	carry   container.Carry
	skipped int
	// wantEpoch and doneEpoch are the engine's WantEpoch before the worker
	// asked Want about tb's lines and once it was done (see source.recheck).
	wantEpoch, doneEpoch uint64
	// hold is where the parts tb leaves pending begin: committing tb
	// stops there (tailer.Tailer.CommitHeld). Zero when none are pending.
	hold tailer.Mark
	// flush: the slot has no tb; it sends carry's parts raw (flushCarry).
	flush bool
	// tailAt is the index in tb of the stdout record that ends a line
	// whose first parts flushCarry sent raw at the carry timeout (the
	// line decoded there is the rest of it, sent raw too); -1 when none.
	tailAt int
	// tailSub is source.tailSub when tailAt is set, or, in a slot of
	// flush, of the parts it sends; tailWhy is source.tailWhy.
	tailSub []byte
	tailWhy error
}

func newSource(sc config.Source, tcfg tailer.Config, hostname string, facility forwarder.Facility, workers int,
	snk sink, enc *forwarder.Encoder, geo *geoip.DB, m *metrics.Metrics, aw *ackWatch, log *slog.Logger) (*source, error) {
	typ := parser.TypeUnknown
	if sc.Type != "" && sc.Type != inputSourceType { // an input's spool: lines typed by APP-NAME
		t, err := parser.ParseType(sc.Type)
		if err != nil {
			return nil, err
		}
		typ = t
	}
	format, err := container.ParseFormat(sc.Format)
	if err != nil {
		return nil, err
	}
	if tcfg.Checkpoints == nil && tcfg.StateDir != "" {
		if tcfg.Checkpoints, err = checkpoint.Open(tcfg.StateDir); err != nil {
			return nil, err
		}
	}
	maxLine := tcfg.MaxLineBytes // the GitLab line's bound; the decoder cuts the joined line to it
	if format != container.Plain && maxLine > 0 {
		tcfg.MaxLineBytes = max(maxLine, container.MaxRecordBytes)
	}
	t, err := tailer.New(tcfg)
	if err != nil {
		return nil, err
	}
	since := t.NewSince()
	older := tailer.UnreadCopies(tcfg, since)
	workers = max(workers, 1)
	nslots := slotsPerSource + workers
	s := &source{
		cfg:   sc,
		typ:   typ,
		store: tcfg.Checkpoints,
		log:   log,
		t:     t,
		sink:  snk,
		m:     m.Source(metricsType(sc), sc.Path),
		aw:    aw,
		free:  make(chan *slot, nslots),
		work:  make(chan *slot, nslots),
		order: make(chan *slot, nslots),
		done:  make(chan struct{}),

		handed: make(chan struct{}),

		format:     format,
		scout:      container.Decoder{Format: format, MaxLineBytes: maxLine},
		carryWait:  DefaultCarryTimeout,
		complete:   tcfg.Complete,
		older:      older,
		olderLater: older == nil, // none named now: maybe once a file appears
		waited:     !since.IsZero(),
	}
	s.pl = &parseLog{log: log, sample: newTypeSample(typ, format, sc.AppName, log)}
	s.handoff, s.abandon = context.WithCancel(context.Background())
	opts := forwarder.RecordOptions{Facility: facility, Hostname: hostname, AppName: sc.AppName}
	sdID := ""
	if enc != nil {
		sdID = enc.SDID
	}
	for range workers {
		w := newWorker(typ, enc, geo, s.m, opts)
		w.pl = s.pl
		w.uw = newUnwrapper(format, typ, sc.AppName, sc.OtherSubcomponents == "forward", sc.Path, maxLine, sdID)
		if w.uw != nil {
			w.uw.complete = tcfg.Complete
		}
		w.unparsed = &s.unparsed
		s.workers = append(s.workers, w)
	}
	s.rescan = newWorker(typ, enc, geo, s.m, opts)
	s.rescan.uw = newUnwrapper(format, typ, sc.AppName, sc.OtherSubcomponents == "forward", sc.Path, maxLine, sdID)
	for range nslots {
		sl := &slot{s: s, ready: make(chan struct{}, 1)}
		sl.ack = sl.acked
		s.free <- sl
	}
	return s, nil
}

// start runs the tailer and the pipeline until ctx is done. done is closed
// once all of them returned and the tailer wrote its final checkpoint.
func (s *source) start(ctx context.Context) {
	var wg sync.WaitGroup
	s.m.Up.Set(1)
	s.m.SetTailer(s.tailerStats)
	wg.Go(func() {
		if err := s.t.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.fail(err)
		}
	})
	s.runPipeline(ctx, &wg)
	go func() {
		wg.Wait()
		close(s.done)
	}()
}

// updateUp sets source_up: 1 while the source runs and its tailer can
// open the file at its path, 0 once it stopped with an error or while the
// file cannot be opened (no permission, a directory at the path), which
// the tailer retries. The agent calls it at every check (supervise).
func (s *source) updateUp() {
	up := 1.0
	if s.err() != nil || s.t.OpenError() != nil {
		up = 0
	}
	s.m.Up.Set(up)
}

func (s *source) fail(err error) {
	s.failed.CompareAndSwap(nil, &err)
	s.m.Up.Set(0)
	s.log.Error("source stopped", "path", s.cfg.Path, "err", err)
}

// err returns why the source stopped, or nil.
func (s *source) err() error {
	if p := s.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// drain releases, without committing, the batches the tailer queued after
// the source stopped, so that the tailer does not wait for them. It returns
// when the tailer closes the channel (its Run ends with the same context).
func (s *source) drain() {
	for b := range s.t.Batches() {
		s.t.Release(b)
	}
}

// acked is the forwarder's acknowledgement of the slot's batch. It runs on
// the forwarder's writer goroutine and must not block: the free channel has
// room for every slot. The sender hands batches over in tailer order, so
// the acknowledgements, and the commits, come in that order too, but for a
// batch of no message (all its lines blank or parts of a longer container
// line), which the forwarder acknowledges at once, on the sender's
// goroutine, maybe before the batches sent before it: the tailer keeps
// such an early commit and applies it in its turn (tailer.Tailer.Commit).
func (sl *slot) acked(err error) {
	s, tb := sl.s, sl.tb
	if err == nil {
		msgs := sl.fb.Len() - sl.alerts // blank lines are committed but not sent; alerts are no lines
		s.m.LinesSent.Add(float64(msgs))
		s.sent.Add(uint64(msgs))
		switch {
		case sl.flush && s.complete:
			// The line may be finished after this run: the next run
			// that finds the file grown sends it whole.
			s.t.UnholdSent()
		case sl.flush:
			s.t.Unhold()
		case sl.hold.IsZero():
			s.t.Commit(tb, tb.Len())
		default:
			s.t.CommitHeld(tb, sl.hold)
		}
		if tb != nil {
			n := uint64(tb.Len() - msgs - sl.skipped)
			s.blank.Add(n)
			s.m.LinesBlank.Add(float64(n))
		}
	}
	sl.flush, sl.hold = false, tailer.Mark{}
	if sl.alerts > 0 {
		s.det.acked(sl.alerts, sl.ids, err)
		sl.alerts = 0
	}
	s.aw.acked(time.Now())
	sl.tb = nil
	s.t.Release(tb)
	s.free <- sl
}

// idle reports whether no batch of s is in the forwarder.
func (s *source) idle() bool { return len(s.free) == cap(s.free) }

// stopHandoff waits, once the source's context ended, until its sender
// handed over its last batch or ctx is done, then abandons a handoff still
// blocked (the sink's queue is full), which then fails: that batch is
// read again next time, and its alerts are raised again.
func (s *source) stopHandoff(ctx context.Context) {
	select {
	case <-s.handed:
	case <-ctx.Done():
	}
	s.abandon()
}

// returned reports whether the source's goroutines returned (see wait).
func (s *source) returned() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// wait blocks until the source's goroutines returned or ctx is done.
func (s *source) wait(ctx context.Context) error {
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// tailerStats returns the tailer's counters for the metrics, read when
// /metrics is scraped.
func (s *source) tailerStats() metrics.TailerStats {
	st := s.t.Stats()
	return metrics.TailerStats{
		TruncatedLines:         st.TruncatedLines,
		Rotations:              st.Rotations,
		Truncations:            st.Truncations,
		RecoveredBytes:         st.RecoveredBytes,
		CheckpointErrors:       st.CheckpointErrors,
		UnplacedRotated:        st.UnplacedRotated,
		TruncationsWithoutCopy: st.TruncationsWithoutCopy,
		DamagedCopies:          st.DamagedCopies,
		CheckpointLag:          st.CheckpointLag,
	}
}

// atEOF reports whether everything in the file at the configured path was
// read and acknowledged, for --once.
func (s *source) atEOF() bool {
	if !s.idle() || len(s.t.Batches()) > 0 {
		return false
	}
	fi, err := os.Stat(s.cfg.Path)
	if err != nil {
		return errors.Is(err, os.ErrNotExist)
	}
	if fi.Size() == 0 {
		return true
	}
	st := s.t.Stats()
	if st.Outstanding != 0 || s.carryPending.Load() {
		return false
	}
	if st.ReadFile != (tailer.FileID{}) {
		return st.CheckpointLag == 0 && st.ReadOffset == fi.Size() && st.ReadFile.SameAs(fi)
	}
	// Nothing read in this run: the position is the saved checkpoint, or
	// the end of the file with start_at end.
	if s.store != nil {
		if atEnd, ok := s.store.AtEnd(s.cfg.Path); ok {
			return atEnd
		}
	}
	return s.cfg.StartAt == "end"
}

// metricsType is the type label of a source's metrics: its type, or its
// format for a source without one ("cri").
func metricsType(sc config.Source) string {
	if sc.Type != "" {
		return sc.Type
	}
	return sc.Format
}

// carryOver gives sl the parts of a line that the batches before tb left
// pending, and finds those tb leaves pending for the next batch and where
// the first of them begins (sl.hold, so that tb's commit stops there and a
// restart reads them again). The dispatcher calls it in tailer order.
//
// A stream's parts are pending after tb when its last record in tb is a
// part, or when it has none in tb and parts were pending before it: the
// records of stdout and stderr interleave, and each stream's parts are
// joined on their own. carryOver walks tb backwards from its end until it
// met the last record of both streams, skipping the lines the workers do
// not join (blank lines, records that do not decode); a stream's parts
// after its last complete record are its pending run. Once one stream's
// last record was met, lines are tested cheaply for the other
// (container.Decoder.MayJoin) before they are decoded, so that a file of
// one stream costs a look at each record's header (CRI) or a search for
// "stderr" in it (Docker), not a decode. Only the pending runs are then
// decoded.
func (s *source) carryOver(sl *slot) {
	sl.carry.Stdout = append(sl.carry.Stdout[:0], s.carry.Stdout...)
	sl.carry.Stderr = append(sl.carry.Stderr[:0], s.carry.Stderr...)
	sl.carry.StdoutSealed, sl.carry.StderrSealed = s.carry.StdoutSealed, s.carry.StderrSealed
	sl.carry.StdoutLen, sl.carry.StderrLen = s.carry.StdoutLen, s.carry.StderrLen
	tb := sl.tb
	n := tb.Len()
	s.batches++
	sl.tailAt, sl.tailSub = -1, nil
	if !s.started {
		s.started = true
		s.tailOpen = s.carry.Empty() && s.tailAfterStart(tb)
		if s.tailOpen {
			s.tailWhy = errLateTail
		} else if sub, ok := s.tailAfterOlder(tb); ok && s.carry.Empty() {
			s.tailOpen, s.tailSub, s.tailWhy = true, sub, errOlderTail
		}
	}
	if s.tailOpen {
		sl.tailAt, s.tailOpen = s.tailEnd(tb)
		sl.tailSub, sl.tailWhy = s.tailSub, s.tailWhy
	}
	var closed [2]bool    // the stream's last record in tb was met
	first := [2]int{n, n} // where the stream's pending run begins in tb
	for i := n - 1; i >= 0 && !(closed[0] && closed[1]); i-- {
		line := tb.Line(i)
		if closed[0] != closed[1] {
			x := container.Stdout
			if closed[0] {
				x = container.Stderr
			}
			if !s.scout.MayJoin(line, x, false) {
				continue
			}
		}
		x, partial, ok := s.scout.RecordPart(line)
		if !ok || closed[x] || !partial && x == container.Stdout && parser.Blank(line) {
			continue
		}
		if partial {
			first[x] = i
		} else {
			closed[x] = true
		}
	}
	// A stream not closed whose parts were pending continues them: its
	// line began in an earlier batch.
	keep := [2]bool{!closed[0] && len(s.carry.Stdout) > 0, !closed[1] && len(s.carry.Stderr) > 0}
	k := min(first[0], first[1])
	if k == n && !keep[0] && !keep[1] {
		s.clearCarry()
		return
	}
	seed := container.Carry{}
	if keep[0] {
		seed.Stdout, seed.StdoutSealed, seed.StdoutLen = s.carry.Stdout, s.carry.StdoutSealed, s.carry.StdoutLen
	}
	if keep[1] {
		seed.Stderr, seed.StderrSealed, seed.StderrLen = s.carry.Stderr, s.carry.StderrSealed, s.carry.StderrLen
	}
	s.scout.Seed(&seed)
	for x := range 2 {
		switch {
		case keep[x]: // its hold stays
		case first[x] < n:
			s.holds[x] = carryHold{tb.StartOf(first[x]), s.batches, first[x]}
		default:
			s.holds[x] = carryHold{}
		}
	}
	s.hold = s.holds[0].at
	if s.cfg.OtherSubcomponents == "forward" {
		// stderr's lines are sent too: its pending parts hold the
		// checkpoint as well. Dropped, they would only make a restart
		// read stdout's records after them again from the middle of a
		// line sent already (fresh-user trial 275: its tail sent raw,
		// the lines after it twice).
		s.hold = s.holds[0].earliest(s.holds[1]).at
	}
	sl.hold = s.hold
	for i := k; i < n; i++ {
		if line := tb.Line(i); !parser.Blank(line) { // the workers skip blank lines
			s.scout.DecodeCut(line, tb.IsCut(i))
		}
	}
	s.scout.AppendCarry(&s.carry)
}

// tailAfterStart reports whether tb, the first batch after the source
// started, begins after a stdout part of a line: the record before it in
// its file is a partial one. The checkpoint stays before the parts of a
// line until the line is sent, so it is after one only when the carry
// timeout sent the line's first parts raw before a restart or reload:
// the rest of that line comes first (tailOpen). It reads the record
// before tb from its file, when that is a plain file and the record is
// in the 64 KiB before tb (a part is at most 16 KiB).
func (s *source) tailAfterStart(tb *tailer.Batch) bool {
	if tb.Start <= 0 || strings.HasSuffix(tb.Name, ".gz") {
		return false
	}
	f, err := os.Open(tb.Name)
	if err != nil {
		return false
	}
	defer f.Close()
	n := min(tb.Start, 64<<10)
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, tb.Start-n); err != nil || buf[n-1] != '\n' {
		return false
	}
	line := bytes.TrimSuffix(buf[:n-1], []byte("\r"))
	i := bytes.LastIndexByte(line, '\n')
	if i < 0 && n < tb.Start {
		return false // longer than what was read: no part
	}
	x, partial, ok := s.scout.RecordPart(line[i+1:])
	return ok && partial && x == container.Stdout
}

// noteSkipped sets, at the first batch of a source that named no copy
// when made (olderLater), older to the copies its tailer does not read and
// logs them through noteOlder, so that tailAfterOlder sees them and the
// user learns of them as at a first start on a file there (Agent.logOlder).
func (s *source) noteSkipped() {
	s.olderSet = true
	s.older = s.t.SkippedCopies()
	if len(s.older) > 0 && s.noteOlder != nil {
		s.noteOlder(s.older)
	}
}

// tailAfterOlder reports whether tb, the first batch of a first start
// (the source has copies older than it, source.older, which it does not
// read), begins its file and so continues the stdout line whose first
// parts end the newest of those copies, and returns the gitlab-logger
// subcomponent their envelope names (nil when its first part is not in
// the copy's last 1 MiB). The rest of that line then goes raw under
// their APP-NAME instead of being dropped as a line no gitlab-logger
// wrapped; the send command logOlder prints sends the first parts (fresh-
// user trial 278). A compressed copy is read through (the kubelet
// compresses the copies older than the newest; trial 280).
func (s *source) tailAfterOlder(tb *tailer.Batch) ([]byte, bool) {
	if tb.Start != 0 || len(s.older) == 0 {
		return nil, false
	}
	buf, whole, err := lastBytes(s.older[0], 1<<20) // newest first
	if err != nil {
		return nil, false
	}
	return container.LastParts(buf, whole, s.format)
}

// lastBytes returns the last n bytes of the file name, decompressed when
// its name ends in .gz (read through to its end), and whether they are
// all of it.
func lastBytes(name string, n int) ([]byte, bool, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	if !strings.HasSuffix(name, ".gz") {
		fi, err := f.Stat()
		if err != nil {
			return nil, false, err
		}
		m := min(fi.Size(), int64(n))
		buf := make([]byte, m)
		if _, err := f.ReadAt(buf, fi.Size()-m); err != nil {
			return nil, false, err
		}
		return buf, m == fi.Size(), nil
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, false, err
	}
	defer zr.Close()
	return container.LastBytes(zr, n)
}

// tailEnd returns the index in tb of the first complete stdout record,
// which ends the line whose first parts flushCarry sent raw (see
// tailOpen), and whether that line is still open after tb: -1 and true
// when tb has none.
func (s *source) tailEnd(tb *tailer.Batch) (int, bool) {
	for i := range tb.Len() {
		line := tb.Line(i)
		if parser.Blank(line) || !s.scout.MayJoin(line, container.Stdout, false) {
			continue
		}
		if x, partial, ok := s.scout.RecordPart(line); ok && x == container.Stdout && !partial {
			return i, false
		}
	}
	return -1, true
}

// clearCarry forgets the parts pending and their hold.
func (s *source) clearCarry() {
	s.carryPending.Store(false)
	s.carry.Stdout, s.carry.Stderr = s.carry.Stdout[:0], s.carry.Stderr[:0]
	s.carry.StdoutSealed, s.carry.StderrSealed = false, false
	s.carry.StdoutLen, s.carry.StderrLen = 0, 0
	s.holds = [2]carryHold{}
	s.hold = tailer.Mark{}
}

// carryHold is where a stream's pending parts begin: at, line i of the
// batch'th batch carryOver saw (for their order). The zero value holds
// nothing.
type carryHold struct {
	at    tailer.Mark
	batch uint64
	i     int
}

// earliest returns the one of h and o that begins first, ignoring a zero
// one.
func (h carryHold) earliest(o carryHold) carryHold {
	switch {
	case h.at.IsZero():
		return o
	case o.at.IsZero():
		return h
	case o.batch < h.batch || o.batch == h.batch && o.i < h.i:
		return o
	}
	return h
}

// oldestFirst returns the paths of copies, newest first (as
// tailer.RotatedCopies lists them), as shell words, oldest first.
func oldestFirst(copies []string) string {
	words := make([]string, 0, len(copies))
	for i := len(copies) - 1; i >= 0; i-- {
		words = append(words, shellcmd.Path(copies[i]))
	}
	return strings.Join(words, " ")
}
