package detect

import (
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

func externalUserSpec() Spec {
	return Spec{
		Info: sentinel("external_user", "GitLab - External User Added to GitLab", KindJoin,
			list(tacPersistence), list("T1136"),
			"A user was created whose e-mail domain is not in allowed_domains. Enriched with the admin, address and username of the audit line of the same request."),
		Default:  true,
		Params:   list("allowed_domains", "max_keys"),
		Suppress: 0,
		New:      newExternalUser,
		Logs:     applicationLog, // the audit line only enriches
	}
}

// externalUser is sentinel.external_user (Sentinel's "GitLab - External
// User Added to GitLab"): it alerts on application-log user_created lines
// (CE and EE) whose e-mail domain is not allowed: the text after the last
// "@", lower-cased, neither equal to an allowed_domains entry nor ending in
// "." + entry (an entry *.D: ending in ".D" only; allowedDomains reads the
// entries and refuses those that could never match, such as a URL).
// Without allowed_domains the rule is off. One alert per
// created user, key EmailAddress. It joins, without requiring it, the audit line of the same
// CorrelationID within ±60 s (AddAction user or EventName user_created):
// AuthorName, IPAddress and EntityPath (the new username). The alerts and
// audit lines held for the join are saved with the engine's state
// (Stateful, joinState): a restart or a reload of the configuration
// neither loses an alert nor the enrichment of one.
type externalUser struct {
	joinRule
	allowed []string // domains allowed with their subdomains
	subOnly []string // domains whose subdomains only are allowed (*.corp.example)
	app     picker   // see Observe
	audit   picker
}

// maxKeysParam reads max_keys (default def, at least 1).
func maxKeysParam(p *Params, def int) int {
	n := p.Int("max_keys", def)
	if n < 1 {
		p.Fail("max_keys", "want at least 1")
		n = def
	}
	return n
}

func newExternalUser(p *Params, env *Env) (Rule, error) {
	allowed, subOnly := allowedDomains(p)
	maxKeys := maxKeysParam(p, 10_000)
	if err := p.Err(); err != nil && p.Has("allowed_domains") { // an entry refused: not "off"
		return nil, err
	}
	if len(allowed)+len(subOnly) == 0 {
		return nil, &OffError{Rule: p.Rule(), Reason: "no allowed_domains (the e-mail domains of your users)", Param: "allowed_domains"}
	}
	r := &externalUser{allowed: allowed, subOnly: subOnly,
		joinRule: joinRule{id: p.Rule(), join: newJoiner(maxKeys, parser.ColAuthorName, parser.ColIPAddress, parser.ColEntityPath)},
		app:      newPicker(parser.ColCorrelationID, parser.ColEmailAddress, parser.ColUsername),
		audit: newPicker(parser.ColCorrelationID, parser.ColEventName, parser.ColAddAction, parser.ColEventID,
			parser.ColAuthorName, parser.ColIPAddress, parser.ColEntityPath),
	}
	r.join.clock(env)
	return r, nil
}

func (r *externalUser) Info() Info { return externalUserSpec().Info }

func (r *externalUser) Wants() []Key {
	return []Key{EventKind(parser.KindUserCreated), EventName("user_created"), NoEventName()}
}

// allowedDomain reports whether the domain of email equals an allowed
// domain or is a subdomain of one, or of a subdomains-only entry. A domain
// that is no domain name (badDomain: white space, an empty label) is in
// none: "eve@\tdev.corp.example" ends in ".corp.example" too; nor is
// an address without an '@', which has no domain.
func (r *externalUser) allowedDomain(email string) bool {
	d := domainOf(email)
	if badDomain(d) != "" {
		return false
	}
	for _, a := range r.allowed {
		if d == a || strings.HasSuffix(d, "."+a) {
			return true
		}
	}
	for _, a := range r.subOnly {
		if strings.HasSuffix(d, "."+a) {
			return true
		}
	}
	return false
}

// domainOf returns the lower-cased text after the last '@' of email,
// without the white space around the address or a trailing dot:
// "corp.example." is corp.example written fully qualified, as
// allowed_domains takes it too. White space after the '@' is kept: such an
// address ("eve@ corp.example") is no address of an allowed domain. An
// address without an '@' has no domain: "".
func domainOf(email string) string {
	email = strings.TrimSpace(email)
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(email[at+1:]), ".")
}

// Keep implements Filter: audit lines only as the user creations that may
// enrich an alert.
func (r *externalUser) Keep(t parser.Type, c Columns) bool {
	return t != parser.TypeAudit || c.Get(parser.ColEventName) == "user_created" ||
		c.Get(parser.ColAddAction) == "user"
}

// absentCond implements absentConder: a legacy line only as a user added.
func (r *externalUser) absentCond() cond { return in(parser.ColAddAction, "user") }

func (r *externalUser) Observe(ev *Event, _ Clock, emit Emit) {
	switch ev.Type {
	case parser.TypeApplication:
		v := r.app.pick(ev)
		cid, email, user := v[0], v[1], v[2]
		if email == "" || r.allowedDomain(email) {
			return
		}
		a := &Alert{Time: ev.Time, Event: ev, Key: []Column{{parser.ColEmailAddress, email}}}
		a.Columns = append(a.Columns, Column{parser.ColUsername, user},
			Column{"Domain", domainOf(email)})
		if cid != "" {
			a.Columns = append(a.Columns, Column{parser.ColCorrelationID, cid})
		}
		r.join.alert(cid, a, emit)
	case parser.TypeAudit:
		v := r.audit.pick(ev)
		cid, name, add := v[0], v[1], v[2]
		if name == "user_created" || add == "user" {
			r.join.side(cid, ev.Time, v[3], v[4:7], emit)
		}
	}
}

// Advance emits the alerts whose join window closed without an audit line.
func (r *externalUser) Advance(wm time.Time, emit Emit) { r.join.advance(wm, emit) }

// Close emits every alert still waiting for its audit line.
func (r *externalUser) Close(emit Emit) { r.join.close(emit) }
