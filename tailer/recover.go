package tailer

import (
	"compress/gzip"
	"context"
	"errors"
	"io"
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

// truncated handles a file cut under the reader (copytruncate): the lines
// not read yet are recovered from the rotated copy whose head matches what
// was read, then the file is read again from 0.
func (t *Tailer) truncated(ctx context.Context, src *source) error {
	t.c.truncations.Add(1)
	// Lines held back by a polling read were confirmed as the file's
	// content when they were read, before the cut: send them.
	if t.cur != nil {
		t.cur.truncate(t.confirmed)
		if err := t.send(ctx, src); err != nil {
			return err
		}
	}
	t.discard()
	t.lrSrc = nil
	if len(src.head) > 0 {
		find := func() (sibling, bool) { return findByHead(t.cfg.Path, src.head, src.id.Dev, src.id.Ino) }
		if sib, ok := find(); ok {
			t.log.Info("tailer: file truncated; reading the rest from its rotated copy", "copy", sib.name, "offset", src.off)
			sib, err := t.recoverCopy(ctx, sib, find, src.off)
			if err != nil {
				return err
			}
			if err := t.drainNewer(ctx, sib, src); err != nil {
				return err
			}
		} else {
			t.log.Warn("tailer: file truncated and no rotated copy matches; lines after the offset that were not read are lost",
				"offset", src.off)
		}
	}
	src.off = 0
	src.setHead(nil)
	if _, err := src.verifyHead(); err != nil {
		t.log.Warn("tailer: re-reading head after truncation failed", "err", err)
	}
	return nil
}

// drainNewer reads, oldest first and from 0, the rotated siblings newer
// than m: after m was rotated, the file was rotated again before the tailer
// saw it, so their content was never read. A sibling that is the live file
// (same inode) or is a copy of it (same head) is skipped.
func (t *Tailer) drainNewer(ctx context.Context, m sibling, live *source) error {
	sibs, err := rotatedSiblings(t.cfg.Path)
	if err != nil {
		return nil
	}
	md, mi := devIno(m.fi)
	for i := len(sibs) - 1; i >= 0; i-- {
		s := sibs[i]
		if !s.fi.ModTime().After(m.fi.ModTime()) {
			continue
		}
		d, ino := devIno(s.fi)
		if d == md && ino == mi || s.name == m.name {
			continue
		}
		if live != nil {
			if live.id.Dev == d && live.id.Ino == ino {
				continue
			}
			if h, err := s.readHead(len(live.head)); err == nil && len(live.head) > 0 && string(h) == string(live.head) {
				continue
			}
		}
		if strippedName(s.name) == strippedName(m.name) {
			continue // the same copy, plain and compressed
		}
		t.log.Info("tailer: reading a rotated file the tailer never saw", "file", s.name)
		if _, err := t.drainCopy(ctx, s, 0); err != nil {
			return err
		}
	}
	return nil
}

func strippedName(name string) string {
	if len(name) > 3 && name[len(name)-3:] == ".gz" {
		return name[:len(name)-3]
	}
	return name
}

// recoverCopy drains sib, found by find, from offset from. logrotate's
// compress replaces a plain copy by its .gz once that is complete: when sib
// is gone before it could be opened, find looks again, for up to
// RotateWait. It returns the copy drained.
func (t *Tailer) recoverCopy(ctx context.Context, sib sibling, find func() (sibling, bool), from int64) (sibling, error) {
	deadline := time.Now().Add(t.cfg.RotateWait)
	for {
		gone, err := t.drainCopy(ctx, sib, from)
		if err != nil || !gone {
			return sib, err
		}
		if time.Now().After(deadline) {
			t.log.Warn("tailer: the rotated copy was removed before it could be read, and no other copy matches; its unread lines are lost",
				"copy", sib.name, "offset", from)
			return sib, nil
		}
		if err := sleep(ctx, min(t.cfg.PollInterval, 50*time.Millisecond)); err != nil {
			return sib, err
		}
		if next, ok := find(); ok {
			sib = next
		}
	}
}

// drainCopy reads a rotated copy (plain or gzip) from offset from to its
// end and delivers its lines, the incomplete last one included. gone
// reports that the copy no longer exists, so nothing was read.
func (t *Tailer) drainCopy(ctx context.Context, s sibling, from int64) (gone bool, err error) {
	t.setMode("recovering")
	f, err := os.Open(s.name)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		t.log.Warn("tailer: cannot open rotated copy", "copy", s.name, "err", err)
		return false, nil
	}
	defer f.Close()
	src := &source{name: s.name, f: f, static: true}
	src.id.Dev, src.id.Ino = devIno(s.fi)
	if h, err := s.readHead(FingerprintMax); err == nil {
		src.setHead(h)
	}
	read := f.ReadAt
	if s.gz {
		gr, err := gzip.NewReader(f)
		if err != nil {
			t.log.Warn("tailer: rotated copy is not valid gzip", "copy", s.name, "err", err)
			return false, nil
		}
		defer gr.Close()
		if n, err := io.CopyN(io.Discard, gr, from); err != nil || n != from {
			t.log.Info("tailer: rotated copy ends before the offset; nothing to recover", "copy", s.name, "offset", from)
			return false, nil
		}
		read = func(p []byte, _ int64) (int, error) { return gr.Read(p) }
	}
	src.off = from
	t.lr.reset(from)
	t.lrSrc = nil
	for {
		start := t.lr.lineStart
		line, end, over, ok, err := t.lr.next(read)
		if err != nil {
			t.log.Warn("tailer: reading rotated copy failed; the rest of it is lost", "copy", s.name, "err", err)
			break
		}
		if !ok {
			break
		}
		t.add(line, start, end, over)
		if t.full() {
			if err := t.send(ctx, src); err != nil {
				return false, err
			}
		}
	}
	t.takePartial()
	if err := t.send(ctx, src); err != nil {
		return false, err
	}
	t.c.recovered.Add(uint64(max(0, t.lr.pos-from)))
	t.lr.reset(0)
	return false, nil
}
