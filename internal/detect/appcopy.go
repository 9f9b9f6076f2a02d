package detect

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"slices"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// maxCopies bounds how many events of one form with the same time and
// message duplicateCopy pairs (see copyKey); further ones count.
const maxCopies = 16

// copyLag is how much later than the text copy of an event its JSON copy
// may be timed, in milliseconds: GitLab's MultiDestinationLogger writes
// the text line, then the JSON line, each with its own clock reading
// (lib/gitlab/app_logger.rb: [AppTextLogger, AppJsonLogger]), so the two
// times straddle a millisecond now and then.
const copyLag = 2

// Form bits of a copyKey (its byte 14): the form of the event, and
// whether the event was paired with a copy of the other form.
const (
	copyJSON    = 1 // the JSON form (application_json.log); 0: the text form
	copyClaimed = 2 // the event is one of a pair
)

// duplicateCopy reports whether ev, an event of the application log, is
// the copy of an event of the other form of that log already counted.
// GitLab 12.7 to 15.9 write each Gitlab::AppLogger message to both
// application.log (text: "2020-04-09T14:04:00.667Z: Failed Login: ...")
// and application_json.log (JSON: "time" and "message"), the agent's
// default sources follow both, and detect may be given both.
//
// An event pairs with an event of the other form with the same Message
// that no event paired with yet, timed (to the millisecond) when its copy
// can be: a JSON event 0 to copyLag ms after a text one. A paired event
// is a copy and does not count; an unpaired one counts. So each event
// counts once whichever file is read first, as many times as the form
// that holds it more often has it (two failed sign-ins in one
// millisecond count twice).
//
// Of a pair, the JSON copy is the one that counts: the text line lacks
// its correlation_id and meta.* keys (the user a session acts as, for
// sentinel.impersonation; the alerts' enrichment). So a text event is
// not paired when it arrives: it waits (copyWait), held in the reorder
// buffer until the sources' newest time is copyWaitNs after it, and is
// paired then, in time order, with the earliest unpaired JSON event of
// its span (pairText), or counts. Pairing in time order pairs copies as
// they were written, whatever order the files are read in and however
// their lines are out of order within copyDisorder (text .000 and .001,
// JSON .001 and .003: .000 with .001, .001 with .003). A JSON event
// counts when it arrives, unless it is the copy of a text event that
// went to the rules unpaired: its log read further behind the text log
// than the wait (copyCounted).
//
// Events of the text log's long dates (minute precision, GitLab before
// 12.7, which wrote no JSON log) and those without a time or Message are
// never copies. It remembers ev (in the engine's recent event ids, so
// within DedupeWindow of event time) whether it is a copy or not.
func (e *Engine) duplicateCopy(ev *Event) bool {
	msg, ok := copyMessage(ev)
	if !ok {
		return false
	}
	form := byte(0)
	if gitlabLine(ev.Raw)[0] == '{' {
		form = copyJSON
	}
	t := ev.Time.UnixNano()
	base := e.copyBase(t, msg)
	self, ok := e.copyFree(base, form)
	if !ok {
		return false
	}
	e.events.seenKey(self, t)
	if form != copyJSON {
		e.wait = copyWait{key: self, on: true}
		return false
	}
	e.near.add(keyOf(msg), t, e.wmNs)
	return e.pairIn(self, t, msg, -copyLag, e.copyCounted)
}

// pairText reports whether ev, a text event of the application log that
// waited for its JSON copy (its copyKey self), has one: the earliest
// unpaired JSON event 0 to copyLag ms after it, which it then pairs with
// (see duplicateCopy).
func (e *Engine) pairText(ev *Event, self recentKey) bool {
	msg, ok := copyMessage(ev)
	if !ok {
		return false
	}
	return e.pairIn(self, ev.Time.UnixNano(), msg, 0, func(b recentKey) (recentKey, bool) { return e.copyUnpaired(b, copyJSON) })
}

// pairIn pairs the event of copyKey self, at time t (Unix ns) with
// Message msg, with the first event find returns for the copyBase of
// each millisecond from t+from ms to copyLag ms later, the earliest first,
// and reports whether there was one.
func (e *Engine) pairIn(self recentKey, t int64, msg string, from int64, find func(base recentKey) (recentKey, bool)) bool {
	for d := from; d <= from+copyLag; d++ {
		if other, ok := find(e.copyBase(t+d*int64(time.Millisecond), msg)); ok {
			e.events.seenKey(copyPaired(other), t)
			e.events.seenKey(copyPaired(self), t)
			return true
		}
	}
	return false
}

// copyCounted returns the key of the first remembered text event whose
// copyBase is base that went to the rules unpaired (not waiting in the
// reorder buffer); false when there is none.
func (e *Engine) copyCounted(base recentKey) (recentKey, bool) {
	for n := range maxCopies {
		k := copyKey(base, 0, n)
		if !e.events.has(k) {
			break
		}
		if _, waits := e.reorder.waiting[k]; !waits && !e.events.has(copyPaired(k)) {
			return k, true
		}
	}
	return recentKey{}, false
}

// copyWait is the text event Process is folding, when it waits for its
// JSON copy (see duplicateCopy): its copyKey.
type copyWait struct {
	key recentKey
	on  bool
}

// copyDisorder is how far back in time a line of the application logs
// may be written after a later one: Puma workers and Sidekiq processes
// each take the time, then append to the same files.
const copyDisorder = time.Second

// copyWaitNs is how long after its own time a text event waits for its
// JSON copy (Unix ns): until the sources' newest time is past copyLag
// and copyDisorder after it, when its copy, if GitLab wrote one, was
// read.
const copyWaitNs = copyLag*int64(time.Millisecond) + int64(copyDisorder) + 1

