package detect

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Defaults of sentinel.bruteforce, some also used by the other window and
// baseline rules: a 60-minute window sliding in 5-minute buckets, a 7-day
// learning period, threshold max(mean + 3·sd, 10), 100000 keys, 60 minutes
// of suppression per key.
const (
	defaultWindow      = 60 * time.Minute
	defaultBucket      = 5 * time.Minute
	defaultLearning    = 7 * 24 * time.Hour
	defaultSDFactor    = 3.0
	defaultMinCount    = 10
	defaultMaxKeys     = 100_000
	defaultSuppression = 60 * time.Minute
)

// MinLearningPeriod is the shortest learning_period the baseline rules
// (sentinel.bruteforce, sentinel.repo_deletion) take: their baselines
// count whole hours.
const MinLearningPeriod = time.Hour

// bruteforceSpec is sentinel.bruteforce: failed password logins per (user
// name, address) over a sliding 60-minute window, against a threshold of
// max(mean + 3·sd, 10) learned from the user's hourly failures of the 7 days
// before the window (hours without failures count as zero; the window's own
// hours are never in its baseline). Until 7 days have been observed the
// floor alone applies and alerts carry learning=true.
//
// An event is tested with the earliest window over the threshold of those
// that hold it and end at a bucket with failures of its (user, address)
// (see sliding.judge): in order, the window ending at it; for one that
// arrives after newer ones (another node's backlog, lines out of order),
// the window time order would have alerted with, so it still completes a
// count, and its alert is not taken for a repeat of a later one. The
// windows of a key are held back to the watermark: with a lateness above
// the window, an event older than the newest by more than the window is
// still counted in its own window. An event older than every window the
// watermark has not closed is late.
//
// Only the application log's failed_login events are counted (JSON and
// both text forms): the audit log's login_failed_with_standard_authentication
// of recent EE releases records the same request (same CorrelationID), so
// counting both would double every attempt. A deployment that sees failed
// logins only through Audit Event Streaming therefore gets no brute-force
// alerts from this rule; falco.failed_login_standard still reports each.
//
// Parameters: window (60m), bucket (the sliding step: 5m, less for a window
// under an hour: defaultBucketFor), learning_period
// (168h), sd_factor (3), min_count (10, the floor), max_keys (100000, for
// the (user, address) windows and the user histories each), suppress (60m).
func bruteforceSpec() Spec {
	return Spec{
		Info: Info{
			ID: "sentinel.bruteforce", Name: "GitLab - Brute-force Attempts", Kind: KindBaseline,
			Severity: SeverityMedium, Tactic: []string{"CredentialAccess"}, Technique: []string{"T1110"},
			Description: "More failed logins for one user name from one address in 60 minutes than the user's " +
				"7-day hourly baseline allows (mean + 3 sd, at least 10).",
		},
		Default:  true,
		Params:   []string{"window", "bucket", "learning_period", "sd_factor", "min_count", "max_keys"},
		Suppress: defaultSuppression,
		New:      newBruteforce,
	}
}

// userIP is the key of a brute-force window: the user name folded as
// GitLab matches a login (foldLogin) and the address.
type userIP struct{ User, IP string }

// pairState is one (user, address) window, the event time (Unix ns) of
// its last alert and the start of that alert's window (Unix ns).
type pairState struct {
	win          sliding
	alerted      int64
	alertedStart int64
}

// bruteforce implements sentinel.bruteforce.
type bruteforce struct {
	baselineWindow
	suppressCount

	pairs *lru[userIP, pairState]
	users *lru[string, history]
	// learnFrom is the first hour observed (hourOf); 0 before any event.
	learnFrom int64
	// closed is the event time (Unix ns) before which windows are closed:
	// the watermark minus the window.
	closed int64
	// floor is the oldest bucket a window the watermark has not closed
	// covers (slidingSpan.floorOf), noFloor before the first watermark.
	floor int64
	late  uint64
}

func newBruteforce(p *Params, _ *Env) (Rule, error) {
	r := &bruteforce{baselineWindow: newBaselineWindow(p), floor: noFloor}
	max := p.Int("max_keys", defaultMaxKeys)
	if max < 1 {
		p.Fail("max_keys", "want at least 1")
	}
	r.pairs = newLRU[userIP, pairState](max)
	r.users = newLRU[string, history](max)
	return r, nil
}

func (r *bruteforce) Info() Info { return bruteforceSpec().Info }

func (r *bruteforce) Wants() []Key { return []Key{EventKind(parser.KindFailedLogin)} }

// Keys returns the (user, address) windows plus the user histories held.
func (r *bruteforce) Keys() int { return r.pairs.len() + r.users.len() }

// Evicted returns the windows and histories dropped at max_keys.
func (r *bruteforce) Evicted() uint64 { return r.pairs.evicted + r.users.evicted }

// MaxKeys returns the max_keys of the windows, as of the histories.
func (r *bruteforce) MaxKeys() int { return r.pairs.max }

// LateDropped returns the events whose window had closed when they came.
func (r *bruteforce) LateDropped() uint64 { return r.late }

