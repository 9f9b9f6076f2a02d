package detect

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unsafe"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Defaults of gitlab.password_spray and gitlab.distributed_guessing.
const defaultMinDistinct = 10

// MaxListed caps the values an alert lists in a column such as Usernames,
// Addresses or Authors.
const MaxListed = 20

// passwordSpraySpec is gitlab.password_spray: failed logins for more than
// min_users (10) distinct user names from one address within 60 minutes.
// sentinel.bruteforce counts per (user, address) and cannot see it, although
// Sentinel's rule description promises "different IP addresses".
func passwordSpraySpec() Spec {
	return Spec{
		Info: Info{
			ID: "gitlab.password_spray", Name: "GitLab - Password spraying from one address", Kind: KindWindow,
			Severity: SeverityMedium, Tactic: []string{"CredentialAccess"}, Technique: []string{"T1110.003"},
			Description: "Failed logins for more than 10 distinct user names from one address within 60 minutes.",
		},
		Default:  true,
		Params:   []string{"window", "min_users", "max_keys"},
		Suppress: defaultSuppression,
		New: func(p *Params, _ *Env) (Rule, error) {
			return newSpread(p, passwordSpraySpec().Info, parser.ColIPAddress, parser.ColUsername, "Usernames", "min_users"), nil
		},
	}
}

// distributedGuessingSpec is gitlab.distributed_guessing: failed logins for
// one user name from more than min_addresses (10) distinct addresses within
// 60 minutes, which per-(user, address) counting (sentinel.bruteforce)
// misses.
func distributedGuessingSpec() Spec {
	return Spec{
		Info: Info{
			ID: "gitlab.distributed_guessing", Name: "GitLab - Password guessing from many addresses", Kind: KindWindow,
			Severity: SeverityMedium, Tactic: []string{"CredentialAccess"}, Technique: []string{"T1110.001"},
			Description: "Failed logins for one user name from more than 10 distinct addresses within 60 minutes.",
		},
		Default:  true,
		Params:   []string{"window", "min_addresses", "max_keys"},
		Suppress: defaultSuppression,
		New: func(p *Params, _ *Env) (Rule, error) {
			return newSpread(p, distributedGuessingSpec().Info, parser.ColUsername, parser.ColIPAddress, "Addresses", "min_addresses"), nil
		},
	}
}

// The user names of both rules are folded as GitLab matches a login
// (foldLogin): "alice" and "ALICE" are one account, not two users sprayed.

// seenValue is one distinct value of a spread key and a run of its
// sightings (event times, Unix ns): the first at From, the last at Last,
// and between them none window or more apart, so that a window
// (e − window, e] holds a sighting of the run exactly when From ≤ e <
// Last + window (see covers).
type seenValue struct {
	V    string `json:"v"`
	Last int64  `json:"t"`
	// From is 0 in state saved before runs were kept: taken as Last.
	From int64 `json:"f,omitempty"`
}

// from returns the first sighting of s's run.
func (s seenValue) from() int64 {
	if s.From == 0 {
		return s.Last
	}
	return s.From
}

// covers reports whether the window (e − window, e] holds a sighting of
// s's run.
func (s seenValue) covers(e, window int64) bool { return s.from() <= e && e < s.Last+window }

// spreadState is one key's distinct values within the window of its
// newest event (Seen), most recent last, at most min+1 of them (enough to
// know the count exceeded min), the time of the last alert; and, while the watermark keeps windows open further
// back (a lateness above the window), the earlier runs of its values (see
// spreadVals.old).
type spreadState struct {
	Seen    []seenValue `json:"seen"`
	Alerted int64       `json:"alerted,omitempty"`
	// vals holds the bytes of the values observe added to a key that has
	// more than one (see own), and the earlier runs; nil for a key's
	// first value (a copy of its own) and after Restore, whose values own
	// their storage. A pointer, so that a key of one value is no larger
	// than with copies per value.
	vals *spreadVals
	// sorted says that observe left Seen ordered by Last (not so after
	// Restore, until observe).
	sorted bool
}

// spreadVals is the buffer of a key's values (spreadState.own) and its
// earlier runs.
type spreadVals struct {
	b []byte
	// old holds the runs that ended before the window of the key's newest
	// event and after the rule's floor (the watermark minus the window),
	// so in a window the watermark has not closed, and those of sightings
	// older than that window (observeOlder): oldest Last first, runs of
	// one value never window or less apart, at most oldRunsPerKeep times
	// keep (the oldest dropped first). Their values may share an earlier
	// buffer of b, which they keep alive.
	old []seenValue
	// cut is the Last of the newest run dropped at that cap (0: none):
	// the key holds no window that starts before it.
	cut int64
}

