package parser

import (
	"bytes"
	"strings"
)

// auditMarkers are the keys the Audit parser requires one of (see
// auditKeysMissing), at the line's top level or in its details object, and
// only audit lines (and streaming bodies) carry: each a quote and the
// key's name without its closing quote (see hasKey), with a byte of it for
// index to look for. The closing quote may follow spaces, as in Sentinel's
// sample data ("entity_type ").
var auditMarkers = [...]struct {
	name   string
	anchor byte
}{
	{`"author_id`, 'h'}, {`"entity_type`, 'y'}, {`"entity_id`, 'y'},
}

// Members only Gitlab::AuthLogger writes: the message of a Rack::Attack line
// and the throttle user allowlist GitLab logs at start. Both hold a quote
// next to a colon, which cannot occur inside a JSON string (its quotes are
// escaped), so a value such as a request path or a username cannot fake them.
const (
	rackAttackMember = `"message":"Rack_Attack"`
	allowlistMember  = `"gitlab_throttle_user_allowlist":`
)

// index returns the index just past the first pat in line that starts at
// or after from, or -1. It looks for the byte anchor of pat, which should
// be rare in JSON lines, and compares pat around each one: bytes.Index
// would look for the quote pat starts with, which is everywhere in JSON,
// and fall back to comparing at every position.
func index(line []byte, pat string, anchor byte, from int) int {
	a := strings.IndexByte(pat, anchor)
	for i := from + a; i < len(line); {
		j := bytes.IndexByte(line[i:], anchor)
		if j < 0 {
			return -1
		}
		start := i + j - a
		if end := start + len(pat); end <= len(line) && string(line[start:end]) == pat {
			return end
		}
		i += j + 1
	}
	return -1
}

// contains reports whether line contains pat (see index for anchor).
func contains(line []byte, pat string, anchor byte) bool {
	return index(line, pat, anchor, 0) >= 0
}

// hasKey reports whether line holds the key that name begins, a quote and
// the key's name without its closing quote (`"time`), as a key of the
// line's object, or, with details, of its "details" object (see keyPlace):
// name, spaces, the closing quote, then a colon (white space may come
// before it). Text inside a JSON string cannot match, since its quotes are
// escaped: the audit event in a Docker record's "log" string
// ({\"entity_id\":2}) is no key of the record; nor can a value, which a
// colon never follows; nor a key of an object nested deeper (a request's
// "params":{"entity_id":"5"} in an application line). anchor is as for
// index.
func hasKey(line []byte, name string, anchor byte, details bool) bool {
	for end := index(line, name, anchor, 0); end >= 0; end = index(line, name, anchor, end-len(name)+1) {
		k := end
		for k < len(line) && line[k] == ' ' {
			k++
		}
		if k < len(line) && line[k] == '"' {
			if k = skipWS(line, k+1); k < len(line) && line[k] == ':' {
				if p := keyPlace(line, end-len(name)); p == placeTop || details && p == placeDetails {
					return true
				}
			}
		}
	}
	return false
}

// hasMember reports whether line holds member, a key and its value as
// GitLab writes them (`"message":"Rack_Attack"`), as a member of the line's
// object, not of an object nested in it. anchor is as for index.
func hasMember(line []byte, member string, anchor byte) bool {
	for end := index(line, member, anchor, 0); end >= 0; end = index(line, member, anchor, end-len(member)+1) {
		if keyPlace(line, end-len(member)) == placeTop {
			return true
		}
	}
	return false
}

// Where keyPlace finds a key.
const (
	placeOther   = iota // in an object nested deeper, or in an array
	placeTop            // of the line's object
	placeDetails        // of the object that is the value of the line's "details" key
)

// keyPlace returns where the key whose opening quote is line[p] is, from
// the brackets before it outside strings (which it skips as scanString
// does); placeOther when line cannot be read as JSON up to p.
func keyPlace(line []byte, p int) int {
	// Most keys come before any bracket but the object's own: at its top
	// level, without a scan of the strings before them.
	if open := bytes.IndexByte(line[:p], '{'); open >= 0 && bytes.IndexByte(line[open+1:p], '{') < 0 &&
		bytes.IndexByte(line[:p], '[') < 0 && bytes.IndexByte(line[:p], '}') < 0 {
		return placeTop
	}
	depth := 0
	details := false     // the object open at depth 2 is the value of "details"
	lastDetails := false // the last string at depth 1 was "details"
	for i := 0; i < p; i++ {
		switch line[i] {
		case '"':
			end, _, err := scanString(line, i)
			if err != nil || end > p {
				return placeOther
			}
			if depth == 1 {
				lastDetails = string(line[i:end]) == `"details"`
			}
			i = end - 1
		case '{', '[':
			depth++
			if depth == 2 {
				details = line[i] == '{' && lastDetails
			}
		case '}', ']':
			depth--
		}
	}
	switch {
	case depth == 1:
		return placeTop
	case depth == 2 && details:
		return placeDetails
	}
	return placeOther
}

// Detect guesses which log a line comes from, for --type auto:
//
//   - a JSON object with the member "message":"Rack_Attack" (what GitLab's
//     Rack::Attack subscriber writes, compact as GitLab writes JSON) is
//     TypeAuth;
//   - any other JSON object with one of the keys the Audit parser requires
//     (author_id, entity_type, entity_id) as a key of the object or of its
//     "details" object, not text in a string (a Docker json-file record
//     whose "log" holds an audit line is no audit line), is TypeAudit;
//   - any other JSON object with a gitlab_throttle_user_allowlist key (the
//     other line of auth_json.log) is TypeAuth;
//   - any other JSON object with the keys "severity" and "time" (which
//     GitLab's JsonLogger writes in every application_json.log line, and
//     the Application parser requires) is TypeApplication;
//
// The members and keys above count at the object's top level only (and
// the audit keys in "details"): the same key in an object nested deeper,
// such as a request's parameters logged in an application line, does not.
//   - text starting with "<RFC 3339 time>: " or "<Month> 02, 2006 15:04: "
//     is TypeApplication;
//   - text shaped like an NGINX access line ("<addr> - <user> [<time>] "...)
//     is TypeAccess.
//
// Anything else, a JSON object without those keys included, is
// TypeUnknown. A line with NUL padding is typed by the text after its last
// NUL byte, GitLab's line, as the parsers read it. Detect does not validate the line; the parser of the returned type
// does.
func Detect(line []byte) Type {
	line = afterLastNUL(line)
	i := skipWS(line, 0)
	if i >= len(line) {
		return TypeUnknown
	}
	if line[i] == '{' {
		// Rack::Attack first: its marker is structural, while a value of
		// an auth line (a username such as "author_id") can equal an audit
		// marker.
		if hasMember(line, rackAttackMember, 'R') {
			return TypeAuth
		}
		for _, m := range auditMarkers {
			if hasKey(line, m.name, m.anchor, true) {
				return TypeAudit
			}
		}
		if hasMember(line, allowlistMember, 'w') {
			return TypeAuth
		}
		if hasKey(line, `"severity`, 'v', false) && hasKey(line, `"time`, 'm', false) {
			return TypeApplication
		}
		return TypeUnknown
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
