package detect

import (
	"fmt"
	"slices"
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

var severityStrings = [...]string{"", "Informational", "Low", "Medium", "High"}

// String returns "Informational", "Low", "Medium" or "High".
func (s Severity) String() string {
	if int(s) < len(severityStrings) && s != 0 {
		return severityStrings[s]
	}
	return "unknown"
}

// severityNames maps each name ParseSeverity accepts, in lower case, to
// its severity: the four names, and the syslog (RFC 5424) and Falco names
// of the syslog severity each is sent as (High → err, Medium → warning,
// Low → notice, Informational → info; detections.md §6.6).
var severityNames = map[string]Severity{
	"high": SeverityHigh, "err": SeverityHigh, "error": SeverityHigh,
	"medium": SeverityMedium, "warning": SeverityMedium,
	"low": SeverityLow, "notice": SeverityLow,
	"informational": SeverityInformational, "info": SeverityInformational,
}

// severityAbove are the syslog and Falco severities above err (RFC 5424
// crit, alert, emerg), which no alert has: ParseSeverity refuses them
// instead of lowering them to High unsaid.
var severityAbove = []string{"critical", "crit", "alert", "emergency", "emerg", "panic"}

// SeverityNames returns the names ParseSeverity accepts (the four
// severities first, then the syslog and Falco names of the same levels),
// for hints.
func SeverityNames() []string {
	return []string{"High", "Medium", "Low", "Informational", "err", "error", "warning", "notice", "info"}
}

// SeveritiesAbove returns the syslog and Falco severity names above err
// (Critical, crit, Alert, Emergency, emerg, panic), which no alert has and
// ParseSeverity refuses, for hints about names close to them.
func SeveritiesAbove() []string {
	return []string{"Critical", "crit", "Alert", "Emergency", "emerg", "panic"}
}

// ParseSeverity accepts, in any case, the four names and the syslog and
// Falco names of the syslog severity each is sent as: High, err or ERROR;
// Medium or WARNING; Low or NOTICE; Informational, INFORMATIONAL or info.
// Any other name is an error that lists these; one above err (Critical,
// Alert, Emergency) says that High is the highest.
func ParseSeverity(s string) (Severity, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if sev, ok := severityNames[v]; ok {
		return sev, nil
	}
	const want = "want High, Medium, Low or Informational, in any case (or syslog's err, warning, notice, info)"
	if slices.Contains(severityAbove, v) {
		return 0, fmt.Errorf("severity %q is above High: alerts have no severity above High (sent as syslog err, 3); %s", s, want)
	}
	return 0, fmt.Errorf("unknown severity %q: %s", s, want)
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
