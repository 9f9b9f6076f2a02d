package parser

import "bytes"

// Slot indexes of the Application parser's JSON form.
const (
	appSeverity = iota
	appTime
	appCorrelationID
	appMessage
)

// appKeys maps the application_json.log keys to their slots.
var appKeys = newKeyTable([]keySlot{
	{"severity", appSeverity},
	{"time", appTime},
	{"correlation_id", appCorrelationID},
	{"message", appMessage},
}, false)

// Application parses gitlab-rails/application_json.log lines and the legacy
// text application.log in both its forms ("2020-04-09T14:04:00.667Z: msg"
// and "October 06, 2014 11:56: msg"). The zero value is ready to use; an
// Application is not safe for concurrent use.
//
// A JSON line must have the keys "severity" and "time" at its top level
// (with any value): GitLab's Gitlab::JsonLogger (lib/gitlab/json_logger.rb),
// which writes application_json.log, puts both in every line before the
// message's own keys, which can change their values but not remove them. A
// JSON object without them (another program's log, a wrong file) is an
// *Error, not an application line with no columns.
type Application struct {
	obj jsonObj
}

// Parse implements Parser. A line starting with '{' is read as JSON, any
// other line as text with a timestamp prefix. A leading run of NUL bytes
// is skipped first (see [Parser]).
func (p *Application) Parse(line []byte, r *Record) error {
	b, _ := skipNULs(line)
	i := skipWS(b, 0)
	return parseSkipping(p, line, r, i >= len(b) || b[i] != '{')
}

// parse is Parse on a line without leading NUL bytes.
func (p *Application) parse(b []byte, r *Record) error {
	r.Reset()
	r.Type = TypeApplication
	if i := skipWS(b, 0); i < len(b) && b[i] == '{' {
		return p.parseJSON(b, r)
	}
	return parseAppText(b, r)
}

func (p *Application) parseJSON(line []byte, r *Record) error {
	o := &p.obj
	o.keys = appKeys
	defer o.done()
	if err := o.scan(line); err != nil {
		return jsonError(TypeApplication, err)
	}
	if err := appKeysMissing(o.set); err != nil {
		return err
	}
	o.emit(r, ColSeverity, &o.slots[appSeverity])
	if t, ok := o.emitTime(r, ColEventTime, &o.slots[appTime]); ok {
		r.Time = t
	}
	o.emit(r, ColCorrelationID, &o.slots[appCorrelationID])
	repaired := r.Repaired
	msg := o.emit(r, ColMessage, &o.slots[appMessage])
	if o.slots[appMessage].kind == kindString {
		from := len(r.Fields)
		matchMessage(r, msg)
		if r.Repaired > repaired {
			r.countDerived(from)
		}
	}
	o.emitMeta(r)
	return nil
}

// appKeysMissing returns the *Error of a JSON line whose top-level keys
// (set, a bit per slot written) lack "severity" or "time", which every
// application_json.log line has (see Application), naming it; nil
// when it has both.
func appKeysMissing(set uint64) error {
	return loggerKeysMissing(TypeApplication, "application_json.log", set&(1<<appSeverity) != 0, set&(1<<appTime) != 0)
}

// loggerKeysMissing returns the *Error of a JSON line of typ, of GitLab's
// log file, without the "severity" or "time" key that Gitlab::JsonLogger
// (lib/gitlab/json_logger.rb) writes in every line of the files it writes,
// naming what is missing; nil when the line has both.
func loggerKeysMissing(typ Type, file string, severity, time bool) error {
	var missing string
	switch {
	case severity && time:
		return nil
	case time:
		missing = `no "severity" key`
	case severity:
		missing = `no "time" key`
	default:
		missing = `no "severity" or "time" key`
	}
	return &Error{Type: typ, Offset: -1,
		Reason: "not a GitLab " + file + " line: " + missing + ` (GitLab writes "severity" and "time" in every line)`}
}

