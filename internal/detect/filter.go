package detect

import (
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Columns gives read access to a line's columns by name: an *Event, or a
// parsed record while Engine.Want looks at it.
type Columns interface {
	// Get returns the value of column col, or "" when the line has none.
	// The value may alias the line: it is valid only during the call it
	// was passed to, and must be copied (strings.Clone) to be kept.
	Get(col string) string
}

// Filter is implemented by rules that can tell from a line's columns,
// before the line is copied into an Event, that Observe would discard it
// at once. The engine asks Keep in Want (on the parsed record, from any
// parse worker, concurrently) and again in Process (on the Event) before
// Observe; Keep must hold for every line on which Observe could act, must
// not depend on the rule's state (Process calls it under the engine's lock,
// Want without), must not allocate, and must not keep c or its values.
type Filter interface {
	Keep(t parser.Type, c Columns) bool
}

// WantFilter is implemented by rules whose interest in a line depends on
// state (e.g. the impersonation sessions open): WantLine is asked in Want
// only, concurrently with Process, and must be safe for that; Process still
// gives the rule every event that matches its keys. WantLine must not
// allocate per call, and must not keep c or its values.
type WantFilter interface {
	WantLine(t parser.Type, c Columns) bool
}

// maxMemo bounds the columns a lineView remembers; the filters of the
// built-in catalogue read fewer.
const maxMemo = 16

// lineView is the Columns of one line that the filters are asked about:
// each column is looked up in the record or Event once per line, however
// many rules' filters read it.
type lineView struct {
	ev    *Event
	rec   *parser.Record
	n     int
	names [maxMemo]string
	vals  [maxMemo]string
}

// reset points v at a record (ev nil) or an Event (rec nil).
func (v *lineView) reset(rec *parser.Record, ev *Event) {
	v.rec, v.ev, v.n = rec, ev, 0
}

// Get implements Columns. For a record the value aliases the parser's
// buffer (no copy): it is valid until the record is reused.
func (v *lineView) Get(col string) string {
	for i := range v.n {
		if v.names[i] == col {
			return v.vals[i]
		}
	}
	var s string
	switch {
	case v.ev != nil:
		s = v.ev.Get(col)
	case v.rec != nil:
		if b, _ := v.rec.Get(col); len(b) > 0 {
			s = unsafe.String(&b[0], len(b))
		}
	}
	if v.n < maxMemo {
		v.names[v.n], v.vals[v.n] = col, s
		v.n++
	}
	return s
}
