package detect

import (
	"math"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// impWatch is the set of impersonated users whose audit lines
// sentinel.impersonation wants although they carry no sign of
// impersonation (no ImpersonatedBy, e.g. legacy lines): the users of the
// sessions the rule holds, and of the starts Want let through that the
// rule has not folded yet. Want reads it without a lock (copy on write);
// writes are rare (a start, a sweep) and take mu.
type impWatch struct {
	mu    sync.Mutex
	keys  atomic.Pointer[watchSet]
	epoch atomic.Uint64 // users added
	// added holds the last len(added) users added, at the index of the
	// epoch their addition made, modulo len(added) (see wantHints).
	added [256]struct {
		epoch uint64
		v     string
	}
}

// watchSet is one immutable version of the watched users: until maps
// each to the end of its watch (Unix ns, event time; MaxInt64 until the
// rule folds the start), n is its length, and few lists them when there
// are at most maxFewWatched. sigs has the bit keySig of every key (a
// Bloom filter of one hash): has reads it first, and most keys not
// watched miss it, whatever the number watched; a key that hits it is
// looked for in few with a few string comparisons (a watch usually holds
// one or two users), else in until. n and sigs come first: most lines
// read only the cache line of n.
type watchSet struct {
	n     int // len(until)
	sigs  [16]uint64
	until map[sessKey]int64
	few   []sessKey
}

// keySig is the word and bit of sigs of a key: a hash of its length and
// of its first and last eight bytes (four, or each byte, when shorter),
// read a word at a time. Keys that differ only in the middle share a
// bit: has then compares them.
func keySig(k sessKey) (int, uint64) {
	s := k.V
	n := len(s)
	h := uint64(n) * 0x9E3779B97F4A7C15
	if k.ByName {
		h ^= 0x5bd1e995
	}
	switch {
	case n >= 8:
		h = (h ^ load64(s)) * 0xBF58476D1CE4E5B9
		h ^= load64(s[n-8:])
	case n >= 4:
		h ^= uint64(load32(s))<<32 | uint64(load32(s[n-4:]))
	default:
		for i := range n {
			h ^= uint64(s[i]) << (8 * i)
		}
	}
	h = (h ^ h>>31) * 0x94D049BB133111EB
	h ^= h >> 29
	return int(h>>6) & 15, 1 << (h & 63)
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

// maxFewWatched bounds watchSet.few.
const maxFewWatched = 8

// newWatchSet returns the set of until's keys.
func newWatchSet(until map[sessKey]int64) *watchSet {
	ws := &watchSet{n: len(until), until: until}
	for k := range until {
		w, b := keySig(k)
		ws.sigs[w] |= b
	}
	if len(until) <= maxFewWatched {
		ws.few = make([]sessKey, 0, len(until))
		for k := range until {
			ws.few = append(ws.few, k)
		}
	}
	return ws
}

// WantEpoch implements WantFilter: it counts the users added to the watch.
func (r *impersonation) WantEpoch() uint64 { return r.watch.epoch.Load() }

// has reports whether k is watched.
func (w *impWatch) has(k sessKey) bool { return w.keys.Load().has(k) }

// has reports whether k is in ws (nil: empty).
func (ws *watchSet) has(k sessKey) bool {
	if ws == nil || ws.n == 0 {
		return false
	}
	if i, b := keySig(k); ws.sigs[i]&b == 0 {
		return false // most keys: sigs is in the cache line of n
	}
	if ws.n <= maxFewWatched {
		// A few comparisons of lengths cost less than hashing k.
		for _, x := range ws.few {
			if len(x.V) == len(k.V) && x.ByName == k.ByName && x.V == k.V {
				return true
			}
		}
		return false
	}
	_, ok := ws.until[k]
	return ok
}

// empty reports whether no user is watched.
func (w *impWatch) empty() bool {
	ws := w.keys.Load()
	return ws == nil || ws.n == 0
}

// set watches k until (Unix ns). An entry Want announced (MaxInt64) takes
// the rule's until; otherwise until only grows. k.V is copied.
func (w *impWatch) set(k sessKey, until int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var old map[sessKey]int64
	if ws := w.keys.Load(); ws != nil {
		old = ws.until
	}
	if cur, ok := old[k]; ok && (cur == until || (cur != math.MaxInt64 && cur > until)) {
		return
	}
	m := make(map[sessKey]int64, len(old)+1)
	for x, u := range old {
		m[x] = u
	}
	_, had := old[k]
	k.V = strings.Clone(k.V)
	m[k] = until
	w.keys.Store(newWatchSet(m))
	if !had {
		n := w.epoch.Add(1)
		w.added[n%uint64(len(w.added))] = struct {
			epoch uint64
			v     string
		}{n, k.V}
	}
}

// wantHints implements hinter: the users added after epoch since are the
// values of AuthorID or meta.user of the lines WantLine started wanting,
// which contain them as written when they are made of characters JSON
// never escapes. It reports false when a user added is not such a value,
// or is no longer in added.
func (r *impersonation) wantHints(since uint64, dst []string) ([]string, bool) {
	w := &r.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	cur := w.epoch.Load()
	if cur <= since {
		return dst, true
	}
	if cur-since > uint64(len(w.added)) {
		return dst, false
	}
	for e := since + 1; e <= cur; e++ {
		a := w.added[e%uint64(len(w.added))]
		if a.epoch != e || !plainValue(a.v) {
			return dst, false
		}
		dst = append(dst, a.v)
	}
	return dst, true
}

// impHintCols are the columns whose values the watch holds.
var impHintCols = [...]string{parser.ColAuthorID, "meta.user"}

// hintColumns implements hinter: an audit line WantLine started wanting
// has a user added as its AuthorID or its meta.user; WantLine wants the
// application lines it is asked about whatever the watch, and is asked
// about no other log.
func (r *impersonation) hintColumns(t parser.Type) []string {
	if t == parser.TypeAudit {
		return impHintCols[:]
	}
	return impHintCols[:0]
}

// plainValue reports whether v is non-empty and made only of letters,
// digits and . _ - @ +, which a JSON encoder writes as they are.
func plainValue(v string) bool {
	for i := range len(v) {
		switch c := v[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '.', c == '_', c == '-', c == '@', c == '+':
		default:
			return false
		}
	}
	return v != ""
}

// expire forgets the users watched until before now (Unix ns).
func (w *impWatch) expire(now int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ws := w.keys.Load()
	if ws == nil {
		return
	}
	n := 0
	for _, u := range ws.until {
		if u >= now {
			n++
		}
	}
	if n == len(ws.until) {
		return
	}
	m := make(map[sessKey]int64, n)
	for k, u := range ws.until {
		if u >= now {
			m[k] = u
		}
	}
	w.keys.Store(newWatchSet(m))
}

func (r *impersonation) reads() []string {
	return []string{parser.ColCustomMessage, parser.ColImpersonatedBy, parser.ColAuthorID, "meta.user"}
}

// WantLine implements WantFilter (wantRecord answers as it does on the
// indexed audit records of findLegacy). Of the lines its keys match, the rule
// wants the application log's (few: impersonation and action kinds), and
// of the audit log's: user_impersonation, the legacy start and stop, lines
// with ImpersonatedBy, and lines whose AuthorID or meta.user is a watched
// user. A start is watched from the moment Want lets it through, so the
// user's lines after it in any source's file order are wanted; a line of
// the user read before its start (another file, a late streamed delivery)
// is wanted only when it carries ImpersonatedBy.
func (r *impersonation) WantLine(t parser.Type, c Columns) bool {
	if t == parser.TypeApplication {
		if c.Get(parser.ColEventKind) == parser.KindImpersonationStarted {
			k, _ := sessionKey(t, c)
			r.watch.set(k, math.MaxInt64)
		}
		return true
	}
	// The columns are read through getCol: on an audit line without
	// EventName, the values the absent table fetched (reads).
	name := getCol(c, parser.IDEventName, parser.ColEventName)
	msg := getCol(c, parser.IDCustomMessage, parser.ColCustomMessage)
	if msg == "Started Impersonation" || (name == "user_impersonation" && strings.Contains(msg, " started impersonation of ")) {
		k, _ := sessionKey(t, c)
		r.watch.set(k, math.MaxInt64)
		return true
	}
	if name == "user_impersonation" || msg == "Stopped Impersonation" ||
		getCol(c, parser.IDImpersonatedBy, parser.ColImpersonatedBy) != "" {
		return true
	}
	if r.watch.empty() {
		return false
	}
	if id := getCol(c, parser.IDAuthorID, parser.ColAuthorID); id != "" && r.watch.has(sessKey{V: id}) {
		return true
	}
	u := getCol(c, parser.IDMetaUser, "meta.user")
	return u != "" && r.watch.has(sessKey{ByName: true, V: u})
}

// wantRecord implements recordWanter: WantLine on an indexed audit
// record, reading its columns by ColID; false for an application line
// and for a start, which WantLine notes. It must answer as WantLine does
// (TestFindLegacyAgrees compares them).
func (r *impersonation) wantRecord(t parser.Type, rec *parser.Record, ids uint64) (want, ok bool) {
	if t != parser.TypeAudit {
		return false, false
	}
	name := recCol(rec, ids, parser.IDEventName)
	msg := recCol(rec, ids, parser.IDCustomMessage)
	if msg == "Started Impersonation" || (name == "user_impersonation" && strings.Contains(msg, " started impersonation of ")) {
		return false, false
	}
	if name == "user_impersonation" || msg == "Stopped Impersonation" ||
		recCol(rec, ids, parser.IDImpersonatedBy) != "" {
		return true, true
	}
	ws := r.watch.keys.Load()
	if ws == nil || ws.n == 0 {
		return false, true
	}
	if id := recCol(rec, ids, parser.IDAuthorID); id != "" && ws.has(sessKey{V: id}) {
		return true, true
	}
	u := recCol(rec, ids, parser.IDMetaUser)
	return u != "" && ws.has(sessKey{ByName: true, V: u}), true
}
