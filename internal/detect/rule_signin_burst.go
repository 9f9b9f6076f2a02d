package detect

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// signinBurstSpec is the native substitute of sentinel.signin_burst, whose
// Sentinel form reads Entra ID sign-in logs the agent never sees: successful
// sign-ins of one user name from more than one country (GeoIP) within 60
// minutes.
//
// Sign-ins are the application log's successful_login and the audit log's
// authenticated_with_* events and legacy lines with an authentication method
// (`with`) but no EventName; the user is Username (application log), else
// meta.user, else EntityPath of a User entity. The audit and application
// lines of one sign-in name the same country, so they never add one.
// The address is IPAddress or, on an audit line without one (the legacy
// sign-in lines), meta.remote_ip (signinAddress); the alert's IPAddress is
// that address. Addresses without a country are skipped and counted.
//
// An alert's window (and its time, window_start and alert_id) ends at the
// sign-in that met the condition or, when that sign-in came out of order,
// at the first sign-in from which a window holding it met the condition,
// as in time order (judge), so both orders give one alert; its IPAddress
// and country columns and event_ids are those of the sign-in that raised
// it.
//
// With new_country_days N > 0 the rule also alerts when a user signs in
// from a country the user has not signed in from in the N×24 hours before
// the sign-in (a country last seen exactly N×24 h earlier is still known),
// once the user has a sign-in history with a country: a user's first
// sign-in ever is not alerted, while a user whose countries all expired
// (dormant for more than N days) is still remembered as having a history
// (signinBurst.past), so that a sign-in from any country then alerts. The
// users with countries and those remembered count together against
// max_keys, the remembered ones evicted first, oldest first (counted as
// Evicted). Both are persisted.
//
// Parameters: window (60m), min_countries (2), new_country_days (0: off),
// max_keys (100000), suppress (60m), geoip_db (used when the agent has no
// GeoIP database, e.g. in detect). Off without a GeoIP database.
func signinBurstSpec() Spec {
	return Spec{
		Info: Info{
			ID: "sentinel.signin_burst", Name: "GitLab - SSO - Sign-Ins Burst", Kind: KindExternal,
			Severity: SeverityMedium, Tactic: []string{"CredentialAccess"}, Technique: []string{"T1110"},
			Description: "Successful sign-ins of one user from two or more countries within 60 minutes (GeoIP).",
		},
		Default:  true,
		Params:   []string{"window", "min_countries", "new_country_days", "max_keys", "geoip_db"},
		Suppress: defaultSuppression,
		New:      newSigninBurst,
		Logs:     func(*Params) []parser.Type { return []parser.Type{parser.TypeApplication, parser.TypeAudit} },
	}
}

// authEventNames are the Auditor's sign-in events (18.3 and later).
var authEventNames = [...]string{
	"authenticated_with_password", "authenticated_with_two_factor", "authenticated_with_webauthn",
	"authenticated_with_ldap", "authenticated_with_oauth", "authenticated_with_group_saml",
}

// signinUser is one user's recent countries and, with new_country_days,
// when (Unix ns) the user last signed in from each country.
type signinUser struct {
	Recent spreadState      `json:"recent,omitzero"`
	Known  map[string]int64 `json:"known_at,omitempty"`
	// NewAlerted is when the user's last alert for a new country alone
	// (no burst) was raised, Unix ns: such alerts are suppressed apart
	// from the bursts (Recent.Alerted), so that one does not hide the
	// other.
	NewAlerted int64 `json:"new_alerted,omitempty"`
}

// signinKeep is the most countries a user's window holds.
const signinKeep = 16

type signinBurst struct {
	suppressCount
	window   time.Duration
	min      int
	newDays  int64
	suppress time.Duration
	geo      geoLookup
	users    *lru[string, signinUser]
	// past holds, with new_country_days, the users whose countries all
	// expired (Advance), with when they last signed in from a country
	// (Unix ns), oldest first: they have a sign-in history, so any
	// country is new for them when they come back (Observe moves them
	// back to users). users and past hold at most max keys together.
	past        *lru[string, int64]
	pastEvicted uint64
	max         int
	newNs       int64 // new_country_days in ns
	skipped     uint64
	late        uint64
	closed      int64 // Unix ns before which windows are closed: watermark − window
	floor       int64 // closed, or noFloor or restoredFloor before the first watermark (see spreadState.observe)
}

