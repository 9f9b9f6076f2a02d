package collect

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// DefaultMaxFrame is the largest frame accepted when Config.MaxFrame is 0.
const DefaultMaxFrame = 64 << 20

// ReadFrames splits a stream into syslog frames and calls emit with each,
// until r ends (nil) or fails or holds a malformed or too long frame (an
// error saying which).
// The framing is detected per frame: a frame starting with a digit is
// octet-counted (MSG-LEN SP SYSLOG-MSG, RFC 6587 §3.4.1 and RFC 5425);
// any other frame runs to the next LF (RFC 6587 §3.4.2), a CR just before
// that LF being dropped with it, as the agent's inputs and tailer drop
// the CR of a CRLF line end. Stray CR, LF and
// spaces between frames are skipped, and so are NULs before them, before
// an octet-counted frame or at the end (the NUL trailer some senders add,
// RFC 6587 §3.4.2); NULs before any other byte are the first bytes of a
// frame that runs to the next LF, and are kept (a line that is not
// syslog, printed as received). emit's argument is reused.
func ReadFrames(r *bufio.Reader, max int, emit func([]byte)) error {
	var buf []byte
	nuls := 0 // NULs read since the last frame, not yet known to be separators
	for {
		c, err := r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		switch {
		case c == 0:
			nuls++
			continue
		case c == '\n' || c == '\r' || c == ' ':
			nuls = 0
			continue
		case c >= '0' && c <= '9':
			nuls = 0
			n := int(c - '0')
			for {
				c, err = r.ReadByte()
				if err != nil {
					return fmt.Errorf("collect: reading MSG-LEN: %w", noEOF(err))
				}
				if c == ' ' {
					break
				}
				if c < '0' || c > '9' {
					return fmt.Errorf("collect: bad octet-counting frame: %q after MSG-LEN %d", c, n)
				}
				n = n*10 + int(c-'0')
				if n > max {
					return fmt.Errorf("collect: octet-counting frame of more than %d bytes, the most accepted (MSG-LEN %d...): a message that large, or a sender whose frames are not MSG-LEN SP MSG", max, n)
				}
			}
			if cap(buf) < n {
				buf = make([]byte, n)
			}
			buf = buf[:n]
			if _, err := io.ReadFull(r, buf); err != nil {
				return fmt.Errorf("collect: reading a %d-byte frame: %w", n, noEOF(err))
			}
			emit(buf)
		default:
			buf = append(buf[:0], make([]byte, nuls)...)
			buf, nuls = append(buf, c), 0
			for {
				line, err := r.ReadSlice('\n')
				buf = append(buf, line...)
				if len(buf) > max {
					return fmt.Errorf("collect: frame of more than %d bytes, the most accepted, without a newline: a message that large, or a sender that frames by octet counting or not at all", max)
				}
				if err == nil {
					buf = buf[:len(buf)-1]
					if n := len(buf); n > 0 && buf[n-1] == '\r' {
						buf = buf[:n-1]
					}
					break
				}
				if errors.Is(err, bufio.ErrBufferFull) {
					continue
				}
				if errors.Is(err, io.EOF) {
					break // the last frame may lack its LF
				}
				return err
			}
			emit(buf)
		}
	}
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
