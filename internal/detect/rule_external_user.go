package detect

import (
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// externalJoin is how far apart (event time) the application and audit
// lines of one user creation may be and still be joined.
const externalJoin = 60 * time.Second

func externalUserSpec() Spec {
	return Spec{
		Info: sentinel("external_user", "GitLab - External User Added to GitLab", KindJoin,
			list(tacPersistence), list("T1136"),
			"A user was created whose e-mail domain is not in allowed_domains. Enriched with the admin, address and username of the audit line of the same request."),
		Default:  true,
		Params:   list("allowed_domains", "max_keys"),
		Suppress: 0,
		New:      newExternalUser,
	}
}

// externalUser is sentinel.external_user (detections.md §4.1): it alerts on
// application-log user_created lines (CE and EE) whose e-mail domain is
// not allowed, and joins, without requiring it, the audit line of the same
// CorrelationID within ±60 s. An alert waits for that line until the
// watermark passes its time + 60 s.
type externalUser struct {
	allowed []string
	maxKeys int
	audits  *lru[string, auditSide] // by CorrelationID
	pending *lru[string, *Alert]    // by CorrelationID (or e-mail when there is none)
}

// auditSide is what the audit line of a user creation adds to an alert.
type auditSide struct {
	t                               time.Time
	author, ip, entityPath, eventID string
}

func newExternalUser(p *Params, _ *Env) (Rule, error) {
	var allowed []string
	for _, d := range p.List("allowed_domains", nil) {
		allowed = append(allowed, strings.ToLower(strings.TrimPrefix(d, "@")))
	}
	maxKeys := p.Int("max_keys", 10_000)
	if maxKeys < 1 {
		p.Fail("max_keys", "want at least 1")
		maxKeys = 1
	}
	if len(allowed) == 0 {
		return nil, &OffError{Rule: p.Rule(), Reason: "no allowed_domains (the e-mail domains of your users)"}
	}
	return &externalUser{allowed: allowed, maxKeys: maxKeys, audits: newLRU[string, auditSide](maxKeys),
		pending: newLRU[string, *Alert](maxKeys)}, nil
}

func (r *externalUser) Info() Info { return externalUserSpec().Info }

func (r *externalUser) Wants() []Key {
	return []Key{EventKind(parser.KindUserCreated), EventName("user_created"), NoEventName()}
}

// allowedDomain reports whether the domain of email equals an allowed
// domain or is a subdomain of one.
func (r *externalUser) allowedDomain(email string) bool {
	d := strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])
	for _, a := range r.allowed {
		if d == a || strings.HasSuffix(d, "."+a) {
			return true
		}
	}
	return false
}

func (r *externalUser) Observe(ev *Event, _ Clock, emit Emit) {
	switch ev.Type {
	case parser.TypeApplication:
		r.observeApp(ev, emit)
	case parser.TypeAudit:
		if ev.Get(parser.ColEventName) == "user_created" || ev.Get(parser.ColAddAction) == "user" {
			r.observeAudit(ev, emit)
		}
	}
}

func (r *externalUser) observeApp(ev *Event, emit Emit) {
	email := ev.Get(parser.ColEmailAddress)
	if email == "" || r.allowedDomain(email) {
		return
	}
	a := &Alert{Time: ev.Time, Event: ev, Key: []Column{{parser.ColEmailAddress, email}}}
	a.Columns = append(a.Columns, Column{parser.ColUsername, ev.Get(parser.ColUsername)},
		Column{"Domain", strings.ToLower(email[strings.LastIndexByte(email, '@')+1:])})
	cid := ev.Get(parser.ColCorrelationID)
	if cid == "" {
		emit(a)
		return
	}
	a.Columns = append(a.Columns, Column{parser.ColCorrelationID, cid})
	if s, ok := r.audits.get(cid); ok && within(s.t, ev.Time, externalJoin) {
		enrich(a, s)
		r.audits.remove(cid)
		emit(a)
		return
	}
	if _, ok := r.pending.get(cid); !ok && r.pending.len() >= r.maxKeys {
		// Full: the oldest waiting alert goes out without its audit line
		// rather than being lost.
		if k, old, ok := r.pending.front(); ok {
			r.pending.remove(k)
			emit(*old)
		}
	}
	*r.pending.touch(cid) = a
}

func (r *externalUser) observeAudit(ev *Event, emit Emit) {
	cid := ev.Get(parser.ColCorrelationID)
	if cid == "" {
		return
	}
	s := auditSide{t: ev.Time, author: ev.Get(parser.ColAuthorName), ip: ev.Get(parser.ColIPAddress),
		entityPath: ev.Get(parser.ColEntityPath), eventID: ev.Get(parser.ColEventID)}
	if p, ok := r.pending.get(cid); ok && within((*p).Time, ev.Time, externalJoin) {
		a := *p
		r.pending.remove(cid)
		enrich(a, &s)
		emit(a)
		return
	}
	*r.audits.touch(cid) = s
}

func within(a, b time.Time, d time.Duration) bool {
	x := a.Sub(b)
	return x <= d && x >= -d
}

// enrich adds the audit line's admin, address and new username.
func enrich(a *Alert, s *auditSide) {
	for _, c := range []Column{{parser.ColAuthorName, s.author}, {parser.ColIPAddress, s.ip}, {parser.ColEntityPath, s.entityPath}} {
		if c.Value != "" {
			a.Columns = append(a.Columns, c)
		}
	}
	a.AddEventID(s.eventID)
}

// Advance emits the alerts whose join window closed without an audit line
// and forgets audit lines older than the window.
func (r *externalUser) Advance(wm time.Time, emit Emit) {
	r.pending.each(func(k string, a **Alert) bool {
		if (*a).Time.Add(externalJoin).After(wm) {
			return false
		}
		r.pending.remove(k)
		emit(*a)
		return true
	})
	r.audits.each(func(k string, s *auditSide) bool {
		if s.t.Add(externalJoin).After(wm) {
			return false
		}
		r.audits.remove(k)
		return true
	})
}

// Close emits every alert still waiting for its audit line.
func (r *externalUser) Close(emit Emit) {
	r.pending.each(func(k string, a **Alert) bool {
		r.pending.remove(k)
		emit(*a)
		return true
	})
}
