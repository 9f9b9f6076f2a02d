package detect

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/internal/geoip"
	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Defaults of sentinel.impersonation.
const (
	defaultMaxSession = 24 * time.Hour
	defaultMaxPending = 100_000
	// copyFold is how close in event time to the start of an open session
	// another start of its user must be to be a copy of it: GitLab logs
	// the instance event and one copy per group of the user within the
	// same request. A start at or after the session's stop is a new
	// session, however close.
	copyFold = 60 * time.Second
)

// impersonationSpec is sentinel.impersonation: every action done while an
// administrator impersonates a user.
//
// A session per impersonated user opens at the first start and closes at
// the first stop, or max_session (24h) after the start. Starts and stops
// are the legacy lines (CustomMessage "Started Impersonation" / "Stopped
// Impersonation", TargetID = the user's id), the Auditor's user_impersonation
// events (the same messages, or "Instance administrator started|stopped
// impersonation of <username>" for the copies GitLab logs per group of the
// user), all folded into one start and one stop, and the application log's
// impersonation_started / impersonation_stopped (CE and EE; user names
// only). Sessions are keyed by user id, never by display name; the
// application-log form, which has only user names, opens a session keyed by
// the user name, matched against the meta.user of later events.
//
// An action is any other audit event with ImpersonatedBy set, or with
// AuthorID equal to the user of a session open at its time (start ≤ time <
// stop), and any application-log event of a kind the rule reads
// (project/group/user created or removed) whose meta.user is the user of a
// session keyed by name. Each action alerts once (each audit event, also
// when one request logged several; an application-log action and an
// audit event of its request are one action: see repeated), key
// AuthorID, with the action as the alert's event and SessionAdmin,
// SessionAdminID, SessionStart and ImpersonatedUser as columns. Unlike Sentinel's rule, a session that is
// never stopped (Sentinel's inner join of starts with stops drops it) or
// whose stop is read before its actions still attributes its actions.
//
// Events are held (copies in the rule's reusable storage, heldPool) until
// the watermark passes them, then evaluated in event time order (a start
// before the actions of its instant, a stop after), so an action read
// before its start (another file, a late streamed delivery) is attributed,
// and a replay gives the alerts of a live run. At most max_pending events
// are held; beyond that the oldest is evaluated early.
// Closed sessions are kept for max_session after their stop so that late
// actions still fold; older late actions are counted as dropped.
//
// In the agent, Want asks the rule per line, before the line's event is
// made (WantLine): an audit line that names no impersonator is wanted
// only once a start of its user was seen, and then every line of the user
// until the rule folds the session's stop, after that only the lines
// inside the user's sessions ([start, stop)); the agent reads its files
// side by side, so the action can be read before a start in another file
// (the application log's, keyed by user name). With max_lookback above 0
// (Engine.KeepsDeclined), the agent gives the rule
// the lines WantLine dropped (Engine.Declined; those other rules want
// too, which the rule ignores there when Process gave it them after all,
// WantLine asked again): the rule keeps those that
// could be an action, not yet passed by the watermark, in a bounded
// look-back (the line's time, the hashes of its user id and name and a
// copy of the line), and when it folds a start, it takes the look-back's
// lines of that user from the start to max_session after it and holds
// them as actions, so that run attributes what detect (which merges its
// inputs in time order) does. A declined line whose user's session was
// already folded is held at once. The look-back keeps at most
// max_lookback lines and max_lookback_bytes of copies, evicting the
// oldest (LookBackEvicted), and is saved with the rule's state.
//
// Parameters: max_session (24h), max_pending (100000), max_keys (100000
// impersonated users), max_lookback (0: no look-back; 200000 lines
// closes the gap on a generated backlog), max_lookback_bytes
// (128 MiB; bytes, or with a unit: 64MiB).
func impersonationSpec() Spec {
	return Spec{
		Info: Info{
			ID: "sentinel.impersonation", Name: "GitLab - User Impersonation", Kind: KindSequence,
			Severity: SeverityMedium, Tactic: []string{"Persistence"}, Technique: []string{"T1078"},
			Description: "An action done while an administrator impersonated the user (between start and stop of the session).",
		},
		Default: true,
		Params:  []string{"max_session", "max_pending", "max_keys", "max_lookback", "max_lookback_bytes"},
		New:     newImpersonation,
	}
}