func newSigninBurst(p *Params, env *Env) (Rule, error) {
	r := &signinBurst{
		window:   positiveDuration(p, "window", defaultWindow),
		min:      p.Int("min_countries", 2),
		newDays:  int64(p.Int("new_country_days", 0)),
		suppress: p.Duration("suppress", defaultSuppression),
		floor:    noFloor,
	}
	if r.min < 2 {
		p.Fail("min_countries", "want at least 2")
	}
	max := p.Int("max_keys", defaultMaxKeys)
	if max < 1 {
		p.Fail("max_keys", "want at least 1")
	}
	db, owned, err := openGeo(p, env, "sentinel.signin_burst")
	if err != nil {
		return nil, err
	}
	r.geo = geoLookup{db: db, owned: owned}
	r.users = newLRU[string, signinUser](max)
	r.max = max
	if r.newDays > 0 {
		r.past = newLRU[string, int64](max)
		r.newNs = r.newDays * int64(24*time.Hour)
	}
	return r, nil
}

func (r *signinBurst) Info() Info { return signinBurstSpec().Info }

func (r *signinBurst) Wants() []Key {
	ks := []Key{EventKind(parser.KindSuccessfulLogin), NoEventName()}
	for _, n := range authEventNames {
		ks = append(ks, EventName(n))
	}
	return ks
}

// Keys returns the users held: with countries, and remembered (past).
func (r *signinBurst) Keys() int {
	if r.past != nil {
		return r.users.len() + r.past.len()
	}
	return r.users.len()
}

// Evicted returns the users dropped at max_keys: with countries, and
// remembered.
func (r *signinBurst) Evicted() uint64 { return r.users.evicted + r.pastEvicted }

func (r *signinBurst) MaxKeys() int { return r.max }

// Skipped returns the sign-ins from addresses without a country.
func (r *signinBurst) Skipped() uint64 { return r.skipped }

// LateDropped returns the sign-ins older than their user's window.
func (r *signinBurst) LateDropped() uint64 { return r.late }

// Keep implements Filter: a legacy audit line only as a sign-in.
func (r *signinBurst) Keep(t parser.Type, c Columns) bool {
	return t != parser.TypeAudit || c.Get(parser.ColEventName) != "" || c.Get(parser.ColAuthenticationType) != ""
}

// absentCond implements absentConder: a legacy line only as a sign-in.
func (r *signinBurst) absentCond() cond { return notIn(parser.ColAuthenticationType, "") }

// signinUsername returns the user name of a sign-in event, or "" when ev is
// not one.
func signinUsername(ev *Event) string {
	if ev.Type == parser.TypeApplication {
		return ev.Get(parser.ColUsername)
	}
	if ev.Get(parser.ColEventName) == "" && ev.Get(parser.ColAuthenticationType) == "" {
		return "" // a legacy audit line that is not a sign-in
	}
	if u := ev.Get("meta.user"); u != "" {
		return u
	}
	if ev.Get(parser.ColEntityType) == "User" {
		return ev.Get(parser.ColEntityPath)
	}
	return ""
}

// signinAddress returns the address of sign-in event ev: IPAddress, or,
// on an audit line without one, meta.remote_ip, the only address of the
// sign-in lines GitLab's legacy AuditEventService writes (as
// sentinel.ti_malicious_ip's all_logs takes it). Such a line has no GeoIP
// columns of the agent's (they follow IPAddress), so its country is looked
// up by the rule, in run as in detect.
func signinAddress(ev *Event) string {
	ip := ev.Get(parser.ColIPAddress)
	if ip == "" && ev.Type == parser.TypeAudit {
		ip = ev.Get(colMetaRemoteIP)
	}
	return ip
}

