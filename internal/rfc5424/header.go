// Package rfc5424 reads the header of an RFC 5424 syslog message (§6) as
// the aggregator's inputs receive it, without allocating: PRI, VERSION,
// TIMESTAMP, HOSTNAME, APP-NAME, PROCID, MSGID, and where STRUCTURED-DATA
// and MSG start.
package rfc5424

import (
	"bytes"
	"errors"
	"fmt"
	"time"
)

// errHeader wraps the errors of ParseHeader.
var errHeader = errors.New("not an RFC 5424 message")

// Header is the RFC 5424 header of a received message (§6.2). Its byte
// slices alias the message; "-" (the NILVALUE) is returned as nil.
type Header struct {
	Priority int       // PRI value, 0 to 191
	Time     time.Time // TIMESTAMP as an instant in UTC; zero for the NILVALUE
	Hostname []byte
	AppName  []byte
	ProcID   []byte
	MsgID    []byte
	// SD and Msg are the offsets where STRUCTURED-DATA and MSG start; Msg
	// is len(message) when there is no MSG. A UTF-8 byte order mark at
	// the start of MSG is skipped.
	SD, Msg int
}

// ParseHeader parses the header of an RFC 5424 message into h without
// allocating. It checks the syntax of the header and of STRUCTURED-DATA
// only as far as finding MSG needs; an error (wrapping errHeader) says
// what is wrong.
func ParseHeader(m []byte, h *Header) error {
	if len(m) < 4 || m[0] != '<' {
		return fmt.Errorf("%w: no <PRI>", errHeader)
	}
	i, pri := 1, 0
	for ; i < len(m) && i <= 4 && m[i] >= '0' && m[i] <= '9'; i++ {
		pri = pri*10 + int(m[i]-'0')
	}
	if i == 1 || i >= len(m) || m[i] != '>' || pri > 191 {
		return fmt.Errorf("%w: bad PRI", errHeader)
	}
	h.Priority = pri
	p := m[i+1:]
	if len(p) < 2 || p[0] != '1' || p[1] != ' ' {
		return fmt.Errorf("%w: VERSION is not 1", errHeader)
	}
	p = p[2:]
	var ts []byte
	fields := [5]*[]byte{&ts, &h.Hostname, &h.AppName, &h.ProcID, &h.MsgID}
	for _, f := range fields {
		j := bytes.IndexByte(p, ' ')
		if j <= 0 {
			return fmt.Errorf("%w: header ends early", errHeader)
		}
		*f = p[:j]
		if j == 1 && p[0] == '-' {
			*f = nil
		}
		p = p[j+1:]
	}
	var err error
	if h.Time, err = parseTimestamp(ts); err != nil {
		return err
	}
	h.SD = len(m) - len(p)
	rest, ok := SkipSD(p)
	if !ok {
		return fmt.Errorf("%w: malformed STRUCTURED-DATA", errHeader)
	}
	h.Msg = len(m)
	if len(rest) > 0 {
		if rest[0] != ' ' {
			return fmt.Errorf("%w: no SP after STRUCTURED-DATA", errHeader)
		}
		rest = rest[1:]
		rest = bytes.TrimPrefix(rest, []byte("\xEF\xBB\xBF"))
		h.Msg = len(m) - len(rest)
	}
	return nil
}

// SkipSD returns what follows STRUCTURED-DATA ("-" or SD-ELEMENTs) at the
// start of p, or false when it is malformed.
func SkipSD(p []byte) ([]byte, bool) {
	if len(p) == 0 {
		return nil, false
	}
	if p[0] == '-' {
		return p[1:], true
	}
	for len(p) > 0 && p[0] == '[' {
		i, inValue := 1, false
		for ; i < len(p); i++ {
			c := p[i]
			if inValue && c == '\\' {
				i++
				continue
			}
			if c == '"' {
				inValue = !inValue
			} else if c == ']' && !inValue {
				break
			}
		}
		if i >= len(p) {
			return nil, false
		}
		p = p[i+1:]
	}
	return p, true
}

// parseTimestamp parses an RFC 5424 TIMESTAMP (RFC 3339 with at most 6
// fraction digits, Z or ±hh:mm) as an instant in UTC, without allocating.
// nil (the NILVALUE) is the zero Time.
func parseTimestamp(b []byte) (time.Time, error) {
	if b == nil {
		return time.Time{}, nil
	}
	bad := func() (time.Time, error) {
		return time.Time{}, fmt.Errorf("%w: TIMESTAMP %q is not RFC 3339", errHeader, b)
	}
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return bad()
	}
	num := func(s []byte) int {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, mo, d, hh, mi, ss := num(b[0:4]), num(b[5:7]), num(b[8:10]), num(b[11:13]), num(b[14:16]), num(b[17:19])
	if y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60 {
		return bad()
	}
	rest, ns := b[19:], 0
	if rest[0] == '.' {
		k := 1
		for ; k < len(rest) && rest[k] >= '0' && rest[k] <= '9'; k++ {
		}
		if k == 1 || k > 10 {
			return bad()
		}
		ns = num(rest[1:k])
		for range 10 - k {
			ns *= 10
		}
		rest = rest[k:]
	}
	off := 0
	switch {
	case len(rest) == 1 && (rest[0] == 'Z' || rest[0] == 'z'):
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, om := num(rest[1:3]), num(rest[4:6])
		if oh < 0 || oh > 23 || om < 0 || om > 59 {
			return bad()
		}
		off = (oh*60 + om) * 60
		if rest[0] == '-' {
			off = -off
		}
	default:
		return bad()
	}
	t := time.Date(y, time.Month(mo), d, hh, mi, ss, ns, time.UTC)
	return t.Add(-time.Duration(off) * time.Second), nil
}