// impClass is what an event is to the rule (its values are saved with the
// held events: append, never renumber). Events of the same instant are
// evaluated in the order of impRank.
type impClass uint8

const (
	impIgnore impClass = iota
	impStart
	impAction
	impStop
)

// impSession is one impersonation session of one user.
type impSession struct {
	Start     int64  `json:"start"`          // Unix ns
	Stop      int64  `json:"stop,omitempty"` // Unix ns; 0 while open
	Admin     string `json:"admin"`          // AuthorName of the start (display name)
	AdminID   string `json:"admin_id"`       // AuthorID of the start
	AdminUser string `json:"admin_user"`     // the admin's username, when logged
	User      string `json:"user"`           // the impersonated user's username
	startText string // Start in RFC 3339, made by the first alert that needs it
}

// startRFC3339 returns s.Start in RFC 3339 (UTC, nanoseconds), formatting
// it once per session.
func (s *impSession) startRFC3339() string {
	if s.startText == "" {
		s.startText = time.Unix(0, s.Start).UTC().Format(time.RFC3339Nano)
	}
	return s.startText
}

// end returns when s stops counting actions: its stop, or max after the
// start while it is open.
func (s *impSession) end(max time.Duration) int64 {
	if s.Stop != 0 {
		return s.Stop
	}
	return s.Start + int64(max)
}

// pendingEvent is an event held until the watermark passes it.
type pendingEvent struct {
	Ev    *Event   `json:"ev"`
	Class impClass `json:"class"`
	Seq   uint64   `json:"seq"`
	// sec and nsec are Ev.Time (Unix seconds, nanoseconds within), set by
	// push, so that ordering the heap does not read the events.
	sec  int64
	nsec int32
	// pooled says that the rule's heldPool made Ev: eval gives it back.
	pooled bool
	// late says that Ev arrived after the watermark passed its time
	// (Observe evaluates it at once; see action).
	late bool
}

// pendingHeap is a min-heap of held events ordered by time, then class,
// then arrival (typed, so that pushing does not box the element).
type pendingHeap []pendingEvent

// pendingBefore orders the held events: by time, then class, then
// arrival.
func pendingBefore(a, b *pendingEvent) bool {
	if a.sec != b.sec {
		return a.sec < b.sec
	}
	if a.nsec != b.nsec {
		return a.nsec < b.nsec
	}
	if a.Class != b.Class {
		return impRank[a.Class] < impRank[b.Class]
	}
	return a.Seq < b.Seq
}

// impRank orders the classes of events of one instant: starts, then stops,
// then actions, so that a session holds the actions of start ≤ EventTime
// < stop (detections.md 4.1), an action at the instant of its session's
// start but not one at the instant of its stop.
var impRank = [...]uint8{impIgnore: 0, impStart: 1, impStop: 2, impAction: 3}

func (h *pendingHeap) push(p pendingEvent) {
	p.sec, p.nsec = p.Ev.Time.Unix(), int32(p.Ev.Time.Nanosecond())
	*h = heapPush(*h, p, pendingBefore)
}

// before reports whether p's event is before t.
func (p *pendingEvent) before(t time.Time) bool {
	if s := t.Unix(); p.sec != s {
		return p.sec < s
	}
	return p.nsec < int32(t.Nanosecond())
}

func (h *pendingHeap) pop() pendingEvent {
	top, q := heapPop(*h, pendingBefore)
	*h = q
	return top
}

// sessKey names the sessions of one impersonated user: by user id (audit
// starts), or by user name (application-log starts, which carry no id).
type sessKey struct {
	ByName bool
	V      string
}

