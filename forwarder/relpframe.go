package forwarder

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

// Limits of a RELP frame read from a receiver.
const (
	relpMaxTxnr    = 999_999_999
	relpMaxCommand = 32
	// relpMaxResponse bounds DATA of a frame read from a receiver: the
	// responses to open carry the server's offers, a few hundred bytes.
	relpMaxResponse = 64 << 10
)

// relpFrame is a frame read from a receiver. Data aliases the reader's
// buffer only until the next read.
type relpFrame struct {
	txnr    int
	command string // "rsp", "serverclose"
	data    []byte
}

// errRELPFrame wraps every malformed-frame error.
var errRELPFrame = errors.New("malformed RELP frame")

// appendRELPFrame appends a frame to dst.
func appendRELPFrame(dst []byte, txnr int, command string, data []byte) []byte {
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

// readRELPFrame reads one frame from r. It fails on a malformed frame (the
// error wraps errRELPFrame and says what is wrong), on DATA over
// relpMaxResponse bytes, and with r's error, io.EOF when r ends before a
// frame starts.
func readRELPFrame(r *bufio.Reader, data []byte) (relpFrame, []byte, error) {
	var f relpFrame
	txnr, err := readRELPNumber(r, "TXNR")
	if err != nil {
		return f, data, err
	}
	f.txnr = txnr
	var cmd [relpMaxCommand]byte
	n := 0
	for {
		c, err := r.ReadByte()
		if err != nil {
			return f, data, noEOF(err)
		}
		if c == ' ' {
			break
		}
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') || n == len(cmd) {
			return f, data, fmt.Errorf("%w: command %q... is not 1 to %d letters", errRELPFrame, string(cmd[:n]), relpMaxCommand)
		}
		cmd[n] = c
		n++
	}
	if n == 0 {
		return f, data, fmt.Errorf("%w: empty command", errRELPFrame)
	}
	f.command = relpCommand(cmd[:n])
	size, err := readRELPNumber(r, "DATALEN")
	if err != nil && !errors.Is(err, errRELPNoData) {
		return f, data, err
	}
	if size > relpMaxResponse {
		return f, data, fmt.Errorf("%w: DATALEN %d is over the %d bytes a response may have", errRELPFrame, size, relpMaxResponse)
	}
	if errors.Is(err, errRELPNoData) { // DATALEN LF: no data
		if size != 0 {
			return f, data, fmt.Errorf("%w: DATALEN %d but no data", errRELPFrame, size)
		}
		f.data = data[:0]
		return f, data, nil
	}
	data = append(data[:0], make([]byte, size)...)
	if _, err := io.ReadFull(r, data); err != nil {
		return f, data, noEOF(err)
	}
	c, err := r.ReadByte()
	if err != nil {
		return f, data, noEOF(err)
	}
	if c != '\n' {
		return f, data, fmt.Errorf("%w: %q after %d bytes of data, want LF", errRELPFrame, c, size)
	}
	f.data = data
	return f, data, nil
}

// errRELPNoData reports a number ended by LF instead of SP.
var errRELPNoData = errors.New("no data")

// readRELPNumber reads 1 to 9 digits and the SP after them. When LF ends
// the number instead, it returns the number and errRELPNoData.
func readRELPNumber(r *bufio.Reader, what string) (int, error) {
	n, digits := 0, 0
	for {
		c, err := r.ReadByte()
		if err != nil {
			if digits == 0 && what == "TXNR" {
				return 0, err // io.EOF between frames is a clean end
			}
			return 0, noEOF(err)
		}
		switch {
		case '0' <= c && c <= '9' && digits < 9:
			n = n*10 + int(c-'0')
			digits++
			continue
		case digits == 0:
			return 0, fmt.Errorf("%w: %s starts with %q, want a digit", errRELPFrame, what, c)
		case c == ' ':
			return n, nil
		case c == '\n' && what == "DATALEN":
			return n, errRELPNoData
		}
		return 0, fmt.Errorf("%w: %s is not 1 to 9 digits followed by SP (got %q)", errRELPFrame, what, c)
	}
}

// relpCommand returns the command names a client expects as constants, so
// that reading them does not allocate.
func relpCommand(b []byte) string {
	switch {
	case bytes.Equal(b, []byte("rsp")):
		return "rsp"
	case bytes.Equal(b, []byte("serverclose")):
		return "serverclose"
	}
	return string(b)
}

// relpStatus parses the status of a rsp frame's data: the three-digit code
// and the text up to the first LF.
func relpStatus(data []byte) (code int, text string, err error) {
	if len(data) < 3 || (len(data) > 3 && data[3] != ' ' && data[3] != '\n') {
		return 0, "", fmt.Errorf("%w: response %q does not start with a three-digit status", errRELPFrame, trimForError(data))
	}
	for _, c := range data[:3] {
		if c < '0' || c > '9' {
			return 0, "", fmt.Errorf("%w: response %q does not start with a three-digit status", errRELPFrame, trimForError(data))
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

// trimForError returns at most 64 bytes of b.
func trimForError(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}

// noEOF turns io.EOF inside a frame into io.ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
