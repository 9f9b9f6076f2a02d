package detect

import (
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// gitOpUnknownCountrySpec is falco.git_op_unknown_country: a Git operation
// from an address whose country is not in known_countries.
//
// Sources: the Audit Event Streaming type repository_git_operation (never
// written to audit_json.log), and, unless access_log is false, Git over
// HTTP in gitlab_access.log: a successful (2xx) request for
// <repo>.git/info/refs?service=git-upload-pack|git-receive-pack (among
// other query parameters, see gitService) or
// <repo>.git/git-upload-pack|git-receive-pack (with a query or none) with
// a RemoteUser (SSH operations appear in neither; see gitHTTPRepo). The requests of one clone or push (the
// refs advertisement, then the pack) fold into one alert: the access-log
// alerts are keyed by (RemoteUser, IPAddress, EntityPath = the repository),
// each compared as GitLab takes it (gitOpCanon), and suppressed for
// suppress (60s). Only access lines with a RemoteUser
// are handed to the rule.
//
// An address without a country (private, loopback, CGNAT, documentation,
// unallocated) is skipped and counted (Skipped), never alerted: Falco's
// rule alerts on all of them because "" is not in its list. The list
// holds ISO 3166-1 alpha-2 codes; Falco's English names are ambiguous.
//
// Off without known_countries or without a GeoIP database (the agent's,
// or geoip_db).
func gitOpUnknownCountrySpec() Spec {
	return Spec{
		Info: Info{
			ID: "falco.git_op_unknown_country", Name: "GitLab Repository Operation made from unknown country",
			Kind: KindExternal, Severity: SeverityMedium, Tactic: []string{"Collection"}, Technique: []string{"T1213.003"},
			Description: "A Git clone, fetch or push from an address whose country is not in known_countries.",
		},
		Default:  true,
		Params:   []string{"known_countries", "access_log", "geoip_db"},
		Suppress: time.Minute,
		New: func(p *Params, env *Env) (Rule, error) {
			return newCountryRule(p, env, gitOpUnknownCountrySpec().Info, "repository_git_operation", p.Bool("access_log", true))
		},
		Logs: func(p *Params) []parser.Type {
			if p.Bool("access_log", true) {
				return []parser.Type{parser.TypeAudit, parser.TypeAccess}
			}
			return []parser.Type{parser.TypeAudit}
		},
		StreamOnly: "repository_git_operation",
	}
}

// adminModeUnknownCountrySpec is falco.admin_mode_unknown_country: admin
// mode enabled (user_enable_admin_mode) from an address whose country is not
// in known_countries; addresses without a country (private, loopback,
// CGNAT, unallocated) are skipped and counted, never alerted. Off without known_countries or without a GeoIP database.
func adminModeUnknownCountrySpec() Spec {
	return Spec{
		Info: Info{
			ID: "falco.admin_mode_unknown_country", Name: "GitLab Admin Mode from unknown country",
			Kind: KindExternal, Severity: SeverityMedium, Tactic: []string{"PrivilegeEscalation", "InitialAccess"},
			Technique:   []string{"T1078"},
			Description: "Admin mode enabled from an address whose country is not in known_countries.",
		},
		Default: true,
		Params:  []string{"known_countries", "geoip_db"},
		New: func(p *Params, env *Env) (Rule, error) {
			return newCountryRule(p, env, adminModeUnknownCountrySpec().Info, "user_enable_admin_mode", false)
		},
		Logs: func(*Params) []parser.Type { return []parser.Type{parser.TypeAudit} },
	}
}

// countryRule alerts on events of one EventName (and, for Git operations,
// Git-over-HTTP access-log lines) whose address is in no known country.
type countryRule struct {
	info      Info
	eventName string
	access    bool
	known     map[string]bool
	geo       geoLookup
	skipped   uint64
}

func newCountryRule(p *Params, env *Env, info Info, eventName string, access bool) (Rule, error) {
	known := countryCodes(p, "known_countries")
	if err := p.Err(); err != nil && noGeo(p, env, info.ID) != nil {
		return nil, err
	}
	if len(known) == 0 && p.Err() == nil {
		off := &OffError{Rule: info.ID, Reason: "needs known_countries (ISO codes, e.g. DE,IE,PT)", Param: "known_countries"}
		if geo := unusableGeo(p, env, info.ID); geo != nil {
			off = alsoOff(off, geo)
		}
		return nil, off
	}
	// The database is opened also when a parameter is wrong, so that a
	// geoip_db that cannot be read is reported with it (fresh-user trial
	// 273: check named one mistake, then the other once it was fixed).
	db, owned, err := openGeo(p, env, info.ID)
	if err != nil {
		return nil, err
	}
	if err := p.Err(); err != nil {
		if owned {
			db.Close()
		}
		return nil, err
	}
	return &countryRule{info: info, eventName: eventName, access: access, known: known,
		geo: geoLookup{db: db, owned: owned}}, nil
}

func (r *countryRule) Info() Info { return r.info }

func (r *countryRule) Wants() []Key {
	ks := []Key{EventName(r.eventName)}
	if r.access {
		ks = append(ks, HasColumn(parser.TypeAccess, parser.ColRemoteUser))
	}
	return ks
}

// Skipped returns the events passed over because their address has no
// country.
func (r *countryRule) Skipped() uint64 { return r.skipped }

func (r *countryRule) Observe(ev *Event, _ Clock, emit Emit) {
	var key, canon []Column
	if ev.Type == parser.TypeAccess {
		repo, ok := gitHTTPRepo(ev)
		if !ok {
			return
		}
		user, ip := ev.Get(parser.ColRemoteUser), ev.Get(parser.ColIPAddress)
		key = []Column{{parser.ColRemoteUser, user}, {parser.ColIPAddress, ip}, {parser.ColEntityPath, repo}}
		canon = gitOpCanon(user, ip, repo)
	} else {
		key = []Column{{parser.ColEventID, ev.Get(parser.ColEventID)}}
	}
	p := r.geo.lookup(ev, ev.Get(parser.ColIPAddress))
	if p.ISO == "" {
		r.skipped++
		return
	}
	if r.known[p.ISO] {
		return
	}
	a := &Alert{Time: ev.Time, Key: key, canon: canon, Columns: p.columns(), Event: ev}
	a.AddEventID(ev.Get(parser.ColEventID))
	emit(a)
}

// gitOpCanon returns the canonical key of an access-log Git operation by
// user from ip on repo, for suppression and the alert_id, or nil when the
// key is already canonical: the user as GitLab matches a login (foldLogin),
// the address as an address (foldAddr: ::ffff:175.16.199.20 is
// 175.16.199.20), the repository path in lower case (GitLab routes paths
// case-insensitively), so that one clone written several ways is one alert.
func gitOpCanon(user, ip, repo string) []Column {
	cu, ci, cr := foldLogin(user), foldAddr(ip), strings.ToLower(repo)
	if cu == user && ci == ip && cr == repo {
		return nil
	}
	return []Column{{parser.ColRemoteUser, cu}, {parser.ColIPAddress, ci}, {parser.ColEntityPath, cr}}
}

func (r *countryRule) Advance(time.Time, Emit) {}
func (r *countryRule) advancesNothing()        {}

// Close closes the database the rule opened from geoip_db.
func (r *countryRule) Close(Emit) { r.geo.closeOwned() }

// gitHTTPRepo reports whether access-log event ev is a successful Git over
// HTTP request by a RemoteUser, and returns the repository path (the URI
// path before ".git/", without its leading slashes and with each run of
// slashes made one, as nginx serves it; neither empty nor ending in a
// slash). The path
// (the URI before its query) must end in .git/info/refs, with a query
// whose service parameter is git-upload-pack or git-receive-pack
// (gitService), or in .git/git-upload-pack or .git/git-receive-pack, with
// any query or none. It allocates nothing unless the path holds "//".
func gitHTTPRepo(ev *Event) (string, bool) {
	if ev.Get(parser.ColRemoteUser) == "" {
		return "", false
	}
	if c := ev.Get(parser.ColResponseCode); len(c) != 3 || c[0] != '2' {
		return "", false
	}
	path, query, _ := strings.Cut(ev.Get(parser.ColURI), "?")
	var repo string
	switch {
	case strings.HasSuffix(path, ".git/info/refs"):
		if !gitService(query) {
			return "", false
		}
		repo = path[:len(path)-len(".git/info/refs")]
	case strings.HasSuffix(path, ".git/git-upload-pack"):
		repo = path[:len(path)-len(".git/git-upload-pack")]
	case strings.HasSuffix(path, ".git/git-receive-pack"):
		repo = path[:len(path)-len(".git/git-receive-pack")]
	default:
		return "", false
	}
	repo = strings.TrimLeft(repo, "/")
	if strings.Contains(repo, "//") {
		repo = mergeSlashes(repo)
	}
	if repo == "" || repo[len(repo)-1] == '/' { // no repository name before .git
		return "", false
	}
	return repo, true
}

// mergeSlashes returns p with every run of slashes made one, as nginx's
// merge_slashes (on by default) does to the URI it serves: //acme//api.git
// is the repository acme/api, which one key must hold (fresh-user trial
// 282: a separate key, /acme//api). It allocates; the callers call it
// only on a path that holds "//".
func mergeSlashes(p string) string {
	b := make([]byte, 0, len(p))
	for i := 0; i < len(p); i++ {
		if p[i] == '/' && len(b) > 0 && b[len(b)-1] == '/' {
			continue
		}
		b = append(b, p[i])
	}
	return string(b)
}

// gitService reports whether URI query q (without the "?") names a Git
// service as GitLab Workhorse reads it (url.Values.Get: the first service
// parameter, '&'-separated, percent- and '+'-decoded, a pair with a
// malformed escape skipped): git-upload-pack or git-receive-pack, whatever
// other parameters come before or after it.
func gitService(q string) bool {
	for q != "" {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		k, v, _ := strings.Cut(kv, "=")
		if !queryIs(k, "service") || !escapesOK(v) {
			continue // not service, or a pair ParseQuery drops
		}
		return queryIs(v, "git-upload-pack") || queryIs(v, "git-receive-pack")
	}
	return false
}

// queryIs reports whether query component s decodes (%XX, '+' as a space)
// to want, without decoding it into a new string. A malformed escape is
// no match (url.ParseQuery drops such a pair).
func queryIs(s, want string) bool {
	j := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '+':
			c = ' '
		case '%':
			if i+2 >= len(s) {
				return false
			}
			h, l := unhex(s[i+1]), unhex(s[i+2])
			if h < 0 || l < 0 {
				return false
			}
			c, i = byte(h<<4|l), i+2
		}
		if j >= len(want) || want[j] != c {
			return false
		}
		j++
	}
	return j == len(want)
}

// escapesOK reports whether every '%' of s starts a %XX escape.
func escapesOK(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
				return false
			}
			i += 2
		}
	}
	return true
}

// unhex returns the value of hex digit c, or -1.
func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
