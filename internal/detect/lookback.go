package detect

import (
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Declined reports whether a rule's WantFilter dropped the line although
// the rule's keys match it: the rule does not want the line now, but may
// want it once it learns more (sentinel.impersonation, a session started
// in another file that is read behind this one). Give the line's event to
// Engine.Declined so that such a rule can keep it (a look-back).
func (s RuleSet) Declined() bool { return s.recheck != 0 }

// decliner is implemented by rules whose WantFilter may drop a line it
// would want had the rule seen a later-read line first (a look-back): the
// engine passes them the events of those lines (Engine.Declined).
type decliner interface {
	// declined is given an event that the rule's WantFilter dropped; it
	// runs under the engine's lock, in each source's file order, and may
	// emit. ev is valid only during the call (see Event).
	declined(ev *Event, emit Emit)
	// keepsDeclined reports whether the rule keeps a look-back at all
	// (its caps are not 0): when no rule does, Engine.KeepsDeclined is
	// false and the caller need not make events of declined lines.
	keepsDeclined() bool
}

// KeepsDeclined reports whether a rule of e keeps a look-back of the
// lines its WantFilter declines (sentinel.impersonation with max_lookback
// above 0; off by default): only then is giving those lines' events to
// Declined of use. It is safe for concurrent use.
func (e *Engine) KeepsDeclined() bool {
	for _, r := range e.rules {
		if d, ok := r.rule.(decliner); ok && d.keepsDeclined() {
			return true
		}
	}
	return false
}

// LookBackCounter is implemented by rules that keep a bounded look-back
// of lines their WantFilter dropped (sentinel.impersonation).
type LookBackCounter interface {
	// LookBackEvicted returns how many lines were dropped from the
	// look-back, oldest first, at its cap (count or bytes) before their
	// time was passed by the watermark: a line of a session whose start
	// is read later is then not attributed.
	LookBackEvicted() uint64
}

// Declined gives the rules that keep a look-back the events of lines a
// WantFilter dropped (RuleSet.Declined), in each source's file order,
// after Process was given the source's wanted events up to them (those
// other rules wanted included: a rule that got the event in Process after
// all, its filter asked again, ignores it here). Like Process, it skips
// the lines a restored snapshot covers, and the caller may reuse the
// events once it returns. Alerts go to Config.Emit, as from Process.
func (e *Engine) Declined(evs []*Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, r := range e.rules {
		d, ok := r.rule.(decliner)
		if !ok {
			continue
		}
		for _, ev := range evs {
			if ev.FileID != "" {
				if src := e.sources[ev.Source]; src != nil && ev.FileID == src.replay.FileID && ev.Offset <= src.replay.Offset {
					continue
				}
			}
			d.declined(ev, r.emit)
		}
	}
}

// Defaults of a look-back.
const (
	defaultMaxLookBack      = 0 // off: see README, "A look-back for legacy impersonation actions"
	defaultMaxLookBackBytes = 128 << 20
	// lookBackChunk is the size of the blocks the lines' copies are made
	// in: one allocation per block, not per line.
	lookBackChunk = 256 << 10
)

// lookBackLine is one line a look-back holds: its time, the hashes of the
// keys it may be looked up by, and a copy of the line with where it came
// from (re-parsed when looked up).
type lookBackLine struct {
	T      int64       `json:"t"`   // event time, Unix ns
	K      [2]uint64   `json:"k"`   // key hashes (keyHash); 0: none
	Raw    string      `json:"raw"` // the line, a part of a chunk
	Type   parser.Type `json:"type"`
	Source string      `json:"source"`
	Origin Origin      `json:"origin"`
	FileID string      `json:"file_id,omitempty"`
	Offset int64       `json:"offset"`
	Host   string      `json:"host,omitempty"`
	// prev are the sequence numbers of the previous lines with the same
	// K[i] (0: none): the chains lookups walk, newest first.
	prev [2]uint64
	gone bool // taken by a lookup
}

// lookBack holds the last lines a rule's WantFilter dropped, newest last,
// up to maxLines lines and maxBytes bytes of line copies, oldest evicted
// first; lines are looked up by a key hash through a chain per hash. It is
// used under the engine's lock.
type lookBack struct {
	maxLines, maxBytes int
	lines              []lookBackLine    // lines[i] has sequence number base+i
	base               uint64            // sequence number of lines[0]; starts at 1
	head               map[uint64]uint64 // key hash -> sequence number of its newest line
	bytes              int
	chunk              []byte // where the next copies go
	evicted            uint64
}

func newLookBack(maxLines, maxBytes int) *lookBack {
	return &lookBack{maxLines: maxLines, maxBytes: maxBytes, base: 1, head: map[uint64]uint64{}}
}

// keyHash is a hash of a session key (FNV-1a, 64 bits, never 0), the
// same in every process so that a saved look-back keeps its chains.
func keyHash(k sessKey) uint64 {
	h := uint64(14695981039346656037)
	if k.ByName {
		h = (h ^ 'n') * 1099511628211
	}
	for i := range len(k.V) {
		h = (h ^ uint64(k.V[i])) * 1099511628211
	}
	if h == 0 {
		h = 1
	}
	return h
}

// copyRaw returns a copy of s in the look-back's current chunk.
func (lb *lookBack) copyRaw(s string) string {
	if len(s) == 0 {
		return ""
	}
	if len(s) > cap(lb.chunk)-len(lb.chunk) {
		lb.chunk = make([]byte, 0, max(lookBackChunk, len(s)))
	}
	at := len(lb.chunk)
	lb.chunk = append(lb.chunk, s...)
	b := lb.chunk[at:len(lb.chunk):len(lb.chunk)]
	return unsafe.String(&b[0], len(b)) // the chunk's bytes are never written again
}

// add holds a copy of l (its Raw is copied; Source, FileID and Host are
// kept), evicting the oldest lines beyond the caps.
func (lb *lookBack) add(l lookBackLine) {
	l.Raw = lb.copyRaw(l.Raw)
	seq := lb.base + uint64(len(lb.lines))
	for i, k := range l.K {
		if k != 0 {
			l.prev[i] = lb.head[k]
			lb.head[k] = seq
		}
	}
	lb.lines = append(lb.lines, l)
	lb.bytes += len(l.Raw)
	for len(lb.lines) > 0 && (len(lb.lines) > lb.maxLines || lb.bytes > lb.maxBytes) {
		if !lb.lines[0].gone {
			lb.evicted++
		}
		lb.dropFirst()
	}
}

// dropFirst forgets the oldest line.
func (lb *lookBack) dropFirst() {
	l := &lb.lines[0]
	for _, k := range l.K {
		if k != 0 && lb.head[k] == lb.base {
			delete(lb.head, k)
		}
	}
	lb.bytes -= len(l.Raw)
	*l = lookBackLine{}
	lb.lines = lb.lines[1:]
	lb.base++
	if len(lb.lines) == 0 {
		lb.lines = lb.lines[:0:0] // let the emptied array go
	} else if cap(lb.lines) > 1024 && len(lb.lines) < cap(lb.lines)/4 {
		lb.lines = append([]lookBackLine(nil), lb.lines...)
	}
}

// expire forgets the oldest lines while they are before t (Unix ns).
// Lines are held in arrival order: one behind a newer line waits for it.
func (lb *lookBack) expire(t int64) {
	for len(lb.lines) > 0 && (lb.lines[0].gone || lb.lines[0].T < t) {
		lb.dropFirst()
	}
}

// take calls fn with the lines held under key hash k with from <= T < to,
// newest first, and forgets those for which fn returns true.
func (lb *lookBack) take(k uint64, from, to int64, fn func(l *lookBackLine) bool) {
	for seq := lb.head[k]; seq >= lb.base && seq != 0; {
		l := &lb.lines[seq-lb.base]
		i := 0
		if l.K[0] != k {
			i = 1
		}
		if !l.gone && l.T >= from && l.T < to && fn(l) {
			l.gone = true
			lb.bytes -= len(l.Raw)
			l.Raw = "" // the count of bytes held is of lines not taken
		}
		seq = l.prev[i]
	}
}

// len returns the number of lines held (taken ones included until they
// are dropped).
func (lb *lookBack) len() int { return len(lb.lines) }

// each calls fn with every line held and not taken, oldest first.
func (lb *lookBack) each(fn func(l *lookBackLine)) {
	for i := range lb.lines {
		if !lb.lines[i].gone {
			fn(&lb.lines[i])
		}
	}
}