func (r *signinBurst) Observe(ev *Event, _ Clock, emit Emit) {
	// One account whatever the case of its name, as to the other sign-in
	// rules (foldLogin).
	user := foldLogin(signinUsername(ev))
	if user == "" || ev.Time.IsZero() {
		return
	}
	ip := signinAddress(ev)
	p := r.geo.lookup(ev, ip)
	if p.ISO == "" {
		r.skipped++
		return
	}
	ns := ev.Time.UnixNano()
	if ns < r.closed {
		r.late++
		return
	}
	hist := r.unpast(user)
	u := touchClone(r.users, user)
	window := int64(r.window)
	fate := u.Recent.observe(p.ISO, ns, window, r.floor, signinKeep)
	if fate == spreadLate {
		r.late++
		return
	}
	e, countries, seen := r.judge(&u.Recent, ns, fate)
	end := time.Unix(0, e).UTC()
	isNew := r.newCountry(u, p.ISO, ns, hist)
	burst := countries >= r.min
	if !burst && !isNew {
		return
	}
	// A burst is suppressed, and suppresses, at its alert's time, as in
	// time order: a sign-in out of order raises the alert of a later one.
	last, at := &u.Recent.Alerted, e
	if !burst {
		last, at = &u.NewAlerted, ns
	}
	if quietAround(*last, r.suppress).holds(at) {
		r.suppressCount.n++
		return
	}
	*last = max(*last, at)
	if seen == nil {
		seen = u.Recent.Seen
	}
	list := make([]string, 0, len(seen))
	for _, s := range seen {
		list = append(list, s.V)
	}
	a := &Alert{
		Time: end, Key: []Column{{parser.ColUsername, user}},
		Columns: append([]Column{{"Countries", strings.Join(list, ",")},
			{parser.ColIPAddress, ip}}, p.columns()...),
		Count: len(list), WindowStart: time.Unix(0, end.UnixNano()-window).UTC(), WindowEnd: end,
		FirstEvent: time.Unix(0, firstSighting(seen, end.UnixNano(), window)).UTC(), LastEvent: end,
	}
	if !burst {
		// A key of its own: the engine's suppression per (rule, key)
		// keeps it from hiding a burst of the user, as NewAlerted does
		// the rule's.
		a.Key = append(a.Key, Column{"NewCountry", "true"})
	} else {
		a.Threshold, a.HasThreshold = float64(r.min-1), true
	}
	a.AddEventID(ev.Get(parser.ColEventID))
	emit(a)
}

// judge returns the window that the sign-in at ns (Unix ns), which
// observe recorded in st with fate, is judged with: its end (Unix ns),
// how many countries it holds and those countries (nil: st.Seen, the
// window of the newest sign-in). In time order that is the window ending
// at ns. A sign-in that came out of order is judged as time order would
// have: with the first window holding it that reaches min_countries
// (firstReach), so both orders raise one alert with one alert_id; else
// with the window of the newest sign-in when it is in that window, else
// with the window of its own that holds the most countries (best).
func (r *signinBurst) judge(st *spreadState, ns int64, fate spreadFate) (end int64, countries int, seen []seenValue) {
	window := int64(r.window)
	newest := st.newest()
	if ns >= newest {
		return ns, len(st.Seen), nil
	}
	e, n := st.firstReach(ns, window, r.floor, quietAround(st.Alerted, r.suppress), r.min)
	if n < 0 {
		if fate == spreadNewest {
			return newest, len(st.Seen), nil
		}
		if e, n = st.best(ns, window, r.floor); n >= 0 && e == newest {
			return newest, len(st.Seen), nil
		} else if n < 0 {
			e = ns
		}
	}
	seen = st.at(e, window)
	seen = seen[max(0, len(seen)-signinKeep):]
	return e, len(seen), seen
}

// unpast reports whether user is remembered in past (a sign-in history
// whose countries all expired) and takes it out, as Observe is about to
// hold it in users; a user new to both first makes room by evicting the
// oldest remembered user when users and past hold max keys together.
// Without new_country_days it does nothing.
func (r *signinBurst) unpast(user string) (hist bool) {
	if r.past == nil || r.past.len() == 0 {
		return false
	}
	if _, ok := r.past.get(user); ok {
		r.past.remove(user)
		return true
	}
	if r.users.len()+r.past.len() >= r.max {
		if _, ok := r.users.get(user); !ok {
			r.makePastRoom()
		}
	}
	return false
}

