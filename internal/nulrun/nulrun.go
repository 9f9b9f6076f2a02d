// Package nulrun cuts the NUL padding a crash or a copytruncate leaves in
// a log line, so that a length limit on lines does not lose GitLab's line
// after it.
//
// A file extended with zeros before the writer's data reached it (a
// crash), or truncated under a writer that does not append (copytruncate
// without O_APPEND), holds a run of NUL bytes where the writer's next line
// begins, maybe after part of a line the crash cut short. Read as one
// line, padding longer than the reader's line limit would fill the limit
// and push GitLab's line past it. No GitLab log line holds a NUL byte, so
// what follows the last one is the writer's line.
package nulrun

import "bytes"

// Cut returns line from its last NUL byte on (that NUL, then GitLab's
// line) when line is longer than max bytes and holds a NUL byte; when
// nothing follows that NUL (padding at the end of the line), line up to
// the first NUL of the run that ends it, that NUL included; else line as
// it is. The result is a subslice (or substring) of line: a line of NUL
// bytes alone becomes one NUL.
func Cut[T []byte | string](line T, max int) T {
	if len(line) <= max {
		return line
	}
	i := len(line) - 1
	for i >= 0 && line[i] != 0 {
		i--
	}
	switch {
	case i < 0:
		return line
	case i < len(line)-1:
		return line[i:]
	}
	for i > 0 && line[i-1] == 0 {
		i--
	}
	return line[:i+1]
}

// Builder assembles a line from the pieces it is read in, keeping at most
// Max+1 bytes of it (the rest is dropped, and the line marked cut), with
// the padding cut as Cut cuts it: NUL padding in a line that would take it
// over that is cut, with what comes before it, to one NUL, however long
// the run goes on, so that the GitLab line after it is kept whole; padding
// that ends the line is cut to one NUL after the text before it. Memory
// stays bounded by Max whatever the line's length. The zero Builder has
// Max 0; set Max before the first Append.
type Builder struct {
	Max  int // the line limit, in bytes
	buf  []byte
	over bool
	// run: the line, over the limit, ends in a run of NUL bytes cut to
	// one NUL: the NULs that continue it are dropped, and text after it
	// starts the line again.
	run bool
}

// Append adds p, the next piece of the line.
func (b *Builder) Append(p []byte) {
	switch {
	case b.run:
		if p = bytes.TrimLeft(p, "\x00"); len(p) == 0 {
			return // the run goes on
		}
		b.buf, b.over, b.run = append(b.buf[:0], 0), false, false // the line after it
	case len(b.buf)+len(p) > b.Max+1:
		i := bytes.LastIndexByte(p, 0)
		switch {
		case i >= 0 && i < len(p)-1:
			b.buf, b.over, p = append(b.buf[:0], 0), false, p[i+1:]
		case i >= 0: // p ends in a run: what comes after it decides
			j := i
			for j > 0 && p[j-1] == 0 {
				j--
			}
			if j > 0 {
				b.appendCapped(p[:j])
			} else if !b.over { // the run may have begun in buf
				b.buf = bytes.TrimRight(b.buf, "\x00")
			}
			b.appendCapped([]byte{0}) // one NUL after the text before the run
			b.run = true
			return
		default:
			if i := bytes.LastIndexByte(b.buf, 0); i >= 0 && !b.over {
				n := copy(b.buf[1:], b.buf[i+1:])
				b.buf[0], b.buf = 0, b.buf[:1+n]
			}
		}
	}
	b.appendCapped(p)
}

// appendCapped adds p up to Max+1 bytes in all; past them the line is
// marked cut.
func (b *Builder) appendCapped(p []byte) {
	room := b.Max + 1 - len(b.buf)
	if len(p) > room {
		if room > 0 {
			b.buf = append(b.buf, p[:room]...)
		}
		b.over = true
		return
	}
	b.buf = append(b.buf, p...)
}

// Line returns the line assembled (at most Max+1 bytes, valid until the
// next Append or Reset) and whether bytes of it were dropped past them.
func (b *Builder) Line() (line []byte, over bool) { return b.buf, b.over }

// Cap returns the capacity of the Builder's buffer, in bytes: with a
// large Max, one long line leaves it large until the Builder is dropped.
func (b *Builder) Cap() int { return cap(b.buf) }

// Reset starts a new line, keeping the buffer.
func (b *Builder) Reset() { b.buf, b.over, b.run = b.buf[:0], false, false }
