package parser

import (
	"bytes"
	stdjson "encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	gojson "github.com/goccy/go-json"
)

// This file holds an independent reference implementation of the JSON
// column rules, built on a real JSON library (encoding/json or
// goccy/go-json), and of the message patterns, built on regexp. The
// differential and fuzz tests compare the hand-written parsers against it.

type tokenDecoder interface {
	Token() (stdjson.Token, error)
	More() bool
	Decode(any) error
}

type jsonLib struct {
	name       string
	valid      func([]byte) bool
	newDecoder func(io.Reader) tokenDecoder
	unmarshal  func([]byte, any) error
	compact    func(*bytes.Buffer, []byte) error
}

var (
	stdLib = jsonLib{
		name:       "encoding/json",
		valid:      stdjson.Valid,
		newDecoder: func(r io.Reader) tokenDecoder { return stdjson.NewDecoder(r) },
		unmarshal:  stdjson.Unmarshal,
		compact:    stdjson.Compact,
	}
	goccyLib = jsonLib{
		name:       "goccy/go-json",
		valid:      gojson.Valid,
		newDecoder: func(r io.Reader) tokenDecoder { return gojson.NewDecoder(r) },
		unmarshal:  gojson.Unmarshal,
		compact:    gojson.Compact,
	}
)

type member struct {
	key string
	raw []byte
}

// members decodes the JSON object raw into its members, in order.
func (l jsonLib) members(raw []byte) ([]member, error) {
	dec := l.newDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(stdjson.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("not an object")
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("key is %T", tok)
		}
		var v stdjson.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, member{strings.Trim(k, " \t\r\n"), bytes.TrimSpace(v)})
	}
	return out, nil
}

// value renders a JSON value the way the columns are documented.
func (l jsonLib) value(raw []byte) (string, error) {
	switch raw[0] {
	case '"':
		var s string
		err := l.unmarshal(raw, &s)
		return s, err
	case 'n':
		return "", nil
	case '{', '[':
		var b bytes.Buffer
		if err := l.compact(&b, raw); err != nil {
			return "", err
		}
		return perByteValidUTF8(b.String()), nil
	}
	return string(raw), nil
}

