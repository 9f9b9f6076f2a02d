package inputs

import (
	"bytes"
	"encoding/base64"
	"fmt"
)

// AppendLine appends the spool line of one received message to dst,
// newline included: msg itself when it starts with '<' and holds no LF
// (every message of a gitlab-syslog agent), else '=' and its standard
// base64 encoding, so that any octets survive the line-oriented spool.
func AppendLine(dst, msg []byte) []byte {
	if len(msg) > 0 && msg[0] == '<' && bytes.IndexByte(msg, '\n') < 0 && msg[len(msg)-1] != '\r' {
		dst = append(dst, msg...)
		return append(dst, '\n')
	}
	dst = append(dst, '=')
	dst = base64.StdEncoding.AppendEncode(dst, msg)
	return append(dst, '\n')
}

// DecodeLine returns the message of a spool line (without its newline):
// the line itself, or the decoding of a base64 line into buf (reused; the
// grown buffer is returned). An undecodable line is an error; a line
// written by AppendLine never is.
func DecodeLine(line, buf []byte) (msg, grown []byte, err error) {
	if len(line) == 0 || line[0] != '=' {
		return line, buf, nil
	}
	grown, err = base64.StdEncoding.AppendDecode(buf[:0], line[1:])
	if err != nil {
		return nil, grown, fmt.Errorf("inputs: spool line is not base64 after '=': %w", err)
	}
	return grown, grown, nil
}
