package tailer

import (
	"context"
	"os"
	"time"
)

// appearSlack is how long before the wait began a rotated copy made
// while the tailer waited may say it was last written: the file system's
// clock may lag the process's by a tick (coarse timestamps). It applies
// only with the copies there at the wait's start known (waitStart.known):
// they, and not the times, tell the older copies.
const appearSlack = 2 * time.Second

// waitStart is what the tailer knew when it began waiting for the path to
// appear (openLive): when, and the rotated copies of the path then, by
// device and inode with the first bytes of each (decompressed for a .gz).
// A copy not among them, last written since, was made of a file that was
// at the path only while the tailer waited: its lines were never read.
type waitStart struct {
	at    time.Time
	known map[[2]uint64][]byte // device and inode: first bytes
	// read are the rotated copies (device and inode) this start read
	// before the file at the path (noteRead): the others it did not read.
	read map[[2]uint64]bool
	// first: the tailer started without a checkpoint; the copies it does
	// not read are recorded before it reads any (Tailer.noteSkipped).
	first bool
}

// noteRead records that the copies sibs are read before the file at the
// path (see Tailer.noteSkipped).
func (w *waitStart) noteRead(sibs ...sibling) {
	if w.read == nil {
		w.read = make(map[[2]uint64]bool, len(sibs))
	}
	for _, s := range sibs {
		d, ino := devIno(s.fi)
		w.read[[2]uint64{d, ino}] = true
	}
}

// begin records the wait's start: now and the rotated copies there are.
// A listing that fails records none (see made).
func (w *waitStart) begin(t *Tailer) {
	w.at = time.Now()
	sibs, err := rotatedSiblings(t.naming())
	if err != nil {
		return
	}
	w.known = make(map[[2]uint64][]byte, len(sibs))
	for _, s := range sibs {
		d, ino := devIno(s.fi)
		h, _ := s.readHead(FingerprintMax)
		w.known[[2]uint64{d, ino}] = h
	}
}

// made reports whether the rotated copy s, last written since the wait
// began, was made while the tailer waited: not there when the wait began
// (an inode freed since and given to a new file is told by the first
// bytes), and not the .gz of a copy that was (logrotate's compress writes
// a new file of a copy rotated before the wait). Without a listing of the
// copies at the wait's start (w.known nil), a plain copy is taken as made
// since, and a .gz unless its header says the file it compresses was last
// written before the wait (sibling.compressedAfter): an older copy
// compressed since. The kubelet's .gz, whose header has no time, is taken
// as made since: a container's log rotated and compressed while the agent
// was down would otherwise be lost (fresh-user trial 266); at worst such
// a copy of a file read before is read again.
func (w *waitStart) made(s sibling) bool {
	if w.known == nil {
		return !s.gz || s.compressedAfter(w.at)
	}
	d, ino := devIno(s.fi)
	if h, ok := w.known[[2]uint64{d, ino}]; ok && (len(h) == 0 || s.begins(h)) {
		return false
	}
	if s.gz {
		for _, h := range w.known {
			if s.begins(h) {
				return false
			}
		}
	}
	return true
}

// readAppeared positions live, a file that appeared at the path after the
// tailer began waiting for it (at start, after a rotation that left no
// file at the path, or after Config.NewSince; w), at 0 whatever StartAt:
// all its lines were written since. Before it, it reads, oldest first, the
// rotated copies made since (w.made): a file created and rotated away (or
// copied and truncated) before the tailer could open it left its lines
// only there. Copies another tailer follows (Config.FollowedElsewhere)
// are left to it. Without a checkpoint yet, one is saved at once at the
// start of the oldest copy (checkpointCopy), so that a restart before
// anything was committed reads the copies again, as it would the file.
func (t *Tailer) readAppeared(ctx context.Context, w *waitStart, live *logFile) error {
	live.off = 0
	after := w.at
	if w.known != nil {
		after = after.Add(-appearSlack)
	}
	now, _ := copyHead(live.f, false, FingerprintMax)
	copies := t.copiesAfter(after, func(s sibling) bool {
		return !w.made(s) || ofLive(s, live, now) ||
			t.cfg.FollowedElsewhere != nil && t.cfg.FollowedElsewhere(s.name, s.fi)
	})
	if len(copies) > 0 {
		t.checkpointCopy(copies[len(copies)-1], 0) // listed newest first
	}
	w.noteRead(copies...)
	t.noteSkipped(w, live)
	return t.drainListed(ctx, copies, live, nil)
}

