package detect

import (
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// impWatch is what sentinel.impersonation wants of the audit lines that
// carry no sign of impersonation (no ImpersonatedBy, e.g. legacy lines):
// per impersonated user, the lines whose event time lies in a session the
// rule holds ([start, stop), or [start, start + max_session) while open),
// and every line while a session of the user is open or a start of the
// user went through Want (announced) that the rule has not folded yet.
// Want reads it without a lock: the set of users is copied on write (a
// user added or forgotten), and each user's userWatch is swapped
// atomically in its cell. Writes take mu. Whenever a user's lines
// wanted grow (a user added, a start announced while the user was not
// watched for every line, an interval added) the epoch is bumped after
// the new state is stored, and the user noted in added (see wantHints);
// narrowing (a stop folded, a session swept) bumps nothing.
//
// Most lines are read after every session their user had: hot holds the
// users watched for every line (any), a few at a time, and spanEnd
// bounds the ends of the sessions of the others, so that wantRecord
// looks a line at or after spanEnd up in hot alone, whose filter most
// users fail, instead of in keys, which holds every user of the last
// max_session. A user leaves hot only after spanEnd covers its sessions,
// and enters it before the epoch is bumped: a Want that read the epoch
// after a change sees hot and spanEnd as they are after it.
//
// keys, hot, spanEnd and epoch, which every Want of an audit line reads,
// have a cache line of their own: Process writes mu and the rule's fields
// around the watch far more often than it publishes, and each such write
// would make the parse workers' next read of keys miss their caches.
type impWatch struct {
	_       cacheLinePad
	keys    atomic.Pointer[watchSet]
	hot     atomic.Pointer[watchSet] // the users of keys whose userWatch is any
	spanEnd atomic.Int64             // at or after the end of every span of a user not in hot (Unix ns); never lowered
	epoch   atomic.Uint64            // widenings
	_       cacheLinePad
	mu      sync.Mutex
	// added holds the users of the last len(added) widenings, at the
	// index of the epoch each made, modulo len(added) (see wantHints).
	added [256]struct {
		epoch uint64
		k     sessKey
	}
	// held is, under mu, what the rule's sessions make wanted per user
	// (any: a session is open); ann the event times (Unix ns) of the
	// starts announced per user (Want let them through, or Observe held
	// them) that the rule has not folded yet (annForever: time unknown).
	held map[sessKey]userWatch
	ann  map[sessKey][]int64
	// annFrom is, under mu, at or before the time of every start in ann
	// (0 until the first resync).
	annFrom int64
}

// cacheLinePad keeps the fields before it and after it off one cache
// line (64 bytes on the CPUs the agent runs on).
type cacheLinePad [64]byte

// annForever is the time of a start announced without a known time: it
// is never folded, and makes its user's lines wanted until the user is
// forgotten.
const annForever = math.MaxInt64

// WantEpoch implements WantFilter: it counts the widenings of the watch.
func (r *impersonation) WantEpoch() uint64 { return r.watch.epoch.Load() }

// has reports whether k is watched (whatever its lines wanted).
func (w *impWatch) has(k sessKey) bool { return w.keys.Load().cell(k) != nil }

// announce notes a start of k at t (Unix ns; annForever: unknown) that
// the rule has not folded yet: k's lines are all wanted until it folds
// it (update).
func (w *impWatch) announce(k sessKey, t int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ts := w.ann[k]
	if slices.Contains(ts, t) {
		return
	}
	if w.ann == nil {
		w.ann = map[sessKey][]int64{}
	}
	w.ann[ownKey(k)] = append(ts, t)
	w.annFrom = min(w.annFrom, t)
	w.publishLocked(k)
}

// annBefore reports whether a start announced may be before cut (Unix ns).
func (w *impWatch) annBefore(cut int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.annFrom < cut
}

// update sets what the rule's sessions make wanted of k's lines (u nil:
// k has no session), and, when folded, forgets the announced start of k
// at t, which the rule folded.
func (w *impWatch) update(k sessKey, u *userWatch, folded bool, t int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if folded {
		w.unannounceLocked(k, func(x int64) bool { return x == t })
	}
	w.holdLocked(k, u)
	w.publishLocked(k)
}

// holdLocked sets w.held[k] to a copy of u (nil: deletes it), reporting
// whether it changed.
func (w *impWatch) holdLocked(k sessKey, u *userWatch) bool {
	old, had := w.held[k]
	if u == nil {
		delete(w.held, k)
		return had
	}
	if had && old.equal(u) {
		return false
	}
	if w.held == nil {
		w.held = map[sessKey]userWatch{}
	}
	w.held[ownKey(k)] = userWatch{any: u.any, ivs: slices.Clone(u.ivs)}
	return true
}

// unannounceLocked forgets the announced starts of k for which drop is
// true.
func (w *impWatch) unannounceLocked(k sessKey, drop func(int64) bool) {
	ts, ok := w.ann[k]
	if !ok {
		return
	}
	n := len(ts)
	ts = slices.DeleteFunc(ts, drop)
	switch {
	case len(ts) == n:
	case len(ts) == 0:
		delete(w.ann, k)
	default:
		w.ann[ownKey(k)] = ts
	}
}

// ownKey returns k with a copy of k.V. Every key stored in a map of the
// watch goes through it: storing to a map replaces the key it holds, even
// an equal one, so a key aliasing a line would be left in the map and
// change with the line's buffer.
func ownKey(k sessKey) sessKey {
	k.V = strings.Clone(k.V)
	return k
}

// publishLocked makes Want see what held and ann say of k's lines: it
// swaps k's userWatch, adds k to the set or removes it (copying the set),
// and bumps the epoch when k's lines wanted grew.
func (w *impWatch) publishLocked(k sessKey) {
	var nw *userWatch
	h, held := w.held[k]
	if ts := w.ann[k]; held || len(ts) > 0 {
		nw = &userWatch{any: h.any || len(ts) > 0, ivs: h.ivs}
	}
	if nw != nil && !nw.any {
		w.coverSpans(nw.ivs) // before k may leave hot
	}
	ws := w.keys.Load()
	c := ws.cell(k)
	switch {
	case c == nil && nw == nil:
		return
	case c == nil:
		c = &watchCell{}
		c.w.Store(nw)
		if nw.any {
			w.hot.Store(w.hot.Load().with(ownKey(k), c))
		}
		w.keys.Store(ws.with(ownKey(k), c))
		w.widened(k)
	case nw == nil:
		w.keys.Store(ws.without(k))
		w.leaveHot(k)
	default:
		old := c.w.Load()
		if old.equal(nw) {
			return
		}
		if nw.any && !old.any {
			w.hot.Store(w.hot.Load().with(ownKey(k), c))
		}
		c.w.Store(nw)
		if !nw.any {
			w.leaveHot(k)
		}
		if !nw.within(old) {
			w.widened(k)
		}
	}
}

// coverSpans raises spanEnd to the end of each of ivs.
func (w *impWatch) coverSpans(ivs []span) {
	for _, s := range ivs {
		if s.to > w.spanEnd.Load() {
			w.spanEnd.Store(s.to) // writes hold mu
		}
	}
}

// leaveHot removes k from hot, if there.
func (w *impWatch) leaveHot(k sessKey) {
	if hot := w.hot.Load(); hot.cell(k) != nil {
		w.hot.Store(hot.without(k))
	}
}

// widened bumps the epoch for a widening of k's lines wanted, noting k
// in added. The new state must be stored before.
func (w *impWatch) widened(k sessKey) {
	k = ownKey(k) // added outlives the line
	n := w.epoch.Add(1)
	w.added[n%uint64(len(w.added))] = struct {
		epoch uint64
		k     sessKey
	}{n, k}
}

// wantHints implements hinter: the users widened after epoch since are the
// values of AuthorID or meta.user of the lines WantLine started wanting,
// which contain them as written when they are made of characters JSON
// never escapes. It reports false when a user widened is not such a value,
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
		if a.epoch != e || !plainValue(a.k.V) {
			return dst, false
		}
		dst = append(dst, a.k.V)
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

func (r *impersonation) reads() []string {
	return []string{parser.ColCustomMessage, parser.ColImpersonatedBy, parser.ColAuthorID, "meta.user"}
}

// WantLine implements WantFilter (wantRecord answers as it does on the
// indexed audit records of findLegacy). Of the lines its keys match, the rule
// wants the application log's (few: impersonation and action kinds), and
// of the audit log's: user_impersonation, the legacy start and stop, lines
// with ImpersonatedBy, and the lines of a watched user (AuthorID, or
// meta.user by name) that the watch wants: every line while a session of
// the user is open or a start of the user was announced and not folded
// yet, else those whose event time lies in a session the rule holds. A
// start is announced from the moment Want lets it through, so the user's
// lines after it in any source's file order are wanted; a line of the
// user read before its start (another file, a late streamed delivery) is
// wanted only when it carries ImpersonatedBy or lies in a session held.
// A line of a watched user whose time WantLine cannot read (c is not a
// record or an Event) is wanted.
func (r *impersonation) WantLine(t parser.Type, c Columns) bool {
	if t == parser.TypeApplication {
		if c.Get(parser.ColEventKind) == parser.KindImpersonationStarted {
			k, _ := sessionKey(t, c)
			r.announce(k, c)
		}
		return true
	}
	// The columns are read through getCol: on an audit line without
	// EventName, the values the absent table fetched (reads).
	name := getCol(c, parser.IDEventName, parser.ColEventName)
	msg := getCol(c, parser.IDCustomMessage, parser.ColCustomMessage)
	if msg == "Started Impersonation" || (name == "user_impersonation" && strings.Contains(msg, " started impersonation of ")) {
		k, _ := sessionKey(t, c)
		r.announce(k, c)
		return true
	}
	if name == "user_impersonation" || msg == "Stopped Impersonation" ||
		getCol(c, parser.IDImpersonatedBy, parser.ColImpersonatedBy) != "" {
		return true
	}
	ws := r.watch.keys.Load()
	if ws == nil || ws.n == 0 {
		return false
	}
	return ws.wantsUser(getCol(c, parser.IDAuthorID, parser.ColAuthorID), getCol(c, parser.IDMetaUser, "meta.user"), c)
}

// announce announces the start c of k to the watch, at its event time;
// a start without a time is not (the rule ignores it).
func (r *impersonation) announce(k sessKey, c Columns) {
	t, ok := lineTime(c)
	switch {
	case !ok:
		r.watch.announce(k, annForever)
	case !t.IsZero():
		r.watch.announce(k, t.UnixNano())
	}
}

// wantsUser reports whether ws wants the line c of user id (AuthorID) or
// name (meta.user): a line of a watched user whose time lies in what the
// watch wants of it.
func (ws *watchSet) wantsUser(id, name string, c Columns) bool {
	var a, b *userWatch
	if id != "" {
		a = ws.get(sessKey{V: id})
	}
	if name != "" {
		b = ws.get(sessKey{ByName: true, V: name})
	}
	if a == nil && b == nil {
		return false
	}
	if (a != nil && a.any) || (b != nil && b.any) {
		return true
	}
	t, ok := lineTime(c)
	if !ok {
		return true
	}
	return wantsAt(a, b, t)
}

// wantsAt reports whether a or b wants a line of time t; a line without
// time is never an action (Observe ignores it).
func wantsAt(a, b *userWatch, t time.Time) bool {
	if t.IsZero() {
		return false
	}
	ns := t.UnixNano()
	return a.wants(ns) || b.wants(ns)
}

// lineTime returns the event time of the line c (parser.Record.Time, or
// Event.Time), and false when c is neither a record nor an Event.
func lineTime(c Columns) (time.Time, bool) {
	switch v := c.(type) {
	case *lineView:
		if v.rec != nil {
			return v.rec.Time, true
		}
		if v.ev != nil {
			return v.ev.Time, true
		}
	case *recColumns:
		return v.Time, true
	case *Event:
		return v.Time, true
	}
	return time.Time{}, false
}

// wantRecord implements recordWanter: WantLine on an indexed audit
// record (with EventName or without), reading its columns by ColID;
// false for an application line and for a start, which WantLine notes.
// It must answer as WantLine does (TestFindLegacyAgrees compares them,
// on every line). Most lines have none of the
// columns that mark an impersonation (impMarkIDs) and are a question to
// the watch alone, which hashes AuthorID only when a user is watched by
// id and meta.user only when one is watched by name; with sums (not nil)
// it hashes both, and sets sums to the line's hint sums (impHintCols),
// which it computes from the same hashes. A marked line sets no sums: it
// is wanted, or WantLine is asked. epoch is WantEpoch, read first.
func (r *impersonation) wantRecord(t parser.Type, rec *parser.Record, ids uint64, sums *hintSums) (want, ok bool, epoch uint64) {
	epoch = r.watch.epoch.Load()
	if t != parser.TypeAudit {
		return false, false, epoch
	}
	if ids&impMarkIDs != 0 {
		if want, ok, done := markedRecord(rec, ids); done {
			return want, ok, epoch
		}
	}
	ws := r.watch.keys.Load()
	if ws != nil && ws.n > 0 {
		hot := r.watch.hot.Load() // before spanEnd (see impWatch)
		if t := nanos(rec.Time); t != noNanos && t >= r.watch.spanEnd.Load() {
			ws = hot // a user not in hot wants no line of time t
		}
	}
	var n, byName int32 // of ws; nil: no user watched
	if ws != nil {
		n, byName = ws.n, ws.byName
	}
	if sums == nil && n == 0 {
		return false, true, epoch
	}
	// ws.get, its filter inlined: most users are not watched.
	var a, b *userWatch
	var s uint64
	if id := recCol(rec, ids, parser.IDAuthorID); id != "" && (sums != nil || byName < n) {
		h := valueHash(id)
		s = uint64(hintSum(h))
		if byName < n && ws.mayHave(h) {
			a = ws.getHashed(sessKey{V: id}, h)
		}
	}
	if u := recCol(rec, ids, parser.IDMetaUser); u != "" && (sums != nil || byName > 0) {
		h := valueHash(u)
		s |= uint64(hintSum(h)) << 32
		if byName > 0 && ws.mayHave(h) {
			b = ws.getHashed(sessKey{ByName: true, V: u}, h)
		}
	}
	if sums != nil {
		*sums = hintSums{s, true}
	}
	switch {
	case a == nil && b == nil:
		return false, true, epoch
	case (a != nil && a.any) || (b != nil && b.any):
		return true, true, epoch
	}
	return wantsAt(a, b, rec.Time), true, epoch
}

// impMarkIDs are the ColIDs of the columns that mark a line of
// impersonation whatever the watch (see markedRecord): a line with none
// of them has them all "".
const impMarkIDs = 1<<parser.IDEventName | 1<<parser.IDCustomMessage | 1<<parser.IDImpersonatedBy

// markedRecord is wantRecord's answer on an indexed audit record by the
// columns of impMarkIDs, and done, when they decide it: a start (false,
// false: WantLine notes it), user_impersonation, a legacy stop or a line
// with ImpersonatedBy (true, true); else done is false (the watch
// decides).
func markedRecord(rec *parser.Record, ids uint64) (want, ok, done bool) {
	name := recCol(rec, ids, parser.IDEventName)
	msg := recCol(rec, ids, parser.IDCustomMessage)
	if msg == "Started Impersonation" || (name == "user_impersonation" && strings.Contains(msg, " started impersonation of ")) {
		return false, false, true
	}
	if name == "user_impersonation" || msg == "Stopped Impersonation" ||
		recCol(rec, ids, parser.IDImpersonatedBy) != "" {
		return true, true, true
	}
	return false, false, false
}

// recheckLine implements lineRechecker: WantLine's answer now on ev, an
// event whose line WantLine dropped when the epoch was since. Only a
// user widened after since can make it wanted: it looks for ev's user
// among those (added, read once per since and epoch into r.widen), and
// asks the watch only on a match. It falls back on WantLine when the
// widenings since are no longer all in added, and for a line not of the
// audit log. It is called by Process only (r.widen is not locked).
func (r *impersonation) recheckLine(ev *Event, since uint64) bool {
	if ev.Type != parser.TypeAudit {
		return r.WantLine(ev.Type, ev)
	}
	wc := &r.widen
	if cur := r.watch.epoch.Load(); wc.since != since || wc.cur != cur || !wc.ok {
		r.watch.widenedSince(since, wc)
	}
	if wc.unknown {
		return r.WantLine(ev.Type, ev)
	}
	if (ev.hintID != 0 || ev.hintName != 0) && !wc.mayHave(ev.hintID, ev.hintName) {
		return false // without reading the line, which another goroutine parsed
	}
	var id, name string
	if wc.byID {
		id = ev.Get(parser.ColAuthorID)
	}
	if wc.byName {
		name = ev.Get("meta.user")
	}
	hit := false
	for _, k := range wc.keys {
		if k.V != "" && ((k.ByName && k.V == name) || (!k.ByName && k.V == id)) {
			hit = true
			break
		}
	}
	if !hit {
		return false
	}
	ws := r.watch.keys.Load()
	var a, b *userWatch
	if id != "" {
		a = ws.get(sessKey{V: id})
	}
	if name != "" {
		b = ws.get(sessKey{ByName: true, V: name})
	}
	if (a != nil && a.any) || (b != nil && b.any) {
		return true
	}
	return wantsAt(a, b, ev.Time)
}

// widened is the users widened between two epochs (see widenedSince).
type widened struct {
	since, cur   uint64
	ok           bool      // since and cur are those of keys
	unknown      bool      // the widenings are no longer all in added
	keys         []sessKey // the users widened, owned strings
	sums         []uint32  // the hint sum (HintSum) of each key's value
	byID, byName bool      // keys holds a user by id, by name
}

// mayHave reports whether a line whose hint sums (HintSum; 0: absent)
// of AuthorID and meta.user are id and name may be of a user of wc:
// false when no user's sum is the sum of the column it is matched by.
// Equal sums are confirmed by the values (one in 2^32 collides).
func (wc *widened) mayHave(id, name uint32) bool {
	for i, k := range wc.keys {
		if s := wc.sums[i]; k.V != "" && ((k.ByName && s == name) || (!k.ByName && s == id)) {
			return true
		}
	}
	return false
}

// widenedSince sets wc to the users widened after the epoch since, up to
// the epoch now.
func (w *impWatch) widenedSince(since uint64, wc *widened) {
	w.mu.Lock()
	defer w.mu.Unlock()
	cur := w.epoch.Load()
	clear(wc.keys)
	*wc = widened{since: since, cur: cur, ok: true, keys: wc.keys[:0], sums: wc.sums[:0]}
	if cur <= since {
		return
	}
	if cur-since > uint64(len(w.added)) {
		wc.unknown = true
		return
	}
	for e := since + 1; e <= cur; e++ {
		a := &w.added[e%uint64(len(w.added))]
		if a.epoch != e {
			wc.unknown = true
			return
		}
		if !slices.Contains(wc.keys, a.k) {
			wc.keys = append(wc.keys, a.k)
			wc.sums = append(wc.sums, HintSum(a.k.V))
			wc.byID, wc.byName = wc.byID || !a.k.ByName, wc.byName || a.k.ByName
		}
	}
}

// sessionsWatch returns what the sessions ss make wanted of their user's
// lines: every line while one is open (no stop, its end not passed by the
// watermark), and those in [start, end) of each. The result lives in r's
// scratch storage until the next call.
func (r *impersonation) sessionsWatch(ss []impSession) *userWatch {
	u := &r.scratch
	u.any, u.ivs = false, u.ivs[:0]
	for i := range ss {
		s := &ss[i]
		end := s.end(r.maxSession)
		if s.Stop == 0 && (r.wm.IsZero() || end > r.wm.UnixNano()) {
			u.any = true
		}
		u.ivs = append(u.ivs, span{s.Start, end})
	}
	return u
}

// syncWatch makes the watch hold what k's sessions make wanted now, and,
// when folded, forget the announced start of k at t, which eval folded.
func (r *impersonation) syncWatch(k sessKey, folded bool, t int64) {
	var u *userWatch
	if ss, ok := r.sessions.get(k); ok && len(*ss) > 0 {
		u = r.sessionsWatch(*ss)
	}
	r.watch.update(k, u, folded, t)
}

// resyncWatch makes the watch hold what the sessions make wanted now (a
// session swept, evicted with its user, or open past its end is no longer
// wanted), and forgets the announced starts before annCut (Unix ns),
// which a start still to fold cannot be: the held events before the
// watermark were evaluated.
func (r *impersonation) resyncWatch(annCut int64) {
	w := &r.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	dirty := r.dirty[:0]
	w.annFrom = math.MaxInt64
	for k, ts := range w.ann {
		n := len(ts)
		w.unannounceLocked(k, func(x int64) bool { return x < annCut })
		if len(w.ann[k]) != n {
			dirty = append(dirty, k)
		}
		for _, x := range w.ann[k] {
			w.annFrom = min(w.annFrom, x)
		}
	}
	wm := int64(math.MinInt64) // before the first watermark, every open session is open
	if !r.wm.IsZero() {
		wm = r.wm.UnixNano()
	}
	r.openEndsFrom = math.MaxInt64
	r.sessions.each(func(k sessKey, ss *[]impSession) bool {
		if len(*ss) > 0 && w.holdLocked(k, r.sessionsWatch(*ss)) {
			dirty = append(dirty, k)
		}
		for _, s := range *ss {
			if end := s.end(r.maxSession); s.Stop == 0 && end > wm {
				r.openEndsFrom = min(r.openEndsFrom, end)
			}
		}
		return true
	})
	for k := range w.held {
		if ss, ok := r.sessions.get(k); !ok || len(*ss) == 0 {
			delete(w.held, k)
			dirty = append(dirty, k)
		}
	}
	for _, k := range dirty {
		w.publishLocked(k)
	}
	clear(dirty)
	r.dirty = dirty[:0]
}
