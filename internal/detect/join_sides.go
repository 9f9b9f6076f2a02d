package detect

import (
	"hash/maphash"
	"time"
	"unsafe"
)

// sideRing holds a joiner's audit lines (sides) in the order of their
// arrival, as fixed-size records in a ring (sideRec) whose strings (the
// CorrelationID, the EventID and the values of the joiner's columns) are
// copied, one after the other, into a ring of bytes. Neither ring holds a
// pointer, so the garbage collector never scans what is held, and holding
// a line costs no allocation once the rings have grown.
//
// A side is found by the hash of its CorrelationID (maphash, seeded per
// ring, computed when the side is indexed), confirmed by comparing the CorrelationID's bytes; sides with the
// same hash and different CorrelationIDs are chained (sideRec.next). The
// index is made lazily: a new side is appended without a map operation,
// and the sides appended since the last look-up are indexed, in order,
// when a look-up comes (most audit lines, the sign-ins of users that are
// no admins, leave at the window's end without ever being indexed). A
// CorrelationID held twice counts twice until it is indexed; then the
// later side replaces the earlier, as in a fifo.
//
// Sides leave from the front (window end, max_keys) or, when joined,
// anywhere: such a side is marked dead and its room is taken back when
// it reaches the front, or when the dead outnumber the live (compact).
// Strings read from a side (str) are valid until the next append or
// compaction: whatever must outlive that is copied. Not safe for
// concurrent use.
type sideRing struct {
	recs       []sideRec // the ring of records; its length is 0 or a power of two
	head, tail uint64    // the sequence numbers of the oldest record and of the next one
	live       int       // records held that were neither joined nor replaced
	indexed    uint64    // the records before it are in index
	index      map[uint64]uint64

	buf          []byte // the ring of bytes; its length is 0 or a power of two
	bhead, btail uint64 // absolute offsets of the oldest record's bytes and of the end

	nvals   int // values per side: the joiner's columns
	seed    maphash.Seed
	evicted uint64 // sides dropped at max_keys
}

// noSeq ends a chain of sideRec.next.
const noSeq = ^uint64(0)

// sideRec is one side: its time and where its strings are.
type sideRec struct {
	hash uint64 // of the CorrelationID; 0 until indexed (then computed, unless set)
	next uint64 // the next older indexed side of the same hash, or noSeq
	at   uint64 // absolute offset of its bytes in buf
	sec  int64  // its time: Unix seconds
	nsec int32  // and nanoseconds
	live bool
	lens [2 + maxSideCols]uint32 // of the CorrelationID, the EventID and the values
}

// minSideBytes is the least size of a sideRing's ring of bytes.
const minSideBytes = 4096

func newSideRing(nvals int) sideRing {
	return sideRing{nvals: nvals, seed: maphash.MakeSeed(), index: make(map[uint64]uint64)}
}

// hash returns the hash a CorrelationID is held under.
func (r *sideRing) hash(cid string) uint64 { return maphash.String(r.seed, cid) }

// len returns the number of sides held.
func (r *sideRing) len() int { return r.live }

// rec returns the record of sequence number s, in [head, tail).
func (r *sideRing) rec(s uint64) *sideRec { return &r.recs[s&uint64(len(r.recs)-1)] }

// time returns the time of x, in UTC.
func (x *sideRec) time() time.Time { return time.Unix(x.sec, int64(x.nsec)).UTC() }

// size returns the number of bytes of x's strings.
func (x *sideRec) size() uint64 {
	var n uint64
	for _, l := range x.lens {
		n += uint64(l)
	}
	return n
}

// bytes returns x's strings, one after the other, in the ring of bytes.
func (r *sideRing) bytes(x *sideRec) []byte {
	p := x.at & uint64(len(r.buf)-1)
	return r.buf[p : p+x.size()]
}

// str returns string i of x: 0 the CorrelationID, 1 the EventID, 2 on
// the values. It is valid until the next append or compaction.
func (r *sideRing) str(x *sideRec, i int) string {
	b := r.bytes(x)
	off := uint32(0)
	for _, l := range x.lens[:i] {
		off += l
	}
	if x.lens[i] == 0 {
		return ""
	}
	return unsafe.String(&b[off], int(x.lens[i]))
}

// add appends a live side of CorrelationID cid at time t, with EventID
// id and the values vals (nvals of them). Its hash is computed when it is
// indexed: most sides never are.
func (r *sideRing) add(cid string, t time.Time, id string, vals []string) {
	if r.tail-r.head == uint64(len(r.recs)) {
		r.growRecs()
	}
	x := sideRec{next: noSeq, sec: t.Unix(), nsec: int32(t.Nanosecond()), live: true}
	x.lens[0], x.lens[1] = uint32(len(cid)), uint32(len(id))
	n := len(cid) + len(id)
	for i, v := range vals[:r.nvals] {
		x.lens[2+i] = uint32(len(v))
		n += len(v)
	}
	var b []byte
	x.at, b = r.take(uint64(n))
	b = append(b[:0], cid...)
	b = append(b, id...)
	for _, v := range vals[:r.nvals] {
		b = append(b, v...)
	}
	*r.rec(r.tail) = x
	r.tail++
	r.live++
}

// take returns the absolute offset and the room of n contiguous bytes at
// the end of the ring of bytes, growing it when full. A piece that would
// wrap around starts at the ring's start instead, the bytes skipped being
// taken back with the record before it.
func (r *sideRing) take(n uint64) (uint64, []byte) {
	for {
		if size := uint64(len(r.buf)); size > 0 {
			pad := uint64(0)
			if p := r.btail & (size - 1); p+n > size {
				pad = size - p
			}
			if r.btail+pad+n-r.bhead <= size {
				at := r.btail + pad
				r.btail = at + n
				p := at & (size - 1)
				return at, r.buf[p : p+n : p+n]
			}
		}
		r.growBytes(n)
	}
}

