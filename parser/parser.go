package parser

// Parser turns one log line into r. line is the line without its trailing
// newline (a CR before it, of a CRLF line ending, is ignored by every
// parser, as white space after the JSON or the access line's last field
// and off a text application.log line's message); r is reset first. A run of NUL bytes at the start of line is
// skipped, and the columns come from the text after it: such a run is what
// a crash leaves in a log file (the file was extended with zeros before the
// writer's data reached it), or a copytruncate with a writer that does not
// append, and the text after it is GitLab's line; so is the text after
// the last NUL byte of a line that holds padding after part of a line
// (see the package documentation). An *Error's Offset is
// still a position in line, the NUL bytes counted. On failure Parse returns an *Error and r may hold
// partial columns that must not be used. A Parser is not safe for concurrent
// use; create one per goroutine.
type Parser interface {
	Parse(line []byte, r *Record) error
}

// New returns the parser for t (TypeAudit, TypeApplication, TypeAccess or
// TypeAuth). It returns nil for TypeUnknown and any other value.
func New(t Type) Parser {
	switch t {
	case TypeAudit:
		return new(Audit)
	case TypeApplication:
		return new(Application)
	case TypeAccess:
		return new(Access)
	case TypeAuth:
		return new(Auth)
	}
	return nil
}
