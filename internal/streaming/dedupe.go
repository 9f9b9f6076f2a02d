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

	"github.com/gitlab-syslog/gitlab-syslog/internal/spool"
)

// dedupeHeader is the first line of a dedupe log in the current format: one
// "<unix seconds> <key>" line per spooled event after it, key as eventKey
// makes it. A log without this header was written by an older version that
// keyed events on their id alone; its lines are not used (see load).
const dedupeHeader = "# gitlab-syslog dedupe log v2: <unix seconds> <key>"

// dedupe remembers the keys of spooled events. The in-memory index is safe for
// concurrent use; the log file is written only by the commit loop.
type dedupe struct {
	window time.Duration
	maxIDs int

	mu      sync.Mutex
	seen    map[string]int64         // event key → unix seconds it was spooled
	order   []seenRec                // insertion order, oldest at head
	head    int                      // first live element of order
	pending map[string]chan struct{} // keys of events being spooled right now
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

// openDedupe loads the key log in dir, drops keys older than the window and
// rewrites the log with what is left, in the current format.
func openDedupe(dir string, window time.Duration, maxIDs int, now time.Time, log *slog.Logger) (*dedupe, error) {
	d := &dedupe{
		window:  window,
		maxIDs:  maxIDs,
		seen:    make(map[string]int64),
		pending: make(map[string]chan struct{}),
		path:    filepath.Join(dir, DedupeFile),
		log:     log,
	}
	if fi, err := os.Stat(d.path); err == nil && !fi.Mode().IsRegular() { // not opened: a FIFO would block
		return nil, fmt.Errorf("streaming: dedupe log %s is not a regular file (mode %s): remove it (it is created again)", d.path, fi.Mode())
	}
	data, err := os.ReadFile(d.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("streaming: read dedupe log: %w", err)
	}
	d.load(data, now.Add(-window).Unix())
	if err := d.compact(); err != nil {
		return nil, err
	}
	return d, nil
}

// load adds the keys of a log's data recorded after cutoff (unix seconds).
// A log in the id-only format of older versions is ignored as a whole:
// matching on its ids is what dropped different events that shared an id.
// Forgetting them can only let a redelivery of an event spooled before the
// upgrade be spooled a second time, never lose an event.
func (d *dedupe) load(data []byte, cutoff int64) {
	if len(data) == 0 {
		return
	}
	body, ok := bytes.CutPrefix(data, []byte(dedupeHeader+"\n"))
	if !ok {
		d.log.Warn("streaming: dedupe log is in the format of an older version (ids only); its entries are not used, "+
			"so an event spooled before the upgrade and delivered again is spooled twice",
			"file", d.path, "lines", bytes.Count(data, []byte{'\n'}))
		return
	}
	bad := 0
	for lineNo, line := range bytes.Split(body, []byte{'\n'}) {
		if len(line) == 0 {
			continue
		}
		sp := bytes.IndexByte(line, ' ')
		var at int64
		var err error
		if sp > 0 {
			at, err = strconv.ParseInt(string(line[:sp]), 10, 64)
		}
		if sp <= 0 || err != nil || !validKey(line[sp+1:]) {
			bad++
			d.log.Debug("streaming: skipping malformed dedupe log line", "file", d.path, "line", lineNo+2)
			continue
		}
		if at > cutoff {
			d.add(string(line[sp+1:]), at)
		}
	}
	if bad > 0 {
		d.log.Warn("streaming: dedupe log had malformed lines (an interrupted write?); they were dropped",
			"file", d.path, "lines", bad)
	}
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
// the ability to recognise these events after a restart.
func (d *dedupe) appendLog(lines []byte, n int) {
	if _, err := d.f.Write(lines); err != nil {
		d.log.Warn("streaming: cannot append to dedupe log; repeats of these events may be forwarded after a restart",
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

// compact rewrites the log with its header and the remembered keys, replacing the old file
// atomically, and reopens it for appending.
func (d *dedupe) compact() error {
	d.mu.Lock()
	buf := []byte(dedupeHeader + "\n")
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
	if err := spool.SyncDir(filepath.Dir(d.path)); err != nil {
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
