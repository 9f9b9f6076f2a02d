package loadgen

import (
	"strconv"
	"strings"
)

// kv is one detail of an audit event: a string (s or, if set, b) or, if num
// is set, the integer i.
type kv struct {
	k   string
	s   string
	b   []byte
	i   int64
	num bool
}

// auditEvent is what one audit line says, before it is laid out in one of the
// three shapes GitLab writes.
type auditEvent struct {
	author     user
	entityID   int64
	entityType string
	entityPath string
	targetID   kv // "target_id": an integer or a path
	targetType string
	targetDets string
	details    [10]kv
	n          int
}

func (e *auditEvent) add(d kv) {
	if e.n < len(e.details) {
		e.details[e.n] = d
		e.n++
	}
}

func (w *jw) kv(d kv) {
	switch {
	case d.num:
		w.int(d.k, d.i)
	case d.b != nil:
		w.strb(d.k, d.b)
	default:
		w.str(d.k, d.s)
	}
}

// Audit line shapes: GitLab wrote audit_json.log in three shapes over its
// releases.
const (
	shapeFlat   = iota // legacy AuditEventService: details merged at the top level
	shapeNested        // early Auditor: AuditEvent columns, details nested only
	shapeBoth          // current Auditor: details nested and merged at the top level
)

func (g *Generator) appendAudit(dst []byte) []byte {
	var ev auditEvent
	g.tbuf = g.tbuf[:0]
	g.auditEvent(&ev)

	shape := shapeFlat
	switch r := g.rng.IntN(100); {
	case r < 5:
		shape = shapeNested
	case r < 8:
		shape = shapeBoth
	}

	w := jw{b: dst}
	w.begin()
	// Flat lines from before GitLab 12 have no correlation_id, meta.* keys
	// or created_at.
	old := shape == shapeFlat && g.chance(25)
	meta := 15
	switch {
	case old:
		meta = 0
	case shape != shapeFlat:
		meta = 40
	}
	g.envelope(&w, !old && (shape != shapeNested || g.chance(50)), meta)
	ip := len(g.tbuf)
	g.tbuf = g.appendIP(g.tbuf)
	ipAddr := g.tbuf[ip:]
	created := len(g.tbuf)
	if shape == shapeFlat && g.chance(70) {
		g.tbuf = g.now.Add(-7*1e6).AppendFormat(g.tbuf, "2006-01-02T15:04:05.000-07:00")
	} else {
		g.tbuf = g.now.Add(-7*1e6).AppendFormat(g.tbuf, "2006-01-02T15:04:05.000Z07:00")
	}
	createdAt := g.tbuf[created:]

	if shape == shapeFlat {
		w.int("author_id", ev.author.id)
		w.str("author_name", ev.author.name)
		w.int("entity_id", ev.entityID)
		w.str("entity_type", ev.entityType)
		if !old {
			w.strb("created_at", createdAt)
		}
		for _, d := range ev.details[:ev.n] {
			w.kv(d)
		}
		w.kv(ev.targetID)
		w.str("target_type", ev.targetType)
		w.str("target_details", ev.targetDets)
		if !old && g.chance(40) {
			w.strb("ip_address", ipAddr)
			w.str("entity_path", ev.entityPath)
		}
		w.end()
		return w.b
	}

	w.int("id", g.seq)
	w.int("author_id", ev.author.id)
	w.int("entity_id", ev.entityID)
	w.str("entity_type", ev.entityType)
	w.object("details")
	for _, d := range ev.details[:ev.n] {
		w.kv(d)
	}
	w.str("author_name", ev.author.name)
	if shape == shapeBoth {
		w.str("author_class", "User")
	}
	w.kv(ev.targetID)
	w.str("target_type", ev.targetType)
	w.str("target_details", ev.targetDets)
	w.strb("ip_address", ipAddr)
	w.str("entity_path", ev.entityPath)
	w.end()
	w.strb("ip_address", ipAddr)
	w.str("author_name", ev.author.name)
	w.str("entity_path", ev.entityPath)
	w.str("target_details", ev.targetDets)
	w.strb("created_at", createdAt)
	w.str("target_type", ev.targetType)
	w.kv(ev.targetID)
	if shape == shapeBoth {
		for _, d := range ev.details[:ev.n] {
			w.kv(d)
		}
		w.str("author_class", "User")
	}
	w.end()
	return w.b
}