func perByteValidUTF8(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// refAuditKeys is the documented key → column mapping, written out again
// independently of auditKeys.
var refAuditKeys = map[string]string{
	"severity": "Severity", "time": "EventTime", "correlation_id": "CorrelationID",
	"author_id": "AuthorID", "author_name": "AuthorName", "entity_id": "EntityID",
	"entity_type": "EntityType", "ip_address": "IPAddress", "add": "AddAction",
	"del": "DelAction", "remove": "RemoveAction", "target_id": "TargetID",
	"target_type": "TargetType", "target_details": "TargetDetails",
	"entity_path": "EntityPath", "action": "Action", "custom_message": "CustomMessage",
	"with": "AuthenticationType", "from": "SourceVisibility", "to": "TargetVisibility",
	"change": "ChangeType", "event_name": "EventName", "id": "EventID",
	"impersonated_by": "ImpersonatedBy", "author_class": "AuthorClass",
	"author_email": "AuthorEmail", "created_at": "CreatedAt", "as": "Role",
	"failed_login": "FailedLogin", "event_type": "event_type",
}

var refAuditOrder = strings.Fields(`Severity EventTime CorrelationID AuthorID AuthorName
	EntityID EntityType IPAddress AddAction DelAction RemoveAction TargetID TargetType
	TargetDetails EntityPath Action CustomMessage AuthenticationType SourceVisibility
	TargetVisibility ChangeType EventName EventID ImpersonatedBy AuthorClass AuthorEmail
	CreatedAt Role FailedLogin`)

var refAppKeys = map[string]string{
	"severity": "Severity", "time": "EventTime", "correlation_id": "CorrelationID", "message": "Message",
}

// refAuthKeys is the documented key → column mapping of the Auth parser;
// ip and fullpath are the fallbacks of early GitLab versions.
var refAuthKeys = map[string]string{
	"severity": "Severity", "time": "EventTime", "correlation_id": "CorrelationID",
	"message": "Message", "env": "MatchType", "matched": "MatchedRule",
	"remote_ip": "IPAddress", "request_method": "RequestVerb", "path": "URI",
	"status": "ResponseCode", "user_id": "UserID", "username": "Username",
	"deploy_token_id": "DeployTokenID", "ip": "ip", "fullpath": "fullpath",
}

var refAuthOrder = strings.Fields(`Severity EventTime CorrelationID Message MatchType
	MatchedRule IPAddress RequestVerb URI ResponseCode UserID Username DeployTokenID`)

// refAuthTyped are the Auth columns that hold only decimal digits.
var refAuthTyped = regexp.MustCompile(`^[0-9]+$`)

type col struct{ name, value string }

// refParse computes the columns of a JSON line with lib, after its leading
// NUL bytes. ok is false when lib rejects the line or it is not an object.
func refParse(lib jsonLib, t Type, line []byte) (cols []col, ok bool, err error) {
	line = bytes.TrimLeft(line, "\x00")           // the parsers skip leading NUL bytes,
	for bytes.HasPrefix(line, []byte("\ufeff")) { // then byte order marks (skipNULs)
		line = line[3:]
	}
	if !lib.valid(line) {
		return nil, false, nil
	}
	trimmed := bytes.TrimSpace(line)
	if trimmed[0] != '{' {
		// A valid JSON value that is not an object (Token would also fail
		// on numbers too large for a float64).
		return nil, false, nil
	}
	top, err := lib.members(trimmed)
	if err != nil {
		if err.Error() == "not an object" {
			return nil, false, nil
		}
		return nil, false, err
	}
	keys := refAuditKeys
	switch t {
	case TypeApplication:
		keys = refAppKeys
	case TypeAuth:
		keys = refAuthKeys
	}
	fromTop := map[string][]byte{}
	fromDetails := map[string][]byte{}
	var metaOrder []string
	meta := map[string][]byte{}
	for _, m := range top {
		switch {
		case t == TypeAudit && m.key == "details":
			fromDetails = map[string][]byte{}
			if m.raw[0] == '{' {
				inner, err := lib.members(m.raw)
				if err != nil {
					return nil, false, err
				}
				for _, d := range inner {
					if c, ok := keys[d.key]; ok {
						fromDetails[c] = d.raw
					}
				}
			}
		case keys[m.key] != "":
			fromTop[keys[m.key]] = m.raw
		case strings.HasPrefix(m.key, "meta."):
			if _, seen := meta[m.key]; !seen {
				metaOrder = append(metaOrder, m.key)
			}
			meta[m.key] = m.raw
		}
	}
	if t == TypeAudit {
		// GitLab writes author_id, entity_id and entity_type in every event.
		found := false
		for _, c := range []string{"AuthorID", "EntityID", "EntityType"} {
			_, top := fromTop[c]
			_, det := fromDetails[c]
			found = found || top || det
		}
		if !found {
			return nil, false, nil
		}
	}
	if t == TypeApplication || t == TypeAuth {
		// Gitlab::JsonLogger (Gitlab::AuthLogger too) writes severity
		// and time in every line.
		if _, ok := fromTop["Severity"]; !ok {
			return nil, false, nil
		}
		if _, ok := fromTop["EventTime"]; !ok {
			return nil, false, nil
		}
	}
	// The top level wins over details, but for a blank top-level value
	// (null or "") with a value in details.
	blank := func(raw []byte) bool {
		v := string(bytes.TrimSpace(raw))
		return v == "null" || v == `""`
	}
	get := func(c string) (string, error) {
		raw, ok := fromTop[c]
		if d, det := fromDetails[c]; !ok || det && blank(raw) && !blank(d) {
			raw, ok = d, det
		}
		if !ok {
			return "", nil
		}
		return lib.value(raw)
	}
	add := func(name, v string) {
		if v != "" {
			cols = append(cols, col{name, v})
		}
	}
	order := refAuditOrder
	switch t {
	case TypeApplication:
		order = []string{"Severity", "EventTime", "CorrelationID", "Message"}
	case TypeAuth:
		order = refAuthOrder
	}
	for _, c := range order {
		v, err := get(c)
		if err != nil {
			return nil, false, err
		}
		switch {
		case c == "EventTime" && !refTime(v) && t == TypeAudit:
			v, err = get("CreatedAt")
		case c == "EventName" && v == "" && t == TypeAudit:
			v, err = get("event_type")
		case c == "IPAddress" && v == "" && t == TypeAuth:
			v, err = get("ip")
		case c == "URI" && v == "" && t == TypeAuth:
			v, err = get("fullpath")
		case c == "Username" && v == "" && t == TypeAuth && meta["meta.user"] != nil:
			v, err = lib.value(meta["meta.user"])
		}
		if err != nil {
			return nil, false, err
		}
		if t == TypeAuth && (c == "ResponseCode" || c == "UserID" || c == "DeployTokenID") && !refAuthTyped.MatchString(v) {
			v = ""
		}
		if !refTyped(c, v) {
			continue
		}
		add(c, v)
		if c == "Message" && t == TypeApplication && fromTop[c] != nil && fromTop[c][0] == '"' {
			cols = append(cols, refMessage(v)...)
		}
	}
	for _, k := range metaOrder {
		v, err := lib.value(meta[k])
		if err != nil {
			return nil, false, err
		}
		// The documented column name: the key when what follows "meta."
		// is an SD-NAME, else "meta." and its short form.
		add(MetaPrefix+SDName(k[len(MetaPrefix):]), v)
	}
	return cols, true, nil
}

// refInteger is what AuthorID and EntityID may hold.
var refInteger = regexp.MustCompile(`^-?[0-9]+$`)

// refTime reports whether v is a time the parsers read (parseISOTime has
// its own table test against time.Parse).
func refTime(v string) bool {
	_, ok := parseISOTime([]byte(v))
	return ok
}

// refTyped reports whether v may stand in the typed column c.
func refTyped(c, v string) bool {
	switch c {
	case "EventTime", "CreatedAt":
		return refTime(v)
	case "AuthorID", "EntityID":
		return refInteger.MatchString(v)
	case "TargetID", "EventID":
		return v != "-"
	}
	return true
}

// refPatterns are the security-relevant messages GitLab writes to
// application_json.log and application.log (failed logins, user and
// project changes, impersonation) as regular expressions, in priority
// order.
var refPatterns = []struct {
	kind string
	re   *regexp.Regexp
	cols []string
}{
	{KindFailedLogin, regexp.MustCompile(`(?s)^Failed Login: username=(.*) ip=(\S+)$`), []string{"Username", "IPAddress"}},
	{KindSuccessfulLogin, regexp.MustCompile(`^Successful Login: username=(\S+) ip=(\S+) method=(\S+) admin=(true|false)$`), []string{"Username", "IPAddress", "AuthenticationType", "Admin"}},
	{KindLogout, regexp.MustCompile(`^User Logout: username=(\S+) ip=(\S+)$`), []string{"Username", "IPAddress"}},
	{KindUserCreated, regexp.MustCompile(`(?s)^User "(.*)" \((.*)\) +was created$`), []string{"Username", "EmailAddress"}},
	{KindUserRemoved, regexp.MustCompile(`(?s)^User "(.*)" \((.*)\) +was removed$`), []string{"Username", "EmailAddress"}},
	{KindImpersonationStarted, regexp.MustCompile(`^User (\S+) has started impersonating (\S+)$`), []string{"Username", "TargetUser"}},
	{KindImpersonationStopped, regexp.MustCompile(`^User (\S+) has stopped impersonating (\S+)$`), []string{"Username", "TargetUser"}},
	{KindProjectRemoved, regexp.MustCompile(`(?s)^Project "(.*)" was (?:removed|deleted)$`), []string{"Project"}},
	{KindGroupCreated, regexp.MustCompile(`(?s)^Group "(.*)" was created$`), []string{"Group"}},
	{KindGroupRemoved, regexp.MustCompile(`(?s)^Group "(.*)" was (?:removed|deleted)$`), []string{"Group"}},
	{KindProjectCreated, regexp.MustCompile(`(?s)^(?:(.*) )?created a new project "(.*)"$`), []string{"Owner", "Project"}},
}

// refMessage returns EventKind and the extracted columns for msg.
func refMessage(msg string) []col {
	for _, p := range refPatterns {
		m := p.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		out := []col{{"EventKind", p.kind}}
		for i, c := range p.cols {
			if m[i+1] != "" {
				out = append(out, col{c, m[i+1]})
			}
		}
		return out
	}
	return nil
}

// recordCols converts r's fields for comparison.
func recordCols(r *Record) []col {
	out := make([]col, len(r.Fields))
	for i, f := range r.Fields {
		out[i] = col{f.Name, string(f.Value)}
	}
	return out
}

func formatCols(cols []col) string {
	var b strings.Builder
	for _, c := range cols {
		fmt.Fprintf(&b, "  %s=%q\n", c.name, c.value)
	}
	return b.String()
}

// checkDifferential parses line with p and with lib, and reports any
// difference: an accepted line must give the same columns, a rejected line
// an *Error.
func checkDifferential(t testing.TB, lib jsonLib, typ Type, p Parser, line []byte) {
	t.Helper()
	var r Record
	err := p.Parse(line, &r)
	want, ok, refErr := refParse(lib, typ, line)
	if refErr != nil {
		t.Fatalf("%s: reference failed on %q: %v", lib.name, line, refErr)
	}
	if !ok {
		if err == nil {
			t.Fatalf("%s rejects %q but %s parser accepted it:\n%s", lib.name, line, typ, formatCols(recordCols(&r)))
		}
		if _, isErr := err.(*Error); !isErr {
			t.Fatalf("error for %q is %T, want *Error", line, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s accepts %q but %s parser failed: %v", lib.name, line, typ, err)
	}
	got := recordCols(&r)
	if formatCols(got) != formatCols(want) {
		t.Fatalf("columns differ for %q\n%s parser:\n%s%s:\n%s", line, typ, formatCols(got), lib.name, formatCols(want))
	}
}
