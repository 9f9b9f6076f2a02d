package detect

import (
	"math/bits"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

func localAuthSpec() Spec {
	return Spec{
		Info: sentinel("local_auth_no_mfa", "GitLab - Local Auth - No MFA", KindPerEvent,
			list(tacCredentialAccess), list("T1110"),
			"An administrator (with is_admin=false: any user) signed in with a password and no second factor."),
		Default: true,
		Params:  list("is_admin", "max_keys"),
		New:     newLocalAuth,
		Logs:    applicationLog, // the audit line only enriches
	}
}

// localAuth is sentinel.local_auth_no_mfa (Sentinel's "GitLab - Local
// Auth - No MFA", which tested a display name for "Administrator"): one alert
// per application-log "Successful Login" with method standard and, when
// is_admin (default true), admin=true; key Username. GitLab writes the
// admin flag there; the audit sign-in line of the same CorrelationID
// ("with: standard", or authenticated_with_password since 18.3) has none
// and only enriches the alert with the user's id and display name, when
// it arrives within ±60 s (see joiner). The alerts and audit lines held
// for the join are saved with the engine's state (Stateful, joinState):
// a restart or a reload of the configuration neither loses an alert nor
// the enrichment of one.
type localAuth struct {
	joinRule
	adminOnly bool
	app       picker // see Observe
	audit     picker
}

func newLocalAuth(p *Params, env *Env) (Rule, error) {
	r := &localAuth{adminOnly: p.Bool("is_admin", true)}
	r.joinRule = joinRule{id: p.Rule(), join: newJoiner(maxKeysParam(p, 10_000), parser.ColAuthorID, parser.ColAuthorName)}
	r.join.clock(env)
	r.app = newPicker(parser.ColCorrelationID, parser.ColAuthenticationType, parser.ColAdmin, parser.ColUsername)
	r.audit = newPicker(parser.ColCorrelationID, parser.ColAuthenticationType, parser.ColEventName,
		parser.ColEventID, parser.ColAuthorID, parser.ColAuthorName)
	return r, nil
}

func (r *localAuth) Info() Info { return localAuthSpec().Info }

func (r *localAuth) Wants() []Key {
	return []Key{EventKind(parser.KindSuccessfulLogin), NoEventName(), EventName("authenticated_with_password")}
}

// Keep implements Filter: audit lines only as the password sign-ins that
// may enrich an alert.
func (r *localAuth) Keep(t parser.Type, c Columns) bool {
	return t != parser.TypeAudit || c.Get(parser.ColAuthenticationType) == "standard" ||
		c.Get(parser.ColEventName) == "authenticated_with_password"
}

// absentCond implements absentConder: a legacy line only as a password sign-in.
func (r *localAuth) absentCond() cond { return in(parser.ColAuthenticationType, "standard") }

func (r *localAuth) Observe(ev *Event, _ Clock, emit Emit) {
	switch ev.Type {
	case parser.TypeApplication:
		v := r.app.pick(ev)
		cid, authType, admin, user := v[0], v[1], v[2], v[3]
		if authType != "standard" || (r.adminOnly && admin != "true") {
			return
		}
		a := &Alert{Time: ev.Time, Event: ev, Key: []Column{{parser.ColUsername, user}}}
		r.join.alert(cid, a, emit)
	case parser.TypeAudit:
		var v [4]string // CorrelationID, EventID, AuthorID, AuthorName
		if r.signIn(ev, &v) {
			r.join.side(v[0], ev.Time, v[1], v[2:], emit)
		}
	}
}

// signIn reports whether the audit event ev is a password sign-in, and
// sets v to its CorrelationID, EventID, AuthorID and AuthorName when it
// is. An event with an index (see Event) is read through it, the
// sign-in's columns only once it is one; others, and one whose index
// does not confirm a column, through the picker.
func (r *localAuth) signIn(ev *Event, v *[4]string) bool {
	if ev.indexed() {
		auth, ok1 := indexedCol(ev, parser.IDAuthenticationType)
		name, ok2 := indexedCol(ev, parser.IDEventName)
		if ok1 && ok2 && auth != "standard" && name != "authenticated_with_password" {
			return false
		}
		var ok [4]bool
		v[0], ok[0] = indexedCol(ev, parser.IDCorrelationID)
		v[1], ok[1] = indexedCol(ev, parser.IDEventID)
		v[2], ok[2] = indexedCol(ev, parser.IDAuthorID)
		v[3], ok[3] = indexedCol(ev, parser.IDAuthorName)
		if ok1 && ok2 && ok == [4]bool{true, true, true, true} {
			return true
		}
	}
	p := r.audit.pick(ev)
	if p[1] != "standard" && p[2] != "authenticated_with_password" {
		return false
	}
	*v = [4]string{p[0], p[3], p[4], p[5]}
	return true
}

// readsCols implements colReader: of an audit line, Keep and Observe read
// the sign-in's columns (signIn) and pass the event on to nothing (the
// join takes copies of its values); an application line's alert is raised
// on the event itself.
func (r *localAuth) readsCols(t parser.Type) (uint64, bool) {
	if t != parser.TypeAudit {
		return 0, false
	}
	return colBits(parser.IDCorrelationID, parser.IDAuthenticationType, parser.IDEventName,
		parser.IDEventID, parser.IDAuthorID, parser.IDAuthorName), true
}

// indexedCol returns the value of ev's column id, one of the Audit
// parser's own (below firstMeta), read through ev's index, which ev must
// have (Event.indexed): "" when ev has no such column. ok is false when
// the index's position is not confirmed by the column's name: the caller
// then searches (see colIndex). It is small enough to be inlined, so
// that a constant id folds into the shifts and masks.
func indexedCol(ev *Event, id parser.ColID) (v string, ok bool) {
	has := ev.cols.has
	if has>>id&1 == 0 {
		return "", true
	}
	i := bits.OnesCount64(has & (1<<id - 1)) // the columns before it: the parser's own
	if i >= len(ev.Columns) {
		return "", false
	}
	c := &ev.Columns[i]
	return c.Value, sameName(c.Name, id.Name())
}

// Advance emits the alerts whose join window closed without an audit line.
func (r *localAuth) Advance(wm time.Time, emit Emit) { r.join.advance(wm, emit) }

// Close emits every alert still waiting for its audit line.
func (r *localAuth) Close(emit Emit) { r.join.close(emit) }

// applicationLog is Spec.Logs of the join rules whose alerts an
// application-log line raises.
func applicationLog(*Params) []parser.Type { return []parser.Type{parser.TypeApplication} }