// String returns "id:<id>" or "user:<name>", the key's form in snapshots.
func (k sessKey) String() string {
	if k.ByName {
		return "user:" + k.V
	}
	return "id:" + k.V
}

// impersonation implements sentinel.impersonation.
type impersonation struct {
	maxSession time.Duration
	maxPending int
	// sessions per impersonated user, oldest first.
	sessions *lru[sessKey, []impSession]
	pending  pendingHeap
	pool     heldPool // the storage of the held copies of Observe's events
	seq      uint64
	wm       time.Time
	swept    int64 // the minute (Unix time / 60) of the watermark last swept
	// endsFrom is at or before the end of every session kept (Unix ns;
	// 0 until the first sweep): a sweep whose cut is not after it has
	// nothing to forget, and does not visit the sessions.
	endsFrom int64
	late     uint64
	// alerted holds the last actions alerted, by request (see repeated):
	// one event logged in the audit and the application log, or twice in
	// the audit log, alerts once.
	alerted    [64]impAlerted
	alertedPos int
	// watch is the users whose lines Want lets through (WantLine);
	// scratch and dirty are sessionsWatch's and resyncWatch's storage.
	watch     impWatch
	scratch   userWatch
	dirty     []sessKey
	sweptKeys []sessKey // sweep's storage
	widen     widened   // recheckLine's users widened since an epoch
	// resynced and resyncEvicted are the minute of watermark and the
	// sessions evicted at the last resyncWatch of Advance.
	resynced      int64
	resyncEvicted uint64
	// openEndsFrom is at or before the end (start + max_session) of each
	// open session kept that resyncWatch has not narrowed yet (Unix ns; 0
	// until the first resyncWatch): before the watermark reaches it, no
	// open session passes its end.
	openEndsFrom int64
	// lb holds the lines WantLine dropped that may be actions of a session
	// whose start is read later (declined); lbPos is, per source, the
	// position of the last such line handled, so that a line read again
	// after a restart is not held twice.
	lb    *lookBack
	lbPos map[string]position
	// observed holds, per source, the positions of the last actions
	// Observe was given, in file order, so that declined ignores a line
	// other rules wanted that Process gave the rule after all (kept only
	// while the look-back is on: declined is given no line otherwise).
	observed map[string][]position
	// geo, parsers and rec re-parse a look-back line into an event as the
	// agent made it (GeoIP columns included).
	geo     *geoip.DB
	log     *slog.Logger // warns once when the look-back first evicts (nil: silent)
	warned  bool
	parsers [parser.NumTypes]parser.Parser
	rec     parser.Record
	geoBuf  []parser.Field
}

func newImpersonation(p *Params, env *Env) (Rule, error) {
	r := &impersonation{
		maxSession: positiveDuration(p, "max_session", defaultMaxSession),
		maxPending: p.Int("max_pending", defaultMaxPending),
		lbPos:      map[string]position{},
		observed:   map[string][]position{},
	}
	if env != nil {
		r.geo, r.log = env.Geo, env.Log
	}
	maxLB, maxLBBytes := p.Int("max_lookback", defaultMaxLookBack), p.Bytes("max_lookback_bytes", defaultMaxLookBackBytes)
	if maxLB < 0 {
		p.Fail("max_lookback", "want 0 (no look-back) or more")
	}
	if maxLBBytes < 0 {
		p.Fail("max_lookback_bytes", "want 0 (no look-back) or more")
	}
	r.lb = newLookBack(maxLB, maxLBBytes)
	max := p.Int("max_keys", defaultMaxKeys)
	if max < 1 {
		p.Fail("max_keys", "want at least 1")
	}
	if r.maxPending < 1 {
		p.Fail("max_pending", "want at least 1")
	}
	r.sessions = newLRU[sessKey, []impSession](max)
	return r, nil
}

func (r *impersonation) Info() Info { return impersonationSpec().Info }

// impActionKinds are the application-log events that count as actions of a
// session known by user name.
var impActionKinds = [...]string{
	parser.KindProjectCreated, parser.KindProjectRemoved, parser.KindGroupCreated,
	parser.KindGroupRemoved, parser.KindUserCreated, parser.KindUserRemoved,
}

