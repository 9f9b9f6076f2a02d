package detect

import (
	"slices"
	"sync/atomic"
)

// span is an interval of event time, [from, to) in Unix ns.
type span struct{ from, to int64 }

// userWatch is what the watch wants of one user's lines: every line
// (any), else those whose event time lies in one of ivs. A published
// userWatch is never modified.
type userWatch struct {
	any bool
	ivs []span
}

// wants reports whether u wants a line of event time t (Unix ns); nil
// wants none.
func (u *userWatch) wants(t int64) bool {
	if u == nil {
		return false
	}
	if u.any {
		return true
	}
	for _, s := range u.ivs {
		if s.from <= t && t < s.to {
			return true
		}
	}
	return false
}

// within reports whether every line u wants, o wants (nil wants none).
func (u *userWatch) within(o *userWatch) bool {
	switch {
	case u == nil || (!u.any && len(u.ivs) == 0):
		return true
	case o == nil:
		return false
	case o.any:
		return true
	case u.any:
		return false
	}
	for _, s := range u.ivs {
		if s.from >= s.to {
			continue
		}
		in := false
		for _, x := range o.ivs {
			if x.from <= s.from && s.to <= x.to {
				in = true
				break
			}
		}
		if !in {
			return false
		}
	}
	return true
}

// equal reports whether u and o are the same.
func (u *userWatch) equal(o *userWatch) bool {
	if u == nil || o == nil {
		return u == o
	}
	return u.any == o.any && slices.Equal(u.ivs, o.ivs)
}

// watchCell holds the current userWatch of one user.
type watchCell struct{ w atomic.Pointer[userWatch] }

// watchSet is one immutable version of the watched users: n of them,
// byName of which are keys by name. It is 64 bytes, one cache line (the
// allocator aligns objects of that size to it), and holds a Bloom filter
// of the keys (two bits of each key's hash in sig): most keys asked are
// not watched, and most of those fail the filter without a read of
// another cache line. A key that passes it is looked for in tab.
type watchSet struct {
	n, byName int32
	sig       [watchSigWords]uint64
	tab       *watchTable
}

// watchSigWords is the length of watchSet.sig: the words left in its
// cache line.
const watchSigWords = 6

// watchTable is a watchSet's keys: ents, in no order, and an
// open-addressing index of them (linear probing) of at least 4n slots,
// each the tag of a key's hash (0: an empty slot) and its entry; a tag
// that matches is confirmed by comparing the key. Since the index was
// built, the keys of more were added and the entries of ents at the
// indexes gone removed (at most watchDelta of both): the next version
// shares ents and slots, which are never written once built, and copies
// only more and gone, so that a user added to a set of n costs O(n /
// watchDelta), not O(n). A version whose changes reach watchDelta is
// built anew from its entries, without hashing a key again.
type watchTable struct {
	mask  uint64 // len(slots) - 1
	slots []watchSlot
	ents  []watchEnt
	more  []watchEnt // added since; index len(ents)+i in find
	gone  []uint32   // indexes in ents removed since
}

// watchDelta bounds len(more) + len(gone) of a watchTable.
const watchDelta = 32

// watchSlot is a slot of watchTable's index.
type watchSlot struct{ tag, ent uint32 }

// watchEnt is a watched key, its hash (watchHash) and its cell.
type watchEnt struct {
	k sessKey
	h uint64
	c *watchCell
}

// watchHash is the hash of k: that of its value (valueHash), whether
// it is a user's id or name. The filter and the index of a watchSet
// compare ByName only once a key's hash matched: an id that is also a
// watched name is a rare collision of the same cost as any other.
func watchHash(k sessKey) uint64 { return valueHash(k.V) }

// valueHash is the hash of s, of all its bytes read a word at a time
// (those of the last word's tail once more) and its length. Every key of
// a watchSet is one an administrator impersonated, so that the set
// cannot be filled with keys made to collide; a hash of the runtime
// (hash/maphash) costs a few calls more per line.
func valueHash(s string) uint64 {
	v := s
	h := uint64(len(s)) * 0x9E3779B97F4A7C15
	switch n := len(s); {
	case n >= 8:
		for ; len(s) > 8; s = s[8:] {
			h = (h ^ load64(s)) * 0xBF58476D1CE4E5B9
		}
		h ^= load64(v[n-8:])
	case n >= 4:
		h ^= uint64(load32(s))<<32 | uint64(load32(s[n-4:]))
	default:
		for i := range n {
			h ^= uint64(s[i]) << (8 * i)
		}
	}
	h = (h ^ h>>31) * 0x94D049BB133111EB
	return h ^ h>>29
}

// load64 is the first eight bytes of s (len(s) >= 8), little-endian.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// load32 is the first four bytes of s (len(s) >= 4), little-endian.
func load32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// keyTag is the tag of the hash h in watchSlot: never 0, and made of
// other bits than those of the slot (the low ones).
func keyTag(h uint64) uint32 { return uint32(h>>32) | 1 }

// sigBits are the word and the two bits of watchSet.sig of the hash h:
// of bits of h other than those keyTag and the table's slot use.
func sigBits(h uint64) (int, uint64) {
	return int(h >> 16 % watchSigWords), 1<<(h>>20&63) | 1<<(h>>26&63)
}

