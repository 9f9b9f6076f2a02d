package parser

import "strconv"

// Error is returned for a line that cannot be parsed. The line is not lost:
// the caller still has it and forwards it raw. Offset is the byte position in
// the line where parsing failed, or -1 when it does not apply.
type Error struct {
	Type   Type   // the parser that failed
	Offset int    // byte offset in the line, -1 if unknown
	Reason string // what was wrong, e.g. "invalid JSON"
	Err    error  // underlying error, if any
}

// Error formats the error as "audit: invalid JSON at byte 37".
func (e *Error) Error() string {
	s := e.Type.String() + ": " + e.Reason
	if e.Offset >= 0 {
		s += " at byte " + strconv.Itoa(e.Offset)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

func quote(s string) string { return strconv.Quote(s) }
