package detect

import (
	"math/bits"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// colIndex finds an Event's columns that have a parser.ColID without
// searching Columns: bit id of has is set when the column id is
// Columns[at[id]], and a clear bit means the event has no such column.
// It is made from an indexed record (parser.Record.ColIDs) by Fill and
// EventArena.New, which copy the record's fields in order. n is
// len(Columns) when it was made, 0 for no index: an index is read only
// while len(Columns) is n (see Event.indexed), and a column found through
// it only when it has the id's name (see Event.col).
type colIndex struct {
	has uint64
	n   uint32
	at  [parser.NumColIDs]uint8
}

// maxIndexedAt is the last position colIndex.at holds: an event with a
// ColID's column beyond it has no index.
const maxIndexedAt = 1<<8 - 1

// build sets x to the index of the columns Fill and New make of rec's
// fields followed by extra, or to none when rec has no index (it is not
// one the Audit parser filled) or a position is beyond maxIndexedAt. An
// extra column with a ColID the record lacks is indexed too, so that the
// index finds what Event.Get finds: the first column of a name.
func (x *colIndex) build(rec *parser.Record, extra []parser.Field) {
	x.has, x.n = 0, 0
	ids, ok := rec.ColIDs()
	if !ok || len(rec.Fields)+len(extra) > 1<<31 {
		return
	}
	for m := ids; m != 0; m &= m - 1 {
		id := parser.ColID(bits.TrailingZeros64(m))
		i, ok := rec.ColAt(id)
		if !ok || i > maxIndexedAt || id >= parser.NumColIDs {
			return
		}
		x.at[id] = uint8(i)
	}
	for j := range extra {
		id, ok := parser.ColIDOf(extra[j].Name)
		if !ok || ids>>id&1 != 0 {
			continue
		}
		if i := len(rec.Fields) + j; i <= maxIndexedAt {
			ids |= 1 << id
			x.at[id] = uint8(i)
			continue
		}
		return
	}
	x.has, x.n = ids, uint32(len(rec.Fields)+len(extra))
}

// indexed reports whether e has an index of its columns that describes
// them (see colIndex).
func (e *Event) indexed() bool { return e.cols.n != 0 && int(e.cols.n) == len(e.Columns) }

// DropIndex makes e find its columns by searching Columns, as an event
// made by hand does. Fill and EventArena.New index the columns of an
// audit record (see Event); code that changes an indexed event's Columns
// other than by appending, truncating or changing values (replacing a
// column by one of another name, or Columns by another slice of the same
// length) must call DropIndex first.
func (e *Event) DropIndex() { e.cols.has, e.cols.n = 0, 0 }

// col returns the value of column id (whose name is name) through e's
// index, which the caller found usable (indexed): found reports whether
// the index answered, and is false when the column it points at has
// another name (the index is stale: the caller searches Columns).
func (e *Event) col(id parser.ColID, name string) (v string, found bool) {
	if e.cols.has>>id&1 == 0 {
		return "", true
	}
	c := &e.Columns[e.cols.at[id]]
	if !sameName(c.Name, name) {
		return "", false
	}
	return c.Value, true
}

// sameName is c == name, without a call when both are the same string
// (the parser's column names and the parser package's constants are).
func sameName(c, name string) bool {
	return len(c) == len(name) && (unsafe.StringData(c) == unsafe.StringData(name) || c == name)
}