// newWatchSet returns the set of the keys of ents, which it keeps.
func newWatchSet(ents []watchEnt) *watchSet {
	size := 8
	for size < 4*len(ents) {
		size *= 2
	}
	tab := &watchTable{mask: uint64(size - 1), slots: make([]watchSlot, size), ents: ents}
	ws := &watchSet{n: int32(len(ents)), tab: tab}
	for j := range ents {
		e := &ents[j]
		if e.k.ByName {
			ws.byName++
		}
		w, b := sigBits(e.h)
		ws.sig[w] |= b
		i := e.h & tab.mask
		for tab.slots[i].tag != 0 {
			i = (i + 1) & tab.mask
		}
		tab.slots[i] = watchSlot{keyTag(e.h), uint32(j)}
	}
	return ws
}

// get returns what the watch wants of k's lines, nil when k is not
// watched.
func (ws *watchSet) get(k sessKey) *userWatch {
	if c := ws.cell(k); c != nil {
		return c.w.Load()
	}
	return nil
}

// mayHave reports whether a key of hash h (watchHash) may be in ws (not
// nil), by the filter: false for most keys not in it. It inlines.
func (ws *watchSet) mayHave(h uint64) bool {
	w, b := sigBits(h)
	return ws.sig[w]&b == b
}

// getHashed is get of k, whose hash is h, in ws (not nil).
func (ws *watchSet) getHashed(k sessKey, h uint64) *userWatch {
	if j := ws.tab.find(k, h); j >= 0 {
		return ws.tab.ent(j).c.w.Load()
	}
	return nil
}

// cell returns k's cell in ws (nil: not there; ws nil: empty).
func (ws *watchSet) cell(k sessKey) *watchCell {
	if ws == nil || ws.n == 0 {
		return nil
	}
	h := watchHash(k)
	if w, b := sigBits(h); ws.sig[w]&b != b {
		return nil // most keys: sig is in the cache line of n
	}
	if j := ws.tab.find(k, h); j >= 0 {
		return ws.tab.ent(j).c
	}
	return nil
}

// find returns the index of k, whose hash is h, or -1: in ents, or
// len(ents) and its index in more (see ent).
func (tab *watchTable) find(k sessKey, h uint64) int {
	tag := keyTag(h)
	for i := h & tab.mask; ; i = (i + 1) & tab.mask {
		switch s := tab.slots[i]; {
		case s.tag == 0:
			return tab.findMore(k, h)
		case s.tag == tag:
			if e := &tab.ents[s.ent]; e.k.ByName == k.ByName && e.k.V == k.V {
				if len(tab.gone) > 0 && slices.Contains(tab.gone, s.ent) {
					return tab.findMore(k, h) // removed, maybe added again
				}
				return int(s.ent)
			}
		}
	}
}

// findMore is find of k among the keys added since the index was built.
func (tab *watchTable) findMore(k sessKey, h uint64) int {
	for i := range tab.more {
		if e := &tab.more[i]; e.h == h && e.k.ByName == k.ByName && e.k.V == k.V {
			return len(tab.ents) + i
		}
	}
	return -1
}

// ent returns the entry of index j, which find returned.
func (tab *watchTable) ent(j int) *watchEnt {
	if j < len(tab.ents) {
		return &tab.ents[j]
	}
	return &tab.more[j-len(tab.ents)]
}

// live returns the entries of tab, those removed left out, in a new
// slice with room for one more.
func (tab *watchTable) live() []watchEnt {
	ents := make([]watchEnt, 0, len(tab.ents)-len(tab.gone)+len(tab.more)+1)
	for j := range tab.ents {
		if !slices.Contains(tab.gone, uint32(j)) {
			ents = append(ents, tab.ents[j])
		}
	}
	return append(ents, tab.more...)
}

// with returns a version of ws (nil: empty) with k, not in it, in cell c.
func (ws *watchSet) with(k sessKey, c *watchCell) *watchSet {
	e := watchEnt{k, watchHash(k), c}
	if ws == nil {
		return newWatchSet([]watchEnt{e})
	}
	old := ws.tab
	if len(old.more)+len(old.gone)+1 > watchDelta {
		return newWatchSet(append(old.live(), e))
	}
	nw := *ws
	nw.tab = &watchTable{mask: old.mask, slots: old.slots, ents: old.ents, gone: old.gone,
		more: append(slices.Clip(old.more), e)}
	nw.n++
	if k.ByName {
		nw.byName++
	}
	w, b := sigBits(e.h)
	nw.sig[w] |= b
	return &nw
}

// without returns a version of ws without k (ws itself when it has no
// k). The filter keeps k's bits until the set is built anew.
func (ws *watchSet) without(k sessKey) *watchSet {
	old := ws.tab
	j := old.find(k, watchHash(k))
	if j < 0 {
		return ws
	}
	tab := *old
	if i := j - len(old.ents); i >= 0 {
		tab.more = slices.Delete(slices.Clone(old.more), i, i+1)
	} else {
		tab.gone = append(slices.Clip(old.gone), uint32(j))
	}
	if len(tab.more)+len(tab.gone) > watchDelta {
		return newWatchSet(tab.live())
	}
	nw := *ws
	nw.tab = &tab
	nw.n--
	if k.ByName {
		nw.byName--
	}
	return &nw
}

// len is the number of users in ws (nil: 0).
func (ws *watchSet) len() int {
	if ws == nil {
		return 0
	}
	return int(ws.n)
}