// spread counts the distinct values of one column per value of another
// over a sliding window (password spraying: user names per address;
// distributed guessing: addresses per user name).
type spread struct {
	suppressCount
	info           Info
	keyCol, valCol string
	listCol        string
	window         time.Duration
	min            int
	suppress       time.Duration
	keys           *lru[string, spreadState]
	late           uint64
	closed         int64 // Unix ns before which windows are closed: watermark − window
	floor          int64 // closed, or noFloor or restoredFloor before the first watermark (see spreadState.observe)
}

func newSpread(p *Params, info Info, keyCol, valCol, listCol, minParam string) *spread {
	r := &spread{info: info, keyCol: keyCol, valCol: valCol, listCol: listCol, floor: noFloor}
	r.window = positiveDuration(p, "window", defaultWindow)
	r.min = p.Int(minParam, defaultMinDistinct)
	if r.min < 1 {
		p.Fail(minParam, "want at least 1")
	}
	r.suppress = p.Duration("suppress", defaultSuppression)
	max := p.Int("max_keys", defaultMaxKeys)
	if max < 1 {
		p.Fail("max_keys", "want at least 1")
	}
	r.keys = newLRU[string, spreadState](max)
	return r
}

func (r *spread) Info() Info      { return r.info }
func (r *spread) Wants() []Key    { return []Key{EventKind(parser.KindFailedLogin)} }
func (r *spread) Keys() int       { return r.keys.len() }
func (r *spread) Evicted() uint64 { return r.keys.evicted }
func (r *spread) MaxKeys() int    { return r.keys.max }

// LateDropped returns the events older than their key's window.
func (r *spread) LateDropped() uint64 { return r.late }

func (r *spread) Observe(ev *Event, _ Clock, emit Emit) {
	t := ev.Time
	if t.IsZero() {
		return
	}
	key, val := foldKey(r.keyCol, ev.Get(r.keyCol)), foldKey(r.valCol, ev.Get(r.valCol))
	ns := t.UnixNano()
	if ns < r.closed {
		r.late++
		return
	}
	st := touchClone(r.keys, key)
	fate := st.observe(val, ns, int64(r.window), r.floor, r.min+1)
	if fate == spreadLate {
		r.late++
		return
	}
	end, seen := r.judge(st, ns, fate)
	if seen == nil {
		return
	}
	// Suppressed, and suppressing, at the alert's time, as in time order:
	// a sighting out of order raises the alert of a later one.
	if quietAround(st.Alerted, r.suppress).holds(end) {
		r.suppressCount.n++
		return
	}
	st.Alerted = max(st.Alerted, end)
	emit(r.alert(key, seen, end))
}

// judge returns the window that the sighting at ns (Unix ns), which
// observe recorded in st with fate, is judged with, when it holds more
// than min values: its end (Unix ns) and its values (at most min+1, the
// latest); seen is nil when the window holds min values or fewer. In time
// order that is the window ending at ns. A sighting that came out of
// order is judged as time order would have: with the first window
// holding it that holds more than min values (firstReach), so both orders
// raise one alert with one alert_id; else with a window of its own ending
// before the key's newest event when one holds more values than that of
// the newest (best), else with the window of the newest event.
func (r *spread) judge(st *spreadState, ns int64, fate spreadFate) (end int64, seen []seenValue) {
	window, need := int64(r.window), r.min+1
	newest := st.newest()
	if ns < newest {
		e, n := st.firstReach(ns, window, r.floor, quietAround(st.Alerted, r.suppress), need)
		if n < 0 && fate == spreadEarlier {
			if e, n = st.best(ns, window, r.floor); e == newest {
				n = -1 // judged with the newest's window below
			} else if n < need {
				return 0, nil
			}
		}
		if n >= 0 {
			seen = st.at(e, window)
			return e, seen[max(0, len(seen)-need):]
		}
	}
	if len(st.Seen) < need {
		return 0, nil
	}
	return max(ns, newest), st.Seen
}

