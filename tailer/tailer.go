package tailer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/tailer/checkpoint"
)

// following holds the absolute paths followed by a running Tailer in this
// process: two Tailers of one path would keep one checkpoint, and, with
// FollowNxadmTail, github.com/nxadm/tail shares one inotify watcher per
// process and two tails of one path steal each other's events.
var following sync.Map

// Tailer follows one file. Create it with New, start it with Run, read
// Batches, and Commit then Release each batch.
type Tailer struct {
	cfg      Config
	log      *slog.Logger
	out      chan *Batch
	pool     sync.Pool
	running  atomic.Bool
	polls    atomic.Bool // no inotify: the loop polls (Stats.Poll)
	c        counters
	released chan struct{}

	rd  reading       // owned by the Run goroutine (read.go, batch.go)
	rot rotation      // owned by the Run goroutine (rotate.go, copying.go)
	ckp checkpointing // checkpoint.go; the fields it names are guarded by mu

	mu      sync.Mutex // guards ckp's commit state and the fields below
	readID  FileID     // file and offset after the last line handed out
	readOff int64
	mode    Mode
	openErr error // why Path cannot be opened, while openLive retries
	// renamedIDs are the files renamed away from Path that the tailer
	// still reads to their end (RenamedFiles), oldest first.
	renamedIDs []FileID
	// unreadCopies are the rotated copies a start without a checkpoint did
	// not read, the file at the path having appeared since (SkippedCopies).
	unreadCopies []string
}

// RenamedFiles appends to dst the identities (device and inode) of the
// files renamed away from the path that the tailer still reads, from when
// it saw the rename until it has read each to its end and closed it, and
// returns it: a glob that matches such a file under its new name leaves it
// to this tailer. It is safe for concurrent use.
func (t *Tailer) RenamedFiles(dst []FileID) []FileID {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append(dst, t.renamedIDs...)
}

// noteRenamed records that src, renamed away from the path, is read to
// its end (RenamedFiles); done records that it was closed.
func (t *Tailer) noteRenamed(src *logFile, done bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	i := slices.IndexFunc(t.renamedIDs, func(id FileID) bool { return id.SameFile(src.id) })
	switch {
	case !done && i < 0:
		t.renamedIDs = append(t.renamedIDs, src.id)
	case done && i >= 0:
		t.renamedIDs = slices.Delete(t.renamedIDs, i, i+1)
	}
}

// reading is the state of the reader and of the batch being filled.
type reading struct {
	cur *Batch // the batch being filled; nil when none
	// confirmed is how many lines of cur were read before a check of the
	// file's first bytes that passed (see confirm).
	confirmed int
	nread     uint64 // lines added to batches
	seq       uint64 // of the last batch sent
	lr        *lineReader
	lrFile    *logFile // the file lr reads; nil when lr must be reset
	truncLog  truncLog
	// unreadableSince is when openLive first failed to open the file at
	// the path for a cause other than its absence (permission denied),
	// zero when it opened at once (see warnStartEndLate).
	unreadableSince time.Time
	// copied is how far the rotated copy of copiedOf's content before a
	// truncation was read, for the next batch of copiedOf (Batch.copied);
	// copiedOf is nil when there is none.
	copied   position
	copiedOf *logFile
	// keepLater: the rotated copies a restart's checkpoint points into
	// are drained (see resumeRotated): their batches keep the newer files'
	// positions the checkpoint kept (Batch.drained).
	keepLater bool
}

// rotation is the state of rename rotation and copytruncate detection.
type rotation struct {
	// draining: files renamed away still read for late writes, oldest first.
	draining []*renamed
	queue    []*logFile // files seen at Path while an older one was drained
	// followed is the file the follow loop reads (nil before it starts):
	// when Path names another, it was rotated (see watchBlocked).
	followed *logFile
	// fullLogged: the warning that the queue is full while the reader is
	// blocked was logged (see watchBlocked).
	fullLogged bool
	// dirMod and copyMod: the directory's mtime when copying last listed
	// it, and the newest mtime of a plain rotated copy seen then.
	dirMod, copyMod time.Time
	// lastCopy and copyHeads: the mtime of the newest rotated copy read
	// after a truncation, and the first bytes of the last ones read
	// (copyKey);
	// unseenDirMod: the directory's mtime when copiesUnseen last listed it.
	lastCopy, unseenDirMod time.Time
	copyHeads              []copyKey
	// unplaced: device and inode of the rotated copies reported by
	// unplaced, the latest ones.
	unplaced [][2]uint64
	// pathDenied is the error of the last look at Path that this process
	// may not make (a directory on it made unreadable), nil once it may
	// again: the open file is read meanwhile (see check).
	pathDenied error
}