// Wants asks for the events that can start, stop or be an action of a
// session: every audit line (those with EventName and those without, so
// that the legacy lines keep their own dispatch table), and the
// application log's impersonation and action kinds. An audit action need
// not carry ImpersonatedBy (legacy lines, and Auditor events of the
// impersonated user written without it): WantLine lets through, of the
// audit lines that name no impersonator, only those of a user the watch
// holds.
func (r *impersonation) Wants() []Key {
	ks := []Key{
		HasColumn(parser.TypeAudit, parser.ColEventName), NoEventName(),
		EventKind(parser.KindImpersonationStarted), EventKind(parser.KindImpersonationStopped),
	}
	for _, k := range impActionKinds {
		ks = append(ks, EventKind(k))
	}
	return ks
}

func (r *impersonation) Keys() int       { return r.sessions.len() }
func (r *impersonation) Evicted() uint64 { return r.sessions.evicted }
func (r *impersonation) MaxKeys() int    { return r.sessions.max }

// LateDropped returns the actions that came after every session they could
// belong to had been forgotten.
func (r *impersonation) LateDropped() uint64 { return r.late }

// classify says whether ev starts or stops a session, may be an action, or
// is of no interest.
func classify(ev *Event) impClass {
	if ev.Type == parser.TypeApplication {
		switch ev.Get(parser.ColEventKind) {
		case parser.KindImpersonationStarted:
			return impStart
		case parser.KindImpersonationStopped:
			return impStop
		}
		if ev.Get("meta.user") == "" {
			return impIgnore
		}
		return impAction
	}
	msg := ev.Get(parser.ColCustomMessage)
	switch {
	case msg == "Started Impersonation" || (strings.Contains(msg, " started impersonation of ") &&
		ev.Get(parser.ColEventName) == "user_impersonation"):
		return impStart
	case msg == "Stopped Impersonation" || (strings.Contains(msg, " stopped impersonation of ") &&
		ev.Get(parser.ColEventName) == "user_impersonation"):
		return impStop
	case ev.Get(parser.ColEventName) == "user_impersonation":
		return impIgnore // a form not known: neither an action nor a boundary
	}
	return impAction
}

func (r *impersonation) Observe(ev *Event, _ Clock, emit Emit) {
	if ev.Time.IsZero() {
		return
	}
	c := classify(ev)
	if c == impIgnore {
		return
	}
	if c == impAction && ev.FileID != "" && ev.Type == parser.TypeAudit && r.keepsDeclined() {
		r.noteObserved(ev)
	}
	if !r.wm.IsZero() && ev.Time.Before(r.wm) {
		// Late: the events of its time were already evaluated; evaluate it
		// now against the sessions still held.
		r.eval(pendingEvent{Ev: ev, Class: c, late: true}, emit)
		return
	}
	if c == impStart {
		// Announced until eval folds it (Want announced it already, unless
		// the event came another way).
		k, _ := sessionKey(ev.Type, ev)
		r.watch.announce(k, ev.Time.UnixNano())
	}
	r.seq++
	held := r.pool.hold(ev) // held past Observe: a copy (see Event)
	r.pending.push(pendingEvent{Ev: held, Class: c, Seq: r.seq, pooled: true})
	for len(r.pending) > r.maxPending {
		r.eval(r.pending.pop(), emit)
	}
}

// Advance evaluates the held events older than the watermark, in order,
// and forgets sessions that ended more than max_session ago.
func (r *impersonation) Advance(wm time.Time, emit Emit) {
	if wm.After(r.wm) {
		r.wm = wm
	}
	for len(r.pending) > 0 && r.pending[0].before(wm) {
		r.eval(r.pending.pop(), emit)
	}
	r.lb.expire(wm.UnixNano())
	if m := wm.Unix() / 60; m > r.swept {
		r.swept = m
		r.sweep(wm.UnixNano() - int64(r.maxSession))
		if r.sessions.evicted != r.resyncEvicted || m >= r.resynced+resyncEvery && r.mayNarrow() {
			r.resynced, r.resyncEvicted = m, r.sessions.evicted
			r.resyncWatch(wm.UnixNano() - 2*int64(r.maxSession))
		}
	}
}

