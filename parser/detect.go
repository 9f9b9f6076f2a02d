package parser

import "bytes"

// auditMarkers are keys only audit lines (and streaming bodies) carry.
var auditMarkers = [...][]byte{
	[]byte(`"author_id"`), []byte(`"entity_type`), []byte(`"event_type"`),
	[]byte(`"entity_id"`), []byte(`"target_details"`),
}

// isAuth reports whether a JSON line carries what only Gitlab::AuthLogger
// writes: the "Rack_Attack" message together with the Rack::Attack match
// type key "env", or the throttle user allowlist GitLab logs at start.
func isAuth(line []byte) bool {
	return bytes.Contains(line, []byte(`"Rack_Attack"`)) && bytes.Contains(line, []byte(`"env"`)) ||
		bytes.Contains(line, []byte(`"gitlab_throttle_user_allowlist"`))
}

// Detect guesses which log a line comes from, for --type auto:
//
//   - a JSON object with an audit key (author_id, entity_type, entity_id,
//     event_type, target_details) is TypeAudit;
//   - a JSON object with the string "Rack_Attack" and an "env" key (what
//     GitLab's Rack::Attack subscriber writes) or a
//     gitlab_throttle_user_allowlist key is TypeAuth;
//   - any other JSON object is TypeApplication;
//   - text starting with "<RFC 3339 time>: " or "<Month> 02, 2006 15:04: "
//     is TypeApplication;
//   - text shaped like an NGINX access line ("<addr> - <user> [<time>] "...)
//     is TypeAccess.
//
// Anything else is TypeUnknown. Detect does not validate the line; the
// parser of the returned type does.
func Detect(line []byte) Type {
	i := skipWS(line, 0)
	if i >= len(line) {
		return TypeUnknown
	}
	if line[i] == '{' {
		for _, m := range auditMarkers {
			if bytes.Contains(line, m) {
				return TypeAudit
			}
		}
		if isAuth(line) {
			return TypeAuth
		}
		return TypeApplication
	}
	if c := line[0]; c >= '0' && c <= '9' {
		if j := bytes.Index(line, []byte(": ")); j > 0 {
			if _, ok := parseISOTime(line[:j]); ok {
				return TypeApplication
			}
		}
	} else if _, n, ok := parseLongTime(line); ok && len(line) >= n+2 && line[n] == ':' && line[n+1] == ' ' {
		return TypeApplication
	}
	if looksLikeAccess(line) {
		return TypeAccess
	}
	return TypeUnknown
}

// looksLikeAccess checks "<addr> - ... [dd/Mon/yyyy:hh:mm:ss +zzzz] "".
func looksLikeAccess(b []byte) bool {
	sp := bytes.IndexByte(b, ' ')
	if sp <= 0 || len(b) < sp+3 || b[sp+1] != '-' || b[sp+2] != ' ' {
		return false
	}
	k := bytes.Index(b[sp:], []byte(`] "`))
	for k >= 0 {
		end := sp + k
		if start := end - lenTimeLocal; start >= sp+3 && b[start-1] == '[' {
			if _, ok := parseNginxTime(b[start:end]); ok {
				return true
			}
		}
		next := bytes.Index(b[end+1:], []byte(`] "`))
		if next < 0 {
			break
		}
		k += 1 + next
	}
	return false
}