// checkpointing is the commit state and its persistence. com, reanchor,
// err, gapWarn and early are guarded by Tailer.mu; saveMu serialises the writes.
type checkpointing struct {
	store    *checkpoint.Store    // nil: no persistence
	ck       *checkpoint.Position // loaded by New; nil when absent or unusable
	saveMu   sync.Mutex
	com      commitState
	reanchor *reanchor // where the checkpoint moves once a batch is committed
	ckErr    error     // of the latest checkpoint write; nil after a successful one
	failing  string    // the cause (ckCause) of the failed writes logged; "" after a success; guarded by saveMu
	gapWarn  bool      // a commit gap was logged (at debug level)
	// early: commits that came before the commit of earlier lines, in
	// order, until those are committed (see Tailer.Commit).
	early []pendingCommit
	// headless is the file whose saved checkpoint is at its offset 0
	// without its first bytes (fp_len 0: it was empty when the checkpoint
	// was written, see firstCheckpoint), until send saves them (saveHead);
	// nil when none. Owned by the Run goroutine.
	headless *logFile
	// wait is the state of the path's checkpoint.Wait record (waitrecord.go).
	wait waitRecord
	// tails: the bytes before the latest commit's offset in the last
	// files committed in (see preTails); guarded by Tailer.mu.
	tails preTails
}

type commitState struct {
	seq    uint64
	n, len int
	id     FileID
	name   string
	off    int64
	valid  bool
	dirty  bool
	// later: while the checkpoint stays in a file renamed away and still
	// drained, how far the newer files read meanwhile were committed.
	later laterFiles
	// held: the latest commit was CommitHeld's; the checkpoint stays at
	// the hold, full and fullLater are where the commit would have put it
	// (see Unhold).
	held      bool
	full      position
	fullLater laterFiles
	// sent: the lines from parts to off were sent before the line they
	// are parts of was finished (see UnholdSent); saved as
	// checkpoint.Position.PartsFrom while parts is in the file id and no
	// newer file's position is kept.
	sent  bool
	parts position
}

type counters struct {
	lines, bytes, truncLines, rotations, truncations, recovered atomic.Uint64
	ckWrites, ckErrors, ckDiscarded, reopenFailures, commitGaps atomic.Uint64
	followed, unplaced, uncopied, cutRest, damaged              atomic.Uint64
	outstanding, longestCut                                     atomic.Int64
}

// New checks cfg, applies defaults and loads the checkpoint from the
// store. It does not touch the followed file.
func New(cfg Config) (*Tailer, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	t := &Tailer{
		cfg:      cfg,
		log:      cfg.Logger.With("path", cfg.Path),
		out:      make(chan *Batch, cfg.QueueLen),
		rd:       reading{lr: newLineReader(cfg.ReadBufferBytes, cfg.MaxLineBytes)},
		mode:     ModeStarting,
		released: make(chan struct{}, 1),
	}
	t.ckp.store = cfg.Checkpoints
	if t.ckp.store == nil && cfg.StateDir != "" {
		st, err := checkpoint.Open(cfg.StateDir)
		if err != nil {
			return nil, fmt.Errorf("tailer: %w", err)
		}
		t.ckp.store = st
	}
	if t.ckp.store != nil {
		ck, err := loadPosition(t.ckp.store, cfg.Path)
		if err != nil {
			t.warnUnusableCheckpoint(err)
			t.c.ckDiscarded.Add(1)
		}
		t.ckp.ck = ck
		if err == nil {
			t.loadWait(ck)
		}
	}
	return t, nil
}

// Batches returns the channel of batches. It is closed when Run returns.
// Its capacity is Config.QueueLen: a slow consumer stops the reader.
func (t *Tailer) Batches() <-chan *Batch { return t.out }

