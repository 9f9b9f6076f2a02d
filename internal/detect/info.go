package detect

import (
	"fmt"
	"strings"
)

// Kind is how a rule decides: on one event, or over several.
type Kind uint8

// The rule kinds: how a rule decides, shown as the alert's kind.
const (
	KindPerEvent Kind = iota + 1 // one alert per matching event
	KindWindow                   // a count over a time window crosses a threshold
	KindBaseline                 // a count exceeds a learned hourly baseline
	KindSequence                 // events inside a session (impersonation)
	KindJoin                     // events joined by an id (CorrelationID)
	KindExternal                 // needs data from outside the logs (TI file, GeoIP)
)

var kindNames = [...]string{"", "per-event", "window", "baseline", "sequence", "join", "external"}

// String returns the kind's name as used in alerts: "per-event", "window",
// "baseline", "sequence", "join" or "external".
func (k Kind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return "unknown"
}

// Severity is an alert's severity. The syslog severity it maps to is given
// by forwarder mapping in alerts out (High → err, Medium → warning, Low →
// notice, Informational → info).
type Severity uint8

// The severities, lowest first.
const (
	SeverityInformational Severity = iota + 1
	SeverityLow
	SeverityMedium
	SeverityHigh
)

var severityNames = [...]string{"", "Informational", "Low", "Medium", "High"}

// String returns "Informational", "Low", "Medium" or "High".
func (s Severity) String() string {
	if int(s) < len(severityNames) && s != 0 {
		return severityNames[s]
	}
	return "unknown"
}

// ParseSeverity accepts the four names in any case, plus Falco's priorities
// WARNING (= Medium), NOTICE (= Low), INFORMATIONAL/INFO (= Informational),
// ERROR and CRITICAL (= High).
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "high", "error", "critical":
		return SeverityHigh, nil
	case "medium", "warning":
		return SeverityMedium, nil
	case "low", "notice":
		return SeverityLow, nil
	case "informational", "info":
		return SeverityInformational, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want High, Medium, Low or Informational)", s)
}

// Info describes a rule. It is what alerts, the config and the README
// table show.
type Info struct {
	// ID is the stable rule id, "<family>.<name>", e.g. "sentinel.bruteforce"
	// or "falco.pat_created": the family is the peer the rule comes from
	// (sentinel, falco) or gitlab for this project's own; at most 32 bytes,
	// the RFC 5424 MSGID limit. Config, alerts (MSGID) and state files use
	// it, so it never changes.
	ID string
	// Name is the human-readable name, the peer's rule name where there is one.
	Name string
	// Kind is how the rule decides.
	Kind Kind
	// Severity is the default severity; the config may override it.
	Severity Severity
	// Tactic and Technique are MITRE ATT&CK ids or names, e.g.
	// ["CredentialAccess"] and ["T1110"].
	Tactic    []string
	Technique []string
	// Description says what the rule detects, in one or two sentences.
	Description string
}
