package detect

import (
	"hash/maphash"
	"unsafe"
)

// lru is a map whose entries are kept in order of last use, so that the
// least recently used goes first when the map is full. The attacker
// controls user names and addresses: every per-key structure is bounded by
// one. Not safe for concurrent use.
//
// Nodes are carved out of chunks (slab) and a removed node is zeroed and
// reused (free), so that a new key does not allocate its node: the nodes
// held are at most the peak number of keys (never above max) plus one
// chunk's unused rest. A pointer returned by get or touch stays valid
// until its key is removed or evicted; after that it points at a zeroed
// node that a later key may take.
type lru[K comparable, V any] struct {
	max     int
	m       map[K]*lruNode[K, V] // nil when hashed
	hashed  *lruHashed[K, V]
	newest  *lruNode[K, V]
	oldest  *lruNode[K, V]
	evicted uint64
	slab    []lruNode[K, V] // the unused rest of the last chunk
	free    *lruNode[K, V]  // removed nodes, linked by newer
}

// Chunk sizes of lru's node slab: a quarter of the keys held, at least
// minLRUChunk nodes and at most maxLRUChunkBytes (a multiple of the
// runtime's page, so that a large chunk wastes less than a node), and
// never more nodes than max allows.
const (
	minLRUChunk      = 4
	maxLRUChunkBytes = 64 << 10
)

type lruNode[K comparable, V any] struct {
	key        K
	val        V
	newer, old *lruNode[K, V]
}

func newLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, m: make(map[K]*lruNode[K, V])}
}

// newHashedLRU is newLRU for a key that is costly to hash (several
// strings): its map is keyed by the key's hash (maphash.Comparable),
// computed once per call, so that a new key costs one hash of its strings
// instead of two (the lookup's and the insert's) and the map hashes and
// compares a uint64. Keys whose hash another key's already holds go to a
// map by key (spill). K must hold no pointer but strings (maphash.
// Comparable would move it to the heap).
func newHashedLRU[K comparable, V any](max int) *lru[K, V] {
	return &lru[K, V]{max: max, hashed: &lruHashed[K, V]{
		seed: maphash.MakeSeed(), mask: ^uint64(0), byHash: make(map[uint64]*lruNode[K, V])}}
}

// lruHashed is the index of a hashed lru (see newHashedLRU): a key is in
// byHash under its hash, or in spill when another key held that hash when
// it came.
type lruHashed[K comparable, V any] struct {
	seed   maphash.Seed
	mask   uint64 // of the hashes byHash is keyed by: all ones but in tests of collisions
	byHash map[uint64]*lruNode[K, V]
	spill  map[K]*lruNode[K, V]
}

// find returns k's node (nil when absent), k's hash and whether byHash
// holds another key under it, for insert (hash and taken are for a hashed
// lru only).
func (l *lru[K, V]) find(k K) (n *lruNode[K, V], hash uint64, taken bool) {
	x := l.hashed
	if x == nil {
		return l.m[k], 0, false
	}
	hash = maphash.Comparable(x.seed, k) & x.mask
	if n = x.byHash[hash]; n != nil {
		if n.key == k {
			return n, hash, true
		}
		taken = true
	}
	if len(x.spill) > 0 {
		return x.spill[k], hash, taken
	}
	return nil, hash, taken
}

// insert adds n, of the absent key n.key, whose hash and taken find
// returned.
func (l *lru[K, V]) insert(n *lruNode[K, V], hash uint64, taken bool) {
	x := l.hashed
	switch {
	case x == nil:
		l.m[n.key] = n
	case !taken:
		x.byHash[hash] = n
	default:
		if x.spill == nil {
			x.spill = make(map[K]*lruNode[K, V])
		}
		x.spill[n.key] = n
	}
}

