package tailer

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
)

// following holds the absolute paths followed by a running Tailer in this
// process. github.com/nxadm/tail shares one inotify watcher per process and
// two tails of one path steal each other's events, so this guard has to be
// process-wide too.
var following sync.Map

// Tailer follows one file. Create it with New, start it with Run, read
// Batches, and Commit then Release each batch.
type Tailer struct {
	cfg    Config
	log    *slog.Logger
	poll   bool
	ckName string
	ck     *checkpoint // loaded by New; nil when absent or unusable
	out    chan *Batch
	pool   sync.Pool

	running atomic.Bool
	c       counters

	// owned by the Run goroutine
	cur *Batch
	// confirmed is how many lines of cur were read before a check of the
	// file's first bytes that passed (see confirm).
	confirmed int
	// holdFor, set by the loop for a polling read, lets readToEOF keep a
	// batch that is not full until it is that old, so that a busy file
	// read every few milliseconds still goes out in batches of
	// FollowLinger; curSince is when cur got its first line.
	holdFor  time.Duration
	curSince time.Time
	nread    uint64 // lines added to batches (the pacer's rate)
	// dirMod and copyMod: the directory's mtime when copying last listed
	// it, and the newest mtime of a plain rotated copy seen then.
	dirMod, copyMod time.Time
	seq             uint64
	lr              *lineReader
	lrSrc           *source
	queue           []*source // files seen at Path while an older one was drained
	truncLog        truncLog

	mu       sync.Mutex // guards the fields below
	com      commitState
	readID   FileID
	readOff  int64
	mode     string
	ckErr    error // of the latest checkpoint write; nil after a successful one
	openErr  error // why Path cannot be opened, while openLive retries
	gapWarn  bool
	saveMu   sync.Mutex
	released chan struct{}
}

type commitState struct {
	seq    uint64
	n, len int
	id     FileID
	name   string
	off    int64
	valid  bool
	dirty  bool
}

type counters struct {
	lines, bytes, truncLines, rotations, truncations, recovered atomic.Uint64
	ckWrites, ckErrors, ckDiscarded, reopenFailures, commitGaps atomic.Uint64
	followed                                                    atomic.Uint64
	outstanding                                                 atomic.Int64
}

// New checks cfg, applies defaults, loads the checkpoint from StateDir and
// decides between inotify and polling. It does not touch the followed file.
func New(cfg Config) (*Tailer, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	t := &Tailer{
		cfg:      cfg,
		log:      cfg.Logger.With("path", cfg.Path),
		poll:     cfg.Poll,
		out:      make(chan *Batch, cfg.QueueLen),
		lr:       newLineReader(cfg.ReadBufferBytes, cfg.MaxLineBytes),
		mode:     "starting",
		released: make(chan struct{}, 1),
	}
	if !t.poll {
		// github.com/nxadm/tail calls os.Exit when it cannot create its
		// inotify watcher (EMFILE: fs.inotify.max_user_instances used up).
		w, err := fsnotify.NewWatcher()
		if err != nil {
			t.log.Warn("tailer: inotify unavailable, polling every 250ms instead", "err", err)
			t.poll = true
		} else {
			w.Close()
		}
	}
	if cfg.StateDir != "" {
		if err := os.MkdirAll(cfg.StateDir, 0o750); err != nil {
			return nil, fmt.Errorf("tailer: create state dir %s: %w", cfg.StateDir, err)
		}
		t.ckName = CheckpointFile(cfg.StateDir, cfg.Path)
		ck, err := loadCheckpoint(t.ckName)
		if err != nil {
			t.log.Warn("tailer: checkpoint unusable, StartAt applies", "err", err, "start_at", cfg.StartAt)
			t.c.ckDiscarded.Add(1)
		}
		t.ck = ck
	}
	return t, nil
}

// Batches returns the channel of batches. It is closed when Run returns.
// Its capacity is Config.QueueLen: a slow consumer stops the reader.
func (t *Tailer) Batches() <-chan *Batch { return t.out }

// Commit records that lines [0,n) of b were delivered, so the checkpoint may
// advance to b.Offsets[n-1] in b.File. Commits must follow the order in
// which batches were received, every batch included (commit filtered lines
// too); a commit that would skip uncommitted lines is ignored and counted in
// Stats.CommitGaps, so the checkpoint never passes undelivered lines. Call
// Commit before Release. It is safe for concurrent use.
func (t *Tailer) Commit(b *Batch, n int) {
	if b == nil || n <= 0 || b.seq == 0 {
		return
	}
	if n > b.Len() {
		n = b.Len()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	c := &t.com
	switch {
	case b.seq == c.seq && n > c.n:
	case b.seq == c.seq+1 && c.n == c.len:
	case b.seq < c.seq || (b.seq == c.seq && n <= c.n):
		return // already covered
	default:
		t.c.commitGaps.Add(1)
		if !t.gapWarn {
			t.gapWarn = true
			t.log.Warn("tailer: commit skips uncommitted lines; checkpoint held back (commit every batch, in order)",
				"batch", b.seq, "last_committed_batch", c.seq)
		}
		return
	}
	c.seq, c.n, c.len = b.seq, n, b.Len()
	c.id, c.name, c.off = b.File, b.Name, b.Offsets[n-1]
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
	if t.ckName != "" {
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
	if t.cur != nil {
		t.cur.reset()
		t.pool.Put(t.cur)
		t.cur = nil
	}
	t.setMode("stopped")
	close(t.out)
	t.waitReleased()
	close(stop)
	wg.Wait()
	var ckErr error
	if t.ckName != "" {
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
			t.log.Warn("tailer: batches not released before shutdown timeout; checkpoint written as committed so far",
				"outstanding", t.c.outstanding.Load())
			return
		}
	}
}

// saveCheckpoint writes the checkpoint if a commit changed it.
func (t *Tailer) saveCheckpoint() error {
	t.saveMu.Lock()
	defer t.saveMu.Unlock()
	t.mu.Lock()
	c := t.com
	t.com.dirty = false
	t.mu.Unlock()
	if !c.dirty || !c.valid {
		return nil
	}
	preLen, preSum := 0, ""
	if !strings.HasSuffix(c.name, ".gz") {
		preLen, preSum = preHash(c.name, c.id, c.off)
	}
	data, err := json.Marshal(checkpoint{
		Version:     checkpointVersion,
		Path:        t.cfg.Path,
		File:        c.name,
		Dev:         c.id.Dev,
		Ino:         c.id.Ino,
		Fingerprint: hex.EncodeToString(c.id.Fingerprint[:]),
		FpLen:       c.id.FingerprintLen,
		Offset:      c.off,
		PreLen:      preLen,
		PreHash:     preSum,
		Updated:     time.Now().UTC(),
	})
	if err == nil {
		err = writeFileAtomic(t.ckName, append(data, '\n'))
	}
	t.mu.Lock()
	t.ckErr = err
	if err != nil {
		t.com.dirty = true
	}
	t.mu.Unlock()
	if err != nil {
		t.c.ckErrors.Add(1)
		t.log.Error("tailer: checkpoint not saved; will retry", "err", err)
		return err
	}
	t.c.ckWrites.Add(1)
	return nil
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
	return t.ckErr
}

func (t *Tailer) setMode(m string) {
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
