package container

import "bytes"

// ParseCutEnvelope decodes a gitlab-logger line that was cut short (its
// records joined up to a bound, see Decoder.MaxLineBytes): the members
// before "message" must be whole, and the message value is taken as far as
// it goes. The logger writes "message" last (date, component,
// subcomponent, level, file, message), so a cut envelope still names its
// subcomponent. An embedded object comes back as the bytes after
// "message": (without the envelope's closing brace, when it is there); a
// quoted line is unquoted into buf up to its last whole character or
// escape. It returns the grown buf, or an error (ErrEnvelope) when the
// cut falls before the message or the subcomponent is missing.
func ParseCutEnvelope(line, buf []byte) (Envelope, []byte, error) {
	var e Envelope
	line = bytes.TrimRight(line, " \t\r\n")
	s, ok := newObjScanner(line)
	if !ok {
		return e, buf, &FormatError{ErrEnvelope, "not a JSON object"}
	}
	for {
		from := s.i
		m, ok := s.next()
		if !ok {
			if s.end {
				return e, buf, &FormatError{ErrEnvelope, `no "message" key`}
			}
			return cutMessage(e, line, messageValue(line, from), buf)
		}
		if keyIs(m.key, "message") {
			// Whole: only what follows it (the closing brace) was cut.
			return cutMessage(e, line, s.i-len(m.val), buf)
		}
		e.setMember(m.key, m.val)
	}
}

// messageValue returns the index of the value of the "message" member that
// starts at or after from (after white space and a comma), len(line) when
// the line ends right after its colon, or -1 when no "message" member
// starts there.
func messageValue(line []byte, from int) int {
	i := skipWS(line, from)
	if i < len(line) && line[i] == ',' {
		i = skipWS(line, i+1)
	}
	if !bytes.HasPrefix(line[i:], []byte(`"message"`)) {
		return -1
	}
	i = skipWS(line, i+len(`"message"`))
	if i >= len(line) || line[i] != ':' {
		return -1
	}
	return skipWS(line, i+1)
}

// cutMessage fills e.Message from the message value at line[i:], cut.
func cutMessage(e Envelope, line []byte, i int, buf []byte) (Envelope, []byte, error) {
	switch {
	case i < 0:
		return e, buf, &FormatError{ErrEnvelope, `cut before the "message" key`}
	case e.Subcomponent == nil:
		return e, buf, &FormatError{ErrEnvelope, `no "subcomponent" key`}
	case i == len(line):
		e.Message = line[i:]
	case line[i] == '{':
		e.Message = line[i:]
		if k := skipValue(line, i); k > 0 {
			e.Message = line[i:k]
		}
	case line[i] == '"':
		start := len(buf)
		buf = appendUnquotedPrefix(buf, line[i:])
		e.Message = buf[start:]
	default:
		return e, buf, &FormatError{ErrEnvelope, "message is neither an object nor a string"}
	}
	return e, buf, nil
}

// appendUnquotedPrefix appends the text of the string literal that q
// starts, which may be cut: a whole literal is unquoted as AppendUnquoted
// does, a cut one up to its last whole character or escape.
func appendUnquotedPrefix(dst, q []byte) []byte {
	if k := skipString(q, 0); k > 0 {
		if out, ok := AppendUnquoted(dst, q[:k]); ok {
			return out
		}
		return dst
	}
	body := q[1:]
	lit := make([]byte, 0, len(q)+1)
	// An escape is at most 12 bytes (\uXXXX\uXXXX): one of the 13 longest
	// prefixes ends between two.
	for trim := 0; trim <= 12 && trim <= len(body); trim++ {
		lit = append(append(append(lit[:0], '"'), body[:len(body)-trim]...), '"')
		if out, ok := AppendUnquoted(dst, lit); ok {
			return out
		}
	}
	return dst
}