// envelope writes severity, time, correlation_id and, on meta% of the lines,
// the flat meta.* keys of the Labkit context.
func (g *Generator) envelope(w *jw, withCorrelation bool, meta int) {
	w.str("severity", "INFO")
	g.timeMember(w)
	if withCorrelation {
		g.correlationMember(w)
	}
	if !g.chance(meta) {
		return
	}
	u := pick(g, users)
	g.metaOrigin(w)
	w.str("meta.user", u.username)
	w.int("meta.user_id", u.id)
	if g.chance(30) {
		p := pick(g, projects)
		w.str("meta.project", p)
		ns, _, _ := strings.Cut(p, "/")
		w.str("meta.root_namespace", ns)
	}
	w.key("meta.client_id")
	w.b = append(w.b, `"user/`...)
	w.b = strconv.AppendInt(w.b, u.id, 10)
	w.b = append(w.b, '"')
	if g.chance(10) {
		w.str("meta.root_caller_id", "Cronjob")
	}
}

// auditEvent fills ev with one of the security events GitLab audits.
func (g *Generator) auditEvent(ev *auditEvent) {
	ev.author = g.user()
	target := g.user()
	project := pick(g, projects)
	byUser := func() {
		ev.entityID, ev.entityType, ev.entityPath = target.id, "User", target.username
		ev.targetID = kv{k: "target_id", i: target.id, num: true}
		ev.targetType, ev.targetDets = "User", target.name
	}
	byProject := func() {
		ev.entityID, ev.entityType, ev.entityPath = int64(len(project))*7, "Project", project
		ev.targetID = kv{k: "target_id", i: ev.entityID, num: true}
		if g.chance(20) {
			ev.targetID = kv{k: "target_id", s: project}
		}
		ev.targetType, ev.targetDets = "Project", project
	}
	switch r := g.kind(); {
	case r < 40: // sign-in
		target = ev.author
		byUser()
		ev.add(kv{k: "with", s: pick(g, authMethods)})
	case r < 52: // visibility change
		byProject()
		from, to := pick(g, visibilities), pick(g, visibilities)
		if g.chance(50) {
			ev.add(kv{k: "change", s: "visibility"})
		} else {
			ev.add(kv{k: "change", s: "visibility_level"})
			ev.add(kv{k: "event_name", s: "project_visibility_level_updated"})
		}
		ev.add(kv{k: "from", s: from})
		ev.add(kv{k: "to", s: to})
	case r < 64: // member added
		byProject()
		ev.targetID = kv{k: "target_id", i: target.id, num: true}
		ev.targetType, ev.targetDets = "User", target.name
		ev.add(kv{k: "add", s: "user_access"})
		ev.add(kv{k: "as", s: pick(g, roles)})
		ev.add(kv{k: "member_id", i: g.seq % 9973, num: true})
	case r < 72: // member removed or expired
		byProject()
		ev.targetType, ev.targetDets = "User", target.name
		ev.add(kv{k: "remove", s: "user_access"})
		if g.chance(20) {
			ev.add(kv{k: "system_event", s: "true"})
			ev.add(kv{k: "reason", s: "access expired on 2024-05-30"})
		}
	case r < 80: // access level change
		byProject()
		ev.targetType, ev.targetDets = "User", target.name
		ev.add(kv{k: "change", s: "access_level"})
		ev.add(kv{k: "from", s: pick(g, roles)})
		ev.add(kv{k: "to", s: pick(g, roles)})
		ev.add(kv{k: "expiry_from", s: ""})
		ev.add(kv{k: "expiry_to", s: ""})
	case r < 86: // impersonation
		if g.mix == MixRealistic {
			// An administrator's session: a start, then a stop of the
			// same user at the next impersonation event.
			if !g.impOpen {
				g.impUser = target
			}
			ev.author, target = users[0], g.impUser
			g.impOpen = !g.impOpen
		}
		byUser()
		if (g.mix == MixRealistic && g.impOpen) || (g.mix != MixRealistic && g.chance(50)) {
			ev.add(kv{k: "custom_message", s: "Started Impersonation"})
		} else {
			ev.add(kv{k: "custom_message", s: "Stopped Impersonation"})
		}
	case r < 93: // personal access token
		byUser()
		ev.add(kv{k: "event_name", s: "personal_access_token_created"})
		start := len(g.tbuf)
		g.tbuf = append(g.tbuf, "Created personal access token with id "...)
		g.tbuf = strconv.AppendInt(g.tbuf, g.seq%100000, 10)
		ev.add(kv{k: "custom_message", b: g.tbuf[start:]})
	case r < 97: // project added to or removed from a group
		grp := pick(g, groups)
		ev.entityID, ev.entityType, ev.entityPath = int64(len(grp))*3, "Group", grp
		ev.targetID = kv{k: "target_id", s: project}
		ev.targetType, ev.targetDets = "Project", project
		if g.chance(50) {
			ev.add(kv{k: "add", s: "project"})
		} else {
			ev.add(kv{k: "remove", s: "project"})
		}
	default: // action taken while impersonated
		byProject()
		ev.add(kv{k: "change", s: "prevent merge request approval from reviewers"})
		ev.add(kv{k: "from", s: "false"})
		ev.add(kv{k: "to", s: "true"})
		ev.add(kv{k: "impersonated_by", s: "Administrator"})
	}
}

