package detect

import (
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
		v := r.audit.pick(ev)
		cid, authType, name := v[0], v[1], v[2]
		if authType == "standard" || name == "authenticated_with_password" {
			r.join.side(cid, ev.Time, v[3], [maxSideCols]string{v[4], v[5]}, emit)
		}
	}
}

// Advance emits the alerts whose join window closed without an audit line.
func (r *localAuth) Advance(wm time.Time, emit Emit) { r.join.advance(wm, emit) }

// Close emits every alert still waiting for its audit line.
func (r *localAuth) Close(emit Emit) { r.join.close(emit) }
