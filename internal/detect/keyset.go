package detect

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
)

// keySet is a set of recentKeys: an open-addressing hash table with linear
// probing that deletes by backward shift, so it keeps no tombstones. The recent
// sets run at their cap for days, each new id dropping the oldest: a
// table with tombstones lengthens its probes under that load, and Go's
// map touches its control word and a slot group, two cache lines, where a
// probe here reads one. A slot is 16 bytes and the table is a quarter
// to a half full (it doubles when it would pass half and never shrinks):
// 32 to 64 bytes a key.
//
// An attacker chooses the lines, so some keys too (a line's SHA-256 is
// found by trying): the slot a key's probe starts at is drawn by random
// multipliers of the set's (multiply-shift hashing of the key's two
// halves), so that nobody can make many keys start at one slot and
// lengthen every probe.
type keySet struct {
	slots []recentKey // a power of two long, or nil; the zero key marks an empty slot
	n     int         // keys in slots, zero not included
	zero  bool        // the zero key is in the set
	mul   [2]uint64   // the hashing multipliers, odd; drawn with the first table
	shift uint        // 64 − log2(len(slots))
}

// minKeySlots is the size of a keySet's first table.
const minKeySlots = 64

// len returns the number of keys in the set.
func (s *keySet) len() int {
	if s.zero {
		return s.n + 1
	}
	return s.n
}

// home returns the slot k's probe starts at: the top bits of the sum of
// k's two halves, each times one of the set's multipliers, mixed (its high
// half folded into its low one, times mixMul). Unmixed, keys whose halves
// differ by one constant (lo, lo+c) hashed as lo times one even
// multiplier: an arithmetic progression, which for some draws of the
// multipliers fell into a few runs of slots (one draw in about 300 made a
// probe of 151 slots in a table of 8,192 for 4,096 such keys).
func (s *keySet) home(k recentKey) int {
	h := binary.LittleEndian.Uint64(k[:8])*s.mul[0] + binary.LittleEndian.Uint64(k[8:])*s.mul[1]
	h = (h ^ h>>32) * mixMul
	return int(h >> s.shift)
}

// mixMul is the odd multiplier of home's mixing step (SplitMix64's).
const mixMul = 0xbf58476d1ce4e5b9

// find returns the slot holding k, or the empty slot where its probe
// ends (k is absent); k is not the zero key and slots is not empty.
func (s *keySet) find(k recentKey) (i int, ok bool) {
	mask := len(s.slots) - 1
	for i = s.home(k); ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return i, true
		case recentKey{}:
			return i, false
		}
	}
}

// has reports whether k is in the set.
func (s *keySet) has(k recentKey) bool {
	if k == (recentKey{}) {
		return s.zero
	}
	if s.n == 0 {
		return false
	}
	_, ok := s.find(k)
	return ok
}

// insert adds k and reports whether it was absent.
func (s *keySet) insert(k recentKey) bool {
	if k == (recentKey{}) {
		added := !s.zero
		s.zero = true
		return added
	}
	if 2*(s.n+1) > len(s.slots) {
		s.grow()
	}
	i, ok := s.find(k)
	if ok {
		return false
	}
	s.slots[i] = k
	s.n++
	return true
}

// remove deletes k when it is in the set. The keys after it in its probe
// run move back into the hole when their own probe starts at or before
// it, so every key stays reachable from its home without tombstones.
func (s *keySet) remove(k recentKey) {
	if k == (recentKey{}) {
		s.zero = false
		return
	}
	if s.n == 0 {
		return
	}
	hole, ok := s.find(k)
	if !ok {
		return
	}
	mask := len(s.slots) - 1
	for j := (hole + 1) & mask; s.slots[j] != (recentKey{}); j = (j + 1) & mask {
		// The key at j may fill the hole when its home is not in the
		// cyclic interval (hole, j]: its probe passes the hole.
		if h := s.home(s.slots[j]); (j-h)&mask >= (j-hole)&mask {
			s.slots[hole] = s.slots[j]
			hole = j
		}
	}
	s.slots[hole] = recentKey{}
	s.n--
}

// grow doubles the table (or makes the first one) and inserts the keys
// again.
func (s *keySet) grow() {
	old := s.slots
	if old == nil {
		s.mul = [2]uint64{rand.Uint64() | 1, rand.Uint64() | 1}
	}
	s.slots = make([]recentKey, max(minKeySlots, 2*len(old)))
	s.shift = uint(64 - bits.TrailingZeros(uint(len(s.slots))))
	for _, k := range old {
		if k != (recentKey{}) {
			i, _ := s.find(k)
			s.slots[i] = k
		}
	}
}
