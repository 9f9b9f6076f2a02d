package tailer

import (
	"context"
	"errors"
	"time"
)

// errTruncated reports that the file being read was truncated (or rewritten)
// under the reader; the current batch was discarded.
var errTruncated = errors.New("tailer: file truncated")

// flushChecked sends the current batch after checking (confirm) that src
// was not truncated and rewritten while it was read.
func (t *Tailer) flushChecked(ctx context.Context, src *logFile) error {
	if err := t.confirm(ctx, src); err != nil {
		return err
	}
	return t.send(ctx, src)
}

// confirm checks that src was not truncated and rewritten while the lines
// in hand were read, by its first bytes. If it was, the lines read since
// the last check (which may hold bytes of the new content at old offsets)
// are dropped, the ones confirmed before are sent, and errTruncated is
// returned. When the file is now shorter than the end of the lines in hand,
// they were all read before the cut (see cutBelow) and are all sent: that
// keeps the lines written between logrotate's copy and its truncate.
func (t *Tailer) confirm(ctx context.Context, src *logFile) error {
	if t.rd.cur == nil || len(t.rd.cur.Ends) == t.rd.confirmed {
		return nil
	}
	ok, err := src.verifyHead()
	if err == nil && ok {
		t.rd.confirmed = len(t.rd.cur.Ends)
		src.sure = time.Now()
		return nil
	}
	if err == nil {
		if size, serr := fileSize(src.f); serr == nil && cutBelow(size, t.readEnd(src)) {
			t.rd.confirmed = len(t.rd.cur.Ends)
		}
	}
	t.rd.cur.truncate(t.rd.confirmed)
	if serr := t.send(ctx, src); serr != nil {
		return serr
	}
	t.discard()
	if err != nil {
		return err
	}
	return errTruncated
}

// readToEOF reads complete lines of a plain file from src.off (or the end
// of the lines in hand) to its current end and sends them. A partial last
// line stays pending in t.rd.lr.
func (t *Tailer) readToEOF(ctx context.Context, src *logFile) error {
	if !t.skipCutRest(src) {
		return nil
	}
	if t.rd.lrFile != src || t.rd.lr.lineStart != t.readEnd(src) {
		t.discard()
		t.rd.lr.reset(src.off)
		t.rd.lrFile = src
	}
	// A regular file reads short only at its end: after a short read the
	// file is read again at the next call, not at once for a 0.
	atEnd := false
	read := func(p []byte, off int64) (int, error) {
		if atEnd {
			return 0, nil
		}
		n, err := preadOnce(src.f, p, off)
		atEnd = n < len(p)
		return n, err
	}
	for {
		start := t.rd.lr.lineStart
		line, end, over, ok, err := t.rd.lr.next(read)
		if err != nil {
			t.discard()
			t.rd.lrFile = nil
			return err
		}
		if !ok {
			break
		}
		t.add(src, line, start, end, over)
		if t.full() {
			if err := t.flushChecked(ctx, src); err != nil {
				t.rd.lrFile = nil
				return err
			}
		}
	}
	if t.cfg.Complete {
		t.takePartial(src)
	}
	if err := t.flushChecked(ctx, src); err != nil {
		t.rd.lrFile = nil
		return err
	}
	return nil
}

// sendPartial delivers the pending incomplete last line of a file that will
// not grow any more (rotated away, or a rotated copy).
func (t *Tailer) sendPartial(ctx context.Context, src *logFile) error {
	if t.takePartial(src) {
		return t.send(ctx, src)
	}
	return nil
}

// takePartial adds the reader's pending incomplete line of src, if any,
// to the current batch as a line ending at the reader's position, and
// reports whether there was one.
func (t *Tailer) takePartial(src *logFile) bool {
	p, over := t.rd.lr.pending()
	if len(p) == 0 && !over {
		return false
	}
	addLine(t, src.name, p, t.rd.lr.lineStart, t.rd.lr.pos, false, over)
	t.rd.lr.reset(t.rd.lr.pos)
	return true
}

// cutBelow reports, given size from a stat of the file, whether it is now
// shorter than expect, the end of the lines in hand (-1 for no size).
// Writers append (O_APPEND), so after a truncation the file grows again
// from 0 and has stayed below expect ever since: the reader, reading
// forward, cannot have read bytes up to expect after the cut, so every
// line in hand was read before it.
func cutBelow(size, expect int64) bool { return size >= 0 && size < expect }