// mayNarrow reports whether resyncWatch may find the watch wanting more
// than the sessions make wanted without a session swept or evicted: an
// open session passed its end, or an announced start its cut.
func (r *impersonation) mayNarrow() bool {
	wm := r.wm.UnixNano()
	return r.openEndsFrom <= wm || r.watch.annBefore(wm-2*int64(r.maxSession))
}

// resyncEvery is how many minutes of watermark the watch may lag behind
// the sessions (resyncWatch) while no session is swept or evicted: an
// open session past its end, an announced start past the cut, make it
// want more lines than it could, never fewer. Neither can happen before
// the watermark reaches an open session's end or an announced start's cut
// (mayNarrow), and Advance does not resync until then; sweep updates the
// watch of the users it changes itself.
const resyncEvery = 15

// sweep forgets the sessions that ended before cut (Unix ns), and the
// users left without one, and makes the watch hold what the sessions of
// the users it changed make wanted. It runs once per minute of watermark.
func (r *impersonation) sweep(cut int64) {
	if cut <= r.endsFrom {
		return
	}
	changed := r.sweptKeys[:0]
	r.endsFrom = math.MaxInt64
	r.sessions.each(func(k sessKey, ss *[]impSession) bool {
		live := (*ss)[:0]
		for _, s := range *ss {
			if end := s.end(r.maxSession); end >= cut {
				live = append(live, s)
				r.endsFrom = min(r.endsFrom, end)
			}
		}
		if len(live) != len(*ss) || len(live) == 0 { // none: a user restored without a session
			changed = append(changed, k)
		}
		clear((*ss)[len(live):])
		*ss = live
		return true
	})
	for _, k := range changed {
		if ss, ok := r.sessions.get(k); ok && len(*ss) == 0 {
			r.sessions.remove(k)
		}
		r.syncWatch(k, false, 0)
	}
	clear(changed)
	r.sweptKeys = changed[:0]
}

// Close evaluates every held event.
func (r *impersonation) Close(emit Emit) {
	for len(r.pending) > 0 {
		r.eval(r.pending.pop(), emit)
	}
}

// eval applies one event in event-time order. A pooled event goes back to
// the pool after: start, stop and action keep copies of what they keep
// (sessions, watch, CorrelationIDs), and an Emit keeps nothing of it.
func (r *impersonation) eval(p pendingEvent, emit Emit) {
	switch p.Class {
	case impStart:
		r.start(p.Ev)
		k, _ := sessionKey(p.Ev.Type, p.Ev)
		r.syncWatch(k, true, p.Ev.Time.UnixNano())
		r.takeLookBack(p.Ev)
	case impStop:
		if k, ok := r.stop(p.Ev); ok {
			r.syncWatch(k, false, 0)
		}
	case impAction:
		r.action(p.Ev, p.late, emit)
	}
	if p.pooled {
		r.pool.release(p.Ev)
	}
}

// sessionKey returns the key of the session a start or stop is about, and
// the impersonated user's name.
func sessionKey(t parser.Type, ev Columns) (key sessKey, user string) {
	if t == parser.TypeApplication {
		u := ev.Get(parser.ColTargetUser)
		return sessKey{ByName: true, V: u}, u
	}
	user = ev.Get(parser.ColTargetDetails)
	if msg := ev.Get(parser.ColCustomMessage); strings.Contains(msg, " impersonation of ") {
		user = msg[strings.LastIndex(msg, " impersonation of ")+len(" impersonation of "):]
	}
	if id := ev.Get(parser.ColTargetID); id != "" {
		return sessKey{V: id}, user
	}
	return sessKey{ByName: true, V: user}, user
}

