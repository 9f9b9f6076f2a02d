package detect

import (
	"cmp"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"slices"
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
// entry costs about 62 bytes of heap (BenchmarkMemoryPerKey): 32 to 64 of
// table (keySet) and 24 to 48 of queue.
//
// Each entry has a time: the event time it was added at, raised to the
// watermark of the last expire when older (an id first seen late is
// remembered for the retention period from then on, not dropped at once).
// Expiry and the count cap go by that time alone, never by the order of
// arrival, so which ids a set holds, and a snapshot of it, depend only on
// the ids, their times and the watermark. Entries are kept in a queue in
// time order while they arrive in it (the common case: the time is at
// least the queue's newest, an append) and in a min-heap otherwise.
type recent struct {
	retain int64 // Unix ns
	max    int
	at     keySet       // the entries' keys (their times are in queue and late)
	queue  []recentItem // entries in time order; head is the oldest
	head   int
	late   []recentItem // a min-heap by time of the entries older than the queue's newest
	wm     int64        // watermark of the last expire (Unix ns); math.MinInt64 before
	// forgot is the newest time (Unix ns) of an entry the set dropped (by
	// expire or at max), or that a snapshot loaded says its set had;
	// math.MinInt64 before any (see forgetsBefore).
	forgot int64
}

// recentItem is one entry: its key and time (Unix ns).
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
	return &recent{retain: int64(retain), max: max, wm: math.MinInt64, forgot: math.MinInt64}
}

// forgetsBefore returns the time (Unix ns) up to which the set may have
// forgotten what it held: the newest time of an entry it dropped, by
// expiry or at max (or, for a snapshot that did not say, watermark −
// retain). A string of a time at or before it that is not in the set may
// have been seen: it cannot be told from a first sighting.
// math.MinInt64 when nothing was dropped.
func (r *recent) forgetsBefore() int64 { return r.forgot }

// drop removes the oldest entry, of time t, and remembers that entries
// of time t may be forgotten.
func (r *recent) drop(t int64) {
	r.forgot = max(r.forgot, t)
	r.popOldest()
}

// seen reports whether s is in the set, adding it (at t) when it is not.
// When the set is full the oldest entry is dropped.
func (r *recent) seen(s string, t time.Time) bool {
	return r.seenKey(keyOf(s), t.UnixNano())
}

// seenKey is seen for a key and a time in Unix ns. It probes for k once:
// the insert tells whether k was there.
func (r *recent) seenKey(k recentKey, t int64) bool {
	if !r.at.insert(k) {
		return true
	}
	r.queueAdd(k, max(t, r.wm))
	return false
}

// has reports whether k is in the set, without adding it.
func (r *recent) has(k recentKey) bool {
	return r.at.has(k)
}

// add inserts k (absent) at time t and drops the oldest entries while the
// set is over its cap.
func (r *recent) add(k recentKey, t int64) {
	r.at.insert(k)
	r.queueAdd(k, t)
}

// queueAdd is add for a k already put in r.at.
func (r *recent) queueAdd(k recentKey, t int64) {
	if n := len(r.queue); n == r.head || r.queue[n-1].T <= t {
		r.queue = append(r.queue, recentItem{K: k, T: t})
	} else {
		r.pushLate(recentItem{K: k, T: t})
	}
	for r.at.len() > r.max {
		t, _ := r.oldest()
		r.drop(t)
	}
}

// oldest returns the time of the oldest entry; ok is false when the set
// is empty.
func (r *recent) oldest() (t int64, ok bool) {
	switch q := r.head < len(r.queue); {
	case q && len(r.late) > 0:
		return min(r.queue[r.head].T, r.late[0].T), true
	case q:
		return r.queue[r.head].T, true
	case len(r.late) > 0:
		return r.late[0].T, true
	}
	return 0, false
}

// popOldest removes the oldest entry (the queue's on a tie).
func (r *recent) popOldest() {
	if r.head < len(r.queue) && (len(r.late) == 0 || r.queue[r.head].T <= r.late[0].T) {
		r.at.remove(r.queue[r.head].K)
		r.queue[r.head] = recentItem{}
		r.head++
		if r.head == len(r.queue) {
			r.queue, r.head = r.queue[:0], 0
		} else if r.head > 1024 && r.head*2 > len(r.queue) {
			r.queue = append(r.queue[:0], r.queue[r.head:]...)
			r.head = 0
		}
		return
	}
	if len(r.late) > 0 {
		r.at.remove(r.late[0].K)
		r.popLate()
	}
}

// expire drops the entries whose time is before watermark − retain, and
// makes watermark the least time of the entries added from now on.
func (r *recent) expire(watermark time.Time) {
	wm := watermark.UnixNano()
	if wm <= r.wm {
		return
	}
	r.wm = wm
	cut := wm - r.retain
	for {
		t, ok := r.oldest()
		if !ok || t >= cut {
			return
		}
		r.drop(t)
	}
}

func (r *recent) len() int { return r.at.len() }

// items returns the entries, oldest first (entries of equal time in the
// order they were added), for a snapshot. The result may share the set's
// memory: use it before the set changes.
func (r *recent) items() []recentItem {
	q := r.queue[r.head:]
	if len(r.late) == 0 {
		return q
	}
	late := slices.Clone(r.late)
	slices.SortStableFunc(late, func(a, b recentItem) int { return cmp.Compare(a.T, b.T) })
	out := make([]recentItem, 0, len(q)+len(late))
	for len(q) > 0 && len(late) > 0 {
		if late[0].T < q[0].T {
			out, late = append(out, late[0]), late[1:]
		} else {
			out, q = append(out, q[0]), q[1:]
		}
	}
	return append(append(out, q...), late...)
}

// load adds the items of a snapshot saved at watermark wm, which becomes
// the set's: items whose time is before wm − retain had expired and are
// left out, the others keep their time. A zero wm cuts nothing. forgot
// is what the saved set's forgetsBefore was; nil (a snapshot of a
// version that did not save it) takes what it may have been: wm −
// retain, or the oldest item's time when the set was full.
func (r *recent) load(items []recentItem, wm time.Time, forgot *int64) {
	cut := int64(math.MinInt64)
	if !wm.IsZero() {
		r.wm = max(r.wm, wm.UnixNano())
		cut = r.wm - r.retain
	}
	switch {
	case forgot != nil:
		r.forgot = max(r.forgot, *forgot)
	case len(items) >= r.max && len(items) > 0:
		r.forgot = max(r.forgot, cut, items[0].T)
	default:
		r.forgot = max(r.forgot, cut)
	}
	for _, it := range items {
		switch {
		case r.at.has(it.K):
		case it.T >= cut:
			r.add(it.K, it.T)
		default:
			r.forgot = max(r.forgot, it.T)
		}
	}
}

// lateBefore orders the late entries, the oldest first.
func lateBefore(a, b *recentItem) bool { return a.T < b.T }

// pushLate adds it to the heap of late entries.
func (r *recent) pushLate(it recentItem) { r.late = heapPush(r.late, it, lateBefore) }

// popLate removes the heap's oldest entry.
func (r *recent) popLate() { _, r.late = heapPop(r.late, lateBefore) }
