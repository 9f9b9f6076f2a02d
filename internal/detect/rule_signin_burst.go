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
// sign-in that met the condition or, when that sign-in came out of order
// into a window already holding later ones of the user, at the newest of
// them, so both orders give one alert; its IPAddress and country columns
// and event_ids are those of the sign-in that raised it.
//
// With new_country_days > 0 the rule also alerts when a user signs in from
// a country not seen for that user in that many days, once the user has a
// sign-in history with a country (the set is persisted).
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
// the day (dayOf) each country was last seen.
type signinUser struct {
	Recent spreadState      `json:"recent"`
	Known  map[string]int64 `json:"known,omitempty"`
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
	skipped  uint64
	late     uint64
	closed   int64 // Unix ns before which windows are closed: watermark − window
	floor    int64 // closed, or noFloor or restoredFloor before the first watermark (see spreadState.observe)
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

func (r *signinBurst) Keys() int       { return r.users.len() }
func (r *signinBurst) Evicted() uint64 { return r.users.evicted }
func (r *signinBurst) MaxKeys() int    { return r.users.max }

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
	u := touchClone(r.users, user)
	window := int64(r.window)
	var countries int
	var seen []seenValue // the window judged, when not the newest's
	first, end := int64(0), ev.Time
	switch u.Recent.observe(p.ISO, ns, window, r.floor, signinKeep) {
	case spreadLate:
		r.late++
		return
	case spreadNewest:
		// The window of the newest sign-in, which is ev's unless ev came
		// out of order into it: the window ends at the newest then, as in
		// time order (the same window_start, hence alert_id).
		countries, first = len(u.Recent.Seen), u.Recent.First
		end = time.Unix(0, max(ns, u.Recent.newest())).UTC()
	case spreadEarlier:
		// A window of its own ending before the user's newest sign-in
		// may hold more countries: judged with the one with the most.
		e, n := u.Recent.best(ns, window, r.floor)
		if nb := u.Recent.newest(); n >= 0 && e == nb {
			countries, first = len(u.Recent.Seen), u.Recent.First
			end = time.Unix(0, nb).UTC()
			break
		}
		if n < 0 {
			e = ns
		}
		seen, first = u.Recent.at(e, window)
		seen = seen[max(0, len(seen)-signinKeep):]
		countries, end = len(seen), time.Unix(0, e).UTC()
	}
	isNew := r.newCountry(u, p.ISO, dayOf(ev.Time))
	burst := countries >= r.min
	if !burst && !isNew {
		return
	}
	if u.Recent.Alerted != 0 && ns < u.Recent.Alerted+int64(r.suppress) {
		r.suppressCount.n++
		return
	}
	u.Recent.Alerted = ns
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
		FirstEvent: time.Unix(0, first).UTC(), LastEvent: end,
	}
	if !burst {
		a.Columns = append(a.Columns, Column{"NewCountry", "true"})
	} else {
		a.Threshold, a.HasThreshold = float64(r.min-1), true
	}
	a.AddEventID(ev.Get(parser.ColEventID))
	emit(a)
}

// newCountry records that u signed in from iso on day and reports whether
// iso is new for a user who already had a country, when new_country_days
// is on.
func (r *signinBurst) newCountry(u *signinUser, iso string, day int64) bool {
	if r.newDays <= 0 {
		return false
	}
	if u.Known == nil {
		u.Known = make(map[string]int64)
	}
	for c, d := range u.Known {
		if d < day-r.newDays {
			delete(u.Known, c)
		}
	}
	last, seen := u.Known[iso]
	isNew := !seen && len(u.Known) > 0
	if !seen || day > last {
		u.Known[strings.Clone(iso)] = day
	}
	return isNew
}

// Advance forgets users with no sign-in in the window and, with
// new_country_days, no country in the remembered period.
func (r *signinBurst) Advance(wm time.Time, _ Emit) {
	cut := wm.UnixNano() - int64(r.window)
	r.closed = max(r.closed, cut)
	r.floor = r.closed
	day := dayOf(wm)
	r.users.each(func(k string, u *signinUser) bool {
		for _, s := range u.Recent.Seen {
			if s.Last > cut {
				return false
			}
		}
		for _, d := range u.Known {
			if d >= day-r.newDays {
				return false
			}
		}
		r.users.remove(k)
		return true
	})
}

// Close closes the database the rule opened from geoip_db.
func (r *signinBurst) Close(Emit) { r.geo.closeOwned() }

type signinSnapshot struct {
	User string `json:"u"`
	signinUser
	Earlier *spreadRuns `json:"earlier,omitempty"` // of Recent
}

func (r *signinBurst) StateVersion() int { return 1 }

func (r *signinBurst) Snapshot() ([]byte, error) {
	out := []signinSnapshot{}
	r.users.each(func(k string, u *signinUser) bool {
		out = append(out, signinSnapshot{User: k, signinUser: *u, Earlier: u.Recent.earlier()})
		return true
	})
	return json.Marshal(out)
}

func (r *signinBurst) Restore(data []byte) error {
	var in []signinSnapshot
	if err := json.Unmarshal(data, &in); err != nil {
		return fmt.Errorf("sentinel.signin_burst: %w", err)
	}
	for _, s := range in {
		u := r.users.touch(s.User)
		*u = s.signinUser
		u.Recent.setEarlier(s.Earlier)
	}
	r.floor = restoredFloor
	return nil
}
