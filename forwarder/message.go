package forwarder

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gitlab-syslog/gitlab-syslog/parser"
)

// Facility is a syslog facility code (RFC 5424 §6.2.1), 0 to 23.
type Facility uint8

// The facilities. Local7 is the one the Microsoft Sentinel GitLab functions
// query and the default of this package.
const (
	Kern Facility = iota
	User
	Mail
	Daemon
	Auth
	Syslog
	LPR
	News
	UUCP
	Cron
	AuthPriv
	FTP
	NTP
	LogAudit // log audit (13)
	LogAlert // log alert (14)
	Clock
	Local0
	Local1
	Local2
	Local3
	Local4
	Local5
	Local6
	Local7
)

var facilityNames = [...]string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}

// String returns the facility's keyword, for example "local7".
func (f Facility) String() string {
	if int(f) < len(facilityNames) {
		return facilityNames[f]
	}
	return fmt.Sprintf("facility(%d)", uint8(f))
}

// ParseFacility accepts a facility keyword ("local7", "auth", ...) or its
// number ("23").
func ParseFacility(s string) (Facility, error) {
	ls := strings.ToLower(strings.TrimSpace(s))
	for i, n := range facilityNames {
		if ls == n {
			return Facility(i), nil
		}
	}
	if n, err := strconv.Atoi(ls); err == nil && n >= 0 && n < len(facilityNames) {
		return Facility(n), nil
	}
	return 0, fmt.Errorf("forwarder: unknown facility %q (want kern, user, ..., local0 ... local7 or 0-23)", s)
}

// Severity is a syslog severity (RFC 5424 §6.2.1): Emergency is 0, Debug 7.
type Severity uint8

// The severities.
const (
	Emergency Severity = iota
	Alert
	Critical
	Error
	Warning
	Notice
	Informational
	Debug
)

var severityNames = [...]string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

// String returns the severity's keyword, for example "warning".
func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", uint8(s))
}

// SeverityFromLabel maps a Ruby Logger label, as GitLab writes it in the
// "severity" key of its JSON logs and at the start of application.log lines,
// to a syslog severity:
//
//	DEBUG → debug, INFO → info, WARN → warning, ERROR → err,
//	FATAL → crit, UNKNOWN → notice, empty → info.
//
// The match ignores case. Any other label maps to notice, so that an
// unexpected value is still visible above the informational level.
func SeverityFromLabel(label []byte) Severity {
	label = bytes.TrimSpace(label)
	switch {
	case len(label) == 0:
		return Informational
	case bytes.EqualFold(label, []byte("INFO")):
		return Informational
	case bytes.EqualFold(label, []byte("DEBUG")):
		return Debug
	case bytes.EqualFold(label, []byte("WARN")), bytes.EqualFold(label, []byte("WARNING")):
		return Warning
	case bytes.EqualFold(label, []byte("ERROR")):
		return Error
	case bytes.EqualFold(label, []byte("FATAL")):
		return Critical
	}
	return Notice
}

// SeverityFromStatus maps an HTTP status code from the NGINX access log to
// a syslog severity. The rule favours what a security analyst filters on:
//
//	500-599          → err      (server failures)
//	401, 403         → warning  (authentication and authorisation failures)
//	other 400-499    → notice   (client errors such as 404 or 422)
//	anything else    → info     (1xx, 2xx, 3xx, and unknown codes such as 0)
func SeverityFromStatus(code int) Severity {
	switch {
	case code >= 500 && code <= 599:
		return Error
	case code == 401 || code == 403:
		return Warning
	case code >= 400 && code <= 499:
		return Notice
	}
	return Informational
}

// Message is one syslog message before encoding. The zero value is a valid
// message with facility kern and severity emerg; use FromRecord or FromLine
// to fill one from a log line.
type Message struct {
	Facility Facility
	Severity Severity
	// Time is the event time. The zero Time is written as the NILVALUE "-"
	// (RFC 5424) or as the encoding time (RFC 3164, which has no NILVALUE).
	Time     time.Time
	Hostname string // "" is written as "-"
	AppName  string // GitLab-Audit-Logs, GitLab-Application-Logs, GitLab-Access-Logs or GitLab-Auth-Logs
	ProcID   string // "" is written as "-"
	MsgID    string // the record type: "audit", "application", "access" or "auth"
	// Params are the STRUCTURED-DATA parameters, in order. FromRecord makes
	// them the parsed record's Fields; the Message must be encoded before
	// the record is reused.
	Params []parser.Field
	// Elements are further STRUCTURED-DATA elements, each with its own
	// SD-ID, written before the element of Params (the detection alerts'
	// alert@<PEN> element). nil for log lines.
	Elements []Element
	// Msg is the raw line, byte for byte. A leading byte order mark
	// (counted) and the line endings at its end, LF or CRLF (a CR not
	// followed by LF stays), are removed when encoding.
	Msg []byte
	// Repaired is how many of Params had invalid UTF-8 replaced by U+FFFD
	// before they reached the Message (parser.Record.Repaired, which
	// FromRecord copies); the Encoder adds it to EncoderStats.Repaired
	// when it writes Params.
	Repaired int
}

