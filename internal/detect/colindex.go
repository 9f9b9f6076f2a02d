package detect

import (
	"math/bits"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// colIndex finds an Event's columns that have a parser.ColID without
// searching Columns. Bit id of has is set when the event has the column
// id, and a clear bit means it has none. Where the column is: the Audit
// parser writes its own columns first, in ColID order (see parser.ColID),
// so the column id below firstMeta is at the rank of its bit among has's
// bits below firstMeta; a meta.* column (id firstMeta or more) is at
// meta[id-firstMeta]. It is made from an indexed record
// (parser.Record.ColIDs) by Fill and EventArena.New, which copy the
// record's fields in order. n is len(Columns) when it was made, 0 for no
// index: an index is read only while len(Columns) is n (Event.indexed),
// and a column found through it only when it has the name asked for
// (picker.pick, Event.Get): a position that is wrong (the parser's order
// changed, the columns were moved) makes the reader search, never read
// another column.
type colIndex struct {
	has   uint64
	n     uint32
	meta  [parser.NumColIDs - firstMeta]uint8
	ident identState // see Event.identity
	// thin is set on a thin event (EventArena.NewFor): all is then the
	// line's columns with a ColID (of which has are those kept), and rest
	// says whether the line had columns without one (none kept).
	thin bool
	rest bool
	all  uint64
}

// firstMeta is the first ColID of a meta.* column; those before it are the
// Audit parser's columns, in their output order.
const firstMeta = parser.IDMetaCallerID

// parserCols has a bit set for each ColID below firstMeta.
const parserCols = 1<<firstMeta - 1

// maxIndexedAt is the last position colIndex.meta holds: an event with a
// meta.* column with a ColID beyond it has no index.
const maxIndexedAt = 1<<8 - 1

// build sets x to the index of the columns Fill and New make of rec's
// fields followed by extra, or to none when rec has no index (it is not
// one the Audit parser filled), a meta.* column is beyond maxIndexedAt, or
// an extra column has the name of a parser column. An extra meta.* column
// the record lacks is indexed, so that the index finds what Event.Get
// finds: the first column of a name.
func (x *colIndex) build(rec *parser.Record, extra []parser.Field) {
	x.has, x.n, x.thin, x.rest, x.all = 0, 0, false, false, 0
	ids, ok := rec.ColIDs()
	nc := len(rec.Fields) + len(extra)
	if !ok || nc > 1<<31 {
		return
	}
	for m := ids &^ parserCols; m != 0; m &= m - 1 {
		id := parser.ColID(bits.TrailingZeros64(m))
		i, ok := rec.ColAt(id)
		if !ok || i > maxIndexedAt {
			return
		}
		x.meta[(id-firstMeta)%(parser.NumColIDs-firstMeta)] = uint8(i)
	}
	for j := range extra {
		id, ok := colIDOf(extra[j].Name)
		switch {
		case !ok || ids>>id&1 != 0:
			continue
		case id < firstMeta || len(rec.Fields)+j > maxIndexedAt:
			return
		}
		ids |= 1 << id
		x.meta[(id-firstMeta)%(parser.NumColIDs-firstMeta)] = uint8(len(rec.Fields) + j)
	}
	x.has, x.n = ids, uint32(nc)
}

// indexed reports whether e has an index of its columns that describes
// them (see colIndex).
func (e *Event) indexed() bool { return e.cols.n != 0 && int(e.cols.n) == len(e.Columns) }

// DropIndex makes e find its columns by searching Columns, and read its
// dedupe identity from them, as an event made by hand does. Code that
// gives an event made by Fill or EventArena.New a column of a name with a
// parser.ColID it did not have, or changes its EventID, EventName or
// CreatedAt, must call it first (see Event).
// A thin event is made whole first (see EventArena.NewFor).
func (e *Event) DropIndex() {
	e.makeWhole()
	e.cols.has, e.cols.n, e.cols.ident = 0, 0, identUnknown
}

// at returns where the column id is in the Columns the index was made
// of, -1 when the event has none. The position is to be confirmed by the
// column's name (see colIndex).
func (x *colIndex) at(id parser.ColID) int {
	if x.has>>id&1 == 0 {
		return -1
	}
	if id < firstMeta {
		return bits.OnesCount64(x.has & parserCols & (1<<id - 1))
	}
	return int(x.meta[(id-firstMeta)%(parser.NumColIDs-firstMeta)])
}

// sameName is c == name, without a call when both are the same string
// (the parser's column names and the parser package's constants are).
func sameName(c, name string) bool {
	return len(c) == len(name) && (unsafe.StringData(c) == unsafe.StringData(name) || c == name)
}

// colIDOf is parser.ColIDOf in constant time: a name's ColID is looked up
// in idByHash by idSlot and confirmed by comparing the names.
func colIDOf(name string) (parser.ColID, bool) {
	if name == "" {
		return 0, false
	}
	id := idByHash[idSlot(name)]
	return id, id < parser.NumColIDs && sameName(name, id.Name())
}

// idSlot is the slot of idByHash of a non-empty name.
func idSlot(name string) uint8 {
	return uint8(len(name)*29 + int(name[0])*3 + int(name[len(name)-1])*7 + int(name[len(name)/2]))
}

// idByHash maps idSlot of each ColID's name to the ColID, and every
// other slot to parser.NumColIDs; TestColIDOf checks that no two names
// share a slot.
var idByHash = func() (t [256]parser.ColID) {
	for i := range t {
		t[i] = parser.NumColIDs
	}
	for id := range parser.NumColIDs {
		t[idSlot(id.Name())] = id
	}
	return t
}()