// noteSkipped records, for a start without a checkpoint (w.first), before
// it reads the copies w.read ahead of live (the file that appeared at the
// path; nil: none yet), the rotated copies there that it does not read
// (SkippedCopies): neither in w.read nor a copy of live nor left to
// another tailer (Config.FollowedElsewhere). A listing that fails records
// none.
func (t *Tailer) noteSkipped(w *waitStart, live *logFile) {
	if !w.first {
		return
	}
	sibs, err := rotatedSiblings(t.naming())
	if err != nil {
		return
	}
	var now []byte
	if live != nil {
		now, _ = copyHead(live.f, false, FingerprintMax)
	}
	var names []string
	for _, s := range sibs {
		d, ino := devIno(s.fi)
		if w.read[[2]uint64{d, ino}] || ofLive(s, live, now) ||
			t.cfg.FollowedElsewhere != nil && t.cfg.FollowedElsewhere(s.name, s.fi) {
			continue
		}
		names = append(names, s.name)
	}
	t.mu.Lock()
	t.unreadCopies = names
	t.mu.Unlock()
}

// SkippedCopies returns the names of the rotated copies of the path,
// newest first, that a tailer started without a checkpoint does not read
// because the file at the path appeared after it began (it waited for
// one, or Config.NewSince): the copies there before that, whose lines
// predate the file, as UnreadCopies names them for a file there at start.
// It is set before the start's first Batch, whether that is of a copy
// read ahead of the file (made while the tailer waited) or of the file,
// and is nil for a tailer that started from a checkpoint or on a file
// there at start. It is safe for concurrent use.
func (t *Tailer) SkippedCopies() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.unreadCopies
}

// checkpointCopy saves, durably and at once, a checkpoint at offset off
// (bytes) of the rotated copy s, by its identity (device, inode and the
// fingerprint of its first bytes, decompressed for a .gz, which a restart
// matches the copy by), as firstCheckpoint does for a file: for a tailer
// that has no checkpoint and read nothing yet.
func (t *Tailer) checkpointCopy(s sibling, off int64) {
	if t.ckp.store == nil || t.rd.nread > 0 {
		return
	}
	head, err := s.readHead(FingerprintMax)
	if err != nil || len(head) == 0 {
		return
	}
	var id FileID
	id.Dev, id.Ino = devIno(s.fi)
	id.Fingerprint, id.FingerprintLen = fingerprint(head), len(head)
	t.mu.Lock()
	c := &t.ckp.com
	if c.valid {
		t.mu.Unlock()
		return
	}
	c.id, c.name, c.off = id, s.name, off
	c.valid, c.dirty = true, true
	t.mu.Unlock()
	t.saveCheckpoint()
}

// UnreadCopies returns the names of the rotated copies of the file c
// follows (as RotatedCopies lists them, newest first) that a tailer of c
// starting without a checkpoint, on a file at c.Path, does not read, so
// that a caller can name them: every copy when since is zero (the file
// counts as there at start: StartAt applies to it and its copies are
// history); else, since being the tailer's NewSince, the copies its
// appeared-file rule skips: the .gz ones whose header says they compress a
// file last written at or before since (waitStart.made) and the copies
// last written at or before since.
// It returns nil when c.Checkpoints holds a position for c.Path (or
// cannot be read), when c.Path is not a regular file, and when Path's
// directory cannot be listed.
func UnreadCopies(c Config, since time.Time) []string {
	if c.Checkpoints == nil || c.Path == "" {
		return nil
	}
	if p, err := c.Checkpoints.LoadPosition(c.Path); err != nil || p != nil {
		return nil
	}
	if fi, err := os.Stat(c.Path); err != nil || !fi.Mode().IsRegular() {
		return nil
	}
	sibs, err := rotatedSiblings(c.naming())
	if err != nil {
		return nil
	}
	w := waitStart{at: since} // as startNew's wait after NewSince: no listing
	var names []string
	for _, s := range sibs {
		if since.IsZero() || !s.fi.ModTime().After(since) || !w.made(s) {
			names = append(names, s.name)
		}
	}
	return names
}