// growBytes doubles the ring of bytes (or more) until a piece of n bytes
// fits. Doubling keeps every piece contiguous: a piece at p..p+l within
// a ring of size s lies within a ring of size 2^k s at the same
// absolute offsets.
func (r *sideRing) growBytes(n uint64) {
	old := uint64(len(r.buf))
	size := max(old, minSideBytes)
	for size < r.btail-r.bhead+2*n || size == old {
		size *= 2
	}
	buf := make([]byte, size)
	for p := r.bhead; p < r.btail; {
		src := r.buf[p&(old-1):]
		src = src[:min(uint64(len(src)), r.btail-p)]
		k := copy(buf[p&(size-1):], src)
		p += uint64(k)
	}
	r.buf = buf
}

// growRecs doubles the ring of records, keeping sequence numbers.
func (r *sideRing) growRecs() {
	n := max(16, 2*len(r.recs))
	recs := make([]sideRec, n)
	for s := r.head; s < r.tail; s++ {
		recs[s&uint64(n-1)] = *r.rec(s)
	}
	r.recs = recs
}

// front returns the oldest live side, dropping the dead before it.
func (r *sideRing) front() (*sideRec, bool) {
	for r.head < r.tail {
		if x := r.rec(r.head); x.live {
			return x, true
		}
		r.pop()
	}
	return nil, false
}

// pop drops the oldest record, live or dead.
func (r *sideRing) pop() {
	x := r.rec(r.head)
	if x.live {
		r.kill(r.head)
	}
	*x = sideRec{}
	r.head++
	r.indexed = max(r.indexed, r.head)
	if r.head < r.tail {
		r.bhead = r.rec(r.head).at
	} else {
		r.bhead = r.btail
	}
}

// popFront drops the oldest live side, if any, with the dead before it.
func (r *sideRing) popFront() {
	if _, ok := r.front(); ok {
		r.pop()
	}
}

// kill marks the live side s dead and takes it out of the index.
func (r *sideRing) kill(s uint64) {
	x := r.rec(s)
	x.live = false
	r.live--
	if s < r.indexed {
		r.unlink(s, x)
	}
}

// unlink takes the indexed side s (record x) out of its hash's chain.
func (r *sideRing) unlink(s uint64, x *sideRec) {
	p := r.index[x.hash]
	if p == s {
		if x.next == noSeq {
			delete(r.index, x.hash)
		} else {
			r.index[x.hash] = x.next
		}
		return
	}
	for r.rec(p).next != s {
		p = r.rec(p).next
	}
	r.rec(p).next = x.next
}

// indexAll indexes the sides appended since the last call, in order: a
// CorrelationID already indexed takes the later side, and the earlier
// is dropped.
func (r *sideRing) indexAll() {
	for s := r.indexed; s < r.tail; s++ {
		x := r.rec(s)
		if !x.live {
			continue
		}
		if x.hash == 0 {
			x.hash = r.hash(r.str(x, 0))
		}
		if old, ok := r.find(x.hash, r.str(x, 0)); ok {
			r.kill(old)
		}
		x.next = noSeq
		if p, ok := r.index[x.hash]; ok {
			x.next = p
		}
		r.index[x.hash] = s
		r.indexed = s + 1
	}
	r.indexed = r.tail
}

// find returns the indexed side of CorrelationID cid (hash h).
func (r *sideRing) find(h uint64, cid string) (uint64, bool) {
	p, ok := r.index[h]
	if !ok {
		return 0, false
	}
	for ; p != noSeq; p = r.rec(p).next {
		if x := r.rec(p); r.str(x, 0) == cid {
			return p, true
		}
	}
	return 0, false
}

// lookup indexes what is not yet, then returns the side of cid.
func (r *sideRing) lookup(cid string) (uint64, *sideRec, bool) {
	r.indexAll()
	s, ok := r.find(r.hash(cid), cid)
	if !ok {
		return 0, nil, false
	}
	return s, r.rec(s), true
}

// compact copies the live sides into new rings when the dead outnumber
// them (or the ring is mostly empty after a burst), so that the rings
// stay within about twice what is held. The index is dropped and made
// again at the next look-up, which keeps the replacement order: the
// sides indexed had no CorrelationID twice.
func (r *sideRing) compact() {
	n := r.tail - r.head
	dead := n - uint64(r.live)
	if !(dead >= 64 && dead > uint64(r.live)) && !(len(r.recs) > 4096 && n < uint64(len(r.recs)/8)) {
		return
	}
	old := *r
	size := uint64(16)
	for size < 2*uint64(r.live) {
		size *= 2
	}
	var nb uint64
	for s := old.head; s < old.tail; s++ {
		if x := old.rec(s); x.live {
			nb += x.size()
		}
	}
	bsize := uint64(minSideBytes)
	for bsize < 2*nb {
		bsize *= 2
	}
	r.recs, r.buf = make([]sideRec, size), make([]byte, bsize)
	r.tail, r.live, r.bhead, r.btail = r.head, 0, 0, 0
	clear(r.index)
	r.indexed = r.head
	for s := old.head; s < old.tail; s++ {
		x := old.rec(s)
		if !x.live {
			continue
		}
		y := *x
		var b []byte
		y.at, b = r.take(y.size())
		copy(b, old.bytes(x))
		y.next = noSeq
		*r.rec(r.tail) = y
		r.tail++
		r.live++
	}
}

// each calls fn for every live side, oldest first.
func (r *sideRing) each(fn func(x *sideRec)) {
	for s := r.head; s < r.tail; s++ {
		if x := r.rec(s); x.live {
			fn(x)
		}
	}
}
