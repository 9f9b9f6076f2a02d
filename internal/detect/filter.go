package detect

import (
	"slices"
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
	// WantEpoch changes whenever WantLine starts wanting lines it did not
	// want before (see Engine.WantEpoch).
	WantEpoch() uint64
}

// hinter is implemented by WantFilters that can tell which lines they
// started wanting after an epoch: wantHints appends to dst strings of
// which each such line's bytes contain at least one (see
// Engine.WantHints), or reports false when it cannot tell.
type hinter interface {
	wantHints(since uint64, dst []string) ([]string, bool)
}

// maxMemo bounds the columns a lineView remembers; the filters of the
// built-in catalogue read fewer.
const maxMemo = 24

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
		// Column names are the parser's constants: compare the pointers
		// (a name spelled elsewhere only misses the memo).
		if unsafe.StringData(v.names[i]) == unsafe.StringData(col) && len(v.names[i]) == len(col) {
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

// colSet is a set of at most 64 column names, each shorter than 64 bytes,
// with an index by a hash of the name's length and ends (nameHash): most
// names not in the set fall in an empty bucket and are compared with none.
type colSet struct {
	cols   []string
	byHash [128][]uint8 // indices into cols of the names of that hash
}

// nameHash is the bucket of a non-empty name in colSet.byHash.
func nameHash(name string) int {
	n := len(name)
	return int((uint(n)*37 + uint(name[0])*5 + uint(name[n-1])) & 127)
}

// add adds col unless present or the set is full.
func (s *colSet) add(col string) {
	if slices.Contains(s.cols, col) || len(s.cols) == 64 || len(col) >= 64 || col == "" {
		return
	}
	h := nameHash(col)
	s.byHash[h] = append(s.byHash[h], uint8(len(s.cols)))
	s.cols = append(s.cols, col)
}

// index returns the index of col, or -1.
func (s *colSet) index(col string) int { return slices.Index(s.cols, col) }

// prefetch reads the columns of s in one pass over the line's columns,
// remembers each (absent ones as ""), and returns the mask of those
// present: bit i for s.cols[i]. Columns that do not fit the memo are
// reported present (the filters then read them).
func (v *lineView) prefetch(s *colSet) uint64 {
	var slot [64]uint8 // memo slot + 1 of s.cols[i]; 0: known already
	var mask uint64
	known := v.n // s.cols are distinct: only the columns read before can be known
	for i, c := range s.cols {
		if v.n == maxMemo {
			mask |= 1 << i
			continue
		}
		if v.memoized(c, known) {
			if v.Get(c) != "" {
				mask |= 1 << i
			}
			continue
		}
		v.names[v.n], v.vals[v.n] = c, ""
		v.n++
		slot[i] = uint8(v.n)
	}
	visit := func(name, val string) {
		if len(name) >= 64 || name == "" {
			return
		}
		for _, i := range s.byHash[nameHash(name)] {
			if slot[i] != 0 && s.cols[i] == name {
				v.vals[slot[i]-1], mask, slot[i] = val, mask|1<<i, 0
				return
			}
		}
	}
	switch {
	case v.ev != nil:
		for i := range v.ev.Columns {
			visit(v.ev.Columns[i].Name, v.ev.Columns[i].Value)
		}
	case v.rec != nil:
		for i := range v.rec.Fields {
			if b := v.rec.Fields[i].Value; len(b) > 0 {
				visit(v.rec.Fields[i].Name, unsafe.String(&b[0], len(b)))
			}
		}
	}
	return mask
}

// memoized reports whether column col is among the first n remembered.
func (v *lineView) memoized(col string, n int) bool {
	for i := range n {
		if v.names[i] == col {
			return true
		}
	}
	return false
}

// reader is implemented by rules with a WantFilter on audit lines without
// EventName: reads returns the columns WantLine reads, so that they are
// read in the same pass as the gates' columns.
type reader interface {
	reads() []string
}

// gater is implemented by rules with a Filter that needs some columns on
// an audit line without EventName: gate returns clauses, each a set of
// columns of which at least one is present whenever Keep holds on such a
// line; nil when nothing is known, an empty clause when Keep never holds.
type gater interface {
	gate() [][]string
}
