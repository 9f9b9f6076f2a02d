package streaming

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// maxKeyLen bounds an id used for deduplication; longer ids are not
// deduplicated.
const maxKeyLen = 256

// dedupe remembers the ids of spooled events. The in-memory index is safe for
// concurrent use; the log file is written only by the commit loop.
type dedupe struct {
	window time.Duration
	maxIDs int

	mu      sync.Mutex
	seen    map[string]int64         // id key → unix seconds it was spooled
	order   []seenRec                // insertion order, oldest at head
	head    int                      // first live element of order
	pending map[string]chan struct{} // ids being spooled right now
	evicted uint64

	path     string
	f        *os.File
	logLines int // lines in the log file
	log      *slog.Logger
}

type seenRec struct {
	key string
	at  int64
}

// reservation is the outcome of reserve.
type reservation int

const (
	reserved  reservation = iota // the caller spools the event, then calls settle
	duplicate                    // already spooled within the window
	inFlight                     // another request is spooling it; wait and retry
)

// openDedupe loads the id log in dir, drops ids older than the window and
// rewrites the log with what is left.
func openDedupe(dir string, window time.Duration, maxIDs int, now time.Time, log *slog.Logger) (*dedupe, error) {
	d := &dedupe{
		window:  window,
		maxIDs:  maxIDs,
		seen:    make(map[string]int64),
		pending: make(map[string]chan struct{}),
		path:    filepath.Join(dir, DedupeFile),
		log:     log,
	}
	data, err := os.ReadFile(d.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("streaming: read dedupe log: %w", err)
	}
	cutoff := now.Add(-window).Unix()
	bad := 0
	for lineNo, line := range bytes.Split(data, []byte{'\n'}) {
		if len(line) == 0 {
			continue
		}
		sp := bytes.IndexByte(line, ' ')
		if sp <= 0 || sp == len(line)-1 || len(line)-sp-1 > maxKeyLen {
			bad++
			log.Debug("streaming: skipping malformed dedupe log line", "file", d.path, "line", lineNo+1)
			continue
		}
		at, err := strconv.ParseInt(string(line[:sp]), 10, 64)
		if err != nil {
			bad++
			continue
		}
		if at > cutoff {
			d.add(string(line[sp+1:]), at)
		}
	}
	if bad > 0 {
		log.Warn("streaming: dedupe log had malformed lines (an interrupted write?); they were dropped",
			"file", d.path, "lines", bad)
	}
	if err := d.compact(); err != nil {
		return nil, err
	}
	return d, nil
}

// reserve claims key for spooling. On inFlight, wait on the returned channel
// and call reserve again.
func (d *dedupe) reserve(key string, now time.Time) (reservation, <-chan struct{}) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if ch, ok := d.pending[key]; ok {
		return inFlight, ch
	}
	if at, ok := d.seen[key]; ok && at > now.Add(-d.window).Unix() {
		return duplicate, nil
	}
	d.pending[key] = make(chan struct{})
	return reserved, nil
}

// settle ends a reservation: spooled tells whether the event was spooled at
// unix second at.
func (d *dedupe) settle(key string, spooled bool, at int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if spooled {
		d.add(key, at)
	}
	close(d.pending[key])
	delete(d.pending, key)
}

// add records key; d.mu is held (or d is not shared yet).
func (d *dedupe) add(key string, at int64) {
	d.seen[key] = at
	d.order = append(d.order, seenRec{key, at})
	for len(d.seen) > d.maxIDs {
		d.popOldest()
		d.evicted++
	}
}

// popOldest forgets the oldest record.
func (d *dedupe) popOldest() {
	r := d.order[d.head]
	d.order[d.head] = seenRec{}
	d.head++
	if d.seen[r.key] == r.at { // not re-added later
		delete(d.seen, r.key)
	}
	if d.head > 1024 && d.head > len(d.order)/2 {
		d.order = append(d.order[:0], d.order[d.head:]...)
		d.head = 0
	}
}

// expire forgets ids older than the window.
func (d *dedupe) expire(now time.Time) {
	cutoff := now.Add(-d.window).Unix()
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.head < len(d.order) && d.order[d.head].at <= cutoff {
		d.popOldest()
	}
}

// appendIDLine appends the log line recording key as spooled at unix second
// at: "at key\n".
func appendIDLine(b []byte, key string, at int64) []byte {
	b = strconv.AppendInt(b, at, 10)
	b = append(b, ' ')
	b = append(b, key...)
	return append(b, '\n')
}

// appendLog appends "unix key" lines to the log file. A failure costs only
// the ability to recognise these ids after a restart.
func (d *dedupe) appendLog(lines []byte, n int) {
	if _, err := d.f.Write(lines); err != nil {
		d.log.Warn("streaming: cannot append to dedupe log; duplicates of these events may be forwarded after a restart",
			"file", d.path, "err", err)
		return
	}
	d.logLines += n
}

// needsCompaction reports whether the log holds many more lines than ids.
func (d *dedupe) needsCompaction() bool {
	d.mu.Lock()
	live := len(d.seen)
	d.mu.Unlock()
	return d.logLines > 2*live+10000
}

// compact rewrites the log with the remembered ids, replacing the old file
// atomically, and reopens it for appending.
func (d *dedupe) compact() error {
	d.mu.Lock()
	var buf []byte
	n := 0
	for _, r := range d.order[d.head:] {
		if d.seen[r.key] != r.at {
			continue
		}
		buf = appendIDLine(buf, r.key, r.at)
		n++
	}
	d.mu.Unlock()

	tmp, err := os.CreateTemp(filepath.Dir(d.path), DedupeFile+".tmp*")
	if err != nil {
		return fmt.Errorf("streaming: compact dedupe log: %w", err)
	}
	_, err = tmp.Write(buf)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), d.path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("streaming: compact dedupe log %s: %w", d.path, err)
	}
	if err := syncDir(filepath.Dir(d.path)); err != nil {
		return err
	}
	f, err := os.OpenFile(d.path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("streaming: open dedupe log: %w", err)
	}
	if d.f != nil {
		d.f.Close()
	}
	d.f, d.logLines = f, n
	return nil
}

func (d *dedupe) close() error {
	if d.f == nil {
		return nil
	}
	if err := d.f.Close(); err != nil {
		return fmt.Errorf("streaming: close dedupe log %s: %w", d.path, err)
	}
	return nil
}