func (r *bruteforce) Observe(ev *Event, _ Clock, emit Emit) {
	t := ev.Time
	if t.IsZero() {
		return
	}
	user, ip := foldLogin(ev.Get(parser.ColUsername)), foldAddr(ev.Get(parser.ColIPAddress))
	h := hourOf(t)
	if r.learnFrom == 0 || h < r.learnFrom {
		r.learnFrom = h
	}
	hist := touchClone(r.users, user)
	hist.add(h, 1)
	hist.prune(r.keepFrom(h, r.floor))

	if t.UnixNano() < r.closed {
		r.late++ // its window was closed: the baseline has it, no window does
		return
	}
	ps := r.pairs.touchOwn(userIP{User: user, IP: ip}, cloneUserIP)
	if !ps.win.add(r.span, t, r.floor) {
		r.late++
		return
	}
	var b baseline
	end, ok := ps.win.judge(r.span, r.span.index(t), r.floor, func(end int64, n int) bool {
		if float64(n) <= r.bp.Floor {
			return false
		}
		b = r.bp.of(hist, hourOf(r.span.startOf(end)), r.learnFrom)
		return float64(n) > b.Threshold
	})
	if !ok {
		return // below the threshold, or held for a later failure's window
	}
	n, first, last := ps.win.totalTo(r.span, end)
	start := r.span.startOf(end)
	if start.UnixNano() == ps.alertedStart {
		// The alert of this window was raised: this one, with the same
		// alert_id, would be dropped as its repeat. Held back (counted
		// as suppressed), it does not move the suppression on.
		r.suppressCount.n++
		return
	}
	if quietAround(ps.alerted, r.suppress).holds(t.UnixNano()) {
		r.suppressCount.n++
		return
	}
	if t.UnixNano() > ps.alerted { // else a late event's, before the last alert's suppression
		ps.alerted, ps.alertedStart = t.UnixNano(), start.UnixNano()
	}
	emit(&Alert{
		Time:  last, // the last event counted (t, unless t came out of order)
		Key:   []Column{{parser.ColUsername, user}, {parser.ColIPAddress, ip}},
		Count: n, Threshold: b.Threshold, HasThreshold: true,
		BaselineMean: b.Mean, BaselineSD: b.SD, HasBaseline: true,
		WindowStart: start, WindowEnd: alertWindowEnd(t, last), FirstEvent: first, LastEvent: last,
		Learning: b.Learning,
	})
}

// touchClone returns the value of key k in l, creating it under a copy of
// k: event strings share one allocation with the whole line, which a key
// kept for days must not pin.
func touchClone[V any](l *lru[string, V], k string) *V { return l.touchOwn(k, strings.Clone) }

// cloneUserIP returns k with its own copies of the strings.
func cloneUserIP(k userIP) userIP {
	return userIP{User: strings.Clone(k.User), IP: strings.Clone(k.IP)}
}

func (r *bruteforce) Advance(wm time.Time, _ Emit) {
	r.closed = max(r.closed, wm.UnixNano()-int64(r.window))
	r.floor = advanceFloor(r.floor, r.span.floorOf(wm))
	cut := r.span.index(wm) - r.span.n
	r.pairs.each(func(k userIP, ps *pairState) bool {
		if nb, ok := ps.win.newest(); ok && nb > cut {
			return false
		}
		r.pairs.remove(k)
		return true
	})
	oldest := hourOf(wm) - r.keepHours
	r.users.each(func(u string, h *history) bool {
		if !h.empty() && h.hours[len(h.hours)-1].H >= oldest {
			return false
		}
		r.users.remove(u)
		return true
	})
}

// Close has nothing to flush: alerts are emitted when the count crosses
// the threshold.
func (r *bruteforce) Close(Emit) {}

// bruteforceState is the persisted state of sentinel.bruteforce.
type bruteforceState struct {
	LearnFrom int64 `json:"learn_from"`
	// Bucket is the bucket the slots count in (ns; 0 in state saved
	// before it was recorded: the bucket of the parameters then).
	Bucket int64             `json:"bucket,omitempty"`
	Pairs  []pairSnapshot    `json:"pairs"`
	Users  []historySnapshot `json:"users"`
}

type pairSnapshot struct {
	User    string `json:"u"`
	IP      string `json:"ip"`
	Slots   []slot `json:"slots"`
	Alerted int64  `json:"alerted,omitempty"`
	// AlertedStart is the window start of the last alert (Unix ns; 0 in
	// the state of agents before it, which raised it again and dropped
	// it as a repeat).
	AlertedStart int64 `json:"alerted_start,omitempty"`
}

type historySnapshot struct {
	Key   string      `json:"k"`
	Hours []hourCount `json:"hours"`
}

func (r *bruteforce) StateVersion() int { return 1 }

func (r *bruteforce) Snapshot() ([]byte, error) {
	st := bruteforceState{LearnFrom: r.learnFrom, Bucket: r.span.bucket}
	r.pairs.each(func(k userIP, ps *pairState) bool {
		st.Pairs = append(st.Pairs, pairSnapshot{User: k.User, IP: k.IP, Slots: ps.win.Slots, Alerted: ps.alerted, AlertedStart: ps.alertedStart})
		return true
	})
	st.Users = snapshotHistories(r.users)
	return json.Marshal(st)
}

func (r *bruteforce) Restore(data []byte) error {
	var st bruteforceState
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("sentinel.bruteforce: %w", err)
	}
	r.learnFrom, r.floor = st.LearnFrom, restoredFloor
	for _, p := range st.Pairs {
		ps := r.pairs.touch(userIP{User: p.User, IP: p.IP})
		ps.win.Slots, ps.alerted, ps.alertedStart = rebucket(p.Slots, st.Bucket, r.span.bucket), p.Alerted, p.AlertedStart
	}
	restoreHistories(r.users, st.Users)
	return nil
}

// snapshotHistories lists the histories of l, least recently used first.
func snapshotHistories(l *lru[string, history]) []historySnapshot {
	var out []historySnapshot
	l.each(func(k string, h *history) bool {
		out = append(out, historySnapshot{Key: k, Hours: h.hours})
		return true
	})
	return out
}

// restoreHistories loads hs into l in order (the last becomes the most
// recently used).
func restoreHistories(l *lru[string, history], hs []historySnapshot) {
	for _, s := range hs {
		l.touch(s.Key).hours = s.Hours
	}
}