// Commit records that lines [0,n) of b were delivered, so the checkpoint may
// advance to b.Offsets[n-1] in b.File. Commits should follow the order in
// which batches were received, every batch included (commit filtered lines
// too). A commit that comes before the commit of every line of the batches
// before it (a consumer whose acknowledgements overtake one another) does
// not move the checkpoint past the lines not committed yet: it is kept
// (without b, which may be released) and applied once they are, so the
// checkpoint goes on advancing; Stats.CommitGaps counts such commits. A
// batch that is never committed holds the checkpoint before its lines for
// good: they are read again after a restart. Call Commit before Release.
// It is safe for concurrent use.
func (t *Tailer) Commit(b *Batch, n int) {
	if b == nil || n <= 0 || b.seq == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.commitEarly(commitOf(b, n, Mark{}, t.ckp.tails.get(b.File, b.Start)))
}

// CommitHeld records that every line of b was handled, as Commit(b,
// b.Len()) does for the order of commits, but holds the checkpoint at hold
// (from Batch.StartOf of b or of an earlier batch): the consumer keeps,
// unsent, lines that begin there and end in a later batch (the parts of a
// container log line), so a restart must read them again. The next batch's
// commit moves the checkpoint on as usual; Unhold moves it to b's end once
// the lines were sent otherwise. The hold names its file, so it stays
// right when the file was rotated since: the tailer resumes in the rotated
// copy. While b was read with an older file still drained for late writes
// (the checkpoint stays in that one), a hold in b's own file moves only the
// position kept for that file (checkpoint.Position.Next): the older file's
// place is before it. A zero hold is a plain Commit. A CommitHeld that
// comes early is kept and applied in its turn, as Commit's is.
func (t *Tailer) CommitHeld(b *Batch, hold Mark) {
	if b == nil || b.seq == 0 || b.Len() == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.commitEarly(commitOf(b, b.Len(), hold, t.ckp.tails.get(b.File, b.Start)))
}

// maxEarly bounds the early commits kept (see Tailer.Commit); a consumer
// has at most a few batches in flight, so the bound is never reached but
// by one that leaves a batch uncommitted for good, whose later commits
// could never apply anyway.
const maxEarly = 1024

// pendingCommit is what a commit needs of its batch, so that a commit that
// comes early can be applied after the batch was released.
type pendingCommit struct {
	seq    uint64
	n, len int
	at     position // where the last line committed ends
	start  int64    // Batch.Start
	hold   Mark     // CommitHeld's; zero for Commit
	// anchored, anchor, drained and copied are the batch's (see Batch).
	anchored, drained bool
	anchor, copied    position
	// tail and holdTail: the file's bytes before at and before hold, as
	// the batch held them.
	tail, holdTail preTail
}

// commitOf returns the commit of b's first n lines, held at hold (zero:
// none), with before, the bytes of b's file just before b.Start if known
// (see preTails).
func commitOf(b *Batch, n int, hold Mark, before preTail) pendingCommit {
	n = min(n, b.Len())
	return pendingCommit{
		seq: b.seq, n: n, len: b.Len(),
		at:       position{b.File, b.Name, b.Offsets[n-1]},
		start:    b.Start,
		hold:     hold,
		anchored: b.anchored, drained: b.drained,
		anchor: b.anchor, copied: b.copied,
		tail: b.tailBefore(n-1, before), holdTail: b.tailBeforeMark(hold, before),
	}
}

// commitEarly applies p when it follows the last commit, then the early
// commits it lets apply; it keeps p for later when it comes early. It
// runs with t.mu held.
func (t *Tailer) commitEarly(p pendingCommit) {
	c := &t.ckp.com
	switch {
	case p.seq == c.seq && p.n > c.n:
	case p.seq == c.seq+1 && c.n == c.len:
	case p.seq < c.seq || (p.seq == c.seq && p.n <= c.n):
		return // already covered
	default:
		t.c.commitGaps.Add(1)
		if !t.ckp.gapWarn {
			t.ckp.gapWarn = true
			// Handled (see Commit), and the agent's acknowledgements
			// may overtake one another: not a warning for its users.
			t.log.Debug("tailer: a commit came before the commit of earlier lines; it is applied once they are committed",
				"batch", p.seq, "last_committed_batch", c.seq)
		}
		t.keepEarly(p)
		return
	}
	t.commitHeld(p)
	for len(t.ckp.early) > 0 {
		e := t.ckp.early[0]
		switch {
		case e.seq < c.seq || (e.seq == c.seq && e.n <= c.n):
		case e.seq == c.seq && e.n > c.n, e.seq == c.seq+1 && c.n == c.len:
			t.commitHeld(e)
		default:
			return
		}
		t.ckp.early = slices.Delete(t.ckp.early, 0, 1)
	}
}