// delete removes k, whose node is n and hash hash (see find), from the
// index.
func (l *lru[K, V]) delete(k K, n *lruNode[K, V], hash uint64) {
	x := l.hashed
	if x == nil {
		delete(l.m, k)
		return
	}
	if x.byHash[hash] == n {
		delete(x.byHash, hash)
	} else {
		delete(x.spill, k)
	}
}

// get returns k's value without changing the order.
func (l *lru[K, V]) get(k K) (*V, bool) {
	n, _, _ := l.find(k)
	if n == nil {
		return nil, false
	}
	return &n.val, true
}

// touch returns k's value, creating a zero one, and makes k the most
// recently used. When a new key finds the map full, the least recently
// used key is evicted (and counted) first.
func (l *lru[K, V]) touch(k K) *V { return l.touchOwn(k, nil) }

// touchOwn is touch storing a new key as own(k) (own nil: k), in one map
// lookup: own makes a copy that does not share an event's line, for a key
// kept past Observe.
func (l *lru[K, V]) touchOwn(k K, own func(K) K) *V {
	n, hash, taken := l.find(k)
	if n != nil {
		l.unlink(n)
		l.pushNewest(n)
		return &n.val
	}
	if l.max > 0 && l.len() >= l.max {
		l.remove(l.oldest.key)
		l.evicted++
	}
	if own != nil {
		k = own(k)
	}
	n = l.node()
	n.key = k
	l.insert(n, hash, taken)
	l.pushNewest(n)
	return &n.val
}

// node returns an unused, zero node: a removed one, or one of the slab.
func (l *lru[K, V]) node() *lruNode[K, V] {
	if n := l.free; n != nil {
		l.free, n.newer = n.newer, nil
		return n
	}
	if len(l.slab) == 0 {
		per := max(int(unsafe.Sizeof(lruNode[K, V]{})), 1)
		c := max(min(l.len()/4, maxLRUChunkBytes/per), minLRUChunk)
		if b := c * per; b > 32<<10 { // a large object: whole 8 KiB pages
			c = (b + 8<<10 - 1) &^ (8<<10 - 1) / per
		}
		if l.max > 0 {
			c = max(min(c, l.max-l.len()), 1)
		}
		l.slab = make([]lruNode[K, V], c)
	}
	n := &l.slab[0]
	l.slab = l.slab[1:]
	return n
}

// remove deletes k. Its node is zeroed (nothing it held stays reachable)
// and kept for a later key.
func (l *lru[K, V]) remove(k K) {
	if n, hash, _ := l.find(k); n != nil {
		l.unlink(n)
		l.delete(k, n, hash)
		*n = lruNode[K, V]{newer: l.free}
		l.free = n
	}
}

func (l *lru[K, V]) len() int {
	if x := l.hashed; x != nil {
		return len(x.byHash) + len(x.spill)
	}
	return len(l.m)
}

// front returns the least recently used entry.
func (l *lru[K, V]) front() (K, *V, bool) {
	if l.oldest == nil {
		var k K
		return k, nil, false
	}
	return l.oldest.key, &l.oldest.val, true
}

// each calls fn for every entry, least recently used first, until fn
// returns false. fn may remove the entry it is given.
func (l *lru[K, V]) each(fn func(k K, v *V) bool) {
	for n := l.oldest; n != nil; {
		next := n.newer
		if !fn(n.key, &n.val) {
			return
		}
		n = next
	}
}

func (l *lru[K, V]) pushNewest(n *lruNode[K, V]) {
	n.old = l.newest
	n.newer = nil
	if l.newest != nil {
		l.newest.newer = n
	}
	l.newest = n
	if l.oldest == nil {
		l.oldest = n
	}
}

func (l *lru[K, V]) unlink(n *lruNode[K, V]) {
	if n.old != nil {
		n.old.newer = n.newer
	} else {
		l.oldest = n.newer
	}
	if n.newer != nil {
		n.newer.old = n.old
	} else {
		l.newest = n.old
	}
	n.old, n.newer = nil, nil
}