// Element is one STRUCTURED-DATA element: an SD-ID and its parameters.
type Element struct {
	ID     string
	Params []parser.Field
}

// The APP-NAMEs the Microsoft Sentinel functions select on, and the one of
// the Rack::Attack log (auth_json.log), which has no Sentinel function.
const (
	AppNameAudit       = "GitLab-Audit-Logs"
	AppNameApplication = "GitLab-Application-Logs"
	AppNameAccess      = "GitLab-Access-Logs"
	AppNameAuth        = "GitLab-Auth-Logs"
	// AppNameUnknown is used for lines whose type is not known.
	AppNameUnknown = "GitLab-Logs"
	// AppNameDetections carries the detection engine's alerts, never log
	// lines, so that the Sentinel functions above never see an alert.
	AppNameDetections = "GitLab-Detections"
)

// AppName returns the default APP-NAME for a log type.
func AppName(t parser.Type) string {
	switch t {
	case parser.TypeAudit:
		return AppNameAudit
	case parser.TypeApplication:
		return AppNameApplication
	case parser.TypeAccess:
		return AppNameAccess
	case parser.TypeAuth:
		return AppNameAuth
	}
	return AppNameUnknown
}

// RecordOptions are the settings FromRecord and FromLine apply to every
// message. The zero value gives facility kern; use DefaultRecordOptions.
type RecordOptions struct {
	Facility Facility
	Hostname string // HOSTNAME; "" writes the NILVALUE
	// AppName overrides the per-type APP-NAME when not empty.
	AppName string
	ProcID  string
	// Now is the time the line was read. It is the message time when the
	// record has none, because Microsoft Sentinel needs an event time; when
	// Now is zero too, the message carries the NILVALUE.
	Now time.Time
}

// DefaultRecordOptions returns options with facility local7 and the given
// hostname.
func DefaultRecordOptions(hostname string) RecordOptions {
	return RecordOptions{Facility: Local7, Hostname: hostname}
}

// FromLine fills m for a line of type t that could not be parsed, or that is
// sent without parsing: APP-NAME and MSGID come from t, the severity is info,
// the time is o.Now, there are no STRUCTURED-DATA params (Params is nil),
// and MSG is line. line is aliased, not copied.
func (m *Message) FromLine(t parser.Type, line []byte, o *RecordOptions) {
	m.Facility = o.Facility
	m.Severity = Informational
	m.Time = o.Now
	m.Hostname = o.Hostname
	m.AppName = o.AppName
	if m.AppName == "" {
		m.AppName = AppName(t)
	}
	m.ProcID = o.ProcID
	m.Elements = nil
	m.MsgID = ""
	if t != parser.TypeUnknown {
		m.MsgID = t.String()
	}
	m.Params = nil // it may alias a record (FromRecord): never write into it
	m.Msg = line
	m.Repaired = 0
}

// FromRecord fills m from a parsed record and the line it was parsed from.
// This is the one mapping from GitLab records to syslog used by the send
// command and by the agent:
//
//   - FACILITY is o.Facility (local7 by default);
//   - APP-NAME is o.AppName, else GitLab-Audit-Logs, GitLab-Application-Logs,
//     GitLab-Access-Logs or GitLab-Auth-Logs by r.Type; MSGID is the type name
//     ("audit", ...);
//   - SEVERITY is SeverityFromStatus(ResponseCode) for access records and
//     SeverityFromLabel(Severity) for the others (info when absent);
//   - TIMESTAMP is r.Time, else o.Now (the time the line was read);
//   - STRUCTURED-DATA params are r.Fields, in order; the Encoder writes the
//     meta.* ones in an element of their own. Params is r.Fields itself,
//     not a copy (so that mapping a line costs no copy of its columns):
//     to add params, copy them into a buffer of your own first;
//   - MSG is line, byte for byte.
func (m *Message) FromRecord(r *parser.Record, line []byte, o *RecordOptions) {
	m.FromLine(r.Type, line, o)
	if !r.Time.IsZero() {
		m.Time = r.Time
	}
	if r.Type == parser.TypeAccess {
		if code, ok := r.Int("ResponseCode"); ok {
			m.Severity = SeverityFromStatus(int(code))
		}
	} else if v, ok := r.Get("Severity"); ok {
		m.Severity = SeverityFromLabel(v)
	}
	m.Params, m.Repaired = r.Fields, r.Repaired
}