// alert returns the alert of key for the values seen (oldest last
// sighting first), whose last event is at last (Unix ns): the window is
// the one ending at last, and its first event the earliest sighting of
// those values in it (firstSighting).
func (r *spread) alert(key string, seen []seenValue, last int64) *Alert {
	first := firstSighting(seen, last, int64(r.window))
	vals := make([]string, 0, len(seen))
	for _, s := range seen {
		vals = append(vals, s.V)
	}
	return &Alert{
		Time:      time.Unix(0, last).UTC(), // the last event counted
		Key:       []Column{{r.keyCol, key}},
		Columns:   []Column{{r.listCol, joinList(vals[:min(len(vals), MaxListed)])}},
		Count:     len(seen),
		Threshold: float64(r.min), HasThreshold: true,
		WindowStart: time.Unix(0, last-int64(r.window)).UTC(), WindowEnd: time.Unix(0, last).UTC(),
		FirstEvent: time.Unix(0, first).UTC(), LastEvent: time.Unix(0, last).UTC(),
	}
}

// firstSighting returns the earliest sighting of the values seen known
// to fall in the window (end − window, end] (Unix ns): a run's first
// sighting (From) when it is in the window, else its last (the sightings
// between are not kept). So an alert's first_event is an event it
// counts, never one before its window_start.
func firstSighting(seen []seenValue, end, window int64) int64 {
	first := end
	for _, s := range seen {
		t := s.from()
		if t <= end-window {
			t = min(s.Last, end)
		}
		first = min(first, t)
	}
	return first
}

// spreadFate is what observe did with a sighting.
type spreadFate uint8

const (
	// spreadLate: older than every window the key holds, not recorded.
	spreadLate spreadFate = iota
	// spreadNewest: in the window of the key's newest event, which Seen
	// holds.
	spreadNewest
	// spreadEarlier: older than that window by more, held in the earlier
	// runs for the windows the watermark has not closed; or in it but
	// older than the newest while the key holds earlier runs. A window
	// ending before the newest may hold more values: judge it with best.
	spreadEarlier
)

// observe records value v seen at ns (Unix ns). floor is the rule's
// floor, the watermark minus window (noFloor or restoredFloor before the
// first watermark, see sliding.go): a run that ends at or before it is in
// no window the watermark has not closed.
//
// A sighting within window of the key's newest event updates Seen: values
// not seen within window of the newest leave it (kept as earlier runs
// while they end after floor), v is added or refreshed, and the oldest
// values beyond keep are dropped, their runs forgotten: the window of the
// newest then holds keep values, more than any rule's min (spreadNewest,
// or spreadEarlier for a sighting older than the newest while the key
// holds earlier runs). An older sighting, after what the key holds, is
// added to the earlier runs (spreadEarlier, see observeOlder); one before
// is not recorded (spreadLate).
func (st *spreadState) observe(v string, ns, window, floor int64, keep int) spreadFate {
	if st.vals != nil && len(st.vals.old) > 0 {
		st.pruneOld(floor)
	}
	if n := len(st.Seen); st.sorted && (n == 0 || ns >= st.Seen[n-1].Last) {
		st.observeNewest(v, ns, window, floor, keep)
		return spreadNewest
	}
	newest := ns
	for _, s := range st.Seen {
		newest = max(newest, s.Last)
	}
	if ns <= newest-window {
		return st.observeOlder(v, ns, newest, window, floor, keep)
	}
	t, from := ns, ns
	live := st.Seen[:0]
	kept := ""
	for _, s := range st.Seen {
		switch {
		case s.V == v:
			ns, kept = max(ns, s.Last), s.V
			if t < s.Last+window {
				from = min(from, s.from()) // its run goes on
			} else if s.Last > floor {
				st.addOld(s, keep) // its run ended before t
			}
		case s.Last > newest-window:
			live = append(live, s)
		case s.Last > floor:
			st.addOld(s, keep)
		}
	}
	if kept == "" {
		kept = st.own(v, live) // a new value: do not pin the event's line
	}
	if st.vals != nil && len(st.vals.old) > 0 {
		from = st.takeOld(kept, from, window)
	}
	live = append(live, seenValue{V: kept, Last: ns, From: from})
	sortSeen(live)
	if len(live) > keep {
		live = append(live[:0], live[len(live)-keep:]...)
	}
	st.Seen = live
	st.sorted = true
	if t < newest && st.vals != nil && len(st.vals.old) > 0 {
		return spreadEarlier
	}
	return spreadNewest
}