// copyFree returns the key of the next event of form whose copyBase is
// base: the first n not remembered; false after maxCopies.
func (e *Engine) copyFree(base recentKey, form byte) (recentKey, bool) {
	for n := range maxCopies {
		if k := copyKey(base, form, n); !e.events.has(k) {
			return k, true
		}
	}
	return recentKey{}, false
}

// copyUnpaired returns the key of the first remembered event of form
// whose copyBase is base that no event paired with yet; false when there
// is none.
func (e *Engine) copyUnpaired(base recentKey, form byte) (recentKey, bool) {
	for n := range maxCopies {
		k := copyKey(base, form, n)
		if !e.events.has(k) {
			break
		}
		if !e.events.has(copyPaired(k)) {
			return k, true
		}
	}
	return recentKey{}, false
}

// copyMessage returns the Message of ev and true when ev is an event of
// the application log that GitLab may have written in both forms (see
// duplicateCopy): one with a time to the millisecond, a line and a
// Message.
func copyMessage(ev *Event) (string, bool) {
	if ev.Type != parser.TypeApplication || ev.Time.IsZero() || ev.CoarseTime() || gitlabLine(ev.Raw) == "" {
		return "", false
	}
	msg := ev.Get(parser.ColMessage)
	return msg, msg != ""
}

// copyBase is the hash of an application-log event at time t (Unix ns)
// with Message msg, which copyKey varies for duplicateCopy: the first 16
// bytes of a SHA-256, as lineKey's, since msg is written by whoever signs
// in (a user name), who could make an FNV-1a key collide with another
// event's and have it dropped. It uses e.keyBuf as scratch space.
func (e *Engine) copyBase(t int64, msg string) recentKey {
	b := append(e.keyBuf[:0], "appcopy"...)
	b = binary.BigEndian.AppendUint64(b, uint64(t))
	b = append(b, msg...)
	e.keyBuf = b
	sum := sha256.Sum256(b)
	return recentKey(sum[:16])
}

// copyKey is the key of the n-th event of form (0 text, copyJSON) whose
// copyBase is base: base with form and n in its last two bytes, so that
// the message is hashed once per time, not once per key asked for.
func copyKey(base recentKey, form byte, n int) recentKey {
	base[14] ^= form
	base[15] ^= byte(n)
	return base
}

// copyPaired is the key that marks the event of key k (a copyKey) as
// one of a pair.
func copyPaired(k recentKey) recentKey {
	k[14] ^= copyClaimed
	return k
}

// nearRetain is how long, in event time, nearIndex keeps the times of a
// Message; maxNear bounds how many Messages it holds.
const (
	nearRetain = 2 * int64(copyDisorder)
	maxNear    = 1 << 16
)

// nearIndex holds the times of the last JSON events of the application
// log by Message (its keyOf), for nearCopy. The zero value is empty.
type nearIndex struct {
	m       map[recentKey]nearTimes
	pruneAt int // prune when m holds this many
}

// nearTimes are the times (Unix ns) of the last len(t) events of one
// Message; n counts them up to len(t), then stays in [len(t), 2 len(t))
// so that n mod len(t) goes on naming the oldest.
type nearTimes struct {
	t [4]int64
	n uint8
}

// kept returns the times held, the last min(n, len(t)) recorded.
func (nt *nearTimes) kept() []int64 { return nt.t[:min(int(nt.n), len(nt.t))] }

// add records an event of Message key k at time t (Unix ns). When the
// index has grown enough since it last did, it drops the Messages whose
// times are all before wm − nearRetain (wm in Unix ns), and every one
// when more than maxNear remain: nearCopy only informs.
func (x *nearIndex) add(k recentKey, t, wm int64) {
	if x.m == nil {
		x.m, x.pruneAt = make(map[recentKey]nearTimes), 1024
	}
	nt := x.m[k]
	nt.t[nt.n%uint8(len(nt.t))] = t
	if nt.n++; nt.n == 2*uint8(len(nt.t)) {
		nt.n = uint8(len(nt.t))
	}
	x.m[k] = nt
	if len(x.m) < x.pruneAt {
		return
	}
	cut := wm - nearRetain
	if wm < math.MinInt64+nearRetain { // no watermark yet (noNanos)
		cut = math.MinInt64
	}
	for k, nt := range x.m {
		if slices.Max(nt.kept()) < cut {
			delete(x.m, k)
		}
	}
	if len(x.m) > maxNear {
		clear(x.m)
	}
	x.pruneAt = max(2*len(x.m), 1024)
}

// has reports whether an event of Message key k was recorded with a
// time in [lo, hi] (Unix ns), among the last ones of that Message.
func (x *nearIndex) has(k recentKey, lo, hi int64) bool {
	nt, ok := x.m[k]
	if !ok {
		return false
	}
	for _, t := range nt.kept() {
		if t >= lo && t <= hi {
			return true
		}
	}
	return false
}

// nearCopy reports whether a JSON event of the application log with ev's
// Message was read with a time more than copyLag ms and at most
// copyDisorder after ev's: ev, a text event that found no copy within
// copyLag ms (pairText), most likely had one GitLab wrote further apart
// (Stats.CopiesApart).
func (e *Engine) nearCopy(ev *Event) bool {
	msg, ok := copyMessage(ev)
	if !ok {
		return false
	}
	t := ev.Time.UnixNano()
	return e.near.has(keyOf(msg), t+(copyLag+1)*int64(time.Millisecond), t+int64(copyDisorder))
}
