package syslogtest

import (
	"bytes"
	"errors"
	"strconv"
)

// Message is an RFC 5424 message split into its parts. The byte slices
// alias the parsed input.
type Message struct {
	Priority                                    int
	Timestamp, Hostname, AppName, ProcID, MsgID []byte
	// SD is the STRUCTURED-DATA as sent, "-" when there is none.
	SD []byte
	// Msg is everything after the single space that follows SD.
	Msg []byte
}

// Facility returns Priority / 8.
func (m *Message) Facility() int { return m.Priority / 8 }

// Severity returns Priority % 8.
func (m *Message) Severity() int { return m.Priority % 8 }

// Parse splits an RFC 5424 message. It checks the structure only, enough
// for tests to look at what an encoder produced without trusting it.
func Parse(b []byte) (Message, error) {
	var m Message
	if len(b) < 4 || b[0] != '<' {
		return m, errors.New("syslogtest: no <PRI>")
	}
	end := bytes.IndexByte(b, '>')
	if end < 2 {
		return m, errors.New("syslogtest: bad <PRI>")
	}
	pri, err := strconv.Atoi(string(b[1:end]))
	if err != nil || pri > 191 {
		return m, errors.New("syslogtest: bad PRI")
	}
	m.Priority = pri
	rest := b[end+1:]
	if !bytes.HasPrefix(rest, []byte("1 ")) {
		return m, errors.New("syslogtest: VERSION is not 1")
	}
	rest = rest[2:]
	fields := make([][]byte, 5)
	for i := range fields {
		sp := bytes.IndexByte(rest, ' ')
		if sp <= 0 {
			return m, errors.New("syslogtest: header field " + strconv.Itoa(i) + " missing")
		}
		fields[i], rest = rest[:sp], rest[sp+1:]
	}
	m.Timestamp, m.Hostname, m.AppName, m.ProcID, m.MsgID = fields[0], fields[1], fields[2], fields[3], fields[4]
	n, err := sdLen(rest)
	if err != nil {
		return m, err
	}
	m.SD = rest[:n]
	rest = rest[n:]
	if len(rest) > 0 {
		if rest[0] != ' ' {
			return m, errors.New("syslogtest: no space after STRUCTURED-DATA")
		}
		rest = rest[1:]
	}
	m.Msg = rest
	return m, nil
}

// sdLen returns the length of the STRUCTURED-DATA at the start of b.
func sdLen(b []byte) (int, error) {
	if len(b) > 0 && b[0] == '-' {
		return 1, nil
	}
	i := 0
	for i < len(b) && b[i] == '[' {
		inValue := false
		for i++; ; i++ {
			if i >= len(b) {
				return 0, errors.New("syslogtest: unterminated SD-ELEMENT")
			}
			c := b[i]
			if inValue {
				if c == '\\' {
					i++
				} else if c == '"' {
					inValue = false
				}
				continue
			}
			if c == '"' {
				inValue = true
			} else if c == ']' {
				i++
				break
			}
		}
	}
	if i == 0 {
		return 0, errors.New("syslogtest: STRUCTURED-DATA is neither - nor [...]")
	}
	return i, nil
}

// Param returns the unescaped value of the first SD-PARAM called name.
func (m *Message) Param(name string) (string, bool) {
	key := []byte(" " + name + "=\"")
	i := bytes.Index(m.SD, key)
	if i < 0 {
		return "", false
	}
	var out []byte
	for j := i + len(key); j < len(m.SD); j++ {
		c := m.SD[j]
		if c == '\\' && j+1 < len(m.SD) {
			j++
			out = append(out, m.SD[j])
			continue
		}
		if c == '"' {
			return string(out), true
		}
		out = append(out, c)
	}
	return "", false
}