// start opens a session of the user of the start ev, unless ev is a copy
// of the start of the user's last session (in event time before the
// session's end, or within copyFold of its start while it is open).
func (r *impersonation) start(ev *Event) {
	key, user := sessionKey(ev.Type, ev)
	t := ev.Time.UnixNano()
	ss, _ := r.sessions.get(key)
	if ss != nil && len(*ss) > 0 {
		last := &(*ss)[len(*ss)-1]
		if t < last.end(r.maxSession) || (last.Stop == 0 && t-last.Start <= int64(copyFold)) {
			return // a copy of the start of an open session, or a restart while it is open
		}
	}
	s := impSession{Start: t, User: user}
	if ev.Type == parser.TypeApplication {
		s.AdminUser, s.AdminID = ev.Get(parser.ColUsername), ev.Get("meta.user_id")
		s.Admin = s.AdminUser
	} else {
		s.Admin, s.AdminID = ev.Get(parser.ColAuthorName), ev.Get(parser.ColAuthorID)
		s.AdminUser = ev.Get("meta.user")
		if s.AdminUser == "" && ev.Get(parser.ColEntityType) == "User" {
			s.AdminUser = ev.Get(parser.ColEntityPath)
		}
	}
	// Copies: a session is kept for a day, the event's line must not be.
	s.User, s.Admin, s.AdminID, s.AdminUser = strings.Clone(s.User), strings.Clone(s.Admin),
		strings.Clone(s.AdminID), strings.Clone(s.AdminUser)
	if ss == nil {
		key.V = strings.Clone(key.V)
	}
	p := r.sessions.touch(key)
	*p = append(*p, s)
	end := s.end(r.maxSession)
	r.endsFrom, r.openEndsFrom = min(r.endsFrom, end), min(r.openEndsFrom, end)
}

// stop closes the open session of the user of the stop ev, returning its
// key and true when it closed one.
func (r *impersonation) stop(ev *Event) (sessKey, bool) {
	key, _ := sessionKey(ev.Type, ev)
	ss, ok := r.sessions.get(key)
	if !ok || len(*ss) == 0 {
		return key, false // a stop without a start seen: nothing to close
	}
	last := &(*ss)[len(*ss)-1]
	t := ev.Time.UnixNano()
	if last.Stop == 0 && t >= last.Start && t < last.end(r.maxSession) {
		last.Stop = t
		r.endsFrom = min(r.endsFrom, t)
		return key, true
	}
	return key, false
}

// action alerts when ev was done inside a session. late says that ev
// arrived after the watermark had passed its time: when it is in no
// session held, it is counted as dropped if it is also older than every
// session still kept. An event evaluated in order is never counted, even
// when the watermark has since moved far past it.
func (r *impersonation) action(ev *Event, late bool, emit Emit) {
	t := ev.Time.UnixNano()
	var s *impSession
	var keys [2]sessKey
	if ev.Type == parser.TypeAudit {
		keys[0] = sessKey{V: ev.Get(parser.ColAuthorID)}
	}
	keys[1] = sessKey{ByName: true, V: ev.Get("meta.user")}
	for _, k := range keys {
		if k.V == "" {
			continue
		}
		if ss, ok := r.sessions.get(k); ok {
			for i := len(*ss) - 1; i >= 0; i-- {
				if c := &(*ss)[i]; c.Start <= t && t < c.end(r.maxSession) {
					s = c
					break
				}
			}
		}
		if s != nil {
			break
		}
	}
	by := ev.Get(parser.ColImpersonatedBy)
	if s == nil && by == "" {
		if late && t < r.wm.UnixNano()-int64(r.maxSession) {
			r.late++ // too old for the sessions still held
		}
		return
	}
	if r.repeated(ev.Get(parser.ColCorrelationID), ev.Get(parser.ColEventID), ev.Type == parser.TypeApplication) {
		return
	}
	author := ev.Get(parser.ColAuthorID)
	if ev.Type == parser.TypeApplication {
		author = ev.Get("meta.user_id")
	}
	a := &Alert{Time: ev.Time, Key: []Column{{parser.ColAuthorID, author}}, Event: ev}
	if s != nil {
		a.Columns = []Column{
			{"SessionAdmin", s.Admin}, {"SessionAdminID", s.AdminID},
			{"SessionStart", s.startRFC3339()},
			{"ImpersonatedUser", s.User},
		}
	} else {
		a.Columns = []Column{{"SessionAdmin", by}}
	}
	a.AddEventID(ev.Get(parser.ColEventID))
	emit(a)
}

