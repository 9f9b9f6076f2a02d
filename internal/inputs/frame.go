package inputs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// ErrFrame wraps every malformed-frame error of FrameReader.
var ErrFrame = errors.New("malformed syslog frame")

// maxCountDigits bounds MSG-LEN: 10 digits cannot overflow an int and
// exceed every useful bound.
const maxCountDigits = 10

// maxFrameLen bounds MSG-LEN, in bytes: no syslog message is that long,
// so a longer count is taken for a malformed or hostile one (a stray
// digit, another protocol), not read and discarded (a count of 999999999
// swallowed the frames after it and held the connection until its idle
// timeout). A frame up to it over FrameReader.Max is cut as it streams.
const maxFrameLen = 256 << 20

// FrameReader splits a TCP stream into syslog frames (RFC 6587), the
// framing detected per frame as rsyslog's imtcp does: a frame starting
// with a digit is octet counted (MSG-LEN SP SYSLOG-MSG, §3.4.1 and RFC
// 5425), any other frame runs to the next LF (§3.4.2, non-transparent
// framing; a CR immediately before that LF is removed with it, as the
// file tailer removes the CR of a CRLF line end, so a sender writing CRLF
// line ends sends no trailing CR in MSG; a last frame ended by the end of
// the stream, without LF, keeps a trailing CR). An octet-counted frame is
// kept byte for byte, CR and LF included. CR, LF, NUL and SP between
// frames are skipped. It holds at most Max bytes of a frame: the rest of a longer
// one is read and discarded, unless its MSG-LEN is over 256 MiB, which is
// malformed.
type FrameReader struct {
	R   *bufio.Reader
	Max int // bytes kept of a frame; must be > 0
	buf []byte
}

// NewFrameReader returns a FrameReader on r keeping max bytes of a frame.
func NewFrameReader(r *bufio.Reader, max int) *FrameReader {
	return &FrameReader{R: r, Max: max}
}

// Next returns the next frame, which aliases the reader's buffer until
// the next call, and cut, the frame's full length when it was longer than
// Max (0 otherwise). It returns io.EOF at a clean end between frames,
// io.ErrUnexpectedEOF inside a frame (except a last LF-framed frame
// without its LF, which is returned), an error wrapping ErrFrame for a
// malformed MSG-LEN (not digits, 0, or over 256 MiB), and the
// reader's errors.
func (f *FrameReader) Next() (frame []byte, cut int, err error) {
	for {
		c, err := f.R.ReadByte()
		if err != nil {
			return nil, 0, err
		}
		switch {
		case c == '\n' || c == '\r' || c == ' ' || c == 0:
			continue
		case c >= '0' && c <= '9':
			return f.counted(int(c - '0'))
		default:
			return f.line(c)
		}
	}
}

// counted reads the rest of an octet-counted frame whose MSG-LEN starts
// with digit n.
func (f *FrameReader) counted(n int) ([]byte, int, error) {
	for digits := 1; ; digits++ {
		c, err := f.R.ReadByte()
		if err != nil {
			return nil, 0, noEOF(err)
		}
		if c == ' ' {
			break
		}
		if c < '0' || c > '9' {
			return nil, 0, fmt.Errorf("%w: %q after MSG-LEN %d (octet counting wants digits and SP)", ErrFrame, c, n)
		}
		if digits == maxCountDigits {
			return nil, 0, fmt.Errorf("%w: MSG-LEN of more than %d digits", ErrFrame, maxCountDigits)
		}
		n = n*10 + int(c-'0')
	}
	if n == 0 {
		return nil, 0, fmt.Errorf("%w: MSG-LEN 0", ErrFrame)
	}
	if n > maxFrameLen {
		return nil, 0, fmt.Errorf("%w: MSG-LEN %d, over %d MiB: no syslog message is that long", ErrFrame, n, maxFrameLen>>20)
	}
	keep, cut := n, 0
	if n > f.Max {
		keep, cut = f.Max, n
	}
	if cap(f.buf) < keep {
		f.buf = make([]byte, keep)
	}
	f.buf = f.buf[:keep]
	if _, err := io.ReadFull(f.R, f.buf); err != nil {
		return nil, 0, noEOF(err)
	}
	if _, err := f.R.Discard(n - keep); err != nil {
		return nil, 0, noEOF(err)
	}
	return f.buf, cut, nil
}

// line reads the rest of an LF-framed frame starting with c. A CR just
// before the LF that ends the frame is not part of it (CRLF line ends).
func (f *FrameReader) line(c byte) ([]byte, int, error) {
	f.buf = append(f.buf[:0], c)
	total := 1
	last := c // the frame's last octet read so far
	for {
		part, err := f.R.ReadSlice('\n')
		n := len(part)
		if err == nil {
			n-- // the LF
		}
		total += n
		if room := f.Max - len(f.buf); room > 0 {
			f.buf = append(f.buf, part[:min(n, room)]...)
		}
		if n > 0 {
			last = part[n-1]
		}
		switch {
		case err == nil:
			if last == '\r' {
				// The CR of CRLF: one octet less, in the frame if it was
				// kept (a CR past Max was not), and in its length.
				if total <= f.Max {
					f.buf = f.buf[:len(f.buf)-1]
				}
				total--
			}
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF): // the last frame may lack its LF
		default:
			return nil, 0, err
		}
		cut := 0
		if total > f.Max {
			cut = total
		}
		return f.buf[:min(len(f.buf), f.Max)], cut, nil
	}
}

// noEOF turns io.EOF inside a frame into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
