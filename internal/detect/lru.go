package detect

import "unsafe"

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
	m       map[K]*lruNode[K, V]
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

// get returns k's value without changing the order.
func (l *lru[K, V]) get(k K) (*V, bool) {
	n, ok := l.m[k]
	if !ok {
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
	if n, ok := l.m[k]; ok {
		l.unlink(n)
		l.pushNewest(n)
		return &n.val
	}
	if l.max > 0 && len(l.m) >= l.max {
		l.remove(l.oldest.key)
		l.evicted++
	}
	if own != nil {
		k = own(k)
	}
	n := l.node()
	n.key = k
	l.m[k] = n
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
		c := max(min(len(l.m)/4, maxLRUChunkBytes/per), minLRUChunk)
		if b := c * per; b > 32<<10 { // a large object: whole 8 KiB pages
			c = (b + 8<<10 - 1) &^ (8<<10 - 1) / per
		}
		if l.max > 0 {
			c = max(min(c, l.max-len(l.m)), 1)
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
	if n, ok := l.m[k]; ok {
		l.unlink(n)
		delete(l.m, k)
		*n = lruNode[K, V]{newer: l.free}
		l.free = n
	}
}

func (l *lru[K, V]) len() int { return len(l.m) }

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