// impAlerted is an action alerted: its request (CorrelationID), its
// EventID, whether it is of the application log, and whether an action
// of the other log was taken for its copy (joined).
type impAlerted struct {
	corr, id    string
	app, joined bool
}

// repeated reports whether an action of request corr (a CorrelationID)
// with EventID id, of the application log when app, is a copy of an
// action alerted recently, remembering it when it is not. A copy is the
// same audit event again (the same id: a file line and its streamed
// body), an application-log action of a request already alerted from the
// application log, or the one action of the other log that the request
// logged in both (the first not yet joined: an application-log line and
// one audit event of its request). Other audit events of the request are
// not copies: each alerts. Actions without CorrelationID are never
// copies.
func (r *impersonation) repeated(corr, id string, app bool) bool {
	if corr == "" {
		return false
	}
	join := -1
	for i := range r.alerted {
		a := &r.alerted[i]
		switch {
		case a.corr != corr:
		case a.app == app:
			if app || (id != "" && a.id == id) {
				return true
			}
		case !a.joined && join < 0:
			join = i
		}
	}
	if join >= 0 {
		r.alerted[join].joined = true
		return true
	}
	a := &r.alerted[r.alertedPos]
	*a = impAlerted{corr: strings.Clone(corr), app: app}
	if !app {
		a.id = strings.Clone(id)
	}
	r.alertedPos = (r.alertedPos + 1) % len(r.alerted)
	return false
}

// impersonationState is the persisted state of sentinel.impersonation: the
// sessions, the events still held and the look-back.
type impersonationState struct {
	Watermark time.Time         `json:"watermark"`
	Sessions  []impSessionsItem `json:"sessions"`
	Pending   []pendingEvent    `json:"pending"`
	// LookBack are the lines WantLine dropped that a start read later may
	// make actions, oldest first; LookBackPos the position of the last
	// line handled per source (see declined).
	LookBack    []lookBackLine      `json:"lookback,omitempty"`
	LookBackPos map[string]position `json:"lookback_pos,omitempty"`
}

type impSessionsItem struct {
	Key      string       `json:"k"`
	Sessions []impSession `json:"sessions"`
}

func (r *impersonation) StateVersion() int { return 1 }

// Snapshot returns the JSON of impersonationState (appendState).
func (r *impersonation) Snapshot() ([]byte, error) { return r.appendState(nil), nil }

func (r *impersonation) appendSnapshot(dst []byte) []byte { return r.appendState(dst) }

func (r *impersonation) Restore(data []byte) error {
	var st impersonationState
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("sentinel.impersonation: %w", err)
	}
	r.wm = st.Watermark
	for _, it := range st.Sessions {
		k := sessKey{V: strings.TrimPrefix(it.Key, "id:")}
		if name, ok := strings.CutPrefix(it.Key, "user:"); ok {
			k = sessKey{ByName: true, V: name}
		}
		*r.sessions.touch(k) = it.Sessions
	}
	r.endsFrom = 0 // the next sweep visits what was restored
	r.resyncWatch(math.MinInt64)
	r.restoreLookBack(st.LookBack, st.LookBackPos)
	for _, p := range st.Pending {
		if p.Ev == nil {
			continue
		}
		if p.Class == impStart {
			k, _ := sessionKey(p.Ev.Type, p.Ev)
			r.watch.announce(k, p.Ev.Time.UnixNano())
		}
		r.seq++
		p.Seq = r.seq
		r.pending.push(p)
	}
	return nil
}
