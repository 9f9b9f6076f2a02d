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
	identKeyed                     // Event.idKey is the identity's key; no EventName
	identNamed                     // identKeyed, of an event with EventName
	// identLine: no EventID, and Event.idKey is the key of its GitLab
	// line (lineKey), made for an engine with Config.DedupeLines while
	// the line was in the cache (see Event.keyLine).
	identLine
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
// rec's: the keys of (EventID, EventName, CreatedAt) that duplicate makes,
// while rec is in the cache. An event whose CreatedAt is not in the form
// parseUTC reads is left unknown (its identity time may be its Time,
// which a caller may set after making it).
func (e *Event) buildIdentity(rec *parser.Record) {
	e.cols.ident = identUnknown
	if e.indexed() {
		e.cols.ident, e.idKey = identityOf(rec)
	}
}

// keyLine makes e, of no EventID (identNone), carry the key of its GitLab
// line (identLine) that duplicateLine would make, unless its Raw is empty
// or of a log whose lines may repeat (RepeatsKept): NewFor calls it for
// an engine with Config.DedupeLines, in the parse worker, while the line
// is in the cache.
func (e *Event) keyLine() {
	if e.Raw == "" {
		return
	}
	if line := gitlabLine(e.Raw); !repeatsKept(e.Type, line) {
		e.cols.ident, e.idKey = identLine, lineKey(line)
	}
}

// identityOf returns what the event of an indexed record rec knows of its
// identity (see buildIdentity), and its own key (identityKeys) when it is
// identKeyed or identNamed (whose base key, which duplicate needs too, is
// made from the columns).
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
	own, _ := identityKeys(id, name, strconv.AppendInt(num[:0], time.Unix(sec, ns).UnixNano(), 10))
	if len(name) > 0 {
		return identNamed, own
	}
	return identKeyed, own
}

// identityKey returns the keys of an event's identity (identityKeys) as
// duplicate makes them from the columns id (EventID, not empty), name
// (EventName) and created (CreatedAt) and the event's time t. buf is
// scratch space, returned for reuse.
func identityKey(buf []byte, id, name, created string, t time.Time) (own, base recentKey, _ []byte) {
	buf = strconv.AppendInt(buf[:0], createdTime(created, t).UnixNano(), 10)
	own, base = identityKeys(unsafe.Slice(unsafe.StringData(id), len(id)), unsafe.Slice(unsafe.StringData(name), len(name)), buf)
	return own, base, buf
}

// identityBase is identityKey's base key alone, for an event whose own
// key is known (identNamed): it does not hash the name and creation time
// a second time.
func identityBase(buf []byte, id, created string, t time.Time) (base recentKey, _ []byte) {
	buf = strconv.AppendInt(buf[:0], createdTime(created, t).UnixNano(), 10)
	base, _ = identityKeys(unsafe.Slice(unsafe.StringData(id), len(id)), nil, buf)
	return base, buf
}

// identityKeys returns the keys of the identity of an event of EventID
// id, EventName name and creation time nanos (Unix ns in decimal): own,
// the FNV-1a hash (keyOf) of id, a NUL, name, a NUL and nanos; and base,
// own's of the same event without its name (name ""), which is own when
// name is "". An event's copy without EventName (a file line of a GitLab
// release that wrote none, while Audit Event Streaming sends event_type)
// has the base of the copy with one (see Engine.duplicate).
func identityKeys(id, name, nanos []byte) (own, base recentKey) {
	h := newFNV128a()
	h.write(id)
	h.write([]byte{0})
	b := h
	b.write([]byte{0})
	b.write(nanos)
	base = b.sum()
	if len(name) == 0 {
		return base, base
	}
	h.write(name)
	h.write([]byte{0})
	h.write(nanos)
	return h.sum(), base
}

// namedKey returns the key that marks base (identityKeys) as the base of
// an event with an EventName: a copy without one is then a duplicate of
// it (Engine.duplicate). It differs from every base but by chance.
func namedKey(base recentKey) recentKey {
	base[0] ^= 0x80
	return base
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
