package loadgen

import "strconv"

var noiseClasses = []string{
	"Gitlab::Database::Partitioning::PartitionManager",
	"Gitlab::Database::LoadBalancing::SidekiqServerMiddleware",
	"MergeRequests::MergeabilityCheckService",
	"Gitlab::Ci::Pipeline::Chain::Metrics",
}

var noiseMessages = []string{
	"Checking state of dynamic postgres partitions",
	"Switching to primary database",
	"mergeability check completed",
	"Pipeline created",
}

// appendApplication appends an application_json.log line: about one in three
// is a security message the Sentinel GitLabApp function looks for, the rest
// is operational noise, some of it without a message key.
func (g *Generator) appendApplication(dst []byte) []byte {
	w := jw{b: dst}
	w.begin()
	sev := "INFO"
	if g.chance(8) {
		sev = pick(g, severities)
	}
	w.str("severity", sev)
	g.timeMember(&w)
	g.correlationMember(&w)

	if g.chance(60) {
		g.metaOrigin(&w)
		if g.chance(60) {
			u := pick(g, users)
			w.str("meta.user", u.username)
			w.int("meta.user_id", u.id)
			w.key("meta.client_id")
			w.b = append(w.b, `"user/`...)
			w.b = strconv.AppendInt(w.b, u.id, 10)
			w.b = append(w.b, '"')
		} else {
			w.str("meta.client_id", "ip/")
		}
	}

	if g.chance(65) {
		i := g.rng.IntN(len(noiseClasses))
		w.str("class", noiseClasses[i])
		if g.chance(80) {
			w.str("message", noiseMessages[i])
		}
		switch i {
		case 0:
			w.str("table_name", "loose_foreign_keys_deleted_records")
			w.str("connection_name", "main")
		case 2:
			w.int("project_id", int64(g.rng.IntN(5000)))
			w.int("merge_request_id", g.seq%300000)
			w.float("duration_s", float64(g.rng.IntN(4000))/1000)
		default:
			w.float("duration_s", float64(g.rng.IntN(900))/1000)
		}
		w.end()
		return w.b
	}

	g.tbuf = g.appendAppMessage(g.tbuf[:0])
	w.strb("message", g.tbuf)
	w.end()
	return w.b
}

// appendAppMessage appends one of the security-relevant messages GitLab
// writes to the application log: failed login, sign-in, user and project
// created or removed, impersonation.
func (g *Generator) appendAppMessage(b []byte) []byte {
	u := pick(g, users)
	switch g.rng.IntN(10) {
	case 0, 1, 2:
		b = append(b, "Failed Login: username="...)
		switch g.rng.IntN(6) {
		case 0:
			b = append(b, u.email...)
		case 1:
			b = append(b, "user name"...) // usernames may contain spaces
		default:
			b = append(b, u.username...)
		}
		b = append(b, " ip="...)
		return g.appendIP(b)
	case 3, 4:
		b = append(b, "Successful Login: username="...)
		b = append(b, u.username...)
		b = append(b, " ip="...)
		b = g.appendIP(b)
		b = append(b, " method="...)
		b = append(b, pick(g, authMethods)...)
		b = append(b, " admin="...)
		return strconv.AppendBool(b, u.id == 1)
	case 5:
		b = append(b, "User Logout: username="...)
		b = append(b, u.username...)
		b = append(b, " ip="...)
		return g.appendIP(b)
	case 6:
		b = append(b, `User "`...)
		b = append(b, u.username...)
		b = append(b, `" (`...)
		b = append(b, u.email...)
		if g.chance(70) {
			return append(b, ") was created"...)
		}
		return append(b, ")  was removed"...) // two spaces: GitLab's own typo
	case 7:
		p := pick(g, projects)
		if g.chance(50) {
			b = append(b, u.name...)
			b = append(b, ` created a new project "`...)
			b = append(b, p...)
			return append(b, '"')
		}
		b = append(b, `Project "`...)
		b = append(b, p...)
		return append(b, `" was deleted`...)
	case 8:
		b = append(b, `Group "`...)
		b = append(b, pick(g, groups)...)
		if g.chance(50) {
			return append(b, `" was created`...)
		}
		return append(b, `" was removed`...)
	default:
		b = append(b, "User root has "...)
		if g.chance(50) {
			b = append(b, "started"...)
		} else {
			b = append(b, "stopped"...)
		}
		b = append(b, " impersonating "...)
		return append(b, u.username...)
	}
}