// user returns the author or target of an audit event.
func (g *Generator) user() user {
	if g.mix == MixRealistic && !g.chance(10) {
		return pick(g, g.pop)
	}
	return pick(g, users)
}

// kind returns the percentile that selects the kind of audit event in
// auditEvent: uniform for MixSecurity, MixRealistic's weights otherwise.
func (g *Generator) kind() int {
	if g.mix != MixRealistic {
		return g.rng.IntN(100)
	}
	switch r := g.rng.IntN(10000); {
	case r < 6500:
		return 0 // sign-in
	case r < 6600:
		return 45 // visibility change
	case r < 8000:
		return 55 // member added
	case r < 8700:
		return 65 // member removed
	case r < 9400:
		return 75 // access level change
	case r < 9550:
		return 88 // personal access token
	case r < 9990:
		return 94 // project added to or removed from a group
	case r < 9998:
		return 83 // impersonation start or stop
	default:
		return 99 // action taken while impersonated
	}
}

// timeMember writes the "time" member (the generator's clock, in GitLab's
// millisecond UTC form).
func (g *Generator) timeMember(w *jw) {
	w.key("time")
	w.b = append(w.b, '"')
	w.b = g.now.AppendFormat(w.b, "2006-01-02T15:04:05.000Z07:00")
	w.b = append(w.b, '"')
}

// correlationMember writes a random "correlation_id" member.
func (g *Generator) correlationMember(w *jw) {
	w.key("correlation_id")
	w.b = append(w.b, '"')
	w.b = g.appendCorrelationID(w.b)
	w.b = append(w.b, '"')
}

// metaOrigin writes the meta.caller_id, meta.remote_ip and
// meta.feature_category members Labkit adds to Rails log lines.
func (g *Generator) metaOrigin(w *jw) {
	w.str("meta.caller_id", pick(g, callerIDs))
	w.key("meta.remote_ip")
	w.b = append(w.b, '"')
	w.b = g.appendIP(w.b)
	w.b = append(w.b, '"')
	w.str("meta.feature_category", pick(g, featureCategories))
}
