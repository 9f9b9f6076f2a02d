package detect

// lru is a map whose entries are kept in order of last use, so that the
// least recently used goes first when the map is full. The attacker
// controls user names and addresses: every per-key structure is bounded by
// one. Not safe for concurrent use.
type lru[K comparable, V any] struct {
	max     int
	m       map[K]*lruNode[K, V]
	newest  *lruNode[K, V]
	oldest  *lruNode[K, V]
	evicted uint64
}

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
func (l *lru[K, V]) touch(k K) *V {
	if n, ok := l.m[k]; ok {
		l.unlink(n)
		l.pushNewest(n)
		return &n.val
	}
	if l.max > 0 && len(l.m) >= l.max {
		l.remove(l.oldest.key)
		l.evicted++
	}
	n := &lruNode[K, V]{key: k}
	l.m[k] = n
	l.pushNewest(n)
	return &n.val
}

// remove deletes k.
func (l *lru[K, V]) remove(k K) {
	if n, ok := l.m[k]; ok {
		l.unlink(n)
		delete(l.m, k)
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

// fifo is an lru for keys that are seldom used again once set, such as a
// request's CorrelationID: the same operations in the same order of last
// use, kept in a slice instead of linked nodes, so that a new key costs no
// allocation of its own. Taking a key out (remove, or touch of a key
// already held) leaves a dead item in its place; dead items are dropped
// when they reach the front, and all of them at once when they outnumber
// the live ones, so the slice stays within about twice the keys held.
// Not safe for concurrent use.
type fifo[K comparable, V any] struct {
	max     int
	m       map[K]int // key → position of its item: q[pos-off]
	q       []fifoItem[K, V]
	off     int // position of q[0]
	dead    int // dead items in q
	evicted uint64
}

type fifoItem[K comparable, V any] struct {
	key  K
	val  V
	live bool
}

func newFIFO[K comparable, V any](max int) *fifo[K, V] {
	return &fifo[K, V]{max: max, m: make(map[K]int)}
}

// get returns k's value without changing the order.
func (f *fifo[K, V]) get(k K) (*V, bool) {
	p, ok := f.m[k]
	if !ok {
		return nil, false
	}
	return &f.q[p-f.off].val, true
}

// touch returns k's value, creating a zero one, and makes k the most
// recently used; a value already held is kept. When a new key finds the
// map full, the least recently used key is evicted (and counted) first.
func (f *fifo[K, V]) touch(k K) *V {
	var val V
	if p, ok := f.m[k]; ok {
		val = f.q[p-f.off].val
		f.kill(p - f.off)
	} else if f.max > 0 && len(f.m) >= f.max {
		k, _, _ := f.front()
		f.remove(k)
		f.evicted++
	}
	f.m[k] = f.off + len(f.q)
	f.q = append(f.q, fifoItem[K, V]{key: k, val: val, live: true})
	f.compact()
	return &f.q[len(f.q)-1].val
}

// remove deletes k.
func (f *fifo[K, V]) remove(k K) {
	if p, ok := f.m[k]; ok {
		delete(f.m, k)
		f.kill(p - f.off)
		f.trim()
	}
}

// kill marks q[i] dead and drops what it holds.
func (f *fifo[K, V]) kill(i int) {
	f.q[i] = fifoItem[K, V]{}
	f.dead++
}

// trim drops the dead items at the front.
func (f *fifo[K, V]) trim() {
	n := 0
	for n < len(f.q) && !f.q[n].live {
		n++
	}
	if n > 0 {
		clear(f.q[:n])
		f.q = f.q[n:]
		f.off += n
		f.dead -= n
	}
	if len(f.q) == 0 {
		f.q = f.q[:0:0] // let the array go
	}
}

// compact drops every dead item when they outnumber the live ones.
func (f *fifo[K, V]) compact() {
	if f.dead < 64 || f.dead <= len(f.m) {
		return
	}
	live := f.q[:0]
	for i := range f.q {
		if f.q[i].live {
			live = append(live, f.q[i])
		}
	}
	clear(f.q[len(live):])
	f.q, f.dead = live, 0
	for i := range f.q {
		f.m[f.q[i].key] = f.off + i
	}
}

func (f *fifo[K, V]) len() int { return len(f.m) }

// front returns the least recently used entry.
func (f *fifo[K, V]) front() (K, *V, bool) {
	f.trim()
	if len(f.q) == 0 {
		var k K
		return k, nil, false
	}
	return f.q[0].key, &f.q[0].val, true
}

// each calls fn for every entry, least recently used first, until fn
// returns false. fn may remove the entry it is given, and no other.
func (f *fifo[K, V]) each(fn func(k K, v *V) bool) {
	for i := 0; i < len(f.q); i++ {
		if !f.q[i].live {
			continue
		}
		off := f.off
		if !fn(f.q[i].key, &f.q[i].val) {
			return
		}
		// fn's remove may have trimmed the front, past item i too.
		i = max(i-(f.off-off), -1)
	}
}
