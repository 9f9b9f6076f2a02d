package loadgen

// rackRule is one Rack::Attack rule as GitLab names it (rack.attack.matched)
// with the match type (env) it logs under and whether it is keyed by user.
type rackRule struct {
	matched, env string
	byUser       bool
	status       int64 // 0: no status key (track)
}

var rackRules = []rackRule{
	{"throttle_unauthenticated_protected_paths", "throttle", false, 429},
	{"throttle_unauthenticated_protected_paths", "throttle", false, 429},
	{"throttle_unauthenticated_api", "throttle", false, 429},
	{"throttle_unauthenticated_web", "throttle", false, 429},
	{"throttle_authenticated_api", "throttle", true, 429},
	{"throttle_authenticated_web", "throttle", true, 429},
	{"throttle_authenticated_protected_paths_web", "throttle", true, 429},
	{"throttle_authenticated_git_lfs", "throttle", true, 429},
	{"Git HTTP Basic Auth", "blocklist", false, 403},
	{"throttle_unauthenticated_web", "track", false, 0},
}

// protectedPaths are GitLab's default protected paths (doc/security/rack_attack.md).
var protectedPaths = []string{
	"/users/sign_in", "/users/sign_in", "/users/password", "/users", "/users/confirmation",
	"/api/v4/session.json", "/admin/session", "/import/github/personal_access_token",
}

// appendAuth appends an auth_json.log line as
// Gitlab::Metrics::Subscribers::RackAttack writes it: message Rack_Attack,
// env, remote_ip, request_method, path, matched, status, user_id and
// meta.user for user-keyed throttles, then Rack::Attack's Redis counters.
func (g *Generator) appendAuth(dst []byte) []byte {
	w := jw{b: dst}
	w.begin()
	w.str("severity", "ERROR")
	g.timeMember(&w)
	g.correlationMember(&w)
	w.str("message", "Rack_Attack")
	r := pick(g, rackRules)
	w.str("env", r.env)
	w.key("remote_ip")
	w.b = append(w.b, '"')
	w.b = g.appendIP(w.b)
	w.b = append(w.b, '"')
	method, p := "GET", g.tbuf[:0]
	switch {
	case r.env == "blocklist":
		p = append(p, '/')
		p = append(p, pick(g, projects)...)
		p = append(p, ".git/info/refs?service=git-upload-pack"...)
	case r.matched == "throttle_unauthenticated_protected_paths" || r.matched == "throttle_authenticated_protected_paths_web":
		method = "POST"
		p = append(p, pick(g, protectedPaths)...)
	default:
		p = g.appendURI(p)
	}
	g.tbuf = p
	w.str("request_method", method)
	w.strb("path", p)
	w.str("matched", r.matched)
	if r.status != 0 {
		w.int("status", r.status)
	}
	if r.byUser {
		u := pick(g, users)
		w.int("user_id", u.id)
		w.str("meta.user", u.username)
	}
	w.int("rack_attack_redis_count", int64(g.rng.IntN(3)+1))
	w.float("rack_attack_redis_duration_s", float64(g.rng.IntN(900)+100)/1e6)
	w.end()
	return w.b
}
