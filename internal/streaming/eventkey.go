package streaming

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strconv"

	gojson "github.com/goccy/go-json"
)

// eventIdentity is what the Receiver knows of an event's identity.
type eventIdentity struct {
	// id is the event's "id" as a dedupe component: the number as written,
	// a string in Go quoted form (so 1 and "1" differ), or "" when the id
	// is absent, null, an empty string or of another type.
	id string
	// key is the dedupe key (see eventKey), "" when the event has no id and
	// so is never deduplicated.
	key string
}

// Dedupe key forms. A key is one of these letters, a colon and the
// unpadded base64url SHA-256 (43 characters) of what identifies the event.
const (
	keyTriple = 't' // sha256(id SP quoted event_type SP quoted created_at)
	keyBody   = 'b' // sha256(id SP compacted body)
	keyLen    = 2 + 43
)

// eventKey returns the dedupe key of an event with the raw JSON values of
// its "id", "event_type" and "created_at" members and its compacted body
// line (without the newline).
//
// Two deliveries are the same event when their keys are equal, that is:
//
//   - both have the same id, event_type and created_at, where event_type
//     and created_at are non-empty JSON strings compared as decoded text
//     (the instant is not reinterpreted: "…15.213Z" and "…15.213+00:00"
//     differ); or
//   - both have the same id, at least one of event_type and created_at is
//     missing or not a non-empty string, and the compacted bodies are
//     identical (equal JSON text once insignificant white space is removed).
//
// An event without an id gets no key and is never deduplicated, even when
// its body is identical to an earlier one: with nothing that claims the two
// are one event, two identical id-less bodies may be two real events, and
// spooling a repeat costs far less than losing one. This is the reading of
// the rule "same id, event_type and created_at, or identical bodies": the
// identical-body test applies to events that have an id but not the other
// two members.
//
// Older GitLab versions set a stream-only event's id from created_at in
// whole seconds, so different events share an id; event_type and the
// millisecond created_at tell them apart.
func eventKey(rawID, rawType, rawCreated, body []byte) eventIdentity {
	id := idKey(rawID)
	if id == "" {
		return eventIdentity{}
	}
	kind := byte(keyTriple)
	pre := make([]byte, 0, 128)
	pre = append(pre, id...)
	pre = append(pre, ' ')
	typ, created := stringValue(rawType), stringValue(rawCreated)
	if typ != "" && created != "" {
		pre = strconv.AppendQuote(pre, typ)
		pre = append(pre, ' ')
		pre = strconv.AppendQuote(pre, created)
	} else {
		kind = keyBody
		pre = append(pre, body...)
	}
	sum := sha256.Sum256(pre)
	key := make([]byte, 2, keyLen)
	key[0], key[1] = kind, ':'
	key = base64.RawURLEncoding.AppendEncode(key, sum[:])
	return eventIdentity{id: id, key: string(key)}
}

// validKey reports whether k has the form eventKey produces.
func validKey(k []byte) bool {
	if len(k) != keyLen || (k[0] != keyTriple && k[0] != keyBody) || k[1] != ':' {
		return false
	}
	for _, c := range k[2:] {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// idKey turns the raw JSON id into a dedupe component: the number as
// written, a non-empty string Go-quoted, otherwise "".
func idKey(raw []byte) string {
	if len(raw) == 0 {
		return ""
	}
	switch c := raw[0]; {
	case c == '"':
		if s := stringValue(raw); s != "" {
			return strconv.Quote(s)
		}
	case c == '-' || (c >= '0' && c <= '9'):
		return string(raw)
	}
	return ""
}

// stringValue decodes a raw JSON string; "" for anything else.
func stringValue(raw []byte) string {
	if len(raw) == 0 || raw[0] != '"' {
		return ""
	}
	if bytes.IndexByte(raw[1:], '\\') < 0 && bytes.IndexByte(raw[1:], '"') == len(raw)-2 {
		return string(raw[1 : len(raw)-1]) // no escapes: the common case
	}
	var s string
	if err := gojson.Unmarshal(raw, &s); err != nil {
		return "" // s is not used
	}
	return s
}