// keepEarly keeps p, in the order of batches and lines, for commitEarly.
func (t *Tailer) keepEarly(p pendingCommit) {
	i, _ := slices.BinarySearchFunc(t.ckp.early, p, func(a, b pendingCommit) int {
		if a.seq != b.seq {
			return cmp.Compare(a.seq, b.seq)
		}
		return cmp.Compare(a.n, b.n)
	})
	if len(t.ckp.early) >= maxEarly {
		return
	}
	t.ckp.early = slices.Insert(t.ckp.early, i, p)
}

// commitHeld applies p, which follows the last commit, and its hold if it
// has one. It runs with t.mu held.
func (t *Tailer) commitHeld(p pendingCommit) {
	t.commit(p)
	hold := p.hold
	if hold.IsZero() {
		return
	}
	t.ckp.tails.note(hold.File, hold.Offset, p.holdTail)
	c := &t.ckp.com
	full, fullLater := position{c.id, c.name, c.off}, c.later.clone()
	switch at := c.later.find(hold.File); {
	case at != nil:
		// The hold is in a newer file, whose position is kept apart
		// while the checkpoint stays in an older one (p's own file when
		// p's batch is drained). The lines of the batch, read after the
		// hold, are read again from its start in their own file.
		if hold.Offset < at.off {
			*at = position{hold.File, hold.Name, hold.Offset}
		}
		if p.drained {
			c.off = min(c.off, p.start)
		} else if q := c.later.find(p.at.id); q != nil && q != at {
			q.off = min(q.off, p.start)
		}
		if c.off == full.off && c.later.equal(fullLater) {
			return
		}
	case c.id == hold.File && c.off <= hold.Offset:
		return
	default:
		c.id, c.name, c.off = hold.File, hold.Name, hold.Offset
		c.later = laterFiles{} // the newer files are read again from 0
	}
	c.held, c.full, c.fullLater = true, full, fullLater
}

// Unhold moves a checkpoint that the latest commit, a CommitHeld, held
// back to where a Commit of that batch would have put it, once the lines
// held were sent (or given up on) another way. It does nothing when a
// commit came since. It is safe for concurrent use.
func (t *Tailer) Unhold() { t.unhold(false) }

// UnholdSent is Unhold for lines held that were sent before the line they
// are parts of was finished, at the end of a Config.Complete run (the
// parts of a container log line whose last part was not written yet, sent
// raw): the checkpoint moves on as with Unhold, and records where the hold
// was (checkpoint.Position.PartsFrom), so that a later run that finds the
// file grown, or that follows it (not Complete), reads those lines again
// from there and can send the line whole, while a Complete run that finds
// nothing new resumes after them and sends nothing again. The hold is
// saved only while it is in the file of the checkpoint and no newer
// file's position is kept apart (not when the file was rotated between
// the parts and the end of the run); else UnholdSent is Unhold. It does nothing when a commit
// came since. It is safe for concurrent use.
func (t *Tailer) UnholdSent() { t.unhold(true) }

// unhold is Unhold, recording where the hold was as lines sent (see
// UnholdSent) when sent.
func (t *Tailer) unhold(sent bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c := &t.ckp.com
	if !c.held {
		return
	}
	c.sent, c.parts = sent, position{c.id, c.name, c.off}
	c.held = false
	c.id, c.name, c.off = c.full.id, c.full.name, c.full.off
	c.later = c.fullLater
	c.dirty = true
}

// commit applies p, which follows the last commit (see commitEarly), to
// the commit state. It runs with t.mu held.
func (t *Tailer) commit(p pendingCommit) {
	c := &t.ckp.com
	if c.held {
		// The lines held were sent with p's batch (see CommitHeld): start
		// from where the held commit would have put the checkpoint, or a
		// hold in a file whose position is kept apart (c.later) would
		// stay when p's own position lies in a newer file.
		c.id, c.name, c.off, c.later = c.full.id, c.full.name, c.full.off, c.fullLater
	}
	c.held, c.sent = false, false
	c.seq, c.n, c.len = p.seq, p.n, p.len
	at := p.at
	t.ckp.tails.note(at.id, at.off, p.tail)
	switch {
	case p.anchored:
		if p.copied.id != (FileID{}) {
			c.later.setBefore(p.copied, at.id)
		}
		c.later.set(at)
		c.id, c.name, c.off = p.anchor.id, p.anchor.name, p.anchor.off
	default:
		c.id, c.name, c.off = at.id, at.name, at.off
		if p.drained {
			c.later.drop(at.id, false) // when kept for at's file, it is read there now
		} else {
			c.later = laterFiles{}
		}
	}
	if r := t.ckp.reanchor; r != nil && p.seq == r.seq && p.n == p.len {
		c.id, c.name, c.off = r.to.id, r.to.name, r.to.off
		c.later.drop(r.to.id, r.clearNext)
		t.ckp.reanchor = nil
	}
	c.valid, c.dirty = true, true
}