// parseAppText reads "<timestamp>: <message>".
func parseAppText(line []byte, r *Record) error {
	var ts, msg []byte
	switch {
	case len(line) > 0 && line[0] >= '0' && line[0] <= '9':
		i := bytes.Index(line, []byte(": "))
		if i < 0 {
			return &Error{Type: TypeApplication, Offset: 0, Reason: `text line has no "<time>: " prefix`}
		}
		t, ok := parseISOTime(line[:i])
		if !ok {
			return &Error{Type: TypeApplication, Offset: 0, Reason: "invalid timestamp " + quote(string(line[:i]))}
		}
		r.Time = t
		ts, msg = line[:i], line[i+2:]
	default:
		t, n, ok := parseLongTime(line)
		if !ok || len(line) < n+2 || line[n] != ':' || line[n+1] != ' ' {
			return &Error{Type: TypeApplication, Offset: 0,
				Reason: `not an application log line (want JSON, "2006-01-02T15:04:05.000Z: msg" or "January 02, 2006 15:04: msg")`}
		}
		r.Time = t
		ts, msg = line[:n], line[n+2:]
	}
	msg = bytes.TrimSuffix(msg, []byte("\r")) // a CRLF line ending's (see Parser)
	r.add(ColEventTime, ts)
	r.add(ColMessage, msg)
	matchMessage(r, msg)
	return nil
}

// cut returns what follows prefix in s.
func cut(s []byte, prefix string) ([]byte, bool) {
	if len(s) < len(prefix) || string(s[:len(prefix)]) != prefix {
		return nil, false
	}
	return s[len(prefix):], true
}

// trimSuffix returns s without suffix.
func trimSuffix(s []byte, suffix string) ([]byte, bool) {
	if len(s) < len(suffix) || string(s[len(s)-len(suffix):]) != suffix {
		return nil, false
	}
	return s[:len(s)-len(suffix)], true
}

// isRESpace reports whether c is in RE2's \s class.
func isRESpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// token reports whether s is non-empty and holds no \s byte (RE2's \S+).
func token(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	for _, c := range s {
		if isRESpace(c) {
			return false
		}
	}
	return true
}

// fields splits s at single spaces into exactly n parts, each a token.
func fields(s []byte, parts [][]byte) bool {
	for i := range parts {
		if i == len(parts)-1 {
			parts[i] = s
		} else {
			j := bytes.IndexByte(s, ' ')
			if j < 0 {
				return false
			}
			parts[i], s = s[:j], s[j+1:]
		}
		if !token(parts[i]) {
			return false
		}
	}
	return true
}

// matchMessage recognises the security-relevant message patterns (see the
// package documentation) and adds EventKind and the extracted columns. The
// patterns are tried in the order of the table in the package documentation;
// the first that matches wins.
func matchMessage(r *Record, m []byte) {
	if len(m) == 0 {
		return
	}
	switch m[0] {
	case 'F':
		if matchFailedLogin(r, m) {
			return
		}
	case 'S':
		if matchSuccessfulLogin(r, m) {
			return
		}
	case 'U':
		if matchUser(r, m) {
			return
		}
	case 'P':
		if matchQuoted(r, m, `Project "`, ColProject, KindProjectRemoved, `" was removed`, `" was deleted`) {
			return
		}
	case 'G':
		if matchQuoted(r, m, `Group "`, ColGroup, KindGroupCreated, `" was created`) ||
			matchQuoted(r, m, `Group "`, ColGroup, KindGroupRemoved, `" was removed`, `" was deleted`) {
			return
		}
	}
	matchProjectCreated(r, m)
}

// matchFailedLogin: ^Failed Login: username=(.*) ip=(\S+)$
func matchFailedLogin(r *Record, m []byte) bool {
	rest, ok := cut(m, "Failed Login: username=")
	if !ok {
		return false
	}
	i := bytes.LastIndex(rest, []byte(" ip="))
	if i < 0 || !token(rest[i+4:]) {
		return false
	}
	r.addString(ColEventKind, KindFailedLogin)
	r.add(ColUsername, rest[:i])
	r.add(ColIPAddress, rest[i+4:])
	return true
}

