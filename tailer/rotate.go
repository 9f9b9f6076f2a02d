package tailer

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"
)

// noteGone logs why Path no longer names src, which is read to its end
// next: it was deleted, renamed away, or replaced by a new file. Only the
// last two count as a rotation.
func (t *Tailer) noteGone(src *logFile) {
	_, err := os.Stat(t.cfg.Path)
	switch {
	case deleted(src.f):
		t.log.Info("tailer: the file was deleted; reading it to its end, then waiting for a new file at the path", "old", src.id.String())
		return
	case errors.Is(err, fs.ErrNotExist):
		t.log.Info("tailer: the file was renamed away (rotation); reading it to its end, then waiting for a new file at the path", "old", src.id.String())
	default:
		t.log.Info("tailer: the path names a new file (rotation); reading the old one to its end", "old", src.id.String())
	}
	t.c.rotations.Add(1)
}

// maxQueued bounds the files opened ahead while an older one is drained.
const maxQueued = 16

// switchQuiet is how long a file renamed away must not have grown before
// reading moves on to the next file at the path (at most RotateWait);
// switchMax×switchQuiet bounds that wait when late writes keep coming.
// drainPoll is how often a renamed file is read again for late writes
// while the next file is read.
const (
	switchQuiet = 250 * time.Millisecond
	switchMax   = 4
	drainPoll   = 50 * time.Millisecond
)

// renamed is a file the path no longer names (rename rotation, deletion),
// read for late writes: writers may hold it open for a while.
type renamed struct {
	src   *logFile
	since time.Time // when the rotation was seen
	grew  time.Time // when a read last found it longer
	size  int64     // how far it was read then
}

// rotated handles a path that no longer names src. src is read to its end
// until it has not grown for switchQuiet (at most switchMax×switchQuiet),
// every new file seen at the path meanwhile being opened and queued, so
// that rotations quicker than that lose nothing; then reading moves on to
// the oldest queued file, and src is still read for late writes before
// each read of the newer files, until it has not grown for RotateWait (at
// most 12×RotateWait in all; see readDraining). With no new file yet, src
// is drained that long right away. It returns the next file to read, or
// nil when none is there yet.
func (t *Tailer) rotated(ctx context.Context, src *logFile) (*logFile, error) {
	t.setMode(ModeRotating)
	t.noteRenamed(src, false)
	t.noteGone(src)
	now := time.Now()
	r := &renamed{src: src, since: now, grew: now, size: -1}
	quiet := min(switchQuiet, t.cfg.RotateWait)
	for {
		t.queueRotated(src)
		if err := t.readDraining(ctx, src); err != nil {
			return nil, err
		}
		done, err := t.readRenamed(ctx, r)
		if err != nil {
			return nil, err
		}
		now := time.Now()
		canSwitch := now.Sub(r.grew) >= quiet || now.Sub(r.since) >= switchMax*quiet
		if done || canSwitch && len(t.rot.queue) > 0 {
			break
		}
		if err := sleep(ctx, min(t.cfg.PollInterval, drainPoll)); err != nil {
			return nil, err
		}
	}
	t.queueRotated(src)
	t.rot.draining = append(t.rot.draining, r)
	next, err := t.nextQueued(ctx)
	if err != nil {
		return nil, err
	}
	return next, t.readDraining(ctx, next)
}