// makePastRoom evicts the oldest remembered user, counted, when users and
// past hold max keys together, so that one more user fits.
func (r *signinBurst) makePastRoom() {
	if r.users.len()+r.past.len() >= r.max {
		k, _, _ := r.past.front()
		r.past.remove(k)
		r.pastEvicted++
	}
}

// newCountry records that u signed in from iso at ns (Unix ns) and
// reports whether iso is new for a user with a sign-in history (a country
// held, expired or not, or hist: remembered in past), when
// new_country_days is on: new when u has not signed in from iso in the
// new_country_days×24 h up to ns. Countries last seen before that are
// forgotten.
func (r *signinBurst) newCountry(u *signinUser, iso string, ns int64, hist bool) bool {
	if r.newDays <= 0 {
		return false
	}
	if u.Known == nil {
		u.Known = make(map[string]int64)
	}
	hist = hist || len(u.Known) > 0
	cut := ns - r.newNs
	for c, t := range u.Known {
		if t < cut {
			delete(u.Known, c)
		}
	}
	last, seen := u.Known[iso]
	switch {
	case !seen:
		u.Known[strings.Clone(iso)] = ns
	case ns > last:
		u.Known[iso] = ns
	}
	return !seen && hist
}

// Advance forgets users with no sign-in in the window and, with
// new_country_days, no country in the new_country_days×24 h up to wm; such
// a user who had a country is remembered in past.
func (r *signinBurst) Advance(wm time.Time, _ Emit) {
	cut := wm.UnixNano() - int64(r.window)
	r.closed = max(r.closed, cut)
	r.floor = r.closed
	known := wm.UnixNano() - r.newNs
	r.users.each(func(k string, u *signinUser) bool {
		for _, s := range u.Recent.Seen {
			if s.Last > cut {
				return false
			}
		}
		last := int64(0)
		for _, t := range u.Known {
			if t >= known {
				return false
			}
			last = max(last, t)
		}
		if r.past != nil && last != 0 {
			*r.past.touch(k) = last // users holds k: past has room
		}
		r.users.remove(k)
		return true
	})
}

// Close closes the database the rule opened from geoip_db.
func (r *signinBurst) Close(Emit) { r.geo.closeOwned() }

// signinSnapshot is a user of the state file: one held in users, or, with
// Past set, one remembered in past (users first, then past, each oldest
// first). Known of a state file written before known_at (the day, dayOf,
// of each country) is OldKnown.
type signinSnapshot struct {
	User string `json:"u"`
	signinUser
	Earlier  *spreadRuns      `json:"earlier,omitempty"` // of Recent
	Past     int64            `json:"past,omitempty"`
	OldKnown map[string]int64 `json:"known,omitempty"`
}

func (r *signinBurst) StateVersion() int { return 1 }

func (r *signinBurst) Snapshot() ([]byte, error) {
	out := []signinSnapshot{}
	r.users.each(func(k string, u *signinUser) bool {
		out = append(out, signinSnapshot{User: k, signinUser: *u, Earlier: u.Recent.earlier()})
		return true
	})
	if r.past != nil {
		r.past.each(func(k string, t *int64) bool {
			out = append(out, signinSnapshot{User: k, Past: *t})
			return true
		})
	}
	return json.Marshal(out)
}

func (r *signinBurst) Restore(data []byte) error {
	var in []signinSnapshot
	if err := json.Unmarshal(data, &in); err != nil {
		return fmt.Errorf("sentinel.signin_burst: %w", err)
	}
	for _, s := range in {
		if s.Past != 0 {
			if r.past != nil {
				r.makePastRoom()
				*r.past.touch(s.User) = s.Past
			}
			continue
		}
		u := r.users.touch(s.User)
		*u = s.signinUser
		u.Recent.setEarlier(s.Earlier)
		if u.Known == nil && len(s.OldKnown) > 0 {
			// A day d kept a country known through day d+N: its end.
			u.Known = make(map[string]int64, len(s.OldKnown))
			for c, d := range s.OldKnown {
				u.Known[c] = (d+1)*int64(24*time.Hour) - 1
			}
		}
	}
	r.floor = restoredFloor
	return nil
}