// matchSuccessfulLogin:
// ^Successful Login: username=(\S+) ip=(\S+) method=(\S+) admin=(true|false)$
func matchSuccessfulLogin(r *Record, m []byte) bool {
	rest, ok := cut(m, "Successful Login: username=")
	if !ok {
		return false
	}
	var p [4][]byte
	if !fields(rest, p[:]) {
		return false
	}
	ip, ok1 := cut(p[1], "ip=")
	method, ok2 := cut(p[2], "method=")
	admin, ok3 := cut(p[3], "admin=")
	if !ok1 || !ok2 || !ok3 || len(ip) == 0 || len(method) == 0 ||
		(string(admin) != "true" && string(admin) != "false") {
		return false
	}
	r.addString(ColEventKind, KindSuccessfulLogin)
	r.add(ColUsername, p[0])
	r.add(ColIPAddress, ip)
	r.add(ColAuthenticationType, method)
	r.add(ColAdmin, admin)
	return true
}

// matchUser handles the messages that start with "User":
//
//	^User Logout: username=(\S+) ip=(\S+)$
//	^User "(.*)" \((.*)\) +was (created|removed)$
//	^User (\S+) has (started|stopped) impersonating (\S+)$
func matchUser(r *Record, m []byte) bool {
	if rest, ok := cut(m, "User Logout: username="); ok {
		var p [2][]byte
		if fields(rest, p[:]) {
			if ip, ok := cut(p[1], "ip="); ok && len(ip) > 0 {
				r.addString(ColEventKind, KindLogout)
				r.add(ColUsername, p[0])
				r.add(ColIPAddress, ip)
				return true
			}
		}
	}
	if rest, ok := cut(m, `User "`); ok {
		kind := KindUserCreated
		body, ok := trimSuffix(rest, " was created")
		if !ok {
			body, ok = trimSuffix(rest, " was removed")
			kind = KindUserRemoved
		}
		if ok {
			body = bytes.TrimRight(body, " ")
			if i := bytes.LastIndex(body, []byte(`" (`)); i >= 0 && body[len(body)-1] == ')' {
				r.addString(ColEventKind, kind)
				r.add(ColUsername, body[:i])
				r.add(ColEmailAddress, body[i+3:len(body)-1])
				return true
			}
		}
	}
	if rest, ok := cut(m, "User "); ok {
		var p [5][]byte
		if fields(rest, p[:]) && string(p[1]) == "has" && string(p[3]) == "impersonating" {
			kind := KindImpersonationStarted
			switch string(p[2]) {
			case "started":
			case "stopped":
				kind = KindImpersonationStopped
			default:
				return false
			}
			r.addString(ColEventKind, kind)
			r.add(ColUsername, p[0])
			r.add(ColTargetUser, p[4])
			return true
		}
	}
	return false
}

// matchQuoted handles ^<prefix>(.*)<suffix>$ for any of the suffixes.
func matchQuoted(r *Record, m []byte, prefix, col, kind string, suffixes ...string) bool {
	rest, ok := cut(m, prefix)
	if !ok {
		return false
	}
	for _, suf := range suffixes {
		if v, ok := trimSuffix(rest, suf); ok {
			r.addString(ColEventKind, kind)
			r.add(col, v)
			return true
		}
	}
	return false
}

// matchProjectCreated handles ^(?:(.*) )?created a new project "(.*)"$; the
// owner is the longest prefix that fits, as with a greedy regular expression.
func matchProjectCreated(r *Record, m []byte) bool {
	const sep = `created a new project "`
	if len(m) < len(sep)+1 || m[len(m)-1] != '"' {
		return false
	}
	for end := len(m); ; {
		i := bytes.LastIndex(m[:end], []byte(sep))
		if i < 0 {
			return false
		}
		if (i == 0 || m[i-1] == ' ') && i+len(sep) <= len(m)-1 {
			r.addString(ColEventKind, KindProjectCreated)
			r.add(ColOwner, m[:max(i-1, 0)])
			r.add(ColProject, m[i+len(sep):len(m)-1])
			return true
		}
		end = i + len(sep) - 1
	}
}
