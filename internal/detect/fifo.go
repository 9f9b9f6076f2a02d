package detect

// fifo is an lru for keys that are seldom used again once set, such as a
// request's CorrelationID: the same operations in the same order of last
// use, kept in a ring of items instead of linked nodes, so that a new key
// costs no allocation of its own. Taking a key out (remove, or touch of a
// key already held) leaves a dead item in its place; dead items are
// dropped when they reach the front, and all of them at once when they
// outnumber the live ones, so the ring holds at most about twice the keys
// held. A value pointer (get, touch, front) is valid until the next touch.
// Not safe for concurrent use.
type fifo[K comparable, V any] struct {
	max     int
	m       map[K]int        // key → position of its item (see item)
	q       []fifoItem[K, V] // the ring; its length is 0 or a power of two
	off     int              // position of the oldest item
	end     int              // position after the newest item
	dead    int              // dead items in [off, end)
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

// item returns the item at position p, which must be in [off, end).
func (f *fifo[K, V]) item(p int) *fifoItem[K, V] { return &f.q[p&(len(f.q)-1)] }

// get returns k's value without changing the order.
func (f *fifo[K, V]) get(k K) (*V, bool) {
	p, ok := f.m[k]
	if !ok {
		return nil, false
	}
	return &f.item(p).val, true
}

// touch returns k's value, creating a zero one, and makes k the most
// recently used; a value already held is kept. When a new key finds the
// map full, the least recently used key is evicted (and counted) first.
func (f *fifo[K, V]) touch(k K) *V {
	var val V
	if p, ok := f.m[k]; ok {
		val = f.item(p).val
		f.kill(p)
	} else if f.max > 0 && len(f.m) >= f.max {
		oldest, _, _ := f.front()
		f.remove(oldest)
		f.evicted++
	}
	f.compact()
	if f.end-f.off == len(f.q) {
		f.resize(max(16, 2*len(f.q)))
	}
	f.m[k] = f.end
	it := f.item(f.end)
	*it = fifoItem[K, V]{key: k, val: val, live: true}
	f.end++
	return &it.val
}

// remove deletes k.
func (f *fifo[K, V]) remove(k K) {
	if p, ok := f.m[k]; ok {
		delete(f.m, k)
		f.kill(p)
		f.trim()
	}
}

// kill marks the item at p dead and drops what it holds.
func (f *fifo[K, V]) kill(p int) {
	*f.item(p) = fifoItem[K, V]{}
	f.dead++
}

// trim drops the dead items at the front, and halves the ring when it is
// mostly empty.
func (f *fifo[K, V]) trim() {
	for f.off < f.end && !f.item(f.off).live {
		f.off++
		f.dead--
	}
	if len(f.q) > 1024 && f.end-f.off < len(f.q)/4 {
		f.resize(len(f.q) / 2)
	}
}

// resize moves the items into a ring of n items (a power of two, at
// least end-off).
func (f *fifo[K, V]) resize(n int) {
	q := make([]fifoItem[K, V], n)
	for p := f.off; p < f.end; p++ {
		q[p&(n-1)] = *f.item(p)
	}
	f.q = q
}

// compact drops every dead item when they outnumber the live ones,
// moving the live ones forward in order.
func (f *fifo[K, V]) compact() {
	if f.dead < 64 || f.dead <= len(f.m) {
		return
	}
	w := f.off
	for p := f.off; p < f.end; p++ {
		if it := f.item(p); it.live {
			if w != p {
				*f.item(w) = *it
				*it = fifoItem[K, V]{}
				f.m[f.item(w).key] = w
			}
			w++
		}
	}
	f.end, f.dead = w, 0
}

func (f *fifo[K, V]) len() int { return len(f.m) }

// front returns the least recently used entry.
func (f *fifo[K, V]) front() (K, *V, bool) {
	f.trim()
	if f.off == f.end {
		var k K
		return k, nil, false
	}
	it := f.item(f.off)
	return it.key, &it.val, true
}

// popFront removes the least recently used entry (the one front returns),
// if any, with one map operation where remove takes two.
func (f *fifo[K, V]) popFront() {
	f.trim()
	if f.off == f.end {
		return
	}
	delete(f.m, f.item(f.off).key)
	f.kill(f.off)
	f.trim()
}

// each calls fn for every entry, least recently used first, until fn
// returns false. fn may remove the entry it is given, and no other.
func (f *fifo[K, V]) each(fn func(k K, v *V) bool) {
	for p := f.off; p < f.end; p = max(p+1, f.off) {
		if it := f.item(p); it.live && !fn(it.key, &it.val) {
			return
		}
	}
}
