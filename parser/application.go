package parser

import "bytes"

// Slot indexes of the Application parser's JSON form.
const (
	appSeverity = iota
	appTime
	appCorrelationID
	appMessage
)

func appKey(k []byte) int {
	switch string(k) {
	case "severity":
		return appSeverity
	case "time":
		return appTime
	case "correlation_id":
		return appCorrelationID
	case "message":
		return appMessage
	}
	return -1
}

// Application parses gitlab-rails/application_json.log lines and the legacy
// text application.log in both its forms ("2020-04-09T14:04:00.667Z: msg"
// and "October 06, 2014 11:56: msg"). The zero value is ready to use; an
// Application is not safe for concurrent use.
type Application struct {
	obj jsonObj
}

// Parse implements Parser. A line starting with '{' is read as JSON, any
// other line as text with a timestamp prefix.
func (p *Application) Parse(line []byte, r *Record) error {
	r.Reset()
	r.Type = TypeApplication
	if i := skipWS(line, 0); i < len(line) && line[i] == '{' {
		return p.parseJSON(line, r)
	}
	return parseAppText(line, r)
}

func (p *Application) parseJSON(line []byte, r *Record) error {
	o := &p.obj
	o.lookup = appKey
	o.details = false
	defer o.done()
	if err := o.scan(line); err != nil {
		return jsonError(TypeApplication, err)
	}
	o.emit(r, ColSeverity, o.slots[appSeverity])
	when := o.emit(r, ColEventTime, o.slots[appTime])
	o.emit(r, ColCorrelationID, o.slots[appCorrelationID])
	msg := o.emit(r, ColMessage, o.slots[appMessage])
	if o.slots[appMessage].kind == kindString {
		matchMessage(r, msg)
	}
	o.emitMeta(r)
	if t, ok := parseISOTime(when); ok {
		r.Time = t
	}
	return nil
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

// matchMessage recognises the security-relevant message patterns (see the
// package documentation) and adds EventKind and the extracted columns.
func matchMessage(r *Record, m []byte) {
	if len(m) == 0 {
		return
	}
	switch m[0] {
	case 'F':
		if rest, ok := cut(m, "Failed Login: username="); ok {
			if i := bytes.LastIndex(rest, []byte(" ip=")); i >= 0 {
				r.addString(ColEventKind, KindFailedLogin)
				r.add(ColUsername, rest[:i])
				r.add(ColIPAddress, rest[i+4:])
			}
		}
	case 'S':
		if rest, ok := cut(m, "Successful Login: username="); ok {
			a := bytes.LastIndex(rest, []byte(" admin="))
			if a < 0 {
				return
			}
			me := bytes.LastIndex(rest[:a], []byte(" method="))
			if me < 0 {
				return
			}
			ip := bytes.LastIndex(rest[:me], []byte(" ip="))
			if ip < 0 {
				return
			}
			r.addString(ColEventKind, KindSuccessfulLogin)
			r.add(ColUsername, rest[:ip])
			r.add(ColIPAddress, rest[ip+4:me])
			r.add(ColAuthenticationType, rest[me+8:a])
			r.add(ColAdmin, rest[a+7:])
		}
	case 'U':
		matchUser(r, m)
	case 'P':
		if rest, ok := cut(m, `Project "`); ok {
			if p, ok := trimSuffix(rest, `" was removed`); ok {
				r.addString(ColEventKind, KindProjectRemoved)
				r.add(ColProject, p)
				return
			}
			if p, ok := trimSuffix(rest, `" was deleted`); ok {
				r.addString(ColEventKind, KindProjectRemoved)
				r.add(ColProject, p)
				return
			}
		}
		matchProjectCreated(r, m)
	case 'G':
		if rest, ok := cut(m, `Group "`); ok {
			if g, ok := trimSuffix(rest, `" was created`); ok {
				r.addString(ColEventKind, KindGroupCreated)
				r.add(ColGroup, g)
				return
			}
			for _, suf := range [...]string{`" was removed`, `" was deleted`} {
				if g, ok := trimSuffix(rest, suf); ok {
					r.addString(ColEventKind, KindGroupRemoved)
					r.add(ColGroup, g)
					return
				}
			}
		}
		matchProjectCreated(r, m)
	default:
		matchProjectCreated(r, m)
	}
}

// matchUser handles the messages that start with "User".
func matchUser(r *Record, m []byte) {
	if rest, ok := cut(m, "User Logout: username="); ok {
		if i := bytes.LastIndex(rest, []byte(" ip=")); i >= 0 {
			r.addString(ColEventKind, KindLogout)
			r.add(ColUsername, rest[:i])
			r.add(ColIPAddress, rest[i+4:])
		}
		return
	}
	if rest, ok := cut(m, `User "`); ok {
		// User "<name>" (<email>) was created; ... (<email>)  was removed.
		kind := KindUserCreated
		body, ok := trimSuffix(rest, " was created")
		if !ok {
			if body, ok = trimSuffix(rest, " was removed"); !ok {
				matchProjectCreated(r, m)
				return
			}
			kind = KindUserRemoved
		}
		body = bytes.TrimRight(body, " ")
		i := bytes.LastIndex(body, []byte(`" (`))
		if i < 0 || body[len(body)-1] != ')' || i+3 > len(body)-1 {
			matchProjectCreated(r, m)
			return
		}
		r.addString(ColEventKind, kind)
		r.add(ColUsername, body[:i])
		r.add(ColEmailAddress, body[i+3:len(body)-1])
		return
	}
	if rest, ok := cut(m, "User "); ok {
		for _, v := range [...]struct{ sep, kind string }{
			{" has started impersonating ", KindImpersonationStarted},
			{" has stopped impersonating ", KindImpersonationStopped},
		} {
			if i := bytes.Index(rest, []byte(v.sep)); i >= 0 {
				r.addString(ColEventKind, v.kind)
				r.add(ColUsername, rest[:i])
				r.add(ColTargetUser, rest[i+len(v.sep):])
				return
			}
		}
	}
	matchProjectCreated(r, m)
}

// matchProjectCreated handles `<owner> created a new project "<name>"`.
func matchProjectCreated(r *Record, m []byte) {
	const sep = `created a new project "`
	if len(m) < len(sep)+1 || m[len(m)-1] != '"' {
		return
	}
	i := bytes.Index(m, []byte(sep))
	if i < 0 || (i > 0 && m[i-1] != ' ') || i+len(sep) > len(m)-1 {
		return
	}
	owner := m[:max(i-1, 0)]
	r.addString(ColEventKind, KindProjectCreated)
	r.add(ColOwner, owner)
	r.add(ColProject, m[i+len(sep):len(m)-1])
}
