package container

import (
	"bytes"
	"errors"
)

// Errors of the record decoders. Each is wrapped with the reason in a
// *FormatError.
var (
	ErrCRI    = errors.New("not a CRI log record")
	ErrDocker = errors.New("not a Docker json-file log record")
)

// FormatError says why a line is not a record of the expected format.
type FormatError struct {
	Kind   error // ErrCRI, ErrDocker or ErrEnvelope
	Reason string
}

// Error returns "container: " followed by the kind and the reason.
func (e *FormatError) Error() string { return "container: " + e.Kind.Error() + ": " + e.Reason }

// Unwrap returns Kind.
func (e *FormatError) Unwrap() error { return e.Kind }

// Record is one runtime log record. Its slices alias the line given to
// ParseCRI, or the buffer given to ParseDocker.
type Record struct {
	// Time is the runtime's timestamp as written (RFC 3339 with nanoseconds).
	Time []byte
	// Stream is "stdout" or "stderr".
	Stream []byte
	// Partial says the line continues in the next record (CRI tag "P",
	// Docker "log" without a final newline).
	Partial bool
	// Content is the line (or its part) without a trailing newline.
	Content []byte
}

// ParseCRI splits a CRI log record, as the kubelet's CRI log format defines
// it (k8s.io/cri-api, "<time> <stream> <tag> <log>"; tags are separated by
// ':', the first being "P" or "F"):
//
//	2024-05-01T12:00:00.123456789Z stdout F {"severity":"INFO",...}
//
// A record with an empty log ("... stdout F") has empty Content. It does not
// allocate.
func ParseCRI(line []byte) (Record, error) {
	var r Record
	sp := bytes.IndexByte(line, ' ')
	if sp < len("2006-01-02T15:04:05Z") || !isCRITime(line[:sp]) {
		return r, &FormatError{ErrCRI, "no timestamp at the start"}
	}
	r.Time = line[:sp]
	rest := line[sp+1:]
	switch {
	case bytes.HasPrefix(rest, []byte("stdout ")):
		r.Stream, rest = rest[:6], rest[7:]
	case bytes.HasPrefix(rest, []byte("stderr ")):
		r.Stream, rest = rest[:6], rest[7:]
	default:
		return r, &FormatError{ErrCRI, "stream is not stdout or stderr"}
	}
	tagEnd := bytes.IndexByte(rest, ' ')
	tags := rest
	if tagEnd >= 0 {
		tags, r.Content = rest[:tagEnd], rest[tagEnd+1:]
	}
	if len(tags) == 0 || (tags[0] != 'F' && tags[0] != 'P') || (len(tags) > 1 && tags[1] != ':') {
		return r, &FormatError{ErrCRI, "tag is not F or P"}
	}
	r.Partial = tags[0] == 'P'
	return r, nil
}

// isCRITime reports whether b looks like the RFC 3339 time a CRI runtime
// writes: "YYYY-MM-DDTHH:MM:SS" followed by a fraction and a zone.
func isCRITime(b []byte) bool {
	const layout = "0000-00-00T00:00:00"
	for i := 0; i < len(layout); i++ {
		c := b[i]
		if layout[i] == '0' {
			if c < '0' || c > '9' {
				return false
			}
		} else if c != layout[i] {
			return false
		}
	}
	for _, c := range b[len(layout):] {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'Z' || c == '+' || c == '-' || c == ':') {
			return false
		}
	}
	return true
}
