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
func (t *Tailer) noteGone(src *source) {
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

// rotated drains a file that Path no longer names: it is read to its end
// until it has not grown for RotateWait (writers may still hold it open),
// its incomplete last line is delivered, and it is closed. Meanwhile every
// new file seen at Path is opened and queued in t.queue, oldest first, so
// that rotations quicker than RotateWait lose nothing; the main loop reads
// them in turn. It returns the next file to read, or nil.
func (t *Tailer) rotated(ctx context.Context, src *source) (*source, error) {
	t.setMode("rotating")
	t.noteGone(src)
	start := time.Now()
	quiet, last := start, int64(-1)
	for {
		t.queueNew(src)
		err := t.readToEOF(ctx, src)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			t.log.Warn("tailer: stopped reading the rotated file", "err", err, "offset", src.off)
			break
		}
		now := time.Now()
		if t.lr.pos != last {
			last, quiet = t.lr.pos, now
		}
		if now.Sub(quiet) >= t.cfg.RotateWait || now.Sub(start) >= 12*t.cfg.RotateWait {
			break
		}
		if err := sleep(ctx, t.cfg.PollInterval); err != nil {
			return nil, err
		}
	}
	t.queueNew(src)
	if t.lrSrc == src {
		if err := t.sendPartial(ctx, src); err != nil {
			return nil, err
		}
	}
	t.lrSrc = nil
	src.close()
	if len(t.queue) == 0 {
		return nil, nil
	}
	next := t.queue[0]
	t.queue = t.queue[1:]
	next.off = 0
	return next, nil
}

// queueNew opens the file at Path when it is neither src nor already queued.
func (t *Tailer) queueNew(src *source) {
	if len(t.queue) >= maxQueued {
		return
	}
	fi, err := os.Stat(t.cfg.Path)
	if err != nil || sameInode(fi, src) {
		return
	}
	for _, q := range t.queue {
		if sameInode(fi, q) {
			return
		}
	}
	s, _, err := openSource(t.cfg.Path)
	if err != nil {
		return
	}
	if s.id.SameFile(src.id) {
		s.close()
		return
	}
	t.queue = append(t.queue, s)
}
