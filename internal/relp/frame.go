// Package relp reads and writes the frames of RELP, the Reliable Event
// Logging Protocol of rsyslog's omrelp and imrelp (librelp), for the
// forwarder's client and the network inputs' server.
package relp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// RELP frames, as librelp defines them (doc/relp.html of librelp; RFC-style
// ABNF there):
//
//	RELP-FRAME = TXNR SP COMMAND SP DATALEN [SP DATA] TRAILER
//	TXNR       = 1*9DIGIT            ; 1..999999999, then wraps to 1; 0 for serverclose
//	COMMAND    = 1*32ALPHA
//	DATALEN    = 1*9DIGIT            ; octets of DATA; 0 means no SP DATA
//	TRAILER    = LF
//
// A response is COMMAND "rsp" whose DATA starts with a three-digit status
// code, SP, and a human-readable text ("200 OK"), optionally followed by
// LF and further data.

// Limits of a RELP frame.
const (
	// MaxTxnr is the largest transaction number; the next one is 1.
	MaxTxnr = 999_999_999
	// MaxCommand bounds the length of COMMAND.
	MaxCommand = 32
	// MaxResponse bounds DATA of a frame a client reads from a receiver:
	// the responses to open carry the server's offers, a few hundred bytes.
	MaxResponse = 64 << 10
)

// Frame is one RELP frame. Data aliases the reader's buffer only until the
// next read.
type Frame struct {
	Txnr    int
	Command string // constants for the commands of the protocol (see command)
	Data    []byte
	// Truncated is DATALEN when it was over the bound given to ReadFrame:
	// Data then holds its first bytes up to the bound, and the rest was
	// read and discarded. 0 when Data is whole.
	Truncated int
}

// ErrFrame wraps every malformed-frame error.
var ErrFrame = errors.New("malformed RELP frame")

// AppendFrame appends a frame to dst.
func AppendFrame(dst []byte, txnr int, command string, data []byte) []byte {
	dst = strconv.AppendInt(dst, int64(txnr), 10)
	dst = append(dst, ' ')
	dst = append(dst, command...)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(len(data)), 10)
	if len(data) > 0 {
		dst = append(dst, ' ')
		dst = append(dst, data...)
	}
	return append(dst, '\n')
}

// ReadFrame reads one frame from r into data (reused; the grown buffer is
// returned). It keeps at most max bytes of DATA: the rest of a longer
// DATA is read and discarded, and Frame.Truncated says so, so a frame
// never holds more than max bytes of memory. It fails on a malformed frame
// (the error wraps ErrFrame and says what is wrong) and with r's error:
// io.EOF when r ends before a frame starts, io.ErrUnexpectedEOF inside one.
func ReadFrame(r *bufio.Reader, data []byte, max int) (Frame, []byte, error) {
	var f Frame
	txnr, err := readNumber(r, "TXNR")
	if err != nil {
		return f, data, err
	}
	f.Txnr = txnr
	if f.Command, err = readCommand(r); err != nil {
		return f, data, err
	}
	size, err := readNumber(r, "DATALEN")
	if errors.Is(err, errNoData) { // DATALEN LF: no data
		if size != 0 {
			return f, data, fmt.Errorf("%w: DATALEN %d but no data", ErrFrame, size)
		}
		f.Data = data[:0]
		return f, data, nil
	}
	if err != nil {
		return f, data, err
	}
	keep := size
	if size > max {
		keep, f.Truncated = max, size
	}
	if cap(data) < keep {
		data = make([]byte, keep)
	}
	data = data[:keep]
	if _, err := io.ReadFull(r, data); err != nil {
		return f, data, NoEOF(err)
	}
	if _, err := r.Discard(size - keep); err != nil {
		return f, data, NoEOF(err)
	}
	c, err := r.ReadByte()
	if err != nil {
		return f, data, NoEOF(err)
	}
	if c != '\n' {
		return f, data, fmt.Errorf("%w: %q after %d bytes of data, want LF", ErrFrame, c, size)
	}
	f.Data = data
	return f, data, nil
}

// readCommand reads COMMAND and the SP after it.
func readCommand(r *bufio.Reader) (string, error) {
	var cmd [MaxCommand]byte
	n := 0
	for {
		c, err := r.ReadByte()
		if err != nil {
			return "", NoEOF(err)
		}
		if c == ' ' {
			break
		}
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') || n == len(cmd) {
			return "", fmt.Errorf("%w: command %q... is not 1 to %d letters", ErrFrame, string(cmd[:n]), MaxCommand)
		}
		cmd[n] = c
		n++
	}
	if n == 0 {
		return "", fmt.Errorf("%w: empty command", ErrFrame)
	}
	return command(cmd[:n]), nil
}

// errNoData reports a number ended by LF instead of SP.
var errNoData = errors.New("no data")

// readNumber reads 1 to 9 digits and the SP after them. When LF ends
// the number instead, it returns the number and errNoData.
func readNumber(r *bufio.Reader, what string) (int, error) {
	n, digits := 0, 0
	for {
		c, err := r.ReadByte()
		if err != nil {
			if digits == 0 && what == "TXNR" {
				return 0, err // io.EOF between frames is a clean end
			}
			return 0, NoEOF(err)
		}
		switch {
		case '0' <= c && c <= '9' && digits < 9:
			n = n*10 + int(c-'0')
			digits++
			continue
		case digits == 0:
			return 0, fmt.Errorf("%w: %s starts with %q, want a digit", ErrFrame, what, c)
		case c == ' ':
			return n, nil
		case c == '\n' && what == "DATALEN":
			return n, errNoData
		}
		return 0, fmt.Errorf("%w: %s is not 1 to 9 digits followed by SP (got %q)", ErrFrame, what, c)
	}
}

// command returns the protocol's command names as constants, so that
// reading them does not allocate.
func command(b []byte) string {
	for _, c := range [...]string{"syslog", "rsp", "open", "close", "serverclose"} {
		if string(b) == c {
			return c
		}
	}
	return string(b)
}

// Status parses the status of a rsp frame's data: the three-digit code
// and the text up to the first LF.
func Status(data []byte) (code int, text string, err error) {
	if len(data) < 3 || (len(data) > 3 && data[3] != ' ' && data[3] != '\n') {
		return 0, "", fmt.Errorf("%w: response %q does not start with a three-digit status", ErrFrame, TrimForError(data))
	}
	for _, c := range data[:3] {
		if c < '0' || c > '9' {
			return 0, "", fmt.Errorf("%w: response %q does not start with a three-digit status", ErrFrame, TrimForError(data))
		}
		code = code*10 + int(c-'0')
	}
	rest := data[3:]
	if len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[:i]
	}
	if code == 200 {
		return code, "OK", nil // the common case, without allocating
	}
	return code, string(rest), nil
}

// TrimForError returns at most 64 bytes of b.
func TrimForError(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}

// NoEOF turns io.EOF inside a frame into io.ErrUnexpectedEOF.
func NoEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Offers reports whether the offers in the DATA of an open command or of
// its response (lines name=value,value...) offer value for name.
func Offers(data []byte, name, value string) bool {
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		v, ok := bytes.CutPrefix(line, []byte(name+"="))
		if !ok {
			continue
		}
		for x := range bytes.SplitSeq(v, []byte(",")) {
			if string(x) == value {
				return true
			}
		}
	}
	return false
}