// Release gives b back for reuse. b must not be used afterwards.
func (t *Tailer) Release(b *Batch) {
	if b == nil || b.seq == 0 {
		return
	}
	b.reset()
	t.pool.Put(b)
	t.c.outstanding.Add(-1)
	select {
	case t.released <- struct{}{}:
	default:
	}
}

func (t *Tailer) getBatch() *Batch {
	if b, ok := t.pool.Get().(*Batch); ok {
		return b
	}
	return &Batch{
		Data:    make([]byte, 0, min(t.cfg.BatchBytes, 256<<10)),
		Ends:    make([]int, 0, t.cfg.BatchLines),
		Offsets: make([]int64, 0, t.cfg.BatchLines),
	}
}

// Run follows the file until ctx is done, then closes Batches, waits up to
// Config.ShutdownTimeout for handed-out batches to be released, and writes
// the final checkpoint. It returns nil after a cancelled ctx, or the error
// that stopped it. A Tailer runs once.
func (t *Tailer) Run(ctx context.Context) error {
	if !t.running.CompareAndSwap(false, true) {
		return fmt.Errorf("tailer: %s: Run called twice", t.cfg.Path)
	}
	key, err := filepath.Abs(t.cfg.Path)
	if err != nil {
		key = filepath.Clean(t.cfg.Path)
	}
	if _, busy := following.LoadOrStore(key, t); busy {
		close(t.out)
		return fmt.Errorf("tailer: %s is already followed by another Tailer in this process; stop it first", key)
	}
	defer following.Delete(key)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	if t.ckp.store != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(t.cfg.CheckpointInterval)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					t.saveCheckpoint()
				}
			}
		}()
	}

	runErr := t.loop(ctx)
	if t.rd.cur != nil {
		t.rd.cur.reset()
		t.pool.Put(t.rd.cur)
		t.rd.cur = nil
	}
	t.setMode(ModeStopped)
	close(t.out)
	t.waitReleased()
	close(stop)
	wg.Wait()
	var ckErr error
	if t.ckp.store != nil {
		ckErr = t.saveCheckpoint()
	}
	if runErr != nil && ctx.Err() != nil && errors.Is(runErr, ctx.Err()) {
		runErr = nil
	}
	return errors.Join(runErr, ckErr)
}

func (t *Tailer) waitReleased() {
	deadline := time.NewTimer(t.cfg.ShutdownTimeout)
	defer deadline.Stop()
	for t.c.outstanding.Load() > 0 {
		select {
		case <-t.released:
		case <-deadline.C:
			t.log.Warn("tailer: batches not released before shutdown timeout; checkpoint written as committed so far: "+
				"their lines are read and sent again by the next tailer of the file (at the next start, or after a reload), so a collector that received some of them without acknowledging gets those twice",
				"outstanding", t.c.outstanding.Load())
			return
		}
	}
}

// OpenError returns why the path, which exists, cannot be opened (a
// directory, no permission, a parent that is not a directory) while the
// tailer retries, or nil. It is safe for concurrent use.
func (t *Tailer) OpenError() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.openErr
}

func (t *Tailer) setOpenError(err error) {
	t.mu.Lock()
	t.openErr = err
	t.mu.Unlock()
}

// CheckpointError returns the error of the latest checkpoint write, which
// names the checkpoint file, or nil when that write succeeded or none was
// needed yet. A failed write is retried every CheckpointInterval; until one
// succeeds, a restart reads again everything since the last saved
// checkpoint. It is safe for concurrent use.
func (t *Tailer) CheckpointError() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ckp.ckErr
}

func (t *Tailer) setMode(m Mode) {
	t.mu.Lock()
	t.mode = m
	t.mu.Unlock()
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}
