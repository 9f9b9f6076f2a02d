package tailer

import (
	"bytes"
	"io"
)

// lineReader splits a byte stream into lines with one reused buffer. It
// never returns a partial line: bytes after the last newline stay pending
// until the newline arrives. A line longer than max is kept to max+1 bytes
// and the rest is dropped up to its newline, so memory stays bounded.
type lineReader struct {
	buf       []byte
	r, w      int
	pos       int64 // stream offset of buf[w]: the next byte to read
	lineStart int64 // stream offset where the pending (incomplete) line begins
	pend      []byte
	pendOver  bool
	// nulCut: pend is the one NUL a run of NULs over max was cut to, and
	// the run may go on: appendPend drops the NULs that continue it.
	nulCut bool
	max    int
}

func newLineReader(bufSize, max int) *lineReader {
	return &lineReader{buf: make([]byte, bufSize), max: max}
}

// reset positions the reader at stream offset off with nothing pending.
func (lr *lineReader) reset(off int64) {
	lr.r, lr.w = 0, 0
	lr.pos, lr.lineStart = off, off
	lr.pend = lr.pend[:0]
	lr.pendOver, lr.nulCut = false, false
}

// pending reports the bytes of an incomplete line held back (capped).
func (lr *lineReader) pending() ([]byte, bool) { return lr.pend, lr.pendOver }

// appendPend adds b to the incomplete line, up to max+1 bytes. A run of
// NUL bytes at the start of the line (the padding a crash or a
// copytruncate leaves) that would take the line over max is cut to one
// NUL, however long it goes on, so that the GitLab line after it is kept
// whole, not lost to the cut.
func (lr *lineReader) appendPend(b []byte) {
	if lr.nulCut {
		b = bytes.TrimLeft(b, "\x00") // the run goes on
	} else if len(lr.pend)+len(b) > lr.max+1 && !lr.pendOver && (len(lr.pend) > 0 || len(b) > 0 && b[0] == 0) && len(bytes.TrimLeft(lr.pend, "\x00")) == 0 {
		b = bytes.TrimLeft(b, "\x00")
		lr.pend = append(lr.pend[:0], 0)
		lr.nulCut = true
	}
	if len(b) > 0 {
		lr.nulCut = false
	}
	room := lr.max + 1 - len(lr.pend)
	if len(b) > room {
		if room > 0 {
			lr.pend = append(lr.pend, b[:room]...)
		}
		lr.pendOver = true
		return
	}
	lr.pend = append(lr.pend, b...)
}

// next returns the next complete line without its "\n", the stream offset
// just after the newline, and whether the line was cut (longer than max+1).
// ok is false when no complete line is available (EOF for now). read fills
// p from the stream at offset lr.pos. The line is valid until the next call.
func (lr *lineReader) next(read func(p []byte, off int64) (int, error)) (line []byte, end int64, over, ok bool, err error) {
	for {
		if lr.r < lr.w {
			chunk := lr.buf[lr.r:lr.w]
			if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
				end = lr.pos - int64(len(chunk)) + int64(i) + 1
				lr.r += i + 1
				lr.lineStart = end
				if len(lr.pend) == 0 && !lr.pendOver {
					return chunk[:i], end, false, true, nil
				}
				lr.appendPend(chunk[:i])
				line, over = lr.pend, lr.pendOver
				lr.pend = lr.pend[:0]
				lr.pendOver, lr.nulCut = false, false
				return line, end, over, true, nil
			}
			lr.appendPend(chunk)
			lr.r = lr.w
		}
		lr.r, lr.w = 0, 0
		n, rerr := read(lr.buf, lr.pos)
		lr.w = n
		lr.pos += int64(n)
		if n == 0 {
			if rerr == nil || rerr == io.EOF {
				return nil, 0, false, false, nil
			}
			return nil, 0, false, false, rerr
		}
	}
}
