package detect

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/bits"
	"time"
)

// recentKey is the 128-bit FNV-1a hash of a remembered string: 16 bytes
// however long the id, and the same in every process, so it can be saved.
type recentKey [16]byte

func keyOf[S ~string | ~[]byte](s S) recentKey {
	// FNV-1a, 128 bits, as hash/fnv's New128a computes it (the prime is
	// 2^88 + 0x13b), without its allocations.
	const (
		offsetHi, offsetLo  = 0x6c62272e07bb0142, 0x62b821756295c58d
		primeLo, primeShift = 0x13b, 24
	)
	hi, lo := uint64(offsetHi), uint64(offsetLo)
	for i := 0; i < len(s); i++ {
		lo ^= uint64(s[i])
		h, l := bits.Mul64(primeLo, lo)
		hi = h + lo<<primeShift + primeLo*hi
		lo = l
	}
	var k recentKey
	binary.BigEndian.PutUint64(k[:8], hi)
	binary.BigEndian.PutUint64(k[8:], lo)
	return k
}

// recent is a set of strings (kept as their hashes) remembered for a
// retention period of event time and up to a maximum count, oldest dropped
// first. It backs event dedupe and the ids of alerts already sent. An
// entry costs about 60 bytes.
type recent struct {
	retain time.Duration
	max    int
	at     map[recentKey]int64 // event time, Unix ns
	queue  []recentItem        // insertion order; head is the oldest
	head   int
}

type recentItem struct {
	K recentKey
	T int64 // Unix ns
}

// MarshalJSON writes {"k":"<32 hex digits>","t":<Unix ns>}.
func (it recentItem) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(`{"k":"%x","t":%d}`, it.K[:], it.T)), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (it *recentItem) UnmarshalJSON(b []byte) error {
	var v struct {
		K string `json:"k"`
		T int64  `json:"t"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	k, err := hex.DecodeString(v.K)
	if err != nil || len(k) != len(it.K) {
		return fmt.Errorf("recent id %q: want 32 hex digits", v.K)
	}
	copy(it.K[:], k)
	it.T = v.T
	return nil
}

func newRecent(retain time.Duration, max int) *recent {
	return &recent{retain: retain, max: max, at: make(map[recentKey]int64)}
}

// seen reports whether s is in the set, adding it (at t) when it is not.
// When the set is full the oldest entry is dropped.
func (r *recent) seen(s string, t time.Time) bool {
	return r.seenKey(keyOf(s), t.UnixNano())
}

func (r *recent) seenKey(k recentKey, t int64) bool {
	if _, ok := r.at[k]; ok {
		return true
	}
	r.at[k] = t
	r.queue = append(r.queue, recentItem{K: k, T: t})
	for len(r.at) > r.max {
		r.drop()
	}
	return false
}

// drop removes the oldest live entry.
func (r *recent) drop() {
	for r.head < len(r.queue) && !r.popHead() {
	}
}

// popHead removes the oldest queued item, and its map entry when the item
// is the entry's latest; it reports whether a live entry went.
func (r *recent) popHead() bool {
	it := r.queue[r.head]
	r.queue[r.head] = recentItem{}
	r.head++
	live := false
	if t, ok := r.at[it.K]; ok && t == it.T {
		delete(r.at, it.K)
		live = true
	}
	if r.head > 1024 && r.head*2 > len(r.queue) {
		r.queue = append(r.queue[:0], r.queue[r.head:]...)
		r.head = 0
	}
	return live
}

// expire drops the entries added at event times before watermark − retain.
// Entries arrive roughly in time order, so it stops at the first younger
// one.
func (r *recent) expire(watermark time.Time) {
	cut := watermark.Add(-r.retain).UnixNano()
	for r.head < len(r.queue) && r.queue[r.head].T < cut {
		r.popHead()
	}
}

func (r *recent) len() int { return len(r.at) }

// items returns the live entries, oldest first, for a snapshot. The
// result may share the set's memory: use it before the set changes.
func (r *recent) items() []recentItem {
	if live := r.queue[r.head:]; len(live) == len(r.at) {
		// Every queued item is live (an id is queued only while absent
		// and leaves only from the head): the queue itself, no lookups.
		return live
	}
	out := make([]recentItem, 0, len(r.at))
	for _, it := range r.queue[r.head:] {
		if t, ok := r.at[it.K]; ok && t == it.T {
			out = append(out, it)
		}
	}
	return out
}

// load adds items from a snapshot.
func (r *recent) load(items []recentItem) {
	for _, it := range items {
		r.seenKey(it.K, it.T)
	}
}
