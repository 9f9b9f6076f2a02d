package parser

import (
	"bytes"
	"time"
)

// Type names one of the GitLab logs the package understands.
type Type uint8

// The log types.
const (
	TypeUnknown     Type = iota // not (yet) known
	TypeAudit                   // gitlab-rails/audit_json.log and Audit Event Streaming bodies
	TypeApplication             // gitlab-rails/application_json.log and the legacy application.log
	TypeAccess                  // nginx/gitlab_access.log
	TypeAuth                    // gitlab-rails/auth_json.log and auth.log (Rack::Attack)

	// NumTypes is the number of Type values, TypeUnknown included: an array
	// of NumTypes elements can be indexed by any Type.
	NumTypes
)

// String returns the lower-case name used on the command line and in configs:
// "audit", "application", "access", "auth" or "unknown".
func (t Type) String() string {
	switch t {
	case TypeAudit:
		return "audit"
	case TypeApplication:
		return "application"
	case TypeAccess:
		return "access"
	case TypeAuth:
		return "auth"
	}
	return "unknown"
}

// ParseType is the inverse of Type.String for the four log types: it
// accepts "audit", "application", "access" and "auth", and returns a
// *TypeError for any other name, "unknown" included.
func ParseType(s string) (Type, error) {
	switch s {
	case "audit":
		return TypeAudit, nil
	case "application":
		return TypeApplication, nil
	case "access":
		return TypeAccess, nil
	case "auth":
		return TypeAuth, nil
	}
	return TypeUnknown, &TypeError{Name: s}
}

// TypeError reports an unknown log type name.
type TypeError struct{ Name string }

// Error names the unknown type and the four the parser knows.
func (e *TypeError) Error() string {
	return "parser: unknown log type " + quote(e.Name) + " (want audit, application, access or auth)"
}

// Field is one column of a Record. Name is the column name used by the
// Microsoft Sentinel functions (GitLabAudit, GitLabApp, GitLabAccess), for
// example "AuthorName" or "RequestVerb".
//
// Value aliases either the parsed line or the Record's own scratch buffer: it
// is valid until the Record is passed to Parse again, and, as a value that
// aliases the line changes with it, while the caller leaves the line's bytes
// as they were (a bufio.Scanner's next Scan overwrites them). Copy it to
// keep it. Its capacity is its length: appending to it copies it, leaving
// the line and the other values as they were.
type Field struct {
	Name  string
	Value []byte
}

// Record is one parsed log line. The zero value is ready to use, and a Record
// is meant to be reused: Parse truncates Fields and the scratch buffer and
// appends into them, so that parsing a stream of lines does not allocate.
type Record struct {
	// Type is the log the line was parsed as.
	Type Type
	// Time is EventTime as an instant in UTC; the zero Time when the line has
	// no time or it could not be read. The EventTime field holds the same
	// instant as text (see the package documentation for its form).
	Time time.Time
	// Fields are the non-empty columns in the order the Sentinel function
	// projects them, followed by the extra columns the package adds.
	Fields []Field
	// Repaired is how many values in Fields had invalid UTF-8 bytes,
	// replaced by U+FFFD (U+FFFD's three bytes each). Only values
	// decoded from JSON strings, objects and arrays are repaired here; the
	// access and text application parsers keep a value's bytes as the line
	// has them, for an encoder to repair (forwarder.Encoder counts both).
	Repaired int

	buf []byte // scratch space for unescaped values

	// indexed is set while cols and colAt describe Fields (a record the
	// Audit parser filled): cols has bit id set when the column id (a
	// ColID) is Fields[colAt[id]], and a bit not set means the column is
	// absent. Without index cols is 0. Entries of colAt whose bit is clear
	// are stale and not read.
	indexed bool
	cols    uint64
	colAt   [idSlots]uint16
}

// Reset empties r for reuse, keeping its allocated memory.
func (r *Record) Reset() {
	r.Type = TypeUnknown
	r.Time = time.Time{}
	clear(r.Fields) // drop references to the previous line
	r.Fields = r.Fields[:0]
	r.buf = r.buf[:0]
	r.cols, r.indexed = 0, false
	r.Repaired = 0
}

// countDerived adds to r.Repaired the columns from r.Fields[from:] on,
// taken out of a value that was repaired, that hold a U+FFFD: they are
// repaired values too, as the encoder counts them in a text line.
func (r *Record) countDerived(from int) {
	for _, f := range r.Fields[from:] {
		if bytes.Contains(f.Value, []byte("\uFFFD")) {
			r.Repaired++
		}
	}
}

// countRepaired adds one to r.Repaired when repaired.
func (r *Record) countRepaired(repaired bool) {
	if repaired {
		r.Repaired++
	}
}

// Get returns the value of the column called name and whether it is present.
func (r *Record) Get(name string) ([]byte, bool) {
	for i := range r.Fields {
		if r.Fields[i].Name == name {
			return r.Fields[i].Value, true
		}
	}
	return nil, false
}

// add appends a column unless v is empty. The value's capacity is its
// length, so that a caller's append to it copies it rather than
// overwriting the line or the columns after it.
func (r *Record) add(name string, v []byte) {
	if len(v) == 0 {
		return
	}
	r.Fields = append(r.Fields, Field{Name: name, Value: v[:len(v):len(v)]})
}

// dropLast removes the column added last.
func (r *Record) dropLast() {
	r.Fields[len(r.Fields)-1] = Field{}
	r.Fields = r.Fields[:len(r.Fields)-1]
}

// addString appends a column whose value is built in the scratch buffer.
// Earlier values stay valid when the buffer grows: they keep pointing at the
// old array.
func (r *Record) addString(name string, v string) {
	if v == "" {
		return
	}
	start := len(r.buf)
	r.buf = append(r.buf, v...)
	r.add(name, r.buf[start:len(r.buf):len(r.buf)])
}

// scratch returns the scratch buffer for appending; commit turns what was
// appended since start into a column.
func (r *Record) scratch() []byte { return r.buf }

func (r *Record) commit(name string, buf []byte, start int) {
	r.buf = buf
	r.add(name, buf[start:len(buf):len(buf)])
}

// Equal reports whether two records hold the same type, time and columns.
func (r *Record) Equal(o *Record) bool {
	if r.Type != o.Type || !r.Time.Equal(o.Time) || len(r.Fields) != len(o.Fields) {
		return false
	}
	for i := range r.Fields {
		if r.Fields[i].Name != o.Fields[i].Name || !bytes.Equal(r.Fields[i].Value, o.Fields[i].Value) {
			return false
		}
	}
	return true
}
