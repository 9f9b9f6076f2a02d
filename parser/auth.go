package parser

// Slot indexes of the Auth parser; the first nAuthCols are output columns in
// this order.
const (
	authSeverity = iota
	authEventTime
	authCorrelationID
	authMessage
	authMatchType
	authMatchedRule
	authIPAddress
	authRequestVerb
	authURI
	authResponseCode
	authUserID
	authUsername
	authDeployTokenID
	nAuthCols

	authIP       = nAuthCols     // "ip" of early versions, the fallback for remote_ip
	authFullpath = nAuthCols + 1 // "fullpath" of early versions, the fallback for path
	nAuthSlots   = nAuthCols + 2
)

// The Auth parser shares jsonObj's slot array with the Audit parser.
var _ [nAuditSlots - nAuthSlots]struct{}

var authCols = [nAuthCols]string{
	ColSeverity, ColEventTime, ColCorrelationID, ColMessage, ColMatchType,
	ColMatchedRule, ColIPAddress, ColRequestVerb, ColURI, ColResponseCode,
	ColUserID, ColUsername, ColDeployTokenID,
}

// authKeys maps the keys of GitLab's Rack::Attack log line to their slots.
// The keys are those Gitlab::Metrics::Subscribers::RackAttack writes through
// Gitlab::AuthLogger (lib/gitlab/metrics/subscribers/rack_attack.rb), plus
// the ones earlier versions of config/initializers/rack_attack_logging.rb
// wrote (ip, fullpath, username).
var authKeys = newKeyTable([]keySlot{
	{"severity", authSeverity},
	{"time", authEventTime},
	{"correlation_id", authCorrelationID},
	{"message", authMessage},
	{"env", authMatchType},
	{"matched", authMatchedRule},
	{"remote_ip", authIPAddress},
	{"request_method", authRequestVerb},
	{"path", authURI},
	{"status", authResponseCode},
	{"user_id", authUserID},
	{"username", authUsername},
	{"deploy_token_id", authDeployTokenID},
	{"ip", authIP},
	{"fullpath", authFullpath},
}, false)

// Auth parses gitlab-rails/auth_json.log lines (and auth.log, the same JSON
// lines under the name older versions used): the requests Rack::Attack
// throttled, blocked or tracked. The zero value is ready to use; an Auth is
// not safe for concurrent use.
type Auth struct {
	obj jsonObj
}

// Parse implements Parser. The line must be one JSON object with the keys
// "severity" and "time" at its top level (with any value), which
// Gitlab::AuthLogger, a Gitlab::JsonLogger, writes in every line; a JSON
// object without them (another program's log, a wrong file) is an *Error.
// A line without the Rack::Attack keys (GitLab also logs its throttle user
// allowlist to this file) parses into the columns it has. A leading run of
// NUL bytes is skipped (see [Parser]).
func (p *Auth) Parse(line []byte, r *Record) error {
	return parseSkipping(p, line, r, false)
}

func (p *Auth) parse(line []byte, r *Record) error {
	r.Reset()
	r.Type = TypeAuth
	o := &p.obj
	o.keys = authKeys
	defer o.done()
	if err := o.scan(line); err != nil {
		return jsonError(TypeAuth, err)
	}
	if err := loggerKeysMissing(TypeAuth, "auth_json.log", o.set&(1<<authSeverity) != 0, o.set&(1<<authEventTime) != 0); err != nil {
		return err
	}
	for idx := range nAuthCols {
		s := &o.slots[idx]
		if s.empty() {
			s = authFallback(o, idx)
			if s.empty() {
				continue
			}
		}
		if idx == authEventTime {
			if t, ok := o.emitTime(r, ColEventTime, s); ok {
				r.Time = t
			}
			continue
		}
		n := len(r.Fields)
		v := o.emit(r, authCols[idx], s)
		switch idx {
		case authResponseCode, authUserID, authDeployTokenID:
			// Typed columns hold only what they are typed as.
			if !decimalDigits(v) {
				clear(r.Fields[n:])
				r.Fields = r.Fields[:n]
			}
		}
	}
	o.emitMeta(r)
	return nil
}

// authFallback returns the value an auth column takes when its own key is absent,
// null or "": ip and fullpath (early versions) for IPAddress and URI,
// meta.user for Username (current versions write the username only there).
func authFallback(o *jsonObj, idx int) *span {
	switch idx {
	case authIPAddress:
		return &o.slots[authIP]
	case authURI:
		return &o.slots[authFullpath]
	case authUsername:
		for n := range o.meta {
			if o.meta[n].name == "meta.user" {
				return &o.meta[n].val
			}
		}
	}
	return &o.none
}

// decimalDigits reports whether v is one or more ASCII digits.
func decimalDigits(v []byte) bool {
	if len(v) == 0 {
		return false
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
