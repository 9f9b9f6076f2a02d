package detect

import (
	"encoding/binary"
	"math/bits"
	"strconv"
	"time"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// identState says what an Event knows of its dedupe identity (see
// Engine.duplicate) from when it was made.
type identState uint8

// The identity states.
const (
	identUnknown identState = iota // not computed: duplicate reads the columns
	identNone                      // no EventID: never a duplicate
	identKeyed                     // Event.idKey is the identity's key
)

// identity returns what e knows of its identity: identUnknown unless its
// index is usable (see Event.indexed), as the identity was computed from
// the same columns.
func (e *Event) identity() identState {
	if !e.indexed() {
		return identUnknown
	}
	return e.cols.ident
}

// buildIdentity sets e's identity from rec, the record e's columns were
// made of, when e has an index (colIndex.build) so that its columns are
// rec's: the key of (EventID, EventName, CreatedAt) that duplicate makes,
// while rec is in the cache. An event whose CreatedAt is not in the form
// parseUTC reads is left unknown (its identity time may be its Time,
// which a caller may set after making it).
func (e *Event) buildIdentity(rec *parser.Record) {
	e.cols.ident = identUnknown
	if e.indexed() {
		e.cols.ident, e.idKey = identityOf(rec)
	}
}

// identityOf returns what the event of an indexed record rec knows of its
// identity (see buildIdentity), and the key when it is identKeyed.
func identityOf(rec *parser.Record) (identState, recentKey) {
	id, _ := rec.Col(parser.IDEventID)
	if len(id) == 0 {
		return identNone, recentKey{}
	}
	created, _ := rec.Col(parser.IDCreatedAt)
	sec, ns, ok := parseUTC(unsafe.String(unsafe.SliceData(created), len(created)))
	if !ok {
		return identUnknown, recentKey{}
	}
	name, _ := rec.Col(parser.IDEventName)
	var num [20]byte
	h := newFNV128a()
	h.write(id)
	h.write([]byte{0})
	h.write(name)
	h.write([]byte{0})
	h.write(strconv.AppendInt(num[:0], time.Unix(sec, ns).UnixNano(), 10))
	return identKeyed, h.sum()
}

// identityKey is the key of an event's identity as duplicate makes it
// from the columns id (EventID, not empty), name (EventName) and created
// (CreatedAt) and the event's time t: the FNV-1a hash (keyOf) of id, a
// NUL, name, a NUL and the identity time in Unix ns, in decimal. buf is
// scratch space, returned for reuse.
func identityKey(buf []byte, id, name, created string, t time.Time) (recentKey, []byte) {
	k := append(append(buf[:0], id...), 0)
	k = append(append(k, name...), 0)
	k = strconv.AppendInt(k, createdTime(created, t).UnixNano(), 10)
	return keyOf(k), k
}

// fnv128a computes keyOf of the concatenation of what is written to it.
type fnv128a struct{ hi, lo uint64 }

func newFNV128a() fnv128a { return fnv128a{0x6c62272e07bb0142, 0x62b821756295c58d} }

func (h *fnv128a) write(b []byte) {
	const primeLo, primeShift = 0x13b, 24
	hi, lo := h.hi, h.lo
	for _, c := range b {
		lo ^= uint64(c)
		p, l := bits.Mul64(primeLo, lo)
		hi = p + lo<<primeShift + primeLo*hi
		lo = l
	}
	h.hi, h.lo = hi, lo
}

func (h *fnv128a) sum() recentKey {
	var k recentKey
	binary.BigEndian.PutUint64(k[:8], h.hi)
	binary.BigEndian.PutUint64(k[8:], h.lo)
	return k
}