// nextQueued returns the oldest queued plain file, to be read from 0, or
// nil when none is queued. The compressed copies queued before it (see
// queueUnseen) are read whole first, in order, and closed: they were
// rotated before it, and will not grow. Meanwhile the checkpoint stays
// in the oldest file drained (see Tailer.send).
func (t *Tailer) nextQueued(ctx context.Context) (*logFile, error) {
	for len(t.rot.queue) > 0 {
		q := t.rot.queue[0]
		t.rot.queue = t.rot.queue[1:]
		if !q.gz {
			q.off = 0
			return q, nil
		}
		t.log.Info("tailer: reading a compressed rotated file the tailer never saw at the path", "file", q.name)
		var mod time.Time // unknown: copiesUnseen's bound stays
		if fi, err := q.f.Stat(); err == nil {
			mod = fi.ModTime()
		}
		err := t.drainOpen(ctx, q, mod, 0)
		q.close()
		if err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// readRenamed reads r to its end and reports whether it is done: it has
// not grown for RotateWait, or was drained for 12×RotateWait, or cannot be
// read any more. A file found truncated is recovered as the followed file
// is (see truncated): the rest of what it held is read from its rotated
// copy, and it is read again from 0.
func (t *Tailer) readRenamed(ctx context.Context, r *renamed) (done bool, err error) {
	err = t.readToEOF(ctx, r.src)
	if ctx.Err() != nil {
		return true, ctx.Err()
	}
	if err == nil && t.cutUnder(r.src) {
		err = errTruncated
	}
	if errors.Is(err, errTruncated) {
		// Cut by copytruncate after it was renamed away (or before, unseen):
		// its unread lines are in the copy, and it is read again from 0.
		if err := t.truncated(ctx, r.src); err != nil {
			return true, err
		}
		r.size, r.grew = -1, time.Now()
		return false, nil
	}
	if err != nil {
		t.log.Warn("tailer: stopped reading the rotated file", "err", err, "offset", r.src.off)
		return true, nil
	}
	now := time.Now()
	if t.rd.lr.pos != r.size {
		r.size, r.grew = t.rd.lr.pos, now
	}
	return now.Sub(r.grew) >= t.cfg.RotateWait || now.Sub(r.since) >= 12*t.cfg.RotateWait, nil
}

// cutUnder reports whether src, read to its end with no line in hand to
// check, was truncated under the reader: it is now shorter than where
// reading got to, or as long with other first bytes (as check tells it of
// the followed file, by the path). A file that cannot be looked at is
// taken as not cut.
func (t *Tailer) cutUnder(src *logFile) bool {
	size, err := fileSize(src.f)
	switch {
	case err != nil:
		return false
	case size < t.readEnd(src):
		return true
	case size == t.readEnd(src):
		ok, err := src.verifyHead()
		return err == nil && !ok
	}
	return false
}

// readDraining reads the renamed files still drained, oldest first, and
// finishes those that are done: their incomplete last line is delivered
// and they are closed, and the checkpoint moves on (see moveAnchor) to
// the next one, or to cur, the newer file being read (nil: unknown yet).
func (t *Tailer) readDraining(ctx context.Context, cur *logFile) error {
	for len(t.rot.draining) > 0 {
		r := t.rot.draining[0]
		done, err := t.readRenamed(ctx, r)
		if err != nil {
			return err
		}
		if !done {
			break // newer ones wait: their lines come after r's
		}
		if t.rd.lrFile == r.src {
			if err := t.sendPartial(ctx, r.src); err != nil {
				return err
			}
		}
		t.rd.lrFile = nil
		r.src.close()
		t.noteRenamed(r.src, true)
		t.rot.draining = t.rot.draining[1:]
		t.moveAnchor(cur)
	}
	for _, r := range t.rot.draining[min(1, len(t.rot.draining)):] {
		if _, err := t.readRenamed(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// moveAnchor moves the checkpoint, which stayed in the oldest drained
// file (see Tailer.send), to the next oldest one, or to cur when none is
// left, once every batch sent so far is committed (at once when it is).
func (t *Tailer) moveAnchor(cur *logFile) {
	var p position
	clearNext := false // the checkpoint moves into the newest file
	switch {
	case len(t.rot.draining) > 0:
		p = positionOf(t.rot.draining[0].src)
	case cur != nil:
		p, clearNext = positionOf(cur), true
	default:
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.rd.seq == 0 {
		return
	}
	c := &t.ckp.com
	if c.held && c.seq == t.rd.seq {
		// The hold is before p; Unhold moves there (see CommitHeld).
		c.full = p
		c.fullLater.drop(p.id, clearNext)
		t.ckp.reanchor = nil
		return
	}
	if c.seq == t.rd.seq && c.n == c.len {
		c.id, c.name, c.off = p.id, p.name, p.off
		c.later.drop(p.id, clearNext)
		c.valid, c.dirty = true, true
		t.ckp.reanchor = nil
		return
	}
	t.ckp.reanchor = &reanchor{seq: t.rd.seq, to: p, clearNext: clearNext}
}

// closeFiles closes the files queued and drained when the loop ends.
func (t *Tailer) closeFiles() {
	for _, q := range t.rot.queue {
		q.close()
	}
	for _, r := range t.rot.draining {
		r.src.close()
	}
	t.rot.queue, t.rot.draining = nil, nil
}

// queueRotated queues the files that came after src: those renamed away
// from the path before the tailer saw them there (see queueUnseen), then
// the file at the path.
func (t *Tailer) queueRotated(src *logFile) {
	t.queueUnseen(src)
	t.queueNew(src)
}

// watchBlocked is what the reader, blocked sending a batch of reading (see
// sendBlocked), does every PollInterval: when Path names a file that is
// neither the followed file, nor reading, nor one renamed away and still
// drained, nor one queued, it came with a rotation, and it is opened and
// queued (queueNew). Held open, a file that a later rotation removes
// (logrotate's rotate count) is still read once the reader is free. The
// rotated copies are left to rotated (queueUnseen), which looks at them
// once the rotation is done: here, logrotate may be halfway through one.
//
// With maxQueued files queued, a new file at Path is not opened: it is
// logged once (until the queue has room again) that the files rotated
// from then on are read only if logrotate keeps them until the reader
// gets to them.
func (t *Tailer) watchBlocked(reading *logFile) {
	src := t.rot.followed
	if src == nil {
		return
	}
	full := len(t.rot.queue) >= maxQueued
	if !full {
		t.rot.fullLogged = false
	}
	fi, err := os.Stat(t.cfg.Path)
	if err != nil || sameInode(fi, src) || sameInode(fi, reading) || t.holds(fi) {
		return
	}
	if !full {
		t.queueNew(src)
		return
	}
	if !t.rot.fullLogged {
		t.rot.fullLogged = true
		t.log.Warn("tailer: the consumer (the forwarder: is the collector down?) has taken no lines for as many rotations as the tailer keeps files open for; the files rotated from now on are read only if logrotate's rotate count keeps them until the reader gets to them, and lost otherwise",
			"files_open_ahead", maxQueued, "reading", reading.name)
	}
}

// queued reports whether fi is a file queued to be read.
func (t *Tailer) queued(fi os.FileInfo) bool {
	for _, q := range t.rot.queue {
		if sameInode(fi, q) {
			return true
		}
	}
	return false
}

// queueNew opens the file at Path when it is neither src nor already queued.
func (t *Tailer) queueNew(src *logFile) {
	if len(t.rot.queue) >= maxQueued {
		return
	}
	fi, err := os.Stat(t.cfg.Path)
	if err != nil || sameInode(fi, src) || t.queued(fi) {
		return
	}
	s, _, err := openLogFile(t.cfg.Path)
	if err != nil {
		return
	}
	if s.id.SameFile(src.id) {
		s.close()
		return
	}
	t.rot.queue = append(t.rot.queue, s)
}
