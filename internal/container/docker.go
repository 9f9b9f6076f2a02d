package container

// ParseDocker decodes a record of Docker's json-file logging driver
//
//	{"log":"{\"severity\":\"INFO\",...}\n","stream":"stdout","time":"2024-05-01T12:00:00.123456789Z"}
//
// appending the unescaped "log" to buf; Content aliases the grown buf it
// returns. A "log" that does not end with "\n" is a part of a longer line
// (Docker splits lines at 16 KiB), continued in the next record: Partial.
// Keys other than log, stream and time ("attrs") are skipped; when a key
// comes twice, its last value is taken. Nothing but white space may follow
// the object.
func ParseDocker(line, buf []byte) (Record, []byte, error) {
	var r Record
	s, ok := newObjScanner(line)
	if !ok {
		return r, buf, &FormatError{ErrDocker, "not a JSON object"}
	}
	var log []byte
	for {
		m, ok := s.next()
		if !ok {
			break
		}
		switch {
		case keyIs(m.key, "log"):
			log = m.val
		case keyIs(m.key, "stream"):
			r.Stream = trimQuotes(m.val)
		case keyIs(m.key, "time"):
			r.Time = trimQuotes(m.val)
		}
	}
	if !s.end {
		return r, buf, &FormatError{ErrDocker, "malformed JSON"}
	}
	if skipWS(line, s.i) < len(line) {
		return r, buf, &FormatError{ErrDocker, "text after the JSON object"}
	}
	if log == nil {
		return r, buf, &FormatError{ErrDocker, `no "log" key`}
	}
	start := len(buf)
	buf, ok = AppendUnquoted(buf, log)
	if !ok {
		return r, buf[:start], &FormatError{ErrDocker, `"log" is not a JSON string`}
	}
	c := buf[start:]
	if n := len(c); n > 0 && c[n-1] == '\n' {
		c = c[:n-1]
	} else {
		r.Partial = true
	}
	r.Content = c
	return r, buf, nil
}

// trimQuotes returns the text of a string literal without escapes, or the
// value as it is.
func trimQuotes(v []byte) []byte {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}
