package tailer

import (
	"bytes"
	"io"

	"github.com/gitlab-syslog/gitlab-syslog/internal/nulrun"
)

// lineReader splits a byte stream into lines with one reused buffer. It
// never returns a partial line: bytes after the last newline stay pending
// until the newline arrives. A line longer than max is kept to max+1 bytes
// and the rest is dropped up to its newline, so memory stays bounded; NUL
// padding that takes a line assembled across reads over max is cut as
// nulrun.Builder cuts it (a line read at once is its caller's to cut).
type lineReader struct {
	buf       []byte
	r, w      int
	pos       int64 // stream offset of buf[w]: the next byte to read
	lineStart int64 // stream offset where the pending (incomplete) line begins
	// pend is the incomplete line, at most max+1 bytes of it, its NUL
	// padding cut (nulrun.Builder).
	pend nulrun.Builder
}

func newLineReader(bufSize, max int) *lineReader {
	return &lineReader{buf: make([]byte, bufSize), pend: nulrun.Builder{Max: max}}
}

// reset positions the reader at stream offset off with nothing pending.
func (lr *lineReader) reset(off int64) {
	lr.r, lr.w = 0, 0
	lr.pos, lr.lineStart = off, off
	lr.pend.Reset()
}

// pending reports the bytes of an incomplete line held back (capped).
func (lr *lineReader) pending() ([]byte, bool) { return lr.pend.Line() }

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
				if line, over := lr.pend.Line(); len(line) == 0 && !over {
					return chunk[:i], end, false, true, nil
				}
				lr.pend.Append(chunk[:i])
				line, over = lr.pend.Line()
				lr.pend.Reset() // line stays valid until the next Append
				return line, end, over, true, nil
			}
			lr.pend.Append(chunk)
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
