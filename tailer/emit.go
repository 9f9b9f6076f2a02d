package tailer

import (
	"context"
	"errors"
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

// add appends a line read by the backlog reader. over says the reader
// already cut it.
func (t *Tailer) add(line []byte, end int64, over bool) { addLine(t, line, end, over) }

// addString appends a line received from github.com/nxadm/tail.
func (t *Tailer) addString(line string, end int64) { addLine(t, line, end, false) }

// addLine removes a trailing "\r" (unless the line was cut), cuts the line
// to MaxLineBytes, counts it when cut, and appends it to the current batch.
func addLine[T []byte | string](t *Tailer, line T, end int64, over bool) {
	if !over && len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if len(line) > t.cfg.MaxLineBytes {
		line, over = line[:t.cfg.MaxLineBytes], true
	}
	if over {
		t.c.truncLines.Add(1)
	}
	b := t.batch()
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
	src.off = end
	t.c.lines.Add(nLines)
	t.c.bytes.Add(nBytes)
	t.mu.Lock()
	t.readID, t.readOff = src.id, end
	t.mu.Unlock()
	return nil
}

// flushChecked sends the current batch after checking that src was not
// truncated and rewritten while the batch was read; if it was, the batch
// (which may hold bytes of the new content at old offsets) is dropped.
func (t *Tailer) flushChecked(ctx context.Context, src *source) error {
	if t.cur == nil || len(t.cur.Ends) == 0 {
		return nil
	}
	ok, err := src.verifyHead()
	if err != nil {
		t.discard()
		return err
	}
	if !ok {
		t.discard()
		return errTruncated
	}
	return t.send(ctx, src)
}

// readToEOF reads complete lines of a plain source from src.off to its
// current end and sends them. A partial last line stays pending in t.lr.
func (t *Tailer) readToEOF(ctx context.Context, src *source) error {
	if t.lrSrc != src || t.lr.lineStart != src.off {
		t.lr.reset(src.off)
		t.lrSrc = src
	}
	read := src.f.ReadAt
	for {
		line, end, over, ok, err := t.lr.next(read)
		if err != nil {
			t.discard()
			t.lrSrc = nil
			return err
		}
		if !ok {
			break
		}
		t.add(line, end, over)
		if t.full() {
			if err := t.flushChecked(ctx, src); err != nil {
				t.lrSrc = nil
				return err
			}
		}
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
	if p, over := t.lr.pending(); len(p) > 0 || over {
		t.add(p, t.lr.pos, over)
		t.lr.reset(t.lr.pos)
		return t.send(ctx, src)
	}
	return nil
}
