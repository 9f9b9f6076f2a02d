package tailer

import (
	"context"
	"errors"
	"time"
)

// errTruncated reports that the file being read was truncated (or rewritten)
// under the reader; the current batch was discarded.
var errTruncated = errors.New("tailer: file truncated")

func (t *Tailer) batch() *Batch {
	if t.cur == nil {
		t.cur = t.getBatch()
	}
	return t.cur
}

// add appends a line read by the backlog reader, which starts at offset
// start and ends (after its newline) at end. over says the reader already
// cut it.
func (t *Tailer) add(line []byte, start, end int64, over bool) { addLine(t, line, start, end, over) }

// addString appends a line received from github.com/nxadm/tail.
func (t *Tailer) addString(line string, end int64) {
	addLine(t, line, end-int64(len(line))-1, end, false)
}

// addLine removes a trailing "\r" (unless the line was cut), cuts the line
// to MaxLineBytes, counts and reports it when cut, and appends it to the
// current batch.
func addLine[T []byte | string](t *Tailer, line T, start, end int64, over bool) {
	if !over && len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if len(line) > t.cfg.MaxLineBytes {
		line, over = line[:t.cfg.MaxLineBytes], true
	}
	if over {
		t.c.truncLines.Add(1)
		t.truncLog.report(t.log, start, end)
	}
	b := t.batch()
	if len(b.Ends) == 0 && t.holdFor > 0 {
		t.curSince = time.Now()
	}
	t.nread++
	b.Data = append(b.Data, line...)
	b.Ends = append(b.Ends, len(b.Data))
	b.Offsets = append(b.Offsets, end)
}

func (t *Tailer) full() bool {
	b := t.cur
	return b != nil && (len(b.Ends) >= t.cfg.BatchLines || len(b.Data) >= t.cfg.BatchBytes)
}

// discard drops the lines collected but not sent.
func (t *Tailer) discard() {
	if t.cur != nil {
		t.cur.reset()
	}
	t.confirmed = 0
}

// readEnd is the offset in src just after the last line read: src.off, or
// the end of the lines in hand.
func (t *Tailer) readEnd(src *source) int64 {
	if b := t.cur; b != nil && len(b.Offsets) > 0 {
		return b.Offsets[len(b.Offsets)-1]
	}
	return src.off
}

// send hands the current batch out as read from src and advances src.off.
func (t *Tailer) send(ctx context.Context, src *source) error {
	b := t.cur
	if b == nil || len(b.Ends) == 0 {
		return nil
	}
	b.File, b.Name = src.id, src.name
	t.seq++
	b.seq = t.seq
	// b belongs to the consumer once sent: take what is needed first.
	end := b.Offsets[len(b.Offsets)-1]
	nLines, nBytes := uint64(len(b.Ends)), uint64(len(b.Data))
	t.c.outstanding.Add(1)
	select {
	case t.out <- b:
	case <-ctx.Done():
		t.c.outstanding.Add(-1)
		b.seq = 0
		return ctx.Err()
	}
	t.cur = nil
	t.confirmed = 0
	src.off = end
	t.c.lines.Add(nLines)
	t.c.bytes.Add(nBytes)
	t.mu.Lock()
	t.readID, t.readOff = src.id, end
	t.mu.Unlock()
	return nil
}

// flushChecked sends the current batch after checking (confirm) that src
// was not truncated and rewritten while it was read.
func (t *Tailer) flushChecked(ctx context.Context, src *source) error {
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
func (t *Tailer) confirm(ctx context.Context, src *source) error {
	if t.cur == nil || len(t.cur.Ends) == t.confirmed {
		return nil
	}
	ok, err := src.verifyHead()
	if err == nil && ok {
		t.confirmed = len(t.cur.Ends)
		return nil
	}
	if err == nil {
		if size, serr := fileSize(src.f); serr == nil && cutBelow(size, t.readEnd(src)) {
			t.confirmed = len(t.cur.Ends)
		}
	}
	t.cur.truncate(t.confirmed)
	if serr := t.send(ctx, src); serr != nil {
		return serr
	}
	t.discard()
	if err != nil {
		return err
	}
	return errTruncated
}

// readToEOF reads complete lines of a plain source from src.off (or the end
// of the lines held back) to its current end and sends them; with holdFor
// set, a batch not full and younger than holdFor is only confirmed and
// kept for the next read. A partial last line stays pending in t.lr.
func (t *Tailer) readToEOF(ctx context.Context, src *source) error {
	if t.lrSrc != src || t.lr.lineStart != t.readEnd(src) {
		t.discard()
		t.lr.reset(src.off)
		t.lrSrc = src
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
		start := t.lr.lineStart
		line, end, over, ok, err := t.lr.next(read)
		if err != nil {
			t.discard()
			t.lrSrc = nil
			return err
		}
		if !ok {
			break
		}
		t.add(line, start, end, over)
		if t.full() {
			if err := t.flushChecked(ctx, src); err != nil {
				t.lrSrc = nil
				return err
			}
		}
	}
	if t.cfg.Complete {
		t.takePartial()
	}
	if t.holdFor > 0 && t.cur != nil && time.Since(t.curSince) < t.holdFor {
		err := t.confirm(ctx, src)
		if err != nil {
			t.lrSrc = nil
		}
		return err
	}
	if err := t.flushChecked(ctx, src); err != nil {
		t.lrSrc = nil
		return err
	}
	return nil
}

// sendPartial delivers the pending incomplete last line of a file that will
// not grow any more (rotated away, or a rotated copy).
func (t *Tailer) sendPartial(ctx context.Context, src *source) error {
	if t.takePartial() {
		return t.send(ctx, src)
	}
	return nil
}

// takePartial adds the reader's pending incomplete line, if any, to the
// current batch as a line ending at the reader's position, and reports
// whether there was one.
func (t *Tailer) takePartial() bool {
	p, over := t.lr.pending()
	if len(p) == 0 && !over {
		return false
	}
	t.add(p, t.lr.lineStart, t.lr.pos, over)
	t.lr.reset(t.lr.pos)
	return true
}