// observeNewest is observe of a value at ns, at or after every value's
// Last, when st is sorted: the values expired are a prefix of Seen, and v
// goes last. The values kept stay where they are but for one move to the
// front.
func (st *spreadState) observeNewest(v string, ns, window, floor int64, keep int) {
	seen := st.Seen
	cut := ns - window
	p := 0 // the values expired: Seen[:p]
	for p < len(seen) && seen[p].Last <= cut {
		if seen[p].Last > floor {
			st.addOld(seen[p], keep) // an earlier run, for the windows still open
		}
		p++
	}
	kept, from := "", ns
	for i := 0; i < len(seen); {
		if !sameValue(seen[i].V, v) {
			i++
			continue
		}
		kept = seen[i].V
		if i >= p {
			from = min(from, seen[i].from()) // its run goes on
		}
		copy(seen[i:], seen[i+1:])
		seen = seen[:len(seen)-1]
		if i < p {
			p--
		}
	}
	live := seen[p:]
	if kept == "" {
		kept = st.own(v, live) // a new value: do not pin the event's line
	}
	n := copy(seen, live[max(0, len(live)+1-keep):])
	st.Seen = append(seen[:n], seenValue{V: kept, Last: ns, From: from})
}

// sameValue is a == b, comparing the last bytes before calling the
// runtime's comparison: the values of one key (user names, addresses)
// mostly have the same length and differ at their end.
func sameValue(a, b string) bool {
	return len(a) == len(b) && (len(a) == 0 || a[len(a)-1] == b[len(b)-1]) && a == b
}

// own returns a copy of v in st.vals. The first value of a key is a copy
// of its own (as large as v). When v does not fit in the unused rest of
// vals, the values of live (the values kept) and v move to a new buffer
// of 1.5 times their size, so that a key holds at most 1.5 times the bytes
// of the keep+1 values it had at the last move, and adding a value
// allocates once per several. Bytes of vals once used are never written
// again: a value handed out stays valid.
func (st *spreadState) own(v string, live []seenValue) string {
	if v == "" {
		return ""
	}
	if len(live) == 0 && st.vals == nil {
		return strings.Clone(v)
	}
	if st.vals == nil {
		st.vals = &spreadVals{}
	}
	if b := st.vals.b; cap(b)-len(b) < len(v) {
		n := len(v)
		for _, s := range live {
			n += len(s.V)
		}
		b = make([]byte, 0, n+n/2)
		for i := range live {
			live[i].V, b = appendOwn(b, live[i].V)
		}
		st.vals.b = b
	}
	v, st.vals.b = appendOwn(st.vals.b, v)
	return v
}

// appendOwn appends v to buf, which must have room for it, and returns
// the appended bytes as a string.
func appendOwn(buf []byte, v string) (string, []byte) {
	if v == "" {
		return "", buf
	}
	off := len(buf)
	buf = append(buf, v...)
	return unsafe.String(&buf[off], len(v)), buf
}

// sortSeen orders values by last sighting (insertion sort: the slice is
// short and nearly sorted).
func sortSeen(s []seenValue) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].Last < s[j-1].Last; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func (r *spread) Advance(wm time.Time, _ Emit) {
	cut := wm.UnixNano() - int64(r.window)
	r.closed = max(r.closed, cut)
	r.floor = r.closed
	r.keys.each(func(k string, st *spreadState) bool {
		for _, s := range st.Seen {
			if s.Last > cut {
				return false
			}
		}
		r.keys.remove(k)
		return true
	})
}

func (r *spread) Close(Emit) {}

type spreadSnapshot struct {
	K string `json:"k"`
	spreadState
	Earlier *spreadRuns `json:"earlier,omitempty"`
}

func (r *spread) StateVersion() int { return 1 }

func (r *spread) Snapshot() ([]byte, error) {
	out := []spreadSnapshot{}
	r.keys.each(func(k string, st *spreadState) bool {
		out = append(out, spreadSnapshot{K: k, spreadState: *st, Earlier: st.earlier()})
		return true
	})
	return json.Marshal(out)
}

func (r *spread) Restore(data []byte) error {
	var in []spreadSnapshot
	if err := json.Unmarshal(data, &in); err != nil {
		return fmt.Errorf("%s: %w", r.info.ID, err)
	}
	for _, s := range in {
		st := r.keys.touch(s.K)
		*st = s.spreadState
		st.setEarlier(s.Earlier)
	}
	r.floor = restoredFloor
	return nil
}
