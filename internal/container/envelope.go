package container

import (
	"bytes"
	"errors"
)

// ErrEnvelope: a line is not a gitlab-logger envelope.
var ErrEnvelope = errors.New("not a gitlab-logger envelope")

// Envelope is a line printed by the GitLab chart's gitlab-logger. Its
// slices alias the line given to ParseEnvelope or the buffer it returns.
type Envelope struct {
	// Date is when the logger read the line (RFC 3339), Component the
	// directory of the file ("gitlab"), Subcomponent the file's base name
	// without extension ("audit_json", "application_json", "auth_json",
	// "production_json", "application"), Level the logger's guess of the
	// level, File the file's path. Each is the text between the quotes,
	// without unescaping (the logger writes none of them with escapes but
	// File, which it quotes with %q).
	Date, Component, Subcomponent, Level, File []byte
	// Message is the original GitLab line, byte for byte: the embedded
	// object as written, or the unquoted text of a string.
	Message []byte
}

// LooksLikeEnvelope reports cheaply whether line may be an envelope: a JSON
// object with a "subcomponent" key.
func LooksLikeEnvelope(line []byte) bool {
	i := skipWS(line, 0)
	return i < len(line) && line[i] == '{' && bytes.Contains(line, []byte(`"subcomponent"`))
}

// SubcomponentOf returns the subcomponent of the gitlab-logger envelope
// that p begins, the start of a line (its parts whose last part never
// came): the string value of its "subcomponent" key within p's first
// subcomponentReach bytes, which the logger writes before the message; nil
// when p does not begin a JSON object or has no such key there.
func SubcomponentOf(p []byte) []byte {
	head := p[:min(len(p), subcomponentReach)]
	if i := skipWS(head, 0); i >= len(head) || head[i] != '{' {
		return nil
	}
	const key = `"subcomponent":`
	k := bytes.Index(head, []byte(key))
	if k < 0 {
		return nil
	}
	rest := head[k+len(key):]
	j := skipWS(rest, 0)
	if j >= len(rest) || rest[j] != '"' {
		return nil
	}
	end := bytes.IndexByte(rest[j+1:], '"')
	if end < 0 {
		return nil
	}
	return rest[j+1 : j+1+end]
}

// subcomponentReach is how far into a line SubcomponentOf looks: past the
// logger's date, component and subcomponent (about 100 bytes).
const subcomponentReach = 512

// ParseEnvelope decodes a gitlab-logger line. The logger prints
//
//	{"date":"%s","component": "%s","subcomponent":"%s","level":"%s","file":%q,"message":%s}
//
// where the message is the GitLab line as it is when it starts with "{" and
// ends with "}" (even when that is not valid JSON), and strconv.Quote of it
// otherwise. An embedded line is taken as the bytes from the message value
// to the envelope's closing brace when "message" is the last key, so an
// embedded line that is not valid JSON still comes back whole; a quoted one
// is unquoted into buf (JSON and Go escapes, see AppendUnquoted), without
// a last CR (the logger splits its file's lines at LF: the CR of a CRLF
// line, which the tailer drops from a file's lines). It returns the grown
// buf.
func ParseEnvelope(line, buf []byte) (Envelope, []byte, error) {
	var e Envelope
	line = bytes.TrimRight(line, " \t\r\n")
	s, ok := newObjScanner(line)
	if !ok {
		return e, buf, &FormatError{ErrEnvelope, "not a JSON object"}
	}
	var msg []byte
	msgStart, msgLast := -1, false
	for {
		m, ok := s.next()
		if !ok {
			break
		}
		msgLast = keyIs(m.key, "message")
		if msgLast {
			msg = m.val
			msgStart = s.i - len(m.val)
			continue
		}
		e.setMember(m.key, m.val)
	}
	if !s.end && msgStart < 0 {
		// A raw message that is not valid JSON stops the scan at it:
		// find it by its key.
		msgStart = rawMessageStart(line, s.i)
	}
	if e.Subcomponent == nil && !s.end && msgStart >= 0 {
		return e, buf, &FormatError{ErrEnvelope, "malformed JSON before the message"}
	}
	switch {
	case msgStart < 0:
		return e, buf, &FormatError{ErrEnvelope, `no "message" key`}
	case e.Subcomponent == nil:
		return e, buf, &FormatError{ErrEnvelope, `no "subcomponent" key`}
	case line[msgStart] == '"':
		start := len(buf)
		buf, ok = AppendUnquoted(buf, msg)
		if !ok {
			return e, buf[:start], &FormatError{ErrEnvelope, "message is not a valid string literal"}
		}
		e.Message = bytes.TrimSuffix(buf[start:], []byte{'\r'}) // the CR of a CRLF line the logger read
	case line[msgStart] == '{' && line[len(line)-1] == '}' && len(line) > msgStart+1 && (!s.end || msgLast):
		// The message is the last key: everything up to the envelope's
		// closing brace is the line, valid JSON or not, but for the
		// envelope's white space before the brace.
		e.Message = bytes.TrimRight(line[msgStart:len(line)-1], " \t\r\n")
	case line[msgStart] == '{':
		e.Message = msg
	default:
		return e, buf, &FormatError{ErrEnvelope, "message is neither an object nor a string"}
	}
	return e, buf, nil
}

// setMember sets the field of e that the envelope member key (its name
// with the quotes) names to val without its quotes; it ignores "message"
// and the keys the logger does not write.
func (e *Envelope) setMember(key, val []byte) {
	switch {
	case keyIs(key, "subcomponent"):
		e.Subcomponent = trimQuotes(val)
	case keyIs(key, "component"):
		e.Component = trimQuotes(val)
	case keyIs(key, "level"):
		e.Level = trimQuotes(val)
	case keyIs(key, "file"):
		e.File = trimQuotes(val)
	case keyIs(key, "date"):
		e.Date = trimQuotes(val)
	}
}

// rawMessageStart returns the index of the value of the first "message" key
// of line at or after from when that value starts with '{' and the line
// ends with '}', or -1.
func rawMessageStart(line []byte, from int) int {
	k := bytes.Index(line[from:], []byte(`"message":`))
	if k < 0 {
		return -1
	}
	i := skipWS(line, from+k+len(`"message":`))
	if i >= len(line) || line[i] != '{' || line[len(line)-1] != '}' {
		return -1
	}
	return i
}
